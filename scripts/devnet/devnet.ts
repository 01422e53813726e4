// The devnet's steps after the build: chain, deployment, seed, gateway with its indexer, then the files and the
// banner. Loaded only once the contracts are compiled (the deployment code imports their typings).
import type {} from "@nomicfoundation/hardhat-ethers";
import * as fs from "node:fs";
import * as path from "node:path";
import { JsonRpcProvider, Network } from "ethers";
import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { CONTRACT_NAMES, writeDeploymentRecord } from "../deploy";
import type { DeploymentRecord } from "../deploy";
import { makeDirectory } from "../../subgraph/indexer/directories";
import { SCENARIO_SIGNERS, deployScenario, latestBlockNumber } from "../scenario";
import type { RpcProvider, Scenario } from "../scenario";
import { indexOf, roleAccounts } from "./accounts";
import type { RoleAccount } from "./accounts";
import { startLocalChain } from "./chain";
import type { DevAccount } from "./chain";
import { DEV_CHAIN_IDS, LOCALHOST_URL, adoptFormerPlace, assertDeployed, deploymentsDir, findPlacedDeployment, localDeploymentsDir, readDeploymentFile, rpcRecordPlace } from "./deployment";
import type { RecordPlace } from "./deployment";
import { ChainError, DeploymentError } from "./errors";
import { OPERATOR_KEY_ENV, writeDevnetInfo, writeMatmulSpec, writeWorkerConfig } from "./files";
import type { DevnetInfo } from "./files";
import type { Lifecycle } from "./lifecycle";
import type { DevnetOptions } from "./options";
import { type Progress, seconds } from "./progress";
import { fetchNetworkSummary, printBanner } from "./report";
import { seedDemoNetwork } from "./seed";
import type { SeedPhase, SeedSummary } from "./seed";
import { serveGateway, waitForIndexed } from "./serve";
import { redactUrl } from "../../subgraph/indexer/redact";

export interface Chain {
  rpcUrl: string;
  wsUrl: string | null;
  chainId: number;
  local: boolean;
  signers: Signer[];
  /** Raw JSON-RPC (block numbers without a provider cache). */
  rpc: RpcProvider;
  /** Keys of the accounts, when this is the local chain. */
  accounts: DevAccount[];
  publicKeys: boolean;
}

export interface Deployed {
  record: DeploymentRecord;
  file: string;
  /** Deployed by this run, with the scenario's roles (required to seed). */
  scenario: Scenario | null;
}

function rel(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative;
}

async function openLocalChain(hre: HardhatRuntimeEnvironment, options: DevnetOptions, lifecycle: Lifecycle, progress: Progress): Promise<Chain> {
  const local = await startLocalChain(hre, options.host, options.chainPort);
  lifecycle.add({ name: `chain (${local.url})`, stop: local.stop });
  progress.step("chain", `Hardhat Network on ${local.url}, chain ${local.chainId}: in memory, fresh on every start`);
  const signers = await hre.ethers.getSigners();
  return {
    rpcUrl: local.url,
    wsUrl: local.wsUrl,
    chainId: local.chainId,
    local: true,
    signers,
    rpc: hre.ethers.provider,
    accounts: local.accounts,
    publicKeys: local.publicKeys,
  };
}

/** eth_chainId with a deadline: an ethers provider would retry an unreachable URL forever, logging as it goes. */
async function chainIdAt(url: string): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is its cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new ChainError(`cannot reach the chain at --rpc-url ${redactUrl(url)}: ${reason}`);
  }
  const body = (await response.json().catch(() => null)) as { result?: string } | null;
  if (!response.ok || typeof body?.result !== "string") throw new ChainError(`${redactUrl(url)} did not answer eth_chainId (HTTP ${response.status}): is it a JSON-RPC endpoint?`);
  return Number(body.result);
}

async function openRemoteChain(url: string, progress: Progress): Promise<Chain> {
  const chainId = await chainIdAt(url);
  // No response cache: a view call right after a transaction must see it (see scripts/scenario).
  const rpc = new JsonRpcProvider(url, undefined, { staticNetwork: Network.from(chainId), cacheTimeout: -1, pollingInterval: 250 });
  const signers = await rpc.listAccounts().catch(() => []);
  progress.step("chain", `${url}, chain ${chainId} (${signers.length} unlocked accounts); not started or stopped by npm start`);
  return { rpcUrl: url, wsUrl: null, chainId, local: false, signers, rpc, accounts: [], publicKeys: false };
}

/** Where this chain's record is kept; the local chain's is written afresh on every start, under the name localhost. */
function recordPlace(chain: Chain, dataDir: string): RecordPlace {
  if (!chain.local) return rpcRecordPlace(chain.rpcUrl, chain.chainId, dataDir);
  const dir = localDeploymentsDir(chain.rpcUrl, dataDir);
  return { dir, network: "localhost", exact: true, why: dir === deploymentsDir() ? null : `--network localhost is the chain on ${LOCALHOST_URL}` };
}

async function deployFresh(chain: Chain, dataDir: string, progress: Progress): Promise<Deployed> {
  if (chain.signers.length < SCENARIO_SIGNERS) {
    throw new ChainError(
      `deploying from npm start needs a development node with ${SCENARIO_SIGNERS} unlocked accounts; ${redactUrl(chain.rpcUrl)} has ${chain.signers.length}. ` +
        "On a real chain, deploy with `RPC_URL=... DEPLOYER_PRIVATE_KEY=... npm run deploy -- --network remote` first.",
    );
  }
  // What npm start deploys is the devnet's set (development governance timings, the scenario's guardian, arbitrator
  // and allocations): on a real chain a node with unlocked accounts would take it for good, so only a development
  // chain's id gets one.
  if (!chain.local && !DEV_CHAIN_IDS.has(chain.chainId)) {
    throw new ChainError(
      `chain ${chain.chainId} at ${redactUrl(chain.rpcUrl)} is not a development chain (${[...DEV_CHAIN_IDS].join(" or ")}), and npm start deploys only the devnet's set ` +
        "(its governance timings, guardian, arbitrator and allocations). Deploy with `RPC_URL=... DEPLOYER_PRIVATE_KEY=... npm run deploy -- --network remote` first.",
    );
  }
  const started = Date.now();
  progress.status("deploy", "deploying the 8 contracts...");
  const place = recordPlace(chain, dataDir);
  const scenario = await deployScenario(chain.signers, { networkName: place.network });
  const record = scenario.deployment.record;
  const file = writeDeploymentRecord(record, place.dir);
  const blocks = CONTRACT_NAMES.map((n) => record.contracts[n].blockNumber);
  const why = place.why === null ? "" : ` (not in ${rel(deploymentsDir())}/: ${place.why})`;
  progress.step("deploy", `8 contracts in blocks ${Math.min(...blocks)}-${Math.max(...blocks)}, record written to ${rel(file)}${why} (${seconds(Date.now() - started)})`);
  return { record, file, scenario };
}

/** Moves the index of a record moved from its former name (adoptFormerPlace) with it, and says so. */
function renamedFormer(dataDir: string, former: string, place: RecordPlace, progress: Progress): void {
  // Not named: the former name holds the URL's path, which may be an API key.
  const index = renameIndex(dataDir, former, place.network);
  progress.step(
    "deploy",
    `renamed the record named after the URL's path to ${rel(path.join(place.dir, `${place.network}.json`))}` +
      (index === null ? "" : `, and its index to ${rel(index)}, where the indexer starts over (the subgraph it built names the network)`),
  );
}

export async function resolveDeployment(chain: Chain, options: DevnetOptions, progress: Progress): Promise<Deployed> {
  const place = recordPlace(chain, options.dataDir);
  if (options.deploy) {
    const former = await adoptFormerPlace(place);
    if (former !== null) renamedFormer(options.dataDir, former, place, progress);
    return deployFresh(chain, options.dataDir, progress);
  }
  const found = options.deploymentFile !== undefined ? await readDeploymentFile(options.deploymentFile, chain.chainId) : await findPlacedDeployment(place, chain.chainId, chain.rpc);
  if (found === null) {
    const where = place.exact ? rel(path.join(place.dir, `${place.network}.json`)) : rel(place.dir);
    progress.step("deploy", `no deployment for chain ${chain.chainId} in ${where}: deploying one`);
    return deployFresh(chain, options.dataDir, progress);
  }
  if (found.renamedFrom !== undefined) renamedFormer(options.dataDir, found.renamedFrom, place, progress);
  if (options.seed) throw new DeploymentError(`--seed needs a deployment made by this run, and ${rel(found.file)} already exists for chain ${chain.chainId}: add --deploy`);
  await assertDeployed(chain.rpc, found);
  progress.step("deploy", `using ${rel(found.file)} (add --deploy to deploy a new set)`);
  return { record: found.record, file: found.file, scenario: null };
}

const PHASES: Record<SeedPhase, string> = {
  scenario: "every protocol action (scenario driver)",
  providers: "20 more providers from the catalog",
  operators: "operators for the catalog machines",
  "thaw requests": "thaw requests",
  "slash caps": "a slash reward cap on a catalog machine",
  "live jobs": "running, open and disputed jobs",
};

async function seed(scenario: Scenario, progress: Progress): Promise<SeedSummary> {
  const started = Date.now();
  let phase = PHASES.scenario;
  const show = (block: number | string) => progress.status("seed", `${phase}: block ${block} (${seconds(Date.now() - started)})`);
  const ticker = setInterval(() => void latestBlockNumber(scenario).then(show, () => undefined), 300);
  let summary: SeedSummary;
  try {
    summary = await seedDemoNetwork(scenario, (p) => {
      phase = PHASES[p];
      show("...");
    });
  } finally {
    clearInterval(ticker);
  }
  const s = summary.scenario;
  progress.step(
    "seed",
    `scenario: ${Object.keys(s.jobs).length} jobs through every path; 4 disputes (answered and upheld with a slash, rejected, drawn, expired) ` +
      `and a timeout slash and a job given back; ${Object.keys(s.proposals).length} proposals (2 executed); a guardian pause; a provider that thawed, withdrew and left`,
  );
  const registered = summary.providers.filter((p) => p.registered);
  const models = new Set(registered.map((p) => p.gpuModel)).size;
  const regions = new Set(registered.map((p) => p.region)).size;
  progress.detail(
    `${registered.length} providers on ${models} GPU models in ${regions} regions, consumer and enterprise, ${summary.operators} with operators, ` +
      `${summary.thawRequests} thawing; ${summary.runningJobs} jobs running, ${summary.openJobs} open, ${summary.disputedJobs} disputed`,
  );
  progress.detail(`blocks ${summary.fromBlock}-${summary.toBlock} (${seconds(Date.now() - started)})`);
  return summary;
}

/**
 * Moves the index kept under a record's former network name to its new one, so that no directory is left named after
 * the URL's path. The database does not resume there: its subgraph's build hash covers the manifest, which names the
 * network, so the indexer starts it over. Returns the new directory, or null where there was nothing to move or an
 * index is already under the new name.
 */
export function renameIndex(dataDir: string, from: string, to: string): string | null {
  const source = path.join(dataDir, "index", from);
  const target = path.join(dataDir, "index", to);
  if (!fs.existsSync(source) || fs.existsSync(target)) return null;
  fs.renameSync(source, target);
  return target;
}

/** The local index starts over with the chain; an existing chain's index resumes. */
export function prepareIndex(dataDir: string, network: string, fresh: boolean, progress: Progress): string {
  const dir = path.join(dataDir, "index", network);
  if (fresh && fs.existsSync(dir)) {
    fs.rmSync(dir, { recursive: true, force: true });
    progress.step("index", `removed the previous devnet's index (${rel(dir)}): the chain is new`);
  }
  makeDirectory(dir);
  return path.join(dir, "indexer.sqlite");
}

function withKeys(accounts: RoleAccount[], chain: Chain): RoleAccount[] {
  if (!chain.publicKeys) return accounts;
  return accounts.map((a) => ({ ...a, privateKey: chain.accounts[a.index]?.privateKey }));
}

export async function runDevnet(hre: HardhatRuntimeEnvironment, options: DevnetOptions, progress: Progress, lifecycle: Lifecycle): Promise<void> {
  const chain = options.rpcUrl === undefined ? await openLocalChain(hre, options, lifecycle, progress) : await openRemoteChain(options.rpcUrl, progress);
  lifecycle.throwIfStopping();
  const deployed = await resolveDeployment(chain, options, progress);
  lifecycle.throwIfStopping();
  let summary: SeedSummary | null = null;
  if (options.seed && deployed.scenario !== null) summary = await seed(deployed.scenario, progress);
  else progress.step("seed", chain.local ? "skipped (--no-seed)" : "skipped (add --seed to seed a development chain)");
  lifecycle.throwIfStopping();

  const dbPath = prepareIndex(options.dataDir, deployed.record.network, chain.local, progress);
  const logFile = path.join(options.dataDir, "gateway.log");
  progress.status("gateway", "starting the gateway and its indexer...");
  const gateway = await serveGateway({ host: options.host, port: options.port, rpcUrl: chain.rpcUrl, deployment: deployed.file, dbPath, logFile });
  lifecycle.add({ name: "gateway and its indexer", stop: () => gateway.stop() });
  progress.step("gateway", `serving ${gateway.url}, indexing into ${rel(dbPath)}`);
  await waitForIndexed(gateway, Number(await chain.rpc.send("eth_blockNumber", [])), progress);
  lifecycle.throwIfStopping();

  const accounts = withKeys(chain.local || summary !== null ? await roleAccounts(chain.signers, summary?.providers) : [], chain);
  const base = `http://${options.host}:${gateway.port}`;
  let worker: DevnetInfo["worker"] = null;
  let specFile: string | null = null;
  if (summary !== null) {
    const w = summary.workerProvider;
    const operatorIndex = indexOf(accounts, w.operator);
    if (operatorIndex !== undefined) {
      const config = path.join(options.dataDir, "worker.json");
      writeWorkerConfig(config, {
        rpcUrl: chain.rpcUrl,
        chainId: chain.chainId,
        gatewayHttpUrl: gateway.url,
        gatewayWsUrl: gateway.wsUrl,
        provider: w.address,
        deploymentFile: deployed.file,
        gpu: { model: w.gpuModel, displayName: w.gpuModelName, vramGiB: w.vramGiB, gpuCount: w.gpuCount, region: w.region, tier: w.tier },
        keyEnv: OPERATOR_KEY_ENV,
      });
      worker = { config, provider: w.address, operator: w.operator, operatorIndex, keyEnv: OPERATOR_KEY_ENV };
      specFile = path.join(options.dataDir, "matmul-spec.json");
      writeMatmulSpec(specFile);
    }
  }
  const infoFile = path.join(options.dataDir, "devnet.json");
  const info: DevnetInfo = {
    startedAt: new Date().toISOString(),
    pid: process.pid,
    chain: { rpcUrl: chain.rpcUrl, wsUrl: chain.wsUrl, chainId: chain.chainId, local: chain.local },
    gateway: { graphql: gateway.url, ws: gateway.wsUrl, dashboard: `${base}/`, readyz: `${base}/readyz` },
    deploymentFile: deployed.file,
    seeded: summary !== null,
    accounts,
    worker,
    specFile,
    indexDb: dbPath,
    gatewayLog: logFile,
  };
  writeDevnetInfo(infoFile, info);
  // It describes a running devnet (its pid, its ports): gone once the devnet is.
  lifecycle.add({ name: rel(infoFile), stop: async () => fs.rmSync(infoFile, { force: true }), quiet: true });

  const firstClient = accounts.find((a) => a.role.startsWith("client"));
  const operatorAccount = worker === null ? undefined : accounts.find((a) => a.index === worker?.operatorIndex);
  const keyAccounts = [firstClient, operatorAccount].filter((a): a is RoleAccount => a?.privateKey !== undefined);
  const operators = new Map(summary?.providers.filter((p) => p.registered).map((p) => [p.address.toLowerCase(), p.operator.toLowerCase()] as const) ?? []);
  const w = summary?.workerProvider;
  printBanner(progress, {
    info,
    network: await fetchNetworkSummary(gateway.url).catch(() => null),
    operators,
    keyAccounts,
    workerProviderText: w === undefined ? null : `provider #${indexOf(accounts, w.address)} (${w.gpuCount}x ${w.gpuModelName}, ${w.region})`,
    infoFile,
  });
}
