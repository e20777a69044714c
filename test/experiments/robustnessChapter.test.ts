import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { ATTACKS } from "../../src/clearing/agents/attackers";
import {
  type AttackRow,
  type DriftRow,
  MAX_SEEDS,
  type RecoveryRow,
  type RobustnessRow,
  robustnessPlan,
  robustnessPlanFor,
} from "../../src/clearing/experiments/robustness";
import type { ExperimentPlan, StudyRequest } from "../../src/clearing/experiments/plan";
import { measureAttacks } from "../../src/bench/attacks";
import { measureRobustness } from "../../src/bench/robustness";
import type { BenchResults } from "../../src/bench/results";
import type { AttackResults } from "../../src/clearing/robustness/attacks";
import type { RobustnessResults } from "../../src/clearing/robustness/shocks";
import { renderSvg } from "../../src/report/charts";
import type { ExperimentResult } from "../../src/report/types";

const request = (replications: number): StudyRequest => ({ replications, seed: 7, movieLens: "unused" });

/** Every unit of `plan`, run in `order` (indices into the units), its rows put back in unit order. */
function runInOrder(plan: ExperimentPlan<RobustnessRow>, req: StudyRequest, order?: number[]): RobustnessRow[] {
  const units = plan.units(req);
  const byUnit: RobustnessRow[][] = [];
  for (const i of order ?? units.map((_, k) => k)) byUnit[i] = plan.run(req, units[i]);
  return byUnit.flat();
}

const table = <T>(result: ExperimentResult, name: string): T[] => {
  const t = result.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t.rows as T[];
};

/** The recovery and drift rows of the chapter, keyed as bench/results.json keys its `robustness` entries. */
function asBench(result: ExperimentResult): { robustness: RobustnessResults; attacks: AttackResults } {
  const robustness: RobustnessResults = {};
  for (const r of table<RecoveryRow>(result, "robustness-recovery")) {
    const { scenario, rule, rationing, ...entry } = r;
    delete (entry as Partial<RecoveryRow>).etaTimesL;
    (robustness[scenario] ??= {})[`${rule}/${rationing}`] = entry;
  }
  for (const d of table<DriftRow>(result, "robustness-noise-drift"))
    (robustness["noise-drift"] ??= {})[`${d.rule}/${d.rationing}`] = { regretPerRound: d.regretPerRound };
  const attacks: AttackResults = {};
  for (const a of table<AttackRow>(result, "robustness-attacks")) {
    const { attack, rule, rationing, harmRounds, attackRounds, griefingFactor, inflationGain } = a;
    (attacks[attack] ??= {})[`${rule}/${rationing}`] = { harmRounds, attackRounds, griefingFactor, inflationGain };
  }
  return { robustness, attacks };
}

describe("Robustness chapter: units", () => {
  it("seeds 1..min(replications, 20); one unit per scenario, rule variant and seed, one per rule and seed for the attacks", () => {
    const units = robustnessPlan.units(request(50));
    // 8 scenarios x 6 rule variants x 20 seeds, then 3 rules x 20 seeds.
    expect(units).to.have.length(8 * 6 * MAX_SEEDS + 3 * MAX_SEEDS);
    expect(units[0]).to.deep.equal({ part: "scenario", scenario: "exit-largest", rule: "adaptive", k: 1, seed: 1 });
    expect(new Set(units.map((u) => u.seed))).to.have.property("size", 20);
    const attackUnit = units[units.length - 1];
    expect(attackUnit).to.deep.equal({
      part: "attack",
      rule: "diminishing",
      seed: 20,
      attacks: ATTACKS.map((a) => a.name).join(","),
    });
    expect(robustnessPlan.units(request(2)).map((u) => u.seed))
      .to.include.members([1, 2])
      .and.not.include(3);
    for (const u of units) for (const v of Object.values(u)) expect(typeof v).to.be.oneOf(["string", "number"]);
    expect(() => robustnessPlanFor({ scenarios: ["no-such-shock"] })).to.throw(/unknown scenario/);
    expect(() => robustnessPlanFor({ attacks: ["no-such-attack"] })).to.throw(/unknown attack/);
    expect(() => robustnessPlan.run(request(2), { part: "other", seed: 1 })).to.throw(/unknown unit part/);
  });
});

describe("Robustness chapter: the benchmark's numbers", function () {
  this.timeout(300_000);
  const plan = robustnessPlanFor({
    scenarios: ["exit-quarter", "jump", "noise-drift"],
    attacks: ["inflate-once", "sybil-split-2"],
  });
  const req = request(2);
  let rows: RobustnessRow[];
  let result: ExperimentResult;
  before(() => {
    rows = runInOrder(plan, req);
    result = plan.report(req, rows);
  });

  it("equals measureRobustness and measureAttacks of the bench for seeds 1 and 2", () => {
    const bench = {
      robustness: measureRobustness({ seeds: [1, 2], scenarios: ["exit-quarter", "jump", "noise-drift"] }),
      attacks: measureAttacks({
        seeds: [1, 2],
        attacks: ATTACKS.filter((a) => ["inflate-once", "sybil-split-2"].includes(a.name)),
      }),
    };
    const chapter = asBench(result);
    expect(JSON.stringify(chapter.robustness)).to.equal(JSON.stringify(bench.robustness));
    expect(JSON.stringify(chapter.attacks)).to.equal(JSON.stringify(bench.attacks));
    // Real values, not only agreement: a quarter of the agents leaving is absorbed in a few rounds, without a dead round.
    const adaptive = chapter.robustness["exit-quarter"]["adaptive/pro-rata"];
    expect(adaptive).to.have.property("roundsToReconverge").within(1, 30);
    expect(adaptive).to.have.property("deadRounds", 0);
    expect(chapter.attacks["inflate-once"]["adaptive/pro-rata"].harmRounds).to.be.greaterThan(0.5);
    expect(chapter.attacks["inflate-once"]["adaptive/pro-rata"].inflationGain).to.be.lessThan(0);
  });

  it("tables: one row per scenario x rule/rationing, per attack x rule/rationing, and every seed's raw rows", () => {
    expect(result.key).to.equal("robustness");
    expect(result.tables.map((t) => t.name)).to.deep.equal([
      "robustness-recovery",
      "robustness-noise-drift",
      "robustness-attacks",
      "robustness-scenario-seeds",
      "robustness-attack-seeds",
    ]);
    const recovery = table<RecoveryRow>(result, "robustness-recovery").filter((r) => r.scenario === "exit-quarter");
    expect(recovery.map((r) => `${r.rule}/${r.rationing}`)).to.deep.equal([
      "adaptive/pro-rata",
      "diminishing/pro-rata",
      "constant/pro-rata",
      "constant-best/pro-rata",
      "adaptive/uniform",
      "diminishing/uniform",
      "constant/uniform",
      "constant-best/uniform",
    ]);
    expect(Object.keys(recovery[0])).to.have.members([
      "scenario",
      "rule",
      "rationing",
      "etaTimesL",
      "roundsToReconverge",
      "roundsToReconvergeP90",
      "deadRounds",
      "deadRoundsP90",
    ]);
    expect(recovery.find((r) => r.rule === "constant-best")!.etaTimesL).to.be.oneOf([0.5, 1, 1.5, 1.9]);
    expect(table<DriftRow>(result, "robustness-noise-drift")).to.have.length(8);
    const attacks = table<AttackRow>(result, "robustness-attacks");
    expect(attacks).to.have.length(2 * 3 * 2);
    expect(attacks[0]).to.include({ attack: "inflate-once", rule: "adaptive", rationing: "pro-rata", attackRounds: 1 });
    // The cold start's floors travel through the raw rows into its entries (equal to the bench's, above).
    const jump = table<RecoveryRow>(result, "robustness-recovery").find((r) => r.scenario === "jump")!;
    expect(jump).to.include({ rule: "adaptive", rationing: "pro-rata", seeds: 2, seedsWithinBracketBound: 2 });
    expect(jump.climbFloor).to.be.within(3, jump.roundsToReconverge!);
    // Raw rows: 3 scenarios x 6 variants x 2 seeds x 2 rationings; 3 rules x 2 seeds x 2 attacks x 2 rationings.
    expect(table(result, "robustness-scenario-seeds")).to.have.length(72);
    expect(table(result, "robustness-attack-seeds")).to.have.length(24);
    expect(rows.every((r) => r.seed === 1 || r.seed === 2)).to.equal(true);
    expect(result.warnings).to.have.length(1);
    expect(result.description).to.contain("seeds 1..2");
    expect(result.comparisons).to.have.length(1);
    const [comparison] = result.comparisons;
    expect(comparison.source).to.equal("spec §5 (not in the paper)");
    expect(comparison.items.map((i) => i.cells.other?.paper)).to.satisfy((p: string[]) =>
      p.every((v) => v === "not studied"),
    );
    expect(comparison.summary.other?.ours).to.contain("dead rounds: none");
  });

  it("the same report from units run in another order, and from rows that went through JSON (workers, shards)", () => {
    const n = plan.units(req).length;
    const shuffled = Array.from({ length: n }, (_, i) => (i * 5 + 3) % n); // 5 is prime to n = 42
    expect(new Set(shuffled).size).to.equal(n);
    const again = plan.report(req, runInOrder(plan, req, shuffled));
    expect(JSON.stringify(again)).to.equal(JSON.stringify(result));
    const viaJson = plan.report(req, JSON.parse(JSON.stringify(rows)) as RobustnessRow[]);
    expect(JSON.stringify(viaJson)).to.equal(JSON.stringify(result));
  });

  it("renders every chart to SVG", async () => {
    expect(result.charts.map((c) => c.name)).to.include.members([
      "robustness-recovery",
      "robustness-noise-drift",
      "robustness-attack-harm",
      "robustness-attack-gain",
    ]);
    for (const c of result.charts) expect((await renderSvg(c.spec)).length, c.name).to.be.greaterThan(1000);
  });
});

describe("Robustness chapter: at 20 seeds, bench/results.json", function () {
  this.timeout(300_000);

  it("tau-x3 equals the committed benchmark entries (every rule, constant-best included)", () => {
    const plan = robustnessPlanFor({ scenarios: ["tau-x3"], attacks: [] });
    const req = request(50);
    const result = plan.report(req, runInOrder(plan, req));
    expect(result.warnings, "20 seeds: the benchmark's").to.equal(undefined);
    const committed = JSON.parse(
      fs.readFileSync(path.join(__dirname, "..", "..", "bench", "results.json"), "utf8"),
    ) as BenchResults;
    const chapter = asBench(result).robustness["tau-x3"];
    expect(Object.keys(chapter)).to.have.length(8);
    expect(chapter).to.deep.equal((committed.robustness as RobustnessResults)["tau-x3"]);
  });
});
