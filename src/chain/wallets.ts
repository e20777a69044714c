/**
 * Agent wallets from one funded key, as a testnet user has: HD wallets derived from a mnemonic (kept as
 * src/common/walletStore.ts says), funded from the key within a budget (funding.ts) and swept back to it
 * afterwards. Every step reads the chain first and sends only what is missing, so each is safe to re-run (after a
 * crash, say); a refusal comes before anything is sent, in one line. Needs only ethers: the Hardhat tasks and the
 * tests call it with any provider and signers.
 */
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
} from "ethers";
import { WalletError } from "../common/walletError";
import { ERC20_ABI, TOKEN_ERRORS } from "./erc20";
import { BatchSender, type RpcProvider, type Send } from "./batch";
import { PERMIT_ABI } from "./permit";

export { WalletError };

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

/** A signer that knows its address without a request (ethers' wallets, Hardhat's signers). */
export type AddressedSigner = Signer & { readonly address: string };

/** The token calls the wallets make, and a standard token's errors. */
export const TOKEN_INTERFACE = new Interface([...ERC20_ABI, ...PERMIT_ABI, ...TOKEN_ERRORS.fragments]);

export const tokenAt = (address: string, runner: Provider | Signer) => new Contract(address, TOKEN_INTERFACE, runner);

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

export async function tokenUnits(token: string, provider: Provider, amount: bigint): Promise<string> {
  const decimals = await tokenAt(token, provider)
    .decimals()
    .then(Number)
    .catch(() => 18);
  return `${formatUnits(amount, decimals).replace(/\.0$/, "")} of token ${token}`;
}

/** A plain ETH transfer for a batch sender group; `fees`, if given, replace the sender's fee fields. */
export function transfer(from: Signer, to: string, value: bigint, fees?: TransactionRequest): Send {
  return {
    from,
    gasLimit: WALLET_GAS.ethTransfer,
    send: ({ gasLimit, nonce, ...senderFees }) =>
      from.sendTransaction({ to, value, gasLimit, nonce, ...(fees ?? senderFees) }),
  };
}

/** A token call for a batch sender group. */
export function tokenCall(from: Signer, token: string, gasLimit: bigint, method: string, args: unknown[]): Send {
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
