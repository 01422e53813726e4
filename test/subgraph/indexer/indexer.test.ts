// The indexing loop's scheduling options (indexer.ts): when the checkpoint is committed within and at the end of
// a fetched range (commitIntervalMs), how many ranges are fetched ahead (prefetchRanges), and the values of both
// that Indexer.open refuses; and the events of a pass that are not about commits (head, block).
import { existsSync } from "node:fs";
import { expect } from "chai";
import { Indexer, type IndexerLogRecord, type IndexerOptions, type ProgressEvent } from "../../../subgraph/indexer";
import { HttpRpc, type RpcCall, type RpcTransport } from "../../../subgraph/indexer/chain/rpc";
import { IndexerOptionError } from "../../../subgraph/indexer/errors";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { dumpDatabase, type DatabaseDump } from "./helpers/dump";
import { registerProvider } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

/** Time that passes only while mappings run: every mapping log record (one per registration here) takes `step` ms. */
function mappingClock(step: number): Pick<IndexerOptions, "now" | "logger"> {
  let now = 0;
  return {
    now: () => now,
    logger: (record: IndexerLogRecord) => {
      if (record.source === "mapping") now += step;
    },
  };
}

/** An HTTP transport that records how many eth_getLogs requests were in flight at once, at most. */
class GetLogsConcurrency implements RpcTransport {
  private readonly inner: HttpRpc;
  private pending = 0;
  maxPending = 0;
  requests = 0;
  readonly description: string;

  constructor(url: string) {
    this.inner = new HttpRpc(url);
    this.description = url;
  }

  async request<T>(method: string, params: readonly unknown[]): Promise<T> {
    if (method !== "eth_getLogs") return this.inner.request<T>(method, params);
    this.requests++;
    this.maxPending = Math.max(this.maxPending, ++this.pending);
    try {
      return await this.inner.request<T>(method, params);
    } finally {
      this.pending--;
    }
  }

  batch<T>(calls: readonly RpcCall[]): Promise<T[]> {
    return this.inner.batch<T>(calls);
  }
}

describe("embedded indexer: commit schedule and prefetching", function () {
  const fx = useProbeFixture();
  let runs = 0;
  const open: Indexer[] = [];
  const engines: QueryEngine[] = [];

  before(async function () {
    // Block 1 deploys the probe; blocks 2-13 hold one registration each; block 14 is empty.
    const provider = fx.chain.accounts[1]!;
    for (let i = 2; i <= 13; i++) await registerProvider(fx.probe, provider, `name at block ${i}`, BigInt(i), i % 10);
    await fx.chain.mine();
    expect(await fx.chain.blockNumber()).to.equal(14);
  });

  afterEach(async function () {
    for (const engine of engines.splice(0)) engine.close();
    for (const indexer of open.splice(0)) await indexer.close();
  });

  /** What Indexer.open with `options` throws (undefined if it opens). */
  async function openError(db: string, options: Pick<IndexerOptions, "commitIntervalMs" | "prefetchRanges">): Promise<unknown> {
    try {
      open.push(await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, ...options }));
      return undefined;
    } catch (error) {
      return error;
    }
  }

  async function openIndexer(options: Omit<IndexerOptions, "subgraph" | "rpc" | "db"> & { rpc?: IndexerOptions["rpc"] } = {}): Promise<{ indexer: Indexer; db: string }> {
    const db = fx.dbPath(`options-${++runs}.sqlite`);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, ...options });
    open.push(indexer);
    return { indexer, db };
  }

  /** The checkpoint of every progress event, each paired with what a second connection read from the database then. */
  function recordCommits(indexer: Indexer, db: string): Array<{ emitted: number; committed: number | undefined }> {
    const reader = QueryEngine.open(db);
    engines.push(reader);
    const commits: Array<{ emitted: number; committed: number | undefined }> = [];
    indexer.on("progress", (p: ProgressEvent) => commits.push({ emitted: p.checkpoint.number, committed: reader.status().checkpoint?.number }));
    return commits;
  }

  describe("commitIntervalMs", function () {
    it("commits every commitIntervalMs of the indexer's clock while processing a range, and at the range's end", async function () {
      const { indexer, db } = await openIndexer({ ...mappingClock(10), commitIntervalMs: 25, initialBlockRange: 100 });
      const commits = recordCommits(indexer, db);
      await indexer.syncOnce();
      // One range, 1-14: 30 ms have passed at blocks 4, 7, 10 and 13; block 14 ends the range.
      expect(commits.map((c) => c.emitted)).to.deep.equal([4, 7, 10, 13, 14]);
      expect(commits.map((c) => c.committed), "a second connection sees each checkpoint as it is announced").to.deep.equal([4, 7, 10, 13, 14]);
    });

    it("commits only at the end of each range when the interval never elapses", async function () {
      const { indexer, db } = await openIndexer({ ...mappingClock(10), commitIntervalMs: 1_000_000, initialBlockRange: 5, maxBlockRange: 5 });
      const commits = recordCommits(indexer, db);
      await indexer.syncOnce();
      expect(commits.map((c) => c.emitted)).to.deep.equal([5, 10, 14]);
      expect(commits.map((c) => c.committed)).to.deep.equal([5, 10, 14]);
    });

    it("commits a range's last block once when an interval commit falls on it", async function () {
      const { indexer, db } = await openIndexer({ ...mappingClock(10), commitIntervalMs: 25, initialBlockRange: 100 });
      const commits = recordCommits(indexer, db);
      await indexer.syncOnce({ toBlock: 13 });
      expect(commits.map((c) => c.emitted)).to.deep.equal([4, 7, 10, 13]);
    });

    it("commits after every block with commitIntervalMs: 0", async function () {
      const { indexer, db } = await openIndexer({ commitIntervalMs: 0, initialBlockRange: 100, reorgThreshold: 0 });
      const commits = recordCommits(indexer, db);
      await indexer.syncOnce();
      // Final blocks without events (1) are not visited; the range's end (14) is committed all the same.
      expect(commits.map((c) => c.emitted)).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    });

    it("refuses a negative or NaN commitIntervalMs, naming the option, before opening anything", async function () {
      for (const value of [-1, Number.NaN]) {
        const db = fx.dbPath(`bad-commit-interval-${++runs}.sqlite`);
        const error = await openError(db, { commitIntervalMs: value });
        expect(error, String(value)).to.be.instanceOf(IndexerOptionError);
        expect((error as Error).message).to.equal(`commitIntervalMs must be a number of milliseconds, 0 or more (got ${value})`);
        expect(existsSync(db), "no database created").to.equal(false);
      }
    });
  });

  it("refuses a reorgThreshold that is not a whole number of at least 0, naming the option, before opening anything", async function () {
    for (const value of [-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const db = fx.dbPath(`bad-threshold-${++runs}.sqlite`);
      let error: unknown;
      try {
        open.push(await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, reorgThreshold: value }));
      } catch (e) {
        error = e;
      }
      expect(error, String(value)).to.be.instanceOf(IndexerOptionError);
      expect((error as Error).message).to.equal(`reorgThreshold must be a whole number of blocks, 0 or more (got ${value})`);
      // As data, for a caller that branches on which option was refused.
      expect((error as IndexerOptionError).option).to.equal("reorgThreshold");
      expect(Object.is((error as IndexerOptionError).value, value), String(value)).to.equal(true);
      expect(existsSync(db), "no database created").to.equal(false);
    }
  });

  it("refuses a numeric option outside what it accepts, block range bounds that contradict each other, or an rpc URL the HTTP transport could not use, naming the option (and the number), before opening or fetching anything", async function () {
    const notNumber = "5" as unknown as number;
    const cases: Array<[Partial<IndexerOptions>, string]> = [
      ...([0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY] as const).flatMap((value): Array<[Partial<IndexerOptions>, string]> =>
        (["minBlockRange", "maxBlockRange", "initialBlockRange"] as const).map((name) => [{ [name]: value }, `${name} must be a whole number of blocks, at least 1 (got ${value})`]),
      ),
      ...([0, 0.5, -1, Number.NaN, 2 ** 31, Number.POSITIVE_INFINITY] as const).map((value): [Partial<IndexerOptions>, string] => [
        { pollIntervalMs: value },
        `pollIntervalMs must be a number of milliseconds, at least 1, at most 2147483647 (got ${value})`,
      ]),
      ...([0, -1, Number.NaN, 2 ** 31, Number.POSITIVE_INFINITY] as const).map((value): [Partial<IndexerOptions>, string] => [
        { rpcTimeoutMs: value },
        `rpcTimeoutMs must be a number of milliseconds, more than 0, at most 2147483647 (got ${value})`,
      ]),
      ...([-1, Number.NaN, Number.POSITIVE_INFINITY] as const).map((value): [Partial<IndexerOptions>, string] => [
        { maxRequestsPerSecond: value },
        `maxRequestsPerSecond must be a number of requests per second, 0 or more (got ${value})`,
      ]),
      [{ maxBlockRange: notNumber }, 'maxBlockRange must be a whole number of blocks, at least 1 (got "5")'],
      ...([0, 1.5, Number.NaN] as const).map((value): [Partial<IndexerOptions>, string] => [
        { instancePolicy: { maxTriggersPerInstance: value } },
        `instancePolicy.maxTriggersPerInstance must be a whole number of triggers, at least 1 (got ${value})`,
      ]),
      [{ instancePolicy: { maxMemoryBytes: -1 } }, "instancePolicy.maxMemoryBytes must be a number of bytes, 0 or more (got -1)"],
      ...([-1, 2.5, Number.NaN] as const).map((value): [Partial<IndexerOptions>, string] => [
        { statistics: { everyBlocks: value } },
        `statistics.everyBlocks must be a whole number of blocks, 0 or more (got ${value})`,
      ]),
      [{ statistics: { everyMs: Number.NaN } }, "statistics.everyMs must be a number of milliseconds, 0 or more (got NaN)"],
      [{ minBlockRange: 20, maxBlockRange: 10 }, "minBlockRange must be at most maxBlockRange (got minBlockRange 20, maxBlockRange 10)"],
      [{ minBlockRange: 20_000 }, "minBlockRange must be at most maxBlockRange (got minBlockRange 20000, maxBlockRange 10000)"],
      [{ minBlockRange: 5, initialBlockRange: 4 }, "initialBlockRange must be from minBlockRange to maxBlockRange, 5 to 10000 (got 4)"],
      [{ maxBlockRange: 50, initialBlockRange: 51 }, "initialBlockRange must be from minBlockRange to maxBlockRange, 1 to 50 (got 51)"],
      [{ rpc: "ws://127.0.0.1:1/v2/SECRETKEY" }, "rpc must start with http:// or https://, not ws://"],
      [{ rpc: "user:SECRET@127.0.0.1:1" }, "rpc has no http:// or https:// scheme"],
      [{ rpc: "http://127.0.0.1:99999/v2/SECRETKEY" }, "rpc is not a valid http:// URL"],
    ];
    for (const [options, message] of cases) {
      const db = fx.dbPath(`bad-option-${++runs}.sqlite`);
      let error: unknown;
      try {
        // Nothing listens there: an open that reached the node would fail with an RpcError instead.
        open.push(await Indexer.open({ subgraph: fx.buildDir, rpc: "http://127.0.0.1:1", db, ...options }));
      } catch (e) {
        error = e;
      }
      expect(error, message).to.be.instanceOf(IndexerOptionError);
      expect((error as Error).message).to.equal(message);
      // The option as data, and its value as given (read at its path); an rpc URL's left out, as it may carry a key.
      const { option, value } = error as IndexerOptionError;
      expect(option, message).to.equal(message.split(" ")[0]);
      const given = option === "rpc" ? undefined : option.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], options);
      expect(Object.is(value, given), `${message}: value ${String(value)}`).to.equal(true);
      expect(existsSync(db), `${message}: no database created`).to.equal(false);
      expect(existsSync(`${db}.lock`), `${message}: no lock taken`).to.equal(false);
    }
  });

  it("opens with range bounds that only a default falls outside, bringing the default within them", async function () {
    const { indexer } = await openIndexer({ maxBlockRange: 5, minBlockRange: 1 });
    expect((await indexer.syncOnce()).checkpoint!.number).to.equal(14);
    const { indexer: wide } = await openIndexer({ minBlockRange: 200, maxBlockRange: 300 });
    expect((await wide.syncOnce()).checkpoint!.number).to.equal(14);
  });

  it("indexes on with syncOnce after stop() ended a pass midway", async function () {
    const { indexer, db } = await openIndexer({ commitIntervalMs: 0, initialBlockRange: 100, reorgThreshold: 0 });
    let stopped: Promise<void> | null = null;
    indexer.on("progress", (p: ProgressEvent) => {
      if (stopped === null && p.checkpoint.number >= 5) stopped = indexer.stop();
    });
    await indexer.syncOnce();
    await stopped;
    expect(indexer.status().checkpoint!.number).to.equal(5);
    expect((await indexer.syncOnce()).checkpoint!.number).to.equal(14);
    expect(dumpDatabase(db).checkpoint).to.deep.include({ number: 14 });
  });

  // The worker's watchdog reads it to name the block a hung thread is stuck in.
  it("emits block with a block's number before its handlers and null after them, for the blocks with events only", async function () {
    // The default reorg window covers the whole chain: blocks 1 and 14, without events, are visited too.
    const { indexer } = await openIndexer();
    const blocks: Array<number | null> = [];
    indexer.on("block", (n: number | null) => blocks.push(n));
    await indexer.syncOnce();
    expect(blocks).to.deep.equal(Array.from({ length: 12 }, (_, i) => [i + 2, null]).flat());
  });

  it("emits head with the chain's head once a pass, also a pass that stops short of it (toBlock)", async function () {
    const { indexer } = await openIndexer();
    const heads: number[] = [];
    indexer.on("head", (head: number) => heads.push(head));
    await indexer.syncOnce({ toBlock: 5 });
    await indexer.syncOnce();
    expect(heads).to.deep.equal([14, 14]);
  });

  describe("prefetchRanges", function () {
    const runsByPrefetch = new Map<number, { maxPending: number; requests: number; dump: DatabaseDump }>();

    before(async function () {
      // Ranges of 2 blocks, final ones and ones in the reorg window (the last 6 blocks) alike.
      for (const prefetchRanges of [1, 3]) {
        const rpc = new GetLogsConcurrency(fx.chain.url);
        const { indexer, db } = await openIndexer({ rpc, prefetchRanges, initialBlockRange: 2, maxBlockRange: 2, reorgThreshold: 6 });
        await indexer.syncOnce();
        runsByPrefetch.set(prefetchRanges, { maxPending: rpc.maxPending, requests: rpc.requests, dump: dumpDatabase(db) });
      }
    });

    it("has at most prefetchRanges eth_getLogs ranges in flight, and that many once there are enough ranges", function () {
      for (const [prefetchRanges, run] of runsByPrefetch) {
        expect(run.requests, `ranges fetched with prefetchRanges ${prefetchRanges}`).to.equal(7);
        expect(run.maxPending, `in flight with prefetchRanges ${prefetchRanges}`).to.equal(prefetchRanges);
      }
    });

    it("indexes the same database whatever prefetchRanges is", function () {
      const one = runsByPrefetch.get(1)!.dump;
      expect((one.checkpoint as { number: number }).number).to.equal(14);
      expect(one.tables.ent_Provider).to.not.be.empty;
      expect(runsByPrefetch.get(3)!.dump).to.deep.equal(one);
    });

    it("refuses a prefetchRanges that is not a whole number of at least 1, naming the option, before opening anything", async function () {
      for (const value of [0, -2, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const db = fx.dbPath(`bad-prefetch-${++runs}.sqlite`);
        const error = await openError(db, { prefetchRanges: value });
        expect(error, String(value)).to.be.instanceOf(IndexerOptionError);
        expect((error as Error).message).to.equal(`prefetchRanges must be a whole number of ranges, at least 1 (got ${value})`);
        expect(existsSync(db), "no database created").to.equal(false);
      }
    });
  });
});
