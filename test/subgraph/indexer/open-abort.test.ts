// A stop asked for while the indexer opens (Indexer.open's signal; the worker thread's stop): the open's reads are
// given up at once, however long the node holds them, and nothing it opened stays open.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  HttpRpc,
  Indexer,
  IndexerWorker,
  OpenAbortedError,
  RateLimitedError,
  StoppedError,
  startIndexerWorker,
  type IndexerLogRecord,
} from "../../../subgraph/indexer";
import { WriterLock } from "../../../subgraph/indexer/store/writer-lock";
import { waitUntil } from "../../helpers/wait";
import { FAKE_GENESIS, startFakeNode, type Answer, type FakeNode } from "./helpers/fake-node";
import { probeBuildDir } from "./helpers/probe";

/** Takes and releases the writer lock of `db`: throws DatabaseInUseError while an indexer holds it. */
function takeLock(db: string): void {
  WriterLock.acquire(db).release();
}

describe("embedded indexer: a stop while it opens", function () {
  let subgraph: string;
  let tmp: string;
  const nodes: FakeNode[] = [];

  before(async function () {
    subgraph = await probeBuildDir();
    tmp = mkdtempSync(path.join(os.tmpdir(), "latent-open-abort-"));
  });

  after(async function () {
    for (const node of nodes) await node.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function node(answer: (method: string, nth: number) => Answer): Promise<FakeNode> {
    const started = await startFakeNode(answer);
    nodes.push(started);
    return started;
  }

  it("Indexer.open held by a 429's Retry-After: 60 on eth_chainId rejects with OpenAbortedError when its signal is aborted, without waiting the hold out, the lock released", async function () {
    this.timeout(120_000);
    const rateLimited = await node(() => "rate-limited");
    const sleepers: Array<() => void> = [];
    const time = { clock: 0 };
    // A transport clock only the test moves: the hold ends only if the test ends it.
    const rpc = new HttpRpc(rateLimited.url, {
      maxRequestsPerSecond: 0,
      now: () => time.clock,
      sleep: () => new Promise<void>((wake) => sleepers.push(wake)),
    });
    const db = path.join(tmp, "held.sqlite");
    // Refused at once; the Retry-After now holds the transport's next request, the next open's eth_chainId.
    expect(await Indexer.open({ subgraph, rpc, db }).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
    const controller = new AbortController();
    const opening = Indexer.open({ subgraph, rpc, db }, { signal: controller.signal }).catch((e: unknown) => e);
    await waitUntil(() => sleepers.length > 0, "the open's eth_chainId waits in the hold");
    let settled = false;
    void opening.then(() => (settled = true));
    controller.abort();
    try {
      // The hold ends only when the test ends it: an open that waits it out never ends. The bound only turns that
      // hang into a failure, on however loaded a machine.
      await waitUntil(() => settled, "the open ends while the hold is on", { timeoutMs: 60_000 });
    } finally {
      // Ends the hold, so that an open that waits it out ends too.
      time.clock = 60_000;
      for (const wake of sleepers.splice(0)) wake();
    }
    const error = await opening;
    expect(error).to.be.instanceOf(OpenAbortedError);
    expect(error).to.be.instanceOf(StoppedError);
    // The held eth_chainId was never sent.
    expect(rateLimited.methods).to.deep.equal(["eth_chainId"]);
    expect(() => takeLock(db)).to.not.throw();
  });

  it("Indexer.open whose node does not answer the first checkpoint's read rejects with OpenAbortedError when aborted, the lock of the database it created released", async function () {
    this.timeout(30_000);
    const silent = await node((method, nth) =>
      method === "eth_chainId" ? { result: "0x7a69" } : nth === 1 ? { result: FAKE_GENESIS } : "no-answer",
    );
    const db = path.join(tmp, "first-checkpoint.sqlite");
    const controller = new AbortController();
    const opening = Indexer.open({ subgraph, rpc: silent.url, db, rpcTimeoutMs: 600_000 }, { signal: controller.signal }).catch((e: unknown) => e);
    await waitUntil(() => silent.methods.length === 3, "the open asks for its first checkpoint");
    controller.abort();
    expect(await opening).to.be.instanceOf(OpenAbortedError);
    expect(existsSync(db), "the database was created").to.equal(true);
    expect(() => takeLock(db)).to.not.throw();
    // Closed: another indexer opens it and finds no checkpoint committed.
    const again = await Indexer.open({ subgraph, rpc: silent.url, db, rpcTimeoutMs: 600_000 }, { signal: AbortSignal.abort() }).catch(
      (e: unknown) => e,
    );
    expect(again).to.be.instanceOf(OpenAbortedError);
  });

  it("Indexer.open given an aborted signal rejects with OpenAbortedError before it asks the node anything", async function () {
    const untouched = await node(() => "no-answer");
    const db = path.join(tmp, "aborted-before.sqlite");
    const error = await Indexer.open({ subgraph, rpc: untouched.url, db }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OpenAbortedError);
    expect(untouched.methods).to.deep.equal([]);
    expect(existsSync(db)).to.equal(false);
  });

  it("the worker thread stopped while its open waits for a node that does not answer ends cleanly: exit 0, StoppedError, nothing logged as an error, the lock released", async function () {
    this.timeout(150_000);
    const silent = await node(() => "no-answer");
    const db = path.join(tmp, "worker.sqlite");
    const worker = new IndexerWorker({ subgraph, rpc: silent.url, db, rpcTimeoutMs: 600_000, logLevel: "debug" });
    const errors: Error[] = [];
    const logs: IndexerLogRecord[] = [];
    worker.on("error", (error) => errors.push(error));
    worker.on("log", (record) => logs.push(record));
    const exit = new Promise<number>((resolve) => worker.once("exit", resolve));
    await waitUntil(() => silent.methods.includes("eth_chainId"), "the thread's open asks for the chain id", { timeoutMs: 40_000 });
    // The handle terminates a thread that has not ended after this long: such a thread exits with code 1, not 0. The
    // node never answers and the request's timeout is 10 minutes: only a thread that waits its open out reaches the
    // bound, however loaded the machine.
    await worker.stop(60_000);
    expect(await exit).to.equal(0);
    expect(await worker.ready.catch((e: unknown) => e)).to.be.instanceOf(StoppedError);
    expect(errors).to.deep.equal([]);
    expect(logs.filter((l) => l.level === "error" || l.level === "critical")).to.deep.equal([]);
    expect(() => takeLock(db)).to.not.throw();
  });

  it("startIndexerWorker whose signal is aborted while the open waits for a node that does not answer rejects with StoppedError once the thread ended, the lock released", async function () {
    this.timeout(60_000);
    const silent = await node(() => "no-answer");
    const db = path.join(tmp, "start-signal.sqlite");
    const controller = new AbortController();
    const starting = startIndexerWorker({ subgraph, rpc: silent.url, db, rpcTimeoutMs: 600_000 }, { signal: controller.signal }).catch((e: unknown) => e);
    await waitUntil(() => silent.methods.includes("eth_chainId"), "the thread's open asks for the chain id", { timeoutMs: 40_000 });
    controller.abort();
    expect(await starting).to.be.instanceOf(StoppedError);
    // In this process: a thread still opening would hold it.
    expect(() => takeLock(db)).to.not.throw();
  });

  it("startIndexerWorker given an aborted signal rejects with StoppedError and starts no thread", async function () {
    const untouched = await node(() => "no-answer");
    const db = path.join(tmp, "start-aborted-before.sqlite");
    const error = await startIndexerWorker({ subgraph, rpc: untouched.url, db }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(StoppedError);
    expect(untouched.methods).to.deep.equal([]);
    expect(existsSync(db)).to.equal(false);
  });
});
