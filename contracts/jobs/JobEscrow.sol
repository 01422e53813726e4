// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Governed} from "../governance/Governed.sol";
import {TokenRecovery} from "../governance/TokenRecovery.sol";
import {IDisputeManager} from "../interfaces/IDisputeManager.sol";
import {IJobEscrow} from "../interfaces/IJobEscrow.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IPauseGuardian} from "../interfaces/IPauseGuardian.sol";
import {LatentIds} from "../libraries/LatentIds.sol";
import {LatentMath} from "../libraries/LatentMath.sol";

/// @title JobEscrow
/// @notice See IJobEscrow. A job is four storage slots written once at creation (client and escrow, target and
///         status, terms hash, GPU count and duration) and updated in place afterwards; the terms themselves are
///         only emitted. The slot holding the GPU count and duration is written at creation so that acceptance,
///         the hotter path for providers, only updates slots that already exist.
///
///         Economic parameters are versioned: every governance change stores a new version and jobs keep the one
///         in force when they were accepted. Nothing iterates over jobs or providers.
contract JobEscrow is Governed, ReentrancyGuardTransient, TokenRecovery, IJobEscrow {
    using SafeERC20 for IERC20;

    /// @notice Longest spec or result URI, in bytes.
    uint256 public constant MAX_URI_LENGTH = 256;
    /// @notice Bounds of a job's `maxDuration`.
    uint32 public constant MIN_DURATION = 1 minutes;
    /// @notice Upper bound of a job's `maxDuration` (MIN_DURATION is the lower).
    uint32 public constant MAX_DURATION = 30 days;
    /// @notice How far ahead a job's acceptance deadline may be.
    uint64 public constant MAX_ACCEPT_WINDOW = 30 days;

    /// @notice Upper bound of `protocolFeeBps` (its floor is zero). Each bound below is enforced on every change of
    ///         its economic parameter.
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 1_000;
    /// @notice Lower bound of `collateralRatioBps`.
    uint16 public constant MIN_COLLATERAL_RATIO_BPS = 1_000;
    /// @notice Upper bound of `collateralRatioBps`.
    uint16 public constant MAX_COLLATERAL_RATIO_BPS = 30_000;
    /// @notice Lower bound of `timeoutSlashBps`.
    uint16 public constant MIN_TIMEOUT_SLASH_BPS = 500;
    /// @notice Upper bound of `timeoutSlashBps`.
    uint16 public constant MAX_TIMEOUT_SLASH_BPS = 10_000;
    /// @notice Lower bound of `maxSlashingCutBps`.
    uint16 public constant MIN_MAX_SLASHING_CUT_BPS = 1_000;
    /// @notice Upper bound of `maxSlashingCutBps`.
    uint16 public constant MAX_MAX_SLASHING_CUT_BPS = 10_000;
    /// @notice Upper bound of `disputeRewardBps` (its floor is zero).
    uint16 public constant MAX_DISPUTE_REWARD_BPS = 10_000;
    /// @dev The registry's MAX_VRAM_GIB: a job that asks for more memory per GPU than any provider may list could never
    ///      be accepted.
    uint16 private constant MAX_MIN_VRAM_GIB = 4096;
    /// @notice Upper bound of a job's `minSlashRewardBps`: the whole of a slash.
    uint16 public constant MAX_MIN_SLASH_REWARD_BPS = 10_000;
    /// @notice Lower bound of `challengeWindow`, in seconds.
    uint32 public constant MIN_CHALLENGE_WINDOW = 10 minutes;
    /// @notice Upper bound of `challengeWindow`, in seconds.
    uint32 public constant MAX_CHALLENGE_WINDOW = 7 days;
    /// @notice Lower bound of `grace`, in seconds.
    uint32 public constant MIN_GRACE = 1 minutes;
    /// @notice Upper bound of `grace`, in seconds.
    uint32 public constant MAX_GRACE = 1 days;
    /// @notice Lower bound of `disputePeriod`, in seconds.
    uint32 public constant MIN_DISPUTE_PERIOD = 1 hours;
    /// @notice Upper bound of `disputePeriod`, in seconds.
    uint32 public constant MAX_DISPUTE_PERIOD = 14 days;
    /// @notice Lower bound of `disputeDeposit` (1 LAT).
    uint96 public constant MIN_DISPUTE_DEPOSIT = 1e18;
    /// @notice Upper bound of `disputeDeposit` (1,000,000 LAT).
    uint96 public constant MAX_DISPUTE_DEPOSIT = 1e24;
    /// @notice Upper bound of `minTrackRecordCost` (10,000 LAT); its floor is zero, which counts every settled job.
    uint80 public constant MAX_MIN_TRACK_RECORD_COST = 1e22;

    /// @notice LAT.
    IERC20 public immutable token;
    /// @notice Where GPUs are reserved and providers' operators are known.
    IProviderRegistry public immutable registry;
    /// @notice Where collateral is locked, unlocked and slashed; also the live source of the treasury.
    IStaking public immutable staking;
    /// @notice The only contract that may move jobs in and out of dispute.
    address public immutable disputeManager;
    /// @notice The emergency brake checked by `createJob` and `acceptJob`.
    IPauseGuardian public immutable pauseGuardian;

    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint32 paramsId => EconomicParams) private _params;
    mapping(address provider => ProviderStats) private _stats;

    // Packed in one slot.
    uint64 private _jobCount;
    uint32 private _currentParamsId;

    /// @param governance_ The LatentTimelock.
    /// @param token_ LAT.
    /// @param registry_ The ProviderRegistry.
    /// @param staking_ The Staking contract.
    /// @param disputeManager_ The DisputeManager.
    /// @param pauseGuardian_ The PauseGuardian.
    /// @param params Version 1 of the economic parameters, each within bounds.
    constructor(
        address governance_,
        IERC20 token_,
        IProviderRegistry registry_,
        IStaking staking_,
        address disputeManager_,
        IPauseGuardian pauseGuardian_,
        EconomicParams memory params
    ) Governed(governance_) {
        _requireNonZero("token", address(token_));
        _requireNonZero("registry", address(registry_));
        _requireNonZero("staking", address(staking_));
        _requireNonZero("disputeManager", disputeManager_);
        _requireNonZero("pauseGuardian", address(pauseGuardian_));
        token = token_;
        registry = registry_;
        staking = staking_;
        disputeManager = disputeManager_;
        pauseGuardian = pauseGuardian_;

        _checkAndEmit("protocolFeeBps", params.protocolFeeBps, 0, MAX_PROTOCOL_FEE_BPS);
        _checkAndEmit(
            "collateralRatioBps",
            params.collateralRatioBps,
            MIN_COLLATERAL_RATIO_BPS,
            MAX_COLLATERAL_RATIO_BPS
        );
        _checkAndEmit("timeoutSlashBps", params.timeoutSlashBps, MIN_TIMEOUT_SLASH_BPS, MAX_TIMEOUT_SLASH_BPS);
        _checkAndEmit(
            "maxSlashingCutBps",
            params.maxSlashingCutBps,
            MIN_MAX_SLASHING_CUT_BPS,
            MAX_MAX_SLASHING_CUT_BPS
        );
        _checkAndEmit("disputeRewardBps", params.disputeRewardBps, 0, MAX_DISPUTE_REWARD_BPS);
        _checkAndEmit("challengeWindow", params.challengeWindow, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        _checkAndEmit("grace", params.grace, MIN_GRACE, MAX_GRACE);
        _checkAndEmit("disputePeriod", params.disputePeriod, MIN_DISPUTE_PERIOD, MAX_DISPUTE_PERIOD);
        _checkAndEmit("disputeDeposit", params.disputeDeposit, MIN_DISPUTE_DEPOSIT, MAX_DISPUTE_DEPOSIT);
        _checkAndEmit("minTrackRecordCost", params.minTrackRecordCost, 0, MAX_MIN_TRACK_RECORD_COST);
        _pushParams(params);
    }

    modifier onlyDisputeManager() {
        if (msg.sender != disputeManager) revert JobEscrowOnlyDisputeManager(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- clients

    /// @inheritdoc IJobEscrow
    function createJob(JobTerms calldata terms, string calldata specURI) external nonReentrant returns (uint256) {
        return _createJob(terms, specURI);
    }

    /// @inheritdoc IJobEscrow
    function createJobWithPermit(
        JobTerms calldata terms,
        string calldata specURI,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256) {
        uint256 escrowed = LatentMath.cost(
            terms.maxPricePerGpuHour,
            terms.requirements.gpuCount,
            terms.maxDuration
        );
        // A permit front-run by someone else reverts here, but the allowance it set is what transferFrom needs.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(token)).permit(msg.sender, address(this), escrowed, permitDeadline, v, r, s) {} catch {}
        return _createJob(terms, specURI);
    }

    /// @inheritdoc IJobEscrow
    function cancelJob(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Open);
        address client = job.client;
        if (msg.sender != client) revert JobEscrowNotClient(jobId, msg.sender);
        job.status = JobStatus.Cancelled;
        uint256 refund = job.escrowed;
        emit JobCancelled(jobId, client, refund);
        token.safeTransfer(client, refund);
    }

    /// @inheritdoc IJobEscrow
    function expireJob(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Open);
        uint40 acceptDeadline = job.deadline;
        if (block.timestamp <= acceptDeadline) revert JobEscrowAcceptDeadlineNotPassed(jobId, acceptDeadline);
        job.status = JobStatus.Expired;
        address client = job.client;
        uint256 refund = job.escrowed;
        emit JobExpired(jobId, client, refund);
        token.safeTransfer(client, refund);
    }

    /// @inheritdoc IJobEscrow
    function approveResult(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Submitted);
        if (msg.sender != job.client) revert JobEscrowNotClient(jobId, msg.sender);
        _settle(jobId, job, SettlementReason.Approved);
    }

    // -------------------------------------------------------------- providers

    /// @inheritdoc IJobEscrow
    function declineJob(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Open);
        address target = job.provider;
        if (target == address(0)) revert JobEscrowNotDirected(jobId);
        _requireProviderOrOperator(target);
        job.status = JobStatus.Declined;
        address client = job.client;
        uint256 refund = job.escrowed;
        emit JobDeclined(jobId, target, msg.sender, refund);
        token.safeTransfer(client, refund);
    }

    /// @inheritdoc IJobEscrow
    function acceptJob(uint256 jobId, address provider, JobTerms calldata terms) external nonReentrant {
        pauseGuardian.requireNotPaused();
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Open);
        bytes32 givenHash = _hashTerms(terms);
        bytes32 termsHash = job.termsHash;
        if (givenHash != termsHash) revert JobEscrowTermsMismatch(jobId, termsHash, givenHash);
        {
            uint40 acceptDeadline = job.deadline;
            if (block.timestamp > acceptDeadline) revert JobEscrowAcceptDeadlinePassed(jobId, acceptDeadline);
            address target = job.provider;
            if (target != address(0) && target != provider) {
                revert JobEscrowNotTargetProvider(jobId, provider, target);
            }
        }

        JobRequirements calldata req = terms.requirements;
        IProviderRegistry.Provider memory record = registry.reserve(provider, msg.sender, jobId, req.gpuCount);
        uint256 escrowed;
        {
            // A timeout pays the slashed collateral to the client: were the client the provider (or its operator key),
            // the provider's stake would come back to it after maxDuration + grace, or at once by abandonJob, instead
            // of after the thawing period. The same job posted from an address the registry does not tie to the
            // provider cannot be told apart on-chain; each such round costs the provider a public timeout on its
            // record and at most timeoutSlashBps of one job's collateral (see the README's "Staked tokens do not
            // vote").
            // Both in the job's first slot, read together so that it is loaded once.
            address client = job.client;
            escrowed = job.escrowed;
            if (client == provider || client == record.operator) revert JobEscrowSelfDirectedJob(jobId, client, provider);
        }
        _checkRequirements(req, record, provider);
        if (record.pricePerGpuHour > terms.maxPricePerGpuHour) {
            revert JobEscrowPriceAboveMax(record.pricePerGpuHour, terms.maxPricePerGpuHour);
        }

        uint32 paramsId = _currentParamsId;
        EconomicParams storage params = _params[paramsId];
        // Rounded up: escrowed >= 1 and the ratio >= 1,000 bps, so every job locks at least a wei.
        uint256 collateral = LatentMath.bpsUp(escrowed, params.collateralRatioBps);
        // block.timestamp + at most 30 days + 1 day fits in 40 bits for the next 30,000 years.
        uint40 resultDeadline = uint40(block.timestamp + terms.maxDuration + params.grace);

        job.provider = provider;
        job.status = JobStatus.Accepted;
        job.deadline = resultDeadline;
        job.acceptedAt = uint40(block.timestamp);
        job.pricePerGpuHour = record.pricePerGpuHour;
        job.paramsId = paramsId;

        staking.lock(provider, jobId, collateral);
        emit JobAccepted(jobId, provider, msg.sender, record.pricePerGpuHour, collateral, paramsId, resultDeadline);
    }

    /// @inheritdoc IJobEscrow
    function submitResult(uint256 jobId, string calldata resultURI, bytes32 resultHash) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Accepted);
        address provider = job.provider;
        _requireProviderOrOperator(provider);
        uint40 resultDeadline = job.deadline;
        if (block.timestamp > resultDeadline) revert JobEscrowResultDeadlinePassed(jobId, resultDeadline);
        uint256 uriLength = bytes(resultURI).length;
        if (uriLength == 0 || uriLength > MAX_URI_LENGTH) revert JobEscrowInvalidResultURI(uriLength, MAX_URI_LENGTH);
        if (resultHash == bytes32(0)) revert JobEscrowZeroResultHash();

        job.status = JobStatus.Submitted;
        job.submittedAt = uint40(block.timestamp);
        uint256 cost = _meteredCost(job);
        uint64 challengeDeadline = uint64(block.timestamp) + _params[job.paramsId].challengeWindow;

        registry.release(provider, jobId, job.gpuCount);
        emit ResultSubmitted(jobId, provider, msg.sender, resultURI, resultHash, cost, challengeDeadline);
    }

    /// @inheritdoc IJobEscrow
    function abandonJob(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        // One slot: read together, so that it is loaded once.
        JobStatus status = job.status;
        uint40 resultDeadline = job.deadline;
        address provider = job.provider;
        _requireStatus(jobId, status, JobStatus.Accepted);
        _requireProviderOrOperator(provider);
        // Past the deadline the job has timed out already, and anyone may settle it so with `claimTimeout`.
        if (block.timestamp > resultDeadline) revert JobEscrowResultDeadlinePassed(jobId, resultDeadline);
        emit JobAbandoned(jobId, provider, msg.sender);
        _timeOut(jobId, job, provider);
    }

    // ----------------------------------------------------------------- anyone

    /// @inheritdoc IJobEscrow
    function settle(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Submitted);
        uint64 challengeDeadline = uint64(job.submittedAt) + _params[job.paramsId].challengeWindow;
        if (block.timestamp <= challengeDeadline) revert JobEscrowChallengeWindowOpen(jobId, challengeDeadline);
        _settle(jobId, job, SettlementReason.ChallengeWindowPassed);
    }

    /// @inheritdoc IJobEscrow
    function claimTimeout(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        // One slot: read together, so that it is loaded once.
        JobStatus status = job.status;
        uint40 resultDeadline = job.deadline;
        address provider = job.provider;
        _requireStatus(jobId, status, JobStatus.Accepted);
        if (block.timestamp <= resultDeadline) revert JobEscrowResultDeadlineNotPassed(jobId, resultDeadline);
        _timeOut(jobId, job, provider);
    }

    // -------------------------------------------------------- dispute manager

    /// @inheritdoc IJobEscrow
    function markDisputed(uint256 jobId) external onlyDisputeManager {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Submitted);
        job.status = JobStatus.Disputed;
    }

    /// @inheritdoc IJobEscrow
    function settleDisputed(
        uint256 jobId,
        SettlementReason reason
    ) external onlyDisputeManager nonReentrant returns (address client, address provider) {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job.status, JobStatus.Disputed);
        return _settle(jobId, job, reason);
    }

    /// @inheritdoc IJobEscrow
    /// @dev The slash is checked and made here rather than in the dispute manager so that an upheld ruling reads the
    ///      job and its parameters where they are stored and reaches Staking once (slash and unlock together).
    function refundDisputed(
        uint256 jobId,
        uint256 slashAmount
    ) external onlyDisputeManager nonReentrant returns (address client, uint256 reward) {
        Job storage job = _jobs[jobId];
        // Each slot's fields are read together, before any call, so the optimizer loads each slot once.
        JobStatus status = job.status;
        address provider = job.provider;
        client = job.client;
        uint256 refund = job.escrowed;
        _requireStatus(jobId, status, JobStatus.Disputed);
        job.status = JobStatus.Refunded;
        // Cannot overflow: one increment per lost dispute of this provider, each a paid transaction.
        unchecked {
            _stats[provider].disputesLost += 1;
        }
        if (slashAmount != 0) {
            EconomicParams storage params = _params[job.paramsId];
            // The lock was computed from the same escrow and ratio at acceptance, and only this ruling slashes a
            // disputed job, so this is its exact amount.
            uint256 collateral = LatentMath.bpsUp(refund, params.collateralRatioBps);
            uint256 maxSlash = LatentMath.bps(collateral, params.maxSlashingCutBps);
            if (slashAmount > maxSlash) revert IDisputeManager.DisputeManagerSlashTooLarge(jobId, slashAmount, maxSlash);
            reward = LatentMath.bps(slashAmount, params.disputeRewardBps);
            // The provider's cap may cut the reward: report what the client was paid.
            (, reward) = staking.slashAndUnlock(provider, jobId, slashAmount, client, reward);
        } else {
            staking.unlock(provider, jobId);
        }
        emit JobRefunded(jobId, provider, refund);
        token.safeTransfer(client, refund);
    }

    // ------------------------------------------------------------- governance

    /// @notice Set the protocol fee, in bps of a job's cost, within [0, MAX_PROTOCOL_FEE_BPS]. Governance only.
    /// @param value The new value.
    function setProtocolFeeBps(uint16 value) external onlyGovernance {
        EconomicParams memory p = _announce("protocolFeeBps", value, 0, MAX_PROTOCOL_FEE_BPS);
        p.protocolFeeBps = value;
        _pushParams(p);
    }

    /// @notice Set the collateral ratio, in bps of a job's escrow, within bounds (non-zero floor). Governance only.
    /// @param value The new value.
    function setCollateralRatioBps(uint16 value) external onlyGovernance {
        EconomicParams memory p = _announce(
            "collateralRatioBps",
            value,
            MIN_COLLATERAL_RATIO_BPS,
            MAX_COLLATERAL_RATIO_BPS
        );
        p.collateralRatioBps = value;
        _pushParams(p);
    }

    /// @notice Set the share of collateral slashed on timeout, within bounds (non-zero floor). Governance only.
    /// @param value The new value.
    function setTimeoutSlashBps(uint16 value) external onlyGovernance {
        EconomicParams memory p = _announce("timeoutSlashBps", value, MIN_TIMEOUT_SLASH_BPS, MAX_TIMEOUT_SLASH_BPS);
        p.timeoutSlashBps = value;
        _pushParams(p);
    }

    /// @notice Set the most of a job's collateral an upheld dispute may slash, within bounds. Governance only.
    /// @param value The new value.
    function setMaxSlashingCutBps(uint16 value) external onlyGovernance {
        EconomicParams memory p = _announce(
            "maxSlashingCutBps",
            value,
            MIN_MAX_SLASHING_CUT_BPS,
            MAX_MAX_SLASHING_CUT_BPS
        );
        p.maxSlashingCutBps = value;
        _pushParams(p);
    }

    /// @notice Set the client's share of a dispute slash, within [0, 10_000]. Governance only.
    /// @param value The new value.
    function setDisputeRewardBps(uint16 value) external onlyGovernance {
        EconomicParams memory p = _announce("disputeRewardBps", value, 0, MAX_DISPUTE_REWARD_BPS);
        p.disputeRewardBps = value;
        _pushParams(p);
    }

    /// @notice Set the challenge window after submission, within bounds. Governance only.
    /// @param value The new value.
    function setChallengeWindow(uint32 value) external onlyGovernance {
        EconomicParams memory p = _announce("challengeWindow", value, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        p.challengeWindow = value;
        _pushParams(p);
    }

    /// @notice Set the grace period after a job's maximum duration, within bounds. Governance only.
    /// @param value The new value.
    function setGrace(uint32 value) external onlyGovernance {
        EconomicParams memory p = _announce("grace", value, MIN_GRACE, MAX_GRACE);
        p.grace = value;
        _pushParams(p);
    }

    /// @notice Set the time the arbitrator has to rule, within bounds. Governance only.
    /// @param value The new value.
    function setDisputePeriod(uint32 value) external onlyGovernance {
        EconomicParams memory p = _announce("disputePeriod", value, MIN_DISPUTE_PERIOD, MAX_DISPUTE_PERIOD);
        p.disputePeriod = value;
        _pushParams(p);
    }

    /// @notice Set the deposit a client posts to dispute, within bounds. Governance only.
    /// @param value The new value.
    function setDisputeDeposit(uint96 value) external onlyGovernance {
        EconomicParams memory p = _announce("disputeDeposit", value, MIN_DISPUTE_DEPOSIT, MAX_DISPUTE_DEPOSIT);
        p.disputeDeposit = value;
        _pushParams(p);
    }

    /// @notice Set the least cost a settled job must have to count in its provider's `completed`, within
    ///         [0, MAX_MIN_TRACK_RECORD_COST]. Applies to jobs accepted from now on. Governance only.
    /// @param value The new value.
    function setMinTrackRecordCost(uint80 value) external onlyGovernance {
        EconomicParams memory p = _announce("minTrackRecordCost", value, 0, MAX_MIN_TRACK_RECORD_COST);
        p.minTrackRecordCost = value;
        _pushParams(p);
    }

    /// @inheritdoc IJobEscrow
    /// @dev No `whenNotPaused`: the guardian's pause stops new inflows, and this moves nothing anyone is owed. No sum of
    ///      the LAT owed is kept (it would cost every job's creation and settlement a storage write), so LAT is refused
    ///      outright. Reentrancy-guarded because `erc20` may be any contract.
    function recoverTokens(
        address erc20,
        address to,
        uint256 amount
    ) external onlyGovernance nonReentrant returns (uint256) {
        return _recoverTokens(erc20, to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IJobEscrow
    function getJob(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @inheritdoc IJobEscrow
    function getParams(uint32 paramsId) external view returns (EconomicParams memory) {
        return _params[paramsId];
    }

    /// @inheritdoc IJobEscrow
    function getDisputeTerms(uint32 paramsId)
        external
        view
        returns (uint32 challengeWindow, uint32 disputePeriod, uint96 disputeDeposit)
    {
        EconomicParams storage params = _params[paramsId];
        return (params.challengeWindow, params.disputePeriod, params.disputeDeposit);
    }

    /// @inheritdoc IJobEscrow
    function currentParamsId() external view returns (uint32) {
        return _currentParamsId;
    }

    /// @inheritdoc IJobEscrow
    function providerStats(address provider) external view returns (ProviderStats memory) {
        return _stats[provider];
    }

    /// @inheritdoc IJobEscrow
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc IJobEscrow
    function computeCost(uint256 pricePerGpuHour, uint256 gpuCount, uint256 duration) external pure returns (uint256) {
        return LatentMath.cost(pricePerGpuHour, gpuCount, duration);
    }

    /// @inheritdoc IJobEscrow
    function hashTerms(JobTerms calldata terms) external pure returns (bytes32) {
        return _hashTerms(terms);
    }

    // --------------------------------------------------------------- internal

    function _createJob(JobTerms calldata terms, string calldata specURI) private returns (uint256 jobId) {
        pauseGuardian.requireNotPaused();
        uint256 escrowed = _validateTerms(terms, specURI);
        address target = terms.targetProvider;
        if (target == msg.sender) revert JobEscrowSelfDirectedTarget(msg.sender);

        // Cannot overflow: one increment per job, each a paid transaction; 2^64 is out of reach.
        unchecked {
            jobId = uint256(_jobCount) + 1;
        }
        _jobCount = uint64(jobId);
        Job storage job = _jobs[jobId];
        job.client = msg.sender;
        job.escrowed = uint96(escrowed);
        job.provider = target;
        job.status = JobStatus.Open;
        job.deadline = uint40(terms.acceptDeadline);
        job.termsHash = _hashTerms(terms);
        job.gpuCount = terms.requirements.gpuCount;
        job.maxDuration = terms.maxDuration;

        emit JobCreated(jobId, msg.sender, target, terms, specURI, escrowed);
        token.safeTransferFrom(msg.sender, address(this), escrowed);
    }

    /// @return escrowed The job's maximum cost, which the client pays in.
    function _validateTerms(JobTerms calldata terms, string calldata specURI) private view returns (uint256 escrowed) {
        JobRequirements calldata req = terms.requirements;
        if (req.gpuModel != bytes32(0) && !LatentIds.isValid(req.gpuModel)) revert JobEscrowInvalidGpuModel(req.gpuModel);
        if (req.region != bytes16(0) && !LatentIds.isValidRegion(req.region)) revert JobEscrowInvalidRegion(req.region);
        if (req.gpuCount == 0) revert JobEscrowInvalidGpuCount(req.gpuCount);
        if (req.minVramGiB > MAX_MIN_VRAM_GIB) revert JobEscrowInvalidMinVram(req.minVramGiB, MAX_MIN_VRAM_GIB);
        if (req.minSlashRewardBps > MAX_MIN_SLASH_REWARD_BPS) {
            revert JobEscrowInvalidMinSlashRewardBps(req.minSlashRewardBps, MAX_MIN_SLASH_REWARD_BPS);
        }
        uint32 maxDuration = terms.maxDuration;
        if (maxDuration < MIN_DURATION || maxDuration > MAX_DURATION) {
            revert JobEscrowInvalidMaxDuration(maxDuration, MIN_DURATION, MAX_DURATION);
        }
        uint64 acceptDeadline = terms.acceptDeadline;
        if (acceptDeadline <= block.timestamp || acceptDeadline > block.timestamp + MAX_ACCEPT_WINDOW) {
            revert JobEscrowInvalidAcceptDeadline(acceptDeadline, block.timestamp);
        }
        uint256 uriLength = bytes(specURI).length;
        if (uriLength == 0 || uriLength > MAX_URI_LENGTH) revert JobEscrowInvalidSpecURI(uriLength, MAX_URI_LENGTH);
        escrowed = LatentMath.cost(terms.maxPricePerGpuHour, req.gpuCount, maxDuration);
        // A price too small to cost anything, or so large the escrow cannot be held, is not a price.
        if (escrowed == 0 || escrowed > type(uint96).max) revert JobEscrowInvalidMaxPrice(terms.maxPricePerGpuHour);
    }

    function _checkRequirements(
        JobRequirements calldata req,
        IProviderRegistry.Provider memory record,
        address provider
    ) private view {
        if (req.gpuModel != bytes32(0) && req.gpuModel != record.gpuModel) {
            revert JobEscrowGpuModelMismatch(req.gpuModel, record.gpuModel);
        }
        if (req.region != bytes16(0) && req.region != record.region) {
            revert JobEscrowRegionMismatch(req.region, record.region);
        }
        if (record.vramGiB < req.minVramGiB) revert JobEscrowVramTooLow(req.minVramGiB, record.vramGiB);
        if (req.tier != IProviderRegistry.Tier.Any && req.tier != record.tier) {
            revert JobEscrowTierMismatch(req.tier, record.tier);
        }
        uint32 minCompleted = req.minCompletedJobs;
        if (minCompleted != 0) {
            uint32 completed = _stats[provider].completed;
            if (completed < minCompleted) revert JobEscrowTooFewCompletedJobs(minCompleted, completed);
        }
        // A call to Staking only for jobs that set a minimum: passing it into `Staking.lock` instead would spare those
        // jobs the call but cost every acceptance, and every Staking call, a little (measured: see the README).
        uint16 minSlashReward = req.minSlashRewardBps;
        if (minSlashReward != 0) {
            uint16 cap = staking.maxSlashRewardBps(provider);
            if (cap < minSlashReward) revert JobEscrowSlashRewardCapTooLow(minSlashReward, cap);
        }
    }

    /// @dev Pays a submitted or disputed job out: cost minus fee to the provider, the fee to the treasury (read
    ///      live), the rest of the escrow back to the client; the collateral is released.
    function _settle(
        uint256 jobId,
        Job storage job,
        SettlementReason reason
    ) private returns (address client, address provider) {
        provider = job.provider;
        client = job.client;
        uint256 escrowed = job.escrowed;
        uint256 cost = _meteredCost(job);
        EconomicParams storage params = _params[job.paramsId];
        // Both in the params' first slot, read together so that it is loaded once.
        uint16 protocolFeeBps = params.protocolFeeBps;
        uint80 minTrackRecordCost = params.minTrackRecordCost;
        // Rounded up, so a job that cost anything pays a fee while protocolFeeBps is not zero.
        uint256 fee = LatentMath.bpsUp(cost, protocolFeeBps);
        uint256 providerAmount;
        uint256 refund;
        // Cannot underflow: fee <= cost (fee bps <= 10_000, so even rounded up) and cost <= escrowed (price <= the job's maximum price
        // and billed time <= maxDuration, both rounded down by the same formula).
        unchecked {
            providerAmount = cost - fee;
            refund = escrowed - cost;
        }

        job.status = JobStatus.Completed;
        // A job that cost less is settled all the same but builds no track record: self-directed jobs would
        // otherwise buy `completed` for gas and a fee on a near-zero cost.
        if (cost >= minTrackRecordCost) {
            // Cannot overflow: one increment per settled job of this provider, each a paid transaction.
            unchecked {
                _stats[provider].completed += 1;
            }
        }
        staking.unlock(provider, jobId);
        emit JobSettled(jobId, provider, reason, cost, fee, providerAmount, refund);

        if (providerAmount != 0) token.safeTransfer(provider, providerAmount);
        if (fee != 0) token.safeTransfer(staking.treasury(), fee);
        if (refund != 0) token.safeTransfer(client, refund);
    }

    /// @dev Ends an accepted job with no result, for `claimTimeout` and `abandonJob` alike (one settlement, so that
    ///      giving a job back can never cost less than its timeout): the whole escrow back to the client,
    ///      `timeoutSlashBps` of the collateral slashed to the client (within the provider's cap), the rest unlocked,
    ///      the GPUs released and a timeout counted. `provider` is `job.provider`, already read by the caller.
    function _timeOut(uint256 jobId, Job storage job, address provider) private {
        // Each slot's fields are read together, before any call, so the optimizer loads each slot once.
        address client = job.client;
        uint256 refund = job.escrowed;
        uint16 gpuCount = job.gpuCount;
        uint32 paramsId = job.paramsId;

        EconomicParams storage params = _params[paramsId];
        uint16 collateralRatioBps = params.collateralRatioBps;
        uint16 timeoutSlashBps = params.timeoutSlashBps;
        // The lock was computed from the same escrow and ratio at acceptance, so this is its exact amount. Rounded up,
        // as the lock is: at least a wei (the lock is, and timeoutSlashBps >= 500), so there is always a slash.
        uint256 slashed = LatentMath.bpsUp(LatentMath.bpsUp(refund, collateralRatioBps), timeoutSlashBps);

        job.status = JobStatus.TimedOut;
        // Cannot overflow: one increment per timed-out job of this provider, each a paid transaction.
        unchecked {
            _stats[provider].timedOut += 1;
        }

        registry.release(provider, jobId, gpuCount);
        staking.slashAndUnlock(provider, jobId, slashed, client, slashed);
        emit JobTimedOut(jobId, provider, refund, slashed);
        token.safeTransfer(client, refund);
    }

    /// @dev `keccak256(abi.encode(terms))` without re-encoding: JobTerms has only static fields, so its ABI
    ///      encoding is exactly its 12 words of calldata. Calldata with dirty high bits hashes differently from
    ///      the clean encoding; createJob cannot store such a hash (emitting the terms validates every field), so
    ///      dirty terms passed to acceptJob simply fail the hash check.
    function _hashTerms(JobTerms calldata terms) private pure returns (bytes32 termsHash) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, terms, 384)
            termsHash := keccak256(ptr, 384)
        }
    }

    /// @dev `floor(price * gpus * min(submittedAt - acceptedAt, maxDuration) / 3600)`.
    function _meteredCost(Job storage job) private view returns (uint256) {
        uint256 elapsed = job.submittedAt - job.acceptedAt;
        uint256 maxDuration = job.maxDuration;
        if (elapsed > maxDuration) elapsed = maxDuration;
        return LatentMath.cost(job.pricePerGpuHour, job.gpuCount, elapsed);
    }

    /// @dev The provider or its operator: who may decline, submit or give back a job for it. Out of line: three
    ///      entry points share it, and JobEscrow's code is near EIP-170's limit.
    function _requireProviderOrOperator(address provider) private view {
        if (msg.sender != provider && !registry.isAuthorized(provider, msg.sender)) {
            revert JobEscrowUnauthorized(msg.sender, provider);
        }
    }

    function _requireStatus(uint256 jobId, JobStatus status, JobStatus expected) private pure {
        if (status != expected) {
            if (status == JobStatus.None) revert JobEscrowUnknownJob(jobId);
            revert JobEscrowUnexpectedStatus(jobId, status);
        }
    }

    /// @dev Stores `params` as the next version and announces it; jobs accepted from now on use it.
    function _pushParams(EconomicParams memory params) private {
        uint32 paramsId;
        // Cannot overflow: one version per governance change.
        unchecked {
            paramsId = _currentParamsId + 1;
        }
        _currentParamsId = paramsId;
        _params[paramsId] = params;
        emit EconomicParamsUpdated(paramsId, params);
    }

    /// @dev Checks a new parameter value against its bounds and emits it as a ParameterUpdated.
    function _checkAndEmit(bytes32 parameter, uint256 value, uint256 min, uint256 max) private {
        _checkBounds(parameter, value, min, max);
        emit ParameterUpdated(parameter, value);
    }

    /// @dev The setters' shared path, kept out of line so that it exists once: checks and announces the new value,
    ///      then returns a copy of the current parameters for the setter to change one field of and push as the next
    ///      version.
    function _announce(
        bytes32 parameter,
        uint256 value,
        uint256 min,
        uint256 max
    ) private returns (EconomicParams memory) {
        _checkAndEmit(parameter, value, min, max);
        return _params[_currentParamsId];
    }

    function _recoverable(address erc20) internal view override returns (uint256) {
        if (erc20 == address(token)) revert JobEscrowRecoveryOfLat(erc20);
        return IERC20(erc20).balanceOf(address(this));
    }

    function _revertRecoveryZeroRecipient() internal pure override {
        revert JobEscrowRecoveryZeroRecipient();
    }

    function _revertRecoveryZeroAmount() internal pure override {
        revert JobEscrowRecoveryZeroAmount();
    }

    function _revertRecoveryExceeds(uint256 requested, uint256 available) internal pure override {
        revert JobEscrowRecoveryExceedsBalance(requested, available);
    }
}
