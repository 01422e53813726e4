// A failed subgraph answers queries as graph-node answers them (graphql/src/store/resolver.rs, post_process): graph-node
// moves a failed deployment's head onto the failing block and records the error there, so every field read at the
// head carries `indexing_error`, its data left out unless the field asks `subgraphError: allow`; `_meta` (the way to
// see the failure) and introspection are kept. Here the checkpoint is the block before the failure, as a database
// of an earlier version of the indexer holds it: its head reads are still those graph-node answers with the error.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { SchemaDatabase } from "../helpers/schema-db";

describe("queries of a failed subgraph", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`type Item @entity { id: ID!, name: String! }`);
    sdb.insert("Item", 1, { id: "a", name: "alpha" });
    sdb.advance(1);
    sdb.advance(2);
    sdb.db.setFatalError({
      message: "Mapping aborted at src/items.ts, line 3: boom",
      handler: "handleItem",
      dataSource: "Items",
      blockNumber: 3,
      blockHash: "0x03",
      transactionHash: null,
      logIndex: null,
    });
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  // As the HTTP answer serialises it: a key left undefined is no key at all.
  const answer = async (query: string): Promise<unknown> => JSON.parse(JSON.stringify(await engine.executeQuery(query))) as unknown;
  const INDEXING_ERROR = [{ message: "indexing_error" }];

  it("answers a query of the head with indexing_error alone and no data key, subgraphError: deny being the default", async function () {
    expect(await answer(`{ items { id } }`)).to.deep.equal({ errors: INDEXING_ERROR });
    expect(await answer(`{ item(id: "a", subgraphError: deny) { id } }`)).to.deep.equal({ errors: INDEXING_ERROR });
    expect(await answer(`{ items(block: { number_gte: 1 }) { id } }`)).to.deep.equal({ errors: INDEXING_ERROR });
  });

  it("keeps the data with subgraphError: allow, next to indexing_error", async function () {
    expect(await answer(`{ items(subgraphError: allow) { id name } }`)).to.deep.equal({
      data: { items: [{ id: "a", name: "alpha" }] },
      errors: INDEXING_ERROR,
    });
  });

  it("keeps _meta and introspection next to indexing_error, and answers _meta alone without it", async function () {
    expect(await answer(`{ items { id } _meta { hasIndexingErrors } }`)).to.deep.equal({
      data: { _meta: { hasIndexingErrors: true } },
      errors: INDEXING_ERROR,
    });
    expect(await answer(`{ __schema { queryType { name } } }`)).to.deep.equal({
      data: { __schema: { queryType: { name: "Query" } } },
      errors: INDEXING_ERROR,
    });
    expect(await answer(`{ _meta { block { number } } }`)).to.deep.equal({ data: { _meta: { block: { number: 2 } } } });
  });

  it("leaves out the data of a deny field read at the head with an allow field, as graph-node runs them as one", async function () {
    expect(await answer(`{ a: items(subgraphError: allow) { id } b: items { id } }`)).to.deep.equal({ errors: INDEXING_ERROR });
  });

  it("answers without the error a field read at a block before the failure, next to one read at the head", async function () {
    expect(await answer(`{ items(block: { number: 2 }) { id } }`)).to.deep.equal({ data: { items: [{ id: "a" }] } });
    expect(await answer(`{ old: items(block: { number: 1 }) { id } now: items { id } }`)).to.deep.equal({
      data: { old: [{ id: "a" }] },
      errors: INDEXING_ERROR,
    });
  });

  it("says hasIndexingErrors at the head, not at a block before the failure, as graph-node's error is recorded at its block", async function () {
    expect(await answer(`{ _meta { hasIndexingErrors } }`)).to.deep.equal({ data: { _meta: { hasIndexingErrors: true } } });
    expect(await answer(`{ _meta(block: { number_gte: 2 }) { hasIndexingErrors } }`)).to.deep.equal({ data: { _meta: { hasIndexingErrors: true } } });
    expect(await answer(`{ _meta(block: { number: 1 }) { hasIndexingErrors } }`)).to.deep.equal({ data: { _meta: { hasIndexingErrors: false } } });
  });

  it("answers a query that fails for its own reason with that error, not indexing_error", async function () {
    const result = await answer(`{ items(first: 1001) { id } }`);
    expect((result as { errors: Array<{ message: string }> }).errors.map((e) => e.message)).to.deep.equal([
      "The `first` argument must be between 0 and 1000, but is 1001",
    ]);
  });
});
