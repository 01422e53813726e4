/**
 * Runs a task's action: opens the context, prints the result (text, or JSON with `--json`) and returns its data
 * to `hre.run` callers. Whatever fails leaves as a LatentTaskError (a HardhatPluginError). The task the command line
 * names prints its message alone to stderr and sets exit code 1, unless `--show-stack-traces` asks for the stack; one
 * that another task or a test runs throws it to its caller, which the CLI prints as one line with exit code 1, without
 * a stack or the message twice even where Hardhat believes it runs on CI (errors.ts). No node at the network's URL is a ConnectionError; Hardhat's
 * other errors pass through unchanged, and so do bugs (a TypeError, say), which the CLI reports as unexpected, with
 * their stack.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatError, HardhatPluginError } from "hardhat/internal/core/errors";
import { ERRORS } from "hardhat/internal/core/errors-list";
import { Interface, dataSlice } from "ethers";
import type { TransactionRequest } from "ethers";
import { ChainContext, DeploymentContext, TaskContext, latentAbis, revertDecoder } from "./context";
import type { CommonArgs, TaskCommand } from "./context";
import { ConnectionError, LatentTaskError, RevertError, TransactionError, isProgrammingError, ranByHardhatCli } from "./errors";
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

/**
 * `commandLine`: the task is the one Hardhat's CLI was asked for (isCommandLineTask, read as its action starts), whose
 * refusal is printed rather than thrown. `command`: the task's definition, for refusals to write the command again.
 */
export async function runLatentTask<A extends CommonArgs, T>(
  hre: HardhatRuntimeEnvironment,
  args: A,
  action: TaskAction<A, T>,
  commandLine = false,
  command?: TaskCommand,
): Promise<T> {
  return run(hre, args, () => TaskContext.open(hre, args, command), action, commandLine);
}

export async function runReadTask<A extends CommonArgs, T>(
  hre: HardhatRuntimeEnvironment,
  args: A,
  action: ReadTaskAction<A, T>,
  commandLine = false,
  command?: TaskCommand,
): Promise<T> {
  return run(hre, args, () => DeploymentContext.open(hre, args, command), action, commandLine);
}

/** A task on the chain itself: no account, and no deployment record unless --deployment names one (devnet advance). */
export type ChainTaskAction<A extends CommonArgs, T = unknown> = (ctx: ChainContext, args: A) => Promise<TaskResult<T>>;

export async function runChainTask<A extends CommonArgs, T>(
  hre: HardhatRuntimeEnvironment,
  args: A,
  action: ChainTaskAction<A, T>,
  commandLine = false,
  command?: TaskCommand,
): Promise<T> {
  // A record given is checked against the connected chain (chain id, genesis block, code), as every other task checks it.
  return run(hre, args, () => (args.deployment === undefined ? ChainContext.open(hre, args, command) : DeploymentContext.open(hre, args, command)), action, commandLine);
}

async function run<A extends CommonArgs, T, C extends ChainContext>(
  hre: HardhatRuntimeEnvironment,
  args: A,
  open: () => Promise<C>,
  action: (ctx: C, args: A) => Promise<TaskResult<T>>,
  commandLine: boolean,
): Promise<T> {
  const calls = watchFailedCalls(hre);
  try {
    const ctx = await open();
    const result = await action(ctx, args);
    write(args.json ? toJson(result.data) : result.text.join("\n"));
    return result.data;
  } catch (error) {
    const failure = unreachable(hre, error) ?? (await withChainTime(hre, args, error, calls.lastFailed()));
    // One caused by a bug keeps its stack: it is what the bug report needs.
    if (failure instanceof LatentTaskError && ranByHardhatCli() && !hre.hardhatArguments.showStackTraces && !isProgrammingError(failure.parent)) {
      if (commandLine) {
        // The user's own refusal: its message is all there is to read. Thrown, Hardhat's CLI would frame it as a
        // plugin's failure ("Error in plugin latent:") and point to --show-stack-traces, which shows only our stack.
        process.stderr.write(`${failure.message}\n`);
        process.exitCode = 1;
        // What the CLI ignores: nothing runs after the command line's own task.
        return undefined as T;
      }
      failure.untraced();
    }
    throw failure;
  } finally {
    calls.stop();
  }
}

/** A call to a contract: where to and its calldata (selector first). */
export interface ContractCall {
  to: string | null;
  data: string;
}

/**
 * The last eth_call or gas estimate through the task's provider that failed, unless a later one succeeded: what a
 * revert no context call named came from. The node's error does not say (Hardhat's ProviderError and SolidityError
 * carry the revert data only, and ethers passes them on as they are), so the provider's two methods are wrapped for
 * the task's run, and unwrapped after it (a task run inside another, by hre.run, unwraps its own wrapping first).
 */
function watchFailedCalls(hre: HardhatRuntimeEnvironment): { lastFailed(): ContractCall | undefined; stop(): void } {
  const provider = hre.ethers.provider;
  const { call, estimateGas } = provider;
  let failed: ContractCall | undefined;
  const watched = <R>(method: (tx: TransactionRequest) => Promise<R>) =>
    async (tx: TransactionRequest): Promise<R> => {
      try {
        const result = await method.call(provider, tx);
        failed = undefined;
        return result;
      } catch (error) {
        failed = { to: typeof tx.to === "string" ? tx.to : null, data: typeof tx.data === "string" ? tx.data : "0x" };
        throw error;
      }
    };
  provider.call = watched(call);
  provider.estimateGas = watched(estimateGas);
  return {
    lastFailed: () => failed,
    stop: () => {
      provider.call = call;
      provider.estimateGas = estimateGas;
    },
  };
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
async function withChainTime<A extends CommonArgs>(hre: HardhatRuntimeEnvironment, args: A, error: unknown, call: ContractCall | undefined): Promise<Error> {
  const failure = asTaskError(error, undefined, call);
  if (!(failure instanceof RevertError) || failure === error) return failure;
  const now = await (await ChainContext.open(hre, args)).nowIfAnswered();
  return now === undefined ? failure : asTaskError(error, now, call);
}

/**
 * `now`: the chain's latest block time, for a revert's deadlines to say how far they are ("in 1h 59m"); `call`: the
 * call that reverted, which the error names.
 */
export function asTaskError(error: unknown, now?: number, call?: ContractCall): Error {
  if (error instanceof LatentTaskError || HardhatError.isHardhatError(error) || HardhatPluginError.isHardhatPluginError(error) || isProgrammingError(error)) {
    return error as Error;
  }
  const parent = error instanceof Error ? error : undefined;
  const decoded = revertDecoder().decode(error, now);
  if (decoded !== undefined) return new RevertError(call === undefined ? "a call" : callName(call), decoded.name, decoded.args, decoded.formatted, parent);
  return new TransactionError(parent?.message.split("\n")[0] ?? String(error), parent);
}

let latentInterfaces: Array<{ contract: string; iface: Interface }> | undefined;

/**
 * A call as a revert's message names it: `JobEscrow.expireJob at 0x…` (the contracts whose ABI has its selector: a
 * function several declare is named `Staking.pause or JobEscrow.pause`), `a call of 0x12345678 at 0x…` where no Latent
 * contract has it.
 */
function callName({ to, data }: ContractCall): string {
  const at = to === null ? "" : ` at ${to}`;
  if (data.length < 10) return `a call${at}`;
  const selector = dataSlice(data, 0, 4);
  latentInterfaces ??= latentAbis().map(({ contract, abi }) => ({ contract, iface: new Interface(abi) }));
  const names = latentInterfaces.flatMap(({ contract, iface }) => {
    const fragment = iface.getFunction(selector);
    return fragment === null ? [] : [`${contract}.${fragment.name}`];
  });
  return names.length === 0 ? `a call of ${selector}${at}` : `${names.join(" or ")}${at}`;
}
