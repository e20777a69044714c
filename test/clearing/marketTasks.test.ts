import { expect } from "chai";
import { ethers } from "hardhat";
import { parseEther } from "ethers";
import type { ClearingMarket } from "../../typechain-types";
import { MARKET_INTERFACE } from "../../src/clearing/parties/abi";
import { allocation, charge, reserveFor } from "../../src/clearing/model/settlement";
import { runTask } from "../taskOutput";

/**
 * The market's commands (tasks/market.ts) as each role runs them, on the in-process network: what each prints and
 * what it changes on chain, and every refusal as one line (the decoded custom error or the flag and why).
 */
describe("Market commands", function () {
  this.timeout(120_000);
  const e = parseEther;
  let market: ClearingMarket;
  let address: string;

  /** Deploys a fresh market (pro-rata, m = 10, tau 0.5, g 1, constant step 0.01, 60 s rounds) by the command. */
  async function deploy(extra: Record<string, unknown> = {}) {
    const out = await runTask("market:deploy", {
      capacity: 10,
      tau: 0.5,
      fixedFee: 1,
      rule: "constant",
      eta: 0.01,
      roundDuration: 60,
      rationing: "pro-rata",
      json: true,
      ...extra,
    });
    address = JSON.parse(out).address;
    market = (await ethers.getContractAt("ClearingMarket", address)) as unknown as ClearingMarket;
    return out;
  }
  const as = (from: number, args: Record<string, unknown> = {}) => ({ market: address, from: String(from), ...args });

  it("the client library carries the compiled contract's ABI (one DemandTooLarge: the two share a selector)", async () => {
    const compiled = (await ethers.getContractFactory("ClearingMarket")).interface
      .format()
      .filter((f) => !f.startsWith("constructor") && f !== "error DemandTooLarge(uint256 demand, uint256 max)");
    expect(MARKET_INTERFACE.format().sort()).to.deep.equal(compiled.sort());
  });

  it("deploys with the given settings and the defaults for the rest", async () => {
    const out = JSON.parse(await deploy());
    expect(out.settings).to.deep.include({ capacity: 10, rule: "constant", rationing: "pro-rata", tolDual: 1e-6 });
    const p = await market.params(1);
    expect([p.capacity, p.tau, p.fixedFee, p.eta, p.roundDuration, p.rule, p.rationing]).to.deep.equal([
      e("10"),
      e("0.5"),
      e("1"),
      e("0.01"),
      60n,
      0n,
      0n,
    ]);
    const text = await runTask("market:deploy", {});
    expect(text).to.match(
      /^ClearingMarket deployed at 0x[0-9a-fA-F]{40} on network "hardhat": m 100, tau 0\.5, g 1, adaptive rule, uniform rationing, 300 s rounds$/,
    );
  });

  it("an agent joins, submits with consent, is settled, withdraws and leaves; status says what it may do", async () => {
    await deploy();
    const [, a, b] = await ethers.getSigners();
    let out = await runTask("market:status", as(1));
    expect(out).to.contain(`Account ${a.address}: not a member, free 0.000000, reserved 0.000000`);
    expect(out).to.contain("may now: join, deposit");
    // Time left is judged at the next block's time: at least one second after the deployment's block (or the wall
    // clock, if later), so below the round's 60 s.
    const left = Number(/round 1 \((\d+) s left; 0\/0 submitted, demand 0\.0000 of capacity 10\.0000\)/.exec(out)![1]);
    expect(left).to.be.within(1, 59);

    out = await runTask("market:join", as(1, { amount: "100" }));
    expect(out).to.equal(`${a.address} joined with 100.000000: free 100.000000`);
    await runTask("market:join", as(2, { amount: "50.5" }));
    expect((await market.agents(b.address)).free).to.equal(e("50.5"));
    out = await runTask("market:deposit", as(2, { amount: "0.25" }));
    expect(out).to.equal(`${b.address} deposited 0.250000: free 50.750000`);
    expect((await market.agents(b.address)).free).to.equal(e("50.75"));

    // 12 units at price 0.5 (mu 0) and g 1: reserves ceil(0.5 * 12) + 1 = 7.
    out = await runTask("market:submit", as(1, { quantity: "12" }));
    expect(out).to.equal(
      `${a.address} demands 12.0000 in round 1: reserved 7.000000 (consented to at most 7.000000), free 93.000000`,
    );
    const agentA = await market.agents(a.address);
    expect([agentA.demand, agentA.reserved, agentA.round]).to.deep.equal([e("12"), e("7"), 1n]);
    await runTask("market:submit", as(2, { quantity: "8", round: 1 }));

    out = await runTask("market:status", as(1));
    expect(out).to.contain("2/2 submitted, demand 20.0000 of capacity 10.0000");
    expect(out).to.contain("demand 12.0000 in round 1\n");
    expect(out).to.contain("may now: deposit, submit, withdraw, leave, close");

    out = await runTask("market:close", as(3));
    // Excess 10 at eta 0.01: mu 0 -> 0.1.
    expect(out).to.equal("round 1 closed: demand 20.0000 of 10.0000, mu 0.000000 -> 0.100000");

    const before = await market.agents(a.address);
    out = await runTask("market:settle", as(3, { agent: a.address, json: true }));
    const settled = JSON.parse(out);
    const q = allocation(e("12"), e("20"), e("10"));
    const { fee, revenue } = charge(e("12"), q, e("0.5"), 0n, e("1"));
    expect(settled).to.deep.include({
      agent: a.address,
      round: "1",
      allocation: String(q),
      fee: String(fee),
      revenue: String(revenue),
      refund: String(before.reserved - fee - revenue),
    });
    expect((await market.agents(a.address)).free).to.equal(before.free + before.reserved - fee - revenue);
    await expect(runTask("market:settle", as(1))).to.be.rejectedWith(
      `market:settle: ${a.address} has nothing to settle (no demand in a closed round)`,
    );

    const free = (await market.agents(a.address)).free;
    const ethBefore = await ethers.provider.getBalance(a.address);
    out = await runTask("market:withdraw", as(1, { amount: "all" }));
    expect(out).to.equal(`${a.address} withdrew ${(Number(free) / 1e18).toFixed(6)}: free 0.000000`);
    expect(await ethers.provider.getBalance(a.address)).to.be.greaterThan(ethBefore + free - e("0.01"));

    out = await runTask("market:leave", as(1));
    expect(out).to.equal(`${a.address} left the market: free 0.000000 to withdraw`);
    expect((await market.agents(a.address)).active).to.equal(false);
    out = await runTask("market:status", as(1, { json: true }));
    expect(JSON.parse(out)).to.deep.include({ active: false, mayNow: ["join", "deposit"] });
  });

  it("refuses bad input with one line naming the cause, and changes nothing", async () => {
    await deploy();
    const [, a] = await ethers.getSigners();
    await runTask("market:join", as(1, { amount: "10" }));
    const state = async () => [await market.agents(a.address), await market.state(), await market.rounds(1)];
    const { escrow: escrowAddress } = JSON.parse(await runTask("escrow:deploy", { json: true }));
    expect(
      await runTask("escrow:status", { escrow: address, id: ethers.ZeroHash }).catch((e: Error) => e.message),
    ).to.equal(`escrow:status: --escrow: ${address} is not an ExchangeEscrow`);
    const before = await state();
    const refusals: [string, Record<string, unknown>, string][] = [
      [
        "market:submit",
        as(1, { quantity: "1", round: 2 }),
        "market:submit: market client: submitDemand reverted: WrongRound(2, 1)",
      ],
      [
        "market:submit",
        as(1, { quantity: "4", maxReserve: "2.9" }),
        `market:submit: market client: submitDemand reverted: ReserveAboveMax(${e("3")}, ${e("2.9")})`,
      ],
      [
        "market:submit",
        as(1, { quantity: "100" }),
        `market:submit: market client: submitDemand reverted: InsufficientBalance(${e("51")}, ${e("10")})`,
      ],
      ["market:submit", as(2, { quantity: "1" }), "market:submit: market client: submitDemand reverted: NotActive("],
      ["market:submit", as(1, { quantity: "-1" }), "market:submit: --quantity: expected a non-negative decimal number"],
      ["market:submit", as(1, { quantity: "1.5e3" }), "market:submit: --quantity: expected a non-negative decimal"],
      ["market:join", as(1, { amount: "1" }), `market:join: market client: join reverted: AlreadyActive(${a.address})`],
      [
        "market:withdraw",
        as(1, { amount: "11" }),
        `market:withdraw: market client: withdraw reverted: InsufficientBalance(${e("11")}, ${e("10")})`,
      ],
      ["market:close", as(1), "market:close: market client: closeRoundWithHint reverted: RoundStillOpen(1, "],
      ["market:leave", as(2), "market:leave: market client: leave reverted: NotActive("],
      ["market:status", as(500), "market:status: --from: account 500 does not exist (network has 210)"],
      [
        "market:status",
        { market: a.address },
        `market:status: --market: no contract at ${a.address} on network "hardhat"`,
      ],
      ["market:status", { market: "0x12" }, "market:status: --market: not an address (0x and 40 hex digits): 0x12"],
      [
        "market:allow",
        as(1, { account: a.address }),
        `market:allow: market client: setAllowed reverted: OwnableUnauthorizedAccount(${a.address})`,
      ],
      ["market:schedule", as(0, { capacity: 0 }), "market:schedule: --capacity: Number must be greater than 0"],
      ["market:schedule", as(0, { rule: "fastest" }), "market:schedule: --rule: Invalid enum value"],
      ["market:collect", as(1), `market:collect: ${a.address} is neither the fee nor the revenue recipient`],
      ["market:prepay", as(1, { rounds: -1 }), "market:prepay: --rounds: Number must be greater than or equal to 0"],
      ["market:agent", as(2, { alpha: 10, beta: 1, rounds: 1 }), "is not a member of the market: join first"],
      ["market:status", { market: escrowAddress }, `market:status: --market: ${escrowAddress} is not a ClearingMarket`],
    ];
    for (const [name, args, message] of refusals) {
      await expect(runTask(name, args), name).to.be.rejectedWith(message);
    }
    expect(await state()).to.deep.equal(before);
  });

  it("the owner schedules parameters, sets recipients and the allow-list; recipients collect", async () => {
    await deploy({ allowListOnly: true });
    const [owner, a, , c] = await ethers.getSigners();
    await expect(runTask("market:join", as(1, { amount: "10" }))).to.be.rejectedWith(
      `market:join: market client: join reverted: NotAllowed(${a.address})`,
    );
    expect(await runTask("market:allow", as(0, { account: a.address }))).to.equal(
      `${a.address} added to the allow-list`,
    );
    await runTask("market:join", as(1, { amount: "10" }));

    let out = await runTask("market:schedule", as(0, { tau: 1, rationing: "uniform" }));
    expect(out).to.equal(
      "parameters version 2 scheduled from round 2: capacity 10, tau 1, fixedFee 1, rule constant, eta 0.01, " +
        "tolPrimal 0.0001, tolDual 0.000001, roundDuration 60, rationing uniform",
    );
    const p = await market.params(2);
    expect([p.tau, p.rationing, p.capacity]).to.deep.equal([e("1"), 1n, e("10")]);
    expect(await runTask("market:status", as(1))).to.contain("(version 2 from the next round)");

    // Anyone pays ahead: rounds 2 to 251 in two transactions, and the tree.
    out = await runTask("market:prepay", as(2, { rounds: 250, tree: true, json: true }));
    expect(JSON.parse(out)).to.deep.include({ fromRound: "2", toRound: "252", tree: true });
    expect(BigInt(JSON.parse(out).gasUsed)).to.be.greaterThan(250n * 22_100n + 548n * 22_100n);
    expect((await market.rounds(251))[0]).to.equal(2n ** 128n - 1n);
    expect(await market.rounds(252)).to.deep.equal([0n, 0n]);

    await runTask("market:submit", as(1, { quantity: "2" }));
    await runTask("market:close", as(0));
    expect(await runTask("market:status", as(1))).to.contain("uniform rationing, parameters version 2");
    await runTask("market:settle", as(0, { agent: a.address }));

    out = await runTask("market:recipients", as(0, { fees: owner.address, revenue: c.address }));
    expect(out).to.equal(`fees go to ${owner.address}, revenue to ${c.address}`);
    const fees = await market.feesAccrued();
    expect(fees).to.equal(e("2")); // ceil(0.5 * 2) + 1
    out = await runTask("market:collect", as(0, { json: true }));
    expect(JSON.parse(out)).to.deep.include({ fees: String(fees), revenue: "0" });
    expect(await market.feesAccrued()).to.equal(0n);
    expect(await runTask("market:allow", as(0, { account: a.address, revoke: true }))).to.equal(
      `${a.address} removed from the allow-list`,
    );
    expect(await market.allowed(a.address)).to.equal(false);
  });

  it("market:agent joins, plays its rounds alone, closes each and stops, with one line per round", async () => {
    await deploy({ roundDuration: 3600 });
    const [, a] = await ethers.getSigners();
    const out = await runTask("market:agent", as(1, { alpha: 10, beta: 1, rounds: 2, join: "20", poll: 10 }));
    const lines = out.split("\n");
    // Alone, it is everyone the early close waits for: it closes each round once it submitted.
    expect(lines[0]).to.equal(`${a.address} joined with 20.000000`);
    expect(lines[1]).to.match(/^round 1: price 0\.5000, demand 5\.6667 \(reserved at most 3\.8333; 1\/1 submitted\)$/);
    expect(lines[2]).to.equal("round 1: closed (demand 5.6667 of capacity 10.0000)");
    expect(lines[3]).to.match(/^round 2: price 0\.5000, demand 5\.6667/);
    expect(lines[4]).to.equal("round 2: closed (demand 5.6667 of capacity 10.0000)");
    expect(lines[5]).to.match(
      new RegExp(`^${a.address} stopped \\(2 rounds played\\): submitted in 2 rounds, closed 2;`),
    );
    expect(lines).to.have.length(6);
    expect((await market.state()).round).to.equal(3n);
  });

  it("market:agent says once that it cannot afford a round, and waits instead of retrying", async () => {
    await deploy({ roundDuration: 3600 });
    const { runMarketAgent } = await import("../../src/clearing/parties/marketAgent");
    const { MarketClient } = await import("../../src/clearing/parties/marketClient");
    const [, a] = await ethers.getSigners();
    await runTask("market:join", as(1, { amount: "0.1" })); // less than the fixed fee
    const logs: string[] = [];
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const client = new MarketClient(a, address);
    const run = await runMarketAgent(client, a.address, {
      type: { alpha: 10, beta: 1 },
      pollMs: 20,
      signal: stop.signal,
      log: (l) => logs.push(l),
    });
    expect(run.submissions).to.deep.equal([]);
    expect(logs).to.have.length(1);
    expect(logs[0]).to.match(
      /^round 1: skipped, market client: submitDemand reverted: InsufficientBalance\(\d+, 100000000000000000\) \(deposit more to take part\)$/,
    );
  });

  it("long-running agents play rounds to their best responses while a watcher follows the closes", async () => {
    await deploy({ roundDuration: 3600 });
    const signers = await ethers.getSigners();
    const types = [
      { alpha: 10, beta: 1 },
      { alpha: 6, beta: 0.5 },
    ];
    const fromBlock = await ethers.provider.getBlockNumber();
    const logs: string[] = [];
    const { runMarketAgent } = await import("../../src/clearing/parties/marketAgent");
    const { MarketClient } = await import("../../src/clearing/parties/marketClient");
    const agents = types.map((type, i) => {
      const client = new MarketClient(signers[i + 1], address);
      return { client, me: signers[i + 1].address, type };
    });
    for (const a of agents) await a.client.join(e("100"));
    const runs = await Promise.all(
      agents.map((a) =>
        runMarketAgent(a.client, a.me, { type: a.type, rounds: 3, pollMs: 10, log: (l) => logs.push(l) }),
      ),
    );
    // Each submitted in rounds 1 .. 3, its demand the best response alpha / (beta + price) - 1 at the posted price.
    for (const [i, run] of runs.entries()) {
      expect(run.submissions.map((s) => s.round)).to.deep.equal([1n, 2n, 3n]);
      for (const s of run.submissions) {
        const price = Number(s.price) / 1e18;
        const best = types[i].alpha / (types[i].beta + price) - 1;
        expect(Number(s.quantity) / 1e18).to.be.closeTo(best, 1e-9);
        expect(s.maxReserve).to.equal(reserveFor(s.quantity, e("0.5"), s.price - e("0.5"), e("1")));
      }
    }
    // The agents closed every round they played (each stays until its last round closes).
    const closed = [...runs[0].closed, ...runs[1].closed].sort();
    expect(closed).to.deep.equal([1n, 2n, 3n]);
    expect(runs.map((r) => r.stoppedBy)).to.deep.equal(["rounds", "rounds"]);
    expect(logs.filter((l) => l.startsWith("round 1: price 0.5000, demand"))).to.have.length(2);

    const out = await runTask("market:watch", { market: address, rounds: 2, fromBlock, poll: 10 });
    // From the deployment's block: the constructor put version 1 in force.
    const [activated, ...lines] = out.split("\n");
    expect(activated).to.equal("round 1: parameters version 1 in force");
    expect(lines).to.have.length(2);
    // Round 1's demand: 10 / 1.5 - 1 + 6 / 1.0 - 1 = 10.6667 of 10, so mu rises by 0.01 * 0.6667.
    expect(lines[0]).to.match(/^round 1: mu 0\.0000 -> 0\.0067, demand 10\.6667 \/ 10\.0000 \(106\.7 %\)/);
    expect(lines[1]).to.match(/^round 2: mu 0\.0067 -> /);

    // Restarted, an agent submits once in the open round and not again: it reads from the chain that it did.
    const inRound4 = async () =>
      (await ethers.provider.getLogs({ address, fromBlock: 0 }))
        .map((l) => MARKET_INTERFACE.parseLog(l)!)
        .filter((ev) => ev.name === "DemandSubmitted" && ev.args.round === 4n && ev.args.agent === agents[0].me);
    for (let restart = 0; restart < 2; restart++) {
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 300);
      const again = await runMarketAgent(agents[0].client, agents[0].me, {
        type: types[0],
        pollMs: 10,
        signal: stop.signal,
      });
      expect(again.submissions.map((s) => s.round)).to.deep.equal(restart === 0 ? [4n] : []);
      expect(again.stoppedBy).to.equal("signal");
    }
    expect(await inRound4()).to.have.length(1);
  });
});
