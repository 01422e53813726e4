// Staking: stake, thaw requests, withdrawals, job collateral and slashing.
import { Bytes } from "@graphprotocol/graph-ts";
import {
  AddressParameterUpdated,
  CollateralLocked,
  CollateralUnlocked,
  MaxSlashRewardSet,
  ParameterUpdated,
  Slashed,
  Staked,
  ThawRequested,
  TokensRecovered,
  Withdrawn,
} from "../generated/Staking/Staking";
import {
  CollateralLockedEvent,
  CollateralUnlockedEvent,
  Job,
  MaxSlashRewardSetEvent,
  Slash,
  StakedEvent,
  ThawRequest,
  ThawRequestedEvent,
  WithdrawnEvent,
} from "../generated/schema";
import {
  CAT_STAKE,
  commit,
  decimalId,
  eventId,
  loadNetworkDay,
  loadOrCreateProvider,
  loadProtocol,
  loadProviderDay,
  recordAddressParameterUpdated,
  recordParameterUpdated,
  recordTokenRecovery,
  saveProvider,
  saveProviderOnly,
  stamp,
} from "./common";

const KIND = "Staking";

/** Id of a thaw request: provider address ++ request index (little-endian i32). */
function thawRequestId(provider: Bytes, requestIndex: i32): Bytes {
  return provider.concatI32(requestIndex);
}

export function handleStaked(event: Staked): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(params.provider, event);
  p.stakeTotal = p.stakeTotal.plus(params.staked.minus(provider.staked));
  provider.staked = params.staked;
  saveProvider(provider, event);

  let e = new StakedEvent(eventId(event));
  stamp(e, event, CAT_STAKE, [params.provider, params.from]);
  e.provider = provider.id;
  e.staker = params.from;
  e.amount = params.amount;
  e.stakedAfter = params.staked;
  e.save();

  d.stakeAdded = d.stakeAdded.plus(params.amount);
  commit(p, d, event);
}

export function handleThawRequested(event: ThawRequested): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(params.provider, event);
  p.stakeThawing = p.stakeThawing.plus(params.thawing.minus(provider.thawing));
  provider.thawing = params.thawing;
  saveProvider(provider, event);

  let request = new ThawRequest(thawRequestId(params.provider, params.requestIndex.toI32()));
  request.provider = provider.id;
  request.requestIndex = params.requestIndex;
  request.amount = params.amount;
  request.maturesAt = params.maturesAt;
  request.requestedAt = event.block.timestamp;
  request.requestedTransaction = event.transaction.hash;
  request.withdrawn = false;
  request.save();

  let e = new ThawRequestedEvent(eventId(event));
  stamp(e, event, CAT_STAKE, [params.provider]);
  e.provider = provider.id;
  e.thawRequest = request.id;
  e.amount = params.amount;
  e.maturesAt = params.maturesAt;
  e.thawingAfter = params.thawing;
  e.save();

  commit(p, d, event);
}

export function handleWithdrawn(event: Withdrawn): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(params.provider, event);
  p.stakeTotal = p.stakeTotal.plus(params.staked.minus(provider.staked));
  p.stakeThawing = p.stakeThawing.plus(params.thawing.minus(provider.thawing));
  provider.staked = params.staked;
  provider.thawing = params.thawing;
  saveProvider(provider, event);

  // `count` is at most Staking's MAX_THAW_REQUESTS, so this loop is short.
  let first = params.firstRequestIndex.toI32();
  let count = params.count.toI32();
  for (let i = 0; i < count; i++) {
    let request = ThawRequest.load(thawRequestId(params.provider, first + i));
    if (request == null) continue;
    request.withdrawn = true;
    request.withdrawnAt = event.block.timestamp;
    request.withdrawnTransaction = event.transaction.hash;
    request.save();
  }

  let e = new WithdrawnEvent(eventId(event));
  stamp(e, event, CAT_STAKE, [params.provider]);
  e.provider = provider.id;
  e.firstRequestIndex = params.firstRequestIndex;
  e.count = params.count;
  e.amount = params.amount;
  e.stakedAfter = params.staked;
  e.thawingAfter = params.thawing;
  e.save();

  d.stakeWithdrawn = d.stakeWithdrawn.plus(params.amount);
  commit(p, d, event);
}

// Staking locks collateral only inside the escrow's acceptJob, whose JobAccepted, later in the transaction, carries
// the amount: its handler moves the Protocol's and the provider's locked stake with the entities it loads anyway.
export function handleCollateralLocked(event: CollateralLocked): void {
  let params = event.params;
  let e = new CollateralLockedEvent(eventId(event));
  stamp(e, event, CAT_STAKE, [params.provider]);
  e.provider = params.provider;
  e.job = decimalId(params.jobId);
  e.jobId = params.jobId;
  e.amount = params.amount;
  e.lockedAfter = params.locked;
  e.save();
}

// Staking unlocks collateral only inside the escrow's settlement, dispute refund and time-out, whose JobSettled,
// JobRefunded or JobTimedOut, later in the transaction, moves the locked stake (see unlockCollateral in escrow.ts).
export function handleCollateralUnlocked(event: CollateralUnlocked): void {
  let params = event.params;
  let e = new CollateralUnlockedEvent(eventId(event));
  stamp(e, event, CAT_STAKE, [params.provider]);
  e.provider = params.provider;
  e.job = decimalId(params.jobId);
  e.jobId = params.jobId;
  e.amount = params.amount;
  e.lockedAfter = params.locked;
  e.save();
}

export function handleSlashed(event: Slashed): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(params.provider, event);
  p.stakeTotal = p.stakeTotal.plus(params.staked.minus(provider.staked));
  p.stakeLocked = p.stakeLocked.plus(params.locked.minus(provider.locked));
  p.slashedTotal = p.slashedTotal.plus(params.amount);
  p.slashRewardsTotal = p.slashRewardsTotal.plus(params.reward);
  p.slashedToTreasury = p.slashedToTreasury.plus(params.toTreasury);
  provider.staked = params.staked;
  provider.locked = params.locked;
  provider.slashed = provider.slashed.plus(params.amount);
  let pd = loadProviderDay(provider, event);
  pd.slashed = pd.slashed.plus(params.amount);
  saveProvider(provider, event, pd);

  // Only two paths slash: a time-out (the job is Accepted, or already TimedOut if the escrow updated it first) and
  // an upheld dispute (the job is Disputed, or already Refunded). The order within the transaction does not matter.
  let reason = "Timeout";
  let job = Job.load(decimalId(params.jobId));
  if (job != null) {
    if (job.status == "Disputed" || job.status == "Refunded") reason = "Dispute";
    job.collateralSlashed = job.collateralSlashed.plus(params.amount);
    job.updatedAt = event.block.timestamp;
    job.save();
  }

  let slash = new Slash(eventId(event));
  stamp(slash, event, CAT_STAKE, [params.provider, params.beneficiary]);
  slash.provider = provider.id;
  slash.job = decimalId(params.jobId);
  slash.reason = reason;
  slash.beneficiary = params.beneficiary;
  slash.amount = params.amount;
  slash.reward = params.reward;
  slash.toTreasury = params.toTreasury;
  slash.stakedAfter = params.staked;
  slash.lockedAfter = params.locked;
  slash.save();

  d.slashed = d.slashed.plus(params.amount);
  commit(p, d, event);
}

export function handleMaxSlashRewardSet(event: MaxSlashRewardSet): void {
  let provider = loadOrCreateProvider(event.params.provider, event);
  provider.maxSlashRewardBps = event.params.maxSlashRewardBps;
  // Not one of ProviderDay's snapshot fields.
  saveProviderOnly(provider, event);

  let e = new MaxSlashRewardSetEvent(eventId(event));
  stamp(e, event, CAT_STAKE, [event.params.provider]);
  e.provider = provider.id;
  e.maxSlashRewardBps = event.params.maxSlashRewardBps;
  e.save();
}

export function handleStakingParameterUpdated(event: ParameterUpdated): void {
  recordParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handleStakingAddressParameterUpdated(event: AddressParameterUpdated): void {
  recordAddressParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handleStakingTokensRecovered(event: TokensRecovered): void {
  recordTokenRecovery(event, KIND, event.params.token, event.params.to, event.params.amount);
}
