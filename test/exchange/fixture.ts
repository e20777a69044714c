import { ethers } from "hardhat";
import { loadGame } from "../../src/exchange/design/game";
import { designTable } from "../../src/exchange/design/designer";
import { type PayoutTable } from "../../src/exchange/model/payoutTable";
import { publishDesign } from "../../src/exchange/design/publish";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { type Terms, TERMS_TYPES, escrowDomain, packTerms } from "../../src/exchange/model/terms";
import type { ExchangeEscrow } from "../../typechain-types";

import { UNIT } from "../../src/common/fixed";

export { UNIT };
export const WINDOW = 1000n;
/** The price of the fixture's deals, and what each side pays in under its table (buyer deposit 0.02). */
export const PRICE = 10n * UNIT;
export const BUYER_DEPOSIT = PRICE / 50n;
export const BUYER_PART = PRICE + BUYER_DEPOSIT;
/** The seller deposit at `PRICE` under the `withSellerDeposit` table (0.1 of the price). */
export const SELLER_PART = PRICE / 10n;

let cached: PayoutTable | undefined;
/** The seed's least-deposit core-exchange table (delta 0.01) with its p0, as the designer writes it. */
export async function defaultPayoutTable(): Promise<PayoutTable> {
  if (!cached) {
    const game = loadGame("games/core-exchange.json");
    const result = await designTable(game, { delta: 0.01, objective: "min-deposits" });
    if (result.status !== "optimal") throw new Error(`default design is ${result.status}`);
    cached = publishDesign(game, result.design).chain!; // with its smallest safe price as minPrice
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
  const tableNumber = await escrow.registerTable.staticCall(tableArg(table));
  await escrow.registerTable(tableArg(table));
  const domain = escrowDomain((await ethers.provider.getNetwork()).chainId, await escrow.getAddress());
  let salt = 0n;
  /** Fresh terms (a new salt each call, so every call is a new deal), seller offering, native ETH. */
  const terms = async (over: Partial<Terms> = {}): Promise<Terms> => ({
    seller: seller.address,
    buyer: buyer.address,
    asset: ethers.ZeroAddress,
    price: PRICE,
    table: tableNumber,
    expiry: BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + WINDOW,
    redeemWindow: WINDOW,
    complaintWindow: WINDOW,
    faultWindow: WINDOW,
    sellerOffers: true,
    salt: ++salt,
    burnSetting: 0n, // the deployment's own setting
    fromWallet: false,
    ...over,
  });
  /** The offerer's EIP-712 signature of `t`. */
  const sign = (signer: HardhatEthersSigner, t: Terms) => signer.signTypedData(domain, TERMS_TYPES, t);
  return {
    escrow,
    owner,
    burn,
    seller,
    buyer,
    other,
    rest,
    table,
    tableNumber,
    terms,
    sign,
    domain,
    packed: packTerms,
  };
}

/** The escrow with a second table (`sdTable`, its argument `sdArg`) that takes a seller deposit of 0.1 of the price too. */
export async function withSellerDeposit() {
  const f = await deployEscrow();
  const sdArg = { ...tableArg(f.table), sellerDeposit: UNIT / 10n };
  const sdTable = await f.escrow.registerTable.staticCall(sdArg);
  await f.escrow.registerTable(sdArg);
  return { ...f, sdTable, sdArg };
}
