import { expect } from "chai";
import { ethers } from "hardhat";
import { lipschitz } from "../../src/clearing/agents/reference";
import type { MarketSettings } from "../../src/clearing/model/settings";
import { runOnChain } from "../../src/clearing/chain/driver";
import { Population } from "../../src/clearing/agents/population";
import type { AgentType } from "../../src/clearing/agents/reference";
import type { ParamShock } from "../../src/clearing/sim/rounds";
import type { ClearingMarket } from "../../typechain-types";
import { simulate } from "../../src/clearing/sim/engine";
import { solveClearing } from "../../src/clearing/sim/equilibrium";
import { drawAgents } from "../../src/clearing/agents/draw";
import { fromFixed } from "../../src/common/fixed";
import { deployWithSettings } from "./fixture";

const deploy = (settings: MarketSettings) => deployWithSettings(settings);

interface PlayOptions {
  rounds: number;
  untilConverged?: boolean;
  /** Parameter changes, in rounds of this call (round 1 = the open round). */
  shocks?: ParamShock[];
  gamma?: number;
  /** The agents join first with 1000 (default) or have joined already. */
  join?: boolean;
}

/** Reference agents (agent i signs with account i + 1) play `market` through the batched driver. */
async function play(market: ClearingMarket, types: AgentType[], settings: MarketSettings, opts: PlayOptions) {
  const [owner, ...agents] = await ethers.getSigners();
  const population = new Population(types, 0, { gamma: opts.gamma ?? 0 });
  const run = await runOnChain(ethers.provider, market, agents, population, settings, {
    rounds: opts.rounds,
    untilConverged: opts.untilConverged,
    shocks: opts.shocks,
    deposit: opts.join === false ? 0n : ethers.parseEther("1000"),
    owner,
  });
  return run.rounds;
}

/**
 * Reference agents play the market on chain until it emits `Converged`; the final price must
 * equal the exact off-chain clearing price to 1e-9 relative.
 */
async function converge(n: number, seed: number, capacity: number, fixedFee: number) {
  const types = drawAgents(n, seed);
  const exact = solveClearing(types, capacity, 0.5, fixedFee);
  const settings: MarketSettings = {
    capacity,
    tau: 0.5,
    fixedFee,
    rule: "adaptive",
    eta: 1 / lipschitz(types, 0.5, fixedFee),
    tolPrimal: 1e-9 * capacity,
    tolDual: 1e-12,
    roundDuration: 3600,
  };
  const market = await deploy(settings);
  const rounds = await play(market, types, settings, { rounds: 80, untilConverged: true });
  const last = rounds[rounds.length - 1];
  return { exact, rounds, last, mu: fromFixed(last.nextMu), demand: fromFixed(last.totalDemand) };
}

describe("ClearingMarket: convergence of reference agents to the exact clearing price", () => {
  it("binding capacity (n = 20, m = 50, g = 0): mu_T = mu* to 1e-9 relative", async () => {
    const { exact, rounds, last, mu } = await converge(20, 7, 50, 0);
    expect(exact.binding).to.equal(true);
    expect(exact.gap).to.equal(false);
    expect(last.converged).to.equal(true);
    expect(Math.abs(mu - exact.mu) / exact.mu).to.be.lessThan(1e-9);
    expect(rounds.length).to.be.lessThan(15);
  });

  it("slack capacity (n = 20, m = 100, g = 1): mu stays exactly 0", async () => {
    const { exact, rounds, last } = await converge(20, 7, 100, 1);
    expect(exact.binding).to.equal(false);
    expect(rounds.length).to.equal(1);
    expect(last.converged).to.equal(true);
    expect(last.nextMu).to.equal(0n);
    expect(last.primalResidual).to.equal(0n);
  });

  it("fixed-fee drop-outs make S jump over m: converges to the smallest mu with S <= m", async () => {
    // Find a capacity at which the exact solution sits on a jump of S (deterministic search).
    const types = drawAgents(20, 11);
    let capacity = 0;
    for (let m = 20; m <= 80 && !capacity; m++) if (solveClearing(types, m, 0.5, 3).gap) capacity = m;
    expect(capacity, "a capacity with a jump exists").to.be.greaterThan(0);
    const { exact, last, mu, demand } = await converge(20, 11, capacity, 3);
    expect(exact.gap).to.equal(true);
    expect(last.converged).to.equal(true);
    expect(Math.abs(mu - exact.mu) / exact.mu).to.be.lessThan(1e-9);
    expect(demand).to.be.at.most(capacity);
    // No root: leftover capacity stays unallocated; the primal residual is the jump, not 0.
    expect(fromFixed(last.primalResidual)).to.be.greaterThan(1e-3);
  });

  it("re-converges after shocks: tau 0.5 -> 1.5 through governance, then 5 agents leave", async () => {
    const types = drawAgents(20, 7);
    const settings: MarketSettings = {
      capacity: 20,
      tau: 0.5,
      fixedFee: 0,
      rule: "adaptive",
      eta: 1 / lipschitz(types, 0.5, 0),
      tolPrimal: 1e-9 * 20,
      tolDual: 1e-12,
      roundDuration: 3600,
    };
    const market = await deploy(settings);
    const first = await play(market, types, settings, { rounds: 40, untilConverged: true });
    expect(first[first.length - 1].converged).to.equal(true);

    // Shock 1: the per-unit fee triples from the next round on.
    const afterFee = await play(market, types, settings, {
      rounds: 40,
      untilConverged: true,
      shocks: [{ round: 2, set: { tau: 1.5 } }],
      join: false,
    });
    const exactFee = solveClearing(types, 20, 1.5, 0);
    expect(exactFee.mu, "still binding after the fee shock").to.be.greaterThan(1);
    const last = afterFee[afterFee.length - 1];
    expect(last.converged).to.equal(true);
    expect(Math.abs(fromFixed(last.nextMu) - exactFee.mu) / exactFee.mu).to.be.lessThan(1e-9);
    expect(afterFee.length).to.be.lessThan(15);

    // Shock 2: a quarter of the agents leave; the others face less competition.
    const signers = await ethers.getSigners();
    for (const s of signers.slice(16, 21)) await market.connect(s).leave();
    const stay = types.slice(0, 15);
    const afterExit = await play(market, stay, { ...settings, tau: 1.5 }, { rounds: 40, join: false });
    const exactExit = solveClearing(stay, 20, 1.5, 0);
    expect(exactExit.mu, "still binding after the exits").to.be.greaterThan(0.3);
    const tail = afterExit.findLastIndex((r) => !r.converged);
    expect(tail, "converged again and stayed converged").to.be.lessThan(afterExit.length - 5);
    const end = afterExit[afterExit.length - 1];
    expect(Math.abs(fromFixed(end.nextMu) - exactExit.mu) / exactExit.mu).to.be.lessThan(1e-9);
  });

  it("the off-chain engine reproduces the contract bit for bit on random runs", async () => {
    for (const [rule, gamma, fixedFee] of [
      ["constant", 0.3, 1],
      ["diminishing", 0, 0.5],
      ["adaptive", 0.5, 1],
    ] as const) {
      const types = drawAgents(12, 99);
      const settings: MarketSettings = {
        capacity: 25,
        tau: 0.4,
        fixedFee,
        rule,
        eta: 1.5 / lipschitz(types, 0.4, fixedFee),
        tolPrimal: 1e-6,
        tolDual: 1e-9,
        roundDuration: 3600,
      };
      const market = await deploy(settings);
      const chain = await play(market, types, settings, { rounds: 12, gamma });
      const engine = simulate(types, settings, { maxRounds: 12, gamma });
      expect(chain.length).to.equal(engine.length);
      chain.forEach((c, i) => {
        const e = engine[i];
        expect(
          [c.totalDemand, c.mu, c.nextMu, c.primalResidual, c.dualResidual, c.converged],
          `${rule} round ${i + 1}`,
        ).to.deep.equal([e.totalDemand, e.mu, e.nextMu, e.primalResidual, e.dualResidual, e.converged]);
      });
    }
  });
});
