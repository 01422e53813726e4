// JobEscrow: the life of a job, and the versions of the economic parameters.
import { BigInt, Bytes, crypto, ethereum } from "@graphprotocol/graph-ts";
import {
  AddressParameterUpdated,
  EconomicParamsUpdated,
  JobAbandoned,
  JobAccepted,
  JobCancelled,
  JobCreated,
  JobDeclined,
  JobExpired,
  JobRefunded,
  JobSettled,
  JobTimedOut,
  ParameterUpdated,
  ResultSubmitted,
  TokensRecovered,
} from "../generated/JobEscrow/JobEscrow";
import {
  EconomicParams,
  EconomicParamsUpdatedEvent,
  Job,
  JobAbandonedEvent,
  JobAcceptedEvent,
  JobCancelledEvent,
  JobCreatedEvent,
  JobDeclinedEvent,
  JobExpiredEvent,
  JobRefundedEvent,
  JobSettledEvent,
  JobTimedOutEvent,
  NetworkDay,
  Protocol,
  Provider,
  ResultSubmittedEvent,
} from "../generated/schema";
import {
  ANY_KEY,
  CAT_JOB,
  CAT_PARAMETER,
  commit,
  decimalId,
  ensureGpuModel,
  ensureRegion,
  eventId,
  isZeroBytes,
  loadNetworkDay,
  loadOrCreateAccount,
  loadOrCreateProvider,
  loadProtocol,
  loadProviderDay,
  minBigInt,
  moveCapacity,
  recordAddressParameterUpdated,
  recordParameterUpdated,
  recordTokenRecovery,
  saveProvider,
  setJobStatus,
  stamp,
  tierName,
  ZERO,
} from "./common";

const KIND = "JobEscrow";
const SETTLEMENT_REASONS = ["Approved", "ChallengeWindowPassed", "DisputeRejected", "DisputeDraw"];

function settlementReason(reason: i32): string {
  if (reason >= 0 && reason < SETTLEMENT_REASONS.length) return SETTLEMENT_REASONS[reason];
  return "Approved";
}

/** A job that must exist: events about a job always follow its JobCreated. */
function loadJob(jobId: BigInt): Job {
  let job = Job.load(decimalId(jobId));
  if (job == null) throw new Error("JobEscrow event for unknown job " + jobId.toString());
  return job;
}

/**
 * Ends a job with a final status: the refund, the escrow it frees, the closing timestamps. `paid` is what the
 * client paid (the cost when settled, zero otherwise).
 */
function closeJob(job: Job, status: string, paid: BigInt, refund: BigInt, p: Protocol, d: NetworkDay, event: ethereum.Event): void {
  setJobStatus(job, status, p, event);
  job.amountPaid = paid;
  job.refund = refund;
  job.closedAt = event.block.timestamp;
  job.closedTransaction = event.transaction.hash;
  p.escrowBalance = p.escrowBalance.minus(job.escrowed);
  p.refundsTotal = p.refundsTotal.plus(refund);
  d.refunds = d.refunds.plus(refund);
}

/**
 * Unlocks what is left of a closing job's collateral: from its provider's and the Protocol's locked stake, into the
 * job's `collateralUnlocked`. Staking's `unlock` and `slashAndUnlock` are its only unlocks, callable only by its
 * immutable `jobEscrow` (the deployment checks it is this escrow, `staking.jobEscrow`); the escrow calls them only in
 * `_settle` (settle, settleDisputed), `refundDisputed` and `_timeOut`, each of which emits its JobSettled, JobRefunded
 * or JobTimedOut after Staking's CollateralUnlocked in the same call, so that handler does it here, with the entities
 * it loads anyway. The amount is derived: `unlock` frees the whole lock, the `collateral` of JobAccepted (a job is
 * locked once, at acceptance, and nothing else slashes a running job); `slashAndUnlock` frees the lock less the slash,
 * whose Slashed it emits before CollateralUnlocked and whose handler adds it to `collateralSlashed` and sets the
 * provider's `locked` to Staking's after the slash.
 */
function unlockCollateral(job: Job, provider: Provider, p: Protocol): void {
  let collateral = job.collateral;
  if (collateral === null) throw new Error("JobEscrow closed job " + job.id + " with no collateral");
  let unlocked = collateral.minus(job.collateralSlashed);
  job.collateralUnlocked = job.collateralUnlocked.plus(unlocked);
  provider.locked = provider.locked.minus(unlocked);
  p.stakeLocked = p.stakeLocked.minus(unlocked);
}

export function handleJobCreated(event: JobCreated): void {
  let params = event.params;
  let terms = params.terms;
  let req = terms.requirements;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let id = decimalId(params.jobId);

  let job = new Job(id);
  job.jobId = params.jobId;
  job.status = "Open";
  p.jobCount += 1;
  p.jobsOpen += 1;

  let client = loadOrCreateAccount(params.client, event);
  client.jobCount += 1;
  client.save();
  job.client = client.id;

  if (isZeroBytes(req.gpuModel)) {
    job.gpuModelKey = ANY_KEY;
  } else {
    let model = ensureGpuModel(req.gpuModel, "");
    model.jobCount += 1;
    model.save();
    job.gpuModel = model.id;
    job.gpuModelKey = model.id;
  }
  job.gpuModelRaw = req.gpuModel;
  if (isZeroBytes(req.region)) {
    job.regionKey = ANY_KEY;
  } else {
    let region = ensureRegion(req.region);
    region.jobCount += 1;
    region.save();
    job.region = region.id;
    job.regionKey = region.id;
  }
  job.regionRaw = req.region;
  job.minVramGiB = req.minVramGiB;
  job.gpuCount = req.gpuCount;
  job.tier = tierName(req.tier);
  job.minCompletedJobs = req.minCompletedJobs;
  job.minSlashRewardBps = req.minSlashRewardBps;
  job.maxPricePerGpuHour = terms.maxPricePerGpuHour;
  job.maxDuration = terms.maxDuration;
  job.acceptDeadline = terms.acceptDeadline;
  job.targetProvider = terms.targetProvider;
  job.directed = !isZeroBytes(terms.targetProvider);
  job.specHash = terms.specHash;
  job.specURI = params.specURI;
  // termsHash = keccak256(abi.encode(terms)): JobTerms is a static tuple, so its ABI encoding has no offset word.
  let encoded = ethereum.encode(ethereum.Value.fromTuple(terms));
  job.termsHash = encoded !== null ? Bytes.fromByteArray(crypto.keccak256(encoded)) : Bytes.empty();

  job.escrowed = params.escrowed;
  job.deadline = terms.acceptDeadline;
  job.collateralUnlocked = ZERO;
  job.collateralSlashed = ZERO;
  job.createdAt = event.block.timestamp;
  job.createdAtBlock = event.block.number;
  job.createdTransaction = event.transaction.hash;
  job.updatedAt = event.block.timestamp;
  job.save();

  let e = new JobCreatedEvent(eventId(event));
  stamp(e, event, CAT_JOB, [params.client, params.targetProvider]);
  e.job = id;
  e.client = params.client;
  e.targetProvider = params.targetProvider;
  e.escrowed = params.escrowed;
  e.save();

  p.escrowedTotal = p.escrowedTotal.plus(params.escrowed);
  p.escrowBalance = p.escrowBalance.plus(params.escrowed);
  d.jobsCreated += 1;
  d.escrowed = d.escrowed.plus(params.escrowed);
  commit(p, d, event);
}

export function handleJobCancelled(event: JobCancelled): void {
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(event.params.jobId);
  closeJob(job, "Cancelled", ZERO, event.params.refund, p, d, event);
  job.cancelledAt = event.block.timestamp;
  job.cancelledTransaction = event.transaction.hash;
  job.save();

  let e = new JobCancelledEvent(eventId(event));
  stamp(e, event, CAT_JOB, [event.params.client]);
  e.job = job.id;
  e.refund = event.params.refund;
  e.save();

  d.jobsUnaccepted += 1;
  commit(p, d, event);
}

export function handleJobExpired(event: JobExpired): void {
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(event.params.jobId);
  closeJob(job, "Expired", ZERO, event.params.refund, p, d, event);
  job.expiredAt = event.block.timestamp;
  job.expiredTransaction = event.transaction.hash;
  job.save();

  let e = new JobExpiredEvent(eventId(event));
  stamp(e, event, CAT_JOB, [event.params.client]);
  e.job = job.id;
  e.refund = event.params.refund;
  e.save();

  d.jobsUnaccepted += 1;
  commit(p, d, event);
}

export function handleJobDeclined(event: JobDeclined): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(params.jobId);
  closeJob(job, "Declined", ZERO, params.refund, p, d, event);
  job.declinedAt = event.block.timestamp;
  job.declinedTransaction = event.transaction.hash;
  job.declinedBy = params.by;
  job.save();

  // A client may direct a job at any address, and that address may decline it without ever having registered or
  // staked: declining must not make it a Provider. Only an existing provider keeps the count.
  let provider = Provider.load(params.provider);
  if (provider != null) {
    provider.jobsDeclined += 1;
    saveProvider(provider, event);
  }

  let e = new JobDeclinedEvent(eventId(event));
  stamp(e, event, CAT_JOB, [job.client, params.provider, params.by]);
  e.job = job.id;
  if (provider != null) e.provider = provider.id;
  e.by = params.by;
  e.refund = params.refund;
  e.save();

  d.jobsUnaccepted += 1;
  commit(p, d, event);
}

export function handleJobAccepted(event: JobAccepted): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(params.jobId);
  setJobStatus(job, "Accepted", p, event);
  job.provider = params.provider;
  job.pricePerGpuHour = params.pricePerGpuHour;
  job.collateral = params.collateral;
  job.params = decimalId(params.paramsId);
  job.resultDeadline = params.resultDeadline;
  job.deadline = params.resultDeadline;
  job.acceptedAt = event.block.timestamp;
  job.acceptedTransaction = event.transaction.hash;
  job.acceptedBy = params.by;
  job.save();

  let provider = loadOrCreateProvider(params.provider, event);
  provider.jobsAccepted += 1;
  provider.jobsActive += 1;
  // This transaction's CapacityReserved (the job's GPUs) and CollateralLocked (`collateral`), emitted before this
  // event, only record themselves in the feed: their effects are applied here (see moveCapacity).
  moveCapacity(provider, job.gpuCount, p);
  provider.locked = provider.locked.plus(params.collateral);
  p.stakeLocked = p.stakeLocked.plus(params.collateral);
  let pd = loadProviderDay(provider, event);
  pd.jobsAccepted += 1;
  saveProvider(provider, event, pd);

  let e = new JobAcceptedEvent(eventId(event));
  stamp(e, event, CAT_JOB, [job.client, params.provider, params.by]);
  e.job = job.id;
  e.provider = provider.id;
  e.by = params.by;
  e.pricePerGpuHour = params.pricePerGpuHour;
  e.collateral = params.collateral;
  e.params = decimalId(params.paramsId);
  e.resultDeadline = params.resultDeadline;
  e.save();

  d.jobsAccepted += 1;
  commit(p, d, event);
}

export function handleResultSubmitted(event: ResultSubmitted): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(params.jobId);
  setJobStatus(job, "Submitted", p, event);
  job.resultURI = params.resultURI;
  job.resultHash = params.resultHash;
  job.cost = params.cost;
  job.challengeDeadline = params.challengeDeadline;
  job.submittedAt = event.block.timestamp;
  job.submittedTransaction = event.transaction.hash;
  job.submittedBy = params.by;
  let acceptedAt = job.acceptedAt;
  if (acceptedAt !== null) {
    job.billedSeconds = minBigInt(event.block.timestamp.minus(acceptedAt), job.maxDuration);
  }
  job.save();

  // This transaction's CapacityReleased, emitted before this event, only records itself: see moveCapacity.
  let provider = loadOrCreateProvider(params.provider, event);
  moveCapacity(provider, -job.gpuCount, p);
  saveProvider(provider, event);

  let e = new ResultSubmittedEvent(eventId(event));
  stamp(e, event, CAT_JOB, [job.client, params.provider, params.by]);
  e.job = job.id;
  e.provider = params.provider;
  e.by = params.by;
  e.resultURI = params.resultURI;
  e.resultHash = params.resultHash;
  e.cost = params.cost;
  e.challengeDeadline = params.challengeDeadline;
  e.save();

  d.jobsSubmitted += 1;
  commit(p, d, event);
}

export function handleJobSettled(event: JobSettled): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(params.jobId);
  closeJob(job, "Completed", params.cost, params.refund, p, d, event);
  job.cost = params.cost;
  job.fee = params.fee;
  job.providerAmount = params.providerAmount;
  job.settlementReason = settlementReason(params.reason);
  // JobEscrow's rule, from the version fixed at acceptance: a cheaper job settles but builds no track record.
  let counts = params.cost.ge(trackRecordThreshold(job.params));
  job.countsForTrackRecord = counts;
  job.settledAt = event.block.timestamp;
  job.settledTransaction = event.transaction.hash;
  let billed = job.billedSeconds;
  let gpuSeconds = billed !== null ? billed.times(BigInt.fromI32(job.gpuCount)) : ZERO;

  let provider = loadOrCreateProvider(params.provider, event);
  unlockCollateral(job, provider, p);
  job.save();
  if (counts) provider.jobsCompleted += 1;
  provider.jobsActive -= 1;
  provider.earned = provider.earned.plus(params.providerAmount);
  provider.feesPaid = provider.feesPaid.plus(params.fee);
  provider.gpuSecondsBilled = provider.gpuSecondsBilled.plus(gpuSeconds);
  let pd = loadProviderDay(provider, event);
  if (counts) pd.jobsCompleted += 1;
  pd.earned = pd.earned.plus(params.providerAmount);
  pd.fees = pd.fees.plus(params.fee);
  pd.gpuSecondsBilled = pd.gpuSecondsBilled.plus(gpuSeconds);
  saveProvider(provider, event, pd);

  let e = new JobSettledEvent(eventId(event));
  stamp(e, event, CAT_JOB, [job.client, params.provider]);
  e.job = job.id;
  e.provider = provider.id;
  e.reason = settlementReason(params.reason);
  e.cost = params.cost;
  e.fee = params.fee;
  e.providerAmount = params.providerAmount;
  e.refund = params.refund;
  e.save();

  p.volumePaid = p.volumePaid.plus(params.cost);
  p.feesTotal = p.feesTotal.plus(params.fee);
  p.providerEarningsTotal = p.providerEarningsTotal.plus(params.providerAmount);
  p.gpuSecondsBilled = p.gpuSecondsBilled.plus(gpuSeconds);
  d.jobsCompleted += 1;
  d.volumePaid = d.volumePaid.plus(params.cost);
  d.fees = d.fees.plus(params.fee);
  d.providerEarnings = d.providerEarnings.plus(params.providerAmount);
  d.gpuSecondsBilled = d.gpuSecondsBilled.plus(gpuSeconds);
  commit(p, d, event);
}

/** The `minTrackRecordCost` of a settled job's params version (always indexed: its EconomicParamsUpdated came first). */
function trackRecordThreshold(paramsId: string | null): BigInt {
  if (paramsId === null) return ZERO;
  let version = EconomicParams.load(paramsId);
  return version === null ? ZERO : version.minTrackRecordCost;
}

export function handleJobTimedOut(event: JobTimedOut): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(params.jobId);
  closeJob(job, "TimedOut", ZERO, params.refund, p, d, event);
  job.timedOutAt = event.block.timestamp;
  job.timedOutTransaction = event.transaction.hash;

  let provider = loadOrCreateProvider(params.provider, event);
  unlockCollateral(job, provider, p);
  job.save();
  provider.jobsTimedOut += 1;
  provider.jobsActive -= 1;
  // This transaction's CapacityReleased, emitted before this event, only records itself: see moveCapacity.
  moveCapacity(provider, -job.gpuCount, p);
  let pd = loadProviderDay(provider, event);
  pd.jobsTimedOut += 1;
  saveProvider(provider, event, pd);

  let e = new JobTimedOutEvent(eventId(event));
  stamp(e, event, CAT_JOB, [job.client, params.provider]);
  e.job = job.id;
  e.provider = provider.id;
  e.refund = params.refund;
  e.slashed = params.slashed;
  // Set by the JobAbandoned just before in this transaction: the feed tells a give-back from a missed deadline
  // without a reader fetching the job.
  e.abandonedBy = job.abandonedBy;
  e.save();

  d.jobsTimedOut += 1;
  commit(p, d, event);
}

// The JobTimedOut that follows in the same transaction settles the job, its counts and its money, as for any timeout:
// this only records that the provider gave it back, and who did.
export function handleJobAbandoned(event: JobAbandoned): void {
  let params = event.params;
  let job = loadJob(params.jobId);
  job.abandonedBy = params.by;
  job.updatedAt = event.block.timestamp;
  job.save();

  let e = new JobAbandonedEvent(eventId(event));
  stamp(e, event, CAT_JOB, [job.client, params.provider, params.by]);
  e.job = job.id;
  e.provider = params.provider;
  e.by = params.by;
  e.save();
}

export function handleJobRefunded(event: JobRefunded): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let job = loadJob(params.jobId);
  closeJob(job, "Refunded", ZERO, params.refund, p, d, event);
  job.refundedAt = event.block.timestamp;
  job.refundedTransaction = event.transaction.hash;

  let provider = loadOrCreateProvider(params.provider, event);
  unlockCollateral(job, provider, p);
  job.save();
  provider.jobsActive -= 1;
  saveProvider(provider, event);

  let e = new JobRefundedEvent(eventId(event));
  stamp(e, event, CAT_JOB, [job.client, params.provider]);
  e.job = job.id;
  e.provider = provider.id;
  e.refund = params.refund;
  e.save();

  d.jobsRefunded += 1;
  commit(p, d, event);
}

export function handleEconomicParamsUpdated(event: EconomicParamsUpdated): void {
  let params = event.params.params;
  let id = decimalId(event.params.paramsId);
  // A version is written once; should an id ever repeat, the first record stands (the entity is immutable).
  let version = EconomicParams.load(id);
  if (version == null) {
    version = new EconomicParams(id);
    version.paramsId = event.params.paramsId;
    version.protocolFeeBps = params.protocolFeeBps;
    version.collateralRatioBps = params.collateralRatioBps;
    version.timeoutSlashBps = params.timeoutSlashBps;
    version.maxSlashingCutBps = params.maxSlashingCutBps;
    version.disputeRewardBps = params.disputeRewardBps;
    version.challengeWindow = params.challengeWindow;
    version.grace = params.grace;
    version.disputePeriod = params.disputePeriod;
    version.disputeDeposit = params.disputeDeposit;
    version.minTrackRecordCost = params.minTrackRecordCost;
    version.createdAt = event.block.timestamp;
    version.createdAtBlock = event.block.number;
    version.createdTransaction = event.transaction.hash;
    version.save();
  }

  let p = loadProtocol();
  p.currentParams = id;
  p.protocolFeeBps = params.protocolFeeBps;
  p.collateralRatioBps = params.collateralRatioBps;
  p.timeoutSlashBps = params.timeoutSlashBps;
  p.maxSlashingCutBps = params.maxSlashingCutBps;
  p.disputeRewardBps = params.disputeRewardBps;
  p.challengeWindow = params.challengeWindow;
  p.grace = params.grace;
  p.disputePeriod = params.disputePeriod;
  p.disputeDeposit = params.disputeDeposit;
  p.minTrackRecordCost = params.minTrackRecordCost;
  p.updatedAtBlock = event.block.number;
  p.updatedAt = event.block.timestamp;
  p.save();

  let e = new EconomicParamsUpdatedEvent(eventId(event));
  stamp(e, event, CAT_PARAMETER, [event.address]);
  e.params = id;
  e.save();
}

export function handleEscrowParameterUpdated(event: ParameterUpdated): void {
  recordParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handleEscrowAddressParameterUpdated(event: AddressParameterUpdated): void {
  recordAddressParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handleEscrowTokensRecovered(event: TokensRecovered): void {
  recordTokenRecovery(event, KIND, event.params.token, event.params.to, event.params.amount);
}
