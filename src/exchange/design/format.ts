/**
 * Plain-text rendering of designed tables, induction results, griefing and forfeits for the
 * command line.
 */
import type { DesignedTable } from "./designer";
import type { Game } from "./game";
import { type GriefingReport, MAX_STRATEGIES, describeStrategy } from "./griefing";
import type { InductionResult, NodeResult } from "./induction";

const fmt = (x: number) => (Math.abs(x) < 5e-13 ? "0" : x.toFixed(4));

function columns(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function formatDesign(game: Game, d: DesignedTable): string {
  const ids = game.playerIds;
  const header = ["state", ...ids.map((p) => `t_${p}`), "burn", ""];
  const rows = game.states.map((s) => [
    s,
    ...ids.map((p) => fmt(d.table[s][p])),
    fmt(d.burn[s]),
    d.equilibriumStates.includes(s) ? "equilibrium" : "",
  ]);
  const deposits = ids.map((p) => `D_${p} = ${fmt(d.deposits[p])}`).join(", ");
  return [
    `Payout table for "${d.game}" (units of the price; objective ${d.objective}, delta ${d.delta})`,
    `Deposits: ${deposits}; pot = ${fmt(d.pot)}`,
    columns([header, ...rows]),
    formatInduction(d.check),
  ].join("\n");
}

/** `<node> is indifferent between <a> and <b>`: a tie at a node, the move played first. */
export function describeTie(t: NodeResult): string {
  return `${t.node} is indifferent between ${[t.choice, ...t.tiedWith].join(" and ")}`;
}

export function formatInduction(r: InductionResult): string {
  const lines = [
    "Backward induction: " +
      (r.deviations.length === 0
        ? "honest play at every node"
        : `${r.deviations.length} node(s) deviate from the honest move`) +
      `, smallest margin ${fmt(r.minMargin)}${r.ties.length ? `, ${r.ties.length} tie(s)` : ""}`,
  ];
  for (const d of r.deviations)
    lines.push(`  deviation at "${d.node}" (${d.player}): plays ${d.choice}, honest is ${d.honest}`);
  for (const t of r.ties) lines.push(`  tie: ${describeTie(t)} (${t.player}; plays ${t.choice})`);
  lines.push(
    `  equilibrium: ${r.path
      .map((p) => `${p.moves.join(" ")} -> ${p.state}${p.probability < 1 ? ` (p = ${p.probability})` : ""}`)
      .join("; ")}`,
  );
  lines.push(
    `  payoffs: ${Object.entries(r.payoffs)
      .map(([p, v]) => `${p} ${fmt(v)}`)
      .join(", ")}`,
  );
  return lines.join("\n");
}

const factor = (x: number) => (x === Infinity ? "infinite" : x === 0 ? "0 (no harm)" : x.toFixed(2));

/** The griefing factor of every deviating strategy, worst first. */
export function formatGriefing(r: GriefingReport, players: string[]): string {
  const victims = players.filter((p) => r.entries.some((e) => p in e.victimLoss));
  const header = ["deviating strategy", "outcome", "deviator loses", ...victims.map((v) => `${v} loses`), "factor"];
  const rows = r.entries.map((e) => [
    describeStrategy(e),
    e.outcomes.map((o) => (o.probability < 1 ? `${o.state} (p = ${o.probability})` : o.state)).join(", "),
    fmt(e.deviatorLoss),
    ...victims.map((v) => (v in e.victimLoss ? fmt(e.victimLoss[v]) : "")),
    factor(e.factor),
  ]);
  const lines = [
    `Griefing (each loss against honest play, units of the price; factor = worst victim's loss / deviator's): ` +
      `worst ${factor(r.worst)}` +
      (r.tooMany.length ? ` over the strategies listed (INCOMPLETE: ${r.tooMany.join(", ")} not enumerated)` : ""),
  ];
  if (rows.length) lines.push(indent(columns([header, ...rows])));
  for (const p of r.tooMany) lines.push(`  ${p}: too many deviating strategies to list (more than ${MAX_STRATEGIES})`);
  return lines.join("\n");
}

/** Where the money goes in the states one deviator alone reaches. */
export function formatForfeits(d: DesignedTable): string {
  if (d.griefing.tooMany.length) {
    return `Forfeits: not attributed (${d.griefing.tooMany.join(", ")} have too many deviating strategies)`;
  }
  if (!d.forfeits.length) return `Forfeits (${d.forfeitTo}): no off-path state is reached by one deviator alone`;
  const rows = d.forfeits.map((f) => [
    f.state,
    f.deviator,
    fmt(f.toDeviator),
    Object.entries(f.toVictims)
      .map(([p, x]) => `${p} ${fmt(x)}`)
      .join(", "),
    fmt(f.burnt),
  ]);
  return [
    `Forfeits (policy: ${d.forfeitTo === "victim" ? "to the victim where incentives allow" : "burnt"}):`,
    indent(columns([["state", "deviator", "to deviator", "to victim(s)", "burnt"], ...rows])),
  ].join("\n");
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

/** The smallest safe price line. */
export const formatSafePrice = (p0: bigint, delta: number): string =>
  delta > 0
    ? `Smallest safe price p0 = ${p0} base units: from there on, whole-unit rounding (deposits up, payouts down) ` +
      `keeps every margin at least delta / 2 = ${delta / 2}`
    : "Smallest safe price: none with delta = 0 (no margin to keep)";
