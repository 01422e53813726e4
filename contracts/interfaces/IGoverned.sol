// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IGoverned
/// @notice Shared surface of every Latent contract whose parameters governance owns. Only the timelock
///         (`governance()`) may change a parameter, and only within bounds the contract enforces.
///         Every change, and every initial value set by a constructor, is emitted so an indexer can rebuild
///         the current parameters without calling the chain.
interface IGoverned {
    /// @notice A numeric parameter was set. `parameter` is the parameter's name as a left-aligned ASCII
    ///         bytes32 (e.g. "minStakePerGpu"); `value` is its new value in the parameter's own unit.
    event ParameterUpdated(bytes32 indexed parameter, uint256 value);

    /// @notice An address parameter was set (e.g. "treasury", "arbitrator", "guardian").
    event AddressParameterUpdated(bytes32 indexed parameter, address value);

    /// @notice The caller is not the governance timelock.
    error GovernedOnlyGovernance(address caller);

    /// @notice A parameter value outside the bounds the contract enforces.
    error GovernedParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);

    /// @notice An address parameter was set to the zero address.
    error GovernedZeroAddress(bytes32 parameter);

    /// @notice The timelock that owns this contract's parameters.
    /// @return The LatentTimelock.
    function governance() external view returns (address);
}
