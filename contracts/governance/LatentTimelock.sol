// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title LatentTimelock
/// @notice The treasury and the owner of every protocol parameter. Proposals pass through the governor and wait
///         `minDelay` here before they execute. Deployed with the governor as the only proposer and canceller,
///         anyone as executor, and no admin, so no single key (the deployer's included) holds power.
contract LatentTimelock is TimelockController {
    /// @param minDelay Seconds between queueing and execution.
    /// @param proposers Accounts that may schedule (the governor).
    /// @param executors Accounts that may execute (the zero address: anyone).
    /// @param admin Optional admin for setup; the zero address for none.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
