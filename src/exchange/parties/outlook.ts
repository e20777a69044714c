/**
 * What lies ahead of a deal, from its status: what the seller, the buyer and anyone else may do now,
 * and which of the eight final states can still be reached, with what the seller, the buyer and the
 * burn recipient would receive in each under the deal's table. Read-only: a Provider is enough.
 */
import { COMPLAINT, FAULT, MAX_TIME, REDEEM } from "../model/exchangeEscrow";
import { stateName } from "../model/payoutTable";
import type { Terms } from "../model/terms";
import { type DealStatus, type EscrowReader, dueAt } from "./status";

/**
 * A move on a deal, named as the party's command: `accept` (an on-chain offer, or open a signed one),
 * `cancel` (withdraw an on-chain offer, or cancel a signed one), the buyer's `redeem`, `refund`
 * (requestRefund), `complain`, `confirm` (confirmQuality), the seller's `fault` (cancelOrFault), `finalize`.
 */
export type Move = "accept" | "cancel" | "redeem" | "refund" | "complain" | "confirm" | "fault" | "finalize";

export interface NextMoves {
  seller: Move[];
  buyer: Move[];
  /** Open to every account (`finalize` once the last window has passed). */
  anyone: Move[];
}

export interface ReachableState {
  /** The state's index in the table, `4 R + 2 C + CF`. */
  index: number;
  /** Its name, such as `R-NC-NC`. */
  state: string;
  seller: bigint;
  buyer: bigint;
  burn: bigint;
}

export interface DealOutlook {
  next: NextMoves;
  /**
   * While the deal is open (due in its redeem, complaint or fault window): the last deadline, from which anyone
   * may finalize if no party sends another message (no party can lock the funds by going silent).
   */
  lastDeadline?: bigint;
  /** The final states still reachable (the one it ended in once final), by index. */
  reachable: ReachableState[];
}

/** The message flags a deal holds, as its state index counts them. */
const flagsOf = (s: DealStatus): number =>
  (s.messages.redeem ? REDEEM : 0) | (s.messages.complaint ? COMPLAINT : 0) | (s.messages.fault ? FAULT : 0);

/**
 * What each party may do at the time the status was read, judged by the stage the next call sees
 * (`status.due`): a window that passed unanswered is closed, so its message is no longer open.
 */
export function nextMoves(t: Terms, s: DealStatus): NextMoves {
  const moves: NextMoves = { seller: [], buyer: [], anyone: [] };
  const [offerer, counterparty] = t.sellerOffers ? (["seller", "buyer"] as const) : (["buyer", "seller"] as const);
  switch (s.due.stage) {
    case "None":
      // A signed offer not opened: the counterparty may open it until it expires, the offerer cancel it till then.
      if (s.acceptable) {
        moves[counterparty].push("accept");
        moves[offerer].push("cancel");
      }
      break;
    case "Offered":
      // An on-chain offer can be withdrawn even once expired: that is how its offerer gets its part back.
      if (s.acceptable) moves[counterparty].push("accept");
      moves[offerer].push("cancel");
      break;
    case "Redeem":
      moves.buyer.push("redeem", "refund");
      break;
    case "Complaint":
      moves.buyer.push("complain", "confirm");
      break;
    case "Fault":
      moves.seller.push("fault", "finalize");
      break;
    case "Final":
      // Due but not stored: the last deadline passed and anyone may finalize.
      if (s.stage !== "Final") moves.anyone.push("finalize");
      break;
  }
  return moves;
}

/**
 * The indexes of the final states still reachable, in increasing order: every state while the deal can still
 * open or waits for the redeem message; then those that keep the messages received and may add the ones
 * still open (a window that passed unanswered is closed: its message can no longer come).
 */
export function reachableStates(s: DealStatus): number[] {
  const flags = flagsOf(s);
  const all = [0, 1, 2, 3, 4, 5, 6, 7];
  switch (s.due.stage) {
    case "None":
    case "Offered":
      return s.acceptable ? all : [];
    case "Redeem":
      return all;
    case "Complaint":
      return [0, FAULT, COMPLAINT, COMPLAINT | FAULT].map((m) => (flags & REDEEM) | m);
    case "Fault":
      return [flags, flags | FAULT];
    case "Final":
      return [flags];
    default:
      return [];
  }
}

/** The moves open now, and the payouts (the escrow's `payouts` at the deal's price) of each reachable state. */
export async function dealOutlook(escrow: EscrowReader, t: Terms, s: DealStatus): Promise<DealOutlook> {
  const reachable = await Promise.all(
    reachableStates(s).map(async (index) => {
      const [seller, buyer, burn] = await escrow.contract.payouts(t.table, t.price, index);
      return { index, state: stateName(index), seller, buyer, burn };
    }),
  );
  const open = s.due.stage === "Redeem" || s.due.stage === "Complaint" || s.due.stage === "Fault";
  // Every window closed unanswered, as the contract closes them at the end of time: the last deadline.
  const lastDeadline = open ? dueAt(t, s.due.stage, s.due.deadline, MAX_TIME).deadline : undefined;
  return { next: nextMoves(t, s), reachable, ...(open ? { lastDeadline } : {}) };
}
