// Selection sets in graph-node's dialect, one per entity type of entities.ts (kept field for field in step with it).

export const PROVIDER_FIELDS = `
  id registered online operator gpuModelKey gpuModelName regionKey vramGiB gpuCount gpusInUse gpusFree tier
  pricePerGpuHour metadataURI staked locked thawing freeStake stakePerGpu maxSlashRewardBps jobsAccepted jobsActive
  jobsCompleted jobsTimedOut jobsDeclined disputesOpened disputesWon disputesLost disputesDrawn earned disputeDepositsWon
  disputeDepositsReturned feesPaid slashed gpuSecondsBilled reputationScore createdAt registeredAt deregisteredAt updatedAt`;

export const JOB_FIELDS = `
  id jobId status client { id } provider { id } gpuModel { name } gpuModelKey gpuModelRaw regionKey regionRaw minVramGiB gpuCount tier
  minCompletedJobs minSlashRewardBps maxPricePerGpuHour maxDuration acceptDeadline targetProvider directed specHash specURI
  termsHash
  escrowed pricePerGpuHour collateral params { id } resultDeadline challengeDeadline resultURI resultHash cost
  billedSeconds amountPaid fee providerAmount refund settlementReason countsForTrackRecord collateralSlashed submittedBy abandonedBy
  dispute { openedAt deposit evidenceURI ruleDeadline answered answerEvidenceURI ruling resolved resolvedAt slashed reward }
  createdAt createdAtBlock acceptedAt submittedAt closedAt updatedAt`;

/**
 * The amount each kind of event moved, under one response name per kind of amount (fields of one name must have
 * one type across the fragments, hence the aliases).
 */
const EVENT_AMOUNTS = `
  ... on JobCreatedEvent { escrowed }
  ... on JobAcceptedEvent { collateral }
  ... on ResultSubmittedEvent { cost }
  ... on JobSettledEvent { cost }
  ... on JobCancelledEvent { refund }
  ... on JobExpiredEvent { refund }
  ... on JobDeclinedEvent { refund }
  ... on JobTimedOutEvent { refund }
  ... on JobRefundedEvent { refund }
  ... on CollateralLockedEvent { amount }
  ... on CollateralUnlockedEvent { amount }
  ... on Slash { amount }
  ... on DisputeOpenedEvent { deposit }
  ... on DisputeResolvedEvent { slashed }
  ... on StakedEvent { amount }
  ... on ThawRequestedEvent { amount }
  ... on WithdrawnEvent { amount }
  ... on TransferEvent { transferred: value }
  ... on Vote { weight }`;

export const JOB_EVENT_FIELDS = `__typename id timestamp blockNumber transaction logIndex from ${EVENT_AMOUNTS}`;

/** A parameter change's own fields, aliased apart from the other events' (TransferEvent's `value`). */
const PARAMETER_CHANGE = `
  ... on ParameterChange {
    parameterContract: contractKind parameterName: name parameterValue: value previousValue addressValue previousAddressValue
  }`;

/** A timeout's giver-back (null for a deadline that passed), which only the feed's JobTimedOut carries. */
const TIMED_OUT = `... on JobTimedOutEvent { abandonedBy }`;

export const EVENT_FIELDS = `${JOB_EVENT_FIELDS} category accounts job { id } provider { id } ${PARAMETER_CHANGE} ${TIMED_OUT}`;

export const SLASH_FIELDS = `id reason job { id } amount reward toTreasury beneficiary timestamp blockNumber transaction`;

export const THAW_REQUEST_FIELDS = `id requestIndex amount requestedAt maturesAt withdrawn withdrawnAt`;

export const PROVIDER_DAY_FIELDS = `
  id day date jobsAccepted jobsCompleted jobsTimedOut disputesLost earned disputeDepositsWon slashed gpuSecondsBilled staked
  gpusInUse pricePerGpuHour online reputationScore`;

export const PROTOCOL_FIELDS = `
  providerCount onlineProviderCount gpusTotal gpusInUse gpusFree gpusOnline gpusFreeOnline stakeTotal stakeLocked
  stakeThawing jobCount jobsOpen jobsAccepted jobsSubmitted jobsDisputed jobsCompleted jobsCancelled jobsExpired
  jobsDeclined jobsTimedOut jobsRefunded escrowBalance volumePaid feesTotal providerEarningsTotal
  disputeDepositsWonTotal refundsTotal slashedTotal gpuSecondsBilled disputeCount disputesOpen minStakePerGpu pausedUntil
  currentParams { id } protocolFeeBps collateralRatioBps`;

export const GPU_MODEL_FIELDS = `id name providerCount onlineProviderCount gpusTotal gpusFree gpusOnline gpusFreeOnline`;

export const REGION_FIELDS = `id providerCount onlineProviderCount gpusTotal gpusFree gpusOnline gpusFreeOnline`;

export const NETWORK_DAY_FIELDS = `
  id day date jobsCreated jobsCompleted volumePaid fees disputeDepositsWon slashed gpuSecondsBilled providersRegistered providerCount
  onlineProviderCount gpusTotal gpusInUse stakeTotal jobsRunning`;

export const PARAMETER_FIELDS = `id contract contractKind name value addressValue changeCount updatedAt`;

export const PROPOSAL_FIELDS = `
  id proposer { id } status targets values calldatas description title voteStart voteEnd quorum forVotes againstVotes
  abstainVotes voteCount quorumReached createdAt eta queuedAt executedAt canceledAt timelockOperation { status }`;

export const VOTE_FIELDS = `id voter { id } support weight reason timestamp`;

export const META_FIELDS = `block { number hash timestamp parentHash } hasIndexingErrors deployment`;

/** `_meta` as graph-node before v0.35 has it: without the block's parent hash. */
export const META_FIELDS_WITHOUT_PARENT = `block { number hash timestamp } hasIndexingErrors deployment`;

/** The id of the one Protocol entity. */
export const PROTOCOL_ID = "latent";
