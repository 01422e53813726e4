// openJobs over a fake source, for protocol states the scenario chain does not stay in (a guardian pause).
import { expect } from "chai";
import type { GraphQLError, GraphQLResolveInfo } from "graphql";
import type { GatewayContext } from "../../../gateway/src/context";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import type { JobConnectionModel } from "../../../gateway/src/model/models";
import { queryResolvers } from "../../../gateway/src/resolvers/query";
import { RequestBlock } from "../../../gateway/src/services/request-block";
import type { JobEntity, ProtocolEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";
import type { ListArgs } from "../../../gateway/src/subgraph/reader";
import { list } from "../helpers/fake-source";

const PROVIDER = "0x00000000000000000000000000000000000000aa";
const NOW = 1_500;

const provider = {
  id: PROVIDER, registered: true, registeredAt: "1000", online: true, stakePerGpu: "100", gpuModelKey: "h100-sxm-80gb", regionKey: "eu-west", vramGiB: 80,
  gpusFree: 8, tier: "Enterprise", jobsCompleted: 0, maxSlashRewardBps: 10_000, pricePerGpuHour: "1", freeStake: "1000",
} as ProviderEntity;

const job = {
  id: "1", jobId: "1", status: "Open", acceptDeadline: "999999", gpuModelKey: "*", regionKey: "*", minVramGiB: 0, gpuCount: 1, tier: "Any",
  minCompletedJobs: "0", minSlashRewardBps: 0, maxPricePerGpuHour: "5", targetProvider: "0x0000000000000000000000000000000000000000", escrowed: "10",
} as JobEntity;

async function openJobs(pausedUntil: number, jobs: JobEntity[] = [job], listing: ProviderEntity | null = provider): Promise<string[]> {
  const protocol = { minStakePerGpu: "100", collateralRatioBps: 1000, pausedUntil: String(pausedUntil) } as ProtocolEntity;
  const indexed = { number: 10, hash: null, parentHash: null, timestamp: NOW, hasIndexingErrors: false };
  const head = { head: null, ensureHead: async () => indexed, headReplacing: async () => indexed };
  const ctx = {
    limits: DEFAULT_QUERY_LIMITS,
    loaders: { at: () => ({ provider: { load: async () => listing } }) },
    reader: { protocolOfPage: async () => ({ protocol, at: undefined }), jobPage: async (args: ListArgs) => ({ rows: list(jobs, args), block: { number: 10, hash: null } }) },
    head,
    block: new RequestBlock(head),
  } as unknown as GatewayContext;
  const resolve = queryResolvers.Query!.openJobs as (root: unknown, args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => Promise<JobConnectionModel>;
  const connection = await resolve({}, { provider: PROVIDER, first: 20 }, ctx, {} as GraphQLResolveInfo);
  return connection.edges.map((e) => e.node.id);
}

describe("openJobs while the guardian has paused the protocol", function () {
  it("is empty until the pause ends (JobEscrow.acceptJob reverts while paused), then lists the jobs again", async function () {
    expect(await openJobs(NOW + 1)).to.deep.equal([]);
    expect(await openJobs(NOW)).to.deep.equal(["1"]);
  });
});

describe("openJobs and a job's minimum slash reward cap", function () {
  it("leaves out the jobs requiring a higher cap than the provider's (JobEscrowSlashRewardCapTooLow), keeps those at or below it", async function () {
    const requiring = (id: string, minSlashRewardBps: number) => ({ ...job, id, jobId: id, minSlashRewardBps });
    const jobs = [requiring("1", 0), requiring("2", 2_500), requiring("3", 2_501)];
    expect(await openJobs(0, jobs, { ...provider, maxSlashRewardBps: 2_500 })).to.deep.equal(["1", "2"]);
  });
});

describe("openJobs for an address that is not a registered provider", function () {
  const refusal = async (listing: ProviderEntity | null) => {
    const error = await openJobs(0, [job], listing).then(
      () => expect.fail("openJobs answered"),
      (e: unknown) => e as GraphQLError,
    );
    const { code, argument, value, provider, indexedBlock } = error.extensions;
    return { code, argument, value, provider, indexedBlock, message: error.message };
  };

  it("refuses an address the index does not know with BAD_USER_INPUT naming it and the block it read, rather than an empty list", async function () {
    const refused = await refusal(null);
    expect(refused).to.include({ code: "BAD_USER_INPUT", argument: "provider", value: PROVIDER, provider: PROVIDER, indexedBlock: 10 });
    expect(refused.message).to.equal(`provider: ${PROVIDER} is not a registered provider (at block 10)`);
  });

  it("refuses an address that only staked and never registered", async function () {
    expect(await refusal({ ...provider, registered: false, registeredAt: null })).to.include({ code: "BAD_USER_INPUT", argument: "provider" });
  });

  it("is empty, not refused, for a provider that deregistered", async function () {
    expect(await openJobs(0, [job], { ...provider, registered: false, deregisteredAt: "1200" })).to.deep.equal([]);
  });
});
