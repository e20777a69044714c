import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Interface } from "ethers";
import { PRICE, UNIT, deployEscrow, withSellerDeposit } from "./fixture";
import { dealIdOf } from "../../src/exchange/model/terms";
import { EscrowClient } from "../../src/exchange/parties/escrowClient";
import { audit } from "../../src/audit/run";
import type { MockERC20, PermitToken } from "../../typechain-types";

/** The escrow (its table with a seller deposit of 0.1), a permit token held by both parties, their clients. */
async function permitFixture() {
  const f = await withSellerDeposit();
  const token = (await (await ethers.getContractFactory("PermitToken")).deploy()) as unknown as PermitToken;
  const asset = await token.getAddress();
  for (const who of [f.seller, f.buyer]) await token.mint(who.address, 100n * UNIT);
  const address = await f.escrow.getAddress();
  const asSeller = new EscrowClient(f.seller, address);
  const asBuyer = asSeller.connect(f.buyer);
  const terms = (over: Parameters<typeof f.terms>[0] = {}) => f.terms({ table: f.sdTable, asset, ...over });
  return { ...f, token, asset, address, asSeller, asBuyer, terms };
}

describe("ExchangeEscrow: signed offers paid by an EIP-2612 permit", () => {
  for (const sellerOffers of [true, false]) {
    it(`the ${sellerOffers ? "seller" : "buyer"}'s part comes from its wallet by its permit; the deal pays out as usual`, async () => {
      const { escrow, token, seller, buyer, burn, asSeller, asBuyer, address, terms, domain } =
        await loadFixture(permitFixture);
      const [offerer, counterparty] = sellerOffers ? [asSeller, asBuyer] : [asBuyer, asSeller];
      const offer = await offerer.signOffer(await terms({ sellerOffers }), { permit: true });
      const t = offer.terms; // fromWallet set by the library
      const { offerer: part, counterparty: otherPart } = await offerer.amounts(t);
      expect(part).to.equal(sellerOffers ? PRICE / 10n : PRICE + PRICE / 50n);
      const wallets = async () => Promise.all([seller, buyer].map((s) => token.balanceOf(s.address)));
      const before = await wallets();
      const receipt = await counterparty.openSigned(offer);
      const id = dealIdOf(domain, t);
      const offererAddress = sellerOffers ? seller.address : buyer.address;
      await expect(receipt.hash).to.emit(escrow, "PaidWithPermit").withArgs(id, offererAddress, part);
      // Each wallet paid its own part; the offerer's balance in the escrow was not touched.
      const [sellerPaid, buyerPaid] = sellerOffers ? [part, otherPart] : [otherPart, part];
      expect(await wallets()).to.deep.equal([before[0] - sellerPaid, before[1] - buyerPaid]);
      expect(await escrow.balances(offererAddress, t.asset)).to.equal(0n);
      expect(await token.balanceOf(address)).to.equal(part + otherPart);
      expect((await escrow.deals(id)).stage).to.equal(2n); // Redeem
      // The honest path: the seller ends up with price + its deposit, the buyer with its deposit.
      await asBuyer.redeem(t, true);
      await asSeller.finalize(t);
      const [sp, bp, burnt] = await escrow.payouts(t.table, t.price, 4);
      expect(await wallets()).to.deep.equal([before[0] - sellerPaid + sp, before[1] - buyerPaid + bp]);
      // What stays is the burn remainder (this table's seller deposit is not paid back), credited to the recipient.
      expect(burnt).to.equal(PRICE / 10n);
      expect(await token.balanceOf(address)).to.equal(burnt);
      expect(await escrow.balances(burn.address, t.asset)).to.equal(burnt);
      // The auditor reads the permit payment from the log and finds the books exact.
      const report = await audit(
        ethers.provider,
        "escrow",
        address,
        new Interface((await hre.artifacts.readArtifact("ExchangeEscrow")).abi),
      );
      expect(report.discrepancies).to.deep.equal([]);
    });
  }

  it("a contract-wallet counterparty pays its part from the wallet, not from the account that drives it", async () => {
    const { escrow, token, seller, other, asSeller, address, terms, domain } = await loadFixture(permitFixture);
    // `other` owns the wallet and sends the transaction: it is tx.origin, with tokens of its own.
    const wallet = await (await ethers.getContractFactory("ContractWallet")).deploy(other.address);
    const w = await wallet.getAddress();
    await token.mint(w, 100n * UNIT);
    await token.mint(other.address, 100n * UNIT);
    await token.connect(other).approve(address, 100n * UNIT);
    const call = (name: string, args: unknown[]) =>
      wallet.connect(other).execute(address, 0n, escrow.interface.encodeFunctionData(name as never, args as never));
    await wallet
      .connect(other)
      .execute(await token.getAddress(), 0n, token.interface.encodeFunctionData("approve", [address, 100n * UNIT]));
    const offer = await asSeller.signOffer(await terms({ buyer: w }), { permit: true });
    const { counterparty: buyerPart } = await asSeller.amounts(offer.terms);
    const p = offer.permit!;
    await call("acceptSignedWithPermit", [offer.packed, offer.signature, [p.deadline, p.v, p.r, p.s]]);
    expect((await escrow.deals(dealIdOf(domain, offer.terms))).stage).to.equal(2n);
    expect(await token.balanceOf(w)).to.equal(100n * UNIT - buyerPart);
    expect(await token.balanceOf(other.address)).to.equal(100n * UNIT);
    expect(await token.balanceOf(seller.address)).to.equal(100n * UNIT - PRICE / 10n);
  });

  it("a contract-wallet counterparty accepting a signed offer without a permit pays from the wallet, not tx.origin", async () => {
    const { escrow, token, seller, other, asSeller, address, terms, domain, asset } = await loadFixture(permitFixture);
    const wallet = await (await ethers.getContractFactory("ContractWallet")).deploy(other.address);
    const w = await wallet.getAddress();
    // Both the wallet and the account that drives it hold tokens and allow the escrow to pull them.
    for (const holder of [w, other.address]) await token.mint(holder, 100n * UNIT);
    await token.connect(other).approve(address, 100n * UNIT);
    await wallet
      .connect(other)
      .execute(await token.getAddress(), 0n, token.interface.encodeFunctionData("approve", [address, 100n * UNIT]));
    await asSeller.deposit(PRICE / 10n, asset); // the offerer's part comes from its balance in the escrow
    const offer = await asSeller.signOffer(await terms({ buyer: w }));
    const { counterparty: buyerPart } = await asSeller.amounts(offer.terms);
    await wallet
      .connect(other)
      .execute(address, 0n, escrow.interface.encodeFunctionData("acceptSigned", [offer.packed, offer.signature]));
    expect((await escrow.deals(dealIdOf(domain, offer.terms))).stage).to.equal(2n);
    expect(await token.balanceOf(w)).to.equal(100n * UNIT - buyerPart);
    expect(await token.balanceOf(other.address)).to.equal(100n * UNIT);
    expect(await escrow.balances(seller.address, asset)).to.equal(0n);
  });

  it("a permit someone else submitted first still counts: its allowance stands", async () => {
    const { escrow, token, seller, asSeller, asBuyer, address, terms, domain } = await loadFixture(permitFixture);
    const offer = await asSeller.signOffer(await terms(), { permit: true });
    const t = offer.terms;
    const p = offer.permit!;
    await token.permit(seller.address, address, PRICE / 10n, p.deadline, p.v, p.r, p.s); // the front-runner
    await asBuyer.openSigned(offer);
    expect((await escrow.deals(dealIdOf(domain, t))).stage).to.equal(2n);
    expect(await token.allowance(seller.address, address)).to.equal(0n);
  });

  it("without a valid permit or an allowance the token refuses the pull and nothing changes", async () => {
    const { escrow, token, seller, buyer, asSeller, asBuyer, address, terms, domain } =
      await loadFixture(permitFixture);
    const offer = await asSeller.signOffer(await terms(), { permit: true });
    const t = offer.terms;
    // A permit for another value (or a wrong signature) fails inside the try; the token then refuses.
    const forged = { ...offer, permit: { ...offer.permit!, deadline: offer.permit!.deadline + 1n } };
    await expect(asBuyer.openSigned(forged)).to.be.rejectedWith("ERC20InsufficientAllowance");
    expect((await escrow.deals(dealIdOf(domain, t))).stage).to.equal(0n);
    expect(await token.balanceOf(address)).to.equal(0n);
    expect(await token.balanceOf(seller.address)).to.equal(100n * UNIT);
    expect(await token.allowance(buyer.address, address)).to.be.greaterThan(0n); // the buyer's approval alone
  });

  it("the terms name the route: an offer paid from the balance never takes the wallet, nor the reverse", async () => {
    // The adversary: a counterparty that would take the offerer's part from a standing allowance with a
    // junk permit, although the offerer meant it to come from (and be limited by) its escrow balance.
    const { escrow, token, seller, buyer, packed, sign, address, asSeller, asBuyer, terms, domain } =
      await loadFixture(permitFixture);
    await token.connect(seller).approve(address, 100n * UNIT); // a standing allowance
    const fromBalance = await terms(); // fromWallet false: paid from the balance (empty here)
    const junk = { deadline: 0n, v: 27, r: ethers.ZeroHash, s: ethers.ZeroHash };
    await expect(
      escrow.connect(buyer).acceptSignedWithPermit(packed(fromBalance), await sign(seller, fromBalance), junk),
    )
      .to.be.revertedWithCustomError(escrow, "WrongFundingRoute")
      .withArgs(false);
    const byPermit = await asSeller.signOffer(await terms(), { permit: true });
    expect(byPermit.terms.fromWallet).to.equal(true);
    await expect(escrow.connect(buyer).acceptSigned(byPermit.packed, byPermit.signature))
      .to.be.revertedWithCustomError(escrow, "WrongFundingRoute")
      .withArgs(true);
    // The library refuses both mismatches before sending anything.
    await expect(asBuyer.openSigned({ ...byPermit, permit: undefined })).to.be.rejectedWith(
      "escrow client: this signed offer cannot open: its terms say it is paid by a permit, and it carries none",
    );
    for (const t of [fromBalance, byPermit.terms]) {
      expect((await escrow.deals(dealIdOf(domain, t))).stage).to.equal(0n);
    }
    expect(await token.balanceOf(seller.address)).to.equal(100n * UNIT);
  });

  it("native ETH has no permit: UnsupportedAsset(0), and the library refuses to sign one", async () => {
    const { escrow, seller, buyer, packed, sign, terms: ethTerms } = await loadFixture(deployEscrow);
    const t = await ethTerms({ fromWallet: true });
    const permit = { deadline: t.expiry, v: 27, r: ethers.ZeroHash, s: ethers.ZeroHash };
    await expect(escrow.connect(buyer).acceptSignedWithPermit(packed(t), await sign(seller, t), permit))
      .to.be.revertedWithCustomError(escrow, "UnsupportedAsset")
      .withArgs(ethers.ZeroAddress);
    const asSeller = new EscrowClient(seller, await escrow.getAddress());
    await expect(asSeller.signOffer(t, { permit: true })).to.be.rejectedWith(
      "escrow client: a permit needs a token, not native ETH",
    );
  });

  it("the library names a token without EIP-2612", async () => {
    const { seller, asSeller, terms } = await loadFixture(permitFixture);
    const plain = (await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 18)) as unknown as MockERC20;
    await plain.mint(seller.address, UNIT);
    const t = await terms({ asset: await plain.getAddress() });
    await expect(asSeller.signOffer(t, { permit: true })).to.be.rejectedWith(
      `escrow client: token ${await plain.getAddress()} has no EIP-2612 permit (nonces, eip712Domain)`,
    );
  });

  it("an expired permit with no allowance cannot open the deal even before the offer expires", async () => {
    const { escrow, asSeller, asBuyer, terms, domain } = await loadFixture(permitFixture);
    const offer = await asSeller.signOffer(await terms(), { permit: true });
    const t = offer.terms;
    const short = { ...offer, permit: { ...offer.permit!, deadline: BigInt(await time.latest()) } };
    await expect(asBuyer.openSigned(short)).to.be.rejectedWith("ERC20InsufficientAllowance");
    expect((await escrow.deals(dealIdOf(domain, t))).stage).to.equal(0n);
  });
});
