/**
 * A clearing-market play from one funded key (a testnet user's case): the agents are HD wallets of a mnemonic,
 * funded by the key within a budget for exactly what the run needs, and everything they hold is brought back to
 * the key at the end, whether the run completed or failed. What the run needs comes from a dry run of the same
 * population on the off-chain engine, which submits the same demands at the same prices as the chain (a test
 * proves them equal round for round): each agent's deposit covers every reservation it will make.
 */
import type { Signer } from "ethers";
import { Population } from "../agents/population";
import { GAS_LIMITS } from "../chain/driver";
import { type MarketRecovery, RECOVERY_GAS, recoverFromMarket } from "../chain/recovery";
import { reserveFor } from "../model/settlement";
import { runEngine } from "../sim/engine";
import {
  type AddressedSigner,
  AGENT_FIRST_INDEX,
  type SweepResult,
  deriveWallets,
  eth,
  maxFeePerGas,
  sweepWallets,
} from "../../chain/wallets";
import { type FundingPlan, type FundingResult, executeFunding, planFunding } from "../../chain/funding";
import {
  type ChainPlay,
  type ChainPlayRequest,
  type MarketEnv,
  type PlaySetup,
  deployPlayMarket,
  playMarket,
  playSetup,
} from "./chainPlay";

/** What a play needs, from its dry run: per agent at most, and for the funder's own calls. */
export interface PlayNeeds {
  /** The deposit each agent joins with: the most any agent reserves over the run, in all (at least 1 unit). */
  deposit: bigint;
  /** The most times an agent joins (rejoining after a participation shock pays a new deposit). */
  joins: number;
  /** Gas (sum of limits) of the most any agent sends: joins, submissions, departures and its recovery. */
  agentGas: bigint;
  /**
   * Gas of the governor's (the funder's) calls: closes (a close refused in the second its round opened is retried
   * twice), the scheduled parameter changes, and in the recovery settling agents and collecting fees and revenue.
   */
  ownerGas: bigint;
  /** Rounds the dry run played (fewer than asked when it stops at convergence). */
  rounds: number;
}

/**
 * What `setup` needs when played as `req` asks, from a dry run on the engine. A deposit of the sum of an agent's
 * reservations always covers its next one: what a round charges never exceeds what it reserved.
 */
export function playNeeds(req: ChainPlayRequest, setup: PlaySetup): PlayNeeds {
  const rounds = runEngine(new Population(setup.types, req.seed, req.dynamics), setup.settings, {
    rounds: req.rounds,
    shocks: req.shocks,
    untilConverged: req.untilConverged,
  });
  const n = setup.types.length;
  const reserved = Array<bigint>(n).fill(0n);
  const gas = Array<bigint>(n).fill(RECOVERY_GAS.leave + RECOVERY_GAS.withdraw);
  const joins = Array<number>(n).fill(0);
  rounds.forEach((r, t) =>
    r.demands.forEach((d, i) => {
      const before = t === 0 ? null : rounds[t - 1].demands[i];
      if (d !== null) {
        reserved[i] += reserveFor(d, r.tau, r.mu, r.fixedFee);
        gas[i] += GAS_LIMITS.submit;
        if (before === null) {
          joins[i] += 1;
          gas[i] += GAS_LIMITS.join;
        }
      } else if (before !== null) gas[i] += GAS_LIMITS.leave;
    }),
  );
  const scheduled = rounds.filter((_, t) => req.shocks.some((s) => s.round === t + 2)).length;
  const max = <T extends bigint | number>(xs: T[]): T => xs.reduce((a, b) => (b > a ? b : a));
  return {
    // A zero deposit would tell the driver that the agents joined already.
    deposit: max([1n, ...reserved]),
    joins: max(joins),
    agentGas: max(gas),
    ownerGas:
      BigInt(rounds.length) * 3n * GAS_LIMITS.close +
      BigInt(scheduled) * GAS_LIMITS.schedule +
      BigInt(n) * RECOVERY_GAS.settle +
      2n * RECOVERY_GAS.collect,
    rounds: rounds.length,
  };
}

/** Where the agents' wallets come from, the budget, and hooks to tell or record each stage. */
export interface WalletPlayOptions {
  /** The agents' mnemonic (never printed). */
  mnemonic: string;
  /** Index of agent 0 on `m/44'/60'/0'/0` (default {@link AGENT_FIRST_INDEX}). */
  firstIndex?: number;
  /** ETH the funding may send at most (default: what the run needs). */
  budget?: bigint;
  /** Called with the checked plan, before anything is sent. */
  onPlan?: (plan: FundingPlan, needs: PlayNeeds) => void;
  /** Called with the market's address once deployed, before any funding (to record it for a sweep after a crash). */
  onDeployed?: (market: string) => void;
  /** Called once the wallets are recovered and swept back. */
  onSwept?: (market: string) => void;
}

/** The play, and what funding, recovery and sweep did. */
export interface WalletPlay extends ChainPlay {
  /** The agents' wallet addresses, agent 0 first, and the index of agent 0. */
  wallets: string[];
  firstIndex: number;
  needs: PlayNeeds;
  plan: FundingPlan;
  funded: FundingResult;
  recovery: MarketRecovery;
  sweep: SweepResult;
  /** ETH the wallets had before the funding, plus what it sent, minus what came back: their gas and charges. */
  used: bigint;
}

/**
 * Plays `req` with agents that are HD wallets of `opts.mnemonic`, funded from the network's first account (the
 * only one `env` needs): checks the budget and the funder's balances, deploys, funds, plays, then recovers the
 * agents' balances from the market and sweeps every wallet back, also when the play failed (its error then says
 * the wallets were swept). The funder is the market's owner and recipient: it also collects the fees and revenue.
 */
export async function playWithWallets(
  env: MarketEnv,
  req: ChainPlayRequest,
  opts: WalletPlayOptions,
): Promise<WalletPlay> {
  const funder = env.signers[0] as AddressedSigner | undefined;
  if (!funder) throw new Error(`network "${env.networkName}" has no account to fund the agents from`);
  const setup = playSetup(req);
  const firstIndex = opts.firstIndex ?? AGENT_FIRST_INDEX;
  const wallets = deriveWallets(opts.mnemonic, setup.types.length, { provider: env.provider, firstIndex });
  const needs = playNeeds(req, setup);
  const fee = await maxFeePerGas(env.provider);
  const deployGas = await env.deployGas(setup.settings, { asset: req.asset });
  const deposits = needs.deposit * BigInt(needs.joins);
  const plan = await planFunding(env.provider, {
    funder,
    wallets,
    needs: {
      value: req.asset ? 0n : deposits,
      gas: needs.agentGas,
      token: req.asset ? { address: req.asset, amount: deposits } : undefined,
    },
    budget: opts.budget,
    funderReserve: (deployGas + needs.ownerGas) * fee,
    maxFeePerGas: fee,
  });
  opts.onPlan?.(plan, needs);

  const market = await deployPlayMarket(env, req, setup);
  const address = await market.getAddress();
  opts.onDeployed?.(address);
  let play: ChainPlay | undefined;
  let funded: FundingResult | undefined;
  let failure: unknown;
  try {
    funded = await executeFunding(env.provider, plan, { spender: address });
    play = await playMarket(env, { ...req, deposit: needs.deposit }, setup, market, {
      owner: funder,
      agents: wallets as Signer[],
    });
  } catch (e) {
    failure = e;
  }
  let recovery: MarketRecovery;
  let sweep: SweepResult;
  try {
    recovery = await recoverFromMarket(env.provider, address, wallets, funder);
    sweep = await sweepWallets(env.provider, wallets, funder, { tokens: req.asset ? [req.asset] : [] });
  } catch (e) {
    const why = `recovering the agent wallets failed (${firstLine(e)}): run wallets:sweep`;
    throw new Error(failure ? `${firstLine(failure)}; ${why}` : why);
  }
  opts.onSwept?.(address);
  if (failure || !play || !funded) {
    throw new Error(`${firstLine(failure)} (the agent wallets were swept back: ${eth(sweep.eth)} ETH)`);
  }
  const before = plan.wallets.reduce((s, w) => s + w.balance, 0n);
  return {
    ...play,
    wallets: wallets.map((w) => w.address),
    firstIndex,
    needs,
    plan,
    funded,
    recovery,
    sweep,
    used: before + funded.eth + recovery.lent + sweep.lent - sweep.eth - sweep.dust,
  };
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];
