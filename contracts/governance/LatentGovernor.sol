// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {ILatentGovernor} from "../interfaces/ILatentGovernor.sol";

/// @title LatentGovernor
/// @notice See ILatentGovernor. Voting delay and period are in seconds (the token's clock is the timestamp).
///         Only delegated LAT votes: staked and escrowed tokens sit in protocol contracts and carry no votes.
///         The settings themselves (delay, period, threshold, quorum) change only through a proposal; the timelock
///         never changes.
contract LatentGovernor is
    ILatentGovernor,
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @notice Longest voting delay a deployment or a proposal may set, in seconds.
    uint48 public constant MAX_VOTING_DELAY = 30 days;
    /// @notice Longest voting period a deployment or a proposal may set, in seconds.
    uint32 public constant MAX_VOTING_PERIOD = 30 days;
    /// @notice Highest proposal threshold, in basis points of LAT's total supply (1%, Compound Governor Bravo's bound).
    uint256 public constant MAX_PROPOSAL_THRESHOLD_BPS = 100;
    /// @notice Lowest quorum a deployment or a proposal may set, in percent of the supply.
    uint256 public constant MIN_QUORUM_NUMERATOR = 1;
    /// @notice Highest quorum a deployment or a proposal may set, in percent of the supply.
    uint256 public constant MAX_QUORUM_NUMERATOR = 50;

    /// @param token_ LAT.
    /// @param timelock_ The LatentTimelock, which executes proposals and owns every protocol parameter.
    /// @param votingDelay_ Seconds from proposal to the start of voting (the vote snapshot).
    /// @param votingPeriod_ Seconds voting lasts.
    /// @param proposalThreshold_ Votes needed to propose.
    /// @param quorumNumerator_ Quorum, in percent of the supply at the snapshot.
    constructor(
        IVotes token_,
        TimelockController timelock_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumNumerator_
    )
        Governor("LatentGovernor")
        GovernorSettings(votingDelay_, votingPeriod_, proposalThreshold_)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(quorumNumerator_)
        GovernorTimelockControl(timelock_)
    {
        // GovernorSettings sets the threshold before GovernorVotes stores the token, whose supply bounds it.
        _checkProposalThreshold(proposalThreshold_);
    }

    /// @notice The highest proposal threshold `setProposalThreshold` accepts now: 1% of LAT's total supply.
    /// @return The threshold, in votes.
    function maxProposalThreshold() public view returns (uint256) {
        return (IERC20(address(token())).totalSupply() * MAX_PROPOSAL_THRESHOLD_BPS) / 10_000;
    }

    /// @notice Sets the votes needed to propose; bounded by `maxProposalThreshold`. Only through a proposal.
    /// @param newProposalThreshold Votes, in LAT wei.
    function setProposalThreshold(uint256 newProposalThreshold) public override onlyGovernance {
        _checkProposalThreshold(newProposalThreshold);
        _setProposalThreshold(newProposalThreshold);
    }

    /// @notice Refused, to governance too: the LatentTimelock owns every protocol parameter and the treasury, fixed in
    ///         each contract at construction, so the governor must keep queueing there (see ILatentGovernor).
    /// @param newTimelock The timelock the call asked for.
    function updateTimelock(TimelockController newTimelock) public view override {
        revert LatentGovernorTimelockFixed(timelock(), address(newTimelock));
    }

    /// @notice The token's clock: the timestamp (ERC-6372).
    /// @return The current timestamp.
    function clock() public view override(Governor, GovernorVotes, IERC6372) returns (uint48) {
        return super.clock();
    }

    /// @notice "mode=timestamp", as the token's.
    /// @return "mode=timestamp".
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public view override(Governor, GovernorVotes, IERC6372) returns (string memory) {
        return super.CLOCK_MODE();
    }

    /// @inheritdoc IGovernor
    /// @return Seconds from a proposal to the start of its vote.
    function votingDelay() public view override(Governor, GovernorSettings, IGovernor) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc IGovernor
    /// @return Seconds a vote lasts.
    function votingPeriod() public view override(Governor, GovernorSettings, IGovernor) returns (uint256) {
        return super.votingPeriod();
    }

    /// @inheritdoc IGovernor
    /// @param timepoint The timestamp the supply is read at.
    /// @return The votes a proposal needs (for and abstain) to pass.
    function quorum(
        uint256 timepoint
    ) public view override(Governor, GovernorVotesQuorumFraction, IGovernor) returns (uint256) {
        return super.quorum(timepoint);
    }

    /// @inheritdoc IGovernor
    /// @param proposalId The proposal.
    /// @return Its state.
    function state(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl, IGovernor) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc IGovernor
    /// @param proposalId The proposal.
    /// @return True: every proposal waits in the timelock.
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl, IGovernor) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc IGovernor
    /// @return The votes needed to propose.
    function proposalThreshold() public view override(Governor, GovernorSettings, IGovernor) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @dev Bounded, at deployment and on every change: see ILatentGovernor.
    function _setVotingDelay(uint48 newVotingDelay) internal override {
        if (newVotingDelay > MAX_VOTING_DELAY) {
            revert LatentGovernorSettingOutOfBounds("votingDelay", newVotingDelay, 0, MAX_VOTING_DELAY);
        }
        super._setVotingDelay(newVotingDelay);
    }

    /// @dev Bounded, at deployment and on every change: see ILatentGovernor. Zero is refused by GovernorSettings.
    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        if (newVotingPeriod > MAX_VOTING_PERIOD) {
            revert LatentGovernorSettingOutOfBounds("votingPeriod", newVotingPeriod, 1, MAX_VOTING_PERIOD);
        }
        super._setVotingPeriod(newVotingPeriod);
    }

    /// @dev Bounded, at deployment and on every change: see ILatentGovernor.
    function _updateQuorumNumerator(uint256 newQuorumNumerator) internal override {
        if (newQuorumNumerator < MIN_QUORUM_NUMERATOR || newQuorumNumerator > MAX_QUORUM_NUMERATOR) {
            revert LatentGovernorSettingOutOfBounds(
                "quorumNumerator",
                newQuorumNumerator,
                MIN_QUORUM_NUMERATOR,
                MAX_QUORUM_NUMERATOR
            );
        }
        super._updateQuorumNumerator(newQuorumNumerator);
    }

    function _checkProposalThreshold(uint256 threshold) private view {
        uint256 max = maxProposalThreshold();
        if (threshold > max) revert LatentGovernorSettingOutOfBounds("proposalThreshold", threshold, 0, max);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
