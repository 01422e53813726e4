/**
 * Runs a task's action: opens the context, prints the result (text, or JSON with `--json`) and returns its data
 * to `hre.run` callers. Whatever fails leaves as a LatentTaskError (a HardhatPluginError), so the CLI prints one
 * line and exits with code 1, without a stack or the message twice even where Hardhat believes it runs on CI
 * (errors.ts) unless `--show-stack-traces` asks for it. No node at the network's URL is a ConnectionError; Hardhat's
 * other errors pass through unchanged, and so do bugs (a TypeError, say), which the CLI reports as unexpected, with
 * their stack.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatError, HardhatPluginError } from "hardhat/internal/core/errors";
import { ERRORS } from "hardhat/internal/core/errors-list";
import { ChainContext, DeploymentContext, TaskContext, revertDecoder } from "./context";
import type { CommonArgs } from "./context";
import { ConnectionError, LatentTaskError, RevertError, TransactionError, isProgrammingError } from "./errors";
import { toJson } from "./format";
import { write } from "./output";

export interface TaskResult<T> {
  /** What `--json` prints and `hre.run` returns (bigints as they are; printed as decimal strings). */
  data: T;
  /** What a person reads. */
  text: string[];
}

export type TaskAction<A extends CommonArgs, T = unknown> = (ctx: TaskContext, args: A) => Promise<TaskResult<T>>;

/** A task that only reads: it gets no signer, so it runs on a network with no account. */
export type ReadTaskAction<A extends CommonArgs, T = unknown> = (ctx: DeploymentContext, args: A) => Promise<TaskResult<T>>;

export async function runLatentTask<A extends CommonArgs, T>(hre: HardhatRuntimeEnvironment, args: A, action: TaskAction<A, T>): Promise<T> {
  return run(hre, args, () => TaskContext.open(hre, args), action);
}

export async function runReadTask<A extends CommonArgs, T>(hre: HardhatRuntimeEnvironment, args: A, action: ReadTaskAction<A, T>): Promise<T> {
  return run(hre, args, () => DeploymentContext.open(hre, args), action);
}

/** A task on the chain itself: no deployment record, no account (devnet advance). */
export type ChainTaskAction<A extends CommonArgs, T = unknown> = (ctx: ChainContext, args: A) => Promise<TaskResult<T>>;

export async function runChainTask<A extends CommonArgs, T>(hre: HardhatRuntimeEnvironment, args: A, action: ChainTaskAction<A, T>): Promise<T> {
  return run(hre, args, () => ChainContext.open(hre, args), action);
}

async function run<A extends CommonArgs, T, C extends ChainContext>(
  hre: HardhatRuntimeEnvironment,
  args: A,
  open: () => Promise<C>,
  action: (ctx: C, args: A) => Promise<TaskResult<T>>,
): Promise<T> {
  try {
    const ctx = await open();
    const result = await action(ctx, args);
    write(args.json ? toJson(result.data) : result.text.join("\n"));
    return result.data;
  } catch (error) {
    const failure = unreachable(hre, error) ?? (await withChainTime(hre, args, error));
    // One caused by a bug keeps its stack: it is what the bug report needs.
    if (failure instanceof LatentTaskError && ranByHardhatCli() && !hre.hardhatArguments.showStackTraces && !isProgrammingError(failure.parent)) {
      failure.untraced();
    }
    throw failure;
  }
}

/** Whether this process is Hardhat's CLI (`npx hardhat ...`), whose own line gives the message of an error it ends with. */
function ranByHardhatCli(): boolean {
  return require.main !== undefined && require.main.filename === require.resolve("hardhat/internal/cli/bootstrap");
}

/** Hardhat's HH108 (no node at the URL), the most common way to start a task wrong, as a one-line error naming the URL. */
function unreachable(hre: HardhatRuntimeEnvironment, error: unknown): ConnectionError | undefined {
  if (!HardhatError.isHardhatErrorType(error, ERRORS.NETWORK.NODE_IS_NOT_RUNNING)) return undefined;
  const url = (hre.network.config as { url?: string }).url;
  return new ConnectionError(
    `no node answers at ${url ?? "the URL"} of network "${hre.network.name}": start it (npm start serves localhost on 127.0.0.1:8545) or check the URL`,
    error,
  );
}

/**
 * asTaskError, and for a revert that no context call decoded (an action's own call, outside `send`, `preflight` and
 * `read`) its deadlines' distance from the chain's latest block time, as those show them: the clock is read only for
 * such a revert, and one that the node does not give leaves the dates alone.
 */
async function withChainTime<A extends CommonArgs>(hre: HardhatRuntimeEnvironment, args: A, error: unknown): Promise<Error> {
  const failure = asTaskError(error);
  if (!(failure instanceof RevertError) || failure === error) return failure;
  const now = await (await ChainContext.open(hre, args)).nowIfAnswered();
  return now === undefined ? failure : asTaskError(error, now);
}

/** `now`: the chain's latest block time, for a revert's deadlines to say how far they are ("in 1h 59m"). */
export function asTaskError(error: unknown, now?: number): Error {
  if (error instanceof LatentTaskError || HardhatError.isHardhatError(error) || HardhatPluginError.isHardhatPluginError(error) || isProgrammingError(error)) {
    return error as Error;
  }
  const parent = error instanceof Error ? error : undefined;
  const decoded = revertDecoder().decode(error, now);
  if (decoded !== undefined) return new RevertError("a call", decoded.name, decoded.args, decoded.formatted, parent);
  return new TransactionError(parent?.message.split("\n")[0] ?? String(error), parent);
}
