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
import { displayValue, kindName, ValueKind, type StoreValue } from "../values/store-value";
import { listElementJson, type SqlValue } from "./codec";
import { EntityStore, ImmutableEntityError, type EncodedRow, type StoredEntity } from "./entity-store";

const LOWER_HEX = /^0x[0-9a-f]*$/;

/**
 * An entity's attributes by position in its type's `storedFields` (`id` first); undefined where not set. A value of
 * kind Null appears only in what a block wrote (an update or overwrite), where it means "remove the field".
 * StoreValues are immutable: an unchanged field is usually the very same object, so comparing a set with the cached
 * entity costs one `===` per field.
 */
export type EntityFields = Array<StoreValue | undefined>;

/** What store.set hands the cache. */
export interface EntityInput {
  readonly fields: EntityFields;
  /** Names the type has no field for, and derived fields (which cannot be set), in the order given; null if none. */
  readonly unknown: readonly string[] | null;
  readonly derived: readonly string[] | null;
}

/** An entity as the mappings see it. */
export interface EntityView {
  readonly type: EntityTypeModel;
  readonly fields: EntityFields;
}

type OpKind = "update" | "overwrite" | "remove";

interface Pending {
  readonly type: EntityTypeModel;
  readonly id: string;
  readonly idValue: SqlValue;
  kind: OpKind;
  /** What the block wrote (Null values included); null for a remove. */
  data: EntityFields | null;
  /** The op applied to the stored entity (what store.get returns), once computed. */
  view: EntityFields | null | undefined;
}

export interface FlushStats {
  inserted: number;
  updated: number;
  removed: number;
}

/** `update` merged into `base`; with `removeNulls`, Null values delete the field (graph-node's merge_remove_null_fields). */
function merge(base: EntityFields, update: EntityFields, removeNulls: boolean): EntityFields {
  const out = base.slice();
  for (let i = 0; i < update.length; i++) {
    const value = update[i];
    if (value === undefined) continue;
    out[i] = removeNulls && value.kind === ValueKind.Null ? undefined : value;
  }
  return out;
}

function withoutNulls(data: EntityFields): EntityFields {
  return data.map((value) => (value === undefined || value.kind === ValueKind.Null ? undefined : value));
}

/** graph-node's EntityOp::apply_to: what an entity is after `kind`/`data` was applied to `base`. */
function apply(kind: OpKind | undefined, data: EntityFields | null, base: EntityFields | null): EntityFields | null {
  switch (kind) {
    case undefined:
      return base;
    case "remove":
      return null;
    case "overwrite":
      return data;
    case "update":
      return base === null ? data : merge(base, data!, true);
  }
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
  private readonly current = new Map<string, StoredEntity | null>();
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

  private loadCurrent(type: EntityTypeModel, key: string, idValue: SqlValue): StoredEntity | null {
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

  private remember(key: string, value: StoredEntity | null): void {
    this.current.delete(key);
    this.current.set(key, value);
    if (this.current.size > this.maxCached) {
      const oldest = this.current.keys().next().value as string;
      this.current.delete(oldest);
    }
  }

  /** The entity as store.get sees it: the stored one with this block's operations applied. */
  private view(type: EntityTypeModel, key: string, idValue: SqlValue): EntityFields | null {
    const pending = this.pending.get(key);
    if (pending === undefined) return this.loadCurrent(type, key, idValue)?.data ?? null;
    if (pending.view === undefined) {
      pending.view = apply(pending.kind, pending.data, this.loadCurrent(type, key, idValue)?.data ?? null);
    }
    return pending.view;
  }

  get(typeName: string, id: string): EntityView | null {
    const type = this.entityType(typeName, "get");
    const { key, idValue } = this.key(type, id);
    const fields = this.view(type, key, idValue);
    return fields === null ? null : { type, fields };
  }

  /** Only what this block wrote: graph-node applies the block's operations to "nothing". */
  getInBlock(typeName: string, id: string): EntityView | null {
    const type = this.entityType(typeName, "get");
    const { key } = this.key(type, id);
    const pending = this.pending.get(key);
    const fields = apply(pending?.kind, pending?.data ?? null, null);
    return fields === null ? null : { type, fields };
  }

  set(typeName: string, id: string, input: EntityInput): void {
    const type = this.entityType(typeName, "set");
    const { key, idValue } = this.key(type, id);
    const data = input.fields;
    const given = data[0];
    if (given === undefined || given.kind === ValueKind.Null) {
      data[0] = type.idType === "Bytes" ? { kind: ValueKind.Bytes, value: new Uint8Array(idValue as Buffer) } : { kind: ValueKind.String, value: id };
    } else {
      const expected = expectedKind(type.storedFields[0]!);
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
    if (input.unknown !== null) {
      throw new EntityValidationError(
        `Attempted to set undefined fields [${[...input.unknown].sort().join(", ")}] for the entity type \`${type.name}\`. Make sure those fields are defined in the schema.`,
      );
    }
    if (input.derived !== null) {
      throw new EntityValidationError(`Entity ${type.name}[${id}]: field \`${input.derived[0]}\` is derived and cannot be set`);
    }
    const pending = this.pending.get(key);
    // The entity as it stands, when at hand without a store read: the values it holds were checked already.
    const before = pending !== undefined ? (pending.view ?? null) : (this.current.get(key)?.data ?? null);
    this.checkTypes(type, id, input, before);
    let kind: OpKind;
    let written: EntityFields;
    if (pending === undefined) {
      kind = "update";
      written = data;
    } else if (pending.kind === "remove") {
      kind = "overwrite";
      written = data;
    } else {
      kind = pending.kind;
      written = merge(pending.data!, data, false);
    }
    // Like graph-node: a partial entity is fine when merging it with the stored one gives a valid entity (the stored
    // one is read only then; otherwise store.get computes the merge when it needs it).
    let after: EntityFields | undefined;
    if (this.missingRequired(type, written) !== null) {
      after = apply(kind, written, kind === "update" ? (this.loadCurrent(type, key, idValue)?.data ?? null) : null)!;
      const missing = this.missingRequired(type, after);
      if (missing !== null) {
        throw new EntityValidationError(`Entity ${type.name}[${id}]: missing value for non-nullable field \`${missing}\``);
      }
    }
    if (pending === undefined) {
      this.pending.set(key, { type, id, idValue, kind, data: written, view: after });
    } else {
      pending.kind = kind;
      pending.data = written;
      pending.view = after;
    }
  }

  remove(typeName: string, id: string): void {
    const type = this.entityType(typeName, "remove");
    const { key, idValue } = this.key(type, id);
    const pending = this.pending.get(key);
    if (pending === undefined) {
      this.pending.set(key, { type, id, idValue, kind: "remove", data: null, view: null });
    } else {
      pending.kind = "remove";
      pending.data = null;
      pending.view = null;
    }
  }

  /** Children that reference `parentId` through the derived field `fieldName` of `parentTypeName`. */
  loadRelated(parentTypeName: string, parentId: string, fieldName: string): EntityView[] {
    const parentType = this.schema.composite(parentTypeName);
    if (parentType === undefined) throw new EntityValidationError(`Entity type ${parentTypeName} is not present in the schema`);
    const field = parentType.fieldsByName.get(fieldName);
    if (field === undefined || field.derivedFrom === null) {
      throw new EntityValidationError(`Entity ${parentTypeName}[${parentId}]: unknown derived field \`${fieldName}\``);
    }
    const results: EntityView[] = [];
    for (const { child, field: backField } of this.schema.derivedSources(field)) {
      let parentIdValue: SqlValue;
      try {
        parentIdValue = backField.valueType === "Bytes" ? hexToBytes(parentId) : parentId;
      } catch {
        throw new EntityValidationError(`Entity ${parentTypeName}[${parentId}]: the id is not a valid Bytes value`);
      }
      const parentJson = backField.valueType === "Bytes" ? "0x" + (parentIdValue as Buffer).toString("hex") : parentId;
      const back = child.storedIndex.get(backField.name)!;
      const seen = new Set<string>();
      for (const row of this.store.getReferencing(child, backField, parentIdValue, parentJson)) {
        const childId = row.data[0]!;
        const childIdText = childId.kind === ValueKind.Bytes ? bytesToHex(childId.value) : displayValue(childId);
        const { key } = this.key(child, childIdText);
        if (!this.current.has(key)) this.remember(key, row);
        seen.add(key);
        const pending = this.pending.get(key);
        const entity = apply(pending?.kind, pending?.data ?? null, row.data);
        if (entity !== null && references(entity[back], backField, parentJson)) results.push({ type: child, fields: entity });
      }
      // Entities written in this block may have started referencing the parent.
      for (const [key, pending] of this.pending) {
        if (pending.type !== child || seen.has(key)) continue;
        const entity = this.view(child, key, pending.idValue);
        if (entity !== null && references(entity[back], backField, parentJson)) results.push({ type: child, fields: entity });
      }
    }
    return results;
  }

  /** Type checks in schema order, skipping values the entity already holds (they were checked when they got there). */
  private checkTypes(type: EntityTypeModel, id: string, input: EntityInput, before: EntityFields | null): void {
    const fields = input.fields;
    for (let at = 0; at < fields.length; at++) {
      const value = fields[at];
      if (value === undefined || value.kind === ValueKind.Null || (before !== null && before[at] === value)) continue;
      const field = type.storedFields[at]!;
      const name = field.name;
      const expected = expectedKind(field);
      if (field.list) {
        if (value.kind !== ValueKind.Array) {
          throw new EntityValidationError(
            `Entity ${type.name}[${id}]: the value \`${displayValue(value)}\` for field \`${name}\` must have type [${field.typeName}${field.nonNull ? "!" : ""}]${field.nonNull ? "!" : ""} but has type ${kindName(value)}`,
          );
        }
        // A loop, not forEach: a closure over this block's constants would make V8 allocate them a context on every
        // iteration that gets here, list or not.
        const elements = value.value;
        for (let index = 0; index < elements.length; index++) {
          const element = elements[index]!;
          if (element.kind !== expected) {
            throw new EntityValidationError(
              `Entity ${type.name}[${id}]: field \`${name}\` is of type ${field.typeName}, but the value \`${displayValue(value)}\` contains a ${kindName(element)} at index ${index}`,
            );
          }
        }
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

  /** The first non-nullable field without a value (Null counts as none). */
  private missingRequired(type: EntityTypeModel, data: EntityFields): string | null {
    const fields = type.storedFields;
    for (let i = 0; i < fields.length; i++) {
      if (!fields[i]!.nonNull) continue;
      const value = data[i];
      if (value === undefined || value.kind === ValueKind.Null) return fields[i]!.name;
    }
    return null;
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
      const { type, idValue, kind } = pending;
      // Immutable entities set are assumed new (graph-node skips the lookup); the unique index catches the rest. A
      // removed one is looked up: no index would catch its removal, which would otherwise pass as one of an entity never
      // stored, and the stored entity stay (graph-node refuses it when its cache holds the entity, as after a write).
      const current = type.immutable && kind !== "remove" && !this.current.has(key) ? null : this.loadCurrent(type, key, idValue);
      if (kind === "remove") {
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
      const data = current === null || kind === "overwrite" ? withoutNulls(pending.data!) : merge(current.data, pending.data!, true);
      const missing = this.missingRequired(type, data);
      if (missing !== null) {
        throw new EntityValidationError(`Entity ${type.name}[${pending.id}]: missing value for non-nullable field \`${missing}\``);
      }
      const encoded = this.store.encode(type, data, current);
      if (current !== null) {
        if (encoded === current.encoded) continue;
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

/** Whether a reference field's value points at the parent (whose id has the JSON form `parentJson`). */
function references(value: StoreValue | undefined, field: FieldModel, parentJson: string): boolean {
  if (value === undefined || value.kind === ValueKind.Null) return false;
  if (value.kind === ValueKind.Array) return value.value.some((v) => listElementJson(field.valueType, v) === parentJson);
  return listElementJson(field.valueType, value) === parentJson;
}

export { ImmutableEntityError };
