import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { lipschitz } from "../../src/clearing/agents/reference";
import { runOnChain } from "../../src/clearing/chain/driver";
import type { MarketSettings } from "../../src/clearing/model/settings";
import { runEngine } from "../../src/clearing/sim/engine";
import { type DynamicsInput, Population } from "../../src/clearing/agents/population";
import type { ParamShock } from "../../src/clearing/sim/rounds";
import { drawAgents } from "../../src/clearing/agents/draw";
import { roundWelfare } from "../../src/clearing/sim/welfare";
import { playOnChain } from "../../src/clearing/experiments/chainPlay";
import { describePlay, summarizePlay } from "../../src/clearing/experiments/playSummary";
import { MARKET_INTERFACE } from "../../src/clearing/parties/abi";
import { chainEnv, deployClearingMarket } from "../../src/hardhat/adapter";

describe("Chain driver and engine", () => {
  const n = 14;
  const types = drawAgents(n, 4242);
  const settings: MarketSettings = {
    capacity: 30,
    tau: 0.5,
    fixedFee: 1,
    rule: "adaptive",
    eta: 1 / lipschitz(types.slice(0, n - 3), 0.5, 1),
    tolPrimal: 1e-6,
    tolDual: 1e-9,
    roundDuration: 3600,
  };
  const dynamics: DynamicsInput = {
    gamma: 0.4,
    noise: 0.05,
    drift: 0.02,
    reserve: 3,
    participation: [
      { round: 4, leave: 2, join: 0 },
      { round: 7, leave: 0, join: 3 },
    ],
  };
  const shocks: ParamShock[] = [{ round: 6, set: { tau: 1.5, fixedFee: 0.5 } }];

  it("a batched chain run with noise, drift, exits, entries and a tau shock equals the engine bit for bit, read from events", async () => {
    const signers = await ethers.getSigners();
    const market = await deployClearingMarket(hre, settings);
    const chain = await runOnChain(
      ethers.provider,
      market,
      signers.slice(1),
      new Population(types, 77, dynamics),
      settings,
      {
        rounds: 10,
        shocks,
        deposit: ethers.parseEther("1000"),
        owner: signers[0],
      },
    );
    const engine = runEngine(new Population(types, 77, dynamics), settings, { rounds: 10, shocks });
    expect(chain.batched, "Hardhat network batches").to.equal(true);
    expect(chain.rounds).to.have.length(10);
    expect(chain.rounds).to.deep.equal(engine);
    // Exits and entries are visible in who submitted; the shock in the fees in force.
    expect(chain.rounds[2].demands.filter((d) => d !== null)).to.have.length(n - 3);
    expect(chain.rounds[3].demands.filter((d) => d !== null)).to.have.length(n - 5);
    expect(chain.rounds[6].demands.filter((d) => d !== null)).to.have.length(n - 2);
    expect(chain.rounds[4].tau).to.equal(ethers.parseEther("0.5"));
    expect(chain.rounds[5].tau).to.equal(ethers.parseEther("1.5"));
    expect(chain.rounds[5].fixedFee).to.equal(ethers.parseEther("0.5"));
    // One block for each round's transactions and one for its close (plus the joins).
    expect(chain.blocks).to.equal(1 + 2 * 10);
    // Welfare from the chain's records: allocations never exceed capacity.
    for (const [t, r] of chain.rounds.entries()) {
      const w = roundWelfare(r, chain.types[t]);
      expect(w.allocations.reduce((a, b) => a + b, 0)).to.be.at.most(settings.capacity + 1e-12);
    }
  });

  it("clearing:play's summary: convergence, the shock's prices, R, settled charges and Gini, from the run's events", async () => {
    const env = await chainEnv(hre);
    const play = await playOnChain(env, {
      agents: 10,
      capacity: 10,
      tau: 0.5,
      fixedFee: 1,
      rule: "adaptive",
      etaTimesL: 1,
      rounds: 14,
      seed: 3,
      dynamics: {},
      shocks: [{ round: 8, set: { tau: 1.5 } }],
      untilConverged: false,
    });
    const s = await summarizePlay(env.provider, play, [{ round: 8, set: { tau: 1.5 } }]);
    const rows = play.result.tables[0].rows as {
      round: number;
      mu: number;
      converged: boolean;
      efficiency: number;
      gini: number;
    }[];
    const settled = (await ethers.provider.getLogs({ address: play.market, fromBlock: 0 }))
      .map((l) => MARKET_INTERFACE.parseLog(l)!)
      .filter((e) => e.name === "Settled");
    const fees = settled.reduce((sum, e) => sum + e.args.fee, 0n);
    expect(s.rounds).to.equal(14);
    expect(s.convergedAt).to.equal(rows.find((r) => r.converged)?.round ?? null);
    expect(s.shocks[0].muBefore).to.equal(rows[6].mu);
    expect(s.shocks[0].muAfter).to.equal(rows[13].mu);
    expect(s.shocks[0].muAfter).to.be.lessThan(s.shocks[0].muBefore); // a dearer tau lowers the congestion price
    expect(s.resilience).to.be.closeTo(
      rows.slice(7, 12).reduce((a, r) => a + r.efficiency, 0) / rows.slice(2, 7).reduce((a, r) => a + r.efficiency, 0),
      1e-12,
    );
    expect(s.feesSettled).to.be.closeTo(Number(fees) / 1e18, 1e-9);
    expect(s.meanGini).to.be.closeTo(rows.reduce((a, r) => a + r.gini, 0) / 14, 1e-12);
    const lines = describePlay(s);
    expect(lines[1]).to.match(
      new RegExp(
        `^shock at round 8 \\(tau 1\\.5\\): mu ${rows[6].mu.toFixed(4)} before, ${rows[13].mu.toFixed(4)} at the end; `,
      ),
    );
  });

  it("the engine is reproducible from its seed and differs with another seed", () => {
    const a = runEngine(new Population(types, 1, dynamics), settings, { rounds: 8, shocks });
    const b = runEngine(new Population(types, 1, dynamics), settings, { rounds: 8, shocks });
    const c = runEngine(new Population(types, 2, dynamics), settings, { rounds: 8, shocks });
    expect(a).to.deep.equal(b);
    expect(a.map((r) => r.totalDemand)).to.not.deep.equal(c.map((r) => r.totalDemand));
  });
});
