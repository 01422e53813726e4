// What resolvers hand each other for the object types that are not plain values (codegen `mappers`): the subgraph
// entities themselves for providers, jobs and proposals, so fields are computed only when selected.
import type { EventEntity, JobEntity, ProposalEntity, ProviderEntity, SubgraphTier } from "../subgraph/entities";
import type { ReadAt } from "../subgraph/reader";

export type ProviderModel = ProviderEntity;
export type JobModel = JobEntity;

export interface ProposalModel {
  entity: ProposalEntity;
  /** Time the state is judged at (the indexed head's block time). */
  now: number;
}

export interface QuoteModel {
  gpuCount: number;
  durationSeconds: number;
  cost: bigint;
  protocolFee: bigint;
  collateral: bigint;
  collateralAvailable: boolean;
}

/** What ComputeOffer.jobTerms takes from the availableCompute requirements and the page an offer was found on. */
export interface OfferTermsBasis {
  /** Whether the requirements listed GPU models (the terms then name the offer's) or regions. */
  listedModels: boolean;
  listedRegions: boolean;
  minVramGiB: number;
  tier: SubgraphTier;
  minCompletedJobs: number;
  minSlashRewardBps: number;
  /** The time of the page's block, unix seconds: acceptDeadline counts from it. */
  blockTime: number;
}

export interface OfferModel {
  provider: ProviderEntity;
  quote: QuoteModel;
  basis: OfferTermsBasis;
}

export interface EdgeModel<TNode> {
  cursor: string;
  node: TNode;
}

export interface PageInfoModel {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  /** The block a pinned page sequence reads (null for lists that read the latest block on every page). */
  blockNumber: number | null;
}

export interface ConnectionModel<TNode> {
  edges: EdgeModel<TNode>[];
  pageInfo: PageInfoModel;
}

export type OfferConnectionModel = ConnectionModel<OfferModel>;
export type ProviderConnectionModel = ConnectionModel<ProviderModel>;
export type JobConnectionModel = ConnectionModel<JobModel>;
export type ProposalConnectionModel = ConnectionModel<ProposalModel>;
export type ActivityConnectionModel = ConnectionModel<EventEntity>;

/**
 * Governance resolves its fields lazily, all at one block: the indexed head's when the query started (`at`), whose
 * time (`now`) proposals' states are judged at. Read at the latest block each, the pause, the parameters and the
 * proposals of one answer could come from different blocks while the index moves on.
 */
export interface GovernanceModel {
  now: number;
  at: ReadAt;
}

/** Builds a connection from `first + 1` fetched rows: the extra row only says that there is a next page. */
export function toConnection<TRow, TNode>(
  rows: readonly TRow[],
  first: number,
  hadCursor: boolean,
  toNode: (row: TRow) => TNode,
  cursorOf: (row: TRow) => string,
  blockNumber: number | null = null,
): ConnectionModel<TNode> {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: cursorOf(row), node: toNode(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
      blockNumber,
    },
  };
}
