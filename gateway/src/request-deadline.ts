// When one outgoing request (a subgraph query, a chain read) ends unanswered: at its timeout, or as soon as any of the
// signals of those who may give it up aborts (a stopping gateway).
import { followSignal, type FollowedSignal } from "./follow-signal";

export class RequestDeadline {
  private readonly followed: FollowedSignal;
  private readonly timer: NodeJS.Timeout;
  private expired = false;

  /** `givers`' signals are long-lived (a source's, a head watcher's): undefined ones are skipped. */
  constructor(
    readonly timeoutMs: number,
    givers: readonly (AbortSignal | undefined)[] = [],
  ) {
    this.followed = followSignal(givers);
    this.timer = setTimeout(() => {
      // Given up first: the request ends as given up, even if the timer fires before the request's owner disposes.
      if (this.followed.signal.aborted) return;
      this.expired = true;
      this.followed.abort();
    }, timeoutMs);
    // The request's own socket keeps the process alive while it waits; the timer must not outlive it.
    this.timer.unref();
  }

  /** Aborted at the timeout, or when a giver gave the request up. */
  get signal(): AbortSignal {
    return this.followed.signal;
  }

  get timedOut(): boolean {
    return this.expired;
  }

  /** Aborted by a giver, not by the timeout. */
  get givenUp(): boolean {
    return this.followed.signal.aborted && !this.expired;
  }

  /** Call once the request has ended, however it ended. */
  dispose(): void {
    clearTimeout(this.timer);
    this.followed.release();
  }
}
