/**
 * Finding where our numbers disagree with the paper's, by rule rather than by eye, so that no
 * note picks only the metrics that agree: a series that moves the other way or stops being
 * monotone, a level several times the paper's, a ranking in another order. Each finding is
 * written with its cause, or "unexplained".
 */
import { fmt } from "./shared";

/** A relative change under this is "about flat". */
const FLAT = 0.02;
/** Levels further apart than this factor "differ in size". */
const SIZE_FACTOR = 1.5;

export type Direction = "rises" | "falls" | "stays about flat";

export function direction(series: number[]): Direction {
  const [first, last] = [series[0], series[series.length - 1]];
  const change = (last - first) / Math.max(Math.abs(first), Math.abs(last), 1e-12);
  return Math.abs(change) < FLAT ? "stays about flat" : change > 0 ? "rises" : "falls";
}

/** Whether `series` moves one way only (steps under the flat threshold ignored). */
export function monotone(series: number[]): boolean {
  const scale = Math.max(...series.map(Math.abs), 1e-12);
  const steps = series
    .slice(1)
    .map((v, i) => (v - series[i]) / scale)
    .filter((d) => Math.abs(d) >= FLAT / 4);
  return steps.every((d) => d > 0) || steps.every((d) => d < 0);
}

/** "falls from 2.45 to 1.52", with the turning point when it is not monotone. */
export function describeSeries(series: number[], at: (i: number) => string, digits = 2): string {
  const text = `${direction(series)} from ${fmt(series[0], digits)} to ${fmt(series[series.length - 1], digits)}`;
  if (monotone(series)) return text;
  const k = series.indexOf(Math.max(...series));
  const j = series.indexOf(Math.min(...series));
  const turn = k > 0 && k < series.length - 1 ? `peaks at ${fmt(series[k], digits)} (${at(k)})` : "";
  const dip = j > 0 && j < series.length - 1 ? `dips to ${fmt(series[j], digits)} (${at(j)})` : "";
  return `${text}, not monotone: ${[turn, dip].filter((x) => x).join(", ")}`;
}

/**
 * The disagreements of one metric's series (over tau, over n ...): direction, monotonicity, the size
 * of the change from first to last (when the directions agree), level.
 * `causes` gives the cause of each kind found; a kind without one is "unexplained".
 */
export function seriesDisagreements(
  metric: string,
  paper: number[],
  ours: number[],
  at: (i: number) => string,
  causes: { direction?: string; level?: string; change?: string },
): string[] {
  const out: string[] = [];
  const [dp, dq] = [direction(paper), direction(ours)];
  const shape = dp !== dq || (monotone(paper) && !monotone(ours));
  if (shape)
    out.push(
      `${metric}: the paper's ${describeSeries(paper, at)}; ours ${describeSeries(ours, at)}. ` +
        `Cause: ${causes.direction ?? "unexplained"}.`,
    );
  const change = (xs: number[]) => (xs[xs.length - 1] - xs[0]) / Math.abs(xs[0]);
  const [cp, cq] = [change(paper), change(ours)];
  const ratio = Math.abs(cq) / Math.max(Math.abs(cp), 1e-12);
  if (!shape && dp !== "stays about flat" && (ratio > SIZE_FACTOR || ratio < 1 / SIZE_FACTOR))
    out.push(
      `${metric}: the paper's changes by ${fmt(100 * cp, 0)} % from ${at(0)} to ${at(paper.length - 1)}, ours by ` +
        `${fmt(100 * cq, 0)} %. Cause: ${causes.change ?? "unexplained"}.`,
    );
  return [...out, ...levelDisagreement(metric, paper, ours, causes.level)];
}

/** A disagreement when our mean level is more than `SIZE_FACTOR` away from the paper's either way. */
export function levelDisagreement(metric: string, paper: number[], ours: number[], cause?: string): string[] {
  const level = levelRatio(paper, ours);
  if (level <= SIZE_FACTOR && level >= 1 / SIZE_FACTOR) return [];
  return [`${metric}: our level is ${fmt(level, 2)} times the paper's. Cause: ${cause ?? "unexplained"}.`];
}

/** Mean of `ours` over mean of `paper` (by absolute values). */
export const levelRatio = (paper: number[], ours: number[]): number =>
  Math.abs(ours.reduce((a, b) => a + b, 0) / ours.length) / Math.abs(paper.reduce((a, b) => a + b, 0) / paper.length);

/** Names ordered from best to worst by `value` (`better` higher or lower); ties keep the given order. */
export function ranking(names: string[], value: (name: string) => number, better: "higher" | "lower"): string[] {
  const sign = better === "higher" ? -1 : 1;
  return [...names].sort((a, b) => sign * (value(a) - value(b)));
}

/** "best to worst: a, b = c, d", near-equal neighbours (within 0.5 %) joined by "=". */
export function describeRanking(order: string[], value: (name: string) => number): string {
  const text = order
    .map((name, i) => {
      if (i === 0) return name;
      const [a, b] = [value(order[i - 1]), value(name)];
      const same = Math.abs(a - b) <= 0.005 * Math.max(Math.abs(a), Math.abs(b), 1e-12);
      return `${same ? " = " : ", "}${name}`;
    })
    .join("");
  return `best to worst: ${text}`;
}

/**
 * A disagreement when `names` ranked by `first` and by `second` (best first, `better` higher or
 * lower) differ, naming both rankings and the cause. `sides` names them (default: the paper's and
 * ours).
 */
export function rankingDisagreement(
  metric: string,
  names: string[],
  first: (name: string) => number,
  second: (name: string) => number,
  better: "higher" | "lower",
  cause: string | undefined,
  sides: [string, string] = ["the paper's", "ours"],
): string[] {
  const [a, b] = [
    describeRanking(ranking(names, first, better), first),
    describeRanking(ranking(names, second, better), second),
  ];
  if (a === b) return [];
  return [`${metric} ranking: ${sides[0]} ${a}; ${sides[1]} ${b}. Cause: ${cause ?? "unexplained"}.`];
}
