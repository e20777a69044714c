/**
 * What an audit found: each discrepancy with what it is about (an agent, a deal, an account, a round, the
 * contract) and where it was found (transaction, log index, block, event), or the state read where no
 * transaction explains it.
 */
import type { DecodedLog } from "../chain/logs";

export interface Discrepancy {
  /** What the finding is about: `agent 0x..`, `deal 0x..`, `account 0x..`, `round 5`, `contract`. */
  subject: string;
  /** The transaction where it was found; for a state read, the last transaction that set that state. */
  txHash: string;
  logIndex: number;
  blockNumber: number;
  event: string;
  message: string;
}

/** What a log is about, from its arguments: the agent, the deal, the account or the round it names. */
export function subjectOf(log: Pick<DecodedLog, "args">): string {
  const a = log.args as unknown as Record<string, unknown>;
  const has = (key: string) => {
    try {
      return a[key] !== undefined;
    } catch {
      return false; // ethers' Result throws on a name it does not have
    }
  };
  if (has("agent")) return `agent ${a.agent}`;
  if (has("id")) return `deal ${a.id}`;
  if (has("account")) return `account ${a.account}`;
  if (has("recipient")) return `recipient ${a.recipient}`;
  if (has("round")) return `round ${a.round}`;
  return "contract";
}

/** Collects discrepancies with the log they were found at. */
export class Findings {
  readonly list: Discrepancy[] = [];
  at(log: DecodedLog, message: string, subject = subjectOf(log)): void {
    this.list.push({
      subject,
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

  /** Runs a model step; a rejection by the model (a custom error) becomes a discrepancy naming the refusal. */
  attempt(log: DecodedLog, step: () => void): void {
    try {
      step();
    } catch (e) {
      const name = (e as { errorName?: unknown }).errorName;
      if (typeof name !== "string") throw e;
      this.at(log, `the exact replay refuses this ${log.name}: ${(e as Error).message}`);
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
