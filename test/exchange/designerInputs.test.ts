import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import hre from "hardhat";
import { HardhatPluginError } from "hardhat/plugins";
import { escrowMismatch } from "../../src/exchange/design/contractTable";
import { GameError, loadGame, parseGame, type GameSpec, type MoveSpec } from "../../src/exchange/design/game";
import { fieldPath, parseConstraints, parseDesignedTable, readJsonFile } from "../../src/exchange/design/inputs";

const GAME_FILE = "games/core-exchange.json";
const rawGame = (): GameSpec => JSON.parse(fs.readFileSync(GAME_FILE, "utf8"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clearhouse-inputs-"));
const file = (name: string, text: string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

const REFUND = { name: "refund", terms: { "t:B:RfE-C-CF": 1, "D:B": -1 }, op: "=", rhs: 1 };

/** Broken constraints files and the one-line message each must get (after `<file>: `). */
const BROKEN_CONSTRAINTS: { what: string; text: string; message: string }[] = [
  { what: "an object instead of a list", text: JSON.stringify(REFUND), message: "(top level): Expected array" },
  {
    what: "a missing rhs",
    text: JSON.stringify([REFUND, { name: "x", terms: {}, op: "<=" }]),
    message: "[1].rhs: Required",
  },
  {
    what: "a string coefficient",
    text: JSON.stringify([{ ...REFUND, terms: { "t:B:RfE-C-CF": "1" } }]),
    message: '[0].terms["t:B:RfE-C-CF"]: Expected number, received string',
  },
  { what: "bad JSON", text: "[{ name: 1 }", message: "not JSON: " },
  { what: "the operator =>", text: JSON.stringify([{ ...REFUND, op: "=>" }]), message: "[0].op: Invalid enum value" },
  {
    what: "an extra key",
    text: JSON.stringify([{ ...REFUND, colour: "red" }]),
    message: "[0]: Unrecognized key(s) in object: 'colour'",
  },
];

/** The core exchange with its eight states renamed "a" to "h" (the same tree, the same incentives). */
function renamedGame(): GameSpec {
  const g = rawGame();
  const names = new Map(parseGame(g).states.map((s, i) => [s, "abcdefgh"[i]]));
  const visit = (m: MoveSpec, seen: string[]) => {
    const path = m.observe ? [...seen, m.observe] : seen;
    if (m.next) for (const c of m.next.moves) visit(c, path);
    else m.state = names.get(m.state ?? path.join("-"));
  };
  for (const m of g.root.moves) visit(m, []);
  delete g.profiles; // they name the core exchange's states
  return { ...g, name: "renamed-exchange" };
}

type Run = { code: number; stdout: string; stderr: string };

/** Runs a Hardhat task as a user would (no CI, a display: Hardhat then prints no stack trace of its own). */
async function hardhat(...args: string[]): Promise<Run> {
  const env = { ...process.env, CI: "", DISPLAY: process.env.DISPLAY ?? ":0" };
  return promisify(execFile)("npx", ["hardhat", ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: Run) => e,
  );
}

/** A failed run: exit code 1 and exactly `message` as the error line, with no stack trace. */
function expectOneLineError(r: Run, message: string) {
  expect(r.code, r.stderr).to.equal(1);
  const lines = r.stderr.split("\n").filter((l) => l.trim());
  expect(lines[0]).to.contain(message);
  expect(lines.slice(1).join("\n")).to.not.match(/^\s+at /m);
  expect(lines).to.have.length.at.most(2); // the error, and Hardhat's "For more info" hint
}

describe("Designer inputs: constraints and table files", () => {
  describe("constraints file schema", () => {
    for (const c of BROKEN_CONSTRAINTS.filter((b) => b.what !== "bad JSON")) {
      it(`refuses ${c.what}, naming the field`, () => {
        expect(() => parseConstraints(JSON.parse(c.text), "c.json")).to.throw(GameError, `c.json: ${c.message}`);
      });
    }

    it("reports bad JSON as not JSON, on one line", () => {
      const f = file("bad.json", '[\n  { "name": \n');
      expect(() => readJsonFile(f)).to.throw(GameError, `${f}: not JSON: `);
      expect(() => readJsonFile(f)).to.throw(/^[^\n]*$/);
      expect(() => readJsonFile(path.join(dir, "none.json"))).to.throw(GameError, "cannot read");
    });

    it("accepts the documented form and refuses duplicate names", () => {
      expect(parseConstraints([REFUND])).to.deep.equal([REFUND]);
      expect(() => parseConstraints([REFUND, REFUND], "c.json")).to.throw(
        GameError,
        'c.json: [1].name: duplicate name "refund"',
      );
      expect(() => parseConstraints([{ ...REFUND, rhs: "1" }], "c.json")).to.throw(
        GameError,
        "[0].rhs: Expected number",
      );
    });

    it("writes field paths as JavaScript would", () => {
      expect(fieldPath([])).to.equal("(top level)");
      expect(fieldPath([2, "rhs"])).to.equal("[2].rhs");
      expect(fieldPath(["table", "R-C-CF", "S"])).to.equal('table["R-C-CF"].S');
    });
  });

  describe("designed table file", () => {
    const game = loadGame(GAME_FILE);
    const shipped = () => JSON.parse(fs.readFileSync("tables/core-exchange-least-deposits.json", "utf8"));

    it("reads a table exchange:design wrote", () => {
      const { table, deposits } = parseDesignedTable(shipped(), game);
      expect(deposits).to.deep.equal({ S: 0, B: 0.02 });
      expect(table["R-NC-NC"].S).to.equal(1);
    });

    it("refuses a wrong shape, a missing state, an unknown state or player, naming the field", () => {
      type Written = { table: Record<string, Record<string, unknown>>; deposits: Record<string, unknown> };
      const edit = (f: (t: Written) => void) => {
        const t = shipped();
        f(t);
        return () => parseDesignedTable(t, game, "t.json");
      };
      expect(edit((t) => delete (t as Partial<Written>).deposits)).to.throw(GameError, "t.json: deposits: Required");
      expect(edit((t) => (t.table["R-C-CF"].S = "0.02"))).to.throw(
        GameError,
        't.json: table["R-C-CF"].S: Expected number',
      );
      expect(edit((t) => (t.deposits.B = -1))).to.throw(GameError, "t.json: deposits.B: Number must be greater");
      expect(edit((t) => delete t.table["R-C-CF"])).to.throw(GameError, 't.json: table: no row for state "R-C-CF"');
      expect(edit((t) => (t.table.x = {}))).to.throw(GameError, 't.json: table.x: "x" is not a state of game');
      expect(edit((t) => (t.table["R-C-CF"].Z = 1))).to.throw(GameError, 't.json: table["R-C-CF"].Z: unknown player');
      expect(edit((t) => (t.deposits.Z = 1))).to.throw(GameError, "t.json: deposits.Z: unknown player");
    });
  });

  describe("which games ExchangeEscrow can take", () => {
    it("the core exchange, and no game with other states, players or payments", () => {
      expect(escrowMismatch(loadGame(GAME_FILE))).to.equal(undefined);
      expect(escrowMismatch(parseGame(renamedGame()))).to.contain('"a", "b", "c", "d", "e", "f", "g", "h" are not');
      const core = loadGame(GAME_FILE);
      const third = { ...core.players[0], id: "T" };
      expect(escrowMismatch({ ...core, players: [...core.players, third] })).to.contain(
        'its players are "S", "B", "T"',
      );
      const g = rawGame();
      g.players[1].pays = 2;
      expect(escrowMismatch(parseGame(g))).to.contain("B 2");
    });
  });

  describe("the tasks: one-line errors", function () {
    this.timeout(300_000);
    /** A task's failure: a HardhatPluginError (Hardhat prints it without a stack trace, exit 1) of one line. */
    async function rejection(task: string, args: Record<string, unknown>): Promise<string> {
      const defaults =
        task === "exchange:design" ? { game: GAME_FILE, delta: "0.01", objective: "min-deposits", noTrade: false } : {};
      const error = await hre.run(task, { ...defaults, ...args }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error, "the task failed").to.be.instanceOf(HardhatPluginError);
      expect(error!.message).to.not.contain("\n");
      return error!.message;
    }

    for (const c of BROKEN_CONSTRAINTS) {
      it(`exchange:design with ${c.what} in --constraints: one line naming the field, nothing written`, async () => {
        const f = file(`c-${c.what.replace(/\W+/g, "-")}.json`, c.text);
        const out = path.join(dir, "never.json");
        expect(await rejection("exchange:design", { constraints: f, out })).to.contain(
          `exchange:design: ${f}: ${c.message}`,
        );
        expect(fs.existsSync(out), "nothing written").to.equal(false);
      });
    }

    it("exchange:design with --deposits for a player the game lacks: one line naming --deposits", async () => {
      expect(await rejection("exchange:design", { deposits: "S=0,X=1" })).to.equal(
        'exchange:design: --deposits: unknown player "X" (players: S, B)',
      );
    });

    it("exchange:solve with a table file that is not JSON or has the wrong shape: one line", async () => {
      const bad = file("table-bad.json", "{ table: ");
      expect(await rejection("exchange:solve", { game: GAME_FILE, table: bad })).to.contain(`${bad}: not JSON: `);
      const shape = file("table-shape.json", JSON.stringify({ table: [], deposits: { S: 0, B: 0 } }));
      expect(await rejection("exchange:solve", { game: GAME_FILE, table: shape })).to.equal(
        `exchange:solve: ${shape}: table: Expected object, received array`,
      );
    });

    it("run as a user would: exit code 1, the one line, no stack trace", async () => {
      const f = file("c-user.json", BROKEN_CONSTRAINTS[0].text);
      const r = await hardhat("exchange:design", "--game", GAME_FILE, "--constraints", f);
      expectOneLineError(r, `exchange:design: ${f}: ${BROKEN_CONSTRAINTS[0].message}`);
    });

    it("an 8-state game with other state names: writes the general table and says the escrow cannot take it", async () => {
      const game = file("renamed.json", JSON.stringify(renamedGame()));
      const out = path.join(dir, "renamed-table.json");
      const printed: string[] = [];
      const log = console.log;
      console.log = (...xs: unknown[]) => printed.push(xs.join(" "));
      try {
        await hre.run("exchange:design", { game, delta: "0.01", objective: "min-deposits", noTrade: false, out });
        // The general table is one exchange:solve reads back.
        await hre.run("exchange:solve", { game, table: out });
      } finally {
        console.log = log;
      }
      expect(printed.join("\n")).to.contain(
        'Not a table ExchangeEscrow can take: states "a", "b", "c", "d", "e", "f", "g", "h" are not core-exchange states',
      );
      const written = JSON.parse(fs.readFileSync(out, "utf8"));
      expect(Object.keys(written.table)).to.deep.equal([..."abcdefgh"]);
      expect(written.deposits).to.deep.equal({ S: 0, B: 0.02 });
      expect(written).to.not.have.property("chain");
      expect(printed.join("\n")).to.contain("Backward induction: honest play at every node");
    });
  });
});
