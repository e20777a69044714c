import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BUYER_DEPOSIT, BUYER_PART, PRICE, UNIT, WINDOW, deployEscrow } from "./fixture";
import type { ContractTransactionResponse } from "ethers";
import { dealIdOf } from "../../src/exchange/model/terms";
import type { ExchangeEscrow } from "../../typechain-types";

const ETH = ethers.ZeroAddress;
const DEAD = "0x000000000000000000000000000000000000dEaD";

/** Seller offered on chain, buyer accepted: the redeem window is open. */
async function opened() {
  const f = await deployEscrow();
  const t = await f.terms();
  const p = f.packed(t);
  await f.escrow.connect(f.seller).offer(p);
  await f.escrow.connect(f.buyer).accept(p, { value: BUYER_PART });
  return { ...f, t, p, id: dealIdOf(f.domain, t) };
}
/** The Credited events of a transaction, in order: [id, account, asset, amount]. */
async function credits(escrow: ExchangeEscrow, tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait();
  return receipt!.logs
    .map((log) => escrow.interface.parseLog(log))
    .filter((e) => e?.name === "Credited")
    .map((e) => [...e!.args]);
}
const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

describe("ExchangeEscrow: messages, pushes, burn destination", () => {
  describe("messages", () => {
    it("only the buyer sends its messages, only the seller admits fault, each in its own window", async () => {
      const { escrow, seller, buyer, p, id } = await loadFixture(opened);
      for (const [name, args] of [
        ["redeem", [p, false]],
        ["requestRefund", [p]],
        ["complain", [p]],
        ["confirmQuality", [p]],
      ] as const) {
        await expect(
          (escrow.connect(seller) as never as Record<string, (...a: unknown[]) => Promise<unknown>>)[name](...args),
        )
          .to.be.revertedWithCustomError(escrow, "NotParty")
          .withArgs(seller.address);
      }
      await expect(escrow.connect(buyer).cancelOrFault(p))
        .to.be.revertedWithCustomError(escrow, "NotParty")
        .withArgs(buyer.address);
      await expect(escrow.connect(buyer).complain(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(3, 2);
      await expect(escrow.connect(buyer).confirmQuality(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(3, 2);
      await expect(escrow.connect(seller).cancelOrFault(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(4, 2);
      await expect(escrow.connect(buyer).redeem(p, false)).to.emit(escrow, "Redeemed").withArgs(id, false);
      expect(await escrow.deals(id)).to.deep.include.members([3n, 4n]);
      expect((await escrow.deals(id)).deadline).to.equal((await now()) + WINDOW);
      await expect(escrow.connect(buyer).redeem(p, false))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(2, 3);
      await expect(escrow.connect(buyer).requestRefund(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(2, 3);
      await expect(escrow.connect(buyer).complain(p)).to.emit(escrow, "Complained").withArgs(id);
      const deal = await escrow.deals(id);
      expect([deal.stage, deal.flags]).to.deep.equal([4n, 6n]); // Fault window; R and C received
    });

    it("redeem with alsoConfirm goes straight to the fault window; the seller may end it early", async () => {
      const { escrow, seller, buyer, other, p, id } = await loadFixture(opened);
      await expect(escrow.connect(buyer).redeem(p, true)).to.emit(escrow, "Redeemed").withArgs(id, true);
      const deal = await escrow.deals(id);
      expect([deal.stage, deal.flags, deal.deadline]).to.deep.equal([4n, 4n, (await now()) + WINDOW]);
      for (const caller of [buyer, other]) {
        await expect(escrow.connect(caller).finalize(p))
          .to.be.revertedWithCustomError(escrow, "WrongStage")
          .withArgs(5, 4);
      }
      const done = escrow.connect(seller).finalize(p);
      await expect(done).to.emit(escrow, "Finalized").withArgs(id, 4);
      await expect(done).to.changeEtherBalances([seller, buyer, escrow], [PRICE, BUYER_DEPOSIT, -BUYER_PART]);
      await expect(escrow.connect(seller).finalize(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(4, 5);
      await expect(escrow.connect(buyer).redeem(p, false))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(2, 5);
    });

    it("requestRefund, confirmQuality, cancelOrFault: state RfE-NC-CF, paid at once", async () => {
      const { escrow, table, seller, buyer, p, id } = await loadFixture(opened);
      await expect(escrow.connect(buyer).requestRefund(p)).to.emit(escrow, "RefundRequested").withArgs(id);
      expect((await escrow.deals(id)).stage).to.equal(3n);
      await expect(escrow.connect(buyer).confirmQuality(p)).to.emit(escrow, "QualityConfirmed").withArgs(id);
      expect((await escrow.deals(id)).stage).to.equal(4n);
      const fault = escrow.connect(seller).cancelOrFault(p);
      await expect(fault).to.emit(escrow, "Faulted").withArgs(id);
      await expect(fault).to.emit(escrow, "Finalized").withArgs(id, 1);
      const [s, b] = [(table.seller[1] * PRICE) / UNIT, (table.buyer[1] * PRICE) / UNIT];
      await expect(fault).to.changeEtherBalances([seller, buyer], [s, b]);
      expect(await escrow.deals(id)).to.deep.include.members([5n, 1n]);
    });

    it("a window closes at its deadline (-1 open, 0 closed); the next starts from that deadline", async () => {
      const { escrow, buyer, p, id } = await loadFixture(opened);
      const redeemDeadline = (await escrow.deals(id)).deadline;
      await time.setNextBlockTimestamp(redeemDeadline);
      await expect(escrow.connect(buyer).redeem(p, false))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(2, 3);
      await time.setNextBlockTimestamp(redeemDeadline + WINDOW - 1n);
      await expect(escrow.connect(buyer).complain(p))
        .to.emit(escrow, "WindowExpired")
        .withArgs(id, 2)
        .and.to.emit(escrow, "Complained");
      const deal = await escrow.deals(id);
      expect([deal.flags, deal.deadline]).to.deep.equal([2n, redeemDeadline + 2n * WINDOW - 1n]);
    });

    it("a stranger finalizes only after the last deadline; a late fault is refused", async () => {
      const { escrow, seller, buyer, other, burn, p, id } = await loadFixture(opened);
      const deadline = (await escrow.deals(id)).deadline + 2n * WINDOW;
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(escrow.connect(other).finalize(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(5, 4);
      await time.setNextBlockTimestamp(deadline);
      await expect(escrow.connect(seller).cancelOrFault(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(4, 5);
      // A buyer's message never finalizes: past the last deadline it is refused at the fault window.
      await expect(escrow.connect(buyer).complain(p))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(3, 4);
      const done = escrow.connect(other).finalize(p);
      await expect(done).to.emit(escrow, "WindowExpired").withArgs(id, 4);
      await expect(done).to.emit(escrow, "Finalized").withArgs(id, 0);
      await expect(done).to.emit(escrow, "Credited").withArgs(id, burn.address, ETH, BUYER_PART);
      expect(await escrow.balances(burn.address, ETH)).to.equal(BUYER_PART);
      await expect(escrow.connect(burn).withdraw(ETH, BUYER_PART)).to.changeEtherBalance(burn, BUYER_PART);
      expect(await ethers.provider.getBalance(escrow.getAddress())).to.equal(0n);
    });
  });

  describe("pushes with a pull fallback", () => {
    it("a reverting buyer is credited, the seller still paid; the buyer withdraws later", async () => {
      const { escrow, seller, terms, packed, domain } = await loadFixture(deployEscrow);
      const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
      const r = await receiver.getAddress();
      const e = await escrow.getAddress();
      const call = (name: string, args: unknown[], value = 0n) =>
        receiver.execute(e, value, escrow.interface.encodeFunctionData(name as never, args as never), { value });
      await receiver.configure(e, "0x", true); // refuses ETH
      // A withdrawn offer's refund is credited too.
      const refused = await terms({ buyer: r, sellerOffers: false });
      await call("offer", [packed(refused)], BUYER_PART);
      await expect(call("withdrawOffer", [packed(refused)]))
        .to.emit(escrow, "Credited")
        .withArgs(dealIdOf(domain, refused), r, ETH, BUYER_PART);
      const t = await terms({ buyer: r });
      const p = packed(t);
      await escrow.connect(seller).offer(p);
      await call("accept", [p], BUYER_PART);
      await call("redeem", [p, true]);
      const done = escrow.connect(seller).finalize(p);
      expect(await credits(escrow, done)).to.deep.equal([[dealIdOf(domain, t), r, ETH, BUYER_DEPOSIT]]);
      await expect(done).to.changeEtherBalances([seller, receiver], [PRICE, 0n]);
      expect(await escrow.balances(r, ETH)).to.equal(BUYER_PART + BUYER_DEPOSIT);
      await receiver.configure(e, "0x", false);
      await expect(call("withdraw", [ETH, BUYER_PART + BUYER_DEPOSIT])).to.changeEtherBalance(
        receiver,
        BUYER_PART + BUYER_DEPOSIT,
      );
      expect(await ethers.provider.getBalance(e)).to.equal(0n);
    });

    it("a seller that burns all gas is credited, the buyer still paid; the seller withdraws later", async () => {
      const { escrow, buyer, other, terms, packed, domain } = await loadFixture(deployEscrow);
      const burner = await (await ethers.getContractFactory("GasBurner")).deploy();
      const b = await burner.getAddress();
      const e = await escrow.getAddress();
      const call = (name: string, args: unknown[]) =>
        burner.execute(e, 0n, escrow.interface.encodeFunctionData(name as never, args as never));
      const t = await terms({ seller: b });
      const p = packed(t);
      await call("offer", [p]);
      await escrow.connect(buyer).accept(p, { value: BUYER_PART });
      await escrow.connect(buyer).redeem(p, true); // R-NC-NC: both get something
      await time.increase(WINDOW);
      const [s, bp] = await escrow.payouts(t.table, PRICE, 4);
      expect([s, bp]).to.deep.equal([PRICE, BUYER_DEPOSIT]);
      const done = escrow.connect(other).finalize(p, { gasLimit: 1_000_000 });
      expect(await credits(escrow, done)).to.deep.equal([[dealIdOf(domain, t), b, ETH, s]]);
      await expect(done).to.changeEtherBalances([buyer, burner], [bp, 0n]);
      expect(await escrow.balances(b, ETH)).to.equal(s);
      await burner.setBurning(false);
      await expect(call("withdraw", [ETH, s])).to.changeEtherBalance(burner, s);
    });
  });

  describe("burn destination", () => {
    /** Opens a fresh seller-offered deal (the default table burns the whole pot in state 0). */
    async function open(f: Awaited<ReturnType<typeof opened>>, burnSetting = 0n) {
      const t = await f.terms({ burnSetting });
      await f.escrow.connect(f.seller).offer(f.packed(t));
      await f.escrow.connect(f.buyer).accept(f.packed(t), { value: BUYER_PART });
      return { p: f.packed(t), id: dealIdOf(f.domain, t) };
    }

    it("is the recipient when the deal was created: a later change moves only newer deals", async () => {
      const f = await loadFixture(opened);
      const { escrow, owner, seller, buyer, other, burn, p, id } = f;
      expect(await escrow.burnSetting()).to.deep.equal([0n, burn.address]);
      const createdAt = (await escrow.deals(id)).createdAt;
      const set = await escrow.connect(owner).setBurnRecipient(other.address);
      await expect(set)
        .to.emit(escrow, "BurnRecipientSet")
        .withArgs(1n, other.address, (await now()) + 1n);
      expect(await escrow.burnSetting()).to.deep.equal([0n, burn.address]); // from the next second on
      await time.increase(1);
      expect(await escrow.burnSetting()).to.deep.equal([1n, other.address]);
      expect(await escrow.burnDestination(createdAt, 0n, seller.address, buyer.address)).to.equal(burn.address);
      const second = await open(f, 1n);
      await time.increase(4n * WINDOW);
      await expect(escrow.connect(other).finalize(p))
        .to.emit(escrow, "Credited")
        .withArgs(id, burn.address, ETH, BUYER_PART);
      await expect(escrow.connect(other).finalize(second.p))
        .to.emit(escrow, "Credited")
        .withArgs(second.id, other.address, ETH, BUYER_PART);
      expect(await escrow.balances(burn.address, ETH)).to.equal(BUYER_PART);
      expect(await escrow.balances(other.address, ETH)).to.equal(BUYER_PART);
    });

    it("a change takes effect from the next second: a deal opened in the same block keeps the old", async () => {
      const f = await loadFixture(opened);
      const { escrow, owner, seller, buyer, other, burn, terms, packed, domain } = f;
      const t = await terms();
      await network.provider.send("evm_setAutomine", [false]);
      try {
        await escrow.connect(owner).setBurnRecipient(other.address);
        await escrow.connect(seller).offer(packed(t));
        await network.provider.send("evm_mine");
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      const id = dealIdOf(domain, t);
      expect((await escrow.deals(id)).createdAt).to.equal(await now());
      expect(await escrow.burnDestination(await now(), 0n, seller.address, buyer.address)).to.equal(burn.address);
      await escrow.connect(buyer).accept(packed(t), { value: BUYER_PART });
      await time.increase(4n * WINDOW);
      await expect(escrow.connect(other).finalize(packed(t)))
        .to.emit(escrow, "Credited")
        .withArgs(id, burn.address, ETH, BUYER_PART);
    });

    it("a recipient that is the seller or the buyer burns to DEAD", async () => {
      const f = await loadFixture(opened);
      const { escrow, owner, seller, buyer, other } = f;
      await escrow.connect(owner).setBurnRecipient(seller.address);
      await time.increase(1);
      const { p, id } = await open(f, 1n);
      const at = await now();
      expect(await escrow.burnDestination(at, 1n, seller.address, buyer.address)).to.equal(DEAD);
      expect(await escrow.burnDestination(at, 1n, buyer.address, other.address)).to.equal(seller.address);
      await escrow.connect(owner).setBurnRecipient(buyer.address);
      await time.increase(1);
      expect(await escrow.burnDestination(await now(), 2n, seller.address, buyer.address)).to.equal(DEAD);
      await time.increase(4n * WINDOW);
      const done = escrow.connect(other).finalize(p);
      await expect(done).to.emit(escrow, "Credited").withArgs(id, DEAD, ETH, BUYER_PART);
      await expect(done).to.changeEtherBalances([seller, buyer], [0n, 0n]);
      expect(await escrow.balances(seller.address, ETH)).to.equal(0n);
      expect(await escrow.balances(DEAD, ETH)).to.equal(BUYER_PART);
    });

    it("an owner's change between signing and opening cannot take the remainder: it burns to DEAD", async () => {
      // The adversary: an owner who points the recipient at the buyer's accomplice after the seller signed.
      const { escrow, owner, seller, buyer, other, terms, packed, sign, domain } = await loadFixture(deployEscrow);
      const signedBefore = await terms({ burnSetting: 0n });
      const signature = await sign(seller, signedBefore);
      await escrow.connect(owner).setBurnRecipient(other.address);
      await time.increase(1);
      await escrow.connect(buyer).acceptSigned(packed(signedBefore), signature, { value: BUYER_PART });
      // A later offer that agrees to the new setting does send its remainder there: the signer saw it.
      const signedAfter = await terms({ burnSetting: 1n });
      await escrow.connect(buyer).acceptSigned(packed(signedAfter), await sign(seller, signedAfter), {
        value: BUYER_PART,
      });
      // A setting that does not exist yet is never in force either.
      const future = await terms({ burnSetting: 7n });
      await escrow.connect(buyer).acceptSigned(packed(future), await sign(seller, future), { value: BUYER_PART });
      await time.increase(4n * WINDOW);
      for (const [t, to] of [
        [signedBefore, DEAD],
        [signedAfter, other.address],
        [future, DEAD],
      ] as const) {
        await expect(escrow.connect(other).finalize(packed(t)))
          .to.emit(escrow, "Credited")
          .withArgs(dealIdOf(domain, t), to, ETH, BUYER_PART);
      }
      expect(await escrow.balances(other.address, ETH)).to.equal(BUYER_PART);
      expect(await escrow.balances(DEAD, ETH)).to.equal(2n * BUYER_PART);
    });

    it("only the owner sets it, never to the zero address", async () => {
      const { escrow, owner, other } = await loadFixture(deployEscrow);
      await expect(escrow.connect(other).setBurnRecipient(other.address))
        .to.be.revertedWithCustomError(escrow, "OwnableUnauthorizedAccount")
        .withArgs(other.address);
      await expect(escrow.connect(owner).setBurnRecipient(ETH)).to.be.revertedWithCustomError(escrow, "ZeroAddress");
    });
  });
});
