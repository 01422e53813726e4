// The worker handle's own options (IndexerWorkerOptions less IndexerOptions), refused before a thread starts as
// Indexer.open refuses its own: the same rules' table, the same error naming the option and the value.
import { checkOption, refuseConflict, restartPolicyConflict, RESTART_POLICY_RULES, WORKER_OPTION_RULES } from "../option-rules";
import type { IndexerWorkerOptions, RestartPolicy } from "./protocol";

/** Throws {@link IndexerOptionError} for the first of the handle's options it could not honour (undefined: the default). */
export function checkWorkerOptions(options: IndexerWorkerOptions): void {
  for (const [name, rule] of Object.entries(WORKER_OPTION_RULES)) checkOption(name, rule, options[name as keyof typeof WORKER_OPTION_RULES]);
  checkRestartPolicy(options.restart);
}

/**
 * Throws {@link IndexerOptionError} naming `restart.<delay>` for a restart policy RestartBackoff could not honour
 * (undefined or false: the default, or no restarts). The gateway's query thread takes the same policy.
 */
export function checkRestartPolicy(restart: RestartPolicy | false | undefined): void {
  if (restart === undefined || restart === false) return;
  for (const [name, rule] of Object.entries(RESTART_POLICY_RULES)) checkOption(`restart.${name}`, rule, restart[name as keyof typeof RESTART_POLICY_RULES]);
  refuseConflict(restartPolicyConflict(restart));
}
