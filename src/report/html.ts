/**
 * The report: every experiment's tables as CSV and JSON, its charts as SVG files, and one
 * self-contained HTML page (the SVGs inlined, no external requests) with the side-by-side
 * comparison of the paper's numbers and ours.
 */
import fs from "node:fs";
import path from "node:path";
import { ensureDir, writeCsv, writeJson } from "../common/output";
import { signedPercent } from "../common/paired";
import { renderSvg } from "./charts";
import { escapeHtml } from "./escape";
import { experimentComparisons, sideBySideTable } from "./sideBySide";
import type { ExperimentResult } from "./types";

export interface ReportInput {
  title: string;
  /** Key facts shown at the top (network, seed, replications, timings ...). */
  meta: Record<string, string>;
  /** Free paragraphs (already HTML-safe text; escaped here) shown under the title. */
  notes: string[];
  experiments: ExperimentResult[];
}

export interface WrittenReport {
  html: string;
  figures: string[];
  tables: string[];
}

// One string per line of the style sheet (the first empty: it starts with a newline).
const STYLE = [
  "",
  "body{font:15px/1.5 Helvetica,Arial,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222}",
  "h1{margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}",
  "table{border-collapse:collapse;margin:1em 0;font-size:13px} " +
    "td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}",
  "th{background:#f5f5f5} .figs{display:flex;flex-wrap:wrap;gap:1em} " +
    "figure{margin:0;border:1px solid #eee;padding:.5em}",
  "figcaption{font-size:12px;color:#555;max-width:520px} .meta td:first-child{font-weight:bold} " +
    ".files{font-size:12px;color:#555}",
  "nav a{margin-right:1em}",
].join("\n");

/**
 * `svg` with vega's gradient ids numbered from `first`, in order of appearance. Vega numbers them
 * with a counter global to the process, so without this the same chart would differ with what the
 * process rendered before; numbered per report they are also unique within its page.
 */
function renumberGradients(svg: string, first: number): { svg: string; next: number } {
  const ids = new Map<string, string>();
  let next = first;
  const out = svg.replace(/gradient_\d+/g, (id) => {
    if (!ids.has(id)) ids.set(id, `gradient_${next++}`);
    return ids.get(id)!;
  });
  return { svg: out, next };
}

const percent = (v: unknown): string => signedPercent(typeof v === "number" ? v : null);

/** The verdict rows (common/paired's fields) as a table: one line per comparison. */
function verdictTable(rows: object[]): string {
  const cells = (r: Record<string, unknown>) =>
    [
      `${r.scenario}, n = ${r.n}`,
      String(r.metric),
      `${r.treatment} vs ${r.baseline}`,
      percent(r.relativeDifference),
      `${percent(r.ciLow)} to ${percent(r.ciHigh)}`,
      `${r.wins} / ${r.ties} / ${r.losses}`,
      String(r.verdict),
      percent(r.paperRelative),
    ]
      .map((c) => `<td>${escapeHtml(c)}</td>`)
      .join("");
  const head = [
    "where",
    "metric",
    "comparison",
    "relative difference",
    "95 % CI",
    "better / equal / worse",
    "verdict",
    "paper",
  ];
  return (
    `<table class="verdict"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${cells(r as Record<string, unknown>)}</tr>`).join("")}</tbody></table>`
  );
}

/** The report's first section: every experiment's verdict, in words and as the table behind the words. */
function verdictSection(results: ExperimentResult[]): string {
  const verdicts = results.filter((r) => r.verdict);
  if (verdicts.length === 0) return "";
  const blocks = verdicts.map(
    (r) =>
      `<h3>${escapeHtml(r.title)}</h3>` +
      `<ul>${r.verdict!.sentences.map((v) => `<li>${escapeHtml(v)}</li>`).join("")}</ul>` +
      `<details><summary>The ${r.verdict!.table.rows.length} paired comparisons behind these sentences ` +
      `(<a href="tables/${r.verdict!.table.name}.csv">${r.verdict!.table.name}.csv</a>)</summary>` +
      `${verdictTable(r.verdict!.table.rows)}</details>`,
  );
  return (
    `<section id="verdict"><h2>Verdict: does the proposed mechanism win?</h2>` +
    `<p>Paired over the replications (the same population under every mechanism): relative difference = ` +
    `difference of means / |baseline mean|; 95 % confidence intervals by a paired bootstrap ` +
    `(2,000 resamples, fixed seed); better / equal / worse counts replications; ` +
    `for avg cost and Gini lower is better. ` +
    `"paper" is the same relative difference computed from the paper's own table means.</p>` +
    `${blocks.join("")}</section>`
  );
}

/** Writes the report into `outDir` (figures/, tables/, report.html, results.json). */
export async function writeReport(
  outDir: string,
  input: ReportInput,
  onChart?: (done: number, total: number) => void,
): Promise<WrittenReport> {
  const figDir = ensureDir(path.join(outDir, "figures"));
  const tableDir = ensureDir(path.join(outDir, "tables"));
  const figures: string[] = [];
  const tables: string[] = [];
  const sections: string[] = [];
  const totalCharts = input.experiments.reduce((s, r) => s + r.charts.length, 0);
  let gradients = 0;
  for (const r of input.experiments) {
    if (r.verdict) {
      const t = r.verdict.table;
      writeCsv(path.join(tableDir, `${t.name}.csv`), t.rows as Record<string, unknown>[]);
      writeJson(path.join(tableDir, `${t.name}.json`), t.rows);
      tables.push(`tables/${t.name}.csv`, `tables/${t.name}.json`);
    }
    const figs: string[] = [];
    for (const c of r.charts) {
      const rendered = renumberGradients(await renderSvg(c.spec), gradients);
      const svg = rendered.svg;
      gradients = rendered.next;
      const rel = `figures/${c.name}.svg`;
      fs.writeFileSync(path.join(figDir, `${c.name}.svg`), svg);
      figures.push(rel);
      figs.push(`<figure data-file="${rel}">${svg}<figcaption>${escapeHtml(c.caption)}</figcaption></figure>`);
      onChart?.(figures.length, totalCharts);
    }
    const files: string[] = [];
    for (const t of r.tables) {
      writeCsv(path.join(tableDir, `${t.name}.csv`), t.rows as Record<string, unknown>[]);
      writeJson(path.join(tableDir, `${t.name}.json`), t.rows);
      tables.push(`tables/${t.name}.csv`, `tables/${t.name}.json`);
      files.push(
        `<a href="tables/${t.name}.csv">${t.name}.csv</a> ` +
          `(<a href="tables/${t.name}.json">json</a>, ${t.rows.length} rows)`,
      );
    }
    sections.push(
      `<section id="${r.key}"><h2>${escapeHtml(r.title)}</h2>` +
        (r.warnings ?? []).map((w) => `<p class="warning"><strong>Warning:</strong> ${escapeHtml(w)}</p>`).join("") +
        `<p>${escapeHtml(r.description)}</p>` +
        `<div class="figs">${figs.join("")}</div>` +
        (r.comparisons.length ? `<h3>Paper and ours</h3>${experimentComparisons(r.comparisons)}` : "") +
        `<p class="files">Tables: ${files.join(", ")}</p></section>`,
    );
  }
  const meta = Object.entries(input.meta)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const nav = input.experiments.map((r) => `<a href="#${r.key}">${escapeHtml(r.title)}</a>`).join("");
  const sideBySide =
    `<section id="side-by-side"><h2>The paper's numbers and ours, side by side</h2>` +
    `${sideBySideTable(input.experiments.flatMap((r) => r.comparisons))}</section>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(input.title)}</h1>
<table class="meta">${meta}</table>
${input.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join("\n")}
<nav>${nav}</nav>
${verdictSection(input.experiments)}
${sideBySide}
${sections.join("\n")}
</body></html>
`;
  const file = path.join(outDir, "report.html");
  fs.writeFileSync(file, html);
  writeJson(path.join(outDir, "results.json"), {
    title: input.title,
    meta: input.meta,
    experiments: input.experiments.map((r) => ({
      key: r.key,
      title: r.title,
      comparisons: r.comparisons,
      tables: r.tables.map((t) => t.name),
      figures: r.charts.map((c) => `figures/${c.name}.svg`),
    })),
  });
  return { html: file, figures, tables };
}
