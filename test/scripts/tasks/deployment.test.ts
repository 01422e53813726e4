import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { loadFixture, mine, setStorageAt, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import type { EIP1193Provider } from "hardhat/types";
import { parseEther } from "ethers";
import { advancePastVoting, advanceToVoting, delegate, executeProposal, propose, queueProposal, Vote } from "../../../scripts/scenario";
import { setOutputSink } from "../../../scripts/tasks";
import { formatDuration } from "../../../scripts/tasks/lib/format";
import { CHECKPOINT_MARGIN, checkpointFile } from "../../../scripts/tasks/lib/checkpoint";
import { ChainQueryError, VerificationError } from "../../../scripts/tasks/lib/errors";
import type { VerifyView } from "../../../scripts/tasks/actions/deployment";
import { DEPLOYMENT_DIR, task, taskFails, tasksBaseFixture, tempFile, withRefusedLogs, withoutAccounts } from "./helpers";
import type { TaskBase } from "./helpers";

interface Mined {
  blockNumber: number;
  hash: string;
}

async function mined(tx: { wait: () => Promise<Mined | null> }): Promise<Mined> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("not mined");
  return receipt;
}

/** The deployment, then a proposal, voted and executed, by which the timelock grants itself a second proposer (account 19). */
async function proposerGrantedFixture() {
  const b = await tasksBaseFixture();
  const s = b.s;
  await delegate(s, s.actors.funder);
  const newProposer = (await hre.ethers.getSigners())[19]!.address;
  const data = s.c.timelock.interface.encodeFunctionData("grantRole", [await s.c.timelock.PROPOSER_ROLE(), newProposer]);
  const p = await propose(s, [{ target: await s.c.timelock.getAddress(), data }], "A second proposer");
  await advanceToVoting(s, p);
  await mined(await s.c.governor.connect(s.actors.funder).castVote(p.proposalId, Vote.For));
  await advancePastVoting(s, p);
  await queueProposal(s, p);
  const tx = await executeProposal(s, p);
  return { ...b, newProposer, tx };
}

/** The deployment, then one executed proposal by which governance sets the voting period and the timelock's delay to 120 s. */
async function settingsChangedFixture() {
  const b = await tasksBaseFixture();
  const s = b.s;
  await delegate(s, s.actors.funder);
  const p = await propose(
    s,
    [
      { target: await s.c.governor.getAddress(), data: s.c.governor.interface.encodeFunctionData("setVotingPeriod", [120]) },
      { target: await s.c.timelock.getAddress(), data: s.c.timelock.interface.encodeFunctionData("updateDelay", [120]) },
    ],
    "Longer voting and delay",
  );
  await advanceToVoting(s, p);
  await mined(await s.c.governor.connect(s.actors.funder).castVote(p.proposalId, Vote.For));
  await advancePastVoting(s, p);
  await queueProposal(s, p);
  const tx = await executeProposal(s, p);
  return { ...b, tx };
}

/** The deployment, then 40 blocks, then governance revoking the governor's proposer role. */
async function proposerRevokedFixture() {
  const b = await tasksBaseFixture();
  await mine(40);
  const tx = await mined(await b.c.timelock.connect(b.timelock).revokeRole(await b.c.timelock.PROPOSER_ROLE(), await b.c.governor.getAddress()));
  return { ...b, tx };
}

/** The deployment, then 40 blocks, then governance (the timelock) naming a new guardian, arbitrator and treasury. */
async function governanceChangedFixture() {
  const b = await tasksBaseFixture();
  await mine(40);
  const [newGuardian, newArbitrator, newTreasury] = (await hre.ethers.getSigners()).slice(16, 19).map((s) => s.address) as [string, string, string];
  const guardianTx = await b.c.pauseGuardian.connect(b.timelock).setGuardian(newGuardian);
  const arbitratorTx = await b.c.disputeManager.connect(b.timelock).setArbitrator(newArbitrator);
  await mine(5);
  const treasuryTx = await b.c.staking.connect(b.timelock).setTreasury(newTreasury);
  return { ...b, newGuardian, newArbitrator, newTreasury, guardianTx: await mined(guardianTx), arbitratorTx: await mined(arbitratorTx), treasuryTx: await mined(treasuryTx) };
}

const DAY = 24 * 3600;

/** The protocol parameters' checks, written out here so that one the verify stops making fails a test. */
const ESCROW = ["protocolFeeBps", "collateralRatioBps", "timeoutSlashBps", "maxSlashingCutBps", "disputeRewardBps", "challengeWindow", "grace", "disputePeriod", "disputeDeposit", "minTrackRecordCost"];
const PARAMETERS = ["staking.minStakePerGpu", "staking.thawingPeriod", "registry.maxGpusPerProvider", "pauseGuardian.pauseDuration", ...ESCROW.map((name) => `jobEscrow.${name}`)];

/** The deployment, then 40 blocks, then governance (the timelock) setting the thawing period, the pause duration and the escrow's fee. */
async function parametersChangedFixture() {
  const b = await tasksBaseFixture();
  await mine(40);
  const thawingTx = await mined(await b.c.staking.connect(b.timelock).setThawingPeriod(2 * DAY + 17));
  const pauseTx = await mined(await b.c.pauseGuardian.connect(b.timelock).setPauseDuration(5 * DAY));
  await mine(5);
  const feeTx = await mined(await b.c.jobEscrow.connect(b.timelock).setProtocolFeeBps(300));
  return { ...b, thawingTx, pauseTx, feeTx };
}

/** Writes `to` over the pause guardian's `from` in storage, as no setter would: a value no governance log explains. */
async function overwriteGuardian(pauseGuardian: string, from: string, to: string): Promise<void> {
  // The guardian's slot is the one whose low 20 bytes hold it (it shares the slot with pausedUntil).
  const tail = from.slice(2).toLowerCase();
  let slot = -1;
  for (let i = 0; i < 8 && slot < 0; i += 1) {
    if ((await hre.ethers.provider.getStorage(pauseGuardian, i)).endsWith(tail)) slot = i;
  }
  expect(slot, "the guardian's slot").to.be.at.least(0);
  const word = await hre.ethers.provider.getStorage(pauseGuardian, slot);
  await setStorageAt(pauseGuardian, slot, `${word.slice(0, -40)}${to.slice(2).toLowerCase()}`);
}

/** A verify run, with the first block of each eth_getLogs call it makes for the timelock's logs. */
async function timelockQueries(b: TaskBase): Promise<{ result: VerifyView; from: number[] }> {
  const timelock = (await b.c.timelock.getAddress()).toLowerCase();
  const from: number[] = [];
  const { value } = await withRefusedLogs((call) => {
    if (call.address === timelock) from.push(call.from);
    return false;
  }, () => task<VerifyView>(b.file, "deployment verify"));
  return { result: value.result, from };
}

/** Runs `run`, counting the calls of JSON-RPC `method` that reach the node. */
async function countingCalls<T>(method: string, run: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const provider = hre.network.provider as EIP1193Provider & { send: (method: string, params?: unknown[]) => Promise<unknown> };
  const send = provider.send;
  let calls = 0;
  provider.send = async (asked: string, params?: unknown[]) => {
    if (asked === method) calls += 1;
    return send.call(provider, asked, params);
  };
  try {
    return { value: await run(), calls };
  } finally {
    provider.send = send;
  }
}

const rx = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A duration as verify prints it: the seconds, then the readable span. */
const secs = (seconds: number) => `${seconds} s (${formatDuration(seconds)})`;

describe("tasks: deployment", function () {
  describe("verify", function () {
    it("passes on a fresh deployment, printing every check, the genesis block and the mints included", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { result, output } = await task<VerifyView>(file, "deployment verify");
      expect([result.failed, result.notRun]).to.deep.equal([[], []]);
      expect(output).to.match(/^Deployment .* on network "hardhat": (\d+) of \1 checks passed\n/);
      expect(output).to.contain("  ok       genesis block\n");
      expect(output).to.contain("  ok       token.mints\n");
      expect(output).to.contain("  ok       registry.staking\n");
      const settings = ["governor.votingDelay", "governor.votingPeriod", "governor.proposalThreshold", "governor.quorumNumerator", "timelock.getMinDelay"];
      for (const name of settings) expect(output).to.contain(`  ok       ${name}: `);
      expect(result.checks.map((check) => check.name)).to.include.members(settings);
      expect(output).to.contain(` ${result.checks.length} of ${result.checks.length} checks passed\n`);
    });

    it("keeps the raw integers in its result (--json): seconds, wei, the quorum's numerator", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { result } = await task<VerifyView>(file, "deployment verify");
      const actual = (name: string) => result.checks.find((check) => check.name === name)?.actual;
      expect([actual("governor.votingPeriod"), actual("governor.proposalThreshold"), actual("governor.quorumNumerator")]).to.deep.equal(["60", "1000000000000000000000", "4"]);
    });

    it("prints the governor's and timelock's settings in their units: durations in seconds and h/m/s, the threshold in LAT, the quorum in percent", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { output } = await task<VerifyView>(file, "deployment verify");
      expect(output).to.contain(
        [
          "  ok       governor.votingDelay: 10 s (10s)",
          "  ok       governor.votingPeriod: 60 s (1m)",
          "  ok       governor.proposalThreshold: 1000.0 LAT",
          "  ok       governor.quorumNumerator: 4 (4% of the supply)",
          "  ok       timelock.getMinDelay: 60 s (1m)\n",
        ].join("\n"),
      );
    });

    it("prints the protocol parameters and the supply in their units: LAT, seconds with h/m/s, basis points with percent", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { output } = await task<VerifyView>(file, "deployment verify");
      expect(output).to.contain("  ok       staking.minStakePerGpu: 100.0 LAT\n");
      expect(output).to.contain("  ok       staking.thawingPeriod: 3600 s (1h)\n");
      expect(output).to.contain("  ok       registry.maxGpusPerProvider: 64\n");
      expect(output).to.contain("  ok       jobEscrow.protocolFeeBps: 250 bps (2.5%)\n");
      expect(output).to.contain("  ok       jobEscrow.disputePeriod: 864000 s (10d)\n");
      expect(output).to.match(/^  ok       token.totalSupply: 1000000000\.0 LAT$/m);
    });

    it("checks every protocol parameter the deployment set (staking, registry, pause guardian, escrow) against the record's", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { result, output } = await task<VerifyView>(file, "deployment verify");
      expect(result.checks.map((check) => check.name)).to.include.members(PARAMETERS);
      for (const name of PARAMETERS) expect(output).to.match(new RegExp(`  ok       ${name.replace(".", "\\.")}(: .*)?\n`));
    });

    it("fails naming the parameter and both values when the record's differs from the chain's with no log of governance setting it", async function () {
      const { file, s } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { params: { economic: Record<string, unknown> } & Record<string, unknown> };
      const deployed = s.deployment.config.params;
      const tampered = tempFile(
        "tampered-params.json",
        JSON.stringify({ ...record, params: { ...record.params, thawingPeriod: deployed.thawingPeriod + 1, economic: { ...record.params.economic, grace: deployed.economic.grace + 2 } } }),
      );
      await taskFails(
        tampered,
        "deployment verify",
        {},
        VerificationError,
        new RegExp(
          `: 2 of \\d+ checks failed: staking\\.thawingPeriod is ${rx(secs(deployed.thawingPeriod))}, not ${rx(secs(deployed.thawingPeriod + 1))}, ` +
            `jobEscrow\\.grace is ${rx(secs(deployed.economic.grace))}, not ${rx(secs(deployed.economic.grace + 2))}$`,
        ),
      );
    });

    it("passes protocol parameters that governance set after the deployment, naming each change's block and transaction", async function () {
      const b = await loadFixture(parametersChangedFixture);
      const { result, output } = await task<VerifyView>(b.file, "deployment verify");
      expect([result.failed, result.changedByGovernance]).to.deep.equal([[], ["staking.thawingPeriod", "pauseGuardian.pauseDuration", "jobEscrow.protocolFeeBps"]]);
      const deployed = b.s.deployment.config.params;
      const at = (tx: Mined) => `changed by governance at block ${tx.blockNumber} (tx ${tx.hash})`;
      expect(output).to.contain(`  changed  staking.thawingPeriod: is 172817 s (2d 17s) (the record's ${secs(deployed.thawingPeriod)}), ${at(b.thawingTx)}\n`);
      expect(output).to.contain(`  changed  pauseGuardian.pauseDuration: is 432000 s (5d) (the record's ${secs(deployed.pauseDuration)}), ${at(b.pauseTx)}\n`);
      expect(output).to.contain(`  changed  jobEscrow.protocolFeeBps: is 300 bps (3%) (the record's ${deployed.economic.protocolFeeBps} bps (`);
    });

    it("fails a parameter the chain holds that its last governance change did not set, naming that change's value, block and transaction", async function () {
      const b = await loadFixture(parametersChangedFixture);
      const staking = await b.c.staking.getAddress();
      // The thawing period is a uint64, packed or not: the slot whose word holds it, 8 bytes, at a byte boundary.
      const held = (2 * DAY + 17).toString(16).padStart(16, "0");
      let slot = -1;
      let at = -1;
      for (let i = 0; i < 32 && slot < 0; i += 1) {
        const word = (await hre.ethers.provider.getStorage(staking, i)).slice(2);
        for (let j = 0; j + 16 <= 64 && slot < 0; j += 2) if (word.slice(j, j + 16) === held) [slot, at] = [i, j];
      }
      expect(slot, "the thawing period's slot").to.be.at.least(0);
      const word = (await hre.ethers.provider.getStorage(staking, slot)).slice(2);
      const written = 3 * DAY;
      await setStorageAt(staking, slot, `0x${word.slice(0, at)}${written.toString(16).padStart(16, "0")}${word.slice(at + 16)}`);
      expect(await b.c.staking.thawingPeriod()).to.equal(BigInt(written));
      const printed: string[] = [];
      const restore = setOutputSink((text) => printed.push(text));
      const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: b.file }).catch((e: unknown) => e).finally(restore);
      expect(error).to.be.instanceOf(VerificationError);
      const recorded = b.s.deployment.config.params.thawingPeriod;
      expect((error as Error).message).to.match(new RegExp(`: 1 of \\d+ checks failed: staking\\.thawingPeriod is 259200 s \\(3d\\), not ${rx(secs(recorded))}$`));
      expect(printed.join("\n")).to.contain(
        `  FAILED   staking.thawingPeriod: is 259200 s (3d), not ${secs(recorded)}: its last ParameterUpdated(thawingPeriod) set 172817 s (2d 17s) ` +
          `at block ${b.thawingTx.blockNumber} (tx ${b.thawingTx.hash})\n`,
      );
    });

    it("fails a parameter governance changed when the record misstates what the deployment set, naming what the constructor set", async function () {
      const b = await loadFixture(parametersChangedFixture);
      const record = JSON.parse(fs.readFileSync(b.file, "utf8")) as { params: Record<string, unknown> };
      const tampered = tempFile("tampered-thawing.json", JSON.stringify({ ...record, params: { ...record.params, thawingPeriod: 7200 } }));
      const printed: string[] = [];
      const restore = setOutputSink((text) => printed.push(text));
      const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: tampered }).catch((e: unknown) => e).finally(restore);
      expect(error).to.be.instanceOf(VerificationError);
      expect((error as Error).message).to.match(/: 1 of \d+ checks failed: staking\.thawingPeriod is 172817 s \(2d 17s\), not 7200 s \(2h\)$/);
      const deployed = b.s.deployment.config.params.thawingPeriod;
      const staking = b.s.deployment.record.contracts.Staking;
      const block = await hre.ethers.provider.getBlock(staking.blockNumber);
      const receipts = await Promise.all((block?.transactions ?? []).map((hash) => hre.ethers.provider.getTransactionReceipt(hash)));
      const created = receipts.find((receipt) => receipt?.contractAddress === staking.address);
      expect(created, "Staking's deployment transaction").not.to.equal(undefined);
      expect(printed.join("\n")).to.contain(`  FAILED   staking.thawingPeriod: is 172817 s (2d 17s), not 7200 s (2h): the constructor set ${secs(deployed)} (tx ${created!.hash})\n`);
    });

    it("passes a voting period and timelock delay that an executed proposal changed, naming its block and transaction", async function () {
      const b = await loadFixture(settingsChangedFixture);
      const { result, output } = await task<VerifyView>(b.file, "deployment verify");
      expect([result.failed, result.changedByGovernance]).to.deep.equal([[], ["governor.votingPeriod", "timelock.getMinDelay"]]);
      expect(output).to.match(/^Deployment .* on network "hardhat": (\d+) of \1 checks passed \(2 changed by governance since\)\n/);
      const at = `changed by governance at block ${b.tx.blockNumber} (tx ${b.tx.hash})`;
      const deployed = b.s.deployment.config.governance;
      expect(output).to.contain(`  changed  governor.votingPeriod: is 120 s (2m) (the record's ${secs(deployed.votingPeriod)}), ${at}\n`);
      expect(output).to.contain(`  changed  timelock.getMinDelay: is 120 s (2m) (the record's ${secs(deployed.timelockDelay)}), ${at}`);
      expect(output).to.contain(`  ok       governor.votingDelay: ${secs(deployed.votingDelay)}\n`);
    });

    it("fails naming the setting and both values when the record's differs from the chain's with no log of governance setting it", async function () {
      const { file, s } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { governance: Record<string, unknown> };
      const deployed = s.deployment.config.governance;
      const tampered = tempFile("tampered-governance.json", JSON.stringify({ ...record, governance: { ...record.governance, votingPeriod: deployed.votingPeriod + 1 } }));
      await taskFails(tampered, "deployment verify", {}, VerificationError, new RegExp(`: 1 of \\d+ checks failed: governor\\.votingPeriod is ${rx(secs(deployed.votingPeriod))}, not ${rx(secs(deployed.votingPeriod + 1))}$`));
    });

    it("still fails a setting an executed proposal changed when the record misstates what the deployment set", async function () {
      const b = await loadFixture(settingsChangedFixture);
      const record = JSON.parse(fs.readFileSync(b.file, "utf8")) as { governance: Record<string, unknown> };
      // LatentTimelock's constructor logged the delay it was given (MinDelayChange(0, delay)), which is not this.
      const tampered = tempFile("tampered-delay.json", JSON.stringify({ ...record, governance: { ...record.governance, timelockDelay: 7 } }));
      await taskFails(tampered, "deployment verify", {}, VerificationError, /: 1 of \d+ checks failed: timelock\.getMinDelay is 120 s \(2m\), not 7 s \(7s\)$/);
    });

    it("passes a deployer sent LAT after the deployment (the README's new provider #0): the mints say it got none", async function () {
      const { file, c, funder, s } = await loadFixture(tasksBaseFixture);
      await c.token.connect(funder).transfer(s.deployment.record.deployer, parseEther("1"));
      const { result } = await task<VerifyView>(file, "deployment verify");
      expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).to.deep.equal([]);
      expect(result.checks.map((check) => check.name)).to.include("deployer is allocated no LAT");
    });

    it("fails naming the check a mis-wired deployment fails (the deployer holds LAT, on a record without its allocations)", async function () {
      const { file, c, funder, s } = await loadFixture(tasksBaseFixture);
      await c.token.connect(funder).transfer(s.deployment.record.deployer, parseEther("1"));
      // Without the allocations the mints cannot be checked, so the deployer's balance stands in for them.
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { allocations?: unknown };
      delete record.allocations;
      const tampered = tempFile("no-allocations.json", JSON.stringify(record));
      // Run directly, not through taskFails: its sink drops what a failing task printed.
      const printed: string[] = [];
      const restore = setOutputSink((text) => printed.push(text));
      const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: tampered }).catch((e: unknown) => e).finally(restore);
      expect(error).to.be.instanceOf(VerificationError);
      expect((error as Error).message).to.match(/: 1 of \d+ checks failed: deployer holds no LAT$/).and.to.contain(tampered);
      // Every check is still listed, the failed one marked.
      expect(printed.join("\n")).to.match(/checks passed, 1 not run\n(.|\n)*  ok       registry\.staking\n(.|\n)*  FAILED   deployer holds no LAT\n/);
    });

    it("fails naming both lists when the recorded allocations are not what the token minted", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { allocations: { to: string; amount: string }[] };
      record.allocations[0]!.amount = "1";
      const tampered = tempFile("tampered-allocations.json", JSON.stringify(record));
      await taskFails(tampered, "deployment verify", {}, VerificationError, /checks failed: token\.mints is .* to 0x.*, not 1 to 0x/);
    });

    it("fails naming both addresses when the record's guardian or arbitrator is not the chain's", async function () {
      const { file, guardian, arbitrator } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { guardian: string; arbitrator: string };
      const tampered = tempFile("tampered-roles.json", JSON.stringify({ ...record, guardian: arbitrator.address, arbitrator: guardian.address }));
      await taskFails(
        tampered,
        "deployment verify",
        {},
        VerificationError,
        new RegExp(
          `checks failed: pauseGuardian\\.guardian is ${guardian.address}, not ${arbitrator.address}, disputeManager\\.arbitrator is ${arbitrator.address}, not ${guardian.address}(, |$)`,
        ),
      );
    });

    it("fails naming both figures when the record's supply is not the chain's", async function () {
      const { file, c } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const tampered = tempFile("tampered-supply.json", JSON.stringify({ ...record, totalSupply: "5" }));
      await taskFails(tampered, "deployment verify", {}, VerificationError, new RegExp(`token\\.totalSupply is ${rx(`${hre.ethers.formatEther(await c.token.totalSupply())} LAT`)}, not 0\\.000000000000000005 LAT`));
    });

    it("passes a guardian, arbitrator and treasury that governance set after the deployment, naming each change's block and transaction", async function () {
      const b = await loadFixture(governanceChangedFixture);
      const { result, output } = await task<VerifyView>(b.file, "deployment verify");
      expect(result.failed).to.deep.equal([]);
      expect(result.changedByGovernance).to.deep.equal(["pauseGuardian.guardian", "staking.treasury", "disputeManager.arbitrator"]);
      expect(output).to.match(/^Deployment .* on network "hardhat": (\d+) of \1 checks passed \(3 changed by governance since\)\n/);
      const timelock = await b.c.timelock.getAddress();
      expect(output).to.contain(
        `  changed  pauseGuardian.guardian: is ${b.newGuardian} (the record's ${b.guardian.address}), ` +
          `changed by governance at block ${b.guardianTx.blockNumber} (tx ${b.guardianTx.hash})\n`,
      );
      expect(output).to.contain(
        `  changed  disputeManager.arbitrator: is ${b.newArbitrator} (the record's ${b.arbitrator.address}), ` +
          `changed by governance at block ${b.arbitratorTx.blockNumber} (tx ${b.arbitratorTx.hash})\n`,
      );
      expect(output).to.contain(`  changed  staking.treasury: is ${b.newTreasury} (the record's ${timelock}), changed by governance at block ${b.treasuryTx.blockNumber} (tx ${b.treasuryTx.hash})`);
    });

    it("still fails a value that governance changed when the record misstates what the deployment set, beside one it passes", async function () {
      const b = await loadFixture(governanceChangedFixture);
      const record = JSON.parse(fs.readFileSync(b.file, "utf8")) as Record<string, unknown>;
      // DisputeManager's constructor logged the arbitrator it was given, which is not this.
      const tampered = tempFile("tampered-arbitrator.json", JSON.stringify({ ...record, arbitrator: b.funder.address }));
      const printed: string[] = [];
      const restore = setOutputSink((text) => printed.push(text));
      const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: tampered }).catch((e: unknown) => e).finally(restore);
      expect(error).to.be.instanceOf(VerificationError);
      expect((error as Error).message).to.match(new RegExp(`: 1 of \\d+ checks failed: disputeManager\\.arbitrator is ${b.newArbitrator}, not ${b.funder.address}$`));
      expect(printed.join("\n")).to.contain(`  changed  pauseGuardian.guardian: is ${b.newGuardian}`);
    });

    it("fails a value the chain holds that its last governance change did not set (written in storage, no log)", async function () {
      const b = await loadFixture(governanceChangedFixture);
      await overwriteGuardian(await b.c.pauseGuardian.getAddress(), b.newGuardian, b.funder.address);
      expect(await b.c.pauseGuardian.guardian()).to.equal(b.funder.address);
      await taskFails(b.file, "deployment verify", {}, VerificationError, new RegExp(`: 1 of \\d+ checks failed: pauseGuardian\\.guardian is ${b.funder.address}, not ${b.guardian.address}$`));
    });

    it("does not take the value a constructor emitted for a governance change", async function () {
      const { file, guardian } = await loadFixture(tasksBaseFixture);
      // The guardian the chain holds was set, and logged, by PauseGuardian's constructor in the record's block.
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const tampered = tempFile("tampered-guardian.json", JSON.stringify({ ...record, guardian: hre.ethers.ZeroAddress }));
      await taskFails(tampered, "deployment verify", {}, VerificationError, new RegExp(`checks failed: pauseGuardian\\.guardian is ${guardian.address}, not ${hre.ethers.ZeroAddress}$`));
    });

    it("reads, on a deployment as recorded, the mints' block and the timelock's role logs: two eth_getLogs calls", async function () {
      const { file, c } = await loadFixture(tasksBaseFixture);
      const timelock = (await c.timelock.getAddress()).toLowerCase();
      const token = (await c.token.getAddress()).toLowerCase();
      const asked: string[] = [];
      const { value, answered } = await withRefusedLogs(({ address }) => {
        asked.push(address);
        return false;
      }, () => task<VerifyView>(file, "deployment verify"));
      expect(value.result.failed).to.deep.equal([]);
      expect([answered, asked]).to.deep.equal([2, [token, timelock]]);
    });

    describe("the timelock's role logs, read from a checkpoint beside the record", function () {
      /** A deployment of its own, so that no other test's run leaves a checkpoint beside its record. */
      async function checkpointFixture() {
        return tasksBaseFixture();
      }

      it("asks, on a second run, for the role logs only from CHECKPOINT_MARGIN blocks below the first run's head on", async function () {
        const b = await loadFixture(checkpointFixture);
        await mine(100);
        const head = await hre.ethers.provider.getBlockNumber();
        const first = await timelockQueries(b);
        expect(first.from).to.deep.equal([b.s.deployment.record.contracts.LatentTimelock.blockNumber]);
        await mine(10);
        const second = await timelockQueries(b);
        expect([second.result.failed, second.from]).to.deep.equal([[], [head - CHECKPOINT_MARGIN + 1]]);
      });

      it("still passes, on a run from the checkpoint, a proposer that governance granted before it", async function () {
        const b = await loadFixture(checkpointFixture);
        const outsider = (await hre.ethers.getSigners())[19]!.address;
        const grant = await mined(await b.c.timelock.connect(b.timelock).grantRole(await b.c.timelock.PROPOSER_ROLE(), outsider));
        await mine(100);
        await task<VerifyView>(b.file, "deployment verify");
        await mine(10);
        const { result, from } = await timelockQueries(b);
        expect(from[0]).to.be.greaterThan(grant.blockNumber);
        const name = `timelock proposer ${outsider}`;
        expect([result.failed, result.changedByGovernance]).to.deep.equal([[], [name]]);
        const check = result.checks.find((c) => c.name === name);
        expect(check?.changedByGovernance).to.deep.equal({ blockNumber: grant.blockNumber, transactionHash: grant.hash });
      });

      it("reads the role logs from the deployment again when a reorg has replaced the checkpoint's block, finding a grant in the new history", async function () {
        const b = await loadFixture(checkpointFixture);
        const before = await takeSnapshot();
        await mine(100);
        await task<VerifyView>(b.file, "deployment verify");
        // Another history of as many blocks, the first of which grants a proposer: the checkpoint's block is not in it.
        await before.restore();
        const outsider = (await hre.ethers.getSigners())[19]!.address;
        await mined(await b.c.timelock.connect(b.timelock).grantRole(await b.c.timelock.PROPOSER_ROLE(), outsider));
        await mine(110);
        const { result, from } = await timelockQueries(b);
        expect(from).to.deep.equal([b.s.deployment.record.contracts.LatentTimelock.blockNumber]);
        expect(result.changedByGovernance).to.deep.equal([`timelock proposer ${outsider}`]);
      });
    });

    describe("the timelock's role and delay logs, read by one filter", function () {
      /** settingsChangedFixture's deployment of its own (its checkpoint is no other test's), then 100 blocks. */
      async function delayChangedFixture() {
        const b = await settingsChangedFixture();
        await mine(100);
        return b;
      }

      beforeEach(async function () {
        fs.rmSync(checkpointFile((await loadFixture(delayChangedFixture)).file), { force: true });
      });

      it("reads the role logs and the MinDelayChange that explains a changed delay in one eth_getLogs call", async function () {
        const b = await loadFixture(delayChangedFixture);
        const { result, from } = await timelockQueries(b);
        expect(from).to.deep.equal([b.s.deployment.record.contracts.LatentTimelock.blockNumber]);
        expect([result.failed, result.changedByGovernance]).to.deep.equal([[], ["governor.votingPeriod", "timelock.getMinDelay"]]);
        const check = result.checks.find((c) => c.name === "timelock.getMinDelay");
        expect(check?.changedByGovernance).to.deep.equal({ blockNumber: b.tx.blockNumber, transactionHash: b.tx.hash });
      });

      it("asks, on a second run, for both only from the checkpoint on, still passing the delay governance changed before it", async function () {
        const b = await loadFixture(delayChangedFixture);
        const head = await hre.ethers.provider.getBlockNumber();
        const first = await timelockQueries(b);
        await mine(10);
        const second = await timelockQueries(b);
        expect(second.from).to.deep.equal([head - CHECKPOINT_MARGIN + 1]);
        expect(first.result.changedByGovernance).to.deep.equal(["governor.votingPeriod", "timelock.getMinDelay"]);
        expect(second.result).to.deep.equal(first.result);
      });
    });

    describe("the setter logs of a governed value, read from the checkpoint beside the record", function () {
      /**
       * A deployment of its own, then 40 blocks, governance setting the thawing period and the guardian, and 100
       * blocks: a first run's checkpoint is past both changes.
       */
      async function changedBeforeCheckpointFixture() {
        const b = await tasksBaseFixture();
        await mine(40);
        const thawingTx = await mined(await b.c.staking.connect(b.timelock).setThawingPeriod(2 * DAY + 17));
        const newGuardian = (await hre.ethers.getSigners())[16]!.address;
        const guardianTx = await mined(await b.c.pauseGuardian.connect(b.timelock).setGuardian(newGuardian));
        await mine(100);
        return { ...b, thawingTx, guardianTx, newGuardian };
      }

      /** A verify run of `file`, with the first block of each eth_getLogs call it makes for `contract`'s logs. */
      async function queriesOf(file: string, contract: { getAddress: () => Promise<string> }): Promise<{ result: VerifyView; output: string; from: number[] }> {
        const address = (await contract.getAddress()).toLowerCase();
        const from: number[] = [];
        const { value } = await withRefusedLogs((call) => {
          if (call.address === address) from.push(call.from);
          return false;
        }, () => task<VerifyView>(file, "deployment verify"));
        return { ...value, from };
      }

      /** A verify run of `file` that fails, with what it printed and the error. */
      async function failedRun(file: string): Promise<{ error: unknown; output: string }> {
        const printed: string[] = [];
        const restore = setOutputSink((text) => printed.push(text));
        const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: file }).catch((e: unknown) => e).finally(restore);
        return { error, output: printed.join("\n") };
      }

      beforeEach(async function () {
        // The fixture's record is every test's here: a checkpoint another left would be this one's first run.
        const b = await loadFixture(changedBeforeCheckpointFixture);
        fs.rmSync(checkpointFile(b.file), { force: true });
      });

      it("asks, on a second run, for a changed contract's setter logs only from CHECKPOINT_MARGIN blocks below the first run's head on", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        const head = await hre.ethers.provider.getBlockNumber();
        const first = await queriesOf(b.file, b.c.staking);
        expect(first.from).to.deep.equal([b.s.deployment.record.contracts.Staking.blockNumber]);
        await mine(10);
        const second = await queriesOf(b.file, b.c.staking);
        expect([second.result.failed, second.from]).to.deep.equal([[], [head - CHECKPOINT_MARGIN + 1]]);
        const check = second.result.checks.find((c) => c.name === "staking.thawingPeriod");
        expect(check?.changedByGovernance).to.deep.equal({ blockNumber: b.thawingTx.blockNumber, transactionHash: b.thawingTx.hash });
      });

      it("reads each contract's setter logs in one range for all its parameters, however many differ", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        await mined(await b.c.staking.connect(b.timelock).setMinStakePerGpu(parseEther("3")));
        await mined(await b.c.staking.connect(b.timelock).setTreasury(b.funder.address));
        const { result, from } = await queriesOf(b.file, b.c.staking);
        expect(result.changedByGovernance).to.include.members(["staking.minStakePerGpu", "staking.thawingPeriod", "staking.treasury"]);
        expect(from).to.deep.equal([b.s.deployment.record.contracts.Staking.blockNumber]);
      });

      it("gives, from the checkpoint, what a full read gives: the changes before it and one after it", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        await task<VerifyView>(b.file, "deployment verify");
        const after = await mined(await b.c.staking.connect(b.timelock).setThawingPeriod(3 * DAY));
        await mine(10);
        const fromCheckpoint = await queriesOf(b.file, b.c.staking);
        expect(fromCheckpoint.from[0]).to.be.greaterThan(b.thawingTx.blockNumber).and.at.most(after.blockNumber);
        fs.rmSync(checkpointFile(b.file));
        const full = await queriesOf(b.file, b.c.staking);
        expect(full.from).to.deep.equal([b.s.deployment.record.contracts.Staking.blockNumber]);
        expect(fromCheckpoint.result).to.deep.equal(full.result);
        expect(fromCheckpoint.result.changedByGovernance).to.deep.equal(["pauseGuardian.guardian", "staking.thawingPeriod"]);
        const check = fromCheckpoint.result.checks.find((c) => c.name === "staking.thawingPeriod");
        expect(check?.changedByGovernance).to.deep.equal({ blockNumber: after.blockNumber, transactionHash: after.hash });
      });

      it("fails, from the checkpoint, a value its last governance change before the checkpoint did not set, naming that change", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        await task<VerifyView>(b.file, "deployment verify");
        const pauseGuardian = await b.c.pauseGuardian.getAddress();
        await overwriteGuardian(pauseGuardian, b.newGuardian, b.funder.address);
        const asked: number[] = [];
        const { value } = await withRefusedLogs((call) => {
          if (call.address === pauseGuardian.toLowerCase()) asked.push(call.from);
          return false;
        }, () => failedRun(b.file));
        expect(value.error).to.be.instanceOf(VerificationError);
        expect(asked[0]).to.be.greaterThan(b.guardianTx.blockNumber);
        expect(value.output).to.contain(
          `  FAILED   pauseGuardian.guardian: is ${b.funder.address}, not ${b.guardian.address}: its last AddressParameterUpdated(guardian) set ${b.newGuardian} ` +
            `at block ${b.guardianTx.blockNumber} (tx ${b.guardianTx.hash})\n`,
        );
      });

      it("fails, from the checkpoint, a changed value whose record misstates what the constructor set, naming the constructor's", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        const record = JSON.parse(fs.readFileSync(b.file, "utf8")) as { params: Record<string, unknown> };
        const tampered = tempFile("checkpoint-tampered-thawing.json", JSON.stringify({ ...record, params: { ...record.params, thawingPeriod: 5 } }));
        fs.rmSync(checkpointFile(tampered), { force: true });
        await failedRun(tampered);
        await mine(10);
        const staking = (await b.c.staking.getAddress()).toLowerCase();
        const asked: number[] = [];
        const { value } = await withRefusedLogs((call) => {
          if (call.address === staking) asked.push(call.from);
          return false;
        }, () => failedRun(tampered));
        const { error, output } = value;
        expect(error).to.be.instanceOf(VerificationError);
        // Past the deployment's block, whose logs the checkpoint keeps.
        expect(asked[0]).to.be.greaterThan(b.thawingTx.blockNumber);
        expect(output).to.match(
          new RegExp(`  FAILED   staking\\.thawingPeriod: is 172817 s \\(2d 17s\\), not 5 s \\(5s\\): the constructor set ${rx(secs(b.s.deployment.config.params.thawingPeriod))} \\(tx 0x[0-9a-f]{64}\\)\\n`),
        );
      });

      it("reads the setter logs from the deployment again when a reorg has replaced the checkpoint's block, finding a change in the new history", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        const before = await takeSnapshot();
        await mine(100);
        await task<VerifyView>(b.file, "deployment verify");
        // Another history of as many blocks, the first of which changes the minimum stake: the checkpoint's block is not in it.
        await before.restore();
        await mined(await b.c.staking.connect(b.timelock).setMinStakePerGpu(parseEther("3")));
        await mine(110);
        const { result, from } = await queriesOf(b.file, b.c.staking);
        expect(from).to.deep.equal([b.s.deployment.record.contracts.Staking.blockNumber]);
        expect([result.failed, result.changedByGovernance]).to.deep.equal([[], ["pauseGuardian.guardian", "staking.minStakePerGpu", "staking.thawingPeriod"]]);
      });

      it("asks for the receipts that tell the constructor's logs from governance's in a contract's block once: a second run asks for none", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        const first = await countingCalls("eth_getTransactionReceipt", () => task<VerifyView>(b.file, "deployment verify"));
        expect(first.calls, "the first run's receipts").to.be.greaterThan(0);
        await mine(10);
        const second = await countingCalls("eth_getTransactionReceipt", () => task<VerifyView>(b.file, "deployment verify"));
        expect(second.calls).to.equal(0);
        expect(second.value.result).to.deep.equal(first.value.result);
        expect(second.value.result.changedByGovernance).to.deep.equal(["pauseGuardian.guardian", "staking.thawingPeriod"]);
      });

      it("still names what the constructor set, with no receipt asked for, on a second run of a record that misstates it", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        const record = JSON.parse(fs.readFileSync(b.file, "utf8")) as { params: Record<string, unknown> };
        const tampered = tempFile("receipts-tampered-thawing.json", JSON.stringify({ ...record, params: { ...record.params, thawingPeriod: 5 } }));
        fs.rmSync(checkpointFile(tampered), { force: true });
        const first = await countingCalls("eth_getTransactionReceipt", () => failedRun(tampered));
        const second = await countingCalls("eth_getTransactionReceipt", () => failedRun(tampered));
        expect([first.calls > 0, second.calls]).to.deep.equal([true, 0]);
        expect(second.value.error).to.be.instanceOf(VerificationError);
        expect(second.value.output).to.equal(first.value.output).and.to.match(
          new RegExp(`  FAILED   staking\\.thawingPeriod: is 172817 s \\(2d 17s\\), not 5 s \\(5s\\): the constructor set ${rx(secs(b.s.deployment.config.params.thawingPeriod))} \\(tx 0x[0-9a-f]{64}\\)\\n`),
        );
      });

      it("reads the logs from the deployment again when the checkpoint is of an earlier version, and rewrites it", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        await task<VerifyView>(b.file, "deployment verify");
        const file = checkpointFile(b.file);
        const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { version: number };
        fs.writeFileSync(file, JSON.stringify({ ...saved, version: saved.version - 1 }));
        await mine(10);
        const { result, from } = await queriesOf(b.file, b.c.staking);
        expect([result.failed, from]).to.deep.equal([[], [b.s.deployment.record.contracts.Staking.blockNumber]]);
        expect((JSON.parse(fs.readFileSync(file, "utf8")) as { version: number }).version).to.equal(saved.version);
      });

      it("reads the setter logs from the deployment when the checkpoint is not one (unreadable)", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        fs.writeFileSync(checkpointFile(b.file), "{ not json");
        const { result, from } = await queriesOf(b.file, b.c.staking);
        expect([result.failed, from]).to.deep.equal([[], [b.s.deployment.record.contracts.Staking.blockNumber]]);
      });

      it("reads a contract's setter logs from the deployment when its part of the checkpoint is another contract's", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        await task<VerifyView>(b.file, "deployment verify");
        const file = checkpointFile(b.file);
        const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { streams: Record<string, { address: string }> };
        expect(saved.streams).to.have.property("Staking parameters");
        saved.streams["Staking parameters"]!.address = await b.c.registry.getAddress();
        fs.writeFileSync(file, JSON.stringify(saved));
        await mine(10);
        const { result, from } = await queriesOf(b.file, b.c.staking);
        expect([result.failed, from]).to.deep.equal([[], [b.s.deployment.record.contracts.Staking.blockNumber]]);
        const pauseGuardian = await queriesOf(b.file, b.c.pauseGuardian);
        expect(pauseGuardian.from[0], "another contract's part still read from the checkpoint").to.be.greaterThan(b.guardianTx.blockNumber);
      });

      it("notes once, and passes, when the checkpoint cannot be written beside the record", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        const dir = fs.mkdtempSync(path.join(DEPLOYMENT_DIR, "unwritable-"));
        const file = path.join(dir, "record.json");
        fs.copyFileSync(b.file, file);
        // A directory where the file should be takes no file, even for root (which a read-only mode does not stop).
        fs.mkdirSync(checkpointFile(file));
        const { result, output } = await task<VerifyView>(file, "deployment verify");
        expect([result.failed, result.changedByGovernance]).to.deep.equal([[], ["pauseGuardian.guardian", "staking.thawingPeriod"]]);
        expect(result.notes).to.have.length(1);
        expect(result.notes[0]).to.match(new RegExp(`^could not write the checkpoint ${checkpointFile(file)} \\(E[A-Z]+: [^)]+\\): the next run reads`));
        expect(output.split("\n").filter((line) => line.startsWith("note: "))).to.deep.equal([`note: ${result.notes[0]}`]);
      });

      it("notes nothing when the checkpoint is written", async function () {
        const b = await loadFixture(changedBeforeCheckpointFixture);
        const { result, output } = await task<VerifyView>(b.file, "deployment verify");
        expect(result.notes).to.deep.equal([]);
        expect(output).not.to.contain("note:");
        // Beside the record, as <network>.verify-checkpoint: not .json, so that no record lookup takes it for one.
        expect(path.basename(b.file)).to.match(/^deployment-\d+\.json$/);
        expect(checkpointFile(b.file)).to.equal(b.file.replace(/\.json$/, ".verify-checkpoint"));
        expect(fs.existsSync(checkpointFile(b.file))).to.equal(true);
      });
    });

    it("passes a proposer that a governance proposal granted after the deployment, naming the grant's block and transaction", async function () {
      const b = await loadFixture(proposerGrantedFixture);
      const { result, output } = await task<VerifyView>(b.file, "deployment verify");
      const name = `timelock proposer ${b.newProposer}`;
      expect([result.failed, result.changedByGovernance]).to.deep.equal([[], [name]]);
      expect(output).to.match(/^Deployment .* on network "hardhat": (\d+) of \1 checks passed \(1 changed by governance since\)\n/);
      expect(output).to.contain(`  changed  ${name}: granted to ${b.newProposer} by governance at block ${b.tx.blockNumber} (tx ${b.tx.hash})\n`);
      // The deployment's own roles are still checked as before.
      expect(output).to.contain("  ok       timelock proposer\n");
    });

    it("passes the governor's proposer role that governance revoked, naming the revocation", async function () {
      const b = await loadFixture(proposerRevokedFixture);
      const { result, output } = await task<VerifyView>(b.file, "deployment verify");
      expect([result.failed, result.changedByGovernance]).to.deep.equal([[], ["timelock proposer"]]);
      const governor = await b.c.governor.getAddress();
      expect(output).to.contain(`  changed  timelock proposer: revoked from ${governor} by governance at block ${b.tx.blockNumber} (tx ${b.tx.hash})\n`);
      expect(output).to.contain("  ok       timelock canceller\n");
    });

    it("fails a role granted by an account other than the timelock, even one that no longer holds the admin role", async function () {
      const b = await loadFixture(tasksBaseFixture);
      const timelock = b.c.timelock;
      const [admin, proposer] = [await timelock.DEFAULT_ADMIN_ROLE(), await timelock.PROPOSER_ROLE()];
      const deployer = await hre.ethers.getSigner(b.s.deployment.record.deployer);
      const outsider = (await hre.ethers.getSigners())[19]!.address;
      // The deployer as admin (as if it had kept the role), granting a proposer and then renouncing: the deployer's
      // own checks read as the deployment left them, and only the logs show the grant.
      await mined(await timelock.connect(b.timelock).grantRole(admin, deployer.address));
      const grant = await mined(await timelock.connect(deployer).grantRole(proposer, outsider));
      await mined(await timelock.connect(deployer).renounceRole(admin, deployer.address));
      await taskFails(
        b.file,
        "deployment verify",
        {},
        VerificationError,
        new RegExp(
          `: 1 of \\d+ checks failed: timelock proposer ${outsider}: granted by ${deployer.address} \\(not the timelock\\) ` +
            `at block ${grant.blockNumber} \\(tx ${grant.hash}\\)$`,
        ),
      );
    });

    it("fails a deployment role changed by an admin other than the timelock, beside one governance changed", async function () {
      const b = await loadFixture(tasksBaseFixture);
      const timelock = b.c.timelock;
      const governor = await b.c.governor.getAddress();
      // Governance makes the guardian an admin (explained); the guardian then revokes the governor's proposer role (not).
      const grant = await mined(await timelock.connect(b.timelock).grantRole(await timelock.DEFAULT_ADMIN_ROLE(), b.guardian.address));
      const revoke = await mined(await timelock.connect(b.guardian).revokeRole(await timelock.PROPOSER_ROLE(), governor));
      const printed: string[] = [];
      const restore = setOutputSink((text) => printed.push(text));
      const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: b.file }).catch((e: unknown) => e).finally(restore);
      expect(error).to.be.instanceOf(VerificationError);
      const why = `revoked by ${b.guardian.address} (not the timelock) at block ${revoke.blockNumber} (tx ${revoke.hash})`;
      expect((error as Error).message).to.match(/: 1 of \d+ checks failed: timelock proposer: /).and.to.contain(`timelock proposer: ${why}`);
      expect(printed.join("\n")).to.contain(`  FAILED   timelock proposer: ${why}\n`);
      expect(printed.join("\n")).to.contain(
        `  changed  guardian not admin: granted to ${b.guardian.address} by governance at block ${grant.blockNumber} (tx ${grant.hash})\n`,
      );
    });

    it("fails a role that a named account holds with no log granting it (written in storage)", async function () {
      const b = await loadFixture(tasksBaseFixture);
      const timelock = await b.c.timelock.getAddress();
      const proposer = await b.c.timelock.PROPOSER_ROLE();
      // AccessControl's _roles is slot 0: hasRole[account] of a role sits at keccak(account, keccak(role, 0)).
      const coder = hre.ethers.AbiCoder.defaultAbiCoder();
      const slot = (account: string) =>
        hre.ethers.keccak256(coder.encode(["address", "bytes32"], [account, hre.ethers.keccak256(coder.encode(["bytes32", "uint256"], [proposer, 0]))]));
      expect(await hre.ethers.provider.getStorage(timelock, slot(await b.c.governor.getAddress())), "the governor's proposer slot").to.equal(hre.ethers.toBeHex(1, 32));
      await setStorageAt(timelock, slot(b.guardian.address), 1);
      expect(await b.c.timelock.hasRole(proposer, b.guardian.address)).to.equal(true);
      const printed: string[] = [];
      const restore = setOutputSink((text) => printed.push(text));
      const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: b.file }).catch((e: unknown) => e).finally(restore);
      expect(error).to.be.instanceOf(VerificationError);
      expect((error as Error).message).to.match(/: 1 of \d+ checks failed: guardian not proposer: no RoleGranted log grants it$/);
      expect(printed.join("\n")).to.contain("  FAILED   guardian not proposer: no RoleGranted log grants it\n");
    });

    it("finds a governance change on a node that limits eth_getLogs to a few blocks, asking for smaller ranges", async function () {
      const b = await loadFixture(governanceChangedFixture);
      const { value, answered, refused } = await withRefusedLogs(({ blocks }) => blocks > 8, () => task<VerifyView>(b.file, "deployment verify"));
      expect(value.result.failed).to.deep.equal([]);
      expect(value.result.changedByGovernance).to.have.length(3);
      expect(refused).to.be.greaterThan(0);
      // Each of the three contracts' 45 and more blocks since the deployment, 8 at most at a time, and the mints' block.
      expect(answered).to.be.at.least(3 * 6 + 1);
    });

    it("fails naming eth_getLogs, the logs and the node's answer when the node refuses it even for one block", async function () {
      const b = await loadFixture(governanceChangedFixture);
      const pauseGuardian = (await b.c.pauseGuardian.getAddress()).toLowerCase();
      const refused = await withRefusedLogs(({ address }) => address === pauseGuardian, () => task(b.file, "deployment verify").catch((e: unknown) => e));
      expect(refused.value).to.be.instanceOf(ChainQueryError);
      expect((refused.value as Error).message).to.match(
        /^the node refused eth_getLogs for PauseGuardian's ParameterUpdated and AddressParameterUpdated in block \d+ \(asked for blocks \d+-\d+, down to one block at a time\): query exceeds max block range$/,
      );
      const timelock = (await b.c.timelock.getAddress()).toLowerCase();
      const roles = await withRefusedLogs(({ address }) => address === timelock, () => task(b.file, "deployment verify").catch((e: unknown) => e));
      expect(roles.value).to.be.instanceOf(ChainQueryError);
      expect((roles.value as Error).message).to.match(
        /^the node refused eth_getLogs for LatentTimelock's RoleGranted, RoleRevoked and MinDelayChange in block \d+ \(asked for blocks \d+-\d+, down to one block at a time\): query exceeds max block range$/,
      );
      const none = await withRefusedLogs(() => true, () => task(b.file, "deployment verify").catch((e: unknown) => e));
      expect(none.value).to.be.instanceOf(ChainQueryError);
      expect((none.value as Error).message).to.match(/^the node refused eth_getLogs for LatentToken's mints \(Transfer from address zero\) in block \d+: query exceeds max block range$/);
    });

    it("names the governor's setter logs when the node refuses them even for one block", async function () {
      const b = await loadFixture(settingsChangedFixture);
      const governor = (await b.c.governor.getAddress()).toLowerCase();
      const refused = await withRefusedLogs(({ address }) => address === governor, () => task(b.file, "deployment verify").catch((e: unknown) => e));
      expect(refused.value).to.be.instanceOf(ChainQueryError);
      expect((refused.value as Error).message).to.match(
        /^the node refused eth_getLogs for LatentGovernor's VotingDelaySet, VotingPeriodSet, ProposalThresholdSet and QuorumNumeratorUpdated in block \d+ \(asked for blocks \d+-\d+, down to one block at a time\): query exceeds max block range$/,
      );
    });

    it("runs with no account configured (a public RPC with no key): it signs nothing", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { result } = await withoutAccounts(() => task<VerifyView>(file, "deployment verify"));
      expect(result.failed).to.deep.equal([]);
    });

    it("on a record without genesisHash, allocations, guardian, arbitrator, supply, governance settings or protocol parameters, says which checks it could not run and passes the rest", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { genesisHash: _g, allocations: _a, guardian: _gu, arbitrator: _ar, totalSupply: _t, governance: _gov, params: _p, ...old } = JSON.parse(
        fs.readFileSync(file, "utf8"),
      ) as Record<string, unknown>;
      const { result, output } = await task<VerifyView>(tempFile("old-record.json", JSON.stringify(old)), "deployment verify");
      const settings = ["governor.votingDelay", "governor.votingPeriod", "governor.proposalThreshold", "governor.quorumNumerator", "timelock.getMinDelay"];
      expect([result.failed, result.notRun]).to.deep.equal([
        [],
        ["genesis block", "pauseGuardian.guardian", "disputeManager.arbitrator", ...settings, ...PARAMETERS, "token.mints", "token.totalSupply"],
      ]);
      expect(output).to.match(/checks passed, 24 not run\n/);
      expect(output).to.contain("  not run  jobEscrow.grace: the record has no protocol parameters\n");
      expect(output).to.contain("  not run  governor.votingPeriod: the record has no governance settings\n");
      expect(output).to.contain("  not run  genesis block: the record has no genesisHash\n");
      expect(output).to.contain("  not run  pauseGuardian.guardian: the record has no guardian\n");
      expect(output).to.contain("  not run  token.mints: the allocations are not recorded");
    });
  });
});
