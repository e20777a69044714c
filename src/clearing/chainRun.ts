/**
 * Runs a population against a deployed ClearingMarket on a chain and reads the run back from
 * the contract's events: the same `PlayedRound`s the off-chain engine produces, so metrics are
 * computed from what the chain recorded, never from the driver's memory.
 *
 * Batching: on a Hardhat network (in-process or `npx hardhat node`) automining is switched off
 * for the run and each round's transactions (leaves, joins, submissions, a scheduled parameter
 * change) go into one block, the close into the next. On other networks every transaction is
 * sent at once and awaited.
 */
import { Interface, type Signer, type TransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ClearingMarket } from "../../typechain-types";
import { fetchDecodedLogs } from "../audit/logs";
import { fromFixed } from "../fixed";
import { type MarketSettings, toParamsInput } from "./config";
import type { AgentType } from "./agents";
import type { Population } from "./population";
import { type PlayedRound, type RunOptions, lastShockRound, roundsFromLogs, settingsAfter } from "./run";

export interface ChainRunOptions extends Omit<RunOptions, "onRound"> {
  onProgress?: (done: number, total: number) => void;
  /** Deposit each agent joins with (native ETH market). */
  deposit: bigint;
  /** Governance account (the market's owner), for scheduled parameter changes. */
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

/** True when the network accepts `evm_setAutomine` (Hardhat's in-process network and node). */
export async function canBatch(hre: HardhatRuntimeEnvironment): Promise<boolean> {
  try {
    await hre.network.provider.send("hardhat_metadata", []);
    return true;
  } catch {
    return false;
  }
}

// Fixed gas limits skip one estimateGas round trip per transaction (they are far above use).
const GAS = { submit: 200_000n, join: 200_000n, leave: 200_000n, schedule: 400_000n, close: 300_000n };

export async function runOnChain(
  hre: HardhatRuntimeEnvironment,
  market: ClearingMarket,
  signers: Signer[],
  population: Population,
  settings: MarketSettings,
  opts: ChainRunOptions,
): Promise<ChainRun> {
  if (signers.length < population.agents.length) throw new Error(`chain run: ${population.agents.length} agents need as many accounts, the network has ${signers.length}`);
  const provider = hre.ethers.provider;
  const batched = opts.batch ?? (await canBatch(hre));
  const shocks = opts.shocks ?? [];
  const stopAfter = lastShockRound(shocks);
  const [firstRound] = await market.currentRound();
  const started = Date.now();
  let transactions = 0;
  let blocks = 0;
  const address = await market.getAddress();
  const iface = new Interface((await hre.artifacts.readArtifact("ClearingMarket")).abi);

  /** Sends a group of transactions as one block (batched) or all at once, and checks every receipt. */
  const group = async (sends: (() => Promise<TransactionResponse>)[]) => {
    if (sends.length === 0) return [];
    const sent: TransactionResponse[] = [];
    for (const send of sends) sent.push(await send());
    if (batched) await provider.send("evm_mine", []);
    const receipts = await Promise.all(sent.map((t) => t.wait()));
    transactions += sent.length;
    blocks += batched ? 1 : sent.length;
    return receipts;
  };

  const m = (i: number) => market.connect(signers[i]);
  const types: AgentType[][] = [];
  if (batched) await provider.send("evm_setAutomine", [false]);
  try {
    await group(population.agents.flatMap((_, i) => (population.present[i] ? [() => m(i).join(opts.deposit, { value: opts.deposit, gasLimit: GAS.join })] : [])));
    for (let t = 1; t <= opts.rounds; t++) {
      const change = population.startRound(t);
      types.push(population.agents.map((_, i) => population.typeOf(i)));
      const [, , price] = await market.currentRound();
      const inForce = toParamsInput(settingsAfter(settings, shocks, t));
      const demands = population.demands(fromFixed(price), fromFixed(inForce.fixedFee));
      const sends: (() => Promise<TransactionResponse>)[] = [
        ...change.leave.map((i) => () => m(i).leave({ gasLimit: GAS.leave })),
        ...change.join.map((i) => () => m(i).join(opts.deposit, { value: opts.deposit, gasLimit: GAS.join })),
        ...demands.flatMap((d, i) => (d === null ? [] : [() => m(i).submitDemand(d, { gasLimit: GAS.submit })])),
      ];
      if (shocks.some((s) => s.round === t + 1)) {
        const next = toParamsInput(settingsAfter(settings, shocks, t + 1));
        sends.push(() => market.connect(opts.owner).scheduleParams(next, { gasLimit: GAS.schedule }));
      }
      await group(sends);
      const [close] = await group([() => market.connect(opts.owner).closeRound({ gasLimit: GAS.close })]);
      const converged = close!.logs.some((l) => iface.parseLog(l)?.name === "Converged");
      opts.onProgress?.(t, opts.rounds);
      if (opts.untilConverged && converged && t >= stopAfter) break;
    }
  } finally {
    if (batched) await provider.send("evm_setAutomine", [true]);
  }
  const seconds = (Date.now() - started) / 1000;
  // From the deployment block: the first parameters version is announced by the constructor.
  const logs = await fetchDecodedLogs(provider, address, iface);
  const agents = await Promise.all(signers.slice(0, population.agents.length).map((s) => s.getAddress()));
  const rounds = roundsFromLogs(logs, agents).filter((r) => r.round >= firstRound);
  return { rounds, types: types.slice(0, rounds.length), transactions, blocks, seconds, throughput: transactions / seconds, batched };
}
