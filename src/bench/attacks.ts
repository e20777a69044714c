/**
 * The attacks part of the benchmark (issue 13, point 5): every attack of ../clearing/robustness/attacks.ts (where
 * its choices are stated) under every rule and rationing rule over the seeds, keyed `"<rule>/<rationing>"`; the
 * measurements and their aggregation are that file's.
 */
import { ATTACKS, type AttackScript } from "../clearing/agents/attackers";
import { type AttackResults, measureAttackSeed, summarizeAttack } from "../clearing/robustness/attacks";
import { RULES } from "../clearing/robustness/shocks";
import { type Rationing, RATIONINGS } from "../clearing/sim/rationing";

export interface AttackOptions {
  seeds: number[];
  rationings?: readonly Rationing[];
  attacks?: AttackScript[];
  onProgress?: (label: string) => (done: number, total: number) => void;
}

export function measureAttacks(opts: AttackOptions): AttackResults {
  const attacks = opts.attacks ?? ATTACKS;
  const rationings = opts.rationings ?? RATIONINGS;
  const report = opts.onProgress?.("attacks");
  const total = RULES.length * opts.seeds.length;
  let done = 0;
  const measured = RULES.map((rule) =>
    opts.seeds.map((seed) => {
      const o = measureAttackSeed(rule, seed, attacks, rationings);
      report?.(++done, total);
      return o;
    }),
  );
  const out: AttackResults = {};
  attacks.forEach((script, a) => {
    out[script.name] = {};
    RULES.forEach((rule, r) =>
      rationings.forEach((rationing, j) => {
        const outcomes = measured[r].map((perSeed) => perSeed[a][j]);
        out[script.name][`${rule}/${rationing}`] = summarizeAttack(script, outcomes);
      }),
    );
  });
  return out;
}
