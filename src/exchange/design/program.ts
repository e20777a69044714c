/**
 * The linear program that designs a payout table for a game (spec core-exchange §3, §6).
 *
 * Variables: `t:<player>:<state>` >= 0 (transfer to the player in that contract state) and
 * `D:<player>` (deposit, free >= 0 or fixed). Rows:
 * - incentive compatibility at every player node, one per non-honest move (one-shot deviation
 *   principle): honest move then honest play beats the deviation then honest play by `delta`;
 * - budget per state: transfers <= pot (deposits + fixed payments): money may be burnt, never created;
 * - individual rationality per player: equilibrium payoff >= 0;
 * - the trade (on by default), in the game's trade state(s) only (`tradeStates`): each player gets
 *   its deposit back plus its `trade` share (seller: the price), nothing burnt;
 * - protections (recover, forfeit, a bound on griefing; protection.ts) and the user's linear constraints.
 * Objectives: "min-deposits" (total deposits) or "max-burn" (money burnt off the equilibrium path).
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
  forEachNodeBottomUp,
  hasChance,
  honestContinuation,
} from "./game";
import { allDeviatingStrategies } from "./griefing";
import type { LinearProgram, Row } from "./lp";
import type { ForfeitTo, Protection } from "./profile";
import { boundedGriefingRows, protectionRows } from "./protection";

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
  /** Recover / forfeit bounds on what a player gets in a state (protection.ts). */
  protections?: Protection[];
  /** Bound on the griefing factor of every deviating strategy. */
  maxGriefing?: number;
  /** Where forfeits go where incentives allow: burnt (default), or to the victim. */
  forfeitTo?: ForfeitTo;
}

export const tVar = (player: string, state: string): string => `t:${player}:${state}`;
export const dVar = (player: string): string => `D:${player}`;

/** The leaves of honest play from the root (several when chance moves first). */
export function equilibriumLeaves(game: Game) {
  const start: MoveSpec = { label: "start", next: game.root };
  return honestContinuation(game, start, []);
}

/**
 * The state(s) the trade constraint applies to: the game's `tradeStates`, each reached by honest
 * play, or else the one state honest play reaches in a game without chance nodes.
 */
export function tradeStates(game: Game): string[] {
  const onPath = [
    ...new Set(
      equilibriumLeaves(game)
        .filter((l) => l.weight > 0)
        .map((l) => l.state),
    ),
  ];
  if (game.tradeStates) {
    const off = game.tradeStates.find((s) => !onPath.includes(s));
    if (off !== undefined) {
      throw new GameError(
        `tradeStates: "${off}" is not reached by honest play (with a positive probability, it reaches ` +
          `${onPath.join(", ")})`,
      );
    }
    return game.tradeStates;
  }
  if (hasChance(game)) {
    throw new GameError(
      `game "${game.name}" has chance nodes: name the trade outcome(s) in "tradeStates" ` +
        `(honest play reaches ${onPath.join(", ")}), or design with --no-trade`,
    );
  }
  return onPath;
}

/**
 * Incentive compatibility at every player node, one row per non-honest move (one-shot deviation
 * principle): honest move then honest play beats the other move then honest play by `delta`, in
 * the mover's transfers plus move utilities (what it paid in cancels).
 */
export function incentiveRows(game: Game, delta: number): Row[] {
  const rows: Row[] = [];
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
        rhs: delta - utilityGap,
      });
    }
  };
  forEachNodeBottomUp(game.root, icRows);
  return rows;
}

export function buildProgram(
  game: Game,
  opts: DesignOptions,
  strategies: () => ReturnType<typeof allDeviatingStrategies> = () => allDeviatingStrategies(game),
): LinearProgram {
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

  // Row by row: a spread of 200,000 rows overflows the call stack.
  for (const row of incentiveRows(game, opts.delta)) rows.push(row);

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
    for (const s of tradeStates(game)) {
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

  rows.push(...protectionRows(game, opts.protections ?? []));
  if (opts.maxGriefing !== undefined) {
    for (const row of boundedGriefingRows(game, eq, strategies(), opts.maxGriefing)) rows.push(row);
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

export function objectiveTerms(game: Game, objective: Objective): LinearProgram["objective"] {
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

export const otherObjective = (o: Objective): Objective => (o === "min-deposits" ? "max-burn" : "min-deposits");
