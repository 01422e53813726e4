// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "./IGoverned.sol";

/// @title IPauseGuardian
/// @notice The protocol's one emergency brake. A guardian (appointed by governance, e.g. a security council
///         multisig) may pause new provider registrations, new stake, job creation and job acceptance, and
///         nothing else: submissions, settlements, refunds, timeouts, disputes and withdrawals always work.
///         A guardian's pause lasts `pauseDuration` and then expires by itself; only governance may lift it
///         early or renew it. After a pause ends the guardian must wait `pauseDuration` again before it may
///         pause a second time, so without governance the protocol is never paused more than half the time.
interface IPauseGuardian is IGoverned {
    /// @notice The guardian paused the protocol until `pausedUntil` (a unix timestamp).
    event Paused(address indexed by, uint64 pausedUntil);

    /// @notice Governance (`by`, the timelock) set the end of the pause to `pausedUntil`: a renewal or extension of
    ///         the current pause, or a pause of its own when nothing was paused.
    event PauseRenewed(address indexed by, uint64 pausedUntil);

    /// @notice Governance lifted the pause before it expired.
    event Unpaused(address indexed by);

    /// @notice The caller is not the guardian.
    error PauseGuardianNotGuardian(address caller);

    /// @notice The protocol is already paused until `pausedUntil`.
    error PauseGuardianAlreadyPaused(uint64 pausedUntil);

    /// @notice The guardian's last pause ended too recently; it may pause again at `availableAt`.
    error PauseGuardianCoolingDown(uint64 availableAt);

    /// @notice There is no pause to lift.
    error PauseGuardianNotPaused();

    /// @notice A renewal outside (now, now + maxPauseDuration].
    error PauseGuardianInvalidPauseEnd(uint64 pausedUntil, uint64 maxPausedUntil);

    /// @notice The operation is refused while the protocol is paused, until `pausedUntil`.
    error PauseGuardianProtocolPaused(uint64 pausedUntil);

    /// @notice Pause new registrations, stake, job creation and acceptance for `pauseDuration`.
    /// @dev Guardian only; refused while paused or cooling down.
    function pause() external;

    /// @notice Lift the current pause now. Governance only.
    function unpause() external;

    /// @notice Set the end of the pause to `pausedUntil` (at most `MAX_PAUSE_DURATION` from now). Governance only.
    /// @param pausedUntil The pause's new end, a timestamp.
    function renewPause(uint64 pausedUntil) external;

    /// @notice Appoint a new guardian (zero disables guardian pauses). Governance only.
    /// @param guardian The new guardian, or zero.
    function setGuardian(address guardian) external;

    /// @notice Set how long a guardian pause lasts, within bounds. Governance only.
    /// @param pauseDuration The new duration, in seconds.
    function setPauseDuration(uint64 pauseDuration) external;

    /// @notice Reverts with `PauseGuardianProtocolPaused` while paused. Called by the guarded contracts.
    function requireNotPaused() external view;

    /// @notice Whether the protocol is paused now.
    /// @return Whether it is paused.
    function isPaused() external view returns (bool);

    /// @notice When the current (or last) pause ends; zero if never paused.
    /// @return The end of the pause, a timestamp.
    function pausedUntil() external view returns (uint64);

    /// @notice The current guardian.
    /// @return The guardian (zero when none).
    function guardian() external view returns (address);

    /// @notice How long a guardian pause lasts.
    /// @return The duration, in seconds.
    function pauseDuration() external view returns (uint64);

    /// @notice Who started the current (or last) pause: the guardian that called `pause`, or governance when its
    ///         `renewPause` found nothing paused (a renewal of a running pause keeps its starter); zero if never paused.
    /// @return Who started it.
    function pausedBy() external view returns (address);
}
