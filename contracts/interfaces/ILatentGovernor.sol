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
///         The proposal threshold and the quorum are bounded for the same reason: a threshold above every
///         delegate's votes, or a quorum above the share of the supply that can vote (staked and escrowed LAT
///         cannot), would leave no proposal able to pass. The threshold is at most 1% of the supply (Compound
///         Governor Bravo's bound) and the quorum between 1% and 50%.
///
///         The timelock is fixed for the same reason: every protocol contract's `governance` is the LatentTimelock,
///         immutably, and it holds the treasury, so a proposal that pointed the governor elsewhere would leave every
///         parameter and the treasury out of reach; one that named an address without a working timelock there would
///         make every later proposal fail to queue, the one undoing it included. `updateTimelock` always reverts.
interface ILatentGovernor is IGovernor {
    /// @notice A voting delay or period (seconds), proposal threshold (LAT wei) or quorum numerator (percent),
    ///         named by `setting`, outside `[min, max]`.
    error LatentGovernorSettingOutOfBounds(bytes32 setting, uint256 value, uint256 min, uint256 max);

    /// @notice `updateTimelock(newTimelock)` was called: the governor queues in `timelock` for as long as it exists.
    error LatentGovernorTimelockFixed(address timelock, address newTimelock);
}
