// The indexer thread's heap limit (worker/handle.ts, maxHeapMb): V8 grows an uncapped heap to four times what is
// live before collecting, so the thread runs with a limit, and a thread that outgrows it says which limit it hit.
import { expect } from "chai";
import { startIndexerWorker } from "../../../../subgraph/indexer/worker/handle";
import { startProbeFixture, type ProbeFixture } from "../helpers/probe";

describe("embedded indexer: the worker thread's heap limit", function () {
  let fx: ProbeFixture;

  before(async function () {
    fx = await startProbeFixture();
  });

  after(async function () {
    await fx?.close();
  });

  it("runs the thread with maxHeapMb as its heap limit, and names the limit when the thread runs out of memory", async function () {
    // 4 MB cannot even load the indexer's modules: without the limit the thread starts and this rejects nothing.
    const started = startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("tiny-heap.sqlite"), maxHeapMb: 4, restart: false });
    let error: unknown = null;
    try {
      const worker = await started;
      await worker.stop();
    } catch (e) {
      error = e;
    }
    expect(error, "the worker started").to.be.instanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).to.equal("ERR_WORKER_OUT_OF_MEMORY");
    expect((error as Error).message).to.contain("the indexer thread's heap is limited to 4 MB: the maxHeapMb option raises it");
  });
});
