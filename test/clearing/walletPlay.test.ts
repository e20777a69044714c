import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { vars } from "hardhat/config";
import { HDNodeWallet, Wallet, parseEther, parseUnits } from "ethers";
import type { ClearingMarket, MockERC20, PermitToken } from "../../typechain-types";
import { type ChainPlayRequest, playOnChain } from "../../src/clearing/experiments/chainPlay";
import { playWithWallets } from "../../src/clearing/experiments/walletPlay";
import { recoverFromMarket } from "../../src/clearing/chain/recovery";
import { type ChainEnv, chainEnv, deployClearingMarket } from "../../src/hardhat/adapter";
import { WALLET_GAS, deriveWallets, sweepWallets } from "../../src/chain/wallets";
import { fundWallets, planFunding } from "../../src/chain/funding";
import {
  AGENT_MNEMONIC_VAR,
  agentMnemonic,
  readWalletStore,
  updateWalletStore,
  walletStorePath,
} from "../../src/common/walletStore";
import { fetchDecodedLogs } from "../../src/chain/logs";
import { MARKET_INTERFACE } from "../../src/clearing/parties/abi";
import { reserveFor } from "../../src/clearing/model/settlement";
import { gasPaid } from "../gasPaid";
import { runTask } from "../taskOutput";

/**
 * Agents from one funded key on the in-process network: HD wallets derived from a mnemonic, funded within a budget,
 * played, recovered from the market and swept back. A one-key network is simulated by handing the libraries only
 * the first signer. Every balance is checked to the wei: the funder ends with what it had less the gas it and its
 * agents paid (the market's charges come back to it as the market's fee and revenue recipient).
 */
/** A fixed mnemonic (BIP-39's test vector, not the development one): these wallets hold nothing until funded here. */
const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The sum of the fees and revenue the market's `Settled` events booked. */
async function chargesBooked(market: string): Promise<bigint> {
  const logs = await fetchDecodedLogs(ethers.provider, market, MARKET_INTERFACE);
  return logs
    .filter((l) => l.name === "Settled")
    .reduce((s, l) => s + (l.args.fee as bigint) + (l.args.revenue as bigint), 0n);
}

describe("Agent wallets from one funded key (in-process network)", function () {
  this.timeout(300_000);
  let env: ChainEnv;
  /** The network as a testnet user has it: one key. */
  let oneKey: ChainEnv;
  let tmp: string;

  before(async () => {
    env = await chainEnv(hre);
    oneKey = { ...env, signers: [env.signers[0]] };
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "clearhouse-wallets-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe("derivation and the mnemonic", () => {
    it("derives the same wallets every time, at m/44'/60'/0'/0/1000 + i, away from the funded indices", async () => {
      const a = deriveWallets(MNEMONIC, 4);
      expect(a.map((w) => w.address)).to.deep.equal(deriveWallets(MNEMONIC, 4).map((w) => w.address));
      expect(a.map((w) => w.path)).to.deep.equal([1000, 1001, 1002, 1003].map((i) => `m/44'/60'/0'/0/${i}`));
      expect(a[2].address).to.equal(HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0/1002").address);
      // Even from the development mnemonic, none is one of the 210 funded accounts of the in-process network.
      const dev = new Set(deriveWallets(DEV_MNEMONIC, 50).map((w) => w.address));
      expect(env.signers.filter((s) => dev.has(s.address))).to.deep.equal([]);
      // Where it would collide, the funding refuses before reading anything else.
      const colliding = deriveWallets(DEV_MNEMONIC, 2, { provider: ethers.provider, firstIndex: 0 });
      await expectRefusal(
        planFunding(ethers.provider, { funder: env.signers[0], wallets: colliding, needs: { value: 0n, gas: 0n } }),
        `agent wallet 0 is the funder ${env.signers[0].address}: use another mnemonic or index`,
      );
      expect(() => deriveWallets("not a mnemonic at all", 1)).to.throw(
        "the agents' mnemonic is not a valid BIP-39 phrase",
      );
    });

    it("takes the configured mnemonic, else generates one once into a 0600 file outside the repository", () => {
      const file = walletStorePath(31337n, path.join(tmp, "store"));
      expect(agentMnemonic({ configured: MNEMONIC, file, create: true })).to.deep.equal({
        phrase: MNEMONIC,
        source: "configured",
        file,
      });
      // A configured mnemonic is never copied into the file.
      expect(fs.existsSync(file)).to.equal(false);
      expect(() => agentMnemonic({ file, create: false })).to.throw(
        `no agent mnemonic: set the configuration variable ${AGENT_MNEMONIC_VAR}`,
      );
      const generated = agentMnemonic({ file, create: true });
      expect(generated.source).to.equal("generated");
      expect(generated.phrase.split(" ")).to.have.length(12);
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).to.equal(0o700);
      expect(agentMnemonic({ file, create: true })).to.deep.equal({ ...generated, source: "saved" });
      // Recording the markets keeps the phrase, and the mode.
      updateWalletStore(file, (s) => ({ ...s, count: 3, markets: ["0x0000000000000000000000000000000000000001"] }));
      expect(readWalletStore(file)).to.deep.equal({
        mnemonic: generated.phrase,
        count: 3,
        markets: ["0x0000000000000000000000000000000000000001"],
      });
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(() => agentMnemonic({ configured: "one two three", file, create: true })).to.throw(
        `configuration variable ${AGENT_MNEMONIC_VAR} is not a valid BIP-39 mnemonic`,
      );
    });
  });

  describe("funding", () => {
    const fee = parseUnits("10", "gwei");
    const needs = { value: parseEther("1"), gas: 100_000n };
    // Each wallet: 1 ETH + (100,000 + its sweep's 21,000 gas) at 10 gwei = 1.00121 ETH.
    const each = parseEther("1") + 121_000n * fee;

    it("refuses a short budget, a short funder and a funder short of the token, before sending anything", async () => {
      const wallets = deriveWallets(MNEMONIC, 3, { provider: ethers.provider, firstIndex: 2000 });
      const funder = env.signers[0];
      const block = await ethers.provider.getBlockNumber();
      const nonce = await funder.getNonce();
      await expectRefusal(
        fundWallets(ethers.provider, { funder, wallets, needs, budget: parseEther("3"), maxFeePerGas: fee }),
        "budget 3 ETH is short: 3 agent wallets need 3.00363 ETH (1.00121 each: 1 deposit + 0.00121 gas at up to " +
          "10.0 gwei)",
      );
      // A funder with 1 ETH: the wallets need 3.00363, its own three transfers 3 x 21,000 gas at 10 gwei.
      const poor = Wallet.createRandom(ethers.provider);
      await (await funder.sendTransaction({ to: poor.address, value: parseEther("1") })).wait();
      await expectRefusal(
        fundWallets(ethers.provider, { funder: poor, wallets, needs, maxFeePerGas: fee }),
        `funder ${poor.address} holds 1.0 ETH; the run needs 3.00426 ETH (3.00363 for 3 agent wallets, ` +
          "0.00063 for its own transactions)",
      );
      const token = (await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 18)) as MockERC20;
      const address = await token.getAddress();
      await expectRefusal(
        fundWallets(ethers.provider, {
          funder,
          wallets,
          needs: { ...needs, token: { address, amount: parseEther("10") } },
          maxFeePerGas: fee,
        }),
        `funder ${funder.address} holds 0 of token ${address}; 3 agent wallets need 30 of token ${address}`,
      );
      // Nothing was sent: the funder's only transactions are the two this test made.
      expect(await funder.getNonce()).to.equal(nonce + 2);
      expect(await ethers.provider.getBlockNumber()).to.equal(block + 2);
      for (const w of wallets) expect(await ethers.provider.getBalance(w.address)).to.equal(0n);
      expect(each * 3n).to.equal(parseEther("3.00363"));
    });

    it("a token without permits: tops up, each wallet approves; a re-run only refills the gas; the sweep returns all", async () => {
      const wallets = deriveWallets(MNEMONIC, 3, { provider: ethers.provider, firstIndex: 3000 });
      const funder = env.signers[0];
      const spender = env.signers[9].address;
      const token = (await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 18)) as MockERC20;
      const address = await token.getAddress();
      await (await token.mint(funder.address, parseEther("100"))).wait();
      // One wallet already holds part of its needs: it gets only the rest.
      await (await token.transfer(wallets[1].address, parseEther("4"))).wait();
      await (await funder.sendTransaction({ to: wallets[1].address, value: parseEther("0.5") })).wait();
      const start = await ethers.provider.getBlockNumber();
      const [eth0, token0] = [await ethers.provider.getBalance(funder.address), await token.balanceOf(funder.address)];
      const req = {
        funder,
        wallets,
        needs: { ...needs, token: { address, amount: parseEther("10") } },
        maxFeePerGas: fee,
      };
      const { plan, result } = await fundWallets(ethers.provider, req, { spender });
      // Each needs the approval's 100,000 gas too, and its token sweep's 100,000.
      const needEach = parseEther("1") + (100_000n + WALLET_GAS.approve + 21_000n + WALLET_GAS.tokenTransfer) * fee;
      expect(plan.allowance).to.equal("approve");
      expect(plan.each.eth).to.equal(needEach);
      expect(result).to.deep.equal({
        eth: 3n * needEach - parseEther("0.5"),
        token: parseEther("26"),
        permits: 0,
        approvals: 3,
        // The funder's three ETH and three token transfers, the wallets' three approvals.
        transactions: 9,
      });
      for (const w of wallets) {
        expect(await token.balanceOf(w.address)).to.equal(parseEther("10"));
        expect(await token.allowance(w.address, spender)).to.equal(parseEther("10"));
      }
      expect(await token.balanceOf(funder.address)).to.equal(token0 - parseEther("26"));

      const again = await fundWallets(ethers.provider, req, { spender });
      // The approvals spent some gas: only that is topped up again.
      expect(again.result.token).to.equal(0n);
      expect(again.result.approvals).to.equal(0);
      expect(again.result.eth).to.equal(
        await gasPaid(
          ethers.provider,
          wallets.map((w) => w.address),
          start,
        ),
      );

      const sweep = await sweepWallets(ethers.provider, wallets, funder, { tokens: [address] });
      expect(sweep.tokens).to.deep.equal([{ address, amount: parseEther("30") }]);
      for (const w of wallets) {
        expect(await ethers.provider.getBalance(w.address)).to.equal(0n);
        expect(await token.balanceOf(w.address)).to.equal(0n);
      }
      // The funder got back its 26 tokens and the 4 it had given before; ETH: all but the gas, and the 0.5 back.
      expect(await token.balanceOf(funder.address)).to.equal(token0 + parseEther("4"));
      const gas = await gasPaid(ethers.provider, [funder.address, ...wallets.map((w) => w.address)], start);
      expect(await ethers.provider.getBalance(funder.address)).to.equal(eth0 + parseEther("0.5") - gas);
      const idle = await sweepWallets(ethers.provider, wallets, funder, { tokens: [address] });
      expect([idle.transactions, idle.eth, idle.tokens[0].amount]).to.deep.equal([0, 0n, 0n]);
    });
  });

  describe("a play with HD agent wallets funded from one signer", () => {
    const req: ChainPlayRequest = {
      agents: 4,
      capacity: 10,
      tau: 0.5,
      fixedFee: 1,
      rule: "adaptive",
      etaTimesL: 1,
      rounds: 6,
      seed: 3,
      // A late joiner, a departure, noise and drift, and a fee shock: the dry run must count them all.
      dynamics: { noise: 0.05, drift: 0.02, reserve: 1, participation: [{ round: 3, leave: 1, join: 1 }] },
      shocks: [{ round: 4, set: { tau: 1 } }],
      untilConverged: false,
    };

    it("plays the same rounds as the configured accounts; the funder loses exactly the gas; a sweep then finds nothing", async () => {
      const accounts = await playOnChain(env, req);
      const funder = env.signers[0];
      const start = await ethers.provider.getBlockNumber();
      const before = await ethers.provider.getBalance(funder.address);
      const play = await playWithWallets(oneKey, req, { mnemonic: MNEMONIC });
      expect(play.run.rounds).to.have.length(6);
      expect(play.run.rounds).to.deep.equal(accounts.run.rounds);
      expect(play.wallets).to.deep.equal(deriveWallets(MNEMONIC, 5).map((w) => w.address));

      // The deposit is what the most demanding agent reserved over the run, by the chain's own records.
      const reserved = play.wallets.map((_, i) =>
        play.run.rounds.reduce((s, r) => {
          const d = r.demands[i];
          return d === null ? s : s + reserveFor(d, r.tau, r.mu, r.fixedFee);
        }, 0n),
      );
      expect(play.needs.deposit).to.equal(reserved.reduce((a, b) => (b > a ? b : a)));
      expect(play.plan.each.value).to.equal(play.needs.deposit);
      expect(play.funded.eth).to.equal(5n * play.plan.each.eth);

      // Everything is back: the wallets hold nothing, the market holds nothing, its charges are the funder's again.
      for (const w of play.wallets) expect(await ethers.provider.getBalance(w)).to.equal(0n);
      expect(await ethers.provider.getBalance(play.market)).to.equal(0n);
      const charges = await chargesBooked(play.market);
      expect(play.recovery.fees + play.recovery.revenue).to.equal(charges);
      expect(play.recovery.withdrawn).to.equal(5n * play.needs.deposit - charges);
      const gas = await gasPaid(ethers.provider, [funder.address, ...play.wallets], start);
      const after = await ethers.provider.getBalance(funder.address);
      expect(before - after).to.equal(gas);
      // What the budget paid for: the agents' gas and the charges, which came back.
      const agentsGas = await gasPaid(ethers.provider, play.wallets, start);
      expect(play.used).to.equal(agentsGas + charges);
      expect(play.sweep.eth).to.equal(play.funded.eth - play.used);

      // Idempotent: recovering and sweeping again send nothing and change nothing.
      const wallets = deriveWallets(MNEMONIC, 5, { provider: ethers.provider });
      const recovery = await recoverFromMarket(ethers.provider, play.market, wallets, funder);
      const sweep = await sweepWallets(ethers.provider, wallets, funder);
      expect([recovery.transactions, recovery.withdrawn, sweep.transactions, sweep.eth]).to.deep.equal([0, 0n, 0, 0n]);
      expect(await ethers.provider.getBalance(funder.address)).to.equal(after);
    });

    it("a token market with permits: the funder submits them, the agents approve nothing; token balances exact", async () => {
      const funder = env.signers[0];
      const token = (await (await ethers.getContractFactory("PermitToken")).deploy()) as PermitToken;
      const asset = await token.getAddress();
      await (await token.mint(funder.address, parseEther("1000"))).wait();
      const start = await ethers.provider.getBlockNumber();
      const [eth0, token0] = [await ethers.provider.getBalance(funder.address), await token.balanceOf(funder.address)];
      const play = await playWithWallets(oneKey, { ...req, asset }, { mnemonic: MNEMONIC, firstIndex: 4000 });
      expect(play.run.rounds).to.have.length(6);
      expect(play.plan.allowance).to.equal("permit");
      // Deposits in the token; ETH only for gas.
      expect(play.plan.each.value).to.equal(0n);
      expect(play.funded).to.deep.include({ token: 5n * play.needs.deposit, permits: 5, approvals: 0 });
      const approvals = (await token.queryFilter(token.filters.Approval(), start + 1)).map((e) => e.transactionHash);
      for (const hash of approvals) {
        expect((await ethers.provider.getTransaction(hash))!.from).to.equal(funder.address);
      }
      expect(approvals).to.have.length(5);

      const charges = await chargesBooked(play.market);
      expect(play.recovery.fees + play.recovery.revenue).to.equal(charges);
      expect(play.sweep.tokens).to.deep.equal([{ address: asset, amount: 5n * play.needs.deposit - charges }]);
      for (const w of play.wallets) {
        expect(await token.balanceOf(w)).to.equal(0n);
        expect(await ethers.provider.getBalance(w)).to.equal(0n);
      }
      expect(await token.balanceOf(play.market)).to.equal(0n);
      expect(await token.balanceOf(funder.address)).to.equal(token0);
      const gas = await gasPaid(ethers.provider, [funder.address, ...play.wallets], start);
      expect(await ethers.provider.getBalance(funder.address)).to.equal(eth0 - gas);
    });

    it("a budget below the run's needs is refused before the market is even deployed", async () => {
      const block = await ethers.provider.getBlockNumber();
      await expectRefusal(
        playWithWallets(oneKey, req, { mnemonic: MNEMONIC, firstIndex: 5000, budget: parseEther("1") }),
        /^budget 1 ETH is short: 5 agent wallets need [\d.]+ ETH \([\d.]+ each: [\d.]+ deposit \+ [\d.]+ gas at up to/,
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
    });
  });

  describe("after a crash", () => {
    it("wallets:sweep leaves the open round for the agents, withdraws, collects the fees and sweeps; then nothing", async () => {
      const funder = env.signers[0];
      const home = path.join(tmp, "crash");
      const file = walletStorePath(31337n, home);
      // The task reads the configuration variable first, if this machine set one.
      const phrase = vars.has(AGENT_MNEMONIC_VAR) ? vars.get(AGENT_MNEMONIC_VAR) : MNEMONIC;
      const wallets = deriveWallets(phrase, 3, { provider: ethers.provider });
      const start = await ethers.provider.getBlockNumber();
      const before = await ethers.provider.getBalance(funder.address);

      // A run that stopped mid-round: funded, joined, one round played, two agents' demands in the open one.
      // Capacity 100: no rationing, so each round charges exactly what it reserved.
      const settings = { capacity: 100, tau: 0.5, fixedFee: 1, rule: "constant" as const, eta: 0.01 };
      const market = (await deployClearingMarket(hre, {
        ...settings,
        tolPrimal: 1e-6,
        tolDual: 1e-9,
        roundDuration: 3600,
      })) as ClearingMarket;
      const address = await market.getAddress();
      updateWalletStore(file, (s) => ({ ...s, mnemonic: MNEMONIC, count: 3, markets: [address] }));
      const deposit = parseEther("20");
      await fundWallets(ethers.provider, { funder, wallets, needs: { value: deposit, gas: 2_000_000n } });
      for (const w of wallets) await (await market.connect(w).join(deposit, { value: deposit })).wait();
      const submit = async (w: HDNodeWallet, q: string) => {
        const [round, , price, mu] = await market.currentRound();
        const max = reserveFor(parseEther(q), price - mu, mu, parseEther("1"));
        await (await market.connect(w).submitDemand(round, parseEther(q), max)).wait();
      };
      for (const w of wallets) await submit(w, "4");
      await (await market.closeRound()).wait();
      await submit(wallets[0], "3");
      await submit(wallets[1], "2");

      const home0 = process.env.CLEARHOUSE_HOME;
      process.env.CLEARHOUSE_HOME = home;
      try {
        const out = await runTask("wallets:sweep", {});
        expect(out).to.match(
          new RegExp(
            `^Swept 3 agent wallets back to ${funder.address}: [\\d.]+ ETH\\n  market ${address}: ` +
              "the agents withdrew [\\d.]+ ETH \\(2 left the open round first\\); the funder collected fees [\\d.]+ ETH " +
              "and revenue [\\d.]+ ETH$",
          ),
        );
        expect(readWalletStore(file)!.markets).to.deep.equal([]);
        expect(await runTask("wallets:sweep", {})).to.equal("Nothing to sweep: 3 agent wallets hold nothing");
        const listed = JSON.parse(await runTask("wallets:list", { json: true }));
        expect(listed.wallets.map((w: { eth: string }) => w.eth)).to.deep.equal(["0", "0", "0"]);
      } finally {
        if (home0 === undefined) delete process.env.CLEARHOUSE_HOME;
        else process.env.CLEARHOUSE_HOME = home0;
      }
      for (const w of wallets) {
        expect(await ethers.provider.getBalance(w.address)).to.equal(0n);
        const a = await market.agents(w.address);
        expect([a.free, a.reserved]).to.deep.equal([0n, 0n]);
      }
      expect(await ethers.provider.getBalance(address)).to.equal(0n);
      expect(await chargesBooked(address)).to.equal(
        3n * reserveFor(parseEther("4"), parseEther("0.5"), 0n, parseEther("1")),
      );
      const gas = await gasPaid(ethers.provider, [funder.address, ...wallets.map((w) => w.address)], start);
      expect(before - (await ethers.provider.getBalance(funder.address))).to.equal(gas);
    });
  });

  describe("clearing:play", () => {
    const small = { agents: 3, rounds: 3, capacity: 10 };
    let home0: string | undefined;
    before(() => {
      home0 = process.env.CLEARHOUSE_HOME;
      process.env.CLEARHOUSE_HOME = path.join(tmp, "play");
    });
    after(() => {
      if (home0 === undefined) delete process.env.CLEARHOUSE_HOME;
      else process.env.CLEARHOUSE_HOME = home0;
    });

    it("with --wallets hd funds HD agents, says the budget, and sweeps them back", async () => {
      const out = await runTask("clearing:play", { ...small, wallets: "hd", out: path.join(tmp, "report") });
      const lines = out.split("\n");
      const source = vars.has(AGENT_MNEMONIC_VAR)
        ? `configuration variable ${AGENT_MNEMONIC_VAR}`
        : `a new mnemonic, saved in ${walletStorePath(31337n, path.join(tmp, "play"))}`;
      expect(lines[0]).to.equal(
        `Agents: 3 HD wallets m/44'/60'/0'/0/1000..1002 of ${source}` +
          (source.startsWith("a new") ? " (mode 0600: keep it, wallets:sweep needs it after a crash)" : "") +
          `, funded by ${env.signers[0].address}`,
      );
      expect(lines[1]).to.match(
        /^Budget ([\d.]+) ETH \(what the run needs; --budget sets it\): \1 ETH to send, [\d.]+ per wallet = [\d.]+ deposit \+ [\d.]+ gas at up to [\d.]+ gwei; the funder's own transactions up to [\d.]+ ETH$/,
      );
      expect(lines[2]).to.match(/^3 rounds, 15 transactions in 7 blocks, .*; batched: each group of transactions/);
      expect(lines[3]).to.match(
        /^Swept back [\d.]+ ETH from 3 wallets and market 0x[0-9a-fA-F]{40}; budget used [\d.]+ ETH: the agents' gas [\d.]+ \+ the market's charges [\d.]+, which the funder collected back as fees and revenue$/,
      );
      // The in-process chain ends with the process: no market is recorded for a later sweep.
      if (!vars.has(AGENT_MNEMONIC_VAR)) {
        expect(readWalletStore(walletStorePath(31337n, path.join(tmp, "play")))).to.deep.include({
          count: 0,
          markets: [],
        });
      }
    });

    it("with --asset plays a token market: HD agents get the token by permits, and all of it comes back", async () => {
      const funder = env.signers[0];
      const token = (await (await ethers.getContractFactory("PermitToken")).deploy()) as PermitToken;
      const asset = await token.getAddress();
      await (await token.mint(funder.address, parseEther("1000"))).wait();
      const out = await runTask("clearing:play", { ...small, asset, out: path.join(tmp, "report") });
      const lines = out.split("\n");
      expect(lines[1]).to.match(
        new RegExp(
          String.raw`^Budget [\d.]+ ETH .* = 0 deposit \+ [\d.]+ gas at up to [\d.]+ gwei; token: ([\d.]+) each ` +
            String.raw`\(allowed to the market by permits the funder submits\); the funder's own transactions`,
        ),
      );
      const each = parseEther(/; token: ([\d.]+) each/.exec(lines[1])![1]);
      const swept = new RegExp(String.raw`^Swept back [\d.]+ ETH and ([\d.]+) of token ${asset} from 3 wallets`);
      expect(lines[3]).to.match(swept);
      // The market's charges came back as the funder's fees and revenue: it holds its 1,000 tokens again.
      const market = /and market (0x[0-9a-fA-F]{40});/.exec(lines[3])![1];
      expect(parseEther(swept.exec(lines[3])![1])).to.equal(3n * each - (await chargesBooked(market)));
      expect(await token.balanceOf(funder.address)).to.equal(parseEther("1000"));
    });

    it("refuses a short --budget, a --budget for the accounts, and --asset with --wallets accounts, in one line", async () => {
      const refused = async (args: Record<string, unknown>) =>
        runTask("clearing:play", { ...small, out: path.join(tmp, "report"), ...args }).then(
          () => "",
          (e: Error) => e.message,
        );
      expect(await refused({ wallets: "hd", budget: "0.5" })).to.match(
        /^clearing:play: budget 0\.5 ETH is short: 3 agent wallets need [\d.]+ ETH/,
      );
      expect(await refused({ budget: "1" })).to.equal(
        "clearing:play: --budget: the agents are the network's 210 accounts: add --wallets hd",
      );
      expect(await refused({ wallets: "accounts", asset: env.signers[1].address })).to.equal(
        "clearing:play: --asset: a token market's agents are HD wallets funded with the token: drop --wallets accounts",
      );
      expect(await refused({ wallets: "some" })).to.match(/^clearing:play: --wallets: Invalid enum value/);
    });
  });
});

/** Expects `promise` to fail with `message` (a string is the exact message, a pattern matches it). */
async function expectRefusal(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, "refused").to.be.instanceOf(Error);
  if (typeof message === "string") expect(error!.message).to.equal(message);
  else expect(error!.message).to.match(message);
}
