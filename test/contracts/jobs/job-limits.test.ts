import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { JOB_LIMITS } from "../../../contracts/jobs/job-limits";
import { baseFixture } from "../../helpers/fixtures";

describe("JOB_LIMITS (contracts/jobs/job-limits.ts)", function () {
  it("has the deployed JobEscrow's MIN_DURATION, MAX_DURATION, MAX_ACCEPT_WINDOW, MAX_URI_LENGTH and the registry's MAX_VRAM_GIB", async function () {
    const { c } = await loadFixture(baseFixture);
    expect(JOB_LIMITS).to.deep.equal({
      minDurationSeconds: Number(await c.jobEscrow.MIN_DURATION()),
      maxDurationSeconds: Number(await c.jobEscrow.MAX_DURATION()),
      maxAcceptWindowSeconds: Number(await c.jobEscrow.MAX_ACCEPT_WINDOW()),
      maxUriBytes: Number(await c.jobEscrow.MAX_URI_LENGTH()),
      maxMinVramGiB: Number(await c.registry.MAX_VRAM_GIB()),
    });
  });
});
