import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import hre from "hardhat";
import { checkPasses, designTable, type DesignedTable } from "../../src/exchange/design/designer";
import { GameError, loadGame, parseGame, type GameSpec } from "../../src/exchange/design/game";
import { backwardInduction } from "../../src/exchange/design/induction";
import { fromPayoutTable, toPayoutTable } from "../../src/exchange/design/contractTable";

const GAME_FILE = "games/core-exchange.json";
const rawGame = (): GameSpec => JSON.parse(fs.readFileSync(GAME_FILE, "utf8"));

async function design(delta: number, extra: Partial<Parameters<typeof designTable>[1]> = {}): Promise<DesignedTable> {
  const r = await designTable(loadGame(GAME_FILE), { delta, objective: "min-deposits", ...extra });
  if (r.status !== "optimal") throw new Error(`expected a design, got ${r.status}`);
  return r.design;
}

/**
 * The incentive constraints of the core exchange written out by hand from the tree of spec
 * §2 (utilities of the default table, units of the price): at each of the 15 player nodes,
 * honest move then honest play minus the deviation then honest play, for the mover.
 */
function handConstraints(d: DesignedTable): { node: string; margin: number }[] {
  const tS = (s: string) => d.table[s].S;
  const tB = (s: string) => d.table[s].B;
  return [
    // Seller's quality: H (-0.5, then R NC NC) vs L (-0.1, RfE costs -0.05, C, CF -0.01).
    { node: "root", margin: -0.5 + tS("R-NC-NC") - (-0.1 - 0.05 - 0.01 + tS("RfE-C-CF")) },
    // Buyer after H: R (+1.45, then NC NC) vs RfE (then NC NC).
    { node: "H", margin: 1.45 + tB("R-NC-NC") - tB("RfE-NC-NC") },
    // Buyer after L: RfE (then C, CF) vs R (+0.25, then C, CF).
    { node: "L", margin: -0.01 + tB("RfE-C-CF") - (0.25 - 0.01 + tB("R-C-CF")) },
    // Buyer's complaint after H: NC (then seller NC) vs C (-0.01, then NC).
    { node: "H.R", margin: tB("R-NC-NC") - (-0.01 + tB("R-C-NC")) },
    { node: "H.RfE", margin: tB("RfE-NC-NC") - (-0.01 + tB("RfE-C-NC")) },
    // Buyer's complaint after L: C (-0.01, then CF) vs NC (then CF).
    { node: "L.R", margin: -0.01 + tB("R-C-CF") - tB("R-NC-CF") },
    { node: "L.RfE", margin: -0.01 + tB("RfE-C-CF") - tB("RfE-NC-CF") },
    // Seller's last move after H: NC vs CF (-0.31, a fault it did not commit).
    ...["R-C", "R-NC", "RfE-C", "RfE-NC"].map((m) => ({
      node: `H.${m}`,
      margin: tS(`${m}-NC`) - (-0.31 + tS(`${m}-CF`)),
    })),
    // Seller's last move after L: CF (-0.01) vs NC.
    ...["R-C", "R-NC", "RfE-C", "RfE-NC"].map((m) => ({
      node: `L.${m}`,
      margin: -0.01 + tS(`${m}-CF`) - tS(`${m}-NC`),
    })),
  ];
}

describe("Payout designer (LP + backward induction)", () => {
  for (const delta of [0.01, 0.05]) {
    it(`default game, delta ${delta}: feasible, checked, and equal to the hand-derived optimum`, async () => {
      const d = await design(delta);
      expect(checkPasses(d)).to.equal(true);
      const ics = handConstraints(d);
      expect(ics).to.have.length(15);
      for (const ic of ics) expect(ic.margin, `IC at ${ic.node}`).to.be.at.least(delta - 1e-9);
      const pot = 1 + d.deposits.S + d.deposits.B;
      for (const [s, row] of Object.entries(d.table)) {
        expect(row.S, `t_S(${s}) >= 0`).to.be.at.least(0);
        expect(row.B, `t_B(${s}) >= 0`).to.be.at.least(0);
        expect(row.S + row.B, `budget of ${s}`).to.be.at.most(pot + 1e-12);
      }
      // The trade: the seller gets the price and its deposit, the buyer its deposit, nothing burnt.
      expect(d.table["R-NC-NC"].S).to.be.closeTo(1 + d.deposits.S, 1e-12);
      expect(d.table["R-NC-NC"].B).to.be.closeTo(d.deposits.B, 1e-12);
      // IR: seller 1 - 0.5 (quality cost) >= 0; buyer 1.45 - 1 (price) >= 0.
      expect(d.check.payoffs.S).to.be.closeTo(0.5, 1e-12);
      expect(d.check.payoffs.B).to.be.closeTo(0.45, 1e-12);
      // By hand: at node L.R.NC the seller must prefer CF, t_S(R-NC-CF) >= t_S(R-NC-NC) + 0.01 + delta
      // = 1 + D_S + 0.01 + delta; the budget of R-NC-CF then needs D_B >= 0.01 + delta. Nothing
      // forces D_S above 0, so the least total deposit is 0.01 + delta, all of it the buyer's.
      expect(d.deposits.S).to.be.closeTo(0, 1e-12);
      expect(d.deposits.B).to.be.closeTo(0.01 + delta, 1e-12);
    });
  }

  it("the fixed-point table the contract stores passes the same check", async () => {
    const d = await design(0.01);
    const chain = toPayoutTable(d);
    expect(chain.buyerDeposit).to.equal(2n * 10n ** 16n);
    expect(chain.seller[4]).to.equal(10n ** 18n); // R-NC-NC: the price
    const exact = fromPayoutTable(chain);
    const check = backwardInduction(loadGame(GAME_FILE), exact.table, exact.deposits);
    expect(check.deviations).to.deep.equal([]);
    expect(check.minMargin).to.be.at.least(0.01 - 1e-9);
  });

  it("without the seller's false-admission cost the LP is infeasible and names the two seller nodes", async () => {
    const raw = JSON.stringify(rawGame()).replace(/-0\.31/g, "-0.01");
    const r = await designTable(parseGame(JSON.parse(raw)), { delta: 0.01, objective: "min-deposits" });
    expect(r.status).to.equal("infeasible");
    if (r.status !== "infeasible") return;
    const names = r.culprits.map((c) => c.name);
    expect(names).to.have.length(2);
    // The same messages after H and after L: the contract cannot tell them apart.
    const [a, b] = names.map((n) => /node "(\w)\.(.+)"/.exec(n)!);
    expect(new Set([a[1], b[1]])).to.deep.equal(new Set(["H", "L"]));
    expect(a[2]).to.equal(b[2]);
    expect(names.some((n) => n.includes("S prefers NC to CF"))).to.equal(true);
    expect(names.some((n) => n.includes("S prefers CF to NC"))).to.equal(true);
  });

  it("max-burn: unbounded with free deposits, deterministic with fixed ones", async () => {
    const game = loadGame(GAME_FILE);
    const unbounded = await designTable(game, { delta: 0.01, objective: "max-burn" });
    expect(unbounded.status).to.equal("unbounded");
    if (unbounded.status === "unbounded") expect(unbounded.reason).to.contain("D:S, D:B are free");
    const opts = { delta: 0.01, objective: "max-burn" as const, deposits: { S: 0.5, B: 0.5 } };
    const [x, y] = await Promise.all([designTable(game, opts), designTable(game, opts)]);
    if (x.status !== "optimal" || y.status !== "optimal") throw new Error("expected designs");
    expect(checkPasses(x.design)).to.equal(true);
    expect(x.design.table).to.deep.equal(y.design.table);
    // Off the path every state burns; on it nothing is burnt.
    expect(x.design.burn["R-NC-NC"]).to.equal(0);
    expect(x.design.burn["RfE-NC-NC"]).to.be.closeTo(2, 1e-12);
  });

  it("user constraints: a refund guarantee holds, and an impossible one is named", async () => {
    const refund = {
      name: "refund after a complaint",
      terms: { "t:B:RfE-C-CF": 1, "D:B": -1 },
      op: "=" as const,
      rhs: 1,
    };
    const d = await design(0.01, { constraints: [refund] });
    expect(d.table["RfE-C-CF"].B).to.be.closeTo(1 + d.deposits.B, 1e-12);
    expect(checkPasses(d)).to.equal(true);
    const both = { ...refund, name: "refund without a complaint", terms: { "t:B:RfE-NC-CF": 1, "D:B": -1 } };
    const r = await designTable(loadGame(GAME_FILE), {
      delta: 0.01,
      objective: "min-deposits",
      constraints: [refund, both],
    });
    expect(r.status).to.equal("infeasible");
    if (r.status === "infeasible") {
      expect(r.culprits.map((c) => c.name)).to.have.members([
        'IC at node "L.RfE": B prefers C to NC',
        "user: refund after a complaint",
        "user: refund without a complaint",
      ]);
    }
    await expect(
      designTable(loadGame(GAME_FILE), {
        delta: 0.01,
        objective: "min-deposits",
        constraints: [{ name: "typo", terms: { "t:X:nowhere": 1 }, op: ">=", rhs: 0 }],
      }),
    ).to.be.rejectedWith(GameError, 'constraint "typo": unknown variable "t:X:nowhere"');
  });

  it("backward induction reports ties: with delta = 0 honest play is not the unique SPE", async () => {
    const d = await design(0);
    expect(d.check.ties.length).to.be.greaterThan(0);
    expect(checkPasses(d)).to.equal(true); // delta 0 asks for an SPE, not a unique one
    expect(checkPasses({ ...d, delta: 0.01 })).to.equal(false);
  });

  it("rejects malformed games with a message naming the offending node", () => {
    const broken = (edit: (g: GameSpec) => void) => {
      const g = rawGame();
      edit(g);
      return () => parseGame(g, "g.json");
    };
    expect(broken((g) => (g.root.moves[0].next!.player = "Z"))).to.throw(
      GameError,
      'g.json: node "H": unknown player "Z"',
    );
    expect(broken((g) => delete g.root.moves[1].next!.honest)).to.throw(GameError, 'node "L": no honest move');
    expect(broken((g) => (g.root.honest = "M"))).to.throw(GameError, 'node "root": honest move "M" is not one of H, L');
    expect(broken((g) => (g.root.moves[1].next!.id = "H"))).to.throw(GameError, 'node "H": duplicate node id');
    expect(broken((g) => ((g.root as unknown as Record<string, unknown>).colour = 1))).to.throw(GameError, "root");
    expect(() => loadGame("games/missing.json")).to.throw(GameError, "games/missing.json");
  });

  describe("exchange:design task", () => {
    it("writes the table (with its fixed-point form) and prints it", async () => {
      const out = path.join(os.tmpdir(), `clearhouse-design-${process.pid}.json`);
      await hre.run("exchange:design", {
        game: GAME_FILE,
        delta: "0.01",
        objective: "min-deposits",
        out,
        noTrade: false,
      });
      const written = JSON.parse(fs.readFileSync(out, "utf8"));
      expect(written.deposits).to.deep.equal({ S: 0, B: 0.02 });
      expect(written.chain.buyerDeposit).to.equal("20000000000000000");
      expect(written.chain.seller[4]).to.equal("1000000000000000000");
    });

    it("exits non-zero on an infeasible program, naming the constraints", async () => {
      const file = path.join(os.tmpdir(), `clearhouse-infeasible-${process.pid}.json`);
      fs.writeFileSync(file, JSON.stringify(rawGame()).replace(/-0\.31/g, "-0.01"));
      const run = promisify(execFile)("npx", ["hardhat", "exchange:design", "--game", file], {
        env: { ...process.env, CI: "" },
      });
      const err = await run.then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(err, "the command failed").to.not.equal(undefined);
      expect(err!.code).to.equal(1);
      expect(err!.stderr).to.contain("infeasible");
      expect(err!.stderr).to.contain('IC at node "H.RfE.NC": S prefers NC to CF');
    });
  });
});

describe("Shipped default table and its Ignition module", () => {
  // Every shipped table equals what the designer produces: test/exchange/protection.test.ts.
  it("the Ignition module deploys the escrow with that table registered", async () => {
    const { deployExchangeEscrow } = await import("../../src/hardhat/adapter");
    const { DEFAULT_PAYOUT_TABLE } = await import("../../src/exchange/model/defaultTable");
    const { escrow, table: tableNumber, tableId } = await deployExchangeEscrow(hre);
    expect(await escrow.tableOf(tableId)).to.equal(tableNumber);
    expect(tableNumber).to.equal(1n);
    const registered = await escrow.getTable(tableNumber);
    expect(registered.buyer[3]).to.equal(DEFAULT_PAYOUT_TABLE.buyer[3]);
    // The protective default: a seller deposit of 5 % of the price, and its smallest safe price.
    expect(registered.sellerDeposit).to.equal(5n * 10n ** 16n);
    expect(registered.minPrice).to.equal(DEFAULT_PAYOUT_TABLE.minPrice);
    expect(DEFAULT_PAYOUT_TABLE.minPrice > 0n).to.equal(true);
    expect(await escrow.burnSetting()).to.deep.equal([0n, (await hre.ethers.getSigners())[0].address]);
  });
});
