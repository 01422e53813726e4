// The built-in matmul executor: computes the deterministic product defined in matmul-kernel.ts in a worker
// thread, so the daemon keeps answering its gateway and RPC connections during a long multiplication.

import * as os from "node:os";
import type { MatmulExecutorConfig } from "../config";
import type { JobSpec, LoadedSpec, MatmulParams, MatmulSpec } from "../spec";
import type { MatmulThreadReply } from "./matmul-thread";
import type { ResultStore } from "./results";
import { CORE_PER_JOB, CoreShare, coreShareSlowdown, runTimeRefusal } from "./run-time";
import { startThread } from "./threads";
import { ExecutionAbortedError, ExecutionError, ExecutionResult, Executor } from "./types";

/** The thread died or reported a failure (e.g. out of memory). */
export class MatmulThreadError extends ExecutionError {}

/** Compute a matmul result in a worker thread. Terminates the thread and rejects with ExecutionAbortedError on abort. */
export function computeMatmulInThread(
  params: MatmulParams,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; hash: string; computeMs: number }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ExecutionAbortedError("matmul"));
      return;
    }
    const worker = startThread(__dirname, "matmul-thread", { n: params.n, seed: params.seed, rounds: params.rounds });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      action();
    };
    const onAbort = (): void => {
      finish(() => reject(new ExecutionAbortedError("matmul")));
      void worker.terminate();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (reply: MatmulThreadReply) => {
      finish(() =>
        reply.ok ? resolve(reply) : reject(new MatmulThreadError(`matmul thread failed: ${reply.message}`)),
      );
    });
    worker.once("error", (error) =>
      finish(() => reject(new MatmulThreadError(`matmul thread crashed: ${error.message}`, { cause: error }))),
    );
    worker.once("exit", (code) =>
      finish(() => reject(new MatmulThreadError(`matmul thread exited with code ${code} before answering`))),
    );
  });
}

export interface MatmulVerification {
  valid: boolean;
  /** The hash an honest worker submits for this spec. */
  expectedHash: string;
}

/**
 * Re-derive a matmul job's result and compare it with a submitted `resultHash`. Anyone can run this: it needs
 * only the spec (e.g. fetched from the job's specURI) and the hash from the ResultSubmitted event.
 */
export async function verifyMatmulResult(
  spec: MatmulSpec | MatmulParams,
  resultHash: string,
  signal?: AbortSignal,
): Promise<MatmulVerification> {
  const params = "params" in spec ? spec.params : spec;
  const { hash } = await computeMatmulInThread(params, signal);
  return { valid: hash === resultHash.toLowerCase(), expectedHash: hash };
}

/** The kernel's work for a job: each round multiplies matrices padded to a multiple of 4 (matmul-kernel.ts). */
export function matmulMultiplyAdds(params: Pick<MatmulParams, "n" | "rounds">): number {
  const size = Math.ceil(params.n / 4) * 4;
  return size ** 3 * params.rounds;
}

export class MatmulExecutor implements Executor {
  readonly kind = "matmul" as const;

  constructor(
    private readonly config: MatmulExecutorConfig,
    private readonly results: ResultStore,
    // multiplyAddsPerSecond is one job's speed alone on a core: beside more jobs than cores, each gets less.
    private readonly share: CoreShare = CORE_PER_JOB,
  ) {}

  refusalReason(spec: JobSpec, maxDurationSeconds?: number): string | undefined {
    if (spec.kind !== "matmul") return `the matmul executor cannot run a ${spec.kind} job`;
    const { n, rounds } = spec.params;
    if (n > this.config.maxN) return `matrix size ${n} is above executors.builtin.matmul.maxN (${this.config.maxN})`;
    if (maxDurationSeconds === undefined) return undefined;
    const multiplyAdds = matmulMultiplyAdds(spec.params);
    const rate = this.config.multiplyAddsPerSecond;
    const slowdown = coreShareSlowdown(this.share);
    const { concurrentJobs, cores } = this.share;
    const shared = slowdown > 1 ? `, × ${slowdown} for policy.maxConcurrentJobs ${concurrentJobs} on ${cores} cores` : "";
    const estimate =
      `${multiplyAdds} multiply-adds for n=${n}, rounds=${rounds}, at executors.builtin.matmul.multiplyAddsPerSecond ${rate}` +
      shared;
    return runTimeRefusal((multiplyAdds / rate) * slowdown, estimate, maxDurationSeconds, this.config.margin);
  }

  async run(loaded: LoadedSpec, signal: AbortSignal): Promise<ExecutionResult> {
    const { spec } = loaded;
    const refusal = this.refusalReason(spec);
    if (refusal !== undefined || spec.kind !== "matmul") throw new ExecutionError(refusal ?? "not a matmul job");
    const startedAt = new Date();
    const { bytes, hash, computeMs } = await computeMatmulInThread(spec.params, signal);
    const published = await this.results.publish(bytes, hash, signal);
    const { n, rounds } = spec.params;
    return {
      resultBytes: bytes,
      resultHash: published.resultHash,
      resultURI: published.resultURI,
      metrics: {
        device: { type: "cpu", name: os.cpus()[0]?.model ?? "cpu" },
        startedAt: startedAt.toISOString(),
        wallMs: Date.now() - startedAt.getTime(),
        details: { n, rounds, multiplyAdds: n * n * n * rounds, computeMs: Math.round(computeMs) },
      },
    };
  }
}
