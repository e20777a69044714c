import path from "node:path";
import { runStudy } from "../../src/clearing/experiments/study";
import type { ExperimentResult } from "../../src/report/types";

export const FIXTURE = path.join(__dirname, "..", "fixtures", "movielens", "u.data");

let study: ExperimentResult[] | undefined;

/** The whole study at 2 replications (seed 1) on the MovieLens fixture, run once for every test file that reads it. */
export const smallStudy = (): ExperimentResult[] =>
  (study ??= runStudy({ replications: 2, seed: 1, movieLens: FIXTURE }));
