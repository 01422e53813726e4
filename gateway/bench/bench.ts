// npm run bench:gateway [-- --providers 10000 --duration 20 --rate 200 --connections 16 --skip-uncached --data-dir <dir>]
//
// 1. A local chain (Hardhat node, own process); the protocol deployed and its full scenario run (so reputations
//    differ), then `--providers` providers registered with real transactions through the scenario driver, across
//    the catalogue's GPU models and regions.
// 2. The gateway (own process: embedded indexer in a worker thread) indexes them.
// 3. autocannon drives availableCompute (a realistic requirement set, first 20) while the chain mines a block a
//    second (each new block empties the gateway's per-block query cache, as on a live network):
//    - at a fixed rate (default 200 req/s) for latency, corrected for coordinated omission;
//    - flat out for throughput;
//    - flat out against the ceiling: the same server stack answering the same query from a precomputed result.
// 4. The same latency and throughput with the query cache off (every request reaches the indexer's store), unless
//    --skip-uncached.
// Ends with `RESULT p50_ms=<n> p99_ms=<n> rps=<n> ceiling_rps=<n> peak_rss_mb=<n>` (peak RSS of the gateway process).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";
import { JsonRpcProvider, parseEther } from "ethers";
import { parseArgs as parseCliArgs, UsageError } from "../../scripts/worker/args";
import { bulkRegisterProviders, deployScenario, runFullScenario } from "../../scripts/scenario";
import { makeDirectory } from "../../subgraph/indexer/directories";
import { buildGateway, peakRssMb, startNodeChild, startTsChild, type Child } from "./processes";

interface Args {
  providers: number;
  duration: number;
  rate: number;
  connections: number;
  skipUncached: boolean;
  /** Keep the indexer database here instead of a temporary directory (for profiling afterwards). */
  dataDir: string | null;
}

function parseArgs(argv: string[]): Args {
  // Strict like the worker's CLIs: a misspelt option (--provider) used to be ignored and the bench ran its 10,000
  // providers, and --data-dir without a directory kept the database in the current directory.
  const parsed = parseCliArgs(argv, [
    ...["providers", "duration", "rate", "connections", "data-dir"].map((name) => ({ name, takesValue: true })),
    { name: "skip-uncached", takesValue: false },
  ]);
  const number = (name: string, fallback: number) => {
    const text = parsed.get(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(String(text)) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} needs a positive integer (got ${String(text)})`);
    return n;
  };
  const dataDir = parsed.get("data-dir");
  return {
    providers: number("providers", 10_000),
    duration: number("duration", 20),
    rate: number("rate", 200),
    connections: number("connections", 16),
    skipUncached: parsed.has("skip-uncached"),
    dataDir: typeof dataDir === "string" ? path.resolve(dataDir) : null,
  };
}

/** A fine-tuning job: 4 datacenter GPUs with 48 GiB or more, in the US or western Europe, for 6 hours. */
const REQUIREMENTS = {
  gpuCount: 4,
  hours: 6,
  minVramGiB: 48,
  tier: "ENTERPRISE",
  regions: ["us-east", "us-west", "eu-west", "eu-central"],
  maxPricePerGpuHour: parseEther("2.5").toString(),
  minReputation: 4000,
};

const QUERY = `query Offers($requirements: ComputeRequirements!) {
  availableCompute(requirements: $requirements, first: 20) {
    edges { cursor node {
      gpuModel gpuModelName vramGiB freeGpus region tier reputation
      pricePerGpuHour { wei lat }
      quote { gpuCount durationSeconds cost { wei lat } protocolFee { wei } collateral { wei } }
      provider { address metadataURI active }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const BODY = JSON.stringify({ query: QUERY, variables: { requirements: REQUIREMENTS }, operationName: "Offers" });

const log = (line: string) => process.stdout.write(`${line}\n`);
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function post(url: string, body: string): Promise<{ data?: { availableCompute: { edges: unknown[] } }; errors?: unknown[] }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  return (await response.json()) as { data?: { availableCompute: { edges: unknown[] } }; errors?: unknown[] };
}

async function load(url: string, options: { duration: number; connections: number; rate?: number }) {
  const result = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: BODY,
    connections: options.connections,
    duration: options.duration,
    overallRate: options.rate,
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`load on ${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return result;
}

/**
 * The bench's chain is unusually dense (200 transactions, ~600 indexed events per block). The indexer sizes its
 * eth_getLogs ranges in blocks (up to 100 while catching up), so one range would hold ~60,000 events in memory;
 * 50 blocks keeps catching up as fast and bounds that. A chain with ordinary blocks needs no such setting.
 */
const INDEXER_TUNING = JSON.stringify({ maxBlockRange: 50 });

async function startServer(serveJs: string, rpcUrl: string, deploymentFile: string, db: string, cache: boolean): Promise<Child & { gateway: string; ceiling: string }> {
  // Compiled JavaScript in production mode, as the gateway would be deployed (graphql-js skips its development checks).
  const child = await startNodeChild(
    [serveJs, "--rpc-url", rpcUrl, "--deployment", deploymentFile, "--db", db, "--indexer-tuning", INDEXER_TUNING, ...(cache ? [] : ["--no-cache"])],
    /SERVING (\{.*\})/,
    { NODE_ENV: "production" },
  );
  const urls = JSON.parse(child.match[1]!) as { gateway: string; ceiling: string };
  return { ...child, ...urls };
}

async function waitForIndexed(gatewayUrl: string, target: number): Promise<void> {
  let lastPrint = 0;
  for (;;) {
    const response = await fetch(gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ indexingStatus { indexedBlock } }" }),
    }).then((r) => r.json() as Promise<{ data?: { indexingStatus: { indexedBlock: number } } }>);
    const indexed = response.data?.indexingStatus.indexedBlock ?? -1;
    if (indexed >= target) return;
    if (Date.now() - lastPrint > 5000) {
      log(`  indexed block ${indexed} / ${target}`);
      lastPrint = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const children: Child[] = [];
  const tmp = args.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-bench-"));
  makeDirectory(tmp);
  let ticker: NodeJS.Timeout | null = null;
  try {
    log(`gateway: compiling to dist/`);
    const serveJs = buildGateway("gateway/bench/serve.ts");
    log(`chain: starting a Hardhat node`);
    const chain = await startTsChild("scripts/bench/local-chain-server.ts", ["--port", "0"], /READY (\S+)/);
    children.push(chain);
    const rpcUrl = chain.match[1]!;
    // No batching (its stall delays every call) and no response cache (the scenario moves time and reads it back).
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    const signers = await Promise.all(Array.from({ length: 20 }, (_, i) => provider.getSigner(i)));

    let t = Date.now();
    const scenario = await deployScenario(signers);
    await runFullScenario(scenario);
    log(`chain: deployed, scenario run (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    t = Date.now();
    const bulk = await bulkRegisterProviders(scenario, { count: args.providers, seed: "gateway-bench" });
    const head = await provider.getBlockNumber();
    log(`chain: ${bulk.wallets.length} providers registered, staked and online in blocks ${bulk.fromBlock}-${bulk.toBlock} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    const deploymentFile = path.join(tmp, "deployment.json");
    fs.writeFileSync(deploymentFile, JSON.stringify(scenario.deployment.record));

    t = Date.now();
    const db = path.join(tmp, "indexer.sqlite");
    const server = await startServer(serveJs, rpcUrl, deploymentFile, db, true);
    children.push(server);
    await waitForIndexed(server.gateway, head);
    log(`gateway: indexed to block ${head} (${((Date.now() - t) / 1000).toFixed(1)} s)`);

    const sample = await post(server.gateway, BODY);
    if (sample.errors !== undefined || (sample.data?.availableCompute.edges.length ?? 0) !== 20) {
      throw new Error(`the benchmark query does not return a full page: ${JSON.stringify(sample).slice(0, 500)}`);
    }
    // A live chain: a new block every second, each one dropping the gateway's per-block query cache.
    ticker = setInterval(() => void provider.send("evm_mine", []).catch(() => undefined), 1000);

    const [load1, load5] = os.loadavg();
    if ((load1 ?? 0) > 1.5) log(`note: the machine is busy (load average ${load1?.toFixed(1)}, ${load5?.toFixed(1)}): other processes share the cores`);
    const fixed = { duration: args.duration, connections: args.connections, rate: args.rate };
    const flat = { duration: args.duration, connections: args.connections };
    log(`warm-up`);
    await load(server.gateway, { duration: 5, connections: args.connections, rate: args.rate });
    await load(server.ceiling, { duration: 3, connections: args.connections });

    const latency = await load(server.gateway, fixed);
    log(`gateway at ${args.rate} req/s: p50 ${latency.latency.p50} ms, p99 ${latency.latency.p99} ms, ${round(latency.requests.average)} req/s served`);
    const throughput = await load(server.gateway, flat);
    log(`gateway flat out (${args.connections} connections): ${round(throughput.requests.average)} req/s, p99 ${throughput.latency.p99} ms`);
    const ceiling = await load(server.ceiling, flat);
    log(`ceiling flat out (precomputed result, same stack): ${round(ceiling.requests.average)} req/s, p99 ${ceiling.latency.p99} ms`);
    const rss = peakRssMb(server.process.pid!);
    log(`gateway process peak RSS (indexing included): ${round(rss)} MB`);
    await server.stop();

    if (!args.skipUncached) {
      const uncached = await startServer(serveJs, rpcUrl, deploymentFile, db, false);
      children.push(uncached);
      await waitForIndexed(uncached.gateway, await provider.getBlockNumber());
      await load(uncached.gateway, { duration: 5, connections: args.connections, rate: args.rate });
      const uLatency = await load(uncached.gateway, fixed);
      const uThroughput = await load(uncached.gateway, flat);
      log(
        `without the query cache (every request queries the store): at ${args.rate} req/s p50 ${uLatency.latency.p50} ms, ` +
          `p99 ${uLatency.latency.p99} ms; flat out ${round(uThroughput.requests.average)} req/s`,
      );
      log(
        `RESULT_UNCACHED p50_ms=${uLatency.latency.p50} p99_ms=${uLatency.latency.p99} rps=${round(uThroughput.requests.average)} ` +
          `ceiling_rps=${round(ceiling.requests.average)} peak_rss_mb=${round(peakRssMb(uncached.process.pid!))}`,
      );
      await uncached.stop();
    }
    clearInterval(ticker);
    ticker = null;
    provider.destroy();
    log(
      `RESULT p50_ms=${latency.latency.p50} p99_ms=${latency.latency.p99} rps=${round(throughput.requests.average)} ` +
        `ceiling_rps=${round(ceiling.requests.average)} peak_rss_mb=${round(rss)}`,
    );
  } finally {
    if (ticker !== null) clearInterval(ticker);
    for (const child of children.reverse()) await child.stop();
    if (args.dataDir === null) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench:gateway: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench:gateway failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
