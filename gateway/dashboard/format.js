// How numbers, money, addresses and times read on the page. The API gives LAT as exact decimal strings; they are
// formatted as strings too (Intl.NumberFormat takes decimal strings without going through floating point).

const integer = new Intl.NumberFormat("en-US");
// No whole-LAT rounding of large amounts: a stake of 4,999.9 LAT, a 0.1 LAT slash off 5,000, read "5,000 LAT", as
// if nothing had been slashed, beside "4,999 LAT free" (4,999.4).
const latFormats = [
  [1, new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 })],
  [0, new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 })],
];

export function formatInt(n) {
  return integer.format(n);
}

/** "1 dispute", "2 disputes": a provider's first lost dispute read "1 disputes lost". */
export function count(n, noun) {
  return `${formatInt(n)} ${n === 1 ? noun : `${noun}s`}`;
}

const hourFormats = [
  [100, new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })],
  [1, new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 })],
  [0, new Intl.NumberFormat("en-US", { maximumSignificantDigits: 2 })],
];

/**
 * GPU-hours billed: "1,234", "13.3", "0.017". Rounded to whole hours, a provider whose jobs ran minutes read "0" beside
 * what it earned from them.
 */
export function formatHours(hours) {
  const [, format] = hourFormats.find(([floor]) => hours >= floor) ?? hourFormats[hourFormats.length - 1];
  return format.format(hours);
}

/** "49,997 LAT", "4,999.9 LAT", "28.48 LAT", "0.0235 LAT" from a TokenAmount's `lat` string. */
export function formatLat(lat) {
  const magnitude = Math.abs(Number(lat));
  const [, format] = latFormats.find(([floor]) => magnitude >= floor) ?? latFormats[latFormats.length - 1];
  return `${format.format(lat)} LAT`;
}

const WEI_DECIMALS = 18;

/**
 * Wei (decimal string) from a LAT amount typed by a user ("2.5", ".75", "3"); null when it is not a plain
 * non-negative decimal or has more than 18 decimals.
 */
export function latToWei(text) {
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (match === null || (match[1] === "" && (match[2] ?? "") === "")) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > WEI_DECIMALS) return null;
  const wei = BigInt(match[1] || "0") * 10n ** BigInt(WEI_DECIMALS) + BigInt(fraction.padEnd(WEI_DECIMALS, "0") || "0");
  return wei.toString();
}

/** Whole LAT (decimal string) from wei, exactly: the inverse of latToWei. */
export function weiToLat(wei) {
  const value = BigInt(wei);
  const whole = value / 10n ** BigInt(WEI_DECIMALS);
  const fraction = (value % 10n ** BigInt(WEI_DECIMALS)).toString().padStart(WEI_DECIMALS, "0").replace(/0+$/, "");
  return fraction === "" ? whole.toString() : `${whole}.${fraction}`;
}

/** JobEscrow.computeCost: floor(pricePerGpuHour * gpuCount * seconds / 3600), in wei. */
export function quoteWei(pricePerGpuHourWei, gpuCount, seconds) {
  return ((BigInt(pricePerGpuHourWei) * BigInt(gpuCount) * BigInt(seconds)) / 3600n).toString();
}

/** "0xAb12…9fE0": enough to tell addresses apart at a glance; the full one goes in a title. */
export function shortAddress(address) {
  return address ? `${address.slice(0, 6)}…${address.slice(-4)}` : "—";
}

// Every percentage of the page in one format, whatever its source unit (basis points, the Governor's percent): at
// least a tenth, as a reputation reads ("50.0%"), and down to a basis point, which one decimal rounded away (a 0.25%
// fee read "0.3%"); the quorum's percent read "4%" beside "50.0%".
const percentFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 2 });

/** A percentage: 4 → "4.0%", 0.25 → "0.25%". */
export function formatPercent(percent) {
  return `${percentFormat.format(percent)}%`;
}

/** Basis points as a percentage: 5000 → "50.0%", 25 → "0.25%". */
export function formatBps(bps) {
  return formatPercent(bps / 100);
}

/** Staking's maxSlashRewardBps, which is the whole slash (10,000) until the provider lowers it. */
const NO_SLASH_REWARD_CAP = 10_000;

/** A provider's cap on the client's share of a slash: 2500 → "25.0%", 10000 → "no cap". */
export function formatSlashRewardCap(bps) {
  return bps >= NO_SLASH_REWARD_CAP ? "no cap" : formatBps(bps);
}

/**
 * Chain time in UTC to the minute ("2025-06-06 05:32 UTC"), the page's one format for a date. Absolute, not "5
 * minutes ago": a devnet's clock is often far from the browser's. `from`: the time is when something becomes
 * possible (voting opens, a proposal is executable, a pause ends), so the minute is rounded up: cut to its minute,
 * an eta at 23:15:20 read "executable from 23:15", twenty seconds before the timelock would execute it. A past
 * event or a deadline (the last second something may be done) is cut to its minute.
 */
export function formatTime(seconds, { from = false } = {}) {
  if (seconds === null || seconds === undefined) return "—";
  const shown = from ? Math.ceil(Number(seconds) / 60) * 60 : Number(seconds);
  return `${new Date(shown * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Chain time in UTC to the second ("2025-06-06 05:32:07 UTC"), for a time's tooltip: the minute hides it. */
export function formatTimeExact(seconds) {
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "06-06" (month-day, UTC) for chart axes. */
export function formatDay(seconds) {
  return new Date(seconds * 1000).toISOString().slice(5, 10);
}

/** OPEN → "Open", TIMED_OUT → "Timed out". */
export function statusLabel(status) {
  // The Governor's CANCELED in the spelling of a job's CANCELLED and of the feed's "was cancelled": one page, one word.
  const words = (status === "CANCELED" ? "cancelled" : status.toLowerCase()).replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A GPU model's display name when known, its id otherwise. */
export function modelLabel(id, name) {
  return name || id || "any GPU";
}

/** A length of time in the largest units that fit: 604800 → "7 d", 5400 → "1 h 30 min", 45 → "45 s". */
export function formatDuration(seconds) {
  const units = [["d", 86_400], ["h", 3_600], ["min", 60], ["s", 1]];
  let rest = Number(seconds);
  const parts = [];
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${formatInt(count)} ${unit}`);
    rest -= count * size;
  }
  return parts.length === 0 ? "0 s" : parts.slice(0, 2).join(" ");
}

/**
 * What the governed counts count, by "Contract.name": a bare "128" left the reader to guess at what. A count not
 * listed (a parameter newer than the page) stays a bare number.
 */
const COUNT_NOUNS = {
  "ProviderRegistry.maxGpusPerProvider": "GPU",
};

/**
 * A governed parameter's value (or bound) in its unit, as a person reads it: wei as LAT, basis points and percent as
 * one percentage, seconds as a duration, a count with what it counts (`parameter`: "Contract.name"); null (unbounded)
 * as "—".
 */
export function formatParameterValue(unit, value, parameter = null) {
  if (value === null || value === undefined) return "—";
  switch (unit) {
    case "WEI":
      return formatLat(weiToLat(value));
    case "BPS":
      return formatBps(Number(value));
    case "SECONDS":
      return formatDuration(value);
    case "PERCENT":
      return formatPercent(Number(value));
    default: {
      const noun = COUNT_NOUNS[parameter];
      if (unit !== "COUNT" || noun === undefined) return formatInt(BigInt(value));
      return `${formatInt(BigInt(value))} ${BigInt(value) === 1n ? noun : `${noun}s`}`;
    }
  }
}
