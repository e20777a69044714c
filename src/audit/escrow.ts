/**
 * Audit of an ExchangeEscrow from its event log. The replay keeps the contract's books at the
 * timestamps of its blocks: every deal's stage, deadline, messages, creation time and the money
 * it holds, every account's balance per asset, the burn recipient's settings and the tables. It
 * reports where the log disagrees: a deal created twice or below its table's minimum, a message
 * outside its window, a final state other than the messages received, a credit that differs from
 * the table's payout (`payouts`) or goes to another account than the payee or the deal's burn
 * destination (the recipient in force at creation if the terms agreed to it and it is not a party,
 * else DEAD), a withdrawal above a balance. A payout with no Credited event was pushed (holdings.ts checks
 * the money that left). Each table's hash is recomputed and its `minPrice` checked against p0 (escrowTables.ts):
 * below p0 is a finding where a deal is created on it, else a note (registering a table is open to anyone).
 */
import type { TypedDataDomain } from "ethers";
import { type Terms, dealIdOf, partiesOf, unpackTerms } from "../exchange/model/terms";
import { COMPLAINT, FAULT, MAX_TIME, REDEEM } from "../exchange/model/exchangeEscrow";
import { DEAD as BURN_DEAD } from "../exchange/model/escrowBalances";
import { type PayoutTable, stateName, tableIdOf } from "../exchange/model/payoutTable";
import type { Game } from "../exchange/design/game";
import { type DecodedLog, byTransaction } from "../chain/logs";
import { Findings } from "./findings";
import { type Owed, ReplayTrail } from "./trail";
import { checkMinPrice, depositsAt, payoutsAt, tableDefects, tableOf } from "./escrowTables";
import { type Book, type EscrowBooks, type EscrowSummary, Stage, newBook, summarize } from "./escrowBooks";
import { unusedUnsafe } from "./escrowBooks";

export { Stage, type EscrowBooks, type EscrowSummary };

const DEAD = BURN_DEAD.toLowerCase();
const after = (time: bigint, window: bigint) => (time + window < MAX_TIME ? time + window : MAX_TIME);

export interface EscrowAudit {
  summary: EscrowSummary;
  deals: { id: string; state: string | null; stage: Stage; price: bigint; asset: string }[];
  discrepancies: Findings["list"];
}

export interface EscrowReplayOptions {
  /** The escrow's EIP-712 domain: with it every deal id is recomputed from its terms. */
  domain?: TypedDataDomain;
  /** The game p0 is recomputed for (default: games/core-exchange.json). */
  game?: Game;
}

const lower = (a: string) => a.toLowerCase();

/** @param timestamps block number -> block timestamp for every block in `logs`. */
export function replayEscrow(
  logs: DecodedLog[],
  timestamps: Map<number, bigint>,
  opts: EscrowReplayOptions = {},
  trail: ReplayTrail<EscrowBooks> = new ReplayTrail(),
): EscrowAudit {
  const findings = new Findings();
  const tables = new Map<bigint, PayoutTable>(); // by registration number
  const deals = new Map<string, Book>();
  const cancelled = new Set<string>();
  const balances = new Map<string, bigint>(); // "account:asset"
  const burnSettings: { since: bigint; recipient: string }[] = [];
  const volume = new Map<string, bigint>();
  const burnt = new Map<string, bigint>();
  const s = { notCheckable: [] as EscrowSummary["notCheckable"], signed: 0, withdrawn: 0, cancelled: 0 };
  /** Tables whose minPrice is below p0, by number, with why: a finding where a deal is created on one. */
  const unsafe = new Map<bigint, { tableId: string; reason: string; used: boolean }>();
  const payments = { pushed: 0, credited: 0 };
  const add = (m: Map<string, bigint>, k: string, x: bigint) => m.set(k, (m.get(k) ?? 0n) + x);
  /** What the escrow owes per asset: the money of its deals and every balance. */
  const owed: Owed = new Map();
  const credit = (account: string, asset: string, x: bigint) => {
    add(balances, `${lower(account)}:${lower(asset)}`, x);
    add(owed, lower(asset), x);
  };
  // The setting in force at `time` (settings are numbered in order; a later one may start no earlier).
  const burnDestination = (time: bigint, t: Terms) => {
    const setting = burnSettings.findLastIndex((b) => b.since <= time);
    const r = burnSettings[setting]?.recipient ?? DEAD;
    const agreed = BigInt(setting) === t.burnSetting;
    return !agreed || r === lower(t.seller) || r === lower(t.buyer) ? DEAD : r;
  };

  for (const tx of byTransaction(logs)) {
    const now = timestamps.get(tx[0].blockNumber)!;
    const mark = { txHash: tx[0].txHash, blockNumber: tx[0].blockNumber };
    const owedBefore = new Map(owed);
    // The deals this transaction names, with the money each held before it (0 for a deal it creates).
    const ids = [...new Set(tx.map((l) => l.args.id as string | undefined).filter((x) => x !== undefined))];
    const heldBefore = new Map(ids.map((x) => [x, deals.get(x)?.held ?? 0n]));
    const claimed = new Set<DecodedLog>();
    /** The unclaimed Credited logs of deal `id` after `log` in this transaction. */
    const creditsAfter = (log: DecodedLog, id: string) =>
      tx.filter((l) => l.name === "Credited" && !claimed.has(l) && l.args.id === id && l.logIndex > log.logIndex);
    /** A payout to `payee`: credited if a Credited names it (amount compared), else pushed. */
    const pay = (log: DecodedLog, id: string, payee: string, asset: string, amount: bigint, what: string) => {
      const c = creditsAfter(log, id).find((l) => lower(l.args.account) === lower(payee));
      if (c) {
        claimed.add(c);
        findings.same(c, { [`${what} credited to ${payee}`]: [c.args.amount, amount] });
        credit(payee, asset, amount);
        payments.credited++;
      } else if (amount !== 0n) payments.pushed++;
    };
    for (const log of tx) {
      const a = log.args;
      const id: string | undefined = a.id;
      const found = id !== undefined ? deals.get(id) : undefined;
      /** The deal, once `need` has found it at one of the stages asked. */
      const deal = found as Book;
      const need = (...stages: Stage[]): boolean => {
        if (!found) findings.at(log, `deal ${id} was never created`);
        else if (!stages.includes(deal.stage)) findings.at(log, `deal is at stage ${Stage[deal.stage]}`);
        else return true;
        return false;
      };
      /** A message in the current window: its deadline not yet passed. */
      const inWindow = (d: Book) => {
        if (now >= d.deadline) findings.at(log, `at ${now}, after the window's deadline ${d.deadline}`);
      };
      /** Checks the terms of a deal being created; returns its table. */
      const created = (t: Terms): PayoutTable | undefined => {
        if (opts.domain && dealIdOf(opts.domain, t) !== id) findings.at(log, `id is not the hash of the terms`);
        if (lower(a.seller) !== lower(t.seller) || lower(a.buyer) !== lower(t.buyer))
          findings.at(log, "the indexed parties are not the terms' parties");
        if (deals.has(id!) || cancelled.has(id!)) findings.at(log, `deal ${id} already exists`);
        if (now >= t.expiry) findings.at(log, `created at ${now}, at or after its expiry ${t.expiry}`);
        if (!t.price || !t.redeemWindow || !t.complaintWindow || !t.faultWindow)
          findings.at(log, "a zero price or window");
        const table = tables.get(t.table);
        if (!table) findings.at(log, `table ${t.table} was never registered`);
        else if (t.price < table.minPrice) findings.at(log, `price ${t.price} below the minimum ${table.minPrice}`);
        const below = unsafe.get(t.table);
        if (table && below) {
          below.used = true;
          findings.at(log, `deal on table ${t.table}, whose ${below.reason}`);
        }
        return table;
      };
      const parts = (t: Terms, table: PayoutTable) => {
        const d = depositsAt(table, t.price);
        return t.sellerOffers
          ? { offerer: d.seller, counterparty: d.buyer + t.price }
          : { offerer: d.buyer + t.price, counterparty: d.seller };
      };
      switch (log.name) {
        case "BurnRecipientSet":
          findings.same(log, { setting: [a.setting, BigInt(burnSettings.length)] });
          burnSettings.push({ since: BigInt(a.since), recipient: lower(a.recipient) });
          break;
        case "TableRegistered": {
          const table = tableOf(a.content);
          findings.same(log, { tableId: [a.tableId, tableIdOf(table)], table: [a.table, BigInt(tables.size + 1)] });
          for (const defect of tableDefects(table)) findings.at(log, defect);
          const check = checkMinPrice(table, opts.game);
          if (!check.checkable) s.notCheckable.push({ tableId: a.tableId, reason: check.reason });
          else if (check.below) {
            const reason = `minPrice ${check.minPrice} is below the recomputed smallest safe price p0 = ${check.p0}`;
            unsafe.set(BigInt(a.table), { tableId: a.tableId, reason, used: false });
          }
          tables.set(BigInt(a.table), table);
          break;
        }
        case "Offered": {
          const t = unpackTerms(a.terms);
          const table = created(t);
          if (!table) break;
          const p = parts(t, table);
          deals.set(id!, newBook(t, table, Stage.Offered, now, p.offerer));
          break;
        }
        case "Opened": {
          const t = unpackTerms(a.terms);
          let book = found;
          if (!found) {
            // No on-chain offer before: opened from a signed offer, the offerer's part from its balance
            // or, where the same transaction says PaidWithPermit, from its wallet.
            const table = created(t);
            if (!table) break;
            const part = parts(t, table).offerer;
            const permit = tx.find((l) => l.name === "PaidWithPermit" && l.args.id === id);
            if (permit) {
              findings.same(permit, { "offerer's part": [permit.args.amount, part] });
              if (BigInt(t.asset) === 0n) findings.at(permit, "a permit for native ETH");
            } else {
              const has = balances.get(`${lower(partiesOf(t).offerer)}:${lower(t.asset)}`) ?? 0n;
              if (has < part) findings.at(log, `the offerer's balance ${has} is below its part ${part}`);
              credit(partiesOf(t).offerer, t.asset, -part);
            }
            book = newBook(t, table, Stage.Redeem, now, 0n);
            deals.set(id!, book);
            s.signed++;
          } else if (!need(Stage.Offered)) break;
          else if (now >= t.expiry) findings.at(log, `accepted at ${now}, at or after its expiry ${t.expiry}`);
          const d = depositsAt(book!.table, t.price);
          const pot = d.seller + d.buyer + t.price;
          Object.assign(book!, { stage: Stage.Redeem, deadline: after(now, t.redeemWindow), held: pot });
          add(volume, lower(t.asset), t.price);
          break;
        }
        case "OfferWithdrawn":
          if (!need(Stage.Offered)) break;
          findings.same(log, { refund: [a.refund, deal.held] });
          pay(log, id!, partiesOf(deal.terms).offerer, deal.terms.asset, deal.held, "refund");
          Object.assign(deal, { stage: Stage.Withdrawn, held: 0n });
          s.withdrawn++;
          break;
        case "SignedOfferCancelled":
          if (found || cancelled.has(id!)) findings.at(log, `deal ${id} already exists`);
          cancelled.add(id!);
          s.cancelled++;
          break;
        case "WindowExpired":
          if (!need(Stage.Redeem, Stage.Complaint, Stage.Fault)) break;
          findings.same(log, { stage: [Stage[Number(a.stage)], Stage[deal.stage]] });
          if (now < deal.deadline) findings.at(log, `at ${now}, before the deadline ${deal.deadline}`);
          if (deal.stage === Stage.Redeem)
            Object.assign(deal, { stage: Stage.Complaint, deadline: after(deal.deadline, deal.terms.complaintWindow) });
          else if (deal.stage === Stage.Complaint)
            Object.assign(deal, { stage: Stage.Fault, deadline: after(deal.deadline, deal.terms.faultWindow) });
          else deal.expired = true;
          break;
        case "Redeemed":
        case "RefundRequested":
          if (!need(Stage.Redeem)) break;
          inWindow(deal);
          if (log.name === "Redeemed") deal.flags |= REDEEM;
          if (log.name === "Redeemed" && a.qualityConfirmed)
            Object.assign(deal, { stage: Stage.Fault, deadline: after(now, deal.terms.faultWindow) });
          else Object.assign(deal, { stage: Stage.Complaint, deadline: after(now, deal.terms.complaintWindow) });
          break;
        case "Complained":
        case "QualityConfirmed":
          if (!need(Stage.Complaint)) break;
          inWindow(deal);
          if (log.name === "Complained") deal.flags |= COMPLAINT;
          Object.assign(deal, { stage: Stage.Fault, deadline: after(now, deal.terms.faultWindow) });
          break;
        case "Faulted":
          if (!need(Stage.Fault)) break;
          inWindow(deal);
          deal.flags |= FAULT;
          break;
        case "Finalized": {
          if (!need(Stage.Fault)) break;
          if (!deal.expired && !(deal.flags & FAULT)) inWindow(deal); // the seller ends its window early
          const t = deal.terms;
          const state = deal.flags & 7;
          findings.same(log, { state: [stateName(Number(a.state)), stateName(state)] });
          const p = payoutsAt(deal.table, t.price, state);
          const dest = burnDestination(deal.createdAt, t);
          if (p.burn !== 0n) {
            const c = creditsAfter(log, id!).find((l) => lower(l.args.account) === dest);
            if (c) {
              claimed.add(c);
              findings.same(c, { burn: [c.args.amount, p.burn] });
            } else findings.at(log, `burn ${p.burn} not credited to the deal's burn destination ${dest}`);
            credit(dest, t.asset, p.burn);
            add(burnt, lower(t.asset), p.burn);
          }
          pay(log, id!, t.seller, t.asset, p.seller, "seller payout");
          pay(log, id!, t.buyer, t.asset, p.buyer, "buyer payout");
          Object.assign(deal, { stage: Stage.Final, held: 0n });
          break;
        }
        case "Credited":
          if (!claimed.has(log))
            findings.at(
              log,
              `${a.amount} credited to ${a.account}: no payout, refund or burn of deal ${id} explains it`,
            );
          break;
        case "PaidWithPermit": // checked with the Opened it belongs to
          if (!tx.some((l) => l.name === "Opened" && l.args.id === id))
            findings.at(log, `a permit payment for deal ${id} that this transaction does not open`);
          break;
        case "BalanceDeposited":
          credit(a.account, a.asset, a.amount);
          break;
        case "BalanceWithdrawn": {
          const has = balances.get(`${lower(a.account)}:${lower(a.asset)}`) ?? 0n;
          if (has < a.amount) findings.at(log, `withdraws ${a.amount} of a balance of ${has}`);
          credit(a.account, a.asset, -BigInt(a.amount));
          break;
        }
        default:
          findings.unknownEvent(log);
      }
    }
    for (const [x, before] of heldBefore) {
      const d = deals.get(x);
      if (d) add(owed, lower(d.terms.asset), d.held - before);
      if (d || cancelled.has(x)) trail.touch(`deal ${x}`, mark);
    }
    for (const l of tx.filter((x) => ["Credited", "BalanceDeposited", "BalanceWithdrawn"].includes(x.name)))
      trail.touch(`balance ${lower(l.args.account)}:${lower(l.args.asset)}`, mark);
    trail.recordTx(mark, owedBefore, owed);
  }
  trail.final = { deals, balances, burnSettings: burnSettings.length, tables: tables.size };

  return {
    summary: summarize(
      deals,
      balances,
      { tables: tables.size, ...s, ...payments, unsafeUnused: unusedUnsafe(unsafe) },
      volume,
      burnt,
    ),
    deals: [...deals.entries()].map(([id, d]) => ({
      id,
      state: d.stage === Stage.Final ? stateName(d.flags & 7) : null,
      stage: d.stage,
      price: d.terms.price,
      asset: lower(d.terms.asset),
    })),
    discrepancies: findings.list,
  };
}
