// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LatentIds} from "../libraries/LatentIds.sol";
import {LatentMath} from "../libraries/LatentMath.sol";

/// @notice Test-only: exposes the internal library functions so tests can compare them with a reference model.
contract LibrariesHarness {
    function isValid(bytes32 id) external pure returns (bool) {
        return LatentIds.isValid(id);
    }

    function isValidRegion(bytes16 region) external pure returns (bool) {
        return LatentIds.isValidRegion(region);
    }

    function bps(uint256 amount, uint256 basisPoints) external pure returns (uint256) {
        return LatentMath.bps(amount, basisPoints);
    }

    function bpsUp(uint256 amount, uint256 basisPoints) external pure returns (uint256) {
        return LatentMath.bpsUp(amount, basisPoints);
    }

    function cost(uint256 pricePerGpuHour, uint256 gpuCount, uint256 duration) external pure returns (uint256) {
        return LatentMath.cost(pricePerGpuHour, gpuCount, duration);
    }
}
