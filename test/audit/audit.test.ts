import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Interface } from "ethers";
import { audit } from "../../src/audit/run";
import { toParamsInput, type MarketSettings } from "../../src/clearing/model/settings";
import { runOnChain } from "../../src/clearing/chain/driver";
import { Population } from "../../src/clearing/agents/population";
import { drawAgents } from "../../src/clearing/agents/draw";
import { lipschitz } from "../../src/clearing/agents/reference";
import type { ExchangeEscrow } from "../../typechain-types";
import { deployWithSettings } from "../clearing/fixture";
import { defaultPayoutTable, tableArg } from "../exchange/fixture";
import { playDeal } from "../../src/exchange/chain/playDeal";

const abi = async (name: string) => new Interface((await hre.artifacts.readArtifact(name)).abi);

const marketOf = (contract: string, settings: MarketSettings) => deployWithSettings(settings, contract);

/** m = 10, tau = 0.5, no fixed fee, constant eta = 0.1: price moves are easy to check by hand. */
const ONE_UNIT_STEPS: MarketSettings = {
  capacity: 10,
  tau: 0.5,
  fixedFee: 0,
  rule: "constant",
  eta: 0.1,
  tolPrimal: 1e-6,
  tolDual: 1e-9,
  roundDuration: 3600,
};

/** A market life: rounds, a parameter change, a leave, settlements, withdrawals, fee claims. */
async function marketLife(contract: string) {
  const [owner, ...agents] = await ethers.getSigners();
  const types = drawAgents(8, 3);
  const settings: MarketSettings = {
    capacity: 10,
    tau: 0.5,
    fixedFee: 0.2,
    rule: "adaptive",
    eta: 1 / lipschitz(types, 0.5, 0.2),
    tolPrimal: 1e-6,
    tolDual: 1e-9,
    roundDuration: 3600,
  };
  const market = await marketOf(contract, settings);
  // Reference agents (agent i signs with account i + 1) play through the batched driver.
  const play = (n: number, rounds: number, deposit: bigint) =>
    runOnChain(ethers.provider, market, agents, new Population(types.slice(0, n), 0), settings, {
      rounds,
      deposit,
      owner,
    });
  await play(8, 4, ethers.parseEther("100"));
  await market.scheduleParams(toParamsInput({ ...settings, tau: 0.8, rule: "constant" }));
  await play(8, 3, 0n);
  await market.connect(agents[7]).leave();
  await play(7, 2, 0n);
  await market.settle(agents[0]);
  await market.connect(agents[1]).withdraw(ethers.parseEther("1"));
  await market.withdrawFees();
  await market.withdrawRevenue();
  return { market };
}

describe("Auditor", () => {
  it("replays an honest market with no discrepancy and reports its observable metrics", async () => {
    const { market } = await marketLife("ClearingMarket");
    const r = await audit(ethers.provider, "market", await market.getAddress(), await abi("ClearingMarket"), {
      pageSize: 7,
    });
    expect(r.discrepancies).to.deep.equal([]);
    const s = r.market!.summary;
    expect(s.rounds).to.equal(9);
    expect(s.agents).to.equal(8);
    expect(s.utilization).to.be.greaterThan(0).and.at.most(1);
    expect(s.gini).to.be.greaterThan(0).and.lessThan(1);
    expect(r.balances[0].held).to.equal(r.balances[0].owed);
    expect(r.balances[0].owed).to.equal(await market.totalLiabilities());
  });

  it("flags a wrong price update at the round that made it", async () => {
    const market = await marketOf("WrongPriceMarket", ONE_UNIT_STEPS);
    const [, a] = await ethers.getSigners();
    await market.connect(a).join(ethers.parseEther("10"), { value: ethers.parseEther("10") });
    await market.connect(a).submitDemand(ethers.parseEther("12"));
    const close = await market.closeRound();
    const r = await audit(ethers.provider, "market", await market.getAddress(), await abi("ClearingMarket"));
    expect(r.discrepancies.length).to.be.greaterThan(0);
    const first = r.discrepancies[0];
    expect(first.txHash).to.equal(close.hash);
    expect(first.event).to.equal("RoundClosed");
    expect(first.message).to.match(/^nextMu: event says 200000000000000001, replay says 200000000000000000/);
  });

  it("flags an overcharge at the settlement that took it", async () => {
    const { market } = await marketLife("OverchargingMarket");
    const r = await audit(ethers.provider, "market", await market.getAddress(), await abi("ClearingMarket"));
    const fees = r.discrepancies.filter((d) => d.event === "Settled" && d.message.startsWith("fee:"));
    expect(fees.length).to.be.greaterThan(0);
    // Each overcharged settlement (fee + 1, refund - 1), the fee claim that took the extra wei,
    // and the final books: the contract holds less than the replay says the agents are owed.
    const kinds = new Set(
      r.discrepancies.map((d) => (d.event === "balance" ? "balance" : `${d.event} ${d.message.split(":")[0]}`)),
    );
    expect([...kinds]).to.have.members(["Settled fee", "Settled refund", "FeesWithdrawn amount", "balance"]);
    // Exactly the settlements of rationed rounds (S > m, where the defect bites) are flagged.
    const rationed = new Set(r.market!.rounds.filter((x) => x.totalDemand > x.capacity).map((x) => BigInt(x.round)));
    const settlements = await market.queryFilter(market.filters.Settled());
    const bitten = settlements.filter((e) => rationed.has(e.args.round) && e.args.allocation > 0n);
    expect(fees.map((d) => `${d.txHash}:${d.logIndex}`)).to.have.members(
      bitten.map((e) => `${e.transactionHash}:${e.index}`),
    );
  });

  describe("escrow", () => {
    async function escrowOf(contract: string) {
      const [owner, seller, buyer, other] = await ethers.getSigners();
      const escrow = (await (
        await ethers.getContractFactory(contract)
      ).deploy(owner.address, owner.address)) as unknown as ExchangeEscrow;
      const table = await defaultPayoutTable();
      const tableId = await escrow.registerTable.staticCall(tableArg(table));
      await escrow.registerTable(tableArg(table));
      const terms = {
        asset: ethers.ZeroAddress,
        price: ethers.parseEther("1"),
        tableId,
        acceptWindow: 100n,
        redeemWindow: 100n,
        complaintWindow: 100n,
        faultWindow: 100n,
        sellerOffers: true,
      };
      return { escrow, owner, seller, buyer, other, terms };
    }

    it("replays deals on every kind of path with no discrepancy", async () => {
      const { escrow, owner, seller, buyer, other, terms } = await escrowOf("ExchangeEscrow");
      await playDeal(escrow, terms, seller, buyer, { redeem: true, complain: false, fault: false });
      await playDeal(escrow, terms, seller, buyer, { redeem: false, complain: true, fault: true });
      // A withdrawn offer and a deal left to time out entirely, finalized by a stranger.
      const t = { ...terms, seller: seller.address, buyer: buyer.address };
      await escrow.connect(seller).offer(t);
      await escrow.connect(seller).withdrawOffer(3, t);
      await escrow.connect(seller).offer(t);
      await escrow.connect(buyer).accept(4, t, { value: terms.price + terms.price / 50n });
      await time.increase(400);
      await escrow.connect(other).finalize(4, t);
      await escrow.connect(buyer).withdraw(4, t);
      await escrow.connect(owner).withdrawBurn(ethers.ZeroAddress);
      const r = await audit(ethers.provider, "escrow", await escrow.getAddress(), await abi("ExchangeEscrow"));
      expect(r.discrepancies).to.deep.equal([]);
      expect(r.escrow!.summary.deals).to.equal(4);
      expect(r.escrow!.summary.states).to.deep.equal({ "R-NC-NC": 1, "RfE-C-CF": 1, "RfE-NC-NC": 1 });
      expect(r.escrow!.summary.withdrawnOffers).to.equal(1);
      // The seller of deal 4 has not withdrawn (it gets 0 in RfE-NC-NC), so nothing is owed.
      expect(r.balances[0].held).to.equal(r.balances[0].owed);
    });

    it("flags a payout off the table at the finalization and the withdrawal", async () => {
      const { escrow, seller, buyer, terms } = await escrowOf("OffTableEscrow");
      await playDeal(escrow, terms, seller, buyer, { redeem: false, complain: true, fault: true });
      const r = await audit(ethers.provider, "escrow", await escrow.getAddress(), await abi("ExchangeEscrow"));
      const finalized = r.discrepancies.filter((d) => d.event === "Finalized");
      expect(finalized.map((d) => d.message.split(":")[0])).to.have.members(["sellerPayout", "burn"]);
      const faultTx = (await escrow.queryFilter(escrow.filters.Faulted()))[0].transactionHash;
      expect(finalized[0].txHash).to.equal(faultTx);
      expect(r.discrepancies.some((d) => d.event === "PayoutWithdrawn" && d.message.startsWith("amount"))).to.equal(
        true,
      );
    });
  });

  describe("audit task", () => {
    it("exits with an error naming the discrepancies, and refuses a wrong address", async () => {
      const market = await marketOf("WrongPriceMarket", ONE_UNIT_STEPS);
      const [, a] = await ethers.getSigners();
      await market.connect(a).join(0n);
      await market.connect(a).submitDemand(0n);
      await market.closeRound(); // excess -10 at mu 0: stays 0, plus one wei
      const json = path.join(os.tmpdir(), `clearhouse-audit-${process.pid}.json`);
      await expect(hre.run("audit", { market: await market.getAddress(), pageSize: 2000, json })).to.be.rejectedWith(
        "2 discrepancies found",
      );
      const written = JSON.parse(fs.readFileSync(json, "utf8"));
      expect(written.discrepancies.map((d: { message: string }) => d.message.split(":")[0])).to.deep.equal([
        "nextMu",
        "dualResidual",
      ]);
      expect(written.market.rounds).to.have.length(1);
      await expect(hre.run("audit", { market: a.address, pageSize: 2000 })).to.be.rejectedWith(
        `no contract at ${a.address}`,
      );
      await expect(hre.run("audit", { market: "0x1234", pageSize: 2000 })).to.be.rejectedWith("is not an address");
      await expect(hre.run("audit", { pageSize: 2000 })).to.be.rejectedWith(
        "give exactly one of --market and --escrow",
      );
    });
  });
});
