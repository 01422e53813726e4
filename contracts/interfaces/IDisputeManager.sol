// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "./IGoverned.sol";
import {ITokenRecovery} from "./ITokenRecovery.sol";

/// @title IDisputeManager
/// @notice Disputes over submitted results. The client may dispute within the job's challenge window, posting
///         the job's `disputeDeposit` and an evidence URI; the provider (or its operator) may answer once with its
///         own evidence. The arbitrator (an address governance appoints, e.g. a council multisig) rules within the
///         job's `disputePeriod`:
///         - Upheld: the client is refunded in full and gets its deposit back; the provider is slashed up to the
///           job's `maxSlashingCutBps` of its collateral, `disputeRewardBps` of the slash to the client and the
///           rest to the treasury.
///         - Rejected: the job settles to the provider, and the deposit goes to the provider, who was kept waiting.
///         - Draw: the deposit returns to the client, and the job settles as if undisputed.
///         If the arbitrator does not rule in time anyone may close the dispute as `Expired`, which is a draw:
///         funds are never stuck. The dispute manager cannot slash: an upheld ruling asks the JobEscrow, which checks
///         the slash and makes it through Staking's per-job `slashAndUnlock` (the escrow's alone).
interface IDisputeManager is IGoverned, ITokenRecovery {
    enum Ruling {
        None,
        Upheld,
        Rejected,
        Draw,
        Expired
    }

    struct Dispute {
        uint96 deposit;
        uint40 openedAt;
        uint40 ruleDeadline;
        Ruling ruling;
        bool answered;
    }

    /// @notice The client disputed `jobId`'s result, posting `deposit` tokens; `evidenceURI` is its evidence and the
    ///         arbitrator must rule by `ruleDeadline` (unix seconds).
    event DisputeOpened(
        uint256 indexed jobId,
        address indexed client,
        address indexed provider,
        uint256 deposit,
        string evidenceURI,
        uint64 ruleDeadline
    );
    /// @notice `provider`'s answer to the dispute on `jobId`, sent by `by` (the provider or its operator).
    event DisputeAnswered(uint256 indexed jobId, address indexed provider, address by, string evidenceURI);
    /// @notice `slashed` of the provider's collateral, `reward` of it to the client; the deposit went to `depositTo`.
    event DisputeResolved(
        uint256 indexed jobId,
        Ruling ruling,
        address indexed by,
        uint256 slashed,
        uint256 reward,
        address depositTo
    );

    /// @notice `jobId` is not a job of the escrow.
    error DisputeManagerUnknownJob(uint256 jobId);
    /// @notice `caller` is not the client of `jobId`.
    error DisputeManagerNotClient(uint256 jobId, address caller);
    /// @notice `jobId` is not in the Submitted status, the only one that can be disputed.
    error DisputeManagerJobNotSubmitted(uint256 jobId);
    /// @notice `jobId`'s challenge window closed at `challengeDeadline`.
    error DisputeManagerChallengeWindowClosed(uint256 jobId, uint64 challengeDeadline);
    /// @notice `jobId` has no dispute awaiting a ruling.
    error DisputeManagerNoOpenDispute(uint256 jobId);
    /// @notice The provider already answered the dispute on `jobId` (one answer per dispute).
    error DisputeManagerAlreadyAnswered(uint256 jobId);
    /// @notice `caller` is neither `provider` nor its operator.
    error DisputeManagerUnauthorized(address caller, address provider);
    /// @notice `caller` is not the arbitrator.
    error DisputeManagerNotArbitrator(address caller);
    /// @notice `arbitrator` is this contract, LAT, the JobEscrow, the ProviderRegistry, Staking or the PauseGuardian:
    ///         none of them can call `rule`, so every dispute would expire as a draw, paying the provider, until
    ///         governance appointed another.
    error DisputeManagerArbitratorIsProtocolContract(address arbitrator);
    /// @notice `ruling` is not Upheld, Rejected or Draw.
    error DisputeManagerInvalidRuling(Ruling ruling);
    /// @notice The arbitrator's deadline `ruleDeadline` for `jobId` has passed: only `closeExpired` is left.
    error DisputeManagerRulingPeriodOver(uint256 jobId, uint64 ruleDeadline);
    /// @notice `closeExpired` before `jobId`'s ruling deadline `ruleDeadline` has passed.
    error DisputeManagerRulingPeriodNotOver(uint256 jobId, uint64 ruleDeadline);
    /// @notice An upheld ruling would slash `amount` of `jobId`'s collateral, more than the job's maximum slashing cut
    ///         `maxAmount`.
    error DisputeManagerSlashTooLarge(uint256 jobId, uint256 amount, uint256 maxAmount);
    /// @notice A ruling of `ruling` (Rejected or Draw) on `jobId` with a non-zero `slashAmount`: only an upheld ruling
    ///         slashes, so the two contradict each other.
    error DisputeManagerSlashWithoutUpheld(uint256 jobId, Ruling ruling, uint256 slashAmount);
    /// @notice An evidence URI of `length` bytes: it must be 1..`maxLength`.
    error DisputeManagerInvalidEvidenceURI(uint256 length, uint256 maxLength);
    /// @notice A recovery of `requested` tokens, more than the `surplus` recoverable: for LAT the balance above the
    ///         dispute deposits held, for any other token the whole balance.
    error DisputeManagerRecoveryExceedsSurplus(uint256 requested, uint256 surplus);
    /// @notice A recovery that would move nothing: zero requested, or nothing recoverable when all was asked for.
    error DisputeManagerRecoveryZeroAmount();
    /// @notice A recovery to the zero address.
    error DisputeManagerRecoveryZeroRecipient();

    /// @notice Dispute a submitted result within its challenge window, posting the job's dispute deposit. Client only.
    /// @param jobId A submitted job of the caller.
    /// @param evidenceURI The client's evidence, 1 to MAX_URI_LENGTH bytes.
    function openDispute(uint256 jobId, string calldata evidenceURI) external;

    /// @notice `openDispute` with an EIP-2612 permit; a permit already used is ignored when the allowance is there.
    /// @param jobId A submitted job of the caller.
    /// @param evidenceURI The client's evidence, 1 to MAX_URI_LENGTH bytes.
    /// @param permitDeadline The permit's deadline.
    /// @param v The permit signature's recovery byte.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function openDisputeWithPermit(
        uint256 jobId,
        string calldata evidenceURI,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Answer an open dispute once with the provider's evidence, until its ruling deadline (after it, the
    ///         dispute can only be closed as a draw). The provider or its operator.
    /// @param jobId The disputed job.
    /// @param evidenceURI The provider's evidence, 1 to MAX_URI_LENGTH bytes.
    function answerDispute(uint256 jobId, string calldata evidenceURI) external;

    /// @notice Rule on an open dispute before its deadline. Arbitrator only.
    /// @param jobId The disputed job.
    /// @param ruling Upheld, Rejected or Draw.
    /// @param slashAmount Collateral to slash when upheld (at most the job's max slashing cut); zero otherwise, else
    ///        `DisputeManagerSlashWithoutUpheld`.
    function rule(uint256 jobId, Ruling ruling, uint256 slashAmount) external;

    /// @notice Close a dispute the arbitrator did not rule on in time, as a draw. Anyone.
    /// @param jobId The disputed job, its ruling deadline passed.
    function closeExpired(uint256 jobId) external;

    /// @notice Appoint the arbitrator. Governance only.
    /// @param arbitrator The new arbitrator (non-zero, and not this contract, LAT, the JobEscrow, the ProviderRegistry,
    ///        Staking or the PauseGuardian).
    function setArbitrator(address arbitrator) external;

    /// @notice Send `amount` of `erc20` held here by mistake to `to`; `type(uint256).max` sends all that is recoverable
    ///         (`recoverable(erc20)`, read at execution, so a proposal need not guess a balance that may grow).
    ///         LAT can be recovered only above the dispute deposits held (`heldDeposits`), so no party's deposit can
    ///         be taken; any other token in full. Governance only (`GovernedOnlyGovernance`); the guardian's pause,
    ///         which never covered disputes, does not stop it.
    /// @param erc20 The token to send: LAT or any other ERC20.
    /// @param to The recipient, named by the proposal (not zero, else `DisputeManagerRecoveryZeroRecipient`).
    /// @param amount Tokens to send (non-zero, else `DisputeManagerRecoveryZeroAmount`; at most `recoverable(erc20)`,
    ///        else `DisputeManagerRecoveryExceedsSurplus`), or `type(uint256).max` for all of it.
    /// @return recovered The tokens sent.
    function recoverTokens(address erc20, address to, uint256 amount) external returns (uint256 recovered);

    /// @notice What `recoverTokens` may send of `erc20` now: for LAT its balance above `heldDeposits`, for any other
    ///         token the whole balance.
    /// @param erc20 The token asked about.
    /// @return The tokens `recoverTokens` may send.
    function recoverable(address erc20) external view returns (uint256);

    /// @notice The dispute deposits this contract holds for their parties: the sum of the deposits of disputes not yet
    ///         resolved or closed.
    /// @return The sum of the open disputes' deposits, in LAT.
    function heldDeposits() external view returns (uint256);

    /// @notice The dispute on `jobId` (all zero if none was opened).
    /// @param jobId The job.
    /// @return The dispute record.
    function getDispute(uint256 jobId) external view returns (Dispute memory);

    /// @notice The address that rules on disputes, appointed by governance.
    /// @return The arbitrator.
    function arbitrator() external view returns (address);
}
