// The log lines of a condition met again and again while it lasts: a pass failing at every poll (the node down), a
// node behind the checkpoint at every poll, a provider's rate limit at every few requests. A line each would bury
// everything else in the log and say nothing new after the first: a line when it begins, when it changes to what was
// not logged within an interval, once an interval while it stays the same, and one when it ends. The callers write
// the lines; this decides when.

/** How long a condition that keeps recurring, unchanged, stays out of the log after it was logged. */
export const REPORT_INTERVAL_MS = 60_000;

/** Why an occurrence is worth a line. */
export type Occurrence =
  /** The first since the condition began (or ended last). */
  | { readonly kind: "began" }
  /**
   * Another key than the last occurrence's, not logged within the interval; `unlogged`: occurrences of the last key
   * after its line, not logged.
   */
  | { readonly kind: "changed"; readonly unlogged: number }
  /**
   * The last occurrence's key, an interval or more after its line: `count` occurrences of it since that line (this one
   * included), over `sinceLoggedMs`; the condition has lasted `lastedMs`.
   */
  | { readonly kind: "lasting"; readonly count: number; readonly sinceLoggedMs: number; readonly lastedMs: number };

/** The condition ended after `count` occurrences over `lastedMs`. */
export interface Ended {
  readonly count: number;
  readonly lastedMs: number;
}

/** A key's last line and its occurrences since, not logged. */
interface Logged {
  at: number;
  unlogged: number;
}

export class Recurring {
  /** The key of the last occurrence; null while the condition does not hold. */
  private last: string | null = null;
  /**
   * The keys logged within the interval (and the last one), by key. Two keys that alternate (a node that closes a
   * connection one way at one pass and another way at the next) are each logged once an interval, not at every change.
   */
  private readonly logged = new Map<string, Logged>();
  private beganAt = 0;
  private total = 0;

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = REPORT_INTERVAL_MS,
  ) {}

  /** The condition holds again, as `key` (what would make a line differ): why to log it, or null not to. */
  occurred(key: string): Occurrence | null {
    const now = this.now();
    this.total++;
    const last = this.last;
    this.last = key;
    if (last === null) {
      this.beganAt = now;
      return this.log(key, now, { kind: "began" });
    }
    const line = this.logged.get(key);
    if (line !== undefined && now - line.at < this.intervalMs) {
      line.unlogged++;
      return null;
    }
    if (key !== last) return this.log(key, now, { kind: "changed", unlogged: this.logged.get(last)?.unlogged ?? 0 });
    // key === last, so its line is there (the last key's is never pruned), an interval or more ago.
    const since = line as Logged;
    return this.log(key, now, { kind: "lasting", count: since.unlogged + 1, sinceLoggedMs: now - since.at, lastedMs: now - this.beganAt });
  }

  /** The condition no longer holds: how long it lasted, or null when it did not hold. */
  ended(): Ended | null {
    if (this.last === null) return null;
    const ended = { count: this.total, lastedMs: this.now() - this.beganAt };
    this.last = null;
    this.total = 0;
    this.logged.clear();
    return ended;
  }

  private log(key: string, now: number, occurrence: Occurrence): Occurrence {
    // Lines older than the interval no longer hold a key back: forgotten, so that the map holds at most the keys of
    // one interval's lines.
    for (const [logged, line] of this.logged) if (logged !== key && now - line.at >= this.intervalMs) this.logged.delete(logged);
    this.logged.set(key, { at: now, unlogged: 0 });
    return occurrence;
  }
}

/** A duration for a log line: whole seconds. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
