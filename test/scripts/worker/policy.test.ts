import { expect } from "chai";
import { ZeroAddress } from "ethers";
import type { PolicyConfig } from "../../../scripts/worker/config";
import { TierCode, encodeShortId } from "../../../scripts/worker/ids";
import type { CandidateJob, ProviderRecord } from "../../../scripts/worker/market";
import { collateralRefusal, matchRequirements, requirementRefusal, screenJob } from "../../../scripts/worker/policy";

const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const NOW = 1_000n;

const RECORD: ProviderRecord = {
  registered: true,
  active: true,
  online: true,
  gpuModel: "h100-80gb-hbm3",
  region: "us-east",
  vramGiB: 80,
  gpuCount: 8,
  gpusInUse: 6,
  operator: "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a",
  tier: TierCode.Enterprise,
  pricePerGpuHour: 2_000n,
  completedJobs: 3,
  maxSlashRewardBps: 2_500,
};

const POLICY: PolicyConfig = {
  maxConcurrentJobs: 1,
  minPricePerGpuHour: 1_000n,
  maxDurationSeconds: 7200,
  acceptedKinds: ["matmul"],
  autoSettle: true,
  settlementPollMs: 60_000,
  declineDirectedJobs: true,
};

function job(
  changes: { requirements?: Partial<CandidateJob["terms"]["requirements"]> } & Partial<
    Omit<CandidateJob["terms"], "requirements">
  > = {},
): CandidateJob {
  const { requirements, ...terms } = changes;
  return {
    jobId: 1n,
    client: ZeroAddress,
    specURI: "data:,",
    escrowed: 0n,
    terms: {
      requirements: {
        gpuModel: `0x${"00".repeat(32)}`,
        region: `0x${"00".repeat(16)}`,
        minVramGiB: 0,
        gpuCount: 1,
        tier: TierCode.Any,
        minCompletedJobs: 0,
        minSlashRewardBps: 0,
        ...requirements,
      },
      maxPricePerGpuHour: 3_000n,
      maxDuration: 3600,
      acceptDeadline: NOW + 60n,
      targetProvider: ZeroAddress,
      specHash: `0x${"00".repeat(32)}`,
      ...terms,
    },
  };
}

describe("job selection policy", () => {
  it("takes an open job that meets every requirement", () => {
    expect(screenJob(job(), PROVIDER, POLICY)).to.equal(undefined);
    expect(matchRequirements(job(), RECORD, NOW)).to.equal(undefined);
  });

  it("takes a job directed at this provider, whatever the address's case", () => {
    expect(screenJob(job({ targetProvider: PROVIDER.toLowerCase() }), PROVIDER, POLICY)).to.equal(undefined);
  });

  it("skips a job directed at another provider", () => {
    expect(
      screenJob(job({ targetProvider: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }), PROVIDER, POLICY),
    ).to.contain("another provider");
  });

  it("skips a job its own provider posted, which JobEscrow would refuse to let it accept, whatever the address's case", () => {
    expect(screenJob({ ...job(), client: PROVIDER.toLowerCase() }, PROVIDER, POLICY)).to.equal(
      "posted by the provider itself, which JobEscrow refuses",
    );
  });

  it("skips a job its provider's operator key posted, for good, which JobEscrow would refuse to let it accept", () => {
    expect(requirementRefusal({ ...job(), client: RECORD.operator.toLowerCase() }, RECORD, NOW)).to.deep.equal({
      reason: `posted by the provider's operator key (${RECORD.operator}), which JobEscrow refuses`,
      lasting: true,
    });
  });

  it("takes a job from any client while the provider names no operator key", () => {
    expect(matchRequirements(job(), { ...RECORD, operator: ZeroAddress }, NOW)).to.equal(undefined);
  });

  it("skips a job paying less than the policy's minimum", () => {
    expect(screenJob(job({ maxPricePerGpuHour: 999n }), PROVIDER, POLICY)).to.contain(
      "below policy.minPricePerGpuHour (1000)",
    );
  });

  it("skips a job that may run longer than the policy allows", () => {
    expect(screenJob(job({ maxDuration: 7201 }), PROVIDER, POLICY)).to.contain(
      "above policy.maxDurationSeconds (7200)",
    );
  });

  it("skips a job whose acceptance deadline has passed on-chain", () => {
    expect(matchRequirements(job({ acceptDeadline: NOW - 1n }), RECORD, NOW)).to.contain("acceptance deadline");
  });

  it("skips a job paying less than the provider's listed price", () => {
    expect(matchRequirements(job({ maxPricePerGpuHour: 1_999n }), RECORD, NOW)).to.equal(
      "pays at most 1999 per GPU-hour, our price is 2000",
    );
  });

  it("matches a required GPU model by its decoded id", () => {
    expect(
      matchRequirements(job({ requirements: { gpuModel: encodeShortId("h100-80gb-hbm3", 32) } }), RECORD, NOW),
    ).to.equal(undefined);
    expect(
      matchRequirements(job({ requirements: { gpuModel: encodeShortId("a100-sxm4-80gb", 32) } }), RECORD, NOW),
    ).to.contain("a100-sxm4-80gb");
  });

  it("skips a job in another region", () => {
    expect(matchRequirements(job({ requirements: { region: encodeShortId("eu-west", 16) } }), RECORD, NOW)).to.equal(
      "requires region eu-west, we list us-east",
    );
  });

  it("skips a job needing more VRAM per GPU", () => {
    expect(matchRequirements(job({ requirements: { minVramGiB: 96 } }), RECORD, NOW)).to.contain(
      "requires 96 GiB per GPU",
    );
  });

  it("skips a job needing more GPUs than are free now", () => {
    expect(matchRequirements(job({ requirements: { gpuCount: 3 } }), RECORD, NOW)).to.equal(
      "requires 3 GPUs, 2 of 8 are free",
    );
  });

  it("skips a job for another tier", () => {
    expect(matchRequirements(job({ requirements: { tier: TierCode.Consumer } }), RECORD, NOW)).to.equal(
      "requires tier Consumer, we list Enterprise",
    );
  });

  it("skips a job requiring a longer track record", () => {
    expect(matchRequirements(job({ requirements: { minCompletedJobs: 4 } }), RECORD, NOW)).to.contain(
      "requires 4 completed jobs",
    );
  });

  it("skips a job requiring a higher slash reward cap than the provider's", () => {
    expect(matchRequirements(job({ requirements: { minSlashRewardBps: 2_501 } }), RECORD, NOW)).to.equal(
      "requires a slash reward cap of at least 2501 bps, ours is 2500",
    );
  });

  it("takes a job requiring exactly the provider's slash reward cap", () => {
    expect(matchRequirements(job({ requirements: { minSlashRewardBps: 2_500 } }), RECORD, NOW)).to.equal(undefined);
  });

  it("takes a job with no slash reward minimum from a provider whose cap is 0", () => {
    expect(matchRequirements(job(), { ...RECORD, maxSlashRewardBps: 0 }, NOW)).to.equal(undefined);
  });

  it("skips every job while the provider is inactive", () => {
    expect(matchRequirements(job(), { ...RECORD, active: false }, NOW)).to.contain("not active");
  });

  it("names an offline provider's way back online when it skips a job", () => {
    expect(matchRequirements(job(), { ...RECORD, active: false, online: false }, NOW)).to.equal(
      "the provider is offline: the worker puts it online at start (provider.onlineAtStart), or `npx hardhat provider online` does",
    );
  });

  it("names an under-staked provider's shortfall and the owner's stake add when it skips a job (a slash took it under the minimum)", () => {
    const stake = { held: 199_991_666_666_666_666_666n, required: 200n * 10n ** 18n };
    expect(matchRequirements(job(), { ...RECORD, active: false, stake }, NOW)).to.equal(
      "the provider is under-staked: 199991666666666666666 wei staked (less what is thawing), below the 200000000000000000000 wei " +
        "its 8 listed GPUs need (a slash or a thaw took it under): its owner adds at least 8333333333333334 wei with `npx hardhat stake add`",
    );
  });

  it("calls a refusal lasting only when a change of listing, stake or config alone could lift it", () => {
    const lasting = (changes: Parameters<typeof job>[0], record = RECORD) =>
      requirementRefusal(job(changes), record, NOW)?.lasting;
    expect(lasting({ requirements: { gpuModel: encodeShortId("a100-sxm4-80gb", 32) } })).to.equal(true);
    expect(lasting({ requirements: { region: encodeShortId("eu-west", 16) } })).to.equal(true);
    expect(lasting({ requirements: { minVramGiB: 96 } })).to.equal(true);
    expect(lasting({ requirements: { tier: TierCode.Consumer } })).to.equal(true);
    expect(lasting({ maxPricePerGpuHour: 1_999n })).to.equal(true);
    expect(lasting({ requirements: { gpuCount: 9 } })).to.equal(true);
    expect(lasting({ requirements: { gpuCount: 3 } })).to.equal(false);
    expect(lasting({ requirements: { minCompletedJobs: 4 } })).to.equal(false);
    expect(lasting({ requirements: { minSlashRewardBps: 2_501 } })).to.equal(true);
    expect(lasting({ acceptDeadline: NOW - 1n })).to.equal(false);
    const otherModel = { requirements: { gpuModel: encodeShortId("a100-sxm4-80gb", 32) } };
    expect(lasting(otherModel, { ...RECORD, active: false })).to.equal(false);
    // Stake: lasting only when more than free + locked (what our own jobs hold comes back when they end).
    expect(collateralRefusal({ collateral: 10n, freeStake: 4n, lockedStake: 6n })?.lasting).to.equal(false);
    expect(collateralRefusal({ collateral: 11n, freeStake: 4n, lockedStake: 6n })?.lasting).to.equal(true);
    expect(collateralRefusal({ collateral: 4n, freeStake: 4n, lockedStake: 6n })).to.equal(undefined);
  });
});
