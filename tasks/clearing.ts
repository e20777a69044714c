/**
 * npx hardhat clearing:play [--agents N] [--rounds N] [--capacity m] [--fixed-fee g] [--rule r]
 *     [--eta-times-l k] [--shock-round t --shock-tau x] [--noise s] [--drift s] [--out dir]
 *   One clearing market on the selected network, driven by agents, read back from its events.
 */
import { task, types } from "hardhat/config";
import { z } from "zod";
import { compileFirst, fail, parseArgs } from "./utils";

task(
  "clearing:play",
  "Deploys a ClearingMarket (Ignition) on the selected network, drives agents, reads the run back from events",
)
  .addOptionalParam("agents", "Agents present at the start", 100, types.int)
  .addOptionalParam("capacity", "Capacity m", 100, types.float)
  .addOptionalParam("tau", "Per-unit fee", 0.5, types.float)
  .addOptionalParam("fixedFee", "Fixed execution fee g", 1, types.float)
  .addOptionalParam("rule", "Step rule: constant | diminishing | adaptive", "adaptive")
  .addOptionalParam(
    "etaTimesL",
    "Step eta as a multiple of 1/L (L: the Lipschitz bound of the agents' demand)",
    1,
    types.float,
  )
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
    const o = parseArgs(
      "clearing:play",
      z
        .object({
          agents: z.number().int().min(1),
          capacity: z.number().positive(),
          tau: z.number().nonnegative(),
          fixedFee: z.number().nonnegative(),
          rule: z.enum(["constant", "diminishing", "adaptive"]),
          etaTimesL: z.number().positive(),
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
        })
        .refine((a) => a.shockRound <= a.rounds, {
          path: ["shockRound"],
          message: "must be at most --rounds (the shock would never happen)",
        }),
      args,
    );
    await compileFirst(hre);
    const fresh = hre.network.name === "hardhat" ? undefined : `play-${Date.now()}`;
    const { chainEnv } = await import("../src/hardhat/adapter");
    const play = await playOnChain(await chainEnv(hre), {
      agents: o.agents,
      capacity: o.capacity,
      tau: o.tau,
      fixedFee: o.fixedFee,
      rule: o.rule,
      etaTimesL: o.etaTimesL,
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
      `${r.rounds.length} rounds, ${r.transactions} transactions in ${r.blocks} blocks, ` +
        `${r.seconds.toFixed(1)} s: ${r.throughput.toFixed(0)} tx/s`,
    );
    console.log(`Wrote ${written.html}`);
  });
