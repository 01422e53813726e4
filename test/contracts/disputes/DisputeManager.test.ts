import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String, MaxUint256, parseEther, ZeroAddress } from "ethers";
import { DisputeManager__factory, LatentToken__factory } from "../../../typechain-types";
import { DEFAULT_PARAMS } from "../../../scripts/deploy";
import {
  JobStatus,
  Ruling,
  SettlementReason,
  acceptJob,
  createJob,
  delegate,
  passProposal,
  signPermit,
  submitResult,
} from "../../../scripts/scenario";
import { providersFixture, signatureDeadline, H100_LISTING, H100_STAKE } from "../../helpers/fixtures";

const LAT = (n: string) => parseEther(n);
const P = DEFAULT_PARAMS.economic;
const DEPOSIT = P.disputeDeposit;
const cost = (price: bigint, gpus: bigint, seconds: bigint) => (price * gpus * seconds) / 3600n;
const bps = (x: bigint, b: number) => (x * BigInt(b)) / 10_000n;
/** LatentMath.bpsUp: the fee, the collateral and the timeout slash round up. */
const bpsUp = (x: bigint, b: number) => (x * BigInt(b) + 9_999n) / 10_000n;

describe("DisputeManager", function () {
  /**
   * A 4x H100 job submitted 1,800 s after acceptance, its deposit approved by the client; `maxSlashRewardBps`, where
   * given, is the provider's slash reward cap, set before acceptance (it cannot be lowered once the job is accepted).
   */
  async function submittedFixture(maxSlashRewardBps?: number) {
    const w = await providersFixture();
    const client = w.clients[0]!;
    if (maxSlashRewardBps !== undefined) await w.c.staking.connect(w.h100.signer).setMaxSlashRewardBps(maxSlashRewardBps);
    const job = await createJob(w.s, client, { gpuModel: "h100-sxm-80gb", gpuCount: 4 });
    const acceptedAt = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(acceptedAt);
    await acceptJob(w.s, job, w.h100);
    const submittedAt = acceptedAt + 1800;
    await time.setNextBlockTimestamp(submittedAt);
    await submitResult(w.s, job, w.h100);
    await w.c.token.connect(client).approve(await w.c.disputeManager.getAddress(), DEPOSIT);
    return {
      ...w,
      client,
      job,
      submittedAt,
      challengeDeadline: submittedAt + P.challengeWindow,
      collateral: bpsUp(job.escrowed, P.collateralRatioBps),
      jobCost: cost(H100_LISTING.pricePerGpuHour, 4n, 1800n),
    };
  }

  async function disputedFixture() {
    return dispute(await submittedFixture());
  }

  /** As disputedFixture, the H100 provider's slash reward cap set to 1,000 bps before it accepted the job. */
  async function cappedDisputedFixture() {
    return dispute(await submittedFixture(1_000));
  }

  async function dispute(w: Awaited<ReturnType<typeof submittedFixture>>) {
    const openedAt = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(openedAt);
    await w.c.disputeManager.connect(w.client).openDispute(w.job.jobId, "ipfs://client-evidence");
    return { ...w, openedAt, ruleDeadline: openedAt + P.disputePeriod };
  }

  describe("constructor", function () {
    it("emits the initial arbitrator", async function () {
      const { c, arbitrator } = await loadFixture(providersFixture);
      await expect(c.disputeManager.deploymentTransaction())
        .to.emit(c.disputeManager, "AddressParameterUpdated")
        .withArgs(encodeBytes32String("arbitrator"), arbitrator.address);
    });

    it("refuses zero addresses for its wiring and arbitrator", async function () {
      const { c, deployer } = await loadFixture(providersFixture);
      const f = new DisputeManager__factory(deployer);
      const x = await c.token.getAddress();
      const names = ["governance", "token", "jobEscrow", "registry", "arbitrator"];
      for (let i = 0; i < names.length; i++) {
        const a = [x, x, x, x, x];
        a[i] = ZeroAddress;
        await expect(f.deploy(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!))
          .to.be.revertedWithCustomError(c.disputeManager, "GovernedZeroAddress")
          .withArgs(encodeBytes32String(names[i]!));
      }
    });

    it("refuses LAT, the JobEscrow or the ProviderRegistry as its first arbitrator", async function () {
      const { c, deployer, timelock } = await loadFixture(providersFixture);
      const f = new DisputeManager__factory(deployer);
      const wiring = [await c.token.getAddress(), await c.jobEscrow.getAddress(), await c.registry.getAddress()] as const;
      for (const arbitrator of wiring) {
        await expect(f.deploy(timelock.address, wiring[0], wiring[1], wiring[2], arbitrator))
          .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerArbitratorIsProtocolContract")
          .withArgs(arbitrator);
      }
    });
  });

  describe("openDispute", function () {
    it("takes the job's deposit, marks the job disputed and emits the ruling deadline", async function () {
      const { c, client, job, h100 } = await loadFixture(submittedFixture);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      const tx = c.disputeManager.connect(client).openDispute(job.jobId, "ipfs://evidence");
      await expect(tx)
        .to.emit(c.disputeManager, "DisputeOpened")
        .withArgs(job.jobId, client.address, h100.address, DEPOSIT, "ipfs://evidence", t + P.disputePeriod);
      await expect(tx).to.changeTokenBalances(c.token, [client, c.disputeManager], [-DEPOSIT, DEPOSIT]);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Disputed);
      expect(await c.disputeManager.getDispute(job.jobId)).to.deep.equal([DEPOSIT, BigInt(t), BigInt(t + P.disputePeriod), BigInt(Ruling.None), false]);
    });

    it("is allowed at the end of the challenge window", async function () {
      const { c, client, job, challengeDeadline } = await loadFixture(submittedFixture);
      await time.setNextBlockTimestamp(challengeDeadline);
      await expect(c.disputeManager.connect(client).openDispute(job.jobId, "ipfs://e")).to.emit(c.disputeManager, "DisputeOpened");
    });

    it("is refused one second after the challenge window", async function () {
      const { c, client, job, challengeDeadline } = await loadFixture(submittedFixture);
      await time.setNextBlockTimestamp(challengeDeadline + 1);
      await expect(c.disputeManager.connect(client).openDispute(job.jobId, "ipfs://e"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerChallengeWindowClosed")
        .withArgs(job.jobId, challengeDeadline);
    });

    it("is refused for a job that does not exist", async function () {
      const { c, client } = await loadFixture(submittedFixture);
      const unknown = (await c.jobEscrow.jobCount()) + 5n;
      await expect(c.disputeManager.connect(client).openDispute(unknown, "ipfs://e"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerUnknownJob")
        .withArgs(unknown);
    });

    it("is refused to anyone but the client", async function () {
      const { c, job, h100 } = await loadFixture(submittedFixture);
      await expect(c.disputeManager.connect(h100.signer).openDispute(job.jobId, "ipfs://e"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerNotClient")
        .withArgs(job.jobId, h100.address);
    });

    it("is refused for a job that is not submitted", async function () {
      const { s, c, client, h100 } = await loadFixture(submittedFixture);
      const running = await createJob(s, client, {});
      await acceptJob(s, running, h100);
      await expect(c.disputeManager.connect(client).openDispute(running.jobId, "ipfs://e"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerJobNotSubmitted")
        .withArgs(running.jobId);
    });

    it("is refused twice", async function () {
      const { c, client, job } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(client).openDispute(job.jobId, "ipfs://e"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerJobNotSubmitted")
        .withArgs(job.jobId);
    });

    for (const uri of ["", "x".repeat(257)]) {
      it(`refuses an evidence URI of ${uri.length} bytes`, async function () {
        const { c, client, job } = await loadFixture(submittedFixture);
        await expect(c.disputeManager.connect(client).openDispute(job.jobId, uri))
          .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerInvalidEvidenceURI")
          .withArgs(uri.length, 256);
      });
    }

    it("uses the deposit of the job's parameter version, not the current one", async function () {
      const { c, client, job, timelock } = await loadFixture(submittedFixture);
      await c.jobEscrow.connect(timelock).setDisputeDeposit(LAT("500"));
      await expect(c.disputeManager.connect(client).openDispute(job.jobId, "ipfs://e")).to.changeTokenBalance(c.token, client, -DEPOSIT);
    });

    it("fails without allowance", async function () {
      const { c, client, job } = await loadFixture(submittedFixture);
      await c.token.connect(client).approve(await c.disputeManager.getAddress(), 0);
      await expect(c.disputeManager.connect(client).openDispute(job.jobId, "ipfs://e"))
        .to.be.revertedWithCustomError(c.token, "ERC20InsufficientAllowance")
        .withArgs(await c.disputeManager.getAddress(), 0, DEPOSIT);
    });
  });

  describe("openDisputeWithPermit", function () {
    it("takes the deposit with a permit", async function () {
      const { s, c, client, job } = await loadFixture(submittedFixture);
      await c.token.connect(client).approve(await c.disputeManager.getAddress(), 0);
      const deadline = await signatureDeadline();
      const sig = await signPermit(s, client, await c.disputeManager.getAddress(), DEPOSIT, deadline);
      await expect(c.disputeManager.connect(client).openDisputeWithPermit(job.jobId, "ipfs://e", deadline, sig.v, sig.r, sig.s)).to.changeTokenBalance(
        c.token,
        client,
        -DEPOSIT,
      );
    });

    it("still opens the dispute when the permit was front-run", async function () {
      const { s, c, client, job, funder } = await loadFixture(submittedFixture);
      await c.token.connect(client).approve(await c.disputeManager.getAddress(), 0);
      const dm = await c.disputeManager.getAddress();
      const deadline = await signatureDeadline();
      const sig = await signPermit(s, client, dm, DEPOSIT, deadline);
      await c.token.connect(funder).permit(client.address, dm, DEPOSIT, deadline, sig.v, sig.r, sig.s);
      await expect(c.disputeManager.connect(client).openDisputeWithPermit(job.jobId, "ipfs://e", deadline, sig.v, sig.r, sig.s)).to.emit(
        c.disputeManager,
        "DisputeOpened",
      );
    });
  });

  describe("answerDispute", function () {
    it("records the provider's evidence once", async function () {
      const { c, job, h100 } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(h100.signer).answerDispute(job.jobId, "ipfs://answer"))
        .to.emit(c.disputeManager, "DisputeAnswered")
        .withArgs(job.jobId, h100.address, h100.address, "ipfs://answer");
      expect((await c.disputeManager.getDispute(job.jobId)).answered).to.equal(true);
    });

    it("may be given by the operator", async function () {
      const { c, job, h100, operators } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(operators[0]!).answerDispute(job.jobId, "ipfs://answer"))
        .to.emit(c.disputeManager, "DisputeAnswered")
        .withArgs(job.jobId, h100.address, operators[0]!.address, "ipfs://answer");
    });

    it("is refused a second time", async function () {
      const { c, job, h100 } = await loadFixture(disputedFixture);
      await c.disputeManager.connect(h100.signer).answerDispute(job.jobId, "ipfs://answer");
      await expect(c.disputeManager.connect(h100.signer).answerDispute(job.jobId, "ipfs://again"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerAlreadyAnswered")
        .withArgs(job.jobId);
    });

    it("is refused to anyone else", async function () {
      const { c, job, h100, client } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(client).answerDispute(job.jobId, "ipfs://answer"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerUnauthorized")
        .withArgs(client.address, h100.address);
    });

    it("is accepted at the ruling deadline", async function () {
      const { c, job, h100, ruleDeadline } = await loadFixture(disputedFixture);
      await time.setNextBlockTimestamp(ruleDeadline);
      await expect(c.disputeManager.connect(h100.signer).answerDispute(job.jobId, "ipfs://answer"))
        .to.emit(c.disputeManager, "DisputeAnswered")
        .withArgs(job.jobId, h100.address, h100.address, "ipfs://answer");
    });

    it("is refused after the ruling deadline, when no ruling can weigh it", async function () {
      const { c, job, h100, ruleDeadline } = await loadFixture(disputedFixture);
      await time.setNextBlockTimestamp(ruleDeadline + 1);
      await expect(c.disputeManager.connect(h100.signer).answerDispute(job.jobId, "ipfs://answer"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRulingPeriodOver")
        .withArgs(job.jobId, ruleDeadline);
    });

    it("is refused without an open dispute", async function () {
      const { c, job, h100 } = await loadFixture(submittedFixture);
      await expect(c.disputeManager.connect(h100.signer).answerDispute(job.jobId, "ipfs://answer"))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerNoOpenDispute")
        .withArgs(job.jobId);
    });

    it("refuses an empty evidence URI", async function () {
      const { c, job, h100 } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(h100.signer).answerDispute(job.jobId, ""))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerInvalidEvidenceURI")
        .withArgs(0, 256);
    });
  });

  describe("rule", function () {
    it("upheld: refunds the client in full, returns its deposit and pays it a cut of the slash, to the wei", async function () {
      const { c, client, job, h100, arbitrator, treasury, collateral } = await loadFixture(disputedFixture);
      const slash = bps(collateral, P.maxSlashingCutBps);
      const reward = bps(slash, P.disputeRewardBps);
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, slash);
      await expect(tx).to.emit(c.disputeManager, "DisputeResolved").withArgs(job.jobId, Ruling.Upheld, arbitrator.address, slash, reward, client.address);
      await expect(tx).to.emit(c.jobEscrow, "JobRefunded").withArgs(job.jobId, h100.address, job.escrowed);
      await expect(tx).to.emit(c.staking, "Slashed").withArgs(h100.address, job.jobId, client.address, slash, reward, slash - reward, H100_STAKE - slash, collateral - slash);
      await expect(tx).to.emit(c.staking, "CollateralUnlocked").withArgs(h100.address, job.jobId, collateral - slash, 0);
      await expect(tx).to.changeTokenBalances(
        c.token,
        [client, h100.signer, treasury, c.jobEscrow, c.disputeManager, c.staking],
        [job.escrowed + DEPOSIT + reward, 0, slash - reward, -job.escrowed, -DEPOSIT, -slash],
      );
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Refunded);
      expect(await c.jobEscrow.providerStats(h100.address)).to.deep.equal([0n, 0n, 1n]);
      expect((await c.disputeManager.getDispute(job.jobId)).ruling).to.equal(Ruling.Upheld);
    });

    it("upheld: reports the reward the provider's slash reward cap let through, the rest of the slash to the treasury", async function () {
      const { c, client, job, h100, arbitrator, treasury, collateral } = await loadFixture(cappedDisputedFixture);
      const slash = bps(collateral, P.maxSlashingCutBps);
      const paid = bps(slash, 1_000);
      expect(paid).to.be.below(bps(slash, P.disputeRewardBps));
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, slash);
      await expect(tx).to.emit(c.disputeManager, "DisputeResolved").withArgs(job.jobId, Ruling.Upheld, arbitrator.address, slash, paid, client.address);
      await expect(tx).to.changeTokenBalances(c.token, [client, treasury], [job.escrowed + DEPOSIT + paid, slash - paid]);
    });

    it("upheld: pays the client under the cap in force at acceptance, which the provider cannot lower during the dispute", async function () {
      const { c, client, job, h100, arbitrator, treasury, collateral } = await loadFixture(disputedFixture);
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(0))
        .to.be.revertedWithCustomError(c.staking, "StakingSlashRewardCapLowerWhileLocked")
        .withArgs(h100.address, 10_000, 0, collateral);
      const slash = bps(collateral, P.maxSlashingCutBps);
      const reward = bps(slash, P.disputeRewardBps);
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, slash);
      await expect(tx).to.emit(c.disputeManager, "DisputeResolved").withArgs(job.jobId, Ruling.Upheld, arbitrator.address, slash, reward, client.address);
      await expect(tx).to.changeTokenBalances(c.token, [client, treasury], [job.escrowed + DEPOSIT + reward, slash - reward]);
    });

    it("upheld with no slash refunds without slashing", async function () {
      const { c, job, arbitrator, client } = await loadFixture(disputedFixture);
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, 0);
      await expect(tx).not.to.emit(c.staking, "Slashed");
      await expect(tx).to.changeTokenBalance(c.token, client, job.escrowed + DEPOSIT);
    });

    it("upheld refuses a slash above the job's maximum cut", async function () {
      const { c, job, arbitrator, collateral } = await loadFixture(disputedFixture);
      const max = bps(collateral, P.maxSlashingCutBps);
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, max + 1n))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerSlashTooLarge")
        .withArgs(job.jobId, max + 1n, max);
    });

    it("upheld caps the slash and pays the reward by the job's parameter version, not the current one", async function () {
      const { c, client, job, arbitrator, timelock, collateral } = await loadFixture(disputedFixture);
      await c.jobEscrow.connect(timelock).setCollateralRatioBps(30_000);
      await c.jobEscrow.connect(timelock).setMaxSlashingCutBps(10_000);
      await c.jobEscrow.connect(timelock).setDisputeRewardBps(0);
      const max = bps(collateral, P.maxSlashingCutBps);
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, max + 1n))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerSlashTooLarge")
        .withArgs(job.jobId, max + 1n, max);
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, max))
        .to.emit(c.disputeManager, "DisputeResolved")
        .withArgs(job.jobId, Ruling.Upheld, arbitrator.address, max, bps(max, P.disputeRewardBps), client.address);
    });

    it("rejected: settles the job to the provider and pays it the deposit", async function () {
      const { c, client, job, h100, arbitrator, treasury, jobCost, collateral } = await loadFixture(disputedFixture);
      const fee = bpsUp(jobCost, P.protocolFeeBps);
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Rejected, 0);
      await expect(tx).to.emit(c.disputeManager, "DisputeResolved").withArgs(job.jobId, Ruling.Rejected, arbitrator.address, 0, 0, h100.address);
      await expect(tx)
        .to.emit(c.jobEscrow, "JobSettled")
        .withArgs(job.jobId, h100.address, SettlementReason.DisputeRejected, jobCost, fee, jobCost - fee, job.escrowed - jobCost);
      await expect(tx).to.emit(c.staking, "CollateralUnlocked").withArgs(h100.address, job.jobId, collateral, 0);
      await expect(tx).to.changeTokenBalances(
        c.token,
        [client, h100.signer, treasury, c.disputeManager],
        [job.escrowed - jobCost, jobCost - fee + DEPOSIT, fee, -DEPOSIT],
      );
      // 4 LAT, under the default minTrackRecordCost: paid in full, but no track record.
      expect(jobCost).to.be.lessThan(P.minTrackRecordCost);
      expect(await c.jobEscrow.providerStats(h100.address)).to.deep.equal([0n, 0n, 0n]);
    });

    it("rejected: a job that cost at least the minTrackRecordCost of its parameters counts as completed", async function () {
      const w = await loadFixture(providersFixture);
      const client = w.clients[0]!;
      const jobCost = cost(H100_LISTING.pricePerGpuHour, 4n, 1800n);
      await w.c.jobEscrow.connect(w.timelock).setMinTrackRecordCost(jobCost);
      const job = await createJob(w.s, client, { gpuModel: "h100-sxm-80gb", gpuCount: 4 });
      const acceptedAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(acceptedAt);
      await acceptJob(w.s, job, w.h100);
      await time.setNextBlockTimestamp(acceptedAt + 1800);
      await submitResult(w.s, job, w.h100);
      await w.c.token.connect(client).approve(await w.c.disputeManager.getAddress(), DEPOSIT);
      await w.c.disputeManager.connect(client).openDispute(job.jobId, "ipfs://client-evidence");
      await w.c.disputeManager.connect(w.arbitrator).rule(job.jobId, Ruling.Rejected, 0);
      expect(await w.c.jobEscrow.providerStats(w.h100.address)).to.deep.equal([1n, 0n, 0n]);
    });

    it("draw: settles the job to the provider and returns the deposit", async function () {
      const { c, client, job, h100, arbitrator, jobCost } = await loadFixture(disputedFixture);
      const fee = bpsUp(jobCost, P.protocolFeeBps);
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Draw, 0);
      await expect(tx).to.emit(c.disputeManager, "DisputeResolved").withArgs(job.jobId, Ruling.Draw, arbitrator.address, 0, 0, client.address);
      await expect(tx)
        .to.emit(c.jobEscrow, "JobSettled")
        .withArgs(job.jobId, h100.address, SettlementReason.DisputeDraw, jobCost, fee, jobCost - fee, job.escrowed - jobCost);
      await expect(tx).to.changeTokenBalances(c.token, [client, h100.signer], [job.escrowed - jobCost + DEPOSIT, jobCost - fee]);
    });

    it("is allowed at the ruling deadline", async function () {
      const { c, job, arbitrator, ruleDeadline } = await loadFixture(disputedFixture);
      await time.setNextBlockTimestamp(ruleDeadline);
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Draw, 0)).to.emit(c.disputeManager, "DisputeResolved");
    });

    it("is refused one second after the ruling deadline", async function () {
      const { c, job, arbitrator, ruleDeadline } = await loadFixture(disputedFixture);
      await time.setNextBlockTimestamp(ruleDeadline + 1);
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Draw, 0))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRulingPeriodOver")
        .withArgs(job.jobId, ruleDeadline);
    });

    for (const ruling of [Ruling.Rejected, Ruling.Draw]) {
      it(`refuses a slash with the ruling ${Ruling[ruling]}, which slashes nothing`, async function () {
        const { c, job, arbitrator } = await loadFixture(disputedFixture);
        await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, ruling, 123n))
          .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerSlashWithoutUpheld")
          .withArgs(job.jobId, ruling, 123n);
      });
    }

    for (const ruling of [Ruling.None, Ruling.Expired]) {
      it(`refuses the ruling ${Ruling[ruling]}`, async function () {
        const { c, job, arbitrator } = await loadFixture(disputedFixture);
        await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, ruling, 0))
          .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerInvalidRuling")
          .withArgs(ruling);
      });
    }

    it("is refused to anyone but the arbitrator, governance included", async function () {
      const { c, job, timelock } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(timelock).rule(job.jobId, Ruling.Draw, 0))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerNotArbitrator")
        .withArgs(timelock.address);
    });

    it("is refused once ruled", async function () {
      const { c, job, arbitrator } = await loadFixture(disputedFixture);
      await c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Draw, 0);
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, 0))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerNoOpenDispute")
        .withArgs(job.jobId);
    });
  });

  describe("closeExpired", function () {
    it("is refused at the ruling deadline", async function () {
      const { c, job, funder, ruleDeadline } = await loadFixture(disputedFixture);
      await time.setNextBlockTimestamp(ruleDeadline);
      await expect(c.disputeManager.connect(funder).closeExpired(job.jobId))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRulingPeriodNotOver")
        .withArgs(job.jobId, ruleDeadline);
    });

    it("closes the dispute as a draw one second after it, called by anyone", async function () {
      const { c, client, job, h100, funder, ruleDeadline, jobCost } = await loadFixture(disputedFixture);
      const fee = bpsUp(jobCost, P.protocolFeeBps);
      await time.setNextBlockTimestamp(ruleDeadline + 1);
      const tx = c.disputeManager.connect(funder).closeExpired(job.jobId);
      await expect(tx).to.emit(c.disputeManager, "DisputeResolved").withArgs(job.jobId, Ruling.Expired, funder.address, 0, 0, client.address);
      await expect(tx)
        .to.emit(c.jobEscrow, "JobSettled")
        .withArgs(job.jobId, h100.address, SettlementReason.DisputeDraw, jobCost, fee, jobCost - fee, job.escrowed - jobCost);
      await expect(tx).to.changeTokenBalances(c.token, [client, h100.signer, funder], [job.escrowed - jobCost + DEPOSIT, jobCost - fee, 0]);
      expect((await c.disputeManager.getDispute(job.jobId)).ruling).to.equal(Ruling.Expired);
    });

    it("is refused without an open dispute", async function () {
      const { c, job, funder } = await loadFixture(submittedFixture);
      await expect(c.disputeManager.connect(funder).closeExpired(job.jobId))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerNoOpenDispute")
        .withArgs(job.jobId);
    });
  });

  describe("setArbitrator", function () {
    it("appoints a new arbitrator, who alone may rule", async function () {
      const { c, job, timelock, funder, arbitrator } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(timelock).setArbitrator(funder.address))
        .to.emit(c.disputeManager, "AddressParameterUpdated")
        .withArgs(encodeBytes32String("arbitrator"), funder.address);
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Draw, 0))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerNotArbitrator")
        .withArgs(arbitrator.address);
      await expect(c.disputeManager.connect(funder).rule(job.jobId, Ruling.Draw, 0)).to.emit(c.disputeManager, "DisputeResolved");
    });

    it("refuses the zero address", async function () {
      const { c, timelock } = await loadFixture(providersFixture);
      await expect(c.disputeManager.connect(timelock).setArbitrator(ZeroAddress))
        .to.be.revertedWithCustomError(c.disputeManager, "GovernedZeroAddress")
        .withArgs(encodeBytes32String("arbitrator"));
    });

    it("refuses the dispute manager itself, LAT, the JobEscrow and the ProviderRegistry, none of which can rule", async function () {
      const { c, timelock, arbitrator } = await loadFixture(providersFixture);
      for (const contract of [c.disputeManager, c.token, c.jobEscrow, c.registry]) {
        const address = await contract.getAddress();
        await expect(c.disputeManager.connect(timelock).setArbitrator(address))
          .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerArbitratorIsProtocolContract")
          .withArgs(address);
      }
      expect(await c.disputeManager.arbitrator()).to.equal(arbitrator.address);
    });

    it("refuses Staking and the PauseGuardian, which cannot call rule either", async function () {
      const { c, timelock, arbitrator } = await loadFixture(providersFixture);
      for (const contract of [c.staking, c.pauseGuardian]) {
        const address = await contract.getAddress();
        await expect(c.disputeManager.connect(timelock).setArbitrator(address))
          .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerArbitratorIsProtocolContract")
          .withArgs(address);
      }
      expect(await c.disputeManager.arbitrator()).to.equal(arbitrator.address);
    });

    it("accepts the timelock, which rules by proposal", async function () {
      const { c, timelock } = await loadFixture(providersFixture);
      await expect(c.disputeManager.connect(timelock).setArbitrator(timelock.address))
        .to.emit(c.disputeManager, "AddressParameterUpdated")
        .withArgs(encodeBytes32String("arbitrator"), timelock.address);
    });

    it("is refused to anyone but governance", async function () {
      const { c, arbitrator } = await loadFixture(providersFixture);
      await expect(c.disputeManager.connect(arbitrator).setArbitrator(arbitrator.address))
        .to.be.revertedWithCustomError(c.disputeManager, "GovernedOnlyGovernance")
        .withArgs(arbitrator.address);
    });
  });

  describe("recoverTokens", function () {
    const STRAY = LAT("75");

    /** A dispute open (its deposit held) and STRAY LAT sent to the dispute manager by a plain transfer. */
    async function strayLatFixture() {
      const w = await disputedFixture();
      await w.c.token.connect(w.funder).transfer(await w.c.disputeManager.getAddress(), STRAY);
      return w;
    }

    /** 1,000 of another ERC20 (not LAT) sent to the dispute manager by mistake, a dispute open. */
    async function strayOtherFixture() {
      const w = await disputedFixture();
      const other = await new LatentToken__factory(w.deployer).deploy(w.funder.address, LAT("1000000"), [], [], [ZeroAddress, ZeroAddress, ZeroAddress]);
      await other.connect(w.funder).transfer(await w.c.disputeManager.getAddress(), LAT("1000"));
      return { ...w, other };
    }

    it("sends LAT sent by mistake to the address governance names and emits TokensRecovered", async function () {
      const { c, timelock, funder } = await loadFixture(strayLatFixture);
      const tx = c.disputeManager.connect(timelock).recoverTokens(await c.token.getAddress(), funder.address, LAT("50"));
      await expect(tx).to.emit(c.disputeManager, "TokensRecovered").withArgs(await c.token.getAddress(), funder.address, LAT("50"));
      await expect(tx).to.changeTokenBalances(c.token, [c.disputeManager, funder], [-LAT("50"), LAT("50")]);
      expect(await c.disputeManager.recoverable(await c.token.getAddress())).to.equal(STRAY - LAT("50"));
    });

    it("sends all the LAT above the deposits held for type(uint256).max", async function () {
      const { c, timelock, funder } = await loadFixture(strayLatFixture);
      const lat = await c.token.getAddress();
      expect(await c.disputeManager.recoverable(lat)).to.equal(STRAY);
      const tx = c.disputeManager.connect(timelock).recoverTokens(lat, funder.address, MaxUint256);
      await expect(tx).to.emit(c.disputeManager, "TokensRecovered").withArgs(lat, funder.address, STRAY);
      await expect(tx).to.changeTokenBalances(c.token, [c.disputeManager, funder], [-STRAY, STRAY]);
      expect(await c.token.balanceOf(await c.disputeManager.getAddress())).to.equal(DEPOSIT);
      expect(await c.disputeManager.recoverable(lat)).to.equal(0);
    });

    it("refuses LAT beyond the surplus, so that no deposit held can be taken", async function () {
      const { c, timelock, funder } = await loadFixture(strayLatFixture);
      await expect(c.disputeManager.connect(timelock).recoverTokens(await c.token.getAddress(), funder.address, STRAY + 1n))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRecoveryExceedsSurplus")
        .withArgs(STRAY + 1n, STRAY);
    });

    it("refuses any LAT when the contract holds only deposits", async function () {
      const { c, timelock, funder } = await loadFixture(disputedFixture);
      await expect(c.disputeManager.connect(timelock).recoverTokens(await c.token.getAddress(), funder.address, DEPOSIT))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRecoveryExceedsSurplus")
        .withArgs(DEPOSIT, 0);
    });

    it("pays the held deposit and the job in full after a recovery of the whole surplus", async function () {
      const { c, timelock, funder, client, job, arbitrator } = await loadFixture(strayLatFixture);
      await c.disputeManager.connect(timelock).recoverTokens(await c.token.getAddress(), funder.address, MaxUint256);
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, 0);
      await expect(tx).to.changeTokenBalances(c.token, [client, c.disputeManager, c.jobEscrow], [job.escrowed + DEPOSIT, -DEPOSIT, -job.escrowed]);
      expect(await c.token.balanceOf(await c.disputeManager.getAddress())).to.equal(0);
    });

    it("refuses a zero amount, and type(uint256).max when nothing is recoverable", async function () {
      const { c, timelock, funder } = await loadFixture(disputedFixture);
      const lat = await c.token.getAddress();
      for (const amount of [0n, MaxUint256]) {
        await expect(c.disputeManager.connect(timelock).recoverTokens(lat, funder.address, amount))
          .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRecoveryZeroAmount");
      }
    });

    it("refuses the zero address as recipient", async function () {
      const { c, timelock } = await loadFixture(strayLatFixture);
      await expect(c.disputeManager.connect(timelock).recoverTokens(await c.token.getAddress(), ZeroAddress, STRAY))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRecoveryZeroRecipient");
    });

    it("is refused to anyone but governance, the arbitrator included", async function () {
      const { c, arbitrator, funder } = await loadFixture(strayLatFixture);
      for (const caller of [arbitrator, funder]) {
        await expect(c.disputeManager.connect(caller).recoverTokens(await c.token.getAddress(), caller.address, STRAY))
          .to.be.revertedWithCustomError(c.disputeManager, "GovernedOnlyGovernance")
          .withArgs(caller.address);
      }
    });

    it("runs as a governance proposal through the Governor and the timelock", async function () {
      const { s, c, funder } = await loadFixture(strayLatFixture);
      const lat = await c.token.getAddress();
      const data = c.disputeManager.interface.encodeFunctionData("recoverTokens", [lat, funder.address, MaxUint256]);
      await delegate(s, funder);
      const before = await c.token.balanceOf(funder.address);
      await passProposal(s, [{ target: await c.disputeManager.getAddress(), data }], "Return 75 LAT sent to the DisputeManager by mistake");
      expect(await c.token.balanceOf(funder.address)).to.equal(before + STRAY);
      expect(await c.disputeManager.recoverable(lat)).to.equal(0);
    });

    it("sends another token's whole balance for type(uint256).max, or a given amount of it", async function () {
      const { c, timelock, funder, other } = await loadFixture(strayOtherFixture);
      const otherAddress = await other.getAddress();
      expect(await c.disputeManager.recoverable(otherAddress)).to.equal(LAT("1000"));
      const part = c.disputeManager.connect(timelock).recoverTokens(otherAddress, funder.address, LAT("400"));
      await expect(part).to.emit(c.disputeManager, "TokensRecovered").withArgs(otherAddress, funder.address, LAT("400"));
      await expect(part).to.changeTokenBalances(other, [c.disputeManager, funder], [-LAT("400"), LAT("400")]);
      const rest = c.disputeManager.connect(timelock).recoverTokens(otherAddress, funder.address, MaxUint256);
      await expect(rest).to.emit(c.disputeManager, "TokensRecovered").withArgs(otherAddress, funder.address, LAT("600"));
      expect(await other.balanceOf(await c.disputeManager.getAddress())).to.equal(0);
      expect(await c.token.balanceOf(await c.disputeManager.getAddress())).to.equal(DEPOSIT);
    });

    it("refuses more of another token than its balance", async function () {
      const { c, timelock, funder, other } = await loadFixture(strayOtherFixture);
      await expect(c.disputeManager.connect(timelock).recoverTokens(await other.getAddress(), funder.address, LAT("1000") + 1n))
        .to.be.revertedWithCustomError(c.disputeManager, "DisputeManagerRecoveryExceedsSurplus")
        .withArgs(LAT("1000") + 1n, LAT("1000"));
    });
  });

  describe("heldDeposits", function () {
    it("counts a dispute's deposit from its opening", async function () {
      const { c } = await loadFixture(disputedFixture);
      expect(await c.disputeManager.heldDeposits()).to.equal(DEPOSIT);
    });

    for (const ruling of [Ruling.Upheld, Ruling.Rejected, Ruling.Draw]) {
      it(`drops the deposit when the arbitrator rules ${Ruling[ruling]}`, async function () {
        const { c, job, arbitrator } = await loadFixture(disputedFixture);
        await c.disputeManager.connect(arbitrator).rule(job.jobId, ruling, 0);
        expect(await c.disputeManager.heldDeposits()).to.equal(0);
      });
    }

    it("drops the deposit when an expired dispute is closed", async function () {
      const { c, job, funder, ruleDeadline } = await loadFixture(disputedFixture);
      await time.setNextBlockTimestamp(ruleDeadline + 1);
      await c.disputeManager.connect(funder).closeExpired(job.jobId);
      expect(await c.disputeManager.heldDeposits()).to.equal(0);
    });
  });
});
