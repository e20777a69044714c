import { expect } from "chai";
import { ethers } from "hardhat";
import { type SnapshotRestorer, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { BUYER_PART, PRICE, deployEscrow } from "./fixture";
import { dealIdOf } from "../../src/exchange/model/terms";

const ETH = ethers.ZeroAddress;
const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

describe("ExchangeEscrow: deadlines saturate", () => {
  // These tests move the chain's clock to the end of 40-bit time: give the clock back afterwards,
  // or every later test's offer would expire beyond what its terms can hold.
  let clock: SnapshotRestorer;
  beforeEach(async () => {
    clock = await takeSnapshot();
  });
  afterEach(async () => {
    await clock.restore();
  });

  describe("deadlines near 2^40", () => {
    const MAX = 2n ** 40n - 1n;
    const W = 2n ** 32n - 1n;
    for (const messages of [false, true]) {
      it(`saturate at 2^40 - 1 and the deal still finalizes (${messages ? "messages sent" : "timed out"})`, async () => {
        const { escrow, seller, buyer, other, burn, terms, packed, domain } = await deployEscrow(); // not loadFixture: its snapshot dies with the clock's
        const start = MAX - 2n * W + 10n; // the complaint deadline would pass 2^40 - 1
        await time.setNextBlockTimestamp(start - 1n);
        await ethers.provider.send("evm_mine", []);
        const t = await terms({ expiry: start + 100n, redeemWindow: W, complaintWindow: W, faultWindow: W });
        const p = packed(t);
        const id = dealIdOf(domain, t);
        await escrow.connect(seller).offer(p);
        await escrow.connect(buyer).accept(p, { value: BUYER_PART });
        const opened = await now();
        expect((await escrow.deals(id)).deadline).to.equal(opened + W);
        if (messages) {
          await time.setNextBlockTimestamp(MAX - W + 5n);
          await escrow.connect(buyer).redeem(p, false);
          expect((await escrow.deals(id)).deadline).to.equal(MAX);
          await time.setNextBlockTimestamp(MAX - 3n);
          await escrow.connect(buyer).complain(p);
          expect((await escrow.deals(id)).deadline).to.equal(MAX);
          await time.setNextBlockTimestamp(MAX - 1n);
          await expect(escrow.connect(other).finalize(p))
            .to.be.revertedWithCustomError(escrow, "WrongStage")
            .withArgs(5, 4);
        } else {
          await ethers.provider.send("evm_increaseTime", [Number(W)]);
          await ethers.provider.send("evm_mine", []);
          // Wrapping would have closed every window by now; saturated, the complaint window is open.
          await time.setNextBlockTimestamp(MAX - 1n);
          await expect(escrow.connect(other).finalize(p))
            .to.be.revertedWithCustomError(escrow, "WrongStage")
            .withArgs(5, 3);
        }
        await time.setNextBlockTimestamp(MAX);
        const state = messages ? 6 : 0;
        await expect(escrow.connect(other).finalize(p)).to.emit(escrow, "Finalized").withArgs(id, state);
        const [s, b, burnt] = await escrow.payouts(t.table, PRICE, state);
        expect(await escrow.balances(burn.address, ETH)).to.equal(burnt);
        expect(await ethers.provider.getBalance(escrow.getAddress())).to.equal(burnt);
        expect(s + b + burnt).to.equal(BUYER_PART);
        const deal = await escrow.deals(id);
        expect([deal.stage, deal.deadline]).to.deep.equal([5n, MAX]);
      });
    }
  });
});
