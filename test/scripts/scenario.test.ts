import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { loadDeployment } from "../../scripts/deploy";
import {
  EVENTS_NEVER_EMITTED,
  attachScenario,
  bulkCreateJobs,
  bulkRegisterProviders,
  createJob,
  guardianPause,
  latestTimestamp,
  unpauseByGovernance,
  JobStatus,
  collectEvents,
  deployScenario,
  missingEvents,
  runFullScenario,
} from "../../scripts/scenario";
import type { DecodedEvent } from "../../scripts/scenario";
import { withRefusedLogs } from "./tasks/helpers";

describe("scenario driver", function () {
  async function fullScenarioFixture() {
    const s = await deployScenario(await ethers.getSigners());
    const summary = await runFullScenario(s);
    return { s, summary };
  }

  it("emits every event of every deployed contract's ABI except the documented never-emitted ones", async function () {
    const { s } = await loadFixture(fullScenarioFixture);
    const from = s.deployment.record.contracts.LatentTimelock.blockNumber;
    const events = await collectEvents(s.rpc, s.deployment.record, s.c, from);
    const expected = EVENTS_NEVER_EMITTED.map((e) => `${e.contract}.${e.name}`).sort();
    expect(missingEvents(s.c, events).sort()).to.deep.equal(expected);
  });

  it("collects the same events, in order, from a node that refuses eth_getLogs over more than 16 blocks", async function () {
    const { s } = await loadFixture(fullScenarioFixture);
    const from = s.deployment.record.contracts.LatentTimelock.blockNumber;
    const whole = await collectEvents(s.rpc, s.deployment.record, s.c, from);
    const capped = await withRefusedLogs(
      (call) => call.blocks > 16,
      () => collectEvents(s.rpc, s.deployment.record, s.c, from),
    );
    expect(capped.refused).to.be.greaterThan(0);
    const key = (e: DecodedEvent) => `${e.blockNumber}:${e.logIndex}:${e.contract}.${e.name}`;
    expect(capped.value.map(key)).to.deep.equal(whole.map(key));
  });

  it("posts a job whose acceptance window is shorter than the time since the latest block, counting from the next block's time", async function () {
    const { s } = await loadFixture(fullScenarioFixture);
    // The node's clock runs 600 s past the latest block, as when no block is mined for 10 minutes.
    await s.rpc.send("evm_increaseTime", [600]);
    const stale = await latestTimestamp(s);
    const job = await createJob(s, s.actors.clients[0]!, { acceptWindow: 120 });
    const deadline = Number(job.terms.acceptDeadline);
    expect(deadline).to.be.at.least(stale + 600 + 120);
    expect(deadline).to.be.within((await latestTimestamp(s)) + 1, (await latestTimestamp(s)) + 120);
  });

  it("deploys with the devnet governance timings npm start promises: 10 s voting delay, 60 s voting period, 60 s timelock", async function () {
    const { s } = await loadFixture(fullScenarioFixture);
    expect(await s.c.governor.votingDelay()).to.equal(10n);
    expect(await s.c.governor.votingPeriod()).to.equal(60n);
    expect(await s.c.timelock.getMinDelay()).to.equal(60n);
  });

  it("loadDeployment reads a record's configuration back from the chain", async function () {
    const { s } = await loadFixture(fullScenarioFixture);
    const loaded = await loadDeployment(s.deployment.record, ethers.provider);
    // The allocations come from the record, everything else from the chain.
    const expected = { ...s.deployment.config };
    // The full scenario's proposal changed three parameters.
    expected.params = { ...expected.params, thawingPeriod: 7200, maxGpusPerProvider: 128, economic: { ...expected.params.economic, protocolFeeBps: 300 } };
    expect(loaded.config).to.deep.equal(expected);
  });

  it("unpauseByGovernance lifts a guardian pause through a proposal", async function () {
    const s = await deployScenario(await ethers.getSigners());
    await s.c.token.connect(s.actors.funder).delegate(await s.actors.funder.getAddress());
    await guardianPause(s);
    await unpauseByGovernance(attachScenario(s.deployment, await ethers.getSigners()));
    expect(await s.c.pauseGuardian.isPaused()).to.equal(false);
  });

  it("bulk-registers active providers and bulk-creates jobs they accept, submit and approve", async function () {
    const s = await deployScenario(await ethers.getSigners());
    const providers = await bulkRegisterProviders(s, { count: 12, batchSize: 5 });
    expect(await s.c.registry.providerCount()).to.equal(12n);
    for (const w of providers.wallets) expect(await s.c.registry.isActive(w.address)).to.equal(true);
    // Two rounds through approval: submitting frees the providers' GPUs for the next round.
    for (const seed of ["first", "second"]) {
      const done = await bulkCreateJobs(s, { count: 12, seed, acceptWith: providers, submit: true, approve: true, batchSize: 5 });
      for (const j of done.jobs) expect((await s.c.jobEscrow.getJob(j.jobId)).status).to.equal(BigInt(JobStatus.Completed));
    }
    const jobs = await bulkCreateJobs(s, { count: 12, acceptWith: providers, batchSize: 5 });
    for (const [i, j] of jobs.jobs.entries()) {
      const job = await s.c.jobEscrow.getJob(j.jobId);
      expect([job.status, job.provider]).to.deep.equal([BigInt(JobStatus.Accepted), providers.wallets[i]!.address]);
    }
    expect(await ethers.provider.send("hardhat_getAutomine", [])).to.equal(true);
  });

  it("bulk-creates each job with its own spec URI, the one its spec hash commits to", async function () {
    const s = await deployScenario(await ethers.getSigners());
    const specURIs = ["ipfs://bafy-custom/a.json", undefined, "ipfs://bafy-custom/c.json"];
    const { fromBlock, toBlock } = await bulkCreateJobs(s, { count: 3, jobFor: (i) => ({ specURI: specURIs[i], gpuCount: i + 1 }), batchSize: 2 });
    const created = await s.c.jobEscrow.queryFilter(s.c.jobEscrow.filters.JobCreated(), fromBlock, toBlock);
    const expected = ["ipfs://bafy-custom/a.json", "ipfs://bafy-latent-bulk/job-1.json", "ipfs://bafy-custom/c.json"];
    expect(created.map((e) => e.args.specURI)).to.deep.equal(expected);
    expect(created.map((e) => e.args.terms.specHash)).to.deep.equal(expected.map((uri) => ethers.keccak256(ethers.toUtf8Bytes(uri))));
    expect(created.map((e) => e.args.terms.requirements.gpuCount)).to.deep.equal([1n, 2n, 3n]);
  });

  it("leaves each job in the state its name says", async function () {
    const { s, summary } = await loadFixture(fullScenarioFixture);
    const status = async (id: bigint) => Number((await s.c.jobEscrow.getJob(id)).status);
    const j = summary.jobs;
    expect(await status(j.approved)).to.equal(JobStatus.Completed);
    expect(await status(j.cancelled)).to.equal(JobStatus.Cancelled);
    expect(await status(j.expired)).to.equal(JobStatus.Expired);
    expect(await status(j.declined)).to.equal(JobStatus.Declined);
    expect(await status(j.timedOut)).to.equal(JobStatus.TimedOut);
    expect(await status(j.abandoned)).to.equal(JobStatus.TimedOut);
    expect(await status(j.disputeUpheld)).to.equal(JobStatus.Refunded);
    expect(await status(j.disputeRejected)).to.equal(JobStatus.Completed);
    expect(await status(j.open)).to.equal(JobStatus.Open);
    expect(await status(j.running)).to.equal(JobStatus.Accepted);
    expect(await status(j.submitted)).to.equal(JobStatus.Submitted);
  });
});
