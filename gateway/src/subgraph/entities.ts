// The subgraph entities as the gateway selects them (see selections.ts), in graph-node's JSON encoding:
// BigInt as a decimal string, Bytes as 0x lowercase hex, Int as a number, references as `{ id }`.
// Field names and meanings are the subgraph's (subgraph/schema.graphql); only what the gateway uses is selected.

export type BigIntText = string;
export type Hex = string;

export type SubgraphTier = "Any" | "Enterprise" | "Consumer";
export type SubgraphJobStatus =
  | "Open"
  | "Accepted"
  | "Submitted"
  | "Disputed"
  | "Completed"
  | "Cancelled"
  | "Expired"
  | "Declined"
  | "TimedOut"
  | "Refunded";
export type SubgraphSettlementReason = "Approved" | "ChallengeWindowPassed" | "DisputeRejected" | "DisputeDraw";
export type SubgraphRuling = "None" | "Upheld" | "Rejected" | "Draw" | "Expired";
export type SubgraphProposalStatus = "Created" | "Queued" | "Executed" | "Canceled";
export type SubgraphVoteSupport = "Against" | "For" | "Abstain";

export interface Ref {
  id: string;
}

/** Provider.gpuModelKey and regionKey of a provider that never registered (it only staked). */
export const NOT_LISTED = "";

/** A provider's model or region key as the API shows it: null while not listed. */
export function listedKey(key: string): string | null {
  return key === NOT_LISTED ? null : key;
}

export interface ProviderEntity {
  id: Hex;
  registered: boolean;
  online: boolean;
  operator: Hex | null;
  /** The model's id; NOT_LISTED until first registered. */
  gpuModelKey: string;
  gpuModelName: string | null;
  /** The region's id; NOT_LISTED until first registered. */
  regionKey: string;
  vramGiB: number;
  gpuCount: number;
  gpusInUse: number;
  gpusFree: number;
  tier: SubgraphTier | null;
  pricePerGpuHour: BigIntText;
  metadataURI: string | null;
  staked: BigIntText;
  locked: BigIntText;
  thawing: BigIntText;
  freeStake: BigIntText;
  stakePerGpu: BigIntText;
  maxSlashRewardBps: number;
  jobsAccepted: number;
  jobsActive: number;
  jobsCompleted: number;
  jobsTimedOut: number;
  jobsDeclined: number;
  disputesOpened: number;
  disputesWon: number;
  disputesLost: number;
  disputesDrawn: number;
  earned: BigIntText;
  disputeDepositsWon: BigIntText;
  disputeDepositsReturned: BigIntText;
  feesPaid: BigIntText;
  slashed: BigIntText;
  gpuSecondsBilled: BigIntText;
  reputationScore: number;
  createdAt: BigIntText;
  registeredAt: BigIntText | null;
  deregisteredAt: BigIntText | null;
  updatedAt: BigIntText;
}

export interface DisputeEntity {
  openedAt: BigIntText;
  deposit: BigIntText;
  evidenceURI: string;
  ruleDeadline: BigIntText;
  answered: boolean;
  answerEvidenceURI: string | null;
  ruling: SubgraphRuling;
  resolved: boolean;
  resolvedAt: BigIntText | null;
  slashed: BigIntText;
  reward: BigIntText;
}

export interface JobEntity {
  id: string;
  jobId: BigIntText;
  status: SubgraphJobStatus;
  client: Ref;
  provider: Ref | null;
  /** The model asked for (null for any); its name is "" until a provider registers it. */
  gpuModel: { name: string } | null;
  gpuModelKey: string;
  gpuModelRaw: Hex;
  regionKey: string;
  regionRaw: Hex;
  minVramGiB: number;
  gpuCount: number;
  tier: SubgraphTier;
  minCompletedJobs: BigIntText;
  minSlashRewardBps: number;
  maxPricePerGpuHour: BigIntText;
  maxDuration: BigIntText;
  acceptDeadline: BigIntText;
  targetProvider: Hex;
  directed: boolean;
  specHash: Hex;
  specURI: string;
  termsHash: Hex;
  escrowed: BigIntText;
  pricePerGpuHour: BigIntText | null;
  collateral: BigIntText | null;
  params: Ref | null;
  resultDeadline: BigIntText | null;
  challengeDeadline: BigIntText | null;
  resultURI: string | null;
  resultHash: Hex | null;
  cost: BigIntText | null;
  billedSeconds: BigIntText | null;
  amountPaid: BigIntText | null;
  fee: BigIntText | null;
  providerAmount: BigIntText | null;
  refund: BigIntText | null;
  settlementReason: SubgraphSettlementReason | null;
  countsForTrackRecord: boolean | null;
  /** Collateral slashed for the job (a time-out's, an upheld dispute's); "0" when none. */
  collateralSlashed: BigIntText;
  submittedBy: Hex | null;
  /** Who gave the job back before its result deadline (JobEscrow.abandonJob); null otherwise. */
  abandonedBy: Hex | null;
  dispute: DisputeEntity | null;
  createdAt: BigIntText;
  createdAtBlock: BigIntText;
  acceptedAt: BigIntText | null;
  submittedAt: BigIntText | null;
  closedAt: BigIntText | null;
  updatedAt: BigIntText;
}

/** One activity-feed event about a job; the amount field depends on the kind (see EVENT_AMOUNTS). */
export interface JobEventEntity {
  __typename: string;
  id: Hex;
  timestamp: BigIntText;
  blockNumber: BigIntText;
  transaction: Hex;
  logIndex: BigIntText;
  from: Hex;
  escrowed?: BigIntText;
  collateral?: BigIntText;
  cost?: BigIntText;
  refund?: BigIntText;
  amount?: BigIntText;
  deposit?: BigIntText;
  slashed?: BigIntText;
  transferred?: BigIntText;
  weight?: BigIntText;
}

export type SubgraphEventCategory = "Provider" | "Stake" | "Job" | "Dispute" | "Governance" | "Timelock" | "Parameter" | "Pause" | "Token";

/** Any activity-feed event (the subgraph's Event interface). */
export interface EventEntity extends JobEventEntity {
  category: SubgraphEventCategory;
  accounts: Hex[];
  job: Ref | null;
  provider: Ref | null;
  /** ParameterChange only (see PARAMETER_CHANGE in selections.ts). */
  parameterContract?: string;
  parameterName?: string;
  parameterValue?: BigIntText | null;
  previousValue?: BigIntText | null;
  addressValue?: Hex | null;
  previousAddressValue?: Hex | null;
  /** JobTimedOutEvent only (see TIMED_OUT in selections.ts). */
  abandonedBy?: Hex | null;
}

export interface SlashEntity {
  id: Hex;
  reason: "Timeout" | "Dispute";
  job: Ref | null;
  amount: BigIntText;
  reward: BigIntText;
  toTreasury: BigIntText;
  beneficiary: Hex;
  timestamp: BigIntText;
  blockNumber: BigIntText;
  transaction: Hex;
}

export interface ThawRequestEntity {
  id: Hex;
  requestIndex: BigIntText;
  amount: BigIntText;
  requestedAt: BigIntText;
  maturesAt: BigIntText;
  withdrawn: boolean;
  withdrawnAt: BigIntText | null;
}

export interface ProviderDayEntity {
  id: Hex;
  day: number;
  date: BigIntText;
  jobsAccepted: number;
  jobsCompleted: number;
  jobsTimedOut: number;
  disputesLost: number;
  earned: BigIntText;
  disputeDepositsWon: BigIntText;
  slashed: BigIntText;
  gpuSecondsBilled: BigIntText;
  staked: BigIntText;
  gpusInUse: number;
  pricePerGpuHour: BigIntText;
  online: boolean;
  reputationScore: number;
}

export interface ProtocolEntity {
  providerCount: number;
  onlineProviderCount: number;
  gpusTotal: number;
  gpusInUse: number;
  gpusFree: number;
  gpusOnline: number;
  gpusFreeOnline: number;
  stakeTotal: BigIntText;
  stakeLocked: BigIntText;
  stakeThawing: BigIntText;
  jobCount: number;
  jobsOpen: number;
  jobsAccepted: number;
  jobsSubmitted: number;
  jobsDisputed: number;
  jobsCompleted: number;
  jobsCancelled: number;
  jobsExpired: number;
  jobsDeclined: number;
  jobsTimedOut: number;
  jobsRefunded: number;
  escrowBalance: BigIntText;
  volumePaid: BigIntText;
  feesTotal: BigIntText;
  providerEarningsTotal: BigIntText;
  disputeDepositsWonTotal: BigIntText;
  refundsTotal: BigIntText;
  slashedTotal: BigIntText;
  gpuSecondsBilled: BigIntText;
  disputeCount: number;
  disputesOpen: number;
  minStakePerGpu: BigIntText;
  pausedUntil: BigIntText;
  currentParams: Ref | null;
  protocolFeeBps: number;
  collateralRatioBps: number;
}

export interface GpuModelEntity {
  id: string;
  name: string;
  providerCount: number;
  onlineProviderCount: number;
  gpusTotal: number;
  gpusFree: number;
  gpusOnline: number;
  gpusFreeOnline: number;
}

export interface RegionEntity {
  id: string;
  providerCount: number;
  onlineProviderCount: number;
  gpusTotal: number;
  gpusFree: number;
  gpusOnline: number;
  gpusFreeOnline: number;
}

export interface NetworkDayEntity {
  id: string;
  day: number;
  date: BigIntText;
  jobsCreated: number;
  jobsCompleted: number;
  volumePaid: BigIntText;
  fees: BigIntText;
  disputeDepositsWon: BigIntText;
  slashed: BigIntText;
  gpuSecondsBilled: BigIntText;
  providersRegistered: number;
  providerCount: number;
  onlineProviderCount: number;
  gpusTotal: number;
  gpusInUse: number;
  stakeTotal: BigIntText;
  jobsRunning: number;
}

export interface ParameterEntity {
  id: string;
  contract: Hex;
  contractKind: string;
  name: string;
  value: BigIntText | null;
  addressValue: Hex | null;
  changeCount: number;
  updatedAt: BigIntText;
}

export interface ProposalEntity {
  id: string;
  proposer: Ref;
  status: SubgraphProposalStatus;
  targets: Hex[];
  values: BigIntText[];
  calldatas: Hex[];
  description: string;
  title: string;
  voteStart: BigIntText;
  voteEnd: BigIntText;
  quorum: BigIntText;
  forVotes: BigIntText;
  againstVotes: BigIntText;
  abstainVotes: BigIntText;
  voteCount: number;
  quorumReached: boolean;
  createdAt: BigIntText;
  eta: BigIntText | null;
  queuedAt: BigIntText | null;
  executedAt: BigIntText | null;
  canceledAt: BigIntText | null;
  timelockOperation: { status: "Scheduled" | "Executed" | "Cancelled" } | null;
}

export interface VoteEntity {
  id: Hex;
  voter: Ref;
  support: SubgraphVoteSupport;
  weight: BigIntText;
  reason: string;
  timestamp: BigIntText;
}

/** graph-node's `_meta`. */
export interface MetaEntity {
  block: { number: number; hash: Hex | null; timestamp: number | null; parentHash?: Hex | null };
  hasIndexingErrors: boolean;
  deployment: string;
}
