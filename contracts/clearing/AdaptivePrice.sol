// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {UNIT} from "../common/Units.sol";
import {PriceUpdate} from "./PriceUpdate.sol";

/**
 * @title AdaptivePrice
 * @notice A safeguarded root finder for the clearing price, run one observation per round.
 *
 * Each round the market observes the excess demand `E = S(mu) - m` at the posted `mu`. `S` is
 * non-increasing in `mu`, so a positive excess proves the clearing price is above `mu` (a
 * lower end `lo`) and a non-positive excess proves it is at most `mu` (an upper end `hi`).
 *
 * - Bracketed (`lo < hi` known): regula falsi with the Illinois modification (an end kept
 *   twice in a row has its weight halved), which converges superlinearly where plain regula
 *   falsi stalls; bisection when rounding leaves no interior point. Each point is projected
 *   towards the bracket's midpoint as in the ITP method (Oliveira and Takahashi, 2020): the
 *   bracket collapses after at most {EXTRA_STEPS} more rounds than bisection would take, also
 *   when `S` jumps (fixed-fee drop-outs) and regula falsi alone would crawl. When the last two
 *   observations lie on one side of the root, the secant through them is used instead where it
 *   falls inside the bracket, and where it falls below `lo` the market posts `lo` once to check it:
 *   a lower end set by an inflated report, or made stale by a fall in demand, is dropped in a round
 *   instead of being approached for many. An upper end whose shortfall is within `tolPrimal`
 *   clears: the market stays there, however wide the bracket. Once `hi - lo <= tolDual`
 *   the bracket has collapsed and the market posts `hi`, the feasible end: this is the
 *   smallest price with `S <= m` to within `tolDual`, also when `S` jumps over `m` because of
 *   the fixed fee `g` (agents dropping out) and `S = m` has no root.
 * - Not bracketed: a secant step through the last two observations, never shorter than the
 *   constant rule's step `eta * |E|`, so the rule is never slower than the constant step it is
 *   configured with while it searches. Both steps get a hyperbolic correction: with `K` agents
 *   demanding a positive quantity, the reference family's `S(mu) + K = sum alpha_i / (c_i + mu)`
 *   is hyperbolic in `mu`, and a secant on `1 / (S + K)` (exact for identical agents) is the
 *   linear secant step times `(S_prev + K) / (m + K)`. Upward Newton steps with slope `1/eta`
 *   get the same factor with the current `S`; a downward `eta` step is never shortened. A secant
 *   step is at most {MAX_GROWTH} times the last price move (a trust region: two nearly equal
 *   observations of inelastic demand would make the secant unbounded). When the excess did not
 *   change between two rounds (no demand above every reservation, or demand beyond the bound
 *   below), the step is twice the last move: any distance is crossed in logarithmically many
 *   rounds.
 * - Gaps and shocks: at a collapsed bracket with a shortfall at `hi` above `tolPrimal`, the
 *   market posts `lo` once (a probe): excess demand there confirms a jump of `S` (the gap) and
 *   the market returns to `hi`; none drops `lo` (demand has fallen since) and the search goes on
 *   downwards. A certified gap is probed again after {REPROBE_ROUNDS} rounds at `hi`, so a gap
 *   that one agent faked by answering a probe with an inflated demand outlives its last answer
 *   by at most that many rounds. A shortfall at `hi` that moves by more than `tolPrimal`
 *   between two observations asks for a new probe, or drops `lo` if it grew by more than the
 *   excess seen at `lo` (erased). An observation that contradicts an end (`E > 0` at or above `hi`,
 *   `E <= 0` at or below `lo`) drops that end. An end observed again at the same price (the
 *   market posting `hi` while converged) is not a move: it halves no weight, so a shock finds the
 *   weights as the search left them. The market resets the bracket whenever its parameters change.
 * - Bounded influence: the excess counts up to `m` ({PriceUpdate-boundedExcess}), and a round at
 *   most doubles or halves the price, or moves it by `eta * m` when that is more
 *   ({PriceUpdate-limitMove}): one report, however large, cannot carry the price far.
 */
library AdaptivePrice {
    /// @notice How many times the last price move a secant step may be.
    uint256 internal constant MAX_GROWTH = 4;
    /// @notice Rounds beyond bisection's count within which a bracket collapses (ITP's `n0`).
    uint256 internal constant EXTRA_STEPS = 3;
    /**
     * @notice Rounds a certified gap is believed before `lo` is probed again. One agent can answer a
     * probe with an inflated demand and so certify a gap that is not there, which leaves capacity idle
     * for as long as it is believed; re-probing bounds that to one period after the agent stops. It is
     * longer than the 20 converged rounds a benchmark asks for, and a genuine gap reports two
     * rounds in 33 unconverged: the probe at `lo` and the one before.
     */
    uint8 internal constant REPROBE_ROUNDS = 32;
    uint8 internal constant MOVED_NONE = 0;
    uint8 internal constant MOVED_LO = 1;
    uint8 internal constant MOVED_HI = 2;

    /**
     * @dev Two storage slots. Weights are the observed |excess| at each end (bounded by `m`),
     * Illinois-scaled, saturating at 2^112 - 1: only their ratio matters.
     */
    struct Bracket {
        uint120 lo;
        uint120 hi;
        bool hasLo;
        bool hasHi;
        uint112 excessLo;
        uint112 shortfallHi;
        uint8 lastMoved;
        bool gapConfirmed; // a probe at `lo` showed excess demand: the shortfall at `hi` is a jump of S
        // Bracketed rounds left before the bracket must be within tolDual; in a certified gap, rounds left at
        // `hi` before the next probe.
        uint8 stepsLeft;
        bool loChecked; // `lo` was observed a second time at the same price and still showed excess demand
    }

    /**
     * @notice The bracket with no end known (what the market starts from and resets to). An end's price and
     * weight mean nothing while its flag is unset, nor does `stepsLeft` before the bracket forms, so two of them
     * carry non-zero placeholders: `hi` the price cap, `stepsLeft` 1. Neither storage slot is then ever zero, and
     * the first observation after a start or a reset writes used slots (5,000 gas each) instead of new ones (22,100).
     */
    function empty() internal pure returns (Bracket memory b) {
        b.hi = uint120(PriceUpdate.MAX_PRICE);
        b.stepsLeft = 1;
    }

    /// @notice The round's configuration and what it observed besides the excess.
    struct Context {
        uint256 capacity; // m
        uint256 participants; // K: agents that demanded a positive quantity this round
        uint256 eta;
        uint256 tolPrimal;
        uint256 tolDual;
    }

    /// @notice The previous round's observation, for the secant step.
    struct Observation {
        bool valid;
        uint256 mu;
        int256 excess;
    }

    /**
     * @notice Records the observation `(mu, excess)` in `b` and returns the next price.
     * @return nextMu The price to post next round.
     * @return collapsed Whether the bracket has collapsed to within `tolDual`.
     */
    function update(
        Bracket memory b,
        uint256 mu,
        int256 excess,
        Observation memory previous,
        Context memory ctx
    ) internal pure returns (uint256 nextMu, bool collapsed) {
        int256 bounded = PriceUpdate.boundedExcess(excess, ctx.capacity);
        uint256 widthBefore = b.hasLo && b.hasHi ? uint256(b.hi) - b.lo : 0;
        _observe(b, mu, bounded, ctx.tolPrimal);
        if (b.hasLo && b.hasHi) {
            uint256 width = uint256(b.hi) - b.lo;
            if (width <= ctx.tolDual) {
                // A shortfall at `hi` is either a jump of S (a gap) or a shift of demand since `lo`
                // was seen: post `lo` once to tell them apart before certifying the gap, and again after
                // every REPROBE_ROUNDS rounds at `hi` while it is certified.
                if (b.shortfallHi > ctx.tolPrimal) {
                    if (!b.gapConfirmed) return (b.lo, false);
                    // Observed at `lo`: the probe was just answered, the count starts.
                    if (mu == b.lo) b.stepsLeft = REPROBE_ROUNDS;
                    else if (b.stepsLeft <= 1) return (b.lo, false);
                    else --b.stepsLeft;
                }
                return (b.hi, true);
            }
            // The feasible end clears within tolerance: stay. (Moving on would be the projection's
            // doing once its budget ran down, not a better price.)
            if (bounded <= 0 && uint256(-bounded) <= ctx.tolPrimal) return (mu, false);
            (bool hasSecant, uint256 secant) = _sameSideSecant(mu, excess, previous, b);
            nextMu = _bracketStep(b, width, widthBefore, ctx.tolDual, hasSecant, secant);
        } else {
            nextMu = PriceUpdate.move(mu, bounded, _searchStep(mu, excess, previous, ctx));
        }
        return (PriceUpdate.limitMove(mu, nextMu, PriceUpdate.ascentStep(ctx.eta, ctx.capacity)), false);
    }

    /**
     * @dev A point from the last two observations when both lie on one side of the root (the
     * bracket's far end then only carries a weight): the root of their secant if it falls inside the
     * bracket. When it falls at or below `lo`, that end is suspect (an inflated report, or demand
     * that has fallen since), so the point is `lo` itself, a probe, unless `lo` was checked there.
     */
    function _sameSideSecant(
        uint256 mu,
        int256 excess,
        Observation memory previous,
        Bracket memory b
    ) private pure returns (bool found, uint256 x) {
        uint256 step = _secantStep(mu, excess, previous);
        if (step == 0 || (excess > 0) != (previous.excess > 0)) return (false, 0);
        if (excess > 0) return mu + step < b.hi ? (true, mu + step) : (false, 0);
        if (step < mu - b.lo) return (true, mu - step);
        return (!b.loChecked, b.lo);
    }

    /**
     * @dev The next point inside the bracket: the same-side secant's if there is one, else Illinois
     * regula falsi (bisection when it rounds onto `lo`), projected onto the interval around the
     * midpoint that keeps the next bracket at most `tolDual * 2^(stepsLeft - 1)` wide. The budget
     * is set when the bracket forms or widens.
     */
    function _bracketStep(
        Bracket memory b,
        uint256 width,
        uint256 widthBefore,
        uint256 tolDual,
        bool hasSecant,
        uint256 secant
    ) private pure returns (uint256 x) {
        if (widthBefore == 0 || width > widthBefore || b.stepsLeft == 0) {
            b.stepsLeft = uint8(Math.log2(Math.ceilDiv(width, tolDual), Math.Rounding.Ceil) + EXTRA_STEPS);
        } else if (b.stepsLeft > 1) {
            --b.stepsLeft;
        }
        if (hasSecant) {
            x = secant;
        } else {
            x = b.lo + Math.mulDiv(width, b.excessLo, uint256(b.excessLo) + b.shortfallHi);
            if (x <= b.lo) x = b.lo + width / 2;
        }
        // The larger part left by a point at distance d from the midpoint is ceil(width / 2) + d.
        uint256 mid = b.lo + width / 2;
        uint256 upperHalf = width - width / 2;
        uint256 allowed = uint256(tolDual) << (b.stepsLeft - 1);
        uint256 radius = allowed > upperHalf ? allowed - upperHalf : 0;
        if (x > mid + radius) return mid + radius;
        if (x + radius < mid) return mid - radius;
    }

    /**
     * @dev The unbracketed step: the longest of the corrected secant, the ascent step and the growth.
     * The secant's slope is measured on the raw excesses (bounding one of them would bend it), and
     * its step is bounded by the trust region; the ascent step and the growth see the bounded excess.
     */
    function _searchStep(
        uint256 mu,
        int256 rawExcess,
        Observation memory previous,
        Context memory ctx
    ) private pure returns (uint256) {
        uint256 lastMove = mu > previous.mu ? mu - previous.mu : previous.mu - mu;
        uint256 secant = _secantStep(mu, rawExcess, previous);
        if (secant != 0) {
            // Trust region: a secant through nearly equal demands (inelastic agents) would jump
            // arbitrarily far; it may at most grow the last price move MAX_GROWTH-fold.
            secant = Math.min(_hyperbolic(secant, previous.excess, ctx), MAX_GROWTH * lastMove);
        }
        int256 excess = PriceUpdate.boundedExcess(rawExcess, ctx.capacity);
        uint256 ascent = PriceUpdate.ascentStep(ctx.eta, PriceUpdate.abs(excess));
        if (excess > 0) ascent = _hyperbolic(ascent, excess, ctx);
        // Demand that did not answer the last move at all: double it.
        bool flat = previous.valid && PriceUpdate.boundedExcess(previous.excess, ctx.capacity) == excess;
        uint256 growth = flat ? 2 * lastMove : 0;
        return Math.max(Math.max(secant, ascent), growth);
    }

    /// @dev `step * (S + K) / (m + K)` with `S = m + excess`; the step is capped first so the product fits.
    function _hyperbolic(uint256 step, int256 excess, Context memory ctx) private pure returns (uint256) {
        uint256 k = ctx.participants * UNIT;
        uint256 demand = uint256(int256(ctx.capacity) + excess);
        return Math.mulDiv(Math.min(step, PriceUpdate.MAX_PRICE), demand + k, ctx.capacity + k);
    }

    function _observe(Bracket memory b, uint256 mu, int256 excess, uint256 tolPrimal) private pure {
        if (excess > 0) {
            // Only the probe posts exactly `lo` while `hi` is known: excess demand there confirms the gap.
            bool probeAnswered = b.hasLo && b.hasHi && mu == b.lo;
            if (b.hasHi && mu >= b.hi) b.hasHi = false;
            else if (b.hasHi && b.lastMoved == MOVED_LO && mu != b.lo) b.shortfallHi = _halve(b.shortfallHi);
            b.gapConfirmed = probeAnswered && b.hasHi;
            b.loChecked = b.hasLo && mu == b.lo;
            b.lo = uint120(mu);
            b.excessLo = _weight(uint256(excess));
            b.hasLo = true;
            b.lastMoved = MOVED_LO;
        } else {
            // Compared as weights
            uint256 shortfall = _weight(uint256(-excess));
            bool sameEnd = b.hasHi && mu == b.hi;
            if (!sameEnd) b.gapConfirmed = false;
            else if (
                b.lastMoved == MOVED_HI &&
                PriceUpdate.abs(int256(shortfall) - int256(uint256(b.shortfallHi))) > tolPrimal
            ) {
                b.gapConfirmed = false;
                if (shortfall > uint256(b.shortfallHi) + b.excessLo) b.hasLo = false;
            }
            if (b.hasLo && mu <= b.lo) b.hasLo = false;
            else if (b.hasLo && b.lastMoved == MOVED_HI && !sameEnd) b.excessLo = _halve(b.excessLo);
            b.hi = uint120(mu);
            b.shortfallHi = _weight(shortfall);
            b.hasHi = true;
            b.lastMoved = MOVED_HI;
        }
    }

    /// @dev Halves an Illinois weight, rounding up so a positive weight stays positive.
    function _halve(uint112 w) private pure returns (uint112) {
        return w - w / 2;
    }

    /// @dev An observed |excess| as a weight, saturating.
    function _weight(uint256 w) private pure returns (uint112) {
        return uint112(Math.min(w, type(uint112).max));
    }

    /// @dev `|E| * |dmu| / |dE|` when the last two observations show demand falling as the price rises.
    function _secantStep(uint256 mu, int256 excess, Observation memory previous) private pure returns (uint256) {
        if (!previous.valid || previous.mu == mu || previous.excess == excess) return 0;
        bool priceRose = mu > previous.mu;
        bool demandFell = excess < previous.excess;
        if (priceRose != demandFell) return 0;
        uint256 dMu = priceRose ? mu - previous.mu : previous.mu - mu;
        return Math.mulDiv(PriceUpdate.abs(excess), dMu, PriceUpdate.abs(previous.excess - excess));
    }
}
