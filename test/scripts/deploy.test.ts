import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { getCreateAddress, JsonRpcProvider, parseEther, ZeroAddress } from "ethers";
import type { BaseContract, Signer } from "ethers";
import {
  CONTRACT_NAMES,
  DEFAULT_GOVERNANCE,
  DEFAULT_PARAMS,
  DeployConfigError,
  DeploymentRecordError,
  GOVERNANCE_MAX_DURATION,
  GOVERNANCE_QUORUM_BOUNDS,
  maxProposalThreshold,
  PARAM_BOUNDS,
  attachLatent,
  checkGovernanceCanAct,
  checkGuardianChosen,
  checkRecordWritable,
  deployLatent,
  deployOptionsFromEnv,
  loadDeployment,
  parseAllocations,
  readDeploymentRecord,
  recordedParams,
  recordedRoles,
  verifyWiring,
  writeDeploymentRecord,
} from "../../scripts/deploy";
import type { DeploymentRecord, LatentContracts, LatentDeployment } from "../../scripts/deploy";
import {
  DisputeManager__factory,
  JobEscrow__factory,
  LatentGovernor__factory,
  LatentTimelock__factory,
  LatentToken__factory,
  PauseGuardian__factory,
  ProviderRegistry__factory,
  Staking__factory,
} from "../../typechain-types";
import { expectRejection } from "../helpers/rejects";
import { startHardhatNode } from "../helpers/hardhat-node";
import { withRefusedLogs } from "./tasks/helpers";
import type { LogsCall } from "./tasks/helpers";

/** A fresh copy of `d`'s contract `key`, constructed as deployLatent does but with `wrong` addresses by parameter name. */
async function deployWith(
  d: LatentDeployment,
  deployer: Signer,
  key: keyof LatentContracts,
  wrong: Record<string, string>,
): Promise<Partial<LatentContracts>> {
  const r = d.record.contracts;
  const { params, governance } = d.config;
  const arg = (name: string, right: string): string => wrong[name] ?? right;
  const timelock = r.LatentTimelock.address;
  switch (key) {
    case "pauseGuardian":
      return {
        pauseGuardian: await new PauseGuardian__factory(deployer).deploy(arg("governance", timelock), arg("guardian", d.config.guardian), params.pauseDuration),
      };
    case "registry":
      return {
        registry: await new ProviderRegistry__factory(deployer).deploy(
          arg("governance", timelock),
          arg("staking", r.Staking.address),
          arg("jobEscrow", r.JobEscrow.address),
          arg("pauseGuardian", r.PauseGuardian.address),
          params.maxGpusPerProvider,
        ),
      };
    case "staking":
      return {
        staking: await new Staking__factory(deployer).deploy(
          arg("governance", timelock),
          arg("token", r.LatentToken.address),
          arg("jobEscrow", r.JobEscrow.address),
          arg("pauseGuardian", r.PauseGuardian.address),
          arg("treasury", timelock),
          params.minStakePerGpu,
          params.thawingPeriod,
        ),
      };
    case "jobEscrow":
      return {
        jobEscrow: await new JobEscrow__factory(deployer).deploy(
          arg("governance", timelock),
          arg("token", r.LatentToken.address),
          arg("registry", r.ProviderRegistry.address),
          arg("staking", r.Staking.address),
          arg("disputeManager", r.DisputeManager.address),
          arg("pauseGuardian", r.PauseGuardian.address),
          { ...params.economic },
        ),
      };
    case "disputeManager":
      return {
        disputeManager: await new DisputeManager__factory(deployer).deploy(
          arg("governance", timelock),
          arg("token", r.LatentToken.address),
          arg("jobEscrow", r.JobEscrow.address),
          arg("registry", r.ProviderRegistry.address),
          arg("arbitrator", d.config.arbitrator),
        ),
      };
    case "governor":
      return {
        governor: await new LatentGovernor__factory(deployer).deploy(
          arg("token", r.LatentToken.address),
          arg("timelock", timelock),
          governance.votingDelay,
          governance.votingPeriod,
          governance.proposalThreshold,
          governance.quorumNumerator,
        ),
      };
    default:
      throw new Error(`no stored address of ${key} is checked by address`);
  }
}

describe("scripts/deploy", function () {
  async function deployedFixture() {
    const [deployer, other] = await ethers.getSigners();
    const nonce = await deployer!.getNonce();
    const d = await deployLatent({ deployer: deployer!, allocations: [{ to: other!.address, amount: parseEther("10") }] });
    return { d, deployer: deployer!, other: other!, nonce };
  }

  it("deploys each contract at the address predicted from the deployer's nonce, in order", async function () {
    const { d, deployer, nonce } = await loadFixture(deployedFixture);
    CONTRACT_NAMES.forEach((name, i) => {
      expect(d.record.contracts[name].address).to.equal(getCreateAddress({ from: deployer.address, nonce: nonce + i }));
    });
  });

  it("records the block of each deployment transaction", async function () {
    const { d } = await loadFixture(deployedFixture);
    for (const name of CONTRACT_NAMES) {
      const { address, blockNumber } = d.record.contracts[name];
      const code = await ethers.provider.getCode(address, blockNumber);
      const before = await ethers.provider.getCode(address, blockNumber - 1);
      expect([code !== "0x", before]).to.deep.equal([true, "0x"]);
    }
  });

  it("writes the record in the shape the subgraph reads", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-deploy-"));
    const file = writeDeploymentRecord(d.record, dir);
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord;
    expect(Object.keys(json)).to.deep.equal(["network", "chainId", "genesisHash", "deployer", "contracts", "allocations", "guardian", "arbitrator", "totalSupply", "governance", "params"]);
    expect([json.network, json.chainId, json.deployer]).to.deep.equal(["localhost", 31337, deployer.address]);
    expect(Object.keys(json.contracts).sort()).to.deep.equal([...CONTRACT_NAMES].sort());
    for (const name of CONTRACT_NAMES) expect(Object.keys(json.contracts[name])).to.deep.equal(["address", "blockNumber"]);
    expect(readDeploymentRecord("localhost", dir)).to.deep.equal(json);
  });

  it("records the chain's genesis block hash and the allocations, in wei as decimal strings", async function () {
    const { d, other } = await loadFixture(deployedFixture);
    expect(d.record.genesisHash).to.equal((await ethers.provider.getBlock(0))!.hash);
    expect(d.record.allocations).to.deep.equal([{ to: other.address, amount: parseEther("10").toString() }]);
  });

  it("records the guardian, arbitrator and supply it gave the contracts, the supply in wei as a decimal string", async function () {
    const { d } = await loadFixture(deployedFixture);
    expect([d.record.guardian, d.record.arbitrator, d.record.totalSupply]).to.deep.equal([ZeroAddress, d.record.contracts.LatentTimelock.address, d.config.totalSupply.toString()]);
    expect(recordedRoles(d.record, "x.json")).to.deep.equal({
      guardian: ZeroAddress,
      arbitrator: d.config.arbitrator,
      totalSupply: d.config.totalSupply,
      governance: d.config.governance,
    });
  });

  it("records the governor's and timelock's settings it deployed them with, the threshold in wei as a decimal string", async function () {
    const { d } = await loadFixture(deployedFixture);
    const g = d.config.governance;
    expect(d.record.governance).to.deep.equal({ ...g, proposalThreshold: g.proposalThreshold.toString() });
    const read = recordedRoles(JSON.parse(JSON.stringify(d.record)) as DeploymentRecord, "x.json").governance;
    expect(read).to.deep.equal(g);
  });

  it("records the protocol parameters it deployed the contracts with, the token amounts in wei as decimal strings, and reads them back", async function () {
    const { d } = await loadFixture(deployedFixture);
    const p = d.config.params;
    expect(d.record.params).to.deep.equal({
      ...p,
      minStakePerGpu: p.minStakePerGpu.toString(),
      economic: { ...p.economic, minTrackRecordCost: p.economic.minTrackRecordCost.toString(), disputeDeposit: p.economic.disputeDeposit.toString() },
    });
    expect(recordedParams(JSON.parse(JSON.stringify(d.record)) as DeploymentRecord, "x.json")).to.deep.equal(p);
  });

  it("loadDeployment reads the recorded allocations back, so verifyWiring passes on a loaded record", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const loaded = await loadDeployment(JSON.parse(JSON.stringify(d.record)) as DeploymentRecord, ethers.provider);
    expect(loaded.config.allocations).to.deep.equal(d.config.allocations);
    await verifyWiring(loaded.contracts, deployer.address, loaded.config, d.record.contracts.LatentToken.blockNumber);
  });

  it("loadDeployment loads a record written before the genesis hash and allocations were kept, with no allocations", async function () {
    const { d } = await loadFixture(deployedFixture);
    const old: DeploymentRecord = { network: d.record.network, chainId: d.record.chainId, deployer: d.record.deployer, contracts: d.record.contracts };
    expect((await loadDeployment(old, ethers.provider)).config.allocations).to.deep.equal([]);
  });

  it("loadDeployment refuses a malformed genesis hash or allocation with a DeploymentRecordError naming the file and field", async function () {
    const { d } = await loadFixture(deployedFixture);
    const refused = async (record: object): Promise<DeploymentRecordError> => {
      const error = await loadDeployment(record as DeploymentRecord, ethers.provider, "deployments/x.json").catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DeploymentRecordError);
      return error as DeploymentRecordError;
    };
    const badAmount = await refused({ ...d.record, allocations: [{ to: ZeroAddress, amount: "10 LAT" }] });
    expect([badAmount.file, badAmount.field]).to.deep.equal(["deployments/x.json", "allocations[0].amount"]);
    expect(badAmount.message).to.equal('deployment record deployments/x.json: allocations[0].amount is "10 LAT", not an amount in wei as a decimal string');
    expect((await refused({ ...d.record, allocations: [{ to: "0x12", amount: "1" }] })).field).to.equal("allocations[0].to");
    expect((await refused({ ...d.record, allocations: {} })).field).to.equal("allocations");
    expect((await refused({ ...d.record, genesisHash: 42 })).field).to.equal("genesisHash");
    expect((await refused({ ...d.record, guardian: "0x12" })).field).to.equal("guardian");
    expect((await refused({ ...d.record, arbitrator: 7 })).field).to.equal("arbitrator");
    expect((await refused({ ...d.record, totalSupply: "1e27" })).field).to.equal("totalSupply");
    expect((await refused({ ...d.record, governance: [] })).field).to.equal("governance");
    const governance = { ...d.record.governance };
    expect((await refused({ ...d.record, governance: { ...governance, votingPeriod: "60" } })).field).to.equal("governance.votingPeriod");
    expect((await refused({ ...d.record, governance: { ...governance, timelockDelay: undefined } })).field).to.equal("governance.timelockDelay");
    const threshold = await refused({ ...d.record, governance: { ...governance, proposalThreshold: 1000 } });
    expect(threshold.message).to.equal("deployment record deployments/x.json: governance.proposalThreshold is 1000, not an amount in wei as a decimal string");
  });

  it("loadDeployment refuses malformed protocol parameters with a DeploymentRecordError naming the file and field", async function () {
    const { d } = await loadFixture(deployedFixture);
    const params = d.record.params!;
    const field = async (record: object): Promise<string> => {
      const error = await loadDeployment(record as DeploymentRecord, ethers.provider, "deployments/x.json").catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DeploymentRecordError);
      return (error as DeploymentRecordError).field;
    };
    expect(await field({ ...d.record, params: 5 })).to.equal("params");
    expect(await field({ ...d.record, params: { ...params, thawingPeriod: "3600" } })).to.equal("params.thawingPeriod");
    expect(await field({ ...d.record, params: { ...params, minStakePerGpu: 100 } })).to.equal("params.minStakePerGpu");
    expect(await field({ ...d.record, params: { ...params, economic: undefined } })).to.equal("params.economic");
    expect(await field({ ...d.record, params: { ...params, economic: { ...params.economic, grace: -1 } } })).to.equal("params.economic.grace");
    expect(await field({ ...d.record, params: { ...params, economic: { ...params.economic, disputeDeposit: "1e20" } } })).to.equal("params.economic.disputeDeposit");
  });

  it("leaves the deployer no role and no token, and the arbitrator defaults to the timelock", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    await verifyWiring(d.contracts, deployer.address, d.config, d.record.contracts.LatentToken.blockNumber);
    expect(await d.contracts.disputeManager.arbitrator()).to.equal(d.record.contracts.LatentTimelock.address);
    expect(await d.contracts.pauseGuardian.guardian()).to.equal(ZeroAddress);
  });

  it("verifyWiring reads the mints from the token's deployment block alone, on a node that refuses eth_getLogs over more than one block", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const calls: LogsCall[] = [];
    const { refused } = await withRefusedLogs(
      (call) => {
        calls.push(call);
        return call.blocks > 1;
      },
      () => verifyWiring(d.contracts, deployer.address, d.config, d.record.contracts.LatentToken.blockNumber),
    );
    expect(refused).to.equal(0);
    expect(calls.map((call) => call.from)).to.deep.equal([d.record.contracts.LatentToken.blockNumber]);
  });

  it("verifyWiring names the mints and their block where the node refuses eth_getLogs even for one block", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const block = d.record.contracts.LatentToken.blockNumber;
    await withRefusedLogs(
      () => true,
      () =>
        expectRejection(
          verifyWiring(d.contracts, deployer.address, d.config, block),
          new RegExp(`^the node refused eth_getLogs for LatentToken's mints \\(Transfer from address zero\\) in block ${block}: query exceeds max block range`),
        ),
    );
  });

  it("verifyWiring fails for a deployer that an allocation names", async function () {
    const { d, other } = await loadFixture(deployedFixture);
    await expectRejection(verifyWiring(d.contracts, other.address, d.config, d.record.contracts.LatentToken.blockNumber), /deployer is allocated no LAT/);
  });

  it("verifyWiring reports every address getter of every contract (each immutable, the guardian, arbitrator and treasury) that differs, with both addresses", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const getters: [keyof LatentContracts, string][] = [];
    // State, not wiring: who started the last pause (zero until one starts).
    const state = new Set(["pauseGuardian.pausedBy"]);
    for (const [key, contract] of Object.entries(d.contracts) as [keyof LatentContracts, BaseContract][]) {
      contract.interface.forEachFunction((f) => {
        const address = f.constant && f.inputs.length === 0 && f.outputs.length === 1 && f.outputs[0]!.type === "address";
        if (address && !state.has(`${key}.${f.name}`)) getters.push([key, f.name]);
      });
    }
    expect(getters.map(([key, getter]) => `${key}.${getter}`)).to.include.members(["disputeManager.registry", "disputeManager.token"]);
    // Any non-zero address passes the constructors' checks, but the governor's bounds its threshold by its token's supply.
    const spare = await new LatentToken__factory(deployer).deploy(
      d.record.contracts.LatentTimelock.address,
      d.config.totalSupply,
      [],
      [],
      [ZeroAddress, ZeroAddress, ZeroAddress],
    );
    const wrong = await spare.getAddress();
    const unreported: string[] = [];
    for (const [key, getter] of getters) {
      const name = `${key}.${getter}`;
      // The deployment itself passes verifyWiring (tested above), so its own contracts hold the right addresses.
      const expected = String(await (d.contracts[key] as BaseContract).getFunction(getter).staticCall());
      const swapped = { ...d.contracts, ...(await deployWith(d, deployer, key, { [getter]: wrong })) };
      let message = "";
      try {
        await verifyWiring(swapped, deployer.address, d.config, d.record.contracts.LatentToken.blockNumber);
      } catch (error) {
        message = (error as Error).message;
      }
      if (!message.includes(`${name} is ${wrong}, not ${expected}`)) unreported.push(`${name}: ${message || "no error"}`);
    }
    expect(unreported).to.deep.equal([]);
  });

  /** verifyWiring's message for `d` with its timelock replaced by one constructed with these roles (and `roles`). */
  async function wiringError(
    d: LatentDeployment,
    deployer: Signer,
    timelock: { proposers: string[]; executors: string[]; admin: string } | null,
    roles: Partial<LatentDeployment["config"]> = {},
    adjust: (t: LatentContracts["timelock"]) => Promise<unknown> = async () => undefined,
    mintBlock: number = d.record.contracts.LatentToken.blockNumber,
  ): Promise<string> {
    let c = d.contracts;
    if (timelock !== null) {
      const t = await new LatentTimelock__factory(deployer).deploy(
        d.config.governance.timelockDelay,
        timelock.proposers,
        timelock.executors,
        timelock.admin,
      );
      await adjust(t);
      c = { ...c, timelock: t };
    }
    try {
      await verifyWiring(c, await deployer.getAddress(), { ...d.config, ...roles }, mintBlock);
    } catch (error) {
      return (error as Error).message;
    }
    return "no error";
  }

  it("verifyWiring fails when the deployer keeps the timelock's admin, proposer, canceller or executor role", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const governor = d.record.contracts.LatentGovernor.address;
    const message = await wiringError(d, deployer, {
      proposers: [governor, deployer.address],
      executors: [ZeroAddress, deployer.address],
      admin: deployer.address,
    });
    for (const role of ["admin", "proposer", "canceller", "executor"]) expect(message).to.contain(`deployer not ${role}`);
  });

  it("verifyWiring fails when the governor is not the timelock's proposer and canceller", async function () {
    const { d, deployer, other } = await loadFixture(deployedFixture);
    const message = await wiringError(d, deployer, { proposers: [other.address], executors: [ZeroAddress], admin: ZeroAddress });
    expect(message).to.match(/timelock proposer(,|$)/).and.to.match(/timelock canceller(,|$)/);
  });

  it("verifyWiring fails when the timelock's executor role is not open", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const governor = d.record.contracts.LatentGovernor.address;
    const message = await wiringError(d, deployer, { proposers: [governor], executors: [governor], admin: ZeroAddress });
    expect(message).to.contain("timelock open executor");
  });

  it("verifyWiring fails when the timelock does not administer itself", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const governor = d.record.contracts.LatentGovernor.address;
    const message = await wiringError(d, deployer, { proposers: [governor], executors: [ZeroAddress], admin: deployer.address }, {}, async (t) => {
      await (await t.revokeRole(await t.DEFAULT_ADMIN_ROLE(), await t.getAddress())).wait();
      await (await t.renounceRole(await t.DEFAULT_ADMIN_ROLE(), deployer.address)).wait();
    });
    expect(message).to.contain("timelock administers itself").and.not.to.contain("deployer not admin");
  });

  it("verifyWiring fails when the governor is the timelock's admin", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const governor = d.record.contracts.LatentGovernor.address;
    const message = await wiringError(d, deployer, { proposers: [governor], executors: [ZeroAddress], admin: governor });
    expect(message).to.contain("governor not admin");
  });

  it("verifyWiring fails when the configured guardian or arbitrator holds a timelock role", async function () {
    const { d, deployer, other } = await loadFixture(deployedFixture);
    const governor = d.record.contracts.LatentGovernor.address;
    const roles = { proposers: [governor, other.address], executors: [ZeroAddress], admin: ZeroAddress };
    expect(await wiringError(d, deployer, roles, { guardian: other.address })).to.contain("guardian not proposer, guardian not canceller");
    expect(await wiringError(d, deployer, roles, { arbitrator: other.address })).to.contain("arbitrator not proposer, arbitrator not canceller");
  });

  it("verifyWiring fails, with both lists, when the token's mints are not the allocations and the rest to the timelock", async function () {
    const { d, deployer, other } = await loadFixture(deployedFixture);
    const r = d.record.contracts;
    const supply = d.config.totalSupply;
    // The rest of the supply to another account than the timelock: the treasury the token has no getter for.
    const token = await new LatentToken__factory(deployer).deploy(other.address, supply, [], [], [r.Staking.address, r.JobEscrow.address, r.DisputeManager.address]);
    const mintBlock = (await token.deploymentTransaction()!.wait())!.blockNumber;
    const message = await wiringError({ ...d, contracts: { ...d.contracts, token } }, deployer, null, {}, undefined, mintBlock);
    const rest = supply - parseEther("10");
    expect(message).to.contain(`token.mints is ${supply} to ${other.address}, not ${parseEther("10")} to ${other.address}; ${rest} to ${r.LatentTimelock.address}`);
  });

  it("verifyWiring fails, with both figures, when the token's supply is not the configured one", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const supply = d.config.totalSupply;
    const message = await wiringError(d, deployer, null, { totalSupply: supply + 1n });
    expect(message).to.contain(`token.totalSupply is ${supply}, not ${supply + 1n}`);
  });

  it("verifyWiring fails, with both figures, when a governor or timelock setting is not the configured one", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const g = d.config.governance;
    const governance = { ...g, votingDelay: g.votingDelay + 1, votingPeriod: g.votingPeriod + 2, proposalThreshold: g.proposalThreshold + 3n, quorumNumerator: g.quorumNumerator + 4, timelockDelay: g.timelockDelay + 5 };
    const message = await wiringError(d, deployer, null, { governance });
    expect(message).to.contain(
      `governor.votingDelay is ${g.votingDelay}, not ${governance.votingDelay}, governor.votingPeriod is ${g.votingPeriod}, not ${governance.votingPeriod}, ` +
        `governor.proposalThreshold is ${g.proposalThreshold}, not ${governance.proposalThreshold}, governor.quorumNumerator is ${g.quorumNumerator}, ` +
        `not ${governance.quorumNumerator}, timelock.getMinDelay is ${g.timelockDelay}, not ${governance.timelockDelay}`,
    );
  });

  it("verifyWiring fails, with both figures, when a protocol parameter is not the configured one", async function () {
    const { d, deployer } = await loadFixture(deployedFixture);
    const p = d.config.params;
    const params = { ...p, pauseDuration: p.pauseDuration + 1, economic: { ...p.economic, disputeDeposit: p.economic.disputeDeposit + 2n } };
    const message = await wiringError(d, deployer, null, { params });
    expect(message).to.contain(`pauseGuardian.pauseDuration is ${p.pauseDuration}, not ${params.pauseDuration}, `);
    expect(message).to.contain(`jobEscrow.disputeDeposit is ${p.economic.disputeDeposit}, not ${params.economic.disputeDeposit}`);
  });

  it("attaches typed contracts to a record", async function () {
    const { d, other } = await loadFixture(deployedFixture);
    const c = attachLatent(d.record, other);
    expect(await c.token.balanceOf(other.address)).to.equal(parseEther("10"));
    expect(await c.staking.minStakePerGpu()).to.equal(DEFAULT_PARAMS.minStakePerGpu);
  });

  it("deploys with the defaults of the README's parameter table", async function () {
    const { d } = await loadFixture(deployedFixture);
    const day = 86_400;
    const loaded = await loadDeployment(d.record, ethers.provider);
    expect(loaded.config.params).to.deep.equal({
      minStakePerGpu: parseEther("100"),
      thawingPeriod: 7 * day,
      maxGpusPerProvider: 64,
      pauseDuration: 3 * day,
      economic: {
        protocolFeeBps: 250,
        collateralRatioBps: 5_000,
        timeoutSlashBps: 2_000,
        maxSlashingCutBps: 5_000,
        disputeRewardBps: 5_000,
        challengeWindow: day,
        grace: 15 * 60,
        disputePeriod: 10 * day,
        minTrackRecordCost: parseEther("10"),
        disputeDeposit: parseEther("100"),
      },
    });
  });

  it("deploys with the README's default governance: a day's delay, five days' vote, a 2-day timelock (8 days), 100,000 LAT (0.01%), 4%", async function () {
    const { d } = await loadFixture(deployedFixture);
    const { governor, timelock, token } = d.contracts;
    const day = 86_400n;
    const read = await Promise.all([governor.votingDelay(), governor.votingPeriod(), timelock.getMinDelay(), governor.proposalThreshold(), governor["quorumNumerator()"]()]);
    expect(read).to.deep.equal([day, 5n * day, 2n * day, parseEther("100000"), 4n]);
    expect(read[0] + read[1] + read[2]).to.equal(8n * day);
    expect((read[3] * 10_000n) / (await token.totalSupply())).to.equal(1n); // 1 bps
  });

  it("has the bounds of the README's parameter table (which the contracts enforce, as the next test checks)", function () {
    const day = 86_400;
    const hour = 3_600;
    expect(PARAM_BOUNDS).to.deep.equal({
      minStakePerGpu: [parseEther("1"), parseEther("1000000")],
      thawingPeriod: [hour, 90 * day],
      maxGpusPerProvider: [1, 1024],
      pauseDuration: [hour, 14 * day],
      protocolFeeBps: [0, 1_000],
      collateralRatioBps: [1_000, 30_000],
      timeoutSlashBps: [500, 10_000],
      maxSlashingCutBps: [1_000, 10_000],
      disputeRewardBps: [0, 10_000],
      challengeWindow: [10 * 60, 7 * day],
      grace: [60, day],
      disputePeriod: [hour, 14 * day],
      minTrackRecordCost: [0n, parseEther("10000")],
      disputeDeposit: [parseEther("1"), parseEther("1000000")],
    });
  });

  it("mirrors the contracts' parameter bounds", async function () {
    const { d } = await loadFixture(deployedFixture);
    const { staking, registry, pauseGuardian, jobEscrow: e } = d.contracts;
    const onChain: Record<keyof typeof PARAM_BOUNDS, [bigint, bigint]> = {
      minStakePerGpu: [await staking.MIN_MIN_STAKE_PER_GPU(), await staking.MAX_MIN_STAKE_PER_GPU()],
      thawingPeriod: [await staking.MIN_THAWING_PERIOD(), await staking.MAX_THAWING_PERIOD()],
      maxGpusPerProvider: [1n, await registry.MAX_GPUS_PER_PROVIDER_LIMIT()],
      pauseDuration: [await pauseGuardian.MIN_PAUSE_DURATION(), await pauseGuardian.MAX_PAUSE_DURATION()],
      protocolFeeBps: [0n, await e.MAX_PROTOCOL_FEE_BPS()],
      collateralRatioBps: [await e.MIN_COLLATERAL_RATIO_BPS(), await e.MAX_COLLATERAL_RATIO_BPS()],
      timeoutSlashBps: [await e.MIN_TIMEOUT_SLASH_BPS(), await e.MAX_TIMEOUT_SLASH_BPS()],
      maxSlashingCutBps: [await e.MIN_MAX_SLASHING_CUT_BPS(), await e.MAX_MAX_SLASHING_CUT_BPS()],
      disputeRewardBps: [0n, await e.MAX_DISPUTE_REWARD_BPS()],
      challengeWindow: [await e.MIN_CHALLENGE_WINDOW(), await e.MAX_CHALLENGE_WINDOW()],
      grace: [await e.MIN_GRACE(), await e.MAX_GRACE()],
      disputePeriod: [await e.MIN_DISPUTE_PERIOD(), await e.MAX_DISPUTE_PERIOD()],
      disputeDeposit: [await e.MIN_DISPUTE_DEPOSIT(), await e.MAX_DISPUTE_DEPOSIT()],
      minTrackRecordCost: [0n, await e.MAX_MIN_TRACK_RECORD_COST()],
    };
    for (const [name, [min, max]] of Object.entries(PARAM_BOUNDS)) {
      expect([BigInt(min), BigInt(max)], name).to.deep.equal(onChain[name as keyof typeof PARAM_BOUNDS]);
    }
  });

  it("mirrors the governor's and timelock's longest durations", async function () {
    const { d } = await loadFixture(deployedFixture);
    expect(await d.contracts.governor.MAX_VOTING_DELAY()).to.equal(GOVERNANCE_MAX_DURATION);
    expect(await d.contracts.governor.MAX_VOTING_PERIOD()).to.equal(GOVERNANCE_MAX_DURATION);
    expect(await d.contracts.timelock.MAX_DELAY()).to.equal(GOVERNANCE_MAX_DURATION);
  });

  it("mirrors the governor's quorum and proposal threshold bounds", async function () {
    const { d } = await loadFixture(deployedFixture);
    const governor = d.contracts.governor;
    expect([await governor.MIN_QUORUM_NUMERATOR(), await governor.MAX_QUORUM_NUMERATOR()]).to.deep.equal(GOVERNANCE_QUORUM_BOUNDS.map(BigInt));
    expect(await governor.maxProposalThreshold()).to.equal(maxProposalThreshold(await d.contracts.token.totalSupply()));
  });

  it("refuses a quorum or proposal threshold outside the governor's bounds before sending anything", async function () {
    const { deployer } = await loadFixture(deployedFixture);
    const nonce = await deployer.getNonce();
    await expectRejection(deployLatent({ deployer, governance: { quorumNumerator: 51 } }), /^quorumNumerator 51 is not a whole percentage within \[1, 50\]/, DeployConfigError);
    await expectRejection(deployLatent({ deployer, governance: { quorumNumerator: 0 } }), /^quorumNumerator 0 /, DeployConfigError);
    await expectRejection(
      deployLatent({ deployer, totalSupply: parseEther("1000"), governance: { proposalThreshold: parseEther("10") + 1n } }),
      /^proposalThreshold 10000000000000000001 is outside \[0, 10000000000000000000\]/,
      DeployConfigError,
    );
    expect(await deployer.getNonce()).to.equal(nonce);
  });

  it("refuses a governance duration above the contracts' bound before sending anything", async function () {
    const { deployer } = await loadFixture(deployedFixture);
    const nonce = await deployer.getNonce();
    await expectRejection(
      deployLatent({ deployer, governance: { timelockDelay: GOVERNANCE_MAX_DURATION + 1 } }),
      /timelockDelay/,
      DeployConfigError,
    );
    expect(await deployer.getNonce()).to.equal(nonce);
  });

  it("refuses a dispute period that ends before governance, the default arbitrator, can pass a ruling", async function () {
    const { deployer } = await loadFixture(deployedFixture);
    const nonce = await deployer.getNonce();
    // Production governance takes 1 + 5 + 2 = 8 days to pass a proposal.
    await expectRejection(
      deployLatent({ deployer, params: { economic: { disputePeriod: 8 * 86_400 } } }),
      /the timelock arbitrates disputes, but a proposal takes 691200 seconds .* disputePeriod = 691200 seconds/,
      DeployConfigError,
    );
    expect(await deployer.getNonce()).to.equal(nonce);
  });

  it("accepts a short dispute period when another account arbitrates", async function () {
    const { deployer, other } = await loadFixture(deployedFixture);
    const d = await deployLatent({ deployer, arbitrator: other.address, params: { economic: { disputePeriod: 86_400 } } });
    expect(await d.contracts.disputeManager.arbitrator()).to.equal(other.address);
    const escrow = d.contracts.jobEscrow;
    expect((await escrow.getParams(await escrow.currentParamsId())).disputePeriod).to.equal(86_400n);
  });

  it("refuses an arbitrator that is one of the contracts it deploys, which cannot rule, before sending anything", async function () {
    const { deployer } = await loadFixture(deployedFixture);
    const nonce = await deployer.getNonce();
    for (const name of ["LatentToken", "PauseGuardian", "ProviderRegistry", "Staking", "JobEscrow", "DisputeManager"] as const) {
      const arbitrator = getCreateAddress({ from: deployer.address, nonce: nonce + CONTRACT_NAMES.indexOf(name) });
      await expectRejection(
        deployLatent({ deployer, arbitrator }),
        new RegExp(`^the arbitrator ${arbitrator} is the ${name} this deployment creates, which cannot rule disputes`),
        DeployConfigError,
      );
    }
    expect(await deployer.getNonce()).to.equal(nonce);
  });

  it("refuses an out-of-bounds parameter before sending anything", async function () {
    const { deployer } = await loadFixture(deployedFixture);
    const nonce = await deployer.getNonce();
    await expectRejection(deployLatent({ deployer, params: { economic: { protocolFeeBps: 1001 } } }), /protocolFeeBps/, DeployConfigError);
    expect(await deployer.getNonce()).to.equal(nonce);
  });

  it("refuses an allocation to the deployer", async function () {
    const { deployer } = await loadFixture(deployedFixture);
    await expectRejection(deployLatent({ deployer, allocations: [{ to: deployer.address, amount: 1n }] }), /deployer/, DeployConfigError);
  });

  it("refuses allocations above the supply", async function () {
    const { deployer, other } = await loadFixture(deployedFixture);
    await expectRejection(deployLatent({ deployer, totalSupply: 5n, allocations: [{ to: other.address, amount: 6n }] }), /exceed/, DeployConfigError);
  });

  it("refuses a guardian, arbitrator or recipient that is not an address before sending anything", async function () {
    const { deployer, other } = await loadFixture(deployedFixture);
    const nonce = await deployer.getNonce();
    await expectRejection(deployLatent({ deployer, guardian: "0x1234" }), /^the guardian "0x1234" is not an address/, DeployConfigError);
    await expectRejection(deployLatent({ deployer, arbitrator: "arbiter.eth" }), /^the arbitrator "arbiter\.eth" is not an address/, DeployConfigError);
    // One letter's case flipped: a mixed-case address whose checksum fails (a typo ethers would refuse mid-deployment).
    const i = other.address.slice(2).search(/[a-fA-F]/) + 2;
    const flipped = other.address[i] === other.address[i]!.toLowerCase() ? other.address[i]!.toUpperCase() : other.address[i]!.toLowerCase();
    const badChecksum = `${other.address.slice(0, i)}${flipped}${other.address.slice(i + 1)}`;
    await expectRejection(deployLatent({ deployer, allocations: [{ to: badChecksum, amount: 1n }] }), /^allocation 0's recipient/, DeployConfigError);
    expect(await deployer.getNonce()).to.equal(nonce);
    expect(() => deployOptionsFromEnv({ LATENT_GUARDIAN: "0x1234" })).to.throw(DeployConfigError, /^LATENT_GUARDIAN "0x1234" is not an address/);
    expect(() => deployOptionsFromEnv({ LATENT_ARBITRATOR: "council.eth" })).to.throw(DeployConfigError, /^LATENT_ARBITRATOR "council\.eth"/);
    expect(() => parseAllocations("0x1234:5")).to.throw(DeployConfigError, /^LATENT_ALLOCATIONS: "0x1234" in "0x1234:5" is not an address/);
    expect(() => parseAllocations("0x0000000000000000000000000000000000000001:lots")).to.throw(DeployConfigError, /^LATENT_ALLOCATIONS: "lots" .* is not a LAT amount/);
  });

  it("refuses LATENT_GUARDIAN or LATENT_ARBITRATOR set to the zero address, naming the variable, its value and LATENT_GUARDIAN=none", function () {
    expect(() => deployOptionsFromEnv({ LATENT_GUARDIAN: ZeroAddress })).to.throw(
      DeployConfigError,
      `LATENT_GUARDIAN "${ZeroAddress}" is the zero address: set LATENT_GUARDIAN=none for no guardian (then only governance can pause), or the guardian's address`,
    );
    expect(() => deployOptionsFromEnv({ LATENT_ARBITRATOR: ZeroAddress })).to.throw(DeployConfigError, new RegExp(`^LATENT_ARBITRATOR "${ZeroAddress}" is the zero address`));
  });

  it("refuses a LATENT_GUARDIAN that is neither an address nor none, naming none", function () {
    expect(() => deployOptionsFromEnv({ LATENT_GUARDIAN: "None" })).to.throw(
      DeployConfigError,
      'LATENT_GUARDIAN "None" is not an address (0x and 40 hex digits, with a valid checksum if mixed-case), nor none for no guardian',
    );
  });

  it("parses LATENT_ALLOCATIONS", function () {
    expect(parseAllocations("0x0000000000000000000000000000000000000001:1.5, 0x0000000000000000000000000000000000000002:2")).to.deep.equal([
      { to: "0x0000000000000000000000000000000000000001", amount: parseEther("1.5") },
      { to: "0x0000000000000000000000000000000000000002", amount: parseEther("2") },
    ]);
    expect(parseAllocations(undefined)).to.deep.equal([]);
    expect(() => parseAllocations("nonsense")).to.throw(DeployConfigError);
  });

  it("reads the guardian, arbitrator, allocations and devnet timings from the CLI's environment", function () {
    const guardian = "0x0000000000000000000000000000000000000001";
    const arbitrator = "0x0000000000000000000000000000000000000002";
    expect(
      deployOptionsFromEnv({ LATENT_GUARDIAN: guardian, LATENT_ARBITRATOR: arbitrator, LATENT_ALLOCATIONS: `${guardian}:3`, LATENT_DEVNET: "1" }),
    ).to.deep.equal({
      guardian,
      arbitrator,
      allocations: [{ to: guardian, amount: parseEther("3") }],
      governance: { votingDelay: 10, votingPeriod: 60, proposalThreshold: parseEther("1000"), quorumNumerator: 4, timelockDelay: 60 },
      params: { thawingPeriod: 3600 },
    });
    expect(deployOptionsFromEnv({})).to.deep.equal({ guardian: undefined, arbitrator: undefined, allocations: [], governance: undefined, params: undefined });
  });

  it("refuses, on a network other than hardhat or localhost, allocations too small to reach a proposal's quorum, naming the amount needed", function () {
    const to = "0x0000000000000000000000000000000000000001";
    expect(() => checkGovernanceCanAct("remote", { allocations: [{ to, amount: parseEther("1000000") }] })).to.throw(
      DeployConfigError,
      /^LATENT_ALLOCATIONS gives out 1000000 LAT, less than the 40000000 LAT governance needs \(a proposal's quorum is 4% of the 1000000000 LAT supply; making one takes 100000 LAT of votes\).* on network "remote"\. Allocate at least 40000000 LAT/,
    );
    expect(() => checkGovernanceCanAct("remote", { allocations: [] })).to.throw(DeployConfigError, /^LATENT_ALLOCATIONS gives out 0 LAT/);
    // The threshold counts where it is the larger: a 10-LAT supply's 4% quorum is below a 1-LAT threshold.
    expect(() =>
      checkGovernanceCanAct("sepolia", {
        totalSupply: parseEther("10"),
        governance: { ...DEFAULT_GOVERNANCE, proposalThreshold: parseEther("1") },
        allocations: [{ to, amount: parseEther("0.5") }],
      }),
    ).to.throw(DeployConfigError, /less than the 1 LAT governance needs/);
  });

  it("refuses, on a network other than hardhat or localhost, an unset LATENT_GUARDIAN, naming LATENT_GUARDIAN=none", function () {
    expect(() => checkGuardianChosen("remote", {})).to.throw(
      DeployConfigError,
      /^LATENT_GUARDIAN is not set on network "remote": set it to the pause guardian's address, or to LATENT_GUARDIAN=none for no guardian/,
    );
  });

  it("accepts LATENT_GUARDIAN=none as no guardian (the zero address) anywhere, and an unset one on hardhat or localhost", function () {
    expect(() => checkGuardianChosen("remote", { LATENT_GUARDIAN: "none" })).not.to.throw();
    expect(deployOptionsFromEnv({ LATENT_GUARDIAN: "none" }).guardian).to.equal(ZeroAddress);
    expect(() => checkGuardianChosen("hardhat", {})).not.to.throw();
    expect(() => checkGuardianChosen("localhost", {})).not.to.throw();
  });

  it("checks, before deploying, that the deployments directory can take the record: made where missing, refused behind a file", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-record-dir-"));
    checkRecordWritable(path.join(dir, "a", "b"));
    expect(fs.statSync(path.join(dir, "a", "b")).isDirectory()).to.equal(true);
    fs.writeFileSync(path.join(dir, "file"), "");
    expect(() => checkRecordWritable(path.join(dir, "file", "records"))).to.throw(
      DeployConfigError,
      `the deployment record cannot be written to ${path.join(dir, "file", "records")} (${path.join(dir, "file")} is a file, not a directory)`,
    );
  });

  it("accepts allocations that reach the quorum, and any allocations on hardhat or localhost", function () {
    const to = "0x0000000000000000000000000000000000000001";
    expect(() => checkGovernanceCanAct("remote", { allocations: [{ to, amount: parseEther("40000000") }] })).not.to.throw();
    expect(() => checkGovernanceCanAct("hardhat", { allocations: [] })).not.to.throw();
    expect(() => checkGovernanceCanAct("localhost", { allocations: [] })).not.to.throw();
  });

  describe("as a CLI on a remote network (RPC_URL)", function () {
    const root = path.join(__dirname, "..", "..");
    // Nothing listens there: a refusal must come before the deployment asks the node anything.
    let closedUrl: string;
    before(async function () {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as net.AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      closedUrl = `http://127.0.0.1:${port}`;
    });

    async function deployCli(env: NodeJS.ProcessEnv, dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-cli-"))): Promise<{ code: number; stderr: string }> {
      const clean = { ...process.env };
      for (const name of ["DEPLOYER_PRIVATE_KEY", "LATENT_ALLOCATIONS", "LATENT_GUARDIAN", "LATENT_ARBITRATOR", "LATENT_DEVNET"]) delete clean[name];
      try {
        await promisify(execFile)(path.join(root, "node_modules", ".bin", "hardhat"), ["run", "scripts/deploy.ts", "--network", "remote"], {
          cwd: root,
          env: { ...clean, LATENT_DEPLOYMENTS_DIR: dir, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", RPC_URL: closedUrl, ...env },
        });
        return { code: 0, stderr: "" };
      } catch (error) {
        const failed = error as { code: number; stderr: string };
        return { code: failed.code, stderr: failed.stderr };
      }
    }

    it("refuses allocations below the quorum in one line, exit 1, before sending a transaction", async function () {
      const { code, stderr } = await deployCli({
        DEPLOYER_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        LATENT_ALLOCATIONS: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC:1000000",
      });
      expect(code).to.equal(1);
      expect(stderr.trim()).to.match(/^deploy: LATENT_ALLOCATIONS gives out 1000000 LAT, less than the 40000000 LAT governance needs [^\n]*$/);
    });

    it("refuses, in one line, exit 1, to replace a record already in the deployments directory, leaving it as it was", async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-cli-"));
      const file = path.join(dir, "remote.json");
      fs.writeFileSync(file, '{"network": "remote", "chainId": 4242, "contracts": {}}\n');
      const { code, stderr } = await deployCli(
        {
          DEPLOYER_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          LATENT_ALLOCATIONS: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC:40000000",
        },
        dir,
      );
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal(
        `deploy: ${file} already holds a deployment on network "remote", which this one's record would replace: move it away to deploy again, or set LATENT_DEPLOYMENTS_DIR to write the record elsewhere`,
      );
      expect(fs.readFileSync(file, "utf8")).to.equal('{"network": "remote", "chainId": 4242, "contracts": {}}\n');
    });

    it("refuses, in one line, exit 1, before sending a transaction, a deployments directory that cannot be made (/proc/x, where Node's recursive mkdir never returns)", async function () {
      const { code, stderr } = await deployCli(
        {
          DEPLOYER_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          LATENT_ALLOCATIONS: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC:40000000",
          LATENT_GUARDIAN: "none",
        },
        "/proc/latent-deployments",
      );
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal(
        "deploy: the deployment record cannot be written to /proc/latent-deployments (cannot be created there: ENOENT): set LATENT_DEPLOYMENTS_DIR to a directory this user can write",
      );
    });

    it("refuses an unset LATENT_GUARDIAN in one line, exit 1, before sending a transaction", async function () {
      const { code, stderr } = await deployCli({
        DEPLOYER_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        LATENT_ALLOCATIONS: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC:40000000",
      });
      expect(code).to.equal(1);
      expect(stderr.trim()).to.match(/^deploy: LATENT_GUARDIAN is not set on network "remote": [^\n]*LATENT_GUARDIAN=none[^\n]*$/);
    });

    for (const [value, message] of [
      [ZeroAddress, `LATENT_GUARDIAN "${ZeroAddress}" is the zero address: set LATENT_GUARDIAN=none for no guardian`],
      ["0xabc", 'LATENT_GUARDIAN "0xabc" is not an address'],
    ]) {
      it(`refuses LATENT_GUARDIAN=${value} in one line naming it, exit 1, before sending a transaction`, async function () {
        const { code, stderr } = await deployCli({
          DEPLOYER_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          LATENT_ALLOCATIONS: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC:40000000",
          LATENT_GUARDIAN: value,
        });
        expect(code).to.equal(1);
        expect(stderr.trim()).to.match(new RegExp(`^deploy: ${message!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^\n]*$`));
      });
    }

    it("names RPC_URL in one line, exit 1, when it is blank (no remote network to deploy to)", async function () {
      const { code, stderr } = await deployCli({ RPC_URL: "", DEPLOYER_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" });
      expect(code).to.equal(1);
      expect(stderr.trim()).to.match(/^network "remote" needs RPC_URL: set it to the chain's JSON-RPC URL [^\n]*$/);
    });

    it("names DEPLOYER_PRIVATE_KEY in one line, exit 1, when the network has no account", async function () {
      const { code, stderr } = await deployCli({});
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal('deploy: no deployer account on network "remote": set DEPLOYER_PRIVATE_KEY');
    });
  });

  it("as a CLI refuses Hardhat's in-process network in one line, exit 1, writing no record of a chain gone when it ends", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-cli-"));
    const root = path.join(__dirname, "..", "..");
    const failed = await promisify(execFile)(path.join(root, "node_modules", ".bin", "hardhat"), ["run", "scripts/deploy.ts"], {
      cwd: root,
      env: { ...process.env, LATENT_DEPLOYMENTS_DIR: dir, LATENT_DEVNET: "1", HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect([failed.code, failed.stderr.trim()]).to.deep.equal([
      1,
      `deploy: network "hardhat" is Hardhat's in-process chain, gone when this command ends, so its deployment could be used by nothing: ` +
        "deploy to a node that keeps running (npx hardhat node, then npm run deploy -- --network localhost; or npm start, which deploys its own), " +
        "or to a real chain with --network remote",
    ]);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("runs as a CLI against a node that keeps running and writes deployments/<network>.json, its contracts there", async function () {
    // `npx hardhat node` and a deploy, each compiling its TypeScript under ts-node on a loaded 2-core machine.
    this.timeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-cli-"));
    const root = path.join(__dirname, "..", "..");
    const { node, url } = await startHardhatNode(120_000);
    const rpc = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      await promisify(execFile)(path.join(root, "node_modules", ".bin", "hardhat"), ["run", "scripts/deploy.ts", "--network", "localhost"], {
        cwd: root,
        env: { ...process.env, LATENT_DEPLOYMENTS_DIR: dir, LATENT_DEVNET: "1", LOCAL_RPC_URL: url, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      });
      const record = readDeploymentRecord("localhost", dir);
      expect([record.network, record.chainId, record.contracts.LatentTimelock.blockNumber]).to.deep.equal(["localhost", 31337, 1]);
      expect(await rpc.getCode(record.contracts.JobEscrow.address)).not.to.equal("0x");
    } finally {
      rpc.destroy();
      node.kill();
    }
  });
});
