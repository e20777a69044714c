/**
 * The whole study: every experiment of spec §4 on the exact engine, in one call, for the
 * `experiments` task and the demo.
 */
import { convergenceExperiment, fairnessExperiment, feeSweepExperiment, mechanismExperiment, sensitivityExperiment, shockExperiment } from "./clearing";
import { agentsFromRatings, loadUData, movieLensExperiment } from "./movielens";
import type { ExperimentResult, StudyOptions } from "./types";

export const EXPERIMENTS = ["convergence", "fee-sweep", "mechanisms", "sensitivity", "shocks", "fairness", "movielens"] as const;
export type ExperimentKey = (typeof EXPERIMENTS)[number];

export interface StudyRequest extends StudyOptions {
  only?: ExperimentKey[];
  /** Path of a MovieLens `u.data` file. */
  movieLens: string;
}

export function runStudy(req: StudyRequest): ExperimentResult[] {
  const want = (k: ExperimentKey) => !req.only || req.only.includes(k);
  const out: ExperimentResult[] = [];
  if (want("convergence")) out.push(convergenceExperiment(req));
  if (want("fee-sweep")) out.push(feeSweepExperiment(req));
  if (want("mechanisms")) out.push(mechanismExperiment(req));
  if (want("sensitivity")) out.push(sensitivityExperiment(req));
  if (want("shocks")) out.push(shockExperiment(req));
  if (want("fairness")) out.push(fairnessExperiment(req));
  if (want("movielens")) out.push(movieLensExperiment(req, agentsFromRatings(loadUData(req.movieLens)), req.movieLens));
  return out;
}
