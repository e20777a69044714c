import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "parse5";
import type { DefaultTreeAdapterMap } from "parse5";
import { runStudy } from "../../src/clearing/experiments/study";
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
    const results = runStudy({
      replications: 3,
      seed: 3,
      movieLens: path.join(__dirname, "..", "fixtures", "movielens", "u.data"),
    });
    expect(results.map((r) => r.key)).to.deep.equal([
      "convergence",
      "fee-sweep",
      "mechanisms",
      "sensitivity",
      "shocks",
      "fairness",
      "movielens",
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

    // The side-by-side table: paper, ours and why, for every comparison of every experiment.
    const sideBySide = elements(doc, "section").find((s) => attr(s, "id") === "side-by-side")!;
    const rows = elements(sideBySide, "tr").slice(1);
    expect(rows).to.have.length(results.reduce((n, r) => n + r.comparisons.length, 0));
    for (const row of rows) {
      const cells = elements(row, "td").map((c) => text(c));
      expect(cells).to.have.length(5);
      cells.forEach((c) => expect(c.trim()).to.not.equal(""));
    }
    const table5 = rows
      .map((r) => elements(r, "td").map((c) => text(c)))
      .find((c) => c[1].startsWith("Table 5, tau = 0.5"))!;
    expect(table5[2]).to.equal("2.28 ± 0.14 | 0.50 ± 0.06 | 0.62 ± 0.02 | 92.1 ± 2.5%");
    expect(table5[3]).to.match(/per agent/);
    expect(JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")).experiments).to.have.length(
      results.length,
    );
  });
});
