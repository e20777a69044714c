/**
 * Charts: Vega-Lite specifications rendered to SVG in Node (no canvas needed for SVG).
 * vega and vega-lite are ES modules with top-level await, which `require` cannot load, so they
 * are imported dynamically at run time.
 */
import type { VegaLiteSpec } from "./types";

// A real dynamic import: TypeScript's CommonJS output would turn `import()` into `require`.
// Built on first use, not at load, so that merely importing this file evaluates no code string.
const importModule = <M>(specifier: string): Promise<M> =>
  (new Function("specifier", "return import(specifier)") as (s: string) => Promise<M>)(specifier);

/** What `renderSvg` uses of vega-lite and of vega. */
interface VegaLiteModule {
  compile(spec: VegaLiteSpec): { spec: unknown };
}
interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, opts: { renderer: "none" }) => { toSVG(): Promise<string>; finalize(): void };
}

/** A field of the rows a chart plots. */
export type Field<Row> = Extract<keyof Row, string>;

const THEME = {
  background: "white",
  config: {
    font: "Helvetica, Arial, sans-serif",
    axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#e8e8e8" },
    legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 280 },
    title: { fontSize: 14, anchor: "start" },
    view: { stroke: "#ccc" },
  },
};

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vl = await importModule<VegaLiteModule>("vega-lite");
  const vega = await importModule<VegaModule>("vega");
  const compiled = vl.compile({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", ...THEME, ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Lines of `y` over `x`, one per `series` value (optional). Series named in `dashed` are drawn dashed
 * (as steps with `step`: a value that holds until it changes, such as a clearing price between
 * shocks); `ruleY` adds a dashed horizontal rule, labelled `ruleLabel` at its right end.
 * Every layer's position channels carry the axis titles: vega-lite otherwise joins the field names
 * of all layers sharing an axis into its title.
 */
export function lineChart<Row extends object>(opts: {
  title: string;
  rows: Row[];
  x: Field<Row>;
  y: Field<Row>;
  series?: Field<Row>;
  seriesTitle?: string;
  xTitle?: string;
  yTitle?: string;
  ruleY?: number;
  ruleLabel?: string;
  dashed?: string[];
  step?: boolean;
  legend?: boolean;
  /** Color scheme of the series (vega's default categories when absent). */
  scheme?: string;
  /** Points on the lines (default: when there are at most 60 rows). */
  points?: boolean;
  width?: number;
  height?: number;
  logY?: boolean;
}): VegaLiteSpec {
  const x = { field: opts.x, type: "quantitative", title: opts.xTitle ?? opts.x };
  const y = {
    field: opts.y,
    type: "quantitative",
    title: opts.yTitle ?? opts.y,
    scale: opts.logY ? { type: "log" } : { zero: false },
  };
  // Legend symbols as strokes when some series are dashed, so that the legend shows the dashes.
  const legend =
    opts.legend === false
      ? { legend: null }
      : opts.dashed?.length
        ? { legend: { symbolType: "stroke", symbolStrokeWidth: 2, symbolSize: 300 } }
        : {};
  const seriesTitle = opts.seriesTitle ?? opts.series;
  const scale = opts.scheme ? { scale: { scheme: opts.scheme } } : {};
  const color = opts.series
    ? { color: { field: opts.series, type: "nominal", title: seriesTitle, ...scale, ...legend } }
    : {};
  // The dash pattern as a channel too, so that the legend shows which series are dashed.
  const names = opts.series ? [...new Set(opts.rows.map((r) => String(r[opts.series!])))].sort() : [];
  const dash = opts.dashed?.length
    ? {
        strokeDash: {
          field: opts.series,
          type: "nominal",
          title: seriesTitle,
          scale: { domain: names, range: names.map((n) => (opts.dashed!.includes(n) ? [6, 4] : [1, 0])) },
          ...legend,
        },
      }
    : {};
  const dashed =
    opts.series && opts.dashed?.length
      ? `indexof(${JSON.stringify(opts.dashed)}, datum[${JSON.stringify(opts.series)}]) >= 0`
      : undefined;
  const layers: unknown[] = [
    {
      ...(dashed ? { transform: [{ filter: `!(${dashed})` }] } : {}),
      mark: { type: "line", point: opts.points ?? opts.rows.length <= 60, strokeWidth: 1.6 },
      encoding: { x, y, ...color, ...dash },
    },
  ];
  if (dashed)
    layers.push({
      transform: [{ filter: dashed }],
      mark: { type: "line", strokeWidth: 1.6, interpolate: opts.step ? "step-after" : "linear" },
      encoding: { x, y, ...color, ...dash },
    });
  if (opts.ruleY !== undefined) {
    const at = { data: { values: [{ v: opts.ruleY, label: opts.ruleLabel ?? "" }] } };
    const ruleEnc = { y: { ...y, field: "v" } };
    layers.push({ ...at, mark: { type: "rule", strokeDash: [6, 4], color: "#444" }, encoding: ruleEnc });
    if (opts.ruleLabel)
      layers.push({
        ...at,
        mark: { type: "text", align: "right", baseline: "bottom", dy: -2, color: "#444", fontSize: 11 },
        encoding: { ...ruleEnc, x: { value: opts.width ?? 420 }, text: { field: "label" } },
      });
  }
  return {
    title: opts.title,
    width: opts.width ?? 420,
    height: opts.height ?? 240,
    data: { values: opts.rows },
    layer: layers,
  };
}

/** Mean line with a +-1 std band per series (`mean`, `lo`, `hi` fields); axis titles on both layers. */
export function bandChart<Row extends { mean: number; lo: number; hi: number }>(opts: {
  title: string;
  rows: Row[];
  x: Field<Row>;
  series?: Field<Row>;
  xTitle?: string;
  yTitle: string;
}): VegaLiteSpec {
  const color = opts.series ? { color: { field: opts.series, type: "nominal", title: opts.series } } : {};
  const x = { field: opts.x, type: "quantitative", title: opts.xTitle ?? opts.x };
  return {
    title: opts.title,
    width: 420,
    height: 240,
    data: { values: opts.rows },
    layer: [
      {
        mark: { type: "area", opacity: 0.18 },
        encoding: { x, y: { field: "lo", type: "quantitative", title: opts.yTitle }, y2: { field: "hi" }, ...color },
      },
      {
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "mean", type: "quantitative", title: opts.yTitle }, ...color },
      },
    ],
  };
}

/** Box plots of `y` per `group`. */
export function boxPlot<Row extends object>(opts: {
  title: string;
  rows: Row[];
  group: Field<Row>;
  y: Field<Row>;
  yTitle?: string;
  column?: Field<Row>;
}): VegaLiteSpec {
  return {
    title: opts.title,
    data: { values: opts.rows },
    mark: { type: "boxplot", extent: 1.5 },
    width: opts.column ? 150 : 360,
    height: 220,
    encoding: {
      x: { field: opts.group, type: "nominal", title: null, axis: { labelAngle: -30 } },
      y: { field: opts.y, type: "quantitative", title: opts.yTitle ?? opts.y, scale: { zero: false } },
      color: { field: opts.group, type: "nominal", legend: null },
      ...(opts.column ? { column: { field: opts.column, type: "nominal" } } : {}),
    },
  };
}

/** Scatter of `x` against `y`, colored by `color`, sized by `size` (optional). */
export function scatter<Row extends object>(opts: {
  title: string;
  rows: Row[];
  x: Field<Row>;
  y: Field<Row>;
  color: Field<Row>;
  size?: Field<Row>;
  xTitle?: string;
  yTitle?: string;
  colorType?: "nominal" | "quantitative";
}): VegaLiteSpec {
  return {
    title: opts.title,
    width: 380,
    height: 260,
    data: { values: opts.rows },
    mark: { type: "circle", opacity: 0.75 },
    encoding: {
      x: { field: opts.x, type: "quantitative", title: opts.xTitle ?? opts.x, scale: { zero: false } },
      y: { field: opts.y, type: "quantitative", title: opts.yTitle ?? opts.y, scale: { zero: false } },
      color: { field: opts.color, type: opts.colorType ?? "quantitative", title: opts.color },
      ...(opts.size ? { size: { field: opts.size, type: "quantitative" } } : {}),
    },
  };
}

/** Heat map of `value` over two ordinal axes, with the values printed in the cells. */
export function heatMap<Row extends object>(opts: {
  title: string;
  rows: Row[];
  x: Field<Row>;
  y: Field<Row>;
  value: Field<Row>;
  valueTitle?: string;
  scheme?: string;
}): VegaLiteSpec {
  const enc = {
    x: { field: opts.x, type: "ordinal", title: opts.x },
    y: { field: opts.y, type: "ordinal", title: opts.y, sort: "descending" },
  };
  return {
    title: opts.title,
    data: { values: opts.rows },
    width: 300,
    height: 220,
    layer: [
      {
        mark: "rect",
        encoding: {
          ...enc,
          color: {
            field: opts.value,
            type: "quantitative",
            title: opts.valueTitle ?? opts.value,
            scale: { scheme: opts.scheme ?? "viridis" },
          },
        },
      },
      {
        mark: { type: "text", fontSize: 9 },
        encoding: {
          ...enc,
          text: { field: opts.value, type: "quantitative", format: ".2f" },
          color: { value: "white" },
        },
      },
    ],
  };
}

/**
 * Bars of `y` per `group` (side by side per `series` when given), with error bars from `lo`/`hi` when
 * asked; the error bars carry the bars' axis title, else the axis would read "<yTitle>, lo".
 */
export function barChart<Row extends object>(opts: {
  title: string;
  rows: Row[];
  group: Field<Row>;
  y: Field<Row>;
  yTitle?: string;
  series?: Field<Row>;
  errors?: boolean;
}): VegaLiteSpec {
  const color = opts.series
    ? { xOffset: { field: opts.series }, color: { field: opts.series, type: "nominal" } }
    : { color: { field: opts.group, type: "nominal", legend: null } };
  const layers: unknown[] = [
    {
      mark: "bar",
      encoding: {
        x: { field: opts.group, type: "nominal", title: null, axis: { labelAngle: -30 } },
        y: { field: opts.y, type: "quantitative", title: opts.yTitle ?? opts.y },
        ...color,
      },
    },
  ];
  if (opts.errors)
    layers.push({
      mark: "errorbar",
      encoding: {
        x: { field: opts.group, type: "nominal", title: null },
        y: { field: "lo", type: "quantitative", title: opts.yTitle ?? opts.y },
        y2: { field: "hi" },
      },
    });
  return { title: opts.title, width: 300, height: 220, data: { values: opts.rows }, layer: layers };
}
