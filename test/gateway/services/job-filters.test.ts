import { expect } from "chai";
import { GraphQLError } from "graphql";
import type { JobFilter } from "../../../gateway/src/generated/graphql";
import { jobFilterWhere, maxCoverableEscrow, providerMayAccept } from "../../../gateway/src/services/job-filters";
import type { JobEntity, ProtocolEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";

describe("which escrow a provider's free stake covers", function () {
  const collateral = (escrowed: bigint, ratio: number) => (escrowed * BigInt(ratio) + 9_999n) / 10_000n;

  it("is the largest escrow whose collateral (rounded up, as acceptJob locks it) fits the free stake", function () {
    for (const [free, ratio] of [
      [0n, 5000],
      [1n, 5000],
      [999n, 3333],
      [10n ** 21n, 1000],
      [123456789n, 30000],
    ] as [bigint, number][]) {
      const max = maxCoverableEscrow(free, ratio);
      expect(collateral(max, ratio) <= free, `${free} at ${ratio}`).to.equal(true);
      expect(collateral(max + 1n, ratio) > free, `${free} at ${ratio}: +1`).to.equal(true);
    }
  });
});

describe("which jobs the feed offers a provider", function () {
  const provider = {
    id: "0x00000000000000000000000000000000000000aa", gpuModelKey: "h100-sxm-80gb", regionKey: "eu-west", vramGiB: 80, gpusFree: 8,
    tier: "Enterprise", jobsCompleted: 0, maxSlashRewardBps: 2_500, pricePerGpuHour: "1", freeStake: "1000",
  } as ProviderEntity;
  const protocol = { collateralRatioBps: 1000 } as ProtocolEntity;
  const job = (minSlashRewardBps: number) =>
    ({
      status: "Open", acceptDeadline: "999999", gpuModelKey: "*", regionKey: "*", minVramGiB: 0, gpuCount: 1, tier: "Any", minCompletedJobs: "0",
      minSlashRewardBps, maxPricePerGpuHour: "5", targetProvider: "0x0000000000000000000000000000000000000000", escrowed: "10",
    }) as JobEntity;

  it("offers a job requiring at most the provider's slash reward cap, not one requiring more", function () {
    expect([0, 2_500, 2_501].map((bps) => providerMayAccept(job(bps), provider, protocol, 1_000))).to.deep.equal([true, true, false]);
  });
});

describe("jobs(filter) ranges", function () {
  function refusal(filter: JobFilter): unknown {
    try {
      jobFilterWhere(filter);
    } catch (error) {
      return error;
    }
    return null;
  }

  it("refuses an empty statuses list with BAD_USER_INPUT on filter.statuses, the empty list in extensions.value", function () {
    expect((refusal({ statuses: [] }) as GraphQLError).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.statuses", value: [] });
  });

  it("refuses a maxGpuCount below minGpuCount with BAD_USER_INPUT on filter.maxGpuCount, naming both, with the range it may take", function () {
    const error = refusal({ minGpuCount: 5, maxGpuCount: 1 });
    expect(error).to.be.instanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.maxGpuCount", value: 1, minimum: 5, maximum: 65_535 });
    expect((error as GraphQLError).message).to.equal("filter.maxGpuCount: 1 is below filter.minGpuCount (5): no job can match");
    expect(jobFilterWhere({ minGpuCount: 2, maxGpuCount: 2 })).to.deep.equal({ gpuCount_gte: 2, gpuCount_lte: 2 });
  });

  it("refuses a createdBefore that leaves no second after createdAfter (both exclusive) with BAD_USER_INPUT on filter.createdBefore and the least it may be", function () {
    const error = refusal({ createdAfter: 1_700_000_000, createdBefore: 1_700_000_000 });
    expect((error as GraphQLError).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.createdBefore", value: 1_700_000_000, minimum: 1_700_000_002 });
    expect((error as GraphQLError).message).to.match(/^filter\.createdBefore: 1700000000 leaves no second after filter\.createdAfter \(1700000000\)/);
    expect(refusal({ createdAfter: 10, createdBefore: 11 })).to.be.instanceOf(GraphQLError);
    expect(jobFilterWhere({ createdAfter: 10, createdBefore: 12 })).to.deep.equal({ createdAt_gt: "10", createdAt_lt: "12" });
  });
});
