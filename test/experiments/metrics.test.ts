import { expect } from "chai";
import {
  dynamicRegret,
  gini,
  meanStd,
  participation,
  priceOfFairness,
  resilience,
  waterFill,
} from "../../src/common/metrics";
import { efficiency, roundWelfare, surplus } from "../../src/clearing/sim/welfare";
import { playedRound } from "../playedRound";
import { toFixed } from "../../src/common/fixed";

describe("Metrics against hand-computed cases", () => {
  it("Eff: sum of alpha ln(1 + q) - (beta + tau) q - g over agents with q > 0", () => {
    const agents = [
      { alpha: 10, beta: 1 },
      { alpha: 4, beta: 2 },
      { alpha: 6, beta: 0.5 },
    ];
    // Agent 1: 10 ln 4 - 1.5 * 3 - 1; agent 2: 4 ln 2 - 2.5 - 1; agent 3 gets nothing and pays no g.
    const hand = 10 * Math.log(4) - 4.5 - 1 + (4 * Math.log(2) - 2.5 - 1);
    expect(efficiency(agents, [3, 1, 0], 0.5, 1)).to.be.closeTo(hand, 1e-12);
    expect(surplus(agents[2], 0, 0.5, 1)).to.equal(0);
  });

  it("Gini: equal shares 0, one holder (n - 1)/n, and a textbook case", () => {
    expect(gini([2, 2, 2, 2])).to.equal(0);
    expect(gini([0, 0, 0, 8])).to.be.closeTo(0.75, 1e-15);
    // Mean absolute difference / (2 mean): pairs |1-2|,|1-3|,|2-3| -> (2 (1 + 2 + 1)) / (9 * 2 * 2) = 2/9.
    expect(gini([1, 2, 3])).to.be.closeTo(2 / 9, 1e-15);
    expect(gini([])).to.equal(0);
  });

  it("participation, resilience, mean/std", () => {
    expect(participation([0, 1, 2, 0])).to.equal(0.5);
    expect(resilience([10, 12], [8, 9])).to.be.closeTo(8.5 / 11, 1e-15);
    expect(() => resilience([], [1])).to.throw(/empty window/);
    const s = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).to.equal(5);
    expect(s.std).to.be.closeTo(Math.sqrt(32 / 7), 1e-12);
  });

  it("dynamic regret accumulates optimum - achieved", () => {
    expect(dynamicRegret([5, 5, 6], [3, 5, 5.5])).to.deep.equal([2, 2, 2.5]);
    expect(() => dynamicRegret([1], [1, 2])).to.throw(/different lengths/);
  });

  it("water-filling: equal shares capped at demand, the rest shared among the others", () => {
    // Capacity 10 among caps 1, 4, 8: 1 to the first, then 4.5 each > 4, so 4, and the last gets 5.
    expect(waterFill([1, 8, 4], 10)).to.deep.equal([1, 5, 4]);
    expect(waterFill([1, 2], 10)).to.deep.equal([1, 2]);
  });

  it("price of fairness is the ratio of efficiencies and needs a positive fair efficiency", () => {
    expect(priceOfFairness(12, 10)).to.equal(1.2);
    expect(() => priceOfFairness(1, 0)).to.throw(/not positive/);
  });

  it("round welfare: pro-rata allocations of the contract, utilization, per-round optimum", () => {
    const agents = [
      { alpha: 10, beta: 1 },
      { alpha: 5, beta: 1 },
    ];
    const round = playedRound([toFixed(6), toFixed(2), null], toFixed(4), { round: 3n });
    const w = roundWelfare(round, agents);
    expect(w.allocations).to.deep.equal([3, 1]);
    expect(w.utilization).to.equal(1);
    expect(w.efficiency).to.be.closeTo(10 * Math.log(4) - 3 + 5 * Math.log(2) - 1, 1e-12);
    // Optimum at tau = 0, m = 4: x_i = alpha_i/(1 + mu) - 1 with 15/(1 + mu) - 2 = 4, so mu = 1.5 and
    // x* = (3, 1): here the pro-rata split happens to be the optimum.
    expect(w.optimum).to.be.closeTo(w.efficiency, 1e-9);
    // Equal demands of agents with different costs: pro rata splits 2/2, the optimum does not.
    const unequal = [
      { alpha: 10, beta: 1 },
      { alpha: 10, beta: 3 },
    ];
    const w2 = roundWelfare({ ...round, demands: [toFixed(4), toFixed(4)] }, unequal);
    expect(w2.allocations).to.deep.equal([2, 2]);
    // x* solves 10/(1 + mu) + 10/(3 + mu) = 6, i.e. 6 mu^2 + 4 mu - 22 = 0.
    const mu = (-4 + Math.sqrt(16 + 4 * 6 * 22)) / 12;
    expect(10 / (1 + mu) + 10 / (3 + mu)).to.be.closeTo(6, 1e-12);
    const xStar = [10 / (1 + mu) - 1, 10 / (3 + mu) - 1];
    expect(w2.optimum).to.be.closeTo(efficiency(unequal, xStar, 0, 0), 1e-9);
    expect(w2.optimum).to.be.greaterThan(w2.efficiency + 0.5);
  });
});
