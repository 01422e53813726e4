// Query results are a function of the query and the indexed block, so they are cached until the indexed head
// advances; concurrent identical queries share one request. Under load most requests then cost no source query at
// all, and a burst of dashboards asking the same thing costs one.
//
// When the head advances, the first request for a query waits for the new block's answer; requests for the same
// query that arrive while that answer is being fetched get the previous block's answer at once, instead of queuing
// behind the fetch (stale-while-refreshing). No answer is ever more than one block old, and only for the few
// milliseconds a refresh takes; a client asking one query after another always sees the new block.
import type { Logger } from "../logger";
import type { SourceKind, SubgraphSource, Variables } from "./source";

export interface CachingSourceOptions {
  /** Most results kept (default 1000); the oldest go first. */
  maxEntries?: number;
  /** Answer from the previous block while the new block's answer is in flight (default true). */
  staleWhileRefreshing?: boolean;
  logger: Logger;
}

interface Entry {
  promise: Promise<unknown>;
  settled: boolean;
}

export class CachingSubgraphSource implements SubgraphSource {
  readonly kind: SourceKind;
  private entries = new Map<string, Entry>();
  /** The previous block's settled answers, kept only to bridge the refreshes. */
  private previous = new Map<string, Promise<unknown>>();
  private readonly maxEntries: number;
  private readonly staleWhileRefreshing: boolean;
  /** Requests that reached the underlying source (for logs and the batching tests). */
  misses = 0;

  constructor(
    readonly inner: SubgraphSource,
    private readonly options: CachingSourceOptions,
  ) {
    this.kind = inner.kind;
    this.maxEntries = options.maxEntries ?? 1000;
    this.staleWhileRefreshing = options.staleWhileRefreshing ?? true;
  }

  request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    const key = `${query}\u0000${JSON.stringify(variables)}`;
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      const stale = cached.settled || !this.staleWhileRefreshing ? undefined : this.previous.get(key);
      return (stale ?? cached.promise) as Promise<TData>;
    }
    const started = Date.now();
    this.misses += 1;
    const entry: Entry = { promise: Promise.resolve(), settled: false };
    entry.promise = this.inner.request<TData>(query, variables).then(
      (data) => {
        entry.settled = true;
        this.options.logger.debug("source query", { durationMs: Date.now() - started, query: summarise(query) });
        return data;
      },
      (error: unknown) => {
        // Failures are not cached: the next request tries again.
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry.promise as Promise<TData>;
  }

  /**
   * Forgets every result: the indexed head advanced. Requests in flight keep their promise but are no longer
   * shared with requests made from now on; settled answers stay available to bridge the refreshes.
   */
  invalidate(): void {
    const previous = new Map<string, Promise<unknown>>();
    if (this.staleWhileRefreshing) {
      for (const [key, entry] of this.entries) if (entry.settled) previous.set(key, entry.promise);
    }
    this.previous = previous;
    this.entries = new Map();
  }

  onIndexed(listener: (blockNumber: number) => void): () => void {
    return this.inner.onIndexed?.(listener) ?? (() => undefined);
  }

  chainHead(): number | null {
    return this.inner.chainHead?.() ?? null;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The first root field of a query, for logs ("providers", "jobs"...). */
function summarise(query: string): string {
  const match = /\{\s*(?:\w+\s*:\s*)?(\w+)/.exec(query);
  return match?.[1] ?? "query";
}
