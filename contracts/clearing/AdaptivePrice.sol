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
 *   falsi stalls; bisection when rounding leaves no interior point. Once `hi - lo <= tolDual`
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
 *   step is at most {MAX_GROWTH} times the last price move (a trust region against inelastic
 *   demand, where two nearly equal observations would make the secant arbitrarily long).
 * - Gaps and shocks: at a collapsed bracket with a shortfall at `hi` above `tolPrimal`, the
 *   market posts `lo` once (a probe): excess demand there confirms a jump of `S` (the gap) and
 *   the market returns to `hi`; none drops `lo` (demand has fallen since) and the search goes on
 *   downwards. A shortfall at `hi` that moves by more than `tolPrimal` between two observations
 *   asks for a new probe. An observation that contradicts an end (`E > 0` at or above `hi`,
 *   `E <= 0` at or below `lo`) drops that end. The market resets the bracket whenever its
 *   parameters change.
 */
library AdaptivePrice {
    /// @notice How many times the last price move a secant step may be.
    uint256 internal constant MAX_GROWTH = 4;
    uint8 internal constant MOVED_NONE = 0;
    uint8 internal constant MOVED_LO = 1;
    uint8 internal constant MOVED_HI = 2;

    /// @dev Two storage slots. Weights are the observed |excess| at each end, Illinois-scaled.
    struct Bracket {
        uint120 lo;
        uint120 hi;
        bool hasLo;
        bool hasHi;
        uint120 excessLo;
        uint120 shortfallHi;
        uint8 lastMoved;
        bool gapConfirmed; // a probe at `lo` showed excess demand: the shortfall at `hi` is a jump of S
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
        _observe(b, mu, excess, ctx.tolPrimal);
        if (b.hasLo && b.hasHi) {
            uint256 width = uint256(b.hi) - b.lo;
            if (width <= ctx.tolDual) {
                // A shortfall at `hi` is either a jump of S (a gap) or a shift of demand since `lo`
                // was seen: post `lo` once to tell them apart before certifying the gap.
                if (b.shortfallHi > ctx.tolPrimal && !b.gapConfirmed) return (b.lo, false);
                return (b.hi, true);
            }
            nextMu = b.lo + Math.mulDiv(width, b.excessLo, uint256(b.excessLo) + b.shortfallHi);
            if (nextMu <= b.lo) nextMu = b.lo + width / 2;
            return (nextMu, false);
        }
        uint256 secant = _secantStep(mu, excess, previous);
        if (secant != 0) {
            // Trust region: a secant through nearly equal demands (inelastic agents) would jump
            // arbitrarily far; it may at most grow the last price move MAX_GROWTH-fold.
            uint256 lastMove = mu > previous.mu ? mu - previous.mu : previous.mu - mu;
            secant = Math.min(_hyperbolic(secant, previous.excess, ctx), MAX_GROWTH * lastMove);
        }
        uint256 ascent = PriceUpdate.ascentStep(ctx.eta, PriceUpdate.abs(excess));
        if (excess > 0) ascent = _hyperbolic(ascent, excess, ctx);
        return (PriceUpdate.move(mu, excess, Math.max(secant, ascent)), false);
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
            else if (b.hasHi && b.lastMoved == MOVED_LO) b.shortfallHi = _halve(b.shortfallHi);
            b.gapConfirmed = probeAnswered && b.hasHi;
            b.lo = uint120(mu);
            b.excessLo = uint120(uint256(excess));
            b.hasLo = true;
            b.lastMoved = MOVED_LO;
        } else {
            uint256 shortfall = uint256(-excess);
            // A new upper end, or a shortfall at the same end that moved between two observations
            // in a row (demand shifted), needs a fresh probe.
            bool sameEnd = b.hasHi && mu == b.hi;
            if (!sameEnd) b.gapConfirmed = false;
            else if (
                b.lastMoved == MOVED_HI &&
                PriceUpdate.abs(int256(shortfall) - int256(uint256(b.shortfallHi))) > tolPrimal
            ) b.gapConfirmed = false;
            if (b.hasLo && mu <= b.lo) b.hasLo = false;
            else if (b.hasLo && b.lastMoved == MOVED_HI) b.excessLo = _halve(b.excessLo);
            b.hi = uint120(mu);
            b.shortfallHi = uint120(shortfall);
            b.hasHi = true;
            b.lastMoved = MOVED_HI;
        }
    }

    /// @dev Halves an Illinois weight, rounding up so a positive weight stays positive.
    function _halve(uint120 w) private pure returns (uint120) {
        return w - w / 2;
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
