/**
 * Plays one deal on a deployed ExchangeEscrow along a chosen path of messages, through the
 * parties library (`../parties`), and reads the outcome back from the deal's slot and events.
 * The seller offers: by signing the terms (it funds its escrow balance first when it holds too
 * little) or on chain.
 */
import type { Signer } from "ethers";
import { EscrowClient } from "../parties/escrowClient";
import { dealStatus } from "../parties/status";
import type { Terms } from "../model/terms";

export interface DealPath {
  /** Buyer sends Redeem (else requests a refund). */
  redeem: boolean;
  /** Buyer complains (else confirms quality). */
  complain: boolean;
  /** Seller admits fault (else it ends its fault window by finalizing, without a fault). */
  fault: boolean;
}

export interface DealOutcome {
  id: string;
  state: string;
  sellerPayout: bigint;
  buyerPayout: bigint;
  burn: bigint;
  /** Gas of the deal's own transactions (opening, messages, finalization). */
  gas: bigint;
  /** Gas the seller spent funding its escrow balance for a signed offer (0 when it held enough). */
  fundingGas: bigint;
  transactions: number;
}

export interface PlayOptions {
  /** "signed" (default): the seller signs and the buyer opens with `acceptSigned`; "onChain": offer + accept. */
  opening?: "signed" | "onChain";
}

export async function playDeal(
  escrow: string,
  /** The terms but the parties; without `burnSetting`, the deal agrees to the one in force. */
  terms: Omit<Terms, "seller" | "buyer" | "sellerOffers" | "burnSetting" | "fromWallet"> & { burnSetting?: bigint },
  seller: Signer,
  buyer: Signer,
  path: DealPath,
  opts: PlayOptions = {},
): Promise<DealOutcome> {
  const asSeller = new EscrowClient(seller, escrow);
  const asBuyer = asSeller.connect(buyer);
  const t: Terms = await asSeller.offerTerms({
    ...terms,
    seller: await seller.getAddress(),
    buyer: await buyer.getAddress(),
    sellerOffers: true,
  });
  let gas = 0n;
  let fundingGas = 0n;
  let transactions = 0;
  const count = async (receipt: Promise<{ gasUsed: bigint }>) => {
    gas += (await receipt).gasUsed;
    transactions++;
  };
  if ((opts.opening ?? "signed") === "signed") {
    const { offerer } = await asSeller.amounts(t);
    const held = await asSeller.balanceOf(t.seller, t.asset);
    if (held < offerer) fundingGas = (await asSeller.deposit(offerer - held, t.asset)).gasUsed;
    const offer = await asSeller.signOffer(t);
    await count(asBuyer.openSigned(offer));
  } else {
    await count(asSeller.offer(t));
    await count(asBuyer.accept(t));
  }
  if (path.redeem) await count(asBuyer.redeem(t, !path.complain));
  else await count(asBuyer.requestRefund(t));
  if (!path.redeem || path.complain) await count(path.complain ? asBuyer.complain(t) : asBuyer.confirmQuality(t));
  await count(path.fault ? asSeller.admitFault(t) : asSeller.finalize(t));
  const status = await dealStatus(asSeller, t);
  if (status.stage !== "Final" || !status.state || !status.payouts) {
    throw new Error(`playDeal: deal ${status.id} is ${status.stage}, not final, after its last message`);
  }
  return {
    id: status.id,
    state: status.state,
    sellerPayout: status.payouts.seller,
    buyerPayout: status.payouts.buyer,
    burn: status.payouts.burn,
    gas,
    fundingGas,
    transactions,
  };
}
