// The JobSource over the Latent gateway. Each connection:
//   1. subscribes to `jobOpened(requirements)` (events are buffered from here on),
//   2. waits, if asked, until the gateway has indexed a given block (the one that put the provider online: until
//      then the index thinks the provider inactive and openJobs answers nothing),
//   3. pages through `openJobs(provider)`: the jobs already open that the provider may accept, so a worker that
//      starts late or reconnects misses nothing,
//   4. then yields the subscription's jobs until the connection drops, reading openJobs again every `resyncMs`.
// Subscribing before reading openJobs leaves no gap between the two; a job in both is yielded twice, which the
// worker ignores (it remembers job ids). The periodic re-read offers again what the worker passed over for reasons
// that change (no free GPU at the time, inactive, a track record too short), which the feed, announcing each job
// once, never would. reconnectingJobSource runs all this again after a drop, with backoff.
//
// With `directedJobs`, each read of openJobs is followed by a read of the jobs still open that are directed at the
// provider, whatever they require: openJobs and the feed's filter leave out the ones it cannot take, and those are
// the ones the worker declines.
//
// Every Job is converted and checked by gateway-jobs.ts (its terms must hash to its termsHash); a job that fails is
// logged and skipped, never yielded.

import { ChainReadError, ProviderNotRegisteredError } from "./chain";
import { CANDIDATE_JOB_FRAGMENT, GatewayJobError, isOpenJob, toCandidateJob } from "./gateway-jobs";
import { GatewayProtocolError, GatewayResponseError } from "./gateway-errors";
import { queryGateway } from "./graphql-http";
import { JobFeed } from "./job-feed";
import { reconnectingJobSource } from "./job-source";
import type { Logger } from "./logger";
import type { CandidateJob, JobSource } from "./market";
import { RetryPolicy, raceAbort, sleep } from "./retry";
import { isJsonObject } from "./validate";

/** The gateway's JobFeedFilter input: jobs matching every field given. */
export interface JobFeedFilter {
  provider?: string;
  gpuModels?: string[];
  regions?: string[];
  tier?: "ANY" | "ENTERPRISE" | "CONSUMER";
  /** wei, decimal. */
  minPricePerGpuHour?: string;
  maxGpuCount?: number;
}

export interface GatewaySourceOptions {
  /** GraphQL over HTTP (queries). */
  httpUrl: string;
  /** GraphQL over WebSocket (the subscription). */
  wsUrl: string;
  /** The provider whose openJobs are read. */
  provider: string;
  /**
   * The jobOpened filter, worked out afresh for each connection (from the provider's current listing). A
   * ProviderNotRegisteredError it throws ends the source with it; any other failure is a chain read retried.
   */
  feedFilter: () => Promise<JobFeedFilter>;
  /** The chain's JSON-RPC endpoint, which feedFilter reads: named (scheme and host) when that read fails. */
  chainUrl: string;
  /** Read the open jobs directed at the provider along with openJobs (for the worker to decline those it won't run). */
  directedJobs?: boolean;
  /** Before reading openJobs, wait until the gateway has indexed this block. */
  indexedBlock?: number;
  retry: RetryPolicy;
  logger: Logger;
  /** Limit on each HTTP query (default 15 s). */
  requestTimeoutMs?: number;
  /** WebSocket ping interval and pong timeout (default 15 s). */
  keepAliveMs?: number;
  /** How often openJobs is read again while following the feed (default 60 s). */
  resyncMs?: number;
  /** The most feed events kept while they are not taken (during an openJobs read); default 1000 (worker README). */
  feedBufferLimit?: number;
  /** openJobs page size (default 50; the gateway allows up to 100). */
  pageSize?: number;
  /** Pause between two looks at the gateway's indexed block while waiting for `indexedBlock` (default 500 ms). */
  indexPollMs?: number;
}

/** The limits in force for a connection: `requestTimeoutMs` and `keepAliveMs` default to 15 s (worker README). */
export function gatewayTimeouts(options: Pick<GatewaySourceOptions, "requestTimeoutMs" | "keepAliveMs">): {
  requestTimeoutMs: number;
  keepAliveMs: number;
} {
  return { requestTimeoutMs: options.requestTimeoutMs ?? 15_000, keepAliveMs: options.keepAliveMs ?? 15_000 };
}

const JOB_OPENED = `
  subscription WorkerJobOpened($requirements: JobFeedFilter) {
    jobOpened(requirements: $requirements) { ...CandidateJobFields }
  }
  ${CANDIDATE_JOB_FRAGMENT}
`;

const OPEN_JOBS = `
  query WorkerOpenJobs($provider: Address!, $first: Int!, $after: String) {
    openJobs(provider: $provider, first: $first, after: $after) {
      nodes { ...CandidateJobFields }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${CANDIDATE_JOB_FRAGMENT}
`;

const DIRECTED_JOBS = `
  query WorkerDirectedJobs($filter: JobFilter, $first: Int!, $after: String) {
    jobs(filter: $filter, first: $first, after: $after) {
      nodes { ...CandidateJobFields }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${CANDIDATE_JOB_FRAGMENT}
`;

const INDEXED_BLOCK = `query WorkerIndexedBlock { indexingStatus { indexedBlock } }`;

const JOBS_IN_HAND = `
  query WorkerJobsInHand($filter: JobFilter, $first: Int!, $after: String) {
    jobs(filter: $filter, first: $first, after: $after) {
      nodes { ...CandidateJobFields }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${CANDIDATE_JOB_FRAGMENT}
`;

export function gatewayJobSource(options: GatewaySourceOptions): JobSource {
  // Waited for until a catch-up has been read once: a later connection would find it indexed long since, unless the
  // chain restarted beneath the worker (a devnet) and counts blocks from 0 again, where the wait would keep every job
  // from the worker until the new chain reached that height.
  let indexedBlock = options.indexedBlock;
  const connect = (signal: AbortSignal, established: () => void) =>
    connectGateway({ ...options, indexedBlock }, signal, () => {
      indexedBlock = undefined;
      established();
    });
  const source = reconnectingJobSource(connect, {
    retry: options.retry,
    logger: options.logger,
  });
  return { jobs: (signal, reconnected) => source.jobs(signal, reconnected), jobsInHand: (signal) => jobsInHand(options, signal) };
}

/** The provider's jobs the gateway has as Accepted or Submitted (a job described wrongly is logged and left out). */
export async function jobsInHand(options: GatewaySourceOptions, signal: AbortSignal): Promise<CandidateJob[]> {
  const filter = { provider: options.provider, statuses: ["ACCEPTED", "SUBMITTED"] };
  // By id, the later kept: a listing started again after a reorganisation describes a job afresh.
  const jobs = new Map<bigint, CandidateJob>();
  for await (const raw of pages(options, "jobs", JOBS_IN_HAND, { filter }, signal)) {
    try {
      const job = toCandidateJob(raw);
      jobs.set(job.jobId, job);
    } catch (error) {
      if (!(error instanceof GatewayJobError)) throw error;
      options.logger.warn("skipping a job the gateway described wrongly", { jobId: error.jobId, problem: error.problem });
    }
  }
  return [...jobs.values()];
}

/** One connection: the catch-up, then the feed, until the connection ends (returns or throws). */
export async function* connectGateway(
  options: GatewaySourceOptions,
  signal: AbortSignal,
  established: () => void = () => undefined,
): AsyncGenerator<CandidateJob> {
  const { logger } = options;
  const { requestTimeoutMs, keepAliveMs } = gatewayTimeouts(options);
  let filter: JobFeedFilter;
  try {
    filter = await options.feedFilter();
  } catch (error) {
    // A provider the chain does not have (one restarted from scratch beneath the worker) is no outage to wait out.
    if (signal.aborted || error instanceof ProviderNotRegisteredError) throw error;
    throw new ChainReadError("the provider's listing (the job feed's filter)", options.chainUrl, error);
  }
  // Events pile up only while this loop reads openJobs (the worker takes each job as it comes), so a full buffer drops
  // the oldest: those most likely to be in the read under way, which returns the jobs open when it reaches their
  // page. A job dropped and missed by it comes back at the next re-read, like one the worker passed over.
  const bufferLimit = options.feedBufferLimit ?? 1_000;
  let droppedAtRead = 0;
  const feed = new JobFeed({
    url: options.wsUrl,
    query: JOB_OPENED,
    variables: { requirements: filter },
    field: "jobOpened",
    keepAliveMs,
    connectTimeoutMs: requestTimeoutMs,
    bufferLimit,
    onDrop: (dropped) => {
      if (dropped === droppedAtRead + 1) {
        logger.warn("the job feed's buffer is full: dropping its oldest events; the next openJobs re-read offers them again", {
          bufferLimit,
        });
      }
    },
  });
  try {
    await raceAbort(feed.connected, signal);
    if (signal.aborted) return;
    logger.info("following the gateway's job feed", { url: options.wsUrl, filter });
    if (options.indexedBlock !== undefined) await waitForIndexedBlock(options, options.indexedBlock, signal);

    let caughtUp = 0;
    for await (const raw of openJobs(options, signal)) {
      const job = candidate(raw, logger);
      if (job === undefined) continue;
      caughtUp += 1;
      yield job;
    }
    logger.info("read the jobs already open", { jobs: caughtUp });
    // Both URLs have answered as the gateway: an HTTP status from now on is a restart behind a proxy, not a wrong URL.
    established();

    const resyncMs = options.resyncMs ?? 60_000;
    const events = feed.events(signal);
    // One pending next() at a time, kept across resyncs: calling next() again would skip or reorder events.
    let pending = events.next();
    // Counted from the last read, not the last event: on a feed busier than one event a resyncMs, a wait restarted by
    // each event would never end, and the jobs the worker passed over would come back only at a reconnection.
    let resyncAt = Date.now() + resyncMs;
    for (;;) {
      const next = await nextOrTimeout(pending, Math.max(0, resyncAt - Date.now()));
      if (signal.aborted) return;
      if (next === "timeout") {
        if (feed.dropped > droppedAtRead) {
          logger.info("reading openJobs again after the job feed dropped events", { dropped: feed.dropped - droppedAtRead });
          droppedAtRead = feed.dropped;
        }
        for await (const raw of openJobs(options, signal)) {
          const job = candidate(raw, logger);
          if (job !== undefined) yield job;
        }
        resyncAt = Date.now() + resyncMs;
        continue;
      }
      if (next.done) return;
      const job = candidate(next.value, logger);
      pending = events.next();
      if (job !== undefined) yield job;
    }
  } finally {
    await feed.close();
  }
}

/** The promise's result, or "timeout" after `ms` (the promise stays pending, to be awaited again). */
async function nextOrTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<"timeout">((resolve) => (timer = setTimeout(resolve, ms, "timeout")))]);
  } finally {
    clearTimeout(timer);
  }
}

function candidate(raw: unknown, logger: Logger): CandidateJob | undefined {
  if (!isOpenJob(raw)) {
    logger.debug("gateway sent a job that is no longer open", { job: isJsonObject(raw) ? raw.id : undefined });
    return undefined;
  }
  try {
    return toCandidateJob(raw);
  } catch (error) {
    if (!(error instanceof GatewayJobError)) throw error;
    logger.warn("skipping a job the gateway described wrongly", { jobId: error.jobId, problem: error.problem });
    return undefined;
  }
}

async function* openJobs(options: GatewaySourceOptions, signal: AbortSignal): AsyncGenerator<unknown> {
  try {
    yield* pages(options, "openJobs", OPEN_JOBS, { provider: options.provider }, signal);
  } catch (error) {
    // The chain says the provider is registered (checked at start), so a gateway refusing it as "not a registered
    // provider" has not indexed the registration yet: nothing to offer until it has (the next re-read), as for a
    // provider it thinks inactive.
    if (!(error instanceof GatewayResponseError && error.errors.every((e) => e.code === "BAD_USER_INPUT" && e.argument === "provider"))) throw error;
    options.logger.info("the gateway does not know the provider yet (its registration is not indexed): no open jobs until it is", {
      provider: options.provider,
    });
  }
  if (!options.directedJobs) return;
  const filter = { targetProvider: options.provider, statuses: ["OPEN"] };
  yield* pages(options, "jobs", DIRECTED_JOBS, { filter }, signal);
}

/**
 * The nodes of every page of the job connection `field`. A cursor the gateway refuses as expired (a reorganisation
 * replaced its block) starts the listing again from the first page, at the new head, leaving out the nodes already
 * yielded unchanged; a second expiry within the same listing is thrown (transient: the caller waits with its backoff and
 * reads again), so that a chain that keeps reorganising cannot keep one listing going forever, nor stop the worker.
 */
async function* pages(
  options: GatewaySourceOptions,
  field: string,
  query: string,
  variables: Record<string, unknown>,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  const yielded = new Set<string>();
  let restarted = false;
  let after: string | null = null;
  for (;;) {
    let data: Record<string, unknown>;
    try {
      data = await queryGateway(
        options.httpUrl,
        field,
        query,
        { ...variables, first: options.pageSize ?? 50, after },
        { timeoutMs: gatewayTimeouts(options).requestTimeoutMs, signal },
      );
    } catch (error) {
      if (restarted || after === null || !(error instanceof GatewayResponseError && error.cursorExpired)) throw error;
      options.logger.info("the gateway's cursor expired (a reorganisation replaced its block): reading the list again from its first page", {
        field,
        yielded: yielded.size,
      });
      restarted = true;
      after = null;
      continue;
    }
    const connection = data[field];
    if (!isJsonObject(connection) || !Array.isArray(connection.nodes) || !isJsonObject(connection.pageInfo)) {
      throw new GatewayProtocolError(options.httpUrl, `${field} is not a job connection`);
    }
    for (const node of connection.nodes) {
      // Exactly as yielded before the restart: the caller has it. One the new head describes otherwise (the reorg
      // replaced the block that opened it) is yielded again, for the caller to take the newer.
      const text = JSON.stringify(node);
      if (yielded.has(text)) continue;
      yielded.add(text);
      yield node;
    }
    const { hasNextPage, endCursor } = connection.pageInfo;
    if (hasNextPage !== true) return;
    if (typeof endCursor !== "string") throw new GatewayProtocolError(options.httpUrl, `${field} has a next page but no cursor`);
    after = endCursor;
  }
}

async function waitForIndexedBlock(options: GatewaySourceOptions, block: number, signal: AbortSignal): Promise<void> {
  let logged = false;
  for (;;) {
    const data = await queryGateway(options.httpUrl, "indexingStatus", INDEXED_BLOCK, {}, {
      timeoutMs: gatewayTimeouts(options).requestTimeoutMs,
      signal,
    });
    const status = data.indexingStatus;
    const indexed = isJsonObject(status) ? status.indexedBlock : undefined;
    if (typeof indexed !== "number") throw new GatewayProtocolError(options.httpUrl, "indexingStatus has no indexedBlock");
    if (indexed >= block) return;
    if (!logged) {
      options.logger.info("waiting for the gateway to index the provider's latest change", { block, indexed });
      logged = true;
    }
    await sleep(options.indexPollMs ?? 500, signal);
  }
}
