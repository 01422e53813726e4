// Waiting on something that cannot itself be cancelled (a provider's request, a read of a transport without abort())
// must still end when a stop aborts it: a stop does not wait for what it gives up.
import { setMaxListeners } from "node:events";

/**
 * `promise`, or `aborted()`'s error as soon as `signal` is aborted; what is left of `promise` then ends unheard (its
 * rejection is caught, not reported as unhandled).
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, aborted: () => Error): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(aborted());
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}

/**
 * `run` with a signal aborted as soon as `own` or `given` is (just `own` when none is given); the signal stops
 * listening to both once `run` ends: `own` may be a transport's, which lives as long as the transport does.
 */
export async function withEitherSignal<T>(own: AbortSignal, given: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (given === undefined || given === own) return run(own);
  const either = new AbortController();
  // It stands for `own` to everything `run` starts, a batch's requests each listening: as many as `own` may have.
  setMaxListeners(0, either.signal);
  const abort = (): void => either.abort();
  if (own.aborted || given.aborted) either.abort();
  own.addEventListener("abort", abort, { once: true });
  given.addEventListener("abort", abort, { once: true });
  try {
    return await run(either.signal);
  } finally {
    own.removeEventListener("abort", abort);
    given.removeEventListener("abort", abort);
  }
}

/**
 * The abort() and close() of a transport, or of the indexer's view of one (ScopedRpc). Each request takes the signal
 * of the moment it begins: abort() ends those, and gives the requests begun after it a new one; close() ends them all,
 * and leaves its signal aborted for good.
 */
export class Aborts {
  private controller = Aborts.controller();
  private closed = false;

  // Every request in flight listens to it (a prefetch's batches, a fetch's reads): Node warns of a leak past ten.
  private static controller(): AbortController {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(): void {
    this.controller.abort();
    if (!this.closed) this.controller = Aborts.controller();
  }

  close(): void {
    this.closed = true;
    this.controller.abort();
  }
}
