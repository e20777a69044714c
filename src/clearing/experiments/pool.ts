/**
 * The study's units on a pool of worker threads. Each worker runs the same pure `run` functions as
 * the main thread, and the report is assembled from the rows in unit order, so the result is the
 * same as a single-threaded run whatever the number of workers or the order they finish in.
 */
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { StudyRequest } from "./plan";
import type { ExperimentResult } from "../../report/types";
import {
  type StudySelection,
  type StudyUnit,
  type UnitRows,
  assembleStudy,
  runUnitsHere,
  studyUnits,
  unitProgress,
} from "./study";

/** The default pool size: one worker per core this process may use. */
export const defaultWorkers = (): number => os.availableParallelism();

/** A message from a worker: the rows of a batch, or why it failed. */
export type WorkerReply = { rows: UnitRows[] } | { error: string };

/**
 * Starts the worker script next to this file; under ts-node (the Hardhat tasks, the tests) the
 * worker registers ts-node itself, since a worker thread does not inherit the parent's loaders.
 */
function startWorker(req: StudyRequest): Worker {
  const entry = path.join(__dirname, `worker${path.extname(__filename)}`);
  const load = `require(${JSON.stringify(entry)});`;
  const code = entry.endsWith(".ts") ? `require("ts-node").register({ transpileOnly: true }); ${load}` : load;
  return new Worker(code, { eval: true, workerData: req });
}

/**
 * Runs `units` on `workers` threads, handing out small batches as workers become free (the units'
 * costs differ by orders of magnitude), and calls `onDone` for each finished unit.
 */
export function runOnWorkers(
  req: StudyRequest,
  units: StudyUnit[],
  workers: number,
  onDone: (r: UnitRows) => void = () => undefined,
): Promise<UnitRows[]> {
  const size = Math.max(1, Math.min(64, Math.ceil(units.length / (workers * 32))));
  const batches: StudyUnit[][] = [];
  for (let i = 0; i < units.length; i += size) batches.push(units.slice(i, i + size));
  const results: UnitRows[] = [];
  const pool = Array.from({ length: Math.max(1, Math.min(workers, batches.length)) }, () => startWorker(req));
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = pool.length;
    let failed = false;
    const stopAll = () => Promise.all(pool.map((w) => w.terminate()));
    const feed = (w: Worker) => {
      if (next < batches.length) w.postMessage(batches[next++]);
      else if (--running === 0) void stopAll().then(() => resolve(results));
    };
    for (const w of pool) {
      w.on("message", (reply: WorkerReply) => {
        if (failed) return;
        if ("error" in reply) {
          failed = true;
          void stopAll().then(() => reject(new Error(reply.error)));
          return;
        }
        for (const r of reply.rows) {
          results.push(r);
          onDone(r);
        }
        feed(w);
      });
      w.on("error", (e) => {
        if (failed) return;
        failed = true;
        void stopAll().then(() => reject(e));
      });
      feed(w);
    }
  });
}

/**
 * Runs `units` here (`workers` = 1) or on a pool of `workers` threads, with a progress bar per
 * experiment; the rows are the same either way.
 */
export async function runUnits(
  sel: StudySelection,
  units: StudyUnit[],
  workers: number,
  onProgress?: (label: string) => (done: number, total: number) => void,
): Promise<UnitRows[]> {
  const tick = unitProgress(units, onProgress);
  return workers > 1 ? runOnWorkers(sel, units, workers, tick) : runUnitsHere(sel, units, tick);
}

/** The whole selected study on `workers` threads (1: this one): its report sections. */
export async function runStudyOn(
  sel: StudySelection,
  workers: number,
  onProgress?: (label: string) => (done: number, total: number) => void,
): Promise<ExperimentResult[]> {
  return assembleStudy(sel, await runUnits(sel, studyUnits(sel), workers, onProgress));
}
