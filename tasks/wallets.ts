/**
 * npx hardhat wallets:list [--count N] [--json]
 * npx hardhat wallets:sweep [--count N] [--market a,b] [--token a,b] [--from funder] [--json]
 *   The agent wallets `clearing:play` derives when the network has too few accounts (or with `--wallets hd`):
 *   HD wallets of the configuration variable CLEARHOUSE_AGENT_MNEMONIC, else of the mnemonic it generated and saved
 *   in $CLEARHOUSE_HOME/agents-<chainId>.json (default ~/.clearhouse, mode 0600). `wallets:list` shows their
 *   balances; `wallets:sweep` brings everything back to the funder (the network's first account): their balances
 *   in the markets the file records (and `--market`), the fees and revenue those owe the funder, their tokens, and
 *   their ETH. Safe to re-run: what holds nothing is left alone.
 */
import path from "node:path";
import { task, types, vars } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { z } from "zod";
import { addressArg, fail, orFail, parseArgs, report, signerFrom } from "./utils";

/**
 * The agents' mnemonic for the connected chain, and the wallet file: the configuration variable, else the file's;
 * with `create`, a new one is generated into the file. The file must be outside the repository.
 */
export async function agentMnemonicFor(hre: HardhatRuntimeEnvironment, taskName: string, create: boolean) {
  const { AGENT_MNEMONIC_VAR, agentMnemonic, walletStoreDir, walletStorePath } =
    await import("../src/common/walletStore");
  const dir = path.resolve(walletStoreDir());
  const inside = path.relative(hre.config.paths.root, dir);
  if (!inside.startsWith("..") && !path.isAbsolute(inside)) {
    fail(`${taskName}: the wallet folder ${dir} is inside the repository: set CLEARHOUSE_HOME to a folder outside it`);
  }
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  const file = walletStorePath(chainId, dir);
  const configured = vars.has(AGENT_MNEMONIC_VAR) ? vars.get(AGENT_MNEMONIC_VAR) : undefined;
  const mnemonic = await orFail(taskName, async () => agentMnemonic({ configured, file, create }));
  const source = {
    configured: `configuration variable ${AGENT_MNEMONIC_VAR}`,
    saved: `the mnemonic saved in ${file}`,
    generated: `a new mnemonic, saved in ${file} (mode 0600: keep it, wallets:sweep needs it after a crash)`,
  }[mnemonic.source];
  return { ...mnemonic, chainId, describe: source };
}

/** A comma-separated list of addresses (empty: none). */
const addressList = z
  .string()
  .optional()
  .transform((s) => (s ? s.split(",").map((a) => a.trim()) : []))
  .pipe(z.array(addressArg));

const walletFlags = {
  count: z.number().int().min(1).max(10_000).optional(),
  json: z.boolean(),
};

/** The wallets to act on: `--count`, else as many as the wallet file records. */
async function walletsFor(hre: HardhatRuntimeEnvironment, taskName: string, count: number | undefined) {
  const { AGENT_FIRST_INDEX, deriveWallets } = await import("../src/chain/wallets");
  const { readWalletStore } = await import("../src/common/walletStore");
  const m = await agentMnemonicFor(hre, taskName, false);
  const store = await orFail(taskName, async () => readWalletStore(m.file));
  const n = count ?? store?.count ?? 0;
  if (n === 0) fail(`${taskName}: no agent wallets recorded in ${m.file}: say how many with --count`);
  const wallets = deriveWallets(m.phrase, n, { provider: hre.ethers.provider });
  return { m, wallets, markets: store?.markets ?? [], firstIndex: AGENT_FIRST_INDEX };
}

task("wallets:list", "The agent wallets (HD, from the agents' mnemonic): addresses and balances")
  .addOptionalParam("count", "How many wallets (default: as many as clearing:play funded)", undefined, types.int)
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args, hre) => {
    const o = parseArgs("wallets:list", z.object(walletFlags), args);
    const { m, wallets, markets, firstIndex } = await walletsFor(hre, "wallets:list", o.count);
    const { Contract, ZeroAddress, formatEther } = await import("ethers");
    const { MARKET_INTERFACE } = await import("../src/clearing/parties/abi");
    const provider = hre.ethers.provider;
    // The recorded markets still on this chain, and their assets.
    const live = (
      await Promise.all(
        markets.map(async (address) => {
          if ((await provider.getCode(address)) === "0x") return [];
          const market = new Contract(address, MARKET_INTERFACE, provider);
          return [{ address, market, asset: (await market.asset()) as string }];
        }),
      )
    ).flat();
    const rows = await Promise.all(
      wallets.map(async (w, i) => {
        const inMarkets = await Promise.all(
          live.map(async (l) => {
            const a = await l.market.agents(w.address);
            const token =
              l.asset === ZeroAddress
                ? undefined
                : ((await new Contract(
                    l.asset,
                    ["function balanceOf(address) view returns (uint256)"],
                    provider,
                  ).balanceOf(w.address)) as bigint);
            return { market: l.address, asset: l.asset, free: a.free as bigint, reserved: a.reserved as bigint, token };
          }),
        );
        return { index: firstIndex + i, address: w.address, eth: await provider.getBalance(w.address), inMarkets };
      }),
    );
    const lines = [
      `${wallets.length} agent wallets (m/44'/60'/0'/0/${firstIndex}..${firstIndex + wallets.length - 1}) of ` +
        `${m.describe}, chain ${m.chainId}:`,
      ...rows.map(
        (r) =>
          `  #${r.index} ${r.address} ${formatEther(r.eth)} ETH` +
          r.inMarkets
            .map(
              (x) =>
                (x.token !== undefined ? `, ${formatEther(x.token)} of token ${x.asset}` : "") +
                (x.free + x.reserved > 0n
                  ? `, in market ${x.market}: free ${formatEther(x.free)}, reserved ${formatEther(x.reserved)}`
                  : ""),
            )
            .join(""),
      ),
      `  total ${formatEther(rows.reduce((s, r) => s + r.eth, 0n))} ETH; ` +
        (live.length ? `markets recorded: ${live.map((l) => l.address).join(", ")}` : "no market recorded"),
    ];
    await report(o.json, lines, { chainId: m.chainId, file: m.file, source: m.source, wallets: rows, markets });
  });

task("wallets:sweep", "Brings everything in the agent wallets (and their markets) back to the funder")
  .addOptionalParam("count", "How many wallets (default: as many as clearing:play funded)", undefined, types.int)
  .addOptionalParam("market", "Markets to recover the agents' balances from, besides those recorded (a,b)")
  .addOptionalParam("token", "Tokens to sweep, besides the recorded markets' assets (a,b)")
  .addOptionalParam("from", "The funder, who gets everything: an index into the network's accounts or an address")
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args, hre) => {
    const name = "wallets:sweep";
    const o = parseArgs(
      name,
      z.object({ ...walletFlags, market: addressList, token: addressList, from: z.string().optional() }),
      args,
    );
    const funder = await signerFrom(hre, name, o.from);
    const { m, wallets, markets } = await walletsFor(hre, name, o.count);
    const { ZeroAddress, formatEther } = await import("ethers");
    const { sweepWallets } = await import("../src/chain/wallets");
    const { updateWalletStore } = await import("../src/common/walletStore");
    const { recoverFromMarket } = await import("../src/clearing/chain/recovery");
    const provider = hre.ethers.provider;
    const all = [...new Set([...markets, ...o.market])];
    const recovered = [];
    for (const market of all)
      recovered.push(await orFail(name, () => recoverFromMarket(provider, market, wallets, funder)));
    const tokens = [
      ...new Set([...o.token, ...recovered.filter((r) => r.found && r.asset !== ZeroAddress).map((r) => r.asset)]),
    ];
    const sweep = await orFail(name, () => sweepWallets(provider, wallets, funder, { tokens }));
    // Every market recovered (or gone with its node) needs no recovery again.
    updateWalletStore(m.file, (s) => ({ ...s, markets: s.markets.filter((x) => !all.includes(x)) }));
    const units = (amount: bigint, asset: string) =>
      asset === ZeroAddress ? `${formatEther(amount)} ETH` : `${formatEther(amount)} of token ${asset}`;
    const marketLines = recovered.map((r) =>
      !r.found
        ? `  market ${r.market}: no contract on this chain any more, skipped`
        : `  market ${r.market}: the agents withdrew ${units(r.withdrawn, r.asset)}` +
          `${r.left ? ` (${r.left} left the open round first)` : ""}; the funder collected fees ` +
          `${units(r.fees, r.asset)} and revenue ${units(r.revenue, r.asset)}`,
    );
    const moved = recovered.reduce((s, r) => s + r.transactions, 0) + sweep.transactions;
    const tokenText = sweep.tokens.filter((t) => t.amount > 0n).map((t) => `, ${units(t.amount, t.address)}`);
    const summary =
      moved === 0
        ? `Nothing to sweep: ${wallets.length} agent wallets hold nothing` +
          (all.length ? ` and ${all.length} recorded markets owe them nothing` : "")
        : `Swept ${wallets.length} agent wallets back to ${funder.address}: ${formatEther(sweep.eth)} ETH` +
          tokenText.join("") +
          (sweep.dust ? ` (${formatEther(sweep.dust)} ETH left as dust: less than a transfer's gas)` : "");
    await report(o.json, [summary, ...marketLines], {
      chainId: m.chainId,
      funder: funder.address,
      transactions: moved,
      markets: recovered,
      sweep,
    });
  });
