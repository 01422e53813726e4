// The mappings' view of the store during a block, with graph-node's EntityCache semantics
// (graph/src/components/store/entity_cache.rs):
//  - store.set accumulates an Update that is merged into the stored entity (fields absent from the update keep
//    their value, fields set to null are removed); a remove followed by a set is an Overwrite;
//  - store.get sees the stored entity with this block's operations applied; store.get_in_block sees only this
//    block's operations (for an entity not written in this block it returns null);
//  - at the end of the block, operations that do not change the stored entity produce no new version;
//  - immutable entities may be written once; changing or removing a stored one is an error.
// Nothing is written to SQLite before the block ends, so a failing handler discards the whole block.
import { EntityValidationError } from "../errors";
import type { EntityTypeModel, FieldModel, SchemaModel } from "../schema/model";
import { bytesToHex, hexToBytes } from "../values/bytes";
import {
  displayValue,
  kindName,
  ValueKind,
  type EntityData,
  type StoreValue,
} from "../values/store-value";
import { listElementJson, type SqlValue } from "./codec";
import { EntityStore, ImmutableEntityError, rowsEqual, type EncodedRow } from "./entity-store";

const LOWER_HEX = /^0x[0-9a-f]*$/;

type Op =
  | { readonly kind: "remove" }
  | { readonly kind: "update"; readonly data: EntityData }
  | { readonly kind: "overwrite"; readonly data: EntityData };

interface Pending {
  readonly type: EntityTypeModel;
  readonly id: string;
  readonly idValue: SqlValue;
  op: Op;
}

interface Current {
  readonly data: EntityData;
  readonly encoded: EncodedRow;
}

export interface FlushStats {
  inserted: number;
  updated: number;
  removed: number;
}

/** Field-wise merge; with `removeNulls`, null values delete the field (graph-node's merge_remove_null_fields). */
function merge(base: EntityData, update: EntityData, removeNulls: boolean): EntityData {
  const out = new Map(base);
  for (const [key, value] of update) {
    if (removeNulls && value.kind === ValueKind.Null) out.delete(key);
    else out.set(key, value);
  }
  return out;
}

function withoutNulls(data: EntityData): EntityData {
  const out: EntityData = new Map();
  for (const [key, value] of data) if (value.kind !== ValueKind.Null) out.set(key, value);
  return out;
}

function expectedKind(field: FieldModel): ValueKind {
  switch (field.valueType) {
    case "String":
      return ValueKind.String;
    case "Bytes":
      return ValueKind.Bytes;
    case "BigInt":
      return ValueKind.BigInt;
    case "BigDecimal":
      return ValueKind.BigDecimal;
    case "Int":
      return ValueKind.Int;
    case "Int8":
      return ValueKind.Int8;
    case "Timestamp":
      return ValueKind.Timestamp;
    case "Boolean":
      return ValueKind.Bool;
  }
}

export class EntityCache {
  private readonly current = new Map<string, Current | null>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly store: EntityStore,
    private readonly schema: SchemaModel,
    /** Stored entities kept in memory between blocks (an LRU); bounds memory and GC work. */
    private readonly maxCached = 10_000,
  ) {}

  /** Resolves an entity type for a host call; unknown or interface types are mapping errors. */
  entityType(name: string, op: string): EntityTypeModel {
    const type = this.schema.entities.get(name);
    if (type === undefined) {
      if (this.schema.interfaces.has(name)) {
        throw new EntityValidationError(`Cannot ${op} entity of type \`${name}\`. The type must be an @entity type`);
      }
      throw new EntityValidationError(`Entity type ${name} is not present in the schema`);
    }
    return type;
  }

  private key(type: EntityTypeModel, id: string): { key: string; idValue: SqlValue } {
    let idValue: SqlValue;
    try {
      idValue = this.store.idValue(type, id);
    } catch {
      throw new EntityValidationError(`Entity ${type.name}[${id}]: the id is not a valid Bytes value`);
    }
    // Bytes ids compare by value: `0xAB` and `0xab` are the same entity (hexToBytes accepted `id`).
    const canonical = Buffer.isBuffer(idValue) ? (LOWER_HEX.test(id) ? id : "0x" + idValue.toString("hex")) : id;
    return { key: `${type.name}\u0000${canonical}`, idValue };
  }

  private loadCurrent(type: EntityTypeModel, key: string, idValue: SqlValue): Current | null {
    if (this.current.has(key)) {
      const hit = this.current.get(key)!;
      // Refresh LRU position.
      this.current.delete(key);
      this.current.set(key, hit);
      return hit;
    }
    const found = this.store.getCurrent(type, idValue);
    this.remember(key, found);
    return found;
  }

  private remember(key: string, value: Current | null): void {
    this.current.delete(key);
    this.current.set(key, value);
    if (this.current.size > this.maxCached) {
      const oldest = this.current.keys().next().value as string;
      this.current.delete(oldest);
    }
  }

  private static apply(op: Op | undefined, entity: EntityData | null): EntityData | null {
    if (op === undefined) return entity;
    switch (op.kind) {
      case "remove":
        return null;
      case "overwrite":
        return op.data;
      case "update":
        return entity === null ? op.data : merge(entity, op.data, true);
    }
  }

  get(typeName: string, id: string): EntityData | null {
    const type = this.entityType(typeName, "get");
    const { key, idValue } = this.key(type, id);
    const current = this.loadCurrent(type, key, idValue);
    return EntityCache.apply(this.pending.get(key)?.op, current?.data ?? null);
  }

  /** Only what this block wrote: graph-node applies the block's operations to "nothing". */
  getInBlock(typeName: string, id: string): EntityData | null {
    const type = this.entityType(typeName, "get");
    const { key } = this.key(type, id);
    return EntityCache.apply(this.pending.get(key)?.op, null);
  }

  set(typeName: string, id: string, input: EntityData): void {
    const type = this.entityType(typeName, "set");
    const { key, idValue } = this.key(type, id);
    const data: EntityData = new Map(input);
    const idField = type.fieldsByName.get("id")!;
    const given = data.get("id");
    if (given === undefined || given.kind === ValueKind.Null) {
      data.set("id", type.idType === "Bytes" ? { kind: ValueKind.Bytes, value: new Uint8Array(idValue as Buffer) } : { kind: ValueKind.String, value: id });
    } else {
      const expected = expectedKind(idField);
      if (given.kind !== expected) {
        throw new EntityValidationError(
          `Attribute \`${type.name}.id\` has wrong type: expected ${type.idType} but got ${kindName(given)}`,
        );
      }
      const same =
        given.kind === ValueKind.Bytes ? Buffer.compare(given.value, idValue as Buffer) === 0 : given.kind === ValueKind.String && given.value === id;
      if (!same) {
        throw new EntityValidationError(
          `Value of ${type.name} attribute 'id' conflicts with ID passed to \`store.set()\`: ${displayValue(given)} != ${id}`,
        );
      }
    }
    const unknown = [...data.keys()].filter((name) => !type.fieldsByName.has(name)).sort();
    if (unknown.length > 0) {
      throw new EntityValidationError(
        `Attempted to set undefined fields [${unknown.join(", ")}] for the entity type \`${type.name}\`. Make sure those fields are defined in the schema.`,
      );
    }
    this.checkTypes(type, id, data);
    // Like graph-node: a partial entity is fine when merging it with the stored one gives a valid entity.
    if (this.missingRequired(type, data) !== null) {
      const merged = EntityCache.apply(
        { kind: "update", data },
        EntityCache.apply(this.pending.get(key)?.op, this.loadCurrent(type, key, idValue)?.data ?? null),
      );
      const missing = this.missingRequired(type, merged!);
      if (missing !== null) {
        throw new EntityValidationError(`Entity ${type.name}[${id}]: missing value for non-nullable field \`${missing}\``);
      }
    }
    this.accumulate(type, id, key, idValue, { kind: "update", data });
  }

  remove(typeName: string, id: string): void {
    const type = this.entityType(typeName, "remove");
    const { key, idValue } = this.key(type, id);
    this.accumulate(type, id, key, idValue, { kind: "remove" });
  }

  /** Children that reference `parentId` through the derived field `fieldName` of `parentTypeName`. */
  loadRelated(parentTypeName: string, parentId: string, fieldName: string): EntityData[] {
    const parentType = this.schema.composite(parentTypeName);
    if (parentType === undefined) throw new EntityValidationError(`Entity type ${parentTypeName} is not present in the schema`);
    const field = parentType.fieldsByName.get(fieldName);
    if (field === undefined || field.derivedFrom === null) {
      throw new EntityValidationError(`Entity ${parentTypeName}[${parentId}]: unknown derived field \`${fieldName}\``);
    }
    const results: EntityData[] = [];
    for (const { child, field: backField } of this.schema.derivedSources(field)) {
      let parentIdValue: SqlValue;
      try {
        parentIdValue = backField.valueType === "Bytes" ? hexToBytes(parentId) : parentId;
      } catch {
        throw new EntityValidationError(`Entity ${parentTypeName}[${parentId}]: the id is not a valid Bytes value`);
      }
      const parentJson = backField.valueType === "Bytes" ? "0x" + (parentIdValue as Buffer).toString("hex") : parentId;
      const seen = new Set<string>();
      for (const row of this.store.getReferencing(child, backField, parentIdValue, parentJson)) {
        const childId = row.data.get("id")!;
        const childIdText = childId.kind === ValueKind.Bytes ? bytesToHex(childId.value) : displayValue(childId);
        const { key } = this.key(child, childIdText);
        if (!this.current.has(key)) this.remember(key, row);
        seen.add(key);
        const entity = EntityCache.apply(this.pending.get(key)?.op, row.data);
        if (entity !== null && references(entity, backField, parentJson)) results.push(entity);
      }
      // Entities written in this block may have started referencing the parent.
      for (const [key, pending] of this.pending) {
        if (pending.type !== child || seen.has(key)) continue;
        const base = this.loadCurrent(child, key, pending.idValue)?.data ?? null;
        const entity = EntityCache.apply(pending.op, base);
        if (entity !== null && references(entity, backField, parentJson)) results.push(entity);
      }
    }
    return results;
  }

  private checkTypes(type: EntityTypeModel, id: string, data: EntityData): void {
    for (const [name, value] of data) {
      const field = type.fieldsByName.get(name)!;
      if (field.derivedFrom !== null) {
        throw new EntityValidationError(`Entity ${type.name}[${id}]: field \`${name}\` is derived and cannot be set`);
      }
      if (value.kind === ValueKind.Null) continue;
      const expected = expectedKind(field);
      if (field.list) {
        if (value.kind !== ValueKind.Array) {
          throw new EntityValidationError(
            `Entity ${type.name}[${id}]: the value \`${displayValue(value)}\` for field \`${name}\` must have type [${field.typeName}${field.nonNull ? "!" : ""}]${field.nonNull ? "!" : ""} but has type ${kindName(value)}`,
          );
        }
        value.value.forEach((element, index) => {
          if (element.kind !== expected) {
            throw new EntityValidationError(
              `Entity ${type.name}[${id}]: field \`${name}\` is of type ${field.typeName}, but the value \`${displayValue(value)}\` contains a ${kindName(element)} at index ${index}`,
            );
          }
        });
      } else if (value.kind !== expected) {
        throw new EntityValidationError(
          `Entity ${type.name}[${id}]: the value \`${displayValue(value)}\` for field \`${name}\` must have type ${field.typeName}${field.nonNull ? "!" : ""} but has type ${kindName(value)}`,
        );
      } else if (field.kind === "enum" && value.kind === ValueKind.String) {
        const values = this.schema.enums.get(field.typeName)!;
        if (!values.includes(value.value)) {
          throw new EntityValidationError(
            `Entity ${type.name}[${id}]: the value \`${value.value}\` for field \`${name}\` is not a value of enum ${field.typeName}`,
          );
        }
      }
    }
  }

  private missingRequired(type: EntityTypeModel, data: EntityData): string | null {
    for (const field of type.storedFields) {
      if (!field.nonNull) continue;
      const value = data.get(field.name);
      if (value === undefined || value.kind === ValueKind.Null) return field.name;
    }
    return null;
  }

  private accumulate(type: EntityTypeModel, id: string, key: string, idValue: SqlValue, next: Op): void {
    const existing = this.pending.get(key);
    if (existing === undefined) {
      this.pending.set(key, { type, id, idValue, op: next });
      return;
    }
    if (next.kind !== "update") {
      existing.op = next;
      return;
    }
    const op = existing.op;
    if (op.kind === "remove") existing.op = { kind: "overwrite", data: next.data };
    else existing.op = { kind: op.kind, data: merge(op.data, next.data, false) };
  }

  /** Drops this block's operations (a handler failed). */
  discard(): void {
    this.pending.clear();
  }

  /** Forgets everything, e.g. after a reorg rollback changed the stored state. */
  clear(): void {
    this.pending.clear();
    this.current.clear();
  }

  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Writes this block's net changes as new versions at `block` (inside the caller's transaction). Throws
   * ImmutableEntityError when an immutable entity would change; the caller then fails the block.
   */
  flush(block: number): FlushStats {
    const stats: FlushStats = { inserted: 0, updated: 0, removed: 0 };
    for (const [key, pending] of this.pending) {
      const { type, idValue, op } = pending;
      // Immutable entities are assumed new (graph-node skips the lookup); the unique index catches the rest.
      const current = type.immutable && !this.current.has(key) ? null : this.loadCurrent(type, key, idValue);
      if (op.kind === "remove") {
        if (current === null) continue;
        if (type.immutable) {
          throw new ImmutableEntityError(
            `entities of type \`${type.name}\` can not be deleted since they are immutable. Entity ids are [${pending.id}]`,
          );
        }
        this.store.close(type, block, idValue);
        this.remember(key, null);
        stats.removed++;
        continue;
      }
      const data = current === null || op.kind === "overwrite" ? withoutNulls(op.data) : merge(current.data, op.data, true);
      const missing = this.missingRequired(type, data);
      if (missing !== null) {
        throw new EntityValidationError(`Entity ${type.name}[${pending.id}]: missing value for non-nullable field \`${missing}\``);
      }
      const encoded = this.store.encode(type, data);
      if (current !== null) {
        if (rowsEqual(current.encoded, encoded)) continue;
        if (type.immutable) {
          throw new ImmutableEntityError(
            `entities of type \`${type.name}\` can not be updated since they are immutable. Entity ids are [${pending.id}]`,
          );
        }
        this.store.close(type, block, idValue);
        stats.updated++;
      } else {
        stats.inserted++;
      }
      this.store.insert(type, block, encoded);
      // Immutable entities are written once and seldom read again: keeping them would only crowd the cache.
      if (type.immutable) this.current.delete(key);
      else this.remember(key, { data, encoded });
    }
    this.pending.clear();
    return stats;
  }
}

/** Whether `entity`'s reference field points at the parent (whose id has the JSON form `parentJson`). */
function references(entity: EntityData, field: FieldModel, parentJson: string): boolean {
  const value = entity.get(field.name);
  if (value === undefined || value.kind === ValueKind.Null) return false;
  if (value.kind === ValueKind.Array) return value.value.some((v) => listElementJson(field.valueType, v) === parentJson);
  return listElementJson(field.valueType, value as StoreValue) === parentJson;
}

export { ImmutableEntityError };
