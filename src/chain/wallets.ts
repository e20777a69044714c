/**
 * Agent wallets from one funded key, as a testnet user has: HD wallets derived from a mnemonic, funded from the
 * key within a budget (ETH for their deposits and gas; a token, and the spender's allowance by an approval or an
 * EIP-2612 permit), and swept back to it afterwards. Every step reads the chain first and sends only what is
 * missing, so each is safe to re-run (after a crash, say); a refusal comes before anything is sent, in one line.
 *
 * The mnemonic comes from a Hardhat configuration variable or, failing that, is generated once and kept in a file
 * outside the repository (mode 0600), which also records what a later sweep needs (how many wallets, the markets
 * they joined). No key or phrase is ever printed or written anywhere else.
 *
 * Needs only ethers and Node: the Hardhat tasks and the tests call it with any provider and signers.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  Contract,
  HDNodeWallet,
  Interface,
  Mnemonic,
  type Provider,
  type Signer,
  type TransactionRequest,
  formatEther,
  formatUnits,
  randomBytes,
} from "ethers";
import { z } from "zod";
import { TOKEN_ERRORS } from "../exchange/parties/abi";
import { BatchSender, type RpcProvider, type Send } from "./batch";
import { NoPermitError, PERMIT_ABI, signTokenPermit } from "./permit";

/** The Hardhat configuration variable that holds the agents' mnemonic (`npx hardhat vars set ...`). */
export const AGENT_MNEMONIC_VAR = "CLEARHOUSE_AGENT_MNEMONIC";
/** BIP-44 account path of Ethereum; agent `i` is its child `AGENT_FIRST_INDEX + i`. */
export const AGENT_PATH = "m/44'/60'/0'/0";
/**
 * The agents' first index on that path. Development nodes (and Hardhat's 210 in-process accounts) fund indices 0,
 * 1, ... of their mnemonic: agents far past them never collide with a funder, should the same mnemonic be used.
 */
export const AGENT_FIRST_INDEX = 1000;

/**
 * Fixed gas limits of the wallets' own transactions: a budget counts a transaction at its limit (a node admits it
 * only if its sender holds that much at the fee cap), and no estimate round trip is needed. A plain transfer to an
 * account without code takes exactly 21,000; the token calls are far above a standard ERC-20's use.
 */
export const WALLET_GAS = { ethTransfer: 21_000n, tokenTransfer: 100_000n, approve: 100_000n, permit: 150_000n };

/** A refusal or a problem of the wallets (a short budget, a bad mnemonic, a store that cannot be read): one line. */
export class WalletError extends Error {}

/** A signer that knows its address without a request (ethers' wallets, Hardhat's signers). */
export type AddressedSigner = Signer & { readonly address: string };

const TOKEN_INTERFACE = new Interface([
  "function balanceOf(address owner) view returns (uint256)",
  "function decimals() view returns (uint8)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function transfer(address to, uint256 amount) returns (bool)",
  ...PERMIT_ABI,
  ...TOKEN_ERRORS.fragments,
]);

const tokenAt = (address: string, runner: Provider | Signer) => new Contract(address, TOKEN_INTERFACE, runner);

// ------------------------------------------------------------------ derivation

/** `count` wallets of `mnemonic` at `m/44'/60'/0'/0/(firstIndex + i)`, connected to `provider` if given. */
export function deriveWallets(
  mnemonic: string,
  count: number,
  opts: { provider?: Provider; firstIndex?: number } = {},
): HDNodeWallet[] {
  if (!Mnemonic.isValidMnemonic(mnemonic)) throw new WalletError("the agents' mnemonic is not a valid BIP-39 phrase");
  const first = opts.firstIndex ?? AGENT_FIRST_INDEX;
  // One seed derivation (PBKDF2) for all: each wallet is a child of the account node.
  const account = HDNodeWallet.fromPhrase(mnemonic, undefined, AGENT_PATH);
  return Array.from({ length: count }, (_, i) => {
    const w = account.deriveChild(first + i);
    return opts.provider ? w.connect(opts.provider) : w;
  });
}

// ------------------------------------------------------------------ where the mnemonic is kept

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

// ------------------------------------------------------------------ fees

/** Fee fields for a price per gas: EIP-1559 ones where the node has a base fee, else a legacy gas price. */
interface FeeQuote {
  /** The price a transaction pays at most per gas. */
  perGas: bigint;
  eip1559: boolean;
}

async function currentFee(provider: Provider): Promise<FeeQuote> {
  const fees = await provider.getFeeData();
  if (fees.maxFeePerGas !== null) return { perGas: fees.maxFeePerGas, eip1559: true };
  if (fees.gasPrice !== null) return { perGas: fees.gasPrice, eip1559: false };
  throw new WalletError("the node tells no gas price");
}

/**
 * The most a transaction of a run is counted to pay per gas: twice the fee cap the node suggests now (ethers' and
 * the batch sender's caps follow the base fee, which may double while a run lasts).
 */
export async function maxFeePerGas(provider: Provider): Promise<bigint> {
  return 2n * (await currentFee(provider)).perGas;
}

/** Wei as ETH with at most 6 decimals (rounded up, so that a stated need is never below the real one). */
export function eth(wei: bigint): string {
  const micro = (wei + 10n ** 12n - 1n) / 10n ** 12n;
  return formatEther(micro * 10n ** 12n).replace(/\.0$/, "");
}

async function tokenUnits(token: string, provider: Provider, amount: bigint): Promise<string> {
  const decimals = await tokenAt(token, provider)
    .decimals()
    .then(Number)
    .catch(() => 18);
  return `${formatUnits(amount, decimals).replace(/\.0$/, "")} of token ${token}`;
}

// ------------------------------------------------------------------ funding

/** What each wallet needs for a run. */
export interface WalletNeeds {
  /** ETH each wallet pays into contracts (a native market's deposits). */
  value: bigint;
  /** Gas of the transactions each wallet sends in the run (the sum of their gas limits). */
  gas: bigint;
  /** A token each wallet must hold, which the spender named at funding may then take. */
  token?: { address: string; amount: bigint };
}

/** A funding to check and send: who pays, whom, for what, within what. */
export interface FundingRequest {
  funder: AddressedSigner;
  /** The wallets, connected to the provider (they sign their approvals, permits and sweeps). */
  wallets: readonly AddressedSigner[];
  needs: WalletNeeds;
  /** ETH the funding may send at most (default: what it needs). */
  budget?: bigint;
  /** ETH the funder needs for its own transactions of the run besides the funding's (a deployment, closes). */
  funderReserve?: bigint;
  /** The most a transaction pays per gas (default: {@link maxFeePerGas} now). */
  maxFeePerGas?: bigint;
}

/** The funding, checked: what each wallet holds, what it gets, what it costs. */
export interface FundingPlan {
  request: FundingRequest;
  funder: string;
  maxFeePerGas: bigint;
  /** What each wallet must hold before the run: `value` plus gas for its transactions, its approval and its sweep. */
  each: { eth: bigint; value: bigint; gas: bigint; token: bigint };
  wallets: { address: string; balance: bigint; tokenBalance: bigint; eth: bigint; token: bigint }[];
  /** ETH sent to the wallets in all (what the budget bounds), and the token. */
  eth: bigint;
  token: bigint;
  budget: bigint;
  /** How the spender gets its allowance: the funder submits each wallet's permit, or each wallet approves. */
  allowance: "permit" | "approve" | "none";
  /** The most the funder's own transactions may cost: the funding's and the reserve asked for. */
  funderCost: bigint;
}

/**
 * Checks a funding before anything is sent: each wallet's need (its `value`, and gas at `maxFeePerGas` for its
 * transactions, its approval where the token has no permit, and its own sweep), what it holds already, the budget,
 * and the funder's ETH and token balances. Refuses with a {@link WalletError} that says how much is needed.
 */
export async function planFunding(provider: Provider, req: FundingRequest): Promise<FundingPlan> {
  const funder = req.funder.address;
  for (const [i, w] of req.wallets.entries()) {
    if (w.address.toLowerCase() === funder.toLowerCase())
      throw new WalletError(`agent wallet ${i} is the funder ${funder}: use another mnemonic or index`);
  }
  const fee = req.maxFeePerGas ?? (await maxFeePerGas(provider));
  const token = req.needs.token;
  const allowance = !token ? "none" : (await hasPermit(provider, token.address, funder)) ? "permit" : "approve";
  const walletGas =
    req.needs.gas +
    (allowance === "approve" ? WALLET_GAS.approve : 0n) +
    WALLET_GAS.ethTransfer +
    (token ? WALLET_GAS.tokenTransfer : 0n);
  const each = { value: req.needs.value, gas: walletGas * fee, eth: 0n, token: token?.amount ?? 0n };
  each.eth = each.value + each.gas;
  const wallets = await Promise.all(
    req.wallets.map(async (w) => {
      const [balance, tokenBalance] = await Promise.all([
        provider.getBalance(w.address),
        token ? (tokenAt(token.address, provider).balanceOf(w.address) as Promise<bigint>) : 0n,
      ]);
      const topUp = (need: bigint, has: bigint) => (need > has ? need - has : 0n);
      return {
        address: w.address,
        balance,
        tokenBalance,
        eth: topUp(each.eth, balance),
        token: topUp(each.token, tokenBalance),
      };
    }),
  );
  const total = wallets.reduce((s, w) => s + w.eth, 0n);
  const tokenTotal = wallets.reduce((s, w) => s + w.token, 0n);
  const budget = req.budget ?? total;
  const n = req.wallets.length;
  if (total > budget) {
    throw new WalletError(
      `budget ${eth(budget)} ETH is short: ${n} agent wallets need ${eth(total)} ETH ` +
        `(${eth(each.eth)} each: ${eth(each.value)} deposit + ${eth(each.gas)} gas at up to ` +
        `${formatUnits(fee, "gwei")} gwei)`,
    );
  }
  const funderGas =
    BigInt(wallets.filter((w) => w.eth > 0n).length) * WALLET_GAS.ethTransfer +
    BigInt(wallets.filter((w) => w.token > 0n).length) * WALLET_GAS.tokenTransfer +
    (allowance === "permit" ? BigInt(n) * WALLET_GAS.permit : 0n);
  const funderCost = funderGas * fee + (req.funderReserve ?? 0n);
  const funderBalance = await provider.getBalance(funder);
  if (funderBalance < total + funderCost) {
    throw new WalletError(
      `funder ${funder} holds ${formatEther(funderBalance)} ETH; the run needs ${eth(total + funderCost)} ETH ` +
        `(${eth(total)} for ${n} agent wallets, ${eth(funderCost)} for its own transactions)`,
    );
  }
  if (token && tokenTotal > 0n) {
    const held = (await tokenAt(token.address, provider).balanceOf(funder)) as bigint;
    if (held < tokenTotal) {
      throw new WalletError(
        `funder ${funder} holds ${await tokenUnits(token.address, provider, held)}; ` +
          `${n} agent wallets need ${await tokenUnits(token.address, provider, tokenTotal)}`,
      );
    }
  }
  return {
    request: req,
    funder,
    maxFeePerGas: fee,
    each,
    wallets,
    eth: total,
    token: tokenTotal,
    budget,
    allowance,
    funderCost,
  };
}

/** True when `token` tells its EIP-712 domain and permit nonces (EIP-2612 with ERC-5267). */
async function hasPermit(provider: Provider, token: string, owner: string): Promise<boolean> {
  const t = tokenAt(token, provider);
  try {
    await Promise.all([t.eip712Domain(), t.nonces(owner)]);
    return true;
  } catch {
    return false;
  }
}

/** What a funding sent. */
export interface FundingResult {
  eth: bigint;
  token: bigint;
  permits: number;
  approvals: number;
  transactions: number;
}

/**
 * Sends a checked plan: the funder's ETH and token transfers (and, for a token with permits, each wallet's permit
 * for `spender`, signed by the wallet and submitted by the funder) as one group, then the approvals of the wallets
 * whose token has none. Transfers are the plan's top-ups; an allowance already large enough is left alone.
 */
export async function executeFunding(
  provider: RpcProvider,
  plan: FundingPlan,
  opts: { spender?: string } = {},
): Promise<FundingResult> {
  const { funder, wallets } = plan.request;
  const token = plan.request.needs.token;
  if (token && !opts.spender) throw new WalletError("funding: a token needs the spender to allow");
  const sender = await BatchSender.create(provider, TOKEN_INTERFACE);
  const result: FundingResult = { eth: 0n, token: 0n, permits: 0, approvals: 0, transactions: 0 };
  await sender.run(async () => {
    const fromFunder: Send[] = [];
    for (const w of plan.wallets) {
      if (w.eth > 0n) {
        fromFunder.push(transfer(funder, w.address, w.eth));
        result.eth += w.eth;
      }
      if (token && w.token > 0n) {
        fromFunder.push(tokenCall(funder, token.address, WALLET_GAS.tokenTransfer, "transfer", [w.address, w.token]));
        result.token += w.token;
      }
    }
    const approvals: Send[] = [];
    if (token && opts.spender) {
      const spender = opts.spender;
      const short = (
        await Promise.all(
          wallets.map(async (w) => {
            const allowed = (await tokenAt(token.address, provider).allowance(w.address, spender)) as bigint;
            return allowed < token.amount ? [w] : [];
          }),
        )
      ).flat();
      if (plan.allowance === "permit") {
        const now = (await provider.getBlock("latest"))!.timestamp;
        // An hour is ample: the funder submits them in the next block.
        const deadline = BigInt(now + 3600);
        for (const w of short) {
          const p = await signTokenPermit(w, token.address, spender, token.amount, deadline).catch((e) => {
            throw e instanceof NoPermitError ? new WalletError(`funding: ${e.message}`) : e;
          });
          const args = [w.address, spender, token.amount, p.deadline, p.v, p.r, p.s];
          fromFunder.push(tokenCall(funder, token.address, WALLET_GAS.permit, "permit", args));
        }
        result.permits = short.length;
      } else {
        for (const w of short)
          approvals.push(tokenCall(w, token.address, WALLET_GAS.approve, "approve", [spender, token.amount]));
        result.approvals = short.length;
      }
    }
    await sender.group(fromFunder);
    // The approvals spend the gas the group above sent.
    await sender.group(approvals);
  });
  result.transactions = sender.transactions;
  return result;
}

/** Checks and sends a funding in one call ({@link planFunding}, then {@link executeFunding}). */
export async function fundWallets(
  provider: RpcProvider,
  req: FundingRequest,
  opts: { spender?: string } = {},
): Promise<{ plan: FundingPlan; result: FundingResult }> {
  const plan = await planFunding(provider, req);
  return { plan, result: await executeFunding(provider, plan, opts) };
}

/** A plain ETH transfer for a batch sender group; `fees`, if given, replace the sender's fee fields. */
function transfer(from: Signer, to: string, value: bigint, fees?: TransactionRequest): Send {
  return {
    from,
    gasLimit: WALLET_GAS.ethTransfer,
    send: ({ gasLimit, nonce, ...senderFees }) =>
      from.sendTransaction({ to, value, gasLimit, nonce, ...(fees ?? senderFees) }),
  };
}

/** A token call for a batch sender group. */
function tokenCall(from: Signer, token: string, gasLimit: bigint, method: string, args: unknown[]): Send {
  return {
    from,
    gasLimit,
    send: (o) =>
      tokenAt(token, from)
        .getFunction(method)
        .send(...args, o),
  };
}

/**
 * Sends each wallet short of `gas[i]` gas at `fee` per gas the difference from `funder`, so that a recovery never
 * stalls on a wallet that ran dry (the funder gets the rest back with the sweep). Returns the ETH sent.
 */
export async function topUpGas(
  provider: RpcProvider,
  funder: Signer,
  wallets: readonly AddressedSigner[],
  gas: readonly bigint[],
  fee: bigint,
): Promise<bigint> {
  const balances = await Promise.all(wallets.map((w) => provider.getBalance(w.address)));
  const sends = wallets.flatMap((w, i) => {
    const need = gas[i] * fee;
    return gas[i] > 0n && balances[i] < need ? [{ to: w.address, value: need - balances[i] }] : [];
  });
  if (sends.length === 0) return 0n;
  const sender = await BatchSender.create(provider, TOKEN_INTERFACE);
  await sender.run(() => sender.group(sends.map((s) => transfer(funder, s.to, s.value))));
  return sends.reduce((sum, s) => sum + s.value, 0n);
}

// ------------------------------------------------------------------ sweeping

/** What a sweep brought back. */
export interface SweepResult {
  /** ETH sent back to the funder, after the sweep's own gas. */
  eth: bigint;
  tokens: { address: string; amount: bigint }[];
  /** ETH the funder lent wallets too dry to pay for their token transfer (returned within `eth`). */
  lent: bigint;
  /** ETH left in wallets because it would not pay for its own transfer. */
  dust: bigint;
  transactions: number;
}

/**
 * Sends everything the wallets hold back to `to`: each token's balance first (their gas is paid in ETH), then each
 * wallet's ETH minus the transfer's own gas. The ETH transfer's fee is fixed (its cap equals its tip), so that its
 * cost is known in advance and the wallet ends at exactly zero. Re-running it finds nothing and sends nothing.
 */
export async function sweepWallets(
  provider: RpcProvider,
  wallets: readonly AddressedSigner[],
  to: AddressedSigner,
  opts: { tokens?: readonly string[] } = {},
): Promise<SweepResult> {
  const result: SweepResult = { eth: 0n, tokens: [], lent: 0n, dust: 0n, transactions: 0 };
  const tokens = [...new Set(opts.tokens ?? [])];
  const held = await Promise.all(
    tokens.map((t) => Promise.all(wallets.map((w) => tokenAt(t, provider).balanceOf(w.address) as Promise<bigint>))),
  );
  const tokenSends = tokens.flatMap((t, k) =>
    wallets.flatMap((w, i) => (held[k][i] > 0n ? [{ token: t, wallet: w, i, amount: held[k][i] }] : [])),
  );
  if (tokenSends.length > 0) {
    const gas = wallets.map((_, i) => BigInt(tokenSends.filter((s) => s.i === i).length) * WALLET_GAS.tokenTransfer);
    result.lent = await topUpGas(provider, to, wallets, gas, await maxFeePerGas(provider));
    const sender = await BatchSender.create(provider, TOKEN_INTERFACE);
    await sender.run(() =>
      sender.group(
        tokenSends.map((s) =>
          tokenCall(s.wallet, s.token, WALLET_GAS.tokenTransfer, "transfer", [to.address, s.amount]),
        ),
      ),
    );
    result.transactions += sender.transactions;
  }
  result.tokens = tokens.map((t) => ({
    address: t,
    amount: tokenSends.filter((s) => s.token === t).reduce((sum, s) => sum + s.amount, 0n),
  }));

  const fee = await currentFee(provider);
  // Cap = tip: the price paid is exactly the cap whatever the base fee (as long as the cap covers it).
  const fixed: TransactionRequest = fee.eip1559
    ? { maxFeePerGas: fee.perGas, maxPriorityFeePerGas: fee.perGas }
    : { gasPrice: fee.perGas };
  const cost = WALLET_GAS.ethTransfer * fee.perGas;
  const balances = await Promise.all(wallets.map((w) => provider.getBalance(w.address)));
  const ethSends: Send[] = [];
  wallets.forEach((w, i) => {
    if (balances[i] > cost) {
      ethSends.push(transfer(w, to.address, balances[i] - cost, fixed));
      result.eth += balances[i] - cost;
    } else result.dust += balances[i];
  });
  if (ethSends.length > 0) {
    const sender = await BatchSender.create(provider, TOKEN_INTERFACE);
    await sender.run(() => sender.group(ethSends));
    result.transactions += sender.transactions;
  }
  return result;
}
