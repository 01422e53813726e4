// Filter semantics of the query API on a schema written here (no chain): the cases where graph-node's SQL
// (store/postgres/src/relational_queries.rs) gives a result that SQL's own rules would not.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { gql, gqlErrors } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

const SCHEMA = `
  enum Tier { Gold, Silver }
  type Parent @entity { id: ID!, name: String! }
  type Item @entity {
    id: ID!
    name: String
    count: Int
    tier: Tier
    parent: Parent
    tags: [String!]
  }
`;

describe("query filters on a schema of the test", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(SCHEMA);
    sdb.insert("Parent", 1, { id: "p1", name: "one" });
    sdb.insert("Item", 1, { id: "a", name: "alpha", count: 1, tier: "Gold", parent: "p1", tags: '["x"]' });
    sdb.insert("Item", 1, { id: "b", name: null, count: null, tier: null, parent: null, tags: null });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  const ids = async (where: string): Promise<string[]> =>
    (await gql<{ items: Array<{ id: string }> }>(engine, `{ items(where: ${where}) { id } }`)).items.map((i) => i.id);

  it("matches nothing with an empty _in or _not_in list on ids, scalars, enums and references", async function () {
    for (const field of ["id", "name", "count", "tier", "parent"]) {
      expect(await ids(`{ ${field}_in: [] }`), `${field}_in`).to.deep.equal([]);
      expect(await ids(`{ ${field}_not_in: [] }`), `${field}_not_in`).to.deep.equal([]);
    }
    // Inside `or`, an empty list is a false alternative, not one that matches everything.
    expect(await ids(`{ or: [{ name_not_in: [] }, { id: "b" }] }`)).to.deep.equal(["b"]);
  });

  it("refuses a null _in or _not_in with graph-node's message", async function () {
    expect(await gqlErrors(engine, `{ items(where: { name_in: null }) { id } }`)).to.deep.equal([
      "Non-list value passed to `_in` filter",
    ]);
    expect(await gqlErrors(engine, `{ items(where: { count_not_in: null }) { id } }`)).to.deep.equal([
      "Non-list value passed to `_not_in` filter",
    ]);
  });

  it("offers no _in or _not_in on list fields, as graph-node", async function () {
    const errors = await gqlErrors(engine, `{ items(where: { tags_not_in: [] }) { id } }`);
    expect(errors.join("\n")).to.match(/tags_not_in/);
  });
});
