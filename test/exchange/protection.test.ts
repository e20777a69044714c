import { expect } from "chai";
import fs from "node:fs";
import hre from "hardhat";
import { designTable, type DesignOptions, type DesignedTable } from "../../src/exchange/design/designer";
import { type Game, GameError, loadGame, parseGame } from "../../src/exchange/design/game";
import { backwardInduction, type StateTransfers } from "../../src/exchange/design/induction";
import { parseProtectionArg } from "../../src/exchange/design/protection";
import { publishDesign } from "../../src/exchange/design/publish";
import { designProfiles, tradeoffRows } from "../../src/exchange/design/tradeoffs";
import { type PayoutTable, stateName } from "../../src/exchange/model/payoutTable";

const GAME_FILE = "games/core-exchange.json";
const WHOLE_AFTER_FAULT = { kind: "recover" as const, player: "B", state: "RfE-C-CF", share: 1 };
const WHOLE_AFTER_REDEEM = { kind: "recover" as const, player: "B", state: "R-C-CF", share: 1 };
const SILENCE_COSTS = { kind: "forfeit" as const, player: "S", state: "RfE-C-NC", amount: 0.05 };

async function design(opts: Partial<DesignOptions> = {}): Promise<DesignedTable> {
  const r = await designTable(loadGame(GAME_FILE), { delta: 0.01, objective: "min-deposits", ...opts });
  if (r.status !== "optimal") throw new Error(`expected a design, got ${r.status}`);
  return r.design;
}

/**
 * Backward induction on the whole-unit amounts the escrow pays at `price` (deposits rounded up,
 * payouts down), in units of the price: the independent check of `p0`.
 */
function inductionAtPrice(game: Game, t: PayoutTable, price: bigint) {
  const unit = 10n ** 18n;
  const up = (x: bigint) => (x * price + unit - 1n) / unit;
  const down = (x: bigint) => (x * price) / unit;
  const share = (x: bigint) => Number(x) / Number(price);
  const table: StateTransfers = {};
  for (let i = 0; i < 8; i++) table[stateName(i)] = { S: share(down(t.seller[i])), B: share(down(t.buyer[i])) };
  return backwardInduction(game, table, { S: share(up(t.sellerDeposit)), B: share(up(t.buyerDeposit)) });
}

describe("Designer: protection as part of the design", () => {
  it("made whole after an admitted fault: least total deposit 0.04 (0.02 each); also after redeem: 0.30", async () => {
    const one = await design({ protections: [WHOLE_AFTER_FAULT] });
    expect(one.deposits.S).to.be.closeTo(0.02, 1e-12);
    expect(one.deposits.B).to.be.closeTo(0.02, 1e-12);
    expect(one.table["RfE-C-CF"].B).to.be.closeTo(1 + one.deposits.B, 1e-12);
    const two = await design({ protections: [WHOLE_AFTER_FAULT, WHOLE_AFTER_REDEEM] });
    expect(two.deposits.S + two.deposits.B).to.be.closeTo(0.3, 1e-12);
    expect(two.deposits.S).to.be.closeTo(0.28, 1e-12);
    expect(two.table["R-C-CF"].B).to.be.closeTo(1 + two.deposits.B, 1e-12);
    for (const d of [one, two]) expect(d.check.deviations).to.deep.equal([]);
  });

  it("a forfeit: non-delivery then silence costs the seller at least 5 % of the price", async () => {
    const d = await design({ protections: [SILENCE_COSTS] });
    expect(d.deposits.S).to.be.at.least(0.05 - 1e-12);
    expect(d.table["RfE-C-NC"].S - d.deposits.S).to.be.at.most(-0.05 + 1e-12);
    expect(d.protections).to.deep.equal([SILENCE_COSTS]);
  });

  it("forfeits go to the victim where incentives allow; deposits stay the least; shared states stay burnt", async () => {
    const burnt = await design({ protections: [WHOLE_AFTER_FAULT, SILENCE_COSTS] });
    const toVictim = await design({ protections: [WHOLE_AFTER_FAULT, SILENCE_COSTS], forfeitTo: "victim" });
    expect(toVictim.deposits).to.deep.equal(burnt.deposits);
    expect(toVictim.check.deviations).to.deep.equal([]);
    expect(toVictim.check.minMargin).to.be.at.least(0.01 - 1e-9);
    const report = Object.fromEntries(toVictim.forfeits.map((f) => [f.state, f]));
    // A buyer's false complaint after redeeming (R-C-NC): the seller keeps almost all instead of the burn.
    expect(report["R-C-NC"].deviator).to.equal("B");
    expect(report["R-C-NC"].toVictims.S).to.be.closeTo(1.03, 1e-9);
    expect(burnt.burn["R-C-NC"]).to.be.closeTo(1.07, 1e-9);
    // Refusing good quality without a complaint (RfE-NC-NC): the seller is paid, not the burn.
    expect(report["RfE-NC-NC"].toVictims.S).to.be.closeTo(1.05, 1e-9);
    // RfE-C-NC is reached by the seller's non-delivery and by the buyer refusing good quality: nobody's alone.
    expect(toVictim.forfeits.map((f) => f.state)).to.not.include("RfE-C-NC");
    expect(toVictim.burn["RfE-C-NC"]).to.be.closeTo(1.07, 1e-9);
    // Less burnt overall, and the worst griefing far lower than with the burn.
    const offPath = (d: DesignedTable) =>
      Object.entries(d.burn).reduce((acc, [s, b]) => acc + (s === "R-NC-NC" ? 0 : b), 0);
    expect(offPath(toVictim)).to.be.below(offPath(burnt));
    expect(toVictim.griefing.worst).to.be.below(burnt.griefing.worst);
  });

  it("protections name real players and states; the command-line form is checked", async () => {
    await expect(design({ protections: [{ ...WHOLE_AFTER_FAULT, player: "X" }] })).to.be.rejectedWith(
      GameError,
      "recover X@RfE-C-CF: unknown player",
    );
    await expect(design({ protections: [{ ...SILENCE_COSTS, state: "R-X-NC" }] })).to.be.rejectedWith(
      GameError,
      'forfeit S@R-X-NC: "R-X-NC" is not a state of game "core-exchange"',
    );
    expect(parseProtectionArg("recover", "B@RfE-C-CF")).to.deep.equal(WHOLE_AFTER_FAULT);
    expect(parseProtectionArg("recover", "B@R-C-CF=0.5")).to.deep.equal({ ...WHOLE_AFTER_REDEEM, share: 0.5 });
    expect(parseProtectionArg("forfeit", "S@RfE-C-NC=0.05")).to.deep.equal(SILENCE_COSTS);
    expect(() => parseProtectionArg("forfeit", "S@RfE-C-NC")).to.throw(GameError, "needs an amount");
    expect(() => parseProtectionArg("recover", "B-RfE")).to.throw(GameError, "is not <player>@<state>");
    expect(() => parseProtectionArg("recover", "B@RfE-C-CF=2")).to.throw(GameError, "share");
    expect(() => parseProtectionArg("forfeit", "S@RfE-C-NC=abc")).to.throw(GameError, "amount");
  });
});

describe("Designer: the smallest safe price p0", () => {
  for (const profile of ["least-deposits", "protective", "strong"]) {
    it(`${profile}: honest play keeps every margin >= delta / 2 from p0 to 1,000 base units, not at p0 - 1`, async () => {
      const game = loadGame(GAME_FILE);
      const [mine] = (await designProfiles(game, { delta: 0.01, objective: "min-deposits" })).filter(
        (d) => d.name === profile,
      );
      const { chain, smallestSafePrice: p0 } = mine.published;
      expect(chain!.minPrice).to.equal(p0);
      expect(p0 > 1n && p0 < 1000n, `p0 = ${p0}`).to.equal(true);
      for (let price = p0; price <= 1000n; price++) {
        const r = inductionAtPrice(game, chain!, price);
        expect(r.deviations, `deviations at ${price}`).to.deep.equal([]);
        expect(r.minMargin, `margin at ${price}`).to.be.at.least(0.005 - 1e-12);
      }
      const below = inductionAtPrice(game, chain!, p0 - 1n);
      expect(below.deviations.length > 0 || below.minMargin < 0.005).to.equal(true);
    });
  }

  it("is part of the escrow's table (its hash covers it), and none is asked of delta 0", async () => {
    const game = loadGame(GAME_FILE);
    const zero = publishDesign(game, await design({ delta: 0 }));
    expect(zero.smallestSafePrice).to.equal(0n);
    const escrow = await (
      await hre.ethers.getContractFactory("ExchangeEscrow")
    ).deploy((await hre.ethers.getSigners())[0].address, (await hre.ethers.getSigners())[1].address);
    const published = publishDesign(game, await design());
    await escrow.registerTable(published.chain!);
    await escrow.registerTable({ ...published.chain!, minPrice: 0n });
    // Two tables, two content hashes: minPrice is part of the content.
    expect(await escrow.tableCount()).to.equal(2n);
    expect(await escrow.tableIdOf(1n)).to.not.equal(await escrow.tableIdOf(2n));
    expect((await escrow.getTable(1n)).minPrice).to.equal(published.smallestSafePrice);
  });
});

describe("Designer: the shipped profiles and their trade-off", () => {
  it("every tables/core-exchange-<profile>.json and the trade-off table are what the designer produces today", async () => {
    const game = loadGame(GAME_FILE);
    const designs = await designProfiles(game, { delta: 0.01, objective: "min-deposits" });
    expect(designs.map((d) => d.name)).to.deep.equal(["least-deposits", "protective", "strong", "strong-bounded"]);
    for (const d of designs) {
      const shipped = JSON.parse(fs.readFileSync(`tables/core-exchange-${d.name}.json`, "utf8"));
      expect(shipped.table, d.name).to.deep.equal(d.published.design.table);
      expect(shipped.deposits, d.name).to.deep.equal(d.published.design.deposits);
      expect(shipped.smallestSafePrice, d.name).to.equal(d.published.smallestSafePrice.toString());
      expect(shipped.chain.minPrice, d.name).to.equal(d.published.smallestSafePrice.toString());
      expect(shipped.chain.seller, d.name).to.deep.equal(d.published.chain!.seller.map(String));
      expect(shipped.chain.buyer, d.name).to.deep.equal(d.published.chain!.buyer.map(String));
    }
    const rows = tradeoffRows(designs);
    const shipped = JSON.parse(fs.readFileSync("tables/core-exchange-tradeoffs.json", "utf8"));
    expect(shipped.map((r: { profile: string }) => r.profile)).to.deep.equal(rows.map((r) => r.profile));
    const [least, protective, strong, bounded] = rows;
    // The protective default: the buyer made whole after an admitted fault, silence costs the seller 5 %.
    expect(protective.deposits).to.deep.equal({ S: 0.05, B: 0.02 });
    expect(protective.worstGriefing).to.be.below(least.worstGriefing);
    expect(protective.offPathBurn).to.be.below(least.offPathBurn);
    expect(strong.totalDeposit).to.be.closeTo(0.3, 1e-12);
    // Bounding griefing at 3 costs the buyer a deposit; the bound holds.
    expect(bounded.worstGriefing).to.be.at.most(3 + 1e-9);
    expect(bounded.totalDeposit).to.be.above(strong.totalDeposit);
    const p = designs[1].published.design;
    expect(p.table["RfE-C-CF"].B).to.be.at.least(1 + p.deposits.B - 1e-12);
    expect(p.table["RfE-C-NC"].S - p.deposits.S).to.be.at.most(-0.05 + 1e-12);
  });
});

describe("Game files: profiles are checked when the game is read", () => {
  const raw = () => JSON.parse(fs.readFileSync(GAME_FILE, "utf8"));
  it("names the profile, the protection and what is wrong", () => {
    const badState = raw();
    badState.profiles.protective.protections[1].state = "RfE-C-XX";
    expect(() => parseGame(badState, "g.json")).to.throw(
      GameError,
      'g.json: profiles.protective.protections[1]: "RfE-C-XX" is not a state of the game',
    );
    const badPlayer = raw();
    badPlayer.profiles.strong.protections[0].player = "Z";
    expect(() => parseGame(badPlayer, "g.json")).to.throw(
      GameError,
      'g.json: profiles.strong.protections[0]: unknown player "Z"',
    );
    const badShape = raw();
    badShape.profiles.protective.maxGriefing = -1;
    expect(() => parseGame(badShape, "g.json")).to.throw(GameError, "g.json: profiles.protective.maxGriefing");
    const badKind = raw();
    badKind.profiles.protective.protections[0].kind = "refund";
    expect(() => parseGame(badKind, "g.json")).to.throw(GameError, "profiles.protective.protections.0.kind");
  });
});
