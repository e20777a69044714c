/**
 * Where the agents' mnemonic is kept: a Hardhat configuration variable, or else a file outside the repository
 * (mode 0600, `~/.clearhouse/agents-<chainId>.json` or under `$CLEARHOUSE_HOME`), generated once, which also
 * records what a later sweep needs (how many wallets, the markets they joined). No phrase is printed or written
 * anywhere else. The wallets themselves are derived, funded and swept by src/chain/wallets.ts and funding.ts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Mnemonic, randomBytes } from "ethers";
import { z } from "zod";
import { WalletError } from "./walletError";

/** The Hardhat configuration variable that holds the agents' mnemonic (`npx hardhat vars set ...`). */
export const AGENT_MNEMONIC_VAR = "CLEARHOUSE_AGENT_MNEMONIC";

export { WalletError };

const storeSchema = z.object({
  /** Present only when generated here (a configured mnemonic is never copied into the file). */
  mnemonic: z.string().optional(),
  /** The most wallets any run funded: what a sweep covers. */
  count: z.number().int().nonnegative().default(0),
  /** Markets the wallets joined and that were not recovered yet, for a sweep after a crash. */
  markets: z.array(z.string()).default([]),
});
/** What the wallet file holds. */
export type WalletStore = z.infer<typeof storeSchema>;

/** The folder of the wallet files: `$CLEARHOUSE_HOME`, or `~/.clearhouse`. */
export function walletStoreDir(): string {
  return process.env.CLEARHOUSE_HOME || path.join(os.homedir(), ".clearhouse");
}

/** The wallet file of a chain: `<dir>/agents-<chainId>.json`. */
export function walletStorePath(chainId: bigint | number, dir = walletStoreDir()): string {
  return path.join(path.resolve(dir), `agents-${chainId}.json`);
}

/** The wallet file's content, or undefined when there is none. Tightens its mode to 0600 if it was looser. */
export function readWalletStore(file: string): WalletStore | undefined {
  if (!fs.existsSync(file)) return undefined;
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw new WalletError(`wallet file ${file} is not JSON`);
  }
  const parsed = storeSchema.safeParse(raw);
  if (!parsed.success)
    throw new WalletError(`wallet file ${file} is not a wallet file: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Changes the wallet file (created if absent): written whole to a fresh 0600 file, then renamed over the old one. */
export function updateWalletStore(file: string, change: (s: WalletStore) => WalletStore): WalletStore {
  const next = change(readWalletStore(file) ?? { count: 0, markets: [] });
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return next;
}

/** Where the agents' mnemonic came from. */
export interface AgentMnemonic {
  phrase: string;
  source: "configured" | "saved" | "generated";
  /** The wallet file (it holds the phrase only when saved or generated). */
  file: string;
}

/**
 * The agents' mnemonic: `configured` (the configuration variable) if set, else the one saved in `file`, else, with
 * `create`, a new one generated and saved there (mode 0600). Without `create` and with neither, a clear refusal.
 */
export function agentMnemonic(opts: { configured?: string; file: string; create: boolean }): AgentMnemonic {
  const configured = opts.configured?.trim();
  if (configured) {
    if (!Mnemonic.isValidMnemonic(configured)) {
      throw new WalletError(`configuration variable ${AGENT_MNEMONIC_VAR} is not a valid BIP-39 mnemonic`);
    }
    return { phrase: configured, source: "configured", file: opts.file };
  }
  const saved = readWalletStore(opts.file)?.mnemonic;
  if (saved) {
    if (!Mnemonic.isValidMnemonic(saved))
      throw new WalletError(`wallet file ${opts.file}: not a valid BIP-39 mnemonic`);
    return { phrase: saved, source: "saved", file: opts.file };
  }
  if (!opts.create) {
    throw new WalletError(
      `no agent mnemonic: set the configuration variable ${AGENT_MNEMONIC_VAR} ` +
        `(npx hardhat vars set ${AGENT_MNEMONIC_VAR}) or let clearing:play generate one into ${opts.file}`,
    );
  }
  const phrase = Mnemonic.fromEntropy(randomBytes(16)).phrase;
  updateWalletStore(opts.file, (s) => ({ ...s, mnemonic: phrase }));
  return { phrase, source: "generated", file: opts.file };
}
