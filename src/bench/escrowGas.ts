/**
 * Gas of every ExchangeEscrow call, and of one honest trade (offer, accept, redeem with
 * quality confirmed, finalize by the seller, both withdrawals), on the in-process network.
 */
import { type ContractTransactionResponse, parseEther, ZeroAddress } from "ethers";
import type { ChainEnv } from "../hardhat/adapter";
import { DEFAULT_PAYOUT_TABLE } from "../exchange/model/defaultTable";
import type { Terms } from "../exchange/model/exchangeEscrow";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await (await tx).wait())!.gasUsed);
}

export async function measureEscrowGas(env: ChainEnv): Promise<Record<string, number>> {
  const [, seller, buyer] = env.signers;
  const { escrow, tableId } = await env.deployEscrow();
  const price = parseEther("1");
  const sellerPays = async (d: Terms) => (await escrow.depositsFor(tableId, d.price))[0];
  const buyerPays = async (d: Terms) => d.price + (await escrow.depositsFor(tableId, d.price))[1];
  const offer = async (d: Terms) => escrow.connect(seller).offer(d, { value: await sellerPays(d) });
  let nonce = 0;
  const terms = (): Terms => ({
    seller: seller.address,
    buyer: buyer.address,
    asset: ZeroAddress,
    price,
    acceptWindow: 3600n + BigInt(nonce++), // distinct terms per deal, as in real use
    tableId,
    redeemWindow: 86400n,
    complaintWindow: 86400n,
    faultWindow: 86400n,
    sellerOffers: true,
  });
  const gas: Record<string, number> = {};
  const t = DEFAULT_PAYOUT_TABLE;
  // A table not registered yet (the default one is, by the Ignition module).
  gas.registerTable = await gasOf(
    escrow.registerTable({
      sellerDeposit: t.sellerDeposit + 1n,
      buyerDeposit: t.buyerDeposit,
      seller: t.seller,
      buyer: t.buyer,
      minPrice: t.minPrice,
    }),
  );

  // A first deal warms the contract's counters, as on a live deployment; then the measured trade.
  for (const measured of [false, true]) {
    const d = terms();
    const id = (await escrow.dealCount()) + 1n;
    const g: Record<string, number> = {};
    g.offer = await gasOf(offer(d));
    const value = await buyerPays(d);
    g.accept = await gasOf(escrow.connect(buyer).accept(id, d, { value }));
    g.redeem = await gasOf(escrow.connect(buyer).redeem(id, d, true));
    // The seller ends its own fault window and is paid in one call.
    g["withdraw.sellerFinalizing"] = await gasOf(escrow.connect(seller).withdraw(id, d));
    g["withdraw.buyer"] = await gasOf(escrow.connect(buyer).withdraw(id, d));
    if (measured) {
      Object.assign(gas, g);
      gas.honestTrade = Object.values(g).reduce((a, b) => a + b, 0);
    }
  }
  // The same trade with a separate finalize and seller withdrawal.
  {
    const d = terms();
    const id = (await escrow.dealCount()) + 1n;
    await (await offer(d)).wait();
    await (await escrow.connect(buyer).accept(id, d, { value: await buyerPays(d) })).wait();
    await (await escrow.connect(buyer).redeem(id, d, true)).wait();
    gas.finalize = await gasOf(escrow.connect(seller).finalize(id, d));
    gas["withdraw.seller"] = await gasOf(escrow.connect(seller).withdraw(id, d));
  }

  // The other messages, on a dishonest path: refund requested, complaint, fault admitted.
  const d = terms();
  const id = (await escrow.dealCount()) + 1n;
  await (await offer(d)).wait();
  await (await escrow.connect(buyer).accept(id, d, { value: await buyerPays(d) })).wait();
  gas.requestRefund = await gasOf(escrow.connect(buyer).requestRefund(id, d));
  gas.complain = await gasOf(escrow.connect(buyer).complain(id, d));
  gas.cancelOrFault = await gasOf(escrow.connect(seller).cancelOrFault(id, d));
  const e = terms();
  const eid = (await escrow.dealCount()) + 1n;
  await (await offer(e)).wait();
  gas.withdrawOffer = await gasOf(escrow.connect(seller).withdrawOffer(eid, e));
  // A buyer's complaint after redeeming, the seller silent (R-C-NC): the table burns part of the pot.
  const f = terms();
  const fid = (await escrow.dealCount()) + 1n;
  await (await offer(f)).wait();
  await (await escrow.connect(buyer).accept(fid, f, { value: await buyerPays(f) })).wait();
  await (await escrow.connect(buyer).redeem(fid, f, false)).wait();
  await (await escrow.connect(buyer).complain(fid, f)).wait();
  await (await escrow.connect(seller).withdraw(fid, f)).wait();
  const [owner] = env.signers;
  gas.withdrawBurn = await gasOf(escrow.connect(owner).withdrawBurn(ZeroAddress));
  return gas;
}
