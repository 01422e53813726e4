/**
 * job create / cancel / expire / decline / accept / submit / abandon / approve / settle / timeout / status.
 */
import { ZeroAddress, ZeroHash, formatUnits, toBeHex, zeroPadValue } from "ethers";
import type { ContractTransactionResponse, LogDescription } from "ethers";
import { JobStatus, Ruling } from "../../scenario";
import { JOB_LIMITS } from "../../../contracts/jobs/job-limits";
import type { IJobEscrow } from "../../../typechain-types/contracts/jobs/JobEscrow";
import type { CommonArgs, DeploymentContext, RevertHints, SentTransaction, TaskContext } from "../lib/context";
import { InputError } from "../lib/errors";
import { formatDuration, formatLat, formatTime, isoTime, readModel, readRegion, table, tierName } from "../lib/format";
import { TierCode } from "../../worker/ids";
import { queryLogRange } from "../lib/logs";
import {
  JOB_TIER_CHOICES,
  LAT_DECIMALS,
  exclusive,
  parseBps,
  parseChoice,
  parseDuration,
  parseGpuModel,
  parseInteger,
  parseJobId,
  parseLat,
  parseRegion,
  parseTimestamp,
} from "../lib/parse";
import type { TaskResult } from "../lib/run";
import { actingProvider, actingProviderHints, createdJob, ensureAllowance, jobIdHints, jobStatusHints, readStake, registeredProviders, requireBalance, resolveDocument, signPermit, suggest, fromOption, rerun } from "./shared";
import type { RegisteredProvider } from "./shared";

const NO_REGION = `0x${"00".repeat(16)}`;
const DEFAULT_ACCEPT_WITHIN = "1h";

export interface CreateArgs extends CommonArgs {
  model?: string;
  region?: string;
  minVram?: string;
  gpus: string;
  tier: string;
  minCompleted: string;
  minSlashReward: string;
  maxPrice: string;
  maxDuration: string;
  acceptWithin?: string;
  acceptDeadline?: string;
  provider?: string;
  specFile?: string;
  specUri?: string;
  specHash?: string;
  permit: boolean;
}

export async function create(ctx: TaskContext, args: CreateArgs): Promise<TaskResult<unknown>> {
  const escrow = ctx.c.jobEscrow;
  exclusive({ "--accept-within": args.acceptWithin, "--accept-deadline": args.acceptDeadline });
  const [minDuration, maxDuration, maxAcceptWindow, maxUri, maxGpus, maxMinSlashReward, now] = await Promise.all([
    escrow.MIN_DURATION(),
    escrow.MAX_DURATION(),
    escrow.MAX_ACCEPT_WINDOW(),
    escrow.MAX_URI_LENGTH(),
    ctx.c.registry.maxGpusPerProvider(),
    escrow.MAX_MIN_SLASH_REWARD_BPS(),
    ctx.nextBlockTime(),
  ]);
  const gpuCount = parseInteger("--gpus", args.gpus, 1, Number(maxGpus));
  const duration = parseDuration("--max-duration", args.maxDuration);
  if (duration < minDuration || duration > maxDuration) {
    throw new InputError("--max-duration", `${formatDuration(duration)} is outside [${formatDuration(Number(minDuration))}, ${formatDuration(Number(maxDuration))}]`);
  }
  // Each option's own range, in its own terms: a window for --accept-within, dates for --accept-deadline.
  const window = Number(maxAcceptWindow);
  let acceptDeadline: number;
  if (args.acceptDeadline !== undefined) {
    acceptDeadline = parseTimestamp("--accept-deadline", args.acceptDeadline);
    if (acceptDeadline <= now || acceptDeadline > now + window) {
      throw new InputError(
        "--accept-deadline",
        `${isoTime(acceptDeadline)} is ${acceptDeadline <= now ? "not after" : `more than ${formatDuration(window)} after`} the chain's time now: ` +
          `give a time after ${isoTime(now)} and at most ${isoTime(now + window)} (the escrow's MAX_ACCEPT_WINDOW, ${formatDuration(window)}, from now)`,
      );
    }
  } else {
    const within = parseDuration("--accept-within", args.acceptWithin ?? DEFAULT_ACCEPT_WITHIN);
    if (within <= 0 || within > window) {
      throw new InputError(
        "--accept-within",
        `"${args.acceptWithin ?? DEFAULT_ACCEPT_WITHIN}" is ${within <= 0 ? "no time" : formatDuration(within)}: give more than 0 seconds and at most ${formatDuration(window)} ` +
          `(${window} s, the escrow's MAX_ACCEPT_WINDOW), how long the job waits for a provider to accept it`,
      );
    }
    acceptDeadline = now + within;
  }
  const maxPrice = parseLat("--max-price", args.maxPrice);
  const spec = resolveDocument("spec", { file: args.specFile, uri: args.specUri, hash: args.specHash }, Number(maxUri));
  const terms: IJobEscrow.JobTermsStruct = {
    requirements: {
      gpuModel: args.model === undefined ? ZeroHash : parseGpuModel("--model", args.model),
      region: args.region === undefined ? NO_REGION : parseRegion("--region", args.region),
      minVramGiB: args.minVram === undefined ? 0 : parseInteger("--min-vram", args.minVram, 0, JOB_LIMITS.maxMinVramGiB),
      gpuCount,
      tier: parseChoice("--tier", args.tier, JOB_TIER_CHOICES),
      minCompletedJobs: parseInteger("--min-completed", args.minCompleted, 0, 2 ** 32 - 1),
      minSlashRewardBps: parseBps("--min-slash-reward", args.minSlashReward, 0, Number(maxMinSlashReward)),
    },
    maxPricePerGpuHour: maxPrice,
    maxDuration: duration,
    acceptDeadline,
    targetProvider: args.provider === undefined ? ZeroAddress : await ctx.account("--provider", args.provider),
    specHash: spec.hash,
  };
  await requireListed(ctx, args, terms.requirements, String(terms.targetProvider));
  const escrowed = await escrow.computeCost(maxPrice, gpuCount, duration);
  if (escrowed === 0n) throw new InputError("--max-price", "the job's maximum cost rounds to 0 wei: raise --max-price or --max-duration");
  // A pause refuses new jobs (and the escrow checks the terms again): said before an approve is sent for nothing.
  await ctx.preflight("JobEscrow.createJob", () => escrow.createJob.staticCall(terms, spec.uri));
  await requireBalance(ctx, escrowed, "the job's escrow");

  const escrowAddress = await escrow.getAddress();
  let tx;
  if (args.permit) {
    const p = await signPermit(ctx, escrowAddress, escrowed);
    tx = await ctx.send("JobEscrow.createJobWithPermit", () => escrow.createJobWithPermit(terms, spec.uri, p.deadline, p.v, p.r, p.s));
  } else {
    await ensureAllowance(ctx, escrowAddress, escrowed);
    tx = await ctx.send("JobEscrow.createJob", () => escrow.createJob(terms, spec.uri));
  }
  const jobId = tx.events.find((e) => e.name === "JobCreated")?.args.getValue("jobId") as bigint;
  const text = [
    `Created job ${jobId}: ${formatLat(escrowed)} escrowed (${gpuCount} GPU x ${formatDuration(duration)} at most ${formatLat(maxPrice)} per GPU-hour)`,
    // From the chain's time now, as job status shows it: the window counts from `now` read before sending, and the
    // approve and the job's own block may come well after it (a devnet that mined nothing for minutes).
    `  acceptance deadline ${formatTime(acceptDeadline, await ctx.now())}`,
    `  spec ${abbreviate(spec.uri)} (hash ${spec.hash})`,
  ];
  if (terms.targetProvider !== ZeroAddress) text.push(`  directed at provider ${terms.targetProvider}`);
  text.push(`Follow it with: ${suggest(ctx, `job status --job ${jobId}`)}`);
  return {
    data: { jobId, client: ctx.address, escrowed, specURI: spec.uri, specHash: spec.hash, acceptDeadline, targetProvider: terms.targetProvider, transaction: tx.hash },
    text,
  };
}

type Listing = RegisteredProvider["listing"];

/** A requirement of the job a listing may fail: its option, and, for a listing, whether it meets it and what it has. */
interface ListedRequirement {
  option: string;
  /** The requirement in words, as the errors name it. */
  wanted: string;
  meets: (listing: Listing) => boolean;
  /** What a listing has instead, e.g. "rtx-4090-24gb". */
  has: (listing: Listing) => string;
  /** What the listings have, in the error where none meets it: "the models listed: a, b". */
  listed: (listings: Listing[]) => string;
}

function sortedSet(values: string[]): string {
  return [...new Set(values)].sort().join(", ");
}

/** The job's requirements that a listing states (not its price, nor its track record, which change as it works). */
function listedRequirements(args: CreateArgs, requirements: IJobEscrow.JobRequirementsStruct): ListedRequirement[] {
  const wanted: ListedRequirement[] = [];
  if (args.model !== undefined) {
    const word = String(requirements.gpuModel);
    const model = (l: Listing) => readModel(l.gpuModel) ?? l.gpuModel;
    wanted.push({ option: "--model", wanted: `"${args.model}"`, meets: (l) => l.gpuModel === word, has: model, listed: (ls) => `the models listed: ${sortedSet(ls.map(model))}` });
  }
  if (args.region !== undefined) {
    const word = String(requirements.region);
    const region = (l: Listing) => readRegion(l.region) ?? l.region;
    wanted.push({ option: "--region", wanted: `"${args.region}"`, meets: (l) => l.region === word, has: region, listed: (ls) => `the regions listed: ${sortedSet(ls.map(region))}` });
  }
  const vram = Number(requirements.minVramGiB);
  if (vram > 0) {
    const most = (ls: Listing[]) => `the most listed is ${Math.max(...ls.map((l) => Number(l.vramGiB)))} GiB`;
    wanted.push({ option: "--min-vram", wanted: `${vram} GiB per GPU or more`, meets: (l) => Number(l.vramGiB) >= vram, has: (l) => `${l.vramGiB} GiB per GPU`, listed: most });
  }
  const tier = Number(requirements.tier);
  if (tier !== TierCode.Any) {
    wanted.push({ option: "--tier", wanted: tierName(tier), meets: (l) => Number(l.tier) === tier, has: (l) => tierName(l.tier), listed: (ls) => `the tiers listed: ${sortedSet(ls.map((l) => tierName(l.tier)))}` });
  }
  const gpus = Number(requirements.gpuCount);
  // Every listing has a GPU: one asks nothing of it.
  if (gpus === 1) return wanted;
  const most = (ls: Listing[]) => `the most one lists is ${Math.max(...ls.map((l) => Number(l.gpuCount)))}`;
  wanted.push({ option: "--gpus", wanted: `${gpus} GPUs`, meets: (l) => Number(l.gpuCount) >= gpus, has: (l) => `${l.gpuCount} GPUs`, listed: most });
  return wanted;
}

/**
 * A job whose model, region, VRAM, tier or GPU count no provider lists (a typo, most often) would hold its escrow until
 * its acceptance deadline, up to 30 days, for nothing: refused, naming what is listed now (a directed job: its
 * target's, which must be registered). No option overrides it: a provider about to list a model does so in one
 * transaction, and the job can be posted then; the contracts and the API still take any terms.
 */
async function requireListed(ctx: TaskContext, args: CreateArgs, requirements: IJobEscrow.JobRequirementsStruct, target: string): Promise<void> {
  const wanted = listedRequirements(args, requirements);
  if (target !== ZeroAddress) {
    const listing = await ctx.c.registry.getProvider(target);
    if (!listing.registered) throw new InputError("--provider", `${target} is not a registered provider: no job directed at it can be accepted`);
    // The escrow refuses the first when posted (JobEscrowSelfDirectedTarget) and the second only at acceptance
    // (JobEscrowSelfDirectedJob), its escrow held meanwhile: a timeout would pay the provider its own slashed stake.
    const me = ctx.address.toLowerCase();
    if (target.toLowerCase() === me || listing.operator.toLowerCase() === me) {
      const who = target.toLowerCase() === me ? `${target} is the signer` : `${target}'s operator is the signer ${ctx.address}`;
      throw new InputError("--provider", `${who}: the escrow refuses a provider a job that it or its operator posted (its timeout would pay the provider its own slashed stake)`);
    }
    const unmet = wanted.find((r) => !r.meets(listing));
    if (unmet !== undefined) {
      throw new InputError(unmet.option, `provider ${target} lists ${unmet.has(listing)}, not ${unmet.wanted}: no job for it directed at that provider can be accepted`);
    }
    return;
  }
  if (wanted.length === 0) return;
  const listings = (await registeredProviders(ctx)).map((p) => p.listing);
  if (listings.length === 0) throw new InputError(wanted[0]!.option, "no provider is registered, so no job can be accepted");
  for (const r of wanted) {
    if (!listings.some(r.meets)) throw new InputError(r.option, `no provider lists ${r.wanted}, so no job for it can be accepted; ${r.listed(listings)}`);
  }
  if (listings.some((l) => wanted.every((r) => r.meets(l)))) return;
  // Each is listed, but by no one provider. Named from the first: what the providers of the first requirement lack.
  const [first, ...rest] = wanted;
  const candidates = listings.filter(first!.meets);
  const unmet = rest.find((r) => !candidates.some(r.meets)) ?? rest[0]!;
  throw new InputError(
    unmet.option,
    `no provider lists ${wanted.map((r) => r.wanted).join(" with ")}, so no job for it can be accepted; the providers of ${first!.wanted} list ${sortedSet(candidates.map(unmet.has))}`,
  );
}

function abbreviate(uri: string): string {
  return uri.length > 80 ? `${uri.slice(0, 77)}...` : uri;
}

export interface JobArgs extends CommonArgs {
  job: string;
}

/** The one-call actions: the revert (wrong status, not the client, too early) explains any refusal. */
async function simple(
  ctx: TaskContext,
  args: JobArgs,
  action: string,
  /** The status the call needs, and what it does to such a job ("can be cancelled"). */
  needs: [JobStatus, string],
  send: (jobId: bigint) => Promise<ContractTransactionResponse>,
  describe: (jobId: bigint, events: LogDescription["args"][]) => string,
  hints: (jobId: bigint) => RevertHints = () => ({}),
): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const tx = await ctx.send(`JobEscrow.${action}`, () => send(jobId), { ...jobIdHints(ctx, jobId), ...jobStatusHints(ctx, jobId, ...needs), ...hints(jobId) });
  const escrowEvents = tx.events.filter((e) => e.contract === "JobEscrow").map((e) => e.args);
  const status = JobStatus[Number((await ctx.c.jobEscrow.getJob(jobId)).status)];
  return { data: { jobId, status, transaction: tx.hash }, text: [describe(jobId, escrowEvents)] };
}

function refundOf(events: LogDescription["args"][]): string {
  const refund = events.map((a) => (a.toObject() as { refund?: bigint }).refund).find((r) => r !== undefined);
  return refund === undefined ? "" : `, ${formatLat(refund)} refunded to the client`;
}

/** JobEscrowNotClient names the caller, not the client, whose --from the user needs: the command again, signed by it. */
function clientHints(ctx: TaskContext, does: string): (jobId: bigint) => RevertHints {
  return (jobId) => ({
    JobEscrowNotClient: async () => {
      const { client } = await ctx.c.jobEscrow.getJob(jobId);
      return `only the job's client ${client} ${does}: ${rerun(ctx, await fromOption(ctx, client))}`;
    },
  });
}

/** The job's provider (a directed job's target before acceptance): who may act for it, where the caller may not. */
function jobProviderHints(ctx: TaskContext): (jobId: bigint) => RevertHints {
  return (jobId) => actingProviderHints(ctx, async () => (await ctx.c.jobEscrow.getJob(jobId)).provider);
}

export async function cancel(ctx: TaskContext, args: JobArgs): Promise<TaskResult<unknown>> {
  return simple(ctx, args, "cancelJob", [JobStatus.Open, "can be cancelled"], (id) => ctx.c.jobEscrow.cancelJob(id), (id, ev) => `Job ${id} cancelled${refundOf(ev)}`, clientHints(ctx, "cancels it"));
}

export async function expire(ctx: TaskContext, args: JobArgs): Promise<TaskResult<unknown>> {
  return simple(ctx, args, "expireJob", [JobStatus.Open, "can expire (once its acceptance deadline has passed)"], (id) => ctx.c.jobEscrow.expireJob(id), (id, ev) => `Job ${id} expired${refundOf(ev)}`);
}

export async function decline(ctx: TaskContext, args: JobArgs): Promise<TaskResult<unknown>> {
  // The revert names only the job: that it was posted to every provider, whom a decline does not concern, is the point.
  const hints = (id: bigint): RevertHints => ({
    ...jobProviderHints(ctx)(id),
    JobEscrowNotDirected: async () =>
      `job ${id} was posted to every provider (no --provider), so none declines it: only a job directed at one provider can be declined, by it or its operator; ` +
      `a provider that does not want this one leaves it, and it expires unaccepted at its acceptance deadline: ${suggest(ctx, `job status --job ${id}`)} shows when`,
  });
  return simple(ctx, args, "declineJob", [JobStatus.Open, "can be declined"], (id) => ctx.c.jobEscrow.declineJob(id), (id, ev) => `Job ${id} declined${refundOf(ev)}`, hints);
}

export async function approve(ctx: TaskContext, args: JobArgs): Promise<TaskResult<unknown>> {
  return simple(ctx, args, "approveResult", [JobStatus.Submitted, "has a result to approve"], (id) => ctx.c.jobEscrow.approveResult(id), (id, ev) => `Job ${id} approved: ${settlement(ev)}`, clientHints(ctx, "approves its result"));
}

export async function settle(ctx: TaskContext, args: JobArgs): Promise<TaskResult<unknown>> {
  return simple(ctx, args, "settle", [JobStatus.Submitted, "can be settled (once its challenge window has closed)"], (id) => ctx.c.jobEscrow.settle(id), (id, ev) => `Job ${id} settled: ${settlement(ev)}`);
}

export async function timeout(ctx: TaskContext, args: JobArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const tx = await ctx.send("JobEscrow.claimTimeout", () => ctx.c.jobEscrow.claimTimeout(jobId), {
    ...jobIdHints(ctx, jobId),
    ...jobStatusHints(ctx, jobId, JobStatus.Accepted, "can time out (once its result deadline has passed, with no result)"),
  });
  return timedOutResult(ctx, jobId, tx, "timed out");
}

/** The provider (or its operator) gives back an accepted job it cannot run: the timeout's settlement, at once. */
export async function abandon(ctx: TaskContext, args: JobArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const tx = await ctx.send("JobEscrow.abandonJob", () => ctx.c.jobEscrow.abandonJob(jobId), {
    ...jobIdHints(ctx, jobId),
    ...jobStatusHints(ctx, jobId, JobStatus.Accepted, "can be given back (accepted, with no result yet)"),
    ...jobProviderHints(ctx)(jobId),
    JobEscrowResultDeadlinePassed: async () =>
      `job ${jobId} has timed out already: anyone settles it so, with the same refund and slash: ${suggest(ctx, `job timeout --job ${jobId}`)}`,
  });
  return timedOutResult(ctx, jobId, tx, "given back");
}

/** What `job timeout` and `job abandon` print: one settlement, whoever ended the job. */
async function timedOutResult(ctx: TaskContext, jobId: bigint, tx: SentTransaction, done: string): Promise<TaskResult<unknown>> {
  const e = tx.events.find((x) => x.name === "JobTimedOut")?.args.toObject() as { refund: bigint; slashed: bigint };
  // Staking's Slashed has the split: the client's share is cut by the provider's slash reward cap.
  const split = tx.events.find((x) => x.contract === "Staking" && x.name === "Slashed")?.args.toObject() as { reward: bigint; toTreasury: bigint } | undefined;
  const reward = split?.reward ?? 0n;
  const toTreasury = split?.toTreasury ?? 0n;
  const status = JobStatus[Number((await ctx.c.jobEscrow.getJob(jobId)).status)];
  return {
    data: { jobId, status, refund: e.refund, slashed: e.slashed, reward, toTreasury, transaction: tx.hash },
    text: [
      `Job ${jobId} ${done}: ${formatLat(e.refund)} refunded to the client; ${formatLat(e.slashed)} of collateral slashed, ${formatLat(reward)} to the client and ${formatLat(toTreasury)} to the treasury`,
    ],
  };
}

function settlement(events: LogDescription["args"][]): string {
  const e = events.map((a) => a.toObject() as { cost?: bigint; fee?: bigint; providerAmount?: bigint; refund?: bigint }).find((a) => a.cost !== undefined);
  if (e === undefined) return "settled";
  return `cost ${formatLat(e.cost ?? 0n)}: ${formatLat(e.providerAmount ?? 0n)} to the provider, fee ${formatLat(e.fee ?? 0n)}, ${formatLat(e.refund ?? 0n)} refunded`;
}

export interface AcceptArgs extends JobArgs {
  provider?: string;
}

/** Which of the registry's two conditions for taking jobs the provider fails (the revert names neither), and the command that mends it. */
async function whyInactive(ctx: TaskContext, provider: string): Promise<string> {
  const [listing, stake] = await Promise.all([ctx.c.registry.getProvider(provider), readStake(ctx, provider)]);
  if (!listing.online) return `${provider} is offline, and takes no job until it goes online: ${suggest(ctx, `provider online --provider ${provider}`, { from: ctx.options.from })}`;
  const backing = stake.staked - stake.thawing;
  return (
    `${provider} is under-staked: its stake less what is thawing, ${formatLat(backing)}, is below the ${formatLat(stake.required)} its ${listing.gpuCount} listed GPUs need; ` +
    `the provider stakes the rest: ${suggest(ctx, `stake add --amount ${formatUnits(stake.required - backing, LAT_DECIMALS)}`, { from: await fromOption(ctx, provider) })}`
  );
}

export async function accept(ctx: TaskContext, args: AcceptArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const provider = await actingProvider(ctx, args.provider);
  // The escrow keeps only the terms' hash: acceptJob takes them back exactly as JobCreated emitted them.
  const job = await createdJob(ctx, jobId);
  const tx = await ctx.send("JobEscrow.acceptJob", () => ctx.c.jobEscrow.acceptJob(jobId, provider, job.terms), {
    ...jobStatusHints(ctx, jobId, JobStatus.Open, "can be accepted"),
    ...actingProviderHints(ctx, provider),
    ProviderRegistryProviderInactive: () => whyInactive(ctx, provider),
  });
  const e = tx.events.find((x) => x.name === "JobAccepted")?.args.toObject() as {
    pricePerGpuHour: bigint;
    collateral: bigint;
    paramsId: bigint;
    resultDeadline: bigint;
  };
  // The deadline alone reads as the time the job pays for: it is maxDuration plus the grace, and the escrow meters at
  // most maxDuration, so a provider is told both, and what a timeout takes (LatentMath.bpsUp of the collateral).
  const params = await ctx.c.jobEscrow.getParams(e.paramsId);
  const maxDuration = Number(job.terms.maxDuration);
  const timeoutSlash = (e.collateral * params.timeoutSlashBps + 9_999n) / 10_000n;
  return {
    data: {
      jobId,
      provider,
      by: ctx.address,
      pricePerGpuHour: e.pricePerGpuHour,
      collateral: e.collateral,
      resultDeadline: Number(e.resultDeadline),
      maxDuration,
      grace: Number(params.grace),
      timeoutSlash,
      transaction: tx.hash,
    },
    text: [
      `Job ${jobId} accepted for provider ${provider} at ${formatLat(e.pricePerGpuHour)} per GPU-hour`,
      `  collateral locked ${formatLat(e.collateral)}; submit the result by ${formatTime(Number(e.resultDeadline), await ctx.now())}: ` +
        `the job's max duration, ${formatDuration(maxDuration)}, the most it is paid for, plus the ${formatDuration(Number(params.grace))} grace; ` +
        `after that anyone may time it out (job timeout), slashing ${formatLat(timeoutSlash)} of the collateral`,
    ],
  };
}

export interface SubmitArgs extends JobArgs {
  resultFile?: string;
  resultUri?: string;
  resultHash?: string;
}

export async function submit(ctx: TaskContext, args: SubmitArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const maxUri = Number(await ctx.c.jobEscrow.MAX_URI_LENGTH());
  const result = resolveDocument("result", { file: args.resultFile, uri: args.resultUri, hash: args.resultHash }, maxUri);
  const tx = await ctx.send("JobEscrow.submitResult", () => ctx.c.jobEscrow.submitResult(jobId, result.uri, result.hash), {
    ...jobIdHints(ctx, jobId),
    ...jobStatusHints(ctx, jobId, JobStatus.Accepted, "takes a result"),
    ...jobProviderHints(ctx)(jobId),
  });
  const e = tx.events.find((x) => x.name === "ResultSubmitted")?.args.toObject() as { cost: bigint; challengeDeadline: bigint };
  return {
    data: { jobId, resultURI: result.uri, resultHash: result.hash, cost: e.cost, challengeDeadline: Number(e.challengeDeadline), transaction: tx.hash },
    text: [
      `Result of job ${jobId} submitted: cost ${formatLat(e.cost)}`,
      `  the client may dispute until ${formatTime(Number(e.challengeDeadline), await ctx.now())}; anyone may settle after`,
    ],
  };
}

// -------------------------------------------------------------------------------------------------------- status

export interface NextAction {
  /** The task to run, e.g. "job accept". */
  task: string;
  who: string;
  /** Unix time from which it is possible (absent: already). */
  from?: number;
  /** Unix time until which it is possible (absent: no limit). */
  until?: number;
  possibleNow: boolean;
  /** The account that must sign it (absent: anyone), as its provider, client or arbitrator; null for an undirected open
   * job's acceptance, whose provider (any matching one) is not known yet: the only signer status cannot name. */
  signer?: string | null;
  /** The example command that runs it, once status has resolved the signer's --from among the node's accounts. */
  command?: string;
}

/** The options each next action requires besides --job, as placeholders to fill in. */
const REQUIRED_OPTIONS: Readonly<Record<string, string>> = {
  "job submit": "--result-file <file>",
  "dispute open": "--evidence-uri <uri>",
  "dispute answer": "--evidence-uri <uri>",
  "dispute rule": `--ruling <upheld|rejected|draw>`,
};

/**
 * A next action as a command to paste: its required options, and the acting account's --from as a refusal names it
 * (fromOption: its index where it is one of the node's accounts, else its address, which signs once
 * LATENT_PRIVATE_KEY holds its key; the default signer, account 0, would be refused). Only an account not known yet,
 * whichever provider accepts an open job, is a placeholder.
 */
async function nextCommand(ctx: DeploymentContext, jobId: bigint, n: NextAction): Promise<string> {
  const parts = [`${n.task} --job ${jobId}`];
  const required = REQUIRED_OPTIONS[n.task];
  if (required !== undefined) parts.push(required);
  const signer = n.signer;
  const from = signer === undefined ? undefined : signer === null ? "<provider account>" : await fromOption(ctx, signer);
  return suggest(ctx, parts.join(" "), { from });
}

export interface JobView {
  jobId: bigint;
  status: string;
  client: string;
  targetProvider: string | null;
  provider: string | null;
  escrowed: bigint;
  requirements: {
    gpuModel: string | null;
    region: string | null;
    minVramGiB: number;
    gpuCount: number;
    tier: string;
    minCompletedJobs: number;
    minSlashRewardBps: number;
  };
  maxPricePerGpuHour: bigint;
  maxDuration: number;
  acceptDeadline: number;
  specURI: string;
  specHash: string;
  accepted?: { acceptedAt: number; pricePerGpuHour: bigint; collateral: bigint; paramsId: number; resultDeadline: number };
  submitted?: { submittedAt: number; cost: bigint; resultURI: string; resultHash: string; challengeDeadline: number };
  dispute?: {
    deposit: bigint;
    openedAt: number;
    ruleDeadline: number;
    answered: boolean;
    ruling: string;
    /** Who rules it: DisputeManager's arbitrator now (governance may appoint another before the ruling). */
    arbitrator: string;
    /** Once resolved (DisputeResolved): the slash, the client's share of it, and who got the deposit. */
    resolved?: { slashed: bigint; reward: bigint; depositTo: string };
  };
  /** How the job ended, where it ended with a payout: settled to the provider, refunded after an upheld dispute, or timed out. */
  ended?: { event: "JobSettled" | "JobRefunded" | "JobTimedOut"; refund: bigint; cost?: bigint; fee?: bigint; providerAmount?: bigint; slashed?: bigint; abandonedBy?: string };
  history: { blockNumber: number; event: string; args: Record<string, string> }[];
  /** End of a guardian pause in force now (unix seconds): no job can be accepted before it. */
  pausedUntil?: number;
  next: NextAction[];
  now: number;
}

const JOB_EVENTS = new Set([
  "JobCreated",
  "JobCancelled",
  "JobExpired",
  "JobDeclined",
  "JobAccepted",
  "ResultSubmitted",
  "JobSettled",
  "JobAbandoned",
  "JobTimedOut",
  "JobRefunded",
  "DisputeOpened",
  "DisputeAnswered",
  "DisputeResolved",
]);

/** Every JobEscrow and DisputeManager event of one job, in order (all index the job id as their first topic). */
async function jobHistory(ctx: DeploymentContext, jobId: bigint): Promise<{ blockNumber: number; log: LogDescription }[]> {
  const escrow = await ctx.c.jobEscrow.getAddress();
  const disputes = await ctx.c.disputeManager.getAddress();
  const provider = ctx.hre.ethers.provider;
  const head = await provider.getBlockNumber();
  // Split where a node caps the blocks one eth_getLogs may span, as every log read of the tasks is.
  const { logs } = await queryLogRange(`JobEscrow's and DisputeManager's logs of job ${jobId}`, ctx.fromBlock("JobEscrow"), head, (fromBlock, toBlock) =>
    provider.getLogs({ address: [escrow, disputes], topics: [null, zeroPadValue(toBeHex(jobId), 32)], fromBlock, toBlock }),
  );
  const out: { blockNumber: number; log: LogDescription }[] = [];
  for (const log of logs) {
    const iface = log.address.toLowerCase() === escrow.toLowerCase() ? ctx.c.jobEscrow.interface : ctx.c.disputeManager.interface;
    const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    // Other events index other numbers first (EconomicParamsUpdated's paramsId): keep only the job's.
    if (parsed !== null && JOB_EVENTS.has(parsed.name)) out.push({ blockNumber: log.blockNumber, log: parsed });
  }
  return out;
}

function flat(args: LogDescription["args"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.toObject(true) as Record<string, unknown>)) {
    out[k] = typeof v === "object" && v !== null ? JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) : String(v);
  }
  return out;
}

export async function status(ctx: DeploymentContext, args: JobArgs): Promise<TaskResult<JobView>> {
  const jobId = parseJobId("--job", args.job);
  const created = await createdJob(ctx, jobId);
  const [job, history, now, dispute, pausedUntil, arbitrator] = await Promise.all([
    ctx.c.jobEscrow.getJob(jobId),
    jobHistory(ctx, jobId),
    ctx.now(),
    ctx.c.disputeManager.getDispute(jobId),
    ctx.c.pauseGuardian.pausedUntil(),
    ctx.c.disputeManager.arbitrator(),
  ]);
  const st = Number(job.status) as JobStatus;
  const t = created.terms;
  const find = (name: string) => history.find((h) => h.log.name === name)?.log.args;
  const view: JobView = {
    jobId,
    status: JobStatus[st] ?? String(st),
    client: created.client,
    targetProvider: t.targetProvider === ZeroAddress ? null : t.targetProvider,
    provider: job.acceptedAt > 0n ? job.provider : null,
    escrowed: created.escrowed,
    requirements: {
      gpuModel: readModel(t.requirements.gpuModel),
      region: readRegion(t.requirements.region),
      minVramGiB: Number(t.requirements.minVramGiB),
      gpuCount: Number(t.requirements.gpuCount),
      tier: tierName(t.requirements.tier),
      minCompletedJobs: Number(t.requirements.minCompletedJobs),
      minSlashRewardBps: Number(t.requirements.minSlashRewardBps),
    },
    maxPricePerGpuHour: t.maxPricePerGpuHour,
    maxDuration: Number(t.maxDuration),
    acceptDeadline: Number(t.acceptDeadline),
    specURI: created.specURI,
    specHash: t.specHash,
    history: history.map((h) => ({ blockNumber: h.blockNumber, event: h.log.name, args: flat(h.log.args) })),
    next: [],
    now,
  };
  // acceptJob reverts while the guardian's pause lasts (requireNotPaused: block.timestamp < pausedUntil).
  if (Number(pausedUntil) > now) view.pausedUntil = Number(pausedUntil);
  const accepted = find("JobAccepted");
  if (accepted !== undefined) {
    view.accepted = {
      acceptedAt: Number(job.acceptedAt),
      pricePerGpuHour: job.pricePerGpuHour,
      collateral: accepted.getValue("collateral") as bigint,
      paramsId: Number(job.paramsId),
      resultDeadline: Number(accepted.getValue("resultDeadline") as bigint),
    };
  }
  const submitted = find("ResultSubmitted");
  if (submitted !== undefined) {
    view.submitted = {
      submittedAt: Number(job.submittedAt),
      cost: submitted.getValue("cost") as bigint,
      resultURI: submitted.getValue("resultURI") as string,
      resultHash: submitted.getValue("resultHash") as string,
      challengeDeadline: Number(submitted.getValue("challengeDeadline") as bigint),
    };
  }
  if (dispute.openedAt > 0n) {
    view.dispute = {
      deposit: dispute.deposit,
      openedAt: Number(dispute.openedAt),
      ruleDeadline: Number(dispute.ruleDeadline),
      answered: dispute.answered,
      ruling: Ruling[Number(dispute.ruling)] ?? String(dispute.ruling),
      arbitrator,
    };
    const resolved = find("DisputeResolved");
    if (resolved !== undefined) {
      view.dispute.resolved = {
        slashed: resolved.getValue("slashed") as bigint,
        reward: resolved.getValue("reward") as bigint,
        depositTo: resolved.getValue("depositTo") as string,
      };
    }
  }
  const settled = find("JobSettled");
  const refunded = find("JobRefunded");
  const timedOut = find("JobTimedOut");
  if (settled !== undefined) {
    const e = settled.toObject() as { cost: bigint; fee: bigint; providerAmount: bigint; refund: bigint };
    view.ended = { event: "JobSettled", refund: e.refund, cost: e.cost, fee: e.fee, providerAmount: e.providerAmount };
  } else if (refunded !== undefined) {
    view.ended = { event: "JobRefunded", refund: refunded.getValue("refund") as bigint };
  } else if (timedOut !== undefined) {
    view.ended = { event: "JobTimedOut", refund: timedOut.getValue("refund") as bigint, slashed: timedOut.getValue("slashed") as bigint };
    const abandoned = find("JobAbandoned");
    if (abandoned !== undefined) view.ended.abandonedBy = abandoned.getValue("by") as string;
  }
  view.next = nextActions(view, st, now);
  const first = view.next.find((n) => n.possibleNow);
  if (first !== undefined) first.command = await nextCommand(ctx, jobId, first);
  return { data: view, text: jobLines(ctx, view) };
}

/** What can happen to the job next, by whom and when (mirroring the escrow's and dispute manager's checks). */
export function nextActions(v: JobView, st: JobStatus, now: number): NextAction[] {
  const out: NextAction[] = [];
  const window = (task: string, who: string, from: number | undefined, until: number | undefined, signer?: NextAction["signer"]) => {
    const possibleNow = (from === undefined || now >= from) && (until === undefined || now <= until);
    out.push({ task, who, ...(from === undefined ? {} : { from }), ...(until === undefined ? {} : { until }), possibleNow, ...(signer === undefined ? {} : { signer }) });
  };
  const provider = v.provider ?? v.targetProvider;
  const client = v.client;
  const byProvider = provider;
  switch (st) {
    case JobStatus.Open:
      window("job accept", v.targetProvider === null ? "any matching active provider or its operator" : `provider ${v.targetProvider} or its operator`, v.pausedUntil, v.acceptDeadline, byProvider);
      if (v.targetProvider !== null) window("job decline", `provider ${v.targetProvider} or its operator`, undefined, undefined, byProvider);
      window("job cancel", `the client ${v.client}`, undefined, undefined, client);
      window("job expire", "anyone", v.acceptDeadline + 1, undefined);
      break;
    case JobStatus.Accepted:
      window("job submit", `provider ${provider} or its operator`, undefined, v.accepted?.resultDeadline, byProvider);
      window("job abandon", `provider ${provider} or its operator (refunded and slashed as a timeout)`, undefined, v.accepted?.resultDeadline, byProvider);
      window("job timeout", "anyone", (v.accepted?.resultDeadline ?? 0) + 1, undefined);
      break;
    case JobStatus.Submitted:
      window("job approve", `the client ${v.client}`, undefined, undefined, client);
      window("dispute open", `the client ${v.client}`, undefined, v.submitted?.challengeDeadline, client);
      window("job settle", "anyone", (v.submitted?.challengeDeadline ?? 0) + 1, undefined);
      break;
    case JobStatus.Disputed:
      if (v.dispute !== undefined && !v.dispute.answered) window("dispute answer", `provider ${provider} or its operator`, undefined, v.dispute.ruleDeadline, byProvider);
      // A Disputed job always has its dispute (openDispute sets openedAt), so its arbitrator.
      window("dispute rule", `the arbitrator ${v.dispute?.arbitrator ?? "(DisputeManager.arbitrator)"}`, undefined, v.dispute?.ruleDeadline, v.dispute?.arbitrator);
      window("dispute close-expired", "anyone", (v.dispute?.ruleDeadline ?? 0) + 1, undefined);
      break;
    default:
      break;
  }
  return out;
}

function rulingLine(ruling: string, resolved: { slashed: bigint; reward: bigint; depositTo: string } | undefined, client: string): string {
  if (resolved === undefined) return ruling;
  const slash = resolved.slashed > 0n ? `${formatLat(resolved.slashed)} slashed (${formatLat(resolved.reward)} to the client), ` : "";
  return `${ruling}: ${slash}deposit to the ${resolved.depositTo === client ? "client" : "provider"}`;
}

/** The statuses a job never leaves: nothing can happen to it any more, and none of its deadlines applies. */
const FINAL_STATUSES: ReadonlySet<string> = new Set(["Completed", "Cancelled", "Expired", "Declined", "TimedOut", "Refunded"]);

function jobLines(ctx: DeploymentContext, v: JobView): string[] {
  const r = v.requirements;
  // A final job keeps only the deadline that ended it (an expired job's acceptance deadline, a timed-out job's result
  // deadline) and shows no pause: what it prints must not read as something still to come.
  const final = FINAL_STATUSES.has(v.status);
  const rows: [string, string][] = [
    ["client", v.client],
    ["provider", v.provider ?? (v.targetProvider === null ? "none yet (open job)" : `${v.targetProvider} (directed)`)],
    ["escrowed", formatLat(v.escrowed)],
    [
      "requirements",
      `${r.gpuCount} GPU, model ${r.gpuModel ?? "any"}, region ${r.region ?? "any"}, >= ${r.minVramGiB} GiB, tier ${r.tier}, >= ${r.minCompletedJobs} completed jobs` +
        (r.minSlashRewardBps === 0 ? "" : `, slash reward cap >= ${r.minSlashRewardBps} bps`),
    ],
    ["max price", `${formatLat(v.maxPricePerGpuHour)} per GPU-hour`],
    ["max duration", formatDuration(v.maxDuration)],
    ...(final && v.status !== "Expired" ? [] : [["accept by", formatTime(v.acceptDeadline, v.now)] as [string, string]]),
    ...(v.pausedUntil === undefined || final ? [] : [["paused", `by the guardian until ${formatTime(v.pausedUntil, v.now)}: no job can be accepted before`] as [string, string]]),
    ["spec", `${abbreviate(v.specURI)} (hash ${v.specHash})`],
  ];
  if (v.accepted !== undefined) {
    rows.push(
      ["accepted", `${formatTime(v.accepted.acceptedAt, v.now)} at ${formatLat(v.accepted.pricePerGpuHour)} per GPU-hour`],
      ["collateral", formatLat(v.accepted.collateral)],
    );
    // A job given back ended before its result deadline, which must not read as missed.
    if (!final || (v.status === "TimedOut" && v.ended?.abandonedBy === undefined)) {
      // The grace as this job's parameter version set it, from the chain's own figures: acceptedAt + maxDuration + grace.
      const grace = v.accepted.resultDeadline - v.accepted.acceptedAt - v.maxDuration;
      rows.push([
        "result due",
        `${formatTime(v.accepted.resultDeadline, v.now)}: the max duration, ${formatDuration(v.maxDuration)}, the most it is paid for, plus the ${formatDuration(grace)} grace, from its acceptance`,
      ]);
    }
  }
  if (v.submitted !== undefined) {
    rows.push(
      ["submitted", `${formatTime(v.submitted.submittedAt, v.now)}, cost ${formatLat(v.submitted.cost)}`],
      ["result", `${abbreviate(v.submitted.resultURI)} (hash ${v.submitted.resultHash})`],
    );
    if (!final) rows.push(["challenge until", formatTime(v.submitted.challengeDeadline, v.now)]);
  }
  if (v.dispute !== undefined) {
    rows.push(
      ["dispute", `opened ${formatTime(v.dispute.openedAt, v.now)}, deposit ${formatLat(v.dispute.deposit)}, ${v.dispute.answered ? "answered" : "not answered"}`],
      ["ruling", v.dispute.ruling === "None" ? `pending, due by ${formatTime(v.dispute.ruleDeadline, v.now)}` : rulingLine(v.dispute.ruling, v.dispute.resolved, v.client)],
    );
  }
  const e = v.ended;
  if (e?.event === "JobSettled") {
    rows.push(["settled", `cost ${formatLat(e.cost ?? 0n)}: ${formatLat(e.providerAmount ?? 0n)} to the provider, fee ${formatLat(e.fee ?? 0n)}, ${formatLat(e.refund)} refunded to the client`]);
  } else if (e?.event === "JobRefunded") {
    rows.push(["refunded", `${formatLat(e.refund)} to the client`]);
  } else if (e?.event === "JobTimedOut" && e.abandonedBy !== undefined) {
    rows.push(["given back", `by ${e.abandonedBy} before its result deadline, settled as a timeout: ${formatLat(e.refund)} refunded to the client, ${formatLat(e.slashed ?? 0n)} of collateral slashed`]);
  } else if (e?.event === "JobTimedOut") {
    rows.push(["timed out", `${formatLat(e.refund)} refunded to the client, ${formatLat(e.slashed ?? 0n)} of collateral slashed`]);
  }
  const lines = [`Job ${v.jobId}: ${v.status}`, ...table(rows)];
  lines.push("  history:", ...v.history.map((h) => `    block ${h.blockNumber}  ${h.event}`));
  if (v.next.length === 0) lines.push("  next: nothing (the job is final)");
  else {
    lines.push("  next:");
    for (const n of v.next) {
      const when = [n.from === undefined ? "" : `from ${formatTime(n.from, v.now)}`, n.until === undefined ? "" : `until ${formatTime(n.until, v.now)}`]
        .filter((x) => x !== "")
        .join(" ");
      // A window that opens after it closes (a pause that outlasts the acceptance deadline) never opens.
      const closed = n.until !== undefined && (v.now > n.until || (n.from !== undefined && n.from > n.until));
      const state = n.possibleNow ? "possible now" : closed ? "too late" : "not yet";
      lines.push(`    ${n.task.padEnd(22)} by ${n.who}; ${state}${when === "" ? "" : `, ${when}`}`);
    }
    const first = v.next.find((n) => n.possibleNow);
    if (first?.command !== undefined) lines.push(`  e.g. ${first.command}`);
  }
  return lines;
}
