import { expect } from "chai";
import { ethers } from "hardhat";
import { BASE_PARAMS, deployMarket, units } from "./clearing/fixture";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployEscrow } from "./exchange/fixture";
import { ETH, expectBooks, receiverBuyerDeal, via } from "./exchange/books";
import { submit } from "./harness";

/**
 * Cross-function reentrancy: while a contract pays a receiver, the receiver calls back into
 * every other guarded function of that contract. Each callback must fail with
 * ReentrancyGuardReentrantCall, and exactly one payment must have happened.
 */
describe("Reentrancy from a paid receiver into every guarded function", () => {
  it("ClearingMarket: join, deposit, withdraw, withdrawFees, withdrawRevenue", async () => {
    const f = await deployMarket();
    const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
    const market = f.market;
    const at = await market.getAddress();
    const join = market.interface.encodeFunctionData("join", [units(5)]);
    await receiver.execute(at, units(5), join, { value: units(5) });
    const withdraw = market.interface.encodeFunctionData("withdraw", [units(1)]);
    const callbacks = [
      market.interface.encodeFunctionData("join", [0n]),
      market.interface.encodeFunctionData("deposit", [0n]),
      withdraw,
      market.interface.encodeFunctionData("withdrawFees"),
      market.interface.encodeFunctionData("withdrawRevenue"),
    ];
    for (const [i, callback] of callbacks.entries()) {
      await receiver.configure(at, callback, false);
      await receiver.execute(at, 0n, withdraw);
      expect(await receiver.callbackReverted(), `callback ${i}`).to.equal(true);
      expect(market.interface.parseError(await receiver.callbackError())?.name, `callback ${i}`).to.equal(
        "ReentrancyGuardReentrantCall",
      );
      expect((await market.agents(await receiver.getAddress())).free).to.equal(units(4 - i));
    }
    expect(await ethers.provider.getBalance(at)).to.equal(await market.totalLiabilities());
  });

  it("ExchangeEscrow: a balance withdrawal's receiver cannot reenter any guarded function, and is paid once", async () => {
    const { escrow, seller, burn, terms, packed, sign } = await deployEscrow();
    const { receiver, R, at, t, sd } = await receiverBuyerDeal({ escrow, seller, terms, packed });
    await receiver.configure(at, "0x", true); // refuses finalize's push: its payout is credited
    await escrow.connect(seller).finalize(packed(t));
    const [, bp] = await escrow.payouts(t.table, t.price, 4);
    expect(await escrow.balances(R, ETH)).to.equal(bp);
    // Calls that would succeed outside the payment (a fresh offer, a signed one funded by the seller).
    const fresh = await terms({ seller: R, buyer: seller.address });
    const signed = await terms({ buyer: R });
    await escrow.connect(seller).deposit(ETH, sd, { value: sd });
    const callbacks = [
      escrow.interface.encodeFunctionData("deposit", [ETH, 0n]),
      escrow.interface.encodeFunctionData("withdraw", [ETH, 0n]),
      escrow.interface.encodeFunctionData("offer", [packed(fresh)]),
      escrow.interface.encodeFunctionData("accept", [packed(t)]),
      escrow.interface.encodeFunctionData("withdrawOffer", [packed(t)]),
      escrow.interface.encodeFunctionData("acceptSigned", [packed(signed), await sign(seller, signed)]),
      escrow.interface.encodeFunctionData("acceptSignedWithPermit", [
        packed(signed),
        await sign(seller, signed),
        { deadline: 0n, v: 27, r: ethers.ZeroHash, s: ethers.ZeroHash },
      ]),
      escrow.interface.encodeFunctionData("cancelOrFault", [packed(t)]),
      escrow.interface.encodeFunctionData("finalize", [packed(t)]),
    ];
    // Each callback is tried on the same credited balance: restore it before each try.
    let snapshot = await ethers.provider.send("evm_snapshot", []);
    for (const [i, callback] of callbacks.entries()) {
      await ethers.provider.send("evm_revert", [snapshot]);
      snapshot = await ethers.provider.send("evm_snapshot", []);
      await receiver.configure(at, callback, false);
      await expect(via(receiver, escrow, "withdraw", [ETH, bp])).to.changeEtherBalance(receiver, bp);
      expect(escrow.interface.parseError(await receiver.callbackError())?.name, `callback ${i}`).to.equal(
        "ReentrancyGuardReentrantCall",
      );
      expect(await escrow.balances(R, ETH)).to.equal(0n);
      await expectBooks(escrow, ETH, [t, fresh, signed], [seller.address, R, burn.address]);
    }
  });

  it("ExchangeEscrow: a payee reentering from finalize's token push is refused by the guard and paid exactly once", async () => {
    const { escrow, seller, buyer, burn, terms, packed, sign } = await deployEscrow();
    const token = await (await ethers.getContractFactory("CallbackERC20")).deploy();
    const T = await token.getAddress();
    const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
    const R = await receiver.getAddress();
    const at = await escrow.getAddress();
    const t = await terms({ buyer: R, asset: T });
    const other = await terms({ buyer: R, asset: T });
    const [sd, bd] = await escrow.depositsFor(t.table, t.price);
    await token.mint(seller.address, 2n * sd);
    await token.connect(seller).approve(at, 2n * sd);
    await token.mint(R, 2n * (bd + t.price));
    await via(receiver, token, "approve", [at, ethers.MaxUint256]);
    await escrow.connect(seller).offer(packed(t));
    await via(receiver, escrow, "accept", [packed(t)]);
    await via(receiver, escrow, "redeem", [packed(t), true]);
    await escrow.connect(seller).deposit(T, sd); // funds the signed offer the receiver tries to open
    await token.setHook(R, true);
    const [sp, bp] = await escrow.payouts(t.table, t.price, 4);
    const callbacks = [
      escrow.interface.encodeFunctionData("finalize", [packed(t)]),
      escrow.interface.encodeFunctionData("acceptSigned", [packed(other), await sign(seller, other)]),
      escrow.interface.encodeFunctionData("withdraw", [T, 0n]),
    ];
    let snapshot = await ethers.provider.send("evm_snapshot", []);
    for (const [i, callback] of callbacks.entries()) {
      await ethers.provider.send("evm_revert", [snapshot]);
      snapshot = await ethers.provider.send("evm_snapshot", []);
      await receiver.configure(at, callback, false);
      const before = await token.balanceOf(R);
      await expect(escrow.connect(seller).finalize(packed(t))).to.changeTokenBalance(token, seller, sp);
      expect(escrow.interface.parseError(await receiver.callbackError())?.name, `callback ${i}`).to.equal(
        "ReentrancyGuardReentrantCall",
      );
      expect((await token.balanceOf(R)) - before, "paid once, by the push").to.equal(bp);
      expect(await escrow.balances(R, T), "not credited besides").to.equal(0n);
      expect((await escrow.deals(await escrow.dealId(packed(other)))).stage, "nothing opened").to.equal(0n);
      await expectBooks(escrow, T, [t, other], [seller.address, buyer.address, R, burn.address]);
    }
  });

  it("ExchangeEscrow: an ETH payee reentering from finalize's push (50,000 gas) is paid or credited exactly once", async () => {
    const { escrow, seller, burn, terms, packed } = await deployEscrow();
    const { receiver, R, at, t } = await receiverBuyerDeal({ escrow, seller, terms, packed });
    await receiver.configure(at, escrow.interface.encodeFunctionData("finalize", [packed(t)]), false);
    const [, bp] = await escrow.payouts(t.table, t.price, 4);
    const before = await ethers.provider.getBalance(R);
    await escrow.connect(seller).finalize(packed(t));
    expect((await ethers.provider.getBalance(R)) - before + (await escrow.balances(R, ETH))).to.equal(bp);
    if (await receiver.callbackReverted())
      expect(escrow.interface.parseError(await receiver.callbackError())?.name).to.equal(
        "ReentrancyGuardReentrantCall",
      );
    await expect(escrow.connect(seller).finalize(packed(t)))
      .to.be.revertedWithCustomError(escrow, "WrongStage")
      .withArgs(4, 5);
    await expectBooks(escrow, ETH, [t], [seller.address, R, burn.address]);
  });
});

describe("Remaining argument checks", () => {
  it("ClearingMarket: zero revenue recipient, oversized tolerances, zero replacing a positive demand, leaving after a zero demand", async () => {
    const f = await deployMarket();
    const [owner, r] = await ethers.getSigners();
    const factory = await ethers.getContractFactory("ClearingMarket");
    const cfg = {
      asset: ethers.ZeroAddress,
      owner: owner.address,
      feeRecipient: r.address,
      revenueRecipient: ethers.ZeroAddress,
      allowListOnly: false,
      params: BASE_PARAMS,
    };
    await expect(factory.deploy(cfg)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    await expect(f.market.setRecipients(r.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(
      f.market,
      "ZeroAddress",
    );
    await expect(f.market.scheduleParams({ ...BASE_PARAMS, tolDual: 1n << 96n })).to.be.revertedWithCustomError(
      f.market,
      "InvalidTolerance",
    );
    const [a, b] = f.agents;
    for (const s of [a, b]) await f.market.connect(s).join(units(10), { value: units(10) });
    await submit(f.market, a, units(2));
    expect((await f.market.state()).positive).to.equal(1n);
    await submit(f.market, a, 0n);
    expect((await f.market.state()).positive).to.equal(0n);
    expect((await f.market.state()).submitted).to.equal(1n);
    await f.market.connect(a).leave();
    const s = await f.market.state();
    expect([s.submitted, s.positive, s.active]).to.deep.equal([0n, 0n, 1n]);
  });

  it("ExchangeEscrow: zero burn recipient, invalid parties, each zero window, non-canonical terms, an expired offer", async () => {
    const { escrow, seller, owner, terms, packed } = await deployEscrow();
    const factory = await ethers.getContractFactory("ExchangeEscrow");
    await expect(factory.deploy(owner.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(
      factory,
      "ZeroAddress",
    );
    await expect(escrow.connect(owner).setBurnRecipient(ethers.ZeroAddress)).to.be.revertedWithCustomError(
      escrow,
      "ZeroAddress",
    );
    for (const [s, b] of [
      [ethers.ZeroAddress, seller.address],
      [seller.address, seller.address],
    ]) {
      await expect(escrow.connect(seller).offer(packed(await terms({ seller: s, buyer: b }))))
        .to.be.revertedWithCustomError(escrow, "InvalidParties")
        .withArgs(s, b);
    }
    for (const w of ["redeemWindow", "complaintWindow", "faultWindow"]) {
      await expect(escrow.connect(seller).offer(packed(await terms({ [w]: 0n }))), w).to.be.revertedWithCustomError(
        escrow,
        "ZeroWindow",
      );
    }
    const words = packed(await terms());
    words[3] = ethers.toBeHex(BigInt(words[3]) | (1n << 200n), 32); // a bit above the 128-bit price
    await expect(escrow.connect(seller).offer(words)).to.be.revertedWithCustomError(escrow, "NonCanonicalTerms");
    const now = BigInt(await time.latest());
    const expired = await terms({ expiry: now + 1n });
    await expect(escrow.connect(seller).offer(packed(expired)))
      .to.be.revertedWithCustomError(escrow, "OfferExpired")
      .withArgs(await escrow.dealId(packed(expired)), now + 1n);
  });
});
