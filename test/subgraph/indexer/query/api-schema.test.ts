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
