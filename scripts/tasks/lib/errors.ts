/**
 * The errors a task ends with. The task the command line names prints one as its message alone, with exit code 1
 * (run.ts); with `--show-stack-traces`, or from a task that another task runs, it is thrown. All are
 * HardhatPluginErrors, which the Hardhat CLI prints as one line ("Error in plugin latent: ...") with exit code 1 and
 * no stack trace. Task code throws these classes, never plain Errors, for anything a user can cause.
 *
 * Where Hardhat believes it runs on CI (CI set, or any Linux without a display server), its CLI also prints the
 * error itself, whatever the kind, through util.inspect, under that line, and a HardhatPluginError inspects as its
 * stack. A task the Hardhat CLI runs that ends with one of these without `--show-stack-traces` marks it untraced
 * (run.ts), so that it inspects as Hardhat's hint alone: the user's mistake gets its message once, not our call stack
 * nor the message again. Its `stack` stays the full trace.
 */
import { inspect } from "node:util";
import { HardhatError } from "hardhat/internal/core/errors";
import { ERRORS, ERROR_RANGES, getErrorCode } from "hardhat/internal/core/errors-list";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment, RunTaskFunction } from "hardhat/types";

export const PLUGIN_NAME = "latent";

/** Hardhat's CustomError formats itself, stack and cause, under util.inspect.custom (not in its typings). */
const hardhatInspect = (HardhatPluginError.prototype as unknown as Record<symbol, (this: Error) => string>)[inspect.custom] as (this: Error) => string;

/** What Hardhat's CLI prints under a HardhatPluginError's line where it shows no stack. */
const UNTRACED_HINT = "For more info run hardhat with --show-stack-traces";

export class LatentTaskError extends HardhatPluginError {
  private traced = true;

  constructor(message: string, parent?: Error) {
    super(PLUGIN_NAME, message, parent);
    // HardhatPluginError resets the prototype to its own, which would break `instanceof` on every subclass.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = new.target.name;
    // CustomError reads `stack` through the inspect form, which untraced() shortens; mocha and loggers read it.
    Object.defineProperty(this, "stack", { get: () => hardhatInspect.call(this), configurable: true });
  }

  /**
   * From now on util.inspect (and so console.error) shows the hint Hardhat's CLI prints off CI, without the message,
   * the stack or the cause: only for an error on its way to the CLI, whose own line has given the message.
   */
  untraced(): this {
    this.traced = false;
    return this;
  }

  [inspect.custom](): string {
    return this.traced ? hardhatInspect.call(this) : UNTRACED_HINT;
  }
}

/** Whether this process is Hardhat's CLI (`npx hardhat ...`), whose own line gives the message of an error it ends with. */
export function ranByHardhatCli(): boolean {
  return require.main !== undefined && require.main.filename === require.resolve("hardhat/internal/cli/bootstrap");
}

let tasksRunning = 0;

/**
 * Counts the tasks this environment runs, each nested run included (a task's `hre.run` reaches the environment's own
 * `run`, which this replaces), for isCommandLineTask.
 */
export function countTaskRuns(hre: HardhatRuntimeEnvironment): void {
  const run = hre.run;
  // Spread: Hardhat's nested runs pass a fourth argument (the caller's profile) that its typings leave out.
  (hre as { run: RunTaskFunction }).run = async (...args: Parameters<RunTaskFunction>) => {
    tasksRunning += 1;
    try {
      return await run(...args);
    } finally {
      tasksRunning -= 1;
    }
  };
}

/**
 * Asked as a task's action starts: whether that task is the one Hardhat's CLI was asked for, run by no other task. Its
 * failure ends the command, so it is the user's to read, whereas that of one a task (or a test under `hardhat test`)
 * runs, or that code calls directly, is its caller's.
 */
export function isCommandLineTask(): boolean {
  return ranByHardhatCli() && tasksRunning === 1;
}

/**
 * Hardhat's errors of a command line as typed, which it raises before any task runs: an unknown `--network` (HH100),
 * scope, task or option, an option's missing or malformed value (HH3xx). Their line names the mistake.
 */
function isCommandLineError(error: HardhatError): boolean {
  const n = error.errorDescriptor.number;
  return n === ERRORS.NETWORK.CONFIG_NOT_FOUND.number || (n >= ERROR_RANGES.ARGUMENTS.min && n <= ERROR_RANGES.ARGUMENTS.max);
}

/**
 * Where Hardhat's CLI runs without `--show-stack-traces`, a command-line error (isCommandLineError) inspects from now
 * on as the hint Hardhat prints under its line off CI, its page and `--show-stack-traces`: on CI, any Linux without a
 * display among them, the CLI prints `console.error(error)` under the line, which was the message again and Hardhat's
 * stack, for a misspelt option. Hardhat loads the config, and so this, before it parses the command line. Only
 * util.inspect's call (which passes arguments) is answered so: `stack` reads the inspect form with none, and keeps the
 * trace.
 */
export function untraceCommandLineErrors(): void {
  if (!ranByHardhatCli() || process.argv.includes("--show-stack-traces") || process.env.HARDHAT_SHOW_STACK_TRACES === "true") return;
  const prototype = HardhatError.prototype as unknown as Record<symbol, (this: HardhatError, ...args: unknown[]) => string>;
  const traced = prototype[inspect.custom]!;
  prototype[inspect.custom] = function (this: HardhatError, ...args: unknown[]): string {
    if (args.length === 0 || !isCommandLineError(this)) return traced.apply(this, args);
    return `For more info go to https://v2.hardhat.org/${getErrorCode(this.errorDescriptor)} or run hardhat with --show-stack-traces`;
  };
}

/** An error of the JavaScript engine's own kinds: a bug in the code, never something a user caused. */
export function isProgrammingError(error: unknown): error is Error {
  return error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError;
}

/** A task argument (or an environment variable) is malformed or out of range; `field` names it as typed. */
export class InputError extends LatentTaskError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** An option that defaults to an account was not given on a network that has no account to default to. */
export class MissingInputError extends InputError {}

/** The deployment record is missing, malformed or does not match the connected chain. */
export class DeploymentError extends LatentTaskError {}

/** No account can sign for the requested `--from`. */
export class SignerError extends LatentTaskError {}

/** The chain's state makes the action impossible now (checked before sending, where a revert would say less). */
export class StateError extends LatentTaskError {}

/** A call or transaction reverted; `errorName` and `args` are the decoded custom error. */
export class RevertError extends LatentTaskError {
  constructor(
    readonly action: string,
    readonly errorName: string,
    readonly args: Readonly<Record<string, string>>,
    /** `Name(arg=value, ...)`, values rendered for people (enum names, ids, dates). */
    readonly formatted: string,
    parent?: Error,
  ) {
    super(`${action} reverted: ${formatted}`, parent);
  }
}

/** A transaction failed for a reason other than a decodable revert (network, nonce, gas, an unknown revert). */
export class TransactionError extends LatentTaskError {}

/** No node answers at the network's URL. */
export class ConnectionError extends LatentTaskError {}

/** The deployment on the chain is not what its record says (`deployment verify`). */
export class VerificationError extends LatentTaskError {}

/** The node refused a query the task cannot do without (eth_getLogs over any range, even a single block). */
export class ChainQueryError extends LatentTaskError {}

/** A task only for a development chain (devnet advance) was run against another chain. */
export class NotDevChainError extends LatentTaskError {}
