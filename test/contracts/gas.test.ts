/**
 * Gas snapshot of every user operation, in two scenarios (no party has delegated votes / every party has) and at
 * two network sizes (1 and 1,000 existing providers, each with an accepted job). Gas is deterministic, so the
 * test compares with the committed snapshot exactly; `npm run gas:snapshot` (UPDATE_GAS_SNAPSHOT=1) rewrites it.
 * GAS_SNAPSHOT_FILE names another snapshot file, so that the command itself can be tested on a copy.
 *
 * Every measured transaction is mined at a fixed timestamp schedule and passes constant calldata (deadlines are
 * fixed dates), so nothing but the network's size differs between the two sizes. The only size-dependent bytes
 * are job ids in calldata (job 2 vs job 1002 costs 12 more gas per extra non-zero byte); the test therefore
 * asserts that the execution gas (gasUsed minus the calldata's intrinsic cost) is the same at both sizes.
 *
 * The snapshot also holds each contract's deployment gas and runtime code size, as deployed by deployLatent (in its
 * order, from the same fresh key, so the constructor arguments are the same every run). Both follow from the bytecode
 * that the project's solc settings produce, which ends with the hash of the contract's metadata (sources included):
 * any edit to a contract or to a file it imports, a comment too, changes that hash, and deployment gas with it when
 * one of its bytes becomes or stops being zero (12 gas each, as calldata), so such an edit may need a regeneration.
 */
import { expect } from "chai";
import hre, { ethers, network } from "hardhat";
import { setBalance, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import * as fs from "node:fs";
import * as path from "node:path";
import { Wallet, getBytes, id as keccakUtf8, parseEther, ZeroAddress } from "ethers";
import type { ContractTransactionResponse } from "ethers";
import {
  Ruling,
  Tier,
  bulkCreateJobs,
  bulkRegisterProviders,
  deployScenario,
  fund,
  signPermit,
  toSpec,
} from "../../scripts/scenario";
import type { JobOptions, Scenario } from "../../scripts/scenario";
import type { IJobEscrow } from "../../typechain-types/contracts/jobs/JobEscrow";
import { CONTRACT_NAMES } from "../../scripts/deploy";
import type { ContractName } from "../../scripts/deploy";
import { H100_LISTING, asAccount } from "../helpers/fixtures";

const SNAPSHOT_FILE = path.resolve(process.env.GAS_SNAPSHOT_FILE ?? path.join(__dirname, "gas-snapshot.json"));
const HARDFORK: string = "hardfork" in network.config ? String(network.config.hardfork) : "unknown";
const SIZES = [1, 1000] as const;
const SCENARIOS = ["undelegated", "delegated"] as const;
type Size = (typeof SIZES)[number];
type ScenarioName = (typeof SCENARIOS)[number];

interface Measurement {
  gasUsed: number;
  /** Intrinsic cost of the calldata (4 gas per zero byte, 16 per other byte). */
  calldataGas: number;
  /** SSTOREs: zero to non-zero, non-zero to another non-zero, non-zero to zero, and re-writes of a written slot. */
  sstore: { new: number; update: number; clear: number; rewrite: number };
}
type Measurements = Record<string, Measurement>;
interface Deployed {
  /** The deployment transaction's gas. */
  gasUsed: number;
  /** The code left at the contract's address. */
  runtimeBytes: number;
}
type Deployments = Record<ContractName, Deployed>;
type Snapshot = { hardfork: string; deployment: Deployments; scenarios: Record<ScenarioName, Record<`${Size}`, Measurements>> };

/** EIP-170: the largest runtime code a deployment may leave (24 KiB); a larger one fails to deploy. */
const EIP170_LIMIT = 24_576;

/** Targets from the issues, undelegated. */
const TARGETS: Record<string, number> = {
  "Staking.stake (returning)": 65_000,
  "ProviderRegistry.register": 140_000,
  "Staking.thaw (returning)": 80_000,
  "Staking.withdraw": 65_000,
  "JobEscrow.createJob": 160_000,
  "JobEscrow.acceptJob": 120_000,
  "JobEscrow.submitResult": 60_000,
  "JobEscrow.settle (returning provider)": 110_000,
  "JobEscrow.approveResult (returning provider)": 110_000,
  "JobEscrow.claimTimeout (slash)": 100_000,
  "DisputeManager.rule (upheld, slash)": 130_000,
};

/** The first measured transaction happens at T0; every later one at a fixed offset from it. */
const T0 = 2_000_000_000;
const DAY = 86_400;
const ACCEPT_DEADLINE = T0 + 20 * DAY;
const PERMIT_DEADLINE = BigInt(T0 + 25 * DAY);

function calldataGas(data: string): number {
  return getBytes(data).reduce((sum, b) => sum + (b === 0 ? 4 : 16), 0);
}

interface StructLog {
  op: string;
  gasCost: number;
  stack: string[];
}

async function sstores(hash: string): Promise<Measurement["sstore"]> {
  const trace = (await network.provider.send("debug_traceTransaction", [hash, { disableStorage: true, disableMemory: true }])) as {
    structLogs: StructLog[];
  };
  const out = { new: 0, update: 0, clear: 0, rewrite: 0 };
  for (const log of trace.structLogs) {
    if (log.op !== "SSTORE") continue;
    const value = BigInt(`0x${log.stack[log.stack.length - 2] ?? "0"}`);
    if (log.gasCost >= 20_000) out.new += 1;
    else if (log.gasCost >= 2_900 && value === 0n) out.clear += 1;
    else if (log.gasCost >= 2_900) out.update += 1;
    else out.rewrite += 1;
  }
  return out;
}

class Meter {
  readonly results: Measurements = {};
  private clock = T0;

  /** `calldata` receives each measured transaction's data under its name, for the comparison between sizes. */
  constructor(private readonly calldata: Record<string, string>) {}

  /** Mines `send()` at the next second of the schedule and records its gas under `name`. */
  async measure(name: string, send: () => Promise<ContractTransactionResponse>): Promise<void> {
    await this.at(this.clock + 1);
    const tx = await send();
    const receipt = await tx.wait();
    if (receipt === null || receipt.status !== 1) throw new Error(`${name} failed`);
    this.results[name] = { gasUsed: Number(receipt.gasUsed), calldataGas: calldataGas(tx.data), sstore: await sstores(tx.hash) };
    this.calldata[name] = tx.data;
  }

  /** Runs an unmeasured step at the next second of the schedule. */
  async step(send: () => Promise<ContractTransactionResponse>): Promise<void> {
    await this.at(this.clock + 1);
    await (await send()).wait();
  }

  /** Jumps the schedule forward to `timestamp`. */
  async jump(timestamp: number): Promise<void> {
    if (timestamp <= this.clock) throw new Error("the schedule only moves forward");
    this.clock = timestamp - 1;
  }

  private async at(timestamp: number): Promise<void> {
    this.clock = timestamp;
    await time.setNextBlockTimestamp(timestamp);
  }
}

interface World {
  s: Scenario;
  deployment: Deployments;
  restore: SnapshotRestorer;
}

/** Each contract's deployment gas and runtime size, read back from the chain after deployLatent. */
async function measureDeployment(s: Scenario): Promise<Deployments> {
  const out: Partial<Deployments> = {};
  for (const name of CONTRACT_NAMES) {
    const { address, blockNumber } = s.deployment.record.contracts[name];
    const block = await ethers.provider.getBlock(blockNumber);
    if (block === null) throw new Error(`${name}: block ${blockNumber} not found`);
    let gasUsed: number | undefined;
    for (const hash of block.transactions) {
      const receipt = await ethers.provider.getTransactionReceipt(hash);
      if (receipt?.contractAddress?.toLowerCase() === address.toLowerCase()) gasUsed = Number(receipt.gasUsed);
    }
    if (gasUsed === undefined) throw new Error(`${name}: no transaction in block ${blockNumber} created ${address}`);
    out[name] = { gasUsed, runtimeBytes: getBytes(await ethers.provider.getCode(address)).length };
  }
  return out as Deployments;
}

/**
 * A deployment with `size` bulk providers, each with one accepted job. The deployer is a fresh key, so the
 * contracts' addresses (which appear in calldata and permit signatures) do not depend on earlier tests.
 */
async function buildWorld(size: Size): Promise<World> {
  const deployer = new Wallet(keccakUtf8("latent-gas-snapshot-deployer"), ethers.provider);
  await setBalance(deployer.address, parseEther("100"));
  // Every completion counts (minTrackRecordCost 0), so settlements are measured on their dearer path, writing stats.
  const s = await deployScenario(await ethers.getSigners(), { deployer, params: { thawingPeriod: 3600, economic: { minTrackRecordCost: 0n } } });
  const deployment = await measureDeployment(s);
  const providers = await bulkRegisterProviders(s, { count: size, listingFor: () => H100_LISTING });
  await bulkCreateJobs(s, { count: size, acceptWith: providers, jobFor: () => ({ gpuModel: "h100-sxm-80gb", gpuCount: 1 }) });
  return { s, deployment, restore: await takeSnapshot() };
}

function terms(o: JobOptions & { acceptDeadline?: number }): IJobEscrow.JobTermsStruct {
  return {
    requirements: {
      gpuModel: `0x${Buffer.from("h100-sxm-80gb").toString("hex").padEnd(64, "0")}`,
      region: `0x${"00".repeat(16)}`,
      minVramGiB: 80,
      gpuCount: o.gpuCount ?? 4,
      tier: Tier.Enterprise,
      minCompletedJobs: o.minCompletedJobs ?? 0,
      minSlashRewardBps: o.minSlashRewardBps ?? 0,
    },
    maxPricePerGpuHour: parseEther("3"),
    maxDuration: 3600,
    acceptDeadline: o.acceptDeadline ?? ACCEPT_DEADLINE,
    targetProvider: o.targetProvider ?? ZeroAddress,
    specHash: keccakUtf8("ipfs://spec"),
  };
}

/** Runs every user operation once (twice where a first-time and a returning cost differ) and measures it. */
async function measureAll(s: Scenario, delegated: boolean, calldata: Record<string, string>): Promise<Measurements> {
  const { c, actors } = s;
  const signers = await ethers.getSigners();
  const provider = signers[6] as HardhatEthersSigner;
  const operator = signers[12] as HardhatEthersSigner;
  const client = signers[15] as HardhatEthersSigner;
  const other = signers[16] as HardhatEthersSigner;
  const arbitrator = actors.arbitrator as HardhatEthersSigner;
  const m = new Meter(calldata);
  await time.increaseTo(T0 - 100);

  await fund(s, [provider, client, other], parseEther("50000"));
  if (delegated) {
    for (const who of [provider, client, other, operator, arbitrator]) await c.token.connect(who).delegate(who.address);
    const treasury = await asAccount(await c.timelock.getAddress());
    await c.token.connect(treasury).delegate(treasury.address);
  }
  const staking = await c.staking.getAddress();
  const escrow = await c.jobEscrow.getAddress();
  const dm = await c.disputeManager.getAddress();
  const approve = (who: HardhatEthersSigner, spender: string, amount: bigint) => m.step(() => c.token.connect(who).approve(spender, amount));

  // Token
  await m.measure("LatentToken.transfer", () => c.token.connect(client).transfer(other.address, parseEther("1")));
  await m.measure("LatentToken.approve", () => c.token.connect(client).approve(other.address, parseEther("1")));

  // Staking and registry
  await approve(provider, staking, parseEther("1000"));
  await m.measure("Staking.stake (first)", () => c.staking.connect(provider).stake(parseEther("1000")));
  await approve(provider, staking, parseEther("9000"));
  await m.measure("Staking.stake (returning)", () => c.staking.connect(provider).stake(parseEther("9000")));
  const sig = await signPermit(s, provider, staking, parseEther("10"), PERMIT_DEADLINE);
  await m.measure("Staking.stakeWithPermit", () => c.staking.connect(provider).stakeWithPermit(parseEther("10"), PERMIT_DEADLINE, sig.v, sig.r, sig.s));
  await m.measure("ProviderRegistry.register", () =>
    c.registry.connect(provider).register(toSpec(H100_LISTING), H100_LISTING.gpuModel.name, H100_LISTING.metadataURI, operator.address),
  );
  await m.measure("ProviderRegistry.setOnline (operator)", () => c.registry.connect(operator).setOnline(provider.address, true));
  await m.measure("ProviderRegistry.setPrice", () => c.registry.connect(provider).setPrice(parseEther("2.5")));
  await m.measure("ProviderRegistry.update", () =>
    c.registry.connect(provider).update(toSpec(H100_LISTING), H100_LISTING.gpuModel.name, H100_LISTING.metadataURI),
  );
  await m.measure("Staking.thaw (first)", () => c.staking.connect(provider).thaw(parseEther("5")));
  await m.measure("Staking.thaw (returning)", () => c.staking.connect(provider).thaw(parseEther("5")));
  await m.jump(T0 + DAY);
  await m.measure("Staking.withdraw", () => c.staking.connect(provider).withdraw(1));

  // Jobs: ids are read back from the escrow, so the same code runs at both sizes.
  let nextId = (await c.jobEscrow.jobCount()) + 1n;
  const create = async (name: string | null, t: IJobEscrow.JobTermsStruct): Promise<bigint> => {
    const escrowed = (parseEther("3") * BigInt(t.requirements.gpuCount) * 3600n) / 3600n;
    await approve(client, escrow, escrowed);
    const send = () => c.jobEscrow.connect(client).createJob(t, "ipfs://spec");
    if (name === null) await m.step(send);
    else await m.measure(name, send);
    return nextId++;
  };
  const accept = (id: bigint, t: IJobEscrow.JobTermsStruct) => c.jobEscrow.connect(provider).acceptJob(id, provider.address, t);
  const submit = (id: bigint, by = provider) => c.jobEscrow.connect(by).submitResult(id, "ipfs://result", keccakUtf8("result"));

  const open = terms({});
  const j1 = await create("JobEscrow.createJob", open);
  await m.measure("JobEscrow.acceptJob", () => accept(j1, open));
  await m.measure("JobEscrow.submitResult", () => submit(j1));
  await m.measure("JobEscrow.approveResult (first completion)", () => c.jobEscrow.connect(client).approveResult(j1));

  const j2 = await create(null, open);
  await m.measure("JobEscrow.acceptJob (operator)", () => c.jobEscrow.connect(operator).acceptJob(j2, provider.address, open));
  await m.measure("JobEscrow.submitResult (operator)", () => submit(j2, operator));
  await m.measure("JobEscrow.approveResult (returning provider)", () => c.jobEscrow.connect(client).approveResult(j2));

  // A job that requires a slash reward cap, which only the provider's cap in Staking can meet.
  const capped = terms({ minSlashRewardBps: 5_000 });
  const j3 = await create(null, capped);
  await m.measure("JobEscrow.acceptJob (minSlashRewardBps)", () => accept(j3, capped));
  await m.step(() => submit(j3));
  const j4 = await create(null, open);
  await m.measure("JobEscrow.cancelJob", () => c.jobEscrow.connect(client).cancelJob(j4));
  const directed = terms({ targetProvider: provider.address });
  const j5 = await create(null, directed);
  await m.measure("JobEscrow.declineJob (operator)", () => c.jobEscrow.connect(operator).declineJob(j5));
  const permitTerms = terms({ gpuCount: 2 });
  const psig = await signPermit(s, client, escrow, parseEther("6"), PERMIT_DEADLINE);
  await m.measure("JobEscrow.createJobWithPermit", () =>
    c.jobEscrow.connect(client).createJobWithPermit(permitTerms, "ipfs://spec", PERMIT_DEADLINE, psig.v, psig.r, psig.s),
  );
  const j6 = nextId++;
  await m.step(() => accept(j6, permitTerms));

  // Disputes on three submitted jobs.
  const disputed: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    const id = await create(null, open);
    await m.step(() => accept(id, open));
    await m.step(() => submit(id));
    disputed.push(id);
  }
  const [d1, d2, d3, d4] = disputed as [bigint, bigint, bigint, bigint];
  await approve(client, dm, parseEther("400"));
  await m.measure("DisputeManager.openDispute", () => c.disputeManager.connect(client).openDispute(d1, "ipfs://evidence"));
  for (const id of [d2, d3]) await m.step(() => c.disputeManager.connect(client).openDispute(id, "ipfs://evidence"));
  const { disputeDeposit } = await c.jobEscrow.getParams(await c.jobEscrow.currentParamsId());
  const dsig = await signPermit(s, client, dm, disputeDeposit, PERMIT_DEADLINE);
  await m.measure("DisputeManager.openDisputeWithPermit", () =>
    c.disputeManager.connect(client).openDisputeWithPermit(d4, "ipfs://evidence", PERMIT_DEADLINE, dsig.v, dsig.r, dsig.s),
  );
  await m.measure("DisputeManager.answerDispute (operator)", () => c.disputeManager.connect(operator).answerDispute(d1, "ipfs://answer"));
  const [, collateral] = await c.staking.jobCollateral(d1);
  await m.measure("DisputeManager.rule (upheld, slash)", () => c.disputeManager.connect(arbitrator).rule(d1, Ruling.Upheld, collateral / 2n));
  await m.measure("DisputeManager.rule (rejected)", () => c.disputeManager.connect(arbitrator).rule(d2, Ruling.Rejected, 0));
  await m.measure("DisputeManager.rule (draw)", () => c.disputeManager.connect(arbitrator).rule(d3, Ruling.Draw, 0));

  // Time-driven endings, in schedule order.
  await m.jump(T0 + 3 * DAY);
  await m.measure("JobEscrow.settle (returning provider)", () => c.jobEscrow.connect(other).settle(j3));
  await m.measure("JobEscrow.claimTimeout (slash)", () => c.jobEscrow.connect(other).claimTimeout(j6));
  // The same settlement, given back by the provider before its deadline.
  const j8 = await create(null, open);
  await m.step(() => accept(j8, open));
  await m.measure("JobEscrow.abandonJob (slash)", () => c.jobEscrow.connect(provider).abandonJob(j8));
  const late = terms({ acceptDeadline: T0 + 8 * DAY });
  const j7 = await create(null, late);
  await m.jump(T0 + 9 * DAY);
  await m.measure("JobEscrow.expireJob", () => c.jobEscrow.connect(other).expireJob(j7));
  // The default dispute period (10 days) has ended for the dispute nobody ruled on.
  await m.jump(T0 + 12 * DAY);
  await m.measure("DisputeManager.closeExpired", () => c.disputeManager.connect(other).closeExpired(d4));
  await m.measure("ProviderRegistry.setOnline (offline)", () => c.registry.connect(provider).setOnline(provider.address, false));
  await m.measure("ProviderRegistry.deregister", () => c.registry.connect(provider).deregister());
  // Last, once none of the provider's collateral is locked (lowering is refused before), so no slash above is cut.
  await m.measure("Staking.setMaxSlashRewardBps (lower)", () => c.staking.connect(provider).setMaxSlashRewardBps(0));
  return m.results;
}

/** solidity-coverage instruments the contracts, which changes every gas figure. */
const COVERAGE = (hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;

describe("gas snapshot", function () {
  this.timeout(600_000);
  const measured = { undelegated: {}, delegated: {} } as Snapshot["scenarios"];
  const calldata = { undelegated: {}, delegated: {} } as Record<ScenarioName, Record<`${Size}`, Record<string, string>>>;
  let deployment = {} as Deployments;

  before(async function () {
    if (COVERAGE) this.skip();
    // Each world starts from the same empty chain, so both are measured from the same clock.
    const empty = await takeSnapshot();
    for (const size of SIZES) {
      await empty.restore();
      const world = await buildWorld(size);
      // Both worlds deploy from the same empty chain, before anything size-dependent happens.
      if (size === SIZES[0]) deployment = world.deployment;
      for (const scenario of SCENARIOS) {
        await world.restore.restore();
        calldata[scenario][`${size}`] = {};
        measured[scenario][`${size}`] = await measureAll(world.s, scenario === "delegated", calldata[scenario][`${size}`]);
      }
    }
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      const snapshot: Snapshot = { hardfork: HARDFORK, deployment, scenarios: measured };
      fs.writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(snapshot, null, 2)}\n`);
    }
  });

  it("matches the committed snapshot exactly", function () {
    const committed = JSON.parse(fs.readFileSync(SNAPSHOT_FILE, "utf8")) as Snapshot;
    expect(committed.hardfork).to.equal(HARDFORK);
    expect(measured, `gas differs from ${SNAPSHOT_FILE} (if intended, \`npm run gas:snapshot\` rewrites it)`).to.deep.equal(
      committed.scenarios,
    );
  });

  it("matches the committed deployment gas and runtime sizes exactly", function () {
    const committed = JSON.parse(fs.readFileSync(SNAPSHOT_FILE, "utf8")) as Snapshot;
    expect(
      deployment,
      `deployment gas or runtime size differs from ${SNAPSHOT_FILE} (if intended, \`npm run gas:snapshot\` rewrites it)`,
    ).to.deep.equal(committed.deployment);
  });

  it(`keeps every contract's runtime code within the EIP-170 limit (${EIP170_LIMIT.toLocaleString("en-US")} bytes)`, function () {
    const n = (x: number) => x.toLocaleString("en-US");
    const margins = Object.entries(deployment).map(([name, d]) => {
      const margin = EIP170_LIMIT - d.runtimeBytes;
      return `${name} ${n(d.runtimeBytes)} (${margin >= 0 ? `${n(margin)} to spare` : `${n(-margin)} OVER`})`;
    });
    const over = Object.entries(deployment).filter(([, d]) => d.runtimeBytes > EIP170_LIMIT).map(([name]) => name);
    expect(over, `runtime sizes in bytes against the EIP-170 limit of ${n(EIP170_LIMIT)}: ${margins.join(", ")}`).to.deep.equal([]);
  });

  for (const scenario of SCENARIOS) {
    it(`costs the same execution gas at 1 and 1,000 existing providers and jobs (${scenario})`, function () {
      const exec = (size: Size) =>
        Object.fromEntries(Object.entries(measured[scenario][`${size}`]).map(([op, x]) => [op, x.gasUsed - x.calldataGas]));
      expect(exec(1000)).to.deep.equal(exec(1));
    });

    it(`costs 12 gas more at 1,000 providers and jobs per extra non-zero calldata byte, and nothing else (${scenario})`, function () {
      const nonZero = (data: string) => getBytes(data).filter((b) => b !== 0).length;
      const extra = (f: (size: Size, op: string) => number) =>
        Object.fromEntries(Object.keys(measured[scenario]["1"]).map((op) => [op, f(1000, op) - f(1, op)]));
      const data = (size: Size, op: string) => calldata[scenario][`${size}`][op] ?? "0x";
      const gas = (size: Size, op: string) => measured[scenario][`${size}`][op]?.gasUsed ?? 0;
      // Same-length ABI words, so each extra non-zero byte replaces a zero one: 16 - 4 gas.
      expect(extra(gas)).to.deep.equal(extra((size, op) => 12 * nonZero(data(size, op))));
      // The job ids (2.. against 1,002..) are the only bytes that differ, one more non-zero byte at 1,000.
      expect(new Set(Object.values(extra((size, op) => nonZero(data(size, op)))))).to.deep.equal(new Set([0, 1]));
    });
  }

  it("meets the issues' targets, undelegated, at both sizes", function () {
    for (const size of SIZES) {
      for (const [op, target] of Object.entries(TARGETS)) {
        const m = measured.undelegated[`${size}`][op];
        expect(m, op).to.not.equal(undefined);
        expect(m!.gasUsed, `${op} at ${size}`).to.be.at.most(target);
      }
    }
  });
});
