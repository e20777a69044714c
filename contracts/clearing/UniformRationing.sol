// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title UniformRationing
 * @notice The uniform rationing rule (water-filling, `q_i = min(x_i, lambda)` with `sum q_i = m`) in O(1) per
 * agent: no loop over agents, only over a fixed tree of 1,024 demand buckets.
 *
 * How the market uses it: every submission calls {move} with the agent's previous demand of the open round (0 if
 * none) and its new one (0 to withdraw); the close calls {close} (a bounded descent of the tree) and keeps the
 * 64-bit result, for instance with {storeResult}; an agent's settlement, any number of rounds later, calls
 * {allocation} with its demand and that result. Nothing is ever reset: every storage word carries the round that
 * last wrote it, and a word stamped with another round reads as empty.
 *
 * Bucket map (quantities 18-decimal, `1 <= x <= MAX_QUANTITY = 2^120 - 1`): a float with a 4-bit mantissa.
 * Bucket `b = 16 k + j`: for `k = 0`, `[j, j + 1) * 2^53` (every demand below 2^57, about 0.144 units, at an
 * absolute width of 2^53, about 0.009 units); for `k >= 1`, `[16 + j, 17 + j) * 2^(k + 52)`, the octave
 * `[2^(k + 56), 2^(k + 57))` cut into 16 equal parts. A bucket's width `w` is 1/16 to 1/31 of its lower edge.
 * Octave `k` is 16 buckets of one width; bucket 1,023 ends at 2^120.
 *
 * Tree: three levels, fan-out 8, 8, 16: 8 top nodes of 8 octaves each, 64 octave nodes, 1,024 bucket leaves,
 * two nodes to a storage word (548 words). A submission rewrites one word per level and path: at most 6 words
 * for a move, 3 for an insertion or a removal. A close reads at most 4 + 4 + 8 = 16 words; given the count of
 * demands and a hint near the water level (the last round's edge), it reads the top words only as far as the
 * level's top node and scans each lower level from its end nearer the hint, from the parent's sums: 1 + 2 + 4
 * words at most when the level is on the hint's side of its top node and octave (below 2^72). (A 4-ary tree of
 * five levels would write 10 words per move; with one node per word it would read 20 at the close.)
 *
 * Node: a count (32 bits) and a sum (76 bits) of the agents in its range. Exact sums of 1e18-scaled demands up to
 * 2^120 do not fit two to a word, so the tree sums each demand rounded UP to its bucket's grain `g = w / 2^32`
 * (`x^ = L + ceil((x - L) / g) * g`, `x <= x^ < x + g`, relative error below 2^-36), each node in the grain of its
 * lowest octave: every sum is an exact integer, a removal undoes its insertion exactly, and a parent equals the
 * sum of its children. Rounding up only ever overstates what the agents below the water level take.
 *
 * Close: if `S^ = sum x^_i <= m`, everyone gets its demand. Otherwise the descent finds the highest bucket `b`
 * whose lower edge `L` has `F^(L) = sum_i min(x^_i, L) <= m`, so `F^(L) <= m < F^(L + w)`, and stores `b` and the
 * share `phi = floor(2^52 * R / E)` of the leftover `R = m - F^(L)` in the excess above the edge,
 * `E = F^(L + w) - F^(L) = sum_{i in b} (x^_i - L) + w * #{i above b}`. `0 <= R < E`, so `phi < 2^52`.
 *
 * Settlement: an agent below bucket `b` gets `x`; one in bucket `b` or above gets
 * `L + floor(phi * (min(x, L + w) - L) / 2^52)`.
 *
 * Why the allocations never sum above `m`: the agents below `b` take `sum x_i <= sum x^_i`, which is `F^(L)`
 * minus `L` for each agent at or above `b`; each of those takes `L` plus a share of `c_i = min(x_i, L + w) - L`,
 * and `sum c_i <= sum_{i in b} (x^_i - L) + w * #{i above b} = E`. So the total is at most
 * `F^(L) + phi / 2^52 * E <= F^(L) + R = m`; every rounding (grain up, share down, allocation down) only lowers it.
 *
 * Accuracy: below `b` the allocation is exact (`lambda >= L`). At or above `b` both it and `min(x, lambda)` lie
 * in `[L, L + w]`, so they differ by at most one bucket width `w` (plus `n * g`, `g = w / 2^32`, should the
 * rounded-up sums place `lambda` just above `L + w`). A misreport `x' > x` changes nothing for an agent below `b`
 * (it already gets `x`) or above `b` (its share does not depend on how far above); in bucket `b` it raises `E`
 * and lowers `phi`, and the most it gains towards `x` is `w / 4` (reached against many agents far above): at
 * most 1/64 of `lambda` above 2^57.
 *
 * First use: a storage word written for the first time costs 22,100 gas instead of 5,000. The stamps never
 * zero a word, so each tree word pays it once in the life of a deployment (an insertion on three new words costs
 * about 68,000 instead of 17,000), and each result word once per four rounds. A deployment that wants every
 * submission and close at the steady-state cost pays ahead: {prefillTree} (548 words, about 12.3 million gas,
 * in one or several transactions) and {prefillResults} for the rounds to come (22,100 per four rounds); or it
 * keeps the 64-bit result in a per-round word it writes anyway.
 */
library UniformRationing {
    /// @notice The largest demand: the market's `MAX_QUANTITY`.
    uint256 internal constant MAX_QUANTITY = type(uint120).max;
    /// @notice Storage words of a {Tree}: 4 top, 32 octave, 512 bucket words.
    uint256 internal constant TREE_WORDS = 548;
    /// @notice Bits of a rationed result's share: `phi / 2^SHARE_BITS` of the excess above the edge.
    uint256 internal constant SHARE_BITS = 52;

    /// @dev A result is written: 0 is "no result" (and a pre-filled word's placeholder).
    uint64 private constant WRITTEN = uint64(1) << 63;
    /// @dev The result is rationed (otherwise everyone gets its demand).
    uint64 private constant RATIONED = uint64(1) << 62;
    /// @dev A bucket's grain is its width over 2^GRAIN_BITS.
    uint256 private constant GRAIN_BITS = 32;
    /// @dev Two 108-bit nodes to a word below a 40-bit round stamp: node = count (32 bits) << 76 | sum (76 bits).
    uint256 private constant NODE_BITS = 108;
    uint256 private constant ONE_AGENT = uint256(1) << 76;
    uint256 private constant SUM_MASK = ONE_AGENT - 1;
    uint256 private constant NODE_MASK = (uint256(1) << NODE_BITS) - 1;
    uint256 private constant STAMP_SHIFT = 216;
    uint256 private constant MAX_COUNT = type(uint32).max;

    /**
     * @notice The demands of one round, by bucket. Two nodes to a word, the word's round in its top 40 bits.
     * Top node `t` covers octaves `8t .. 8t + 7`, octave node `k` buckets `16k .. 16k + 15`; each sums its agents'
     * rounded-up demands in units of the grain of its lowest octave, `2^(max(k, 1) + 20)`, a leaf the rounded-up
     * excesses over its lower edge in units of its own grain.
     */
    struct Tree {
        uint256[4] top;
        uint256[32] octaves;
        uint256[512] buckets;
    }

    /// @notice Results by round, four 64-bit results to a word.
    struct Results {
        mapping(uint256 word => uint256) words;
    }

    /// @notice A demand above {MAX_QUANTITY}.
    error DemandTooLarge(uint256 demand, uint256 max);
    /// @notice A round of 0 (the stamp of a pre-filled word) or beyond 40 bits.
    error InvalidRound(uint256 round);
    /// @notice A word was already written for a later round: the caller is behind.
    error StaleRound(uint256 round, uint256 stamped);
    /// @notice A removed demand is not in the tree for this round.
    error DemandNotFound(uint256 demand);
    /// @notice A node would count 2^32 agents.
    error TooManyDemands();
    /// @notice {allocation} without a written result.
    error NoResult();
    /// @notice A pre-fill range outside the tree.
    error InvalidRange(uint256 from, uint256 to);

    // ---------------------------------------------------------------- submissions

    /**
     * @notice Moves one agent's demand in round `round` from `from` to `to`; 0 means absent (a first submission
     * passes `from = 0`, a withdrawal `to = 0`). `from` must be the demand it last moved to in this round.
     */
    function move(Tree storage tree, uint256 round, uint256 from, uint256 to) internal {
        _checkRound(round);
        if (to > MAX_QUANTITY) revert DemandTooLarge(to, MAX_QUANTITY);
        if (from == to) return;
        if (from != 0) _apply(tree, round, from, false);
        if (to != 0) _apply(tree, round, to, true);
    }

    // ---------------------------------------------------------------- close

    /**
     * @notice The round's result for capacity `capacity`, given `count`, the number of demands in the tree this
     * round (which the caller keeps: the market's positive demands), and `hint`, a bucket near the water level
     * (the market passes the last rationed round's edge). A round without demands, or whose rounded-up total fits,
     * is not rationed. A total that fits exactly but not once rounded up (by at most a grain per agent) is
     * rationed by as little: a caller that keeps the exact total (the market's `totalDemand`) can treat
     * `total <= capacity` as not rationed without calling this, and one whose rounded-up total fits reads up to 16
     * words to find that out (6 from a hint in the last top node's upper halves).
     *
     * Reads: the top words up to the top node holding the water level (1 for levels below 2^72, about 4,700
     * units), then each level scanned from the end nearer the hint, from the parent's sums: at most 2 octave
     * words and 4 bucket words with a hint in the level's bucket, at most 1 + 4 + 8 = 13 below 2^72 and
     * 4 + 4 + 8 = 16 in all, whatever the hint.
     * The hint changes which words are read, never the result.
     */
    function close(
        Tree storage tree,
        uint256 round,
        uint256 capacity,
        uint256 count,
        uint256 hint
    ) internal view returns (uint64) {
        _checkRound(round);
        if (count == 0) return WRITTEN;
        Descent memory d = Descent({round: round, capacity: capacity, below: 0, above: count, hint: hint});
        (uint256 top, uint256 topNode) = _descendTop(tree, d);
        (uint256 k, uint256 octaveNode) = _descendOctaves(tree, d, top, topNode);
        return _descendBuckets(tree, d, k, octaveNode);
    }

    /// @notice The edge bucket of a rationed result (where the water level was), and whether it was rationed.
    function edgeOf(uint64 result) internal pure returns (bool rationed, uint256 bucket) {
        return (result & RATIONED != 0, (result >> SHARE_BITS) & 1023);
    }

    // ---------------------------------------------------------------- settlement

    /// @notice What an agent with demand `demand` receives in a round whose result is `result`. O(1).
    function allocation(uint256 demand, uint64 result) internal pure returns (uint256) {
        if (result & WRITTEN == 0) revert NoResult();
        if (demand == 0) return 0;
        uint256 bucket = bucketOf(demand);
        if (result & RATIONED == 0) return demand;
        uint256 edge = (result >> SHARE_BITS) & 1023;
        if (bucket < edge) return demand;
        (uint256 lower, uint256 shift) = edges(edge);
        // Unchecked: demand >= lower in the edge bucket; share < 2^52 and excess <= 2^115.
        unchecked {
            uint256 excess = bucket == edge ? demand - lower : uint256(1) << shift;
            return lower + (((uint256(result) & ((uint256(1) << SHARE_BITS) - 1)) * excess) >> SHARE_BITS);
        }
    }

    // ---------------------------------------------------------------- bucket map

    /// @notice The bucket of a demand `1 <= x <= MAX_QUANTITY` (0 maps to bucket 0).
    function bucketOf(uint256 x) internal pure returns (uint256) {
        if (x > MAX_QUANTITY) revert DemandTooLarge(x, MAX_QUANTITY);
        if (x < 1 << 57) return x >> 53;
        uint256 e = Math.log2(x);
        unchecked {
            return ((e - 56) << 4) | ((x >> (e - 4)) & 15);
        }
    }

    /// @notice A bucket's lower edge and the log2 of its width.
    function edges(uint256 bucket) internal pure returns (uint256 lower, uint256 shift) {
        uint256 k = bucket >> 4;
        if (k == 0) return (bucket << 53, 53);
        unchecked {
            shift = k + 52;
            lower = (16 + (bucket & 15)) << shift;
        }
    }

    // ---------------------------------------------------------------- results and first use

    /// @notice Stores round `round`'s result. Four to a word: a new word costs 22,100 gas, a used one 5,000.
    function storeResult(Results storage results, uint256 round, uint64 result) internal {
        uint256 lane = (round & 3) << 6;
        uint256 word = results.words[round >> 2];
        results.words[round >> 2] = (word & ~(uint256(type(uint64).max) << lane)) | (uint256(result) << lane);
    }

    /// @notice Round `round`'s result, or 0 if none was stored.
    function resultOf(Results storage results, uint256 round) internal view returns (uint64) {
        uint64 result = uint64(results.words[round >> 2] >> ((round & 3) << 6));
        return result & WRITTEN == 0 ? 0 : result;
    }

    /**
     * @notice Pays in advance for the first use of the result words of rounds `fromRound .. toRound - 1`
     * (22,100 gas per four rounds), so that those closes write a used word (5,000). Skips words in use.
     */
    function prefillResults(Results storage results, uint256 fromRound, uint256 toRound) internal {
        if (fromRound > toRound) revert InvalidRange(fromRound, toRound);
        if (fromRound == toRound) return;
        for (uint256 w = fromRound >> 2; w <= (toRound - 1) >> 2; ++w) {
            if (results.words[w] == 0) results.words[w] = 1;
        }
    }

    /**
     * @notice Pays in advance for the first use of tree words `from .. to - 1` (of {TREE_WORDS}): 22,100 gas each,
     * about 12.3 million for all, after which a submission writes used words only (5,000 each). Words in use
     * are skipped; a pre-filled word is stamped round 0 and reads as empty.
     */
    function prefillTree(Tree storage tree, uint256 from, uint256 to) internal {
        if (from > to || to > TREE_WORDS) revert InvalidRange(from, to);
        for (uint256 i = from; i < to; ++i) {
            if (i < 4) {
                if (tree.top[i] == 0) tree.top[i] = 1;
            } else if (i < 36) {
                if (tree.octaves[i - 4] == 0) tree.octaves[i - 4] = 1;
            } else if (tree.buckets[i - 36] == 0) {
                tree.buckets[i - 36] = 1;
            }
        }
    }

    // ---------------------------------------------------------------- internals

    /// @dev The state of a descent: F^(L) at the current child's lower edge is `below + L * above`.
    struct Descent {
        uint256 round;
        uint256 capacity;
        uint256 below; // rounded-up demands of the agents left of the current child
        uint256 above; // agents in the current child or right of it
        uint256 hint; // a bucket near the water level: which end each level is scanned from
    }

    /// @dev The top node holding the water level, and that node: reads the top words from the left, only as far
    /// as that node (the total count is known, the total sum is not needed).
    function _descendTop(Tree storage tree, Descent memory d) private view returns (uint256 top, uint256 node) {
        (uint256 below, uint256 above) = (d.below, d.above);
        uint256 word;
        // Unchecked: a count is below 2^32 and a sum below 2^76 grains of at most 2^83: no overflow; `above`
        // counts at least the agents of the nodes it is reduced by.
        unchecked {
            // `while (true)`, not `for (;;)`: the mutation tool cannot parse a loop without a condition.
            while (true) {
                if (top & 1 == 0) word = _fresh(tree.top[top >> 1], d.round);
                node = (word >> ((top & 1) * NODE_BITS)) & NODE_MASK;
                if (top == 7) break;
                uint256 count = node >> 76;
                uint256 sum = (node & SUM_MASK) << _octaveShift(top << 3);
                // Top node t + 1 starts at octave 8 (t + 1), whose lower edge is 2^(8 (t + 1) + 56).
                if (below + sum + ((above - count) << (8 * top + 64)) > d.capacity) break;
                below += sum;
                above -= count;
                ++top;
            }
        }
        (d.below, d.above) = (below, above);
    }

    /**
     * @dev The octave holding the water level within top node `top` (`topNode`), and its node: at most four
     * words. From the left, the last octave whose next edge fails; from the right (the hint in the top node's
     * upper half, or above it), starting from everything left of the top node's end, the first octave whose own
     * edge holds. F^ never decreases, so both find the same octave with the same sums.
     */
    function _descendOctaves(
        Tree storage tree,
        Descent memory d,
        uint256 top,
        uint256 topNode
    ) private view returns (uint256 k, uint256 node) {
        uint256 word;
        uint256 first = top << 3;
        uint256 last = first + 7;
        (uint256 below, uint256 above) = (d.below, d.above);
        // Unchecked: as in {_descendTop}; from the right, `below` holds the sums it is reduced by.
        unchecked {
            if (d.hint >> 4 < first + 4) {
                k = first;
                while (true) {
                    if (k & 1 == 0) word = _fresh(tree.octaves[k >> 1], d.round);
                    node = (word >> ((k & 1) * NODE_BITS)) & NODE_MASK;
                    // The last octave's end was checked a level up.
                    if (k == last) break;
                    uint256 count = node >> 76;
                    uint256 sum = (node & SUM_MASK) << _octaveShift(k);
                    // The next octave's edge is 2^(k + 57).
                    if (below + sum + ((above - count) << (k + 57)) > d.capacity) break;
                    below += sum;
                    above -= count;
                    ++k;
                }
            } else {
                uint256 belowEnd = below + ((topNode & SUM_MASK) << _octaveShift(first));
                uint256 aboveEnd = above - (topNode >> 76);
                k = last;
                while (true) {
                    if (k & 1 == 1) word = _fresh(tree.octaves[k >> 1], d.round);
                    node = (word >> ((k & 1) * NODE_BITS)) & NODE_MASK;
                    // The first octave's edge was checked a level up: (below, above) are its sums.
                    if (k == first) break;
                    belowEnd -= (node & SUM_MASK) << _octaveShift(k);
                    aboveEnd += node >> 76;
                    // Octave k >= 1 starts at 2^(k + 56).
                    if (belowEnd + (aboveEnd << (k + 56)) <= d.capacity) {
                        (below, above) = (belowEnd, aboveEnd);
                        break;
                    }
                    --k;
                }
            }
        }
        (d.below, d.above) = (below, above);
    }

    /// @dev The bucket holding the water level within octave `k` (`octaveNode`), and the result: at most eight
    /// words, scanned like the octaves. One width and one grain for the whole octave.
    function _descendBuckets(
        Tree storage tree,
        Descent memory d,
        uint256 k,
        uint256 octaveNode
    ) private view returns (uint64) {
        uint256 first = k << 4;
        (uint256 lower, uint256 shift) = edges(first);
        uint256 bucket;
        uint256 node;
        if (d.hint < first + 8) (bucket, lower, node) = _bucketsFromLeft(tree, d, first, lower, shift);
        else (bucket, lower, node) = _bucketsFromRight(tree, d, first, lower, shift, octaveNode);
        return _result(d, bucket, lower, shift, node);
    }

    /// @dev From the octave's first bucket (lower edge `lower`): the first bucket whose next edge fails.
    function _bucketsFromLeft(
        Tree storage tree,
        Descent memory d,
        uint256 first,
        uint256 lower,
        uint256 shift
    ) private view returns (uint256 bucket, uint256, uint256 node) {
        uint256 word;
        (uint256 below, uint256 above) = (d.below, d.above);
        // Unchecked: as in {_descendOctaves}.
        unchecked {
            bucket = first;
            while (true) {
                if (bucket & 1 == 0) word = _fresh(tree.buckets[bucket >> 1], d.round);
                node = (word >> ((bucket & 1) * NODE_BITS)) & NODE_MASK;
                // The last bucket's end was checked a level up.
                if (bucket == first + 15) break;
                // The leaf's rounded-up demands: count * L plus its excesses over L in grains.
                uint256 count = node >> 76;
                uint256 inBucket = count * lower + ((node & SUM_MASK) << (shift - GRAIN_BITS));
                if (below + inBucket + (lower + (uint256(1) << shift)) * (above - count) > d.capacity) break;
                below += inBucket;
                above -= count;
                lower += uint256(1) << shift;
                ++bucket;
            }
        }
        (d.below, d.above) = (below, above);
        return (bucket, lower, node);
    }

    /// @dev From the octave's end (its sums in `octaveNode`): the last bucket whose own edge holds.
    function _bucketsFromRight(
        Tree storage tree,
        Descent memory d,
        uint256 first,
        uint256 lower,
        uint256 shift,
        uint256 octaveNode
    ) private view returns (uint256 bucket, uint256, uint256 node) {
        uint256 word;
        // Unchecked: as in {_descendOctaves}.
        unchecked {
            uint256 below = d.below + ((octaveNode & SUM_MASK) << _octaveShift(first >> 4));
            uint256 above = d.above - (octaveNode >> 76);
            lower += uint256(15) << shift;
            bucket = first + 15;
            while (true) {
                if (bucket & 1 == 1) word = _fresh(tree.buckets[bucket >> 1], d.round);
                node = (word >> ((bucket & 1) * NODE_BITS)) & NODE_MASK;
                // The first bucket's edge was checked a level up: `d` holds its sums, `lower` is back at it.
                if (bucket == first) break;
                uint256 count = node >> 76;
                below -= count * lower + ((node & SUM_MASK) << (shift - GRAIN_BITS));
                above += count;
                if (below + lower * above <= d.capacity) {
                    (d.below, d.above) = (below, above);
                    break;
                }
                lower -= uint256(1) << shift;
                --bucket;
            }
        }
        return (bucket, lower, node);
    }

    /// @dev The rationed result once the descent stopped at `bucket` (lower edge `lower`, leaf `node`); not
    /// rationed if the leftover covers the excess (only when the rounded-up total fits: the descent then ends in
    /// the last bucket).
    function _result(
        Descent memory d,
        uint256 bucket,
        uint256 lower,
        uint256 shift,
        uint256 node
    ) private pure returns (uint64) {
        // Unchecked: R = capacity - F^(L) >= 0 since F^(L) <= capacity; E = F^(L + w) - F^(L) > R since the next
        // edge failed, or it is the end and the total is above capacity; no term overflows.
        unchecked {
            uint256 count = node >> 76;
            uint256 excess = ((node & SUM_MASK) << (shift - GRAIN_BITS)) + ((d.above - count) << shift);
            uint256 leftover = d.capacity - d.below - lower * d.above;
            if (leftover >= excess) return WRITTEN;
            uint256 share = Math.mulDiv(leftover, uint256(1) << SHARE_BITS, excess);
            return WRITTEN | RATIONED | uint64(bucket << SHARE_BITS) | uint64(share);
        }
    }

    /// @dev Adds or removes one demand along its path: one word per level.
    function _apply(Tree storage tree, uint256 round, uint256 x, bool add) private {
        uint256 bucket = bucketOf(x);
        (uint256 lower, uint256 shift) = edges(bucket);
        // Unchecked: x >= lower; node fields stay in range (a removal is checked on the leaf, whose parents hold
        // at least what it holds; an insertion on the top node, which counts at least as many agents as any).
        unchecked {
            uint256 grainShift = shift - GRAIN_BITS;
            // Excess over the edge in grains, rounded up: at most 2^32.
            uint256 grains = (x - lower + (uint256(1) << grainShift) - 1) >> grainShift;
            uint256 octave = bucket >> 4;
            // The rounded-up demand in its octave's grain, then in its top node's (lowest octave's) grain.
            uint256 inOctave = ((lower >> shift) << GRAIN_BITS) + grains;
            uint256 inTop = inOctave << (grainShift - _octaveShift(octave & ~uint256(7)));

            uint256 lane = (bucket & 1) * NODE_BITS;
            uint256 word = _fresh(tree.buckets[bucket >> 1], round);
            if (!add) {
                uint256 node = (word >> lane) & NODE_MASK;
                if (node < ONE_AGENT || node & SUM_MASK < grains) revert DemandNotFound(x);
            }
            tree.buckets[bucket >> 1] = _add(word, lane, ONE_AGENT + grains, add);

            word = _fresh(tree.top[octave >> 4], round);
            lane = ((octave >> 3) & 1) * NODE_BITS;
            if (add && (word >> lane) & NODE_MASK >= MAX_COUNT << 76) revert TooManyDemands();
            tree.top[octave >> 4] = _add(word, lane, ONE_AGENT + inTop, add);

            lane = (octave & 1) * NODE_BITS;
            word = _fresh(tree.octaves[octave >> 1], round);
            tree.octaves[octave >> 1] = _add(word, lane, ONE_AGENT + inOctave, add);
        }
    }

    function _add(uint256 word, uint256 lane, uint256 delta, bool add) private pure returns (uint256) {
        // Unchecked: see {_apply}.
        unchecked {
            return add ? word + (delta << lane) : word - (delta << lane);
        }
    }

    /// @dev The word as this round sees it: its own, or an empty word stamped with the round.
    function _fresh(uint256 word, uint256 round) private pure returns (uint256) {
        uint256 stamp = word >> STAMP_SHIFT;
        if (stamp == round) return word;
        if (stamp > round) revert StaleRound(round, stamp);
        return round << STAMP_SHIFT;
    }

    /// @dev log2 of the grain of octave `k`.
    function _octaveShift(uint256 k) private pure returns (uint256) {
        unchecked {
            return k == 0 ? 53 - GRAIN_BITS : k + 52 - GRAIN_BITS;
        }
    }

    function _checkRound(uint256 round) private pure {
        if (round == 0 || round > type(uint40).max) revert InvalidRound(round);
    }
}
