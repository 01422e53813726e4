// How the reader answers when the block it reads at is gone: the client's cursor expired, or the block a first page
// read was replaced before what is nested under its rows was read; and a cursor whose number is not its hash's block's.
import { expect } from "chai";
import { GraphQLError } from "graphql";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SourceError } from "../../../gateway/src/errors";
import { HttpSubgraphSource } from "../../../gateway/src/sources/http-source";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader, readAtOf } from "../../../gateway/src/subgraph/reader";

const BLOCK_HASH = `0x${"cd".repeat(32)}`;

/** Answers the latest block (7) with one provider; refuses any read at a block, as graph-node refuses a replaced one. */
class ReorgedSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    if (variables.block !== undefined) {
      throw new SourceError("subgraph query failed", "the subgraph endpoint answered with an error: no block with that hash found");
    }
    return { providers: [{ id: "0x01", slashes: [] }], _meta: { block: { number: 7, hash: BLOCK_HASH } } } as TData;
  }
  async close(): Promise<void> {}
}

/** Indexed up to block 7 (its _meta says so); refuses reads above it as graph-node does. */
class WentBackSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    const block = variables.block as { number?: number } | undefined;
    if (block !== undefined) {
      const detail = `the subgraph endpoint answered with an error: has only indexed up to block number 7 and data for block number ${block.number} is therefore not yet available`;
      throw new SourceError("subgraph query failed", detail);
    }
    return { _meta: { block: { number: 7, hash: BLOCK_HASH } } } as TData;
  }
  async close(): Promise<void> {}
}

/**
 * A graph-node that prunes history (`history_blocks`): its data starts at block 500, and a read below it is refused in
 * graph-node's words (DeploymentState::block_queryable), over HTTP as graph-node answers.
 */
async function prunedGraphNode(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const { variables } = JSON.parse(body) as { variables: { block?: { number: number } } };
      const answer =
        variables.block === undefined
          ? { data: { providers: [], _meta: { block: { number: 900, hash: BLOCK_HASH } } } }
          : {
              errors: [
                {
                  message:
                    "Failed to decode `block.number` value: `subgraph QmYw4gDJ6ZCxCg only has data starting at block number 500 and data for " +
                    `block number ${variables.block.number} is therefore not available\``,
                },
              ],
            };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/latent`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("subgraph reader at a block that is gone", function () {
  it("answers CURSOR_EXPIRED for a cursor whose block graph-node pruned (its own wording, over HTTP)", async function () {
    const node = await prunedGraphNode();
    try {
      const reader = new SubgraphReader(new HttpSubgraphSource({ url: node.url }));
      const at = { block: { number: 100, hash: null }, byHash: false, fromCursor: true };
      const failure: unknown = await reader.providerPage({ where: {}, orderBy: "id", orderDirection: "asc", first: 1, at }).catch((e: unknown) => e);
      expect(failure).to.be.instanceOf(GraphQLError);
      expect((failure as GraphQLError).extensions).to.deep.include({ code: "CURSOR_EXPIRED", argument: "after", blockNumber: 100 });
      expect((failure as GraphQLError).message).to.contain("its history was pruned");
    } finally {
      await node.close();
    }
  });

  it("answers CURSOR_EXPIRED for a cursor above the head, naming its block, the head, and both ways it got there", async function () {
    const reader = new SubgraphReader(new WentBackSource());
    const at = { block: { number: 1_000_000, hash: BLOCK_HASH }, byHash: false, fromCursor: true };
    const failure: unknown = await reader.providerPage({ where: {}, orderBy: "id", orderDirection: "asc", first: 1, at }).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(GraphQLError);
    expect((failure as GraphQLError).extensions).to.deep.include({ code: "CURSOR_EXPIRED", argument: "after", blockNumber: 1_000_000 });
    expect((failure as GraphQLError).message).to.match(/^after: .*block 1000000, above the index's head, block 7: .*index went back.*did not issue it/);
  });

  it("answers CURSOR_EXPIRED where the block came from the client's cursor", async function () {
    const reader = new SubgraphReader(new ReorgedSource());
    const at = { block: { number: 5, hash: BLOCK_HASH }, byHash: true, fromCursor: true };
    const failure: unknown = await reader.providerPage({ where: {}, orderBy: "id", orderDirection: "asc", first: 1, at }).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(GraphQLError);
    expect((failure as GraphQLError).extensions).to.deep.include({ code: "CURSOR_EXPIRED", blockNumber: 5 });
  });

  it("fails as the source (SOURCE_UNAVAILABLE), not CURSOR_EXPIRED, where a first page's block is replaced before its nested reads", async function () {
    const reader = new SubgraphReader(new ReorgedSource());
    const page = await reader.providerPage({ where: {}, orderBy: "id", orderDirection: "asc", first: 1 });
    const failure: unknown = await reader.slashesOfProviders(["0x01"], { first: 5 }, readAtOf(page.rows[0]!)).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(SourceError);
    expect((failure as SourceError).detail).to.contain("block 7");
  });
});

/**
 * Knows one block, 192, by BLOCK_HASH: answers a read at it, and `_meta` at it with its number and time (`timestamp`,
 * null as graph-node answers where its block cache lacks the block), as graph-node does.
 */
class OneBlockSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  readonly asked: string[] = [];
  constructor(private readonly timestamp: number | null = BLOCK_TIME) {}
  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    this.asked.push(query);
    expect(variables.block).to.deep.equal({ hash: BLOCK_HASH });
    const meta = /(\w+): _meta\(block: \$block\) \{ block \{ ([\w ]+) \} \}/.exec(query);
    const block = { number: 192, ...(meta?.[2]?.split(" ").includes("timestamp") ? { timestamp: this.timestamp } : {}) };
    return { providers: [{ id: "0x01" }], ...(meta?.[1] === undefined ? {} : { [meta[1]]: { block } }) } as TData;
  }
  async close(): Promise<void> {}
}

/** Block 192's time. */
const BLOCK_TIME = 1_700_000_192;

describe("subgraph reader at a cursor's block", function () {
  const pageAt = (number: number, fromCursor: boolean) =>
    new SubgraphReader(new OneBlockSource()).providerPage({
      where: {},
      orderBy: "id",
      orderDirection: "asc",
      first: 1,
      at: { block: { number, hash: BLOCK_HASH }, byHash: true, fromCursor },
    });

  for (const forged of [99_999, 150]) {
    it(`refuses with BAD_USER_INPUT a cursor whose number (${forged}) is not that of the block its hash names (192)`, async function () {
      const failure: unknown = await pageAt(forged, true).catch((e: unknown) => e);
      expect(failure).to.be.instanceOf(GraphQLError);
      expect((failure as GraphQLError).extensions).to.deep.equal({
        code: "BAD_USER_INPUT",
        argument: "after",
        value: forged,
        blockNumber: forged,
        blockHash: BLOCK_HASH,
        hashBlockNumber: 192,
      });
      expect((failure as GraphQLError).message).to.equal(
        `after: the cursor names block ${forged} but carries the hash of block 192: this gateway did not issue it; start again without \`after\``,
      );
    });
  }

  it("reads a cursor whose number is its hash's block's, answering the rows alone", async function () {
    const page = await pageAt(192, true);
    expect(page).to.deep.equal({ rows: [{ id: "0x01" }], block: { number: 192, hash: BLOCK_HASH } });
  });

  const timedPageAt = (timestamp: number, source = new OneBlockSource()) =>
    new SubgraphReader(source).providerPage({
      where: {},
      orderBy: "id",
      orderDirection: "asc",
      first: 1,
      at: { block: { number: 192, hash: BLOCK_HASH, timestamp }, byHash: true, fromCursor: true },
    });

  it("refuses with BAD_USER_INPUT a cursor whose block time is not that of the block its hash names (openJobs would judge deadlines at it)", async function () {
    const failure: unknown = await timedPageAt(BLOCK_TIME + 3_600).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(GraphQLError);
    expect((failure as GraphQLError).extensions).to.deep.equal({
      code: "BAD_USER_INPUT",
      argument: "after",
      value: BLOCK_TIME + 3_600,
      blockNumber: 192,
      blockTime: BLOCK_TIME + 3_600,
      hashBlockTime: BLOCK_TIME,
    });
    expect((failure as GraphQLError).message).to.equal(
      `after: the cursor gives block 192 the time ${BLOCK_TIME + 3_600} but the block its hash names has ${BLOCK_TIME}: this gateway did not issue it; start again without \`after\``,
    );
  });

  it("reads a cursor whose block time is its hash's block's", async function () {
    const page = await timedPageAt(BLOCK_TIME);
    expect(page).to.deep.equal({ rows: [{ id: "0x01" }], block: { number: 192, hash: BLOCK_HASH, timestamp: BLOCK_TIME } });
  });

  it("reads a cursor with a block time where the source tells none for its block (nothing to compare)", async function () {
    const page = await timedPageAt(BLOCK_TIME + 3_600, new OneBlockSource(null));
    expect(page.block).to.deep.equal({ number: 192, hash: BLOCK_HASH, timestamp: BLOCK_TIME + 3_600 });
  });

  it("asks no block number beside a read by hash that no cursor named (a head the gateway read itself)", async function () {
    const source = new OneBlockSource();
    const at = { block: { number: 192, hash: BLOCK_HASH }, byHash: true, fromCursor: false };
    await new SubgraphReader(source).providerPage({ where: {}, orderBy: "id", orderDirection: "asc", first: 1, at });
    expect(source.asked).to.have.length(1);
    expect(source.asked[0]).not.to.contain("_meta");
  });
});
