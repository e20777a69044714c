/**
 * The robustness and attack tables of the benchmark document and their README summary rows, from
 * bench/results.json only (`robustness` and `attacks` keys, see ../clearing/robustness/shocks.ts and attacks.ts).
 */
import { markdownTable } from "../common/output";
import type { AttackResults } from "../clearing/robustness/attacks";
import { STAY } from "../clearing/robustness/metrics";
import { CONSTANT_GRID, NOISE_ROUNDS, POST_CAP, WARM_CAP, type RobustnessResults } from "../clearing/robustness/shocks";
import type { BenchResults } from "./results";

const show = (v: number | string | null | undefined, digits = 3): string => {
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

/** README rows: the adaptive rule's slowest recovery and the harm of one inflated round. */
export function robustnessSummaryRows(results: BenchResults): string[][] {
  const rows: string[][] = [];
  const rob = results.robustness as RobustnessResults | undefined;
  const key = "adaptive/pro-rata";
  if (rob) {
    const worst = Object.entries(rob)
      .map(([sc, byKey]) => [sc, byKey[key]] as const)
      .filter(([, e]) => e && "roundsToReconverge" in e)
      .map(([sc, e]) => [sc, "roundsToReconverge" in e ? (e.roundsToReconverge ?? Infinity) : 0] as const)
      .sort((a, b) => b[1] - a[1])[0];
    if (worst) rows.push([`Slowest recovery from a shock, ${key} (median rounds)`, `${show(worst[1])} (${worst[0]})`]);
  }
  const att = results.attacks as AttackResults | undefined;
  const once = att?.["inflate-once"]?.[key];
  if (once)
    rows.push([`Harm of one 10,000-unit demand, ${key} (rounds of the others' welfare)`, show(once.harmRounds)]);
  return rows;
}
