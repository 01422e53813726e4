// A push-to-pull queue: the subscription hub pushes, graphql-ws pulls with `for await`. Ending the iteration (the
// client unsubscribed or went away) runs `onClose`, which removes the subscriber from the hub.
import { subscriberTooSlow } from "../errors";

/** Most undelivered values a channel holds, unless its creator says otherwise. */
export const DEFAULT_MAX_QUEUED = 1000;

export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private failure: { error: unknown } | null = null;
  private rejecters: ((error: unknown) => void)[] = [];
  private closed = false;

  constructor(
    private readonly onClose: () => void,
    /** Most undelivered values before the subscriber is cut off as too slow. */
    private readonly maxQueued = DEFAULT_MAX_QUEUED,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  push(value: T): void {
    if (this.closed) return;
    const resolve = this.waiting.shift();
    if (resolve !== undefined) {
      this.rejecters.shift();
      resolve({ value, done: false });
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.fail(subscriberTooSlow(this.maxQueued));
      return;
    }
    this.queue.push(value);
  }

  /**
   * Ends the stream without error: the values already queued are still delivered, then the reader sees the end (and
   * graphql-ws completes the operation, freeing its subscription slot).
   */
  end(): void {
    if (this.closed) return;
    // A reader waiting has nothing queued before it (push hands values straight to waiters): it sees the end now.
    for (const resolve of this.waiting) resolve({ value: undefined, done: true });
    this.waiting.length = 0;
    this.rejecters = [];
    this.finish();
  }

  /** Ends the stream with an error (delivered after the values already queued). */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    const waiters = this.rejecters;
    this.waiting.length = 0;
    this.rejecters = [];
    // A waiting consumer gets the error now; otherwise the next call to next() does.
    if (waiters.length > 0) this.failure = null;
    for (const reject of waiters) reject(error);
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure !== null) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.rejecters.push(reject);
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    for (const resolve of this.waiting) resolve({ value: undefined, done: true });
    this.waiting.length = 0;
    this.rejecters = [];
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
