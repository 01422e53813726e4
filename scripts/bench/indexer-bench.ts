// `npm run bench:indexer [-- --events N]`
//
// Fills a local chain with the scenario driver's workload and the project's real subgraph (scenario-chain.ts, in a
// child process: the node gets a core of its own), then measures in one run:
//   1. the fetch ceiling: eth_getLogs plus the blocks/transactions the indexer needs, decoded, nothing else;
//   2. the processing rate: mappings and store from the already-fetched data, for several WASM instance-reuse
//      policies (a fresh instance per event is graph-node's model; the default policy gives the figure);
//   3. the end-to-end rate of the indexer from the RPC endpoint into a fresh database, in a process of its own
//      (indexer-e2e-run.ts), whose peak RSS is the figure reported;
// with the CPU seconds of this process and of the node, and the load average, around each phase (the machine is
// shared: wall-clock rates alone mislead). Ends with
// `RESULT events_per_s=… ceiling_events_per_s=… processing_events_per_s=… peak_rss_mb=…`.
// The chain runs in another process. The "peak RSS so far" of phase 2 is this process's, fetched data included.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadSubgraph, type SubgraphBuild } from "../../subgraph/indexer/manifest";
import { HttpRpc } from "../../subgraph/indexer/chain/rpc";
import { ChainFetcher, RangeSizer } from "../../subgraph/indexer/chain/fetcher";
import type { FetchedRange } from "../../subgraph/indexer/chain/types";
import { IndexerDatabase } from "../../subgraph/indexer/store/database";
import { EntityStore } from "../../subgraph/indexer/store/entity-store";
import { EntityCache } from "../../subgraph/indexer/store/entity-cache";
import { BlockProcessor, logFilterFor } from "../../subgraph/indexer/processor";
import { DEFAULT_INSTANCE_POLICY, type InstancePolicy } from "../../subgraph/indexer/runtime/mapping";
import { DEFAULT_MAX_HEAP_MB } from "../../subgraph/indexer/worker/protocol";
import { buildImports, HostState } from "../../subgraph/indexer/runtime/host";
import { Wasm } from "../../subgraph/indexer/runtime/wasm";
import { EventDecoder } from "../../subgraph/indexer/chain/abi-decoder";
import { rpcHexToBytes } from "../../subgraph/indexer/values/bytes";
import { AscHeap, type MappingExports } from "../../subgraph/indexer/runtime/asc-heap";
import { parseArgs, UsageError } from "../worker/args";
import type { ChainReady } from "./scenario-chain";
import type { EndToEndRun } from "./indexer-e2e-run";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The indexer's default. */
const REORG_THRESHOLD = 50;

function parseEvents(argv: string[]): number {
  // Strict like the worker's CLIs: a misspelt --event used to be ignored and the bench ran its 20,000 events.
  const text = parseArgs(argv, [{ name: "events", takesValue: true }]).get("events");
  if (text === undefined) return 20_000;
  const n = Number(text);
  if (!/^\d+$/.test(String(text)) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--events needs a positive integer (got ${String(text)})`);
  return n;
}

async function startChain(events: number, out: string): Promise<{ child: ChildProcess; ready: ChainReady }> {
  const script = path.join(REPO_ROOT, "scripts", "bench", "scenario-chain.ts");
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, "--events", String(events), "--out", out], {
    cwd: REPO_ROOT,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = await new Promise<ChainReady>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /READY (.+)\n/.exec(buffer);
      if (match) resolve(JSON.parse(match[1]!) as ChainReady);
    });
    child.once("exit", (code) => reject(new Error(`the chain process exited with ${code}`)));
  });
  return { child, ready };
}

/** The end-to-end phase, run by indexer-e2e-run.ts in a child process; see there. */
async function runEndToEnd(ready: ChainReady, db: string): Promise<EndToEndRun> {
  const script = path.join(REPO_ROOT, "scripts", "bench", "indexer-e2e-run.ts");
  // The heap limit of the worker thread the gateway and the CLI run the indexer in (worker/protocol.ts).
  const heapLimit = `--max-old-space-size=${DEFAULT_MAX_HEAP_MB}`;
  const child = spawn(process.execPath, [heapLimit, "-r", "ts-node/register/transpile-only", script, "--subgraph", ready.buildDir, "--rpc", ready.url, "--db", db], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const match = /^E2E (.+)$/m.exec(output);
  if (code !== 0 || match === null) throw new Error(`the end-to-end run exited with ${code}:\n${output}`);
  return JSON.parse(match[1]!) as EndToEndRun;
}

// --- what each phase cost ----------------------------------------------------------------------------------------

/** CPU seconds (user + system) this process has used so far. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds another process has used so far, from /proc (Linux; null elsewhere). */
function childCpuSeconds(pid: number | undefined): number | null {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface PhaseCost {
  seconds: number;
  cpu: number;
  nodeCpu: number | null;
  load: [number, number];
}

/** Runs one phase; `chainPid` (the node's process) when the phase talks to the node. */
async function measured<T>(chainPid: number | null, fn: () => T | Promise<T>): Promise<{ value: T; cost: PhaseCost }> {
  const load0 = os.loadavg()[0]!;
  const cpu0 = cpuSeconds();
  const node0 = chainPid === null ? null : childCpuSeconds(chainPid);
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const node1 = chainPid === null ? null : childCpuSeconds(chainPid);
  return {
    value,
    cost: {
      seconds,
      cpu: cpuSeconds() - cpu0,
      nodeCpu: node0 === null || node1 === null ? null : node1 - node0,
      load: [load0, os.loadavg()[0]!],
    },
  };
}

function describe(events: number, c: PhaseCost): string {
  const node = c.nodeCpu === null ? "" : `, node ${c.nodeCpu.toFixed(2)} s`;
  return `${events} events in ${c.seconds.toFixed(2)} s = ${(events / c.seconds).toFixed(0)} events/s (CPU: indexer ${c.cpu.toFixed(2)} s${node}; load ${c.load[0].toFixed(2)} -> ${c.load[1].toFixed(2)})`;
}

function rssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

// --- the three phases --------------------------------------------------------------------------------------------

/** The indexer's own range partitioning (final ranges, then every header within the reorg threshold), decoded. */
async function fetchAll(build: SubgraphBuild, url: string, to: number, reorgThreshold: number): Promise<{ ranges: FetchedRange[]; events: number }> {
  const fetcher = new ChainFetcher(new HttpRpc(url), logFilterFor(build));
  const sizer = new RangeSizer(1, 10_000, 100);
  // The indexer's own decoder, on the indexer's own byte conversion: "decoded" means what the mappings get.
  const byTopic = new Map(build.dataSources.flatMap((d) => d.eventHandlers.map((h) => [h.topic0, new EventDecoder(h.params)] as const)));
  const ranges: FetchedRange[] = [];
  let events = 0;
  const from = Math.min(...build.dataSources.map((d) => d.startBlock));
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
  return { ranges, events };
}

/**
 * Mappings + store only, from fetched ranges, committing once per range and building the query indexes once the last
 * range (within the reorg window) is in, like the indexer.
 */
function processAll(build: SubgraphBuild, ranges: readonly FetchedRange[], dbFile: string, policy: InstancePolicy): { events: number; instantiations: number } {
  const db = IndexerDatabase.open(dbFile);
  db.initialise({ chainId: "bench", genesisHash: "0x00", buildHash: build.buildHash, network: build.network }, build.schema);
  const cache = new EntityCache(new EntityStore(db.db, build.schema), build.schema);
  const processor = new BlockProcessor(build, cache, policy, () => undefined);
  let events = 0;
  for (const range of ranges) {
    db.db.exec("BEGIN IMMEDIATE");
    for (const block of range.blocks) events += processor.processBlock(block).events;
    db.db.exec("COMMIT");
  }
  db.createQueryIndexes(build.schema);
  db.close();
  return { events, instantiations: processor.runtimeStats().instantiations };
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

async function main(): Promise<void> {
  const target = parseEvents(process.argv.slice(2));
  const tmp = mkdtempSync(path.join(os.tmpdir(), "latent-indexer-bench-"));
  const { child, ready } = await startChain(target, path.join(tmp, "subgraph"));
  try {
    const top = Object.entries(ready.byEvent).sort((a, b) => b[1] - a[1]);
    console.log(
      `workload: ${ready.events} events in ${ready.head} blocks (${ready.blocks.fullScenario} of them the full scenario; ${ready.providers} bulk providers, ${ready.jobs} bulk jobs created -> settled), ${top.length} distinct handlers, generated in ${ready.generateSeconds.toFixed(1)} s`,
    );
    console.log(`  ${top.slice(0, 12).map(([name, n]) => `${name} ${n}`).join(", ")}, …`);
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const build = loadSubgraph(ready.buildDir);

    // 1. Fetch ceiling.
    const fetch = await measured(child.pid!, () => fetchAll(build, ready.url, ready.head, REORG_THRESHOLD));
    const ceiling = fetch.value.events / fetch.cost.seconds;
    console.log(`fetch ceiling: ${describe(fetch.value.events, fetch.cost)}, ${fetch.value.ranges.length} ranges`);
    if (fetch.value.events !== ready.events) throw new Error(`fetched ${fetch.value.events} events, the chain has ${ready.events}`);

    // 2. Processing, per instance policy.
    console.log(`WASM instantiate + _start: ${instantiationCost(build).toFixed(0)} µs`);
    const policies: Array<[string, InstancePolicy]> = [
      ["a new instance per event (graph-node)", { ...DEFAULT_INSTANCE_POLICY, maxTriggersPerInstance: 1 }],
      ["a new instance every 100 events, reset between them", { ...DEFAULT_INSTANCE_POLICY, maxTriggersPerInstance: 100 }],
      ["one instance, reset between events (default)", DEFAULT_INSTANCE_POLICY],
    ];
    let processing = 0;
    for (const [i, [label, policy]] of policies.entries()) {
      const r = await measured(null, () => processAll(build, fetch.value.ranges, path.join(tmp, `processing-${i}.sqlite`), policy));
      if (r.value.events !== ready.events) throw new Error(`processing ran ${r.value.events} handlers for ${ready.events} events`);
      if (policy === DEFAULT_INSTANCE_POLICY) processing = r.value.events / r.cost.seconds;
      console.log(`processing, ${label}: ${describe(r.value.events, r.cost)}, ${r.value.instantiations} instances, peak RSS so far ${rssMb().toFixed(0)} MB`);
    }

    // 3. End to end: the indexer in a process of its own, from the RPC endpoint into a fresh database.
    const load0 = os.loadavg()[0]!;
    const node0 = childCpuSeconds(child.pid);
    const e2e = await runEndToEnd(ready, path.join(tmp, "e2e.sqlite"));
    const node1 = childCpuSeconds(child.pid);
    if (e2e.failed || e2e.events !== ready.events) {
      throw new Error(`end-to-end run is wrong: failed=${e2e.failed} ${e2e.fatalError ?? ""}, ${e2e.events} events for ${ready.events}`);
    }
    const e2eCost: PhaseCost = {
      seconds: e2e.seconds,
      cpu: e2e.cpu,
      nodeCpu: node0 === null || node1 === null ? null : node1 - node0,
      load: [load0, os.loadavg()[0]!],
    };
    const endToEnd = ready.events / e2e.seconds;
    console.log(`end to end: ${describe(ready.events, e2eCost)} = ${(endToEnd / ceiling).toFixed(2)} of the fetch ceiling; indexer peak RSS ${e2e.peakRssMb.toFixed(0)} MB`);
    console.log(
      `RESULT events_per_s=${endToEnd.toFixed(0)} ceiling_events_per_s=${ceiling.toFixed(0)} processing_events_per_s=${processing.toFixed(0)} peak_rss_mb=${e2e.peakRssMb.toFixed(0)}`,
    );
  } finally {
    child.kill("SIGTERM");
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench:indexer: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
