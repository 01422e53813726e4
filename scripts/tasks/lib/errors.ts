/**
 * The errors a task ends with. All are HardhatPluginErrors, which the Hardhat CLI prints as one line
 * ("Error in plugin latent: ...") with exit code 1 and no stack trace (`--show-stack-traces` shows it).
 * Task code throws these classes, never plain Errors, for anything a user can cause.
 */
import { HardhatPluginError } from "hardhat/plugins";

export const PLUGIN_NAME = "latent";

export class LatentTaskError extends HardhatPluginError {
  constructor(message: string, parent?: Error) {
    super(PLUGIN_NAME, message, parent);
    // HardhatPluginError resets the prototype to its own, which would break `instanceof` on every subclass.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = new.target.name;
  }
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
