/**
 * The paper's numbers and ours as HTML: the side-by-side table at the top of the report (one row
 * per paper table or figure, one column per metric, the disagreements named) and each
 * experiment's item-by-item tables.
 */
import { escapeHtml } from "./escape";
import { type Comparison, METRIC_COLUMNS, type MetricCell, type MetricColumn } from "./types";

const cell = (c: MetricCell | undefined): string =>
  c
    ? `<td><span class="paper">paper: ${escapeHtml(c.paper)}</span><br>` +
      `<span class="ours">ours: ${escapeHtml(c.ours)}</span></td>`
    : "<td>—</td>";

const list = (items: string[]): string =>
  items.length ? `<ul>${items.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul>` : "none";

/** Tables first, then figures, each by number, then the rest (stable): the paper's own order. */
const paperOrder = (source: string): number => {
  const m = /^(Table|Fig\.) (\d+)/.exec(source);
  return m ? (m[1] === "Table" ? 0 : 100) + Number(m[2]) : 1000;
};

/** One row per comparison (paper table or figure): what it shows, each metric column, the disagreements. */
export function sideBySideTable(unordered: Comparison[]): string {
  const comparisons = [...unordered].sort((a, b) => paperOrder(a.source) - paperOrder(b.source));
  const head = ["paper", "shows", ...METRIC_COLUMNS, "disagreements and their causes"];
  const rows = comparisons.map(
    (c) =>
      `<tr><td>${escapeHtml(c.source)}</td><td>${escapeHtml(c.shows)}</td>` +
      METRIC_COLUMNS.map((m) => cell(c.summary[m])).join("") +
      `<td>${list(c.disagreements)}</td></tr>`,
  );
  return (
    `<table class="comparison"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

/** A comparison item by item: one row per item, a paper and an ours column per metric it has. */
export function itemTable(c: Comparison): string {
  if (c.items.length === 0) return "";
  const metrics = METRIC_COLUMNS.filter((m) => c.items.some((i) => i.cells[m]));
  const head =
    `<tr><th rowspan="2">${escapeHtml(c.source)}</th>` +
    metrics.map((m) => `<th colspan="2">${escapeHtml(m)}</th>`).join("") +
    `</tr><tr>${metrics.map(() => "<th>paper</th><th>ours</th>").join("")}</tr>`;
  const value = (i: { cells: Partial<Record<MetricColumn, MetricCell>> }, m: MetricColumn) =>
    `<td>${escapeHtml(i.cells[m]?.paper ?? "—")}</td><td>${escapeHtml(i.cells[m]?.ours ?? "—")}</td>`;
  const rows = c.items.map((i) => `<tr><td>${escapeHtml(i.item)}</td>${metrics.map((m) => value(i, m)).join("")}</tr>`);
  return `<table class="items"><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>`;
}

/** An experiment's "paper and ours" part: per comparison, its items and its disagreements. */
export function experimentComparisons(comparisons: Comparison[]): string {
  return comparisons
    .map(
      (c) =>
        `<h4>${escapeHtml(c.source)}: ${escapeHtml(c.shows)}</h4>${itemTable(c)}` +
        `<p>Disagreements:</p>${list(c.disagreements)}`,
    )
    .join("");
}
