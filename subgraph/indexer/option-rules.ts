// The numbers IndexerOptions takes, and what each accepts. Indexer.open checks the options it is given against these
// rules, and the CLI checks the flags that set them against the same ones, so that the two cannot come to disagree.
import { IndexerOptionError } from "./errors";

/** What a numeric option accepts: always a number, never NaN. */
export interface NumberRule {
  /** Safe integers only (a block count, a number of ranges). */
  readonly whole: boolean;
  /** What it counts, for the message: "blocks", "milliseconds". */
  readonly unit: string;
  readonly min: number;
  /** The largest accepted (default: none). */
  readonly max?: number;
  /** `min` itself is refused too. */
  readonly aboveMin?: boolean;
  /** Infinity is accepted (it means something: "never"); otherwise only finite numbers are. */
  readonly infinity?: boolean;
  /** 0 is accepted too, below `min`, and means this ("never"): the message says so. */
  readonly zero?: string;
}

/** setTimeout takes a longer delay (Infinity included) for 1 ms: the options that set a timer stop there. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const OPTION_RULES = {
  // NaN would turn every comparison with the head false: no block checked for reorgs, none pruned, and any reorg
  // found at the checkpoint taken for one deeper than the threshold.
  reorgThreshold: { whole: true, unit: "blocks", min: 0 },
  // 0 would be no pause at all: a pass after pass against the node at the head, and after each failed pass against a
  // node that is down (setTimeout waits 1 ms for less). Past MAX_TIMER_MS, and NaN, it would not pause either.
  pollIntervalMs: { whole: false, unit: "milliseconds", min: 1, max: MAX_TIMER_MS },
  // A range of 0 blocks, or a fraction of one, would never advance; NaN sizes every range NaN.
  minBlockRange: { whole: true, unit: "blocks", min: 1 },
  maxBlockRange: { whole: true, unit: "blocks", min: 1 },
  initialBlockRange: { whole: true, unit: "blocks", min: 1 },
  // Infinity: commit at range ends only.
  commitIntervalMs: { whole: false, unit: "milliseconds", min: 0, infinity: true },
  // NaN would leave the fetch queue empty and Infinity would fetch the whole chain ahead into memory.
  prefetchRanges: { whole: true, unit: "ranges", min: 1 },
  // 0 would time every request out at once, and so would one past MAX_TIMER_MS.
  rpcTimeoutMs: { whole: false, unit: "milliseconds", min: 0, aboveMin: true, max: MAX_TIMER_MS },
  // 0: unlimited (see HttpRpc). NaN would be taken for a limit that no request can keep.
  maxRequestsPerSecond: { whole: false, unit: "requests per second", min: 0 },
} as const satisfies Record<string, NumberRule>;

export type NumericOption = keyof typeof OPTION_RULES;

/**
 * The options of the worker thread's handle (IndexerWorkerOptions) that Indexer.open does not take: the handle checks
 * them before it starts a thread.
 */
export const WORKER_OPTION_RULES = {
  // The thread answers a ping only between tasks: a block's handlers (10 ms before the indexer yields), a SQLite
  // commit, a full collection of a heap of up to maxHeapMb, each of which can take hundreds of ms on a loaded machine.
  // Under a second those would be taken for hangs (the watchdog checks every quarter of it: 0.001 checked every 1 ms
  // and called the thread hung at once). Whole: the watchdog counts in Date.now()'s milliseconds.
  hangTimeoutMs: { whole: true, unit: "milliseconds", min: 1000, zero: "never", max: MAX_TIMER_MS },
  // Below 5 MB V8 cannot start a thread at all: Node 20 ends it with ERR_WORKER_OUT_OF_MEMORY before its first line
  // runs (measured: a bare thread starts with 5, not with 4). The indexer's thread needs far more; running out is a
  // clear error, naming the option, once it has started.
  maxHeapMb: { whole: true, unit: "megabytes", min: 5 },
} as const satisfies Record<string, NumberRule>;

/**
 * The restart policy's delays (RestartPolicy), checked with the handle's options. 0 would double to 0 for ever: a
 * thread that dies as it starts would be started again and again with no pause. Past MAX_TIMER_MS, or NaN, setTimeout
 * waits 1 ms instead. The handle also refuses a maxDelayMs below initialDelayMs, both given.
 */
export const RESTART_POLICY_RULES = {
  initialDelayMs: { whole: false, unit: "milliseconds", min: 1, max: MAX_TIMER_MS },
  maxDelayMs: { whole: false, unit: "milliseconds", min: 1, max: MAX_TIMER_MS },
} as const satisfies Record<string, NumberRule>;

/**
 * The numbers of the options that are objects (instancePolicy, statistics), by option and field. NaN in any of them
 * would turn its comparison false for good: an instance never replaced, statistics never refreshed.
 */
export const NESTED_OPTION_RULES = {
  instancePolicy: {
    // Infinity: never replaced for its trigger count (the default).
    maxTriggersPerInstance: { whole: true, unit: "triggers", min: 1, infinity: true },
    // 0: replaced after every trigger that grew its memory at all.
    maxMemoryBytes: { whole: false, unit: "bytes", min: 0, infinity: true },
  },
  statistics: {
    // Infinity: never for the count (everyMs only), and the other way round.
    everyBlocks: { whole: true, unit: "blocks", min: 0, infinity: true },
    everyMs: { whole: false, unit: "milliseconds", min: 0, infinity: true },
  },
} as const satisfies Record<string, Record<string, NumberRule>>;

export function accepts(rule: NumberRule, value: unknown): value is number {
  if (typeof value !== "number" || Number.isNaN(value)) return false;
  if (value === Infinity) return rule.infinity === true;
  if (rule.whole ? !Number.isSafeInteger(value) : !Number.isFinite(value)) return false;
  if (value === 0 && rule.zero !== undefined) return true;
  if (rule.max !== undefined && value > rule.max) return false;
  return rule.aboveMin === true ? value > rule.min : value >= rule.min;
}

/** A value as a refusal quotes it: a string from an untyped caller quoted, so that "5" does not read as 5. */
export function quoted(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Throws {@link IndexerOptionError} naming `option` where `rule` refuses `value` (undefined: the default, accepted). */
export function checkOption(option: string, rule: NumberRule, value: unknown): void {
  if (value !== undefined && !accepts(rule, value)) throw new IndexerOptionError(option, value, `${option} must be ${describe(rule)} (got ${quoted(value)})`);
}

/** "a whole number of blocks, at least 1": what the rule accepts, for a message that refuses a value. */
export function describe(rule: NumberRule): string {
  const least = rule.aboveMin === true ? `more than ${rule.min}` : rule.min === 0 ? "0 or more" : `at least ${rule.min}`;
  const low = rule.zero === undefined ? least : `0 (${rule.zero}) or ${least}`;
  const bound = rule.max === undefined ? low : `${low}, at most ${rule.max}`;
  return `${rule.whole ? "a whole number" : "a number"} of ${rule.unit}, ${bound}`;
}

/** Defaults of the adaptive eth_getLogs range; an initial range outside the bounds given is brought within them. */
export const DEFAULT_MIN_BLOCK_RANGE = 1;
export const DEFAULT_MAX_BLOCK_RANGE = 10_000;
export const DEFAULT_INITIAL_BLOCK_RANGE = 100;

/** An option whose value each of its rules accepts, but which contradicts another option (or that one's default). */
export interface OptionConflict {
  /** The option at fault, by the indexer's name for it: "minBlockRange", "initialBlockRange", "restart.maxDelayMs". */
  readonly option: "minBlockRange" | "initialBlockRange" | "restart.maxDelayMs";
  readonly value: number;
  /** The refusal, with each option named by `name` (the indexer's own names by default; the gateway passes its paths). */
  message(name?: (option: string) => string): string;
}

/**
 * The first conflict between the block-range options, the defaults taken for those not given; null where there is
 * none. Called once each of them passed its own rule: they are numbers.
 */
export function blockRangeConflict(options: { readonly minBlockRange?: number; readonly maxBlockRange?: number; readonly initialBlockRange?: number }): OptionConflict | null {
  const min = options.minBlockRange ?? DEFAULT_MIN_BLOCK_RANGE;
  const max = options.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  // The sizer would clamp each range to both bounds in turn, and so honour neither.
  if (min > max) {
    return {
      option: "minBlockRange",
      value: min,
      message: (name = (o) => o) => `${name("minBlockRange")} must be at most ${name("maxBlockRange")} (got minBlockRange ${min}, maxBlockRange ${max})`,
    };
  }
  // Only one given: the default is brought within the bounds, but a value asked for is not silently changed.
  const initial = options.initialBlockRange;
  if (initial !== undefined && (initial < min || initial > max)) {
    return {
      option: "initialBlockRange",
      value: initial,
      message: (name = (o) => o) => `${name("initialBlockRange")} must be from ${name("minBlockRange")} to ${name("maxBlockRange")}, ${min} to ${max} (got ${initial})`,
    };
  }
  return null;
}

/**
 * A restart policy whose maxDelayMs is below its initialDelayMs, both given (RestartBackoff would wait initialDelayMs
 * every time, and so honour neither); null where there is none. Only one given: the default of the other is brought to
 * it (see RestartBackoff), but a value asked for is not silently changed.
 */
export function restartPolicyConflict(restart: { readonly initialDelayMs?: number; readonly maxDelayMs?: number }): OptionConflict | null {
  const { initialDelayMs, maxDelayMs } = restart;
  if (initialDelayMs === undefined || maxDelayMs === undefined || maxDelayMs >= initialDelayMs) return null;
  return {
    option: "restart.maxDelayMs",
    value: maxDelayMs,
    message: (name = (o) => o) => `${name("restart.maxDelayMs")} must be at least ${name("restart.initialDelayMs")} (got initialDelayMs ${initialDelayMs}, maxDelayMs ${maxDelayMs})`,
  };
}

/** Throws {@link IndexerOptionError} for `conflict`, under the indexer's names, where there is one. */
export function refuseConflict(conflict: OptionConflict | null): void {
  if (conflict !== null) throw new IndexerOptionError(conflict.option, conflict.value, conflict.message());
}
