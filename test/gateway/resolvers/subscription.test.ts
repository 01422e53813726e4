// The subscriptions' argument checks, over a fake index: a subscription that could never send anything is refused
// as it starts, with the code and argument a query's refusal of the same input carries, rather than left silent.
import { expect } from "chai";
import type { GraphQLError, GraphQLResolveInfo } from "graphql";
import type { GatewayContext } from "../../../gateway/src/context";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { subscriptionResolvers } from "../../../gateway/src/resolvers/subscription";
import { RequestBlock } from "../../../gateway/src/services/request-block";
import type { JobEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";
import { FakeHub } from "../helpers/fake-hub";

const PROVIDER = "0x00000000000000000000000000000000000000aa";
const HEAD = 10;

const registered = { id: PROVIDER, registered: true, registeredAt: "1000", deregisteredAt: null } as ProviderEntity;

interface Index {
  providers?: ProviderEntity[];
  gpuModels?: string[];
  regions?: string[];
  jobs?: JobEntity[];
}

/** A context over `index`; over none (null), every read of the index fails the test. */
function context(index: Index | null): GatewayContext {
  const indexed = { number: HEAD, hash: null, parentHash: null, timestamp: 1_500, hasIndexingErrors: false };
  const head = { head: indexed, ensureHead: async () => indexed, headReplacing: async () => indexed };
  const byId = new Map((index?.providers ?? []).map((p) => [p.id, p]));
  const read = <T>(answer: () => T) => async () => (index === null ? expect.fail("the index was read") : answer());
  return {
    limits: DEFAULT_QUERY_LIMITS,
    head,
    block: new RequestBlock(head),
    loaders: { at: () => ({ provider: { load: async (id: string) => (index === null ? expect.fail("the index was read") : (byId.get(id) ?? null)) } }) },
    reader: {
      gpuModelIds: read(() => index?.gpuModels ?? []),
      regionIds: read(() => index?.regions ?? []),
      jobsByIds: async (ids: readonly string[]) => (index === null ? expect.fail("the index was read") : (index.jobs ?? []).filter((j) => ids.includes(j.id))),
    },
  } as unknown as GatewayContext;
}

type Subscribe = (root: unknown, args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => Promise<unknown>;

/** The feed's start with `args` over `index`: "subscribed", or the error it was refused with. */
async function start(field: "jobOpened" | "jobUpdated" | "clientJobsUpdated", args: Record<string, unknown>, index: Index | null = {}): Promise<"subscribed" | GraphQLError> {
  const feed = async () => (async function* () {})();
  const hub = new FakeHub({ jobOpened: feed, jobUpdated: feed, clientJobsUpdated: feed });
  const resolver = subscriptionResolvers(hub).Subscription?.[field] as { subscribe: Subscribe };
  return resolver.subscribe({}, args, context(index), {} as GraphQLResolveInfo).then(
    () => "subscribed" as const,
    (error: unknown) => error as GraphQLError,
  );
}

function refusal(outcome: "subscribed" | GraphQLError): { message: string; extensions: Record<string, unknown> } {
  if (outcome === "subscribed") expect.fail("the subscription started");
  return { message: outcome.message, extensions: { ...outcome.extensions } };
}

describe("jobOpened's requirements that no job could ever match", function () {
  it("refuses a provider the index does not know with BAD_USER_INPUT naming it and the block, as openJobs does", async function () {
    const { message, extensions } = refusal(await start("jobOpened", { requirements: { provider: PROVIDER } }));
    expect(extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "requirements.provider", value: PROVIDER, provider: PROVIDER, indexedBlock: HEAD });
    expect(message).to.equal(`requirements.provider: ${PROVIDER} is not a registered provider (at block ${HEAD})`);
  });

  it("refuses an address that only staked and never registered", async function () {
    const staker = { ...registered, registered: false, registeredAt: null };
    expect(refusal(await start("jobOpened", { requirements: { provider: PROVIDER } }, { providers: [staker] })).extensions).to.include({
      code: "BAD_USER_INPUT",
      argument: "requirements.provider",
    });
  });

  it("subscribes a registered provider, and one that deregistered (quiet while not active, as openJobs is empty)", async function () {
    expect(await start("jobOpened", { requirements: { provider: PROVIDER } }, { providers: [registered] })).to.equal("subscribed");
    const gone = { ...registered, registered: false, deregisteredAt: "1200" };
    expect(await start("jobOpened", { requirements: { provider: PROVIDER } }, { providers: [gone] })).to.equal("subscribed");
  });

  it("refuses a GPU model the network has never seen, naming it and the known ones, as jobs does", async function () {
    const requirements = { gpuModels: ["h100-sxm-80gb", "h1oo"] };
    const { extensions } = refusal(await start("jobOpened", { requirements }, { gpuModels: ["h100-sxm-80gb"] }));
    expect(extensions).to.deep.equal({
      code: "BAD_USER_INPUT",
      argument: "requirements.gpuModels[1]",
      value: "h1oo",
      unknownModels: ["h1oo"],
      knownModels: ["h100-sxm-80gb"],
    });
    expect(await start("jobOpened", { requirements: { gpuModels: ["H100-SXM-80GB"] } }, { gpuModels: ["h100-sxm-80gb"] })).to.equal("subscribed");
  });

  it("refuses a region the network has never seen", async function () {
    const { extensions } = refusal(await start("jobOpened", { requirements: { regions: ["eu-wset"] } }, { regions: ["eu-west"] }));
    expect(extensions).to.include({ code: "BAD_USER_INPUT", argument: "requirements.regions[0]", value: "eu-wset" });
  });

  it("refuses a minimum price above what a job can pay (uint96), with the value and the maximum", async function () {
    const value = 2n ** 96n;
    const { extensions } = refusal(await start("jobOpened", { requirements: { minPricePerGpuHour: value } }));
    expect(extensions).to.deep.equal({
      code: "BAD_USER_INPUT",
      argument: "requirements.minPricePerGpuHour",
      value: value.toString(),
      maximum: (value - 1n).toString(),
    });
    expect(await start("jobOpened", { requirements: { minPricePerGpuHour: value - 1n } })).to.equal("subscribed");
  });

  it("reads nothing for requirements without provider, models or regions", async function () {
    expect(await start("jobOpened", { requirements: { maxGpuCount: 2, minPricePerGpuHour: 5n } }, null)).to.equal("subscribed");
  });
});

describe("the block arguments of jobOpened and jobUpdated", function () {
  it("refuses a negative sinceBlock or atBlock with the value and the least block taken", async function () {
    const sinceBlock = refusal(await start("jobOpened", { sinceBlock: -1 }, null));
    expect(sinceBlock.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "sinceBlock", value: -1, minimum: 0 });
    expect(sinceBlock.message).to.equal("sinceBlock: must be a block number, 0 or more (got -1)");
    const atBlock = refusal(await start("jobUpdated", { id: "1", atBlock: -5 }, null));
    expect(atBlock.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "atBlock", value: -5, minimum: 0 });
  });
});

describe("clientJobsUpdated's client", function () {
  it("refuses the zero address, which posts no job, naming it, and subscribes any other", async function () {
    const zero = "0x0000000000000000000000000000000000000000";
    const { message, extensions } = refusal(await start("clientJobsUpdated", { client: zero }, null));
    expect(extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "client", value: zero });
    expect(message).to.equal(`client: ${zero} is the zero address, which posts no job: pass the client's own address`);
    expect(await start("clientJobsUpdated", { client: PROVIDER }, null)).to.equal("subscribed");
  });
});
