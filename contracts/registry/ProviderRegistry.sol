// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Governed} from "../governance/Governed.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IPauseGuardian} from "../interfaces/IPauseGuardian.sol";
import {LatentIds} from "../libraries/LatentIds.sol";

/// @title ProviderRegistry
/// @notice See IProviderRegistry. One record of three storage slots per provider; the display name and metadata URI
///         are only emitted. Nothing here iterates over providers, so every operation costs the same whatever the
///         size of the network.
contract ProviderRegistry is Governed, IProviderRegistry {
    /// @notice Upper bound governance may set `maxGpusPerProvider` to.
    uint16 public constant MAX_GPUS_PER_PROVIDER_LIMIT = 1024;
    /// @notice Largest VRAM per GPU a listing may declare, in GiB.
    uint16 public constant MAX_VRAM_GIB = 4096;
    /// @notice Longest GPU model display name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;
    /// @notice Longest metadata URI, in bytes.
    uint256 public constant MAX_URI_LENGTH = 256;

    /// @notice Where providers' stake is held; read to decide whether a provider is active.
    IStaking public immutable staking;
    /// @notice The only contract that may reserve and release capacity.
    address public immutable jobEscrow;
    /// @notice The emergency brake checked by `register`.
    IPauseGuardian public immutable pauseGuardian;

    mapping(address provider => Provider) private _providers;

    // Packed in one slot: `register` reads the first and writes the second.
    uint16 private _maxGpusPerProvider;
    uint64 private _providerCount;

    /// @param governance_ The LatentTimelock.
    /// @param staking_ The Staking contract.
    /// @param jobEscrow_ The JobEscrow (the capacity role, fixed forever).
    /// @param pauseGuardian_ The PauseGuardian.
    /// @param maxGpusPerProvider_ Initial `maxGpusPerProvider`, within [1, MAX_GPUS_PER_PROVIDER_LIMIT].
    constructor(
        address governance_,
        IStaking staking_,
        address jobEscrow_,
        IPauseGuardian pauseGuardian_,
        uint16 maxGpusPerProvider_
    ) Governed(governance_) {
        _requireNonZero("staking", address(staking_));
        _requireNonZero("jobEscrow", jobEscrow_);
        _requireNonZero("pauseGuardian", address(pauseGuardian_));
        staking = staking_;
        jobEscrow = jobEscrow_;
        pauseGuardian = pauseGuardian_;
        _setMaxGpusPerProvider(maxGpusPerProvider_);
    }

    modifier onlyJobEscrow() {
        if (msg.sender != jobEscrow) revert ProviderRegistryOnlyJobEscrow(msg.sender);
        _;
    }

    /// @inheritdoc IProviderRegistry
    function register(
        ProviderSpec calldata spec,
        string calldata gpuModelName,
        string calldata metadataURI,
        address operator
    ) external {
        pauseGuardian.requireNotPaused();
        Provider storage p = _providers[msg.sender];
        if (p.registered) revert ProviderRegistryAlreadyRegistered(msg.sender);
        uint16 maxGpus = _maxGpusPerProvider;
        _validateSpec(spec, gpuModelName, metadataURI, maxGpus);
        if (operator == msg.sender) revert ProviderRegistryInvalidOperator(operator);

        _providers[msg.sender] = Provider({
            operator: operator,
            gpuCount: spec.gpuCount,
            gpusInUse: 0,
            vramGiB: spec.vramGiB,
            tier: spec.tier,
            online: false,
            registered: true,
            gpuModel: spec.gpuModel,
            pricePerGpuHour: spec.pricePerGpuHour,
            region: spec.region
        });
        // Cannot overflow: one increment per registered address, far below 2^64.
        unchecked {
            _providerCount += 1;
        }
        _emitRegistered(spec, gpuModelName, metadataURI, operator);
    }

    /// @inheritdoc IProviderRegistry
    function update(ProviderSpec calldata spec, string calldata gpuModelName, string calldata metadataURI) external {
        Provider storage p = _requireRegistered(msg.sender);
        _validateSpec(spec, gpuModelName, metadataURI, _maxGpusPerProvider);
        uint16 inUse = p.gpusInUse;
        if (spec.gpuCount < inUse) revert ProviderRegistryGpuCountBelowInUse(spec.gpuCount, inUse);

        p.gpuCount = spec.gpuCount;
        p.vramGiB = spec.vramGiB;
        p.tier = spec.tier;
        p.gpuModel = spec.gpuModel;
        p.pricePerGpuHour = spec.pricePerGpuHour;
        p.region = spec.region;
        emit ProviderUpdated(
            msg.sender,
            spec.gpuModel,
            gpuModelName,
            spec.region,
            spec.vramGiB,
            spec.gpuCount,
            spec.tier,
            spec.pricePerGpuHour,
            metadataURI
        );
    }

    /// @inheritdoc IProviderRegistry
    function setPrice(uint96 pricePerGpuHour) external {
        Provider storage p = _requireRegistered(msg.sender);
        if (pricePerGpuHour == 0) revert ProviderRegistryInvalidPrice(pricePerGpuHour);
        p.pricePerGpuHour = pricePerGpuHour;
        emit ProviderPriceUpdated(msg.sender, pricePerGpuHour);
    }

    /// @inheritdoc IProviderRegistry
    function setOperator(address operator) external {
        Provider storage p = _requireRegistered(msg.sender);
        if (operator == msg.sender) revert ProviderRegistryInvalidOperator(operator);
        p.operator = operator;
        emit ProviderOperatorSet(msg.sender, operator);
    }

    /// @inheritdoc IProviderRegistry
    function setOnline(address provider, bool online) external {
        Provider storage p = _requireRegistered(provider);
        if (msg.sender != provider && msg.sender != p.operator) {
            revert ProviderRegistryUnauthorized(msg.sender, provider);
        }
        p.online = online;
        emit ProviderOnlineSet(provider, online, msg.sender);
    }

    /// @inheritdoc IProviderRegistry
    function deregister() external {
        Provider storage p = _requireRegistered(msg.sender);
        uint16 inUse = p.gpusInUse;
        (, uint256 locked, ) = staking.getStake(msg.sender);
        if (inUse != 0 || locked != 0) revert ProviderRegistryWorkInProgress(msg.sender, inUse, locked);
        delete _providers[msg.sender];
        // Cannot underflow: the caller is registered, so it was counted.
        unchecked {
            _providerCount -= 1;
        }
        emit ProviderDeregistered(msg.sender);
    }

    /// @inheritdoc IProviderRegistry
    function reserve(
        address provider,
        address caller,
        uint256 jobId,
        uint16 gpus
    ) external onlyJobEscrow returns (Provider memory record) {
        Provider storage p = _requireRegistered(provider);
        record = p;
        if (caller != provider && caller != record.operator) revert ProviderRegistryUnauthorized(caller, provider);
        if (!record.online || !staking.hasMinimumStake(provider, record.gpuCount)) {
            revert ProviderRegistryProviderInactive(provider);
        }
        // Cannot underflow: gpusInUse <= gpuCount is kept by reserve, release and update.
        uint16 free;
        unchecked {
            free = record.gpuCount - record.gpusInUse;
        }
        if (gpus > free) revert ProviderRegistryInsufficientCapacity(provider, gpus, free);
        uint16 inUse;
        // Cannot overflow: gpus <= free, so the sum stays <= gpuCount.
        unchecked {
            inUse = record.gpusInUse + gpus;
        }
        p.gpusInUse = inUse;
        emit CapacityReserved(provider, jobId, gpus, inUse);
    }

    /// @inheritdoc IProviderRegistry
    /// @dev Checked arithmetic: releasing more than is reserved is a bug in the caller and must revert.
    function release(address provider, uint256 jobId, uint16 gpus) external onlyJobEscrow {
        Provider storage p = _providers[provider];
        uint16 inUse = p.gpusInUse - gpus;
        p.gpusInUse = inUse;
        emit CapacityReleased(provider, jobId, gpus, inUse);
    }

    /// @inheritdoc IProviderRegistry
    /// @param maxGpusPerProvider_ The new maximum.
    function setMaxGpusPerProvider(uint16 maxGpusPerProvider_) external onlyGovernance {
        _setMaxGpusPerProvider(maxGpusPerProvider_);
    }

    /// @inheritdoc IProviderRegistry
    function getProvider(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function isActive(address provider) external view returns (bool) {
        Provider storage p = _providers[provider];
        return p.registered && p.online && staking.hasMinimumStake(provider, p.gpuCount);
    }

    /// @inheritdoc IProviderRegistry
    function isAuthorized(address provider, address caller) external view returns (bool) {
        if (caller == provider) return true;
        address operator = _providers[provider].operator;
        return operator != address(0) && caller == operator;
    }

    /// @inheritdoc IProviderRegistry
    function freeGpus(address provider) external view returns (uint16) {
        Provider storage p = _providers[provider];
        return p.gpuCount - p.gpusInUse;
    }

    /// @inheritdoc IProviderRegistry
    function maxGpusPerProvider() external view returns (uint16) {
        return _maxGpusPerProvider;
    }

    /// @inheritdoc IProviderRegistry
    function providerCount() external view returns (uint256) {
        return _providerCount;
    }

    function _requireRegistered(address provider) private view returns (Provider storage p) {
        p = _providers[provider];
        if (!p.registered) revert ProviderRegistryNotRegistered(provider);
    }

    function _validateSpec(
        ProviderSpec calldata spec,
        string calldata gpuModelName,
        string calldata metadataURI,
        uint16 maxGpus
    ) private pure {
        if (!LatentIds.isValid(spec.gpuModel)) revert ProviderRegistryInvalidGpuModel(spec.gpuModel);
        uint256 nameLength = bytes(gpuModelName).length;
        if (nameLength == 0 || nameLength > MAX_NAME_LENGTH) {
            revert ProviderRegistryInvalidGpuModelName(nameLength, MAX_NAME_LENGTH);
        }
        if (!LatentIds.isValidRegion(spec.region)) revert ProviderRegistryInvalidRegion(spec.region);
        if (spec.vramGiB == 0 || spec.vramGiB > MAX_VRAM_GIB) {
            revert ProviderRegistryInvalidVram(spec.vramGiB, MAX_VRAM_GIB);
        }
        if (spec.gpuCount == 0 || spec.gpuCount > maxGpus) revert ProviderRegistryInvalidGpuCount(spec.gpuCount, maxGpus);
        if (spec.tier == Tier.Any) revert ProviderRegistryInvalidTier(spec.tier);
        if (spec.pricePerGpuHour == 0) revert ProviderRegistryInvalidPrice(spec.pricePerGpuHour);
        uint256 uriLength = bytes(metadataURI).length;
        if (uriLength == 0 || uriLength > MAX_URI_LENGTH) {
            revert ProviderRegistryInvalidMetadataURI(uriLength, MAX_URI_LENGTH);
        }
    }

    /// @dev Separate so that `register` stays within the stack limit with two calldata strings in scope.
    function _emitRegistered(
        ProviderSpec calldata spec,
        string calldata gpuModelName,
        string calldata metadataURI,
        address operator
    ) private {
        emit ProviderRegistered(
            msg.sender,
            spec.gpuModel,
            gpuModelName,
            spec.region,
            spec.vramGiB,
            spec.gpuCount,
            spec.tier,
            spec.pricePerGpuHour,
            metadataURI,
            operator
        );
    }

    function _setMaxGpusPerProvider(uint16 value) private {
        _checkBounds("maxGpusPerProvider", value, 1, MAX_GPUS_PER_PROVIDER_LIMIT);
        _maxGpusPerProvider = value;
        emit ParameterUpdated("maxGpusPerProvider", value);
    }
}
