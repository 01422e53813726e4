// A short-lived piece of work (an outgoing request, a WebSocket operation, a hub's shared read) has a signal of its
// own that also aborts when any of its parents does (a stopping gateway, a source closing): aborting the parent ends
// the work, while aborting the work leaves the parent, and the other work following it, alone.

export interface FollowedSignal {
  /** Aborted by abort(), or as soon as any parent aborts (at once for one aborted already). */
  readonly signal: AbortSignal;
  /** Aborts the signal, and releases it. */
  abort(): void;
  /**
   * Stops listening on the parents; call once the work has ended, however it ended. A listener per piece of work left
   * on a long-lived parent would pile up for as long as the parent lives.
   */
  release(): void;
}

/** A signal following `parents` (undefined ones are skipped). */
export function followSignal(parents: readonly (AbortSignal | undefined)[]): FollowedSignal {
  const controller = new AbortController();
  const followed = parents.filter((parent): parent is AbortSignal => parent !== undefined);
  const release = (): void => {
    for (const parent of followed) parent.removeEventListener("abort", abort);
  };
  const abort = (): void => {
    release();
    controller.abort();
  };
  for (const parent of followed) {
    if (parent.aborted) {
      abort();
      break;
    }
    parent.addEventListener("abort", abort, { once: true });
  }
  return { signal: controller.signal, abort, release };
}
