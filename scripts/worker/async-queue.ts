// A buffer between a push-style producer (a graphql-ws sink) and a pull-style consumer (an async generator):
// items pushed while nobody is waiting are kept in order; a failure or the end is delivered after them. With a limit,
// a push onto a full buffer drops its oldest item: the producer cannot be made to wait, and without one a burst
// would grow the buffer without bound.

export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private failure: { error: unknown } | undefined;
  private ended = false;

  /** `limit`: the most items kept; `onDrop` is called with each item dropped to make room. */
  constructor(private readonly limit = Infinity, private readonly onDrop?: (item: T) => void) {
    if (!(limit >= 1)) throw new RangeError(`an AsyncQueue keeps at least one item, not ${limit}`);
  }

  push(item: T): void {
    if (this.ended || this.failure !== undefined) return;
    this.items.push(item);
    if (this.items.length > this.limit) this.onDrop?.(this.items.shift() as T);
    this.wake();
  }

  /** No more items: iteration ends once the buffered ones are taken. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Iteration throws `error` once the buffered items are taken. Only the first failure counts. */
  fail(error: unknown): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = { error };
    this.wake();
  }

  /** The items in order until end() or fail(), or until `signal` aborts (then it simply ends). */
  async *drain(signal: AbortSignal): AsyncGenerator<T> {
    const onAbort = (): void => this.wake();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted) return;
        const item = this.items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.failure !== undefined) throw this.failure.error;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
