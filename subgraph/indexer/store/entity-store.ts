// Versioned entity reads and writes for the indexing side. Reads return the current version (what the mappings
// see at the start of a block, given that every earlier block is already flushed); writes close the current
// version at the block and insert the new one. All statements are prepared once per table.
import type Database from "better-sqlite3";
import type { EntityTypeModel, FieldModel, SchemaModel } from "../schema/model";
import { hexToBytes } from "../values/bytes";
import type { EntityFields } from "./entity-cache";
import { decodeColumn, encodeColumn, type SqlValue } from "./codec";
import { OPEN_BLOCK, quoteIdent } from "./layout";

/** An entity's row: encoded column values in `storedFields` order (id first). */
export type EncodedRow = SqlValue[];

/** The current version of an entity: its fields and their encoded columns. */
export interface StoredEntity {
  readonly data: EntityFields;
  readonly encoded: EncodedRow;
}

interface TableStatements {
  selectCurrent: Database.Statement<[SqlValue], Record<string, unknown>>;
  insert: Database.Statement<SqlValue[]>;
  close: Database.Statement<[number, SqlValue]>;
  derived: Map<string, Database.Statement<[SqlValue], Record<string, unknown>>>;
}

export class ImmutableEntityError extends Error {}

export class EntityStore {
  private readonly statements = new Map<string, TableStatements>();

  constructor(
    private readonly db: Database.Database,
    readonly schema: SchemaModel,
  ) {}

  /** The SQL value of an id string as the host passes it (`0x…` hex for Bytes ids). Throws on malformed hex. */
  idValue(type: EntityTypeModel, id: string): SqlValue {
    return type.idType === "Bytes" ? hexToBytes(id) : id;
  }

  private table(type: EntityTypeModel): TableStatements {
    let stmts = this.statements.get(type.name);
    if (stmts !== undefined) return stmts;
    const t = quoteIdent(type.table);
    const columns = type.storedFields.map((f) => quoteIdent(f.column!));
    const selectCurrent = this.db
      .prepare<[SqlValue], Record<string, unknown>>(`SELECT * FROM ${t} WHERE id = ? AND __to = ${OPEN_BLOCK}`)
      .safeIntegers(true);
    const insert = this.db.prepare<SqlValue[]>(
      `INSERT INTO ${t} (__from, __to, ${columns.join(", ")}) VALUES (?, ${OPEN_BLOCK}, ${columns.map(() => "?").join(", ")})`,
    );
    const close = this.db.prepare<[number, SqlValue]>(`UPDATE ${t} SET __to = ? WHERE id = ? AND __to = ${OPEN_BLOCK}`);
    stmts = { selectCurrent, insert, close, derived: new Map() };
    this.statements.set(type.name, stmts);
    return stmts;
  }

  decodeRow(type: EntityTypeModel, row: Record<string, unknown>): StoredEntity {
    const fields = type.storedFields;
    const data: EntityFields = new Array(fields.length);
    const encoded: EncodedRow = new Array(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const raw = row[field.column!];
      if (raw !== null && raw !== undefined) data[i] = decodeColumn(field, raw);
      encoded[i] = normaliseRaw(field, raw);
    }
    return { data, encoded };
  }

  /**
   * The row of `data`. Given the entity's current version, fields holding the same StoreValue reuse its columns, and
   * when no column differs the result is `base.encoded` itself (no new version needed).
   */
  encode(type: EntityTypeModel, data: EntityFields, base: StoredEntity | null): EncodedRow {
    const fields = type.storedFields;
    const row: EncodedRow = new Array(fields.length);
    let changed = base === null;
    for (let i = 0; i < fields.length; i++) {
      const value = data[i];
      if (base !== null && value === base.data[i]) {
        row[i] = base.encoded[i]!;
        continue;
      }
      row[i] = value === undefined ? null : encodeColumn(fields[i]!, value);
      if (!changed && !columnsEqual(row[i]!, base!.encoded[i]!)) changed = true;
    }
    return changed ? row : base!.encoded;
  }

  getCurrent(type: EntityTypeModel, id: SqlValue): StoredEntity | null {
    const row = this.table(type).selectCurrent.get(id);
    return row === undefined ? null : this.decodeRow(type, row);
  }

  /** Current entities of `type` whose reference field `field` holds `parentId` (store.loadRelated). */
  getReferencing(type: EntityTypeModel, field: FieldModel, parentId: SqlValue, parentIdJson: string): StoredEntity[] {
    const stmts = this.table(type);
    let stmt = stmts.derived.get(field.name);
    const t = quoteIdent(type.table);
    const c = quoteIdent(field.column!);
    if (stmt === undefined) {
      stmt = (
        field.list
          ? this.db.prepare<[SqlValue], Record<string, unknown>>(
              `SELECT * FROM ${t} WHERE __to = ${OPEN_BLOCK} AND EXISTS (SELECT 1 FROM json_each(${t}.${c}) WHERE value = ?) ORDER BY id`,
            )
          : this.db.prepare<[SqlValue], Record<string, unknown>>(
              `SELECT * FROM ${t} WHERE ${c} = ? AND __to = ${OPEN_BLOCK} ORDER BY id`,
            )
      ).safeIntegers(true);
      stmts.derived.set(field.name, stmt);
    }
    return stmt.all(field.list ? parentIdJson : parentId).map((row) => this.decodeRow(type, row));
  }

  insert(type: EntityTypeModel, block: number, row: EncodedRow): void {
    try {
      this.table(type).insert.run(block, ...row);
    } catch (error) {
      if (type.immutable && (error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        throw new ImmutableEntityError(
          `entities of type \`${type.name}\` can not be updated since they are immutable. Entity ids are [${String(displayId(row[0]!))}]`,
        );
      }
      throw error;
    }
  }

  /** Ends the current version of an entity at `block` (exclusive). */
  close(type: EntityTypeModel, block: number, id: SqlValue): void {
    this.table(type).close.run(block, id);
  }
}

function displayId(id: SqlValue): string {
  return Buffer.isBuffer(id) ? "0x" + id.toString("hex") : String(id);
}

/** Raw column values as encode() produces them, so that rows compare equal regardless of where they came from. */
function normaliseRaw(field: FieldModel, raw: unknown): SqlValue {
  if (raw === null || raw === undefined) return null;
  if (field.list) return raw as string;
  switch (field.valueType) {
    case "Int":
    case "Boolean":
      return Number(raw);
    case "Int8":
    case "Timestamp":
      return BigInt(raw as bigint);
    default:
      return raw as SqlValue;
  }
}

function columnsEqual(x: SqlValue, y: SqlValue): boolean {
  if (x === y) return true;
  if (Buffer.isBuffer(x) && Buffer.isBuffer(y)) return x.equals(y);
  if (typeof x === "bigint" || typeof y === "bigint") return x !== null && y !== null && BigInt(x as bigint) === BigInt(y as bigint);
  return false;
}
