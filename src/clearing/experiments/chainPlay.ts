/**
 * A clearing-market run on a chain, as a report section: deploys through Ignition, drives a
 * population with the batched driver, and turns what the contract's events recorded into
 * per-round metrics, charts and tables.
 */
import { parseEther, type Signer } from "ethers";
import type { ClearingMarket } from "../../../typechain-types";
import type { RpcProvider } from "../../chain/batch";
import { runOnChain, type ChainRun } from "../chain/driver";
import type { MarketSettings } from "../model/settings";
import { type DynamicsInput, Population } from "../agents/population";
import type { ParamShock } from "../sim/rounds";
import { drawAgents } from "../agents/draw";
import type { AgentType } from "../agents/reference";
import { roundWelfare } from "../sim/welfare";
import { fromFixed } from "../../common/fixed";
import { resilience } from "../../common/metrics";
import { lineChart } from "../../report/charts";
import { settingsFor } from "./scenarios";
import type { Comparison, ExperimentResult } from "../../report/types";
import { fmt } from "./shared";

/** The per-round clearing price's series in the price chart. */
const MU_STAR = "mu* (per round)";

export interface ChainPlayRequest {
  agents: number;
  capacity: number;
  tau: number;
  fixedFee: number;
  rule: MarketSettings["rule"];
  /** How a rationed round is shared (pro-rata unless said). */
  rationing?: MarketSettings["rationing"];
  /** Step as a multiple of 1/L. */
  etaTimesL: number;
  rounds: number;
  seed: number;
  dynamics: DynamicsInput;
  shocks: ParamShock[];
  /** Stop at the first converged round after the last shock. */
  untilConverged: boolean;
  /** Ignition deployment id (fresh per run on persistent networks). */
  deploymentId?: string;
  /** An ERC-20 the market is paid in (default: native ETH); its agents must hold the deposit and allow the market. */
  asset?: string;
  /** What each agent joins with (default: 100 per round, in the asset's units: ample for these agents). */
  deposit?: bigint;
  onProgress?: (done: number, total: number) => void;
}

export interface ChainPlay {
  result: ExperimentResult;
  run: ChainRun;
  market: string;
}

/** The chain a run goes to: Hardhat's adapter (`src/hardhat/adapter.ts`) gives one for any network. */
export interface MarketEnv {
  networkName: string;
  provider: RpcProvider;
  /** The first deploys and governs; agent i signs with signer i + 1. */
  signers: Signer[];
  deployMarket: (settings: MarketSettings, opts: { deploymentId?: string; asset?: string }) => Promise<ClearingMarket>;
  /** Gas the market's deployment would take (an estimate by the node), for a budget checked before it is sent. */
  deployGas: (settings: MarketSettings, opts: { asset?: string }) => Promise<bigint>;
}

/** What a request plays, known before any chain: the whole population (those that join later too) and the market. */
export interface PlaySetup {
  types: AgentType[];
  settings: MarketSettings;
}

/** The population (seeded) and the market's settings a request plays: the same on any chain and in a dry run. */
export function playSetup(req: ChainPlayRequest): PlaySetup {
  const types = drawAgents(req.agents + (req.dynamics.reserve ?? 0), req.seed);
  const settings: MarketSettings = {
    ...settingsFor(types.slice(0, req.agents), req.capacity, req.tau, req.fixedFee, req.rule, req.etaTimesL),
    rationing: req.rationing,
  };
  return { types, settings };
}

/** Deploys the request's market (through `env`, so through Ignition under Hardhat). */
export function deployPlayMarket(env: MarketEnv, req: ChainPlayRequest, setup: PlaySetup): Promise<ClearingMarket> {
  return env.deployMarket(setup.settings, { deploymentId: req.deploymentId, asset: req.asset });
}

/** Deploys a market and plays it with the network's accounts: the first governs, agent i is account i + 1. */
export async function playOnChain(env: MarketEnv, req: ChainPlayRequest): Promise<ChainPlay> {
  const signers = env.signers;
  const setup = playSetup(req);
  const total = setup.types.length;
  if (signers.length < total + 1)
    throw new Error(`${total} agents need ${total + 1} accounts; network "${env.networkName}" has ${signers.length}`);
  const market = await deployPlayMarket(env, req, setup);
  return playMarket(env, req, setup, market, { owner: signers[0], agents: signers.slice(1) });
}

/**
 * Plays `setup` on a deployed `market`: `accounts.owner` governs (closes, scheduled changes), agent i signs with
 * `accounts.agents[i]`; the run is read back from the market's events into a report section.
 */
export async function playMarket(
  env: MarketEnv,
  req: ChainPlayRequest,
  setup: PlaySetup,
  market: ClearingMarket,
  accounts: { owner: Signer; agents: readonly Signer[] },
): Promise<ChainPlay> {
  const { types, settings } = setup;
  const reserve = req.dynamics.reserve ?? 0;
  const run = await runOnChain(
    env.provider,
    market,
    [...accounts.agents],
    new Population(types, req.seed, req.dynamics),
    settings,
    {
      rounds: req.rounds,
      shocks: req.shocks,
      untilConverged: req.untilConverged,
      // Enough for every round's charges: at most ~(tau + mu) 20 + g per round for these agents.
      deposit: req.deposit ?? parseEther(String(100 * req.rounds)),
      owner: accounts.owner,
      onProgress: req.onProgress,
    },
  );
  const rows = run.rounds.map((r, t) => {
    const w = roundWelfare(r, run.types[t]);
    return {
      round: w.round,
      tau: fromFixed(r.tau),
      fixedFee: fromFixed(r.fixedFee),
      mu: w.mu,
      muStar: w.muStar,
      nextMu: fromFixed(r.nextMu),
      totalDemand: w.totalDemand,
      capacity: w.capacity,
      primalResidual: fromFixed(r.primalResidual),
      dualResidual: fromFixed(r.dualResidual),
      converged: r.converged,
      agents: w.allocations.length,
      efficiency: w.efficiency,
      optimum: w.optimum,
      gini: w.gini,
      participation: w.participation,
      utilization: w.utilization,
    };
  });
  const address = await market.getAddress();
  const shockRound = req.shocks[0]?.round;
  const comparisons: Comparison[] = [];
  if (shockRound && rows.length >= shockRound + 4) {
    const k = shockRound - 1;
    const pre = rows.slice(Math.max(0, k - 5), k).map((r) => r.efficiency);
    const post = rows.slice(k, k + 5).map((r) => r.efficiency);
    const again = rows.find((r) => r.round > shockRound && r.converged)?.round;
    comparisons.push({
      source: "Fig. 7 (on chain)",
      shows: `this run's shock at round ${shockRound}, read from the contract's events`,
      summary: {
        Eff: {
          paper: "re-converges after the fee jump",
          ours:
            `R = Eff(next 5) / Eff(previous 5) = ${fmt(resilience(pre, post), 3)}; ` +
            `converged again at round ${again ?? "— (not within the run)"}`,
        },
      },
      items: [],
      disagreements: again ? [] : ["The market did not re-converge within the run. Cause: the run ended first."],
    });
  }
  const result: ExperimentResult = {
    key: "chain",
    title: `On-chain run (network "${env.networkName}")`,
    description:
      `ClearingMarket ${address}${req.asset ? ` (paid in token ${req.asset})` : ""} deployed through Ignition; ` +
      `${req.agents} agents (seed ${req.seed})${reserve ? ` plus ${reserve} that join later` : ""}, ` +
      `capacity ${req.capacity}, tau ${req.tau}, g ${req.fixedFee}, ${req.rule} rule (eta = ${req.etaTimesL}/L), ` +
      `${req.rationing ?? "pro-rata"} rationing; ` +
      `${run.rounds.length} rounds, ${run.transactions} transactions in ${run.blocks} blocks, ` +
      `${fmt(run.seconds, 1)} s ` +
      `(${fmt(run.throughput, 0)} tx/s${run.batched ? ", one block per round's submissions" : ""}). ` +
      `Every number below was read back from the contract's events; ` +
      `the agents' private values enter only the efficiency.`,
    tables: [{ name: "chain-rounds", rows }],
    charts: [
      {
        name: "chain-price",
        caption:
          "Shadow price mu_t posted by the contract (solid), against mu* (dashed steps): the exact clearing " +
          "price of each round's agents and fees, which moves when a shock changes them.",
        spec: lineChart({
          title: "mu_t and mu* on chain",
          rows: rows.flatMap((r) => [
            { round: r.round, series: "mu_t (contract)", value: r.mu },
            { round: r.round, series: MU_STAR, value: r.muStar },
          ]),
          x: "round",
          y: "value",
          series: "series",
          seriesTitle: "price",
          dashed: [MU_STAR],
          step: true,
          yTitle: "shadow price",
        }),
      },
      {
        name: "chain-demand",
        caption: "Total demand S_t recorded by the contract against capacity m (dashed).",
        spec: lineChart({
          title: "S_t vs m on chain",
          rows,
          x: "round",
          y: "totalDemand",
          yTitle: "S_t",
          ruleY: req.capacity,
        }),
      },
      {
        name: "chain-welfare",
        caption:
          "Efficiency of the allocations the contract made (solid) and the per-round optimum, Eff at the exact " +
          "clearing solution of that round's agents and fees (dashed).",
        spec: lineChart({
          title: "Eff and optimum per round",
          rows: rows.flatMap((r) => [
            { round: r.round, series: "Eff (achieved)", value: r.efficiency },
            { round: r.round, series: "Eff at x* (optimum)", value: r.optimum },
          ]),
          x: "round",
          y: "value",
          series: "series",
          dashed: ["Eff at x* (optimum)"],
          yTitle: "Eff",
        }),
      },
    ],
    comparisons,
  };
  return { result, run, market: address };
}
