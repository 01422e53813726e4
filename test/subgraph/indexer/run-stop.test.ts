// run()'s loop stopped in a pass that follows failed ones: the stop ends the pass, which says nothing of the node's
// recovery. A transport that fails the passes the test asks for and then holds the next one makes it land there.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Indexer, type IndexerLogRecord, type RetryEvent } from "../../../subgraph/indexer";
import type { RequestOptions, RpcCall, RpcTransport } from "../../../subgraph/indexer/chain/rpc";
import { RpcAbortedError, RpcConnectionError } from "../../../subgraph/indexer/errors";
import { waitUntil } from "../../helpers/wait";
import { FAKE_GENESIS } from "./helpers/fake-node";
import { probeBuildDir } from "./helpers/probe";

/**
 * A node that opens the indexer (its chain id, genesis as the first checkpoint), refuses the head to the first
 * `failures` passes, and holds the next pass's until its signal is aborted.
 */
class FailingThenHeld implements RpcTransport {
  readonly description = "failing, then held";
  /** The eth_blockNumber requests so far: one a pass, as a pass that cannot read the head asks nothing more. */
  headsAsked = 0;

  constructor(private readonly failures: number) {}

  async request<T>(method: string, _params: readonly unknown[], options: RequestOptions = {}): Promise<T> {
    if (method === "eth_chainId") return "0x7a69" as T;
    if (method === "eth_getBlockByNumber") return FAKE_GENESIS as T;
    if (method !== "eth_blockNumber") throw new Error(`unexpected ${method}`);
    if (++this.headsAsked <= this.failures) throw new RpcConnectionError("eth_blockNumber failed: connect ECONNREFUSED", method);
    return new Promise<T>((_, reject) => {
      const abort = (): void => reject(new RpcAbortedError("eth_blockNumber was given up", method));
      if (options.signal?.aborted) abort();
      options.signal?.addEventListener("abort", abort, { once: true });
    });
  }

  async batch<T>(calls: readonly RpcCall[], options?: RequestOptions): Promise<T[]> {
    const results: T[] = [];
    for (const call of calls) results.push(await this.request<T>(call.method, call.params, options));
    return results;
  }
}

describe("embedded indexer: run() stopped after failed passes", function () {
  let subgraph: string;
  let tmp: string;

  before(async function () {
    subgraph = await probeBuildDir();
    tmp = mkdtempSync(path.join(os.tmpdir(), "latent-run-stop-"));
  });

  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("takes a pass stop() ended, after failed passes, for no recovery: no 'succeeded after' line", async function () {
    const rpc = new FailingThenHeld(3);
    const logs: IndexerLogRecord[] = [];
    // A clock that does not move: the failures repeat within PassFailures' interval, logged once.
    const indexer = await Indexer.open({ subgraph, rpc, db: path.join(tmp, "stopped.sqlite"), pollIntervalMs: 1, now: () => 0, logger: (r) => logs.push(r) });
    try {
      let retries = 0;
      indexer.on("retry", () => retries++);
      const running = indexer.run();
      await waitUntil(() => rpc.headsAsked === 4, "the pass after the failed ones asks for the head");
      await indexer.stop();
      await running;
      expect(retries).to.equal(3);
    } finally {
      await indexer.close();
    }
    expect(logs.filter((l) => l.message.startsWith("indexing pass")).map((l) => `${l.level}: ${l.message}`)).to.deep.equal([
      "error: indexing pass failed, retrying: eth_blockNumber failed: connect ECONNREFUSED",
    ]);
  });
});

describe("embedded indexer: its listeners", function () {
  let subgraph: string;
  let tmp: string;

  before(async function () {
    subgraph = await probeBuildDir();
    tmp = mkdtempSync(path.join(os.tmpdir(), "latent-listener-"));
  });

  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("goes on indexing after a retry listener throws, and logs what it threw", async function () {
    const rpc = new FailingThenHeld(2);
    const logs: IndexerLogRecord[] = [];
    const indexer = await Indexer.open({ subgraph, rpc, db: path.join(tmp, "listener.sqlite"), pollIntervalMs: 1, now: () => 0, logger: (r) => logs.push(r) });
    try {
      indexer.on("retry", () => {
        throw new Error("the listener broke");
      });
      let ended: string | null = null;
      const running = indexer.run().then(
        () => (ended = "resolved"),
        (error: Error) => (ended = `rejected: ${error.message}`),
      );
      // The pass after the two failed ones: the loop outlived both throws.
      await waitUntil(() => rpc.headsAsked === 3 || ended !== null, "the third pass asks for the head, or run() ends");
      expect(ended).to.equal(null);
      await indexer.stop();
      await running;
      expect(ended).to.equal("resolved");
    } finally {
      await indexer.close();
    }
    expect(logs.filter((l) => l.message.includes("listener")).map((l) => `${l.level}: ${l.message}`)).to.deep.equal([
      'error: a listener of the indexer\'s "retry" event threw: the listener broke',
      'error: a listener of the indexer\'s "retry" event threw: the listener broke',
    ]);
  });

  it("hears each event with its typed arguments (retry: the error and { attempt, delayMs }), and names no event it does not emit", async function () {
    const rpc = new FailingThenHeld(2);
    const indexer = await Indexer.open({ subgraph, rpc, db: path.join(tmp, "typed.sqlite"), pollIntervalMs: 7, now: () => 0 });
    try {
      const retries: RetryEvent[] = [];
      // Not annotated: the event map types the listener's arguments (tsc checks the lines below).
      indexer.on("retry", (_error, retry) => {
        // @ts-expect-error: delayMs is a number
        retry.delayMs satisfies string;
        retries.push(retry);
      });
      // @ts-expect-error: the indexer emits no "retrying" event
      indexer.on("retrying", () => undefined);
      const running = indexer.run();
      await waitUntil(() => rpc.headsAsked === 3, "the pass after the failed ones asks for the head");
      await indexer.stop();
      await running;
      expect(retries).to.deep.equal([
        { attempt: 1, delayMs: 7 },
        { attempt: 2, delayMs: 7 },
      ]);
    } finally {
      await indexer.close();
    }
  });
});
