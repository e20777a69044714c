/**
 * Funding agent wallets from one key within a budget: what each wallet needs (ETH for its deposit and gas; a token
 * and the spender's allowance, by an approval or an EIP-2612 permit), refused in one line before anything is sent
 * when the budget or the funder is short, then sent, reading the chain first so that a re-run sends only what is
 * missing. The wallets are derived and swept by wallets.ts.
 */
import { type Provider, formatEther, formatUnits } from "ethers";
import { WalletError } from "../common/walletError";
import {
  type AddressedSigner,
  TOKEN_INTERFACE,
  WALLET_GAS,
  eth,
  maxFeePerGas,
  tokenAt,
  tokenCall,
  tokenUnits,
  transfer,
} from "./wallets";
import { BatchSender, type RpcProvider, type Send } from "./batch";
import { NoPermitError, signTokenPermit } from "./permit";

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
