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

/// @title DisputeManager
/// @notice See IDisputeManager. It holds only dispute deposits; job escrow stays in the JobEscrow and collateral in
///         Staking, and it moves them only through the JobEscrow's dispute-manager entry points (on an upheld
///         ruling the escrow checks and makes the slash, in the same call that refunds the job).
///         The deposit, challenge window, dispute period, slashing cut and reward share are those of the job's
///         EconomicParams version (fixed at acceptance); the arbitrator is read live.
///
///         The deposits it holds are summed in `heldDeposits`, so that governance can send back tokens transferred
///         here by mistake without ever reaching a party's deposit.
contract DisputeManager is Governed, ReentrancyGuardTransient, TokenRecovery, IDisputeManager {
    using SafeERC20 for IERC20;

    /// @notice Longest evidence URI, in bytes.
    uint256 public constant MAX_URI_LENGTH = 256;

    /// @notice LAT.
    IERC20 public immutable token;
    /// @notice The JobEscrow whose submitted results may be disputed.
    IJobEscrow public immutable jobEscrow;
    /// @notice Where providers' operators are known.
    IProviderRegistry public immutable registry;

    mapping(uint256 jobId => Dispute) private _disputes;

    /// @inheritdoc IDisputeManager
    address public arbitrator;
    /// @dev The deposits of disputes not yet resolved: this contract's only debt in LAT. In the arbitrator's slot, which
    ///      `rule` reads first anyway, so a ruling pays only the write. It is below the supply, itself below 2^96.
    uint96 private _heldDeposits;

    /// @param governance_ The LatentTimelock.
    /// @param token_ LAT.
    /// @param jobEscrow_ The JobEscrow.
    /// @param registry_ The ProviderRegistry.
    /// @param arbitrator_ The first arbitrator (non-zero, and not this contract, LAT, the JobEscrow or the ProviderRegistry;
    ///        `setArbitrator` also refuses Staking and the PauseGuardian).
    constructor(
        address governance_,
        IERC20 token_,
        IJobEscrow jobEscrow_,
        IProviderRegistry registry_,
        address arbitrator_
    ) Governed(governance_) {
        _requireNonZero("token", address(token_));
        _requireNonZero("jobEscrow", address(jobEscrow_));
        _requireNonZero("registry", address(registry_));
        token = token_;
        jobEscrow = jobEscrow_;
        registry = registry_;
        _setArbitrator(arbitrator_);
    }

    /// @inheritdoc IDisputeManager
    function openDispute(uint256 jobId, string calldata evidenceURI) external nonReentrant {
        (IJobEscrow.Job memory job, uint32 challengeWindow, uint32 disputePeriod, uint96 deposit) = _readJob(jobId);
        _openDispute(jobId, evidenceURI, job, challengeWindow, disputePeriod, deposit);
    }

    /// @inheritdoc IDisputeManager
    function openDisputeWithPermit(
        uint256 jobId,
        string calldata evidenceURI,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        // The job and its terms are read once, for the permit's amount and for the dispute.
        (IJobEscrow.Job memory job, uint32 challengeWindow, uint32 disputePeriod, uint96 deposit) = _readJob(jobId);
        // A permit front-run by someone else reverts here, but the allowance it set is what transferFrom needs.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(token)).permit(msg.sender, address(this), deposit, permitDeadline, v, r, s) {} catch {}
        _openDispute(jobId, evidenceURI, job, challengeWindow, disputePeriod, deposit);
    }

    /// @inheritdoc IDisputeManager
    function answerDispute(uint256 jobId, string calldata evidenceURI) external {
        Dispute storage dispute = _requireOpen(jobId);
        if (dispute.answered) revert DisputeManagerAlreadyAnswered(jobId);
        // After the deadline no ruling can be made, only a draw by closeExpired: evidence then would weigh nothing,
        // yet read as part of the dispute.
        uint40 ruleDeadline = dispute.ruleDeadline;
        if (block.timestamp > ruleDeadline) revert DisputeManagerRulingPeriodOver(jobId, ruleDeadline);
        address provider = jobEscrow.getJob(jobId).provider;
        if (msg.sender != provider && !registry.isAuthorized(provider, msg.sender)) {
            revert DisputeManagerUnauthorized(msg.sender, provider);
        }
        _checkURI(evidenceURI);
        dispute.answered = true;
        emit DisputeAnswered(jobId, provider, msg.sender, evidenceURI);
    }

    /// @inheritdoc IDisputeManager
    function rule(uint256 jobId, Ruling ruling, uint256 slashAmount) external nonReentrant {
        if (msg.sender != arbitrator) revert DisputeManagerNotArbitrator(msg.sender);
        Dispute storage dispute = _requireOpen(jobId);
        uint40 ruleDeadline = dispute.ruleDeadline;
        if (block.timestamp > ruleDeadline) revert DisputeManagerRulingPeriodOver(jobId, ruleDeadline);
        if (ruling != Ruling.Upheld && ruling != Ruling.Rejected && ruling != Ruling.Draw) {
            revert DisputeManagerInvalidRuling(ruling);
        }
        // A slash named with a ruling that slashes nothing is a contradiction, not an amount to drop silently.
        if (ruling != Ruling.Upheld && slashAmount != 0) revert DisputeManagerSlashWithoutUpheld(jobId, ruling, slashAmount);
        dispute.ruling = ruling;
        uint96 deposit = dispute.deposit;
        // Cannot underflow: the deposit was added when the dispute opened and leaves only here or in closeExpired,
        // once, as the dispute is then no longer open.
        unchecked {
            _heldDeposits -= deposit;
        }

        // The escrow answers with the parties, so the job is read once, where it is stored.
        if (ruling == Ruling.Upheld) {
            (address client, uint256 reward) = jobEscrow.refundDisputed(jobId, slashAmount);
            emit DisputeResolved(jobId, ruling, msg.sender, slashAmount, reward, client);
            token.safeTransfer(client, deposit);
        } else if (ruling == Ruling.Rejected) {
            (, address provider) = jobEscrow.settleDisputed(jobId, IJobEscrow.SettlementReason.DisputeRejected);
            emit DisputeResolved(jobId, ruling, msg.sender, 0, 0, provider);
            token.safeTransfer(provider, deposit);
        } else {
            (address client, ) = jobEscrow.settleDisputed(jobId, IJobEscrow.SettlementReason.DisputeDraw);
            emit DisputeResolved(jobId, ruling, msg.sender, 0, 0, client);
            token.safeTransfer(client, deposit);
        }
    }

    /// @inheritdoc IDisputeManager
    function closeExpired(uint256 jobId) external nonReentrant {
        Dispute storage dispute = _requireOpen(jobId);
        uint40 ruleDeadline = dispute.ruleDeadline;
        if (block.timestamp <= ruleDeadline) revert DisputeManagerRulingPeriodNotOver(jobId, ruleDeadline);
        dispute.ruling = Ruling.Expired;
        uint96 deposit = dispute.deposit;
        // Cannot underflow: as in `rule`, the deposit was added when the dispute opened and leaves once.
        unchecked {
            _heldDeposits -= deposit;
        }
        (address client, ) = jobEscrow.settleDisputed(jobId, IJobEscrow.SettlementReason.DisputeDraw);
        emit DisputeResolved(jobId, Ruling.Expired, msg.sender, 0, 0, client);
        token.safeTransfer(client, deposit);
    }

    /// @inheritdoc IDisputeManager
    /// @param arbitrator_ The new arbitrator (non-zero, and not this contract, LAT, the JobEscrow, the ProviderRegistry,
    ///        Staking or the PauseGuardian).
    /// @dev Staking and the PauseGuardian are known only through the escrow, so they are checked here and not by the
    ///      constructor, which asks no other contract (the deploy refuses them, as every contract it creates, before
    ///      sending anything). The timelock is a valid arbitrator (rulings by proposal), and so is the governor, which
    ///      can call `rule` through `relay` in a proposal.
    function setArbitrator(address arbitrator_) external onlyGovernance {
        IJobEscrow escrow = jobEscrow;
        if (arbitrator_ == address(escrow.staking()) || arbitrator_ == address(escrow.pauseGuardian())) {
            revert DisputeManagerArbitratorIsProtocolContract(arbitrator_);
        }
        _setArbitrator(arbitrator_);
    }

    /// @inheritdoc IDisputeManager
    /// @dev No `whenNotPaused`: the guardian's pause stops new inflows (jobs, stakes), and this moves nothing a party
    ///      is owed. Reentrancy-guarded because `erc20` may be any contract.
    function recoverTokens(
        address erc20,
        address to,
        uint256 amount
    ) external onlyGovernance nonReentrant returns (uint256) {
        return _recoverTokens(erc20, to, amount);
    }

    /// @inheritdoc IDisputeManager
    function recoverable(address erc20) external view returns (uint256) {
        return _recoverable(erc20);
    }

    /// @inheritdoc IDisputeManager
    function heldDeposits() external view returns (uint256) {
        return _heldDeposits;
    }

    /// @inheritdoc IDisputeManager
    function getDispute(uint256 jobId) external view returns (Dispute memory) {
        return _disputes[jobId];
    }

    /// @dev The job and the dispute terms of its own parameter version, not the current one: terms change only for
    ///      jobs accepted after a change. An unknown job reads as all zeros, and so do version 0's terms.
    function _readJob(
        uint256 jobId
    )
        private
        view
        returns (IJobEscrow.Job memory job, uint32 challengeWindow, uint32 disputePeriod, uint96 deposit)
    {
        job = jobEscrow.getJob(jobId);
        (challengeWindow, disputePeriod, deposit) = jobEscrow.getDisputeTerms(job.paramsId);
    }

    function _openDispute(
        uint256 jobId,
        string calldata evidenceURI,
        IJobEscrow.Job memory job,
        uint32 challengeWindow,
        uint32 disputePeriod,
        uint96 deposit
    ) private {
        // The escrow reads an unknown job as all zeros: say so, rather than that the caller is not its client.
        if (job.client == address(0)) revert DisputeManagerUnknownJob(jobId);
        if (msg.sender != job.client) revert DisputeManagerNotClient(jobId, msg.sender);
        if (job.status != IJobEscrow.JobStatus.Submitted) revert DisputeManagerJobNotSubmitted(jobId);
        uint64 challengeDeadline = uint64(job.submittedAt) + challengeWindow;
        if (block.timestamp > challengeDeadline) revert DisputeManagerChallengeWindowClosed(jobId, challengeDeadline);
        _checkURI(evidenceURI);

        // block.timestamp + at most 14 days fits in 40 bits for the next 30,000 years.
        uint40 ruleDeadline = uint40(block.timestamp + disputePeriod);
        _disputes[jobId] = Dispute({
            deposit: deposit,
            openedAt: uint40(block.timestamp),
            ruleDeadline: ruleDeadline,
            ruling: Ruling.None,
            answered: false
        });
        // Cannot overflow: every deposit held is paid in by the transfer below (or all of this reverts), so the sum is
        // at most this contract's LAT, below the supply, itself below 2^96.
        unchecked {
            _heldDeposits += deposit;
        }
        jobEscrow.markDisputed(jobId);
        emit DisputeOpened(jobId, msg.sender, job.provider, deposit, evidenceURI, ruleDeadline);
        token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @dev LAT above the deposits held, or the whole balance of any other token (none of which is owed to anyone).
    function _recoverable(address erc20) internal view override returns (uint256) {
        uint256 balance = IERC20(erc20).balanceOf(address(this));
        if (erc20 != address(token)) return balance;
        uint256 held = _heldDeposits;
        // Only a bug could leave less than the deposits; then nothing is recoverable rather than a revert.
        return balance > held ? balance - held : 0;
    }

    function _requireOpen(uint256 jobId) private view returns (Dispute storage dispute) {
        dispute = _disputes[jobId];
        if (dispute.openedAt == 0 || dispute.ruling != Ruling.None) revert DisputeManagerNoOpenDispute(jobId);
    }

    function _checkURI(string calldata uri) private pure {
        uint256 length = bytes(uri).length;
        if (length == 0 || length > MAX_URI_LENGTH) revert DisputeManagerInvalidEvidenceURI(length, MAX_URI_LENGTH);
    }

    function _setArbitrator(address value) private {
        _requireNonZero("arbitrator", value);
        // None of these can call `rule`: every dispute would expire as a draw, the provider paid, until another
        // proposal passed. Immutables only, so the constructor checks them too; Staking and the PauseGuardian, known
        // through the escrow, are checked by setArbitrator.
        if (value == address(this) || value == address(token) || value == address(jobEscrow) || value == address(registry)) {
            revert DisputeManagerArbitratorIsProtocolContract(value);
        }
        arbitrator = value;
        emit AddressParameterUpdated("arbitrator", value);
    }

    function _revertRecoveryZeroRecipient() internal pure override {
        revert DisputeManagerRecoveryZeroRecipient();
    }

    function _revertRecoveryZeroAmount() internal pure override {
        revert DisputeManagerRecoveryZeroAmount();
    }

    function _revertRecoveryExceeds(uint256 requested, uint256 available) internal pure override {
        revert DisputeManagerRecoveryExceedsSurplus(requested, available);
    }
}
