import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { BASE_PARAMS, UNIT, deployMarket, units } from "./fixture";
import { StepRule } from "../../src/clearing/model/types";
import { adaptiveUpdate, emptyBracket } from "../../src/clearing/model/adaptivePrice";
import { diminishingEta } from "../../src/clearing/model/priceUpdate";
import { submit } from "../harness";

const ETH = ethers.ZeroAddress;

async function base() {
  return deployMarket();
}

async function twoAgentsJoined() {
  const f = await deployMarket();
  const [a, b, c] = f.agents;
  for (const s of [a, b]) await f.market.connect(s).join(units(20), { value: units(20) });
  return { ...f, a, b, c };
}

describe("ClearingMarket", () => {
  describe("deployment", () => {
    it("starts round 1 at price tau with the given parameters", async () => {
      const { market } = await loadFixture(base);
      const [round, deadline, price, mu] = await market.currentRound();
      const block = await ethers.provider.getBlock("latest");
      expect(round).to.equal(1n);
      expect(deadline).to.equal(BigInt(block!.timestamp) + 100n);
      expect(price).to.equal(units("0.5"));
      expect(mu).to.equal(0n);
      const p = await market.params(1);
      expect(p.capacity).to.equal(units(10));
      expect(p.startRound).to.equal(1n);
      expect(await market.asset()).to.equal(ETH);
    });

    it("announces in its deployment everything an auditor replays from: asset, recipients, parameters", async () => {
      const { market, feeRecipient, revenueRecipient } = await deployMarket();
      const deployment = market.deploymentTransaction()!;
      await expect(deployment).to.emit(market, "MarketOpened").withArgs(ETH, false);
      await expect(deployment)
        .to.emit(market, "RecipientsSet")
        .withArgs(feeRecipient.address, revenueRecipient.address);
      await expect(deployment).to.emit(market, "ParamsScheduled").withArgs(1n, 1n, anyValue);
      await expect(deployment).to.emit(market, "ParamsActivated").withArgs(1n, 1n);
    });

    it("rejects zero recipients and each invalid parameter with a named error", async () => {
      const [owner, r] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ClearingMarket");
      const cfg = (params: object, fee = r.address) => ({
        asset: ETH,
        owner: owner.address,
        feeRecipient: fee,
        revenueRecipient: r.address,
        allowListOnly: false,
        params: { ...BASE_PARAMS, ...params },
      });
      await expect(factory.deploy(cfg({}, ETH))).to.be.revertedWithCustomError(factory, "ZeroAddress");
      const cases: [object, string][] = [
        [{ capacity: 0n }, "InvalidCapacity"],
        [{ capacity: 1n << 120n }, "InvalidCapacity"],
        [{ tau: 1n << 120n }, "InvalidPrice"],
        [{ fixedFee: 1n << 96n }, "InvalidFixedFee"],
        [{ rule: 3 }, "InvalidStepRule"],
        [{ eta: 1n << 96n }, "InvalidStepSize"],
        [{ eta: 0n, rule: StepRule.Adaptive }, "InvalidStepSize"],
        [{ tolDual: 0n }, "InvalidTolerance"],
        [{ tolPrimal: 1n << 96n }, "InvalidTolerance"],
        [{ roundDuration: 0n }, "InvalidRoundDuration"],
        [{ roundDuration: 365n * 86400n + 1n }, "InvalidRoundDuration"],
      ];
      for (const [params, error] of cases) {
        await expect(factory.deploy(cfg(params)), error).to.be.revertedWithCustomError(factory, error);
      }
      // Each bound itself is accepted and stored as given.
      const largest: Partial<typeof BASE_PARAMS>[] = [
        { capacity: (1n << 120n) - 1n },
        { tau: (1n << 120n) - 1n },
        { fixedFee: (1n << 96n) - 1n },
        { eta: (1n << 96n) - 1n },
        { tolDual: (1n << 96n) - 1n },
        { tolPrimal: (1n << 96n) - 1n },
        { roundDuration: 365n * 86400n },
      ];
      for (const params of largest) {
        const market = await factory.deploy(cfg(params));
        const [[field, value]] = Object.entries(params);
        expect((await market.params(1))[field as keyof typeof BASE_PARAMS], field).to.equal(value);
      }
    });
  });

  describe("join, deposit, withdraw", () => {
    it("keeps free and reserved together within 128 bits: a deposit past it is refused, a revision refunds whole", async () => {
      // A token whose supply passes 2^128 base units; the agent's own funds are the only ones at stake.
      const token = await (await ethers.getContractFactory("MockERC20")).deploy("Huge", "HUGE", 18);
      const { market, agents } = await deployMarket({ asset: await token.getAddress() });
      const [a] = agents;
      const top = (1n << 128n) - 1n;
      await token.mint(a.address, top + units(10));
      await token.connect(a).approve(await market.getAddress(), ethers.MaxUint256);
      await market.connect(a).join(top);
      await submit(market, a, units(2)); // reserves 0.5 * 2 + 0.1 = 1.1
      const reserved = units("1.1");
      expect((await market.agents(a.address)).reserved).to.equal(reserved);
      await expect(market.connect(a).deposit(reserved))
        .to.be.revertedWithCustomError(market, "SafeCastOverflowedUintDowncast")
        .withArgs(128, top + reserved);
      await submit(market, a, 0n); // the reservation returns whole
      const books = await market.agents(a.address);
      expect([books.free, books.reserved]).to.deep.equal([top, 0n]);
      expect(await market.totalLiabilities()).to.equal(top);
    });

    it("joins with a deposit and counts the agent as active", async () => {
      const { market, agents } = await loadFixture(base);
      await expect(market.connect(agents[0]).join(units(5), { value: units(5) }))
        .to.emit(market, "Joined")
        .withArgs(agents[0].address)
        .and.to.emit(market, "Deposited")
        .withArgs(agents[0].address, units(5));
      const a = await market.agents(agents[0].address);
      expect(a.free).to.equal(units(5));
      expect(a.active).to.equal(true);
      expect((await market.state()).active).to.equal(1n);
      expect(await market.totalLiabilities()).to.equal(units(5));
      expect(await ethers.provider.getBalance(await market.getAddress())).to.equal(units(5));
    });

    it("rejects a second join, a mismatched msg.value and a non-listed account", async () => {
      const { market, agents } = await loadFixture(base);
      await market.connect(agents[0]).join(0n);
      await expect(market.connect(agents[0]).join(0n)).to.be.revertedWithCustomError(market, "AlreadyActive");
      await expect(market.connect(agents[1]).join(units(1), { value: units(2) }))
        .to.be.revertedWithCustomError(market, "WrongNativeValue")
        .withArgs(units(1), units(2));
      const listed = await deployMarket({ allowListOnly: true });
      await expect(listed.market.connect(listed.agents[0]).join(0n))
        .to.be.revertedWithCustomError(listed.market, "NotAllowed")
        .withArgs(listed.agents[0].address);
      await expect(listed.market.setAllowed(listed.agents[0].address, true))
        .to.emit(listed.market, "AllowListSet")
        .withArgs(listed.agents[0].address, true);
      await listed.market.connect(listed.agents[0]).join(0n);
      expect((await listed.market.state()).active).to.equal(1n);
    });

    it("tops up and withdraws only the free balance", async () => {
      const { market, agents } = await loadFixture(base);
      const a = agents[0];
      await market.connect(a).join(units(1), { value: units(1) });
      await market.connect(a).deposit(units(2), { value: units(2) });
      expect((await market.agents(a.address)).free).to.equal(units(3));
      await submit(market, a, units(4)); // reserves 0.5*4 + 0.1 = 2.1
      await expect(market.connect(a).withdraw(units(1)))
        .to.be.revertedWithCustomError(market, "InsufficientBalance")
        .withArgs(units(1), units("0.9"));
      await expect(market.connect(a).withdraw(units("0.9"))).to.changeEtherBalances(
        [a, market],
        [units("0.9"), -units("0.9")],
      );
      expect(await market.totalLiabilities()).to.equal(units("2.1"));
    });

    it("accepts ERC-20 deposits and credits a fee-on-transfer token what actually arrived", async () => {
      const token = await (await ethers.getContractFactory("FeeOnTransferERC20")).deploy(100); // 1 %
      const { market, agents } = await deployMarket({ asset: await token.getAddress() });
      const a = agents[0];
      await token.mint(a.address, units(100));
      await token.connect(a).approve(await market.getAddress(), units(100));
      await expect(market.connect(a).join(units(10), { value: 1n })).to.be.revertedWithCustomError(
        market,
        "WrongNativeValue",
      );
      await expect(market.connect(a).join(units(10)))
        .to.emit(market, "Deposited")
        .withArgs(a.address, units("9.9"));
      expect(await token.balanceOf(await market.getAddress())).to.equal(units("9.9"));
      expect(await market.totalLiabilities()).to.equal(units("9.9"));
      await market.connect(a).withdraw(units("9.9"));
      expect(await token.balanceOf(await market.getAddress())).to.equal(0n);
      expect(await token.balanceOf(a.address)).to.equal(units(90) + units("9.801"));
    });
  });

  describe("receivers that misbehave", () => {
    async function receiverJoined() {
      const f = await deployMarket();
      const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
      const join = f.market.interface.encodeFunctionData("join", [units(5)]);
      await receiver.execute(await f.market.getAddress(), units(5), join, { value: units(5) });
      return { ...f, receiver };
    }

    it("a receiver that rejects ETH gets NativeTransferFailed and keeps its balance", async () => {
      const { market, receiver } = await loadFixture(receiverJoined);
      await receiver.configure(await market.getAddress(), "0x", true);
      const withdraw = market.interface.encodeFunctionData("withdraw", [units(1)]);
      await expect(receiver.execute(await market.getAddress(), 0n, withdraw))
        .to.be.revertedWithCustomError(market, "NativeTransferFailed")
        .withArgs(await receiver.getAddress(), units(1));
      expect((await market.agents(await receiver.getAddress())).free).to.equal(units(5));
    });

    it("a receiver that re-enters withdraw is stopped by the reentrancy guard", async () => {
      const { market, receiver } = await loadFixture(receiverJoined);
      const withdraw = market.interface.encodeFunctionData("withdraw", [units(1)]);
      await receiver.configure(await market.getAddress(), withdraw, false);
      await receiver.execute(await market.getAddress(), 0n, withdraw);
      expect(await receiver.callbackReverted()).to.equal(true);
      const reason = market.interface.parseError(await receiver.callbackError());
      expect(reason?.name).to.equal("ReentrancyGuardReentrantCall");
      // Exactly one withdrawal went through.
      expect((await market.agents(await receiver.getAddress())).free).to.equal(units(4));
      expect(await ethers.provider.getBalance(await market.getAddress())).to.equal(units(4));
      expect(await market.totalLiabilities()).to.equal(units(4));
    });
  });

  describe("submitDemand", () => {
    it("reserves (tau + mu) x + g, rounding the charge up", async () => {
      const { market, a } = await loadFixture(twoAgentsJoined);
      await expect(submit(market, a, units(6)))
        .to.emit(market, "DemandSubmitted")
        .withArgs(1n, a.address, units(6), units("3.1"), units(6));
      // 1 wei of quantity at tau = 0.5: the fee rounds up to 1 wei.
      await submit(market, a, 1n);
      const books = await market.agents(a.address);
      expect(books.reserved).to.equal(1n + units("0.1"));
      expect(books.free).to.equal(units(20) - 1n - units("0.1"));
      expect((await market.rounds(1)).totalDemand).to.equal(1n);
    });

    it("consent to the charge: a demand lands only in the round it names, and reserves at most what its sender allows", async () => {
      // The adversary is time: a revision meant for round 1 lands after a close in the same block, in a
      // round whose fixed fee the owner raised to 95 (the reported case kept 0.4 of a 100 deposit).
      const { market, owner, a, b } = await loadFixture(twoAgentsJoined);
      await market.connect(owner).scheduleParams({ ...BASE_PARAMS, fixedFee: units(95) });
      await submit(market, a, units(4));
      await submit(market, b, units(4)); // everyone expected submitted: round 1 may close early
      await market.closeRound();
      const before = await market.agents(a.address);
      await expect(market.connect(a).submitDemand(1n, units(5), ethers.MaxUint256))
        .to.be.revertedWithCustomError(market, "WrongRound")
        .withArgs(1n, 2n);
      await expect(market.connect(a).submitDemand(3n, units(5), ethers.MaxUint256))
        .to.be.revertedWithCustomError(market, "WrongRound")
        .withArgs(3n, 2n);
      // Named correctly but with the reserve it saw in round 1 (0.5 x 4 + 0.1 = 2.1), it is refused:
      // round 2 would reserve 0.5 x 4 + mu x 4 + 95.
      const [, , price, mu] = await market.currentRound();
      const reserve = ((price - mu) * units(4)) / UNIT + (mu * units(4)) / UNIT + units(95);
      await expect(market.connect(a).submitDemand(2n, units(4), units("2.1")))
        .to.be.revertedWithCustomError(market, "ReserveAboveMax")
        .withArgs(reserve, units("2.1"));
      // One wei short of the reserve is refused too; the exact reserve passes consent and meets the
      // balance check (a has 20 - 2.1 + its refund, not 97).
      await expect(market.connect(a).submitDemand(2n, units(4), reserve - 1n))
        .to.be.revertedWithCustomError(market, "ReserveAboveMax")
        .withArgs(reserve, reserve - 1n);
      await expect(market.connect(a).submitDemand(2n, units(4), reserve)).to.be.revertedWithCustomError(
        market,
        "InsufficientBalance",
      );
      expect(await market.agents(a.address)).to.deep.equal(before); // nothing settled, nothing reserved
      await expect(market.connect(b).submitDemand(2n, 0n, 0n)).to.emit(market, "DemandSubmitted");
    });

    it("a silent agent stops holding rounds open after DORMANT_AFTER rounds, and counts again once it submits", async () => {
      // The adversary: a join(0) that never submits, which used to hold every round to its deadline.
      const { market, a, b, c } = await loadFixture(twoAgentsJoined);
      await market.connect(c).join(0n);
      expect(await market.DORMANT_AFTER()).to.equal(3n);
      const closeEarly = () => market.closeRound();
      const expected: bigint[] = [];
      for (let round = 1n; round <= 5n; round++) {
        expected.push(await market.expectedSubmitters(round));
        await submit(market, a, units(1));
        await submit(market, b, units(1));
        if (round <= 4n) {
          // c was seen in round 1 (it joined): rounds 1 to 4 wait for it, until their deadline.
          await expect(closeEarly()).to.be.revertedWithCustomError(market, "RoundStillOpen");
          await time.increase(100);
        }
        await closeEarly();
      }
      expect(expected).to.deep.equal([3n, 3n, 3n, 3n, 2n]);
      // c submits in round 6: seen again, it counts in rounds 6 to 9; leaving takes it out at once.
      await submit(market, c, 0n);
      expect(await market.expectedSubmitters(6n)).to.equal(3n);
      // Seen in 6 (c) and 5 (a, b): by round 9 only c would still count, by round 10 nobody.
      expect(await market.expectedSubmitters(9n)).to.equal(1n);
      expect(await market.expectedSubmitters(10n)).to.equal(0n);
      await market.connect(c).leave();
      expect(await market.expectedSubmitters(6n)).to.equal(2n);
      await submit(market, a, units(1));
      await submit(market, b, units(1));
      await closeEarly();
      expect((await market.state()).round).to.equal(7n);
    });

    it("closes early at most once in a second: a lone counting agent cannot run rounds within one block", async () => {
      // The adversary: the only agent still counting (the others dormant) submitting and closing round
      // after round in one block, so that a returning agent's demand always names a past round.
      const { market, agents } = await loadFixture(base);
      const a = agents[0];
      await market.connect(a).join(units(20), { value: units(20) });
      const gasLimit = 500_000n;
      await network.provider.send("evm_setAutomine", [false]);
      const sent = [];
      try {
        for (const round of [1n, 2n]) {
          sent.push(await market.connect(a).submitDemand(round, units(11), ethers.MaxUint256, { gasLimit }));
          sent.push(await market.connect(a).closeRound({ gasLimit }));
        }
        await network.provider.send("evm_mine");
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      const statuses = [];
      for (const tx of sent) statuses.push((await ethers.provider.getTransactionReceipt(tx.hash))!.status);
      // Round 1 opened before this block and closes early; round 2 opened in it and may not close in it.
      expect(statuses).to.deep.equal([1, 1, 1, 0]);
      expect((await market.state()).round).to.equal(2n);
      await expect(market.closeRound()).to.emit(market, "RoundClosed"); // the next second it may
    });

    it("replaces the agent's earlier demand in the running total and counts it once", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(6));
      await submit(market, b, units(8));
      await submit(market, a, units(2));
      expect((await market.rounds(1)).totalDemand).to.equal(units(10));
      expect((await market.state()).submitted).to.equal(2n);
      expect((await market.agents(a.address)).reserved).to.equal(units("1.1"));
    });

    it("a zero demand reserves nothing, pays no fixed fee and counts as submitted", async () => {
      const { market, a } = await loadFixture(twoAgentsJoined);
      await submit(market, a, 0n);
      const books = await market.agents(a.address);
      expect(books.reserved).to.equal(0n);
      expect(books.free).to.equal(units(20));
      expect((await market.state()).submitted).to.equal(1n);
    });

    it("rejects inactive agents, unaffordable and oversized demands", async () => {
      const { market, a, c } = await loadFixture(twoAgentsJoined);
      await expect(submit(market, c, 1n))
        .to.be.revertedWithCustomError(market, "NotActive")
        .withArgs(c.address);
      await expect(submit(market, a, units(40)))
        .to.be.revertedWithCustomError(market, "InsufficientBalance")
        .withArgs(units("20.1"), units(20));
      const max = (1n << 120n) - 1n;
      await expect(submit(market, a, max + 1n))
        .to.be.revertedWithCustomError(market, "DemandTooLarge")
        .withArgs(max + 1n, max);
    });

    it("accepts submissions until the deadline: -1 accepted, 0 and +1 rejected", async () => {
      const { market, a } = await loadFixture(twoAgentsJoined);
      const deadline = (await market.state()).deadline;
      await time.setNextBlockTimestamp(deadline - 1n);
      await submit(market, a, units(1));
      await time.setNextBlockTimestamp(deadline);
      await expect(submit(market, a, units(1)))
        .to.be.revertedWithCustomError(market, "RoundExpired")
        .withArgs(1n, deadline);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(submit(market, a, units(1))).to.be.revertedWithCustomError(market, "RoundExpired");
    });
  });

  describe("closeRound", () => {
    it("closes at the deadline, not before (-1 rejected, 0 accepted)", async () => {
      const { market, a } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(1));
      const deadline = (await market.state()).deadline;
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(market.closeRound()).to.be.revertedWithCustomError(market, "RoundStillOpen").withArgs(1n, deadline);
      await time.setNextBlockTimestamp(deadline);
      await expect(market.closeRound()).to.emit(market, "RoundClosed");
      const s = await market.state();
      expect(s.round).to.equal(2n);
      expect(s.deadline).to.equal(deadline + 100n);
      expect(s.submitted).to.equal(0n);
    });

    it("closes early once every active agent submitted", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(1));
      await expect(market.closeRound()).to.be.revertedWithCustomError(market, "RoundStillOpen");
      await submit(market, b, units(1));
      await expect(market.closeRound()).to.emit(market, "RoundClosed");
    });

    it("slack capacity: mu stays 0, residuals are 0 and the round converges", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(3));
      await submit(market, b, units(4));
      await expect(market.closeRound())
        .to.emit(market, "RoundClosed")
        .withArgs(1n, units(7), units(10), 0n, 0n, 0n, 0n, 1n)
        .and.to.emit(market, "Converged")
        .withArgs(1n, 0n, units(7));
      expect((await market.rounds(2)).mu).to.equal(0n);
    });

    it("binding capacity: mu rises by eta (S - m) and falls back, never below 0", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(6));
      await submit(market, b, units(8));
      await expect(market.closeRound())
        .to.emit(market, "RoundClosed")
        .withArgs(1n, units(14), units(10), 0n, units("0.4"), units(4), units("0.4"), 1n)
        .and.not.to.emit(market, "Converged");
      const [, , price, mu] = await market.currentRound();
      expect(mu).to.equal(units("0.4"));
      expect(price).to.equal(units("0.9"));
      // Excess supply of 9 pushes mu down by 0.9 from 0.4: projected to 0.
      await submit(market, a, units(1));
      await submit(market, b, 0n);
      await expect(market.closeRound())
        .to.emit(market, "RoundClosed")
        .withArgs(2n, units(1), units(10), units("0.4"), 0n, units(9), units("0.4"), 1n);
    });

    it("an excess of 1 wei at mu = 0 is a primal residual of 1 wei (only a shortfall at 0 counts as cleared)", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(5) + 1n);
      await submit(market, b, units(5));
      // The step eta * 1 wei rounds to 0: mu stays 0.
      await expect(market.closeRound())
        .to.emit(market, "RoundClosed")
        .withArgs(1n, units(10) + 1n, units(10), 0n, 0n, 1n, 0n, 1n);
    });

    it("tolPrimal = 0 asks for an exact clear: a slack round at mu = 0 has residual 0 and converges", async () => {
      const f = await deployMarket({ params: { tolPrimal: 0n } });
      const [a] = f.agents;
      await f.market.connect(a).join(units(20), { value: units(20) });
      await submit(f.market, a, units(3));
      await expect(f.market.closeRound())
        .to.emit(f.market, "RoundClosed")
        .withArgs(1n, units(3), units(10), 0n, 0n, 0n, 0n, 1n)
        .and.to.emit(f.market, "Converged")
        .withArgs(1n, 0n, units(3));
    });

    for (const rule of [StepRule.Constant, StepRule.Diminishing]) {
      it(`rule ${StepRule[rule]}: a price that falls by at most tolDual to 0 is no convergence while capacity went idle at it`, async () => {
        const f = await deployMarket({ params: { rule } });
        const [a, b] = f.agents;
        for (const s of [a, b]) await f.market.connect(s).join(units(20), { value: units(20) });
        // S - m = 1e-8 moves mu by eta (S - m) = 1e-9 = tolDual (eta = 0.1 in round 1 under both rules).
        await submit(f.market, a, units(5) + 10n ** 10n);
        await submit(f.market, b, units(5));
        // Both residuals within tolerance, the dual one exactly at it: converged.
        await expect(f.market.closeRound())
          .to.emit(f.market, "Converged")
          .withArgs(1n, 0n, units(10) + 10n ** 10n);
        expect((await f.market.rounds(2)).mu).to.equal(BASE_PARAMS.tolDual);
        // At that price only 1 of 10 units is wanted: mu drops back to 0, a dual residual of
        // exactly tolDual, but the primal residual is 9 (mu was positive): not converged.
        await submit(f.market, a, units(1));
        await submit(f.market, b, 0n);
        await expect(f.market.closeRound())
          .to.emit(f.market, "RoundClosed")
          .withArgs(2n, units(1), units(10), BASE_PARAMS.tolDual, 0n, units(9), BASE_PARAMS.tolDual, 1n)
          .and.not.to.emit(f.market, "Converged");
        // Round 3 is posted at 0 with slack demand: now it has converged.
        await submit(f.market, a, units(1));
        await submit(f.market, b, 0n);
        await expect(f.market.closeRound()).to.emit(f.market, "Converged").withArgs(3n, 0n, units(1));
      });
    }

    it("settles pro rata when S > m: allocation rounds down, charges round up, refund exact", async () => {
      const { market, a, b, feeRecipient, revenueRecipient } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(6));
      await submit(market, b, units(8));
      await market.closeRound();
      // a: allocation 6 * 10 / 14 = 4.285714285714285714 (floor); fee ceil(0.5 q) + 0.1.
      const qa = 4285714285714285714n;
      const feeA = 2142857142857142857n + units("0.1");
      await expect(market.settle(a.address))
        .to.emit(market, "Settled")
        .withArgs(1n, a.address, qa, feeA, 0n, units("3.1") - feeA);
      expect((await market.agents(a.address)).free).to.equal(units(20) - feeA);
      // Round 2 at mu = 0.4: b pays mu on its allocation too, settled when it next acts.
      await submit(market, a, units(5));
      await submit(market, b, units(10)); // settles b's round 1 first
      // b's round-1 allocation is floor(8 * 10 / 14) = 5714285714285714285; its fee ceil(0.5 * that) + g.
      const feeB = 2857142857142857143n + units("0.1");
      expect(await market.feesAccrued()).to.equal(feeA + feeB);
      await market.closeRound(); // S = 15 > 10 at mu = 0.4
      await market.settle(a.address);
      const qa2 = (units(5) * units(10)) / units(15); // 3.333...3
      const feeA2 = (units("0.5") * qa2 + UNIT - 1n) / UNIT + units("0.1");
      const revA2 = (units("0.4") * qa2 + UNIT - 1n) / UNIT;
      expect(await market.revenueAccrued()).to.equal(revA2);
      expect(await market.feesAccrued()).to.equal(feeA + feeB + feeA2);
      // Recipients withdraw what was settled.
      await expect(market.connect(a).withdrawFees())
        .to.be.revertedWithCustomError(market, "NotRecipient")
        .withArgs(a.address);
      await expect(market.connect(a).withdrawRevenue()).to.be.revertedWithCustomError(market, "NotRecipient");
      await expect(market.connect(feeRecipient).withdrawFees()).to.changeEtherBalance(
        feeRecipient,
        feeA + feeB + feeA2,
      );
      await expect(market.connect(revenueRecipient).withdrawRevenue())
        .to.emit(market, "RevenueWithdrawn")
        .withArgs(revenueRecipient.address, revA2);
      expect(await market.feesAccrued()).to.equal(0n);
      expect(await market.revenueAccrued()).to.equal(0n);
    });

    it("settling twice or while the round is open does nothing", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(2));
      await expect(market.settle(a.address)).not.to.emit(market, "Settled");
      await submit(market, b, units(2));
      await market.closeRound();
      await expect(market.settle(a.address)).to.emit(market, "Settled");
      await expect(market.settle(a.address)).not.to.emit(market, "Settled");
    });
  });

  describe("leave", () => {
    it("cancels a pending demand, refunds its reservation and leaves the active set", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(6));
      await submit(market, b, units(3));
      await expect(market.connect(a).leave())
        .to.emit(market, "DemandSubmitted")
        .withArgs(1n, a.address, 0n, 0n, units(3))
        .and.to.emit(market, "Left")
        .withArgs(a.address, 1n);
      const s = await market.state();
      expect(s.active).to.equal(1n);
      expect(s.submitted).to.equal(1n);
      // Only b still demands a positive quantity (the K of the adaptive rule's correction).
      expect(s.positive).to.equal(1n);
      const left = await market.agents(a.address);
      expect([left.free, left.reserved, left.demand, left.round, left.active]).to.deep.equal([
        units(20),
        0n,
        0n,
        0n,
        false,
      ]);
      await expect(market.connect(a).leave()).to.be.revertedWithCustomError(market, "NotActive");
      await expect(submit(market, a, 1n)).to.be.revertedWithCustomError(market, "NotActive");
      // b alone is every active agent: the round may close early.
      await expect(market.closeRound()).to.emit(market, "RoundClosed");
      await market.connect(a).join(0n);
      expect((await market.state()).active).to.equal(2n);
    });

    it("settles a closed round before leaving", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(2));
      await submit(market, b, units(2));
      await market.closeRound();
      await expect(market.connect(a).leave()).to.emit(market, "Settled");
    });
  });

  describe("step rules", () => {
    it("diminishing: eta_0 / sqrt(k) with k counted from the parameters' first round", async () => {
      const { market, agents } = await deployMarket({ params: { rule: StepRule.Diminishing, eta: units("0.4") } });
      const a = agents[0];
      await market.connect(a).join(units(1000), { value: units(1000) });
      let mu = 0n;
      for (let k = 1n; k <= 4n; k++) {
        await submit(market, a, units(14)); // excess 4 while mu is small
        await market.closeRound();
        const eta = diminishingEta(units("0.4"), k);
        mu += (eta * units(4)) / UNIT;
        expect((await market.rounds(k + 1n)).mu, `round ${k}`).to.equal(mu);
      }
      // 0.4 / sqrt(2) = 0.282842712474619009 (floor), the step on an excess of 4.
      expect(diminishingEta(units("0.4"), 2n)).to.equal(282842712474619009n);
    });

    it("adaptive: brackets the clearing price and collapses onto the feasible end", async () => {
      const { market, agents } = await deployMarket({
        params: { rule: StepRule.Adaptive, eta: units("0.5"), tolDual: units("0.000001") },
      });
      const a = agents[0];
      await market.connect(a).join(units(1000), { value: units(1000) });
      // One agent with linear demand S(mu) = 20 - 4 mu: clears m = 10 at mu* = 2.5.
      const demand = (mu: bigint) => (mu >= units(5) ? 0n : units(20) - 4n * mu);
      let closes = 0;
      for (; closes < 40; closes++) {
        const [, , , mu] = await market.currentRound();
        await submit(market, a, demand(mu));
        const rc = await (await market.closeRound()).wait();
        if (rc!.logs.some((l) => market.interface.parseLog(l)?.name === "Converged")) break;
      }
      const [, , , mu] = await market.currentRound();
      expect(mu).to.be.closeTo(units("2.5"), units("0.000001"));
      expect(closes).to.be.lessThan(10);
    });
    it("adaptive: a certified gap converges only where S <= m, not at 1 wei of excess demand", async () => {
      // tolPrimal = 0 and a bracket width within tolDual after two rounds: the rule probes `lo`.
      const params = { rule: StepRule.Adaptive, eta: units("0.5"), tolPrimal: 0n, tolDual: units(100) };
      const { market, agents } = await deployMarket({ params });
      const a = agents[0];
      await market.connect(a).join(units(1000), { value: units(1000) });
      const close = async (quantity: bigint) => {
        await submit(market, a, quantity);
        return market.closeRound();
      };
      await close(units(20)); // mu = 0: excess 10, lo = 0
      // mu > 0: shortfall 10, hi = mu; the bracket is within tolDual, but the shortfall may be a
      // shift of demand: probe lo, no convergence yet.
      await expect(close(0n)).to.emit(market, "RoundClosed").and.not.to.emit(market, "Converged");
      const hi = (await market.rounds(2)).mu;
      expect((await market.rounds(3)).mu).to.equal(0n);
      // The probe at 0 finds 1 wei of excess: the gap is certified and hi is posted, but this
      // round itself did not clear.
      await expect(close(units(10) + 1n))
        .to.emit(market, "RoundClosed")
        .withArgs(3n, units(10) + 1n, units(10), 0n, hi, 1n, hi, 1n)
        .and.not.to.emit(market, "Converged");
      await expect(close(units(10)))
        .to.emit(market, "Converged")
        .withArgs(4n, hi, units(10));
    });

    it("adaptive: the first round under new parameters takes no secant through a round of the old ones", async () => {
      const adaptive = { rule: StepRule.Adaptive, eta: units("0.5"), tolDual: units("0.000001") };
      const { market, agents } = await deployMarket({ params: adaptive });
      const a = agents[0];
      await market.connect(a).join(units(1000), { value: units(1000) });
      // S(mu) = 20 - mu: flatter than 1 / eta, so a secant step would outrun the ascent step.
      const demand = (mu: bigint) => (mu >= units(20) ? 0n : units(20) - mu);
      const play = async () => {
        const [, , , mu] = await market.currentRound();
        await submit(market, a, demand(mu));
        await market.closeRound();
      };
      await play();
      // Capacity 10 -> 12 from round 3 on: the bracket of rounds 1-2 is forgotten.
      await market.scheduleParams({ ...BASE_PARAMS, ...adaptive, capacity: units(12) });
      await play();
      const [mu2, mu3] = [(await market.rounds(2)).mu, (await market.rounds(3)).mu];
      await play();
      const ctx = {
        capacity: units(12),
        participants: 1n,
        eta: adaptive.eta,
        tolPrimal: BASE_PARAMS.tolPrimal,
        tolDual: adaptive.tolDual,
      };
      const excess3 = demand(mu3) - units(12);
      const fresh = adaptiveUpdate(emptyBracket(), mu3, excess3, { valid: false, mu: 0n, excess: 0n }, ctx).nextMu;
      const throughOld = adaptiveUpdate(
        emptyBracket(),
        mu3,
        excess3,
        { valid: true, mu: mu2, excess: demand(mu2) - units(12) },
        ctx,
      ).nextMu;
      expect(throughOld, "the scenario tells the two apart").to.not.equal(fresh);
      expect((await market.rounds(4)).mu).to.equal(fresh);
    });
  });

  describe("governance", () => {
    it("schedules parameters for the next round only, and the open round keeps its own", async () => {
      const { market, a, b } = await loadFixture(twoAgentsJoined);
      await submit(market, a, units(6));
      const next = { ...BASE_PARAMS, tau: units(1), capacity: units(20), fixedFee: 0n };
      await expect(market.scheduleParams(next)).to.emit(market, "ParamsScheduled");
      // Round 1 still charges tau = 0.5.
      await submit(market, b, units(8));
      expect((await market.agents(b.address)).reserved).to.equal(units("4.1"));
      await expect(market.closeRound()).to.emit(market, "ParamsActivated").withArgs(2n, 2n);
      const [, , price] = await market.currentRound();
      expect(price).to.equal(units(1) + units("0.4"));
      expect((await market.params(2)).startRound).to.equal(2n);
      // Round 1 was settled at its own parameters (m = 10, pro rata).
      await expect(market.settle(a.address))
        .to.emit(market, "Settled")
        .withArgs(
          1n,
          a.address,
          4285714285714285714n,
          2142857142857142857n + units("0.1"),
          0n,
          units("3.1") - 2142857142857142857n - units("0.1"),
        );
    });

    it("rejects every privileged call from a non-owner and invalid recipients", async () => {
      const { market, a } = await loadFixture(twoAgentsJoined);
      const m = market.connect(a);
      for (const call of [
        () => m.scheduleParams(BASE_PARAMS),
        () => m.setRecipients(a.address, a.address),
        () => m.setAllowed(a.address, true),
        () => m.transferOwnership(a.address),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(market, "OwnableUnauthorizedAccount").withArgs(a.address);
      }
      await expect(market.setRecipients(ETH, a.address)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(market.scheduleParams({ ...BASE_PARAMS, capacity: 0n })).to.be.revertedWithCustomError(
        market,
        "InvalidCapacity",
      );
      const [, , , , , , fees, revenue] = await ethers.getSigners();
      await expect(market.setRecipients(fees.address, revenue.address))
        .to.emit(market, "RecipientsSet")
        .withArgs(fees.address, revenue.address);
      expect(await market.feeRecipient()).to.equal(fees.address);
      expect(await market.revenueRecipient()).to.equal(revenue.address);
    });

    it("transfers ownership in two steps", async () => {
      const { market, owner, a } = await loadFixture(twoAgentsJoined);
      await market.transferOwnership(a.address);
      expect(await market.owner()).to.equal(owner.address);
      await market.connect(a).acceptOwnership();
      expect(await market.owner()).to.equal(a.address);
    });
  });
});
