import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import hre from "hardhat";
import { loadGame, parseGame } from "../../src/exchange/design/game";
import { backwardInduction, type InductionResult } from "../../src/exchange/design/induction";
import {
  inductionVerdict,
  mooreRepulloGame,
  SEED_VALUES,
  truthfulCondition,
  type MooreRepulloValues,
} from "../../src/exchange/design/mooreRepullo";

const solve = (v: MooreRepulloValues) => {
  const spec = mooreRepulloGame(v);
  const r = backwardInduction(parseGame(spec), spec.table!, {});
  return { r, verdict: inductionVerdict(r), ties: r.ties.map((t) => t.node) };
};
const node = (r: InductionResult, id: string) => r.nodes.find((n) => n.node === id)!;

/** Runs the task in-process and returns what it printed. */
async function runTask(args: Partial<MooreRepulloValues>): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...xs: unknown[]) => void lines.push(xs.join(" "));
  try {
    await hre.run("exchange:moore-repullo", { ...SEED_VALUES, ...args });
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

describe("Moore–Repullo mechanism (spec §4)", () => {
  it("the shipped file (h = 70, l = 20) makes truthful announcement the unique SPE, honest at every node", () => {
    const game = loadGame("games/moore-repullo.json");
    expect(game).to.deep.include(parseGame(mooreRepulloGame(SEED_VALUES)));
    const r = backwardInduction(game, game.table!, {});
    expect(node(r, "high").choice).to.equal("high");
    expect(node(r, "high").margin).to.equal(15); // 70 - 35 vs 70 - 20 - 5 - 25 (challenged "low", accepted)
    expect(node(r, "low").margin).to.equal(25); // 20 - 10 vs 20 - 35 (unchallenged "high")
    expect(r.deviations).to.deep.equal([]); // in particular none at low.high: the seller leaves "high" alone
    expect(node(r, "low.high")).to.deep.include({ choice: "no", honest: "no" });
    expect(r.ties).to.deep.equal([]);
    expect(r.payoffs.B).to.equal(22.5);
    expect(r.path.map((p) => p.state)).to.deep.equal(["high-no", "low-no"]);
    expect(truthfulCondition(SEED_VALUES).verdict).to.equal("unique");
  });

  it("the named cases: (24, 20) not, (60, 20, premium 40) a tie, (100, 20) a tie, no fine not", () => {
    const cases: [Partial<MooreRepulloValues>, string, string[]][] = [
      [{ h: 24, l: 20 }, "not", []], // h - l = 4 < 5: the counter-offer is rejected, "low" never challenged
      [{ h: 60, l: 20, premium: 40 }, "tie", ["high.low.challenge"]], // h - l = premium
      [{ h: 100, l: 20 }, "tie", ["high"]], // h/2 = 50 = l + premium + F
      [{ fine: 0 }, "not", []], // h/2 = 35 > 25
      [{ h: 80, l: 40 }, "unique", []],
    ];
    for (const [args, verdict, ties] of cases) {
      const v = { ...SEED_VALUES, ...args };
      const got = solve(v);
      expect(got.verdict, JSON.stringify(args)).to.equal(verdict);
      expect(got.ties, JSON.stringify(args)).to.deep.equal(ties);
      expect(truthfulCondition(v), JSON.stringify(args)).to.deep.include({ verdict, ties });
    }
    const r24 = solve({ ...SEED_VALUES, h: 24, l: 20 }).r;
    expect(node(r24, "high.low.challenge").choice).to.equal("reject");
    expect(node(r24, "high.low").choice).to.equal("no");
    expect(node(r24, "high").choice).to.equal("low");
    expect(truthfulCondition({ ...SEED_VALUES, h: 24, l: 20 }).reason).to.contain("h - l < premium (4 < 5)");
    expect(truthfulCondition({ ...SEED_VALUES, h: 100, l: 20 }).reason).to.contain("h/2 = l + premium + F");
  });

  it("the closed form agrees with backward induction on every game of a grid, boundaries included", () => {
    const seen = { unique: 0, tie: 0, not: 0, halfEquality: 0, premiumEquality: 0, lowAndFineZero: 0 };
    for (let h = 1; h <= 12; h++) {
      for (let l = 0; l < h; l++) {
        for (let premium = 0; premium <= 5; premium++) {
          for (let fine = 0; fine <= 4; fine++) {
            const v = { h, l, premium, fine };
            const c = truthfulCondition(v);
            const got = solve(v);
            const at = JSON.stringify(v);
            expect(c.verdict, at).to.equal(got.verdict);
            expect(c.ties, at).to.deep.equal(got.ties);
            // The closed form of the derivation, written out once more.
            const unique = h / 2 < l + premium + fine && h - l > premium && premium > 0 && l + fine > 0;
            const not = h / 2 > l + premium + fine || (h - l < premium && l + fine > 0);
            expect(c.verdict, at).to.equal(unique ? "unique" : not ? "not" : "tie");
            // A truthful run shows no deviation from the honest profile.
            if (got.verdict !== "not")
              expect(
                got.r.deviations.map((d) => d.node),
                at,
              ).to.deep.equal([]);
            seen[c.verdict]++;
            if (h / 2 === l + premium + fine) seen.halfEquality++;
            if (h - l === premium) seen.premiumEquality++;
            if (l === 0 && fine === 0) seen.lowAndFineZero++;
          }
        }
      }
    }
    for (const [k, n] of Object.entries(seen)) expect(n, k).to.be.greaterThan(20);
  });

  it("the task prints each verdict, and exits 0 (a verdict is an answer, not an error)", async () => {
    expect(await runTask({})).to.contain("Truthful announcement is the unique subgame-perfect equilibrium.");
    const tie = await runTask({ h: 100, l: 20 });
    expect(tie).to.contain(
      "Truthful announcement is a subgame-perfect equilibrium, but not unique: high is indifferent between high and low.",
    );
    expect(tie).to.contain("tie: high is indifferent between high and low (B; plays high)");
    expect(tie).to.not.contain("deviation");
    const premium = await runTask({ h: 60, l: 20, premium: 40 });
    expect(premium).to.contain("but not unique: high.low.challenge is indifferent between accept and reject.");
    const { stdout } = await promisify(execFile)(
      "npx",
      ["hardhat", "exchange:moore-repullo", "--h", "24", "--l", "20"],
      { env: { ...process.env, CI: "" } },
    ); // rejects unless the exit code is 0
    expect(stdout).to.contain("Truthful announcement is NOT a subgame-perfect equilibrium.");
    expect(stdout).to.contain("Condition (derived in closed form): not: h - l < premium (4 < 5)");
    expect(stdout).to.contain('deviation at "high" (B): plays low, honest is high');
  });
});
