/**
 * What an experiment hands to the report: tables (written as CSV and JSON), charts (Vega-Lite,
 * rendered to SVG) and the side-by-side comparison with the paper.
 */
import { meanStd } from "../../common/metrics";
import type { VegaLiteSpec } from "../../report/charts";

export interface Table {
  name: string;
  rows: Record<string, unknown>[];
}

export interface Chart {
  name: string;
  caption: string;
  spec: VegaLiteSpec;
}

/** One number of the paper next to ours, and why they differ. */
export interface Comparison {
  quantity: string;
  paper: string;
  ours: string;
  why: string;
}

export interface ExperimentResult {
  key: string;
  title: string;
  /** What was run, in a paragraph (HTML-escaped by the report). */
  description: string;
  tables: Table[];
  charts: Chart[];
  comparisons: Comparison[];
}

export interface StudyOptions {
  /** Monte Carlo replications per cell (the paper uses 50-200). */
  replications: number;
  seed: number;
  onProgress?: (label: string) => (done: number, total: number) => void;
}

/** For each named measure of `items`: `name` (mean) and `nameStd` (sample standard deviation). */
export function summarize<T>(items: T[], measures: Record<string, (item: T) => number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(measures)) {
    const { mean, std } = meanStd(items.map(f));
    out[name] = mean;
    out[`${name}Std`] = std;
  }
  return out;
}

export const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
export const pm = (mean: number, std: number, digits = 2): string => `${fmt(mean, digits)} ± ${fmt(std, digits)}`;
