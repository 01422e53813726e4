// The two seams between the worker's job loop and the outside world. A JobSource says which jobs are open (the
// gateway's `jobOpened` subscription); a JobMarket reads and changes their state on-chain (the JobEscrow and
// ProviderRegistry contracts, signed with the operator key). The loop (daemon.ts) depends only on these
// interfaces, so the gateway- and contract-backed implementations plug in without changing it.
//
// Types mirror the contracts' ABI as ethers v6 decodes it: uint64/uint96/uint256 -> bigint, smaller uints and
// enums -> number, bytesN -> 0x-hex string, address -> checksummed string.

import type { TierCode } from "./ids";

/** IJobEscrow.JobStatus. */
export enum JobStatus {
  None = 0,
  Open = 1,
  Accepted = 2,
  Submitted = 3,
  Disputed = 4,
  Completed = 5,
  Cancelled = 6,
  Expired = 7,
  Declined = 8,
  TimedOut = 9,
  Refunded = 10,
}

/** IJobEscrow.JobRequirements. Zero / Any fields match anything. */
export interface JobRequirements {
  /** bytes32: a short id (ids.ts), or zero for any model. */
  gpuModel: string;
  /** bytes16: a short id, or zero for any region. */
  region: string;
  minVramGiB: number;
  gpuCount: number;
  tier: TierCode;
  minCompletedJobs: number;
  /** Least Staking.maxSlashRewardBps the accepting provider must have, 0..10,000 (0: any). */
  minSlashRewardBps: number;
}

/** IJobEscrow.JobTerms, exactly as emitted in JobCreated: `acceptJob` needs them back verbatim (their hash is stored). */
export interface JobTerms {
  requirements: JobRequirements;
  /** wei of LAT per GPU-hour. */
  maxPricePerGpuHour: bigint;
  /** Seconds. */
  maxDuration: number;
  /** Unix seconds after which the job can no longer be accepted. */
  acceptDeadline: bigint;
  /** Zero address: an open job; otherwise the only provider that may accept it. */
  targetProvider: string;
  /** keccak256 of the spec document at specURI. */
  specHash: string;
}

/** An open job, as announced by JobCreated (and the gateway's jobOpened subscription). */
export interface CandidateJob {
  jobId: bigint;
  client: string;
  terms: JobTerms;
  specURI: string;
  /** wei escrowed by the client (the job's maximum cost). */
  escrowed: bigint;
}

/** The provider's registry record (IProviderRegistry.getProvider) plus what the escrow checks on acceptance. */
export interface ProviderRecord {
  registered: boolean;
  /** registry.isActive: registered, online and staked enough. */
  active: boolean;
  /** The registry's online flag: with `active` false and this true, the stake is short (see `stake`). */
  online: boolean;
  /**
   * Staking's minimum for the listed GPUs against the stake that counts for it (staked less thawing): read only for a
   * provider online but not active, so that a skip names the shortfall (a slash, a thaw) and its way out.
   */
  stake?: { held: bigint; required: bigint };
  /** Decoded short ids (ids.ts decodeShortId); "" when not registered. */
  gpuModel: string;
  region: string;
  vramGiB: number;
  gpuCount: number;
  gpusInUse: number;
  /** The registry's operator key of the provider; the zero address when it names none. */
  operator: string;
  tier: TierCode;
  pricePerGpuHour: bigint;
  /** escrow.providerStats(provider).completed: checked against minCompletedJobs. */
  completedJobs: number;
  /** Staking.maxSlashRewardBps(provider) (10,000 when never set): checked against minSlashRewardBps. */
  maxSlashRewardBps: number;
}

/**
 * Whether `stored` (a job as the chain stores it under an id) is `job`: the same client and terms hash. A chain restarted
 * beneath the worker (a devnet) counts job ids from 1 again, so an id alone may name another job.
 */
export function storesJob(stored: { client: string; termsHash: string }, job: { client: string }, termsHash: string): boolean {
  return stored.client.toLowerCase() === job.client.toLowerCase() && stored.termsHash.toLowerCase() === termsHash.toLowerCase();
}

/** A job's stored state (IJobEscrow.getJob), with the challenge deadline worked out once it is submitted. */
export interface JobState {
  status: JobStatus;
  /** The job's client and terms hash as stored (zero for an id no job has): after a chain restart (a devnet counts ids
   * from 1 again) the job stored under an id may be another than the one the worker holds (see storesJob). */
  client: string;
  termsHash: string;
  /** The accepting provider from acceptance on; before that the target provider or zero. */
  provider: string;
  /** Unix seconds: when the result was submitted (the escrow's `submittedAt`), when Submitted or Disputed. */
  submittedAt?: bigint;
  /** Unix seconds: `submittedAt + challengeWindow` of the job's params, when Submitted or Disputed. */
  challengeDeadline?: bigint;
  /** Unix seconds: the last second a result is taken (`acceptedAt + maxDuration + grace`), when Accepted. */
  resultDeadline?: bigint;
}

/**
 * What accepting a job would lock from the provider's stake. JobEscrow.acceptJob locks `ceil(escrowed *
 * collateralRatioBps / 10_000)` (the parameters in force at acceptance) through Staking.lock, which refuses an amount
 * above the provider's free stake.
 */
export interface CollateralQuote {
  collateral: bigint;
  /** Staking.freeStake: `staked - locked - thawing`, what Staking.lock checks the collateral against. */
  freeStake: bigint;
  /** Staking.getStake's `locked`: collateral of the provider's jobs not yet ended, free again when they end. */
  lockedStake: bigint;
}

export interface AcceptReceipt {
  /** From JobAccepted: the last second a result is taken. */
  resultDeadline: bigint;
  transactionHash?: string;
}

export interface SubmitReceipt {
  /** From ResultSubmitted: `settle` succeeds once the chain's time is past this. */
  challengeDeadline: bigint;
  /** wei the client pays if the job settles. */
  cost: bigint;
  transactionHash?: string;
}

/**
 * Where candidate jobs come from (to be backed by the gateway's `jobOpened` subscription over graphql-ws).
 *
 * Contract for implementations:
 * - `jobs(signal)` yields open jobs as they are posted, and may first yield the jobs already open.
 * - It reconnects by itself after transient failures (reconnectingJobSource in job-source.ts does this for any
 *   `connect` function), and may then yield a job again: the worker ignores repeats by jobId.
 * - It returns (ends the iteration) when `signal` aborts, and throws only on a failure that retrying cannot fix
 *   (bad URL, refused credentials, a schema mismatch); that stops the worker.
 */
export interface JobSource {
  /**
   * `reconnected` is called each time a connection after a drop has been established (its catch-up read): what the
   * provider holds may have changed meanwhile (a devnet restarted beneath the worker holds other jobs under the same
   * ids), so the worker reads jobsInHand again.
   */
  jobs(signal: AbortSignal, reconnected?: () => void): AsyncIterable<CandidateJob>;
  /**
   * The provider's own jobs still Accepted or Submitted, e.g. left by a worker that stopped or crashed: read at start
   * and again at each reconnection, so they are run and settled instead of timing out or waiting for someone else to
   * settle them. Optional: a source without it leaves them alone. The worker checks each against the job's on-chain
   * state.
   */
  jobsInHand?(signal: AbortSignal): Promise<CandidateJob[]>;
}

/**
 * Reads and changes jobs on-chain for one provider (to be backed by the JobEscrow and ProviderRegistry contracts,
 * transactions signed by the operator key).
 *
 * Contract for implementations:
 * - A transient failure (network, timeout, 5xx: see retry.ts isTransientError) is thrown as is; the worker retries.
 * - A revert is thrown as MarketRejectedError naming the contract's custom error; `settle` before the window ends
 *   throws ChallengeWindowOpenError. The worker never retries these blindly: after a rejected `accept` or
 *   `submit` it reads the job's state to learn whether an earlier attempt landed after all.
 * - Write methods resolve once the transaction is mined and succeeded.
 */
export interface JobMarket {
  /** The provider this worker works for. */
  getProvider(): Promise<ProviderRecord>;
  getJobState(jobId: bigint): Promise<JobState>;
  /**
   * The hash of the result a Submitted or Disputed job holds (its ResultSubmitted event's: the escrow stores none):
   * whose result landed, read rather than guessed, where two senders of one operator key submitted the same job. A log
   * search, so asked only there, not with every state read. `submittedAt` is the job's JobState.submittedAt, read just
   * before: the search goes back no further than that.
   */
  landedResultHash(jobId: bigint, submittedAt: bigint): Promise<string>;
  /** The time as the contracts see it (unix seconds): the latest block's timestamp or later. */
  chainTime(): Promise<bigint>;
  /** The collateral acceptance would lock for `jobId` (its escrowed amount as stored), and the stake to lock it from. */
  collateral(jobId: bigint): Promise<CollateralQuote>;
  /** `acceptJob(job.jobId, provider, job.terms)`. */
  accept(job: CandidateJob): Promise<AcceptReceipt>;
  /** `submitResult(job.jobId, resultURI, resultHash)`, sent only while the chain stores `job` under its id (see decline). */
  submit(job: CandidateJob, resultURI: string, resultHash: string): Promise<SubmitReceipt>;
  /** `settle(job.jobId)`, sent only while the chain stores `job` under its id (see decline). */
  settle(job: CandidateJob): Promise<void>;
  /**
   * `declineJob(job.jobId)`: a job directed at this provider, still Open, is refunded to its client. declineJob takes
   * the id alone, and after a chain restart (a devnet counts job ids from 1 again) the id may name another job, which a
   * decline still on its way must not refund: each transaction is sent only while the job stored under the id is
   * `job` (its client and terms hash), else JobReplacedError.
   */
  decline(job: CandidateJob): Promise<void>;
  /**
   * `abandonJob(job.jobId)`: an Accepted job of this provider that it will not run is given back before its result
   * deadline, settled as its timeout would be (the client refunded, the timeout slash). Sent only while the chain
   * stores `job` under its id (see decline).
   */
  abandon(job: CandidateJob): Promise<void>;
}

/** A contract call reverted. `errorName` is the decoded custom error, e.g. "JobEscrowUnexpectedStatus". */
export class MarketRejectedError extends Error {
  readonly transient = false;

  constructor(
    readonly operation: "accept" | "submit" | "settle" | "decline" | "abandon",
    readonly jobId: bigint,
    readonly errorName: string,
    detail?: string,
  ) {
    super(`${operation} of job ${jobId} reverted with ${errorName}${detail ? `: ${detail}` : ""}`);
    this.name = "MarketRejectedError";
  }
}

/**
 * The job stored on-chain under a job's id is not that job (another client or other terms, or none at all): the chain
 * restarted beneath the worker, and a write meant for the job it looked at must not apply to this one.
 */
export class JobReplacedError extends Error {
  readonly transient = false;

  constructor(
    readonly operation: "read" | "decline" | "submit" | "settle" | "abandon",
    readonly jobId: bigint,
  ) {
    const what = operation === "read" ? `the state of job ${jobId} not used` : `${operation} of job ${jobId} not sent`;
    super(`${what}: the chain now holds another job under that id (the chain restarted?)`);
    this.name = "JobReplacedError";
  }
}

/** `settle` came too early: the chain's time has not passed the challenge deadline yet. */
export class ChallengeWindowOpenError extends MarketRejectedError {
  constructor(
    jobId: bigint,
    readonly challengeDeadline: bigint,
  ) {
    super("settle", jobId, "JobEscrowChallengeWindowOpen", `the challenge window ends at ${challengeDeadline}`);
    this.name = "ChallengeWindowOpenError";
  }
}
