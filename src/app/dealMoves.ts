/**
 * A deal's moves as the deal page offers them: what each is called, what the escrow client sends for it, and
 * which of the final states still reachable (`dealOutlook`) stay reachable after it, so that each button shows
 * what the party would receive in each.
 */
import type { TransactionReceipt } from "ethers";
import { COMPLAINT, FAULT, REDEEM } from "../exchange/model/exchangeEscrow";
import type { Terms } from "../exchange/model/terms";
import type { EscrowClient, SignedOffer } from "../exchange/parties/escrowClient";
import type { Move, ReachableState } from "../exchange/parties/outlook";
import type { DealStatus } from "../exchange/parties/status";

export interface MoveChoice {
  /** Redeem and also confirm the quality (no complaint). */
  confirm: boolean;
}

export const MOVE_LABELS: Record<Move, string> = {
  accept: "Accept and pay",
  cancel: "Cancel the offer",
  redeem: "Redeem (the item arrived)",
  refund: "Request a refund (nothing arrived)",
  complain: "Complain (low quality)",
  confirm: "Confirm the quality",
  fault: "Admit fault",
  finalize: "Finalize (pay out)",
};

/** Whether final state `index` can still be reached once `move` is made (from `reachable`, the ones now). */
export function reachableAfter(move: Move, reachable: ReachableState[], choice: MoveChoice): ReachableState[] {
  const has = (i: number, flag: number) => (i & flag) !== 0;
  // Finalizing adds no message: the state is the messages received so far, the least index still reachable.
  const least = Math.min(...reachable.map((r) => r.index));
  const keep: Record<Move, (i: number) => boolean> = {
    accept: () => true,
    cancel: () => false,
    redeem: (i) => has(i, REDEEM) && !(choice.confirm && has(i, COMPLAINT)),
    refund: (i) => !has(i, REDEEM),
    complain: (i) => has(i, COMPLAINT),
    confirm: (i) => !has(i, COMPLAINT),
    fault: (i) => has(i, FAULT),
    finalize: (i) => i === least,
  };
  return reachable.filter((r) => keep[move](r.index));
}

/** Sends `move` on the deal as the client's signer: a signed offer is opened with its signature. */
export function sendMove(
  client: EscrowClient,
  move: Move,
  t: Terms,
  status: DealStatus,
  offer: SignedOffer | undefined,
  choice: MoveChoice,
): Promise<TransactionReceipt> {
  const signedNotOpened = status.stage === "None";
  switch (move) {
    case "accept":
      if (signedNotOpened && !offer) throw new Error("open the signed offer from its link or file to accept it");
      return signedNotOpened ? client.openSigned(offer!) : client.accept(t);
    case "cancel":
      return signedNotOpened ? client.cancelSigned(t) : client.withdrawOffer(t);
    case "redeem":
      return client.redeem(t, choice.confirm);
    case "refund":
      return client.requestRefund(t);
    case "complain":
      return client.complain(t);
    case "confirm":
      return client.confirmQuality(t);
    case "fault":
      return client.admitFault(t);
    case "finalize":
      return client.finalize(t);
  }
}
