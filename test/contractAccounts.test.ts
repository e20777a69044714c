import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract } from "ethers";
import type { ClearingMarket, MockERC20, ReentrantReceiver } from "../typechain-types";
import { BASE_PARAMS, deployMarket, units } from "./clearing/fixture";
import { deployEscrow, UNIT, WINDOW } from "./exchange/fixture";
import { DEAD, ETH, expectBooks } from "./exchange/books";
import type { Terms } from "../src/exchange/model/terms";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { submit } from "./harness";

/**
 * Smart-contract wallets (a multisig, an account-abstraction wallet) are first-class parties:
 * every call of both contracts made through a contract account books, pays and emits for that
 * account, never for the externally owned account that sent the transaction. The wallets here
 * are plain forwarders (ReentrantReceiver with no callback); the sender of every transaction is
 * signer 0, which holds no position of its own.
 */

async function wallet(): Promise<ReentrantReceiver> {
  return (await (await ethers.getContractFactory("ReentrantReceiver")).deploy()) as unknown as ReentrantReceiver;
}

/** Calls `contract.fn(...args)` from `from`, attaching `value` for ETH. */
function via<C extends BaseContract>(from: ReentrantReceiver, contract: C, fn: string, args: unknown[], value = 0n) {
  const data = contract.interface.encodeFunctionData(fn as never, args as never);
  return from.execute(contract.target as string, value, data, { value });
}

describe("Contract accounts as parties", function () {
  for (const kind of ["ETH", "token"] as const) {
    it(`ClearingMarket (${kind}): a wallet agent and wallet recipients join, submit, settle, withdraw, leave and collect`, async () => {
      const [sender, other] = await ethers.getSigners();
      const [agent, fees, revenue] = [await wallet(), await wallet(), await wallet()];
      const token = (await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 18)) as unknown as MockERC20;
      const asset = kind === "ETH" ? ETH : await token.getAddress();
      const market = (await (
        await ethers.getContractFactory("ClearingMarket")
      ).deploy({
        asset,
        owner: sender.address,
        feeRecipient: await fees.getAddress(),
        revenueRecipient: await revenue.getAddress(),
        allowListOnly: true,
        params: { ...BASE_PARAMS, capacity: units(4), eta: units(1) },
      })) as unknown as ClearingMarket;
      const at = await market.getAddress();
      const A = await agent.getAddress();
      const pay = (amount: bigint) => (kind === "ETH" ? amount : 0n);
      if (kind === "token") {
        // Only the wallets hold tokens and allow the market: a pull from the sender would fail.
        for (const w of [agent]) {
          await token.mint(await w.getAddress(), units(100));
          await via(w, token, "approve", [at, ethers.MaxUint256]);
        }
        await token.mint(other.address, units(100));
        await token.connect(other).approve(at, ethers.MaxUint256);
      }
      const balance = (who: string) => (kind === "ETH" ? ethers.provider.getBalance(who) : token.balanceOf(who));

      // Only the wallet is allow-listed; the sender is not.
      await market.setAllowed(A, true);
      await market.setAllowed(other.address, true);
      await expect(via(agent, market, "join", [units(10)], pay(units(10))))
        .to.emit(market, "Joined")
        .withArgs(A);
      await expect(via(agent, market, "deposit", [units(2)], pay(units(2))))
        .to.emit(market, "Deposited")
        .withArgs(A, units(2));
      await market.connect(other).join(units(10), { value: pay(units(10)) });
      expect((await market.agents(A)).free).to.equal(units(12));
      expect((await market.agents(sender.address)).active, "the sender holds no position").to.equal(false);

      // Both demand 3 against capacity 4: the price rises and each gets 2 (pro rata).
      const round = (await market.currentRound())[0];
      await expect(via(agent, market, "submitDemand", [round, units(3), ethers.MaxUint256])).to.emit(
        market,
        "DemandSubmitted",
      );
      expect((await market.agents(A)).demand).to.equal(units(3));
      await submit(market, other, units(3));
      await market.closeRound();
      await via(agent, market, "settle", [A]);
      const settled = await market.agents(A);
      expect(settled.round).to.equal(0n);
      // Charged tau * 2 + g = 1.1 on the allocation of 2, the rest of the 1.6 reserve refunded.
      expect(settled.free).to.equal(units(12) - units("1.1"));

      // Second round at mu = 1 * (6 - 4) = 2: the wallet's demand of 1 pays revenue.
      await via(agent, market, "submitDemand", [(await market.currentRound())[0], units(1), ethers.MaxUint256]);
      await time.increase(BASE_PARAMS.roundDuration);
      await market.closeRound();
      const before = await balance(A);
      const free = units(12) - units("1.1") - units("0.5") - units(2) - units("0.1");
      await expect(via(agent, market, "withdraw", [free]))
        .to.emit(market, "Withdrawn")
        .withArgs(A, free);
      expect(await balance(A)).to.equal(before + free);
      expect((await market.agents(A)).free).to.equal(0n);
      const [openRound] = await market.currentRound();
      await expect(via(agent, market, "leave", []))
        .to.emit(market, "Left")
        .withArgs(A, openRound);
      expect((await market.agents(A)).active).to.equal(false);

      const feeBefore = await balance(await fees.getAddress());
      const owedFees = await market.feesAccrued();
      expect(owedFees).to.equal(units("1.1") + units("0.6"));
      await expect(via(fees, market, "withdrawFees", []))
        .to.emit(market, "FeesWithdrawn")
        .withArgs(await fees.getAddress(), owedFees);
      expect(await balance(await fees.getAddress())).to.equal(feeBefore + owedFees);
      const owedRevenue = await market.revenueAccrued();
      expect(owedRevenue).to.equal(units(2));
      await expect(via(revenue, market, "withdrawRevenue", []))
        .to.emit(market, "RevenueWithdrawn")
        .withArgs(await revenue.getAddress(), owedRevenue);
      expect(await balance(await revenue.getAddress())).to.equal(owedRevenue);
      // The sender, which is neither recipient, is refused.
      await expect(market.withdrawFees()).to.be.revertedWithCustomError(market, "NotRecipient");

      // Every refusal names the wallet that called, not the account that sent the transaction.
      const F = await fees.getAddress();
      await expect(via(fees, market, "join", [0n]))
        .to.be.revertedWithCustomError(market, "NotAllowed")
        .withArgs(F);
      await expect(via(fees, market, "submitDemand", [(await market.currentRound())[0], 1n, ethers.MaxUint256]))
        .to.be.revertedWithCustomError(market, "NotActive")
        .withArgs(F);
      await expect(via(fees, market, "leave", []))
        .to.be.revertedWithCustomError(market, "NotActive")
        .withArgs(F);
      await expect(via(fees, market, "withdrawRevenue", []))
        .to.be.revertedWithCustomError(market, "NotRecipient")
        .withArgs(F);
      await expect(via(revenue, market, "withdrawFees", []))
        .to.be.revertedWithCustomError(market, "NotRecipient")
        .withArgs(await revenue.getAddress());
      await via(agent, market, "join", [0n]);
      await expect(via(agent, market, "join", [0n]))
        .to.be.revertedWithCustomError(market, "AlreadyActive")
        .withArgs(A);
    });
  }

  it("ClearingMarket: a wallet's demand and its settlement, by whichever call comes next, are booked to the wallet", async () => {
    const { market } = await deployMarket();
    const agent = await wallet();
    const A = await agent.getAddress();
    await via(agent, market, "join", [units(10)], units(10));
    // Slack capacity: one unit costs tau + g = 0.6, all of it charged, nothing refunded.
    const settledFor = (round: bigint) => [round, A, units(1), units("0.6"), 0n, 0n];
    await expect(via(agent, market, "submitDemand", [(await market.currentRound())[0], units(1), ethers.MaxUint256]))
      .to.emit(market, "DemandSubmitted")
      .withArgs(1n, A, units(1), units("0.6"), units(1));
    await market.closeRound();
    await expect(via(agent, market, "submitDemand", [(await market.currentRound())[0], units(1), ethers.MaxUint256]))
      .to.emit(market, "Settled")
      .withArgs(...settledFor(1n));
    await market.closeRound();
    await expect(via(agent, market, "withdraw", [1n]))
      .to.emit(market, "Settled")
      .withArgs(...settledFor(2n));
    await via(agent, market, "submitDemand", [(await market.currentRound())[0], units(1), ethers.MaxUint256]);
    await market.closeRound();
    await expect(via(agent, market, "leave", []))
      .to.emit(market, "Settled")
      .withArgs(...settledFor(3n));
    await via(agent, market, "join", [0n]);
    await via(agent, market, "submitDemand", [(await market.currentRound())[0], units(1), ethers.MaxUint256]);
    await expect(via(agent, market, "leave", []))
      .to.emit(market, "DemandSubmitted")
      .withArgs(4n, A, 0n, 0n, 0n);
    expect((await market.agents(A)).free).to.equal(units(10) - 3n * units("0.6") - 1n);
  });

  for (const kind of ["ETH", "token"] as const) {
    it(`ExchangeEscrow (${kind}): wallet seller, buyer and burn recipient run every message, payout, balance and signature`, async () => {
      const { escrow, table, tableNumber, owner, packed } = await deployEscrow();
      const [seller, buyer, burn] = [await wallet(), await wallet(), await wallet()];
      const [S, B, W] = [await seller.getAddress(), await buyer.getAddress(), await burn.getAddress()];
      await escrow.connect(owner).setBurnRecipient(W);
      const token = (await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 18)) as unknown as MockERC20;
      const at = await escrow.getAddress();
      if (kind === "token") {
        for (const w of [seller, buyer]) {
          await token.mint(await w.getAddress(), 1000n * UNIT);
          await via(w, token, "approve", [at, ethers.MaxUint256]);
        }
      }
      const asset = kind === "ETH" ? ETH : await token.getAddress();
      const balance = (who: string) => (kind === "ETH" ? ethers.provider.getBalance(who) : token.balanceOf(who));
      const price = 10n * UNIT;
      let salt = 0n;
      const deals: Terms[] = [];
      const windows = { redeemWindow: WINDOW, complaintWindow: WINDOW, faultWindow: WINDOW };
      const terms = async (sellerOffers: boolean): Promise<Terms> => {
        const expiry = BigInt(await time.latest()) + WINDOW;
        deals.push({
          seller: S,
          buyer: B,
          asset,
          price,
          table: tableNumber,
          expiry,
          ...windows,
          sellerOffers,
          salt: ++salt,
          burnSetting: 1n, // W's setting
          fromWallet: false,
        });
        return deals[deals.length - 1];
      };
      const [sd, bd] = await escrow.depositsFor(tableNumber, price);
      const ethOf = (amount: bigint) => (kind === "ETH" ? amount : 0n);
      const share = (amount: bigint) => (amount * price) / UNIT;
      const books = () => expectBooks(escrow, asset, deals, [S, B, W, DEAD]);

      // The buyer offers, the seller accepts; redeem, confirm; the seller ends its window: both pushed.
      const honest = await terms(false);
      const hid = await escrow.dealId(packed(honest));
      await expect(via(buyer, escrow, "offer", [packed(honest)], ethOf(bd + price)))
        .to.emit(escrow, "Offered")
        .withArgs(hid, S, B, packed(honest));
      await expect(via(seller, escrow, "accept", [packed(honest)], ethOf(sd)))
        .to.emit(escrow, "Opened")
        .withArgs(hid, S, B, packed(honest));
      await expect(via(buyer, escrow, "redeem", [packed(honest), false]))
        .to.emit(escrow, "Redeemed")
        .withArgs(hid, false);
      await expect(via(buyer, escrow, "confirmQuality", [packed(honest)])).to.emit(escrow, "QualityConfirmed");
      const [sBefore, bBefore] = [await balance(S), await balance(B)];
      await expect(via(seller, escrow, "finalize", [packed(honest)]))
        .to.emit(escrow, "Finalized")
        .withArgs(hid, 4);
      expect(await balance(S)).to.equal(sBefore + share(table.seller[4]));
      expect(await balance(B)).to.equal(bBefore + share(table.buyer[4]));
      await books();

      // Refund requested, complaint, fault admitted: the burn is credited to the wallet recipient.
      const disputed = await terms(true);
      const did = await escrow.dealId(packed(disputed));
      await via(seller, escrow, "offer", [packed(disputed)], ethOf(sd));
      await via(buyer, escrow, "accept", [packed(disputed)], ethOf(bd + price));
      await expect(via(buyer, escrow, "requestRefund", [packed(disputed)])).to.emit(escrow, "RefundRequested");
      await expect(via(buyer, escrow, "complain", [packed(disputed)])).to.emit(escrow, "Complained");
      const state = 3; // complaint and fault, no redeem
      const burnt = sd + bd + price - share(table.seller[state]) - share(table.buyer[state]);
      const faulted = via(seller, escrow, "cancelOrFault", [packed(disputed)]);
      await expect(faulted).to.emit(escrow, "Faulted").withArgs(did);
      if (burnt > 0n) await expect(faulted).to.emit(escrow, "Credited").withArgs(did, W, asset, burnt);
      expect(await escrow.balances(W, asset)).to.equal(burnt);
      await books();
      await expect(via(burn, escrow, "withdraw", [asset, burnt]))
        .to.emit(escrow, "BalanceWithdrawn")
        .withArgs(W, asset, burnt);
      expect(await balance(W)).to.equal(burnt);

      // An offer the wallet takes back: the refund is pushed to it.
      const withdrawn = await terms(false);
      await via(buyer, escrow, "offer", [packed(withdrawn)], ethOf(bd + price));
      const before = await balance(B);
      await expect(via(buyer, escrow, "withdrawOffer", [packed(withdrawn)]))
        .to.emit(escrow, "OfferWithdrawn")
        .withArgs(await escrow.dealId(packed(withdrawn)), bd + price);
      expect(await balance(B)).to.equal(before + bd + price);

      // The buyer's wallet signs (ERC-1271) an offer funded from its balance; the seller's wallet opens it.
      const signed = await terms(false);
      const sid = await escrow.dealId(packed(signed));
      await expect(via(buyer, escrow, "deposit", [asset, bd + price], ethOf(bd + price)))
        .to.emit(escrow, "BalanceDeposited")
        .withArgs(B, asset, bd + price);
      await expect(via(seller, escrow, "acceptSigned", [packed(signed), "0x"], ethOf(sd)))
        .to.be.revertedWithCustomError(escrow, "InvalidSignature")
        .withArgs(sid);
      await buyer.approveHash(sid);
      await expect(via(seller, escrow, "acceptSigned", [packed(signed), "0x"], ethOf(sd)))
        .to.emit(escrow, "Opened")
        .withArgs(sid, S, B, packed(signed));
      expect(await escrow.balances(B, asset)).to.equal(0n);
      await via(buyer, escrow, "redeem", [packed(signed), true]);
      await via(seller, escrow, "finalize", [packed(signed)]);
      await books();

      // A signed offer the wallet cancels on chain cannot be opened.
      const cancelled = await terms(true);
      const cid = await escrow.dealId(packed(cancelled));
      await seller.approveHash(cid);
      await expect(via(seller, escrow, "cancelSigned", [packed(cancelled)]))
        .to.emit(escrow, "SignedOfferCancelled")
        .withArgs(cid);
      await expect(via(buyer, escrow, "acceptSigned", [packed(cancelled), "0x"], ethOf(bd + price)))
        .to.be.revertedWithCustomError(escrow, "DealExists")
        .withArgs(cid);

      // The sending account is none of the parties: its own calls are refused by its address.
      const eoa: HardhatEthersSigner = (await ethers.getSigners())[0];
      await expect(escrow.connect(eoa).cancelOrFault(packed(disputed)))
        .to.be.revertedWithCustomError(escrow, "NotParty")
        .withArgs(eoa.address);
      await books();
      expect(await balance(at), "every deal final, every balance withdrawn").to.equal(0n);
    });
  }

  it("ExchangeEscrow: a contract account that is no party is refused by name, with its own address", async () => {
    const { escrow, seller, buyer, terms, packed, sign } = await deployEscrow();
    const stranger = await wallet();
    const X = await stranger.getAddress();
    const notParty = async (fn: string, args: unknown[]) =>
      expect(via(stranger, escrow, fn, args), fn)
        .to.be.revertedWithCustomError(escrow, "NotParty")
        .withArgs(X);
    const offered = await terms();
    const p = packed(offered);
    await notParty("offer", [p]);
    await notParty("acceptSigned", [p, await sign(seller, offered)]);
    await notParty("cancelSigned", [p]);
    await escrow.connect(seller).offer(p);
    await notParty("accept", [p]);
    await notParty("withdrawOffer", [p]);
    const [, bd] = await escrow.depositsFor(offered.table, offered.price);
    await escrow.connect(buyer).accept(p, { value: bd + offered.price });
    for (const fn of ["requestRefund", "cancelOrFault"]) await notParty(fn, [p]);
    await notParty("redeem", [p, true]);
    await escrow.connect(buyer).redeem(p, false);
    for (const fn of ["complain", "confirmQuality"]) await notParty(fn, [p]);
    await expect(via(stranger, escrow, "finalize", [p]), "a stranger before the deadline")
      .to.be.revertedWithCustomError(escrow, "WrongStage")
      .withArgs(5, 3);
    await expect(via(stranger, escrow, "withdraw", [ETH, 1n]))
      .to.be.revertedWithCustomError(escrow, "InsufficientBalance")
      .withArgs(X, ETH, 1n, 0n);
  });
});
