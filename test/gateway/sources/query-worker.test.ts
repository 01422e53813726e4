// The embedded source when its query worker thread dies: the gateway logs it, answers SOURCE_UNAVAILABLE and is not
// ready while no thread runs, and answers again once a new thread runs, without a process restart.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import Database from "better-sqlite3";
import type { GatewayRuntime } from "../../../gateway/src/gateway";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { startHttpServer, type RunningHttpServer } from "../../../gateway/src/server";
import { answerFailure, type EmbeddedSubgraphSource } from "../../../gateway/src/sources/embedded-source";
import { SourceInternalError, SourceRequestAbortedError } from "../../../gateway/src/errors";
import { IndexerOptionError } from "../../../subgraph/indexer/errors";
import { QueryWorker, QueryWorkerDiedError } from "../../../gateway/src/sources/query-worker/query-worker";
import { indexingStatus } from "../../../gateway/src/services/indexing";
import type { RestartPolicy } from "../../../subgraph/indexer";
import { waitUntil } from "../../helpers/wait";
import { environment } from "../helpers/environment";
import { indexedEmbeddedRuntime } from "../helpers/embedded-runtime";

interface Served {
  runtime: GatewayRuntime;
  server: RunningHttpServer;
  source: EmbeddedSubgraphSource;
}

interface LogRecord {
  level: string;
  msg: string;
  error?: unknown;
  restartInMs?: number | null;
}

describe("the embedded source when its query worker thread dies", function () {
  const stops: (() => Promise<void>)[] = [];

  after(async function () {
    for (const stop of stops) await stop();
  });

  /** A gateway on its own database, indexed up to the chain's head; `lines` collects its log. */
  async function serve(name: string, restart: RestartPolicy, lines: string[]): Promise<Served> {
    const { runtime, source } = await indexedEmbeddedRuntime(name, restart, lines);
    const server = await startHttpServer({
      schema: buildSchema(createResolvers(runtime.hub)),
      services: runtime.services,
      host: "127.0.0.1",
      port: 0,
      corsOrigins: "*",
      staticDir: path.join(__dirname, "..", "..", "..", "gateway", "dashboard"),
    });
    stops.push(async () => {
      await server.close();
      await runtime.close();
    });
    return { runtime, server, source };
  }

  interface Answer {
    data?: unknown;
    errors?: { extensions?: { code?: string } }[];
    extensions?: { block: { number: number; hash: string | null } };
  }

  async function graphql(server: RunningHttpServer, query: string): Promise<Answer> {
    const response = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
    return (await response.json()) as Answer;
  }

  async function readyz(server: RunningHttpServer): Promise<number> {
    return (await fetch(new URL("/readyz", server.url))).status;
  }

  const records = (lines: string[]) => lines.map((line) => JSON.parse(line) as LogRecord);

  it("logs the death with its cause, answers SOURCE_UNAVAILABLE and is not ready until a new thread runs", async function () {
    const lines: string[] = [];
    // A restart far off: everything below happens while none runs.
    const { server, source } = await serve("query-dies", { initialDelayMs: 60_000 }, lines);
    expect(await readyz(server)).to.equal(200);
    source.queries.crash("throw");
    await waitUntil(() => records(lines).some((record) => record.msg === "query worker failed"), "the gateway logged the death");
    expect(records(lines).filter((record) => record.msg === "query worker failed").map(({ level, error, restartInMs }) => ({ level, error, restartInMs }))).to.deep.equal([
      {
        level: "error",
        restartInMs: 60_000,
        error: {
          name: "QueryWorkerDiedError",
          message: "the query worker thread died (exit code 1): Error: the query worker was told to crash (QueryWorker.crash)",
          cause: { name: "Error", message: "the query worker was told to crash (QueryWorker.crash)" },
        },
      },
    ]);
    const answer = await graphql(server, `{ providers(first: 2) { edges { node { address } } } }`);
    expect(answer.errors?.map((error) => error.extensions?.code)).to.deep.equal(["SOURCE_UNAVAILABLE"]);
    expect(await readyz(server)).to.equal(503);
  });

  it("answers again and is ready again once a new thread runs", async function () {
    const lines: string[] = [];
    const { runtime, server, source } = await serve("query-restarts", { initialDelayMs: 50 }, lines);
    const query = `{ providers(first: 3) { edges { node { address } } } }`;
    const before = await graphql(server, query);
    expect(before.errors).to.equal(undefined);
    source.queries.crash("exit");
    // A new ts-node thread: 1-3 s quiet, over 20 s in a clean-clone CI at load average ~30.
    await waitUntil(() => records(lines).some((record) => record.msg === "query worker restarted"), "the gateway logged the restart", { timeoutMs: 90_000 });
    // Not the cached answer: a new block makes the gateway ask the new thread.
    const env = await environment();
    await env.chain.ethers.send("evm_mine", []);
    const head = await env.chain.blockNumber();
    await waitUntil(async () => (await indexingStatus(runtime.services)).indexedBlock >= head, `the gateway indexed block ${head}`);
    // The same rows, read at the new block (the answer names the block it read).
    const after = await graphql(server, query);
    expect({ ...after, extensions: undefined }).to.deep.equal({ ...before, extensions: undefined });
    expect(after.extensions?.block.number).to.be.at.least(head);
    expect(await readyz(server)).to.equal(200);
    expect(records(lines).map((record) => record.msg)).to.include("query worker failed");
  });

  it("stopped while a restart is pending, starts no new thread and leaves nothing keeping the process alive", async function () {
    const env = await environment();
    const script = path.join(__dirname, "..", "helpers", "query-worker-stop.ts");
    // The process exits by itself only if stop() cancelled the restart timer (60 s away) and started no thread.
    const { stdout } = await promisify(execFile)(process.execPath, ["-r", "ts-node/register/transpile-only", script, path.join(env.tmpDir, "embedded.sqlite")], {
      cwd: path.join(__dirname, "..", "..", ".."),
      // A ts-node process that starts a thread: over 40 s in a clean-clone CI at load average ~30.
      timeout: 100_000,
    });
    expect(JSON.parse(stdout.trim())).to.deep.equal({
      death: { message: "the query worker thread died (exit code 3)", restartInMs: 60_000 },
      running: false,
      restarted: 0,
    });
  });

  it("tells a new thread that the indexer is down, so that it still reports indexing errors", async function () {
    const env = await environment();
    const queries = await QueryWorker.start(path.join(env.tmpDir, "embedded.sqlite"), { initialDelayMs: 50 });
    stops.push(() => queries.stop());
    queries.setIndexerDown("the indexer worker thread died");
    const restarted = new Promise<void>((resolve) => queries.once("restarted", () => resolve()));
    queries.crash("throw");
    await restarted;
    const answer = await queries.query(`{ _meta { hasIndexingErrors } }`, {});
    expect(answer).to.deep.equal({ data: { _meta: { hasIndexingErrors: true } }, errors: null, databaseFailure: null });
  });
});

describe("the embedded source when the index's database fails a query", function () {
  it("tells the client the SQLite code only, the database's message (its tables) kept for the operator's log", async function () {
    const env = await environment();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "query-worker-db-"));
    const dbPath = path.join(dir, "embedded.sqlite");
    const original = new Database(path.join(env.tmpDir, "embedded.sqlite"), { readonly: true });
    await original.backup(dbPath);
    original.close();
    // A table gone under the reader, as a rebuilt or damaged database would leave it.
    const damaged = new Database(dbPath);
    damaged.exec('DROP TABLE "ent_Job"');
    damaged.close();
    const queries = await QueryWorker.start(dbPath, false);
    try {
      const answer = await queries.query("{ jobs(first: 1) { id } }", {});
      expect(answer.databaseFailure).to.equal("SQLITE_ERROR");
      const failure = answerFailure(answer);
      expect(failure, "logged whole by formatError").to.be.instanceOf(SourceInternalError);
      expect((failure as SourceInternalError).failure).to.equal("SQLITE_ERROR");
      expect(failure?.message, "the operator's log").to.contain("ent_Job");
      expect(failure?.detail, "what the client is told").to.equal("the embedded indexer's database failed (SQLITE_ERROR)");
      // A query's own error is the client's to read.
      const refused = await queries.query("{ jobs(first: 1) { nope } }", {});
      expect(refused.databaseFailure).to.equal(null);
      expect(answerFailure(refused)?.detail).to.match(/^the embedded indexer answered with an error: .*nope/);
    } finally {
      await queries.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the embedded source's queries given up", function () {
  const META = "{ _meta { block { number } } }";

  it("releases the caller at once, and the thread skips the query if it has not started it, answering the next", async function () {
    this.timeout(90_000);
    const { runtime, source } = await indexedEmbeddedRuntime("query-given-up", {}, []);
    try {
      let skipped = 0;
      source.queries.on("skipped", () => void skipped++);
      // Busy as with a long query: what follows waits in the thread's queue.
      const release = source.queries.hold();
      const giveUp = new AbortController();
      const givenUp = source.request(META, {}, { signal: giveUp.signal }).then(
        () => null,
        (error: unknown) => error,
      );
      const next = source.request<{ _meta: unknown }>(META);
      giveUp.abort();
      expect(await givenUp).to.be.instanceOf(SourceRequestAbortedError);
      release();
      expect(await next).to.have.property("_meta");
      // The thread tells of the skip before it answers the query sent after it.
      expect(skipped).to.equal(1);
    } finally {
      await runtime.close();
    }
  });
});

describe("the query worker's restart policy", function () {
  const REFUSED: ReadonlyArray<{ restart: RestartPolicy; option: string; value: number; message: RegExp }> = [
    { restart: { initialDelayMs: 0 }, option: "restart.initialDelayMs", value: 0, message: /^restart\.initialDelayMs must be a number of milliseconds, at least 1/ },
    { restart: { maxDelayMs: NaN }, option: "restart.maxDelayMs", value: NaN, message: /^restart\.maxDelayMs must be a number of milliseconds/ },
    {
      restart: { initialDelayMs: 5000, maxDelayMs: 1000 },
      option: "restart.maxDelayMs",
      value: 1000,
      message: /^restart\.maxDelayMs must be at least restart\.initialDelayMs \(got initialDelayMs 5000, maxDelayMs 1000\)$/,
    },
  ];

  for (const refused of REFUSED) {
    it(`refuses ${refused.option}: ${String(refused.value)} as the indexer's worker handle does, before a thread starts`, async function () {
      // A database no indexer initialised: a thread started on it would fail otherwise, not with the refusal.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-query-worker-"));
      try {
        let caught: unknown;
        try {
          const queries = await QueryWorker.start(path.join(dir, "none.sqlite"), refused.restart);
          await queries.stop();
        } catch (error) {
          caught = error;
        }
        expect(caught).to.be.instanceOf(IndexerOptionError);
        const refusal = caught as IndexerOptionError;
        expect(refusal.option).to.equal(refused.option);
        expect(Object.is(refusal.value, refused.value), `the value refused is ${String(refusal.value)}`).to.equal(true);
        expect(refusal.message).to.match(refused.message);
        expect(fs.readdirSync(dir), "what the thread created").to.deep.equal([]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("QueryWorkerDiedError", function () {
  it("carries the restart delay as a typed field and keeps it out of its message", function () {
    const error = new QueryWorkerDiedError(1, "Error: out of memory", 1_500);
    expect(error.restartInMs).to.equal(1_500);
    expect(error.message).to.equal("the query worker thread died (exit code 1): Error: out of memory");
  });

  it("says in its message that a thread the policy does not restart is not restarted, with restartInMs null", function () {
    const error = new QueryWorkerDiedError(null, null, null);
    expect(error.restartInMs).to.equal(null);
    expect(error.message).to.equal("the query worker thread could not start again; it is not restarted");
  });
});
