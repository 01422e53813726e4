// Making a directory the user named (the indexer's and the gateway's database directory, the devnet's data directory,
// the deployment records' directory, the worker's results and work directories), and saying in words why it cannot be.
// Here, in the indexer, because the product code (indexer, gateway, subgraph scripts) needs it and the gateway already
// depends on the indexer; scripts/ imports it from here, never the other way round.
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * mkdir -p, one level at a time: Node's own `mkdir(dir, { recursive: true })`, sync or not, never returns where mkdir
 * answers ENOENT under a parent that exists (/proc/x, /proc/1/x: it makes the parent again and retries, forever; the
 * synchronous one in a loop that not even Ctrl-C breaks). Here that ENOENT is thrown like any other refusal, as is a
 * file in the way (EEXIST, its `path` the one asked for).
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !fs.existsSync(p); p = path.dirname(p)) {
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      fs.mkdirSync(p);
    } catch (error) {
      // Made meanwhile (another process making a sibling): a file there is caught below.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: "EEXIST", path: dir });
}

/** A directory that cannot be made or written; `why` says so in words, with the system's code. */
export class DirectoryRefusedError extends Error {
  constructor(
    readonly dir: string,
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(`${dir}: ${why}`, options);
    this.name = "DirectoryRefusedError";
  }
}

/** makeDirectory, then a check that this process may write there: refused as DirectoryRefusedError. */
export function makeWritableDirectory(dir: string): void {
  try {
    makeDirectory(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    // mkdir's EEXIST and ENOTDIR name the directory asked for, not the file in the way, and neither says "file".
    const e = error as NodeJS.ErrnoException;
    const file = e.code === "EEXIST" || e.code === "ENOTDIR" ? fileInTheWay(dir) : undefined;
    throw new DirectoryRefusedError(dir, file !== undefined ? `${file} is a file, not a directory` : describeFailure(e, dir), { cause: error });
  }
}

/** Why mkdir or the write check refused, in words, with the system's code. */
export function describeFailure(e: NodeJS.ErrnoException, dir: string): string {
  const where = e.path !== undefined && e.path !== dir ? ` at ${e.path}` : "";
  const words: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "not permitted",
    EROFS: "read-only file system",
    ENOENT: "cannot be created there",
    ENOSPC: "no space left on the device",
  };
  const said = e.code !== undefined ? words[e.code] : undefined;
  return said === undefined ? `${e.code ?? e.message}${where}` : `${said}${where}: ${e.code}`;
}

/** The nearest of `dir` and its parents that exists, if it is not a directory. */
function fileInTheWay(dir: string): string | undefined {
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p, { throwIfNoEntry: false });
    } catch {
      // ENOTDIR: a parent is the file; go up to it.
    }
    if (stat !== undefined) return stat.isDirectory() ? undefined : p;
    if (path.dirname(p) === p) return undefined;
  }
}
