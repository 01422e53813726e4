// How far the index is behind the chain: what indexingStatus answers and what /readyz judges readiness by.
import type { ResolversParentTypes, SourceKind as ApiSourceKind, SubgraphHealth } from "../generated/graphql";
import type { GatewayServices } from "../context";
import type { IndexedHead, SubgraphHealthReport } from "../sources/head-watcher";

export type IndexingStatusModel = ResolversParentTypes["IndexingStatus"];

const HEALTH: Record<SubgraphHealthReport["health"], SubgraphHealth> = { healthy: "HEALTHY", unhealthy: "UNHEALTHY", failed: "FAILED" };

const SOURCE_KIND: Record<GatewayServices["sourceKind"], ApiSourceKind> = { embedded: "EMBEDDED", subgraphUrl: "SUBGRAPH_URL" };

/**
 * Ready when the source answers, the index has no fatal error, is of the gateway's deployment (as far as that was
 * found out), and is within `maxLag` blocks of the chain head.
 * Without any way to know the head (no RPC and a source that does not report it), answering is enough; with one
 * that fails, the gateway is not ready (it cannot tell how stale it is). Throws SourceError when the source does
 * not answer. `indexed` is the indexed head to report: a fresh poll's (/readyz), or the block a GraphQL request reads.
 */
export async function indexingStatus(
  services: GatewayServices,
  indexed: Promise<IndexedHead> = services.head.refresh(),
): Promise<IndexingStatusModel> {
  const readHead = services.chainHead;
  const [head, chainHead] = await Promise.all([
    indexed,
    readHead === null ? Promise.resolve(null) : readHead().catch(() => undefined),
  ]);
  const headKnown = chainHead !== null && chainHead !== undefined;
  const lag = headKnown ? Math.max(0, chainHead - head.number) : null;
  const restart = services.indexerRestart?.() ?? null;
  return {
    chainHead: headKnown ? chainHead : null,
    indexedBlock: head.number,
    indexedBlockTimestamp: head.timestamp,
    lag,
    maxLag: services.maxLag,
    ready:
      !head.hasIndexingErrors &&
      (services.deploymentMismatch ?? null) === null &&
      chainHead !== undefined &&
      (lag === null || lag <= services.maxLag),
    hasIndexingErrors: head.hasIndexingErrors,
    indexerRestart: restart === null ? null : { reason: restart.reason, inSeconds: Math.ceil(restart.inMs / 1000) },
    subgraphFailure: head.failure ?? null,
    subgraphHealth: head.health === undefined ? null : HEALTH[head.health.health],
    subgraphNonFatalErrors: head.health?.nonFatalErrors ?? [],
    source: SOURCE_KIND[services.sourceKind],
  };
}
