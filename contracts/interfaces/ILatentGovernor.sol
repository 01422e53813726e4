// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @title ILatentGovernor
/// @notice Token-holder governance: OpenZeppelin Governor with settings, simple counting (against, for,
///         abstain), LAT votes on the timestamp clock, a quorum fraction and timelock control. Every protocol
///         parameter changes only through a proposal that this governor queues in the LatentTimelock.
///         Its events (ProposalCreated, VoteCast, VoteCastWithParams, ProposalQueued, ProposalExecuted,
///         ProposalCanceled) are IGovernor's.
///
///         The voting delay and period are bounded like every other protocol parameter: a proposal that set
///         either beyond `MAX_VOTING_DELAY` / `MAX_VOTING_PERIOD` would leave governance unable to pass the
///         proposal that undoes it (a delay near 2^48 makes every later `propose` overflow), so it is refused.
interface ILatentGovernor is IGovernor {
    /// @notice A voting delay or period (`setting`, seconds) outside `[min, max]`.
    error LatentGovernorSettingOutOfBounds(bytes32 setting, uint256 value, uint256 min, uint256 max);
}
