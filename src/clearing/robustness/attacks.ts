/**
 * What one strategic agent does to the others, on the exact engine (issue 13, point 5): the per-seed measurements
 * and their aggregation into entries keyed `"<rule>/<rationing>"`, shared by the benchmark's attacks part
 * (src/bench/attacks.ts) and the study's robustness chapter (../experiments/robustness.ts).
 *
 * Choices the issue leaves open, fixed here:
 * - Market: 20 agents of the paper's Table 3 (`drawAgents(20, seed)`, seed = 1..N), m = 50,
 *   tau = 0.5, g = 1 (tau = 0 for `huge-at-zero-price`); each rule with eta = 1/L and the
 *   convergence bench's tolerances (as in ./shocks.ts). The attacker is member 0, a random draw.
 * - "Started converged": the noise-free warm-up of ./shocks.ts (first `Converged` round W, at most
 *   WARM_CAP rounds); the attack starts in round W + 1. `huge-at-zero-price` and `sybil-truthful-k-at-zero-price`
 *   instead attack round 1 of a cold start, the one round whose posted price is 0 (tau = 0, mu = 0).
 * - The attacks are `ATTACKS` of src/clearing/agents/attackers.ts (`sybil-split-k`: the 10,000 units of
 *   `inflate-once` split equally over k identities, which join at round 1 and ask 0 otherwise;
 *   `sybil-truthful-k-at-zero-price`: the attacker's truthful demand split equally over k identities).
 * - Re-convergence: the first round after the last attack round that starts STAY = 20 converged rounds;
 *   the harm window runs from the first attack round to the round before it (to POST_CAP rounds after
 *   the attack when there is none).
 * - Welfare is the sum of payoffs (value minus own cost minus payments, fixed fees included);
 *   `harmRounds` = the others' welfare loss over the window against the same seed played truthfully,
 *   over the others' welfare in one round at the exact clearing price; `griefingFactor` = that loss
 *   over the attacker's payoff loss in the same window ("Infinity" when the attacker lost nothing,
 *   0 when the others lost nothing); `inflationGain` = (attack - truthful payoff of the attacker,
 *   its identities together) over max(|truthful|, g), summed over the attack rounds only.
 * - Each figure is the median over the seeds (the mean of the two middle ones for an even count).
 */
import { Attacked, type AttackScript } from "../agents/attackers";
import { drawAgents } from "../agents/draw";
import { Population } from "../agents/population";
import type { AgentType } from "../agents/reference";
import type { MarketSettings } from "../model/settings";
import { runEngine } from "../sim/engine";
import { solveClearing } from "../sim/equilibrium";
import { type Rationing, allocations } from "../sim/rationing";
import type { PlayedRound } from "../sim/rounds";
import { fromFixed } from "../../common/fixed";
import { median } from "../../common/metrics";
import { BINDING_MARKET, benchSettings } from "./market";
import { STAY, griefingFactor, inflationGain, jsonFactor, roundPayoff, roundsToReconverge } from "./metrics";
import { POST_CAP, playUntilReconverged, warmUp } from "./shocks";

export const ATTACKER = 0;

export interface AttackEntry {
  harmRounds: number;
  attackRounds: number;
  griefingFactor: number | string;
  inflationGain: number;
}
export type AttackResults = Record<string, Record<string, AttackEntry>>;

/** Per round: the others' welfare and the attacker's payoff (its identities together). */
interface Payoffs {
  others: number[];
  attacker: number[];
}

export function payoffsOf(run: PlayedRound[], who: Attacked, rationing: Rationing): Payoffs {
  const mine = new Set(who.identities);
  const out: Payoffs = { others: [], attacker: [] };
  for (const r of run) {
    const q = allocations(rationing, r).map(fromFixed);
    const d = r.demands.map((x) => (x === null ? 0 : fromFixed(x)));
    const [price, g] = [fromFixed(r.tau + r.mu), fromFixed(r.fixedFee)];
    let others = 0;
    d.forEach((x, i) => {
      if (!mine.has(i)) others += roundPayoff(who.typeOf(i), [x], [q[i]], price, g);
    });
    const ids = who.identities;
    out.others.push(others);
    out.attacker.push(
      roundPayoff(
        who.typeOf(who.attacker),
        ids.map((i) => d[i]),
        ids.map((i) => q[i]),
        price,
        g,
      ),
    );
  }
  return out;
}

/** The others' welfare in one round at the exact clearing price. */
export function othersAtEquilibrium(
  agents: AgentType[],
  m: { capacity: number; tau: number; fixedFee: number },
): number {
  const star = solveClearing(agents, m.capacity, m.tau, m.fixedFee);
  const price = m.tau + star.mu;
  return agents.reduce(
    (s, a, i) => s + (i === ATTACKER ? 0 : roundPayoff(a, [star.x[i]], [star.x[i]], price, m.fixedFee)),
    0,
  );
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

/** One attack on one seed under one rule and rationing (`griefing` may be +Infinity, see `griefingFactor`). */
export interface AttackOutcome {
  harmRounds: number;
  griefing: number;
  gain: number;
}

/**
 * One attack on one seed under one rule, against the truthful play of the same seed (`truthful[j]` its payoffs
 * under `rationings[j]`): played once, since the rationing rule never feeds back into demands or the price,
 * and measured under each rationing rule (one outcome each, in order).
 */
export function measureAttack(
  script: AttackScript,
  agents: AgentType[],
  seed: number,
  settings: MarketSettings,
  start: number,
  truthful: Payoffs[],
  rationings: readonly Rationing[],
): AttackOutcome[] {
  const who = new Attacked(new Population(agents, seed), ATTACKER, script, start, settings.capacity);
  const last = start + script.rounds - 1;
  const run = playUntilReconverged(who, settings, last, POST_CAP);
  const back = roundsToReconverge(
    run.map((r) => r.converged),
    last,
  );
  const end = back === undefined ? run.length : last + back - 1;
  const window = (p: number[]) => sum(p.slice(start - 1, end));
  const attackRounds = (p: number[]) => sum(p.slice(start - 1, last));
  const othersAtStar = othersAtEquilibrium(agents, settings);
  return rationings.map((rationing, j) => {
    const played = payoffsOf(run, who, rationing);
    const harm = window(truthful[j].others) - window(played.others);
    const loss = window(truthful[j].attacker) - window(played.attacker);
    return {
      harmRounds: harm / othersAtStar,
      griefing: griefingFactor(harm, loss),
      gain: inflationGain(attackRounds(played.attacker), attackRounds(truthful[j].attacker), settings.fixedFee),
    };
  });
}

/**
 * Every attack of `attacks` on population `seed` under `rule`: `[attack][rationing]` outcomes. The warm-up and
 * the truthful play (of the binding market, and of its tau = 0 twin for the attacks at a zero price) are played
 * once for all of them.
 */
export function measureAttackSeed(
  rule: MarketSettings["rule"],
  seed: number,
  attacks: readonly AttackScript[],
  rationings: readonly Rationing[],
): AttackOutcome[][] {
  const agents = drawAgents(20, seed);
  const markets = [false, true].map((zero) => {
    const settings = benchSettings(agents, { ...BINDING_MARKET, tau: zero ? 0 : BINDING_MARKET.tau }, rule, 1);
    const start = zero ? 1 : warmUp(agents, seed, settings) + 1;
    const who = new Attacked(new Population(agents, seed), ATTACKER, null, start, settings.capacity);
    const run = runEngine(who, settings, { rounds: start + 60 + POST_CAP + STAY });
    return { settings, start, truthful: rationings.map((rationing) => payoffsOf(run, who, rationing)) };
  });
  return attacks.map((script) => {
    const { settings, start, truthful } = markets[script.atZeroPrice ? 1 : 0];
    return measureAttack(script, agents, seed, settings, start, truthful, rationings);
  });
}

/** One attack's entry from its outcomes over the seeds: each figure's median (see the doc comment above). */
export const summarizeAttack = (script: AttackScript, outcomes: AttackOutcome[]): AttackEntry => ({
  harmRounds: median(outcomes.map((x) => x.harmRounds)),
  attackRounds: script.rounds,
  griefingFactor: jsonFactor(median(outcomes.map((x) => x.griefing))),
  inflationGain: median(outcomes.map((x) => x.gain)),
});
