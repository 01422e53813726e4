// Durability: the database always sits at a block boundary, so a restart (graceful or kill -9) resumes from the
// checkpoint and ends identical to an uninterrupted run. Also covers the CLI.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import Database from "better-sqlite3";
import { expect } from "chai";
import {
  ConcurrentIndexerError,
  DatabaseInUseError,
  HttpRpc,
  Indexer,
  RateLimitedError,
  type IndexerLogRecord,
  type IndexerOptions,
  type IndexerStatus,
  type ProgressEvent,
  type RetryEvent,
} from "../../../subgraph/indexer";
import { Eip1193Rpc, type RequestOptions, type RpcCall, type RpcTransport } from "../../../subgraph/indexer/chain/rpc";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { EntityCache } from "../../../subgraph/indexer/store/entity-cache";
import { collectOutput } from "../../helpers/child-output";
import { waitUntil } from "../../helpers/wait";
import { spawnIndexerCli } from "./helpers/cli";
import { dumpDatabase, type DatabaseDump } from "./helpers/dump";
import { postJob, registerProvider } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** The indexes of the entity tables, sorted. */
function indexNames(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'ent\\_%' ESCAPE '\\' ORDER BY name")
      .all()
      .map((r) => r.name);
  } finally {
    db.close();
  }
}

/** The checkpoint block in a database another process is writing, or null while there is none yet. */
function checkpointOf(file: string): number | null {
  if (!existsSync(file)) return null;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare<[], { value: string }>("SELECT value FROM indexer_meta WHERE key = 'checkpoint'").get();
      return row === undefined ? null : (JSON.parse(row.value) as { number: number }).number;
    } finally {
      db.close();
    }
  } catch {
    return null; // not initialised yet
  }
}

/** Waits until the database another process indexes has reached block `head`. */
function waitUntilIndexedTo(file: string, head: number): Promise<void> {
  return waitUntil(() => (checkpointOf(file) ?? -1) >= head, `${file} reached block ${head}`, { timeoutMs: 60_000, intervalMs: 25 });
}

describe("embedded indexer: restarts", function () {
  let reference: DatabaseDump;
  let head: number;
  const children: ChildProcess[] = [];

  after(async function () {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited(child);
    }
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const fx = useProbeFixture();

  before(async function () {
    const [A, B] = fx.chain.accounts.slice(1, 3);
    await registerProvider(fx.probe, A!, "alpha", 1n, 1);
    await registerProvider(fx.probe, B!, "beta", 2n, 2);
    // ~100 blocks with events, mutable and immutable entities alike.
    for (let i = 0; i < 96; i++) {
      if (i % 8 === 0) await postJob(fx.probe, BigInt(i), i % 16 === 0 ? A! : B!, { note: `job ${i}`, amounts: [BigInt(i)] });
      else await fx.probe.send("emitBatch", [i * 10, 5, 7]);
    }
    head = await fx.chain.blockNumber();
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("reference.sqlite") });
    await indexer.syncOnce();
    await indexer.close();
    reference = dumpDatabase(fx.dbPath("reference.sqlite"));
  });

  it("resumes from the checkpoint after a restart mid-sync, identical to an uninterrupted run", async function () {
    const db = fx.dbPath("restart.sqlite");
    const first = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    expect((await first.syncOnce({ toBlock: 40 })).checkpoint!.number).to.equal(40);
    await first.close();
    // Far behind the head, the query indexes wait; queries give the same answers without them.
    const full = indexNames(fx.dbPath("reference.sqlite"));
    const deferred = indexNames(db);
    expect(deferred.length).to.be.below(full.length);
    expect(deferred).to.include.members(["ent_Job__id", "ent_Job_provider", "ent_Registration__id"]);
    const query = `{ jobs(block: { number: 40 }, where: { delta_gte: "0" }, orderBy: note, orderDirection: desc) { id note delta provider { name jobs(first: 2) { id } } } }`;
    const partial = QueryEngine.open(db);
    const complete = QueryEngine.open(fx.dbPath("reference.sqlite"));
    const answer = await partial.executeQuery(query);
    expect(answer.errors).to.equal(undefined);
    expect((answer.data as { jobs: unknown[] }).jobs).to.not.be.empty;
    expect(answer).to.deep.equal(await complete.executeQuery(query));
    partial.close();
    complete.close();

    const second = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    expect(second.status().checkpoint!.number).to.equal(40);
    await second.syncOnce();
    await second.close();
    expect(dumpDatabase(db)).to.deep.equal(reference);
    expect(indexNames(db)).to.deep.equal(full);
  });

  it("retries a pass whose commit failed from the checkpoint, with nothing of the lost blocks left in memory: identical to an uninterrupted run", async function () {
    const db = fx.dbPath("failed-commit.sqlite");
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, maxBlockRange: 10, initialBlockRange: 10 });
    // The third range's commit fails, as SQLITE_BUSY or a full disk would: its ten blocks are rolled back.
    const setCheckpoint = indexer.db.setCheckpoint.bind(indexer.db);
    let commits = 0;
    indexer.db.setCheckpoint = (pointer) => {
      if (++commits === 3) throw new Error("disk I/O error (injected)");
      setCheckpoint(pointer);
    };
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect((error as Error).message).to.equal("disk I/O error (injected)");
    expect(indexer.status().checkpoint!.number).to.equal(20);
    // What run() does after a failed pass: another one, from the checkpoint.
    expect((await indexer.syncOnce()).checkpoint!.number).to.equal(head);
    await indexer.close();
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  it("reports a full disk as such, and once there is room again indexes on to a database identical to an uninterrupted run", async function () {
    const db = fx.dbPath("disk-full.sqlite");
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, maxBlockRange: 10, initialBlockRange: 10 });
    // A database that may grow by 20 pages only: SQLite fails a write with SQLITE_FULL and rolls the transaction back.
    const pages = indexer.db.db.pragma("page_count", { simple: true }) as number;
    indexer.db.db.pragma(`max_page_count = ${pages + 20}`);
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal("SQLITE_FULL");
    expect((error as Error).message).to.equal("database or disk is full");
    expect(indexer.status().checkpoint!.number).to.be.below(head);
    indexer.db.db.pragma("max_page_count = 1073741823");
    expect((await indexer.syncOnce()).checkpoint!.number).to.equal(head);
    await indexer.close();
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  it("retries a pass in which SQLite failed a mapping's store.get, instead of failing the subgraph: identical to an uninterrupted run", async function () {
    const db = fx.dbPath("failed-read.sqlite");
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, maxBlockRange: 10, initialBlockRange: 10 });
    const failed: unknown[] = [];
    indexer.on("failed", (fatal) => failed.push(fatal));
    // The mappings' 30th entity load fails as a disk read error would: nothing the mapping did, and nothing that another
    // try would do again.
    const get = EntityCache.prototype.get;
    let loads = 0;
    EntityCache.prototype.get = function (this: EntityCache, typeName: string, id: string) {
      if (++loads === 30) throw new Database.SqliteError("disk I/O error", "SQLITE_IOERR_READ");
      return get.call(this, typeName, id);
    };
    let error: unknown;
    try {
      error = await indexer.syncOnce().catch((e: unknown) => e);
    } finally {
      EntityCache.prototype.get = get;
    }
    expect(error).to.be.instanceOf(Database.SqliteError);
    expect((error as { code?: string }).code).to.equal("SQLITE_IOERR_READ");
    expect(indexer.status().fatalError).to.equal(null);
    expect(indexer.db.fatalError()).to.equal(null);
    expect(indexer.status().checkpoint!.number).to.be.below(head);
    expect((await indexer.syncOnce()).checkpoint!.number).to.equal(head);
    expect(failed).to.deep.equal([]);
    await indexer.close();
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  it("refuses to write over another indexer's progress on the same database, then goes on from it", async function () {
    const db = fx.dbPath("two-indexers.sqlite");
    const first = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    // Without its lock, which would refuse it (see "refuses a second indexer..."): the check behind the lock.
    const second = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, lock: false });
    const start = second.status().checkpoint!.number;
    expect((await first.syncOnce({ toBlock: 40 })).checkpoint!.number).to.equal(40);
    const error = await second.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConcurrentIndexerError);
    expect(error).to.include({ database: db, expected: start, found: 40 });
    expect((error as Error).message).to.equal(`another indexer is writing to ${db}: its checkpoint is block 40, where this indexer left block ${start}`);
    await first.close();
    // Its next pass starts where the first indexer stopped, and ends as an uninterrupted run does.
    const progress: number[] = [];
    second.on("progress", (p: ProgressEvent) => progress.push(p.checkpoint.number));
    expect((await second.syncOnce()).checkpoint!.number).to.equal(head);
    expect(progress[0]).to.be.above(40);
    await second.close();
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  it("builds the query indexes once the pass ends in the reorg window, not while it processes the window", async function () {
    const db = fx.dbPath("window.sqlite");
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, reorgThreshold: 40, maxBlockRange: 5, initialBlockRange: 5 });
    const inWindow: number[] = [];
    indexer.on("progress", (p: ProgressEvent) => {
      if (p.checkpoint.number > head - 40) inWindow.push(indexNames(db).length);
    });
    await indexer.syncOnce();
    await indexer.close();
    const full = indexNames(fx.dbPath("reference.sqlite")).length;
    expect(inWindow.length, "commits within the window").to.be.above(2);
    expect(inWindow.every((n) => n < full), `index counts ${inWindow.join(", ")}`).to.equal(true);
    expect(indexNames(db)).to.deep.equal(indexNames(fx.dbPath("reference.sqlite")));
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  /** The CLI indexing `db` in a child process, once it has the database open. */
  async function childIndexer(db: string): Promise<ChildProcess> {
    const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", db, "--subgraph", fx.buildDir, "--poll-ms", "50", "--quiet"]);
    children.push(child);
    const output = collectOutput(child);
    await new Promise<void>((resolve, reject) => {
      // After collectOutput's own listener: `output.stdout` already holds the chunk.
      child.stdout!.on("data", () => {
        if (output.stdout.includes(`into ${db}`)) resolve();
      });
      void output.exited.then((code) => reject(new Error(`the child exited (${code}) before it opened ${db}`)));
    });
    return child;
  }

  it("refuses a second indexer on a database another process indexes, naming the file and that process; reads go on", async function () {
    const db = fx.dbPath("locked.sqlite");
    const child = await childIndexer(db);
    const error = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DatabaseInUseError);
    expect(error).to.include({ database: db, lockFile: `${db}.lock`, pid: child.pid });
    expect((error as Error).message).to.equal(
      `${db} is being indexed by another indexer (pid ${child.pid}), which holds ${db}.lock: stop it, or index into another file`,
    );
    // The lock is not the database's: this process reads it (WAL) while the child writes.
    await waitUntilIndexedTo(db, head);
    const engine = QueryEngine.open(db);
    try {
      expect(await engine.executeQuery(`{ _meta { block { number } } providers(orderBy: name) { name } }`)).to.deep.equal({
        data: { _meta: { block: { number: head } }, providers: [{ name: "alpha" }, { name: "beta" }] },
      });
    } finally {
      engine.close();
    }
  });

  it("opens a database whose indexer was killed with kill -9 while it held it", async function () {
    const db = fx.dbPath("lock-holder-killed.sqlite");
    const child = await childIndexer(db);
    child.kill("SIGKILL");
    await exited(child);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    await indexer.syncOnce();
    await indexer.close();
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  it("refuses a second indexer on a database this process indexes until the first one closes", async function () {
    const db = fx.dbPath("locked-here.sqlite");
    const first = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    const error = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DatabaseInUseError);
    expect((error as Error).message).to.equal(
      `${db} is being indexed by another indexer in this process (pid ${process.pid}), which holds ${db}.lock: stop it, or index into another file`,
    );
    await first.close();
    const second = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    await second.close();
  });

  it("survives kill -9 of a child indexer at an arbitrary moment and resumes to an identical database", async function () {
    const db = fx.dbPath("killed.sqlite");
    // Small ranges and a rate limit keep the child busy for a few seconds.
    const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", db, "--subgraph", fx.buildDir, "--max-range", "2", "--rps", "40", "--reorg-threshold", "0", "--poll-ms", "100", "--quiet"]);
    children.push(child);
    const output = collectOutput(child);
    await waitUntil(
      () => {
        if (child.exitCode !== null) throw new Error(`the child exited early (${child.exitCode}): ${output.stderr}`);
        return (checkpointOf(db) ?? -1) >= 30;
      },
      "the child indexed block 30",
      { timeoutMs: 60_000, intervalMs: 25 },
    );
    child.kill("SIGKILL");
    await output.exited;

    const afterKill = dumpDatabase(db);
    const checkpoint = (afterKill.checkpoint as { number: number }).number;
    expect(checkpoint, "killed mid-sync").to.be.below(head);
    // At a block boundary: nothing above the committed checkpoint, and SQLite is intact.
    for (const rows of Object.values(afterKill.tables)) {
      for (const row of rows as Array<{ __from: string }>) expect(Number(row.__from)).to.be.at.most(checkpoint);
    }
    const check = new Database(db, { readonly: true });
    expect(check.pragma("integrity_check", { simple: true })).to.equal("ok");
    check.close();

    const resumed = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    await resumed.syncOnce();
    await resumed.close();
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  it("runs from the CLI: prints progress as `block N / head H (lag L) | x blocks/s | y events/s | z events`, and nothing with --quiet", async function () {
    const run = async (extra: string[]): Promise<string> => {
      const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", fx.dbPath(`progress-${extra.length}.sqlite`), "--subgraph", fx.buildDir, "--once", ...extra]);
      children.push(child);
      const output = collectOutput(child);
      expect(await output.exited).to.equal(0);
      return output.stdout;
    };
    const progress = /^block \d+ \/ head (\d+) \(lag \d+\) \| \d+\.\d blocks\/s \| \d+\.\d events\/s \| \d+ events$/m;
    expect(progress.exec(await run([]))?.[1]).to.equal(String(head));
    expect(await run(["--quiet"])).not.to.match(/^block /m);
  });

  it("run() reports a failed pass as a retry event and carries on once the RPC answers again", async function () {
    let down = false;
    let refused = 0;
    // An EIP-1193 provider over the fixture's chain that can be taken down.
    const rpc = {
      async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
        if (down) {
          refused++;
          throw new Error("connect ECONNREFUSED (the node is down)");
        }
        const response = await fetch(fx.chain.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
        });
        const body = (await response.json()) as { result?: unknown; error?: { message: string } };
        if (body.error !== undefined) throw new Error(body.error.message);
        return body.result;
      },
    };
    // Only names an event that never comes: the whole test took 9.1 s at load average 28, where the 15 s this gave the
    // sync from block 0 after the outage was less than twice that.
    const within = <T>(promise: Promise<T>, what: string): Promise<T> =>
      Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} event within 90 s`)), 90_000).unref())]);
    const db = fx.dbPath("retry.sqlite");
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc, db, pollIntervalMs: 20 });
    try {
      down = true;
      const retried = new Promise<unknown>((resolve) => indexer.once("retry", resolve));
      void indexer.run();
      expect(await within(retried, "retry")).to.be.instanceOf(Error).with.property("message").that.contains("ECONNREFUSED");
      expect(indexer.status().checkpoint?.number ?? -1).to.be.below(head);
      const synced = new Promise<void>((resolve) => indexer.once("synced", () => resolve()));
      down = false;
      await within(synced, "synced");
      expect(refused).to.be.greaterThan(0);
      expect(indexer.status()).to.include({ failed: false, synced: true });
    } finally {
      await indexer.close();
    }
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  /**
   * run() over the test chain whose eth_blockNumber fails as `script` says, one entry per pass: the clock (ms after the
   * start) when it fails and the node's error; the clock reads 70 s once the script is done and the pass succeeds.
   * The `indexing pass` lines it logged until it synced, and the `retry` events it emitted.
   */
  async function passFailureLines(db: string, script: Array<[number, string]>): Promise<{ lines: string[]; retries: number }> {
    const start = 1_000_000;
    let clock = start;
    let armed = false;
    const rpc = {
      async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
        if (armed && method === "eth_blockNumber") {
          const failure = script.shift();
          clock = start + (failure?.[0] ?? 70_000);
          if (failure !== undefined) throw new Error(failure[1]);
        }
        return fx.chain.provider.request({ method, params });
      },
    };
    const logs: IndexerLogRecord[] = [];
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc, db: fx.dbPath(db), pollIntervalMs: 1, now: () => clock, logger: (record) => logs.push(record) });
    let retries = 0;
    indexer.on("retry", () => retries++);
    try {
      armed = true;
      const synced = new Promise<void>((resolve) => indexer.once("synced", () => resolve()));
      void indexer.run();
      await synced;
    } finally {
      await indexer.close();
    }
    return { lines: logs.filter((l) => l.message.startsWith("indexing pass")).map((l) => `${l.level}: ${l.message}`), retries };
  }

  it("run() logs a failing pass once, again only for another error or a minute later with the count, and the recovery", async function () {
    const refused = "connect ECONNREFUSED";
    const unavailable = "HTTP 503 upstream unavailable";
    // Each pass asks for the head first: with the node failing, that is its one request.
    const { lines, retries } = await passFailureLines("failure-log.sqlite", [
      [0, refused],
      [1_000, refused],
      [2_000, refused],
      [59_000, refused],
      [61_000, refused],
      [62_000, refused],
      [63_000, unavailable],
      [64_000, unavailable],
    ]);
    expect(retries).to.equal(8);
    expect(lines).to.deep.equal([
      `error: indexing pass failed, retrying: eth_blockNumber failed: ${refused}`,
      `error: indexing pass still failing, 4 failed passes in 61 s, retrying: eth_blockNumber failed: ${refused}`,
      `error: indexing pass failed, retrying: eth_blockNumber failed: ${unavailable} (the previous error failed 1 more pass after it was logged)`,
      `info: indexing pass succeeded after 8 failed passes in 70 s: indexing resumes`,
    ]);
  });

  it("run() logs two errors that alternate at every pass once each a minute, not at every change", async function () {
    // The two ways a node's closed connection reaches fetch, one at one pass and the other at the next.
    const closed = "fetch failed: other side closed";
    const reset = "fetch failed: read ECONNRESET";
    const { lines } = await passFailureLines("alternating-failures.sqlite", [
      [0, closed],
      [1_000, reset],
      [2_000, closed],
      [3_000, reset],
      [4_000, closed],
      [61_000, closed],
      [62_000, reset],
      [63_000, closed],
    ]);
    expect(lines).to.deep.equal([
      `error: indexing pass failed, retrying: eth_blockNumber failed: ${closed}`,
      `error: indexing pass failed, retrying: eth_blockNumber failed: ${reset}`,
      `error: indexing pass still failing, 3 failed passes in 61 s, retrying: eth_blockNumber failed: ${closed}`,
      `error: indexing pass failed, retrying: eth_blockNumber failed: ${reset}`,
      `info: indexing pass succeeded after 8 failed passes in 70 s: indexing resumes`,
    ]);
  });

  /** The `indexing pass failed` lines of run() over `rpc` until it has synced, `arm` called once the open is done. */
  /** The lines a failing pass logged, and the errors of its `retry` events. */
  /** A caller's own transport over the test chain whose next eth_blockNumber after arm() fails with `error()`. */
  function ownTransportFailingOnce(error: () => Error): { transport: RpcTransport; arm: () => void } {
    let armed = false;
    const node = new Eip1193Rpc(fx.chain.provider);
    const transport: RpcTransport = {
      description: "a caller's transport",
      request: <T>(method: string, params: readonly unknown[], options?: RequestOptions): Promise<T> => {
        if (armed && method === "eth_blockNumber") {
          armed = false;
          return Promise.reject(error());
        }
        return node.request<T>(method, params, options);
      },
      batch: <T>(calls: readonly RpcCall[], options?: RequestOptions): Promise<T[]> => node.batch<T>(calls, options),
    };
    return { transport, arm: () => (armed = true) };
  }

  async function failedPasses(rpc: IndexerOptions["rpc"], db: string, arm: () => void): Promise<{ lines: string[]; retries: unknown[] }> {
    const logs: IndexerLogRecord[] = [];
    const retries: unknown[] = [];
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc, db: fx.dbPath(db), pollIntervalMs: 1, logger: (record) => logs.push(record) });
    indexer.on("retry", (error: unknown) => retries.push(error));
    try {
      arm();
      const synced = new Promise<void>((resolve) => indexer.once("synced", () => resolve()));
      void indexer.run();
      await synced;
    } finally {
      await indexer.close();
    }
    return { lines: logs.filter((l) => l.message.startsWith("indexing pass failed")).map((l) => l.message), retries };
  }

  it("run() logs a failing pass whose error quotes the node's answer with every URL in it cut", async function () {
    // A node or a proxy that fills a block's field with its upstream's URL: a MalformedAnswerError quotes the value (V8's
    // BigInt error, which it was before, quoted it whole).
    let armed = false;
    const rpc = {
      async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
        const answer = await fx.chain.provider.request({ method, params });
        if (!armed || method !== "eth_getBlockByNumber" || answer === null) return answer;
        armed = false;
        return { ...(answer as Record<string, unknown>), gasUsed: "https://upstream.example/v3/SECRETKEY" };
      },
    };
    const { lines: failed } = await failedPasses(rpc, "quoted-answer.sqlite", () => (armed = true));
    expect(failed).to.deep.equal([
      `indexing pass failed, retrying: eth_getBlockByNumber's answer is malformed: block 0x0 .gasUsed is "https://upstream.example/…", expected a hex quantity`,
    ]);
  });

  it("run() logs a failing pass whose error is no RpcError (a caller's own transport's) with every URL in it cut", async function () {
    // A transport passed in ready-made throws what it likes: its errors have been through no redaction of the indexer's.
    const { transport, arm } = ownTransportFailingOnce(() => new Error("upstream https://upstream.example/v3/SECRETKEY refused the request"));
    const { lines: failed } = await failedPasses(transport, "own-transport.sqlite", arm);
    expect(failed).to.deep.equal(["indexing pass failed, retrying: upstream https://upstream.example/… refused the request"]);
  });

  it("run() emits `retry` with a failing pass's error of its class, its cause chain kept, every URL in them cut", async function () {
    // A caller's transport's own error class, whose message and cause (a client's error with the request's URL) name
    // the node's URL with its key: what a listener's logger prints of the event's error (util.inspect) must not.
    class UpstreamError extends Error {}
    const { transport, arm } = ownTransportFailingOnce(() => {
      const cause = Object.assign(new TypeError("fetch failed"), { code: "ECONNRESET", url: "https://user:secret@node.example/v2/SECRETKEY?key=SECRETQUERY" });
      return new UpstreamError("upstream https://upstream.example/v3/SECRETKEY refused the request", { cause });
    });
    const { retries } = await failedPasses(transport, "own-transport-retry.sqlite", arm);
    expect(retries).to.have.length(1);
    const retried = retries[0] as UpstreamError;
    expect(retried).to.be.instanceOf(UpstreamError);
    expect(retried.cause).to.be.instanceOf(TypeError).and.include({ code: "ECONNRESET", url: "https://node.example/…" });
    expect(inspect(retried, { depth: 10 })).to.include("upstream https://upstream.example/… refused").and.not.match(/user:secret|SECRETKEY|SECRETQUERY/);
  });

  it("run() emits `retry` with the failed passes in a row, counted from 1 again after a pass that succeeds, and the wait before the next pass", async function () {
    // Each eth_blockNumber (a pass's first request) fails with the next of these while there is one.
    const failures: Error[] = [];
    const rpc = {
      async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
        const failure = method === "eth_blockNumber" ? failures.shift() : undefined;
        if (failure !== undefined) throw failure;
        return fx.chain.provider.request({ method, params });
      },
    };
    const limited = (): Error => Object.assign(new Error("project ID request rate exceeded"), { code: -32005, data: { rate: { backoff_seconds: 0.05 } } });
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc, db: fx.dbPath("retry-count.sqlite"), pollIntervalMs: 1 });
    const retries: RetryEvent[] = [];
    indexer.on("retry", (_error: unknown, retry: RetryEvent) => retries.push(retry));
    try {
      failures.push(limited(), new Error("connect ECONNREFUSED"));
      const synced = new Promise<void>((resolve) => indexer.once("synced", () => resolve()));
      void indexer.run();
      await synced;
      failures.push(new Error("connect ECONNREFUSED"));
      await waitUntil(() => retries.length === 3, "a failed pass after the one that succeeded");
    } finally {
      await indexer.close();
    }
    expect(retries).to.deep.equal([
      { attempt: 1, delayMs: 50 },
      { attempt: 2, delayMs: 1 },
      { attempt: 1, delayMs: 1 },
    ]);
  });

  it("run() waits what a rate-limited node asks for, or a doubling backoff, before the next pass; stop() cuts the wait short", async function () {
    this.timeout(30_000);
    // Infura's -32005 answers, with and without backoff_seconds; the last asks for a minute, which stop() must not wait.
    const limits = [
      { code: -32005, message: "project ID request rate exceeded", data: { rate: { backoff_seconds: 0.05 } } },
      { code: -32005, message: "daily request count exceeded, request rate limited" },
      { code: -32005, message: "daily request count exceeded, request rate limited", data: { rate: { backoff_seconds: 60 } } },
    ];
    let armed = false;
    const rpc = {
      async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
        const limit = armed && method === "eth_blockNumber" ? limits.shift() : undefined;
        if (limit !== undefined) throw Object.assign(new Error(limit.message), { code: limit.code, data: limit.data });
        return fx.chain.provider.request({ method, params });
      },
    };
    const logs: IndexerLogRecord[] = [];
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc, db: fx.dbPath("rate-limited.sqlite"), pollIntervalMs: 1, logger: (r) => logs.push(r) });
    try {
      armed = true;
      let retries = 0;
      const third = new Promise<void>((resolve) => indexer.on("retry", () => ++retries === 3 && resolve()));
      void indexer.run();
      await third;
      await indexer.stop();
    } finally {
      await indexer.close();
    }
    // The second names no wait: 250 ms doubled, as it is the second refusal in a row.
    expect(logs.filter((l) => l.message.startsWith("rate limited")).map((l) => l.message)).to.deep.equal([
      "rate limited: the next pass in 50 ms",
      "rate limited: the next pass in 500 ms",
      "rate limited: the next pass in 60000 ms",
    ]);
  });

  it("run() waits what an HTTP 503's Retry-After asks for, when longer than the transport waits, before the next pass", async function () {
    this.timeout(30_000);
    // A node behind a proxy that answers its first eth_blockNumber with 503 and Retry-After: 30 (a maintenance window).
    let refusals = 0;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        if (refusals === 0 && body.includes('"eth_blockNumber"')) {
          refusals++;
          res.writeHead(503, { "content-type": "text/plain", "retry-after": "30" }).end("maintenance");
          return;
        }
        void fetch(fx.chain.url, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (r) => {
          res.writeHead(200, { "content-type": "application/json" }).end(await r.text());
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const logs: IndexerLogRecord[] = [];
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: url, db: fx.dbPath("unavailable.sqlite"), pollIntervalMs: 1, logger: (r) => logs.push(r) });
    try {
      const retried = new Promise<void>((resolve) => indexer.once("retry", () => resolve()));
      void indexer.run();
      await retried;
      await indexer.stop();
    } finally {
      await indexer.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
    expect(logs.filter((l) => l.message.startsWith("unavailable")).map((l) => l.message)).to.deep.equal(["unavailable: the next pass in 30000 ms"]);
  });

  /**
   * An indexer whose every request is held by a 429's Retry-After: 60, on a transport clock that only the test moves, in
   * `how` (run, or one syncOnce pass); stopped while the hold is on. Resolves with the fake clock when stop() resolved
   * (0: before the hold's end), the pass's outcome, what was logged and emitted, and the checkpoint before the hold.
   */
  async function stopHeld(how: "run" | "syncOnce", db: string) {
    let armed = false;
    // In front of the chain: once armed, refuses everything for a minute.
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (armed) {
          res.writeHead(429, { "content-type": "text/plain", "retry-after": "60" }).end("Too Many Requests");
          return;
        }
        const body = Buffer.concat(chunks).toString();
        void fetch(fx.chain.url, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (r) => {
          res.writeHead(200, { "content-type": "application/json" }).end(await r.text());
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const sleepers: Array<() => void> = [];
    const time = { clock: 0 };
    // Unlimited for good: a rate started by the 429 would space requests on the fake clock too.
    const rpc = new HttpRpc(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, {
      maxRequestsPerSecond: 0,
      now: () => time.clock,
      sleep: () => new Promise<void>((wake) => sleepers.push(wake)),
    });
    const logs: IndexerLogRecord[] = [];
    const retries: unknown[] = [];
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc, db, pollIntervalMs: 1, logger: (r) => logs.push(r) });
    try {
      const before = (await indexer.syncOnce({ toBlock: 40 })).checkpoint!.number;
      armed = true;
      expect(await rpc.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      indexer.on("retry", (error: unknown) => retries.push(error));
      const pass: Promise<IndexerStatus | void> = how === "run" ? indexer.run() : indexer.syncOnce();
      await waitUntil(() => sleepers.length > 0, "the pass's first request waits in the hold", { intervalMs: 1 });
      let stoppedAt: number | null = null;
      const stopped = indexer.stop().then(() => (stoppedAt = time.clock));
      try {
        // The hold ends only when the test ends it: a stop that waits it out never ends. The bound only turns that
        // hang into a failure, on however loaded a machine.
        await waitUntil(() => stoppedAt !== null, "stop() ends while the hold is on", { timeoutMs: 60_000 });
      } finally {
        // Ends the hold for the close, the stop having ended or not.
        time.clock = 60_000;
        for (const wake of sleepers.splice(0)) wake();
      }
      await stopped;
      const outcome = await pass.catch((e: unknown) => e);
      return { stoppedAt, outcome, logs, retries, before, status: indexer.status() };
    } finally {
      await indexer.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  }

  it("stop() ends run() while a 429's Retry-After: 60 holds its transport, without waiting it out: no retry, no error, not failed", async function () {
    this.timeout(120_000);
    const { stoppedAt, outcome, logs, retries, before, status } = await stopHeld("run", fx.dbPath("held-run.sqlite"));
    // Resolved on a clock still at 0: the hold was not waited out.
    expect(stoppedAt).to.equal(0);
    expect(outcome).to.equal(undefined);
    expect(retries).to.deep.equal([]);
    expect(logs.filter((l) => l.level === "error" || l.level === "critical")).to.deep.equal([]);
    expect(status.failed).to.equal(false);
    expect(status.checkpoint!.number).to.equal(before);
  });

  it("stop() ends a syncOnce pass while a 429's Retry-After: 60 holds its transport, without waiting it out; opened again, it resumes from the checkpoint", async function () {
    this.timeout(120_000);
    const db = fx.dbPath("held-once.sqlite");
    const { stoppedAt, outcome, before } = await stopHeld("syncOnce", db);
    expect(stoppedAt).to.equal(0);
    // The pass resolves with the status, as one stopped between two blocks does: the CLI's --once reports it.
    expect((outcome as IndexerStatus).failed).to.equal(false);
    expect((outcome as IndexerStatus).checkpoint!.number).to.equal(before);
    const again = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    try {
      expect(again.status().checkpoint!.number).to.equal(before);
      expect((await again.syncOnce()).checkpoint!.number).to.equal(head);
    } finally {
      await again.close();
    }
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });

  it("runs from the CLI: --once indexes to the head, reports the final block and exits 0", async function () {
    const db = fx.dbPath("cli.sqlite");
    const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", db, "--subgraph", fx.buildDir, "--once"]);
    children.push(child);
    const output = collectOutput(child);
    expect(await output.exited).to.equal(0);
    expect(output.stdout).to.match(/^indexing .+ from http:\/\/127\.0\.0\.1:\d+ into .+ \(deployment Qm\w+\)$/m);
    expect(output.stdout).to.include(`done: block ${head}`);
    expect(dumpDatabase(db)).to.deep.equal(reference);
  });
});
