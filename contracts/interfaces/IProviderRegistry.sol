// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGoverned} from "./IGoverned.sol";

/// @title IProviderRegistry
/// @notice The GPU inventory of the network. A provider lists one machine (a homogeneous set of GPUs), prices it
///         per GPU-hour and names an optional operator: the hot key of its worker, which may go online/offline,
///         accept and decline jobs, submit results and answer disputes, but can never thaw or withdraw stake, change
///         the price, the specs or the operator, or deregister. It can still get its provider slashed, by letting
///         jobs it accepted time out or losing disputes (as it can make the provider idle by going offline), and a
///         job it accepted may be one a client it controls posted: the provider's own address caps the share of
///         any slash paid to the client with `IStaking.setMaxSlashRewardBps`, and a provider that hands out an
///         operator key should set that cap to 0, so that the operator can take none of a slash.
///
///         Storage keeps what contracts check (ids, numbers); human strings (the GPU model's display name, the
///         metadata URI) live only in events, where indexers keep them.
///
///         Identifiers are normalised short strings so that matching is exact and readable on-chain:
///         `gpuModel` (bytes32) and `region` (bytes16) hold lowercase ASCII `[a-z0-9-]`, left-aligned and zero
///         padded, non-empty, e.g. "h100-sxm-80gb", "rtx-4090-24gb", "eu-west", "us-east".
///
///         Capacity is accounted on-chain: `gpusInUse` of `gpuCount` are reserved by running jobs. Only the job
///         escrow reserves and releases them, so no provider can sell more GPUs than it has listed.
///
///         A provider is *active* (may accept jobs) while it is registered, online, and
///         `staked - thawing >= minStakePerGpu * gpuCount` in the staking contract.
interface IProviderRegistry is IGoverned {
    /// @notice Market segment of a machine. `Any` is only meaningful in job requirements.
    enum Tier {
        Any,
        Enterprise,
        Consumer
    }

    /// @notice What a provider declares about its machine.
    struct ProviderSpec {
        bytes32 gpuModel; // normalised model id, e.g. "h100-sxm-80gb"
        bytes16 region; // normalised region code, e.g. "eu-west"
        uint16 vramGiB; // memory per GPU, GiB, > 0
        uint16 gpuCount; // GPUs listed, 1..maxGpusPerProvider
        Tier tier; // Enterprise or Consumer
        uint96 pricePerGpuHour; // token units (wei of LAT) per GPU-hour, > 0
    }

    /// @notice A provider's stored record.
    struct Provider {
        address operator; // zero when none
        uint16 gpuCount;
        uint16 gpusInUse;
        uint16 vramGiB;
        Tier tier;
        bool online;
        bool registered;
        bytes32 gpuModel;
        uint96 pricePerGpuHour;
        bytes16 region;
    }

    /// @notice A provider listed its machine. It starts offline.
    event ProviderRegistered(
        address indexed provider,
        bytes32 indexed gpuModel,
        string gpuModelName,
        bytes16 region,
        uint16 vramGiB,
        uint16 gpuCount,
        Tier tier,
        uint96 pricePerGpuHour,
        string metadataURI,
        address operator
    );

    /// @notice A provider changed its specs (the whole spec, price included, after the change).
    event ProviderUpdated(
        address indexed provider,
        bytes32 indexed gpuModel,
        string gpuModelName,
        bytes16 region,
        uint16 vramGiB,
        uint16 gpuCount,
        Tier tier,
        uint96 pricePerGpuHour,
        string metadataURI
    );

    /// @notice A provider changed only its price.
    event ProviderPriceUpdated(address indexed provider, uint96 pricePerGpuHour);

    /// @notice A provider named a new operator (zero: none).
    event ProviderOperatorSet(address indexed provider, address indexed operator);

    /// @notice The provider (or its operator, `by`) went online or offline.
    event ProviderOnlineSet(address indexed provider, bool online, address by);

    /// @notice A provider left the registry. Its stake is untouched (thaw and withdraw it in Staking).
    event ProviderDeregistered(address indexed provider);

    /// @notice The escrow reserved `gpus` GPUs for `jobId`; `gpusInUse` is the provider's total after it.
    event CapacityReserved(address indexed provider, uint256 indexed jobId, uint16 gpus, uint16 gpusInUse);

    /// @notice The escrow released `gpus` GPUs of `jobId`; `gpusInUse` is the provider's total after it.
    event CapacityReleased(address indexed provider, uint256 indexed jobId, uint16 gpus, uint16 gpusInUse);

    /// @notice `gpuModel` is not a valid GPU model id (see LatentIds).
    error ProviderRegistryInvalidGpuModel(bytes32 gpuModel);
    /// @notice A GPU model name of `length` bytes: it must be 1..`maxLength`.
    error ProviderRegistryInvalidGpuModelName(uint256 length, uint256 maxLength);
    /// @notice `region` is not a valid region id (see LatentIds).
    error ProviderRegistryInvalidRegion(bytes16 region);
    /// @notice `vramGiB` is zero or above `maxVramGiB`.
    error ProviderRegistryInvalidVram(uint16 vramGiB, uint16 maxVramGiB);
    /// @notice `gpuCount` is zero or above `maxGpusPerProvider`.
    error ProviderRegistryInvalidGpuCount(uint16 gpuCount, uint16 maxGpusPerProvider);
    /// @notice `tier` is not a tier a provider can offer (Any is for job requirements only).
    error ProviderRegistryInvalidTier(Tier tier);
    /// @notice A zero `pricePerGpuHour`.
    error ProviderRegistryInvalidPrice(uint96 pricePerGpuHour);
    /// @notice A metadata URI of `length` bytes: it must be 1..`maxLength`.
    error ProviderRegistryInvalidMetadataURI(uint256 length, uint256 maxLength);
    /// @notice `operator` is the provider itself.
    error ProviderRegistryInvalidOperator(address operator);
    /// @notice `provider` is already registered.
    error ProviderRegistryAlreadyRegistered(address provider);
    /// @notice `provider` is not registered.
    error ProviderRegistryNotRegistered(address provider);
    /// @notice `caller` is neither the provider nor (where allowed) its operator.
    error ProviderRegistryUnauthorized(address caller, address provider);
    /// @notice `caller` is not the job escrow.
    error ProviderRegistryOnlyJobEscrow(address caller);
    /// @notice Deregistration with GPUs reserved or collateral locked.
    error ProviderRegistryWorkInProgress(address provider, uint16 gpusInUse, uint256 lockedCollateral);
    /// @notice A spec update would list fewer GPUs than are in use.
    error ProviderRegistryGpuCountBelowInUse(uint16 gpuCount, uint16 gpusInUse);
    /// @notice The provider is offline or under-staked.
    error ProviderRegistryProviderInactive(address provider);
    /// @notice `provider` has `free` GPUs not in use, fewer than the `requested` ones.
    error ProviderRegistryInsufficientCapacity(address provider, uint16 requested, uint16 free);

    /// @notice List the caller's machine. Refused while the protocol is paused.
    /// @param spec The machine's specs and price.
    /// @param gpuModelName Display name of the model (1..MAX_NAME_LENGTH bytes), kept by indexers.
    /// @param metadataURI Endpoint or metadata document (1..MAX_URI_LENGTH bytes), kept by indexers.
    /// @param operator The worker's hot key, or zero.
    function register(
        ProviderSpec calldata spec,
        string calldata gpuModelName,
        string calldata metadataURI,
        address operator
    ) external;

    /// @notice Replace the caller's specs and price. Jobs already accepted keep their terms. Owner only.
    /// @param spec The new specs and price, validated as at registration.
    /// @param gpuModelName The GPU model's display name (only emitted).
    /// @param metadataURI The provider's metadata (only emitted).
    function update(ProviderSpec calldata spec, string calldata gpuModelName, string calldata metadataURI) external;

    /// @notice Change only the caller's price per GPU-hour. Owner only.
    /// @param pricePerGpuHour The new price per GPU-hour, in LAT units (non-zero).
    function setPrice(uint96 pricePerGpuHour) external;

    /// @notice Name the caller's operator (zero removes it). Owner only.
    /// @param operator The new operator (not the caller itself), or zero.
    function setOperator(address operator) external;

    /// @notice Go online or offline. The provider or its operator.
    /// @param provider The provider.
    /// @param online Whether it takes jobs.
    function setOnline(address provider, bool online) external;

    /// @notice Leave the registry; only with no GPUs in use and no collateral locked. Owner only.
    function deregister() external;

    /// @notice Reserve `gpus` GPUs of `provider` for `jobId` on behalf of `caller` (the provider or its operator),
    ///         which must be active with the GPUs free. Job escrow only.
    /// @return The provider's record before the reservation, for the escrow to check the job's requirements.
    /// @param provider The provider.
    /// @param caller Who accepts the job: the provider or its operator.
    /// @param jobId The job.
    /// @param gpus GPUs to reserve.
    function reserve(address provider, address caller, uint256 jobId, uint16 gpus) external returns (Provider memory);

    /// @notice Release `gpus` GPUs reserved for `jobId`. Job escrow only.
    /// @param provider The provider.
    /// @param jobId The job.
    /// @param gpus GPUs to release, at most those in use.
    function release(address provider, uint256 jobId, uint16 gpus) external;

    /// @notice Set the most GPUs one provider may list, within bounds. Governance only.
    /// @param maxGpusPerProvider The new maximum.
    function setMaxGpusPerProvider(uint16 maxGpusPerProvider) external;

    /// @notice A provider's record (all zero if never registered).
    /// @param provider The provider.
    /// @return The record.
    function getProvider(address provider) external view returns (Provider memory);

    /// @notice Whether `provider` is registered, online and staked at least `minStakePerGpu * gpuCount`.
    /// @param provider The provider.
    /// @return Whether it may accept jobs now.
    function isActive(address provider) external view returns (bool);

    /// @notice Whether `caller` may act for `provider` as its operator (the provider itself or its operator).
    /// @param provider The provider.
    /// @param caller The address asking to act for it.
    /// @return Whether `caller` is the provider or its operator.
    function isAuthorized(address provider, address caller) external view returns (bool);

    /// @notice GPUs listed but not reserved.
    /// @param provider The provider.
    /// @return Its GPUs not reserved.
    function freeGpus(address provider) external view returns (uint16);

    /// @notice The most GPUs one provider may list.
    /// @return The maximum.
    function maxGpusPerProvider() external view returns (uint16);

    /// @notice Number of providers currently registered.
    /// @return The count.
    function providerCount() external view returns (uint256);
}
