// store.set/store.remove as the mappings' entity cache applies them at the end of each block, against graph-node's
// EntityCache (graph/src/components/store/entity_cache.rs) and its validation messages (graph/src/data/store/mod.rs,
// runtime/wasm/src/host_exports.rs), on a schema written here (no chain, no mappings).
import { expect } from "chai";
import { EntityValidationError } from "../../../../subgraph/indexer/errors";
import { EntityCache, type EntityFields } from "../../../../subgraph/indexer/store/entity-cache";
import { EntityStore, ImmutableEntityError } from "../../../../subgraph/indexer/store/entity-store";
import { ValueKind, type StoreValue } from "../../../../subgraph/indexer/values/store-value";
import { SchemaDatabase } from "../helpers/schema-db";

const SCHEMA = `
  enum Tier { Gold, Silver }
  type Fixed @entity(immutable: true) { id: ID!, name: String! }
  type Owner @entity { id: ID!, items: [Item!]! @derivedFrom(field: "owner") }
  type Item @entity { id: ID!, name: String!, note: String, count: Int, tier: Tier, tags: [String!], owner: Owner }
`;

const str = (value: string): StoreValue => ({ kind: ValueKind.String, value });
const int = (value: number): StoreValue => ({ kind: ValueKind.Int, value });
const NULL: StoreValue = { kind: ValueKind.Null };

interface Row {
  __from: number;
  __to: number;
  id: string;
  name: string;
  note: string | null;
  count: number | null;
}

describe("indexer store: the mappings' entity cache", function () {
  let sdb: SchemaDatabase;
  let cache: EntityCache;

  beforeEach(function () {
    sdb = SchemaDatabase.create(SCHEMA);
    cache = new EntityCache(new EntityStore(sdb.db.db, sdb.schema), sdb.schema);
  });

  afterEach(function () {
    sdb?.close();
  });

  /** store.set of `values` (field name to value; the id is filled in as the host does). */
  const set = (typeName: string, id: string, values: Record<string, StoreValue>, extra: { unknown?: string[]; derived?: string[] } = {}): void => {
    const type = sdb.schema.entity(typeName);
    const fields: EntityFields = [];
    for (const [name, value] of Object.entries(values)) fields[type.storedIndex.get(name)!] = value;
    cache.set(typeName, id, { fields, unknown: extra.unknown ?? null, derived: extra.derived ?? null });
  };

  /** Runs a block's operations and writes them at `block`, in one transaction as the indexer does. */
  const block = (number: number, operations: () => void): void =>
    sdb.db.db.transaction(() => {
      operations();
      cache.flush(number);
    })();

  const rows = (table: string): Row[] => sdb.db.db.prepare(`SELECT * FROM "${table}" ORDER BY id, __from`).all() as Row[];

  it("merges a set into the stored entity: fields it leaves out keep their value, a null removes one", function () {
    block(1, () => set("Item", "a", { name: str("alpha"), note: str("first"), count: int(1) }));
    block(2, () => set("Item", "a", { note: NULL, count: int(2) }));
    expect(rows("ent_Item").map(({ __from, name, note, count }) => ({ __from, name, note, count }))).to.deep.equal([
      { __from: 1, name: "alpha", note: "first", count: 1 },
      { __from: 2, name: "alpha", note: null, count: 2 },
    ]);
  });

  it("writes no new version when a block's sets leave the entity as it was", function () {
    block(1, () => set("Item", "a", { name: str("alpha"), count: int(1) }));
    block(2, () => {
      set("Item", "a", { count: int(5) });
      set("Item", "a", { name: str("alpha"), count: int(1) });
    });
    expect(rows("ent_Item").map(({ __from, __to }) => [__from, __to])).to.deep.equal([[1, 2147483647]]);
  });

  it("refuses a set that breaks the schema with graph-node's message", function () {
    const cases: Array<[string, () => void, string]> = [
      ["an unknown field", () => set("Item", "a", { name: str("x") }, { unknown: ["zeta", "extra"] }), "Attempted to set undefined fields [extra, zeta] for the entity type `Item`. Make sure those fields are defined in the schema."],
      ["a derived field", () => set("Owner", "o", {}, { derived: ["items"] }), "Entity Owner[o]: field `items` is derived and cannot be set"],
      ["a value of the wrong type", () => set("Item", "a", { name: str("x"), count: str("1") }), "Entity Item[a]: the value `1` for field `count` must have type Int but has type String"],
      ["a list element of the wrong type", () => set("Item", "a", { name: str("x"), tags: { kind: ValueKind.Array, value: [str("t"), int(2)] } }), "Entity Item[a]: field `tags` is of type String, but the value `[t, 2]` contains a Int at index 1"],
      ["a required field missing", () => set("Item", "a", { count: int(1) }), "Entity Item[a]: missing value for non-nullable field `name`"],
      ["an id that is not the entity's", () => set("Item", "a", { id: str("b"), name: str("x") }), "Value of Item attribute 'id' conflicts with ID passed to `store.set()`: b != a"],
    ];
    for (const [what, operation, message] of cases) {
      expect(operation, what).to.throw(EntityValidationError, message);
    }
  });

  it("lets an immutable entity be rewritten within its block", function () {
    block(1, () => {
      set("Fixed", "f", { name: str("first") });
      set("Fixed", "f", { name: str("second") });
    });
    expect(rows("ent_Fixed").map(({ __from, name }) => [__from, name])).to.deep.equal([[1, "second"]]);
  });

  // graph-node skips the store lookup of an immutable entity set (as_modifications), so that one written again in a later
  // block is inserted again, which the store refuses, unless its cache holds the entity: after a load, an unchanged
  // write is no change at all (the common `load() ?? new`, then `save()`).
  it("refuses an immutable entity written again in a later block, unless the block loaded it and left it unchanged", function () {
    block(1, () => set("Fixed", "f", { name: str("kept") }));
    const message = "entities of type `Fixed` can not be updated since they are immutable. Entity ids are [f]";
    const cases: Array<[string, boolean, string]> = [
      ["unchanged", false, "kept"],
      ["changed", false, "other"],
      ["loaded, then changed", true, "other"],
    ];
    for (const [what, load, name] of cases) {
      const write = (): void =>
        block(2, () => {
          if (load) cache.get("Fixed", "f");
          set("Fixed", "f", { name: str(name) });
        });
      expect(write, what).to.throw(ImmutableEntityError, message);
      cache.discard();
    }
    block(2, () => {
      cache.get("Fixed", "f");
      set("Fixed", "f", { name: str("kept") });
    });
    expect(rows("ent_Fixed").map(({ __from, __to, name }) => [__from, __to, name])).to.deep.equal([[1, 2147483647, "kept"]]);
  });

  it("refuses to remove an immutable entity in a later block, whether or not the block read it first", function () {
    block(1, () => {
      set("Fixed", "f", { name: str("kept") });
      set("Fixed", "g", { name: str("kept") });
    });
    const message = (id: string): string => `entities of type \`Fixed\` can not be deleted since they are immutable. Entity ids are [${id}]`;
    expect(() => block(2, () => cache.remove("Fixed", "f"))).to.throw(ImmutableEntityError, message("f"));
    cache.discard();
    expect(() =>
      block(2, () => {
        cache.get("Fixed", "g");
        cache.remove("Fixed", "g");
      }),
    ).to.throw(ImmutableEntityError, message("g"));
    cache.discard();
    expect(rows("ent_Fixed").map(({ id, __to }) => [id, __to])).to.deep.equal([
      ["f", 2147483647],
      ["g", 2147483647],
    ]);
  });

  it("removes nothing, and fails nothing, when a block removes an immutable entity that was never stored", function () {
    block(1, () => cache.remove("Fixed", "never"));
    block(2, () => {
      set("Fixed", "brief", { name: str("x") });
      cache.remove("Fixed", "brief");
    });
    expect(rows("ent_Fixed")).to.deep.equal([]);
  });
});
