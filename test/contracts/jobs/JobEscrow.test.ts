import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String, id as keccakUtf8, parseEther, ZeroAddress, ZeroHash, AbiCoder, keccak256 } from "ethers";
import { JobEscrow__factory } from "../../../typechain-types";
import type { IJobEscrow } from "../../../typechain-types/contracts/jobs/JobEscrow";
import { DEFAULT_PARAMS } from "../../../scripts/deploy";
import {
  JobStatus,
  Ruling,
  SettlementReason,
  Tier,
  acceptJob,
  approveResult,
  createJob,
  gpuModelId,
  makeTerms,
  openDispute,
  regionId,
  signPermit,
  submitResult,
} from "../../../scripts/scenario";
import type { JobHandle, JobOptions } from "../../../scripts/scenario";
import { asAccount, baseFixture, providersFixture, rawId, signatureDeadline, H100_LISTING, H100_STAKE, RTX_LISTING } from "../../helpers/fixtures";
import type { WithProviders } from "../../helpers/fixtures";

const LAT = (n: string) => parseEther(n);
const P = DEFAULT_PARAMS.economic;
const MAX_PRICE = LAT("3");
const cost = (price: bigint, gpus: bigint, seconds: bigint) => (price * gpus * seconds) / 3600n;
const bps = (x: bigint, b: number) => (x * BigInt(b)) / 10_000n;
/** LatentMath.bpsUp: the fee, the collateral and the timeout slash round up. */
const bpsUp = (x: bigint, b: number) => (x * BigInt(b) + 9_999n) / 10_000n;

const TERMS_TYPE =
  "tuple(tuple(bytes32 gpuModel, bytes16 region, uint16 minVramGiB, uint16 gpuCount, uint8 tier, uint32 minCompletedJobs, uint16 minSlashRewardBps) requirements, uint96 maxPricePerGpuHour, uint32 maxDuration, uint64 acceptDeadline, address targetProvider, bytes32 specHash)";

describe("JobEscrow", function () {
  async function openJobFixture() {
    const w = await providersFixture();
    const job = await createJob(w.s, w.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 4 });
    return { ...w, job };
  }

  /** An H100 job (4 GPUs, max 3 LAT/GPU-h, 1 h) accepted by the H100 provider at a known time. */
  async function acceptedFixture() {
    const w = await openJobFixture();
    const acceptedAt = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(acceptedAt);
    await acceptJob(w.s, w.job, w.h100);
    return { ...w, acceptedAt, resultDeadline: acceptedAt + 3600 + P.grace, collateral: bpsUp(w.job.escrowed, P.collateralRatioBps) };
  }

  /** The same job submitted 1,234 s after acceptance. */
  async function submittedFixture() {
    const w = await acceptedFixture();
    const submittedAt = w.acceptedAt + 1234;
    await time.setNextBlockTimestamp(submittedAt);
    await submitResult(w.s, w.job, w.h100);
    const jobCost = cost(H100_LISTING.pricePerGpuHour, 4n, 1234n);
    return { ...w, submittedAt, jobCost, challengeDeadline: submittedAt + P.challengeWindow };
  }

  async function create(w: WithProviders, o: JobOptions): Promise<JobHandle> {
    return createJob(w.s, w.clients[0]!, o);
  }

  describe("constructor", function () {
    it("emits every initial parameter and version 1 of the economic parameters", async function () {
      const { c } = await loadFixture(baseFixture);
      const tx = c.jobEscrow.deploymentTransaction();
      for (const [name, value] of Object.entries(P)) {
        await expect(tx).to.emit(c.jobEscrow, "ParameterUpdated").withArgs(encodeBytes32String(name), value);
      }
      await expect(tx)
        .to.emit(c.jobEscrow, "EconomicParamsUpdated")
        .withArgs(1, [P.protocolFeeBps, P.collateralRatioBps, P.timeoutSlashBps, P.maxSlashingCutBps, P.disputeRewardBps, P.challengeWindow, P.grace, P.disputePeriod, P.minTrackRecordCost, P.disputeDeposit]);
      expect(await c.jobEscrow.currentParamsId()).to.equal(1n);
    });

    it("refuses zero addresses for its wiring", async function () {
      const { deployer, c } = await loadFixture(baseFixture);
      const f = new JobEscrow__factory(deployer);
      const x = await c.token.getAddress();
      const params: IJobEscrow.EconomicParamsStruct = { ...P };
      for (let i = 0; i < 6; i++) {
        const args = [x, x, x, x, x, x];
        args[i] = ZeroAddress;
        const name = ["governance", "token", "registry", "staking", "disputeManager", "pauseGuardian"][i]!;
        await expect(f.deploy(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, params))
          .to.be.revertedWithCustomError(c.jobEscrow, "GovernedZeroAddress")
          .withArgs(encodeBytes32String(name));
      }
    });

    it("refuses an initial parameter outside its bounds", async function () {
      const { deployer, c } = await loadFixture(baseFixture);
      const x = await c.token.getAddress();
      await expect(new JobEscrow__factory(deployer).deploy(x, x, x, x, x, x, { ...P, protocolFeeBps: 1001 }))
        .to.be.revertedWithCustomError(c.jobEscrow, "GovernedParameterOutOfBounds")
        .withArgs(encodeBytes32String("protocolFeeBps"), 1001, 0, 1000);
    });
  });

  describe("createJob", function () {
    it("stores the job, pulls the maximum cost and emits the terms", async function () {
      const w = await loadFixture(providersFixture);
      const { c, clients } = w;
      const client = clients[0]!;
      const terms = await makeTerms(w.s, {
        gpuModel: "h100-sxm-80gb", gpuCount: 4, region: "eu-west", minVramGiB: 80, tier: Tier.Enterprise, minCompletedJobs: 0, minSlashRewardBps: 2_500,
      });
      const escrowed = cost(MAX_PRICE, 4n, 3600n);
      await c.token.connect(client).approve(await c.jobEscrow.getAddress(), escrowed);
      const tx = c.jobEscrow.connect(client).createJob(terms, "ipfs://spec");
      await expect(tx)
        .to.emit(c.jobEscrow, "JobCreated")
        .withArgs(1n, client.address, ZeroAddress, [
          [gpuModelId("h100-sxm-80gb"), regionId("eu-west"), 80, 4, Tier.Enterprise, 0, 2_500],
          MAX_PRICE,
          3600,
          terms.acceptDeadline,
          ZeroAddress,
          terms.specHash,
        ], "ipfs://spec", escrowed);
      await expect(tx).to.changeTokenBalances(c.token, [client, c.jobEscrow], [-escrowed, escrowed]);
      const job = await c.jobEscrow.getJob(1n);
      expect([job.client, job.escrowed, job.provider, job.status, job.deadline, job.termsHash, job.gpuCount, job.maxDuration]).to.deep.equal([
        client.address,
        escrowed,
        ZeroAddress,
        BigInt(JobStatus.Open),
        BigInt(terms.acceptDeadline),
        await c.jobEscrow.hashTerms(terms),
        4n,
        3600n,
      ]);
    });

    it("numbers jobs from 1", async function () {
      const w = await loadFixture(providersFixture);
      expect((await create(w, {})).jobId).to.equal(1n);
      expect((await create(w, {})).jobId).to.equal(2n);
      expect(await w.c.jobEscrow.jobCount()).to.equal(2n);
    });

    it("records a directed job's target provider", async function () {
      const w = await loadFixture(providersFixture);
      const job = await create(w, { targetProvider: w.rtx.address });
      expect((await w.c.jobEscrow.getJob(job.jobId)).provider).to.equal(w.rtx.address);
    });

    it("is refused while paused", async function () {
      const w = await loadFixture(providersFixture);
      await w.c.pauseGuardian.connect(w.guardian).pause();
      await expect(create(w, {})).to.be.revertedWithCustomError(w.c.pauseGuardian, "PauseGuardianProtocolPaused");
    });

    async function expectCreateRevert(w: WithProviders, terms: IJobEscrow.JobTermsStruct, specURI: string, error: string, args: unknown[]) {
      await w.c.token.connect(w.clients[0]!).approve(await w.c.jobEscrow.getAddress(), LAT("100000"));
      await expect(w.c.jobEscrow.connect(w.clients[0]!).createJob(terms, specURI))
        .to.be.revertedWithCustomError(w.c.jobEscrow, error)
        .withArgs(...args);
    }

    it("refuses an invalid GPU model id", async function () {
      const w = await loadFixture(providersFixture);
      const terms = await makeTerms(w.s);
      const bad = rawId("H100", 32);
      await expectCreateRevert(w, { ...terms, requirements: { ...terms.requirements, gpuModel: bad } }, "ipfs://x", "JobEscrowInvalidGpuModel", [bad]);
    });

    it("refuses an invalid region", async function () {
      const w = await loadFixture(providersFixture);
      const terms = await makeTerms(w.s);
      const bad = rawId("EU", 16);
      await expectCreateRevert(w, { ...terms, requirements: { ...terms.requirements, region: bad } }, "ipfs://x", "JobEscrowInvalidRegion", [bad]);
    });

    it("refuses zero GPUs", async function () {
      const w = await loadFixture(providersFixture);
      const terms = await makeTerms(w.s);
      await expectCreateRevert(w, { ...terms, requirements: { ...terms.requirements, gpuCount: 0 } }, "ipfs://x", "JobEscrowInvalidGpuCount", [0]);
    });

    it("refuses a minimum VRAM above the most a provider may list (24,576: MiB given for GiB), naming that most", async function () {
      const w = await loadFixture(providersFixture);
      const max = await w.c.registry.MAX_VRAM_GIB();
      const terms = await makeTerms(w.s, { minVramGiB: 24_576 });
      await expectCreateRevert(w, terms, "ipfs://x", "JobEscrowInvalidMinVram", [24_576, max]);
    });

    it("takes a minimum VRAM equal to the most a provider may list", async function () {
      const w = await loadFixture(providersFixture);
      const max = Number(await w.c.registry.MAX_VRAM_GIB());
      const job = await createJob(w.s, w.clients[0]!, { minVramGiB: max });
      expect(job.terms.requirements.minVramGiB).to.equal(max);
      expect((await w.c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Open);
    });

    it("refuses a minimum slash reward cap above 10,000 bps", async function () {
      const w = await loadFixture(providersFixture);
      const terms = await makeTerms(w.s, { minSlashRewardBps: 10_001 });
      await expectCreateRevert(w, terms, "ipfs://x", "JobEscrowInvalidMinSlashRewardBps", [10_001, 10_000]);
    });

    for (const d of [59, 30 * 86_400 + 1]) {
      it(`refuses a maximum duration of ${d} s`, async function () {
        const w = await loadFixture(providersFixture);
        const terms = await makeTerms(w.s, { maxDuration: d });
        await expectCreateRevert(w, terms, "ipfs://x", "JobEscrowInvalidMaxDuration", [d, 60, 30 * 86_400]);
      });
    }

    it("refuses an acceptance deadline that is not in the future", async function () {
      const w = await loadFixture(providersFixture);
      await w.c.token.connect(w.clients[0]!).approve(await w.c.jobEscrow.getAddress(), LAT("100000"));
      const t = (await time.latest()) + 1;
      const terms = { ...(await makeTerms(w.s)), acceptDeadline: t };
      await time.setNextBlockTimestamp(t);
      await expect(w.c.jobEscrow.connect(w.clients[0]!).createJob(terms, "ipfs://x"))
        .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowInvalidAcceptDeadline")
        .withArgs(t, t);
    });

    it("refuses an acceptance deadline more than 30 days ahead", async function () {
      const w = await loadFixture(providersFixture);
      await w.c.token.connect(w.clients[0]!).approve(await w.c.jobEscrow.getAddress(), LAT("100000"));
      const t = (await time.latest()) + 1;
      const terms = { ...(await makeTerms(w.s)), acceptDeadline: t + 30 * 86_400 + 1 };
      await time.setNextBlockTimestamp(t);
      await expect(w.c.jobEscrow.connect(w.clients[0]!).createJob(terms, "ipfs://x"))
        .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowInvalidAcceptDeadline")
        .withArgs(t + 30 * 86_400 + 1, t);
    });

    for (const uri of ["", "x".repeat(257)]) {
      it(`refuses a spec URI of ${uri.length} bytes`, async function () {
        const w = await loadFixture(providersFixture);
        await expectCreateRevert(w, await makeTerms(w.s), uri, "JobEscrowInvalidSpecURI", [uri.length, 256]);
      });
    }

    for (const [label, price, gpuCount, maxDuration] of [
      ["zero", 0n, 1, 60],
      ["so small the job costs nothing", 59n, 1, 60],
      ["so large the escrow overflows 96 bits", 2n ** 96n - 1n, 2, 3600],
    ] as const) {
      it(`refuses a maximum price that is ${label}`, async function () {
        const w = await loadFixture(providersFixture);
        const terms = await makeTerms(w.s, { maxPricePerGpuHour: price, gpuCount, maxDuration });
        await expectCreateRevert(w, terms, "ipfs://x", "JobEscrowInvalidMaxPrice", [price]);
      });
    }

    it("refuses a job directed at its own poster, which no acceptance could take", async function () {
      const w = await loadFixture(providersFixture);
      const poster = w.clients[0]!.address;
      const terms = await makeTerms(w.s, { targetProvider: poster });
      await expectCreateRevert(w, terms, "ipfs://x", "JobEscrowSelfDirectedTarget", [poster]);
    });

    it("fails without allowance", async function () {
      const w = await loadFixture(providersFixture);
      const terms = await makeTerms(w.s);
      await expect(w.c.jobEscrow.connect(w.clients[0]!).createJob(terms, "ipfs://x"))
        .to.be.revertedWithCustomError(w.c.token, "ERC20InsufficientAllowance")
        .withArgs(await w.c.jobEscrow.getAddress(), 0, cost(MAX_PRICE, 1n, 3600n));
    });
  });

  describe("createJobWithPermit", function () {
    it("pays with a permit for the exact escrow", async function () {
      const w = await loadFixture(providersFixture);
      const escrowed = cost(MAX_PRICE, 1n, 3600n);
      const job = await createJob(w.s, w.clients[1]!, { usePermit: true });
      expect(job.escrowed).to.equal(escrowed);
      expect(await w.c.token.balanceOf(await w.c.jobEscrow.getAddress())).to.equal(escrowed);
    });

    it("still creates the job when the permit was front-run", async function () {
      const w = await loadFixture(providersFixture);
      const client = w.clients[1]!;
      const terms = await makeTerms(w.s);
      const escrow = await w.c.jobEscrow.getAddress();
      const deadline = await signatureDeadline();
      const sig = await signPermit(w.s, client, escrow, cost(MAX_PRICE, 1n, 3600n), deadline);
      await w.c.token.connect(w.clients[2]!).permit(client.address, escrow, cost(MAX_PRICE, 1n, 3600n), deadline, sig.v, sig.r, sig.s);
      await expect(w.c.jobEscrow.connect(client).createJobWithPermit(terms, "ipfs://x", deadline, sig.v, sig.r, sig.s)).to.emit(
        w.c.jobEscrow,
        "JobCreated",
      );
    });
    it("refuses a job directed at its own poster, leaving the permit unused", async function () {
      const w = await loadFixture(providersFixture);
      const client = w.clients[1]!;
      const terms = await makeTerms(w.s, { targetProvider: client.address });
      const escrow = await w.c.jobEscrow.getAddress();
      const deadline = await signatureDeadline();
      const sig = await signPermit(w.s, client, escrow, cost(MAX_PRICE, 1n, 3600n), deadline);
      await expect(w.c.jobEscrow.connect(client).createJobWithPermit(terms, "ipfs://x", deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowSelfDirectedTarget")
        .withArgs(client.address);
      expect([await w.c.token.nonces(client.address), await w.c.token.allowance(client.address, escrow)]).to.deep.equal([0n, 0n]);
    });
  });

  describe("cancelJob", function () {
    it("refunds the client in full and emits", async function () {
      const { c, job, clients } = await loadFixture(openJobFixture);
      const tx = c.jobEscrow.connect(clients[0]!).cancelJob(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobCancelled").withArgs(job.jobId, clients[0]!.address, job.escrowed);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, c.jobEscrow], [job.escrowed, -job.escrowed]);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Cancelled);
    });

    it("still works after the acceptance deadline passed", async function () {
      const { c, job, clients } = await loadFixture(openJobFixture);
      await time.increaseTo(Number(job.terms.acceptDeadline) + 10);
      await expect(c.jobEscrow.connect(clients[0]!).cancelJob(job.jobId)).to.emit(c.jobEscrow, "JobCancelled");
    });

    it("is refused to anyone but the client", async function () {
      const { c, job, clients } = await loadFixture(openJobFixture);
      await expect(c.jobEscrow.connect(clients[1]!).cancelJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowNotClient")
        .withArgs(job.jobId, clients[1]!.address);
    });

    it("is refused once the job is accepted", async function () {
      const { c, job, clients } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(clients[0]!).cancelJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Accepted);
    });

    it("is refused for an unknown job", async function () {
      const { c, clients } = await loadFixture(openJobFixture);
      await expect(c.jobEscrow.connect(clients[0]!).cancelJob(99n)).to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnknownJob").withArgs(99n);
    });
  });

  describe("expireJob", function () {
    it("is refused at the acceptance deadline", async function () {
      const { c, job, funder } = await loadFixture(openJobFixture);
      await time.setNextBlockTimestamp(Number(job.terms.acceptDeadline));
      await expect(c.jobEscrow.connect(funder).expireJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowAcceptDeadlineNotPassed")
        .withArgs(job.jobId, job.terms.acceptDeadline);
    });

    it("refunds the client in full one second after it, called by anyone", async function () {
      const { c, job, funder, clients } = await loadFixture(openJobFixture);
      await time.setNextBlockTimestamp(Number(job.terms.acceptDeadline) + 1);
      const tx = c.jobEscrow.connect(funder).expireJob(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobExpired").withArgs(job.jobId, clients[0]!.address, job.escrowed);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, c.jobEscrow], [job.escrowed, -job.escrowed]);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Expired);
    });

    it("is refused for a job no longer open", async function () {
      const { c, job, funder } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(funder).expireJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Accepted);
    });
  });

  describe("declineJob", function () {
    async function directedFixture() {
      const w = await providersFixture();
      const job = await createJob(w.s, w.clients[0]!, { targetProvider: w.h100.address });
      return { ...w, job };
    }

    it("lets the target refund the client in full", async function () {
      const { c, job, h100, clients } = await loadFixture(directedFixture);
      const tx = c.jobEscrow.connect(h100.signer).declineJob(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobDeclined").withArgs(job.jobId, h100.address, h100.address, job.escrowed);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, c.jobEscrow], [job.escrowed, -job.escrowed]);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Declined);
    });

    it("lets the target's operator decline", async function () {
      const { c, job, h100, operators } = await loadFixture(directedFixture);
      await expect(c.jobEscrow.connect(operators[0]!).declineJob(job.jobId))
        .to.emit(c.jobEscrow, "JobDeclined")
        .withArgs(job.jobId, h100.address, operators[0]!.address, job.escrowed);
    });

    it("is refused to another provider", async function () {
      const { c, job, h100, rtx } = await loadFixture(directedFixture);
      await expect(c.jobEscrow.connect(rtx.signer).declineJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnauthorized")
        .withArgs(rtx.address, h100.address);
    });

    it("is refused for an open job", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      await expect(c.jobEscrow.connect(h100.signer).declineJob(job.jobId)).to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowNotDirected").withArgs(job.jobId);
    });

    it("is refused once accepted", async function () {
      const { s, c, job, h100 } = await loadFixture(directedFixture);
      await acceptJob(s, job, h100);
      await expect(c.jobEscrow.connect(h100.signer).declineJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Accepted);
    });
  });

  describe("acceptJob", function () {
    it("reserves the GPUs, locks collateral and fixes the price, parameters and result deadline", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      const collateral = bps(job.escrowed, P.collateralRatioBps);
      const tx = c.jobEscrow.connect(h100.signer).acceptJob(job.jobId, h100.address, job.terms);
      await expect(tx)
        .to.emit(c.jobEscrow, "JobAccepted")
        .withArgs(job.jobId, h100.address, h100.address, H100_LISTING.pricePerGpuHour, collateral, 1, t + 3600 + P.grace);
      await expect(tx).to.emit(c.registry, "CapacityReserved").withArgs(h100.address, job.jobId, 4, 4);
      await expect(tx).to.emit(c.staking, "CollateralLocked").withArgs(h100.address, job.jobId, collateral, collateral);
      const j = await c.jobEscrow.getJob(job.jobId);
      expect([j.provider, j.status, j.deadline, j.acceptedAt, j.pricePerGpuHour, j.paramsId]).to.deep.equal([
        h100.address,
        BigInt(JobStatus.Accepted),
        BigInt(t + 3600 + P.grace),
        BigInt(t),
        H100_LISTING.pricePerGpuHour,
        1n,
      ]);
      expect(await c.registry.freeGpus(h100.address)).to.equal(4n);
    });

    it("may be done by the provider's operator", async function () {
      const { s, c, job, h100, operators } = await loadFixture(openJobFixture);
      await expect(acceptJob(s, job, h100, "operator")).to.emit(c.jobEscrow, "JobAccepted");
      expect((await c.jobEscrow.getJob(job.jobId)).provider).to.equal(h100.address);
      const events = await c.jobEscrow.queryFilter(c.jobEscrow.filters.JobAccepted(job.jobId));
      expect(events[0]!.args.by).to.equal(operators[0]!.address);
    });

    it("is refused to someone who is neither the provider nor its operator", async function () {
      const { c, job, h100, clients } = await loadFixture(openJobFixture);
      await expect(c.jobEscrow.connect(clients[1]!).acceptJob(job.jobId, h100.address, job.terms))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryUnauthorized")
        .withArgs(clients[1]!.address, h100.address);
    });

    it("accepts a directed job for its target", async function () {
      const w = await loadFixture(providersFixture);
      const job = await create(w, { targetProvider: w.rtx.address });
      await expect(acceptJob(w.s, job, w.rtx)).to.emit(w.c.jobEscrow, "JobAccepted");
    });

    it("refuses a directed job for another provider", async function () {
      const w = await loadFixture(providersFixture);
      const job = await create(w, { targetProvider: w.rtx.address });
      await expect(w.c.jobEscrow.connect(w.h100.signer).acceptJob(job.jobId, w.h100.address, job.terms))
        .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowNotTargetProvider")
        .withArgs(job.jobId, w.h100.address, w.rtx.address);
    });

    it("refuses terms that do not hash to the job's", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      const forged = { ...job.terms, maxPricePerGpuHour: LAT("30") };
      await expect(c.jobEscrow.connect(h100.signer).acceptJob(job.jobId, h100.address, forged))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowTermsMismatch")
        .withArgs(job.jobId, await c.jobEscrow.hashTerms(job.terms), await c.jobEscrow.hashTerms(forged));
    });

    it("is allowed at the acceptance deadline", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      await time.setNextBlockTimestamp(Number(job.terms.acceptDeadline));
      await expect(c.jobEscrow.connect(h100.signer).acceptJob(job.jobId, h100.address, job.terms)).to.emit(c.jobEscrow, "JobAccepted");
    });

    it("is refused one second after the acceptance deadline", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      await time.setNextBlockTimestamp(Number(job.terms.acceptDeadline) + 1);
      await expect(c.jobEscrow.connect(h100.signer).acceptJob(job.jobId, h100.address, job.terms))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowAcceptDeadlinePassed")
        .withArgs(job.jobId, job.terms.acceptDeadline);
    });

    it("is refused while paused", async function () {
      const { c, job, h100, guardian } = await loadFixture(openJobFixture);
      await c.pauseGuardian.connect(guardian).pause();
      await expect(c.jobEscrow.connect(h100.signer).acceptJob(job.jobId, h100.address, job.terms))
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianProtocolPaused")
        .withArgs(await c.pauseGuardian.pausedUntil());
    });

    it("is refused twice", async function () {
      const { c, job, h100 } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(h100.signer).acceptJob(job.jobId, h100.address, job.terms))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Accepted);
    });

    it("is refused for an unknown job", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      await expect(c.jobEscrow.connect(h100.signer).acceptJob(77n, h100.address, job.terms))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnknownJob")
        .withArgs(77n);
    });

    describe("requirements", function () {
      it("refuses another GPU model", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { gpuModel: "h100-sxm-80gb" });
        await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(job.jobId, w.rtx.address, job.terms))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowGpuModelMismatch")
          .withArgs(gpuModelId("h100-sxm-80gb"), gpuModelId(RTX_LISTING.gpuModel.id));
      });

      it("refuses another region", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { region: "us-east" });
        await expect(w.c.jobEscrow.connect(w.h100.signer).acceptJob(job.jobId, w.h100.address, job.terms))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowRegionMismatch")
          .withArgs(regionId("us-east"), regionId("eu-west"));
      });

      it("refuses too little VRAM", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { minVramGiB: 48 });
        await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(job.jobId, w.rtx.address, job.terms))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowVramTooLow")
          .withArgs(48, 24);
      });

      it("refuses another tier", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { tier: Tier.Consumer });
        await expect(w.c.jobEscrow.connect(w.h100.signer).acceptJob(job.jobId, w.h100.address, job.terms))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowTierMismatch")
          .withArgs(Tier.Consumer, Tier.Enterprise);
      });

      it("refuses a provider with too few completed jobs", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { minCompletedJobs: 1 });
        await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(job.jobId, w.rtx.address, job.terms))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowTooFewCompletedJobs")
          .withArgs(1, 0);
      });

      it("admits a provider once it has completed enough jobs", async function () {
        const w = await loadFixture(providersFixture);
        // 2 GPUs at 0.4 LAT for 12.5 h: 10 LAT, the default minTrackRecordCost, so that it counts.
        const first = await create(w, { gpuCount: 2, maxDuration: 45_000 });
        await acceptJob(w.s, first, w.rtx);
        await submitResult(w.s, first, w.rtx, { after: 45_000 });
        await approveResult(w.s, first);
        expect((await w.c.jobEscrow.providerStats(w.rtx.address)).completed).to.equal(1n);
        const job = await create(w, { minCompletedJobs: 1 });
        await expect(acceptJob(w.s, job, w.rtx)).to.emit(w.c.jobEscrow, "JobAccepted");
      });

      it("refuses a provider that lowered its slash reward cap below the job's minimum after the job was posted", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { minSlashRewardBps: 5_000 });
        // Nothing of its stake is locked, so Staking lets it lower the cap.
        await w.c.staking.connect(w.rtx.signer).setMaxSlashRewardBps(4_999);
        await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(job.jobId, w.rtx.address, job.terms))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowSlashRewardCapTooLow")
          .withArgs(5_000, 4_999);
      });

      it("admits a provider whose slash reward cap equals the job's minimum", async function () {
        const w = await loadFixture(providersFixture);
        await w.c.staking.connect(w.rtx.signer).setMaxSlashRewardBps(5_000);
        const job = await create(w, { minSlashRewardBps: 5_000 });
        await expect(acceptJob(w.s, job, w.rtx)).to.emit(w.c.jobEscrow, "JobAccepted");
      });

      it("admits a provider that never set a cap (the whole slash) to a job requiring 10,000 bps", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { minSlashRewardBps: 10_000 });
        await expect(acceptJob(w.s, job, w.rtx)).to.emit(w.c.jobEscrow, "JobAccepted");
      });

      it("admits a provider with a zero slash reward cap to a job with no minimum", async function () {
        const w = await loadFixture(providersFixture);
        await w.c.staking.connect(w.rtx.signer).setMaxSlashRewardBps(0);
        const job = await create(w, { minSlashRewardBps: 0 });
        await expect(acceptJob(w.s, job, w.rtx)).to.emit(w.c.jobEscrow, "JobAccepted");
      });

      it("refuses a price above the job's maximum", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, { maxPricePerGpuHour: LAT("1") });
        await expect(w.c.jobEscrow.connect(w.h100.signer).acceptJob(job.jobId, w.h100.address, job.terms))
          .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowPriceAboveMax")
          .withArgs(H100_LISTING.pricePerGpuHour, LAT("1"));
      });

      it("refuses an offline provider", async function () {
        const w = await loadFixture(providersFixture);
        const job = await create(w, {});
        await w.c.registry.connect(w.rtx.signer).setOnline(w.rtx.address, false);
        await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(job.jobId, w.rtx.address, job.terms))
          .to.be.revertedWithCustomError(w.c.registry, "ProviderRegistryProviderInactive")
          .withArgs(w.rtx.address);
      });

      it("refuses when the GPUs are exhausted", async function () {
        const w = await loadFixture(providersFixture);
        const first = await create(w, { gpuCount: 2 });
        await acceptJob(w.s, first, w.rtx);
        const second = await create(w, { gpuCount: 1 });
        await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(second.jobId, w.rtx.address, second.terms))
          .to.be.revertedWithCustomError(w.c.registry, "ProviderRegistryInsufficientCapacity")
          .withArgs(w.rtx.address, 1, 0);
      });

      it("refuses when the free stake cannot cover the collateral", async function () {
        const w = await loadFixture(providersFixture);
        // 2 GPUs for 30 days at 3 LAT/GPU-h => 4,320 LAT escrow, 2,160 LAT collateral; 2,000 LAT staked.
        const job = await create(w, { gpuCount: 2, maxDuration: 30 * 86_400 });
        await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(job.jobId, w.rtx.address, job.terms))
          .to.be.revertedWithCustomError(w.c.staking, "StakingInsufficientFreeStake")
          .withArgs(w.rtx.address, LAT("2160"), LAT("2000"));
      });
    });

    it("keeps the parameters and price in force at acceptance when they change later", async function () {
      const w = await loadFixture(acceptedFixture);
      await w.c.jobEscrow.connect(w.timelock).setProtocolFeeBps(1000);
      await w.c.registry.connect(w.h100.signer).setPrice(LAT("0.5"));
      await time.setNextBlockTimestamp(w.acceptedAt + 3600);
      await submitResult(w.s, w.job, w.h100);
      const full = cost(H100_LISTING.pricePerGpuHour, 4n, 3600n);
      await expect(approveResult(w.s, w.job))
        .to.emit(w.c.jobEscrow, "JobSettled")
        .withArgs(w.job.jobId, w.h100.address, SettlementReason.Approved, full, bps(full, P.protocolFeeBps), full - bps(full, P.protocolFeeBps), w.job.escrowed - full);
    });

    it("applies changed parameters to jobs accepted afterwards", async function () {
      const w = await loadFixture(openJobFixture);
      await w.c.jobEscrow.connect(w.timelock).setCollateralRatioBps(20_000);
      await expect(acceptJob(w.s, w.job, w.h100))
        .to.emit(w.c.staking, "CollateralLocked")
        .withArgs(w.h100.address, w.job.jobId, w.job.escrowed * 2n, w.job.escrowed * 2n);
      expect((await w.c.jobEscrow.getJob(w.job.jobId)).paramsId).to.equal(2n);
    });
  });

  describe("submitResult", function () {
    it("fixes the metered cost, frees the GPUs and opens the challenge window", async function () {
      const { c, job, h100, acceptedAt } = await loadFixture(acceptedFixture);
      const t = acceptedAt + 1234;
      await time.setNextBlockTimestamp(t);
      const tx = c.jobEscrow.connect(h100.signer).submitResult(job.jobId, "ipfs://result", keccakUtf8("r"));
      await expect(tx)
        .to.emit(c.jobEscrow, "ResultSubmitted")
        .withArgs(job.jobId, h100.address, h100.address, "ipfs://result", keccakUtf8("r"), cost(H100_LISTING.pricePerGpuHour, 4n, 1234n), t + P.challengeWindow);
      await expect(tx).to.emit(c.registry, "CapacityReleased").withArgs(h100.address, job.jobId, 4, 0);
      const j = await c.jobEscrow.getJob(job.jobId);
      expect([j.status, j.submittedAt]).to.deep.equal([BigInt(JobStatus.Submitted), BigInt(t)]);
      expect(await c.registry.freeGpus(h100.address)).to.equal(8n);
    });

    it("may be done by the operator", async function () {
      const { c, job, h100, operators } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(operators[0]!).submitResult(job.jobId, "ipfs://r", keccakUtf8("r")))
        .to.emit(c.jobEscrow, "ResultSubmitted")
        .withArgs(job.jobId, h100.address, operators[0]!.address, "ipfs://r", keccakUtf8("r"), (v: bigint) => v > 0n, (v: bigint) => v > 0n);
    });

    it("is refused to anyone else", async function () {
      const { c, job, h100, clients } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(clients[0]!).submitResult(job.jobId, "ipfs://r", keccakUtf8("r")))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnauthorized")
        .withArgs(clients[0]!.address, h100.address);
    });

    it("bills maxDuration for a result submitted in the grace period", async function () {
      const { c, job, h100, resultDeadline } = await loadFixture(acceptedFixture);
      await time.setNextBlockTimestamp(resultDeadline);
      await expect(c.jobEscrow.connect(h100.signer).submitResult(job.jobId, "ipfs://r", keccakUtf8("r")))
        .to.emit(c.jobEscrow, "ResultSubmitted")
        .withArgs(job.jobId, h100.address, h100.address, "ipfs://r", keccakUtf8("r"), cost(H100_LISTING.pricePerGpuHour, 4n, 3600n), resultDeadline + P.challengeWindow);
    });

    it("is refused one second after the result deadline", async function () {
      const { c, job, h100, resultDeadline } = await loadFixture(acceptedFixture);
      await time.setNextBlockTimestamp(resultDeadline + 1);
      await expect(c.jobEscrow.connect(h100.signer).submitResult(job.jobId, "ipfs://r", keccakUtf8("r")))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowResultDeadlinePassed")
        .withArgs(job.jobId, resultDeadline);
    });

    for (const uri of ["", "x".repeat(257)]) {
      it(`refuses a result URI of ${uri.length} bytes`, async function () {
        const { c, job, h100 } = await loadFixture(acceptedFixture);
        await expect(c.jobEscrow.connect(h100.signer).submitResult(job.jobId, uri, keccakUtf8("r")))
          .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowInvalidResultURI")
          .withArgs(uri.length, 256);
      });
    }

    it("refuses a zero result hash", async function () {
      const { c, job, h100 } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(h100.signer).submitResult(job.jobId, "ipfs://r", ZeroHash)).to.be.revertedWithCustomError(
        c.jobEscrow,
        "JobEscrowZeroResultHash",
      );
    });

    it("is refused before acceptance", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      await expect(c.jobEscrow.connect(h100.signer).submitResult(job.jobId, "ipfs://r", keccakUtf8("r")))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Open);
    });
  });

  describe("settlement", function () {
    it("approveResult pays cost minus fee to the provider, the fee to the treasury and the rest back, to the wei", async function () {
      const { c, job, h100, clients, treasury, jobCost, collateral } = await loadFixture(submittedFixture);
      const fee = bpsUp(jobCost, P.protocolFeeBps);
      const refund = job.escrowed - jobCost;
      const tx = c.jobEscrow.connect(clients[0]!).approveResult(job.jobId);
      await expect(tx)
        .to.emit(c.jobEscrow, "JobSettled")
        .withArgs(job.jobId, h100.address, SettlementReason.Approved, jobCost, fee, jobCost - fee, refund);
      await expect(tx).to.changeTokenBalances(c.token, [h100.signer, treasury, clients[0]!, c.jobEscrow], [jobCost - fee, fee, refund, -job.escrowed]);
      await expect(tx).to.emit(c.staking, "CollateralUnlocked").withArgs(h100.address, job.jobId, collateral, 0);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.Completed);
    });

    it("approveResult is refused to anyone but the client", async function () {
      const { c, job, h100 } = await loadFixture(submittedFixture);
      await expect(c.jobEscrow.connect(h100.signer).approveResult(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowNotClient")
        .withArgs(job.jobId, h100.address);
    });

    it("approveResult is refused before submission", async function () {
      const { c, job, clients } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(clients[0]!).approveResult(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Accepted);
    });

    it("settle is refused at the end of the challenge window", async function () {
      const { c, job, funder, challengeDeadline } = await loadFixture(submittedFixture);
      await time.setNextBlockTimestamp(challengeDeadline);
      await expect(c.jobEscrow.connect(funder).settle(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowChallengeWindowOpen")
        .withArgs(job.jobId, challengeDeadline);
    });

    it("settle pays out one second after the window, called by anyone", async function () {
      const { c, job, h100, funder, clients, treasury, jobCost, challengeDeadline } = await loadFixture(submittedFixture);
      await time.setNextBlockTimestamp(challengeDeadline + 1);
      const fee = bpsUp(jobCost, P.protocolFeeBps);
      const tx = c.jobEscrow.connect(funder).settle(job.jobId);
      await expect(tx)
        .to.emit(c.jobEscrow, "JobSettled")
        .withArgs(job.jobId, h100.address, SettlementReason.ChallengeWindowPassed, jobCost, fee, jobCost - fee, job.escrowed - jobCost);
      await expect(tx).to.changeTokenBalances(c.token, [h100.signer, treasury, clients[0]!, funder], [jobCost - fee, fee, job.escrowed - jobCost, 0]);
    });

    it("settle is refused twice", async function () {
      const { c, job, clients, funder, challengeDeadline } = await loadFixture(submittedFixture);
      await c.jobEscrow.connect(clients[0]!).approveResult(job.jobId);
      await time.setNextBlockTimestamp(challengeDeadline + 1);
      await expect(c.jobEscrow.connect(funder).settle(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Completed);
    });

    it("sends no fee transfer when the fee is zero", async function () {
      const w = await loadFixture(openJobFixture);
      await w.c.jobEscrow.connect(w.timelock).setProtocolFeeBps(0);
      await acceptJob(w.s, w.job, w.h100);
      await submitResult(w.s, w.job, w.h100);
      await expect(w.c.jobEscrow.connect(w.clients[0]!).approveResult(w.job.jobId)).to.changeTokenBalance(w.c.token, w.treasury, 0);
    });
  });

  describe("track record (minTrackRecordCost)", function () {
    /** The H100 job of acceptedFixture, accepted now and submitted 1,234 s later. */
    async function acceptAndSubmit(w: Awaited<ReturnType<typeof openJobFixture>>): Promise<void> {
      const acceptedAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(acceptedAt);
      await acceptJob(w.s, w.job, w.h100);
      await time.setNextBlockTimestamp(acceptedAt + 1234);
      await submitResult(w.s, w.job, w.h100);
    }
    const jobCost = cost(H100_LISTING.pricePerGpuHour, 4n, 1234n);

    it("a job that cost less than minTrackRecordCost settles exactly as before but does not count as completed", async function () {
      const { c, job, h100, clients, jobCost: paid } = await loadFixture(submittedFixture);
      expect(paid).to.be.lessThan(P.minTrackRecordCost);
      const fee = bpsUp(paid, P.protocolFeeBps);
      await expect(c.jobEscrow.connect(clients[0]!).approveResult(job.jobId))
        .to.emit(c.jobEscrow, "JobSettled")
        .withArgs(job.jobId, h100.address, SettlementReason.Approved, paid, fee, paid - fee, job.escrowed - paid);
      expect(await c.jobEscrow.providerStats(h100.address)).to.deep.equal([0n, 0n, 0n]);
    });

    it("a job that cost exactly minTrackRecordCost counts as completed", async function () {
      const w = await loadFixture(openJobFixture);
      await w.c.jobEscrow.connect(w.timelock).setMinTrackRecordCost(jobCost);
      await acceptAndSubmit(w);
      await approveResult(w.s, w.job);
      expect(await w.c.jobEscrow.providerStats(w.h100.address)).to.deep.equal([1n, 0n, 0n]);
    });

    it("a raise by governance after acceptance does not stop the job from counting", async function () {
      const w = await loadFixture(openJobFixture);
      await w.c.jobEscrow.connect(w.timelock).setMinTrackRecordCost(0);
      await acceptAndSubmit(w);
      await w.c.jobEscrow.connect(w.timelock).setMinTrackRecordCost(LAT("10000"));
      await approveResult(w.s, w.job);
      expect((await w.c.jobEscrow.providerStats(w.h100.address)).completed).to.equal(1n);
    });

    it("a cut by governance after acceptance does not make a cheaper job count", async function () {
      const w = await loadFixture(openJobFixture);
      expect(jobCost).to.be.lessThan(P.minTrackRecordCost);
      await acceptAndSubmit(w);
      await w.c.jobEscrow.connect(w.timelock).setMinTrackRecordCost(0);
      await approveResult(w.s, w.job);
      expect((await w.c.jobEscrow.providerStats(w.h100.address)).completed).to.equal(0n);
    });

    it("a near-free job a provider posts to itself from a second address does not satisfy minCompletedJobs", async function () {
      const w = await loadFixture(providersFixture);
      const farmed = await createJob(w.s, w.clients[1]!, { targetProvider: w.rtx.address, maxPricePerGpuHour: LAT("0.4") });
      await acceptJob(w.s, farmed, w.rtx);
      await submitResult(w.s, farmed, w.rtx, { after: 60 });
      await approveResult(w.s, farmed);
      const job = await create(w, { minCompletedJobs: 1 });
      await expect(w.c.jobEscrow.connect(w.rtx.signer).acceptJob(job.jobId, w.rtx.address, job.terms))
        .to.be.revertedWithCustomError(w.c.jobEscrow, "JobEscrowTooFewCompletedJobs")
        .withArgs(1, 0);
    });
  });

  describe("dust jobs (fee, collateral and timeout slash round up)", function () {
    /** The H100 provider at 1 wei per GPU-hour, so that a one-GPU, one-hour job costs what its maximum price says. */
    async function dustFixture() {
      const w = await providersFixture();
      await w.c.registry.connect(w.h100.signer).setPrice(1n);
      return w;
    }

    /** A one-GPU, one-hour job at `maxPrice` wei per GPU-hour (so escrowed = maxPrice), accepted by the H100 provider. */
    async function acceptDust(w: WithProviders, maxPrice: bigint): Promise<{ job: JobHandle; acceptedAt: number }> {
      const job = await create(w, { gpuCount: 1, maxDuration: 3600, maxPricePerGpuHour: maxPrice });
      expect(job.escrowed).to.equal(maxPrice);
      const acceptedAt = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(acceptedAt);
      await acceptJob(w.s, job, w.h100);
      return { job, acceptedAt };
    }

    /** Settles a one-hour job billed for its whole hour at `price` wei per GPU-hour: its cost is `price`. */
    async function settleAt(w: WithProviders, price: bigint) {
      await w.c.registry.connect(w.h100.signer).setPrice(price);
      const { job, acceptedAt } = await acceptDust(w, price);
      await time.setNextBlockTimestamp(acceptedAt + 3600);
      await submitResult(w.s, job, w.h100);
      return { job, tx: w.c.jobEscrow.connect(w.clients[0]!).approveResult(job.jobId) };
    }

    it("a 1-wei job locks 1 wei of collateral, not 0", async function () {
      const w = await loadFixture(dustFixture);
      const { job } = await acceptDust(w, 1n);
      expect(await w.c.staking.jobCollateral(job.jobId)).to.deep.equal([w.h100.address, 1n]);
    });

    it("collateral is exact where the ratio divides the escrow and rounded up otherwise", async function () {
      const w = await loadFixture(dustFixture);
      // 5,000 bps: 2 wei locks 1, 3 wei locks 2 (1.5 rounded up).
      const exact = await acceptDust(w, 2n);
      expect((await w.c.staking.jobCollateral(exact.job.jobId))[1]).to.equal(1n);
      const rounded = await acceptDust(w, 3n);
      expect((await w.c.staking.jobCollateral(rounded.job.jobId))[1]).to.equal(2n);
    });

    it("a job that cost 1 wei pays a 1-wei fee, not 0", async function () {
      const w = await loadFixture(dustFixture);
      const { job, tx } = await settleAt(w, 1n);
      await expect(tx).to.emit(w.c.jobEscrow, "JobSettled").withArgs(job.jobId, w.h100.address, SettlementReason.Approved, 1n, 1n, 0n, 0n);
      await expect(tx).to.changeTokenBalances(w.c.token, [w.h100.signer, w.treasury], [0n, 1n]);
    });

    it("the fee is exact where the bps divide the cost and rounded up otherwise", async function () {
      const w = await loadFixture(dustFixture);
      // 250 bps: a 40-wei cost pays exactly 1, a 41-wei cost 2 (1.025 rounded up).
      const exact = await settleAt(w, 40n);
      await expect(exact.tx).to.emit(w.c.jobEscrow, "JobSettled").withArgs(exact.job.jobId, w.h100.address, SettlementReason.Approved, 40n, 1n, 39n, 0n);
      const rounded = await settleAt(w, 41n);
      await expect(rounded.tx).to.emit(w.c.jobEscrow, "JobSettled").withArgs(rounded.job.jobId, w.h100.address, SettlementReason.Approved, 41n, 2n, 39n, 0n);
    });

    it("a timed-out 1-wei job slashes its 1 wei of collateral to the client", async function () {
      const w = await loadFixture(dustFixture);
      const { job, acceptedAt } = await acceptDust(w, 1n);
      await time.setNextBlockTimestamp(acceptedAt + 3600 + P.grace + 1);
      const tx = w.c.jobEscrow.connect(w.funder).claimTimeout(job.jobId);
      await expect(tx).to.emit(w.c.jobEscrow, "JobTimedOut").withArgs(job.jobId, w.h100.address, 1n, 1n);
      await expect(tx).to.emit(w.c.staking, "Slashed").withArgs(w.h100.address, job.jobId, w.clients[0]!.address, 1n, 1n, 0n, H100_STAKE - 1n, 0n);
      await expect(tx).to.changeTokenBalances(w.c.token, [w.clients[0]!, w.c.staking], [2n, -1n]);
    });
  });

  describe("claimTimeout", function () {
    it("is refused at the result deadline", async function () {
      const { c, job, funder, resultDeadline } = await loadFixture(acceptedFixture);
      await time.setNextBlockTimestamp(resultDeadline);
      await expect(c.jobEscrow.connect(funder).claimTimeout(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowResultDeadlineNotPassed")
        .withArgs(job.jobId, resultDeadline);
    });

    it("refunds in full, slashes part of the collateral to the client and frees the rest and the GPUs", async function () {
      const { c, job, h100, funder, clients, resultDeadline, collateral } = await loadFixture(acceptedFixture);
      const slashed = bpsUp(collateral, P.timeoutSlashBps);
      await time.setNextBlockTimestamp(resultDeadline + 1);
      const tx = c.jobEscrow.connect(funder).claimTimeout(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobTimedOut").withArgs(job.jobId, h100.address, job.escrowed, slashed);
      await expect(tx).to.emit(c.staking, "Slashed").withArgs(h100.address, job.jobId, clients[0]!.address, slashed, slashed, 0, LAT("10000") - slashed, collateral - slashed);
      await expect(tx).to.emit(c.staking, "CollateralUnlocked").withArgs(h100.address, job.jobId, collateral - slashed, 0);
      await expect(tx).to.emit(c.registry, "CapacityReleased").withArgs(h100.address, job.jobId, 4, 0);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, c.jobEscrow, c.staking, funder], [job.escrowed + slashed, -job.escrowed, -slashed, 0]);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.TimedOut);
      expect(await c.jobEscrow.providerStats(h100.address)).to.deep.equal([0n, 1n, 0n]);
      expect(await c.staking.getStake(h100.address)).to.deep.equal([LAT("10000") - slashed, 0n, 0n]);
    });

    it("pays the client under the cap in force at acceptance: the provider cannot lower it while the job runs", async function () {
      // The attack: the provider accepts with no cap, lowers the cap to 0 once the client is committed, then lets the
      // job time out so that the whole slash goes to the treasury instead of the client.
      const { c, job, h100, funder, clients, treasury, resultDeadline, collateral } = await loadFixture(acceptedFixture);
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(0))
        .to.be.revertedWithCustomError(c.staking, "StakingSlashRewardCapLowerWhileLocked")
        .withArgs(h100.address, 10_000, 0, collateral);
      const slashed = bpsUp(collateral, P.timeoutSlashBps);
      await time.setNextBlockTimestamp(resultDeadline + 1);
      const tx = c.jobEscrow.connect(funder).claimTimeout(job.jobId);
      await expect(tx).to.emit(c.staking, "Slashed").withArgs(h100.address, job.jobId, clients[0]!.address, slashed, slashed, 0, LAT("10000") - slashed, collateral - slashed);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, treasury], [job.escrowed + slashed, 0]);
      // With the job over, the provider may lower its cap for the jobs it accepts next.
      await expect(c.staking.connect(h100.signer).setMaxSlashRewardBps(0)).to.emit(c.staking, "MaxSlashRewardSet").withArgs(h100.address, 0);
    });

    it("is refused once a result is in", async function () {
      const { c, job, funder } = await loadFixture(submittedFixture);
      await expect(c.jobEscrow.connect(funder).claimTimeout(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Submitted);
    });
  });

  describe("abandonJob", function () {
    it("settles exactly as a timeout would, at once: full refund, the timeout slash to the client, GPUs freed, a timeout counted", async function () {
      const { c, job, h100, clients, acceptedAt, collateral } = await loadFixture(acceptedFixture);
      const slashed = bpsUp(collateral, P.timeoutSlashBps);
      await time.setNextBlockTimestamp(acceptedAt + 60);
      const tx = c.jobEscrow.connect(h100.signer).abandonJob(job.jobId);
      await expect(tx).to.emit(c.jobEscrow, "JobAbandoned").withArgs(job.jobId, h100.address, h100.address);
      await expect(tx).to.emit(c.jobEscrow, "JobTimedOut").withArgs(job.jobId, h100.address, job.escrowed, slashed);
      await expect(tx).to.emit(c.staking, "Slashed").withArgs(h100.address, job.jobId, clients[0]!.address, slashed, slashed, 0, LAT("10000") - slashed, collateral - slashed);
      await expect(tx).to.emit(c.staking, "CollateralUnlocked").withArgs(h100.address, job.jobId, collateral - slashed, 0);
      await expect(tx).to.emit(c.registry, "CapacityReleased").withArgs(h100.address, job.jobId, 4, 0);
      await expect(tx).to.changeTokenBalances(c.token, [clients[0]!, c.jobEscrow, c.staking, h100.signer], [job.escrowed + slashed, -job.escrowed, -slashed, 0]);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(JobStatus.TimedOut);
      expect(await c.jobEscrow.providerStats(h100.address)).to.deep.equal([0n, 1n, 0n]);
      expect(await c.staking.getStake(h100.address)).to.deep.equal([LAT("10000") - slashed, 0n, 0n]);
      expect(await c.registry.freeGpus(h100.address)).to.equal(8n);
    });

    it("costs the provider what the timeout at the deadline would have, to the wei", async function () {
      const { c, job, h100, funder, resultDeadline } = await loadFixture(acceptedFixture);
      const before = await time.latest();
      await time.setNextBlockTimestamp(resultDeadline + 1);
      await c.jobEscrow.connect(funder).claimTimeout(job.jobId);
      const timedOut = { stake: await c.staking.getStake(h100.address), stats: await c.jobEscrow.providerStats(h100.address) };
      const { c: c2, job: job2, h100: p2 } = await loadFixture(acceptedFixture);
      expect(await time.latest()).to.equal(before);
      await c2.jobEscrow.connect(p2.signer).abandonJob(job2.jobId);
      expect(await c2.staking.getStake(p2.address)).to.deep.equal(timedOut.stake);
      expect(await c2.jobEscrow.providerStats(p2.address)).to.deep.equal(timedOut.stats);
    });

    it("may be done by the operator, named as who gave the job back", async function () {
      const { c, job, h100, operators } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(operators[0]!).abandonJob(job.jobId))
        .to.emit(c.jobEscrow, "JobAbandoned")
        .withArgs(job.jobId, h100.address, operators[0]!.address);
    });

    it("is refused to anyone else, the client included", async function () {
      const { c, job, h100, clients, funder } = await loadFixture(acceptedFixture);
      for (const caller of [clients[0]!, funder]) {
        await expect(c.jobEscrow.connect(caller).abandonJob(job.jobId))
          .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnauthorized")
          .withArgs(caller.address, h100.address);
      }
    });

    it("is allowed at the result deadline", async function () {
      const { c, job, h100, resultDeadline } = await loadFixture(acceptedFixture);
      await time.setNextBlockTimestamp(resultDeadline);
      await expect(c.jobEscrow.connect(h100.signer).abandonJob(job.jobId)).to.emit(c.jobEscrow, "JobAbandoned");
    });

    it("is refused one second after the result deadline: the job has timed out, for claimTimeout to settle", async function () {
      const { c, job, h100, resultDeadline } = await loadFixture(acceptedFixture);
      await time.setNextBlockTimestamp(resultDeadline + 1);
      await expect(c.jobEscrow.connect(h100.signer).abandonJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowResultDeadlinePassed")
        .withArgs(job.jobId, resultDeadline);
    });

    it("is refused for a job not accepted yet, with its status", async function () {
      const { c, job, h100 } = await loadFixture(openJobFixture);
      await expect(c.jobEscrow.connect(h100.signer).abandonJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Open);
    });

    it("is refused once a result is in", async function () {
      const { c, job, h100 } = await loadFixture(submittedFixture);
      await expect(c.jobEscrow.connect(h100.signer).abandonJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Submitted);
    });

    it("is refused a second time", async function () {
      const { c, job, h100 } = await loadFixture(acceptedFixture);
      await c.jobEscrow.connect(h100.signer).abandonJob(job.jobId);
      await expect(c.jobEscrow.connect(h100.signer).abandonJob(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.TimedOut);
    });

    it("is refused for an unknown job", async function () {
      const { c, h100 } = await loadFixture(acceptedFixture);
      await expect(c.jobEscrow.connect(h100.signer).abandonJob(999n))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnknownJob")
        .withArgs(999n);
    });
  });

  describe("dispute manager entry points", function () {
    it("are refused to anyone but the dispute manager, governance included", async function () {
      const { c, job, timelock } = await loadFixture(submittedFixture);
      for (const call of [
        () => c.jobEscrow.connect(timelock).markDisputed(job.jobId),
        () => c.jobEscrow.connect(timelock).settleDisputed(job.jobId, SettlementReason.DisputeDraw),
        () => c.jobEscrow.connect(timelock).refundDisputed(job.jobId, 0),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowOnlyDisputeManager").withArgs(timelock.address);
      }
    });

    it("markDisputed refuses a job that is not submitted", async function () {
      const { c, job } = await loadFixture(acceptedFixture);
      const dm = await asAccount(await c.disputeManager.getAddress());
      await expect(c.jobEscrow.connect(dm).markDisputed(job.jobId))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Accepted);
    });

    it("settleDisputed and refundDisputed refuse a job that is not disputed", async function () {
      const { c, job } = await loadFixture(submittedFixture);
      const dm = await asAccount(await c.disputeManager.getAddress());
      await expect(c.jobEscrow.connect(dm).settleDisputed(job.jobId, SettlementReason.DisputeDraw))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Submitted);
      await expect(c.jobEscrow.connect(dm).refundDisputed(job.jobId, 0))
        .to.be.revertedWithCustomError(c.jobEscrow, "JobEscrowUnexpectedStatus")
        .withArgs(job.jobId, JobStatus.Submitted);
    });
  });

  describe("the guardian's pause", function () {
    async function pausedFixture() {
      const w = await submittedFixture();
      const running = await createJob(w.s, w.clients[1]!, { gpuCount: 1 });
      await acceptJob(w.s, running, w.rtx);
      const open = await createJob(w.s, w.clients[1]!, { targetProvider: w.rtx.address });
      await w.c.pauseGuardian.connect(w.guardian).pause();
      return { ...w, running, open };
    }

    it("leaves result submission working", async function () {
      const { s, c, running, rtx } = await loadFixture(pausedFixture);
      await expect(submitResult(s, running, rtx)).to.emit(c.jobEscrow, "ResultSubmitted");
    });

    it("leaves approval working", async function () {
      const { c, job, clients } = await loadFixture(pausedFixture);
      await expect(c.jobEscrow.connect(clients[0]!).approveResult(job.jobId)).to.emit(c.jobEscrow, "JobSettled");
    });

    it("leaves settlement after the window working", async function () {
      const { c, job, funder, challengeDeadline } = await loadFixture(pausedFixture);
      await time.setNextBlockTimestamp(challengeDeadline + 1);
      await expect(c.jobEscrow.connect(funder).settle(job.jobId)).to.emit(c.jobEscrow, "JobSettled");
    });

    it("leaves decline working", async function () {
      const { c, open, rtx } = await loadFixture(pausedFixture);
      await expect(c.jobEscrow.connect(rtx.signer).declineJob(open.jobId)).to.emit(c.jobEscrow, "JobDeclined");
    });

    it("leaves cancellation working", async function () {
      const { c, open, clients } = await loadFixture(pausedFixture);
      await expect(c.jobEscrow.connect(clients[1]!).cancelJob(open.jobId)).to.emit(c.jobEscrow, "JobCancelled");
    });

    it("leaves expiry working", async function () {
      const { c, open, funder } = await loadFixture(pausedFixture);
      await time.setNextBlockTimestamp(Number(open.terms.acceptDeadline) + 1);
      await expect(c.jobEscrow.connect(funder).expireJob(open.jobId)).to.emit(c.jobEscrow, "JobExpired");
    });

    it("leaves timeouts working", async function () {
      const { c, running, funder } = await loadFixture(pausedFixture);
      await time.increaseTo(Number((await c.jobEscrow.getJob(running.jobId)).deadline) + 1);
      await expect(c.jobEscrow.connect(funder).claimTimeout(running.jobId)).to.emit(c.jobEscrow, "JobTimedOut");
    });

    it("leaves giving an accepted job back working: it refunds the client", async function () {
      const { c, running, rtx } = await loadFixture(pausedFixture);
      await expect(c.jobEscrow.connect(rtx.signer).abandonJob(running.jobId))
        .to.emit(c.jobEscrow, "JobAbandoned")
        .withArgs(running.jobId, rtx.address, rtx.address);
    });

    it("leaves disputes working", async function () {
      const { c, job, clients } = await loadFixture(pausedFixture);
      await c.token.connect(clients[0]!).approve(await c.disputeManager.getAddress(), P.disputeDeposit);
      await expect(c.disputeManager.connect(clients[0]!).openDispute(job.jobId, "ipfs://e")).to.emit(c.disputeManager, "DisputeOpened");
    });

    it("leaves answering and ruling a dispute working", async function () {
      const { c, s, job, h100, arbitrator, clients } = await loadFixture(pausedFixture);
      await openDispute(s, job);
      const operator = h100.operator!;
      await expect(c.disputeManager.connect(operator).answerDispute(job.jobId, "ipfs://a"))
        .to.emit(c.disputeManager, "DisputeAnswered")
        .withArgs(job.jobId, h100.address, await operator.getAddress(), "ipfs://a");
      await expect(c.disputeManager.connect(arbitrator).rule(job.jobId, Ruling.Draw, 0))
        .to.emit(c.disputeManager, "DisputeResolved")
        .withArgs(job.jobId, Ruling.Draw, arbitrator.address, 0, 0, clients[0]!.address);
    });
  });

  describe("operator and owner", function () {
    it("an operator cannot thaw or withdraw its provider's stake", async function () {
      const { c, h100, operators } = await loadFixture(acceptedFixture);
      await expect(c.staking.connect(operators[0]!).thaw(1))
        .to.be.revertedWithCustomError(c.staking, "StakingInsufficientFreeStake")
        .withArgs(operators[0]!.address, 1, 0);
      await expect(c.staking.connect(operators[0]!).withdraw(1))
        .to.be.revertedWithCustomError(c.staking, "StakingNothingToWithdraw")
        .withArgs(operators[0]!.address);
      expect((await c.staking.getStake(h100.address))[0]).to.equal(LAT("10000"));
    });

    it("an operator cannot deregister its provider", async function () {
      const { c, operators } = await loadFixture(acceptedFixture);
      await expect(c.registry.connect(operators[0]!).deregister())
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryNotRegistered")
        .withArgs(operators[0]!.address);
    });

    it("with its provider's cap at 0, an operator's self-dealt timeout nets its client nothing: the slash goes to the treasury", async function () {
      // The audit's round: the operator posts a job for its own provider from a client it controls, accepts it and
      // lets it time out.
      const w = await loadFixture(providersFixture);
      const [operator, client] = [w.operators[0]!, w.clients[1]!];
      await w.c.staking.connect(w.h100.signer).setMaxSlashRewardBps(0);
      const job = await createJob(w.s, client, { gpuModel: "h100-sxm-80gb", gpuCount: 8, targetProvider: w.h100.address });
      await acceptJob(w.s, job, w.h100, "operator");
      const collateral = bps(job.escrowed, P.collateralRatioBps);
      const slashed = bpsUp(collateral, P.timeoutSlashBps);
      const deadline = Number((await w.c.jobEscrow.getJob(job.jobId)).deadline);
      await time.setNextBlockTimestamp(deadline + 1);
      const tx = w.c.jobEscrow.connect(w.funder).claimTimeout(job.jobId);
      await expect(tx).to.emit(w.c.staking, "Slashed").withArgs(w.h100.address, job.jobId, client.address, slashed, 0, slashed, H100_STAKE - slashed, collateral - slashed);
      await expect(tx).to.changeTokenBalances(w.c.token, [client, operator, w.treasury], [job.escrowed, 0, slashed]);
    });

    it("payments go to the provider, never to the operator", async function () {
      const w = await loadFixture(acceptedFixture);
      await submitResult(w.s, w.job, w.h100, { by: "operator" });
      await expect(w.c.jobEscrow.connect(w.clients[0]!).approveResult(w.job.jobId)).to.changeTokenBalance(w.c.token, w.operators[0]!, 0);
    });
  });

  describe("parameters", function () {
    const cases: [string, keyof typeof P, number | bigint, number | bigint, number | bigint, number | bigint][] = [
      ["setProtocolFeeBps", "protocolFeeBps", 500, 0, 1000, 1001],
      ["setCollateralRatioBps", "collateralRatioBps", 10_000, 1000, 30_000, 999],
      ["setTimeoutSlashBps", "timeoutSlashBps", 3000, 500, 10_000, 499],
      ["setMaxSlashingCutBps", "maxSlashingCutBps", 8000, 1000, 10_000, 10_001],
      ["setDisputeRewardBps", "disputeRewardBps", 2500, 0, 10_000, 10_001],
      ["setChallengeWindow", "challengeWindow", 7200, 600, 7 * 86_400, 599],
      ["setGrace", "grace", 120, 60, 86_400, 86_401],
      ["setDisputePeriod", "disputePeriod", 86_400, 3600, 14 * 86_400, 14 * 86_400 + 1],
      ["setDisputeDeposit", "disputeDeposit", LAT("5"), LAT("1"), LAT("1000000"), LAT("1") - 1n],
      ["setMinTrackRecordCost", "minTrackRecordCost", LAT("50"), 0, LAT("10000"), LAT("10000") + 1n],
    ];
    type Setter = (v: number | bigint) => Promise<unknown>;
    const setter = (escrow: unknown, name: string): Setter => (escrow as Record<string, Setter>)[name]!.bind(escrow);

    it("getDisputeTerms gives the challenge window, dispute period and deposit of the version asked for", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      await c.jobEscrow.connect(timelock).setDisputeDeposit(LAT("5"));
      await c.jobEscrow.connect(timelock).setDisputePeriod(86_400);
      const terms = async (id: number) => (await c.jobEscrow.getDisputeTerms(id)).map((x) => BigInt(x));
      expect(await terms(1)).to.deep.equal([BigInt(P.challengeWindow), BigInt(P.disputePeriod), BigInt(P.disputeDeposit)]);
      expect(await terms(3)).to.deep.equal([BigInt(P.challengeWindow), 86_400n, LAT("5")]);
    });

    for (const [fn, key, value, min, max, bad] of cases) {
      it(`${fn} writes a new parameter version and emits both events`, async function () {
        const { c, timelock } = await loadFixture(baseFixture);
        const tx = setter(c.jobEscrow.connect(timelock), fn)(value);
        const expected = { ...P, [key]: value };
        await expect(tx).to.emit(c.jobEscrow, "ParameterUpdated").withArgs(encodeBytes32String(key), value);
        await expect(tx)
          .to.emit(c.jobEscrow, "EconomicParamsUpdated")
          .withArgs(2, [expected.protocolFeeBps, expected.collateralRatioBps, expected.timeoutSlashBps, expected.maxSlashingCutBps, expected.disputeRewardBps, expected.challengeWindow, expected.grace, expected.disputePeriod, expected.minTrackRecordCost, expected.disputeDeposit]);
        expect(await c.jobEscrow.currentParamsId()).to.equal(2n);
        expect((await c.jobEscrow.getParams(2))[key]).to.equal(BigInt(value));
        expect((await c.jobEscrow.getParams(1))[key]).to.equal(BigInt(P[key]));
      });

      it(`${fn} refuses ${bad}`, async function () {
        const { c, timelock } = await loadFixture(baseFixture);
        await expect(setter(c.jobEscrow.connect(timelock), fn)(bad))
          .to.be.revertedWithCustomError(c.jobEscrow, "GovernedParameterOutOfBounds")
          .withArgs(encodeBytes32String(key), bad, min, max);
      });

      it(`${fn} is refused to anyone but governance`, async function () {
        const { c, guardian } = await loadFixture(baseFixture);
        await expect(setter(c.jobEscrow.connect(guardian), fn)(value))
          .to.be.revertedWithCustomError(c.jobEscrow, "GovernedOnlyGovernance")
          .withArgs(guardian.address);
      });
    }
  });

  describe("views", function () {
    it("computeCost rounds down", async function () {
      const { c } = await loadFixture(baseFixture);
      expect(await c.jobEscrow.computeCost(7n, 3n, 1000n)).to.equal(5n);
    });

    it("hashTerms is keccak256 of the ABI-encoded terms", async function () {
      const w = await loadFixture(providersFixture);
      const terms = await makeTerms(w.s, { gpuModel: "h100-sxm-80gb", minSlashRewardBps: 7_500 });
      const r = terms.requirements;
      const encoded = AbiCoder.defaultAbiCoder().encode([TERMS_TYPE], [[
        [r.gpuModel, r.region, r.minVramGiB, r.gpuCount, r.tier, r.minCompletedJobs, r.minSlashRewardBps],
        terms.maxPricePerGpuHour,
        terms.maxDuration,
        terms.acceptDeadline,
        terms.targetProvider,
        terms.specHash,
      ]]);
      expect(await w.c.jobEscrow.hashTerms(terms)).to.equal(keccak256(encoded));
    });
  });
});
