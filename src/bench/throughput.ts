/**
 * On-chain throughput of the batched driver: a market of `agents` reference agents played for
 * `rounds` rounds on the connected network, transactions per second of wall time, median of runs.
 */
import { median } from "../common/metrics";
import { playOnChain } from "../clearing/experiments/chainPlay";
import type { ChainEnv } from "../hardhat/adapter";
import { progress } from "../common/progress";

export interface Throughput {
  agents: number;
  rounds: number;
  transactions: number;
  medianTxPerSecond: number;
  medianSeconds: number;
  runs: { seed: number; transactions: number; seconds: number; txPerSecond: number }[];
}

export async function measureThroughput(
  env: ChainEnv,
  opts: { agents: number; rounds: number; runs: number },
): Promise<Throughput> {
  const runs: Throughput["runs"] = [];
  for (let seed = 1; seed <= opts.runs; seed++) {
    const play = await playOnChain(env, {
      agents: opts.agents,
      capacity: opts.agents,
      tau: 0.5,
      fixedFee: 1,
      rule: "adaptive",
      etaTimesL: 1,
      rounds: opts.rounds,
      seed,
      dynamics: {},
      shocks: [{ round: Math.ceil(opts.rounds / 2), set: { tau: 1.5 } }],
      untilConverged: false,
      deploymentId: `throughput-${Date.now()}-${seed}`,
      onProgress: progress(`throughput run ${seed}/${opts.runs}`),
    });
    if (play.run.rounds.length !== opts.rounds)
      throw new Error(`throughput: ${play.run.rounds.length} rounds read back, ${opts.rounds} played`);
    runs.push({
      seed,
      transactions: play.run.transactions,
      seconds: play.run.seconds,
      txPerSecond: play.run.throughput,
    });
  }
  return {
    agents: opts.agents,
    rounds: opts.rounds,
    transactions: runs[0].transactions,
    medianTxPerSecond: median(runs.map((r) => r.txPerSecond)),
    medianSeconds: median(runs.map((r) => r.seconds)),
    runs,
  };
}
