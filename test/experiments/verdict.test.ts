import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { comparePaired, pairedVerdict, quantileSorted, signedPercent } from "../../src/common/paired";
import { paperRelative } from "../../src/clearing/experiments/paper";
import { runStudy } from "../../src/clearing/experiments/study";
import type { VerdictRow } from "../../src/clearing/experiments/verdict";
import type { MechanismReplicationRow } from "../../src/clearing/experiments/mechanisms";
import { writeReport } from "../../src/report/html";

const FIXTURE = path.join(__dirname, "..", "fixtures", "movielens", "u.data");

describe("Paired comparison", () => {
  it("counts wins, ties and losses in the direction that is better", () => {
    const higher = comparePaired([2, 3, 4, 10], [1, 3, 5, 4], { better: "higher", seed: 1 });
    expect([higher.wins, higher.ties, higher.losses]).to.deep.equal([2, 1, 1]);
    expect(higher.difference).to.equal(19 / 4 - 13 / 4);
    expect(higher.relativeDifference).to.be.closeTo(6 / 13, 1e-15);
    const lower = comparePaired([2, 3, 4, 10], [1, 3, 5, 4], { better: "lower", seed: 1 });
    expect([lower.wins, lower.ties, lower.losses]).to.deep.equal([1, 1, 2]);
  });

  it("bootstraps a reproducible interval around the estimate, zero-width when the pairs differ by a constant factor", () => {
    const t = [5.1, 4.8, 6.0, 5.5, 4.9, 5.3, 6.2, 5.0];
    const b = [5.0, 4.9, 5.7, 5.2, 4.9, 5.1, 5.9, 4.6];
    const a = comparePaired(t, b, { better: "higher", seed: 7 });
    expect(comparePaired(t, b, { better: "higher", seed: 7 })).to.deep.equal(a);
    expect(comparePaired(t, b, { better: "higher", seed: 8 }).ciLow).to.not.equal(a.ciLow);
    expect(a.ciLow).to.be.below(a.relativeDifference);
    expect(a.ciHigh).to.be.above(a.relativeDifference);
    expect(pairedVerdict(a, "higher")).to.equal("better");
    expect(pairedVerdict(a, "lower")).to.equal("worse");
    const scaled = comparePaired(
      b.map((x) => 1.1 * x),
      b,
      { better: "higher", seed: 7 },
    );
    expect(scaled.ciLow).to.be.closeTo(0.1, 1e-12);
    expect(scaled.ciHigh).to.be.closeTo(0.1, 1e-12);
    const same = comparePaired(b, b, { better: "higher", seed: 7 });
    expect(pairedVerdict(same, "higher")).to.equal("identical");
    expect([same.ciLow, same.ciHigh]).to.deep.equal([0, 0]);
  });

  it("takes percentiles between order statistics and prints signed percentages", () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).to.equal(3);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).to.equal(2.5);
    expect(quantileSorted([0, 10], 0.025)).to.equal(0.25);
    expect(signedPercent(0.00712)).to.equal("+0.7 %");
    expect(signedPercent(-0.03)).to.equal("−3.0 %");
    expect(signedPercent(0.0001)).to.equal("+0.010 %");
    expect(signedPercent(null)).to.equal("—");
  });

  it("reads the paper's own relative differences from its Table 6 and Table 8 means", () => {
    expect(paperRelative(6, "Eff", "proposed", "proportional")).to.be.closeTo((7.13 - 7.45) / 7.45, 1e-12);
    expect(paperRelative(6, "Gini", "proposed", "proportional")).to.equal(0);
    expect(paperRelative(8, "Gini", "proposed", "proportional")).to.be.closeTo(0.02 / 0.4, 1e-12);
  });
});

describe("The study's verdict", function () {
  this.timeout(120_000);
  const [mechanisms, movielens] = runStudy({
    replications: 6,
    seed: 5,
    movieLens: FIXTURE,
    only: ["mechanisms", "movielens"],
  });
  const rowsOf = <T>(name: string) => mechanisms.tables.find((t) => t.name === name)!.rows as T[];

  it("recomputes every paired comparison from the raw replication rows", () => {
    const raw = rowsOf<MechanismReplicationRow>("mechanisms-replications");
    const paired = rowsOf<VerdictRow>("mechanisms-paired");
    expect(paired.length).to.equal(2 * 4 * 4 * 3);
    const field = { Eff: "efficiencyPerAgent", "avg cost": "avgCost", Gini: "gini" } as const;
    for (const p of paired) {
      const values = (mech: string) =>
        raw
          .filter((r) => r.scenario === p.scenario && r.n === p.n && r.mechanism === mech)
          .sort((a, b) => a.rep - b.rep)
          .map((r) => r[field[p.metric]]);
      const [t, b] = [values(p.treatment), values(p.baseline)];
      expect(t).to.have.length(6);
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(p.treatmentMean).to.be.closeTo(mean(t), 1e-12);
      expect(p.baselineMean).to.be.closeTo(mean(b), 1e-12);
      expect(p.relativeDifference).to.be.closeTo((mean(t) - mean(b)) / Math.abs(mean(b)), 1e-12);
      const sign = p.metric === "Eff" ? 1 : -1;
      const tie = (i: number) => Math.abs(t[i] - b[i]) <= 1e-9 * Math.max(1, Math.abs(b[i]));
      const wins = t.filter((_, i) => !tie(i) && sign * (t[i] - b[i]) > 0).length;
      const ties = t.filter((_, i) => tie(i)).length;
      expect([p.wins, p.ties, p.losses]).to.deep.equal([wins, ties, 6 - wins - ties]);
      if (p.verdict !== "identical") {
        expect(p.ciLow).to.be.at.most(p.ciHigh);
        expect(p.relativeDifference).to.be.within(p.ciLow - 0.05, p.ciHigh + 0.05);
      }
      expect(p.paperRelative === null).to.equal(p.n !== 20 || p.treatment === "proposed, uniform");
    }
  });

  it("states per scenario the verdict at n = 20 and the largest n, binding first, with the paper's claim", () => {
    const v = mechanisms.verdict!;
    expect(v.sentences[0]).to.match(/^Against proportional, the largest efficiency gain here is [+−]\d/);
    expect(v.sentences[0]).to.contain("up to 27 %");
    expect(v.sentences.slice(1).map((s) => s.split(":")[0])).to.deep.equal([
      "binding, n = 20, m = 50",
      "binding, n = 100, m = 250",
      "paper defaults, n = 20, m = 100",
      "paper defaults, n = 100, m = 100",
    ]);
    const paired = rowsOf<VerdictRow>("mechanisms-paired");
    const r = paired.find(
      (x) => x.scenario === "binding" && x.n === 20 && x.metric === "Eff" && x.baseline === "proportional",
    )!;
    expect(v.sentences[1]).to.contain(`better in ${r.wins}, equal in ${r.ties}, worse in ${r.losses} of 6`);
    expect(v.sentences[1]).to.contain(`Eff against proportional: ${r.verdict}`);
    expect(v.table.rows).to.have.length(4 * 4 * 3);
    expect(movielens.verdict!.sentences.slice(1).map((s) => s.split(":")[0])).to.deep.equal([
      "MovieLens users, binding (n = 20, m = 50)",
      "MovieLens users, paper defaults (n = 20, m = 100)",
    ]);
  });

  it("puts the verdict first in the report, its table linked and written", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "clearhouse-verdict-"));
    await writeReport(out, { title: "t", meta: {}, notes: [], experiments: [mechanisms, movielens] });
    const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
    const at = (s: string) => html.indexOf(s);
    expect(at('<section id="verdict">')).to.be.greaterThan(0);
    expect(at('<section id="verdict">')).to.be.below(at('<section id="side-by-side">'));
    expect(html).to.contain('href="tables/verdict-synthetic.csv"');
    const csv = fs
      .readFileSync(path.join(out, "tables", "verdict-synthetic.csv"), "utf8")
      .trim()
      .split("\n");
    expect(csv).to.have.length(1 + 4 * 4 * 3);
    expect(csv[0]).to.contain("relativeDifference");
  });
});
