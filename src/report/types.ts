/**
 * What the report takes: each section's tables (written as CSV and JSON), charts (Vega-Lite,
 * rendered to SVG) and the side-by-side comparison with the paper.
 */

export type VegaLiteSpec = Record<string, unknown>;

/** Rows of one shape (the CSV header is the first row's keys). */
export interface Table {
  name: string;
  rows: object[];
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

/** What an experiment concludes, shown first in the report: sentences, and the rows behind them. */
export interface Verdict {
  sentences: string[];
  table: Table;
}

export interface ExperimentResult {
  key: string;
  title: string;
  /** What was run, in a paragraph (HTML-escaped by the report). */
  description: string;
  /** What a reader must know first (the run differs from what was asked): shown above the description. */
  warnings?: string[];
  tables: Table[];
  charts: Chart[];
  comparisons: Comparison[];
  verdict?: Verdict;
}
