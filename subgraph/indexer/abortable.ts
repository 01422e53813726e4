// Waiting on something that cannot itself be cancelled (a provider's request, a read of a transport without abort())
// must still end when a stop aborts it: a stop does not wait for what it gives up.

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
