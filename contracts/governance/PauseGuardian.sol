// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Governed} from "./Governed.sol";
import {IPauseGuardian} from "../interfaces/IPauseGuardian.sol";

/// @title PauseGuardian
/// @notice The protocol's emergency brake (see IPauseGuardian). The guarded contracts call `requireNotPaused` on
///         their entry points for new business only (registration, stake, job creation and acceptance), so a
///         pause can never trap funds: everything that ends or exits keeps working.
///
///         A guardian pause ends by itself at `pausedUntil`; the protocol is unpaused from that second on. The
///         guardian may pause again once `pauseDuration` more has passed (a cooldown measured from the end of the
///         last pause, so an early unpause by governance starts the cooldown early too).
contract PauseGuardian is Governed, IPauseGuardian {
    /// @notice Shortest guardian pause governance may configure.
    uint64 public constant MIN_PAUSE_DURATION = 1 hours;
    /// @notice Longest guardian pause, and the furthest ahead governance may set the end of a pause.
    uint64 public constant MAX_PAUSE_DURATION = 14 days;

    /// @inheritdoc IPauseGuardian
    address public guardian;
    /// @inheritdoc IPauseGuardian
    uint64 public pausedUntil;
    /// @inheritdoc IPauseGuardian
    uint64 public pauseDuration;
    /// @inheritdoc IPauseGuardian
    /// @dev Shares pauseDuration's slot, which pause() reads anyway: recording the pauser costs no new slot.
    address public pausedBy;

    /// @param governance_ The LatentTimelock.
    /// @param guardian_ The first guardian (zero: none).
    /// @param pauseDuration_ Length of a guardian pause, within [MIN_PAUSE_DURATION, MAX_PAUSE_DURATION].
    constructor(address governance_, address guardian_, uint64 pauseDuration_) Governed(governance_) {
        _setGuardian(guardian_);
        _setPauseDuration(pauseDuration_);
    }

    /// @inheritdoc IPauseGuardian
    function pause() external {
        address currentGuardian = guardian;
        if (currentGuardian == address(0) || msg.sender != currentGuardian) revert PauseGuardianNotGuardian(msg.sender);
        uint64 until = pausedUntil;
        if (block.timestamp < until) revert PauseGuardianAlreadyPaused(until);
        uint64 duration = pauseDuration;
        if (until != 0 && block.timestamp < uint256(until) + duration) {
            revert PauseGuardianCoolingDown(until + duration);
        }
        uint64 newUntil = uint64(block.timestamp) + duration;
        pausedUntil = newUntil;
        pausedBy = msg.sender;
        emit Paused(msg.sender, newUntil);
    }

    /// @inheritdoc IPauseGuardian
    function unpause() external onlyGovernance {
        if (block.timestamp >= pausedUntil) revert PauseGuardianNotPaused();
        pausedUntil = uint64(block.timestamp);
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IPauseGuardian
    /// @dev Governance may also use it to start a pause of its own.
    /// @param newPausedUntil The pause's new end, a timestamp.
    function renewPause(uint64 newPausedUntil) external onlyGovernance {
        uint64 maxPausedUntil = uint64(block.timestamp) + MAX_PAUSE_DURATION;
        if (newPausedUntil <= block.timestamp || newPausedUntil > maxPausedUntil) {
            revert PauseGuardianInvalidPauseEnd(newPausedUntil, maxPausedUntil);
        }
        if (block.timestamp >= pausedUntil) pausedBy = msg.sender;
        pausedUntil = newPausedUntil;
        emit PauseRenewed(msg.sender, newPausedUntil);
    }

    /// @inheritdoc IPauseGuardian
    /// @param newGuardian The new guardian, or zero.
    function setGuardian(address newGuardian) external onlyGovernance {
        _setGuardian(newGuardian);
    }

    /// @inheritdoc IPauseGuardian
    /// @param newPauseDuration The new duration, in seconds.
    function setPauseDuration(uint64 newPauseDuration) external onlyGovernance {
        _setPauseDuration(newPauseDuration);
    }

    /// @inheritdoc IPauseGuardian
    function requireNotPaused() external view {
        uint64 until = pausedUntil;
        if (block.timestamp < until) revert PauseGuardianProtocolPaused(until);
    }

    /// @inheritdoc IPauseGuardian
    function isPaused() external view returns (bool) {
        return block.timestamp < pausedUntil;
    }

    function _setGuardian(address newGuardian) private {
        guardian = newGuardian;
        emit AddressParameterUpdated("guardian", newGuardian);
    }

    function _setPauseDuration(uint64 newPauseDuration) private {
        _checkBounds("pauseDuration", newPauseDuration, MIN_PAUSE_DURATION, MAX_PAUSE_DURATION);
        pauseDuration = newPauseDuration;
        emit ParameterUpdated("pauseDuration", newPauseDuration);
    }
}
