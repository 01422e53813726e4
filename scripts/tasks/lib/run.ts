/**
 * Runs a task's action: opens the context, prints the result (text, or JSON with `--json`) and returns its data
 * to `hre.run` callers. Whatever fails leaves as a LatentTaskError (a HardhatPluginError), so the CLI prints one
 * line and exits with code 1; Hardhat's own errors (e.g. no connection to the node) pass through unchanged.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatError, HardhatPluginError } from "hardhat/internal/core/errors";
import { TaskContext, revertDecoder } from "./context";
import type { CommonArgs } from "./context";
import { LatentTaskError, RevertError, TransactionError } from "./errors";
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
    throw asTaskError(error);
  }
}

export function asTaskError(error: unknown): Error {
  if (error instanceof LatentTaskError || HardhatError.isHardhatError(error) || HardhatPluginError.isHardhatPluginError(error)) {
    return error as Error;
  }
  const parent = error instanceof Error ? error : undefined;
  const decoded = revertDecoder().decode(error);
  if (decoded !== undefined) return new RevertError("a call", decoded.name, decoded.args, decoded.formatted, parent);
  return new TransactionError(parent?.message.split("\n")[0] ?? String(error), parent);
}
