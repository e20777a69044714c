/**
 * An attacker that fakes a fixed-fee gap in the adaptive rule, reading only the public round
 * outcomes (`RoundClosed`: the price posted, the next price, converged).
 *
 * 1. It asks `extraUnits` units more than it wants until the market converges: the price settles at the
 *    root of `S + extraUnits = m`, above the clearing price.
 * 2. It asks what it wants. The market sees a shortfall of `extraUnits` at that price and posts a price
 *    just below it, once, to tell a jump of `S` from a shift of demand (the probe). The attacker
 *    answers the probe with `extraUnits` units more, so the market certifies a gap that is not there and
 *    returns to the higher price, leaving `extraUnits` units of capacity idle.
 * 3. It asks what it wants, answering every later probe the same way while `persistent`.
 *
 * Without re-probing, one answer keeps the faked gap for ever in a stationary market; the rule
 * probes a certified gap again after `AdaptivePrice.REPROBE_ROUNDS` rounds, so a one-shot faker's
 * gap lasts at most that long after its answer, and a persistent one pays one inflated round per
 * period.
 */
import { toFixed } from "../../common/fixed";
import type { PlayedRound } from "../sim/rounds";
import { Attacked } from "./attackers";
import type { Population } from "./population";

type Phase = "inflate" | "await-probe" | "done";

/** Member `attacker` of the population fakes a gap from round `start` on (the others, and it before, are truthful). */
export class GapFaker extends Attacked {
  /** Rounds (1-based) in which the attacker asked more than it wants. */
  readonly deviations: number[] = [];
  private phase: Phase = "inflate";
  private posted: bigint | undefined;
  private lastPosted: bigint | undefined;

  constructor(
    inner: Population,
    attacker: number,
    /** Units asked beyond the attacker's own demand. */
    private readonly extraUnits: number,
    start: number,
    private readonly persistent = false,
  ) {
    super(inner, attacker, null, start, 0);
  }

  /** A probe: the posted price fell below the last one. */
  private probing(): boolean {
    return this.posted !== undefined && this.lastPosted !== undefined && this.posted < this.lastPosted;
  }

  demands(price: number, fixedFee: number): (bigint | null)[] {
    const out = super.demands(price, fixedFee);
    const inflate =
      this.round >= this.start && (this.phase === "inflate" || (this.phase === "await-probe" && this.probing()));
    if (inflate) {
      out[this.attacker] = (out[this.attacker] ?? 0n) + toFixed(this.extraUnits);
      this.deviations.push(this.round);
    }
    return out;
  }

  /** Reads a closed round's public outcome (pass it as the engine's `onRound`). */
  observe(r: PlayedRound): void {
    if (this.round >= this.start) {
      const answered = this.phase === "await-probe" && this.probing();
      if (this.phase === "inflate" && r.converged) this.phase = "await-probe";
      else if (answered && !this.persistent) this.phase = "done";
    }
    this.lastPosted = r.mu;
    this.posted = r.nextMu;
  }
}
