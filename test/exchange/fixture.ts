import { ethers } from "hardhat";
import { loadGame } from "../../src/exchange/design/game";
import { designTable } from "../../src/exchange/design/designer";
import { type ChainTable, toChainTable } from "../../src/exchange/model/payoutTable";
import type { Terms } from "../../src/exchange/model/exchangeEscrow";
import type { ExchangeEscrow } from "../../typechain-types";

export const E18 = 10n ** 18n;
export const WINDOW = 1000n;

let cached: ChainTable | undefined;
/** The default core-exchange table: min deposits, delta 0.01, as the designer writes it. */
export async function defaultChainTable(): Promise<ChainTable> {
  if (!cached) {
    const result = await designTable(loadGame("games/core-exchange.json"), { delta: 0.01, objective: "min-deposits" });
    if (result.status !== "optimal") throw new Error(`default design is ${result.status}`);
    cached = toChainTable(result.design);
  }
  return cached;
}

export const tableArg = (t: ChainTable) => ({
  sellerDeposit: t.sellerDeposit,
  buyerDeposit: t.buyerDeposit,
  seller: t.seller,
  buyer: t.buyer,
});

export async function deployEscrow() {
  const [owner, burn, seller, buyer, other, ...rest] = await ethers.getSigners();
  const escrow = (await (
    await ethers.getContractFactory("ExchangeEscrow")
  ).deploy(owner.address, burn.address)) as unknown as ExchangeEscrow;
  const table = await defaultChainTable();
  const tableId = await escrow.registerTable.staticCall(tableArg(table));
  await escrow.registerTable(tableArg(table));
  const terms = (over: Partial<Terms> = {}): Terms => ({
    seller: seller.address,
    buyer: buyer.address,
    asset: ethers.ZeroAddress,
    price: 10n * E18,
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
