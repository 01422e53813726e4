// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LatentIds
/// @notice Validation of the normalised identifiers the registry and the escrow match on: GPU model ids (bytes32)
///         and region codes (bytes16). An id is lowercase ASCII `[a-z0-9-]`, left-aligned, zero padded and non-empty,
///         so that two spellings of the same thing can never both be valid and matching is a plain equality.
/// @dev The check runs on all 32 bytes at once (SIMD within a register) instead of a byte loop: about 60 gas
///      whatever the id, which matters on register and createJob. Every step relies on each byte being below 0x80
///      (checked first), so adding or subtracting a per-byte constant never carries into the next byte.
library LatentIds {
    uint256 private constant ONES = 0x0101010101010101010101010101010101010101010101010101010101010101;
    uint256 private constant HIGHS = ONES * 0x80;

    /// @notice Whether `id` is a non-empty, left-aligned, zero-padded string of `[a-z0-9-]`.
    function isValid(bytes32 id) internal pure returns (bool) {
        uint256 x = uint256(id);
        // Non-empty and left-aligned: the first byte is set. Every byte is 7-bit ASCII.
        if (x >> 248 == 0 || x & HIGHS != 0) return false;
        // No unchecked block can overflow: each per-byte sum or difference stays within its byte (see @dev).
        unchecked {
            // High bit of a byte set where the byte is >= the constant's threshold.
            uint256 geLowerA = (x + ONES * (0x80 - 0x61)) & HIGHS;
            uint256 geAfterZ = (x + ONES * (0x80 - 0x7b)) & HIGHS;
            uint256 geDigit0 = (x + ONES * (0x80 - 0x30)) & HIGHS;
            uint256 geAfter9 = (x + ONES * (0x80 - 0x3a)) & HIGHS;
            // High bit set where the byte is zero (0x80 - b keeps its high bit only for b == 0).
            uint256 isZero = (HIGHS - x) & HIGHS;
            uint256 isHyphen = (HIGHS - (x ^ (ONES * 0x2d))) & HIGHS;
            uint256 allowed = (geLowerA & ~geAfterZ) | (geDigit0 & ~geAfter9) | isHyphen | isZero;
            if (allowed != HIGHS) return false;
            // Zero bytes must all be trailing padding: their mask must be 2^(8k) - 1 for some k.
            uint256 zeroMask = (isZero >> 7) * 0xff;
            return zeroMask & (zeroMask + 1) == 0;
        }
    }

    /// @notice `isValid` for a region code; a bytes16 widens to a bytes32 by right padding with zeros.
    function isValidRegion(bytes16 region) internal pure returns (bool) {
        return isValid(bytes32(region));
    }
}
