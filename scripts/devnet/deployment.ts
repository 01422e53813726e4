// Which deployment record a chain uses: with --rpc-url, the record in deployments/ whose chain id matches (or, for a
// development chain (31337, 1337) off 127.0.0.1:8545, the one named after its URL in the data directory; or the one
// named with --deployment), checked against the chain, so a reset node is reported instead of indexed as empty.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Provider } from "ethers";
import { CONTRACT_NAMES, DEFAULT_DEPLOYMENTS_DIR, defaultNetworkName, deploymentsDir } from "../deploy";
import type { DeploymentRecord } from "../deploy";
import { DeploymentError } from "./errors";

export { DEFAULT_DEPLOYMENTS_DIR, deploymentsDir };

/** Where Hardhat's `localhost` network points unless LOCAL_RPC_URL says otherwise (hardhat.config.ts). */
export const LOCALHOST_URL = "http://127.0.0.1:8545";

/** Whether `url` is the chain `--network localhost` reaches by default: 127.0.0.1 (or localhost) on port 8545. */
export function isLocalhostUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === "http:" && (parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost") && parsed.port === "8545" && parsed.pathname === "/";
}

/**
 * Where the local chain's record goes: the deployments directory when the chain is on 127.0.0.1:8545, the chain that
 * `--network localhost` reaches; on any other port `<data-dir>/deployments/`, so that deployments/localhost.json goes
 * on describing the chain on 8545 (another devnet's, or none) instead of sending the tasks there with this one's
 * addresses.
 */
export function localDeploymentsDir(rpcUrl: string, dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return isLocalhostUrl(rpcUrl) ? deploymentsDir(env) : path.join(dataDir, "deployments");
}

/** Hardhat Network's chain id, which anvil and most development nodes share. */
export const DEV_CHAIN_ID = 31337;

/**
 * The chain ids that development nodes take unless told otherwise, so that every such node on a machine has the same:
 * Hardhat Network's and anvil's, and Ganache's and geth --dev's (1337).
 */
export const DEV_CHAIN_IDS: ReadonlySet<number> = new Set([DEV_CHAIN_ID, 1337]);

/** Where the record of a chain is kept, under which network name, and how it is found. */
export interface RecordPlace {
  dir: string;
  network: string;
  /** Only `<dir>/<network>.json` is this chain's; false: the record in `dir` with the chain's id (findDeployment). */
  exact: boolean;
  /** Why the record is not in the deployments directory; null when it is. */
  why: string | null;
}

/** `chain-<id>-<host>-<port>[-<path>]`: a name for the development chain at `rpcUrl`, usable as a file name. */
export function urlNetworkName(rpcUrl: string, chainId = DEV_CHAIN_ID): string {
  const url = new URL(rpcUrl);
  const port = url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port;
  const where = `${url.hostname}-${port}${url.pathname === "/" ? "" : url.pathname}`.replace(/[^A-Za-z0-9.]+/g, "-").replace(/^-+|-+$/g, "");
  return `chain-${chainId}-${where}`;
}

/**
 * Where the record of the chain at --rpc-url is kept. A chain id names one chain, except a development one
 * (DEV_CHAIN_IDS): any Hardhat or anvil node on any port has 31337, so found by chain id a node on 9545 would use, and
 * a deployment to it overwrite, deployments/localhost.json, the record of the chain on 127.0.0.1:8545; two Ganache or
 * geth --dev nodes (1337) would share deployments/chain-1337.json the same way. Away from 8545 such a chain's record
 * is named after its URL and kept in `<data-dir>/deployments/`, like the local chain's on another --chain-port (and
 * not under the name localhost.json, which a devnet in the same data directory removes at start).
 */
export function rpcRecordPlace(rpcUrl: string, chainId: number, dataDir: string, env: NodeJS.ProcessEnv = process.env): RecordPlace {
  if (!DEV_CHAIN_IDS.has(chainId) || isLocalhostUrl(rpcUrl)) return { dir: deploymentsDir(env), network: defaultNetworkName(chainId), exact: false, why: null };
  return {
    dir: path.join(dataDir, "deployments"),
    network: urlNetworkName(rpcUrl, chainId),
    exact: true,
    why: `chain ${chainId} is any development node, so its record goes by the URL, not by the chain id`,
  };
}

/** The record of the chain with id `chainId` at `place`; null when there is none. */
export function findPlacedDeployment(place: RecordPlace, chainId: number): FoundDeployment | null {
  if (!place.exact) return findDeployment(place.dir, chainId);
  const file = path.join(place.dir, `${place.network}.json`);
  if (!fs.existsSync(file)) return null;
  const record = readRecord(file);
  if (record.chainId !== chainId) throw new DeploymentError(`${file} is for chain ${record.chainId}, but the chain it is named after is ${chainId}: remove it or add --deploy`);
  return { record, file };
}

export interface FoundDeployment {
  record: DeploymentRecord;
  file: string;
}

function readRecord(file: string): DeploymentRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new DeploymentError(`cannot read the deployment record ${file}: ${(error as Error).message}`);
  }
  const record = parsed as Partial<DeploymentRecord>;
  if (typeof record.chainId !== "number" || typeof record.network !== "string" || typeof record.contracts !== "object" || record.contracts === null) {
    throw new DeploymentError(`${file} is not a deployment record written by scripts/deploy.ts`);
  }
  for (const name of CONTRACT_NAMES) {
    if (typeof record.contracts[name]?.address !== "string") throw new DeploymentError(`${file} has no address for ${name}`);
  }
  return record as DeploymentRecord;
}

/**
 * The record for `chainId` in `dir`: `<defaultNetworkName>.json` if it matches, else the only record with that chain
 * id; null when there is none; an error when several match (name one with --deployment).
 */
export function findDeployment(dir: string, chainId: number): FoundDeployment | null {
  if (!fs.existsSync(dir)) return null;
  const preferred = path.join(dir, `${defaultNetworkName(chainId)}.json`);
  if (fs.existsSync(preferred)) {
    const record = readRecord(preferred);
    if (record.chainId === chainId) return { record, file: preferred };
  }
  const matches: FoundDeployment[] = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const file = path.join(dir, name);
    let record: DeploymentRecord;
    try {
      record = readRecord(file);
    } catch {
      continue; // Not a deployment record: not ours to judge here.
    }
    if (record.chainId === chainId) matches.push({ record, file });
  }
  if (matches.length > 1) {
    throw new DeploymentError(`several deployment records in ${dir} are for chain ${chainId} (${matches.map((m) => path.basename(m.file)).join(", ")}): choose one with --deployment <file>`);
  }
  return matches[0] ?? null;
}

/** Reads --deployment and checks it is for `chainId`. */
export function readDeploymentFile(file: string, chainId: number): FoundDeployment {
  if (!fs.existsSync(file)) throw new DeploymentError(`--deployment ${file} does not exist`);
  const record = readRecord(file);
  if (record.chainId !== chainId) throw new DeploymentError(`${file} is for chain ${record.chainId}, but the chain at --rpc-url is ${chainId}`);
  return { record, file };
}

/** Throws when a contract of the record has no code on the chain (a node restarted since it was deployed). */
export async function assertDeployed(provider: Provider, found: FoundDeployment): Promise<void> {
  for (const name of CONTRACT_NAMES) {
    const address = found.record.contracts[name].address;
    if ((await provider.getCode(address)) === "0x") {
      throw new DeploymentError(
        `${path.basename(found.file)} says ${name} is at ${address}, but chain ${found.record.chainId} has no code there (was the node restarted?): add --deploy to deploy a new set`,
      );
    }
  }
}
