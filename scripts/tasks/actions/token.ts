/**
 * token balance / transfer.
 */
import { ZeroAddress } from "ethers";
import type { CommonArgs, DeploymentContext, TaskContext } from "../lib/context";
import { InputError } from "../lib/errors";
import { formatLat, table } from "../lib/format";
import { parseLat } from "../lib/parse";
import type { TaskResult } from "../lib/run";
import { requireBalance } from "./shared";

export interface BalanceArgs extends CommonArgs {
  account?: string;
}

export interface TokenBalance {
  account: string;
  /** LAT in the wallet (wei): not what is staked or escrowed. */
  balance: bigint;
  /** Votes delegated to the account (wei of LAT), whoever holds that LAT. */
  votes: bigint;
  /** Whom the account's own LAT counts for; null when it never delegated (its LAT then counts for no one). */
  delegate: string | null;
}

export async function balance(ctx: DeploymentContext, args: BalanceArgs): Promise<TaskResult<TokenBalance>> {
  const account = args.account === undefined ? await ctx.defaultAccount("--account") : await ctx.account("--account", args.account);
  const [held, votes, delegatee] = await Promise.all([ctx.c.token.balanceOf(account), ctx.c.token.getVotes(account), ctx.c.token.delegates(account)]);
  const delegate = delegatee === ZeroAddress ? null : delegatee;
  const shown =
    delegate === null ? "none (its LAT counts as no one's votes until it delegates: gov delegate)" : delegate === account ? `itself (${account})` : delegate;
  return {
    data: { account, balance: held, votes, delegate },
    text: [
      `LAT of ${account}`,
      ...table([
        ["balance", formatLat(held)],
        ["votes", formatLat(votes)],
        ["delegate", shown],
      ]),
    ],
  };
}

export interface TransferArgs extends CommonArgs {
  to: string;
  amount: string;
}

export interface TokenTransfer {
  from: string;
  to: string;
  amount: bigint;
  /** Both wallets after the transfer (wei of LAT). */
  fromBalance: bigint;
  toBalance: bigint;
  transaction: string;
}

/**
 * The deployment's contracts that would keep LAT sent to them by a plain transfer: they pay out only what their own
 * accounting (stakes, escrows, deposits) credits. Only the DisputeManager can send such LAT back, and only through a
 * governance proposal (recoverTokens), days of voting and delay later: still a mistake to make. The timelock is left
 * out: it is the treasury, and LAT sent there is governance's to spend.
 */
const STRANDING_CONTRACTS = ["LatentToken", "ProviderRegistry", "Staking", "JobEscrow", "DisputeManager", "PauseGuardian", "LatentGovernor"] as const;

export async function transfer(ctx: TaskContext, args: TransferArgs): Promise<TaskResult<TokenTransfer>> {
  const to = await ctx.account("--to", args.to);
  if (to === ctx.address) throw new InputError("--to", `is the sender itself (${to}): a transfer to it would change nothing`);
  // LatentToken would revert (ERC20InvalidReceiver) only while estimating the transaction: name the mistake instead.
  if (to === ZeroAddress) throw new InputError("--to", "is the zero address, which LatentToken refuses to send LAT to");
  for (const name of STRANDING_CONTRACTS) {
    if (ctx.record.contracts[name].address.toLowerCase() === to.toLowerCase()) {
      throw new InputError(
        "--to",
        name === "DisputeManager"
          ? `${to} is the DisputeManager contract, which would keep the LAT until a governance proposal sends it back ` +
              `(gov propose --contract DisputeManager --set recoverTokens, then a vote, the timelock's delay and gov execute); ` +
              `a dispute's deposit is paid with dispute open`
          : `${to} is the ${name} contract, which would keep the LAT with no way to pay it back` +
              (name === "Staking" ? " (stake with stake add)" : name === "JobEscrow" ? " (pay for a job with job create)" : ""),
      );
    }
  }
  const amount = parseLat("--amount", args.amount);
  await requireBalance(ctx, amount, "the transfer", { suggestTransfer: false });
  const tx = await ctx.send("LatentToken.transfer", () => ctx.c.token.transfer(to, amount));
  const [fromBalance, toBalance] = await Promise.all([ctx.c.token.balanceOf(ctx.address), ctx.c.token.balanceOf(to)]);
  return {
    data: { from: ctx.address, to, amount, fromBalance, toBalance, transaction: tx.hash },
    text: [
      `Sent ${formatLat(amount)} from ${ctx.address} to ${to}`,
      ...table([
        ["sender now holds", formatLat(fromBalance)],
        ["recipient now holds", formatLat(toBalance)],
      ]),
    ],
  };
}
