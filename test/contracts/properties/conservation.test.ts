import hre, { ethers } from "hardhat";
import fc from "fast-check";
import { createHarness, runSequence, sequenceArbitrary } from "../../../scripts/fuzz/model";
import type { Harness } from "../../../scripts/fuzz/model";

/** Fixed so CI is reproducible; `npm run fuzz` explores fresh seeds. PROPERTY_SEED overrides it. */
const SEED = Number(process.env.PROPERTY_SEED ?? 20_251_126);
/** Under solidity-coverage every step is several times slower; a tenth of the runs still covers every action. */
const RUNS = (hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true ? 20 : 200;

describe("conservation property", function () {
  this.timeout(600_000);
  let h: Harness;

  before(async function () {
    h = await createHarness(await ethers.getSigners(), (address) => ethers.getImpersonatedSigner(address));
  });

  it(`holds after every step of ${RUNS} random sequences of 20-30 actions over several accounts`, async function () {
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary, async (intents) => {
        await runSequence(h, intents);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
