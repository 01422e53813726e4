// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Governed} from "../governance/Governed.sol";
import {TokenRecovery} from "../governance/TokenRecovery.sol";
import {IJobEscrow} from "../interfaces/IJobEscrow.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IPauseGuardian} from "../interfaces/IPauseGuardian.sol";

/// @title Staking
/// @notice See IStaking. Storage per provider is one slot for `staked`, `locked` and its slash reward cap, one for
///         `thawing` and the thaw queue's bounds, one per pending thaw request and one per job lock, so no operation's
///         cost depends on how many providers or jobs exist. The lock and slash role is an immutable set at
///         construction: there is no function that could grant it to anyone else.
contract Staking is Governed, ReentrancyGuardTransient, TokenRecovery, IStaking {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most thaw requests a provider may have pending at once (bounds `withdraw`'s loop).
    uint256 public constant MAX_THAW_REQUESTS = 8;
    /// @notice The whole of a slash, in bps: the highest `maxSlashRewardBps`, and the default (no cap).
    uint16 public constant MAX_BPS = 10_000;
    /// @notice Bounds of `minStakePerGpu` (token units per listed GPU).
    uint256 public constant MIN_MIN_STAKE_PER_GPU = 1e18;
    /// @notice Upper bound of `minStakePerGpu` (MIN_MIN_STAKE_PER_GPU is the lower).
    uint256 public constant MAX_MIN_STAKE_PER_GPU = 1e24;
    /// @notice Bounds of `thawingPeriod`.
    uint64 public constant MIN_THAWING_PERIOD = 1 hours;
    /// @notice Upper bound of `thawingPeriod`, in seconds (MIN_THAWING_PERIOD is the lower).
    uint64 public constant MAX_THAWING_PERIOD = 90 days;

    /// @dev `staked` and `locked` in one slot: stake, lock, unlock and slashAndUnlock each write only this slot, which is
    ///      non-zero for as long as the provider has stake, so none of them pays for a zero-to-non-zero write.
    ///      `withheldRewardBps` shares it so that a slash reads the provider's cap without loading another slot. It
    ///      holds `MAX_BPS - cap` rather than the cap so that the zero every provider starts with means "no cap":
    ///      a provider that never set one is slashed exactly as before the cap existed.
    struct StakeBalance {
        uint96 staked;
        uint96 locked;
        uint16 withheldRewardBps;
    }

    /// @dev `thawing` and the pending requests `[thawFirst, thawNext)` in one slot, which stays non-zero once a
    ///      provider has thawed (thawNext only grows), so a returning provider's thaw writes no new slot but the
    ///      request itself.
    struct ThawQueue {
        uint96 thawing;
        uint32 thawFirst;
        uint32 thawNext;
    }

    /// @dev One job's collateral: whose it is and what remains of it.
    struct JobLock {
        address provider;
        uint96 amount;
    }

    /// @notice LAT.
    IERC20 public immutable token;
    /// @notice The lock and slash role (the dispute manager slashes through it).
    address public immutable jobEscrow;
    /// @notice The emergency brake checked by `stake`.
    IPauseGuardian public immutable pauseGuardian;

    mapping(address provider => StakeBalance) private _balances;
    mapping(address provider => ThawQueue) private _queues;
    mapping(address provider => mapping(uint256 requestIndex => ThawRequest)) private _thawRequests;
    mapping(uint256 jobId => JobLock) private _jobLocks;

    // Packed in one slot: both are read together by nothing user-facing, but each fits in 160 bits.
    uint96 private _minStakePerGpu;
    uint64 private _thawingPeriod;
    /// @inheritdoc IStaking
    address public treasury;

    /// @param governance_ The LatentTimelock.
    /// @param token_ LAT.
    /// @param jobEscrow_ The JobEscrow (the lock and slash role).
    /// @param pauseGuardian_ The PauseGuardian.
    /// @param treasury_ Where slashed tokens and protocol fees go (the LatentTimelock at first).
    /// @param minStakePerGpu_ Initial `minStakePerGpu`, within bounds.
    /// @param thawingPeriod_ Initial `thawingPeriod`, within bounds.
    constructor(
        address governance_,
        IERC20 token_,
        address jobEscrow_,
        IPauseGuardian pauseGuardian_,
        address treasury_,
        uint256 minStakePerGpu_,
        uint64 thawingPeriod_
    ) Governed(governance_) {
        _requireNonZero("token", address(token_));
        _requireNonZero("jobEscrow", jobEscrow_);
        _requireNonZero("pauseGuardian", address(pauseGuardian_));
        token = token_;
        jobEscrow = jobEscrow_;
        pauseGuardian = pauseGuardian_;
        _setTreasury(treasury_);
        _setMinStakePerGpu(minStakePerGpu_);
        _setThawingPeriod(thawingPeriod_);
    }

    modifier onlyJobEscrow() {
        if (msg.sender != jobEscrow) revert StakingOnlyJobEscrow(msg.sender);
        _;
    }

    /// @inheritdoc IStaking
    function stake(uint256 amount) external nonReentrant {
        _stake(amount);
    }

    /// @inheritdoc IStaking
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        // A permit submitted by someone else first makes this one revert; the allowance it set is what counts,
        // and transferFrom below fails anyway if it is missing.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(amount);
    }

    /// @inheritdoc IStaking
    function thaw(uint256 amount) external returns (uint256 requestIndex) {
        if (amount == 0) revert StakingZeroAmount();
        StakeBalance storage balance = _balances[msg.sender];
        ThawQueue storage queue = _queues[msg.sender];
        ThawQueue memory q = queue;
        uint256 free = _free(balance.staked, balance.locked, q.thawing);
        if (amount > free) revert StakingInsufficientFreeStake(msg.sender, amount, free);
        // Cannot underflow: thawFirst <= thawNext always.
        unchecked {
            if (q.thawNext - q.thawFirst >= MAX_THAW_REQUESTS) {
                revert StakingTooManyThawRequests(msg.sender, MAX_THAW_REQUESTS);
            }
        }
        requestIndex = q.thawNext;
        uint64 maturesAt = uint64(block.timestamp) + _thawingPeriod;
        uint96 thawing;
        // amount <= free <= staked < 2^96, so neither the cast nor the sum can overflow; thawNext grows by one per
        // request, each a paid transaction, so it stays far below 2^32.
        unchecked {
            thawing = q.thawing + uint96(amount);
            queue.thawing = thawing;
            queue.thawNext = q.thawNext + 1;
        }
        _thawRequests[msg.sender][requestIndex] = ThawRequest({amount: uint96(amount), maturesAt: maturesAt});
        emit ThawRequested(msg.sender, requestIndex, amount, maturesAt, thawing);
    }

    /// @inheritdoc IStaking
    /// @dev Requests are paid strictly in order and the loop stops at the first that has not matured, so a request
    ///      made under a longer thawing period delays the ones after it. The loop runs at most MAX_THAW_REQUESTS times.
    function withdraw(uint256 maxRequests) external nonReentrant returns (uint256 amount) {
        if (maxRequests == 0) revert StakingInvalidMaxRequests(maxRequests);
        ThawQueue storage queue = _queues[msg.sender];
        ThawQueue memory q = queue;
        mapping(uint256 => ThawRequest) storage requests = _thawRequests[msg.sender];
        uint256 first = q.thawFirst;
        uint256 index = first;
        uint256 end = q.thawNext;
        // Cannot overflow: end - first <= MAX_THAW_REQUESTS, and the amounts sum to at most `thawing` < 2^96.
        unchecked {
            if (end - first > maxRequests) end = first + maxRequests;
            for (; index < end; ++index) {
                ThawRequest memory request = requests[index];
                if (request.maturesAt > block.timestamp) break;
                amount += request.amount;
                delete requests[index];
            }
        }
        if (index == first) revert StakingNothingToWithdraw(msg.sender);
        StakeBalance storage balance = _balances[msg.sender];
        uint96 staked;
        uint96 thawing;
        // Cannot underflow: amount is a sum of pending requests, all counted in thawing, and thawing <= staked.
        unchecked {
            staked = balance.staked - uint96(amount);
            thawing = q.thawing - uint96(amount);
        }
        balance.staked = staked;
        queue.thawing = thawing;
        queue.thawFirst = uint32(index);
        emit Withdrawn(msg.sender, first, index - first, amount, staked, thawing);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function lock(address provider, uint256 jobId, uint256 amount) external onlyJobEscrow {
        // The escrow rounds collateral up, so a job always locks at least a wei; a zero lock would be an escrow bug
        // that left a job with nothing to slash on a timeout or an upheld dispute.
        if (amount == 0) revert StakingZeroAmount();
        JobLock storage jobLock = _jobLocks[jobId];
        if (jobLock.provider != address(0)) revert StakingJobAlreadyLocked(jobId);
        StakeBalance storage balance = _balances[provider];
        // Only the fields used are read, not the whole struct: a memory copy would also unpack withheldRewardBps.
        uint96 locked = balance.locked;
        uint256 free = _free(balance.staked, locked, _queues[provider].thawing);
        if (amount > free) revert StakingInsufficientFreeStake(provider, amount, free);
        // Cannot overflow: locked + amount <= staked < 2^96.
        unchecked {
            locked += uint96(amount);
        }
        balance.locked = locked;
        _jobLocks[jobId] = JobLock({provider: provider, amount: uint96(amount)});
        emit CollateralLocked(provider, jobId, amount, locked);
    }

    /// @inheritdoc IStaking
    function unlock(address provider, uint256 jobId) external onlyJobEscrow returns (uint256 amount) {
        JobLock memory jobLock = _jobLocks[jobId];
        if (jobLock.provider != provider || provider == address(0)) revert StakingNoLock(provider, jobId);
        amount = jobLock.amount;
        delete _jobLocks[jobId];
        StakeBalance storage balance = _balances[provider];
        uint96 locked;
        // Cannot underflow: every job lock's remainder is counted in the provider's locked total.
        unchecked {
            locked = balance.locked - jobLock.amount;
        }
        balance.locked = locked;
        emit CollateralUnlocked(provider, jobId, amount, locked);
    }

    /// @inheritdoc IStaking
    function slashAndUnlock(
        address provider,
        uint256 jobId,
        uint256 amount,
        address beneficiary,
        uint256 reward
    ) external onlyJobEscrow nonReentrant returns (uint256 unlocked, uint256 paidReward) {
        unlocked = _checkSlash(provider, jobId, amount, beneficiary, reward);
        StakeBalance storage balance = _balances[provider];
        // All three fields read together so the slot is loaded once; it is written once below.
        uint256 staked = balance.staked;
        uint256 locked = balance.locked;
        uint256 withheld = balance.withheldRewardBps;
        paidReward = reward;
        // Cannot underflow: amount plus what remains of this job's lock (unlocked) is the lock, which is counted in
        // both locked and staked, reward <= amount was checked, and withheld <= MAX_BPS is kept by its setter;
        // amount < 2^96, so amount * MAX_BPS cannot overflow.
        unchecked {
            if (withheld != 0) {
                uint256 maxReward = (amount * (MAX_BPS - withheld)) / MAX_BPS;
                if (paidReward > maxReward) paidReward = maxReward;
            }
            staked -= amount;
            locked -= amount;
            emit Slashed(provider, jobId, beneficiary, amount, paidReward, amount - paidReward, staked, locked);
            locked -= unlocked;
            delete _jobLocks[jobId];
            emit CollateralUnlocked(provider, jobId, unlocked, locked);
            // Both values are below their previous uint96 values.
            balance.staked = uint96(staked);
            balance.locked = uint96(locked);
            if (paidReward != 0) token.safeTransfer(beneficiary, paidReward);
            if (amount != paidReward) token.safeTransfer(treasury, amount - paidReward);
        }
    }

    /// @inheritdoc IStaking
    /// @dev Lowering is refused while anything is locked rather than snapshotting the cap per job: a job's lock has no
    ///      spare bits, and a copy in the escrow's job would cost every acceptance and slash gas for a rare change.
    function setMaxSlashRewardBps(uint16 bps) external {
        if (bps > MAX_BPS) revert StakingMaxSlashRewardTooHigh(bps, MAX_BPS);
        StakeBalance storage balance = _balances[msg.sender];
        // Both fields read together so the slot is loaded once; it is written once below.
        uint96 locked = balance.locked;
        uint16 withheld = balance.withheldRewardBps;
        uint16 newWithheld;
        // Cannot underflow: bps <= MAX_BPS was checked just above, withheld <= MAX_BPS is kept by this setter.
        unchecked {
            newWithheld = MAX_BPS - bps;
            // Every job still able to be slashed holds a lock, and its client was accepted under the cap in force then.
            if (newWithheld > withheld && locked != 0) {
                revert StakingSlashRewardCapLowerWhileLocked(msg.sender, MAX_BPS - withheld, bps, locked);
            }
        }
        balance.withheldRewardBps = newWithheld;
        emit MaxSlashRewardSet(msg.sender, bps);
    }

    /// @inheritdoc IStaking
    /// @param minStakePerGpu_ The new minimum, in LAT units per listed GPU.
    function setMinStakePerGpu(uint256 minStakePerGpu_) external onlyGovernance {
        _setMinStakePerGpu(minStakePerGpu_);
    }

    /// @inheritdoc IStaking
    /// @param thawingPeriod_ The new period, in seconds.
    function setThawingPeriod(uint64 thawingPeriod_) external onlyGovernance {
        _setThawingPeriod(thawingPeriod_);
    }

    /// @inheritdoc IStaking
    /// @dev The dispute manager and the registry are known only through the escrow, which is deployed after this
    ///      contract: the constructor cannot ask it, so they are checked here, where it exists.
    /// @param treasury_ The new treasury.
    function setTreasury(address treasury_) external onlyGovernance {
        IJobEscrow escrow = IJobEscrow(jobEscrow);
        if (treasury_ == escrow.disputeManager() || treasury_ == address(escrow.registry())) {
            revert StakingTreasuryIsProtocolContract(treasury_);
        }
        _setTreasury(treasury_);
    }

    /// @inheritdoc IStaking
    /// @dev No `whenNotPaused`: the guardian's pause stops new inflows, and this moves nothing anyone is owed. No sum of
    ///      the LAT owed is kept (it would cost every stake, withdrawal and slash a storage write), so LAT is refused outright.
    ///      Reentrancy-guarded because `erc20` may be any contract.
    function recoverTokens(
        address erc20,
        address to,
        uint256 amount
    ) external onlyGovernance nonReentrant returns (uint256) {
        return _recoverTokens(erc20, to, amount);
    }

    /// @inheritdoc IStaking
    function getStake(address provider) external view returns (uint256 staked, uint256 locked, uint256 thawing) {
        StakeBalance storage b = _balances[provider];
        return (b.staked, b.locked, _queues[provider].thawing);
    }

    /// @inheritdoc IStaking
    function freeStake(address provider) external view returns (uint256) {
        StakeBalance storage b = _balances[provider];
        return _free(b.staked, b.locked, _queues[provider].thawing);
    }

    /// @inheritdoc IStaking
    function hasMinimumStake(address provider, uint256 gpuCount) external view returns (bool) {
        // staked >= locked + thawing always, so this cannot underflow.
        unchecked {
            return uint256(_balances[provider].staked) - _queues[provider].thawing >= uint256(_minStakePerGpu) * gpuCount;
        }
    }

    /// @inheritdoc IStaking
    function jobCollateral(uint256 jobId) external view returns (address provider, uint256 amount) {
        JobLock storage jobLock = _jobLocks[jobId];
        return (jobLock.provider, jobLock.amount);
    }

    /// @inheritdoc IStaking
    function getThawRequest(address provider, uint256 requestIndex) external view returns (ThawRequest memory) {
        return _thawRequests[provider][requestIndex];
    }

    /// @inheritdoc IStaking
    function thawRequestRange(address provider) external view returns (uint256 first, uint256 next) {
        ThawQueue storage q = _queues[provider];
        return (q.thawFirst, q.thawNext);
    }

    /// @inheritdoc IStaking
    function maxSlashRewardBps(address provider) external view returns (uint16) {
        // Cannot underflow: the stored share is at most MAX_BPS.
        unchecked {
            return MAX_BPS - _balances[provider].withheldRewardBps;
        }
    }

    /// @inheritdoc IStaking
    function minStakePerGpu() external view returns (uint256) {
        return _minStakePerGpu;
    }

    /// @inheritdoc IStaking
    function thawingPeriod() external view returns (uint64) {
        return _thawingPeriod;
    }

    function _stake(uint256 amount) private {
        pauseGuardian.requireNotPaused();
        if (amount == 0) revert StakingZeroAmount();
        StakeBalance storage balance = _balances[msg.sender];
        // Checked and cast: staked can never exceed the supply, which is below 2^96.
        uint96 staked = (uint256(balance.staked) + amount).toUint96();
        balance.staked = staked;
        emit Staked(msg.sender, msg.sender, amount, staked);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Reverts unless `amount` (non-zero) can be slashed from `provider`'s lock for `jobId` with `reward` of it
    ///      to a non-zero `beneficiary`; returns what would remain of the lock.
    function _checkSlash(
        address provider,
        uint256 jobId,
        uint256 amount,
        address beneficiary,
        uint256 reward
    ) private view returns (uint256 remaining) {
        if (amount == 0) revert StakingZeroAmount();
        JobLock storage jobLock = _jobLocks[jobId];
        // Both fields read together so the slot is loaded once.
        address lockProvider = jobLock.provider;
        uint256 lockAmount = jobLock.amount;
        if (lockProvider != provider || provider == address(0)) revert StakingNoLock(provider, jobId);
        if (amount > lockAmount) revert StakingSlashExceedsLock(jobId, amount, lockAmount);
        if (reward > amount) revert StakingRewardExceedsSlash(reward, amount);
        if (beneficiary == address(0)) revert StakingZeroBeneficiary();
        // Cannot underflow: checked just above.
        unchecked {
            remaining = lockAmount - amount;
        }
    }

    function _free(uint96 staked, uint96 locked, uint96 thawing) private pure returns (uint256) {
        // locked + thawing <= staked is the contract's invariant, so this cannot underflow.
        unchecked {
            return uint256(staked) - locked - thawing;
        }
    }

    function _setMinStakePerGpu(uint256 value) private {
        _checkBounds("minStakePerGpu", value, MIN_MIN_STAKE_PER_GPU, MAX_MIN_STAKE_PER_GPU);
        // Bounded above by MAX_MIN_STAKE_PER_GPU < 2^96.
        _minStakePerGpu = uint96(value);
        emit ParameterUpdated("minStakePerGpu", value);
    }

    function _setThawingPeriod(uint64 value) private {
        _checkBounds("thawingPeriod", value, MIN_THAWING_PERIOD, MAX_THAWING_PERIOD);
        _thawingPeriod = value;
        emit ParameterUpdated("thawingPeriod", value);
    }

    function _setTreasury(address value) private {
        _requireNonZero("treasury", value);
        // None of these can pass tokens on, so every later fee and slash sent there would be stranded for good. The
        // dispute manager and the registry, named by the escrow, are checked by setTreasury; these are immutables.
        if (value == address(this) || value == address(token) || value == jobEscrow || value == address(pauseGuardian)) {
            revert StakingTreasuryIsProtocolContract(value);
        }
        treasury = value;
        emit AddressParameterUpdated("treasury", value);
    }

    function _recoverable(address erc20) internal view override returns (uint256) {
        if (erc20 == address(token)) revert StakingRecoveryOfLat(erc20);
        return IERC20(erc20).balanceOf(address(this));
    }

    function _revertRecoveryZeroRecipient() internal pure override {
        revert StakingRecoveryZeroRecipient();
    }

    function _revertRecoveryZeroAmount() internal pure override {
        revert StakingRecoveryZeroAmount();
    }

    function _revertRecoveryExceeds(uint256 requested, uint256 available) internal pure override {
        revert StakingRecoveryExceedsBalance(requested, available);
    }
}
