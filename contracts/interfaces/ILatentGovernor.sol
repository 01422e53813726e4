// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @title ILatentGovernor
/// @notice Token-holder governance: OpenZeppelin Governor with settings, simple counting (against, for,
///         abstain), LAT votes on the timestamp clock, a quorum fraction and timelock control. Every protocol
///         parameter changes only through a proposal that this governor queues in the LatentTimelock.
///         Its events (ProposalCreated, VoteCast, VoteCastWithParams, ProposalQueued, ProposalExecuted,
///         ProposalCanceled) are IGovernor's.
// solhint-disable-next-line no-empty-blocks
interface ILatentGovernor is IGovernor {}
