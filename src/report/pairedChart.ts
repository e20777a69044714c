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

export function pairedDifferenceChart(opts: {
  title: string;
  points: PairedPoint[];
  xTitle: string;
  yTitle: string;
}): VegaLiteSpec {
  const x = { field: "at", type: "ordinal", title: opts.xTitle, axis: { labelAngle: 0 } };
  const color = { field: "against", type: "nominal", title: "against" };
  const offset = { field: "against" };
  return {
    title: opts.title,
    width: 420,
    height: 240,
    data: { values: opts.points },
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: "rule", strokeDash: [4, 3], color: "#444" },
        encoding: { y: { field: "zero", type: "quantitative", title: opts.yTitle } },
      },
      {
        mark: { type: "errorbar", ticks: true },
        encoding: {
          x,
          xOffset: offset,
          y: { field: "low", type: "quantitative", title: opts.yTitle },
          y2: { field: "high" },
          color,
        },
      },
      {
        mark: { type: "point", filled: true, size: 50 },
        encoding: { x, xOffset: offset, y: { field: "percent", type: "quantitative", title: opts.yTitle }, color },
      },
    ],
  };
}
