// Relay connections paged by key: each page asks the source for the rows after the last row's (sort key, id), one
// more than the page to know whether another page follows. No offsets, so page 500 costs what page 1 costs.
import { decodeCursor, encodeCursor, type CursorValueKind } from "../model/cursor";

/** The subgraph type of a sort key: Int keys must reach the source as numbers, BigInt keys as decimal strings. */
export type SortKeyType = "Int" | "BigInt" | "Bytes";

const CURSOR_KIND: Record<SortKeyType, CursorValueKind> = { Int: "int", BigInt: "integer", Bytes: "hex" };
import { toConnection, type ConnectionModel } from "../model/models";
import type { ListArgs } from "../subgraph/reader";
import { allOf, keysetAfter, type SortDirection, type Where } from "../subgraph/where";

export interface KeysetSort<TRow> {
  /** Identifies the list and ordering in cursors, e.g. "providers:PRICE:ASC". */
  tag: string;
  /** The subgraph field sorted by ("id" for id order). */
  field: string;
  direction: SortDirection;
  /** The sort key's type (ignored when sorting by id). */
  keyType: SortKeyType;
  idKind: CursorValueKind;
  keyOf: (row: TRow) => string;
}

export async function keysetConnection<TRow extends { id: string }, TNode>(
  fetch: (args: ListArgs) => Promise<TRow[]>,
  where: Where,
  sort: KeysetSort<TRow>,
  first: number,
  after: string | null | undefined,
  toNode: (row: TRow) => TNode,
): Promise<ConnectionModel<TNode>> {
  const byId = sort.field === "id";
  const position = decodeCursor(after, sort.tag, byId ? [] : [CURSOR_KIND[sort.keyType]], sort.idKind);
  const key = position?.keys[0] ?? "0";
  const rows = await fetch({
    where:
      position === null
        ? where
        : allOf(where, keysetAfter(sort.field, sort.direction, sort.keyType === "Int" ? Number(key) : key, position.id)),
    orderBy: sort.field,
    orderDirection: sort.direction,
    first: first + 1,
  });
  return toConnection(rows, first, position !== null, toNode, (row) =>
    encodeCursor(sort.tag, { keys: byId ? [] : [sort.keyOf(row)], id: row.id }),
  );
}
