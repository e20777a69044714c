/**
 * Drives reference agents against a deployed ClearingMarket: each round they read the posted
 * price, submit their (proximal) best responses, and the round is closed as soon as all have
 * submitted. Everything reported comes from the contract's events.
 */
import type { Signer } from "ethers";
import type { ClearingMarket } from "../../../typechain-types";
import { fromFixed, toFixed } from "../../common/fixed";
import { type AgentType, bestResponse } from "../agents/reference";
import type { RoundClosedEvent } from "../model/types";
import { roundClosedFromArgs } from "../sim/rounds";

export interface Player {
  signer: Signer;
  type: AgentType;
}

/** A closed round as its `RoundClosed`/`Converged` events report it, with what the agents saw and did. */
export interface RoundOutcome extends RoundClosedEvent {
  /** Posted price `tau + mu` the agents saw. */
  price: bigint;
  demands: bigint[];
}

export interface PlayOptions {
  /** Fixed fee `g` as the agents see it (asset units). */
  fixedFee: number;
  /** Proximal weight `gamma` (0: plain best response). */
  gamma?: number;
  maxRounds: number;
  /** Stop after the first round that emits `Converged` (under parameters version >= `fromVersion`). */
  untilConverged?: boolean;
  fromVersion?: bigint;
  onRound?: (outcome: RoundOutcome) => void;
}

/** Joins every player with `deposit` (native ETH market). */
export async function joinAll(market: ClearingMarket, players: Player[], deposit: bigint): Promise<void> {
  for (const p of players) await (await market.connect(p.signer).join(deposit, { value: deposit })).wait();
}

export async function playRounds(
  market: ClearingMarket,
  players: Player[],
  opts: PlayOptions,
): Promise<RoundOutcome[]> {
  const outcomes: RoundOutcome[] = [];
  const previous = players.map(() => 0);
  const gamma = opts.gamma ?? 0;
  for (let i = 0; i < opts.maxRounds; i++) {
    const [, , price] = await market.currentRound();
    const p = fromFixed(price);
    const demands = players.map((pl, k) => toFixed(bestResponse(pl.type, p, opts.fixedFee, gamma, previous[k])));
    const txs = await Promise.all(players.map((pl, k) => market.connect(pl.signer).submitDemand(demands[k])));
    await Promise.all(txs.map((t) => t.wait()));
    demands.forEach((d, k) => (previous[k] = fromFixed(d)));
    const receipt = await (await market.closeRound()).wait();
    let outcome: RoundOutcome | undefined;
    let converged = false;
    for (const log of receipt!.logs) {
      const parsed = market.interface.parseLog(log);
      if (parsed?.name === "RoundClosed") {
        outcome = { ...roundClosedFromArgs(parsed.args), price, demands };
      }
      if (parsed?.name === "Converged") converged = true;
    }
    outcome!.converged = converged;
    outcomes.push(outcome!);
    opts.onRound?.(outcome!);
    if (converged && opts.untilConverged && outcome!.version >= (opts.fromVersion ?? 0n)) break;
  }
  return outcomes;
}
