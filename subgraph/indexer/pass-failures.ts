// The log lines of run()'s failed passes. While the node is down or refuses every request, a pass fails at each poll
// (every second by default): a line each would bury everything else in the log and say nothing new after the first.

/** How long an error that keeps failing passes, unchanged, stays out of the log after it was logged. */
export const FAILURE_REPORT_INTERVAL_MS = 60_000;

export class PassFailures {
  /** The error of the last line logged; null while passes succeed. */
  private last: string | null = null;
  private firstAt = 0;
  private loggedAt = 0;
  /** Failed passes since the last success. */
  private total = 0;
  /** Failed passes since the last line, not logged. */
  private quiet = 0;

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = FAILURE_REPORT_INTERVAL_MS,
  ) {}

  /** A pass failed with `message`: the line to log, or null when it repeats the last one within the interval. */
  failed(message: string): string | null {
    const now = this.now();
    this.total++;
    if (this.last === null) {
      this.firstAt = now;
      return this.logged(message, now, `indexing pass failed, retrying: ${message}`);
    }
    if (message === this.last) {
      if (now - this.loggedAt < this.intervalMs) {
        this.quiet++;
        return null;
      }
      const line = `indexing pass still failing, ${passes(this.quiet + 1)} in ${seconds(now - this.loggedAt)}, retrying: ${message}`;
      return this.logged(message, now, line);
    }
    const more = this.quiet === 1 ? "1 more pass" : `${this.quiet} more passes`;
    const before = this.quiet > 0 ? ` (the previous error failed ${more} after it was logged)` : "";
    return this.logged(message, now, `indexing pass failed, retrying: ${message}${before}`);
  }

  /** A pass succeeded: the recovery line after failures, or null when the last pass succeeded too. */
  succeeded(): string | null {
    if (this.last === null) return null;
    const line = `indexing pass succeeded after ${passes(this.total)} in ${seconds(this.now() - this.firstAt)}: indexing resumes`;
    this.last = null;
    this.total = 0;
    this.quiet = 0;
    return line;
  }

  private logged(message: string, now: number, line: string): string {
    this.last = message;
    this.loggedAt = now;
    this.quiet = 0;
    return line;
  }
}

function passes(n: number): string {
  return n === 1 ? "1 failed pass" : `${n} failed passes`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
