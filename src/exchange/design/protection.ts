/**
 * The protection options (profile.ts) as rows and an objective over the designer's variables
 * `t:<player>:<state>` and `D:<player>`:
 * - recover: `t >= share * (pays + D)`;
 * - forfeit: `t <= pays + D - amount` (with t >= 0, a deposit of at least the amount);
 * - maxGriefing: `victim loss <= G * deviator loss` for every deviating strategy (griefing.ts);
 * - forfeitTo "victim": after the primary objective, maximize what the victims receive in the
 *   off-path states that one player's deviations alone reach. A state that several players'
 *   deviations reach (the core exchange's RfE-C-NC: a seller's non-delivery and silence, or a buyer
 *   refusing good quality) keeps its burn: paying either party there rewards the other deviation.
 */
import { type Game, GameError } from "./game";
import { type DeviatingStrategy, deviatorOfState, griefingRows } from "./griefing";
import type { Leaf } from "./game";
import type { LinearProgram, Row } from "./lp";
import { type Protection, protectionSchema } from "./profile";

/**
 * A protection from the command line: `B@RfE-C-CF` (made whole), `B@RfE-C-CF=0.5` (half of what it
 * paid in) for `recover`; `S@RfE-C-NC=0.05` for `forfeit`.
 */
export function parseProtectionArg(kind: Protection["kind"], text: string): Protection {
  const m = /^([^@=\s]+)@([^@=\s]+)(?:=(.+))?$/.exec(text.trim());
  const shape = kind === "recover" ? "<player>@<state>[=<share of what it paid in>]" : "<player>@<state>=<amount>";
  if (!m) throw new GameError(`--${kind}: "${text}" is not ${shape}`);
  const [, player, state, value] = m;
  if (kind === "forfeit" && value === undefined) throw new GameError(`--forfeit: "${text}" needs an amount: ${shape}`);
  const parsed = protectionSchema.safeParse(
    kind === "recover"
      ? { kind, player, state, ...(value === undefined ? {} : { share: Number(value) }) }
      : { kind, player, state, amount: Number(value) },
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GameError(`--${kind}: "${text}": ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** `recover B@RfE-C-CF` / `forfeit S@RfE-C-NC=0.05` */
export const describeProtection = (p: Protection): string =>
  p.kind === "recover"
    ? `${p.player} recovers ${p.share === 1 ? "all" : p.share} of what it paid in, in ${p.state}`
    : `${p.player} forfeits at least ${p.amount} of what it paid in, in ${p.state}`;

/** Rows for the protections, each checked against the game's players and states. */
export function protectionRows(game: Game, protections: Protection[]): Row[] {
  return protections.map((p) => {
    const player = game.players.find((x) => x.id === p.player);
    if (!player) throw new GameError(`${p.kind} ${p.player}@${p.state}: unknown player (players: ${game.playerIds})`);
    if (!game.states.includes(p.state)) {
      throw new GameError(`${p.kind} ${p.player}@${p.state}: "${p.state}" is not a state of game "${game.name}"`);
    }
    const t = `t:${p.player}:${p.state}`;
    const d = `D:${p.player}`;
    return p.kind === "recover"
      ? { name: describeProtection(p), terms: { [t]: 1, [d]: -p.share }, op: ">=", rhs: p.share * player.pays }
      : { name: describeProtection(p), terms: { [t]: 1, [d]: -1 }, op: "<=", rhs: player.pays - p.amount };
  });
}

/** The griefing-bound rows (`maxGriefing`), refused when a player's strategies were too many to list. */
export function boundedGriefingRows(
  game: Game,
  honest: Leaf[],
  all: { strategies: DeviatingStrategy[]; tooMany: string[] },
  maxGriefing: number,
): Row[] {
  if (all.tooMany.length) {
    throw new GameError(
      `--max-griefing: player(s) ${all.tooMany.join(", ")} have too many deviating strategies to bound one by one`,
    );
  }
  return griefingRows(game, honest, all.strategies, maxGriefing);
}

/** Maximize what the victims receive in the off-path states one player's deviations alone reach. */
export function victimObjective(
  game: Game,
  strategies: DeviatingStrategy[],
  onPath: Set<string>,
): LinearProgram["objective"] {
  const terms: Record<string, number> = {};
  for (const [state, deviator] of deviatorOfState(strategies, onPath)) {
    for (const p of game.playerIds) if (p !== deviator) terms[`t:${p}:${state}`] = 1;
  }
  return { sense: "max", terms };
}

export interface ForfeitEntry {
  state: string;
  /** The only player whose deviations reach this state. */
  deviator: string;
  /** What the deviator, each victim and the burn receive there (units of the price). */
  toDeviator: number;
  toVictims: Record<string, number>;
  burnt: number;
}

/** Where the money goes in each state one deviator alone reaches. */
export function forfeitReport(
  game: Game,
  strategies: DeviatingStrategy[],
  onPath: Set<string>,
  table: Record<string, Record<string, number>>,
  burn: Record<string, number>,
): ForfeitEntry[] {
  return [...deviatorOfState(strategies, onPath)].map(([state, deviator]) => ({
    state,
    deviator,
    toDeviator: table[state][deviator] ?? 0,
    toVictims: Object.fromEntries(game.playerIds.filter((p) => p !== deviator).map((p) => [p, table[state][p] ?? 0])),
    burnt: burn[state],
  }));
}
