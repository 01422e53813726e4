// The worker handle's own options (IndexerWorkerOptions less IndexerOptions), refused before a thread starts as
// Indexer.open refuses its own: the same rules' table, the same error naming the option and the value.
import { IndexerOptionError } from "../errors";
import { accepts, describe, RESTART_POLICY_RULES, WORKER_OPTION_RULES, type NumberRule } from "../option-rules";
import type { IndexerWorkerOptions } from "./protocol";

/** A value as the message quotes it: a string from an untyped caller quoted, so that "5" does not read as 5. */
const quoted = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

function check(name: string, rule: NumberRule, value: unknown): void {
  if (value !== undefined && !accepts(rule, value)) throw new IndexerOptionError(`${name} must be ${describe(rule)} (got ${quoted(value)})`);
}

/** Throws {@link IndexerOptionError} for the first of the handle's options it could not honour (undefined: the default). */
export function checkWorkerOptions(options: IndexerWorkerOptions): void {
  for (const [name, rule] of Object.entries(WORKER_OPTION_RULES)) check(name, rule, options[name as keyof typeof WORKER_OPTION_RULES]);
  const { restart } = options;
  if (restart === undefined || restart === false) return;
  for (const [name, rule] of Object.entries(RESTART_POLICY_RULES)) check(`restart.${name}`, rule, restart[name as keyof typeof RESTART_POLICY_RULES]);
  // RestartBackoff would wait initialDelayMs every time, and so honour neither. Only one given: the default of the other
  // is brought to it (see RestartBackoff), but a value asked for is not silently changed.
  const { initialDelayMs, maxDelayMs } = restart;
  if (initialDelayMs !== undefined && maxDelayMs !== undefined && maxDelayMs < initialDelayMs) {
    throw new IndexerOptionError(`restart.maxDelayMs must be at least restart.initialDelayMs (got initialDelayMs ${initialDelayMs}, maxDelayMs ${maxDelayMs})`);
  }
}
