// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "./IGoverned.sol";
import {ITokenRecovery} from "./ITokenRecovery.sol";

/// @title IStaking
/// @notice Providers' stake. Per provider: `staked` (all tokens held for it), `locked` (collateral of its running
///         jobs, per job) and `thawing` (on their way out), with `locked + thawing <= staked` at all times.
///         Free stake is `staked - locked - thawing`.
///
///         Thawing: `thaw` moves free stake to a thaw request that matures `thawingPeriod` later (the period in
///         force when it was requested); `withdraw` pays out matured requests in request order. At most
///         `MAX_THAW_REQUESTS` are pending per provider and `withdraw` takes a maximum count, so no loop's length
///         is in a user's hands. Thawing stake still counts as `staked` (it can be slashed only through a job's
///         lock, which it is not part of) but not towards the minimum stake that keeps a provider active.
///
///         Collateral: the job escrow locks collateral per job from free stake and unlocks it when the job ends.
///         `slashAndUnlock` takes only from one job's lock (and so from `staked`), pays `reward` to the beneficiary
///         (the job's client), at most the provider's `maxSlashRewardBps` of the slash, and the rest to the treasury
///         (slashed tokens are never burned, the supply is constant), then unlocks the rest of that lock. The lock
///         and slash role belongs to the job escrow alone (an upheld dispute is slashed by the escrow, for the
///         dispute manager), fixed at deployment: no one, governance included, can grant it afterwards.
///
///         Slash reward cap: a provider's operator (its worker hot key) can accept a job that a client it controls
///         posted and let it time out, or lose a dispute on it; whatever of the slash goes to that client is the
///         operator's to take. `setMaxSlashRewardBps`, callable only by the provider's own address, caps the share of
///         any slash of its collateral paid to the client (after The Graph's Horizon `maxVerifierCut`); the rest goes
///         to the treasury. A provider that hands out an operator key should set it to 0 first: its operator can
///         still get it slashed, but can take none of the slash. Unset, there is no cap (10,000 bps). A client is paid
///         under at least the cap in force when its job was accepted: the cap can be raised at any time, but lowered
///         only while none of the provider's collateral is locked (no accepted job that can still be slashed). A
///         client that needs a least cap puts it in its job's terms (`IJobEscrow.JobRequirements.minSlashRewardBps`):
///         the escrow refuses acceptance by a provider whose cap is then below it, so a cap lowered between posting
///         and acceptance cannot apply to the job.
///
///         Staked tokens sit in this contract, so they do not vote: a provider that wants a say in governance
///         keeps some LAT outside the stake (or delegates it) and votes with that.
///
///         All amounts fit in uint96: the token's total supply is fixed below 2^96.
interface IStaking is IGoverned, ITokenRecovery {
    /// @notice A pending thaw request.
    struct ThawRequest {
        uint96 amount;
        uint64 maturesAt;
    }

    /// @notice `from` added `amount` to `provider`'s stake; `staked` is the total after it.
    event Staked(address indexed provider, address indexed from, uint256 amount, uint256 staked);

    /// @notice Thaw request number `requestIndex` (per provider, from 0, never reused) of `amount`, maturing at
    ///         `maturesAt`; `thawing` is the provider's total thawing after it.
    event ThawRequested(
        address indexed provider,
        uint256 indexed requestIndex,
        uint256 amount,
        uint64 maturesAt,
        uint256 thawing
    );

    /// @notice Thaw requests `firstRequestIndex .. firstRequestIndex + count - 1` were paid out, `amount` in all;
    ///         `staked` and `thawing` are the totals after it.
    event Withdrawn(
        address indexed provider,
        uint256 firstRequestIndex,
        uint256 count,
        uint256 amount,
        uint256 staked,
        uint256 thawing
    );

    /// @notice `amount` of `provider`'s free stake was locked as collateral of `jobId`; `locked` is the total after it.
    event CollateralLocked(address indexed provider, uint256 indexed jobId, uint256 amount, uint256 locked);

    /// @notice What remained of `jobId`'s collateral (`amount`) was unlocked; `locked` is the total after it.
    event CollateralUnlocked(address indexed provider, uint256 indexed jobId, uint256 amount, uint256 locked);

    /// @notice `amount` of `jobId`'s collateral was slashed: `reward` to `beneficiary`, `toTreasury` to the treasury.
    ///         `staked` and `locked` are the provider's totals after it.
    event Slashed(
        address indexed provider,
        uint256 indexed jobId,
        address indexed beneficiary,
        uint256 amount,
        uint256 reward,
        uint256 toTreasury,
        uint256 staked,
        uint256 locked
    );

    /// @notice A zero amount where a positive one is required (stake, thaw, lock, slash).
    error StakingZeroAmount();
    /// @notice `provider`'s free stake (staked minus locked) `free` is less than `requested`.
    error StakingInsufficientFreeStake(address provider, uint256 requested, uint256 free);
    /// @notice `provider` already has `maxRequests` thaw requests pending.
    error StakingTooManyThawRequests(address provider, uint256 maxRequests);
    /// @notice None of `provider`'s thaw requests has matured.
    error StakingNothingToWithdraw(address provider);
    /// @notice `withdraw` called with `maxRequests` zero.
    error StakingInvalidMaxRequests(uint256 maxRequests);
    /// @notice `caller` is not the job escrow.
    error StakingOnlyJobEscrow(address caller);
    /// @notice Collateral is already locked for `jobId`.
    error StakingJobAlreadyLocked(uint256 jobId);
    /// @notice No collateral of `provider` is locked for `jobId`.
    error StakingNoLock(address provider, uint256 jobId);
    /// @notice A slash of `amount` exceeds the `locked` collateral of `jobId`.
    error StakingSlashExceedsLock(uint256 jobId, uint256 amount, uint256 locked);
    /// @notice A slash `reward` larger than the slashed `amount`.
    error StakingRewardExceedsSlash(uint256 reward, uint256 amount);
    /// @notice `provider` (only its own address can) capped the share of any later slash of its collateral paid to
    ///         the slash's beneficiary at `maxSlashRewardBps` (10,000: no cap).
    event MaxSlashRewardSet(address indexed provider, uint16 maxSlashRewardBps);

    /// @notice A slash reward to the zero address.
    error StakingZeroBeneficiary();
    /// @notice A slash reward cap `maxSlashRewardBps` above `max` (10,000 bps, the whole slash).
    error StakingMaxSlashRewardTooHigh(uint256 maxSlashRewardBps, uint256 max);
    /// @notice `provider` tried to lower its slash reward cap from `currentBps` to `requestedBps` while
    ///         `lockedCollateral` of its stake is locked for jobs that can still be slashed, whose clients were
    ///         accepted under the cap in force then.
    error StakingSlashRewardCapLowerWhileLocked(
        address provider,
        uint256 currentBps,
        uint256 requestedBps,
        uint256 lockedCollateral
    );
    /// @notice `treasury` is Staking itself, LAT, the job escrow, the pause guardian, or (refused by `setTreasury`) the
    ///         dispute manager or the registry, none of which can pass tokens on.
    error StakingTreasuryIsProtocolContract(address treasury);
    /// @notice A recovery of `token`, which is LAT: every LAT in Staking (providers' stake) is owed to someone, and no sum of it is kept
    ///         that could tell a surplus from what is owed, so none of it can be recovered.
    error StakingRecoveryOfLat(address token);
    /// @notice A recovery of `requested` tokens, more than this contract's `balance` of them.
    error StakingRecoveryExceedsBalance(uint256 requested, uint256 balance);
    /// @notice A recovery that would move nothing: zero requested, or a zero balance when all was asked for.
    error StakingRecoveryZeroAmount();
    /// @notice A recovery to the zero address.
    error StakingRecoveryZeroRecipient();

    /// @notice Add `amount` from the caller to the caller's stake. Refused while paused.
    /// @param amount Tokens to stake (non-zero), pulled from the caller.
    function stake(uint256 amount) external;

    /// @notice `stake` with an EIP-2612 permit. A permit already used (e.g. front-run) is ignored when the
    ///         allowance is there anyway, so the call cannot be griefed.
    /// @param amount Tokens to stake (non-zero), also the permit's value.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's recovery byte.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Start thawing `amount` of the caller's free stake.
    /// @return requestIndex The new request's index.
    /// @param amount Tokens to thaw (non-zero, at most the caller's free stake).
    function thaw(uint256 amount) external returns (uint256 requestIndex);

    /// @notice Pay out up to `maxRequests` matured thaw requests of the caller, oldest first.
    /// @return amount Tokens transferred to the caller.
    /// @param maxRequests Most requests to pay out (non-zero).
    function withdraw(uint256 maxRequests) external returns (uint256 amount);

    /// @notice Lock `amount` of `provider`'s free stake as `jobId`'s collateral. Job escrow only.
    /// @param provider The provider accepting the job.
    /// @param jobId The job (locked at most once).
    /// @param amount The collateral (non-zero), at most the provider's free stake.
    function lock(address provider, uint256 jobId, uint256 amount) external;

    /// @notice Unlock what remains of `jobId`'s collateral. Job escrow only.
    /// @return amount The amount unlocked.
    /// @param provider The job's provider.
    /// @param jobId The job.
    function unlock(address provider, uint256 jobId) external returns (uint256 amount);

    /// @notice Slash `amount` (non-zero, at most the lock) from `jobId`'s collateral, `reward` of it (at most
    ///         `amount`), cut to the provider's `maxSlashRewardBps` of `amount` (rounded down), to `beneficiary`
    ///         (non-zero) and the rest to the treasury, then unlock what remains of the collateral, in one call (a
    ///         timed-out job or an upheld dispute ends both ways at once). Emits `Slashed` (with what was paid) then
    ///         `CollateralUnlocked`. Job escrow only.
    /// @return unlocked The amount unlocked after the slash.
    /// @return paidReward What `beneficiary` received: `reward`, or less where the provider's cap cut it.
    /// @param provider The job's provider.
    /// @param jobId The job.
    /// @param amount The slash.
    /// @param beneficiary Who receives the reward: the job's client.
    /// @param reward The reward asked for, before the provider's cap.
    function slashAndUnlock(
        address provider,
        uint256 jobId,
        uint256 amount,
        address beneficiary,
        uint256 reward
    ) external returns (uint256 unlocked, uint256 paidReward);

    /// @notice Cap the share of any later slash of the caller's collateral paid to the slash's beneficiary (the job's
    ///         client) at `bps` of the slash (0..10,000; 10,000 is no cap); the rest goes to the
    ///         treasury. Only the provider's own address sets it (an operator cannot, it has no say in Staking).
    ///         Raising it is always allowed and applies to every slash from then on, jobs already running included.
    ///         Lowering it is refused (`StakingSlashRewardCapLowerWhileLocked`) while any of the caller's collateral
    ///         is locked, i.e. while any job it accepted can still be slashed (running, submitted or disputed), so a
    ///         client is never paid under a lower cap than the one in force when its job was accepted. To lower it, a
    ///         provider stops accepting jobs (goes offline) and lowers it once the last one has ended.
    ///         Emits `MaxSlashRewardSet`.
    /// @param bps The new cap, 0..10,000.
    function setMaxSlashRewardBps(uint16 bps) external;

    /// @notice The most of a slash of `provider`'s collateral paid to the beneficiary, in bps (10,000 when unset).
    /// @param provider The provider.
    /// @return The cap, in bps.
    function maxSlashRewardBps(address provider) external view returns (uint16);

    /// @notice Set the minimum stake per listed GPU that keeps a provider active. Governance only.
    /// @param minStakePerGpu The new minimum, in LAT units per listed GPU.
    function setMinStakePerGpu(uint256 minStakePerGpu) external;

    /// @notice Set the thawing period for new thaw requests. Governance only.
    /// @param thawingPeriod The new period, in seconds.
    function setThawingPeriod(uint64 thawingPeriod) external;

    /// @notice Set where slashed tokens and protocol fees go: non-zero, and not Staking, LAT, the job escrow, the pause
    ///         guardian, the dispute manager or the registry (`StakingTreasuryIsProtocolContract`), which would strand
    ///         them. Governance only.
    /// @param treasury The new treasury.
    function setTreasury(address treasury) external;

    /// @notice Send `amount` of `erc20`, held here by mistake, to `to`; `type(uint256).max` sends this contract's whole
    ///         balance of it, read at execution (so a proposal need not guess a balance that may grow). Any ERC20 but
    ///         LAT (`StakingRecoveryOfLat`): all the LAT here is owed to someone. Governance only
    ///         (`GovernedOnlyGovernance`); the guardian's pause does not stop it.
    /// @param erc20 The token to send: any ERC20 but LAT.
    /// @param to The recipient, named by the proposal (not zero, else `StakingRecoveryZeroRecipient`).
    /// @param amount Tokens to send (non-zero, else `StakingRecoveryZeroAmount`; at most the balance, else
    ///        `StakingRecoveryExceedsBalance`), or `type(uint256).max` for all of it.
    /// @return recovered The tokens sent.
    function recoverTokens(address erc20, address to, uint256 amount) external returns (uint256 recovered);

    /// @notice `provider`'s staked, locked and thawing totals.
    /// @param provider The provider.
    /// @return staked All its stake, locked and thawing included.
    /// @return locked Its stake locked as jobs' collateral.
    /// @return thawing Its stake in pending thaw requests.
    function getStake(address provider) external view returns (uint256 staked, uint256 locked, uint256 thawing);

    /// @notice `staked - locked - thawing`.
    /// @param provider The provider.
    /// @return Its stake neither locked nor thawing.
    function freeStake(address provider) external view returns (uint256);

    /// @notice Whether `staked - thawing >= minStakePerGpu * gpuCount`.
    /// @param provider The provider.
    /// @param gpuCount GPUs listed.
    /// @return Whether its stake not thawing covers `minStakePerGpu` per GPU.
    function hasMinimumStake(address provider, uint256 gpuCount) external view returns (bool);

    /// @notice The collateral currently locked for `jobId`, and whose it is.
    /// @param jobId The job.
    /// @return provider Whose collateral it is (zero if none is locked).
    /// @return amount What remains locked.
    function jobCollateral(uint256 jobId) external view returns (address provider, uint256 amount);

    /// @notice Thaw request `requestIndex` of `provider` (zero once withdrawn).
    /// @param provider The provider.
    /// @param requestIndex The request's index.
    /// @return The request (all zero once paid out).
    function getThawRequest(address provider, uint256 requestIndex) external view returns (ThawRequest memory);

    /// @notice Indices of `provider`'s pending thaw requests: `[first, next)`.
    /// @param provider The provider.
    /// @return first The oldest pending request's index.
    /// @return next The next request's index.
    function thawRequestRange(address provider) external view returns (uint256 first, uint256 next);

    /// @notice Stake a provider needs per listed GPU to be active, in LAT's smallest unit. Set by governance.
    /// @return The least stake per listed GPU for a provider to be active, in LAT units.
    function minStakePerGpu() external view returns (uint256);

    /// @notice Seconds a thaw request waits before it can be withdrawn (fixed per request when made). Set by governance.
    /// @return The thawing period, in seconds.
    function thawingPeriod() external view returns (uint64);

    /// @notice Where slashed tokens not paid as rewards, and the escrow's protocol fees, go. Set by governance.
    /// @return Where fees and the treasury's part of slashes go.
    function treasury() external view returns (address);
}
