import { expect } from "chai";
import type { Interface } from "ethers";
import { ethers, network } from "hardhat";
import type { ClearingMarket } from "../typechain-types";
import { BASE_PARAMS, deployMarket, units } from "./clearing/fixture";
import { deployEscrow, UNIT } from "./exchange/fixture";
import { ETH, expectBooks, receiverBuyerDeal, via } from "./exchange/books";
import { stateIndex } from "../src/exchange/model/payoutTable";
import { submit } from "./harness";

const MAX_QUANTITY = (1n << 120n) - 1n;
const MAX_PRICE = (1n << 120n) - 1n;

async function forceSend(to: string, amount: bigint) {
  // The effect of selfdestruct or a coinbase payment: ETH arrives without any call.
  const balance = await ethers.provider.getBalance(to);
  await network.provider.send("hardhat_setBalance", [to, ethers.toQuantity(balance + amount)]);
}

describe("Attacks", function () {
  this.timeout(120_000);

  describe("force-sent ETH: the contracts never account with address(this).balance", () => {
    it("ClearingMarket: books and payouts ignore ETH that arrived without a call", async () => {
      const { market, agents, feeRecipient } = await deployMarket();
      const [a, b] = agents;
      const address = await market.getAddress();
      for (const x of [a, b]) await market.connect(x).join(units(20), { value: units(20) });
      await forceSend(address, units(7));
      expect(await market.totalLiabilities()).to.equal(units(40));
      await submit(market, a, units(6));
      await submit(market, b, units(8));
      await market.closeRound();
      for (const x of [a, b]) {
        await market.settle(x.address);
        await market.connect(x).withdraw((await market.agents(x.address)).free);
      }
      await market.connect(feeRecipient).withdrawFees();
      expect(await market.totalLiabilities()).to.equal(0n);
      expect(await ethers.provider.getBalance(address), "only the forced ETH is left").to.equal(units(7));
    });

    it("ExchangeEscrow: an honest trade pays exactly the table; forced ETH stays aside", async () => {
      const { escrow, seller, buyer, burn, terms, packed } = await deployEscrow();
      const t = await terms();
      const address = await escrow.getAddress();
      const [sd, bd] = await escrow.depositsFor(t.table, t.price);
      const books = () => expectBooks(escrow, ETH, [t], [seller.address, buyer.address, burn.address], units(3));
      await forceSend(address, units(3));
      await escrow.connect(seller).offer(packed(t), { value: sd });
      await books();
      await escrow.connect(buyer).accept(packed(t), { value: bd + t.price });
      await escrow.connect(buyer).redeem(packed(t), true);
      await books();
      const [sp, bp, burnt] = await escrow.payouts(t.table, t.price, stateIndex("R-NC-NC"));
      await expect(escrow.connect(seller).finalize(packed(t))).to.changeEtherBalances([seller, buyer], [sp, bp]);
      expect(await escrow.balances(burn.address, ETH)).to.equal(burnt);
      expect(await ethers.provider.getBalance(address), "forced ETH + burn").to.equal(units(3) + burnt);
      await books();
    });
  });

  describe("gas-bomb receivers hurt only themselves", () => {
    it("ClearingMarket: a receiver that burns all gas cannot withdraw (NativeTransferFailed, books unchanged); others can", async () => {
      const { market, agents } = await deployMarket();
      const bomb = await (await ethers.getContractFactory("GasBombReceiver")).deploy();
      const address = await market.getAddress();
      await bomb.execute(address, units(5), market.interface.encodeFunctionData("join", [units(5)]), {
        value: units(5),
      });
      await market.connect(agents[0]).join(units(5), { value: units(5) });
      await expect(
        bomb.execute(address, 0, market.interface.encodeFunctionData("withdraw", [units(5)]), { gasLimit: 3_000_000 }),
      )
        .to.be.revertedWithCustomError(market, "NativeTransferFailed")
        .withArgs(await bomb.getAddress(), units(5));
      expect((await market.agents(await bomb.getAddress())).free).to.equal(units(5));
      await expect(market.connect(agents[0]).withdraw(units(5))).to.changeEtherBalance(agents[0], units(5));
      expect(await market.totalLiabilities()).to.equal(units(5));
    });

    it("ExchangeEscrow: a gas-bomb buyer cannot block the seller's payout: it is credited, and only it fails to withdraw", async () => {
      const { escrow, seller, burn, terms, packed } = await deployEscrow();
      const bomb = await (await ethers.getContractFactory("GasBombReceiver")).deploy();
      const B = await bomb.getAddress();
      const t = await terms({ buyer: B });
      const address = await escrow.getAddress();
      const [sd, bd] = await escrow.depositsFor(t.table, t.price);
      await escrow.connect(seller).offer(packed(t), { value: sd });
      await bomb.execute(address, bd + t.price, escrow.interface.encodeFunctionData("accept", [packed(t)]), {
        value: bd + t.price,
      });
      await bomb.execute(address, 0, escrow.interface.encodeFunctionData("redeem", [packed(t), true]));
      const [sp, bp, burnt] = await escrow.payouts(t.table, t.price, stateIndex("R-NC-NC"));
      const id = await escrow.dealId(packed(t));
      const finalize = escrow.connect(seller).finalize(packed(t));
      await expect(finalize).to.changeEtherBalance(seller, sp);
      await expect(finalize).to.emit(escrow, "Credited").withArgs(id, B, ETH, bp);
      expect((await (await finalize).wait())!.gasUsed, "the bomb burnt its allowance only").to.be.lessThan(200_000n);
      expect(await escrow.balances(B, ETH)).to.equal(bp);
      await expect(
        bomb.execute(address, 0, escrow.interface.encodeFunctionData("withdraw", [ETH, bp]), { gasLimit: 3_000_000 }),
      )
        .to.be.revertedWithCustomError(escrow, "NativeTransferFailed")
        .withArgs(B, bp);
      expect(await ethers.provider.getBalance(address), "the buyer's credit waits for it").to.equal(bp + burnt);
      await expectBooks(escrow, ETH, [t], [seller.address, B, burn.address]);
    });
  });

  describe("read-only reentrancy: a view read from inside a payment already shows the books after it", () => {
    it("ClearingMarket: during a withdrawal the agent's free balance and the liabilities are already lowered", async () => {
      const { market } = await deployMarket();
      const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
      const at = await market.getAddress();
      const me = await receiver.getAddress();
      await receiver.execute(at, units(5), market.interface.encodeFunctionData("join", [units(5)]), {
        value: units(5),
      });
      const withdraw = market.interface.encodeFunctionData("withdraw", [units(2)]);
      const views: Interface = market.interface;
      for (const [view, args, expected] of [
        ["agents", [me], units(3)],
        ["totalLiabilities", [], units(3)],
      ] as const) {
        await receiver.configure(at, views.encodeFunctionData(view, args), false);
        await receiver.execute(at, 0n, withdraw);
        expect(await receiver.callbackReverted(), view).to.equal(false);
        // What the view returned mid-payment (the probe records the return data).
        const read = views.decodeFunctionResult(view, await receiver.callbackError());
        expect(view === "agents" ? read.free : read[0], view).to.equal(expected);
        await receiver.execute(at, units(2), market.interface.encodeFunctionData("deposit", [units(2)]), {
          value: units(2),
        });
      }
    });

    it("ExchangeEscrow: during a balance withdrawal the balance is already lowered", async () => {
      const { escrow, seller, terms, packed } = await deployEscrow();
      const { receiver, R, at, t } = await receiverBuyerDeal({ escrow, seller, terms, packed });
      const id = await escrow.dealId(packed(t));
      await receiver.configure(at, "0x", true); // refuses the push: its payout is credited
      await escrow.connect(seller).finalize(packed(t));
      expect((await escrow.deals(id)).stage).to.equal(5n);
      const [, bp] = await escrow.payouts(t.table, t.price, stateIndex("R-NC-NC"));
      expect(await escrow.balances(R, ETH), "refused, so credited").to.equal(bp);
      await receiver.configure(at, escrow.interface.encodeFunctionData("balances", [R, ETH]), false);
      await expect(via(receiver, escrow, "withdraw", [ETH, bp])).to.changeEtherBalance(receiver, bp);
      expect(await receiver.callbackReverted()).to.equal(false);
      const [read] = escrow.interface.decodeFunctionResult("balances", await receiver.callbackError());
      expect(read, "the balance was lowered before the ETH left").to.equal(0n);
    });
  });

  it("every privileged function refuses every account but the owner (OwnableUnauthorizedAccount)", async () => {
    const signers = await ethers.getSigners();
    const { market, owner } = await deployMarket();
    const { escrow } = await deployEscrow();
    const escrowOwner = await escrow.owner();
    // A pending owner is not the owner yet: it may only accept.
    const pending = signers[15];
    await market.connect(owner).transferOwnership(pending.address);
    await escrow.connect(await ethers.getSigner(escrowOwner)).transferOwnership(pending.address);
    let refused = 0;
    for (const account of signers.slice(0, 16)) {
      const calls: [typeof market | typeof escrow, () => Promise<unknown>][] = [];
      if (account.address !== owner.address) {
        const m = market.connect(account);
        calls.push(
          [market, () => m.scheduleParams(BASE_PARAMS)],
          [market, () => m.setRecipients(account.address, account.address)],
          [market, () => m.setAllowed(account.address, true)],
          [market, () => m.transferOwnership(account.address)],
          [market, () => m.renounceOwnership()],
        );
        if (account.address !== pending.address) calls.push([market, () => m.acceptOwnership()]);
      }
      if (account.address !== escrowOwner) {
        const e = escrow.connect(account);
        calls.push(
          [escrow, () => e.setBurnRecipient(account.address)],
          [escrow, () => e.transferOwnership(account.address)],
          [escrow, () => e.renounceOwnership()],
        );
        if (account.address !== pending.address) calls.push([escrow, () => e.acceptOwnership()]);
      }
      for (const [contract, call] of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(contract, "OwnableUnauthorizedAccount")
          .withArgs(account.address);
        refused++;
      }
    }
    expect(refused).to.equal(15 * 6 - 1 + 15 * 4 - 1);
    expect(await market.owner()).to.equal(owner.address);
    expect(await escrow.owner()).to.equal(escrowOwner);
  });

  it("reordering submissions within a round changes nothing: same total, price, allocations and charges", async () => {
    const signers = await ethers.getSigners();
    const agents = signers.slice(3, 6);
    const demands = [units(6), units(3), units(8)];
    const play = async (order: number[]) => {
      const factory = await ethers.getContractFactory("ClearingMarket");
      const market = (await factory.deploy({
        asset: ethers.ZeroAddress,
        owner: signers[0].address,
        feeRecipient: signers[1].address,
        revenueRecipient: signers[2].address,
        allowListOnly: false,
        params: BASE_PARAMS,
      })) as unknown as ClearingMarket;
      for (const a of agents) await market.connect(a).join(units(20), { value: units(20) });
      for (const i of order) await submit(market, agents[i], demands[i]);
      const receipt = await (await market.closeRound()).wait();
      const closed = receipt!.logs
        .map((l) => market.interface.parseLog(l))
        .find((l) => l?.name === "RoundClosed")!.args;
      for (const a of agents) await market.settle(a.address);
      return {
        closed: [closed.totalDemand, closed.nextMu],
        books: await Promise.all(agents.map((a) => market.agents(a.address).then((b) => b.free))),
        fees: await market.feesAccrued(),
      };
    };
    const first = await play([0, 1, 2]);
    expect(await play([2, 0, 1])).to.deep.equal(first);
    expect(await play([1, 2, 0])).to.deep.equal(first);
    expect(first.closed[0]).to.equal(units(17));
  });

  describe("fixed-point extremes give named errors, never a Panic", () => {
    it("ClearingMarket: the largest parameters are accepted, one more is refused by name", async () => {
      const [owner] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ClearingMarket");
      const deploy = (params: Partial<typeof BASE_PARAMS>) =>
        factory.deploy({
          asset: ethers.ZeroAddress,
          owner: owner.address,
          feeRecipient: owner.address,
          revenueRecipient: owner.address,
          allowListOnly: false,
          params: { ...BASE_PARAMS, ...params },
        });
      await expect(deploy({ capacity: MAX_QUANTITY + 1n }))
        .to.be.revertedWithCustomError(factory, "InvalidCapacity")
        .withArgs(MAX_QUANTITY + 1n);
      await expect(deploy({ tau: MAX_PRICE + 1n }))
        .to.be.revertedWithCustomError(factory, "InvalidPrice")
        .withArgs(MAX_PRICE + 1n);
      await expect(deploy({ fixedFee: 1n << 96n })).to.be.revertedWithCustomError(factory, "InvalidFixedFee");
      await deploy({ fixedFee: (1n << 96n) - 1n });
      const market = (await deploy({
        capacity: MAX_QUANTITY,
        tau: MAX_PRICE,
        fixedFee: 0n,
      })) as unknown as ClearingMarket;
      const [, a, b] = await ethers.getSigners();
      for (const x of [a, b]) await market.connect(x).join(units(1000), { value: units(1000) });
      // The largest demand at the largest price: the reservation is computed, then refused by name.
      const needed = (MAX_PRICE * MAX_QUANTITY + UNIT - 1n) / UNIT;
      await expect(submit(market, a, MAX_QUANTITY))
        .to.be.revertedWithCustomError(market, "InsufficientBalance")
        .withArgs(needed, units(1000));
      // A demand that would overflow the running total is refused before the sum is formed.
      await submit(market, b, 1n);
      const huge = ethers.MaxUint256;
      await expect(submit(market, a, huge))
        .to.be.revertedWithCustomError(market, "DemandTooLarge")
        .withArgs(huge, MAX_QUANTITY - 1n);
      // At the boundary: one unit more than the room left is refused by name, the room itself is
      // only refused for the reservation it would need.
      await expect(submit(market, a, MAX_QUANTITY))
        .to.be.revertedWithCustomError(market, "DemandTooLarge")
        .withArgs(MAX_QUANTITY, MAX_QUANTITY - 1n);
      await expect(submit(market, a, MAX_QUANTITY - 1n)).to.be.revertedWithCustomError(market, "InsufficientBalance");
    });

    it("ExchangeEscrow: a deal at the largest price pays out without overflow", async () => {
      const { escrow, seller, buyer, burn, terms, table, packed } = await deployEscrow();
      const token = await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 18);
      const T = await token.getAddress();
      const price = (1n << 128n) - 1n;
      const t = await terms({ asset: T, price });
      const [sd, bd] = await escrow.depositsFor(t.table, price);
      const ceil = (f: bigint) => (price * f + UNIT - 1n) / UNIT;
      expect([sd, bd]).to.deep.equal([ceil(table.sellerDeposit), ceil(table.buyerDeposit)]);
      const address = await escrow.getAddress();
      await token.mint(seller.address, sd);
      await token.mint(buyer.address, bd + price);
      await token.connect(seller).approve(address, sd);
      await token.connect(buyer).approve(address, bd + price);
      await escrow.connect(seller).offer(packed(t));
      await escrow.connect(buyer).accept(packed(t));
      await escrow.connect(buyer).redeem(packed(t), true);
      await escrow.connect(seller).finalize(packed(t));
      // Deposits round up and payouts down; the remainder is credited to the burn recipient.
      const honest = stateIndex("R-NC-NC");
      const [sellerPayout, buyerPayout] = [table.seller[honest], table.buyer[honest]].map((f) => (price * f) / UNIT);
      expect(await token.balanceOf(seller.address)).to.equal(sellerPayout);
      expect(await token.balanceOf(buyer.address)).to.equal(buyerPayout);
      const burnt = sd + bd + price - sellerPayout - buyerPayout;
      expect(await escrow.balances(burn.address, T)).to.equal(burnt);
      await expectBooks(escrow, T, [t], [seller.address, buyer.address, burn.address]);
      expect(await token.balanceOf(address)).to.equal(burnt);
      const zero = packed(await terms({ price: 0n }));
      await expect(escrow.connect(seller).offer(zero)).to.be.revertedWithCustomError(escrow, "ZeroPrice");
    });
  });
});
