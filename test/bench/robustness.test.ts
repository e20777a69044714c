import { expect } from "chai";
import { ATTACKS, Attacked } from "../../src/clearing/agents/attackers";
import { GapFaker } from "../../src/clearing/agents/gapFaker";
import { BINDING_MARKET, benchSettings } from "../../src/clearing/robustness/market";
import { SHOCK_SCENARIOS } from "../../src/clearing/robustness/scenarios";
import { solveClearing } from "../../src/clearing/sim/equilibrium";
import type { PlayedRound } from "../../src/clearing/sim/rounds";
import { fromFixed, toFixed } from "../../src/common/fixed";
import { drawAgents } from "../../src/clearing/agents/draw";
import { Population } from "../../src/clearing/agents/population";
import { runEngine } from "../../src/clearing/sim/engine";
import { allocations } from "../../src/clearing/sim/rationing";
import { playedRound } from "../playedRound";
import { settingsFor } from "../../src/clearing/experiments/scenarios";
import { measureAttacks } from "../../src/bench/attacks";
import { measureRobustness } from "../../src/bench/robustness";
import { renderRobustnessTables, robustnessSummaryRows } from "../../src/bench/renderRobustness";
import { measureScenarioSeed, summarizeScenario, warmUp } from "../../src/clearing/robustness/shocks";
import {
  bracketBound,
  climbFloor,
  firstBracket,
  griefingFactor,
  inflationGain,
  isDead,
  jsonFactor,
  rankQuantile,
  regretPerRound,
  roundPayoff,
  roundsToReconverge,
  stayedConverged,
} from "../../src/clearing/robustness/metrics";

const U = 10n ** 18n;
const flags = (...runs: [boolean, number][]) => runs.flatMap(([v, n]) => Array<boolean>(n).fill(v));
const round = (demands: (bigint | null)[], capacity = 10n * U) => playedRound(demands, capacity);

describe("Robustness benchmark: measures", () => {
  it("re-convergence needs 20 converged rounds in a row, counted from the shock round", () => {
    expect(roundsToReconverge(flags([false, 2], [true, 20]), 0)).to.equal(3);
    expect(roundsToReconverge(flags([true, 20]), 0)).to.equal(1);
    // a stay of 19 broken by one round does not count; the next full stay does
    expect(roundsToReconverge(flags([true, 19], [false, 1], [true, 20]), 0)).to.equal(21);
    // converged before the shock counts for nothing
    expect(roundsToReconverge(flags([true, 10], [false, 3], [true, 20]), 10)).to.equal(4);
    expect(roundsToReconverge(flags([false, 1], [true, 19]), 0)).to.equal(undefined);
    expect(stayedConverged(flags([false, 5], [true, 20]), 5)).to.equal(true);
    expect(stayedConverged(flags([false, 5], [true, 20]), 6)).to.equal(false);
  });

  it("a dead round: demand at the clearing price, nothing allocated", () => {
    const series = [round([0n, 0n, null]), round([U, 0n, null]), round([0n, 0n]), round([20n * U, 20n * U])];
    const dead = series.filter((r) => isDead(allocations("pro-rata", r), 3)).length;
    expect(dead).to.equal(2);
    expect(isDead(allocations("pro-rata", series[0]), 0), "nobody would demand").to.equal(false);
    expect(allocations("pro-rata", series[3])).to.deep.equal([5n * U, 5n * U]);
  });

  it("the uniform rule as the contract settles it: water-filling within a bucket width, pro rata beside it", () => {
    const r = round([U, 3n * U, 8n * U, 20n * U, null]); // m = 10: lambda = 3
    const uniform = allocations("uniform", r);
    expect(uniform[0]).to.equal(U);
    expect(uniform[4]).to.equal(0n);
    for (const q of uniform.slice(1, 4)) expect(Number(q) / 1e18).to.be.closeTo(3, 3 / 16);
    expect(uniform[2]).to.equal(uniform[3]);
    expect(uniform.reduce((a, b) => a + b, 0n) <= 10n * U).to.equal(true);
    expect(allocations("pro-rata", r)[3]).to.equal((20n * U * 10n * U) / (32n * U));
    // Within capacity both rules give every demand.
    const slack = round([U, 2n * U]);
    expect(allocations("uniform", slack)).to.deep.equal([U, 2n * U]);
  });

  it("griefing factor, inflation gain, quantiles, regret and a Sybil's payoff", () => {
    expect(griefingFactor(5, 0)).to.equal(Infinity);
    expect(jsonFactor(griefingFactor(5, -1))).to.equal("Infinity");
    expect(griefingFactor(5, 2)).to.equal(2.5);
    expect(griefingFactor(0, 3)).to.equal(0);
    expect(jsonFactor(2.5)).to.equal(2.5);
    expect(inflationGain(12, 10, 1)).to.be.closeTo(0.2, 1e-12);
    expect(inflationGain(8, 10, 1)).to.be.closeTo(-0.2, 1e-12);
    expect(inflationGain(0.5, 0.2, 1), "g floors the scale").to.be.closeTo(0.3, 1e-12);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(rankQuantile(twenty, 0.5)).to.equal(10);
    expect(rankQuantile(twenty, 0.9)).to.equal(18);
    expect(rankQuantile([...twenty.slice(0, 17), undefined, undefined, undefined], 0.9)).to.equal(null);
    expect(regretPerRound([10, 10], [9, 10])).to.be.closeTo(0.05, 1e-12);
    const a = { alpha: 10, beta: 1 };
    expect(roundPayoff(a, [3, 3], [1, 1], 1, 0.5)).to.be.closeTo(10 * Math.log(3) - 4 - 1, 1e-12);
    expect(roundPayoff(a, [0, 0], [0, 0], 1, 0.5)).to.equal(0);
    expect(roundPayoff(a, [1], [0], 1, 0.5), "the fee is due on the demand").to.equal(-0.5);
  });

  it("cold starts: the climb floor of the move bound, the first bracket and bisection's bound from it", () => {
    // round 1 posts 0, round 2 at most eta m = 1, round 3 at most 2, round k at most 2^(k - 2)
    expect(climbFloor(0, 1), "a market accepted at mu = 0").to.equal(1);
    expect(climbFloor(1, 1)).to.equal(2);
    expect(climbFloor(0.5, 1)).to.equal(2);
    expect(climbFloor(2, 1)).to.equal(3);
    expect(climbFloor(2.01, 1)).to.equal(4);
    expect(climbFloor(1000, 1)).to.equal(12);
    expect(() => climbFloor(1, 0)).to.throw("eta m must be positive");
    // excess demand at 0, 1 and 2, none at 3: the bracket [2, 3] forms in round 4
    expect(firstBracket([0, 1, 2, 3, 2.5], [5, 4, 1, -1, 1])).to.deep.equal({ round: 4, width: 1 });
    // the highest price with excess demand bounds it, not the last
    expect(firstBracket([0, 2, 1, 3], [5, 1, 2, -1])).to.deep.equal({ round: 4, width: 1 });
    expect(firstBracket([1, 2], [-1, -1]), "no excess demand before").to.equal(undefined);
    expect(firstBracket([0, 1], [3, 2]), "never bracketed").to.equal(undefined);
    expect(bracketBound(1, 1 / 1024)).to.equal(15);
    expect(bracketBound(1, 1 / 1000)).to.equal(15);
    expect(bracketBound(1e-9, 1), "already narrower than the tolerance").to.equal(5);
  });

  it("cold starts: jump's rounds split into the climb and bisection within log2(w0 / tol) + 5", () => {
    const samples = [1, 2].map((seed) => {
      const [s] = measureScenarioSeed("jump", { rule: "adaptive", k: 1 }, seed, ["uniform"]);
      if (!("cold" in s) || s.cold === undefined || s.rounds === null) throw new Error("jump is a cold start");
      return { ...s, cold: s.cold, rounds: s.rounds };
    });
    for (const s of samples) {
      expect(s.cold.climbFloor).to.be.within(3, s.rounds);
      expect(s.cold.afterBracket).to.be.within(1, s.rounds - 2);
      expect(s.cold.withinBracketBound).to.equal(true);
    }
    const entry = summarizeScenario(samples);
    expect(entry).to.include({ seeds: 2, seedsBracketed: 2, seedsWithinBracketBound: 2 });
    expect(entry).to.have.property("roundsBeyondClimb").above(0);
    const warm = summarizeScenario(
      [1, 2].map((seed) => measureScenarioSeed("exit-quarter", { rule: "adaptive", k: 1 }, seed, ["uniform"])[0]),
    );
    expect(warm, "a warm start has no floors").to.not.have.property("climbFloor");
    // Heavy-tailed population 2 converges from below (excess within tolPrimal): no bracket before it, so its
    // rounds after the first bracket are not counted, nor (vacuously) within the bound.
    const [below] = measureScenarioSeed("heavy-tail", { rule: "adaptive", k: 1 }, 2, ["uniform"]);
    if (!("cold" in below) || below.cold === undefined) throw new Error("heavy-tail is a cold start");
    expect(below.cold).to.include({ afterBracket: null, withinBracketBound: false });
    expect(below.rounds).to.be.at.least(below.cold.climbFloor);
    const mixed = summarizeScenario([samples[0], below]);
    expect(mixed).to.include({ seeds: 2, seedsBracketed: 1, roundsAfterFirstBracket: samples[0].cold.afterBracket });
  });

  it("renders a cold start's floors in the tables and in the README's rows (uniform, the default, first)", () => {
    const warm = { roundsToReconverge: 6, roundsToReconvergeP90: 7, deadRounds: 0, deadRoundsP90: 0 };
    const cold = {
      ...warm,
      roundsToReconverge: 28,
      roundsToReconvergeP90: 31,
      climbFloor: 7,
      roundsBeyondClimb: 21,
      roundsBeyondClimbP90: 23,
      roundsAfterFirstBracket: 21,
      roundsAfterFirstBracketP90: 23,
      seedsWithinBracketBound: 19,
      seedsBracketed: 20,
      seeds: 20,
    };
    const robustness = {
      "exit-quarter": { "adaptive/uniform": warm, "adaptive/pro-rata": warm },
      jump: { "adaptive/uniform": cold, "adaptive/pro-rata": cold },
      "noise-drift": {
        "adaptive/uniform": { regretPerRound: 0.0023886 },
        "constant-best/uniform": { regretPerRound: 0.0023855 },
        "adaptive/pro-rata": { regretPerRound: 0.0021793 },
        "constant-best/pro-rata": { regretPerRound: 0.002197 },
      },
    };
    const harm = (harmRounds: number) => ({ harmRounds, attackRounds: 1, griefingFactor: 2, inflationGain: -1 });
    const attacks = { "inflate-once": { "adaptive/uniform": harm(0.70575), "adaptive/pro-rata": harm(1.82) } };
    const results = { gas: {}, convergence: {}, robustness, attacks };
    expect(robustnessSummaryRows(results)).to.deep.equal([
      [
        "Slowest recovery from a shock, adaptive rule, either rationing (median rounds)",
        "28 (jump: climb floor 7, then 21 rounds after the first bracket, within log2(w0/tol) + 5 on 19 of 20 seeds; " +
          "issue 13 counts from mu = 0: not met)",
      ],
      [
        "Harm of one 10,000-unit demand, adaptive rule, uniform / pro-rata (rounds of the others' welfare)",
        "0.706 / 1.82",
      ],
      [
        "Noise-drift regret per round, adaptive vs the best constant step, uniform / pro-rata",
        "0.002389 vs 0.002386 / 0.002179 vs 0.002197",
      ],
    ]);
    // A figure missing under one rationing rule leaves its row out rather than half filled.
    delete (attacks["inflate-once"] as Record<string, unknown>)["adaptive/pro-rata"];
    expect(robustnessSummaryRows(results).map((r) => r[0])).to.not.include(
      "Harm of one 10,000-unit demand, adaptive rule, uniform / pro-rata (rounds of the others' welfare)",
    );
    const coldTable = renderRobustnessTables(results).find((t) => t.includes("| climb floor |"))!;
    expect(coldTable).to.contain("| jump | adaptive/pro-rata | 28 / 31 | 7 | 21 / 23 | 21 / 23 | 19 of 20 (of 20) |");
    expect(coldTable, "a warm start has no row among the cold starts").to.not.contain("exit-quarter");
  });

  it("an attacker is a participant: truthful it changes nothing, attacking it splits over its identities", () => {
    const agents = drawAgents(5, 3);
    const settings = settingsFor(agents, 10, 0.5, 1);
    const plain = runEngine(new Population(agents, 1), settings, { rounds: 8 });
    const truthful = runEngine(new Attacked(new Population(agents, 1), 0, null, 3, 10), settings, { rounds: 8 });
    expect(truthful).to.deep.equal(plain);
    const sybil = ATTACKS.find((s) => s.name === "sybil-split-5")!;
    const who = new Attacked(new Population(agents, 1), 2, sybil, 3, 10);
    expect(who.identities).to.deep.equal([2, 5, 6, 7, 8]);
    const run = runEngine(who, settings, { rounds: 4 });
    expect(run[1].demands.slice(5)).to.deep.equal([0n, 0n, 0n, 0n]);
    expect(run[2].demands.filter((d) => d === 2000n * U)).to.have.length(5);
    expect(run[3].demands[2], "the attack is over").to.not.equal(2000n * U);
    expect(run[3].demands.slice(5)).to.deep.equal([0n, 0n, 0n, 0n]);
    // A truthful Sybil splits what it truly wants at the posted price, in equal parts, in its attack round.
    const truthfulSybil = ATTACKS.find((s) => s.name === "sybil-truthful-5-at-zero-price")!;
    const split = runEngine(new Attacked(new Population(agents, 1), 2, truthfulSybil, 1, 10), settings, { rounds: 1 });
    const parts = [2, 5, 6, 7, 8].map((i) => split[0].demands[i]!);
    expect(new Set(parts).size).to.equal(1);
    expect(parts[0] * 5n).to.be.closeTo(plain[0].demands[2]!, 4n); // truncated to the wei
  });
});

describe("Robustness: an agent that fakes a fixed-fee gap", () => {
  // Paper population 1 (20 agents, m = 50): the faker asks 5 units more until the market converges,
  // then answers the rule's probe with 5 more, so the rule certifies a gap and leaves 5 units idle.
  const agents = drawAgents(20, 1);
  const settings = benchSettings(agents, BINDING_MARKET, "adaptive", 1);
  const start = warmUp(agents, 1, settings) + 1;
  const honest = runEngine(new Population(agents, 1), settings, { rounds: start + 120 });
  const idle = (r: PlayedRound) => fromFixed(r.capacity - r.totalDemand);
  const play = (persistent: boolean) => {
    const faker = new GapFaker(new Population(agents, 1), 0, 5, start, persistent);
    const run = runEngine(faker, settings, { rounds: start + 120, onRound: (r) => faker.observe(r) });
    return { run, deviations: faker.deviations };
  };

  it("is believed for 32 rounds after its answer, then the re-probe finds the clearing price again", () => {
    const { run, deviations } = play(false);
    const answer = deviations[deviations.length - 1]; // the answered probe (1-based round)
    const faked = run.slice(answer, answer + 31); // the 31 rounds after it, at the certified gap's hi
    expect(
      faked.every((r) => r.converged && idle(r) > 4.99),
      "the faked gap holds, reported converged",
    ).to.equal(true);
    expect(run[answer + 31].converged, "the 32nd round at hi re-probes").to.equal(false);
    // Unanswered, the probe drops lo: within 10 rounds the market is back at the honest price, capacity used.
    const back = run.findIndex((r, i) => i > answer + 31 && r.converged);
    expect(back - (answer + 31)).to.be.at.most(10);
    const last = run[run.length - 1];
    expect(Math.abs(fromFixed(last.mu - honest[honest.length - 1].mu))).to.be.at.most(settings.tolDual);
    expect(idle(last)).to.be.at.most(settings.tolPrimal);
  });

  it("answering every probe costs one inflated round per 33", () => {
    const { deviations } = play(true);
    const answers = deviations.filter((t, i) => i > 0 && t - deviations[i - 1] > 1);
    expect(answers.length).to.be.at.least(3);
    expect(answers.slice(1).map((t, i) => t - answers[i])).to.deep.equal(Array(answers.length - 1).fill(33));
  });
});

describe("Robustness: an agent that shaves its demand at a genuine gap", () => {
  // The jump scenario's population 1: S jumps over m at the clearing price (a fixed-fee drop-out), so the
  // converged market sits at hi with a shortfall. From then on one agent asks 2 tolPrimal less whenever the
  // market sat at the same price twice: the shortfall at hi grows by more than tolPrimal in every such round.
  const { agents, market } = SHOCK_SCENARIOS.jump(1);
  const settings = benchSettings(agents, market, "adaptive", 1);
  const star = solveClearing(agents, market.capacity, market.tau, market.fixedFee);
  const cut = 2n * toFixed(settings.tolPrimal);

  class Shaver extends Attacked {
    shaves = 0;
    private readonly seen: PlayedRound[] = [];
    demands(price: number, fixedFee: number): (bigint | null)[] {
      const out = super.demands(price, fixedFee);
      const [before, last] = this.seen.slice(-2);
      const atHiAgain = before && last && before.mu === last.mu && last.nextMu === last.mu;
      const own = out[this.attacker] ?? 0n;
      if (this.round >= this.start && atHiAgain && own > cut) {
        out[this.attacker] = own - cut;
        this.shaves++;
      }
      return out;
    }
    observe(r: PlayedRound): void {
      this.seen.push(r);
    }
  }

  it("cannot push the price below the gap: a shortfall that grew by less than lo's excess probes lo, keeps it", () => {
    expect(star.gap).to.equal(true);
    const start = warmUp(agents, 1, settings) + 1;
    const shaver = new Shaver(
      new Population(agents, 1),
      star.x.findIndex((x) => x > 0),
      null,
      start,
      0,
    );
    const run = runEngine(shaver, settings, { rounds: start + 200, onRound: (r) => shaver.observe(r) });
    expect(shaver.shaves).to.be.at.least(20);
    const below = run.slice(start - 1).filter((r) => fromFixed(r.mu) < star.mu - settings.tolDual);
    expect(below.length, "rounds posted below the clearing price").to.equal(0);
  });
});

describe("Robustness benchmark: tiny runs", function () {
  this.timeout(30_000);

  it("robustness: every rule and constant-best per scenario, plausible figures", () => {
    const r = measureRobustness({ seeds: [1, 2], scenarios: ["exit-quarter", "noise-drift"] });
    expect(Object.keys(r)).to.deep.equal(["exit-quarter", "noise-drift"]);
    const keys = ["adaptive", "diminishing", "constant", "constant-best"].flatMap((rule) => [
      `${rule}/pro-rata`,
      `${rule}/uniform`,
    ]);
    for (const sc of Object.values(r)) expect(Object.keys(sc).sort()).to.deep.equal([...keys].sort());
    const adaptive = r["exit-quarter"]["adaptive/pro-rata"];
    expect(adaptive).to.have.all.keys("roundsToReconverge", "roundsToReconvergeP90", "deadRounds", "deadRoundsP90");
    expect(adaptive).to.have.property("roundsToReconverge").within(1, 30);
    expect(adaptive).to.have.property("deadRounds").equal(0);
    const regret = r["noise-drift"]["adaptive/pro-rata"] as { regretPerRound: number };
    expect(regret.regretPerRound).to.be.within(0, 0.1);
    const best = r["noise-drift"]["constant-best/pro-rata"] as { regretPerRound: number };
    const constant = r["noise-drift"]["constant/pro-rata"] as { regretPerRound: number };
    expect(best.regretPerRound).to.be.at.most(constant.regretPerRound);
  });

  it("attacks: an inflated round harms the others and costs its sender", () => {
    const attacks = ATTACKS.filter((a) => a.name === "inflate-once" || a.name === "sybil-split-2");
    const r = measureAttacks({ seeds: [1], attacks });
    expect(Object.keys(r)).to.deep.equal(["inflate-once", "sybil-split-2"]);
    expect(Object.keys(r["inflate-once"]).sort()).to.deep.equal([
      "adaptive/pro-rata",
      "adaptive/uniform",
      "constant/pro-rata",
      "constant/uniform",
      "diminishing/pro-rata",
      "diminishing/uniform",
    ]);
    for (const e of Object.values(r["inflate-once"])) {
      expect(e.attackRounds).to.equal(1);
      expect(e.harmRounds).to.be.greaterThan(0.5);
      expect(e.inflationGain, "10,000 units at the posted price cost more than they are worth").to.be.lessThan(0);
      expect(e.griefingFactor).to.be.a("number").greaterThan(0);
    }
    const once = r["inflate-once"]["adaptive/pro-rata"];
    const split = r["sybil-split-2"]["adaptive/pro-rata"];
    expect(split.inflationGain, "one more fixed fee, the same allocation").to.be.lessThan(once.inflationGain);
    // Under the uniform rule the inflated demand gets only the water level: it gains nothing.
    expect(r["inflate-once"]["adaptive/uniform"].inflationGain).to.be.at.most(0.02);
    // Two identities take two water levels, but at the converged price the second level is worth about what it
    // costs, and its fixed fee (g = 1) makes the split a loss.
    expect(r["sybil-split-2"]["adaptive/uniform"].inflationGain).to.be.lessThan(0);
  });
});
