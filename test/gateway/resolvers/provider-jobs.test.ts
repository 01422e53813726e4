// Provider.jobs as a page sequence of its own, over a recording source: its first page reads the provider's block and
// its cursors make later pages read that block, even once the provider itself is read at a newer one.
import { expect } from "chai";
import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import type { GatewayContext } from "../../../gateway/src/context";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { createLoaders } from "../../../gateway/src/loaders/loaders";
import type { JobConnectionModel } from "../../../gateway/src/model/models";
import { providerResolvers } from "../../../gateway/src/resolvers/provider";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import type { ProviderEntity } from "../../../gateway/src/subgraph/entities";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";

const PROVIDER = "0x00000000000000000000000000000000000000aa";
const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

/** The latest block is `latest`; every answer holds the provider and its jobs 3, 2, 1 (newest first). */
class RecordingSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  latest = 42;
  readonly blocks: unknown[] = [];
  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    if (query.includes("ProviderJobs")) this.blocks.push(variables.block ?? "latest");
    const jobs = ["3", "2", "1"].map((id) => ({ id, jobId: id }));
    return { providers: [{ id: PROVIDER, jobs }], _meta: { block: { number: this.latest, hash: hashOf(this.latest) } } } as TData;
  }
  async close(): Promise<void> {}
}

async function providerJobs(source: RecordingSource, after: string | null, statuses?: string[]): Promise<JobConnectionModel> {
  const reader = new SubgraphReader(source);
  const ctx = { reader, loaders: createLoaders(reader), limits: DEFAULT_QUERY_LIMITS, head: { head: null } } as unknown as GatewayContext;
  // As provider(address) reads it: by id, at the latest block.
  const provider = (await ctx.loaders.provider.load(PROVIDER)) as ProviderEntity;
  const resolve = providerResolvers.Provider!.jobs as (p: ProviderEntity, args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => Promise<JobConnectionModel>;
  return resolve(provider, { first: 1, after, statuses }, ctx, {} as GraphQLResolveInfo);
}

describe("a provider's jobs as a page sequence", function () {
  it("reads its later pages at its first page's block, where the provider was read", async function () {
    const source = new RecordingSource();
    const first = await providerJobs(source, null);
    source.latest = 43;
    const second = await providerJobs(source, first.pageInfo.endCursor);
    expect([first.pageInfo.blockNumber, second.pageInfo.blockNumber]).to.deep.equal([42, 42]);
    expect(source.blocks).to.deep.equal([{ hash: hashOf(42) }, { number: 42 }]);
  });
});

describe("a provider's jobs by status", function () {
  it("refuses an empty statuses list with BAD_USER_INPUT on statuses, as jobs(filter: {statuses}) does, rather than answering no job", async function () {
    const source = new RecordingSource();
    let refused: unknown;
    await providerJobs(source, null, []).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(GraphQLError);
    expect((refused as GraphQLError).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "statuses", value: [] });
    expect((refused as GraphQLError).message).to.equal("statuses: must not be empty (omit it to match any)");
    expect(source.blocks, "nothing read").to.deep.equal([]);
  });
});

/** The latest block is `latest`; every answer holds the provider, its slashes and its thaw requests, newest first. */
class ListsSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  latest = 42;
  readonly asked: { query: string; where: unknown; block: unknown }[] = [];
  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    if (query.includes("ProviderSlashes") || query.includes("ProviderThawRequests")) {
      this.asked.push({ query: query.includes("ProviderSlashes") ? "slashes" : "thawRequests", where: variables.where, block: variables.block ?? "latest" });
    }
    const slashes = [{ id: "0x0b", timestamp: "900", reason: "Timeout", job: null, amount: "1", reward: "0", toTreasury: "1" }];
    const thawRequests = [{ id: "0x0c", requestIndex: "3", amount: "1", requestedAt: "1", maturesAt: "2", withdrawn: false, withdrawnAt: null }];
    return { providers: [{ id: PROVIDER, slashes, thawRequests }], _meta: { block: { number: this.latest, hash: hashOf(this.latest) } } } as TData;
  }
  async close(): Promise<void> {}
}

describe("a provider's slashes and thaw requests as page sequences", function () {
  async function list(source: ListsSource, field: "slashes" | "thawRequests", after: string | null): Promise<{ cursor: string }[]> {
    const reader = new SubgraphReader(source);
    const ctx = { reader, loaders: createLoaders(reader), limits: DEFAULT_QUERY_LIMITS, head: { head: null } } as unknown as GatewayContext;
    const provider = (await ctx.loaders.provider.load(PROVIDER)) as ProviderEntity;
    const resolve = providerResolvers.Provider![field] as (p: ProviderEntity, args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => Promise<{ cursor: string }[]>;
    return resolve(provider, { first: 1, after }, ctx, {} as GraphQLResolveInfo);
  }

  it("reads the slashes after a row's cursor (older, or as old with a lower id) at its first page's block", async function () {
    const source = new ListsSource();
    const [row] = await list(source, "slashes", null);
    source.latest = 43;
    await list(source, "slashes", row!.cursor);
    expect(source.asked).to.deep.equal([
      { query: "slashes", where: {}, block: { hash: hashOf(42) } },
      { query: "slashes", where: { or: [{ timestamp_lt: "900" }, { timestamp: "900", id_lt: "0x0b" }] }, block: { number: 42 } },
    ]);
  });

  it("reads the thaw requests after a row's cursor (lower indexes) at its first page's block", async function () {
    const source = new ListsSource();
    const [row] = await list(source, "thawRequests", null);
    source.latest = 43;
    await list(source, "thawRequests", row!.cursor);
    expect(source.asked[1]).to.deep.equal({ query: "thawRequests", where: { or: [{ requestIndex_lt: "3" }, { requestIndex: "3", id_lt: "0x0c" }] }, block: { number: 42 } });
  });
});
