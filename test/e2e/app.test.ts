/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks passed to the page (waitForFunction, $$eval, addInitScript) run in the browser.
import { expect } from "chai";
import { type ChildProcess, execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { type Contract, ContractFactory, JsonRpcProvider, formatEther, formatUnits, parseEther } from "ethers";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { MarketClient } from "../../src/clearing/parties/marketClient";
import { runMarketAgent } from "../../src/clearing/parties/marketAgent";
import { bestResponse } from "../../src/clearing/agents/reference";
import { EscrowClient } from "../../src/exchange/parties/escrowClient";
import { startNode, stopNode } from "./localNode";

/**
 * The web app in a real browser (Debian's chromium, driven by playwright-core): a Hardhat node, the market and
 * the escrow deployed by their commands, the app served by `hardhat app`; then a market watcher's page follows
 * the rounds while three agents submit (the page's own account joins, submits with the consent guard, is
 * refused a closed round in words, leaves and withdraws), and a seller's and a buyer's pages, in two browser
 * contexts, play an honest deal and a dispute (RfE-C-CF) to their payouts. Each page is saved as a screenshot
 * in out/app-test/ (with APP_README_SHOTS=1, also the README's in docs/screenshots/).
 */
const run = promisify(execFile);
const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.join("out", "app-test");

/** A free loopback port (the kernel's choice). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe("Web app in a real browser (chromium): market, escrow, wallet", function () {
  this.timeout(240_000);
  let node: ChildProcess | undefined;
  let app: ChildProcess | undefined;
  let browser: Browser | undefined;
  let appUrl = "";
  let market = "";
  let escrow = "";
  let provider: JsonRpcProvider;
  let accounts: string[] = [];
  const env = (url: string) => ({ ...process.env, E2E_RPC_URL: url, CI: "" });

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    fs.mkdirSync(SHOTS, { recursive: true });
    const [nodePort, appPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${nodePort}`;
    node = await startNode(
      "hardhat node",
      ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(nodePort)],
      "Started HTTP",
    );
    /** A command's JSON result (after any line a compilation printed first). */
    const hardhat = async (args: string[]) => {
      const { stdout } = await run("npx", ["hardhat", ...args, "--network", "e2e", "--json"], { env: env(url) });
      return JSON.parse(stdout.slice(stdout.search(/^\{/m)));
    };
    // Loose tolerances and a large step: the three agents' market converges within a few rounds.
    const [m, e] = await Promise.all([
      hardhat(
        ["market:deploy", "--capacity", "10", "--round-duration", "3600", "--rule", "constant"].concat([
          "--eta",
          "0.15",
          "--tol-primal",
          "0.3",
          "--tol-dual",
          "0.05",
          "--deployment-id",
          `app-market-${nodePort}`,
        ]),
      ),
      hardhat(["escrow:deploy", "--deployment-id", `app-escrow-${nodePort}`]),
    ]);
    [market, escrow] = [m.address, e.escrow];
    app = await startNode(
      "app",
      ["hardhat", "app", "--network", "e2e", "--port", String(appPort), "--market", market, "--escrow", escrow],
      "Clearhouse app for",
      90_000,
      env(url),
    );
    appUrl = `http://127.0.0.1:${appPort}/`;
    provider = new JsonRpcProvider(url, undefined, { pollingInterval: 200 });
    accounts = await provider.send("eth_accounts", []);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  after(async () => {
    await browser?.close();
    await stopNode(app);
    await stopNode(node);
    provider?.destroy();
    const journals = path.join("ignition", "deployments");
    for (const d of fs.existsSync(journals) ? fs.readdirSync(journals) : []) {
      if (d.startsWith("app-")) fs.rmSync(path.join(journals, d), { recursive: true });
    }
  });

  /** A browser context of `width` px with the node account `index` picked, at `hash`. */
  async function openAs(index: number, hash: string, width: number): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser!.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error(`page error (${index}): ${e.message}`));
    await page.goto(appUrl + hash);
    await page.selectOption("#account", accounts[index]);
    return { context, page };
  }

  /** Waits for a transaction status line to settle; returns its text once it says `state`. */
  async function settled(page: Page, selector: string, state: "confirmed" | "failed"): Promise<string> {
    await page.waitForFunction((s) => {
      const el = document.querySelector<HTMLElement>(s);
      return el?.dataset.state === "confirmed" || el?.dataset.state === "failed";
    }, selector);
    const el = page.locator(selector);
    const text = (await el.textContent()) ?? "";
    expect(await el.getAttribute("data-state"), text).to.equal(state);
    return text;
  }

  /**
   * A full-page screenshot in out/app-test/; with APP_README_SHOTS=1, the README's copy of each page (market,
   * escrow, deal) in docs/screenshots/, as a JPEG small enough to commit.
   */
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    if (process.env.APP_README_SHOTS === "1" && ["market", "escrow", "deal"].includes(name)) {
      const file = path.join("docs", "screenshots", `${name}.jpg`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // The best JPEG quality that keeps it at most 100 KB.
      for (const quality of [60, 45, 30]) {
        await page.screenshot({ path: file, type: "jpeg", quality, fullPage: true });
        if (fs.statSync(file).size <= 100 * 1024) break;
      }
      expect(fs.statSync(file).size, file).to.be.at.most(100 * 1024);
    }
  }

  /** No control without a label, and nothing wider than the viewport. */
  async function accessible(page: Page): Promise<void> {
    const unlabelled = await page.$$eval("input, select, textarea", (els) =>
      els.filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute("aria-label")).map((el) => el.id),
    );
    expect(unlabelled).to.deep.equal([]);
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll).to.be.at.most(width);
  }

  it("a market converges on the chart while agents submit; the page's account joins, submits, is refused in words, leaves", async () => {
    const signerOf = (i: number) => provider.getSigner(accounts[i]);
    const agents = await Promise.all([1, 2, 3].map(async (i) => new MarketClient(await signerOf(i), market)));
    await Promise.all(agents.map((a) => a.join(parseEther("500"))));
    const { context, page } = await openAs(4, "#/market", 900);
    await page.waitForSelector("#open-round[data-round='1']");
    await page.fill("#join-amount", "20");
    await page.click("[data-action='Join']");
    await settled(page, "#market-tx", "confirmed");
    await page.waitForSelector("#market-account[data-active='true']");
    expect(await page.textContent("#market-account")).to.contain("Member: free 20 ETH");
    // The consent guard: the open round and the most the demand reserves at the price posted now.
    await page.fill("#submit-quantity", "2");
    expect(await page.inputValue("#submit-round")).to.equal("1");
    expect(await page.textContent("#consent")).to.match(/consents to round 1 only, and to reserve at most [\d.]+ ETH/);
    await page.click("[data-action='Submit demand']");
    await settled(page, "#market-tx", "confirmed");
    await page.waitForFunction(() =>
      document.querySelector("#market-account")?.textContent?.includes("demand 2 in round 1"),
    );

    const types = [8, 11, 14];
    /** The three agents submit their best responses (and close rounds) until `rounds` more have closed. */
    const play = (rounds: number) =>
      Promise.all(
        agents.map((client, k) =>
          runMarketAgent(client, accounts[k + 1], { type: { alpha: types[k], beta: 1 }, rounds, pollMs: 150 }),
        ),
      );
    const firstPhase = play(5);
    // Round 1 closes once the agents submitted too; a demand still naming round 1 is refused, in words.
    await page.waitForSelector("#rounds-body tr[data-round='1']");
    await page.fill("#submit-round", "1");
    await page.click("[data-action='Submit demand']");
    const refused = await settled(page, "#market-tx", "failed");
    expect(refused).to.contain("WrongRound(1, 2)");
    expect(refused).to.contain("round 1 is not the open round (round 2 is): nothing was sent or charged");
    // Leaving lets round 2 close without this account; what it has left is withdrawn.
    await page.click("[data-action='Leave']");
    await settled(page, "#market-tx", "confirmed");
    await page.waitForSelector("#market-account[data-active='false']");
    await page.click("[data-action='Withdraw']");
    await settled(page, "#market-tx", "confirmed");
    await page.waitForSelector("#market-account[data-free='0 ETH']");
    expect(await page.isEnabled("[data-action='Join']")).to.equal(true);
    expect(await page.isEnabled("[data-action='Leave']")).to.equal(false);
    await firstPhase;

    // A supply shock: the owner raises the capacity from the next round on; the agents play four more rounds.
    const owner = new MarketClient(await signerOf(0), market);
    const p = (await owner.openRound()).params;
    await owner.scheduleParams({
      capacity: 12,
      tau: Number(formatEther(p.tau)),
      fixedFee: Number(formatEther(p.fixedFee)),
      rule: p.rule,
      eta: Number(formatEther(p.eta)),
      tolPrimal: Number(formatEther(p.tolPrimal)),
      tolDual: Number(formatEther(p.tolDual)),
      roundDuration: Number(p.roundDuration),
      rationing: p.rationing,
    });
    await play(4);
    await page.waitForSelector("#rounds-body tr[data-round='9']", { timeout: 30_000 });
    const rows = await page.$$eval("#rounds-body tr", (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    expect(rows.length).to.equal(9);
    // Round 1 at the posted price 0.5 (mu 0): each agent's best response, and the page's 2 units.
    const demand1 = types.reduce((sum, alpha) => sum + bestResponse({ alpha, beta: 1 }, 0.5, 1), 2);
    expect(rows.at(-1)).to.deep.equal(["1", "0.5000", demand1.toFixed(4), "10.0000", "no"]);
    expect(
      rows.some((r) => r[4] === "yes"),
      JSON.stringify(rows),
    ).to.equal(true);
    expect(rows[0][3]).to.equal("12.0000");
    // The chart: a diamond per converged round in each panel, and the shock's dashed rule with its label.
    await page.waitForFunction(() => document.querySelectorAll("#chart .converged_marks path").length > 0);
    expect(await page.textContent("#chart svg")).to.contain("v2: capacity 10→12");
    expect(await page.getAttribute("#chart", "aria-label")).to.match(/Chart of 9 closed rounds.*[1-9]\d* converged/);
    await accessible(page);
    await shoot(page, "market");
    await context.close();
  });

  /** The deposits of the default table (number 1) at `price`, read from the escrow. */
  async function depositsAt(price: bigint): Promise<{ seller: bigint; buyer: bigint }> {
    const [seller, buyer] = await new EscrowClient(provider, escrow).contract.depositsFor(1, price);
    return { seller, buyer };
  }

  /** The deal page's stage, once it reads `stage`. */
  async function stageIs(page: Page, stage: string): Promise<string> {
    await page.waitForSelector(`#deal-stage[data-stage='${stage}']`, { timeout: 20_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message.split("\n")[0]}; the page shows: ${await page.textContent("main")}`);
    });
    return (await page.textContent("#deal-stage")) ?? "";
  }

  /** The moves the page offers now, by name, and whether each is enabled. */
  const movesOn = (page: Page) =>
    page.$$eval("#deal-actions button[data-move]", (bs) =>
      bs.map((b) => `${b.getAttribute("data-move")}${(b as HTMLButtonElement).disabled ? " (disabled)" : ""}`),
    );

  /** Clicks a move and waits for its confirmation. */
  async function move(page: Page, name: string): Promise<void> {
    await page.click(`#deal-actions button[data-move='${name}']`);
    await settled(page, "#deal-tx", "confirmed");
  }

  it("a seller and a buyer play an honest deal on chain to R-NC-NC: the seller is paid the price", async () => {
    const seller = await openAs(5, "#/escrow", 400);
    const buyer = await openAs(6, "#/escrow", 600);
    const { page: s } = seller;
    await s.fill("#offer-counterparty", accounts[6]);
    await s.fill("#offer-price", "10");
    const d = await depositsAt(parseEther("10"));
    const ether = (x: bigint) => `${formatEther(x).replace(/\.0$/, "")} ETH`;
    await s.waitForFunction(() => document.querySelector("#offer-preview")?.textContent?.startsWith("You pay"));
    expect(await s.textContent("#offer-preview")).to.equal(
      `You pay ${ether(d.seller)} now (your deposit); the buyer pays ${ether(parseEther("10") + d.buyer)} to accept.`,
    );
    await accessible(s);
    await shoot(s, "escrow");
    await s.click("#offer-make");
    // The page moves on to the deal once the offer is mined; the transaction log keeps the line.
    await s.waitForURL(/#\/deal\/0x[0-9a-f]{64}$/);
    expect(await settled(s, "#tx-log li:first-child", "confirmed")).to.match(/^Confirmed: offer \(block \d+/);
    const dealUrl = s.url();
    expect(await stageIs(s, "Offered")).to.match(/expires in 23h 59m|expires in 1d/);
    expect(await movesOn(s)).to.deep.equal(["cancel"]);

    const { page: b } = buyer;
    await b.goto(dealUrl);
    await stageIs(b, "Offered");
    expect(await b.textContent("#deal-role")).to.equal("You are the buyer.");
    expect(await b.textContent("#deal-actions button[data-move='accept']")).to.equal(
      `Accept and pay ${formatEther(parseEther("10") + d.buyer).replace(/\.0$/, "")} ETH`,
    );
    await move(b, "accept");
    expect(await stageIs(b, "Redeem")).to.match(/closes in (3d|2d 23h)/);
    expect(await movesOn(b)).to.deep.equal(["redeem", "refund"]);
    // What the buyer would receive after each move, under the default table, in every state it leaves open.
    expect(await b.textContent("[data-receive='redeem']")).to.contain("R-NC-NC:");
    expect(await b.textContent("[data-receive='refund']")).to.contain("RfE-C-CF:");
    await stageIs(s, "Redeem");
    expect(await movesOn(s)).to.deep.equal([]);
    expect(await s.textContent("#deal-actions")).to.contain("Nothing for you to do now.");
    await accessible(b);
    await shoot(b, "deal");

    await b.check("#redeem-confirm");
    await move(b, "redeem");
    await stageIs(s, "Fault");
    expect(await movesOn(s)).to.deep.equal(["fault", "finalize"]);
    await move(s, "finalize");
    const final = await stageIs(b, "Final");
    expect(await b.getAttribute("#deal-stage", "data-state")).to.equal("R-NC-NC");
    expect(final).to.contain(`The seller received ${ether(parseEther("10") + d.seller)}, the buyer ${ether(d.buyer)}`);
    await accessible(s);
    await shoot(s, "deal-final");
    await Promise.all([seller.context.close(), buyer.context.close()]);
  });

  it("a dispute through a signed offer file, RfE-C-CF: refund asked, complaint, fault admitted; the buyer made whole", async () => {
    const seller = await openAs(7, "#/escrow", 600);
    const buyer = await openAs(8, "#/escrow", 400);
    const { page: s } = seller;
    await s.fill("#offer-counterparty", accounts[8]);
    await s.fill("#offer-price", "4");
    await s.selectOption("#offer-how", "signed");
    await s.click("#offer-make");
    await s.waitForURL(/#\/offer\//);
    await stageIs(s, "None");
    const link = await s.inputValue("#offer-link");
    const d = await depositsAt(parseEther("4"));
    // The buyer opens the offer from its file (the download beside the link); the page is the link's. The
    // seller's deposit is not in the escrow yet, so accepting would fail: the page says so and offers nothing.
    const href = (await s.getAttribute("#offer-share a[download]", "href"))!;
    const json = decodeURIComponent(href.slice("data:application/json,".length));
    const { page: b } = buyer;
    await b.setInputFiles("#open-file", {
      name: "offer.json",
      mimeType: "application/json",
      buffer: Buffer.from(json),
    });
    await b.waitForURL(link);
    await stageIs(b, "None");
    expect(await movesOn(b)).to.deep.equal(["accept (disabled)"]);
    expect(await b.textContent('[data-receive="accept"]')).to.match(/^Not yet: the seller has 0(\.0)? ETH of its /);
    // Opening takes the seller's deposit from its balance in the escrow: the page asks for it first.
    expect(await s.textContent("#offer-funding")).to.contain("deposit");
    await s.click("#offer-deposit");
    await settled(s, "#deal-tx", "confirmed");
    await s.waitForFunction(() => document.querySelector("#offer-funding")?.textContent?.includes("covers it"));
    // The buyer's page follows the block: now it may accept.
    await b.waitForFunction(
      () => !(document.querySelector('#deal-actions button[data-move="accept"]') as HTMLButtonElement)?.disabled,
    );
    expect(await movesOn(b)).to.deep.equal(["accept"]);
    await move(b, "accept");
    await stageIs(b, "Redeem");
    // Chain time: the node warps a day ahead; the countdown follows the chain, not this computer's clock.
    await provider.send("evm_increaseTime", [86_400]);
    await provider.send("evm_mine", []);
    await b.waitForFunction(() =>
      /closes in (2d \(|1d 23h)/.test(document.querySelector("#deal-stage")?.textContent ?? ""),
    );
    await move(b, "refund");
    await stageIs(b, "Complaint");
    expect(await movesOn(b)).to.deep.equal(["complain", "confirm"]);
    await move(b, "complain");
    await stageIs(s, "Fault");
    const admit = (await s.textContent("[data-receive='fault']")) ?? "";
    expect(admit).to.match(/^You would receive: RfE-C-CF: [\d.]+ ETH$/);
    await move(s, "fault");
    const final = await stageIs(b, "Final");
    expect(await b.getAttribute("#deal-stage", "data-state")).to.equal("RfE-C-CF");
    // Under the default table the buyer gets back at least all it paid in: the price and its deposit.
    const [, buyerGets] = await new EscrowClient(provider, escrow).contract.payouts(1, parseEther("4"), 3);
    expect(buyerGets >= parseEther("4") + d.buyer).to.equal(true);
    expect(final).to.contain(`the buyer ${formatEther(buyerGets).replace(/\.0$/, "")} ETH`);
    await accessible(b);
    await shoot(b, "dispute-final");
    await Promise.all([seller.context.close(), buyer.context.close()]);
  });

  it("a token deal: each page approves the token before it pays, and shows amounts in the token's 6 decimals", async () => {
    const artifact = JSON.parse(fs.readFileSync("artifacts/contracts/test/MockERC20.sol/MockERC20.json", "utf8"));
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, await provider.getSigner(accounts[0]));
    const token = (await (await factory.deploy("Test dollar", "TUSD", 6)).waitForDeployment()) as Contract;
    const address = await token.getAddress();
    for (const i of [10, 11]) await (await token.mint(accounts[i], 1000_000000n)).wait();
    const tusd = (x: bigint) => `${formatUnits(x, 6).replace(/\.0$/, "")} TUSD`;
    const price = 25_000000n;
    const d = await depositsAt(price);

    const seller = await openAs(10, "#/escrow", 600);
    const buyer = await openAs(11, "#/escrow", 600);
    const { page: s } = seller;
    await s.fill("#offer-asset", address);
    await s.fill("#offer-counterparty", accounts[11]);
    await s.fill("#offer-price", "25");
    // The preview of the last edit (price 25), not of the asset's edit before it (price 10).
    const expected = `You pay ${tusd(d.seller)} now (your deposit); the buyer pays ${tusd(price + d.buyer)} to accept.`;
    await s.waitForFunction((text) => document.querySelector("#offer-preview")?.textContent === text, expected);
    expect(await s.textContent("#offer-preview")).to.equal(expected);
    await s.click("#offer-make");
    await s.waitForURL(/#\/deal\/0x[0-9a-f]{64}$/);
    expect(await settled(s, "#tx-log li:first-child", "confirmed")).to.contain(
      `offer (approval of ${tusd(d.seller)} sent first)`,
    );
    const { page: b } = buyer;
    await b.goto(s.url());
    await stageIs(b, "Offered");
    expect(await b.textContent("#deal-terms")).to.contain(`Price${tusd(price)}`);
    expect(await b.textContent("#deal-actions button[data-move='accept']")).to.equal(
      `Accept and pay ${tusd(price + d.buyer)}`,
    );
    await b.click("#deal-actions button[data-move='accept']");
    expect(await settled(b, "#deal-tx", "confirmed")).to.contain(`(approval of ${tusd(price + d.buyer)} sent first)`);
    await stageIs(b, "Redeem");
    expect(await token.balanceOf(accounts[10])).to.equal(1000_000000n - d.seller);
    expect(await token.balanceOf(accounts[11])).to.equal(1000_000000n - price - d.buyer);
    await Promise.all([seller.context.close(), buyer.context.close()]);
  });

  it("a browser wallet (EIP-1193) on the wrong chain is named and sends nothing; switched, it joins the market", async () => {
    const context = await browser!.newContext({ viewport: { width: 400, height: 900 } });
    // A minimal injected wallet: account 9, on chain 1 until asked to switch; everything else goes to the node.
    await context.addInitScript((account: string) => {
      let chainId = "0x1";
      const listeners: Record<string, ((x: unknown) => void)[]> = {};
      (window as unknown as { ethereum: unknown }).ethereum = {
        on: (event: string, fn: (x: unknown) => void) => (listeners[event] ??= []).push(fn),
        async request({ method, params }: { method: string; params?: unknown[] }) {
          if (method === "eth_chainId") return chainId;
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
          if (method === "wallet_switchEthereumChain") {
            chainId = (params![0] as { chainId: string }).chainId;
            for (const fn of listeners.chainChanged ?? []) fn(chainId);
            return null;
          }
          const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] });
          const res = (await (await fetch("/rpc", { method: "POST", body })).json()) as {
            result?: unknown;
            error?: { message: string };
          };
          if (res.error) throw Object.assign(new Error(res.error.message), res.error);
          return res.result;
        },
      };
    }, accounts[9]);
    const page = await context.newPage();
    await page.goto(appUrl + "#/market");
    await page.selectOption("#account", "injected");
    await page.waitForSelector("#chain-status.bad");
    expect(await page.textContent("#chain-status")).to.contain(
      "wrong network: the wallet is on chain 1, the app on chain 31337",
    );
    await page.waitForSelector("#market-account:not(:empty)");
    expect(await page.isEnabled("[data-action='Join']")).to.equal(false);
    await page.click("#chain-status button");
    await page.waitForSelector("#chain-status.ok");
    await page.waitForSelector("[data-action='Join']:enabled");
    await page.fill("#join-amount", "3");
    await page.click("[data-action='Join']");
    await settled(page, "#market-tx", "confirmed");
    await page.waitForSelector("#market-account[data-free='3 ETH']");
    await accessible(page);
    await context.close();
    // The node is the app page's alone: another site's request is refused (a development node signs for anyone).
    const rpc = { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_accounts", params: [] }) };
    expect((await fetch(appUrl + "rpc", rpc)).status).to.equal(200);
    const foreign = await fetch(appUrl + "rpc", { ...rpc, headers: { origin: "http://example.com" } });
    expect(foreign.status).to.equal(403);
  });
});
