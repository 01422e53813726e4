// A query that fails as it runs is answered as graph-node answers it (graphql/src/execution/execution.rs): any error
// of any field is the whole answer, with no `data` key, where GraphQL.js would give the other fields' data and a null
// for the failed one; and graph-node's errors have no `path`.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { SchemaDatabase } from "../helpers/schema-db";

describe("query execution errors", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`type Item @entity { id: ID!, name: String! } type Blob @entity { id: Bytes! }`);
    sdb.insert("Item", 1, { id: "a", name: "alpha" });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  // As the HTTP answer serialises it.
  const answer = async (query: string): Promise<Record<string, unknown>> => JSON.parse(JSON.stringify(await engine.executeQuery(query))) as Record<string, unknown>;

  it("answers a failed collection with its error alone: no data key, and no path", async function () {
    const result = await answer(`{ items(first: 1001) { id } }`);
    expect(Object.keys(result)).to.deep.equal(["errors"]);
    expect(result.errors).to.deep.equal([
      { message: "The `first` argument must be between 0 and 1000, but is 1001", locations: [{ line: 1, column: 3 }] },
    ]);
  });

  it("leaves out the data of the fields that did not fail next to one that did", async function () {
    const result = await answer(`{ item(id: "a") { id } blob(id: "0xzz") { id } }`);
    expect(Object.keys(result)).to.deep.equal(["errors"]);
    expect((result.errors as Array<{ message: string }>).map((e) => e.message)).to.have.lengthOf(1);
  });
});
