import { expect } from "chai";
import { formatEther } from "ethers";
import { bpsOfUp, computeCost, formatLat, gpuHours } from "../../../gateway/src/model/money";

describe("money", function () {
  it("formats wei as exact LAT without trailing zeros", function () {
    expect(formatLat(0n)).to.equal("0");
    expect(formatLat(1n)).to.equal("0.000000000000000001");
    expect(formatLat(1234n * 10n ** 18n + 5n * 10n ** 17n)).to.equal("1234.5");
    expect(formatLat(-2n * 10n ** 18n)).to.equal("-2");
  });

  it("agrees with ethers' formatEther on every amount it is given", function () {
    for (const wei of [7n, 10n ** 18n, 123456789012345678901234567n, 2n ** 96n - 1n, 999999999999999999n]) {
      expect(formatLat(wei)).to.equal(formatEther(wei).replace(/\.0$/, ""));
    }
  });

  it("computes cost as JobEscrow does, rounding down", function () {
    expect(computeCost(10n ** 18n, 1, 3600)).to.equal(10n ** 18n);
    expect(computeCost(1000n, 3, 1)).to.equal(0n);
    expect(computeCost(3600n, 2, 1800)).to.equal(3600n);
  });

  it("takes basis points rounding up, as JobEscrow takes the fee and the collateral, and turns GPU-seconds into hours", function () {
    expect(bpsOfUp(10_000n, 2500)).to.equal(2500n);
    expect(bpsOfUp(10_001n, 2500)).to.equal(2501n);
    expect(bpsOfUp(1n, 1)).to.equal(1n);
    expect(gpuHours("7200")).to.equal(2);
  });
});
