// The activity feed's sentences: one per event that means something to a reader. Bookkeeping events that come
// with another one (capacity reserved with an acceptance, collateral unlocked with a settlement) are left out.
import { formatLat, shortAddress } from "./format.js";

const HIDDEN = new Set(["CapacityReserved", "CapacityReleased", "CollateralLocked", "CollateralUnlocked"]);

/** Newest first: by time, then by chain order within a block (provider events carry no block, and sort first). */
export function newestFirst(a, b) {
  return b.timestamp - a.timestamp || (b.blockNumber ?? 0) - (a.blockNumber ?? 0) || (b.logIndex ?? 0) - (a.logIndex ?? 0);
}

function gpus(count, model) {
  return `${count}× ${model ?? "any GPU"}`;
}

function where(region) {
  return region ? ` in ${region}` : "";
}

function amount(event, suffix = "") {
  return event.amount ? ` (${formatLat(event.amount.lat)}${suffix})` : "";
}

/** A sentence for `event` (from api.loadActivity), or null for an event the feed does not show. */
export function describe(event) {
  if (event.kind === "ProviderRegistered") {
    const p = event.provider;
    return `Provider ${shortAddress(p.address)} registered ${gpus(p.capacity.gpuCount, p.gpuModelName ?? p.gpuModel)}${where(p.region)}`;
  }
  if (event.kind === "ProviderDeregistered") return `Provider ${shortAddress(event.provider.address)} deregistered`;
  if (HIDDEN.has(event.kind)) return null;

  const job = `job #${event.job.id}`;
  const from = shortAddress(event.from);
  const provider = shortAddress(event.job.provider?.address ?? event.from);
  const r = event.job.requirements;
  switch (event.kind) {
    case "JobCreated":
      return `Client ${from} posted ${job} for ${gpus(r.gpuCount, r.gpuModel)}${where(r.region)}${amount(event, " in escrow")}`;
    case "JobCancelled":
      return `Client ${from} cancelled ${job}`;
    case "JobExpired":
      return `${capitalize(job)} expired without a provider`;
    case "JobDeclined":
      return `Provider ${from} declined ${job}`;
    case "JobAccepted":
      return `Provider ${provider} accepted ${job}${amount(event, " collateral")}`;
    case "ResultSubmitted":
      return `Provider ${provider} submitted the result of ${job}${amount(event, " cost")}`;
    case "JobSettled":
      return `${capitalize(job)} settled${amount(event, " paid")}`;
    case "JobRefunded":
      return `${capitalize(job)} refunded to its client${amount(event)}`;
    case "JobTimedOut":
      return `${capitalize(job)} timed out: no result by its deadline`;
    case "DisputeOpened":
      return `Client ${from} disputed ${job}${amount(event, " deposit")}`;
    case "DisputeAnswered":
      return `Provider ${provider} answered the dispute on ${job}`;
    case "DisputeResolved":
      return `The dispute on ${job} was resolved`;
    case "Slashed":
      return `Provider ${provider} was slashed${amount(event)} over ${job}`;
    default:
      return `${event.kind} on ${job}`;
  }
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
