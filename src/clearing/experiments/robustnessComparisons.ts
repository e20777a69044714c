/**
 * The robustness chapter beside the paper (./robustness.ts), from its summary tables only. The paper has no
 * robustness section (its agents take prices and tell the truth, its population is stationary), so the chapter's
 * one comparison has spec §5 as its source: every item says "not studied" on the paper's side and states what we
 * measured, failures ("never", attacks that pay) named, with no disagreement to explain.
 */
import type { Comparison, MetricCell } from "../../report/types";
import { POST_CAP } from "../robustness/shocks";
import type { AttackRow, RecoveryRow } from "./robustness";
import { type RobustnessSummary, cell, largestGain, sameUnderEveryRationing, show } from "./robustnessFigures";

const notStudied = (ours: string): { other: MetricCell } => ({ other: { paper: "not studied", ours } });

export function robustnessComparisons(s: RobustnessSummary): Comparison[] {
  // One rationing rule's rounds stand for both when they are the same (the price moves on total demand only).
  const same = sameUnderEveryRationing(s.recovery, ["scenario", "rule", "roundsToReconverge", "roundsToReconvergeP90"]);
  const shown = same ? s.recovery.filter((r) => r.rationing === s.recovery[0]?.rationing) : s.recovery;
  const where = (r: RecoveryRow) => (same ? r.scenario : `${r.scenario}/${r.rationing}`);
  const adaptiveRows = shown.filter((r) => r.rule === "adaptive");
  const adaptive = adaptiveRows.map(
    (r) => `${where(r)} ${show(r.roundsToReconverge)} / ${show(r.roundsToReconvergeP90)}`,
  );
  const failures = ["adaptive", "diminishing", "constant", "constant-best"].map((rule) => ({
    rule,
    failed: shown
      .filter((r) => r.rule === rule && (r.roundsToReconverge === null || r.roundsToReconvergeP90 === null))
      .map((r) => `${where(r)} (${r.roundsToReconverge === null ? "median" : "p90"})`),
  }));
  const gains = s.attacks.filter((a) => a.inflationGain > 0);
  const finite = s.attacks.filter((a) => typeof a.griefingFactor === "number");
  const worstGrief = finite.reduce<AttackRow | undefined>(
    (w, a) => (!w || (a.griefingFactor as number) > (w.griefingFactor as number) ? a : w),
    undefined,
  );
  const infinite = s.attacks.filter((a) => a.griefingFactor === "Infinity");
  const once = s.attacks.filter((a) => a.attack === "inflate-once");
  const items: { item: string; ours: string }[] = [
    {
      item:
        `Rounds to re-converge after each shock, adaptive rule ` +
        `(median / p90 over ${s.seeds} seeds${same ? ", the same under both rationing rules" : ""})`,
      ours: adaptive.join("; "),
    },
    {
      item: `Shocks a rule does not re-converge from within ${POST_CAP} rounds (median or p90 "never")`,
      ours: failures.map((f) => `${f.rule}: ${f.failed.length ? f.failed.join(", ") : "none"}`).join("; "),
    },
    {
      item: "Dead rounds after a shock (the most in any one run: scenario, rule, rationing rule and seed)",
      ours: s.maxDeadRounds === 0 ? "none in any run" : String(s.maxDeadRounds),
    },
    {
      item:
        "noise-drift regret per round (median; after convergence, relative to the optimum's welfare, " +
        "unlike Fig. 7's cumulative regret from a cold start)",
      ours: s.drift.map((d) => `${d.rule}/${d.rationing} ${show(d.regretPerRound)}`).join("; "),
    },
  ];
  if (once.length)
    items.push({
      item: "Harm of one 10,000-unit demand (inflate-once), rounds of the others' equilibrium welfare",
      ours: once.map((a) => `${a.rule}/${a.rationing} ${show(a.harmRounds)}`).join("; "),
    });
  if (s.attacks.length)
    items.push(
      {
        item: "Attacks that pay their sender (median inflation gain > 0)",
        ours: gains.length
          ? gains.map((a) => `${cell(a)} ${show(a.inflationGain)}`).join("; ")
          : `none: the largest median gain is ${show(largestGain(s.attacks))}`,
      },
      {
        item:
          "Largest griefing factor (others' loss / attacker's loss, median; under the uniform rule the attacker's " +
          "own loss, the denominator, is small, so the factor is large even where the harm is smaller)",
        ours:
          (worstGrief ? `${show(worstGrief.griefingFactor)} (${cell(worstGrief)})` : "none finite") +
          (infinite.length ? `; Infinity (the attacker lost nothing) for ${infinite.map(cell).join(", ")}` : ""),
      },
    );
  const slowest = adaptiveRows.reduce<RecoveryRow | undefined>(
    (w, r) => (!w || (r.roundsToReconvergeP90 ?? Infinity) > (w.roundsToReconvergeP90 ?? Infinity) ? r : w),
    undefined,
  );
  const headline = [
    slowest
      ? `adaptive: slowest recovery ${where(slowest)} ${show(slowest.roundsToReconverge)} / ` +
        `${show(slowest.roundsToReconvergeP90)} rounds (median / p90)`
      : "",
    `"never" within ${POST_CAP} rounds: ` +
      failures.map((f) => `${f.rule} ${f.failed.length} scenario${f.failed.length === 1 ? "" : "s"}`).join(", "),
    `dead rounds: ${s.maxDeadRounds === 0 ? "none" : `at most ${s.maxDeadRounds} in a run`}`,
    s.attacks.length ? `attacks that pay their sender: ${gains.length || "none"}` : "",
  ].filter((x) => x !== "");
  return [
    {
      source: "spec §5 (not in the paper)",
      shows: "recovery after shocks and the harm of one attacker",
      summary: notStudied(headline.join("; ")),
      items: items.map(({ item, ours }) => ({ item, cells: notStudied(ours) })),
      disagreements: [],
    },
  ];
}
