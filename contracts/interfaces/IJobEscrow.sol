// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "./IGoverned.sol";
import {IPauseGuardian} from "./IPauseGuardian.sol";
import {IProviderRegistry} from "./IProviderRegistry.sol";
import {IStaking} from "./IStaking.sol";
import {ITokenRecovery} from "./ITokenRecovery.sol";

/// @title IJobEscrow
/// @notice The life of a compute job. A client posts a job with requirements and pays its maximum cost into
///         escrow; a matching active provider (or, for a directed job, the one provider named) accepts it, which
///         reserves its GPUs and locks collateral from its stake; the provider submits a result; the job settles
///         to the provider when the client approves or the challenge window passes, or is refunded if the
///         provider times out or loses a dispute.
///
///         Metered billing: `cost = floor(price * gpuCount * min(elapsed, maxDuration) / 3600)`, with `elapsed`
///         from acceptance to submission and `price` the provider's price at acceptance. The escrowed maximum is
///         the same formula with the job's `maxPricePerGpuHour` and `maxDuration`, so `escrowed - cost`, refunded
///         to the client, is exact to the wei. The protocol fee is taken from the provider's share and sent to
///         the treasury (read live from Staking). Collateral is `collateralRatioBps` of the escrowed amount. The
///         fee, the collateral and the timeout slash round up (`ceil(x * bps / 10_000)`), so that no job is too small
///         to pay a fee, lock collateral or be slashed for a timeout: a 1-wei job locks and may lose 1 wei.
///
///         Gas: a job's terms are not stored. `createJob` stores their hash and emits them; `acceptJob` takes them
///         back as calldata and checks the hash. Economic parameters are versioned: each governance change writes
///         a new `EconomicParams` record, and a job stores the id of the version in force when it was accepted, so
///         changes apply to jobs accepted afterwards without copying parameters into every job.
///
///         Payments are pushed, not credited for a later claim: LAT has no transfer hooks, so a transfer to a
///         client or provider cannot be blocked by the recipient, and a push saves every provider a claim
///         transaction per job.
///
///         A provider that cannot run a job it accepted gives it back (`abandonJob`) with the settlement of a timeout,
///         before the deadline rather than at it.
///
///         The guardian's pause stops `createJob` and `acceptJob` only.
interface IJobEscrow is IGoverned, ITokenRecovery {
    enum JobStatus {
        None,
        Open, // posted, waiting for a provider
        Accepted, // running: GPUs reserved, collateral locked
        Submitted, // result submitted, challenge window running; GPUs released
        Disputed, // the client disputed the result
        Completed, // settled to the provider (approved, window passed, dispute rejected or drawn)
        Cancelled, // cancelled by the client before acceptance: full refund
        Expired, // acceptance deadline passed unaccepted: full refund
        Declined, // the target provider of a directed job declined it: full refund
        TimedOut, // no result by the result deadline: full refund, collateral partly slashed (to the client within a cap)
        Refunded // the client won a dispute: full refund, provider slashed
    }

    /// @notice Why a job was settled to its provider.
    enum SettlementReason {
        Approved,
        ChallengeWindowPassed,
        DisputeRejected,
        DisputeDraw
    }

    /// @notice What a provider must offer to accept a job. Zero / Any fields match anything.
    struct JobRequirements {
        bytes32 gpuModel; // normalised model id, or zero for any
        bytes16 region; // normalised region code, or zero for any
        uint16 minVramGiB;
        uint16 gpuCount; // GPUs needed, >= 1
        IProviderRegistry.Tier tier;
        uint32 minCompletedJobs; // jobs the provider must have completed
        // Least `IStaking.maxSlashRewardBps` the accepting provider must have (0..10,000; 0: any): the least share of a
        // slash of this job's collateral its client is paid. Checked at acceptance, and the cap cannot be lowered while
        // the job's collateral is locked, so it holds until the job ends.
        uint16 minSlashRewardBps;
    }

    /// @notice A job's terms; `termsHash = keccak256(abi.encode(terms))`.
    struct JobTerms {
        JobRequirements requirements;
        uint96 maxPricePerGpuHour;
        uint32 maxDuration; // seconds
        uint64 acceptDeadline; // unix time after which the job can no longer be accepted
        address targetProvider; // zero: an open job any matching provider may accept
        bytes32 specHash; // hash of the workload document at specURI
    }

    /// @notice Economic parameters, fixed for a job when it is accepted.
    struct EconomicParams {
        uint16 protocolFeeBps; // of the cost, rounded up, from the provider's share; <= 1000
        uint16 collateralRatioBps; // collateral = ceil(escrowed * ratio / 10_000); >= a non-zero floor
        uint16 timeoutSlashBps; // of the collateral, rounded up, slashed on timeout, to the client within the provider's cap; >= a floor
        uint16 maxSlashingCutBps; // most of the collateral an upheld dispute may slash
        uint16 disputeRewardBps; // of a dispute's slash, to the client (within the provider's cap); the rest to the treasury
        uint32 challengeWindow; // seconds after submission during which the client may dispute
        uint32 grace; // seconds after acceptedAt + maxDuration during which a result is still accepted
        uint32 disputePeriod; // seconds the arbitrator has to rule
        // Tokens: a settled job whose cost is below this does not count in its provider's `completed`. Declared
        // here so that it shares the first slot with the fee, which settlement reads anyway.
        uint80 minTrackRecordCost;
        uint96 disputeDeposit; // tokens the client posts to open a dispute
    }

    /// @notice A job's stored state (4 slots).
    struct Job {
        address client;
        uint96 escrowed; // maximum cost paid in at creation
        address provider; // target provider (zero = open) until accepted; then the accepting provider
        JobStatus status;
        uint40 deadline; // while Open: the acceptance deadline; from acceptance: the result deadline
        uint40 acceptedAt;
        bytes32 termsHash;
        uint96 pricePerGpuHour; // provider's price at acceptance
        uint16 gpuCount;
        uint32 maxDuration;
        uint32 paramsId; // EconomicParams version in force at acceptance
        uint40 submittedAt;
    }

    /// @notice On-chain track record of a provider; `completed` gates `minCompletedJobs`. `completed` counts the
    ///         settled jobs whose cost was at least the `minTrackRecordCost` of their parameters (the version in force
    ///         at acceptance), so that a record cannot be farmed with near-free jobs directed at oneself.
    struct ProviderStats {
        uint32 completed;
        uint32 timedOut;
        uint32 disputesLost;
    }

    /// @notice `client` posted `jobId` with `terms` (open when `targetProvider` is zero) and escrowed `escrowed` tokens,
    ///         its maximum cost; `specURI` is where its workload document lives.
    event JobCreated(
        uint256 indexed jobId,
        address indexed client,
        address indexed targetProvider,
        JobTerms terms,
        string specURI,
        uint256 escrowed
    );
    /// @notice The client cancelled unaccepted `jobId`; `refund` (the whole escrow) went back to it.
    event JobCancelled(uint256 indexed jobId, address indexed client, uint256 refund);
    /// @notice `jobId`'s acceptance deadline passed unaccepted; `refund` (the whole escrow) went back to `client`.
    event JobExpired(uint256 indexed jobId, address indexed client, uint256 refund);
    /// @notice Directed `jobId` was declined by `by` (its target `provider` or its operator); `refund` (the whole
    ///         escrow) went back to the client.
    event JobDeclined(uint256 indexed jobId, address indexed provider, address by, uint256 refund);
    /// @notice `by` (the provider or its operator) accepted `jobId` for `provider` at `pricePerGpuHour`, locking
    ///         `collateral` of its stake; the job uses parameter version `paramsId` and its result is due by
    ///         `resultDeadline` (unix seconds).
    event JobAccepted(
        uint256 indexed jobId,
        address indexed provider,
        address by,
        uint256 pricePerGpuHour,
        uint256 collateral,
        uint32 paramsId,
        uint64 resultDeadline
    );
    /// @notice `cost` is what the client will pay if the job settles; `challengeDeadline` ends the dispute window.
    event ResultSubmitted(
        uint256 indexed jobId,
        address indexed provider,
        address by,
        string resultURI,
        bytes32 resultHash,
        uint256 cost,
        uint64 challengeDeadline
    );
    /// @notice The job settled: `providerAmount = cost - fee` to the provider, `fee` to the treasury, `refund` to the client.
    ///         It counted in the provider's `completed` iff `cost >= minTrackRecordCost` of the job's `paramsId`
    ///         (both already emitted: JobAccepted and EconomicParamsUpdated), so the event does not repeat it.
    event JobSettled(
        uint256 indexed jobId,
        address indexed provider,
        SettlementReason reason,
        uint256 cost,
        uint256 fee,
        uint256 providerAmount,
        uint256 refund
    );
    /// @notice No result in time: `refund` (the whole escrow) to the client; `slashed` of the collateral was slashed,
    ///         to the client up to the provider's `IStaking.maxSlashRewardBps` of it and the rest to the treasury (the
    ///         split is in Staking's `Slashed`, emitted just before).
    event JobTimedOut(uint256 indexed jobId, address indexed provider, uint256 refund, uint256 slashed);
    /// @notice `by` (`provider` or its operator) gave accepted `jobId` back before its result deadline. Emitted just
    ///         before the `JobTimedOut` that settles it exactly as a timeout: an indexer that knows only `JobTimedOut`
    ///         sees a timeout, and one that knows this event can tell a give-up from a deadline that passed.
    event JobAbandoned(uint256 indexed jobId, address indexed provider, address by);
    /// @notice The client won a dispute: `refund` (the whole escrow) to the client.
    event JobRefunded(uint256 indexed jobId, address indexed provider, uint256 refund);
    /// @notice A new version of the economic parameters is in force for jobs accepted from now on.
    event EconomicParamsUpdated(uint32 indexed paramsId, EconomicParams params);

    /// @notice A required `gpuModel` that is neither zero (any) nor a valid GPU model id.
    error JobEscrowInvalidGpuModel(bytes32 gpuModel);
    /// @notice A required `region` that is neither zero (any) nor a valid region id.
    error JobEscrowInvalidRegion(bytes16 region);
    /// @notice A job asking for zero GPUs.
    error JobEscrowInvalidGpuCount(uint16 gpuCount);
    /// @notice `maxPricePerGpuHour` makes the escrowed maximum zero or more than fits in 96 bits.
    error JobEscrowInvalidMaxPrice(uint96 maxPricePerGpuHour);
    /// @notice A job's `minVramGiB` above `max`, the most any provider may list (ProviderRegistry.MAX_VRAM_GIB): no
    ///         provider could ever accept it, and its escrow would wait for its acceptance deadline.
    error JobEscrowInvalidMinVram(uint16 minVramGiB, uint16 max);
    /// @notice A job's `minSlashRewardBps` above `max` (10,000).
    error JobEscrowInvalidMinSlashRewardBps(uint16 minSlashRewardBps, uint16 max);
    /// @notice `maxDuration` (seconds) outside [`minDuration`, `maxAllowed`].
    error JobEscrowInvalidMaxDuration(uint32 maxDuration, uint32 minDuration, uint32 maxAllowed);
    /// @notice `acceptDeadline` is not after `nowTimestamp` or is more than MAX_ACCEPT_WINDOW after it.
    error JobEscrowInvalidAcceptDeadline(uint64 acceptDeadline, uint256 nowTimestamp);
    /// @notice A spec URI of `length` bytes: it must be 1..`maxLength`.
    error JobEscrowInvalidSpecURI(uint256 length, uint256 maxLength);
    /// @notice A result URI of `length` bytes: it must be 1..`maxLength`.
    error JobEscrowInvalidResultURI(uint256 length, uint256 maxLength);
    /// @notice A result submitted with a zero hash.
    error JobEscrowZeroResultHash();
    /// @notice `jobId` was never created.
    error JobEscrowUnknownJob(uint256 jobId);
    /// @notice `jobId` is in `status`, not one the call accepts.
    error JobEscrowUnexpectedStatus(uint256 jobId, JobStatus status);
    /// @notice `caller` is not the client of `jobId`.
    error JobEscrowNotClient(uint256 jobId, address caller);
    /// @notice `jobId` is open, not directed at a provider, so it cannot be declined.
    error JobEscrowNotDirected(uint256 jobId);
    /// @notice `jobId` is directed at `targetProvider`, not at `provider`.
    error JobEscrowNotTargetProvider(uint256 jobId, address provider, address targetProvider);
    /// @notice `caller` is neither `provider` nor its operator.
    error JobEscrowUnauthorized(address caller, address provider);
    /// @notice The terms given for `jobId` hash to `givenHash`, not to its stored `termsHash`.
    error JobEscrowTermsMismatch(uint256 jobId, bytes32 termsHash, bytes32 givenHash);
    /// @notice `jobId`'s acceptance deadline `acceptDeadline` has passed.
    error JobEscrowAcceptDeadlinePassed(uint256 jobId, uint64 acceptDeadline);
    /// @notice `expireJob` before `jobId`'s acceptance deadline `acceptDeadline` has passed.
    error JobEscrowAcceptDeadlineNotPassed(uint256 jobId, uint64 acceptDeadline);
    /// @notice The provider offers GPU model `offered`, not the `required` one.
    error JobEscrowGpuModelMismatch(bytes32 required, bytes32 offered);
    /// @notice The provider is in region `offered`, not the `required` one.
    error JobEscrowRegionMismatch(bytes16 required, bytes16 offered);
    /// @notice The provider's GPUs have `offered` GiB of memory, less than the `required` minimum.
    error JobEscrowVramTooLow(uint16 required, uint16 offered);
    /// @notice The provider's tier `offered` is not the `required` one.
    error JobEscrowTierMismatch(IProviderRegistry.Tier required, IProviderRegistry.Tier offered);
    /// @notice The provider has `completed` counted jobs, fewer than the `required` track record.
    error JobEscrowTooFewCompletedJobs(uint32 required, uint32 completed);
    /// @notice The provider's slash reward cap `offered` (bps) is below the job's `required` `minSlashRewardBps`.
    error JobEscrowSlashRewardCapTooLow(uint16 required, uint16 offered);
    /// @notice `client` posted `jobId` and is `provider` or its operator: a self-directed job, whose timeout would pay
    ///         the provider's own slashed collateral back to it, an exit from stake that skips the thawing period.
    error JobEscrowSelfDirectedJob(uint256 jobId, address client, address provider);
    /// @notice `client` posts a job directed at itself (`targetProvider`), which `acceptJob` would refuse as
    ///         `JobEscrowSelfDirectedJob`, leaving the escrow held until a cancel or the acceptance deadline. A job
    ///         directed at a provider whose operator is `client` is refused only at acceptance: an operator can change
    ///         after posting, and reading it here would cost every directed job a registry call.
    error JobEscrowSelfDirectedTarget(address client);
    /// @notice The provider's `price` per GPU-hour is above the job's `maxPricePerGpuHour`.
    error JobEscrowPriceAboveMax(uint96 price, uint96 maxPricePerGpuHour);
    /// @notice `jobId`'s result deadline `resultDeadline` has passed (`submitResult`; `abandonJob`, where `claimTimeout`
    ///         is the way out).
    error JobEscrowResultDeadlinePassed(uint256 jobId, uint64 resultDeadline);
    /// @notice `claimTimeout` before `jobId`'s result deadline `resultDeadline` has passed.
    error JobEscrowResultDeadlineNotPassed(uint256 jobId, uint64 resultDeadline);
    /// @notice `settle` before `jobId`'s challenge window ends at `challengeDeadline`.
    error JobEscrowChallengeWindowOpen(uint256 jobId, uint64 challengeDeadline);
    /// @notice `caller` is not the dispute manager.
    error JobEscrowOnlyDisputeManager(address caller);
    /// @notice A recovery of `token`, which is LAT: every LAT in the escrow (escrowed jobs, held until they end) is owed to someone, and no sum of it is kept
    ///         that could tell a surplus from what is owed, so none of it can be recovered.
    error JobEscrowRecoveryOfLat(address token);
    /// @notice A recovery of `requested` tokens, more than this contract's `balance` of them.
    error JobEscrowRecoveryExceedsBalance(uint256 requested, uint256 balance);
    /// @notice A recovery that would move nothing: zero requested, or a zero balance when all was asked for.
    error JobEscrowRecoveryZeroAmount();
    /// @notice A recovery to the zero address.
    error JobEscrowRecoveryZeroRecipient();

    /// @notice Post a job and pay its maximum cost into escrow (the caller is the client). Refused while paused.
    /// @param terms Requirements (`minSlashRewardBps` at most 10,000, else `JobEscrowInvalidMinSlashRewardBps`), price
    ///        cap, duration cap, acceptance deadline, optional target and spec hash.
    /// @param specURI Where the workload document lives (1..MAX_URI_LENGTH bytes); its hash is `terms.specHash`.
    /// @return jobId The new job's id (ids start at 1).
    function createJob(JobTerms calldata terms, string calldata specURI) external returns (uint256 jobId);

    /// @notice `createJob` with an EIP-2612 permit; a permit already used is ignored when the allowance is there.
    /// @param terms As in `createJob`.
    /// @param specURI As in `createJob`.
    /// @param permitDeadline The permit's deadline.
    /// @param v The permit signature's recovery byte.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    /// @return jobId The new job's id.
    function createJobWithPermit(
        JobTerms calldata terms,
        string calldata specURI,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 jobId);

    /// @notice Cancel an unaccepted job and refund it in full. Client only.
    /// @param jobId An open job of the caller.
    function cancelJob(uint256 jobId) external;

    /// @notice Refund in full a job whose acceptance deadline passed unaccepted. Anyone.
    /// @param jobId An open job past its acceptance deadline.
    function expireJob(uint256 jobId) external;

    /// @notice Decline a directed job and refund the client in full. Its target provider or the operator.
    /// @param jobId An open job directed at the caller's provider.
    function declineJob(uint256 jobId) external;

    /// @notice Accept an open job (or a job directed at `provider`) for `provider`, by the provider or its operator.
    ///         The provider must be active, meet every requirement (its `IStaking.maxSlashRewardBps` at least the job's
    ///         `minSlashRewardBps`, else `JobEscrowSlashRewardCapTooLow`), price at most the job's maximum and have the
    ///         GPUs free; its GPUs are reserved and collateral locked from its free stake. Refused while paused.
    /// @param jobId An open job.
    /// @param provider The provider accepting it: the caller or the provider whose operator the caller is.
    /// @param terms The job's terms exactly as emitted in `JobCreated`.
    function acceptJob(uint256 jobId, address provider, JobTerms calldata terms) external;

    /// @notice Submit the result by the result deadline (`acceptedAt + maxDuration + grace`); frees the GPUs and
    ///         fixes the cost. The provider or its operator.
    /// @param jobId An accepted job of the provider.
    /// @param resultURI Where the result lives (1..MAX_URI_LENGTH bytes).
    /// @param resultHash The result's hash (non-zero).
    function submitResult(uint256 jobId, string calldata resultURI, bytes32 resultHash) external;

    /// @notice Accept the result now and settle. Client only.
    /// @param jobId A submitted job of the caller.
    function approveResult(uint256 jobId) external;

    /// @notice Settle a submitted job once its challenge window has passed. Anyone.
    /// @param jobId A submitted job past its challenge window.
    function settle(uint256 jobId) external;

    /// @notice Refund a job whose result deadline passed with no result, slashing part of the collateral to the client
    ///         (at most the provider's `IStaking.maxSlashRewardBps` of it, the rest to the treasury). Anyone.
    /// @param jobId An accepted job past its result deadline.
    function claimTimeout(uint256 jobId) external;

    /// @notice Give an accepted job back before its result deadline, when the provider cannot run it: settled exactly
    ///         as `claimTimeout` would settle it at the deadline (the client refunded in full, `timeoutSlashBps` of the
    ///         collateral slashed to the client within the provider's cap, the GPUs released, one more `timedOut` in
    ///         the provider's stats), only sooner, so that giving up is never cheaper than letting the job time out.
    ///         Emits `JobAbandoned` then `JobTimedOut`. The provider or its operator. Not stopped by the guardian's
    ///         pause: it only hands the client its money back earlier.
    /// @param jobId An accepted job of the provider, its result deadline not passed (else
    ///        `JobEscrowResultDeadlinePassed`: `claimTimeout` settles it then, called by anyone).
    function abandonJob(uint256 jobId) external;

    /// @notice Move a submitted job to Disputed. Dispute manager only, which has read the job already.
    /// @param jobId A submitted job.
    function markDisputed(uint256 jobId) external;

    /// @notice Settle a disputed job to its provider (dispute rejected or drawn). Dispute manager only.
    /// @return client The job's client.
    /// @return provider The job's provider.
    /// @param jobId A disputed job.
    /// @param reason DisputeRejected or DisputeDraw, as emitted in `JobSettled`.
    function settleDisputed(uint256 jobId, SettlementReason reason) external returns (address client, address provider);

    /// @notice Refund a disputed job to its client after an upheld dispute, slashing `slashAmount` of its collateral
    ///         (at most the job's `maxSlashingCutBps` of it, else `IDisputeManager.DisputeManagerSlashTooLarge`),
    ///         `disputeRewardBps` of the slash to the client (at most the provider's `IStaking.maxSlashRewardBps` of
    ///         it), and unlocking the rest. Dispute manager only.
    /// @return client The job's client.
    /// @return reward The part of the slash paid to the client.
    /// @param jobId A disputed job.
    /// @param slashAmount Collateral to slash; zero slashes nothing and unlocks it all.
    function refundDisputed(uint256 jobId, uint256 slashAmount) external returns (address client, uint256 reward);

    /// @notice Set the protocol fee, in bps of a job's cost, within [0, MAX_PROTOCOL_FEE_BPS], for jobs accepted from now
    ///         on. Governance only; `GovernedParameterOutOfBounds` outside the bounds.
    /// @param protocolFeeBps The new fee, in bps of a job's cost.
    function setProtocolFeeBps(uint16 protocolFeeBps) external;

    /// @notice Set the collateral ratio, in bps of a job's escrow, within [MIN_COLLATERAL_RATIO_BPS,
    ///         MAX_COLLATERAL_RATIO_BPS], for jobs accepted from now on. Governance only.
    /// @param collateralRatioBps The new ratio, in bps of a job's escrow.
    function setCollateralRatioBps(uint16 collateralRatioBps) external;

    /// @notice Set the share of collateral slashed on timeout, in bps, within [MIN_TIMEOUT_SLASH_BPS,
    ///         MAX_TIMEOUT_SLASH_BPS], for jobs accepted from now on. Governance only.
    /// @param timeoutSlashBps The new share, in bps of a job's collateral.
    function setTimeoutSlashBps(uint16 timeoutSlashBps) external;

    /// @notice Set the most of a job's collateral an upheld dispute may slash, in bps, within
    ///         [MIN_MAX_SLASHING_CUT_BPS, MAX_MAX_SLASHING_CUT_BPS], for jobs accepted from now on. Governance only.
    /// @param maxSlashingCutBps The new cut, in bps of a job's collateral.
    function setMaxSlashingCutBps(uint16 maxSlashingCutBps) external;

    /// @notice Set the client's share of a dispute slash, in bps, within [0, MAX_DISPUTE_REWARD_BPS], for jobs accepted
    ///         from now on. Governance only.
    /// @param disputeRewardBps The new share, in bps of a dispute slash.
    function setDisputeRewardBps(uint16 disputeRewardBps) external;

    /// @notice Set the seconds after submission during which the client may dispute, within [MIN_CHALLENGE_WINDOW,
    ///         MAX_CHALLENGE_WINDOW], for jobs accepted from now on. Governance only.
    /// @param challengeWindow The new window, in seconds.
    function setChallengeWindow(uint32 challengeWindow) external;

    /// @notice Set the seconds after a job's maximum duration before its result is late, within [MIN_GRACE, MAX_GRACE],
    ///         for jobs accepted from now on. Governance only.
    /// @param grace The new grace, in seconds.
    function setGrace(uint32 grace) external;

    /// @notice Set the seconds the arbitrator has to rule, within [MIN_DISPUTE_PERIOD, MAX_DISPUTE_PERIOD], for jobs
    ///         accepted from now on. Governance only.
    /// @param disputePeriod The new period, in seconds.
    function setDisputePeriod(uint32 disputePeriod) external;

    /// @notice Set the tokens a client posts to dispute, within [MIN_DISPUTE_DEPOSIT, MAX_DISPUTE_DEPOSIT], for jobs
    ///         accepted from now on. Governance only.
    /// @param disputeDeposit The new deposit, in LAT units.
    function setDisputeDeposit(uint96 disputeDeposit) external;

    /// @notice Set the least cost of a settled job that counts in its provider's `completed`, within
    ///         [0, MAX_MIN_TRACK_RECORD_COST], for jobs accepted from now on. Governance only.
    /// @param minTrackRecordCost The new threshold, in LAT units.
    function setMinTrackRecordCost(uint80 minTrackRecordCost) external;

    /// @notice Send `amount` of `erc20`, held here by mistake, to `to`; `type(uint256).max` sends this contract's whole
    ///         balance of it, read at execution (so a proposal need not guess a balance that may grow). Any ERC20 but
    ///         LAT (`JobEscrowRecoveryOfLat`): all the LAT here is owed to someone. Governance only
    ///         (`GovernedOnlyGovernance`); the guardian's pause does not stop it.
    /// @param erc20 The token to send: any ERC20 but LAT.
    /// @param to The recipient, named by the proposal (not zero, else `JobEscrowRecoveryZeroRecipient`).
    /// @param amount Tokens to send (non-zero, else `JobEscrowRecoveryZeroAmount`; at most the balance, else
    ///        `JobEscrowRecoveryExceedsBalance`), or `type(uint256).max` for all of it.
    /// @return recovered The tokens sent.
    function recoverTokens(address erc20, address to, uint256 amount) external returns (uint256 recovered);

    /// @notice Job `jobId`'s stored state (all zero for an unknown id).
    /// @param jobId The job.
    /// @return The job (all zero if it does not exist).
    function getJob(uint256 jobId) external view returns (Job memory);

    /// @notice Economic parameter version `paramsId` (all zero for a version never written).
    /// @param paramsId The version.
    /// @return The version's parameters (all zero if it does not exist).
    function getParams(uint32 paramsId) external view returns (EconomicParams memory);

    /// @notice The three fields of parameter version `paramsId` that opening a dispute reads (a job's own version is
    ///         its `paramsId`), so that DisputeManager need not decode the whole EconomicParams struct.
    /// @param paramsId The version, as a job records it at acceptance.
    /// @return challengeWindow Seconds after submission during which the client may dispute.
    /// @return disputePeriod Seconds the arbitrator has to rule.
    /// @return disputeDeposit Tokens the client posts to open a dispute.
    function getDisputeTerms(uint32 paramsId)
        external
        view
        returns (uint32 challengeWindow, uint32 disputePeriod, uint96 disputeDeposit);

    /// @notice The parameter version in force: jobs accepted now record it.
    /// @return The version jobs accepted now get.
    function currentParamsId() external view returns (uint32);

    /// @notice `provider`'s on-chain track record.
    /// @param provider The provider.
    /// @return Its completed, timed-out and lost-dispute counts.
    function providerStats(address provider) external view returns (ProviderStats memory);

    /// @notice The ProviderRegistry, where GPUs are reserved and providers' operators are known.
    /// @return The ProviderRegistry.
    function registry() external view returns (IProviderRegistry);

    /// @notice The DisputeManager, the only contract that may move jobs in and out of dispute.
    /// @return The DisputeManager.
    function disputeManager() external view returns (address);

    /// @notice Staking, where collateral is locked, unlocked and slashed.
    /// @return Staking.
    function staking() external view returns (IStaking);

    /// @notice The PauseGuardian, the emergency brake checked by `createJob` and `acceptJob`.
    /// @return The PauseGuardian.
    function pauseGuardian() external view returns (IPauseGuardian);

    /// @notice Number of jobs ever created (the last job id).
    /// @return The number of jobs created (the last id).
    function jobCount() external view returns (uint256);

    /// @notice `floor(pricePerGpuHour * gpuCount * duration / 3600)`.
    /// @param pricePerGpuHour Price per GPU-hour, in LAT units.
    /// @param gpuCount GPUs.
    /// @param duration Seconds.
    /// @return The cost, rounded down.
    function computeCost(uint256 pricePerGpuHour, uint256 gpuCount, uint256 duration) external pure returns (uint256);

    /// @notice `keccak256(abi.encode(terms))`.
    /// @param terms The terms.
    /// @return `keccak256(abi.encode(terms))`.
    function hashTerms(JobTerms calldata terms) external pure returns (bytes32);
}
