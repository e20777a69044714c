/**
 * The market's rounds as a live chart, with the library the study report uses (Vega-Lite, compiled and drawn
 * by Vega to SVG in the page, bundled: nothing from a CDN). Two panels on one round axis: the posted price, and
 * the total demand against the capacity; converged rounds are marked in both, parameter changes (a capacity
 * change is a supply shock) by a dashed rule.
 */
import { type Spec, View, parse } from "vega";
import { type TopLevelSpec, compile } from "vega-lite";

/** One closed round, in units (not fixed point). */
export interface RoundRow {
  round: number;
  price: number;
  demand: number;
  capacity: number;
  converged: boolean;
}

/** A parameter version taking effect at a round, with what changed. */
export interface ChangeMark {
  round: number;
  label: string;
}

const x = { field: "round", type: "quantitative", title: "round", axis: { tickMinStep: 1, format: "d" } } as const;

function changeLayers(changes: ChangeMark[]) {
  return [
    {
      data: { values: changes },
      mark: { type: "rule", strokeDash: [4, 3], color: "#b03a2e" },
      encoding: { x: { field: "round", type: "quantitative" } },
    },
    {
      data: { values: changes },
      mark: { type: "text", align: "left", dx: 3, dy: -4, baseline: "bottom", y: 0, color: "#b03a2e", fontSize: 10 },
      encoding: { x: { field: "round", type: "quantitative" }, text: { field: "label" } },
    },
  ];
}

function specOf(rows: RoundRow[], changes: ChangeMark[], width: number): TopLevelSpec {
  const converged = { filter: "datum.converged" };
  const mark = { type: "point", shape: "diamond", size: 120, filled: true, color: "#1e8449" } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: "Posted price, and total demand against capacity, per closed round; diamonds mark convergence",
    background: "white",
    data: { values: rows },
    vconcat: [
      {
        width,
        height: 130,
        layer: [
          {
            mark: { type: "line", point: true, color: "#1f4e79" },
            encoding: { x, y: { field: "price", type: "quantitative", title: "posted price", scale: { zero: false } } },
          },
          {
            name: "converged_price",
            transform: [converged],
            mark,
            encoding: { x, y: { field: "price", type: "quantitative" } },
          },
          ...changeLayers(changes),
        ],
      },
      {
        width,
        height: 130,
        transform: [{ fold: ["demand", "capacity"], as: ["series", "value"] }],
        layer: [
          {
            mark: { type: "line", point: true },
            encoding: {
              x,
              y: { field: "value", type: "quantitative", title: "quantity" },
              color: {
                field: "series",
                type: "nominal",
                title: null,
                scale: { domain: ["demand", "capacity"], range: ["#1f4e79", "#999999"] },
                legend: { orient: "bottom" },
              },
            },
          },
          {
            name: "converged",
            transform: [converged, { filter: "datum.series === 'demand'" }],
            mark,
            encoding: { x, y: { field: "value", type: "quantitative" } },
          },
          ...changeLayers(changes),
        ],
      },
    ],
  } as unknown as TopLevelSpec;
}

let current: View | undefined;

/** Draws (or redraws) the chart into `el`, as wide as `el`. */
export async function drawRounds(el: HTMLElement, rows: RoundRow[], changes: ChangeMark[]): Promise<void> {
  const width = Math.max(220, Math.min(760, el.clientWidth - 70));
  // Drawn off-page, then swapped in: the old chart stays until the new one is ready.
  const box = document.createElement("div");
  const view = new View(parse(compile(specOf(rows, changes, width)).spec as Spec), {
    renderer: "svg",
    container: box,
    hover: false,
  });
  await view.runAsync();
  el.replaceChildren(box);
  current?.finalize();
  current = view;
}
