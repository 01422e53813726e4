// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";

/// @title ILatentToken
/// @notice LAT: ERC20 with EIP-2612 permits and ERC20Votes checkpoints on a timestamp clock (ERC-6372
///         `mode=timestamp`), so governance works on L2s whose block numbers are irregular. The whole supply is
///         minted once at deployment, to the treasury (the governance timelock) and to an allocation list; it is
///         constant afterwards (no mint, no burn: slashed tokens go to the treasury).
interface ILatentToken is IERC20, IERC20Permit, IERC6372, IVotes {
    /// @notice Allocation lengths differ, or an allocation or the treasury is the zero address, the deployer or a
    ///         custodian, or an allocation is zero. `index` is the allocation's position; `recipients.length` stands
    ///         for the treasury.
    error LatentTokenInvalidAllocation(uint256 index);

    /// @notice The allocations sum to more than the total supply.
    error LatentTokenAllocationExceedsSupply(uint256 allocated, uint256 totalSupply);

    /// @notice A protocol custodian (Staking, JobEscrow, DisputeManager) tried to delegate: the tokens it holds
    ///         belong to others and never vote.
    error LatentTokenCustodianCannotDelegate(address custodian);

    /// @notice Whether `account` is one of the protocol contracts that hold LAT for others (stake, job escrow,
    ///         dispute deposits). Their balances never carry votes, so transfers to and from them skip the
    ///         delegate lookup.
    /// @param account The address asked about.
    /// @return Whether it is a custodian.
    function isCustodian(address account) external view returns (bool);
}
