// The indexer benchmark's end-to-end phase, in a process of its own: the indexer then starts on an empty heap, as it
// does in production, and the peak RSS it reports is the indexer's alone, not what the benchmark's earlier phases
// (fetched ranges, the processing passes) left behind. It runs with the heap limit of the indexer's worker thread
// (see worker/protocol.ts, maxHeapMb), as V8 sizes an uncapped heap at up to four times its live objects.
//
//   ts-node scripts/bench/indexer-e2e-run.ts --subgraph <build dir> --rpc <url> --db <file>
//
// Prints one line `E2E <json>` (see EndToEndRun), timed from Indexer.open to the end of the pass (module loading and
// ts-node's compilation are not counted), then exits.
import { performance } from "node:perf_hooks";
import { Indexer, type ProgressEvent } from "../../subgraph/indexer/indexer";

export interface EndToEndRun {
  seconds: number;
  /** CPU seconds (user + system) of this process during the run. */
  cpu: number;
  events: number;
  failed: boolean;
  fatalError: string | null;
  /** This process's peak resident set, in MiB. */
  peakRssMb: number;
}

function flag(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i < 0 ? undefined : process.argv[i + 1];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const options = { subgraph: flag("--subgraph"), rpc: flag("--rpc"), db: flag("--db") };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const indexer = await Indexer.open(options);
  let events = 0;
  indexer.on("progress", (p: ProgressEvent) => (events = p.totalEvents));
  let status;
  try {
    status = await indexer.syncOnce();
  } finally {
    await indexer.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const run: EndToEndRun = {
    seconds,
    cpu: (cpu.user + cpu.system) / 1e6,
    events,
    failed: status.failed,
    fatalError: status.fatalError?.message ?? null,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`E2E ${JSON.stringify(run)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
