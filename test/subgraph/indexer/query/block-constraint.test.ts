// The `block` argument's errors as graph-node answers them: it checks every top-level field's block before it runs
// any (graphql/src/store/resolver.rs, locate_blocks; DeploymentState::block_queryable) and answers the first error
// alone, with no `data` key in the response (graph/src/data/query/result.rs serialises `data` only when it has some).
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { Indexer } from "../../../../subgraph/indexer";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { startQueryServer } from "../../../../subgraph/indexer/server/http";
import { gql } from "../helpers/dump";
import { registerProvider } from "../helpers/probe";
import { useProbeFixture } from "../helpers/use-probe-fixture";
import { SchemaDatabase } from "../helpers/schema-db";

describe("query block argument errors, as graph-node answers them", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;
  let deployment: string;
  // SchemaDatabase.advance's block hashes.
  const blockHash = (n: number): string => keccak256(toUtf8Bytes(`:${n}`));

  before(function () {
    sdb = SchemaDatabase.create(`type Item @entity { id: ID!, name: String! }`);
    sdb.insert("Item", 2, { id: "a", name: "alpha" });
    for (const n of [1, 2, 3, 4]) sdb.advance(n);
    sdb.db.setEarliestBlock(2);
    engine = QueryEngine.forDatabase(sdb.db);
    deployment = sdb.db.deployment()!;
  });

  after(function () {
    sdb?.close();
  });

  /** The answer as graph-node's HTTP response carries it (JSON: no undefined keys). */
  const answer = async (query: string): Promise<unknown> => JSON.parse(JSON.stringify(await engine.executeQuery(query)));
  const error = (message: string): unknown => ({ errors: [{ message }] });

  it("refuses a block before the earliest block, by number or by hash, with graph-node's error", async function () {
    const before = (n: number): unknown =>
      error(
        `Failed to decode \`block.number\` value: \`subgraph ${deployment} only has data starting at block number 2 and data for block number ${n} is therefore not available\``,
      );
    expect(await answer(`{ items(block: { number: 1 }) { id } }`)).to.deep.equal(before(1));
    expect(await answer(`{ item(id: "a", block: { hash: "${blockHash(1)}" }) { id } }`)).to.deep.equal(before(1));
    expect(await answer(`{ _meta(block: { number: 0 }) { deployment } }`)).to.deep.equal(before(0));
    expect(await answer(`{ items(block: { number: 2 }) { id } }`)).to.deep.equal({ data: { items: [{ id: "a" }] } });
  });

  it("answers a block error alone and without data, whatever else the query asks", async function () {
    const unknown = "0x" + "ab".repeat(32);
    expect(await answer(`{ a: items { id } b: item(id: "a", block: { hash: "${unknown}" }) { id } }`)).to.deep.equal(
      error("Failed to decode `block.hash` value: `no block with that hash found`"),
    );
    const notYet = `subgraph ${deployment} has only indexed up to block number 4 and data for block number 9 is therefore not yet available`;
    expect(await answer(`{ item(id: "a", block: { number: 9 }) { id } _meta { deployment } }`)).to.deep.equal(
      error(`Failed to decode \`block.number\` value: \`${notYet}\``),
    );
    expect(await answer(`{ items(block: { number_gte: 9 }) { id } nope: items(first: 0) { id } }`)).to.deep.equal(
      error(`Failed to decode \`block.number_gte\` value: \`${notYet}\``),
    );
  });

  // graph-node reads the first of hash, number and number_gte that the object names, and refuses a null one or none
  // (graphql/src/query/ext.rs, BlockConstraint::try_from_value), showing the value as Rust debugs it; an absent
  // variable is null there. A dApp passing `block: { number: $block }` with no block would get the head here only.
  it("refuses a block object naming no block, or a null one, with graph-node's error", async function () {
    const invalid = (value: string): unknown => error(`Invalid value provided for argument \`block\`: ${value}`);
    expect(await answer(`{ items(block: {}) { id } }`)).to.deep.equal(invalid("Object({})"));
    expect(await answer(`{ items(block: { number: null }) { id } }`)).to.deep.equal(invalid('Object({"number": Null})'));
    expect(await answer(`{ _meta(block: { hash: null, number: 3 }) { deployment } }`)).to.deep.equal(
      invalid('Object({"hash": Null, "number": Int(Number(3))})'),
    );
    const withVariable = async (variables: Record<string, unknown>): Promise<unknown> =>
      JSON.parse(JSON.stringify(await engine.executeQuery(`query($n: Int) { items(block: { number: $n }) { id } }`, variables)));
    expect(await withVariable({})).to.deep.equal(invalid('Object({"number": Null})'));
    expect(await withVariable({ n: null })).to.deep.equal(invalid('Object({"number": Null})'));
    expect(await withVariable({ n: 2 })).to.deep.equal({ data: { items: [{ id: "a" }] } });
    // A null Block_height is no constraint: the head.
    const whole = await engine.executeQuery(`query($b: Block_height) { items(block: $b) { id } }`, { b: null });
    expect(JSON.parse(JSON.stringify(whole))).to.deep.equal({ data: { items: [{ id: "a" }] } });
  });

  it("answers a block error over HTTP with no data key", async function () {
    const server = await startQueryServer({ executor: engine, name: "blocks" });
    try {
      const response = await fetch(server.queryUrl, { method: "POST", body: JSON.stringify({ query: `{ items(block: { number: 9 }) { id } }` }) });
      expect(response.status).to.equal(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body)).to.deep.equal(["errors"]);
    } finally {
      await server.close();
    }
  });
});

describe("query earliest block of an indexed subgraph", function () {
  const fx = useProbeFixture();

  before(async function () {
    for (let i = 0; i < 3; i++) await registerProvider(fx.probe, fx.chain.accounts[1 + i]!, `p${i}`, 1n, 1);
  });

  it("takes the block before the earliest start block as the earliest block, as graph-node", async function () {
    const build = path.join(fx.tmpDir, "start-3");
    cpSync(fx.buildDir, build, { recursive: true });
    const manifest = path.join(build, "subgraph.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("startBlock: 0", "startBlock: 3"));
    const indexer = await Indexer.open({ subgraph: build, rpc: fx.chain.url, db: fx.dbPath("start-3.sqlite") });
    try {
      await indexer.syncOnce();
      const engine = QueryEngine.forDatabase(indexer.db);
      const errors = (await engine.executeQuery(`{ providers(block: { number: 1 }) { id } }`)).errors?.map((e) => e.message);
      expect(errors).to.deep.equal([
        `Failed to decode \`block.number\` value: \`subgraph ${indexer.deployment} only has data starting at block number 2 and data for block number 1 is therefore not available\``,
      ]);
      expect((await gql<{ providers: unknown[] }>(engine, `{ providers(block: { number: 2 }) { id } }`)).providers).to.deep.equal([]);
    } finally {
      await indexer.close();
    }
  });
});
