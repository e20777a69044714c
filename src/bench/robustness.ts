/**
 * The robustness part of the benchmark (issue 13, point 5): every scenario of ../clearing/robustness/shocks.ts
 * (where its choices are stated) under every rule and rationing rule over the seeds, keyed
 * `"<rule>/<rationing>"`; the measurements and their aggregation are that file's.
 */
import { type Rationing, RATIONINGS } from "../clearing/sim/rationing";
import {
  ROBUSTNESS_SCENARIOS,
  RULE_VARIANTS,
  type RobustnessResults,
  measureScenarioSeed,
  scenarioEntries,
} from "../clearing/robustness/shocks";

export interface RobustnessOptions {
  seeds: number[];
  rationings?: readonly Rationing[];
  /** Scenarios to run (default: all, `noise-drift` last). */
  scenarios?: string[];
  onProgress?: (label: string) => (done: number, total: number) => void;
  log?: (line: string) => void;
}

export function measureRobustness(opts: RobustnessOptions): RobustnessResults {
  const out: RobustnessResults = {};
  const rationings = opts.rationings ?? RATIONINGS;
  for (const name of opts.scenarios ?? ROBUSTNESS_SCENARIOS) {
    const report = opts.onProgress?.(`robustness ${name}`);
    const total = RULE_VARIANTS.length * opts.seeds.length;
    let done = 0;
    const measured = RULE_VARIANTS.map((v) =>
      opts.seeds.map((seed) => {
        const s = measureScenarioSeed(name, v, seed, rationings);
        report?.(++done, total);
        return s;
      }),
    );
    const { entries, bestStep } = scenarioEntries(
      (v, rationing) =>
        measured[RULE_VARIANTS.indexOf(v)].map((perRationing) => perRationing[rationings.indexOf(rationing)]),
      rationings,
    );
    for (const rationing of rationings)
      opts.log?.(`robustness ${name}: constant-best/${rationing} is eta = ${bestStep[rationing]}/L`);
    out[name] = entries;
  }
  return out;
}
