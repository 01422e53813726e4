// Whether a job's worst-case run time fits in its maxDuration. The run is stopped at maxDuration (daemon.ts) and a job
// without a result by its deadline is slashed, so one that cannot finish in time is refused before it is accepted: a
// client could otherwise post such jobs on purpose and collect the slash.

/**
 * What is kept free of the estimate: `seconds` for what happens between the acceptance and the start of the run (the
 * acceptance's receipt, the chain's time, the spec) and `fraction` of the estimate for how far it may be off (another
 * job or program sharing the CPU, a slower machine than the figure was measured on).
 */
export interface RunTimeMargin {
  seconds: number;
  fraction: number;
}

export const DEFAULT_RUN_TIME_MARGIN: RunTimeMargin = { seconds: 30, fraction: 0.25 };

/**
 * How the jobs share the machine: up to `concurrentJobs` (policy.maxConcurrentJobs) run at once, each on one thread, on
 * `cores` (os.availableParallelism()).
 */
export interface CoreShare {
  concurrentJobs: number;
  cores: number;
}

/** What a throughput measured with one job on one thread (bench.ts) holds for. */
export const CORE_PER_JOB: CoreShare = { concurrentJobs: 1, cores: 1 };

/**
 * How many times longer than alone on a core a single-threaded job may take: 1 while every job can have a core of its
 * own, else `concurrentJobs / cores`, since the operating system then splits the cores evenly between the jobs' threads.
 */
export function coreShareSlowdown(share: CoreShare): number {
  return Math.max(1, share.concurrentJobs / Math.max(1, share.cores));
}

/** Why a job estimated to run `worstCaseSeconds` (`estimate` says how that was found) does not fit, or undefined. */
export function runTimeRefusal(
  worstCaseSeconds: number,
  estimate: string,
  maxDurationSeconds: number,
  margin: RunTimeMargin,
): string | undefined {
  const neededSeconds = worstCaseSeconds * (1 + margin.fraction) + margin.seconds;
  if (neededSeconds <= maxDurationSeconds) return undefined;
  return (
    `may need ${formatSeconds(worstCaseSeconds)} s (${estimate}), ${formatSeconds(neededSeconds)} s with the margin ` +
    `(executors.runTimeMargin: ${margin.seconds} s + ${margin.fraction * 100}%), above the job's maxDuration ` +
    `(${maxDurationSeconds} s)`
  );
}

function formatSeconds(seconds: number): string {
  return seconds >= 10 ? Math.ceil(seconds).toString() : seconds.toFixed(1);
}
