/**
 * Griefing (spec core-exchange §6): how much one player's deviation from honest play hurts the
 * others, per unit of what it costs the deviator.
 *
 * A deviating strategy of player X is a choice of X's own moves, differing from honest play at
 * least once where play reaches, while everyone else plays honestly; under chance nodes it fixes
 * X's move in every branch, so its outcome is a distribution over leaves. Against honest play:
 * - the deviator's loss is its expected payoff under honest play minus under the strategy;
 * - a victim's loss is the same difference for another player (a victim that gains counts as no harm);
 * - the griefing factor is the worst victim's loss divided by the deviator's loss: 0 when nobody
 *   is harmed, infinite when the deviation costs the deviator nothing.
 * Payoffs are quasi-linear (transfers plus move utilities); what a player paid in is the same under
 * every strategy and cancels, so every loss is linear in the transfers and a bound on the factor,
 * `victim loss <= G * deviator loss`, is a linear constraint the designer can impose.
 */
import { CHANCE, type Game, type Leaf, type NodeSpec, extend, forEachNodeBottomUp, joined } from "./game";
import type { StateTransfers } from "./induction";
import type { Row } from "./lp";

/** A deviating strategy is enumerated only up to this many per player (their number multiplies under chance). */
export const MAX_STRATEGIES = 10_000;

export interface Deviation {
  node: string;
  move: string;
}

export interface DeviatingStrategy {
  deviator: string;
  /** Where the deviator's moves differ from honest play, root first. */
  deviations: Deviation[];
  /** The leaves reached, with probabilities and every player's move utilities from the root. */
  leaves: Leaf[];
}

/** A linear expression over transfer variables `t:<player>:<state>` plus a constant. */
export interface Linear {
  terms: Record<string, number>;
  constant: number;
}

type Play = { leaves: Leaf[]; deviations: Deviation[] };

const addUtility = (game: Game, leaves: Leaf[], utility: Record<string, number> | undefined): Leaf[] =>
  utility
    ? leaves.map((l) => ({
        ...l,
        utility: Object.fromEntries(game.playerIds.map((p) => [p, l.utility[p] + (utility[p] ?? 0)])),
      }))
    : leaves;

/** How many plays each node offers `player` (others honest), saturating above `cap`. */
function countPlays(game: Game, player: string, cap: number): number {
  const count = new Map<NodeSpec, number>();
  const of = (n: NodeSpec | undefined) => (n ? count.get(n)! : 1);
  forEachNodeBottomUp(game.root, (node) => {
    let c: number;
    if (node.player === CHANCE) c = node.moves.reduce((acc, m) => Math.min(cap + 1, acc * of(m.next)), 1);
    else if (node.player === player) c = node.moves.reduce((acc, m) => Math.min(cap + 1, acc + of(m.next)), 0);
    else c = of(node.moves.find((m) => m.label === node.honest)!.next);
    count.set(node, c);
  });
  return count.get(game.root)!;
}

/**
 * Every deviating strategy of `player`, or undefined when it has more than `cap` plays (honest
 * play included), so that a huge game is reported as too large rather than exhausting memory.
 */
export function deviatingStrategies(game: Game, player: string, cap = MAX_STRATEGIES): DeviatingStrategy[] | undefined {
  if (countPlays(game, player, cap) > cap) return undefined;
  const zero = Object.fromEntries(game.playerIds.map((p) => [p, 0]));
  const plays = new Map<NodeSpec, Play[]>();
  forEachNodeBottomUp(game.root, (node, observed) => {
    const below = node.moves.map((m) => {
      const sub: Play[] = m.next
        ? plays.get(m.next)!
        : [
            {
              leaves: [{ state: m.state ?? joined(extend(observed, m.observe)), utility: zero, weight: 1 }],
              deviations: [],
            },
          ];
      const own = sub.map((p) => ({ ...p, leaves: addUtility(game, p.leaves, m.utility) }));
      if (node.player !== player || m.label === node.honest) return own;
      return own.map((p) => ({ ...p, deviations: [{ node: node.id, move: m.label }, ...p.deviations] }));
    });
    for (const m of node.moves) if (m.next) plays.delete(m.next);
    let result: Play[];
    if (node.player === CHANCE) {
      // One play per combination of the branches' plays, each branch's leaves weighted by its probability.
      result = [{ leaves: [], deviations: [] }];
      node.moves.forEach((m, i) => {
        const weighted = below[i].map((p) => ({
          leaves: p.leaves.map((l) => ({ ...l, weight: l.weight * m.probability! })),
          deviations: p.deviations,
        }));
        result = result.flatMap((acc) =>
          weighted.map((p) => ({
            leaves: [...acc.leaves, ...p.leaves],
            deviations: [...acc.deviations, ...p.deviations],
          })),
        );
      });
    } else if (node.player === player) {
      result = below.flat();
    } else {
      result = below[node.moves.findIndex((m) => m.label === node.honest)];
    }
    plays.set(node, result);
  });
  return plays
    .get(game.root)!
    .filter((p) => p.deviations.length > 0)
    .map((p) => ({ deviator: player, ...p }));
}

/** Every player's deviating strategies; a player with too many is listed in `tooMany`. */
export function allDeviatingStrategies(
  game: Game,
  cap = MAX_STRATEGIES,
): { strategies: DeviatingStrategy[]; tooMany: string[] } {
  const strategies: DeviatingStrategy[] = [];
  const tooMany: string[] = [];
  for (const p of game.playerIds) {
    const own = deviatingStrategies(game, p, cap);
    if (own) strategies.push(...own);
    else tooMany.push(p);
  }
  return { strategies, tooMany };
}

/** `player`'s expected payoff over `honest` minus over `deviation`, as a linear form in its transfers. */
export function lossOf(player: string, honest: Leaf[], deviation: Leaf[]): Linear {
  const terms: Record<string, number> = {};
  let constant = 0;
  const add = (leaves: Leaf[], sign: number) => {
    for (const l of leaves) {
      const v = `t:${player}:${l.state}`;
      terms[v] = (terms[v] ?? 0) + sign * l.weight;
      constant += sign * l.weight * l.utility[player];
    }
  };
  add(honest, 1);
  add(deviation, -1);
  for (const [v, c] of Object.entries(terms)) if (c === 0) delete terms[v];
  return { terms, constant };
}

export const evaluate = (f: Linear, table: StateTransfers): number =>
  Object.entries(f.terms).reduce((acc, [v, c]) => {
    const [, player, state] = v.split(":");
    return acc + c * (table[state]?.[player] ?? 0);
  }, f.constant);

/** Losses closer to zero than this are none (solver noise). */
const NOISE = 1e-9;

/** The griefing factor of a deviator's loss and its worst victim's: 0 = no harm, Infinity = free harm. */
export function griefingFactor(deviatorLoss: number, victimLoss: number): number {
  if (victimLoss <= NOISE) return 0;
  if (deviatorLoss <= NOISE) return Infinity;
  return victimLoss / deviatorLoss;
}

export interface GriefingEntry {
  deviator: string;
  deviations: Deviation[];
  /** The states reached and their probabilities. */
  outcomes: { state: string; probability: number }[];
  deviatorLoss: number;
  /** Every other player's loss (negative: it gains). */
  victimLoss: Record<string, number>;
  /** The worst victim's loss over the deviator's (0: no harm; Infinity: costless harm). */
  factor: number;
}

export interface GriefingReport {
  entries: GriefingEntry[];
  /** The largest factor over every deviating strategy (0 when no deviation harms anyone). */
  worst: number;
  /** Players whose strategies were too many to enumerate (none were analysed for them). */
  tooMany: string[];
}

/** The griefing factor of every deviating strategy under `table`, worst first. */
export function griefingReport(
  game: Game,
  honest: Leaf[],
  table: StateTransfers,
  all = allDeviatingStrategies(game),
): GriefingReport {
  const entries = all.strategies.map((s) => {
    const deviatorLoss = evaluate(lossOf(s.deviator, honest, s.leaves), table);
    const victimLoss = Object.fromEntries(
      game.playerIds.filter((p) => p !== s.deviator).map((p) => [p, evaluate(lossOf(p, honest, s.leaves), table)]),
    );
    const outcomes = new Map<string, number>();
    for (const l of s.leaves) outcomes.set(l.state, (outcomes.get(l.state) ?? 0) + l.weight);
    return {
      deviator: s.deviator,
      deviations: s.deviations,
      outcomes: [...outcomes].map(([state, probability]) => ({ state, probability })),
      deviatorLoss,
      victimLoss,
      factor: griefingFactor(deviatorLoss, Math.max(0, ...Object.values(victimLoss))),
    };
  });
  entries.sort((a, b) => b.factor - a.factor || b.deviatorLoss - a.deviatorLoss);
  return { entries, worst: Math.max(0, ...entries.map((e) => e.factor)), tooMany: all.tooMany };
}

/** `deviator: move@node, ...` */
export const describeStrategy = (s: Pick<DeviatingStrategy, "deviator" | "deviations">): string =>
  `${s.deviator} plays ${s.deviations.map((d) => `${d.move}@${d.node}`).join(", ")}`;

/** Rows `victim loss <= maxFactor * deviator loss`, one per deviating strategy and victim. */
export function griefingRows(game: Game, honest: Leaf[], strategies: DeviatingStrategy[], maxFactor: number): Row[] {
  const rows: Row[] = [];
  for (const s of strategies) {
    const own = lossOf(s.deviator, honest, s.leaves);
    for (const victim of game.playerIds.filter((p) => p !== s.deviator)) {
      const harm = lossOf(victim, honest, s.leaves);
      const terms: Record<string, number> = { ...harm.terms };
      for (const [v, c] of Object.entries(own.terms)) terms[v] = (terms[v] ?? 0) - maxFactor * c;
      rows.push({
        name: `griefing: ${describeStrategy(s)} harms ${victim} at most ${maxFactor} times its own loss`,
        terms,
        op: "<=",
        rhs: maxFactor * own.constant - harm.constant,
      });
    }
  }
  return rows;
}

/**
 * The off-path states each reached by one player's deviations only, with that deviator: where a
 * forfeit can go to the victim(s). States that several players' deviations reach stay unattributed.
 */
export function deviatorOfState(strategies: DeviatingStrategy[], onPath: Set<string>): Map<string, string> {
  const by = new Map<string, Set<string>>();
  for (const s of strategies) {
    for (const l of s.leaves) {
      if (onPath.has(l.state) || l.weight <= 0) continue;
      if (!by.has(l.state)) by.set(l.state, new Set());
      by.get(l.state)!.add(s.deviator);
    }
  }
  const single = new Map<string, string>();
  for (const [state, who] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
    if (who.size === 1) single.set(state, [...who][0]);
  }
  return single;
}
