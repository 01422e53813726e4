// The seam between the job loop and whatever runs a job. An executor turns a verified spec into result bytes,
// publishes them (ResultStore) and says what ran it, so a GPU implementation can slot in beside the CPU one.

import type { JobSpec, JobSpecKind, LoadedSpec } from "../spec";

/** What executed a job. `external`: the provider's own program, which may use any device. */
export interface ExecutionDevice {
  type: "cpu" | "gpu" | "external";
  /** e.g. the CPU model, the GPU name, or the program's path. */
  name: string;
  /**
   * The GPUs the worker assigned the job (GpuPool): their ids as the job was told them (nvidia-smi UUIDs, else
   * indices) and the offered model. Absent on a CPU run and where the worker keeps no pool.
   */
  gpus?: { ids: string[]; model: string; displayName: string };
}

export interface ExecutionMetrics {
  device: ExecutionDevice;
  /** ISO-8601 time the executor started. */
  startedAt: string;
  wallMs: number;
  /** Executor-specific figures (matmul: n, rounds, multiplyAdds, computeMs; command: stdoutBytes, stderrBytes). */
  details: Record<string, number | string>;
}

export interface ExecutionResult {
  /** The result document; `resultHash = keccak256(resultBytes)`. */
  resultBytes: Uint8Array;
  /** 0x-prefixed 32-byte hex, as submitted on-chain. */
  resultHash: string;
  /** Where the result document can be read: a data: URI, or a file/public URL (see ResultStore). */
  resultURI: string;
  metrics: ExecutionMetrics;
}

export interface Executor {
  readonly kind: JobSpecKind;
  /**
   * Why this executor would not run `spec` (e.g. a matrix above the provider's limit, or a run that may outlast
   * `maxDurationSeconds`, the job's), or undefined if it would. Asked before the job is accepted, so a job it cannot
   * run is never taken. Without `maxDurationSeconds` the run time is not judged (a job already accepted).
   */
  refusalReason(spec: JobSpec, maxDurationSeconds?: number): string | undefined;
  /**
   * The run time this executor's estimate gives every job, whatever its spec (seconds); absent: no such floor. A job in
   * hand whose spec cannot be fetched is given up once that much no longer fits before its result deadline.
   */
  leastRunSeconds?(): number;
  /**
   * Run the job. Rejects with ExecutionAbortedError soon after `signal` aborts. `gpus`: the GPUs the worker assigned
   * the job (GpuPool), held for it until the job ends; absent where the worker keeps no pool.
   */
  run(spec: LoadedSpec, signal: AbortSignal, gpus?: readonly string[]): Promise<ExecutionResult>;
  /**
   * Removes what runs of a worker that died left on disk (or of an older worker, once no run of it can still be paid),
   * returning the paths; called once, at start.
   */
  removeStaleFiles?(): Promise<string[]>;
}

export class ExecutionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ExecutionAbortedError extends ExecutionError {
  constructor(readonly kind: JobSpecKind) {
    super(`the ${kind} job was aborted`);
  }
}
