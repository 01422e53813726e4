// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @notice Test-only: reads every balance and stake the conservation property checks in one call, so the property
///         test does one eth_call per step instead of dozens.
contract BalancesLens {
    function read(
        IERC20 token,
        IStaking staking,
        address[] calldata accounts,
        address[] calldata providers
    ) external view returns (uint256 supply, uint256[] memory balances, uint256[3][] memory stakes) {
        supply = token.totalSupply();
        balances = new uint256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) balances[i] = token.balanceOf(accounts[i]);
        stakes = new uint256[3][](providers.length);
        for (uint256 i; i < providers.length; ++i) {
            (uint256 staked, uint256 locked, uint256 thawing) = staking.getStake(providers[i]);
            stakes[i] = [staked, locked, thawing];
        }
    }
}
