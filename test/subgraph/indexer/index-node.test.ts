// graph-node's indexing-status API on the embedded indexer's HTTP server (`POST /graphql`, the index node's path):
// `indexingStatuses` in graph-node's shape, for a healthy and a failed subgraph, and GraphQL errors for what it cannot
// answer.
import { expect } from "chai";
import { startIndexerWorker, type IndexerWorker, type IndexerWorkerOptions } from "../../../subgraph/indexer";
import { OPEN_BLOCK } from "../../../subgraph/indexer/store/layout";
import type { QueryServer } from "../../../subgraph/indexer/server/http";
import { waitUntil } from "../../helpers/wait";
import { dumpDatabase } from "./helpers/dump";
import { registerProvider } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

const FULL_STATUS = `query Status($ids: [String!]) {
  indexingStatuses(subgraphs: $ids) {
    subgraph synced health
    fatalError { message block { number hash } handler deterministic }
    nonFatalErrors { message }
    chains {
      network
      chainHeadBlock { number hash }
      latestBlock { number hash }
      earliestBlock { number hash }
      lastHealthyBlock { number hash }
    }
    entityCount node
  }
}`;

interface StatusAnswer {
  data?: { indexingStatuses: Array<Record<string, unknown>> };
  errors?: Array<{ message: string }>;
}

async function ask(server: QueryServer, query: string, variables?: unknown): Promise<{ status: number; body: StatusAnswer }> {
  const response = await fetch(server.statusUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as StatusAnswer };
}

/** The current entity versions in the database, counted from its rows rather than by the code under test. */
function currentEntities(file: string): number {
  return Object.values(dumpDatabase(file).tables)
    .flatMap((rows) => rows as Array<{ __to?: string }>)
    .filter((row) => row.__to === String(OPEN_BLOCK)).length;
}

describe("embedded indexer: graph-node's indexing-status API (POST /graphql)", function () {
  this.timeout(60_000);
  const workers: IndexerWorker[] = [];
  after(async function () {
    for (const worker of workers.splice(0)) await worker.stop();
  });
  const fx = useProbeFixture();
  let runs = 0;

  /** A worker on a database of its own, serving HTTP, once its status satisfies `ready`. */
  async function serving(ready: (worker: IndexerWorker) => boolean, what: string): Promise<{ worker: IndexerWorker; server: QueryServer; db: string }> {
    const db = fx.dbPath(`index-node-${++runs}.sqlite`);
    const worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db, pollIntervalMs: 50 });
    workers.push(worker);
    await waitUntil(() => ready(worker), what);
    return { worker, server: await worker.serve({ name: "probe" }), db };
  }

  describe("a healthy subgraph", function () {
    let worker: IndexerWorker;
    let server: QueryServer;
    let db: string;

    before(async function () {
      await registerProvider(fx.probe, fx.chain.accounts[1]!, "healthy", 1n, 1);
      const head = await fx.chain.blockNumber();
      ({ worker, server, db } = await serving((w) => w.status().synced && w.status().checkpoint?.number === head, "the worker has indexed the head"));
    });

    it("answers indexingStatuses for its deployment in graph-node's shape: healthy, synced, at the head", async function () {
      const status = worker.status();
      const checkpoint = { number: String(status.checkpoint!.number), hash: status.checkpoint!.hash };
      const { status: http, body } = await ask(server, FULL_STATUS, { ids: [status.deployment] });
      expect(http).to.equal(200);
      expect(body).to.deep.equal({
        data: {
          indexingStatuses: [
            {
              subgraph: status.deployment,
              synced: true,
              health: "healthy",
              fatalError: null,
              nonFatalErrors: [],
              chains: [
                {
                  network: status.network,
                  chainHeadBlock: checkpoint,
                  latestBlock: checkpoint,
                  earliestBlock: { number: String(worker.earliestBlock()), hash: "0x0" },
                  lastHealthyBlock: null,
                },
              ],
              entityCount: String(currentEntities(db)),
              node: "embedded-indexer",
            },
          ],
        },
      });
      expect(currentEntities(db)).to.be.greaterThan(0);
    });

    it("lists its deployment without arguments, with an empty list and with null, and nothing for another id", async function () {
      const deployment = worker.status().deployment;
      const ids = async (query: string, variables?: unknown) =>
        ((await ask(server, query, variables)).body.data?.indexingStatuses ?? []).map((s) => s["subgraph"]);
      expect(await ids("{ indexingStatuses { subgraph } }")).to.deep.equal([deployment]);
      expect(await ids("{ indexingStatuses(subgraphs: []) { subgraph } }")).to.deep.equal([deployment]);
      expect(await ids("query($ids: [String!]) { indexingStatuses(subgraphs: $ids) { subgraph } }", { ids: null })).to.deep.equal([deployment]);
      expect(await ids(`{ indexingStatuses(subgraphs: ["QmSomethingElse", "${deployment}"]) { subgraph } }`)).to.deep.equal([deployment]);
      expect(await ids(`{ indexingStatuses(subgraphs: ["QmSomethingElse"]) { subgraph } }`)).to.deep.equal([]);
    });

    it("answers a query it cannot run with GraphQL errors that name the problem", async function () {
      const cases: Array<[string, unknown, RegExp]> = [
        ["{ indexingStatuses { subgraph paused } }", undefined, /Cannot query field "paused" on type "SubgraphIndexingStatus"/],
        ["{ providers { id } }", undefined, /Cannot query field "providers" on type "Query"/],
        ["{ indexingStatuses { subgraph ", undefined, /^Syntax Error/],
        ["{ indexingStatuses(subgraphs: 5) { subgraph } }", undefined, /String cannot represent a non string value: 5/],
        ["query($ids: [String!]) { indexingStatuses(subgraphs: $ids) { subgraph } }", { ids: [null] }, /Variable "\$ids" got invalid value null at "ids\[0\]"/],
      ];
      for (const [query, variables, message] of cases) {
        const { status, body } = await ask(server, query, variables);
        expect(status, query).to.equal(200);
        expect(body.data ?? null, query).to.equal(null);
        expect(body.errors?.[0]?.message, query).to.match(message);
      }
    });

    it("refuses a body that is not a GraphQL request as graph-node's index node does: 400 and its message in text", async function () {
      const cases: Array<[string, string]> = [
        ["{}", 'The "query" field is missing in request data'],
        ['{"query": "{ indexingStatuses { health } }", "variables": "{}"}', "Invalid query variables provided"],
      ];
      for (const [body, message] of cases) {
        const response = await fetch(server.statusUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
        expect(response.status, body).to.equal(400);
        expect(await response.text(), body).to.equal(`Invalid request: GraphQL server error (client error): ${message}`);
      }
    });

    it("answers a GET of /graphql with a short text naming the deployment", async function () {
      const response = await fetch(server.statusUrl);
      expect(response.status).to.equal(200);
      expect(await response.text()).to.include(`indexing-status API for deployment ${worker.status().deployment}`);
    });
  });

  // Before the failed suite: its failing block would fail these workers too.
  describe("a worker thread that died or hung", function () {
    /** A worker on a database of its own, with `options`, serving HTTP once it has indexed the head. */
    async function synced(name: string, options: Partial<IndexerWorkerOptions>): Promise<{ worker: IndexerWorker; server: QueryServer }> {
      const db = fx.dbPath(`index-node-${name}.sqlite`);
      const worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db, pollIntervalMs: 50, ...options });
      workers.push(worker);
      const head = await fx.chain.blockNumber();
      await waitUntil(() => worker.status().synced && worker.status().checkpoint?.number === head, "the worker has indexed the head");
      return { worker, server: await worker.serve({ name: "probe" }) };
    }

    it("answers a thread that died and awaits its restart: failed, still synced (it had been), a non-deterministic error naming the death and when the new thread is due", async function () {
      // A backoff no test waits out: the thread stays dead while it is asked.
      const { worker, server } = await synced("died", { restart: { initialDelayMs: 600_000, maxDelayMs: 600_000 } });
      const died = new Promise<Error>((resolve) => worker.once("error", resolve));
      worker.crash("throw");
      const error = await died;
      const status = worker.status();
      expect(status.restartAt).to.be.a("number");
      const checkpoint = { number: String(status.checkpoint!.number), hash: status.checkpoint!.hash };
      const { body } = await ask(server, FULL_STATUS, { ids: [status.deployment] });
      const [answer] = body.data!.indexingStatuses;
      expect(answer).to.deep.include({
        synced: true, // it reached the head before: graph-node's synced stays
        health: "failed",
        fatalError: {
          // Not the error's "restarting it in 600000 ms", out of date by the time the status is asked.
          message:
            "the indexer worker thread died (exit code 1): Error: the indexer worker was told to crash (IndexerWorker.crash) " +
            `(the new worker thread is due at ${new Date(status.restartAt!).toISOString()})`,
          block: null,
          handler: null,
          deterministic: false,
        },
        nonFatalErrors: [],
      });
      expect(error.message).to.include("the indexer worker thread died");
      const [chain] = answer!["chains"] as Array<Record<string, unknown>>;
      expect(chain).to.deep.include({ latestBlock: checkpoint, lastHealthyBlock: checkpoint });
    });

    it("answers a thread that hung and is not restarted: failed, still synced (it had been), a non-deterministic error naming the hang", async function () {
      const { worker, server } = await synced("hung", { restart: false, hangTimeoutMs: 1000 });
      const hung = new Promise<Error>((resolve) => worker.once("error", resolve));
      worker.crash("hang");
      await registerProvider(fx.probe, fx.chain.accounts[5]!, "hangs the status", 1n, 1);
      const error = await hung;
      expect(error.message).to.include("did not answer for 1000 ms");
      const { body } = await ask(server, FULL_STATUS, { ids: [worker.status().deployment] });
      expect(body.data!.indexingStatuses[0]).to.deep.include({
        synced: true, // it reached the head before: graph-node's synced stays
        health: "failed",
        fatalError: { message: error.message, block: null, handler: null, deterministic: false },
      });
    });

    it("answers healthy and synced again once a new thread has indexed the head", async function () {
      const { worker, server } = await synced("restarted", { restart: { initialDelayMs: 20, maxDelayMs: 40 } });
      const restarted = new Promise<void>((resolve) => worker.once("restarted", () => resolve()));
      worker.crash("exit");
      await restarted;
      await registerProvider(fx.probe, fx.chain.accounts[6]!, "after the restart", 1n, 1);
      const head = await fx.chain.blockNumber();
      await waitUntil(() => worker.status().synced && worker.status().checkpoint?.number === head, "the new thread has indexed the head");
      const { body } = await ask(server, FULL_STATUS, { ids: [worker.status().deployment] });
      expect(body.data!.indexingStatuses[0]).to.deep.include({ synced: true, health: "healthy", fatalError: null });
    });
  });

  // After the healthy suite: the failing block fails its worker too.
  describe("a failed subgraph", function () {
    it("answers a subgraph that failed on a handler abort: health failed, its fatal error, its last healthy block", async function () {
      await fx.probe.send("probe", [1, "status boom"]);
      const failing = await fx.chain.blockNumber();
      const { worker, server } = await serving((w) => w.status().failed, "the subgraph failed");
      const status = worker.status();
      const fatal = status.fatalError!;
      // As graph-node's: the head on the failing block, the last healthy block the one before it.
      const latest = { number: String(failing), hash: fatal.blockHash };
      const before = { number: String(failing - 1), hash: status.checkpoint!.parentHash };
      expect(status.checkpoint!.number).to.equal(failing);
      const { body } = await ask(server, FULL_STATUS, { ids: [status.deployment] });
      const [answer] = body.data!.indexingStatuses;
      expect(answer).to.deep.include({
        subgraph: status.deployment,
        synced: false,
        health: "failed",
        fatalError: { message: fatal.message, block: { number: String(failing), hash: fatal.blockHash }, handler: "handleProbe", deterministic: true },
        nonFatalErrors: [],
      });
      expect(fatal.message).to.include("status boom");
      const [chain] = answer!["chains"] as Array<Record<string, unknown>>;
      expect(chain).to.deep.include({ latestBlock: latest, lastHealthyBlock: before });
    });
  });
});
