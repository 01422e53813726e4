// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILatentTimelock
/// @notice The LatentTimelock's own rules on top of OpenZeppelin's TimelockController: its minimum delay is at
///         most `MAX_DELAY`, at deployment and on every `updateDelay`, so no proposal can set a delay that makes
///         every later operation unschedulable (a delay near 2^256 overflows `schedule`) and freeze governance.
interface ILatentTimelock {
    /// @notice A minimum delay above `maxDelay`.
    error LatentTimelockDelayTooLong(uint256 delay, uint256 maxDelay);
}
