/**
 * Sends groups of transactions from many accounts with one request each, and mines each group
 * as one block where the node allows it.
 *
 * On a Hardhat network (in-process or `npx hardhat node`) automining is switched off while a
 * run lasts and each group is mined by `evm_mine` into one block (more only if it exceeds the
 * block gas limit); nonces are tracked here and fees fixed per run, so a transaction costs one
 * request. On other networks every transaction of a group is sent at once and awaited. A revert
 * is reported with the contract's custom error name, replayed against the state it ran on.
 */
import type { Interface, Overrides, Provider, Signer, TransactionReceipt, TransactionResponse } from "ethers";

/** A provider that also takes raw JSON-RPC calls (ethers' JSON-RPC providers and Hardhat's). */
export interface RpcProvider extends Provider {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON-RPC answers are untyped
  send(method: string, params: unknown[]): Promise<any>;
}

/** One transaction of a group: who sends it, its gas limit, and how to send it with given overrides. */
export interface Send {
  from: Signer;
  gasLimit: bigint;
  send: (overrides: Overrides) => Promise<TransactionResponse>;
}

/**
 * True on a Hardhat network (in-process or `npx hardhat node`), where `evm_setAutomine` and `evm_mine` exist and
 * every block is a second after the last. Anvil answers Hardhat's methods too, but mines blocks within the same
 * second: it takes the path of any other node.
 */
async function canBatch(provider: RpcProvider): Promise<boolean> {
  try {
    const client = String(await provider.send("web3_clientVersion", []));
    return client.startsWith("HardhatNetwork");
  } catch {
    return false;
  }
}

export class BatchSender {
  /** Transactions sent and blocks they took, over the sender's life. */
  transactions = 0;
  blocks = 0;
  private readonly nonces = new Map<Signer, number>();

  private constructor(
    private readonly provider: RpcProvider,
    /** ABI used to name a reverted call and its custom error. */
    private readonly iface: Interface,
    readonly batched: boolean,
    private readonly feeOverrides: Overrides,
  ) {}

  /** A sender for `provider`; `batch` forces (or forbids) one block per group, default: when the node allows. */
  static async create(provider: RpcProvider, iface: Interface, batch?: boolean): Promise<BatchSender> {
    const batched = batch ?? (await canBatch(provider));
    const fees = batched ? await provider.getFeeData() : null;
    const feeOverrides = fees?.maxFeePerGas
      ? { maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n }
      : {};
    return new BatchSender(provider, iface, batched, feeOverrides);
  }

  /** Runs `body` with automining off (batched senders), and always switches it back on. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    if (this.batched) await this.provider.send("evm_setAutomine", [false]);
    try {
      return await body();
    } finally {
      if (this.batched) await this.provider.send("evm_setAutomine", [true]);
    }
  }

  /** Sends a group (each account's transactions in order, accounts in parallel) and checks every receipt. */
  async group(sends: Send[]): Promise<TransactionReceipt[]> {
    if (sends.length === 0) return [];
    const bySender = new Map<Signer, Send[]>();
    for (const s of sends) bySender.set(s.from, [...(bySender.get(s.from) ?? []), s]);
    const sent = (
      await Promise.all(
        [...bySender.entries()].map(async ([from, list]) => {
          const out: TransactionResponse[] = [];
          for (const s of list)
            out.push(await s.send({ gasLimit: s.gasLimit, nonce: await this.nextNonce(from), ...this.feeOverrides }));
          return out;
        }),
      )
    ).flat();
    if (this.batched) {
      do {
        await this.provider.send("evm_mine", []);
        this.blocks += 1;
      } while ((await this.provider.send("eth_getBlockByNumber", ["pending", false])).transactions.length > 0);
    } else this.blocks += sent.length;
    const receipts = await Promise.all(sent.map((t) => t.wait().catch((e) => this.explain(t, e))));
    this.transactions += sent.length;
    return receipts.map((r) => r!);
  }

  private async nextNonce(s: Signer): Promise<number> {
    const n = this.nonces.get(s) ?? (await s.getNonce("pending"));
    this.nonces.set(s, n + 1);
    return n;
  }

  /** Throws a one-line error naming the call, its sender and the contract's custom error. */
  private async explain(t: TransactionResponse, e: { receipt?: { blockNumber: number } }): Promise<never> {
    const reason = await this.provider
      .call({ to: t.to, from: t.from, data: t.data, value: t.value, blockTag: (e.receipt?.blockNumber ?? 1) - 1 })
      .then(
        () => "unknown reason",
        (c) => (c.data ? (this.iface.parseError(c.data)?.name ?? c.data) : (c.shortMessage ?? String(c))),
      );
    // A plain ETH transfer has no call data to name (and ethers cannot parse an empty one).
    const call = (t.data !== "0x" ? this.iface.parseTransaction({ data: t.data })?.name : undefined) ?? "transaction";
    throw new Error(`${call} from ${t.from} reverted: ${reason}`);
  }
}
