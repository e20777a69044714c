/**
 * The files the designer's tasks read besides the game, validated with zod: the extra constraints
 * of `exchange:design --constraints` and the designed table of `exchange:solve --table`. Every
 * problem is a one-line `GameError` naming the file and the field, such as
 * `extra.json: [2].rhs: Required` or `extra.json: not JSON: Unexpected token ...`.
 */
import fs from "node:fs";
import { z } from "zod";
import { type Game, GameError, type LinearConstraint, linearConstraintSchema } from "./game";
import type { StateTransfers } from "./induction";

/** A zod issue's path as one would write it in JavaScript: `[2].rhs`, `table["R-C-CF"].S`. */
export function fieldPath(path: (string | number)[]): string {
  if (!path.length) return "(top level)";
  return path
    .map((k, i) => {
      if (typeof k === "number") return `[${k}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(k)) return i === 0 ? k : `.${k}`;
      return `[${JSON.stringify(k)}]`;
    })
    .join("");
}

/** One line, whatever the message (a JSON error may quote the text it choked on). */
const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

/** The parsed JSON of `file`, or a `GameError`: `<file>: cannot read: ...` / `<file>: not JSON: ...`. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new GameError(`${file}: cannot read: ${oneLine((e as Error).message)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GameError(`${file}: not JSON: ${oneLine((e as Error).message)}`);
  }
}

/** `raw` checked against `schema`; the first problem as `<file>: <field>: <why>`. */
function validate<T extends z.ZodTypeAny>(file: string, schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GameError(`${file}: ${fieldPath(issue.path)}: ${oneLine(issue.message)}`);
  }
  return parsed.data;
}

/**
 * A constraints file: a list of `{name, terms, op, rhs}` (the game file's own constraint rows),
 * nothing else in any object, `op` one of `<=`, `>=`, `=`, every coefficient a finite number, and
 * names unique (the infeasibility report names constraints by them). The designer reports unknown
 * variables, since only the game knows its players and states.
 */
export const constraintsFileSchema = z.array(linearConstraintSchema).superRefine((rows, ctx) => {
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (seen.has(row.name)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, "name"], message: `duplicate name "${row.name}"` });
    }
    seen.add(row.name);
  });
});

export function parseConstraints(raw: unknown, file = "constraints"): LinearConstraint[] {
  return validate(file, constraintsFileSchema, raw);
}

export const loadConstraints = (file: string): LinearConstraint[] => parseConstraints(readJsonFile(file), file);

/**
 * A designed table as `exchange:design` writes it. Only `table` (state -> player -> transfer) and
 * `deposits` (player -> deposit) are read; the rest of a design (`game`, `burn`, `chain`, ...) is
 * left alone.
 */
export const designedTableFileSchema = z.object({
  table: z.record(z.string(), z.record(z.string(), z.number().finite())),
  deposits: z.record(z.string(), z.number().finite().nonnegative()),
});

export interface TableForGame {
  table: StateTransfers;
  deposits: Record<string, number>;
}

/** A designed table checked against `game`: a row for each of its states, and only its states and players. */
export function parseDesignedTable(raw: unknown, game: Game, file = "table"): TableForGame {
  const { table, deposits } = validate(file, designedTableFileSchema, raw);
  const at = (field: (string | number)[]) => `${file}: ${fieldPath(field)}`;
  const players = game.playerIds.join(", ");
  for (const s of game.states) {
    if (!Object.hasOwn(table, s))
      throw new GameError(`${at(["table"])}: no row for state "${s}" of game "${game.name}"`);
  }
  for (const [s, row] of Object.entries(table)) {
    if (!game.states.includes(s)) {
      throw new GameError(`${at(["table", s])}: "${s}" is not a state of game "${game.name}"`);
    }
    for (const p of Object.keys(row)) {
      if (!game.playerIds.includes(p))
        throw new GameError(`${at(["table", s, p])}: unknown player (players: ${players})`);
    }
  }
  for (const p of Object.keys(deposits)) {
    if (!game.playerIds.includes(p))
      throw new GameError(`${at(["deposits", p])}: unknown player (players: ${players})`);
  }
  return { table, deposits };
}

export const loadDesignedTable = (file: string, game: Game): TableForGame =>
  parseDesignedTable(readJsonFile(file), game, file);
