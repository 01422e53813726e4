/**
 * Registers a Latent task: the options every task shares, and an action loaded only when the task runs (the
 * actions need TypeChain's factories, which a fresh checkout has only after `hardhat compile`, itself a task).
 */
import { types } from "hardhat/config";
import type { ConfigurableTaskDefinition, TaskDefinition } from "hardhat/types";
import type { CommonArgs } from "./context";
import { isCommandLineTask } from "./errors";
import type { ChainTaskAction, ReadTaskAction, TaskAction } from "./run";

const DEPLOYMENT_HELP = "Deployment record file (default: <network>.json in LATENT_DEPLOYMENTS_DIR, else in deployments/)";

export function latentTask<A extends CommonArgs, T>(
  definition: ConfigurableTaskDefinition,
  load: () => Promise<TaskAction<A, T>>,
): ConfigurableTaskDefinition {
  return definition
    .addOptionalParam("deployment", DEPLOYMENT_HELP, undefined, types.string)
    .addOptionalParam(
      "from",
      "Signing account: an index or address among the network's accounts (default: LATENT_PRIVATE_KEY's account, else account 0)",
      undefined,
      types.string,
    )
    .addFlag("json", "Print machine-readable JSON (amounts in wei, times in unix seconds)")
    .setAction(async (args: A, hre) => {
      // Read before anything is awaited: only then is the count of running tasks this one's own.
      const commandLine = isCommandLineTask();
      const { runLatentTask } = await import("./run");
      // scope.task() returns the task's TaskDefinition, typed as its configurable part: its name and options are read back.
      return runLatentTask(hre, args, await load(), commandLine, definition as TaskDefinition);
    });
}

/**
 * A task that signs nothing: no account needed (it runs against a public RPC with no key). One with an account
 * option that defaults to the account a signing task would use (`accountDefault`) takes --from to choose that
 * account; a network with none makes the option required. The others take --from too, as devnet advance does, so
 * that npm start's printed prefix (`… --deployment <file> --from <#>`) pasted into them works: no account is read,
 * so it is only checked to name one of the network's accounts (DeploymentContext.open).
 */
export function latentReadTask<A extends CommonArgs, T>(
  definition: ConfigurableTaskDefinition,
  load: () => Promise<ReadTaskAction<A, T>>,
  options: { accountDefault?: boolean } = {},
): ConfigurableTaskDefinition {
  definition.addOptionalParam("deployment", DEPLOYMENT_HELP, undefined, types.string);
  definition.addOptionalParam(
    "from",
    options.accountDefault === true
      ? "Account the options not given default to: an index or address among the network's accounts (default: LATENT_PRIVATE_KEY's account, " +
          "else account 0; signs nothing)"
      : "Optional, signs nothing and reads no account; given, it must name one of the network's accounts",
    undefined,
    types.string,
  );
  return definition
    .addFlag("json", "Print machine-readable JSON (amounts in wei, times in unix seconds)")
    .setAction(async (args: A, hre) => {
      // Read before anything is awaited: only then is the count of running tasks this one's own.
      const commandLine = isCommandLineTask();
      const { runReadTask } = await import("./run");
      return runReadTask(hre, args, await load(), commandLine, definition as TaskDefinition);
    });
}

/**
 * A task on the connected chain itself: it signs nothing and needs no deployment record (devnet advance). It takes
 * --deployment as the other tasks do, so that their common options pasted into it work: given, the record is checked
 * against the connected chain, so that the chain it acts on is that deployment's and not another node's at the URL.
 * So does --from, which npm start's printed prefix (`… --deployment <file> --from <#>`) ends with: no account acts, so
 * it is only checked to name one of the network's accounts, as the read tasks check theirs.
 */
export function latentChainTask<A extends CommonArgs, T>(
  definition: ConfigurableTaskDefinition,
  load: () => Promise<ChainTaskAction<A, T>>,
): ConfigurableTaskDefinition {
  return definition
    .addOptionalParam("deployment", "Deployment record file: optional; given, the connected chain must be its chain (checked as the other tasks check it)", undefined, types.string)
    .addOptionalParam("from", "Optional, signs nothing: the clock is the node's, the same for every account; given, it must name one of the network's accounts", undefined, types.string)
    .addFlag("json", "Print machine-readable JSON (times in unix seconds)")
    .setAction(async (args: A, hre) => {
      // Read before anything is awaited: only then is the count of running tasks this one's own.
      const commandLine = isCommandLineTask();
      const { runChainTask } = await import("./run");
      return runChainTask(hre, args, await load(), commandLine, definition as TaskDefinition);
    });
}
