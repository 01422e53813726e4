/**
 * token balance.
 */
import { ZeroAddress } from "ethers";
import type { CommonArgs, DeploymentContext } from "../lib/context";
import { formatLat, table } from "../lib/format";
import type { TaskResult } from "../lib/run";

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
