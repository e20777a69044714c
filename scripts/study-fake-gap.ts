/**
 * The fake-gap attack on the adaptive rule (`GapFaker`, src/clearing/agents/gapFaker.ts), measured on the exact
 * engine as the benchmark's attacks are (src/clearing/robustness/attacks.ts: 20 agents of the paper's Table 3,
 * m = 50, tau = 0.5, g = 1, eta = 1/L, started converged, the attacker member 0). The attacker asks D units more
 * until the market converges, then answers the rule's probe with D more, so that the rule certifies a jump of S
 * that is not there; once (then truthful), or at every later probe. Over HORIZON rounds from the attack's start,
 * against the same seed played truthfully: the others' harm in rounds of their equilibrium welfare (in total and
 * per inflated round), the attacker's own loss, and the rounds in which at least 0.9 D units stayed idle.
 * Prints the table and writes out/fake-gap/fake-gap.{csv,json}.
 *   npm run study:fake-gap [-- seeds]   (default 20; about a minute on one core)
 */
import path from "node:path";
import { Attacked } from "../src/clearing/agents/attackers";
import { drawAgents } from "../src/clearing/agents/draw";
import { GapFaker } from "../src/clearing/agents/gapFaker";
import { Population } from "../src/clearing/agents/population";
import { ATTACKER, othersAtEquilibrium, payoffsOf } from "../src/clearing/robustness/attacks";
import { BINDING_MARKET, benchSettings } from "../src/clearing/robustness/market";
import { warmUp } from "../src/clearing/robustness/shocks";
import { runEngine } from "../src/clearing/sim/engine";
import { fromFixed } from "../src/common/fixed";
import { median } from "../src/common/metrics";
import { markdownTable, writeCsv, writeJson } from "../src/common/output";
import { show } from "../src/bench/renderRobustness";

const OUT = path.join(__dirname, "..", "out", "fake-gap");
const EXTRA_UNITS = [0.5, 2, 5, 10];
const HORIZON = 1000;
const count = Number(process.argv[2] ?? 20);
if (!Number.isInteger(count) || count < 1) {
  console.error(`study-fake-gap: seeds must be a positive integer, got ${process.argv[2]}`);
  process.exit(1);
}
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

interface Sample {
  faked: boolean;
  harmRounds: number;
  inflatedRounds: number;
  attackerLoss: number;
  idleRounds: number;
}

function measure(seed: number, extra: number, persistent: boolean): Sample {
  const agents = drawAgents(20, seed);
  const settings = benchSettings(agents, BINDING_MARKET, "adaptive", 1);
  const start = warmUp(agents, seed, settings) + 1;
  const rounds = start - 1 + HORIZON;
  const honest = new Attacked(new Population(agents, seed), ATTACKER, null, start, settings.capacity);
  const truthful = payoffsOf(runEngine(honest, settings, { rounds }), honest, "uniform");
  const faker = new GapFaker(new Population(agents, seed), ATTACKER, extra, start, persistent);
  const run = runEngine(faker, settings, { rounds, onRound: (r) => faker.observe(r) });
  const played = payoffsOf(run, faker, "uniform");
  const idle = (r: (typeof run)[number]) => fromFixed(r.capacity - r.totalDemand) >= 0.9 * extra;
  const window = (p: number[]) => sum(p.slice(start - 1));
  return {
    // Believed: a round reported converged with the attacker's extra units idle.
    faked: run.some((r) => r.converged && idle(r)),
    harmRounds: (window(truthful.others) - window(played.others)) / othersAtEquilibrium(agents, settings),
    inflatedRounds: faker.deviations.length,
    attackerLoss: window(truthful.attacker) - window(played.attacker),
    idleRounds: run.slice(start - 1).filter(idle).length,
  };
}

const rows = [];
for (const persistent of [false, true]) {
  for (const extra of EXTRA_UNITS) {
    const samples = Array.from({ length: count }, (_, i) => measure(i + 1, extra, persistent));
    const med = (pick: (s: Sample) => number) => median(samples.map(pick));
    rows.push({
      answers: persistent ? "every probe" : "once",
      extraUnits: extra,
      seedsFaked: samples.filter((s) => s.faked).length,
      seeds: count,
      harmRounds: med((s) => s.harmRounds),
      harmPerInflatedRound: med((s) => s.harmRounds / s.inflatedRounds),
      inflatedRounds: med((s) => s.inflatedRounds),
      attackerLoss: med((s) => s.attackerLoss),
      idleRounds: med((s) => s.idleRounds),
    });
    process.stderr.write(`answers ${persistent ? "every probe" : "once"}, D = ${extra}: done\n`);
  }
}
writeCsv(path.join(OUT, "fake-gap.csv"), rows);
writeJson(path.join(OUT, "fake-gap.json"), rows);
console.log(
  markdownTable(
    [
      "answers",
      "D (units)",
      "gap faked",
      `others' harm over ${HORIZON} rounds`,
      "per inflated round",
      "inflated rounds",
      "attacker's loss",
      "rounds >= 0.9 D idle",
    ],
    rows.map((r) => [
      r.answers,
      String(r.extraUnits),
      `${r.seedsFaked} of ${r.seeds}`,
      show(r.harmRounds),
      show(r.harmPerInflatedRound),
      show(r.inflatedRounds),
      show(r.attackerLoss),
      show(r.idleRounds),
    ]),
  ),
);
