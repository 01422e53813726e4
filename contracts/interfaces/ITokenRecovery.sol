// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITokenRecovery
/// @notice The event shared by every Latent contract from which governance can send back tokens transferred to it by
///         mistake (DisputeManager, JobEscrow, Staking), declared once so that its signature, and the subgraph's one
///         handler of it, cannot drift between them. What each may recover differs, so each declares its own
///         `recoverTokens` and its errors, prefixed by its name (the body is shared, in TokenRecovery): the DisputeManager LAT only above the deposits it
///         holds; the JobEscrow and Staking never LAT, all of which they hold is owed to someone.
interface ITokenRecovery {
    /// @notice Governance sent `amount` of `token`, held by this contract by mistake (a plain transfer, not a deposit,
    ///         escrow or stake), to `to`. For the DisputeManager's LAT, `amount` came out of the surplus above the
    ///         dispute deposits held; the JobEscrow and Staking never recover LAT.
    event TokensRecovered(address indexed token, address indexed to, uint256 amount);
}
