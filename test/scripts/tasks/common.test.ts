import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, HDNodeWallet, Wallet, parseEther, toBeHex, zeroPadValue } from "ethers";
import { JobEscrow__factory, LatentGovernor__factory } from "../../../typechain-types";
import { JobStatus } from "../../../scripts/scenario";
import hre from "hardhat";
import { TaskContext, latentAbis } from "../../../scripts/tasks/lib/context";
import { DeploymentError, InputError, MissingInputError, RevertError, SignerError } from "../../../scripts/tasks/lib/errors";
import { formatDuration, formatLat } from "../../../scripts/tasks/lib/format";
import { parseBigId, parseDuration, parseInteger, parseJobId, parseLat, parseRegion, parseTimestamp, parseTokenAmount, parseUint } from "../../../scripts/tasks/lib/parse";
import { RevertDecoder, findRevertData } from "../../../scripts/tasks/lib/revert";
import { asTaskError, runReadTask } from "../../../scripts/tasks/lib/run";
import type { ProviderView } from "../../../scripts/tasks/actions/provider";
import { ACCOUNT, DEPLOYMENT_DIR, openJobFixture, task, taskFails, tasksBaseFixture, tasksProvidersFixture, tempFile, timeLeft, withoutAccounts } from "./helpers";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

describe("tasks: shared helpers", function () {
  describe("parsing", function () {
    it("reads durations in seconds and in units", function () {
      expect(["3600", "90m", "1h30m", "2h", "1d", "45s"].map((d) => parseDuration("--d", d))).to.deep.equal([3600, 5400, 5400, 7200, 86_400, 45]);
    });

    it("refuses a duration with spaces or unknown units", function () {
      expect(() => parseDuration("--max-duration", "2 hours")).to.throw(InputError, /^--max-duration: "2 hours" is not a duration/);
    });

    it("refuses a duration too long to count in whole seconds, quoting it as given rather than a rounded figure", function () {
      expect(() => parseDuration("--max-duration", "99999999999999999999d")).to.throw(InputError, /^--max-duration: "99999999999999999999d" is too long a duration: at most 9007199254740991 seconds$/);
      expect(() => parseDuration("--by", "99999999999999999999")).to.throw(InputError, /^--by: "99999999999999999999" is too long a duration: at most 9007199254740991 seconds$/);
    });

    it("reads LAT decimals exactly", function () {
      expect(parseLat("--amount", "1500.000000000000000001")).to.equal(parseEther("1500") + 1n);
    });

    it("refuses more than 18 decimals", function () {
      expect(() => parseLat("--amount", `0.${"1".repeat(19)}`)).to.throw(InputError, /more than 18 decimals/);
    });

    it("refuses a negative LAT or token amount as negative", function () {
      expect(() => parseLat("--amount", "-5")).to.throw(InputError, /^--amount: "-5" is negative: an amount is more than 0 LAT$/);
      expect(() => parseLat("--slash", "-0.25", { allowZero: true })).to.throw(InputError, /^--slash: "-0\.25" is negative: an amount is 0 LAT or more$/);
      expect(() => parseTokenAmount("--amount", "-1", 6, "USDC")).to.throw(InputError, /^--amount: "-1" is negative: an amount is more than 0 USDC$/);
    });

    it("refuses a negative count, number, id or duration as negative, saying what the option takes", function () {
      expect(() => parseInteger("--max", "-1", 1, 8)).to.throw(InputError, /^--max: "-1" is negative: give a whole number in \[1, 8\]$/);
      expect(() => parseUint("--value", "-150")).to.throw(InputError, /^--value: "-150" is negative: give a whole number, 0 or more$/);
      expect(() => parseJobId("--job", "-1")).to.throw(InputError, /^--job: "-1" is negative: job ids start at 1$/);
      expect(() => parseBigId("--id", "-7")).to.throw(InputError, /^--id: "-7" is negative: ids are whole numbers, 0 or more$/);
      expect(() => parseDuration("--by", "-2h")).to.throw(InputError, /^--by: "-2h" is negative: a duration is seconds or units such as 90m, 2h, 1h30m, 1d$/);
    });

    it("refuses a zero amount", function () {
      expect(() => parseLat("--amount", "0")).to.throw(InputError, /^--amount: must be more than 0 LAT/);
    });

    it("refuses an amount above LAT's whole supply, saying what it is in LAT where it reads as wei", function () {
      expect(() => parseLat("--amount", "5000000000000000000000")).to.throw(
        InputError,
        /^--amount: 5000000000000000000000 LAT is more than LAT's whole supply can be \(below 2\^96 wei, about 79\.2 billion LAT\); amounts are in LAT, not wei: 5000000000000000000000 wei is 5000\.0 LAT$/,
      );
      expect(() => parseLat("--amount", "79228162514.5")).to.throw(InputError, /^--amount: 79228162514\.5 LAT is more than LAT's whole supply can be \(below 2\^96 wei, about 79\.2 billion LAT\)$/);
      expect(parseLat("--amount", "79228162514")).to.equal(79228162514n * 10n ** 18n);
    });

    it("refuses a date the calendar lacks instead of rolling it over into the next month", function () {
      expect(parseTimestamp("--accept-deadline", "2030-03-02T00:00:00Z")).to.equal(Date.UTC(2030, 2, 2) / 1000);
      expect(parseTimestamp("--accept-deadline", "2028-02-29")).to.equal(Date.UTC(2028, 1, 29) / 1000);
      for (const text of ["2030-02-30T00:00:00Z", "2030-04-31", "2029-02-29T12:00:00Z", "2030-00-10"]) {
        expect(() => parseTimestamp("--accept-deadline", text), text).to.throw(InputError, /^--accept-deadline: /);
      }
    });

    it("reads an ISO date-time that names no zone in UTC, whatever the machine's time zone", function () {
      const tz = process.env.TZ;
      // Node re-reads TZ when it is assigned: the parse below runs as on a machine 5 hours behind UTC (New York in December).
      process.env.TZ = "America/New_York";
      try {
        expect(parseTimestamp("--accept-deadline", "2026-12-01T10:00")).to.equal(Date.UTC(2026, 11, 1, 10) / 1000);
        expect(parseTimestamp("--to", "2026-12-01 10:00:30")).to.equal(Date.UTC(2026, 11, 1, 10, 0, 30) / 1000);
        expect(parseTimestamp("--to", "2026-12-01T10:00:30.5")).to.equal(Date.UTC(2026, 11, 1, 10, 0, 30) / 1000);
        // A zone given is kept.
        expect(parseTimestamp("--to", "2026-12-01T10:00+02:00")).to.equal(Date.UTC(2026, 11, 1, 8) / 1000);
        expect(parseTimestamp("--to", "2026-12-01")).to.equal(Date.UTC(2026, 11, 1) / 1000);
        // A form of Date.parse's own, read in local time there, is refused rather than guessed at.
        expect(() => parseTimestamp("--to", "2026-12-01 10:00 am")).to.throw(InputError, /^--to: "2026-12-01 10:00 am" is not a time: use unix seconds or an ISO date/);
      } finally {
        if (tz === undefined) delete process.env.TZ;
        else process.env.TZ = tz;
      }
    });

    it("refuses a region code longer than 16 bytes", function () {
      expect(() => parseRegion("--region", "europe-west-frankfurt")).to.throw(InputError, /^--region: .*1\.\.16 characters/);
    });
  });

  describe("formatting", function () {
    it("prints LAT with decimals and the wei in parentheses", function () {
      expect(formatLat(parseEther("1500"))).to.equal("1500.0 LAT (1500000000000000000000 wei)");
    });

    it("prints durations with their two largest units", function () {
      expect([formatDuration(5400), formatDuration(90_061), formatDuration(0)]).to.deep.equal(["1h 30m", "1d 1h", "0s"]);
    });
  });

  describe("revert decoding", function () {
    const decoder = new RevertDecoder(latentAbis());
    const escrow = JobEscrow__factory.createInterface();

    it("names enum arguments", function () {
      const data = escrow.encodeErrorResult("JobEscrowUnexpectedStatus", [7n, JobStatus.Completed]);
      expect(decoder.decodeData(data).formatted).to.equal("JobEscrowUnexpectedStatus(jobId=7, status=Completed)");
    });

    it("reads the governor's expected-states bitmap", function () {
      const data = LatentGovernor__factory.createInterface().encodeErrorResult("GovernorUnexpectedProposalState", [1n, 1, zeroPadValue(toBeHex((1 << 4) | (1 << 5)), 32)]);
      expect(decoder.decodeData(data).formatted).to.equal("GovernorUnexpectedProposalState(proposalId=1, current=Active, expectedStates=[Succeeded|Queued])");
    });

    it("gives a deadline argument's date, and with the chain's time how far it is", function () {
      const deadline = 1_900_000_000;
      const data = escrow.encodeErrorResult("JobEscrowResultDeadlineNotPassed", [1n, deadline]);
      expect(decoder.decodeData(data).formatted).to.equal("JobEscrowResultDeadlineNotPassed(jobId=1, resultDeadline=1900000000 (2030-03-17T17:46:40Z))");
      expect(decoder.decodeData(data, deadline - 7140).formatted).to.equal("JobEscrowResultDeadlineNotPassed(jobId=1, resultDeadline=1900000000 (2030-03-17T17:46:40Z, in 1h 59m))");
      expect(decoder.decodeData(data, deadline + 300).formatted).to.equal("JobEscrowResultDeadlineNotPassed(jobId=1, resultDeadline=1900000000 (2030-03-17T17:46:40Z, 5m ago))");
    });

    it("gives the chain's own time argument (nowTimestamp) its date alone", function () {
      const data = escrow.encodeErrorResult("JobEscrowInvalidAcceptDeadline", [1_900_000_000, 1_900_000_060]);
      expect(decoder.decodeData(data, 1_900_000_060).formatted).to.equal(
        "JobEscrowInvalidAcceptDeadline(acceptDeadline=1900000000 (2030-03-17T17:46:40Z, 1m ago), nowTimestamp=1900000060 (2030-03-17T17:47:40Z))",
      );
    });

    it("decodes Error(string)", function () {
      const data = AbiCoder.defaultAbiCoder().encode(["string"], ["ok"]).replace(/^0x/, "0x08c379a0");
      expect(decoder.decodeData(data).formatted).to.equal('Error(reason="ok")');
    });

    it("reports an unknown selector with its data", function () {
      expect(decoder.decodeData("0xdeadbeef").formatted).to.equal("an unknown error 0xdeadbeef (data 0xdeadbeef)");
    });

    it("finds revert data nested the way JSON-RPC errors carry it", function () {
      const data = escrow.encodeErrorResult("JobEscrowZeroResultHash", []);
      expect(findRevertData({ message: "x", error: { code: 3, data: { message: "reverted", data } } })).to.equal(data);
      expect(findRevertData({ info: { error: { data } } })).to.equal(data);
      expect(findRevertData(new Error("network down"))).to.equal(undefined);
    });
  });

  describe("failures", function () {
    it("a bug in a task (a TypeError) leaves as it is, for Hardhat to report as unexpected with its stack", function () {
      const bug = new TypeError("Cannot read properties of undefined (reading 'address')");
      expect(asTaskError(bug)).to.equal(bug);
    });

    it("a transaction the contract would refuse is refused at its estimate, with its custom error, and never sent (Hardhat's signer sends a fixed gas limit on a Hardhat chain)", async function () {
      const { file, job, clients } = await loadFixture(openJobFixture);
      const other = clients[1]!.address;
      const [block, nonce] = [await hre.ethers.provider.getBlockNumber(), await hre.ethers.provider.getTransactionCount(other)];
      await taskFails(file, "job cancel", { from: ACCOUNT.client1, job: job.jobId.toString() }, RevertError, /^JobEscrow\.cancelJob reverted: JobEscrowNotClient\(jobId=1, caller=/);
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
      expect(await hre.ethers.provider.getTransactionCount(other)).to.equal(nonce);
    });

    it("a revert from an action's own call (outside send, preflight and read) shows its deadline with the time left on the chain's clock", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      let caught: unknown;
      try {
        // expireJob before the acceptance deadline, called as no context call would: JobEscrowAcceptDeadlineNotPassed.
        await runReadTask(hre, { deployment: file, json: false }, async (ctx) => ({ data: await ctx.c.jobEscrow.expireJob.staticCall(job.jobId), text: [] }));
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(RevertError);
      const error = caught as RevertError;
      expect(error.message).to.match(/ reverted: JobEscrowAcceptDeadlineNotPassed\(jobId=1, acceptDeadline=\d+ \(\d{4}-\d\d-\d\dT[\d:]+Z, in /);
      expect(error.message).to.contain(`, in ${timeLeft(error, "acceptDeadline", await time.latest())})`);
    });

    it("a revert from an action's own call names the contract, the function and the address it called", async function () {
      const { file, job } = await loadFixture(openJobFixture);
      let caught: unknown;
      let escrow = "";
      try {
        await runReadTask(hre, { deployment: file, json: false }, async (ctx) => {
          escrow = await ctx.c.jobEscrow.getAddress();
          return { data: await ctx.c.jobEscrow.expireJob.staticCall(job.jobId), text: [] };
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(RevertError);
      expect((caught as RevertError).action).to.equal(`JobEscrow.expireJob at ${escrow}`);
      expect((caught as RevertError).message).to.match(new RegExp(`^JobEscrow\\.expireJob at ${escrow} reverted: JobEscrowAcceptDeadlineNotPassed\\(jobId=1, `));
    });

    it("a revert of a call to an address whose function no Latent contract has names the address and the selector", function () {
      const data = JobEscrow__factory.createInterface().encodeErrorResult("JobEscrowZeroResultHash", []);
      const to = "0x00000000000000000000000000000000000000aa";
      const error = Object.assign(new Error("execution reverted"), { data });
      const failure = asTaskError(error, undefined, { to, data: "0x12345678" });
      expect(failure).to.be.instanceOf(RevertError);
      expect((failure as RevertError).action).to.equal(`a call of 0x12345678 at ${to}`);
    });
  });

  describe("signer and deployment", function () {
    afterEach(function () {
      delete process.env.LATENT_PRIVATE_KEY;
      delete process.env.LATENT_DEPLOYMENTS_DIR;
    });

    it("--deployment and --from (npm start's printed prefix) are options of every task, the read-only ones and devnet's included", function () {
      const lacking: string[] = [];
      for (const area of ["provider", "stake", "token", "job", "dispute", "gov", "guardian", "deployment", "devnet"]) {
        for (const [name, definition] of Object.entries(hre.scopes[area]!.tasks)) {
          for (const option of ["deployment", "from"]) if (!(option in definition.paramDefinitions)) lacking.push(`${area} ${name} --${option}`);
        }
      }
      expect(lacking).to.deep.equal([]);
    });

    it("a read-only task with no account option refuses a --from that names no account of the network", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "guardian status", { from: "20" }, InputError, /^--from: account index 20 does not exist: network "hardhat" has 20 accounts/);
    });

    it("--from takes an address among the network's accounts", async function () {
      const { file, clients } = await loadFixture(tasksBaseFixture);
      const { result } = await task<ProviderView>(file, "provider show", { from: clients[1]!.address });
      expect(result.provider).to.equal(clients[1]!.address);
    });

    it("an address with a wrong checksum is called a typo, not a non-address", async function () {
      const { file, clients } = await loadFixture(tasksBaseFixture);
      // One letter's case flipped: mixed case whose EIP-55 checksum fails.
      const good = clients[0]!.address;
      const i = good.slice(2).search(/[a-fA-F]/) + 2;
      const typo = `${good.slice(0, i)}${good[i] === good[i]!.toLowerCase() ? good[i]!.toUpperCase() : good[i]!.toLowerCase()}${good.slice(i + 1)}`;
      await taskFails(file, "provider show", { provider: typo }, InputError, /^--provider: ".*" is an address with a wrong checksum \(a typo\?\)/);
      await taskFails(file, "provider show", { from: typo }, InputError, /^--from: ".*" is an address with a wrong checksum/);
      await taskFails(file, "provider show", { provider: "alice.eth" }, InputError, /^--provider: "alice\.eth" is neither an address nor an account index$/);
    });

    it("--from refuses an index beyond the accounts", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "provider show", { from: "20" }, InputError, /^--from: account index 20 does not exist: network "hardhat" has 20 accounts/);
    });

    it("--from refuses an address that no configured key signs for", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "provider show", { from: Wallet.createRandom().address }, SignerError, /is not an account of network "hardhat" and no LATENT_PRIVATE_KEY is set/);
    });

    it("LATENT_PRIVATE_KEY is the default signer", async function () {
      const { file, c } = await loadFixture(tasksBaseFixture);
      const wallet = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0/9");
      process.env.LATENT_PRIVATE_KEY = wallet.privateKey;
      await task(file, "gov delegate", {});
      expect(await c.token.delegates(wallet.address)).to.equal(wallet.address);
    });

    it("a read-only task on a network with no account requires the option that would default to one, naming it", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const error = await withoutAccounts(() =>
        taskFails(file, "provider show", {}, MissingInputError, /^--provider: required: network "hardhat" has no account to default to \(give an address/),
      );
      expect((error as MissingInputError).field).to.equal("--provider");
    });

    it("a read-only task's option defaults to LATENT_PRIVATE_KEY's account on a network with no other", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const wallet = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0/9");
      const { result } = await withoutAccounts(() => {
        process.env.LATENT_PRIVATE_KEY = wallet.privateKey;
        return task<ProviderView>(file, "provider show", {});
      });
      expect(result.provider).to.equal(wallet.address);
    });

    it("a malformed LATENT_PRIVATE_KEY is refused without echoing it", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      process.env.LATENT_PRIVATE_KEY = "0xsecret-but-malformed";
      const error = await taskFails(file, "provider show", {}, SignerError, /^LATENT_PRIVATE_KEY is not a private key/);
      expect(error.message).not.to.contain("secret");
    });

    it("a missing deployment record is named", async function () {
      await loadFixture(tasksBaseFixture);
      await taskFails("/nonexistent/latent.json", "provider show", {}, DeploymentError, /--deployment \/nonexistent\/latent\.json: does not exist/);
    });

    it("without --network, a missing record or missing contracts say to add --network localhost", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      // The default record, deployments/hardhat.json: absent, or left by a deployment to another in-process chain.
      await taskFails(file, "provider show", { deployment: undefined }, DeploymentError, /deployments\/hardhat\.json.*: without --network .* add --network localhost/);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { contracts: Record<string, { address: string }> };
      record.contracts.Staking!.address = Wallet.createRandom().address;
      const gone = tempFile("gone.json", JSON.stringify(record));
      await taskFails(gone, "provider show", { from: ACCOUNT.rtx }, DeploymentError, /no contract at the address of Staking on network "hardhat" without --network .* add --network localhost/);
    });

    it("without --network, a record with another genesis block says to add --network localhost", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { genesisHash: string };
      record.genesisHash = `0x${"22".repeat(32)}`;
      const other = tempFile("another-genesis.json", JSON.stringify(record));
      await taskFails(other, "provider show", {}, DeploymentError, /was written for another chain with id 31337 \(genesis 0x(22){32}, .*\): without --network .* add --network localhost/);
    });

    it("without --deployment, reads <network>.json from LATENT_DEPLOYMENTS_DIR and names it in the next command", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const dir = fs.mkdtempSync(path.join(DEPLOYMENT_DIR, "moved-"));
      fs.copyFileSync(file, path.join(dir, "hardhat.json"));
      process.env.LATENT_DEPLOYMENTS_DIR = dir;
      const args = { deployment: undefined, from: ACCOUNT.client0, maxPrice: "1", maxDuration: "1h", specUri: "ipfs://spec", specHash: `0x${"ab".repeat(32)}` };
      const { result, output } = await task<{ jobId: bigint }>(file, "job create", args);
      expect(output).to.contain(`Follow it with: npx hardhat job status --job ${result.jobId} --network hardhat --deployment ${path.join(dir, "hardhat.json")}`);
    });

    describe("without --deployment on a network other than the in-process one", function () {
      /** The fixture's chain as a network named `localhost`, whose own record (localhost.json) is not in `dir`. */
      async function openAsLocalhost(dir: string, records: Record<string, object>): Promise<TaskContext> {
        for (const [name, record] of Object.entries(records)) fs.writeFileSync(path.join(dir, name), JSON.stringify(record));
        process.env.LATENT_DEPLOYMENTS_DIR = dir;
        const local = Object.create(hre, { network: { value: { ...hre.network, name: "localhost" } } }) as typeof hre;
        return TaskContext.open(local, { json: false });
      }

      async function deployedRecord(): Promise<{ dir: string; record: { chainId: number } }> {
        const { file } = await loadFixture(tasksBaseFixture);
        return { dir: fs.mkdtempSync(path.join(DEPLOYMENT_DIR, "by-chain-")), record: JSON.parse(fs.readFileSync(file, "utf8")) as { chainId: number } };
      }

      it("uses the only record for the connected chain's id, whatever its file is called", async function () {
        const { dir, record } = await deployedRecord();
        const ctx = await openAsLocalhost(dir, { "chain-1337.json": { ...record, chainId: 1337 }, "ganache.json": record });
        expect(ctx.deploymentFile).to.equal(path.join(dir, "ganache.json"));
      });

      it("leaves out a record for the same chain id with another genesis block", async function () {
        const { dir, record } = await deployedRecord();
        const genesisHash = (await hre.ethers.provider.getBlock(0))!.hash!;
        const ctx = await openAsLocalhost(dir, { "a-reset-node.json": { ...record, genesisHash: `0x${"00".repeat(32)}` }, "this-node.json": { ...record, genesisHash } });
        expect(ctx.deploymentFile).to.equal(path.join(dir, "this-node.json"));
      });

      it("names the network's record as stale when it is for the same chain id but another genesis block (a restarted node)", async function () {
        const { dir, record } = await deployedRecord();
        const genesis = (await hre.ethers.provider.getBlock(0))!.hash!;
        const error = await openAsLocalhost(dir, { "localhost.json": { ...record, genesisHash: `0x${"00".repeat(32)}` } }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(DeploymentError);
        expect((error as Error).message).to.equal(
          `${path.join(dir, "localhost.json")} was written for another chain with id 31337 (genesis 0x${"00".repeat(32)}, this node's is ${genesis}): deploy again or pass --deployment`,
        );
      });

      it("checks an older record without genesisHash only for code, asking whether the node was restarted", async function () {
        const { dir, record } = await deployedRecord();
        const { genesisHash: _, ...older } = record as unknown as { genesisHash?: string; contracts: Record<string, { address: string }> };
        const moved = { ...older, contracts: { ...older.contracts, Staking: { ...older.contracts.Staking!, address: Wallet.createRandom().address } } };
        const error = await openAsLocalhost(dir, { "localhost.json": moved }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(DeploymentError);
        expect((error as Error).message).to.equal(
          `${path.join(dir, "localhost.json")}: no contract at the address of Staking on network "localhost" (was the node restarted since the deployment?)`,
        );
        // The same record with its contracts in place is used as it is.
        fs.rmSync(path.join(dir, "localhost.json"));
        const ctx = await openAsLocalhost(dir, { "localhost.json": older });
        expect(ctx.deploymentFile).to.equal(path.join(dir, "localhost.json"));
      });

      it("refuses two records for the connected chain, naming the chain id and the files considered", async function () {
        const { dir, record } = await deployedRecord();
        const error = await openAsLocalhost(dir, { "one.json": record, "two.json": record }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(DeploymentError);
        expect((error as Error).message).to.match(/several deployment records .* for chain 31337 .*considered: one\.json \(chain 31337, genesis 0x[0-9a-f]{64}\), two\.json \(chain 31337, genesis 0x[0-9a-f]{64}\)\): choose one with --deployment/);
      });

      it("refuses when no record is for the connected chain, naming the chain id and the files considered", async function () {
        const { dir, record } = await deployedRecord();
        const error = await openAsLocalhost(dir, { "chain-1337.json": { ...record, chainId: 1337 } }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(DeploymentError);
        expect((error as Error).message).to.match(/no deployment record .* for chain 31337 .*considered: chain-1337\.json \(chain 1337, genesis 0x[0-9a-f]{64}\)\): deploy to it, or pass --deployment/);
      });

      it("on a development chain, says where a devnet started on other ports keeps its record when none is found", async function () {
        const { dir } = await deployedRecord();
        const error = await openAsLocalhost(dir, {}).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(DeploymentError);
        expect((error as Error).message).to.match(
          /: deploy to it, or pass --deployment <file>; a devnet started with --chain-port \(or --rpc-url\) keeps its record in <data-dir>\/deployments\/ \(\.data\/ without --data-dir\): npm start prints each task command with its --deployment$/,
        );
      });
    });

    it("a record of another chain is refused", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const other = tempFile("other-chain.json", JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), chainId: 1 }));
      await taskFails(other, "provider show", {}, DeploymentError, /is a deployment on chain 1, but network "hardhat" is chain 31337/);
    });

    it("a record written on another chain with the same id is named as stale before its contracts are looked for", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { contracts: Record<string, { address: string }>; genesisHash: string };
      record.genesisHash = `0x${"11".repeat(32)}`;
      record.contracts.Staking!.address = Wallet.createRandom().address;
      const stale = tempFile("stale.json", JSON.stringify(record));
      await taskFails(stale, "provider show", {}, DeploymentError, /stale\.json was written for another chain with id 31337 \(genesis 0x(11){32}, this node's is 0x[0-9a-f]{64}\): /);
    });

    it("a record with a malformed allocation is refused, naming the file and the field", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { allocations: { amount: string }[] };
      record.allocations[0]!.amount = "-5";
      const bad = tempFile("bad-allocation.json", JSON.stringify(record));
      await taskFails(bad, "provider show", {}, DeploymentError, /^deployment record --deployment .*bad-allocation\.json: allocations\[0\]\.amount is "-5", not an amount in wei/);
    });

    it("a record whose contracts are not on the chain is refused", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { contracts: Record<string, { address: string }> };
      record.contracts.Staking!.address = Wallet.createRandom().address;
      const moved = tempFile("moved.json", JSON.stringify(record));
      await taskFails(moved, "provider show", { from: ACCOUNT.rtx }, DeploymentError, /no contract at the address of Staking/);
    });
  });
});
