import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String, parseEther, toBeHex, ZeroAddress, ZeroHash, type BaseContract } from "ethers";
import { DEVNET_GOVERNANCE, type LatentContracts } from "../../../scripts/deploy";
import {
  Vote,
  advancePastVoting,
  advanceToVoting,
  describeProposal,
  propose,
  queueProposal,
} from "../../../scripts/scenario";
import type { ProposalHandle } from "../../../scripts/scenario";
import { baseFixture } from "../../helpers/fixtures";

/** IGovernor.ProposalState */
enum State {
  Pending,
  Active,
  Canceled,
  Defeated,
  Succeeded,
  Queued,
  Expired,
  Executed,
}

describe("LatentGovernor and LatentTimelock", function () {
  async function delegatedFixture() {
    const b = await baseFixture();
    await b.c.token.connect(b.funder).delegate(b.funder.address);
    await time.increase(1);
    const setMinStake = async (value: bigint): Promise<ProposalHandle> =>
      describeProposal(
        b.s,
        [{ target: await b.c.staking.getAddress(), data: b.c.staking.interface.encodeFunctionData("setMinStakePerGpu", [value]) }],
        `set minStakePerGpu to ${value}`,
      );
    /** Proposes one call, votes it through and queues it; returns it ready to execute. */
    const queued = async (target: string, data: string, description: string): Promise<ProposalHandle> => {
      const p = await propose(b.s, [{ target, data }], description);
      await advanceToVoting(b.s, p);
      await b.c.governor.connect(b.funder).castVote(p.proposalId, Vote.For);
      await advancePastVoting(b.s, p);
      await queueProposal(b.s, p);
      await time.increaseTo(await b.c.governor.proposalEta(p.proposalId));
      return p;
    };
    return { ...b, setMinStake, queued };
  }

  describe("settings", function () {
    it("are the deployment's governance timings on the token's timestamp clock", async function () {
      const { c } = await loadFixture(baseFixture);
      expect(await c.governor.name()).to.equal("LatentGovernor");
      expect(await c.governor.votingDelay()).to.equal(BigInt(DEVNET_GOVERNANCE.votingDelay));
      expect(await c.governor.votingPeriod()).to.equal(BigInt(DEVNET_GOVERNANCE.votingPeriod));
      expect(await c.governor.proposalThreshold()).to.equal(DEVNET_GOVERNANCE.proposalThreshold);
      expect(await c.governor["quorumNumerator()"]()).to.equal(BigInt(DEVNET_GOVERNANCE.quorumNumerator));
      expect(await c.governor.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await c.governor.clock()).to.equal(BigInt(await time.latest()));
      expect(await c.timelock.getMinDelay()).to.equal(BigInt(DEVNET_GOVERNANCE.timelockDelay));
    });

    it("emit their initial values at deployment", async function () {
      const { c } = await loadFixture(baseFixture);
      const tx = c.governor.deploymentTransaction();
      await expect(tx).to.emit(c.governor, "VotingDelaySet").withArgs(0, DEVNET_GOVERNANCE.votingDelay);
      await expect(tx).to.emit(c.governor, "VotingPeriodSet").withArgs(0, DEVNET_GOVERNANCE.votingPeriod);
      await expect(tx).to.emit(c.governor, "QuorumNumeratorUpdated").withArgs(0, DEVNET_GOVERNANCE.quorumNumerator);
      await expect(tx).to.emit(c.governor, "TimelockChange").withArgs(ZeroAddress, await c.timelock.getAddress());
      await expect(tx).to.emit(c.governor, "ProposalThresholdSet").withArgs(0, DEVNET_GOVERNANCE.proposalThreshold);
      await expect(c.timelock.deploymentTransaction())
        .to.emit(c.timelock, "RoleGranted")
        .withArgs(await c.timelock.PROPOSER_ROLE(), await c.governor.getAddress(), (await c.timelock.deploymentTransaction())!.from);
      await expect(c.timelock.deploymentTransaction()).to.emit(c.timelock, "MinDelayChange").withArgs(0, DEVNET_GOVERNANCE.timelockDelay);
    });
  });

  describe("timelock roles", function () {
    it("give the governor alone the proposer and canceller roles, everyone the executor role, no admin but itself", async function () {
      const { c, deployer } = await loadFixture(baseFixture);
      const governor = await c.governor.getAddress();
      const timelock = await c.timelock.getAddress();
      expect(await c.timelock.hasRole(await c.timelock.PROPOSER_ROLE(), governor)).to.equal(true);
      expect(await c.timelock.hasRole(await c.timelock.CANCELLER_ROLE(), governor)).to.equal(true);
      expect(await c.timelock.hasRole(await c.timelock.EXECUTOR_ROLE(), ZeroAddress)).to.equal(true);
      expect(await c.timelock.hasRole(await c.timelock.DEFAULT_ADMIN_ROLE(), timelock)).to.equal(true);
      for (const role of [await c.timelock.DEFAULT_ADMIN_ROLE(), await c.timelock.PROPOSER_ROLE(), await c.timelock.CANCELLER_ROLE()]) {
        expect(await c.timelock.hasRole(role, deployer.address)).to.equal(false);
      }
    });

    it("refuse a direct schedule from an account, the deployer included", async function () {
      const { c, deployer } = await loadFixture(baseFixture);
      await expect(c.timelock.connect(deployer).schedule(ZeroAddress, 0, "0x", ZeroHash, ZeroHash, 60))
        .to.be.revertedWithCustomError(c.timelock, "AccessControlUnauthorizedAccount")
        .withArgs(deployer.address, await c.timelock.PROPOSER_ROLE());
    });
  });

  describe("a parameter change end to end", function () {
    it("is proposed, voted, queued and executed through the timelock", async function () {
      const { s, c, funder, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(parseEther("250"));
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      await expect(c.governor.connect(funder).propose(p.targets, p.values, p.calldatas, p.description))
        .to.emit(c.governor, "ProposalCreated")
        .withArgs(p.proposalId, funder.address, p.targets, p.values, [""], p.calldatas, t + DEVNET_GOVERNANCE.votingDelay, t + DEVNET_GOVERNANCE.votingDelay + DEVNET_GOVERNANCE.votingPeriod, p.description);
      expect(await c.governor.state(p.proposalId)).to.equal(State.Pending);

      await advanceToVoting(s, p);
      const weight = await c.token.getVotes(funder.address);
      await expect(c.governor.connect(funder).castVote(p.proposalId, Vote.For))
        .to.emit(c.governor, "VoteCast")
        .withArgs(funder.address, p.proposalId, Vote.For, weight, "");
      await advancePastVoting(s, p);
      expect(await c.governor.state(p.proposalId)).to.equal(State.Succeeded);

      const q = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(q);
      const queued = c.governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash);
      await expect(queued).to.emit(c.governor, "ProposalQueued").withArgs(p.proposalId, q + DEVNET_GOVERNANCE.timelockDelay);
      await expect(queued)
        .to.emit(c.timelock, "CallScheduled")
        .withArgs(p.timelockOperationId, 0, p.targets[0], 0, p.calldatas[0], ZeroHash, DEVNET_GOVERNANCE.timelockDelay);
      const salt = toBeHex((BigInt(await c.governor.getAddress()) << 96n) ^ BigInt(p.descriptionHash), 32);
      await expect(queued).to.emit(c.timelock, "CallSalt").withArgs(p.timelockOperationId, salt);

      await time.increaseTo(q + DEVNET_GOVERNANCE.timelockDelay);
      const executed = c.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash);
      await expect(executed).to.emit(c.governor, "ProposalExecuted").withArgs(p.proposalId);
      await expect(executed).to.emit(c.timelock, "CallExecuted").withArgs(p.timelockOperationId, 0, p.targets[0], 0, p.calldatas[0]);
      await expect(executed).to.emit(c.staking, "ParameterUpdated").withArgs(encodeBytes32String("minStakePerGpu"), parseEther("250"));
      expect(await c.staking.minStakePerGpu()).to.equal(parseEther("250"));
    });

    it("cannot execute before the timelock delay has passed", async function () {
      const { s, c, funder, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(parseEther("250"));
      await propose(s, p.targets.map((target, i) => ({ target, data: p.calldatas[i]! })), p.description);
      await advanceToVoting(s, p);
      await c.governor.connect(funder).castVote(p.proposalId, Vote.For);
      await advancePastVoting(s, p);
      await queueProposal(s, p);
      // The expected state is a bitmap with the bit of OperationState.Ready (2) set.
      await expect(c.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.be.revertedWithCustomError(c.timelock, "TimelockUnexpectedOperationState")
        .withArgs(p.timelockOperationId, `0x${"00".repeat(31)}04`);
    });

    it("fails at execution when the value is outside the contract's bounds", async function () {
      const { s, c, funder, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(1n);
      await propose(s, p.targets.map((target, i) => ({ target, data: p.calldatas[i]! })), p.description);
      await advanceToVoting(s, p);
      await c.governor.connect(funder).castVote(p.proposalId, Vote.For);
      await advancePastVoting(s, p);
      await queueProposal(s, p);
      await time.increaseTo(await c.governor.proposalEta(p.proposalId));
      await expect(c.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.be.revertedWithCustomError(c.staking, "GovernedParameterOutOfBounds")
        .withArgs(encodeBytes32String("minStakePerGpu"), 1n, parseEther("1"), parseEther("1000000"));
    });

    it("is defeated without quorum", async function () {
      const { s, c, clients, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(parseEther("250"));
      await propose(s, p.targets.map((target, i) => ({ target, data: p.calldatas[i]! })), p.description);
      await c.token.connect(clients[0]!).delegate(clients[0]!.address);
      await advanceToVoting(s, p);
      await advancePastVoting(s, p);
      expect(await c.governor.state(p.proposalId)).to.equal(State.Defeated);
    });
  });

  describe("settings bounds", function () {
    const MAX = 30 * 24 * 3600;

    /**
     * Passes and queues the proposal `call` builds (its target and calldata); `execute` then runs it (a function, so
     * that nothing is sent before the assertion awaits it).
     */
    async function queuedSetting(call: (c: LatentContracts) => [BaseContract, string], description: string) {
      const f = await loadFixture(delegatedFixture);
      const [target, data] = call(f.c);
      const p = await f.queued(await target.getAddress(), data, description);
      return { c: f.c, execute: () => f.c.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash) };
    }

    it("a proposal setting the voting delay above MAX_VOTING_DELAY fails at execution", async function () {
      const tooLong = 2n ** 48n - 1n;
      const { c, execute } = await queuedSetting(
        (c) => [c.governor, c.governor.interface.encodeFunctionData("setVotingDelay", [tooLong])],
        "voting delay to 2^48 - 1",
      );
      expect(await c.governor.MAX_VOTING_DELAY()).to.equal(MAX);
      await expect(execute())
        .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
        .withArgs(encodeBytes32String("votingDelay"), tooLong, 0, MAX);
      expect(await c.governor.votingDelay()).to.equal(DEVNET_GOVERNANCE.votingDelay);
    });

    it("a proposal setting the voting delay to MAX_VOTING_DELAY executes", async function () {
      const { c, execute } = await queuedSetting(
        (c) => [c.governor, c.governor.interface.encodeFunctionData("setVotingDelay", [MAX])],
        "voting delay to 30 days",
      );
      await expect(execute()).to.emit(c.governor, "VotingDelaySet").withArgs(DEVNET_GOVERNANCE.votingDelay, MAX);
    });

    it("a proposal setting the voting period above MAX_VOTING_PERIOD fails at execution", async function () {
      const tooLong = 2n ** 32n - 1n;
      const { c, execute } = await queuedSetting(
        (c) => [c.governor, c.governor.interface.encodeFunctionData("setVotingPeriod", [tooLong])],
        "voting period to 2^32 - 1",
      );
      expect(await c.governor.MAX_VOTING_PERIOD()).to.equal(MAX);
      await expect(execute())
        .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
        .withArgs(encodeBytes32String("votingPeriod"), tooLong, 1, MAX);
      expect(await c.governor.votingPeriod()).to.equal(DEVNET_GOVERNANCE.votingPeriod);
    });

    it("a proposal setting the timelock delay above MAX_DELAY fails at execution", async function () {
      const tooLong = 2n ** 255n;
      const { c, execute } = await queuedSetting(
        (c) => [c.timelock, c.timelock.interface.encodeFunctionData("updateDelay", [tooLong])],
        "timelock delay to 2^255",
      );
      expect(await c.timelock.MAX_DELAY()).to.equal(MAX);
      await expect(execute()).to.be.revertedWithCustomError(c.timelock, "LatentTimelockDelayTooLong").withArgs(tooLong, MAX);
      expect(await c.timelock.getMinDelay()).to.equal(DEVNET_GOVERNANCE.timelockDelay);
    });

    it("a proposal setting the timelock delay to MAX_DELAY executes", async function () {
      const { c, execute } = await queuedSetting(
        (c) => [c.timelock, c.timelock.interface.encodeFunctionData("updateDelay", [MAX])],
        "timelock delay to 30 days",
      );
      await expect(execute()).to.emit(c.timelock, "MinDelayChange").withArgs(DEVNET_GOVERNANCE.timelockDelay, MAX);
    });

    it("a proposal setting the proposal threshold above 1% of the supply fails at execution", async function () {
      const { c, execute } = await queuedSetting(
        (c) => [c.governor, c.governor.interface.encodeFunctionData("setProposalThreshold", [parseEther("10000001")])],
        "proposal threshold above 1%",
      );
      const max = (await c.token.totalSupply()) / 100n;
      expect(await c.governor.maxProposalThreshold()).to.equal(max);
      await expect(execute())
        .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
        .withArgs(encodeBytes32String("proposalThreshold"), parseEther("10000001"), 0, max);
      expect(await c.governor.proposalThreshold()).to.equal(DEVNET_GOVERNANCE.proposalThreshold);
    });

    it("a proposal setting the proposal threshold to 1% of the supply executes", async function () {
      const { c, execute } = await queuedSetting(
        (c) => [c.governor, c.governor.interface.encodeFunctionData("setProposalThreshold", [parseEther("10000000")])],
        "proposal threshold to 1%",
      );
      await expect(execute())
        .to.emit(c.governor, "ProposalThresholdSet")
        .withArgs(DEVNET_GOVERNANCE.proposalThreshold, parseEther("10000000"));
    });

    it("setProposalThreshold is refused to anyone but governance", async function () {
      const { c, funder } = await loadFixture(delegatedFixture);
      await expect(c.governor.connect(funder).setProposalThreshold(0))
        .to.be.revertedWithCustomError(c.governor, "GovernorOnlyExecutor")
        .withArgs(funder.address);
    });

    for (const [numerator, title] of [[51, "above MAX_QUORUM_NUMERATOR"], [0, "below MIN_QUORUM_NUMERATOR"]] as const) {
      it(`a proposal setting the quorum ${title} fails at execution`, async function () {
        const { c, execute } = await queuedSetting(
          (c) => [c.governor, c.governor.interface.encodeFunctionData("updateQuorumNumerator", [numerator])],
          `quorum to ${numerator}%`,
        );
        await expect(execute())
          .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
          .withArgs(encodeBytes32String("quorumNumerator"), numerator, 1, 50);
        expect(await c.governor["quorumNumerator()"]()).to.equal(BigInt(DEVNET_GOVERNANCE.quorumNumerator));
      });
    }

    it("a proposal setting the quorum to MAX_QUORUM_NUMERATOR executes", async function () {
      const { c, execute } = await queuedSetting(
        (c) => [c.governor, c.governor.interface.encodeFunctionData("updateQuorumNumerator", [50])],
        "quorum to 50%",
      );
      expect(await c.governor.MAX_QUORUM_NUMERATOR()).to.equal(50n);
      await expect(execute()).to.emit(c.governor, "QuorumNumeratorUpdated").withArgs(DEVNET_GOVERNANCE.quorumNumerator, 50);
    });

    it("a proposal pointing the governor at another timelock fails at execution, and the governor keeps its own", async function () {
      const elsewhere = "0x000000000000000000000000000000000000dEaD";
      const { c, execute } = await queuedSetting(
        (c) => [c.governor, c.governor.interface.encodeFunctionData("updateTimelock", [elsewhere])],
        "timelock to 0xdead",
      );
      const timelock = await c.timelock.getAddress();
      await expect(execute()).to.be.revertedWithCustomError(c.governor, "LatentGovernorTimelockFixed").withArgs(timelock, elsewhere);
      expect(await c.governor.timelock()).to.equal(timelock);
    });

    it("a governor setter is refused to a timelock operation that the governor's own execute did not queue", async function () {
      const { c, deployer, timelock } = await loadFixture(delegatedFixture);
      // The timelock (as if by proposal) makes the deployer a proposer, which then schedules the call directly.
      await c.timelock.connect(timelock).grantRole(await c.timelock.PROPOSER_ROLE(), deployer.address);
      const [target, data] = [await c.governor.getAddress(), c.governor.interface.encodeFunctionData("setVotingPeriod", [120])];
      await c.timelock.connect(deployer).schedule(target, 0, data, ZeroHash, ZeroHash, DEVNET_GOVERNANCE.timelockDelay);
      await time.increase(DEVNET_GOVERNANCE.timelockDelay);
      // The governor finds no call of its own execute queued for it: DoubleEndedQueue's pop of an empty queue.
      await expect(c.timelock.connect(deployer).execute(target, 0, data, ZeroHash, ZeroHash)).to.be.revertedWithPanic(0x31);
      expect(await c.governor.votingPeriod()).to.equal(BigInt(DEVNET_GOVERNANCE.votingPeriod));
    });

    it("updateDelay is refused to anyone but the timelock itself", async function () {
      const { c, funder } = await loadFixture(delegatedFixture);
      await expect(c.timelock.connect(funder).updateDelay(MAX + 1))
        .to.be.revertedWithCustomError(c.timelock, "TimelockUnauthorizedCaller")
        .withArgs(funder.address);
    });

    it("the constructors refuse settings above the bounds", async function () {
      const { c, deployer } = await loadFixture(delegatedFixture);
      const Timelock = await ethers.getContractFactory("LatentTimelock", deployer);
      await expect(Timelock.deploy(MAX + 1, [], [], ZeroAddress))
        .to.be.revertedWithCustomError(c.timelock, "LatentTimelockDelayTooLong")
        .withArgs(MAX + 1, MAX);
      const Governor = await ethers.getContractFactory("LatentGovernor", deployer);
      const [token, timelock] = [await c.token.getAddress(), await c.timelock.getAddress()];
      await expect(Governor.deploy(token, timelock, MAX + 1, 60, 0, 4))
        .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
        .withArgs(encodeBytes32String("votingDelay"), MAX + 1, 0, MAX);
      await expect(Governor.deploy(token, timelock, 10, MAX + 1, 0, 4))
        .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
        .withArgs(encodeBytes32String("votingPeriod"), MAX + 1, 1, MAX);
      const maxThreshold = (await c.token.totalSupply()) / 100n;
      await expect(Governor.deploy(token, timelock, 10, 60, maxThreshold + 1n, 4))
        .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
        .withArgs(encodeBytes32String("proposalThreshold"), maxThreshold + 1n, 0, maxThreshold);
      await expect(Governor.deploy(token, timelock, 10, 60, 0, 51))
        .to.be.revertedWithCustomError(c.governor, "LatentGovernorSettingOutOfBounds")
        .withArgs(encodeBytes32String("quorumNumerator"), 51, 1, 50);
    });
  });

  describe("veto", function () {
    it("cancels a queued proposal's timelock operation through Governor.relay", async function () {
      const { s, c, funder, setMinStake } = await loadFixture(delegatedFixture);
      const vetoed = await setMinStake(parseEther("250"));
      const veto = await describeProposal(
        s,
        [
          {
            target: await c.governor.getAddress(),
            data: c.governor.interface.encodeFunctionData("relay", [
              await c.timelock.getAddress(),
              0n,
              c.timelock.interface.encodeFunctionData("cancel", [vetoed.timelockOperationId]),
            ]),
          },
        ],
        "veto",
      );
      for (const p of [vetoed, veto]) await propose(s, p.targets.map((target, i) => ({ target, data: p.calldatas[i]! })), p.description);
      await advanceToVoting(s, veto);
      for (const p of [vetoed, veto]) await c.governor.connect(funder).castVote(p.proposalId, Vote.For);
      await advancePastVoting(s, veto);
      for (const p of [vetoed, veto]) await queueProposal(s, p);
      await time.increaseTo(await c.governor.proposalEta(veto.proposalId));
      await expect(c.governor.execute(veto.targets, veto.values, veto.calldatas, veto.descriptionHash))
        .to.emit(c.timelock, "Cancelled")
        .withArgs(vetoed.timelockOperationId);
      expect(await c.governor.state(vetoed.proposalId)).to.equal(State.Canceled);
    });
  });

  describe("proposals", function () {
    it("are refused below the proposal threshold", async function () {
      const { c, clients, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(parseEther("250"));
      await expect(c.governor.connect(clients[0]!).propose(p.targets, p.values, p.calldatas, p.description))
        .to.be.revertedWithCustomError(c.governor, "GovernorInsufficientProposerVotes")
        .withArgs(clients[0]!.address, 0, DEVNET_GOVERNANCE.proposalThreshold);
    });

    it("can be cancelled by the proposer while pending", async function () {
      const { s, c, funder, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(parseEther("250"));
      await propose(s, p.targets.map((target, i) => ({ target, data: p.calldatas[i]! })), p.description);
      await expect(c.governor.connect(funder).cancel(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.emit(c.governor, "ProposalCanceled")
        .withArgs(p.proposalId);
      expect(await c.governor.state(p.proposalId)).to.equal(State.Canceled);
    });

    it("cannot be cancelled by anyone else", async function () {
      const { s, c, clients, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(parseEther("250"));
      await propose(s, p.targets.map((target, i) => ({ target, data: p.calldatas[i]! })), p.description);
      await expect(c.governor.connect(clients[0]!).cancel(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.be.revertedWithCustomError(c.governor, "GovernorUnableToCancel")
        .withArgs(p.proposalId, clients[0]!.address);
    });

    it("record votes cast with params as VoteCastWithParams", async function () {
      const { s, c, funder, setMinStake } = await loadFixture(delegatedFixture);
      const p = await setMinStake(parseEther("250"));
      await propose(s, p.targets.map((target, i) => ({ target, data: p.calldatas[i]! })), p.description);
      await advanceToVoting(s, p);
      const weight = await c.token.getVotes(funder.address);
      await expect(c.governor.connect(funder).castVoteWithReasonAndParams(p.proposalId, Vote.Abstain, "why", "0x01"))
        .to.emit(c.governor, "VoteCastWithParams")
        .withArgs(funder.address, p.proposalId, Vote.Abstain, weight, "why", "0x01");
    });
  });
});
