// Chain reorganisations and the fetch layer: a replaced branch is rolled back to the common ancestor and
// re-indexed, so that the database equals a fresh index of the new branch; eth_getLogs ranges adapt to nodes that
// refuse large ones; data from two forks is never mixed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Indexer, type IndexerLogRecord, type ReorgEvent } from "../../../subgraph/indexer";
import { Eip1193Rpc, HttpRpc, type RpcCall, type RpcTransport } from "../../../subgraph/indexer/chain/rpc";
import { ChainFetcher } from "../../../subgraph/indexer/chain/fetcher";
import { InconsistentChainDataError, RangeTooLargeError } from "../../../subgraph/indexer/errors";
import { dumpDatabase } from "./helpers/dump";
import { LaggingLogs, LaggingNode } from "./helpers/transports";
import { postJob, registerProvider, sample } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: reorgs and fetching", function () {
  const fx = useProbeFixture();
  let runs = 0;
  const open: Indexer[] = [];

  afterEach(async function () {
    for (const indexer of open.splice(0)) await indexer.close();
  });

  async function openIndexer(
    options: {
      reorgThreshold?: number;
      rpc?: RpcTransport | string;
      minBlockRange?: number;
      now?: () => number;
      logger?: (record: IndexerLogRecord) => void;
    } = {},
  ): Promise<{ indexer: Indexer; db: string }> {
    const db = fx.dbPath(`reorg-${++runs}.sqlite`);
    const indexer = await Indexer.open({
      subgraph: fx.buildDir,
      rpc: options.rpc ?? fx.chain.url,
      db,
      reorgThreshold: options.reorgThreshold,
      minBlockRange: options.minBlockRange,
      now: options.now,
      logger: options.logger,
    });
    open.push(indexer);
    return { indexer, db };
  }

  /** A fresh index of whatever the chain is now, for comparison. */
  async function freshDump(): Promise<ReturnType<typeof dumpDatabase>> {
    const { indexer, db } = await openIndexer();
    await indexer.syncOnce();
    return dumpDatabase(db);
  }

  it("rolls back a replaced branch and re-indexes: the database equals a fresh index of the new branch", async function () {
    const [A, B, C, D] = fx.chain.accounts.slice(1, 5);
    await registerProvider(fx.probe, A!, "alpha", 10n, 1);
    await registerProvider(fx.probe, B!, "beta", 20n, 2);
    const fork = await fx.chain.snapshot();
    const ancestor = await fx.chain.blockNumber();
    // Branch A.
    await postJob(fx.probe, 1n, A!, { note: "branch A" });
    await fx.probe.send("setStatus", [B, false]);
    await sample(fx.probe, { key: "a", small: 1n, big: 1n, negative: -1n, blob: "0x", flag: true, labels: ["branch-a"], count: 1 });
    await registerProvider(fx.probe, C!, "gamma", 30n, 3);
    const { indexer, db } = await openIndexer();
    const reorgs: ReorgEvent[] = [];
    indexer.on("reorg", (e: ReorgEvent) => reorgs.push(e));
    await indexer.syncOnce();
    const headA = await fx.chain.blockNumber();
    expect(indexer.status().checkpoint!.number).to.equal(headA);

    // Branch B replaces everything after the ancestor, and is longer.
    await fx.chain.revert(fork);
    await postJob(fx.probe, 7n, B!, { note: "branch B", amounts: [5n] });
    await registerProvider(fx.probe, D!, "delta", 40n, 4);
    await fx.probe.send("setStatus", [A, false]);
    await fx.chain.mine(3);
    await sample(fx.probe, { key: "b", small: 2n, big: 2n, negative: -2n, blob: "0x02", flag: false, labels: ["branch-b"], count: 2 });
    const status = await indexer.syncOnce();

    expect(status.failed).to.equal(false);
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(reorgs).to.have.length(1);
    expect(reorgs[0]!.from.number).to.equal(headA);
    expect(reorgs[0]!.to.number).to.equal(ancestor);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("rolls back when the new branch is shorter than the indexed one", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    const fork = await fx.chain.snapshot();
    await postJob(fx.probe, 20n, A!, { note: "long branch" });
    await fx.chain.mine(4);
    const { indexer, db } = await openIndexer();
    await indexer.syncOnce();
    await fx.chain.revert(fork);
    await postJob(fx.probe, 21n, A!, { note: "short branch" });
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    const dump = dumpDatabase(db);
    expect(dump).to.deep.equal(await freshDump());
    expect((dump.tables.ent_Job as Array<{ note: string }>).map((j) => j.note)).to.include("short branch").and.not.include("long branch");
  });

  it("fails with a clear error when a reorg goes deeper than the threshold", async function () {
    const fork = await fx.chain.snapshot();
    await fx.chain.mine(6);
    const { indexer } = await openIndexer({ reorgThreshold: 2 });
    await indexer.syncOnce();
    await fx.chain.revert(fork);
    // A transaction makes the new branch differ from the old one (empty blocks could hash the same).
    await fx.probe.send("setStatus", [fx.chain.accounts[1], true]);
    await fx.chain.mine(8);
    const failed: unknown[] = [];
    indexer.on("failed", (f) => failed.push(f));
    const status = await indexer.syncOnce();
    expect(status.failed).to.equal(true);
    expect(status.fatalError!.message).to.include("reorg deeper than the reorg threshold (2 blocks)");
    // Later passes (run() polls) stay failed without announcing the same failure again each time.
    await fx.chain.mine(1);
    expect((await indexer.syncOnce()).fatalError).to.deep.equal(status.fatalError);
    expect((await indexer.syncOnce()).fatalError).to.deep.equal(status.fatalError);
    expect(failed).to.have.length(1);
  });

  it("stays failed for a reorg deeper than the threshold after a restart, without announcing or storing it again", async function () {
    const fork = await fx.chain.snapshot();
    await fx.chain.mine(6);
    const { indexer, db } = await openIndexer({ reorgThreshold: 2 });
    await indexer.syncOnce();
    await fx.chain.revert(fork);
    await fx.probe.send("setStatus", [fx.chain.accounts[1], true]);
    await fx.chain.mine(8);
    const fatal = (await indexer.syncOnce()).fatalError!;
    expect(fatal.message).to.include("reorg deeper than the reorg threshold (2 blocks)");
    await indexer.close();
    open.splice(open.indexOf(indexer), 1);
    const before = dumpDatabase(db);
    const logs: IndexerLogRecord[] = [];
    const again = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, reorgThreshold: 2, logger: (r) => logs.push(r) });
    open.push(again);
    const failed: unknown[] = [];
    again.on("failed", (f) => failed.push(f));
    for (let pass = 0; pass < 2; pass++) expect((await again.syncOnce()).fatalError).to.deep.equal(fatal);
    expect(failed).to.deep.equal([]);
    expect(logs.filter((l) => l.level === "warning" || l.level === "error")).to.deep.equal([]);
    expect(dumpDatabase(db)).to.deep.equal(before);
  });

  it("shrinks eth_getLogs ranges the node refuses and still indexes everything", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    for (let i = 0; i < 12; i++) await postJob(fx.probe, 100n + BigInt(i), A!, { note: `job ${i}` });
    const http = new HttpRpc(fx.chain.url);
    const ranges: number[] = [];
    // A node that answers at most 4 blocks per eth_getLogs, like providers with a block-range cap.
    const capped: RpcTransport = {
      description: "capped",
      request: async <T>(method: string, params: readonly unknown[]): Promise<T> => {
        if (method === "eth_getLogs") {
          const filter = params[0] as { fromBlock: string; toBlock: string };
          const size = Number(filter.toBlock) - Number(filter.fromBlock) + 1;
          ranges.push(size);
          if (size > 4) throw new RangeTooLargeError("eth_getLogs failed: query exceeds max block range 4", method);
        }
        return http.request<T>(method, params);
      },
      batch: <T>(calls: readonly RpcCall[]) => http.batch<T>(calls),
    };
    const { indexer, db } = await openIndexer({ rpc: capped, reorgThreshold: 0 });
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(ranges.some((r) => r > 4)).to.equal(true); // it tried larger ranges first
    expect(ranges.filter((r) => r <= 4).length).to.be.greaterThan(2);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("halves a refused eth_getLogs range from the blocks it asked for, not from the range size it had", async function () {
    const head = await fx.chain.blockNumber();
    if (head < 40) await fx.chain.mine(40 - head);
    const http = new HttpRpc(fx.chain.url);
    const fromFirst: number[] = [];
    // A node that answers at most 8 blocks per eth_getLogs; the sizes asked for from block 1 are recorded.
    const capped: RpcTransport = {
      description: "capped",
      request: async <T>(method: string, params: readonly unknown[]): Promise<T> => {
        const filter = params[0] as { fromBlock?: string; toBlock?: string };
        if (method === "eth_getLogs" && filter.fromBlock !== undefined) {
          const size = Number(filter.toBlock) - Number(filter.fromBlock) + 1;
          if (Number(filter.fromBlock) === 1) fromFirst.push(size);
          if (size > 8) throw new RangeTooLargeError("eth_getLogs failed: query exceeds max block range 8", method);
        }
        return http.request<T>(method, params);
      },
      batch: <T>(calls: readonly RpcCall[]) => http.batch<T>(calls),
    };
    // The first range (100 blocks) is cut at the final boundary, block 20: it asks for blocks 1-20.
    const { indexer } = await openIndexer({ rpc: capped, reorgThreshold: (await fx.chain.blockNumber()) - 20 });
    await indexer.syncOnce();
    // Halving the size (100) instead would ask for 1-20 three times, then 1-12, before 1-6.
    expect(fromFirst).to.deep.equal([20, 10, 5]);
  });

  it("fails the pass, naming the block, when the node refuses even a range of minBlockRange blocks", async function () {
    const http = new HttpRpc(fx.chain.url);
    let refused = 0;
    // A node whose eth_getLogs always times out, whatever the range: shrinking cannot help, so the pass must end
    // (run() reports it and retries later) instead of asking for the same block forever.
    const stalled: RpcTransport = {
      description: "stalled",
      request: async <T>(method: string, params: readonly unknown[]): Promise<T> => {
        if (method === "eth_getLogs") {
          if (++refused > 50) throw new Error("still asking after 50 refusals");
          throw new RangeTooLargeError("eth_getLogs timed out after 100 ms", method);
        }
        return http.request<T>(method, params);
      },
      batch: <T>(calls: readonly RpcCall[]) => http.batch<T>(calls),
    };
    const { indexer } = await openIndexer({ rpc: stalled, minBlockRange: 2 });
    const start = indexer.status().checkpoint!.number + 1;
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RangeTooLargeError);
    expect((error as Error).message).to.equal(
      `eth_getLogs refused blocks ${start}-${start + 1}, the smallest range allowed (minBlockRange 2): eth_getLogs timed out after 100 ms`,
    );
    expect(indexer.status().checkpoint!.number).to.equal(start - 1);
  });

  it("asks for the same eth_getLogs range again after a backoff when the node answers with a rate limit, never a smaller one", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 150n, A!, { note: "rate limited" });
    // Two rate limits a too-large pattern or -32005 took for a range too large, then the node answers.
    const limits = [
      { code: -32005, message: "rate limit exceeded" },
      { code: -32000, message: "Too Many Requests" },
    ];
    const asked: string[] = [];
    // An EIP-1193 provider in front of the chain: its errors reach the indexer as a node's answers do.
    const limited = {
      request: async ({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> => {
        const filter = params?.[0] as { fromBlock?: string; toBlock?: string } | undefined;
        if (method === "eth_getLogs" && filter?.fromBlock !== undefined) {
          asked.push(`${Number(filter.fromBlock)}-${Number(filter.toBlock)}`);
          const limit = limits.shift();
          if (limit !== undefined) throw Object.assign(new Error(limit.message), { code: limit.code });
        }
        return fx.chain.provider.request({ method, params });
      },
    };
    const logs: IndexerLogRecord[] = [];
    const db = fx.dbPath(`reorg-${++runs}.sqlite`);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: limited, db, prefetchRanges: 1, logger: (r) => logs.push(r) });
    open.push(indexer);
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(asked.slice(0, 3)).to.deep.equal([asked[0], asked[0], asked[0]]);
    // No wait named: the backoff doubles from 250 ms.
    expect(logs.filter((l) => l.message.includes("again in")).map((l) => l.message)).to.deep.equal([
      `eth_getLogs failed: rate limit exceeded (code -32005): asking for blocks ${asked[0]} again in 250 ms`,
      `eth_getLogs failed: Too Many Requests (code -32000): asking for blocks ${asked[0]} again in 500 ms`,
    ]);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("backs off on a rate limit of the eth_getLogs by block hash that checks a block near the head, not fetching again at once", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 160n, A!, { note: "checked by hash" });
    let answered = false;
    let limited = false;
    // The first range's eth_getLogs comes back empty (as from a lagging backend), so the blocks whose bloom may hold
    // the subgraph's events are asked by hash: that is refused once for the rate.
    const provider = {
      request: async ({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> => {
        const filter = params?.[0] as { fromBlock?: string; blockHash?: string } | undefined;
        if (method === "eth_getLogs" && filter?.fromBlock !== undefined && !answered) {
          answered = true;
          return [];
        }
        if (method === "eth_getLogs" && filter?.blockHash !== undefined && !limited) {
          limited = true;
          throw Object.assign(new Error("Your app has exceeded its compute units per second capacity"), { code: 429 });
        }
        return fx.chain.provider.request({ method, params });
      },
    };
    const logs: IndexerLogRecord[] = [];
    const db = fx.dbPath(`reorg-${++runs}.sqlite`);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: provider, db, reorgThreshold: 10_000, logger: (r) => logs.push(r) });
    open.push(indexer);
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(limited).to.equal(true);
    const retries = logs.filter((l) => /fetching again|again in/.test(l.message)).map((l) => l.message.replace(/blocks \d+-\d+/, "blocks …"));
    expect(retries).to.deep.equal([
      "eth_getLogs failed: Your app has exceeded its compute units per second capacity (code 429): asking for blocks … again in 250 ms",
    ]);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("waits what an HTTP 429's Retry-After says before it asks for the same eth_getLogs range again", async function () {
    const asked: string[] = [];
    // A proxy in front of the chain that answers the first eth_getLogs over a block range with 429 and Retry-After: 1.
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        const call = JSON.parse(body) as { method?: string; params?: Array<{ fromBlock?: string; toBlock?: string }> };
        const filter = call.method === "eth_getLogs" ? call.params?.[0] : undefined;
        if (filter?.fromBlock !== undefined) asked.push(`${Number(filter.fromBlock)}-${Number(filter.toBlock)}`);
        if (asked.length === 1 && filter?.fromBlock !== undefined) {
          res.writeHead(429, { "content-type": "text/plain", "retry-after": "1" });
          res.end("Too Many Requests");
          return;
        }
        void fetch(fx.chain.url, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (r) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(await r.text());
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const logs: IndexerLogRecord[] = [];
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: url, db: fx.dbPath(`reorg-${++runs}.sqlite`), logger: (r) => logs.push(r) });
      open.push(indexer);
      const status = await indexer.syncOnce();
      expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
      expect(asked.slice(0, 2)).to.deep.equal([asked[0], asked[0]]);
      expect(logs.filter((l) => l.message.includes("again in")).map((l) => l.message)).to.deep.equal([
        `eth_getLogs: HTTP 429 Too Many Requests: asking for blocks ${asked[0]} again in 1000 ms`,
      ]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("indexes through an in-process EIP-1193 provider exactly as over HTTP", async function () {
    const { indexer, db } = await openIndexer({ rpc: new Eip1193Rpc(fx.chain.provider) });
    await indexer.syncOnce();
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("falls back to single requests when the endpoint refuses JSON-RPC batches", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    for (let i = 0; i < 3; i++) await postJob(fx.probe, 200n + BigInt(i), A!, { note: `unbatched ${i}` });
    let refused = 0;
    // A proxy in front of the chain that answers every batch with a single error object, as some providers do.
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        const reply = (text: string): void => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(text);
        };
        if (body.trimStart().startsWith("[")) {
          refused++;
          reply(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "batch requests are not supported" } }));
          return;
        }
        void fetch(fx.chain.url, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (r) => reply(await r.text()));
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const { indexer, db } = await openIndexer({ rpc: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      const status = await indexer.syncOnce();
      expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
      expect(refused).to.equal(1); // tried once, then no more batches
      expect(dumpDatabase(db)).to.deep.equal(await freshDump());
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("refuses logs whose block hash differs from the block fetched for them", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 300n, A!, { note: "fork check" });
    const head = await fx.chain.blockNumber();
    const http = new HttpRpc(fx.chain.url);
    const forked: RpcTransport = {
      description: "forked",
      request: async <T>(method: string, params: readonly unknown[]): Promise<T> => {
        const result = await http.request<T>(method, params);
        if (method !== "eth_getLogs") return result;
        // The logs come from "another fork": same block numbers, other hashes.
        return (result as unknown as Array<Record<string, unknown>>).map((l) => ({ ...l, blockHash: "0x" + "ee".repeat(32) })) as unknown as T;
      },
      batch: <T>(calls: readonly RpcCall[]) => http.batch<T>(calls),
    };
    const { indexer } = await openIndexer();
    const fetcher = new ChainFetcher(forked, { addresses: [fx.probe.address.toLowerCase()], topic0s: indexer.build.dataSources[0]!.eventHandlers.map((h) => h.topic0) });
    let error: unknown;
    try {
      await fetcher.fetchRange(head, head, true);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(InconsistentChainDataError);
    expect((error as Error).message).to.include(`of block ${head} has block hash 0x${"ee".repeat(32)}`);
  });

  // These add blocks to the shared chain: after the tests above, which expect it within the default reorg window.
  it("fails at once when a shorter branch replaces a stored block below the reorg window", async function () {
    const fork = await fx.chain.snapshot();
    await registerProvider(fx.probe, fx.chain.accounts[5]!, "kept pointer", 1n, 1); // a block with events: its pointer stays
    await fx.chain.mine(5);
    const { indexer } = await openIndexer({ reorgThreshold: 2 });
    await indexer.syncOnce();
    await fx.chain.revert(fork);
    await registerProvider(fx.probe, fx.chain.accounts[6]!, "replacement", 1n, 1); // one block, unlike the one it replaces
    const status = await indexer.syncOnce();
    expect(status.failed).to.equal(true);
    expect(status.fatalError!.message).to.include("reorg deeper than the reorg threshold (2 blocks)");
  });

  it("waits, without reverting anything, while the node is behind the checkpoint: a lagging node is no reorg", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 400n, A!, { note: "before the lag" });
    await fx.chain.mine(2);
    await postJob(fx.probe, 401n, A!, { note: "at the head" });
    const node = new LaggingNode(fx.chain.url);
    const { indexer, db } = await openIndexer({ rpc: node, reorgThreshold: 2 });
    const reorgs: ReorgEvent[] = [];
    indexer.on("reorg", (e: ReorgEvent) => reorgs.push(e));
    await indexer.syncOnce();
    const head = await fx.chain.blockNumber();
    const before = dumpDatabase(db);
    // The endpoint now answers from a backend 4 blocks behind (more than the reorg threshold).
    node.behind = 4;
    let status = await indexer.syncOnce();
    expect(status.failed, status.fatalError?.message).to.equal(false);
    expect(status.checkpoint!.number).to.equal(head);
    expect(reorgs).to.deep.equal([]);
    expect(dumpDatabase(db)).to.deep.equal(before);
    // 1 block behind (within the threshold): still no reorg.
    node.behind = 1;
    status = await indexer.syncOnce();
    expect(reorgs).to.deep.equal([]);
    expect(dumpDatabase(db)).to.deep.equal(before);
    // Caught up again: indexing goes on.
    node.behind = 0;
    await postJob(fx.probe, 402n, A!, { note: "after the lag" });
    status = await indexer.syncOnce();
    expect(status.failed).to.equal(false);
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(reorgs).to.deep.equal([]);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("logs a node behind the checkpoint when the lag begins, once a minute while it lasts, and when it has caught up", async function () {
    // A poll a second while a node restarts: a warning each drowned the log and said nothing new after the first.
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 405n, A!, { note: "before the lag" });
    await fx.chain.mine(2);
    const start = 1_000_000;
    let clock = start;
    const logs: IndexerLogRecord[] = [];
    const node = new LaggingNode(fx.chain.url);
    const { indexer } = await openIndexer({ rpc: node, reorgThreshold: 2, now: () => clock, logger: (r) => logs.push(r) });
    await indexer.syncOnce();
    const checkpoint = indexer.status().checkpoint!.number;
    // One entry per pass: the clock, and how far behind the node is (it catches up meanwhile).
    const polls: Array<[number, number]> = [
      [0, 4],
      [1_000, 4],
      [2_000, 3],
      [59_000, 3],
      [61_000, 2],
      [62_000, 2],
      [121_500, 1],
      [125_000, 0],
      [126_000, 0],
    ];
    for (const [at, behind] of polls) {
      clock = start + at;
      node.behind = behind;
      expect((await indexer.syncOnce()).failed).to.equal(false);
    }
    expect(logs.filter((l) => l.message.startsWith("the node's head")).map((l) => `${l.level}: ${l.message}`)).to.deep.equal([
      `warning: the node's head ${checkpoint - 4} is behind the checkpoint ${checkpoint}: waiting for it`,
      `warning: the node's head ${checkpoint - 2} is still behind the checkpoint ${checkpoint}, for 61 s: waiting for it`,
      `warning: the node's head ${checkpoint - 1} is still behind the checkpoint ${checkpoint}, for 122 s: waiting for it`,
      `info: the node's head ${checkpoint} has reached the checkpoint ${checkpoint} after 125 s behind it: indexing resumes`,
    ]);
  });

  it("takes an endpoint whose head is ahead of the blocks it serves for an inconsistent node, not for a reorg", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 410n, A!, { note: "before the split" });
    await fx.chain.mine(2);
    const node = new LaggingNode(fx.chain.url, true);
    const { indexer, db } = await openIndexer({ rpc: node, reorgThreshold: 2 });
    const reorgs: ReorgEvent[] = [];
    indexer.on("reorg", (e: ReorgEvent) => reorgs.push(e));
    await indexer.syncOnce();
    const before = dumpDatabase(db);
    // eth_blockNumber from an up-to-date backend, blocks from one 4 blocks behind the checkpoint.
    await fx.chain.mine(1);
    node.behind = 5;
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InconsistentChainDataError);
    expect(indexer.status().failed, indexer.status().fatalError?.message).to.equal(false);
    expect(reorgs).to.deep.equal([]);
    expect(dumpDatabase(db)).to.deep.equal(before);
    node.behind = 0;
    await postJob(fx.probe, 411n, A!, { note: "after the split" });
    const status = await indexer.syncOnce();
    expect(status.failed).to.equal(false);
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(reorgs).to.deep.equal([]);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("takes headers missing from a reorg walk-back for an inconsistent node, not for a reorg deeper than the threshold", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    const fork = await fx.chain.snapshot();
    await postJob(fx.probe, 430n, A!, { note: "replaced" });
    const http = new HttpRpc(fx.chain.url);
    let dropNextBatch = false;
    // A load-balanced endpoint whose next batch reaches a backend without those blocks.
    const flaky: RpcTransport = {
      description: "flaky",
      request: <T>(method: string, params: readonly unknown[]) => http.request<T>(method, params),
      batch: async <T>(calls: readonly RpcCall[]): Promise<T[]> => {
        if (!dropNextBatch) return http.batch<T>(calls);
        dropNextBatch = false;
        return calls.map(() => null as T);
      },
    };
    const { indexer, db } = await openIndexer({ rpc: flaky, reorgThreshold: 5 });
    await indexer.syncOnce();
    await fx.chain.revert(fork);
    await postJob(fx.probe, 431n, A!, { note: "replacement" });
    await fx.chain.mine(1);
    dropNextBatch = true;
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InconsistentChainDataError);
    expect(indexer.status().failed, indexer.status().fatalError?.message).to.equal(false);
    const status = await indexer.syncOnce();
    expect(status.failed).to.equal(false);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("does not take a block near the head for one without events when eth_getLogs comes from a lagging backend", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 420n, A!, { note: "seen by every backend" });
    const node = new LaggingLogs(fx.chain.url);
    const { indexer, db } = await openIndexer({ rpc: node });
    await indexer.syncOnce();
    // Two blocks with events that the eth_getLogs backend does not have yet.
    await postJob(fx.probe, 421n, A!, { note: "newer than the logs backend" });
    await fx.probe.send("emitBatch", [4200, 2, 2]);
    const hidden = (await fx.chain.blockNumber()) - 1;
    node.behind = 2;
    // Their blooms give them away: asked by hash, the backend does not know them, and the pass fails to be retried.
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InconsistentChainDataError);
    expect(indexer.status().checkpoint!.number).to.be.below(hidden);
    // Asked by hash, a backend that has them answers: indexed in this pass.
    await postJob(fx.probe, 422n, A!, { note: "newer still" });
    node.hashQueriesLag = false;
    let status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
    node.behind = 0;
    await postJob(fx.probe, 423n, A!, { note: "all caught up" });
    status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("does not take a final range's last block for one without events when eth_getLogs comes from a lagging backend", async function () {
    // Below the reorg window only the blocks with logs and the range's last header are fetched: the last block is the
    // one whose bloom can give a lagging eth_getLogs backend away.
    const [A] = fx.chain.accounts.slice(1, 2);
    await postJob(fx.probe, 440n, A!, { note: "seen by every backend" });
    const node = new LaggingLogs(fx.chain.url);
    node.hashQueriesLag = false;
    const { indexer, db } = await openIndexer({ rpc: node, reorgThreshold: 0 });
    await indexer.syncOnce();
    await postJob(fx.probe, 441n, A!, { note: "newer than the logs backend" });
    const hidden = await fx.chain.blockNumber();
    node.behind = 1;
    // Asked by its hash, the block has the events the range's answer left out: the range is fetched again, and the
    // pass fails while the backend stays behind.
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InconsistentChainDataError);
    expect((error as Error).message).to.match(new RegExp(`^eth_getLogs for blocks \\d+-${hidden} returned no log of block ${hidden}, which has \\d+ asked by its hash`));
    expect(indexer.status().checkpoint!.number).to.be.below(hidden);
    node.behind = 0;
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(hidden);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("runs the handlers of a log the node sends twice once, as graph-node does: the database equals a fresh index", async function () {
    await fx.probe.send("emitBatch", [4300, 3, 2]);
    await fx.probe.send("emitBatch", [4310, 2, 2]);
    const http = new HttpRpc(fx.chain.url);
    let sent = 0;
    const twice = <T>(method: string, result: T): T => {
      if (method !== "eth_getLogs") return result;
      const logs = result as unknown as unknown[];
      sent += logs.length;
      return logs.flatMap((log) => [log, { ...(log as object) }]) as unknown as T;
    };
    // Every log twice in every eth_getLogs answer, as a node that merges the answers of its backends may send them.
    const doubling: RpcTransport = {
      description: "doubling",
      request: async <T>(method: string, params: readonly unknown[]): Promise<T> => twice(method, await http.request<T>(method, params)),
      batch: async <T>(calls: readonly RpcCall[]): Promise<T[]> => (await http.batch<T>(calls)).map((r, i) => twice(calls[i]!.method, r)),
    };
    const { indexer, db } = await openIndexer({ rpc: doubling });
    await indexer.syncOnce();
    expect(sent).to.be.greaterThan(0);
    expect(dumpDatabase(db)).to.deep.equal(await freshDump());
  });

  it("refuses an eth_getLogs answer with two different logs at one position of a block", async function () {
    await fx.probe.send("emitBatch", [4400, 1, 1]);
    const head = await fx.chain.blockNumber();
    const http = new HttpRpc(fx.chain.url);
    const clashing: RpcTransport = {
      description: "clashing",
      request: async <T>(method: string, params: readonly unknown[]): Promise<T> => {
        const result = await http.request<T>(method, params);
        if (method !== "eth_getLogs") return result;
        const logs = result as unknown as Array<Record<string, unknown>>;
        return logs.flatMap((log) => [log, { ...log, data: "0x" + "00".repeat(96) }]) as unknown as T;
      },
      batch: <T>(calls: readonly RpcCall[]) => http.batch<T>(calls),
    };
    const { indexer } = await openIndexer();
    const fetcher = new ChainFetcher(clashing, { addresses: [fx.probe.address.toLowerCase()], topic0s: indexer.build.dataSources[0]!.eventHandlers.map((h) => h.topic0) });
    const error = await fetcher.fetchRange(head, head, false).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InconsistentChainDataError);
    expect((error as Error).message).to.equal(`eth_getLogs returned two different logs with index 0 in block ${head}`);
  });
});
