import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { TransactionReceipt } from "ethers";
import { deployEscrow, WINDOW } from "./fixture";
import { ESCROW_INTERFACE } from "../../src/exchange/parties/abi";
import { EscrowCallError, EscrowClient } from "../../src/exchange/parties/escrowClient";
import { EscrowInputError } from "../../src/exchange/parties/inputs";
import { dealStatus, dealsOf } from "../../src/exchange/parties/status";
import { packTerms, unpackTerms } from "../../src/exchange/model/terms";

/** The parties library (src/exchange/parties) driven as the parties would, on the in-process network. */
describe("Escrow parties library", function () {
  this.timeout(120_000);

  async function clients() {
    const f = await loadFixture(deployEscrow);
    const address = await f.escrow.getAddress();
    return {
      ...f,
      asSeller: new EscrowClient(f.seller, address),
      asBuyer: new EscrowClient(f.buyer, address),
      reader: new EscrowClient(ethers.provider, address),
    };
  }
  const fee = (r: TransactionReceipt) => r.gasUsed * r.gasPrice;
  const ethOf = (who: { address: string }) => ethers.provider.getBalance(who.address);

  it("carries the compiled contract's ABI, every function, event and error", async () => {
    const { escrow } = await clients();
    const compiled = escrow.interface.format().filter((f) => !f.startsWith("constructor"));
    expect(ESCROW_INTERFACE.format().sort()).to.deep.equal(compiled.sort());
  });

  it("signs, opens, redeems and finalizes a seller-signed deal; its status at each step", async () => {
    const { escrow, asSeller, asBuyer, reader, seller, buyer, burn, terms, tableNumber } = await clients();
    const t = await terms();
    const [sellerDeposit, buyerDeposit] = await escrow.depositsFor(tableNumber, t.price);
    expect(await asSeller.amounts(t)).to.deep.equal({
      sellerDeposit,
      buyerDeposit,
      offerer: sellerDeposit,
      counterparty: buyerDeposit + t.price,
    });

    await asSeller.deposit(sellerDeposit);
    expect(await reader.balanceOf(seller.address)).to.equal(sellerDeposit);
    const offer = await asSeller.signOffer(t);
    expect(offer.id).to.equal(await escrow.dealId(packTerms(t)));
    expect(offer.packed).to.deep.equal(packTerms(t));
    let s = await dealStatus(reader, t);
    expect([s.id, s.stage, s.acceptable, s.events]).to.deep.equal([offer.id, "None", true, []]);

    const buyerBefore = await ethOf(buyer);
    const opened = await asBuyer.openSigned(offer);
    expect(await ethOf(buyer)).to.equal(buyerBefore - buyerDeposit - t.price - fee(opened));
    expect(await reader.balanceOf(seller.address)).to.equal(0n);
    expect(await ethers.provider.getBalance(escrow)).to.equal(sellerDeposit + buyerDeposit + t.price);
    const openedAt = BigInt((await ethers.provider.getBlock(opened.blockNumber))!.timestamp);
    s = await dealStatus(reader, t);
    expect([s.stage, s.deadline, s.createdAt, s.signed, s.acceptable]).to.deep.equal([
      "Redeem",
      openedAt + WINDOW,
      openedAt,
      true,
      false,
    ]);
    expect(s.due).to.deep.equal({ stage: "Redeem", deadline: openedAt + WINDOW });
    expect(s.events.map((e) => e.name)).to.deep.equal(["Opened"]);

    const redeemed = await asBuyer.redeem(t, true);
    const redeemedAt = BigInt((await ethers.provider.getBlock(redeemed.blockNumber))!.timestamp);
    s = await dealStatus(reader, t);
    expect([s.stage, s.deadline]).to.deep.equal(["Fault", redeemedAt + WINDOW]);
    expect(s.messages).to.deep.equal({
      redeem: true,
      complaint: false,
      fault: false,
      refundRequested: false,
      qualityConfirmed: true,
    });
    expect(s.state).to.equal(undefined);

    const [sellerPays, buyerPays, burnt] = await escrow.payouts(tableNumber, t.price, 4);
    const [sellerBefore, buyerMid] = [await ethOf(seller), await ethOf(buyer)];
    const finalized = await asSeller.finalize(t);
    expect(await ethOf(seller)).to.equal(sellerBefore + sellerPays - fee(finalized));
    expect(await ethOf(buyer)).to.equal(buyerMid + buyerPays);
    s = await dealStatus(reader, t);
    expect([s.stage, s.state]).to.deep.equal(["Final", "R-NC-NC"]);
    expect(s.payouts).to.deep.equal({ seller: sellerPays, buyer: buyerPays, burn: burnt });
    expect(sellerPays + buyerPays + burnt).to.equal(sellerDeposit + buyerDeposit + t.price);
    expect(sellerPays).to.be.at.least(t.price);
    expect(s.credits).to.deep.equal(
      burnt === 0n ? [] : [{ account: burn.address, asset: ethers.ZeroAddress, amount: burnt }],
    );
    expect(await reader.balanceOf(burn.address)).to.equal(burnt);
    expect(await ethers.provider.getBalance(escrow)).to.equal(burnt);
    expect(s.events.map((e) => e.name)).to.deep.equal(
      ["Opened", "Redeemed", "Finalized"].concat(burnt === 0n ? [] : ["Credited"]),
    );
  });

  it("tells what the next call sees once windows pass unanswered, and anyone finalizes", async () => {
    const { asSeller, asBuyer, reader, terms, other } = await clients();
    const t = await terms({ complaintWindow: 2n * WINDOW, faultWindow: 3n * WINDOW });
    await asSeller.deposit((await asSeller.amounts(t)).offerer);
    const opened = await asBuyer.openSigned(await asSeller.signOffer(t));
    const at = BigInt((await ethers.provider.getBlock(opened.blockNumber))!.timestamp);
    await time.increaseTo(at + WINDOW);
    let s = await dealStatus(reader, t);
    expect([s.stage, s.due]).to.deep.equal(["Redeem", { stage: "Complaint", deadline: at + 3n * WINDOW }]);
    await time.increaseTo(at + 6n * WINDOW);
    s = await dealStatus(reader, t);
    expect(s.due).to.deep.equal({ stage: "Final", deadline: at + 6n * WINDOW });
    await asSeller.connect(other).finalize(t);
    s = await dealStatus(reader, t);
    expect([s.stage, s.state]).to.deep.equal(["Final", "RfE-NC-NC"]);
    expect(s.events.filter((e) => e.name === "WindowExpired")).to.have.length(3);
  });

  it("offers, accepts and withdraws on chain; cancels a signed offer, which then cannot open", async () => {
    const { escrow, asSeller, asBuyer, reader, seller, terms, tableNumber } = await clients();
    const [sellerDeposit] = await escrow.depositsFor(tableNumber, 10n ** 19n);
    const kept = await terms();
    await asSeller.offer(kept);
    expect((await dealStatus(reader, kept)).stage).to.equal("Offered");
    await asBuyer.accept(kept);
    expect((await dealStatus(reader, kept)).signed).to.equal(false);

    const taken = await terms();
    await asSeller.offer(taken);
    const before = await ethOf(seller);
    const r = await asSeller.withdrawOffer(taken);
    expect(await ethOf(seller)).to.equal(before + sellerDeposit - fee(r));
    expect((await dealStatus(reader, taken)).stage).to.equal("Withdrawn");

    const cancelled = await terms();
    await asSeller.deposit(sellerDeposit);
    const offer = await asSeller.signOffer(cancelled);
    await asSeller.cancelSigned(cancelled);
    const s = await dealStatus(reader, cancelled);
    expect([s.stage, s.acceptable, s.events.map((e) => e.name)]).to.deep.equal([
      "Withdrawn",
      false,
      ["SignedOfferCancelled"],
    ]);
    await expect(asBuyer.openSigned(offer)).to.be.rejectedWith(
      EscrowCallError,
      `escrow client: acceptSigned reverted: DealExists(${offer.id})`,
    );
    await asSeller.withdraw(sellerDeposit);
    expect(await reader.balanceOf(seller.address)).to.equal(0n);
  });

  it("lists every deal of the seller and of the buyer with their terms", async () => {
    const { asSeller, asBuyer, reader, seller, buyer, other, terms } = await clients();
    const signedTerms = await terms();
    await asSeller.deposit((await asSeller.amounts(signedTerms)).offerer);
    await asBuyer.openSigned(await asSeller.signOffer(signedTerms));
    const byBuyer = await terms({ sellerOffers: false });
    await asBuyer.offer(byBuyer);
    const expected = (role: "seller" | "buyer") => [
      { terms: signedTerms, role, via: "signed", stage: "Redeem" },
      { terms: byBuyer, role, via: "offer", stage: "Offered" },
    ];
    const shape = (ds: Awaited<ReturnType<typeof dealsOf>>) =>
      ds.map(({ terms: dt, role, via, stage }) => ({ terms: dt, role, via, stage }));
    const ofSeller = await dealsOf(reader, seller.address, { pageSize: 3 });
    expect(shape(ofSeller)).to.deep.equal(expected("seller"));
    expect(ofSeller.map((d) => d.id)).to.deep.equal([await reader.dealId(signedTerms), await reader.dealId(byBuyer)]);
    expect(shape(await dealsOf(reader, buyer.address))).to.deep.equal(expected("buyer"));
    expect(await dealsOf(reader, other.address)).to.deep.equal([]);
    expect(unpackTerms(packTerms(byBuyer))).to.deep.equal(byBuyer);
  });

  it("checks what the contract cannot: a table not registered, a burn setting the owner has yet to make", async () => {
    const { escrow, owner, seller, asSeller, asBuyer, terms, other, sign, packed } = await clients();
    // A number nobody registered yet could be taken by whoever registers first: the signer refuses it.
    await expect(asSeller.signOffer(await terms({ table: 2n }))).to.be.rejectedWith(
      "escrow client: table 2, burn setting 0: no table 2 is registered",
    );
    // The adversary: an offerer naming the next burn setting, which a colluding owner would fill in with
    // an accomplice between the counterparty's look and its opening. The counterparty's library refuses.
    const future = await terms({ burnSetting: 1n });
    await expect(asSeller.signOffer(future)).to.be.rejectedWith(
      "escrow client: table 1, burn setting 1: the burn setting in force is 0: a later one is not made yet",
    );
    const signature = await sign(seller, future); // signed by hand, past the library
    await expect(asBuyer.openSigned({ terms: future, signature })).to.be.rejectedWith(
      "escrow client: table 1, burn setting 1: the burn setting in force is 0: a later one is not made yet",
    );
    expect((await escrow.deals(await escrow.dealId(packed(future)))).stage).to.equal(0n);
    // Once the owner makes setting 1 (in force from the next second), an offer naming it signs and opens.
    await escrow.connect(owner).setBurnRecipient(other.address);
    await time.increase(1);
    await asSeller.deposit((await asSeller.amounts(future)).offerer);
    await asBuyer.openSigned(await asSeller.signOffer(future));
    expect((await escrow.deals(await escrow.dealId(packed(future)))).stage).to.equal(2n);
  });

  it("refuses bad input and wrong parties in one line, and decodes the escrow's revert", async () => {
    const { asSeller, asBuyer, reader, terms, seller, buyer } = await clients();
    const t = await terms();
    // Each call is made when its turn comes: a rejection waits for its handler.
    const cases: [() => Promise<unknown>, string][] = [
      [() => asSeller.signOffer({ ...t, price: -1n }), "escrow client: terms.price: must not be negative"],
      [() => asSeller.signOffer({ ...t, seller: "0x1234" }), "escrow client: terms.seller: not an address"],
      [() => asSeller.signOffer({ ...t, redeemWindow: 0n }), "escrow client: terms.redeemWindow: a window must be"],
      [() => asSeller.signOffer({ ...t, salt: 1n << 96n }), "escrow client: terms.salt: does not fit 96 bits"],
      [() => asSeller.signOffer({ ...t, buyer: t.seller }), "escrow client: terms.buyer: seller and buyer must differ"],
      [() => asSeller.signOffer({ ...t, extra: 1 } as never), "escrow client: terms: Unrecognized key(s)"],
      [() => asSeller.deposit("1.5"), "escrow client: amount: expected a decimal integer"],
      [
        () => asBuyer.openSigned({ terms: t, signature: "0x12" }),
        "escrow client: signature: expected a 65- or 64-byte",
      ],
      [
        () => asBuyer.signOffer(t),
        `escrow client: ${buyer.address} is not the offerer of these terms (${seller.address})`,
      ],
      [() => reader.deposit(1n), "escrow client: connected to a provider: a transaction needs a signer"],
    ];
    for (const [call, message] of cases) {
      const error = await call().then(
        () => expect.fail(`accepted, expected ${message}`),
        (e: Error) => e,
      );
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.satisfy((m: string) => m.startsWith(message), error.message);
      expect(error.message).not.to.include("\n");
    }
    // A buyer's signed offer, its balance empty: the escrow's custom error, decoded.
    const byBuyer = await terms({ sellerOffers: false });
    const { offerer } = await asBuyer.amounts(byBuyer);
    await expect(asSeller.openSigned(await asBuyer.signOffer(byBuyer))).to.be.rejectedWith(
      EscrowCallError,
      `escrow client: acceptSigned reverted: InsufficientBalance(${buyer.address}, ${ethers.ZeroAddress}, ` +
        `${offerer}, 0)`,
    );
    await expect(asSeller.signOffer({ ...t, price: "x" as never })).to.be.rejectedWith(EscrowInputError);
  });
});
