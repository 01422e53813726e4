// Filter values of graph-node's scalars are read as graph-node reads them (graph/src/data/store/mod.rs,
// Value::from_query_value): Bytes with the hex crate after any leading `0x`, BigInt with num-bigint, Int8 as an i64;
// what they refuse is refused with their messages.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { encodeBigInt } from "../../../../subgraph/indexer/values/sortable";
import { gqlErrors, itemIdsWhere } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

describe("query scalar filter values", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`type Item @entity { id: ID!, blob: Bytes!, amount: BigInt!, count: Int8!, at: Timestamp }`);
    sdb.insert("Item", 1, { id: "a", blob: Buffer.from("abcd", "hex"), amount: encodeBigInt(5n), count: 5n });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  const ids = (where: string): Promise<string[]> => itemIdsWhere(engine, where);

  it("refuses Bytes that are not hex with the hex crate's messages", async function () {
    expect(await gqlErrors(engine, `{ items(where: { blob: "0xabc" }) { id } }`)).to.deep.equal(["Failed to decode `Bytes` value: `Odd number of digits`"]);
    expect(await gqlErrors(engine, `{ items(where: { blob: "0xabzz" }) { id } }`)).to.deep.equal([
      "Failed to decode `Bytes` value: `Invalid character 'z' at position 2`",
    ]);
    expect(await gqlErrors(engine, `{ items(where: { blob: "0Xabcd" }) { id } }`)).to.deep.equal([
      "Failed to decode `Bytes` value: `Invalid character 'X' at position 1`",
    ]);
  });

  it("takes Bytes with or without 0x, as graph-node trims every leading 0x", async function () {
    expect(await ids(`{ blob: "abcd" }`)).to.deep.equal(["a"]);
    expect(await ids(`{ blob: "0xABCD" }`)).to.deep.equal(["a"]);
  });

  it("refuses a BigInt that is not an integer with num-bigint's messages, and takes a leading +", async function () {
    expect(await gqlErrors(engine, `{ items(where: { amount: "12abc" }) { id } }`)).to.deep.equal([
      "Failed to decode `BigInt` value: `invalid digit found in string`",
    ]);
    expect(await gqlErrors(engine, `{ items(where: { amount: "" }) { id } }`)).to.deep.equal([
      "Failed to decode `BigInt` value: `cannot parse integer from empty string`",
    ]);
    expect(await ids(`{ amount: "+5" }`)).to.deep.equal(["a"]);
  });

  it("refuses an Int8 that is no i64 with graph-node's message, naming the value", async function () {
    expect(await gqlErrors(engine, `{ items(where: { count: "9223372036854775808" }) { id } }`)).to.deep.equal([
      "Failed to decode `Int8` value: `9223372036854775808`",
    ]);
  });

  // graph-node coerces a Timestamp argument from a string only (graph/src/data/value.rs, coerce_scalar): a number is
  // refused there, where the embedded indexer took it.
  it("takes a Timestamp as a string of microseconds only, as graph-node", async function () {
    expect(await gqlErrors(engine, `{ items(where: { at_gt: 5 }) { id } }`)).to.have.lengthOf(1);
    expect(await gqlErrors(engine, `query($t: Timestamp) { items(where: { at_gt: $t }) { id } }`, { t: 5 })).to.have.lengthOf(1);
    expect(await ids(`{ at_gt: "5" }`)).to.deep.equal([]);
  });
});
