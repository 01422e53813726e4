// SQL layout of the entity tables: one table per entity type with one typed column per stored field, plus the
// version columns of graph-node's block-range model. A row is the version of an entity valid for blocks
// [__from, __to); the current version has __to = OPEN_BLOCK. Immutable entities are written once and never closed.
import type { EntityTypeModel, FieldModel, ValueType } from "../schema/model";

/** graph-node's BLOCK_NUMBER_MAX: the upper bound of an open block range. */
export const OPEN_BLOCK = 2147483647;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sqlType(valueType: ValueType, list: boolean): string {
  if (list) return "TEXT";
  switch (valueType) {
    case "String":
      return "TEXT";
    case "Bytes":
    case "BigInt":
    case "BigDecimal":
      return "BLOB";
    case "Int":
    case "Int8":
    case "Timestamp":
    case "Boolean":
      return "INTEGER";
  }
}

function columnDefinition(field: FieldModel): string {
  return `${quoteIdent(field.column!)} ${sqlType(field.valueType, field.list)}`;
}

/**
 * DDL for one entity table and the indexes that writing needs: one current version per id (the indexer's lookups;
 * immutable entities have exactly one version per id), and the columns `store.loadRelated` looks children up by
 * (`referenced`, from schema.referencedColumns). Idempotent.
 */
export function tableDdl(type: EntityTypeModel, referenced: ReadonlySet<FieldModel>): string[] {
  const t = quoteIdent(type.table);
  const columns = type.storedFields.map(columnDefinition).join(",\n  ");
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${t} (\n  __vid INTEGER PRIMARY KEY,\n  __from INTEGER NOT NULL,\n  __to INTEGER NOT NULL,\n  ${columns}\n)`,
    type.immutable
      ? `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(`${type.table}__id`)} ON ${t} (id)`
      : `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(`${type.table}__id`)} ON ${t} (id, __to)`,
  ];
  for (const field of type.storedFields) if (referenced.has(field) && !field.list) statements.push(fieldIndex(type, field));
  return statements;
}

function fieldIndex(type: EntityTypeModel, field: FieldModel): string {
  return `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${type.table}_${field.column}`)} ON ${quoteIdent(type.table)} (${quoteIdent(field.column!)}, id)`;
}

/**
 * The other indexes: what queries filter and sort by, and what a reorg rollback selects versions by. Every insert
 * must update each of them (a third of the processing time for the project's subgraph), so the indexer creates them
 * only once it is close to the head; until then queries are still answered, by scans. Idempotent.
 */
export function queryIndexDdl(type: EntityTypeModel): string[] {
  const t = quoteIdent(type.table);
  // Reorg rollback deletes versions by __from and reopens versions by __to.
  const statements = [`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${type.table}__from`)} ON ${t} (__from)`];
  if (!type.immutable) {
    statements.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${type.table}__to`)} ON ${t} (__to)`);
  }
  // One index per filterable/sortable scalar column (graph-node indexes every attribute). Lists are filtered with
  // json_each and are not indexed.
  for (const field of type.storedFields) {
    if (field.name === "id" || field.list) continue;
    statements.push(fieldIndex(type, field));
  }
  return statements;
}
