// Which deployment record a chain uses: with --rpc-url, the record in deployments/ for its chain id and genesis block,
// found as the Hardhat tasks find it (scripts/deployment-records.ts) (or, for a development chain (31337, 1337) off
// 127.0.0.1:8545, the one named after its URL in the data directory; or the one named with --deployment), checked
// against the chain, so a reset node is reported instead of indexed as empty.
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { Provider } from "ethers";
import { CONTRACT_NAMES, DEFAULT_DEPLOYMENTS_DIR, defaultNetworkName, deploymentsDir } from "../deploy";
import type { DeploymentRecord } from "../deploy";
import { RecordReadError, adoptFormerRecord, lookupRecord, readRecordFile, staleReason } from "../deployment-records";
import { isLocalhostUrl } from "../../gateway/src/task-reach";
import { DeploymentError } from "./errors";

export { DEFAULT_DEPLOYMENTS_DIR, deploymentsDir, isLocalhostUrl };

/** Where Hardhat's `localhost` network points unless LOCAL_RPC_URL says otherwise (hardhat.config.ts). */
export const LOCALHOST_URL = "http://127.0.0.1:8545";

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
  /** Only `<dir>/<network>.json` is this chain's; false: the record in `dir` with the chain's id (lookupRecord). */
  exact: boolean;
  /** Why the record is not in the deployments directory; null when it is. */
  why: string | null;
  /** The name the record had before (formerUrlNetworkName); found under it, it is moved to `network` (adoptFormerRecord). */
  formerNetwork?: string;
}

/**
 * `chain-<id>-<host>-<port>[-<hash>]`: a name for the development chain at `rpcUrl`, usable as a file name. A path
 * (a hosted node's API key, as often as a route) tells apart two chains on one host by the first 8 hex digits of its
 * SHA-256, not by itself: the name is printed, and is the record's file name and its network.
 */
export function urlNetworkName(rpcUrl: string, chainId = DEV_CHAIN_ID): string {
  const url = new URL(rpcUrl);
  const port = url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port;
  const where = `${url.hostname}-${port}`.replace(/[^A-Za-z0-9.]+/g, "-").replace(/^-+|-+$/g, "");
  const route = url.pathname === "/" ? "" : `-${createHash("sha256").update(url.pathname).digest("hex").slice(0, 8)}`;
  return `chain-${chainId}-${where}${route}`;
}

/**
 * The name urlNetworkName gave a chain before the path was hashed: the path itself, its other characters than letters,
 * digits and dots made dashes (`chain-31337-127.0.0.1-9545-v2-KEY`); null where the URL has no path (the same name).
 */
export function formerUrlNetworkName(rpcUrl: string, chainId = DEV_CHAIN_ID): string | null {
  const url = new URL(rpcUrl);
  if (url.pathname === "/") return null;
  const port = url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port;
  return `chain-${chainId}-${`${url.hostname}-${port}${url.pathname}`.replace(/[^A-Za-z0-9.]+/g, "-").replace(/^-+|-+$/g, "")}`;
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
  const former = formerUrlNetworkName(rpcUrl, chainId);
  return {
    dir: path.join(dataDir, "deployments"),
    network: urlNetworkName(rpcUrl, chainId),
    exact: true,
    why: `chain ${chainId} is any development node, so its record goes by the URL, not by the chain id`,
    ...(former === null ? {} : { formerNetwork: former }),
  };
}

export interface FoundDeployment {
  record: DeploymentRecord;
  file: string;
  /** The network the record was kept under before this lookup moved it to its place's name (place.formerNetwork). */
  renamedFrom?: string;
}

/**
 * The record of the chain with id `chainId` at `place` (lookupRecord, the tasks' lookup: `<network>.json`, or unless
 * `exact` the only record there for the chain); null when there is none, which the devnet answers by deploying one.
 * A record written on another chain under this one's name (a node restarted since), or several for the chain, is
 * an error: deploying over it would hide the mistake. A record under the place's former name is first moved to its
 * name (adoptFormerRecord), and checked as if it had been there.
 */
export async function findPlacedDeployment(place: RecordPlace, chainId: number, provider: Provider): Promise<FoundDeployment | null> {
  const former = place.formerNetwork;
  const adopted = await adoptFormerPlace(place);
  const lookup = await readErrors(() => lookupRecord({ dir: place.dir, name: place.network, exact: place.exact, chainId, genesis: () => genesisHash(provider) }));
  switch (lookup.kind) {
    case "found":
      return { record: lookup.record, file: lookup.file, ...(adopted === null || former === undefined ? {} : { renamedFrom: former }) };
    case "missing":
      return null;
    case "stale":
      throw new DeploymentError(`${staleReason(lookup.file, lookup.record, chainId, lookup.genesis)}: remove it or add --deploy`);
    case "ambiguous":
      throw new DeploymentError(
        `several deployment records in ${place.dir} are for chain ${chainId} (${lookup.files.map((f) => path.basename(f)).join(", ")}): choose one with --deployment <file>`,
      );
  }
}

/**
 * Moves a record kept under the place's former name to its name (adoptFormerRecord): what every lookup of the place
 * does first, and `--deploy` too, whose new record then replaces it as it would one already under the name (left under
 * the former name, it would keep the URL's path, perhaps an API key, in a file name for good: nothing moves it once
 * `<network>.json` exists). Returns the former network when a record was moved, null otherwise.
 */
export async function adoptFormerPlace(place: RecordPlace): Promise<string | null> {
  const former = place.formerNetwork;
  if (former === undefined) return null;
  return (await readErrors(() => adoptFormerRecord(place.dir, place.network, former))) === null ? null : former;
}

async function genesisHash(provider: Provider): Promise<string> {
  const block = await provider.getBlock(0);
  if (block?.hash == null) throw new DeploymentError("the chain returned no block 0");
  return block.hash;
}

/** Runs `read`, turning a RecordReadError into the devnet's DeploymentError, naming the option the file came from. */
async function readErrors<T>(read: () => T | Promise<T>, option?: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RecordReadError) throw new DeploymentError(option === undefined ? error.message : `${option} ${error.file}: ${error.reason}`);
    throw error;
  }
}

/** Reads --deployment and checks it is for `chainId`. */
export async function readDeploymentFile(file: string, chainId: number): Promise<FoundDeployment> {
  const record = await readErrors(() => readRecordFile(file), "--deployment");
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
