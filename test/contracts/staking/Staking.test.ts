import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String, Interface, parseEther, ZeroAddress } from "ethers";
import { Staking__factory } from "../../../typechain-types";
import { signPermit } from "../../../scripts/scenario";
import { asAccount, baseFixture, providersFixture, signatureDeadline, H100_STAKE } from "../../helpers/fixtures";

const LAT = (n: string) => parseEther(n);

describe("Staking", function () {
  async function stakedFixture() {
    const b = await baseFixture();
    const p = b.providers[0]!;
    await b.c.token.connect(p).approve(await b.c.staking.getAddress(), LAT("1000"));
    await b.c.staking.connect(p).stake(LAT("1000"));
    return { ...b, p, period: Number(await b.c.staking.thawingPeriod()) };
  }

  async function rolesFixture() {
    const w = await providersFixture();
    return {
      ...w,
      escrow: await asAccount(await w.c.jobEscrow.getAddress()),
      dm: await asAccount(await w.c.disputeManager.getAddress()),
    };
  }

  describe("constructor", function () {
    it("emits the initial treasury, minimum stake and thawing period", async function () {
      const { c, treasury } = await loadFixture(baseFixture);
      const tx = c.staking.deploymentTransaction();
      await expect(tx).to.emit(c.staking, "AddressParameterUpdated").withArgs(encodeBytes32String("treasury"), treasury);
      await expect(tx).to.emit(c.staking, "ParameterUpdated").withArgs(encodeBytes32String("minStakePerGpu"), LAT("100"));
      await expect(tx).to.emit(c.staking, "ParameterUpdated").withArgs(encodeBytes32String("thawingPeriod"), 3600);
    });

    it("refuses zero addresses for its wiring and treasury", async function () {
      const { deployer, c } = await loadFixture(baseFixture);
      const f = new Staking__factory(deployer);
      const x = await c.token.getAddress();
      const cases = [
        [[ZeroAddress, x, x, x, x, LAT("1"), 3600], "governance"],
        [[x, ZeroAddress, x, x, x, LAT("1"), 3600], "token"],
        [[x, x, ZeroAddress, x, x, LAT("1"), 3600], "jobEscrow"],
        [[x, x, x, ZeroAddress, x, LAT("1"), 3600], "pauseGuardian"],
        [[x, x, x, x, ZeroAddress, LAT("1"), 3600], "treasury"],
      ] as const;
      for (const [args, name] of cases) {
        await expect(f.deploy(...args))
          .to.be.revertedWithCustomError(c.staking, "GovernedZeroAddress")
          .withArgs(encodeBytes32String(name));
      }
    });

    it("refuses LAT as the initial treasury (a protocol contract, which would strand what it is sent)", async function () {
      const { deployer, c } = await loadFixture(baseFixture);
      const [gov, token, escrow, guardian] = await Promise.all(
        [c.timelock, c.token, c.jobEscrow, c.pauseGuardian].map((x) => x.getAddress()),
      );
      await expect(new Staking__factory(deployer).deploy(gov, token, escrow, guardian, token, LAT("1"), 3600))
        .to.be.revertedWithCustomError(c.staking, "StakingTreasuryIsProtocolContract")
        .withArgs(token);
    });
  });

  describe("stake", function () {
    it("adds to the caller's stake, pulls the tokens and emits the new total", async function () {
      const { c, p } = await loadFixture(stakedFixture);
      await c.token.connect(p).approve(await c.staking.getAddress(), LAT("5"));
      const tx = c.staking.connect(p).stake(LAT("5"));
      await expect(tx).to.emit(c.staking, "Staked").withArgs(p.address, p.address, LAT("5"), LAT("1005"));
      await expect(tx).to.changeTokenBalances(c.token, [p, c.staking], [-LAT("5"), LAT("5")]);
      expect(await c.staking.getStake(p.address)).to.deep.equal([LAT("1005"), 0n, 0n]);
    });

    it("refuses zero", async function () {
      const { c, p } = await loadFixture(stakedFixture);
      await expect(c.staking.connect(p).stake(0)).to.be.revertedWithCustomError(c.staking, "StakingZeroAmount");
    });

    it("is refused while paused", async function () {
      const { c, p, guardian } = await loadFixture(stakedFixture);
      await c.pauseGuardian.connect(guardian).pause();
      await expect(c.staking.connect(p).stake(1))
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianProtocolPaused")
        .withArgs(await c.pauseGuardian.pausedUntil());
    });

    it("fails without allowance", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      const p = providers[1]!;
      await expect(c.staking.connect(p).stake(1))
        .to.be.revertedWithCustomError(c.token, "ERC20InsufficientAllowance")
        .withArgs(await c.staking.getAddress(), 0, 1);
    });
  });

  describe("stakeWithPermit", function () {
    it("stakes with a signed permit and no prior approval", async function () {
      const { s, c, providers } = await loadFixture(baseFixture);
      const p = providers[1]!;
      const deadline = await signatureDeadline();
      const sig = await signPermit(s, p, await c.staking.getAddress(), LAT("10"), deadline);
      await expect(c.staking.connect(p).stakeWithPermit(LAT("10"), deadline, sig.v, sig.r, sig.s))
        .to.emit(c.staking, "Staked")
        .withArgs(p.address, p.address, LAT("10"), LAT("10"));
    });

    it("still stakes when someone front-ran the permit", async function () {
      const { s, c, providers, clients } = await loadFixture(baseFixture);
      const p = providers[1]!;
      const deadline = await signatureDeadline();
      const spender = await c.staking.getAddress();
      const sig = await signPermit(s, p, spender, LAT("10"), deadline);
      await c.token.connect(clients[0]!).permit(p.address, spender, LAT("10"), deadline, sig.v, sig.r, sig.s);
      await expect(c.staking.connect(p).stakeWithPermit(LAT("10"), deadline, sig.v, sig.r, sig.s)).to.emit(c.staking, "Staked");
    });

    it("fails on an invalid permit when no allowance is there", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      const p = providers[1]!;
      const deadline = await signatureDeadline();
      await expect(c.staking.connect(p).stakeWithPermit(LAT("10"), deadline, 27, `0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`))
        .to.be.revertedWithCustomError(c.token, "ERC20InsufficientAllowance")
        .withArgs(await c.staking.getAddress(), 0, LAT("10"));
    });
  });

  describe("thaw", function () {
    it("moves free stake to a request maturing one period later and emits the new thawing total", async function () {
      const { c, p, period } = await loadFixture(stakedFixture);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      await expect(c.staking.connect(p).thaw(LAT("300")))
        .to.emit(c.staking, "ThawRequested")
        .withArgs(p.address, 0, LAT("300"), t + period, LAT("300"));
      expect(await c.staking.getStake(p.address)).to.deep.equal([LAT("1000"), 0n, LAT("300")]);
      expect(await c.staking.freeStake(p.address)).to.equal(LAT("700"));
      expect(await c.staking.getThawRequest(p.address, 0)).to.deep.equal([LAT("300"), BigInt(t + period)]);
    });

    it("numbers requests from zero and never reuses an index", async function () {
      const { c, p } = await loadFixture(stakedFixture);
      await c.staking.connect(p).thaw(LAT("1"));
      await c.staking.connect(p).thaw(LAT("1"));
      expect(await c.staking.thawRequestRange(p.address)).to.deep.equal([0n, 2n]);
      await time.increase(3600);
      await c.staking.connect(p).withdraw(8);
      const t = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(t);
      await expect(c.staking.connect(p).thaw(LAT("1")))
        .to.emit(c.staking, "ThawRequested")
        .withArgs(p.address, 2, LAT("1"), t + 3600, LAT("1"));
      expect(await c.staking.thawRequestRange(p.address)).to.deep.equal([2n, 3n]);
    });

    it("refuses zero", async function () {
      const { c, p } = await loadFixture(stakedFixture);
      await expect(c.staking.connect(p).thaw(0)).to.be.revertedWithCustomError(c.staking, "StakingZeroAmount");
    });

    it("refuses more than the free stake", async function () {
      const { c, p } = await loadFixture(stakedFixture);
      await c.staking.connect(p).thaw(LAT("600"));
      await expect(c.staking.connect(p).thaw(LAT("401")))
        .to.be.revertedWithCustomError(c.staking, "StakingInsufficientFreeStake")
        .withArgs(p.address, LAT("401"), LAT("400"));
    });

    it("refuses to thaw locked collateral", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 1n, H100_STAKE - LAT("1"));
      await expect(c.staking.connect(h100.signer).thaw(LAT("2")))
        .to.be.revertedWithCustomError(c.staking, "StakingInsufficientFreeStake")
        .withArgs(h100.address, LAT("2"), LAT("1"));
    });

    it("refuses a ninth pending request", async function () {
      const { c, p } = await loadFixture(stakedFixture);
      for (let i = 0; i < 8; i++) await c.staking.connect(p).thaw(1);
      await expect(c.staking.connect(p).thaw(1))
        .to.be.revertedWithCustomError(c.staking, "StakingTooManyThawRequests")
        .withArgs(p.address, 8);
    });

    it("works while paused", async function () {
      const { c, p, guardian } = await loadFixture(stakedFixture);
      await c.pauseGuardian.connect(guardian).pause();
      await expect(c.staking.connect(p).thaw(1)).to.emit(c.staking, "ThawRequested");
    });
  });

  describe("withdraw", function () {
    async function thawedFixture() {
      const f = await stakedFixture();
      await f.c.staking.connect(f.p).thaw(LAT("100"));
      const maturesAt = Number((await f.c.staking.getThawRequest(f.p.address, 0)).maturesAt);
      return { ...f, maturesAt };
    }

    it("pays nothing one second before maturity", async function () {
      const { c, p, maturesAt } = await loadFixture(thawedFixture);
      await time.setNextBlockTimestamp(maturesAt - 1);
      await expect(c.staking.connect(p).withdraw(1))
        .to.be.revertedWithCustomError(c.staking, "StakingNothingToWithdraw")
        .withArgs(p.address);
    });

    it("pays exactly at maturity and emits the new totals", async function () {
      const { c, p, maturesAt } = await loadFixture(thawedFixture);
      await time.setNextBlockTimestamp(maturesAt);
      const tx = c.staking.connect(p).withdraw(1);
      await expect(tx).to.emit(c.staking, "Withdrawn").withArgs(p.address, 0, 1, LAT("100"), LAT("900"), 0);
      await expect(tx).to.changeTokenBalances(c.token, [p, c.staking], [LAT("100"), -LAT("100")]);
      expect(await c.staking.getThawRequest(p.address, 0)).to.deep.equal([0n, 0n]);
      expect(await c.staking.thawRequestRange(p.address)).to.deep.equal([1n, 1n]);
    });

    it("pays at most maxRequests requests, oldest first", async function () {
      const { c, p } = await loadFixture(thawedFixture);
      await c.staking.connect(p).thaw(LAT("20"));
      await c.staking.connect(p).thaw(LAT("3"));
      await time.increase(3600);
      await expect(c.staking.connect(p).withdraw(2))
        .to.emit(c.staking, "Withdrawn")
        .withArgs(p.address, 0, 2, LAT("120"), LAT("880"), LAT("3"));
      await expect(c.staking.connect(p).withdraw(100))
        .to.emit(c.staking, "Withdrawn")
        .withArgs(p.address, 2, 1, LAT("3"), LAT("877"), 0);
    });

    it("stops at the first request that has not matured", async function () {
      const { c, p, timelock } = await loadFixture(thawedFixture);
      await c.staking.connect(timelock).setThawingPeriod(7200);
      await c.staking.connect(p).thaw(LAT("20"));
      await c.staking.connect(timelock).setThawingPeriod(3600);
      await c.staking.connect(p).thaw(LAT("3"));
      await time.increase(3700);
      // Request 2 has matured, but request 1 (two-hour period) has not and blocks it.
      await expect(c.staking.connect(p).withdraw(8))
        .to.emit(c.staking, "Withdrawn")
        .withArgs(p.address, 0, 1, LAT("100"), LAT("900"), LAT("23"));
    });

    it("pays a request blocked by an older one with it once the older matures: none stuck, none before its maturity", async function () {
      // Governance shortens the thawing period between two requests (Horizon's thaw list is paid in order the same way).
      const { c, p, timelock } = await loadFixture(stakedFixture);
      await c.staking.connect(timelock).setThawingPeriod(7200);
      await c.staking.connect(p).thaw(LAT("20"));
      const older = Number((await c.staking.getThawRequest(p.address, 0)).maturesAt);
      await c.staking.connect(timelock).setThawingPeriod(3600);
      await c.staking.connect(p).thaw(LAT("3"));
      const newer = Number((await c.staking.getThawRequest(p.address, 1)).maturesAt);
      expect(newer).to.be.lessThan(older);
      await time.setNextBlockTimestamp(newer - 1);
      await expect(c.staking.connect(p).withdraw(8)).to.be.revertedWithCustomError(c.staking, "StakingNothingToWithdraw").withArgs(p.address);
      await time.setNextBlockTimestamp(older - 1);
      await expect(c.staking.connect(p).withdraw(8)).to.be.revertedWithCustomError(c.staking, "StakingNothingToWithdraw").withArgs(p.address);
      await time.setNextBlockTimestamp(older);
      await expect(c.staking.connect(p).withdraw(8))
        .to.emit(c.staking, "Withdrawn")
        .withArgs(p.address, 0, 2, LAT("23"), LAT("977"), 0);
    });

    it("refuses maxRequests zero", async function () {
      const { c, p } = await loadFixture(thawedFixture);
      await expect(c.staking.connect(p).withdraw(0)).to.be.revertedWithCustomError(c.staking, "StakingInvalidMaxRequests").withArgs(0);
    });

    it("refuses when nothing was ever thawed", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      await expect(c.staking.connect(providers[1]!).withdraw(1))
        .to.be.revertedWithCustomError(c.staking, "StakingNothingToWithdraw")
        .withArgs(providers[1]!.address);
    });

    it("works while paused", async function () {
      const { c, p, guardian, maturesAt } = await loadFixture(thawedFixture);
      await c.pauseGuardian.connect(guardian).pause();
      await time.setNextBlockTimestamp(maturesAt);
      await expect(c.staking.connect(p).withdraw(1)).to.emit(c.staking, "Withdrawn");
    });
  });

  describe("lock, unlock and slashAndUnlock", function () {
    it("lock takes free stake for one job and emits the new locked total", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(escrow).lock(h100.address, 5n, LAT("40")))
        .to.emit(c.staking, "CollateralLocked")
        .withArgs(h100.address, 5n, LAT("40"), LAT("40"));
      await c.staking.connect(escrow).lock(h100.address, 6n, LAT("2"));
      expect(await c.staking.getStake(h100.address)).to.deep.equal([H100_STAKE, LAT("42"), 0n]);
      expect(await c.staking.jobCollateral(5n)).to.deep.equal([h100.address, LAT("40")]);
    });

    it("lock refuses a job that already has a lock", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, 1);
      await expect(c.staking.connect(escrow).lock(h100.address, 5n, 1))
        .to.be.revertedWithCustomError(c.staking, "StakingJobAlreadyLocked")
        .withArgs(5n);
    });

    it("lock refuses a zero amount, which would record a lock that nothing could be slashed from", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(escrow).lock(h100.address, 5n, 0)).to.be.revertedWithCustomError(
        c.staking,
        "StakingZeroAmount",
      );
    });

    it("lock refuses more than the free stake, thawing excluded", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).thaw(LAT("9000"));
      await expect(c.staking.connect(escrow).lock(h100.address, 5n, LAT("1001")))
        .to.be.revertedWithCustomError(c.staking, "StakingInsufficientFreeStake")
        .withArgs(h100.address, LAT("1001"), LAT("1000"));
    });

    it("unlock returns the job's remaining collateral and emits the new total", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("40"));
      await c.staking.connect(escrow).lock(h100.address, 6n, LAT("2"));
      expect(await c.staking.connect(escrow).unlock.staticCall(h100.address, 5n)).to.equal(LAT("40"));
      await expect(c.staking.connect(escrow).unlock(h100.address, 5n))
        .to.emit(c.staking, "CollateralUnlocked")
        .withArgs(h100.address, 5n, LAT("40"), LAT("2"));
      expect(await c.staking.jobCollateral(5n)).to.deep.equal([ZeroAddress, 0n]);
    });

    it("unlock refuses a job locked for another provider", async function () {
      const { c, h100, rtx, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, 1);
      await expect(c.staking.connect(escrow).unlock(rtx.address, 5n))
        .to.be.revertedWithCustomError(c.staking, "StakingNoLock")
        .withArgs(rtx.address, 5n);
    });

    it("unlock refuses the zero provider", async function () {
      const { c, escrow } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(escrow).unlock(ZeroAddress, 5n))
        .to.be.revertedWithCustomError(c.staking, "StakingNoLock")
        .withArgs(ZeroAddress, 5n);
    });

    it("slashAndUnlock takes from the job's lock and stake, pays reward and treasury, then unlocks the rest", async function () {
      const { c, h100, escrow, clients, treasury } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("40"));
      await c.staking.connect(escrow).lock(h100.address, 6n, LAT("2"));
      expect(await c.staking.connect(escrow).slashAndUnlock.staticCall(h100.address, 5n, LAT("30"), clients[0]!.address, LAT("10"))).to.deep.equal([
        LAT("10"),
        LAT("10"),
      ]);
      const tx = c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("30"), clients[0]!.address, LAT("10"));
      await expect(tx)
        .to.emit(c.staking, "Slashed")
        .withArgs(h100.address, 5n, clients[0]!.address, LAT("30"), LAT("10"), LAT("20"), H100_STAKE - LAT("30"), LAT("12"));
      await expect(tx).to.emit(c.staking, "CollateralUnlocked").withArgs(h100.address, 5n, LAT("10"), LAT("2"));
      await expect(tx).to.changeTokenBalances(c.token, [c.staking, clients[0]!, treasury], [-LAT("30"), LAT("10"), LAT("20")]);
      expect(await c.staking.jobCollateral(5n)).to.deep.equal([ZeroAddress, 0n]);
      expect(await c.staking.jobCollateral(6n)).to.deep.equal([h100.address, LAT("2")]);
      expect(await c.staking.getStake(h100.address)).to.deep.equal([H100_STAKE - LAT("30"), LAT("2"), 0n]);
    });

    it("slashAndUnlock emits Slashed, then CollateralUnlocked of nothing when it slashes the whole lock", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      const tx = c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("4"), clients[0]!.address, LAT("4"));
      await expect(tx)
        .to.emit(c.staking, "Slashed")
        .withArgs(h100.address, 5n, clients[0]!.address, LAT("4"), LAT("4"), 0, H100_STAKE - LAT("4"), 0);
      await expect(tx).to.emit(c.staking, "CollateralUnlocked").withArgs(h100.address, 5n, 0, 0);
      const receipt = await (await tx).wait();
      const names = receipt!.logs.map((log) => c.staking.interface.parseLog(log)?.name).filter((name) => name !== undefined);
      expect(names).to.deep.equal(["Slashed", "CollateralUnlocked"]);
      expect(await c.staking.jobCollateral(5n)).to.deep.equal([ZeroAddress, 0n]);
    });

    it("slashAndUnlock never touches thawing stake", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).thaw(LAT("500"));
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("40"));
      await c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("30"), clients[0]!.address, 0);
      expect(await c.staking.getStake(h100.address)).to.deep.equal([H100_STAKE - LAT("30"), 0n, LAT("500")]);
    });

    it("slashAndUnlock sends everything to the treasury when there is no reward", async function () {
      const { c, h100, escrow, clients, treasury } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("4"), clients[0]!.address, 0))
        .to.changeTokenBalances(c.token, [clients[0]!, treasury], [0, LAT("4")]);
    });

    it("slashAndUnlock refuses more than the job's lock", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await c.staking.connect(escrow).lock(h100.address, 6n, LAT("4"));
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("5"), clients[0]!.address, 0))
        .to.be.revertedWithCustomError(c.staking, "StakingSlashExceedsLock")
        .withArgs(5n, LAT("5"), LAT("4"));
    });

    it("slashAndUnlock refuses another provider's job", async function () {
      const { c, h100, rtx, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(escrow).slashAndUnlock(rtx.address, 5n, 1, clients[0]!.address, 0))
        .to.be.revertedWithCustomError(c.staking, "StakingNoLock")
        .withArgs(rtx.address, 5n);
    });

    it("slashAndUnlock refuses the zero provider on an unlocked job", async function () {
      const { c, escrow, clients } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(escrow).slashAndUnlock(ZeroAddress, 9n, 1, clients[0]!.address, 0))
        .to.be.revertedWithCustomError(c.staking, "StakingNoLock")
        .withArgs(ZeroAddress, 9n);
    });

    it("slashAndUnlock refuses a reward above the slashed amount", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, 2, clients[0]!.address, 3))
        .to.be.revertedWithCustomError(c.staking, "StakingRewardExceedsSlash")
        .withArgs(3, 2);
    });

    it("slashAndUnlock refuses a zero beneficiary", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, 2, ZeroAddress, 0)).to.be.revertedWithCustomError(
        c.staking,
        "StakingZeroBeneficiary",
      );
    });

    it("slashAndUnlock refuses zero", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, 0, clients[0]!.address, 0))
        .to.be.revertedWithCustomError(c.staking, "StakingZeroAmount");
    });

    it("lock and unlock are refused to anyone but the escrow, governance and the dispute manager included", async function () {
      const { c, h100, timelock, dm } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(timelock).lock(h100.address, 1n, 1))
        .to.be.revertedWithCustomError(c.staking, "StakingOnlyJobEscrow")
        .withArgs(timelock.address);
      await expect(c.staking.connect(dm).unlock(h100.address, 1n))
        .to.be.revertedWithCustomError(c.staking, "StakingOnlyJobEscrow")
        .withArgs(dm.address);
    });

    it("the dispute manager cannot slash: slashAndUnlock is the escrow's alone and there is no other slash", async function () {
      const { c, h100, escrow, dm, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(dm).slashAndUnlock(h100.address, 5n, LAT("4"), clients[0]!.address, LAT("4")))
        .to.be.revertedWithCustomError(c.staking, "StakingOnlyJobEscrow")
        .withArgs(dm.address);
      // The slash(...) that the dispute manager could once call is not in the deployed code: the call finds no function.
      const removed = new Interface([
        "function slash(address,uint256,uint256,address,uint256)",
        "function disputeManager() view returns (address)",
      ]);
      const staking = await c.staking.getAddress();
      const data = removed.encodeFunctionData("slash", [h100.address, 5n, LAT("4"), clients[0]!.address, LAT("4")]);
      await expect(dm.sendTransaction({ to: staking, data })).to.be.revertedWithoutReason();
      await expect(dm.call({ to: staking, data: removed.encodeFunctionData("disputeManager") })).to.be.revertedWithoutReason();
      expect(await c.staking.jobCollateral(5n)).to.deep.equal([h100.address, LAT("4")]);
      expect(await c.staking.getStake(h100.address)).to.deep.equal([H100_STAKE, LAT("4"), 0n]);
    });

    it("slashAndUnlock is refused to anyone but the escrow, governance and the provider included", async function () {
      const { c, h100, escrow, timelock, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      const callers = [[timelock, timelock.address], [h100.signer, h100.address], [clients[0]!, clients[0]!.address]] as const;
      for (const [caller, address] of callers) {
        await expect(c.staking.connect(caller).slashAndUnlock(h100.address, 5n, 1, address, 0))
          .to.be.revertedWithCustomError(c.staking, "StakingOnlyJobEscrow")
          .withArgs(address);
      }
    });
  });

  describe("slash reward cap", function () {
    it("is 10,000 bps (no cap) until the provider sets it", async function () {
      const { c, h100 } = await loadFixture(rolesFixture);
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(10_000);
    });

    it("setMaxSlashRewardBps sets the caller's own cap and emits it", async function () {
      const { c, h100 } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(2_500))
        .to.emit(c.staking, "MaxSlashRewardSet")
        .withArgs(h100.address, 2_500);
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(2_500);
    });

    it("setMaxSlashRewardBps refuses more than 10,000 bps", async function () {
      const { c, h100 } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(10_001))
        .to.be.revertedWithCustomError(c.staking, "StakingMaxSlashRewardTooHigh")
        .withArgs(10_001, 10_000);
    });

    it("an operator calling setMaxSlashRewardBps sets its own entry, never its provider's cap", async function () {
      const { c, h100, operators } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).setMaxSlashRewardBps(0);
      await c.staking.connect(operators[0]!).setMaxSlashRewardBps(10_000);
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(0);
    });

    it("slashAndUnlock pays the beneficiary at most the cap's share of the slash, rounded down, the rest to the treasury", async function () {
      const { c, h100, escrow, clients, treasury } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).setMaxSlashRewardBps(2_500);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("40"));
      const slash = LAT("30") + 3n;
      const paid = (slash * 2_500n) / 10_000n;
      expect(await c.staking.connect(escrow).slashAndUnlock.staticCall(h100.address, 5n, slash, clients[0]!.address, slash)).to.deep.equal([
        LAT("40") - slash,
        paid,
      ]);
      const tx = c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, slash, clients[0]!.address, slash);
      await expect(tx)
        .to.emit(c.staking, "Slashed")
        .withArgs(h100.address, 5n, clients[0]!.address, slash, paid, slash - paid, H100_STAKE - slash, LAT("40") - slash);
      await expect(tx).to.changeTokenBalances(c.token, [c.staking, clients[0]!, treasury], [-slash, paid, slash - paid]);
    });

    it("slashAndUnlock pays a reward below the cap in full", async function () {
      const { c, h100, escrow, clients, treasury } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).setMaxSlashRewardBps(5_000);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("40"));
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("30"), clients[0]!.address, LAT("10")))
        .to.changeTokenBalances(c.token, [clients[0]!, treasury], [LAT("10"), LAT("20")]);
    });

    it("slashAndUnlock with the cap at 0 sends the whole slash to the treasury, whatever the reward asked", async function () {
      const { c, h100, escrow, clients, treasury } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).setMaxSlashRewardBps(0);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      const tx = c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("4"), clients[0]!.address, LAT("4"));
      await expect(tx).to.emit(c.staking, "Slashed").withArgs(h100.address, 5n, clients[0]!.address, LAT("4"), 0, LAT("4"), H100_STAKE - LAT("4"), 0);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, treasury], [0, LAT("4")]);
    });

    it("setMaxSlashRewardBps refuses to lower the cap while collateral is locked, naming both caps and the lock", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).setMaxSlashRewardBps(5_000);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("40"));
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(4_999))
        .to.be.revertedWithCustomError(c.staking, "StakingSlashRewardCapLowerWhileLocked")
        .withArgs(h100.address, 5_000, 4_999, LAT("40"));
      await c.staking.connect(escrow).lock(h100.address, 6n, LAT("2"));
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(0))
        .to.be.revertedWithCustomError(c.staking, "StakingSlashRewardCapLowerWhileLocked")
        .withArgs(h100.address, 5_000, 0, LAT("42"));
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(5_000);
    });

    it("setMaxSlashRewardBps refuses to cap a provider that never set one while collateral is locked", async function () {
      const { c, h100, escrow } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(9_999))
        .to.be.revertedWithCustomError(c.staking, "StakingSlashRewardCapLowerWhileLocked")
        .withArgs(h100.address, 10_000, 9_999, LAT("4"));
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(10_000);
    });

    it("setMaxSlashRewardBps raises the cap, or sets it unchanged, while collateral is locked", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).setMaxSlashRewardBps(2_500);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("40"));
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(2_500))
        .to.emit(c.staking, "MaxSlashRewardSet")
        .withArgs(h100.address, 2_500);
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(7_500))
        .to.emit(c.staking, "MaxSlashRewardSet")
        .withArgs(h100.address, 7_500);
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(7_500);
      // The raise helps the running job's client at once.
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("40"), clients[0]!.address, LAT("40")))
        .to.emit(c.staking, "Slashed")
        .withArgs(h100.address, 5n, clients[0]!.address, LAT("40"), LAT("30"), LAT("10"), H100_STAKE - LAT("40"), 0);
    });

    it("setMaxSlashRewardBps lowers the cap once nothing is locked: after an unlock, and after a slash", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await c.staking.connect(escrow).lock(h100.address, 6n, LAT("4"));
      await c.staking.connect(escrow).unlock(h100.address, 5n);
      // One lock left: still refused.
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(5_000))
        .to.be.revertedWithCustomError(c.staking, "StakingSlashRewardCapLowerWhileLocked")
        .withArgs(h100.address, 10_000, 5_000, LAT("4"));
      await c.staking.connect(escrow).slashAndUnlock(h100.address, 6n, LAT("1"), clients[0]!.address, LAT("1"));
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(5_000))
        .to.emit(c.staking, "MaxSlashRewardSet")
        .withArgs(h100.address, 5_000);
      await c.staking.connect(escrow).lock(h100.address, 7n, LAT("4"));
      await c.staking.connect(escrow).unlock(h100.address, 7n);
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(0)).to.emit(c.staking, "MaxSlashRewardSet").withArgs(h100.address, 0);
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(0);
    });

    it("the cap survives stake, thaw, withdraw, lock, unlock and slashAndUnlock, which share its slot", async function () {
      const { c, h100, escrow, clients } = await loadFixture(rolesFixture);
      await c.staking.connect(h100.signer).setMaxSlashRewardBps(1_234);
      await c.token.connect(h100.signer).approve(await c.staking.getAddress(), LAT("5"));
      await c.staking.connect(h100.signer).stake(LAT("5"));
      await c.staking.connect(h100.signer).thaw(LAT("5"));
      await time.increase(Number(await c.staking.thawingPeriod()));
      await c.staking.connect(h100.signer).withdraw(1);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await c.staking.connect(escrow).unlock(h100.address, 5n);
      await c.staking.connect(escrow).lock(h100.address, 6n, LAT("4"));
      await c.staking.connect(escrow).slashAndUnlock(h100.address, 6n, LAT("1"), clients[0]!.address, 0);
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(1_234);
      expect(await c.staking.getStake(h100.address)).to.deep.equal([H100_STAKE - LAT("1"), 0n, 0n]);
    });
  });

  describe("views", function () {
    it("hasMinimumStake compares stake net of thawing with minStakePerGpu x gpuCount", async function () {
      const { c, p } = await loadFixture(stakedFixture);
      expect(await c.staking.hasMinimumStake(p.address, 10)).to.equal(true);
      expect(await c.staking.hasMinimumStake(p.address, 11)).to.equal(false);
      await c.staking.connect(p).thaw(1);
      expect(await c.staking.hasMinimumStake(p.address, 10)).to.equal(false);
    });
  });

  describe("parameters", function () {
    it("setMinStakePerGpu is set by governance and emitted", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      await expect(c.staking.connect(timelock).setMinStakePerGpu(LAT("250")))
        .to.emit(c.staking, "ParameterUpdated")
        .withArgs(encodeBytes32String("minStakePerGpu"), LAT("250"));
      expect(await c.staking.minStakePerGpu()).to.equal(LAT("250"));
    });

    for (const value of [LAT("1") - 1n, LAT("1000000") + 1n]) {
      it(`setMinStakePerGpu refuses ${value}`, async function () {
        const { c, timelock } = await loadFixture(baseFixture);
        await expect(c.staking.connect(timelock).setMinStakePerGpu(value))
          .to.be.revertedWithCustomError(c.staking, "GovernedParameterOutOfBounds")
          .withArgs(encodeBytes32String("minStakePerGpu"), value, LAT("1"), LAT("1000000"));
      });
    }

    it("setThawingPeriod applies to new requests only", async function () {
      const { c, p, timelock } = await loadFixture(stakedFixture);
      const t = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(t);
      await c.staking.connect(p).thaw(1);
      await expect(c.staking.connect(timelock).setThawingPeriod(86_400))
        .to.emit(c.staking, "ParameterUpdated")
        .withArgs(encodeBytes32String("thawingPeriod"), 86_400);
      await time.setNextBlockTimestamp(t + 20);
      await c.staking.connect(p).thaw(1);
      expect((await c.staking.getThawRequest(p.address, 0)).maturesAt).to.equal(BigInt(t + 3600));
      expect((await c.staking.getThawRequest(p.address, 1)).maturesAt).to.equal(BigInt(t + 20 + 86_400));
    });

    for (const value of [3599, 90 * 86_400 + 1]) {
      it(`setThawingPeriod refuses ${value}`, async function () {
        const { c, timelock } = await loadFixture(baseFixture);
        await expect(c.staking.connect(timelock).setThawingPeriod(value))
          .to.be.revertedWithCustomError(c.staking, "GovernedParameterOutOfBounds")
          .withArgs(encodeBytes32String("thawingPeriod"), value, 3600, 90 * 86_400);
      });
    }

    it("setTreasury redirects slashed tokens", async function () {
      const { c, h100, escrow, timelock, voters, clients } = await loadFixture(rolesFixture);
      await expect(c.staking.connect(timelock).setTreasury(voters[0]!.address))
        .to.emit(c.staking, "AddressParameterUpdated")
        .withArgs(encodeBytes32String("treasury"), voters[0]!.address);
      await c.staking.connect(escrow).lock(h100.address, 5n, LAT("4"));
      await expect(c.staking.connect(escrow).slashAndUnlock(h100.address, 5n, LAT("4"), clients[0]!.address, 0))
        .to.changeTokenBalance(c.token, voters[0]!, LAT("4"));
    });

    it("setTreasury refuses the zero address", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      await expect(c.staking.connect(timelock).setTreasury(ZeroAddress))
        .to.be.revertedWithCustomError(c.staking, "GovernedZeroAddress")
        .withArgs(encodeBytes32String("treasury"));
    });

    it("setTreasury refuses Staking itself, LAT, the job escrow and the pause guardian, which would strand what it sends", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      for (const contract of [c.staking, c.token, c.jobEscrow, c.pauseGuardian]) {
        const address = await contract.getAddress();
        await expect(c.staking.connect(timelock).setTreasury(address))
          .to.be.revertedWithCustomError(c.staking, "StakingTreasuryIsProtocolContract")
          .withArgs(address);
      }
      expect(await c.staking.treasury()).to.equal(await c.timelock.getAddress());
    });

    it("setTreasury refuses the dispute manager and the registry, which would strand what it sends", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      for (const contract of [c.disputeManager, c.registry]) {
        const address = await contract.getAddress();
        await expect(c.staking.connect(timelock).setTreasury(address))
          .to.be.revertedWithCustomError(c.staking, "StakingTreasuryIsProtocolContract")
          .withArgs(address);
      }
      expect(await c.staking.treasury()).to.equal(await c.timelock.getAddress());
    });

    it("every setter is refused to anyone but governance", async function () {
      const { c, guardian } = await loadFixture(baseFixture);
      for (const call of [
        () => c.staking.connect(guardian).setMinStakePerGpu(LAT("5")),
        () => c.staking.connect(guardian).setThawingPeriod(7200),
        () => c.staking.connect(guardian).setTreasury(guardian.address),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(c.staking, "GovernedOnlyGovernance").withArgs(guardian.address);
      }
    });
  });
});
