import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { JobStatus, Tier, deployScenario } from "../../scripts/scenario";
import { roleAccounts } from "../../scripts/devnet/accounts";
import { seedDemoNetwork } from "../../scripts/devnet/seed";

// The figures README.md's "What `npm start` runs" gives for the demo network, read back from the chain.
describe("scripts/devnet/seed: the demo network npm start seeds", function () {
  this.timeout(120_000);

  async function seededFixture() {
    const s = await deployScenario(await ethers.getSigners());
    const summary = await seedDemoNetwork(s);
    const listed = await Promise.all(
      summary.providers.map(async ({ address }) => {
        const p = await s.c.registry.getProvider(address);
        const [first, next] = await s.c.staking.thawRequestRange(address);
        return {
          address,
          p,
          active: await s.c.registry.isActive(address),
          thawRequests: next - first,
          cap: Number(await s.c.staking.maxSlashRewardBps(address)),
        };
      }),
    );
    const jobs = await Promise.all(Array.from({ length: Number(await s.c.jobEscrow.jobCount()) }, (_, i) => s.c.jobEscrow.getJob(i + 1)));
    return { s, summary, providers: listed.filter((l) => l.p.registered), all: listed, jobs };
  }

  it("lists 25 providers, all active, on 12 GPU models in 7 regions, both tiers, 127 GPUs (111 free), 13 with an operator, 3 thawing; one more left", async function () {
    const { providers, all } = await loadFixture(seededFixture);
    expect(providers.length).to.equal(25);
    expect(all.length - providers.length, "a provider that thawed, withdrew and left").to.equal(1);
    expect(providers.filter((l) => l.active).length).to.equal(25);
    expect(new Set(providers.map((l) => l.p.gpuModel)).size).to.equal(12);
    expect(new Set(providers.map((l) => l.p.region)).size).to.equal(7);
    expect(new Set(providers.map((l) => Number(l.p.tier)))).to.deep.equal(new Set([Tier.Enterprise, Tier.Consumer]));
    expect(providers.reduce((n, l) => n + Number(l.p.gpuCount), 0)).to.equal(127);
    expect(providers.reduce((n, l) => n + Number(l.p.gpuCount - l.p.gpusInUse), 0)).to.equal(111);
    expect(providers.filter((l) => l.p.operator !== ethers.ZeroAddress).length).to.equal(13);
    expect(providers.filter((l) => l.thawRequests > 0n).length).to.equal(3);
  });

  it("caps the slash reward of two H100 SXM racks, at 25% and 40%, and leaves another H100 SXM rack uncapped", async function () {
    const { providers } = await loadFixture(seededFixture);
    const h100 = ethers.encodeBytes32String("h100-sxm-80gb");
    const capped = providers.filter((l) => l.cap < 10_000); // 10,000: no cap
    expect(capped.map((l) => l.p.gpuModel)).to.deep.equal([h100, h100]);
    expect(capped.map((l) => l.cap).sort()).to.deep.equal([2_500, 4_000]);
    expect(providers.filter((l) => l.p.gpuModel === h100 && l.cap === 10_000).length, "an uncapped H100 SXM rack").to.be.at.least(1);
  });

  it("serves the demo worker's provider from account #7 (4x RTX 4090, us-east), operated by #13, with #15 a client and #0 the deployer", async function () {
    const { s, summary } = await loadFixture(seededFixture);
    const signers = await ethers.getSigners();
    const roles = new Map((await roleAccounts(signers, summary.providers)).map((a) => [a.index, a]));
    const w = summary.workerProvider;
    expect([w.address, w.operator, w.gpuModelName, w.region]).to.deep.equal([signers[7]!.address, signers[13]!.address, "NVIDIA GeForce RTX 4090", "us-east"]);
    expect((await s.c.registry.getProvider(w.address)).operator).to.equal(signers[13]!.address);
    expect([0, 7, 13, 15].map((i) => roles.get(i)?.role)).to.deep.equal([
      "deployer (deploys; holds no role and no LAT afterwards)",
      "provider: 4x rtx-4090-24gb, us-east, consumer",
      "operator (worker hot key: online, accept, submit)",
      "client (posts jobs)",
    ]);
  });

  it("seeds the blocks README.md's sample output of npm start names, after the 8 of the deployment", async function () {
    const { s, summary } = await loadFixture(seededFixture);
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const sample = /^ +blocks (\d+)-(\d+) \([\d.]+ s\)\n(?:.*\n)*?index +indexed up to block (\d+) /m.exec(readme);
    expect(sample, "README's seed and index lines").to.not.equal(null);
    // npm start deploys on a fresh chain, from block 1; this suite's chain may have mined blocks before the fixture.
    const first = Math.min(...Object.values(s.deployment.record.contracts).map((c) => c.blockNumber));
    expect(summary.fromBlock - first, "blocks of the deployment").to.equal(8);
    const shift = first - 1;
    expect(sample!.slice(1).map(Number)).to.deep.equal([summary.fromBlock - shift, summary.toBlock - shift, summary.toBlock - shift]);
  });

  it("leaves the challenge window at one day, which README's devnet advance --by 1d1s skips", async function () {
    const { s } = await loadFixture(seededFixture);
    expect((await s.c.jobEscrow.getParams(await s.c.jobEscrow.currentParamsId())).challengeWindow).to.equal(86_400n);
  });

  it("leaves 31 jobs: 8 open, 9 running, 1 submitted, 1 disputed, 6 completed, 1 refunded, 1 cancelled, 1 expired, 1 declined, 2 timed out (one given back)", async function () {
    const { jobs } = await loadFixture(seededFixture);
    const count = (status: JobStatus) => jobs.filter((j) => Number(j.status) === status).length;
    expect(jobs.length).to.equal(31);
    expect({
      open: count(JobStatus.Open),
      running: count(JobStatus.Accepted),
      submitted: count(JobStatus.Submitted),
      disputed: count(JobStatus.Disputed),
      completed: count(JobStatus.Completed),
      refunded: count(JobStatus.Refunded),
      cancelled: count(JobStatus.Cancelled),
      expired: count(JobStatus.Expired),
      declined: count(JobStatus.Declined),
      timedOut: count(JobStatus.TimedOut),
    }).to.deep.equal({ open: 8, running: 9, submitted: 1, disputed: 1, completed: 6, refunded: 1, cancelled: 1, expired: 1, declined: 1, timedOut: 2 });
  });
});
