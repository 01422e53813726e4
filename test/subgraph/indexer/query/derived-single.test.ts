// A single (non-list) @derivedFrom field that several entities name: graph-node refuses to pick one
// (graphql/src/store/resolver.rs, resolve_object: AmbiguousDerivedFromResult) instead of answering any of them.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { gql, gqlErrors } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

describe("query single @derivedFrom fields", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`
      type User @entity { id: ID!, profile: Profile @derivedFrom(field: "owner") }
      type Profile @entity { id: ID!, owner: User! }
    `);
    for (const id of ["one", "two"]) sdb.insert("User", 1, { id });
    sdb.insert("Profile", 1, { id: "p1", owner: "one" });
    sdb.insert("Profile", 1, { id: "p2", owner: "two" });
    sdb.insert("Profile", 1, { id: "p3", owner: "two" });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  it("answers the one entity that names the parent", async function () {
    expect(await gql(engine, `{ user(id: "one") { profile { id } } }`)).to.deep.equal({ user: { profile: { id: "p1" } } });
  });

  it("refuses, with graph-node's error, a parent that several entities name", async function () {
    expect(await gqlErrors(engine, `{ users { id profile { id } } }`)).to.deep.equal([
      "Ambiguous result for derived field `profile`: Multiple `Profile` entities refer back via `owner`",
    ]);
  });
});
