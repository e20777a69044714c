import { expect } from "chai";
import hre from "hardhat";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { solveClearing } from "../../src/clearing/sim/equilibrium";
import { efficiency } from "../../src/clearing/sim/welfare";
import { gini } from "../../src/common/metrics";
import { playMechanism } from "../../src/clearing/experiments/baselines";

describe("Mechanisms and the experiments task", () => {
  // Two agents, tau = 0, g = 0: demands at price p are alpha/(beta + p) - 1.
  const agents = [
    { alpha: 12, beta: 1 },
    { alpha: 6, beta: 1 },
  ];
  const market = { agents, capacity: 4, tau: 0, fixedFee: 0 };

  it("no enforcement: demands at zero fees (11 and 5), the resource delivers 4 pro rata, own cost on all demand", () => {
    const o = playMechanism("no enforcement", market);
    const delivered = [(11 * 4) / 16, (5 * 4) / 16];
    expect(o.efficiency).to.be.closeTo(12 * Math.log1p(delivered[0]) + 6 * Math.log1p(delivered[1]) - 11 - 5, 1e-9);
    expect(o.avgCost).to.be.closeTo(8, 1e-9);
    expect(o.gini).to.be.closeTo(gini(delivered), 1e-12);
    expect(o.utilization).to.be.closeTo(1, 1e-12);
  });

  it("proportional: the contract rations the same demands pro rata, cost only on what is allocated", () => {
    const o = playMechanism("proportional", market);
    const q = [2.75, 1.25];
    expect(o.efficiency).to.be.closeTo(efficiency(agents, q, 0, 0), 1e-9);
    expect(o.avgCost).to.be.closeTo(2, 1e-9);
  });

  it("proposed: converges to the clearing allocation; flat with mu_flat = mu* gives the same", () => {
    const star = solveClearing(agents, 4, 0, 0);
    const o = playMechanism("proposed", market);
    expect(o.converged).to.equal(true);
    expect(o.efficiency).to.be.closeTo(efficiency(agents, star.x, 0, 0), 1e-6);
    const flat = playMechanism("flat", market, star.mu);
    expect(flat.efficiency).to.be.closeTo(o.efficiency, 1e-6);
    // A flat price that is too low rations pro rata and loses efficiency against the clearing price.
    expect(playMechanism("flat", market, star.mu / 2).efficiency).to.be.lessThan(o.efficiency - 1e-3);
  });

  it("the experiments task rejects bad arguments and malformed data with a one-line error, writing nothing", async () => {
    const out = path.join(os.tmpdir(), `clearhouse-task-${process.pid}`);
    await expect(hre.run("experiments", { replications: 1, seed: 1, out })).to.be.rejectedWith(
      "experiments: --replications: Number must be greater than or equal to 2",
    );
    await expect(
      hre.run("experiments", { replications: 2, seed: 1, out, only: "convergence,nope" }),
    ).to.be.rejectedWith(/experiments: --only.*: Invalid enum value/);
    const bad = path.join(os.tmpdir(), `u-${process.pid}.data`);
    fs.writeFileSync(bad, "1\t2\t3\t4\n1\t2\tx\t4\n");
    await expect(
      hre.run("experiments", { replications: 2, seed: 1, out, only: "movielens", movielens: bad }),
    ).to.be.rejectedWith(`experiments: ${bad} line 2: rating "x" is not a non-negative integer`);
    expect(fs.existsSync(out)).to.equal(false);
  });
});
