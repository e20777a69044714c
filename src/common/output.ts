/**
 * Writing results: CSV and JSON tables into an output folder, Markdown tables, and generated blocks of
 * Markdown files (between markers).
 */
import fs from "node:fs";
import path from "node:path";
import { toJson } from "./json";

export function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const csvCell = (v: unknown): string => {
  const s = typeof v === "bigint" ? v.toString() : String(v ?? "");
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function writeCsv(file: string, rows: Record<string, unknown>[]): void {
  ensureDir(path.dirname(file));
  // Every row's keys in first-seen order: rows of one table may carry optional columns (left empty where absent).
  const header = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [header.join(","), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(","))];
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

export function writeJson(file: string, value: unknown): void {
  ensureDir(path.dirname(file));
  fs.writeFileSync(file, toJson(value, 2) + "\n");
}

/**
 * Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in a file, when the file
 * has that pair; returns whether it did. A start marker without its end marker is an error.
 */
export function replaceMarked(file: string, name: string, body: string): boolean {
  if (!fs.existsSync(file)) return false;
  const text = fs.readFileSync(file, "utf8");
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  if (i < 0) return false;
  const j = text.indexOf(end, i);
  if (j < 0) throw new Error(`${file} has ${start} but no ${end} after it`);
  const updated = text.slice(0, i + start.length) + "\n" + body.trimEnd() + "\n" + text.slice(j);
  if (updated !== text) fs.writeFileSync(file, updated);
  return true;
}

/** A Markdown table. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
