// The numbers GatewayOptions takes, and what each accepts. createGatewayRuntime (so startGateway) checks the options it
// is given against these rules before it starts anything, and the CLI checks the flags that set them against the same
// ones, so that the two cannot come to disagree. The options handed on to the embedded indexer are checked against
// the indexer's own rules, under the name the gateway's caller wrote.
import {
  accepts,
  blockRangeConflict,
  describe,
  MAX_TIMER_MS,
  NESTED_OPTION_RULES,
  OPTION_RULES,
  quoted,
  RESTART_POLICY_RULES,
  restartPolicyConflict,
  WORKER_OPTION_RULES,
  type NumberRule,
  type OptionConflict,
} from "../../subgraph/indexer/option-rules";
import type { GatewayOptions } from "./gateway";
import type { IndexerTuning } from "./sources/embedded-source";

/** A rule, and how a refusal says what it accepts where the indexer's wording ("a whole number of …") reads badly. */
export interface GatewayNumberRule extends NumberRule {
  readonly accepted?: string;
}

// 0, and a delay setTimeout cannot take (NaN, past MAX_TIMER_MS: it fires after 1 ms), would poll with no pause at all.
const PAUSE_MS: GatewayNumberRule = { whole: false, unit: "milliseconds", min: 1, max: MAX_TIMER_MS };
// 0 would time every request out at once, and so would a delay setTimeout cannot take.
const TIMEOUT_MS: GatewayNumberRule = { whole: false, unit: "milliseconds", min: 0, aboveMin: true, max: MAX_TIMER_MS };
// A cap of 0 would refuse everything it caps (every query, connection or subscription): surely a mistake, not a
// setting. NaN would make each comparison with it false, so no cap at all, and so would Infinity.
const cap = (unit: string): GatewayNumberRule => ({ whole: true, unit, min: 1 });

/** Every numeric option by its path in GatewayOptions, as a refusal names it. */
export const GATEWAY_OPTION_RULES = {
  // listen() refuses the others, but only once the source has started.
  port: { whole: true, unit: "ports", min: 0, max: 65_535, accepted: "a port number from 0 to 65535 (0: a free one)" },
  // NaN would leave /readyz 503 for good, Infinity 200 however far behind the index is.
  maxLag: { whole: true, unit: "blocks", min: 0 },
  headPollMs: PAUSE_MS,
  "source.rpcTimeoutMs": OPTION_RULES.rpcTimeoutMs,
  "source.indexerPollMs": OPTION_RULES.pollIntervalMs,
  "source.indexerTuning.reorgThreshold": OPTION_RULES.reorgThreshold,
  "source.indexerTuning.minBlockRange": OPTION_RULES.minBlockRange,
  "source.indexerTuning.maxBlockRange": OPTION_RULES.maxBlockRange,
  "source.indexerTuning.initialBlockRange": OPTION_RULES.initialBlockRange,
  "source.indexerTuning.commitIntervalMs": OPTION_RULES.commitIntervalMs,
  "source.indexerTuning.instancePolicy.maxTriggersPerInstance": NESTED_OPTION_RULES.instancePolicy.maxTriggersPerInstance,
  "source.indexerTuning.instancePolicy.maxMemoryBytes": NESTED_OPTION_RULES.instancePolicy.maxMemoryBytes,
  // The indexer's worker handle's own options. The restart policy is also the gateway's query thread's: the indexer's
  // rules keep a thread that dies as it starts from being started again and again with no pause.
  "source.indexerTuning.hangTimeoutMs": WORKER_OPTION_RULES.hangTimeoutMs,
  "source.indexerTuning.maxHeapMb": WORKER_OPTION_RULES.maxHeapMb,
  "source.indexerTuning.restart.initialDelayMs": RESTART_POLICY_RULES.initialDelayMs,
  "source.indexerTuning.restart.maxDelayMs": RESTART_POLICY_RULES.maxDelayMs,
  "source.timeoutMs": TIMEOUT_MS,
  // graph-node's threshold, which jobUpdated waits out after a final status: NaN would end no feed, ever.
  "source.reorgThreshold": { whole: true, unit: "blocks", min: 0 },
  "chain.timeoutMs": TIMEOUT_MS,
  "limits.maxDepth": cap("levels"),
  "limits.maxCost": cap("cost units"),
  "limits.maxPageSize": cap("items"),
  "limits.maxDays": cap("days"),
  "limits.maxConnections": cap("connections"),
  "limits.maxSubscriptionsPerConnection": cap("subscriptions"),
  "limits.maxSubscriptions": cap("subscriptions"),
} as const satisfies Record<string, GatewayNumberRule>;

export type GatewayNumericOption = keyof typeof GATEWAY_OPTION_RULES;

/** What `rule` accepts, as a refusal says it. */
export function describeGatewayRule(rule: GatewayNumberRule): string {
  return rule.accepted ?? describe(rule);
}

/** The embedded indexer's tuning options as GatewayOptions names them. */
const INDEXER_TUNING = "source.indexerTuning";

/**
 * A numeric option of startGateway/createGatewayRuntime with a value the gateway cannot honour, on its own or with
 * another option (`conflict`: the embedded indexer's block ranges, its restart delays); nothing was started.
 */
export class GatewayOptionError extends Error {
  constructor(
    /** Its path in GatewayOptions, e.g. "source.indexerPollMs". */
    readonly option: GatewayNumericOption,
    readonly value: unknown,
    /** The option it contradicts, where its own rule accepts it; the message names both. */
    conflict?: OptionConflict,
  ) {
    super(
      conflict === undefined
        ? `${option} must be ${describeGatewayRule(GATEWAY_OPTION_RULES[option])} (got ${quoted(value)})`
        : conflict.message((name) => `${INDEXER_TUNING}.${name}`),
    );
    this.name = "GatewayOptionError";
  }
}

/** The value at `path` ("a.b.c") in `options`; undefined where any step is missing or not an object. */
function valueAt(options: object, path: string): unknown {
  let at: unknown = options;
  for (const key of path.split(".")) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Readonly<Record<string, unknown>>)[key];
  }
  return at;
}

/** Throws {@link GatewayOptionError} for the first numeric option given a value its rule refuses (undefined: the default). */
export function checkGatewayOptions(options: GatewayOptions): void {
  for (const [option, rule] of Object.entries(GATEWAY_OPTION_RULES) as Array<[GatewayNumericOption, GatewayNumberRule]>) {
    const value = valueAt(options, option);
    if (value !== undefined && !accepts(rule, value)) throw new GatewayOptionError(option, value);
  }
  // The indexer's thread and the query thread would refuse these only once the database's directory and the
  // deployment's manifest were written, and under the indexer's names.
  const tuning = valueAt(options, INDEXER_TUNING) as IndexerTuning | undefined;
  if (valueAt(options, "source.dbPath") === undefined || tuning === undefined) return;
  const restart = tuning.restart === false ? null : restartPolicyConflict(tuning.restart ?? {});
  const conflict = blockRangeConflict(tuning) ?? restart;
  if (conflict !== null) throw new GatewayOptionError(`${INDEXER_TUNING}.${conflict.option}`, conflict.value, conflict);
}
