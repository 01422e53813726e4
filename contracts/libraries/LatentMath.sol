// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LatentMath
/// @notice The protocol's rounding rules in one place. Metered cost rounds down, so a client is never billed a wei more
///         than the formula. What the protocol takes from a provider's side (the fee, the collateral locked, the
///         timeout slash) rounds up, as Horizon rounds its protocol cut up: otherwise a job small enough would pay no
///         fee and lock no collateral at all. Caps and shares paid out of those (the dispute slash cap, the client's
///         reward) round down. What is left over (refund, provider's amount, remainder of a slash) is exact.
library LatentMath {
    /// @notice 100% in basis points.
    uint256 internal constant BPS = 10_000;

    /// @notice `floor(amount * bps / 10_000)`.
    function bps(uint256 amount, uint256 basisPoints) internal pure returns (uint256) {
        return (amount * basisPoints) / BPS;
    }

    /// @notice `ceil(amount * bps / 10_000)`: at most `amount` while `basisPoints <= 10_000`, and non-zero for any
    ///         non-zero amount and share.
    function bpsUp(uint256 amount, uint256 basisPoints) internal pure returns (uint256) {
        uint256 product = amount * basisPoints;
        // Cannot underflow or overflow: product - 1 is taken only when product is non-zero, and the quotient plus one is
        // at most product.
        unchecked {
            return product == 0 ? 0 : (product - 1) / BPS + 1;
        }
    }

    /// @notice `floor(pricePerGpuHour * gpuCount * duration / 3600)`: the metered price of `gpuCount` GPUs for
    ///         `duration` seconds.
    function cost(uint256 pricePerGpuHour, uint256 gpuCount, uint256 duration) internal pure returns (uint256) {
        return (pricePerGpuHour * gpuCount * duration) / 1 hours;
    }
}
