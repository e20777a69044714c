/**
 * npx hardhat experiments [--replications N] [--seed N] [--only a,b] [--movielens u.data] [--out dir]
 *                         [--workers W] [--shard k/N]
 *   The paper's study (spec §4) on the exact engine: CSV/JSON tables, SVG charts, report.html.
 *   With --shard k/N it runs only the k-th of N disjoint parts and writes out/shard-k-of-N.json.
 * npx hardhat experiments merge <shard files...> [--out dir]
 *   The report of the N shard files of one study (byte for byte the tables of a single run).
 */
import path from "node:path";
import { task, types } from "hardhat/config";
import { z } from "zod";
import { fail, parseArgs } from "./utils";

task(
  "experiments",
  "Runs the paper's experiments on the exact engine and writes CSV/JSON tables, SVG charts and an HTML report",
)
  .addOptionalPositionalParam("action", 'Leave out to run the study; "merge" to assemble shard files')
  .addOptionalVariadicPositionalParam("files", "With merge: the shard files (shard-k-of-N.json)")
  .addOptionalParam("replications", "Monte Carlo replications per cell", 200, types.int)
  .addOptionalParam("seed", "Seed of every random draw", 20261124, types.int)
  .addOptionalParam(
    "only",
    "Comma-separated experiments (convergence, fee-sweep, mechanisms, sensitivity, shocks, fairness, movielens, " +
      "robustness)",
  )
  .addOptionalParam("movielens", "Path of a MovieLens-100K u.data file (default: the synthetic test fixture)")
  .addOptionalParam("out", "Output folder", "out/report")
  .addOptionalParam(
    "workers",
    "Worker threads (default: the number of cores; 1 runs in this thread)",
    undefined,
    types.int,
  )
  .addOptionalParam("shard", "Run only part k of N (k/N) and write its rows to <out>/shard-k-of-N.json")
  .setAction(async (args) => {
    const { EXPERIMENTS, studyUnits, shardUnits, assembleStudy } = await import("../src/clearing/experiments/study");
    const { DataError, usersOf } = await import("../src/clearing/experiments/movielens");
    const shards = await import("../src/clearing/experiments/shards");
    const { defaultWorkers, runUnits } = await import("../src/clearing/experiments/pool");
    const { writeStudyReport } = await import("../src/clearing/experiments/studyReport");
    const { progress } = await import("../src/common/progress");
    const { ensureDir } = await import("../src/common/output");
    const opts = parseArgs(
      "experiments",
      z.object({
        action: z.enum(["merge"], { message: 'the only action is "merge"' }).optional(),
        files: z.array(z.string()).default([]),
        replications: z.number().int().min(2).max(100_000),
        seed: z.number().int().nonnegative(),
        only: z
          .string()
          .optional()
          .transform((s) => s?.split(",").map((x) => x.trim()))
          .pipe(z.array(z.enum(EXPERIMENTS)).optional()),
        movielens: z.string().default(path.join("test", "fixtures", "movielens", "u.data")),
        out: z.string().min(1),
        workers: z.number().int().min(1).max(256).optional(),
        shard: z.string().optional(),
      }),
      args,
    );
    const started = Date.now();
    const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    try {
      if (opts.action === "merge") {
        if (opts.files.length === 0) fail("experiments: merge: give the shard files to merge");
        const merged = shards.mergeShards(opts.files, args.movielens);
        let results;
        try {
          results = assembleStudy(merged.request, merged.units);
        } catch (e) {
          // The shards' units do not make one whole study (a unit missing or twice): a file was edited.
          fail(`experiments: merge: ${e instanceof Error ? e.message : String(e)}`);
        }
        const written = await writeStudyReport(opts.out, merged.request, results!, {
          run: `merged from ${merged.count} shards`,
          "merge time": seconds(),
        });
        console.log(`Wrote ${written.html} (${merged.count} shards merged)`);
        return;
      }
      if (opts.files.length > 0) fail(`experiments: unexpected argument ${opts.files[0]} (did you mean "merge"?)`);
      const sel = { replications: opts.replications, seed: opts.seed, movieLens: opts.movielens, only: opts.only };
      // The data file is read here first, so a bad file fails at once with its one-line error.
      if (!sel.only || sel.only.includes("movielens")) usersOf(sel.movieLens);
      const shard = opts.shard === undefined ? undefined : shards.parseShard(opts.shard);
      const all = studyUnits(sel);
      const units = shard ? shardUnits(all, shard.k, shard.count) : all;
      const workers = opts.workers ?? defaultWorkers();
      const rows = await runUnits(sel, units, workers, progress);
      if (shard) {
        const file = path.join(ensureDir(opts.out), `shard-${shard.k}-of-${shard.count}.json`);
        shards.writeShard(file, {
          format: shards.SHARD_FORMAT,
          request: shards.shardRequest(sel),
          movieLensSha256: shards.readsMovieLens(sel) ? shards.fileSha256(sel.movieLens) : null,
          shard,
          units: rows,
        });
        console.log(`Wrote ${file} (${units.length} of ${all.length} units, ${workers} workers, ${seconds()})`);
        return;
      }
      const results = assembleStudy(sel, rows);
      const written = await writeStudyReport(opts.out, sel, results, {
        workers: String(workers),
        "run time": seconds(),
      });
      console.log(`Wrote ${written.html} (${written.figures.length} figures, ${written.tables.length} table files)`);
    } catch (e) {
      if (e instanceof DataError || e instanceof shards.ShardError) fail(`experiments: ${e.message}`);
      throw e;
    }
  });
