/**
 * Exact off-chain model of `ExchangeEscrow`: the same stages, deadlines, messages, rounding
 * and custom errors. Tests run it beside the contract; the auditor replays events with it.
 */
import { UNIT, mulDiv, mulDivUp } from "../../common/fixed";
import type { PayoutTable } from "./payoutTable";

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
export const SELLER_PAID = 8;
export const BUYER_PAID = 16;
/** The three message flags; together they index the final state (`4 R + 2 C + CF`). */
export const MESSAGES = REDEEM | COMPLAINT | FAULT;

/** Index of the state a deal's messages lead to (0-7, see `stateName`). */
export const stateOf = (flags: number): number => flags & MESSAGES;
/** A deal whose state is decided (payouts may still be outstanding). */
export const isFinal = (stage: Stage): boolean => stage === Stage.Final;
/** A deal that was accepted (past the offer) and not withdrawn as an offer. */
export const wasAccepted = (stage: Stage): boolean => stage >= Stage.Redeem && stage <= Stage.Final;

export interface Terms {
  seller: string;
  buyer: string;
  asset: string;
  price: bigint;
  tableId: string;
  acceptWindow: bigint;
  redeemWindow: bigint;
  complaintWindow: bigint;
  faultWindow: bigint;
  sellerOffers: boolean;
}

export interface DealBooks {
  terms: Terms;
  deadline: bigint;
  stage: Stage;
  flags: number;
}

export class EscrowError extends Error {
  constructor(readonly errorName: string) {
    super(errorName);
  }
}

const lower = (a: string) => a.toLowerCase();

/** Deposits (rounded up) and the payouts of a state (rounded down) with the burnt remainder. */
export function depositsFor(table: PayoutTable, price: bigint) {
  return { seller: mulDivUp(table.sellerDeposit, price, UNIT), buyer: mulDivUp(table.buyerDeposit, price, UNIT) };
}

export function payoutsFor(table: PayoutTable, price: bigint, state: number) {
  const d = depositsFor(table, price);
  const seller = mulDiv(table.seller[state], price, UNIT);
  const buyer = mulDiv(table.buyer[state], price, UNIT);
  return { seller, buyer, burn: d.seller + d.buyer + price - seller - buyer };
}

export class EscrowModel {
  readonly tables = new Map<string, PayoutTable>();
  readonly deals = new Map<bigint, DealBooks>();
  readonly burnAccrued = new Map<string, bigint>();
  dealCount = 0n;
  /** What the contract holds per asset for deals (pots not yet paid out). */
  readonly held = new Map<string, bigint>();
  burnRecipient: string;

  constructor(burnRecipient: string) {
    this.burnRecipient = lower(burnRecipient);
  }

  /** A deep copy, for callers that must undo a step the contract would revert. */
  clone(): EscrowModel {
    const c = new EscrowModel(this.burnRecipient);
    for (const [k, v] of this.tables) c.tables.set(k, v);
    for (const [k, v] of this.deals) c.deals.set(k, { ...v });
    for (const [k, v] of this.burnAccrued) c.burnAccrued.set(k, v);
    for (const [k, v] of this.held) c.held.set(k, v);
    c.dealCount = this.dealCount;
    return c;
  }

  registerTable(id: string, table: PayoutTable): void {
    const pot = table.sellerDeposit + table.buyerDeposit + UNIT;
    for (let s = 0; s < 8; s++) if (table.seller[s] + table.buyer[s] > pot) throw new EscrowError("TableOverpays");
    this.tables.set(id, table);
  }

  private add(asset: string, amount: bigint) {
    this.held.set(lower(asset), (this.held.get(lower(asset)) ?? 0n) + amount);
  }

  /** What the contract owes per asset: unpaid deal money plus burn not yet withdrawn. */
  owed(asset: string): bigint {
    return (this.held.get(lower(asset)) ?? 0n) + (this.burnAccrued.get(lower(asset)) ?? 0n);
  }

  offer(caller: string, t: Terms, now: bigint): bigint {
    if (BigInt(t.seller) === 0n || BigInt(t.buyer) === 0n || lower(t.seller) === lower(t.buyer)) {
      throw new EscrowError("InvalidParties");
    }
    if (t.price === 0n) throw new EscrowError("ZeroPrice");
    if ([t.acceptWindow, t.redeemWindow, t.complaintWindow, t.faultWindow].some((w) => w === 0n)) {
      throw new EscrowError("ZeroWindow");
    }
    const table = this.tables.get(t.tableId);
    if (!table) throw new EscrowError("UnknownTable");
    if (t.price < table.minPrice) throw new EscrowError("PriceBelowMinimum");
    const offerer = t.sellerOffers ? t.seller : t.buyer;
    if (lower(caller) !== lower(offerer)) throw new EscrowError("NotParty");
    const d = depositsFor(table, t.price);
    const id = ++this.dealCount;
    this.deals.set(id, { terms: t, deadline: now + t.acceptWindow, stage: Stage.Offered, flags: 0 });
    this.add(t.asset, t.sellerOffers ? d.seller : d.buyer + t.price);
    return id;
  }

  private load(id: bigint): DealBooks {
    const d = this.deals.get(id);
    if (!d) throw new EscrowError("UnknownDeal");
    return d;
  }

  accept(caller: string, id: bigint, now: bigint): void {
    const d = this.load(id);
    if (d.stage !== Stage.Offered) throw new EscrowError("WrongStage");
    if (now >= d.deadline) throw new EscrowError("OfferExpired");
    const t = d.terms;
    if (lower(caller) !== lower(t.sellerOffers ? t.buyer : t.seller)) throw new EscrowError("NotParty");
    const dep = depositsFor(this.tables.get(t.tableId)!, t.price);
    d.stage = Stage.Redeem;
    d.deadline = now + t.redeemWindow;
    this.add(t.asset, t.sellerOffers ? dep.buyer + t.price : dep.seller);
  }

  withdrawOffer(caller: string, id: bigint): bigint {
    const d = this.load(id);
    if (d.stage !== Stage.Offered) throw new EscrowError("WrongStage");
    const t = d.terms;
    if (lower(caller) !== lower(t.sellerOffers ? t.seller : t.buyer)) throw new EscrowError("NotParty");
    const dep = depositsFor(this.tables.get(t.tableId)!, t.price);
    const refund = t.sellerOffers ? dep.seller : dep.buyer + t.price;
    d.stage = Stage.Withdrawn;
    this.add(t.asset, -refund);
    return refund;
  }

  /** Lazily closes expired windows, as `_advance` does (on a copy the caller commits). */
  private advance(d: DealBooks, now: bigint): DealBooks {
    const c = { ...d };
    while (c.stage >= Stage.Redeem && c.stage <= Stage.Fault && now >= c.deadline) {
      if (c.stage === Stage.Redeem) {
        c.stage = Stage.Complaint;
        c.deadline += c.terms.complaintWindow;
      } else if (c.stage === Stage.Complaint) {
        c.stage = Stage.Fault;
        c.deadline += c.terms.faultWindow;
      } else {
        this.finalizeBooks(c);
      }
    }
    return c;
  }

  private pendingBurn: { asset: string; burn: bigint } | undefined;

  private finalizeBooks(c: DealBooks): void {
    c.stage = Stage.Final;
    const { burn } = payoutsFor(this.tables.get(c.terms.tableId)!, c.terms.price, stateOf(c.flags));
    this.pendingBurn = { asset: lower(c.terms.asset), burn };
  }

  /** Runs a state change on a copy of the deal and commits it (with any burn) only if it succeeds. */
  private step(id: bigint, now: bigint, body: (c: DealBooks) => void): void {
    const d = this.load(id);
    this.pendingBurn = undefined;
    const c = this.advance(d, now);
    body(c);
    Object.assign(d, c);
    // `body` may have set it (through finalizeBooks); TypeScript cannot see through the call.
    const pending = this.pendingBurn as { asset: string; burn: bigint } | undefined;
    if (pending && pending.burn !== 0n) {
      const { asset, burn } = pending;
      this.burnAccrued.set(asset, (this.burnAccrued.get(asset) ?? 0n) + burn);
      this.add(asset, -burn);
    }
    this.pendingBurn = undefined;
  }

  private enter(c: DealBooks, stage: Stage, window: bigint, now: bigint) {
    c.stage = stage;
    c.deadline = now + window;
  }

  private buyerAt(caller: string, id: bigint, stage: Stage, now: bigint, body: (c: DealBooks) => void) {
    const d = this.load(id);
    if (lower(caller) !== lower(d.terms.buyer)) throw new EscrowError("NotParty");
    this.step(id, now, (c) => {
      if (c.stage !== stage) throw new EscrowError("WrongStage");
      body(c);
    });
  }

  redeem(caller: string, id: bigint, confirm: boolean, now: bigint): void {
    this.buyerAt(caller, id, Stage.Redeem, now, (c) => {
      c.flags |= REDEEM;
      if (confirm) this.enter(c, Stage.Fault, c.terms.faultWindow, now);
      else this.enter(c, Stage.Complaint, c.terms.complaintWindow, now);
    });
  }

  requestRefund(caller: string, id: bigint, now: bigint): void {
    this.buyerAt(caller, id, Stage.Redeem, now, (c) => this.enter(c, Stage.Complaint, c.terms.complaintWindow, now));
  }

  complain(caller: string, id: bigint, now: bigint): void {
    this.buyerAt(caller, id, Stage.Complaint, now, (c) => {
      c.flags |= COMPLAINT;
      this.enter(c, Stage.Fault, c.terms.faultWindow, now);
    });
  }

  confirmQuality(caller: string, id: bigint, now: bigint): void {
    this.buyerAt(caller, id, Stage.Complaint, now, (c) => this.enter(c, Stage.Fault, c.terms.faultWindow, now));
  }

  cancelOrFault(caller: string, id: bigint, now: bigint): void {
    const d = this.load(id);
    if (lower(caller) !== lower(d.terms.seller)) throw new EscrowError("NotParty");
    this.step(id, now, (c) => {
      if (c.stage !== Stage.Fault) throw new EscrowError("WrongStage");
      c.flags |= FAULT;
      this.finalizeBooks(c);
    });
  }

  finalize(caller: string, id: bigint, now: bigint): void {
    if (this.load(id).stage === Stage.Final) throw new EscrowError("WrongStage");
    this.step(id, now, (c) => {
      if (c.stage === Stage.Fault && lower(caller) === lower(c.terms.seller)) this.finalizeBooks(c);
      if (c.stage !== Stage.Final) throw new EscrowError("WrongStage");
    });
  }

  withdraw(caller: string, id: bigint, now: bigint): bigint {
    let amount = 0n;
    this.step(id, now, (c) => {
      if (c.stage === Stage.Fault && lower(caller) === lower(c.terms.seller)) this.finalizeBooks(c);
      if (c.stage !== Stage.Final) throw new EscrowError("WrongStage");
      const t = c.terms;
      const p = payoutsFor(this.tables.get(t.tableId)!, t.price, stateOf(c.flags));
      let paid: number;
      if (lower(caller) === lower(t.seller)) {
        paid = SELLER_PAID;
        amount = p.seller;
      } else if (lower(caller) === lower(t.buyer)) {
        paid = BUYER_PAID;
        amount = p.buyer;
      } else throw new EscrowError("NotParty");
      if (c.flags & paid) throw new EscrowError("AlreadyWithdrawn");
      c.flags |= paid;
    });
    this.add(this.load(id).terms.asset, -amount);
    return amount;
  }

  withdrawBurn(caller: string, asset: string): bigint {
    if (lower(caller) !== this.burnRecipient) throw new EscrowError("NotBurnRecipient");
    const amount = this.burnAccrued.get(lower(asset)) ?? 0n;
    this.burnAccrued.set(lower(asset), 0n);
    return amount;
  }
}
