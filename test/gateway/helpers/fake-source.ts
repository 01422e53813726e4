// graph-node's list semantics over rows in memory, for testing services without a source: `where` (and/or, equality
// and the _in/_lt/_lte/_gt/_gte suffixes), orderBy with ties broken by id in the same direction, and `first`.
import type { ListArgs } from "../../../gateway/src/subgraph/reader";
import type { Where } from "../../../gateway/src/subgraph/where";

type Row = Record<string, unknown>;

/** Decimal text and numbers compare as numbers, everything else as text. */
function compare(a: unknown, b: unknown): number {
  const x = String(a);
  const y = String(b);
  if (/^-?\d+$/.test(x) && /^-?\d+$/.test(y)) return BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function matches(row: Row, where: Where): boolean {
  return Object.entries(where).every(([key, value]) => {
    if (key === "and") return (value as Where[]).every((w) => matches(row, w));
    if (key === "or") return (value as Where[]).some((w) => matches(row, w));
    const [, field = key, op = ""] = /^(.*?)(?:_(in|lt|lte|gt|gte))?$/.exec(key) ?? [];
    const actual = row[field];
    if (op === "in") return (value as unknown[]).some((v) => compare(actual, v) === 0);
    const c = compare(actual, value);
    return op === "lt" ? c < 0 : op === "lte" ? c <= 0 : op === "gt" ? c > 0 : op === "gte" ? c >= 0 : c === 0;
  });
}

/** What graph-node answers to a list query over `rows`. */
export function list<T>(rows: readonly T[], args: ListArgs): T[] {
  const sign = args.orderDirection === "desc" ? -1 : 1;
  return rows
    .filter((r) => matches(r as Row, args.where))
    .sort((a, b) => sign * (compare((a as Row)[args.orderBy], (b as Row)[args.orderBy]) || compare((a as Row).id, (b as Row).id)))
    .slice(0, args.first);
}
