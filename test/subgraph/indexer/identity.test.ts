// A database belongs to one chain (chain id + genesis hash) and one build of the subgraph. Pointed at another
// chain, or at a rebuilt subgraph, the indexer starts over instead of serving stale data.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Indexer, type IndexerLogRecord } from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { gql } from "./helpers/dump";
import { registerProvider, startProbeFixture, type ProbeFixture } from "./helpers/probe";

describe("embedded indexer: database identity", function () {
  let first: ProbeFixture;
  let second: ProbeFixture;
  let db: string;

  before(async function () {
    first = await startProbeFixture();
    second = await startProbeFixture();
    await registerProvider(first.probe, first.chain.accounts[1]!, "from the first chain", 1n, 1);
    await registerProvider(second.probe, second.chain.accounts[2]!, "from the second chain", 2n, 2);
    db = first.dbPath("shared.sqlite");
  });

  after(async function () {
    await first?.close();
    await second?.close();
  });

  async function indexInto(fx: ProbeFixture, buildDir = fx.buildDir): Promise<{ names: string[]; deployment: string; logs: IndexerLogRecord[]; checkpoint: number }> {
    const logs: IndexerLogRecord[] = [];
    const indexer = await Indexer.open({ subgraph: buildDir, rpc: fx.chain.url, db, logger: (r) => logs.push(r) });
    try {
      const status = await indexer.syncOnce();
      const data = await gql<{ providers: Array<{ name: string }> }>(QueryEngine.forDatabase(indexer.db), `{ providers { name } }`);
      return { names: data.providers.map((p) => p.name), deployment: indexer.deployment, logs, checkpoint: status.checkpoint!.number };
    } finally {
      await indexer.close();
    }
  }

  const startedOver = (logs: IndexerLogRecord[]): boolean => logs.some((l) => l.message.includes("starting over"));

  it("keeps its data when reopened on the same chain with the same build", async function () {
    const a = await indexInto(first);
    const b = await indexInto(first);
    expect(a.names).to.deep.equal(["from the first chain"]);
    expect(b).to.deep.include({ names: a.names, deployment: a.deployment, checkpoint: a.checkpoint });
    expect(startedOver(b.logs)).to.equal(false);
  });

  it("starts over when pointed at another chain (another genesis)", async function () {
    const before = await indexInto(first);
    const after = await indexInto(second);
    expect(startedOver(after.logs)).to.equal(true);
    expect(after.names).to.deep.equal(["from the second chain"]);
    expect(after.deployment).to.not.equal(before.deployment);
  });

  it("starts over when the subgraph is rebuilt differently", async function () {
    const before = await indexInto(second);
    const rebuilt = path.join(second.tmpDir, "rebuilt");
    cpSync(second.buildDir, rebuilt, { recursive: true });
    const manifest = path.join(rebuilt, "subgraph.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("startBlock: 0", "startBlock: 1"));
    const after = await indexInto(second, rebuilt);
    expect(startedOver(after.logs)).to.equal(true);
    expect(after.deployment).to.not.equal(before.deployment);
    expect(after.names).to.deep.equal(["from the second chain"]);
  });
});
