/**
 * Grouped bars for summaries over seeds (the robustness chapter): a median's bar with its p90 as a tick, a label
 * where a bar cannot show its value ("never"), panels per rationing rule. A file of its own beside ./charts.ts,
 * whose helpers it follows (Vega-Lite specs rendered by `renderSvg` there).
 */
import type { VegaLiteSpec } from "./types";

/** A field of the rows a chart plots. */
type Field<Row> = Extract<keyof Row, string>;

/**
 * Bars of `y` per `group` in row order, side by side per `series`, with an optional black tick at `tick` on each
 * bar (a p90 over the median's bar, say), an optional text `label` above it (for a value a bar cannot show, such
 * as "never"), one panel per `column` value when given, a dashed rule at `ruleY`, and a symlog scale when
 * `symlogY` (rounds from 1 to 1,000, or gains either side of 0, on one axis; `yValues` then says where its ticks
 * go). `seriesColors` fixes each series' color, so that a series keeps it across charts with different series.
 */
export function groupedBarChart<Row extends object>(opts: {
  title: string;
  rows: Row[];
  group: Field<Row>;
  y: Field<Row>;
  series: Field<Row>;
  tick?: Field<Row>;
  label?: Field<Row>;
  column?: Field<Row>;
  yTitle?: string;
  ruleY?: number;
  symlogY?: boolean;
  yValues?: number[];
  seriesColors?: Record<string, string>;
  width?: number;
}): VegaLiteSpec {
  const x = { field: opts.group, type: "nominal", title: null, sort: null, axis: { labelAngle: -30, labelLimit: 400 } };
  const xOffset = { field: opts.series, type: "nominal", sort: null };
  const present = new Set(opts.rows.map((r) => String(r[opts.series])));
  const colors = opts.seriesColors && Object.entries(opts.seriesColors).filter(([k]) => present.has(k));
  const color = {
    field: opts.series,
    type: "nominal",
    sort: null,
    ...(colors ? { scale: { domain: colors.map(([k]) => k), range: colors.map(([, c]) => c) } } : {}),
  };
  // Every layer names the axis: vega-lite otherwise joins the layers' field names into its title.
  const yTitle = opts.yTitle ?? opts.y;
  const y = (field: string) => ({
    field,
    type: "quantitative",
    title: yTitle,
    ...(opts.symlogY ? { scale: { type: "symlog" } } : {}),
    ...(opts.yValues ? { axis: { values: opts.yValues } } : {}),
  });
  const layers: unknown[] = [{ mark: "bar", encoding: { x, xOffset, y: y(opts.y), color } }];
  if (opts.tick)
    layers.push({
      mark: { type: "tick", color: "black", thickness: 2 },
      encoding: { x, xOffset, y: y(opts.tick) },
    });
  if (opts.label)
    layers.push({
      mark: { type: "text", dy: -6, fontSize: 9, angle: 270, align: "left", baseline: "middle" },
      encoding: { x, xOffset, y: y(opts.y), text: { field: opts.label } },
    });
  if (opts.ruleY !== undefined)
    layers.push({
      data: { values: [{ v: opts.ruleY }] },
      mark: { type: "rule", strokeDash: [6, 4], color: "#444" },
      encoding: { y: { field: "v", type: "quantitative", title: yTitle } },
    });
  const size = { width: opts.width ?? 420, height: 240 };
  if (!opts.column) return { title: opts.title, ...size, data: { values: opts.rows }, layer: layers };
  return {
    title: opts.title,
    data: { values: opts.rows },
    facet: { column: { field: opts.column, type: "nominal", title: null } },
    spec: { ...size, layer: layers },
  };
}
