// A query reads one state of the database, even when another connection commits while it runs: nested levels
// are resolved in later ticks (DataLoader batches), after the top-level statements.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { gql } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

const SCHEMA = `
  type Parent @entity { id: ID!, name: String!, children: [Child!]! @derivedFrom(field: "parent") }
  type Child @entity { id: ID!, name: String!, parent: Parent! }
`;

const QUERY = `{ parents { name children { name } } _meta { block { number hash } } }`;

describe("query snapshot", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  /** Block `number` with the entities all named `name`. */
  const indexBlock = (number: number, name: string): void => {
    sdb.insert("Parent", number, { id: "p", name });
    sdb.insert("Child", number, { id: "c", name, parent: "p" });
    sdb.advance(number, name);
  };

  beforeEach(function () {
    sdb = SchemaDatabase.create(SCHEMA);
    sdb.db.transaction(() => indexBlock(1, "old"));
    // The indexer's process or worker thread has a connection of its own; so does the query engine.
    engine = QueryEngine.open(sdb.file);
  });

  afterEach(function () {
    engine?.close();
    sdb?.close();
  });

  /** Block 1 replaced by another block 1, committed by the indexer's connection as after a reorg. */
  const reorg = (): void =>
    sdb.db.transaction(() => {
      sdb.db.rollbackEntities(sdb.schema, 0);
      indexBlock(1, "new");
    });

  it("answers from one state when a reorg commits between the statements of a query", async function () {
    const before = await gql(engine, QUERY);
    const pending = engine.executeQuery(QUERY);
    reorg();
    const answer = await pending;
    const after = await gql(engine, QUERY);
    expect(before).to.not.deep.equal(after);
    expect(answer.errors).to.equal(undefined);
    expect([before, after]).to.deep.include(answer.data);
  });

  it("gives a query called after a commit that commit, even while an earlier query is still running", async function () {
    const pending = engine.executeQuery(QUERY);
    reorg();
    const later = engine.executeQuery(QUERY);
    await pending;
    const now = await gql(engine, QUERY);
    expect((await later).data).to.deep.equal(now);
    expect(JSON.stringify(now)).to.include('"new"');
  });

  it("reads the status' checkpoint and fatal error from one state when a commit lands between the two reads", function () {
    // The new block 1 is followed by a block 2 whose handler failed: the checkpoint stays at 1, the error names 2.
    const failAfterReorg = (): void =>
      sdb.db.transaction(() => {
        sdb.db.rollbackEntities(sdb.schema, 0);
        indexBlock(1, "new");
        const error = { message: "handler failed", handler: null, dataSource: null, transactionHash: null, logIndex: null };
        sdb.db.setFatalError({ ...error, blockNumber: 2, blockHash: "0x02" });
      });
    const before = engine.status();
    // status() reads the fatal error first: the indexer's connection commits right after that read.
    const read = engine.db.fatalError;
    engine.db.fatalError = function (this: typeof engine.db) {
      const value = read.call(this);
      engine.db.fatalError = read;
      failAfterReorg();
      return value;
    };
    const status = engine.status();
    const after = engine.status();
    expect(before).to.not.deep.equal(after);
    expect(after).to.include({ failed: true });
    expect([before, after]).to.deep.include(status);
  });

  it("queries through the indexer's connection in the middle of its write transaction, and leaves that open", async function () {
    const shared = QueryEngine.forDatabase(sdb.db);
    sdb.db.db.exec("BEGIN IMMEDIATE");
    const answer = await shared.executeQuery(QUERY);
    expect(answer.errors).to.equal(undefined);
    expect(sdb.db.db.inTransaction).to.equal(true);
    sdb.db.db.exec("COMMIT");
  });
});
