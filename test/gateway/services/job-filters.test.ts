import { expect } from "chai";
import { maxCoverableEscrow } from "../../../gateway/src/services/job-filters";

describe("which escrow a provider's free stake covers", function () {
  const collateral = (escrowed: bigint, ratio: number) => (escrowed * BigInt(ratio)) / 10_000n;

  it("is the largest escrow whose collateral (rounded down) fits the free stake", function () {
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
