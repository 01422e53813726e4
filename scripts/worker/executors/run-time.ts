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
