/**
 * Plain-text rendering of designed tables and induction results for the command line.
 */
import type { DesignedTable } from "./designer";
import type { Game } from "./game";
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
