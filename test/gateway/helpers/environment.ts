// The one chain, scenario and index the whole gateway suite runs against, built once (on first use) and torn
// down after the last test: a local chain with the full protocol scenario, 40 more providers across GPU models and
// regions, a few open jobs; then two gateways over the same chain: one on the embedded indexer (in-process,
// worker thread) and one in graph-node mode, reading a separate indexer process over HTTP (SUBGRAPH_URL).
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseEther, type Wallet } from "ethers";
import {
  GPU_MODELS,
  REGIONS,
  Tier,
  bulkRegisterProviders,
  createJob,
  deployScenario,
  runFullScenario,
  type BulkProvidersResult,
  type JobHandle,
  type Scenario,
  type ScenarioSummary,
} from "../../../scripts/scenario";
import { DEFAULT_REORG_THRESHOLD } from "../../../subgraph/indexer";
import { writeDeploymentManifest } from "../../../subgraph/scripts/manifest";
import { startGateway, type GatewayHandle, type GatewayOptions } from "../../../gateway/src";
import { createJsonLogger, type Logger } from "../../../gateway/src/logger";
import { collectOutput, spawnTsCli } from "../../helpers/child-output";
import { waitUntil } from "../../helpers/wait";
import { GatewayClient } from "./client";
import { startLocalChain, type LocalChain } from "./local-chain";

export type SourceMode = "embedded" | "subgraphUrl";
export const SOURCE_MODES: readonly SourceMode[] = ["embedded", "subgraphUrl"];

export interface ExtraJobs {
  /** Any model, 1 GPU, up to 4 LAT per GPU-hour: most active providers may take it. */
  anyGpu: JobHandle;
  /** An RTX 4090 (consumer) job paying at most 1 LAT per GPU-hour. */
  rtx4090: JobHandle;
  /** Directed at one bulk provider. */
  directed: JobHandle;
  /** 8 H100s in eu-west for almost nothing: nobody may take it. */
  unpayable: JobHandle;
}

export interface Environment {
  chain: LocalChain;
  scenario: Scenario;
  summary: ScenarioSummary;
  bulk: BulkProvidersResult;
  /** RTX 4090 providers all priced at 0.35 LAT per GPU-hour, like the scenario's own RTX 4090 provider. */
  ties: BulkProvidersResult;
  jobs: ExtraJobs;
  /** The bulk provider `jobs.directed` is directed at. */
  directedAt: Wallet;
  tmpDir: string;
  /** The separate indexer process's graph-node endpoint. */
  subgraphUrl: string;
  gateways: Record<SourceMode, GatewayHandle>;
  clients: Record<SourceMode, GatewayClient>;
  /** Starts another gateway (closed with the environment), e.g. with a broken source or other limits. */
  startExtraGateway(options: Partial<GatewayOptions> & Pick<GatewayOptions, "source">): Promise<GatewayClient>;
  /** Waits until every gateway has indexed the chain's current head. */
  waitForIndexed(): Promise<void>;
  close(): Promise<void>;
}

const POLL_MS = 100;
export const TIED_PRICE = parseEther("0.35");

function testLogger(): Logger {
  // Quiet unless a test run asks for the gateway's logs.
  return createJsonLogger({ level: process.env.GATEWAY_TEST_LOG === "1" ? "debug" : "error", write: (line) => process.stderr.write(line) });
}

/** Starts the embedded indexer's CLI as its own process serving graph-node's query API; resolves with its URL. */
async function startIndexerProcess(rpcUrl: string, manifestDir: string, dbPath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnTsCli("subgraph/indexer/cli.ts", [
    "--rpc", rpcUrl, "--db", dbPath, "--subgraph", manifestDir, "--port", "0", "--poll-ms", String(POLL_MS), "--quiet", "--log-level", "error",
  ]);
  const output = collectOutput(child);
  const serving = () => /queries: POST (\S+)/.exec(output.stdout)?.[1];
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  // The same CLI printed its URLs after 58.7 s at load average 28-31 on 2 cores (test/subgraph/indexer/worker.test.ts),
  // and 60 s ran out here at 31-35.
  await waitUntil(() => serving() !== undefined || ended(), "the indexer process serves", { timeoutMs: 150_000 });
  const url = serving();
  if (url === undefined) throw new Error(`indexer process exited (${await output.exited}) before serving: ${output.stderr}`);
  return { child, url };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  });
}

async function setUp(): Promise<Environment> {
  const chain = await startLocalChain();
  const cleanups: (() => Promise<void>)[] = [() => chain.close()];
  try {
    const scenario = await deployScenario(chain.signers);
    const summary = await runFullScenario(scenario);
    const bulk = await bulkRegisterProviders(scenario, { count: 40, seed: "gateway-suite" });
    const rtx4090 = GPU_MODELS.find((m) => m.id === "rtx-4090-24gb")!;
    const ties = await bulkRegisterProviders(scenario, {
      count: 12,
      seed: "gateway-suite-ties",
      listingFor: (i) => ({
        gpuModel: rtx4090,
        region: REGIONS[i % REGIONS.length]!,
        gpuCount: 2,
        pricePerGpuHour: TIED_PRICE,
        metadataURI: `https://tie-${i}.latent.example/worker.json`,
      }),
    });
    const client = scenario.actors.clients[1]!;
    const week = 7 * 86_400;
    const directedAt = bulk.wallets[3]!;
    const jobs: ExtraJobs = {
      anyGpu: await createJob(scenario, client, { gpuCount: 1, maxPricePerGpuHour: parseEther("4"), acceptWindow: week }),
      rtx4090: await createJob(scenario, client, {
        gpuModel: "rtx-4090-24gb",
        tier: Tier.Consumer,
        gpuCount: 1,
        maxPricePerGpuHour: parseEther("1"),
        acceptWindow: week,
      }),
      directed: await createJob(scenario, client, { targetProvider: directedAt.address, maxPricePerGpuHour: parseEther("5"), acceptWindow: week }),
      unpayable: await createJob(scenario, client, {
        gpuModel: "h100-sxm-80gb",
        region: "eu-west",
        gpuCount: 8,
        maxPricePerGpuHour: parseEther("0.01"),
        acceptWindow: week,
      }),
    };

    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-test-"));
    cleanups.push(async () => fs.rmSync(tmpDir, { recursive: true, force: true }));
    const deployment = scenario.deployment.record;
    const logger = testLogger();
    const common = { port: 0, headPollMs: POLL_MS, logger, maxLag: 2 } satisfies Partial<GatewayOptions>;

    const manifestDir = path.dirname(writeDeploymentManifest(deployment, path.join(tmpDir, "subgraph")));
    const indexer = await startIndexerProcess(chain.url, manifestDir, path.join(tmpDir, "separate-indexer.sqlite"));
    cleanups.push(() => stopProcess(indexer.child));

    const embedded = await startGateway({
      ...common,
      source: { rpcUrl: chain.url, deployment, dbPath: path.join(tmpDir, "embedded.sqlite"), indexerPollMs: POLL_MS },
    });
    cleanups.push(() => embedded.stop());
    // The separate indexer process runs with the embedded one's reorg threshold, not graph-node's.
    const viaUrl = await startGateway({
      ...common,
      source: { subgraphUrl: indexer.url, reorgThreshold: DEFAULT_REORG_THRESHOLD },
      chain: { rpcUrl: chain.url, deployment },
    });
    cleanups.push(() => viaUrl.stop());

    const gateways: Record<SourceMode, GatewayHandle> = { embedded, subgraphUrl: viaUrl };
    const waitForIndexed = async () => {
      const target = await chain.blockNumber();
      for (const gateway of Object.values(gateways)) {
        while ((gateway.head()?.number ?? -1) < target) await new Promise((r) => setTimeout(r, POLL_MS / 2));
      }
    };
    await waitForIndexed();

    return {
      chain,
      scenario,
      summary,
      bulk,
      ties,
      jobs,
      directedAt,
      tmpDir,
      subgraphUrl: indexer.url,
      gateways,
      clients: { embedded: new GatewayClient(embedded), subgraphUrl: new GatewayClient(viaUrl) },
      async startExtraGateway(options) {
        const gateway = await startGateway({ ...common, ...options });
        cleanups.push(() => gateway.stop());
        return new GatewayClient(gateway);
      },
      waitForIndexed,
      async close() {
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}

let shared: Promise<Environment> | null = null;

/** The suite's environment, set up on first use. */
export function environment(): Promise<Environment> {
  shared ??= setUp();
  return shared;
}

// A root hook: runs once after every test file, whichever used the environment.
after(async function () {
  this.timeout(60_000);
  if (shared !== null) await (await shared).close();
});

/** `describe` once per source mode, with that mode's client. */
export function describeEachSource(title: string, body: (ctx: () => { env: Environment; client: GatewayClient; mode: SourceMode }) => void): void {
  for (const mode of SOURCE_MODES) {
    describe(`${title} [${mode}]`, function () {
      let ctx: { env: Environment; client: GatewayClient; mode: SourceMode } | null = null;
      before(async function () {
        const env = await environment();
        await env.waitForIndexed();
        ctx = { env, client: env.clients[mode], mode };
      });
      body(() => {
        if (ctx === null) throw new Error("environment not ready");
        return ctx;
      });
    });
  }
}
