/**
 * An attacker that fakes a fixed-fee gap in the adaptive rule, reading only the public round
 * outcomes (`RoundClosed`: the price posted, the next price, converged).
 *
 * 1. It asks `extra` units more than it wants until the market converges: the price settles at the
 *    root of `S + extra = m`, above the clearing price.
 * 2. It asks what it wants. The market sees a shortfall of `extra` at that price and posts a price
 *    just below it, once, to tell a jump of `S` from a shift of demand (the probe). The attacker
 *    answers the probe with `extra` units more, so the market certifies a gap that is not there and
 *    returns to the higher price, leaving `extra` units of capacity idle.
 * 3. It asks what it wants, answering every later probe the same way while `persistent`.
 *
 * Without re-probing, one answer keeps the faked gap for ever in a stationary market; the rule
 * probes a certified gap again after `AdaptivePrice.REPROBE_ROUNDS` rounds, so a one-shot faker's
 * gap lasts at most that long after its answer, and a persistent one pays one inflated round per
 * period.
 */
import { toFixed } from "../../common/fixed";
import type { PlayedRound } from "../sim/rounds";
import type { AgentType } from "./reference";
import type { Participants, PresenceChange } from "./population";

type Phase = "inflate" | "await-probe" | "done";

export class GapFaker implements Participants {
  /** Rounds (1-based) in which the attacker asked more than it wants. */
  readonly deviations: number[] = [];
  /** The probes it answered (1-based rounds). */
  readonly answers: number[] = [];
  /** The members it submits through (the measures of ../robustness/attacks.ts read them). */
  readonly identities: readonly number[];
  private phase: Phase = "inflate";
  private round = 0;
  private posted: bigint | undefined;
  private lastPosted: bigint | undefined;

  constructor(
    private readonly inner: Participants,
    private readonly attacker: number,
    /** Units asked beyond the attacker's own demand. */
    private readonly extra: number,
    /** The first round of the attack. */
    private readonly start: number,
    private readonly persistent = false,
  ) {
    this.identities = [attacker];
  }

  get present(): readonly boolean[] {
    return this.inner.present;
  }

  startRound(round: number): PresenceChange {
    this.round = round;
    return this.inner.startRound(round);
  }

  typeOf(i: number): AgentType {
    return this.inner.typeOf(i);
  }

  /** A probe: the posted price fell below the last one while the market had converged there. */
  private probing(): boolean {
    return this.posted !== undefined && this.lastPosted !== undefined && this.posted < this.lastPosted;
  }

  demands(price: number, fixedFee: number): (bigint | null)[] {
    const out = this.inner.demands(price, fixedFee);
    const inflate =
      this.round >= this.start && (this.phase === "inflate" || (this.phase === "await-probe" && this.probing()));
    if (inflate) {
      out[this.attacker] = (out[this.attacker] ?? 0n) + toFixed(this.extra);
      this.deviations.push(this.round);
    }
    return out;
  }

  /** Reads a closed round's public outcome (pass it as the engine's `onRound`). */
  observe(r: PlayedRound): void {
    if (this.round >= this.start) {
      const answered = this.phase === "await-probe" && this.probing();
      if (answered) this.answers.push(this.round);
      if (this.phase === "inflate" && r.converged) this.phase = "await-probe";
      else if (answered && !this.persistent) this.phase = "done";
    }
    this.lastPosted = r.mu;
    this.posted = r.nextMu;
  }
}
