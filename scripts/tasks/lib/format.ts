/**
 * How tasks show values to people. LAT amounts keep ethers' decimal form (e.g. "1500.0") so a printed amount can be
 * pasted back into an option, with the exact wei alongside; times are ISO dates with the distance from the chain's
 * clock, which on a devnet may be far from the wall clock.
 */
import { formatUnits, ZeroAddress } from "ethers";
import { GPU_MODEL_ID_BYTES, REGION_ID_BYTES, ShortIdError, TierCode, decodeShortId } from "../../worker/ids";
import { LAT_DECIMALS } from "./parse";

/** "1500.0 LAT (1500000000000000000000 wei)" */
export function formatLat(wei: bigint): string {
  return `${formatUnits(wei, LAT_DECIMALS)} LAT (${wei} wei)`;
}

/** "1h 30m", "2d 3h", "45s", "0s": the two largest units, or up to `units` of them ("2h 15m 1s"). */
export function formatDuration(seconds: number, units = 2): string {
  if (seconds <= 0) return "0s";
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, units).join(" ");
}

/** "2030-01-01T12:00:00Z (in 1h 30m)" relative to `now` (the chain's latest block time). */
export function formatTime(timestamp: number, now: number): string {
  return `${isoTime(timestamp)} (${fromNow(timestamp, now)})`;
}

/** "in 1h 30m", "5m ago" or "now": `timestamp`'s distance from `now` (the chain's latest block time). */
export function fromNow(timestamp: number, now: number): string {
  if (timestamp === now) return "now";
  return timestamp > now ? `in ${formatDuration(timestamp - now)}` : `${formatDuration(now - timestamp)} ago`;
}

export function isoTime(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().replace(".000Z", "Z");
}

/** The readable id in a bytes32/bytes16 word; null for the zero word ("any"). */
export function readId(word: string, width: number = GPU_MODEL_ID_BYTES): string | null {
  try {
    return decodeShortId(word, width);
  } catch (error) {
    if (error instanceof ShortIdError) return word;
    throw error;
  }
}

export function readModel(word: string): string | null {
  return readId(word, GPU_MODEL_ID_BYTES);
}

export function readRegion(word: string): string | null {
  return readId(word, REGION_ID_BYTES);
}

const TIER_NAMES: Record<number, string> = {
  [TierCode.Any]: "any",
  [TierCode.Enterprise]: "enterprise",
  [TierCode.Consumer]: "consumer",
};

export function tierName(tier: bigint | number): string {
  return TIER_NAMES[Number(tier)] ?? `tier ${tier}`;
}

export function formatAddress(address: string, none = "none"): string {
  return address === ZeroAddress ? none : address;
}

/** `JSON.stringify` that writes bigints as decimal strings (wei amounts, ids). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** "label   value" lines with the labels padded to one column. */
export function table(rows: readonly (readonly [string, string])[], indent = "  "): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}

/** Parameters counted in LAT (18 decimals): given and shown as decimals. */
export const LAT_PARAMS = new Set(["minStakePerGpu", "disputeDeposit", "minTrackRecordCost", "proposalThreshold"]);
/** Parameters in seconds: given as durations ("2h"). */
export const DURATION_PARAMS = new Set(["thawingPeriod", "pauseDuration", "challengeWindow", "grace", "disputePeriod", "votingDelay", "votingPeriod", "updateDelay"]);
/** Parameters in basis points (hundredths of a percent), by the contracts' naming: JobEscrow's *Bps. */
export const BPS_PARAM = /Bps$/;

/** 500 -> "5%", 250 -> "2.5%", 1 -> "0.01%": exact, from the integer (a uint16 has no rounding to hide). */
export function formatBps(bps: bigint): string {
  const whole = bps / 100n;
  const hundredths = (bps % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return `${whole}${hundredths === "" ? "" : `.${hundredths}`}%`;
}

/**
 * The governor's quorum, in percent of the supply at a proposal's snapshot (GovernorVotesQuorumFraction's default
 * denominator, 100): by its setter's name too, which parameterOf keeps as is.
 */
export const QUORUM_PARAMS = new Set(["quorumNumerator", "updateQuorumNumerator"]);

/** Parameters that are points in time. */
export const TIME_PARAMS = new Set(["renewPause"]);

/** How `gov propose --value` reads a setter's one argument. */
export type GovValueKind = "lat" | "duration" | "time" | "bps" | "percent" | "address" | "number";

/**
 * The kind of value a governance setter takes, by its name, the parameter it sets (setThawingPeriod: thawingPeriod)
 * and its argument's ABI type: what propose parses and what the option's help names, from one place.
 */
export function govValueKind(setter: string, parameter: string, type: string): GovValueKind | undefined {
  if (type === "address") return "address";
  if (!/^uint\d+$/.test(type)) return undefined;
  if (LAT_PARAMS.has(parameter)) return "lat";
  if (DURATION_PARAMS.has(parameter) || DURATION_PARAMS.has(setter)) return "duration";
  if (TIME_PARAMS.has(setter)) return "time";
  if (BPS_PARAM.test(parameter)) return "bps";
  if (QUORUM_PARAMS.has(parameter)) return "percent";
  return "number";
}

/** Each kind as `gov propose --value` says it: what it is, the setters that take it, and an example. */
export const GOV_VALUE_FORMS: Readonly<Record<GovValueKind, { is: string; for: string }>> = {
  lat: { is: "LAT", for: "for amounts (minStakePerGpu 150, disputeDeposit, minTrackRecordCost, proposalThreshold)" },
  duration: { is: "a duration", for: "for periods (thawingPeriod 2h: seconds, or 90m, 2h, 1d)" },
  time: { is: "a time", for: "for renewPause (unix seconds or an ISO 8601 date, in UTC unless it names a zone: 2026-12-01T10:00)" },
  bps: { is: "basis points", for: "for the *Bps shares (protocolFeeBps 300 is 3%)" },
  percent: { is: "a whole percent of the supply", for: "for the quorum (updateQuorumNumerator 4)" },
  address: { is: "an address or account index", for: "for guardian, arbitrator and treasury" },
  number: { is: "a whole number", for: "for the rest (maxGpusPerProvider 128)" },
};

/** `gov propose --value`'s help, from the forms propose parses. */
export const GOV_VALUE_HELP =
  "New value (required unless the function takes none, e.g. unpause): " +
  Object.values(GOV_VALUE_FORMS)
    .map((form) => `${form.is} ${form.for}`)
    .join("; ");

/** A parameter's value in its unit, by the parameter's name (or its setter's): "7200 s (2h)", "100.0 LAT", "500 bps (5%)". */
export function formatParameter(parameter: string, value: bigint): string {
  if (LAT_PARAMS.has(parameter)) return `${formatUnits(value, LAT_DECIMALS)} LAT`;
  if (DURATION_PARAMS.has(parameter)) return `${value} s (${formatDuration(Number(value))})`;
  if (TIME_PARAMS.has(parameter)) return `${value} (${isoTime(Number(value))})`;
  // Basis points (protocolFeeBps, collateralRatioBps, ...): a bare 500 reads as 500%, or as an amount.
  if (BPS_PARAM.test(parameter)) return `${value} bps (${formatBps(value)})`;
  // Not basis points, unlike the other shares: a bare 5 reads as 5 LAT, or as 5 bps.
  if (QUORUM_PARAMS.has(parameter)) return `${value} (${value}% of the supply)`;
  return value.toString();
}
