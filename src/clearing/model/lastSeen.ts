/**
 * Twin of the market's `_lastSeenCounts` and `expectedSubmitters`: for each round, how many active
 * agents were last seen in it (submitted, or joined), and how many a round waits for before it may
 * close early, the agents seen in it or in the `DORMANT_AFTER` rounds before.
 */
import { DORMANT_AFTER } from "./types";

export class LastSeenCounts {
  private readonly counts = new Map<bigint, bigint>();

  /** Counts an agent in (`delta` 1) or out (-1) of those last seen in `round`. */
  count(round: bigint, delta: bigint): void {
    this.counts.set(round, (this.counts.get(round) ?? 0n) + delta);
  }

  /** `expectedSubmitters(round)`. */
  expected(round: bigint): bigint {
    let expected = 0n;
    for (let k = 0n; k <= DORMANT_AFTER && k < round; k++) expected += this.counts.get(round - k) ?? 0n;
    return expected;
  }
}
