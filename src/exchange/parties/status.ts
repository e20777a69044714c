/**
 * Where a deal stands, read from the escrow by a party: its slot (stage, deadline, messages) and its
 * events (how it opened, which messages came, what was credited, how it ended), with what the next
 * call would see once expired windows are closed; every deal of an account, and a deal's terms by
 * its id, found through the indexed `Offered` and `Opened` events. Read-only: a Provider is enough.
 */
import { type Provider, type TypedDataDomain, zeroPadValue } from "ethers";
import type { ExchangeEscrow } from "../../../typechain-types";
import { nextBlockTime } from "../../chain/clock";
import { type DecodedLog, type FetchOptions, deploymentBlock, fetchDecodedLogs } from "../../chain/logs";
import { stateName } from "../model/payoutTable";
import { type Terms, dealIdOf, unpackTerms } from "../model/terms";
import { ESCROW_INTERFACE, STAGES, type StageName } from "./abi";
import { EscrowCallError } from "./errors";
import { type TermsInput, parseAddress, parseDealId, parseTerms } from "./inputs";

/** What the status functions need of an escrow (an `EscrowClient` is one). */
export interface EscrowReader {
  address: string;
  provider: Provider;
  contract: ExchangeEscrow;
  domain(): Promise<TypedDataDomain>;
}

export interface DealEvent {
  name: string;
  blockNumber: number;
  txHash: string;
}

export interface Credit {
  account: string;
  asset: string;
  amount: bigint;
}

export interface DealStatus {
  id: string;
  /** The stage stored in the deal's slot (it lags behind once a deadline passed unanswered). */
  stage: StageName;
  /** The slot's deadline: the offer's expiry while Offered, else the end of the current window. */
  deadline: bigint;
  createdAt: bigint;
  /**
   * The time `due` and `acceptable` are judged at: the next block's (`nextBlockTime`), what the next call would
   * meet; for a status as of a past block (`toBlock`), that block's time.
   */
  now: bigint;
  /** Messages received (the slot's flags) and the buyer's other choices (its events). */
  messages: {
    redeem: boolean;
    complaint: boolean;
    fault: boolean;
    refundRequested: boolean;
    qualityConfirmed: boolean;
  };
  /**
   * What the next call sees at `now`: windows whose deadline passed are closed.
   * `Final` here while the slot is not yet means anyone may finalize.
   */
  due: { stage: StageName; deadline: bigint };
  /** The offer can still be accepted (on chain while Offered, or signed while the deal does not exist). */
  acceptable: boolean;
  /** Opened by `acceptSigned` (true), by `accept` (false); undefined while not opened. */
  signed?: boolean;
  /** The final state's name (`R-NC-NC`, ...) and its payouts (the table at the deal's price), once final. */
  state?: string;
  payouts?: { seller: bigint; buyer: bigint; burn: bigint };
  /** Amounts credited to balances instead of sent: failed payouts, refunds and the burn remainder. */
  credits: Credit[];
  events: DealEvent[];
}

/** Every event that carries a deal's id as its first argument. */
const PER_DEAL = new Set([
  "Offered",
  "Opened",
  "OfferWithdrawn",
  "SignedOfferCancelled",
  "Redeemed",
  "RefundRequested",
  "Complained",
  "QualityConfirmed",
  "Faulted",
  "WindowExpired",
  "Finalized",
  "Credited",
]);

const MAX_TIME = (1n << 40n) - 1n;
const after = (time: bigint, window: bigint) => (time + window > MAX_TIME ? MAX_TIME : time + window);

/** The contract's `_advance` at time `now`: the stage and deadline after closing expired windows. */
export function dueAt(
  t: Terms,
  stage: StageName,
  deadline: bigint,
  now: bigint,
): { stage: StageName; deadline: bigint } {
  let s = stage;
  let d = deadline;
  while ((s === "Redeem" || s === "Complaint" || s === "Fault") && now >= d) {
    if (s === "Redeem") [s, d] = ["Complaint", after(d, t.complaintWindow)];
    else if (s === "Complaint") [s, d] = ["Fault", after(d, t.faultWindow)];
    else s = "Final";
  }
  return { stage: s, deadline: d };
}

/** A deal's status from its slot and its events (read in pages with `fetchDecodedLogs`). */
export async function dealStatus(
  escrow: EscrowReader,
  terms: TermsInput | Terms,
  opts: FetchOptions = {},
): Promise<DealStatus> {
  const t = parseTerms(terms);
  const id = dealIdOf(await escrow.domain(), t);
  const latest = await escrow.provider.getBlock(opts.toBlock ?? "latest");
  if (!latest) throw new Error(`escrow status: no block ${opts.toBlock ?? "latest"}`);
  const slot = await escrow.contract.deals(id, { blockTag: latest.number });
  const logs = (
    await fetchDecodedLogs(escrow.provider, escrow.address, ESCROW_INTERFACE, { ...opts, toBlock: latest.number })
  ).filter((l) => PER_DEAL.has(l.name) && l.args[0] === id);
  const has = (name: string) => logs.some((l) => l.name === name);
  const stage = STAGES[Number(slot.stage)];
  const flags = Number(slot.flags);
  // Now: the time the next call would be judged by; for a status as of a past block, that block's time.
  const now = opts.toBlock === undefined ? await nextBlockTime(escrow.provider) : BigInt(latest.timestamp);
  const opened = logs.find((l) => l.name === "Opened");
  const status: DealStatus = {
    id,
    stage,
    deadline: slot.deadline,
    createdAt: slot.createdAt,
    now,
    messages: {
      redeem: (flags & 4) !== 0,
      complaint: (flags & 2) !== 0,
      fault: (flags & 1) !== 0,
      refundRequested: has("RefundRequested"),
      qualityConfirmed: has("QualityConfirmed") || logs.some((l) => l.name === "Redeemed" && l.args[1] === true),
    },
    due: dueAt(t, stage, slot.deadline, now),
    acceptable: (stage === "None" || stage === "Offered") && now < t.expiry,
    signed: opened ? !logs.some((l) => l.name === "Offered") : undefined,
    credits: logs
      .filter((l) => l.name === "Credited")
      .map((l) => ({ account: String(l.args[1]), asset: String(l.args[2]), amount: BigInt(l.args[3]) })),
    events: logs.map((l) => ({ name: l.name, blockNumber: l.blockNumber, txHash: l.txHash })),
  };
  if (stage === "Final") {
    const state = flags & 7;
    const [seller, buyer, burn] = await escrow.contract.payouts(t.table, t.price, state);
    status.state = stateName(state);
    status.payouts = { seller, buyer, burn };
  }
  return status;
}

/** The `Offered` and `Opened` events' topic: the two that carry a deal's full terms. */
const CREATED = [ESCROW_INTERFACE.getEvent("Offered")!.topicHash, ESCROW_INTERFACE.getEvent("Opened")!.topicHash];

/**
 * The escrow's logs that match any of `filters` (topic lists, as `eth_getLogs` takes them), decoded, in
 * chain order: read in pages of blocks from its deployment block (or `opts.fromBlock`) to `opts.toBlock`.
 */
async function logsMatching(
  escrow: EscrowReader,
  filters: (string | string[] | null)[][],
  opts: Omit<FetchOptions, "onPage">,
): Promise<{ latest: number; logs: DecodedLog[] }> {
  const latest = opts.toBlock ?? (await escrow.provider.getBlockNumber());
  const from = opts.fromBlock ?? (await deploymentBlock(escrow.provider, escrow.address, latest));
  const page = opts.pageSize ?? 2000;
  const logs: DecodedLog[] = [];
  for (let start = from; start <= latest; start += page) {
    const range = { address: escrow.address, fromBlock: start, toBlock: Math.min(latest, start + page - 1) };
    for (const topics of filters) {
      for (const log of await escrow.provider.getLogs({ ...range, topics })) {
        const parsed = ESCROW_INTERFACE.parseLog({ topics: [...log.topics], data: log.data })!;
        logs.push({
          blockNumber: log.blockNumber,
          txHash: log.transactionHash,
          logIndex: log.index,
          name: parsed.name,
          args: parsed.args,
        });
      }
    }
  }
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  return { latest, logs };
}

const termsIn = (log: DecodedLog): Terms => unpackTerms([...log.args[3]].map(String));

/**
 * A deal's terms from its id: the `Offered` or `Opened` event that created it (the id is indexed).
 * A signed offer nobody opened has no event: its terms are in the offer its offerer handed over.
 */
export async function termsOf(
  escrow: EscrowReader,
  id: string,
  opts: Omit<FetchOptions, "onPage"> = {},
): Promise<Terms> {
  const dealId = parseDealId(id);
  const { logs } = await logsMatching(escrow, [[CREATED, dealId]], opts);
  if (logs.length === 0) {
    throw new EscrowCallError(`escrow client: no deal ${dealId} was offered or opened on escrow ${escrow.address}`);
  }
  return termsIn(logs[0]);
}

export interface AccountDeal {
  id: string;
  terms: Terms;
  /** The account's side (both only if it traded with itself, which the escrow refuses). */
  role: "seller" | "buyer";
  /** How the deal appeared: an on-chain offer, or opened straight from a signature. */
  via: "offer" | "signed";
  /** The block of its first event. */
  blockNumber: number;
  stage: StageName;
}

/**
 * Every deal of `account` as seller or buyer, oldest first: the escrow's `Offered` and `Opened`
 * events whose indexed seller or buyer is the account, read in pages of blocks.
 */
export async function dealsOf(
  escrow: EscrowReader,
  account: string,
  opts: Omit<FetchOptions, "onPage"> = {},
): Promise<AccountDeal[]> {
  const who = zeroPadValue(parseAddress("account", account), 32);
  const { latest, logs } = await logsMatching(
    escrow,
    [
      [CREATED, null, who],
      [CREATED, null, null, who],
    ],
    opts,
  );
  const deals = new Map<string, AccountDeal>();
  const me = BigInt(who);
  for (const log of logs) {
    const id = String(log.args[0]);
    if (deals.has(id)) continue;
    const terms = termsIn(log);
    deals.set(id, {
      id,
      terms,
      role: BigInt(terms.seller) === me ? "seller" : "buyer",
      via: log.name === "Offered" ? "offer" : "signed",
      blockNumber: log.blockNumber,
      stage: "None",
    });
  }
  const result = [...deals.values()];
  const slots = await Promise.all(result.map((d) => escrow.contract.deals(d.id, { blockTag: latest })));
  result.forEach((d, i) => (d.stage = STAGES[Number(slots[i].stage)]));
  return result;
}
