/**
 * npx hardhat demo [--replications N] [--seed N] [--out dir] [--network localhost]   (npm run demo)
 * The main job, on the selected network (in-process by default):
 * 1. deploys a ClearingMarket through Ignition; 20 reference agents play a binding market (m = 50)
 *    to convergence, tau rises from 0.5 to 1.5 through governance (a shock) and they play on until
 *    it re-converges; every number is read back from the contract's events;
 * 2. deploys the core-exchange escrow (with the designed default table) and plays deals along the
 *    honest path and dishonest ones;
 * 3. runs the paper's experiments on the exact engine with a few replications;
 * and writes everything (CSV, JSON, SVG charts, report.html) into the output folder.
 */
import path from "node:path";
import { task, types } from "hardhat/config";
import { z } from "zod";
import { compileFirst, fail, parseArgs } from "./utils";

const SHOCK_ROUND = 16;
/** The demo's robustness chapter plays 5 of the benchmark's 20 populations (about a quarter of its time). */
const DEMO_ROBUSTNESS_SEEDS = 5;

task("demo", "Plays both mechanisms on the selected network and runs the study; writes one HTML report")
  .addOptionalParam("replications", "Monte Carlo replications per cell of the study", 20, types.int)
  .addOptionalParam("seed", "Seed of the study's random draws", 20261124, types.int)
  .addOptionalParam("out", "Output folder", path.join("out", "demo"))
  .addOptionalParam("workers", "Worker threads for the study (default: the number of cores)", undefined, types.int)
  .setAction(async (args, hre) => {
    const opts = parseArgs(
      "demo",
      z.object({
        replications: z.number().int().min(2).max(100_000),
        seed: z.number().int().nonnegative(),
        out: z.string().min(1),
        workers: z.number().int().min(1).max(256).optional(),
      }),
      args,
    );
    await compileFirst(hre);
    const { fromFixed } = await import("../src/common/fixed");
    const { progress } = await import("../src/common/progress");
    const { playOnChain } = await import("../src/clearing/experiments/chainPlay");
    const { STUDY_NOTES } = await import("../src/clearing/experiments/study");
    const { defaultWorkers, runStudyOn } = await import("../src/clearing/experiments/pool");
    const { playDemoDeals } = await import("../src/exchange/experiments/deals");
    const { chainEnv } = await import("../src/hardhat/adapter");
    const { writeReport } = await import("../src/report/html");

    const started = Date.now();
    const env = await chainEnv(hre);
    // Ignition keeps one deployment per id on a persistent network: a fresh id per run there.
    const fresh = env.networkName === "hardhat" ? undefined : `demo-${Date.now()}`;
    console.log(`Clearhouse demo on network "${env.networkName}"`);
    console.log(
      `\nClearing market: 20 agents, capacity 50 (binding), adaptive rule, uniform rationing; ` +
        `tau 0.5 -> 1.5 from round ${SHOCK_ROUND}`,
    );
    const play = await playOnChain(env, {
      agents: 20,
      capacity: 50,
      tau: 0.5,
      fixedFee: 1,
      rule: "adaptive",
      rationing: "uniform",
      etaTimesL: 1,
      rounds: 40,
      seed: 7,
      dynamics: {},
      shocks: [{ round: SHOCK_ROUND, set: { tau: 1.5 } }],
      untilConverged: true,
      deploymentId: fresh && `${fresh}-market`,
    }).catch((e: Error) => fail(`demo: ${e.message.split("\n")[0]}`));
    console.log(`ClearingMarket at ${play.market}; rounds as its events report them:`);
    for (const r of play.run.rounds) {
      const price = fromFixed(r.tau + r.mu).toFixed(6);
      const demand = fromFixed(r.totalDemand).toFixed(6);
      console.log(
        `  round ${String(r.round).padStart(3)}  tau ${fromFixed(r.tau).toFixed(2)}  price ` +
          `${price.padStart(10)}  S ${demand.padStart(12)}${r.converged ? "  converged" : ""}`,
      );
    }

    const { escrow, table, tableId } = await env.deployEscrow({ deploymentId: fresh && `${fresh}-escrow` });
    const at = await escrow.getAddress();
    console.log(`\nExchangeEscrow deployed at ${at} (default table: number ${table}, ${tableId.slice(0, 10)}...)`);
    const eth = (x: bigint) => fromFixed(x).toFixed(4).padStart(7);
    const exchange = await playDemoDeals(escrow, table, env.signers[1], env.signers[2], {
      price: hre.ethers.parseEther("1"),
      networkName: env.networkName,
      onDeal: (label, o) =>
        console.log(
          `  ${o.state.padEnd(10)} seller ${eth(o.sellerPayout)}  buyer ${eth(o.buyerPayout)}  burnt ` +
            `${eth(o.burn)}  gas ${o.gas}  (${label})`,
        ),
    });

    console.log(`\nExperiments on the exact engine (${opts.replications} replications per cell):`);
    const study = await runStudyOn(
      {
        replications: opts.replications,
        seed: opts.seed,
        movieLens: path.join("test", "fixtures", "movielens", "u.data"),
        robustnessSeeds: DEMO_ROBUSTNESS_SEEDS,
      },
      opts.workers ?? defaultWorkers(),
      progress,
    );
    for (const w of study.flatMap((r) => r.warnings ?? [])) console.warn(`Warning: ${w}`);
    const written = await writeReport(
      opts.out,
      {
        title: "Clearhouse demo report",
        meta: {
          network: env.networkName,
          "clearing market": play.market,
          "experiment replications": `${opts.replications} (npx hardhat experiments runs 200)`,
          "robustness seeds": `${DEMO_ROBUSTNESS_SEEDS} (npx hardhat experiments and the benchmark use 20)`,
          "MovieLens source":
            "synthetic fixture (test/fixtures/movielens/u.data); " +
            "pass your own u.data to npx hardhat experiments --movielens",
          "run time": `${((Date.now() - started) / 1000).toFixed(0)} s`,
        },
        notes: [
          "The first two sections ran on the chain and were read back from the contracts' events. " +
            "The rest ran on the exact fixed-point engine, which the test suite proves equal to the " +
            "contract bit for bit.",
          ...STUDY_NOTES,
        ],
        experiments: [play.result, exchange, ...study],
      },
      progress("charts"),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(
      `\nWrote ${path.relative(process.cwd(), written.html)} with ${written.figures.length} figures ` +
        `and ${written.tables.length} table files (${seconds} s)`,
    );
  });
