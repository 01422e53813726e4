// What every resolver gets: the long-lived services of the gateway, this request's DataLoaders and the block it reads.
import type { ChainReader } from "./chain/chain-reader";
import type { QueryLimits } from "./limits/query-limits";
import type { SubscriptionSlot } from "./limits/subscription-limits";
import { createLoaders, type Loaders } from "./loaders/loaders";
import type { Logger } from "./logger";
import { RequestBlock } from "./services/request-block";
import type { DeploymentRecord } from "./sources/deployment";
import type { HeadWatcher } from "./sources/head-watcher";
import type { IndexerRestart, SourceKind } from "./sources/source";
import type { SubgraphReader } from "./subgraph/reader";
import type { TaskReach } from "./task-reach";

export interface GatewayServices {
  /** Reads of the subgraph, cached per indexed block. */
  reader: SubgraphReader;
  head: HeadWatcher;
  /** Live chain reads; null when no RPC is configured. */
  chain: ChainReader | null;
  /** Reads the chain head, for indexing status and readiness; null when there is no way to know it. */
  chainHead: (() => Promise<number>) | null;
  /** The deployment record the gateway was started with (Query.deployment); null when it was given none. */
  deployment: DeploymentRecord | null;
  /** How the repository's Hardhat tasks reach `deployment` (Deployment.tasks); null where the gateway cannot tell. */
  taskReach?: TaskReach | null;
  sourceKind: SourceKind;
  limits: QueryLimits;
  /** /readyz answers 200 while the index is at most this many blocks behind the chain. */
  maxLag: number;
  logger: Logger;
  /**
   * Set when the subgraph endpoint was found, after the start, to index another deployment than `deployment` (at the
   * start that refuses the start): the gateway is not ready then, and /readyz says why.
   */
  deploymentMismatch?: string | null;
  /** Why the embedded indexer follows no chain now (its thread died or hung); absent for a source that runs none. */
  indexerDown?: () => string | null;
  /** While the embedded indexer's thread awaits its restart: why it stopped and when it is due; absent as indexerDown. */
  indexerRestart?: () => IndexerRestart | null;
}

export interface GatewayContext extends GatewayServices {
  loaders: Loaders;
  /** The indexed block every field of this request reads (pinned at its first read); a cursor's page reads its own. */
  block: RequestBlock;
  /** A subscription's slot in its connection's limit (set by the WebSocket server); absent for queries. */
  subscriptionSlot?: SubscriptionSlot;
  /**
   * Aborted once the request's client leaves it or the server gives it up (createContext's `signal`): what it waits
   * for other than a read (jobUpdated's wait for its `atBlock`) ends then. Absent where nothing gives it up.
   */
  signal?: AbortSignal;
}

/** `signal`: the request's reads are given up once it aborts (its `reader` and `loaders` read with it). */
export function createContext(services: GatewayServices, signal?: AbortSignal): GatewayContext {
  const reader = signal === undefined ? services.reader : services.reader.withSignal(signal);
  return { ...services, reader, loaders: createLoaders(reader), block: new RequestBlock(services.head), ...(signal === undefined ? {} : { signal }) };
}
