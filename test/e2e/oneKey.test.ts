import { expect } from "chai";
import { type ChildProcess, execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { HDNodeWallet, JsonRpcProvider } from "ethers";
import { deriveWallets } from "../../src/chain/wallets";
import { startNode, stopNode } from "./localNode";
import { MARKET_INTERFACE } from "../../src/clearing/parties/abi";
import { gasPaid } from "../gasPaid";

/**
 * A testnet user's case, end to end: one funded key, a node that mines a block every second, and none of Hardhat's
 * methods. Anvil (`--block-time 1`, one account) sits behind a JSON-RPC proxy that refuses every `evm_`, `hardhat_`
 * and `anvil_` method as a public node would, and records what was asked. `clearing:play --network e2e` with that
 * one key (E2E_ACCOUNTS) derives its agents' wallets from a mnemonic it generates into a temporary folder, funds
 * them, plays, and sweeps them back; `wallets:list` and `wallets:sweep` then find nothing left.
 */
const run = promisify(execFile);
/** Anvil's accounts come from this mnemonic; its account 0 is the one funded key. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** Methods a public node does not have. */
const NODE_ONLY = /^(evm_|hardhat_|anvil_)/;

const startAnvil = (port: number): Promise<ChildProcess> =>
  startNode(
    "anvil",
    ["anvil", "--host", "127.0.0.1", "--port", String(port), "--block-time", "1", "--accounts", "1"],
    "Listening on",
    60_000,
  );

interface RpcCall {
  jsonrpc: string;
  id: unknown;
  method: string;
  params?: unknown[];
}

/**
 * A proxy on a free loopback port: forwards JSON-RPC to `target`, except node-only methods, which it answers with
 * "method not found" (-32601) as a public node does. Records every method asked for, in order.
 */
function startProxy(target: string): Promise<{ server: http.Server; url: string; methods: string[] }> {
  const methods: string[] = [];
  const refuse = (c: RpcCall) => ({
    jsonrpc: "2.0",
    id: c.id,
    error: { code: -32601, message: `the method ${c.method} does not exist/is not available` },
  });
  const forward = async (c: RpcCall) => {
    methods.push(c.method);
    if (NODE_ONLY.test(c.method)) return refuse(c);
    const res = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(c),
    });
    return res.json();
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      try {
        const parsed = JSON.parse(body) as RpcCall | RpcCall[];
        const answer = Array.isArray(parsed) ? await Promise.all(parsed.map(forward)) : await forward(parsed);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      } catch (e) {
        res.writeHead(502).end(String(e));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, methods }),
    ),
  );
}

describe("One funded key on a node without Hardhat's methods (Anvil, a block a second)", function () {
  this.timeout(120_000);
  // Away from the other end-to-end test's ports (8547..9046).
  const port = 9300 + (process.pid % 200);
  const anvilUrl = `http://127.0.0.1:${port}`;
  const funder = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/0");
  let home: string;
  let anvil: ChildProcess | undefined;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let provider: JsonRpcProvider;

  /** `npx hardhat <args> --network e2e`, through the proxy, signing with the one key: exit code and output. */
  const hardhat = (args: string[]) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      E2E_RPC_URL: proxy.url,
      E2E_ACCOUNTS: funder.privateKey,
      CLEARHOUSE_HOME: home,
      CI: "",
    };
    // The mnemonic is the one the play generates into `home`, whatever this machine configured.
    delete env.HARDHAT_VAR_CLEARHOUSE_AGENT_MNEMONIC;
    return run("npx", ["hardhat", ...args, "--network", "e2e"], { env, maxBuffer: 16 * 1024 * 1024 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  };

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "clearhouse-home-"));
    anvil = await startAnvil(port);
    proxy = await startProxy(anvilUrl);
    provider = new JsonRpcProvider(anvilUrl, undefined, { staticNetwork: true, polling: true, pollingInterval: 200 });
  });

  after(async () => {
    provider?.destroy();
    proxy?.server.close();
    await stopNode(anvil);
    fs.rmSync(home, { recursive: true, force: true });
    // Ignition's journals of the throw-away node's deployments.
    const journals = path.join("ignition", "deployments");
    if (fs.existsSync(journals)) {
      for (const d of fs.readdirSync(journals)) {
        if (d.startsWith("play-")) fs.rmSync(path.join(journals, d), { recursive: true });
      }
    }
  });

  it("clearing:play funds 3 HD agents from the key, plays 3 rounds unbatched, and sweeps everything back", async () => {
    const start = await provider.getBlockNumber();
    const before = await provider.getBalance(funder.address);
    const out = path.join(home, "play");
    const r = await hardhat(["clearing:play", "--agents", "3", "--rounds", "3", "--capacity", "10", "--out", out]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);

    // The mnemonic: generated, saved outside the repository with mode 0600, never printed.
    const file = path.join(home, "agents-31337.json");
    const saved = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(saved).to.deep.include({ count: 3, markets: [] });
    expect(r.stdout + r.stderr).to.not.contain(saved.mnemonic);
    expect(r.stdout).to.contain(
      `Agents: 3 HD wallets m/44'/60'/0'/0/1000..1002 of a new mnemonic, saved in ${file} (mode 0600`,
    );
    expect(r.stdout).to.match(/^Budget [\d.]+ ETH \(what the run needs; --budget sets it\): /m);

    // Three rounds, sent without batching: the node's blocks, not evm_mine.
    expect(r.stdout).to.match(
      /^3 rounds, \d+ transactions in \d+ blocks, [\d.]+ s: \d+ tx\/s; not batched: every transaction sent at once/m,
    );
    const market = /and market (0x[0-9a-fA-F]{40});/.exec(r.stdout)![1];
    const closed = (await provider.getLogs({ address: market, fromBlock: start })).filter(
      (l) => MARKET_INTERFACE.parseLog(l)?.name === "RoundClosed",
    );
    expect(closed).to.have.length(3);

    // Everything came back: the wallets and the market hold nothing, the funder lost exactly the gas it and its
    // agents paid (the market's charges came back as its fees and revenue).
    const wallets = deriveWallets(saved.mnemonic, 3);
    for (const w of wallets) expect(await provider.getBalance(w.address)).to.equal(0n);
    expect(await provider.getBalance(market)).to.equal(0n);
    const gas = await gasPaid(provider, [funder.address, ...wallets.map((w) => w.address)], start);
    expect(before - (await provider.getBalance(funder.address))).to.equal(gas);
    expect(r.stdout).to.match(/^Swept back [\d.]+ ETH from 3 wallets and market 0x[0-9a-fA-F]{40}; budget used /m);

    // No evm_ method (the batch sender's evm_setAutomine and evm_mine) or any other node-only one was used: the
    // only ones asked for are two probes that a public node refuses as well, Ignition's for an automining node and
    // hardhat-ethers' for a Hardhat network (which sets how often it polls). The key signed locally.
    const nodeOnly = [...new Set(proxy.methods.filter((m) => NODE_ONLY.test(m)))].sort();
    expect(nodeOnly).to.deep.equal(["hardhat_getAutomine", "hardhat_metadata"]);
    expect(proxy.methods).to.include("eth_sendRawTransaction");
    expect(proxy.methods).to.not.include("eth_sendTransaction");
  });

  it("wallets:list shows the empty wallets; wallets:sweep finds nothing and sends nothing", async () => {
    const list = await hardhat(["wallets:list", "--json"]);
    expect(list.code, list.stderr).to.equal(0);
    const listed = JSON.parse(list.stdout) as { wallets: { index: number; eth: string }[] };
    expect(listed.wallets.map((w) => [w.index, w.eth])).to.deep.equal([
      [1000, "0"],
      [1001, "0"],
      [1002, "0"],
    ]);
    const before = await provider.getBalance(funder.address);
    const sent = proxy.methods.filter((m) => m === "eth_sendRawTransaction").length;
    const sweep = await hardhat(["wallets:sweep"]);
    expect(sweep.code, sweep.stderr).to.equal(0);
    expect(sweep.stdout.trim()).to.equal("Nothing to sweep: 3 agent wallets hold nothing");
    expect(proxy.methods.filter((m) => m === "eth_sendRawTransaction").length).to.equal(sent);
    expect(await provider.getBalance(funder.address)).to.equal(before);
  });
});
