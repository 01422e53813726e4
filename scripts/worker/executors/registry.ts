// Chooses the executor for a spec: by its kind, among the executors the config enables and the kinds the job
// policy accepts.

import * as os from "node:os";
import type { WorkerConfig } from "../config";
import type { JobSpec, JobSpecKind } from "../spec";
import { CommandExecutor } from "./command";
import { MatmulExecutor } from "./matmul";
import type { ResultStore } from "./results";
import type { Executor } from "./types";

/** No enabled executor takes this kind of job, or the policy does not accept it. */
export class NoExecutorError extends Error {
  constructor(readonly kind: JobSpecKind) {
    super(`no enabled executor accepts ${kind} jobs`);
    this.name = "NoExecutorError";
  }
}

export class ExecutorRegistry {
  private readonly byKind = new Map<JobSpecKind, Executor>();

  constructor(executors: Executor[], acceptedKinds: readonly JobSpecKind[]) {
    for (const executor of executors) {
      if (!acceptedKinds.includes(executor.kind)) continue;
      if (this.byKind.has(executor.kind)) throw new RangeError(`two executors for ${executor.kind} jobs`);
      this.byKind.set(executor.kind, executor);
    }
  }

  kinds(): JobSpecKind[] {
    return [...this.byKind.keys()];
  }

  forSpec(spec: JobSpec): Executor {
    const executor = this.byKind.get(spec.kind);
    if (!executor) throw new NoExecutorError(spec.kind);
    return executor;
  }

  /** What runs of a worker that died left on disk, removed (each executor's removeStaleFiles); the paths. */
  async removeStaleFiles(): Promise<string[]> {
    const removed: string[] = [];
    for (const executor of this.byKind.values()) removed.push(...((await executor.removeStaleFiles?.()) ?? []));
    return removed;
  }

  /** The least run time any job may need by the enabled executors' estimates, before its spec is known (seconds). */
  leastRunSeconds(): number {
    const least = [...this.byKind.values()].map((executor) => executor.leastRunSeconds?.() ?? 0);
    return least.length === 0 ? 0 : Math.min(...least);
  }

  /** Why this worker would not run `spec` within `maxDurationSeconds` (when given), or undefined if it would. */
  refusalReason(spec: JobSpec, maxDurationSeconds?: number): string | undefined {
    const executor = this.byKind.get(spec.kind);
    return executor ? executor.refusalReason(spec, maxDurationSeconds) : new NoExecutorError(spec.kind).message;
  }
}

/**
 * The executors `config` enables, restricted to `config.policy.acceptedKinds`; `cores`: how many this machine offers
 * the jobs' threads; `env`: what the command executor's allow-list picks from.
 */
export function buildExecutors(
  config: WorkerConfig,
  results: ResultStore,
  cores: number = os.availableParallelism(),
  env: NodeJS.ProcessEnv = process.env,
): ExecutorRegistry {
  const executors: Executor[] = [];
  const share = { concurrentJobs: config.policy.maxConcurrentJobs, cores };
  if (config.executors.matmul.enabled) executors.push(new MatmulExecutor(config.executors.matmul, results, share));
  if (config.executors.command.enabled) executors.push(new CommandExecutor(config.executors.command, results, env));
  return new ExecutorRegistry(executors, config.policy.acceptedKinds);
}
