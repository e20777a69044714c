/**
 * Exact off-chain model of `ExchangeEscrow` (v2): the same stages, deadlines (saturating at 2^40 - 1),
 * messages, rounding, custom errors (in the contract's check order), balances and burn destinations.
 * Deals are keyed by their id (the EIP-712 hash of their terms, `dealIdOf` in `terms.ts`): callers pass
 * the terms and the id, as the contract's callers pass the packed terms. A call that the contract would
 * revert throws `EscrowError` and leaves the model unchanged. Tests run it beside the contract; the
 * auditor replays events with it.
 */
import { UNIT, mulDiv, mulDivUp } from "../../common/fixed";
import type { PayoutTable } from "./payoutTable";
import { type Terms, partiesOf } from "./terms";
import { Balances, DEAD, EscrowError, type EscrowModelOptions, ZERO_ADDRESS, lower } from "./escrowBalances";

export { DEAD, EscrowError, ZERO_ADDRESS };
export type { EscrowModelOptions };
export type { Terms };

export enum Stage {
  None = 0,
  Offered = 1,
  Redeem = 2,
  Complaint = 3,
  Fault = 4,
  Final = 5,
  Withdrawn = 6,
}

export const FAULT = 1;
export const COMPLAINT = 2;
export const REDEEM = 4;
/** The three message flags; together they index the final state (`4 R + 2 C + CF`). */
export const MESSAGES = REDEEM | COMPLAINT | FAULT;
/** The largest 40-bit time: deadlines saturate here. */
export const MAX_TIME = (1n << 40n) - 1n;
/** The gas a pushed payout may use (tokens 3x); a receiver needing more is credited instead. */
export const PUSH_GAS = 50_000n;

/** Index of the state a deal's messages lead to (0-7, see `stateName`). */
export const stateOf = (flags: number): number => flags & MESSAGES;
/** A deal whose state is decided and paid out (pushed or credited). */
export const isFinal = (stage: Stage): boolean => stage === Stage.Final;
/** A deal that was accepted (past the offer) and not withdrawn as an offer. */
export const wasAccepted = (stage: Stage): boolean => stage >= Stage.Redeem && stage <= Stage.Final;

/** A deal's slot (`deals(id)`) with the terms it was created with. */
export interface DealBooks {
  terms: Terms;
  deadline: bigint;
  stage: Stage;
  flags: number;
  createdAt: bigint;
}

const fail = (name: string, ...args: unknown[]): never => {
  throw new EscrowError(name, args);
};

/** Deposits at `price`, rounded up (`depositsFor`). */
export function depositsFor(table: PayoutTable, price: bigint) {
  return { seller: mulDivUp(table.sellerDeposit, price, UNIT), buyer: mulDivUp(table.buyerDeposit, price, UNIT) };
}

/** A state's payouts, rounded down, and the burnt remainder of the pot (`payouts`). */
export function payoutsFor(table: PayoutTable, price: bigint, state: number) {
  if (state < 0 || state > 7) fail("InvalidState", BigInt(state));
  const d = depositsFor(table, price);
  const seller = mulDiv(table.seller[state], price, UNIT);
  const buyer = mulDiv(table.buyer[state], price, UNIT);
  return { seller, buyer, burn: d.seller + d.buyer + price - seller - buyer };
}

/** What the offerer pays in (seller: its deposit; buyer: its deposit and the price), and the counterparty. */
export function partsOf(table: PayoutTable, t: Terms): { offerer: bigint; counterparty: bigint } {
  const d = depositsFor(table, t.price);
  const fromSeller = d.seller;
  const fromBuyer = d.buyer + t.price;
  return t.sellerOffers
    ? { offerer: fromSeller, counterparty: fromBuyer }
    : { offerer: fromBuyer, counterparty: fromSeller };
}

const after = (time: bigint, window: bigint) => (time + window < MAX_TIME ? time + window : MAX_TIME);
const U64 = (1n << 64n) - 1n;

export class EscrowModel extends Balances {
  readonly tables = new Map<bigint, PayoutTable>(); // by registration number, from 1
  private readonly tableNumbers = new Map<string, bigint>();
  /** Every deal slot that is not `None`, by id (lower-case hex). */
  deals = new Map<string, DealBooks>();
  constructor(owner: string, burnRecipient: string, options: EscrowModelOptions = {}) {
    super(owner, burnRecipient, options);
  }

  /** Runs `body`; if it throws, every change it made is undone (a revert). */
  atomic<T>(body: () => T): T {
    const deals = new Map([...this.deals].map(([k, d]) => [k, { ...d }]));
    const restore = this.saveBalances();
    try {
      return body();
    } catch (e) {
      this.deals = deals;
      restore();
      throw e;
    }
  }

  /** `registerTable`: the table's number, a new one unless its content (`id`, its hash) is registered. */
  registerTable(id: string, table: PayoutTable): bigint {
    const pot = table.sellerDeposit + table.buyerDeposit + UNIT;
    for (let s = 0; s < 8; s++) if (table.seller[s] + table.buyer[s] > pot) fail("TableOverpays", BigInt(s));
    const known = this.tableNumbers.get(id.toLowerCase());
    if (known !== undefined) return known;
    for (const v of [table.sellerDeposit, table.buyerDeposit]) if (v > U64) fail("TableEntryTooLarge", v);
    for (let s = 0; s < 8; s++)
      for (const v of [table.seller[s], table.buyer[s]]) if (v > U64) fail("TableEntryTooLarge", v);
    const n = BigInt(this.tables.size + 1);
    this.tables.set(n, table);
    this.tableNumbers.set(id.toLowerCase(), n);
    return n;
  }

  private table(t: Terms): PayoutTable {
    return this.tables.get(t.table)!;
  }

  /** The slot `deals(id)` returns (all zero for a deal that does not exist). */
  slot(id: string): { deadline: bigint; stage: Stage; flags: number; createdAt: bigint } {
    const d = this.deals.get(lower(id));
    return d ? { deadline: d.deadline, stage: d.stage, flags: d.flags, createdAt: d.createdAt } : emptySlot();
  }

  /** What the contract must hold of `asset`: the money of every deal plus every balance. */
  owed(asset: string): bigint {
    let sum = this.balanceTotal(asset);
    for (const d of this.deals.values()) {
      if (lower(d.terms.asset) !== lower(asset)) continue;
      const parts = partsOf(this.table(d.terms), d.terms);
      if (d.stage === Stage.Offered) sum += parts.offerer;
      else if (d.stage >= Stage.Redeem && d.stage <= Stage.Fault) sum += parts.offerer + parts.counterparty;
    }
    return sum;
  }

  // ------------------------------------------------------------ offers and opening

  /** `_checkNew`: the terms of a deal about to be created. */
  private checkNew(id: string, t: Terms): void {
    if (BigInt(t.seller) === 0n || BigInt(t.buyer) === 0n || lower(t.seller) === lower(t.buyer)) {
      fail("InvalidParties", t.seller, t.buyer);
    }
    if (t.price === 0n) fail("ZeroPrice");
    if (t.redeemWindow === 0n || t.complaintWindow === 0n || t.faultWindow === 0n) fail("ZeroWindow");
    const table = this.tables.get(t.table);
    if (!table) return fail("UnknownTable", t.table);
    if (t.price < table.minPrice) fail("PriceBelowMinimum", t.price, table.minPrice);
    if (this.deals.has(lower(id))) fail("DealExists", id);
    if (!this.supports(t.asset)) fail("UnsupportedAsset", t.asset);
  }

  private checkCaller(caller: string, expected: string): void {
    if (lower(caller) !== lower(expected)) fail("NotParty", caller);
  }

  /** On-chain offer by the offerer with its part (pulled by the caller of the model). */
  offer(caller: string, t: Terms, id: string, now: bigint): void {
    this.checkNew(id, t);
    if (now >= t.expiry) fail("OfferExpired", id, t.expiry);
    this.checkCaller(caller, partiesOf(t).offerer);
    this.deals.set(lower(id), { terms: t, deadline: t.expiry, stage: Stage.Offered, flags: 0, createdAt: now });
  }

  private load(id: string): DealBooks {
    return this.deals.get(lower(id)) ?? fail("UnknownDeal", id);
  }

  private open(id: string, t: Terms, createdAt: bigint, now: bigint): void {
    const deal = { terms: t, deadline: after(now, t.redeemWindow), stage: Stage.Redeem, flags: 0, createdAt };
    this.deals.set(lower(id), deal);
  }

  accept(caller: string, t: Terms, id: string, now: bigint): void {
    const d = this.load(id);
    if (d.stage !== Stage.Offered) fail("WrongStage", Stage.Offered, d.stage);
    if (now >= t.expiry) fail("OfferExpired", id, t.expiry);
    this.checkCaller(caller, partiesOf(t).counterparty);
    this.open(id, t, d.createdAt, now);
  }

  /** Returns the refund (pushed to the offerer, credited to its balance if the push fails). */
  withdrawOffer(caller: string, t: Terms, id: string): bigint {
    return this.atomic(() => {
      const d = this.load(id);
      if (d.stage !== Stage.Offered) fail("WrongStage", Stage.Offered, d.stage);
      this.checkCaller(caller, partiesOf(t).offerer);
      const refund = partsOf(this.table(t), t).offerer;
      d.stage = Stage.Withdrawn;
      this.pay(t.asset, caller, refund);
      return refund;
    });
  }

  /** The counterparty opens a signed offer; the offerer's part comes from its balance. */
  /** `acceptSigned`, or with `byPermit` `acceptSignedWithPermit` (a token; the offerer's part from its wallet). */
  acceptSigned(caller: string, t: Terms, id: string, signatureValid: boolean, now: bigint, byPermit = false): void {
    if (byPermit && BigInt(t.asset) === 0n) fail("UnsupportedAsset", t.asset);
    if (t.fromWallet !== byPermit) fail("WrongFundingRoute", t.fromWallet);
    this.checkNew(id, t);
    if (now >= t.expiry) fail("OfferExpired", id, t.expiry);
    const { offerer, counterparty } = partiesOf(t);
    this.checkCaller(caller, counterparty);
    if (!signatureValid) fail("InvalidSignature", id);
    if (!byPermit) {
      const needed = partsOf(this.table(t), t).offerer;
      const available = this.balanceOf(offerer, t.asset);
      if (needed > available) fail("InsufficientBalance", offerer, t.asset, needed, available);
      this.setBalance(offerer, t.asset, available - needed);
    }
    this.open(id, t, now, now);
  }

  cancelSigned(caller: string, t: Terms, id: string): void {
    this.checkCaller(caller, partiesOf(t).offerer);
    if (this.deals.has(lower(id))) fail("DealExists", id);
    this.deals.set(lower(id), { terms: t, deadline: 0n, stage: Stage.Withdrawn, flags: 0, createdAt: 0n });
  }

  // ------------------------------------------------------------ messages

  /** `_advance`: closes every expired window (message absent); the last finalizes when `mayFinalize`. */
  private advance(d: DealBooks, now: bigint, mayFinalize = true): void {
    const last = mayFinalize ? Stage.Fault : Stage.Complaint;
    while (d.stage >= Stage.Redeem && d.stage <= last && now >= d.deadline) {
      if (d.stage === Stage.Redeem) {
        d.stage = Stage.Complaint;
        d.deadline = after(d.deadline, d.terms.complaintWindow);
      } else if (d.stage === Stage.Complaint) {
        d.stage = Stage.Fault;
        d.deadline = after(d.deadline, d.terms.faultWindow);
      } else this.finalizeDeal(d);
    }
  }

  /** `_finalize`: the burn credited to the deal's destination, then the seller and the buyer paid. */
  private finalizeDeal(d: DealBooks): void {
    d.stage = Stage.Final;
    const t = d.terms;
    const p = payoutsFor(this.table(t), t.price, stateOf(d.flags));
    if (p.burn !== 0n)
      this.credit(t.asset, this.burnDestination(d.createdAt, t.burnSetting, t.seller, t.buyer), p.burn);
    this.pay(t.asset, t.seller, p.seller);
    this.pay(t.asset, t.buyer, p.buyer);
  }

  /** `_pay`: a push with the gas allowance, credited if it fails. */
  private pay(asset: string, to: string, amount: bigint): void {
    if (amount !== 0n && !this.arrives(to, asset)) this.credit(asset, to, amount);
  }

  private buyerAt(caller: string, t: Terms, id: string, stage: Stage, now: bigint, body: (d: DealBooks) => void) {
    this.atomic(() => {
      this.checkCaller(caller, t.buyer);
      const d = this.load(id);
      this.advance(d, now, false); // a buyer's message never finalizes
      if (d.stage !== stage) fail("WrongStage", stage, d.stage);
      body(d);
    });
  }

  private enter(d: DealBooks, stage: Stage, window: bigint, now: bigint): void {
    d.stage = stage;
    d.deadline = after(now, window);
  }

  redeem(caller: string, t: Terms, id: string, alsoConfirm: boolean, now: bigint): void {
    this.buyerAt(caller, t, id, Stage.Redeem, now, (d) => {
      d.flags |= REDEEM;
      if (alsoConfirm) this.enter(d, Stage.Fault, t.faultWindow, now);
      else this.enter(d, Stage.Complaint, t.complaintWindow, now);
    });
  }

  requestRefund(caller: string, t: Terms, id: string, now: bigint): void {
    this.buyerAt(caller, t, id, Stage.Redeem, now, (d) => this.enter(d, Stage.Complaint, t.complaintWindow, now));
  }

  complain(caller: string, t: Terms, id: string, now: bigint): void {
    this.buyerAt(caller, t, id, Stage.Complaint, now, (d) => {
      d.flags |= COMPLAINT;
      this.enter(d, Stage.Fault, t.faultWindow, now);
    });
  }

  confirmQuality(caller: string, t: Terms, id: string, now: bigint): void {
    this.buyerAt(caller, t, id, Stage.Complaint, now, (d) => this.enter(d, Stage.Fault, t.faultWindow, now));
  }

  cancelOrFault(caller: string, t: Terms, id: string, now: bigint): void {
    this.atomic(() => {
      this.checkCaller(caller, t.seller);
      const d = this.load(id);
      this.advance(d, now);
      if (d.stage !== Stage.Fault) fail("WrongStage", Stage.Fault, d.stage);
      d.flags |= FAULT;
      this.finalizeDeal(d);
    });
  }

  finalize(caller: string, t: Terms, id: string, now: bigint): void {
    this.atomic(() => {
      const d = this.load(id);
      if (d.stage === Stage.Final) fail("WrongStage", Stage.Fault, d.stage);
      this.advance(d, now);
      if (d.stage === Stage.Fault && lower(caller) === lower(t.seller)) this.finalizeDeal(d);
      else if (d.stage !== Stage.Final) fail("WrongStage", Stage.Final, d.stage);
    });
  }
}

const emptySlot = () => ({ deadline: 0n, stage: Stage.None, flags: 0, createdAt: 0n });
