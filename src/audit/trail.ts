/**
 * What a replay leaves for the reconciliation beside its findings: what the contract owes per asset after each
 * block and each transaction with events, and the last transaction that touched each agent, deal or balance
 * (so that a state read that disagrees names where that state was last set).
 */
export type Owed = Map<string, bigint>;

export interface TxMark {
  txHash: string;
  blockNumber: number;
}

export class ReplayTrail<Final = unknown> {
  /** The replay's end state (the market's model, the escrow's books), for the comparison with the contract. */
  final?: Final;
  /** Owed per asset (lower-case address) after the last transaction with events of each block, in block order. */
  readonly owedAfterBlock = new Map<number, Owed>();
  /** Change of what is owed per asset in each transaction with events. */
  readonly owedChangeOfTx = new Map<string, Owed>();
  /** Blocks of those transactions, and the transactions of each block. */
  readonly txsOfBlock = new Map<number, string[]>();
  /** The last transaction that touched a subject (`agent 0x..`, `deal 0x..`, `balance 0x..:0x..`, `round 5`). */
  readonly lastTx = new Map<string, TxMark>();
  /** The subjects each transaction touched. */
  readonly subjectsOfTx = new Map<string, Set<string>>();

  /** Records one transaction: what was owed before it and after it. */
  recordTx(mark: TxMark, before: Owed, after: Owed): void {
    const change: Owed = new Map();
    for (const asset of new Set([...before.keys(), ...after.keys()])) {
      const d = (after.get(asset) ?? 0n) - (before.get(asset) ?? 0n);
      if (d !== 0n) change.set(asset, d);
    }
    this.owedChangeOfTx.set(mark.txHash, change);
    this.txsOfBlock.set(mark.blockNumber, [...(this.txsOfBlock.get(mark.blockNumber) ?? []), mark.txHash]);
    this.owedAfterBlock.set(mark.blockNumber, new Map(after));
    // Contract-wide state (counters, accrued fees, the price state) was last set by the last transaction with events.
    this.lastTx.set("contract", mark);
  }

  touch(subject: string, mark: TxMark): void {
    this.lastTx.set(subject.toLowerCase(), mark);
    const subjects = this.subjectsOfTx.get(mark.txHash) ?? new Set<string>();
    this.subjectsOfTx.set(mark.txHash, subjects.add(subject));
  }
}
