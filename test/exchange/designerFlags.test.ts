import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { designTable, type DesignOptions, type DesignedTable } from "../../src/exchange/design/designer";
import { GameError, loadGame, parseGame } from "../../src/exchange/design/game";
import { MAX_STRATEGIES } from "../../src/exchange/design/griefing";
import { formatGriefing } from "../../src/exchange/design/format";
import { wideGame } from "../../src/bench/designerGames";
import { publishDesign } from "../../src/exchange/design/publish";

const GAME_FILE = "games/core-exchange.json";
const WHOLE_AFTER_FAULT = { kind: "recover" as const, player: "B", state: "RfE-C-CF", share: 1 };
const SILENCE_COSTS = { kind: "forfeit" as const, player: "S", state: "RfE-C-NC", amount: 0.05 };

async function design(opts: Partial<DesignOptions> = {}): Promise<DesignedTable> {
  const r = await designTable(loadGame(GAME_FILE), { delta: 0.01, objective: "min-deposits", ...opts });
  if (r.status !== "optimal") throw new Error(`expected a design, got ${r.status}`);
  return r.design;
}

describe("exchange:design and exchange:profiles: protection flags", () => {
  const tmp = (name: string) => path.join(os.tmpdir(), `clearhouse-${name}-${process.pid}.json`);
  const runDesign = (args: Record<string, unknown>) =>
    hre.run("exchange:design", { game: GAME_FILE, delta: "0.01", objective: "min-deposits", noTrade: false, ...args });

  it("--profile protective writes the table with its griefing, forfeits and p0 (also in the escrow's form)", async () => {
    const out = tmp("protective");
    await runDesign({ profile: "protective", out });
    const written = JSON.parse(fs.readFileSync(out, "utf8"));
    const shipped = JSON.parse(fs.readFileSync("tables/core-exchange-protective.json", "utf8"));
    expect(written.table).to.deep.equal(shipped.table);
    expect(written.smallestSafePrice).to.equal(shipped.chain.minPrice);
    expect(written.forfeitTo).to.equal("victim");
    expect(written.griefing.worst).to.be.closeTo(shipped.griefing.worst, 1e-12);
    expect(written.forfeits.map((f: { state: string }) => f.state)).to.include("R-C-NC");
  });

  it("flags add to a profile: --recover and --forfeit and --max-griefing", async () => {
    const out = tmp("flags");
    await runDesign({ recover: "B@RfE-C-CF", forfeit: "S@RfE-C-NC=0.05", forfeitTo: "victim", maxGriefing: "3", out });
    const written = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(written.protections).to.deep.equal([WHOLE_AFTER_FAULT, SILENCE_COSTS]);
    expect(written.maxGriefing).to.equal(3);
    expect(written.griefing.worst).to.be.at.most(3 + 1e-9);
  });

  it("a bad flag ends the task with one line naming it", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { profile: "nope" },
        'exchange:design: --profile: "nope" is not a profile of games/core-exchange.json ' +
          "(profiles: least-deposits, protective, strong, strong-bounded)",
      ],
      [{ recover: "B-RfE" }, 'exchange:design: --recover: "B-RfE" is not <player>@<state>'],
      [{ forfeit: "S@RfE-C-NC" }, 'exchange:design: --forfeit: "S@RfE-C-NC" needs an amount'],
      [{ recover: "X@RfE-C-CF" }, "exchange:design: recover X@RfE-C-CF: unknown player"],
      [{ maxGriefing: "-1" }, "exchange:design: --max-griefing:"],
      [{ forfeitTo: "friend" }, "exchange:design: --forfeit-to:"],
      [{ maxGriefing: "0.5" }, "exchange:design: the program is infeasible"],
    ];
    for (const [args, message] of cases) {
      await expect(runDesign(args), JSON.stringify(args)).to.be.rejectedWith(message);
    }
  });

  it("exchange:profiles writes every profile and the trade-off; a game without profiles is refused", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clearhouse-profiles-"));
    await hre.run("exchange:profiles", {
      game: GAME_FILE,
      delta: "0.01",
      objective: "min-deposits",
      outDir: dir,
      docs: false,
    });
    const rows = JSON.parse(fs.readFileSync(path.join(dir, "core-exchange-tradeoffs.json"), "utf8"));
    expect(rows).to.deep.equal(JSON.parse(fs.readFileSync("tables/core-exchange-tradeoffs.json", "utf8")));
    const csv = fs.readFileSync(path.join(dir, "core-exchange-tradeoffs.csv"), "utf8").trim().split("\n");
    expect(csv).to.have.length(5);
    expect(csv[0]).to.contain("totalDeposit");
    await expect(
      hre.run("exchange:profiles", {
        game: "games/quality-lottery.json",
        delta: "0.01",
        objective: "min-deposits",
        outDir: dir,
        docs: false,
      }),
    ).to.be.rejectedWith('exchange:profiles: game "quality-lottery" has no "profiles"');
  });
});

describe("Designer: inputs an adversary tried", () => {
  const runDesign = (args: Record<string, unknown>) =>
    hre.run("exchange:design", { game: GAME_FILE, delta: "0.01", objective: "min-deposits", noTrade: false, ...args });

  it("numbers beyond what the solver takes, empty or doubled flags: one line naming what is wrong", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ maxGriefing: "1e16" }, "is beyond what the solver takes"],
      [{ delta: "1e25" }, "right-hand side: 1e+25 is beyond what the solver takes"],
      [{ deposits: "S=100000000000000000000000,B=0.5" }, "bound of D:S: 1e+23 is beyond what the solver takes"],
      [{ forfeit: "S@RfE-C-NC=1e25" }, "is beyond what the solver takes"],
      [{ delta: "" }, "exchange:design: --delta: expected a non-negative number"],
      [{ maxGriefing: "" }, "exchange:design: --max-griefing: expected a non-negative number"],
      [{ deposits: "S=1,S=2" }, "exchange:design: --deposits: a player is given twice"],
      [{ delta: "1e-12" }, "exchange:design: delta must be 0 or at least 1e-8"],
      [{ objective: "max-burn", deposits: "S=0.1,B=0.1", forfeitTo: "victim" }, "need the objective min-deposits"],
    ];
    for (const [args, message] of cases) {
      await expect(runDesign(args), JSON.stringify(args)).to.be.rejectedWith(message);
    }
    const file = path.join(os.tmpdir(), `clearhouse-a-file-${process.pid}`);
    fs.writeFileSync(file, "");
    await expect(
      hre.run("exchange:profiles", {
        game: GAME_FILE,
        delta: "0.01",
        objective: "min-deposits",
        outDir: file,
        docs: false,
      }),
    ).to.be.rejectedWith("exchange:profiles: --out-dir: cannot write");
  });

  it('":" in a player, state or message is refused (the designer names its variables t:<player>:<state>)', () => {
    const raw = JSON.parse(
      fs.readFileSync("games/quality-lottery.json", "utf8").replace(/"observe": "NC"/g, '"observe": "N:C"'),
    );
    expect(() => parseGame(raw, "g.json")).to.throw(GameError, '":" is reserved');
  });

  it("a trade state reached with probability 0 is not reached by honest play", async () => {
    const raw = JSON.parse(fs.readFileSync("games/quality-lottery.json", "utf8"));
    raw.root.moves[0].probability = 1;
    raw.root.moves[1].probability = 0;
    raw.tradeStates = ["RfE-C-CF"];
    await expect(designTable(parseGame(raw), { delta: 0.01, objective: "min-deposits" })).to.be.rejectedWith(
      GameError,
      'tradeStates: "RfE-C-CF" is not reached by honest play',
    );
  });

  it("too many deviating strategies: the griefing report says it is incomplete and forfeits are not attributed", async () => {
    const game = wideGame(MAX_STRATEGIES + 1);
    const r = await designTable(game, { delta: 0.01, objective: "min-deposits" });
    if (r.status !== "optimal") throw new Error(r.status);
    expect(r.design.griefing.tooMany).to.deep.equal(["A"]);
    expect(r.design.forfeits).to.deep.equal([]);
    expect(formatGriefing(r.design.griefing, game.playerIds)).to.contain("INCOMPLETE: A not enumerated");
    await expect(designTable(game, { delta: 0.01, objective: "min-deposits", forfeitTo: "victim" })).to.be.rejectedWith(
      GameError,
      "forfeits to the victim: player(s) A have too many deviating strategies",
    );
  });

  it("a margin too thin to check every price below p0 is refused with the way out", async () => {
    const d = await design({ delta: 1e-8 });
    expect(() => publishDesign(loadGame(GAME_FILE), d)).to.throw(GameError, "design with a larger delta");
  });
});
