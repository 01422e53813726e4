// One devnet per data directory: a second one would delete the index the first is serving. The pid file is taken
// before anything else and given back on exit; one left by a killed devnet (its pid gone, or reused by another
// process since: devnet.pid.start records the process's start time where the system tells it) is taken over.
// devnet.pid holds the pid alone, so `kill $(cat .data/devnet.pid)` signals that process and no other.
// The checkout's build (artifacts/, subgraph/build) is claimed the same way, by any devnet of the checkout, but waited
// for instead of refused: it takes a minute at most, and the devnet that waited then has nothing to build.
import * as fs from "node:fs";
import * as path from "node:path";
import { DirectoryRefusedError, makeDirectory, makeWritableDirectory } from "../../subgraph/indexer/directories";
import { pidFileRelease, processStartTime, takePidFile } from "../processes";
import { DevnetError } from "./errors";

export class DataDirInUseError extends DevnetError {
  constructor(dataDir: string, pid: number) {
    super(`another devnet (pid ${pid}) is running with the data directory ${dataDir}: stop it, or give this one another --data-dir`);
  }
}

/**
 * What a devnet writes about itself: devnet.json (its pid, ports and accounts), the worker config and job spec for its
 * demo provider, and the deployment record of a local chain on another port than 8545. Once the directory is ours
 * they describe a devnet that is gone (killed before it removed devnet.json, or a seeded run before this --no-seed
 * or --rpc-url one, which writes no worker config): left there, they would point a worker or a script at another
 * chain's ports, providers and contracts.
 */
export const PREVIOUS_DEVNET_FILES = ["devnet.json", "worker.json", "matmul-spec.json", "deployments/localhost.json"] as const;

/** Claims `dataDir` for this process, removing what a previous devnet left about itself; returns a function that releases it. */
export function claimDataDir(dataDir: string, pid = process.pid, startTimeOf: (pid: number) => string | undefined = processStartTime): () => void {
  try {
    makeWritableDirectory(dataDir);
  } catch (error) {
    // A file in the way, no permission: one line naming the option, not a stack from inside npm start.
    if (!(error instanceof DirectoryRefusedError)) throw error;
    throw new DevnetError(`cannot use ${dataDir} as the data directory (${error.why}): give another --data-dir`, { cause: error });
  }
  const file = path.join(dataDir, "devnet.pid");
  const holder = takePidFile(file, pid, startTimeOf);
  if (holder !== null) throw new DataDirInUseError(dataDir, holder);
  for (const name of PREVIOUS_DEVNET_FILES) fs.rmSync(path.join(dataDir, name), { force: true });
  return pidFileRelease(file, pid);
}

/** Where `npm start` claims the build: in Hardhat's cache/, of this checkout, as are the artifacts and subgraph/build. */
export const BUILD_LOCK_FILE = path.resolve(__dirname, "..", "..", "cache", "npm-start-build.pid");

export interface BuildLockOptions {
  pid?: number;
  startTimeOf?: (pid: number) => string | undefined;
  /** Told once, when another devnet holds the build: `holder` is its pid. */
  onWait?: (holder: number) => void;
  /** Between two tries (default: half a second). */
  wait?: () => Promise<void>;
  /** Throws to give up waiting (Lifecycle.throwIfStopping: Ctrl-C). */
  throwIfStopping?: () => void;
}

/**
 * Claims the checkout's build for this devnet, waiting while another one's runs: two devnets started at once (each
 * with its own --data-dir and ports) would otherwise compile into the same artifacts/ and run graph build into the
 * same subgraph/build together, each removing what the other writes. The second then finds both up to date.
 * Returns what releases it.
 */
export async function claimBuildLock(file: string = BUILD_LOCK_FILE, options: BuildLockOptions = {}): Promise<() => void> {
  const pid = options.pid ?? process.pid;
  const startTimeOf = options.startTimeOf ?? processStartTime;
  const wait = options.wait ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 500)));
  makeDirectory(path.dirname(file));
  let told = false;
  for (;;) {
    options.throwIfStopping?.();
    const holder = takePidFile(file, pid, startTimeOf);
    if (holder === null) return pidFileRelease(file, pid);
    if (!told) options.onWait?.(holder);
    told = true;
    await wait();
  }
}
