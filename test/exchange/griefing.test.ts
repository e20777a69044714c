import { expect } from "chai";
import {
  designTable,
  type DesignOptions,
  type DesignedTable,
  equilibriumLeaves,
} from "../../src/exchange/design/designer";
import { CHANCE, type Game, type NodeSpec, loadGame } from "../../src/exchange/design/game";
import { describeStrategy, griefingReport } from "../../src/exchange/design/griefing";
import type { StateTransfers } from "../../src/exchange/design/induction";

/**
 * The griefing report (spec core-exchange §6) against an independent enumeration: every pure
 * strategy of one player (a move at each of its nodes), the others honest, played out over the
 * tree with expected values over chance; each distinct outcome that differs from honest play is
 * one deviating strategy, with the deviator's and the victims' losses against honest play.
 */
function bruteForce(game: Game, table: StateTransfers) {
  const honestValue = play(game, table, () => undefined);
  const out = new Map<string, { deviator: string; deviatorLoss: number; victimLoss: number }>();
  for (const player of game.playerIds) {
    const own = game.nodes.filter((n) => n.player === player);
    const total = own.reduce((acc, n) => acc * n.moves.length, 1);
    expect(total, "small enough to enumerate").to.be.at.most(1 << 18);
    for (let code = 0; code < total; code++) {
      const choice = new Map<NodeSpec, string>();
      let rest = code;
      for (const n of own) {
        choice.set(n, n.moves[rest % n.moves.length].label);
        rest = Math.floor(rest / n.moves.length);
      }
      const deviations: string[] = [];
      const value = play(game, table, (n) => choice.get(n), deviations);
      if (!deviations.length) continue;
      const victim = game.playerIds.find((p) => p !== player)!;
      out.set(`${player} plays ${deviations.join(", ")}`, {
        deviator: player,
        deviatorLoss: honestValue[player] - value[player],
        victimLoss: honestValue[victim] - value[victim],
      });
    }
  }
  return out;
}

/** Expected payoff of each player (transfers + move utilities; what it paid in left out: it cancels). */
function play(
  game: Game,
  table: StateTransfers,
  deviate: (n: NodeSpec) => string | undefined,
  deviations: string[] = [],
): Record<string, number> {
  const walk = (node: NodeSpec, observed: string[]): Record<string, number> => {
    const value = (label: string) => {
      const m = node.moves.find((x) => x.label === label)!;
      const seen = m.observe ? [...observed, m.observe] : observed;
      const below = m.next ? walk(m.next, seen) : { ...table[m.state ?? seen.join("-")] };
      return Object.fromEntries(game.playerIds.map((p) => [p, (below[p] ?? 0) + (m.utility?.[p] ?? 0)]));
    };
    if (node.player === CHANCE) {
      const sum = Object.fromEntries(game.playerIds.map((p) => [p, 0]));
      for (const m of node.moves) {
        const v = value(m.label);
        for (const p of game.playerIds) sum[p] += m.probability! * v[p];
      }
      return sum;
    }
    const chosen = deviate(node) ?? node.honest!;
    if (chosen !== node.honest) deviations.push(`${chosen}@${node.id}`);
    return value(chosen);
  };
  return walk(game.root, []);
}

async function design(file: string, opts: Partial<DesignOptions> = {}): Promise<DesignedTable> {
  const r = await designTable(loadGame(file), { delta: 0.01, objective: "min-deposits", ...opts });
  if (r.status !== "optimal") throw new Error(`expected a design, got ${r.status}`);
  return r.design;
}

describe("Designer: griefing factors", () => {
  for (const file of ["games/core-exchange.json", "games/quality-lottery.json", "games/seller-effort.json"]) {
    it(`${file}: every deviating strategy and its losses, as an independent enumeration finds them`, async () => {
      const game = loadGame(file);
      const d = await design(file);
      const expected = bruteForce(game, d.table);
      const report = griefingReport(game, equilibriumLeaves(game), d.table);
      expect(report.tooMany).to.deep.equal([]);
      const got = new Map(report.entries.map((e) => [describeStrategy(e), e]));
      expect([...got.keys()].sort()).to.deep.equal([...expected.keys()].sort());
      for (const [name, want] of expected) {
        const e = got.get(name)!;
        expect(e.deviatorLoss, `${name}: deviator's loss`).to.be.closeTo(want.deviatorLoss, 1e-9);
        const victim = Object.values(e.victimLoss)[0];
        expect(victim, `${name}: victim's loss`).to.be.closeTo(want.victimLoss, 1e-9);
        const factor = want.victimLoss <= 1e-9 ? 0 : want.victimLoss / want.deviatorLoss;
        expect(e.factor, `${name}: factor`).to.be.closeTo(factor, 1e-9);
      }
      expect(report.worst).to.equal(Math.max(...report.entries.map((e) => e.factor)));
    });
  }

  it("the seed's least-deposit table: a buyer's false complaint burns the seller's price at 0.03 to itself", async () => {
    const d = await design("games/core-exchange.json");
    const worst = d.griefing.entries[0];
    expect(describeStrategy(worst)).to.equal("B plays C@H.R");
    expect(worst.outcomes).to.deep.equal([{ state: "R-C-NC", probability: 1 }]);
    // The buyer loses its deposit 0.02 and the complaint's effort 0.01; the seller the price it earned.
    expect(worst.deviatorLoss).to.be.closeTo(0.03, 1e-12);
    expect(worst.victimLoss.S).to.be.closeTo(1, 1e-12);
    expect(worst.factor).to.be.closeTo(100 / 3, 1e-9);
  });

  it("a cost-free harm has an infinite factor, a harmless deviation a factor 0", () => {
    const game = loadGame("games/core-exchange.json");
    // A table under which the buyer's false complaint costs it nothing and still burns the seller's price.
    const table: StateTransfers = Object.fromEntries(game.states.map((s) => [s, { S: 0, B: 0 }]));
    table["R-NC-NC"] = { S: 1, B: 0 };
    table["R-C-NC"] = { S: 0, B: 0.01 };
    const report = griefingReport(game, equilibriumLeaves(game), table);
    const complaint = report.entries.find((e) => describeStrategy(e) === "B plays C@H.R")!;
    expect(complaint.deviatorLoss).to.be.closeTo(0, 1e-12);
    expect(complaint.factor).to.equal(Infinity);
    expect(report.worst).to.equal(Infinity);
    // The seller admitting a fault it did not commit, paid 1 in R-NC-CF as in R-NC-NC: the buyer loses nothing.
    table["R-NC-CF"] = { S: 1, B: 0 };
    const admit = griefingReport(game, equilibriumLeaves(game), table).entries.find(
      (e) => describeStrategy(e) === "S plays CF@H.R.NC",
    )!;
    expect(admit.victimLoss.B).to.be.closeTo(0, 1e-12);
    expect(admit.factor).to.equal(0);
  });

  it("--max-griefing bounds every factor, and costs deposit", async () => {
    const free = await design("games/core-exchange.json");
    const bounded = await design("games/core-exchange.json", { maxGriefing: 3 });
    expect(bounded.check.deviations).to.deep.equal([]);
    expect(bounded.griefing.worst).to.be.at.most(3 + 1e-9);
    for (const e of bounded.griefing.entries) expect(e.factor, describeStrategy(e)).to.be.at.most(3 + 1e-9);
    const total = (d: DesignedTable) => d.deposits.S + d.deposits.B;
    expect(total(bounded)).to.be.at.least(total(free) - 1e-12);
    // A bound below what the game allows is infeasible and names the griefing rows at fault.
    const r = await designTable(loadGame("games/core-exchange.json"), {
      delta: 0.01,
      objective: "min-deposits",
      maxGriefing: 0.5,
    });
    expect(r.status).to.equal("infeasible");
    if (r.status === "infeasible") expect(r.culprits.some((c) => c.name.startsWith("griefing: "))).to.equal(true);
  });
});
