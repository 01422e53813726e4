// The worker handle's own options (IndexerWorkerOptions less IndexerOptions), refused before a thread starts as
// Indexer.open refuses its own: the same rules' table, the same error naming the option and the value.
import { IndexerOptionError } from "../errors";
import { checkOption, RESTART_POLICY_RULES, WORKER_OPTION_RULES } from "../option-rules";
import type { IndexerWorkerOptions } from "./protocol";

/** Throws {@link IndexerOptionError} for the first of the handle's options it could not honour (undefined: the default). */
export function checkWorkerOptions(options: IndexerWorkerOptions): void {
  for (const [name, rule] of Object.entries(WORKER_OPTION_RULES)) checkOption(name, rule, options[name as keyof typeof WORKER_OPTION_RULES]);
  const { restart } = options;
  if (restart === undefined || restart === false) return;
  for (const [name, rule] of Object.entries(RESTART_POLICY_RULES)) checkOption(`restart.${name}`, rule, restart[name as keyof typeof RESTART_POLICY_RULES]);
  // RestartBackoff would wait initialDelayMs every time, and so honour neither. Only one given: the default of the other
  // is brought to it (see RestartBackoff), but a value asked for is not silently changed.
  const { initialDelayMs, maxDelayMs } = restart;
  if (initialDelayMs !== undefined && maxDelayMs !== undefined && maxDelayMs < initialDelayMs) {
    throw new IndexerOptionError("restart.maxDelayMs", maxDelayMs, `restart.maxDelayMs must be at least restart.initialDelayMs (got initialDelayMs ${initialDelayMs}, maxDelayMs ${maxDelayMs})`);
  }
}
