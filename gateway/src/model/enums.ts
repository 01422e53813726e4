// The subgraph's enum values (PascalCase, as the contracts name them) and the product API's (GraphQL style).
import type {
  JobStatus,
  ProposalState,
  RefundReason,
  Ruling,
  SettlementReason,
  SlashReason,
  Tier,
  VoteSupport,
} from "../generated/graphql";
import type {
  SubgraphJobStatus,
  SubgraphRuling,
  SubgraphSettlementReason,
  SubgraphTier,
  SubgraphVoteSupport,
} from "../subgraph/entities";

export const TIER_FROM_SUBGRAPH: Record<SubgraphTier, Tier> = { Any: "ANY", Enterprise: "ENTERPRISE", Consumer: "CONSUMER" };
export const TIER_TO_SUBGRAPH: Record<Tier, SubgraphTier> = { ANY: "Any", ENTERPRISE: "Enterprise", CONSUMER: "Consumer" };
/** IProviderRegistry.Tier's numeric values, for JobTerms. */
export const TIER_ABI: Record<SubgraphTier, number> = { Any: 0, Enterprise: 1, Consumer: 2 };

export const JOB_STATUS_FROM_SUBGRAPH: Record<SubgraphJobStatus, JobStatus> = {
  Open: "OPEN",
  Accepted: "ACCEPTED",
  Submitted: "SUBMITTED",
  Disputed: "DISPUTED",
  Completed: "COMPLETED",
  Cancelled: "CANCELLED",
  Expired: "EXPIRED",
  Declined: "DECLINED",
  TimedOut: "TIMED_OUT",
  Refunded: "REFUNDED",
};
export const JOB_STATUS_TO_SUBGRAPH = Object.fromEntries(
  Object.entries(JOB_STATUS_FROM_SUBGRAPH).map(([k, v]) => [v, k]),
) as Record<JobStatus, SubgraphJobStatus>;

export const SETTLEMENT_REASON_FROM_SUBGRAPH: Record<SubgraphSettlementReason, SettlementReason> = {
  Approved: "APPROVED",
  ChallengeWindowPassed: "CHALLENGE_WINDOW_PASSED",
  DisputeRejected: "DISPUTE_REJECTED",
  DisputeDraw: "DISPUTE_DRAW",
};

/** The final statuses that refund the whole escrow, and why; the others (Completed) have none. */
export const REFUND_REASON_FROM_SUBGRAPH: Partial<Record<SubgraphJobStatus, RefundReason>> = {
  Refunded: "DISPUTE_UPHELD",
  TimedOut: "TIMEOUT",
  Expired: "EXPIRED",
  Cancelled: "CANCELLED",
  Declined: "DECLINED",
};

export const RULING_FROM_SUBGRAPH: Record<SubgraphRuling, Ruling> = {
  None: "NONE",
  Upheld: "UPHELD",
  Rejected: "REJECTED",
  Draw: "DRAW",
  Expired: "EXPIRED",
};

export const VOTE_SUPPORT_FROM_SUBGRAPH: Record<SubgraphVoteSupport, VoteSupport> = {
  Against: "AGAINST",
  For: "FOR",
  Abstain: "ABSTAIN",
};

export const SLASH_REASON_FROM_SUBGRAPH: Record<"Timeout" | "Dispute", SlashReason> = { Timeout: "TIMEOUT", Dispute: "DISPUTE" };

export const PROPOSAL_STATES: readonly ProposalState[] = ["PENDING", "ACTIVE", "DEFEATED", "SUCCEEDED", "QUEUED", "EXECUTED", "CANCELED"];
