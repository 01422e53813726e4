import { expect } from "chai";
import { impersonateAccount, loadFixture, mine, setBalance, stopImpersonatingAccount, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers, network } from "hardhat";
import { MaxUint256, ZeroAddress, formatEther, parseEther } from "ethers";
import { LatentToken__factory } from "../../../typechain-types";
import { acceptJob, delegate, openDispute, submitResult } from "../../../scripts/scenario";
import { InputError, RevertError, StateError } from "../../../scripts/tasks/lib/errors";
import type { ProposalView } from "../../../scripts/tasks/actions/gov";
import type { GuardianStatus } from "../../../scripts/tasks/actions/guardian";
import { ACCOUNT, openJobFixture, passProposal, task, taskFails, tasksBaseFixture, withAndWithoutAccounts, withRefusedLogs } from "./helpers";

const DESCRIPTION = "LIP-9: raise the minimum stake to 150 LAT per GPU";
const UNPAUSE = { from: ACCOUNT.funder, contract: "PauseGuardian", set: "unpause", description: "lift the pause" };

/** The funder (150M LAT) has delegated to itself, so it may propose and vote. */
async function delegatedFixture() {
  const b = await tasksBaseFixture();
  await delegate(b.s, b.funder);
  return b;
}

/** As delegatedFixture, with governance (the timelock) as the dispute arbitrator, which is the deploy's default. */
async function timelockArbitratesFixture() {
  const b = await delegatedFixture();
  const timelock = await b.c.timelock.getAddress();
  await impersonateAccount(timelock);
  await setBalance(timelock, parseEther("1"));
  await b.c.disputeManager.connect(await ethers.getSigner(timelock)).setArbitrator(timelock);
  await stopImpersonatingAccount(timelock);
  return b;
}

/** A pending proposal of the funder: Staking.minStakePerGpu -> 150 LAT. */
async function proposalFixture() {
  const b = await delegatedFixture();
  const { result } = await task<{ proposalId: bigint }>(b.file, "gov propose", {
    from: ACCOUNT.funder,
    contract: "Staking",
    set: "minStakePerGpu",
    value: "150",
    description: DESCRIPTION,
  });
  return { ...b, id: result.proposalId.toString() };
}

/** LAT a holder sent to the DisputeManager by a plain transfer. */
const STRAY = parseEther("75");

/** A dispute open (its deposit held by the DisputeManager, which holds no other LAT), the funder delegated. */
async function disputeOpenFixture() {
  const b = await openJobFixture();
  await acceptJob(b.s, b.job, b.h100);
  await submitResult(b.s, b.job, b.h100, { after: 1800 });
  await openDispute(b.s, b.job);
  await delegate(b.s, b.funder);
  return b;
}

/** As disputeOpenFixture, with STRAY LAT sent to the DisputeManager by mistake. */
async function strayLatFixture() {
  const b = await disputeOpenFixture();
  await b.c.token.connect(b.funder).transfer(await b.c.disputeManager.getAddress(), STRAY);
  return b;
}

/** As strayLatFixture, with 1,000 of another ERC20 (not the deployment's LAT) sent to the DisputeManager too. */
async function strayOtherFixture() {
  const b = await strayLatFixture();
  const other = await new LatentToken__factory(b.deployer).deploy(b.funder.address, parseEther("1000000"), [], [], [ZeroAddress, ZeroAddress, ZeroAddress]);
  await other.connect(b.funder).transfer(await b.c.disputeManager.getAddress(), parseEther("1000"));
  return { ...b, other: await other.getAddress() };
}

/** A recovery proposal of the funder for `amount` of LAT to voter 0 (account 4). */
function recovery(amount: string, extra: Record<string, string> = {}) {
  return { from: ACCOUNT.funder, contract: "DisputeManager", set: "recoverTokens", token: "LAT", to: ACCOUNT.voter0, amount, description: "LIP-7: return stray LAT", ...extra };
}

async function proposalStatus(file: string, id: string): Promise<ProposalView> {
  return (await task<ProposalView>(file, "gov status", { id })).result;
}

describe("tasks: gov", function () {
  it("delegate gives the holder's balance as votes", async function () {
    const { file, c, funder } = await loadFixture(tasksBaseFixture);
    await task(file, "gov delegate", { from: ACCOUNT.funder });
    expect(await c.token.getVotes(funder.address)).to.equal(await c.token.balanceOf(funder.address));
  });

  it("delegate by a holder that already delegates to that account sends nothing and says so", async function () {
    const { file, c, funder } = await loadFixture(delegatedFixture);
    const block = await ethers.provider.getBlockNumber();
    const { result, output } = await task<{ transaction: string | null }>(file, "gov delegate", { from: ACCOUNT.funder });
    expect(result.transaction).to.equal(null);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(output).to.match(new RegExp(`^${funder.address} already delegates its [\\d.]+ LAT .* of votes to itself: nothing sent\n`));
    expect(await c.token.getVotes(funder.address)).to.equal(await c.token.balanceOf(funder.address));
  });

  it("delegate to another account sends the delegation and names the delegate", async function () {
    const { file, c, funder, voters } = await loadFixture(delegatedFixture);
    const { result, output } = await task<{ transaction: string | null }>(file, "gov delegate", { from: ACCOUNT.funder, to: ACCOUNT.voter0 });
    expect(result.transaction).to.be.a("string");
    expect(await c.token.delegates(funder.address)).to.equal(voters[0]!.address);
    expect(output).to.match(new RegExp(`of votes to ${voters[0]!.address}\n`));
  });

  it("propose builds the setter's calldata with the value in LAT", async function () {
    const { file, c, id } = await loadFixture(proposalFixture);
    const view = await proposalStatus(file, id);
    expect(view.state).to.equal("Pending");
    expect(view.description).to.equal(DESCRIPTION);
    expect(view.actions).to.have.length(1);
    expect(view.actions[0]!.target).to.equal(await c.staking.getAddress());
    expect(view.actions[0]!.call).to.equal(`setMinStakePerGpu(${parseEther("150")})`);
  });

  it("propose reads a period as a duration", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const { result } = await task<{ calldata: string }>(file, "gov propose", {
      from: ACCOUNT.funder,
      contract: "staking",
      set: "setThawingPeriod",
      value: "2h",
      description: "two-hour thawing",
    });
    expect(result.calldata).to.equal(c.staking.interface.encodeFunctionData("setThawingPeriod", [7200]));
  });

  it("propose takes the quorum by the parameter's name, quorumNumerator, as execute prints it, for updateQuorumNumerator", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const { result } = await task<{ calldata: string }>(file, "gov propose", { from: ACCOUNT.funder, contract: "LatentGovernor", set: "quorumNumerator", value: "5", description: "5% quorum" });
    expect(result.calldata).to.equal(c.governor.interface.encodeFunctionData("updateQuorumNumerator", [5]));
  });

  it("propose shows the quorum's current value, read by its getter quorumNumerator()", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const current = await c.governor["quorumNumerator()"]();
    const { output } = await task(file, "gov propose", { from: ACCOUNT.funder, contract: "LatentGovernor", set: "updateQuorumNumerator", value: "5", description: "5% quorum" });
    expect(output).to.match(new RegExp(`\\n  LatentGovernor\\.updateQuorumNumerator: ${current} \\(${current}% of the supply\\) -> 5 \\(5% of the supply\\)\\n`));
  });

  it("propose shows the timelock delay's current value, read by its getter getMinDelay()", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const current = await c.timelock.getMinDelay();
    const { output } = await task(file, "gov propose", { from: ACCOUNT.funder, contract: "LatentTimelock", set: "updateDelay", value: "2m", description: "2m delay" });
    expect(output).to.match(new RegExp(`\\n  LatentTimelock\\.updateDelay: ${current} s \\(.*\\) -> 120 s \\(2m\\)\\n`));
  });

  it("propose takes a function without a value (unpause)", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const { result } = await task<{ calldata: string }>(file, "gov propose", UNPAUSE);
    expect(result.calldata).to.equal(c.pauseGuardian.interface.encodeFunctionData("unpause"));
  });

  it("propose without --value says what the setter takes: a time for renewPause, LAT for an amount", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const args = { from: ACCOUNT.funder, description: "x" };
    await taskFails(file, "gov propose", { ...args, contract: "PauseGuardian", set: "renewPause" }, InputError, /^--value: required: renewPause takes a time$/);
    await taskFails(file, "gov propose", { ...args, contract: "Staking", set: "minStakePerGpu" }, InputError, /^--value: required: setMinStakePerGpu takes LAT$/);
  });

  it("propose refuses a --value for a function that takes none", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(file, "gov propose", { ...UNPAUSE, value: "1" }, InputError, /^--value: unpause\(\) takes no value/);
  });

  it("propose lists the setters when --set names none", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "Staking", set: "minStake", value: "1", description: "x" },
      InputError,
      /^--set: Staking has no parameter setter "minStake" that governance alone calls: choose one of .*setMinStakePerGpu.*setThawingPeriod/,
    );
  });

  it("propose lists as setters exactly the functions each contract lets governance alone call", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const expected: Record<string, string> = {
      Staking: "setMinStakePerGpu, setThawingPeriod, setTreasury, recoverTokens (with --token, --to and --amount)",
      ProviderRegistry: "setMaxGpusPerProvider",
      PauseGuardian: "renewPause, setGuardian, setPauseDuration, unpause",
      DisputeManager: "setArbitrator, recoverTokens (with --token, --to and --amount)",
      LatentTimelock: "updateDelay",
      LatentToken: "",
    };
    const listed: Record<string, string> = {};
    for (const contract of Object.keys(expected)) {
      const error = await taskFails(file, "gov propose", { from: ACCOUNT.funder, contract, set: "nothing", value: "1", description: "x" }, InputError, /that governance alone calls: /);
      listed[contract] = /choose one of (.*)$/.exec(error.message)?.[1] ?? "";
    }
    expect(listed).to.deep.equal(expected);
  });

  it("propose takes a setter that a node refuses to the proposer without revert data, which says nothing of who may call it", async function () {
    const { file, c, funder } = await loadFixture(delegatedFixture);
    const selector = c.staking.interface.getFunction("setMinStakePerGpu")!.selector;
    const provider = network.provider as typeof network.provider & { send: (method: string, params?: unknown[]) => Promise<unknown> };
    const send = provider.send;
    provider.send = async (method: string, params?: unknown[]) => {
      const call = (params?.[0] ?? {}) as { from?: string; data?: string };
      if (method === "eth_call" && call.from?.toLowerCase() === funder.address.toLowerCase() && call.data?.startsWith(selector)) throw new Error("execution reverted");
      return send.call(provider, method, params);
    };
    try {
      const { result } = await task<{ calldata: string }>(file, "gov propose", { from: ACCOUNT.funder, contract: "Staking", set: "minStakePerGpu", value: "150", description: "no revert data" });
      expect(result.calldata).to.equal(c.staking.interface.encodeFunctionData("setMinStakePerGpu", [parseEther("150")]));
    } finally {
      provider.send = send;
    }
  });

  it("propose refuses a provider's own setter or anyone's call, which a proposal could only run as the timelock", async function () {
    const { file } = await loadFixture(delegatedFixture);
    for (const [contract, set] of [["ProviderRegistry", "price"], ["Staking", "maxSlashRewardBps"], ["JobEscrow", "settle"]] as const) {
      await taskFails(file, "gov propose", { from: ACCOUNT.funder, contract, set, value: "1", description: "x" }, InputError, new RegExp(`^--set: ${contract} has no parameter setter "${set}" that governance alone calls: choose one of `));
    }
  });

  it("propose refuses a basis-point value given as a percentage, saying it in basis points", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const args = { from: ACCOUNT.funder, contract: "JobEscrow", set: "protocolFeeBps", description: "x" };
    await taskFails(file, "gov propose", { ...args, value: "2.5%" }, InputError, /^--value: "2\.5%": give basis points \(hundredths of a percent\), without %: 2\.5% is 250$/);
  });

  it("propose refuses a quorum given with a %, saying to give the whole percent", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const args = { from: ACCOUNT.funder, contract: "LatentGovernor", set: "updateQuorumNumerator", description: "x" };
    await taskFails(file, "gov propose", { ...args, value: "5%" }, InputError, /^--value: "5%": give the whole percent without %: 5$/);
  });

  it("propose refuses a value that is not a whole number, calling it that rather than an id", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const args = { from: ACCOUNT.funder, contract: "ProviderRegistry", set: "maxGpusPerProvider", description: "x" };
    await taskFails(file, "gov propose", { ...args, value: "lots" }, InputError, /^--value: "lots" is not a whole number$/);
  });

  it("propose refuses a value outside the contract's bounds before proposing", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "JobEscrow", set: "protocolFeeBps", value: "1500", description: "x" },
      InputError,
      /^--value: protocolFeeBps must be within \[0 bps \(0%\), 1000 bps \(10%\)\]/,
    );
  });

  it("propose reads minTrackRecordCost in LAT", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const { result } = await task<{ proposalId: bigint }>(file, "gov propose", {
      from: ACCOUNT.funder,
      contract: "JobEscrow",
      set: "minTrackRecordCost",
      value: "25",
      description: "LIP-10: a 25 LAT job to count in a track record",
    });
    const view = await proposalStatus(file, result.proposalId.toString());
    expect(view.actions[0]!.target).to.equal(await c.jobEscrow.getAddress());
    expect(view.actions[0]!.call).to.equal(`setMinTrackRecordCost(${parseEther("25")})`);
  });

  it("propose refuses a minTrackRecordCost above the escrow's bound before proposing", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "JobEscrow", set: "minTrackRecordCost", value: "10000.5", description: "x" },
      InputError,
      /^--value: minTrackRecordCost must be within \[0\.0 LAT, 10000\.0 LAT\]; 10000\.5 LAT would fail at execution/,
    );
  });

  it("propose refuses a voting period above the governor's bound before proposing", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "LatentGovernor", set: "votingPeriod", value: "31d", description: "x" },
      InputError,
      /^--value: votingPeriod must be within \[1 s \(1s\), 2592000 s \(30d\)\]/,
    );
  });

  it("propose warns, and says in --json, that a call its target refuses now (an arbitrator that is one of the protocol's contracts) would fail at execution unless that changes", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const escrow = await c.jobEscrow.getAddress();
    const { result, output } = await task<{ proposalId: bigint; revertsNow: string | null }>(file, "gov propose", {
      from: ACCOUNT.funder,
      contract: "DisputeManager",
      set: "arbitrator",
      value: escrow,
      description: "x",
    });
    expect(result.revertsNow).to.equal(`DisputeManagerArbitratorIsProtocolContract(arbitrator=${escrow})`);
    expect(output).to.include(
      `\n  warning: executed now, this call would revert: DisputeManagerArbitratorIsProtocolContract(arbitrator=${escrow}); the proposal fails at execution unless that changes by then\n`,
    );
  });

  it("propose of a call that passes now says nothing of it (revertsNow null)", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const { result, output } = await task<{ revertsNow: string | null }>(file, "gov propose", {
      from: ACCOUNT.funder,
      contract: "Staking",
      set: "minStakePerGpu",
      value: "150",
      description: "x",
    });
    expect(result.revertsNow).to.equal(null);
    expect(output).not.to.include("warning:");
  });

  it("propose refuses a timelock delay above the timelock's bound before proposing", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "LatentTimelock", set: "updateDelay", value: "31d", description: "x" },
      InputError,
      /^--value: updateDelay must be within \[0 s .*, 2592000 s \(30d\)\]/,
    );
  });

  it("propose refuses a quorum outside the governor's bounds before proposing", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "LatentGovernor", set: "updateQuorumNumerator", value: "51", description: "x" },
      InputError,
      /^--value: updateQuorumNumerator must be within \[1 \(1% of the supply\), 50 \(50% of the supply\)\]; 51 \(51% of the supply\) would fail at execution/,
    );
  });

  it("propose refuses a proposal threshold above 1% of the supply before proposing", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "LatentGovernor", set: "proposalThreshold", value: "10000000.5", description: "x" },
      InputError,
      /^--value: proposalThreshold must be within \[0\.0 LAT, 10000000\.0 LAT\]; 10000000\.5 LAT would fail at execution/,
    );
  });

  it("propose refuses, while the timelock arbitrates, a dispute period governance could not rule within", async function () {
    const { file, c } = await loadFixture(timelockArbitratesFixture);
    // Devnet governance passes a proposal in 10 + 60 + 60 seconds; the dispute period is 10 days.
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "LatentTimelock", set: "updateDelay", value: "10d", description: "slower timelock" },
      StateError,
      /^the timelock arbitrates disputes: with updateDelay = 864000 s \(10d\) a ruling would take 864070 s .* dispute period of 864000 s/,
    );
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "LatentGovernor", set: "votingPeriod", value: "30d", description: "long votes" },
      StateError,
      /with votingPeriod = 2592000 s .* not less than the dispute period of 864000 s/,
    );
    const { result } = await task<{ proposalId: bigint }>(file, "gov propose", {
      from: ACCOUNT.funder,
      contract: "JobEscrow",
      set: "disputePeriod",
      value: "1h",
      description: "shorter disputes, still longer than a ruling takes",
    });
    expect(result.proposalId).to.be.a("bigint");
    expect(await c.disputeManager.arbitrator()).to.equal(await c.timelock.getAddress());
  });

  it("propose without enough votes reverts with the threshold in LAT", async function () {
    const { file } = await loadFixture(tasksBaseFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "Staking", set: "minStakePerGpu", value: "150", description: "x" },
      RevertError,
      /GovernorInsufficientProposerVotes\(proposer=0x[0-9a-fA-F]{40}, votes=0\.0 LAT \(0 wei\), threshold=1000\.0 LAT/,
    );
  });

  it("propose by a holder that never delegated says to delegate first, with the command", async function () {
    const { file, funder } = await loadFixture(tasksBaseFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "Staking", set: "minStakePerGpu", value: "150", description: "x" },
      RevertError,
      new RegExp(`: ${funder.address} has too few votes to propose \\(its [\\d.]+ LAT .* has not been delegated: npx hardhat gov delegate .*--from ${ACCOUNT.funder}, then propose; `),
    );
  });

  it("vote on an unknown id (a newcomer's --id 1) lists the ids and descriptions of the proposals made, as queue does", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await time.increase(11);
    await taskFails(file, "gov vote", { from: ACCOUNT.funder, id: "1", support: "for" }, StateError, new RegExp(`^no proposal 1 was made on governor 0x\\w+ \\(a proposal id is the number gov propose printed\\); its proposals:\\n  ${id}  "${DESCRIPTION}"$`));
  });

  it("vote refuses an account without votes at the snapshot", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await time.increase(11);
    await taskFails(file, "gov vote", { from: ACCOUNT.voter0, id, support: "for" }, StateError, /had no votes at the proposal's snapshot/);
  });

  it("vote counts the voter's weight", async function () {
    const { file, c, id, funder } = await loadFixture(proposalFixture);
    await time.increase(11);
    await task(file, "gov vote", { from: ACCOUNT.funder, id, support: "for", reason: "needed" });
    const view = await proposalStatus(file, id);
    expect(view.state).to.equal("Active");
    expect(view.tallies.for).to.equal(await c.token.balanceOf(funder.address));
  });

  it("vote --reason records the reason in the VoteCast event; without it the reason is empty", async function () {
    const { file, s, c, funder, voters } = await loadFixture(delegatedFixture);
    const voter0 = voters[0]!;
    await c.token.connect(funder).transfer(voter0.address, parseEther("10"));
    await delegate(s, voter0);
    const { result } = await task<{ proposalId: bigint }>(file, "gov propose", { ...UNPAUSE, description: "reasons" });
    await time.increase(11);
    await task(file, "gov vote", { from: ACCOUNT.funder, id: result.proposalId.toString(), support: "against", reason: "too early" });
    await task(file, "gov vote", { from: ACCOUNT.voter0, id: result.proposalId.toString(), support: "for" });
    const votes = await c.governor.queryFilter(c.governor.filters.VoteCast());
    expect(votes.map((v) => [v.args.voter, v.args.proposalId, v.args.support, v.args.reason])).to.deep.equal([
      [funder.address, result.proposalId, 0n, "too early"],
      [voter0.address, result.proposalId, 1n, ""],
    ]);
  });

  it("queue while voting reverts with the state and when voting ends", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await time.increase(11);
    await taskFails(file, "gov queue", { id }, RevertError, /GovernorUnexpectedProposalState\(proposalId=\d+, current=Active, expectedStates=\[Succeeded\]\): .*voting ends/);
  });

  it("execute before the timelock's delay reverts and says when it becomes possible", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await passProposal(file, id, { until: "gov queue" });
    await taskFails(file, "gov execute", { id }, RevertError, /TimelockUnexpectedOperationState\(.*\): the proposal is Queued; executable from /);
  });

  it("vote says when voting ends and how to queue the proposal then; queue says when and how to execute it", async function () {
    const { file, c, id } = await loadFixture(proposalFixture);
    const { "gov vote": [voted], "gov queue": [queued] } = await passProposal(file, id, { until: "gov queue" });
    const deadline = new Date(Number(await c.governor.proposalDeadline(BigInt(id))) * 1000).toISOString().replace(".000Z", "Z");
    expect(voted!.output).to.match(new RegExp(`\\n  voting ends ${deadline} .*; if it passed, queue it after: npx hardhat gov queue --id ${id} --network `));
    const eta = new Date(Number(await c.governor.proposalEta(BigInt(id))) * 1000).toISOString().replace(".000Z", "Z");
    expect(queued!.output).to.match(new RegExp(`queued in the timelock: executable from ${eta} .* by anyone: npx hardhat gov execute --id ${id} --network `));
  });

  it("a proposal passes end to end: vote, queue, execute changes the parameter", async function () {
    const { file, c, id } = await loadFixture(proposalFixture);
    const queued = async () => {
      expect((await proposalStatus(file, id)).state).to.equal("Queued");
    };
    const { output } = (await passProposal(file, id, { queued }))["gov execute"][0]!;
    expect(await c.staking.minStakePerGpu()).to.equal(parseEther("150"));
    expect((await proposalStatus(file, id)).state).to.equal("Executed");
    // In LAT, as propose showed the change: the wei alone read as 10^18 times the value.
    expect(output).to.match(/\n  Staking\.minStakePerGpu = 150\.0 LAT$/);
  });

  it("execute of an unpause or a renewPause says what it did to the pause, which logs no ParameterUpdated", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    await task(file, "guardian pause", { from: ACCOUNT.guardian });
    const until = (await time.latest()) + 7 * 24 * 3600;
    const renew = await task<{ proposalId: bigint }>(file, "gov propose", { ...UNPAUSE, set: "renewPause", value: String(until), description: "renew" });
    const lift = await task<{ proposalId: bigint }>(file, "gov propose", { ...UNPAUSE, description: "lift" });
    const { "gov execute": [renewed, lifted] } = await passProposal(file, [renew.result.proposalId.toString(), lift.result.proposalId.toString()]);
    expect(renewed!.output).to.match(new RegExp(`\\n  PauseGuardian: paused until ${new Date(until * 1000).toISOString().replace(".000Z", "Z")}$`));
    expect(lifted!.output).to.match(/\n  PauseGuardian: pause lifted$/);
    expect(await c.pauseGuardian.isPaused()).to.equal(false);
  });

  it("status, queue and execute find the proposal on a node that limits eth_getLogs to a few blocks", async function () {
    const { file, c, id } = await loadFixture(proposalFixture);
    await mine(20);
    const capped = <T>(name: string, args: Record<string, string>) => withRefusedLogs(({ blocks }) => blocks > 8, () => task<T>(file, name, args));
    const status = await capped<ProposalView>("gov status", { id });
    expect(status.refused).to.be.greaterThan(0);
    expect(status.value.result.description).to.equal(DESCRIPTION);
    const passed = await passProposal(file, id, { run: capped });
    expect(passed["gov queue"][0]!.refused).to.be.greaterThan(0);
    expect(passed["gov execute"][0]!.refused).to.be.greaterThan(0);
    expect(await c.staking.minStakePerGpu()).to.equal(parseEther("150"));
  });

  it("status shows a LAT parameter's value in LAT, as propose read it", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    const { output } = await task(file, "gov status", { id });
    expect(output).to.match(/\n  action 1 +Staking\.setMinStakePerGpu\(150\.0 LAT\)\n/);
  });

  it("status shows a period in seconds with its duration, and a pause's end as a time", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const propose = async (contract: string, set: string, value: string) =>
      (await task<{ proposalId: bigint }>(file, "gov propose", { from: ACCOUNT.funder, contract, set, value, description: `${contract}.${set} ${value}` })).result.proposalId.toString();
    const period = await propose("Staking", "thawingPeriod", "2h");
    const pause = await propose("PauseGuardian", "renewPause", "2030-01-01T12:00:00Z");
    expect((await task(file, "gov status", { id: period })).output).to.match(/\n  action 1 +Staking\.setThawingPeriod\(7200 s \(2h\)\)\n/);
    expect((await task(file, "gov status", { id: pause })).output).to.match(/\n  action 1 +PauseGuardian\.renewPause\(1893499200 \(2030-01-01T12:00:00Z\)\)\n/);
  });

  it("status shows a basis-point parameter in bps with its percentage", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const propose = async (set: string, value: string) =>
      (await task<{ proposalId: bigint }>(file, "gov propose", { from: ACCOUNT.funder, contract: "JobEscrow", set, value, description: `JobEscrow.${set} ${value}` })).result.proposalId.toString();
    const fee = await propose("protocolFeeBps", "500");
    const collateral = await propose("collateralRatioBps", "12550");
    expect((await task(file, "gov status", { id: fee })).output).to.match(/\n  action 1 +JobEscrow\.setProtocolFeeBps\(500 bps \(5%\)\)\n/);
    expect((await task(file, "gov status", { id: collateral })).output).to.match(/\n  action 1 +JobEscrow\.setCollateralRatioBps\(12550 bps \(125\.5%\)\)\n/);
  });

  it("status shows a quorum as the percentage of the supply it is, not in basis points", async function () {
    const { file } = await loadFixture(delegatedFixture);
    const { result } = await task<{ proposalId: bigint }>(file, "gov propose", { from: ACCOUNT.funder, contract: "LatentGovernor", set: "updateQuorumNumerator", value: "5", description: "quorum 5" });
    expect((await task(file, "gov status", { id: result.proposalId.toString() })).output).to.match(/\n  action 1 +LatentGovernor\.updateQuorumNumerator\(5 \(5% of the supply\)\)\n/);
  });

  it("status of a pending proposal suggests the vote with its --support choices and a voter's --from, which the task requires", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    // The chain's clock follows the wall clock: pinned, a slow run cannot see voting open before this task runs.
    await time.setNextBlockTimestamp((await time.latest()) + 1);
    const { output } = await task(file, "gov status", { id });
    expect(output).to.match(new RegExp(`\n  next: gov vote \\(from \\S+\\): npx hardhat gov vote --id ${id} --support <for\\|against\\|abstain> --network hardhat --deployment \\S+ --from <voter>$`));
  });

  it("execute prints the governor's and the timelock's own settings it changed, which log no ParameterUpdated, in their units", async function () {
    const { file, c } = await loadFixture(delegatedFixture);
    const propose = async (contract: string, set: string, value: string) =>
      (await task<{ proposalId: bigint }>(file, "gov propose", { from: ACCOUNT.funder, contract, set, value, description: `${contract}.${set} ${value}` })).result.proposalId.toString();
    const ids = [await propose("LatentGovernor", "votingPeriod", "2m"), await propose("LatentTimelock", "updateDelay", "2m"), await propose("LatentGovernor", "updateQuorumNumerator", "5")];
    const outputs = (await passProposal(file, ids))["gov execute"].map((run) => run.output);
    expect(await c.governor.votingPeriod()).to.equal(120n);
    expect(outputs[0]).to.match(/\n  LatentGovernor\.votingPeriod = 120 s \(2m\)$/);
    expect(outputs[1]).to.match(/\n  LatentTimelock\.minDelay = 120 s \(2m\)$/);
    expect(outputs[2]).to.match(/\n  LatentGovernor\.quorumNumerator = 5 \(5% of the supply\)$/);
  });

  it("cancel by its proposer while Pending cancels the proposal, emitting ProposalCanceled with its id", async function () {
    const { file, c, id } = await loadFixture(proposalFixture);
    // The chain's clock follows the wall clock: pinned, a slow run cannot see voting open before this task runs.
    await time.setNextBlockTimestamp((await time.latest()) + 1);
    const { result, output } = await task<{ transaction: string }>(file, "gov cancel", { from: ACCOUNT.funder, id });
    const receipt = await ethers.provider.getTransactionReceipt(result.transaction);
    const logs = receipt!.logs.map((l) => c.governor.interface.parseLog(l)).filter((l) => l?.name === "ProposalCanceled");
    expect(logs.map((l) => l!.args.proposalId)).to.deep.equal([BigInt(id)]);
    expect((await proposalStatus(file, id)).state).to.equal("Canceled");
    expect(output).to.match(new RegExp(`\\nProposal ${id} cancelled: "${DESCRIPTION}" will not be voted on \\(the same proposal cannot be made again; change its description to propose it anew\\)$`));
  });

  it("cancel by another account is refused with GovernorUnableToCancel, naming the proposer who may", async function () {
    const { file, funder, id } = await loadFixture(proposalFixture);
    // The chain's clock follows the wall clock: pinned, a slow run cannot see voting open before this task runs.
    await time.setNextBlockTimestamp((await time.latest()) + 1);
    await taskFails(file, "gov cancel", { from: ACCOUNT.voter0, id }, RevertError, new RegExp(`GovernorUnableToCancel\\(proposalId=${id}, account=0x\\w{40}\\): only its proposer ${funder.address} may cancel it, and only while it is Pending \\(it is Pending\\)`));
  });

  it("cancel once voting opened is refused with GovernorUnableToCancel, saying when it opened and that only votes defeat it now", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await time.increase(11);
    await taskFails(file, "gov cancel", { from: ACCOUNT.funder, id }, RevertError, /GovernorUnableToCancel\(.*\): a proposal is cancelled only while Pending: voting opened .*, so only votes against defeat it now/);
  });

  it("cancel refused because voting opened since the latest block (a quiet devnet) says voting opened, not that the proposal is Pending", async function () {
    const { file, c, id } = await loadFixture(proposalFixture);
    // The latest block still reads Pending; the block the cancel would be in is past the snapshot.
    await time.setNextBlockTimestamp(Number(await c.governor.proposalSnapshot(BigInt(id))) + 1);
    expect(await c.governor.state(BigInt(id))).to.equal(0n);
    await taskFails(file, "gov cancel", { from: ACCOUNT.funder, id }, RevertError, /GovernorUnableToCancel\(.*\): a proposal is cancelled only while Pending: voting opened .*, so only votes against defeat it now/);
  });

  it("cancel of an unknown id lists the proposals made, as queue does", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await taskFails(file, "gov cancel", { from: ACCOUNT.funder, id: "1" }, StateError, new RegExp(`^no proposal 1 was made .*\\n  ${id}  "${DESCRIPTION}"$`));
  });

  it("status reads the state at the next block, where a vote would land: Active once voting opened, though no block was mined since (a quiet devnet)", async function () {
    const { file, c, id } = await loadFixture(proposalFixture);
    await time.setNextBlockTimestamp(Number(await c.governor.proposalSnapshot(BigInt(id))) + 1);
    expect(await c.governor.state(BigInt(id))).to.equal(0n);
    const view = await proposalStatus(file, id);
    expect(view.state).to.equal("Active");
    expect(view.next).to.deep.include({ task: "gov vote", from: view.voteStart + 1, until: view.voteEnd, possibleNow: true });
  });

  it("status of a defeated proposal says why: too few votes against the quorum, or no more for than against", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await time.increase(11);
    await task(file, "gov vote", { from: ACCOUNT.funder, id, support: "against" });
    await time.increase(61);
    const { output } = await task(file, "gov status", { id });
    expect(output).to.match(/\n  defeated: for \+ abstain 0\.0 LAT \(0 wei\) did not reach the quorum of [\d.]+ LAT .*; and for 0\.0 LAT \(0 wei\) was not more than against [\d.]+ LAT \(\d+ wei\)$/m);
  });

  it("status of an unknown proposal says so, and that none has been made yet", async function () {
    const { file } = await loadFixture(delegatedFixture);
    await taskFails(file, "gov status", { id: "12345" }, StateError, /no proposal 12345 was made on governor 0x[0-9a-fA-F]{40}; no proposal has been made on it yet \(gov propose makes one\)$/);
  });

  it("status of an unknown id (a newcomer's --id 1) lists the ids and descriptions of the proposals made", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await taskFails(file, "gov status", { id: "1" }, StateError, new RegExp(`no proposal 1 was made on governor 0x[0-9a-fA-F]{40} \\(a proposal id is the number gov propose printed\\); its proposals:\n  ${id}  "${DESCRIPTION}"$`));
  });

  it("status runs with no account configured (a public RPC with no key), printing what it prints with one", async function () {
    const { file, id } = await loadFixture(proposalFixture);
    await passProposal(file, id, { until: "gov vote" });
    const { withAccounts, without } = await withAndWithoutAccounts<ProposalView>(file, "gov status", { id });
    expect(without.result).to.deep.equal(withAccounts.result);
    expect(without.output).to.equal(withAccounts.output).and.to.match(new RegExp(`^Proposal ${id}: Active\\n(.|\\n)*next: gov vote \\(possible now\\)`));
  });
});

describe("tasks: gov propose --set recoverTokens", function () {
  it("builds recoverTokens(LAT, recipient, amount) with the amount in LAT, which gov status shows", async function () {
    const { file, c, voters } = await loadFixture(strayLatFixture);
    const lat = await c.token.getAddress();
    const { result } = await task<{ proposalId: bigint; calldata: string }>(file, "gov propose", recovery("50.5"));
    expect(result.calldata).to.equal(c.disputeManager.interface.encodeFunctionData("recoverTokens", [lat, voters[0]!.address, parseEther("50.5")]));
    const view = await proposalStatus(file, result.proposalId.toString());
    expect(view.actions[0]!.target).to.equal(await c.disputeManager.getAddress());
    expect(view.actions[0]!.call).to.equal(`recoverTokens(${lat}, ${voters[0]!.address}, ${parseEther("50.5")})`);
  });

  it("gov status shows a LAT recovery's token as LAT and its amount in LAT, not in wei", async function () {
    const { file, voters } = await loadFixture(strayLatFixture);
    const id = (await task<{ proposalId: bigint }>(file, "gov propose", recovery("50.5"))).result.proposalId.toString();
    const { output } = await task(file, "gov status", { id });
    expect(output).to.match(new RegExp(`\n  action 1 +DisputeManager\\.recoverTokens\\(LAT, ${voters[0]!.address}, 50\\.5 LAT\\)\n`));
  });

  it("gov status shows a recovery of all as all, not as type(uint256).max", async function () {
    const { file, voters } = await loadFixture(strayLatFixture);
    const id = (await task<{ proposalId: bigint }>(file, "gov propose", recovery("all"))).result.proposalId.toString();
    const { output } = await task(file, "gov status", { id });
    expect(output).to.match(new RegExp(`\n  action 1 +DisputeManager\\.recoverTokens\\(LAT, ${voters[0]!.address}, all \\(everything recoverable at execution\\)\\)\n`));
  });

  it("gov status shows another token's recovery with its address and the amount in its decimals", async function () {
    const { file, other, voters } = await loadFixture(strayOtherFixture);
    const id = (await task<{ proposalId: bigint }>(file, "gov propose", recovery("999.25", { token: other }))).result.proposalId.toString();
    const { output } = await task(file, "gov status", { id });
    expect(output).to.match(new RegExp(`\n  action 1 +DisputeManager\\.recoverTokens\\(${other}, ${voters[0]!.address}, 999\\.25 LAT\\)\n`));
  });

  it("says what it recovers, and the LAT recoverable now: the balance above the dispute deposits held", async function () {
    const { file, c, voters } = await loadFixture(strayLatFixture);
    const held = await c.disputeManager.heldDeposits();
    expect(held).to.be.greaterThan(0n);
    const { output } = await task(file, "gov propose", recovery("50.5"));
    expect(output).to.include(
      `\n  DisputeManager.recoverTokens: 50.5 LAT (token ${await c.token.getAddress()}) to ${voters[0]!.address}; 75.0 LAT recoverable now ` +
        `(the DisputeManager holds ${formatEther(STRAY + held)} LAT, of which ${formatEther(held)} LAT are the deposits of unresolved disputes, heldDeposits())\n`,
    );
  });

  it("takes --amount all as type(uint256).max: all that is recoverable when the proposal executes", async function () {
    const { file, c, voters } = await loadFixture(strayLatFixture);
    const { result, output } = await task<{ calldata: string }>(file, "gov propose", recovery("ALL"));
    expect(result.calldata).to.equal(c.disputeManager.interface.encodeFunctionData("recoverTokens", [await c.token.getAddress(), voters[0]!.address, MaxUint256]));
    expect(output).to.match(/DisputeManager\.recoverTokens: all LAT recoverable at execution \(token 0x\w+\) to 0x\w+; 75\.0 LAT recoverable now/);
  });

  it("a recovery passes end to end: vote, queue, execute sends the LAT and prints the recovery in LAT", async function () {
    const { file, c, voters } = await loadFixture(strayLatFixture);
    const held = await c.disputeManager.heldDeposits();
    const before = await c.token.balanceOf(voters[0]!.address);
    const id = (await task<{ proposalId: bigint }>(file, "gov propose", recovery("all"))).result.proposalId.toString();
    // More LAT arrives while the proposal is voted on: "all" is read when it executes.
    await c.token.connect((await ethers.getSigners())[Number(ACCOUNT.funder)]!).transfer(await c.disputeManager.getAddress(), parseEther("5"));
    const { output } = (await passProposal(file, id))["gov execute"][0]!;
    expect(await c.token.balanceOf(voters[0]!.address)).to.equal(before + STRAY + parseEther("5"));
    expect(await c.disputeManager.heldDeposits()).to.equal(held);
    expect(await c.token.balanceOf(await c.disputeManager.getAddress())).to.equal(held);
    expect(output).to.match(new RegExp(`\n  DisputeManager recovered 80\\.0 LAT \\(token ${await c.token.getAddress()}\\) to ${voters[0]!.address}$`));
  });

  it("reads another token's amount in its decimals, and refuses more than its balance, the whole of which is recoverable", async function () {
    const { file, c, other, voters } = await loadFixture(strayOtherFixture);
    const { result } = await task<{ calldata: string }>(file, "gov propose", recovery("1000", { token: other }));
    expect(result.calldata).to.equal(c.disputeManager.interface.encodeFunctionData("recoverTokens", [other, voters[0]!.address, parseEther("1000")]));
    await taskFails(
      file,
      "gov propose",
      recovery("1000.5", { token: other }),
      InputError,
      /^--amount: 1000\.5 LAT is more than the 1000\.0 LAT recoverable now \(the DisputeManager's whole balance of it\), so the recovery would fail at execution: give at most 1000\.0, or all/,
    );
  });

  it("refuses more LAT than is recoverable now, naming the surplus above the deposits held, before proposing", async function () {
    const { file, c } = await loadFixture(strayLatFixture);
    const held = await c.disputeManager.heldDeposits();
    await taskFails(
      file,
      "gov propose",
      recovery("75.000000000000000001"),
      InputError,
      new RegExp(
        `^--amount: 75\\.000000000000000001 LAT is more than the 75\\.0 LAT recoverable now \\(the DisputeManager holds ${formatEther(STRAY + held).replace(".", "\\.")} LAT, ` +
          `of which ${formatEther(held).replace(".", "\\.")} LAT are the deposits of unresolved disputes, heldDeposits\\(\\)\\), so the recovery would fail at execution: give at most 75\\.0, or all for all`,
      ),
    );
    expect(await c.governor.queryFilter(c.governor.filters.ProposalCreated())).to.have.length(0);
  });

  it("refuses any LAT amount while only deposits are held, saying nothing is recoverable now, but takes all", async function () {
    const { file } = await loadFixture(disputeOpenFixture);
    await taskFails(file, "gov propose", recovery("1"), InputError, /^--amount: 1\.0 LAT is more than the 0\.0 LAT recoverable now .*: nothing is recoverable now, or all for all that is recoverable when the proposal executes$/);
    const { result } = await task<{ proposalId: bigint }>(file, "gov propose", recovery("all"));
    expect(result.proposalId).to.be.a("bigint");
  });

  it("refuses a zero amount", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("0"), InputError, /^--amount: must be more than 0 LAT$/);
  });

  it("refuses an amount that is not a number, offering all", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(
      file,
      "gov propose",
      recovery("lots"),
      InputError,
      /^--amount: "lots" is not an amount of LAT: use a decimal number such as 1500 or 0\.25, or all \(everything recoverable when the proposal executes\)$/,
    );
  });

  it("refuses the zero address as recipient", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { to: ZeroAddress }), InputError, /^--to: the zero address is not allowed/);
  });

  it("refuses a recipient that is neither an address nor an account index", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { to: "0x1234" }), InputError, /^--to: "0x1234" is neither an address nor an account index/);
  });

  it("refuses the DisputeManager itself as recipient", async function () {
    const { file, c } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { to: await c.disputeManager.getAddress() }), InputError, /^--to: 0x\w+ is the DisputeManager itself/);
  });

  it("refuses a --token that is not an address", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { token: "USDC" }), InputError, /^--token: "USDC" is not an address/);
  });

  it("refuses a --token with no contract at its address", async function () {
    const { file, voters } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { token: voters[1]!.address }), InputError, /^--token: 0x\w+ is no contract, so no token/);
  });

  it("refuses a --token that is a contract but no ERC20", async function () {
    const { file, c } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { token: await c.staking.getAddress() }), InputError, /^--token: 0x\w+ does not answer balanceOf: it is not an ERC20 token$/);
  });

  it("refuses a contract without recoverTokens, naming the ones that have it", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(
      file,
      "gov propose",
      recovery("1", { contract: "ProviderRegistry" }),
      InputError,
      /^--set: ProviderRegistry has no recoverTokens: only DisputeManager, JobEscrow and Staking send back tokens/,
    );
  });

  it("refuses an unknown contract", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { contract: "Treasury" }), InputError, /^--contract: "Treasury" is not one of /);
  });

  it("requires --token, --to and --amount", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", { ...recovery("1"), token: undefined }, InputError, /^--token: required with --set recoverTokens/);
    await taskFails(file, "gov propose", { ...recovery("1"), to: undefined }, InputError, /^--to: required with --set recoverTokens/);
    await taskFails(file, "gov propose", { ...recovery("1"), amount: undefined }, InputError, /^--amount: required with --set recoverTokens/);
  });

  it("refuses --value, which recoverTokens does not take", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", recovery("1", { value: "1" }), InputError, /^--value: recoverTokens takes --token, --to and --amount, not --value$/);
  });

  it("refuses --token, --to or --amount with a parameter change", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(file, "gov propose", { ...UNPAUSE, amount: "1" }, InputError, /^--amount: only for --set recoverTokens, not for --set unpause$/);
  });

  it("lists recoverTokens among the DisputeManager's functions when --set names none", async function () {
    const { file } = await loadFixture(strayLatFixture);
    await taskFails(
      file,
      "gov propose",
      { from: ACCOUNT.funder, contract: "DisputeManager", set: "recover", value: "1", description: "x" },
      InputError,
      /^--set: DisputeManager has no parameter setter "recover" that governance alone calls: choose one of .*recoverTokens \(with --token, --to and --amount\)$/,
    );
  });
});

describe("tasks: gov propose --set recoverTokens on the JobEscrow and Staking", function () {
  /** 1,000 of another ERC20 sent to the JobEscrow and to Staking each by mistake; both hold LAT that is owed. */
  async function strayInEscrowAndStakingFixture() {
    const b = await disputeOpenFixture();
    const other = await new LatentToken__factory(b.deployer).deploy(b.funder.address, parseEther("1000000"), [], [], [ZeroAddress, ZeroAddress, ZeroAddress]);
    for (const target of [b.c.jobEscrow, b.c.staking]) await other.connect(b.funder).transfer(await target.getAddress(), parseEther("1000"));
    return { ...b, other: await other.getAddress() };
  }

  for (const contract of ["JobEscrow", "Staking"] as const) {
    const owed = contract === "JobEscrow" ? "the escrow of its jobs" : "providers' stake";
    const of = (c: Awaited<ReturnType<typeof strayInEscrowAndStakingFixture>>["c"]) => (contract === "JobEscrow" ? c.jobEscrow : c.staking);

    it(`${contract}: builds recoverTokens(token, recipient, amount) with the amount in the token's decimals, which gov status shows`, async function () {
      const { file, c, other, voters } = await loadFixture(strayInEscrowAndStakingFixture);
      const { result, output } = await task<{ proposalId: bigint; calldata: string; target: string }>(file, "gov propose", recovery("999.25", { contract, token: other }));
      expect(result.target).to.equal(await of(c).getAddress());
      expect(result.calldata).to.equal(of(c).interface.encodeFunctionData("recoverTokens", [other, voters[0]!.address, parseEther("999.25")]));
      expect(output).to.contain(`\n  ${contract}.recoverTokens: 999.25 LAT (token ${other}) to ${voters[0]!.address}; 1000.0 LAT recoverable now (the ${contract}'s whole balance of it)\n`);
      const status = await task(file, "gov status", { id: result.proposalId.toString() });
      expect(status.output).to.match(new RegExp(`\n  action 1 +${contract}\\.recoverTokens\\(${other}, ${voters[0]!.address}, 999\\.25 LAT\\)\n`));
    });

    it(`${contract}: refuses LAT by name, given as LAT or as its address, before proposing`, async function () {
      const { file, c } = await loadFixture(strayInEscrowAndStakingFixture);
      const lat = await c.token.getAddress();
      for (const token of ["LAT", lat]) {
        await taskFails(
          file,
          "gov propose",
          recovery("all", { contract, token }),
          InputError,
          new RegExp(`^--token: ${contract} cannot recover LAT \\(${lat}\\): all the LAT it holds counts as ${owed}.*would revert with ${contract}RecoveryOfLat`),
        );
      }
      expect(await c.governor.queryFilter(c.governor.filters.ProposalCreated())).to.have.length(0);
    });

    it(`${contract}: refuses more than its balance of the token, the whole of which is recoverable`, async function () {
      const { file, other } = await loadFixture(strayInEscrowAndStakingFixture);
      await taskFails(
        file,
        "gov propose",
        recovery("1000.5", { contract, token: other }),
        InputError,
        new RegExp(`^--amount: 1000\\.5 LAT is more than the 1000\\.0 LAT recoverable now \\(the ${contract}'s whole balance of it\\), so the recovery would fail at execution: give at most 1000\\.0, or all`),
      );
    });

    it(`${contract}: refuses the zero address as recipient, naming ${contract}RecoveryZeroRecipient`, async function () {
      const { file, other } = await loadFixture(strayInEscrowAndStakingFixture);
      await taskFails(file, "gov propose", recovery("1", { contract, token: other, to: ZeroAddress }), InputError, new RegExp(`^--to: the zero address is not allowed \\(the recovery would revert with ${contract}RecoveryZeroRecipient\\)$`));
    });

    it(`${contract}: refuses the ${contract} itself as recipient`, async function () {
      const { file, c, other } = await loadFixture(strayInEscrowAndStakingFixture);
      await taskFails(file, "gov propose", recovery("1", { contract, token: other, to: await of(c).getAddress() }), InputError, new RegExp(`^--to: 0x\\w+ is the ${contract} itself`));
    });

    it(`${contract}: refuses a --token that is a contract but no ERC20`, async function () {
      const { file, c } = await loadFixture(strayInEscrowAndStakingFixture);
      await taskFails(file, "gov propose", recovery("1", { contract, token: await c.registry.getAddress() }), InputError, /^--token: 0x\w+ does not answer balanceOf: it is not an ERC20 token$/);
    });

    it(`${contract}: a recovery of all passes end to end and gov execute prints it in the token's units`, async function () {
      const { file, c, other, voters } = await loadFixture(strayInEscrowAndStakingFixture);
      const token = LatentToken__factory.connect(other, ethers.provider);
      const before = await token.balanceOf(voters[0]!.address);
      const latHeld = await c.token.balanceOf(await of(c).getAddress());
      const id = (await task<{ proposalId: bigint }>(file, "gov propose", recovery("all", { contract, token: other }))).result.proposalId.toString();
      // More arrives while the proposal is voted on: "all" is read when it executes.
      await (token.connect((await ethers.getSigners())[Number(ACCOUNT.funder)]!) as typeof token).transfer(await of(c).getAddress(), parseEther("5"));
      const { output } = (await passProposal(file, id))["gov execute"][0]!;
      expect(await token.balanceOf(voters[0]!.address)).to.equal(before + parseEther("1005"));
      expect(await c.token.balanceOf(await of(c).getAddress())).to.equal(latHeld);
      expect(output).to.match(new RegExp(`\n  ${contract} recovered 1005\\.0 LAT \\(token ${other}\\) to ${voters[0]!.address}$`));
    });
  }
});

describe("tasks: guardian", function () {
  it("pause by the guardian pauses the protocol", async function () {
    const { file, c } = await loadFixture(tasksBaseFixture);
    await task(file, "guardian pause", { from: ACCOUNT.guardian });
    expect(await c.pauseGuardian.isPaused()).to.equal(true);
  });

  it("status reports the pause and when it ends", async function () {
    const { file } = await loadFixture(tasksBaseFixture);
    await task(file, "guardian pause", { from: ACCOUNT.guardian });
    const pausedAt = await time.latest();
    const { result, output } = await task<GuardianStatus>(file, "guardian status", {});
    const guardian = (await ethers.getSigners())[Number(ACCOUNT.guardian)]!.address;
    expect(result).to.include({ paused: true, pausedUntil: pausedAt + 3 * 86_400, pausedBy: guardian });
    expect(output).to.match(new RegExp(`^Protocol PAUSED by ${guardian} until `));
  });

  it("status runs with no account configured (a public RPC with no key), printing what it prints with one", async function () {
    const { file } = await loadFixture(tasksBaseFixture);
    await task(file, "guardian pause", { from: ACCOUNT.guardian });
    const { withAccounts, without } = await withAndWithoutAccounts<GuardianStatus>(file, "guardian status", {});
    expect(without.result).to.deep.equal(withAccounts.result);
    expect(without.output).to.equal(withAccounts.output).and.to.match(/^Protocol PAUSED by 0x[0-9a-fA-F]{40} until /);
  });

  it("pause by anyone else reverts with PauseGuardianNotGuardian, naming the guardian who may", async function () {
    const { file, clients } = await loadFixture(tasksBaseFixture);
    const guardian = (await ethers.getSigners())[Number(ACCOUNT.guardian)]!.address;
    await taskFails(
      file,
      "guardian pause",
      { from: ACCOUNT.client0 },
      RevertError,
      new RegExp(`PauseGuardianNotGuardian\\(caller=${clients[0]!.address}\\): only the guardian ${guardian} pauses \\(governance appoints it\\)$`),
    );
  });

  it("pause with no guardian (governance removed it) reverts with PauseGuardianNotGuardian, saying only governance pauses", async function () {
    const { file, c } = await loadFixture(tasksBaseFixture);
    const timelock = await c.timelock.getAddress();
    await impersonateAccount(timelock);
    await setBalance(timelock, parseEther("1"));
    await c.pauseGuardian.connect(await ethers.getSigner(timelock)).setGuardian(ZeroAddress);
    await stopImpersonatingAccount(timelock);
    await taskFails(file, "guardian pause", { from: ACCOUNT.guardian }, RevertError, /PauseGuardianNotGuardian\(caller=0x[0-9a-fA-F]{40}\): there is no guardian \(governance removed it\): only governance pauses/);
  });

  it("pause during the cooldown after a pause says when the last ended, why the guardian must wait, and that governance may pause", async function () {
    const { file } = await loadFixture(tasksBaseFixture);
    await task(file, "guardian pause", { from: ACCOUNT.guardian });
    await time.increase(3 * 86_400 + 1);
    await taskFails(
      file,
      "guardian pause",
      { from: ACCOUNT.guardian },
      RevertError,
      /^PauseGuardian\.pause reverted: PauseGuardianCoolingDown\(availableAt=\d+ \([^)]*, in [^)]+\)\): the last pause ended \S+ \([^)]+ ago\), and the guardian may pause again only a pause duration \(3d\) after the end of the last, so that its pauses cannot follow one another; governance pauses at any time \(gov propose --contract PauseGuardian --set renewPause --value <its end>\)$/,
    );
  });

  it("status says when the guardian may pause again, during a pause and the cooldown after it, and nothing once it may", async function () {
    const { file } = await loadFixture(tasksBaseFixture);
    const before = await task<GuardianStatus>(file, "guardian status", {});
    expect(before.result.guardianMayPauseFrom).to.equal(null);
    expect(before.output).to.not.contain("may pause again");
    await task(file, "guardian pause", { from: ACCOUNT.guardian });
    const pausedAt = await time.latest();
    // During the pause, then in the cooldown after it.
    for (const after of [1, 3 * 86_400]) {
      await time.increase(after);
      const { result, output } = await task<GuardianStatus>(file, "guardian status", {});
      expect(result.guardianMayPauseFrom).to.equal(pausedAt + 6 * 86_400);
      expect(output).to.match(/\n {2}the guardian may pause again from \S+ \(in [^)]+\) \(a pause duration after the last one ends\)$/);
    }
    await time.increase(3 * 86_400);
    const { result, output } = await task<GuardianStatus>(file, "guardian status", {});
    expect(result.guardianMayPauseFrom).to.equal(null);
    expect(output).to.not.contain("may pause again");
  });

  it("a paused protocol refuses registrations with the pause's end", async function () {
    const { file } = await loadFixture(tasksBaseFixture);
    await task(file, "guardian pause", { from: ACCOUNT.guardian });
    await taskFails(
      file,
      "provider register",
      { from: ACCOUNT.provider2, model: "l40s-48gb", count: "4", region: "eu-west", price: "0.9", metadataUri: "https://x" },
      RevertError,
      /PauseGuardianProtocolPaused\(pausedUntil=\d+ \(\d{4}-/,
    );
  });
});
