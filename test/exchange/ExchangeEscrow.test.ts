import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployEscrow, UNIT, tableArg, WINDOW } from "./fixture";
import { payoutTableFromJson, payoutTableToJson } from "../../src/exchange/model/payoutTable";

const ETH = ethers.ZeroAddress;

/** Seller offered, buyer accepted: the redeem window is open. */
async function accepted() {
  const f = await deployEscrow();
  const t = f.terms();
  await f.escrow.connect(f.seller).offer(t);
  await f.escrow.connect(f.buyer).accept(1, t, { value: t.price + t.price / 50n });
  return { ...f, t };
}

describe("ExchangeEscrow", () => {
  describe("tables", () => {
    it("registers a table once, by content hash, and refuses one that pays out more than its pot", async () => {
      const { escrow, table, tableId } = await loadFixture(deployEscrow);
      expect(await escrow.tableRegistered(tableId)).to.equal(true);
      expect(tableId).to.equal(
        ethers.keccak256(
          ethers.AbiCoder.defaultAbiCoder().encode(
            ["tuple(uint96,uint96,uint96[8],uint96[8],uint64)"],
            [[table.sellerDeposit, table.buyerDeposit, table.seller, table.buyer, table.minPrice]],
          ),
        ),
      );
      await expect(escrow.registerTable(tableArg(table))).not.to.emit(escrow, "TableRegistered");
      const overpaying = { ...tableArg(table), seller: [...table.seller] };
      overpaying.seller[6] = table.sellerDeposit + table.buyerDeposit + UNIT - table.buyer[6] + 1n;
      await expect(escrow.registerTable(overpaying)).to.be.revertedWithCustomError(escrow, "TableOverpays").withArgs(6);
      // The first and the last state are checked too.
      for (const state of [0, 7]) {
        const over = { ...tableArg(table), buyer: [...table.buyer] };
        over.buyer[state] = table.sellerDeposit + table.buyerDeposit + UNIT - table.seller[state] + 1n;
        await expect(escrow.registerTable(over)).to.be.revertedWithCustomError(escrow, "TableOverpays").withArgs(state);
      }
      expect((await escrow.getTable(tableId)).buyer[2]).to.equal(table.buyer[2]);
    });

    it("lets anyone register a table: a table is content, not a privilege", async () => {
      const { escrow, table, other } = await loadFixture(deployEscrow);
      const variant = { ...tableArg(table), buyerDeposit: table.buyerDeposit + 1n };
      await expect(escrow.connect(other).registerTable(variant)).to.emit(escrow, "TableRegistered");
    });

    it("a table's minPrice is part of its content: its own id, kept and returned by getTable", async () => {
      const { escrow, table, tableId } = await loadFixture(deployEscrow);
      expect(table.minPrice).to.equal(0n);
      expect((await escrow.getTable(tableId)).minPrice).to.equal(0n);
      const withMin = { ...tableArg(table), minPrice: 400n };
      const minId = await escrow.registerTable.staticCall(withMin);
      expect(minId).to.not.equal(tableId);
      await expect(escrow.registerTable(withMin)).to.emit(escrow, "TableRegistered");
      expect(await escrow.tableRegistered(minId)).to.equal(true);
      const stored = await escrow.getTable(minId);
      expect(stored.minPrice).to.equal(400n);
      expect([stored.sellerDeposit, stored.buyerDeposit, [...stored.seller], [...stored.buyer]]).to.deep.equal([
        table.sellerDeposit,
        table.buyerDeposit,
        table.seller,
        table.buyer,
      ]);
      // The largest minPrice round-trips too, and differs in id again.
      const top = { ...tableArg(table), minPrice: 2n ** 64n - 1n };
      const topId = await escrow.registerTable.staticCall(top);
      expect(topId).to.not.equal(minId);
      await escrow.registerTable(top);
      expect((await escrow.getTable(topId)).minPrice).to.equal(2n ** 64n - 1n);
    });

    it("the JSON form carries minPrice as a decimal string and requires it", async () => {
      const { table } = await loadFixture(deployEscrow);
      const withMin = { ...table, minPrice: 2n ** 64n - 1n };
      const json = payoutTableToJson(withMin);
      expect(json.minPrice).to.equal("18446744073709551615");
      expect(payoutTableFromJson(json)).to.deep.equal(withMin);
      const { minPrice: _omitted, ...old } = json;
      expect(() => payoutTableFromJson(old as typeof json)).to.throw(/"minPrice" is missing/);
    });

    it("refuses an offer below the table's minPrice and accepts one at it", async () => {
      const { escrow, table, seller, buyer, terms } = await loadFixture(deployEscrow);
      const withMin = { ...tableArg(table), minPrice: 400n };
      const tableId = await escrow.registerTable.staticCall(withMin);
      await escrow.registerTable(withMin);
      await expect(escrow.connect(seller).offer(terms({ tableId, price: 399n })))
        .to.be.revertedWithCustomError(escrow, "PriceBelowMinimum")
        .withArgs(399n, 400n);
      await expect(escrow.connect(buyer).offer(terms({ tableId, price: 1n, sellerOffers: false }), { value: 2n }))
        .to.be.revertedWithCustomError(escrow, "PriceBelowMinimum")
        .withArgs(1n, 400n);
      expect(await escrow.dealCount()).to.equal(0n);
      // At the minimum: the buyer's deposit 0.02 * 400 = 8 wei.
      const t = terms({ tableId, price: 400n });
      await expect(escrow.connect(seller).offer(t)).to.emit(escrow, "Offered");
      await expect(escrow.connect(buyer).accept(1, t, { value: 408n })).to.emit(escrow, "Accepted");
      // The default table (minPrice 0) still takes any positive price.
      await expect(escrow.connect(seller).offer(terms({ price: 1n }))).to.emit(escrow, "Offered");
    });

    it("derives deposits from the price, rounding up", async () => {
      const { escrow, tableId } = await loadFixture(deployEscrow);
      // Buyer deposit 0.02 of the price: 0.02 * 99 wei = 1.98 -> 2 wei.
      expect(await escrow.depositsFor(tableId, 99n)).to.deep.equal([0n, 2n]);
      expect(await escrow.depositsFor(tableId, 10n * UNIT)).to.deep.equal([0n, UNIT / 5n]);
    });
  });

  describe("offer, accept, withdraw an offer", () => {
    it("a seller's offer takes its deposit; a buyer's offer takes deposit + price", async () => {
      const { escrow, seller, buyer, terms } = await loadFixture(deployEscrow);
      const t = terms();
      const block = (await ethers.provider.getBlock("latest"))!.timestamp;
      await time.setNextBlockTimestamp(block + 10);
      await expect(escrow.connect(seller).offer(t))
        .to.emit(escrow, "Offered")
        .withArgs(1n, Object.values(t), 0n, UNIT / 5n, BigInt(block + 10) + WINDOW);
      const deal = await escrow.deals(1);
      expect(deal.stage).to.equal(1n);
      expect(deal.deadline).to.equal(BigInt(block + 10) + WINDOW);
      const tb = terms({ sellerOffers: false, price: 5n * UNIT });
      await expect(escrow.connect(buyer).offer(tb, { value: 5n * UNIT + UNIT / 10n })).to.changeEtherBalance(
        buyer,
        -(5n * UNIT + UNIT / 10n),
      );
      expect(await escrow.dealCount()).to.equal(2n);
    });

    it("rejects bad terms and wrong callers with named errors", async () => {
      const { escrow, seller, buyer, other, terms } = await loadFixture(deployEscrow);
      await expect(escrow.connect(seller).offer(terms({ buyer: seller.address })))
        .to.be.revertedWithCustomError(escrow, "InvalidParties")
        .withArgs(seller.address, seller.address);
      await expect(escrow.connect(seller).offer(terms({ buyer: ETH }))).to.be.revertedWithCustomError(
        escrow,
        "InvalidParties",
      );
      await expect(escrow.connect(seller).offer(terms({ price: 0n }))).to.be.revertedWithCustomError(
        escrow,
        "ZeroPrice",
      );
      await expect(escrow.connect(seller).offer(terms({ faultWindow: 0n }))).to.be.revertedWithCustomError(
        escrow,
        "ZeroWindow",
      );
      const unknown = ethers.id("no such table");
      await expect(escrow.connect(seller).offer(terms({ tableId: unknown })))
        .to.be.revertedWithCustomError(escrow, "UnknownTable")
        .withArgs(unknown);
      await expect(escrow.connect(other).offer(terms()))
        .to.be.revertedWithCustomError(escrow, "NotParty")
        .withArgs(other.address);
      await expect(escrow.connect(buyer).offer(terms({ sellerOffers: false }), { value: 1n }))
        .to.be.revertedWithCustomError(escrow, "WrongNativeValue")
        .withArgs(10n * UNIT + UNIT / 5n, 1n);
      expect(await escrow.dealCount()).to.equal(0n);
    });

    it("accepts until the offer's deadline: -1 accepted, 0 rejected", async () => {
      const { escrow, seller, buyer, terms } = await loadFixture(deployEscrow);
      const t = terms();
      await escrow.connect(seller).offer(t);
      await escrow.connect(seller).offer(t);
      const deadline = (await escrow.deals(1)).deadline;
      const pay = { value: t.price + t.price / 50n };
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(escrow.connect(buyer).accept(1, t, pay))
        .to.emit(escrow, "Accepted")
        .withArgs(1n, deadline - 1n + WINDOW);
      await time.setNextBlockTimestamp((await escrow.deals(2)).deadline);
      await expect(escrow.connect(buyer).accept(2, t, pay))
        .to.be.revertedWithCustomError(escrow, "OfferExpired")
        .withArgs(2n, (await escrow.deals(2)).deadline);
    });

    it("checks the deal id, the terms and the accepting party", async () => {
      const { escrow, seller, buyer, other, terms } = await loadFixture(deployEscrow);
      const t = terms();
      await escrow.connect(seller).offer(t);
      await expect(escrow.connect(buyer).accept(7, t))
        .to.be.revertedWithCustomError(escrow, "UnknownDeal")
        .withArgs(7n);
      await expect(escrow.connect(buyer).accept(1, { ...t, price: t.price - 1n }))
        .to.be.revertedWithCustomError(escrow, "TermsMismatch")
        .withArgs(1n);
      await expect(escrow.connect(other).accept(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      await expect(escrow.connect(seller).accept(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      // A deal stores the first 200 bits of keccak256(abi.encode(terms)): anyone holding terms can
      // check them against a deal without the contract.
      const encoded = ethers.AbiCoder.defaultAbiCoder().encode([escrow.interface.getFunction("offer")!.inputs[0]], [t]);
      expect((await escrow.deals(1)).termsHash).to.equal(ethers.keccak256(encoded).slice(0, 2 + 50));
      await escrow.connect(buyer).accept(1, t, { value: t.price + t.price / 50n });
      await expect(escrow.connect(buyer).accept(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(1, 2); // Offered expected, Redeem found
    });

    it("the offerer withdraws an unaccepted offer, expired or not, and only once", async () => {
      const { escrow, seller, buyer, terms } = await loadFixture(deployEscrow);
      const t = terms({ sellerOffers: false });
      const paid = t.price + t.price / 50n;
      await escrow.connect(buyer).offer(t, { value: paid });
      await expect(escrow.connect(seller).withdrawOffer(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      await time.increase(2n * WINDOW); // expired
      // An expired offer is no deal to finalize: only its offerer takes it back.
      await expect(escrow.connect(seller).finalize(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(5, 1);
      expect((await escrow.deals(1)).stage).to.equal(1n);
      await expect(escrow.connect(buyer).withdrawOffer(1, t)).to.changeEtherBalance(buyer, paid);
      await expect(escrow.connect(buyer).withdrawOffer(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(1, 6);
      await expect(escrow.connect(seller).accept(1, t)).to.be.revertedWithCustomError(escrow, "WrongStage");
    });
  });

  describe("messages and windows", () => {
    it("only the buyer redeems, complains or confirms; only the seller admits fault", async () => {
      const { escrow, seller, buyer, t } = await loadFixture(accepted);
      await expect(escrow.connect(seller).redeem(1, t, false)).to.be.revertedWithCustomError(escrow, "NotParty");
      await expect(escrow.connect(seller).requestRefund(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      await expect(escrow.connect(buyer).cancelOrFault(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      // Out of order: the complaint window is not open yet.
      await expect(escrow.connect(buyer).complain(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(3, 2);
      await expect(escrow.connect(seller).cancelOrFault(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(4, 2);
      await expect(escrow.connect(buyer).finalize(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(5, 2);
      await expect(escrow.connect(buyer).withdraw(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(5, 2);
      await escrow.connect(buyer).redeem(1, t, false);
      await expect(escrow.connect(buyer).redeem(1, t, false))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(2, 3);
      await expect(escrow.connect(seller).complain(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      await expect(escrow.connect(seller).confirmQuality(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      await escrow.connect(buyer).complain(1, t);
      const deal = await escrow.deals(1);
      expect(deal.stage).to.equal(4n);
      expect(deal.flags).to.equal(6n); // R and C
    });

    it("redeem with confirmQuality skips straight to the fault window", async () => {
      const { escrow, buyer, t } = await loadFixture(accepted);
      await expect(escrow.connect(buyer).redeem(1, t, true))
        .to.emit(escrow, "Redeemed")
        .and.to.emit(escrow, "QualityConfirmed");
      expect((await escrow.deals(1)).stage).to.equal(4n);
    });

    it("a window closes at its deadline (-1 open, 0 closed) and the next starts from that deadline", async () => {
      const { escrow, buyer, t } = await loadFixture(accepted);
      const redeemDeadline = (await escrow.deals(1)).deadline;
      await time.setNextBlockTimestamp(redeemDeadline);
      // The redeem window closed without Redeem; the complaint window runs to deadline + WINDOW.
      await expect(escrow.connect(buyer).redeem(1, t, false))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(2, 3);
      await time.setNextBlockTimestamp(redeemDeadline + WINDOW - 1n);
      await expect(escrow.connect(buyer).complain(1, t))
        .to.emit(escrow, "WindowExpired")
        .withArgs(1n, 2)
        .and.to.emit(escrow, "Complained");
      const deal = await escrow.deals(1);
      expect(deal.flags).to.equal(2n);
      expect(deal.deadline).to.equal(redeemDeadline + WINDOW - 1n + WINDOW);
    });

    it("after every deadline anyone finalizes; finalizing twice is refused", async () => {
      const { escrow, other, t } = await loadFixture(accepted);
      await expect(escrow.connect(other).finalize(1, t)).to.be.revertedWithCustomError(escrow, "WrongStage");
      await time.increase(3n * WINDOW);
      await expect(escrow.connect(other).finalize(1, t))
        .to.emit(escrow, "Finalized")
        .withArgs(1n, 0, 0n, 0n, 10n * UNIT + UNIT / 5n);
      expect(await escrow.burnAccrued(ETH)).to.equal(10n * UNIT + UNIT / 5n);
      await expect(escrow.connect(other).finalize(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(4, 5);
    });

    it("before the last deadline only the seller finalizes, and only in its own fault window", async () => {
      const { escrow, seller, buyer, other, t } = await loadFixture(accepted);
      await expect(escrow.connect(seller).finalize(1, t))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(5, 2);
      await escrow.connect(buyer).redeem(1, t, true);
      for (const caller of [buyer, other]) {
        await expect(escrow.connect(caller).finalize(1, t))
          .to.be.revertedWithCustomError(escrow, "WrongStage")
          .withArgs(5, 4);
      }
      await expect(escrow.connect(seller).finalize(1, t))
        .to.emit(escrow, "Finalized")
        .withArgs(1n, 4, t.price, t.price / 50n, 0n);
    });

    it("payouts go only to the parties, once each; the burn only to its recipient", async () => {
      const { escrow, seller, buyer, other, burn, owner, t } = await loadFixture(accepted);
      await escrow.connect(buyer).redeem(1, t, true);
      await escrow.connect(seller).finalize(1, t);
      await expect(escrow.connect(other).withdraw(1, t)).to.be.revertedWithCustomError(escrow, "NotParty");
      await expect(escrow.connect(buyer).withdraw(1, t)).to.changeEtherBalance(buyer, UNIT / 5n);
      await expect(escrow.connect(buyer).withdraw(1, t))
        .to.be.revertedWithCustomError(escrow, "AlreadyWithdrawn")
        .withArgs(1n, buyer.address);
      await expect(escrow.connect(seller).withdraw(1, t)).to.changeEtherBalance(seller, 10n * UNIT);
      await expect(escrow.connect(other).withdrawBurn(ETH)).to.be.revertedWithCustomError(escrow, "NotBurnRecipient");
      await expect(escrow.connect(burn).withdrawBurn(ETH)).to.changeEtherBalance(burn, 0n);
      await expect(escrow.connect(other).setBurnRecipient(other.address))
        .to.be.revertedWithCustomError(escrow, "OwnableUnauthorizedAccount")
        .withArgs(other.address);
      await expect(escrow.connect(owner).setBurnRecipient(ETH)).to.be.revertedWithCustomError(escrow, "ZeroAddress");
      await expect(escrow.connect(owner).setBurnRecipient(other.address))
        .to.emit(escrow, "BurnRecipientSet")
        .withArgs(other.address);
    });
  });

  describe("the seller's withdrawal during its fault window", () => {
    it("closes the window without a fault and pays the seller in the same call", async () => {
      const { escrow, seller, buyer, t } = await loadFixture(accepted);
      await escrow.connect(buyer).redeem(1, t, true);
      const pay = escrow.connect(seller).withdraw(1, t);
      await expect(pay)
        .to.emit(escrow, "Finalized")
        .withArgs(1n, 4, t.price, t.price / 50n, 0n);
      await expect(pay).to.changeEtherBalance(seller, t.price);
      expect((await escrow.deals(1)).stage).to.equal(5n);
      // The buyer cannot end the seller's window by withdrawing.
      const second = await deployEscrow();
      const t2 = second.terms();
      await second.escrow.connect(second.seller).offer(t2);
      await second.escrow.connect(second.buyer).accept(1, t2, { value: t2.price + t2.price / 50n });
      await second.escrow.connect(second.buyer).redeem(1, t2, true);
      await expect(second.escrow.connect(second.buyer).withdraw(1, t2))
        .to.be.revertedWithCustomError(second.escrow, "WrongStage")
        .withArgs(5, 4);
    });
  });

  describe("ERC-20 deals and hostile receivers", () => {
    it("runs a token deal and refuses a token that delivers less than was sent", async () => {
      const { escrow, seller, buyer, terms } = await loadFixture(deployEscrow);
      const token = await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 6);
      const t = terms({ asset: await token.getAddress(), price: 1_000_000n });
      await token.mint(buyer.address, 10_000_000n);
      await token.connect(buyer).approve(await escrow.getAddress(), 10_000_000n);
      await escrow.connect(seller).offer(t);
      // ETH attached to a token deal would be stranded: refused.
      await expect(escrow.connect(buyer).accept(1, t, { value: 1n }))
        .to.be.revertedWithCustomError(escrow, "WrongNativeValue")
        .withArgs(0n, 1n);
      await escrow.connect(buyer).accept(1, t);
      expect(await token.balanceOf(await escrow.getAddress())).to.equal(1_020_000n);
      await escrow.connect(buyer).redeem(1, t, true);
      await escrow.connect(seller).finalize(1, t);
      await escrow.connect(seller).withdraw(1, t);
      await escrow.connect(buyer).withdraw(1, t);
      expect(await token.balanceOf(seller.address)).to.equal(1_000_000n);
      expect(await token.balanceOf(await escrow.getAddress())).to.equal(0n);

      const fee = await (await ethers.getContractFactory("FeeOnTransferERC20")).deploy(100);
      const tf = terms({ asset: await fee.getAddress(), sellerOffers: false });
      await fee.mint(buyer.address, 100n * UNIT);
      await fee.connect(buyer).approve(await escrow.getAddress(), 100n * UNIT);
      await expect(escrow.connect(buyer).offer(tf))
        .to.be.revertedWithCustomError(escrow, "TokenDeliveredLess")
        .withArgs(10n * UNIT + UNIT / 5n, ((10n * UNIT + UNIT / 5n) * 99n) / 100n);
    });

    it("a reverting receiver blocks only its own payout; a reentrant one is stopped", async () => {
      const { escrow, seller, terms } = await loadFixture(deployEscrow);
      const Receiver = await ethers.getContractFactory("ReentrantReceiver");
      const buyerContract = await Receiver.deploy();
      const t = terms({ buyer: await buyerContract.getAddress() });
      const e = await escrow.getAddress();
      await escrow.connect(seller).offer(t);
      const call = (name: string, args: unknown[], value = 0n) =>
        buyerContract.execute(e, value, escrow.interface.encodeFunctionData(name as never, args as never), { value });
      await call("accept", [1, t], t.price + t.price / 50n);
      await call("redeem", [1, t, true]);
      await escrow.connect(seller).finalize(1, t);
      // The buyer contract rejects ETH: its own withdrawal fails, the seller's does not.
      await buyerContract.configure(e, "0x", true);
      await expect(call("withdraw", [1, t])).to.be.revertedWithCustomError(escrow, "NativeTransferFailed");
      await expect(escrow.connect(seller).withdraw(1, t)).to.changeEtherBalance(seller, t.price);
      // Re-entering withdraw from the receive hook is refused; exactly one payout happens.
      await buyerContract.configure(e, escrow.interface.encodeFunctionData("withdraw", [1, t]), false);
      await expect(call("withdraw", [1, t])).to.changeEtherBalance(buyerContract, t.price / 50n);
      expect(await buyerContract.callbackReverted()).to.equal(true);
      expect(escrow.interface.parseError(await buyerContract.callbackError())?.name).to.equal(
        "ReentrancyGuardReentrantCall",
      );
      expect(await ethers.provider.getBalance(e)).to.equal(0n);
    });
  });
});
