// The indexer benchmark's chain: a Hardhat chain in a process of its own (so that the node and the indexer each get
// a core), filled by the scenario driver and then served over HTTP JSON-RPC on 127.0.0.1.
//
//   ts-node scripts/bench/scenario-chain.ts --events N --out <dir>
//
// Workload: the full scenario (every handler runs), then rounds of bulk provider registrations (transfer, register,
// stake by permit, online) each followed by bulk job rounds through their whole lifecycle (create, accept, submit,
// approve = settle), 200 transactions per block, until the logs the subgraph's manifest matches reach N. Writes the
// deployment's built subgraph to <dir>, then prints one line `READY <json>` (see ChainReady) and serves until SIGTERM.
import hre from "hardhat";
import { serveChainUntilSignal } from "./serve-chain";
import { bulkCreateJobs, bulkRegisterProviders, deployScenario, runFullScenario, type BulkProvidersResult, type Scenario } from "../scenario";
import { writeDeploymentManifest } from "../../subgraph/scripts/manifest";
import { loadSubgraph, type SubgraphBuild } from "../../subgraph/indexer/manifest";
import { ChainFetcher } from "../../subgraph/indexer/chain/fetcher";
import { Eip1193Rpc } from "../../subgraph/indexer/chain/rpc";
import type { LogData } from "../../subgraph/indexer/chain/types";
import { logFilterFor } from "../../subgraph/indexer/processor";

export interface ChainReady {
  url: string;
  /** The built subgraph for this deployment. */
  buildDir: string;
  head: number;
  /** Logs the manifest matches (each runs one handler), from genesis to `head`. */
  events: number;
  /** Those events by `DataSource.Event`. */
  byEvent: Record<string, number>;
  providers: number;
  jobs: number;
  blocks: { fullScenario: number; bulk: number };
  generateSeconds: number;
}

const PROVIDERS_PER_ROUND = 100;
const JOB_ROUNDS_PER_PROVIDER_ROUND = 3;

function flag(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i < 0 ? undefined : process.argv[i + 1];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

/** `DataSource.Event` of the handler each log triggers (the indexer's own matching rules), or nothing. */
function triggerNames(build: SubgraphBuild, logs: readonly LogData[]): string[] {
  const out: string[] = [];
  for (const log of logs) {
    for (const ds of build.dataSources) {
      if (ds.address !== null && ds.address !== log.address) continue;
      if (log.blockNumber < ds.startBlock || (ds.endBlock !== null && log.blockNumber > ds.endBlock)) continue;
      const h = ds.eventHandlers.find((e) => e.topic0 === log.topics[0] && e.topicCount === log.topics.length);
      if (h !== undefined) out.push(`${ds.name}.${h.fragment.name}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const target = Number(flag("--events"));
  const out = flag("--out");
  const started = Date.now();
  await hre.run("compile", { quiet: true });
  const s: Scenario = await deployScenario(await hre.ethers.getSigners());
  await runFullScenario(s);
  const fullScenarioHead = Number(await hre.network.provider.request({ method: "eth_blockNumber" }));
  writeDeploymentManifest(s.deployment.record, out);
  const build = loadSubgraph(out);
  const fetcher = new ChainFetcher(new Eip1193Rpc(hre.network.provider), logFilterFor(build));
  const byEvent: Record<string, number> = {};
  let events = 0;
  let counted = 0;
  const count = async (): Promise<number> => {
    const head = Number(await hre.network.provider.request({ method: "eth_blockNumber" }));
    const names = triggerNames(build, await fetcher.logs(counted + 1, head));
    for (const name of names) byEvent[name] = (byEvent[name] ?? 0) + 1;
    counted = head;
    events += names.length;
    return names.length;
  };
  await count();

  // Each step reports its events per unit (provider or job), so that the last step can be sized to land near N.
  let providers: BulkProvidersResult | null = null;
  let providerCount = 0;
  let jobCount = 0;
  const perUnit = { providers: 6, jobs: 10 };
  for (let round = 0; events < target; round++) {
    const remaining = (kind: keyof typeof perUnit): number =>
      Math.max(1, Math.min(PROVIDERS_PER_ROUND, Math.ceil((target - events) / perUnit[kind])));
    const p = remaining("providers");
    providers = await bulkRegisterProviders(s, { count: p, seed: `bench-providers-${round}`, offset: providerCount });
    providerCount += p;
    perUnit.providers = (await count()) / p;
    for (let j = 0; j < JOB_ROUNDS_PER_PROVIDER_ROUND && events < target; j++) {
      const n = Math.min(providers.wallets.length, remaining("jobs"));
      await bulkCreateJobs(s, { count: n, seed: `bench-jobs-${round}-${j}`, acceptWith: providers, submit: true, approve: true });
      jobCount += n;
      perUnit.jobs = (await count()) / n;
    }
  }

  const ready: ChainReady = {
    url: await serveChainUntilSignal(0),
    buildDir: out,
    head: counted,
    events,
    byEvent,
    providers: providerCount,
    jobs: jobCount,
    blocks: { fullScenario: fullScenarioHead, bulk: counted - fullScenarioHead },
    generateSeconds: (Date.now() - started) / 1000,
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
