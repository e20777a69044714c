/**
 * The driver: runs a population against a deployed ClearingMarket and reads the run back from
 * the contract's events, as the same `PlayedRound`s the off-chain engine produces, so metrics
 * are computed from what the chain recorded, never from the driver's memory.
 *
 * Each round's transactions (leaves, joins, submissions, a scheduled parameter change) form one
 * group and the close the next; on a Hardhat network each group is one block (`BatchSender`).
 * It takes an ethers provider and signers: no Hardhat.
 */
import { type Overrides, type Signer, type TransactionReceipt, ZeroAddress } from "ethers";
import type { ClearingMarket } from "../../../typechain-types";
import { BatchSender, type RpcProvider, type Send } from "../../chain/batch";
import { sleep } from "../../common/sleep";
import { fetchDecodedLogs } from "../../chain/logs";
import { fromFixed } from "../../common/fixed";
import type { Population } from "../agents/population";
import type { AgentType } from "../agents/reference";
import { type MarketSettings, toParamsInput } from "../model/settings";
import { reserveFor } from "../model/settlement";
import { type PlayedRound, type RunOptions, lastShockRound, settingsAfter } from "../sim/rounds";
import { hasConverged, roundsFromLogs } from "./events";

export interface ChainRunOptions extends Omit<RunOptions, "onRound"> {
  onProgress?: (done: number, total: number) => void;
  /**
   * Deposit each agent joins with, in the market's asset (ETH is sent with the call; a token market's agents must
   * have allowed the market to take it); `0n` when the agents have joined already.
   */
  deposit: bigint;
  /** Governance account (the market's owner), for scheduled parameter changes and closes. */
  owner: Signer;
  /** Put each round's transactions into one block (Hardhat networks only; default: when available). */
  batch?: boolean;
}

export interface ChainRun {
  rounds: PlayedRound[];
  /** The agents' types (after drift) in each round, for welfare: private data, not on chain. */
  types: AgentType[][];
  transactions: number;
  blocks: number;
  seconds: number;
  /** Transactions per second of wall time over the run. */
  throughput: number;
  batched: boolean;
}

/**
 * Fixed gas limits skip one estimateGas round trip per transaction (they are far above use). A budget for the run
 * counts them: a node admits a transaction only when its sender holds its gas limit at its fee cap.
 */
export const GAS_LIMITS = { submit: 200_000n, join: 200_000n, leave: 200_000n, schedule: 400_000n, close: 300_000n };

/**
 * Plays `population` (agent `i` signs with `signers[i]`) for `opts.rounds` rounds from the
 * market's open round. `settings` are the market's parameters when the run starts; `opts.shocks`
 * are scheduled by `opts.owner` and counted in rounds of this run (round 1 = the open round).
 */
export async function runOnChain(
  provider: RpcProvider,
  market: ClearingMarket,
  signers: Signer[],
  population: Population,
  settings: MarketSettings,
  opts: ChainRunOptions,
): Promise<ChainRun> {
  if (signers.length < population.agents.length)
    throw new Error(`${population.agents.length} agents need as many accounts; the network has ${signers.length}`);
  const sender = await BatchSender.create(provider, market.interface, opts.batch);
  const shocks = opts.shocks ?? [];
  const stopAfter = lastShockRound(shocks);
  const [firstRound] = await market.currentRound();
  const started = Date.now();
  const call = (from: Signer, gasLimit: bigint, send: (c: ClearingMarket, o: Overrides) => Promise<unknown>): Send => ({
    from,
    gasLimit,
    send: (o) => send(market.connect(from), o) as ReturnType<Send["send"]>,
  });
  const native = (await market.asset()) === ZeroAddress;
  const join = (i: number) =>
    call(signers[i], GAS_LIMITS.join, (c, o) => c.join(opts.deposit, native ? { ...o, value: opts.deposit } : o));

  /**
   * Closes the open round. A node that mines blocks within one second (Anvil does; a Hardhat network and a real
   * chain do not) can land the close in the second the round opened, which the contract refuses for an early
   * close: the driver then waits for the next second, a few times at most.
   */
  const closeRound = async (): Promise<TransactionReceipt> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const [receipt] = await sender.group([call(opts.owner, GAS_LIMITS.close, (c, o) => c.closeRound(o))]);
        return receipt;
      } catch (e) {
        if (sender.batched || attempt >= 3 || !(e as Error).message.endsWith("RoundStillOpen")) throw e;
        await sleep(1000);
      }
    }
  };

  const types: AgentType[][] = [];
  await sender.run(async () => {
    if (opts.deposit > 0n)
      await sender.group(population.agents.flatMap((_, i) => (population.present[i] ? [join(i)] : [])));
    for (let t = 1; t <= opts.rounds; t++) {
      const change = population.startRound(t);
      types.push(population.agents.map((_, i) => population.typeOf(i)));
      const [round, , price, mu] = await market.currentRound();
      const inForce = toParamsInput(settingsAfter(settings, shocks, t));
      const demands = population.demands(fromFixed(price), fromFixed(inForce.fixedFee));
      // Each agent names the round it saw and consents to exactly the reserve at that price.
      const consent = (d: bigint) => reserveFor(d, price - mu, mu, inForce.fixedFee);
      const sends: Send[] = [
        ...change.leave.map((i) => call(signers[i], GAS_LIMITS.leave, (c, o) => c.leave(o))),
        ...change.join.map(join),
        ...demands.flatMap((d, i) =>
          d === null ? [] : [call(signers[i], GAS_LIMITS.submit, (c, o) => c.submitDemand(round, d, consent(d), o))],
        ),
      ];
      if (shocks.some((s) => s.round === t + 1)) {
        const next = toParamsInput(settingsAfter(settings, shocks, t + 1));
        sends.push(call(opts.owner, GAS_LIMITS.schedule, (c, o) => c.scheduleParams(next, o)));
      }
      await sender.group(sends);
      const close = await closeRound();
      const converged = hasConverged(close.logs.map((l) => market.interface.parseLog(l) ?? {}));
      opts.onProgress?.(t, opts.rounds);
      if (opts.untilConverged && converged && t >= stopAfter) break;
    }
  });
  const seconds = (Date.now() - started) / 1000;
  // From the deployment block: the first parameters version is announced by the constructor.
  const logs = await fetchDecodedLogs(provider, await market.getAddress(), market.interface);
  const agents = await Promise.all(signers.slice(0, population.agents.length).map((s) => s.getAddress()));
  const rounds = roundsFromLogs(logs, agents).filter((r) => r.round >= firstRound);
  return {
    rounds,
    types: types.slice(0, rounds.length),
    transactions: sender.transactions,
    blocks: sender.blocks,
    seconds,
    throughput: sender.transactions / seconds,
    batched: sender.batched,
  };
}
