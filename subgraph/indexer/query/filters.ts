// Compiles graph-node `where` filters to SQL over the entity tables, following graph-node's semantics
// (graphql/src/store/query.rs, store/postgres/src/relational_queries.rs):
//   `f: null` is IS NULL, `f_not: v` excludes nulls, `_in: []` and `_not_in: []` match nothing, string ops take the
//   value as a Postgres LIKE/ILIKE pattern (likePattern), list `_contains` means "contains all of", nested `f_: {...}`
//   holds when a referenced (or referencing, for @derivedFrom) entity at the same block matches (one level only),
//   `and`/`or` combine lists of filters, and `or` may not be mixed with column filters at the same level.
import { GraphQLError } from "graphql";
import { UnattestableQueryError } from "./attestable";
import type { CompositeTypeModel, EntityTypeModel, FieldModel, SchemaModel } from "../schema/model";
import { encodeBigDecimal, encodeBigInt } from "../values/sortable";
import { BigDecimal } from "../values/bigdecimal";
import { hexToBytes } from "../values/bytes";
import { quoteIdent } from "../store/layout";
import type { SqlValue } from "../store/codec";

/** Named SQL parameters (@p0, @p1...) so that fragments can be composed in any order. */
export class Params {
  readonly values: Record<string, SqlValue> = {};
  private next = 0;

  add(value: SqlValue): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `@${name}`;
  }
}

export type FilterInput = Readonly<Record<string, unknown>>;

let aliasCounter = 0;
function alias(prefix: string): string {
  aliasCounter = (aliasCounter + 1) % 1_000_000;
  return `${prefix}${aliasCounter}`;
}

/** The visible-at-block condition for a table alias. */
export function atBlock(tableAlias: string, block: string): string {
  return `${tableAlias}.__from <= ${block} AND ${tableAlias}.__to > ${block}`;
}

const OPS = [
  "not_contains_nocase",
  "not_starts_with_nocase",
  "not_ends_with_nocase",
  "contains_nocase",
  "starts_with_nocase",
  "ends_with_nocase",
  "not_starts_with",
  "not_ends_with",
  "not_contains",
  "starts_with",
  "ends_with",
  "contains",
  "not_in",
  "not",
  "gte",
  "lte",
  "gt",
  "lt",
  "in",
] as const;
type Op = (typeof OPS)[number] | "eq" | "child";

function parseKey(type: CompositeTypeModel, key: string): { field: FieldModel; op: Op } {
  const exact = type.fieldsByName.get(key);
  if (exact !== undefined) return { field: exact, op: "eq" };
  if (key.endsWith("_")) {
    const field = type.fieldsByName.get(key.slice(0, -1));
    if (field !== undefined) return { field, op: "child" };
  }
  for (const op of OPS) {
    const suffix = `_${op}`;
    if (key.endsWith(suffix)) {
      const field = type.fieldsByName.get(key.slice(0, -suffix.length));
      if (field !== undefined) return { field, op };
    }
  }
  throw new GraphQLError(`Type \`${type.name}\` has no field for the filter \`${key}\``);
}

function badValue(field: FieldModel, value: unknown, why: string): GraphQLError {
  return new GraphQLError(`Failed to decode \`${field.name}\` filter value \`${String(value)}\`: ${why}`);
}

/** Encodes one filter value for a non-list column. */
export function scalarSqlValue(field: FieldModel, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  switch (field.valueType) {
    case "String":
      return String(value);
    case "Bytes":
      if (Buffer.isBuffer(value)) return value;
      try {
        return hexToBytes(String(value));
      } catch {
        throw badValue(field, value, "not a valid 0x hex string");
      }
    case "BigInt":
      return encodeBigInt(typeof value === "bigint" ? value : BigInt(String(value)));
    case "BigDecimal":
      return encodeBigDecimal(value instanceof BigDecimal ? value : BigDecimal.parse(String(value)));
    case "Int":
      return Number(value);
    case "Int8":
    case "Timestamp":
      return typeof value === "bigint" ? value : BigInt(String(value));
    case "Boolean":
      return value === true ? 1 : 0;
  }
}

/** The JSON form of a list element, as json_each() yields it (booleans as 1/0). */
function listElementSql(field: FieldModel, value: unknown): SqlValue {
  switch (field.valueType) {
    case "Bytes": {
      const bytes = scalarSqlValue(field, value) as Buffer;
      return "0x" + bytes.toString("hex");
    }
    case "BigInt":
    case "Int8":
    case "Timestamp":
      return String(value);
    case "BigDecimal":
      return (value instanceof BigDecimal ? value : BigDecimal.parse(String(value))).toString();
    case "Boolean":
      return value === true ? 1 : 0;
    case "Int":
      return Number(value);
    case "String":
      return String(value);
  }
}

/** The stored JSON text of a whole list, for list equality. */
function listJson(field: FieldModel, values: readonly unknown[]): string {
  return JSON.stringify(values.map((v) => (field.valueType === "Boolean" ? v === true : listElementSql(field, v))));
}

function codePoints(text: string): number {
  return Array.from(text).length;
}

/**
 * graph-node's String operators bind the value as a LIKE/ILIKE pattern without escaping it (relational_queries.rs,
 * `contains` and `starts_or_ends_with`): `_` matches any one character, `%` any run, `\` takes the next character
 * literally, and `_contains` wraps the value in `%` only when it neither starts nor ends with one.
 */
export function likePattern(base: "contains" | "starts_with" | "ends_with", value: string): string {
  if (base === "starts_with") return `${value}%`;
  if (base === "ends_with") return `%${value}`;
  return value.startsWith("%") || value.endsWith("%") ? value : `%${value}%`;
}

/** Postgres' error for such a pattern, reported as graph-node reports store errors (without its `, query = ` SQL). */
export const LIKE_TRAILING_ESCAPE_ERROR = "Failed to get entities from store: LIKE pattern must not end with escape character";

const likeCache = new Map<string, RegExp>();
const LIKE_CACHE_SIZE = 256;

/**
 * A Postgres LIKE (or, `nocase`, ILIKE) pattern as a regular expression over code points. graph-node's database must
 * use the C locale (store/postgres/src/catalog.rs, Locale::suitable), where ILIKE folds only ASCII letters: `É` and
 * `é` differ, so ASCII letters become `[aA]` classes rather than the `i` flag, which folds all of Unicode.
 */
export function likeRegExp(pattern: string, nocase: boolean): RegExp {
  const key = (nocase ? "i" : "s") + pattern;
  let re = likeCache.get(key);
  if (re !== undefined) return re;
  const chars = Array.from(pattern);
  // Regular expression pieces; null is a `%` (a literal `%` is the string "%").
  const tokens: Array<string | null> = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "%") tokens.push(null);
    else if (ch === "_") tokens.push(".");
    else {
      let literal = ch;
      if (ch === "\\") {
        if (i + 1 === chars.length) throw new UnattestableQueryError(LIKE_TRAILING_ESCAPE_ERROR);
        literal = chars[++i]!;
      }
      const lower = literal.toLowerCase();
      if (nocase && /^[a-z]$/.test(lower)) tokens.push(`[${lower}${lower.toUpperCase()}]`);
      else tokens.push(literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
    }
  }
  // A leading or trailing run of `%` is an unanchored end, which spares the engine a backtracking `.*`.
  let first = 0;
  while (first < tokens.length && tokens[first] === null) first++;
  let last = tokens.length;
  while (last > first && tokens[last - 1] === null) last--;
  const body = tokens.slice(first, last).map((t) => t ?? ".*").join("");
  re = new RegExp(`${first === 0 ? "^" : ""}${body}${last === tokens.length ? "$" : ""}`, "su");
  if (likeCache.size >= LIKE_CACHE_SIZE) likeCache.delete(likeCache.keys().next().value as string);
  likeCache.set(key, re);
  return re;
}

/** The SQL function `gn_like(value, pattern, nocase)`: Postgres' `value [I]LIKE pattern`, null for a null value. */
export function sqlLike(value: unknown, pattern: unknown, nocase: unknown): number | null {
  if (typeof value !== "string") return null;
  return likeRegExp(String(pattern), nocase === 1 || nocase === 1n).test(value) ? 1 : 0;
}

/**
 * graph-node builds the SQL of a child filter (`f_: {...}`) with child filters disallowed inside it
 * (relational_queries.rs, `ColumnQual::Child`): `a_: { b_: {...} }` is refused rather than joined twice.
 */
export class ChildFilterNestingError extends GraphQLError {
  constructor(
    readonly attribute: string,
    readonly filter: string,
  ) {
    super(`Child filter nesting not supported by value \`${attribute}\`: \`${filter}\``);
  }
}

const OP_DISPLAY: Readonly<Record<Exclude<Op, "child" | "in" | "not_in">, (a: string, v: string) => string>> = {
  eq: (a, v) => `${a} = ${v}`,
  not: (a, v) => `${a} != ${v}`,
  gt: (a, v) => `${a} > ${v}`,
  lt: (a, v) => `${a} < ${v}`,
  gte: (a, v) => `${a} >= ${v}`,
  lte: (a, v) => `${a} <= ${v}`,
  contains: (a, v) => `${a} ~ *${v}*`,
  contains_nocase: (a, v) => `${a} ~ *${v}*i`,
  not_contains: (a, v) => `${a} !~ *${v}*`,
  not_contains_nocase: (a, v) => `${a} !~ *${v}*i`,
  starts_with: (a, v) => `${a} ~ ^${v}*`,
  starts_with_nocase: (a, v) => `${a} ~ ^${v}*i`,
  not_starts_with: (a, v) => `${a} !~ ^${v}*`,
  not_starts_with_nocase: (a, v) => `${a} !~ ^${v}*i`,
  ends_with: (a, v) => `${a} ~ *${v}$`,
  ends_with_nocase: (a, v) => `${a} ~ *${v}$i`,
  not_ends_with: (a, v) => `${a} !~ *${v}$`,
  not_ends_with_nocase: (a, v) => `${a} !~ *${v}$i`,
};

/** A filter value as graph-node's `Value` displays it (graph/src/data/store/mod.rs). */
function displayValue(field: FieldModel, value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map((v) => displayValue(field, v)).join(", ")}]`;
  if (Buffer.isBuffer(value)) return "0x" + value.toString("hex");
  if (field.valueType === "Bytes" && typeof value === "string") {
    try {
      return "0x" + hexToBytes(value).toString("hex");
    } catch {
      return value;
    }
  }
  return String(value);
}

/** The entity type and attribute graph-node's `Child` filter names for `f_` (the other side's field when derived). */
function childTarget(schema: SchemaModel, field: FieldModel): { attribute: string; type: CompositeTypeModel } {
  const concrete = schema.concreteTypes(field.typeName);
  return { attribute: field.derivedFrom ?? field.name, type: concrete[0] ?? schema.entity(field.typeName) };
}

/**
 * `where` as graph-node's `EntityFilter` displays it (graph/src/components/store/mod.rs), for the message of a nested
 * child filter: fields are ANDed, an interface child is an OR over its implementations, of which the first is named.
 */
export function describeFilter(schema: SchemaModel, type: CompositeTypeModel, where: FilterInput): string {
  const parts: string[] = [];
  // graph-node reads the filter's keys from a BTreeMap, in their byte order; GraphQL.js gives the schema's order.
  for (const key of Object.keys(where).sort()) {
    const value = where[key];
    if (value === undefined) continue;
    if (key === "and" || key === "or") {
      const items = Array.isArray(value) ? (value as FilterInput[]) : [];
      parts.push(items.map((item) => describeFilter(schema, type, item)).join(key === "and" ? " and " : " or "));
    } else if (key === "_change_block") {
      parts.push(`block >= ${String((value as { number_gte?: number } | null)?.number_gte)}`);
    } else {
      const { field, op } = parseKey(type, key);
      if (op === "child") {
        const { attribute, type: child } = childTarget(schema, field);
        parts.push(`join on ${attribute} with ${child.name}(${describeFilter(schema, child, value as FilterInput)})`);
      } else if (op === "in" || op === "not_in") {
        const list = Array.isArray(value) ? value.map((v) => displayValue(field, v)).join(",") : "";
        parts.push(`${field.name} ${op === "in" ? "in" : "not in"} (${list})`);
      } else {
        parts.push(OP_DISPLAY[op](field.name, displayValue(field, value)));
      }
    }
  }
  return parts.join(" and ");
}

export class FilterCompiler {
  constructor(
    private readonly schema: SchemaModel,
    private readonly params: Params,
    /** The SQL parameter holding the query block. */
    private readonly block: string,
  ) {}

  /** A SQL condition for `where` on rows of `type` aliased `t`; `inChild`: `where` is a child filter's. */
  compile(type: EntityTypeModel, t: string, where: FilterInput | null | undefined, inChild = false): string {
    if (where === null || where === undefined) return "1";
    const keys = Object.keys(where);
    if (keys.includes("or")) {
      // Named in graph-node's order, that of its BTreeMap of the filter's keys (GraphQL.js gives the schema's order).
      const columns = keys.filter((k) => k !== "or" && k !== "and" && k !== "_change_block").sort();
      if (columns.length > 0) {
        const list = columns.map((c) => `'${c}'`).join(", ");
        throw new GraphQLError(
          `Cannot mix column filters with 'or' operator at the same level. Found column filter(s) ${list} alongside 'or' operator.\n\nInstead of:\nwhere: { ${list}, or: [...] }\n\nUse:\nwhere: { or: [{ ${list}, ... }, { ${list}, ... }] }`,
        );
      }
    }
    const parts: string[] = [];
    for (const key of keys) {
      const value = where[key];
      if (value === undefined) continue;
      if (key === "and" || key === "or") {
        if (!Array.isArray(value)) throw new GraphQLError(`\`${key}\` expects a list of filters`);
        if (value.length === 0) {
          parts.push(key === "and" ? "1" : "0");
          continue;
        }
        const inner = (value as FilterInput[]).map((v) => `(${this.compile(type, t, v, inChild)})`);
        parts.push(`(${inner.join(key === "and" ? " AND " : " OR ")})`);
      } else if (key === "_change_block") {
        const gte = (value as { number_gte?: number } | null)?.number_gte;
        if (typeof gte !== "number") throw new GraphQLError("`_change_block` needs `number_gte`");
        parts.push(`${t}.__from >= ${this.params.add(gte)}`);
      } else {
        parts.push(this.compileField(type, t, key, value, inChild));
      }
    }
    return parts.length === 0 ? "1" : parts.join(" AND ");
  }

  private compileField(type: EntityTypeModel, t: string, key: string, value: unknown, inChild: boolean): string {
    const { field, op } = parseKey(type, key);
    if (op === "child") {
      if (inChild && (field.kind === "entity" || field.kind === "interface")) {
        const { attribute, type: child } = childTarget(this.schema, field);
        throw new ChildFilterNestingError(attribute, `join on ${attribute} with ${child.name}(${describeFilter(this.schema, child, value as FilterInput)})`);
      }
      return this.compileChild(type, t, field, value as FilterInput);
    }
    if (field.derivedFrom !== null) throw new GraphQLError(`Derived field \`${field.name}\` can only be filtered with \`${field.name}_\``);
    const column = `${t}.${quoteIdent(field.column!)}`;
    return field.list ? this.compileList(field, column, op, value) : this.compileScalar(field, column, op, value);
  }

  private compileScalar(field: FieldModel, c: string, op: Op, value: unknown): string {
    const p = (v: unknown): string => this.params.add(scalarSqlValue(field, v));
    switch (op) {
      case "eq":
        return value === null ? `${c} IS NULL` : `${c} = ${p(value)}`;
      case "not":
        return value === null ? `${c} IS NOT NULL` : `${c} <> ${p(value)}`;
      case "gt":
      case "gte":
      case "lt":
      case "lte": {
        if (value === null) throw badValue(field, value, `null cannot be compared with _${op}`);
        const sqlOp = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[op];
        return `${c} ${sqlOp} ${p(value)}`;
      }
      case "in":
      case "not_in": {
        if (!Array.isArray(value)) throw new GraphQLError(`Non-list value passed to \`_${op}\` filter`);
        // graph-node writes `false` for an empty list whichever the operator (relational_queries.rs, in_array):
        // `_not_in: []` matches nothing, not everything.
        if (value.length === 0) return "0";
        const list = value.map((v) => p(v)).join(", ");
        return op === "in" ? `${c} IN (${list})` : `${c} NOT IN (${list})`;
      }
      default:
        return this.compileText(field, c, op, value);
    }
  }

  /**
   * String and Bytes matching. Strings follow graph-node's LIKE patterns (gn_like); a case-sensitive value without
   * `%`, `_` or `\` is a plain substring, prefix or suffix, matched with instr/substr (SQLite's own LIKE folds case).
   */
  private compileText(field: FieldModel, c: string, op: Op, value: unknown): string {
    if (value === null) throw badValue(field, value, `null cannot be used with _${op}`);
    const negate = op.startsWith("not_");
    const nocase = op.endsWith("_nocase");
    const base = op.replace(/^not_/, "").replace(/_nocase$/, "");
    // A reference to Bytes ids has graph-node's String operators but a bytea column: its database matches
    // `_contains` as bytes, refuses `_nocase`, and fails the LIKE of `_starts_with` and `_ends_with` (bytea ~~ text).
    if ((nocase || base !== "contains") && field.valueType !== "String") {
      throw new GraphQLError(`Filter \`_${op}\` is only supported on String fields, not on \`${field.name}\``);
    }
    if (base !== "contains" && base !== "starts_with" && base !== "ends_with") {
      throw new GraphQLError(`Unsupported filter \`_${op}\` on \`${field.name}\``);
    }
    const needle = scalarSqlValue(field, value);
    if (typeof needle === "string" && (nocase || /[%_\\]/.test(needle))) {
      const pattern = likePattern(base, needle);
      likeRegExp(pattern, nocase); // refuses a pattern Postgres refuses, before any SQL runs
      const condition = `gn_like(${c}, ${this.params.add(pattern)}, ${nocase ? 1 : 0})`;
      return negate ? `NOT (${condition})` : condition;
    }
    const length = typeof needle === "string" ? codePoints(needle) : (needle as Buffer).length;
    if (length === 0) return negate ? "0" : `${c} IS NOT NULL`;
    let condition: string;
    if (base === "contains") condition = `instr(${c}, ${this.params.add(needle)}) > 0`;
    else if (base === "starts_with") condition = `substr(${c}, 1, ${length}) = ${this.params.add(needle)}`;
    else condition = `substr(${c}, -${length}) = ${this.params.add(needle)}`;
    return negate ? `NOT (${condition})` : condition;
  }

  private compileList(field: FieldModel, c: string, op: Op, value: unknown): string {
    switch (op) {
      case "eq":
        return value === null ? `${c} IS NULL` : `${c} = ${this.params.add(listJson(field, value as unknown[]))}`;
      case "not":
        return value === null ? `${c} IS NOT NULL` : `${c} <> ${this.params.add(listJson(field, value as unknown[]))}`;
      case "contains":
      case "not_contains":
      case "contains_nocase":
      case "not_contains_nocase": {
        if (!Array.isArray(value)) throw badValue(field, value, `_${op} expects a list`);
        const nocase = op.endsWith("_nocase");
        if (nocase && field.valueType !== "String") {
          throw new GraphQLError(`Filter \`_${op}\` is only supported on lists of strings, not on \`${field.name}\``);
        }
        // graph-node's operators (relational_queries.rs): `_contains` is `c @> v` (holds all of v),
        // `_not_contains` is `NOT c && v` (holds none of v), `_contains_nocase` is `EXISTS (unnest(c) ILIKE ANY v)`
        // (holds one of v, each an ILIKE pattern as it is) and `_not_contains_nocase` its negation. SQL's null logic
        // makes a null list fail all but `_not_contains_nocase`, which a NOT EXISTS over no elements satisfies.
        if (nocase) {
          if (value.length === 0) return op === "contains_nocase" ? "0" : "1";
          const patterns = value.map((v) => String(listElementSql(field, v)));
          for (const pattern of patterns) likeRegExp(pattern, true); // refuses what Postgres refuses, before any SQL runs
          const matches = patterns.map((pattern) => `gn_like(value, ${this.params.add(pattern)}, 1)`).join(" OR ");
          const any = `EXISTS (SELECT 1 FROM json_each(${c}) WHERE ${matches})`;
          return op === "contains_nocase" ? any : `NOT ${any}`;
        }
        if (value.length === 0) return `${c} IS NOT NULL`;
        const elements = value.map((v) => this.params.add(listElementSql(field, v)));
        if (op === "not_contains") {
          return `(${c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM json_each(${c}) WHERE value IN (${elements.join(", ")})))`;
        }
        const each = elements.map((e) => `EXISTS (SELECT 1 FROM json_each(${c}) WHERE value = ${e})`);
        return `(${c} IS NOT NULL AND ${each.join(" AND ")})`;
      }
      default:
        throw new GraphQLError(`Filter \`_${op}\` is not supported on the list field \`${field.name}\``);
    }
  }

  /** `f_: {...}`: a related entity at the same block matches the nested filter. */
  private compileChild(type: EntityTypeModel, t: string, field: FieldModel, where: FilterInput): string {
    if (field.kind !== "entity" && field.kind !== "interface") {
      throw new GraphQLError(`Field \`${field.name}\` of \`${type.name}\` is not a reference and has no nested filter`);
    }
    const alternatives: string[] = [];
    if (field.derivedFrom !== null) {
      for (const { child, field: back } of this.schema.derivedSources(field)) {
        const c = alias("c");
        const ref = referencesParent(c, back, t, type);
        alternatives.push(
          `EXISTS (SELECT 1 FROM ${quoteIdent(child.table)} ${c} WHERE ${ref} AND ${atBlock(c, this.block)} AND ${this.compile(child, c, where, true)})`,
        );
      }
    } else {
      const column = `${t}.${quoteIdent(field.column!)}`;
      for (const child of this.schema.concreteTypes(field.typeName)) {
        const c = alias("c");
        const body = `${atBlock(c, this.block)} AND ${this.compile(child, c, where, true)}`;
        if (field.list) {
          const j = alias("j");
          alternatives.push(
            `EXISTS (SELECT 1 FROM json_each(${column}) ${j} JOIN ${quoteIdent(child.table)} ${c} ON ${c}.id = ${jsonIdToSql(`${j}.value`, child)} WHERE ${body})`,
          );
        } else {
          alternatives.push(`EXISTS (SELECT 1 FROM ${quoteIdent(child.table)} ${c} WHERE ${c}.id = ${column} AND ${body})`);
        }
      }
    }
    return alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(" OR ")})`;
  }
}

/** A list element (JSON text) holding an id, as the id column's SQL value. */
export function jsonIdToSql(expr: string, type: EntityTypeModel): string {
  return type.idType === "Bytes" ? `unhex(substr(${expr}, 3))` : expr;
}

/** The id column of a row as the JSON text lists store it. */
export function idAsJson(expr: string, type: EntityTypeModel): string {
  return type.idType === "Bytes" ? `('0x' || lower(hex(${expr})))` : expr;
}

/** SQL condition: child row `c`'s reference field `back` points at parent row `p`. */
export function referencesParent(c: string, back: FieldModel, p: string, parentType: EntityTypeModel): string {
  const column = `${c}.${quoteIdent(back.column!)}`;
  if (back.list) return `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ${idAsJson(`${p}.id`, parentType)})`;
  return `${column} = ${p}.id`;
}
