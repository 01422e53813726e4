import { expect } from "chai";
import { GpuAssignmentError, GpuPool, offeredGpuIds, withAssignedGpus } from "../../../scripts/worker/gpu-pool";

describe("GPU pool", () => {
  it("offers nvidia-smi's UUIDs where detected, indices 0..n-1 where the config alone gives the count", () => {
    expect(offeredGpuIds({ uuids: ["GPU-a", "GPU-b"], gpuCount: 2 })).to.deep.equal(["GPU-a", "GPU-b"]);
    expect(offeredGpuIds({ uuids: [], gpuCount: 3 })).to.deep.equal(["0", "1", "2"]);
  });

  it("offers only the first config.gpu.gpuCount of the detected GPUs when the config offers fewer", () => {
    expect(offeredGpuIds({ uuids: ["GPU-a", "GPU-b", "GPU-c"], gpuCount: 2 })).to.deep.equal(["GPU-a", "GPU-b"]);
  });

  it("adds a job's GPUs and the offered model to a program's or GPU run's device, not to a CPU run's", () => {
    const specs = { model: "h200-141gb", displayName: "NVIDIA H200" };
    const gpus = { ids: ["GPU-a"], model: "h200-141gb", displayName: "NVIDIA H200" };
    expect(withAssignedGpus({ type: "external", name: "/opt/job" }, ["GPU-a"], specs)).to.deep.equal({ type: "external", name: "/opt/job", gpus });
    expect(withAssignedGpus({ type: "gpu", name: "H200" }, ["GPU-a"], specs)).to.deep.equal({ type: "gpu", name: "H200", gpus });
    expect(withAssignedGpus({ type: "cpu", name: "EPYC" }, ["GPU-a"], specs)).to.deep.equal({ type: "cpu", name: "EPYC" });
    expect(withAssignedGpus({ type: "external", name: "/opt/job" }, undefined, undefined)).to.deep.equal({ type: "external", name: "/opt/job" });
  });

  it("gives each job exactly the GPUs it asks for, distinct from every other job's", () => {
    const pool = new GpuPool(["0", "1", "2", "3"]);
    const first = pool.acquire(3);
    const second = pool.acquire(1);
    expect(first).to.deep.equal(["0", "1", "2"]);
    expect(second).to.deep.equal(["3"]);
    expect(pool.freeCount).to.equal(0);
  });

  it("refuses more GPUs than are free, naming how many are", () => {
    const pool = new GpuPool(["0", "1"]);
    pool.acquire(1);
    expect(() => pool.acquire(2))
      .to.throw(GpuAssignmentError, "needs 2 GPUs, 1 of the 2 this worker offers is free")
      .that.includes({ requested: 2, free: 1, total: 2 });
  });

  it("refuses more GPUs than it offers, naming how many it offers", () => {
    expect(() => new GpuPool(["0"]).acquire(2))
      .to.throw(GpuAssignmentError, /^needs 2 GPUs, this worker offers 1$/)
      .that.includes({ requested: 2, free: 1, total: 1 });
  });

  it("takes released GPUs back once, lowest first at the next assignment", () => {
    const pool = new GpuPool(["0", "1", "2"]);
    const first = pool.acquire(2);
    pool.release(first);
    pool.release(first);
    expect(pool.freeCount).to.equal(3);
    expect(pool.acquire(3)).to.deep.equal(["0", "1", "2"]);
  });

  it("gives a waiting job its GPUs once enough are released, ahead of any job asking meanwhile", async () => {
    const pool = new GpuPool(["0", "1"]);
    const first = pool.acquire(1);
    const waiting = pool.acquireWhenFree(2, new AbortController().signal);
    expect(pool.waitingCount).to.equal(1);
    expect(() => pool.acquire(1))
      .to.throw(GpuAssignmentError, "needs 1 GPU, 0 of the 2 this worker offers are free (1 more kept for a job already accepted that waits for GPUs)")
      .that.includes({ requested: 1, free: 0, total: 2, kept: 1 });
    pool.release(first);
    expect(await waiting).to.deep.equal(["0", "1"]);
    expect(pool.waitingCount).to.equal(0);
  });

  it("gives waiting jobs their GPUs in the order they asked", async () => {
    const pool = new GpuPool(["0", "1"]);
    const held = pool.acquire(2);
    const granted: string[][] = [];
    const first = pool.acquireWhenFree(2, new AbortController().signal).then((ids) => granted.push(ids));
    const second = pool.acquireWhenFree(1, new AbortController().signal).then((ids) => granted.push(ids));
    pool.release([held[1]]);
    pool.release([held[0]]);
    await first;
    expect(granted).to.deep.equal([["0", "1"]]);
    pool.release(["1"]);
    await second;
    expect(granted).to.deep.equal([["0", "1"], ["1"]]);
  });

  it("stops a job's wait when its signal aborts, and lets the next waiting job have what is free", async () => {
    const pool = new GpuPool(["0", "1"]);
    pool.acquire(1);
    const controller = new AbortController();
    const first = pool.acquireWhenFree(2, controller.signal);
    const second = pool.acquireWhenFree(1, new AbortController().signal);
    controller.abort(new Error("stopping"));
    expect(await first.catch((error: unknown) => error)).to.have.property("message", "stopping");
    expect(await second).to.deep.equal(["1"]);
    expect(pool.freeCount).to.equal(0);
  });

  it("refuses at once to wait for more GPUs than it offers", async () => {
    const refusal = await new GpuPool(["0"]).acquireWhenFree(2, new AbortController().signal).catch((error: unknown) => error);
    expect(refusal).to.be.instanceOf(GpuAssignmentError).and.have.property("message", "needs 2 GPUs, this worker offers 1");
  });
});
