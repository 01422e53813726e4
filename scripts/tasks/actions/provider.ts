/**
 * provider register / update / price / operator / slash-reward-cap / online / offline / deregister / show.
 */
import { ZeroAddress, toBeHex, zeroPadValue } from "ethers";
import type { IProviderRegistry } from "../../../typechain-types/contracts/registry/ProviderRegistry";
import { JobStatus, Ruling } from "../../scenario";
import { GPU_MODELS } from "../../scenario/catalog";
import type { CommonArgs, DeploymentContext, TaskContext } from "../lib/context";
import { InputError, StateError } from "../lib/errors";
import { formatAddress, formatLat, formatTime, readModel, readRegion, table, tierName } from "../lib/format";
import {
  PROVIDER_TIER_CHOICES,
  parseBps,
  parseChoice,
  parseGpuModel,
  parseInteger,
  parseLat,
  parseRegion,
  parseText,
} from "../lib/parse";
import { queryLogRange } from "../lib/logs";
import type { TaskResult } from "../lib/run";
import { actingProvider, actingProviderHints, listingStrings, notAProvider, providerArg, readStake, registeredProviders, suggest, thawRequests } from "./shared";
import type { StakeBreakdown, ThawRequestView } from "./shared";

export interface ListingArgs extends CommonArgs {
  model?: string;
  name?: string;
  vram?: string;
  count?: string;
  region?: string;
  tier?: string;
  price?: string;
  metadataUri?: string;
}

export interface RegisterArgs extends ListingArgs {
  operator?: string;
}

interface Limits {
  maxVram: number;
  maxGpus: number;
  maxName: number;
  maxUri: number;
}

async function limits(ctx: TaskContext): Promise<Limits> {
  const r = ctx.c.registry;
  const [maxVram, maxGpus, maxName, maxUri] = await Promise.all([
    r.MAX_VRAM_GIB(),
    r.maxGpusPerProvider(),
    r.MAX_NAME_LENGTH(),
    r.MAX_URI_LENGTH(),
  ]);
  return { maxVram: Number(maxVram), maxGpus: Number(maxGpus), maxName: Number(maxName), maxUri: Number(maxUri) };
}

interface Listing {
  spec: IProviderRegistry.ProviderSpecStruct & { pricePerGpuHour: bigint };
  gpuModelName: string;
  metadataURI: string;
}

/** The listing from options over `base` (the current one for update); a catalog model fills name, VRAM and tier. */
function buildListing(args: ListingArgs, lim: Limits, base: Partial<Record<keyof ListingArgs, string>> & { modelWord?: string }): Listing {
  const need = (field: string, value: string | undefined, why = "required"): string => {
    if (value === undefined) throw new InputError(field, why);
    return value;
  };
  const modelId = need("--model", args.model ?? base.model);
  const gpuModel = parseGpuModel("--model", modelId);
  const known = GPU_MODELS.find((m) => m.id === modelId);
  // A changed model must not keep the old model's name or VRAM: take the catalog's, or insist on new ones.
  const modelChanged = base.modelWord !== undefined && base.modelWord !== gpuModel;
  const fallback = (current: string | undefined, fromCatalog: string | undefined) =>
    modelChanged ? fromCatalog : (current ?? fromCatalog);
  // A typo in --model most often: the catalog's ids are what it meant; a model of one's own takes the three options.
  const unknownModel =
    `required: "${modelId}" is not in the catalog (scripts/scenario/catalog.ts), so it cannot be filled in: give --name, --vram and --tier for a model outside it, ` +
    `or --model one of ${GPU_MODELS.map((m) => m.id).join(", ")}`;
  const name = parseText("--name", need("--name", args.name ?? fallback(base.name, known?.name), unknownModel), lim.maxName);
  const vram = parseInteger("--vram", need("--vram", args.vram ?? fallback(base.vram, known?.vramGiB.toString()), unknownModel), 1, lim.maxVram);
  const tierText = need("--tier", args.tier ?? fallback(base.tier, known === undefined ? undefined : tierName(known.tier)), unknownModel);
  const tier = parseChoice("--tier", tierText, PROVIDER_TIER_CHOICES);
  const count = parseInteger("--count", need("--count", args.count ?? base.count), 1, lim.maxGpus);
  const region = parseRegion("--region", need("--region", args.region ?? base.region));
  const price = parseLat("--price", need("--price", args.price ?? base.price, "required: LAT per GPU-hour, e.g. 2.5"));
  const metadataURI = parseText("--metadata-uri", need("--metadata-uri", args.metadataUri ?? base.metadataUri), lim.maxUri);
  return {
    spec: { gpuModel, region, vramGiB: vram, gpuCount: count, tier, pricePerGpuHour: price },
    gpuModelName: name,
    metadataURI,
  };
}

/**
 * A region is an open id, not a list anyone keeps: the first machine in a new one must be able to list it, so no region
 * is refused. A typo would be listed as a region of its own, where a client asking for the one meant never finds the
 * machine (`job create --region` names only the regions listed): said right after, with the regions the others list.
 */
async function newRegionNote(ctx: TaskContext, region: string): Promise<string | undefined> {
  const others = (await registeredProviders(ctx)).filter((p) => p.address.toLowerCase() !== ctx.address.toLowerCase());
  if (others.some((p) => p.listing.region.toLowerCase() === region.toLowerCase())) return undefined;
  const name = readRegion(region) ?? region;
  const listed = [...new Set(others.map((p) => readRegion(p.listing.region) ?? p.listing.region))].sort();
  const which = listed.length === 0 ? "none yet" : listed.join(", ");
  return (
    `Region "${name}" is new: no other provider lists it (the regions listed: ${which}), so a client asking for one of those will not find this machine; ` +
    `if "${name}" is a typo: ${suggest(ctx, "provider update --region <region>", { from: ctx.options.from })}`
  );
}

function describeListing(l: Listing): string {
  const s = l.spec;
  return (
    `${s.gpuCount} x ${readModel(String(s.gpuModel))} (${l.gpuModelName}, ${s.vramGiB} GiB) in ${readRegion(String(s.region))}, ` +
    `${tierName(Number(s.tier))}, ${formatLat(s.pricePerGpuHour)} per GPU-hour`
  );
}

export async function register(ctx: TaskContext, args: RegisterArgs): Promise<TaskResult<unknown>> {
  const listing = buildListing(args, await limits(ctx), {});
  const operator = args.operator === undefined ? ZeroAddress : await ctx.account("--operator", args.operator);
  if (operator === ctx.address) throw new InputError("--operator", "must be another account than the provider's own");
  const tx = await ctx.send(
    "ProviderRegistry.register",
    () => ctx.c.registry.register(listing.spec, listing.gpuModelName, listing.metadataURI, operator),
    {
      // An account registers once: a second register is most often a listing to change, which update does.
      ProviderRegistryAlreadyRegistered: async () =>
        `${ctx.address} is already a provider: change its listing with ${suggest(ctx, "provider update", { from: ctx.options.from })} and the options to change (the others keep their value)`,
    },
  );
  const stake = await readStake(ctx, ctx.address);
  const missing = stake.required > stake.staked - stake.thawing ? stake.required - (stake.staked - stake.thawing) : 0n;
  const text = [
    `Registered provider ${ctx.address}: ${describeListing(listing)}`,
    `  operator: ${formatAddress(operator)}; offline until it goes online`,
  ];
  const regionNote = await newRegionNote(ctx, String(listing.spec.region));
  if (regionNote !== undefined) text.push(regionNote);
  if (missing > 0n) text.push(`Next: stake at least ${formatLat(missing)}: ${suggest(ctx, `stake add --amount ${formatLatPlain(missing)}`, { from: ctx.options.from })}`);
  const cap = await slashCapAdvice(ctx, operator);
  if (cap !== undefined) text.push(cap);
  // An operator's worker goes online itself at start (provider.onlineAtStart): online before it runs, the listing
  // would be offered to clients with no one to take their jobs.
  text.push(
    operator === ZeroAddress
      ? `Then go online: ${suggest(ctx, "provider online", { from: ctx.options.from })}`
      : "Then configure and start its worker (scripts/worker/README.md), which goes online at start (provider.onlineAtStart): " +
          `not before, as clients would be offered a listing with no worker to take their jobs; by hand: ${suggest(ctx, "provider online", { from: ctx.options.from })}`,
  );
  return { data: { provider: ctx.address, operator, ...listingData(listing), transaction: tx.hash, stakeMissing: missing }, text };
}

function listingData(l: Listing) {
  return {
    gpuModel: readModel(String(l.spec.gpuModel)),
    gpuModelName: l.gpuModelName,
    region: readRegion(String(l.spec.region)),
    vramGiB: Number(l.spec.vramGiB),
    gpuCount: Number(l.spec.gpuCount),
    tier: tierName(Number(l.spec.tier)),
    pricePerGpuHour: l.spec.pricePerGpuHour,
    metadataURI: l.metadataURI,
  };
}

/** Wei as a LAT decimal without the unit, for a suggested command line. */
function formatLatPlain(wei: bigint): string {
  return formatLat(wei).split(" ")[0] as string;
}

const LISTING_RULE = "only the provider's own account may change its listing";

async function requireRegistered(ctx: TaskContext): Promise<IProviderRegistry.ProviderStructOutput> {
  const record = await ctx.c.registry.getProvider(ctx.address);
  if (!record.registered) throw await notAProvider(ctx, { rule: LISTING_RULE, otherwise: ` (${LISTING_RULE})` });
  return record;
}

/** update's options, as typed: the listing's fields, each kept when not given. */
const UPDATE_OPTIONS: ReadonlyArray<[keyof ListingArgs, string]> = [
  ["model", "--model"],
  ["name", "--name"],
  ["vram", "--vram"],
  ["count", "--count"],
  ["region", "--region"],
  ["tier", "--tier"],
  ["price", "--price"],
  ["metadataUri", "--metadata-uri"],
];

export async function update(ctx: TaskContext, args: ListingArgs): Promise<TaskResult<unknown>> {
  // With none, the listing would be sent back as it is: a transaction (and a ProviderUpdated) for nothing.
  if (UPDATE_OPTIONS.every(([key]) => args[key] === undefined)) {
    throw new InputError(UPDATE_OPTIONS.map(([, option]) => option).join(" / "), "give the ones to change (those not given keep their value)");
  }
  const record = await requireRegistered(ctx);
  const strings = await listingStrings(ctx, ctx.address);
  const listing = buildListing(args, await limits(ctx), {
    model: readModel(record.gpuModel) ?? undefined,
    modelWord: record.gpuModel,
    name: strings?.gpuModelName,
    vram: record.vramGiB.toString(),
    count: record.gpuCount.toString(),
    region: readRegion(record.region) ?? undefined,
    tier: tierName(record.tier),
    price: formatLatPlain(record.pricePerGpuHour),
    metadataUri: strings?.metadataURI,
  });
  const spec = listing.spec;
  const unchanged =
    spec.gpuModel === record.gpuModel &&
    spec.region === record.region &&
    BigInt(spec.vramGiB) === record.vramGiB &&
    BigInt(spec.gpuCount) === record.gpuCount &&
    BigInt(spec.tier) === record.tier &&
    spec.pricePerGpuHour === record.pricePerGpuHour &&
    listing.gpuModelName === strings?.gpuModelName &&
    listing.metadataURI === strings?.metadataURI;
  if (unchanged) {
    // The registry would take it and emit ProviderUpdated again: a transaction for nothing, shown as a change.
    return {
      data: { provider: ctx.address, ...listingData(listing), transaction: null },
      text: [`Provider ${ctx.address} already lists ${describeListing(listing)}: nothing sent`],
    };
  }
  const tx = await ctx.send("ProviderRegistry.update", () => ctx.c.registry.update(listing.spec, listing.gpuModelName, listing.metadataURI), {
    // The revert has the numbers, not why GPUs are in use or until when.
    ProviderRegistryGpuCountBelowInUse: async () => {
      const inUse = (await ctx.c.registry.getProvider(ctx.address)).gpusInUse;
      return (
        `jobs it accepted hold ${inUse} of its GPUs until they end: --count ${inUse} or more now, lower once they have ended ` +
        `(provider offline keeps new jobs from taking more meanwhile; ${suggest(ctx, `provider show --provider ${ctx.address}`)} lists its running jobs)`
      );
    },
  });
  const text = [`Updated provider ${ctx.address}: ${describeListing(listing)}`];
  if (spec.region !== record.region) {
    const regionNote = await newRegionNote(ctx, String(spec.region));
    if (regionNote !== undefined) text.push(regionNote);
  }
  return { data: { provider: ctx.address, ...listingData(listing), transaction: tx.hash }, text };
}

export interface PriceArgs extends CommonArgs {
  price: string;
}

export async function price(ctx: TaskContext, args: PriceArgs): Promise<TaskResult<unknown>> {
  const wei = parseLat("--price", args.price);
  const before = (await requireRegistered(ctx)).pricePerGpuHour;
  if (wei === before) {
    // The registry would take it and emit the same price again: a transaction for nothing, shown as a change.
    return {
      data: { provider: ctx.address, previous: before, pricePerGpuHour: wei, transaction: null },
      text: [`Price of ${ctx.address} is already ${formatLat(wei)} per GPU-hour: nothing sent`],
    };
  }
  const tx = await ctx.send("ProviderRegistry.setPrice", () => ctx.c.registry.setPrice(wei));
  return {
    data: { provider: ctx.address, previous: before, pricePerGpuHour: wei, transaction: tx.hash },
    text: [`Price of ${ctx.address}: ${formatLat(before)} -> ${formatLat(wei)} per GPU-hour (jobs already accepted keep theirs)`],
  };
}

export interface OperatorArgs extends CommonArgs {
  operator: string;
}

export async function operator(ctx: TaskContext, args: OperatorArgs): Promise<TaskResult<unknown>> {
  const value = args.operator.trim().toLowerCase() === "none" ? ZeroAddress : await ctx.account("--operator", args.operator);
  if (value === ctx.address) throw new InputError("--operator", "must be another account than the provider's own (or none)");
  const { operator: before } = await requireRegistered(ctx);
  if (value === before) {
    // As for the price: the same operator again would be a transaction for nothing, shown as a change.
    const cap = await slashCapAdvice(ctx, value);
    return {
      data: { provider: ctx.address, operator: value, transaction: null },
      text: [`Operator of ${ctx.address} is already ${formatAddress(value)}: nothing sent`, ...(cap === undefined ? [] : [cap])],
    };
  }
  const tx = await ctx.send("ProviderRegistry.setOperator", () => ctx.c.registry.setOperator(value));
  const cap = await slashCapAdvice(ctx, value);
  return {
    data: { provider: ctx.address, operator: value, transaction: tx.hash },
    text: [`Operator of ${ctx.address}: ${formatAddress(value)}`, ...(cap === undefined ? [] : [cap])],
  };
}

/**
 * The step a provider that hands out an operator key should take next, while its cap still lets a slash pay the
 * client: the key can get the provider slashed on jobs a client it controls posted. Said now because the cap cannot
 * be lowered once the worker has collateral locked.
 */
async function slashCapAdvice(ctx: TaskContext, operator: string): Promise<string | undefined> {
  if (operator === ZeroAddress) return undefined;
  const cap = Number(await ctx.c.staking.maxSlashRewardBps(ctx.address));
  if (cap === 0) return undefined;
  return (
    `Before its worker takes a job, cap the slash reward at 0 (now ${describeCap(cap)}), so that the operator key can take none of a slash: ` +
    suggest(ctx, "provider slash-reward-cap --bps 0", { from: ctx.options.from })
  );
}

export interface SlashRewardCapArgs extends CommonArgs {
  bps: string;
}

/** Basis points in a whole slash: the highest cap, which is also what a provider that never set one has. */
const NO_CAP_BPS = 10_000;

export async function slashRewardCap(ctx: TaskContext, args: SlashRewardCapArgs): Promise<TaskResult<unknown>> {
  const bps = parseBps("--bps", args.bps, 0, NO_CAP_BPS);
  // Staking takes the cap from whoever calls: run by an operator, it would cap the operator's own (empty) stake and
  // leave its provider's open, so only a registered provider's account may run it.
  const record = await ctx.c.registry.getProvider(ctx.address);
  if (!record.registered) {
    const rule = "only the provider's own account sets its slash reward cap";
    throw await notAProvider(ctx, { rule, otherwise: ` (${rule})` });
  }
  const [cap, [, locked]] = await Promise.all([ctx.c.staking.maxSlashRewardBps(ctx.address), ctx.c.staking.getStake(ctx.address)]);
  const before = Number(cap);
  // Staking would revert with StakingSlashRewardCapLowerWhileLocked; said here, with what to do about it.
  if (bps < before && locked > 0n) {
    throw new StateError(
      `${ctx.address} has ${formatLat(locked)} locked as collateral of jobs it accepted, whose clients were accepted under ` +
        `its slash reward cap of ${describeCap(before)}: it cannot be lowered to ${describeCap(bps)} until none is locked ` +
        `(raising it is allowed). Stop taking jobs (${suggest(ctx, "provider offline", { from: ctx.options.from })}), ` +
        `let the running ones end (settled, timed out or ruled on), then run this again`,
    );
  }
  if (bps === before) {
    // Staking would take it and emit the same cap again: a transaction for nothing, shown as a change.
    return {
      data: { provider: ctx.address, previous: before, maxSlashRewardBps: bps, transaction: null },
      text: [`Slash reward cap of ${ctx.address} is already ${describeCap(bps)}: nothing sent`],
    };
  }
  const tx = await ctx.send("Staking.setMaxSlashRewardBps", () => ctx.c.staking.setMaxSlashRewardBps(bps));
  // Lowering goes through only with nothing locked, so it can only reach jobs accepted from now on.
  const reach = bps < before ? "jobs accepted from now on" : "jobs already running included";
  const text = [`Slash reward cap of ${ctx.address}: ${describeCap(before)} -> ${describeCap(bps)} (${reach})`];
  if (bps !== 0 && record.operator !== ZeroAddress) {
    text.push(`  its operator ${record.operator} can take up to ${describeCap(bps)} of a slash through a client it controls; 0 leaves it none`);
  }
  return { data: { provider: ctx.address, previous: before, maxSlashRewardBps: bps, transaction: tx.hash }, text };
}

function describeCap(bps: number): string {
  return bps === NO_CAP_BPS ? "no cap (10000 bps)" : `${bps} bps`;
}

export interface OnlineArgs extends CommonArgs {
  provider?: string;
}

async function setOnline(ctx: TaskContext, args: OnlineArgs, online: boolean): Promise<TaskResult<unknown>> {
  const provider = await actingProvider(ctx, args.provider);
  const [record, authorized] = await Promise.all([ctx.c.registry.getProvider(provider), ctx.c.registry.isAuthorized(provider, ctx.address)]);
  // The registry takes a repeated setOnline without a word: a transaction for nothing, reported as if it changed
  // something (a worker stopped at shutdown has already put its provider offline). Anyone else is left to the revert.
  const unchanged = record.registered && authorized && record.online === online;
  const tx = unchanged ? undefined : await ctx.send("ProviderRegistry.setOnline", () => ctx.c.registry.setOnline(provider, online), actingProviderHints(ctx, provider));
  const active = await ctx.c.registry.isActive(provider);
  const state = online ? "online" : "offline";
  const text = [unchanged ? `Provider ${provider} is already ${state}: nothing sent` : `Provider ${provider} is ${state} (set by ${ctx.address})`];
  if (online && !active) {
    const stake = await readStake(ctx, provider);
    text.push(
      `  but not active: staked minus thawing is ${formatLat(stake.staked - stake.thawing)}, ` +
        `below the ${formatLat(stake.required)} its GPUs require`,
    );
  }
  return { data: { provider, online, active, by: ctx.address, transaction: tx?.hash ?? null }, text };
}

export async function goOnline(ctx: TaskContext, args: OnlineArgs): Promise<TaskResult<unknown>> {
  return setOnline(ctx, args, true);
}

export async function goOffline(ctx: TaskContext, args: OnlineArgs): Promise<TaskResult<unknown>> {
  return setOnline(ctx, args, false);
}

export async function deregister(ctx: TaskContext): Promise<TaskResult<unknown>> {
  await requireRegistered(ctx);
  const tx = await ctx.send("ProviderRegistry.deregister", () => ctx.c.registry.deregister(), {
    // The revert gives the GPUs and collateral held, not by which jobs, nor what ends them.
    ProviderRegistryWorkInProgress: async () => {
      const { jobs: held, total } = await jobsHoldingCollateral(ctx, ctx.address);
      const more = total > held.length ? `, and ${total - held.length} more` : "";
      const listed = held.map((j) => `job ${j.jobId} (${JobStatus[j.status]})`).join(", ") + more;
      return (
        `${listed === "" ? "its jobs" : listed} must end first: an accepted job once submitted and settled (or timed out), ` +
        "a submitted one once settled after its challenge window (the worker settles it; job settle does too), a disputed one once ruled. " +
        `Go offline meanwhile so that it takes no new ones; ${suggest(ctx, `job status --job ${held[0]?.jobId ?? "<id>"}`)} says when`
      );
    },
  });
  const stake = await readStake(ctx, ctx.address);
  const text = [`Provider ${ctx.address} left the registry`];
  const notThawing = stake.staked - stake.thawing;
  if (notThawing > 0n) {
    const part = stake.thawing > 0n ? `; ${formatLat(stake.thawing)} of it already thawing, ${formatLat(notThawing)} not` : "";
    text.push(`  its stake (${formatLat(stake.staked)}) is untouched${part}: ${suggest(ctx, "stake thaw --amount all", { from: ctx.options.from })}, then stake withdraw`);
  } else if (stake.thawing > 0n) {
    // All of it is thawing already: thawing again is refused (nothing free); what is left is to withdraw it.
    const [, next] = await ctx.c.staking.thawRequestRange(ctx.address);
    const last = await ctx.c.staking.getThawRequest(ctx.address, next - 1n);
    text.push(
      `  its stake (${formatLat(stake.staked)}) is all thawing, withdrawable in full from ${formatTime(Number(last.maturesAt), await ctx.now())}: ${suggest(ctx, "stake withdraw", { from: ctx.options.from })}`,
    );
  }
  return { data: { provider: ctx.address, staked: stake.staked, transaction: tx.hash }, text };
}

/**
 * The most running jobs deregister's refusal and show name, each read with its own calls: submitted jobs free their
 * GPUs, so their number is bounded by nothing but the provider's collateral, and the rest are only counted.
 */
export const RUNNING_JOBS_LISTED = 5;

/**
 * The provider's jobs that still hold GPUs or collateral (accepted, submitted or disputed), oldest first: the first
 * RUNNING_JOBS_LISTED of them, each read by `read`, and how many there are. Found from the logs, so that the jobs
 * that ended cost no call however many the provider ran.
 */
async function readRunningJobs<T>(
  ctx: DeploymentContext,
  provider: string,
  toBlock: number,
  read: (jobId: bigint) => Promise<T>,
): Promise<{ jobs: T[]; total: number }> {
  const ids = await runningJobIds(ctx, provider, toBlock);
  return { jobs: await Promise.all(ids.slice(0, RUNNING_JOBS_LISTED).map(read)), total: ids.length };
}

/** The provider's running jobs with their status, for deregister's refusal. */
async function jobsHoldingCollateral(ctx: DeploymentContext, provider: string): Promise<{ jobs: { jobId: bigint; status: JobStatus }[]; total: number }> {
  return readRunningJobs(ctx, provider, await ctx.hre.ethers.provider.getBlockNumber(), async (jobId) => ({
    jobId,
    status: Number((await ctx.c.jobEscrow.getJob(jobId)).status) as JobStatus,
  }));
}

export interface ShowArgs extends CommonArgs {
  provider?: string;
}

export interface ProviderView {
  provider: string;
  registered: boolean;
  online: boolean;
  active: boolean;
  inactiveReasons: string[];
  operator: string;
  gpuModel: string | null;
  gpuModelName: string | null;
  region: string | null;
  vramGiB: number;
  tier: string;
  pricePerGpuHour: bigint;
  metadataURI: string | null;
  capacity: { gpuCount: number; gpusInUse: number; freeGpus: number };
  stake: StakeBreakdown;
  /** Most of a slash of its collateral paid to the job's client, in bps (10000: no cap). */
  maxSlashRewardBps: number;
  stats: { completed: number; timedOut: number; disputesLost: number };
  /** What its logs add up to, from the contracts' deployment blocks to `toBlock` (the head when read). */
  earnings: ProviderEarnings;
  /**
   * Its jobs not yet ended (accepted, submitted or disputed): what holds its GPUs and locks its collateral. The first
   * RUNNING_JOBS_LISTED of them, oldest first; `runningJobsTotal` counts them all.
   */
  runningJobs: RunningJob[];
  runningJobsTotal: number;
  /** Its pending thaw requests, oldest first: each one's amount and when it can be withdrawn. */
  thawRequests: ThawRequestView[];
}

export interface RunningJob {
  jobId: bigint;
  status: string;
  gpuCount: number;
  /** Its collateral locked for the job (Staking.jobCollateral). */
  collateral: bigint;
}

/** A running job of show's list, with its status and collateral. */
async function readRunningJob(ctx: DeploymentContext, jobId: bigint): Promise<RunningJob> {
  const [job, [, collateral]] = await Promise.all([ctx.c.jobEscrow.getJob(jobId), ctx.c.staking.jobCollateral(jobId)]);
  return { jobId, status: JobStatus[Number(job.status)] ?? String(job.status), gpuCount: Number(job.gpuCount), collateral };
}

/**
 * The ids of the provider's jobs accepted and not ended by `toBlock`, oldest first, from the logs alone: its
 * JobAccepted logs less its JobSettled, JobTimedOut and JobRefunded (each indexes the provider second), read as one filter.
 */
async function runningJobIds(ctx: DeploymentContext, provider: string, toBlock: number): Promise<bigint[]> {
  const escrow = ctx.c.jobEscrow;
  const iface = escrow.interface;
  const events = ["JobAccepted", "JobSettled", "JobTimedOut", "JobRefunded"] as const;
  const address = await escrow.getAddress();
  const topics = [events.map((name) => iface.getEvent(name).topicHash), null, zeroPadValue(provider, 32)];
  const { logs } = await queryLogRange(`JobEscrow's ${events.join(", ")} of ${provider}`, ctx.fromBlock("JobEscrow"), toBlock, (fromBlock, to) =>
    ctx.hre.ethers.provider.getLogs({ address, topics, fromBlock, toBlock: to }),
  );
  const running = new Set<bigint>();
  for (const log of logs) {
    const parsed = iface.parseLog(log);
    if (parsed === null) continue;
    const jobId = parsed.args.getValue("jobId") as bigint;
    if (parsed.name === "JobAccepted") running.add(jobId);
    else running.delete(jobId);
  }
  return [...running];
}

export interface ProviderEarnings {
  /** Settled jobs (JobSettled), every one, whatever its cost: `stats.completed` counts only those toward the track record. */
  jobsSettled: number;
  /** Sum of JobSettled's providerAmount (cost - fee) paid to it. */
  earned: bigint;
  /** Sum of JobSettled's fee, taken by the treasury out of its jobs' cost. */
  feesPaid: bigint;
  /** Staking's Slashed logs of its collateral: how many, the amount in all, and the part of it paid to clients. */
  slashes: number;
  slashed: bigint;
  slashedToClients: bigint;
  /** Disputes of its results, from DisputeManager's DisputeOpened and DisputeResolved logs. */
  disputes: ProviderDisputes;
  /** The blocks read: from JobEscrow's (settlements), Staking's (slashes) and DisputeManager's deployment blocks, to `toBlock`. */
  settledFromBlock: number;
  slashedFromBlock: number;
  disputesFromBlock: number;
  toBlock: number;
}

export interface ProviderDisputes {
  /** Disputes its jobs' clients opened, each with the client's deposit. */
  opened: number;
  /** Opened and not yet ruled or closed. */
  awaitingRuling: number;
  upheld: number;
  rejected: number;
  /** Ruled a draw, or closed unruled after the dispute period (a draw too). */
  drawnOrExpired: number;
  /** The deposits of the disputes ruled rejected: the client's deposit, paid to the provider. */
  depositsWon: bigint;
  /** The deposits of the disputes upheld, drawn or expired: the client's, returned to it. */
  depositsLost: bigint;
}

/** Job ids per DisputeResolved query: one OR-ed topic each, short enough for any node's filter. */
const JOB_IDS_PER_QUERY = 100;

/**
 * The disputes of `provider`'s results: its DisputeOpened logs (which index the provider, and carry the deposit),
 * then the DisputeResolved logs of those jobs (which index only the job, and say where the deposit went).
 */
async function readDisputes(ctx: DeploymentContext, provider: string, fromBlock: number, toBlock: number): Promise<ProviderDisputes> {
  const dm = ctx.c.disputeManager;
  const { logs: opened } = await queryLogRange(`DisputeManager's DisputeOpened against ${provider}`, fromBlock, toBlock, (from, to) =>
    dm.queryFilter(dm.filters.DisputeOpened(undefined, undefined, provider), from, to),
  );
  const deposits = new Map(opened.map((e) => [e.args.jobId, e.args.deposit]));
  const resolved = [];
  const ids = [...deposits.keys()];
  const address = await dm.getAddress();
  const topic = dm.interface.getEvent("DisputeResolved").topicHash;
  // A dispute is resolved after it was opened: its logs start at the first DisputeOpened's block.
  const firstOpened = opened[0]?.blockNumber ?? toBlock;
  for (let i = 0; i < ids.length; i += JOB_IDS_PER_QUERY) {
    const batch = ids.slice(i, i + JOB_IDS_PER_QUERY).map((id) => zeroPadValue(toBeHex(id), 32));
    const { logs } = await queryLogRange(`DisputeManager's DisputeResolved of ${provider}'s disputes`, firstOpened, toBlock, (from, to) =>
      ctx.hre.ethers.provider.getLogs({ address, topics: [topic, batch], fromBlock: from, toBlock: to }),
    );
    resolved.push(...logs.map((log) => dm.interface.decodeEventLog("DisputeResolved", log.data, log.topics)));
  }
  const tally: ProviderDisputes = { opened: opened.length, awaitingRuling: opened.length - resolved.length, upheld: 0, rejected: 0, drawnOrExpired: 0, depositsWon: 0n, depositsLost: 0n };
  for (const r of resolved) {
    const deposit = deposits.get(r.jobId as bigint) ?? 0n;
    const ruling = Number(r.ruling) as Ruling;
    if (ruling === Ruling.Upheld) tally.upheld += 1;
    else if (ruling === Ruling.Rejected) tally.rejected += 1;
    else tally.drawnOrExpired += 1;
    // Where the deposit went is the log's to say, not the ruling's: it names the one paid.
    if ((r.depositTo as string).toLowerCase() === provider.toLowerCase()) tally.depositsWon += deposit;
    else tally.depositsLost += deposit;
  }
  return tally;
}

/**
 * A provider's settlements and slashes from its logs (the contracts keep no running sums): one eth_getLogs per
 * contract, filtered by the provider's indexed topic, from the contract's deployment block to the head (split where a
 * node caps the range a call may span).
 */
async function readEarnings(ctx: DeploymentContext, provider: string): Promise<ProviderEarnings> {
  const escrow = ctx.c.jobEscrow;
  const staking = ctx.c.staking;
  const toBlock = await ctx.hre.ethers.provider.getBlockNumber();
  const settledFromBlock = ctx.fromBlock("JobEscrow");
  const slashedFromBlock = ctx.fromBlock("Staking");
  const disputesFromBlock = ctx.fromBlock("DisputeManager");
  const [settled, slashed, disputes] = await Promise.all([
    queryLogRange(`JobEscrow's JobSettled of ${provider}`, settledFromBlock, toBlock, (from, to) =>
      escrow.queryFilter(escrow.filters.JobSettled(undefined, provider), from, to),
    ),
    queryLogRange(`Staking's Slashed of ${provider}`, slashedFromBlock, toBlock, (from, to) =>
      staking.queryFilter(staking.filters.Slashed(provider), from, to),
    ),
    readDisputes(ctx, provider, disputesFromBlock, toBlock),
  ]);
  const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
  return {
    jobsSettled: settled.logs.length,
    earned: sum(settled.logs.map((e) => e.args.providerAmount)),
    feesPaid: sum(settled.logs.map((e) => e.args.fee)),
    slashes: slashed.logs.length,
    slashed: sum(slashed.logs.map((e) => e.args.amount)),
    slashedToClients: sum(slashed.logs.map((e) => e.args.reward)),
    disputes,
    settledFromBlock,
    slashedFromBlock,
    disputesFromBlock,
    toBlock,
  };
}

export async function show(ctx: DeploymentContext, args: ShowArgs): Promise<TaskResult<ProviderView>> {
  const provider = await providerArg(ctx, args.provider);
  const [record, active, stake, stats, strings, cap, earnings, thawing, now] = await Promise.all([
    ctx.c.registry.getProvider(provider),
    ctx.c.registry.isActive(provider),
    readStake(ctx, provider),
    ctx.c.jobEscrow.providerStats(provider),
    listingStrings(ctx, provider),
    ctx.c.staking.maxSlashRewardBps(provider),
    readEarnings(ctx, provider),
    thawRequests(ctx, provider),
    ctx.now(),
  ]);
  const { jobs: runningJobs, total: runningJobsTotal } = await readRunningJobs(ctx, provider, earnings.toBlock, (jobId) => readRunningJob(ctx, jobId));
  const reasons: string[] = [];
  if (!record.registered) reasons.push("not registered");
  else {
    if (!record.online) reasons.push("offline");
    if (!stake.meetsMinimum) reasons.push(`under-staked: staked minus thawing is below ${formatLat(stake.required)}`);
  }
  const view: ProviderView = {
    provider,
    registered: record.registered,
    online: record.online,
    active,
    inactiveReasons: active ? [] : reasons,
    operator: record.operator,
    gpuModel: record.registered ? readModel(record.gpuModel) : null,
    gpuModelName: record.registered ? (strings?.gpuModelName ?? null) : null,
    region: record.registered ? readRegion(record.region) : null,
    vramGiB: Number(record.vramGiB),
    tier: tierName(record.tier),
    pricePerGpuHour: record.pricePerGpuHour,
    metadataURI: record.registered ? (strings?.metadataURI ?? null) : null,
    capacity: {
      gpuCount: Number(record.gpuCount),
      gpusInUse: Number(record.gpusInUse),
      freeGpus: Number(record.gpuCount - record.gpusInUse),
    },
    stake,
    maxSlashRewardBps: Number(cap),
    stats: { completed: Number(stats.completed), timedOut: Number(stats.timedOut), disputesLost: Number(stats.disputesLost) },
    earnings,
    runningJobs,
    runningJobsTotal,
    thawRequests: thawing,
  };
  const text = [`Provider ${provider}`];
  if (!record.registered) text.push("  not registered");
  else {
    text.push(
      ...table([
        ["status", `${active ? "active" : `inactive (${reasons.join("; ")})`}, ${record.online ? "online" : "offline"}`],
        ["operator", formatAddress(record.operator)],
        ["slash reward cap", `${describeCap(view.maxSlashRewardBps)} of a slash to the client, the rest to the treasury`],
        ["GPU model", `${view.gpuModel} (${view.gpuModelName ?? "?"})`],
        ["GPUs", `${view.capacity.gpuCount} x ${view.vramGiB} GiB, ${view.capacity.gpusInUse} in use, ${view.capacity.freeGpus} free`],
        ["region", String(view.region)],
        ["tier", view.tier],
        ["price", `${formatLat(record.pricePerGpuHour)} per GPU-hour`],
        ["metadata URI", view.metadataURI ?? "?"],
      ]),
    );
  }
  text.push(...stakeLines(stake));
  // What is thawing is neither usable as stake nor withdrawable yet: when it is, is what a leaving provider waits for.
  for (const r of thawing) {
    text.push(`    thaw #${r.index}  ${formatLat(r.amount)}  ${r.matured ? "withdrawable since" : "withdrawable from"} ${formatTime(r.maturesAt, now)}`);
  }
  // The escrow's `completed` counts only settled jobs that cost at least their params' minTrackRecordCost.
  text.push(
    `  jobs: ${view.stats.completed} completed (counted toward track record), ${view.stats.timedOut} timed out, ` +
      `${view.stats.disputesLost} disputes lost`,
  );
  const running = runningJobs.map((j) => `job ${j.jobId} (${j.status}, ${j.gpuCount} GPU${j.gpuCount === 1 ? "" : "s"}, ${formatLat(j.collateral)} collateral)`);
  if (runningJobsTotal > running.length) running.push(`and ${runningJobsTotal - running.length} more`);
  text.push(`  running jobs: ${running.length === 0 ? "none" : running.join(", ")}`);
  text.push(...earningsLines(earnings));
  return { data: view, text };
}

function earningsLines(e: ProviderEarnings): string[] {
  const blocks = (from: number) => (from === e.toBlock ? `block ${from}` : `blocks ${from}-${e.toBlock}`);
  const slashedTo = e.slashes === 0 ? "" : `, ${formatLat(e.slashedToClients)} of it to clients, the rest to the treasury`;
  const d = e.disputes;
  const disputes = (n: number) => `${n} dispute${n === 1 ? "" : "s"}`;
  return [
    `  earnings (from the logs since deployment: JobEscrow ${blocks(e.settledFromBlock)}, Staking ${blocks(e.slashedFromBlock)}, ` +
      `DisputeManager ${blocks(e.disputesFromBlock)}):`,
    ...table(
      [
        ["earned", `${formatLat(e.earned)} from ${e.jobsSettled} settled job${e.jobsSettled === 1 ? "" : "s"} (cost minus fee)`],
        ["fees paid", formatLat(e.feesPaid)],
        ["slashed", `${formatLat(e.slashed)} in ${e.slashes} slash${e.slashes === 1 ? "" : "es"}${slashedTo}`],
        ["disputes", `${disputes(d.opened)} of its results: ${d.upheld} upheld, ${d.rejected} rejected, ${d.drawnOrExpired} drawn or expired, ${d.awaitingRuling} awaiting a ruling`],
        ["deposits won", `${formatLat(d.depositsWon)} (the clients' dispute deposits of the ${disputes(d.rejected)} ruled rejected, paid to the provider)`],
        ["deposits lost", `${formatLat(d.depositsLost)} (the clients' dispute deposits of the ${disputes(d.upheld + d.drawnOrExpired)} upheld, drawn or expired, returned to them)`],
      ],
      "    ",
    ),
  ];
}

export function stakeLines(stake: StakeBreakdown): string[] {
  return [
    "  stake:",
    ...table(
      [
        ["staked", formatLat(stake.staked)],
        ["locked", `${formatLat(stake.locked)} (collateral of running jobs)`],
        ["thawing", formatLat(stake.thawing)],
        ["free", formatLat(stake.free)],
        ["required", `${formatLat(stake.required)} (${formatLat(stake.minStakePerGpu)} per listed GPU)${stake.meetsMinimum ? "" : " NOT MET"}`],
      ],
      "    ",
    ),
  ];
}
