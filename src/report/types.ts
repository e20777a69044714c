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

/** The metric columns of the side-by-side table; a comparison fills those its table or figure has. */
export const METRIC_COLUMNS = ["Eff", "avg cost", "Gini / fairness", "participation", "other"] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** One metric of the paper next to ours. */
export interface MetricCell {
  paper: string;
  ours: string;
}

/** One item of a paper table (a fee level, a mechanism ...): each of its metrics next to ours. */
export interface ComparisonItem {
  item: string;
  cells: Partial<Record<MetricColumn, MetricCell>>;
}

/**
 * One table or figure of the paper beside ours: the whole of it per metric (a level, a direction,
 * a ranking), its items one by one, and every disagreement in direction or size with its cause
 * (or "unexplained").
 */
export interface Comparison {
  /** "Table 5", "Fig. 2" ... */
  source: string;
  /** What it shows, in a few words. */
  shows: string;
  summary: Partial<Record<MetricColumn, MetricCell>>;
  items: ComparisonItem[];
  disagreements: string[];
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
