// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only: an ERC20 other than LAT, which the scenario driver sends to the JobEscrow and Staking by mistake
///         for governance to recover (neither can recover LAT). scripts/deploy.ts never deploys it.
contract StrayToken is ERC20 {
    /// @param holder Receives the whole supply.
    /// @param supply Tokens minted, once.
    constructor(address holder, uint256 supply) ERC20("Stray Token", "STRAY") {
        _mint(holder, supply);
    }
}
