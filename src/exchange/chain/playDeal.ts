/**
 * Plays one deal on a deployed ExchangeEscrow along a chosen path of messages and reads the
 * outcome back from the contract's events.
 */
import type { Signer } from "ethers";
import type { ExchangeEscrow } from "../../../typechain-types";
import { stateName } from "../model/payoutTable";
import type { Terms } from "../model/exchangeEscrow";

export interface DealPath {
  /** Buyer sends Redeem (else requests a refund). */
  redeem: boolean;
  /** Buyer complains (else confirms quality). */
  complain: boolean;
  /** Seller admits fault (else it ends its window by withdrawing, which finalizes without a fault). */
  fault: boolean;
}

export interface DealOutcome {
  id: bigint;
  state: string;
  sellerPayout: bigint;
  buyerPayout: bigint;
  burn: bigint;
  gas: bigint;
}

export async function playDeal(
  escrow: ExchangeEscrow,
  terms: Omit<Terms, "seller" | "buyer">,
  seller: Signer,
  buyer: Signer,
  path: DealPath,
): Promise<DealOutcome> {
  const t: Terms = { ...terms, seller: await seller.getAddress(), buyer: await buyer.getAddress() };
  const [sellerDeposit, buyerDeposit] = await escrow.depositsFor(t.tableId, t.price);
  let gas = 0n;
  const send = async (p: Promise<{ wait(): Promise<{ gasUsed: bigint; logs: unknown[] } | null> }>) => {
    const receipt = (await (await p).wait())!;
    gas += receipt.gasUsed;
    return receipt;
  };
  const id = (await escrow.dealCount()) + 1n;
  await send(
    escrow
      .connect(seller)
      .offer(t, { value: t.asset === "0x0000000000000000000000000000000000000000" ? sellerDeposit : 0n }),
  );
  await send(escrow.connect(buyer).accept(id, t, { value: buyerDeposit + t.price }));
  if (path.redeem) await send(escrow.connect(buyer).redeem(id, t, !path.complain));
  else await send(escrow.connect(buyer).requestRefund(id, t));
  if (!path.redeem || path.complain) {
    await send(path.complain ? escrow.connect(buyer).complain(id, t) : escrow.connect(buyer).confirmQuality(id, t));
  }
  const final = await send(
    path.fault ? escrow.connect(seller).cancelOrFault(id, t) : escrow.connect(seller).withdraw(id, t),
  );
  let outcome: DealOutcome | undefined;
  for (const log of final.logs) {
    const parsed = escrow.interface.parseLog(log as never);
    if (parsed?.name === "Finalized") {
      outcome = {
        id,
        state: stateName(Number(parsed.args.state)),
        sellerPayout: parsed.args.sellerPayout,
        buyerPayout: parsed.args.buyerPayout,
        burn: parsed.args.burn,
        gas: 0n,
      };
    }
  }
  if (path.fault) await send(escrow.connect(seller).withdraw(id, t));
  await send(escrow.connect(buyer).withdraw(id, t));
  return { ...outcome!, gas };
}
