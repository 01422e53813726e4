// The provider's job loop. It takes candidate jobs from a JobSource, keeps the ones its policy, GPUs and
// executors can serve, and for each: fetches and verifies the spec, accepts the job, runs it, submits the result
// and, after the challenge window, settles it, all through a JobMarket. At most `maxConcurrentJobs` jobs are in
// hand at once. While all slots are taken the loop keeps reading candidates and screening them against the policy, so
// a directed job the policy refuses is declined at once rather than behind a job waiting for a slot; the jobs that pass
// wait for a slot in the order they came, at most `maxConcurrentJobs` of them (see enqueue). What a slot could change
// (free GPUs and stake) is judged, with the spec, only once a job has one. Jobs an earlier run accepted (resumed at
// start) take slots as any job does, ahead of those waiting, and are never dropped (see resumeJobsInHand).
//
// Shutdown (stop()): no new candidate is taken and no new job accepted; running jobs get `graceMs` to finish and
// submit, then they are aborted. Settlements still waiting are left: `settle` can be called by anyone later.
//
// Result files (results.retentionDays): pruned at start and every hour while the worker runs, each once it is older
// than the retention and every job that submitted it is over on-chain (ResultStore.prune).
//
// Start (and restart after a stop or a crash): the provider's jobs still Accepted or Submitted (JobSource.jobsInHand)
// are taken up first: an accepted one is run again, within what is left of its result deadline, and submitted; a
// submitted one is settled once its window has passed. One accepted or submitted just before a crash may be missing from
// that list (the source's index lags the chain) and offered as open later: prepare reads its state first, finds it held by
// us (heldBy) and it is taken up the same way.
// The list is read again each time the source reconnects (a devnet restarted beneath the worker holds other jobs,
// under ids it may have seen), taking up only the jobs not already in hand here (see rereadJobsInHand).
//
// GPUs (with `gpus`): each job is assigned its own `gpuCount` of the offered GPUs (GpuPool), checked in turn with its
// acceptance (a fresh job: passed over while too few are free) or before its spec is fetched (one resumed: it waits
// for them, ahead of fresh jobs, until its result deadline leaves no time to run it), and held until the job's work here
// is over however it ends; its executor is told which they are (the command executor's CUDA_VISIBLE_DEVICES).

import { PARAM_BOUNDS } from "../deploy";
import { ProviderNotRegisteredError } from "./chain";
import type { PolicyConfig } from "./config";
import type { ExecutorRegistry } from "./executors/registry";
import { type ResultStore, ResultWriteError } from "./executors/results";
import { ExecutionError, type ExecutionResult } from "./executors/types";
import { hashJobTerms } from "./gateway-jobs";
import type { GpuSpecs } from "./gpu";
import { GpuAssignmentError, GpuPool, offeredGpuIds, withAssignedGpus } from "./gpu-pool";
import type { Logger } from "./logger";
import { TierCode, tierCode } from "./ids";
import { CandidateJob, ChallengeWindowOpenError, JobMarket, JobReplacedError, JobSource, JobState, JobStatus, MarketRejectedError, storesJob } from "./market";
import { collateralRefusal, inactiveReason, requirementRefusal, screenJob } from "./policy";
import { RetryExhaustedError, RetryPolicy, abortReason, briefError, deadlineSignal, raceAbort, sleep, withRetry } from "./retry";
import { LoadedSpec, SpecError } from "./spec";
import { SpecFetchError, SpecUriError } from "./spec-fetch";

/** What the worker needs to load a job's spec; SpecFetcher implements it. */
export interface SpecLoader {
  load(uri: string, expectedHash: string, signal?: AbortSignal): Promise<LoadedSpec>;
}

export type WorkerEvent =
  | { type: "job-skipped"; jobId: bigint; reason: string }
  | { type: "job-accepted"; jobId: bigint }
  | { type: "job-executed"; jobId: bigint; result: ExecutionResult }
  | { type: "job-submitted"; jobId: bigint; resultURI: string; resultHash: string; challengeDeadline: bigint }
  | { type: "job-settled"; jobId: bigint; by: "worker" | "other" }
  | { type: "job-disputed"; jobId: bigint }
  | { type: "job-declined"; jobId: bigint; reason: string }
  | { type: "job-abandoned"; jobId: bigint; reason: string }
  | { type: "job-failed"; jobId: bigint; stage: FailureStage; error: Error }
  | { type: "job-aborted"; jobId: bigint };

type FailureStage = "accept" | "execute" | "submit" | "settle" | "decline";

export interface WorkerOptions {
  /** The provider (owner) address. */
  provider: string;
  /**
   * What this machine has, as detected; compared with the registry record at start-up, and the GPUs each job is
   * assigned from (offeredGpuIds). Absent: no check, and no job is told its GPUs.
   */
  gpus?: GpuSpecs;
  policy: PolicyConfig;
  source: JobSource;
  market: JobMarket;
  executors: ExecutorRegistry;
  specs: SpecLoader;
  retry: RetryPolicy;
  /** How long running jobs may continue after stop() before they are aborted. */
  shutdownGraceMs: number;
  logger: Logger;
  /** Told about each step of each job (for metrics, and for tests). */
  onEvent?: (event: WorkerEvent) => void;
  /**
   * Longest wait between two looks at the chain's time while a challenge window runs, or while a job resumed after a
   * restart waits for GPUs. Default 60 s.
   */
  settlementPollMs?: number;
  /** Where file results are; each job's is recorded there, and old ones pruned when `resultRetentionMs` is set. */
  results?: ResultStore;
  /** How long result files are kept once their jobs are over; 0 or absent: for ever. */
  resultRetentionMs?: number;
  /** Pause between two prunings. Default one hour. */
  resultPruneIntervalMs?: number;
  /**
   * The JobEscrow `market` writes to (escrowKey: chain id and address), by which result files list their jobs: a
   * directory shared with another chain's worker holds the same job ids for other jobs. Absent: ids alone.
   */
  escrow?: string;
}

/**
 * `operation`, given up (rejecting with the signal's reason) as soon as `signal` aborts, even mid-call: what a stop
 * awaits (a settlement, the pruning) would otherwise wait on a node that stopped answering until the request's own
 * timeout (RPC_REQUEST_TIMEOUT_MS, 30 s) each. The call runs on, its outcome ignored: a settlement not known to be sent is
 * anyone's to send later, and read again at the next start.
 */
function untilAborted<T>(operation: () => Promise<T>, signal: AbortSignal): () => Promise<T> {
  return async () => {
    const result = await raceAbort(operation(), signal);
    if (signal.aborted) throw abortReason(signal);
    return result as T;
  };
}

/** The spec of a job we hold stayed out of reach until too late to run the job and submit its result by its deadline. */
export class HeldSpecUnavailableError extends Error {
  constructor(
    readonly jobId: bigint,
    /** The last second (chain time) a run could have started. */
    readonly lastStart: bigint,
    readonly resultDeadline: bigint,
    readonly lastError: unknown,
  ) {
    super(
      `cannot fetch the spec of job ${jobId} by ${lastStart}, the last second it could start and still be submitted by ` +
        `its result deadline (${resultDeadline}): ${briefError(lastError)}`,
      { cause: lastError },
    );
    this.name = "HeldSpecUnavailableError";
  }
}

/**
 * Why a job is passed over. `final`: no later look could change that (a wrong spec, no longer open). `lasting`: only a
 * change of the provider's listing, stake or config could (policy.ts), so a job directed at us is declined.
 */
class SkipJob extends Error {
  constructor(
    message: string,
    readonly final: boolean,
    readonly lasting = false,
  ) {
    super(message);
  }
}

// Ids of jobs already judged, so a source replaying jobs after a reconnect does not make us look twice.
const SEEN_JOBS_LIMIT = 10_000;

// JobEscrow.MIN_GRACE: the least time a result deadline leaves after maxDuration, so a run stopped at maxDuration always
// has this long to submit; a run stopped by the result deadline is left as long. Read from deploy.ts's mirror of the
// escrow's bounds (grace's lower one), which a test compares with the contract, so that the two cannot drift apart.
const SUBMISSION_MARGIN_MS = PARAM_BOUNDS.grace[0] * 1000;

/** What tells a job from another of the same id: its client, spec and acceptance deadline, fixed when it was posted. */
function jobIdentity(job: CandidateJob): string {
  return `${job.client.toLowerCase()} ${job.terms.specHash} ${job.terms.acceptDeadline}`;
}

/** A job's id with its identity: what a job is remembered by beyond `seen`, which a reused id must not inherit. */
function jobKey(job: CandidateJob): string {
  return `${job.jobId} ${jobIdentity(job)}`;
}

export class Worker {
  private readonly intake = new AbortController();
  private readonly hardStop = new AbortController();
  // By jobKey, as every job in hand: after a chain restarted beneath the worker (a devnet) the old chain's run and the new
  // chain's job under the same id are two jobs, each with its own slot, GPUs and end.
  private readonly running = new Map<string, { jobId: bigint; controller: AbortController; done: Promise<void> }>();
  private readonly settlements = new Set<Promise<void>>();
  // By jobKey, the jobs whose settlement is scheduled: a job in hand listed again (at a reconnection) is settled once.
  private readonly settling = new Set<string>();
  // The reads of the jobs in hand at reconnections, one at a time, waited for at shutdown.
  private inHandReads: Promise<void> = Promise.resolve();
  // By jobKey, as skipsLogged: after a chain restart a reused id is another job, not one already declined.
  private readonly declines = new Map<string, Promise<void>>();
  // Each job looked at, by id, with what tells it from another job of that id (jobIdentity).
  private readonly seen = new Map<bigint, string>();
  // The reason each job was last logged as skipped: a job passed over for want of free stake is offered again at every
  // openJobs re-read, and the same line each time would drown the log.
  private readonly skipsLogged = new Map<string, string>();
  /** Why the worker stopped itself, rethrown by run (halt). */
  private halted: Error | undefined;
  // Jobs that passed screening, waiting for a slot, oldest first (see enqueue).
  private readonly waiting: CandidateJob[] = [];
  // Jobs an earlier run accepted, waiting for a slot ahead of `waiting`: ours already, so none is ever dropped.
  private readonly resuming: { job: CandidateJob; resultDeadline: bigint }[] = [];
  // Jobs are prepared side by side but accepted one at a time (see acceptInTurn).
  private acceptTurn: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private readonly gpuPool: GpuPool | undefined;
  // By jobKey, the GPUs each job in hand holds, released when its startJob ends.
  private readonly assignedGpus = new Map<string, { jobId: bigint; gpus: string[] }>();

  constructor(private readonly options: WorkerOptions) {
    this.gpuPool = options.gpus === undefined ? undefined : new GpuPool(offeredGpuIds(options.gpus));
  }

  /** The GPUs assigned to each job in hand, by job id, for logs and tests. */
  get gpuAssignments(): { jobId: bigint; gpus: readonly string[] }[] {
    return [...this.assignedGpus.values()].map(({ jobId, gpus }) => ({ jobId, gpus: [...gpus] }));
  }

  /** Number of jobs currently in hand (accepted or about to be). */
  get activeJobs(): number {
    return this.running.size;
  }

  /**
   * Run until stop() (or a permanent failure of the job source, which is rethrown after the running jobs have
   * been given their grace). Resolves once everything the worker started has ended.
   */
  async run(): Promise<void> {
    try {
      await this.checkProvider();
    } catch (error) {
      if (this.intake.signal.aborted) return; // stopped while starting
      throw error;
    }
    await this.removeStaleTemporaries();
    const pruning = this.pruneResults();
    let failure: unknown;
    try {
      await this.resumeJobsInHand();
      await this.takeJobs();
    } catch (error) {
      failure = error;
      this.options.logger.error("job source failed; stopping", { error });
    }
    failure ??= this.halted;
    await this.stop();
    await pruning;
    if (failure !== undefined) throw failure;
  }

  /** Stop taking jobs, give running ones the grace period, then abort them. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /** Abort running jobs now, without waiting for the grace period. */
  abortNow(): void {
    this.intake.abort();
    this.hardStop.abort();
  }

  private async shutDown(): Promise<void> {
    const { logger, shutdownGraceMs } = this.options;
    this.intake.abort();
    if (this.resuming.length > 0) {
      // Still accepted on-chain and listed in hand: the next run resumes them.
      logger.warn("stopping: jobs in hand still waiting for a slot are left for the next run", {
        jobs: this.resuming.map(({ job }) => job.jobId),
      });
      this.resuming.length = 0;
    }
    if (this.running.size > 0) {
      logger.info("stopping: waiting for running jobs", { jobs: this.runningIds(), graceMs: shutdownGraceMs });
      const allDone = Promise.all([...this.running.values()].map((job) => job.done));
      await Promise.race([allDone, sleep(shutdownGraceMs, this.hardStop.signal).catch(() => undefined)]);
      if (this.running.size > 0)
        logger.warn("grace period over: aborting running jobs", { jobs: this.runningIds() });
      this.hardStop.abort();
      await allDone;
    }
    this.hardStop.abort();
    // Before the settlements: a read under way may still schedule one.
    await this.inHandReads;
    await Promise.all([...this.settlements, ...this.declines.values()]);
  }

  private runningIds(): bigint[] {
    return [...this.running.values()].map(({ jobId }) => jobId);
  }

  private emit(event: WorkerEvent): void {
    this.options.onEvent?.(event);
  }

  // Each retry's log line names the job and the step: during an outage every job in hand retries side by side (each
  // settlement waiting, a submission), and lines that named neither could not be told apart.
  private retry<T>(context: RetryContext, operation: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return withRetry(operation, {
      policy: this.options.retry,
      signal,
      onRetry: ({ attempt, delayMs, error }) =>
        this.options.logger.warn("transient failure; retrying", {
          ...context,
          attempt,
          delayMs,
          error: briefError(error),
        }),
    });
  }

  /**
   * retry, for what has no deadline but must happen (a settlement: until it the collateral stays locked and the payment
   * in escrow; the listing of jobs left in hand at start, and the chain's time a resumed one is run against): an outage
   * longer than one round of retries is waited out, a round every `pauseMs`, until the worker stops.
   */
  private async retryWhileRunning<T>(context: RetryContext, operation: () => Promise<T>, signal: AbortSignal, pauseMs: number): Promise<T> {
    for (;;) {
      try {
        return await this.retry(context, operation, signal);
      } catch (error) {
        if (signal.aborted || !(error instanceof RetryExhaustedError)) throw error;
        this.options.logger.warn("still unreachable; trying again later", { ...context, delayMs: pauseMs, error: briefError(error) });
        await sleep(pauseMs, signal);
      }
    }
  }

  /**
   * Stop taking jobs for a reason only a person can fix (the provider no longer registered: a chain restarted from
   * scratch beneath the worker). Skipping every job instead would leave the worker up, serving nothing, with no sign
   * but a log line per job; it holds the operator key, not the owner's, so it cannot register the provider again.
   */
  private halt(error: Error): void {
    if (this.halted !== undefined) return;
    this.halted = error;
    this.options.logger.error("the provider cannot take jobs until a person acts; stopping", { error: briefError(error) });
    this.intake.abort();
  }

  private async checkProvider(): Promise<void> {
    const { logger, gpus } = this.options;
    const record = await this.retry({ step: "read the provider's record" }, () => this.options.market.getProvider(), this.intake.signal);
    if (!record.registered) {
      throw new ProviderNotRegisteredError(this.options.provider);
    }
    if (!record.active) logger.warn(`${inactiveReason(record)}; until then it takes no job`);
    if (gpus) {
      const mismatches = [
        gpus.model !== record.gpuModel ? `model ${gpus.model} here, ${record.gpuModel} registered` : undefined,
        gpus.vramGiB < record.vramGiB ? `${gpus.vramGiB} GiB per GPU here, ${record.vramGiB} registered` : undefined,
        gpus.gpuCount < record.gpuCount ? `${gpus.gpuCount} GPUs here, ${record.gpuCount} registered` : undefined,
        // Jobs are judged against the registered region and tier: a config that says otherwise is ignored, silently
        // but for this (a provider that registered eu-west and wrote us-east would not know which one counts).
        gpus.region !== undefined && gpus.region !== record.region ? `region ${gpus.region} here, ${record.region} registered` : undefined,
        gpus.tier !== undefined && tierCode(gpus.tier) !== record.tier ? `tier ${gpus.tier} here, ${TierCode[record.tier]?.toLowerCase()} registered` : undefined,
      ].filter((text): text is string => text !== undefined);
      if (mismatches.length > 0)
        logger.warn("this machine differs from the provider's registered specs", { mismatches });
    }
    logger.info("worker started", {
      provider: this.options.provider,
      gpuModel: record.gpuModel,
      gpuCount: record.gpuCount,
      kinds: this.options.executors.kinds(),
      maxConcurrentJobs: this.options.policy.maxConcurrentJobs,
    });
  }

  private async takeJobs(): Promise<void> {
    const signal = this.intake.signal;
    const iterator = this.options.source.jobs(signal, () => this.rereadJobsInHand())[Symbol.asyncIterator]();
    try {
      while (!signal.aborted) {
        // A source that does not watch the signal must not keep the worker from stopping.
        const next = await raceAbort(iterator.next(), signal);
        // Ended, the source stops the worker: jobs still waiting, not yet accepted, would not be accepted anyway.
        if (next === undefined || next.done) return;
        const job = next.value;
        const known = this.seen.get(job.jobId);
        // The same job, in hand here: never run twice, however the memory of ids went (SEEN_JOBS_LIMIT).
        if (known === jobIdentity(job) || this.running.has(jobKey(job))) continue;
        if (known !== undefined) {
          // Ids are counted again on a chain that restarted (a devnet) beneath a running worker: this is another job,
          // taken as any, beside a run of the old chain's job under the id (which fails at submit).
          this.options.logger.info("a job id looked at before now names another job (the chain restarted?); looking at it afresh", { jobId: job.jobId });
        }
        this.remember(job);
        const reason = screenJob(job, this.options.provider, this.options.policy);
        if (reason !== undefined) {
          this.skip(job, reason);
          // The job's terms against the config: while it stays as it is, no later look says otherwise.
          this.decline(job, reason);
          continue;
        }
        this.enqueue(job);
      }
    } finally {
      // Stopping: the jobs still waiting were not accepted, and are left open.
      this.waiting.length = 0;
      void iterator.return?.()?.catch(() => undefined);
    }
  }

  /**
   * Start a job that passed screening once a slot is free, after those waiting already. At most maxConcurrentJobs wait:
   * one more full set of slots, enough to fill every slot as it frees, while a feed offering many open jobs keeps
   * memory bounded. A job beyond that is dropped and forgotten (not in `seen`), so the gateway's next re-read of the
   * open jobs offers it again; by then slots may have freed, and its state is read afresh anyway.
   */
  private enqueue(job: CandidateJob): void {
    const limit = this.options.policy.maxConcurrentJobs;
    if (this.waiting.length >= limit) {
      this.forget(job);
      this.skip(job, `every slot is taken and ${limit} jobs already wait for one; looked at again when offered again`);
      return;
    }
    this.waiting.push(job);
    this.startWaiting();
  }

  /** Start waiting jobs, resumed ones first, then oldest first, while slots are free and the worker takes jobs. */
  private startWaiting(): void {
    const { maxConcurrentJobs } = this.options.policy;
    while (!this.intake.signal.aborted && this.running.size < maxConcurrentJobs) {
      const resumed = this.resuming.shift();
      if (resumed !== undefined) this.startJob(resumed.job, resumed.resultDeadline);
      else if (this.waiting.length > 0) this.startJob(this.waiting.shift() as CandidateJob);
      else return;
    }
  }

  private remember(job: CandidateJob): void {
    this.seen.set(job.jobId, jobIdentity(job));
    if (this.seen.size > SEEN_JOBS_LIMIT) this.seen.delete(this.seen.keys().next().value as bigint);
  }

  /**
   * Look at `job` afresh when it is offered again. Only while its id is remembered as this job: after a chain restart the
   * id may name another job in hand by now, which a re-offer must not start a second time.
   */
  private forget(job: CandidateJob): void {
    if (this.seen.get(job.jobId) === jobIdentity(job)) this.seen.delete(job.jobId);
  }

  private skip(job: CandidateJob, reason: string): void {
    const { jobId } = job;
    const key = jobKey(job);
    if (this.skipsLogged.get(key) !== reason) {
      this.options.logger.info("job skipped", { jobId, reason });
      // Re-inserted last, so the oldest entry is the one evicted.
      this.skipsLogged.delete(key);
      this.skipsLogged.set(key, reason);
      if (this.skipsLogged.size > SEEN_JOBS_LIMIT) this.skipsLogged.delete(this.skipsLogged.keys().next().value as string);
    }
    this.emit({ type: "job-skipped", jobId, reason });
  }

  /**
   * After the source reconnected: the chain may have restarted beneath the worker (a devnet), whose new jobs in hand
   * (under ids it may have seen already) no feed would offer, as none of them is open. Those the worker already runs or
   * settles are left to that (resumeJobsInHand skips each job seen under the same identity).
   */
  private rereadJobsInHand(): void {
    this.inHandReads = this.inHandReads.then(() =>
      this.resumeJobsInHand(true).catch((error: unknown) => {
        if (this.intake.signal.aborted) return;
        // Unlike at start, the worker has its jobs in hand and a feed that works: stopping would drop them for this.
        this.options.logger.error("cannot read the jobs in hand after reconnecting", { error: briefError(error) });
      }),
    );
  }

  /**
   * Jobs of ours that a previous run (stopped, or crashed) left in hand, or that a chain restarted beneath the worker
   * holds: an accepted one is run again, within what is left of its result deadline, and submitted; a submitted one is
   * settled when its window has passed.
   */
  private async resumeJobsInHand(reconnected = false): Promise<void> {
    const { source, market, logger, provider, policy } = this.options;
    if (source.jobsInHand === undefined) return;
    const list = source.jobsInHand.bind(source);
    const signal = this.intake.signal;
    // Until they are listed, accepted jobs are not run and run towards a timeout slash: an outage is waited out (the
    // same gateway feeds new jobs, so none would come meanwhile anyway). A refusal retrying cannot fix (a gateway of
    // another version, a wrong URL) stops the worker now, as it would at the job feed's first query: going on would
    // leave the jobs in hand unrun for as long as the worker ran.
    const pauseMs = this.options.retry.maxDelayMs;
    let jobs: CandidateJob[];
    try {
      jobs = await this.retryWhileRunning({ step: "list the jobs in hand" }, () => list(signal), signal, pauseMs);
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    for (const job of jobs) {
      // Seen under the same identity: run, settled or being looked at by this worker already (never twice). A run of the
      // old chain's job under the id (a chain restarted beneath the worker) is another job: this one does not wait for
      // it, as its result deadline runs meanwhile; that run fails at submit.
      const key = jobKey(job);
      if (signal.aborted || this.seen.get(job.jobId) === jobIdentity(job) || this.settling.has(key) || this.running.has(key)) continue;
      this.remember(job);
      let state: JobState;
      try {
        state = await this.retryWhileRunning({ jobId: job.jobId, step: "read the job's state" }, untilAborted(() => this.stateOf(job), signal), signal, pauseMs);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof JobReplacedError) {
          // Run or settled, the chain's job under that id would be taken for this one (a restarted devnet reuses ids).
          logger.warn("job in hand forgotten: its id now names another job on-chain (the chain restarted?)", { jobId: job.jobId, client: job.client });
          continue;
        }
        logger.error("cannot read the state of a job left in hand; not resumed", { jobId: job.jobId, error });
        continue;
      }
      const held = heldBy(state, provider);
      if (held?.status === JobStatus.Accepted) {
        logger.info(
          reconnected
            ? "resuming a job the provider holds, listed after the job feed reconnected (the chain restarted?)"
            : "resuming a job the provider accepted before this worker started",
          { jobId: job.jobId, resultDeadline: held.resultDeadline },
        );
        // In a slot as any job in hand (maxConcurrentJobs): a job runs towards its own deadline either way, and one
        // more at once than the config allows would overload the machine it was sized for.
        this.resuming.push({ job, resultDeadline: held.resultDeadline });
        this.startWaiting();
      } else if (held?.status === JobStatus.Submitted && policy.autoSettle) {
        // "Before this worker started", not "by an earlier run": on a fresh devnet the seed submitted it, not a worker.
        const when = reconnected ? "listed after the job feed reconnected (the chain restarted?)" : "submitted before this worker started";
        logger.info(`settling a job the provider ${when}, once its challenge window ends`, {
          jobId: job.jobId,
          challengeDeadline: held.challengeDeadline,
        });
        this.scheduleSettlement(job, held.challengeDeadline);
      }
    }
  }

  /** `resultDeadline`: the job was accepted by an earlier run; it is run again without being prepared or accepted. */
  private startJob(job: CandidateJob, resultDeadline?: bigint): void {
    const controller = new AbortController();
    const onHardStop = (): void => controller.abort(abortReason(this.hardStop.signal));
    this.hardStop.signal.addEventListener("abort", onHardStop, { once: true });
    const work =
      resultDeadline === undefined
        ? this.processJob(job, controller.signal)
        : this.resumeJob(job, resultDeadline, controller.signal);
    const done = work
      .catch((error: unknown) =>
        this.options.logger.error("unexpected failure in the job loop", { jobId: job.jobId, error }),
      )
      .finally(() => {
        this.hardStop.signal.removeEventListener("abort", onHardStop);
        this.releaseGpus(job);
        this.running.delete(jobKey(job));
        this.startWaiting();
      });
    this.running.set(jobKey(job), { jobId: job.jobId, controller, done });
  }

  private async processJob(job: CandidateJob, signal: AbortSignal): Promise<void> {
    const { jobId } = job;
    const log = this.options.logger.child({ jobId });
    let prepared: Prepared;
    try {
      prepared = await this.prepare(job, signal);
    } catch (error) {
      // Capacity, activity and outages change: if the source offers the job again (after a reconnect), look again.
      if (!(error instanceof SkipJob && error.final)) this.forget(job);
      if (error instanceof ProviderNotRegisteredError) this.halt(error);
      else if (error instanceof SkipJob) {
        this.skip(job, error.message);
        if (error.lasting) this.decline(job, error.message);
      } else if (signal.aborted) this.skip(job, "the worker is stopping");
      else this.skip(job, briefError(error));
      return;
    }
    if (prepared.ours) {
      const { held } = prepared;
      if (held.status === JobStatus.Accepted) {
        log.info("resuming a job of ours offered as open (the source's index lags the chain)", {
          resultDeadline: held.resultDeadline,
        });
        await this.resumeJob(job, held.resultDeadline, signal);
      } else if (this.options.policy.autoSettle) {
        log.info("settling a job of ours submitted by an earlier run, offered as open (the source's index lags the chain)", {
          challengeDeadline: held.challengeDeadline,
        });
        this.scheduleSettlement(job, held.challengeDeadline);
      }
      return;
    }
    const { loaded } = prepared;
    let stopping = false;
    let resultDeadline: bigint | undefined;
    try {
      await this.acceptInTurn(async () => {
        stopping = this.intake.signal.aborted;
        if (stopping) return;
        // Before the acceptance: a job accepted without GPUs to run on would be slashed. Released, if the acceptance
        // fails, when the job's startJob ends.
        this.assignGpus(job);
        resultDeadline = await this.accept(job, signal);
      });
    } catch (error) {
      if (error instanceof SkipJob) {
        if (!error.final) this.forget(job);
        this.skip(job, error.message);
        if (error.lasting) this.decline(job, error.message);
      } else this.fail(jobId, "accept", error);
      return;
    }
    if (stopping) {
      this.skip(job, "the worker is stopping");
      return;
    }
    log.info("job accepted", { kind: loaded.spec.kind });
    this.emit({ type: "job-accepted", jobId });
    // Without the chain's time the limit is maxDuration alone.
    const now = await this.retry({ jobId, step: "read the chain's time" }, () => this.options.market.chainTime(), signal).catch(() => undefined);
    await this.serve(job, loaded, signal, executionLimit(job, resultDeadline, now), resultDeadline);
  }

  private async resumeJob(job: CandidateJob, resultDeadline: bigint, signal: AbortSignal): Promise<void> {
    let loaded: LoadedSpec;
    let now: bigint;
    // Judged on the chain's clock while it answers; in an outage, on ours, set by the chain's time read here: a devnet's
    // clock may run years ahead of ours (evm_increaseTime), so the deadline is no time on ours. Until that read, one
    // round of tries, then the chain's clock alone.
    const giveBackBy: SubmitDeadline = { chain: resultDeadline, localMs: Date.now() };
    try {
      // First, so that jobs taken meanwhile cannot leave one we already hold without GPUs.
      const late = await this.waitForGpus(job, resultDeadline, signal);
      const start = await this.retryWhileRunning({ jobId: job.jobId, step: "read the chain's time" }, () => this.options.market.chainTime(), signal, this.options.retry.maxDelayMs);
      giveBackBy.localMs = Date.now() + Number(resultDeadline - start) * 1000;
      if (late !== undefined) {
        await this.failExecution(job, tooLate(late), signal, giveBackBy);
        return;
      }
      loaded = await this.loadHeldSpec(job, resultDeadline, signal);
      // Not against maxDuration: the job is ours already, and a run that may be too slow beats a certain slash.
      const refusal = this.options.executors.refusalReason(loaded.spec);
      if (refusal !== undefined) throw new ExecutionError(refusal);
      // Given up here the job is slashed at its result deadline, so an outage is waited out as after an acceptance whose
      // answer was lost; once the chain answers, executionLimit says whether any time is left to run.
      now = await this.retryWhileRunning({ jobId: job.jobId, step: "read the chain's time" }, () => this.options.market.chainTime(), signal, this.options.retry.maxDelayMs);
    } catch (error) {
      if (signal.aborted) this.emit({ type: "job-aborted", jobId: job.jobId });
      else await this.failExecution(job, error, signal, giveBackBy);
      return;
    }
    await this.serve(job, loaded, signal, executionLimit(job, resultDeadline, now), resultDeadline);
  }

  /**
   * Holds the GPUs of a job we hold (accepted by an earlier run), waiting for them while too few are free: given up, the
   * job would be slashed at its result deadline. It waits ahead of the jobs not yet accepted (GpuPool.acquireWhenFree)
   * and, as any job in hand, in one of the maxConcurrentJobs slots. Resolves once they are held, or with the run's limit
   * when no time is left to run it (handled then as any job too late to run); rejects when the worker stops, or at
   * once when the job needs more GPUs than the worker offers. Without a pool (no `gpus`), nothing.
   */
  private async waitForGpus(job: CandidateJob, resultDeadline: bigint, signal: AbortSignal): Promise<ExecutionLimit | undefined> {
    const pool = this.gpuPool;
    const { jobId } = job;
    if (pool === undefined || this.assignedGpus.has(jobKey(job))) return undefined;
    const { market, logger } = this.options;
    const pollMs = this.options.settlementPollMs ?? 60_000;
    const count = job.terms.requirements.gpuCount;
    const free = pool.freeCount;
    const stopWaiting = new AbortController();
    // Called before any await: the GPUs free now are this job's before a job being accepted meanwhile can take them.
    const granted = pool.acquireWhenFree(count, AbortSignal.any([signal, stopWaiting.signal]));
    try {
      for (let waitMs = 0; ; ) {
        const round = new AbortController();
        const gpus = await Promise.race([granted, sleep(waitMs, AbortSignal.any([signal, round.signal])).then(() => undefined)]);
        round.abort();
        if (gpus !== undefined) return undefined;
        if (waitMs === 0) logger.info("waiting for GPUs for a job we hold", { jobId, needs: count, free, resultDeadline });
        const now = await this.retryWhileRunning({ jobId, step: "read the chain's time" }, () => market.chainTime(), signal, this.options.retry.maxDelayMs);
        const limit = executionLimit(job, resultDeadline, now);
        if (limit.ms <= 0) return limit;
        waitMs = Math.min(pollMs, limit.ms);
      }
    } finally {
      stopWaiting.abort();
      // Given as the wait ended, the GPUs are held as any job's, and released when its startJob ends.
      const gpus = await granted.catch(() => undefined);
      if (gpus !== undefined) {
        this.assignedGpus.set(jobKey(job), { jobId, gpus });
        logger.info("GPUs assigned", { jobId, gpus });
      }
    }
  }

  /**
   * The spec of a job we hold but whose spec we no longer have (a restart; a fresh job's is loaded before acceptance and
   * kept). Left unrun the job is slashed at its result deadline, so a spec server down for longer than one round of
   * retries is waited out, round after round, until the last second a run could start and still be submitted in time:
   * the result deadline less SUBMISSION_MARGIN_MS and the least run time the executors' estimates allow.
   */
  private async loadHeldSpec(job: CandidateJob, resultDeadline: bigint, signal: AbortSignal): Promise<LoadedSpec> {
    const { specs, executors, market, logger } = this.options;
    const lastStart = resultDeadline - BigInt(SUBMISSION_MARGIN_MS / 1000 + Math.ceil(executors.leastRunSeconds()));
    for (;;) {
      try {
        return await this.retry({ jobId: job.jobId, step: "fetch the spec" }, () => specs.load(job.specURI, job.terms.specHash, signal), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        // A server answering 404, or a spec that does not hash to the job's specHash, may be put right before the
        // deadline, and giving up on a job we hold is a certain slash: only a URI that cannot be fetched at all is final.
        const failure =
          error instanceof RetryExhaustedError ? error.lastError : error instanceof SpecError && !(error instanceof SpecUriError) ? error : null;
        if (failure === null) throw error;
        // On the chain's clock only. When the node is down too, ours is no stand-in: a clock running ahead of the chain's
        // would give the job up early, a certain slash, while trying on costs nothing (once the spec loads, the run's
        // limit is counted from the chain's time, which resumeJob waits for, and says whether any time is left).
        const now = await market.chainTime().catch(() => undefined);
        if (now !== undefined && now >= lastStart) throw new HeldSpecUnavailableError(job.jobId, lastStart, resultDeadline, failure);
        logger.warn("cannot fetch the spec of a job we hold; trying again while it can still be run in time", {
          jobId: job.jobId,
          lastStart,
          resultDeadline,
          error: briefError(failure),
        });
        const leftMs = now === undefined ? Infinity : Number(lastStart - now) * 1000;
        await sleep(Math.min(this.options.retry.maxDelayMs, leftMs), signal);
      }
    }
  }

  /**
   * Run an accepted job, submit its result and have it settled. `limit`: how long it may run, and why.
   * `resultDeadline`: the job's, on the chain's clock, when known.
   */
  private async serve(
    job: CandidateJob,
    loaded: LoadedSpec,
    signal: AbortSignal,
    limit: ExecutionLimit,
    resultDeadline: bigint | undefined,
  ): Promise<void> {
    const { jobId } = job;
    const log = this.options.logger.child({ jobId });
    // The limit leaves SUBMISSION_MARGIN_MS before the result deadline (or less before maxDuration, which ends earlier).
    const submitBy: SubmitDeadline = { chain: resultDeadline, localMs: Date.now() + limit.ms + SUBMISSION_MARGIN_MS };
    if (limit.ms <= 0) {
      await this.failExecution(job, tooLate(limit), signal, submitBy);
      return;
    }
    let result: ExecutionResult;
    const deadline = deadlineSignal(limit.ms);
    const gpus = this.assignedGpus.get(jobKey(job))?.gpus;
    try {
      result = await this.options.executors.forSpec(loaded.spec).run(loaded, AbortSignal.any([signal, deadline.signal]), gpus);
      // Before the log line, the event and the result file's record, so that each names the GPUs the job ran on.
      const device = withAssignedGpus(result.metrics.device, gpus, this.options.gpus);
      result = { ...result, metrics: { ...result.metrics, device } };
    } catch (error) {
      if (signal.aborted) {
        log.warn("job aborted at shutdown; it will time out on-chain");
        this.emit({ type: "job-aborted", jobId });
      } else {
        // A result file still waiting for space when time ran out: what failed is the disk, named with what to free.
        const failure = deadline.signal.aborted && !(error instanceof ResultWriteError) ? new Error(`execution ran past ${limit.what}`) : error;
        await this.failExecution(job, failure, signal, submitBy);
      }
      return;
    } finally {
      deadline.clear();
    }
    log.info("job executed", {
      resultHash: result.resultHash,
      wallMs: result.metrics.wallMs,
      device: result.metrics.device,
    });
    this.emit({ type: "job-executed", jobId, result });
    // Before the submission: a job that times out on-chain is over all the same, and its file as prunable.
    await this.options.results
      ?.recordJob(jobId, result, this.options.escrow)
      .catch((error: unknown) => log.warn("cannot note the job of its result file, which will not be pruned", { error }));

    let challengeDeadline: bigint | undefined;
    try {
      challengeDeadline = await this.submit(job, result, signal, submitBy);
    } catch (error) {
      this.fail(jobId, "submit", error);
      return;
    }
    if (challengeDeadline === undefined) return;
    log.info("result submitted", { resultURI: result.resultURI, resultHash: result.resultHash, challengeDeadline });
    this.emit({
      type: "job-submitted",
      jobId,
      resultURI: result.resultURI,
      resultHash: result.resultHash,
      challengeDeadline,
    });

    if (this.options.policy.autoSettle) this.scheduleSettlement(job, challengeDeadline);
  }

  /**
   * Everything before acceptance: job state, requirements against the fresh registry record, spec, executor, job state
   * again. A job this provider already holds (Accepted or Submitted, heldBy) is answered `ours`, to be taken up as the
   * jobs in hand at start are rather than accepted.
   */
  private async prepare(job: CandidateJob, signal: AbortSignal): Promise<Prepared> {
    const { market, provider } = this.options;
    // Read first: a job accepted or submitted just before a crash may be missing from the jobs in hand listed at start
    // (the index lags the chain) and then offered as open; the checks below would refuse it (its GPUs and collateral are
    // held, its accept deadline may be past) and it would be slashed at its result deadline, or left unsettled.
    const before = await this.retry({ jobId: job.jobId, step: "read the job's state" }, () => this.stateOf(job), signal).catch(skipReplaced);
    const held = heldBy(before, provider);
    if (held !== undefined) return { ours: true, held };
    if (before.status !== JobStatus.Open) throw new SkipJob(`no longer open (${JobStatus[before.status]})`, true);
    await this.checkRequirements(job, signal);
    let loaded: LoadedSpec;
    try {
      loaded = await this.retry({ jobId: job.jobId, step: "fetch the spec" }, () => this.options.specs.load(job.specURI, job.terms.specHash, signal), signal);
    } catch (error) {
      // A document that cannot be read (an HTTP error, a file not there yet) may yet appear where the URI points: looked
      // at again when the source offers the job again, and not declined. One that is wrong stays wrong.
      if (error instanceof SpecError) {
        const unread = error instanceof SpecFetchError;
        throw new SkipJob(`bad spec: ${error.message}`, !unread, !unread);
      }
      throw error;
    }
    // A run that cannot end within maxDuration is stopped there and the job slashed at its result deadline.
    const refusal = this.options.executors.refusalReason(loaded.spec, job.terms.maxDuration);
    if (refusal !== undefined) throw new SkipJob(refusal, true, true);
    // Again: another provider may have taken it, or the client cancelled it, while the spec loaded.
    const state = await this.retry({ jobId: job.jobId, step: "read the job's state" }, () => this.stateOf(job), signal).catch(skipReplaced);
    if (state.status !== JobStatus.Open) throw new SkipJob(`no longer open (${JobStatus[state.status]})`, true);
    return { ours: false, loaded };
  }

  // Two jobs prepared at once both count the same free GPUs: the second acceptance would revert on-chain,
  // gas paid, and the job be dropped. One at a time, each capacity check below sees what the previous one reserved.
  private acceptInTurn(step: () => Promise<void>): Promise<void> {
    const turn = this.acceptTurn.then(step);
    this.acceptTurn = turn.catch(() => undefined);
    return turn;
  }

  /** Resolves with the job's result deadline, when the market says it. */
  private async accept(job: CandidateJob, signal: AbortSignal): Promise<bigint | undefined> {
    const { market } = this.options;
    await this.checkRequirements(job, signal);
    // Whether an attempt failed where it may have landed (in transit, a receipt not seen): a revert (estimated or mined)
    // did not accept the job.
    let mayHaveLanded = false;
    const attempt = () =>
      market.accept(job).catch((error: unknown) => {
        if (!(error instanceof MarketRejectedError)) mayHaveLanded = true;
        throw error;
      });
    try {
      return (await this.retry({ jobId: job.jobId, step: "accept" }, attempt, signal)).resultDeadline;
    } catch (rejection) {
      if (signal.aborted) throw rejection;
      // An earlier attempt may have landed although its answer was lost; the job's state says. Until it is read the job
      // may be ours and running towards a slash, so an outage is waited out, as at start (resumeJobsInHand): dropped
      // here, the job would be in neither the jobs offered as open nor, until a restart, the jobs in hand.
      const state = await this.retryWhileRunning({ jobId: job.jobId, step: "read the job's state" }, () => this.stateOf(job), signal, this.options.retry.maxDelayMs).catch(skipReplaced);
      if (state.status === JobStatus.Accepted && sameAddress(state.provider, this.options.provider)) {
        if (mayHaveLanded) return state.resultDeadline;
        // No acceptance of ours can have landed: another sender of the operator key (a second worker of this provider)
        // accepted it, and runs it. Run here as well it would be run twice, and the two submissions race.
        this.options.logger.warn(
          "a job was accepted for this provider by another sender of its operator key: run one worker per provider, or the two run each other's jobs",
          { jobId: job.jobId, provider: this.options.provider },
        );
        throw new SkipJob("accepted for this provider by another sender of its operator key (a second worker?); left to it, not run here", true);
      }
      // A revert stands; an outage (every try failed in transit) may be over by the time the source offers it again.
      const final = !(rejection instanceof RetryExhaustedError);
      throw new SkipJob(`accept failed: ${briefError(rejection)}`, final);
    }
  }

  /**
   * Holds `job`'s gpuCount of the offered GPUs for it. Throws SkipJob when too few are free: lasting when the worker
   * offers fewer than the job needs at all. Without a pool (no `gpus`), nothing.
   */
  private assignGpus(job: CandidateJob): void {
    if (this.gpuPool === undefined) return;
    let gpus: string[];
    try {
      gpus = this.gpuPool.acquire(job.terms.requirements.gpuCount);
    } catch (error) {
      if (!(error instanceof GpuAssignmentError)) throw error;
      throw new SkipJob(error.message, false, error.requested > error.total);
    }
    this.assignedGpus.set(jobKey(job), { jobId: job.jobId, gpus });
    this.options.logger.info("GPUs assigned", { jobId: job.jobId, gpus });
  }

  private releaseGpus(job: CandidateJob): void {
    const key = jobKey(job);
    const held = this.assignedGpus.get(key);
    if (held === undefined) return;
    this.assignedGpus.delete(key);
    this.gpuPool?.release(held.gpus);
    this.options.logger.debug("GPUs released", { jobId: job.jobId, gpus: held.gpus });
  }

  /** What acceptJob checks, against the chain's current state: throws SkipJob for a job it would refuse. */
  private async checkRequirements(job: CandidateJob, signal: AbortSignal): Promise<void> {
    const { market } = this.options;
    const [record, chainTime] = await this.retry({ jobId: job.jobId, step: "read the provider's record and the chain's time" }, () => Promise.all([market.getProvider(), market.chainTime()]), signal);
    if (!record.registered) throw new ProviderNotRegisteredError(this.options.provider);
    const mismatch = requirementRefusal(job, record, chainTime);
    // Past its acceptance deadline a job can never be taken: not looked at again when offered again.
    const expired = chainTime > job.terms.acceptDeadline;
    if (mismatch !== undefined) throw new SkipJob(mismatch.reason, expired, mismatch.lasting);
    // An acceptance Staking.lock would refuse is not sent: its gas estimate would fail, or, estimated before another
    // lock, it would revert mined. Stake frees up as jobs end and owners add more, so the job is looked at again when
    // the source offers it again (its next openJobs re-read), not at once.
    const shortfall = collateralRefusal(await this.retry({ jobId: job.jobId, step: "read the collateral" }, () => market.collateral(job.jobId), signal));
    if (shortfall !== undefined) throw new SkipJob(shortfall.reason, false, shortfall.lasting);
  }

  /**
   * Decline a job directed at us that we will not run (policy.declineDirectedJobs), so its client is refunded now
   * rather than at its acceptance deadline. In the background: the job loop goes on meanwhile.
   */
  private decline(job: CandidateJob, reason: string): void {
    const { policy, provider } = this.options;
    if (!policy.declineDirectedJobs || !sameAddress(job.terms.targetProvider, provider)) return;
    // Offered again (a re-read) while the first decline is on its way: one transaction is enough.
    const key = jobKey(job);
    if (this.declines.has(key)) return;
    this.declines.set(key, this.declineNow(job, reason).finally(() => this.declines.delete(key)));
  }

  private async declineNow(job: CandidateJob, reason: string): Promise<void> {
    const { market, logger } = this.options;
    const { jobId } = job;
    const signal = this.intake.signal;
    try {
      try {
        // The job itself, not its id: a decline still on its way when the chain restarts must not refund the job
        // that the restarted chain stores under the same id (market.decline checks before each transaction).
        await this.retry({ jobId, step: "decline" }, () => market.decline(job), signal);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof JobReplacedError) {
          logger.warn("job not declined: its id now names another job on-chain (the chain restarted?)", { jobId, reason });
          return;
        }
        // An earlier attempt may have landed although its answer was lost, or the client cancelled meanwhile.
        let state: JobState;
        try {
          state = await this.retry({ jobId, step: "read the job's state" }, () => this.stateOf(job), signal);
        } catch (readError) {
          if (!(readError instanceof JobReplacedError)) throw readError;
          logger.warn("job not declined: its id now names another job on-chain (the chain restarted?)", { jobId, reason });
          return;
        }
        if (state.status === JobStatus.Open) throw error;
        if (state.status !== JobStatus.Declined) {
          logger.info("job not declined: no longer open", { jobId, status: JobStatus[state.status] });
          return;
        }
      }
      logger.info("job declined: the client is refunded", { jobId, reason });
      this.emit({ type: "job-declined", jobId, reason });
    } catch (error) {
      if (!signal.aborted) this.fail(jobId, "decline", error);
    }
  }

  /**
   * The result is computed: a job left unsubmitted has its collateral slashed at the result deadline, so an outage
   * longer than one round of retries is waited out, round after round, until that deadline has passed.
   */
  private async submit(job: CandidateJob, result: ExecutionResult, signal: AbortSignal, by: SubmitDeadline): Promise<bigint | undefined> {
    const { market, logger } = this.options;
    const { jobId } = job;
    const attempt = () => market.submit(job, result.resultURI, result.resultHash);
    for (;;) {
      try {
        const receipt = await this.retry({ jobId, step: "submit" }, attempt, signal);
        return receipt.challengeDeadline;
      } catch (rejection) {
        // Replaced: the state the chain holds under the id is another job's, and says nothing of this one.
        if (signal.aborted || rejection instanceof JobReplacedError) throw rejection;
        if (rejection instanceof RetryExhaustedError && !(await this.pastResultDeadline(by))) {
          logger.warn("cannot reach the chain to submit; trying again until the result deadline", {
            jobId,
            resultDeadline: by.chain,
            error: briefError(rejection),
          });
          await sleep(this.options.retry.maxDelayMs, signal);
          continue;
        }
        const state = await this.retry({ jobId, step: "read the job's state" }, () => this.stateOf(job), signal);
        const landed = state.status === JobStatus.Submitted || state.status === JobStatus.Disputed;
        const { submittedAt, challengeDeadline } = state;
        if (landed && sameAddress(state.provider, this.options.provider) && submittedAt !== undefined && challengeDeadline !== undefined) {
          // The chain's result hash says whose result landed: ours (a try whose answer was lost), or another sender's of
          // the operator key (a second worker of this provider, which took the job up as a job in hand too), whose result
          // stands and which settles the job. An equal hash is the same result, whoever sent it.
          const landedResultHash = await this.retry({ jobId, step: "read the landed result's hash" }, () => market.landedResultHash(jobId, submittedAt), signal);
          if (landedResultHash.toLowerCase() === result.resultHash.toLowerCase()) return challengeDeadline;
          logger.warn(
            "a job's result was submitted for this provider by another sender of its operator key: its result stands, this run's is dropped; run one worker per provider, or the two run each other's jobs",
            { jobId, provider: this.options.provider, resultHash: result.resultHash, landedResultHash },
          );
          return undefined;
        }
        throw rejection;
      }
    }
  }

  /** On the chain's clock when it answers (an outage may be partial), else on ours. */
  private async pastResultDeadline(by: SubmitDeadline): Promise<boolean> {
    if (by.chain !== undefined) {
      const now = await this.options.market.chainTime().catch(() => undefined);
      if (now !== undefined) return now > by.chain;
    }
    return Date.now() > by.localMs;
  }

  /**
   * An accepted job that failed at execute, which this run does not try again. Left alone it would hold the client's
   * escrow, and this provider's GPUs on-chain, until its result deadline, and then be slashed all the same
   * (claimTimeout); given back now (JobEscrow.abandonJob: the same refund and slash), the client has its money back at
   * once and the GPUs are free for other jobs. Not at a stop (the next run takes the job up again), nor for a job the
   * chain no longer stores under its id. `by`: the job's result deadline, until which an outage is waited out.
   */
  private async failExecution(job: CandidateJob, error: unknown, signal: AbortSignal, by: SubmitDeadline): Promise<void> {
    this.fail(job.jobId, "execute", error);
    if (signal.aborted || error instanceof JobReplacedError) return;
    await this.giveBack(job, briefError(error), signal, by);
  }

  /**
   * As a submission: an outage longer than one round of retries is waited out, round after round, until the result
   * deadline, after which the escrow refuses the give-back and the job is anyone's timeout to claim (the same refund
   * and slash). Given up sooner, the client's escrow and the provider's GPUs would stay held until then.
   */
  private async giveBack(job: CandidateJob, reason: string, signal: AbortSignal, by: SubmitDeadline): Promise<void> {
    const { market, logger } = this.options;
    const { jobId } = job;
    try {
      try {
        for (;;) {
          try {
            await this.retry({ jobId, step: "give back" }, () => market.abandon(job), signal);
            break;
          } catch (error) {
            if (signal.aborted || !(error instanceof RetryExhaustedError) || (await this.pastResultDeadline(by))) throw error;
            logger.warn("cannot reach the chain to give the job back; trying again until the result deadline", {
              jobId,
              resultDeadline: by.chain,
              error: briefError(error),
            });
            await sleep(this.options.retry.maxDelayMs, signal);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof JobReplacedError) {
          logger.warn("job not given back: its id now names another job on-chain (the chain restarted?)", { jobId, reason });
          return;
        }
        // An earlier attempt may have landed although its answer was lost; or the deadline passed first.
        const state = await this.retry({ jobId, step: "read the job's state" }, () => this.stateOf(job), signal);
        if (state.status === JobStatus.TimedOut) {
          logger.info("job timed out on-chain (given back by a try whose answer was lost, or its timeout claimed)", { jobId, reason });
        } else if (state.status !== JobStatus.Accepted) {
          // Past Accepted and not timed out, a result was submitted: by another sender of the operator key (a second worker
          // of this provider running the job in hand too), whose run did not fail. Nothing is left to give back or claim.
          logger.warn("job not given back: another sender of its operator key (a second worker of this provider?) submitted a result for it, which stands", {
            jobId,
            status: JobStatus[state.status],
            reason,
          });
        } else {
          logger.warn("job not given back: anyone may claim its timeout (the same refund and slash) once its result deadline has passed", {
            jobId,
            status: JobStatus[state.status],
            reason,
            error: briefError(error),
          });
        }
        return;
      }
      logger.warn("job given back: its client is refunded and its collateral slashed as at a timeout, now rather than at its result deadline", {
        jobId,
        reason,
      });
      this.emit({ type: "job-abandoned", jobId, reason });
    } catch (error) {
      if (signal.aborted) return;
      logger.warn("job not given back: anyone may claim its timeout (the same refund and slash) once its result deadline has passed", { jobId, reason, error: briefError(error) });
    }
  }

  private fail(jobId: bigint, stage: FailureStage, error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.options.logger.error(`job failed at ${stage}`, { jobId, error: failure });
    this.emit({ type: "job-failed", jobId, stage, error: failure });
  }

  /**
   * Temporary result files left by a crash between a write and its rename, which no job ever names, and the job
   * directories of runs a crash cut short (the jobs run again in new ones).
   */
  private async removeStaleTemporaries(): Promise<void> {
    const { results, executors, logger } = this.options;
    try {
      const removed = (await results?.removeStaleTemporaries()) ?? [];
      if (removed.length > 0) logger.info("stale temporary result files removed", { removed });
    } catch (error) {
      logger.warn("cannot remove stale temporary result files", { error });
    }
    try {
      const removed = await executors.removeStaleFiles();
      if (removed.length > 0) logger.info("job directories left by a worker that died removed", { removed });
    } catch (error) {
      logger.warn("cannot remove the job directories left by a worker that died", { error });
    }
  }

  /** Until the worker stops: prune result files now and after every interval. A failure waits for the next turn. */
  private async pruneResults(): Promise<void> {
    const { results, resultRetentionMs = 0, market, logger, escrow } = this.options;
    if (results === undefined || resultRetentionMs <= 0) return;
    const signal = this.intake.signal;
    const status = async (jobId: bigint) =>
      (await this.retry({ jobId, step: "read the job's state" }, untilAborted(() => market.getJobState(jobId), signal), signal)).status;
    while (!signal.aborted) {
      try {
        const { deleted, kept } = await results.prune(resultRetentionMs, status, { escrow });
        if (deleted.length > 0) logger.info("result files past their retention deleted", { deleted, kept });
      } catch (error) {
        if (signal.aborted) return;
        logger.warn("cannot prune result files now; trying again later", { error });
      }
      await sleep(this.options.resultPruneIntervalMs ?? 3_600_000, signal).catch(() => undefined);
    }
  }

  /**
   * `job`'s state, read by its id only while the chain stores it there (its client and terms hash), else
   * JobReplacedError: a chain restarted beneath the worker (a devnet) counts job ids from 1 again, and another job's
   * state read as this one's would have it run, settled or reported for a job it never held.
   */
  private async stateOf(job: CandidateJob): Promise<JobState> {
    const state = await this.options.market.getJobState(job.jobId);
    if (!storesJob(state, job, hashJobTerms(job.terms))) {
      throw new JobReplacedError("read", job.jobId);
    }
    return state;
  }

  private scheduleSettlement(job: CandidateJob, challengeDeadline: bigint): void {
    const key = jobKey(job);
    const settlement = this.settle(job, challengeDeadline).finally(() => {
      this.settlements.delete(settlement);
      this.settling.delete(key);
    });
    this.settlements.add(settlement);
    this.settling.add(key);
  }

  /** Wait (in chain time) for the challenge window to pass, then settle unless someone else already did. */
  private async settle(job: CandidateJob, challengeDeadline: bigint): Promise<void> {
    const { market, logger } = this.options;
    const { jobId } = job;
    const signal = this.intake.signal;
    const pollMs = this.options.settlementPollMs ?? 60_000;
    try {
      for (;;) {
        const now = await this.retryWhileRunning({ jobId, step: "read the chain's time" }, untilAborted(() => market.chainTime(), signal), signal, pollMs);
        if (now > challengeDeadline) {
          const state = await this.retryWhileRunning({ jobId, step: "read the job's state" }, untilAborted(() => this.stateOf(job), signal), signal, pollMs);
          if (state.status === JobStatus.Disputed) {
            logger.warn("the client disputed the result; leaving the job to the dispute process", { jobId });
            this.emit({ type: "job-disputed", jobId });
            return;
          }
          if (state.status !== JobStatus.Submitted) {
            this.emit({ type: "job-settled", jobId, by: "other" });
            return;
          }
          try {
            await this.retryWhileRunning({ jobId, step: "settle" }, untilAborted(() => market.settle(job), signal), signal, pollMs);
            logger.info("job settled", { jobId });
            this.emit({ type: "job-settled", jobId, by: "worker" });
            return;
          } catch (error) {
            // The next block may carry an older timestamp than our estimate of the chain's time: look again later.
            if (error instanceof JobReplacedError) throw error;
            if (!(error instanceof ChallengeWindowOpenError)) {
              // An earlier attempt may have landed although its answer was lost (its retry then reverts), or the
              // client approved meanwhile: unless the job is still waiting, the next look reports what became of it.
              const after = await this.retryWhileRunning({ jobId, step: "read the job's state" }, untilAborted(() => this.stateOf(job), signal), signal, pollMs);
              if (after.status === JobStatus.Submitted) throw error;
              continue;
            }
          }
        }
        const waitMs = now > challengeDeadline ? pollMs : Math.min(pollMs, Number(challengeDeadline - now + 1n) * 1000);
        await sleep(waitMs, signal);
      }
    } catch (error) {
      if (signal.aborted) {
        logger.info("stopping before settlement; anyone can settle the job later", { jobId, challengeDeadline });
        return;
      }
      if (error instanceof JobReplacedError) {
        logger.warn("job not settled: its id now names another job on-chain (the chain restarted?)", { jobId });
        return;
      }
      this.fail(jobId, "settle", error);
    }
  }
}

/** What prepare found: an open job, ready to accept, or one this provider already holds (from an earlier run). */
type Prepared = { ours: false; loaded: LoadedSpec } | { ours: true; held: Held };

/** A job this provider holds and what is left to do with it: run and submit it (Accepted), or settle it (Submitted). */
type Held =
  | { status: JobStatus.Accepted; resultDeadline: bigint }
  | { status: JobStatus.Submitted; challengeDeadline: bigint };

/** A job whose id the chain now gives another job (restarted beneath the worker) is skipped for good. */
function skipReplaced(error: unknown): never {
  if (error instanceof JobReplacedError) throw new SkipJob("its id now names another job on-chain (the chain restarted?)", true);
  throw error;
}

/** Whether `state` is of a job `provider` holds, for the jobs in hand at start and those offered as open alike. */
function heldBy(state: JobState, provider: string): Held | undefined {
  if (!sameAddress(state.provider, provider)) return undefined;
  if (state.status === JobStatus.Accepted && state.resultDeadline !== undefined) {
    return { status: JobStatus.Accepted, resultDeadline: state.resultDeadline };
  }
  if (state.status === JobStatus.Submitted && state.challengeDeadline !== undefined) {
    return { status: JobStatus.Submitted, challengeDeadline: state.challengeDeadline };
  }
  return undefined;
}

/** What a retried call was for, named in its log lines: the job (none for the worker's own reads) and the step. */
interface RetryContext {
  jobId?: bigint;
  step: string;
}

/** When a submission can no longer land: the job's result deadline, on the chain's clock if known and on ours. */
interface SubmitDeadline {
  chain: bigint | undefined;
  localMs: number;
}

interface ExecutionLimit {
  ms: number;
  /** What ends it, for the error when a run is abandoned. */
  what: string;
}

// Billing stops at maxDuration and a result is refused soon after, so a run that long is abandoned; so is one that
// would leave no time to submit before the result deadline, which is counted from the acceptance, not from the start
// of the run (an acceptance whose answer came late, a job resumed after a restart).
function executionLimit(job: CandidateJob, resultDeadline: bigint | undefined, now: bigint | undefined): ExecutionLimit {
  const maxDuration = { ms: job.terms.maxDuration * 1000, what: `the job's maxDuration (${job.terms.maxDuration} s)` };
  if (resultDeadline === undefined || now === undefined) return maxDuration;
  const leftMs = Number(resultDeadline - now) * 1000 - SUBMISSION_MARGIN_MS;
  if (leftMs >= maxDuration.ms) return maxDuration;
  const margin = `${SUBMISSION_MARGIN_MS / 1000} s to submit`;
  return { ms: Math.max(0, leftMs), what: `the time left before the job's result deadline (${resultDeadline}), less ${margin}` };
}

function tooLate(limit: ExecutionLimit): Error {
  return new Error(`too late to run: no time is left within ${limit.what}`);
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
