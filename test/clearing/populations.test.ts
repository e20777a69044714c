import { expect } from "chai";
import { aggregateDemand, type AgentType } from "../../src/clearing/agents/reference";
import { drawAgents, drawHeavyTail } from "../../src/clearing/agents/draw";
import { benchSettings } from "../../src/clearing/robustness/market";
import { jumpCapacity } from "../../src/clearing/robustness/scenarios";
import { roundsToConverge, simulate } from "../../src/clearing/sim/engine";
import { solveClearing } from "../../src/clearing/sim/equilibrium";
import { fromFixed } from "../../src/common/fixed";

/**
 * The adaptive rule on populations beyond the paper's, on the exact engine (equal to the contract,
 * test/clearing/convergence.test.ts): heavy-tailed values with beta near 0, fixed-fee jumps, one
 * agent, a thousand agents. Each run must converge, and to the exact clearing price: within 1e-4
 * of `mu*` where `S` is continuous, and at the feasible end (`S(mu) <= m`, `mu >= mu*`) where it jumps.
 */
describe("ClearingMarket: the adaptive rule on populations beyond the paper's (engine)", function () {
  this.timeout(120_000);
  const [tau, fixedFee] = [0.5, 1];

  function converges(agents: AgentType[], capacity: number, maxRounds = 300) {
    const market = { capacity, tau, fixedFee };
    const exact = solveClearing(agents, capacity, tau, fixedFee);
    const run = simulate(agents, benchSettings(agents, market, "adaptive", 1), { maxRounds, untilConverged: true });
    const at = roundsToConverge(run);
    expect(at, "converged").to.not.equal(undefined);
    const mu = fromFixed(run[at! - 1].mu);
    if (exact.gap) {
      expect(mu).to.be.at.least(exact.mu * (1 - 1e-9));
      expect(aggregateDemand(agents, tau, mu, fixedFee)).to.be.at.most(capacity * (1 + 1e-9));
    } else {
      expect(Math.abs(mu - exact.mu)).to.be.at.most(1e-4 * (tau + exact.mu));
    }
    return { rounds: at!, exact };
  }

  for (const seed of [1, 2, 3]) {
    it(`heavy tails (lognormal alpha, beta in [0.005, 0.015]), seed ${seed}`, () => {
      const { exact } = converges(drawHeavyTail(20, seed), 50);
      expect(exact.binding).to.equal(true);
    });

    it(`a fixed-fee jump of S over m, seed ${seed}`, () => {
      const agents = drawAgents(20, seed);
      const { exact } = converges(agents, jumpCapacity(agents, tau, fixedFee));
      expect(exact.gap).to.equal(true);
    });
  }

  it("one agent, capacity half its demand at a zero price", () => {
    const [agent] = drawAgents(1, 7);
    const { exact } = converges([agent], aggregateDemand([agent], tau, 0, fixedFee) / 2);
    expect(exact.binding).to.equal(true);
  });

  it("a thousand agents (m = 2.5 per agent, as the binding scenario)", () => {
    const { exact } = converges(drawAgents(1000, 11), 2500, 60);
    expect(exact.binding).to.equal(true);
  });
});
