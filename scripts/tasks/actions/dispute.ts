/**
 * dispute open / answer / rule / close-expired.
 */
import { JobStatus, Ruling } from "../../scenario";
import type { CommonArgs, TaskContext } from "../lib/context";
import { InputError, StateError } from "../lib/errors";
import { formatLat, formatTime } from "../lib/format";
import { parseChoice, parseJobId, parseLat, parseText } from "../lib/parse";
import type { TaskResult } from "../lib/run";
import { ensureAllowance, requireBalance, signPermit, suggest } from "./shared";

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
  await ctx.preflight("DisputeManager.openDispute", () => dm.openDispute.staticCall(jobId, uri));
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
  return {
    data: { jobId, deposit, evidenceURI: uri, ruleDeadline, transaction: tx.hash },
    text: [
      `Dispute opened on job ${jobId}: deposit ${formatLat(deposit)}`,
      `  the arbitrator rules by ${formatTime(ruleDeadline, await ctx.now())}; after that anyone may close it as a draw`,
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
  const tx = await ctx.send("DisputeManager.answerDispute", () => ctx.c.disputeManager.answerDispute(jobId, uri));
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
    slash = parseLat("--slash", args.slash, { allowZero: true });
  }
  const tx = await ctx.send("DisputeManager.rule", () => ctx.c.disputeManager.rule(jobId, ruling, slash));
  const e = tx.events.find((x) => x.name === "DisputeResolved")?.args.toObject() as { slashed: bigint; reward: bigint; depositTo: string };
  return {
    data: { jobId, ruling: Ruling[ruling], slashed: e.slashed, reward: e.reward, depositTo: e.depositTo, transaction: tx.hash },
    text: [
      `Dispute on job ${jobId} ruled ${Ruling[ruling]}: ${formatLat(e.slashed)} slashed (${formatLat(e.reward)} to the client), deposit to ${e.depositTo}`,
    ],
  };
}

export interface CloseArgs extends CommonArgs {
  job: string;
}

export async function closeExpired(ctx: TaskContext, args: CloseArgs): Promise<TaskResult<unknown>> {
  const jobId = parseJobId("--job", args.job);
  const tx = await ctx.send("DisputeManager.closeExpired", () => ctx.c.disputeManager.closeExpired(jobId));
  return {
    data: { jobId, ruling: "Expired", transaction: tx.hash },
    text: [`Dispute on job ${jobId} closed unruled (a draw): ${suggest(ctx, `job status --job ${jobId}`)}`],
  };
}
