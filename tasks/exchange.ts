/**
 * Hardhat tasks of the core-exchange designer:
 *   exchange:design        design a payout table for a game by LP, check it, write it
 *   exchange:profiles      design every protection profile of a game and tabulate the trade-off
 *   exchange:solve         backward induction on a game with a given table
 *   exchange:moore-repullo write and solve the Moore–Repullo mechanism for values h, l
 */
import fs from "node:fs";
import path from "node:path";
import { task, types } from "hardhat/config";
import { z } from "zod";
import { fail, parseArgs } from "./utils";
import { toJson } from "../src/common/json";
import { replaceMarked, writeCsv } from "../src/common/output";
import { type DesignOptions, designTable } from "../src/exchange/design/designer";
import { GameError, loadGame, parseGame } from "../src/exchange/design/game";
import { profileSchema } from "../src/exchange/design/profile";
import { parseProtectionArg } from "../src/exchange/design/protection";
import { publishDesign, publishedJson } from "../src/exchange/design/publish";
import {
  designProfiles,
  profileOptions,
  tradeoffCsvRows,
  tradeoffMarkdown,
  tradeoffRows,
} from "../src/exchange/design/tradeoffs";
import { loadConstraints, loadDesignedTable } from "../src/exchange/design/inputs";
import { backwardInduction, type StateTransfers } from "../src/exchange/design/induction";
import {
  inductionVerdict,
  mooreRepulloGame,
  SEED_VALUES,
  truthfulCondition,
  verdictLine,
} from "../src/exchange/design/mooreRepullo";
import {
  formatDesign,
  formatForfeits,
  formatGriefing,
  formatInduction,
  formatSafePrice,
} from "../src/exchange/design/format";

/** Runs `body`, turning a game file's validation error into a one-line task error. */
async function guarded<T>(taskName: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof GameError) fail(`${taskName}: ${e.message}`);
    throw e;
  }
}

/** Writes `data` as JSON to `out`, creating its folder; a failure names the flag that chose `out`. */
function writeJson(taskName: string, out: string, data: unknown, flag = "--out"): void {
  try {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, toJson(data, 2) + "\n");
  } catch (e) {
    fail(`${taskName}: ${flag}: cannot write ${out}: ${(e as Error).message}`);
  }
}

/** A non-negative decimal number written out (an empty flag is not 0). */
const decimalArg = z
  .string()
  .regex(/^\d+(\.\d+)?([eE][+-]?\d+)?$/, "expected a non-negative number such as 0.01")
  .transform(Number);

const existingFile = (what: string) => z.string().refine((f) => fs.existsSync(f), `${what} not found`);

const depositsArg = z
  .string()
  .regex(/^(\w+=\d+(\.\d+)?)(,\w+=\d+(\.\d+)?)*$/, "deposits look like S=0.5,B=0.25")
  .refine((s) => {
    const players = s.split(",").map((kv) => kv.split("=")[0]);
    return new Set(players).size === players.length;
  }, "a player is given twice")
  .transform((s) =>
    Object.fromEntries(
      s
        .split(",")
        .map((kv) => kv.split("="))
        .map(([k, v]) => [k, Number(v)]),
    ),
  );

/** `--recover` / `--forfeit`: a comma-separated list of protections (see profile.ts). */
const protectionsArg = (kind: "recover" | "forfeit") =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return s.split(",").map((one) => parseProtectionArg(kind, one));
      } catch (e) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message.replace(/^--\w+: /, "") });
        return z.NEVER;
      }
    })
    .optional();

/** The options shared by exchange:design and exchange:profiles, validated. */
const designFlags = {
  game: existingFile("game file"),
  delta: decimalArg,
  objective: z.enum(["min-deposits", "max-burn"]),
};

task("exchange:design", "Designs a payout table by linear programming and checks it by backward induction")
  .addParam("game", "Game file (JSON)")
  .addOptionalParam("delta", "Incentive margin (> 0: honest play is the unique SPE)", "0.01")
  .addOptionalParam("objective", "min-deposits or max-burn", "min-deposits")
  .addOptionalParam("deposits", "Fixed deposits, e.g. S=0.5,B=0.25 (default: free)")
  .addOptionalParam("constraints", "Extra linear constraints (JSON array of {name, terms, op, rhs})")
  .addOptionalParam("profile", 'A protection profile named in the game file\'s "profiles"')
  .addOptionalParam("recover", "Made whole (or a share): B@RfE-C-CF,B@R-C-CF=0.5")
  .addOptionalParam("forfeit", "Loses at least an amount of what it paid in: S@RfE-C-NC=0.05")
  .addOptionalParam("maxGriefing", "Bound on the griefing factor of every deviating strategy")
  .addOptionalParam("forfeitTo", "burn, or victim (where incentives allow)")
  .addOptionalParam("out", "Where to write the table (default out/tables/<game>-<objective>.json)")
  .addFlag("noTrade", "Do not require the trade (seller gets price + D_S, buyer D_B in the trade state)")
  .setAction(async (args) =>
    guarded("exchange:design", async () => {
      const opts = parseArgs(
        "exchange:design",
        z.object({
          ...designFlags,
          deposits: depositsArg.optional(),
          constraints: existingFile("constraints file").optional(),
          profile: z.string().min(1).optional(),
          recover: protectionsArg("recover"),
          forfeit: protectionsArg("forfeit"),
          maxGriefing: decimalArg.optional(),
          forfeitTo: z.enum(["burn", "victim"]).optional(),
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
      const profiles = game.profiles ?? {};
      if (opts.profile !== undefined && !Object.hasOwn(profiles, opts.profile)) {
        const known = Object.keys(profiles);
        fail(
          `exchange:design: --profile: "${opts.profile}" is not a profile of ${opts.game}` +
            ` (${known.length ? `profiles: ${known.join(", ")}` : "it has none"})`,
        );
      }
      const base: DesignOptions = {
        delta: opts.delta,
        objective: opts.objective,
        deposits: opts.deposits,
        trade: !opts.noTrade,
        constraints,
        protections: [...(opts.recover ?? []), ...(opts.forfeit ?? [])],
        maxGriefing: opts.maxGriefing,
        forfeitTo: opts.forfeitTo,
      };
      const profile = opts.profile === undefined ? profileSchema.parse({}) : profiles[opts.profile];
      const result = await designTable(game, profileOptions(base, profile));
      if (result.status === "infeasible") {
        fail(
          `exchange:design: the program is infeasible; these constraints cannot hold together:\n  ` +
            `${result.culprits.map((c) => c.name).join("\n  ")}`,
        );
      }
      if (result.status === "unbounded") fail(`exchange:design: the program is unbounded: ${result.reason}`);
      if (result.status !== "optimal") return;
      const design = result.design;
      console.log(formatDesign(game, design));
      console.log(formatGriefing(design.griefing, game.playerIds));
      console.log(formatForfeits(design));
      const published = publishDesign(game, design);
      console.log(formatSafePrice(published.smallestSafePrice, design.delta));
      const out = opts.out ?? path.join("out", "tables", `${game.name}-${opts.profile ?? opts.objective}.json`);
      writeJson("exchange:design", out, publishedJson(published));
      if (published.notForEscrow !== undefined) {
        console.log(
          `\nNot a table ExchangeEscrow can take: ${published.notForEscrow}; written without its "chain" form.`,
        );
      }
      console.log(`\nWrote ${out}`);
    }),
  );

task("exchange:profiles", "Designs every protection profile of a game, and tabulates their trade-off")
  .addParam("game", 'Game file (JSON) with "profiles"')
  .addOptionalParam("delta", "Incentive margin (> 0: honest play is the unique SPE)", "0.01")
  .addOptionalParam("objective", "min-deposits or max-burn", "min-deposits")
  .addOptionalParam("outDir", "Where to write <game>-<profile>.json and <game>-tradeoffs.{json,csv}", "tables")
  .addFlag("docs", "Also write the trade-off table into README.md and docs/exchange.md (between markers)")
  .setAction(async (args) =>
    guarded("exchange:profiles", async () => {
      const opts = parseArgs(
        "exchange:profiles",
        z.object({ ...designFlags, outDir: z.string().min(1), docs: z.boolean() }),
        args,
      );
      const game = loadGame(opts.game);
      const designs = await designProfiles(game, { delta: opts.delta, objective: opts.objective });
      for (const d of designs) {
        const file = path.join(opts.outDir, `${game.name}-${d.name}.json`);
        writeJson("exchange:profiles", file, publishedJson(d.published), "--out-dir");
        console.log(`Wrote ${file}`);
      }
      const rows = tradeoffRows(designs);
      const base = path.join(opts.outDir, `${game.name}-tradeoffs`);
      writeJson("exchange:profiles", `${base}.json`, rows, "--out-dir");
      writeCsv(`${base}.csv`, tradeoffCsvRows(rows));
      const table = tradeoffMarkdown(rows);
      const docs = opts.docs
        ? ["README.md", path.join("docs", "exchange.md")].filter((f) =>
            replaceMarked(f, `${game.name}-tradeoffs`, table),
          )
        : [];
      console.log(`Wrote ${base}.json, ${base}.csv${docs.length ? `, and the table in ${docs.join(", ")}` : ""}\n`);
      console.log(table);
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
