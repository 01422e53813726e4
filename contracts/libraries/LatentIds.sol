// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LatentIds
/// @notice Validation of the normalised identifiers the registry and the escrow match on: GPU model ids (bytes32)
///         and region codes (bytes16). An id is lowercase ASCII `[a-z0-9-]`, left-aligned, zero padded and non-empty,
///         so that two spellings of the same thing can never both be valid and matching is a plain equality.
library LatentIds {
    /// @notice Whether `id` is a non-empty, left-aligned, zero-padded string of `[a-z0-9-]`.
    /// @dev The loop runs over the 32 bytes of the word at most: its length is fixed, not in a user's hands.
    function isValid(bytes32 id) internal pure returns (bool) {
        uint256 word = uint256(id);
        uint256 length;
        for (; length < 32; ++length) {
            uint256 c = (word >> (248 - 8 * length)) & 0xff;
            if (c == 0) break;
            bool lower = c >= 0x61 && c <= 0x7a; // a-z
            bool digit = c >= 0x30 && c <= 0x39; // 0-9
            if (!(lower || digit || c == 0x2d)) return false; // '-'
        }
        if (length == 0) return false;
        // Everything after the first zero byte must be zero too, or "a\0b" would pass as a different id than "a".
        return length == 32 || (word << (8 * length)) == 0;
    }

    /// @notice `isValid` for a region code; a bytes16 widens to a bytes32 by right padding with zeros.
    function isValidRegion(bytes16 region) internal pure returns (bool) {
        return isValid(bytes32(region));
    }
}
