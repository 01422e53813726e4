// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "./IGoverned.sol";

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
interface IDisputeManager is IGoverned {
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

    event DisputeOpened(
        uint256 indexed jobId,
        address indexed client,
        address indexed provider,
        uint256 deposit,
        string evidenceURI,
        uint64 ruleDeadline
    );
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

    error DisputeManagerUnknownJob(uint256 jobId);
    error DisputeManagerNotClient(uint256 jobId, address caller);
    error DisputeManagerJobNotSubmitted(uint256 jobId);
    error DisputeManagerChallengeWindowClosed(uint256 jobId, uint64 challengeDeadline);
    error DisputeManagerNoOpenDispute(uint256 jobId);
    error DisputeManagerAlreadyAnswered(uint256 jobId);
    error DisputeManagerUnauthorized(address caller, address provider);
    error DisputeManagerNotArbitrator(address caller);
    error DisputeManagerInvalidRuling(Ruling ruling);
    error DisputeManagerRulingPeriodOver(uint256 jobId, uint64 ruleDeadline);
    error DisputeManagerRulingPeriodNotOver(uint256 jobId, uint64 ruleDeadline);
    error DisputeManagerSlashTooLarge(uint256 jobId, uint256 amount, uint256 maxAmount);
    error DisputeManagerInvalidEvidenceURI(uint256 length, uint256 maxLength);

    /// @notice Dispute a submitted result within its challenge window, posting the job's dispute deposit. Client only.
    function openDispute(uint256 jobId, string calldata evidenceURI) external;

    /// @notice `openDispute` with an EIP-2612 permit; a permit already used is ignored when the allowance is there.
    function openDisputeWithPermit(
        uint256 jobId,
        string calldata evidenceURI,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Answer an open dispute once with the provider's evidence. The provider or its operator.
    function answerDispute(uint256 jobId, string calldata evidenceURI) external;

    /// @notice Rule on an open dispute before its deadline. Arbitrator only.
    /// @param ruling Upheld, Rejected or Draw.
    /// @param slashAmount Collateral to slash when upheld (at most the job's max slashing cut); ignored otherwise.
    function rule(uint256 jobId, Ruling ruling, uint256 slashAmount) external;

    /// @notice Close a dispute the arbitrator did not rule on in time, as a draw. Anyone.
    function closeExpired(uint256 jobId) external;

    /// @notice Appoint the arbitrator. Governance only.
    function setArbitrator(address arbitrator) external;

    function getDispute(uint256 jobId) external view returns (Dispute memory);

    function arbitrator() external view returns (address);
}
