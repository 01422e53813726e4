// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IndexerProbe
/// @notice Test-only contract for the embedded indexer. It emits events that carry every ABI type a
///         subgraph mapping decodes (address, big and negative integers, fixed and dynamic bytes, Unicode
///         strings, booleans, indexed static and dynamic parameters, arrays and a struct), plus a few events
///         whose handlers deliberately fail, so that the indexer's failure paths can be exercised.
/// @dev Never deployed outside tests and benchmarks. Functions do no validation on purpose: the probe must
///      be able to emit any value, including ones a real contract would reject.
contract IndexerProbe {
    struct Terms {
        uint64 durationSeconds;
        address payee;
        bytes32 salt;
    }

    event ProviderRegistered(address indexed provider, string name, uint256 pricePerHour, bytes32 region, uint8 gpuCount);
    event ProviderStatusChanged(address indexed provider, bool online);
    event JobPosted(
        uint256 indexed jobId,
        address indexed provider,
        address indexed client,
        int256 delta,
        bytes payload,
        string note,
        uint256[] amounts,
        address[] parties,
        Terms terms
    );
    event JobRemoved(uint256 indexed jobId);
    event Sampled(
        string indexed key,
        int64 small,
        uint256 big,
        int256 negative,
        bytes32 digest,
        bytes blob,
        bool flag,
        string[] labels,
        int32 count
    );
    /// @notice Asks the mapping to do something that must fail (abort, network host call, critical log...).
    event Probe(uint8 indexed mode, string message);
    /// @notice Benchmark traffic: one event per unit of work, like a busy market.
    event Batch(uint256 indexed seq, address indexed actor, uint256 amount, bytes32 tag);

    function registerProvider(
        address provider,
        string calldata name,
        uint256 pricePerHour,
        bytes32 region,
        uint8 gpuCount
    ) external {
        emit ProviderRegistered(provider, name, pricePerHour, region, gpuCount);
    }

    function setStatus(address provider, bool online) external {
        emit ProviderStatusChanged(provider, online);
    }

    function postJob(
        uint256 jobId,
        address provider,
        int256 delta,
        bytes calldata payload,
        string calldata note,
        uint256[] calldata amounts,
        address[] calldata parties,
        Terms calldata terms
    ) external {
        emit JobPosted(jobId, provider, msg.sender, delta, payload, note, amounts, parties, terms);
    }

    function removeJob(uint256 jobId) external {
        emit JobRemoved(jobId);
    }

    /// @dev Inputs travel as one struct: ten separate parameters would not fit the EVM stack.
    struct SampleInput {
        string key;
        int64 small;
        uint256 big;
        int256 negative;
        bytes blob;
        bool flag;
        string[] labels;
        int32 count;
    }

    function sample(SampleInput calldata input) external {
        emit Sampled(
            input.key,
            input.small,
            input.big,
            input.negative,
            keccak256(input.blob),
            input.blob,
            input.flag,
            input.labels,
            input.count
        );
    }

    function probe(uint8 mode, string calldata message) external {
        emit Probe(mode, message);
    }

    /// @notice Emits `count` Batch events with consecutive sequence numbers starting at `firstSeq`, spread over
    ///         `actors` pseudo-accounts so that mappings both create and update entities.
    function emitBatch(uint256 firstSeq, uint256 count, uint256 actors) external {
        for (uint256 i = 0; i < count; ++i) {
            uint256 seq = firstSeq + i;
            address actor = address(uint160(uint256(keccak256(abi.encode(seq % actors)))));
            emit Batch(seq, actor, seq * 1e15 + 1, keccak256(abi.encode(seq)));
        }
    }
}
