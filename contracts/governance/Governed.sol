// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "../interfaces/IGoverned.sol";

/// @title Governed
/// @notice Base of every contract whose parameters the governance timelock owns. The timelock is fixed at
///         construction: there is no owner to transfer and nothing the deployer keeps.
abstract contract Governed is IGoverned {
    /// @inheritdoc IGoverned
    address public immutable governance;

    /// @param governance_ The LatentTimelock.
    constructor(address governance_) {
        _requireNonZero("governance", governance_);
        governance = governance_;
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert GovernedOnlyGovernance(msg.sender);
        _;
    }

    /// @dev Reverts unless `min <= value <= max`, naming the parameter so a failed proposal explains itself.
    function _checkBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert GovernedParameterOutOfBounds(parameter, value, min, max);
    }

    function _requireNonZero(bytes32 parameter, address value) internal pure {
        if (value == address(0)) revert GovernedZeroAddress(parameter);
    }
}
