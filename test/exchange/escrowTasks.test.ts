import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatPluginError } from "hardhat/plugins";
import { DEFAULT_PAYOUT_TABLE } from "../../src/exchange/model/defaultTable";
import { depositsFor, payoutsFor } from "../../src/exchange/model/exchangeEscrow";
import { stateName } from "../../src/exchange/model/payoutTable";
import { type Terms, dealIdOf, escrowDomain, packTerms } from "../../src/exchange/model/terms";
import { ESCROW_INTERFACE } from "../../src/exchange/parties/abi";
import { describeRevert } from "../../src/exchange/parties/errors";
import type { ExchangeEscrow } from "../../typechain-types";
import { runTask } from "../taskOutput";

/**
 * The escrow participants' commands (tasks/escrow.ts), run in process as the command line runs them: what each
 * prints, and what it changed on chain. The default table at price 10 (tables/core-exchange-protective.json):
 * seller deposit 0.5, buyer deposit 0.2, so the seller pays in 0.5 and the buyer 10.2; the pot is 10.7.
 */
describe("escrow commands", function () {
  this.timeout(120_000);

  const ETH = ethers.parseEther;
  const ZERO = ethers.ZeroAddress;
  const PRICE = ETH("10");
  const WINDOWS = { redeemWindow: "1000", complaintWindow: "1000", faultWindow: "1000", expiry: "1h" };
  const tmp = (name: string) => path.join(os.tmpdir(), `clearhouse-escrow-${process.pid}-${name}.json`);
  const idIn = (line: string) => /(0x[0-9a-f]{64})/.exec(line)![1];
  /**
   * Time left on a fresh 1000 s window, judged at the next block (a second or so after the one that opened it):
   * 16m 40s less that, a few seconds at most on a loaded machine.
   */
  const LEFT = "16m (?:3\\d|40)s";
  /** A time as the commands print it: ISO, then how far from the chain's time (`in 16m 40s`). */
  const AT = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

  /** Runs a command; what it printed, line by line. */
  async function run(name: string, args: Record<string, unknown>): Promise<string[]> {
    return (await runTask(name, args)).split("\n");
  }

  /** A command's `--json` output. */
  const runJson = async (name: string, args: Record<string, unknown>) =>
    JSON.parse((await run(name, { ...args, json: true })).join("\n"));

  /** The one line a refused command ends with (a plugin error: Hardhat prints it alone and exits 1). */
  async function refusal(name: string, args: Record<string, unknown>): Promise<string> {
    const error = await run(name, args).then(
      (out) => expect.fail(`${name} was accepted: ${out.join(" | ")}`),
      (e: Error) => e,
    );
    expect(error).to.be.instanceOf(HardhatPluginError);
    expect(error.message).not.to.include("\n");
    return error.message;
  }

  async function deployed() {
    const [owner, burn, seller, buyer, other] = await ethers.getSigners();
    const out = await run("escrow:deploy", { burnRecipient: burn.address });
    const escrow = /^ExchangeEscrow deployed at (0x[0-9a-fA-F]{40})$/.exec(out[0])![1];
    expect(out[1]).to.equal(`  owner ${owner.address}, burn recipient ${burn.address}; default payout table: number 1`);
    const contract = (await ethers.getContractAt("ExchangeEscrow", escrow)) as unknown as ExchangeEscrow;
    const token = await (await ethers.getContractFactory("PermitToken")).deploy();
    for (const s of [seller, buyer]) await token.mint(s.address, ETH("100"));
    return { escrow, contract, token, owner, burn, seller, buyer, other };
  }

  const ethOf = (a: { address: string }) => ethers.provider.getBalance(a.address);
  /** What `who` paid in gas for the transactions it sent after block `since`. */
  async function gasSince(since: number, who: string): Promise<bigint> {
    let fees = 0n;
    for (let n = since + 1; n <= (await ethers.provider.getBlockNumber()); n++) {
      for (const hash of (await ethers.provider.getBlock(n))!.transactions) {
        const r = (await ethers.provider.getTransactionReceipt(hash))!;
        if (r.from === who) fees += r.gasUsed * r.gasPrice;
      }
    }
    return fees;
  }
  const stageOf = async (c: ExchangeEscrow, id: string) => Number((await c.deals(id)).stage);
  /** The default table's payouts at `PRICE`, from the table itself (not the escrow), as the commands print them. */
  const payoutLine = (state: number) => {
    const p = payoutsFor(DEFAULT_PAYOUT_TABLE, PRICE, state);
    const f = (x: bigint) => ethers.formatEther(x).replace(/\.0$/, "");
    return `    ${stateName(state).padEnd(9)}  ${f(p.seller)} / ${f(p.buyer)} / ${f(p.burn)}`;
  };
  /** The lines of a status listing the final states, after its header line. */
  const statesIn = (out: string[]) => {
    const at = out.findIndex((l) => /final state/.test(l) && l.endsWith("(seller / buyer / burn):"));
    return at < 0 ? [] : out.slice(at + 1).filter((l) => l.startsWith("    "));
  };

  /** A signed offer file's terms with their numbers as bigints (the file writes them as decimal strings). */
  const termsOfFile = (written: { terms: Record<string, unknown> }): Terms => {
    const t = { ...written.terms };
    for (const k of [
      "price",
      "table",
      "expiry",
      "redeemWindow",
      "complaintWindow",
      "faultWindow",
      "salt",
      "burnSetting",
    ]) {
      t[k] = BigInt(t[k] as string);
    }
    return t as unknown as Terms;
  };

  it("the default table's amounts at price 10, which the expected lines below are written with", () => {
    expect(depositsFor(DEFAULT_PAYOUT_TABLE, PRICE)).to.deep.equal({ seller: ETH("0.5"), buyer: ETH("0.2") });
    expect(payoutsFor(DEFAULT_PAYOUT_TABLE, PRICE, 4)).to.deep.equal({
      seller: ETH("10.5"),
      buyer: ETH("0.2"),
      burn: 0n,
    });
    expect(payoutsFor(DEFAULT_PAYOUT_TABLE, PRICE, 3)).to.deep.equal({
      seller: ETH("0.2"),
      buyer: ETH("10.5"),
      burn: 0n,
    });
  });

  it("escrow:deploy deploys through Ignition from the --from account, owner by default, the default table registered", async () => {
    const [first, , , , , deployer] = await ethers.getSigners();
    const nonces = [await first.getNonce(), await deployer.getNonce()];
    const d = await runJson("escrow:deploy", { from: "5" });
    const contract = (await ethers.getContractAt("ExchangeEscrow", d.escrow)) as unknown as ExchangeEscrow;
    expect([d.owner, d.burnRecipient, d.defaultTable]).to.deep.equal([deployer.address, deployer.address, "1"]);
    expect(await contract.owner()).to.equal(deployer.address);
    expect((await contract.burnSetting())[1]).to.equal(deployer.address);
    // The deployment and the table's registration were sent by account 5, none by account 0.
    expect([await first.getNonce(), await deployer.getNonce()]).to.deep.equal([nonces[0], nonces[1] + 2]);
    const t = await contract.getTable(1);
    expect([t.sellerDeposit, t.buyerDeposit, [...t.seller], [...t.buyer], t.minPrice]).to.deep.equal([
      DEFAULT_PAYOUT_TABLE.sellerDeposit,
      DEFAULT_PAYOUT_TABLE.buyerDeposit,
      DEFAULT_PAYOUT_TABLE.seller,
      DEFAULT_PAYOUT_TABLE.buyer,
      DEFAULT_PAYOUT_TABLE.minPrice,
    ]);
    expect(d.tableId).to.equal(await contract.tableIdOf(1));
  });

  it("an honest deal on chain: offer, accept, redeem, confirm, finalize; payouts by the table", async () => {
    const { escrow, contract, seller, buyer } = await loadFixture(deployed);
    const start = await ethers.provider.getBlockNumber();
    const [seller0, buyer0] = [await ethOf(seller), await ethOf(buyer)];

    let out = await run("escrow:offer", {
      ...{ escrow, from: "2", side: "seller", counterparty: buyer.address, price: "10" },
      ...WINDOWS,
    });
    const id = idIn(out[0]);
    expect(out[0]).to.equal(`Offered deal ${id} on chain: you (seller) paid 0.5 ETH (the seller deposit)`);
    expect(out[1]).to.match(
      new RegExp(
        `^  the buyer ${buyer.address} pays 10.2 ETH \\(price 10 \\+ buyer deposit 0.2\\) to take it, until ${AT} \\(in 1h\\)$`,
      ),
    );
    expect(out).to.have.length(2);
    expect(await stageOf(contract, id)).to.equal(1);
    expect(await ethers.provider.getBalance(escrow)).to.equal(ETH("0.5"));

    out = await run("escrow:accept", { escrow, id, from: "3" });
    expect(out[0]).to.equal(`Accepted deal ${id}: you (buyer) paid 10.2 ETH`);
    expect(out[1]).to.match(new RegExp(`^  stage Redeem until ${AT} \\(in ${LEFT}\\)$`));
    expect(out[2]).to.equal("  next: buyer may redeem, refund");
    expect(await stageOf(contract, id)).to.equal(2);
    expect(await ethers.provider.getBalance(escrow)).to.equal(ETH("10.7"));

    out = await run("escrow:redeem", { escrow, id, from: "3" });
    expect(out[0]).to.equal(`Redeemed deal ${id}`);
    expect(out[1]).to.match(new RegExp(`^  stage Complaint until ${AT} \\(in ${LEFT}\\)$`));
    expect(out[2]).to.equal("  next: buyer may complain, confirm");
    expect(await stageOf(contract, id)).to.equal(3);

    out = await run("escrow:confirm", { escrow, id, from: "3" });
    expect(out[0]).to.equal(`Confirmed the quality of deal ${id}`);
    expect(out.slice(2)).to.deep.equal(["  next: seller may fault, finalize"]);
    expect(await stageOf(contract, id)).to.equal(4);

    out = await run("escrow:finalize", { escrow, id, from: "2" });
    expect(out).to.deep.equal([
      `Finalized deal ${id}`,
      "  final state R-NC-NC: seller received 10.5 ETH, buyer 0.2 ETH, burn 0 ETH",
    ]);
    expect(await stageOf(contract, id)).to.equal(5);
    // On chain: each side got its payout of the table's R-NC-NC at price 10, and the escrow holds nothing.
    const p = payoutsFor(DEFAULT_PAYOUT_TABLE, PRICE, 4);
    const d = depositsFor(DEFAULT_PAYOUT_TABLE, PRICE);
    expect(await ethOf(seller)).to.equal(seller0 - d.seller + p.seller - (await gasSince(start, seller.address)));
    expect(await ethOf(buyer)).to.equal(buyer0 - d.buyer - PRICE + p.buyer - (await gasSince(start, buyer.address)));
    expect(await ethers.provider.getBalance(escrow)).to.equal(0n);
  });

  it("a signed offer through a file: the buyer signs and funds, the seller opens it, anyone finalizes late", async () => {
    const { escrow, contract, seller, buyer, other } = await loadFixture(deployed);
    const file = tmp("signed");
    const before = await ethers.provider.getBlockNumber();
    let out = await run("escrow:offer", {
      ...{ escrow, from: "3", side: "buyer", counterparty: seller.address, price: "10", signed: file },
      ...WINDOWS,
    });
    const id = idIn(out[0]);
    expect(out[0]).to.equal(`Signed offer ${id} written to ${file}: you (buyer) paid nothing yet`);
    expect(out[1]).to.equal(
      "  your part, 10.2 ETH (price 10 + buyer deposit 0.2), is taken from your balance in the escrow " +
        "(0 ETH now: deposit at least 10.2 ETH more with escrow:deposit) when it is opened",
    );
    expect(out[2]).to.match(
      new RegExp(`^  the seller ${seller.address} pays 0.5 ETH \\(the seller deposit\\) to take it`),
    );
    expect(await ethers.provider.getBlockNumber()).to.equal(before); // signing sends nothing
    const written = JSON.parse(fs.readFileSync(file, "utf8"));
    expect([written.kind, written.escrow, written.chainId, written.id]).to.deep.equal([
      "ExchangeEscrow signed offer",
      escrow,
      "31337",
      id,
    ]);
    expect([written.terms.seller, written.terms.buyer, written.terms.price, written.terms.sellerOffers]).to.deep.equal([
      seller.address,
      buyer.address,
      PRICE.toString(),
      false,
    ]);
    // The id is the escrow's own hash of the terms in the file.
    expect(await contract.dealId(packTerms(termsOfFile(written)))).to.equal(id);

    expect(await run("escrow:deposit", { escrow, from: "3", amount: "10.2" })).to.deep.equal([
      "Deposited 10.2 ETH: your balance in the escrow is now 10.2 ETH",
    ]);
    expect(await contract.balances(buyer.address, ZERO)).to.equal(ETH("10.2"));
    // Before it opens, the deal is known by its file only: the seller may open it, the buyer cancel it.
    out = await run("escrow:status", { escrow, file, from: "2" });
    expect(out.slice(0, 2)).to.deep.equal([
      `Deal ${id}: a signed offer of the buyer, not opened`,
      `  seller ${seller.address} (you), buyer ${buyer.address}`,
    ]);
    expect(out[4]).to.match(new RegExp(`^  stage None \\(signed, not opened\\) until ${AT} \\(in (1h|59m \\d+s)\\)$`));
    expect(out[5]).to.equal("  next: seller may accept; buyer may cancel");
    expect(statesIn(out)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7].map(payoutLine));
    expect(out.at(-1)).to.equal("  events: none");

    const opened = await ethers.provider.getBlockNumber();
    const seller0 = await ethOf(seller);
    out = await run("escrow:accept", { escrow, file, from: "2" });
    expect(out[0]).to.equal(
      `Opened deal ${id}: you (seller) paid 0.5 ETH; the buyer's 10.2 ETH came from its balance in the escrow`,
    );
    expect(out[2]).to.equal("  next: buyer may redeem, refund");
    expect(await contract.balances(buyer.address, ZERO)).to.equal(0n);
    expect(await ethers.provider.getBalance(escrow)).to.equal(ETH("10.7"));
    expect(await ethOf(seller)).to.equal(seller0 - ETH("0.5") - (await gasSince(opened, seller.address)));

    out = await run("escrow:redeem", { escrow, id, from: "3", confirm: true });
    expect(out[0]).to.equal(`Redeemed and confirmed the quality of deal ${id}`);
    expect(out[1]).to.match(new RegExp(`^  stage Fault until ${AT} \\(in ${LEFT}\\)$`));
    expect(out[2]).to.equal("  next: seller may fault, finalize");

    // The seller lets its fault window pass: the deal is due final, and anyone may finalize it.
    await time.increase(1000);
    out = await run("escrow:status", { escrow, id });
    expect(out).to.include("  stage Final (stored: Fault; the next call closes the windows passed)");
    expect(out).to.include("  next: anyone may finalize");
    expect(out).to.include("  messages: redeem, quality confirmed");
    expect(statesIn(out)).to.deep.equal([payoutLine(4)]);
    const [s1, b1, o1] = [await ethOf(seller), await ethOf(buyer), await ethOf(other)];
    const late = await ethers.provider.getBlockNumber();
    out = await run("escrow:finalize", { escrow, id, from: "4" });
    expect(out).to.deep.equal([
      `Finalized deal ${id}`,
      "  final state R-NC-NC: seller received 10.5 ETH, buyer 0.2 ETH, burn 0 ETH",
    ]);
    expect([await ethOf(seller), await ethOf(buyer)]).to.deep.equal([s1 + ETH("10.5"), b1 + ETH("0.2")]);
    expect(await ethers.provider.getBalance(escrow)).to.equal(0n);
    expect(await ethOf(other)).to.equal(o1 - (await gasSince(late, other.address))); // the finalizer pays its gas only
  });

  it("a token deal signed with a permit, and a signed offer cancelled before it opens", async () => {
    const { escrow, contract, token, seller, buyer } = await loadFixture(deployed);
    const asset = await token.getAddress();
    const [file, cancelled] = [tmp("permit"), tmp("cancelled")];
    const offer = { escrow, from: "2", side: "seller", counterparty: buyer.address, price: "10", asset, ...WINDOWS };
    let out = await run("escrow:offer", { ...offer, signed: file, permit: true });
    const id = idIn(out[0]);
    expect(out[1]).to.equal(
      `  your part, 0.5 token ${asset} (the seller deposit), is taken from your wallet, by the permit in the file, ` +
        "when it is opened",
    );
    expect(JSON.parse(fs.readFileSync(file, "utf8")).permit.deadline).to.be.a("string");

    out = await run("escrow:accept", { escrow, file, from: "3" });
    expect(out[0]).to.equal(
      `Opened deal ${id}: you (buyer) paid 10.2 token ${asset}; the seller's 0.5 token ${asset} came from its wallet (permit)`,
    );
    expect(await stageOf(contract, id)).to.equal(2);
    expect([await token.balanceOf(seller), await token.balanceOf(buyer), await token.balanceOf(escrow)]).to.deep.equal([
      ETH("99.5"),
      ETH("89.8"),
      ETH("10.7"),
    ]);

    out = await run("escrow:offer", { ...offer, asset: "ETH", signed: cancelled });
    const cancelledId = idIn(out[0]);
    expect(await run("escrow:cancel", { escrow, file: cancelled, from: "2" })).to.deep.equal([
      `Cancelled signed offer ${cancelledId}: it can no longer be opened`,
    ]);
    expect(await stageOf(contract, cancelledId)).to.equal(6);
    expect(await refusal("escrow:accept", { escrow, file: cancelled, from: "3" })).to.equal(
      `escrow:accept: escrow client: acceptSigned reverted: DealExists(${cancelledId})`,
    );
  });

  it("judges a deal by the next block's time, not the latest block's: an idle node's windows have passed", async () => {
    const { escrow, buyer } = await loadFixture(deployed);
    const id = idIn(
      (
        await run("escrow:offer", {
          ...{ escrow, from: "2", side: "seller", counterparty: buyer.address, price: "10" },
          ...WINDOWS,
        })
      )[0],
    );
    await run("escrow:accept", { escrow, id, from: "3" });
    // Nothing mined for 1,500 s: the latest block still says Redeem, the next one will be in the complaint window.
    const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
    await ethers.provider.send("evm_setNextBlockTimestamp", [latest + 1500]);
    const status = await runJson("escrow:status", { escrow, id });
    expect([status.status.stage, status.status.due.stage]).to.deep.equal(["Redeem", "Complaint"]);
    expect(status.next.buyer).to.not.include("redeem");
    expect(await refusal("escrow:redeem", { escrow, id, from: "3" })).to.equal(
      "escrow:redeem: escrow client: redeem reverted: WrongStage(2, 3)",
    );
  });

  it("a dispute: refund asked, complaint, fault admitted; status shows the reachable states shrinking", async () => {
    const { escrow, contract, seller, buyer } = await loadFixture(deployed);
    let out = await run("escrow:offer", {
      ...{ escrow, from: "2", side: "seller", counterparty: buyer.address, price: "10" },
      ...WINDOWS,
    });
    const id = idIn(out[0]);
    const all = [0, 1, 2, 3, 4, 5, 6, 7].map(payoutLine);

    out = await run("escrow:status", { escrow, id });
    expect(out[0]).to.equal(`Deal ${id}: offered on chain by the seller, not accepted`);
    expect(out[1]).to.equal(`  seller ${seller.address}, buyer ${buyer.address}`);
    expect(out[2]).to.equal("  price 10 ETH; table 1: seller deposit 0.5, buyer deposit 0.2");
    expect(out[3]).to.match(
      /^ {2}windows: redeem 16m 40s, complaint 16m 40s, fault 16m 40s; offer expiry .*; burn setting 0; salt \d+$/,
    );
    // The expiry counts from the block before the offer's (wall-clock time may have moved a second since).
    expect(out[4]).to.match(new RegExp(`^  stage Offered until ${AT} \\(in (1h|59m \\d+s)\\)$`));
    expect(out[5]).to.equal("  next: seller may cancel; buyer may accept");
    expect(statesIn(out)).to.deep.equal(all);
    expect(out.at(-1)).to.equal(`  events: Offered (block ${await ethers.provider.getBlockNumber()})`);

    await run("escrow:accept", { escrow, id, from: "3" });
    out = await run("escrow:status", { escrow, id, from: "3" });
    expect(out.slice(0, 2)).to.deep.equal([
      `Deal ${id}: offered on chain by the seller, accepted`,
      `  seller ${seller.address}, buyer ${buyer.address} (you)`,
    ]);
    expect(out[4]).to.match(new RegExp(`^  stage Redeem until ${AT} \\(in ${LEFT}\\)$`));
    // Three windows of 1000 s each, all left to pass: anyone may end it 3000 s after it opened (50m from that
    // block; judged at the next block, a second or so less).
    expect(out[6]).to.match(new RegExp(`^  if nobody moves, anyone may finalize from ${AT} \\(in 4\\dm \\d+s\\)$`));
    expect(statesIn(out)).to.deep.equal(all);

    out = await run("escrow:refund", { escrow, id, from: "3" });
    expect(out[0]).to.equal(`Asked for a refund on deal ${id}`);
    expect(out[2]).to.equal("  next: buyer may complain, confirm");
    out = await run("escrow:status", { escrow, id });
    expect(out).to.include("  messages: refund requested");
    expect(out[6]).to.match(
      new RegExp(`^  if nobody moves, anyone may finalize from ${AT} \\(in 33m (?:1\\d|20)s\\)$`),
    );
    expect(statesIn(out)).to.deep.equal([0, 1, 2, 3].map(payoutLine)); // no redeem any more: the RfE states

    out = await run("escrow:complain", { escrow, id, from: "3" });
    expect(out[0]).to.equal(`Complained about deal ${id}`);
    expect(out[2]).to.equal("  next: seller may fault, finalize");
    const status = await runJson("escrow:status", { escrow, id });
    expect(status.reachable).to.deep.equal([
      { index: 2, state: "RfE-C-NC", seller: "0", buyer: "0", burn: ETH("10.7").toString() },
      { index: 3, state: "RfE-C-CF", seller: ETH("0.2").toString(), buyer: ETH("10.5").toString(), burn: "0" },
    ]);
    expect(status.next).to.deep.equal({ seller: ["fault", "finalize"], buyer: [], anyone: [] });
    expect([status.status.stage, status.status.due.stage]).to.deep.equal(["Fault", "Fault"]);

    const [seller0, buyer0] = [await ethOf(seller), await ethOf(buyer)];
    const faulted = await ethers.provider.getBlockNumber();
    out = await run("escrow:fault", { escrow, id, from: "2" });
    expect(out).to.deep.equal([
      `Admitted fault on deal ${id}`,
      "  final state RfE-C-CF: seller received 0.2 ETH, buyer 10.5 ETH, burn 0 ETH",
    ]);
    // The buyer is made whole (price and deposit back); the seller keeps 0.2 of its 0.5 deposit.
    const p = payoutsFor(DEFAULT_PAYOUT_TABLE, PRICE, 3);
    expect(await ethOf(buyer)).to.equal(buyer0 + p.buyer);
    expect(await ethOf(seller)).to.equal(seller0 + p.seller - (await gasSince(faulted, seller.address)));
    expect(await stageOf(contract, id)).to.equal(5);
    out = await run("escrow:status", { escrow, id });
    expect(out).to.include("  messages: refund requested, complaint, fault admitted");
    expect(statesIn(out)).to.deep.equal([payoutLine(3)]);
    expect(out.at(-1)).to.match(
      /^ {2}events: Offered \(block \d+\), Opened .*RefundRequested .*Complained .*Faulted .*Finalized/,
    );
  });

  it("withdraws an unaccepted offer, and lists each account's deals", async () => {
    const { escrow, contract, seller, buyer, other } = await loadFixture(deployed);
    const offer = { escrow, side: "seller", counterparty: buyer.address, price: "10", ...WINDOWS };
    const first = idIn((await run("escrow:offer", { ...offer, from: "2" }))[0]);
    const second = idIn((await run("escrow:offer", { ...offer, from: "2" }))[0]);
    await run("escrow:accept", { escrow, id: first, from: "3" });
    const third = idIn(
      (await run("escrow:offer", { ...offer, from: "4", side: "buyer", counterparty: seller.address }))[0],
    );

    const before = await ethOf(seller);
    const at = await ethers.provider.getBlockNumber();
    expect(await run("escrow:cancel", { escrow, id: second, from: "2" })).to.deep.equal([
      `Withdrew offer ${second}: 0.5 ETH refunded to you`,
    ]);
    expect(await ethOf(seller)).to.equal(before + ETH("0.5") - (await gasSince(at, seller.address)));
    expect(await stageOf(contract, second)).to.equal(6);
    expect((await run("escrow:status", { escrow, id: second })).slice(0, 1)).to.deep.equal([
      `Deal ${second}: offered on chain by the seller, withdrawn`,
    ]);

    expect(await run("escrow:deals", { escrow, from: "2" })).to.deep.equal([
      `3 deal(s) of ${seller.address}:`,
      `  ${first}  seller  offer   Redeem     10 ETH`,
      `  ${second}  seller  offer   Withdrawn  10 ETH`,
      `  ${third}  seller  offer   Offered    10 ETH`,
    ]);
    const ofOther = await runJson("escrow:deals", { escrow, account: other.address });
    expect(ofOther.deals.map((d: { id: string; role: string }) => [d.id, d.role])).to.deep.equal([[third, "buyer"]]);
    expect(await run("escrow:deals", { escrow, from: "5" })).to.deep.equal([
      `No deals of ${(await ethers.getSigners())[5].address} on escrow ${escrow}`,
    ]);
  });

  it("a refusal reads the same from a Hardhat node over JSON-RPC (--network localhost) as in process", () => {
    // The node's error carries the revert data as `data.data`, beside its own wording of the error.
    const data = ESCROW_INTERFACE.encodeErrorResult("InsufficientBalance", [ZERO, ZERO, 5n, 0n]);
    const fromNode = Object.assign(new Error("VM Exception while processing transaction: reverted with custom error"), {
      code: -32603,
      data: { message: `reverted with custom error 'InsufficientBalance("${ZERO}", "${ZERO}", 5, 0)'`, data },
    });
    expect(describeRevert(fromNode)).to.equal(`InsufficientBalance(${ZERO}, ${ZERO}, 5, 0)`);
  });

  describe("a refused command prints one line naming the cause, and changes nothing", () => {
    /** An accepted deal (`open`, in its redeem window), an on-chain offer expiring in 500 s (`pending`), and a
     * seller's signed offer file whose seller has no balance in the escrow (`file`). */
    async function withDeals() {
      const f = await loadFixture(deployed);
      const offer = { escrow: f.escrow, from: "2", side: "seller", counterparty: f.buyer.address, price: "10" };
      const open = idIn((await run("escrow:offer", { ...offer, ...WINDOWS }))[0]);
      await run("escrow:accept", { escrow: f.escrow, id: open, from: "3" });
      const pending = idIn((await run("escrow:offer", { ...offer, ...WINDOWS, expiry: "500" }))[0]);
      const file = tmp("unfunded");
      const signed = idIn((await run("escrow:offer", { ...offer, ...WINDOWS, signed: file }))[0]);
      return { ...f, open, pending, file, signed };
    }
    type Deals = Awaited<ReturnType<typeof withDeals>>;

    /** What a command could change: a block mined, the escrow's ETH, the deals' stages, the parties' balances. */
    const fingerprint = async (f: Deals) => ({
      block: await ethers.provider.getBlockNumber(),
      escrowEth: await ethers.provider.getBalance(f.escrow),
      stages: await Promise.all([f.open, f.pending, f.signed].map((id) => stageOf(f.contract, id))),
      balances: await Promise.all([f.seller, f.buyer].map((a) => f.contract.balances(a.address, ZERO))),
    });
    async function refused(f: Deals, cases: [string, Record<string, unknown>, string][]) {
      for (const [name, args, message] of cases) {
        const before = await fingerprint(f);
        expect(await refusal(name, { escrow: f.escrow, ...args })).to.equal(message);
        expect(await fingerprint(f)).to.deep.equal(before, `${name} changed the chain`);
      }
    }

    it("a malformed flag: named, with why", async () => {
      const f = await loadFixture(withDeals);
      const offer = { from: "2", side: "seller", counterparty: f.buyer.address, price: "10", ...WINDOWS };
      const file = tmp("below-minimum");
      await refused(f, [
        [
          "escrow:offer",
          { ...offer, price: "ten" },
          "escrow:offer: --price: expected a non-negative decimal number with at most 18 decimals (e.g. 12.5)",
        ],
        ["escrow:offer", { ...offer, price: "0" }, "escrow:offer: --price: the price must be positive"],
        ["escrow:offer", { ...offer, side: "middle" }, "escrow:offer: --side: expected seller or buyer"],
        [
          "escrow:offer",
          { ...offer, counterparty: "0x12" },
          "escrow:offer: --counterparty: not an address (0x and 40 hex digits)",
        ],
        [
          "escrow:offer",
          { ...offer, counterparty: f.seller.address },
          "escrow:offer: --counterparty: is the acting account (--from) itself",
        ],
        [
          "escrow:offer",
          { ...offer, expiry: "soon" },
          "escrow:offer: --expiry: expected a duration: seconds, or a number with a unit s, m, h or d (e.g. 90, 15m, 3d)",
        ],
        ["escrow:offer", { ...offer, redeemWindow: "0d" }, "escrow:offer: --redeem-window: must be at least 1 second"],
        [
          "escrow:offer",
          { ...offer, asset: "BTC" },
          "escrow:offer: --asset: expected ETH or a token's address (0x and 40 hex digits)",
        ],
        [
          "escrow:offer",
          { ...offer, permit: true },
          "escrow:offer: --permit: needs --signed and a token --asset (a permit pays a token from the wallet)",
        ],
        ["escrow:offer", { ...offer, table: "0" }, "escrow:offer: --table: expected a table number (from 1)"],
        [
          "escrow:offer",
          { ...offer, table: "7" },
          "escrow:offer: escrow client: table 7, burn setting 0: no table 7 is registered",
        ],
        // 100 wei: below the default table's smallest safe price (150), refused by the escrow on chain ...
        [
          "escrow:offer",
          { ...offer, price: "0.0000000000000001" },
          "escrow:offer: escrow client: offer reverted: PriceBelowMinimum(100, 150)",
        ],
        // ... and by the library before it signs (the escrow would only refuse it when opened).
        [
          "escrow:offer",
          { ...offer, price: "0.0000000000000001", signed: file },
          "escrow:offer: escrow client: terms.price: 100 is below table 1's minimum price 150 (the escrow would refuse to open it)",
        ],
        [
          "escrow:accept",
          { id: f.pending, file: f.file, from: "3" },
          "escrow:accept: give exactly one of --id (an on-chain offer) and --file (a signed offer file)",
        ],
        ["escrow:status", {}, "escrow:status: give exactly one of --id (a deal) and --file (a signed offer file)"],
        [
          "escrow:redeem",
          { id: "0x1234", from: "3" },
          "escrow:redeem: --id: expected a deal id (0x and 64 hex digits)",
        ],
        ["escrow:deposit", { amount: "0", from: "3" }, "escrow:deposit: --amount: the amount must be positive"],
        [
          "escrow:deposit",
          { amount: "1", from: "999" },
          "escrow:deposit: --from: account 999 does not exist (network has 210)",
        ],
        [
          "escrow:deposit",
          { amount: "1", from: f.escrow },
          `escrow:deposit: --from: ${f.escrow} is not an account of network "hardhat"`,
        ],
        ["escrow:deals", { account: "me" }, "escrow:deals: --account: not an address (0x and 40 hex digits)"],
        [
          "escrow:status",
          { escrow: "0x1234", id: f.open },
          "escrow:status: --escrow: not an address (0x and 40 hex digits): 0x1234",
        ],
        [
          "escrow:status",
          { escrow: f.buyer.address, id: f.open },
          `escrow:status: --escrow: no contract at ${f.buyer.address} on network "hardhat"`,
        ],
        [
          "escrow:status",
          { escrow: undefined, id: f.open },
          'escrow:status: --escrow: no address given and no Ignition deployment of it on network "hardhat"',
        ],
      ]);
      expect(fs.existsSync(file)).to.equal(false);
    });

    it("an unknown deal, or a party that is not the deal's", async () => {
      const f = await loadFixture(withDeals);
      const unknown = `0x${"0".repeat(63)}1`;
      const { seller, buyer } = f;
      await refused(f, [
        [
          "escrow:redeem",
          { id: unknown, from: "3" },
          `escrow:redeem: escrow client: no deal ${unknown} was offered or opened on escrow ${f.escrow}`,
        ],
        [
          "escrow:status",
          { id: unknown },
          `escrow:status: escrow client: no deal ${unknown} was offered or opened on escrow ${f.escrow}`,
        ],
        // A signed offer nobody opened has no event: it is named by its file.
        [
          "escrow:cancel",
          { id: f.signed, from: "2" },
          `escrow:cancel: escrow client: no deal ${f.signed} was offered or opened on escrow ${f.escrow}`,
        ],
        [
          "escrow:redeem",
          { id: f.open, from: "2" },
          `escrow:redeem: escrow client: ${seller.address} is not the buyer of these terms (${buyer.address})`,
        ],
        [
          "escrow:complain",
          { id: f.open, from: "4" },
          `escrow:complain: escrow client: ${f.other.address} is not the buyer of these terms (${buyer.address})`,
        ],
        [
          "escrow:fault",
          { id: f.open, from: "3" },
          `escrow:fault: escrow client: ${buyer.address} is not the seller of these terms (${seller.address})`,
        ],
        [
          "escrow:accept",
          { id: f.pending, from: "2" },
          `escrow:accept: escrow client: ${seller.address} is not the counterparty of these terms (${buyer.address})`,
        ],
        [
          "escrow:accept",
          { file: f.file, from: "4" },
          `escrow:accept: escrow client: ${f.other.address} is not the counterparty of these terms (${buyer.address})`,
        ],
        [
          "escrow:cancel",
          { id: f.pending, from: "3" },
          `escrow:cancel: escrow client: ${buyer.address} is not the offerer of these terms (${seller.address})`,
        ],
      ]);
    });

    it("out of turn: a message in another window, an offer taken twice or cancelled once accepted", async () => {
      const f = await loadFixture(withDeals);
      await refused(f, [
        [
          "escrow:fault",
          { id: f.open, from: "2" },
          "escrow:fault: escrow client: cancelOrFault reverted: WrongStage(4, 2)",
        ],
        [
          "escrow:complain",
          { id: f.open, from: "3" },
          "escrow:complain: escrow client: complain reverted: WrongStage(3, 2)",
        ],
        [
          "escrow:finalize",
          { id: f.open, from: "2" },
          "escrow:finalize: escrow client: finalize reverted: WrongStage(5, 2)",
        ],
        ["escrow:accept", { id: f.open, from: "3" }, "escrow:accept: escrow client: accept reverted: WrongStage(1, 2)"],
        [
          "escrow:cancel",
          { id: f.open, from: "2" },
          "escrow:cancel: escrow client: withdrawOffer reverted: WrongStage(1, 2)",
        ],
      ]);
    });

    it("an expired window or offer: the escrow's error", async () => {
      const f = await loadFixture(withDeals);
      await time.increase(1000); // past the open deal's redeem window and the pending offer's expiry
      const { terms } = await runJson("escrow:status", { escrow: f.escrow, id: f.pending });
      await refused(f, [
        ["escrow:redeem", { id: f.open, from: "3" }, "escrow:redeem: escrow client: redeem reverted: WrongStage(2, 3)"],
        [
          "escrow:refund",
          { id: f.open, from: "3" },
          "escrow:refund: escrow client: requestRefund reverted: WrongStage(2, 3)",
        ],
        [
          "escrow:accept",
          { id: f.pending, from: "3" },
          `escrow:accept: escrow client: accept reverted: OfferExpired(${f.pending}, ${terms.expiry})`,
        ],
      ]);
      // The pending offer expired, and its seller can still take its deposit back.
      const out = await run("escrow:status", { escrow: f.escrow, id: f.pending });
      expect(out).to.include("  next: seller may cancel");
      expect(out).to.include("  no final state is reachable");
    });

    it("an insufficient balance: the escrow's error", async () => {
      const f = await loadFixture(withDeals);
      await refused(f, [
        [
          "escrow:withdraw",
          { amount: "1", from: "3" },
          `escrow:withdraw: escrow client: withdraw reverted: InsufficientBalance(${f.buyer.address}, ${ZERO}, ${ETH("1")}, 0)`,
        ],
        // The seller signed without funding its part (0.5) in the escrow.
        [
          "escrow:accept",
          { file: f.file, from: "3" },
          `escrow:accept: escrow client: acceptSigned reverted: InsufficientBalance(${f.seller.address}, ${ZERO}, ${ETH("0.5")}, 0)`,
        ],
      ]);
      // Funded with less than its part, still refused; the balance stays.
      await run("escrow:deposit", { escrow: f.escrow, amount: "0.4", from: "2" });
      await refused(f, [
        [
          "escrow:accept",
          { file: f.file, from: "3" },
          `escrow:accept: escrow client: acceptSigned reverted: InsufficientBalance(${f.seller.address}, ${ZERO}, ${ETH("0.5")}, ${ETH("0.4")})`,
        ],
        [
          "escrow:withdraw",
          { amount: "0.5", from: "2" },
          `escrow:withdraw: escrow client: withdraw reverted: InsufficientBalance(${f.seller.address}, ${ZERO}, ${ETH("0.5")}, ${ETH("0.4")})`,
        ],
      ]);
      expect(await run("escrow:withdraw", { escrow: f.escrow, amount: "0.4", from: "2" })).to.deep.equal([
        "Withdrew 0.4 ETH: your balance in the escrow is now 0 ETH",
      ]);
    });

    it("a signed offer file that is missing, not JSON, altered, or for another escrow", async () => {
      const f = await loadFixture(withDeals);
      const written = JSON.parse(fs.readFileSync(f.file, "utf8"));
      const write = (name: string, content: unknown) => {
        const p = tmp(name);
        fs.writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
        return p;
      };
      const cheaper = { ...written, terms: { ...written.terms, price: ETH("1").toString() } };
      const cheaperId = dealIdOf(escrowDomain(31337n, f.escrow), termsOfFile(cheaper));
      const missing = path.join(os.tmpdir(), `clearhouse-none-${process.pid}.json`);
      // JSON.parse's own words (they differ between Node versions).
      const whyNotJson = (text: string) => {
        try {
          JSON.parse(text);
        } catch (e) {
          return (e as Error).message;
        }
        throw new Error(`${text} is JSON`);
      };
      await refused(f, [
        [
          "escrow:accept",
          { file: missing, from: "3" },
          `escrow:accept: --file: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'`,
        ],
        [
          "escrow:accept",
          { file: write("not-json", "{ terms"), from: "3" },
          `escrow:accept: --file: ${tmp("not-json")} is not JSON: ${whyNotJson("{ terms")}`,
        ],
        [
          "escrow:accept",
          { file: write("not-offer", { kind: "x" }), from: "3" },
          'escrow:accept: escrow client: signed offer.kind: expected "ExchangeEscrow signed offer": not a signed offer file',
        ],
        [
          "escrow:accept",
          { file: write("bad-price", { ...written, terms: { ...written.terms, price: "-1" } }), from: "3" },
          "escrow:accept: escrow client: signed offer.terms.price: expected a decimal integer",
        ],
        [
          "escrow:accept",
          { file: write("altered", cheaper), from: "3" },
          `escrow:accept: escrow client: signed offer ${f.signed}: its terms hash to ${cheaperId}: the file was altered`,
        ],
        [
          "escrow:accept",
          { file: write("elsewhere", { ...written, escrow: f.buyer.address }), from: "3" },
          `escrow:accept: escrow client: signed offer ${f.signed}: signed for escrow ${f.buyer.address} on chain 31337, not ${f.escrow} on chain 31337`,
        ],
        [
          "escrow:cancel",
          { file: write("other-chain", { ...written, chainId: "1" }), from: "2" },
          `escrow:cancel: escrow client: signed offer ${f.signed}: signed for escrow ${f.escrow} on chain 1, not ${f.escrow} on chain 31337`,
        ],
      ]);
    });
  });
});
