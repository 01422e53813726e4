// How the reader answers when the block it reads at is gone: the client's cursor expired, or the block a first page
// read was replaced before what is nested under its rows was read.
import { expect } from "chai";
import { GraphQLError } from "graphql";
import { SourceError } from "../../../gateway/src/errors";
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

describe("subgraph reader at a block that is gone", function () {
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
    const failure: unknown = await reader.slashesOfProviders(["0x01"], 5, readAtOf(page.rows[0]!)).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(SourceError);
    expect((failure as SourceError).detail).to.contain("block 7");
  });
});
