import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BUYER_PART,
  PRICE,
  SELLER_PART,
  UNIT,
  WINDOW,
  defaultPayoutTable,
  deployEscrow,
  tableArg,
  withSellerDeposit,
} from "./fixture";
import { dealIdOf, type PackedTerms } from "../../src/exchange/model/terms";

const ETH = ethers.ZeroAddress;

const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
/** Sets a bit of a packed word: a packing the escrow must refuse. */
const setBit = (p: PackedTerms, word: number, bit: bigint): PackedTerms => {
  const q = [...p] as PackedTerms;
  q[word] = ethers.toBeHex(BigInt(q[word]) | (1n << bit), 32);
  return q;
};

describe("ExchangeEscrow", () => {
  it("is deployed by anyone for any owner: the deployer need not be the owner", async () => {
    const [owner, burn, deployer] = await ethers.getSigners();
    const factory = await ethers.getContractFactory("ExchangeEscrow", deployer);
    const escrow = await factory.deploy(owner.address, burn.address);
    expect(await escrow.owner()).to.equal(owner.address);
    expect(await escrow.burnSetting()).to.deep.equal([0n, burn.address]);
    // The first setting holds from time 0: every deal, however early, has a burn recipient.
    await expect(escrow.deploymentTransaction()).to.emit(escrow, "BurnRecipientSet").withArgs(0n, burn.address, 0n);
  });

  it("pays out a payout of a single wei (pushed, not lost)", async () => {
    const { escrow, seller, buyer, terms, packed } = await loadFixture(deployEscrow);
    // A table without a minimum price lets a deal of 50 wei open: its buyer deposit is 1 wei.
    const open = { ...tableArg(await defaultPayoutTable()), minPrice: 0n };
    const table = await escrow.registerTable.staticCall(open);
    await escrow.registerTable(open);
    const t = await terms({ table, price: 50n });
    const [, buyerDeposit] = await escrow.depositsFor(table, 50n);
    const [sp, bp] = await escrow.payouts(table, 50n, 4);
    expect([buyerDeposit, bp]).to.deep.equal([1n, 1n]);
    await escrow.connect(seller).offer(packed(t));
    await escrow.connect(buyer).accept(packed(t), { value: 50n + buyerDeposit });
    await escrow.connect(buyer).redeem(packed(t), true);
    await expect(escrow.connect(seller).finalize(packed(t))).to.changeEtherBalances([seller, buyer], [sp, 1n]);
    expect(await escrow.balances(buyer.address, ETH)).to.equal(0n);
  });

  describe("tables", () => {
    it("numbers tables from 1, identified by content hash, idempotently, for anyone; UNIT is 1e18", async () => {
      const { escrow, table, tableNumber, other } = await loadFixture(deployEscrow);
      expect(await escrow.UNIT()).to.equal(UNIT);
      expect([tableNumber, await escrow.tableCount()]).to.deep.equal([1n, 1n]);
      const encoded = ethers.AbiCoder.defaultAbiCoder().encode(
        ["tuple(uint96,uint96,uint96[8],uint96[8],uint64)"],
        [[table.sellerDeposit, table.buyerDeposit, table.seller, table.buyer, table.minPrice]],
      );
      expect(await escrow.tableIdOf(tableNumber)).to.equal(ethers.keccak256(encoded));
      expect(await escrow.tableOf(ethers.keccak256(encoded))).to.equal(tableNumber);
      expect(await escrow.tableOf(ethers.id("nothing"))).to.equal(0n);
      expect(await escrow.tableIdOf(2n)).to.equal(ethers.ZeroHash);
      await expect(escrow.getTable(2n)).to.be.revertedWithCustomError(escrow, "UnknownTable").withArgs(2n);
      // A second registration returns the same number and changes nothing.
      expect(await escrow.connect(other).registerTable.staticCall(tableArg(table))).to.equal(tableNumber);
      await expect(escrow.connect(other).registerTable(tableArg(table))).not.to.emit(escrow, "TableRegistered");
      const variant = { ...tableArg(table), buyerDeposit: table.buyerDeposit + 1n };
      const variantId = await escrow.registerTable.staticCall(variant);
      await expect(escrow.connect(other).registerTable(variant)).to.emit(escrow, "TableRegistered");
      expect(variantId).to.not.equal(tableNumber);
    });

    it("refuses a table numbered beyond 32 bits (terms could not name it) with TooManyTables", async () => {
      const { escrow, table } = await loadFixture(deployEscrow);
      // 2^32 registrations cannot be made in a test: the count is set in storage, found by its value.
      const address = await escrow.getAddress();
      const last = 2n ** 32n - 2n;
      for (let slot = 0; (await escrow.tableCount()) !== last; slot++) {
        if (slot > 32) throw new Error("tableCount's slot not found");
        const at = ethers.toBeHex(slot, 32);
        const held = await ethers.provider.getStorage(address, at);
        if (BigInt(held) !== 1n) continue;
        await ethers.provider.send("hardhat_setStorageAt", [address, at, ethers.toBeHex(last, 32)]);
        if ((await escrow.tableCount()) !== last)
          await ethers.provider.send("hardhat_setStorageAt", [address, at, held]);
      }
      // The last number terms can name, 2^32 - 1, is still given out; the next one is refused.
      const lastOne = { ...tableArg(table), minPrice: 6n };
      expect(await escrow.registerTable.staticCall(lastOne)).to.equal(2n ** 32n - 1n);
      await escrow.registerTable(lastOne);
      const next = { ...tableArg(table), minPrice: 7n };
      await expect(escrow.registerTable(next)).to.be.revertedWithCustomError(escrow, "TooManyTables");
      expect(
        await escrow.tableOf(
          ethers.keccak256(
            ethers.AbiCoder.defaultAbiCoder().encode(
              ["tuple(uint96,uint96,uint96[8],uint96[8],uint64)"],
              [[next.sellerDeposit, next.buyerDeposit, next.seller, next.buyer, next.minPrice]],
            ),
          ),
        ),
      ).to.equal(0n);
    });

    it("refuses a table that pays out more than its pot (first, middle and last state); the pot itself is fine", async () => {
      const { escrow, table } = await loadFixture(deployEscrow);
      const pot = table.sellerDeposit + table.buyerDeposit + UNIT;
      for (const state of [0, 6, 7]) {
        const over = { ...tableArg(table), buyer: [...table.buyer] };
        over.buyer[state] = pot - table.seller[state] + 1n;
        await expect(escrow.registerTable(over)).to.be.revertedWithCustomError(escrow, "TableOverpays").withArgs(state);
        over.buyer[state] = pot - table.seller[state];
        await expect(escrow.registerTable(over)).to.emit(escrow, "TableRegistered");
      }
    });

    it("stores entries in 64 bits: 2^64 - 1 round-trips, 2^64 is TableEntryTooLarge", async () => {
      const { escrow, table } = await loadFixture(deployEscrow);
      const top = 2n ** 64n - 1n;
      const big = { ...tableArg(table), sellerDeposit: top, seller: [...table.seller] };
      big.seller[4] = top;
      const id = await escrow.registerTable.staticCall(big);
      await escrow.registerTable(big);
      const stored = await escrow.getTable(id);
      expect([stored.sellerDeposit, stored.seller[4]]).to.deep.equal([top, top]);
      await expect(escrow.registerTable({ ...big, sellerDeposit: top + 1n }))
        .to.be.revertedWithCustomError(escrow, "TableEntryTooLarge")
        .withArgs(top + 1n);
      const entry = { ...big, seller: [...big.seller] };
      entry.seller[4] = top + 1n;
      await expect(escrow.registerTable(entry))
        .to.be.revertedWithCustomError(escrow, "TableEntryTooLarge")
        .withArgs(top + 1n);
    });

    it("getTable round-trips every field incl. minPrice, which is part of the id", async () => {
      const { escrow, table, tableNumber } = await loadFixture(deployEscrow);
      const roundTrip = async (id: bigint) => {
        const s = await escrow.getTable(id);
        return [s.sellerDeposit, s.buyerDeposit, [...s.seller], [...s.buyer], s.minPrice];
      };
      // Every state's entries, the first (state 0) included.
      const numbered = {
        ...tableArg(table),
        seller: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n],
        buyer: [9n, 10n, 11n, 12n, 13n, 14n, 15n, 16n],
      };
      const numberedId = await escrow.registerTable.staticCall(numbered);
      await escrow.registerTable(numbered);
      expect(await roundTrip(numberedId)).to.deep.equal([
        numbered.sellerDeposit,
        numbered.buyerDeposit,
        numbered.seller,
        numbered.buyer,
        numbered.minPrice,
      ]);
      expect(await roundTrip(tableNumber)).to.deep.equal([
        table.sellerDeposit,
        table.buyerDeposit,
        table.seller,
        table.buyer,
        table.minPrice,
      ]);
      let previous = tableNumber;
      for (const minPrice of [400n, 2n ** 64n - 1n]) {
        const arg = { ...tableArg(table), minPrice };
        const id = await escrow.registerTable.staticCall(arg);
        expect(id).to.not.equal(previous);
        await expect(escrow.registerTable(arg)).to.emit(escrow, "TableRegistered");
        expect(await roundTrip(id)).to.deep.equal([
          table.sellerDeposit,
          table.buyerDeposit,
          table.seller,
          table.buyer,
          minPrice,
        ]);
        previous = id;
      }
    });

    it("refuses a price at minPrice - 1 (PriceBelowMinimum) and opens a deal at minPrice", async () => {
      const { escrow, table, seller, buyer, terms, packed } = await loadFixture(deployEscrow);
      const arg = { ...tableArg(table), minPrice: 400n };
      const tableNumber = await escrow.registerTable.staticCall(arg);
      await escrow.registerTable(arg);
      await expect(escrow.connect(seller).offer(packed(await terms({ table: tableNumber, price: 399n }))))
        .to.be.revertedWithCustomError(escrow, "PriceBelowMinimum")
        .withArgs(399n, 400n);
      const byBuyer = packed(await terms({ table: tableNumber, price: 399n, sellerOffers: false }));
      await expect(escrow.connect(buyer).offer(byBuyer, { value: 399n + 8n }))
        .to.be.revertedWithCustomError(escrow, "PriceBelowMinimum")
        .withArgs(399n, 400n);
      // At the minimum: the buyer's deposit is 0.02 * 400 = 8 wei.
      const p = packed(await terms({ table: tableNumber, price: 400n }));
      await expect(escrow.connect(seller).offer(p)).to.emit(escrow, "Offered");
      await expect(escrow.connect(buyer).accept(p, { value: 408n })).to.emit(escrow, "Opened");
    });

    it("deposits round up, payouts round down, the rest burns; state 8 is InvalidState", async () => {
      const { escrow, tableNumber } = await loadFixture(deployEscrow);
      expect(await escrow.depositsFor(tableNumber, 99n)).to.deep.equal([0n, 2n]); // 1.98 -> 2
      expect(await escrow.depositsFor(tableNumber, PRICE)).to.deep.equal([0n, PRICE / 50n]);
      // R-NC-NC at 99 wei: seller 99, buyer 0.02 * 99 = 1.98 -> 1, pot 101: 1 wei burns.
      expect(await escrow.payouts(tableNumber, 99n, 4)).to.deep.equal([99n, 1n, 1n]);
      expect(await escrow.payouts(tableNumber, PRICE, 0)).to.deep.equal([0n, 0n, BUYER_PART]);
      expect(await escrow.payouts(tableNumber, PRICE, 7)).to.deep.equal([
        PRICE / 50n,
        PRICE / 50n,
        PRICE - PRICE / 50n,
      ]);
      await expect(escrow.payouts(tableNumber, PRICE, 8))
        .to.be.revertedWithCustomError(escrow, "InvalidState")
        .withArgs(8);
      // Up by a single wei: a deposit of 1e-18 of a price of 1 + 1e-18 units is 2 wei.
      const tiny = { ...tableArg(await defaultPayoutTable()), sellerDeposit: 1n };
      const tinyNumber = await escrow.registerTable.staticCall(tiny);
      await escrow.registerTable(tiny);
      expect((await escrow.depositsFor(tinyNumber, UNIT + 1n))[0]).to.equal(2n);
      expect((await escrow.depositsFor(tinyNumber, UNIT))[0]).to.equal(1n);
      // A price beyond the terms' 128 bits is a named error in the views, never an overflow Panic.
      const largest = 2n ** 128n - 1n;
      expect((await escrow.depositsFor(tableNumber, largest))[1]).to.equal((largest * 2n + 99n) / 100n);
      await expect(escrow.depositsFor(tableNumber, largest + 1n))
        .to.be.revertedWithCustomError(escrow, "PriceTooLarge")
        .withArgs(largest + 1n);
      await expect(escrow.payouts(tableNumber, ethers.MaxUint256, 0))
        .to.be.revertedWithCustomError(escrow, "PriceTooLarge")
        .withArgs(ethers.MaxUint256);
    });
  });

  describe("on-chain offer, accept, withdrawOffer", () => {
    for (const sellerOffers of [true, false]) {
      const who = sellerOffers ? "seller" : "buyer";
      it(`the ${who} offers with its part, the counterparty accepts with its own`, async () => {
        const { escrow, seller, buyer, sdTable, terms, packed, domain } = await loadFixture(withSellerDeposit);
        const [offerer, counterparty] = sellerOffers ? [seller, buyer] : [buyer, seller];
        const [first, second] = sellerOffers ? [SELLER_PART, BUYER_PART] : [BUYER_PART, SELLER_PART];
        const t = await terms({ table: sdTable, sellerOffers });
        const p = packed(t);
        const id = dealIdOf(domain, t);
        expect(await escrow.dealId(p)).to.equal(id);
        await expect(escrow.connect(offerer).offer(p, { value: first - 1n }))
          .to.be.revertedWithCustomError(escrow, "WrongNativeValue")
          .withArgs(first, first - 1n);
        const offered = escrow.connect(offerer).offer(p, { value: first });
        await expect(offered).to.emit(escrow, "Offered").withArgs(id, seller.address, buyer.address, p);
        await expect(offered).to.changeEtherBalances([offerer, escrow], [-first, first]);
        const createdAt = await now();
        expect(await escrow.deals(id)).to.deep.equal([t.expiry, 1n, 0n, createdAt]);
        await expect(escrow.connect(counterparty).accept(p, { value: second + 1n }))
          .to.be.revertedWithCustomError(escrow, "WrongNativeValue")
          .withArgs(second, second + 1n);
        const accepted = escrow.connect(counterparty).accept(p, { value: second });
        await expect(accepted).to.emit(escrow, "Opened").withArgs(id, seller.address, buyer.address, p);
        await expect(accepted).to.changeEtherBalances([counterparty, escrow], [-second, second]);
        // The redeem window runs from acceptance; the creation time stays the offer's.
        expect(await escrow.deals(id)).to.deep.equal([(await now()) + WINDOW, 2n, 0n, createdAt]);
      });
    }

    it("accepts before expiry (-1) and refuses at and after it; an expired offer cannot be made", async () => {
      const { escrow, seller, buyer, terms, packed, domain } = await loadFixture(deployEscrow);
      const [t1, t2, t3] = [await terms(), await terms(), await terms()];
      for (const t of [t1, t2, t3]) await escrow.connect(seller).offer(packed(t));
      await time.setNextBlockTimestamp(t1.expiry - 1n);
      await expect(escrow.connect(buyer).accept(packed(t1), { value: BUYER_PART })).to.emit(escrow, "Opened");
      await time.setNextBlockTimestamp(t2.expiry);
      await expect(escrow.connect(buyer).accept(packed(t2), { value: BUYER_PART }))
        .to.be.revertedWithCustomError(escrow, "OfferExpired")
        .withArgs(dealIdOf(domain, t2), t2.expiry);
      await time.increase(100);
      await expect(escrow.connect(buyer).accept(packed(t3), { value: BUYER_PART }))
        .to.be.revertedWithCustomError(escrow, "OfferExpired")
        .withArgs(dealIdOf(domain, t3), t3.expiry);
      const late = await terms({ expiry: (await now()) + 1n });
      await time.setNextBlockTimestamp(late.expiry);
      await expect(escrow.connect(seller).offer(packed(late)))
        .to.be.revertedWithCustomError(escrow, "OfferExpired")
        .withArgs(dealIdOf(domain, late), late.expiry);
    });

    it("checks the caller, the stage and that the terms are new", async () => {
      const { escrow, seller, buyer, other, terms, packed, domain } = await loadFixture(deployEscrow);
      const t = await terms();
      const p = packed(t);
      const id = dealIdOf(domain, t);
      await expect(escrow.connect(buyer).accept(p)).to.be.revertedWithCustomError(escrow, "UnknownDeal").withArgs(id);
      await expect(escrow.connect(buyer).withdrawOffer(p))
        .to.be.revertedWithCustomError(escrow, "UnknownDeal")
        .withArgs(id);
      for (const caller of [buyer, other]) {
        await expect(escrow.connect(caller).offer(p))
          .to.be.revertedWithCustomError(escrow, "NotParty")
          .withArgs(caller.address);
      }
      await escrow.connect(seller).offer(p);
      await expect(escrow.connect(seller).offer(p)).to.be.revertedWithCustomError(escrow, "DealExists").withArgs(id);
      for (const caller of [seller, other]) {
        await expect(escrow.connect(caller).accept(p, { value: BUYER_PART }))
          .to.be.revertedWithCustomError(escrow, "NotParty")
          .withArgs(caller.address);
      }
      // An offer is no deal to finalize or message.
      await expect(escrow.connect(seller).finalize(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(5, 1);
      await expect(escrow.connect(buyer).redeem(p, false))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(2, 1);
      await escrow.connect(buyer).accept(p, { value: BUYER_PART });
      await expect(escrow.connect(buyer).accept(p)).to.be.revertedWithCustomError(escrow, "WrongStage").withArgs(1, 2);
      await expect(escrow.connect(seller).withdrawOffer(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(1, 2);
      await expect(escrow.connect(seller).offer(p)).to.be.revertedWithCustomError(escrow, "DealExists").withArgs(id);
    });

    it("the offerer withdraws an unaccepted offer, expired or not, once; the terms stay used", async () => {
      const { escrow, seller, buyer, terms, packed, domain } = await loadFixture(deployEscrow);
      const t = await terms({ sellerOffers: false });
      const p = packed(t);
      const id = dealIdOf(domain, t);
      await escrow.connect(buyer).offer(p, { value: BUYER_PART });
      await expect(escrow.connect(seller).withdrawOffer(p))
        .to.be.revertedWithCustomError(escrow, "NotParty")
        .withArgs(seller.address);
      await time.increase(2n * WINDOW); // expired
      const withdrawn = escrow.connect(buyer).withdrawOffer(p);
      await expect(withdrawn).to.emit(escrow, "OfferWithdrawn").withArgs(id, BUYER_PART);
      await expect(withdrawn).to.changeEtherBalances([buyer, escrow], [BUYER_PART, -BUYER_PART]);
      expect((await escrow.deals(id)).stage).to.equal(6n);
      await expect(escrow.connect(buyer).withdrawOffer(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(1, 6);
      await expect(escrow.connect(seller).accept(p)).to.be.revertedWithCustomError(escrow, "WrongStage").withArgs(1, 6);
      const fresh = await terms({ sellerOffers: false });
      await escrow.connect(buyer).offer(packed(fresh), { value: BUYER_PART });
      await expect(escrow.connect(buyer).withdrawOffer(packed(fresh))).to.changeEtherBalance(buyer, BUYER_PART);
    });

    it("refuses bad terms with named errors", async () => {
      const { escrow, seller, terms, packed } = await loadFixture(deployEscrow);
      const offer = async (over: Parameters<typeof terms>[0]) =>
        escrow.connect(seller).offer(packed(await terms(over)));
      await expect(offer({ buyer: seller.address }))
        .to.be.revertedWithCustomError(escrow, "InvalidParties")
        .withArgs(seller.address, seller.address);
      await expect(offer({ buyer: ETH }))
        .to.be.revertedWithCustomError(escrow, "InvalidParties")
        .withArgs(seller.address, ETH);
      await expect(offer({ price: 0n })).to.be.revertedWithCustomError(escrow, "ZeroPrice");
      for (const w of ["redeemWindow", "complaintWindow", "faultWindow"]) {
        await expect(offer({ [w]: 0n })).to.be.revertedWithCustomError(escrow, "ZeroWindow");
      }
      const unknown = 9n;
      // The table field's top bit is part of the field: a number beyond the registered ones is unknown.
      for (const table of [0n, unknown, 2n ** 31n, 2n ** 32n - 1n]) {
        await expect(offer({ table })).to.be.revertedWithCustomError(escrow, "UnknownTable").withArgs(table);
      }
      const p = packed(await terms());
      for (const [word, bit] of [
        [0, 234n],
        [0, 255n],
        [3, 160n],
        [3, 255n],
      ] as const) {
        await expect(escrow.connect(seller).offer(setBit(p, word, bit))).to.be.revertedWithCustomError(
          escrow,
          "NonCanonicalTerms",
        );
      }
      await expect(escrow.connect(seller).offer(p)).to.emit(escrow, "Offered");
    });
  });
});
