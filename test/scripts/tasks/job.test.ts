import { expect } from "chai";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { HDNodeWallet, ZeroAddress, ZeroHash, formatEther, keccak256, parseEther, toUtf8Bytes } from "ethers";
import { ethers, network } from "hardhat";
import { JobStatus, acceptJob, approveResult, cancelJob, createJob, expireJob, guardianPause, submitResult } from "../../../scripts/scenario";
import { InputError, RevertError, StateError } from "../../../scripts/tasks/lib/errors";
import type { JobView } from "../../../scripts/tasks/actions/job";
import { ACCOUNT, literal, openJobFixture, pasted, task, taskFails, tasksProvidersFixture, tempFile, timeLeft, withAndWithoutAccounts, withRefusedLogs } from "./helpers";

/** The mnemonic of Hardhat's default accounts, whose keys a test sets as LATENT_PRIVATE_KEY. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

const SPEC = '{"version":1,"kind":"matmul","params":{"n":64,"seed":"0x' + "11".repeat(32) + '","rounds":1}}';

async function statusOf(file: string, jobId: bigint): Promise<JobView> {
  return (await task<JobView>(file, "job status", { job: jobId.toString() })).result;
}

/** The task and options of the command `job status` prints after "e.g.", as a user pasting it would run it. */
function pastedExample(output: string): { name: string; args: Record<string, string | boolean> } {
  const line = /\n  e\.g\. (.*)$/m.exec(output)?.[1];
  expect(line, "an e.g. line").to.not.equal(undefined);
  return pasted(line!);
}

describe("tasks: job", function () {
  describe("create", function () {
    it("escrows the maximum cost and sends the spec file as a data: URI with its hash", async function () {
      const { file, c, clients } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      const balance = await c.token.balanceOf(clients[0]!.address);
      const { result } = await task<{ jobId: bigint; specURI: string }>(file, "job create", {
        from: ACCOUNT.client0,
        model: "h100-sxm-80gb",
        gpus: "2",
        maxPrice: "3",
        maxDuration: "90m",
        specFile,
      });
      const job = await c.jobEscrow.getJob(result.jobId);
      expect(job.status).to.equal(BigInt(JobStatus.Open));
      expect(job.escrowed).to.equal(parseEther("9")); // 3 LAT x 2 GPUs x 1.5 h
      expect(balance - (await c.token.balanceOf(clients[0]!.address))).to.equal(parseEther("9"));
      expect(result.specURI).to.equal(`data:application/json;base64,${Buffer.from(SPEC).toString("base64")}`);
      const [event] = await c.jobEscrow.queryFilter(c.jobEscrow.filters.JobCreated(result.jobId));
      expect(event!.args.terms.specHash).to.equal(keccak256(toUtf8Bytes(SPEC)));
      expect(event!.args.terms.maxDuration).to.equal(5400n);
    });

    it("prints the acceptance deadline as job status does right after: the time left from the block that created the job", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      // A devnet that mined nothing for a while: the job's block comes 164 s after the latest one the task read first.
      await time.setNextBlockTimestamp((await time.latest()) + 164);
      const { result, output } = await task<{ jobId: bigint }>(file, "job create", { from: ACCOUNT.client0, maxPrice: "1", maxDuration: "1h", acceptWithin: "1h", specFile: tempFile("spec.json", SPEC) });
      const status = await task(file, "job status", { job: result.jobId.toString() });
      const shown = /\n  accept by +(\S+ \([^)]*\))\n/.exec(status.output)![1]!;
      expect(shown).to.match(/\(in 5\dm \d+s\)$/);
      expect(output).to.contain(`\n  acceptance deadline ${shown}\n`);
    });

    it("counts --accept-within from the next block's time, on a devnet that mined nothing for longer than the window", async function () {
      const { file, c } = await loadFixture(tasksProvidersFixture);
      // The node's clock runs 600 s past the latest block; a 5-minute window from that block would be past already.
      await network.provider.send("evm_increaseTime", [600]);
      const { result } = await task<{ jobId: bigint }>(file, "job create", { from: ACCOUNT.client0, maxPrice: "1", maxDuration: "1h", acceptWithin: "5m", specFile: tempFile("spec.json", SPEC) });
      const job = await c.jobEscrow.getJob(result.jobId);
      expect(job.status).to.equal(BigInt(JobStatus.Open));
    });

    it("pays with a permit when asked", async function () {
      const { file, c, clients } = await loadFixture(tasksProvidersFixture);
      const { result } = await task<{ jobId: bigint }>(file, "job create", {
        from: ACCOUNT.client0,
        maxPrice: "1",
        maxDuration: "1h",
        specUri: "ipfs://bafy-spec",
        specHash: keccak256(toUtf8Bytes("spec")),
        permit: true,
      });
      expect((await c.jobEscrow.getJob(result.jobId)).escrowed).to.equal(parseEther("1"));
      expect(await c.token.nonces(clients[0]!.address)).to.equal(1n);
    });

    it("while the protocol is paused fails with the pause's end before sending an approve", async function () {
      const { s, file, c, clients } = await loadFixture(tasksProvidersFixture);
      await guardianPause(s);
      const escrow = await c.jobEscrow.getAddress();
      const allowance = await c.token.allowance(clients[0]!.address, escrow);
      await taskFails(file, "job create", { from: ACCOUNT.client0, maxPrice: "1", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) }, RevertError, /^JobEscrow\.createJob reverted: PauseGuardianProtocolPaused\(pausedUntil=/);
      expect(await c.token.allowance(clients[0]!.address, escrow)).to.equal(allowance);
    });

    it("refuses a --provider that is the signer before sending anything", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      const jobs = await c.jobEscrow.jobCount();
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.h100, maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC), provider: ACCOUNT.h100 },
        InputError,
        new RegExp(`^--provider: ${h100.address} is the signer: the escrow refuses a provider a job that it or its operator posted \\(its timeout would pay the provider its own slashed stake\\)$`),
      );
      expect(await c.jobEscrow.jobCount()).to.equal(jobs);
    });

    it("refuses a --provider whose operator is the signer before sending anything", async function () {
      const { file, c, h100, clients } = await loadFixture(tasksProvidersFixture);
      const { operator } = await c.registry.getProvider(h100.address);
      const signer = (await ethers.getSigners())[Number(ACCOUNT.operator0)]!;
      expect(signer.address).to.equal(operator);
      await c.token.connect(clients[0]!).transfer(operator, parseEther("100"));
      const jobs = await c.jobEscrow.jobCount();
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.operator0, maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC), provider: ACCOUNT.h100 },
        InputError,
        new RegExp(`^--provider: ${h100.address}'s operator is the signer ${operator}: the escrow refuses`),
      );
      expect(await c.jobEscrow.jobCount()).to.equal(jobs);
    });

    it("refuses a --model no provider lists before sending anything, naming the models listed", async function () {
      const { file, c, clients } = await loadFixture(tasksProvidersFixture);
      const escrow = await c.jobEscrow.getAddress();
      const [balance, allowance, jobs] = await Promise.all([c.token.balanceOf(clients[0]!.address), c.token.allowance(clients[0]!.address, escrow), c.jobEscrow.jobCount()]);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, model: "h100-sxm-80g", maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) },
        InputError,
        /^--model: no provider lists "h100-sxm-80g", so no job for it can be accepted; the models listed: h100-sxm-80gb, rtx-4090-24gb$/,
      );
      expect(await c.token.balanceOf(clients[0]!.address)).to.equal(balance);
      expect(await c.token.allowance(clients[0]!.address, escrow)).to.equal(allowance);
      expect(await c.jobEscrow.jobCount()).to.equal(jobs);
    });

    it("reads the models listed now: a model a provider updated away from is refused, its new one taken", async function () {
      const { file, c, providers } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider update", { from: ACCOUNT.rtx, model: "a100-sxm-80gb" });
      expect((await c.registry.getProvider(providers[1]!.address)).gpuModel).to.not.equal(ZeroHash);
      const specFile = tempFile("spec.json", SPEC);
      await taskFails(file, "job create", { from: ACCOUNT.client0, model: "rtx-4090-24gb", maxPrice: "3", maxDuration: "1h", specFile }, InputError, /the models listed: a100-sxm-80gb, h100-sxm-80gb$/);
      const { result } = await task<{ jobId: bigint }>(file, "job create", { from: ACCOUNT.client0, model: "a100-sxm-80gb", maxPrice: "3", maxDuration: "1h", specFile });
      expect((await c.jobEscrow.getJob(result.jobId)).status).to.equal(BigInt(JobStatus.Open));
    });

    it("refuses a --region no provider lists, naming the regions listed", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, region: "eu-wst", maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) },
        InputError,
        /^--region: no provider lists "eu-wst", so no job for it can be accepted; the regions listed: eu-west, us-east$/,
      );
    });

    it("refuses a --model in a --region where no provider lists it, naming the regions its providers list", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, model: "h100-sxm-80gb", region: "us-east", maxPrice: "3", maxDuration: "1h", specFile },
        InputError,
        /^--region: no provider lists "h100-sxm-80gb" with "us-east", so no job for it can be accepted; the providers of "h100-sxm-80gb" list eu-west$/,
      );
      const { result } = await task<{ jobId: bigint }>(file, "job create", { from: ACCOUNT.client0, model: "h100-sxm-80gb", region: "eu-west", maxPrice: "3", maxDuration: "1h", specFile });
      expect(result.jobId).to.be.greaterThan(0n);
    });

    it("refuses a --min-vram above the most any provider may list (MiB given for GiB), which JobEscrow would refuse", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const args = { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) };
      await taskFails(file, "job create", { ...args, minVram: "24576" }, InputError, /^--min-vram: 24576 is outside \[0, 4096\]$/);
    });

    it("refuses a --min-vram, --gpus or --tier no provider lists, naming the most listed or the tiers", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const args = { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) };
      await taskFails(file, "job create", { ...args, minVram: "500" }, InputError, /^--min-vram: no provider lists 500 GiB per GPU or more, so no job for it can be accepted; the most listed is 80 GiB$/);
      await taskFails(file, "job create", { ...args, gpus: "9" }, InputError, /^--gpus: no provider lists 9 GPUs, so no job for it can be accepted; the most one lists is 8$/);
      await task(file, "provider update", { from: ACCOUNT.rtx, tier: "enterprise" });
      await taskFails(file, "job create", { ...args, tier: "consumer" }, InputError, /^--tier: no provider lists consumer, so no job for it can be accepted; the tiers listed: enterprise$/);
    });

    it("refuses requirements each listed but by no one provider, naming what the first one's providers list", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const args = { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) };
      await taskFails(
        file,
        "job create",
        { ...args, model: "rtx-4090-24gb", gpus: "4" },
        InputError,
        /^--gpus: no provider lists "rtx-4090-24gb" with 4 GPUs, so no job for it can be accepted; the providers of "rtx-4090-24gb" list 2 GPUs$/,
      );
    });

    it("refuses a directed job for more VRAM than its target lists", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, provider: ACCOUNT.rtx, minVram: "48", maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) },
        InputError,
        /^--min-vram: provider 0x[0-9a-fA-F]{40} lists 24 GiB per GPU, not 48 GiB per GPU or more: no job for it directed at that provider can be accepted$/,
      );
    });

    it("refuses a directed job for a model its target does not list, naming the target's", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, provider: ACCOUNT.rtx, model: "h100-sxm-80gb", maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) },
        InputError,
        /^--model: provider 0x[0-9a-fA-F]{40} lists rtx-4090-24gb, not "h100-sxm-80gb"/,
      );
    });

    it("refuses a job directed at an account that is not a registered provider", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, provider: ACCOUNT.client1, maxPrice: "3", maxDuration: "1h", specFile: tempFile("spec.json", SPEC) },
        InputError,
        /^--provider: 0x[0-9a-fA-F]{40} is not a registered provider: no job directed at it can be accepted$/,
      );
    });

    it("refuses a duration it cannot read", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      await taskFails(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "2 hours", specFile }, InputError, /^--max-duration: "2 hours" is not a duration/);
    });

    it("refuses a duration outside the escrow's bounds", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      await taskFails(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "31d", specFile }, InputError, /^--max-duration: 31d is outside \[1m, 30d\]/);
    });

    it("requires --spec-hash with --spec-uri", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specUri: "ipfs://x" }, InputError, /^--spec-hash: required/);
    });

    it("refuses a spec file too large for a data: URI", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("big.json", JSON.stringify({ pad: "x".repeat(400) }));
      await taskFails(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile }, InputError, /^--spec-file: .* over the contracts' 256/);
    });

    it("puts --min-slash-reward in the job's terms and its status", async function () {
      const { file, c } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      const { result } = await task<{ jobId: bigint }>(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile, minSlashReward: "2500" });
      const [event] = await c.jobEscrow.queryFilter(c.jobEscrow.filters.JobCreated(result.jobId));
      expect(event!.args.terms.requirements.minSlashRewardBps).to.equal(2500n);
      expect((await statusOf(file, result.jobId)).requirements.minSlashRewardBps).to.equal(2500);
    });

    it("puts --min-completed in the job's terms and its status", async function () {
      const { file, c } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      const { result } = await task<{ jobId: bigint }>(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile, minCompleted: "5" });
      const [event] = await c.jobEscrow.queryFilter(c.jobEscrow.filters.JobCreated(result.jobId));
      expect(event!.args.terms.requirements.minCompletedJobs).to.equal(5n);
      expect((await statusOf(file, result.jobId)).requirements.minCompletedJobs).to.equal(5);
    });

    it("refuses a --min-slash-reward above 10000 bps", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile, minSlashReward: "10001" },
        InputError,
        /^--min-slash-reward: 10001 is outside \[0, 10000\]/,
      );
    });

    it("refuses a --min-slash-reward given as a percentage, saying it in basis points", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      await taskFails(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile, minSlashReward: "25%" }, InputError, /^--min-slash-reward: "25%": give basis points .*: 25% is 2500$/);
    });

    it("refuses a .json --spec-file that is not valid JSON before sending anything, and sends another extension's bytes as they are", async function () {
      const { file, c, clients } = await loadFixture(tasksProvidersFixture);
      const balance = await c.token.balanceOf(clients[0]!.address);
      const truncated = tempFile("truncated-spec.json", SPEC.slice(0, -2));
      const terms = { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h" };
      await taskFails(
        file,
        "job create",
        { ...terms, specFile: truncated },
        InputError,
        new RegExp(`^--spec-file: ${truncated} is not valid JSON \\(.+\\), which a \\.json file is sent as: fix it, or give the file another extension to send its bytes as they are$`),
      );
      expect(await c.token.balanceOf(clients[0]!.address)).to.equal(balance);
      const { result } = await task<{ specURI: string }>(file, "job create", { ...terms, specFile: tempFile("truncated-spec.bin", SPEC.slice(0, -2)) });
      expect(result.specURI).to.match(/^data:application\/octet-stream;base64,/);
    });

    it("refuses an --accept-within of no time or beyond the escrow's window, naming the option and its range", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      for (const [acceptWithin, is] of [
        ["0", "no time"],
        ["0s", "no time"],
        ["31d", "31d"],
      ] as const) {
        await taskFails(
          file,
          "job create",
          { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile, acceptWithin },
          InputError,
          new RegExp(`^--accept-within: "${acceptWithin}" is ${is}: give more than 0 seconds and at most 30d \\(2592000 s, the escrow's MAX_ACCEPT_WINDOW\\), how long the job waits for a provider to accept it$`),
        );
      }
    });

    it("refuses an --accept-deadline in the past or beyond the escrow's window, naming the option and the dates it takes", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      const range = "give a time after \\S+Z and at most \\S+Z \\(the escrow's MAX_ACCEPT_WINDOW, 30d, from now\\)$";
      const terms = { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile };
      await taskFails(file, "job create", { ...terms, acceptDeadline: "2020-01-01" }, InputError, new RegExp(`^--accept-deadline: 2020-01-01T00:00:00Z is not after the chain's time now: ${range}`));
      await taskFails(file, "job create", { ...terms, acceptDeadline: "2999-01-01" }, InputError, new RegExp(`^--accept-deadline: 2999-01-01T00:00:00Z is more than 30d after the chain's time now: ${range}`));
    });

    it("refuses --accept-within together with --accept-deadline", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      await taskFails(
        file,
        "job create",
        { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile, acceptWithin: "1h", acceptDeadline: "2099-01-01T00:00:00Z" },
        InputError,
        /^--accept-within \/ --accept-deadline: give only one/,
      );
    });
  });

  describe("accept, submit, approve", function () {
    it("accept by the operator reads the terms back from JobCreated", async function () {
      const { file, c, job, h100 } = await loadFixture(openJobFixture);
      await task(file, "job accept", { from: ACCOUNT.operator0, job: job.jobId.toString(), provider: h100.address });
      const stored = await c.jobEscrow.getJob(job.jobId);
      expect(stored.status).to.equal(BigInt(JobStatus.Accepted));
      expect(stored.provider).to.equal(h100.address);
    });

    it("accept prints the result deadline as the job's max duration, the most it is paid for, plus the grace, and what missing it costs", async function () {
      const { file, job, h100 } = await loadFixture(openJobFixture);
      const { output } = await task(file, "job accept", { from: ACCOUNT.h100, job: job.jobId.toString(), provider: h100.address });
      // A 1-hour job: due 1h 15m after acceptance, but billed for at most 1h of it; 20% of its 1.5 LAT collateral on a timeout.
      expect(output).to.match(
        /\n  collateral locked 1\.5 LAT \(\d+ wei\); submit the result by \S+ \(in 1h 15m\): the job's max duration, 1h, the most it is paid for, plus the 15m grace; after that anyone may time it out \(job timeout\), slashing 0\.3 LAT \(\d+ wei\) of the collateral$/,
      );
    });

    it("accept --json gives the max duration and the grace that make up the result deadline, and what a timeout slashes", async function () {
      const { file, job, h100 } = await loadFixture(openJobFixture);
      const { output } = await task(file, "job accept", { from: ACCOUNT.h100, job: job.jobId.toString(), provider: h100.address, json: true });
      const json = JSON.parse(output) as { resultDeadline: number; maxDuration: number; grace: number; timeoutSlash: string; collateral: string };
      const accepted = (await ethers.provider.getBlock("latest"))!.timestamp;
      expect(json).to.include({ maxDuration: 3600, grace: 900, timeoutSlash: "300000000000000000", collateral: "1500000000000000000" });
      expect(json.resultDeadline).to.equal(accepted + json.maxDuration + json.grace);
    });

    it("accept by a provider naming an unregistered --provider is told it is a provider itself and to drop --provider, with nothing sent", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      const [rtx, client] = [(await ethers.getSigners())[Number(ACCOUNT.rtx)]!.address, (await ethers.getSigners())[Number(ACCOUNT.client0)]!.address];
      const nonce = await ethers.provider.getTransactionCount(rtx);
      await taskFails(
        file,
        "job accept",
        { from: ACCOUNT.rtx, job: job.jobId.toString(), provider: ACCOUNT.client0 },
        InputError,
        new RegExp(`^--provider: ${client} is not a registered provider, and the signer ${rtx} is a provider itself: drop --provider to act for it$`),
      );
      expect(await ethers.provider.getTransactionCount(rtx)).to.equal(nonce);
    });

    it("accept by an account that is neither a provider nor an operator, naming an unregistered --provider, is told both", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      const [client0, client1] = [(await ethers.getSigners())[Number(ACCOUNT.client0)]!.address, (await ethers.getSigners())[Number(ACCOUNT.client1)]!.address];
      await taskFails(
        file,
        "job accept",
        { from: ACCOUNT.client1, job: job.jobId.toString(), provider: ACCOUNT.client0 },
        InputError,
        new RegExp(
          `^--provider: ${client0} is not a registered provider, and the signer ${client1} is neither a provider nor the operator of one: check --provider, and sign as that provider or its operator: ` +
            literal(`npx hardhat job accept --job 1 --provider <provider> --network hardhat --deployment ${file} --from <provider or operator account>`) +
            "$",
        ),
      );
    });

    it("accept by a provider that is offline reverts with ProviderRegistryProviderInactive, saying it is offline and how it goes online", async function () {
      const { file, job, h100 } = await loadFixture(openJobFixture);
      await task(file, "provider offline", { from: ACCOUNT.h100 });
      await taskFails(
        file,
        "job accept",
        { from: ACCOUNT.h100, job: job.jobId.toString() },
        RevertError,
        new RegExp(
          `^JobEscrow\\.acceptJob reverted: ProviderRegistryProviderInactive\\(provider=${h100.address}\\): ${h100.address} is offline, and takes no job until it goes online: ` +
            `npx hardhat provider online --provider ${h100.address} --network hardhat --deployment \\S+ --from ${ACCOUNT.h100}$`,
        ),
      );
    });

    it("accept by a provider under its minimum stake reverts with ProviderRegistryProviderInactive, naming the shortfall and the stake add that covers it", async function () {
      const { file, c, job, h100 } = await loadFixture(openJobFixture);
      await task(file, "stake thaw", { from: ACCOUNT.h100, amount: "all" });
      const required = (await c.staking.minStakePerGpu()) * (await c.registry.getProvider(h100.address)).gpuCount;
      await taskFails(
        file,
        "job accept",
        { from: ACCOUNT.h100, job: job.jobId.toString() },
        RevertError,
        new RegExp(
          `ProviderRegistryProviderInactive\\(provider=${h100.address}\\): ${h100.address} is under-staked: its stake less what is thawing, 0\\.0 LAT \\(0 wei\\), is below the ${formatEther(required).replace(".", "\\.")} LAT .* listed GPUs need; ` +
            `the provider stakes the rest: ${literal(`npx hardhat stake add --amount ${formatEther(required)} --network hardhat --deployment ${file} --from ${ACCOUNT.h100}`)}$`,
        ),
      );
    });

    it("accept above the job's maximum price reverts with JobEscrowPriceAboveMax", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      await task(file, "provider price", { from: ACCOUNT.h100, price: "3.5" });
      await taskFails(
        file,
        "job accept",
        { from: ACCOUNT.h100, job: job.jobId.toString() },
        RevertError,
        /JobEscrow\.acceptJob reverted: JobEscrowPriceAboveMax\(price=3\.5 LAT \(3500000000000000000 wei\), maxPricePerGpuHour=3\.0 LAT/,
      );
    });

    it("accept by a provider whose slash reward cap is below the job's minimum reverts with JobEscrowSlashRewardCapTooLow", async function () {
      const { s, file, clients } = await loadFixture(tasksProvidersFixture);
      const job = await createJob(s, clients[0]!, { gpuModel: "h100-sxm-80gb", minSlashRewardBps: 5000 });
      await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "4999" });
      await taskFails(
        file,
        "job accept",
        { from: ACCOUNT.h100, job: job.jobId.toString() },
        RevertError,
        /JobEscrow\.acceptJob reverted: JobEscrowSlashRewardCapTooLow\(required=5000, offered=4999\)/,
      );
    });

    it("accept by an account that is neither the provider nor its operator reverts with ProviderRegistryUnauthorized, naming both", async function () {
      const { file, c, job, h100, clients } = await loadFixture(openJobFixture);
      const { operator } = await c.registry.getProvider(h100.address);
      expect(operator).to.not.equal(ZeroAddress);
      await taskFails(
        file,
        "job accept",
        { from: ACCOUNT.client1, job: job.jobId.toString(), provider: h100.address },
        RevertError,
        new RegExp(
          `ProviderRegistryUnauthorized\\(caller=${clients[1]!.address}, provider=${h100.address}\\): ` +
            `only the provider ${h100.address} or its operator ${operator} acts for it: ` +
            literal(
              `as its operator, npx hardhat job accept --job 1 --provider ${h100.address} --network hardhat --deployment ${file} --from ${ACCOUNT.operator0}; ` +
                `as the provider, npx hardhat job accept --job 1 --provider ${h100.address} --network hardhat --deployment ${file} --from ${ACCOUNT.h100}`,
            ) +
            "$",
        ),
      );
    });

    it("accept of a job that does not exist says so", async function () {
      const { file } = await loadFixture(openJobFixture);
      await taskFails(file, "job accept", { from: ACCOUNT.h100, job: "99" }, StateError, /job 99 does not exist \(the last job id is 1\)/);
    });

    it("submit hashes the result file", async function () {
      const { s, file, c, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const resultFile = tempFile("result.bin", "result bytes");
      await task(file, "job submit", { from: ACCOUNT.h100, job: job.jobId.toString(), resultFile });
      const [event] = await c.jobEscrow.queryFilter(c.jobEscrow.filters.ResultSubmitted(job.jobId));
      expect(event!.args.resultHash).to.equal(keccak256(toUtf8Bytes("result bytes")));
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Submitted));
    });

    it("submit by an account that is neither the provider nor its operator reverts with JobEscrowUnauthorized, naming both", async function () {
      const { s, file, c, job, h100, clients } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const { operator } = await c.registry.getProvider(h100.address);
      await taskFails(
        file,
        "job submit",
        { from: ACCOUNT.client1, job: job.jobId.toString(), resultUri: "ipfs://result", resultHash: `0x${"ab".repeat(32)}` },
        RevertError,
        new RegExp(`JobEscrowUnauthorized\\(caller=${clients[1]!.address}, provider=${h100.address}\\): only the provider ${h100.address} or its operator ${operator} acts for it`),
      );
    });

    it("submit sends --result-uri with --result-hash as given", async function () {
      const { s, file, c, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const hash = keccak256(toUtf8Bytes("published elsewhere"));
      await task(file, "job submit", { from: ACCOUNT.h100, job: job.jobId.toString(), resultUri: "ipfs://result-cid", resultHash: hash });
      const [event] = await c.jobEscrow.queryFilter(c.jobEscrow.filters.ResultSubmitted(job.jobId));
      expect([event!.args.resultURI, event!.args.resultHash]).to.deep.equal(["ipfs://result-cid", hash]);
    });

    it("approve by the client settles the job", async function () {
      const { s, file, c, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100, { after: 1800 });
      const { output } = await task(file, "job approve", { from: ACCOUNT.client0, job: job.jobId.toString() });
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Completed));
      expect(output).to.match(/approved: cost 1\.0\d* LAT/);
    });
  });

  describe("settle, cancel, expire, decline, timeout", function () {
    it("settle inside the challenge window reverts with the window's end and the time left", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100);
      await time.increase(3600);
      const error = await taskFails(file, "job settle", { job: job.jobId.toString() }, RevertError, /JobEscrowChallengeWindowOpen\(jobId=1, challengeDeadline=\d+ \(\d{4}-\d\d-\d\dT[\d:]+Z, in [^)]+\)\)$/);
      // The window is a day from the submission; an hour of it has gone.
      expect(error.message).to.contain(`, in ${timeLeft(error, "challengeDeadline", await time.latest())})`).and.to.match(/, in 2[23]h\b/);
    });

    it("settle after the challenge window pays the provider", async function () {
      const { s, file, c, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100);
      await time.increase(86_401);
      await task(file, "job settle", { job: job.jobId.toString() });
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Completed));
    });

    it("cancel by the client refunds the job", async function () {
      const { file, c, job, clients } = await loadFixture(openJobFixture);
      const balance = await c.token.balanceOf(clients[0]!.address);
      await task(file, "job cancel", { from: ACCOUNT.client0, job: job.jobId.toString() });
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Cancelled));
      expect((await c.token.balanceOf(clients[0]!.address)) - balance).to.equal(job.escrowed);
    });

    it("cancel by someone else reverts with JobEscrowNotClient, ending with the command signed by the client, which works as pasted", async function () {
      const { c, file, job, clients } = await loadFixture(openJobFixture);
      const command = `npx hardhat job cancel --job 1 --network hardhat --deployment ${file} --from ${ACCOUNT.client0}`;
      await taskFails(
        file,
        "job cancel",
        { from: ACCOUNT.client1, job: job.jobId.toString() },
        RevertError,
        new RegExp(`JobEscrowNotClient\\(jobId=1, caller=${clients[1]!.address}\\): only the job's client ${clients[0]!.address} cancels it: ${literal(command)}$`),
      );
      const retry = pasted(command);
      await task(file, retry.name, retry.args);
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Cancelled));
    });

    it("a refusal's command names a client whose key the node lacks by its address, and repeats --json", async function () {
      const { file, job, clients } = await loadFixture(openJobFixture);
      const { getSigners } = ethers;
      const others = (await getSigners()).filter((a) => a.address !== clients[0]!.address);
      ethers.getSigners = async () => others;
      try {
        await taskFails(
          file,
          "job cancel",
          { from: clients[1]!.address, job: job.jobId.toString(), json: true },
          RevertError,
          new RegExp(`: only the job's client ${clients[0]!.address} cancels it: ${literal(`npx hardhat job cancel --job 1 --json --network hardhat --deployment ${file} --from ${clients[0]!.address}`)}$`),
        );
      } finally {
        ethers.getSigners = getSigners;
      }
    });

    it("approve by someone else reverts with JobEscrowNotClient, naming the client who may", async function () {
      const { s, file, job, h100, clients } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100, { after: 1800 });
      await taskFails(
        file,
        "job approve",
        { from: ACCOUNT.client1, job: job.jobId.toString() },
        RevertError,
        new RegExp(`JobEscrowNotClient\\(jobId=1, caller=${clients[1]!.address}\\): only the job's client ${clients[0]!.address} approves its result`),
      );
    });

    it("decline of a job posted to every provider reverts with JobEscrowNotDirected, saying none declines it and where its deadline shows", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      await taskFails(
        file,
        "job decline",
        { from: ACCOUNT.h100, job: job.jobId.toString() },
        RevertError,
        new RegExp(
          `^JobEscrow\\.declineJob reverted: JobEscrowNotDirected\\(jobId=${job.jobId}\\): job ${job.jobId} was posted to every provider \\(no --provider\\), so none declines it: .*` +
            `it expires unaccepted at its acceptance deadline: npx hardhat job status --job ${job.jobId} --network hardhat --deployment \\S+ shows when$`,
        ),
      );
    });

    it("decline of a directed job by another account reverts with JobEscrowUnauthorized, naming the target and its operator", async function () {
      const { file, c, h100, rtx } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      const { result } = await task<{ jobId: bigint }>(file, "job create", { from: ACCOUNT.client0, maxPrice: "3", maxDuration: "1h", specFile, provider: ACCOUNT.h100 });
      const { operator } = await c.registry.getProvider(h100.address);
      await taskFails(
        file,
        "job decline",
        { from: ACCOUNT.rtx, job: result.jobId.toString() },
        RevertError,
        new RegExp(`JobEscrowUnauthorized\\(caller=${rtx.address}, provider=${h100.address}\\): only the provider ${h100.address} or its operator ${operator} acts for it`),
      );
    });

    it("cancel of a finished job names its status", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      await task(file, "job cancel", { from: ACCOUNT.client0, job: job.jobId.toString() });
      await taskFails(file, "job cancel", { from: ACCOUNT.client0, job: job.jobId.toString() }, RevertError, /JobEscrowUnexpectedStatus\(jobId=1, status=Cancelled\)/);
    });

    // JobEscrowUnexpectedStatus names the job's status, not the one the call needs: a user reads both, and where to look.
    const needs: Array<[string, Record<string, string>, string]> = [
      ["cancel", { from: ACCOUNT.client0 }, "Open can be cancelled"],
      ["expire", {}, "Open can expire \\(once its acceptance deadline has passed\\)"],
      ["decline", { from: ACCOUNT.h100 }, "Open can be declined"],
      ["accept", { from: ACCOUNT.h100 }, "Open can be accepted"],
      ["submit", { from: ACCOUNT.h100, resultUri: "ipfs://result", resultHash: `0x${"ab".repeat(32)}` }, "Accepted takes a result"],
      ["approve", { from: ACCOUNT.client0 }, "Submitted has a result to approve"],
      ["settle", {}, "Submitted can be settled \\(once its challenge window has closed\\)"],
      ["timeout", {}, "Accepted can time out \\(once its result deadline has passed, with no result\\)"],
      ["abandon", { from: ACCOUNT.h100 }, "Accepted can be given back \\(accepted, with no result yet\\)"],
    ];
    for (const [name, args, rule] of needs) {
      it(`${name} of a job in another status names the status it needs and the job status command`, async function () {
        const { file, job } = await loadFixture(openJobFixture);
        await task(file, "job cancel", { from: ACCOUNT.client0, job: job.jobId.toString() });
        await taskFails(
          file,
          `job ${name}`,
          { ...args, job: job.jobId.toString() },
          RevertError,
          new RegExp(`JobEscrowUnexpectedStatus\\(jobId=1, status=Cancelled\\): only a job that is ${rule}, and job 1 is Cancelled: npx hardhat job status --job 1 --network hardhat --deployment \\S+ shows what can happen to it next$`),
        );
      });
    }

    for (const name of ["cancel", "expire", "decline", "approve", "settle", "timeout", "abandon"]) {
      it(`${name} of a job that does not exist names the last job id`, async function () {
        const { file } = await loadFixture(openJobFixture);
        await taskFails(file, `job ${name}`, { from: ACCOUNT.client0, job: "99" }, RevertError, /JobEscrowUnknownJob\(jobId=99\): no job has id 99: the last job id is 1$/);
      });
    }

    it("submit for a job that does not exist names the last job id", async function () {
      const { file } = await loadFixture(openJobFixture);
      const args = { from: ACCOUNT.operator0, job: "99", resultUri: "ipfs://r", resultHash: `0x${"ab".repeat(32)}` };
      await taskFails(file, "job submit", args, RevertError, /JobEscrowUnknownJob\(jobId=99\): no job has id 99: the last job id is 1$/);
    });

    it("refuses a job id that is not a number", async function () {
      const { file } = await loadFixture(openJobFixture);
      await taskFails(file, "job cancel", { from: ACCOUNT.client0, job: "#1" }, InputError, /^--job: "#1" is not an id/);
    });

    it("expire refunds a job past its acceptance deadline", async function () {
      const { file, c, job } = await loadFixture(openJobFixture);
      await time.increase(3601);
      await task(file, "job expire", { job: job.jobId.toString() });
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.Expired));
    });

    it("decline by the target's operator refunds a directed job", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      const specFile = tempFile("spec.json", SPEC);
      const { result } = await task<{ jobId: bigint }>(file, "job create", {
        from: ACCOUNT.client0,
        maxPrice: "3",
        maxDuration: "1h",
        specFile,
        provider: ACCOUNT.h100,
      });
      await task(file, "job decline", { from: ACCOUNT.operator0, job: result.jobId.toString() });
      expect((await c.jobEscrow.getJob(result.jobId)).status).to.equal(BigInt(JobStatus.Declined));
      expect((await c.jobEscrow.queryFilter(c.jobEscrow.filters.JobDeclined(result.jobId, h100.address))).length).to.equal(1);
    });

    it("timeout before the result deadline reverts with the deadline and the time left", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      // The job's hour plus the 15-minute grace, from the acceptance: 16 minutes of it gone.
      await time.increase(16 * 60);
      const error = await taskFails(file, "job timeout", { job: job.jobId.toString() }, RevertError, /JobEscrowResultDeadlineNotPassed\(jobId=1, resultDeadline=\d+ \([\dT:-]+Z, in [^)]+\)\)$/);
      expect(error.message).to.contain(`, in ${timeLeft(error, "resultDeadline", await time.latest())})`).and.to.match(/, in 5[89]m/);
    });

    it("timeout refunds a job past its result deadline and slashes collateral to the client", async function () {
      const { s, file, c, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await time.increase(3600 + 15 * 60 + 1);
      const { output } = await task(file, "job timeout", { job: job.jobId.toString() });
      expect((await c.jobEscrow.getJob(job.jobId)).status).to.equal(BigInt(JobStatus.TimedOut));
      expect(output).to.match(/timed out: 3\.0 LAT .* refunded to the client; 0\.3 LAT .* of collateral slashed, 0\.3 LAT .* to the client and 0\.0 LAT .* to the treasury/);
    });

    it("abandon by the provider's operator gives an accepted job back at once, refunded and slashed as its timeout would be", async function () {
      const { s, file, c, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const { result, output } = await task<{ status: string; refund: bigint; slashed: bigint; reward: bigint; toTreasury: bigint }>(file, "job abandon", {
        from: ACCOUNT.operator0,
        job: job.jobId.toString(),
      });
      expect(result).to.include({ status: "TimedOut", refund: parseEther("3"), slashed: parseEther("0.3"), reward: parseEther("0.3"), toTreasury: 0n });
      expect(output).to.match(/Job 1 given back: 3\.0 LAT .* refunded to the client; 0\.3 LAT .* of collateral slashed, 0\.3 LAT .* to the client and 0\.0 LAT .* to the treasury/);
      const [given] = await c.jobEscrow.queryFilter(c.jobEscrow.filters.JobAbandoned(job.jobId, h100.address));
      expect(given!.args.by).to.equal((await ethers.getSigners())[Number(ACCOUNT.operator0)]!.address);
      expect(await c.registry.freeGpus(h100.address)).to.equal(8n);
    });

    it("abandon by an account that is neither the provider nor its operator reverts with JobEscrowUnauthorized, naming both", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const operator = (await ethers.getSigners())[Number(ACCOUNT.operator0)]!.address;
      await taskFails(
        file,
        "job abandon",
        { from: ACCOUNT.client0, job: job.jobId.toString() },
        RevertError,
        new RegExp(
          `JobEscrowUnauthorized\\(caller=0x[0-9a-fA-F]{40}, provider=${h100.address}\\): only the provider ${h100.address} or its operator ${operator} acts for it: ` +
            literal(
              `as its operator, npx hardhat job abandon --job 1 --network hardhat --deployment ${file} --from ${ACCOUNT.operator0}; ` +
                `as the provider, npx hardhat job abandon --job 1 --network hardhat --deployment ${file} --from ${ACCOUNT.h100}`,
            ) +
            "$",
        ),
      );
    });

    it("abandon after the result deadline reverts with JobEscrowResultDeadlinePassed, pointing to job timeout", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await time.increase(3600 + 15 * 60 + 1);
      await taskFails(
        file,
        "job abandon",
        { from: ACCOUNT.h100, job: job.jobId.toString() },
        RevertError,
        /JobEscrowResultDeadlinePassed\(jobId=1, resultDeadline=\d+ \([^)]+\)\): job 1 has timed out already: anyone settles it so, with the same refund and slash: npx hardhat job timeout --job 1 --network hardhat --deployment \S+$/,
      );
    });

    it("timeout says how much of the slash the provider's slash reward cap sent to the treasury", async function () {
      const { s, file, c, job, h100 } = await loadFixture(openJobFixture);
      await (await c.staking.connect(h100.signer).setMaxSlashRewardBps(2500)).wait();
      await acceptJob(s, job, h100);
      await time.increase(3600 + 15 * 60 + 1);
      const { result, output } = await task<{ slashed: bigint; reward: bigint; toTreasury: bigint }>(file, "job timeout", { job: job.jobId.toString() });
      expect([result.slashed, result.reward, result.toTreasury]).to.deep.equal([parseEther("0.3"), parseEther("0.075"), parseEther("0.225")]);
      expect(output).to.match(/0\.3 LAT .* of collateral slashed, 0\.075 LAT .* to the client and 0\.225 LAT .* to the treasury/);
    });
  });

  describe("status", function () {
    it("a settled job: what the provider was paid, the fee and the client's refund", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100);
      await time.increase(86_401);
      await task(file, "job settle", { job: job.jobId.toString() });
      const { result, output } = await task<JobView>(file, "job status", { job: job.jobId.toString() });
      expect(result.ended?.event).to.equal("JobSettled");
      expect(result.ended!.refund + result.ended!.cost!).to.equal(job.escrowed);
      expect(output).to.match(/\n  settled +cost [\d.]+ LAT .*: [\d.]+ LAT .* to the provider, fee [\d.]+ LAT .*, [\d.]+ LAT .* refunded to the client\n/);
    });

    it("a timed-out job: the refund and the slash", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await time.increase(3600 + 15 * 60 + 1);
      await task(file, "job timeout", { job: job.jobId.toString() });
      const { output } = await task(file, "job status", { job: job.jobId.toString() });
      expect(output).to.match(/\n  timed out +3\.0 LAT .* refunded to the client, 0\.3 LAT .* of collateral slashed\n/);
    });

    it("a job given back: who gave it back, the refund and the slash, and no result deadline as if missed", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await task(file, "job abandon", { from: ACCOUNT.h100, job: job.jobId.toString() });
      const { result, output } = await task<JobView>(file, "job status", { job: job.jobId.toString() });
      expect(result.status).to.equal("TimedOut");
      expect(result.history.map((h) => h.event)).to.deep.equal(["JobCreated", "JobAccepted", "JobAbandoned", "JobTimedOut"]);
      expect(output).to.match(new RegExp(`\\n  given back +by ${h100.address} before its result deadline, settled as a timeout: 3\\.0 LAT .* refunded to the client, 0\\.3 LAT .* of collateral slashed\\n`));
      expect(output).to.not.match(/result due|timed out +/);
      expect(output).to.match(/\n  next: nothing \(the job is final\)$/);
    });

    it("the example next command of a submitted job signs as its client, and works as pasted", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100);
      const { output } = await task(file, "job status", { job: job.jobId.toString() });
      const example = pastedExample(output);
      expect(example).to.deep.equal({ name: "job approve", args: { job: job.jobId.toString(), from: ACCOUNT.client0 } });
      await task(file, example.name, example.args);
      expect((await statusOf(file, job.jobId)).status).to.equal("Completed");
    });

    it("the example next command of an accepted job signs as its provider and names the result it needs", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const { output } = await task(file, "job status", { job: job.jobId.toString() });
      expect(pastedExample(output)).to.deep.equal({ name: "job submit", args: { job: job.jobId.toString(), resultFile: "<file>", from: ACCOUNT.h100 } });
    });

    it("the example next command of an open job leaves the provider that accepts it to fill in", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      const { output } = await task(file, "job status", { job: job.jobId.toString() });
      expect(output).to.match(/\n  e\.g\. npx hardhat job accept --job 1 --network hardhat --deployment \S+ --from <provider account>$/m);
    });

    it("the example next command of a client no account of the node signs for names the client's address, which works as pasted once LATENT_PRIVATE_KEY holds its key", async function () {
      const { s, file, job, h100, clients } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100);
      const { getSigners } = ethers;
      const others = (await getSigners()).filter((a) => a.address !== clients[0]!.address);
      ethers.getSigners = async () => others;
      try {
        const { output } = await task(file, "job status", { job: job.jobId.toString() });
        const example = pastedExample(output);
        expect(example).to.deep.equal({ name: "job approve", args: { job: job.jobId.toString(), from: clients[0]!.address } });
        // As a refusal's command does: the address signs once the key is set, where an index or a placeholder would not.
        process.env.LATENT_PRIVATE_KEY = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${ACCOUNT.client0}`).privateKey;
        await task(file, example.name, example.args);
      } finally {
        ethers.getSigners = getSigners;
        delete process.env.LATENT_PRIVATE_KEY;
      }
      expect((await statusOf(file, job.jobId)).status).to.equal("Completed");
    });

    it("names in --json each next action's signer by its address, null only for an open job's acceptance, whose provider is not known yet", async function () {
      const { s, file, job, h100, clients } = await loadFixture(openJobFixture);
      const signers = async () => {
        const { output } = await task(file, "job status", { job: job.jobId.toString(), json: true });
        return (JSON.parse(output) as { next: { task: string; signer?: unknown }[] }).next.map((n) => [n.task, n.signer]);
      };
      expect(await signers()).to.deep.equal([["job accept", null], ["job cancel", clients[0]!.address], ["job expire", undefined]]);
      await acceptJob(s, job, h100);
      expect(await signers()).to.deep.equal([["job submit", h100.address], ["job abandon", h100.address], ["job timeout", undefined]]);
    });

    it("an accepted job may be given back by its provider until its result deadline", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const view = await statusOf(file, job.jobId);
      const abandon = view.next.find((n) => n.task === "job abandon")!;
      expect(abandon).to.include({ until: view.accepted!.resultDeadline, possibleNow: true });
      expect(abandon.who).to.contain(h100.address);
    });

    it("a job approved inside its challenge window shows none of its deadlines, and nothing next", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100);
      await approveResult(s, job);
      const { result, output } = await task<JobView>(file, "job status", { job: job.jobId.toString() });
      expect(result.status).to.equal("Completed");
      expect(output).to.match(/\n  settled +cost /).and.to.match(/\n  next: nothing \(the job is final\)$/);
      expect(output).to.not.match(/challenge until|result due|accept by|\(in /);
    });

    it("a timed-out job shows the result deadline it missed, and no other deadline", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await time.increase(3600 + 15 * 60 + 1);
      await task(file, "job timeout", { job: job.jobId.toString() });
      const { output } = await task(file, "job status", { job: job.jobId.toString() });
      expect(output).to.match(/\n  result due +\S+ \(\d+s ago\): /);
      expect(output).to.not.match(/accept by|challenge until/);
    });

    it("an expired job shows the acceptance deadline it passed", async function () {
      const { s, file, job } = await loadFixture(openJobFixture);
      await expireJob(s, job);
      const { output } = await task(file, "job status", { job: job.jobId.toString() });
      expect(output).to.match(/^Job 1: Expired\n(.|\n)*\n  accept by +\S+ \(\d+s ago\)\n/);
    });

    it("a cancelled job shows neither its acceptance deadline nor a guardian's pause", async function () {
      const { s, file, job } = await loadFixture(openJobFixture);
      await cancelJob(s, job);
      await guardianPause(s);
      const { result, output } = await task<JobView>(file, "job status", { job: job.jobId.toString() });
      expect(result.status).to.equal("Cancelled");
      expect(output).to.not.match(/accept by|paused/);
    });

    it("an open job: accept and cancel now, expire only after the deadline", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      const view = await statusOf(file, job.jobId);
      expect(view.status).to.equal("Open");
      expect(view.requirements.gpuModel).to.equal("h100-sxm-80gb");
      expect(view.next.map((n) => [n.task, n.possibleNow])).to.deep.equal([
        ["job accept", true],
        ["job cancel", true],
        ["job expire", false],
      ]);
      expect(view.next[2]!.from).to.equal(Number(job.terms.acceptDeadline) + 1);
    });

    it("an open job while the guardian's pause lasts: accept only from the pause's end", async function () {
      const { s, c, file, job } = await loadFixture(openJobFixture);
      await guardianPause(s);
      const pausedUntil = Number(await c.pauseGuardian.pausedUntil());
      const { result: view, output } = await task<JobView>(file, "job status", { job: job.jobId.toString() });
      expect(view.pausedUntil).to.equal(pausedUntil);
      const accept = view.next.find((n) => n.task === "job accept")!;
      expect(accept).to.include({ from: pausedUntil, possibleNow: false });
      // The pause (3 days) outlasts the acceptance deadline (1 hour): accepting never becomes possible.
      expect(pausedUntil).to.be.greaterThan(view.acceptDeadline);
      expect(output).to.match(/job accept +by .*; too late, from .* until /);
      expect(output).to.match(/paused +by the guardian until /);
      expect(output).to.not.match(/e\.g\. .*job accept/);
    });

    it("an accepted job shows its result deadline as the acceptance plus the max duration, the most it is paid for, plus the grace", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const { output } = await task(file, "job status", { job: job.jobId.toString() });
      expect(output).to.match(/\n  result due +\S+ \(in 1h 15m\): the max duration, 1h, the most it is paid for, plus the 15m grace, from its acceptance\n/);
    });

    it("a submitted job: its cost, result and challenge deadline, then settle after it", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100, { after: 1800 });
      const view = await statusOf(file, job.jobId);
      expect(view.status).to.equal("Submitted");
      expect(view.submitted!.cost).to.be.greaterThan(0n);
      expect(view.history.map((h) => h.event)).to.deep.equal(["JobCreated", "JobAccepted", "ResultSubmitted"]);
      const settle = view.next.find((n) => n.task === "job settle")!;
      expect(settle.from).to.equal(view.submitted!.challengeDeadline + 1);
      expect(settle.possibleNow).to.equal(false);
    });

    it("reads the job's terms and history from a node that limits eth_getLogs to a few blocks, as from one that does not", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await mine(20);
      const { refused: acceptRefused } = await withRefusedLogs(({ blocks }) => blocks > 8, () =>
        task(file, "job accept", { from: ACCOUNT.operator0, job: job.jobId.toString(), provider: h100.address }),
      );
      expect(acceptRefused).to.be.greaterThan(0);
      await submitResult(s, job, h100);
      await mine(20);
      const whole = await task<JobView>(file, "job status", { job: job.jobId.toString() });
      const { value: capped, refused } = await withRefusedLogs(({ blocks }) => blocks > 8, () => task<JobView>(file, "job status", { job: job.jobId.toString() }));
      expect(refused).to.be.greaterThan(0);
      expect(capped.result.history.map((h) => h.event)).to.deep.equal(["JobCreated", "JobAccepted", "ResultSubmitted"]);
      expect(capped.result).to.deep.equal(whole.result);
      expect(capped.output).to.equal(whole.output);
    });

    it("runs with no account configured (a public RPC with no key), printing what it prints with one but the signer by its address", async function () {
      const { s, file, job, h100 } = await loadFixture(openJobFixture);
      await acceptJob(s, job, h100);
      const { withAccounts, without } = await withAndWithoutAccounts<JobView>(file, "job status", { job: job.jobId.toString() });
      // No account of this node signs as the provider: the example names it by its address instead of its index.
      const unsigned = (text: string) => text.replace(new RegExp(`--from ${ACCOUNT.h100}(?=\n|"|$)`), `--from ${h100.address}`);
      const json = (view: JobView) => JSON.stringify(view, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
      expect(withAccounts.output).to.match(new RegExp(`  e\\.g\\. npx hardhat job submit --job 1 --result-file <file> --network hardhat --deployment \\S+ --from ${ACCOUNT.h100}$`, "m"));
      expect(json(without.result)).to.equal(unsigned(json(withAccounts.result)));
      expect(without.output)
        .to.equal(unsigned(withAccounts.output))
        .and.to.match(new RegExp(`^Job 1: Accepted\\n(.|\\n)*  e\\.g\\. npx hardhat job submit --job 1 --result-file <file> --network hardhat --deployment \\S+ --from ${h100.address}$`, "m"));
    });

    it("prints JSON with amounts in wei", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      const { output } = await task(file, "job status", { job: job.jobId.toString(), json: true });
      const json = JSON.parse(output) as { jobId: string; escrowed: string; status: string };
      expect(json).to.include({ jobId: "1", escrowed: job.escrowed.toString(), status: "Open" });
    });
  });
});
