/**
 * Hardhat tasks for every user action of Latent, imported by hardhat.config.ts:
 *   npx hardhat <provider|stake|token|job|dispute|gov|guardian|deployment|devnet> <task> --network <name> [--from <index|address>] [--json]
 * Each area's definitions are read by every Hardhat command; their actions (scripts/tasks/actions/) load only
 * when a task runs.
 */
import "./provider";
import "./stake";
import "./token";
import "./job";
import "./dispute";
import "./gov";
import "./guardian";
import "./deployment";
import "./devnet";
import { extendEnvironment } from "hardhat/config";
import { countTaskRuns, untraceCommandLineErrors } from "./lib/errors";

// Before Hardhat parses the command line, whose errors (a misspelt option, a missing value) are the commonest.
untraceCommandLineErrors();
// A refusal of the task the command line names prints as its message alone (lib/run.ts), which needs to know which task that is.
extendEnvironment(countTaskRuns);

export { setOutputSink } from "./lib/output";
