/**
 * Designs a payout table for a game by linear programming (spec core-exchange §3), then checks
 * it by backward induction before anyone may use it.
 *
 * Variables: `t:<player>:<state>` >= 0 (transfer to the player in that contract state) and
 * `D:<player>` (deposit, free >= 0 or fixed). Rows:
 * - incentive compatibility at every player node, one per non-honest move (one-shot deviation
 *   principle): honest move then honest play beats the deviation then honest play by `delta`;
 * - budget per state: transfers <= pot (deposits + fixed payments): money may be burnt, never created;
 * - individual rationality per player: equilibrium payoff >= 0;
 * - the trade on the equilibrium path (on by default): each player gets its deposit back plus
 *   its `trade` share (seller: the price), nothing burnt;
 * - the user's linear constraints.
 * Objectives, solved lexicographically so the answer is deterministic:
 * - "min-deposits": minimize total deposits, then maximize off-path burn;
 * - "max-burn": maximize off-path burn, then minimize total deposits;
 * and finally a fixed weighted sum of the transfers (earlier variables cheaper) breaks any tie left.
 */
import {
  type Game,
  type Leaf,
  type LinearConstraint,
  type MoveSpec,
  type NodeSpec,
  type Observed,
  CHANCE,
  GameError,
  continuation,
  extend,
  honestContinuation,
} from "./game";
import { backwardInduction, type InductionResult, type StateTransfers } from "./induction";
import { type LinearProgram, type Row, infeasibleSubset, solveLp } from "./lp";

export type Objective = "min-deposits" | "max-burn";

export interface DesignOptions {
  /** Margin of every incentive constraint (> 0 makes honest play the unique SPE). */
  delta: number;
  objective: Objective;
  /** Fixed deposits per player, overriding the game's. */
  deposits?: Record<string, number>;
  /** Require the on-path trade (default true). */
  trade?: boolean;
  constraints?: LinearConstraint[];
}

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
}

export type DesignResult =
  | { status: "optimal"; design: DesignedTable; program: LinearProgram }
  | { status: "infeasible"; culprits: Row[]; program: LinearProgram }
  | { status: "unbounded"; reason: string; program: LinearProgram };

export const tVar = (player: string, state: string): string => `t:${player}:${state}`;
export const dVar = (player: string): string => `D:${player}`;

/** The leaves of honest play from the root (several when chance moves first). */
export function equilibriumLeaves(game: Game) {
  const start: MoveSpec = { label: "start", next: game.root };
  return honestContinuation(game, start, []);
}

export function buildProgram(game: Game, opts: DesignOptions): LinearProgram {
  const players = game.players;
  const variables = [
    ...players.flatMap((p) => game.states.map((s) => tVar(p.id, s))),
    ...players.map((p) => dVar(p.id)),
  ];
  const bounds: LinearProgram["bounds"] = {};
  for (const p of players) {
    const fixed = opts.deposits?.[p.id] ?? (p.deposit === "free" ? undefined : p.deposit);
    bounds[dVar(p.id)] = fixed === undefined ? { lo: 0, hi: Infinity } : { lo: fixed, hi: fixed };
  }
  const rows: Row[] = [];
  const totalPays = players.reduce((s, p) => s + p.pays, 0);

  // Incentive compatibility at every player node.
  // Children before parents (an explicit stack); each move's honest continuation is computed once.
  const memo = new Map<MoveSpec, Leaf[]>();
  const icRows = (node: NodeSpec, observed: Observed) => {
    if (node.player === CHANCE) return;
    const who = node.player;
    const honest = node.moves.find((m) => m.label === node.honest)!;
    const hLeaves = continuation(game, honest, observed, memo);
    for (const other of node.moves.filter((m) => m !== honest)) {
      const oLeaves = continuation(game, other, observed, memo);
      const terms: Record<string, number> = {};
      let utilityGap = 0;
      for (const l of hLeaves) {
        terms[tVar(who, l.state)] = (terms[tVar(who, l.state)] ?? 0) + l.weight;
        utilityGap += l.weight * l.utility[who];
      }
      for (const l of oLeaves) {
        terms[tVar(who, l.state)] = (terms[tVar(who, l.state)] ?? 0) - l.weight;
        utilityGap -= l.weight * l.utility[who];
      }
      rows.push({
        name: `IC at node "${node.id}": ${who} prefers ${honest.label} to ${other.label}`,
        terms,
        op: ">=",
        rhs: opts.delta - utilityGap,
      });
    }
  };
  const stack: { node: NodeSpec; observed: Observed; expanded: boolean }[] = [
    { node: game.root, observed: null, expanded: false },
  ];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.expanded) {
      icRows(top.node, top.observed);
      continue;
    }
    stack.push({ ...top, expanded: true });
    for (let i = top.node.moves.length - 1; i >= 0; i--) {
      const m = top.node.moves[i];
      if (m.next) stack.push({ node: m.next, observed: extend(top.observed, m.observe), expanded: false });
    }
  }
  memo.clear();

  // Budget: transfers never exceed the pot.
  for (const s of game.states) {
    const terms: Record<string, number> = {};
    for (const p of players) {
      terms[tVar(p.id, s)] = 1;
      terms[dVar(p.id)] = -1;
    }
    rows.push({ name: `budget in state ${s}`, terms, op: "<=", rhs: totalPays });
  }

  // Individual rationality and the on-path trade.
  const eq = equilibriumLeaves(game);
  for (const p of players) {
    const terms: Record<string, number> = { [dVar(p.id)]: -1 };
    let utility = 0;
    for (const l of eq) {
      terms[tVar(p.id, l.state)] = (terms[tVar(p.id, l.state)] ?? 0) + l.weight;
      utility += l.weight * l.utility[p.id];
    }
    rows.push({ name: `IR of ${p.id}`, terms, op: ">=", rhs: p.pays - utility });
  }
  if (opts.trade ?? true) {
    for (const s of [...new Set(eq.map((l) => l.state))]) {
      for (const p of players) {
        rows.push({
          name: `trade on the equilibrium path: ${p.id} gets its deposit + ${p.trade} in ${s}`,
          terms: { [tVar(p.id, s)]: 1, [dVar(p.id)]: -1 },
          op: "=",
          rhs: p.trade,
        });
      }
    }
  }

  const known = new Set(variables);
  for (const c of [...game.constraints, ...(opts.constraints ?? [])]) {
    for (const v of Object.keys(c.terms)) {
      if (!known.has(v)) {
        throw new GameError(
          `constraint "${c.name}": unknown variable "${v}" (use ${tVar("<player>", "<state>")} or ${dVar("<player>")})`,
        );
      }
    }
    rows.push({ name: `user: ${c.name}`, terms: c.terms, op: c.op, rhs: c.rhs });
  }

  return { variables, bounds, rows, objective: objectiveTerms(game, opts.objective) };
}

function objectiveTerms(game: Game, objective: Objective): LinearProgram["objective"] {
  if (objective === "min-deposits") {
    return { sense: "min", terms: Object.fromEntries(game.players.map((p) => [dVar(p.id), 1])) };
  }
  // Off-path burn: sum over off-path states of (deposits + pays - transfers); constants dropped.
  const onPath = new Set(equilibriumLeaves(game).map((l) => l.state));
  const off = game.states.filter((s) => !onPath.has(s));
  const terms: Record<string, number> = {};
  for (const p of game.players) {
    terms[dVar(p.id)] = off.length;
    for (const s of off) terms[tVar(p.id, s)] = -1;
  }
  return { sense: "max", terms };
}

const other = (o: Objective): Objective => (o === "min-deposits" ? "max-burn" : "min-deposits");

export async function designTable(game: Game, opts: DesignOptions): Promise<DesignResult> {
  if (!(opts.delta >= 0)) throw new GameError(`delta must be >= 0, got ${opts.delta}`);
  if (game.table) throw new GameError(`game "${game.name}" carries a given payout table: solve it, do not design one`);
  const program = buildProgram(game, opts);
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
  // Lexicographic refinement: hold each optimum (to a relative 1e-9) and optimize the next criterion.
  const hold = (obj: LinearProgram["objective"], value: number, name: string): Row => ({
    name,
    terms: obj.terms,
    op: obj.sense === "min" ? "<=" : ">=",
    rhs: value + (obj.sense === "min" ? 1 : -1) * 1e-9 * Math.max(1, Math.abs(value)),
  });
  const secondary = objectiveTerms(game, other(opts.objective));
  const rows2 = [...program.rows, hold(program.objective, first.objective, "primary objective")];
  const second = await solveLp({ ...program, rows: rows2, objective: secondary });
  let values = first.values;
  if (second.status === "optimal") {
    const weights = Object.fromEntries(program.variables.map((v, i) => [v, i + 1]));
    const rows3 = [...rows2, hold(secondary, second.objective, "secondary objective")];
    const third = await solveLp({ ...program, rows: rows3, objective: { sense: "min", terms: weights } });
    values = third.status === "optimal" ? third.values : second.values;
  }
  return { status: "optimal", design: tableFrom(game, opts, values), program };
}

/** Reads the table out of an LP solution, cleans solver noise, and runs the induction check. */
function tableFrom(game: Game, opts: DesignOptions, values: Record<string, number>): DesignedTable {
  const clean = (x: number) => (Math.abs(x) < 1e-12 ? 0 : Math.round(x * 1e12) / 1e12);
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
    equilibriumStates: [...new Set(equilibriumLeaves(game).map((l) => l.state))],
    check: backwardInduction(game, table, deposits),
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
