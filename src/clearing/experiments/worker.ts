/**
 * A worker thread of the study's pool (`pool.ts`): runs each batch of units it is sent with the
 * request it was started with, and replies with their rows or the first error.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerReply } from "./pool";
import type { StudyRequest } from "./plan";
import { type StudyUnit, runUnit } from "./study";

const req = workerData as StudyRequest;
parentPort!.on("message", (units: StudyUnit[]) => {
  let reply: WorkerReply;
  try {
    reply = { rows: units.map((u) => runUnit(req, u)) };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
