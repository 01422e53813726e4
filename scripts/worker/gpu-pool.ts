// Which of the offered GPUs each job has. The registry only counts GPUs in use; without an assignment every job's
// program would start on CUDA's default device, so two concurrent jobs on a 4-GPU machine would share GPU 0 while three
// sat idle. The pool hands each job specific GPUs from the offered set and takes them back however the job ends.

import type { ExecutionDevice } from "./executors/types";
import type { GpuSpecs } from "./gpu";
import { abortReason } from "./retry";

/** The GPUs of the offered set, as a job's program is told them: nvidia-smi's UUIDs where detected, else `0..n-1`. */
export function offeredGpuIds(specs: Pick<GpuSpecs, "uuids" | "gpuCount">): string[] {
  // Only the offered group's UUIDs are listed (GpuSpecs.uuids), so a GPU left out of a mixed machine is never named.
  // config.gpu.gpuCount may offer fewer than were detected: those are the first ones.
  if (specs.uuids.length > 0) return specs.uuids.slice(0, specs.gpuCount);
  return Array.from({ length: specs.gpuCount }, (_, index) => String(index));
}

/**
 * `device` with the GPUs a job was assigned. An executor knows only the ids it was handed (a command job's device is
 * its program's path), so the offered model is added where the run is logged and recorded. A CPU run keeps its device
 * as it is: the GPUs it held went unused.
 */
export function withAssignedGpus(
  device: ExecutionDevice,
  ids: readonly string[] | undefined,
  specs: Pick<GpuSpecs, "model" | "displayName"> | undefined,
): ExecutionDevice {
  if (device.type === "cpu" || ids === undefined || ids.length === 0 || specs === undefined) return device;
  return { ...device, gpus: { ids: [...ids], model: specs.model, displayName: specs.displayName } };
}

/** Not enough of the offered GPUs are free for a job. */
export class GpuAssignmentError extends Error {
  constructor(
    readonly requested: number,
    readonly free: number,
    readonly total: number,
    /** Free GPUs kept for jobs already accepted that wait for GPUs (GpuPool.acquireWhenFree), not counted in `free`. */
    readonly kept = 0,
  ) {
    super(
      requested > total
        ? `needs ${gpus(requested)}, this worker offers ${total}`
        : `needs ${gpus(requested)}, ${free} of the ${total} this worker offers ${free === 1 ? "is" : "are"} free` +
            (kept > 0 ? ` (${kept} more kept for a job already accepted that waits for GPUs)` : ""),
    );
    this.name = "GpuAssignmentError";
  }
}

function gpus(count: number): string {
  return count === 1 ? "1 GPU" : `${count} GPUs`;
}

export class GpuPool {
  private readonly free: string[];
  private readonly held = new Set<string>();
  // Jobs already accepted (resumed after a restart) waiting for GPUs, first come first served (acquireWhenFree).
  private readonly waiters: { count: number; grant: (ids: string[]) => void }[] = [];

  constructor(readonly ids: readonly string[]) {
    if (new Set(ids).size !== ids.length) throw new RangeError(`GPU ids must be distinct: ${ids.join(",")}`);
    this.free = [...ids];
  }

  get freeCount(): number {
    return this.free.length;
  }

  /** How many jobs wait in acquireWhenFree. */
  get waitingCount(): number {
    return this.waiters.length;
  }

  /**
   * `count` distinct free GPUs, lowest first, now held; throws GpuAssignmentError if fewer are free. While a job waits
   * in acquireWhenFree none is given: that job is already accepted, and left without GPUs until its result deadline it
   * is slashed, whereas a job not yet accepted is only passed over.
   */
  acquire(count: number): string[] {
    checkCount(count);
    const kept = this.waiters.length > 0 ? this.free.length : 0;
    if (count > this.free.length - kept) throw new GpuAssignmentError(count, this.free.length - kept, this.ids.length, kept);
    return this.take(count);
  }

  /**
   * `count` GPUs once that many are free, after the jobs that waited before; meanwhile acquire gives none. Rejects with
   * GpuAssignmentError at once if the pool has fewer than `count` in all, and with the signal's reason if it aborts
   * before the GPUs are given.
   */
  acquireWhenFree(count: number, signal: AbortSignal): Promise<string[]> {
    checkCount(count);
    if (count > this.ids.length) return Promise.reject(new GpuAssignmentError(count, this.free.length, this.ids.length));
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.waiters.length === 0 && count <= this.free.length) return Promise.resolve(this.take(count));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(abortReason(signal));
        // The first in line may have been what kept the next ones waiting.
        this.grantWaiting();
      };
      const waiter = {
        count,
        grant: (ids: string[]): void => {
          signal.removeEventListener("abort", onAbort);
          resolve(ids);
        },
      };
      this.waiters.push(waiter);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Frees `ids`; any not held (released twice) is ignored. */
  release(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.held.delete(id)) this.free.push(id);
    }
    this.grantWaiting();
  }

  private grantWaiting(): void {
    while (this.waiters.length > 0 && this.waiters[0].count <= this.free.length) {
      const waiter = this.waiters.shift() as (typeof this.waiters)[number];
      waiter.grant(this.take(waiter.count));
    }
  }

  private take(count: number): string[] {
    // The pool's order, not the order of release: a job then gets the same GPUs as a run before it, which keeps a
    // machine's use (and the operator's reading of nvidia-smi) predictable.
    this.free.sort((a, b) => this.ids.indexOf(a) - this.ids.indexOf(b));
    const taken = this.free.splice(0, count);
    for (const id of taken) this.held.add(id);
    return taken;
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`cannot assign ${count} GPUs`);
}
