/**
 * npx hardhat experiments [--replications N] [--seed N] [--only a,b] [--movielens u.data] [--out dir]
 *   The paper's study (spec §4) on the exact engine: CSV/JSON tables, SVG charts, report.html.
 * npx hardhat clearing:play [--agents N] [--rounds N] [--capacity m] [--rule r] [--shock-round t --shock-tau x] ...
 *   One clearing market on the selected network, driven by agents, read back from its events.
 */
import path from "node:path";
import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import { z } from "zod";

const fail = (message: string): never => {
  throw new HardhatPluginError("clearhouse", message);
};

function parse<T extends z.ZodTypeAny>(name: string, schema: T, args: unknown): z.infer<T> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`${name}: --${issue.path.join(".") || "arguments"}: ${issue.message}`);
  }
  return parsed.data;
}

task(
  "experiments",
  "Runs the paper's experiments on the exact engine and writes CSV/JSON tables, SVG charts and an HTML report",
)
  .addOptionalParam("replications", "Monte Carlo replications per cell", 200, types.int)
  .addOptionalParam("seed", "Seed of every random draw", 20261124, types.int)
  .addOptionalParam(
    "only",
    "Comma-separated experiments (convergence, fee-sweep, mechanisms, sensitivity, shocks, fairness, movielens)",
  )
  .addOptionalParam("movielens", "Path of a MovieLens-100K u.data file (default: the synthetic test fixture)")
  .addOptionalParam("out", "Output folder", "out/report")
  .setAction(async (args) => {
    const { EXPERIMENTS, STUDY_NOTES, runStudy } = await import("../src/clearing/experiments/study");
    const { DataError } = await import("../src/clearing/experiments/movielens");
    const { writeReport } = await import("../src/report/html");
    const { progress } = await import("../src/common/progress");
    const opts = parse(
      "experiments",
      z.object({
        replications: z.number().int().min(2).max(100_000),
        seed: z.number().int().nonnegative(),
        only: z
          .string()
          .optional()
          .transform((s) => s?.split(",").map((x) => x.trim()))
          .pipe(z.array(z.enum(EXPERIMENTS)).optional()),
        movielens: z.string().default(path.join("test", "fixtures", "movielens", "u.data")),
        out: z.string().min(1),
      }),
      args,
    );
    const started = Date.now();
    let results;
    try {
      results = runStudy({
        replications: opts.replications,
        seed: opts.seed,
        only: opts.only,
        movieLens: opts.movielens,
        onProgress: progress,
      });
    } catch (e) {
      if (e instanceof DataError) fail(`experiments: ${e.message}`);
      throw e;
    }
    const written = await writeReport(
      opts.out,
      {
        title: "Clearhouse — the contract-clearing study",
        meta: {
          replications: String(opts.replications),
          seed: String(opts.seed),
          "MovieLens source": opts.movielens,
          engine: "exact fixed-point model of ClearingMarket (bit-for-bit equal to the contract, tested)",
          "run time": `${((Date.now() - started) / 1000).toFixed(1)} s`,
        },
        notes: STUDY_NOTES,
        experiments: results!,
      },
      progress("charts"),
    );
    console.log(`Wrote ${written.html} (${written.figures.length} figures, ${written.tables.length} table files)`);
  });

task(
  "clearing:play",
  "Deploys a ClearingMarket (Ignition) on the selected network, drives agents, reads the run back from events",
)
  .addOptionalParam("agents", "Agents present at the start", 100, types.int)
  .addOptionalParam("capacity", "Capacity m", 100, types.float)
  .addOptionalParam("tau", "Per-unit fee", 0.5, types.float)
  .addOptionalParam("g", "Fixed execution fee", 1, types.float)
  .addOptionalParam("rule", "Step rule: constant | diminishing | adaptive", "adaptive")
  .addOptionalParam("eta", "Step as a multiple of 1/L", 1, types.float)
  .addOptionalParam("rounds", "Rounds to play", 100, types.int)
  .addOptionalParam("seed", "Seed of the population and its noise", 1, types.int)
  .addOptionalParam("shockRound", "Round from which --shock-tau applies (0: no shock)", 0, types.int)
  .addOptionalParam("shockTau", "tau after the shock", 1.5, types.float)
  .addOptionalParam("noise", "Relative demand noise", 0, types.float)
  .addOptionalParam("drift", "Per-round sd of the ln(alpha) random walk", 0, types.float)
  .addOptionalParam("out", "Output folder", "out/play")
  .setAction(async (args, hre) => {
    const { playOnChain } = await import("../src/clearing/experiments/chainPlay");
    const { writeReport } = await import("../src/report/html");
    const { progress } = await import("../src/common/progress");
    const o = parse(
      "clearing:play",
      z.object({
        agents: z.number().int().min(1),
        capacity: z.number().positive(),
        tau: z.number().nonnegative(),
        g: z.number().nonnegative(),
        rule: z.enum(["constant", "diminishing", "adaptive"]),
        eta: z.number().positive(),
        rounds: z.number().int().min(1).max(100_000),
        seed: z.number().int().nonnegative(),
        shockRound: z
          .number()
          .int()
          .refine((r) => r === 0 || r >= 2, "must be 0 (none) or at least 2"),
        shockTau: z.number().nonnegative(),
        noise: z.number().nonnegative(),
        drift: z.number().nonnegative(),
        out: z.string().min(1),
      }),
      args,
    );
    const fresh = hre.network.name === "hardhat" ? undefined : `play-${Date.now()}`;
    const { chainEnv } = await import("../src/hardhat/adapter");
    const play = await playOnChain(await chainEnv(hre), {
      agents: o.agents,
      capacity: o.capacity,
      tau: o.tau,
      fixedFee: o.g,
      rule: o.rule,
      etaTimesL: o.eta,
      rounds: o.rounds,
      seed: o.seed,
      dynamics: { noise: o.noise, drift: o.drift },
      shocks: o.shockRound ? [{ round: o.shockRound, set: { tau: o.shockTau } }] : [],
      untilConverged: false,
      deploymentId: fresh,
      onProgress: progress("rounds"),
    }).catch((e: Error) => fail(`clearing:play: ${e.message.split("\n")[0]}`));
    const written = await writeReport(o.out, {
      title: "Clearhouse — clearing market on chain",
      meta: { network: hre.network.name, market: play.market },
      notes: [],
      experiments: [play.result],
    });
    const r = play.run;
    console.log(
      `${r.rounds.length} rounds, ${r.transactions} transactions in ${r.blocks} blocks, ${r.seconds.toFixed(1)} s: ${r.throughput.toFixed(0)} tx/s`,
    );
    console.log(`Wrote ${written.html}`);
  });
