import { expect } from "chai";
import { ZeroAddress, makeError } from "ethers";
import { reconnectingJobSource } from "../../../scripts/worker/job-source";
import { createLogger, silentLogger, type LogRecord } from "../../../scripts/worker/logger";
import type { CandidateJob } from "../../../scripts/worker/market";
import { HttpStatusError, type RetryPolicy } from "../../../scripts/worker/retry";

const FAST: RetryPolicy = { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 2, multiplier: 2, jitter: 0 };

function job(id: number): CandidateJob {
  return {
    jobId: BigInt(id),
    client: ZeroAddress,
    specURI: "data:,",
    escrowed: 0n,
    terms: {
      requirements: {
        gpuModel: `0x${"00".repeat(32)}`,
        region: `0x${"00".repeat(16)}`,
        minVramGiB: 0,
        gpuCount: 1,
        tier: 0,
        minCompletedJobs: 0,
        minSlashRewardBps: 0,
      },
      maxPricePerGpuHour: 1n,
      maxDuration: 60,
      acceptDeadline: 0n,
      targetProvider: ZeroAddress,
      specHash: `0x${"00".repeat(32)}`,
    },
  };
}

const networkError = () => Object.assign(new Error("socket closed"), { code: "ECONNRESET" });

/** Resolves when `signal` aborts. */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) =>
    signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
  );

describe("reconnecting job source", () => {
  it("reconnects after a dropped or ended connection and keeps yielding jobs", async () => {
    let connections = 0;
    const source = reconnectingJobSource(
      async function* (signal) {
        connections += 1;
        if (connections === 1) {
          yield job(1);
          throw networkError();
        }
        if (connections === 2) {
          yield job(2); // then the server closes the subscription
          return;
        }
        yield job(3);
        await aborted(signal);
      },
      { retry: FAST, logger: silentLogger },
    );
    const controller = new AbortController();
    const received: bigint[] = [];
    for await (const candidate of source.jobs(controller.signal)) {
      received.push(candidate.jobId);
      if (received.length === 3) controller.abort();
    }
    expect(received).to.deep.equal([1n, 2n, 3n]);
    expect(connections).to.equal(3);
  });

  it("says it reconnected once per connection established after the first established one, not at start nor at a failed try", async () => {
    let connections = 0;
    const seen: string[] = [];
    const source = reconnectingJobSource(
      async function* (signal, established) {
        connections += 1;
        // The first try fails before it works: the start's jobs in hand are still the ones read at start.
        if (connections === 1) throw networkError();
        established();
        established(); // once per connection whatever the connection calls
        yield job(connections);
        if (connections === 2) throw networkError();
        if (connections === 3) throw networkError();
        await aborted(signal);
      },
      { retry: FAST, logger: silentLogger },
    );
    const controller = new AbortController();
    for await (const candidate of source.jobs(controller.signal, () => seen.push("reconnected"))) {
      seen.push(`job ${candidate.jobId}`);
      if (candidate.jobId === 4n) controller.abort();
    }
    expect(seen).to.deep.equal(["job 2", "reconnected", "job 3", "reconnected", "job 4"]);
  });

  it("keeps trying a gateway that refuses connections, beyond maxAttempts", async () => {
    let connections = 0;
    const source = reconnectingJobSource(
      async function* () {
        connections += 1;
        if (connections <= 5) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        yield job(1);
      },
      { retry: FAST, logger: silentLogger },
    );
    const controller = new AbortController();
    for await (const candidate of source.jobs(controller.signal)) {
      expect(candidate.jobId).to.equal(1n);
      controller.abort();
    }
    expect(connections).to.equal(6);
  });

  it("logs a reconnect's reason by briefError: never the signed transaction or the endpoint's credentials an ethers error spells out", async () => {
    const signed = `0x02f8${"ab".repeat(60)}`;
    const failure = makeError("server response 503 Service Unavailable", "SERVER_ERROR", {
      request: { url: "https://worker:pAsSwOrD@eth.example/v2" } as never,
      response: { statusCode: 503 } as never,
      info: { transaction: signed },
    });
    expect(failure.message).to.contain(signed).and.to.contain("pAsSwOrD");
    const logs: LogRecord[] = [];
    let connections = 0;
    const source = reconnectingJobSource(
      async function* (signal) {
        connections += 1;
        if (connections === 1) throw failure;
        yield job(1);
        await aborted(signal);
      },
      { retry: FAST, logger: createLogger("warn", (record) => logs.push(record)) },
    );
    const controller = new AbortController();
    for await (const candidate of source.jobs(controller.signal)) if (candidate.jobId === 1n) controller.abort();
    const [reconnect] = logs.filter((record) => record.msg === "job source disconnected; reconnecting");
    expect(reconnect?.fields.reason).to.equal("server response 503 Service Unavailable (SERVER_ERROR, https://eth.example/v2)");
    expect(JSON.stringify(logs, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).to.not.match(/pAsSwOrD|02f8abab/);
  });

  it("gives up on an error that retrying cannot fix", async () => {
    const source = reconnectingJobSource(
      // eslint-disable-next-line require-yield
      async function* () {
        throw new Error("GraphQL schema has no field jobOpened");
      },
      { retry: FAST, logger: silentLogger },
    );
    const iterator = source.jobs(new AbortController().signal)[Symbol.asyncIterator]();
    const error = await iterator.next().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect((error as Error).message).to.equal("GraphQL schema has no field jobOpened");
  });

  it("gives up on an HTTP 404 before any connection has worked (a wrong URL)", async () => {
    let connections = 0;
    const source = reconnectingJobSource(
      // eslint-disable-next-line require-yield
      async function* () {
        connections += 1;
        throw new HttpStatusError("http://127.0.0.1:1/graphql", 404);
      },
      { retry: FAST, logger: silentLogger },
    );
    const iterator = source.jobs(new AbortController().signal)[Symbol.asyncIterator]();
    const error = await iterator.next().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(HttpStatusError);
    expect(connections).to.equal(1);
  });

  it("retries an HTTP 404 once a connection has been established (a proxy while the gateway restarts)", async () => {
    let connections = 0;
    const source = reconnectingJobSource(
      async function* (signal, established) {
        connections += 1;
        if (connections === 1) {
          established();
          throw new HttpStatusError("http://127.0.0.1:1/graphql", 404);
        }
        if (connections === 2) throw new HttpStatusError("http://127.0.0.1:1/graphql", 404);
        yield job(1);
        await aborted(signal);
      },
      { retry: FAST, logger: silentLogger },
    );
    const controller = new AbortController();
    for await (const candidate of source.jobs(controller.signal)) {
      expect(candidate.jobId).to.equal(1n);
      controller.abort();
    }
    expect(connections).to.equal(3);
  });

  it("ends while waiting to reconnect when aborted", async () => {
    const controller = new AbortController();
    const slow: RetryPolicy = { ...FAST, initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const source = reconnectingJobSource(
      async function* () {
        yield job(1);
        controller.abort();
        throw networkError();
      },
      { retry: slow, logger: silentLogger },
    );
    const received: bigint[] = [];
    for await (const candidate of source.jobs(controller.signal)) received.push(candidate.jobId);
    expect(received).to.deep.equal([1n]);
  });
});
