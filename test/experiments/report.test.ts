import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "parse5";
import type { DefaultTreeAdapterMap } from "parse5";
import { smallStudy } from "./smallStudy";
import { writeReport } from "../../src/report/html";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

const elements = (node: Node, tag: string, out: Element[] = []): Element[] => {
  if ("tagName" in node && node.tagName === tag) out.push(node);
  const children = "childNodes" in node ? node.childNodes : [];
  for (const c of children) elements(c as Node, tag, out);
  if ("content" in node && node.content) elements(node.content as Node, tag, out);
  return out;
};
const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;
const text = (node: Node): string =>
  "value" in node && node.nodeName === "#text"
    ? node.value
    : "childNodes" in node
      ? node.childNodes.map((c) => text(c as Node)).join("")
      : "";

describe("Report", function () {
  this.timeout(120_000);

  it("renders every experiment: each figure inline and as a non-empty SVG file, every table as CSV and JSON, the side-by-side table", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "clearhouse-report-"));
    const results = smallStudy();
    expect(results.map((r) => r.key)).to.deep.equal([
      "convergence",
      "fee-sweep",
      "mechanisms",
      "sensitivity",
      "shocks",
      "fairness",
      "movielens",
      "robustness",
    ]);
    const written = await writeReport(out, {
      title: "test report",
      meta: { seed: "3" },
      notes: ["a note"],
      experiments: results,
    });

    const doc = parse(fs.readFileSync(written.html, "utf8"));
    const figures = elements(doc, "figure");
    const charts = results.flatMap((r) => r.charts.map((c) => `figures/${c.name}.svg`));
    expect(figures.map((f) => attr(f, "data-file"))).to.deep.equal(charts);
    for (const f of figures) {
      const file = path.join(out, attr(f, "data-file")!);
      expect(fs.statSync(file).size, file).to.be.greaterThan(1000);
      expect(fs.readFileSync(file, "utf8")).to.match(/^<svg[^>]*>/);
      expect(elements(f, "svg"), `${file} inline`).to.have.length.greaterThan(0);
      expect(text(elements(f, "figcaption")[0]).length).to.be.greaterThan(10);
    }
    // Self-contained: no external scripts, stylesheets or images.
    expect(elements(doc, "script")).to.have.length(0);
    expect(elements(doc, "img")).to.have.length(0);
    expect(elements(doc, "link")).to.have.length(0);

    // Every table is written and linked.
    for (const r of results) {
      for (const t of r.tables) {
        const csv = fs
          .readFileSync(path.join(out, "tables", `${t.name}.csv`), "utf8")
          .trim()
          .split("\n");
        expect(csv.length, t.name).to.equal(t.rows.length + 1);
        expect(JSON.parse(fs.readFileSync(path.join(out, "tables", `${t.name}.json`), "utf8"))).to.have.length(
          t.rows.length,
        );
      }
    }
    const links = elements(doc, "a").map((a) => attr(a, "href"));
    expect(links).to.include("tables/fee-sweep.csv");

    // The side-by-side table: one row per paper table and figure, in the paper's order, one column per
    // metric, and the disagreements.
    const sideBySide = elements(doc, "section").find((s) => attr(s, "id") === "side-by-side")!;
    const rows = elements(sideBySide, "tr").slice(1);
    expect(rows).to.have.length(results.reduce((n, r) => n + r.comparisons.length, 0));
    const cellsOf = (row: Element) => elements(row, "td");
    for (const row of rows) {
      const cells = cellsOf(row).map((c) => text(c));
      expect(cells).to.have.length(2 + 5 + 1);
      cells.forEach((c) => expect(c.trim()).to.not.equal(""));
    }
    const sources = rows.map((r) => text(cellsOf(r)[0]));
    expect(sources).to.deep.equal([
      "Table 3",
      "Table 4",
      "Table 5",
      "Table 6",
      "Table 8 (and 7)",
      "Fig. 2",
      "Fig. 3",
      "Fig. 4",
      "Fig. 5",
      "Fig. 6",
      "Fig. 7",
      "Fig. 7 (regret)",
      "spec §3",
      "spec §5 (not in the paper)",
    ]);
    const header = elements(elements(sideBySide, "thead")[0], "th").map((h) => text(h));
    expect(header).to.deep.equal([
      "paper",
      "shows",
      "Eff",
      "avg cost",
      "Gini / fairness",
      "participation",
      "other",
      "disagreements and their causes",
    ]);
    const table5 = rows.find((r) => text(cellsOf(r)[0]) === "Table 5")!;
    expect(text(cellsOf(table5)[2])).to.equal(
      "paper: 2.45 -> 1.52ours: " + text(cellsOf(table5)[2]).split("ours: ")[1],
    );
    expect(text(cellsOf(table5)[7])).to.contain("Avg cost: the paper's rises from 0.42 to 0.95");

    // Each experiment's items: Table 5 by tau sorted numerically, a paper and an ours column per metric.
    const feeSweep = elements(doc, "section").find((s) => attr(s, "id") === "fee-sweep")!;
    const items = elements(
      elements(feeSweep, "table").find((t) => attr(t, "class") === "items")!,
      "tbody",
    )[0];
    const itemRows = elements(items, "tr").map((r) => elements(r, "td").map((c) => text(c)));
    expect(itemRows.map((r) => r[0])).to.deep.equal(["tau = 0", "tau = 0.5", "tau = 1", "tau = 1.5", "tau = 2"]);
    expect(itemRows[1].slice(1, 2)).to.deep.equal(["2.28 ± 0.14"]);
    expect(itemRows[1][3]).to.equal("0.50 ± 0.06");
    expect(itemRows[1]).to.have.length(1 + 2 * 4);
    expect(JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")).experiments).to.have.length(
      results.length,
    );
  });
});
