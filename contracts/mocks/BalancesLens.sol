// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IJobEscrow} from "../interfaces/IJobEscrow.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @notice Test-only: reads every balance, stake, reservation and job lock the conservation property checks in two
///         calls, so the property test does two eth_calls per step instead of hundreds.
contract BalancesLens {
    /// @notice One job as the property compares it: its status in the escrow and its collateral lock in Staking.
    struct JobView {
        IJobEscrow.JobStatus status;
        address lockProvider;
        uint256 lockAmount;
    }

    /// @notice One provider as the property compares it: GPUs reserved in the registry and its track record (counted
    ///         completions, timeouts and lost disputes).
    struct ProviderView {
        uint16 gpusInUse;
        IJobEscrow.ProviderStats stats;
    }

    /// @notice LAT's supply, each account's balance and each provider's staked, locked and thawing totals.
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

    /// @notice Each provider's reservation and track record, and jobs `firstJobId .. lastJobId` (inclusive; none when
    ///         `lastJobId < firstJobId`) with their locks.
    function readJobs(
        IJobEscrow escrow,
        IProviderRegistry registry,
        IStaking staking,
        address[] calldata providers,
        uint256 firstJobId,
        uint256 lastJobId
    ) external view returns (ProviderView[] memory providerViews, JobView[] memory jobs) {
        providerViews = new ProviderView[](providers.length);
        for (uint256 i; i < providers.length; ++i) {
            providerViews[i] = ProviderView({
                gpusInUse: registry.getProvider(providers[i]).gpusInUse,
                stats: escrow.providerStats(providers[i])
            });
        }
        uint256 count = lastJobId < firstJobId ? 0 : lastJobId - firstJobId + 1;
        jobs = new JobView[](count);
        for (uint256 i; i < count; ++i) {
            uint256 jobId = firstJobId + i;
            (address lockProvider, uint256 lockAmount) = staking.jobCollateral(jobId);
            jobs[i] = JobView({status: escrow.getJob(jobId).status, lockProvider: lockProvider, lockAmount: lockAmount});
        }
    }
}
