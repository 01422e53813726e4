import type { RestartPolicy } from "./protocol";

const DEFAULT_INITIAL_DELAY_MS = 1000;
const DEFAULT_MAX_DELAY_MS = 60_000;

/**
 * When to start a thread again after it died: `initialDelayMs`, doubling up to `maxDelayMs` while it keeps dying. A
 * thread that ran `maxDelayMs` or longer before it died starts the backoff over. Shared by the indexer's worker and
 * the gateway's query thread, so that the two behave alike. The delays are not checked here: IndexerWorker refuses
 * those it cannot honour (checkWorkerOptions), the gateway the same for its query thread.
 */
export class RestartBackoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private delayMs: number;
  private startedAt: number;

  /** `now`: the clock a thread's run time is read from (tests give one they advance). */
  constructor(
    policy: RestartPolicy = {},
    private readonly now: () => number = Date.now,
  ) {
    // Only one delay given: the other's default is brought to it, so that the one given is honoured as it is.
    this.initialDelayMs = policy.initialDelayMs ?? Math.min(DEFAULT_INITIAL_DELAY_MS, policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
    this.maxDelayMs = Math.max(policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, this.initialDelayMs);
    this.delayMs = this.initialDelayMs;
    this.startedAt = now();
  }

  /** A thread starts now. */
  started(): void {
    this.startedAt = this.now();
  }

  /** The thread died: how long to wait before the next start. */
  next(): number {
    if (this.now() - this.startedAt >= this.maxDelayMs) this.delayMs = this.initialDelayMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
    return delay;
  }
}
