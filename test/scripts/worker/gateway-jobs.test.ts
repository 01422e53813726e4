import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { GatewayJobError, hashJobTerms, toCandidateJob } from "../../../scripts/worker/gateway-jobs";
import { GatewayConnectionError, GatewayResponseError } from "../../../scripts/worker/gateway-errors";
import { isTransientError } from "../../../scripts/worker/retry";
import { TierCode } from "../../../scripts/worker/ids";
import { CLIENT, MODEL, REGION, SPEC_HASH, gatewayJob, termsHashOf, termsJson } from "./helpers/gateway-fixtures";

/** The fixture job, with `overrides` of the job and of its terms applied after its termsHash was computed. */
function job(overrides: Record<string, unknown> = {}, terms: Record<string, unknown> = {}): Record<string, unknown> {
  const base = gatewayJob(42);
  return { ...base, terms: { ...(base.terms as object), ...terms }, ...overrides };
}

describe("gateway jobs", () => {
  it("converts the gateway's Job to a CandidateJob exactly", () => {
    // Mixed-case hex and a lowercase address come back normalised.
    const upper = job({}, { specHash: `0x${SPEC_HASH.slice(2).toUpperCase()}` });
    expect(toCandidateJob(upper)).to.deep.equal({
      jobId: 42n,
      client: CLIENT,
      specURI: "data:,{}",
      escrowed: 1050000000000000000n,
      terms: {
        requirements: { gpuModel: MODEL, region: REGION, minVramGiB: 24, gpuCount: 2, tier: TierCode.Consumer, minCompletedJobs: 3, minSlashRewardBps: 2500 },
        maxPricePerGpuHour: 350000000000000000n,
        maxDuration: 3600,
        acceptDeadline: 1750000000n,
        targetProvider: ZeroAddress,
        specHash: SPEC_HASH,
      },
    });
  });

  it("hashes terms as keccak256(abi.encode(terms))", () => {
    expect(hashJobTerms(toCandidateJob(job()).terms)).to.equal(termsHashOf(termsJson()));
  });

  it("refuses terms that do not hash to the job's termsHash", () => {
    expect(() => toCandidateJob(job({}, { maxDuration: "3599" }))).to.throw(
      GatewayJobError,
      `job 42 from the gateway is unusable: its terms hash to`,
    );
  });

  it("names the malformed field", () => {
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{}, { maxPricePerGpuHour: (1n << 96n).toString() }, "terms.maxPricePerGpuHour must be an integer from 0 to"],
      [{}, { specHash: "0x1234" }, "terms.specHash must be 0x and 32 bytes of hex"],
      [{}, { targetProvider: "nobody" }, "terms.targetProvider must be an address"],
      [{ id: "-1" }, {}, "id must be an integer from 1 to"],
      [{ escrowed: "1" }, {}, "escrowed must be an object"],
      [{}, { requirements: { gpuModel: MODEL, region: REGION, minVramGiB: 24, gpuCount: 70000, tier: 2, minCompletedJobs: "0", minSlashRewardBps: 0 } }, "terms.requirements.gpuCount must be an integer from 0 to 65535"],
      [{}, { requirements: { gpuModel: MODEL, region: REGION, minVramGiB: 24, gpuCount: 2, tier: 3, minCompletedJobs: "0", minSlashRewardBps: 0 } }, "terms.requirements.tier must be an integer from 0 to 2"],
      [
        {},
        { requirements: { gpuModel: MODEL, region: REGION, minVramGiB: 24, gpuCount: 2, tier: 2, minCompletedJobs: "0", minSlashRewardBps: 70000 } },
        "terms.requirements.minSlashRewardBps must be an integer from 0 to 65535",
      ],
    ];
    for (const [overrides, terms, message] of cases) {
      expect(() => toCandidateJob(job(overrides, terms)), message).to.throw(GatewayJobError, message);
    }
  });

  it("classifies gateway failures for the retry logic", () => {
    expect(isTransientError(new GatewayConnectionError("ws://x", 1006, ""))).to.equal(true);
    expect(isTransientError(new GatewayConnectionError("ws://x", undefined, "ECONNREFUSED"))).to.equal(true);
    expect(isTransientError(new GatewayConnectionError("ws://x", 4400, "bad request"))).to.equal(false);
    expect(isTransientError(new GatewayResponseError("openJobs", [{ message: "down", code: "SOURCE_UNAVAILABLE" }]))).to.equal(true);
    expect(isTransientError(new GatewayResponseError("jobOpened", [{ message: "stopping", code: "SHUTTING_DOWN" }]))).to.equal(true);
    expect(isTransientError(new GatewayResponseError("openJobs", [{ message: "no chain", code: "CHAIN_UNAVAILABLE" }]))).to.equal(true);
    expect(isTransientError(new GatewayResponseError("openJobs", [{ message: "no", code: "BAD_USER_INPUT" }]))).to.equal(false);
    expect(isTransientError(new GatewayResponseError("openJobs", [{ message: "Cannot query field" }]))).to.equal(false);
  });
});
