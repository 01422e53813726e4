// The errors of the indexer's thread reach the caller of the worker API of the class the indexer threw them as, with
// their fields: a first start refused by the node is an RpcConnectionError, one on a database another indexer holds a
// DatabaseInUseError, as Indexer.open's are in-process; the DeploymentReplacedError run() ends with is the cause of the
// thread's death.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import type { LookupAddress } from "node:dns";
import net, { type LookupFunction } from "node:net";
import path from "node:path";
import { inspect } from "node:util";
import { expect } from "chai";
import * as errors from "../../../../subgraph/indexer/errors";
import {
  DatabaseInUseError,
  DeploymentReplacedError,
  Indexer,
  IndexerError,
  IndexerWorkerDiedError,
  RateLimitedError,
  RpcConnectionError,
  RpcError,
  startIndexerWorker,
} from "../../../../subgraph/indexer";
import {
  causeFromThread,
  errorFromThread,
  MAX_AGGREGATED_ERRORS,
  MAX_CAUSE_DEPTH,
  threadErrorData,
  type ThreadErrorData,
} from "../../../../subgraph/indexer/worker/thread-error";
import { closedPort } from "../../../helpers/closed-port";
import { sample } from "../helpers/probe";
import { useProbeFixture } from "../helpers/use-probe-fixture";

describe("embedded indexer: the worker thread's errors", function () {
  const fx = useProbeFixture();

  it("rejects a first start the node refused as Indexer.open does: an RpcConnectionError with its method", async function () {
    const options = { subgraph: fx.buildDir, rpc: `http://127.0.0.1:${await closedPort()}`, db: fx.dbPath("refused.sqlite") };
    const inProcess = await Indexer.open(options).catch((e: unknown) => e);
    expect(inProcess).to.be.instanceOf(RpcConnectionError);
    const error = await startIndexerWorker(options).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RpcConnectionError).and.instanceOf(RpcError).and.instanceOf(IndexerError);
    expect(error).to.include({ name: "RpcConnectionError", method: (inProcess as RpcConnectionError).method, message: `indexer worker: ${(inProcess as Error).message}` });
  });

  it("carries a thread error's cause chain across as Indexer.open has it: fetch's TypeError, then the ECONNREFUSED with its code, each with the thread's stack, and no URL's key", async function () {
    const options = { subgraph: fx.buildDir, rpc: `http://127.0.0.1:${await closedPort()}/v2/secret-key`, db: fx.dbPath("refused-cause.sqlite") };
    const inProcess = (await Indexer.open(options).catch((e: unknown) => e)) as Error;
    const error = (await startIndexerWorker(options).catch((e: unknown) => e)) as Error;
    expect(error).to.be.instanceOf(RpcConnectionError);
    expect(causes(error)).to.deep.equal(causes(inProcess));
    expect(causes(error).map((cause) => cause.code)).to.include("ECONNREFUSED");
    const fetchFailed = error.cause as Error;
    expect(fetchFailed).to.be.instanceOf(TypeError);
    // Where fetch threw it, in the thread: not where the calling thread re-created it.
    expect(fetchFailed.stack).to.match(/^TypeError: fetch failed\n\s+at /).and.include("rpc.ts").and.not.include("thread-error.ts");
    expect(inspect(error, { depth: null })).to.include("ECONNREFUSED").and.not.include("secret-key");
  });

  it("rejects a first start on a database another indexer holds with DatabaseInUseError: the database, its lock file and the holder's pid", async function () {
    const db = fx.dbPath("held.sqlite");
    const holder = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db });
    try {
      const error = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DatabaseInUseError);
      expect(error).to.include({ database: db, lockFile: `${db}.lock`, pid: process.pid });
    } finally {
      await holder.close();
    }
  });

  it("reports a thread that run()'s error ended with that error, of its class, as the cause of its IndexerWorkerDiedError", async function () {
    this.timeout(60_000);
    const db = fx.dbPath("reset.sqlite");
    const worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db, pollIntervalMs: 50 });
    try {
      const died = new Promise<Error>((resolve) => worker.once("error", resolve));
      // Read from the database: before the reset.
      const expected = worker.status().deployment;
      // Another build of the subgraph opens the database without the lock (which would refuse it), resetting it; the
      // thread's next pass with a block to write finds it another deployment's, and run() ends with that.
      const rebuilt = path.join(fx.tmpDir, "rebuilt");
      cpSync(fx.buildDir, rebuilt, { recursive: true });
      const manifest = path.join(rebuilt, "subgraph.yaml");
      writeFileSync(manifest, readFileSync(manifest, "utf8").replace("data: probe-context ✓", "data: rebuilt"));
      const other = await Indexer.open({ subgraph: rebuilt, rpc: fx.chain.url, db, lock: false });
      const found = other.deployment;
      await other.close();
      await sample(fx.probe, { key: "k", small: 1n, big: 2n, negative: -3n, blob: "0x01", flag: true, labels: ["after the reset"], count: 1 });
      const error = await died;
      expect(error).to.be.instanceOf(IndexerWorkerDiedError).and.include({ restartInMs: null });
      expect(error.cause).to.be.instanceOf(DeploymentReplacedError).and.include({ database: db, expected, found });
    } finally {
      await worker.stop();
    }
  });

  it("makes an error of errors.ts's class of what the thread posts, with its fields, and an IndexerError of any other", function () {
    const limited = errorFromThread(threadErrorData(new RateLimitedError("eth_getLogs: HTTP 429", "eth_getLogs", 429, 1000)), "indexer worker: eth_getLogs: HTTP 429");
    expect(limited).to.be.instanceOf(RateLimitedError);
    expect(limited).to.include({ method: "eth_getLogs", code: 429, retryAfterMs: 1000, message: "indexer worker: eth_getLogs: HTTP 429" });
    const library = Object.assign(new Error("database disk image is malformed"), { name: "SqliteError", code: "SQLITE_CORRUPT" });
    const other = errorFromThread(threadErrorData(library), "indexer worker: database disk image is malformed");
    expect(other.constructor).to.equal(IndexerError);
    expect(other.name).to.equal("IndexerError");
  });

  it("keeps a library's error the thread ended with as the cause of its IndexerError: its name, code, stack and own cause", function () {
    const library = Object.assign(new Error("database disk image is malformed", { cause: new RangeError("page 7 out of range") }), { name: "SqliteError", code: "SQLITE_CORRUPT" });
    const error = errorFromThread(threadErrorData(library), "indexer worker: database disk image is malformed");
    expect(error.cause).to.be.instanceOf(Error).and.include({ name: "SqliteError", message: "database disk image is malformed", code: "SQLITE_CORRUPT", stack: library.stack });
    expect((error.cause as Error).cause).to.be.instanceOf(RangeError).and.include({ message: "page 7 out of range" });
  });

  it("re-creates a cause of errors.ts's classes as its class, with its fields", function () {
    const unsupported = new errors.UnsupportedHostCallError("ethereum.call", "it needs the network");
    const handler = new errors.HandlerError(`handleJobCreated failed: ${unsupported.message}`, "handleJobCreated", "JobEscrow", 7, "0x07", null, null, { cause: unsupported });
    const error = errorFromThread(threadErrorData(handler), `indexer worker: ${handler.message}`);
    expect(error).to.be.instanceOf(errors.HandlerError).and.include({ handler: "handleJobCreated", blockNumber: 7 });
    expect(error.cause).to.be.instanceOf(errors.UnsupportedHostCallError).and.include({ call: "ethereum.call", message: unsupported.message, stack: unsupported.stack });
  });

  it("cuts every URL in the cause chain it posts: messages, stacks and fields", function () {
    const key = "https://eth-mainnet.example/v2/secret-key";
    const refused = Object.assign(new Error(`request to ${key} failed`), { url: key, code: "ECONNRESET" });
    const data = threadErrorData(new IndexerError("the pass failed", { cause: new TypeError(`fetch ${key}`, { cause: refused }) }));
    expect(JSON.stringify(data)).to.not.include("secret-key");
    expect(data.cause?.cause).to.deep.include({ name: "Error", message: "request to https://eth-mainnet.example/… failed" });
    expect(data.cause?.cause?.fields).to.deep.equal({ url: "https://eth-mainnet.example/…", code: "ECONNRESET" });
    expect(data.cause?.cause?.stack).to.match(/^Error: request to https:\/\/eth-mainnet\.example\/… failed\n/);
  });

  it("carries an AggregateError's errors across: a connect to a host's IPv6 and IPv4 addresses says why each failed", async function () {
    const port = await closedPort();
    // What Node's connect to a host name with both addresses fails with (fetch's cause, through undici).
    const refused = await new Promise<Error>((resolve) => {
      const lookup: LookupFunction = (_host, _options, callback) =>
        (callback as (error: null, addresses: LookupAddress[]) => void)(null, [
          { address: "::1", family: 6 },
          { address: "127.0.0.1", family: 4 },
        ]);
      net.connect({ host: "node.example", port, autoSelectFamily: true, lookup }).once("error", resolve);
    });
    expect(refused).to.be.instanceOf(AggregateError);
    const thrown = new RpcConnectionError("eth_chainId failed: fetch failed: ECONNREFUSED", "eth_chainId", undefined, { cause: new TypeError("fetch failed", { cause: refused }) });
    // Structured cloning, as postMessage does.
    const error = errorFromThread(structuredClone(threadErrorData(thrown)), `indexer worker: ${thrown.message}`);
    const aggregate = (error.cause as Error).cause as AggregateError;
    expect(aggregate).to.be.instanceOf(AggregateError).and.include({ code: "ECONNREFUSED", stack: refused.stack });
    expect(aggregate.errors.map((inner: Error) => ({ ...inner, message: inner.message, stack: inner.stack }))).to.deep.equal(
      (refused as AggregateError).errors.map((inner: Error) => ({ ...inner, message: inner.message, stack: inner.stack })),
    );
    expect(aggregate.errors.map((inner: NodeJS.ErrnoException) => inner.message)).to.deep.equal([`connect ECONNREFUSED ::1:${port}`, `connect ECONNREFUSED 127.0.0.1:${port}`]);
    expect(inspect(error, { depth: null })).to.include(`connect ECONNREFUSED ::1:${port}`).and.include(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it(`carries the first ${MAX_AGGREGATED_ERRORS} of an AggregateError's errors, each with every URL cut, and none of theirs`, function () {
    const key = "https://eth-mainnet.example/v2/secret-key";
    const inner = Array.from({ length: MAX_AGGREGATED_ERRORS + 2 }, (_, i) => new Error(`attempt ${i} at ${key} failed`));
    const nested = new AggregateError([new Error("below the nested one")], "nested");
    const data = threadErrorData(new AggregateError([nested, ...inner], "every attempt failed"));
    expect(JSON.stringify(data)).to.not.include("secret-key");
    const error = causeFromThread(structuredClone(data)) as AggregateError;
    expect(error).to.be.instanceOf(AggregateError).and.include({ message: "every attempt failed" });
    expect(error.errors.map((e: Error) => e.message)).to.deep.equal([
      "nested",
      ...inner.slice(0, MAX_AGGREGATED_ERRORS - 1).map((_, i) => `attempt ${i} at https://eth-mainnet.example/… failed`),
    ]);
    expect(error.errors[0]).to.be.instanceOf(AggregateError);
    expect((error.errors[0] as AggregateError).errors).to.deep.equal([]);
  });

  it(`posts at most ${MAX_CAUSE_DEPTH} causes below an error: a cycle of causes ends`, function () {
    const looped = new IndexerError("looped");
    looped.cause = looped;
    let depth = 0;
    for (let data: ThreadErrorData | undefined = threadErrorData(looped).cause; data !== undefined; data = data.cause) depth++;
    expect(depth).to.equal(MAX_CAUSE_DEPTH);
    expect(causes(errorFromThread(threadErrorData(looped), "indexer worker: looped"))).to.have.lengthOf(MAX_CAUSE_DEPTH);
  });
});

/** The name, message and code of each cause below `error`, top down. */
function causes(error: Error): Array<{ name: string; message: string; code: unknown }> {
  const found: Array<{ name: string; message: string; code: unknown }> = [];
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) found.push({ name: cause.name, message: cause.message, code: (cause as NodeJS.ErrnoException).code });
  return found;
}
