// A chain restarted under a running indexer (same chain id, new genesis: `npx hardhat node` started again) is a new
// chain, not a reorg deeper than the threshold: the indexer starts over on it as `Indexer.open` would.
import { expect } from "chai";
import { Indexer, type IndexerLogRecord } from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { dumpDatabase, gql } from "./helpers/dump";
import { registerProvider, startProbeFixture, type ProbeFixture } from "./helpers/probe";
import { SwitchingNode } from "./helpers/transports";

describe("embedded indexer: a chain restarted under it", function () {
  const fixtures: ProbeFixture[] = [];

  after(async function () {
    for (const fx of fixtures) await fx.close();
  });

  /** A new chain with the probe deployed, a provider `name` registered (none: null) and `blocks` more blocks. */
  async function chain(name: string | null, blocks: number): Promise<ProbeFixture> {
    const fx = await startProbeFixture();
    fixtures.push(fx);
    if (name !== null) await registerProvider(fx.probe, fx.chain.accounts[1]!, name, 1n, 1);
    await fx.chain.mine(blocks);
    return fx;
  }

  /** Indexes through a node that is `first`, then `second`; returns what the indexer did after the switch. */
  async function restartUnder(first: ProbeFixture, second: ProbeFixture) {
    const node = new SwitchingNode([first.chain.url, second.chain.url]);
    const db = first.dbPath(`restarted-${fixtures.length}.sqlite`);
    const logs: IndexerLogRecord[] = [];
    const indexer = await Indexer.open({ subgraph: first.buildDir, rpc: node, db, reorgThreshold: 2, logger: (r) => logs.push(r) });
    const fresh = await Indexer.open({ subgraph: second.buildDir, rpc: second.chain.url, db: second.dbPath(`fresh-${fixtures.length}.sqlite`) });
    try {
      await indexer.syncOnce();
      const before = indexer.deployment;
      const failed: unknown[] = [];
      indexer.on("failed", (f) => failed.push(f));
      node.target = 1;
      const status = await indexer.syncOnce();
      await fresh.syncOnce();
      const engine = QueryEngine.open(db);
      try {
        const data = await gql<{ providers: Array<{ name: string }>; _meta: { deployment: string } }>(engine, `{ providers { name } _meta { deployment } }`);
        return { status, before, after: indexer.deployment, fresh: fresh.deployment, failed, logs, data, dump: dumpDatabase(db), freshDump: dumpDatabase(fresh.db.path) };
      } finally {
        engine.close();
      }
    } finally {
      await indexer.close();
      await fresh.close();
    }
  }

  it("starts over on a restarted chain that has passed the checkpoint, instead of failing for a deep reorg", async function () {
    const r = await restartUnder(await chain("old chain", 4), await chain("new chain", 9));
    expect(r.failed).to.deep.equal([]);
    expect(r.status.failed, r.status.fatalError?.message).to.equal(false);
    expect(r.after).to.not.equal(r.before);
    expect(r.after).to.equal(r.fresh);
    expect(r.data).to.deep.equal({ providers: [{ name: "new chain" }], _meta: { deployment: r.fresh } });
    expect(r.dump).to.deep.equal(r.freshDump);
    expect(r.logs.some((l) => l.level === "warning" && l.message.includes("the chain was restarted"))).to.equal(true);
  });

  it("starts over on a restarted chain below every stored block, instead of waiting for it to reach the checkpoint", async function () {
    // The new chain has only the deployment (block 1), below every block the index kept: a lagging node's look.
    const r = await restartUnder(await chain("long chain", 12), await chain(null, 0));
    expect(r.failed).to.deep.equal([]);
    expect(r.status.failed, r.status.fatalError?.message).to.equal(false);
    expect(r.data).to.deep.equal({ providers: [], _meta: { deployment: r.fresh } });
    expect(r.dump).to.deep.equal(r.freshDump);
  });
});
