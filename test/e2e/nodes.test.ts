import { expect } from "chai";
import { type ChildProcess, execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { HDNodeWallet, formatEther, parseEther } from "ethers";
import { bestResponse } from "../../src/clearing/agents/reference";
import { startNode, stopNode } from "./localNode";

/**
 * End to end over JSON-RPC on two independent nodes, `npx hardhat node` and Foundry's Anvil, each started on a
 * loopback port and stopped by the test. On each: the library driver deploys and plays both mechanisms from one
 * process (scripts/e2e-play.ts); then the participants' commands, each its own process: the owner deploys a
 * market, agents join, three long-running `market:agent` processes play while `market:watch` follows, an agent
 * is refused and withdraws; a seller and a buyer trade through a signed-offer file; the auditor replays
 * everything. On the Hardhat node, finally, the node is stopped and the auditor pointed at it (a clear error).
 */
const run = promisify(execFile);
/** Both nodes' default accounts come from this mnemonic. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

interface NodeKind {
  name: string;
  command: string[];
  ready: string;
}

const NODES: NodeKind[] = [
  { name: "hardhat node", command: ["hardhat", "node", "--hostname", "127.0.0.1", "--port"], ready: "Started HTTP" },
  // As many accounts as Hardhat's node gives (the library driver's ten agents and the deals' parties).
  { name: "anvil", command: ["anvil", "--accounts", "20", "--host", "127.0.0.1", "--port"], ready: "Listening on" },
];

NODES.forEach((kind, k) => {
  describe(`End to end on ${kind.name} (JSON-RPC, every role a separate process)`, function () {
    this.timeout(300_000);
    const port = 8547 + (process.pid % 200) + 300 * k;
    const url = `http://127.0.0.1:${port}`;
    const outFile = path.join(os.tmpdir(), `clearhouse-e2e-${process.pid}-${k}.json`);
    const offerFile = path.join(os.tmpdir(), `clearhouse-offer-${process.pid}-${k}.json`);
    let node: ChildProcess | undefined;

    /** `npx hardhat <args> --network e2e` against this node: exit code and output. */
    const hardhat = (args: string[], env: Record<string, string> = {}) =>
      run("npx", ["hardhat", ...args, "--network", "e2e"], {
        env: { ...process.env, E2E_RPC_URL: url, CI: "", ...env },
        maxBuffer: 16 * 1024 * 1024,
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    /** A command that must succeed; its stdout. */
    const ok = async (args: string[], env: Record<string, string> = {}) => {
      const r = await hardhat(args, env);
      expect(r.code, `${args.join(" ")}\n${r.stdout}\n${r.stderr}`).to.equal(0);
      return r.stdout;
    };

    before(async () => {
      node = await startNode(kind.name, [...kind.command, String(port)], kind.ready);
    });

    after(async () => {
      await stopNode(node);
      for (const f of [outFile, offerFile]) fs.rmSync(f, { force: true });
      // Ignition journals of the throw-away node's deployments.
      const journals = path.join("ignition", "deployments");
      if (fs.existsSync(journals)) {
        for (const d of fs.readdirSync(journals)) {
          if (d.startsWith("e2e-") || d.startsWith("market-") || d.startsWith("escrow-")) {
            fs.rmSync(path.join(journals, d), { recursive: true });
          }
        }
      }
    });

    it("the library driver deploys, plays both mechanisms and audits clean", async () => {
      await ok(["run", "scripts/e2e-play.ts"], { E2E_OUT: outFile });
      const { market, escrow, rounds } = JSON.parse(fs.readFileSync(outFile, "utf8"));
      expect(rounds).to.equal(6);
      const auditMarket = await ok(["audit", "--market", market, "--page-size", "5"]);
      expect(auditMarket).to.contain("rounds 6, agents 10");
      expect(auditMarket).to.contain("No discrepancy");
      const auditEscrow = await ok(["audit", "--escrow", escrow]);
      expect(auditEscrow).to.contain("final states: R-NC-NC 1, RfE-C-CF 1");
    });

    it("market and escrow by commands, side by side; both audit clean", async () => {
      await Promise.all([marketByCommands(), signedDealByCommands()]);
    });

    /** The owner, three long-running agents and a watcher play a market by commands; the audit is clean. */
    async function marketByCommands() {
      const deployed = JSON.parse(
        await ok(["market:deploy", "--capacity", "10", "--round-duration", "3600", "--rationing", "uniform", "--json"]),
      );
      const market: string = deployed.address;
      const types = [
        { alpha: 8, beta: 1 },
        { alpha: 11, beta: 1 },
        { alpha: 14, beta: 1 },
      ];
      await Promise.all(types.map((_, i) => ok(["market:join", "--from", String(i + 1), "--amount", "50"])));
      const [watch, ...agents] = await Promise.all([
        ok(["market:watch", "--rounds", "3", "--from-block", "0", "--poll", "200", "--json"]),
        ...types.map((t, i) =>
          ok([
            "market:agent",
            "--from",
            String(i + 1),
            "--alpha",
            String(t.alpha),
            "--beta",
            "1",
            "--rounds",
            "3",
            "--poll",
            "100",
          ]),
        ),
      ]);
      for (const out of agents) {
        expect(out).to.match(/stopped \(3 rounds played\): submitted in 3 rounds/);
        expect(out.split("\n").filter((l) => /^round \d+: price/.test(l))).to.have.length(3);
      }
      const rounds = JSON.parse(watch) as { round: string; totalDemand: string; mu: string }[];
      expect(rounds.map((r) => r.round)).to.deep.equal(["1", "2", "3"]);
      // Round 1 at the posted price 0.5 (mu 0): everyone's best response alpha / 1.5 - 1.
      const demand1 = types.reduce((sum, t) => sum + bestResponse(t, 0.5, 1), 0);
      expect(Number(rounds[0].totalDemand) / 1e18).to.be.closeTo(demand1, 1e-9);
      expect(Number(rounds[1].mu)).to.be.greaterThan(0); // 20 units against m = 10: the price rose

      // A demand for a round that has closed is refused, in one line; nothing is charged.
      const refused = await hardhat(["market:submit", "--from", "1", "--quantity", "1", "--round", "3"]);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.contain("market:submit: market client: submitDemand reverted: WrongRound(3, 4)");
      const status = JSON.parse(await ok(["market:status", "--from", "1", "--json"]));
      expect([status.open.round, status.round, status.settleable]).to.deep.equal(["4", "3", true]);
      const withdrawn = await ok(["market:withdraw", "--from", "1", "--amount", "all"]);
      expect(withdrawn).to.match(/withdrew \d+\.\d{6}: free 0\.000000/);

      const audit = await ok(["audit", "--market", market]);
      expect(audit).to.contain("rounds 3, agents 3");
      expect(audit).to.contain("No discrepancy");
    }

    /**
     * A seller (account 5) signs an offer into a file, funded from its escrow balance; the buyer (account 6)
     * opens it from the file, redeems and confirms; the seller finalizes; both are paid by the default table.
     */
    async function signedDealByCommands() {
      const { escrow } = JSON.parse(await ok(["escrow:deploy", "--from", "4", "--json"]));
      const buyer = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/6");
      const at = ["--escrow", escrow];
      const offer = JSON.parse(
        await ok([
          "escrow:offer",
          ...at,
          "--from",
          "5",
          "--side",
          "seller",
          "--counterparty",
          buyer.address,
          "--price",
          "10",
          "--signed",
          offerFile,
          "--json",
        ]),
      );
      await ok(["escrow:deposit", ...at, "--from", "5", "--amount", formatEther(offer.sellerDeposit)]);
      await ok(["escrow:accept", ...at, "--from", "6", "--file", offerFile]);
      await ok(["escrow:redeem", ...at, "--from", "6", "--id", offer.id, "--confirm"]);
      await ok(["escrow:finalize", ...at, "--from", "5", "--id", offer.id]);
      const { status } = JSON.parse(await ok(["escrow:status", ...at, "--id", offer.id, "--json"]));
      // R-NC-NC under the default table at price 10: the seller gets the price and its deposit back.
      expect([status.stage, status.state, status.payouts.seller]).to.deep.equal([
        "Final",
        "R-NC-NC",
        String(parseEther("10") + BigInt(offer.sellerDeposit)),
      ]);
      expect(status.payouts.buyer).to.equal(offer.buyerDeposit);
      const audit = await ok(["audit", "--escrow", escrow]);
      expect(audit).to.contain("final states: R-NC-NC 1");
      expect(audit).to.contain("No discrepancy");
    }

    if (kind.name === "hardhat node") {
      it("a stopped node or a wrong address gives one clear line and exit code 1", async () => {
        const wrong = await hardhat(["audit", "--escrow", "0x000000000000000000000000000000000000dEaD"]);
        expect(wrong.code).to.equal(1);
        // One line says what is wrong (Hardhat adds a stack trace only on CI servers).
        expect(wrong.stderr).to.match(
          /Error in plugin clearhouse: audit: no contract at 0x000000000000000000000000000000000000dEaD on network "e2e"/,
        );
        await stopNode(node);
        node = undefined;
        const dead = await hardhat(["market:status", "--market", "0x000000000000000000000000000000000000dEaD"]);
        expect(dead.code).to.equal(1);
        expect(dead.stderr).to.contain(`cannot reach the node of network "e2e" at ${url}`);
      });
    }
  });
});
