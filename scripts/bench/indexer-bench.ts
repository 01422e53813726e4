// `npm run bench:indexer [-- --events N --per-tx 25 --txs-per-block 4]`
//
// Generates events on a local chain (a Hardhat node in a child process), then measures in one run:
//   1. the fetch ceiling: eth_getLogs plus the blocks/transactions the indexer needs, decoded, nothing else;
//   2. the processing rate: mappings and store from the already-fetched data, for several WASM instance-reuse
//      policies (a fresh instance per event is graph-node's model);
//   3. the end-to-end rate of the indexer from the RPC endpoint into a fresh database;
// and ends with `RESULT events_per_s=… ceiling_events_per_s=… processing_events_per_s=… peak_rss_mb=…`.
// The event generator is a pluggable function: the project's scenario driver can replace `probeBatches`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import hre from "hardhat";
import { getCreateAddress, Interface, type InterfaceAbi } from "ethers";
import { buildProbeSubgraph, REPO_ROOT } from "../fixtures/probe-subgraph";
import { Indexer } from "../../subgraph/indexer/indexer";
import { loadSubgraph, type SubgraphBuild } from "../../subgraph/indexer/manifest";
import { HttpRpc } from "../../subgraph/indexer/chain/rpc";
import { ChainFetcher, RangeSizer } from "../../subgraph/indexer/chain/fetcher";
import type { FetchedRange } from "../../subgraph/indexer/chain/types";
import { IndexerDatabase } from "../../subgraph/indexer/store/database";
import { EntityStore } from "../../subgraph/indexer/store/entity-store";
import { EntityCache } from "../../subgraph/indexer/store/entity-cache";
import { BlockProcessor, logFilterFor } from "../../subgraph/indexer/processor";
import { DEFAULT_INSTANCE_POLICY, type InstancePolicy } from "../../subgraph/indexer/runtime/mapping";
import { buildImports, HostState } from "../../subgraph/indexer/runtime/host";
import { Wasm } from "../../subgraph/indexer/runtime/wasm";
import { EventDecoder } from "../../subgraph/indexer/chain/abi-decoder";
import { rpcHexToBytes } from "../../subgraph/indexer/values/bytes";
import { AscHeap, type MappingExports } from "../../subgraph/indexer/runtime/asc-heap";

// --- pluggable event generation ------------------------------------------------------------------------------

export interface ChainClient {
  rpc: HttpRpc;
  accounts: string[];
}

export interface GeneratedEvents {
  /** The subgraph build directory to index (built for the contracts the generator deployed). */
  buildDir: string;
  firstBlock: number;
  lastBlock: number;
  events: number;
}

export type EventGenerator = (client: ChainClient, events: number) => Promise<GeneratedEvents>;

interface BenchArgs {
  events: number;
  perTx: number;
  txsPerBlock: number;
}

function parseArgs(argv: string[]): BenchArgs {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
    return n;
  };
  return { events: value("--events", 20_000), perTx: value("--per-tx", 25), txsPerBlock: value("--txs-per-block", 4) };
}

/** The default generator: IndexerProbe.emitBatch, `perTx` events per transaction, `txsPerBlock` per block. */
export function probeBatches(perTx: number, txsPerBlock: number): EventGenerator {
  return async ({ rpc, accounts }, total) => {
    const artifact = await hre.artifacts.readArtifact("IndexerProbe");
    const from = accounts[0]!;
    const nonce = Number(await rpc.request<string>("eth_getTransactionCount", [from, "latest"]));
    await rpc.request("eth_sendTransaction", [{ from, data: artifact.bytecode }]);
    const address = getCreateAddress({ from, nonce });
    const buildDir = await buildProbeSubgraph({ address, startBlock: 0 });
    const iface = new Interface(artifact.abi as InterfaceAbi);
    const firstBlock = Number(await rpc.request<string>("eth_blockNumber", [])) + 1;
    await rpc.request("evm_setAutomine", [false]);
    let seq = 0;
    while (seq < total) {
      for (let t = 0; t < txsPerBlock && seq < total; t++) {
        const count = Math.min(perTx, total - seq);
        const data = iface.encodeFunctionData("emitBatch", [seq, count, 500]);
        await rpc.request("eth_sendTransaction", [{ from, to: address, data, gas: "0x" + (60_000 + count * 12_000).toString(16) }]);
        seq += count;
      }
      await rpc.request("evm_mine", []);
    }
    await rpc.request("evm_setAutomine", [true]);
    const lastBlock = Number(await rpc.request<string>("eth_blockNumber", []));
    return { buildDir, firstBlock, lastBlock, events: total };
  };
}

// --- measurements ----------------------------------------------------------------------------------------------

async function startChain(): Promise<{ child: ChildProcess; url: string }> {
  const script = path.join(REPO_ROOT, "scripts", "bench", "local-chain-server.ts");
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, "--port", "0"], {
    cwd: REPO_ROOT,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /READY (\S+)/.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`chain server exited with ${code}`)));
  });
  return { child, url };
}

/** The indexer's own range partitioning (final ranges, then every header within the reorg threshold). */
async function fetchAll(build: SubgraphBuild, url: string, from: number, to: number, reorgThreshold: number): Promise<{ ranges: FetchedRange[]; events: number; seconds: number; cpuSeconds: number }> {
  const fetcher = new ChainFetcher(new HttpRpc(url), logFilterFor(build));
  const sizer = new RangeSizer(1, 10_000, 100);
  // The indexer's own decoder, on the indexer's own byte conversion: "decoded" means what the mappings get.
  const byTopic = new Map(build.dataSources.flatMap((d) => d.eventHandlers.map((h) => [h.topic0, new EventDecoder(h.params)] as const)));
  const ranges: FetchedRange[] = [];
  let events = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const finalBoundary = to - reorgThreshold;
  for (let next = from; next <= to; ) {
    let end = Math.min(to, next + sizer.current - 1);
    if (next <= finalBoundary && end > finalBoundary) end = finalBoundary;
    const range = await fetcher.fetchRange(next, end, end > finalBoundary);
    sizer.succeeded(range.logCount);
    for (const block of range.blocks) {
      for (const log of block.logs) {
        const decoder = byTopic.get(log.topics[0]!);
        if (decoder) {
          decoder.decode(log.topics.map(rpcHexToBytes), rpcHexToBytes(log.data));
          events++;
        }
      }
    }
    ranges.push(range);
    next = end + 1;
  }
  return { ranges, events, seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSeconds(cpu) };
}

/** Mappings + store only, from fetched ranges, committing once per range like the indexer. */
function processAll(build: SubgraphBuild, ranges: readonly FetchedRange[], dbFile: string, policy: InstancePolicy): { events: number; seconds: number; cpuSeconds: number; instantiations: number } {
  const db = IndexerDatabase.open(dbFile);
  db.initialise({ chainId: "bench", genesisHash: "0x00", buildHash: build.buildHash, network: build.network }, build.schema);
  const cache = new EntityCache(new EntityStore(db.db, build.schema), build.schema);
  const processor = new BlockProcessor(build, cache, policy, () => undefined);
  let events = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const range of ranges) {
    db.db.exec("BEGIN IMMEDIATE");
    for (const block of range.blocks) events += processor.processBlock(block).events;
    db.db.exec("COMMIT");
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return { events, seconds, cpuSeconds: cpuSeconds(cpu), instantiations: processor.runtimeStats().instantiations };
}

function instantiationCost(build: SubgraphBuild): number {
  const ds = build.dataSources[0]!;
  const rounds = 300;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    const state = new HostState(ds, () => undefined);
    const instance = new Wasm.Instance(ds.wasm, buildImports(ds.wasm, state));
    state.heap = new AscHeap(instance.exports as unknown as MappingExports);
    (instance.exports._start as () => void)();
  }
  return ((performance.now() - start) / rounds) * 1000;
}

/** CPU time this process used since `since` (user + system), in seconds. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function rssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  if (process.env.BENCH_TRACE) {
    const fetchRange = ChainFetcher.prototype.fetchRange;
    const t0 = performance.now();
    ChainFetcher.prototype.fetchRange = async function (this: ChainFetcher, from: number, to: number, all: boolean) {
      const started = performance.now() - t0;
      const range = await fetchRange.call(this, from, to, all);
      console.log(`  fetched ${from}-${to} (${range.logCount} logs) ${started.toFixed(0)} -> ${(performance.now() - t0).toFixed(0)} ms`);
      return range;
    };
  }
  const args = parseArgs(process.argv.slice(2));
  await hre.run("compile", { quiet: true });
  const { child, url } = await startChain();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "latent-indexer-bench-"));
  try {
    const rpc = new HttpRpc(url);
    const accounts = await rpc.request<string[]>("eth_accounts", []);
    const generate: EventGenerator = probeBatches(args.perTx, args.txsPerBlock);
    let t = performance.now();
    const generated = await generate({ rpc, accounts }, args.events);
    const blocks = generated.lastBlock - generated.firstBlock + 1;
    console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} on ${os.cpus().length} cores`);
    console.log(`generated ${generated.events} events in ${blocks} blocks (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    const build = loadSubgraph(generated.buildDir);
    const head = generated.lastBlock;

    // 1. Fetch ceiling.
    let fetched: Awaited<ReturnType<typeof fetchAll>> | null = await fetchAll(build, url, 1, head, 50);
    const ceiling = fetched.events / fetched.seconds;
    console.log(
      `fetch ceiling: ${fetched.events} events in ${fetched.seconds.toFixed(2)} s = ${ceiling.toFixed(0)} events/s (${fetched.ranges.length} ranges, ${fetched.cpuSeconds.toFixed(2)} s CPU in this process)`,
    );

    // 2. Processing, per instance policy.
    console.log(`WASM instantiate + _start: ${instantiationCost(build).toFixed(0)} µs`);
    const policies: Array<[string, InstancePolicy]> = [
      ["fresh instance per event (graph-node)", { ...DEFAULT_INSTANCE_POLICY, maxTriggersPerInstance: 1 }],
      ["reuse within a block, new every 10 events", { ...DEFAULT_INSTANCE_POLICY, maxTriggersPerInstance: 10 }],
      ["reuse within a block, new every 100 events", { ...DEFAULT_INSTANCE_POLICY, maxTriggersPerInstance: 100 }],
      [`reuse within a block, new every ${DEFAULT_INSTANCE_POLICY.maxTriggersPerInstance} events (default)`, DEFAULT_INSTANCE_POLICY],
      ["reuse across blocks, new every 1000 events", { ...DEFAULT_INSTANCE_POLICY, maxTriggersPerInstance: 1000, reuseAcrossBlocks: true }],
    ];
    let processing = 0;
    for (const [label, policy] of policies) {
      const r = processAll(build, fetched.ranges, path.join(tmp, `processing-${policy.maxTriggersPerInstance}-${policy.reuseAcrossBlocks}.sqlite`), policy);
      const rate = r.events / r.seconds;
      if (policy === DEFAULT_INSTANCE_POLICY) processing = rate;
      console.log(
        `processing, ${label}: ${r.events} events in ${r.seconds.toFixed(2)} s = ${rate.toFixed(0)} events/s (${r.cpuSeconds.toFixed(2)} s CPU), ${r.instantiations} instances, peak RSS so far ${rssMb().toFixed(0)} MB`,
      );
    }

    // 3. End to end, without the fetched data of step 1 still on the heap.
    fetched = null;
    t = performance.now();
    const e2eCpu = process.cpuUsage();
    const indexer = await Indexer.open({ subgraph: generated.buildDir, rpc: url, db: path.join(tmp, "e2e.sqlite") });
    if (process.env.BENCH_TRACE) {
      indexer.on("progress", (p: { checkpoint: { number: number } }) => console.log(`  progress block ${p.checkpoint.number} at ${(performance.now() - t).toFixed(0)} ms`));
    }
    const status = await indexer.syncOnce();
    const seconds = (performance.now() - t) / 1000;
    const e2eCpuSeconds = cpuSeconds(e2eCpu);
    const counts = indexer.db.db.prepare('SELECT (SELECT count(*) FROM "ent_BatchEvent") AS batches, (SELECT count(*) FROM "ent_Account" WHERE __to = 2147483647) AS accounts').get() as { batches: number; accounts: number };
    await indexer.close();
    if (status.failed || counts.batches !== generated.events) {
      throw new Error(`end-to-end run is wrong: failed=${status.failed} ${status.fatalError?.message ?? ""}, ${counts.batches} BatchEvent rows for ${generated.events} events`);
    }
    const endToEnd = generated.events / seconds;
    console.log(
      `end to end: ${generated.events} events (${counts.accounts} accounts) in ${seconds.toFixed(2)} s = ${endToEnd.toFixed(0)} events/s = ${(endToEnd / ceiling).toFixed(2)} of the fetch ceiling (${e2eCpuSeconds.toFixed(2)} s CPU)`,
    );
    console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    console.log(
      `RESULT events_per_s=${endToEnd.toFixed(0)} ceiling_events_per_s=${ceiling.toFixed(0)} processing_events_per_s=${processing.toFixed(0)} peak_rss_mb=${rssMb().toFixed(0)}`,
    );
  } finally {
    child.kill("SIGTERM");
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
