// When one outgoing request (a subgraph query, a chain read) ends unanswered: at its timeout, or as soon as any of the
// signals of those who may give it up aborts (a stopping gateway).
export class RequestDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private expired = false;
  private readonly givers: AbortSignal[];
  private readonly giveUp = (): void => this.controller.abort();

  /** `givers`' signals are long-lived (a source's, a head watcher's): undefined ones are skipped. */
  constructor(
    readonly timeoutMs: number,
    givers: readonly (AbortSignal | undefined)[] = [],
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, timeoutMs);
    // The request's own socket keeps the process alive while it waits; the timer must not outlive it.
    this.timer.unref();
    this.givers = givers.filter((signal): signal is AbortSignal => signal !== undefined);
    for (const signal of this.givers) {
      if (signal.aborted) this.controller.abort();
      // Removed by dispose(): a listener per request left on a source's signal would pile up for as long as it lives.
      else signal.addEventListener("abort", this.giveUp, { once: true });
    }
  }

  /** Aborted at the timeout, or when a giver gave the request up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.expired;
  }

  /** Aborted by a giver, not by the timeout. */
  get givenUp(): boolean {
    return this.controller.signal.aborted && !this.expired;
  }

  /** Call once the request has ended, however it ended. */
  dispose(): void {
    clearTimeout(this.timer);
    for (const signal of this.givers) signal.removeEventListener("abort", this.giveUp);
  }
}
