// Relay connections paged by key: each page asks the source for the rows after the last row's (sort key, id), one
// more than the page to know whether another page follows. No offsets, so page 500 costs what page 1 costs.
//
// A page sequence reads one block: the first page reads the latest and its cursors carry that block, which every
// later page reads again (`block:` in the source query). Rows whose sort key changes in between (a provider's free
// GPUs, a job's last update) would otherwise move across the cursor and be skipped or shown twice. What is read
// under the rows (their nested lists, through the loaders at their block: readAtOf) reads that block as well. A
// client that wants newer rows starts a new sequence (no `after`).
import { decodeCursor, encodeCursor, type CursorPosition, type CursorScope, type CursorValueKind, type PinnedBlock } from "../model/cursor";
import type { IndexedHead } from "../sources/head-watcher";

/** The subgraph type of a sort key: Int keys must reach the source as numbers, BigInt keys as decimal strings. */
export type SortKeyType = "Int" | "BigInt" | "Bytes";

const CURSOR_KIND: Record<SortKeyType, CursorValueKind> = { Int: "int", BigInt: "integer", Bytes: "hex" };
import { toConnection, type ConnectionModel } from "../model/models";
import { UNKNOWN_BLOCK, readAtOf, type ListArgs, type ListPage, type NestedPageArgs, type ReadAt } from "../subgraph/reader";
import { allOf, keysetAfter, type SortDirection, type Where } from "../subgraph/where";

export interface KeysetSort<TRow> {
  /** What the cursors are issued for: the list and ordering (e.g. "providers:PRICE:ASC") and its filter (cursorScope). */
  scope: CursorScope;
  /** The subgraph field sorted by ("id" for id order). */
  field: string;
  direction: SortDirection;
  /** The sort key's type (ignored when sorting by id). */
  keyType: SortKeyType;
  idKind: CursorValueKind;
  keyOf: (row: TRow) => string;
}

/**
 * Blocks this close to the head may still be replaced by a reorg: a sequence pinned to one asks for it by hash, so
 * that a replaced block is refused (CURSOR_EXPIRED) rather than read at its height. Older ones are asked for by
 * number: the embedded indexer keeps the hashes of blocks without events only within its reorg threshold (50).
 */
export const PIN_BY_HASH_BLOCKS = 50;

/**
 * The position in `after` for `sort`'s list (null without one), refused when malformed: for lists that read before
 * the page (the filter's protocol, the provider), before those reads, which would otherwise read a forged cursor's
 * block or skip the page and so answer for a cursor the page would refuse. Those reads and the page (keysetPage)
 * then share the position.
 */
export function decodeKeysetCursor<TRow>(after: string | null | undefined, sort: KeysetSort<TRow>): CursorPosition | null {
  return decodeCursor(after, sort.scope, sort.field === "id" ? [] : [CURSOR_KIND[sort.keyType]], sort.idKind);
}

/** How a later page reads its sequence's block (its cursor's), given the indexed head now. */
export function readAt(block: PinnedBlock, head: IndexedHead | null): ReadAt {
  return { block, byHash: block.hash !== null && head !== null && head.number - block.number < PIN_BY_HASH_BLOCKS, fromCursor: true };
}

/**
 * How an answer that reads the indexed head's block (every figure of it, so that none mixes two blocks) reads it: by
 * hash where the source said it, so that a head a reorganisation replaced since it was seen is refused
 * (BlockNotServedError) rather than read at its height.
 */
export function headReadAt(head: IndexedHead): ReadAt {
  const pinned: PinnedBlock = { number: head.number, hash: head.hash };
  const block = head.timestamp === null ? pinned : { ...pinned, timestamp: head.timestamp };
  return { block, byHash: head.hash !== null, fromCursor: false };
}

/** The block a page at this position reads (undefined: the latest), for what is read before its rows. */
export function pageReadAt(position: CursorPosition | null, head: IndexedHead | null): ReadAt | undefined {
  return position === null ? undefined : readAt(position.block, head);
}

/**
 * One page after `position` (decodeKeysetCursor's). `start` is the block a first page reads where a read before it
 * (the filter's minimum stake) already fixed one, so that the page reads that block too; later pages read their
 * cursor's.
 */
export async function keysetPage<TRow extends { id: string }, TNode>(
  fetch: (args: ListArgs) => Promise<ListPage<TRow>>,
  head: IndexedHead | null,
  where: Where,
  sort: KeysetSort<TRow>,
  first: number,
  position: CursorPosition | null,
  toNode: (row: TRow) => TNode,
  start?: ReadAt,
): Promise<ConnectionModel<TNode>> {
  const byId = sort.field === "id";
  const at = position === null ? start : readAt(position.block, head);
  const key = position?.keys[0] ?? "0";
  const { rows, block } = await fetch({
    where:
      position === null
        ? where
        : allOf(where, keysetAfter(sort.field, sort.direction, sort.keyType === "Int" ? Number(key) : key, position.id)),
    orderBy: sort.field,
    orderDirection: sort.direction,
    first: first + 1,
    ...(at === undefined ? {} : { at }),
  });
  return toConnection(
    rows,
    first,
    position !== null,
    toNode,
    (row) => encodeCursor(sort.scope, { keys: byId ? [] : [sort.keyOf(row)], id: row.id, block }),
    block.number,
  );
}

/** How a nested list (Provider.jobs, slashes and thawRequests, Proposal.votes) is ordered, and its cursors made. */
export interface NestedSort<TRow> {
  /** The list and ordering, bound to its parent (its provider, its proposal) and the arguments that choose its rows. */
  scope: CursorScope;
  /** The subgraph field sorted by; ties are broken by id in the same direction (keysetAfter). */
  field: string;
  direction: SortDirection;
  keyKind: CursorValueKind;
  idKind: CursorValueKind;
  keyOf: (row: TRow) => string;
}

/** Where and how one page of a nested list reads (nestedPageRead). */
export interface NestedPageRead<TRow> {
  /** The cursor's position, null on a first page. */
  position: CursorPosition | null;
  /** The rows after the cursor, null on a first page. */
  after: Where | null;
  /** The block the page reads: its parent's on a first page, its cursor's after one. */
  at: ReadAt | undefined;
  block: PinnedBlock | null;
  /** The cursor that continues after `row`, carrying the page's block. */
  cursorOf: (row: TRow) => string;
  /** What the page asks the source for, `first` rows in the list's order (after the cursor). */
  args: (first: number) => NestedPageArgs;
}

/**
 * One page of a nested list, paged as a top-level list is: a first page is a page sequence of its own, reading its
 * parent's block, and each row's cursor carries that block, which every later page reads again, so that rows added
 * meanwhile neither shift the pages nor show twice. `after` is checked (and refused as a top-level cursor is) before
 * anything is read.
 */
export function nestedPageRead<TRow extends { id: string }>(
  parent: object,
  cursor: string | null | undefined,
  sort: NestedSort<TRow>,
  head: IndexedHead | null,
): NestedPageRead<TRow> {
  const position = decodeCursor(cursor, sort.scope, [sort.keyKind], sort.idKind);
  const at = position === null ? readAtOf(parent) : readAt(position.block, head);
  const block = at?.block ?? null;
  const after = position === null ? null : keysetAfter(sort.field, sort.direction, position.keys[0] ?? "0", position.id);
  return {
    position,
    after,
    at,
    block,
    cursorOf: (row) => encodeCursor(sort.scope, { keys: [sort.keyOf(row)], id: row.id, block: block ?? UNKNOWN_BLOCK }),
    args: (first) => (after === null ? { first } : { first, where: after }),
  };
}

/**
 * A nested list's page (`page`, nestedPageRead's) as a connection, with its `nodes`: `read` is asked for `first + 1`
 * rows, the extra one only saying that rows follow (`pageInfo.hasNextPage`), which a plain list of `first` rows could
 * not say. Each node carries its own cursor (the rows' `cursor` field), the same as its edge's.
 */
export async function nestedConnection<TRow extends { id: string }, TNode>(
  page: NestedPageRead<TRow>,
  first: number,
  read: (args: NestedPageArgs) => Promise<TRow[]>,
  toNode: (row: TRow, cursor: string) => TNode,
): Promise<ConnectionModel<TNode> & { nodes: TNode[] }> {
  const rows = await read(page.args(first + 1));
  const connection = toConnection(rows, first, page.position !== null, (row) => toNode(row, page.cursorOf(row)), page.cursorOf, page.block?.number ?? null);
  return { ...connection, nodes: connection.edges.map((edge) => edge.node) };
}
