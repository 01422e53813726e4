/**
 * Money paths read as an attacker would: each `it` is a suspicion that a party could take, lock or destroy value that
 * is not its own, shown not to hold. Suspicions already covered by the per-contract suites (timestamp edges, the
 * pause's open exits for jobs, the slash reward cap while locked) are not repeated here.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { DEFAULT_PARAMS } from "../../../scripts/deploy";
import { JobStatus, Ruling, SettlementReason, acceptJob, createJob, submitResult } from "../../../scripts/scenario";
import { providersFixture, H100_STAKE } from "../../helpers/fixtures";

const LAT = (n: string) => parseEther(n);
const P = DEFAULT_PARAMS.economic;
const cost = (price: bigint, gpus: bigint, seconds: bigint) => (price * gpus * seconds) / 3600n;
const bps = (x: bigint, b: number) => (x * BigInt(b)) / 10_000n;
/** LatentMath.bpsUp: the fee, the collateral and the timeout slash round up. */
const bpsUp = (x: bigint, b: number) => (x * BigInt(b) + 9_999n) / 10_000n;

describe("adversarial scenarios", function () {
  /** A 4x H100 job (max 3 LAT/GPU-h, 1 h) accepted by the H100 provider under version 1 of the parameters. */
  async function acceptedFixture() {
    const w = await providersFixture();
    const job = await createJob(w.s, w.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 4 });
    const acceptedAt = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(acceptedAt);
    await acceptJob(w.s, job, w.h100);
    return { ...w, job, acceptedAt, resultDeadline: acceptedAt + 3600 + P.grace, collateral: bpsUp(job.escrowed, P.collateralRatioBps) };
  }

  async function submittedFixture() {
    const w = await acceptedFixture();
    const submittedAt = w.acceptedAt + 1800;
    await time.setNextBlockTimestamp(submittedAt);
    await submitResult(w.s, w.job, w.h100);
    return { ...w, submittedAt, challengeDeadline: submittedAt + P.challengeWindow };
  }

  describe("governance changes a parameter while a job runs", function () {
    it("a timeout slashes the collateral of the acceptance's version after governance raised the ratio and the timeout slash", async function () {
      // Read under the current version, the slash would be 3x the escrow, above the job's lock: the timeout would
      // revert and the client's escrow stay in the contract for good.
      const { c, job, h100, funder, clients, timelock, resultDeadline, collateral } = await loadFixture(acceptedFixture);
      await c.jobEscrow.connect(timelock).setCollateralRatioBps(30_000);
      await c.jobEscrow.connect(timelock).setTimeoutSlashBps(10_000);
      const slashed = bpsUp(collateral, P.timeoutSlashBps);
      await time.setNextBlockTimestamp(resultDeadline + 1);
      const tx = c.jobEscrow.connect(funder).claimTimeout(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobTimedOut").withArgs(job.jobId, h100.address, job.escrowed, slashed);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, c.jobEscrow, c.staking], [job.escrowed + slashed, -job.escrowed, -slashed]);
    });

    it("a job given back slashes the collateral of the acceptance's version, as its timeout would, after governance raised the ratio and the timeout slash", async function () {
      const { c, job, h100, clients, timelock, collateral } = await loadFixture(acceptedFixture);
      await c.jobEscrow.connect(timelock).setCollateralRatioBps(30_000);
      await c.jobEscrow.connect(timelock).setTimeoutSlashBps(10_000);
      const slashed = bpsUp(collateral, P.timeoutSlashBps);
      const tx = c.jobEscrow.connect(h100.signer).abandonJob(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobTimedOut").withArgs(job.jobId, h100.address, job.escrowed, slashed);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, c.jobEscrow, c.staking], [job.escrowed + slashed, -job.escrowed, -slashed]);
    });

    it("a challenge window shortened after submission still lets the client dispute until the window it was given", async function () {
      const { c, job, h100, clients, funder, timelock, submittedAt, challengeDeadline } = await loadFixture(submittedFixture);
      await c.jobEscrow.connect(timelock).setChallengeWindow(600);
      await time.setNextBlockTimestamp(submittedAt + 601);
      await expect(c.jobEscrow.connect(funder).settle(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowChallengeWindowOpen")
        .withArgs(job.jobId, challengeDeadline);
      await c.token.connect(clients[0]!).approve(await c.disputeManager.getAddress(), P.disputeDeposit);
      await time.setNextBlockTimestamp(challengeDeadline);
      await expect(c.disputeManager.connect(clients[0]!).openDispute(job.jobId, "ipfs://late-but-in-time"))
        .to.emit(c.disputeManager, "DisputeOpened")
        .withArgs(job.jobId, clients[0]!.address, h100.address, P.disputeDeposit, "ipfs://late-but-in-time", challengeDeadline + P.disputePeriod);
    });

    it("a grace shortened after acceptance does not expose the provider to a timeout before the deadline it was given", async function () {
      const { s, c, job, h100, funder, timelock, acceptedAt, resultDeadline } = await loadFixture(acceptedFixture);
      await c.jobEscrow.connect(timelock).setGrace(60);
      await time.setNextBlockTimestamp(acceptedAt + 3600 + 61);
      await expect(c.jobEscrow.connect(funder).claimTimeout(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowResultDeadlineNotPassed")
        .withArgs(job.jobId, resultDeadline);
      await time.setNextBlockTimestamp(resultDeadline);
      await expect(submitResult(s, job, h100)).to.emit(c.jobEscrow, "ResultSubmitted");
    });
  });

  describe("governance changes a provider-side parameter while a job runs", function () {
    it("a provider made inactive by a higher minStakePerGpu still submits and is paid for the job it accepted", async function () {
      const { s, c, job, h100, clients, timelock } = await loadFixture(acceptedFixture);
      await c.staking.connect(timelock).setMinStakePerGpu(LAT("1000000"));
      expect(await c.registry.isActive(h100.address)).to.equal(false);
      await submitResult(s, job, h100, { after: 600 });
      await expect(c.jobEscrow.connect(clients[0]!).approveResult(job.jobId)).to.emit(c.jobEscrow, "JobSettled");
    });

    it("a provider above a lowered maxGpusPerProvider still frees its GPUs on timeout", async function () {
      const { c, job, h100, funder, timelock, resultDeadline } = await loadFixture(acceptedFixture);
      await c.registry.connect(timelock).setMaxGpusPerProvider(1);
      await time.setNextBlockTimestamp(resultDeadline + 1);
      await expect(c.jobEscrow.connect(funder).claimTimeout(job.jobId)).to.emit(c.registry, "CapacityReleased").withArgs(h100.address, job.jobId, 4, 0);
    });
  });

  describe("slashing after thawing", function () {
    it("a provider that thawed all its free stake is slashed the whole collateral at 300% and still withdraws every request", async function () {
      const w = await providersFixture();
      await w.c.jobEscrow.connect(w.timelock).setCollateralRatioBps(30_000);
      await w.c.jobEscrow.connect(w.timelock).setTimeoutSlashBps(10_000);
      const job = await createJob(w.s, w.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 8, maxDuration: 7_200 });
      await acceptJob(w.s, job, w.h100);
      const collateral = job.escrowed * 3n;
      const free = H100_STAKE - collateral;
      await w.c.staking.connect(w.h100.signer).thaw(free);
      const deadline = Number((await w.c.jobEscrow.getJob(job.jobId)).deadline);
      await time.setNextBlockTimestamp(deadline + 1);
      await expect(w.c.jobEscrow.connect(w.funder).claimTimeout(job.jobId))
        .to.emit(w.c.staking, "Slashed")
        .withArgs(w.h100.address, job.jobId, w.clients[0]!.address, collateral, collateral, 0, free, 0);
      expect(await w.c.staking.getStake(w.h100.address)).to.deep.equal([free, 0n, free]);
      await time.increase(3600);
      await expect(w.c.staking.connect(w.h100.signer).withdraw(8)).to.changeTokenBalances(w.c.token, [w.h100.signer, w.c.staking], [free, -free]);
      expect(await w.c.staking.getStake(w.h100.address)).to.deep.equal([0n, 0n, 0n]);
    });
  });

  describe("thawing period", function () {
    // The route this closes: a provider posts a job to itself, accepts it and lets it time out; the timeout pays the
    // slashed collateral to the client, so timeoutSlashBps of its stake came back to it after maxDuration + grace
    // (16 minutes) instead of thawingPeriod (7 days), with its escrow in full.
    /** A job of the H100's whole stake as collateral, 8 GPUs for a minute, posted by `client`. */
    function selfJobTerms() {
      const escrowed = (H100_STAKE * 10_000n) / BigInt(P.collateralRatioBps);
      return { escrowed, options: { gpuCount: 8, maxDuration: 60, maxPricePerGpuHour: (escrowed * 3600n) / (8n * 60n) } };
    }

    it("refuses a provider's job directed at itself when posted, its escrow never held", async function () {
      const w = await loadFixture(providersFixture);
      const { options } = selfJobTerms();
      await expect(createJob(w.s, w.h100.signer, { ...options, targetProvider: w.h100.address }))
        .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowSelfDirectedTarget")
        .withArgs(w.h100.address);
      expect(await w.c.jobEscrow.jobCount()).to.equal(0n);
    });

    it("refuses a provider's acceptance of an open job it posted, leaving its stake free and the job open", async function () {
      const w = await loadFixture(providersFixture);
      const { options } = selfJobTerms();
      const job = await createJob(w.s, w.h100.signer, options);
      await expect(acceptJob(w.s, job, w.h100))
        .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowSelfDirectedJob")
        .withArgs(job.jobId, w.h100.address, w.h100.address);
      expect(await w.c.staking.getStake(w.h100.address)).to.deep.equal([H100_STAKE, 0n, 0n]);
      expect((await w.c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Open);
    });

    it("refuses a provider's acceptance of a job its operator key posted, by the operator as by the provider", async function () {
      // Posting it is not refused: the operator can change between posting and acceptance, so only acceptance can tell.
      const w = await loadFixture(providersFixture);
      const operator = w.operators[0]!;
      const { escrowed, options } = selfJobTerms();
      await w.c.token.connect(w.clients[1]!).transfer(operator.address, escrowed);
      const job = await createJob(w.s, operator, { ...options, targetProvider: w.h100.address });
      for (const by of ["owner", "operator"] as const) {
        await expect(acceptJob(w.s, job, w.h100, by))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowSelfDirectedJob")
          .withArgs(job.jobId, operator.address, w.h100.address);
      }
    });

    it("lets a provider post a job that another provider accepts", async function () {
      const w = await loadFixture(providersFixture);
      const job = await createJob(w.s, w.h100.signer, { targetProvider: w.rtx.address, maxPricePerGpuHour: LAT("0.5") });
      await expect(acceptJob(w.s, job, w.rtx)).to.emit(w.c.jobEscrow, "JobAccepted");
    });

    it("lets a second address the registry does not tie to the provider take at most timeoutSlashBps of one job's collateral a round, each round a timeout on the provider's record", async function () {
      // Not preventable on-chain: nothing tells the provider's second address from a client. The economics bound it
      // instead: each round takes maxDuration + grace, moves at most timeoutSlashBps of that job's collateral (and
      // none above the provider's slash reward cap) and adds a timeout to the record clients choose providers by.
      const w = await loadFixture(providersFixture);
      const second = w.clients[1]!;
      const { escrowed, options } = selfJobTerms();
      const job = await createJob(w.s, second, { ...options, targetProvider: w.h100.address });
      await acceptJob(w.s, job, w.h100);
      const slashed = bps(H100_STAKE, P.timeoutSlashBps);
      await time.increase(60 + P.grace + 1);
      await expect(w.c.jobEscrow.connect(second).claimTimeout(job.jobId)).to.changeTokenBalances(w.c.token, [second, w.c.staking], [escrowed + slashed, -slashed]);
      expect((await w.c.jobEscrow.providerStats(w.h100.address)).timedOut).to.equal(1n);
    });
  });

  describe("thawing period, by a job given back", function () {
    it("lets a second address take no more a round by abandonJob than by a timeout: timeoutSlashBps of one job's collateral, a timeout on the record", async function () {
      // A round now takes one block instead of maxDuration + grace: the amount and the record are what bound it.
      const w = await loadFixture(providersFixture);
      const second = w.clients[1]!;
      const escrowed = (H100_STAKE * 10_000n) / BigInt(P.collateralRatioBps);
      const job = await createJob(w.s, second, { gpuCount: 8, maxDuration: 60, maxPricePerGpuHour: (escrowed * 3600n) / (8n * 60n), targetProvider: w.h100.address });
      await acceptJob(w.s, job, w.h100);
      const slashed = bps(H100_STAKE, P.timeoutSlashBps);
      await expect(w.c.jobEscrow.connect(w.h100.signer).abandonJob(job.jobId)).to.changeTokenBalances(w.c.token, [second, w.c.staking], [escrowed + slashed, -slashed]);
      expect((await w.c.jobEscrow.providerStats(w.h100.address)).timedOut).to.equal(1n);
    });
  });

  describe("rounding", function () {
    /** Odd amounts everywhere: prices, GPU count, durations, the provider's cap. */
    async function oddFixture() {
      const w = await providersFixture();
      const price = LAT("2") - 3n;
      await w.c.registry.connect(w.h100.signer).setPrice(price);
      await w.c.staking.connect(w.h100.signer).setMaxSlashRewardBps(3_333);
      const job = await createJob(w.s, w.clients[0]!, { gpuCount: 3, maxPricePerGpuHour: LAT("3") - 7n, maxDuration: 3_599 });
      const acceptedAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(acceptedAt);
      await acceptJob(w.s, job, w.h100);
      await time.setNextBlockTimestamp(acceptedAt + 1_237);
      await submitResult(w.s, job, w.h100);
      return { ...w, job, jobCost: cost(price, 3n, 1_237n), collateral: bpsUp(job.escrowed, P.collateralRatioBps) };
    }

    it("every wei of an odd escrow ends with the provider, the treasury or the client on settlement", async function () {
      const { c, job, h100, clients, treasury, jobCost } = await loadFixture(oddFixture);
      const fee = bpsUp(jobCost, P.protocolFeeBps);
      const toProvider = jobCost - fee;
      const refund = job.escrowed - jobCost;
      expect(fee * 10_000n).to.not.equal(jobCost * BigInt(P.protocolFeeBps)); // the fee is rounded
      expect(toProvider + fee + refund).to.equal(job.escrowed);
      const tx = c.jobEscrow.connect(clients[0]!).approveResult(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobSettled").withArgs(job.jobId, h100.address, SettlementReason.Approved, jobCost, fee, toProvider, refund);
      await expect(tx).to.changeTokenBalances(c.token, [h100.signer, treasury, clients[0]!, c.jobEscrow], [toProvider, fee, refund, -job.escrowed]);
    });

    it("every wei of an odd upheld slash ends with the client or the treasury under a capped reward", async function () {
      const { c, job, h100, clients, treasury, arbitrator, collateral } = await loadFixture(oddFixture);
      await c.token.connect(clients[0]!).approve(await c.disputeManager.getAddress(), P.disputeDeposit);
      await c.disputeManager.connect(clients[0]!).openDispute(job.jobId, "ipfs://evidence");
      const slash = bps(collateral, P.maxSlashingCutBps) - 1n;
      const reward = (bps(slash, P.disputeRewardBps) < bps(slash, 3_333)) ? bps(slash, P.disputeRewardBps) : bps(slash, 3_333);
      const tx = c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Upheld, slash);
      await expect(tx)
        .to.emit(c.staking, "Slashed")
        .withArgs(h100.address, job.jobId, clients[0]!.address, slash, reward, slash - reward, H100_STAKE - slash, collateral - slash);
      await expect(tx).to.changeTokenBalances(
        c.token,
        [clients[0]!, treasury, c.jobEscrow, c.staking, c.disputeManager],
        [job.escrowed + reward + P.disputeDeposit, slash - reward, -job.escrowed, -slash, -P.disputeDeposit],
      );
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Refunded);
    });
  });

  describe("an operator key colluding with a client", function () {
    it("takes no part of the provider's stake through a timeout when the provider's cap is 0", async function () {
      const w = await providersFixture();
      await w.c.staking.connect(w.h100.signer).setMaxSlashRewardBps(0);
      const job = await createJob(w.s, w.clients[0]!, { gpuCount: 8, targetProvider: w.h100.address, maxDuration: 30 * 86_400 });
      await acceptJob(w.s, job, w.h100, "operator");
      const slashed = bpsUp(bpsUp(job.escrowed, P.collateralRatioBps), P.timeoutSlashBps);
      const deadline = Number((await w.c.jobEscrow.getJob(job.jobId)).deadline);
      await time.setNextBlockTimestamp(deadline + 1);
      await expect(w.c.jobEscrow.connect(w.clients[0]!).claimTimeout(job.jobId)).to.changeTokenBalances(
        w.c.token,
        [w.clients[0]!, w.operators[0]!, w.treasury, w.c.staking],
        [job.escrowed, 0, slashed, -slashed],
      );
    });
  });

  describe("the pause keeps providers' exits open", function () {
    async function pausedFixture() {
      const w = await submittedFixture();
      await w.c.pauseGuardian.connect(w.guardian).pause();
      return w;
    }

    it("closing an expired dispute works while paused", async function () {
      const { c, job, clients, funder, timelock } = await loadFixture(pausedFixture);
      await c.token.connect(clients[0]!).approve(await c.disputeManager.getAddress(), P.disputeDeposit);
      await c.disputeManager.connect(clients[0]!).openDispute(job.jobId, "ipfs://evidence");
      await time.increase(P.disputePeriod + 1);
      // The guardian's pause would have ended by now: governance keeps it on.
      await c.pauseGuardian.connect(timelock).renewPause((await time.latest()) + 86_400);
      await expect(c.disputeManager.connect(funder).closeExpired(job.jobId))
        .to.emit(c.disputeManager, "DisputeResolved")
        .withArgs(job.jobId, Ruling.Expired, funder.address, 0, 0, clients[0]!.address);
    });

    it("going offline and deregistering work while paused", async function () {
      const { c, rtx } = await loadFixture(pausedFixture);
      await expect(c.registry.connect(rtx.signer).setOnline(rtx.address, false)).to.emit(c.registry, "ProviderOnlineSet").withArgs(rtx.address, false, rtx.address);
      await expect(c.registry.connect(rtx.signer).deregister()).to.emit(c.registry, "ProviderDeregistered").withArgs(rtx.address);
    });
  });
});
