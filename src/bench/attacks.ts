/**
 * The attacks part of the benchmark (issue 13, point 5): what one strategic agent does to the
 * others, on the exact engine, keyed `"<rule>/<rationing>"`.
 *
 * Choices the issue leaves open, fixed here:
 * - Market: 20 agents of the paper's Table 3 (`drawAgents(20, seed)`, seed = 1..N), m = 50,
 *   tau = 0.5, g = 1 (tau = 0 for `huge-at-zero-price`); each rule with eta = 1/L and the
 *   convergence bench's tolerances (as in ./robustness.ts). The attacker is member 0, a random draw.
 * - "Started converged": the noise-free warm-up of ./robustness.ts (first `Converged` round W, at most
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
import { ATTACKS, Attacked, type AttackScript } from "../clearing/agents/attackers";
import { drawAgents } from "../clearing/agents/draw";
import { Population } from "../clearing/agents/population";
import type { AgentType } from "../clearing/agents/reference";
import type { MarketSettings } from "../clearing/model/settings";
import { runEngine } from "../clearing/sim/engine";
import { solveClearing } from "../clearing/sim/equilibrium";
import { type Rationing, RATIONINGS, allocations } from "../clearing/sim/rationing";
import type { PlayedRound } from "../clearing/sim/rounds";
import { fromFixed } from "../common/fixed";
import { median } from "../common/metrics";
import { benchSettings } from "./clearingConvergence";
import { BINDING_MARKET, POST_CAP, RULES, playUntilReconverged, warmUp } from "./robustness";
import { STAY, griefingFactor, inflationGain, jsonFactor, roundPayoff, roundsToReconverge } from "./robustnessMetrics";

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
        who.typeOf(ATTACKER),
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
function othersAtEquilibrium(agents: AgentType[], m: { capacity: number; tau: number; fixedFee: number }): number {
  const star = solveClearing(agents, m.capacity, m.tau, m.fixedFee);
  const price = m.tau + star.mu;
  return agents.reduce(
    (s, a, i) => s + (i === ATTACKER ? 0 : roundPayoff(a, [star.x[i]], [star.x[i]], price, m.fixedFee)),
    0,
  );
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

interface Outcome {
  harmRounds: number;
  griefing: number;
  gain: number;
}

/** One attack on one seed under one rule, against the truthful play `truthful` of the same seed. */
export function measureAttack(
  script: AttackScript,
  agents: AgentType[],
  seed: number,
  settings: MarketSettings,
  start: number,
  truthful: Payoffs,
  rationing: Rationing,
): Outcome {
  const who = new Attacked(new Population(agents, seed), ATTACKER, script, start, settings.capacity);
  const last = start + script.rounds - 1;
  const run = playUntilReconverged(who, settings, last, POST_CAP);
  const back = roundsToReconverge(
    run.map((r) => r.converged),
    last,
  );
  const end = back === undefined ? run.length : last + back - 1;
  const played = payoffsOf(run, who, rationing);
  const window = (p: number[]) => sum(p.slice(start - 1, end));
  const attackRounds = (p: number[]) => sum(p.slice(start - 1, last));
  const harm = window(truthful.others) - window(played.others);
  const loss = window(truthful.attacker) - window(played.attacker);
  return {
    harmRounds: harm / othersAtEquilibrium(agents, settings),
    griefing: griefingFactor(harm, loss),
    gain: inflationGain(attackRounds(played.attacker), attackRounds(truthful.attacker), settings.fixedFee),
  };
}

export interface AttackOptions {
  seeds: number[];
  rationings?: readonly Rationing[];
  attacks?: AttackScript[];
  onProgress?: (label: string) => (done: number, total: number) => void;
}

export function measureAttacks(opts: AttackOptions): AttackResults {
  const attacks = opts.attacks ?? ATTACKS;
  const rationings = opts.rationings ?? RATIONINGS;
  const outcomes = new Map<string, Outcome[]>();
  const report = opts.onProgress?.("attacks");
  const total = RULES.length * opts.seeds.length * rationings.length * attacks.length;
  let done = 0;
  for (const rule of RULES) {
    for (const seed of opts.seeds) {
      const agents = drawAgents(20, seed);
      const markets = [false, true].map((zero) => {
        const settings = benchSettings(agents, { ...BINDING_MARKET, tau: zero ? 0 : BINDING_MARKET.tau }, rule, 1);
        const start = zero ? 1 : warmUp(agents, seed, settings) + 1;
        const truthfulPlay = new Attacked(new Population(agents, seed), ATTACKER, null, start, settings.capacity);
        const run = runEngine(truthfulPlay, settings, { rounds: start + 60 + POST_CAP + STAY });
        return { settings, start, run, who: truthfulPlay };
      });
      for (const rationing of rationings) {
        const truthful = markets.map((m) => payoffsOf(m.run, m.who, rationing));
        for (const script of attacks) {
          const z = script.atZeroPrice ? 1 : 0;
          const { settings, start } = markets[z];
          const key = `${script.name}|${rule}/${rationing}`;
          const o = measureAttack(script, agents, seed, settings, start, truthful[z], rationing);
          outcomes.set(key, [...(outcomes.get(key) ?? []), o]);
          report?.(++done, total);
        }
      }
    }
  }
  const out: AttackResults = {};
  for (const script of attacks) {
    out[script.name] = {};
    for (const rule of RULES)
      for (const rationing of rationings) {
        const o = outcomes.get(`${script.name}|${rule}/${rationing}`)!;
        out[script.name][`${rule}/${rationing}`] = {
          harmRounds: median(o.map((x) => x.harmRounds)),
          attackRounds: script.rounds,
          griefingFactor: jsonFactor(median(o.map((x) => x.griefing))),
          inflationGain: median(o.map((x) => x.gain)),
        };
      }
  }
  return out;
}
