// Collection arguments of the generated API against graph-node's checks (graphql/src/store/query.rs), on a schema
// written here (no chain).
import { expect } from "chai";
import { GraphQLInputObjectType } from "graphql";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { gql, gqlErrors } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

const SCHEMA = `
  type Parent @entity { id: ID!, items: [Item!]! @derivedFrom(field: "parent") }
  type Item @entity { id: ID!, parent: Parent! }
`;

describe("query collection arguments on a schema of the test", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(SCHEMA);
    sdb.insert("Parent", 1, { id: "p1" });
    sdb.insert("Item", 1, { id: "a", parent: "p1" });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  it("refuses first: 0, top-level and nested, with graph-node's range error", async function () {
    const message = "The `first` argument must be between 0 and 1000, but is 0";
    expect(await gqlErrors(engine, `{ items(first: 0) { id } }`)).to.deep.equal([message]);
    expect(await gqlErrors(engine, `{ parents { items(first: 0) { id } } }`)).to.deep.equal([message]);
    // skip: 0 is the default, and first: 1 the smallest page.
    expect(await gql(engine, `{ items(first: 1, skip: 0) { id } }`)).to.deep.equal({ items: [{ id: "a" }] });
  });
});

// A stored list of references takes a collection's arguments, as a derived field does (graph-node's api.rs gives
// every list-of-entities field skip/first/orderBy/orderDirection/where), each parent's children paged on their own.
describe("query arguments of a stored list of references", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`
      type Tag @entity { id: ID!, rank: Int! }
      type Post @entity { id: ID!, tags: [Tag!]! }
    `);
    for (const [id, rank] of [["t1", 4], ["t2", 3], ["t3", 0], ["t4", 1]] as const) sdb.insert("Tag", 1, { id, rank });
    sdb.insert("Post", 1, { id: "p1", tags: '["t1", "t2", "t3", "t4"]' });
    sdb.insert("Post", 1, { id: "p2", tags: '["t4", "t2"]' });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  const tags = async (args: string): Promise<Record<string, string[]>> => {
    const data = await gql<{ posts: Array<{ id: string; tags: Array<{ id: string }> }> }>(engine, `{ posts(orderBy: id) { id tags${args} { id } } }`);
    return Object.fromEntries(data.posts.map((p) => [p.id, p.tags.map((t) => t.id)]));
  };

  it("filters, orders and pages each parent's list on its own, and orders by id without orderBy", async function () {
    expect(await tags("")).to.deep.equal({ p1: ["t1", "t2", "t3", "t4"], p2: ["t2", "t4"] });
    expect(await tags(`(where: { rank_gt: 0 }, orderBy: rank, orderDirection: desc, skip: 1, first: 2)`)).to.deep.equal({ p1: ["t2", "t4"], p2: ["t4"] });
  });
});

// graph-node's `<T>_filter` (graph/src/schema/api.rs: field_filter_ops, field_enum_filter_input_values,
// field_list_filter_input_values): a reference filters as its id, as a String (Bytes ids too); a list offers `_nocase`
// only when its elements are Strings or references to String ids; a reference, stored or in a list, has a child filter.
describe("query filter operators of each field type", function () {
  const ORDERED = ["", "not", "gt", "lt", "gte", "lte", "in", "not_in"];
  const STRING = [
    ...ORDERED,
    ...["contains", "contains_nocase", "not_contains", "not_contains_nocase", "starts_with", "starts_with_nocase", "not_starts_with"],
    ...["not_starts_with_nocase", "ends_with", "ends_with_nocase", "not_ends_with", "not_ends_with_nocase"],
  ];
  const LIST = ["", "not", "contains", "not_contains"];
  const LIST_NOCASE = ["", "not", "contains", "contains_nocase", "not_contains", "not_contains_nocase"];
  const CHILD = "child filter";
  const expected: Record<string, string[]> = {
    id: ORDERED,
    string: STRING,
    bytes: [...ORDERED, "contains", "not_contains"],
    bigInt: ORDERED,
    bigDecimal: ORDERED,
    int: ORDERED,
    int8: ORDERED,
    timestamp: ORDERED,
    flag: ["", "not", "in", "not_in"],
    tier: ["", "not", "in", "not_in"],
    stringRef: [...STRING, CHILD],
    bytesRef: [...STRING, CHILD],
    thing: [...STRING, CHILD],
    strings: LIST_NOCASE,
    blobs: LIST,
    bigInts: LIST,
    flags: LIST,
    tiers: LIST,
    stringRefs: [...LIST_NOCASE, CHILD],
    bytesRefs: [...LIST, CHILD],
    things: [...LIST_NOCASE, CHILD],
    derived: [CHILD],
  };

  it("offers graph-node's operators for every type of field", function () {
    const sdb = SchemaDatabase.create(`
      enum Tier { Gold, Silver }
      interface Thing { id: ID! }
      type S implements Thing @entity { id: ID!, owner: T }
      type B @entity { id: Bytes! }
      type T @entity {
        id: ID!, string: String, bytes: Bytes, bigInt: BigInt, bigDecimal: BigDecimal, int: Int, int8: Int8, timestamp: Timestamp
        flag: Boolean, tier: Tier, stringRef: S, bytesRef: B, thing: Thing, strings: [String!], blobs: [Bytes!], bigInts: [BigInt!]
        flags: [Boolean!], tiers: [Tier!], stringRefs: [S!], bytesRefs: [B!], things: [Thing!], derived: [S!]! @derivedFrom(field: "owner")
      }
    `);
    try {
      const filter = QueryEngine.forDatabase(sdb.db).apiSchema.getType("T_filter") as GraphQLInputObjectType;
      const offered: Record<string, string[]> = {};
      for (const name of Object.keys(filter.getFields())) {
        if (name === "_change_block" || name === "and" || name === "or") continue;
        // The longest field name the input field starts with: `bigInts_contains` is bigInts', not bigInt's.
        const field = Object.keys(expected)
          .filter((f) => name === f || name.startsWith(`${f}_`))
          .sort((a, b) => b.length - a.length)[0]!;
        const op = name === `${field}_` ? CHILD : name.slice(field.length + 1);
        (offered[field] ??= []).push(op);
      }
      for (const field of Object.keys(expected)) {
        expect([...(offered[field] ?? [])].sort(), field).to.deep.equal([...expected[field]!].sort());
      }
      expect(Object.keys(offered).sort()).to.deep.equal(Object.keys(expected).sort());
    } finally {
      sdb.close();
    }
  });
});

// An interface-typed list is read with one statement per implementation, ranked together per parent (reader.ts): each
// parent's page comes from all implementations at once, in one order.
describe("query arguments of a list of an interface", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`
      interface Event { id: ID!, parent: Parent!, n: Int! }
      type Parent @entity { id: ID!, events: [Event!]! @derivedFrom(field: "parent") }
      type Deposit implements Event @entity { id: ID!, parent: Parent!, n: Int! }
      type Withdrawal implements Event @entity { id: ID!, parent: Parent!, n: Int! }
    `);
    for (const id of ["p1", "p2"]) sdb.insert("Parent", 1, { id });
    const events: Array<[string, string, string, number]> = [
      ["Deposit", "d1", "p1", 5],
      ["Withdrawal", "w1", "p1", 4],
      ["Deposit", "d2", "p1", 3],
      ["Withdrawal", "w2", "p1", 0],
      ["Withdrawal", "w3", "p2", 2],
      ["Deposit", "d3", "p2", 1],
    ];
    for (const [type, id, parent, n] of events) sdb.insert(type, 1, { id, parent, n });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  it("filters, orders and pages each parent's list across the implementations", async function () {
    const query = `{ parents(orderBy: id) { id events(where: { n_gt: 0 }, orderBy: n, orderDirection: desc, skip: 1, first: 2) { __typename id } } }`;
    const data = await gql<{ parents: Array<{ id: string; events: Array<{ __typename: string; id: string }> }> }>(engine, query);
    expect(data.parents.map((p) => [p.id, p.events.map((e) => `${e.__typename} ${e.id}`)])).to.deep.equal([
      ["p1", ["Withdrawal w1", "Deposit d2"]],
      ["p2", ["Deposit d3"]],
    ]);
  });
});
