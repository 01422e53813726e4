// The embedded source: which of its indexer's moves it pushes to the head watcher; and when the indexer's worker
// thread dies, the gateway logs it, reports indexing errors (so it is not ready) while no worker follows the chain,
// and follows it again once the handle has started a new worker; and what its indexer logs as it opens reaches the gateway log.
import { expect } from "chai";
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import * as path from "node:path";
import type { GatewayRuntime } from "../../../gateway/src/gateway";
import { readyz } from "../../../gateway/src/http/health";
import { indexingStatus } from "../../../gateway/src/services/indexing";
import { startGateway } from "../../../gateway/src";
import { silentLogger } from "../../../gateway/src/logger";
import { EmbeddedSubgraphSource, onIndexedHead } from "../../../gateway/src/sources/embedded-source";
import { HeadWatcher } from "../../../gateway/src/sources/head-watcher";
import { Indexer, type RestartPolicy } from "../../../subgraph/indexer";
import type { IndexerWorkerEvents } from "../../../subgraph/indexer/worker/handle";
import { waitUntil } from "../../helpers/wait";
import { indexedEmbeddedRuntime } from "../helpers/embedded-runtime";
import { environment } from "../helpers/environment";
import { probeBuildDir, registerProvider } from "../../subgraph/indexer/helpers/probe";
import { useProbeFixture } from "../../subgraph/indexer/helpers/use-probe-fixture";

describe("the embedded source's pushes to the head watcher", function () {
  it("tells of each commit, the end of a sync, and a reorganisation's rollback to the common ancestor", function () {
    const worker = new EventEmitter<IndexerWorkerEvents>();
    const told: number[] = [];
    const stop = onIndexedHead(worker, (block) => told.push(block));
    const pointer = (number: number) => ({ number, hash: `0x${number.toString(16).padStart(64, "0")}`, timestamp: 1_000 + number, parentHash: null });
    worker.emit("progress", { checkpoint: pointer(10), head: 10, lag: 0, blocksPerSecond: 1, eventsPerSecond: 0, totalBlocks: 10, totalEvents: 0 });
    // Nothing indexed on the new branch yet: until its first commit, the index's head is the ancestor.
    worker.emit("reorg", { from: pointer(10), to: pointer(8) });
    stop();
    worker.emit("reorg", { from: pointer(9), to: pointer(7) });
    expect(told).to.deep.equal([10, 8]);
  });
});

describe("the embedded source when its indexer worker dies", function () {
  const runtimes: GatewayRuntime[] = [];

  after(async function () {
    for (const runtime of runtimes) await runtime.close();
  });

  /** A gateway runtime on its own database, indexed up to the chain's head; `lines` collects its log. */
  async function embeddedRuntime(
    name: string,
    restart: RestartPolicy | false,
    lines: string[],
    now?: () => number,
  ): Promise<{ runtime: GatewayRuntime; source: EmbeddedSubgraphSource }> {
    const served = await indexedEmbeddedRuntime(name, restart, lines, now);
    runtimes.push(served.runtime);
    return served;
  }

  it("logs the death with its cause and stops reporting itself ready, serving what was indexed", async function () {
    const lines: string[] = [];
    const { runtime, source } = await embeddedRuntime("dies", false, lines);
    expect(await indexingStatus(runtime.services)).to.include({ ready: true, hasIndexingErrors: false });
    source.worker.crash("throw");
    await waitUntil(async () => (await indexingStatus(runtime.services)).hasIndexingErrors, "the gateway reported indexing errors");
    expect(await indexingStatus(runtime.services)).to.include({ ready: false, hasIndexingErrors: true });
    const failures = lines
      .map((line) => JSON.parse(line) as { level: string; msg: string; error?: unknown })
      .filter((record) => record.msg === "indexer worker failed");
    expect(failures.map(({ level, error }) => ({ level, error }))).to.deep.equal([
      {
        level: "error",
        error: {
          name: "IndexerWorkerDiedError",
          message: "the indexer worker thread died (exit code 1): Error: the indexer worker was told to crash (IndexerWorker.crash); it is not restarted",
          cause: { name: "Error", message: "the indexer worker was told to crash (IndexerWorker.crash)" },
        },
      },
    ]);
    const { providers } = await runtime.source.request<{ providers: unknown[] }>(`{ providers(first: 1) { id } }`);
    expect(providers).to.have.length(1);
  });

  /** What /readyz answers now. */
  async function askReadyz(runtime: GatewayRuntime): Promise<{ status: number; body: { ready: boolean; reason: string } }> {
    let answered: { status: number; body: { ready: boolean; reason: string } } | null = null;
    const res = {
      headersSent: false,
      writeHead(status: number) {
        answered = { status, body: answered?.body ?? { ready: true, reason: "" } };
        return this;
      },
      end(text: string) {
        answered = { status: answered!.status, body: JSON.parse(text) as { ready: boolean; reason: string } };
      },
    };
    await readyz(res as unknown as ServerResponse, runtime.services);
    return answered!;
  }

  it("answers /readyz 503 with the thread's death and its restart as the reason while no indexer worker runs", async function () {
    // A backoff no test waits out, on a clock that stands still: the thread stays dead while /readyz is asked.
    const now = Date.now();
    const { runtime, source } = await embeddedRuntime("readyz-dies", { initialDelayMs: 600_000, maxDelayMs: 600_000 }, [], () => now);
    source.worker.crash("throw");
    await waitUntil(async () => (await indexingStatus(runtime.services)).hasIndexingErrors, "the gateway reported indexing errors");
    const answered = await askReadyz(runtime);
    const died = source.worker.status().indexerError;
    expect(died).to.match(/^the indexer worker thread died \(exit code 1\): Error: the indexer worker was told to crash \(IndexerWorker\.crash\)$/);
    const left = Math.ceil((source.worker.status().restartAt! - now) / 1000);
    expect(answered).to.deep.include({ status: 503 });
    expect(answered.body).to.include({ ready: false, reason: `the indexer is not running: ${died}; restarting it in ${left} s` });
  });

  it("gives in /readyz's reason and indexingStatus the time left until the restart when they are read, not the delay at the death", async function () {
    let now = Date.now();
    const { runtime, source } = await embeddedRuntime("readyz-later", { initialDelayMs: 600_000, maxDelayMs: 600_000 }, [], () => now);
    source.worker.crash("throw");
    await waitUntil(async () => (await indexingStatus(runtime.services)).hasIndexingErrors, "the gateway reported indexing errors");
    // Four minutes on: the restart, 600 s after the death, is due in 6 minutes at most.
    now = source.worker.status().restartAt! - 360_000;
    const { body } = await askReadyz(runtime);
    expect(body.reason).to.match(/; restarting it in 360 s$/);
    expect(body.reason).to.not.include("600000");
    expect((await indexingStatus(runtime.services)).indexerRestart).to.deep.equal({ reason: source.worker.status().indexerError, inSeconds: 360 });
  });

  it("says in indexingStatus why the thread stopped and in how many seconds the new one is due", async function () {
    const { runtime, source } = await embeddedRuntime("restart-due", { initialDelayMs: 600_000, maxDelayMs: 600_000 }, []);
    expect((await indexingStatus(runtime.services)).indexerRestart).to.equal(null);
    source.worker.crash("throw");
    await waitUntil(async () => (await indexingStatus(runtime.services)).hasIndexingErrors, "the gateway reported indexing errors");
    const { indexerRestart } = await indexingStatus(runtime.services);
    expect(indexerRestart?.reason).to.equal(source.worker.status().indexerError);
    expect(indexerRestart?.inSeconds).to.be.within(1, 600);
  });

  it("says in indexingStatus that no restart is due for a thread that is not restarted", async function () {
    const { runtime, source } = await embeddedRuntime("no-restart", false, []);
    source.worker.crash("throw");
    await waitUntil(async () => (await indexingStatus(runtime.services)).hasIndexingErrors, "the gateway reported indexing errors");
    expect(await indexingStatus(runtime.services)).to.include({ hasIndexingErrors: true, indexerRestart: null });
  });

  it("follows the chain again once a new worker runs, and is ready again", async function () {
    const lines: string[] = [];
    const { runtime, source } = await embeddedRuntime("restarts", { initialDelayMs: 50 }, lines);
    const restarted = new Promise<void>((resolve) => source.worker.once("restarted", () => resolve()));
    source.worker.crash("exit");
    await restarted;
    const env = await environment();
    await env.chain.ethers.send("evm_mine", []);
    const head = await env.chain.blockNumber();
    await waitUntil(async () => (await indexingStatus(runtime.services)).indexedBlock >= head, `the gateway indexed block ${head}`);
    expect(await indexingStatus(runtime.services)).to.include({ ready: true, hasIndexingErrors: false });
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).to.include.members(["indexer worker failed", "indexer worker restarted"]);
  });
});

describe("the embedded source's log", function () {
  const runtimes: GatewayRuntime[] = [];

  after(async function () {
    for (const runtime of runtimes) await runtime.close();
  });

  // What the indexer logs while its worker thread opens reaches no listener attached once the start resolves.
  it("writes what its indexer logs while it opens to the gateway log: a database of another subgraph build that it starts over", async function () {
    const env = await environment();
    const db = path.join(env.tmpDir, "another-build.sqlite");
    // The database of another build of a subgraph, on the same chain.
    await (await Indexer.open({ subgraph: await probeBuildDir(), rpc: env.chain.url, db })).close();
    const lines: string[] = [];
    const { runtime } = await indexedEmbeddedRuntime("another-build", false, lines);
    runtimes.push(runtime);
    const startedOver = lines
      .map((line) => JSON.parse(line) as { level: string; msg: string; component?: string })
      .filter((record) => record.msg.includes("starting over"))
      .map(({ level, component, msg }) => ({ level, component, msg }));
    expect(startedOver).to.deep.equal([{ level: "warn", component: "indexer", msg: `database ${db} belonged to another chain or subgraph build: starting over` }]);
  });
});

describe("the embedded source of a subgraph that failed", function () {
  this.timeout(120_000);
  const sources: EmbeddedSubgraphSource[] = [];
  after(async function () {
    for (const source of sources) await source.close();
  });
  // Registered after the hook above: the sources stop before the chain they read closes.
  const fx = useProbeFixture();
  const deployment = () => ({ network: "hardhat", chainId: 31337, contracts: { Probe: { address: fx.probe.address, blockNumber: 0 } } });
  /** The block whose handler fails: every index of this chain stops there. */
  let failing: number;
  before(async function () {
    await registerProvider(fx.probe, fx.chain.accounts[1]!, "before", 1n, 1);
    await fx.probe.send("probe", [1, "embedded boom"]);
    failing = await fx.chain.blockNumber();
  });

  it("is served at the block before the failing one, as graph-node's: its head is the failing block, whose reads answer indexing_error alone", async function () {
    const source = await EmbeddedSubgraphSource.start({
      rpcUrl: fx.chain.url,
      deployment: deployment(),
      dbPath: fx.dbPath("embedded-failed.sqlite"),
      subgraphBuildDir: fx.buildDir,
      pollIntervalMs: 50,
      logger: silentLogger,
    });
    sources.push(source);
    await waitUntil(() => source.failedBlock() !== null, "the subgraph failed");
    expect(source.failedBlock()).to.equal(failing);
    // The index's head is the failing block: its reads answer the error alone.
    expect(await source.request(`{ _meta { block { number } hasIndexingErrors } }`)).to.deep.equal({ _meta: { block: { number: failing }, hasIndexingErrors: true } });
    const error = await source.request(`{ providers { name } }`).catch((e: unknown) => e);
    expect(error).to.have.property("detail", "the embedded indexer answered with an error: indexing_error");

    const watcher = new HeadWatcher(source, { logger: silentLogger });
    const head = await watcher.refresh();
    expect(head).to.include({ number: failing - 1, hasIndexingErrors: true });
    // What the gateway reads at the head it serves answers, as of the last block indexed whole, by number and by hash.
    for (const block of [{ number: head.number }, { hash: head.hash }]) {
      expect(await source.request(`query ($block: Block_height) { providers(block: $block) { name } }`, { block })).to.deep.equal({
        providers: [{ name: "before" }],
      });
    }
  });

  it("names the hash, time and parent hash of the block before the failing one, as the chain has them, from the indexer's block pointers", async function () {
    const source = await EmbeddedSubgraphSource.start({
      rpcUrl: fx.chain.url,
      deployment: deployment(),
      dbPath: fx.dbPath("embedded-failed-pointer.sqlite"),
      subgraphBuildDir: fx.buildDir,
      pollIntervalMs: 50,
      logger: silentLogger,
    });
    sources.push(source);
    await waitUntil(() => source.failedBlock() !== null, "the subgraph failed");
    const head = await new HeadWatcher(source, { logger: silentLogger }).refresh();
    const response = await fetch(fx.chain.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: [`0x${(failing - 1).toString(16)}`, false] }),
    });
    const { result } = (await response.json()) as { result: { hash: string; parentHash: string; timestamp: string } };
    expect({ number: head.number, hash: head.hash, parentHash: head.parentHash, timestamp: head.timestamp }).to.deep.equal({
      number: failing - 1,
      hash: result.hash,
      parentHash: result.parentHash,
      timestamp: Number(result.timestamp),
    });
  });

  it("makes the gateway not ready, saying the indexer stopped on an error, at the block before the failing one", async function () {
    const handle = await startGateway({
      source: {
        rpcUrl: fx.chain.url,
        deployment: deployment(),
        dbPath: fx.dbPath("gateway-failed.sqlite"),
        subgraphBuildDir: fx.buildDir,
        indexerPollMs: 50,
      },
      chain: null,
      port: 0,
      logger: silentLogger,
    });
    try {
      type Ready = { status: number; body: { ready: boolean; hasIndexingErrors: boolean; indexedBlock: number; reason: string } };
      const ask = async (): Promise<Ready> => {
        const response = await fetch(new URL("/readyz", handle.url));
        return { status: response.status, body: (await response.json()) as Ready["body"] };
      };
      await waitUntil(async () => (await ask()).body.hasIndexingErrors, "the gateway reports the failure");
      const { status, body } = await ask();
      expect([status, body.ready, body.hasIndexingErrors, body.indexedBlock, body.reason]).to.deep.equal([
        503,
        false,
        true,
        failing - 1,
        "the indexer stopped on an error",
      ]);
    } finally {
      await handle.stop();
    }
  });
});
