/**
 * dispute open / answer / rule / close-expired.
 */
import { JobStatus, Ruling } from "../../scenario";
import type { CommonArgs, RevertHints, SentTransaction, TaskContext } from "../lib/context";
import { InputError, StateError } from "../lib/errors";
import { formatLat, formatTime } from "../lib/format";
import { parseChoice, parseJobId, parseLat, parseText } from "../lib/parse";
import type { TaskResult } from "../lib/run";
import { actingProviderHints, ensureAllowance, fromOption, jobIdHints, requireBalance, rerun, signPermit, suggest } from "./shared";

export interface OpenArgs extends CommonArgs {
  job: string;
  evidenceUri: string;
  permit: boolean;
}

async function evidence(ctx: TaskContext, value: string): Promise<string> {
  return parseText("--evidence-uri", value, Number(await ctx.c.disputeManager.MAX_URI_LENGTH()));
}

export async function open(ctx: TaskContext, args: OpenArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const uri = await evidence(ctx, args.evidenceUri);
  const job = await ctx.c.jobEscrow.getJob(jobId);
  // The contract would refuse it too (DisputeManagerUnknownJob); this also says which ids exist.
  if (job.status === BigInt(JobStatus.None)) {
    throw new StateError(`job ${jobId} does not exist (the last job id is ${await ctx.c.jobEscrow.jobCount()})`);
  }
  // The deposit is the one in the job's parameter version (fixed when it was accepted), not the current one.
  const deposit = (await ctx.c.jobEscrow.getParams(job.paramsId)).disputeDeposit;
  const dm = ctx.c.disputeManager;
  // Not the client, not submitted, window closed: said before the balance check and the approve, not after.
  // The revert names only the job: say what it is instead (a job still running, or already settled or refunded).
  const notSubmitted = async () => `job ${jobId} is ${JobStatus[Number(job.status)]}: only a submitted result, within its challenge window, can be disputed`;
  // The revert names the caller: the client is the one account that may.
  const notClient = async () => `only the job's client ${job.client} disputes its result: ${rerun(ctx, await fromOption(ctx, job.client))}`;
  await ctx.preflight("DisputeManager.openDispute", () => dm.openDispute.staticCall(jobId, uri), undefined, {
    DisputeManagerJobNotSubmitted: notSubmitted,
    DisputeManagerNotClient: notClient,
  });
  await requireBalance(ctx, deposit, "the dispute deposit");
  const dmAddress = await dm.getAddress();
  let tx;
  if (args.permit) {
    const p = await signPermit(ctx, dmAddress, deposit);
    tx = await ctx.send("DisputeManager.openDisputeWithPermit", () => dm.openDisputeWithPermit(jobId, uri, p.deadline, p.v, p.r, p.s));
  } else {
    await ensureAllowance(ctx, dmAddress, deposit);
    tx = await ctx.send("DisputeManager.openDispute", () => dm.openDispute(jobId, uri));
  }
  const ruleDeadline = Number(tx.events.find((e) => e.name === "DisputeOpened")?.args.getValue("ruleDeadline") as bigint);
  const [arbitrator, now] = await Promise.all([dm.arbitrator(), ctx.now()]);
  return {
    data: { jobId, deposit, evidenceURI: uri, ruleDeadline, arbitrator, transaction: tx.hash },
    text: [
      `Dispute opened on job ${jobId}: deposit ${formatLat(deposit)}`,
      `  the arbitrator ${arbitrator} rules by ${formatTime(ruleDeadline, now)}; after that anyone may close it as a draw`,
    ],
  };
}

export interface AnswerArgs extends CommonArgs {
  job: string;
  evidenceUri: string;
}

export async function answer(ctx: TaskContext, args: AnswerArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const uri = await evidence(ctx, args.evidenceUri);
  const provider = async () => (await ctx.c.jobEscrow.getJob(jobId)).provider;
  const tx = await ctx.send("DisputeManager.answerDispute", () => ctx.c.disputeManager.answerDispute(jobId, uri), {
    ...jobIdHints(ctx, jobId),
    ...actingProviderHints(ctx, provider),
  });
  return { data: { jobId, evidenceURI: uri, transaction: tx.hash }, text: [`Dispute on job ${jobId} answered by ${ctx.address}`] };
}

export interface RuleArgs extends CommonArgs {
  job: string;
  ruling: string;
  slash?: string;
}

const RULINGS = { upheld: Ruling.Upheld, rejected: Ruling.Rejected, draw: Ruling.Draw } as const;

export async function rule(ctx: TaskContext, args: RuleArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const ruling = parseChoice("--ruling", args.ruling, RULINGS);
  let slash = 0n;
  if (ruling !== Ruling.Upheld) {
    if (args.slash !== undefined) throw new InputError("--slash", "only an upheld dispute slashes: drop --slash");
  } else if (args.slash === undefined || args.slash.trim().toLowerCase() === "max") {
    // Default: the most the job's parameters allow, as the dispute manager computes it.
    const [[, collateral], job] = await Promise.all([ctx.c.staking.jobCollateral(jobId), ctx.c.jobEscrow.getJob(jobId)]);
    // No collateral means no open dispute: the revert (DisputeManagerNoOpenDispute) says so better than we could.
    const cut = (await ctx.c.jobEscrow.getParams(job.paramsId)).maxSlashingCutBps;
    slash = (collateral * cut) / 10_000n;
  } else {
    slash = parseLat("--slash", args.slash, { allowZero: true, or: "max (the most the job's parameters allow)" });
  }
  const hints: RevertHints = {
    ...jobIdHints(ctx, jobId),
    // Who may rule: the revert names only the caller.
    DisputeManagerNotArbitrator: async () => `only the arbitrator ${await ctx.c.disputeManager.arbitrator()} rules (governance appoints it)`,
    DisputeManagerRulingPeriodOver: async () => `anyone may now close it as a draw: ${suggest(ctx, `dispute close-expired --job ${jobId}`)}`,
  };
  const tx = await ctx.send("DisputeManager.rule", () => ctx.c.disputeManager.rule(jobId, ruling, slash), hints);
  return outcome(ctx, jobId, `ruled ${Ruling[ruling]}`, tx);
}

/**
 * What a ruling (or closing an expired dispute) did, from its receipt: the job refunded (upheld) or settled to the
 * provider (rejected, draw, expired), the slash and its split, and who got the deposit back.
 */
async function outcome(ctx: TaskContext, jobId: bigint, what: string, tx: SentTransaction): Promise<TaskResult<unknown>> {
  const resolved = tx.events.find((x) => x.name === "DisputeResolved")?.args.toObject() as { ruling: bigint; slashed: bigint; reward: bigint; depositTo: string };
  const refunded = tx.events.find((x) => x.contract === "JobEscrow" && x.name === "JobRefunded")?.args.toObject() as { refund: bigint } | undefined;
  const settled = tx.events.find((x) => x.contract === "JobEscrow" && x.name === "JobSettled")?.args.toObject() as
    | { cost: bigint; fee: bigint; providerAmount: bigint; refund: bigint }
    | undefined;
  const split = tx.events.find((x) => x.contract === "Staking" && x.name === "Slashed")?.args.toObject() as { toTreasury: bigint } | undefined;
  const [job, dispute] = await Promise.all([ctx.c.jobEscrow.getJob(jobId), ctx.c.disputeManager.getDispute(jobId)]);
  const toTreasury = split?.toTreasury ?? 0n;
  const party = resolved.depositTo === job.client ? "the client" : resolved.depositTo === job.provider ? "the provider" : "";
  const text = [`Dispute on job ${jobId} ${what}`];
  if (refunded !== undefined) {
    text.push(`  job refunded: ${formatLat(refunded.refund)} back to the client`);
    text.push(`  ${formatLat(resolved.slashed)} of collateral slashed: ${formatLat(resolved.reward)} to the client, ${formatLat(toTreasury)} to the treasury`);
  } else if (settled !== undefined) {
    text.push(
      `  job settled to the provider: cost ${formatLat(settled.cost)}, ${formatLat(settled.providerAmount)} to the provider, fee ${formatLat(settled.fee)}, ${formatLat(settled.refund)} refunded to the client`,
    );
  }
  text.push(`  deposit ${formatLat(dispute.deposit)} to ${party === "" ? resolved.depositTo : `${party} ${resolved.depositTo}`}`);
  return {
    data: {
      jobId,
      ruling: Ruling[Number(resolved.ruling)],
      slashed: resolved.slashed,
      reward: resolved.reward,
      toTreasury,
      deposit: dispute.deposit,
      depositTo: resolved.depositTo,
      refund: refunded?.refund ?? settled?.refund ?? 0n,
      providerAmount: settled?.providerAmount ?? 0n,
      fee: settled?.fee ?? 0n,
      transaction: tx.hash,
    },
    text,
  };
}

export interface CloseArgs extends CommonArgs {
  job: string;
}

export async function closeExpired(ctx: TaskContext, args: CloseArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const tx = await ctx.send("DisputeManager.closeExpired", () => ctx.c.disputeManager.closeExpired(jobId), jobIdHints(ctx, jobId));
  return outcome(ctx, jobId, "closed unruled, as a draw (Expired)", tx);
}
