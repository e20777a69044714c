/**
 * The designer at scale (part 3 of "The payout designer"): trees walked without recursion, a wide
 * node, and an infeasible program of about 5,000 rows explained by a small set of named rows.
 * Time and memory are measured by the benchmark (`npx ts-node --transpile-only src/bench/designer.ts`), not here.
 */
import { expect } from "chai";
import { chainGame, infeasibleChain, wideGame } from "../../src/bench/designerGames";
import { checkPasses, designTable } from "../../src/exchange/design/designer";
import { backwardInduction } from "../../src/exchange/design/induction";
import { GameError, honestContinuation, parseGame } from "../../src/exchange/design/game";

describe("Payout designer at scale", function () {
  this.timeout(120_000);

  it("validates, designs and checks a chain of 10,000 nodes (no recursion)", async () => {
    const game = chainGame(10_000, (k) => (k % 7) / 10);
    expect(game.nodes).to.have.length(10_000);
    expect(game.nodes[9_999].id).to.equal("n9999");
    expect(game.states).to.have.length(10_001);
    const leaves = honestContinuation(game, { label: "start", next: game.root }, []);
    expect(leaves).to.deep.equal([{ state: "end", utility: { A: 0 }, weight: 1 }]);
    const r = await designTable(game, { delta: 0.01, objective: "min-deposits" });
    if (r.status !== "optimal") throw new Error(r.status);
    expect(r.design.deposits.A).to.be.closeTo(0.61, 1e-8);
    expect(r.design.table["end"].A).to.be.closeTo(0.61, 1e-8);
    expect(r.design.table["q6"]).to.deep.equal({ A: 0 });
    expect(r.design.check.path).to.deep.equal([{ moves: Array(10_000).fill("go"), state: "end", probability: 1 }]);
    expect(r.design.check.nodes).to.have.length(10_000);
    expect(r.design.check.minMargin).to.be.closeTo(0.01, 1e-9);
    expect(checkPasses(r.design)).to.equal(true);
  });

  it("reports a schema problem 10,000 levels down with its path, and solves a given table as deep", () => {
    const quit = (k: number) => ({ label: "quit", observe: k === 9_999 ? "" : `q${k}` });
    let node: object = {
      id: "n9999",
      player: "A",
      honest: "go",
      moves: [{ label: "go", observe: "end" }, quit(9_999)],
    };
    for (let k = 9_998; k >= 0; k--)
      node = { id: `n${k}`, player: "A", honest: "go", moves: [{ label: "go", next: node }, quit(k)] };
    const spec = { name: "deep", players: [{ id: "A" }], root: node };
    const path = "root" + ".moves.0.next".repeat(9_999) + ".moves.1.observe";
    expect(() => parseGame(spec, "deep")).to.throw(GameError, `deep: ${path}: String must contain at least 1`);
    const chain = chainGame(10_000, (k) => (k === 5 ? 0.5 : 0));
    const table = Object.fromEntries(chain.states.map((s) => [s, { A: s === "end" ? 1 : 0 }]));
    const r = backwardInduction(chain, table, {});
    expect(r.deviations).to.deep.equal([]);
    expect(r.payoffs).to.deep.equal({ A: 1 });
    expect(r.nodes[5]).to.deep.equal({
      node: "n5",
      player: "A",
      choice: "go",
      honest: "go",
      margin: 0.5,
      tiedWith: [],
    });
  });

  it("designs one node of 20,000 moves", async () => {
    const game = wideGame(20_000);
    const r = await designTable(game, { delta: 0.01, objective: "min-deposits" });
    if (r.status !== "optimal") throw new Error(r.status);
    expect(r.program.rows.filter((row) => row.name.startsWith("IC"))).to.have.length(19_999);
    expect(r.design.deposits.A).to.be.closeTo(0.91, 1e-8);
    expect(r.design.table["h"].A).to.be.closeTo(0.91, 1e-8);
    expect(r.design.table["m19999"]).to.deep.equal({ A: 0 });
    expect(r.design.check.path).to.deep.equal([{ moves: ["honest"], state: "h", probability: 1 }]);
    expect(checkPasses(r.design)).to.equal(true);
  });

  it("names the two rows at fault in an infeasible program of about 5,000 rows", async () => {
    const game = infeasibleChain(2_500, 1_234);
    const started = Date.now();
    const r = await designTable(game, { delta: 0.01, objective: "min-deposits", trade: false });
    if (r.status !== "infeasible") throw new Error(r.status);
    console.log(`      ${r.program.rows.length} rows explained in ${Date.now() - started} ms`);
    expect(r.program.rows.length).to.be.greaterThan(5_000);
    expect(r.culprits.map((row) => row.name)).to.deep.equal([
      'IC at node "n1234": A prefers go to quit',
      "budget in state end",
    ]);
  });
});
