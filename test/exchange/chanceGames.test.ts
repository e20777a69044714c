import { expect } from "chai";
import fs from "node:fs";
import { checkPasses, designTable, type DesignedTable, tradeStates } from "../../src/exchange/design/designer";
import { GameError, type GameSpec, loadGame, parseGame } from "../../src/exchange/design/game";
import { backwardInduction } from "../../src/exchange/design/induction";

/**
 * Games with chance nodes (spec core-exchange §6, last point): the trade constraint applies to the
 * outcome the game file names as the trade, not to every leaf honest play reaches.
 * - games/quality-lottery.json: chance draws the quality (high 0.8, low 0.2);
 * - games/seller-effort.json: the seller's effort (cost 0.5) makes high quality 0.8 likely, no
 *   effort (cost 0.1) only 0.2; chance then draws it.
 * Below either draw the core exchange's moves follow; after low quality honest play is a refund
 * (RfE, C, CF), which is not the trade.
 */
const LOTTERY = "games/quality-lottery.json";
const EFFORT = "games/seller-effort.json";
const raw = (file: string): GameSpec => JSON.parse(fs.readFileSync(file, "utf8"));

async function design(game: GameSpec | string): Promise<DesignedTable> {
  const g = typeof game === "string" ? loadGame(game) : parseGame(game);
  const r = await designTable(g, { delta: 0.01, objective: "min-deposits" });
  if (r.status !== "optimal") throw new Error(`expected a design, got ${r.status}`);
  return r.design;
}

describe("Designer: games with chance nodes", () => {
  for (const file of [LOTTERY, EFFORT]) {
    it(`${file}: the trade only in R-NC-NC, designed at deposit 0.02 and checked by backward induction`, async () => {
      const game = loadGame(file);
      expect(tradeStates(game)).to.deep.equal(["R-NC-NC"]);
      const d = await design(file);
      expect(checkPasses(d)).to.equal(true);
      expect(d.deposits.S + d.deposits.B).to.be.closeTo(0.02, 1e-12);
      // The trade: the seller gets the price and its deposit, the buyer its deposit, nothing burnt.
      expect(d.table["R-NC-NC"].S).to.be.closeTo(1 + d.deposits.S, 1e-12);
      expect(d.table["R-NC-NC"].B).to.be.closeTo(d.deposits.B, 1e-12);
      // After low quality the honest refund is not the trade: the seller does not get the price.
      expect(d.table["RfE-C-CF"].S).to.be.below(0.5);
      // An independent induction, on the table alone: honest play everywhere, both draws on the path.
      const check = backwardInduction(game, d.table, d.deposits);
      expect(check.deviations).to.deep.equal([]);
      expect(check.minMargin).to.be.at.least(0.01 - 1e-9);
      const reached = check.path.map((p) => [p.state, p.probability]);
      expect(reached).to.have.length(2);
      expect(reached[0][0]).to.equal("R-NC-NC");
      expect(reached[0][1]).to.be.closeTo(0.8, 1e-12);
      expect(reached[1][0]).to.equal("RfE-C-CF");
      expect(reached[1][1]).to.be.closeTo(0.2, 1e-12);
    });
  }

  it("the trade put on every honest leaf (the old rule): the buyer loses after low quality, or no design", async () => {
    const lottery = { ...raw(LOTTERY), tradeStates: ["R-NC-NC", "RfE-C-CF"] };
    const d = await design(lottery);
    // The honest buyer who got low quality, refused it, complained and saw the fault admitted pays the
    // seller the whole price: what the issue found (it gets back only its deposit and a little more).
    expect(d.table["RfE-C-CF"].S).to.be.closeTo(1 + d.deposits.S, 1e-12);
    const effort = { ...raw(EFFORT), tradeStates: ["R-NC-NC", "RfE-C-CF"] };
    const r = await designTable(parseGame(effort), { delta: 0.01, objective: "min-deposits" });
    expect(r.status).to.equal("infeasible");
    if (r.status === "infeasible") {
      const names = r.culprits.map((c) => c.name);
      expect(names.some((n) => n.includes("trade") && n.includes("RfE-C-CF"))).to.equal(true);
      expect(names.some((n) => n.includes('IC at node "effort"'))).to.equal(true);
    }
  });

  it("a game with chance nodes must name its trade; a named trade must be a state honest play reaches", async () => {
    const { tradeStates: _, ...unnamed } = raw(LOTTERY);
    await expect(designTable(parseGame(unnamed), { delta: 0.01, objective: "min-deposits" })).to.be.rejectedWith(
      GameError,
      'game "quality-lottery" has chance nodes: name the trade outcome(s) in "tradeStates"',
    );
    // Without the trade requirement, no trade need be named.
    const free = await designTable(parseGame(unnamed), { delta: 0.01, objective: "min-deposits", trade: false });
    expect(free.status).to.equal("optimal");
    await expect(
      designTable(parseGame({ ...raw(LOTTERY), tradeStates: ["R-C-NC"] }), { delta: 0.01, objective: "min-deposits" }),
    ).to.be.rejectedWith(GameError, 'tradeStates: "R-C-NC" is not reached by honest play');
    expect(() => parseGame({ ...raw(LOTTERY), tradeStates: ["R-X-NC"] }, "g.json")).to.throw(
      GameError,
      'g.json: tradeStates: "R-X-NC" is not a state of the game',
    );
  });

  it("without chance nodes the one honest leaf is the trade, as before", () => {
    expect(tradeStates(loadGame("games/core-exchange.json"))).to.deep.equal(["R-NC-NC"]);
  });
});
