// Keyset cursors: the sort key(s) and the id of the last row of a page, tagged with the list and ordering they
// belong to, and the indexed block the page sequence reads, as opaque base64url. A cursor from another list or
// ordering is refused instead of silently paging something else.
import { badUserInput, cursorRetired } from "../errors";

/** The indexed block a page sequence reads: the first page's, carried by every cursor after it. */
export interface PinnedBlock {
  number: number;
  /** Null when the source did not say (the sequence is then pinned by number alone). */
  hash: string | null;
  /**
   * Its block time, unix seconds, where the source said: openJobs judges acceptance deadlines at it on every page.
   * Absent from cursors made before it was carried.
   */
  timestamp?: number;
}

export interface CursorPosition {
  /** The sort key values of the row, as strings (big numbers stay exact). */
  keys: string[];
  /** The row's id (the final tie-breaker). */
  id: string;
  /** The block of the sequence (cursors made before sequences were pinned are refused: see decodeCursor). */
  block: PinnedBlock;
}

/**
 * What a key or id holds, checked on decoding so that a forged cursor cannot reach the source as garbage: `int` is
 * a GraphQL Int (32 bits; the source refuses larger ones as a failed query), `integer` a BigInt, `hex` whole bytes.
 */
export type CursorValueKind = "int" | "integer" | "hex" | "text";

const INT_MAX = 2 ** 31 - 1;

const VALUE_CHECKS: Record<CursorValueKind, (value: string) => boolean> = {
  int: (v) => /^-?\d{1,10}$/.test(v) && Math.abs(Number(v)) <= INT_MAX,
  integer: (v) => /^-?\d{1,80}$/.test(v),
  hex: (v) => /^0x(?:[0-9a-f]{2}){0,100}$/.test(v),
  text: (v) => /^[\s\S]{0,200}$/.test(v),
};

const BLOCK_HASH = /^0x[0-9a-f]{64}$/;

/** A block number the source takes: `block: { number }` is a GraphQL Int, which refuses larger ones as a failed query. */
const isBlockNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= INT_MAX;

export function encodeCursor(tag: string, position: CursorPosition): string {
  const { block } = position;
  const parts = [tag, position.keys, position.id, block.number, block.hash, ...(block.timestamp === undefined ? [] : [block.timestamp])];
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
}

/** The block a cursor's tail holds: undefined when it holds none (the unpinned form) or is malformed. */
function pinnedBlock(parsed: unknown[]): PinnedBlock | undefined {
  const [number, hash, timestamp] = [parsed[3], parsed[4], parsed[5]];
  if ((parsed.length !== 5 && parsed.length !== 6) || !isBlockNumber(number)) return undefined;
  if (hash !== null && (typeof hash !== "string" || !BLOCK_HASH.test(hash))) return undefined;
  if (parsed.length === 5) return { number, hash };
  return typeof timestamp === "number" && Number.isSafeInteger(timestamp) && timestamp >= 0 ? { number, hash, timestamp } : undefined;
}

/**
 * Cursors from before sequences were pinned: `[tag, keys, id]`, no block. Continuing one at the latest block could
 * skip or repeat rows whose sort key changed since its page, so every list refuses it as expired.
 */
const UNPINNED = "an older gateway issued it, before cursors carried the block their page sequence reads";

/** How a list's cursors looked before a release changed them: `keyCount` keys under the same tag. */
export interface RetiredCursorShape {
  keyCount: number;
  /** What changed, for the client's message. */
  change: string;
}

/**
 * Decodes `after`, or returns null when there is none: the one place a cursor is parsed, whose position the page and
 * the reads before it (at its block) share. `tag` identifies the list and ordering. A cursor of the list's `retired`
 * shape, or of this list from before sequences were pinned, was valid once: refused as expired (start again), not as
 * something this list never handed out.
 */
export function decodeCursor(
  after: string | null | undefined,
  tag: string,
  keyKinds: readonly CursorValueKind[],
  idKind: CursorValueKind,
  argument = "after",
  retired?: RetiredCursorShape,
): CursorPosition | null {
  if (after === null || after === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
  } catch {
    throw badUserInput(argument, "not a cursor returned by this list");
  }
  const block = Array.isArray(parsed) ? pinnedBlock(parsed) : undefined;
  const rowValid =
    Array.isArray(parsed) &&
    typeof parsed[0] === "string" &&
    Array.isArray(parsed[1]) &&
    parsed[1].length === keyKinds.length &&
    parsed[1].every((k: unknown, i: number) => typeof k === "string" && VALUE_CHECKS[keyKinds[i] as CursorValueKind](k)) &&
    typeof parsed[2] === "string" &&
    VALUE_CHECKS[idKind](parsed[2]);
  if (!Array.isArray(parsed) || block === undefined || !rowValid) {
    const keys: unknown = Array.isArray(parsed) ? parsed[1] : undefined;
    if (retired !== undefined && Array.isArray(parsed) && parsed[0] === tag && Array.isArray(keys) && keys.length === retired.keyCount) {
      throw cursorRetired(argument, retired.change);
    }
    if (rowValid && Array.isArray(parsed) && parsed.length === 3 && parsed[0] === tag) throw cursorRetired(argument, UNPINNED);
    throw badUserInput(argument, "not a cursor returned by this list");
  }
  if (parsed[0] !== tag) {
    throw badUserInput(argument, `the cursor belongs to another list or ordering (${parsed[0]}), not to ${tag}`);
  }
  return { keys: parsed[1] as string[], id: parsed[2], block };
}
