// Follows the indexed head: polls the source's `_meta` (or is woken by the embedded indexer's push) and tells its
// listeners once per new head. Everything that depends on the indexed block hangs off this one poll: the query
// cache is dropped, subscriptions compute their diffs, readiness is judged.
import { redactUrlsIn } from "../../../subgraph/indexer/redact";
import { SourceError, SourceInternalError, SourceRequestAbortedError } from "../errors";
import type { Logger } from "../logger";
import { unlessAborted } from "../../../subgraph/indexer/abortable";
import type { PinnedBlock } from "../model/cursor";
import type { ChainBlockHeader } from "../chain/chain-reader";
import type { MetaEntity } from "../subgraph/entities";
import { META_FIELDS, META_FIELDS_WITHOUT_PARENT } from "../subgraph/selections";
import { CachingSubgraphSource } from "./caching-source";
import type { DeploymentHealth, SubgraphSource } from "./source";

export interface IndexedHead {
  number: number;
  hash: string | null;
  /** The hash of the block below (null if the source does not report it): says whether the head extends the last one. */
  parentHash: string | null;
  /** Block time, unix seconds (null if the source does not report it). */
  timestamp: number | null;
  hasIndexingErrors: boolean;
  /**
   * The error the deployment failed on, where the source's indexing-status API says it failed (absent otherwise): a
   * non-deterministic one graph-node retries, a deterministic one stops it for good.
   */
  failure?: SubgraphFailure;
  /**
   * The deployment's health and non-fatal errors as the source's indexing-status API last said them (absent for a
   * source without one, or before it first answered).
   */
  health?: SubgraphHealthReport;
}

export interface SubgraphFailure {
  message: string;
  deterministic: boolean;
}

export interface SubgraphHealthReport {
  /** graph-node's `health`. */
  health: "healthy" | "unhealthy" | "failed";
  /** Its `nonFatalErrors`, messages with any URL's key cut. */
  nonFatalErrors: { message: string; block: number | null; deterministic: boolean }[];
}

export type HeadListener = (head: IndexedHead, previous: IndexedHead | null) => void | Promise<void>;

/** The pause between polls when none is given (gateway/README.md documents `headPollMs: 1000`). */
export const DEFAULT_HEAD_POLL_MS = 1000;

export interface HeadWatcherOptions {
  /** Pause between polls (default DEFAULT_HEAD_POLL_MS). */
  pollIntervalMs?: number;
  logger: Logger;
  /**
   * The parent hash and time of an indexed block, from the chain (null if the chain does not know the block): asked
   * only for a new head whose `_meta` lacks one of them (graph-node before v0.35 has no `parentHash`; a graph-node
   * may give no `timestamp` for a block missing from its block cache). Without it such a source's heads lack them:
   * the subscription hub rescans its window at every head instead of telling an extension, and deadlines are judged
   * at the time of the last change the index recorded (services/clock.ts), which stands still while nothing happens.
   * `signal` aborts when the watcher stops while it waits.
   */
  chainBlockOf?: (blockHash: string, signal: AbortSignal) => Promise<ChainBlockHeader | null>;
}

const META_QUERY = `{ _meta { ${META_FIELDS} } }`;
const META_QUERY_WITHOUT_PARENT = `{ _meta { ${META_FIELDS_WITHOUT_PARENT} } }`;

/**
 * What the operator's log says of a source failure: what clients are told, and for a failure of the source's own
 * (a store error, a panic), its code and whole message, which clients are not told and which is the only clue.
 */
function sourceFailureLog(error: SourceError): Record<string, string> {
  if (error instanceof SourceInternalError) return { error: error.detail, failure: error.failure, message: error.message };
  return { error: error.detail };
}

/**
 * How a source refuses `_meta { block { parentHash } }` when its schema lacks the field: graph-node before v0.35
 * (its own validation, then graphql-tools' wording in later versions), and graphql-js.
 */
const NO_PARENT_HASH_FIELD = [/Type `_Block_` has no field `parentHash`/, /Cannot query field "parentHash" on type "_Block_"/];

function lacksParentHash(error: SourceError): boolean {
  return NO_PARENT_HASH_FIELD.some((pattern) => pattern.test(error.detail));
}

export class HeadWatcher {
  private current: IndexedHead | null = null;
  private error: SourceError | null = null;
  private inFlight: Promise<IndexedHead> | null = null;
  /** Gives up the poll in flight (stop()). */
  private inFlightAbort: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private unsubscribeSource: (() => void) | null = null;
  /**
   * The deployment failed, as the source's indexing-status API last said (kept while that API does not answer);
   * false for a source without one.
   */
  private deploymentFailed = false;
  /** The error the deployment failed on, as that API last said; null while it has not failed, or said no error. */
  private failure: SubgraphFailure | null = null;
  /** The block a deterministic failure happened at, where the status API says it (see lastWholeBlock). */
  private failedAt: number | null = null;
  /** The health that API last said (null: none yet, or a health graph-node does not document). */
  private healthReport: SubgraphHealthReport | null = null;
  /** The status API's last poll failed: logged once until it answers again. */
  private healthUnavailable = false;
  /** False once the source said its `_meta` has no parentHash: polls then leave it out for good. */
  private sourceHasParentHash = true;
  private readonly listeners = new Set<HeadListener>();
  private readonly invalidators = new Set<(head: IndexedHead) => void>();
  /** Those waiting in reached(), given up as the watcher stops. */
  private readonly stopWaiters = new Set<() => void>();
  /** Stopped, and not started again: reached() waits no more (a watcher never started may still be refreshed). */
  private halted = false;
  /** The pause between polls in force (public so that a composed gateway's cadence can be checked). */
  readonly pollIntervalMs: number;
  /** Listeners run one head at a time, in order, so a slow diff never sees heads out of order. */
  private delivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: SubgraphSource,
    private readonly options: HeadWatcherOptions,
  ) {
    // The cache would answer every poll's `_meta` with the first until this watcher invalidated it, which it does on a
    // new head only, and it tells nothing of the indexer's state (its failing block, health, notifications).
    if (source instanceof CachingSubgraphSource) {
      throw new TypeError("a HeadWatcher watches the subgraph source itself, not the query cache in front of it: give it the cache's `inner`");
    }
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_HEAD_POLL_MS;
  }

  /** The last head seen (null before the first successful poll). */
  get head(): IndexedHead | null {
    return this.current;
  }

  /** The error of the last poll, or null if it succeeded. */
  get lastError(): SourceError | null {
    return this.error;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halted = false;
    this.unsubscribeSource = this.source.onIndexed?.(() => void this.refresh().catch(() => undefined)) ?? null;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halted = true;
    for (const giveUp of [...this.stopWaiters]) giveUp();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribeSource?.();
    this.unsubscribeSource = null;
    // Given up, not waited for: a source that does not answer would hold the stop for as long as its timeout.
    this.inFlightAbort?.abort();
    await this.inFlight?.catch(() => undefined);
    await this.delivery;
  }

  /**
   * Runs `invalidate` synchronously as soon as a new head is seen, before any listener and before the poll's
   * promise resolves: for caches, which must not answer from the previous block once the new one is known.
   */
  onInvalidate(invalidate: (head: IndexedHead) => void): () => void {
    this.invalidators.add(invalidate);
    return () => this.invalidators.delete(invalidate);
  }

  subscribe(listener: HeadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The first head seen at or above `block` (the head now if it is): for a client that names a block it knows of
   * (jobUpdated's `atBlock`). Waits on the heads the watcher sees, polling nothing of its own. Rejects with a
   * SourceRequestAbortedError once `signal` aborts (its client left, the server stops) or the watcher stops, and
   * stops listening then.
   */
  reached(block: number, signal?: AbortSignal): Promise<IndexedHead> {
    const current = this.current;
    if (current !== null && current.number >= block) return Promise.resolve(current);
    const given = () => new SourceRequestAbortedError(`the wait for block ${block}`);
    if (signal?.aborted === true || this.halted) return Promise.reject(given());
    return new Promise<IndexedHead>((resolve, reject) => {
      const end = () => {
        unsubscribe();
        this.stopWaiters.delete(onGivenUp);
        signal?.removeEventListener("abort", onGivenUp);
      };
      const onGivenUp = () => {
        end();
        reject(given());
      };
      const unsubscribe = this.subscribe((head) => {
        if (head.number < block) return;
        end();
        resolve(head);
      });
      this.stopWaiters.add(onGivenUp);
      signal?.addEventListener("abort", onGivenUp, { once: true });
    });
  }

  /** The head now (polls if none was seen yet). */
  async ensureHead(): Promise<IndexedHead> {
    return this.current ?? this.refresh();
  }

  /** Polls the source now; concurrent callers share one request. */
  refresh(): Promise<IndexedHead> {
    if (this.inFlight !== null) return this.inFlight;
    const abort = new AbortController();
    const polling = this.poll(abort.signal).finally(() => {
      this.inFlight = null;
      this.inFlightAbort = null;
    });
    this.inFlight = polling;
    this.inFlightAbort = abort;
    return polling;
  }

  /**
   * A head to read instead of `lost`, a head a read found the source no longer serves (a reorganisation replaced it
   * since it was seen): the head seen since where the watcher has moved on, else a poll's. Every request refused at
   * the same head meanwhile gets the one poll: those before it ends share it (refresh), those after find it done.
   * It is `lost` again where the source still names that head.
   */
  headReplacing(lost: Pick<PinnedBlock, "number" | "hash">): Promise<IndexedHead> {
    const current = this.current;
    if (current !== null && (current.number !== lost.number || current.hash !== lost.hash)) return Promise.resolve(current);
    return this.refresh();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh()
        .catch(() => undefined)
        .finally(() => this.schedule(this.pollIntervalMs));
    }, delayMs);
    this.timer.unref();
  }

  /**
   * The source's answer to `query`, or SourceRequestAbortedError as soon as `signal` aborts. The signal is passed on
   * but not relied on: a source that cannot cancel (the embedded indexer's worker) ignores it.
   */
  private ask(query: string, signal: AbortSignal): Promise<{ _meta: MetaEntity }> {
    const answer = this.source.request<{ _meta: MetaEntity }>(query, {}, { signal });
    return unlessAborted(answer, signal, () => new SourceRequestAbortedError("the head poll"));
  }

  /** `_meta`, without parentHash where the source lacks it (found out at the first refusal, once). */
  private async readMeta(signal: AbortSignal): Promise<MetaEntity> {
    if (this.sourceHasParentHash) {
      try {
        return (await this.ask(META_QUERY, signal))._meta;
      } catch (error) {
        if (!(error instanceof SourceError) || !lacksParentHash(error)) throw error;
        this.sourceHasParentHash = false;
        this.options.logger.warn("the subgraph source's _meta has no block parentHash (graph-node before v0.35)", {
          error: error.detail,
          parentHashFrom: this.options.chainBlockOf === undefined ? "nowhere: every new head rescans the jobOpened window" : "the chain RPC",
        });
      }
    }
    return (await this.ask(META_QUERY_WITHOUT_PARENT, signal))._meta;
  }

  /**
   * The head's parent hash and time: the source's, else the chain's for a head the source cannot say them of (each
   * null where neither can). The chain is asked once per new head, and only where the source lacks one of them.
   */
  private async parentAndTime(meta: MetaEntity, changed: boolean, signal: AbortSignal): Promise<Pick<IndexedHead, "parentHash" | "timestamp">> {
    const fromSource = { parentHash: this.sourceHasParentHash ? (meta.block.parentHash ?? null) : null, timestamp: meta.block.timestamp };
    const ask = this.options.chainBlockOf;
    const lacking = !this.sourceHasParentHash || fromSource.timestamp === null;
    if (!lacking || ask === undefined || meta.block.hash === null) return fromSource;
    // The head is the same block as before: what the chain said of it still holds.
    if (!changed && this.current !== null) {
      return { parentHash: fromSource.parentHash ?? this.current.parentHash, timestamp: fromSource.timestamp ?? this.current.timestamp };
    }
    let header: ChainBlockHeader | null = null;
    try {
      header = await unlessAborted(ask(meta.block.hash, signal), signal, () => new SourceRequestAbortedError("the head poll's chain block read"));
    } catch (error) {
      if (signal.aborted) throw error;
      this.options.logger.warn("parent hash and time of the indexed head unavailable from the chain RPC", { block: meta.block.number, error });
    }
    return {
      parentHash: this.sourceHasParentHash ? fromSource.parentHash : (header?.parentHash ?? null),
      timestamp: fromSource.timestamp ?? header?.timestamp ?? null,
    };
  }

  private async poll(signal: AbortSignal): Promise<IndexedHead> {
    let meta: MetaEntity;
    try {
      meta = await this.readMeta(signal);
    } catch (error) {
      // The watcher stopped: says nothing of the source.
      if (error instanceof SourceRequestAbortedError) throw error;
      const sourceError =
        error instanceof SourceError ? error : new SourceError("head poll failed", "the subgraph source failed", { cause: error });
      if (this.error === null) this.options.logger.warn("source unavailable", sourceFailureLog(sourceError));
      this.error = sourceError;
      throw sourceError;
    }
    if (this.error !== null) this.options.logger.info("source available again", { block: meta.block.number });
    this.error = null;
    // Asked even when `_meta` already says hasIndexingErrors (graph-node's does for non-fatal errors): only the status
    // API says why, and a failure is logged with its message.
    const failed = await this.failed(meta, signal);
    // The head's own: `_meta` at the block before the failing one answers without the error.
    const headHasErrors = meta.hasIndexingErrors;
    meta = await this.lastWholeBlock(meta, signal);
    const previous = this.current;
    const changed = previous === null || previous.number !== meta.block.number || previous.hash !== meta.block.hash;
    const timing = await this.parentAndTime(meta, changed, signal);
    const head: IndexedHead = {
      number: meta.block.number,
      hash: meta.block.hash,
      ...timing,
      hasIndexingErrors: headHasErrors || failed,
      ...(failed && this.failure !== null ? { failure: this.failure } : {}),
      ...(this.healthReport === null ? {} : { health: this.healthReport }),
    };
    this.current = head;
    if (changed) {
      for (const invalidate of this.invalidators) invalidate(head);
      this.deliver(head, previous);
    }
    return head;
  }

  /**
   * The head to serve of a deployment that failed deterministically at `failedAt`: graph-node moves its head onto the
   * failing block (core/src/subgraph/runner.rs; the embedded indexer does too), and every read of that block answers
   * `indexing_error` alone. The block below it is the last one indexed whole, and `_meta` at it is answered without
   * the error, so the gateway serves that block's state instead of failing every query. The failing block is the
   * status API's (graph-node), else the source's own (the embedded indexer, which has none): both are served alike.
   * `_meta` at a block number names no hash, time or parent hash (graph-node's rule, which the embedded indexer
   * keeps), so that block is asked by hash where the hash is known: the failing head's parent hash (`_meta`'s, graph-node
   * v0.35 on) is the hash of the block below it. graph-node answers `_meta` at a hash of a failed deployment as at any
   * other (it checks only that the block is at most its head and in its block cache), the embedded indexer for the
   * blocks of its reorg window; else the block is asked by number.
   */
  private async lastWholeBlock(meta: MetaEntity, signal: AbortSignal): Promise<MetaEntity> {
    const embedded = this.source.deploymentHealth === undefined;
    const failedAt = embedded ? (this.source.failedBlock?.() ?? null) : this.failedAt;
    if (failedAt === null || failedAt === 0 || meta.block.number < failedAt) return meta;
    const fields = this.sourceHasParentHash ? META_FIELDS : META_FIELDS_WITHOUT_PARENT;
    const parentHash = meta.block.number === failedAt ? (meta.block.parentHash ?? null) : null;
    if (parentHash !== null) {
      try {
        const below = (await this.ask(`{ _meta(block: { hash: "${parentHash}" }) { ${fields} } }`, signal))._meta;
        if (below.block.number === failedAt - 1) return below;
      } catch (error) {
        // A pointer the indexer no longer keeps, a block graph-node's cache lacks: the block is read by number.
        if (!(error instanceof SourceError) || error instanceof SourceRequestAbortedError) throw error;
      }
    }
    return (await this.ask(`{ _meta(block: { number: ${failedAt - 1} }) { ${fields} } }`, signal))._meta;
  }

  /**
   * Whether the source's indexing-status API says the deployment failed: graph-node's `_meta` does not say why, nor
   * whether the error is one it retries, and a subgraph that failed would otherwise look like one that is only behind. A status API that does not answer leaves the last
   * answer in force, logged: the queries `_meta` answered are still served.
   */
  private async failed(meta: MetaEntity, signal: AbortSignal): Promise<boolean> {
    const ask = this.source.deploymentHealth;
    if (ask === undefined) return false;
    try {
      const status = await ask.call(this.source, meta.deployment, { signal });
      if (this.healthUnavailable) this.options.logger.info("indexing status available again", { deployment: meta.deployment });
      this.healthUnavailable = false;
      const failed = status?.health === "failed";
      if (failed && !this.deploymentFailed) {
        this.options.logger.error("subgraph deployment failed", {
          deployment: meta.deployment,
          error: status?.fatalError?.message ?? null,
          block: status?.fatalError?.block ?? null,
        });
      } else if (!failed && this.deploymentFailed) {
        this.options.logger.info("subgraph deployment no longer failed", { deployment: meta.deployment, health: status?.health ?? null });
      }
      this.deploymentFailed = failed;
      this.noteHealth(meta.deployment, status);
      const fatal = status?.fatalError ?? null;
      // Shown to anyone who asks /readyz or indexingStatus: a URL graph-node quotes (its RPC's) may hold a key.
      this.failure = failed && fatal !== null ? { message: redactUrlsIn(fatal.message), deterministic: fatal.deterministic } : null;
      this.failedAt = failed && fatal !== null && fatal.deterministic ? fatal.block : null;
    } catch (error) {
      if (error instanceof SourceRequestAbortedError) throw error;
      if (!this.healthUnavailable) {
        this.options.logger.warn("indexing status unavailable", {
          deployment: meta.deployment,
          ...(error instanceof SourceError ? sourceFailureLog(error) : { error: String(error) }),
        });
      }
      this.healthUnavailable = true;
    }
    return this.deploymentFailed;
  }

  /**
   * Keeps the health the status API said, and logs a deployment that turns unhealthy (it indexes on past non-fatal
   * errors, so `_meta` reads as usual while entities are missing) and one that no longer is.
   */
  private noteHealth(deployment: string, status: DeploymentHealth | null): void {
    const health = status?.health;
    const before = this.healthReport?.health ?? null;
    if (health !== "healthy" && health !== "unhealthy" && health !== "failed") {
      this.healthReport = null;
      return;
    }
    // Shown to anyone who asks indexingStatus: a URL graph-node quotes (its RPC's) may hold a key.
    const nonFatalErrors = (status?.nonFatalErrors ?? []).map((e) => ({ ...e, message: redactUrlsIn(e.message) }));
    this.healthReport = { health, nonFatalErrors };
    if (health === "unhealthy" && before !== "unhealthy") {
      this.options.logger.warn("subgraph deployment unhealthy", {
        deployment,
        nonFatalErrors: nonFatalErrors.length,
        error: nonFatalErrors[0]?.message ?? null,
        block: nonFatalErrors[0]?.block ?? null,
      });
    } else if (health === "healthy" && before === "unhealthy") {
      this.options.logger.info("subgraph deployment healthy again", { deployment });
    }
  }

  private deliver(head: IndexedHead, previous: IndexedHead | null): void {
    this.delivery = this.delivery.then(async () => {
      for (const listener of [...this.listeners]) {
        try {
          await listener(head, previous);
        } catch (error) {
          this.options.logger.error("head listener failed", { block: head.number, error });
        }
      }
    });
  }
}
