import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BUYER_PART, PRICE, SELLER_PART, UNIT, deployEscrow, tableArg, withSellerDeposit } from "./fixture";
import { TERMS_TYPES, dealIdOf, escrowDomain } from "../../src/exchange/model/terms";
import type { ExchangeEscrow } from "../../typechain-types";

const ETH = ethers.ZeroAddress;
/** The escrow with the seller-deposit table, and both parties funded in it. */
async function signedFixture() {
  const f = await withSellerDeposit();
  await f.escrow.connect(f.seller).deposit(ETH, 3n * UNIT, { value: 3n * UNIT });
  await f.escrow.connect(f.buyer).deposit(ETH, 25n * UNIT, { value: 25n * UNIT });
  const terms = (over: Parameters<typeof f.terms>[0] = {}) => f.terms({ table: f.sdTable, ...over });
  return { ...f, terms };
}

describe("ExchangeEscrow: balances and signed offers", () => {
  describe("balances", () => {
    it("deposits and withdraws ETH; the value must equal the amount; no more than the balance", async () => {
      const { escrow, other } = await loadFixture(deployEscrow);
      await expect(escrow.connect(other).deposit(ETH, 5n, { value: 4n }))
        .to.be.revertedWithCustomError(escrow, "WrongNativeValue")
        .withArgs(5n, 4n);
      const deposit = escrow.connect(other).deposit(ETH, UNIT, { value: UNIT });
      await expect(deposit).to.emit(escrow, "BalanceDeposited").withArgs(other.address, ETH, UNIT);
      await expect(deposit).to.changeEtherBalances([other, escrow], [-UNIT, UNIT]);
      expect(await escrow.balances(other.address, ETH)).to.equal(UNIT);
      await escrow.connect(other).deposit(ETH, 3n, { value: 3n }); // a second deposit adds to the first
      expect(await escrow.balances(other.address, ETH)).to.equal(UNIT + 3n);
      await escrow.connect(other).withdraw(ETH, 3n);
      const withdrawal = escrow.connect(other).withdraw(ETH, UNIT / 4n);
      await expect(withdrawal)
        .to.emit(escrow, "BalanceWithdrawn")
        .withArgs(other.address, ETH, UNIT / 4n);
      await expect(withdrawal).to.changeEtherBalances([other, escrow], [UNIT / 4n, -UNIT / 4n]);
      await expect(escrow.connect(other).withdraw(ETH, UNIT))
        .to.be.revertedWithCustomError(escrow, "InsufficientBalance")
        .withArgs(other.address, ETH, UNIT, (UNIT * 3n) / 4n);
      expect(await escrow.balances(other.address, ETH)).to.equal((UNIT * 3n) / 4n);
    });

    it("deposits and withdraws an ERC-20; refuses ETH with it and a token that delivers less", async () => {
      const { escrow, other } = await loadFixture(deployEscrow);
      const token = await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 6);
      const asset = await token.getAddress();
      await token.mint(other.address, 1000n);
      await token.connect(other).approve(await escrow.getAddress(), 1000n);
      await expect(escrow.connect(other).deposit(asset, 600n, { value: 1n }))
        .to.be.revertedWithCustomError(escrow, "WrongNativeValue")
        .withArgs(0n, 1n);
      await expect(escrow.connect(other).deposit(asset, 600n)).to.changeTokenBalances(
        token,
        [other, escrow],
        [-600n, 600n],
      );
      expect(await escrow.balances(other.address, asset)).to.equal(600n);
      expect(await escrow.balances(other.address, ETH)).to.equal(0n);
      await expect(escrow.connect(other).withdraw(asset, 601n))
        .to.be.revertedWithCustomError(escrow, "InsufficientBalance")
        .withArgs(other.address, asset, 601n, 600n);
      await expect(escrow.connect(other).withdraw(asset, 600n)).to.changeTokenBalance(token, other, 600n);
      expect(await escrow.balances(other.address, asset)).to.equal(0n);
      const fee = await (await ethers.getContractFactory("FeeOnTransferERC20")).deploy(100);
      await fee.mint(other.address, 10_000n);
      await fee.connect(other).approve(await escrow.getAddress(), 10_000n);
      await expect(escrow.connect(other).deposit(await fee.getAddress(), 10_000n))
        .to.be.revertedWithCustomError(escrow, "TokenDeliveredLess")
        .withArgs(10_000n, 9_900n);
    });
  });

  describe("signed offers", () => {
    for (const sellerOffers of [true, false]) {
      const who = sellerOffers ? "seller" : "buyer";
      it(`a ${who}-signed offer opens in one call, its part taken exactly from its balance`, async () => {
        const { escrow, seller, buyer, terms, sign, packed, domain } = await loadFixture(signedFixture);
        const [offerer, counterparty] = sellerOffers ? [seller, buyer] : [buyer, seller];
        const [own, other] = sellerOffers ? [SELLER_PART, BUYER_PART] : [BUYER_PART, SELLER_PART];
        const t = await terms({ sellerOffers });
        const p = packed(t);
        const id = dealIdOf(domain, t);
        const sig = await sign(offerer, t);
        const before = await escrow.balances(offerer.address, ETH);
        await expect(escrow.connect(counterparty).acceptSigned(p, sig, { value: other - 1n }))
          .to.be.revertedWithCustomError(escrow, "WrongNativeValue")
          .withArgs(other, other - 1n);
        const opened = escrow.connect(counterparty).acceptSigned(p, sig, { value: other });
        await expect(opened).to.emit(escrow, "Opened").withArgs(id, seller.address, buyer.address, p);
        await expect(opened).to.changeEtherBalances([counterparty, offerer, escrow], [-other, 0n, other]);
        expect(await escrow.balances(offerer.address, ETH)).to.equal(before - own);
        expect(await escrow.balances(counterparty.address, ETH)).to.equal(sellerOffers ? 25n * UNIT : 3n * UNIT);
        const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
        expect(await escrow.deals(id)).to.deep.equal([ts + t.redeemWindow, 2n, 0n, ts]);
        // The signature is used: it opens no second deal.
        await expect(escrow.connect(counterparty).acceptSigned(p, sig, { value: other }))
          .to.be.revertedWithCustomError(escrow, "DealExists")
          .withArgs(id);
      });
    }

    it("refuses a wrong signer, tampered terms, a wrong caller and an expired offer", async () => {
      const { escrow, seller, buyer, other, terms, sign, packed, domain } = await loadFixture(signedFixture);
      const t = await terms();
      const p = packed(t);
      const id = dealIdOf(domain, t);
      const sig = await sign(seller, t);
      const pay = { value: BUYER_PART };
      for (const signer of [buyer, other]) {
        await expect(escrow.connect(buyer).acceptSigned(p, await sign(signer, t), pay))
          .to.be.revertedWithCustomError(escrow, "InvalidSignature")
          .withArgs(id);
      }
      for (const tampered of [
        { ...t, price: t.price - 1n },
        { ...t, salt: t.salt + 1n },
        { ...t, faultWindow: 1n },
      ]) {
        const value = tampered.price + tampered.price / 50n;
        await expect(escrow.connect(buyer).acceptSigned(packed(tampered), sig, { value }))
          .to.be.revertedWithCustomError(escrow, "InvalidSignature")
          .withArgs(dealIdOf(domain, tampered));
      }
      await expect(escrow.connect(buyer).acceptSigned(p, "0x1234", pay))
        .to.be.revertedWithCustomError(escrow, "InvalidSignature")
        .withArgs(id);
      for (const caller of [seller, other]) {
        await expect(escrow.connect(caller).acceptSigned(p, sig, pay))
          .to.be.revertedWithCustomError(escrow, "NotParty")
          .withArgs(caller.address);
      }
      await time.setNextBlockTimestamp(t.expiry);
      await expect(escrow.connect(buyer).acceptSigned(p, sig, pay))
        .to.be.revertedWithCustomError(escrow, "OfferExpired")
        .withArgs(id, t.expiry);
      expect((await escrow.deals(id)).stage).to.equal(0n);
    });

    it("refuses when the offerer's balance is short of its part, and takes nothing", async () => {
      const { escrow, seller, buyer, terms, sign, packed, domain } = await loadFixture(signedFixture);
      const t = await terms({ sellerOffers: false, price: 30n * UNIT });
      const need = t.price + t.price / 50n;
      await expect(escrow.connect(seller).acceptSigned(packed(t), await sign(buyer, t), { value: 3n * UNIT }))
        .to.be.revertedWithCustomError(escrow, "InsufficientBalance")
        .withArgs(buyer.address, ETH, need, 25n * UNIT);
      expect(await escrow.balances(buyer.address, ETH)).to.equal(25n * UNIT);
      expect((await escrow.deals(dealIdOf(domain, t))).stage).to.equal(0n);
    });

    it("a signature for another escrow or another chain is refused: the id differs", async () => {
      const { escrow, owner, burn, seller, buyer, table, sdArg, terms, sign, packed, domain } =
        await loadFixture(signedFixture);
      const second = (await (
        await ethers.getContractFactory("ExchangeEscrow")
      ).deploy(owner.address, burn.address)) as unknown as ExchangeEscrow;
      await second.registerTable(tableArg(table)); // the same tables under the same numbers
      await second.registerTable(sdArg);
      await second.connect(seller).deposit(ETH, UNIT, { value: UNIT });
      const t = await terms();
      const p = packed(t);
      const sig = await sign(seller, t); // for the first escrow
      const secondDomain = escrowDomain(domain.chainId as bigint, await second.getAddress());
      const secondId = dealIdOf(secondDomain, t);
      expect(secondId).to.not.equal(dealIdOf(domain, t));
      expect(await second.dealId(p)).to.equal(secondId);
      await expect(second.connect(buyer).acceptSigned(p, sig, { value: BUYER_PART }))
        .to.be.revertedWithCustomError(second, "InvalidSignature")
        .withArgs(secondId);
      const otherChain = await seller.signTypedData({ ...domain, chainId: 1n }, TERMS_TYPES, t);
      await expect(escrow.connect(buyer).acceptSigned(p, otherChain, { value: BUYER_PART }))
        .to.be.revertedWithCustomError(escrow, "InvalidSignature")
        .withArgs(dealIdOf(domain, t));
      // A signature in the second escrow's domain opens it.
      const good = await seller.signTypedData(secondDomain, TERMS_TYPES, t);
      await expect(second.connect(buyer).acceptSigned(p, good, { value: BUYER_PART })).to.emit(second, "Opened");
    });

    it("cancelSigned: only by the offerer, only while no deal exists; then acceptSigned is refused", async () => {
      const { escrow, seller, buyer, other, terms, sign, packed, domain } = await loadFixture(signedFixture);
      const t = await terms({ sellerOffers: false });
      const p = packed(t);
      const id = dealIdOf(domain, t);
      const sig = await sign(buyer, t);
      for (const caller of [seller, other]) {
        await expect(escrow.connect(caller).cancelSigned(p))
          .to.be.revertedWithCustomError(escrow, "NotParty")
          .withArgs(caller.address);
      }
      await expect(escrow.connect(buyer).cancelSigned(p)).to.emit(escrow, "SignedOfferCancelled").withArgs(id);
      expect((await escrow.deals(id)).stage).to.equal(6n);
      await expect(escrow.connect(seller).acceptSigned(p, sig, { value: SELLER_PART }))
        .to.be.revertedWithCustomError(escrow, "DealExists")
        .withArgs(id);
      await expect(escrow.connect(buyer).cancelSigned(p))
        .to.be.revertedWithCustomError(escrow, "DealExists")
        .withArgs(id);
      expect(await escrow.balances(buyer.address, ETH)).to.equal(25n * UNIT);
      // Once a signed offer is opened it can no longer be cancelled.
      const t2 = await terms();
      await escrow.connect(buyer).acceptSigned(packed(t2), await sign(seller, t2), { value: BUYER_PART });
      await expect(escrow.connect(seller).cancelSigned(packed(t2)))
        .to.be.revertedWithCustomError(escrow, "DealExists")
        .withArgs(dealIdOf(domain, t2));
    });

    it("an ERC-1271 contract wallet offers by its owner's signature and is paid out", async () => {
      const { escrow, seller, buyer, other, burn, terms, sign, packed, domain } = await loadFixture(signedFixture);
      // `other` owns the wallet; the wallet is the buyer and offers.
      const wallet = await (await ethers.getContractFactory("ContractWallet")).deploy(other.address);
      const w = await wallet.getAddress();
      const call = (name: string, args: unknown[], value = 0n) =>
        wallet
          .connect(other)
          .execute(escrow.getAddress(), value, escrow.interface.encodeFunctionData(name as never, args as never), {
            value,
          });
      await call("deposit", [ETH, BUYER_PART], BUYER_PART);
      const t = await terms({ buyer: w, sellerOffers: false });
      const p = packed(t);
      const id = dealIdOf(domain, t);
      // Signed by an EOA that does not own the wallet: neither ECDSA nor the wallet accepts it.
      await expect(escrow.connect(seller).acceptSigned(p, await sign(buyer, t), { value: SELLER_PART }))
        .to.be.revertedWithCustomError(escrow, "InvalidSignature")
        .withArgs(id);
      await expect(escrow.connect(seller).acceptSigned(p, await sign(other, t), { value: SELLER_PART }))
        .to.emit(escrow, "Opened")
        .withArgs(id, seller.address, w, p);
      expect(await escrow.balances(w, ETH)).to.equal(0n);
      await call("redeem", [p, true]);
      const paid = escrow.connect(seller).finalize(p);
      await expect(paid).to.emit(escrow, "Finalized").withArgs(id, 4);
      // R-NC-NC pays the seller the price, the wallet its deposit back (pushed, not credited).
      await expect(paid).to.changeEtherBalances([seller, wallet], [PRICE, PRICE / 50n]);
      // Only the burn remainder (the seller deposit here) is credited, to the burn recipient.
      await expect(paid).to.emit(escrow, "Credited").withArgs(id, burn.address, ETH, SELLER_PART);
      expect(await escrow.balances(w, ETH)).to.equal(0n);
    });
  });
});
