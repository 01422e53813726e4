import type { RestartPolicy } from "./protocol";

/**
 * When to start a thread again after it died: `initialDelayMs`, doubling up to `maxDelayMs` while it keeps dying. A
 * thread that ran `maxDelayMs` or longer before it died starts the backoff over. Shared by the indexer's worker and
 * the gateway's query thread, so that the two behave alike.
 */
export class RestartBackoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private delayMs: number;
  private startedAt = Date.now();

  constructor(policy: RestartPolicy = {}) {
    this.initialDelayMs = policy.initialDelayMs ?? 1000;
    this.maxDelayMs = Math.max(policy.maxDelayMs ?? 60_000, this.initialDelayMs);
    this.delayMs = this.initialDelayMs;
  }

  /** A thread starts now. */
  started(): void {
    this.startedAt = Date.now();
  }

  /** The thread died: how long to wait before the next start. */
  next(): number {
    if (Date.now() - this.startedAt >= this.maxDelayMs) this.delayMs = this.initialDelayMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
    return delay;
  }
}
