// SubgraphReader.blockClock's query against the embedded indexer's graph-node dialect (the suite's indexer process),
// which the fake sources of Provider.history's tests only imitate.
import { expect } from "chai";
import { HttpSubgraphSource } from "../../../gateway/src/sources/http-source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";
import { PROTOCOL_ID } from "../../../gateway/src/subgraph/selections";
import { environment } from "../helpers/environment";

describe("SubgraphReader.blockClock over the graph-node dialect", function () {
  let source: HttpSubgraphSource;
  let reader: SubgraphReader;
  let head: { number: number; hash: string; timestamp: number };

  before(async function () {
    const env = await environment();
    await env.waitForIndexed();
    source = new HttpSubgraphSource({ url: env.subgraphUrl });
    reader = new SubgraphReader(source);
    head = (await source.request<{ _meta: { block: typeof head } }>("{ _meta { block { number hash timestamp } } }", {}))._meta.block;
  });

  it("tells the time of a block asked for by hash", async function () {
    const clock = await reader.blockClock({ block: { number: head.number, hash: head.hash }, byHash: true });
    expect(clock.timestamp).to.equal(head.timestamp);
  });

  it("tells no time for a block asked for by number, as graph-node, and the newest day a day entity was written for", async function () {
    const clock = await reader.blockClock({ block: { number: head.number, hash: null }, byHash: false });
    expect(clock.timestamp).to.equal(null);
    const days = await reader.networkDays(0);
    expect(clock.newestDay).to.be.at.least(days[days.length - 1]!.day);
    expect(clock.newestDay).to.be.at.most(Math.floor(head.timestamp / 86_400));
  });

  it("tells the time of the last change the index recorded up to the block, Protocol.updatedAt, for a block asked for by number", async function () {
    const clock = await reader.blockClock({ block: { number: head.number, hash: null }, byHash: false });
    const { protocol } = await source.request<{ protocol: { updatedAt: string } }>(
      `query ($id: ID!, $block: Block_height) { protocol(id: $id, block: $block) { updatedAt } }`,
      { id: PROTOCOL_ID, block: { number: head.number } },
    );
    expect(clock.newestTime).to.equal(Number(protocol.updatedAt));
    expect(clock.newestTime).to.be.above(0).and.at.most(head.timestamp);
  });
});
