// The activity feed in words: one sentence per contract event of the gateway's `activity` feed, whatever its
// category, from the fields every event has (who, which job and provider, how much).
import { formatParameterValue, formatLat, shortAddress } from "./format.js";
import { abandonedSentence, giverRole, givenBackSentence } from "./given-back.js";

/** The feed's views: the API categories each asks for (null: all of them). */
export const ACTIVITY_VIEWS = [
  // Token transfers come with most other events (escrow, stake, payouts); the default view leaves them out.
  { value: "", label: "Everything but token transfers", categories: ["PROVIDER", "STAKE", "JOB", "DISPUTE", "GOVERNANCE", "TIMELOCK", "PARAMETER", "PAUSE"] },
  { value: "ALL", label: "Everything", categories: null },
  { value: "PROVIDER", label: "Providers", categories: ["PROVIDER"] },
  { value: "STAKE", label: "Stake", categories: ["STAKE"] },
  { value: "JOB", label: "Jobs", categories: ["JOB"] },
  { value: "DISPUTE", label: "Disputes", categories: ["DISPUTE"] },
  { value: "GOVERNANCE", label: "Governance", categories: ["GOVERNANCE"] },
  { value: "TIMELOCK", label: "Timelock", categories: ["TIMELOCK"] },
  { value: "PARAMETER", label: "Parameters", categories: ["PARAMETER"] },
  { value: "PAUSE", label: "Pause", categories: ["PAUSE"] },
  { value: "TOKEN", label: "Token", categories: ["TOKEN"] },
];

/**
 * What a job event's amount is (JobEvent.amount: escrow, collateral, cost, refund, slash or deposit, by the event), in
 * the words of the sentences below, for the job dialog's timeline, where "Job accepted 3 LAT" read as a price.
 */
const AMOUNT_WORDS = {
  JobCreated: "in escrow",
  JobCancelled: "refunded",
  JobExpired: "refunded",
  JobDeclined: "refunded",
  JobAccepted: "collateral",
  CollateralLocked: "of collateral locked",
  CollateralUnlocked: "of collateral back",
  ResultSubmitted: "cost",
  JobSettled: "paid",
  JobTimedOut: "refunded",
  JobRefunded: "refunded",
  Slashed: "slashed",
  DisputeOpened: "deposit",
  DisputeResolved: "of collateral slashed",
};

/** "3 LAT collateral": a job event's amount and what it is; null when it moved none (or no collateral was slashed). */
export function amountInWords(event) {
  if (!event.amount || (event.kind === "DisputeResolved" && event.amount.wei === "0")) return null;
  const words = AMOUNT_WORDS[event.kind];
  return words === undefined ? formatLat(event.amount.lat) : `${formatLat(event.amount.lat)} ${words}`;
}

/** " (12 LAT in escrow)", or "" when the event moved no amount. */
function amount(event, what = "") {
  return event.amount ? ` (${formatLat(event.amount.lat)}${what})` : "";
}

/** " 12 LAT", or "" when the event moved no amount. */
function sum(event) {
  return event.amount ? ` ${formatLat(event.amount.lat)}` : "";
}

/** The n-th address the event concerns (Event.accounts: zero addresses dropped, duplicates removed). */
function account(event, n) {
  const a = event.accounts[n];
  return a === undefined ? null : shortAddress(a);
}

/** A contract of the deployment by its name, any other address shortened. */
function named(address, contracts) {
  return contracts.get(address.toLowerCase()) ?? shortAddress(address);
}

/**
 * "JobEscrow grace 1 h → 2 h", "DisputeManager arbitrator set to 0x1234…abcd" (a first value: none before it), each
 * value in its unit as the governance panel shows it, an address by its contract's name where it is one.
 */
function parameterChange(event, contracts) {
  const p = event.parameter;
  // Accounts: the governed contract first. The API's name stands in where the page has no deployment record.
  const contract = contracts.get(event.accounts[0]?.toLowerCase()) ?? p.contract;
  const isAddress = p.unit === "ADDRESS";
  const before = isAddress ? (p.previousAddress === null ? null : named(p.previousAddress, contracts)) : p.previousValue;
  const id = `${p.contract}.${p.name}`;
  const after = isAddress ? (p.address === null ? "none" : named(p.address, contracts)) : formatParameterValue(p.unit, p.value, id);
  if (before === null) return `${contract} ${p.name} set to ${after}`;
  return `${contract} ${p.name} ${isAddress ? before : formatParameterValue(p.unit, before, id)} → ${after}`;
}

/**
 * Who gave a job back (JobEscrow.abandonJob takes the provider or its operator), by address: "its provider 0x…" or
 * "its provider's operator 0x…"; the address alone where the event names no provider.
 */
function giver(abandonedBy, provider) {
  if (provider === null || provider === undefined) return shortAddress(abandonedBy);
  return `${giverRole(abandonedBy, provider)} ${shortAddress(abandonedBy)}`;
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A sentence for an ActivityEvent of the API. `contracts`: the deployment's contract names by address (lower case),
 * to name a governed contract or a timelock call's target; without them, addresses are shortened.
 */
export function describe(event, contracts = new Map()) {
  const from = shortAddress(event.from);
  // Job and dispute events name the client first.
  const client = account(event, 0) ?? from;
  const provider = shortAddress(event.provider ?? event.accounts[0] ?? event.from);
  const job = `job #${event.jobId}`;
  switch (event.kind) {
    // PROVIDER
    case "ProviderRegistered":
      return `Provider ${provider} registered`;
    case "ProviderUpdated":
      return `Provider ${provider} updated its listing`;
    case "ProviderPriceUpdated":
      return `Provider ${provider} changed its price`;
    case "ProviderOperatorSet":
      return account(event, 1) ? `Provider ${provider} made ${account(event, 1)} its operator` : `Provider ${provider} removed its operator`;
    case "ProviderOnlineSet":
      return `Provider ${provider} set its online status`;
    case "ProviderDeregistered":
      return `Provider ${provider} deregistered`;
    case "CapacityReserved":
      return `Provider ${provider} reserved GPUs for ${job}`;
    case "CapacityReleased":
      return `Provider ${provider} released the GPUs of ${job}`;
    // STAKE
    case "Staked":
      // Accounts: the provider, then the staker when someone else staked for it.
      return account(event, 1) ? `${account(event, 1)} staked${sum(event)} for provider ${provider}` : `Provider ${provider} staked${sum(event)}`;
    case "ThawRequested":
      return `Provider ${provider} started thawing${sum(event)} of stake`;
    case "Withdrawn":
      return `Provider ${provider} withdrew${sum(event)} of thawed stake`;
    case "CollateralLocked":
      return `Provider ${provider} locked${sum(event)} of collateral for ${job}`;
    case "CollateralUnlocked":
      return `Provider ${provider} got back${sum(event)} of collateral from ${job}`;
    case "Slashed":
      return `Provider ${provider} was slashed over ${job}${amount(event)}`;
    case "MaxSlashRewardSet":
      return `Provider ${provider} capped the share of its slashes paid to clients`;
    // JOB
    case "JobCreated":
      return `Client ${client} posted ${job}${amount(event, " in escrow")}`;
    case "JobCancelled":
      return `Client ${client} cancelled ${job}${amount(event, " refunded")}`;
    case "JobExpired":
      return `${capitalize(job)} expired without a provider${amount(event, " refunded")}`;
    case "JobDeclined":
      return `Provider ${provider} declined ${job}${amount(event, " refunded")}`;
    case "JobAccepted":
      return `Provider ${provider} accepted ${job}${amount(event, " collateral")}`;
    case "ResultSubmitted":
      return `Provider ${provider} submitted the result of ${job}${amount(event, " cost")}`;
    case "JobSettled":
      return `${capitalize(job)} settled${amount(event, " paid")}`;
    case "JobAbandoned":
      // The JobTimedOut of the same transaction says what was refunded and slashed.
      return abandonedSentence(provider, job);
    case "JobTimedOut":
      // abandonedBy (the activity query's): the provider or operator that gave the job back, whose deadline had not
      // passed. JobEscrow settles it as a timeout, but "timed out" told the reader a deadline had passed.
      return event.abandonedBy
        ? givenBackSentence(capitalize(job), giver(event.abandonedBy, event.provider), amount(event, " refunded"))
        : `${capitalize(job)} timed out: no result by its deadline${amount(event, " refunded")}`;
    case "JobRefunded":
      return `${capitalize(job)} refunded to its client${amount(event)}`;
    // DISPUTE
    case "DisputeOpened":
      return `Client ${client} disputed ${job}${amount(event, " deposit")}`;
    case "DisputeAnswered":
      return `Provider ${provider} answered the dispute on ${job}`;
    case "DisputeResolved":
      // Its amount is the provider's collateral slashed by the ruling: zero unless the dispute was upheld.
      return `The dispute on ${job} was resolved${event.amount?.wei === "0" ? "" : amount(event, " of collateral slashed")}`;
    // GOVERNANCE
    case "ProposalCreated":
      return `${account(event, 0) ?? from} proposed a change`;
    case "VoteCast":
      return `${account(event, 0) ?? from} voted on a proposal${amount(event, " of votes")}`;
    case "ProposalQueued":
      return "A proposal passed and was queued in the timelock";
    case "ProposalExecuted":
      return "A proposal was executed";
    case "ProposalCanceled":
      return "A proposal was cancelled";
    case "TokensRecovered":
      // No amount: the token recovered need not be LAT.
      return `Governance sent tokens a contract received by mistake to ${account(event, 0) ?? "an account"}`;
    // TIMELOCK
    case "CallScheduled":
      return `The timelock scheduled a call to ${event.accounts[0] === undefined ? "a contract" : named(event.accounts[0], contracts)}`;
    case "CallSalt":
      return "The timelock recorded a scheduled call's salt";
    case "CallExecuted":
      return `The timelock executed a call to ${event.accounts[0] === undefined ? "a contract" : named(event.accounts[0], contracts)}`;
    case "CallCancelled":
      return "The timelock cancelled a scheduled call";
    case "RoleGranted":
      return `The timelock granted a role to ${account(event, 0) ?? "an account"}`;
    case "RoleRevoked":
      return `The timelock revoked a role from ${account(event, 0) ?? "an account"}`;
    case "RoleAdminChanged":
      return "The timelock changed a role's admin";
    // PARAMETER
    case "ParameterChanged":
      if (event.parameter) return parameterChange(event, contracts);
      // Accounts: the governed contract, then the new value when the parameter is an address.
      if (event.accounts.length === 0) return "A governed parameter changed";
      return event.accounts.length > 1
        ? `A parameter of ${named(event.accounts[0], contracts)} was set to ${named(event.accounts[1], contracts)}`
        : `A parameter of ${named(event.accounts[0], contracts)} changed`;
    case "EconomicParamsUpdated":
      return "The job economics (fees, collateral, windows) changed";
    // PAUSE
    case "Paused":
      return `Guardian ${account(event, 0) ?? from} paused the protocol`;
    case "PauseRenewed":
      return `Governance (${account(event, 0) ?? from}) set the end of the pause`;
    case "Unpaused":
      return `${account(event, 0) ?? from} unpaused the protocol`;
    // TOKEN
    case "Transfer":
      // Accounts: sender and recipient; one of them when the other is the zero address (mint, burn) or the same.
      return event.accounts.length === 2
        ? `${account(event, 0)} sent${sum(event)} to ${account(event, 1)}`
        : `A transfer of${sum(event)} involving ${account(event, 0) ?? from}`;
    case "Approval":
      return `${account(event, 0)} set an allowance for ${account(event, 1) ?? "itself"}`;
    case "DelegateChanged":
      return `${account(event, 0)} changed its delegate`;
    case "DelegateVotesChanged":
      return `The voting power of ${account(event, 0)} changed`;
    default:
      // An event this page does not know yet: still one line, in the API's words.
      return `${event.kind}${event.jobId ? ` on ${job}` : ""} (${event.category.toLowerCase()})`;
  }
}
