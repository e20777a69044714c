/**
 * The robustness chapter's charts (./robustness.ts), from its summary tables only, with captions that state what
 * the data shows rather than what it was expected to show; its "paper | ours" rows are ./robustnessComparisons.ts.
 */
import { barChart } from "../../report/charts";
import { groupedBarChart } from "../../report/groupedBars";
import type { Chart } from "../../report/types";
import { STAY } from "../robustness/metrics";
import { POST_CAP } from "../robustness/shocks";
import type { AttackRow, DriftRow, RecoveryRow } from "./robustness";

export interface RobustnessSummary {
  recovery: RecoveryRow[];
  drift: DriftRow[];
  attacks: AttackRow[];
  seeds: number;
  /** The most dead rounds of any one run (scenario, rule, rationing rule, seed). */
  maxDeadRounds: number;
}

/** One color per rule in every chart of the chapter (Vega's first four, in the order a legend sorts the rules). */
const RULE_COLORS = { adaptive: "#4c78a8", constant: "#f58518", "constant-best": "#e45756", diminishing: "#72b7b2" };
const ROUND_TICKS = [0, 1, 3, 10, 30, 100, 300, 1000];
const HARM_TICKS = [0, 1, 3, 10, 30, 100];
const GAIN_TICKS = [-30, -10, -3, -1, 0];
export const cell = (a: AttackRow) => `${a.attack} ${a.rule}/${a.rationing}`;
export const largestGain = (rows: AttackRow[]) => Math.max(...rows.map((r) => r.inflationGain));
export const show = (v: number | string | null): string =>
  v === null ? "never" : typeof v === "string" ? v : Number.isInteger(v) ? String(v) : v.toPrecision(3);

/** Whether every entry is the same under both rationing rules, once the rationing is dropped from it. */
export function sameUnderEveryRationing<T extends { rationing: string }>(rows: T[], fields: (keyof T)[]): boolean {
  const key = (r: T) => JSON.stringify(fields.map((f) => r[f]));
  const byRationing = new Map<string, string[]>();
  for (const r of rows) byRationing.set(r.rationing, [...(byRationing.get(r.rationing) ?? []), key(r)]);
  const lists = [...byRationing.values()].map((l) => l.join("\n"));
  return lists.every((l) => l === lists[0]);
}

/** The recovery rows as bars: "never" drawn at the cap and labelled, so that no rule silently drops out. */
const recoveryBars = (rows: RecoveryRow[]) =>
  rows.map((r) => ({
    scenario: r.scenario,
    rule: r.rule,
    rationing: r.rationing,
    median: r.roundsToReconverge ?? POST_CAP,
    p90: r.roundsToReconvergeP90 ?? POST_CAP,
    note: r.roundsToReconverge === null ? "never" : r.roundsToReconvergeP90 === null ? "p90 never" : "",
  }));

/** What the recovery chart shows: the adaptive rule's slowest case and the rules that do not come back. */
function recoveryFinding(rows: RecoveryRow[]): string {
  const slowest = (rule: string) =>
    rows
      .filter((r) => r.rule === rule)
      .reduce<RecoveryRow | undefined>(
        (w, r) => (!w || (r.roundsToReconvergeP90 ?? Infinity) > (w.roundsToReconvergeP90 ?? Infinity) ? r : w),
        undefined,
      );
  const a = slowest("adaptive");
  const failing = ["adaptive", "diminishing", "constant", "constant-best"]
    .map(
      (rule) =>
        [
          rule,
          new Set(rows.filter((r) => r.rule === rule && r.roundsToReconverge === null).map((r) => r.scenario)),
        ] as const,
    )
    .filter(([, sc]) => sc.size > 0)
    .map(([rule, sc]) => `${rule} in ${[...sc].join(", ")}`);
  return (
    (a
      ? `The adaptive rule's slowest case is ${a.scenario} (median ${show(a.roundsToReconverge)}, ` +
        `p90 ${show(a.roundsToReconvergeP90)}). `
      : "") +
    (failing.length ? `Median "never": ${failing.join("; ")}.` : "Every rule's median run re-converges within the cap.")
  );
}

/** What the harm chart shows: how the uniform rule changes the harm of each attack against pro-rata. */
function harmFinding(rows: AttackRow[]): string {
  const ratios = rows
    .filter((r) => r.rationing === "uniform")
    .map(
      (u) => [u, rows.find((p) => p.rationing === "pro-rata" && p.attack === u.attack && p.rule === u.rule)] as const,
    )
    .filter(([, p]) => p !== undefined && p.harmRounds > 0)
    .map(([u, p]) => u.harmRounds / p!.harmRounds);
  if (ratios.length === 0) return "";
  const sorted = [...ratios].sort((x, y) => x - y);
  const lower = ratios.filter((r) => r < 1).length;
  return (
    `The uniform rule's harm is below pro-rata's for ${lower} of the ${ratios.length} attack and price rule pairs ` +
    `that harm under pro-rata (uniform / pro-rata: median ${show(sorted[Math.floor((sorted.length - 1) / 2)])}, ` +
    `largest ${show(sorted[sorted.length - 1])}).`
  );
}

/** What the drift chart shows: the lowest and the highest regret, by rule and rationing rule. */
function driftFinding(rows: DriftRow[]): string {
  if (rows.length === 0) return "";
  const sorted = [...rows].sort((a, b) => a.regretPerRound - b.regretPerRound);
  const [low, high] = [sorted[0], sorted[sorted.length - 1]];
  return (
    `Lowest ${low.rule}/${low.rationing} (${show(low.regretPerRound)} of the clearing welfare per round), ` +
    `highest ${high.rule}/${high.rationing} (${show(high.regretPerRound)}).`
  );
}

/** What the gain chart shows: whether any attack pays its sender. */
function gainFinding(rows: AttackRow[]): string {
  const paying = rows.filter((r) => r.inflationGain > 0);
  return paying.length
    ? `Attacks with a median gain above 0: ${paying.map((r) => `${cell(r)} (${show(r.inflationGain)})`).join(", ")}.`
    : `No attack's median gain is above 0 under any rule (the largest is ${show(largestGain(rows))}).`;
}

export function robustnessCharts(s: RobustnessSummary): Chart[] {
  const recoverySame = sameUnderEveryRationing(s.recovery, [
    "scenario",
    "rule",
    "roundsToReconverge",
    "roundsToReconvergeP90",
  ]);
  const shown = recoverySame ? s.recovery.filter((r) => r.rationing === s.recovery[0]?.rationing) : s.recovery;
  const charts: Chart[] = [
    {
      name: "robustness-recovery",
      caption:
        `Rounds from the shock to ${STAY} converged rounds in a row: bar = median, black tick = p90, over ` +
        `${s.seeds} seed(s), symlog scale. A bar at ${POST_CAP} labelled "never" is a rule whose median run had not ` +
        `re-converged ${POST_CAP} rounds after the shock ("p90 never": a tenth or more of the runs had not). ` +
        (recoverySame
          ? "The rounds are the same under both rationing rules (the price moves on total demand only), so one " +
            "panel shows both. "
          : "One panel per rationing rule. ") +
        recoveryFinding(s.recovery),
      spec: groupedBarChart({
        title: `Rounds to re-converge after each shock${recoverySame ? " (both rationing rules)" : ""}`,
        rows: recoveryBars(shown),
        group: "scenario",
        series: "rule",
        y: "median",
        tick: "p90",
        label: "note",
        column: recoverySame ? undefined : "rationing",
        yTitle: "rounds to re-converge (median; tick: p90)",
        symlogY: true,
        yValues: ROUND_TICKS,
        seriesColors: RULE_COLORS,
        width: 520,
      }),
    },
  ];
  if (s.maxDeadRounds > 0)
    charts.push({
      name: "robustness-dead-rounds",
      caption:
        "Dead rounds (demand at the clearing price, nothing allocated) from the shock to re-convergence: bar = " +
        "median, tick = p90; a dead round is a round the market was open but served nobody.",
      spec: groupedBarChart({
        title: "Dead rounds after each shock",
        rows: s.recovery.map((r) => ({ ...r, dead: r.deadRounds ?? POST_CAP, deadP90: r.deadRoundsP90 ?? POST_CAP })),
        group: "scenario",
        series: "rule",
        y: "dead",
        tick: "deadP90",
        column: "rationing",
        yTitle: "dead rounds (median; tick: p90)",
        symlogY: true,
        yValues: ROUND_TICKS,
        seriesColors: RULE_COLORS,
      }),
    });
  charts.push(
    {
      name: "robustness-noise-drift",
      caption:
        "Regret per round under 5 % demand noise and a drifting ln alpha, sum (W* - W) / sum W*, median over the " +
        `seeds. ${driftFinding(s.drift)}`,
      spec: barChart({
        title: "noise-drift: regret per round",
        rows: s.drift,
        group: "rationing",
        series: "rule",
        y: "regretPerRound",
        yTitle: "regret per round",
      }),
    },
    {
      name: "robustness-attack-harm",
      caption:
        "The others' welfare lost to one attacker until the market re-converges, in rounds of their equilibrium " +
        "welfare (median over the seeds; symlog scale), per attack, rule and rationing rule; `alternate` attacks " +
        "for 60 rounds, the others for 1 to 3. " +
        harmFinding(s.attacks),
      spec: groupedBarChart({
        title: "Harm of each attack (rounds of the others' welfare)",
        rows: s.attacks,
        group: "attack",
        series: "rule",
        y: "harmRounds",
        column: "rationing",
        yTitle: "harm (rounds of the others' welfare)",
        symlogY: true,
        yValues: HARM_TICKS,
        seriesColors: RULE_COLORS,
      }),
    },
    {
      name: "robustness-attack-gain",
      caption:
        "The attacker's own relative gain over the attack rounds against truthful play (median; dashed line: 0; " +
        "symlog scale). Below 0 the attack costs its sender. " +
        gainFinding(s.attacks),
      spec: groupedBarChart({
        title: "Attacker's gain from each attack",
        rows: s.attacks,
        group: "attack",
        series: "rule",
        y: "inflationGain",
        column: "rationing",
        yTitle: "inflation gain (relative)",
        ruleY: 0,
        symlogY: true,
        yValues: GAIN_TICKS,
        seriesColors: RULE_COLORS,
      }),
    },
  );
  return charts;
}
