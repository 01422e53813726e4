// Where network state comes from: any endpoint that speaks graph-node's GraphQL dialect. The gateway holds one
// `SubgraphSource` and never knows whether a graph-node, the embedded indexer over HTTP or the embedded indexer in a
// worker thread answers.

export type SourceKind = "embedded" | "subgraphUrl";

export type Variables = Record<string, unknown>;

export interface SourceRequestOptions {
  /**
   * Gives the request up (the gateway is stopping, or the request that reads it ended): it rejects with SourceRequestAbortedError. A source that cannot
   * cancel its work may ignore it; who gives a request up does not wait on such a source (see HeadWatcher.stop).
   */
  signal?: AbortSignal;
}

/** A deployment's health as graph-node's indexing-status API (its index node, port 8030) reports it. */
export interface DeploymentHealth {
  /** graph-node's `health`: "healthy", "unhealthy" (non-fatal errors) or "failed" (stopped on a fatal error). */
  health: string;
  /**
   * The error it stopped on, with the block it failed at where graph-node names one. `deterministic`: false for an
   * error not the subgraph's own (the node, the store), which graph-node retries itself; true: it is stopped for good.
   */
  fatalError: { message: string; block: number | null; deterministic: boolean } | null;
  /**
   * The errors a subgraph with graph-node's `nonFatalErrors` feature indexed on past (health "unhealthy"): what their
   * handlers would have written is missing from the index. Empty where there are none.
   */
  nonFatalErrors: { message: string; block: number | null; deterministic: boolean }[];
}

export interface IndexerRestart {
  reason: string;
  inMs: number;
}

export interface SubgraphSource {
  readonly kind: SourceKind;
  /** Runs `query` with `variables` and returns its `data`. Throws SourceError when the source cannot answer. */
  request<TData>(query: string, variables?: Variables, options?: SourceRequestOptions): Promise<TData>;
  /**
   * Subscribes to "blocks were indexed" notifications, for sources that can push them (the embedded indexer), so
   * the gateway reacts at once instead of at its next poll. Returns the unsubscribe function.
   */
  onIndexed?(listener: (blockNumber: number) => void): () => void;
  /** The chain head as the indexer last saw it, for sources that know it (the embedded indexer). */
  chainHead?(): number | null;
  /**
   * Why no indexer follows the chain now (its thread died or hung and awaits its restart, or is not restarted), for
   * sources that run one (the embedded indexer); null while one does.
   */
  indexerDown?(): string | null;
  /**
   * The block a deterministic failure (a handler's) stopped the index at, for sources that know it without an
   * indexing-status API (the embedded indexer); null while it has not failed. The index's head is that block, whose
   * reads answer `indexing_error` alone, as graph-node's (see HeadWatcher's lastWholeBlock).
   */
  failedBlock?(): number | null;
  /** While a thread that died or hung awaits its restart: why it stopped, and in how many ms the new one is due (0: it is starting). */
  indexerRestart?(): IndexerRestart | null;
  /**
   * The deployment's health, for a source given graph-node's indexing-status API (`statusUrl`); null where that API
   * does not list the deployment. graph-node's `_meta` cannot say why a subgraph failed, nor at which block, nor
   * whether it retries the error.
   */
  deploymentHealth?(deployment: string, options?: SourceRequestOptions): Promise<DeploymentHealth | null>;
  /** Also gives up the requests still in flight, where the source can. */
  close(): Promise<void>;
}
