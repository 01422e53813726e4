// availableCompute's requirements against what JobEscrow.createJob takes, over a fake reader: one provider that every
// valid requirement set is quoted at.
import { expect } from "chai";
import { GraphQLError } from "graphql";
import type { ComputeRequirements } from "../../../gateway/src/generated/graphql";
import type { OfferConnectionModel } from "../../../gateway/src/model/models";
import { JOB_LIMITS } from "../../../gateway/src/model/job-limits";
import { availableCompute, parseRequirements } from "../../../gateway/src/services/available-compute";
import type { ProtocolEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";
import type { ReadAt, SubgraphReader } from "../../../gateway/src/subgraph/reader";
import { FakeReader } from "../helpers/fake-reader";

const AT: ReadAt = { block: { number: 5, hash: null, timestamp: 1_000 }, byHash: false };
const PROTOCOL = { minStakePerGpu: "1", pausedUntil: "0", protocolFeeBps: 100, collateralRatioBps: 10_000 } as ProtocolEntity;
// Free stake for the collateral of the longest job quoted here (720 hours of one GPU at 3600 wei, a 100% ratio).
const PROVIDER = { id: "0x01", pricePerGpuHour: "3600", reputationScore: 0, freeStake: "2592000" } as ProviderEntity;

function readerOf(protocol: ProtocolEntity | null): SubgraphReader {
  return new FakeReader({
    protocolOfPage: async () => ({ protocol, at: AT }),
    providerPage: async () => ({ rows: [PROVIDER], block: AT.block }),
    providers: async () => [PROVIDER],
  });
}

const offers = (requirements: ComputeRequirements, protocol: ProtocolEntity | null = PROTOCOL): Promise<OfferConnectionModel> =>
  availableCompute(readerOf(protocol), null, { requirements, first: 10 });

async function refusal(requirements: ComputeRequirements, protocol: ProtocolEntity | null = PROTOCOL): Promise<GraphQLError> {
  try {
    await offers(requirements, protocol);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error(`requirements ${JSON.stringify(requirements)} were quoted`);
}

describe("availableCompute requirements", function () {
  it("refuses a job shorter than JobEscrow.MIN_DURATION (60 s) with BAD_USER_INPUT naming hours, the value and the range", async function () {
    const error = await refusal({ gpuCount: 1, hours: 0.01 });
    expect(error.extensions.code).to.equal("BAD_USER_INPUT");
    expect(error.extensions).to.include({ argument: "requirements.hours", value: 0.01, minSeconds: 60, maxSeconds: 2_592_000 });
    expect(error.message).to.contain("requirements.hours").and.contain("0.01").and.contain("60 s").and.contain("2592000 s");
  });

  it("refuses a job longer than JobEscrow.MAX_DURATION (30 days) with the range in its extensions", async function () {
    const error = await refusal({ gpuCount: 1, hours: 720.5 });
    expect(error.extensions).to.include({ code: "BAD_USER_INPUT", argument: "requirements.hours", value: 720.5, minSeconds: 60, maxSeconds: 2_592_000 });
  });

  it("states the range of hours in hours too (extensions.minimum and maximum), the unit of extensions.value, as every other range refusal does", async function () {
    const error = await refusal({ gpuCount: 1, hours: 720.5 });
    expect(error.extensions).to.include({ value: 720.5, minimum: 60 / 3600, maximum: 720 });
  });

  it("quotes the shortest and the longest job createJob takes", async function () {
    const shortest = await offers({ gpuCount: 1, hours: JOB_LIMITS.minDurationSeconds / 3600 });
    const longest = await offers({ gpuCount: 1, hours: JOB_LIMITS.maxDurationSeconds / 3600 });
    expect([shortest, longest].map((page) => page.edges[0]?.node.quote.durationSeconds)).to.deep.equal([60, 2_592_000]);
  });

  it("refuses a bad requirement before anything is indexed too, rather than answering no offers", async function () {
    const error = await refusal({ gpuCount: 1, hours: 0.01 }, null);
    expect(error.extensions).to.include({ code: "BAD_USER_INPUT", argument: "requirements.hours" });
  });

  it("refuses a negative GPU count, memory, reputation or completed-job count, naming the field", async function () {
    const fields = ["gpuCount", "minVramGiB", "minReputation", "minCompletedJobs"] as const;
    const arguments_ = [];
    for (const field of fields) arguments_.push((await refusal({ gpuCount: 1, [field]: -1 })).extensions.argument);
    expect(arguments_).to.deep.equal(fields.map((f) => `requirements.${f}`));
  });

  it("asks for providers whose slash reward cap is at least a job's minSlashRewardBps", function () {
    expect(parseRequirements({ gpuCount: 1, minSlashRewardBps: 2_500 }).where.maxSlashRewardBps_gte).to.equal(2_500);
  });

  it("refuses a minimum slash reward cap above 10,000 bps, naming the field", async function () {
    const error = await refusal({ gpuCount: 1, minSlashRewardBps: 10_001 });
    expect(error.extensions).to.include({ code: "BAD_USER_INPUT", argument: "requirements.minSlashRewardBps" });
  });

  it("refuses a minimum GPU memory above 4096 GiB, the most a provider may list and a job may ask for, with the range", async function () {
    const error = await refusal({ gpuCount: 1, minVramGiB: 4097 });
    expect(error.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "requirements.minVramGiB", value: 4097, minimum: 0, maximum: 4096 });
    expect(parseRequirements({ gpuCount: 1, minVramGiB: 4096 }).where.vramGiB_gte).to.equal(4096);
  });

  it("gives a GPU count out of range its value and the range in extensions, as hours does", async function () {
    const error = await refusal({ gpuCount: 0 });
    expect(error.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "requirements.gpuCount", value: 0, minimum: 1, maximum: 1024 });
  });

  // Not the governed maxGpusPerProvider: lowering it bounds new listings only, and one made before keeps its GPUs.
  it("refuses a GPU count above ProviderRegistry.MAX_GPUS_PER_PROVIDER_LIMIT (1024), which no listing can exceed", async function () {
    const error = await refusal({ gpuCount: 1025 });
    expect(error.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "requirements.gpuCount", value: 1025, minimum: 1, maximum: 1024 });
    expect(parseRequirements({ gpuCount: 1024 }).gpuCount).to.equal(1024);
  });
});
