/**
 * The study's report as the `experiments` task writes it, from a single run or merged shards:
 * the same title, facts and notes around the experiments' sections.
 */
import { type WrittenReport, writeReport } from "../../report/html";
import type { ExperimentResult } from "../../report/types";
import { progress } from "../../common/progress";
import { STUDY_NOTES, type StudySelection } from "./study";

export const STUDY_TITLE = "Clearhouse — the contract-clearing study";
export const ENGINE = "exact fixed-point model of ClearingMarket (bit-for-bit equal to the contract, tested)";

/** Prints each section's warnings and writes the report into `out`; `facts` adds to the table at the top. */
export function writeStudyReport(
  out: string,
  sel: StudySelection,
  results: ExperimentResult[],
  facts: Record<string, string>,
): Promise<WrittenReport> {
  for (const w of results.flatMap((r) => r.warnings ?? [])) console.warn(`Warning: ${w}`);
  return writeReport(
    out,
    {
      title: STUDY_TITLE,
      meta: {
        replications: String(sel.replications),
        seed: String(sel.seed),
        "MovieLens source": sel.movieLens,
        engine: ENGINE,
        ...facts,
      },
      notes: STUDY_NOTES,
      experiments: results,
    },
    progress("charts"),
  );
}
