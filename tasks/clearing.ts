/**
 * npx hardhat clearing:play [--agents N] [--rounds N] [--capacity m] [--fixed-fee g] [--rule r]
 *     [--eta-times-l k] [--shock-round t --shock-tau x] [--noise s] [--drift s] [--out dir]
 *     [--wallets auto|accounts|hd] [--budget eth] [--asset token]
 *   One clearing market on the selected network, driven by agents, read back from its events. The agents are the
 *   network's accounts 1..N; where it has fewer (a testnet's one key), or with `--wallets hd` or a token `--asset`,
 *   they are HD wallets funded from the first account within `--budget`, and swept back to it at the end.
 */
import { task, types } from "hardhat/config";
import { z } from "zod";
import { addressArg, compileFirst, decimal18, fail, parseArgs } from "./utils";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ChainPlayRequest } from "../src/clearing/experiments/chainPlay";
import type { ChainEnv } from "../src/hardhat/adapter";
import { agentMnemonicFor } from "./wallets";

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
  .addOptionalParam(
    "wallets",
    "Agents: accounts (the network's), hd (wallets funded from its first account), auto (hd when too few accounts)",
    "auto",
  )
  .addOptionalParam("budget", "ETH the HD agent wallets may be funded with (default: what the run needs)")
  .addOptionalParam("asset", "ERC-20 the market is paid in (default: ETH); the HD agent wallets get it too")
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
          wallets: z.enum(["auto", "accounts", "hd"]),
          budget: decimal18.optional(),
          asset: addressArg.optional(),
        })
        .refine((a) => a.shockRound <= a.rounds, {
          path: ["shockRound"],
          message: "must be at most --rounds (the shock would never happen)",
        })
        .refine((a) => !(a.asset && a.wallets === "accounts"), {
          path: ["asset"],
          message: "a token market's agents are HD wallets funded with the token: drop --wallets accounts",
        }),
      args,
    );
    await compileFirst(hre);
    const fresh = hre.network.name === "hardhat" ? undefined : `play-${Date.now()}`;
    const { chainEnv } = await import("../src/hardhat/adapter");
    const env = await chainEnv(hre);
    const hd =
      o.wallets === "hd" || o.asset !== undefined || (o.wallets === "auto" && env.signers.length < o.agents + 1);
    if (o.budget !== undefined && !hd) {
      fail(`clearing:play: --budget: the agents are the network's ${env.signers.length} accounts: add --wallets hd`);
    }
    const req: ChainPlayRequest = {
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
      asset: o.asset,
      onProgress: progress("rounds"),
    };
    const failed = (e: Error) => fail(`clearing:play: ${e.message.split("\n")[0]}`);
    const { play, sweepLine } = hd
      ? await playWithAgentWallets(hre, env, req, o.budget)
      : { play: await playOnChain(env, req).catch(failed), sweepLine: undefined };
    const written = await writeReport(o.out, {
      title: "Clearhouse — clearing market on chain",
      meta: { network: hre.network.name, market: play.market },
      notes: [],
      experiments: [play.result],
    });
    const r = play.run;
    console.log(
      `${r.rounds.length} rounds, ${r.transactions} transactions in ${r.blocks} blocks, ` +
        `${r.seconds.toFixed(1)} s: ${r.throughput.toFixed(0)} tx/s; ` +
        (r.batched
          ? "batched: each group of transactions mined as one block (Hardhat's evm_mine)"
          : "not batched: every transaction sent at once and awaited in the node's own blocks"),
    );
    if (sweepLine) console.log(sweepLine);
    const { describePlay, summarizePlay } = await import("../src/clearing/experiments/playSummary");
    for (const line of describePlay(await summarizePlay(env.provider, play, req.shocks))) console.log(line);
    console.log(`Wrote ${written.html}`);
  });

/**
 * The play with HD agent wallets funded from the network's first account: says where the mnemonic comes from and
 * the budget before anything is sent, records the market for `wallets:sweep` (not on the in-process network, which
 * ends with the process), and words what came back and what the budget paid for.
 */
async function playWithAgentWallets(
  hre: HardhatRuntimeEnvironment,
  env: ChainEnv,
  req: ChainPlayRequest,
  budget: bigint | undefined,
) {
  const { playWithWallets } = await import("../src/clearing/experiments/walletPlay");
  const { AGENT_FIRST_INDEX: first, eth } = await import("../src/chain/wallets");
  const { updateWalletStore } = await import("../src/common/walletStore");
  const { formatEther, formatUnits } = await import("ethers");
  const m = await agentMnemonicFor(hre, "clearing:play", true);
  const persistent = hre.network.name !== "hardhat";
  const n = req.agents + (req.dynamics.reserve ?? 0);
  const funder = env.signers[0];
  if (!funder) fail(`clearing:play: network "${hre.network.name}" has no account to fund the agents from`);
  const play = await playWithWallets(env, req, {
    mnemonic: m.phrase,
    budget,
    onPlan: (plan) => {
      const e = plan.each;
      const token = req.asset
        ? `; token: ${formatEther(e.token)} each (allowed to the market by ` +
          `${plan.allowance === "permit" ? "permits the funder submits" : "approvals"})`
        : "";
      console.log(
        `Agents: ${n} HD wallets m/44'/60'/0'/0/${first}..${first + n - 1} of ${m.describe}, ` +
          `funded by ${funder!.address}`,
      );
      const whence = budget === undefined ? "what the run needs; --budget sets it" : "--budget";
      console.log(
        `Budget ${eth(plan.budget)} ETH (${whence}): ${eth(plan.eth)} ETH to send, ${eth(e.eth)} per wallet = ` +
          `${eth(e.value)} deposit + ${eth(e.gas)} gas at up to ${formatUnits(plan.maxFeePerGas, "gwei")} gwei` +
          `${token}; ` +
          `the funder's own transactions up to ${eth(plan.funderCost)} ETH`,
      );
    },
    onDeployed: (market) => {
      if (persistent)
        updateWalletStore(m.file, (s) => ({
          ...s,
          count: Math.max(s.count, n),
          markets: [...new Set([...s.markets, market])],
        }));
    },
    onSwept: (market) => {
      if (persistent) updateWalletStore(m.file, (s) => ({ ...s, markets: s.markets.filter((x) => x !== market) }));
    },
  }).catch((e: Error) => fail(`clearing:play: ${e.message.split("\n")[0]}`));
  const charges = req.asset ? 0n : play.recovery.fees + play.recovery.revenue;
  const tokens = play.sweep.tokens.filter((t) => t.amount > 0n);
  const sweepLine =
    `Swept back ${eth(play.sweep.eth)} ETH` +
    tokens.map((t) => ` and ${formatEther(t.amount)} of token ${t.address}`).join("") +
    ` from ${n} wallets and market ${play.market}; ` +
    `budget used ${eth(play.used)} ETH: the agents' gas ${eth(play.used - charges)}` +
    (charges ? ` + the market's charges ${eth(charges)}, which the funder collected back as fees and revenue` : "");
  return { play, sweepLine };
}
