// The comparisons: each reads one kind of entity from the indexer (at a block, or at the head) and compares it,
// field by field, with what the contracts' views returned at that block (a ChainState). The expected values follow
// the schema's documented semantics, computed from views only.
import { ZeroHash, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import { Kind, parse, type ObjectTypeDefinitionNode } from "graphql";
import type { QueryExecutor } from "../../../subgraph/indexer/query/engine";
import type { DecodedEvent, Scenario } from "../../../scripts/scenario";
import { GPU_MODELS } from "../../../scripts/scenario";
import { gql } from "../indexer/helpers/dump";
import {
  TIER,
  UNFINISHED,
  ZERO_ADDRESS,
  billedSeconds,
  bps,
  bpsUp,
  cost,
  decodeIdentifier,
  type ChainState,
  type EconomicParamsView,
  type JobView,
  type ProposalStateName,
  type ProviderView,
} from "./chain-state";
import { Mismatches, type ExpectedRecord } from "./compare";

export interface CheckContext {
  s: Scenario;
  engine: QueryExecutor;
  /** Chain state at the block compared. */
  st: ChainState;
  /** Query at this block (time travel); undefined queries the latest indexed state, as a dashboard would. */
  at?: number;
}

type Row = Record<string, unknown>;

async function query<T>(ctx: CheckContext, text: string, variables: Record<string, unknown> = {}): Promise<T> {
  return gql<T>(ctx.engine, text, { ...variables, block: ctx.at === undefined ? undefined : { number: ctx.at } });
}

const nullable = <T>(value: T, present: boolean): T | null => (present ? value : null);
const isZeroAddress = (a: string): boolean => a.toLowerCase() === ZERO_ADDRESS;
const isZeroHex = (h: string): boolean => /^0x0*$/.test(h);

/** A reference field: `{ "<name>.id": id }`, or `{ <name>: null }`. */
function ref(name: string, id: string | null): ExpectedRecord {
  return id === null ? { [name]: null } : { [`${name}.id`]: id };
}

function str(row: Row, field: string): string {
  const v = row[field];
  if (typeof v !== "string") throw new Error(`field ${field} is ${JSON.stringify(v)}, not a string`);
  return v;
}

function num(row: Row, field: string): number {
  const v = row[field];
  if (typeof v !== "number") throw new Error(`field ${field} is ${JSON.stringify(v)}, not a number`);
  return v;
}

function refId(row: Row, field: string): string | null {
  const v = row[field] as { id: string } | null | undefined;
  return v === null || v === undefined ? null : v.id;
}

// -------------------------------------------------------------------------------------------------------- figures

/** The economic parameters an accepted job runs under. */
function paramsOf(st: ChainState, job: JobView): EconomicParamsView {
  const params = st.params.get(job.paramsId);
  if (params === undefined) throw new Error(`job ${job.id}: no params ${job.paramsId}`);
  return params;
}

/** Settlement figures of a submitted job, as JobEscrow computes them (LatentMath: the cost rounds down, the fee up). */
export function settlement(st: ChainState, job: JobView): { cost: bigint; fee: bigint; billed: bigint } {
  const billed = billedSeconds(job);
  const c = cost(job.pricePerGpuHour, job.gpuCount, billed);
  return { cost: c, fee: bpsUp(c, paramsOf(st, job).protocolFeeBps), billed };
}

/**
 * Of a job's slash, what went to the client: a time-out asks for the whole slash, a dispute for `disputeRewardBps`
 * of it, and the provider's slash reward cap cuts either to its share of the slash.
 */
function slashReward(st: ChainState, job: JobView): bigint {
  if (job.slashed === 0n) return 0n;
  const asked = job.status === "TimedOut" ? job.slashed : bps(job.slashed, paramsOf(st, job).disputeRewardBps);
  const cap = bps(job.slashed, job.maxSlashRewardBps);
  return asked < cap ? asked : cap;
}

const accepted = (j: JobView): boolean => j.acceptedAt > 0n;
const finished = (j: JobView): boolean => !UNFINISHED.includes(j.status);

export function stakePerGpu(p: ProviderView): bigint {
  if (p.gpuCount === 0 || p.staked <= p.thawing) return 0n;
  return (p.staked - p.thawing) / BigInt(p.gpuCount);
}

export function reputationScore(completed: number, timedOut: number, disputesLost: number): number {
  return Math.floor((10_000 * (completed + 1)) / (completed + timedOut + 2 * disputesLost + 2));
}

function modelName(id: string): string | null {
  return GPU_MODELS.find((m) => m.id === id)?.name ?? null;
}

// ------------------------------------------------------------------------------------------------------ providers

const PROVIDER_FIELDS = `id registered online operator gpuModel { id raw } gpuModelKey gpuModelName region { id raw } regionKey vramGiB tier
  pricePerGpuHour gpuCount gpusInUse gpusFree staked locked thawing freeStake stakePerGpu maxSlashRewardBps jobsAccepted
  jobsActive jobsCompleted jobsTimedOut jobsDeclined disputesOpened disputesWon disputesLost disputesDrawn earned
  disputeDepositsWon disputeDepositsReturned feesPaid slashed gpuSecondsBilled reputationScore`;

export function expectedProvider(st: ChainState, p: ProviderView): ExpectedRecord {
  const mine = st.jobs.filter((j) => j.provider === p.address);
  const took = mine.filter(accepted);
  const completed = took.filter((j) => j.status === "Completed");
  const disputes = took.filter((j) => j.dispute !== null);
  // DisputeManager.getDispute's deposit, by where the ruling sent it (depositTo: provider iff Rejected).
  const deposits = (f: (ruling: string) => boolean): bigint =>
    disputes.reduce((a, j) => a + (f(j.dispute!.ruling) ? j.dispute!.deposit : 0n), 0n);
  let earned = 0n;
  let fees = 0n;
  let gpuSeconds = 0n;
  for (const j of completed) {
    const f = settlement(st, j);
    earned += f.cost - f.fee;
    fees += f.fee;
    gpuSeconds += f.billed * BigInt(j.gpuCount);
  }
  const l = p.listing;
  return {
    id: p.address,
    registered: p.registered,
    online: p.online,
    operator: isZeroAddress(p.operator) ? null : p.operator,
    ...(l === null
      ? { gpuModel: null, gpuModelKey: "", region: null, regionKey: "", tier: null, vramGiB: 0, pricePerGpuHour: 0n }
      : {
          "gpuModel.id": decodeIdentifier(l.gpuModel),
          "gpuModel.raw": l.gpuModel,
          gpuModelKey: decodeIdentifier(l.gpuModel),
          // Names live only in events; the scenario registers the catalog's.
          gpuModelName: modelName(decodeIdentifier(l.gpuModel)),
          "region.id": decodeIdentifier(l.region),
          "region.raw": l.region,
          regionKey: decodeIdentifier(l.region),
          vramGiB: l.vramGiB,
          tier: l.tier,
          pricePerGpuHour: l.pricePerGpuHour,
        }),
    gpuCount: p.gpuCount,
    gpusInUse: p.gpusInUse,
    gpusFree: p.freeGpus,
    staked: p.staked,
    locked: p.locked,
    thawing: p.thawing,
    freeStake: p.freeStake,
    stakePerGpu: stakePerGpu(p),
    maxSlashRewardBps: p.maxSlashRewardBps,
    jobsAccepted: took.length,
    jobsActive: took.filter((j) => !finished(j)).length,
    jobsCompleted: p.completed,
    jobsTimedOut: p.timedOut,
    // A declined job keeps its target in JobEscrow's `provider` field.
    jobsDeclined: mine.filter((j) => j.status === "Declined").length,
    disputesOpened: disputes.length,
    disputesWon: disputes.filter((j) => j.dispute?.ruling === "Rejected").length,
    disputesLost: p.disputesLost,
    disputesDrawn: disputes.filter((j) => j.dispute?.ruling === "Draw" || j.dispute?.ruling === "Expired").length,
    earned,
    disputeDepositsWon: deposits((r) => r === "Rejected"),
    disputeDepositsReturned: deposits((r) => r !== "Rejected" && r !== "None"),
    feesPaid: fees,
    slashed: mine.reduce((sum, j) => sum + j.slashed, 0n),
    gpuSecondsBilled: gpuSeconds,
    reputationScore: reputationScore(p.completed, p.timedOut, p.disputesLost),
  };
}

export async function checkProviders(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ providers: Row[] }>(ctx, `query($block: Block_height) { providers(first: 1000, block: $block) { ${PROVIDER_FIELDS} } }`);
  const byId = new Map(data.providers.map((p) => [str(p, "id"), p]));
  m.ids("Provider", st.providers.keys(), byId.keys(), ctx.at !== undefined);
  for (const p of st.providers.values()) {
    // The chain's own consistency, which the expectations rely on.
    if (p.freeGpus !== p.gpuCount - p.gpusInUse) m.fail(`chain: freeGpus(${p.address}) != gpuCount - gpusInUse`);
    if (p.freeStake !== p.staked - p.locked - p.thawing) m.fail(`chain: freeStake(${p.address}) != staked - locked - thawing`);
    m.record(`Provider ${p.address}`, expectedProvider(st, p), byId.get(p.address));
  }
}

/** `registered && online && stakePerGpu >= Protocol.minStakePerGpu`, from entities, vs ProviderRegistry.isActive. */
export async function checkActive(ctx: CheckContext, m: Mismatches): Promise<{ active: number; inactive: number }> {
  const data = await query<{ providers: Row[]; protocol: Row | null }>(
    ctx,
    `query($block: Block_height) {
      providers(first: 1000, block: $block) { id registered online stakePerGpu gpuCount }
      protocol(id: "latent", block: $block) { minStakePerGpu }
    }`,
  );
  if (data.protocol === null) {
    m.fail("Protocol: missing");
    return { active: 0, inactive: 0 };
  }
  const min = BigInt(str(data.protocol, "minStakePerGpu"));
  let active = 0;
  let inactive = 0;
  m.ids("Provider", ctx.st.providers.keys(), data.providers.map((p) => str(p, "id")), ctx.at !== undefined);
  for (const row of data.providers) {
    const view = ctx.st.providers.get(str(row, "id"));
    if (view === undefined) continue;
    const fromEntities = row.registered === true && row.online === true && BigInt(str(row, "stakePerGpu")) >= min;
    m.field(`Provider ${view.address}`, "active (registered && online && stakePerGpu >= minStakePerGpu)", view.isActive, fromEntities);
    // The minimum-stake half alone, as Staking.hasMinimumStake judges it for the listed GPUs.
    if (num(row, "gpuCount") > 0) {
      m.field(`Provider ${view.address}`, "stakePerGpu >= minStakePerGpu", view.hasMinimumStake, BigInt(str(row, "stakePerGpu")) >= min);
    }
    if (view.isActive) active += 1;
    else inactive += 1;
  }
  return { active, inactive };
}

// ----------------------------------------------------------------------------------------------------------- jobs

const JOB_FIELDS = `id jobId status client { id } provider { id } gpuModel { id } gpuModelKey gpuModelRaw region { id }
  regionKey regionRaw minVramGiB gpuCount tier minCompletedJobs minSlashRewardBps maxPricePerGpuHour maxDuration acceptDeadline
  targetProvider directed specHash termsHash escrowed deadline pricePerGpuHour collateral collateralUnlocked
  collateralSlashed params { id } resultDeadline challengeDeadline cost billedSeconds amountPaid fee providerAmount
  refund settlementReason countsForTrackRecord dispute { id } acceptedAt submittedAt disputedAt settledAt cancelledAt expiredAt declinedAt
  timedOutAt refundedAt closedAt abandonedBy`;

export function expectedJob(st: ChainState, j: JobView): ExpectedRecord {
  const isAccepted = accepted(j);
  const isSubmitted = j.submittedAt > 0n;
  const params = isAccepted ? paramsOf(st, j) : null;
  const figures = isSubmitted ? settlement(st, j) : null;
  const completed = j.status === "Completed";
  const collateral = params === null ? null : bpsUp(j.escrowed, params.collateralRatioBps);
  let reason: string | null | undefined = null;
  if (completed) {
    const ruling = j.dispute?.ruling;
    // Approved vs ChallengeWindowPassed is not kept on chain: only the disputed reasons can be derived.
    reason = ruling === "Rejected" ? "DisputeRejected" : ruling === "Draw" || ruling === "Expired" ? "DisputeDraw" : undefined;
  }
  const out: ExpectedRecord = {
    id: String(j.id),
    jobId: BigInt(j.id),
    status: j.status,
    "client.id": j.client,
    // Before acceptance JobEscrow's `provider` is the target; the entity's provider is null then.
    ...ref("provider", isAccepted ? j.provider : null),
    gpuCount: j.gpuCount,
    maxDuration: j.maxDuration,
    escrowed: j.escrowed,
    deadline: j.deadline,
    termsHash: j.termsHash,
    acceptedAt: nullable(j.acceptedAt, isAccepted),
    submittedAt: nullable(j.submittedAt, isSubmitted),
    pricePerGpuHour: nullable(j.pricePerGpuHour, isAccepted),
    ...ref("params", isAccepted ? String(j.paramsId) : null),
    resultDeadline: params === null ? null : j.acceptedAt + j.maxDuration + params.grace,
    challengeDeadline: isSubmitted && params !== null ? j.submittedAt + params.challengeWindow : null,
    collateral,
    collateralSlashed: j.slashed,
    collateralUnlocked: collateral !== null && finished(j) ? collateral - j.slashed : 0n,
    cost: figures === null ? null : figures.cost,
    billedSeconds: figures === null ? null : figures.billed,
    amountPaid: finished(j) ? (completed && figures !== null ? figures.cost : 0n) : null,
    fee: completed && figures !== null ? figures.fee : null,
    providerAmount: completed && figures !== null ? figures.cost - figures.fee : null,
    refund: finished(j) ? (completed && figures !== null ? j.escrowed - figures.cost : j.escrowed) : null,
    countsForTrackRecord: completed && figures !== null && params !== null ? figures.cost >= params.minTrackRecordCost : null,
    ...ref("dispute", j.dispute === null ? null : String(j.id)),
    abandonedBy: j.abandonedBy,
  };
  if (reason !== undefined) out.settlementReason = reason;
  return out;
}

export async function checkJobs(ctx: CheckContext, m: Mismatches): Promise<Row[]> {
  const { st, s } = ctx;
  const data = await query<{ jobs: Row[] }>(ctx, `query($block: Block_height) { jobs(first: 1000, block: $block) { ${JOB_FIELDS} } }`);
  const byId = new Map(data.jobs.map((j) => [str(j, "id"), j]));
  m.ids("Job", st.jobs.map((j) => String(j.id)), byId.keys(), ctx.at !== undefined);
  for (const j of st.jobs) {
    const entity = byId.get(String(j.id));
    const name = `Job ${j.id}`;
    m.record(name, expectedJob(st, j), entity);
    // The chain itself: collateral stays locked exactly while an accepted job is unfinished.
    const collateral = accepted(j) ? bpsUp(j.escrowed, paramsOf(st, j).collateralRatioBps) : 0n;
    m.field(`chain: Staking.jobCollateral(${j.id})`, "amount", accepted(j) && !finished(j) ? collateral - j.slashed : 0n, j.lockedCollateral.toString());
    if (j.status === "TimedOut") {
      const params = paramsOf(st, j);
      m.field(`chain: job ${j.id}`, "timeout slash", bpsUp(bpsUp(j.escrowed, params.collateralRatioBps), params.timeoutSlashBps), j.slashed.toString());
    }
    if (entity === undefined) continue;
    // The terms as indexed must be the ones JobEscrow hashed, and the escrow their maximum cost.
    const terms = {
      requirements: {
        gpuModel: str(entity, "gpuModelRaw"),
        region: str(entity, "regionRaw"),
        minVramGiB: num(entity, "minVramGiB"),
        gpuCount: num(entity, "gpuCount"),
        tier: TIER.indexOf(str(entity, "tier") as (typeof TIER)[number]),
        minCompletedJobs: BigInt(str(entity, "minCompletedJobs")),
        minSlashRewardBps: num(entity, "minSlashRewardBps"),
      },
      maxPricePerGpuHour: BigInt(str(entity, "maxPricePerGpuHour")),
      maxDuration: BigInt(str(entity, "maxDuration")),
      acceptDeadline: BigInt(str(entity, "acceptDeadline")),
      targetProvider: str(entity, "targetProvider"),
      specHash: str(entity, "specHash"),
    };
    m.field(name, "hashTerms(terms fields)", j.termsHash, await s.c.jobEscrow.hashTerms(terms));
    m.field(name, "computeCost(maxPricePerGpuHour, gpuCount, maxDuration) of the terms = escrowed", j.escrowed, cost(terms.maxPricePerGpuHour, terms.requirements.gpuCount, terms.maxDuration));
    // Lifecycle timestamps: the one of the final status is set, the others are not; the dispute's is DisputeManager's.
    const final: Record<string, string> = {
      Completed: "settledAt", Cancelled: "cancelledAt", Expired: "expiredAt", Declined: "declinedAt", TimedOut: "timedOutAt", Refunded: "refundedAt",
    };
    for (const [status, field] of Object.entries(final)) m.field(name, `${field} set`, j.status === status, entity[field] !== null);
    m.field(name, "closedAt set", finished(j), entity.closedAt !== null);
    m.field(name, "disputedAt", j.dispute === null ? null : j.dispute.openedAt, entity.disputedAt);
    const model = terms.requirements.gpuModel;
    const region = terms.requirements.region;
    m.record(name, {
      directed: !isZeroAddress(terms.targetProvider),
      gpuModelKey: isZeroHex(model) ? "*" : decodeIdentifier(model),
      ...ref("gpuModel", isZeroHex(model) ? null : decodeIdentifier(model)),
      regionKey: isZeroHex(region) ? "*" : decodeIdentifier(region),
      ...ref("region", isZeroHex(region) ? null : decodeIdentifier(region)),
      // Unaccepted: JobEscrow's provider field is the target itself.
      ...(accepted(j) ? {} : { targetProvider: j.provider }),
    }, entity);
  }
  return data.jobs;
}

/**
 * Each TimedOut job has one JobTimedOutEvent, naming who gave the job back exactly as the chain's state does (the
 * sender of its JobAbandoned transaction), and null for a job whose deadline passed: the feed tells them apart alone.
 */
export async function checkTimedOutEvents(ctx: CheckContext, m: Mismatches): Promise<void> {
  const data = await query<{ jobTimedOutEvents: Row[] }>(
    ctx,
    `query($block: Block_height) { jobTimedOutEvents(first: 1000, block: $block) { job { id } abandonedBy } }`,
  );
  const timedOut = ctx.st.jobs.filter((j) => j.status === "TimedOut");
  m.ids("JobTimedOutEvent (one per timed-out job)", timedOut.map((j) => String(j.id)), data.jobTimedOutEvents.map((e) => str(e.job as Row, "id")), ctx.at !== undefined);
  for (const j of timedOut) {
    const event = data.jobTimedOutEvents.find((e) => (e.job as Row).id === String(j.id));
    m.record(`JobTimedOutEvent of job ${j.id}`, { abandonedBy: j.abandonedBy }, event);
  }
}

// -------------------------------------------------------------------------------------------------------- protocol

const PROTOCOL_FIELDS = `providerCount onlineProviderCount gpusTotal gpusInUse gpusFree gpusOnline gpusFreeOnline stakeTotal
  stakeLocked stakeThawing jobCount jobsOpen jobsAccepted jobsSubmitted jobsDisputed jobsCompleted jobsCancelled
  jobsExpired jobsDeclined jobsTimedOut jobsRefunded escrowedTotal escrowBalance volumePaid feesTotal
  providerEarningsTotal disputeDepositsWonTotal refundsTotal slashedTotal slashRewardsTotal slashedToTreasury gpuSecondsBilled disputeCount
  disputesOpen totalSupply holderCount totalVotingPower proposalCount minStakePerGpu thawingPeriod treasury
  maxGpusPerProvider arbitrator guardian pauseDuration pausedUntil pausedBy currentParams { id } protocolFeeBps
  collateralRatioBps timeoutSlashBps maxSlashingCutBps disputeRewardBps challengeWindow grace disputePeriod
  disputeDeposit minTrackRecordCost votingDelay votingPeriod proposalThreshold quorumNumerator timelock timelockMinDelay
  token tokenRecoveryCount latRecoveredTotal`;

export interface Totals {
  providerCount: number;
  onlineProviderCount: number;
  gpusTotal: number;
  gpusInUse: number;
  gpusFree: number;
  gpusOnline: number;
  gpusFreeOnline: number;
}

/** Inventory sums over registered providers, from ProviderRegistry's views. */
export function inventory(providers: Iterable<ProviderView>): Totals {
  const t: Totals = { providerCount: 0, onlineProviderCount: 0, gpusTotal: 0, gpusInUse: 0, gpusFree: 0, gpusOnline: 0, gpusFreeOnline: 0 };
  for (const p of providers) {
    if (!p.registered) continue;
    t.providerCount += 1;
    t.gpusTotal += p.gpuCount;
    t.gpusInUse += p.gpusInUse;
    t.gpusFree += p.freeGpus;
    if (p.online) {
      t.onlineProviderCount += 1;
      t.gpusOnline += p.gpuCount;
      t.gpusFreeOnline += p.freeGpus;
    }
  }
  return t;
}

export function expectedProtocol(st: ChainState): ExpectedRecord {
  const providers = [...st.providers.values()];
  const sum = (f: (p: ProviderView) => bigint): bigint => providers.reduce((a, p) => a + f(p), 0n);
  const count = (status: string): number => st.jobs.filter((j) => j.status === status).length;
  let volume = 0n;
  let fees = 0n;
  let gpuSeconds = 0n;
  let refunds = 0n;
  for (const j of st.jobs) {
    if (j.status === "Completed") {
      const f = settlement(st, j);
      volume += f.cost;
      fees += f.fee;
      gpuSeconds += f.billed * BigInt(j.gpuCount);
      refunds += j.escrowed - f.cost;
    } else if (finished(j)) {
      refunds += j.escrowed;
    }
  }
  const slashed = st.jobs.reduce((a, j) => a + j.slashed, 0n);
  const rewards = st.jobs.reduce((a, j) => a + slashReward(st, j), 0n);
  const accounts = [...st.accounts.values()];
  const current = st.params.get(st.currentParamsId)!;
  const param = (id: string): bigint | string => {
    const v = st.parameters.get(id);
    if (v === undefined) throw new Error(`no parameter ${id}`);
    return v;
  };
  return {
    ...inventory(providers),
    stakeTotal: sum((p) => p.staked),
    stakeLocked: sum((p) => p.locked),
    stakeThawing: sum((p) => p.thawing),
    jobCount: st.jobCount,
    jobsOpen: count("Open"),
    jobsAccepted: count("Accepted"),
    jobsSubmitted: count("Submitted"),
    jobsDisputed: count("Disputed"),
    jobsCompleted: count("Completed"),
    jobsCancelled: count("Cancelled"),
    jobsExpired: count("Expired"),
    jobsDeclined: count("Declined"),
    jobsTimedOut: count("TimedOut"),
    jobsRefunded: count("Refunded"),
    escrowedTotal: st.jobs.reduce((a, j) => a + j.escrowed, 0n),
    escrowBalance: st.jobs.filter((j) => !finished(j)).reduce((a, j) => a + j.escrowed, 0n),
    volumePaid: volume,
    feesTotal: fees,
    providerEarningsTotal: volume - fees,
    disputeDepositsWonTotal: st.jobs.reduce((a, j) => a + (j.dispute?.ruling === "Rejected" ? j.dispute.deposit : 0n), 0n),
    refundsTotal: refunds,
    slashedTotal: slashed,
    slashRewardsTotal: rewards,
    slashedToTreasury: slashed - rewards,
    gpuSecondsBilled: gpuSeconds,
    disputeCount: st.jobs.filter((j) => j.dispute !== null).length,
    disputesOpen: st.jobs.filter((j) => j.dispute?.ruling === "None").length,
    totalSupply: st.totalSupply,
    holderCount: accounts.filter((a) => a.balance > 0n).length,
    totalVotingPower: accounts.reduce((a, x) => a + x.votes, 0n),
    proposalCount: st.proposals.size,
    minStakePerGpu: param("Staking.minStakePerGpu"),
    thawingPeriod: param("Staking.thawingPeriod"),
    treasury: param("Staking.treasury"),
    maxGpusPerProvider: Number(param("ProviderRegistry.maxGpusPerProvider")),
    arbitrator: param("DisputeManager.arbitrator"),
    guardian: isZeroAddress(st.guardian) ? null : st.guardian,
    pauseDuration: param("PauseGuardian.pauseDuration"),
    pausedUntil: st.pausedUntil,
    pausedBy: isZeroAddress(st.pausedBy) ? null : st.pausedBy,
    "currentParams.id": String(st.currentParamsId),
    protocolFeeBps: current.protocolFeeBps,
    collateralRatioBps: current.collateralRatioBps,
    timeoutSlashBps: current.timeoutSlashBps,
    maxSlashingCutBps: current.maxSlashingCutBps,
    disputeRewardBps: current.disputeRewardBps,
    challengeWindow: current.challengeWindow,
    grace: current.grace,
    disputePeriod: current.disputePeriod,
    disputeDeposit: current.disputeDeposit,
    minTrackRecordCost: current.minTrackRecordCost,
    votingDelay: param("LatentGovernor.votingDelay"),
    votingPeriod: param("LatentGovernor.votingPeriod"),
    proposalThreshold: param("LatentGovernor.proposalThreshold"),
    quorumNumerator: param("LatentGovernor.quorumNumerator"),
    timelock: param("LatentGovernor.timelock"),
    timelockMinDelay: param("LatentTimelock.minDelay"),
    token: st.token,
    tokenRecoveryCount: st.recoveries.length,
    latRecoveredTotal: st.recoveries.filter((r) => r.token === st.token).reduce((a, r) => a + r.amount, 0n),
  };
}

export async function checkProtocol(ctx: CheckContext, m: Mismatches): Promise<Row | null> {
  const { st } = ctx;
  const data = await query<{ protocol: Row | null }>(ctx, `query($block: Block_height) { protocol(id: "latent", block: $block) { ${PROTOCOL_FIELDS} } }`);
  const expected = expectedProtocol(st);
  m.record("Protocol", expected, data.protocol);
  // The same totals from the other side of the ledger: the contracts' token balances and counters.
  const chain = (what: string, want: unknown, got: bigint | number): void => m.field(`chain: ${what}`, "", String(want), String(got));
  chain("ProviderRegistry.providerCount() vs registered providers", expected.providerCount, st.registryProviderCount);
  chain("Staking's LAT balance vs sum of getStake().staked", expected.stakeTotal, st.balances.staking);
  chain("JobEscrow's LAT balance vs escrow of unfinished jobs", expected.escrowBalance, st.balances.jobEscrow);
  const deposits = st.jobs.filter((j) => j.dispute?.ruling === "None").reduce((a, j) => a + j.dispute!.deposit, 0n);
  chain("DisputeManager's LAT balance vs deposits of open disputes", deposits, st.balances.disputeManager);
  chain("DisputeManager.heldDeposits() vs deposits of open disputes", deposits, st.heldDeposits);
  chain(
    "treasury's LAT gained since deployment vs fees + slashes to treasury",
    BigInt(String(expected.feesTotal)) + BigInt(String(expected.slashedToTreasury)),
    st.balances.treasury - st.balances.treasuryAtDeployment,
  );
  const balances = [...st.accounts.values()].reduce((a, x) => a + x.balance, 0n);
  chain("sum of balances of every known address vs totalSupply (no holder unknown)", st.totalSupply, balances);
  return data.protocol;
}

// ------------------------------------------------------------------------------------------------------ aggregates

export async function checkAggregates(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ gpuModels: Row[]; regions: Row[]; jobs: Row[] }>(
    ctx,
    `query($block: Block_height) {
      gpuModels(first: 1000, block: $block) { id raw name providerCount onlineProviderCount gpusTotal gpusFree gpusOnline gpusFreeOnline jobCount }
      regions(first: 1000, block: $block) { id raw providerCount onlineProviderCount gpusTotal gpusFree gpusOnline gpusFreeOnline jobCount }
      jobs(first: 1000, block: $block) { id gpuModelRaw regionRaw }
    }`,
  );
  const providers = [...st.providers.values()];
  for (const kind of ["GpuModel", "Region"] as const) {
    const rows = kind === "GpuModel" ? data.gpuModels : data.regions;
    const rawOf = (p: ProviderView): string | null => (p.listing === null ? null : kind === "GpuModel" ? p.listing.gpuModel : p.listing.region);
    const jobRaw = kind === "GpuModel" ? "gpuModelRaw" : "regionRaw";
    // Every model (region) a registered provider lists must have an entity; entities may also come from former
    // listings and job requirements (then with zero inventory).
    const listed = new Set(providers.filter((p) => p.registered).map((p) => decodeIdentifier(rawOf(p)!)));
    const everListed = kind === "GpuModel" ? st.everListed.gpuModels : st.everListed.regions;
    const known = new Set([
      ...providers.map(rawOf).filter((r): r is string => r !== null).map(decodeIdentifier),
      // A provider that moved its listing (an update, or a new registration) leaves its former model and region.
      ...[...everListed].map(decodeIdentifier),
      ...data.jobs.map((j) => str(j, jobRaw)).filter((r) => !isZeroHex(r)).map(decodeIdentifier),
    ]);
    const ids = rows.map((r) => str(r, "id"));
    m.ids(`${kind} (listed by registered providers)`, listed, ids.filter((id) => listed.has(id)), ctx.at !== undefined);
    for (const id of ids) if (!known.has(id)) m.fail(`${kind} ${id}: neither listed nor required by any job`);
    for (const row of rows) {
      const id = str(row, "id");
      const raw = str(row, "raw");
      m.field(`${kind} ${id}`, "id = decoded raw", id, decodeIdentifier(raw));
      const mine = providers.filter((p) => rawOf(p)?.toLowerCase() === raw.toLowerCase());
      const { gpusInUse: _inUse, ...totals } = inventory(mine);
      m.record(`${kind} ${id}`, {
        ...totals,
        jobCount: data.jobs.filter((j) => str(j, jobRaw).toLowerCase() === raw.toLowerCase()).length,
        // A model only jobs asked for has no display name: its id stands in. One a listing left keeps that listing's.
        ...(kind === "GpuModel" ? { name: mine.length > 0 || everListed.has(raw.toLowerCase()) ? (modelName(id) ?? id) : id }
          : {}),
      }, row);
    }
    if (rows.length === 0 && ctx.at === undefined) m.fail(`${kind}: no entities`);
  }
}

// ------------------------------------------------------------------------------------------ thaw requests, disputes

/** Id of a thaw request: provider ++ index (little-endian i32). */
function thawRequestId(provider: string, index: number): string {
  const le = Buffer.alloc(4);
  le.writeInt32LE(index);
  return provider.toLowerCase() + le.toString("hex");
}

export async function checkThawRequests(ctx: CheckContext, m: Mismatches): Promise<number> {
  const { st } = ctx;
  const data = await query<{ thawRequests: Row[] }>(
    ctx,
    `query($block: Block_height) { thawRequests(first: 1000, block: $block) { id provider { id } requestIndex amount maturesAt withdrawn } }`,
  );
  const byId = new Map(data.thawRequests.map((r) => [str(r, "id"), r]));
  const expectedIds: string[] = [];
  let pending = 0;
  for (const p of st.providers.values()) {
    let thawing = 0n;
    for (const r of p.thawRequests) {
      const id = thawRequestId(p.address, r.index);
      expectedIds.push(id);
      if (r.pending) pending += 1;
      if (r.pending) thawing += r.amount;
      m.record(`ThawRequest ${p.address}#${r.index}`, {
        "provider.id": p.address,
        requestIndex: BigInt(r.index),
        amount: r.amount,
        maturesAt: r.maturesAt,
        withdrawn: !r.pending,
      }, byId.get(id));
    }
    m.field(`chain: Staking of ${p.address}`, "sum of pending thaw requests vs thawing", p.thawing, thawing.toString());
  }
  m.ids("ThawRequest", expectedIds, byId.keys(), ctx.at !== undefined);
  return pending;
}

export async function checkDisputes(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ disputes: Row[] }>(
    ctx,
    `query($block: Block_height) {
      disputes(first: 1000, block: $block) { id job { id } client { id } provider { id } deposit openedAt ruleDeadline answered ruling resolved slashed reward depositTo }
    }`,
  );
  const byId = new Map(data.disputes.map((d) => [str(d, "id"), d]));
  const disputed = st.jobs.filter((j) => j.dispute !== null);
  m.ids("Dispute", disputed.map((j) => String(j.id)), byId.keys(), ctx.at !== undefined);
  for (const j of disputed) {
    const d = j.dispute!;
    const resolved = d.ruling !== "None";
    m.record(`Dispute ${j.id}`, {
      "job.id": String(j.id),
      "client.id": j.client,
      "provider.id": j.provider,
      deposit: d.deposit,
      openedAt: d.openedAt,
      ruleDeadline: d.ruleDeadline,
      answered: d.answered,
      ruling: d.ruling,
      resolved,
      slashed: d.ruling === "Upheld" ? j.slashed : 0n,
      reward: d.ruling === "Upheld" ? slashReward(st, j) : 0n,
      // The provider gets the deposit when the client was wrong; the client gets it back otherwise.
      depositTo: !resolved ? null : d.ruling === "Rejected" ? j.provider : j.client,
    }, byId.get(String(j.id)));
  }
}

export async function checkSlashes(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st, s } = ctx;
  const data = await query<{ slashes: Row[] }>(
    ctx,
    `query($block: Block_height) {
      slashes(first: 1000, block: $block) { id job { id } provider { id } reason beneficiary amount reward toTreasury stakedAfter lockedAfter blockNumber }
    }`,
  );
  const slashedJobs = st.jobs.filter((j) => j.slashed > 0n);
  const byJob = new Map(data.slashes.map((x) => [refId(x, "job") ?? "", x]));
  m.ids("Slash (by job)", slashedJobs.map((j) => String(j.id)), data.slashes.map((x) => refId(x, "job") ?? "?"), ctx.at !== undefined);
  for (const j of slashedJobs) {
    const row = byJob.get(String(j.id));
    const reward = slashReward(st, j);
    let after: { staked: bigint; locked: bigint } | null = null;
    if (row !== undefined) {
      // The provider's totals right after the slash. Its transaction also unlocks the rest of the job's collateral
      // (a time-out, or the refund of an upheld dispute), so `locked` is the lock before the block minus the slash.
      const block = Number(str(row, "blockNumber"));
      const [staked] = await s.c.staking.getStake(j.provider, { blockTag: block });
      const [, lockedBefore] = await s.c.staking.getStake(j.provider, { blockTag: block - 1 });
      after = { staked, locked: lockedBefore - j.slashed };
    }
    m.record(`Slash of job ${j.id}`, {
      "provider.id": j.provider,
      reason: j.status === "TimedOut" ? "Timeout" : "Dispute",
      beneficiary: j.client,
      amount: j.slashed,
      reward,
      toTreasury: j.slashed - reward,
      ...(after === null ? {} : { stakedAfter: after.staked, lockedAfter: after.locked }),
    }, row);
  }
}

/**
 * Every TokenRecovery equals its recovery as the balances show it (the amount the contract lost and the recipient
 * gained across the block), and LAT recoveries left nothing the contract owes: its balance is still at least its
 * deposits held.
 */
export async function checkTokenRecoveries(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ tokenRecoveries: Row[] }>(
    ctx,
    `query($block: Block_height) {
      tokenRecoveries(first: 1000, block: $block) { id contract contractKind token isLat to amount accounts category job { id } provider { id } blockNumber }
    }`,
  );
  // One LIP may recover from several contracts in one transaction, so a recovery is known by its block and contract.
  const key = (block: string | number, contract: string) => `${block}:${contract}`;
  const byBlock = new Map(data.tokenRecoveries.map((r) => [key(str(r, "blockNumber"), str(r, "contract")), r]));
  const kinds = new Map(
    (["DisputeManager", "JobEscrow", "Staking"] as const).map((kind) => [ctx.s.deployment.record.contracts[kind].address.toLowerCase(), kind] as const),
  );
  m.ids("TokenRecovery (by block:contract)", st.recoveries.map((r) => key(r.block, r.contract)), byBlock.keys(), ctx.at !== undefined);
  for (const r of st.recoveries) {
    m.field(`recovery at block ${r.block}`, "recipient's gain vs contract's loss", r.amount, r.received);
    m.record(`TokenRecovery at block ${r.block} from ${r.contract}`, {
      contract: r.contract,
      contractKind: kinds.get(r.contract) ?? "unknown",
      token: r.token,
      isLat: r.token === st.token,
      to: r.to,
      amount: r.amount,
      category: "Governance",
      job: null,
      provider: null,
    }, byBlock.get(key(r.block, r.contract)));
    const row = byBlock.get(key(r.block, r.contract));
    if (row !== undefined) m.field(`TokenRecovery at block ${r.block} from ${r.contract}`, "accounts", JSON.stringify([r.to]), JSON.stringify(row.accounts));
  }
  m.field("DisputeManager", "LAT balance >= heldDeposits()", true, st.balances.disputeManager >= st.heldDeposits);
}

export async function checkEconomicParams(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ economicParams_collection: Row[] }>(
    ctx,
    `query($block: Block_height) {
      economicParams_collection(first: 1000, block: $block) { id paramsId protocolFeeBps collateralRatioBps timeoutSlashBps maxSlashingCutBps disputeRewardBps challengeWindow grace disputePeriod minTrackRecordCost disputeDeposit }
    }`,
  );
  const byId = new Map(data.economicParams_collection.map((p) => [str(p, "id"), p]));
  m.ids("EconomicParams", [...st.params.keys()].map(String), byId.keys(), ctx.at !== undefined);
  for (const [id, p] of st.params) m.record(`EconomicParams ${id}`, { paramsId: BigInt(id), ...p }, byId.get(String(id)));
}

export async function checkParameters(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st, s } = ctx;
  const data = await query<{ parameters: Row[] }>(
    ctx,
    `query($block: Block_height) { parameters(first: 1000, block: $block) { id contract contractKind name value addressValue } }`,
  );
  const byId = new Map(data.parameters.map((p) => [str(p, "id"), p]));
  m.ids("Parameter", st.parameters.keys(), byId.keys(), ctx.at !== undefined);
  for (const [id, value] of st.parameters) {
    const [contractKind, name] = id.split(".") as [keyof typeof s.deployment.record.contracts, string];
    const isAddress = typeof value === "string";
    m.record(`Parameter ${id}`, {
      contract: s.deployment.record.contracts[contractKind].address,
      contractKind,
      name,
      value: isAddress ? null : value,
      addressValue: isAddress ? value : null,
    }, byId.get(id));
  }
}

// ------------------------------------------------------------------------------------------- accounts, governance

export async function checkAccounts(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ accounts: Row[] }>(
    ctx,
    `query($block: Block_height) { accounts(first: 1000, block: $block) { id balance votingPower delegate { id } delegatorCount jobCount } }`,
  );
  const byId = new Map(data.accounts.map((a) => [str(a, "id"), a]));
  // Every address holding LAT, votes or a delegate must be an Account; entities may also be past holders,
  // proposers, voters and clients, and their figures must be the chain's too.
  const active = [...st.accounts.values()].filter((a) => a.balance > 0n || a.votes > 0n || !isZeroAddress(a.delegate));
  m.ids("Account (holding LAT, votes or a delegate)", active.map((a) => a.address), [...byId.keys()].filter((id) => active.some((a) => a.address === id)), ctx.at !== undefined);
  for (const id of byId.keys()) {
    const view = st.accounts.get(id);
    if (view === undefined) {
      m.fail(`Account ${id}: not read from the chain (readChainState's extraAccounts must include entity ids)`);
      continue;
    }
    m.record(`Account ${id}`, {
      balance: view.balance,
      votingPower: view.votes,
      ...ref("delegate", isZeroAddress(view.delegate) ? null : view.delegate),
      delegatorCount: [...st.accounts.values()].filter((a) => a.delegate === id).length,
      jobCount: st.jobs.filter((j) => j.client === id).length,
    }, byId.get(id));
  }
}

/** OpenZeppelin's Governor.state, derived from a Proposal entity as the ProposalStatus enum documents. */
export function derivedState(p: Row, now: bigint): ProposalStateName {
  const status = str(p, "status");
  if (status === "Queued" || status === "Executed" || status === "Canceled") return status;
  if (now <= BigInt(str(p, "voteStart"))) return "Pending";
  if (now <= BigInt(str(p, "voteEnd"))) return "Active";
  return p.quorumReached === true && BigInt(str(p, "forVotes")) > BigInt(str(p, "againstVotes")) ? "Succeeded" : "Defeated";
}

export async function checkProposals(ctx: CheckContext, m: Mismatches): Promise<ProposalStateName[]> {
  const { st, s } = ctx;
  const data = await query<{ proposals: Row[]; votes: Row[] }>(
    ctx,
    `query($block: Block_height) {
      proposals(first: 1000, block: $block) { id proposalId proposer { id } status voteStart voteEnd quorum forVotes againstVotes abstainVotes voteCount quorumReached eta
        targets values calldatas description timelockOperation { id } }
      votes(first: 1000, block: $block) { id proposal { id } voter { id } weight support }
    }`,
  );
  const byId = new Map(data.proposals.map((p) => [str(p, "id"), p]));
  m.ids("Proposal", st.proposals.keys(), byId.keys(), ctx.at !== undefined);
  const states: ProposalStateName[] = [];
  for (const [id, p] of st.proposals) {
    const entity = byId.get(id);
    states.push(p.state);
    m.record(`Proposal ${id}`, {
      proposalId: p.id,
      "proposer.id": p.proposer,
      voteStart: p.voteStart,
      voteEnd: p.voteEnd,
      quorum: p.quorum,
      forVotes: p.forVotes,
      againstVotes: p.againstVotes,
      abstainVotes: p.abstainVotes,
      quorumReached: p.forVotes + p.abstainVotes >= p.quorum,
      eta: p.eta === 0n ? null : p.eta,
      voteCount: data.votes.filter((v) => refId(v, "proposal") === id).length,
    }, entity);
    if (entity === undefined) continue;
    m.field(`Proposal ${id}`, "status (as Governor.state)", p.state, derivedState(entity, BigInt(st.timestamp)));
    // The indexed actions and description are exactly the proposal's: the governor hashes them to its id.
    const targets = entity.targets as string[];
    const values = (entity.values as string[]).map(BigInt);
    const calldatas = entity.calldatas as string[];
    const descriptionHash = keccak256(toUtf8Bytes(str(entity, "description")));
    m.field(`Proposal ${id}`, "hashProposal(targets, values, calldatas, description)", p.id, await s.c.governor.hashProposal(targets, values, calldatas, descriptionHash));
    // Queued: linked to the timelock operation GovernorTimelockControl scheduled (salted with governor ^ description).
    const governor = BigInt(await s.c.governor.getAddress());
    const salt = toBeHex((governor << 96n) ^ BigInt(descriptionHash), 32);
    const operation = await s.c.timelock.hashOperationBatch(targets, values, calldatas, ZeroHash, salt);
    m.field(`Proposal ${id}`, "timelockOperation.id", p.eta === 0n ? null : operation, refId(entity, "timelockOperation"));
  }
  for (const v of data.votes) {
    const proposal = st.proposals.get(refId(v, "proposal") ?? "");
    const voter = refId(v, "voter");
    if (proposal === undefined || voter === null) {
      m.fail(`Vote ${str(v, "id")}: unknown proposal or voter`);
      continue;
    }
    const o = { blockTag: st.block };
    m.field(`Vote ${str(v, "id")}`, "weight (getPastVotes at voteStart)", await s.c.token.getPastVotes(voter, proposal.voteStart, o), v.weight);
    m.field(`Vote ${str(v, "id")}`, "Governor.hasVoted", true, await s.c.governor.hasVoted(proposal.id, voter, o));
  }
  return states;
}

export async function checkTimelock(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ timelockOperations: Row[]; timelockRoles: Row[] }>(
    ctx,
    `query($block: Block_height) {
      timelockOperations(first: 1000, block: $block) { id status readyAt callCount predecessor salt calls(first: 1000, orderBy: index) { index target value data executed } }
      timelockRoles(first: 1000, block: $block) { id granted }
    }`,
  );
  const ops = new Map(data.timelockOperations.map((o) => [str(o, "id"), o]));
  m.ids("TimelockOperation", st.operations.keys(), ops.keys(), ctx.at !== undefined);
  for (const [id, op] of st.operations) {
    const status = op.done ? "Executed" : op.pending ? "Scheduled" : "Cancelled";
    const entity = ops.get(id);
    m.record(`TimelockOperation ${id}`, { status, ...(op.pending ? { readyAt: op.timestamp } : {}) }, entity);
    if (entity === undefined) continue;
    // The indexed calls are exactly the operation's: the timelock hashes them (with predecessor and salt) to its id.
    const calls = entity.calls as Row[];
    m.field(`TimelockOperation ${id}`, "callCount", BigInt(calls.length), BigInt(num(entity, "callCount")));
    const hashed = await ctx.s.c.timelock.hashOperationBatch(
      calls.map((c) => str(c, "target")),
      calls.map((c) => BigInt(str(c, "value"))),
      calls.map((c) => str(c, "data")),
      str(entity, "predecessor"),
      (entity.salt as string | null) ?? ZeroHash,
    );
    m.field(`TimelockOperation ${id}`, "hashOperationBatch(calls, predecessor, salt)", id, hashed);
    for (const c of calls) m.field(`TimelockCall ${id}#${str(c, "index")}`, "executed", op.done, c.executed);
  }
  const roles = new Map(data.timelockRoles.map((r) => [str(r, "id"), r]));
  m.ids("TimelockRole", st.roles.keys(), roles.keys(), ctx.at !== undefined);
  for (const [id, granted] of st.roles) m.record(`TimelockRole ${id}`, { granted }, roles.get(id));
}

/** The latest NetworkDay and ProviderDay snapshots hold the state after the last change: the chain's now. */
export async function checkDailySnapshots(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ networkDays: Row[]; providers: { id: string; days: Row[] }[] }>(
    ctx,
    `query($block: Block_height) {
      networkDays(first: 1, orderBy: day, orderDirection: desc, block: $block) { id providerCount onlineProviderCount gpusTotal gpusFree gpusInUse stakeTotal jobsRunning escrowBalance }
      providers(first: 1000, block: $block) { id days(first: 1, orderBy: day, orderDirection: desc) { id staked gpusInUse pricePerGpuHour online reputationScore } }
    }`,
  );
  const providers = [...st.providers.values()];
  const t = inventory(providers);
  m.record("NetworkDay (latest)", {
    providerCount: t.providerCount,
    onlineProviderCount: t.onlineProviderCount,
    gpusTotal: t.gpusTotal,
    gpusFree: t.gpusFree,
    gpusInUse: t.gpusInUse,
    stakeTotal: providers.reduce((a, p) => a + p.staked, 0n),
    jobsRunning: st.jobs.filter((j) => j.status === "Accepted").length,
    escrowBalance: st.jobs.filter((j) => !finished(j)).reduce((a, j) => a + j.escrowed, 0n),
  }, data.networkDays[0]);
  for (const p of providers) {
    const row = data.providers.find((x) => x.id === p.address);
    m.record(`ProviderDay (latest) of ${p.address}`, {
      staked: p.staked,
      gpusInUse: p.gpusInUse,
      pricePerGpuHour: p.listing?.pricePerGpuHour ?? 0n,
      online: p.online,
      reputationScore: reputationScore(p.completed, p.timedOut, p.disputesLost),
    }, row?.days[0]);
  }
}

/**
 * The daily rollups partition the chain's history by day: summed over all days, NetworkDay's counters equal the
 * totals the views give, and each provider's ProviderDays its own.
 */
export async function checkDailyRollups(ctx: CheckContext, m: Mismatches): Promise<void> {
  const { st } = ctx;
  const data = await query<{ networkDays: Row[]; providerDays: Row[] }>(
    ctx,
    `query($block: Block_height) {
      networkDays(first: 1000, block: $block) { id day date jobsCreated jobsAccepted jobsSubmitted jobsCompleted jobsUnaccepted jobsTimedOut
        jobsRefunded disputesOpened disputesResolved escrowed volumePaid fees providerEarnings disputeDepositsWon refunds slashed
        gpuSecondsBilled stakeAdded stakeWithdrawn providersRegistered }
      providerDays(first: 1000, block: $block) { id provider { id } day date jobsAccepted jobsCompleted jobsTimedOut disputesLost earned disputeDepositsWon fees slashed gpuSecondsBilled }
    }`,
  );
  const total = (rows: Row[], field: string): bigint => rows.reduce((a, r) => a + BigInt(String(r[field])), 0n);
  const sums = (rows: Row[], fields: readonly string[]): Record<string, string> =>
    Object.fromEntries(fields.map((f) => [f, total(rows, f).toString()]));
  for (const r of [...data.networkDays, ...data.providerDays]) {
    m.field(`${data.networkDays.includes(r) ? "NetworkDay" : "ProviderDay"} ${str(r, "id")}`, "date = day * 86400", BigInt(num(r, "day")) * 86_400n, r.date);
  }
  const protocol = expectedProtocol(st);
  const count = (f: (j: JobView) => boolean): number => st.jobs.filter(f).length;
  const networkFields = [
    "jobsCreated", "jobsAccepted", "jobsSubmitted", "jobsCompleted", "jobsUnaccepted", "jobsTimedOut", "jobsRefunded",
    "disputesOpened", "disputesResolved", "escrowed", "volumePaid", "fees", "providerEarnings", "disputeDepositsWon", "refunds", "slashed",
    "gpuSecondsBilled", "providersRegistered",
  ] as const;
  m.record("sum of NetworkDays", {
    jobsCreated: BigInt(st.jobCount),
    jobsAccepted: BigInt(count(accepted)),
    jobsSubmitted: BigInt(count((j) => j.submittedAt > 0n)),
    jobsCompleted: BigInt(count((j) => j.status === "Completed")),
    jobsUnaccepted: BigInt(count((j) => j.status === "Cancelled" || j.status === "Expired" || j.status === "Declined")),
    jobsTimedOut: BigInt(count((j) => j.status === "TimedOut")),
    jobsRefunded: BigInt(count((j) => j.status === "Refunded")),
    disputesOpened: BigInt(count((j) => j.dispute !== null)),
    disputesResolved: BigInt(count((j) => j.dispute !== null && j.dispute.ruling !== "None")),
    escrowed: protocol.escrowedTotal!,
    volumePaid: protocol.volumePaid!,
    fees: protocol.feesTotal!,
    providerEarnings: protocol.providerEarningsTotal!,
    disputeDepositsWon: protocol.disputeDepositsWonTotal!,
    refunds: protocol.refundsTotal!,
    slashed: protocol.slashedTotal!,
    gpuSecondsBilled: protocol.gpuSecondsBilled!,
    providersRegistered: BigInt(st.registrations),
  }, sums(data.networkDays, networkFields));
  // Stake in minus stake out is what Staking holds now.
  m.field("sum of NetworkDays", "stakeAdded - stakeWithdrawn - slashed", protocol.stakeTotal!, (
    total(data.networkDays, "stakeAdded") - total(data.networkDays, "stakeWithdrawn") - total(data.networkDays, "slashed")
  ).toString());

  const providerFields = [
    "jobsAccepted", "jobsCompleted", "jobsTimedOut", "disputesLost", "earned", "disputeDepositsWon", "fees", "slashed", "gpuSecondsBilled",
  ] as const;
  for (const p of st.providers.values()) {
    const e = expectedProvider(st, p);
    const days = data.providerDays.filter((d) => refId(d, "provider") === p.address);
    m.record(`sum of ProviderDays of ${p.address}`, {
      jobsAccepted: BigInt(String(e.jobsAccepted)),
      jobsCompleted: BigInt(p.completed),
      jobsTimedOut: BigInt(p.timedOut),
      disputesLost: BigInt(p.disputesLost),
      earned: e.earned!,
      disputeDepositsWon: e.disputeDepositsWon!,
      fees: e.feesPaid!,
      slashed: e.slashed!,
      gpuSecondsBilled: e.gpuSecondsBilled!,
    }, sums(days, providerFields));
  }
}

/** The plural query field of each entity type, as the API schema names it (graph-node's Inflector rules). */
export async function pluralNames(engine: QueryExecutor): Promise<Map<string, string>> {
  interface TypeRef {
    kind: string;
    name: string | null;
    ofType: TypeRef | null;
  }
  const intro = await gql<{ __schema: { queryType: { fields: { name: string; type: TypeRef }[] } } }>(
    engine,
    `{ __schema { queryType { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }`,
  );
  const plurals = new Map<string, string>();
  for (const f of intro.__schema.queryType.fields) {
    let t: TypeRef | null = f.type;
    let list = false;
    while (t !== null && t.name === null) {
      if (t.kind === "LIST") list = true;
      t = t.ofType;
    }
    if (list && t !== null && !f.name.startsWith("_")) plurals.set(t.name!, f.name);
  }
  return plurals;
}

/** Every id of an entity type (paged by id). */
export async function allIds(ctx: CheckContext, plural: string): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const data = await query<{ rows: { id: string }[] }>(
      ctx,
      `query($block: Block_height, $skip: Int!) { rows: ${plural}(first: 1000, skip: $skip, orderBy: id, block: $block) { id } }`,
      { skip: ids.length },
    );
    ids.push(...data.rows.map((r) => r.id));
    if (data.rows.length < 1000) return ids;
  }
}

/** The feed entity each contract event is recorded as (the default is `<Event>Event`). */
export function feedEntityOf(event: string): string {
  if (event === "ParameterUpdated" || event === "AddressParameterUpdated") return "ParameterChange";
  if (["VotingDelaySet", "VotingPeriodSet", "ProposalThresholdSet", "QuorumNumeratorUpdated", "TimelockChange", "MinDelayChange"].includes(event)) {
    return "ParameterChange";
  }
  if (event === "Slashed") return "Slash";
  if (event === "VoteCast" || event === "VoteCastWithParams") return "Vote";
  if (event === "Cancelled") return "CallCancelledEvent";
  if (event === "TokensRecovered") return "TokenRecovery";
  return `${event}Event`;
}

/** Id of the feed entity of a log: transaction hash ++ log index (little-endian i32). */
export function eventEntityId(transactionHash: string, logIndex: number): string {
  const le = Buffer.alloc(4);
  le.writeInt32LE(logIndex);
  return transactionHash.toLowerCase() + le.toString("hex");
}

/** Every event entity type (those implementing `Event`), from the schema. */
export function eventEntityTypes(schema: string): string[] {
  const doc = parse(schema);
  return doc.definitions
    .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION)
    .filter((d) => d.interfaces?.some((i) => i.name.value === "Event") ?? false)
    .map((d) => d.name.value);
}

/**
 * The activity feed is the chain's log, one to one: every log of the eight contracts has exactly its feed entity
 * (same transaction and log index), and there is no other.
 */
export async function checkEventFeed(ctx: CheckContext, m: Mismatches, schema: string, logs: readonly DecodedEvent[]): Promise<void> {
  const types = eventEntityTypes(schema);
  const plurals = await pluralNames(ctx.engine);
  const expected = new Map<string, string[]>(types.map((t) => [t, []]));
  for (const log of logs) {
    const type = feedEntityOf(log.name);
    const list = expected.get(type);
    if (list === undefined) {
      m.fail(`${log.contract}.${log.name} (block ${log.blockNumber}): no feed entity type ${type} in the schema`);
      continue;
    }
    list.push(eventEntityId(log.transactionHash, log.logIndex));
  }
  for (const [type, ids] of expected) {
    const plural = plurals.get(type);
    if (plural === undefined) {
      m.fail(`${type}: no plural query field`);
      continue;
    }
    m.ids(`${type} (one per log)`, ids, await allIds(ctx, plural), true);
  }
}

/** Every comparison, for time travel. */
export async function checkEverything(ctx: CheckContext, m: Mismatches): Promise<void> {
  await checkProviders(ctx, m);
  await checkActive(ctx, m);
  await checkJobs(ctx, m);
  await checkTimedOutEvents(ctx, m);
  await checkProtocol(ctx, m);
  await checkAggregates(ctx, m);
  await checkThawRequests(ctx, m);
  await checkDisputes(ctx, m);
  await checkSlashes(ctx, m);
  await checkTokenRecoveries(ctx, m);
  await checkEconomicParams(ctx, m);
  await checkParameters(ctx, m);
  await checkAccounts(ctx, m);
  await checkProposals(ctx, m);
  await checkTimelock(ctx, m);
  await checkDailySnapshots(ctx, m);
  await checkDailyRollups(ctx, m);
}
