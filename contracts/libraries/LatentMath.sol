// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LatentMath
/// @notice The protocol's rounding rules in one place: basis-point shares and metered cost both round down, so a
///         payer is never charged a wei more than the formula and what is left over (refund, remainder of a
///         slash) is exact.
library LatentMath {
    /// @notice 100% in basis points.
    uint256 internal constant BPS = 10_000;

    /// @notice `floor(amount * bps / 10_000)`.
    function bps(uint256 amount, uint256 basisPoints) internal pure returns (uint256) {
        return (amount * basisPoints) / BPS;
    }

    /// @notice `floor(pricePerGpuHour * gpuCount * duration / 3600)`: the metered price of `gpuCount` GPUs for
    ///         `duration` seconds.
    function cost(uint256 pricePerGpuHour, uint256 gpuCount, uint256 duration) internal pure returns (uint256) {
        return (pricePerGpuHour * gpuCount * duration) / 1 hours;
    }
}
