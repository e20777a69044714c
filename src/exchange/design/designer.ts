/**
 * Designs a payout table for a game by linear programming (the program: program.ts), then checks
 * it by backward induction before anyone may use it, and reports its griefing factors and where
 * its forfeits go (griefing.ts, protection.ts).
 *
 * Objectives, solved lexicographically so the answer is deterministic:
 * - "min-deposits": minimize total deposits, then (forfeits to the victims, when asked) maximize
 *   what victims receive, then maximize off-path burn;
 * - "max-burn": maximize off-path burn, then (the same victims' stage), then minimize total deposits;
 * and finally a fixed weighted sum of the transfers (earlier variables cheaper) breaks any tie left.
 */
import { type Game, GameError } from "./game";
import { type GriefingReport, allDeviatingStrategies, griefingReport } from "./griefing";
import { backwardInduction, type InductionResult, type StateTransfers } from "./induction";
import { type LinearProgram, type Row, infeasibleSubset, solveLp } from "./lp";
import {
  type DesignOptions,
  type Objective,
  buildProgram,
  dVar,
  equilibriumLeaves,
  objectiveTerms,
  otherObjective,
  tVar,
} from "./program";
import type { ForfeitTo, Protection } from "./profile";
import { type ForfeitEntry, forfeitReport, victimObjective } from "./protection";

export type { DesignOptions, Objective } from "./program";

/** The smallest positive margin: backward induction calls two values within 1e-9 a tie. */
export const MIN_DELTA = 1e-8;
export { equilibriumLeaves, tradeStates } from "./program";

export interface DesignedTable {
  game: string;
  delta: number;
  objective: Objective;
  deposits: Record<string, number>;
  pays: Record<string, number>;
  pot: number;
  /** state -> transfers per player and the burnt remainder. */
  table: StateTransfers;
  burn: Record<string, number>;
  equilibriumStates: string[];
  check: InductionResult;
  forfeitTo: ForfeitTo;
  protections: Protection[];
  maxGriefing?: number;
  /** The griefing factor of every deviating strategy under this table. */
  griefing: GriefingReport;
  /** Who gets the money in each off-path state that one deviator alone reaches. */
  forfeits: ForfeitEntry[];
}

export type DesignResult =
  | { status: "optimal"; design: DesignedTable; program: LinearProgram }
  | { status: "infeasible"; culprits: Row[]; program: LinearProgram }
  | { status: "unbounded"; reason: string; program: LinearProgram };

export async function designTable(game: Game, opts: DesignOptions): Promise<DesignResult> {
  if (!(opts.delta >= 0)) throw new GameError(`delta must be >= 0, got ${opts.delta}`);
  if (game.table) throw new GameError(`game "${game.name}" carries a given payout table: solve it, do not design one`);
  if (opts.delta > 0 && opts.delta < MIN_DELTA) {
    throw new GameError(`delta must be 0 or at least ${MIN_DELTA} (backward induction tells ties apart to 1e-9)`);
  }
  let all: ReturnType<typeof allDeviatingStrategies> | undefined;
  const strategies = () => (all ??= allDeviatingStrategies(game));
  if (opts.forfeitTo === "victim") {
    if (opts.objective !== "min-deposits") {
      throw new GameError(
        `forfeits to the victim need the objective min-deposits: ${opts.objective} burns all it can first`,
      );
    }
    const tooMany = strategies().tooMany;
    if (tooMany.length) {
      throw new GameError(
        `forfeits to the victim: player(s) ${tooMany.join(", ")} have too many deviating strategies to tell ` +
          `who a state's victim is`,
      );
    }
  }
  const program = buildProgram(game, opts, strategies);
  const first = await solveLp(program);
  if (first.status === "infeasible")
    return { status: "infeasible", culprits: await infeasibleSubset(program), program };
  if (first.status === "unbounded") {
    const free = game.players.filter((p) => program.bounds[dVar(p.id)].hi === Infinity).map((p) => dVar(p.id));
    return {
      status: "unbounded",
      reason:
        `objective "${opts.objective}" is unbounded` +
        (free.length ? `: deposits ${free.join(", ")} are free; fix them or cap them with a constraint` : ""),
      program,
    };
  }
  // Lexicographic refinement: hold each optimum (to a relative 1e-12) and optimize the next criterion:
  // forfeits to the victims (when asked), the other objective, then a fixed weighted sum of the
  // transfers (earlier variables cheaper) that leaves no tie.
  const hold = (obj: LinearProgram["objective"], value: number, name: string): Row => ({
    name,
    terms: obj.terms,
    op: obj.sense === "min" ? "<=" : ">=",
    rhs: value + (obj.sense === "min" ? 1 : -1) * 1e-12 * Math.max(1, Math.abs(value)),
  });
  const onPath = new Set(equilibriumLeaves(game).map((l) => l.state));
  const stages: { name: string; objective: LinearProgram["objective"] }[] = [
    ...(opts.forfeitTo === "victim"
      ? [{ name: "forfeits to the victims", objective: victimObjective(game, strategies().strategies, onPath) }]
      : []),
    { name: "secondary objective", objective: objectiveTerms(game, otherObjective(opts.objective)) },
    {
      name: "tie-break",
      objective: { sense: "min", terms: Object.fromEntries(program.variables.map((v, i) => [v, i + 1])) },
    },
  ];
  let rows = [...program.rows, hold(program.objective, first.objective, "primary objective")];
  let values = first.values;
  for (const stage of stages) {
    const result = await solveLp({ ...program, rows, objective: stage.objective });
    if (result.status !== "optimal") break;
    values = result.values;
    rows = [...rows, hold(stage.objective, result.objective, stage.name)];
  }
  return { status: "optimal", design: tableFrom(game, opts, values, strategies), program };
}

/** Reads the table out of an LP solution, cleans solver noise, and runs the induction check. */
function tableFrom(
  game: Game,
  opts: DesignOptions,
  values: Record<string, number>,
  strategies: () => ReturnType<typeof allDeviatingStrategies>,
): DesignedTable {
  // Solver noise (each held objective leaves a relative 1e-12 of slack for the next stage) is cleaned to
  // 10 decimals of the price; the backward-induction check below runs on the cleaned values.
  const clean = (x: number) => (Math.abs(x) < 1e-10 ? 0 : Math.round(x * 1e10) / 1e10);
  const honest = equilibriumLeaves(game);
  const onPath = new Set(honest.map((l) => l.state));
  const deposits = Object.fromEntries(game.players.map((p) => [p.id, clean(values[dVar(p.id)])]));
  const pays = Object.fromEntries(game.players.map((p) => [p.id, p.pays]));
  const pot = game.players.reduce((s, p) => s + p.pays + deposits[p.id], 0);
  const table: StateTransfers = {};
  const burn: Record<string, number> = {};
  for (const s of game.states) {
    table[s] = Object.fromEntries(game.players.map((p) => [p.id, clean(values[tVar(p.id, s)])]));
    burn[s] = clean(pot - game.players.reduce((acc, p) => acc + table[s][p.id], 0));
  }
  return {
    game: game.name,
    delta: opts.delta,
    objective: opts.objective,
    deposits,
    pays,
    pot,
    table,
    burn,
    equilibriumStates: [...onPath],
    check: backwardInduction(game, table, deposits),
    forfeitTo: opts.forfeitTo ?? "burn",
    protections: opts.protections ?? [],
    ...(opts.maxGriefing === undefined ? {} : { maxGriefing: opts.maxGriefing }),
    griefing: griefingReport(game, honest, table, strategies()),
    // Who a state's victim is needs every deviating strategy: none is attributed when some are missing.
    forfeits: strategies().tooMany.length ? [] : forfeitReport(game, strategies().strategies, onPath, table, burn),
  };
}

/** Whether a designed table passed its check: honest play at every node, every margin >= delta. */
export function checkPasses(d: DesignedTable, tolerance = 1e-9): boolean {
  return (
    d.check.deviations.length === 0 &&
    d.check.minMargin >= d.delta - tolerance &&
    (d.delta === 0 || d.check.ties.length === 0)
  );
}
