/**
 * Runs a task's action: opens the context, prints the result (text, or JSON with `--json`) and returns its data
 * to `hre.run` callers. Whatever fails leaves as a LatentTaskError (a HardhatPluginError), so the CLI prints one
 * line and exits with code 1, without a stack even where Hardhat believes it runs on CI (errors.ts) unless
 * `--show-stack-traces` asks for it. Hardhat's own errors (e.g. no connection to the node) pass through unchanged,
 * and so do bugs (a TypeError, say), which the CLI reports as unexpected, with their stack.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatError, HardhatPluginError } from "hardhat/internal/core/errors";
import { TaskContext, revertDecoder } from "./context";
import type { CommonArgs } from "./context";
import { LatentTaskError, RevertError, TransactionError, isProgrammingError } from "./errors";
import { toJson } from "./format";
import { write } from "./output";

export interface TaskResult<T> {
  /** What `--json` prints and `hre.run` returns (bigints as they are; printed as decimal strings). */
  data: T;
  /** What a person reads. */
  text: string[];
}

export type TaskAction<A extends CommonArgs, T = unknown> = (ctx: TaskContext, args: A) => Promise<TaskResult<T>>;

export async function runLatentTask<A extends CommonArgs, T>(
  hre: HardhatRuntimeEnvironment,
  args: A,
  action: TaskAction<A, T>,
): Promise<T> {
  try {
    const ctx = await TaskContext.open(hre, args);
    const result = await action(ctx, args);
    write(args.json ? toJson(result.data) : result.text.join("\n"));
    return result.data;
  } catch (error) {
    const failure = asTaskError(error);
    // One caused by a bug keeps its stack: it is what the bug report needs.
    if (failure instanceof LatentTaskError && !hre.hardhatArguments.showStackTraces && !isProgrammingError(failure.parent)) failure.untraced();
    throw failure;
  }
}

export function asTaskError(error: unknown): Error {
  if (error instanceof LatentTaskError || HardhatError.isHardhatError(error) || HardhatPluginError.isHardhatPluginError(error) || isProgrammingError(error)) {
    return error as Error;
  }
  const parent = error instanceof Error ? error : undefined;
  const decoded = revertDecoder().decode(error);
  if (decoded !== undefined) return new RevertError("a call", decoded.name, decoded.args, decoded.formatted, parent);
  return new TransactionError(parent?.message.split("\n")[0] ?? String(error), parent);
}
