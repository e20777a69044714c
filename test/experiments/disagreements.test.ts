import { expect } from "chai";
import {
  describeRanking,
  describeSeries,
  direction,
  levelDisagreement,
  monotone,
  ranking,
  rankingDisagreement,
  seriesDisagreements,
} from "../../src/clearing/experiments/disagreements";

const at = (i: number) => `tau = ${i / 2}`;

describe("Disagreements with the paper, found by rule", () => {
  it("reads a series' direction and shape, naming the turning point", () => {
    expect(direction([2.45, 2.28, 2.05, 1.78, 1.52])).to.equal("falls");
    expect(direction([0.6, 0.605])).to.equal("stays about flat");
    expect(monotone([0.6, 0.62, 0.64])).to.equal(true);
    expect(monotone([0.556, 0.58, 0.59, 0.584, 0.573])).to.equal(false);
    expect(describeSeries([0.556, 0.58, 0.59, 0.584, 0.573], at, 3)).to.equal(
      "rises from 0.556 to 0.573, not monotone: peaks at 0.590 (tau = 1)",
    );
  });

  it("names a reversed direction, a lost monotonicity and a level apart, each with its cause or 'unexplained'", () => {
    const paper = [0.42, 0.5, 0.65, 0.8, 0.95];
    expect(seriesDisagreements("Avg cost", paper, [0.43, 0.52, 0.66, 0.79, 0.96], at, {})).to.deep.equal([]);
    const reversed = seriesDisagreements("Avg cost", paper, [10.4, 10, 9.4, 8.8, 8.2], at, {
      direction: "spend falls",
    });
    expect(reversed[0]).to.equal(
      "Avg cost: the paper's rises from 0.42 to 0.95; ours falls from 10.40 to 8.20. Cause: spend falls.",
    );
    expect(reversed[1]).to.match(/^Avg cost: our level is 14\.\d\d times the paper's\. Cause: unexplained\.$/);
    const bent = seriesDisagreements(
      "1 - Gini",
      [0.6, 0.62, 0.64, 0.66, 0.68],
      [0.556, 0.58, 0.59, 0.584, 0.573],
      at,
      {},
    );
    expect(bent).to.have.length(1);
    expect(bent[0]).to.contain("not monotone").and.to.contain("Cause: unexplained.");
    expect(levelDisagreement("Gini", [0.18], [0.4])).to.have.length(1);
    expect(levelDisagreement("Gini", [0.35], [0.4])).to.deep.equal([]);
  });

  it("compares rankings, best first, with near-equal values tied", () => {
    const paper: Record<string, number> = { a: 7.13, b: 7.45, c: 7.94 };
    const ours: Record<string, number> = { a: 8.07, b: 8.016, c: 8.015 };
    const p = ranking(Object.keys(paper), (k) => paper[k], "higher");
    const o = ranking(Object.keys(ours), (k) => ours[k], "higher");
    expect(describeRanking(p, (k) => paper[k])).to.equal("best to worst: c, b, a");
    expect(describeRanking(o, (k) => ours[k])).to.equal("best to worst: a, b = c");
    expect(
      rankingDisagreement(
        "Eff",
        ["a", "b", "c"],
        (k) => paper[k],
        (k) => paper[k],
        "higher",
        "x",
      ),
    ).to.deep.equal([]);
    expect(
      rankingDisagreement(
        "Eff",
        ["a", "b", "c"],
        (k) => paper[k],
        (k) => ours[k],
        "higher",
        undefined,
        ["Table 4", "Table 6"],
      ),
    ).to.deep.equal([
      "Eff ranking: Table 4 best to worst: c, b, a; Table 6 best to worst: a, b = c. Cause: unexplained.",
    ]);
    expect(ranking(["x", "y"], (k) => ({ x: 0.4, y: 0.18 })[k]!, "lower")).to.deep.equal(["y", "x"]);
  });
});
