// A data source's startBlock and endBlock bound the blocks whose events it handles, both included, as graph-node's
// (a data source "processes events up to and including" its endBlock).
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Indexer } from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { gql } from "./helpers/dump";
import { registerProvider } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: a data source's start and end blocks", function () {
  const fx = useProbeFixture();
  /** The block of each provider's registration, by name. */
  const registered = new Map<string, number>();

  before(async function () {
    for (let i = 0; i < 4; i++) {
      await registerProvider(fx.probe, fx.chain.accounts[1 + i]!, `p${i}`, 1n, 1);
      registered.set(`p${i}`, await fx.chain.blockNumber());
    }
  });

  it("handles the events of the blocks from startBlock to endBlock, both included, and no others", async function () {
    const start = registered.get("p1")!;
    const end = registered.get("p2")!;
    const build = path.join(fx.tmpDir, "range");
    cpSync(fx.buildDir, build, { recursive: true });
    const manifest = path.join(build, "subgraph.yaml");
    const text = readFileSync(manifest, "utf8");
    expect(text).to.include("\n      startBlock: 0\n");
    writeFileSync(manifest, text.replace("\n      startBlock: 0\n", `\n      startBlock: ${start}\n      endBlock: ${end}\n`));
    const indexer = await Indexer.open({ subgraph: build, rpc: fx.chain.url, db: fx.dbPath("range.sqlite") });
    try {
      expect((await indexer.syncOnce()).failed).to.equal(false);
      const data = await gql<{ providers: Array<{ name: string }> }>(QueryEngine.forDatabase(indexer.db), `{ providers(orderBy: name) { name } }`);
      expect(data.providers.map((p) => p.name)).to.deep.equal(["p1", "p2"]);
    } finally {
      await indexer.close();
    }
  });
});
