/**
 * How the market rations a round, as `ClearingMarket` does it: pro rata (`Settlement.allocation`), or by the uniform
 * rule, whose demand tree every submission moves and whose result a rationed close stores (`_demandTree`,
 * `_rationed`). Only a round whose exact total demand exceeds its capacity is rationed.
 */
import { allocation as proRata } from "./settlement";
import { Rationing } from "./types";
import { RationingTree, decode, allocation as uniformAllocation } from "./uniformRationing";

export class RoundRationing {
  readonly tree = new RationingTree();
  /** The uniform rule's result of each rationed round. */
  readonly results = new Map<bigint, bigint>();
  /** `state().levelHint`: the bucket of the last rationed round's water level, where the next descent starts. */
  levelHint = 0n;

  /** A submission (or a withdrawal, `to = 0`) of one agent's demand in round `round`. */
  move(rule: Rationing, round: bigint, from: bigint, to: bigint): void {
    if (rule === Rationing.Uniform) this.tree.move(round, from, to);
  }

  /** The close of round `round`: the uniform rule finds its water level when the round is rationed. */
  close(rule: Rationing, round: bigint, totalDemand: bigint, capacity: bigint): void {
    if (rule !== Rationing.Uniform || totalDemand <= capacity) return;
    const result = this.tree.close(round, capacity);
    this.results.set(round, result);
    const { rationed, bucket } = decode(result);
    if (rationed) this.levelHint = BigInt(bucket);
  }

  /** What a demand of round `round` receives once the round is closed. */
  allocation(rule: Rationing, round: bigint, demand: bigint, totalDemand: bigint, capacity: bigint): bigint {
    if (rule === Rationing.Uniform && totalDemand > capacity) {
      return uniformAllocation(demand, this.results.get(round) ?? 0n);
    }
    return proRata(demand, totalDemand, capacity);
  }

  /** `rationingResult(round)`: the stored result, 0 when the round was not rationed by the uniform rule. */
  resultOf(round: bigint): bigint {
    return this.results.get(round) ?? 0n;
  }
}
