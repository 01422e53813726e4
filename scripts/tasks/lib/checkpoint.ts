/**
 * Where a task that reads contracts' logs from their deployment on every run (deployment verify: the timelock's role
 * logs, and the setter logs that explain a governed value) keeps what it read, so that the next run reads only the
 * blocks since: a side file next to the deployment record, `<record>.verify-checkpoint` (not `.json`: the record
 * lookup takes every .json file in the directory for a record). It holds, per stream of logs (one contract's logs of
 * one kind, read by one filter), the logs that matter up to a block CHECKPOINT_MARGIN below the head of the run that
 * read it, and that block's hash: a reorg that reaches it changes the hash, and the next run reads that stream from
 * the deployment again; one of the last blocks only is read again anyway. Each stream keeps its own block, as a run
 * reads only the streams it needs. It also keeps, per transaction asked about, the contract it created (or that it
 * created none): the receipt that tells a constructor's log from a later one in the deployment's block, asked for once
 * rather than on every run. That needs no block hash: a transaction's hash commits to its sender, nonce and `to`, which
 * make what it creates, wherever a reorg puts it. It is a cache: a missing, unreadable, foreign or older one is read
 * from the deployment again (and rewritten), and one that cannot be written is not written (`unwritable` says why, for
 * the task to tell the user).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isProgrammingError } from "./errors";
import { queryLogRange } from "./logs";
import type { LogQuery } from "./logs";

/** Blocks below the head that a checkpoint stays, so that a reorg of the last ones costs no start over. */
export const CHECKPOINT_MARGIN = 64;

export interface StreamCheckpoint<T> {
  /** The contract whose logs these are and the block reading started at (its block in the record). */
  address: string;
  from: number;
  /** The last block read into `state`, and its hash then. */
  block: number;
  blockHash: string;
  state: T[];
}

// Version 3: the timelock's stream holds its MinDelayChange logs too, and `createdContracts` is new. An older file's
// streams are read from the deployment again, once, as a missing file's are.
const VERSION = 3;

interface CheckpointContents {
  version: typeof VERSION;
  streams: Record<string, StreamCheckpoint<unknown>>;
  /** Transaction hash (lowercase) to the contract it created (lowercase), or null where it created none. */
  createdContracts: Record<string, string | null>;
}

/** `<dir>/<name>.verify-checkpoint` for the record `<dir>/<name>.json`. */
export function checkpointFile(recordFile: string): string {
  const base = path.basename(recordFile, ".json");
  return path.join(path.dirname(recordFile), `${base}.verify-checkpoint`);
}

/** A checkpoint file, read once when opened; `save` writes each stream as it is read. */
export class LogCheckpoint {
  private readonly streams: Record<string, StreamCheckpoint<unknown>>;
  private readonly createdContracts: Record<string, string | null>;
  /** Why the file could not be written, from the first write that failed; undefined while none has. */
  unwritable: string | undefined;

  constructor(readonly file: string) {
    ({ streams: this.streams, createdContracts: this.createdContracts } = LogCheckpoint.read(file));
  }

  private static read(file: string): Omit<CheckpointContents, "version"> {
    const none = { streams: {}, createdContracts: {} };
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      return none;
    }
    const c = json as Partial<CheckpointContents> | null;
    // Another version's is read from the deployment again, as a missing one.
    if (c === null || typeof c !== "object" || c.version !== VERSION || !isRecord(c.streams)) return none;
    const created = isRecord(c.createdContracts) ? c.createdContracts : {};
    const valid = Object.entries(created).filter(([, address]) => address === null || typeof address === "string");
    return { streams: c.streams, createdContracts: Object.fromEntries(valid) as Record<string, string | null> };
  }

  /**
   * The checkpoint of stream `key`, when it is one of `address`'s logs read from block `from` (each state item passing
   * `isItem`); undefined otherwise, the stream's absence included.
   */
  stream<T>(key: string, address: string, from: number, isItem: (item: unknown) => item is T): StreamCheckpoint<T> | undefined {
    const c = (Object.hasOwn(this.streams, key) ? this.streams[key] : undefined) as Partial<StreamCheckpoint<unknown>> | null | undefined;
    if (c === undefined || c === null || typeof c !== "object") return undefined;
    if (typeof c.address !== "string" || c.address.toLowerCase() !== address.toLowerCase()) return undefined;
    if (c.from !== from || typeof c.block !== "number" || !Number.isSafeInteger(c.block) || c.block < from) return undefined;
    if (typeof c.blockHash !== "string" || !Array.isArray(c.state) || !c.state.every(isItem)) return undefined;
    return c as StreamCheckpoint<T>;
  }

  /** Keeps `checkpoint` as stream `key` and writes the file, or nothing where the directory does not take it. */
  save<T>(key: string, checkpoint: StreamCheckpoint<T>): void {
    this.streams[key] = checkpoint;
    this.write();
  }

  /** The contract (lowercase) transaction `hash` created, null for none; undefined where the checkpoint does not know. */
  createdBy(hash: string): string | null | undefined {
    const key = hash.toLowerCase();
    return Object.hasOwn(this.createdContracts, key) ? this.createdContracts[key] : undefined;
  }

  /** Keeps that transaction `hash` created `contract` (null: none) and writes the file, as save does. */
  saveCreatedBy(hash: string, contract: string | null): void {
    this.createdContracts[hash.toLowerCase()] = contract === null ? null : contract.toLowerCase();
    this.write();
  }

  private write(): void {
    // One that failed fails again (the directory is read-only, say): the task says so once.
    if (this.unwritable !== undefined) return;
    const contents: CheckpointContents = { version: VERSION, streams: this.streams, createdContracts: this.createdContracts };
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      // Renamed into place, so that a run stopped halfway leaves the previous checkpoint, not half of one.
      fs.writeFileSync(temporary, `${JSON.stringify(contents, null, 2)}\n`);
      fs.renameSync(temporary, this.file);
    } catch (error) {
      if (isProgrammingError(error)) throw error;
      fs.rmSync(temporary, { force: true });
      // Node's message is "EACCES: permission denied, open '<file>'": the reason without the paths.
      this.unwritable = error instanceof Error ? (error.message.split(",")[0] ?? error.message) : String(error);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A block's hash as the node has it now (null where it has no such block). */
export interface BlockReader {
  getBlock(block: number): Promise<{ hash: string | null } | null>;
}

export interface LogStream<T extends { blockNumber: number; index: number }> {
  /** The stream's name in the checkpoint file. */
  key: string;
  /** The logs, as a ChainQueryError names them. */
  what: string;
  address: string;
  /** The contract's block in the record: where a read without a checkpoint starts. */
  from: number;
  query: LogQuery<T>;
  isItem: (item: unknown) => item is T;
  /**
   * Of logs in block order (a checkpoint's state first, then the logs after its block), those the task needs: `keep` of
   * `keep` of the logs up to a block N followed by the logs after N must be `keep` of them all, so that a checkpoint
   * of its state at N stands for every log up to N.
   */
  keep: (logs: T[]) => T[];
}

/**
 * `keep` of every log of `stream` from its contract's block to `head`, in block order: the checkpoint's state and the
 * logs since its block where the node still has that block with the same hash, all the logs otherwise. What they give up
 * to CHECKPOINT_MARGIN blocks below `head` becomes the stream's checkpoint.
 */
export async function readLogStream<T extends { blockNumber: number; index: number }>(
  checkpoint: LogCheckpoint,
  provider: BlockReader,
  stream: LogStream<T>,
  head: number,
): Promise<T[]> {
  let saved = checkpoint.stream(stream.key, stream.address, stream.from, stream.isItem);
  // Its block's hash is not what it was: a reorg reached it (or the chain is another), so what it holds may not be.
  if (saved !== undefined && (saved.block > head || (await provider.getBlock(saved.block))?.hash !== saved.blockHash)) saved = undefined;
  const start = saved === undefined ? stream.from : saved.block + 1;
  const confirmed = head - CHECKPOINT_MARGIN;
  // The next checkpoint's hash is asked for before its logs, so that a reorg between the two makes it one that the
  // next run finds stale, never one that vouches for logs of another chain.
  const checkpointHash = confirmed >= start ? (await provider.getBlock(confirmed))?.hash : undefined;
  const { logs } = start > head ? { logs: [] } : await queryLogRange(stream.what, start, head, stream.query);
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const upToCheckpoint = stream.keep([...(saved?.state ?? []), ...logs.filter((log) => log.blockNumber <= confirmed)]);
  if (checkpointHash != null) {
    checkpoint.save(stream.key, { address: stream.address, from: stream.from, block: confirmed, blockHash: checkpointHash, state: upToCheckpoint });
  }
  return stream.keep([...upToCheckpoint, ...logs.filter((log) => log.blockNumber > confirmed)]);
}
