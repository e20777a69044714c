/**
 * The study's charts say what they draw: titles and axis titles as meant (read from the rendered
 * SVG, so vega-lite's own merging of titles is caught), no "n = 20" on charts over n, the binding
 * scenario first, every series a caption names present in the chart's data, means rather than
 * scatters of replications, and the regret caption in line with its data.
 */
import { expect } from "chai";
import hre from "hardhat";
import { smallStudy } from "./smallStudy";
import { TAU_GRID } from "../../src/clearing/experiments/feeSweep";
import { SCENARIOS } from "../../src/clearing/experiments/scenarios";
import { playOnChain } from "../../src/clearing/experiments/chainPlay";
import { renderSvg } from "../../src/report/charts";
import { coincident } from "../../src/report/meanCharts";
import type { Chart, ExperimentResult, VegaLiteSpec } from "../../src/report/types";
import { chainEnv } from "../../src/hardhat/adapter";

type Spec = Record<string, unknown>;
const asSpecs = (v: unknown): Spec[] => (Array.isArray(v) ? (v as Spec[]) : []);

/** Every view of a spec: itself and, recursively, its layers, concatenated panels and faceted spec. */
const views = (spec: Spec): Spec[] => [
  spec,
  ...["layer", "hconcat", "vconcat", "concat"].flatMap((k) => asSpecs(spec[k]).flatMap(views)),
  ...(spec.spec ? views(spec.spec as Spec) : []),
];

/** SVG text as written, its entities decoded. */
const decoded = (t: string) =>
  t
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

/** Every position encoding (x, y, x2, y2) of a spec's views. */
const positions = (spec: Spec) =>
  views(spec).flatMap((v) =>
    Object.entries((v.encoding ?? {}) as Record<string, Spec>)
      .filter(([channel]) => ["x", "y", "x2", "y2"].includes(channel))
      .map(([channel, enc]) => ({ channel, enc })),
  );

/** Every row a spec's views plot. */
const dataRows = (spec: Spec): Spec[] =>
  views(spec).flatMap((v) => asSpecs((v.data as { values?: unknown } | undefined)?.values));

/** The texts of vega's marks of `role` in a rendered SVG (axis titles, chart titles ...). */
function svgTexts(svg: string, role: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-text role-${role}"[^>]*>(.*?)</g>`, "g"))];
  return groups.flatMap((g) => [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]));
}

/** The scenario a chart belongs to, from its name. */
const scenarioOfChart = (c: Chart) => SCENARIOS.find((sc) => c.name.includes(`-${sc.key}`))?.key;

describe("Charts", function () {
  this.timeout(240_000);
  let results: ExperimentResult[];
  const svgs = new Map<string, string>();
  const charts = () => results.flatMap((r) => r.charts);

  before(async () => {
    results = smallStudy();
    for (const c of charts()) svgs.set(c.name, await renderSvg(c.spec));
  });

  it("every chart has a title, and its axis titles are the ones its spec declares (none merged, none empty)", () => {
    for (const c of charts()) {
      expect(c.spec.title, c.name).to.be.a("string").and.not.equal("");
      const svg = svgs.get(c.name)!;
      expect(svgTexts(svg, "title-text").join(" ").trim(), c.name).to.not.equal("");
      // Every field on an axis names its axis title (or none, null): otherwise vega-lite makes one up.
      const declared = new Set<unknown>();
      for (const { channel, enc } of positions(c.spec)) {
        if (enc.field === undefined || channel.endsWith("2")) continue;
        expect(enc, `${c.name}: ${channel} of ${String(enc.field)}`).to.have.property("title");
        declared.add(enc.title);
      }
      const axisTitles = svgTexts(svg, "axis-title");
      expect(axisTitles.length, c.name).to.be.greaterThan(0);
      for (const t of axisTitles) {
        expect(t.trim(), c.name).to.not.equal("");
        expect(t, c.name).to.not.match(/, (lo|hi|mean|v)$|undefined|null/);
        expect(declared, `${c.name}: axis title "${t}"`).to.include(decoded(t));
      }
    }
  });

  it("MovieLens RelEff reads RelEff on its axis, not the fields of its error bars", () => {
    const relEff = charts().filter((c) => c.name.endsWith("-releff"));
    expect(relEff).to.have.length(2);
    for (const c of relEff) expect(svgTexts(svgs.get(c.name)!, "axis-title")).to.deep.equal(["RelEff"]);
  });

  it("charts over n never say n = 20", () => {
    const overN = charts().filter((c) => positions(c.spec).some(({ enc }) => enc.field === "n"));
    expect(overN.map((c) => c.name)).to.include.members(["fig5-binding-scaling", "fig5-defaults-scaling"]);
    for (const c of overN) {
      expect(`${String(c.spec.title)} ${c.caption}`, c.name).to.not.match(/n = 20\b/);
      expect(svgTexts(svgs.get(c.name)!, "title-text").join(" "), c.name).to.not.match(/n = 20\b/);
    }
    expect(overN.find((c) => c.name === "fig5-binding-scaling")!.spec.title).to.match(/m = 2\.5 n/);
  });

  it("in every experiment, the binding scenario's charts come before the defaults'", () => {
    for (const r of results) {
      const order = r.charts.map(scenarioOfChart).filter((k) => k !== undefined);
      const firstDefaults = order.indexOf("defaults");
      if (firstDefaults >= 0) expect(order.lastIndexOf("binding"), r.key).to.be.lessThan(firstDefaults);
    }
    expect(results[0].charts[0].name).to.equal("fig2-binding");
  });

  it("Fig. 2 is one 2x2 figure per scenario, zoomed to the first rounds the caption names", () => {
    const fig2 = results.find((r) => r.key === "convergence")!.charts;
    expect(fig2.map((c) => c.name)).to.deep.equal(["fig2-binding", "fig2-defaults"]);
    for (const c of fig2) {
      const rows = asSpecs(c.spec.vconcat);
      expect(rows, c.name).to.have.length(2);
      rows.forEach((row) => expect(asSpecs(row.hconcat), c.name).to.have.length(2));
      const shown = Math.max(...dataRows(c.spec).map((d) => Number(d.round ?? 0)));
      expect(c.caption).to.include(`the first ${shown} of 60 rounds`);
      expect(shown).to.be.lessThan(60);
    }
  });

  it("a caption that names a series (optimum, mu*) has that series in its chart's data", () => {
    const named = ["optimum", "mu*"];
    const checked = charts().filter((c) => named.some((s) => c.caption.includes(s)));
    expect(checked.map((c) => c.name)).to.include.members(["fig7-tau-efficiency", "fig2-binding"]);
    for (const c of checked) {
      const strings = dataRows(c.spec).flatMap((d) => Object.values(d).filter((v) => typeof v === "string"));
      for (const s of named.filter((s) => c.caption.includes(s)))
        expect(
          strings.some((v) => (v as string).includes(s)),
          `${c.name}: ${s}`,
        ).to.equal(true);
    }
  });

  it("the regret caption says what its data show: regret / t levels off, or falls", () => {
    const c = charts().find((x) => x.name === "fig7-drift-regret")!;
    const rows = dataRows(c.spec) as { rule: string; round: number; regret: number }[];
    const last = Math.max(...rows.map((r) => r.round));
    const mid = Math.round(last / 2);
    const perRound = (rule: string, t: number) => rows.find((r) => r.rule === rule && r.round === t)!.regret / t;
    const rules = [...new Set(rows.map((r) => r.rule))];
    const levelsOff = rules.every((rule) => perRound(rule, last) > 0.5 * perRound(rule, mid));
    expect(c.caption).to.match(levelsOff ? /levels off/ : /falls/);
    if (levelsOff) expect(c.caption).to.not.match(/vanishes|sublinear/);
  });

  it("scatters plot means, not every replication: the efficiency–fairness chart has one point per (scenario, tau)", () => {
    for (const c of charts()) {
      const boxes = views(c.spec).some((v) => v.mark === "boxplot" || (v.mark as Spec | undefined)?.type === "boxplot");
      if (!boxes)
        expect(
          dataRows(c.spec).some((d) => "rep" in d),
          c.name,
        ).to.equal(false);
    }
    const pareto = charts().find((c) => c.name === "fig3-pareto")!;
    expect(dataRows(pareto.spec)).to.have.length(TAU_GRID.length * SCENARIOS.length);
    expect(charts().map((c) => c.name)).to.include("fig3-cost");
  });

  it("series with equal values are found, so a caption can say they coincide", () => {
    const rows = [
      { s: "a", v: 1 },
      { s: "b", v: 1 },
      { s: "c", v: 2 },
      { s: "a", v: 3 },
      { s: "b", v: 3 },
      { s: "c", v: 3 },
    ];
    expect(coincident(rows, "s", ["v"])).to.deep.equal([["a", "b"]]);
    const movieLens = charts().find((c) => c.name === "fig8-defaults-cost-gini")!;
    const same = coincident(dataRows(movieLens.spec) as Spec[], "mechanism", ["avgCost", "gini"]);
    if (same.length) expect(movieLens.caption).to.match(/identical values/);
  });

  it("on chain, the dashed mu* is each round's clearing price: it steps at a shock", async () => {
    const env = await chainEnv(hre);
    const play = await playOnChain(env, {
      agents: 10,
      capacity: 10,
      tau: 0.5,
      fixedFee: 1,
      rule: "adaptive",
      etaTimesL: 1,
      rounds: 10,
      seed: 3,
      dynamics: {},
      shocks: [{ round: 6, set: { tau: 1.5 } }],
      untilConverged: false,
    });
    const price = play.result.charts.find((c) => c.name === "chain-price")!;
    const rows = play.result.tables[0].rows as { round: number; muStar: number }[];
    const star = dataRows(price.spec as VegaLiteSpec).filter((d) => String(d.series).startsWith("mu*"));
    expect(star.map((d) => d.value)).to.deep.equal(rows.map((r) => r.muStar));
    expect(rows[4].muStar).to.not.equal(rows[9].muStar);
    expect(price.caption).to.include("mu*");
  });
});
