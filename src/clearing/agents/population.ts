/**
 * Agent models for experiments (issue 4): reference agents (closed-form proximal best
 * responses) with optional demand noise, drift of `alpha` over time, and participation
 * shocks (agents that leave or join at given rounds). Every random draw comes from seeded
 * streams consumed in a fixed order, so the off-chain engine and the on-chain driver, which
 * both ask a population for its demands round by round, submit identical numbers.
 */
import { z } from "zod";
import { toFixed } from "../../common/fixed";
import { normal, rng, type Rng } from "../../common/random";
import { type AgentType, bestResponse } from "./reference";

export const dynamicsSchema = z.object({
  /** Proximal weight `gamma` of the best response (0: plain best response). */
  gamma: z.number().nonnegative().default(0),
  /** Relative standard deviation of multiplicative demand noise: x (1 + noise Z), floored at 0. */
  noise: z.number().nonnegative().default(0),
  /** Standard deviation per round of the random walk of ln(alpha). */
  drift: z.number().nonnegative().default(0),
  /** Participation shocks: at round `round`, `leave` present agents leave and `join` absent ones join. */
  participation: z
    .array(
      z.object({
        round: z.number().int().min(2),
        leave: z.number().int().nonnegative().default(0),
        join: z.number().int().nonnegative().default(0),
      }),
    )
    .default([]),
  /** Agents (of the population) absent at the start; they are the ones that join later. */
  reserve: z.number().int().nonnegative().default(0),
});
export type Dynamics = z.infer<typeof dynamicsSchema>;
export type DynamicsInput = z.input<typeof dynamicsSchema>;

/** Who changes presence at a round: indices of the agents that leave and that join. */
export interface PresenceChange {
  leave: number[];
  join: number[];
}

/**
 * What the engine plays: participants present or not (present ones at round 1 join the market),
 * started round by round, each asked for its demand at the posted price. `Population` is the
 * reference one; `./attackers.ts` wraps it with scripted attackers and phased shocks.
 */
export interface Participants {
  readonly present: readonly boolean[];
  startRound(round: number): PresenceChange;
  demands(price: number, fixedFee: number): (bigint | null)[];
  /** Participant `i` as it is now (an attacker's identities report the attacker's type). */
  typeOf(i: number): AgentType;
}

export class Population implements Participants {
  readonly dynamics: Dynamics;
  /** Current value scales (after drift). */
  readonly alpha: number[];
  readonly present: boolean[];
  private readonly previous: number[];
  private readonly noiseRng: Rng;
  private readonly driftRng: Rng;
  private round = 0;

  constructor(
    readonly agents: AgentType[],
    seed: number,
    dynamics: DynamicsInput = {},
  ) {
    this.dynamics = dynamicsSchema.parse(dynamics);
    if (this.dynamics.reserve >= agents.length)
      throw new Error("population: the reserve must leave at least one agent present");
    this.alpha = agents.map((a) => a.alpha);
    this.present = agents.map((_, i) => i < agents.length - this.dynamics.reserve);
    this.previous = agents.map(() => 0);
    this.noiseRng = rng(seed ^ 0x9e3779b9);
    this.driftRng = rng(seed ^ 0x85ebca6b);
  }

  /** Agent `i` as it is now (alpha after drift). */
  typeOf(i: number): AgentType {
    return { alpha: this.alpha[i], beta: this.agents[i].beta };
  }

  /**
   * Starts round `round` (1, 2, ...): applies drift and the participation shocks scheduled for it.
   * Leavers are the present agents with the lowest indices; joiners the absent ones with the lowest.
   */
  startRound(round: number): PresenceChange {
    if (round !== this.round + 1) throw new Error(`population: round ${round} after ${this.round}`);
    this.round = round;
    if (round > 1 && this.dynamics.drift > 0) {
      for (let i = 0; i < this.alpha.length; i++)
        this.alpha[i] *= Math.exp(this.dynamics.drift * normal(this.driftRng));
    }
    const change: PresenceChange = { leave: [], join: [] };
    for (const shock of this.dynamics.participation.filter((s) => s.round === round)) {
      const here = this.present.flatMap((p, i) => (p ? [i] : []));
      const away = this.present.flatMap((p, i) => (p ? [] : [i]));
      change.leave.push(...here.slice(0, Math.min(shock.leave, here.length - 1)));
      change.join.push(...away.slice(0, shock.join));
      for (const i of change.leave) this.present[i] = false;
      for (const i of change.join) {
        this.present[i] = true;
        this.previous[i] = 0;
      }
    }
    return change;
  }

  /**
   * Demands (18-decimal fixed point) of the present agents at posted price `price` (`tau + mu`)
   * and fixed fee `fixedFee`; absent agents get `null`. Noise is drawn for every agent every
   * round, present or not, so the streams stay aligned.
   */
  demands(price: number, fixedFee: number): (bigint | null)[] {
    return this.agents.map((_, i) => {
      const z = normal(this.noiseRng);
      if (!this.present[i]) return null;
      let x = bestResponse(this.typeOf(i), price, fixedFee, this.dynamics.gamma, this.previous[i]);
      if (x > 0 && this.dynamics.noise > 0) x = Math.max(0, x * (1 + this.dynamics.noise * z));
      const fixed = toFixed(x);
      this.previous[i] = x;
      return fixed;
    });
  }
}
