import type { Provider } from "ethers";

/**
 * What the transactions sent by `from` paid for gas in blocks (after, latest]: gas used times the price paid, read
 * from every block and receipt. A test's exact accounting of a funder's loss rests on it.
 */
export async function gasPaid(provider: Provider, from: readonly string[], after: number): Promise<bigint> {
  const who = new Set(from.map((a) => a.toLowerCase()));
  const latest = await provider.getBlockNumber();
  let total = 0n;
  for (let b = after + 1; b <= latest; b++) {
    const block = await provider.getBlock(b, true);
    for (const tx of block!.prefetchedTransactions) {
      if (!who.has(tx.from.toLowerCase())) continue;
      const receipt = await provider.getTransactionReceipt(tx.hash);
      total += receipt!.gasUsed * receipt!.gasPrice;
    }
  }
  return total;
}
