/**
 * Hardhat tasks of the core-exchange designer:
 *   exchange:design        design a payout table for a game by LP, check it, write it
 *   exchange:solve         backward induction on a game with a given table
 *   exchange:moore-repullo write and solve the Moore–Repullo mechanism for values h, l
 */
import fs from "node:fs";
import path from "node:path";
import { task, types } from "hardhat/config";
import { z } from "zod";
import { fail, parseArgs } from "./utils";
import { payoutTableToJson } from "../src/exchange/model/payoutTable";
import { escrowMismatch, fromPayoutTable, toPayoutTable } from "../src/exchange/design/contractTable";
import { checkPasses, designTable, type DesignedTable } from "../src/exchange/design/designer";
import { type Game, GameError, loadGame, parseGame } from "../src/exchange/design/game";
import { loadConstraints, loadDesignedTable } from "../src/exchange/design/inputs";
import { backwardInduction, type StateTransfers } from "../src/exchange/design/induction";
import {
  inductionVerdict,
  mooreRepulloGame,
  SEED_VALUES,
  truthfulCondition,
  verdictLine,
} from "../src/exchange/design/mooreRepullo";
import { formatDesign, formatInduction } from "../src/exchange/design/format";

/** Runs `body`, turning a game file's validation error into a one-line task error. */
async function guarded<T>(taskName: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof GameError) fail(`${taskName}: ${e.message}`);
    throw e;
  }
}

/**
 * The 18-decimal table ExchangeEscrow stores, re-checked by backward induction on exactly those
 * numbers; a table that fails ends the task before anything is written.
 */
function chainTable(game: Game, design: DesignedTable) {
  let chain: ReturnType<typeof toPayoutTable>;
  try {
    chain = toPayoutTable(design);
  } catch (e) {
    return fail(`exchange:design: the table has no 18-decimal form (${(e as Error).message}); nothing was written`);
  }
  const exact = fromPayoutTable(chain);
  const check = backwardInduction(game, exact.table, exact.deposits);
  if (check.deviations.length || check.minMargin < design.delta - 1e-9) {
    fail("the fixed-point table failed its backward-induction check; nothing was written");
  }
  return chain;
}

/** Writes `data` as JSON to `out`, creating its folder; a failure names `--out`. */
function writeJson(taskName: string, out: string, data: unknown): void {
  try {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(data, null, 2) + "\n");
  } catch (e) {
    fail(`${taskName}: --out: cannot write ${out}: ${(e as Error).message}`);
  }
}

const existingFile = (what: string) => z.string().refine((f) => fs.existsSync(f), `${what} not found`);

const depositsArg = z
  .string()
  .regex(/^(\w+=\d+(\.\d+)?)(,\w+=\d+(\.\d+)?)*$/, "deposits look like S=0.5,B=0.25")
  .transform((s) =>
    Object.fromEntries(
      s
        .split(",")
        .map((kv) => kv.split("="))
        .map(([k, v]) => [k, Number(v)]),
    ),
  );

task("exchange:design", "Designs a payout table by linear programming and checks it by backward induction")
  .addParam("game", "Game file (JSON)")
  .addOptionalParam("delta", "Incentive margin (> 0: honest play is the unique SPE)", "0.01")
  .addOptionalParam("objective", "min-deposits or max-burn", "min-deposits")
  .addOptionalParam("deposits", "Fixed deposits, e.g. S=0.5,B=0.25 (default: free)")
  .addOptionalParam("constraints", "Extra linear constraints (JSON array of {name, terms, op, rhs})")
  .addOptionalParam("out", "Where to write the table (default out/tables/<game>-<objective>.json)")
  .addFlag("noTrade", "Do not require the on-path trade (seller gets price + D_S, buyer D_B)")
  .setAction(async (args) =>
    guarded("exchange:design", async () => {
      const opts = parseArgs(
        "exchange:design",
        z.object({
          game: existingFile("game file"),
          delta: z.coerce.number().nonnegative(),
          objective: z.enum(["min-deposits", "max-burn"]),
          deposits: depositsArg.optional(),
          constraints: existingFile("constraints file").optional(),
          out: z.string().min(1).optional(),
          noTrade: z.boolean(),
        }),
        args,
      );
      const game = loadGame(opts.game);
      const constraints = opts.constraints ? loadConstraints(opts.constraints) : undefined;
      const stranger = Object.keys(opts.deposits ?? {}).find((p) => !game.playerIds.includes(p));
      if (stranger !== undefined) {
        fail(`exchange:design: --deposits: unknown player "${stranger}" (players: ${game.playerIds.join(", ")})`);
      }
      const result = await designTable(game, {
        delta: opts.delta,
        objective: opts.objective,
        deposits: opts.deposits,
        trade: !opts.noTrade,
        constraints,
      });
      if (result.status === "infeasible") {
        fail(
          `the program is infeasible; these constraints cannot hold together:\n  ` +
            `${result.culprits.map((c) => c.name).join("\n  ")}`,
        );
      }
      if (result.status === "unbounded") fail(`the program is unbounded: ${result.reason}`);
      if (result.status !== "optimal") return;
      const design = result.design;
      console.log(formatDesign(game, design));
      if (!checkPasses(design)) fail("the designed table failed its backward-induction check; nothing was written");
      // The general table (state -> player -> amount, deposits) for any game; the escrow's form when it fits.
      const output: Record<string, unknown> = { ...design };
      const mismatch = escrowMismatch(game);
      if (mismatch === undefined) output.chain = payoutTableToJson(chainTable(game, design));
      const out = opts.out ?? path.join("out", "tables", `${game.name}-${opts.objective}.json`);
      writeJson("exchange:design", out, output);
      if (mismatch !== undefined) {
        console.log(`\nNot a table ExchangeEscrow can take: ${mismatch}; written without its "chain" form.`);
      }
      console.log(`\nWrote ${out}`);
    }),
  );

task("exchange:solve", "Backward induction on a game with its given (or a designed) payout table")
  .addParam("game", "Game file (JSON)")
  .addOptionalParam("table", "Designed table file (default: the game's own table)")
  .setAction(async (args) =>
    guarded("exchange:solve", async () => {
      const opts = parseArgs(
        "exchange:solve",
        z.object({ game: existingFile("game file"), table: existingFile("table file").optional() }),
        args,
      );
      const game = loadGame(opts.game);
      let table: StateTransfers | undefined = game.table;
      let deposits: Record<string, number> = {};
      if (opts.table) ({ table, deposits } = loadDesignedTable(opts.table, game));
      if (!table) fail(`game "${game.name}" has no table: pass --table or design one with exchange:design`);
      console.log(formatInduction(backwardInduction(game, table!, deposits)));
    }),
  );

task("exchange:moore-repullo", "Writes and solves the Moore–Repullo mechanism for values h and l")
  .addOptionalParam("h", "Buyer's value of high quality", SEED_VALUES.h, types.float)
  .addOptionalParam("l", "Buyer's value of low quality", SEED_VALUES.l, types.float)
  .addOptionalParam("fine", "Fine F paid to the third party on a challenge", SEED_VALUES.fine, types.float)
  .addOptionalParam("premium", "Counter-offer price above the announced value", SEED_VALUES.premium, types.float)
  .addOptionalParam("out", "Where to write the game file")
  .setAction(async (args) =>
    guarded("exchange:moore-repullo", async () => {
      const { out, ...v } = parseArgs(
        "exchange:moore-repullo",
        z
          .object({
            h: z.number().positive(),
            l: z.number().nonnegative(),
            fine: z.number().nonnegative(),
            premium: z.number().nonnegative(),
            out: z.string().min(1).optional(),
          })
          .refine((x) => x.h > x.l, { path: ["h"], message: "h must exceed l" }),
        args,
      );
      const spec = mooreRepulloGame(v);
      if (out) {
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, JSON.stringify(spec, null, 2) + "\n");
      }
      const game = parseGame(spec);
      const result = backwardInduction(game, spec.table!, {});
      console.log(formatInduction(result));
      console.log(verdictLine(result));
      const condition = truthfulCondition(v);
      console.log(`Condition (derived in closed form): ${condition.verdict}: ${condition.reason}.`);
      if (condition.verdict !== inductionVerdict(result)) {
        fail(`exchange:moore-repullo: the closed form says "${condition.verdict}", backward induction disagrees`);
      }
    }),
  );
