/**
 * The escrow auditor's arithmetic and table checks: a registered table read from its event, its
 * id recomputed, its `minPrice` compared with the smallest safe price p0 recomputed for the core
 * exchange game (delta 0.01), and the deposits and payouts the contract owes at a price
 * (deposits rounded up, payouts down, the rest burnt), as `ExchangeEscrow.sol` computes them.
 */
import path from "node:path";
import { type Game, GameError, loadGame } from "../exchange/design/game";
import { chainTransfers, smallestSafePrice } from "../exchange/design/safePrice";
import type { PayoutTable } from "../exchange/model/payoutTable";
import type { DecodedLog } from "../chain/logs";

const UNIT = 10n ** 18n;
/** The designer's margin of the shipped tables; p0 is recomputed at it. */
export const AUDIT_DELTA = 0.01;
export const CORE_GAME_FILE = path.join(__dirname, "..", "..", "games", "core-exchange.json");
const ENTRY_MAX = (1n << 64n) - 1n;

export const tableOf = (t: DecodedLog["args"]): PayoutTable => ({
  sellerDeposit: BigInt(t.sellerDeposit),
  buyerDeposit: BigInt(t.buyerDeposit),
  seller: [...t.seller].map(BigInt),
  buyer: [...t.buyer].map(BigInt),
  minPrice: BigInt(t.minPrice),
});

/** What the escrow should have refused to register: an entry over 64 bits, a state paying more than its pot. */
export function tableDefects(t: PayoutTable): string[] {
  const out: string[] = [];
  const entries = [t.sellerDeposit, t.buyerDeposit, ...t.seller, ...t.buyer];
  if (entries.some((e) => e > ENTRY_MAX)) out.push("an entry does not fit the 64 bits the escrow stores");
  const pot = t.sellerDeposit + t.buyerDeposit + UNIT;
  for (let s = 0; s < 8; s++) if (t.seller[s] + t.buyer[s] > pot) out.push(`state ${s} pays out more than its pot`);
  return out;
}

/** The result of re-checking a table's minPrice. */
export type MinPriceCheck =
  { checkable: true; p0: bigint; minPrice: bigint; below: boolean } | { checkable: false; reason: string };

let coreGame: Game | undefined;

/**
 * Recomputes p0 for the core exchange at delta 0.01 and compares `minPrice` with it (0, "no
 * minimum", counts as 1: the escrow refuses a zero price anyway). A table the core game's
 * incentive rows do not hold for at that delta is not one of its designs: not checkable.
 */
export function checkMinPrice(t: PayoutTable, game?: Game): MinPriceCheck {
  try {
    const g = game ?? (coreGame ??= loadGame(CORE_GAME_FILE));
    const p0 = smallestSafePrice(g, chainTransfers(t), AUDIT_DELTA);
    const effective = t.minPrice > 0n ? t.minPrice : 1n;
    return { checkable: true, p0, minPrice: t.minPrice, below: effective < p0 };
  } catch (e) {
    if (e instanceof GameError) return { checkable: false, reason: e.message };
    throw e;
  }
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** Deposits at `price`, rounded up (seller, buyer). */
export function depositsAt(t: PayoutTable, price: bigint): { seller: bigint; buyer: bigint } {
  return { seller: ceilDiv(t.sellerDeposit * price, UNIT), buyer: ceilDiv(t.buyerDeposit * price, UNIT) };
}

/** Payouts of state `state` at `price`: seller and buyer rounded down, the rest of the pot burnt. */
export function payoutsAt(t: PayoutTable, price: bigint, state: number) {
  const d = depositsAt(t, price);
  const seller = (t.seller[state] * price) / UNIT;
  const buyer = (t.buyer[state] * price) / UNIT;
  return { seller, buyer, burn: d.seller + d.buyer + price - seller - buyer };
}
