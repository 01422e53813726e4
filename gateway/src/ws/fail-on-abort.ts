// A subscription's event stream that the subscription server's stop can end with an error at once, even while the
// stream waits for its next event: graphql-ws only hears of an end through the stream it iterates, and sends the
// client an error only when that stream's next() fails.

/**
 * `stream`, whose next() fails with `reason()` once `signal` aborts (at once if it already has), ending `stream`
 * itself (its return) so that its feed drops it. An event the stream had already handed over is still delivered.
 */
export function failOnAbort<T>(stream: AsyncIterableIterator<T>, signal: AbortSignal, reason: () => unknown): AsyncIterableIterator<T> {
  const end = () => void stream.return?.();
  return {
    next: () => {
      if (signal.aborted) {
        end();
        return Promise.reject(reason());
      }
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        const onAbort = () => {
          end();
          reject(reason());
        };
        signal.addEventListener("abort", onAbort, { once: true });
        stream
          .next()
          .then(resolve, reject)
          .finally(() => signal.removeEventListener("abort", onAbort));
      });
    },
    return: async () => {
      await stream.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error: unknown) => {
      await stream.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** A stream whose first next() fails with `error`: a subscription refused as the server stops. */
export function failedStream<T>(error: unknown): AsyncIterableIterator<T> {
  return {
    next: () => Promise.reject(error),
    return: async () => ({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
