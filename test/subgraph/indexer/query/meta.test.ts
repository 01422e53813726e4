// `_meta { block { ... } }` as graph-node answers it (graphql/src/store/resolver.rs, locate_blocks and lookup_meta):
// the block's hash, timestamp and parent hash where the query names the block by hash or not at all, and only its
// number where it names a number (graph-node then has a zero hash, which finds nothing to look up).
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { gql } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

describe("query _meta block", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;
  // SchemaDatabase.advance's block hashes and timestamps.
  const hash = (n: number): string => keccak256(toUtf8Bytes(`:${n}`));
  const timestamp = (n: number): number => 1_700_000_000 + n;

  before(function () {
    sdb = SchemaDatabase.create(`type Item @entity { id: ID! }`);
    for (const n of [1, 2, 3]) sdb.advance(n);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  const meta = async (args: string): Promise<unknown> =>
    (await gql<{ _meta: { block: unknown } }>(engine, `{ _meta${args} { block { number hash timestamp parentHash } } }`))._meta.block;

  it("gives the head's number, hash, timestamp and parent hash, and those of a block named by hash", async function () {
    expect(await meta("")).to.deep.equal({ number: 3, hash: hash(3), timestamp: timestamp(3), parentHash: hash(2) });
    expect(await meta(`(block: { hash: "${hash(2)}" })`)).to.deep.equal({ number: 2, hash: hash(2), timestamp: timestamp(2), parentHash: hash(1) });
  });

  it("gives only the number of a block named by number, as graph-node does not look it up", async function () {
    expect(await meta("(block: { number: 2 })")).to.deep.equal({ number: 2, hash: null, timestamp: null, parentHash: null });
  });
});
