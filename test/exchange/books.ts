/**
 * The escrow's accounting invariant, checked from outside (brief §9): per asset, what the contract
 * holds equals the money of its deals (Offered: the offerer's part; Redeem, Complaint, Fault: the
 * pot; Final, Withdrawn: nothing) plus every balance in it. Tests list the deals and the accounts.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { BaseContract } from "ethers";
import type { ExchangeEscrow, ReentrantReceiver } from "../../typechain-types";
import { type Terms, packTerms } from "../../src/exchange/model/terms";
import type { deployEscrow } from "./fixture";

export const ETH = ethers.ZeroAddress;
export const DEAD = "0x000000000000000000000000000000000000dEaD";
const Stage = { Offered: 1n, Redeem: 2n, Complaint: 3n, Fault: 4n };

/** What `escrow` holds of `asset` (ETH or an ERC-20 with balanceOf). */
export async function holdings(escrow: ExchangeEscrow, asset: string): Promise<bigint> {
  if (asset === ETH) return ethers.provider.getBalance(escrow.target);
  const token = new ethers.Contract(asset, ["function balanceOf(address) view returns (uint256)"], ethers.provider);
  return (await token.balanceOf(escrow.target)) as bigint;
}

/** The money `deals` (all in `asset`) hold by their stages, plus the balances of `accounts`. */
export async function owed(escrow: ExchangeEscrow, asset: string, deals: Terms[], accounts: string[]) {
  let sum = 0n;
  for (const t of deals) {
    const stage = BigInt((await escrow.deals(await escrow.dealId(packTerms(t)))).stage);
    const [sd, bd] = await escrow.depositsFor(t.table, t.price);
    if (stage === Stage.Offered) sum += t.sellerOffers ? sd : bd + t.price;
    else if (stage >= Stage.Redeem && stage <= Stage.Fault) sum += sd + bd + t.price;
  }
  for (const a of new Set(accounts)) sum += await escrow.balances(a, asset);
  return sum;
}

/** Asserts held == owed (+ `extra`, money that reached the contract without a call). */
export async function expectBooks(
  escrow: ExchangeEscrow,
  asset: string,
  deals: Terms[],
  accounts: string[],
  extra = 0n,
  what = "held == owed",
) {
  expect(await holdings(escrow, asset), what).to.equal((await owed(escrow, asset, deals, accounts)) + extra);
}

/** Calls `contract.fn(...args)` from the contract account `from`, attaching `value`. */
export function via<C extends BaseContract>(
  from: ReentrantReceiver,
  contract: C,
  fn: string,
  args: unknown[],
  value = 0n,
) {
  const data = contract.interface.encodeFunctionData(fn as never, args as never);
  return from.execute(contract.target as string, value, data, { value });
}

/**
 * A deal whose buyer is a fresh `ReentrantReceiver` (`R`, at `R`'s address): the seller offers on
 * chain, the receiver accepts and redeems with quality confirmed, so the seller's `finalize` next
 * pays it. `at` is the escrow's address, for the receiver's callbacks.
 */
export async function receiverBuyerDeal(
  env: Pick<Awaited<ReturnType<typeof deployEscrow>>, "escrow" | "seller" | "terms" | "packed">,
) {
  const { escrow, seller, terms, packed } = env;
  const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
  const R = await receiver.getAddress();
  const at = await escrow.getAddress();
  const t = await terms({ buyer: R });
  const [sd, bd] = await escrow.depositsFor(t.table, t.price);
  await escrow.connect(seller).offer(packed(t), { value: sd });
  await via(receiver, escrow, "accept", [packed(t)], bd + t.price);
  await via(receiver, escrow, "redeem", [packed(t), true]);
  return { receiver, R, at, t, sd, bd };
}
