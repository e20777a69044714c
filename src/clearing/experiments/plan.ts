/**
 * An experiment of the study as independent units of work and a report over their rows.
 *
 * Why this shape: a unit (one replication of one cell, or one whole deterministic run) depends on
 * nothing but the request and its own parameters, so units can run in any order, on worker
 * threads or on other machines (`--shard k/N`), and the report, which only ever sees the rows
 * in unit order, is the same byte for byte however the units were spread.
 */
import type { ExperimentResult } from "../../report/types";

/** What the study was asked to run; everything a unit or a report may depend on. */
export interface StudyRequest {
  /** Monte Carlo replications per cell (the paper uses 50-200). */
  replications: number;
  seed: number;
  /** Path of a MovieLens `u.data` file. */
  movieLens: string;
  /** Populations of the robustness chapter, at most `MAX_SEEDS` (default: min(replications, 20)). */
  robustnessSeeds?: number;
}

/** The parameters naming one unit of work (scenario, grid point, replication ...); JSON values only. */
export type UnitParams = Record<string, string | number>;

/**
 * An experiment's raw rows are plain objects of JSON values (they cross worker threads and shard
 * files), each carrying its unit's parameters and the seed it drew with.
 */
export interface ExperimentPlan<Row extends object = object> {
  key: string;
  /** Shown on the progress bar. */
  label: string;
  /** Every unit of the experiment, in the order the report reads their rows. */
  units(req: StudyRequest): UnitParams[];
  /** Runs one unit: a pure function of the request and the unit's parameters. */
  run(req: StudyRequest, unit: UnitParams): Row[];
  /** The experiment's section of the report, from the rows of all its units in unit order. */
  report(req: StudyRequest, rows: Row[]): ExperimentResult;
}

/** `p` with its row type erased, so plans of different rows sit in one list. */
export const erasePlan = <Row extends object>(p: ExperimentPlan<Row>): ExperimentPlan => p as unknown as ExperimentPlan;
