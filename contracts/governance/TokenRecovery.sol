// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ITokenRecovery} from "../interfaces/ITokenRecovery.sol";

/// @title TokenRecovery
/// @notice The one body of `recoverTokens` for DisputeManager, JobEscrow and Staking. Each keeps its own external
///         `recoverTokens` (its interface's NatSpec, its guards) and its own contract-prefixed errors, which it raises
///         from the hooks below: what may be recovered, and how a refusal is named, is all that differs between them.
abstract contract TokenRecovery is ITokenRecovery {
    using SafeERC20 for IERC20;

    /// @dev Sends `amount` of `erc20` (all of `_recoverable(erc20)` for `type(uint256).max`) to `to` and returns what
    ///      it sent. `_recoverable` runs first, so that a token refused outright is named before the recipient is.
    function _recoverTokens(address erc20, address to, uint256 amount) internal returns (uint256) {
        uint256 available = _recoverable(erc20);
        if (to == address(0)) _revertRecoveryZeroRecipient();
        if (amount == type(uint256).max) amount = available;
        if (amount == 0) _revertRecoveryZeroAmount();
        if (amount > available) _revertRecoveryExceeds(amount, available);
        emit TokensRecovered(erc20, to, amount);
        IERC20(erc20).safeTransfer(to, amount);
        return amount;
    }

    /// @dev What may be sent of `erc20` now; reverts, with the contract's own error, for a token never recoverable.
    function _recoverable(address erc20) internal view virtual returns (uint256);

    /// @dev Reverts with the contract's error for a zero recipient.
    function _revertRecoveryZeroRecipient() internal pure virtual;

    /// @dev Reverts with the contract's error for a recovery of nothing.
    function _revertRecoveryZeroAmount() internal pure virtual;

    /// @dev Reverts with the contract's error for `requested` above the `available` `_recoverable` gave.
    function _revertRecoveryExceeds(uint256 requested, uint256 available) internal pure virtual;
}
