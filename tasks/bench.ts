/**
 * npx hardhat bench [--only gas,convergence,throughput,designer,robustness,attacks] [--seeds N] [--runs N]
 *   [--update | --check]
 *   Gas per call (both contracts), rounds to converge, on-chain throughput, the payout designer at scale,
 *   recovery from shocks and attacks (src/bench). Writes bench/results.json and refreshes the generated
 *   tables (docs/benchmarks.md, README summary).
 *   --update also rewrites the gas snapshot bench/gas-snapshot.json.
 *   --check (with --only gas) compares gas with the snapshot and writes nothing: exit 1 when a call
 *   costs more than 1 % above it or is on one side only; a call cheaper by more than 1 % passes
 *   and is listed, for a deliberate --update.
 * Progress goes to stderr, tables and the check's verdict to stdout.
 */
import { task, types } from "hardhat/config";
import { z } from "zod";
import { compileFirst, fail, parseArgs } from "./utils";

// As BENCH_PARTS of src/bench/run.ts, which is loaded only when the task runs (after compiling).
const PARTS = ["gas", "convergence", "throughput", "designer", "robustness", "attacks"] as const;

task(
  "bench",
  "Measures gas, convergence, throughput, robustness and attacks; writes bench/results.json and the generated tables",
)
  .addOptionalParam("only", `Comma-separated parts to run (${PARTS.join(", ")}; default: all)`)
  .addOptionalParam("seeds", "Seeded populations per convergence, robustness and attack scenario", 20, types.int)
  .addOptionalParam("runs", "Throughput runs (the median is reported)", 3, types.int)
  .addFlag("update", "Also rewrite the gas snapshot bench/gas-snapshot.json (needs the gas part)")
  .addFlag("check", "Compare gas with the snapshot and write nothing (with --only gas); exit 1 on a regression")
  .setAction(async (args, hre) => {
    const opts = parseArgs(
      "bench",
      z
        .object({
          only: z
            .string()
            .optional()
            .transform((s, ctx) => {
              if (s === undefined) return [...PARTS];
              const asked = s.split(",").map((x) => x.trim());
              const unknown = asked.find((p) => !(PARTS as readonly string[]).includes(p));
              if (unknown === undefined) return PARTS.filter((p) => asked.includes(p));
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                message: `unknown part "${unknown}" (expected a comma-separated list of ${PARTS.join(", ")})`,
              });
              return z.NEVER;
            }),
          seeds: z.number().int().min(1).max(200),
          runs: z.number().int().min(1).max(20),
          update: z.boolean(),
          check: z.boolean(),
        })
        .superRefine((a, ctx) => {
          const issue = (flag: string, message: string) =>
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [flag], message });
          if (a.check && a.update) issue("check", "cannot be combined with --update");
          else if (a.check && a.only.join() !== "gas") issue("check", "compares gas only: use --only gas --check");
          else if (a.update && !a.only.includes("gas"))
            issue("update", "rewrites the gas snapshot: --only must include gas");
        }),
      args,
    );
    const log = (line: string) => process.stderr.write(`${line}\n`);
    // The gas and throughput parts deploy the contracts.
    if (opts.only.includes("gas") || opts.only.includes("throughput")) await compileFirst(hre);

    const { compareGas, formatFinding, isFailure, readSnapshot, writeSnapshot, SnapshotError, SNAPSHOT_PATH } =
      await import("../src/bench/gasSnapshot");
    const snapshotName = "bench/gas-snapshot.json";

    if (opts.check) {
      const { measureGas } = await import("../src/bench/gas");
      let snapshot;
      try {
        snapshot = readSnapshot(SNAPSHOT_PATH);
      } catch (e) {
        if (e instanceof SnapshotError) fail(`bench --check: ${e.message}`);
        throw e;
      }
      const { chainEnv } = await import("../src/hardhat/adapter");
      const { gas: measured } = await measureGas(await chainEnv(hre), log);
      const { findings, ok } = compareGas(snapshot!, measured);
      const failures = findings.filter(isFailure);
      const cheaper = findings.filter((f) => !isFailure(f));
      for (const f of failures) console.log(formatFinding(f));
      if (cheaper.length > 0) {
        for (const f of cheaper) console.log(formatFinding(f));
        console.log(
          `${cheaper.length} call(s) cheaper than ${snapshotName} by more than 1 %: refresh it on purpose with ` +
            "`npx hardhat bench --only gas --update`",
        );
      }
      if (!ok)
        fail(
          `bench --check: ${failures.length} of ${Object.keys(measured).length} calls fail against ${snapshotName} ` +
            "(more than 1 % dearer, or on one side only)",
        );
      console.log(`bench --check: ${Object.keys(measured).length} calls within 1 % of ${snapshotName} or cheaper`);
      return;
    }

    const { runBench } = await import("../src/bench/run");
    const { readResults, writeResults } = await import("../src/bench/results");
    const { renderFull, renderTables } = await import("../src/bench/render");
    const { chainEnv } = await import("../src/hardhat/adapter");
    const { results, gas } = await runBench(await chainEnv(hre), readResults(), {
      parts: opts.only,
      seeds: opts.seeds,
      runs: opts.runs,
      log,
    });
    writeResults(results);
    log("wrote bench/results.json");
    if (opts.update) {
      writeSnapshot(gas!, SNAPSHOT_PATH);
      log(`wrote ${snapshotName} (${Object.keys(gas!).length} calls)`);
    } else if (gas) {
      try {
        const drift = compareGas(readSnapshot(SNAPSHOT_PATH), gas).findings.length;
        if (drift > 0)
          log(`${drift} call(s) differ from ${snapshotName} by more than 1 %: see --check, accept with --update`);
      } catch (e) {
        if (!(e instanceof SnapshotError)) throw e;
        log(`no usable ${snapshotName}: ${e.message}`);
      }
    }
    const written = renderTables(results);
    log(written.length > 0 ? `refreshed ${written.join(", ")}` : "no file has bench markers: tables printed only");
    console.log(renderFull(results));
  });
