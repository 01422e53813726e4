// Query results are a function of the query and the indexed block, so they are cached until the indexed head
// advances; concurrent identical queries share one request. Under load most requests then cost no source query at
// all, and a burst of dashboards asking the same thing costs one.
//
// After a new head every request waits for (and shares) the new block's answer, none gets the previous block's:
// the nested reads of one response (DataLoaders) and the subscription hub's diffs must all see the same block, or a
// response would mix two blocks and a jobUpdated diff could compare the old state with itself and miss a change.
import type { Logger } from "../logger";
import type { SourceKind, SubgraphSource, Variables } from "./source";

export interface CachingSourceOptions {
  /** Most results kept (default 1000); the oldest go first. */
  maxEntries?: number;
  logger: Logger;
}

export class CachingSubgraphSource implements SubgraphSource {
  readonly kind: SourceKind;
  private entries = new Map<string, Promise<unknown>>();
  private readonly maxEntries: number;
  /** Requests that reached the underlying source (for logs and the batching tests). */
  misses = 0;

  constructor(
    readonly inner: SubgraphSource,
    private readonly options: CachingSourceOptions,
  ) {
    this.kind = inner.kind;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    const key = `${query}\u0000${JSON.stringify(variables)}`;
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached as Promise<TData>;
    const started = Date.now();
    this.misses += 1;
    const pending = this.inner.request<TData>(query, variables).then(
      (data) => {
        this.options.logger.debug("source query", { durationMs: Date.now() - started, query: summarise(query) });
        return data;
      },
      (error: unknown) => {
        // Failures are not cached: the next request tries again.
        if (this.entries.get(key) === pending) this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, pending);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return pending;
  }

  /**
   * Forgets every result: the indexed head advanced. Requests in flight keep their promise but are no longer
   * shared with requests made from now on.
   */
  invalidate(): void {
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
