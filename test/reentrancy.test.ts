import { expect } from "chai";
import { ethers } from "hardhat";
import { BASE_PARAMS, deployMarket, units } from "./clearing/fixture";
import { deployEscrow } from "./exchange/fixture";

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

  it("ExchangeEscrow: offer, accept, withdrawOffer, withdraw, withdrawBurn", async () => {
    const { escrow, seller, terms } = await deployEscrow();
    const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
    const at = await escrow.getAddress();
    const t = terms({ buyer: await receiver.getAddress() });
    await escrow.connect(seller).offer(t);
    const call = (name: string, args: unknown[], value = 0n) =>
      receiver.execute(at, value, escrow.interface.encodeFunctionData(name as never, args as never), { value });
    await call("accept", [1, t], t.price + t.price / 50n);
    await call("redeem", [1, t, true]);
    await escrow.connect(seller).withdraw(1, t);
    const callbacks = [
      escrow.interface.encodeFunctionData("offer", [t]),
      escrow.interface.encodeFunctionData("accept", [1, t]),
      escrow.interface.encodeFunctionData("withdrawOffer", [1, t]),
      escrow.interface.encodeFunctionData("withdraw", [1, t]),
      escrow.interface.encodeFunctionData("withdrawBurn", [ethers.ZeroAddress]),
    ];
    // Each callback is tried on the same final deal: restore it before each try.
    let snapshot = await ethers.provider.send("evm_snapshot", []);
    for (const [i, callback] of callbacks.entries()) {
      await ethers.provider.send("evm_revert", [snapshot]);
      snapshot = await ethers.provider.send("evm_snapshot", []);
      await receiver.configure(at, callback, false);
      await expect(call("withdraw", [1, t])).to.changeEtherBalance(receiver, t.price / 50n);
      expect(escrow.interface.parseError(await receiver.callbackError())?.name, `callback ${i}`).to.equal(
        "ReentrancyGuardReentrantCall",
      );
      expect(await ethers.provider.getBalance(at)).to.equal(0n);
    }
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
    await f.market.connect(a).submitDemand(units(2));
    expect((await f.market.state()).positive).to.equal(1n);
    await f.market.connect(a).submitDemand(0n);
    expect((await f.market.state()).positive).to.equal(0n);
    expect((await f.market.state()).submitted).to.equal(1n);
    await f.market.connect(a).leave();
    const s = await f.market.state();
    expect([s.submitted, s.positive, s.active]).to.deep.equal([0n, 0n, 1n]);
  });

  it("ExchangeEscrow: zero burn recipient, zero seller, each zero window", async () => {
    const { escrow, seller, owner, terms } = await deployEscrow();
    const factory = await ethers.getContractFactory("ExchangeEscrow");
    await expect(factory.deploy(owner.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(
      factory,
      "ZeroAddress",
    );
    await expect(escrow.connect(seller).offer(terms({ seller: ethers.ZeroAddress }))).to.be.revertedWithCustomError(
      escrow,
      "InvalidParties",
    );
    for (const w of ["acceptWindow", "redeemWindow", "complaintWindow", "faultWindow"]) {
      await expect(escrow.connect(seller).offer(terms({ [w]: 0n })), w).to.be.revertedWithCustomError(
        escrow,
        "ZeroWindow",
      );
    }
  });
});
