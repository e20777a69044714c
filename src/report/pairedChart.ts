/**
 * The chart for "which is better": each paired relative difference as a point with its 95 %
 * bootstrap interval, against a zero line, instead of two overlapping boxes of raw values.
 */
import type { VegaLiteSpec } from "./types";

export interface PairedPoint {
  /** The x category (n, a scenario ...). */
  at: string | number;
  /** The series (the baseline compared against). */
  against: string;
  /** Relative difference and its interval, in percent. */
  percent: number;
  low: number;
  high: number;
}

/**
 * One panel per baseline, each with its own y scale: a difference of 60 % against one baseline
 * would otherwise flatten differences of 1 % against the others onto the zero line.
 */
export function pairedDifferenceChart(opts: {
  title: string;
  points: PairedPoint[];
  xTitle: string;
  yTitle: string;
}): VegaLiteSpec {
  const x = { field: "at", type: "ordinal", title: opts.xTitle, axis: { labelAngle: 0 } };
  const y = (field: string) => ({ field, type: "quantitative", title: opts.yTitle, scale: { zero: true } });
  const color = { field: "against", type: "nominal", title: "against", legend: null };
  return {
    title: opts.title,
    data: { values: opts.points },
    facet: { column: { field: "against", type: "nominal", title: null, header: { labelFontSize: 11 } } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 150,
      height: 200,
      layer: [
        {
          mark: { type: "rule", strokeDash: [4, 3], color: "#444" },
          encoding: { y: { datum: 0, type: "quantitative", title: opts.yTitle } },
        },
        {
          mark: { type: "errorbar", ticks: true },
          encoding: { x, y: y("low"), y2: { field: "high" }, color },
        },
        {
          mark: { type: "point", filled: true, size: 50 },
          encoding: { x, y: y("percent"), color },
        },
      ],
    },
  };
}
