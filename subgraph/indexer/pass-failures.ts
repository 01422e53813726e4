// The log lines of run()'s failed passes. While the node is down or refuses every request, a pass fails at each poll
// (every second by default): a line each would bury everything else in the log and say nothing new after the first.
import { Recurring, REPORT_INTERVAL_MS, seconds } from "./recurring";

/** How long an error that keeps failing passes, unchanged, stays out of the log after it was logged. */
export const FAILURE_REPORT_INTERVAL_MS = REPORT_INTERVAL_MS;

export class PassFailures {
  private readonly failures: Recurring;

  constructor(now: () => number, intervalMs = FAILURE_REPORT_INTERVAL_MS) {
    this.failures = new Recurring(now, intervalMs);
  }

  /** A pass failed with `message`: the line to log, or null when that message was logged within the interval. */
  failed(message: string): string | null {
    const occurrence = this.failures.occurred(message);
    if (occurrence === null) return null;
    switch (occurrence.kind) {
      case "began":
        return `indexing pass failed, retrying: ${message}`;
      case "lasting":
        return `indexing pass still failing, ${passes(occurrence.count)} in ${seconds(occurrence.sinceLoggedMs)}, retrying: ${message}`;
      case "changed": {
        const more = occurrence.unlogged === 1 ? "1 more pass" : `${occurrence.unlogged} more passes`;
        const before = occurrence.unlogged > 0 ? ` (the previous error failed ${more} after it was logged)` : "";
        return `indexing pass failed, retrying: ${message}${before}`;
      }
    }
  }

  /** A pass succeeded: the recovery line after failures, or null when the last pass succeeded too. */
  succeeded(): string | null {
    const ended = this.failures.ended();
    return ended === null ? null : `indexing pass succeeded after ${passes(ended.count)} in ${seconds(ended.lastedMs)}: indexing resumes`;
  }
}

function passes(n: number): string {
  return n === 1 ? "1 failed pass" : `${n} failed passes`;
}
