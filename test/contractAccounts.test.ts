import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract } from "ethers";
import type { ClearingMarket, MockERC20, ReentrantReceiver } from "../typechain-types";
import { BASE_PARAMS, deployMarket, units } from "./clearing/fixture";
import { deployEscrow, UNIT, WINDOW } from "./exchange/fixture";
import { time } from "@nomicfoundation/hardhat-network-helpers";

/**
 * Smart-contract wallets (a multisig, an account-abstraction wallet) are first-class parties:
 * every call of both contracts made through a contract account books, pays and emits for that
 * account, never for the externally owned account that sent the transaction. The wallets here
 * are plain forwarders (ReentrantReceiver with no callback); the sender of every transaction is
 * signer 0, which holds no position of its own.
 */
const ETH = ethers.ZeroAddress;

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
      await expect(via(agent, market, "submitDemand", [units(3)])).to.emit(market, "DemandSubmitted");
      expect((await market.agents(A)).demand).to.equal(units(3));
      await market.connect(other).submitDemand(units(3));
      await market.closeRound();
      await via(agent, market, "settle", [A]);
      const settled = await market.agents(A);
      expect(settled.round).to.equal(0n);
      // Charged tau * 2 + g = 1.1 on the allocation of 2, the rest of the 1.6 reserve refunded.
      expect(settled.free).to.equal(units(12) - units("1.1"));

      // Second round at mu = 1 * (6 - 4) = 2: the wallet's demand of 1 pays revenue.
      await via(agent, market, "submitDemand", [units(1)]);
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
      await expect(via(fees, market, "submitDemand", [1n]))
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
    await expect(via(agent, market, "submitDemand", [units(1)]))
      .to.emit(market, "DemandSubmitted")
      .withArgs(1n, A, units(1), units("0.6"), units(1));
    await market.closeRound();
    await expect(via(agent, market, "submitDemand", [units(1)]))
      .to.emit(market, "Settled")
      .withArgs(...settledFor(1n));
    await market.closeRound();
    await expect(via(agent, market, "withdraw", [1n]))
      .to.emit(market, "Settled")
      .withArgs(...settledFor(2n));
    await via(agent, market, "submitDemand", [units(1)]);
    await market.closeRound();
    await expect(via(agent, market, "leave", []))
      .to.emit(market, "Settled")
      .withArgs(...settledFor(3n));
    await via(agent, market, "join", [0n]);
    await via(agent, market, "submitDemand", [units(1)]);
    await expect(via(agent, market, "leave", []))
      .to.emit(market, "DemandSubmitted")
      .withArgs(4n, A, 0n, 0n, 0n);
    expect((await market.agents(A)).free).to.equal(units(10) - 3n * units("0.6") - 1n);
  });

  for (const kind of ["ETH", "token"] as const) {
    it(`ExchangeEscrow (${kind}): wallet seller, buyer and burn recipient run every message and payout`, async () => {
      const { escrow, table, tableId, owner } = await deployEscrow();
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
      const terms = (sellerOffers: boolean) => ({
        seller: S,
        buyer: B,
        asset,
        price,
        tableId,
        acceptWindow: WINDOW + salt++,
        redeemWindow: WINDOW,
        complaintWindow: WINDOW,
        faultWindow: WINDOW,
        sellerOffers,
      });
      const [sd, bd] = await escrow.depositsFor(tableId, price);
      const ethOf = (amount: bigint) => (kind === "ETH" ? amount : 0n);
      const share = (amount: bigint) => (amount * price) / UNIT;

      // The buyer offers, the seller accepts; redeem, seller withdraws (closing its window), buyer withdraws.
      const honest = terms(false);
      await expect(via(buyer, escrow, "offer", [honest], ethOf(bd + price))).to.emit(escrow, "Offered");
      await expect(via(seller, escrow, "accept", [1n, honest], ethOf(sd))).to.emit(escrow, "Accepted");
      await expect(via(buyer, escrow, "redeem", [1n, honest, false]))
        .to.emit(escrow, "Redeemed")
        .withArgs(1n);
      await expect(via(buyer, escrow, "confirmQuality", [1n, honest])).to.emit(escrow, "QualityConfirmed");
      const sBefore = await balance(S);
      await expect(via(seller, escrow, "finalize", [1n, honest])).to.emit(escrow, "Finalized");
      await expect(via(seller, escrow, "withdraw", [1n, honest]))
        .to.emit(escrow, "PayoutWithdrawn")
        .withArgs(1n, S, share(table.seller[4]));
      expect(await balance(S)).to.equal(sBefore + share(table.seller[4]));
      const bBefore = await balance(B);
      await via(buyer, escrow, "withdraw", [1n, honest]);
      expect(await balance(B)).to.equal(bBefore + share(table.buyer[4]));

      // Refund requested, complaint, fault admitted: the burn goes to the wallet recipient.
      const disputed = terms(true);
      await via(seller, escrow, "offer", [disputed], ethOf(sd));
      await via(buyer, escrow, "accept", [2n, disputed], ethOf(bd + price));
      await expect(via(buyer, escrow, "requestRefund", [2n, disputed])).to.emit(escrow, "RefundRequested");
      await expect(via(buyer, escrow, "complain", [2n, disputed])).to.emit(escrow, "Complained");
      await expect(via(seller, escrow, "cancelOrFault", [2n, disputed])).to.emit(escrow, "Faulted");
      const state = 3; // complaint and fault, no redeem
      const burnt = sd + bd + price - share(table.seller[state]) - share(table.buyer[state]);
      expect(await escrow.burnAccrued(asset)).to.equal(burnt);
      await expect(via(burn, escrow, "withdrawBurn", [asset]))
        .to.emit(escrow, "BurnWithdrawn")
        .withArgs(asset, W, burnt);
      expect(await balance(W)).to.equal(burnt);

      // An offer the wallet takes back.
      const withdrawn = terms(false);
      await via(buyer, escrow, "offer", [withdrawn], ethOf(bd + price));
      const before = await balance(B);
      await expect(via(buyer, escrow, "withdrawOffer", [3n, withdrawn]))
        .to.emit(escrow, "OfferWithdrawn")
        .withArgs(3n, bd + price);
      expect(await balance(B)).to.equal(before + bd + price);

      // The seller's wallet withdrawing in its own fault window closes it and is paid at once.
      const quick = terms(false);
      await via(buyer, escrow, "offer", [quick], ethOf(bd + price));
      await via(seller, escrow, "accept", [4n, quick], ethOf(sd));
      await via(buyer, escrow, "redeem", [4n, quick, true]);
      await expect(via(seller, escrow, "withdraw", [4n, quick]))
        .to.emit(escrow, "Finalized")
        .and.to.emit(escrow, "PayoutWithdrawn")
        .withArgs(4n, S, share(table.seller[4]));
      await expect(via(seller, escrow, "withdraw", [4n, quick]))
        .to.be.revertedWithCustomError(escrow, "AlreadyWithdrawn")
        .withArgs(4n, S);
      await via(buyer, escrow, "withdraw", [4n, quick]);

      // The sending account is none of the parties: its own calls are refused.
      const eoa: HardhatEthersSigner = (await ethers.getSigners())[0];
      await expect(escrow.connect(eoa).withdraw(2n, disputed)).to.be.revertedWithCustomError(escrow, "NotParty");
      expect(await balance(at)).to.equal(
        share(table.seller[state]) + share(table.buyer[state]),
        "only deal 2's payouts remain",
      );
    });
  }

  it("ExchangeEscrow: a contract account that is no party is refused by name, with its own address", async () => {
    const { escrow, seller, buyer, terms } = await deployEscrow();
    const stranger = await wallet();
    const X = await stranger.getAddress();
    const notParty = async (fn: string, args: unknown[], error = "NotParty") =>
      expect(via(stranger, escrow, fn, args), fn)
        .to.be.revertedWithCustomError(escrow, error)
        .withArgs(X);
    const offered = terms();
    await notParty("offer", [offered]);
    await escrow.connect(seller).offer(offered);
    await notParty("accept", [1n, offered]);
    await notParty("withdrawOffer", [1n, offered]);
    await escrow.connect(buyer).accept(1n, offered, { value: offered.price + offered.price / 50n });
    await notParty("redeem", [1n, offered, true]);
    await escrow.connect(buyer).redeem(1n, offered, true);
    await notParty("cancelOrFault", [1n, offered]);
    await escrow.connect(seller).finalize(1n, offered);
    await notParty("withdraw", [1n, offered]);
    await notParty("withdrawBurn", [ETH], "NotBurnRecipient");
  });
});
