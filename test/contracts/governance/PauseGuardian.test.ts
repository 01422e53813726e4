import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String, ZeroAddress } from "ethers";
import { PauseGuardian__factory } from "../../../typechain-types";
import { baseFixture } from "../../helpers/fixtures";

const DAY = 86_400;
const DURATION = 3 * DAY;

describe("PauseGuardian", function () {
  async function pausedFixture() {
    const b = await baseFixture();
    const t = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(t);
    await b.c.pauseGuardian.connect(b.guardian).pause();
    return { ...b, pausedAt: t, until: t + DURATION };
  }

  describe("constructor", function () {
    it("emits the initial guardian and pause duration", async function () {
      const { c, guardian } = await loadFixture(baseFixture);
      const tx = c.pauseGuardian.deploymentTransaction();
      await expect(tx).to.emit(c.pauseGuardian, "AddressParameterUpdated").withArgs(encodeBytes32String("guardian"), guardian.address);
      await expect(tx).to.emit(c.pauseGuardian, "ParameterUpdated").withArgs(encodeBytes32String("pauseDuration"), DURATION);
    });

    it("refuses a pause duration outside [1 hour, 14 days]", async function () {
      const { c, deployer } = await loadFixture(baseFixture);
      await expect(new PauseGuardian__factory(deployer).deploy(deployer.address, ZeroAddress, 14 * DAY + 1))
        .to.be.revertedWithCustomError(c.pauseGuardian, "GovernedParameterOutOfBounds")
        .withArgs(encodeBytes32String("pauseDuration"), 14 * DAY + 1, 3600, 14 * DAY);
    });

    it("refuses a zero governance", async function () {
      const { c, deployer } = await loadFixture(baseFixture);
      await expect(new PauseGuardian__factory(deployer).deploy(ZeroAddress, ZeroAddress, DAY))
        .to.be.revertedWithCustomError(c.pauseGuardian, "GovernedZeroAddress")
        .withArgs(encodeBytes32String("governance"));
    });
  });

  describe("pause", function () {
    it("pauses for pauseDuration and emits the end", async function () {
      const { c, guardian } = await loadFixture(baseFixture);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      await expect(c.pauseGuardian.connect(guardian).pause()).to.emit(c.pauseGuardian, "Paused").withArgs(guardian.address, t + DURATION);
      expect(await c.pauseGuardian.isPaused()).to.equal(true);
      expect(await c.pauseGuardian.pausedUntil()).to.equal(BigInt(t + DURATION));
    });

    it("records the guardian as the pause's starter", async function () {
      const { c, guardian } = await loadFixture(pausedFixture);
      expect(await c.pauseGuardian.pausedBy()).to.equal(guardian.address);
    });

    it("is refused to anyone but the guardian", async function () {
      const { c, funder } = await loadFixture(baseFixture);
      await expect(c.pauseGuardian.connect(funder).pause())
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianNotGuardian")
        .withArgs(funder.address);
    });

    it("is refused to everyone once the guardian is removed", async function () {
      const { c, guardian, timelock } = await loadFixture(baseFixture);
      await c.pauseGuardian.connect(timelock).setGuardian(ZeroAddress);
      await expect(c.pauseGuardian.connect(guardian).pause())
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianNotGuardian")
        .withArgs(guardian.address);
    });

    it("is refused while already paused", async function () {
      const { c, guardian, until } = await loadFixture(pausedFixture);
      await expect(c.pauseGuardian.connect(guardian).pause())
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianAlreadyPaused")
        .withArgs(until);
    });

    it("expires by itself at pausedUntil", async function () {
      const { c, until } = await loadFixture(pausedFixture);
      await time.increaseTo(until - 1);
      expect(await c.pauseGuardian.isPaused()).to.equal(true);
      await expect(c.pauseGuardian.requireNotPaused())
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianProtocolPaused")
        .withArgs(until);
      await time.increaseTo(until);
      expect(await c.pauseGuardian.isPaused()).to.equal(false);
      await expect(c.pauseGuardian.requireNotPaused()).not.to.be.reverted;
    });

    it("requireNotPaused reverts with the end of the pause one second before it", async function () {
      const { c, guardian, until } = await loadFixture(pausedFixture);
      await time.increaseTo(until - 2);
      await expect(c.staking.connect(guardian).stake(1))
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianProtocolPaused")
        .withArgs(until);
    });

    it("cools down for pauseDuration after a pause ends", async function () {
      const { c, guardian, until } = await loadFixture(pausedFixture);
      await time.setNextBlockTimestamp(until + DURATION - 1);
      await expect(c.pauseGuardian.connect(guardian).pause())
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianCoolingDown")
        .withArgs(until + DURATION);
    });

    it("may pause again exactly when the cooldown ends", async function () {
      const { c, guardian, until } = await loadFixture(pausedFixture);
      await time.setNextBlockTimestamp(until + DURATION);
      await expect(c.pauseGuardian.connect(guardian).pause())
        .to.emit(c.pauseGuardian, "Paused")
        .withArgs(guardian.address, until + 2 * DURATION);
    });
  });

  describe("unpause", function () {
    it("lifts the pause now and starts the cooldown from now", async function () {
      const { c, guardian, timelock, pausedAt } = await loadFixture(pausedFixture);
      const t = pausedAt + 100;
      await time.setNextBlockTimestamp(t);
      await expect(c.pauseGuardian.connect(timelock).unpause()).to.emit(c.pauseGuardian, "Unpaused").withArgs(timelock.address);
      expect(await c.pauseGuardian.isPaused()).to.equal(false);
      expect(await c.pauseGuardian.pausedUntil()).to.equal(BigInt(t));
      await time.setNextBlockTimestamp(t + DURATION - 1);
      await expect(c.pauseGuardian.connect(guardian).pause())
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianCoolingDown")
        .withArgs(t + DURATION);
    });

    it("is refused when not paused", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      await expect(c.pauseGuardian.connect(timelock).unpause()).to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianNotPaused");
    });

    it("is refused to the guardian", async function () {
      const { c, guardian } = await loadFixture(pausedFixture);
      await expect(c.pauseGuardian.connect(guardian).unpause())
        .to.be.revertedWithCustomError(c.pauseGuardian, "GovernedOnlyGovernance")
        .withArgs(guardian.address);
    });
  });

  describe("renewPause", function () {
    it("extends the pause and emits the new end", async function () {
      const { c, timelock, until } = await loadFixture(pausedFixture);
      await expect(c.pauseGuardian.connect(timelock).renewPause(until + DAY))
        .to.emit(c.pauseGuardian, "PauseRenewed")
        .withArgs(timelock.address, until + DAY);
      expect(await c.pauseGuardian.pausedUntil()).to.equal(BigInt(until + DAY));
    });

    it("keeps the guardian as the starter of the pause it extends", async function () {
      const { c, guardian, timelock, until } = await loadFixture(pausedFixture);
      await c.pauseGuardian.connect(timelock).renewPause(until + DAY);
      expect(await c.pauseGuardian.pausedBy()).to.equal(guardian.address);
    });

    it("lets governance start a pause of its own, recorded as governance's", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      const end = (await time.latest()) + DAY;
      await expect(c.pauseGuardian.connect(timelock).renewPause(end)).to.emit(c.pauseGuardian, "PauseRenewed").withArgs(timelock.address, end);
      expect(await c.pauseGuardian.isPaused()).to.equal(true);
      expect(await c.pauseGuardian.pausedBy()).to.equal(timelock.address);
    });

    it("records governance as the starter of a pause it starts after the guardian's ended", async function () {
      const { c, timelock, until } = await loadFixture(pausedFixture);
      await time.increaseTo(until);
      await c.pauseGuardian.connect(timelock).renewPause(until + DAY);
      expect(await c.pauseGuardian.pausedBy()).to.equal(timelock.address);
    });

    it("refuses an end that is not in the future", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      await expect(c.pauseGuardian.connect(timelock).renewPause(t))
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianInvalidPauseEnd")
        .withArgs(t, t + 14 * DAY);
    });

    it("refuses an end more than 14 days ahead", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      await expect(c.pauseGuardian.connect(timelock).renewPause(t + 14 * DAY + 1))
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianInvalidPauseEnd")
        .withArgs(t + 14 * DAY + 1, t + 14 * DAY);
    });

    it("is refused to the guardian", async function () {
      const { c, guardian, until } = await loadFixture(pausedFixture);
      await expect(c.pauseGuardian.connect(guardian).renewPause(until + 1))
        .to.be.revertedWithCustomError(c.pauseGuardian, "GovernedOnlyGovernance")
        .withArgs(guardian.address);
    });
  });

  describe("parameters", function () {
    it("setGuardian appoints a new guardian and emits it", async function () {
      const { c, timelock, funder } = await loadFixture(baseFixture);
      await expect(c.pauseGuardian.connect(timelock).setGuardian(funder.address))
        .to.emit(c.pauseGuardian, "AddressParameterUpdated")
        .withArgs(encodeBytes32String("guardian"), funder.address);
      await expect(c.pauseGuardian.connect(funder).pause()).to.emit(c.pauseGuardian, "Paused");
    });

    it("setPauseDuration sets the length of later pauses and emits it", async function () {
      const { c, timelock, guardian } = await loadFixture(baseFixture);
      await expect(c.pauseGuardian.connect(timelock).setPauseDuration(3600))
        .to.emit(c.pauseGuardian, "ParameterUpdated")
        .withArgs(encodeBytes32String("pauseDuration"), 3600);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      await expect(c.pauseGuardian.connect(guardian).pause()).to.emit(c.pauseGuardian, "Paused").withArgs(guardian.address, t + 3600);
    });

    it("setPauseDuration refuses less than an hour", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      await expect(c.pauseGuardian.connect(timelock).setPauseDuration(3599))
        .to.be.revertedWithCustomError(c.pauseGuardian, "GovernedParameterOutOfBounds")
        .withArgs(encodeBytes32String("pauseDuration"), 3599, 3600, 14 * DAY);
    });

    it("setters are refused to the guardian", async function () {
      const { c, guardian } = await loadFixture(baseFixture);
      await expect(c.pauseGuardian.connect(guardian).setGuardian(guardian.address))
        .to.be.revertedWithCustomError(c.pauseGuardian, "GovernedOnlyGovernance")
        .withArgs(guardian.address);
      await expect(c.pauseGuardian.connect(guardian).setPauseDuration(DAY))
        .to.be.revertedWithCustomError(c.pauseGuardian, "GovernedOnlyGovernance")
        .withArgs(guardian.address);
    });
  });
});
