/**
 * What an audit found: each discrepancy with the log (transaction, index, block, event) where it
 * was found.
 */
import type { DecodedLog } from "../chain/logs";

export interface Discrepancy {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  event: string;
  message: string;
}

/** Collects discrepancies with the log they were found at. */
export class Findings {
  readonly list: Discrepancy[] = [];
  at(log: DecodedLog, message: string): void {
    this.list.push({
      txHash: log.txHash,
      logIndex: log.logIndex,
      blockNumber: log.blockNumber,
      event: log.name,
      message,
    });
  }
  /** An event the replay has no step for: Ownable2Step's need none, any other is a finding. */
  unknownEvent(log: DecodedLog): void {
    if (log.name !== "OwnershipTransferred" && log.name !== "OwnershipTransferStarted")
      this.at(log, `unexpected event ${log.name}`);
  }

  /** Runs a model step; a rejection by the model (a custom error) becomes a discrepancy. */
  attempt(log: DecodedLog, step: () => void): void {
    try {
      step();
    } catch (e) {
      const name = (e as { errorName?: unknown }).errorName;
      if (typeof name !== "string") throw e;
      this.at(log, `the model rejects this: ${(e as Error).message}`);
    }
  }

  /** Compares every field the event reports with the replay's; one discrepancy per mismatch. */
  sameAs<T extends object>(log: DecodedLog, onChain: T, replayed: T): void {
    const fields: Record<string, [unknown, unknown]> = {};
    for (const key of Object.keys(onChain) as (keyof T & string)[]) fields[key] = [onChain[key], replayed[key]];
    this.same(log, fields);
  }

  /** Compares named fields; records one discrepancy per mismatch. */
  same(log: DecodedLog, fields: Record<string, [unknown, unknown]>): void {
    for (const [field, [onChain, replayed]] of Object.entries(fields)) {
      if (String(onChain) !== String(replayed))
        this.at(log, `${field}: event says ${onChain}, replay says ${replayed}`);
    }
  }
}
