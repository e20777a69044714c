/**
 * The verdict: does the proposed mechanism beat each baseline on the same populations, by how
 * much, how often, and how sure are we; next to what the paper claims.
 *
 * Every comparison is paired (the same population under both mechanisms, `common/paired.ts`):
 * relative difference = difference of means / |baseline mean|, wins / ties / losses over the
 * replications, and a 95 % interval by a paired bootstrap whose seed is fixed by the study's seed
 * and the comparison, so the report is reproducible.
 */
import { type Better, type PairedComparison, comparePaired, pairedVerdict, signedPercent } from "../../common/paired";
import type { Verdict } from "../../report/types";
import type { Mechanism, PaperMechanism } from "./baselines";
import { ABSTRACT_CLAIM, type VerdictMetric, paperRelative } from "./paper";
import { scenarioOf } from "./scenarios";
import { groupBy, seedOf } from "./shared";

/** The fields of a replication row that the verdict compares (mechanisms' and MovieLens' rows have them). */
export interface PairedSource {
  scenario: string;
  n: number;
  rep: number;
  mechanism: Mechanism;
  efficiencyPerAgent: number;
  avgCost: number;
  gini: number;
}

const METRICS: { metric: VerdictMetric; field: "efficiencyPerAgent" | "avgCost" | "gini"; better: Better }[] = [
  { metric: "Eff", field: "efficiencyPerAgent", better: "higher" },
  { metric: "avg cost", field: "avgCost", better: "lower" },
  { metric: "Gini", field: "gini", better: "lower" },
];

/**
 * Treatment against baseline: the proposed mechanism against each of the paper's baselines, and
 * our uniform rule against the proposed.
 */
const PAIRS: { treatment: Mechanism; baseline: Mechanism }[] = [
  { treatment: "proposed", baseline: "proportional" },
  { treatment: "proposed", baseline: "flat" },
  { treatment: "proposed", baseline: "no enforcement" },
  { treatment: "proposed, uniform", baseline: "proposed" },
];

export type VerdictRow = {
  source: string;
  scenario: string;
  n: number;
  metric: VerdictMetric;
  treatment: Mechanism;
  baseline: Mechanism;
  verdict: string;
  /** The paper's own relative difference in Table 6 (n = 20) or 8, when it reports both mechanisms. */
  paperRelative: number | null;
} & PairedComparison;

const isPaper = (m: Mechanism): m is PaperMechanism => m !== "proposed, uniform";

/**
 * Every paired comparison of `rows` (replication rows of several mechanisms), per (scenario, n).
 * `paperTable`: the paper's table of the same comparison (6 for the synthetic populations at
 * n = 20, 8 for MovieLens), if any.
 */
export function pairedComparisons(
  req: { seed: number },
  source: string,
  rows: PairedSource[],
  paperTable: (scenario: string, n: number) => 6 | 8 | null,
): VerdictRow[] {
  const out: VerdictRow[] = [];
  for (const cell of groupBy(rows, (r) => `${r.scenario}|${r.n}`).values()) {
    const { scenario, n } = cell[0];
    const byMechanism = groupBy(cell, (r) => r.mechanism);
    PAIRS.forEach(({ treatment, baseline }, p) => {
      const [t, b] = [byMechanism.get(treatment), byMechanism.get(baseline)];
      if (!t || !b) return;
      METRICS.forEach(({ metric, field, better }, k) => {
        const c = comparePaired(
          t.map((r) => r[field]),
          b.map((r) => r[field]),
          { better, seed: seedOf(req, 11, scenarioOf(scenario).capacity, n, p, k) },
        );
        const table = paperTable(scenario, n);
        out.push({
          source,
          scenario,
          n,
          metric,
          treatment,
          baseline,
          verdict: pairedVerdict(c, better),
          paperRelative:
            table && isPaper(treatment) && isPaper(baseline) ? paperRelative(table, metric, treatment, baseline) : null,
          ...c,
        });
      });
    });
  }
  return out;
}

const pct = signedPercent;

/**
 * One comparison in words: "better: +0.7 % (95 % CI +0.6 % to +0.8 %; better in 191, equal in 8,
 * worse in 1 of 200)".
 */
export function describePaired(r: VerdictRow): string {
  if (r.verdict === "identical") return `identical in all ${r.replications} replications`;
  const how = r.verdict === "no clear difference" ? "no clear difference," : `${r.verdict}:`;
  return (
    `${how} ${pct(r.relativeDifference)} (95 % CI ${pct(r.ciLow)} to ${pct(r.ciHigh)}; ` +
    `better in ${r.wins}, equal in ${r.ties}, worse in ${r.losses} of ${r.replications})`
  );
}

/**
 * The headline of one scenario: the proposed mechanism's Eff and Gini against each baseline, and
 * the paper's claims beside ours.
 */
export function verdictSentence(label: string, rows: VerdictRow[]): string {
  const of = (metric: VerdictMetric, baseline: Mechanism) =>
    rows.find((r) => r.metric === metric && r.treatment === "proposed" && r.baseline === baseline);
  const baselines = ["proportional", "flat", "no enforcement"] as const;
  const parts = (["Eff", "avg cost", "Gini"] as const).flatMap((metric) =>
    baselines.flatMap((b) => {
      const r = of(metric, b);
      // Gini and avg cost against proportional and flat: the comparisons the paper's claims are about.
      if (!r || (metric !== "Eff" && b === "no enforcement")) return [];
      return [`${metric} against ${b}: ${describePaired(r)}`];
    }),
  );
  const paperParts = (["Eff", "avg cost", "Gini"] as const).flatMap((metric) => {
    const r = of(metric, "proportional");
    return r?.paperRelative != null ? [`${metric} ${pct(r.paperRelative)}`] : [];
  });
  const paper = paperParts.length ? ` The paper's own table, against proportional: ${paperParts.join(", ")}.` : "";
  return `${label}: ${parts.join("; ")}.${paper}`;
}

/**
 * Over every comparison of the proposed mechanism with proportional in `rows`: the largest Eff gain
 * and the largest Gini reduction (or that there is none), with where they occur, against the
 * paper's headline.
 */
export function headline(rows: VerdictRow[], label: (r: VerdictRow) => string): string {
  const against = (metric: VerdictMetric) =>
    rows.filter((r) => r.treatment === "proposed" && r.baseline === "proportional" && r.metric === metric);
  const best = (list: VerdictRow[], sign: number) =>
    list.reduce((a, b) => (sign * b.relativeDifference > sign * a.relativeDifference ? b : a));
  const eff = against("Eff");
  const gini = against("Gini");
  if (eff.length === 0 || gini.length === 0) return "";
  const e = best(eff, 1);
  const g = best(gini, -1);
  const effText =
    e.relativeDifference > 0
      ? `the largest efficiency gain here is ${pct(e.relativeDifference)} (${label(e)})`
      : "the proposed mechanism gains no efficiency anywhere here";
  const giniText =
    g.relativeDifference < 0
      ? `the largest Gini reduction ${pct(g.relativeDifference)} (${label(g)})`
      : "it reduces Gini nowhere";
  return `Against proportional, ${effText}, and ${giniText}; the paper claims ${ABSTRACT_CLAIM}.`;
}

/**
 * The verdict block of an experiment: its headline over `all` comparisons, one sentence per
 * labelled (scenario, n), and the rows behind the sentences.
 */
export function verdictOf(
  name: string,
  all: VerdictRow[],
  groups: { label: string; rows: VerdictRow[] }[],
  label: (r: VerdictRow) => string,
): Verdict {
  return {
    sentences: [headline(all, label), ...groups.map((g) => verdictSentence(g.label, g.rows))].filter((x) => x),
    table: { name, rows: groups.flatMap((g) => g.rows) },
  };
}
