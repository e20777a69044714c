import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Interface } from "ethers";
import { audit, formatReport } from "../../src/audit/run";
import { replayEscrow } from "../../src/audit/escrow";
import { replayMarket } from "../../src/audit/market";
import { fetchDecodedLogs } from "../../src/chain/logs";
import { toParamsInput, type MarketSettings } from "../../src/clearing/model/settings";
import { runOnChain } from "../../src/clearing/chain/driver";
import { Population } from "../../src/clearing/agents/population";
import { drawAgents } from "../../src/clearing/agents/draw";
import { lipschitz } from "../../src/clearing/agents/reference";
import type { ExchangeEscrow } from "../../typechain-types";
import { deployWithSettings } from "../clearing/fixture";
import { tableArg } from "../exchange/fixture";
import { DEFAULT_PAYOUT_TABLE } from "../../src/exchange/model/defaultTable";
import { type Terms, TERMS_TYPES, escrowDomain, packTerms } from "../../src/exchange/model/terms";
import { DEAD, ETH, via } from "../exchange/books";
import { submit } from "../harness";

const WINDOWS = { redeemWindow: 100n, complaintWindow: 100n, faultWindow: 100n };

const abi = async (name: string) => new Interface((await hre.artifacts.readArtifact(name)).abi);

const marketOf = (contract: string, settings: MarketSettings) => deployWithSettings(settings, contract);

/** The storage slot of `key` in whichever mapping of `contract` holds a word that `match` recognizes there. */
async function mappingSlot(contract: string, key: string, match: (word: bigint) => boolean): Promise<string> {
  for (let p = 0; p < 256; p++) {
    const slot = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [key, p]));
    const word = BigInt(await ethers.provider.getStorage(contract, slot));
    if (word !== 0n && match(word)) return slot;
  }
  throw new Error(`no mapping of ${contract} holds ${key}`);
}

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
  // From round 5 on: another fee, the constant rule and the uniform rationing rule.
  await market.scheduleParams(toParamsInput({ ...settings, tau: 0.2, rule: "constant", rationing: "uniform" }));
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
    // Rounds rationed by the uniform rule were among those replayed (their settlements bit for bit).
    const results = await Promise.all([5, 6, 7, 8, 9].map((round) => market.rationingResult(round)));
    expect(results.filter((x) => x !== 0n).length, "uniform rationed rounds").to.be.greaterThan(0);
  });

  it("replays each demand with the round and cap its sender named, and flags a charge beyond them", async () => {
    const market = await marketOf("ClearingMarket", ONE_UNIT_STEPS);
    const [, a] = await ethers.getSigners();
    await market.connect(a).join(ethers.parseEther("10"), { value: ethers.parseEther("10") });
    const submitted = await market.connect(a).submitDemand(1n, ethers.parseEther("2"), ethers.parseEther("1.5"));
    const address = await market.getAddress();
    const clean = await audit(ethers.provider, "market", address, await abi("ClearingMarket"));
    expect(clean.discrepancies).to.deep.equal([]);
    // The auditor read the sender's consent from the calldata: a log whose reserve exceeded it (as a
    // contract that ignored the cap would write) is refused by the replay, at that submission.
    const logs = await fetchDecodedLogs(ethers.provider, address, market.interface);
    const reserved = logs.find((l) => l.name === "DemandSubmitted")!.args.reserved as bigint;
    const consents = new Map([
      [submitted.hash, new Map([[a.address.toLowerCase(), { round: 1n, maxReserve: reserved - 1n }]])],
    ]);
    expect(replayMarket(logs, consents).discrepancies.map((d) => [d.txHash, d.event, d.message])).to.deep.equal([
      [
        submitted.hash,
        "DemandSubmitted",
        `the exact replay refuses this DemandSubmitted: ReserveAboveMax(${reserved}, ${reserved - 1n})`,
      ],
    ]);
  });

  it("replays a smart account's batch (its demand, an early close, its departure in one transaction) as it stood", async () => {
    const market = await marketOf("ClearingMarket", { ...ONE_UNIT_STEPS, rationing: "uniform" });
    const [, a, b] = await ethers.getSigners();
    const account = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
    const address = await market.getAddress();
    const call = (name: string, args: unknown[]) => market.interface.encodeFunctionData(name as never, args as never);
    for (const s of [a, b]) await market.connect(s).join(ethers.parseEther("50"), { value: ethers.parseEther("50") });
    await account.execute(address, ethers.parseEther("50"), call("join", [ethers.parseEther("50")]), {
      value: ethers.parseEther("50"),
    });
    await time.increase(5);
    for (const s of [a, b]) await submit(market, s, ethers.parseEther("8"));
    const max = ethers.parseEther("1000");
    await account.executeBatch(
      [address, address, address],
      [0n, 0n, 0n],
      [call("submitDemand", [1n, ethers.parseEther("8"), max]), call("closeRound", []), call("leave", [])],
    );
    expect((await market.rounds(1))[0]).to.equal(ethers.parseEther("24")); // the account's 8 stood
    for (const s of [a, b]) await market.settle(s.address);
    const r = await audit(ethers.provider, "market", address, await abi("ClearingMarket"));
    expect(r.discrepancies).to.deep.equal([]);
    expect(r.market!.rounds[0].totalDemand).to.equal(24);
  });

  it("flags a wrong price update at the round that made it", async () => {
    const market = await marketOf("WrongPriceMarket", ONE_UNIT_STEPS);
    const [, a] = await ethers.getSigners();
    await market.connect(a).join(ethers.parseEther("10"), { value: ethers.parseEther("10") });
    await submit(market, a, ethers.parseEther("12"));
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
    // Each overcharged settlement (fee + 1, refund - 1), the fee claim that took the extra wei (and the money
    // that left with it, beyond what the events account for), and the contract's views at the end: the agents'
    // free balances and the liabilities below the replay's.
    const kinds = new Set(
      r.discrepancies.map((d) => (d.event === "balance" ? "balance" : `${d.event} ${d.message.split(":")[0]}`)),
    );
    expect([...kinds]).to.have.members([
      "Settled fee",
      "Settled refund",
      "FeesWithdrawn amount",
      "balance",
      "state totalLiabilities",
      "state free",
    ]);
    const claim = r.discrepancies.find((d) => d.event === "FeesWithdrawn")!;
    const extra = r.discrepancies.find((d) => d.event === "balance" && d.txHash === claim.txHash)!;
    expect(extra.message).to.match(
      /its events account for -\d+: \d+ more left it \(or less came in\) than its events say$/,
    );
    // Exactly the settlements cut short in rationed rounds (S > m; under the uniform rule of rounds 5 on, only the
    // agents above the water level) are flagged: where the defect bites.
    const rationed = new Set(r.market!.rounds.filter((x) => x.totalDemand > x.capacity).map((x) => BigInt(x.round)));
    const demanded = new Map<string, bigint>();
    for (const e of await market.queryFilter(market.filters.DemandSubmitted())) {
      demanded.set(`${e.args.round}:${e.args.agent}`, e.args.demand);
    }
    const settlements = await market.queryFilter(market.filters.Settled());
    const bitten = settlements.filter(
      (e) =>
        rationed.has(e.args.round) &&
        e.args.allocation > 0n &&
        e.args.allocation < demanded.get(`${e.args.round}:${e.args.agent}`)!,
    );
    expect(bitten.length).to.be.lessThan(settlements.filter((e) => rationed.has(e.args.round)).length);
    expect(fees.map((d) => `${d.txHash}:${d.logIndex}`)).to.have.members(
      bitten.map((e) => `${e.transactionHash}:${e.index}`),
    );
  });

  describe("escrow", () => {
    /** An escrow (or a defective variant) with the shipped table (minPrice = its p0) and fresh terms. */
    async function escrowOf(contract: string) {
      const [owner, burn, seller, buyer, other] = await ethers.getSigners();
      const escrow = (await (
        await ethers.getContractFactory(contract)
      ).deploy(owner.address, burn.address)) as unknown as ExchangeEscrow;
      const tableNumber = await escrow.registerTable.staticCall(tableArg(DEFAULT_PAYOUT_TABLE));
      await escrow.registerTable(tableArg(DEFAULT_PAYOUT_TABLE));
      const domain = escrowDomain((await ethers.provider.getNetwork()).chainId, await escrow.getAddress());
      let salt = 0n;
      const terms = async (over: Partial<Terms> = {}): Promise<Terms> => ({
        seller: seller.address,
        buyer: buyer.address,
        asset: ETH,
        price: ethers.parseEther("1"),
        table: tableNumber,
        expiry: BigInt(await time.latest()) + 100n,
        ...WINDOWS,
        sellerOffers: true,
        salt: ++salt,
        burnSetting: 0n,
        fromWallet: false,
        ...over,
      });
      const [sd, bd] = await escrow.depositsFor(tableNumber, ethers.parseEther("1")); // every deal's price
      const buyerPart = bd + ethers.parseEther("1");
      /** Seller offers on chain, the buyer accepts. */
      const open = async (t: Terms) => {
        await escrow.connect(seller).offer(packTerms(t), { value: sd });
        await escrow.connect(buyer).accept(packTerms(t), { value: buyerPart });
      };
      const run = async () => audit(ethers.provider, "escrow", escrow.target as string, await abi("ExchangeEscrow"));
      return { escrow, owner, burn, seller, buyer, other, terms, sd, buyerPart, open, run, domain };
    }

    it("replays on-chain and signed deals, withdrawals, cancellations and a burn recipient change cleanly", async () => {
      const { escrow, owner, burn, seller, buyer, other, terms, sd, buyerPart, open, run, domain } =
        await escrowOf("ExchangeEscrow");
      const honest = await terms();
      await open(honest);
      await escrow.connect(buyer).redeem(packTerms(honest), true);
      await escrow.connect(seller).finalize(packTerms(honest));
      const disputed = await terms();
      await open(disputed);
      await escrow.connect(buyer).requestRefund(packTerms(disputed));
      await escrow.connect(buyer).complain(packTerms(disputed));
      await escrow.connect(seller).cancelOrFault(packTerms(disputed));
      const withdrawn = await terms();
      await escrow.connect(seller).offer(packTerms(withdrawn), { value: sd });
      await escrow.connect(seller).withdrawOffer(packTerms(withdrawn));
      // Signed by the seller, funded from its balance; left to time out, finalized by a stranger.
      const signed = await terms();
      await escrow.connect(seller).deposit(ETH, sd, { value: sd });
      const signature = await seller.signTypedData(domain, TERMS_TYPES, signed);
      await escrow.connect(buyer).acceptSigned(packTerms(signed), signature, { value: buyerPart });
      const cancelled = await terms();
      await escrow.connect(seller).cancelSigned(packTerms(cancelled));
      // From the next second on the buyer is the recipient: a deal it buys in burns to DEAD.
      await escrow.connect(owner).setBurnRecipient(buyer.address);
      await time.increase(400);
      await escrow.connect(other).finalize(packTerms(signed));
      const late = await terms();
      await open(late);
      await escrow.connect(buyer).requestRefund(packTerms(late));
      await escrow.connect(buyer).complain(packTerms(late));
      await time.increase(200); // the seller lets its fault window pass: RfE-C-NC burns the whole pot
      await escrow.connect(other).finalize(packTerms(late));
      expect(await escrow.balances(DEAD, ETH)).to.be.greaterThan(0n);
      await escrow.connect(burn).withdraw(ETH, await escrow.balances(burn.address, ETH));

      const r = await run();
      expect(r.discrepancies).to.deep.equal([]);
      const s = r.escrow!.summary;
      expect([s.deals, s.opened, s.signed, s.withdrawnOffers, s.cancelledSigned, s.final]).to.deep.equal([
        5, 4, 1, 1, 1, 4,
      ]);
      expect(s.states).to.deep.equal({ "R-NC-NC": 1, "RfE-C-CF": 1, "RfE-NC-NC": 1, "RfE-C-NC": 1 });
      expect(s.notCheckable).to.deep.equal([]);
      expect(s.credited).to.equal(0);
      const eth = s.assets[ETH];
      expect(eth.inDeals).to.equal(0n);
      expect(eth.balances).to.equal(await escrow.balances(DEAD, ETH));
      expect(r.balances).to.deep.equal([
        { asset: ETH, held: await ethers.provider.getBalance(escrow.target), owed: eth.owed },
      ]);
    });

    it("flags a payout off the table: the burn credit one wei short, and the books", async () => {
      const { escrow, seller, buyer, terms, open, run } = await escrowOf("OffTableEscrow");
      const t = await terms();
      await open(t);
      // R-C-NC: the seller is paid 1.03 of the price, 0.04 is burnt (with no burn the variant cannot pay more).
      await escrow.connect(buyer).redeem(packTerms(t), false);
      await escrow.connect(buyer).complain(packTerms(t));
      const fin = await escrow.connect(seller).finalize(packTerms(t));
      const r = await run();
      const burn = (t.price * 4n) / 100n; // the table's: 1.07 - 1.03
      expect((await escrow.payouts(t.table, t.price, 6))[2], "the variant's own view agrees with it").to.equal(
        burn - 1n,
      );
      // The credit, the money that left in that transaction (one wei more than its events say: the seller's
      // push), the books after it, and the burn recipient's balance as the contract stores it.
      const id = await escrow.dealId(packTerms(t));
      const eth = ETH.toLowerCase();
      const burnBalance = `balance ${(await ethers.getSigners())[1].address.toLowerCase()}:${eth}`;
      const pot = (t.price * 103n) / 100n;
      expect(r.discrepancies.map((d) => [d.subject, d.txHash, d.event, d.message])).to.deep.equal([
        [`deal ${id}`, fin.hash, "Credited", `burn: event says ${burn - 1n}, replay says ${burn}`],
        [
          `deal ${id}, ${burnBalance}`,
          fin.hash,
          "balance",
          `the contract's balance of ${eth} moved by ${-pot - 1n}, its events account for ${-pot}: ` +
            "1 more left it (or less came in) than its events say",
        ],
        [
          `deal ${id}, ${burnBalance}`,
          fin.hash,
          "balance",
          `after this block the contract holds ${burn - 1n} of ${eth} but owes ${burn}`,
        ],
        [
          burnBalance,
          fin.hash,
          "state",
          `balance: the contract stores ${burn - 1n}, the replay says ${burn} (read at block ${fin.blockNumber}; ` +
            "last set by this transaction, and no event since explains the difference)",
        ],
      ]);
    });

    it("flags a burn credited to another account than the deal's burn destination (a tampered log)", async () => {
      const { escrow, burn, other, buyer, terms, open, domain } = await escrowOf("ExchangeEscrow");
      const t = await terms();
      await open(t);
      await escrow.connect(buyer).requestRefund(packTerms(t));
      await escrow.connect(buyer).complain(packTerms(t));
      await time.increase(200);
      await escrow.connect(buyer).finalize(packTerms(t)); // RfE-C-NC: the whole pot burnt
      const logs = await fetchDecodedLogs(ethers.provider, escrow.target as string, await abi("ExchangeEscrow"));
      const stamps = new Map<number, bigint>();
      for (const l of logs)
        stamps.set(l.blockNumber, BigInt((await ethers.provider.getBlock(l.blockNumber))!.timestamp));
      expect(replayEscrow(logs, stamps, { domain }).discrepancies).to.deep.equal([]);
      const i = logs.findIndex((l) => l.name === "Credited");
      expect(logs[i].args.account).to.equal(burn.address);
      const { id, asset, amount } = logs[i].args;
      logs[i] = { ...logs[i], args: { id, account: other.address, asset, amount } as never };
      expect(replayEscrow(logs, stamps, { domain }).discrepancies.map((d) => d.message)).to.deep.equal([
        `burn ${amount} not credited to the deal's burn destination ${burn.address.toLowerCase()}`,
        `${amount} credited to ${other.address}: no payout, refund or burn of deal ${id} explains it`,
      ]);
    });

    it("flags a deal on a table whose minPrice is below its recomputed p0; a table it cannot check is named", async () => {
      const { escrow, seller, terms, run } = await escrowOf("ExchangeEscrow");
      const cheap = { ...DEFAULT_PAYOUT_TABLE, minPrice: 1n };
      await escrow.registerTable(tableArg(cheap)); // table 2
      // Pays nothing in any state: no design of the core game, so its minPrice means nothing to check.
      const foreign = { ...DEFAULT_PAYOUT_TABLE, seller: Array(8).fill(0n), buyer: Array(8).fill(0n) };
      await escrow.registerTable(tableArg(foreign));
      const below = "minPrice 1 is below the recomputed smallest safe price p0 = 150";
      // The adversary: a stranger registering an unsafe table must not make a clean escrow fail its audit.
      const unused = await run();
      expect(unused.discrepancies).to.deep.equal([]);
      expect(unused.escrow!.summary.unsafeUnused.map((u) => [u.table, u.reason])).to.deep.equal([[2n, below]]);
      const foreignId = await escrow.tableIdOf(await escrow.registerTable.staticCall(tableArg(foreign)));
      expect(unused.escrow!.summary.notCheckable.map((t) => t.tableId)).to.deep.equal([foreignId]);
      expect(unused.escrow!.summary.tables).to.equal(3);
      // A deal on it is a finding, at the deal's creation.
      const t = await terms({ table: 2n });
      const [sd] = await escrow.depositsFor(2n, t.price);
      const offered = await escrow.connect(seller).offer(packTerms(t), { value: sd });
      const used = await run();
      expect(used.discrepancies.map((d) => [d.txHash, d.event, d.message])).to.deep.equal([
        [offered.hash, "Offered", `deal on table 2, whose ${below}`],
      ]);
      expect(used.escrow!.summary.unsafeUnused).to.deep.equal([]);
    });

    it("a payout whose push failed is credited, withdrawn later, and audits clean", async () => {
      const { escrow, seller, terms, sd, buyerPart, run } = await escrowOf("ExchangeEscrow");
      const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
      const B = await receiver.getAddress();
      const t = await terms({ buyer: B });
      await escrow.connect(seller).offer(packTerms(t), { value: sd });
      await via(receiver, escrow, "accept", [packTerms(t)], buyerPart);
      await via(receiver, escrow, "redeem", [packTerms(t), true]);
      await receiver.configure(ETH, "0x", true); // refuses ETH
      const [, buyerPayout] = await escrow.payouts(t.table, t.price, 4);
      await expect(escrow.connect(seller).finalize(packTerms(t)))
        .to.emit(escrow, "Credited")
        .withArgs(await escrow.dealId(packTerms(t)), B, ETH, buyerPayout);
      expect(await escrow.balances(B, ETH)).to.equal(buyerPayout);
      await receiver.configure(ETH, "0x", false);
      await expect(via(receiver, escrow, "withdraw", [ETH, buyerPayout])).to.changeEtherBalance(receiver, buyerPayout);
      const r = await run();
      expect(r.discrepancies).to.deep.equal([]);
      expect([r.escrow!.summary.pushed, r.escrow!.summary.credited]).to.deep.equal([1, 1]);
      expect(r.balances[0].held).to.equal(r.balances[0].owed);
    });

    /** R-NC-NC (redeemed and confirmed): what its payouts push, by the table. */
    const honestEnd = async (escrow: ExchangeEscrow, t: Terms, buyer: { address: string }) => {
      await escrow.connect(await ethers.getSigner(buyer.address)).redeem(packTerms(t), true);
      return escrow.connect(await ethers.getSigner(t.seller)).finalize(packTerms(t));
    };

    it("flags a variant that pushes 90 % of a payout at the transaction that paid it, after money was force-sent", async () => {
      const { escrow, buyer, terms, open, run } = await escrowOf("ShortPayingEscrow");
      const t = await terms();
      await open(t);
      const address = await escrow.getAddress();
      const donation = ethers.parseEther("0.2");
      // As a force-send would arrive: in a block of its own (Hardhat changes the latest block's state in place).
      await ethers.provider.send("evm_mine", []);
      await ethers.provider.send("hardhat_setBalance", [
        address,
        ethers.toBeHex((await ethers.provider.getBalance(address)) + donation),
      ]);
      const fin = await honestEnd(escrow, t, buyer);
      const [seller, buyerPays] = await escrow.payouts(t.table, t.price, 4);
      const sent = (seller * 9n) / 10n + (buyerPays * 9n) / 10n;
      const r = await run();
      expect(r.discrepancies.map((d) => [d.txHash, d.event, d.message])).to.deep.equal([
        [
          fin.hash,
          "balance",
          `the contract's balance of ${ETH} moved by ${-sent}, its events account for ${-(seller + buyerPays)}: ` +
            `${seller + buyerPays - sent} less left it (or more came in) than its events say`,
        ],
      ]);
      expect(r.notes).to.have.length(1);
      expect(r.notes[0]).to.match(new RegExp(`^${donation} of ${ETH} arrived without a call in blocks \\d+-\\d+$`));
    });

    it("flags a variant that pushes 110 % of a payout, out of another deal's money, even after a donation", async () => {
      const { escrow, buyer, terms, open, run } = await escrowOf("OverPayingEscrow");
      const [t, other] = [await terms(), await terms()];
      await open(t);
      await open(other);
      const address = await escrow.getAddress();
      await ethers.provider.send("evm_mine", []);
      await ethers.provider.send("hardhat_setBalance", [
        address,
        ethers.toBeHex((await ethers.provider.getBalance(address)) + ethers.parseEther("0.2")),
      ]);
      const fin = await honestEnd(escrow, t, buyer);
      const [seller, buyerPays] = await escrow.payouts(t.table, t.price, 4);
      const sent = (seller * 11n) / 10n + (buyerPays * 11n) / 10n;
      const r = await run();
      const id = await escrow.dealId(packTerms(t));
      expect(r.discrepancies.map((d) => [d.subject, d.txHash, d.event, d.message])).to.deep.equal([
        [
          `deal ${id}`,
          fin.hash,
          "balance",
          `the contract's balance of ${ETH} moved by ${-sent}, its events account for ${-(seller + buyerPays)}: ` +
            `${sent - seller - buyerPays} more left it (or less came in) than its events say`,
        ],
      ]);
    });

    it("matches every token movement to the token's Transfer logs: a 90 % payout in a token is flagged there", async () => {
      const { escrow, seller, buyer, terms, sd, buyerPart, run } = await escrowOf("ShortPayingEscrow");
      const token = await (await ethers.getContractFactory("MockERC20")).deploy("Token", "TOK", 18);
      const asset = (await token.getAddress()).toLowerCase();
      for (const [who, amount] of [
        [seller, sd],
        [buyer, buyerPart],
      ] as const) {
        await token.mint(who.address, amount);
        await token.connect(who).approve(await escrow.getAddress(), amount);
      }
      const t = await terms({ asset: await token.getAddress() });
      await escrow.connect(seller).offer(packTerms(t));
      await escrow.connect(buyer).accept(packTerms(t));
      const fin = await honestEnd(escrow, t, buyer);
      const [s, b] = await escrow.payouts(t.table, t.price, 4);
      const sent = (s * 9n) / 10n + (b * 9n) / 10n;
      const r = await run();
      expect(r.discrepancies.map((d) => [d.txHash, d.event, d.message])).to.deep.equal([
        [
          fin.hash,
          "balance",
          `the contract's balance of ${asset} moved by ${-sent}, its events account for ${-(s + b)}: ` +
            `${s + b - sent} less left it (or more came in) than its events say`,
        ],
        [
          fin.hash,
          "Transfer",
          `the token's Transfer logs move ${-sent} of ${asset} into the contract (net), its events account for ${-(s + b)}`,
        ],
      ]);
    });

    it("flags a deal whose stored stage was set to Final behind the log's back (hardhat_setStorageAt)", async () => {
      const { escrow, terms, sd, buyerPart, seller, buyer, run } = await escrowOf("ExchangeEscrow");
      const t = await terms();
      await escrow.connect(seller).offer(packTerms(t), { value: sd });
      const accepted = await escrow.connect(buyer).accept(packTerms(t), { value: buyerPart });
      const id = await escrow.dealId(packTerms(t));
      const [deadline] = await escrow.deals(id);
      // The deal's word: deadline (40 bits), stage (8), flags (8), createdAt (40).
      const slot = await mappingSlot(await escrow.getAddress(), id, (w) => (w & ((1n << 40n) - 1n)) === deadline);
      const word = BigInt(await ethers.provider.getStorage(await escrow.getAddress(), slot));
      const final = (word & ~(0xffn << 40n)) | (5n << 40n);
      await ethers.provider.send("hardhat_setStorageAt", [await escrow.getAddress(), slot, ethers.toBeHex(final, 32)]);
      expect((await escrow.deals(id)).stage).to.equal(5n);
      const r = await run();
      const block = await ethers.provider.getBlockNumber();
      expect(r.discrepancies.map((d) => [d.subject, d.txHash, d.event, d.message])).to.deep.equal([
        [
          `deal ${id}`,
          accepted.hash,
          "state",
          `stage: the contract stores Final, the replay says Redeem (read at block ${block}; ` +
            "last set by this transaction, and no event since explains the difference)",
        ],
      ]);
    });
  });

  describe("reconciliation with the market's views", () => {
    it("flags an agent's free balance raised by 50 behind the log's back, naming the agent and its last transaction", async () => {
      const market = await marketOf("ClearingMarket", ONE_UNIT_STEPS);
      const [, a] = await ethers.getSigners();
      await market.connect(a).join(ethers.parseEther("10"), { value: ethers.parseEther("10") });
      const last = await submit(market, a, ethers.parseEther("2"));
      const address = await market.getAddress();
      const free = (await market.agents(a.address)).free;
      // The agent's first word: free (low 128 bits), reserved (high 128 bits).
      const slot = await mappingSlot(
        address,
        ethers.zeroPadValue(a.address, 32),
        (w) => (w & ((1n << 128n) - 1n)) === free,
      );
      const word = BigInt(await ethers.provider.getStorage(address, slot));
      await ethers.provider.send("hardhat_setStorageAt", [
        address,
        slot,
        ethers.toBeHex(word + ethers.parseEther("50"), 32),
      ]);
      const r = await audit(ethers.provider, "market", address, await abi("ClearingMarket"));
      const block = await ethers.provider.getBlockNumber();
      expect(r.discrepancies.map((d) => [d.subject, d.txHash, d.event, d.message])).to.deep.equal([
        [
          `agent ${a.address.toLowerCase()}`,
          (await last.wait())!.hash,
          "state",
          `free: the contract stores ${free + ethers.parseEther("50")}, the replay says ${free} (read at block ${block}; ` +
            "last set by this transaction, and no event since explains the difference)",
        ],
      ]);
    });

    it("money planted for an account the log never names is flagged where it leaves", async () => {
      const market = await marketOf("ClearingMarket", ONE_UNIT_STEPS);
      const signers = await ethers.getSigners();
      const [a, stranger] = [signers[1], signers[9]];
      await market.connect(a).join(ethers.parseEther("10"), { value: ethers.parseEther("10") });
      const address = await market.getAddress();
      // The agents' mapping slot, found from a's entry; the stranger's entry in the same mapping gets 5 units.
      const free = (await market.agents(a.address)).free;
      const slotOfA = await mappingSlot(address, ethers.zeroPadValue(a.address, 32), (w) => w === free);
      let base = 0;
      for (; base < 256; base++) {
        const key = ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "uint256"],
          [ethers.zeroPadValue(a.address, 32), base],
        );
        if (ethers.keccak256(key) === slotOfA) break;
      }
      const slot = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "uint256"],
          [ethers.zeroPadValue(stranger.address, 32), base],
        ),
      );
      await ethers.provider.send("hardhat_setStorageAt", [address, slot, ethers.toBeHex(ethers.parseEther("5"), 32)]);
      // A mapping's keys cannot be listed over JSON-RPC: an account no event names is not read.
      const before = await audit(ethers.provider, "market", address, await abi("ClearingMarket"));
      expect(before.discrepancies).to.deep.equal([]);
      // Once the planted money moves, the transaction that moved it is flagged, twice over.
      const taken = await market.connect(stranger).withdraw(ethers.parseEther("5"));
      const r = await audit(ethers.provider, "market", address, await abi("ClearingMarket"));
      expect(r.discrepancies.map((d) => [d.subject, d.txHash, d.event, d.message])).to.deep.equal([
        [
          `agent ${stranger.address}`,
          taken.hash,
          "Withdrawn",
          `the exact replay refuses this Withdrawn: InsufficientBalance(${ethers.parseEther("5")}, 0)`,
        ],
        [
          `agent ${stranger.address}`,
          taken.hash,
          "balance",
          `the contract's balance of ${ethers.ZeroAddress} moved by ${-ethers.parseEther("5")}, its events account ` +
            `for 0: ${ethers.parseEther("5")} more left it (or less came in) than its events say`,
        ],
        [
          `agent ${stranger.address}`,
          taken.hash,
          "balance",
          `after this block the contract holds ${ethers.parseEther("5")} of ${ethers.ZeroAddress} but owes ${ethers.parseEther("10")}`,
        ],
        [
          "contract",
          taken.hash,
          "state",
          `totalLiabilities: the contract stores ${ethers.parseEther("5")}, the replay says ${ethers.parseEther("10")} ` +
            `(read at block ${taken.blockNumber}; last set by this transaction, and no event since explains the difference)`,
        ],
      ]);
    });

    it("flags the open round's price changed behind the log's back, naming the round and the close that set it", async () => {
      const market = await marketOf("ClearingMarket", ONE_UNIT_STEPS);
      const [, a] = await ethers.getSigners();
      await market.connect(a).join(ethers.parseEther("100"), { value: ethers.parseEther("100") });
      await submit(market, a, ethers.parseEther("12"));
      await time.increase(3600);
      const close = await market.closeRound();
      const address = await market.getAddress();
      const [, mu] = await market.rounds(2);
      expect(mu).to.be.greaterThan(0n);
      // Round 2's word: totalDemand (low 128 bits, 0), mu (high 128 bits).
      const slot = await mappingSlot(address, ethers.toBeHex(2, 32), (w) => w >> 128n === mu);
      await ethers.provider.send("hardhat_setStorageAt", [address, slot, ethers.toBeHex((mu + 1n) << 128n, 32)]);
      const r = await audit(ethers.provider, "market", address, await abi("ClearingMarket"));
      const block = await ethers.provider.getBlockNumber();
      expect(r.discrepancies.map((d) => [d.subject, d.txHash, d.event, d.message])).to.deep.equal([
        [
          "round 2",
          close.hash,
          "state",
          `mu: the contract stores ${mu + 1n}, the replay says ${mu} (read at block ${block}; ` +
            "last set by this transaction, and no event since explains the difference)",
        ],
      ]);
    });

    it("where the node keeps no history, checks the holdings at the last block only, and says so", async () => {
      const { market } = await marketLife("ClearingMarket");
      const latest = await ethers.provider.getBlockNumber();
      // A provider that refuses state older than the latest block, as a pruned node does.
      const pruned = new Proxy(ethers.provider, {
        get(target, key, receiver) {
          if (key === "getBalance")
            return async (holder: string, tag?: number) => {
              if (tag !== undefined && tag !== latest) throw new Error("missing trie node");
              return target.getBalance(holder, tag);
            };
          const value = Reflect.get(target, key, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const r = await audit(pruned, "market", await market.getAddress(), await abi("ClearingMarket"));
      expect(r.checked).to.equal("the last block only");
      expect(r.discrepancies).to.deep.equal([]);
      expect(formatReport(r)).to.contain("holdings checked at the last block only");
    });
  });

  describe("audit task", () => {
    it("exits with an error naming the discrepancies, and refuses a wrong address", async () => {
      const market = await marketOf("WrongPriceMarket", ONE_UNIT_STEPS);
      const [, a] = await ethers.getSigners();
      await market.connect(a).join(0n);
      await submit(market, a, 0n);
      await market.closeRound(); // excess -10 at mu 0: stays 0, plus one wei
      const json = path.join(os.tmpdir(), `clearhouse-audit-${process.pid}.json`);
      await expect(hre.run("audit", { market: await market.getAddress(), pageSize: 2000, json })).to.be.rejectedWith(
        "3 discrepancies found",
      );
      const written = JSON.parse(fs.readFileSync(json, "utf8"));
      expect(written.discrepancies.map((d: { message: string }) => d.message.split(":")[0])).to.deep.equal([
        "nextMu",
        "dualResidual",
        "mu", // round 2's price as the contract stores it
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
