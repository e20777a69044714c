import { ethers } from "hardhat";
import { loadGame } from "../../src/exchange/design/game";
import { designTable } from "../../src/exchange/design/designer";
import { type PayoutTable } from "../../src/exchange/model/payoutTable";
import { toPayoutTable } from "../../src/exchange/design/contractTable";
import type { Terms } from "../../src/exchange/model/exchangeEscrow";
import type { ExchangeEscrow } from "../../typechain-types";

import { UNIT } from "../../src/common/fixed";

export { UNIT };
export const WINDOW = 1000n;

let cached: PayoutTable | undefined;
/** The default core-exchange table: min deposits, delta 0.01, as the designer writes it. */
export async function defaultPayoutTable(): Promise<PayoutTable> {
  if (!cached) {
    const result = await designTable(loadGame("games/core-exchange.json"), { delta: 0.01, objective: "min-deposits" });
    if (result.status !== "optimal") throw new Error(`default design is ${result.status}`);
    cached = toPayoutTable(result.design);
  }
  return cached;
}

export const tableArg = (t: PayoutTable) => ({
  sellerDeposit: t.sellerDeposit,
  buyerDeposit: t.buyerDeposit,
  seller: t.seller,
  buyer: t.buyer,
  minPrice: t.minPrice,
});

export async function deployEscrow() {
  const [owner, burn, seller, buyer, other, ...rest] = await ethers.getSigners();
  const escrow = (await (
    await ethers.getContractFactory("ExchangeEscrow")
  ).deploy(owner.address, burn.address)) as unknown as ExchangeEscrow;
  const table = await defaultPayoutTable();
  const tableId = await escrow.registerTable.staticCall(tableArg(table));
  await escrow.registerTable(tableArg(table));
  const terms = (over: Partial<Terms> = {}): Terms => ({
    seller: seller.address,
    buyer: buyer.address,
    asset: ethers.ZeroAddress,
    price: 10n * UNIT,
    tableId,
    acceptWindow: WINDOW,
    redeemWindow: WINDOW,
    complaintWindow: WINDOW,
    faultWindow: WINDOW,
    sellerOffers: true,
    ...over,
  });
  return { escrow, owner, burn, seller, buyer, other, rest, table, tableId, terms };
}
