/**
 * Writing results: CSV and JSON tables into an output folder.
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
  const header = rows.length ? Object.keys(rows[0]) : [];
  const lines = [header.join(","), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(","))];
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

export function writeJson(file: string, value: unknown): void {
  ensureDir(path.dirname(file));
  fs.writeFileSync(file, toJson(value, 2) + "\n");
}
