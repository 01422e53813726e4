/**
 * stake add / thaw / withdraw / status.
 */
import type { CommonArgs, DeploymentContext, TaskContext } from "../lib/context";
import { StateError } from "../lib/errors";
import { formatLat, formatParameter, formatTime } from "../lib/format";
import { parseInteger, parseLat } from "../lib/parse";
import type { TaskResult } from "../lib/run";
import { stakeLines } from "./provider";
import { ensureAllowance, notAProvider, operatedBy, providerArg, readStake, requireBalance, signPermit, suggest, thawRequests } from "./shared";
import type { StakeBreakdown } from "./shared";

export interface AddArgs extends CommonArgs {
  amount: string;
  permit: boolean;
}

export async function add(ctx: TaskContext, args: AddArgs): Promise<TaskResult<unknown>> {
  const amount = parseLat("--amount", args.amount);
  const staking = ctx.c.staking;
  await requireRegistered(ctx);
  // A pause refuses new stake: said before an approve is sent for nothing.
  await ctx.preflight("Staking.stake", () => staking.stake.staticCall(amount));
  await requireBalance(ctx, amount, "staking");
  const stakingAddress = await staking.getAddress();
  let hash: string;
  if (args.permit) {
    const p = await signPermit(ctx, stakingAddress, amount);
    hash = (await ctx.send("Staking.stakeWithPermit", () => staking.stakeWithPermit(amount, p.deadline, p.v, p.r, p.s))).hash;
  } else {
    await ensureAllowance(ctx, stakingAddress, amount);
    hash = (await ctx.send("Staking.stake", () => staking.stake(amount))).hash;
  }
  const after = await readStake(ctx, ctx.address);
  return {
    data: { provider: ctx.address, amount, permit: args.permit, stake: after, transaction: hash },
    text: [`Staked ${formatLat(amount)} for ${ctx.address}${args.permit ? " (with a permit)" : ""}`, ...stakeLines(after)],
  };
}

/**
 * Staking takes anyone's LAT, but a stake counts only toward the staker's own listing (the registry's minimum stake per
 * listed GPU, and the collateral its jobs lock): a stake of an account that lists nothing backs nothing, and comes back
 * only through a thaw. Registering costs no stake (a listing starts offline), so a provider registers first; an
 * operator, whose stake would never be its provider's, is told whose --from stakes.
 */
async function requireRegistered(ctx: TaskContext): Promise<void> {
  if ((await ctx.c.registry.getProvider(ctx.address)).registered) return;
  throw await notAProvider(ctx, {
    rule: "a stake counts only for the account that stakes, so the provider stakes its own LAT",
    otherwise:
      ": a stake counts only toward the staker's own listing, so it would back nothing " +
      `(and come back only through stake thaw and stake withdraw); register first (a listing needs no stake to register, and starts offline): ` +
      `${suggest(ctx, "provider register --model <id> --count <GPUs> --region <code> --price <LAT> --metadata-uri <uri>", { from: ctx.options.from })}, then stake add`,
  });
}

export interface ThawArgs extends CommonArgs {
  amount: string;
}

/**
 * A thaw or withdraw from an account with no stake at all that lists nothing (a client's, an operator's, a typo in
 * --from) would only revert with StakingInsufficientFreeStake or StakingNothingToWithdraw, as if a provider had too
 * little: said before anything is sent. A deregistered provider keeps its stake, and thaws and withdraws it as before.
 */
async function requireStakeOrProvider(ctx: TaskContext, command: string): Promise<void> {
  const [{ registered }, [staked]] = await Promise.all([ctx.c.registry.getProvider(ctx.address), ctx.c.staking.getStake(ctx.address)]);
  if (registered || staked > 0n) return;
  throw await notAProvider(ctx, {
    state: " and has no stake",
    rule: "a provider's stake is its own, so the provider runs it",
    otherwise: ` to ${command === "stake withdraw" ? "withdraw" : "thaw"} (check --from)`,
  });
}

export async function thaw(ctx: TaskContext, args: ThawArgs): Promise<TaskResult<unknown>> {
  // "all" thaws the whole free stake, read now (what a provider leaving the market wants).
  const all = args.amount.trim().toLowerCase() === "all";
  const amount = all ? await ctx.c.staking.freeStake(ctx.address) : parseLat("--amount", args.amount, { or: "all (the whole free stake)" });
  await requireStakeOrProvider(ctx, `stake thaw --amount ${all ? "all" : args.amount.trim()}`);
  if (all && amount === 0n) {
    // thaw(0) would only revert with StakingZeroAmount, which says nothing about why there is nothing to thaw.
    const stake = await readStake(ctx, ctx.address);
    throw new StateError(
      `${ctx.address} has no free stake to thaw (staked ${formatLat(stake.staked)}, locked ${formatLat(stake.locked)}, ` +
        `thawing ${formatLat(stake.thawing)})`,
    );
  }
  const tx = await ctx.send("Staking.thaw", () => ctx.c.staking.thaw(amount), {
    // The revert has the free stake, not what holds the rest.
    StakingInsufficientFreeStake: async () => {
      const stake = await readStake(ctx, ctx.address);
      return (
        `of its ${formatLat(stake.staked)} staked, ${formatLat(stake.locked)} is locked as collateral of its running jobs until they end and ` +
        `${formatLat(stake.thawing)} is thawing already: thaw at most ${formatLat(stake.free)} now (--amount all)`
      );
    },
  });
  const event = tx.events.find((e) => e.name === "ThawRequested");
  const requestIndex = event?.args.getValue("requestIndex") as bigint;
  const maturesAt = Number(event?.args.getValue("maturesAt") as bigint);
  const text = [`Thaw request #${requestIndex} of ${formatLat(amount)}: withdrawable from ${formatTime(maturesAt, await ctx.now())}`];
  // Thawing stake no longer counts toward the listing's minimum: a registered provider below it takes no new jobs.
  const after = await readStake(ctx, ctx.address);
  const underStaked = after.required > 0n && !after.meetsMinimum;
  if (underStaked) {
    text.push(
      `  ${ctx.address} is now under-staked (staked minus thawing, ${formatLat(after.staked - after.thawing)}, is below the ${formatLat(after.required)} its listed GPUs need): ` +
        "it takes no new jobs, its running jobs go on; stake add to list again, or provider offline and provider deregister to leave",
    );
  }
  // Weeks later on a real chain (hours on the devnet), the command is what a provider will not remember.
  text.push(`Then withdraw it: ${suggest(ctx, "stake withdraw", { from: ctx.options.from })}`);
  return { data: { provider: ctx.address, amount, requestIndex, maturesAt, underStaked, transaction: tx.hash }, text };
}

export interface WithdrawArgs extends CommonArgs {
  max: string;
}

export async function withdraw(ctx: TaskContext, args: WithdrawArgs): Promise<TaskResult<unknown>> {
  const max = parseInteger("--max", args.max, 1, Number(await ctx.c.staking.MAX_THAW_REQUESTS()));
  await requireStakeOrProvider(ctx, "stake withdraw");
  // The revert names no date; the pending requests say when a withdrawal will work.
  const tx = await ctx.send("Staking.withdraw", () => ctx.c.staking.withdraw(max), {
    StakingNothingToWithdraw: async () => {
      const [next] = await thawRequests(ctx, ctx.address);
      if (next === undefined) return "there is no pending thaw request (stake thaw first)";
      return `request #${next.index} (${formatLat(next.amount)}) matures ${formatTime(next.maturesAt, await ctx.now())}`;
    },
  });
  const event = tx.events.find((e) => e.name === "Withdrawn");
  const amount = event?.args.getValue("amount") as bigint;
  const count = event?.args.getValue("count") as bigint;
  return {
    data: { provider: ctx.address, amount, requests: count, transaction: tx.hash },
    text: [`Withdrew ${formatLat(amount)} (${count} thaw request${count === 1n ? "" : "s"}) to ${ctx.address}`],
  };
}

import type { ThawRequestView } from "./shared";
export type { ThawRequestView };

export interface StatusArgs extends CommonArgs {
  provider?: string;
}

export interface StakeStatus {
  provider: string;
  /** Whether the account is a registered provider: a stake backs only the staker's own listing. */
  registered: boolean;
  balance: bigint;
  stake: StakeBreakdown;
  thawingPeriod: number;
  thawRequests: ThawRequestView[];
}

async function notProvider(ctx: DeploymentContext, account: string): Promise<string> {
  const operated = await operatedBy(ctx, account);
  if (operated === undefined) return "  not a registered provider: a stake of its own backs no listing (stake thaw and stake withdraw return it)";
  return `  not a registered provider: it is the operator of ${operated.list}: the stake that backs a listing is the provider's: ${suggest(ctx, `stake status --provider ${operated.pick}`)}`;
}

export async function status(ctx: DeploymentContext, args: StatusArgs): Promise<TaskResult<StakeStatus>> {
  const provider = await providerArg(ctx, args.provider);
  const [stake, balance, period, requests, now, { registered }] = await Promise.all([
    readStake(ctx, provider),
    ctx.c.token.balanceOf(provider),
    ctx.c.staking.thawingPeriod(),
    thawRequests(ctx, provider),
    ctx.now(),
    ctx.c.registry.getProvider(provider),
  ]);
  const text = [`Stake of ${provider} (wallet balance ${formatLat(balance)})`];
  // All zeros for an account that is no provider read as a provider with nothing staked: an operator's account, a
  // client's or a typo is told so, an operator whose provider's stake it meant.
  if (!registered) text.push(await notProvider(ctx, provider));
  text.push(...stakeLines(stake));
  text.push(`  thaw requests (thawing period ${formatParameter("thawingPeriod", period)}):`);
  if (requests.length === 0) text.push("    none pending");
  for (const r of requests) {
    text.push(`    #${r.index}  ${formatLat(r.amount)}  ${r.matured ? "withdrawable since" : "matures"} ${formatTime(r.maturesAt, now)}`);
  }
  return { data: { provider, registered, balance, stake, thawingPeriod: Number(period), thawRequests: requests }, text };
}
