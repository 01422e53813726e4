// Public API of the embedded indexer. See README.md next to this file.
export { Indexer, DEFAULT_REORG_THRESHOLD } from "./indexer";
export type { IndexerOptions, IndexerStatus, IndexerLogRecord, IndexerEvents, IndexingEvents, ProgressEvent, ReorgEvent, RetryEvent, SyncOptions, OpenOptions } from "./indexer";
export { QueryEngine } from "./query/engine";
export type { QueryExecutor, QueryStatus } from "./query/engine";
export { startQueryServer } from "./server/http";
export type { QueryServer, QueryServerOptions } from "./server/http";
export { startIndexerWorker, IndexerWorker } from "./worker/handle";
export type { IndexerWorkerEvents, IndexerWorkerOptions, RestartPolicy, WorkerCrash } from "./worker/handle";
export { RestartBackoff } from "./worker/restart-backoff";
export { loadSubgraph, resolveBuildDir } from "./manifest";
export type { SubgraphBuild, DataSourceSpec, EventHandlerSpec } from "./manifest";
export { HttpRpc, Eip1193Rpc } from "./chain/rpc";
export type { RpcTransport, RequestOptions, Eip1193Provider } from "./chain/rpc";
export type { BlockPointer, FatalError } from "./store/database";
export { DEFAULT_INSTANCE_POLICY } from "./runtime/mapping";
export type { InstancePolicy } from "./runtime/mapping";
export { MAX_FIRST, MAX_SKIP } from "./query/api-schema";
export * from "./errors";

import type { ExecutionResult } from "graphql";
import { QueryEngine } from "./query/engine";

/**
 * One-shot convenience: runs a query against an indexer database file. Long-lived callers should keep a
 * QueryEngine (or a worker handle) instead, which caches the schema and parsed queries.
 */
export async function executeQuery(
  dbPath: string,
  query: string,
  variables?: Record<string, unknown> | null,
): Promise<ExecutionResult> {
  const engine = QueryEngine.open(dbPath);
  try {
    return await engine.executeQuery(query, variables);
  } finally {
    engine.close();
  }
}
