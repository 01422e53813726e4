// Worker-thread mode: indexing runs in a worker_threads Worker, the calling thread answers queries from its own
// read-only connection and can serve HTTP; the CLI's --port mode uses the same path.
import type { ChildProcess } from "node:child_process";
import net, { type AddressInfo } from "node:net";
import fs from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { expect } from "chai";
import {
  DatabaseInUseError,
  Indexer,
  IndexerOptionError,
  IndexerWorker,
  IndexerWorkerDiedError,
  IndexerWorkerHungError,
  RpcConnectionError,
  StoppedError,
  startIndexerWorker,
  type IndexerLogRecord,
  type IndexerStatus,
  type IndexerWorkerOptions,
  type ProgressEvent,
  type RetryEvent,
} from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { SchemaModel } from "../../../subgraph/indexer/schema/model";
import { IndexerDatabase } from "../../../subgraph/indexer/store/database";
import { gql } from "./helpers/dump";
import { registerProvider } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";
import { runIndexerCli, spawnIndexerCli } from "./helpers/cli";
import { API_KEY } from "../../helpers/keyed-rpc";
import { waitUntil } from "../../helpers/wait";
import { startRpcProxy } from "./helpers/rpc-proxy";

function waitFor<T>(emitter: IndexerWorker, event: "synced" | "progress" | "failed", predicate: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${event} event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (value: T): void => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      emitter.off(event, listener as never);
      resolve(value);
    };
    emitter.on(event, listener as never);
  });
}

/** Resolves once the worker has indexed `block`. */
function syncedTo(w: IndexerWorker, block: number): Promise<{ checkpoint: { number: number } | null }> {
  return waitFor<{ checkpoint: { number: number } | null }>(w, "synced", (s) => s.checkpoint!.number >= block);
}

/** A port nothing listens on now, on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("embedded indexer: worker thread", function () {
  let worker: IndexerWorker | null = null;
  const children: ChildProcess[] = [];

  after(async function () {
    await worker?.stop();
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const fx = useProbeFixture();

  before(async function () {
    await registerProvider(fx.probe, fx.chain.accounts[1]!, "first", 1n, 1);
  });

  /** A worker on a database of its own in the fixture, polling every 50 ms. */
  function startPolling(db: string, options: Partial<IndexerWorkerOptions> = {}): Promise<IndexerWorker> {
    return startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath(db), pollIntervalMs: 50, ...options });
  }

  it("indexes in a worker thread and answers queries from the calling thread", async function () {
    const progress: ProgressEvent[] = [];
    worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("worker.sqlite"), pollIntervalMs: 50 });
    worker.on("progress", (p) => progress.push(p));
    const head = await fx.chain.blockNumber();
    await syncedTo(worker, head);
    expect(await gql(worker, `{ providers { name } }`)).to.deep.equal({ providers: [{ name: "first" }] });
    expect(worker.status()).to.include({ failed: false, synced: true, lag: 0 });
    expect(progress.length).to.be.greaterThan(0);
  });

  it("follows new blocks while the calling thread keeps answering queries", async function () {
    const w = worker!;
    for (let i = 0; i < 5; i++) await registerProvider(fx.probe, fx.chain.accounts[2 + i]!, `later ${i}`, BigInt(i), 1);
    const head = await fx.chain.blockNumber();
    // Query continuously while the worker catches up: every answer is a consistent state between the two.
    const counts: number[] = [];
    const done = syncedTo(w, head);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const data = await gql<{ providers: unknown[] }>(w, `{ providers { id } }`);
      counts.push(data.providers.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(counts.every((c) => c >= 1 && c <= 6)).to.equal(true);
    expect(await gql(w, `{ providers(orderBy: name, where: { name_starts_with: "later" }) { name } }`)).to.deep.equal({
      providers: [0, 1, 2, 3, 4].map((i) => ({ name: `later ${i}` })),
    });
  });

  it("serves the query API over HTTP from the calling thread", async function () {
    const server = await worker!.serve({ name: "latent" });
    const response = await fetch(server.queryUrl, { method: "POST", body: JSON.stringify({ query: `{ providers(first: 1, orderBy: name) { name } }` }) });
    expect(await response.json()).to.deep.equal({ data: { providers: [{ name: "first" }] } });
  });

  it("stop() ends the worker and closes its servers", async function () {
    const w = worker!;
    const server = await w.serve();
    const exit = new Promise<number>((resolve) => w.once("exit", resolve));
    await w.stop();
    worker = null;
    expect(await exit).to.equal(0);
    let refused = false;
    try {
      await fetch(server.queryUrl, { method: "POST", body: "{}" });
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
  });

  it("stop() while serve() binds its port closes that server once bound, and serve() rejects with StoppedError", async function () {
    const w = await startPolling("stop-while-binding.sqlite");
    const port = await freePort();
    // serve() returns before its listen() has completed: the stop lands where a CLI's signal can, during the bind.
    const serving = w.serve({ port }).then(
      (server) => server,
      (e: unknown) => e as Error,
    );
    await w.stop();
    const listening = await accepts(port);
    const outcome = await serving;
    if (!(outcome instanceof Error)) await outcome.close();
    expect(outcome).to.be.instanceOf(StoppedError);
    expect((outcome as Error).message).to.equal("the indexer worker was stopped while its query server bound its port");
    expect(listening, "something still listens once stop() has resolved").to.equal(false);
  });

  it("serve() after stop() rejects with StoppedError and binds nothing", async function () {
    const w = await startPolling("serve-after-stop.sqlite");
    await w.stop();
    const port = await freePort();
    const outcome = await w.serve({ port }).then(
      (server) => server,
      (e: unknown) => e as Error,
    );
    const listening = await accepts(port);
    if (!(outcome instanceof Error)) await outcome.close();
    expect(listening).to.equal(false);
    expect(outcome).to.be.instanceOf(StoppedError);
    expect((outcome as Error).message).to.equal("the indexer worker is stopped: it serves no queries");
  });

  it("rejects with the reason when the worker cannot start", async function () {
    let error: unknown;
    try {
      await startIndexerWorker({ subgraph: path.join(fx.tmpDir, "nowhere"), rpc: fx.chain.url, db: fx.dbPath("never.sqlite") });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.match(/^indexer worker: no subgraph\.yaml in .*nowhere/);
  });

  it("hands onLog what the indexer logs while it opens: a database of another chain that it starts over", async function () {
    const db = fx.dbPath("another-chain.sqlite");
    const other = IndexerDatabase.open(db);
    other.initialise(
      { chainId: "1", genesisHash: `0x${"11".repeat(32)}`, buildHash: "another build", network: "mainnet" },
      SchemaModel.parse(fs.readFileSync(path.join(fx.buildDir, "schema.graphql"), "utf8")),
    );
    other.close();
    const logs: IndexerLogRecord[] = [];
    worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db, pollIntervalMs: 50 }, { onLog: (r) => logs.push(r) });
    await worker.stop();
    worker = null;
    expect(logs.map((l) => `${l.level}: ${l.message}`)).to.include(`warning: database ${db} belonged to another chain or subgraph build: starting over`);
  });

  it("runs the CLI with --port: indexing in a worker, queries and indexing status over HTTP, clean exit on SIGTERM", async function () {
    // At load average 28-31 on 2 cores the CLI printed its URLs after 58.7 s (ts-node in the process and in its
    // worker thread); the 30 s it had were exceeded under load.
    this.timeout(240_000);
    // A provider of its own to find, rather than a count of the ones earlier tests registered (run alone with -g,
    // there are none of theirs).
    await registerProvider(fx.probe, fx.chain.accounts[7]!, "seen by the CLI", 1n, 1);
    const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", fx.dbPath("cli-port.sqlite"), "--subgraph", fx.buildDir, "--port", "0", "--name", "probe", "--poll-ms", "50"]);
    children.push(child);
    const [url, statusUrl] = await new Promise<[string, string]>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no URLs printed: ${out}`)), 120_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /queries: POST (\S+)\nindexing status: POST (\S+) \(graph-node's index-node API: the gateway's --subgraph-status-url\)\n/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve([match[1]!, match[2]!]);
        }
      });
    });
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/subgraphs\/name\/probe$/);
    expect(statusUrl).to.equal(`${new URL(url).origin}/graphql`);
    const status = (await (await fetch(statusUrl, { method: "POST", body: JSON.stringify({ query: "{ indexingStatuses { health node } }" }) })).json()) as unknown;
    expect(status).to.deep.equal({ data: { indexingStatuses: [{ health: "healthy", node: "embedded-indexer" }] } });
    await waitUntil(
      async () => {
        const query = `{ providers(where: { name: "seen by the CLI" }) { name } }`;
        const body = (await (await fetch(url, { method: "POST", body: JSON.stringify({ query }) })).json()) as { data: { providers: Array<{ name: string }> } };
        return body.data.providers.length === 1;
      },
      "the CLI's query server answered with the provider registered for it",
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const code = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await code).to.equal(0);
  });

  it("runs the CLI with --port on a port in use: one line naming the port, no stack trace, exit 1", async function () {
    // At load average 28-31 on 2 cores the CLI took 51.8 s to give up on the port; at 31-35 it was still starting
    // when the 60 s it had ran out.
    this.timeout(240_000);
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const args = ["--rpc", fx.chain.url, "--db", fx.dbPath("cli-port-busy.sqlite"), "--subgraph", fx.buildDir, "--port", String(port)];
      const run = await runIndexerCli([...args, "--quiet", "--log-level", "error"], 150_000);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.equal(
        `indexer: cannot serve queries on 127.0.0.1:${port} (--host, --port): listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
      );
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it("reports a worker thread that dies with its cause, and then says the index is not live (status, /status, _meta)", async function () {
    const w = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("dies.sqlite"), pollIntervalMs: 50, restart: false });
    try {
      const head = await fx.chain.blockNumber();
      await syncedTo(w, head);
      const died = new Promise<Error>((resolve) => w.once("error", resolve));
      w.crash("throw");
      const error = await died;
      expect(error).to.be.instanceOf(IndexerWorkerDiedError);
      expect(error).to.include({ exitCode: 1, restartInMs: null });
      expect(error.message).to.equal(
        "the indexer worker thread died (exit code 1): Error: the indexer worker was told to crash (IndexerWorker.crash); it is not restarted",
      );
      expect(w.status()).to.include({ indexing: false, synced: false, indexerError: error.message, failed: false });
      const server = await w.serve();
      const status = (await (await fetch(`${server.url}/status`)).json()) as Record<string, unknown>;
      expect(status).to.include({ indexing: false, synced: false, indexerError: error.message });
      // What was indexed stays queryable, flagged as graph-node flags an index that stopped following the chain.
      expect(await gql(w, `{ _meta { hasIndexingErrors block { number } } providers(first: 1, orderBy: name) { name } }`)).to.deep.equal({
        _meta: { hasIndexingErrors: true, block: { number: head } },
        providers: [{ name: "first" }],
      });
    } finally {
      await w.stop();
    }
  });

  it("emits exit once the handle has recorded it: a listener's status() already says the thread is down, and why", async function () {
    const w = await startPolling("exit-listener.sqlite", { restart: false });
    try {
      const atExit = new Promise<ReturnType<IndexerWorker["status"]>>((resolve) => w.once("exit", () => resolve(w.status())));
      const died = new Promise<Error>((resolve) => w.once("error", resolve));
      w.crash("exit");
      expect(await atExit).to.include({ indexing: false, synced: false, indexerError: (await died).message });
    } finally {
      await w.stop();
    }
  });

  it("emits error once the restart is scheduled: stop() from the listener cancels it", async function () {
    const w = await startPolling("error-listener.sqlite", { restart: { initialDelayMs: 20, maxDelayMs: 40 } });
    const stopped = new Promise<void>((resolve) => w.once("error", () => resolve(w.stop())));
    w.crash("exit");
    await stopped;
    // A timer left behind would hold the process open for the backoff (up to 60 s) after the caller stopped everything.
    expect((w as unknown as { restartTimer: NodeJS.Timeout | null }).restartTimer).to.equal(null);
  });

  it("lets an exit listener's throw surface as an uncaught exception, with the thread's death already recorded", async function () {
    const w = await startPolling("exit-throws.sqlite", { restart: false });
    // Mocha's own handler would fail the test on the throw this test expects: set aside until it has surfaced.
    const mochaHandlers = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    let surfaced: Error;
    try {
      const uncaught = new Promise<Error>((resolve) => process.once("uncaughtException", resolve));
      w.once("exit", () => {
        throw new Error("a listener's bug");
      });
      w.crash("exit");
      surfaced = await uncaught;
    } finally {
      for (const handler of mochaHandlers) process.on("uncaughtException", handler);
    }
    try {
      expect(surfaced.message).to.equal("a listener's bug");
      expect(w.status()).to.include({ indexing: false, synced: false });
      expect(w.status().indexerError).to.match(/^the indexer worker thread died \(exit code 3\)/);
    } finally {
      await w.stop();
    }
  });

  it("starts a worker that died again after its backoff, and the new one indexes on", async function () {
    const w = await startPolling("restarts.sqlite", { restart: { initialDelayMs: 20, maxDelayMs: 40 } });
    try {
      const before = await fx.chain.blockNumber();
      await syncedTo(w, before);
      const died = new Promise<Error>((resolve) => w.once("error", resolve));
      const restarted = new Promise<IndexerStatus>((resolve) => w.once("restarted", resolve));
      w.crash("exit");
      const error = await died;
      expect(error).to.include({ exitCode: 3, reason: null, restartInMs: 20 });
      expect(error.message).to.equal("the indexer worker thread died (exit code 3): it exited without an error; restarting it in 20 ms");
      expect((await restarted).checkpoint!.number).to.equal(before);
      expect(w.status()).to.include({ indexing: true, indexerError: null });
      await registerProvider(fx.probe, fx.chain.accounts[8]!, "after the restart", 1n, 1);
      const head = await fx.chain.blockNumber();
      await syncedTo(w, head);
      expect(await gql(w, `{ _meta { hasIndexingErrors } providers(where: { name: "after the restart" }) { name } }`)).to.deep.equal({
        _meta: { hasIndexingErrors: false },
        providers: [{ name: "after the restart" }],
      });
    } finally {
      await w.stop();
    }
  });

  it("reports a worker thread that hangs in a block's handlers, naming the block, and says the index is not live", async function () {
    const w = await startPolling("hangs.sqlite", { restart: false, hangTimeoutMs: 1000 });
    try {
      const head = await fx.chain.blockNumber();
      await syncedTo(w, head);
      const hung = new Promise<Error>((resolve) => w.once("error", resolve));
      const exit = new Promise<number>((resolve) => w.once("exit", resolve));
      w.crash("hang");
      await registerProvider(fx.probe, fx.chain.accounts[9]!, "hangs the mapping", 1n, 1);
      const block = await fx.chain.blockNumber();
      const error = await hung;
      expect(error).to.be.instanceOf(IndexerWorkerHungError);
      expect(error).to.include({ timeoutMs: 1000, block, restartInMs: null });
      expect(error.message).to.equal(
        `the indexer worker thread did not answer for 1000 ms while processing block ${block}; it is terminated and not restarted`,
      );
      // Terminated: a stuck thread would otherwise hold the database's write lock for good.
      expect(await exit).to.equal(1);
      expect(w.status()).to.include({ indexing: false, synced: false, indexerError: error.message, failed: false });
      const server = await w.serve();
      const status = (await (await fetch(`${server.url}/status`)).json()) as Record<string, unknown>;
      expect(status).to.include({ indexing: false, synced: false, indexerError: error.message });
      expect(await gql(w, `{ _meta { hasIndexingErrors block { number } } }`)).to.deep.equal({
        _meta: { hasIndexingErrors: true, block: { number: head } },
      });
    } finally {
      await w.stop();
    }
  });

  it("starts a worker that hung again after its backoff, and the new one indexes the block the old one hung in", async function () {
    const w = await startPolling("hangs-restarts.sqlite", { restart: { initialDelayMs: 20, maxDelayMs: 40 }, hangTimeoutMs: 1000 });
    try {
      const before = await fx.chain.blockNumber();
      await syncedTo(w, before);
      const hung = new Promise<Error>((resolve) => w.once("error", resolve));
      const restarted = new Promise<IndexerStatus>((resolve) => w.once("restarted", resolve));
      w.crash("hang");
      await registerProvider(fx.probe, fx.chain.accounts[10]!, "after the hang", 1n, 1);
      const block = await fx.chain.blockNumber();
      expect(await hung).to.include({ block, restartInMs: 20 });
      expect((await restarted).checkpoint!.number).to.equal(before);
      await syncedTo(w, block);
      expect(await gql(w, `{ _meta { hasIndexingErrors } providers(where: { name: "after the hang" }) { name } }`)).to.deep.equal({
        _meta: { hasIndexingErrors: false },
        providers: [{ name: "after the hang" }],
      });
    } finally {
      await w.stop();
    }
  });

  it("rejects the start with IndexerWorkerHungError when the first thread hangs while it starts, and ends the thread", async function () {
    const w = new IndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("hangs-starting.sqlite"), hangTimeoutMs: 1000 });
    try {
      const exit = new Promise<number>((resolve) => w.once("exit", resolve));
      // Before it is ready: the thread hangs at once, as it opens the indexer.
      w.crash("hang");
      const error = await w.ready.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(IndexerWorkerHungError);
      expect(error).to.include({ timeoutMs: 1000, block: null, restartInMs: null, starting: true });
      expect((error as Error).message).to.equal("the indexer worker thread did not answer for 1000 ms while it started; it is terminated and not restarted");
      expect(await exit).to.equal(1);
    } finally {
      await w.stop();
    }
  });

  it("reports a restarted worker that hangs while it starts, terminates it and starts another after the backoff, which indexes on", async function () {
    const w = await startPolling("hangs-restarting.sqlite", { restart: { initialDelayMs: 20, maxDelayMs: 40 }, hangTimeoutMs: 1000 });
    try {
      const before = await fx.chain.blockNumber();
      await syncedTo(w, before);
      const errors: Error[] = [];
      const hung = new Promise<Error>((resolve) =>
        w.on("error", (error) => {
          errors.push(error);
          if (error instanceof IndexerWorkerHungError) resolve(error);
        }),
      );
      const restarted = new Promise<IndexerStatus>((resolve) => w.once("restarted", resolve));
      // The thread that replaces the one that dies hangs as it starts.
      w.once("exit", () => w.crash("hang"));
      w.crash("exit");
      const error = await hung;
      expect(error).to.include({ timeoutMs: 1000, block: null, restartInMs: 20, starting: true });
      expect(error.message).to.equal("the indexer worker thread did not answer for 1000 ms while it started; it is terminated and restarted in 20 ms");
      // Without the delay, which is out of date by the time status() is read: restartAt says when.
      expect(w.status()).to.include({ indexing: false, indexerError: "the indexer worker thread did not answer for 1000 ms while it started; it is terminated" });
      expect((await restarted).checkpoint!.number).to.equal(before);
      expect(errors.map((e) => e.constructor)).to.deep.equal([IndexerWorkerDiedError, IndexerWorkerHungError]);
      await registerProvider(fx.probe, fx.chain.accounts[11]!, "after the hung start", 1n, 1);
      const head = await fx.chain.blockNumber();
      await syncedTo(w, head);
      expect(await gql(w, `{ _meta { hasIndexingErrors } providers(where: { name: "after the hung start" }) { name } }`)).to.deep.equal({
        _meta: { hasIndexingErrors: false },
        providers: [{ name: "after the hung start" }],
      });
    } finally {
      await w.stop();
    }
  });

  it("ends the thread, releasing the database, when the calling thread cannot open its query connection to it", async function () {
    const db = fx.dbPath("no-query-connection.sqlite");
    const open = QueryEngine.open.bind(QueryEngine);
    QueryEngine.open = () => {
      throw new Error("unable to open database file (injected)");
    };
    const w = new IndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    try {
      let exitCode: number | null = null;
      w.once("exit", (code) => (exitCode = code));
      const error = await w.ready.then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as Error).message).to.equal("unable to open database file (injected)");
      // Left running, the thread would index on, holding the lock, for a caller that has no handle to stop it with.
      expect(exitCode, "the thread exited").to.not.equal(null);
      const next = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db }).catch((e: unknown) => e);
      expect(next).to.not.be.instanceOf(DatabaseInUseError);
      await (next as Indexer).close();
    } finally {
      QueryEngine.open = open;
      await w.stop();
    }
  });

  it("ends a thread whose message could not be read, as one that died, rather than wait for the message for ever", async function () {
    const w = await startPolling("message-lost.sqlite", { restart: { initialDelayMs: 20, maxDelayMs: 40 } });
    try {
      const died = new Promise<Error>((resolve) => w.once("error", resolve));
      const restarted = new Promise<IndexerStatus>((resolve) => w.once("restarted", resolve));
      // What node's Worker emits instead of "message" when it cannot deserialize one (the thread goes on answering pings).
      (w as unknown as { worker: NodeJS.EventEmitter }).worker.emit("messageerror", new Error("could not deserialize (injected)"));
      const error = await died;
      expect(error).to.be.instanceOf(IndexerWorkerDiedError);
      expect(error).to.include({ exitCode: 1, reason: "a message from the thread could not be read (could not deserialize (injected))", restartInMs: 20 });
      await restarted;
    } finally {
      await w.stop();
    }
  });

  it("stop() while the thread starts ends it (its open given up, or the indexer closed once open) and rejects the start with StoppedError", async function () {
    const w = new IndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("stopped-starting.sqlite") });
    const exit = new Promise<number>((resolve) => w.once("exit", resolve));
    // A thread hears the stop only once it has loaded its modules: 22.1 s at load average 28-31 on 2 cores, past
    // stop()'s default 10 s, after which it is terminated (exit 1) rather than stopped.
    await w.stop(60_000);
    const error = await w.ready.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(StoppedError);
    expect((error as Error).message).to.equal("the indexer worker was stopped before it was ready");
    expect(await exit).to.equal(0);
  });

  it("stop(timeoutMs) terminates a thread that has not exited after timeoutMs, and resolves once it has exited", async function () {
    // No pings (hangTimeoutMs 0): the thread hangs at once, as it starts, and never hears the stop; only the timeout ends it.
    const w = new IndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("stop-terminates.sqlite"), hangTimeoutMs: 0 });
    let exitCode: number | null = null;
    w.once("exit", (code) => (exitCode = code));
    w.crash("hang");
    await w.stop(200);
    // terminate()'s exit code: a thread that heard the stop exits with 0.
    expect(exitCode).to.equal(1);
    expect(await w.ready.catch((e: unknown) => e)).to.be.instanceOf(StoppedError);
  });

  it("stop() after the thread said it is ready, before the calling thread heard it, rejects the start with StoppedError", async function () {
    const w = new IndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("stopped-ready.sqlite") });
    let stopped: Promise<void> | null = null;
    // Ahead of the handle's own listener: the "ready" message has arrived, and the handle has not acted on it yet.
    (w as unknown as { worker: NodeJS.EventEmitter }).worker.prependListener("message", (message: { type: string }) => {
      if (message.type === "ready") stopped ??= w.stop();
    });
    const error = await w.ready.then(
      () => null,
      (e: unknown) => e,
    );
    await stopped;
    expect(error).to.be.instanceOf(StoppedError);
  });

  it("rejects with Indexer.open's IndexerOptionError, re-created of its class, for an option the thread's indexer refuses", async function () {
    const db = fx.dbPath("bad-range.sqlite");
    let error: unknown;
    try {
      const w = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db, minBlockRange: 20, maxBlockRange: 10 });
      await w.stop();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(IndexerOptionError);
    expect((error as Error).message).to.equal("indexer worker: minBlockRange must be at most maxBlockRange (got minBlockRange 20, maxBlockRange 10)");
    // Its fields cross the thread with it.
    expect(error).to.include({ option: "minBlockRange", value: 20 });
    expect(fs.existsSync(db), "no database created").to.equal(false);
    expect(fs.existsSync(`${db}.lock`), "no lock taken").to.equal(false);
  });

  it("hands on each failed pass as a `retry` event: the error of its class with its cause chain and no URL's key, the failed passes in a row and the wait", async function () {
    // In front of the chain, then gone: each pass of the thread fails to connect.
    const proxy = await startRpcProxy(fx.chain.url);
    const retries: Array<[Error, RetryEvent]> = [];
    const w = await startIndexerWorker({ subgraph: fx.buildDir, rpc: `${proxy.url}/v2/${API_KEY}`, db: fx.dbPath("retry.sqlite"), pollIntervalMs: 50 });
    try {
      w.on("retry", (error, retry) => retries.push([error, retry]));
      await proxy.close();
      await waitUntil(() => retries.length >= 2, "two failed passes");
    } finally {
      await w.stop();
    }
    expect(retries.slice(0, 2).map(([, retry]) => retry)).to.deep.equal([
      { attempt: 1, delayMs: 50 },
      { attempt: 2, delayMs: 50 },
    ]);
    const [error] = retries[0]!;
    expect(error).to.be.instanceOf(RpcConnectionError).and.include({ method: "eth_blockNumber" });
    expect(error.cause).to.be.instanceOf(TypeError).and.include({ message: "fetch failed" });
    expect((error.cause as Error).cause).to.include({ code: "ECONNREFUSED", port: Number(new URL(proxy.url).port) });
    // The thread's stack, where the transport threw it.
    expect(error.stack).to.include("rpc.ts").and.not.include("thread-error.ts");
    expect(inspect(error, { depth: null })).to.include("ECONNREFUSED").and.not.include(API_KEY);
  });

  it("hands on the log records at logLevel or above (default info), not those below", async function () {
    // Mode 0: the probe's handler logs one message at each of debug, info, warning and error.
    await fx.probe.send("probe", [0, "levels"]);
    const head = await fx.chain.blockNumber();
    for (const [logLevel, levels] of [
      [undefined, ["info", "warning", "error"]],
      ["error", ["error"]],
    ] as const) {
      const logs: IndexerLogRecord[] = [];
      const w = await startIndexerWorker(
        { subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath(`log-level-${logLevel ?? "default"}.sqlite`), pollIntervalMs: 50, logLevel },
        { onLog: (record) => logs.push(record) },
      );
      try {
        await syncedTo(w, head);
      } finally {
        await w.stop();
      }
      const mapping = logs.filter((l) => l.source === "mapping" && l.message.endsWith(" levels")).map((l) => l.level);
      expect(mapping, String(logLevel)).to.deep.equal(levels);
    }
  });
});
