import { expect } from "chai";
import { ZeroAddress, ZeroHash, keccak256, makeError } from "ethers";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PARAM_BOUNDS } from "../../../scripts/deploy";
import type { MatmulExecutorConfig, PolicyConfig } from "../../../scripts/worker/config";
import { ProviderNotRegisteredError } from "../../../scripts/worker/chain";
import { Worker, WorkerEvent, WorkerOptions } from "../../../scripts/worker/daemon";
import { GatewayResponseError } from "../../../scripts/worker/gateway-errors";
import { hashJobTerms } from "../../../scripts/worker/gateway-jobs";
import { CommandExecutor } from "../../../scripts/worker/executors/command";
import { MatmulExecutor } from "../../../scripts/worker/executors/matmul";
import { computeMatmulResult } from "../../../scripts/worker/executors/matmul-kernel";
import { ExecutorRegistry } from "../../../scripts/worker/executors/registry";
import { ResultStore, ResultWriteError, escrowKey } from "../../../scripts/worker/executors/results";
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionResult,
  Executor,
} from "../../../scripts/worker/executors/types";
import { TierCode, encodeShortId } from "../../../scripts/worker/ids";
import { createLogger, silentLogger, type LogRecord } from "../../../scripts/worker/logger";
import {
  AcceptReceipt,
  CandidateJob,
  ChallengeWindowOpenError,
  CollateralQuote,
  JobMarket,
  JobReplacedError,
  JobSource,
  JobState,
  JobStatus,
  MarketRejectedError,
  ProviderRecord,
  SubmitReceipt,
} from "../../../scripts/worker/market";
import type { SpecLoader } from "../../../scripts/worker/daemon";
import type { JobSpec, LoadedSpec } from "../../../scripts/worker/spec";
import { SpecFetchError, SpecFetcher } from "../../../scripts/worker/spec-fetch";
import { waitUntil } from "../../helpers/wait";

const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const MATMUL_CONFIG: MatmulExecutorConfig = {
  enabled: true,
  maxN: 2048,
  multiplyAddsPerSecond: 1e9,
  margin: { seconds: 30, fraction: 0.25 },
};
const OTHER_PROVIDER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
/** A client other than makeJob's, for a job a restarted chain stores under a reused id. */
const OTHER_CLIENT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

// ---------------------------------------------------------------- test doubles (the real ones come with the wiring)

/** A JobSource fed by the test. */
class QueueJobSource implements JobSource {
  private readonly queue: CandidateJob[] = [];
  private wake: (() => void) | undefined;
  /** What jobsInHand answers. */
  inHand: CandidateJob[] = [];
  /** Failures jobsInHand throws first, in order. */
  readonly inHandFailures: (() => Error)[] = [];

  /** How often jobsInHand was called. */
  inHandCalls = 0;
  private reconnected: (() => void) | undefined;

  async jobsInHand(): Promise<CandidateJob[]> {
    this.inHandCalls += 1;
    const failure = this.inHandFailures.shift();
    if (failure) throw failure();
    return this.inHand;
  }

  push(...jobs: CandidateJob[]): void {
    this.queue.push(...jobs);
    this.wake?.();
  }

  /** From now on jobs() throws `error`, as a gateway refusing the query does. */
  fail(error: Error): void {
    this.failure = error;
    this.wake?.();
  }

  private failure: Error | undefined;

  get pending(): number {
    return this.queue.length;
  }

  /** Feeds (jobs() calls) not yet ended: a reader that may still take a job pushed. */
  openFeeds = 0;

  /** As a source whose connection dropped and came back (beneath it, the chain may have restarted). */
  reconnect(): void {
    this.reconnected?.();
  }

  async *jobs(signal: AbortSignal, reconnected?: () => void): AsyncGenerator<CandidateJob> {
    this.reconnected = reconnected;
    this.openFeeds += 1;
    try {
      while (!signal.aborted) {
        if (this.failure) throw this.failure;
        const job = this.queue.shift();
        if (job) {
          yield job;
          continue;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        this.wake = undefined;
      }
    } finally {
      this.openFeeds -= 1;
    }
  }
}

type Operation = "accept" | "submit" | "settle" | "decline" | "abandon";
type StoredJob = JobState & {
  /** What tells it from another job stored under its id after a restart: its client and terms hash. */
  identity: string;
  gpuCount: number;
  escrowed: bigint;
  collateral?: bigint;
  submitted?: { uri: string; hash: string };
};

/** An escrow and registry in memory, following IJobEscrow's rules for the calls the worker makes. */
class InMemoryEscrow implements JobMarket {
  chainNow = 1_000_000n;
  challengeWindow = 100n;
  provider: ProviderRecord = {
    registered: true,
    active: true,
    online: true,
    gpuModel: "rtx-4090-24gb",
    region: "eu-west",
    vramGiB: 24,
    gpuCount: 4,
    gpusInUse: 0,
    operator: ZeroAddress,
    tier: TierCode.Consumer,
    pricePerGpuHour: 100n,
    completedJobs: 0,
    maxSlashRewardBps: 10_000,
  };
  /** The escrow's collateralRatioBps and the provider's stake, as Staking keeps it (locked: see lockedStake). */
  collateralRatioBps = 5_000n;
  staked = 10n ** 21n;
  thawing = 0n;
  readonly calls: string[] = [];
  readonly states = new Map<bigint, StoredJob>();
  /** Failures to throw before an operation takes effect, in order (each may first change the state, as a rival would). */
  readonly failBefore: Record<Operation, (() => Error)[]> = { accept: [], submit: [], settle: [], decline: [], abandon: [] };
  /** Errors to throw after an operation took effect (its answer "lost"), in order. */
  readonly failAfter: Record<Operation, Error[]> = { accept: [], submit: [], settle: [], decline: [], abandon: [] };
  /** Failures of the next reads of the chain's time, in order. */
  readonly chainTimeFailures: (() => Error)[] = [];
  /** How often the chain's time was read. */
  chainTimeReads = 0;

  post(job: CandidateJob): void {
    this.states.set(job.jobId, {
      identity: storedIdentity(job),
      client: job.client,
      termsHash: hashJobTerms(job.terms),
      status: JobStatus.Open,
      provider: job.terms.targetProvider,
      gpuCount: job.terms.requirements.gpuCount,
      escrowed: job.escrowed,
    });
  }

  get lockedStake(): bigint {
    return [...this.states.values()].reduce((sum, state) => sum + (state.collateral ?? 0n), 0n);
  }

  async collateral(jobId: bigint): Promise<CollateralQuote> {
    this.calls.push(`collateral:${jobId}`);
    return this.quote(jobId);
  }

  private quote(jobId: bigint): CollateralQuote {
    const escrowed = this.states.get(jobId)?.escrowed ?? 0n;
    const locked = this.lockedStake;
    return {
      collateral: (escrowed * this.collateralRatioBps + 9_999n) / 10_000n,
      freeStake: this.staked - locked - this.thawing,
      lockedStake: locked,
    };
  }

  async getProvider(): Promise<ProviderRecord> {
    const inUse = [...this.states.values()]
      .filter((state) => state.status === JobStatus.Accepted)
      .reduce((sum, state) => sum + state.gpuCount, 0);
    return { ...this.provider, gpusInUse: inUse };
  }

  async getJobState(jobId: bigint): Promise<JobState> {
    const state = this.states.get(jobId);
    if (!state) return { status: JobStatus.None, provider: ZeroAddress, client: ZeroAddress, termsHash: ZeroHash };
    const { status, provider, client, termsHash, submittedAt, challengeDeadline, resultDeadline } = state;
    return { status, provider, client, termsHash, submittedAt, challengeDeadline, resultDeadline };
  }

  async landedResultHash(jobId: bigint, submittedAt: bigint): Promise<string> {
    const state = this.states.get(jobId);
    if (state?.submitted === undefined) throw new Error(`job ${jobId} has no submitted result`);
    // The contract market's log search stops at submittedAt: a later one would miss the event.
    if (submittedAt !== state.submittedAt) throw new Error(`job ${jobId} was submitted at ${state.submittedAt}, not ${submittedAt}`);
    return state.submitted.hash;
  }

  async chainTime(): Promise<bigint> {
    this.chainTimeReads += 1;
    const failure = this.chainTimeFailures.shift();
    if (failure) throw failure();
    return this.chainNow;
  }

  async accept(job: CandidateJob): Promise<AcceptReceipt> {
    const state = this.begin("accept", job.jobId);
    if (state.status !== JobStatus.Open)
      throw new MarketRejectedError("accept", job.jobId, "JobEscrowUnexpectedStatus");
    const free = this.provider.gpuCount - (await this.getProvider()).gpusInUse;
    if (state.gpuCount > free) throw new MarketRejectedError("accept", job.jobId, "ProviderRegistryInsufficientCapacity");
    const { collateral, freeStake } = this.quote(job.jobId);
    if (collateral > freeStake) throw new MarketRejectedError("accept", job.jobId, "StakingInsufficientFreeStake");
    state.collateral = collateral;
    state.status = JobStatus.Accepted;
    state.provider = PROVIDER;
    state.resultDeadline = this.chainNow + BigInt(job.terms.maxDuration) + 600n;
    return this.end("accept", { resultDeadline: state.resultDeadline });
  }

  async submit(job: CandidateJob, resultURI: string, resultHash: string): Promise<SubmitReceipt> {
    const { jobId } = job;
    const state = this.begin("submit", jobId);
    if (state.identity !== storedIdentity(job)) throw new JobReplacedError("submit", jobId);
    if (state.status !== JobStatus.Accepted)
      throw new MarketRejectedError("submit", jobId, "JobEscrowUnexpectedStatus");
    state.status = JobStatus.Submitted;
    state.resultDeadline = undefined;
    state.submittedAt = this.chainNow;
    state.challengeDeadline = this.chainNow + this.challengeWindow;
    state.submitted = { uri: resultURI, hash: resultHash };
    return this.end("submit", { challengeDeadline: state.challengeDeadline, cost: 1n });
  }

  async settle(job: CandidateJob): Promise<void> {
    const { jobId } = job;
    const state = this.begin("settle", jobId);
    if (state.identity !== storedIdentity(job)) throw new JobReplacedError("settle", jobId);
    if (state.status !== JobStatus.Submitted)
      throw new MarketRejectedError("settle", jobId, "JobEscrowUnexpectedStatus");
    if (this.chainNow <= (state.challengeDeadline as bigint))
      throw new ChallengeWindowOpenError(jobId, state.challengeDeadline as bigint);
    state.status = JobStatus.Completed;
    state.collateral = undefined;
    this.end("settle", undefined);
  }

  /** Checks the job stored under the id is `job`, as ContractMarket does before each write. */
  async decline(job: CandidateJob): Promise<void> {
    const { jobId } = job;
    const state = this.begin("decline", jobId);
    if (state.identity !== storedIdentity(job)) throw new JobReplacedError("decline", jobId);
    if (state.status !== JobStatus.Open) throw new MarketRejectedError("decline", jobId, "JobEscrowUnexpectedStatus");
    if (state.provider === ZeroAddress) throw new MarketRejectedError("decline", jobId, "JobEscrowNotDirected");
    if (state.provider !== PROVIDER) throw new MarketRejectedError("decline", jobId, "JobEscrowUnauthorized");
    state.status = JobStatus.Declined;
    this.end("decline", undefined);
  }

  /** As JobEscrow.abandonJob: the provider's Accepted job, up to its result deadline, ends as a timeout. */
  async abandon(job: CandidateJob): Promise<void> {
    const { jobId } = job;
    const state = this.begin("abandon", jobId);
    if (state.identity !== storedIdentity(job)) throw new JobReplacedError("abandon", jobId);
    if (state.status !== JobStatus.Accepted) throw new MarketRejectedError("abandon", jobId, "JobEscrowUnexpectedStatus");
    if (state.provider !== PROVIDER) throw new MarketRejectedError("abandon", jobId, "JobEscrowUnauthorized");
    if (this.chainNow > (state.resultDeadline as bigint)) throw new MarketRejectedError("abandon", jobId, "JobEscrowResultDeadlinePassed");
    state.status = JobStatus.TimedOut;
    state.resultDeadline = undefined;
    state.collateral = undefined;
    this.end("abandon", undefined);
  }

  count(operation: Operation | "collateral", jobId?: bigint): number {
    return this.calls.filter(
      (call) => call === `${operation}:${jobId}` || (jobId === undefined && call.startsWith(`${operation}:`)),
    ).length;
  }

  private begin(operation: Operation, jobId: bigint): StoredJob {
    this.calls.push(`${operation}:${jobId}`);
    const before = this.failBefore[operation].shift();
    if (before) throw before();
    const state = this.states.get(jobId);
    if (!state) throw new MarketRejectedError(operation, jobId, "JobEscrowUnknownJob");
    return state;
  }

  private end<T>(operation: Operation, value: T): T {
    const after = this.failAfter[operation].shift();
    if (after) throw after;
    return value;
  }
}

function storedIdentity(job: CandidateJob): string {
  return `${job.client.toLowerCase()} ${hashJobTerms(job.terms)}`;
}

/** Runs "matmul" jobs only when the test opens its gate; counts how many run at once. */
class GatedExecutor implements Executor {
  readonly kind = "matmul" as const;
  running = 0;
  maxRunning = 0;
  readonly signals: AbortSignal[] = [];
  /** The GPUs each run was given, in the order the runs started. */
  readonly gpus: (readonly string[] | undefined)[] = [];
  private opened = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly results: ResultStore,
    /** Appended to each result: a worker computing another result than its twin's for the same job. */
    private readonly variant = "",
  ) {}

  open(): void {
    this.opened = true;
    this.waiters.splice(0).forEach((wake) => wake());
  }

  /** Lets the longest-waiting run finish, the others still held. */
  openOne(): void {
    this.waiters.shift()?.();
  }

  refusalReason(spec: JobSpec): string | undefined {
    return spec.kind === "matmul" ? undefined : "not matmul";
  }

  async run(loaded: LoadedSpec, signal: AbortSignal, gpus?: readonly string[]): Promise<ExecutionResult> {
    this.signals.push(signal);
    this.gpus.push(gpus);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.opened) return resolve();
        this.waiters.push(resolve);
        signal.addEventListener("abort", () => reject(new ExecutionAbortedError("matmul")), { once: true });
      });
    } finally {
      this.running -= 1;
    }
    const bytes = new TextEncoder().encode(`result of ${loaded.hash}${this.variant}`);
    const published = await this.results.publish(bytes);
    const metrics = {
      device: { type: "cpu" as const, name: "test" },
      startedAt: new Date().toISOString(),
      wallMs: 0,
      details: {},
    };
    return { resultBytes: bytes, ...published, metrics };
  }
}

/** A spec server that is down (ECONNREFUSED, a transient failure) for its first `failures` requests, then answers. */
/** A node that is down, as Node's fetch reports it: transient, so retried. */
function refusedConnection(): Error {
  return Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
}

/** `count` failures of a node that is down, for a fake's queue of failures. */
function refusals(count: number): (() => Error)[] {
  return Array.from({ length: count }, () => refusedConnection);
}

class FlakySpecLoader implements SpecLoader {
  requests = 0;
  private readonly fetcher = new SpecFetcher({ maxBytes: 4096, timeoutMs: 1000, allowHttp: false });

  constructor(
    private readonly failures: number,
    /** Called at each failed request, e.g. to move the chain's clock on as a long outage would. */
    private readonly onFailure: () => void = () => undefined,
    /** How each failure reads: a refused connection, or a server that answers 404 (not worth retrying in general). */
    private readonly failure: "refused" | "not-found" = "refused",
  ) {}

  async load(uri: string, expectedHash: string, signal?: AbortSignal): Promise<LoadedSpec> {
    this.requests += 1;
    if (this.requests <= this.failures) {
      this.onFailure();
      throw this.failure === "refused"
        ? new SpecFetchError(uri, "connect ECONNREFUSED 127.0.0.1:8080", true)
        : new SpecFetchError(uri, "HTTP 404 Not Found", false, 404);
    }
    return this.fetcher.load(uri, expectedHash, signal);
  }
}

/** An executor that always fails, as a crashed workload would. */
class FailingExecutor implements Executor {
  readonly kind = "matmul" as const;
  refusalReason(): string | undefined {
    return undefined;
  }
  async run(): Promise<ExecutionResult> {
    throw new ExecutionError("CUDA error: out of memory");
  }
}

// ---------------------------------------------------------------- helpers

function specDocument(kind: "matmul" | "command", id: bigint): string {
  return kind === "matmul"
    ? JSON.stringify({ version: 1, kind, params: { n: 4, seed: keccak256(Buffer.from(`seed ${id}`)), rounds: 1 } })
    : JSON.stringify({ version: 1, kind, params: { input: `job ${id}` } });
}

function makeJob(
  id: number,
  options: { kind?: "matmul" | "command"; specHash?: string } & Partial<CandidateJob["terms"]> = {},
): CandidateJob {
  const jobId = BigInt(id);
  const { kind = "matmul", specHash, ...terms } = options;
  const document = specDocument(kind, jobId);
  return {
    jobId,
    client: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    specURI: `data:application/json;base64,${Buffer.from(document).toString("base64")}`,
    escrowed: 10n ** 18n,
    terms: {
      requirements: {
        gpuModel: `0x${"00".repeat(32)}`,
        region: `0x${"00".repeat(16)}`,
        minVramGiB: 0,
        gpuCount: 1,
        tier: TierCode.Any,
        minCompletedJobs: 0,
        minSlashRewardBps: 0,
      },
      maxPricePerGpuHour: 1_000n,
      maxDuration: 3600,
      acceptDeadline: 2_000_000n,
      targetProvider: ZeroAddress,
      specHash: specHash ?? keccak256(Buffer.from(document)),
      ...terms,
    },
  };
}

// Bounded, and named by the condition's own source: each of the many waits here is plain from its code, and one that
// never ends fails saying which it was rather than as a bare test timeout.
async function waitFor(condition: () => boolean): Promise<void> {
  await waitUntil(condition, String(condition));
}

describe("worker job loop", () => {
  let dir: string;
  let store: ResultStore;
  let source: QueueJobSource;
  let market: InMemoryEscrow;
  let events: WorkerEvent[];
  let workers: Worker[];

  beforeEach(() => {
    workers = [];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-daemon-"));
    store = new ResultStore({ dir, maxUriBytes: 256 });
    source = new QueueJobSource();
    market = new InMemoryEscrow();
    events = [];
  });
  // A test that fails half-way must not leave its worker running into the next one.
  afterEach(async () => {
    workers.forEach((subject) => subject.abortNow());
    await Promise.all(workers.map((subject) => subject.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function worker(
    executor: Executor,
    overrides: { policy?: Partial<PolicyConfig>; graceMs?: number } & Partial<
      Pick<WorkerOptions, "results" | "resultRetentionMs" | "resultPruneIntervalMs" | "logger" | "specs" | "gpus" | "escrow">
    > = {},
  ): Worker {
    const subject = new Worker({
      provider: PROVIDER,
      gpus: overrides.gpus,
      policy: {
        maxConcurrentJobs: 1,
        minPricePerGpuHour: 0n,
        maxDurationSeconds: 86_400,
        acceptedKinds: ["matmul"],
        autoSettle: true,
        settlementPollMs: 5,
        declineDirectedJobs: true,
        ...overrides.policy,
      },
      source,
      market,
      executors: new ExecutorRegistry([executor], [executor.kind]),
      specs: overrides.specs ?? new SpecFetcher({ maxBytes: 4096, timeoutMs: 1000, allowHttp: false }),
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, multiplier: 2, jitter: 0 },
      shutdownGraceMs: overrides.graceMs ?? 5000,
      logger: overrides.logger ?? silentLogger,
      onEvent: (event) => events.push(event),
      settlementPollMs: 5,
      results: overrides.results,
      resultRetentionMs: overrides.resultRetentionMs,
      resultPruneIntervalMs: overrides.resultPruneIntervalMs,
      escrow: overrides.escrow,
    });
    workers.push(subject);
    return subject;
  }

  function offer(...jobs: CandidateJob[]): void {
    jobs.forEach((job) => market.post(job));
    source.push(...jobs);
  }

  const eventsOf = (type: WorkerEvent["type"], jobId?: bigint) =>
    events.filter((event) => event.type === type && (jobId === undefined || event.jobId === jobId));
  const skipReason = (jobId: bigint) => (eventsOf("job-skipped", jobId)[0] as { reason: string } | undefined)?.reason;

  /** Runs `subject` until it has submitted job 1 (a job left in hand), asserting nothing failed, then stops it. */
  async function runUntilResumedJobSubmitted(subject: Worker): Promise<void> {
    const running = subject.run();
    await waitFor(() => eventsOf("job-submitted").length + eventsOf("job-failed").length === 1);
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
    await subject.stop();
    await running;
  }

  it("accepts, runs, submits and settles a matmul job end to end", async () => {
    const subject = worker(new MatmulExecutor(MATMUL_CONFIG, store));
    const running = subject.run();
    const job = makeJob(1);
    offer(job);
    await waitFor(() => eventsOf("job-submitted").length === 1);
    const expected = computeMatmulResult({ n: 4, seed: keccak256(Buffer.from("seed 1")), rounds: 1 });
    expect(market.states.get(1n)?.submitted?.hash).to.equal(expected.hash);
    expect(market.count("settle")).to.equal(0);

    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-settled").length === 1);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Completed);
    expect(events.map((event) => event.type)).to.deep.equal([
      "job-accepted",
      "job-executed",
      "job-submitted",
      "job-settled",
    ]);
    await subject.stop();
    await running;
  });

  it("skips a job paying less than the policy's minimum without calling the market", async () => {
    const subject = worker(new GatedExecutor(store), { policy: { minPricePerGpuHour: 5_000n } });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.contain("below policy.minPricePerGpuHour");
    expect(market.calls).to.deep.equal([]);
    await subject.stop();
    await running;
  });

  it("skips a job requiring a GPU model the provider does not list", async () => {
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    const job = makeJob(1);
    job.terms.requirements.gpuModel = encodeShortId("h100-80gb-hbm3", 32);
    offer(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal("requires GPU model h100-80gb-hbm3, we list rtx-4090-24gb");
    expect(market.count("accept")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("skips a job requiring a higher slash reward cap than the provider's, without sending the acceptance", async () => {
    market.provider = { ...market.provider, maxSlashRewardBps: 2_000 };
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    const job = makeJob(1);
    job.terms.requirements.minSlashRewardBps = 2_001;
    offer(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal("requires a slash reward cap of at least 2001 bps, ours is 2000");
    expect(market.count("accept")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("looks again at a job skipped for lack of free GPUs when the source offers it again", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.provider = { ...market.provider, gpuCount: 1 };
    const subject = worker(executor);
    const running = subject.run();
    const job = makeJob(1);
    job.terms.requirements.gpuCount = 2;
    offer(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal("requires 2 GPUs, 1 of 1 are free");
    market.provider = { ...market.provider, gpuCount: 2 };
    source.push(job);
    await waitFor(() => eventsOf("job-submitted").length === 1);
    await subject.stop();
    await running;
  });

  it("skips a job whose collateral exceeds the free stake, naming both, without sending the acceptance", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.staked = 10n ** 18n;
    market.thawing = 6n * 10n ** 17n;
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal(
      "needs 500000000000000000 wei of collateral, the provider's free stake is 400000000000000000 wei",
    );
    expect(market.count("accept")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("looks again at a job skipped for want of free stake when the source offers it again, not before", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.staked = 4n * 10n ** 17n;
    const subject = worker(executor);
    const running = subject.run();
    const job = makeJob(1);
    offer(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    // A later job, taken and done: the skipped one was not looked at meanwhile.
    offer({ ...makeJob(2), escrowed: 10n ** 17n });
    await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
    expect(market.count("collateral", 1n)).to.equal(1);
    expect(market.count("accept", 1n)).to.equal(0);
    market.staked = 10n ** 18n;
    source.push(job);
    await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
    await subject.stop();
    await running;
  });

  it("logs a job skipped for want of free stake once per reason, not at each re-offer, and again when the reason changes", async () => {
    const logs: LogRecord[] = [];
    market.staked = 4n * 10n ** 17n;
    const subject = worker(new GatedExecutor(store), { logger: createLogger("debug", (record) => logs.push(record)) });
    const running = subject.run();
    const job = makeJob(1);
    const skipsLogged = () => logs.filter((record) => record.msg === "job skipped").map((record) => record.fields.reason);
    const offeredAgain = async (skips: number) => {
      source.push(job);
      await waitFor(() => eventsOf("job-skipped", 1n).length === skips);
    };
    offer(job);
    await waitFor(() => eventsOf("job-skipped", 1n).length === 1);
    await offeredAgain(2);
    await offeredAgain(3);
    const first = "needs 500000000000000000 wei of collateral, the provider's free stake is 400000000000000000 wei";
    expect(skipsLogged()).to.deep.equal([first]);
    market.staked = 45n * 10n ** 16n;
    await offeredAgain(4);
    await offeredAgain(5);
    const second = "needs 500000000000000000 wei of collateral, the provider's free stake is 450000000000000000 wei";
    expect(skipsLogged()).to.deep.equal([first, second]);
    await subject.stop();
    await running;
  });

  it("removes, when it starts, the temporary result files a crashed worker left between write and rename", async () => {
    const logs: LogRecord[] = [];
    const crashed = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const leftover = `${"cd".repeat(32)}.bin.${crashed}.1700000000000.tmp`;
    fs.writeFileSync(path.join(dir, leftover), "half a result");
    fs.writeFileSync(path.join(dir, "notes.tmp"), "not the worker's");
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor, { results: store, logger: createLogger("debug", (record) => logs.push(record)) });
    const running = subject.run();
    // A job taken shows the start is over.
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
    expect(fs.existsSync(path.join(dir, leftover))).to.equal(false);
    expect(logs.find((record) => record.msg === "stale temporary result files removed")?.fields).to.deep.equal({ removed: [leftover] });
    expect(fs.existsSync(path.join(dir, "notes.tmp"))).to.equal(true);
    await subject.stop();
    await running;
  });

  it("removes, when it starts, the directories of command jobs a worker that died left behind", async () => {
    const logs: LogRecord[] = [];
    const workDir = path.join(dir, "work");
    const leftover = path.join(workDir, `latent-job-${spawnSync(process.execPath, ["-e", ""]).pid as number}-a1B2c3`);
    fs.mkdirSync(leftover, { recursive: true });
    fs.writeFileSync(path.join(leftover, "checkpoint.bin"), "what the program had written");
    const executor = new CommandExecutor(
      {
        enabled: true,
        program: process.execPath,
        args: [],
        timeoutMs: 10_000,
        margin: { seconds: 30, fraction: 0.25 },
        maxOutputBytes: 1024,
        workDir,
        envAllowList: [],
      },
      store,
      {},
    );
    const record = "job directories left by a worker that died removed";
    const subject = worker(executor, {
      policy: { acceptedKinds: ["command"] },
      logger: createLogger("debug", (entry) => logs.push(entry)),
    });
    const running = subject.run();
    await waitFor(() => logs.some((entry) => entry.msg === record));
    expect(logs.find((entry) => entry.msg === record)?.fields).to.deep.equal({ removed: [leftover] });
    expect(fs.existsSync(leftover)).to.equal(false);
    await subject.stop();
    await running;
  });

  it("sends no acceptance for a job whose collateral another job of ours locked meanwhile", async () => {
    const executor = new GatedExecutor(store);
    market.staked = 8n * 10n ** 17n;
    const subject = worker(executor, { policy: { maxConcurrentJobs: 2 } });
    const running = subject.run();
    offer(makeJob(1), makeJob(2));
    await waitFor(() => eventsOf("job-accepted").length + eventsOf("job-skipped").length === 2);
    expect(eventsOf("job-accepted").map((event) => event.jobId)).to.deep.equal([1n]);
    expect(skipReason(2n)).to.equal(
      "needs 500000000000000000 wei of collateral, the provider's free stake is 300000000000000000 wei",
    );
    expect(market.count("accept", 2n)).to.equal(0);
    await subject.stop();
    await running;
  });

  it("sends no acceptance for a job whose GPUs another job of ours took meanwhile, and looks at it again later", async () => {
    const executor = new GatedExecutor(store);
    const subject = worker(executor, { policy: { maxConcurrentJobs: 2 } });
    const running = subject.run();
    const [first, second] = [makeJob(1), makeJob(2)];
    first.terms.requirements.gpuCount = 4;
    second.terms.requirements.gpuCount = 4;
    offer(first, second);
    await waitFor(() => eventsOf("job-accepted").length + eventsOf("job-skipped").length === 2);
    expect(eventsOf("job-accepted").map((event) => event.jobId)).to.deep.equal([1n]);
    expect(skipReason(2n)).to.equal("requires 4 GPUs, 0 of 4 are free");
    expect(market.count("accept", 2n)).to.equal(0);
    executor.open();
    await waitFor(() => eventsOf("job-submitted").length === 1);
    source.push(second);
    await waitFor(() => eventsOf("job-submitted").length === 2);
    await subject.stop();
    await running;
  });

  it("takes a job offered under the id of one it has submitted when its terms differ, as after a devnet restarted beneath it", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
    // The restarted chain counts job ids from 1 again: the same id, posted at another time.
    offer(makeJob(1, { acceptDeadline: 3_000_000n }));
    await waitFor(() => eventsOf("job-submitted", 1n).length === 2);
    expect(market.count("accept", 1n)).to.equal(2);
    await subject.stop();
    await running;
  });

  it("logs the skip of a job offered under the id of one skipped for the same reason when its terms differ, as after a devnet restarted", async () => {
    const logs: LogRecord[] = [];
    market.staked = 4n * 10n ** 17n;
    const subject = worker(new GatedExecutor(store), { logger: createLogger("debug", (record) => logs.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-skipped", 1n).length === 1);
    // The restarted chain counts job ids from 1 again: another job, passed over for the same reason as the first.
    offer(makeJob(1, { acceptDeadline: 3_000_000n }));
    await waitFor(() => eventsOf("job-skipped", 1n).length === 2);
    const skipsLogged = logs.filter((record) => record.msg === "job skipped").map((record) => record.fields.jobId);
    expect(skipsLogged).to.deep.equal([1n, 1n]);
    await subject.stop();
    await running;
  });

  it("does not look again at a job whose spec was bad", async () => {
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    const job = makeJob(1, { specHash: keccak256(Buffer.from("another document")) });
    offer(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    source.push(job, makeJob(2, { maxPricePerGpuHour: 0n }));
    await waitFor(() => eventsOf("job-skipped").length === 2);
    expect(eventsOf("job-skipped").map((event) => event.jobId)).to.deep.equal([1n, 2n]);
    await subject.stop();
    await running;
  });

  it("looks again at a job whose spec server answered an HTTP error when the source offers it again", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor, { specs: new FlakySpecLoader(1, undefined, "not-found") });
    const running = subject.run();
    const job = makeJob(1);
    offer(job);
    await waitFor(() => eventsOf("job-skipped", 1n).length === 1);
    expect(skipReason(1n)).to.contain("HTTP 404");
    // Job 2 waits for job 1's slot when job 1 is looked at again, and runs in place of it when it is not.
    source.push(job);
    offer(makeJob(2));
    await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
    expect(eventsOf("job-submitted", 1n)).to.have.length(1);
    await subject.stop();
    await running;
  });

  it("skips a job whose spec does not hash to its specHash, before accepting", async () => {
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    offer(makeJob(1, { specHash: keccak256(Buffer.from("another document")) }));
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.contain("bad spec").and.to.contain("but the job commits to");
    expect(market.count("accept")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("skips a job of a kind no enabled executor runs", async () => {
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    offer(makeJob(1, { kind: "command" }));
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal("no enabled executor accepts command jobs");
    expect(market.count("accept")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("skips a matmul job its configured throughput cannot finish within maxDuration, and accepts one it can", async () => {
    // A given throughput, not this machine's: the jobs' 4³ = 64 multiply-adds take 64 s at 1 a second, 110 s with the
    // margin of 30 s + 25%.
    const subject = worker(new MatmulExecutor({ ...MATMUL_CONFIG, multiplyAddsPerSecond: 1 }, store));
    const running = subject.run();
    offer(makeJob(1, { maxDuration: 109 }), makeJob(2, { maxDuration: 110 }));
    await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
    expect(skipReason(1n)).to.equal(
      "may need 64 s (64 multiply-adds for n=4, rounds=1, at executors.builtin.matmul.multiplyAddsPerSecond 1), " +
        "110 s with the margin (executors.runTimeMargin: 30 s + 25%), above the job's maxDuration (109 s)",
    );
    expect(market.count("accept", 1n)).to.equal(0);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Open);
    expect(eventsOf("job-accepted").map((event) => event.jobId)).to.deep.equal([2n]);
    await subject.stop();
    await running;
  });

  it("skips a job that was cancelled before the worker got to it", async () => {
    const subject = worker(new GatedExecutor(store));
    const job = makeJob(1);
    market.post(job);
    (market.states.get(1n) as JobState).status = JobStatus.Cancelled;
    const running = subject.run();
    source.push(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal("no longer open (Cancelled)");
    await subject.stop();
    await running;
  });

  it("takes a job the source replays after a reconnect only once", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor);
    const running = subject.run();
    const job = makeJob(1);
    offer(job);
    source.push(job, makeJob(2));
    market.post(makeJob(2));
    await waitFor(() => eventsOf("job-submitted").length === 2);
    expect(market.count("accept", 1n)).to.equal(1);
    expect(eventsOf("job-skipped")).to.deep.equal([]);
    await subject.stop();
    await running;
  });

  it("never runs more jobs at once than maxConcurrentJobs", async () => {
    const executor = new GatedExecutor(store);
    const subject = worker(executor, { policy: { maxConcurrentJobs: 2 } });
    const running = subject.run();
    offer(...[1, 2, 3, 4].map((id) => makeJob(id)));
    await waitFor(() => executor.running === 2 && source.pending === 0);
    expect(market.count("accept")).to.equal(2);
    executor.open();
    await waitFor(() => eventsOf("job-submitted").length === 4);
    expect(executor.maxRunning).to.equal(2);
    await subject.stop();
    await running;
  });

  it("keeps at most maxConcurrentJobs jobs waiting for a slot, in order, and looks again at one beyond when offered again", async () => {
    const executor = new GatedExecutor(store);
    const subject = worker(executor, { policy: { maxConcurrentJobs: 2 } });
    const running = subject.run();
    offer(...[1, 2, 3, 4, 5].map((id) => makeJob(id)));
    await waitFor(() => executor.running === 2 && eventsOf("job-skipped", 5n).length === 1);
    expect(skipReason(5n)).to.equal("every slot is taken and 2 jobs already wait for one; looked at again when offered again");
    executor.open();
    await waitFor(() => eventsOf("job-submitted").length === 4);
    // As the gateway's re-read of the open jobs does.
    source.push(makeJob(5));
    await waitFor(() => eventsOf("job-submitted", 5n).length === 1);
    expect(eventsOf("job-accepted").map((event) => event.jobId)).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    await subject.stop();
    await running;
  });

  it("logs a retried submission's network error by ethers' short message and code, not the signed transaction its full message holds", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const signed = `0x02f8${"ab".repeat(120)}`;
    market.failBefore.submit.push(() => makeError("request timeout", "TIMEOUT", { operation: "request", reason: "timeout", info: { transaction: signed } }));
    const logs: LogRecord[] = [];
    const subject = worker(executor, { logger: createLogger("warn", (record) => logs.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    const retried = logs.filter((record) => record.msg === "transient failure; retrying");
    expect(retried.map((record) => record.fields.error)).to.deep.equal(["request timeout (TIMEOUT)"]);
    await subject.stop();
    await running;
  });

  it("names the job and the step in each retry's log line and each round's, so that jobs retrying side by side in an outage can be told apart", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failBefore.submit.push(refusedConnection);
    // One more than a round (maxAttempts 3): a "still unreachable" round, then the settlement goes through.
    market.failBefore.settle.push(...refusals(4));
    const logs: LogRecord[] = [];
    const subject = worker(executor, { logger: createLogger("warn", (record) => logs.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-settled", 1n).length === 1);
    await subject.stop();
    await running;
    const named = (msg: string) =>
      [...new Set(logs.filter((record) => record.msg === msg).map((record) => `${String(record.fields.jobId)} ${String(record.fields.step)}`))];
    expect(named("transient failure; retrying")).to.deep.equal(["1 submit", "1 settle"]);
    expect(named("still unreachable; trying again later")).to.deep.equal(["1 settle"]);
  });

  it("retries a submission that failed with a network error, submitting once", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failBefore.submit.push(() => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    expect(market.count("submit", 1n)).to.equal(2);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
    await subject.stop();
    await running;
  });

  it("keeps submitting a computed result through an RPC outage longer than one round of retries, logging each round", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failBefore.submit.push(...refusals(7));
    const logs: LogRecord[] = [];
    const subject = worker(executor, { logger: createLogger("debug", (record) => logs.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length + eventsOf("job-failed").length === 1);
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.count("submit", 1n)).to.equal(8);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
    // Between the rounds of retries (each retry logged as a transient failure), one line per round.
    const rounds = logs.filter((record) => record.level === "warn" && record.msg !== "transient failure; retrying");
    expect([...new Set(rounds.map((record) => record.msg))]).to.deep.equal(["cannot reach the chain to submit; trying again until the result deadline"]);
    await subject.stop();
    await running;
  });

  it("gives up submitting through an outage once the job's result deadline has passed", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    // Every try fails; the chain's clock runs past the deadline meanwhile, as it would during a long outage.
    market.failBefore.submit.push(
      ...Array.from({ length: 1000 }, () => () => {
        market.chainNow += 1_000n;
        return refusedConnection();
      }),
    );
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1, { maxDuration: 60 }));
    await waitFor(() => eventsOf("job-failed").length === 1);
    expect((eventsOf("job-failed")[0] as { stage: string }).stage).to.equal("submit");
    await subject.stop();
    await running;
  });

  it("goes on with a job whose acceptance landed although its answer was lost", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failAfter.accept.push(Object.assign(new Error("timeout"), { code: "TIMEOUT" }));
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    expect(market.count("accept", 1n)).to.equal(2); // the retry reverted: the job was no longer Open
    expect(eventsOf("job-accepted")).to.have.length(1);
    await subject.stop();
    await running;
  });

  it("runs a job whose acceptance landed just before an RPC outage that outlasts a round of retries of its state", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    // The first acceptance lands and its answer is lost; the node is then down for the retries and beyond.
    market.failAfter.accept.push(Object.assign(new Error("timeout"), { code: "TIMEOUT" }));
    market.failBefore.accept.push(...refusals(2));
    let stateFailures = 0;
    const getJobState = market.getJobState.bind(market);
    market.getJobState = async (jobId) => {
      if (market.count("accept") > 0 && stateFailures < 7) {
        stateFailures += 1;
        throw refusedConnection();
      }
      return getJobState(jobId);
    };
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length + eventsOf("job-failed").length === 1);
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
    expect(market.count("accept", 1n)).to.equal(3);
    await subject.stop();
    await running;
  });

  it("looks again at a job whose acceptance never got through an outage when the source offers it again", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failBefore.accept.push(...refusals(3));
    const subject = worker(executor);
    const running = subject.run();
    const job = makeJob(1);
    offer(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.contain("accept failed: gave up after 3 attempts");
    source.push(job);
    await waitFor(() => eventsOf("job-submitted").length === 1);
    await subject.stop();
    await running;
  });

  it("gives up at once on a job whose lost acceptance answer came back too late to submit a result in time", async () => {
    const executor = new GatedExecutor(store);
    const job = makeJob(1);
    // The acceptance lands, its answer is lost, and by the time the retry learns so the result deadline is 30 s away.
    market.failAfter.accept.push(Object.assign(new Error("timeout"), { code: "TIMEOUT" }));
    const accept = market.accept.bind(market);
    market.accept = async (candidate) => {
      try {
        return await accept(candidate);
      } finally {
        if (market.count("accept") === 1) market.chainNow += BigInt(candidate.terms.maxDuration) + 600n - 30n;
      }
    };
    const subject = worker(executor);
    const running = subject.run();
    offer(job);
    await waitFor(() => eventsOf("job-failed").length + eventsOf("job-submitted").length === 1);
    const [failed] = eventsOf("job-failed", 1n) as Extract<WorkerEvent, { type: "job-failed" }>[];
    expect(failed?.stage).to.equal("execute");
    expect(failed?.error.message).to.contain("too late to run: no time is left within the time left before the job's result deadline");
    expect(executor.signals).to.have.length(0);
    await subject.stop();
    await running;
  });

  it("names an acceptance the node refused by ethers' short message and code, not the signed transaction its full message holds", async () => {
    const executor = new GatedExecutor(store);
    const signed = `0x02f8${"ab".repeat(120)}`;
    market.failBefore.accept.push(() =>
      makeError("insufficient funds for intrinsic transaction cost", "INSUFFICIENT_FUNDS", { transaction: { data: signed } }),
    );
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal("accept failed: insufficient funds for intrinsic transaction cost (INSUFFICIENT_FUNDS)");
    await subject.stop();
    await running;
  });

  it("leaves to it, without running it, a job another worker of this provider accepted first, warning that two run", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const logs: LogRecord[] = [];
    // A second worker with this provider's operator key accepts job 1 first: this one's acceptance reverts unsent.
    market.failBefore.accept.push(() => {
      Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 4200n });
      return new MarketRejectedError("accept", 1n, "JobEscrowUnexpectedStatus");
    });
    const subject = worker(executor, { logger: createLogger("info", (record) => logs.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-skipped", 1n).length === 1);
    expect(skipReason(1n)).to.equal(
      "accepted for this provider by another sender of its operator key (a second worker?); left to it, not run here",
    );
    const warning = logs.find((record) => record.level === "warn" && record.fields.jobId === 1n);
    expect(warning?.msg).to.equal(
      "a job was accepted for this provider by another sender of its operator key: run one worker per provider, or the two run each other's jobs",
    );
    expect(executor.signals).to.have.length(0);
    expect(eventsOf("job-accepted")).to.deep.equal([]);
    await subject.stop();
    await running;
  });

  it("skips a job another provider accepted first", async () => {
    const executor = new GatedExecutor(store);
    market.failBefore.accept.push(() => {
      Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Accepted, provider: OTHER_PROVIDER });
      return new MarketRejectedError("accept", 1n, "JobEscrowUnexpectedStatus");
    });
    const subject = worker(executor);
    const running = subject.run();
    const job = makeJob(1);
    offer(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.contain("accept failed").and.to.contain("JobEscrowUnexpectedStatus");
    expect(executor.signals).to.have.length(0);
    await subject.stop();
    await running;
  });

  it("settles only once the chain's time has passed the challenge deadline", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    market.chainNow += market.challengeWindow; // at the deadline: still inside the window
    // Two more looks at the chain's time: the first sees the deadline, and the second comes only once the worker has
    // acted on it, a settlement included.
    const reads = market.chainTimeReads;
    await waitFor(() => market.chainTimeReads >= reads + 2);
    expect(market.count("settle")).to.equal(0);
    market.chainNow += 1n;
    await waitFor(() => eventsOf("job-settled").length === 1);
    expect(eventsOf("job-settled")[0]).to.deep.equal({ type: "job-settled", jobId: 1n, by: "worker" });
    await subject.stop();
    await running;
  });

  it("stops without waiting for a settlement's read that the chain never answers", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    // The node stops answering: the settlement's next look at the chain's time never returns.
    let hung = false;
    market.chainTime = () => {
      hung = true;
      return new Promise<bigint>(() => undefined);
    };
    await waitFor(() => hung);
    await subject.stop();
    await running;
    expect(eventsOf("job-settled")).to.deep.equal([]);
  });

  it("leaves its submitted jobs unsettled with policy.autoSettle off, after their challenge window too", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    // The window has passed by the time the submission's answer comes: a settlement, scheduled then, would settle at its
    // first look. The fake market answers in microtasks, all run before waitFor sees the event, and stop() waits for
    // the settlements the worker scheduled, so one would have been sent by the time the worker has stopped.
    const submit = market.submit.bind(market);
    market.submit = async (jobId, resultURI, resultHash) => {
      const receipt = await submit(jobId, resultURI, resultHash);
      market.chainNow = receipt.challengeDeadline + 1n;
      return receipt;
    };
    const subject = worker(executor, { policy: { autoSettle: false } });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
    await subject.stop();
    await running;
    expect(market.count("settle")).to.equal(0);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
  });

  it("does not report a failure for a settlement that landed although its answer was lost", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failAfter.settle.push(Object.assign(new Error("timeout"), { code: "TIMEOUT" }));
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-settled").length + eventsOf("job-failed").length === 1);
    expect(market.count("settle", 1n)).to.equal(2); // the retry reverted: the job was no longer Submitted
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Completed);
    await subject.stop();
    await running;
  });

  it("keeps trying to settle through an RPC outage longer than one round of retries, logging each round", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failBefore.settle.push(...refusals(7));
    const logs: LogRecord[] = [];
    const subject = worker(executor, { logger: createLogger("debug", (record) => logs.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-settled").length + eventsOf("job-failed").length === 1);
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Completed);
    // Between the rounds of retries (each retry logged as a transient failure), one line per round.
    const rounds = logs.filter((record) => record.level === "warn" && record.msg !== "transient failure; retrying");
    expect([...new Set(rounds.map((record) => record.msg))]).to.deep.equal(["still unreachable; trying again later"]);
    await subject.stop();
    await running;
  });

  it("leaves a disputed job to the dispute process", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    (market.states.get(1n) as JobState).status = JobStatus.Disputed;
    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-disputed").length === 1);
    expect(market.count("settle")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("does not settle a job the client approved meanwhile", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    (market.states.get(1n) as JobState).status = JobStatus.Completed;
    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-settled").length === 1);
    expect(eventsOf("job-settled")[0]).to.deep.include({ by: "other" });
    expect(market.count("settle")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("reports a failed execution and carries on with the next job", async () => {
    const subject = worker(new FailingExecutor());
    const running = subject.run();
    offer(makeJob(1), makeJob(2));
    await waitFor(() => eventsOf("job-failed").length === 2);
    expect(eventsOf("job-failed", 1n)[0]).to.deep.include({ stage: "execute" });
    expect((eventsOf("job-failed", 1n)[0] as { error: Error }).error.message).to.equal("CUDA error: out of memory");
    expect(market.count("submit")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("gives back a job whose execution failed at once, logged with why, instead of leaving it to time out at its result deadline", async () => {
    const records: LogRecord[] = [];
    const subject = worker(new FailingExecutor(), { logger: createLogger("info", (record) => records.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-abandoned").length === 1);
    expect(events.map((event) => event.type)).to.deep.equal(["job-accepted", "job-failed", "job-abandoned"]);
    expect(eventsOf("job-abandoned", 1n)[0]).to.deep.include({ reason: "CUDA error: out of memory" });
    expect(market.states.get(1n)?.status).to.equal(JobStatus.TimedOut);
    expect(market.count("abandon", 1n)).to.equal(1);
    const given = records.find((record) => record.msg.startsWith("job given back"));
    expect(given?.fields).to.deep.include({ jobId: 1n, reason: "CUDA error: out of memory" });
    await subject.stop();
    await running;
  });

  it("gives back a job in hand that is too late to run, at once", async () => {
    // Accepted by an earlier run; less time is left before its result deadline than a submission needs.
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 10n });
    const executor = new GatedExecutor(store);
    const subject = worker(executor);
    const running = subject.run();
    await waitFor(() => eventsOf("job-abandoned").length === 1);
    expect((eventsOf("job-abandoned", 1n)[0] as { reason: string }).reason).to.match(/^too late to run: no time is left within the time left before the job's result deadline/);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.TimedOut);
    expect(executor.signals).to.have.length(0);
    await subject.stop();
    await running;
  });

  it("takes a give-back whose answer was lost, and whose retry then reverted, as done once the job reads TimedOut", async () => {
    market.failAfter.abandon.push(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    const subject = worker(new FailingExecutor());
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-failed").length === 1 && market.states.get(1n)?.status === JobStatus.TimedOut);
    await subject.stop();
    await running;
    // The retry reverted (the job was given back already): the state read says so, and nothing else is sent.
    expect(market.count("abandon", 1n)).to.equal(2);
    expect(eventsOf("job-abandoned")).to.deep.equal([]);
  });

  it("keeps giving back a failed job through an RPC outage longer than one round of retries, logging each round", async () => {
    market.failBefore.abandon.push(...refusals(7));
    const logs: LogRecord[] = [];
    const subject = worker(new FailingExecutor(), { logger: createLogger("debug", (record) => logs.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-abandoned").length === 1);
    expect(market.count("abandon", 1n)).to.equal(8);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.TimedOut);
    // Between the rounds of retries (each retry logged as a transient failure), one line per round.
    const rounds = logs.filter((record) => record.level === "warn" && record.msg !== "transient failure; retrying");
    expect([...new Set(rounds.map((record) => record.msg))]).to.deep.equal([
      "cannot reach the chain to give the job back; trying again until the result deadline",
      "job given back: its client is refunded and its collateral slashed as at a timeout, now rather than at its result deadline",
    ]);
    await subject.stop();
    await running;
  });

  it("gives up giving back a failed job through an outage once its result deadline has passed, leaving it to its timeout", async () => {
    // Every try fails; the chain's clock runs past the deadline meanwhile, as it would during a long outage.
    market.failBefore.abandon.push(
      ...Array.from({ length: 1000 }, () => () => {
        market.chainNow += 1_000n;
        return refusedConnection();
      }),
    );
    const records: LogRecord[] = [];
    const subject = worker(new FailingExecutor(), { logger: createLogger("info", (record) => records.push(record)) });
    const running = subject.run();
    offer(makeJob(1, { maxDuration: 60 }));
    await waitFor(() => records.some((record) => record.msg.startsWith("job not given back")));
    expect(records.find((record) => record.msg.startsWith("job not given back"))?.fields).to.deep.include({ jobId: 1n, status: "Accepted" });
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Accepted);
    expect(eventsOf("job-abandoned")).to.deep.equal([]);
    await subject.stop();
    await running;
  });

  it("gives up giving back a resumed job through an outage once its result deadline has passed by the chain's clock, which runs years ahead of the worker's (a devnet's advanced time)", async () => {
    // A devnet whose clock was moved on: its deadline, read as a time on the worker's clock, lies years away.
    market.chainNow = BigInt(Math.floor(Date.now() / 1000)) + 10n * 365n * 86_400n;
    // Accepted by an earlier run, a second before its deadline; this worker's executor refuses its kind.
    const job = makeJob(1, { kind: "command" });
    market.post(job);
    Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1n });
    source.inHand = [job];
    // The node answers one read of its time, then goes down for good: no give-back gets through.
    const answer = market.chainTime.bind(market);
    let reads = 0;
    market.chainTime = () => (++reads === 1 ? answer() : Promise.reject(refusedConnection()));
    market.abandon = () => Promise.reject(refusedConnection());
    const records: LogRecord[] = [];
    const subject = worker(new GatedExecutor(store), { logger: createLogger("info", (record) => records.push(record)) });
    const running = subject.run();
    await waitFor(() => records.some((record) => record.msg.startsWith("job not given back")));
    expect(records.find((record) => record.msg.startsWith("job not given back"))?.fields).to.deep.include({ jobId: 1n, status: "Accepted", reason: "no enabled executor accepts command jobs" });
    expect(eventsOf("job-failed", 1n)).to.have.length(1);
    expect(eventsOf("job-abandoned")).to.deep.equal([]);
    await subject.stop();
    await running;
  });

  it("leaves a failed job it could not give back (its result deadline passed first) to time out, logged as such", async () => {
    market.failBefore.abandon.push(() => new MarketRejectedError("abandon", 1n, "JobEscrowResultDeadlinePassed"));
    const records: LogRecord[] = [];
    const subject = worker(new FailingExecutor(), { logger: createLogger("info", (record) => records.push(record)) });
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => records.some((record) => record.msg.startsWith("job not given back")));
    const refused = records.find((record) => record.msg.startsWith("job not given back"));
    expect(refused?.fields).to.deep.include({ jobId: 1n, status: "Accepted", reason: "CUDA error: out of memory" });
    expect(String(refused?.fields.error)).to.contain("JobEscrowResultDeadlinePassed");
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Accepted);
    expect(eventsOf("job-abandoned")).to.deep.equal([]);
    await subject.stop();
    await running;
  });

  describe("a full disk for results", () => {
    /** Publishes a result too large to inline through `results`, on the run's signal, as the executors do. */
    class FileResultExecutor implements Executor {
      readonly kind = "matmul" as const;
      constructor(private readonly results: ResultStore) {}
      refusalReason(): string | undefined {
        return undefined;
      }
      async run(_loaded: LoadedSpec, signal: AbortSignal): Promise<ExecutionResult> {
        const bytes = Buffer.alloc(300, 9);
        const published = await this.results.publish(bytes, undefined, signal);
        return { resultBytes: bytes, ...published, metrics: { device: { type: "cpu", name: "test" }, startedAt: new Date().toISOString(), wallMs: 0, details: {} } };
      }
    }
    /** Writes the disk refused for want of space. */
    let refused: number;
    beforeEach(() => {
      refused = 0;
    });
    /** A results store whose disk refuses the first `fullFor` writes for want of space. */
    function fullDisk(fullFor: number): ResultStore {
      return new ResultStore(
        { dir, maxUriBytes: 256 },
        {
          retryDelayMs: 5,
          writeFile: async (file, bytes) => {
            if (refused >= fullFor) return fs.promises.writeFile(file, bytes);
            refused += 1;
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          },
        },
      );
    }

    it("submits a job whose result file waited for space freed before its run time was up", async () => {
      const subject = worker(new FileResultExecutor(fullDisk(3)));
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-submitted", 1n).length + eventsOf("job-failed", 1n).length === 1);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      expect(refused).to.equal(3);
      expect(market.states.get(1n)?.submitted?.uri).to.match(/^file:\/\//);
      await subject.stop();
      await running;
    });

    it("fails a job whose disk stayed full until its run time was up at execute, naming the disk to free, not the run time", async () => {
      const subject = worker(new FileResultExecutor(fullDisk(Infinity)));
      const running = subject.run();
      offer(makeJob(1, { maxDuration: 1 }));
      await waitFor(() => eventsOf("job-failed", 1n).length === 1);
      const failed = eventsOf("job-failed", 1n)[0] as { stage: string; error: Error };
      expect(failed.stage).to.equal("execute");
      expect(failed.error).to.be.instanceOf(ResultWriteError);
      expect(failed.error.message).to.equal(`cannot write the result file to ${dir}: no space left on its disk (ENOSPC); free space there`);
      expect(market.count("submit")).to.equal(0);
      await subject.stop();
      await running;
    });
  });

  it("aborts an execution that runs past the job's maxDuration", async () => {
    const executor = new GatedExecutor(store);
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1, { maxDuration: 1 }));
    await waitFor(() => eventsOf("job-failed").length === 1);
    expect((eventsOf("job-failed", 1n)[0] as { error: Error }).error.message).to.contain(
      "ran past the job's maxDuration (1 s)",
    );
    expect(executor.signals[0].aborted).to.equal(true);
    await subject.stop();
    await running;
  });

  it("kills a command job's program at the job's maxDuration, not at a longer executors.command.timeoutSeconds", async () => {
    // job-failed is reported only once run() has ended, so only once the program is killed (its whole process group:
    // command.test.ts); with the config's timeout alone that would be in an hour.
    const program = path.join(dir, "hang.js");
    fs.writeFileSync(program, `#!${process.execPath}\nsetInterval(() => {}, 1000);\n`, { mode: 0o755 });
    const executor = new CommandExecutor(
      {
        enabled: true,
        program,
        args: [],
        timeoutMs: 3_600_000,
        margin: { seconds: 30, fraction: 0.25 },
        maxOutputBytes: 1024,
        workDir: path.join(dir, "work"),
        envAllowList: [],
      },
      store,
      {},
    );
    const subject = worker(executor, { policy: { acceptedKinds: ["command"] } });
    const running = subject.run();
    offer(makeJob(1, { kind: "command", maxDuration: 1 }));
    await waitFor(() => eventsOf("job-failed").length === 1);
    expect((eventsOf("job-failed", 1n)[0] as { error: Error }).error.message).to.contain(
      "ran past the job's maxDuration (1 s)",
    );
    await subject.stop();
    await running;
  });

  describe("shutdown", () => {
    it("lets a running job finish and submit within the grace period", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { graceMs: 60_000 });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      const stopped = subject.stop();
      executor.open();
      await stopped;
      await running;
      expect(eventsOf("job-submitted", 1n)).to.have.length(1);
      expect(executor.signals[0].aborted).to.equal(false);
    });

    it("aborts a job that outlasts the grace period, without submitting it", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { graceMs: 20 });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      await subject.stop();
      await running;
      expect(executor.signals[0].aborted).to.equal(true);
      expect(eventsOf("job-aborted", 1n)).to.have.length(1);
      expect(market.count("submit")).to.equal(0);
      // Stopped, not failed: the next run takes it up again, so it is not given back.
      expect(market.count("abandon")).to.equal(0);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Accepted);
    });

    it("aborts a job still in its grace period at once on abortNow (a second signal), without submitting it", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { graceMs: 3_600_000 });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      const stopped = subject.stop();
      expect(executor.signals[0].aborted).to.equal(false);
      subject.abortNow();
      await stopped;
      await running;
      expect(executor.signals[0].aborted).to.equal(true);
      expect(eventsOf("job-aborted", 1n)).to.have.length(1);
      expect(market.count("submit")).to.equal(0);
    });

    it("stops on a job source failure retrying cannot fix, and rethrows it once its running job has had its grace", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      const subject = worker(executor, { graceMs: 60_000, logger: createLogger("debug", (record) => logs.push(record)) });
      let settled = false;
      const outcome = subject.run().then(
        () => undefined,
        (error: unknown) => error,
      ).finally(() => (settled = true));
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      const refusal = new GatewayResponseError("openJobs", [{ message: "Unknown argument", code: "GRAPHQL_VALIDATION_FAILED" }]);
      source.fail(refusal);
      // The worker has taken in the failure and begun its grace period: a run() ending without it would have ended by
      // the time this line is logged (and seen here, a turn of the event loop later).
      await waitFor(() => logs.some((record) => record.msg === "stopping: waiting for running jobs"));
      expect(settled).to.equal(false);
      executor.open();
      expect(await outcome).to.equal(refusal);
      expect(eventsOf("job-submitted", 1n)).to.have.length(1);
      expect(executor.signals[0].aborted).to.equal(false);
    });

    it("takes no new job once stopping", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const subject = worker(executor);
      const running = subject.run();
      await waitFor(() => source.openFeeds === 1);
      await subject.stop();
      await running;
      // The worker has let go of the feed: nothing is left to read a job offered now.
      await waitFor(() => source.openFeeds === 0);
      offer(makeJob(1));
      expect(source.pending).to.equal(1);
      expect(market.calls).to.deep.equal([]);
    });

    it("does not wait for challenge windows to end", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const subject = worker(executor);
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-submitted").length === 1);
      await subject.stop();
      await running;
      expect(market.count("settle")).to.equal(0);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
    });
  });

  /** Job `id` as an earlier run left it (in `state` on-chain), listed by the source as one of the provider's jobs. */
  function leftInHand(id: number, state: Partial<StoredJob>): void {
    const job = makeJob(id);
    market.post(job);
    Object.assign(market.states.get(BigInt(id)) as StoredJob, state);
    source.inHand = [job];
  }

  it("runs and submits a job an earlier run accepted, without accepting it again", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    const subject = worker(executor);
    await runUntilResumedJobSubmitted(subject);
    expect(market.count("accept")).to.equal(0);
  });

  describe("two workers of one provider, both running one job in hand", () => {
    const OTHER_SENDER = "a job's result was submitted for this provider by another sender";

    /**
     * Job 1, accepted, left in hand; worker `first` and then `second` (with their own executors and logs) take it up,
     * and `first` submits. `second`'s run is left at its gate; `stop` stops both workers.
     */
    async function twinsAfterFirstSubmitted(second: GatedExecutor): Promise<{ logs: LogRecord[]; stop: () => Promise<void> }> {
      leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
      const first = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      const workerA = worker(first);
      const workerB = worker(second, { logger: createLogger("info", (record) => logs.push(record)) });
      const runs = [workerA.run(), workerB.run()];
      await waitFor(() => first.running === 1 && second.running === 1);
      first.open();
      await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
      const stop = async () => {
        await Promise.all([workerA.stop(), workerB.stop()]);
        await Promise.all(runs);
      };
      return { logs, stop };
    }

    /** As twinsAfterFirstSubmitted; `second`'s run is then let go, its submission's tries failing first with `failures`. */
    async function secondSubmitsAfterFirst(second: GatedExecutor, failures: (() => Error)[]): Promise<LogRecord[]> {
      const { logs, stop } = await twinsAfterFirstSubmitted(second);
      market.failBefore.submit.push(...failures);
      second.open();
      await waitFor(() => market.count("submit", 1n) === 2 + failures.length);
      await waitFor(() => eventsOf("job-submitted", 1n).length === 2 || logs.some((record) => record.msg.startsWith(OTHER_SENDER)));
      await stop();
      return logs;
    }

    it("drops its result, with a warning naming both hashes and no submitted event, where the other worker's different result landed", async () => {
      const logs = await secondSubmitsAfterFirst(new GatedExecutor(store, " (another run)"), []);
      const warning = logs.find((record) => record.msg.startsWith(OTHER_SENDER));
      expect(warning?.msg).to.equal(
        "a job's result was submitted for this provider by another sender of its operator key: its result stands, this run's is dropped; run one worker per provider, or the two run each other's jobs",
      );
      expect(warning?.fields).to.deep.include({ jobId: 1n, provider: PROVIDER, landedResultHash: market.states.get(1n)?.submitted?.hash });
      expect(warning?.fields.resultHash).to.not.equal(warning?.fields.landedResultHash);
      expect(eventsOf("job-submitted", 1n)).to.have.length(1);
      expect(eventsOf("job-failed")).to.deep.equal([]);
    });

    it("drops its result where the other worker's different result landed, though a try of its own failed in transit (it may have landed)", async () => {
      const logs = await secondSubmitsAfterFirst(new GatedExecutor(store, " (another run)"), [refusedConnection]);
      expect(logs.filter((record) => record.msg.startsWith(OTHER_SENDER))).to.have.length(1);
      expect(logs.some((record) => record.msg === "result submitted")).to.equal(false);
      expect(eventsOf("job-submitted", 1n)).to.have.length(1);
      expect(eventsOf("job-failed")).to.deep.equal([]);
    });

    it("reports as submitted a result the chain holds with its own hash, though the other worker's submission of the same result landed it", async () => {
      const logs = await secondSubmitsAfterFirst(new GatedExecutor(store), []);
      expect(logs.some((record) => record.msg.startsWith(OTHER_SENDER))).to.equal(false);
      expect(eventsOf("job-submitted", 1n)).to.have.length(2);
      expect(eventsOf("job-failed")).to.deep.equal([]);
    });

    it("gives back nothing, saying so, where its run of a job in hand fails after a second worker of the provider submitted it", async () => {
      /** Fails once its gate opens: a run that fails after its twin's succeeded. */
      class GatedFailingExecutor extends GatedExecutor {
        override async run(loaded: LoadedSpec, signal: AbortSignal): Promise<ExecutionResult> {
          await super.run(loaded, signal);
          throw new ExecutionError("CUDA error: out of memory");
        }
      }
      const second = new GatedFailingExecutor(store);
      const { logs, stop } = await twinsAfterFirstSubmitted(second);
      second.open();
      await waitFor(() => logs.some((record) => record.msg.startsWith("job not given back")));
      await stop();
      const refused = logs.find((record) => record.msg.startsWith("job not given back"));
      expect(refused?.msg).to.equal(
        "job not given back: another sender of its operator key (a second worker of this provider?) submitted a result for it, which stands",
      );
      expect(refused?.fields).to.deep.include({ jobId: 1n, status: "Submitted", reason: "CUDA error: out of memory" });
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
      expect(eventsOf("job-abandoned")).to.deep.equal([]);
    });
  });

  it("reports as submitted a job whose submission landed although its answer was lost, submitting no more", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    market.failAfter.submit.push(refusedConnection());
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(1));
    await waitFor(() => eventsOf("job-submitted", 1n).length + eventsOf("job-failed").length === 1);
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.count("submit", 1n)).to.equal(2);
    await subject.stop();
    await running;
  });

  it("forgets, logging its id, a job in hand whose id a restarted chain gives another client's job, instead of running that job as it", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const logs: LogRecord[] = [];
    // The earlier run's job 1; the chain restarted since, and job 1 is now another client's, accepted by this provider.
    const job = makeJob(1);
    market.post({ ...makeJob(1, { acceptDeadline: 3_000_000n }), client: OTHER_CLIENT });
    Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    source.inHand = [job];
    const subject = worker(executor, { logger: createLogger("info", (record) => logs.push(record)) });
    const running = subject.run();
    await waitFor(() => logs.some((record) => record.msg.startsWith("job in hand forgotten")));
    await subject.stop();
    await running;
    const forgotten = logs.find((record) => record.msg.startsWith("job in hand forgotten"));
    expect(forgotten?.msg).to.equal("job in hand forgotten: its id now names another job on-chain (the chain restarted?)");
    expect(forgotten?.fields).to.deep.include({ jobId: 1n, client: job.client });
    expect(logs.some((record) => record.msg.startsWith("resuming a job"))).to.equal(false);
    expect(eventsOf("job-executed")).to.deep.equal([]);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Accepted);
  });

  it("forgets, logging its id, a submitted job in hand whose id a restarted chain gives another client's job, instead of settling that job", async () => {
    const logs: LogRecord[] = [];
    const job = makeJob(1);
    market.post({ ...makeJob(1, { acceptDeadline: 3_000_000n }), client: OTHER_CLIENT });
    Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Submitted, provider: PROVIDER, challengeDeadline: market.chainNow - 1n });
    source.inHand = [job];
    const subject = worker(new GatedExecutor(store), { logger: createLogger("info", (record) => logs.push(record)) });
    const running = subject.run();
    await waitFor(() => logs.some((record) => record.msg.startsWith("job in hand forgotten")));
    await subject.stop();
    await running;
    expect(logs.find((record) => record.msg.startsWith("job in hand forgotten"))?.fields).to.deep.include({ jobId: 1n });
    expect(market.count("settle")).to.equal(0);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
  });

  describe("jobs in hand after a reconnection (a devnet restarted beneath the worker)", () => {
    /** Job `id` as the restarted chain stores it: another client's, held by this provider in `state`. */
    function heldOnNewChain(id: number, state: Partial<StoredJob>): CandidateJob {
      const job = { ...makeJob(id, { acceptDeadline: 3_000_000n }), client: OTHER_CLIENT };
      market.post(job);
      Object.assign(market.states.get(job.jobId) as StoredJob, { provider: PROVIDER, ...state });
      return job;
    }

    it("settles a submitted job the restarted chain holds under the id of one it settled before, once reconnected", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const subject = worker(executor);
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
      market.chainNow += market.challengeWindow + 1n;
      await waitFor(() => eventsOf("job-settled", 1n).length === 1);
      // The devnet restarts: its seed leaves job 1 submitted by this provider, past its window, never offered as open.
      market.states.clear();
      const seeded = heldOnNewChain(1, { status: JobStatus.Submitted, challengeDeadline: market.chainNow - 1n });
      source.inHand = [seeded];
      source.reconnect();
      await waitFor(() => eventsOf("job-settled", 1n).length === 2);
      expect(eventsOf("job-settled", 1n)[1]).to.deep.equal({ type: "job-settled", jobId: 1n, by: "worker" });
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Completed);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      await subject.stop();
      await running;
    });

    it("runs and submits a job the restarted chain holds as accepted by this provider, once reconnected", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const subject = worker(executor);
      const running = subject.run();
      await waitFor(() => source.openFeeds === 1);
      const accepted = heldOnNewChain(2, { status: JobStatus.Accepted, resultDeadline: market.chainNow + 1000n });
      source.inHand = [accepted];
      source.reconnect();
      await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
      expect(market.states.get(2n)?.status).to.equal(JobStatus.Submitted);
      expect(market.count("accept")).to.equal(0);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      await subject.stop();
      await running;
    });

    it("runs a job the restarted chain holds as accepted under the id of one still running from before, without waiting for that run", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { policy: { maxConcurrentJobs: 2 } });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      // The chain restarts beneath the run: job 1 is now another client's, accepted by this provider, due long before the
      // old run (up to its maxDuration) would end.
      market.states.clear();
      source.inHand = [heldOnNewChain(1, { status: JobStatus.Accepted, resultDeadline: market.chainNow + 1000n })];
      source.reconnect();
      await waitFor(() => executor.running === 2);
      executor.open();
      await waitFor(() => eventsOf("job-submitted", 1n).length + eventsOf("job-failed", 1n).length === 2);
      expect(eventsOf("job-submitted", 1n)).to.have.length(1);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
      expect((eventsOf("job-failed", 1n)[0] as { stage: string }).stage).to.equal("submit");
      await subject.stop();
      await running;
    });

    it("does not run a second time a job in hand offered as open after an old chain's job under its id failed to prepare", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { policy: { maxConcurrentJobs: 2 } });
      const running = subject.run();
      offer(makeJob(5), makeJob(6));
      await waitFor(() => executor.running === 2);
      // The old chain's job 1 waits for a slot; the chain restarts, and job 1 is now another client's, held by us.
      offer(makeJob(1));
      await waitFor(() => source.pending === 0);
      market.states.delete(1n);
      const held = heldOnNewChain(1, { status: JobStatus.Accepted, resultDeadline: market.chainNow + 1000n });
      source.inHand = [held];
      source.reconnect();
      await waitFor(() => source.inHandCalls === 2);
      // The node then fails every read of a job's state: the old job, started next, cannot be prepared.
      const getJobState = market.getJobState.bind(market);
      market.getJobState = async () => {
        throw refusedConnection();
      };
      executor.openOne();
      await waitFor(() => executor.running === 2); // the held job 1 took the freed slot
      executor.openOne();
      await waitFor(() => eventsOf("job-skipped", 1n).length === 1);
      market.getJobState = getJobState;
      // The gateway's index lags the chain: the held job 1 is offered as open.
      source.push(held);
      await waitFor(() => source.pending === 0);
      executor.open();
      await waitFor(() => eventsOf("job-submitted", 1n).length === 1 && subject.activeJobs === 0);
      expect(executor.signals).to.have.length(3);
      expect(eventsOf("job-executed", 1n)).to.have.length(1);
      await subject.stop();
      await running;
    });

    it("neither runs nor settles a second time the jobs it already runs or settles when they are listed again", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      // Job 1, left submitted by an earlier run, is settled once its window ends; job 2 runs (the gate held closed).
      leftInHand(1, { status: JobStatus.Submitted, provider: PROVIDER, challengeDeadline: market.chainNow + 100n });
      const subject = worker(executor, { policy: { maxConcurrentJobs: 3 }, logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      offer(makeJob(2));
      await waitFor(() => executor.running === 1);
      const fresh = heldOnNewChain(3, { status: JobStatus.Accepted, resultDeadline: market.chainNow + 1000n });
      // Listed in order: once job 3 is taken up, jobs 1 and 2 have been looked at.
      source.inHand = [makeJob(1), makeJob(2), fresh];
      source.reconnect();
      await waitFor(() => executor.running === 2);
      const takenUp = logs.filter((record) => /^(resuming|settling) a job/.test(record.msg)).map((record) => [record.msg, record.fields.jobId]);
      expect(takenUp).to.deep.equal([
        ["settling a job the provider submitted before this worker started, once its challenge window ends", 1n],
        ["resuming a job the provider holds, listed after the job feed reconnected (the chain restarted?)", 3n],
      ]);
      executor.open();
      await waitFor(() => eventsOf("job-submitted").length === 2);
      market.chainNow += market.challengeWindow + 1n;
      await waitFor(() => eventsOf("job-settled").length === 3);
      await subject.stop();
      await running;
      expect(eventsOf("job-executed").map((event) => event.jobId)).to.have.members([2n, 3n]);
      expect(market.count("submit", 2n)).to.equal(1);
      expect(eventsOf("job-settled", 1n)).to.deep.equal([{ type: "job-settled", jobId: 1n, by: "worker" }]);
      expect(eventsOf("job-failed")).to.deep.equal([]);
    });
  });

  it("runs a job an earlier run accepted even when its run-time estimate exceeds its maxDuration", async () => {
    // 64 multiply-adds at 0.01 a second: 6400 s estimated, for a job of 3600 s. Already ours: refusing it is a slash.
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    const subject = worker(new MatmulExecutor({ ...MATMUL_CONFIG, multiplyAddsPerSecond: 0.01 }, store));
    await runUntilResumedJobSubmitted(subject);
  });

  it("resumes a job an earlier run accepted when the gateway is unreachable at start for longer than a round of retries", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    source.inHandFailures.push(...refusals(7));
    const subject = worker(executor);
    await runUntilResumedJobSubmitted(subject);
  });

  it("runs a job an earlier run accepted through an RPC outage, longer than a round of retries, when its spec has loaded", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    // Three rounds of three tries: the chain's time, which the run's limit is counted from, answers at the seventh.
    market.chainTimeFailures.push(...refusals(6));
    const subject = worker(executor);
    await runUntilResumedJobSubmitted(subject);
    expect(market.chainTimeFailures).to.deep.equal([]);
  });

  it("keeps fetching the spec of a job an earlier run accepted through a spec server outage longer than one round of retries", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    const specs = new FlakySpecLoader(7);
    const subject = worker(executor, { specs });
    await runUntilResumedJobSubmitted(subject);
    expect(specs.requests).to.equal(8);
  });

  it("keeps fetching the spec of a job in hand whose server answers 404 for a while (giving up is a certain slash)", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    const specs = new FlakySpecLoader(3, undefined, "not-found");
    const subject = worker(executor, { specs });
    await runUntilResumedJobSubmitted(subject);
    expect(specs.requests).to.equal(4);
  });

  it("keeps fetching the spec of a job in hand while the chain cannot say the time either, however far ahead this machine's clock is", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    // The fake chain's clock reads 1970 (chainNow): this machine's is decades past the job's result deadline.
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    // A round of tries and one more: each failed request finds the node down as well.
    const specs = new FlakySpecLoader(4, () => market.chainTimeFailures.push(refusedConnection));
    const subject = worker(executor, { specs });
    await runUntilResumedJobSubmitted(subject);
    expect(specs.requests).to.equal(5);
  });

  it("gives up fetching the spec of a job in hand once it could no longer be run and submitted by its result deadline", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const start = market.chainNow;
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: start + 1000n });
    // The outage outlasts the job: the chain's clock moves on 50 s at each failed request.
    const specs = new FlakySpecLoader(Infinity, () => (market.chainNow += 50n));
    const records: LogRecord[] = [];
    const subject = worker(executor, { specs, logger: createLogger("info", (record) => records.push(record)) });
    const running = subject.run();
    await waitFor(() => eventsOf("job-failed").length === 1);
    // The last second a run can start is the result deadline less the time a submission is given: JobEscrow.MIN_GRACE,
    // as deploy.ts mirrors it (a test compares the mirror with the contract).
    const lastStart = start + 1000n - BigInt(PARAM_BOUNDS.grace[0]);
    expect(market.chainNow).to.be.at.least(lastStart).and.below(lastStart + 150n);
    const [failed] = eventsOf("job-failed", 1n) as Extract<WorkerEvent, { type: "job-failed" }>[];
    expect(failed?.error.message)
      .to.contain(
        `cannot fetch the spec of job 1 by ${lastStart}, the last second it could start and still be submitted by its ` +
          `result deadline (${start + 1000n}): `,
      )
      .and.to.contain("connect ECONNREFUSED 127.0.0.1:8080");
    expect(records.map((record) => record.msg)).to.include.members([
      "cannot fetch the spec of a job we hold; trying again while it can still be run in time",
      "job failed at execute",
    ]);
    expect(executor.signals).to.have.length(0);
    await subject.stop();
    await running;
  });

  it("gives up on the spec of a job in hand earlier by the run time its executor's estimate needs", async () => {
    // Every job of this executor is estimated at 500 s, as a command executor's expectedSeconds says.
    const executor = Object.assign(new GatedExecutor(store), { leastRunSeconds: () => 500 });
    const start = market.chainNow;
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: start + 1000n });
    const specs = new FlakySpecLoader(Infinity, () => (market.chainNow += 50n));
    const subject = worker(executor, { specs });
    const running = subject.run();
    await waitFor(() => eventsOf("job-failed").length === 1);
    const [failed] = eventsOf("job-failed", 1n) as Extract<WorkerEvent, { type: "job-failed" }>[];
    const lastStart = start + 1000n - BigInt(PARAM_BOUNDS.grace[0]) - 500n;
    expect(failed?.error.message).to.contain(`cannot fetch the spec of job 1 by ${lastStart}, the last second`);
    expect(market.chainNow).to.be.below(lastStart + 150n);
    await subject.stop();
    await running;
  });

  it("stops at once, taking no job, when the source refuses to list the jobs in hand (a refusal retrying cannot fix)", async () => {
    const refusal = new GatewayResponseError("jobs", [{ message: "Cannot query field", code: "GRAPHQL_VALIDATION_FAILED" }]);
    source.inHandFailures.push(() => refusal);
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    offer(makeJob(1));
    let ended = false;
    const outcome = running.then(() => undefined, (error: unknown) => error).finally(() => (ended = true));
    // A worker that went on would open the job feed and take the job instead.
    await waitFor(() => ended || source.openFeeds > 0);
    expect(source.openFeeds).to.equal(0);
    expect(await outcome).to.equal(refusal);
    expect(source.pending).to.equal(1);
    expect(market.count("accept")).to.equal(0);
  });

  it("waits out, with its backoff, a reorganisation storm that expires the listing of the jobs in hand at start again and again, then runs them", async () => {
    const expired = () => new GatewayResponseError("jobs", [{ message: "after: the cursor reads block 7, which the source no longer serves (replaced)", code: "CURSOR_EXPIRED" }]);
    // More than one round of retries (3 attempts in this worker's policy): the worker keeps trying while it runs.
    for (let i = 0; i < 5; i++) source.inHandFailures.push(expired);
    const executor = new GatedExecutor(store);
    executor.open();
    leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
    const subject = worker(executor);
    await runUntilResumedJobSubmitted(subject);
    expect(source.inHandFailures).to.have.length(0);
  });

  describe("jobs an earlier run accepted, and maxConcurrentJobs", () => {
    /** Jobs an earlier run accepted (ids `ids`), due 1000 s from now. */
    function leftAcceptedInHand(...ids: number[]): void {
      source.inHand = ids.map((id) => {
        const job = makeJob(id);
        market.post(job);
        Object.assign(market.states.get(job.jobId) as StoredJob, {
          status: JobStatus.Accepted,
          provider: PROVIDER,
          resultDeadline: market.chainNow + 1000n,
        });
        return job;
      });
    }
    const resumedLogged = (logs: LogRecord[], jobId: bigint) =>
      logs.some(
        (record) => record.msg === "resuming a job the provider accepted before this worker started" && record.fields.jobId === jobId,
      );

    it("runs no more of them at once than maxConcurrentJobs, and the rest as slots free, dropping none", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      leftAcceptedInHand(1, 2, 3);
      const subject = worker(executor, {
        policy: { maxConcurrentJobs: 2 },
        logger: createLogger("info", (record) => logs.push(record)),
      });
      const running = subject.run();
      await waitFor(() => executor.running === 2 && resumedLogged(logs, 3n));
      expect(subject.activeJobs).to.equal(2);
      executor.open();
      await waitFor(() => eventsOf("job-submitted").length === 3);
      expect(executor.maxRunning).to.equal(2);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      expect(market.count("accept")).to.equal(0);
      await subject.stop();
      await running;
    });

    it("gives them the free slots before new jobs waiting for one", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      leftAcceptedInHand(1, 2);
      const subject = worker(executor, { logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      await waitFor(() => executor.running === 1 && resumedLogged(logs, 2n));
      expect(subject.activeJobs).to.equal(1);
      offer(makeJob(3));
      await waitFor(() => source.pending === 0);
      executor.open();
      await waitFor(() => eventsOf("job-submitted").length === 3);
      expect(eventsOf("job-submitted").map((event) => event.jobId)).to.deep.equal([1n, 2n, 3n]);
      expect(executor.maxRunning).to.equal(1);
      await subject.stop();
      await running;
    });

    it("leaves one still waiting for a slot at shutdown accepted, for the next run, and says so", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      leftAcceptedInHand(1, 2);
      const subject = worker(executor, { graceMs: 20, logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      await waitFor(() => executor.running === 1 && resumedLogged(logs, 2n));
      await subject.stop();
      await running;
      expect(executor.gpus).to.have.length(1);
      expect(eventsOf("job-aborted").map((event) => event.jobId)).to.deep.equal([1n]);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      expect(market.states.get(2n)?.status).to.equal(JobStatus.Accepted);
      const left = logs.find((record) => record.msg === "stopping: jobs in hand still waiting for a slot are left for the next run");
      expect(left?.fields.jobs).to.deep.equal([2n]);
    });
  });

  it("settles a job an earlier run submitted once its challenge window has passed", async () => {
    leftInHand(1, { status: JobStatus.Submitted, provider: PROVIDER, challengeDeadline: market.chainNow + market.challengeWindow });
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-settled").length === 1);
    expect(eventsOf("job-settled")[0]).to.deep.include({ by: "worker" });
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Completed);
    await subject.stop();
    await running;
  });

  it("logs a job submitted before it started (by the seed on a devnet) as such, with the challenge deadline it settles after", async () => {
    const logs: LogRecord[] = [];
    const challengeDeadline = market.chainNow + market.challengeWindow;
    leftInHand(1, { status: JobStatus.Submitted, provider: PROVIDER, challengeDeadline });
    const subject = worker(new GatedExecutor(store), { logger: createLogger("debug", (record) => logs.push(record)) });
    const running = subject.run();
    const message = "settling a job the provider submitted before this worker started, once its challenge window ends";
    await waitFor(() => logs.some((record) => record.msg === message));
    expect(logs.find((record) => record.msg === message)?.fields).to.deep.equal({ jobId: 1n, challengeDeadline });
    await subject.stop();
    await running;
  });

  it("leaves alone a job in hand that another provider holds", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    leftInHand(1, { status: JobStatus.Accepted, provider: OTHER_PROVIDER, resultDeadline: market.chainNow + 1000n });
    const subject = worker(executor);
    const running = subject.run();
    offer(makeJob(2));
    await waitFor(() => eventsOf("job-submitted").length === 1);
    expect(executor.signals).to.have.length(1);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Accepted);
    await subject.stop();
    await running;
  });

  // Accepted just before a crash, the job is not in the lagging index yet: not listed in hand, then offered as open.
  function acceptedButOfferedAsOpen(id: number, provider: string): CandidateJob {
    const job = makeJob(id);
    market.post(job);
    Object.assign(market.states.get(BigInt(id)) as StoredJob, {
      status: JobStatus.Accepted,
      provider,
      resultDeadline: market.chainNow + 1000n,
      collateral: job.escrowed / 2n,
    });
    return job;
  }

  it("resumes a job of ours missing from the jobs in hand at start when the source offers it as open", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const job = acceptedButOfferedAsOpen(1, PROVIDER);
    // Past its accept deadline, as a job accepted before a crash may be by the restart: it is ours all the same.
    market.chainNow = job.terms.acceptDeadline + 1n;
    (market.states.get(1n) as StoredJob).resultDeadline = market.chainNow + 1000n;
    const subject = worker(executor);
    const running = subject.run();
    source.push(job);
    await waitFor(() => eventsOf("job-submitted").length + eventsOf("job-failed").length + eventsOf("job-skipped").length === 1);
    expect(eventsOf("job-skipped")).to.deep.equal([]);
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
    expect(market.count("accept")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("keeps fetching the spec of a job of ours offered as open through a spec server outage longer than one round of retries", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const job = acceptedButOfferedAsOpen(1, PROVIDER);
    const specs = new FlakySpecLoader(7);
    const subject = worker(executor, { specs });
    const running = subject.run();
    source.push(job);
    await waitFor(() => eventsOf("job-submitted").length + eventsOf("job-failed").length === 1);
    expect(eventsOf("job-failed")).to.deep.equal([]);
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
    expect(specs.requests).to.equal(8);
    await subject.stop();
    await running;
  });

  it("settles a job of ours already submitted, missing from the jobs in hand at start, when the source offers it as open", async () => {
    const executor = new GatedExecutor(store);
    const job = acceptedButOfferedAsOpen(1, PROVIDER);
    Object.assign(market.states.get(1n) as StoredJob, {
      status: JobStatus.Submitted,
      resultDeadline: undefined,
      challengeDeadline: market.chainNow + market.challengeWindow,
    });
    const subject = worker(executor);
    const running = subject.run();
    source.push(job);
    market.chainNow += market.challengeWindow + 1n;
    await waitFor(() => eventsOf("job-settled").length + eventsOf("job-failed").length + eventsOf("job-skipped").length === 1);
    expect(eventsOf("job-skipped")).to.deep.equal([]);
    expect(eventsOf("job-settled")[0]).to.deep.include({ by: "worker" });
    expect(market.states.get(1n)?.status).to.equal(JobStatus.Completed);
    expect(executor.signals).to.have.length(0);
    expect(market.count("submit")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("skips, submitting nothing, a job offered as open that another provider has accepted", async () => {
    const executor = new GatedExecutor(store);
    executor.open();
    const job = acceptedButOfferedAsOpen(1, OTHER_PROVIDER);
    const subject = worker(executor);
    const running = subject.run();
    source.push(job);
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.equal("no longer open (Accepted)");
    expect(executor.signals).to.have.length(0);
    expect(market.count("accept")).to.equal(0);
    expect(market.count("submit")).to.equal(0);
    await subject.stop();
    await running;
  });

  it("refuses to start for a provider that is not registered, as --check does: by the typed error, saying how to register it", async () => {
    market.provider = { ...market.provider, registered: false };
    const error = await worker(new GatedExecutor(store))
      .run()
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    expect(error).to.be.instanceOf(ProviderNotRegisteredError);
    expect((error as ProviderNotRegisteredError).provider).to.equal(PROVIDER);
    expect((error as Error).message).to.equal(
      `provider ${PROVIDER} is not registered in the ProviderRegistry: the owner registers it with \`npx hardhat provider register\``,
    );
  });

  it("stops with the typed error, naming the fix, when an offered job finds the provider no longer registered (a chain restarted from scratch)", async () => {
    const records: LogRecord[] = [];
    const subject = worker(new GatedExecutor(store), { logger: createLogger("info", (record) => records.push(record)) });
    const running = subject.run().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    // Registered when the worker started; the chain then restarts without it.
    await waitFor(() => records.some(({ msg }) => msg === "worker started"));
    market.provider = { ...market.provider, registered: false };
    offer(makeJob(1));
    const error = await running;
    expect(error).to.be.instanceOf(ProviderNotRegisteredError);
    expect((error as Error).message).to.equal(
      `provider ${PROVIDER} is not registered in the ProviderRegistry: the owner registers it with \`npx hardhat provider register\``,
    );
    expect(market.count("accept")).to.equal(0);
  });

  /** The warnings a worker with `gpus` logs at start (it is stopped once the first is logged). */
  async function startWarnings(gpus: WorkerOptions["gpus"]): Promise<{ msg: string; mismatches: unknown }[]> {
    const records: LogRecord[] = [];
    const subject = worker(new GatedExecutor(store), { gpus, logger: createLogger("warn", (record) => records.push(record)) });
    const running = subject.run();
    await waitFor(() => records.length > 0);
    await subject.stop();
    await running;
    return records.map(({ msg, fields }) => ({ msg, mismatches: fields.mismatches }));
  }

  it("warns at start when this machine differs from the provider's registered specs, naming each difference", async () => {
    const gpus = {
      model: "rtx-3090-24gb",
      displayName: "NVIDIA GeForce RTX 3090",
      vramGiB: 24,
      gpuCount: 2,
      source: "nvidia-smi" as const,
      uuids: [],
      ignored: [],
    };
    expect(await startWarnings(gpus)).to.deep.equal([
      {
        msg: "this machine differs from the provider's registered specs",
        mismatches: ["model rtx-3090-24gb here, rtx-4090-24gb registered", "2 GPUs here, 4 registered"],
      },
    ]);
  });

  it("warns at start when the config's region or tier is not the registered one, which is what jobs are judged by", async () => {
    const gpus = {
      model: "rtx-4090-24gb",
      displayName: "NVIDIA GeForce RTX 4090",
      vramGiB: 24,
      gpuCount: 4,
      region: "us-east",
      tier: "enterprise" as const,
      source: "config" as const,
      uuids: [],
      ignored: [],
    };
    expect(await startWarnings(gpus)).to.deep.equal([
      {
        msg: "this machine differs from the provider's registered specs",
        mismatches: ["region us-east here, eu-west registered", "tier enterprise here, consumer registered"],
      },
    ]);
  });

  it("ignores jobs directed at another provider", async () => {
    const subject = worker(new GatedExecutor(store));
    const running = subject.run();
    offer(makeJob(1, { targetProvider: OTHER_PROVIDER }));
    await waitFor(() => eventsOf("job-skipped").length === 1);
    expect(skipReason(1n)).to.contain("directed at another provider");
    await subject.stop();
    await running;
  });

  describe("GPU assignment", () => {
    /** This machine as nvidia-smi would show it: `count` GPUs of the registered model, by UUID. */
    const detected = (count: number): NonNullable<WorkerOptions["gpus"]> => ({
      model: "rtx-4090-24gb",
      displayName: "NVIDIA GeForce RTX 4090",
      vramGiB: 24,
      gpuCount: count,
      source: "nvidia-smi",
      uuids: Array.from({ length: count }, (_, index) => `GPU-5c6d0a11-000${index}`),
      ignored: [],
    });
    const needing = (id: number, gpuCount: number): CandidateJob => {
      const job = makeJob(id);
      job.terms.requirements.gpuCount = gpuCount;
      return job;
    };

    it("gives concurrent jobs exactly the GPUs each needs, never one GPU to two jobs", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { gpus: detected(4), policy: { maxConcurrentJobs: 2 } });
      const running = subject.run();
      offer(needing(1, 2), needing(2, 2));
      await waitFor(() => executor.running === 2);
      const [first, second] = executor.gpus as string[][];
      expect(first).to.have.length(2);
      expect(second).to.have.length(2);
      expect(new Set([...first, ...second])).to.deep.equal(new Set(detected(4).uuids));
      executor.open();
      await waitFor(() => eventsOf("job-submitted").length === 2);
      await subject.stop();
      await running;
    });

    it("takes at once, on GPUs of its own, a job a restarted chain offers under the id of one still running from before", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { gpus: detected(3), policy: { maxConcurrentJobs: 3 } });
      const running = subject.run();
      offer(needing(1, 1));
      await waitFor(() => executor.running === 1);
      // The chain restarts beneath the run and counts job ids from 1 again: job 1 is now another client's, open.
      market.states.clear();
      const reused = { ...needing(1, 1), client: OTHER_CLIENT };
      offer(reused);
      await waitFor(() => executor.running === 2);
      const [oldGpus, reusedGpus] = executor.gpus as string[][];
      expect(reusedGpus).not.to.have.members(oldGpus);
      // The old chain's run ends first (its submission refused: the id names the new job); the GPUs it frees are its own.
      executor.openOne();
      await waitFor(() => eventsOf("job-failed", 1n).length === 1);
      expect((eventsOf("job-failed", 1n)[0] as { error: Error }).error).to.be.instanceOf(JobReplacedError);
      offer(needing(2, 2));
      await waitFor(() => executor.running === 2);
      const secondGpus = executor.gpus[2] as string[];
      expect(secondGpus.filter((gpu) => reusedGpus.includes(gpu))).to.deep.equal([]);
      executor.open();
      await waitFor(() => eventsOf("job-submitted").length === 2);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
      expect(market.states.get(1n)?.client).to.equal(OTHER_CLIENT);
      expect(eventsOf("job-failed")).to.have.length(1);
      await subject.stop();
      await running;
    });

    it("numbers the GPUs 0..n-1 where the config alone gives them, and logs each assignment", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const logs: LogRecord[] = [];
      const gpus = { ...detected(2), source: "config" as const, uuids: [] };
      const subject = worker(executor, { gpus, logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      offer(needing(1, 2));
      await waitFor(() => eventsOf("job-submitted").length === 1);
      expect(executor.gpus).to.deep.equal([["0", "1"]]);
      expect(logs.filter((record) => record.msg === "GPUs assigned").map((record) => record.fields)).to.deep.equal([
        { jobId: 1n, gpus: ["0", "1"] },
      ]);
      await subject.stop();
      await running;
    });

    it("skips a job while its GPUs are held by another, and gives them to it once that one has submitted", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { gpus: detected(1), policy: { maxConcurrentJobs: 2 } });
      const running = subject.run();
      offer(needing(1, 1));
      await waitFor(() => executor.running === 1);
      const second = needing(2, 1);
      offer(second);
      await waitFor(() => eventsOf("job-skipped", 2n).length === 1);
      expect(skipReason(2n)).to.equal("needs 1 GPU, 0 of the 1 this worker offers are free");
      expect(market.count("accept", 2n)).to.equal(0);
      executor.open();
      await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
      await waitFor(() => subject.gpuAssignments.length === 0);
      source.push(second);
      await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
      expect(executor.gpus).to.deep.equal([["GPU-5c6d0a11-0000"], ["GPU-5c6d0a11-0000"]]);
      await subject.stop();
      await running;
    });

    it("names the GPUs a program's run was given, and their model, in the job executed log line and event", async () => {
      class ProgramExecutor extends GatedExecutor {
        async run(loaded: LoadedSpec, signal: AbortSignal, gpus?: readonly string[]): Promise<ExecutionResult> {
          const result = await super.run(loaded, signal, gpus);
          return { ...result, metrics: { ...result.metrics, device: { type: "external", name: "/opt/latent/job" } } };
        }
      }
      const executor = new ProgramExecutor(store);
      executor.open();
      const logs: LogRecord[] = [];
      const subject = worker(executor, { gpus: detected(2), logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      offer(needing(1, 2));
      await waitFor(() => eventsOf("job-submitted").length === 1);
      const device = {
        type: "external",
        name: "/opt/latent/job",
        gpus: { ids: ["GPU-5c6d0a11-0000", "GPU-5c6d0a11-0001"], model: "rtx-4090-24gb", displayName: "NVIDIA GeForce RTX 4090" },
      };
      expect(logs.find((record) => record.msg === "job executed")?.fields).to.deep.include({ device });
      const executed = eventsOf("job-executed", 1n)[0] as Extract<WorkerEvent, { type: "job-executed" }>;
      expect(executed.result.metrics.device).to.deep.equal(device);
      await subject.stop();
      await running;
    });

    it("leaves a CPU run's device as it is, naming no GPUs", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const logs: LogRecord[] = [];
      const subject = worker(executor, { gpus: detected(1), logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      offer(needing(1, 1));
      await waitFor(() => eventsOf("job-submitted").length === 1);
      expect(logs.find((record) => record.msg === "job executed")?.fields).to.deep.include({ device: { type: "cpu", name: "test" } });
      await subject.stop();
      await running;
    });

    it("releases a job's GPUs when its run fails", async () => {
      const subject = worker(new FailingExecutor(), { gpus: detected(2) });
      const running = subject.run();
      offer(needing(1, 2));
      await waitFor(() => eventsOf("job-failed", 1n).length === 1);
      await waitFor(() => subject.activeJobs === 0);
      expect(subject.gpuAssignments.length).to.equal(0);
      await subject.stop();
      await running;
    });

    it("releases a job's GPUs when its acceptance is refused", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      market.failBefore.accept.push(() => new MarketRejectedError("accept", 1n, "JobEscrowUnexpectedStatus"));
      const subject = worker(executor, { gpus: detected(1) });
      const running = subject.run();
      offer(needing(1, 1));
      await waitFor(() => eventsOf("job-skipped", 1n).length === 1);
      await waitFor(() => subject.activeJobs === 0);
      expect(subject.gpuAssignments.length).to.equal(0);
      offer(needing(2, 1));
      await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
      await subject.stop();
      await running;
    });

    it("releases the GPUs of a job aborted at shutdown", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { gpus: detected(2), graceMs: 20 });
      const running = subject.run();
      offer(needing(1, 2));
      await waitFor(() => executor.running === 1);
      expect(subject.gpuAssignments).to.deep.equal([{ jobId: 1n, gpus: detected(2).uuids }]);
      await subject.stop();
      await running;
      expect(eventsOf("job-aborted", 1n)).to.have.length(1);
      expect(subject.gpuAssignments.length).to.equal(0);
    });

    it("gives back at once a job in hand that needs more GPUs than the worker offers now (a GPU gone since its acceptance)", async () => {
      const job = needing(1, 2);
      market.post(job);
      Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
      source.inHand = [job];
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { gpus: detected(1) });
      const running = subject.run();
      await waitFor(() => eventsOf("job-abandoned", 1n).length === 1);
      expect((eventsOf("job-abandoned", 1n)[0] as { reason: string }).reason).to.equal("needs 2 GPUs, this worker offers 1");
      expect(market.states.get(1n)?.status).to.equal(JobStatus.TimedOut);
      expect(executor.signals).to.have.length(0);
      await subject.stop();
      await running;
    });

    it("assigns GPUs to a job resumed after a restart, and releases them once it is submitted", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      leftInHand(1, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
      const subject = worker(executor, { gpus: detected(1) });
      await runUntilResumedJobSubmitted(subject);
      expect(executor.gpus).to.deep.equal([["GPU-5c6d0a11-0000"]]);
      expect(subject.gpuAssignments.length).to.equal(0);
    });

    /** Jobs an earlier run accepted, needing `needs[i]` GPUs each (ids 1, 2, …), due 1000 s from now. */
    function leftInHandNeeding(...needs: number[]): void {
      source.inHand = needs.map((gpuCount, index) => {
        const job = needing(index + 1, gpuCount);
        market.post(job);
        Object.assign(market.states.get(job.jobId) as StoredJob, {
          status: JobStatus.Accepted,
          provider: PROVIDER,
          resultDeadline: market.chainNow + 1000n,
        });
        return job;
      });
    }
    const waitingForGpus = (logs: LogRecord[], jobId: bigint) =>
      logs.some((record) => record.msg === "waiting for GPUs for a job we hold" && record.fields.jobId === jobId);

    it("has a job resumed after a restart wait for the GPUs another one holds, and runs it once they are released", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      leftInHandNeeding(1, 1);
      const subject = worker(executor, {
        gpus: detected(1),
        policy: { maxConcurrentJobs: 2 },
        logger: createLogger("info", (record) => logs.push(record)),
      });
      const running = subject.run();
      await waitFor(() => executor.running === 1 && waitingForGpus(logs, 2n));
      expect(eventsOf("job-failed")).to.deep.equal([]);
      expect(subject.gpuAssignments).to.deep.equal([{ jobId: 1n, gpus: ["GPU-5c6d0a11-0000"] }]);
      executor.open();
      await waitFor(() => eventsOf("job-submitted").length === 2);
      expect(executor.gpus).to.deep.equal([["GPU-5c6d0a11-0000"], ["GPU-5c6d0a11-0000"]]);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      await subject.stop();
      await running;
    });

    it("fails a resumed job still waiting for GPUs when its result deadline leaves no time to run it, as any late job", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      leftInHandNeeding(1, 1);
      const subject = worker(executor, {
        gpus: detected(1),
        policy: { maxConcurrentJobs: 2 },
        graceMs: 20,
        logger: createLogger("info", (record) => logs.push(record)),
      });
      const running = subject.run();
      await waitFor(() => executor.running === 1 && waitingForGpus(logs, 2n));
      // Within the minimum grace (60 s) of the result deadline: no time to run and submit.
      market.chainNow += 1000n - 30n;
      await waitFor(() => eventsOf("job-failed", 2n).length === 1);
      const [failed] = eventsOf("job-failed", 2n) as Extract<WorkerEvent, { type: "job-failed" }>[];
      expect(failed?.stage).to.equal("execute");
      expect(failed?.error.message).to.contain("too late to run: no time is left within the time left before the job's result deadline");
      expect(executor.gpus).to.have.length(1);
      expect(subject.gpuAssignments).to.deep.equal([{ jobId: 1n, gpus: ["GPU-5c6d0a11-0000"] }]);
      await subject.stop();
      await running;
    });

    it("ends a resumed job's wait for GPUs when the worker stops, reporting it aborted", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      leftInHandNeeding(1, 1);
      const subject = worker(executor, {
        gpus: detected(1),
        policy: { maxConcurrentJobs: 2 },
        graceMs: 20,
        logger: createLogger("info", (record) => logs.push(record)),
      });
      const running = subject.run();
      await waitFor(() => executor.running === 1 && waitingForGpus(logs, 2n));
      await subject.stop();
      await running;
      expect(eventsOf("job-aborted").map((event) => event.jobId)).to.have.members([1n, 2n]);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      expect(subject.gpuAssignments.length).to.equal(0);
    });

    it("keeps the free GPUs for a resumed job waiting for more, passing over a job offered meanwhile", async () => {
      const executor = new GatedExecutor(store);
      const logs: LogRecord[] = [];
      leftInHandNeeding(1, 2);
      const subject = worker(executor, {
        gpus: detected(2),
        policy: { maxConcurrentJobs: 3 },
        logger: createLogger("info", (record) => logs.push(record)),
      });
      const running = subject.run();
      await waitFor(() => executor.running === 1 && waitingForGpus(logs, 2n));
      offer(needing(3, 1));
      await waitFor(() => eventsOf("job-skipped", 3n).length === 1);
      expect(skipReason(3n)).to.equal(
        "needs 1 GPU, 0 of the 2 this worker offers are free (1 more kept for a job already accepted that waits for GPUs)",
      );
      expect(market.count("accept", 3n)).to.equal(0);
      executor.open();
      await waitFor(() => eventsOf("job-submitted").length === 2);
      expect(executor.gpus).to.deep.equal([["GPU-5c6d0a11-0000"], ["GPU-5c6d0a11-0000", "GPU-5c6d0a11-0001"]]);
      await subject.stop();
      await running;
    });
  });

  describe("result files", () => {
    const DAY_MS = 86_400_000;

    it("deletes at start a file past the retention whose job is over, and keeps one whose job is not", async () => {
      const old = new Date(Date.now() - 31 * DAY_MS);
      const files: string[] = [];
      for (const [jobId, status] of [[8n, JobStatus.Completed], [9n, JobStatus.Disputed]] as const) {
        const published = await store.publish(Buffer.alloc(300, Number(jobId)));
        await store.recordJob(jobId, published);
        const job = makeJob(Number(jobId));
        market.states.set(jobId, { identity: storedIdentity(job), client: job.client, termsHash: hashJobTerms(job.terms), status, provider: PROVIDER, gpuCount: 1, escrowed: 1n });
        const file = path.join(dir, `${published.resultHash.slice(2)}.bin`);
        fs.utimesSync(file, old, old);
        files.push(file);
      }
      const subject = worker(new GatedExecutor(store), { results: store, resultRetentionMs: 30 * DAY_MS });
      const running = subject.run();
      await waitFor(() => !fs.existsSync(files[0]!));
      expect(fs.existsSync(files[1]!)).to.equal(true);
      await subject.stop();
      await running;
    });

    it("lists each result's job with its escrow, and keeps a file another chain's worker listed under the id of a job over here", async () => {
      const escrow = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
      const here = escrowKey(31337, escrow);
      const logs: LogRecord[] = [];
      const old = new Date(Date.now() - 31 * DAY_MS);
      const theirs = await store.publish(Buffer.alloc(300, 7));
      await store.recordJob(1n, theirs, escrowKey(11155111, escrow));
      const theirFile = path.join(dir, `${theirs.resultHash.slice(2)}.bin`);
      fs.utimesSync(theirFile, old, old);
      // A URI limit below this 32-byte result's data: URI (81 bytes) and above its file's (77): it goes to a file.
      const fileStore = new ResultStore({ dir, maxUriBytes: 80, publicBaseUrl: "http://r" });
      const subject = worker(new MatmulExecutor(MATMUL_CONFIG, fileStore), {
        results: fileStore,
        resultRetentionMs: 1,
        resultPruneIntervalMs: 5,
        escrow: here,
        logger: createLogger("info", (record) => logs.push(record)),
      });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-submitted").length === 1);
      const { resultHash } = eventsOf("job-submitted")[0] as { resultHash: string };
      const ours = path.join(dir, `${resultHash.slice(2)}.bin`);
      expect(fs.readFileSync(ours.replace(/\.bin$/, ".jobs"), "utf8")).to.equal(`${here} 1\n`);
      market.chainNow += market.challengeWindow + 1n;
      await waitFor(() => eventsOf("job-settled").length === 1);
      // The pass that deleted ours has judged every file: what it kept, it kept.
      const pruned = () => logs.find((record) => record.msg === "result files past their retention deleted");
      await waitFor(() => pruned() !== undefined);
      expect(pruned()?.fields).to.deep.include({ deleted: [path.basename(ours)], kept: 1 });
      expect(fs.existsSync(theirFile)).to.equal(true);
      await subject.stop();
      await running;
    });

    it("notes the job of each result it writes to a file, and deletes the file once the job is settled", async () => {
      // A URI limit below this 32-byte result's data: URI (81 bytes) and above its file's (77): it goes to a file.
      const fileStore = new ResultStore({ dir, maxUriBytes: 80, publicBaseUrl: "http://r" });
      const subject = worker(new MatmulExecutor(MATMUL_CONFIG, fileStore), {
        results: fileStore,
        resultRetentionMs: 1,
        resultPruneIntervalMs: 5,
      });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-submitted").length === 1);
      const { resultHash } = eventsOf("job-submitted")[0] as { resultHash: string };
      const file = path.join(dir, `${resultHash.slice(2)}.bin`);
      expect(fs.readFileSync(file.replace(/\.bin$/, ".jobs"), "utf8")).to.equal("1\n");
      // Submitted: still disputable, so kept however often the worker looks.
      expect(fs.existsSync(file)).to.equal(true);
      market.chainNow += market.challengeWindow + 1n;
      await waitFor(() => eventsOf("job-settled").length === 1);
      await waitFor(() => !fs.existsSync(file));
      await subject.stop();
      await running;
    });
  });

  describe("directed jobs it will not run", () => {
    const declineReason = (jobId: bigint) =>
      (eventsOf("job-declined", jobId)[0] as { reason: string } | undefined)?.reason;

    it("declines one requiring a GPU model it does not list, giving the reason", async () => {
      const subject = worker(new GatedExecutor(store));
      const running = subject.run();
      const job = makeJob(1, { targetProvider: PROVIDER });
      job.terms.requirements.gpuModel = encodeShortId("h100-80gb-hbm3", 32);
      offer(job);
      await waitFor(() => eventsOf("job-declined").length === 1);
      expect(declineReason(1n)).to.equal("requires GPU model h100-80gb-hbm3, we list rtx-4090-24gb");
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Declined);
      expect(market.count("accept")).to.equal(0);
      await subject.stop();
      await running;
    });

    it("declines one paying less than policy.minPricePerGpuHour", async () => {
      const subject = worker(new GatedExecutor(store), { policy: { minPricePerGpuHour: 5_000n } });
      const running = subject.run();
      offer(makeJob(1, { targetProvider: PROVIDER }));
      await waitFor(() => eventsOf("job-declined").length === 1);
      expect(declineReason(1n)).to.contain("below policy.minPricePerGpuHour");
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Declined);
      await subject.stop();
      await running;
    });

    it("declines one of a kind no enabled executor runs", async () => {
      const subject = worker(new GatedExecutor(store));
      const running = subject.run();
      offer(makeJob(1, { kind: "command", targetProvider: PROVIDER }));
      await waitFor(() => eventsOf("job-declined").length === 1);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Declined);
      await subject.stop();
      await running;
    });

    it("declines one whose spec URI points at the cloud metadata address, without fetching it", async () => {
      const specs = new SpecFetcher({ maxBytes: 4096, timeoutMs: 1000, allowHttp: true });
      const subject = worker(new GatedExecutor(store), { specs });
      const running = subject.run();
      const uri = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
      offer({ ...makeJob(1, { targetProvider: PROVIDER }), specURI: uri });
      await waitFor(() => eventsOf("job-declined").length === 1);
      expect(declineReason(1n)).to.contain(`bad spec: cannot fetch spec ${uri}: its host 169.254.169.254, a link-local address`);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Declined);
      expect(market.count("accept")).to.equal(0);
      await subject.stop();
      await running;
    });

    it("does not decline one whose spec server answered an HTTP error (the document may yet appear)", async () => {
      const subject = worker(new GatedExecutor(store), { specs: new FlakySpecLoader(1, undefined, "not-found") });
      const running = subject.run();
      offer(makeJob(1, { targetProvider: PROVIDER }));
      await waitFor(() => eventsOf("job-skipped", 1n).length === 1);
      // A decline would be under way by now: skip and decline are decided in the same step.
      await Promise.all([subject.stop(), running]);
      expect(market.count("decline")).to.equal(0);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Open);
    });

    it("declines one whose collateral is more than its stake would free with every job of its own ended", async () => {
      market.staked = 4n * 10n ** 17n;
      const subject = worker(new GatedExecutor(store));
      const running = subject.run();
      offer(makeJob(1, { targetProvider: PROVIDER }));
      await waitFor(() => eventsOf("job-declined").length === 1);
      expect(declineReason(1n)).to.equal(
        "needs 500000000000000000 wei of collateral, the provider's free stake is 400000000000000000 wei",
      );
      await subject.stop();
      await running;
    });

    it("declines a job offered under the id of one whose decline is still on its way when its terms differ, as after a devnet restarted", async () => {
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let declining = 0;
      const decline = market.decline.bind(market);
      market.decline = async (job: CandidateJob) => {
        declining += 1;
        await gate;
        return decline(job);
      };
      const subject = worker(new GatedExecutor(store), { policy: { minPricePerGpuHour: 500n } });
      const running = subject.run();
      offer(makeJob(1, { targetProvider: PROVIDER, maxPricePerGpuHour: 100n }));
      await waitFor(() => declining === 1);
      // The restarted chain counts job ids from 1 again: another job, which a decline of the first does not refund.
      offer(makeJob(1, { targetProvider: PROVIDER, maxPricePerGpuHour: 100n, acceptDeadline: 3_000_000n }));
      await waitFor(() => declining === 2);
      release();
      await waitFor(() => eventsOf("job-declined", 1n).length === 1);
      await subject.stop();
      await running;
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Declined);
    });

    it("does not let a decline still on its way when the chain restarts refund the job the new chain stores under that id, logging why", async () => {
      const logs: LogRecord[] = [];
      const logger = createLogger("info", (record) => logs.push(record));
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let declining = 0;
      const decline = market.decline.bind(market);
      market.decline = async (job: CandidateJob) => {
        declining += 1;
        await gate;
        return decline(job);
      };
      const executor = new GatedExecutor(store);
      executor.open();
      const subject = worker(executor, { policy: { minPricePerGpuHour: 500n }, logger });
      const running = subject.run();
      offer(makeJob(1, { targetProvider: PROVIDER, maxPricePerGpuHour: 100n }));
      await waitFor(() => declining === 1);
      // The chain restarts beneath the worker and job 1 is now another client's, one the worker would take.
      const other = makeJob(1, { targetProvider: PROVIDER, maxPricePerGpuHour: 1_000n });
      other.client = OTHER_CLIENT;
      market.post(other);
      release();
      await waitFor(() => logs.some((record) => record.msg.startsWith("job not declined: its id now names another job")));
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Open);
      expect(eventsOf("job-declined")).to.deep.equal([]);
      source.push(other);
      await waitFor(() => eventsOf("job-accepted", 1n).length === 1);
      await subject.stop();
      await running;
      expect(logs.find((record) => record.msg.startsWith("job not declined: its id"))?.fields).to.deep.include({ jobId: 1n });
    });

    it("does not submit a result computed for a job the chain lost in a restart to the job it now stores under that id, failing at submit", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor);
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      // The chain restarts beneath the run; job 1 is now another client's, which this provider has submitted (its state
      // must not pass for this job's submission having landed).
      const other = { ...makeJob(1, { acceptDeadline: 3_000_000n }), client: OTHER_CLIENT };
      market.post(other);
      Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Submitted, provider: PROVIDER, challengeDeadline: market.chainNow + 5n });
      executor.open();
      await waitFor(() => eventsOf("job-failed", 1n).length + eventsOf("job-submitted", 1n).length === 1);
      expect(eventsOf("job-submitted")).to.deep.equal([]);
      const failed = eventsOf("job-failed", 1n)[0] as { stage: string; error: Error };
      expect(failed.stage).to.equal("submit");
      expect(failed.error).to.be.instanceOf(JobReplacedError);
      expect(market.states.get(1n)?.submitted).to.equal(undefined);
      await subject.stop();
      await running;
    });

    it("does not settle, as if it were its own, the job a restarted chain stores under the id of one it submitted, logging why", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const logs: LogRecord[] = [];
      const subject = worker(executor, { logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
      // The chain restarts; job 1 is now another client's, submitted and past its window as well.
      const other = { ...makeJob(1, { acceptDeadline: 3_000_000n }), client: OTHER_CLIENT };
      market.post(other);
      Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Submitted, provider: PROVIDER, challengeDeadline: market.chainNow });
      market.chainNow += market.challengeWindow + 1n;
      await waitFor(() => logs.some((record) => record.msg === "job not settled: its id now names another job on-chain (the chain restarted?)"));
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Submitted);
      expect(eventsOf("job-settled")).to.deep.equal([]);
      expect(eventsOf("job-failed")).to.deep.equal([]);
      await subject.stop();
      await running;
    });

    it("does not report as settled by another the job it submitted when a restarted chain stores another, settled job under its id", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      const logs: LogRecord[] = [];
      const subject = worker(executor, { logger: createLogger("info", (record) => logs.push(record)) });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
      // The chain restarts; job 1 is now another client's, already completed.
      market.post({ ...makeJob(1, { acceptDeadline: 3_000_000n }), client: OTHER_CLIENT });
      Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Completed, provider: PROVIDER });
      market.chainNow += market.challengeWindow + 1n;
      await waitFor(() => logs.some((record) => record.msg.startsWith("job not settled")) || eventsOf("job-settled").length > 0);
      expect(eventsOf("job-settled")).to.deep.equal([]);
      expect(logs.find((record) => record.msg.startsWith("job not settled"))?.fields).to.deep.include({ jobId: 1n });
      await subject.stop();
      await running;
    });

    it("does not run as its own the job a restarted chain stores, accepted by this provider, under the id of one whose acceptance failed", async () => {
      const executor = new GatedExecutor(store);
      executor.open();
      market.failBefore.accept.push(() => {
        // The chain restarts as the acceptance is sent; job 1 is now another client's, which this provider holds.
        market.post({ ...makeJob(1, { acceptDeadline: 3_000_000n }), client: OTHER_CLIENT });
        Object.assign(market.states.get(1n) as StoredJob, { status: JobStatus.Accepted, provider: PROVIDER, resultDeadline: market.chainNow + 1000n });
        return new MarketRejectedError("accept", 1n, "JobEscrowUnexpectedStatus");
      });
      const subject = worker(executor);
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => eventsOf("job-skipped", 1n).length + eventsOf("job-executed", 1n).length === 1);
      expect(eventsOf("job-executed")).to.deep.equal([]);
      expect(skipReason(1n)).to.equal("its id now names another job on-chain (the chain restarted?)");
      await subject.stop();
      await running;
    });

    it("declines one below policy.minPricePerGpuHour while every slot is taken, since no free slot would change that", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { policy: { minPricePerGpuHour: 500n } });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      offer(makeJob(2, { targetProvider: PROVIDER, maxPricePerGpuHour: 100n }));
      await waitFor(() => eventsOf("job-declined", 2n).length === 1);
      expect(executor.running).to.equal(1);
      executor.open();
      await subject.stop();
      await running;
    });

    it("declines one the policy refuses while a job that fits waits for the only slot, before that slot frees", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { policy: { minPricePerGpuHour: 500n } });
      const running = subject.run();
      offer(makeJob(1));
      await waitFor(() => executor.running === 1);
      offer(makeJob(2), makeJob(3, { targetProvider: PROVIDER, maxPricePerGpuHour: 100n }));
      await waitFor(() => eventsOf("job-declined", 3n).length === 1);
      executor.open();
      await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
      const order = events
        .map((event) => `${event.type} ${event.jobId}`)
        .filter((entry) => ["job-declined 3", "job-executed 1", "job-accepted 2"].includes(entry));
      expect(order).to.deep.equal(["job-declined 3", "job-executed 1", "job-accepted 2"]);
      await subject.stop();
      await running;
    });

    it("does not decline one needing GPUs its own running job holds, and takes it once they are free", async () => {
      const executor = new GatedExecutor(store);
      const subject = worker(executor, { policy: { maxConcurrentJobs: 2 } });
      const running = subject.run();
      const [first, directed] = [makeJob(1), makeJob(2, { targetProvider: PROVIDER })];
      first.terms.requirements.gpuCount = 4;
      directed.terms.requirements.gpuCount = 4;
      offer(first, directed);
      await waitFor(() => eventsOf("job-skipped", 2n).length === 1);
      expect(skipReason(2n)).to.equal("requires 4 GPUs, 0 of 4 are free");
      executor.open();
      await waitFor(() => eventsOf("job-submitted", 1n).length === 1);
      source.push(directed);
      await waitFor(() => eventsOf("job-submitted", 2n).length === 1);
      expect(market.count("decline")).to.equal(0);
      await subject.stop();
      await running;
    });

    it("does not decline one whose collateral fits once its own running job has ended", async () => {
      market.staked = 8n * 10n ** 17n;
      const subject = worker(new GatedExecutor(store), { policy: { maxConcurrentJobs: 2 }, graceMs: 0 });
      const running = subject.run();
      offer(makeJob(1), makeJob(2, { targetProvider: PROVIDER }));
      await waitFor(() => eventsOf("job-skipped", 2n).length === 1);
      expect(skipReason(2n)).to.contain("wei of collateral");
      // stop() waits for declines on their way.
      await subject.stop();
      await running;
      expect(market.count("decline")).to.equal(0);
      expect(market.states.get(2n)?.status).to.equal(JobStatus.Open);
    });

    it("leaves them open with policy.declineDirectedJobs off", async () => {
      const subject = worker(new GatedExecutor(store), { policy: { declineDirectedJobs: false } });
      const running = subject.run();
      const job = makeJob(1, { targetProvider: PROVIDER });
      job.terms.requirements.gpuModel = encodeShortId("h100-80gb-hbm3", 32);
      offer(job);
      await waitFor(() => eventsOf("job-skipped").length === 1);
      await subject.stop();
      await running;
      expect(market.count("decline")).to.equal(0);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Open);
    });

    it("declines no job open to every provider", async () => {
      const subject = worker(new GatedExecutor(store));
      const running = subject.run();
      const job = makeJob(1);
      job.terms.requirements.gpuModel = encodeShortId("h100-80gb-hbm3", 32);
      offer(job);
      await waitFor(() => eventsOf("job-skipped").length === 1);
      await subject.stop();
      await running;
      expect(market.count("decline")).to.equal(0);
    });

    it("reports nothing failed when the client cancelled the job before the decline got there, logging it no longer open", async () => {
      market.failBefore.decline.push(() => {
        market.states.get(1n)!.status = JobStatus.Cancelled;
        return new MarketRejectedError("decline", 1n, "JobEscrowUnexpectedStatus");
      });
      const logs: LogRecord[] = [];
      const subject = worker(new GatedExecutor(store), { logger: createLogger("debug", (record) => logs.push(record)) });
      const running = subject.run();
      const job = makeJob(1, { targetProvider: PROVIDER });
      job.terms.requirements.gpuModel = encodeShortId("h100-80gb-hbm3", 32);
      offer(job);
      await waitFor(() => market.count("decline") === 1);
      await subject.stop();
      await running;
      expect(eventsOf("job-failed")).to.deep.equal([]);
      expect(eventsOf("job-declined")).to.deep.equal([]);
      expect(logs.find((record) => record.msg === "job not declined: no longer open")?.fields).to.deep.equal({
        jobId: 1n,
        status: "Cancelled",
      });
    });

    it("reports a decline refused while the job is still open as a failure at decline", async () => {
      market.failBefore.decline.push(() => new MarketRejectedError("decline", 1n, "JobEscrowUnauthorized"));
      const logs: LogRecord[] = [];
      const subject = worker(new GatedExecutor(store), { logger: createLogger("debug", (record) => logs.push(record)) });
      const running = subject.run();
      const job = makeJob(1, { targetProvider: PROVIDER });
      job.terms.requirements.gpuModel = encodeShortId("h100-80gb-hbm3", 32);
      offer(job);
      await waitFor(() => eventsOf("job-failed").length === 1);
      await subject.stop();
      await running;
      const [failed] = eventsOf("job-failed", 1n) as Extract<WorkerEvent, { type: "job-failed" }>[];
      expect(failed?.stage).to.equal("decline");
      expect(failed?.error).to.be.instanceOf(MarketRejectedError);
      expect(logs.filter((record) => record.level === "error").map((record) => record.msg)).to.deep.equal(["job failed at decline"]);
      expect(market.states.get(1n)?.status).to.equal(JobStatus.Open);
    });
  });
});
