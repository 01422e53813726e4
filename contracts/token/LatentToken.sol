// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {ILatentToken} from "../interfaces/ILatentToken.sol";

/// @title LatentToken (LAT)
/// @notice See ILatentToken. The constructor is the only place tokens are minted: the allocation list first, then
///         whatever remains of `totalSupply_` to the treasury. Nothing is minted to the deployer (the deployment
///         account may not appear in the list), so the deployer keeps no tokens and hence no votes.
///
///         Votes are checkpointed on the timestamp clock. Holders must delegate (to themselves or to another
///         account) before their balance counts as votes. Tokens staked in Staking, escrowed in JobEscrow or
///         deposited in DisputeManager belong to those custodians while they are there and never vote: the
///         custodians cannot delegate, so the token answers `delegates(custodian) == 0` without a storage read,
///         which saves every protocol transfer a cold SLOAD per custodian side.
contract LatentToken is ERC20, ERC20Permit, ERC20Votes, ILatentToken {
    address private immutable _custodian0;
    address private immutable _custodian1;
    address private immutable _custodian2;

    /// @param treasury Receives the rest of the supply (the LatentTimelock; never zero, the deployer or a custodian).
    ///        Index `recipients.length` in errors.
    /// @param totalSupply_ The whole, fixed supply (below 2^96, so every protocol amount fits in a uint96).
    /// @param recipients Allocation list: who receives tokens at deployment (never the deployer, never zero).
    /// @param amounts Amount for each recipient (non-zero).
    /// @param custodians Staking, JobEscrow and DisputeManager (addresses predicted at deployment).
    constructor(
        address treasury,
        uint256 totalSupply_,
        address[] memory recipients,
        uint256[] memory amounts,
        address[3] memory custodians
    ) ERC20("Latent", "LAT") ERC20Permit("Latent") {
        _custodian0 = custodians[0];
        _custodian1 = custodians[1];
        _custodian2 = custodians[2];
        uint256 count = recipients.length;
        if (amounts.length != count) revert LatentTokenInvalidAllocation(count < amounts.length ? count : amounts.length);
        // A custodian as treasury would hold the rest of the supply where it can never vote, and Staking and the
        // JobEscrow, which count all their LAT as owed, could never pass it on.
        if (treasury == address(0) || treasury == msg.sender || isCustodian(treasury)) {
            revert LatentTokenInvalidAllocation(count);
        }
        uint256 allocated;
        // The list's length is the deployer's choice at construction, not a user's at run time.
        for (uint256 i; i < count; ++i) {
            address recipient = recipients[i];
            uint256 amount = amounts[i];
            if (recipient == address(0) || recipient == msg.sender || amount == 0 || isCustodian(recipient)) {
                revert LatentTokenInvalidAllocation(i);
            }
            allocated += amount;
            if (allocated > totalSupply_) revert LatentTokenAllocationExceedsSupply(allocated, totalSupply_);
            _mint(recipient, amount);
        }
        // Checked by the loop: allocated <= totalSupply_.
        uint256 rest = totalSupply_ - allocated;
        if (rest != 0) _mint(treasury, rest);
    }

    /// @inheritdoc ILatentToken
    function isCustodian(address account) public view returns (bool) {
        return account == _custodian0 || account == _custodian1 || account == _custodian2;
    }

    /// @notice `account`'s delegate; always zero for a custodian, whose tokens belong to others.
    /// @param account The account.
    /// @return Its delegate.
    function delegates(address account) public view override(IVotes, Votes) returns (address) {
        if (isCustodian(account)) return address(0);
        return super.delegates(account);
    }

    /// @notice The current timestamp: votes and proposals are timed in seconds (ERC-6372).
    /// @return The current timestamp.
    function clock() public view override(Votes, IERC6372) returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description: "mode=timestamp".
    /// @return "mode=timestamp".
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(Votes, IERC6372) returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice EIP-2612 nonce of `owner` (shared with vote delegation by signature).
    /// @param owner The account.
    /// @return Its next nonce.
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev A custodian cannot delegate (a contract could only do it by calling `delegate` itself, which none of
    ///      them does); refusing it keeps `delegates(custodian) == 0` true by construction whoever the custodians are.
    function _delegate(address account, address delegatee) internal override {
        if (isCustodian(account)) revert LatentTokenCustodianCannotDelegate(account);
        super._delegate(account, delegatee);
    }

    /// @dev Caps the supply at 2^96 - 1, the width of every amount stored by the protocol.
    function _maxSupply() internal pure override returns (uint256) {
        return type(uint96).max;
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
