/**
 * A finite game tree with observable messages, as data (spec core-exchange §2–3).
 *
 * - Every internal node belongs to a player (or to chance) and lists its moves. A move carries
 *   each player's utility (quasi-linear, in units of the price), optionally the message the
 *   contract observes, and either a child node or nothing (a leaf).
 * - A leaf's contract state is the observed messages on its path joined by "-", unless the
 *   move names the state itself. Leaves with the same messages share a state: the contract
 *   cannot see hidden moves such as the seller's quality.
 * - Every player node names its honest move; the mechanism must make honest play the unique
 *   subgame-perfect equilibrium.
 * - Each player pays in a fixed amount (`pays`, the buyer pays the price 1) plus its deposit,
 *   free (designed by the LP) or fixed. `trade` is what each player receives in the trade
 *   beyond its own deposit (seller: the price).
 * - `tradeStates` names the contract state(s) of the trade outcome: the on-path trade constraint
 *   applies there only (spec §6, last point). Without a chance node, honest play reaches one leaf
 *   and that is the default; a game with chance nodes must name them (under chance, honest play
 *   also reaches outcomes that are not the trade, such as a refund after low quality).
 * - A game may carry a given payout table (`table`, state -> player -> transfer), as the
 *   Moore–Repullo mechanism does; otherwise the LP designs one.
 */
import fs from "node:fs";
import { z } from "zod";
import { idSchema, nameSchema } from "./names";
import { profileSchema } from "./profile";
import { parseTree } from "./tree";

const id = idSchema;
const name = nameSchema;
const utility = z.record(name, z.number().finite());

export interface MoveSpec {
  label: string;
  utility?: Record<string, number>;
  observe?: string;
  state?: string;
  probability?: number;
  next?: NodeSpec;
}

export interface NodeSpec {
  id: string;
  player: string;
  honest?: string;
  moves: MoveSpec[];
}

const moveSchema: z.ZodType<MoveSpec> = z.lazy(() =>
  z
    .object({
      label: id,
      utility: utility.optional(),
      observe: name.optional(),
      state: name.optional(),
      probability: z.number().min(0).max(1).optional(),
      next: nodeSchema.optional(),
    })
    .strict(),
);

const nodeSchema: z.ZodType<NodeSpec> = z.lazy(() =>
  z
    .object({
      id,
      player: name,
      honest: id.optional(),
      moves: z.array(moveSchema).min(1),
    })
    .strict(),
);

export const linearConstraintSchema = z
  .object({
    name: z.string().min(1),
    /** Variable -> coefficient. Variables: `t:<player>:<state>`, `D:<player>`. */
    terms: z.record(z.string(), z.number().finite()),
    op: z.enum(["<=", ">=", "="]),
    rhs: z.number().finite(),
  })
  .strict();
export type LinearConstraint = z.infer<typeof linearConstraintSchema>;

export const gameSchema = z
  .object({
    name: id,
    description: z.string().optional(),
    /** Players other than "chance", with what each pays in besides its deposit. */
    players: z
      .array(
        z
          .object({
            id: name,
            name: z.string().optional(),
            pays: z.number().finite().default(0),
            deposit: z.union([z.literal("free"), z.number().nonnegative()]).default("free"),
            trade: z.number().finite().default(0),
          })
          .strict(),
      )
      .min(1),
    root: nodeSchema,
    /** The contract state(s) of the trade (default: the one honest leaf of a game without chance). */
    tradeStates: z.array(name).min(1).optional(),
    table: z.record(name, z.record(name, z.number().finite())).optional(),
    constraints: z.array(linearConstraintSchema).default([]),
    /** Named protection profiles (`exchange:design --profile <name>`, `exchange:profiles`). */
    profiles: z.record(id, profileSchema).optional(),
  })
  .strict();
export type GameSpec = z.infer<typeof gameSchema>;

const shallowGameSchema = gameSchema.extend({ root: z.custom<unknown>((v) => v !== undefined, "Required") });

export const CHANCE = "chance";

/** Whether chance moves anywhere in the game. */
export const hasChance = (game: Pick<Game, "nodes">): boolean => game.nodes.some((n) => n.player === CHANCE);

/** A validated game with its leaves indexed. */
export interface Game extends GameSpec {
  playerIds: string[];
  /** Every contract state, sorted. */
  states: string[];
  /** Every node, parent before child. */
  nodes: NodeSpec[];
}

export class GameError extends Error {}

/** The messages observed so far, newest first, shared between branches (no copying per level). */
export type Observed = { message: string; before: Observed } | null;

/** `observed` followed by `message` (when the move shows one). */
export const extend = (observed: Observed, message?: string): Observed =>
  message ? { message, before: observed } : observed;

/** The observed messages, oldest first, joined by "-" (a leaf's default state). */
export function joined(observed: Observed): string {
  const parts: string[] = [];
  for (let o = observed; o; o = o.before) parts.push(o.message);
  return parts.reverse().join("-");
}

/**
 * Visits every node below `root` children first (moves in order, the order recursion would take),
 * with the messages observed on the way to it; an explicit stack, so chains of any depth.
 */
export function forEachNodeBottomUp(root: NodeSpec, visit: (node: NodeSpec, observed: Observed) => void): void {
  const stack: { node: NodeSpec; observed: Observed; expanded: boolean }[] = [
    { node: root, observed: null, expanded: false },
  ];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.expanded) {
      visit(top.node, top.observed);
      continue;
    }
    stack.push({ ...top, expanded: true });
    for (let i = top.node.moves.length - 1; i >= 0; i--) {
      const m = top.node.moves[i];
      if (m.next) stack.push({ node: m.next, observed: extend(top.observed, m.observe), expanded: false });
    }
  }
}

const fromList = (messages: string[]): Observed => messages.reduce<Observed>((o, m) => extend(o, m), null);

function checkNode(node: NodeSpec, at: string, playerIds: string[], seen: Set<string>): void {
  if (seen.has(node.id)) throw new GameError(`${at}: duplicate node id`);
  seen.add(node.id);
  if (node.player !== CHANCE && !playerIds.includes(node.player)) {
    throw new GameError(`${at}: unknown player "${node.player}"`);
  }
  const labels = node.moves.map((m) => m.label);
  if (new Set(labels).size !== labels.length) throw new GameError(`${at}: duplicate move labels`);
  if (node.player === CHANCE) {
    const total = node.moves.reduce((s, m) => s + (m.probability ?? NaN), 0);
    if (!(Math.abs(total - 1) < 1e-9)) throw new GameError(`${at}: chance probabilities must be given and sum to 1`);
  } else {
    if (node.honest === undefined) throw new GameError(`${at}: no honest move`);
    if (!labels.includes(node.honest))
      throw new GameError(`${at}: honest move "${node.honest}" is not one of ${labels.join(", ")}`);
    if (node.moves.length < 2) throw new GameError(`${at}: a player node needs at least two moves`);
  }
}

/** Validates a game (schema, then structure) and names the offending node on failure. */
export function parseGame(raw: unknown, source = "game"): Game {
  const fail = (path: (string | number)[], message: string): never => {
    throw new GameError(`${source}: ${path.length ? path.join(".") : "(top level)"}: ${message}`);
  };
  // The fields before the root, then the tree (without recursion), then the rest, as zod orders its issues.
  const parsed = shallowGameSchema.safeParse(raw);
  const issues = parsed.success ? [] : parsed.error.issues;
  const early = issues.find((i) => i.path.length === 0 || ["name", "description", "players"].includes(`${i.path[0]}`));
  if (early && (early.path.length > 0 || early.code !== "unrecognized_keys")) fail(early.path, early.message);
  const root = parseTree((raw as { root: unknown }).root, fail);
  if (!parsed.success) fail(issues[0].path, issues[0].message);
  const spec: GameSpec = { ...parsed.data!, root };
  const playerIds = spec.players.map((p) => p.id);
  if (new Set(playerIds).size !== playerIds.length) throw new GameError(`${source}: duplicate player id`);
  if (playerIds.includes(CHANCE)) throw new GameError(`${source}: "${CHANCE}" is reserved for chance nodes`);
  const nodes: NodeSpec[] = [];
  const states = new Set<string>();
  const seen = new Set<string>();
  // Depth first, parent before child, moves in order (an explicit stack: chains of any depth).
  const stack: { node: NodeSpec; observed: Observed; next: number }[] = [{ node: spec.root, observed: null, next: -1 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const node = frame.node;
    const at = `${source}: node "${node.id}"`;
    if (frame.next < 0) {
      checkNode(node, at, playerIds, seen);
      nodes.push(node);
      frame.next = 0;
    }
    if (frame.next >= node.moves.length) {
      stack.pop();
      continue;
    }
    const m = node.moves[frame.next++];
    for (const p of Object.keys(m.utility ?? {})) {
      if (!playerIds.includes(p))
        throw new GameError(`${at}: move "${m.label}" has a utility for unknown player "${p}"`);
    }
    const path = extend(frame.observed, m.observe);
    if (m.next) {
      if (m.state) throw new GameError(`${at}: move "${m.label}" names a state but is not a leaf`);
      stack.push({ node: m.next, observed: path, next: -1 });
    } else {
      const state = m.state ?? joined(path);
      if (!state) throw new GameError(`${at}: move "${m.label}" ends in a leaf with no observed message or state`);
      states.add(state);
    }
  }
  const game: Game = { ...spec, playerIds, states: [...states].sort(), nodes };
  const stranger = spec.tradeStates?.find((s) => !states.has(s));
  if (stranger) throw new GameError(`${source}: tradeStates: "${stranger}" is not a state of the game`);
  for (const [name, profile] of Object.entries(spec.profiles ?? {})) {
    const at = (i: number) => `${source}: profiles.${name}.protections[${i}]`;
    profile.protections.forEach(({ player, state }, i) => {
      if (!playerIds.includes(player)) throw new GameError(`${at(i)}: unknown player "${player}"`);
      if (!states.has(state)) throw new GameError(`${at(i)}: "${state}" is not a state of the game`);
    });
  }
  const missing = spec.table && game.states.find((s) => !spec.table![s]);
  if (missing) throw new GameError(`${source}: table has no row for state "${missing}"`);
  return game;
}

export function loadGame(file: string): Game {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new GameError(`${file}: ${(e as Error).message}`);
  }
  return parseGame(raw, file);
}

/** A leaf reached by honest play below some move, with its chance weight. */
export interface Leaf {
  state: string;
  /** Utility of every player from the move taken (inclusive) down to the leaf. */
  utility: Record<string, number>;
  /** Probability of reaching this leaf through chance nodes below the move. */
  weight: number;
}

/** Utility of move `m` for `player`. */
export const moveUtility = (m: MoveSpec, player: string): number => m.utility?.[player] ?? 0;

/** The leaves reached by taking `move` (seen after messages `observed`) and playing honestly after it. */
export function honestContinuation(
  game: Game,
  move: MoveSpec,
  observed: string[],
  memo: Map<MoveSpec, Leaf[]> = new Map(),
): Leaf[] {
  return continuation(game, move, fromList(observed), memo);
}

/**
 * `honestContinuation` without recursion, bottom-up (the same sums in the same order). `memo` keeps
 * each move's leaves: share it between calls on one game, with each move seen after the same messages.
 */
export function continuation(game: Game, move: MoveSpec, observed: Observed, memo: Map<MoveSpec, Leaf[]>): Leaf[] {
  const branches = (node: NodeSpec) =>
    node.player === CHANCE
      ? node.moves.map((m) => ({ m, w: m.probability! }))
      : [{ m: node.moves.find((m) => m.label === node.honest)!, w: 1 }];
  const stack: { move: MoveSpec; observed: Observed; expanded: boolean }[] = [{ move, observed, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const m = top.move;
    if (memo.has(m)) continue;
    const own = (p: string) => moveUtility(m, p);
    const path = extend(top.observed, m.observe);
    if (!m.next) {
      const utility = Object.fromEntries(game.playerIds.map((p) => [p, own(p)]));
      memo.set(m, [{ state: m.state ?? joined(path), utility, weight: 1 }]);
    } else if (!top.expanded) {
      stack.push({ ...top, expanded: true });
      for (const b of branches(m.next).reverse()) stack.push({ move: b.m, observed: path, expanded: false });
    } else {
      const leaves = branches(m.next).flatMap(({ m: b, w }) =>
        memo.get(b)!.map((leaf) => ({
          state: leaf.state,
          utility: Object.fromEntries(game.playerIds.map((p) => [p, own(p) + leaf.utility[p]])),
          weight: w * leaf.weight,
        })),
      );
      memo.set(m, leaves);
    }
  }
  return memo.get(move)!;
}
