// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ud} from "@prb/math/src/UD60x18.sol";
import {UNIT} from "../common/Units.sol";

/**
 * @title PriceUpdate
 * @notice Projected dual ascent on the shadow price: `mu' = max(0, mu + eta * (E - m))`, with the
 * excess demand bounded: `E = min(S - m, m)`.
 *
 * Units as in {Settlement}: `mu` is a price (1e18-scaled), the excess `S - m` a quantity
 * (1e18-scaled), `eta` a price per unit of excess (1e18-scaled), so the step is
 * `eta * |S - m| / 1e18`. The step's magnitude rounds down: the price never moves further than
 * the exact step. Prices are capped at {MAX_PRICE} so the rest of the contract can pack them.
 *
 * Bounded influence: a demand counts in the price step up to twice the capacity (`S - m` at
 * most `m`; it is never below `-m`), so no report, however large, moves the price of the
 * constant or diminishing rule by more than `eta * m` in a round. The paper's populations never
 * reach the bound (their total demand at a zero price stays below `2m`).
 */
library PriceUpdate {
    /// @notice Largest price (and bracket end) the market ever posts.
    uint256 internal constant MAX_PRICE = type(uint120).max;

    /// @notice The excess demand the price step uses: `S - m`, at most `m` (it is at least `-m` already).
    function boundedExcess(int256 excess, uint256 capacity) internal pure returns (int256) {
        return excess > int256(capacity) ? int256(capacity) : excess;
    }

    /**
     * @notice Limits a move from `mu` to `nextMu` to at most doubling or halving the price, or to
     * `floor` (the constant rule's step on a full excess, `eta * m`) when that is larger, so that
     * a price at or near zero still moves.
     */
    function limitMove(uint256 mu, uint256 nextMu, uint256 floor) internal pure returns (uint256) {
        if (nextMu > mu) return Math.min(nextMu, mu + Math.max(mu, floor));
        uint256 maxDown = Math.max(mu / 2, floor);
        return maxDown >= mu ? nextMu : Math.max(nextMu, mu - maxDown);
    }

    /// @notice `eta * |excess|`, rounded down.
    function ascentStep(uint256 eta, uint256 absExcess) internal pure returns (uint256) {
        return Math.mulDiv(eta, absExcess, UNIT);
    }

    /// @notice Moves `mu` up by `step` when demand exceeds capacity, down (not below 0) otherwise.
    function move(uint256 mu, int256 excess, uint256 step) internal pure returns (uint256) {
        if (excess > 0) return Math.min(mu + Math.min(step, MAX_PRICE), MAX_PRICE);
        return step >= mu ? 0 : mu - step;
    }

    /**
     * @notice Robbins–Monro step `eta_0 / sqrt(k)` for the `k`-th round (k >= 1) under the
     * current parameters. PRBMath's `sqrt` and `div` both round down.
     */
    function diminishingEta(uint256 eta0, uint256 k) internal pure returns (uint256) {
        return ud(eta0).div(ud(k * UNIT).sqrt()).unwrap();
    }

    /// @notice `|a|` of a signed excess.
    function abs(int256 a) internal pure returns (uint256) {
        return a >= 0 ? uint256(a) : uint256(-a);
    }
}
