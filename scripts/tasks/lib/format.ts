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

/** "1h 30m", "2d 3h", "45s", "0s". */
export function formatDuration(seconds: number): string {
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
  return parts.slice(0, 2).join(" ");
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
