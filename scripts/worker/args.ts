// Command-line parsing for the worker's CLIs: `--name value`, `--name=value`, `-x value` and flags. Small and
// strict: an unknown option or a missing value is an error that names it.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface OptionSpec {
  /** Long name without dashes, e.g. "config". */
  name: string;
  alias?: string;
  /** Whether it takes a value; otherwise it is a flag. */
  takesValue: boolean;
}

export type ParsedArgs = Map<string, string | true>;

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const parsed: ParsedArgs = new Map();
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    const match = /^(?:--([a-z][a-z0-9-]*)(?:=(.*))?|-([a-zA-Z]))$/s.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    const [, long, inlineValue, short] = match;
    const spec = specs.find((candidate) => (long !== undefined ? candidate.name === long : candidate.alias === short));
    if (!spec) throw new UsageError(`unknown option ${arg.split("=")[0]}`);
    if (parsed.has(spec.name)) throw new UsageError(`--${spec.name} given twice`);
    if (!spec.takesValue) {
      if (inlineValue !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      parsed.set(spec.name, true);
      continue;
    }
    const value = inlineValue ?? argv[index + 1];
    if (inlineValue === undefined) index += 1;
    if (value === undefined || value === "" || (inlineValue === undefined && value.startsWith("-"))) {
      throw new UsageError(`--${spec.name} needs a value`);
    }
    parsed.set(spec.name, value);
  }
  return parsed;
}
