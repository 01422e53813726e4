// The gateway JobSource against a stand-in gateway: the real schema (gateway/src/schema.graphql, so every query the
// worker sends is checked against it) with canned resolvers, over HTTP and graphql-ws, on an ephemeral port.
import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { GraphQLError, graphql, type GraphQLSchema } from "graphql";
import { makeError } from "ethers";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { AsyncQueue } from "../../../scripts/worker/async-queue";
import { ProviderNotRegisteredError } from "../../../scripts/worker/chain";
import { GatewayResponseError } from "../../../scripts/worker/gateway-errors";
import { gatewayJobSource, gatewayTimeouts, type GatewaySourceOptions } from "../../../scripts/worker/gateway-source";
import { createLogger, type LogRecord } from "../../../scripts/worker/logger";
import { HttpStatusError } from "../../../scripts/worker/retry";
import type { CandidateJob } from "../../../scripts/worker/market";
import { waitUntil } from "../../helpers/wait";
import { gatewayJob, termsJson } from "./helpers/gateway-fixtures";

const SCHEMA_FILE = path.resolve(__dirname, "../../../gateway/src/schema.graphql");
const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

interface FakeGateway {
  httpUrl: string;
  wsUrl: string;
  /** Jobs openJobs pages through. */
  open: Record<string, unknown>[];
  /** Jobs `jobs` pages through (`directed` when asked for a targetProvider), and the filters it was asked with. */
  inHand: Record<string, unknown>[];
  directed: Record<string, unknown>[];
  jobsFilters: unknown[];
  /** Set to make openJobs fail. */
  openJobsError: GraphQLError | null;
  /** How many of the next reads with a cursor (openJobs or jobs) to refuse with CURSOR_EXPIRED, as after a reorg. */
  expireCursors: number;
  /** Called as a cursor is refused: the reorganisation's change to the lists. */
  onCursorExpired: () => void;
  /** Set to leave HTTP queries unanswered (a gateway that hangs). */
  stallHttp: boolean;
  /** Set to answer every HTTP query with this status and an HTML page, as a reverse proxy does. */
  httpStatus: number | null;
  /** Set to answer every WebSocket handshake with this status instead of the upgrade (a wrong path, an auth proxy). */
  wsStatus: number | null;
  /** graphql-ws pings received over every connection. */
  pings: number;
  indexedBlock: number;
  openJobsCalls: number;
  /** Send a job to every jobOpened subscriber. */
  publish(job: Record<string, unknown>): void;
  subscribers(): number;
  /** jobOpened subscriptions ever made. */
  subscriptions: number;
  /** Drop every WebSocket connection (as a crashing gateway would). */
  dropConnections(): void;
  close(): Promise<void>;
}

async function startFakeGateway(): Promise<FakeGateway> {
  const feeds = new Set<AsyncQueue<Record<string, unknown>>>();
  const fake = {
    open: [] as Record<string, unknown>[],
    inHand: [] as Record<string, unknown>[],
    directed: [] as Record<string, unknown>[],
    jobsFilters: [] as unknown[],
    openJobsError: null as GraphQLError | null,
    expireCursors: 0,
    onCursorExpired: () => undefined,
    stallHttp: false,
    httpStatus: null as number | null,
    wsStatus: null as number | null,
    pings: 0,
    indexedBlock: 100,
    openJobsCalls: 0,
    subscriptions: 0,
  };
  // The gateway's refusal of a cursor whose block a reorganisation replaced (gateway/src/errors.ts cursorExpired).
  const expire = (after: string | null | undefined) => {
    if (!after || fake.expireCursors === 0) return;
    fake.expireCursors -= 1;
    fake.onCursorExpired();
    throw new GraphQLError("after: the cursor reads block 7, which the source no longer serves (replaced); start again without `after`", {
      extensions: { code: "CURSOR_EXPIRED", argument: "after", blockNumber: 7 },
    });
  };
  const schema: GraphQLSchema = makeExecutableSchema({
    typeDefs: fs.readFileSync(SCHEMA_FILE, "utf8"),
    resolvers: {
      Query: {
        openJobs: (_root: unknown, args: { provider: string; first: number; after?: string | null }) => {
          fake.openJobsCalls += 1;
          if (fake.openJobsError !== null) throw fake.openJobsError;
          expire(args.after);
          const start = args.after ? Number(args.after) : 0;
          const nodes = fake.open.slice(start, start + args.first);
          const end = start + nodes.length;
          return { nodes, edges: [], pageInfo: { hasNextPage: end < fake.open.length, hasPreviousPage: start > 0, endCursor: String(end) } };
        },
        jobs: (_root: unknown, args: { filter: { targetProvider?: string } | null; first: number; after?: string | null }) => {
          fake.jobsFilters.push(args.filter);
          expire(args.after);
          const list = args.filter?.targetProvider === undefined ? fake.inHand : fake.directed;
          const start = args.after ? Number(args.after) : 0;
          const nodes = list.slice(start, start + args.first);
          const end = start + nodes.length;
          return { nodes, edges: [], pageInfo: { hasNextPage: end < list.length, hasPreviousPage: start > 0, endCursor: String(end) } };
        },
        indexingStatus: () => ({ indexedBlock: fake.indexedBlock, chainHead: fake.indexedBlock, lag: 0 }),
      },
      Subscription: {
        jobOpened: {
          subscribe: () => {
            const queue = new AsyncQueue<Record<string, unknown>>();
            feeds.add(queue);
            fake.subscriptions += 1;
            const controller = new AbortController();
            const events = queue.drain(controller.signal);
            return (async function* () {
              try {
                for await (const job of events) yield { jobOpened: job };
              } finally {
                feeds.delete(queue);
              }
            })();
          },
        },
      },
    },
  });
  const server = http.createServer((request, response) => {
    if (fake.stallHttp) {
      request.resume();
      return;
    }
    if (fake.httpStatus !== null) {
      request.resume();
      response.writeHead(fake.httpStatus, { "content-type": "text/html" });
      response.end(`<html><body><h1>${fake.httpStatus}</h1>nginx</body></html>`);
      return;
    }
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
      void graphql({ schema, source: query, variableValues: variables }).then((result) => {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(result));
      });
    });
  });
  const wss = new WebSocketServer({
    server,
    path: "/graphql",
    verifyClient: (_info, accept) => (fake.wsStatus === null ? accept(true) : accept(false, fake.wsStatus)),
  });
  const disposable = useServer({ schema }, wss);
  wss.on("connection", (socket) =>
    socket.on("message", (data) => {
      if ((JSON.parse(data.toString()) as { type?: unknown }).type === "ping") fake.pings += 1;
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    httpUrl: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    publish: (job: Record<string, unknown>) => feeds.forEach((feed) => feed.push(job)),
    subscribers: () => feeds.size,
    dropConnections: () => wss.clients.forEach((client) => client.terminate()),
    async close() {
      wss.clients.forEach((client) => client.terminate());
      await disposable.dispose();
      await new Promise((resolve) => wss.close(resolve));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

describe("gateway job source", function () {
  // Above waitUntil's own bound, so that a wait that never ends fails naming what it waited for.
  this.timeout(60_000);
  let gateway: FakeGateway;
  let logs: LogRecord[];
  let controller: AbortController;

  beforeEach(async () => {
    gateway = await startFakeGateway();
    logs = [];
    controller = new AbortController();
  });
  afterEach(async () => {
    controller.abort();
    await gateway.close();
  });

  function source(overrides: Partial<GatewaySourceOptions> = {}) {
    return gatewayJobSource({
      httpUrl: gateway.httpUrl,
      wsUrl: gateway.wsUrl,
      provider: PROVIDER,
      feedFilter: async () => ({ maxGpuCount: 2 }),
      chainUrl: "https://eth.example.org/v2/sEcReTkEy",
      retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50, multiplier: 2, jitter: 0 },
      logger: createLogger("debug", (record) => logs.push(record)),
      pageSize: 2,
      indexPollMs: 10,
      ...overrides,
    });
  }

  /** Collects the source's jobs in the background. */
  function collect(options: Partial<GatewaySourceOptions> = {}) {
    const jobs: CandidateJob[] = [];
    const done = drain(source(options).jobs(controller.signal)[Symbol.asyncIterator](), jobs);
    return { jobs, done };
  }

  /** Takes what is left of `iterator` into `jobs` in the background; the result settles when it ends. */
  function drain(iterator: AsyncIterator<CandidateJob>, jobs: CandidateJob[]): Promise<void> {
    const done = (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) jobs.push(next.value);
    })();
    done.catch(() => undefined);
    return done;
  }

  it("lists the provider's jobs still accepted or submitted, every page, for the worker to resume", async () => {
    gateway.inHand = [1, 2, 3].map((id) => ({ ...gatewayJob(id), status: id === 3 ? "SUBMITTED" : "ACCEPTED" }));
    const jobs = await source().jobsInHand?.(controller.signal);
    expect(jobs?.map((job) => job.jobId)).to.deep.equal([1n, 2n, 3n]);
    expect(gateway.jobsFilters[0]).to.deep.equal({ provider: PROVIDER, statuses: ["ACCEPTED", "SUBMITTED"] });
  });

  it("lists the jobs in hand again from the first page when a reorganisation expires its cursor, each job once", async () => {
    gateway.inHand = [1, 2, 3, 4, 5].map((id) => ({ ...gatewayJob(id), status: "ACCEPTED" }));
    gateway.expireCursors = 1;
    const jobs = await source().jobsInHand?.(controller.signal);
    expect(jobs?.map((job) => job.jobId)).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    expect(gateway.expireCursors).to.equal(0);
    expect(logs.find((record) => record.msg.startsWith("the gateway's cursor expired"))?.fields).to.deep.include({ field: "jobs" });
  });

  it("keeps the job in hand as the listing started again after a reorganisation describes it, not as before", async () => {
    const inHand = (spec: string) => [1, 2, 3].map((id) => ({ ...gatewayJob(id), status: "ACCEPTED", specURI: id === 1 ? spec : "data:,{}" }));
    gateway.inHand = inHand("data:,{}");
    gateway.expireCursors = 1;
    gateway.onCursorExpired = () => (gateway.inHand = inHand("data:,{\"replaced\":true}"));
    const jobs = await source().jobsInHand?.(controller.signal);
    expect(jobs?.map((job) => [job.jobId, job.specURI])).to.deep.equal([
      [1n, 'data:,{"replaced":true}'],
      [2n, "data:,{}"],
      [3n, "data:,{}"],
    ]);
  });

  it("reads openJobs again from the first page when a reorganisation expires its cursor, offering each job once", async () => {
    gateway.open = [1, 2, 3, 4, 5].map((id) => gatewayJob(id));
    gateway.expireCursors = 1;
    const { jobs, done } = collect();
    let failed: unknown;
    done.catch((error: unknown) => (failed = error));
    await waitUntil(() => logs.some((record) => record.msg === "read the jobs already open") || failed !== undefined, "the catch-up is read");
    expect(failed).to.equal(undefined);
    expect(jobs.map((job) => job.jobId)).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    expect(gateway.openJobsCalls).to.equal(5);
  });

  it("offers again an open job that the listing started again after a reorganisation describes otherwise", async () => {
    const open = (spec: string) => [1, 2, 3].map((id) => ({ ...gatewayJob(id), specURI: id === 1 ? spec : "data:,{}" }));
    gateway.open = open("data:,{}");
    gateway.expireCursors = 1;
    gateway.onCursorExpired = () => (gateway.open = open("data:,{\"replaced\":true}"));
    const { jobs, done } = collect();
    let failed: unknown;
    done.catch((error: unknown) => (failed = error));
    await waitUntil(() => logs.some((record) => record.msg === "read the jobs already open") || failed !== undefined, "the catch-up is read");
    expect(failed).to.equal(undefined);
    expect(jobs.map((job) => [job.jobId, job.specURI])).to.deep.equal([
      [1n, "data:,{}"],
      [2n, "data:,{}"],
      [1n, 'data:,{"replaced":true}'],
      [3n, "data:,{}"],
    ]);
  });

  it("fails the listing with a transient GatewayResponseError (cursorExpired) when the restarted listing's cursor expires again", async () => {
    gateway.inHand = [1, 2, 3, 4, 5].map((id) => ({ ...gatewayJob(id), status: "ACCEPTED" }));
    gateway.expireCursors = 2;
    const error = await source().jobsInHand?.(controller.signal).then(() => undefined, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(GatewayResponseError);
    expect(error).to.include({ cursorExpired: true, transient: true });
    expect((error as Error).message).to.contain("CURSOR_EXPIRED");
  });

  it("outlasts a reorganisation storm that expires openJobs' cursor again and again: reconnects with backoff and reads every job", async () => {
    gateway.open = [1, 2, 3, 4, 5].map((id) => gatewayJob(id));
    // Two expiries end the first listing; two more, the second; the third listing reads them all.
    gateway.expireCursors = 4;
    const { jobs, done } = collect();
    let failed: unknown;
    done.catch((error: unknown) => (failed = error));
    await waitUntil(() => logs.some((record) => record.msg === "read the jobs already open") || failed !== undefined, "the catch-up is read");
    expect(failed).to.equal(undefined);
    expect(gateway.expireCursors).to.equal(0);
    expect([...new Set(jobs.map((job) => job.jobId))]).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    const reconnects = logs.filter((record) => record.msg === "job source disconnected; reconnecting");
    expect(reconnects).to.have.length(2);
    expect(String(reconnects[0]!.fields.reason)).to.contain("CURSOR_EXPIRED");
  });

  it("pages through openJobs, then follows jobOpened; skips a job whose terms do not match its termsHash", async () => {
    const forged = { ...gatewayJob(3), terms: termsJson({ maxDuration: "7200" }) };
    gateway.open = [gatewayJob(1), gatewayJob(2), forged, gatewayJob(4)];
    const { jobs } = collect();
    await waitUntil(() => jobs.length === 3, "the catch-up is read");
    expect(jobs.map((job) => job.jobId)).to.deep.equal([1n, 2n, 4n]);
    expect(logs.find((record) => record.msg === "skipping a job the gateway described wrongly")?.fields).to.deep.include({ jobId: "3" });
    gateway.publish(gatewayJob(5));
    gateway.publish({ ...gatewayJob(6), status: "ACCEPTED" });
    gateway.publish(gatewayJob(7));
    await waitUntil(() => jobs.length === 5, "the feed's jobs come");
    expect(jobs.map((job) => job.jobId)).to.deep.equal([1n, 2n, 4n, 5n, 7n]);
  });

  it("waits until the gateway has indexed the given block before reading openJobs", async () => {
    gateway.indexedBlock = 5;
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect({ indexedBlock: 10 });
    await waitUntil(() => logs.some((r) => r.msg === "waiting for the gateway to index the provider's latest change"), "the wait is logged");
    expect(gateway.openJobsCalls).to.equal(0);
    gateway.indexedBlock = 10;
    await waitUntil(() => jobs.length === 1, "the catch-up is read");
  });

  it("waits for the given block at the first connection only: a reconnection to a chain restarted beneath it reads openJobs at once", async () => {
    gateway.indexedBlock = 10;
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect({ indexedBlock: 10 });
    await waitUntil(() => jobs.length === 1 && gateway.subscribers() === 1, "the first connection is made");
    // A devnet started afresh on the same ports: its index starts again below the block the provider went online in.
    gateway.indexedBlock = 3;
    gateway.open = [gatewayJob(2)];
    gateway.dropConnections();
    await waitUntil(() => jobs.some((job) => job.jobId === 2n), "the new chain's open job is read");
    expect(logs.filter((r) => r.msg === "waiting for the gateway to index the provider's latest change")).to.deep.equal([]);
  });

  it("reconnects after the connection drops, and reads openJobs again", async () => {
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect();
    await waitUntil(() => jobs.length === 1 && gateway.subscribers() === 1, "the first connection is made");
    gateway.dropConnections();
    // (The dropped subscription's generator lingers on the server until its next event: count subscriptions made.)
    await waitUntil(() => gateway.openJobsCalls === 2 && gateway.subscriptions === 2, "the source reconnects");
    expect(logs.some((record) => record.msg === "job source disconnected; reconnecting")).to.equal(true);
    gateway.publish(gatewayJob(2));
    await waitUntil(() => jobs.some((job) => job.jobId === 2n), "a job comes over the new connection");
  });

  it("tells the worker it reconnected once the new connection has read openJobs, and not at the first connection", async () => {
    gateway.open = [gatewayJob(1)];
    const jobs: CandidateJob[] = [];
    const reconnections: number[] = [];
    const iterator = source().jobs(controller.signal, () => reconnections.push(gateway.openJobsCalls))[Symbol.asyncIterator]();
    void drain(iterator, jobs);
    await waitUntil(() => jobs.length === 1 && gateway.subscribers() === 1, "the first connection is made");
    expect(reconnections).to.deep.equal([]);
    gateway.dropConnections();
    await waitUntil(() => reconnections.length === 1, "the reconnection is told");
    expect(reconnections).to.deep.equal([2]);
  });

  it("reads openJobs again every resyncMs while following the feed (jobs the worker passed over come back)", async () => {
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect({ resyncMs: 50 });
    await waitUntil(() => jobs.length === 1, "the catch-up is read");
    // Not announced on the feed: e.g. a job the worker skipped when it had no free GPU.
    gateway.open = [gatewayJob(1), gatewayJob(2)];
    await waitUntil(() => jobs.some((job) => job.jobId === 2n), "a resync offers the new job");
    gateway.publish(gatewayJob(3));
    await waitUntil(() => jobs.some((job) => job.jobId === 3n), "the feed, still followed, offers a job");
  });

  it("reads openJobs again every resyncMs on a feed busier than that, counted from the last read, not the last event", async () => {
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect({ resyncMs: 300 });
    await waitUntil(() => jobs.length === 1, "the catch-up is read");
    gateway.open = [gatewayJob(1), gatewayJob(2)];
    // An event every 20 ms: a wait for resyncMs of quiet would never end.
    let id = 100;
    const busy = setInterval(() => gateway.publish(gatewayJob(id++)), 20);
    try {
      await waitUntil(() => jobs.some((job) => job.jobId === 2n), "a resync offers the new job on a busy feed");
    } finally {
      clearInterval(busy);
    }
    expect(jobs.filter((job) => job.jobId >= 100n).length).to.be.greaterThan(0);
  });

  it("keeps at most feedBufferLimit feed events while the jobs are not taken, dropping the oldest, which the next openJobs re-read offers again", async () => {
    gateway.open = [gatewayJob(1)];
    const jobs: CandidateJob[] = [];
    const iterator = source({ feedBufferLimit: 2, resyncMs: 100 }).jobs(controller.signal)[Symbol.asyncIterator]();
    const first = await iterator.next();
    jobs.push(first.value as CandidateJob);
    await waitUntil(() => gateway.subscribers() === 1, "the source subscribes");
    // Not taking the next job: the source is held at its yield, as while it reads openJobs, and the feed buffers.
    for (let id = 10; id <= 14; id++) gateway.publish(gatewayJob(id));
    await waitUntil(() => logs.some((record) => record.msg.startsWith("the job feed's buffer is full")), "the feed's buffer is full");
    void drain(iterator, jobs);
    // 10, the oldest, made room for 12: the feed never offers it. 14, the newest, is never dropped.
    await waitUntil(() => jobs.some((job) => job.jobId === 14n), "the newest event comes");
    expect(jobs.map((job) => job.jobId)).not.to.include(10n);
    gateway.open = [gatewayJob(1), gatewayJob(10)];
    await waitUntil(() => jobs.some((job) => job.jobId === 10n), "a re-read offers the dropped job again");
    const reread = logs.find((record) => record.msg === "reading openJobs again after the job feed dropped events");
    expect(reread?.fields.dropped).to.be.at.least(1);
  });

  it("keeps the newest 1,000 feed events unless told otherwise, as the worker README says", async () => {
    gateway.open = [gatewayJob(1)];
    const iterator = source().jobs(controller.signal)[Symbol.asyncIterator]();
    const jobs = [(await iterator.next()).value as CandidateJob];
    await waitUntil(() => gateway.subscribers() === 1, "the source subscribes");
    // Held at its yield, as while it reads openJobs: 1,001 events for the buffer.
    for (let id = 10; id <= 1010; id++) gateway.publish(gatewayJob(id));
    await waitUntil(() => logs.some((record) => record.msg.startsWith("the job feed's buffer is full")), "the feed's buffer is full");
    void drain(iterator, jobs);
    await waitUntil(() => jobs.some((job) => job.jobId === 1010n), "the newest event comes");
    // Only 10, the oldest, made room: the other 1,000 all come, in order.
    const newest = Array.from({ length: 1000 }, (_, index) => BigInt(11 + index));
    expect(jobs.map((job) => job.jobId)).to.deep.equal([1n, ...newest]);
  });

  it("with directedJobs, reads every open job directed at the provider after each openJobs read", async () => {
    gateway.open = [gatewayJob(1)];
    gateway.directed = [2, 3, 4].map((id) => gatewayJob(id));
    const { jobs } = collect({ directedJobs: true, resyncMs: 50 });
    await waitUntil(() => jobs.length === 4, "the catch-up is read");
    expect(jobs.map((job) => job.jobId)).to.deep.equal([1n, 2n, 3n, 4n]);
    expect(gateway.jobsFilters[0]).to.deep.equal({ targetProvider: PROVIDER, statuses: ["OPEN"] });
    expect(logs.find((record) => record.msg === "read the jobs already open")?.fields).to.deep.include({ jobs: 4 });
    gateway.directed = [gatewayJob(5)];
    await waitUntil(() => jobs.some((job) => job.jobId === 5n), "a resync offers the new job");
  });

  it("without directedJobs, reads openJobs alone", async () => {
    gateway.open = [gatewayJob(1)];
    gateway.directed = [gatewayJob(2)];
    const { jobs } = collect();
    await waitUntil(() => logs.some((record) => record.msg === "read the jobs already open"), "the catch-up is read");
    expect(jobs.map((job) => job.jobId)).to.deep.equal([1n]);
    expect(gateway.jobsFilters).to.deep.equal([]);
  });

  it("stops with GatewayResponseError when the gateway refuses the query (retrying cannot help)", async () => {
    gateway.openJobsError = new GraphQLError("provider: not an address", { extensions: { code: "BAD_USER_INPUT" } });
    const { done } = collect();
    const error = await done.then(() => undefined, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(GatewayResponseError);
    expect((error as Error).message).to.contain("BAD_USER_INPUT");
  });

  it("reads a gateway that has not indexed the provider's registration (openJobs refuses its provider) as no open jobs yet, and follows the feed", async () => {
    gateway.openJobsError = new GraphQLError(`provider: ${PROVIDER} is not a registered provider (at block 5)`, {
      extensions: { code: "BAD_USER_INPUT", argument: "provider", provider: PROVIDER },
    });
    gateway.open = [gatewayJob(1)];
    const { jobs, done } = collect({ resyncMs: 50 });
    let failed: unknown;
    done.catch((error: unknown) => (failed = error));
    await waitUntil(() => logs.some((record) => record.msg.startsWith("the gateway does not know the provider yet")) || failed !== undefined, "openJobs is refused");
    expect(failed).to.equal(undefined);
    await waitUntil(() => gateway.subscribers() > 0, "the feed is followed");
    gateway.publish(gatewayJob(2));
    await waitUntil(() => jobs.length === 1, "the feed's job comes");
    gateway.openJobsError = null;
    await waitUntil(() => jobs.length === 2, "a re-read once the registration is indexed offers the open job");
    expect(jobs.map((job) => job.jobId)).to.deep.equal([2n, 1n]);
  });

  it("stops with HttpStatusError when the gateway's URL answers 404 at the first connection (a wrong URL)", async () => {
    gateway.httpStatus = 404;
    const { done } = collect();
    const error = await done.then(() => undefined, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(HttpStatusError);
    expect(error).to.include({ status: 404 });
    expect(gateway.subscriptions).to.equal(1);
  });

  for (const status of [404, 502, 503]) {
    it(`once the gateway has worked, retries with a log line while a proxy answers ${status} for it, and goes on when it is back`, async () => {
      gateway.open = [gatewayJob(1)];
      const { jobs, done } = collect({ resyncMs: 50 });
      await waitUntil(() => jobs.length === 1, "the catch-up is read");
      gateway.httpStatus = status;
      const reason = `${gateway.httpUrl} answered HTTP ${status}`;
      await waitUntil(
        () => logs.filter((r) => r.msg === "job source disconnected; reconnecting" && r.fields.reason === reason).length >= 2,
        "the source retries twice",
      );
      gateway.httpStatus = null;
      gateway.open = [gatewayJob(1), gatewayJob(2)];
      await waitUntil(() => jobs.some((job) => job.jobId === 2n), "the source reads openJobs again once the gateway is back");
      controller.abort();
      await done;
    });
  }

  /** Whether the source ended (its error, or "ended") before it logged a retry ("retried"), whichever came first. */
  async function endedOrRetried(done: Promise<void>): Promise<unknown> {
    const retried = waitUntil(() => logs.some((r) => r.msg === "job source disconnected; reconnecting"), "the source retries");
    return Promise.race([done.then(() => "ended", (failure: unknown) => failure), retried.then(() => "retried")]);
  }

  it("names the chain endpoint, not the gateway, when reading the job feed's filter from the chain fails, and connects again", async () => {
    gateway.open = [gatewayJob(1)];
    let reads = 0;
    const { jobs } = collect({
      feedFilter: async () => {
        reads += 1;
        if (reads === 1) throw makeError("request timeout", "TIMEOUT");
        return { maxGpuCount: 2 };
      },
    });
    await waitUntil(() => jobs.length === 1, "the source connects once the chain answers");
    const warnings = logs.filter((r) => r.level === "warn").map((r) => [r.msg, r.fields.reason]);
    expect(warnings).to.deep.equal([
      [
        "job source cannot read the chain; connecting again",
        "cannot read the provider's listing (the job feed's filter) from the chain at https://eth.example.org/…: request timeout (TIMEOUT)",
      ],
    ]);
  });

  it("stops with ProviderNotRegisteredError, connecting no more, when the job feed's filter finds the provider gone from the chain (restarted from scratch)", async () => {
    let reads = 0;
    const { done } = collect({
      feedFilter: async () => {
        reads += 1;
        throw new ProviderNotRegisteredError(PROVIDER);
      },
    });
    const error = await endedOrRetried(done);
    expect(error).to.be.instanceOf(ProviderNotRegisteredError);
    expect(reads).to.equal(1);
    expect(gateway.openJobsCalls).to.equal(0);
  });

  for (const status of [404, 401]) {
    it(`stops with HttpStatusError ${status} when the WebSocket handshake is answered ${status} at the first connection (a wrong gateway.wsUrl)`, async () => {
      gateway.wsStatus = status;
      const { done } = collect();
      const error = await endedOrRetried(done);
      expect(error).to.be.instanceOf(HttpStatusError);
      expect(error).to.include({ url: gateway.wsUrl, status });
      expect((error as Error).message).to.equal(`${gateway.wsUrl} answered HTTP ${status}`);
      expect(gateway.openJobsCalls).to.equal(0);
    });
  }

  it("retries a WebSocket handshake answered 503 at the first connection (a gateway still starting), and goes on when it upgrades", async () => {
    gateway.wsStatus = 503;
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect();
    const reason = `${gateway.wsUrl} answered HTTP 503`;
    await waitUntil(() => logs.some((r) => r.msg === "job source disconnected; reconnecting" && r.fields.reason === reason), "the source retries");
    gateway.wsStatus = null;
    await waitUntil(() => jobs.length === 1, "the catch-up is read once the handshake succeeds");
  });

  it("once the gateway has worked, retries with a log line while its WebSocket handshake is answered 404, and goes on when it upgrades again", async () => {
    gateway.open = [gatewayJob(1)];
    const { jobs, done } = collect();
    await waitUntil(() => jobs.length === 1 && gateway.subscribers() === 1, "the first connection is made");
    gateway.wsStatus = 404;
    gateway.dropConnections();
    const reason = `${gateway.wsUrl} answered HTTP 404`;
    await waitUntil(
      () => logs.filter((r) => r.msg === "job source disconnected; reconnecting" && r.fields.reason === reason).length >= 2,
      "the source retries twice",
    );
    gateway.wsStatus = null;
    await waitUntil(() => gateway.subscriptions === 2, "the source subscribes again once the handshake succeeds");
    gateway.publish(gatewayJob(2));
    await waitUntil(() => jobs.some((job) => job.jobId === 2n), "a job comes over the new connection");
    controller.abort();
    await done;
  });

  it("keeps retrying while the gateway is unavailable", async () => {
    gateway.openJobsError = new GraphQLError("network state is unavailable", { extensions: { code: "SOURCE_UNAVAILABLE" } });
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect();
    await waitUntil(() => gateway.openJobsCalls >= 3, "openJobs was tried three times");
    gateway.openJobsError = null;
    await waitUntil(() => jobs.length === 1, "the catch-up is read");
  });

  it("limits each query and the keep-alive ping to 15 s unless told otherwise, as the worker README says", () => {
    expect(gatewayTimeouts({})).to.deep.equal({ requestTimeoutMs: 15_000, keepAliveMs: 15_000 });
    expect(gatewayTimeouts({ requestTimeoutMs: 50, keepAliveMs: 20 })).to.deep.equal({ requestTimeoutMs: 50, keepAliveMs: 20 });
  });

  it("drops a connection whose query goes unanswered for requestTimeoutMs (GatewayTimeoutError) and connects again", async () => {
    gateway.stallHttp = true;
    gateway.open = [gatewayJob(1)];
    const { jobs } = collect({ requestTimeoutMs: 50 });
    const timedOut = `the gateway at ${gateway.httpUrl} did not answer openJobs within 50 ms`;
    await waitUntil(() => logs.some((r) => r.msg === "job source disconnected; reconnecting" && r.fields.reason === timedOut), "a query times out");
    gateway.stallHttp = false;
    await waitUntil(() => jobs.length >= 1, "the catch-up is read once the gateway answers");
  });

  it("pings the gateway every keepAliveMs while following the feed", async () => {
    gateway.open = [gatewayJob(1)];
    // keepAliveMs is also the pong timeout: long enough that a loaded machine answers in time (20 ms did not, at a
    // load average of 7 on two cores, and the source reconnected).
    const { jobs } = collect({ keepAliveMs: 250 });
    await waitUntil(() => jobs.length === 1, "the catch-up is read");
    await waitUntil(() => gateway.pings >= 3, "three pings arrive");
    expect(gateway.subscriptions).to.equal(1);
  });
});
