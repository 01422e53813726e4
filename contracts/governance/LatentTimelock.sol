// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {ILatentTimelock} from "../interfaces/ILatentTimelock.sol";

/// @title LatentTimelock
/// @notice The treasury and the owner of every protocol parameter. Proposals pass through the governor and wait
///         `minDelay` here before they execute. Deployed with the governor as the only proposer and canceller,
///         anyone as executor, and no admin, so no single key (the deployer's included) holds power.
///         Its minimum delay is bounded by `MAX_DELAY` (see ILatentTimelock).
contract LatentTimelock is TimelockController, ILatentTimelock {
    /// @notice Longest minimum delay, at deployment or through `updateDelay`, in seconds.
    uint256 public constant MAX_DELAY = 30 days;

    /// @param minDelay Seconds between queueing and execution.
    /// @param proposers Accounts that may schedule (the governor).
    /// @param executors Accounts that may execute (the zero address: anyone).
    /// @param admin Optional admin for setup; the zero address for none.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {
        _checkDelay(minDelay);
    }

    /// @notice Change the minimum delay, at most `MAX_DELAY`. Only the timelock itself (a proposal).
    /// @param newDelay The new minimum delay, in seconds, at most `MAX_DELAY`.
    function updateDelay(uint256 newDelay) public override {
        if (msg.sender != address(this)) revert TimelockUnauthorizedCaller(msg.sender);
        _checkDelay(newDelay);
        super.updateDelay(newDelay);
    }

    function _checkDelay(uint256 delay) private pure {
        if (delay > MAX_DELAY) revert LatentTimelockDelayTooLong(delay, MAX_DELAY);
    }
}
