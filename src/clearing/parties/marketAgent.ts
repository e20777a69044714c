/**
 * A long-running market agent: it watches the open round of a deployed market and submits its proximal best
 * response once per round (value `alpha ln(1 + x)`, cost `beta x`, spec §1), closing rounds when they are
 * closable if asked to. Safe to restart: everything it needs (whether it already submitted in the open round,
 * its previous demand) it reads from the chain, not from memory. Hardhat-free.
 */
import { fromFixed, toFixed } from "../../common/fixed";
import { sleep } from "../../common/sleep";
import { type AgentType, bestResponse } from "../agents/reference";
import { MARKET_INTERFACE } from "./abi";
import { MarketCallError, type MarketClient } from "./marketClient";

export interface MarketAgentOptions {
  type: AgentType;
  /** Proximal weight `gamma` (0: the plain best response). */
  gamma?: number;
  /** Stop after submitting in this many rounds, once the last of them has closed (default: until aborted). */
  rounds?: number;
  /** Also close the open round whenever it is closable (a keeper's job; on by default). */
  close?: boolean;
  /** Milliseconds between looks at the chain. */
  pollMs?: number;
  /** Blocks searched back for the agent's last demand when none is pending (on a restart). */
  lookback?: number;
  signal?: AbortSignal;
  /** One line per submission, close or skipped round. */
  log?: (line: string) => void;
}

export interface MarketAgentRun {
  /** Rounds it submitted in, and what it submitted. */
  submissions: { round: bigint; quantity: bigint; price: bigint; maxReserve: bigint }[];
  /** Rounds it closed. */
  closed: bigint[];
  stoppedBy: "rounds" | "signal";
}

/** Errors that only mean another transaction got there first: the loop looks again. */
const RACES = ["WrongRound", "RoundExpired", "RoundStillOpen"];
const isRace = (e: unknown) => e instanceof MarketCallError && RACES.some((r) => e.message.includes(`: ${r}(`));

const units = (x: bigint, digits = 4) => fromFixed(x).toFixed(digits);

/** The agent's last submitted demand: pending in its record, else its latest `DemandSubmitted` event. */
async function previousDemand(client: MarketClient, me: string, pending: bigint, lookback: number): Promise<bigint> {
  if (pending !== 0n) return pending;
  const latest = await client.provider.getBlockNumber();
  const logs = await client.provider.getLogs({
    address: client.address,
    topics: MARKET_INTERFACE.encodeFilterTopics("DemandSubmitted", [null, me]),
    fromBlock: Math.max(0, latest - lookback),
    toBlock: latest,
  });
  const last = logs.at(-1);
  return last ? (MARKET_INTERFACE.parseLog(last)!.args.demand as bigint) : 0n;
}

/** Runs the agent until it has submitted in `opts.rounds` rounds or `opts.signal` aborts. */
export async function runMarketAgent(
  client: MarketClient,
  me: string,
  opts: MarketAgentOptions,
): Promise<MarketAgentRun> {
  const { type, gamma = 0, rounds, close = true, pollMs = 1000, lookback = 10_000, signal } = opts;
  const log = opts.log ?? (() => {});
  const run: MarketAgentRun = { submissions: [], closed: [], stoppedBy: "signal" };
  /** A round it could not afford: it says so once and waits for the next round (or a deposit). */
  let skipped: bigint | undefined;
  while (!signal?.aborted) {
    const status = await client.status(me);
    if (!status.active) throw new MarketCallError(`market agent: ${me} is not a member of the market: join first`);
    const open = status.open;
    if (!status.submittedNow && open.now < open.deadline && skipped !== open.round) {
      // Done once a round beyond its last one opens: it stays to close its last round when it can.
      if (rounds !== undefined && run.submissions.length >= rounds) {
        run.stoppedBy = "rounds";
        break;
      }
      const previous = await previousDemand(client, me, status.round !== 0n ? status.demand : 0n, lookback);
      const x = bestResponse(type, fromFixed(open.price), fromFixed(open.params.fixedFee), gamma, fromFixed(previous));
      const quantity = toFixed(x);
      try {
        const { maxReserve } = await client.submit(quantity, { round: open.round });
        run.submissions.push({ round: open.round, quantity, price: open.price, maxReserve });
        log(
          `round ${open.round}: price ${units(open.price)}, demand ${units(quantity)} ` +
            `(reserved at most ${units(maxReserve)}; ${open.submitted + 1n}/${open.expected} submitted)`,
        );
        continue;
      } catch (e) {
        if (e instanceof MarketCallError && e.message.includes(": InsufficientBalance(")) {
          log(`round ${open.round}: skipped, ${e.message} (deposit more to take part)`);
          skipped = open.round;
        } else if (!isRace(e) && (await client.openRound()).round === open.round) {
          throw e;
        }
        // A race (the round closed or expired under it): look again after the pause.
      }
    } else if (close && open.closable) {
      try {
        await client.closeRound();
        run.closed.push(open.round);
        log(
          `round ${open.round}: closed (demand ${units(open.totalDemand)} of capacity ${units(open.params.capacity)})`,
        );
        continue;
      } catch (e) {
        // Another agent's close can be mined first, even after this one's gas estimate passed.
        if (!isRace(e) && (await client.openRound()).round === open.round) throw e;
      }
    }
    await sleep(pollMs, signal);
  }
  return run;
}
