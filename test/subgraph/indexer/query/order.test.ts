// Child sorting (`orderBy: parent__child`) on a schema written here: graph-node offers it for every single reference,
// @derivedFrom ones included (api.rs field_enum_values_from_child_entity), and joins a derived one through the
// child's reference back to the parent (relational_queries.rs, with_child_object_key with `derived`). Only at the top
// level: a nested list is read per parent (SortKey::order_by_parent), which refuses it.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { NESTED_CHILD_SORT_ERROR } from "../../../../subgraph/indexer/query/reader";
import { gql, gqlErrors } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

const SCHEMA = `
  type User @entity {
    id: ID!
    profile: Profile @derivedFrom(field: "user")
    profiles: [Profile!]! @derivedFrom(field: "user")
    badge: Badge @derivedFrom(field: "holders")
  }
  type Profile @entity { id: ID!, user: User!, rank: Int! }
  type Badge @entity { id: ID!, holders: [User!]!, label: String! }
`;

describe("query ordering by a field of a derived single reference", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(SCHEMA);
    for (const id of ["u1", "u2", "u3"]) sdb.insert("User", 1, { id });
    // u3 has neither a profile nor a badge. u1's rank changes at block 2.
    sdb.insert("Profile", 1, { id: "pa", user: "u1", rank: 5 }, 2);
    sdb.insert("Profile", 2, { id: "pa", user: "u1", rank: 1 });
    sdb.insert("Profile", 1, { id: "pb", user: "u2", rank: 3 });
    sdb.insert("Badge", 1, { id: "b1", holders: '["u2"]', label: "gold" });
    sdb.insert("Badge", 1, { id: "b2", holders: '["u1"]', label: "silver" });
    // From block 2 u1 and u2 hold two badges each.
    sdb.insert("Badge", 2, { id: "b3", holders: '["u1", "u2"]', label: "amber" });
    sdb.advance(1);
    sdb.advance(2);
    engine = QueryEngine.open(sdb.file);
  });

  after(function () {
    engine?.close();
    sdb?.close();
  });

  const order = async (orderBy: string, direction: string, block = ""): Promise<string[]> => {
    const query = `{ users(orderBy: ${orderBy}, orderDirection: ${direction}${block}) { id } }`;
    return (await gql<{ users: Array<{ id: string }> }>(engine, query)).users.map((u) => u.id);
  };

  it("sorts through a reference back to the parent, at the query's block, parents without one last", async function () {
    expect(await order("profile__rank", "asc")).to.deep.equal(["u1", "u2", "u3"]);
    expect(await order("profile__rank", "desc")).to.deep.equal(["u3", "u2", "u1"]);
    expect(await order("profile__rank", "asc", ", block: { number: 1 }")).to.deep.equal(["u2", "u1", "u3"]);
    expect(await order("profile__id", "desc")).to.deep.equal(["u3", "u2", "u1"]);
  });

  it("sorts through a list of references back to the parent", async function () {
    expect(await order("badge__label", "asc", ", block: { number: 1 }")).to.deep.equal(["u2", "u1", "u3"]);
    expect(await order("badge__label", "desc", ", block: { number: 1 }")).to.deep.equal(["u3", "u1", "u2"]);
  });

  it("lists a parent once per child that names it, as graph-node's join (no DISTINCT)", async function () {
    expect(await order("badge__label", "asc")).to.deep.equal(["u1", "u2", "u2", "u1", "u3"]);
  });

  it("refuses a child sort in a nested list, stored or derived, with graph-node's error", async function () {
    expect(await gqlErrors(engine, `{ badges { holders(orderBy: profile__rank) { id } } }`)).to.deep.equal([NESTED_CHILD_SORT_ERROR]);
    expect(await gqlErrors(engine, `{ users { profiles(orderBy: user__id) { id } } }`)).to.deep.equal([NESTED_CHILD_SORT_ERROR]);
  });

  it("accepts a child sort in a nested list that has no parents, as graph-node sends no query for it", async function () {
    const query = `{ badges(where: { label: "none" }) { holders(orderBy: profile__rank) { id } } }`;
    expect(await gql(engine, query)).to.deep.equal({ badges: [] });
  });
});

// graph-node sorts only by fields whose type is a built-in scalar (query.rs, build_order_by), although its
// `<T>_orderBy` enums offer every field.
const NON_SCALAR_SCHEMA = `
  enum Tier { Gold, Silver }
  interface Thing { id: ID!, tier: Tier }
  type Parent @entity { id: ID!, tier: Tier, items: [Item!]! @derivedFrom(field: "parent") }
  type Item implements Thing @entity { id: ID!, name: String, tier: Tier, parent: Parent, tags: [String!], peers: [Item!] }
`;

describe("query ordering by a field that is not a built-in scalar", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(NON_SCALAR_SCHEMA);
    sdb.insert("Parent", 1, { id: "p1", tier: "Gold" });
    sdb.insert("Item", 1, { id: "a", name: null, tier: "Silver", parent: "p1", tags: '["x"]', peers: '["b"]' });
    sdb.insert("Item", 1, { id: "b", name: "beta", tier: "Gold", parent: "p1", tags: null, peers: null });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  const refused = (field: string, type: string): string => `Ordering by \`${field}\` is not supported for type \`${type}\``;

  it("refuses an enum, a reference, a list or a derived field with graph-node's error", async function () {
    for (const field of ["tier", "parent", "tags", "peers"]) {
      expect(await gqlErrors(engine, `{ items(orderBy: ${field}) { id } }`), field).to.deep.equal([refused(field, "Item")]);
    }
    expect(await gqlErrors(engine, `{ parents(orderBy: items) { id } }`)).to.deep.equal([refused("items", "Parent")]);
  });

  it("names the interface when an interface collection is ordered by such a field", async function () {
    expect(await gqlErrors(engine, `{ things(orderBy: tier) { id } }`)).to.deep.equal([refused("tier", "Thing")]);
  });

  it("refuses a child sort by an enum field, naming the reference's type", async function () {
    expect(await gqlErrors(engine, `{ items(orderBy: parent__tier) { id } }`)).to.deep.equal([refused("tier", "Parent")]);
  });

  it("refuses such a field in a nested list with that error, not the child-sort one", async function () {
    expect(await gqlErrors(engine, `{ parents { items(orderBy: tier) { id } } }`)).to.deep.equal([refused("tier", "Item")]);
    expect(await gqlErrors(engine, `{ parents { items(orderBy: parent__tier) { id } } }`)).to.deep.equal([refused("tier", "Parent")]);
  });

  it("still sorts by a scalar field, nulls last ascending and first descending", async function () {
    const names = async (direction: string): Promise<string[]> =>
      (await gql<{ items: Array<{ id: string }> }>(engine, `{ items(orderBy: name, orderDirection: ${direction}) { id } }`)).items.map((i) => i.id);
    expect(await names("asc")).to.deep.equal(["b", "a"]);
    expect(await names("desc")).to.deep.equal(["a", "b"]);
  });
});
