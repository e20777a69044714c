/**
 * The robustness and attack tables of the benchmark document and their README summary rows, from
 * bench/results.json only (`robustness` and `attacks` keys, see ../clearing/robustness/shocks.ts and attacks.ts).
 */
import { markdownTable } from "../common/output";
import type { AttackResults } from "../clearing/robustness/attacks";
import { STAY } from "../clearing/robustness/metrics";
import { CONSTANT_GRID, NOISE_ROUNDS, POST_CAP, WARM_CAP, type RobustnessResults } from "../clearing/robustness/shocks";
import type { BenchResults } from "./results";

/** A figure as the tables show it: "never" for null, integers with separators, others to `digits` places. */
export const show = (v: number | string | null | undefined, digits = 3): string => {
  if (v === null || v === undefined) return "never";
  if (typeof v === "string") return v;
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toPrecision(digits);
};

/** The robustness and attack tables (empty when neither part has run). */
export function renderRobustnessTables(results: BenchResults): string[] {
  const sections: string[] = [];
  const rob = results.robustness as RobustnessResults | undefined;
  if (rob) {
    sections.push(
      `\nRecovery from shocks (exact engine, median / p90 over seeded populations; started converged ` +
        `except jump and heavy-tail, counted from mu = 0; re-converged = the contract's convergence flag for ` +
        `${STAY} rounds in a row; "never": not within ${POST_CAP} rounds after the shock (warm-up at most ` +
        `${WARM_CAP}); dead round = demand at the clearing price but nothing allocated; noise-drift: ` +
        `sum (W* - W) / sum W* over ${NOISE_ROUNDS} rounds, median; constant-best: the best eta = k/L for ` +
        `k in {${CONSTANT_GRID.join(", ")}}; definitions in src/clearing/robustness/shocks.ts):\n`,
    );
    const rows = Object.entries(rob).flatMap(([sc, byKey]) =>
      Object.entries(byKey).map(([key, e]) =>
        "regretPerRound" in e
          ? [sc, key, "", "", `regret/round ${show(e.regretPerRound)}`]
          : [
              sc,
              key,
              `${show(e.roundsToReconverge)} / ${show(e.roundsToReconvergeP90)}`,
              `${show(e.deadRounds)} / ${show(e.deadRoundsP90)}`,
              "",
            ],
      ),
    );
    sections.push(markdownTable(["scenario", "rule/rationing", "rounds to re-converge", "dead rounds", "other"], rows));
    sections.push(...coldStartTable(rob));
  }
  const att = results.attacks as AttackResults | undefined;
  if (att) {
    sections.push(
      `\nOne attacker among 20 paper agents (m = 50, started converged; medians over seeded populations; harm in ` +
        `rounds of the others' equilibrium welfare, until ${STAY} converged rounds in a row or ${POST_CAP} rounds; ` +
        `definitions in src/clearing/robustness/attacks.ts):\n`,
    );
    const rows = Object.entries(att).flatMap(([attack, byKey]) =>
      Object.entries(byKey).map(([key, e]) => [
        attack,
        key,
        show(e.harmRounds),
        e.attackRounds,
        show(e.harmRounds / e.attackRounds),
        show(e.griefingFactor),
        show(e.inflationGain),
      ]),
    );
    sections.push(
      markdownTable(
        ["attack", "rule/rationing", "harm (rounds)", "attack rounds", "harm per attack round", "griefing", "gain"],
        rows,
      ),
    );
  }
  return sections;
}

/** The cold starts against their floors (src/clearing/robustness/coldStart.ts), for the entries that have them. */
function coldStartTable(rob: RobustnessResults): string[] {
  const rows = Object.entries(rob).flatMap(([sc, byKey]) =>
    Object.entries(byKey).flatMap(([key, e]) =>
      "climbFloor" in e && e.seeds !== undefined
        ? [
            [
              sc,
              key,
              `${show(e.roundsToReconverge)} / ${show(e.roundsToReconvergeP90)}`,
              show(e.climbFloor),
              `${show(e.roundsBeyondClimb)} / ${show(e.roundsBeyondClimbP90)}`,
              `${show(e.roundsAfterFirstBracket)} / ${show(e.roundsAfterFirstBracketP90)}`,
              `${e.seedsWithinBracketBound} of ${e.seedsBracketed} (of ${e.seeds})`,
            ],
          ]
        : [],
    ),
  );
  if (rows.length === 0) return [];
  return [
    `\nCold starts against their floors (median / p90 over the same seeds). Climb floor: the first round in which ` +
      `a rule that at most doubles the price a round (or raises it by eta m, at the configured eta) can post a ` +
      `price the primal tolerance accepts; no rule under issue 13's move bound and that eta converges sooner. ` +
      `After the first bracket: the rounds from the first round with no excess demand before re-converging (over ` +
      `the seeds that formed one; a market can also converge from below), against bisection's count from that ` +
      `bracket plus 5 (log2(initial bracket / tolDual) + 5; issue 13's target for jump counts from mu = 0). ` +
      `never: not re-converged, or no seed bracketed:\n`,
    markdownTable(
      [
        "scenario",
        "rule/rationing",
        "rounds from mu = 0",
        "climb floor",
        "rounds beyond the floor",
        "rounds after the first bracket",
        "within log2(w0/tol) + 5, of the seeds bracketed",
      ],
      rows,
    ),
  ];
}

/** The rationing rule of new deployments and the demo first, the paper's pro-rata beside it. */
const SUMMARY_RATIONINGS = ["uniform", "pro-rata"] as const;

/**
 * README rows: the adaptive rule's slowest recovery (the price moves on the total demand only, so it
 * is the same under both rationing rules), and per rationing rule, uniform (the default) then
 * pro-rata, the harm of one inflated round and the noise-drift regret against the best constant step.
 */
export function robustnessSummaryRows(results: BenchResults): string[][] {
  const rows: string[][] = [];
  const rob = results.robustness as RobustnessResults | undefined;
  const key = "adaptive/uniform";
  if (rob) {
    const worst = Object.entries(rob)
      .map(([sc, byKey]) => [sc, byKey[key]] as const)
      .filter(([, e]) => e && "roundsToReconverge" in e)
      .map(([sc, e]) => [sc, "roundsToReconverge" in e ? (e.roundsToReconverge ?? Infinity) : 0] as const)
      .sort((a, b) => b[1] - a[1])[0];
    if (worst) {
      const e = rob[worst[0]][key];
      // A cold start's rounds: say how many the climb's floor and the first bracket account for.
      const floors =
        "seeds" in e && e.seeds !== undefined
          ? `: climb floor ${show(e.climbFloor)}, then ${show(e.roundsAfterFirstBracket)} rounds after the first ` +
            `bracket, within log2(w0/tol) + 5 on ${e.seedsWithinBracketBound} of ${e.seedsBracketed} seeds; ` +
            `issue 13 counts from mu = 0: not met`
          : "";
      rows.push([
        "Slowest recovery from a shock, adaptive rule, either rationing (median rounds)",
        `${show(worst[1])} (${worst[0]}${floors})`,
      ]);
    }
  }
  const perRationing = (pick: (rationing: string) => string | undefined): string | undefined => {
    const figures = SUMMARY_RATIONINGS.map(pick);
    return figures.every((f) => f !== undefined) ? figures.join(" / ") : undefined;
  };
  const att = results.attacks as AttackResults | undefined;
  const harm = perRationing((r) => {
    const once = att?.["inflate-once"]?.[`adaptive/${r}`];
    return once && show(once.harmRounds);
  });
  if (harm)
    rows.push([
      "Harm of one 10,000-unit demand, adaptive rule, uniform / pro-rata (rounds of the others' welfare)",
      harm,
    ]);
  const regret = perRationing((r) => {
    const [adaptive, best] = [rob?.["noise-drift"]?.[`adaptive/${r}`], rob?.["noise-drift"]?.[`constant-best/${r}`]];
    if (!adaptive || !best || !("regretPerRound" in adaptive) || !("regretPerRound" in best)) return undefined;
    return `${show(adaptive.regretPerRound, 4)} vs ${show(best.regretPerRound, 4)}`;
  });
  if (regret)
    rows.push(["Noise-drift regret per round, adaptive vs the best constant step, uniform / pro-rata", regret]);
  return rows;
}
