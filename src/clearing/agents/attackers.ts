/**
 * Attackers and shocks as participants of the engine (issue 13, point 5). Each wraps a reference
 * `Population` and changes only what is submitted: the market (the exact model of the contract)
 * is played unchanged, so the engine stays equal to the contract round for round.
 *
 * - `Attacked`: one member of the population (the attacker) follows a script for a few rounds
 *   from a given round on, through its own identity and, for a Sybil attack, `k - 1` more that
 *   join at round 1 and submit a zero demand (which costs nothing) outside the attack. Without a
 *   script it is the truthful play of the same population, identities included.
 * - `Phased`: one population until a round, then another (for example the same agents with
 *   demand noise and a drifting alpha once the market has converged).
 */
import { toFixed } from "../../common/fixed";
import type { AgentType } from "./reference";
import type { Participants, Population, PresenceChange } from "./population";

/** The inflated demand of the attacks (units). */
export const INFLATED = 10_000;
/** The demand of `huge-at-zero-price` (units). */
export const HUGE = 1e18;

export interface AttackScript {
  name: string;
  /** Identities the attacker submits through (1: its own only). */
  identities: number;
  /** Rounds the attack lasts. */
  rounds: number;
  /** The attacker's total demand (units) in the attack's `j`-th round (0-based), given capacity `m`. */
  demand: (j: number, capacity: number) => number;
  /** Played at tau = 0 from a cold start, in round 1 (mu = 0), instead of after convergence. */
  atZeroPrice?: boolean;
  /** Splits the attacker's own truthful demand at the posted price over its identities (`demand` unused). */
  splitsTruthful?: boolean;
}

const sybil = (k: number): AttackScript => ({
  name: `sybil-split-${k}`,
  identities: k,
  rounds: 1,
  // Pro-rata gives a split the allocation of its total whatever the split; under the uniform rule
  // every identity asking at least lambda gets lambda, which an equal split of 10,000 (>= 1,000 per
  // identity for k <= 10, against m = 50) does: so each identity asks 10,000 / k.
  demand: () => INFLATED,
});

/**
 * A Sybil that splits what it truly wants over k identities in a round priced below clearing (the cold start at
 * a zero price, where rationing binds hardest): under the uniform rule each identity asking at least `lambda`
 * gets `lambda`, so the split takes up to k water levels for k - 1 more fixed fees; under pro-rata it takes the
 * same as one identity would.
 */
const sybilTruthful = (k: number): AttackScript => ({
  name: `sybil-truthful-${k}-at-zero-price`,
  identities: k,
  rounds: 1,
  demand: () => 0,
  atZeroPrice: true,
  splitsTruthful: true,
});

export const ATTACKS: AttackScript[] = [
  { name: "inflate-once", identities: 1, rounds: 1, demand: () => INFLATED },
  { name: "inflate-3", identities: 1, rounds: 3, demand: () => INFLATED },
  // Beyond issue 13's list (found by review): a longer burst. Each inflated round may double the price and the
  // way down takes as many halvings, so the others' harm per attack round grows with the burst until about 5
  // rounds, then levels off (measured 3.2 to 3.4 per round for bursts of 5 to 20 under the uniform rule).
  { name: "inflate-5", identities: 1, rounds: 5, demand: () => INFLATED },
  { name: "alternate", identities: 1, rounds: 60, demand: (j) => (j % 2 === 0 ? INFLATED : 0) },
  {
    name: "inflate-then-m-plus-one",
    identities: 1,
    rounds: 2,
    demand: (j, m) => (j === 0 ? INFLATED : m + 1),
  },
  { name: "huge-at-zero-price", identities: 1, rounds: 1, demand: () => HUGE, atZeroPrice: true },
  sybil(2),
  sybil(5),
  sybil(10),
  sybilTruthful(2),
  sybilTruthful(5),
  sybilTruthful(10),
];

/** A population in which member `attacker` plays `script` from round `start` on (truthful when `script` is null). */
export class Attacked implements Participants {
  protected round = 0;
  private readonly extra: number;

  constructor(
    readonly inner: Population,
    readonly attacker: number,
    readonly script: AttackScript | null,
    readonly start: number,
    readonly capacity: number,
    identities = script?.identities ?? 1,
  ) {
    if (attacker < 0 || attacker >= inner.agents.length) throw new Error(`attacked: no member ${attacker}`);
    if (!Number.isInteger(identities) || identities < 1) throw new Error(`attacked: ${identities} identities`);
    this.extra = identities - 1;
  }

  get present(): boolean[] {
    return [...this.inner.present, ...Array<boolean>(this.extra).fill(true)];
  }

  /** The attacker's identities: its own index, then the extra ones after the population. */
  get identities(): number[] {
    const n = this.inner.agents.length;
    return [this.attacker, ...Array.from({ length: this.extra }, (_, i) => n + i)];
  }

  /** Whether round `t` is one of the attack's rounds. */
  attacking(t: number): boolean {
    return this.script !== null && t >= this.start && t < this.start + this.script.rounds;
  }

  typeOf(i: number): AgentType {
    return this.inner.typeOf(i < this.inner.agents.length ? i : this.attacker);
  }

  startRound(round: number): PresenceChange {
    this.round = round;
    return this.inner.startRound(round);
  }

  demands(price: number, fixedFee: number): (bigint | null)[] {
    const out = [...this.inner.demands(price, fixedFee), ...Array<bigint | null>(this.extra).fill(0n)];
    if (this.script && this.attacking(this.round)) {
      const each = this.script.splitsTruthful
        ? (out[this.attacker] ?? 0n) / BigInt(this.extra + 1)
        : toFixed(this.script.demand(this.round - this.start, this.capacity) / (this.extra + 1));
      for (const i of this.identities) out[i] = each;
    }
    return out;
  }
}

/** `before` until round `from - 1`, then `after` (whose own rounds count from 1 at `from`). */
export class Phased implements Participants {
  private round = 0;

  constructor(
    readonly before: Population,
    readonly after: Population,
    readonly from: number,
  ) {
    if (before.agents.length !== after.agents.length) throw new Error("phased: populations of different sizes");
  }

  private get active(): Population {
    return this.round < this.from ? this.before : this.after;
  }

  get present(): boolean[] {
    return this.active.present;
  }

  typeOf(i: number): AgentType {
    return this.active.typeOf(i);
  }

  startRound(round: number): PresenceChange {
    this.round = round;
    return round < this.from ? this.before.startRound(round) : this.after.startRound(round - this.from + 1);
  }

  demands(price: number, fixedFee: number): (bigint | null)[] {
    return this.active.demands(price, fixedFee);
  }
}
