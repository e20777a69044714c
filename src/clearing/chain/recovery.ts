/**
 * Getting agent wallets' money out of a ClearingMarket, at the end of a run or after a crash: an agent with a demand
 * in the open round leaves (which releases its reservation), every agent withdraws its whole balance once its last
 * round is settled, and the funder collects the fees and revenue the market owes it. Reads first and sends only what
 * is owed, so a second recovery sends nothing. Needs only ethers (the market's ABI, no Hardhat).
 */
import { Contract, MaxUint256, type Signer, type TransactionReceipt } from "ethers";
import type { ClearingMarket } from "../../../typechain-types";
import { BatchSender, type RpcProvider, type Send } from "../../chain/batch";
import { decodeRevert } from "../../chain/revert";
import { type AddressedSigner, maxFeePerGas, topUpGas } from "../../chain/wallets";
import { MARKET_INTERFACE } from "../parties/abi";
import { GAS_LIMITS } from "./driver";

/** Gas limits of the recovery's calls (a withdrawal settles the agent's last round first). */
export const RECOVERY_GAS = { leave: GAS_LIMITS.leave, withdraw: 200_000n, settle: 150_000n, collect: 100_000n };

/** What a recovery did on one market. */
export interface MarketRecovery {
  market: string;
  /** False when no contract answers at the address (a node restarted since, say): nothing was done. */
  found: boolean;
  /** The market's asset (the zero address: ETH). */
  asset: string;
  /** Agents that left to release a reservation in the open round. */
  left: number;
  /** What the agents withdrew in all, into their wallets. */
  withdrawn: bigint;
  /** Agents with nothing to withdraw whose last round the funder settled (so that its charge is booked). */
  settled: number;
  /** What the funder collected as the fee and revenue recipient. */
  fees: bigint;
  revenue: bigint;
  /** ETH the funder lent wallets too dry to pay for their calls (it comes back with the sweep). */
  lent: bigint;
  transactions: number;
}

/**
 * Recovers `wallets`' balances in `market` into the wallets, and the fees and revenue owed to `funder` into the
 * funder (only where it is the recipient). Wallets too dry for their calls are lent the gas by the funder first.
 * The funder's own calls cost at most `RECOVERY_GAS.settle` per wallet and two `RECOVERY_GAS.collect`.
 */
export async function recoverFromMarket(
  provider: RpcProvider,
  market: string,
  wallets: readonly AddressedSigner[],
  funder: AddressedSigner,
): Promise<MarketRecovery> {
  const out: MarketRecovery = {
    market,
    found: false,
    asset: "",
    left: 0,
    withdrawn: 0n,
    settled: 0,
    fees: 0n,
    revenue: 0n,
    lent: 0n,
    transactions: 0,
  };
  if ((await provider.getCode(market)) === "0x") return out;
  out.found = true;
  const contract = new Contract(market, MARKET_INTERFACE, provider) as unknown as ClearingMarket;
  out.asset = await contract.asset();
  const fee = await maxFeePerGas(provider);
  const sender = await BatchSender.create(provider, MARKET_INTERFACE);
  const as = (s: Signer) => contract.connect(s) as ClearingMarket;
  const send = async (sends: Send[]): Promise<TransactionReceipt[]> => {
    const receipts = await sender.run(() => sender.group(sends));
    out.transactions += sends.length;
    return receipts;
  };

  const [{ round: open }, books] = await Promise.all([
    contract.state(),
    Promise.all(wallets.map((w) => contract.agents(w.address))),
  ]);
  // A demand in the open round holds its reservation until the round closes; leaving releases it now.
  const leaving = wallets.filter((_, i) => books[i].active && books[i].round === open);
  const owing = wallets.filter((_, i) => books[i].free > 0n || books[i].reserved > 0n || books[i].round !== 0n);
  const gas = wallets.map(
    (w) => (leaving.includes(w) ? RECOVERY_GAS.leave : 0n) + (owing.includes(w) ? RECOVERY_GAS.withdraw : 0n),
  );
  out.lent = await topUpGas(provider, funder, wallets, gas, fee);
  if (leaving.length > 0) {
    await send(leaving.map((w) => ({ from: w, gasLimit: RECOVERY_GAS.leave, send: (o) => as(w).leave(o) })));
    out.left = leaving.length;
  }

  const amounts = await Promise.all(owing.map((w) => withdrawable(contract, w.address)));
  // An agent left with nothing still has its last round to settle, which books that round's charge for the
  // recipients: the funder settles it (anyone may), since the agent withdraws nothing that would.
  const settleFor = owing.filter((w, i) => amounts[i] === 0n && books[wallets.indexOf(w)].round !== 0n);
  const withdrawals: Send[] = [
    ...owing.flatMap((w, i): Send[] =>
      amounts[i] > 0n ? [{ from: w, gasLimit: RECOVERY_GAS.withdraw, send: (o) => as(w).withdraw(amounts[i], o) }] : [],
    ),
    ...settleFor.map((w): Send => ({
      from: funder,
      gasLimit: RECOVERY_GAS.settle,
      send: (o) => as(funder).settle(w.address, o),
    })),
  ];
  await send(withdrawals);
  out.withdrawn = amounts.reduce((s, a) => s + a, 0n);
  out.settled = settleFor.length;

  // Settling the agents (above) is what books their last charges as fees and revenue: collected after it.
  const [feeRecipient, revenueRecipient, fees, revenue] = await Promise.all([
    contract.feeRecipient(),
    contract.revenueRecipient(),
    contract.feesAccrued(),
    contract.revenueAccrued(),
  ]);
  const mine = (a: string) => a.toLowerCase() === funder.address.toLowerCase();
  const collect: Send[] = [];
  if (mine(feeRecipient) && fees > 0n) {
    collect.push({ from: funder, gasLimit: RECOVERY_GAS.collect, send: (o) => as(funder).withdrawFees(o) });
    out.fees = fees;
  }
  if (mine(revenueRecipient) && revenue > 0n) {
    collect.push({ from: funder, gasLimit: RECOVERY_GAS.collect, send: (o) => as(funder).withdrawRevenue(o) });
    out.revenue = revenue;
  }
  await send(collect);
  return out;
}

/**
 * What `agent` can withdraw now: its free balance once its pending round is settled. The contract settles inside
 * `withdraw` before checking the amount, so a simulated withdrawal of everything there could be reverts with
 * `InsufficientBalance(amount, free)` naming the settled balance: one read, where settling first would cost a
 * transaction.
 */
async function withdrawable(contract: ClearingMarket, agent: string): Promise<bigint> {
  try {
    await contract.withdraw.staticCall(MaxUint256, { from: agent });
  } catch (e) {
    const revert = decodeRevert(e, [MARKET_INTERFACE]);
    if (revert?.name === "InsufficientBalance") return BigInt(revert.args[1] as bigint);
    throw e;
  }
  throw new Error(`recovery: a withdrawal of 2^256 - 1 by ${agent} would pass`);
}
