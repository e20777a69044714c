// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {UniformRationing} from "../clearing/UniformRationing.sol";

/**
 * @notice Test-only: exposes the uniform rationing library for differential tests against the model, and
 * measures each operation's gas inside the call (`gasleft` around the library call: no transaction overhead).
 */
contract UniformRationingHarness {
    UniformRationing.Tree private _tree;
    UniformRationing.Results private _results;
    /// @dev Demands in the tree by round, kept the way the market keeps its positive demands.
    mapping(uint256 round => uint256) private _counts;
    /// @dev The last rationed edge, the hint of the next close (as in the market).
    uint256 public levelHint;

    /// @notice One submission: moves a demand from `from` to `to` in round `round`.
    function move(uint256 round, uint256 from, uint256 to) external returns (uint256 gasUsed) {
        gasUsed = gasleft();
        UniformRationing.move(_tree, round, from, to);
        gasUsed -= gasleft();
        _count(round, from, to);
    }

    /// @notice Many submissions in one transaction (test set-up).
    function moveMany(uint256 round, uint256[] calldata from, uint256[] calldata to) external {
        for (uint256 i = 0; i < from.length; ++i) {
            UniformRationing.move(_tree, round, from[i], to[i]);
            _count(round, from[i], to[i]);
        }
    }

    /// @notice The close as a market runs it: computes the result from the last edge's hint, stores it, and keeps
    /// its edge as the next hint.
    function close(uint256 round, uint256 capacity) external returns (uint64 result, uint256 gasUsed) {
        gasUsed = gasleft();
        result = UniformRationing.close(_tree, round, capacity, _counts[round], levelHint);
        UniformRationing.storeResult(_results, round, result);
        gasUsed -= gasleft();
        (bool rationed, uint256 edge) = UniformRationing.edgeOf(result);
        if (rationed) levelHint = edge;
    }

    /// @notice The result the close would compute now with hint `hint`, without storing it.
    function peekClose(uint256 round, uint256 capacity, uint256 hint) external view returns (uint64) {
        return UniformRationing.close(_tree, round, capacity, _counts[round], hint);
    }

    /// @notice Sets the next close's hint (a test of the descents from both ends).
    function setLevelHint(uint256 hint) external {
        levelHint = hint;
    }

    /// @notice A lazy settlement: loads the round's result and computes one allocation.
    function settle(uint256 round, uint256 demand) external view returns (uint256 quantity, uint256 gasUsed) {
        gasUsed = gasleft();
        quantity = UniformRationing.allocation(demand, UniformRationing.resultOf(_results, round));
        gasUsed -= gasleft();
    }

    function resultOf(uint256 round) external view returns (uint64) {
        return UniformRationing.resultOf(_results, round);
    }

    function allocations(uint256[] calldata demands, uint64 result) external pure returns (uint256[] memory q) {
        q = new uint256[](demands.length);
        for (uint256 i = 0; i < demands.length; ++i) {
            q[i] = UniformRationing.allocation(demands[i], result);
        }
    }

    function bucketOf(uint256 x) external pure returns (uint256) {
        return UniformRationing.bucketOf(x);
    }

    function edges(uint256 bucket) external pure returns (uint256 lower, uint256 shift) {
        return UniformRationing.edges(bucket);
    }

    function prefillTree(uint256 from, uint256 to) external returns (uint256 gasUsed) {
        gasUsed = gasleft();
        UniformRationing.prefillTree(_tree, from, to);
        gasUsed -= gasleft();
    }

    function prefillResults(uint256 fromRound, uint256 toRound) external {
        UniformRationing.prefillResults(_results, fromRound, toRound);
    }

    /// @notice Raw tree words `from .. to - 1` in the order top, octaves, buckets, for a bit-exact comparison.
    function words(uint256 from, uint256 to) external view returns (uint256[] memory w) {
        w = new uint256[](to - from);
        for (uint256 i = from; i < to; ++i) {
            if (i < 4) w[i - from] = _tree.top[i];
            else if (i < 36) w[i - from] = _tree.octaves[i - 4];
            else w[i - from] = _tree.buckets[i - 36];
        }
    }

    function _count(uint256 round, uint256 from, uint256 to) private {
        if (from == 0 && to != 0) ++_counts[round];
        else if (from != 0 && to == 0) --_counts[round];
    }
}
