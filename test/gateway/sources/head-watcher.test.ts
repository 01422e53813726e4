import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { ChainBlockHeader } from "../../../gateway/src/chain/chain-reader";
import { SourceError, SourceInternalError, SourceRequestAbortedError } from "../../../gateway/src/errors";
import { createJsonLogger, silentLogger } from "../../../gateway/src/logger";
import { HeadWatcher, type IndexedHead } from "../../../gateway/src/sources/head-watcher";
import { HttpSubgraphSource } from "../../../gateway/src/sources/http-source";
import type { SourceKind, SourceRequestOptions, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { waitUntil } from "../../helpers/wait";
import { failedGraphNode } from "../helpers/fake-graph-node";

/** A source whose `_meta` block is whatever the test sets. */
class MetaSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  block = 1;
  down = false;
  /** False: its `_meta` gives no block time (a graph-node whose block cache lacks the block). */
  timed = true;
  async request<TData>(): Promise<TData> {
    if (this.down) throw new SourceError("down", "the subgraph endpoint cannot be reached");
    const timestamp = this.timed ? 1000 + this.block : null;
    const parentHash = `0x${(this.block - 1).toString(16)}`;
    return { _meta: { block: { number: this.block, hash: `0x${this.block.toString(16)}`, parentHash, timestamp }, hasIndexingErrors: false, deployment: "d" } } as TData;
  }
  async close(): Promise<void> {}
}

/** A source that never answers, and does not hear the signals it is handed (as the embedded indexer's worker). */
class SilentSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  readonly signals: (AbortSignal | undefined)[] = [];
  request<TData>(_query: string, _variables?: Variables, options?: SourceRequestOptions): Promise<TData> {
    this.signals.push(options?.signal);
    return new Promise<TData>(() => undefined);
  }
  async close(): Promise<void> {}
}

describe("the head watcher", function () {
  it("tells listeners once per new head, after the caches were dropped", async function () {
    const source = new MetaSource();
    const watcher = new HeadWatcher(source, { logger: silentLogger, pollIntervalMs: 60_000 });
    const seen: string[] = [];
    watcher.onInvalidate((head) => seen.push(`invalidate ${head.number}`));
    watcher.subscribe((head, previous) => {
      seen.push(`head ${head.number} after ${previous?.number ?? "none"}`);
    });
    await watcher.refresh();
    await watcher.refresh();
    source.block = 3;
    await watcher.refresh();
    await watcher.stop();
    expect(seen).to.deep.equal(["invalidate 1", "head 1 after none", "invalidate 3", "head 3 after 1"]);
  });

  /** A watcher over a MetaSource that counts the polls it answers. */
  function countingWatcher(): { source: MetaSource; watcher: HeadWatcher; polls: () => number } {
    const source = new MetaSource();
    let polls = 0;
    const request = source.request.bind(source);
    source.request = async <T>() => {
      polls += 1;
      return request<T>();
    };
    return { source, watcher: new HeadWatcher(source, { logger: silentLogger }), polls: () => polls };
  }

  it("shares one poll among concurrent callers", async function () {
    const { watcher, polls } = countingWatcher();
    const heads: IndexedHead[] = await Promise.all([watcher.refresh(), watcher.refresh(), watcher.ensureHead()]);
    expect(heads.map((h) => h.number)).to.deep.equal([1, 1, 1]);
    expect(polls()).to.equal(1);
  });

  it("polls for a head replacing a lost one only while it has seen none newer, one poll for concurrent callers", async function () {
    const { source, watcher, polls } = countingWatcher();
    const lost = await watcher.refresh();
    source.block = 2;
    const heads = await Promise.all([watcher.headReplacing(lost), watcher.headReplacing(lost), watcher.headReplacing(lost)]);
    expect(heads.map((h) => h.number)).to.deep.equal([2, 2, 2]);
    expect(polls()).to.equal(2);
    // Seen since: no poll.
    expect((await watcher.headReplacing(lost)).number).to.equal(2);
    expect(polls()).to.equal(2);
  });

  it("reports the source's failure and recovers when it answers again", async function () {
    const source = new MetaSource();
    source.down = true;
    const watcher = new HeadWatcher(source, { logger: silentLogger });
    let failure: unknown = null;
    await watcher.refresh().catch((e: unknown) => (failure = e));
    expect(failure).to.be.instanceOf(SourceError);
    expect(watcher.lastError).to.be.instanceOf(SourceError);
    source.down = false;
    expect((await watcher.refresh()).number).to.equal(1);
    expect(watcher.lastError).to.equal(null);
  });

  it("logs a failure of the source's own with its code and whole message, which clients are not told", async function () {
    const source = new MetaSource();
    const storeError = 'store error: relation "sgd1.job" does not exist';
    source.request = () => Promise.reject(new SourceInternalError(storeError, "graph-node failed (STORE_ERROR)", "STORE_ERROR"));
    const lines: string[] = [];
    const watcher = new HeadWatcher(source, { logger: createJsonLogger({ level: "warn", write: (line) => lines.push(line) }) });
    await watcher.refresh().catch(() => undefined);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === "source unavailable");
    expect(logged).to.include({ error: "graph-node failed (STORE_ERROR)", failure: "STORE_ERROR", message: storeError });
  });

  it("keeps delivering to other listeners when one throws", async function () {
    const source = new MetaSource();
    const watcher = new HeadWatcher(source, { logger: silentLogger });
    const seen: number[] = [];
    watcher.subscribe(() => {
      throw new Error("broken listener");
    });
    watcher.subscribe((head) => {
      seen.push(head.number);
    });
    await watcher.refresh();
    await watcher.stop();
    expect(seen).to.deep.equal([1]);
  });

  it("stop() gives up a poll the source never answers, aborting the signal it handed the source, and reports no source failure", async function () {
    // Without the abort the stop would wait forever: the test fails at this timeout.
    this.timeout(10_000);
    const source = new SilentSource();
    const lines: string[] = [];
    const watcher = new HeadWatcher(source, { logger: createJsonLogger({ level: "debug", write: (line) => lines.push(line) }) });
    watcher.start();
    await waitUntil(() => source.signals.length > 0, "the watcher polled");
    const polled = watcher.ensureHead().catch((error: unknown) => error);
    await watcher.stop();
    expect(source.signals.map((signal) => signal?.aborted)).to.deep.equal([true]);
    expect(await polled).to.be.instanceOf(SourceRequestAbortedError);
    expect(watcher.lastError).to.equal(null);
    expect(watcher.head).to.equal(null);
    expect(lines).to.deep.equal([]);
  });

  it("polls every 1000 ms unless told otherwise, as gateway/README.md documents (headPollMs: 1000)", function () {
    expect(new HeadWatcher(new MetaSource(), { logger: silentLogger }).pollIntervalMs).to.equal(1000);
    expect(new HeadWatcher(new MetaSource(), { logger: silentLogger, pollIntervalMs: 250 }).pollIntervalMs).to.equal(250);
  });

  it("once started, notices a new head by polling on its own", async function () {
    const source = new MetaSource();
    const watcher = new HeadWatcher(source, { logger: silentLogger, pollIntervalMs: 5 });
    const seen: number[] = [];
    watcher.subscribe((head) => {
      seen.push(head.number);
    });
    watcher.start();
    try {
      await waitUntil(() => watcher.head?.number === 1, "the first poll saw block 1");
      source.block = 2;
      await waitUntil(() => watcher.head?.number === 2, "a later poll saw block 2");
    } finally {
      await watcher.stop();
    }
    expect(seen).to.deep.equal([1, 2]);
  });

  it("keeps polling through the source's failures and notices the head once it answers", async function () {
    const source = new MetaSource();
    source.down = true;
    const watcher = new HeadWatcher(source, { logger: silentLogger, pollIntervalMs: 5 });
    watcher.start();
    try {
      await waitUntil(() => watcher.lastError !== null, "a poll failed");
      source.down = false;
      await waitUntil(() => watcher.head?.number === 1, "a poll after the failure saw block 1");
    } finally {
      await watcher.stop();
    }
    expect(watcher.lastError).to.equal(null);
  });

  describe("a head whose _meta has no block time", function () {
    it("takes its time from the chain RPC, asked once per new head, and keeps the source's parent hash", async function () {
      const source = new MetaSource();
      source.timed = false;
      const asked: string[] = [];
      const watcher = new HeadWatcher(source, {
        logger: silentLogger,
        chainBlockOf: async (hash) => {
          asked.push(hash);
          return { parentHash: "0xfrom-the-chain", timestamp: 5000 + Number(hash) };
        },
      });
      expect(await watcher.refresh()).to.deep.include({ number: 1, parentHash: "0x0", timestamp: 5001 });
      expect(await watcher.refresh()).to.deep.include({ number: 1, parentHash: "0x0", timestamp: 5001 });
      source.block = 2;
      expect(await watcher.refresh()).to.deep.include({ number: 2, parentHash: "0x1", timestamp: 5002 });
      expect(asked).to.deep.equal(["0x1", "0x2"]);
    });

    it("has none where the chain RPC cannot give it, and keeps polling", async function () {
      const source = new MetaSource();
      source.timed = false;
      const watcher = new HeadWatcher(source, { logger: silentLogger, chainBlockOf: () => Promise.reject(new Error("RPC down")) });
      expect(await watcher.refresh()).to.deep.include({ number: 1, timestamp: null });
      expect(watcher.lastError).to.equal(null);
    });

    it("asks the chain RPC nothing where the source gives the head's time and parent hash", async function () {
      const asked: string[] = [];
      const watcher = new HeadWatcher(new MetaSource(), {
        logger: silentLogger,
        chainBlockOf: async (hash) => {
          asked.push(hash);
          return null;
        },
      });
      expect(await watcher.refresh()).to.deep.include({ number: 1, parentHash: "0x0", timestamp: 1001 });
      expect(asked).to.deep.equal([]);
    });
  });

  describe("against a graph-node older than v0.35 (no _meta.block.parentHash)", function () {
    /** Answers `_meta` as graph-node 0.34 does: a query of parentHash is refused as its validation refuses it. */
    let server: http.Server | null = null;
    let url = "";
    let block = 7;
    const queries: string[] = [];
    const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
    const parentOf = (hash: string) => `0xparent-of-${hash.slice(-4)}`;

    beforeEach(async function () {
      block = 7;
      queries.length = 0;
      const fake = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          const { query } = JSON.parse(body) as { query: string };
          queries.push(query);
          const answer = query.includes("parentHash")
            ? { errors: [{ locations: [{ line: 1, column: 35 }], message: "Type `_Block_` has no field `parentHash`" }] }
            : { data: { _meta: { block: { number: block, hash: hashOf(block), timestamp: 1000 + block }, hasIndexingErrors: false, deployment: "Qm" } } };
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
        });
      });
      server = fake;
      await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/subgraphs/name/latent`;
    });

    afterEach(async function () {
      const closing = server;
      server = null;
      if (closing !== null) await new Promise<void>((resolve) => closing.close(() => resolve()));
    });

    it("asks for parentHash once, logs the refusal, and takes the parent hash from the chain RPC", async function () {
      const lines: string[] = [];
      const asked: string[] = [];
      const watcher = new HeadWatcher(new HttpSubgraphSource({ url }), {
        logger: createJsonLogger({ level: "warn", write: (line) => lines.push(line) }),
        chainBlockOf: async (hash) => {
          asked.push(hash);
          return { parentHash: parentOf(hash), timestamp: 1 };
        },
      });
      // The source's time, not the chain's: the source says it.
      expect(await watcher.refresh()).to.deep.include({ number: 7, hash: hashOf(7), parentHash: parentOf(hashOf(7)), timestamp: 1007 });
      block = 8;
      expect((await watcher.refresh()).parentHash).to.equal(parentOf(hashOf(8)));
      await watcher.refresh();
      expect(queries.filter((q) => q.includes("parentHash"))).to.have.length(1);
      expect(asked).to.deep.equal([hashOf(7), hashOf(8)]);
      expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).to.deep.equal([
        "the subgraph source's _meta has no block parentHash (graph-node before v0.35)",
      ]);
      expect(watcher.lastError).to.equal(null);
    });

    it("stop() gives up a poll waiting on the chain RPC for the head's parent hash, aborting the signal it handed it, and logs no failure", async function () {
      this.timeout(10_000);
      const lines: string[] = [];
      const signals: AbortSignal[] = [];
      const watcher = new HeadWatcher(new HttpSubgraphSource({ url }), {
        logger: createJsonLogger({ level: "warn", write: (line) => lines.push(line) }),
        // A chain RPC that never answers, and a read that does not hear its signal.
        chainBlockOf: (_hash, signal) => {
          signals.push(signal);
          return new Promise<ChainBlockHeader | null>(() => undefined);
        },
      });
      watcher.start();
      await waitUntil(() => signals.length > 0, "the watcher asked the chain for a parent hash");
      await watcher.stop();
      expect(signals.map((signal) => signal.aborted)).to.deep.equal([true]);
      expect(watcher.head).to.equal(null);
      expect(watcher.lastError).to.equal(null);
      expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).to.deep.equal([
        "the subgraph source's _meta has no block parentHash (graph-node before v0.35)",
      ]);
    });

    it("without a chain RPC, follows the head with no parent hash", async function () {
      const watcher = new HeadWatcher(new HttpSubgraphSource({ url }), { logger: silentLogger });
      expect(await watcher.refresh()).to.deep.include({ number: 7, hash: hashOf(7), parentHash: null });
      block = 9;
      expect(await watcher.refresh()).to.deep.include({ number: 9, parentHash: null });
    });

    it("takes no parent hash for a head whose parent the chain RPC cannot give, and keeps polling", async function () {
      const watcher = new HeadWatcher(new HttpSubgraphSource({ url }), {
        logger: silentLogger,
        chainBlockOf: () => Promise.reject(new Error("RPC down")),
      });
      expect(await watcher.refresh()).to.deep.include({ number: 7, parentHash: null });
      expect(watcher.lastError).to.equal(null);
    });
  });
});

describe("the head watcher of an embedded index that failed", function () {
  /** An index stopped at block 10 (its head), whose pointer of block 9 may be gone: `_meta` by hash is then refused. */
  class FailedSource implements SubgraphSource {
    readonly kind: SourceKind = "embedded";
    readonly asked: string[] = [];
    constructor(private readonly keepsPointer: boolean) {}
    failedBlock(): number {
      return 10;
    }
    async request<TData>(query: string): Promise<TData> {
      this.asked.push(query.replace(/\{ block \{.*$/, "").trim());
      const meta = (block: Record<string, unknown>, hasIndexingErrors: boolean) => ({ _meta: { block, hasIndexingErrors, deployment: "d" } }) as TData;
      if (query.includes('hash: "0x09"')) {
        if (!this.keepsPointer) throw new SourceError("embedded indexer query failed", "no block with that hash found");
        return meta({ number: 9, hash: "0x09", parentHash: "0x08", timestamp: 1009 }, false);
      }
      if (query.includes("number: 9")) return meta({ number: 9, hash: null, parentHash: null, timestamp: null }, false);
      return meta({ number: 10, hash: "0x0a", parentHash: "0x09", timestamp: 1010 }, true);
    }
    async close(): Promise<void> {}
  }

  it("serves the block before the failing one by its hash, the failing head's parent hash, with its time and parent hash", async function () {
    const head = await new HeadWatcher(new FailedSource(true), { logger: silentLogger }).refresh();
    expect(head).to.include({ number: 9, hash: "0x09", parentHash: "0x08", timestamp: 1009, hasIndexingErrors: true });
  });

  it("reads that block by number, naming no hash, where the index no longer keeps its pointer", async function () {
    const source = new FailedSource(false);
    const head = await new HeadWatcher(source, { logger: silentLogger }).refresh();
    expect(head).to.include({ number: 9, hash: null, timestamp: null, hasIndexingErrors: true });
    expect(source.asked).to.deep.equal(["{ _meta", '{ _meta(block: { hash: "0x09" })', "{ _meta(block: { number: 9 })"]);
  });
});

describe("the head watcher of a graph-node deployment that failed deterministically", function () {
  it("serves the block before the failing one by its hash, the failing head's parent hash, with its time and parent hash", async function () {
    // The status API says the deployment failed at block 41, where graph-node moved its head.
    const node = await failedGraphNode();
    try {
      const source = new HttpSubgraphSource({ url: node.subgraphUrl, statusUrl: node.statusUrl });
      const head = await new HeadWatcher(source, { logger: silentLogger }).refresh();
      const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
      expect(head).to.include({ number: 40, hash: hashOf(40), parentHash: hashOf(39), timestamp: 1040, hasIndexingErrors: true });
      await source.close();
    } finally {
      await node.close();
    }
  });
});
