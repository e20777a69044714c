/**
 * Backward induction on a game with a payout table: the subgame-perfect strategy at every
 * node, the equilibrium path and payoffs, the margin by which each chosen move beats the next
 * best, and ties (a tie means honest play is not the unique SPE).
 */
import {
  CHANCE,
  type Game,
  type NodeSpec,
  type Observed,
  extend,
  forEachNodeBottomUp,
  joined,
  moveUtility,
} from "./game";

/** state -> player -> transfer (units of the price). */
export type StateTransfers = Record<string, Record<string, number>>;

export interface NodeResult {
  node: string;
  player: string;
  /** The SPE move (for chance nodes: none). */
  choice?: string;
  honest?: string;
  /** Continuation value of the chosen move minus the best other move, for the node's player. */
  margin?: number;
  /** Labels whose value is within `tieTolerance` of the best. */
  tiedWith: string[];
}

export interface InductionResult {
  nodes: NodeResult[];
  /** Equilibrium payoff of each player: transfers minus what it paid in plus move utilities. */
  payoffs: Record<string, number>;
  /** Equilibrium leaves (more than one under chance), with probabilities. */
  path: { moves: string[]; state: string; probability: number }[];
  ties: NodeResult[];
  /** Nodes whose SPE move differs from the honest one. */
  deviations: NodeResult[];
  /** Smallest margin over player nodes. */
  minMargin: number;
}

export interface InductionOptions {
  /** Two moves whose values for the chooser differ by at most this tie (default `TIE_TOLERANCE`). */
  tieTolerance?: number;
}

export const TIE_TOLERANCE = 1e-9;

/** What each player paid in: its fixed payment plus its deposit. */
export function paidIn(game: Game, deposits: Record<string, number>): Record<string, number> {
  const paid: Record<string, number> = {};
  for (const p of game.players) paid[p.id] = p.pays + (deposits[p.id] ?? 0);
  return paid;
}

export function backwardInduction(
  game: Game,
  table: StateTransfers,
  deposits: Record<string, number>,
  opts: InductionOptions = {},
): InductionResult {
  const tol = opts.tieTolerance ?? TIE_TOLERANCE;
  const paid = paidIn(game, deposits);
  const results: NodeResult[] = [];
  // A path's moves as a list shared with the paths below it (prefixing a move copies nothing).
  type Moves = { label: string; rest: Moves } | null;
  type Value = { v: Record<string, number>; paths: { moves: Moves; state: string; probability: number }[] };

  const leafValue = (state: string): Record<string, number> => {
    const row = table[state];
    if (!row) throw new Error(`payout table has no row for state "${state}"`);
    const v: Record<string, number> = {};
    for (const p of game.playerIds) v[p] = (row[p] ?? 0) - paid[p];
    return v;
  };

  // One node, its children's values already known (`solved`).
  const solve = (node: NodeSpec, observed: Observed, solved: Map<NodeSpec, Value>): Value => {
    const options = node.moves.map((m) => {
      const path = extend(observed, m.observe);
      const below: Value = m.next
        ? solved.get(m.next)!
        : {
            v: leafValue(m.state ?? joined(path)),
            paths: [{ moves: null, state: m.state ?? joined(path), probability: 1 }],
          };
      const v: Record<string, number> = {};
      for (const p of game.playerIds) v[p] = below.v[p] + moveUtility(m, p);
      return { m, v, paths: below.paths.map((x) => ({ ...x, moves: { label: m.label, rest: x.moves } })) };
    });
    for (const m of node.moves) if (m.next) solved.delete(m.next);
    if (node.player === CHANCE) {
      const v: Record<string, number> = {};
      for (const p of game.playerIds) v[p] = options.reduce((s, o) => s + o.m.probability! * o.v[p], 0);
      results.push({ node: node.id, player: CHANCE, tiedWith: [] });
      return {
        v,
        paths: options.flatMap((o) => o.paths.map((x) => ({ ...x, probability: x.probability * o.m.probability! }))),
      };
    }
    const who = node.player;
    // Moves within `tol` of the best tie (reported in `tiedWith`, never silently resolved): the honest one is
    // played if it is among them, else the first best listed, so the result is deterministic.
    const top = maxOf(options.map((o) => o.v[who]));
    const best =
      options.find((o) => o.m.label === node.honest && top - o.v[who] <= tol) ?? options.find((o) => o.v[who] === top)!;
    const others = options.filter((o) => o !== best);
    const second = maxOf(others.map((o) => o.v[who]));
    const tiedWith = others.filter((o) => Math.abs(best.v[who] - o.v[who]) <= tol).map((o) => o.m.label);
    results.push({
      node: node.id,
      player: who,
      choice: best.m.label,
      honest: node.honest,
      margin: best.v[who] - second,
      tiedWith,
    });
    return { v: best.v, paths: best.paths };
  };

  const solved = new Map<NodeSpec, Value>();
  forEachNodeBottomUp(game.root, (node, observed) => solved.set(node, solve(node, observed, solved)));
  const root = solved.get(game.root)!;
  const byNode = new Map<string, NodeResult>();
  for (const r of results) if (!byNode.has(r.node)) byNode.set(r.node, r);
  const ordered = game.nodes.map((n) => byNode.get(n.id)!);
  const playerNodes = ordered.filter((r) => r.player !== CHANCE);
  return {
    nodes: ordered,
    payoffs: root.v,
    path: root.paths.map((x) => ({ ...x, moves: labels(x.moves) })),
    ties: playerNodes.filter((r) => r.tiedWith.length > 0),
    deviations: playerNodes.filter((r) => r.choice !== r.honest),
    minMargin: -maxOf(playerNodes.map((r) => -r.margin!)),
  };
}

/** `Math.max(...xs)` for arrays of any length (the spread overflows the stack past ~100,000). */
function maxOf(xs: number[]): number {
  let max = -Infinity;
  for (const x of xs) if (x > max || Number.isNaN(x)) max = x;
  return Number.isNaN(max) ? NaN : max;
}

function labels(moves: { label: string; rest: typeof moves } | null): string[] {
  const out: string[] = [];
  for (let m = moves; m; m = m.rest) out.push(m.label);
  return out;
}
