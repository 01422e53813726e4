// One GraphQL request reads one indexed block, over fake sources whose index moves on (or is reorganised) while the
// request's fields are read, which the scenario chain (idle while the suites query it) never does.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createContext } from "../../../gateway/src/context";
import { SourceError } from "../../../gateway/src/errors";
import { createGraphQLHttpHandler, type GraphQLHttpHandler } from "../../../gateway/src/http/graphql-http";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { createJsonLogger, silentLogger, type Logger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { HeadWatcher, type IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";
import { startSubscriptionServer } from "../../../gateway/src/ws/subscriptions";
import { HASH_7, HASH_8, MovingIndex, executeWhileMoving, type MovingBlocks } from "../helpers/moving-index";
import { FakeHeadWatcher } from "../helpers/fake-head-watcher";
import { FakeHub } from "../helpers/fake-hub";

const PROVIDER = `0x${"0a".repeat(20)}`;
const CLIENT = `0x${"0c".repeat(20)}`;

type Block = 7 | 8;

/** Block 7: one provider, with one job done, and job 1 open. Block 8: a second provider; the first has two jobs done and took job 1. */
function at(block: Block): Record<string, unknown> {
  const done = block === 7 ? 1 : 2;
  return {
    protocol: { minStakePerGpu: "50", providerCount: block === 7 ? 1 : 2, onlineProviderCount: block === 7 ? 1 : 2, pausedUntil: "0" },
    providers: [{ id: PROVIDER, registered: true, online: true, gpuCount: 8, stakePerGpu: "100", jobsCompleted: done }],
    jobs: [{ id: "1", jobId: "1", status: block === 7 ? "Open" : "Accepted", client: { id: CLIENT }, provider: null }],
    gpuModels: [],
    regions: [],
    networkDays: [],
  };
}

const BLOCKS: MovingBlocks = { 7: at(7), 8: at(8) };

const head = (number: Block): IndexedHead => ({
  number,
  hash: number === 7 ? HASH_7 : HASH_8,
  parentHash: null,
  timestamp: 1_000,
  hasIndexingErrors: false,
});

const EVERY_FIELD = `{
  networkStats(days: 1) { blockNumber providers { registered } }
  jobs(first: 5) { nodes { id status } pageInfo { blockNumber } }
  providers(first: 5) { nodes { reputation { jobsCompleted } } pageInfo { blockNumber } }
  provider(address: "${PROVIDER}") { reputation { jobsCompleted } }
  job(id: "1") { status }
  indexingStatus { indexedBlock }
}`;

/** Refuses reads at block 7 as graph-node refuses a hash a reorganisation replaced; answers everything else at 8. */
class ReorgedIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";

  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    const block = variables.block as { hash?: string } | undefined;
    if (block?.hash === HASH_7) throw new SourceError("subgraph query failed", "no block with that hash found");
    return { ...BLOCKS[8], _meta: { block: { number: 8, hash: HASH_8, timestamp: 1_000 } } } as TData;
  }

  async close(): Promise<void> {}
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

interface Served {
  post(query: string): Promise<Answer>;
  /** The query sent over the WebSocket (graphql-ws). */
  overWebSocket(query: string): Promise<Answer>;
  close(): Promise<void>;
}

/** A head watcher that has seen `seen()`, and whose every poll finds it again. */
function seenWatcher(seen: () => IndexedHead): HeadWatcher {
  return new FakeHeadWatcher({
    head: seen,
    ensureHead: async () => seen(),
    refresh: async () => seen(),
    headReplacing: async () => seen(),
  });
}

/**
 * An index that a reorganisation replaces block 7 of (`reorg()`): block 8 is the head then, and a read at 7's hash
 * is refused as graph-node refuses it. The head watcher's polls (`_meta` with hasIndexingErrors) are counted, and
 * each may wait for `beforePoll`; `afterRead` runs once a read at a block has answered.
 */
class ReorgingIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  head: Block = 7;
  readonly replaced = new Set<string>();
  polls = 0;
  /** Reads at a block refused as replaced. */
  refused = 0;
  beforePoll: () => Promise<void> = async () => undefined;
  afterRead: (block: Block) => void = () => undefined;

  reorg(): void {
    this.replaced.add(HASH_7);
    this.head = 8;
  }

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    if (query.includes("hasIndexingErrors")) {
      this.polls += 1;
      await this.beforePoll();
      const block = { number: this.head, hash: this.head === 7 ? HASH_7 : HASH_8, timestamp: 1_000, parentHash: null };
      return { _meta: { block, hasIndexingErrors: false, deployment: "reorging" } } as TData;
    }
    const asked = variables.block as { hash?: string } | undefined;
    if (asked?.hash !== undefined && this.replaced.has(asked.hash)) {
      this.refused += 1;
      throw new SourceError("subgraph query failed: no block with that hash found", "the subgraph endpoint answered with an error: no block with that hash found");
    }
    const number: Block = asked === undefined ? this.head : asked.hash === HASH_8 ? 8 : 7;
    const data = { ...BLOCKS[number], _meta: { block: { number, hash: number === 8 ? HASH_8 : HASH_7, timestamp: 1_000 } } } as TData;
    this.afterRead(number);
    return data;
  }

  async close(): Promise<void> {}
}

/** A head watcher over `source` (not started: it polls only when asked) that has seen its head. */
async function watching(source: SubgraphSource): Promise<HeadWatcher> {
  const watcher = new HeadWatcher(source, { logger: silentLogger });
  await watcher.refresh();
  return watcher;
}

/** Every field of EVERY_FIELD, answered at block 8. */
const EVERY_FIELD_AT_8 = {
  networkStats: { blockNumber: 8, providers: { registered: 2 } },
  jobs: { nodes: [{ id: "1", status: "ACCEPTED" }], pageInfo: { blockNumber: 8 } },
  providers: { nodes: [{ reputation: { jobsCompleted: 2 } }], pageInfo: { blockNumber: 8 } },
  provider: { reputation: { jobsCompleted: 2 } },
  job: { status: "ACCEPTED" },
  indexingStatus: { indexedBlock: 8 },
};

/** The gateway's HTTP and WebSocket handlers over `source`, whose head `watcher` follows, logging to `logger`. */
async function serve(source: SubgraphSource, watcher: HeadWatcher, logger: Logger = silentLogger): Promise<Served> {
  const services = {
    reader: new SubgraphReader(source),
    head: watcher,
    chain: null,
    chainHead: null,
    deployment: null,
    sourceKind: source.kind,
    limits: DEFAULT_QUERY_LIMITS,
    maxLag: 10,
    logger: silentLogger,
  };
  const schema = buildSchema(createResolvers(new FakeHub()));
  const context = () => createContext(services);
  const handler: GraphQLHttpHandler = await createGraphQLHttpHandler({ schema, limits: DEFAULT_QUERY_LIMITS, logger, context });
  const server = http.createServer((req, res) => void handler.handle(req, res, ""));
  const subscriptions = startSubscriptionServer({
    httpServer: server,
    path: "/graphql",
    schema,
    limits: DEFAULT_QUERY_LIMITS,
    corsOrigins: "*",
    logger,
    context,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    async post(query) {
      const response = await fetch(`http://${address}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
      return (await response.json()) as Answer;
    },
    async overWebSocket(query) {
      const client = createClient({ url: `ws://${address}`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
      try {
        return (await client.iterate({ query }).next()).value as Answer;
      } finally {
        await client.dispose();
      }
    },
    async close() {
      await subscriptions.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.stop();
    },
  };
}

/** A logger that keeps each line it writes, parsed. */
function capturing(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { logger: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }), lines };
}

/** The `graphql request` lines, without what differs from one run to the next (the time, the duration). */
function requestLines(lines: Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => line.msg === "graphql request").map(({ time: _time, durationMs: _durationMs, ...fields }) => fields);
}

describe("one block per request", function () {
  it("reads every top-level field at the block the request pinned while the index moves on between their reads", async function () {
    const result = await executeWhileMoving(BLOCKS, EVERY_FIELD);
    expect(result.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
    expect(result.data).to.deep.equal({
      networkStats: { blockNumber: 7, providers: { registered: 1 } },
      jobs: { nodes: [{ id: "1", status: "OPEN" }], pageInfo: { blockNumber: 7 } },
      providers: { nodes: [{ reputation: { jobsCompleted: 1 } }], pageInfo: { blockNumber: 7 } },
      provider: { reputation: { jobsCompleted: 1 } },
      job: { status: "OPEN" },
      indexingStatus: { indexedBlock: 7 },
    });
  });

  it("names the block in extensions.block; a cursor's page reads its own, and a request of cursor pages only names none", async function () {
    let seen = head(7);
    const gateway = await serve(new MovingIndex(BLOCKS), seenWatcher(() => seen));
    try {
      const first = await gateway.post(`{ jobs(first: 1) { pageInfo { endCursor } } job(id: "1") { status } }`);
      expect(first.errors).to.equal(undefined);
      expect(first.extensions?.block).to.deep.equal({ number: 7, hash: HASH_7 });
      const cursor = (first.data?.jobs as { pageInfo: { endCursor: string } }).pageInfo.endCursor;

      seen = head(8);
      const next = await gateway.post(`{
        jobs(first: 1, after: "${cursor}") { pageInfo { blockNumber } }
        networkStats(days: 1) { blockNumber }
        job(id: "1") { status }
      }`);
      expect(next.errors).to.equal(undefined);
      expect(next.data).to.deep.equal({ jobs: { pageInfo: { blockNumber: 7 } }, networkStats: { blockNumber: 8 }, job: { status: "ACCEPTED" } });
      expect(next.extensions?.block).to.deep.equal({ number: 8, hash: HASH_8 });

      const cursorOnly = await gateway.post(`{ jobs(first: 1, after: "${cursor}") { pageInfo { blockNumber } } }`);
      expect(cursorOnly.errors).to.equal(undefined);
      expect(cursorOnly.extensions?.block).to.equal(undefined);

      const overWebSocket = await gateway.overWebSocket(`{ job(id: "1") { status } }`);
      expect(overWebSocket.errors).to.equal(undefined);
      expect(overWebSocket.data).to.deep.equal({ job: { status: "ACCEPTED" } });
      expect(overWebSocket.extensions?.block).to.deep.equal({ number: 8, hash: HASH_8 });
    } finally {
      await gateway.close();
    }
  });

  it("writes the same request log line for a query over HTTP and over the WebSocket, but for the transport", async function () {
    const { logger, lines } = capturing();
    const gateway = await serve(new ReorgedIndex(), seenWatcher(() => head(8)), logger);
    try {
      const query = `query JobStatus { job(id: "1") { status } }`;
      expect((await gateway.post(query)).errors).to.equal(undefined);
      expect((await gateway.overWebSocket(query)).errors).to.equal(undefined);
      const line = { level: "info", msg: "graphql request", operation: "JobStatus", errors: 0, block: { number: 8, hash: HASH_8 } };
      expect(requestLines(lines)).to.deep.equal([
        { ...line, transport: "http", status: 200 },
        { ...line, transport: "ws" },
      ]);
    } finally {
      await gateway.close();
    }
  });

  it("names the block its answer's extensions.block names in a request's log line, over HTTP and the WebSocket", async function () {
    const { logger, lines } = capturing();
    let seen = head(7);
    const gateway = await serve(new MovingIndex(BLOCKS), seenWatcher(() => seen), logger);
    try {
      const answers = [await gateway.post(`{ job(id: "1") { status } }`)];
      seen = head(8);
      answers.push(await gateway.overWebSocket(`{ job(id: "1") { status } }`));
      expect(answers.map((answer) => answer.extensions?.block)).to.deep.equal([
        { number: 7, hash: HASH_7 },
        { number: 8, hash: HASH_8 },
      ]);
      expect(requestLines(lines).map(({ transport, block }) => ({ transport, block }))).to.deep.equal([
        { transport: "http", block: answers[0]?.extensions?.block },
        { transport: "ws", block: answers[1]?.extensions?.block },
      ]);
    } finally {
      await gateway.close();
    }
  });

  it("names no block in the log line of a request that read none: refused before it ran, or of cursor pages only", async function () {
    const { logger, lines } = capturing();
    const gateway = await serve(new MovingIndex(BLOCKS), seenWatcher(() => head(7)), logger);
    try {
      const first = await gateway.post(`{ jobs(first: 1) { pageInfo { endCursor } } }`);
      const cursor = (first.data?.jobs as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
      lines.length = 0;
      const pages = `{ jobs(first: 1, after: "${cursor}") { pageInfo { blockNumber } } }`;
      expect((await gateway.post(pages)).errors).to.equal(undefined);
      expect((await gateway.overWebSocket(pages)).errors).to.equal(undefined);
      expect((await gateway.post(`{ jobz { id } }`)).errors).to.have.length(1);
      expect(requestLines(lines).map(({ transport, errors, block }) => ({ transport, errors, block }))).to.deep.equal([
        { transport: "http", errors: 0, block: undefined },
        { transport: "ws", errors: 0, block: undefined },
        { transport: "http", errors: 1, block: undefined },
      ]);
    } finally {
      await gateway.close();
    }
  });

  it("logs the code a source's failure is answered with, SOURCE_UNAVAILABLE, over HTTP and the WebSocket", async function () {
    const { logger, lines } = capturing();
    const gateway = await serve(new ReorgedIndex(), seenWatcher(() => head(7)), logger);
    try {
      await gateway.post(`{ job(id: "1") { status } }`);
      await gateway.overWebSocket(`{ job(id: "1") { status } }`);
      expect(requestLines(lines).map(({ transport, codes }) => ({ transport, codes }))).to.deep.equal([
        { transport: "http", codes: ["SOURCE_UNAVAILABLE"] },
        { transport: "ws", codes: ["SOURCE_UNAVAILABLE"] },
      ]);
    } finally {
      await gateway.close();
    }
  });

  it("answers SOURCE_UNAVAILABLE for a pinned head that a reorganisation replaced, where the watcher's poll still names it", async function () {
    const gateway = await serve(new ReorgedIndex(), seenWatcher(() => head(7)));
    try {
      for (const query of [`{ jobs(first: 5) { nodes { id } } }`, `{ networkStats(days: 1) { blockNumber } }`, `{ job(id: "1") { status } }`]) {
        const answer = await gateway.post(query);
        expect(answer.errors?.map((e) => e.extensions?.code), query).to.deep.equal(["SOURCE_UNAVAILABLE"]);
        expect(answer.errors?.[0]?.message, query).to.match(/block 7, which this answer was read at, is no longer served.*ask again/);
      }
    } finally {
      await gateway.close();
    }
  });

  describe("after a reorganisation the head watcher has not polled yet", function () {
    it("answers at the new head, after one poll of it", async function () {
      const source = new ReorgingIndex();
      const gateway = await serve(source, await watching(source));
      try {
        source.reorg();
        const answer = await gateway.post(EVERY_FIELD);
        expect(answer.errors).to.equal(undefined);
        expect(answer.data).to.deep.equal(EVERY_FIELD_AT_8);
        expect(answer.extensions?.block).to.deep.equal({ number: 8, hash: HASH_8 });
        expect(source.polls).to.equal(2);
      } finally {
        await gateway.close();
      }
    });

    it("writes one request log line for the request, naming the block it first read and the one it answered at, and that block's hash", async function () {
      const source = new ReorgingIndex();
      const lines: Record<string, unknown>[] = [];
      const logger = createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
      const gateway = await serve(source, await watching(source), logger);
      try {
        source.reorg();
        const answer = await gateway.post(`{ job(id: "1") { status } }`);
        expect(answer.errors).to.equal(undefined);
        const requests = lines.filter((line) => line.msg === "graphql request");
        expect(requests.map(({ errors, rerun, block }) => ({ errors, rerun, block }))).to.deep.equal([
          { errors: 0, rerun: { replaced: 7, block: 8 }, block: { number: 8, hash: HASH_8 } },
        ]);
      } finally {
        await gateway.close();
      }
    });

    it("writes one request log line for a query over the WebSocket too, naming the block it first read and the one it answered at, with its hash", async function () {
      const source = new ReorgingIndex();
      const { logger, lines } = capturing();
      const gateway = await serve(source, await watching(source), logger);
      try {
        source.reorg();
        const answer = await gateway.overWebSocket(`{ job(id: "1") { status } }`);
        expect(answer.errors).to.equal(undefined);
        expect(requestLines(lines).map(({ transport, errors, rerun, block }) => ({ transport, errors, rerun, block }))).to.deep.equal([
          { transport: "ws", errors: 0, rerun: { replaced: 7, block: 8 }, block: { number: 8, hash: HASH_8 } },
        ]);
      } finally {
        await gateway.close();
      }
    });

    it("answers at the new head over the WebSocket too", async function () {
      const source = new ReorgingIndex();
      const gateway = await serve(source, await watching(source));
      try {
        source.reorg();
        const answer = await gateway.overWebSocket(`{ networkStats(days: 1) { blockNumber } job(id: "1") { status } }`);
        expect(answer.errors).to.equal(undefined);
        expect(answer.data).to.deep.equal({ networkStats: { blockNumber: 8 }, job: { status: "ACCEPTED" } });
        expect(answer.extensions?.block).to.deep.equal({ number: 8, hash: HASH_8 });
      } finally {
        await gateway.close();
      }
    });

    it("polls once for concurrent requests refused at the replaced head", async function () {
      const source = new ReorgingIndex();
      const gateway = await serve(source, await watching(source));
      try {
        const requests = 5;
        // The poll answers only once every request was refused, so that all of them are waiting for a new head.
        let allRefused: () => void = () => undefined;
        const refusedAll = new Promise<void>((resolve) => (allRefused = resolve));
        source.beforePoll = () => refusedAll;
        const refuse = source.request.bind(source);
        source.request = async <TData>(query: string, variables?: Variables): Promise<TData> => {
          try {
            return await refuse<TData>(query, variables);
          } finally {
            if (source.refused === requests) allRefused();
          }
        };
        source.reorg();
        const answers = await Promise.all(Array.from({ length: requests }, () => gateway.post(`{ job(id: "1") { status } }`)));
        for (const answer of answers) {
          expect(answer.errors).to.equal(undefined);
          expect(answer.data).to.deep.equal({ job: { status: "ACCEPTED" } });
          expect(answer.extensions?.block).to.deep.equal({ number: 8, hash: HASH_8 });
        }
        expect(source.refused).to.equal(requests);
        expect(source.polls).to.equal(2);
      } finally {
        await gateway.close();
      }
    });

    it("answers wholly at the new head a request whose first read had answered at the replaced one", async function () {
      const source = new ReorgingIndex();
      const gateway = await serve(source, await watching(source));
      try {
        // The reorganisation lands right after the request's first read answered at block 7.
        source.afterRead = (block) => {
          if (block === 7) source.reorg();
        };
        const answer = await gateway.post(EVERY_FIELD);
        expect(answer.errors).to.equal(undefined);
        // Nothing read at block 7 remains: the job is the accepted one, as every other figure is block 8's.
        expect(answer.data).to.deep.equal(EVERY_FIELD_AT_8);
        expect(answer.extensions?.block).to.deep.equal({ number: 8, hash: HASH_8 });
        expect(source.refused).to.be.greaterThan(0);
      } finally {
        await gateway.close();
      }
    });

    it("runs a request again once only: a new head replaced in turn is SOURCE_UNAVAILABLE", async function () {
      const source = new ReorgingIndex();
      const gateway = await serve(source, await watching(source));
      try {
        source.reorg();
        // Block 8 is replaced in turn as soon as the watcher has seen it.
        source.beforePoll = async () => {
          source.replaced.add(HASH_8);
        };
        const answer = await gateway.post(`{ job(id: "1") { status } }`);
        expect(answer.errors?.map((e) => e.extensions?.code)).to.deep.equal(["SOURCE_UNAVAILABLE"]);
        expect(answer.errors?.[0]?.message).to.match(/block 8, which this answer was read at, is no longer served/);
        expect(source.refused).to.equal(2);
        expect(source.polls).to.equal(2);
      } finally {
        await gateway.close();
      }
    });
  });
});
