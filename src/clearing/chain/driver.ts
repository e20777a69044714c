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
import { Interface, type Overrides, type Signer, type TransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ClearingMarket } from "../../../typechain-types";
import { fetchDecodedLogs } from "../../chain/logs";
import { fromFixed } from "../../common/fixed";
import { type MarketSettings, toParamsInput } from "../model/settings";
import type { AgentType } from "../agents/reference";
import type { Population } from "../agents/population";
import { type PlayedRound, type RunOptions, lastShockRound, roundsFromLogs, settingsAfter } from "../sim/rounds";

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
  if (signers.length < population.agents.length)
    throw new Error(
      `chain run: ${population.agents.length} agents need as many accounts, the network has ${signers.length}`,
    );
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

  // Nonces are tracked here and fees fixed per run on Hardhat networks, so a transaction costs one
  // request; each account's transactions go out in order, different accounts' in parallel.
  const nonces = new Map<Signer, number>();
  const fees = batched ? await provider.getFeeData() : null;
  const feeOverrides = fees?.maxFeePerGas
    ? { maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n }
    : {};
  type Send = {
    from: Signer;
    gasLimit: bigint;
    send: (c: ClearingMarket, o: Overrides) => Promise<TransactionResponse>;
  };
  const nextNonce = async (s: Signer) => {
    const n = nonces.get(s) ?? (await s.getNonce("pending"));
    nonces.set(s, n + 1);
    return n;
  };

  /** Sends a group of transactions as one block (batched) or all at once, and checks every receipt. */
  const group = async (sends: Send[]) => {
    if (sends.length === 0) return [];
    const bySender = new Map<Signer, Send[]>();
    for (const s of sends) {
      const list = bySender.get(s.from);
      if (list) list.push(s);
      else bySender.set(s.from, [s]);
    }
    const sent = (
      await Promise.all(
        [...bySender.entries()].map(async ([from, list]) => {
          const out: TransactionResponse[] = [];
          const c = market.connect(from);
          for (const s of list)
            out.push(await s.send(c, { gasLimit: s.gasLimit, nonce: await nextNonce(from), ...feeOverrides }));
          return out;
        }),
      )
    ).flat();
    if (batched) {
      // One block unless the group exceeds the block gas limit; then as many as it takes.
      do {
        await provider.send("evm_mine", []);
        blocks += 1;
      } while ((await provider.send("eth_getBlockByNumber", ["pending", false])).transactions.length > 0);
    } else blocks += sent.length;
    const receipts = await Promise.all(
      sent.map((t) =>
        t.wait().catch(async (e) => {
          // Name the contract's custom error: replay the call against the state it ran on.
          const reason = await provider
            .call({ to: t.to, from: t.from, data: t.data, value: t.value, blockTag: (e.receipt?.blockNumber ?? 1) - 1 })
            .then(
              () => "unknown reason",
              (c) => (c.data ? (iface.parseError(c.data)?.name ?? c.data) : (c.shortMessage ?? String(c))),
            );
          throw new Error(
            `chain run: ${iface.parseTransaction({ data: t.data })?.name ?? "transaction"} from ${t.from} reverted: ${reason}`,
          );
        }),
      ),
    );
    transactions += sent.length;
    return receipts;
  };

  const types: AgentType[][] = [];
  if (batched) await provider.send("evm_setAutomine", [false]);
  try {
    const join = (i: number): Send => ({
      from: signers[i],
      gasLimit: GAS.join,
      send: (c, o) => c.join(opts.deposit, { ...o, value: opts.deposit }),
    });
    await group(population.agents.flatMap((_, i) => (population.present[i] ? [join(i)] : [])));
    for (let t = 1; t <= opts.rounds; t++) {
      const change = population.startRound(t);
      types.push(population.agents.map((_, i) => population.typeOf(i)));
      const [, , price] = await market.currentRound();
      const inForce = toParamsInput(settingsAfter(settings, shocks, t));
      const demands = population.demands(fromFixed(price), fromFixed(inForce.fixedFee));
      const sends: Send[] = [
        ...change.leave.map((i): Send => ({ from: signers[i], gasLimit: GAS.leave, send: (c, o) => c.leave(o) })),
        ...change.join.map(join),
        ...demands.flatMap((d, i): Send[] =>
          d === null ? [] : [{ from: signers[i], gasLimit: GAS.submit, send: (c, o) => c.submitDemand(d, o) }],
        ),
      ];
      if (shocks.some((s) => s.round === t + 1)) {
        const next = toParamsInput(settingsAfter(settings, shocks, t + 1));
        sends.push({ from: opts.owner, gasLimit: GAS.schedule, send: (c, o) => c.scheduleParams(next, o) });
      }
      await group(sends);
      const [close] = await group([{ from: opts.owner, gasLimit: GAS.close, send: (c, o) => c.closeRound(o) }]);
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
  return {
    rounds,
    types: types.slice(0, rounds.length),
    transactions,
    blocks,
    seconds,
    throughput: transactions / seconds,
    batched,
  };
}
