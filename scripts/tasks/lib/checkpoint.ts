/**
 * Where a task that reads a contract's logs from its deployment on every run (deployment verify: the timelock's role
 * logs) keeps what it read, so that the next run reads only the blocks since: a side file next to the deployment
 * record, `<record>.verify-checkpoint` (not `.json`: the record lookup takes every .json file in the directory for a
 * record). It holds the state the logs gave up to a block CHECKPOINT_MARGIN below the head of the run that wrote it,
 * and that block's hash: a reorg that reaches it changes the hash, and the next run starts over from the deployment;
 * one of the last blocks only is read again anyway. It is a cache: a missing, unreadable or foreign one is read from
 * the deployment again, and one that cannot be written is not written.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Blocks below the head that a checkpoint stays, so that a reorg of the last ones costs no start over. */
export const CHECKPOINT_MARGIN = 64;

export interface LogCheckpoint<T> {
  version: 1;
  /** The contract whose logs these are and the block reading started at (its block in the record). */
  address: string;
  from: number;
  /** The last block read into `state`, and its hash then. */
  block: number;
  blockHash: string;
  state: T[];
}

/** `<dir>/<name>.verify-checkpoint` for the record `<dir>/<name>.json`. */
export function checkpointFile(recordFile: string): string {
  const base = path.basename(recordFile, ".json");
  return path.join(path.dirname(recordFile), `${base}.verify-checkpoint`);
}

/**
 * The checkpoint in `file` of `address`'s logs read from block `from`, when it is one (each state item passing
 * `isItem`); undefined otherwise, the file's absence included.
 */
export function readCheckpoint<T>(file: string, address: string, from: number, isItem: (item: unknown) => item is T): LogCheckpoint<T> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const c = json as Partial<LogCheckpoint<unknown>> | null;
  if (c === null || typeof c !== "object" || c.version !== 1 || typeof c.address !== "string" || c.address.toLowerCase() !== address.toLowerCase()) return undefined;
  if (c.from !== from || typeof c.block !== "number" || !Number.isSafeInteger(c.block) || c.block < from) return undefined;
  if (typeof c.blockHash !== "string" || !Array.isArray(c.state) || !c.state.every(isItem)) return undefined;
  return c as LogCheckpoint<T>;
}

/** Writes `checkpoint` to `file`, or nothing where the directory does not take it (a read-only checkout, say). */
export function writeCheckpoint<T>(file: string, checkpoint: LogCheckpoint<T>): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    // Renamed into place, so that a run stopped halfway leaves the previous checkpoint, not half of one.
    fs.writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
