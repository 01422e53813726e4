import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { ethers } from "hardhat";
import { JobStatus, Ruling, acceptJob, openDispute, submitResult } from "../../../scripts/scenario";
import { InputError, RevertError, StateError } from "../../../scripts/tasks/lib/errors";
import { ACCOUNT, literal, openJobFixture, pasted, task, taskFails, timeLeft } from "./helpers";

/** The open job, accepted by the H100 provider and submitted after 30 minutes. */
async function submittedJobFixture() {
  const b = await openJobFixture();
  await acceptJob(b.s, b.job, b.h100);
  await submitResult(b.s, b.job, b.h100, { after: 1800 });
  return b;
}

/** The submitted job, disputed by its client. */
async function disputedJobFixture() {
  const b = await submittedJobFixture();
  await openDispute(b.s, b.job);
  return b;
}

/** The submitted job disputed, its provider's slash reward cap set to 25% before it accepted. */
async function cappedDisputedJobFixture() {
  const b = await openJobFixture();
  await (await b.c.staking.connect(b.h100.signer).setMaxSlashRewardBps(2500)).wait();
  await acceptJob(b.s, b.job, b.h100);
  await submitResult(b.s, b.job, b.h100, { after: 1800 });
  await openDispute(b.s, b.job);
  return b;
}

describe("tasks: dispute", function () {
  it("open approves the deposit and disputes the result", async function () {
    const { file, c, job, clients } = await loadFixture(submittedJobFixture);
    const balance = await c.token.balanceOf(clients[0]!.address);
    await task(file, "dispute open", { from: ACCOUNT.client0, job: job.jobId.toString(), evidenceUri: "ipfs://evidence" });
    expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Disputed));
    expect(balance - (await c.token.balanceOf(clients[0]!.address))).to.equal(parseEther("100"));
  });

  it("open names the arbitrator who rules, by its address, and when the ruling is due", async function () {
    const { file, c, job } = await loadFixture(submittedJobFixture);
    const arbitrator = await c.disputeManager.arbitrator();
    const { result, output } = await task<{ arbitrator: string }>(file, "dispute open", { from: ACCOUNT.client0, job: job.jobId.toString(), evidenceUri: "ipfs://evidence" });
    expect(result.arbitrator).to.equal(arbitrator);
    expect(output).to.match(new RegExp(`\\n  the arbitrator ${arbitrator} rules by \\S+ \\(in 10d\\); after that anyone may close it as a draw$`));
  });

  it("open --permit signs for the deposit", async function () {
    const { file, c, job, clients } = await loadFixture(submittedJobFixture);
    const nonce = await c.token.nonces(clients[0]!.address);
    await task(file, "dispute open", { from: ACCOUNT.client0, job: job.jobId.toString(), evidenceUri: "ipfs://evidence", permit: true });
    expect((await c.disputeManager.getDispute(job.jobId)).deposit).to.equal(parseEther("100"));
    expect(await c.token.nonces(clients[0]!.address)).to.equal(nonce + 1n);
  });

  it("open after the challenge window reverts with its end and how long ago that was", async function () {
    const { file, job } = await loadFixture(submittedJobFixture);
    await time.increase(86_400 + 120);
    await taskFails(
      file,
      "dispute open",
      { from: ACCOUNT.client0, job: job.jobId.toString(), evidenceUri: "ipfs://e" },
      RevertError,
      /DisputeManagerChallengeWindowClosed\(jobId=1, challengeDeadline=\d+ \([\dT:-]+Z, \d+m(?: \d+s)? ago\)\)$/,
    );
  });

  it("open by an account that is not the client ends with the command signed by the client, its options as given, which works as pasted", async function () {
    const { file, c, job } = await loadFixture(submittedJobFixture);
    const command = `npx hardhat dispute open --job 1 --evidence-uri 'ipfs://e?a=1&b=2' --permit --network hardhat --deployment ${file} --from ${ACCOUNT.client0}`;
    const error = await taskFails(file, "dispute open", { from: ACCOUNT.client1, job: job.jobId.toString(), evidenceUri: "ipfs://e?a=1&b=2", permit: true }, RevertError, /DisputeManagerNotClient/);
    expect(error.message.endsWith(`: ${command}`), error.message).to.equal(true);
    // The test's runner takes no shell: the quoted URI is passed as the shell would pass it.
    const retry = pasted(command.replace("'ipfs://e?a=1&b=2'", "ipfs://e?a=1&b=2"));
    await task(file, retry.name, retry.args);
    const [opened] = await c.disputeManager.queryFilter(c.disputeManager.filters.DisputeOpened(job.jobId));
    expect(opened!.args.client).to.equal((await ethers.getSigners())[Number(ACCOUNT.client0)]!.address);
    expect(opened!.args.evidenceURI).to.equal("ipfs://e?a=1&b=2");
  });

  it("open by an account that is not the client says so, naming the client, before checking its LAT or sending an approve", async function () {
    const { file, c, job, clients } = await loadFixture(submittedJobFixture);
    const dm = await c.disputeManager.getAddress();
    // Another client, with LAT: no approve for a dispute it cannot open.
    await taskFails(
      file,
      "dispute open",
      { from: ACCOUNT.client1, job: job.jobId.toString(), evidenceUri: "ipfs://e" },
      RevertError,
      new RegExp(
        `DisputeManagerNotClient\\(jobId=1, caller=${clients[1]!.address}\\): only the job's client ${clients[0]!.address} disputes its result: ` +
          `${literal(`npx hardhat dispute open --job 1 --evidence-uri ipfs://e --network hardhat --deployment ${file} --from ${ACCOUNT.client0}`)}$`,
      ),
    );
    expect(await c.token.allowance(clients[1]!.address, dm)).to.equal(0n);
    // The provider's operator, with no LAT: the reason is who it is, not its balance.
    await taskFails(file, "dispute open", { from: ACCOUNT.operator0, job: job.jobId.toString(), evidenceUri: "ipfs://e" }, RevertError, /DisputeManagerNotClient\(jobId=1, caller=/);
  });

  it("open of a job not yet submitted names its status before sending an approve", async function () {
    const { file, c, job, clients } = await loadFixture(openJobFixture);
    await taskFails(file, "dispute open", { from: ACCOUNT.client0, job: job.jobId.toString(), evidenceUri: "ipfs://e" }, RevertError, /DisputeManagerJobNotSubmitted\(jobId=1\): job 1 is Open: only a submitted result, within its challenge window, can be disputed$/);
    expect(await c.token.allowance(clients[0]!.address, await c.disputeManager.getAddress())).to.equal(0n);
  });

  for (const [name, args] of [
    ["answer", { from: ACCOUNT.operator0, evidenceUri: "ipfs://a" }],
    ["rule", { from: ACCOUNT.arbitrator, ruling: "upheld" }],
    ["close-expired", {}],
  ] as const) {
    it(`${name} of a job that does not exist names the last job id`, async function () {
      const { file } = await loadFixture(disputedJobFixture);
      await taskFails(file, `dispute ${name}`, { ...args, job: "99" }, RevertError, /DisputeManagerNoOpenDispute\(jobId=99\): no job has id 99: the last job id is 1$/);
    });

    it(`${name} of a job without an open dispute names the job's status`, async function () {
      const { file, job } = await loadFixture(submittedJobFixture);
      await taskFails(
        file,
        `dispute ${name}`,
        { ...args, job: job.jobId.toString() },
        RevertError,
        /DisputeManagerNoOpenDispute\(jobId=1\): job 1 is Submitted: only a disputed job has an open dispute \(job status --job 1 shows its history\)$/,
      );
    });
  }

  it("open of a job that does not exist says so before sending anything", async function () {
    const { file } = await loadFixture(submittedJobFixture);
    await taskFails(
      file,
      "dispute open",
      { from: ACCOUNT.client0, job: "99", evidenceUri: "ipfs://e" },
      StateError,
      /^job 99 does not exist \(the last job id is 1\)$/,
    );
  });

  it("open refuses an empty evidence URI", async function () {
    const { file, job } = await loadFixture(submittedJobFixture);
    await taskFails(file, "dispute open", { from: ACCOUNT.client0, job: job.jobId.toString(), evidenceUri: "" }, InputError, /^--evidence-uri: must not be empty/);
  });

  it("answer by the provider's operator records the answer", async function () {
    const { file, c, job, h100 } = await loadFixture(disputedJobFixture);
    await task(file, "dispute answer", { from: ACCOUNT.operator0, job: job.jobId.toString(), evidenceUri: "ipfs://answer" });
    expect((await c.disputeManager.getDispute(job.jobId)).answered).to.equal(true);
    const [event] = await c.disputeManager.queryFilter(c.disputeManager.filters.DisputeAnswered(job.jobId, h100.address));
    expect(event!.args.evidenceURI).to.equal("ipfs://answer");
  });

  it("answer by an account that is neither the provider nor its operator reverts with DisputeManagerUnauthorized, naming both", async function () {
    const { file, c, job, h100, clients } = await loadFixture(disputedJobFixture);
    const { operator } = await c.registry.getProvider(h100.address);
    await taskFails(
      file,
      "dispute answer",
      { from: ACCOUNT.client1, job: job.jobId.toString(), evidenceUri: "ipfs://answer" },
      RevertError,
      new RegExp(`DisputeManagerUnauthorized\\(caller=${clients[1]!.address}, provider=${h100.address}\\): only the provider ${h100.address} or its operator ${operator} acts for it`),
    );
  });

  it("rule upheld slashes the most the job allows by default and refunds the client", async function () {
    const { file, c, job } = await loadFixture(disputedJobFixture);
    const [, collateral] = await c.staking.jobCollateral(job.jobId);
    const { result } = await task<{ slashed: bigint }>(file, "dispute rule", { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "upheld" });
    expect(result.slashed).to.equal(collateral / 2n); // maxSlashingCutBps 5,000
    expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Refunded));
    expect((await c.disputeManager.getDispute(job.jobId)).ruling).to.equal(BigInt(Ruling.Upheld));
  });

  it("rule upheld says the job was refunded, how the slash split and that the deposit went back to the client", async function () {
    const { file, job, clients } = await loadFixture(cappedDisputedJobFixture);
    const { result, output } = await task<{ refund: bigint; slashed: bigint; reward: bigint; toTreasury: bigint }>(file, "dispute rule", {
      from: ACCOUNT.arbitrator,
      job: job.jobId.toString(),
      ruling: "upheld",
    });
    expect([result.refund, result.slashed, result.reward, result.toTreasury]).to.deep.equal([job.escrowed, parseEther("0.75"), parseEther("0.1875"), parseEther("0.5625")]);
    expect(output).to.match(/\nDispute on job 1 ruled Upheld\n  job refunded: 3\.0 LAT .* back to the client\n/);
    expect(output).to.match(/\n  0\.75 LAT .* of collateral slashed: 0\.1875 LAT .* to the client, 0\.5625 LAT .* to the treasury\n/);
    expect(output).to.match(new RegExp(`\\n  deposit 100\\.0 LAT .* to the client ${clients[0]!.address}$`));
  });

  it("rule rejected says the job settled to the provider, with the fee, and the deposit went to the provider", async function () {
    const { file, job, h100 } = await loadFixture(disputedJobFixture);
    const { result, output } = await task<{ slashed: bigint; providerAmount: bigint; fee: bigint }>(file, "dispute rule", {
      from: ACCOUNT.arbitrator,
      job: job.jobId.toString(),
      ruling: "rejected",
    });
    expect(result.slashed).to.equal(0n);
    expect(result.providerAmount + result.fee).to.be.greaterThan(0n);
    expect(output).to.not.match(/slashed/);
    expect(output).to.match(/\n  job settled to the provider: cost [\d.]+ LAT .*, [\d.]+ LAT .* to the provider, fee [\d.]+ LAT .*, [\d.]+ LAT .* refunded to the client\n/);
    expect(output).to.match(new RegExp(`\\n  deposit 100\\.0 LAT .* to the provider ${h100.address}$`));
  });

  for (const [slash, expected] of [
    ["max", "the most the job allows"],
    ["0.5", "0.5 LAT"],
  ] as const) {
    it(`rule upheld --slash ${slash} slashes ${expected}`, async function () {
      const { file, c, job } = await loadFixture(disputedJobFixture);
      const [, collateral] = await c.staking.jobCollateral(job.jobId);
      const { result } = await task<{ slashed: bigint }>(file, "dispute rule", { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "upheld", slash });
      expect(result.slashed).to.equal(slash === "max" ? collateral / 2n : parseEther(slash)); // maxSlashingCutBps 5,000
    });
  }

  it("rule by anyone but the arbitrator reverts with DisputeManagerNotArbitrator and names the arbitrator", async function () {
    const { file, c, job, clients } = await loadFixture(disputedJobFixture);
    const arbitrator = await c.disputeManager.arbitrator();
    await taskFails(
      file,
      "dispute rule",
      { from: ACCOUNT.client0, job: job.jobId.toString(), ruling: "draw" },
      RevertError,
      new RegExp(`DisputeManagerNotArbitrator\\(caller=${clients[0]!.address}\\): only the arbitrator ${arbitrator} rules \\(governance appoints it\\)$`),
    );
  });

  it("rule after the ruling period says anyone may close the dispute as a draw, and how", async function () {
    const { file, c, job } = await loadFixture(disputedJobFixture);
    await time.increaseTo((await c.disputeManager.getDispute(job.jobId)).ruleDeadline + 1n);
    await taskFails(
      file,
      "dispute rule",
      { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "draw" },
      RevertError,
      /DisputeManagerRulingPeriodOver\(jobId=1, ruleDeadline=\d+ .*\): anyone may now close it as a draw: .*npx hardhat dispute close-expired --job 1\b/,
    );
  });

  it("rule upheld refuses a --slash that is no amount, offering max", async function () {
    const { file, job } = await loadFixture(disputedJobFixture);
    await taskFails(
      file,
      "dispute rule",
      { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "upheld", slash: "lots" },
      InputError,
      /^--slash: "lots" is not a LAT amount: use a decimal number such as 1500 or 0\.25, or max \(the most the job's parameters allow\)$/,
    );
  });

  it("rule rejected refuses --slash", async function () {
    const { file, job } = await loadFixture(disputedJobFixture);
    await taskFails(file, "dispute rule", { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "rejected", slash: "1" }, InputError, /^--slash: only an upheld dispute slashes/);
  });

  it("rule refuses an unknown ruling", async function () {
    const { file, job } = await loadFixture(disputedJobFixture);
    await taskFails(file, "dispute rule", { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "guilty" }, InputError, /^--ruling: "guilty" is not one of upheld, rejected, draw/);
  });

  it("close-expired before the ruling period is over reverts with its end and the time left", async function () {
    const { file, job } = await loadFixture(disputedJobFixture);
    // The ruling period is ten days from the dispute's opening: two hours of it gone.
    await time.increase(7200);
    const error = await taskFails(file, "dispute close-expired", { job: job.jobId.toString() }, RevertError, /DisputeManagerRulingPeriodNotOver\(jobId=1, ruleDeadline=\d+ \([\dT:-]+Z, in [^)]+\)\)$/);
    expect(error.message).to.contain(`, in ${timeLeft(error, "ruleDeadline", await time.latest())})`).and.to.match(/, in 9d 2[12]h\)/);
  });

  it("close-expired after the ruling period settles the job as a draw", async function () {
    const { file, c, job } = await loadFixture(disputedJobFixture);
    await time.increaseTo((await c.disputeManager.getDispute(job.jobId)).ruleDeadline + 1n);
    const { output } = await task(file, "dispute close-expired", { job: job.jobId.toString() });
    expect((await c.disputeManager.getDispute(job.jobId)).ruling).to.equal(BigInt(Ruling.Expired));
    expect(output).to.match(/\nDispute on job 1 closed unruled, as a draw \(Expired\)\n  job settled to the provider: cost /);
    expect(output).to.match(/\n  deposit 100\.0 LAT .* to the client 0x/);
    expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Completed));
  });

  it("job status of a job refunded by an upheld dispute shows the refund, the slash and where the deposit went", async function () {
    const { file, job } = await loadFixture(disputedJobFixture);
    await task(file, "dispute rule", { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "upheld" });
    const { output } = await task(file, "job status", { job: job.jobId.toString() });
    expect(output).to.match(/\n  ruling +Upheld: 0\.75 LAT .* slashed \(0\.375 LAT .* to the client\), deposit to the client\n/);
    expect(output).to.match(/\n  refunded +3\.0 LAT .* to the client\n/);
  });

  it("job status of a job whose dispute was rejected shows the settlement and the deposit to the provider", async function () {
    const { file, job } = await loadFixture(disputedJobFixture);
    await task(file, "dispute rule", { from: ACCOUNT.arbitrator, job: job.jobId.toString(), ruling: "rejected" });
    const { output } = await task(file, "job status", { job: job.jobId.toString() });
    expect(output).to.match(/\n  ruling +Rejected: deposit to the provider\n/);
    expect(output).to.match(/\n  settled +cost [\d.]+ LAT .*: [\d.]+ LAT .* to the provider, fee /);
  });

  it("job status of a disputed job names the arbitrator who rules it by its address", async function () {
    const { file, c, job } = await loadFixture(disputedJobFixture);
    const arbitrator = await c.disputeManager.arbitrator();
    const { result, output } = await task<{ dispute: { arbitrator: string } }>(file, "job status", { job: job.jobId.toString() });
    expect(result.dispute.arbitrator).to.equal(arbitrator);
    expect(output).to.match(new RegExp(`\\n    dispute rule +by the arbitrator ${arbitrator}; possible now, until `));
  });

  it("job status of a disputed job shows the dispute and who acts next", async function () {
    const { file, job } = await loadFixture(disputedJobFixture);
    const { result } = await task<{ dispute: { ruling: string; answered: boolean }; next: { task: string; possibleNow: boolean }[] }>(file, "job status", { job: job.jobId.toString() });
    expect(result.dispute).to.include({ ruling: "None", answered: false });
    expect(result.next.map((n) => [n.task, n.possibleNow])).to.deep.equal([
      ["dispute answer", true],
      ["dispute rule", true],
      ["dispute close-expired", false],
    ]);
  });

  it("job status of a disputed job past its ruling deadline shows only close-expired possible, answering included", async function () {
    const { file, c, job } = await loadFixture(disputedJobFixture);
    await time.increaseTo((await c.disputeManager.getDispute(job.jobId)).ruleDeadline + 1n);
    const { result } = await task<{ next: { task: string; possibleNow: boolean }[] }>(file, "job status", { job: job.jobId.toString() });
    expect(result.next.map((n) => [n.task, n.possibleNow])).to.deep.equal([
      ["dispute answer", false],
      ["dispute rule", false],
      ["dispute close-expired", true],
    ]);
  });
});
