import { expect } from "chai";
import { ethers } from "hardhat";
import type { ClearingMarket, GasHungryERC20 } from "../typechain-types";
import { BASE_PARAMS, units } from "./clearing/fixture";
import { deployEscrow, UNIT } from "./exchange/fixture";
import { expectBooks } from "./exchange/books";

/**
 * Every flow of both contracts against the ERC-20s that break naive integrations. A token the
 * contracts cannot support (no code at all) is refused at market or deal creation; every other
 * one either works, or fails a call with nothing changed until the token lets the transfer
 * through again. After every step each contract holds exactly what it owes.
 */
type Kind =
  | "standard"
  | "no return"
  | "false return"
  | "fee on transfer"
  | "blocklist"
  | "pausable"
  | "zero revert"
  | "callback"
  | "2 decimals"
  | "36 decimals";
const KINDS: Kind[] = [
  "standard",
  "no return",
  "false return",
  "fee on transfer",
  "blocklist",
  "pausable",
  "zero revert",
  "callback",
  "2 decimals",
  "36 decimals",
];

async function deployToken(kind: Kind) {
  const f = (name: string, ...args: unknown[]) => ethers.getContractFactory(name).then((c) => c.deploy(...args));
  const token = await {
    standard: () => f("MockERC20", "T", "T", 18),
    "no return": () => f("NoReturnERC20"),
    "false return": () => f("FalseReturnERC20"),
    "fee on transfer": () => f("FeeOnTransferERC20", 100),
    blocklist: () => f("BlocklistERC20"),
    pausable: () => f("PausableERC20"),
    "zero revert": () => f("ZeroRevertERC20"),
    callback: () => f("CallbackERC20"),
    "2 decimals": () => f("MockERC20", "L", "L", 2),
    "36 decimals": () => f("MockERC20", "H", "H", 36),
  }[kind]();
  // Each mock has its own ABI (some return nothing from transfer); the tests call what each has.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return token as any;
}

describe("Weird ERC-20 tokens", function () {
  this.timeout(120_000);

  it("an asset with no code is refused at market creation and at deal creation (UnsupportedAsset)", async () => {
    const [owner, fee, rev, , eoa] = await ethers.getSigners();
    const factory = await ethers.getContractFactory("ClearingMarket");
    const cfg = {
      asset: eoa.address,
      owner: owner.address,
      feeRecipient: fee.address,
      revenueRecipient: rev.address,
      allowListOnly: false,
      params: BASE_PARAMS,
    };
    await expect(factory.deploy(cfg)).to.be.revertedWithCustomError(factory, "UnsupportedAsset").withArgs(eoa.address);
    const { escrow, seller, terms, packed } = await deployEscrow();
    const t = await terms({ asset: eoa.address });
    await expect(escrow.connect(seller).offer(packed(t)))
      .to.be.revertedWithCustomError(escrow, "UnsupportedAsset")
      .withArgs(eoa.address);
    await expect(escrow.connect(seller).deposit(eoa.address, 1n))
      .to.be.revertedWithCustomError(escrow, "UnsupportedAsset")
      .withArgs(eoa.address);
    expect((await escrow.deals(await escrow.dealId(packed(t)))).stage).to.equal(0n);
  });

  for (const kind of KINDS) {
    it(`ClearingMarket with a ${kind} token: join, submit, close, settle, withdraw, fees and revenue; held == owed after every step`, async () => {
      const [owner, feeRecipient, revenueRecipient, alice, bob] = await ethers.getSigners();
      const token = await deployToken(kind);
      const market = (await (
        await ethers.getContractFactory("ClearingMarket")
      ).deploy({
        asset: await token.getAddress(),
        owner: owner.address,
        feeRecipient: feeRecipient.address,
        revenueRecipient: revenueRecipient.address,
        allowListOnly: false,
        params: BASE_PARAMS,
      })) as unknown as ClearingMarket;
      const address = await market.getAddress();
      const held = async () => {
        const balance = (await token.balanceOf(address)) as bigint;
        expect(balance, `${kind}: held == owed`).to.equal(await market.totalLiabilities());
        return balance;
      };
      // A contract agent for the callback token: it re-enters the market from the token's hook.
      const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
      if (kind === "callback") await token.setHook(await receiver.getAddress(), true);
      const agents: { address: string; call: (data: string) => Promise<unknown> }[] = [
        { address: alice.address, call: (data) => alice.sendTransaction({ to: address, data }) },
        kind === "callback"
          ? { address: await receiver.getAddress(), call: (data) => receiver.execute(address, 0, data) }
          : { address: bob.address, call: (data) => bob.sendTransaction({ to: address, data }) },
      ];
      const deposit = units(100);
      for (const a of agents) {
        await token.mint(a.address, deposit);
        const approve = token.interface.encodeFunctionData("approve", [address, deposit]);
        if (a.address === alice.address) await token.connect(alice).getFunction("approve")(address, deposit);
        else if (kind === "callback") await receiver.execute(await token.getAddress(), 0, approve);
        else await token.connect(bob).getFunction("approve")(address, deposit);
        expect(await token.balanceOf(a.address)).to.equal(deposit);
        await a.call(market.interface.encodeFunctionData("join", [deposit]));
        await held();
      }
      if (kind === "false return") {
        // A transfer that returns false is a failed call (SafeERC20), never a silent credit.
        await token.mint(alice.address, 1n);
        await expect(market.connect(alice).deposit(units(1))).to.be.revertedWithCustomError(
          market,
          "SafeERC20FailedOperation",
        );
      }
      await held();
      // Capacity 10 against demands 6 + 8: rationed pro rata, then settled on withdrawal.
      const [round] = await market.currentRound();
      const demand = (quantity: bigint) =>
        market.interface.encodeFunctionData("submitDemand", [round, quantity, ethers.MaxUint256]);
      await agents[0].call(demand(units(6)));
      await agents[1].call(demand(units(8)));
      await market.closeRound();
      await held();

      const free = async (a: string) => (await market.agents(a)).free;
      const tryWithdraw = async (blocker: () => Promise<unknown>, unblock: () => Promise<unknown>) => {
        await blocker();
        const before = (await market.agents(alice.address)).free;
        await expect(market.connect(alice).withdraw(1n)).to.be.reverted;
        expect((await market.agents(alice.address)).free, "books unchanged").to.equal(before);
        await held();
        await unblock();
      };
      if (kind === "blocklist")
        await tryWithdraw(
          () => token.setBlocked(alice.address, true),
          () => token.setBlocked(alice.address, false),
        );
      if (kind === "pausable")
        await tryWithdraw(
          () => token.setPaused(true),
          () => token.setPaused(false),
        );
      if (kind === "false return")
        await tryWithdraw(
          () => token.setFailAll(true),
          () => token.setFailAll(false),
        );

      // Settle Alice and withdraw everything she has; her token balance grows by exactly that.
      await market.settle(alice.address);
      const aliceFree = await free(alice.address);
      const aliceBefore = (await token.balanceOf(alice.address)) as bigint;
      await market.connect(alice).withdraw(aliceFree);
      const got = ((await token.balanceOf(alice.address)) as bigint) - aliceBefore;
      if (kind === "fee on transfer") expect(got).to.equal(aliceFree - (aliceFree * 100n) / 10_000n);
      else expect(got).to.equal(aliceFree);
      await held();

      if (kind === "callback") {
        // The hook re-enters withdraw: refused by the guard, one payment only; a view read from the
        // hook already shows the new books (no read-only reentrancy window).
        await market.settle(agents[1].address);
        const bobFree = await free(agents[1].address);
        await receiver.configure(address, market.interface.encodeFunctionData("withdraw", [1n]), false);
        await receiver.execute(address, 0, market.interface.encodeFunctionData("withdraw", [bobFree / 2n]));
        expect(await receiver.callbackReverted()).to.equal(true);
        expect(market.interface.parseError(await receiver.callbackError())?.name).to.equal(
          "ReentrancyGuardReentrantCall",
        );
        await receiver.configure(address, market.interface.encodeFunctionData("agents", [agents[1].address]), false);
        await receiver.execute(address, 0, market.interface.encodeFunctionData("withdraw", [1n]));
        expect(await receiver.callbackReverted()).to.equal(false);
        const seen = market.interface.decodeFunctionResult("agents", await receiver.callbackError());
        expect(seen.free).to.equal(bobFree - bobFree / 2n - 1n);
        expect(await free(agents[1].address)).to.equal(bobFree - bobFree / 2n - 1n);
        await held();
      }

      // Fees and revenue go to their recipients; zero-amount claims move nothing and do not revert.
      const fees = await market.feesAccrued();
      const revenue = await market.revenueAccrued();
      expect(fees).to.be.greaterThan(0n);
      expect(revenue).to.equal(0n); // mu was 0 in round 1
      await market.connect(feeRecipient).withdrawFees();
      await market.connect(revenueRecipient).withdrawRevenue();
      await market.connect(feeRecipient).withdrawFees();
      expect(await market.feesAccrued()).to.equal(0n);
      await held();
    });
  }

  it("a token payout gets three times the push gas: a token spending 90,000 is paid directly, one spending 160,000 is credited", async () => {
    const { escrow, seller, buyer, terms, packed } = await deployEscrow();
    const token = (await (await ethers.getContractFactory("GasHungryERC20")).deploy()) as unknown as GasHungryERC20;
    const T = await token.getAddress();
    const address = await escrow.getAddress();
    expect(await escrow.PUSH_GAS()).to.equal(50_000n);
    for (const [burnGas, pushed] of [
      [90_000n, true],
      [160_000n, false],
    ] as const) {
      const t = await terms({ asset: T, price: 10n * UNIT });
      const [sellerDeposit, buyerDeposit] = await escrow.depositsFor(t.table, t.price);
      for (const [who, amount] of [
        [seller, sellerDeposit],
        [buyer, buyerDeposit + t.price],
      ] as const) {
        await token.mint(who.address, amount);
        await token.connect(who).approve(address, amount);
      }
      await escrow.connect(seller).offer(packed(t));
      await escrow.connect(buyer).accept(packed(t));
      await escrow.connect(buyer).redeem(packed(t), true);
      const [sp] = await escrow.payouts(t.table, t.price, 4);
      const before = await token.balanceOf(seller.address);
      await token.setBurnGas(burnGas);
      // A fixed gas limit: an estimate could starve the push and so choose the credit itself.
      await escrow.connect(seller).finalize(packed(t), { gasLimit: 2_000_000 });
      await token.setBurnGas(0n);
      expect(await token.balanceOf(seller.address), `burning ${burnGas}`).to.equal(before + (pushed ? sp : 0n));
      expect(await escrow.balances(seller.address, T), `burning ${burnGas}`).to.equal(pushed ? 0n : sp);
    }
  });

  for (const kind of KINDS) {
    it(`ExchangeEscrow with a ${kind} token: an honest trade pays the table, a refused payout is credited; held == owed after every step`, async () => {
      const { escrow, seller, buyer, burn, terms, table, packed } = await deployEscrow();
      const token = await deployToken(kind);
      const T = await token.getAddress();
      const address = await escrow.getAddress();
      const price = 10n * UNIT;
      const t = await terms({ asset: T, price });
      const [sellerDeposit, buyerDeposit] = await escrow.depositsFor(t.table, price);
      expect(sellerDeposit).to.equal((table.sellerDeposit * price + UNIT - 1n) / UNIT);
      for (const [who, amount] of [
        [seller, sellerDeposit],
        [buyer, buyerDeposit + price],
      ] as const) {
        await token.mint(who.address, amount);
        await token.connect(who).getFunction("approve")(address, amount);
      }
      const balanceOf = async (who: string) => (await token.balanceOf(who)) as bigint;
      const books = (what: string) =>
        expectBooks(escrow, T, [t], [seller.address, buyer.address, burn.address], 0n, what);
      if (kind === "fee on transfer") {
        // The escrow's pots must be exact: a token that delivers less is refused at deal creation and deposit.
        const byBuyer = { ...t, sellerOffers: false };
        const part = buyerDeposit + price;
        await expect(escrow.connect(buyer).offer(packed(byBuyer)))
          .to.be.revertedWithCustomError(escrow, "TokenDeliveredLess")
          .withArgs(part, part - part / 100n);
        await expect(escrow.connect(buyer).deposit(T, part))
          .to.be.revertedWithCustomError(escrow, "TokenDeliveredLess")
          .withArgs(part, part - part / 100n);
        expect((await escrow.deals(await escrow.dealId(packed(byBuyer)))).stage).to.equal(0n);
        expect(await balanceOf(address)).to.equal(0n);
        return;
      }
      await escrow.connect(seller).offer(packed(t));
      expect(await balanceOf(address)).to.equal(sellerDeposit);
      await books("offered");
      if (kind === "pausable") {
        await token.setPaused(true);
        await expect(escrow.connect(buyer).accept(packed(t))).to.be.revertedWithCustomError(token, "TokenPaused");
        await token.setPaused(false);
      }
      await escrow.connect(buyer).accept(packed(t));
      expect(await balanceOf(address)).to.equal(sellerDeposit + buyerDeposit + price);
      await books("opened");
      await escrow.connect(buyer).redeem(packed(t), true);
      await books("redeemed");
      const honest = 4;
      const [sp, bp, burnt] = await escrow.payouts(t.table, price, honest);
      expect([sp, bp]).to.deep.equal([(table.seller[honest] * price) / UNIT, (table.buyer[honest] * price) / UNIT]);
      const id = await escrow.dealId(packed(t));
      const [sBefore, bBefore] = [await balanceOf(seller.address), await balanceOf(buyer.address)];
      // A token that refuses the seller's payout (blocked, paused, false) does not block the deal: it is credited.
      const refuses = kind === "blocklist" || kind === "pausable" || kind === "false return";
      if (kind === "blocklist") await token.setBlocked(seller.address, true);
      if (kind === "pausable") await token.setPaused(true);
      if (kind === "false return") await token.setFailAll(true);
      const receipt = (await (await escrow.connect(seller).finalize(packed(t))).wait())!;
      const credited = receipt.logs
        .filter((l) => l.address === address)
        .map((l) => escrow.interface.parseLog(l)!)
        .filter((e) => e.name === "Credited")
        .map((e) => [e.args.id, e.args.account, e.args.asset, e.args.amount]);
      const buyerRefused = kind === "pausable" || kind === "false return";
      expect(credited, "the burn, then each refused payout").to.deep.equal([
        ...(burnt > 0n ? [[id, burn.address, T, burnt]] : []),
        ...(refuses ? [[id, seller.address, T, sp]] : []),
        ...(buyerRefused && bp > 0n ? [[id, buyer.address, T, bp]] : []),
      ]);
      await books("finalized");
      expect(await balanceOf(seller.address)).to.equal(sBefore + (refuses ? 0n : sp));
      expect(await balanceOf(buyer.address)).to.equal(bBefore + (buyerRefused ? 0n : bp));
      expect(await escrow.balances(seller.address, T)).to.equal(refuses ? sp : 0n);
      expect(await escrow.balances(burn.address, T)).to.equal(burnt);
      if (kind === "blocklist") {
        await expect(escrow.connect(seller).withdraw(T, sp)).to.be.revertedWithCustomError(token, "Blocked");
        await token.setBlocked(seller.address, false);
      }
      if (kind === "pausable") await token.setPaused(false);
      if (kind === "false return") await token.setFailAll(false);
      if (refuses) await escrow.connect(seller).withdraw(T, sp);
      if (buyerRefused && bp > 0n) await escrow.connect(buyer).withdraw(T, bp);
      expect(await balanceOf(seller.address)).to.equal(sBefore + sp);
      expect(await balanceOf(buyer.address)).to.equal(bBefore + bp);
      await books("withdrawn");
      expect(await balanceOf(address), "only the burn credit is left").to.equal(burnt);
      if (burnt > 0n) await escrow.connect(burn).withdraw(T, burnt);
      expect(await balanceOf(address), "everything paid out").to.equal(0n);
      await expect(escrow.connect(seller).finalize(packed(t)))
        .to.be.revertedWithCustomError(escrow, "WrongStage")
        .withArgs(4, 5);
    });
  }
});
