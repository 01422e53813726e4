// A whole Latent stack for the worker's network tests, on ephemeral 127.0.0.1 ports: a fresh in-process Hardhat
// chain served over HTTP JSON-RPC, the protocol deployed with the scenario's roles, one registered and staked
// provider (offline: the worker puts it online) with a fresh operator key, and a gateway over the embedded indexer.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Wallet, keccak256, parseEther, toUtf8Bytes, type Signer } from "ethers";
import { silentLogger, startGateway, type GatewayHandle } from "../../../../gateway/src";
import {
  GPU_MODELS,
  type JobOptions,
  type ProviderHandle,
  type Scenario,
  deployScenario,
  fund,
  makeTerms,
  mined,
  registerProvider,
} from "../../../../scripts/scenario";
import { loadConfig } from "../../../../scripts/worker/config";
import { connectNetwork, type NetworkConnections } from "../../../../scripts/worker/connections";
import { Worker, type WorkerEvent } from "../../../../scripts/worker/daemon";
import { createLogger, type LogRecord } from "../../../../scripts/worker/logger";
import { prepareWorkerParts, workerOptions } from "../../../../scripts/worker/setup";
import type { MatmulParams } from "../../../../scripts/worker/spec";
import { startLocalChain, type LocalChain } from "../../../gateway/helpers/local-chain";
import { waitUntil } from "../../../helpers/wait";

export const PROVIDER_MODEL = GPU_MODELS.find((model) => model.id === "rtx-4090-24gb")!;
export const PROVIDER_REGION = "eu-west";
export const PROVIDER_GPUS = 2;
export const PROVIDER_PRICE = parseEther("0.35");
const POLL_MS = 100;

export interface PostedJob {
  jobId: bigint;
  params: MatmulParams;
}

export interface Stack {
  chain: LocalChain;
  s: Scenario;
  provider: ProviderHandle;
  operator: Wallet;
  client: Signer;
  dir: string;
  deploymentFile: string;
  gateway: GatewayHandle;
  /** Stop the gateway and start another on the same port and database (the worker's URLs stay valid). */
  restartGateway(): Promise<void>;
  stopGateway(): Promise<void>;
  startGateway(): Promise<void>;
  /** Posts a matmul job whose spec is an inline data: URI; `options` set the terms. */
  postMatmulJob(params: MatmulParams, options?: JobOptions): Promise<PostedJob>;
  /** Posts a job whose spec is `spec` (any kind), as an inline data: URI; `options` set the terms. */
  postSpecJob(spec: object, options?: JobOptions): Promise<bigint>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const chain = await startLocalChain();
  const cleanups: (() => Promise<void>)[] = [() => chain.close()];
  try {
    const s = await deployScenario(chain.signers);
    const owner = s.actors.providers[0]!;
    const client = s.actors.clients[0]!;
    // A key of our own for the operator: the worker needs the private key itself.
    const operator = new Wallet(Wallet.createRandom().privateKey, chain.ethers);
    await (await s.actors.funder.sendTransaction({ to: operator.address, value: parseEther("10") })).wait();
    await fund(s, [owner, client], parseEther("100000"));
    const provider = await registerProvider(s, owner, {
      listing: {
        gpuModel: PROVIDER_MODEL,
        region: PROVIDER_REGION,
        gpuCount: PROVIDER_GPUS,
        pricePerGpuHour: PROVIDER_PRICE,
        metadataURI: "https://worker.latent.example/worker.json",
      },
      operator,
      online: false,
    });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-worker-net-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const deploymentFile = path.join(dir, "deployment.json");
    fs.writeFileSync(deploymentFile, JSON.stringify(s.deployment.record, null, 2));

    const gatewayOptions = (port: number) => ({
      port,
      headPollMs: POLL_MS,
      logger: silentLogger,
      source: {
        rpcUrl: chain.url,
        deployment: s.deployment.record,
        dbPath: path.join(dir, "gateway.sqlite"),
        indexerPollMs: POLL_MS,
      },
    });
    let gateway: GatewayHandle | null = await startGateway(gatewayOptions(0));
    const port = gateway.port;

    const stack: Stack = {
      chain,
      s,
      provider,
      operator,
      client,
      dir,
      deploymentFile,
      get gateway(): GatewayHandle {
        if (gateway === null) throw new Error("the gateway is stopped");
        return gateway;
      },
      async stopGateway() {
        await gateway?.stop();
        gateway = null;
      },
      async startGateway() {
        gateway ??= await startGateway(gatewayOptions(port));
      },
      async restartGateway() {
        await stack.stopGateway();
        await stack.startGateway();
      },
      async postMatmulJob(params, options = {}) {
        return { jobId: await stack.postSpecJob({ version: 1, kind: "matmul", params }, options), params };
      },
      async postSpecJob(spec, options = {}) {
        const document = JSON.stringify(spec);
        const specURI = `data:application/json;base64,${Buffer.from(document).toString("base64")}`;
        const terms = { ...(await makeTerms(s, { ...options, specURI })), specHash: keccak256(toUtf8Bytes(document)) };
        const escrow = s.c.jobEscrow.connect(client);
        const escrowed = await escrow.computeCost(terms.maxPricePerGpuHour, terms.requirements.gpuCount, terms.maxDuration);
        await mined(s.c.token.connect(client).approve(await escrow.getAddress(), escrowed));
        const receipt = await mined(escrow.createJob(terms, specURI));
        for (const log of receipt.logs) {
          const parsed = escrow.interface.parseLog(log);
          if (parsed?.name === "JobCreated") return parsed.args.jobId as bigint;
        }
        throw new Error("createJob emitted no JobCreated");
      },
      async close() {
        await stack.stopGateway().catch(() => undefined);
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      },
    };
    return stack;
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}

/** waitUntil at the stack's pace: each look at `condition` asks the chain or the gateway. */
export async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  await waitUntil(condition, what, { timeoutMs, intervalMs: POLL_MS });
}

/** What a network test sets in the worker config it writes for the stack's provider; the rest is the same for all. */
export interface StackWorkerSettings {
  /** The periodic openJobs re-read (the config allows 5 at least). */
  resyncSeconds: number;
  policy: Record<string, unknown>;
  executors?: Record<string, unknown>;
  logLevel: string;
}

/** Writes a worker config for the stack's provider into its directory as `name`; returns the file's path. */
export function writeStackWorkerConfig(stack: Stack, name: string, settings: StackWorkerSettings): string {
  const file = path.join(stack.dir, name);
  fs.writeFileSync(
    file,
    JSON.stringify({
      chain: { rpcUrl: stack.chain.url, chainId: 31337 },
      gateway: { httpUrl: stack.gateway.url, wsUrl: stack.gateway.wsUrl, resyncSeconds: settings.resyncSeconds },
      provider: { address: stack.provider.address },
      operatorKey: { env: "LATENT_OPERATOR_KEY" },
      contracts: { deploymentFile: "./deployment.json" },
      gpu: { detect: false, model: PROVIDER_MODEL.id, vramGiB: 24, gpuCount: PROVIDER_GPUS, region: PROVIDER_REGION, tier: "consumer" },
      policy: settings.policy,
      ...(settings.executors === undefined ? {} : { executors: settings.executors }),
      results: { dir: "./results" },
      retry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2 },
      shutdown: { graceSeconds: 5 },
      logLevel: settings.logLevel,
    }),
  );
  return file;
}

/** A worker started by startStackWorker: its connections, what it reported, and its stop. */
export interface RunningWorker {
  network: NetworkConnections;
  events: WorkerEvent[];
  logs: LogRecord[];
  /** Stops the daemon, waits for its run to end, and closes its connections. */
  stop(): Promise<void>;
}

/** The CLI's assembly (cli.ts runDaemon) from the config file `configFile`, in-process so that its events and logs can be read. */
export async function startStackWorker(stack: Stack, configFile: string): Promise<RunningWorker> {
  const config = loadConfig(configFile);
  const logs: LogRecord[] = [];
  const logger = createLogger("debug", (record) => logs.push(record));
  const parts = await prepareWorkerParts(config, logger, { LATENT_OPERATOR_KEY: stack.operator.privateKey });
  const network = await connectNetwork({ config, operator: parts.operator.wallet, contracts: parts.contracts, logger });
  const events: WorkerEvent[] = [];
  const daemon = new Worker({ ...workerOptions(config, parts, network, logger), onEvent: (event) => events.push(event) });
  const running = daemon.run();
  return {
    network,
    events,
    logs,
    async stop() {
      await daemon.stop();
      await running;
      await network.close();
    },
  };
}
