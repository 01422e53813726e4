/**
 * devnet advance: mines one block at a later time, with `evm_mine [timestamp]` (Hardhat Network and anvil take it, as
 * hardhat-network-helpers' time.increaseTo does); later blocks go on from that time. Only on a development chain: a
 * real network has no such method, and a node that took it there would not be one to move.
 */
import { DeploymentContext } from "../lib/context";
import type { ChainContext, CommonArgs } from "../lib/context";
import { InputError, NotDevChainError, TransactionError } from "../lib/errors";
import { formatDuration, isoTime } from "../lib/format";
import { exclusive, parseDuration, parseTimestamp } from "../lib/parse";
import type { TaskResult } from "../lib/run";

/** Hardhat Network's and anvil's default chain id, and Ganache's (and `anvil --chain-id 1337`'s). */
export const DEV_CHAIN_IDS: readonly number[] = [31337, 1337];

/** The latest a block may be dated: what the revert decoder still reads as a time (2^40 seconds, year 36812). */
const MAX_TIME = 2 ** 40 - 1;

export interface AdvanceArgs extends CommonArgs {
  by?: string;
  to?: string;
}

export interface ChainPoint {
  blockNumber: number;
  timestamp: number;
}

export interface Advanced {
  chainId: number;
  before: ChainPoint;
  after: ChainPoint;
  /** after.timestamp - before.timestamp */
  advancedBy: number;
}

export async function advance(ctx: ChainContext, args: AdvanceArgs): Promise<TaskResult<Advanced>> {
  exclusive({ "--by": args.by, "--to": args.to });
  if (args.by === undefined && args.to === undefined) throw new InputError("--by / --to", "give one: how far (--by 2h) or to when (--to <unix time or ISO date>)");
  const by = args.by === undefined ? undefined : parseDuration("--by", args.by);
  const to = args.to === undefined ? undefined : parseTimestamp("--to", args.to);
  if (by === 0) throw new InputError("--by", "must be more than 0 seconds");
  const provider = ctx.hre.ethers.provider;
  const chainId = Number((await provider.getNetwork()).chainId);
  if (!DEV_CHAIN_IDS.includes(chainId)) {
    throw new NotDevChainError(
      `network "${ctx.networkName}" is chain ${chainId}, not a development chain (chain id ${DEV_CHAIN_IDS.join(" or ")}): ` +
        "only a devnet's clock can be moved; a real chain's deadlines pass in real time",
    );
  }
  const before = await latest(ctx);
  const target = by !== undefined ? before.timestamp + by : (to as number);
  if (target <= before.timestamp) {
    throw new InputError("--to", `${isoTime(target)} is not after the latest block's time, ${isoTime(before.timestamp)} (block ${before.blockNumber}): a chain's clock only moves forward`);
  }
  if (target > MAX_TIME) throw new InputError(args.by !== undefined ? "--by" : "--to", `would date the block ${target}, past ${MAX_TIME} (2^40 - 1)`);
  try {
    await provider.send("evm_mine", [target]);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new TransactionError(`evm_mine failed on network "${ctx.networkName}" (a node that cannot mine at a given time?): ${message}`, error instanceof Error ? error : undefined);
  }
  const after = await latest(ctx);
  const advancedBy = after.timestamp - before.timestamp;
  const text = [
    // Every unit: the second a deadline needs (--by 2h15m1s) would read as lost in "2h 15m".
    `Chain ${chainId} advanced by ${formatDuration(advancedBy, 4)}: block ${after.blockNumber} at ${isoTime(after.timestamp)} (${after.timestamp})`,
    `  was block ${before.blockNumber} at ${isoTime(before.timestamp)} (${before.timestamp})`,
  ];
  // With --deployment the chain was checked to be that deployment's: say so, as the chain that moved.
  if (ctx instanceof DeploymentContext) text.push(`  the chain of deployment ${ctx.deploymentFile}`);
  if (ctx.networkName === "hardhat") {
    text.push("  this is Hardhat's in-process chain, empty on every command: add --network localhost for the chain of npm start (or npx hardhat node)");
  }
  return { data: { chainId, before, after, advancedBy }, text };
}

async function latest(ctx: ChainContext): Promise<ChainPoint> {
  const block = await ctx.hre.ethers.provider.getBlock("latest");
  if (block === null) throw new TransactionError(`network "${ctx.networkName}" returned no latest block`);
  return { blockNumber: block.number, timestamp: block.timestamp };
}
