// SQL reads for the query API. Every list level is one SQL statement (plus one per implementing type when the
// level is an interface): children of all parents of a level are fetched together, and per-parent `first`/`skip`
// is applied with ROW_NUMBER() windows, so nested queries never go N+1.
import type Database from "better-sqlite3";
import { GraphQLError } from "graphql";
import { UnattestableQueryError } from "./attestable";
import type { EntityTypeModel, FieldModel, SchemaModel } from "../schema/model";
import { quoteIdent } from "../store/layout";
import type { SqlValue } from "../store/codec";
import { atBlock, FilterCompiler, jsonIdToSql, Params, referencesParent, type FilterInput } from "./filters";

/** One entity version as a query result: its concrete type, the block it was read at, and the raw row. */
export interface EntityRecord {
  readonly __typename: string;
  readonly block: number;
  readonly row: Readonly<Record<string, unknown>>;
}

export interface ListArgs {
  readonly first: number;
  readonly skip: number;
  readonly where: FilterInput | null;
  readonly orderBy: string | null;
  readonly orderDirection: "asc" | "desc";
}

/** A stable map key for an id column value (string ids and Bytes ids never collide). */
export function idKey(raw: unknown): string {
  return Buffer.isBuffer(raw) ? "x" + raw.toString("hex") : "s" + String(raw);
}

interface Order {
  /** LEFT JOINs needed by child sorting. */
  joins: string;
  /** ORDER BY expressions for rows aliased as the given table alias. */
  clause: string;
  /** The single sort expression (for interface unions), null when sorting by id. */
  sortExpr: string | null;
  direction: "ASC" | "DESC";
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * graph-node's answer to a `parent__child` orderBy on a nested list: it reads nested levels with a window query
 * ordered per parent, which cannot order by a child's column (relational_queries.rs, SortKey::order_by_parent). It
 * appends `, query = ` and its own SQL's description, which has no equivalent here.
 */
export const NESTED_CHILD_SORT_ERROR = "Failed to get entities from store: SortKey::ChildKey cannot be used for parent ordering (yet)";

export class EntityReader {
  private readonly statements = new Map<string, Database.Statement>();
  /** SQL statements executed so far (tests use it to check that nested lists are batched). */
  executed = 0;

  constructor(
    private readonly db: Database.Database,
    readonly schema: SchemaModel,
  ) {}

  private all(sql: string, params: Params): Array<Record<string, unknown>> {
    this.executed++;
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql).safeIntegers(true);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, stmt);
    }
    return stmt.all(params.values) as Array<Record<string, unknown>>;
  }

  private record(type: EntityTypeModel, block: number, row: Record<string, unknown>): EntityRecord {
    return { __typename: type.name, block, row };
  }

  /** The SQL value of an `id` argument. */
  idArgument(type: EntityTypeModel, id: string): SqlValue {
    if (type.idType === "String") return id;
    const body = id.startsWith("0x") ? id.slice(2) : id;
    if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
      throw new GraphQLError(`Failed to decode \`id\` value: \`${id}\` is not a valid Bytes id of ${type.name}`);
    }
    return Buffer.from(body, "hex");
  }

  byId(typeName: string, id: string, block: number): EntityRecord | null {
    for (const type of this.schema.concreteTypes(typeName)) {
      const params = new Params();
      const b = params.add(block);
      const sql = `SELECT t.* FROM ${quoteIdent(type.table)} t WHERE t.id = ${params.add(this.idArgument(type, id))} AND ${atBlock("t", b)}`;
      const row = this.all(sql, params)[0];
      if (row !== undefined) return this.record(type, block, row);
    }
    return null;
  }

  private order(type: EntityTypeModel, t: string, args: ListArgs, block: string): Order {
    const direction = sortDirection(args);
    const nulls = direction === "ASC" ? "NULLS LAST" : "NULLS FIRST"; // Postgres' defaults
    const byId = `${t}.id ${direction}`;
    if (args.orderBy === null || args.orderBy === "id") return { joins: "", clause: byId, sortExpr: null, direction };
    const separator = args.orderBy.indexOf("__");
    if (separator < 0) {
      const field = type.fieldsByName.get(args.orderBy);
      if (field === undefined) throw new GraphQLError(`\`${type.name}\` has no field \`${args.orderBy}\` to order by`);
      const expr = `${t}.${quoteIdent(field.column!)}`;
      return { joins: "", clause: `${expr} ${direction} ${nulls}, ${byId}`, sortExpr: expr, direction };
    }
    const parentName = args.orderBy.slice(0, separator);
    const childName = args.orderBy.slice(separator + 2);
    const field = type.fieldsByName.get(parentName);
    if (field === undefined || (field.kind !== "entity" && field.kind !== "interface") || field.list) {
      throw new GraphQLError(`\`${args.orderBy}\`: only single references can be ordered by their attributes`);
    }
    // A reference to an interface: join every implementation and sort by the one that holds the id (graph-node
    // sorts by coalesce() over the implementations' columns). A @derivedFrom reference joins the child whose field
    // names the parent, as graph-node's `p.id = c.field` (`= any(c.field)` for a list); its join has no DISTINCT
    // either, so a parent that several children name comes once per child.
    const back = new Map(this.schema.derivedSources(field).map((source) => [source.child.name, source.field]));
    let joins = "";
    const exprs: string[] = [];
    this.schema.concreteTypes(field.typeName).forEach((child, i) => {
      const childField = child.fieldsByName.get(childName);
      if (childField === undefined || childField.list || childField.derivedFrom !== null) {
        throw new GraphQLError(`\`${child.name}\` has no sortable field \`${childName}\``);
      }
      const ob = `${t}_ob${i}`;
      const backField = back.get(child.name);
      const on = backField === undefined ? `${ob}.id = ${t}.${quoteIdent(field.column!)}` : referencesParent(ob, backField, t, type);
      joins += ` LEFT JOIN ${quoteIdent(child.table)} ${ob} ON ${on} AND ${atBlock(ob, block)}`;
      exprs.push(`${ob}.${quoteIdent(childField.column!)}`);
    });
    if (exprs.length === 0) throw new GraphQLError(`\`${args.orderBy}\`: \`${field.typeName}\` has no implementing entity types to order by`);
    const expr = exprs.length === 1 ? exprs[0]! : `COALESCE(${exprs.join(", ")})`;
    return { joins, clause: `${expr} ${direction} ${nulls}, ${byId}`, sortExpr: expr, direction };
  }

  /**
   * graph-node sorts only by a field whose type is a built-in scalar (graphql/src/store/query.rs, build_order_by: the
   * field's type must parse as a ValueType). Its `<T>_orderBy` enum offers every field, and `parent__child` values
   * for enum children too, so a reference, an enum, a list or a derived field is refused only when the query runs,
   * naming the queried type (the interface, for an interface) or, for a child sort, the reference's type.
   */
  private checkSortable(typeName: string, orderBy: string | null): void {
    if (orderBy === null) return;
    let type = this.schema.composite(typeName)!;
    let name = orderBy;
    const separator = orderBy.indexOf("__");
    if (separator >= 0) {
      const parent = type.fieldsByName.get(orderBy.slice(0, separator));
      const target = parent === undefined ? undefined : this.schema.composite(parent.typeName);
      if (target === undefined) return; // order() names what is wrong
      type = target;
      name = orderBy.slice(separator + 2);
    }
    const field = type.fieldsByName.get(name);
    if (field !== undefined && (field.kind !== "scalar" || field.list)) {
      throw new GraphQLError(`Ordering by \`${name}\` is not supported for type \`${type.name}\``);
    }
  }

  /** A top-level collection: `providers(first, skip, where, orderBy, orderDirection, block)`. */
  list(typeName: string, args: ListArgs, block: number): EntityRecord[] {
    this.checkSortable(typeName, args.orderBy);
    const types = this.schema.concreteTypes(typeName);
    const params = new Params();
    const b = params.add(block);
    const filters = new FilterCompiler(this.schema, params, b);
    if (this.schema.entities.has(typeName)) {
      const type = types[0]!;
      const order = this.order(type, "t", args, b);
      const sql =
        `SELECT t.* FROM ${quoteIdent(type.table)} t${order.joins} WHERE ${atBlock("t", b)} AND (${filters.compile(type, "t", args.where)})` +
        ` ORDER BY ${order.clause} LIMIT ${params.add(args.first)} OFFSET ${params.add(args.skip)}`;
      return this.all(sql, params).map((row) => this.record(type, block, row));
    }
    // An interface: rank the keys of all implementations together, then load the rows per type.
    const parts = types.map((type) => {
      const order = this.order(type, "t", args, b);
      return `SELECT '${type.name}' AS __type, t.id AS __id, ${order.sortExpr ?? "t.id"} AS __sort FROM ${quoteIdent(type.table)} t${order.joins} WHERE ${atBlock("t", b)} AND (${filters.compile(type, "t", args.where)})`;
    });
    if (parts.length === 0) return [];
    const direction = sortDirection(args);
    const nulls = direction === "ASC" ? "NULLS LAST" : "NULLS FIRST";
    const sql = `SELECT __type, __id FROM (${parts.join(" UNION ALL ")}) ORDER BY __sort ${direction} ${nulls}, __id ${direction} LIMIT ${params.add(args.first)} OFFSET ${params.add(args.skip)}`;
    const keys = this.all(sql, params).map((r) => ({ type: r.__type as string, id: r.__id }));
    return this.loadKeys(keys, block);
  }

  /** Loads rows for (type, id) keys, keeping the keys' order. */
  private loadKeys(keys: ReadonlyArray<{ type: string; id: unknown }>, block: number): EntityRecord[] {
    const byType = new Map<string, unknown[]>();
    for (const k of keys) {
      const list = byType.get(k.type) ?? [];
      list.push(k.id);
      byType.set(k.type, list);
    }
    const found = new Map<string, EntityRecord>();
    for (const [typeName, ids] of byType) {
      const type = this.schema.entity(typeName);
      for (const record of this.fetchIds(type, ids as SqlValue[], block)) found.set(`${typeName}:${idKey(record.row.id)}`, record);
    }
    return keys.map((k) => found.get(`${k.type}:${idKey(k.id)}`)).filter((r): r is EntityRecord => r !== undefined);
  }

  private fetchIds(type: EntityTypeModel, ids: readonly SqlValue[], block: number): EntityRecord[] {
    if (ids.length === 0) return [];
    const params = new Params();
    const b = params.add(block);
    const sql = `SELECT t.* FROM ${quoteIdent(type.table)} t WHERE t.id IN (${ids.map((id) => params.add(id)).join(", ")}) AND ${atBlock("t", b)}`;
    return this.all(sql, params).map((row) => this.record(type, block, row));
  }

  /** Single references of many parents at once: id key -> record. */
  byIds(typeName: string, ids: readonly SqlValue[], block: number): Map<string, EntityRecord> {
    const out = new Map<string, EntityRecord>();
    const unique = [...new Map(ids.map((id) => [idKey(id), id])).values()];
    for (const type of this.schema.concreteTypes(typeName)) {
      // Reference columns hold ids in the target's id type; an interface's implementations share it.
      for (const record of this.fetchIds(type, unique, block)) {
        const key = idKey(record.row.id);
        if (!out.has(key)) out.set(key, record);
      }
    }
    return out;
  }

  /**
   * The values of a list (or derived) field for many parents: one result list per parent, each ordered and
   * paginated by `args` on its own.
   */
  children(parentType: EntityTypeModel, field: FieldModel, parents: readonly EntityRecord[], args: ListArgs, block: number): EntityRecord[][] {
    const result: EntityRecord[][] = parents.map(() => []);
    // graph-node sends no query for a level without parents, so only a level with some refuses a child sort.
    if (parents.length === 0) return result;
    // graph-node checks the arguments before its store refuses a child sort.
    this.checkSortable(field.typeName, args.orderBy);
    if (args.orderBy !== null && args.orderBy.includes("__")) throw new UnattestableQueryError(NESTED_CHILD_SORT_ERROR);
    const params = new Params();
    const b = params.add(block);
    const filters = new FilterCompiler(this.schema, params, b);
    const targets = this.schema.concreteTypes(field.typeName);
    const isInterface = !this.schema.entities.has(field.typeName);
    // For each concrete child type: FROM/WHERE that select its rows, and the SQL expression of the parent key.
    const sources = targets.map((child) => {
      const c = "c";
      let from: string;
      let where: string;
      let parentExpr: string;
      if (field.derivedFrom !== null) {
        const back = child.fieldsByName.get(field.derivedFrom)!;
        const backColumn = `${c}.${quoteIdent(back.column!)}`;
        if (back.list) {
          const ids = parents.map((p) => params.add(idAsJsonValue(parentType, p.row.id))).join(", ");
          from = `${quoteIdent(child.table)} ${c}, json_each(${backColumn}) j`;
          // Only the first element naming a parent: one row per (child, parent) however often the list names it,
          // as graph-node's p.id = any(c.list).
          where = `j.value IN (${ids}) AND j.key = (SELECT MIN(k.key) FROM json_each(${backColumn}) k WHERE k.value = j.value)`;
          parentExpr = "j.value";
        } else {
          const ids = parents.map((p) => params.add(p.row.id as SqlValue)).join(", ");
          from = `${quoteIdent(child.table)} ${c}`;
          where = `${backColumn} IN (${ids})`;
          parentExpr = backColumn;
        }
      } else {
        // A stored list of ids on the parent: pair every parent index with each id it holds, once, since graph-node
        // selects the children whose id is any of the list's (c.id = any(p.list)).
        const pairs: Array<[number, unknown]> = [];
        parents.forEach((p, index) => {
          const raw = p.row[field.column!];
          if (raw === null || raw === undefined) return;
          for (const id of new Set(JSON.parse(raw as string) as unknown[])) pairs.push([index, id]);
        });
        from = `json_each(${params.add(JSON.stringify(pairs))}) pr JOIN ${quoteIdent(child.table)} ${c} ON ${c}.id = ${jsonIdToSql("json_extract(pr.value, '$[1]')", child)}`;
        where = "1";
        parentExpr = "json_extract(pr.value, '$[0]')";
      }
      return { child, from, where: `${where} AND ${atBlock(c, b)} AND (${filters.compile(child, c, args.where)})`, parentExpr };
    });
    const start = params.add(args.skip);
    const end = params.add(args.skip + args.first);
    const parentIndex = this.parentIndex(parentType, field, parents);
    if (!isInterface) {
      const { child, from, where, parentExpr } = sources[0]!;
      const order = this.order(child, "c", args, b);
      const sql =
        `SELECT * FROM (SELECT c.*, ${parentExpr} AS __parent, ROW_NUMBER() OVER (PARTITION BY ${parentExpr} ORDER BY ${order.clause}) AS __rn` +
        ` FROM ${from}${order.joins} WHERE ${where}) WHERE __rn > ${start} AND __rn <= ${end} ORDER BY __rn`;
      for (const row of this.all(sql, params)) {
        for (const index of parentIndex(row.__parent)) result[index]!.push(this.record(child, block, row));
      }
      return result;
    }
    const direction = sortDirection(args);
    const nulls = direction === "ASC" ? "NULLS LAST" : "NULLS FIRST";
    const parts = sources.map(({ child, from, where, parentExpr }) => {
      const order = this.order(child, "c", args, b);
      return `SELECT '${child.name}' AS __type, c.id AS __id, ${parentExpr} AS __parent, ${order.sortExpr ?? "c.id"} AS __sort FROM ${from}${order.joins} WHERE ${where}`;
    });
    const sql =
      `SELECT __type, __id, __parent FROM (SELECT __type, __id, __parent, ROW_NUMBER() OVER (PARTITION BY __parent ORDER BY __sort ${direction} ${nulls}, __id ${direction}) AS __rn` +
      ` FROM (${parts.join(" UNION ALL ")})) WHERE __rn > ${start} AND __rn <= ${end} ORDER BY __rn`;
    const keys = this.all(sql, params);
    const records = this.loadKeys(keys.map((k) => ({ type: k.__type as string, id: k.__id })), block);
    const byKey = new Map(records.map((r) => [`${r.__typename}:${idKey(r.row.id)}`, r]));
    for (const k of keys) {
      const record = byKey.get(`${k.__type as string}:${idKey(k.__id)}`);
      if (record === undefined) continue;
      for (const index of parentIndex(k.__parent)) result[index]!.push(record);
    }
    return result;
  }

  /** Maps the `__parent` value a child row carries back to the indexes of the parents it belongs to. */
  private parentIndex(parentType: EntityTypeModel, field: FieldModel, parents: readonly EntityRecord[]): (value: unknown) => number[] {
    if (field.derivedFrom === null) return (value) => [Number(value)];
    const byKey = new Map<string, number[]>();
    const targets = this.schema.concreteTypes(field.typeName);
    const backIsList = targets.some((t) => t.fieldsByName.get(field.derivedFrom!)!.list);
    parents.forEach((p, index) => {
      const key = backIsList ? String(idAsJsonValue(parentType, p.row.id)) : idKey(p.row.id);
      const list = byKey.get(key) ?? [];
      list.push(index);
      byKey.set(key, list);
    });
    return (value) => byKey.get(backIsList ? String(value) : idKey(value)) ?? [];
  }
}

/** graph-node ignores orderDirection without orderBy: the default order is always by id, ascending. */
function sortDirection(args: ListArgs): "ASC" | "DESC" {
  return args.orderBy !== null && args.orderDirection === "desc" ? "DESC" : "ASC";
}

/** The JSON-list form of a parent's id (what reference lists store): `0x…` for Bytes ids. */
function idAsJsonValue(type: EntityTypeModel, raw: unknown): SqlValue {
  return type.idType === "Bytes" ? "0x" + (raw as Buffer).toString("hex") : (raw as string);
}

