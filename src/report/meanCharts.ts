/**
 * Charts of means with their spread (±1 sd over replications), drawn so that no series hides
 * another: a scatter of every replication grows with the replications (1,800 overlapping marks at
 * 200) and says less than the mean and sd it stands for, and series that behave identically (two
 * mechanisms that never bind) would draw exactly on top of each other.
 */
import type { Field } from "./charts";
import type { VegaLiteSpec } from "./types";

/** `datum["field"]` in a vega expression. */
const datum = (field: string): string => `datum[${JSON.stringify(field)}]`;

/**
 * Means with ±1 sd error bars of `mean`/`lo`/`hi` per `x` value (drawn as ordinal steps), the series
 * side by side within each step (dodged), so series with equal values stay visible next to each other.
 */
export function dodgedMeans<Row extends { mean: number; lo: number; hi: number }>(opts: {
  title: string;
  rows: Row[];
  x: Field<Row>;
  series: Field<Row>;
  xTitle: string;
  yTitle: string;
  seriesTitle?: string;
}): VegaLiteSpec {
  const x = { field: opts.x, type: "ordinal", title: opts.xTitle, axis: { labelAngle: 0 } };
  const common = {
    x,
    xOffset: { field: opts.series, type: "nominal" },
    color: { field: opts.series, type: "nominal", title: opts.seriesTitle ?? opts.series },
  };
  return {
    title: opts.title,
    width: 420,
    height: 240,
    data: { values: opts.rows },
    layer: [
      {
        mark: { type: "rule", strokeWidth: 1.4 },
        encoding: { ...common, y: { field: "lo", type: "quantitative", title: opts.yTitle }, y2: { field: "hi" } },
      },
      {
        mark: { type: "point", filled: true, size: 45, opacity: 1 },
        encoding: {
          ...common,
          y: { field: "mean", type: "quantitative", title: opts.yTitle, scale: { zero: false } },
          shape: { field: opts.series, type: "nominal", title: opts.seriesTitle ?? opts.series },
        },
      },
    ],
  };
}

/**
 * The path of mean `y` against mean `x` as `order` (e.g. tau) increases, one path per `series`, with
 * ±1 sd bars in both directions and each step labelled with its `order` value.
 */
export function meanPath<Row extends object>(opts: {
  title: string;
  rows: Row[];
  x: Field<Row>;
  xStd: Field<Row>;
  y: Field<Row>;
  yStd: Field<Row>;
  order: Field<Row>;
  series: Field<Row>;
  xTitle: string;
  yTitle: string;
}): VegaLiteSpec {
  const x = { field: opts.x, type: "quantitative", title: opts.xTitle, scale: { zero: false } };
  const y = { field: opts.y, type: "quantitative", title: opts.yTitle, scale: { zero: false } };
  const color = { field: opts.series, type: "nominal", title: opts.series };
  return {
    title: opts.title,
    width: 420,
    height: 280,
    data: { values: opts.rows },
    transform: [
      { calculate: `${datum(opts.x)} - ${datum(opts.xStd)}`, as: "xLo" },
      { calculate: `${datum(opts.x)} + ${datum(opts.xStd)}`, as: "xHi" },
      { calculate: `${datum(opts.y)} - ${datum(opts.yStd)}`, as: "yLo" },
      { calculate: `${datum(opts.y)} + ${datum(opts.yStd)}`, as: "yHi" },
    ],
    layer: [
      { mark: { type: "rule", opacity: 0.5 }, encoding: { x: { ...x, field: "xLo" }, x2: { field: "xHi" }, y, color } },
      { mark: { type: "rule", opacity: 0.5 }, encoding: { x, y: { ...y, field: "yLo" }, y2: { field: "yHi" }, color } },
      {
        mark: { type: "line", point: { filled: true, size: 40 }, strokeWidth: 1.4 },
        encoding: { x, y, color, order: { field: opts.order, type: "quantitative" } },
      },
      {
        mark: { type: "text", align: "left", dx: 5, dy: -5, fontSize: 9, color: "#555" },
        encoding: { x, y, text: { field: opts.order, type: "quantitative" } },
      },
    ],
  };
}

/**
 * Mean ± 1 sd of each measure per `group`, one panel per measure and one row per group, so groups
 * with equal values stand one under the other instead of on top of each other.
 */
export function dotPlot<Row extends object>(opts: {
  title: string;
  rows: Row[];
  group: Field<Row>;
  panels: { mean: Field<Row>; std: Field<Row>; title: string }[];
}): VegaLiteSpec {
  const y = { field: opts.group, type: "nominal", title: null, sort: null };
  const color = { field: opts.group, type: "nominal", legend: null };
  return {
    title: opts.title,
    data: { values: opts.rows },
    hconcat: opts.panels.map((p, k) => ({
      width: 190,
      height: { step: 26 },
      transform: [
        { calculate: `${datum(p.mean)} - ${datum(p.std)}`, as: "lo" },
        { calculate: `${datum(p.mean)} + ${datum(p.std)}`, as: "hi" },
      ],
      layer: [
        {
          mark: { type: "rule", strokeWidth: 1.6 },
          encoding: {
            y: k === 0 ? y : { ...y, axis: null },
            x: { field: "lo", type: "quantitative", title: p.title, scale: { zero: false } },
            x2: { field: "hi" },
            color,
          },
        },
        {
          mark: { type: "point", filled: true, size: 50, opacity: 1 },
          encoding: {
            y: k === 0 ? y : { ...y, axis: null },
            x: { field: p.mean, type: "quantitative", title: p.title, scale: { zero: false } },
            color,
          },
        },
      ],
    })),
  };
}

/**
 * The groups (two or more) of `series` values whose rows agree on every measure, row by row in
 * order, to 1e-9 relative: their marks coincide, which a caption must say.
 */
export function coincident<Row extends object>(rows: Row[], series: Field<Row>, measures: Field<Row>[]): string[][] {
  const bySeries = new Map<string, number[]>();
  for (const r of rows) {
    const k = String(r[series]);
    bySeries.set(k, [...(bySeries.get(k) ?? []), ...measures.map((m) => Number(r[m]))]);
  }
  const same = (a: number[], b: number[]) =>
    a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-9 * Math.max(1, Math.abs(v), Math.abs(b[i])));
  const groups: string[][] = [];
  for (const [k, values] of bySeries) {
    const g = groups.find((members) => same(bySeries.get(members[0])!, values));
    if (g) g.push(k);
    else groups.push([k]);
  }
  return groups.filter((g) => g.length > 1);
}

/** A caption's sentence on coinciding series ("" when none coincide). */
export function coincidenceNote(groups: string[][], how = "their marks coincide"): string {
  if (groups.length === 0) return "";
  const list = (g: string[]) => `${g.slice(0, -1).join(", ")} and ${g[g.length - 1]}`;
  return ` ${groups.map(list).join("; ")} give identical values: ${how}.`;
}
