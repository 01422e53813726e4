/**
 * Reading deployment records, and finding the one of a chain: a single lookup for the Hardhat tasks
 * (scripts/tasks/lib/context.ts) and `npm start --rpc-url` (scripts/devnet/deployment.ts), which each say what its
 * outcome means for their own user (a task fails where no record is found; the devnet deploys one).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isAddress } from "ethers";
import { CONTRACT_NAMES, DeploymentRecordError, recordedAllocations, recordedParams, recordedRoles } from "./deploy";
import type { DeploymentRecord } from "./deploy";

/** `file` cannot be used as a deployment record; `reason` says why ("does not exist", a field and what is wrong with it). */
export class RecordReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`deployment record ${file}: ${reason}`);
    this.name = "RecordReadError";
  }
}

/** Reads and checks a record as scripts/deploy.ts writes it; throws a RecordReadError naming what is wrong. */
export function readRecordFile(file: string): DeploymentRecord {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RecordReadError(file, code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory, not a record file" : `cannot be read (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // The parser's words alone ("Unexpected token 'v'...") do not say which file, nor that JSON was expected.
    throw new RecordReadError(file, `is not JSON (${(error as Error).message}): a record is the JSON file scripts/deploy.ts writes`);
  }
  const record = json as Partial<DeploymentRecord> | null;
  if (record === null || typeof record !== "object" || typeof record.network !== "string" || typeof record.chainId !== "number" || typeof record.contracts !== "object" || record.contracts === null) {
    throw new RecordReadError(file, "not a deployment record ({network, chainId, deployer, contracts})");
  }
  for (const name of CONTRACT_NAMES) {
    const entry = record.contracts[name];
    if (entry === undefined || typeof entry.address !== "string" || !isAddress(entry.address) || typeof entry.blockNumber !== "number") {
      throw new RecordReadError(file, `no address and block number for ${name}`);
    }
  }
  try {
    recordedAllocations(record as DeploymentRecord, file);
    recordedRoles(record as DeploymentRecord, file);
    recordedParams(record as DeploymentRecord, file);
  } catch (error) {
    if (!(error instanceof DeploymentRecordError)) throw error;
    throw new RecordReadError(file, `${error.field} ${error.reason}`);
  }
  return record as DeploymentRecord;
}

export interface RecordQuery {
  dir: string;
  /** `<dir>/<name>.json` is the chain's own record (the network's name, or the chain's default name): looked at first. */
  name: string;
  /** Only that file may be the chain's (a development chain's, named after its URL); otherwise any record in `dir`. */
  exact: boolean;
  chainId: number;
  /** Block 0's hash on the chain; asked for once, and only if a record with this chain id has one. */
  genesis: () => Promise<string>;
}

export interface FoundRecord {
  file: string;
  record: DeploymentRecord;
}

/**
 * What the lookup found: the chain's record; none (each file looked at is in `considered`, "name (chain id, genesis)");
 * the chain's own record written on another chain (a node restarted since: same id, another genesis block; or, exact,
 * another id), with the chain's genesis hash where the ids agree; or several records for the chain.
 */
export type RecordLookup =
  | ({ kind: "found" } & FoundRecord)
  | { kind: "missing"; considered: string[] }
  | ({ kind: "stale"; genesis: string | null } & FoundRecord)
  | { kind: "ambiguous"; files: string[]; considered: string[] };

/**
 * The record of the chain `query` describes: `<name>.json` when it is for this chain (its id, and its genesis block
 * where the record has one), else, unless `exact`, the only record in the directory for it, whatever its file is
 * called (deploy.ts names a chain's record after its id, chain-1337.json, which no network is called). A file that
 * is not a record is listed and passed over, except `<name>.json`, whose RecordReadError is thrown: it is the one
 * the user meant.
 */
export async function lookupRecord(query: RecordQuery): Promise<RecordLookup> {
  const own = path.join(query.dir, `${query.name}.json`);
  let genesis: Promise<string> | undefined;
  const nodeGenesis = (): Promise<string> => (genesis ??= query.genesis().then((hash) => hash.toLowerCase()));
  const isThisChain = async (record: DeploymentRecord): Promise<boolean> =>
    record.chainId === query.chainId && (record.genesisHash === undefined || record.genesisHash.toLowerCase() === (await nodeGenesis()));
  let stale: RecordLookup | undefined;
  if (fs.existsSync(own)) {
    const record = readRecordFile(own);
    if (await isThisChain(record)) return { kind: "found", file: own, record };
    if (record.chainId === query.chainId) stale = { kind: "stale", file: own, record, genesis: await nodeGenesis() };
    else if (query.exact) stale = { kind: "stale", file: own, record, genesis: null };
  }
  if (query.exact) return stale ?? { kind: "missing", considered: [] };
  const considered: string[] = [];
  const found: FoundRecord[] = [];
  const names = fs.existsSync(query.dir) ? fs.readdirSync(query.dir).filter((name) => name.endsWith(".json")).sort() : [];
  for (const name of names) {
    const file = path.join(query.dir, name);
    let record: DeploymentRecord;
    try {
      record = readRecordFile(file);
    } catch (error) {
      if (!(error instanceof RecordReadError)) throw error;
      considered.push(`${name} (not a deployment record)`);
      continue;
    }
    considered.push(`${name} (chain ${record.chainId}${record.genesisHash === undefined ? "" : `, genesis ${record.genesisHash}`})`);
    if (file !== own && (await isThisChain(record))) found.push({ file, record });
  }
  if (found.length > 1) return { kind: "ambiguous", files: found.map((f) => f.file), considered };
  const only = found[0];
  if (only !== undefined) return { kind: "found", ...only };
  return stale ?? { kind: "missing", considered };
}

/**
 * Moves a record kept under a name no longer used for its chain (`formerName`: a development chain's record once named
 * after its URL's path, which may be an API key) to `<dir>/<name>.json`, its `network` renamed with it, so that the
 * lookup finds it and the former name, the path in it, is printed nowhere again. Nothing is moved while `<name>.json`
 * exists (a record written under the new name since is the chain's). Returns the file moved, null when there was none;
 * a former file that is not a record is left where it is, as a RecordReadError.
 */
export function adoptFormerRecord(dir: string, name: string, formerName: string): string | null {
  const own = path.join(dir, `${name}.json`);
  const former = path.join(dir, `${formerName}.json`);
  if (formerName === name || fs.existsSync(own) || !fs.existsSync(former)) return null;
  const record = readRecordFile(former);
  // The record goes to the new name before the old is removed, so that a failure between them loses nothing.
  try {
    fs.writeFileSync(own, `${JSON.stringify({ ...record, network: name }, null, 2)}\n`, { flag: "wx" });
  } catch (error) {
    // Written by another start since it was looked for: that one is the chain's, and the former file is left alone.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw error;
  }
  fs.rmSync(former);
  return former;
}

/** Why a stale record is not the chain's, for a message that goes on with what to do about it. */
export function staleReason(file: string, record: DeploymentRecord, chainId: number, genesis: string | null): string {
  if (record.chainId !== chainId || genesis === null) return `${displayPath(file)} is for chain ${record.chainId}, but the chain it is named after is ${chainId}`;
  return `${displayPath(file)} was written for another chain with id ${record.chainId} (genesis ${record.genesisHash}, this node's is ${genesis})`;
}

/** `file` relative to the working directory when it is under it (deployments/localhost.json), else as it is. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
