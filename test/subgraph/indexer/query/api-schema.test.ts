// Collection arguments of the generated API against graph-node's checks (graphql/src/store/query.rs), on a schema
// written here (no chain).
import { expect } from "chai";
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
