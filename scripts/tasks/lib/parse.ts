/**
 * Task arguments arrive as strings (from the CLI, or from `hre.run`): each parser checks one and converts it to
 * what the contracts take, or throws an InputError naming the option as the user typed it ("--max-price").
 * Bounds mirror the contracts' so a bad value fails before anything is signed.
 */
import { formatUnits, getAddress, isAddress, isHexString, parseUnits, ZeroAddress } from "ethers";
import { GPU_MODEL_ID_BYTES, REGION_ID_BYTES, ShortIdError, TierCode, encodeShortId } from "../../worker/ids";
import { InputError } from "./errors";

/** LAT has 18 decimals, like ether. */
export const LAT_DECIMALS = 18;

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A number typed with a minus sign ("-5", "-0.25", "-2h") is refused as negative, which is what is wrong with it,
 * rather than as no number at all; `rule` says what the option takes.
 */
function refuseNegative(field: string, value: string, text: string, rule: string): void {
  if (/^-\s*\d/.test(text)) throw new InputError(field, `"${value}" is negative: ${rule}`);
}

/**
 * "1500", "0.25" -> wei. At most 18 decimals; `allowZero` for the few amounts where zero means something; `or` names
 * the word the option takes instead of a number (`all`, `max`), which its caller handles, for the error to offer it.
 */
export function parseLat(field: string, value: string, options: { allowZero?: boolean; or?: string } = {}): bigint {
  const text = value.trim();
  refuseNegative(field, value, text, options.allowZero === true ? "an amount is 0 LAT or more" : "an amount is more than 0 LAT");
  if (!DECIMAL.test(text)) {
    throw new InputError(field, `"${value}" is not a LAT amount: use a decimal number such as 1500 or 0.25${orWord(options.or)}`);
  }
  const fraction = text.split(".")[1] ?? "";
  if (fraction.length > LAT_DECIMALS) throw new InputError(field, `"${value}" has more than ${LAT_DECIMALS} decimals`);
  const wei = parseUnits(text, LAT_DECIMALS);
  if (wei === 0n && options.allowZero !== true) throw new InputError(field, "must be more than 0 LAT");
  // LAT's whole supply is below 2^96 wei (so every protocol amount fits a uint96): more is no amount anyone holds, and
  // most often the amount in wei. Refused here rather than by a balance check that would only ask for that much LAT.
  if (wei >= 2n ** 96n) {
    const asWei = fraction === "" ? `; amounts are in LAT, not wei: ${text} wei is ${formatUnits(BigInt(text), LAT_DECIMALS)} LAT` : "";
    throw new InputError(field, `${text} LAT is more than LAT's whole supply can be (below 2^96 wei, about 79.2 billion LAT)${asWei}`);
  }
  return wei;
}

function orWord(word: string | undefined): string {
  return word === undefined ? "" : `, or ${word}`;
}

/** "12.5" of a token with `decimals` -> its smallest unit; not zero. `symbol` names the unit in errors; `or` as for parseLat. */
export function parseTokenAmount(field: string, value: string, decimals: number, symbol: string, or?: string): bigint {
  const text = value.trim();
  refuseNegative(field, value, text, `an amount is more than 0 ${symbol}`);
  if (!DECIMAL.test(text)) throw new InputError(field, `"${value}" is not an amount of ${symbol}: use a decimal number such as 1500 or 0.25${orWord(or)}`);
  const fraction = text.split(".")[1] ?? "";
  if (fraction.length > decimals) throw new InputError(field, `"${value}" has more than the ${decimals} decimals of ${symbol}`);
  const amount = parseUnits(text, decimals);
  if (amount === 0n) throw new InputError(field, `must be more than 0 ${symbol}`);
  return amount;
}

/** A non-negative integer within [min, max]. */
export function parseInteger(field: string, value: string, min: number, max: number): number {
  const text = value.trim();
  refuseNegative(field, value, text, `give a whole number in [${min}, ${max}]`);
  if (!/^\d+$/.test(text)) throw new InputError(field, `"${value}" is not a whole number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InputError(field, `${text} is outside [${min}, ${max}]`);
  return n;
}

/**
 * A whole number, of basis points (`bps`) or of percent (`percent`) where the value is a share: given with a "%" (the
 * usual mistake, "50%" for 5000 bps), it is refused saying what to give instead.
 */
export function parseUint(field: string, value: string, share?: "bps" | "percent"): bigint {
  const text = value.trim();
  const percent = /^(\d+)(?:\.(\d{1,2}))?\s*%$/.exec(text);
  if (percent !== null && share === "bps") {
    const bps = BigInt(percent[1]!) * 100n + BigInt((percent[2] ?? "").padEnd(2, "0"));
    throw new InputError(field, `"${value}": give basis points (hundredths of a percent), without %: ${text.replace(/\s+/g, "")} is ${bps}`);
  }
  if (percent !== null && share === "percent" && percent[2] === undefined) {
    throw new InputError(field, `"${value}": give the whole percent without %: ${percent[1]}`);
  }
  refuseNegative(field, value, text, "give a whole number, 0 or more");
  if (!/^\d+$/.test(text) || text.length > 78) throw new InputError(field, `"${value}" is not a whole number`);
  return BigInt(text);
}

/** Basis points within [min, max]; "50%" is refused saying it is 5000. */
export function parseBps(field: string, value: string, min: number, max: number): number {
  return parseInteger(field, parseUint(field, value, "bps").toString(), min, max);
}

/** A uint256 written in decimal (job and proposal ids). */
export function parseBigId(field: string, value: string, rule = "ids are whole numbers, 0 or more"): bigint {
  const text = value.trim();
  refuseNegative(field, value, text, rule);
  if (!/^\d+$/.test(text) || text.length > 78) throw new InputError(field, `"${value}" is not an id (a whole number)`);
  const id = BigInt(text);
  if (id >= 2n ** 256n) throw new InputError(field, `"${value}" is larger than a uint256`);
  return id;
}

/** Job ids start at 1. */
export function parseJobId(field: string, value: string): bigint {
  const id = parseBigId(field, value, "job ids start at 1");
  if (id === 0n) throw new InputError(field, "job ids start at 1");
  return id;
}

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/** "2h", "90m", "1h30m", "1d", "45s" or plain seconds ("3600") -> seconds. */
export function parseDuration(field: string, value: string): number {
  const text = value.trim().toLowerCase();
  refuseNegative(field, value, text, "a duration is seconds or units such as 90m, 2h, 1h30m, 1d");
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  const plain = /^\d+$/.test(text);
  if (text === "" || (match === null && !plain)) {
    throw new InputError(field, `"${value}" is not a duration: use seconds or units such as 90m, 2h, 1h30m, 1d`);
  }
  // Counted exactly: a float past 2^53 would be rounded, and a bound's refusal would then quote another figure.
  const [, d, h, m, s] = plain ? [text, undefined, undefined, undefined, text] : (match as RegExpExecArray);
  const seconds = BigInt(d ?? 0) * BigInt(UNIT_SECONDS.d!) + BigInt(h ?? 0) * BigInt(UNIT_SECONDS.h!) + BigInt(m ?? 0) * BigInt(UNIT_SECONDS.m!) + BigInt(s ?? 0);
  if (seconds > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InputError(field, `"${value}" is too long a duration: at most ${Number.MAX_SAFE_INTEGER} seconds`);
  }
  return Number(seconds);
}

/**
 * A point in time: unix seconds, or an ISO 8601 date ("2030-01-01T12:00:00Z"), read in UTC where it names no zone.
 * Date.parse reads a date-time without a zone ("2030-01-01T12:00", or a form of its own such as "2030-01-01 12:00 pm")
 * in the machine's local time: one command would then mean another deadline on another machine, and every time the
 * tasks print is UTC. So only the ISO forms are taken, and one without a zone is given "Z".
 */
export function parseTimestamp(field: string, value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseInteger(field, text, 0, 2 ** 40 - 1);
  const iso = /^((\d{4})-(\d{2})-(\d{2}))(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text);
  const ms = iso === null ? NaN : Date.parse(iso[5] === undefined ? iso[1]! : `${iso[1]}T${iso[5]}${iso[6] ?? "Z"}`);
  if (iso === null || Number.isNaN(ms)) {
    throw new InputError(field, `"${value}" is not a time: use unix seconds or an ISO date such as 2030-01-01T12:00:00Z (UTC where it names no zone)`);
  }
  // Date.parse rolls a day the month lacks over into the next month (2030-02-30 -> 2030-03-02): refuse it instead.
  const [year, month, day] = [Number(iso[2]), Number(iso[3]), Number(iso[4])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw new InputError(field, `"${value}": ${iso[1]} is not a date of the calendar`);
  }
  return Math.floor(ms / 1000);
}

/** Why `text`, which isAddress refused, is not an address: a mixed-case one whose EIP-55 checksum fails is a typo. */
export function notAnAddress(text: string, otherwise: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(text) ? "is an address with a wrong checksum (a typo?): check it, or write it in lowercase" : otherwise;
}

/** A checksummed address; `allowZero` for options where the zero address means "none". */
export function parseAddress(field: string, value: string, options: { allowZero?: boolean } = {}): string {
  const text = value.trim();
  if (!isAddress(text)) throw new InputError(field, `"${value}" ${notAnAddress(text, "is not an address")}`);
  const address = getAddress(text);
  if (address === ZeroAddress && options.allowZero !== true) throw new InputError(field, "the zero address is not allowed");
  return address;
}

/** A 32-byte hex word such as a hash. */
export function parseBytes32(field: string, value: string, options: { allowZero?: boolean } = {}): string {
  const text = value.trim();
  if (!isHexString(text, 32)) throw new InputError(field, `"${value}" is not a 32-byte hex value (0x + 64 hex digits)`);
  if (/^0x0{64}$/.test(text) && options.allowZero !== true) throw new InputError(field, "must not be zero");
  return text.toLowerCase();
}

/** One of `choices` (case-insensitive) -> its value. */
export function parseChoice<T>(field: string, value: string, choices: Readonly<Record<string, T>>): T {
  const key = value.trim().toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(choices, key)) {
    throw new InputError(field, `"${value}" is not one of ${Object.keys(choices).join(", ")}`);
  }
  return choices[key] as T;
}

/** `--tier` for a provider's machine. */
export const PROVIDER_TIER_CHOICES: Readonly<Record<string, TierCode>> = {
  enterprise: TierCode.Enterprise,
  consumer: TierCode.Consumer,
};

/** `--tier` in job requirements, where `any` matches both. */
export const JOB_TIER_CHOICES: Readonly<Record<string, TierCode>> = { any: TierCode.Any, ...PROVIDER_TIER_CHOICES };

/** A GPU model id as the contracts require it -> its bytes32 word (the worker's id library does the encoding). */
export function parseGpuModel(field: string, value: string): string {
  return shortId(field, value, GPU_MODEL_ID_BYTES);
}

/** A region code as the contracts require it -> its bytes16 word. */
export function parseRegion(field: string, value: string): string {
  return shortId(field, value, REGION_ID_BYTES);
}

function shortId(field: string, value: string, width: number): string {
  try {
    return encodeShortId(value, width);
  } catch (error) {
    if (!(error instanceof ShortIdError)) throw error;
    const hint = value !== value.toLowerCase() ? ` (ids are lowercase: "${value.toLowerCase()}"?)` : "";
    throw new InputError(field, `"${value}" is not a valid id: need 1..${width} characters of [a-z0-9-]${hint}`);
  }
}

/** A non-empty string of at most `maxBytes` UTF-8 bytes (names and URIs the contracts bound). */
export function parseText(field: string, value: string, maxBytes: number): string {
  const length = Buffer.byteLength(value, "utf8");
  if (length === 0) throw new InputError(field, "must not be empty");
  if (length > maxBytes) throw new InputError(field, `is ${length} bytes long; the contracts take at most ${maxBytes}`);
  return value;
}

/** Throws if more than one of the named options is set. */
export function exclusive(options: Readonly<Record<string, unknown>>): void {
  const set = Object.entries(options).filter(([, v]) => v !== undefined);
  if (set.length > 1) throw new InputError(set.map(([k]) => k).join(" / "), "give only one of these options");
}
