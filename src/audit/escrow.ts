/**
 * Audit of an ExchangeEscrow from its event log: deals are replayed through the exact model
 * (src/exchange/model/exchangeEscrow.ts) at the timestamps of their blocks; every deposit, deadline,
 * final state, payout and burn the contract reported is compared with the model's, and the
 * per-asset books are kept.
 */
import { stateName } from "../exchange/model/payoutTable";
import {
  EscrowModel,
  depositsFor,
  isFinal,
  payoutsFor,
  stateOf,
  wasAccepted,
  type Terms,
} from "../exchange/model/exchangeEscrow";
import { type DecodedLog, byTransaction } from "../chain/logs";
import { Findings } from "./findings";

export interface EscrowSummary {
  tables: number;
  deals: number;
  accepted: number;
  withdrawnOffers: number;
  final: number;
  /** Final deals per contract state. */
  states: Record<string, number>;
  /** Share of final deals that ended on the honest path R-NC-NC. */
  honestShare: number;
  /** Per asset: traded value (prices of accepted deals), burn accrued, still owed. */
  assets: Record<string, { volume: bigint; burn: bigint; owed: bigint }>;
}

export interface EscrowAudit {
  summary: EscrowSummary;
  deals: { id: number; state: string | null; stage: number; price: bigint; asset: string }[];
  discrepancies: Findings["list"];
}

const termsOf = (t: DecodedLog["args"]): Terms => ({
  seller: t.seller,
  buyer: t.buyer,
  asset: t.asset,
  price: t.price,
  tableId: t.tableId,
  acceptWindow: t.acceptWindow,
  redeemWindow: t.redeemWindow,
  complaintWindow: t.complaintWindow,
  faultWindow: t.faultWindow,
  sellerOffers: t.sellerOffers,
});

/**
 * @param timestamps block number -> block timestamp for every block in `logs`.
 */
export function replayEscrow(logs: DecodedLog[], timestamps: Map<number, bigint>): EscrowAudit {
  const findings = new Findings();
  const model = new EscrowModel("0x0000000000000000000000000000000000000000");
  const volume = new Map<string, bigint>();
  let tables = 0;
  let withdrawnOffers = 0;

  const run = (log: DecodedLog, step: () => void) => findings.attempt(log, step);

  for (const tx of byTransaction(logs)) {
    const now = timestamps.get(tx[0].blockNumber)!;
    const has = (name: string) => tx.some((l) => l.name === name);
    // Amounts the model paid in this transaction, to compare with PayoutWithdrawn.
    const paid = new Map<string, bigint>();
    for (const log of tx) {
      const a = log.args;
      const deal = a.id !== undefined ? model.deals.get(a.id) : undefined;
      const t = deal?.terms;
      const needDeal = () => {
        if (!t) findings.at(log, `deal ${a.id} was never offered`);
        return t !== undefined;
      };
      switch (log.name) {
        case "BurnRecipientSet":
          model.burnRecipient = a.recipient.toLowerCase();
          break;
        case "TableRegistered":
          run(log, () => {
            const tb = a.table;
            model.registerTable(a.tableId, {
              sellerDeposit: tb.sellerDeposit,
              buyerDeposit: tb.buyerDeposit,
              seller: [...tb.seller],
              buyer: [...tb.buyer],
              minPrice: tb.minPrice,
            });
            tables++;
          });
          break;
        case "Offered":
          run(log, () => {
            const terms = termsOf(a.terms);
            const id = model.offer(terms.sellerOffers ? terms.seller : terms.buyer, terms, now);
            const table = model.tables.get(terms.tableId)!;
            const dep = depositsFor(table, terms.price);
            findings.same(log, {
              id: [a.id, id],
              sellerDeposit: [a.sellerDeposit, dep.seller],
              buyerDeposit: [a.buyerDeposit, dep.buyer],
              deadline: [a.deadline, now + terms.acceptWindow],
            });
          });
          break;
        case "Accepted":
          if (needDeal())
            run(log, () => {
              model.accept(t!.sellerOffers ? t!.buyer : t!.seller, a.id, now);
              findings.same(log, { redeemDeadline: [a.redeemDeadline, model.deals.get(a.id)!.deadline] });
              volume.set(t!.asset.toLowerCase(), (volume.get(t!.asset.toLowerCase()) ?? 0n) + t!.price);
            });
          break;
        case "OfferWithdrawn":
          if (needDeal())
            run(log, () => {
              findings.same(log, {
                refund: [a.refund, model.withdrawOffer(t!.sellerOffers ? t!.seller : t!.buyer, a.id)],
              });
              withdrawnOffers++;
            });
          break;
        case "Redeemed":
          if (needDeal()) run(log, () => model.redeem(t!.buyer, a.id, has("QualityConfirmed"), now));
          break;
        case "RefundRequested":
          if (needDeal()) run(log, () => model.requestRefund(t!.buyer, a.id, now));
          break;
        case "QualityConfirmed":
          if (!has("Redeemed") && needDeal()) run(log, () => model.confirmQuality(t!.buyer, a.id, now));
          break;
        case "Complained":
          if (needDeal()) run(log, () => model.complain(t!.buyer, a.id, now));
          break;
        case "Faulted":
          if (needDeal()) run(log, () => model.cancelOrFault(t!.seller, a.id, now));
          break;
        case "WindowExpired":
          break; // the model expires windows by the block's timestamp; outcomes are compared below
        case "Finalized":
          if (!needDeal()) break;
          run(log, () => {
            if (!has("Faulted")) {
              const withdrawal = tx.find((l) => l.name === "PayoutWithdrawn" && l.args.id === a.id);
              // Finalized by a withdrawal (the seller's own, or anyone's after the deadline) or by finalize.
              if (withdrawal)
                paid.set(
                  `${a.id}:${withdrawal.args.account.toLowerCase()}`,
                  model.withdraw(withdrawal.args.account, a.id, now),
                );
              else model.finalize(t!.seller, a.id, now);
            }
            const d = model.deals.get(a.id)!;
            const state = stateOf(d.flags);
            const p = payoutsFor(model.tables.get(t!.tableId)!, t!.price, state);
            findings.same(log, {
              stage: ["final", isFinal(d.stage) ? "final" : `stage ${d.stage}`],
              state: [stateName(Number(a.state)), stateName(state)],
              sellerPayout: [a.sellerPayout, p.seller],
              buyerPayout: [a.buyerPayout, p.buyer],
              burn: [a.burn, p.burn],
            });
          });
          break;
        case "PayoutWithdrawn":
          if (!needDeal()) break;
          run(log, () => {
            const key = `${a.id}:${a.account.toLowerCase()}`;
            const amount = paid.has(key) ? paid.get(key)! : model.withdraw(a.account, a.id, now);
            findings.same(log, { amount: [a.amount, amount] });
          });
          break;
        case "BurnWithdrawn":
          run(log, () => findings.same(log, { amount: [a.amount, model.withdrawBurn(a.recipient, a.asset)] }));
          break;
        default:
          findings.unknownEvent(log);
      }
    }
  }

  const deals = [...model.deals.entries()].map(([id, d]) => ({
    id: Number(id),
    state: isFinal(d.stage) ? stateName(stateOf(d.flags)) : null,
    stage: d.stage,
    price: d.terms.price,
    asset: d.terms.asset.toLowerCase(),
  }));
  const final = deals.filter((d) => d.state !== null);
  const states: Record<string, number> = {};
  for (const d of final) states[d.state!] = (states[d.state!] ?? 0) + 1;
  const assets: EscrowSummary["assets"] = {};
  for (const asset of new Set([...deals.map((d) => d.asset), ...model.burnAccrued.keys()])) {
    assets[asset] = {
      volume: volume.get(asset) ?? 0n,
      burn: model.burnAccrued.get(asset) ?? 0n,
      owed: model.owed(asset),
    };
  }
  return {
    summary: {
      tables,
      deals: deals.length,
      accepted: deals.filter((d) => wasAccepted(d.stage)).length,
      withdrawnOffers,
      final: final.length,
      states,
      honestShare: final.length ? (states["R-NC-NC"] ?? 0) / final.length : 0,
      assets,
    },
    deals,
    discrepancies: findings.list,
  };
}
