// Shared helpers of the Latent mappings: ids, decoding, the Protocol singleton, daily rollups, providers,
// inventory aggregates, accounts and parameters. Mappings never call the chain: everything comes from events.
import { Address, BigInt, Bytes, Entity, ethereum, store, Value } from "@graphprotocol/graph-ts";
import {
  Account,
  GpuModel,
  Job,
  NetworkDay,
  Parameter,
  ParameterChange,
  Protocol,
  Provider,
  ProviderDay,
  Region,
  TokenRecovery,
} from "../generated/schema";

export const PROTOCOL_ID = "latent";
export const SECONDS_PER_DAY: i64 = 86400;
export const ANY_KEY = "*";

export const ZERO = BigInt.fromI32(0);
export const ONE = BigInt.fromI32(1);
export const ZERO_ADDRESS: Bytes = Address.zero();

// Event categories (enum EventCategory).
export const CAT_PROVIDER = "Provider";
export const CAT_STAKE = "Stake";
export const CAT_JOB = "Job";
export const CAT_DISPUTE = "Dispute";
export const CAT_GOVERNANCE = "Governance";
export const CAT_TIMELOCK = "Timelock";
export const CAT_PARAMETER = "Parameter";
export const CAT_PAUSE = "Pause";
export const CAT_TOKEN = "Token";

// ---------------------------------------------------------------------------------------------------------------
// Ids and decoding
// ---------------------------------------------------------------------------------------------------------------

/** Id of an event entity: transaction hash ++ log index (little-endian i32), graph-cli's convention. */
export function eventId(event: ethereum.Event): Bytes {
  return event.transaction.hash.concatI32(event.logIndex.toI32());
}

/** Decimal string id of a job, dispute, proposal or params version. */
export function decimalId(n: BigInt): string {
  return n.toString();
}

export function isZeroBytes(b: Bytes): bool {
  for (let i = 0; i < b.length; i++) {
    if (b[i] != 0) return false;
  }
  return true;
}

/** Nullable address: null for the zero address. */
export function addressOrNull(a: Bytes): Bytes | null {
  if (isZeroBytes(a)) return null;
  return a;
}

/**
 * Decodes a normalised identifier (gpuModel bytes32, region bytes16): left-aligned lowercase ASCII `[a-z0-9-]`,
 * zero-padded. Anything else (which the contracts refuse) is returned as hex, so it can never collide with a valid
 * identifier.
 */
export function decodeIdentifier(raw: Bytes): string {
  let s = "";
  let ended = false;
  for (let i = 0; i < raw.length; i++) {
    let c = raw[i] as i32;
    if (ended) {
      if (c != 0) return raw.toHexString();
      continue;
    }
    if (c == 0) {
      ended = true;
      continue;
    }
    let ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45; // a-z 0-9 -
    if (!ok) return raw.toHexString();
    s += String.fromCharCode(c);
  }
  if (s.length == 0) return raw.toHexString();
  return s;
}

/** Decodes a parameter name (left-aligned printable ASCII, zero-padded bytes32); hex if it is not one. */
export function decodeName(raw: Bytes): string {
  let s = "";
  let ended = false;
  for (let i = 0; i < raw.length; i++) {
    let c = raw[i] as i32;
    if (ended) {
      if (c != 0) return raw.toHexString();
      continue;
    }
    if (c == 0) {
      ended = true;
      continue;
    }
    if (c < 32 || c > 126) return raw.toHexString();
    s += String.fromCharCode(c);
  }
  if (s.length == 0) return raw.toHexString();
  return s;
}

export function tierName(tier: i32): string {
  if (tier == 1) return "Enterprise";
  if (tier == 2) return "Consumer";
  return "Any";
}

export function dayOf(timestamp: BigInt): i32 {
  return (timestamp.toI64() / SECONDS_PER_DAY) as i32;
}

export function minBigInt(a: BigInt, b: BigInt): BigInt {
  return a.lt(b) ? a : b;
}

// ---------------------------------------------------------------------------------------------------------------
// Activity feed
// ---------------------------------------------------------------------------------------------------------------

/** Addresses for `Event.accounts`: zero addresses dropped, duplicates removed, order kept. */
export function accountList(list: Bytes[]): Bytes[] {
  let out = new Array<Bytes>();
  for (let i = 0; i < list.length; i++) {
    let a = list[i];
    if (isZeroBytes(a)) continue;
    let seen = false;
    for (let j = 0; j < out.length; j++) {
      if (out[j].equals(a)) {
        seen = true;
        break;
      }
    }
    if (!seen) out.push(a);
  }
  return out;
}

/** Sets the fields every `Event` has (the job and provider references are set by the caller when they apply). */
export function stamp(entity: Entity, event: ethereum.Event, category: string, accounts: Bytes[]): void {
  entity.set("timestamp", Value.fromBigInt(event.block.timestamp));
  entity.set("blockNumber", Value.fromBigInt(event.block.number));
  entity.set("transaction", Value.fromBytes(event.transaction.hash));
  entity.set("logIndex", Value.fromBigInt(event.logIndex));
  entity.set("from", Value.fromBytes(event.transaction.from));
  entity.set("category", Value.fromString(category));
  entity.set("accounts", Value.fromBytesArray(accountList(accounts)));
}

// ---------------------------------------------------------------------------------------------------------------
// Protocol and NetworkDay
// ---------------------------------------------------------------------------------------------------------------

export function loadProtocol(): Protocol {
  let p = Protocol.load(PROTOCOL_ID);
  if (p != null) return p;
  p = new Protocol(PROTOCOL_ID);
  p.providerCount = 0;
  p.onlineProviderCount = 0;
  p.gpusTotal = 0;
  p.gpusInUse = 0;
  p.gpusFree = 0;
  p.gpusOnline = 0;
  p.gpusFreeOnline = 0;
  p.stakeTotal = ZERO;
  p.stakeLocked = ZERO;
  p.stakeThawing = ZERO;
  p.jobCount = 0;
  p.jobsOpen = 0;
  p.jobsAccepted = 0;
  p.jobsSubmitted = 0;
  p.jobsDisputed = 0;
  p.jobsCompleted = 0;
  p.jobsCancelled = 0;
  p.jobsExpired = 0;
  p.jobsDeclined = 0;
  p.jobsTimedOut = 0;
  p.jobsRefunded = 0;
  p.escrowedTotal = ZERO;
  p.escrowBalance = ZERO;
  p.volumePaid = ZERO;
  p.feesTotal = ZERO;
  p.providerEarningsTotal = ZERO;
  p.disputeDepositsWonTotal = ZERO;
  p.refundsTotal = ZERO;
  p.slashedTotal = ZERO;
  p.slashRewardsTotal = ZERO;
  p.slashedToTreasury = ZERO;
  p.gpuSecondsBilled = ZERO;
  p.disputeCount = 0;
  p.disputesOpen = 0;
  p.totalSupply = ZERO;
  p.holderCount = 0;
  p.totalVotingPower = ZERO;
  p.proposalCount = 0;
  p.tokenRecoveryCount = 0;
  p.latRecoveredTotal = ZERO;
  p.minStakePerGpu = ZERO;
  p.thawingPeriod = ZERO;
  p.maxGpusPerProvider = 0;
  p.pauseDuration = ZERO;
  p.pausedUntil = ZERO;
  p.protocolFeeBps = 0;
  p.collateralRatioBps = 0;
  p.timeoutSlashBps = 0;
  p.maxSlashingCutBps = 0;
  p.disputeRewardBps = 0;
  p.challengeWindow = ZERO;
  p.grace = ZERO;
  p.disputePeriod = ZERO;
  p.disputeDeposit = ZERO;
  p.minTrackRecordCost = ZERO;
  p.votingDelay = ZERO;
  p.votingPeriod = ZERO;
  p.proposalThreshold = ZERO;
  p.quorumNumerator = ZERO;
  p.timelockMinDelay = ZERO;
  p.updatedAtBlock = ZERO;
  p.updatedAt = ZERO;
  return p;
}

/** Today's NetworkDay (created with zero counters). Its snapshot fields are written by `commit`. */
export function loadNetworkDay(event: ethereum.Event): NetworkDay {
  let day = dayOf(event.block.timestamp);
  let id = day.toString();
  let d = NetworkDay.load(id);
  if (d != null) return d;
  d = new NetworkDay(id);
  d.day = day;
  d.date = BigInt.fromI64((day as i64) * SECONDS_PER_DAY);
  d.jobsCreated = 0;
  d.jobsAccepted = 0;
  d.jobsSubmitted = 0;
  d.jobsCompleted = 0;
  d.jobsUnaccepted = 0;
  d.jobsTimedOut = 0;
  d.jobsRefunded = 0;
  d.disputesOpened = 0;
  d.disputesResolved = 0;
  d.escrowed = ZERO;
  d.volumePaid = ZERO;
  d.fees = ZERO;
  d.providerEarnings = ZERO;
  d.disputeDepositsWon = ZERO;
  d.refunds = ZERO;
  d.slashed = ZERO;
  d.gpuSecondsBilled = ZERO;
  d.stakeAdded = ZERO;
  d.stakeWithdrawn = ZERO;
  d.providersRegistered = 0;
  d.providerCount = 0;
  d.onlineProviderCount = 0;
  d.gpusTotal = 0;
  d.gpusFree = 0;
  d.gpusInUse = 0;
  d.stakeTotal = ZERO;
  d.jobsRunning = 0;
  d.escrowBalance = ZERO;
  return d;
}

/** Saves the Protocol (stamped with the event's block). For events that change none of NetworkDay's snapshot fields. */
export function saveProtocol(p: Protocol, event: ethereum.Event): void {
  p.updatedAtBlock = event.block.number;
  p.updatedAt = event.block.timestamp;
  p.save();
}

/** Saves the Protocol and today's NetworkDay with its snapshot of the Protocol. */
export function commit(p: Protocol, d: NetworkDay, event: ethereum.Event): void {
  d.providerCount = p.providerCount;
  d.onlineProviderCount = p.onlineProviderCount;
  d.gpusTotal = p.gpusTotal;
  d.gpusFree = p.gpusFree;
  d.gpusInUse = p.gpusInUse;
  d.stakeTotal = p.stakeTotal;
  d.jobsRunning = p.jobsAccepted;
  d.escrowBalance = p.escrowBalance;
  d.save();
  saveProtocol(p, event);
}

// ---------------------------------------------------------------------------------------------------------------
// Providers, inventory and reputation
// ---------------------------------------------------------------------------------------------------------------

export function loadOrCreateProvider(address: Bytes, event: ethereum.Event): Provider {
  let p = Provider.load(address);
  if (p != null) return p;
  p = new Provider(address);
  p.registered = false;
  p.online = false;
  p.gpuModelKey = "";
  p.regionKey = "";
  p.vramGiB = 0;
  p.gpuCount = 0;
  p.gpusInUse = 0;
  p.gpusFree = 0;
  p.pricePerGpuHour = ZERO;
  p.staked = ZERO;
  p.locked = ZERO;
  p.thawing = ZERO;
  p.freeStake = ZERO;
  p.stakePerGpu = ZERO;
  // Staking's default: a provider that never set a cap has none.
  p.maxSlashRewardBps = 10000;
  p.jobsAccepted = 0;
  p.jobsActive = 0;
  p.jobsCompleted = 0;
  p.jobsTimedOut = 0;
  p.jobsDeclined = 0;
  p.disputesOpened = 0;
  p.disputesWon = 0;
  p.disputesLost = 0;
  p.disputesDrawn = 0;
  p.earned = ZERO;
  p.disputeDepositsWon = ZERO;
  p.disputeDepositsReturned = ZERO;
  p.feesPaid = ZERO;
  p.slashed = ZERO;
  p.gpuSecondsBilled = ZERO;
  p.reputationScore = reputationScore(0, 0, 0);
  p.createdAt = event.block.timestamp;
  p.updatedAt = event.block.timestamp;
  return p;
}

/**
 * Reputation in basis points (the formula is documented on `Provider` in the schema):
 * floor(10_000 * (completed + 1) / (completed + timedOut + 2 * disputesLost + 2)). No history: 5_000.
 */
export function reputationScore(completed: i32, timedOut: i32, disputesLost: i32): i32 {
  let num: i64 = (10000 as i64) * ((completed as i64) + 1);
  let den: i64 = (completed as i64) + (timedOut as i64) + 2 * (disputesLost as i64) + 2;
  return (num / den) as i32;
}

/** `floor((staked - thawing) / gpuCount)`, 0 when no GPUs are listed (or the stake is all thawing). */
export function stakePerGpu(staked: BigInt, thawing: BigInt, gpuCount: i32): BigInt {
  if (gpuCount <= 0) return ZERO;
  let active = staked.minus(thawing);
  if (active.le(ZERO)) return ZERO;
  return active.div(BigInt.fromI32(gpuCount));
}

export function loadProviderDay(p: Provider, event: ethereum.Event): ProviderDay {
  let day = dayOf(event.block.timestamp);
  let id = p.id.concatI32(day);
  let d = ProviderDay.load(id);
  if (d != null) return d;
  d = new ProviderDay(id);
  d.provider = p.id;
  d.day = day;
  d.date = BigInt.fromI64((day as i64) * SECONDS_PER_DAY);
  d.jobsAccepted = 0;
  d.jobsCompleted = 0;
  d.jobsTimedOut = 0;
  d.disputesLost = 0;
  d.earned = ZERO;
  d.disputeDepositsWon = ZERO;
  d.fees = ZERO;
  d.slashed = ZERO;
  d.gpuSecondsBilled = ZERO;
  d.staked = ZERO;
  d.gpusInUse = 0;
  d.pricePerGpuHour = ZERO;
  d.online = false;
  d.reputationScore = 0;
  return d;
}

/**
 * Recomputes a provider's derived fields (gpusFree, freeStake, stakePerGpu, reputationScore) and saves it, without
 * today's ProviderDay: for changes to none of its snapshot fields (locked collateral).
 */
export function saveProviderOnly(p: Provider, event: ethereum.Event): void {
  let free = p.gpuCount - p.gpusInUse;
  p.gpusFree = free > 0 ? free : 0;
  p.freeStake = p.staked.minus(p.locked).minus(p.thawing);
  p.stakePerGpu = stakePerGpu(p.staked, p.thawing, p.gpuCount);
  p.reputationScore = reputationScore(p.jobsCompleted, p.jobsTimedOut, p.disputesLost);
  p.updatedAt = event.block.timestamp;
  p.save();
}

/**
 * Saves a provider as `saveProviderOnly` does and writes today's ProviderDay snapshot (`day`, when the caller already
 * loaded and changed it; otherwise loaded here).
 */
export function saveProvider(p: Provider, event: ethereum.Event, day: ProviderDay | null = null): void {
  saveProviderOnly(p, event);

  let d: ProviderDay;
  if (day != null) d = changetype<ProviderDay>(day);
  else d = loadProviderDay(p, event);
  d.staked = p.staked;
  d.gpusInUse = p.gpusInUse;
  d.pricePerGpuHour = p.pricePerGpuHour;
  d.online = p.online;
  d.reputationScore = p.reputationScore;
  d.save();
}

/** Loads a GpuModel, creating it with zero inventory; `name` (when not empty) becomes its display name. */
export function ensureGpuModel(raw: Bytes, name: string): GpuModel {
  let id = decodeIdentifier(raw);
  let m = GpuModel.load(id);
  if (m == null) {
    m = new GpuModel(id);
    m.raw = raw;
    m.name = name.length > 0 ? name : id;
    m.providerCount = 0;
    m.onlineProviderCount = 0;
    m.gpusTotal = 0;
    m.gpusFree = 0;
    m.gpusOnline = 0;
    m.gpusFreeOnline = 0;
    m.jobCount = 0;
  } else if (name.length > 0) {
    m.name = name;
  }
  m.save();
  return m;
}

/** Loads a Region, creating it with zero inventory. */
export function ensureRegion(raw: Bytes): Region {
  let id = decodeIdentifier(raw);
  let r = Region.load(id);
  if (r == null) {
    r = new Region(id);
    r.raw = raw;
    r.providerCount = 0;
    r.onlineProviderCount = 0;
    r.gpusTotal = 0;
    r.gpusFree = 0;
    r.gpusOnline = 0;
    r.gpusFreeOnline = 0;
    r.jobCount = 0;
    r.save();
  }
  return r;
}

/** What a provider adds to the inventory of the Protocol, its GpuModel and its Region (zero while unregistered). */
export class InventoryShare {
  providers: i32 = 0;
  online: i32 = 0;
  gpusTotal: i32 = 0;
  gpusInUse: i32 = 0;
  gpusFree: i32 = 0;
  gpusOnline: i32 = 0;
  gpusFreeOnline: i32 = 0;
  gpuModel: string | null = null;
  region: string | null = null;

  static of(provider: Provider): InventoryShare {
    let s = new InventoryShare();
    s.gpuModel = provider.gpuModel;
    s.region = provider.region;
    if (!provider.registered) return s;
    let online: i32 = provider.online ? 1 : 0;
    let free = provider.gpuCount - provider.gpusInUse;
    if (free < 0) free = 0;
    s.providers = 1;
    s.online = online;
    s.gpusTotal = provider.gpuCount;
    s.gpusInUse = provider.gpusInUse;
    s.gpusFree = free;
    s.gpusOnline = online * provider.gpuCount;
    s.gpusFreeOnline = online * free;
    return s;
  }
}

/**
 * Moves the aggregates from a provider's share before a change to its share after it, so that the Protocol's, each
 * GpuModel's and each Region's inventory always equal the sums over registered providers. A model or region the change
 * did not move is loaded and saved once, with the difference (capacity and online changes are most of the events).
 */
export function moveInventory(before: InventoryShare, after: InventoryShare, p: Protocol): void {
  p.providerCount += after.providers - before.providers;
  p.onlineProviderCount += after.online - before.online;
  p.gpusTotal += after.gpusTotal - before.gpusTotal;
  p.gpusInUse += after.gpusInUse - before.gpusInUse;
  p.gpusFree += after.gpusFree - before.gpusFree;
  p.gpusOnline += after.gpusOnline - before.gpusOnline;
  p.gpusFreeOnline += after.gpusFreeOnline - before.gpusFreeOnline;

  moveShare("GpuModel", before.gpuModel, after.gpuModel, before, after);
  moveShare("Region", before.region, after.region, before, after);
}

/**
 * Moves `gpus` GPUs of a provider into use (negative: out of use), with the inventory of the Protocol, its GpuModel and
 * its Region. The registry's CapacityReserved and CapacityReleased are only ever emitted inside the escrow's
 * acceptJob, submitResult and time-out, whose own events (JobAccepted, ResultSubmitted, JobTimedOut) come later in
 * the same transaction and carry the job: their handlers move the capacity here, with the Protocol, NetworkDay,
 * Provider and ProviderDay they load anyway, instead of the registry events' handlers loading and saving them all a
 * second time. The registry's `gpusInUse` is the provider's running sum of its jobs' `gpuCount`, and a provider
 * cannot deregister with GPUs in use, so the sum here equals the registry's.
 */
export function moveCapacity(provider: Provider, gpus: i32, p: Protocol): void {
  let before = InventoryShare.of(provider);
  provider.gpusInUse += gpus;
  moveInventory(before, InventoryShare.of(provider), p);
}

/** Moves a share between two GpuModels or two Regions (ids null when the provider has none), or within one. */
function moveShare(type: string, beforeId: string | null, afterId: string | null, before: InventoryShare, after: InventoryShare): void {
  if (beforeId !== null && afterId !== null && beforeId == afterId) {
    addShare(type, beforeId, before, after);
    return;
  }
  if (beforeId !== null) addShare(type, beforeId, before, new InventoryShare());
  if (afterId !== null) addShare(type, afterId, new InventoryShare(), after);
}

// GpuModel and Region carry the same inventory counters, so one entity-generic function serves both.
function addShare(type: string, id: string, before: InventoryShare, after: InventoryShare): void {
  if (
    before.providers == after.providers && before.online == after.online && before.gpusTotal == after.gpusTotal &&
    before.gpusFree == after.gpusFree && before.gpusOnline == after.gpusOnline && before.gpusFreeOnline == after.gpusFreeOnline
  ) return;
  let e = store.get(type, id);
  if (e == null) return;
  addI32(e, "providerCount", after.providers - before.providers);
  addI32(e, "onlineProviderCount", after.online - before.online);
  addI32(e, "gpusTotal", after.gpusTotal - before.gpusTotal);
  addI32(e, "gpusFree", after.gpusFree - before.gpusFree);
  addI32(e, "gpusOnline", after.gpusOnline - before.gpusOnline);
  addI32(e, "gpusFreeOnline", after.gpusFreeOnline - before.gpusFreeOnline);
  store.set(type, id, e);
}

function addI32(e: Entity, field: string, delta: i32): void {
  e.setI32(field, e.getI32(field) + delta);
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------------------------

export function loadOrCreateAccount(address: Bytes, event: ethereum.Event): Account {
  let a = Account.load(address);
  if (a != null) return a;
  a = new Account(address);
  a.balance = ZERO;
  a.votingPower = ZERO;
  a.delegatorCount = 0;
  a.voteCount = 0;
  a.jobCount = 0;
  a.createdAt = event.block.timestamp;
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Governed parameters
// ---------------------------------------------------------------------------------------------------------------

/** Copies a numeric parameter the schema names into the Protocol's current parameters. */
function applyNumericParameter(p: Protocol, name: string, value: BigInt): void {
  if (name == "minStakePerGpu") p.minStakePerGpu = value;
  else if (name == "thawingPeriod") p.thawingPeriod = value;
  else if (name == "maxGpusPerProvider") p.maxGpusPerProvider = value.toI32();
  else if (name == "pauseDuration") p.pauseDuration = value;
  else if (name == "protocolFeeBps") p.protocolFeeBps = value.toI32();
  else if (name == "collateralRatioBps") p.collateralRatioBps = value.toI32();
  else if (name == "timeoutSlashBps") p.timeoutSlashBps = value.toI32();
  else if (name == "maxSlashingCutBps") p.maxSlashingCutBps = value.toI32();
  else if (name == "disputeRewardBps") p.disputeRewardBps = value.toI32();
  else if (name == "challengeWindow") p.challengeWindow = value;
  else if (name == "grace") p.grace = value;
  else if (name == "disputePeriod") p.disputePeriod = value;
  else if (name == "disputeDeposit") p.disputeDeposit = value;
  else if (name == "minTrackRecordCost") p.minTrackRecordCost = value;
  else if (name == "votingDelay") p.votingDelay = value;
  else if (name == "votingPeriod") p.votingPeriod = value;
  else if (name == "proposalThreshold") p.proposalThreshold = value;
  else if (name == "quorumNumerator") p.quorumNumerator = value;
  else if (name == "minDelay") p.timelockMinDelay = value;
}

/** Copies an address parameter the schema names into the Protocol's current parameters. */
function applyAddressParameter(p: Protocol, name: string, value: Bytes): void {
  if (name == "treasury") p.treasury = value;
  else if (name == "arbitrator") p.arbitrator = value;
  else if (name == "guardian") p.guardian = value;
  else if (name == "timelock") p.timelock = value;
}

/**
 * Records a parameter change: the Parameter's current value, a ParameterChange in the feed, and the Protocol's
 * copy when the schema names the parameter. Exactly one of `value` / `addressValue` is set. `previous…` are the
 * event's own old values (governor settings, timelock delay), used when the subgraph has not seen the parameter
 * before.
 */
export function recordParameter(
  event: ethereum.Event,
  contractKind: string,
  name: string,
  eventName: string,
  value: BigInt | null,
  addressValue: Bytes | null,
  previousValue: BigInt | null,
  previousAddressValue: Bytes | null,
): void {
  let id = contractKind + "." + name;
  let param = Parameter.load(id);
  let prevValue = previousValue;
  let prevAddress = previousAddressValue;
  if (param == null) {
    param = new Parameter(id);
    param.contract = event.address;
    param.contractKind = contractKind;
    param.name = name;
    param.changeCount = 0;
  } else {
    prevValue = param.value;
    prevAddress = param.addressValue;
  }
  param.value = value;
  param.addressValue = addressValue;
  param.changeCount += 1;
  param.updatedAt = event.block.timestamp;
  param.updatedTransaction = event.transaction.hash;
  param.save();

  let change = new ParameterChange(eventId(event));
  let accounts = new Array<Bytes>();
  accounts.push(event.address);
  if (addressValue !== null) accounts.push(addressValue);
  stamp(change, event, CAT_PARAMETER, accounts);
  change.parameter = id;
  change.contract = event.address;
  change.contractKind = contractKind;
  change.name = name;
  change.eventName = eventName;
  change.value = value;
  change.addressValue = addressValue;
  change.previousValue = prevValue;
  change.previousAddressValue = prevAddress;
  change.save();

  let p = loadProtocol();
  if (value !== null) applyNumericParameter(p, name, value);
  if (addressValue !== null) applyAddressParameter(p, name, addressValue);
  saveProtocol(p, event);
}

/** ParameterUpdated(bytes32 indexed parameter, uint256 value) of any governed contract. */
export function recordParameterUpdated(event: ethereum.Event, contractKind: string, rawName: Bytes, value: BigInt): void {
  recordParameter(event, contractKind, decodeName(rawName), "ParameterUpdated", value, null, null, null);
}

/** AddressParameterUpdated(bytes32 indexed parameter, address value) of any governed contract. */
export function recordAddressParameterUpdated(
  event: ethereum.Event,
  contractKind: string,
  rawName: Bytes,
  value: Bytes,
): void {
  recordParameter(event, contractKind, decodeName(rawName), "AddressParameterUpdated", null, value, null, null);
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------------------------

/** Adds `delta` to the Protocol's count of jobs in `status`. */
export function countJobStatus(p: Protocol, status: string, delta: i32): void {
  if (status == "Open") p.jobsOpen += delta;
  else if (status == "Accepted") p.jobsAccepted += delta;
  else if (status == "Submitted") p.jobsSubmitted += delta;
  else if (status == "Disputed") p.jobsDisputed += delta;
  else if (status == "Completed") p.jobsCompleted += delta;
  else if (status == "Cancelled") p.jobsCancelled += delta;
  else if (status == "Expired") p.jobsExpired += delta;
  else if (status == "Declined") p.jobsDeclined += delta;
  else if (status == "TimedOut") p.jobsTimedOut += delta;
  else if (status == "Refunded") p.jobsRefunded += delta;
}

/** Moves a job to `status`, keeping the Protocol's jobs-by-status counts. */
export function setJobStatus(job: Job, status: string, p: Protocol, event: ethereum.Event): void {
  countJobStatus(p, job.status, -1);
  countJobStatus(p, status, 1);
  job.status = status;
  job.updatedAt = event.block.timestamp;
}

// ---------------------------------------------------------------------------------------------------------------
// Token recovery
// ---------------------------------------------------------------------------------------------------------------

/**
 * A TokensRecovered of `contractKind`: governance sent `amount` of `token`, sent to that contract by mistake, to `to`.
 * LAT is told from other tokens by the address its mints recorded in the Protocol.
 */
export function recordTokenRecovery(event: ethereum.Event, contractKind: string, token: Bytes, to: Bytes, amount: BigInt): void {
  let p = loadProtocol();
  let lat = p.token;
  let isLat = false;
  if (lat) isLat = lat.equals(token);
  p.tokenRecoveryCount += 1;
  if (isLat) p.latRecoveredTotal = p.latRecoveredTotal.plus(amount);
  saveProtocol(p, event);

  let e = new TokenRecovery(eventId(event));
  stamp(e, event, CAT_GOVERNANCE, [to]);
  e.contract = event.address;
  e.contractKind = contractKind;
  e.token = token;
  e.isLat = isLat;
  e.to = to;
  e.amount = amount;
  e.save();
}
