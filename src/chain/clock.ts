/**
 * The time a contract will judge the next call by: the timestamp of the block that call would be mined in. The
 * latest block's time is not it: a development node mines only when it gets a transaction (its latest block can
 * be minutes old), and a Hardhat node's clock runs ahead of the wall clock after blocks mined faster than one a
 * second. The node's pending block carries the right time; where a node has none, the later of the latest block's
 * time plus one second and the wall clock.
 */
import type { Provider } from "ethers";

export async function nextBlockTime(provider: Provider): Promise<bigint> {
  // Raw JSON-RPC: ethers' own `getBlock("pending")` refuses a pending block without a number (Hardhat's).
  const rpc = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
  const pending = (await rpc.send?.("eth_getBlockByNumber", ["pending", false]).catch(() => null)) as {
    timestamp?: string;
  } | null;
  if (pending?.timestamp && BigInt(pending.timestamp) > 0n) return BigInt(pending.timestamp);
  const latest = await provider.getBlock("latest");
  const wallClock = BigInt(Math.floor(Date.now() / 1000));
  const afterLatest = BigInt(latest?.timestamp ?? 0) + 1n;
  return afterLatest > wallClock ? afterLatest : wallClock;
}
