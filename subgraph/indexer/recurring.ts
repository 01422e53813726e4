// The log lines of a condition met again and again while it lasts: a pass failing at every poll (the node down), a
// node behind the checkpoint at every poll, a provider's rate limit at every few requests. A line each would bury
// everything else in the log and say nothing new after the first: a line when it begins, when it changes, once an
// interval while it stays the same, and one when it ends. The callers write the lines; this decides when.

/** How long a condition that keeps recurring, unchanged, stays out of the log after it was logged. */
export const REPORT_INTERVAL_MS = 60_000;

/** Why an occurrence is worth a line. */
export type Occurrence =
  /** The first since the condition began (or ended last). */
  | { readonly kind: "began" }
  /** Another key than the last line's; `unlogged`: occurrences of that key after its line, not logged. */
  | { readonly kind: "changed"; readonly unlogged: number }
  /**
   * The last line's key, an interval or more after it: `count` occurrences since that line (this one included), over
   * `sinceLoggedMs`; the condition has lasted `lastedMs`.
   */
  | { readonly kind: "lasting"; readonly count: number; readonly sinceLoggedMs: number; readonly lastedMs: number };

/** The condition ended after `count` occurrences over `lastedMs`. */
export interface Ended {
  readonly count: number;
  readonly lastedMs: number;
}

export class Recurring {
  /** The key of the last line; null while the condition does not hold. */
  private last: string | null = null;
  private beganAt = 0;
  private loggedAt = 0;
  private total = 0;
  private unlogged = 0;

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = REPORT_INTERVAL_MS,
  ) {}

  /** The condition holds again, as `key` (what would make a line differ): why to log it, or null not to. */
  occurred(key: string): Occurrence | null {
    const now = this.now();
    this.total++;
    if (this.last === null) {
      this.beganAt = now;
      return this.logged(key, now, { kind: "began" });
    }
    if (key !== this.last) return this.logged(key, now, { kind: "changed", unlogged: this.unlogged });
    if (now - this.loggedAt < this.intervalMs) {
      this.unlogged++;
      return null;
    }
    return this.logged(key, now, { kind: "lasting", count: this.unlogged + 1, sinceLoggedMs: now - this.loggedAt, lastedMs: now - this.beganAt });
  }

  /** The condition no longer holds: how long it lasted, or null when it did not hold. */
  ended(): Ended | null {
    if (this.last === null) return null;
    const ended = { count: this.total, lastedMs: this.now() - this.beganAt };
    this.last = null;
    this.total = 0;
    this.unlogged = 0;
    return ended;
  }

  private logged(key: string, now: number, occurrence: Occurrence): Occurrence {
    this.last = key;
    this.loggedAt = now;
    this.unlogged = 0;
    return occurrence;
  }
}

/** A duration for a log line: whole seconds. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
