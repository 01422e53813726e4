// The indexer thread's heap limit (worker/handle.ts, maxHeapMb): V8 grows an uncapped heap to four times what is
// live before collecting, so the thread runs with a limit, and a thread that outgrows it says which limit it hit.
import type { Worker } from "node:worker_threads";
import { expect } from "chai";
import { startIndexerWorker } from "../../../../subgraph/indexer/worker/handle";
import { useProbeFixture } from "../helpers/use-probe-fixture";

describe("embedded indexer: the worker thread's heap limit", function () {
  const fx = useProbeFixture();

  /** Why the worker could not start with `maxHeapMb` (null: it started, and was stopped). */
  async function startError(maxHeapMb: number, restart?: false): Promise<unknown> {
    try {
      const worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("heap-limit.sqlite"), maxHeapMb, restart });
      await worker.stop();
      return null;
    } catch (error) {
      return error;
    }
  }

  it("runs the thread with maxHeapMb as its heap limit, and names the limit when the thread runs out of memory", async function () {
    // 5 MB, the least V8 starts a thread with (see option-rules.ts), cannot even load the indexer's modules: without the
    // limit the thread starts and this rejects nothing.
    const error = await startError(5, false);
    expect(error, "the worker started").to.be.instanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).to.equal("ERR_WORKER_OUT_OF_MEMORY");
    expect((error as Error).message).to.contain("the indexer thread's heap is limited to 5 MB: the maxHeapMb option, the CLI's --max-heap-mb, raises it");
  });

  it("limits the thread's heap to 1,024 MB when maxHeapMb is not given", async function () {
    const worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("heap-default.sqlite") });
    try {
      // What node's Worker says of the running thread's limits.
      const thread = (worker as unknown as { worker: Worker }).worker;
      expect(thread.resourceLimits?.maxOldGenerationSizeMb).to.equal(1024);
    } finally {
      await worker.stop();
    }
  });
});
