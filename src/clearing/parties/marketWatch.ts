/**
 * Follows a deployed market's rounds live from its events: each close (posted price, demand against capacity,
 * residuals, convergence) and each parameter change, as blocks arrive. Hardhat-free; polls `eth_getLogs`, so it
 * works on any node (no filters or subscriptions needed).
 */
import { fromFixed } from "../../common/fixed";
import { sleep } from "../../common/sleep";
import { roundClosedOf } from "../chain/events";
import type { RoundClosedEvent } from "../model/types";
import { MARKET_INTERFACE } from "./abi";
import type { MarketClient } from "./marketClient";

/** One closed round as the watcher reports it: the model's event, and where it was emitted. */
export interface WatchedRound extends RoundClosedEvent {
  blockNumber: number;
  txHash: string;
}

export interface WatchOptions {
  /** First block to read (default: the latest block when the watch starts, so only new rounds). */
  fromBlock?: number;
  /** Stop after this many closed rounds (default: until aborted). */
  rounds?: number;
  pollMs?: number;
  /** Blocks per `eth_getLogs` request. */
  pageSize?: number;
  signal?: AbortSignal;
  /** One line per closed round and per parameter change. */
  log?: (line: string, round?: WatchedRound) => void;
  /** Each parameter change as it takes effect (a chart marks it; `log` only has its line). */
  onParams?: (change: { version: bigint; round: bigint; blockNumber: number }) => void;
}

const units = (x: bigint) => fromFixed(x).toFixed(4);

/** The line `market:watch` prints for a closed round. */
export function describeRound(r: WatchedRound): string {
  const share = r.capacity === 0n ? 0 : (100 * fromFixed(r.totalDemand)) / fromFixed(r.capacity);
  return (
    `round ${r.round}: mu ${units(r.mu)} -> ${units(r.nextMu)}, demand ${units(r.totalDemand)} / ` +
    `${units(r.capacity)} (${share.toFixed(1)} %), residuals primal ${units(r.primalResidual)} ` +
    `dual ${units(r.dualResidual)}${r.converged ? ", converged" : ""}`
  );
}

/** Watches until `opts.rounds` closes were seen or `opts.signal` aborts; returns the closes seen. */
export async function watchRounds(client: MarketClient, opts: WatchOptions = {}): Promise<WatchedRound[]> {
  const { rounds, pollMs = 1000, pageSize = 2000, signal } = opts;
  const log = opts.log ?? (() => {});
  const seen: WatchedRound[] = [];
  let next = opts.fromBlock ?? (await client.provider.getBlockNumber());
  while (!signal?.aborted && (rounds === undefined || seen.length < rounds)) {
    const latest = await client.provider.getBlockNumber();
    for (let start = next; start <= latest && (rounds === undefined || seen.length < rounds); start += pageSize) {
      const to = Math.min(latest, start + pageSize - 1);
      const logs = await client.provider.getLogs({ address: client.address, fromBlock: start, toBlock: to });
      const parsed = logs.map((l) => ({ log: l, event: MARKET_INTERFACE.parseLog(l) }));
      for (const [i, { log: l, event }] of parsed.entries()) {
        if (event?.name === "ParamsActivated") {
          log(`round ${event.args.round}: parameters version ${event.args.version} in force`);
          opts.onParams?.({ version: event.args.version, round: event.args.round, blockNumber: l.blockNumber });
        } else if (event?.name === "RoundClosed") {
          // `Converged` follows its round's `RoundClosed` in the same transaction.
          const after = parsed[i + 1];
          const converged = after?.event?.name === "Converged" && after.log.transactionHash === l.transactionHash;
          const round: WatchedRound = {
            ...roundClosedOf(event.args, converged),
            blockNumber: l.blockNumber,
            txHash: l.transactionHash,
          };
          seen.push(round);
          log(describeRound(round), round);
          if (rounds !== undefined && seen.length >= rounds) break;
        }
      }
      next = to + 1;
    }
    if (rounds !== undefined && seen.length >= rounds) break;
    await sleep(pollMs, signal);
  }
  return seen;
}
