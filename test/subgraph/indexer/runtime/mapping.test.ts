// Mapping instance reuse (runtime/mapping.ts, the indexer's instancePolicy; trigger-reset.ts): a mapping's module
// globals must not outlive a trigger, however long its instance lives. The probe's mode-11 handler appends its message
// to a module-level array and stores what the array holds, i.e. every message its instance has handled so far.
import { expect } from "chai";
import { Indexer } from "../../../../subgraph/indexer";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import type { BlockProcessor } from "../../../../subgraph/indexer/processor";
import type { InstancePolicy } from "../../../../subgraph/indexer/runtime/mapping";
import { gql } from "../helpers/dump";
import { useProbeFixture } from "../helpers/use-probe-fixture";

describe("embedded indexer: mapping instance policy", function () {
  const fx = useProbeFixture();
  let runs = 0;

  before(async function () {
    // Three triggers in one block, two in the next.
    for (const messages of [["a1", "a2", "a3"], ["b1", "b2"]]) {
      await fx.chain.setAutomine(false);
      for (const message of messages) await fx.probe.send("probe", [11, message]);
      await fx.chain.mine();
      await fx.chain.setAutomine(true);
    }
  });

  /** Indexes the chain with `policy`; for each message, what its instance had seen when it handled it. */
  async function seenByInstance(policy?: Partial<InstancePolicy>): Promise<Record<string, string[]>> {
    const db = fx.dbPath(`instance-policy-${++runs}.sqlite`);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, instancePolicy: policy });
    const engine = QueryEngine.open(db);
    try {
      expect((await indexer.syncOnce()).failed).to.equal(false);
      const { samples } = await gql<{ samples: Array<{ blobText: string; labels: string[] }> }>(engine, `{ samples(where: { count: 11 }) { blobText labels } }`);
      return Object.fromEntries(samples.map((s) => [s.blobText, s.labels]));
    } finally {
      engine.close();
      await indexer.close();
    }
  }

  /** Instances made to index the chain with `policy` (the default one without). */
  async function instantiationsFor(policy?: Partial<InstancePolicy>): Promise<number> {
    const db = fx.dbPath(`instance-policy-${++runs}.sqlite`);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, instancePolicy: policy });
    try {
      expect((await indexer.syncOnce()).failed).to.equal(false);
      const stats = (indexer as unknown as { processor: BlockProcessor }).processor.runtimeStats();
      expect(stats.triggers).to.equal(5);
      return stats.instantiations;
    } finally {
      await indexer.close();
    }
  }

  it("gives every trigger fresh module globals by default, as graph-node's instance per trigger does", async function () {
    expect(await seenByInstance()).to.deep.equal({ a1: ["a1"], a2: ["a2"], a3: ["a3"], b1: ["b1"], b2: ["b2"] });
  });

  it("gives every trigger fresh module globals with a new instance for each (maxTriggersPerInstance: 1)", async function () {
    expect(await seenByInstance({ maxTriggersPerInstance: 1 })).to.deep.equal({ a1: ["a1"], a2: ["a2"], a3: ["a3"], b1: ["b1"], b2: ["b2"] });
  });

  it("serves every trigger of the run from one instance by default", async function () {
    expect(await instantiationsFor()).to.equal(1);
  });

  it("replaces the instance every maxTriggersPerInstance triggers, and after a trigger that left its memory past maxMemoryBytes", async function () {
    const cases: Array<[Partial<InstancePolicy>, number]> = [
      [{ maxTriggersPerInstance: 2 }, 3],
      [{ maxTriggersPerInstance: 1 }, 5],
      [{ maxMemoryBytes: 0 }, 5],
    ];
    for (const [policy, instantiations] of cases) {
      expect(await instantiationsFor(policy), JSON.stringify(policy)).to.equal(instantiations);
    }
  });
});
