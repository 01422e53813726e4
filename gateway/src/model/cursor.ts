// Keyset cursors: the sort key(s) and the id of the last row of a page, tagged with the list and ordering they
// belong to and bound to the arguments that chose the rows (a digest of them), and the indexed block the page
// sequence reads, as opaque base64url. A cursor from another list, ordering, filter or provider is refused instead
// of silently paging something else.
import { createHash } from "node:crypto";
import { badUserInput, cursorRetired } from "../errors";
import { parseGpuModel, parseRegion } from "./ids";

/**
 * What a cursor is issued for: its list and ordering, and the arguments that choose its rows (cursorScope). Not a
 * secret: a client may still forge a cursor, which then pages what it names, as a fresh query would.
 */
export interface CursorScope {
  /** The list and ordering, e.g. "providers:PRICE:ASC". */
  tag: string;
  /** A short digest of the arguments. */
  digest: string;
  /** The arguments by name, for the refusal (["filter"], ["provider", "statuses"]). */
  names: readonly string[];
}

/** The arguments named in the plural, which take "other" where the others take "another". */
const PLURAL_ARGUMENTS: ReadonlySet<string> = new Set(["requirements", "statuses", "states"]);

/** The refusal of a cursor asked with other arguments than `scope`'s, e.g. "...for another provider or other statuses". */
function otherArgumentsProblem(scope: CursorScope, argument: string): string {
  const others = scope.names.map((name) => `${PLURAL_ARGUMENTS.has(name) ? "other" : "another"} ${name}`).join(" or ");
  return `the cursor was issued for ${others}: ask with the ${scope.names.join(" and ")} it was issued for, or start again without \`${argument}\``;
}

/** How the gateway reads a value it parses (an id): the form it queries with, so that spellings of it hash alike. */
type Normalise = (value: string, argument: string) => string;

/**
 * The list arguments that are sets, by their path in cursorScope's arguments: each only ever becomes an `_in` clause
 * or a Set, so neither the order of its values nor a repeated one changes the rows. Hashed sorted and de-duplicated,
 * each value in its parsed form where the gateway parses it:
 *  - `statuses` (Provider.jobs: status_in), `filter.statuses` (jobs: status_in);
 *  - `states` (governance.proposals: the Set of wanted states, one clause each, any of them);
 *  - `filter.gpuModels`, `filter.regions` (jobs, providers: gpuModelKey_in, regionKey_in, parsed and de-duplicated
 *    by inputs.ts), `requirements.gpuModels`, `requirements.regions` (availableCompute: the same);
 *  - `filter.categories` (activity: category_in).
 * No paged list takes a list whose order matters (none is a ranking or a sequence), so none is left as written.
 */
const SETS: ReadonlyMap<string, Normalise | null> = new Map<string, Normalise | null>([
  ["statuses", null],
  ["states", null],
  ["filter.statuses", null],
  ["filter.gpuModels", parseGpuModel],
  ["filter.regions", parseRegion],
  ["filter.categories", null],
  ["requirements.gpuModels", parseGpuModel],
  ["requirements.regions", parseRegion],
]);

/**
 * `value` in the form its query reads it. A value its parser refuses is kept as written: the request is refused by
 * the list's own validation, with that check's message and in its order, whatever the digest.
 */
function normalised(value: unknown, normalise: Normalise | null | undefined, path: string): unknown {
  if (normalise === null || normalise === undefined || typeof value !== "string") return value;
  try {
    return normalise(value, path);
  } catch {
    return value;
  }
}

/**
 * `value` as JSON that says the same whatever way the client wrote it: keys sorted; null, absent and `{}` alike; the
 * lists in SETS sorted and de-duplicated, their values in their parsed form (a job id has one form: model/ids.ts).
 * `path` is where
 * `value` sits in the arguments ("filter.gpuModels").
 */
function canonical(value: unknown, path = ""): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) {
    if (!SETS.has(path)) return value.map((item) => canonical(item) ?? null);
    const normalise = SETS.get(path);
    const items = value.map((item) => JSON.stringify(canonical(normalised(item, normalise, path)) ?? null));
    return [...new Set(items)].sort().map((item): unknown => JSON.parse(item));
  }
  if (typeof value !== "object") return value;
  const entries = Object.keys(value)
    .sort()
    .flatMap((key) => {
      const item = canonical((value as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`);
      return item === undefined ? [] : [[key, item] as const];
    });
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/** 66 bits of SHA-256: a client that changes its filter between pages will not hit the same digest by chance. */
const DIGEST = /^[A-Za-z0-9_-]{11}$/;
/** A list's tag as cursors carry it ("jobs:CREATED:DESC"): anything else in its place is not named back. */
const TAG_FORM = /^[A-Za-z]{1,32}(?::[A-Z_]{1,32}){1,3}$/;

/**
 * The scope of `tag`'s cursors for `args`: every argument that chooses the rows (not `first`, nor `after`, nor the
 * ordering, which `tag` names), with the parent's key for a nested list (Provider.jobs: the provider).
 */
export function cursorScope(tag: string, args: Record<string, unknown>): CursorScope {
  const digest = createHash("sha256")
    .update(JSON.stringify(canonical(args) ?? null))
    .digest("base64url")
    .slice(0, 11);
  return { tag, digest, names: Object.keys(args) };
}

/** The indexed block a page sequence reads: the first page's, carried by every cursor after it. */
export interface PinnedBlock {
  number: number;
  /** Null when the source did not say (the sequence is then pinned by number alone). */
  hash: string | null;
  /** Its block time, unix seconds, where the source said: openJobs judges acceptance deadlines at it on every page. */
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

/** `[tag, keys, id, block number, block hash, block time or null, digest]`. */
export function encodeCursor(scope: CursorScope, position: CursorPosition): string {
  const { block } = position;
  const parts = [scope.tag, position.keys, position.id, block.number, block.hash, block.timestamp ?? null, scope.digest];
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
}

/** The block of a cursor (number, hash, time: null where the source did not say it): undefined when malformed. */
function pinnedBlock(number: unknown, hash: unknown, timestamp: unknown): PinnedBlock | undefined {
  if (!isBlockNumber(number)) return undefined;
  if (hash !== null && (typeof hash !== "string" || !BLOCK_HASH.test(hash))) return undefined;
  if (timestamp === null) return { number, hash };
  return typeof timestamp === "number" && Number.isSafeInteger(timestamp) && timestamp >= 0 ? { number, hash, timestamp } : undefined;
}

/**
 * Cursors from before sequences were pinned: `[tag, keys, id]`, no block. Continuing one at the latest block could
 * skip or repeat rows whose sort key changed since its page, so every list refuses it as expired.
 */
const UNPINNED = "an older gateway issued it, before cursors carried the block their page sequence reads";

/**
 * Cursors from before they were bound to their arguments: `[tag, keys, id, block number, block hash, block time?]`.
 * Nothing says which filter they paged, so none can be continued.
 */
const UNBOUND = "an older gateway issued it, before cursors were bound to the filter they page";

/** How a list's cursors looked before a release changed them: `keyCount` keys under the same tag. */
export interface RetiredCursorShape {
  keyCount: number;
  /** What changed, for the client's message. */
  change: string;
}

/**
 * Decodes `after`, or returns null when there is none: the one place a cursor is parsed, whose position the page and
 * the reads before it (at its block) share. `scope` is what the page is asked for: a cursor issued for another
 * list, ordering or arguments is refused. A cursor of the list's `retired` shape, or of this list from before
 * sequences were pinned or cursors bound, was valid once: refused as expired (start again), not as something this
 * list never handed out.
 */
/** `after` as a refusal quotes it: a forged one may be as long as a request body, so past 40 characters its start. */
export function quotedCursor(after: string): string {
  return JSON.stringify(after.length > 40 ? `${after.slice(0, 40)}…` : after);
}

export function decodeCursor(
  after: string | null | undefined,
  scope: CursorScope,
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
    throw badUserInput(argument, `${quotedCursor(after)} is not a cursor returned by this list`, { value: after });
  }
  const { tag } = scope;
  // Before its rows' shape: another list's cursor, or another ordering's, has other sort keys, and would be refused as
  // no cursor at all, though the client only passed it to the wrong list.
  if (Array.isArray(parsed) && typeof parsed[0] === "string" && parsed[0] !== tag && TAG_FORM.test(parsed[0])) {
    throw badUserInput(argument, `the cursor belongs to another list or ordering (${parsed[0]}), not to ${tag}`, { value: after });
  }
  const bound = Array.isArray(parsed) && parsed.length === 7 && typeof parsed[6] === "string" && DIGEST.test(parsed[6]);
  const block = bound && Array.isArray(parsed) ? pinnedBlock(parsed[3], parsed[4], parsed[5]) : undefined;
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
    if (rowValid && Array.isArray(parsed) && parsed[0] === tag) {
      if (parsed.length === 3) throw cursorRetired(argument, UNPINNED);
      const unbound = parsed.length === 5 || parsed.length === 6;
      if (unbound && pinnedBlock(parsed[3], parsed[4], parsed.length === 5 ? null : parsed[5]) !== undefined) throw cursorRetired(argument, UNBOUND);
    }
    throw badUserInput(argument, `${quotedCursor(after)} is not a cursor returned by this list`, { value: after });
  }
  if (parsed[0] !== tag) {
    throw badUserInput(argument, `the cursor belongs to another list or ordering (${parsed[0]}), not to ${tag}`, { value: after });
  }
  if (parsed[6] !== scope.digest) {
    throw badUserInput(argument, otherArgumentsProblem(scope, argument), { value: after });
  }
  return { keys: parsed[1] as string[], id: parsed[2], block };
}
