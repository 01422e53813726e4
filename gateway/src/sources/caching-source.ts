// Query results are a function of the query and the indexed block, so they are cached until the indexed head
// advances; concurrent identical queries share one request. Under load most requests then cost no source query at
// all, and a burst of dashboards asking the same thing costs one.
//
// After a new head every request waits for (and shares) the new block's answer, none gets the previous block's:
// the nested reads of one response (DataLoaders) and the subscription hub's diffs must all see the same block, or a
// response would mix two blocks and a jobUpdated diff could compare the old state with itself and miss a change.
//
// A request shared by several callers is given up (its `signal`) only once every caller waiting on it has given it
// up: one caller stopping must not fail the others' reads.
//
// It answers queries only: what tells the head and the indexer's state (`_meta` fresh at every poll, the indexer's
// notifications, failing block and health) is the inner source's, which the HeadWatcher is given (it refuses this one).
import { unlessAborted } from "../../../subgraph/indexer/abortable";
import { SourceRequestAbortedError } from "../errors";
import type { Logger } from "../logger";
import type { SourceKind, SourceRequestOptions, SubgraphSource, Variables } from "./source";

export interface CachingSourceOptions {
  /** Most results kept (default 1000); the oldest go first. */
  maxEntries?: number;
  logger: Logger;
}

/** One query's result, or the request that will give it. */
interface Entry {
  result: Promise<unknown>;
  settled: boolean;
  /** Gives the source's request up: aborted once every caller waiting on it has given it up. */
  giveUp: AbortController;
  /** A caller that cannot give it up (it passed no signal) waits on it: it is never given up. */
  kept: boolean;
  /** The callers with a signal still waiting on it. */
  waiting: number;
}

export class CachingSubgraphSource implements SubgraphSource {
  readonly kind: SourceKind;
  private entries = new Map<string, Entry>();
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

  request<TData>(query: string, variables: Variables = {}, options: SourceRequestOptions = {}): Promise<TData> {
    const { signal } = options;
    // Given up already: the source is not asked.
    if (signal?.aborted === true) return Promise.reject(new SourceRequestAbortedError(`the source query ${summarise(query)}`));
    const key = `${query}\u0000${JSON.stringify(variables)}`;
    const entry = this.entries.get(key) ?? this.ask(key, query, variables);
    if (signal === undefined || entry.settled) {
      entry.kept = true;
      return entry.result as Promise<TData>;
    }
    return this.waitUnlessGivenUp(key, entry, signal, query) as Promise<TData>;
  }

  private ask(key: string, query: string, variables: Variables): Entry {
    const started = Date.now();
    this.misses += 1;
    const giveUp = new AbortController();
    const entry: Entry = { result: Promise.resolve(), settled: false, giveUp, kept: false, waiting: 0 };
    entry.result = this.inner.request(query, variables, { signal: giveUp.signal }).then(
      (data) => {
        entry.settled = true;
        this.options.logger.debug("source query", { durationMs: Date.now() - started, query: summarise(query) });
        return data;
      },
      (error: unknown) => {
        entry.settled = true;
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
    return entry;
  }

  /**
   * `entry`'s result, or SourceRequestAbortedError as soon as `signal` aborts; the last caller to give up gives up
   * the source's request, and the entry, which a later caller must not share.
   */
  private waitUnlessGivenUp(key: string, entry: Entry, signal: AbortSignal, query: string): Promise<unknown> {
    entry.waiting += 1;
    // The error is made when this caller gives up (at once, if it already has): the moment to count it out.
    return unlessAborted(entry.result, signal, () => {
      entry.waiting -= 1;
      if (!entry.kept && entry.waiting === 0 && !entry.settled) {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        entry.giveUp.abort();
      }
      return new SourceRequestAbortedError(`the source query ${summarise(query)}`);
    });
  }


  /**
   * Forgets every result: the indexed head advanced. Requests in flight keep their promise but are no longer
   * shared with requests made from now on.
   */
  invalidate(): void {
    this.entries = new Map();
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
