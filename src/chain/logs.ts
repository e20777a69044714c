/**
 * Reading a contract's event log: from its deployment block on, in pages of blocks, decoded
 * with its ABI alone (no view calls). The driver, the auditor and the report read through it.
 */
import { type Interface, type LogDescription, type Provider } from "ethers";

export interface DecodedLog {
  blockNumber: number;
  txHash: string;
  logIndex: number;
  name: string;
  args: LogDescription["args"];
}

/** The first block at which `address` has code (binary search over eth_getCode). */
export async function deploymentBlock(provider: Provider, address: string, latest: number): Promise<number> {
  if ((await provider.getCode(address, latest)) === "0x") throw new LogReadError(`no contract at ${address}`);
  let lo = 0;
  let hi = latest;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await provider.getCode(address, mid)) === "0x") lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The log cannot be read as this contract's: no contract at the address, or an event not of its ABI. */
export class LogReadError extends Error {}

export interface FetchOptions {
  fromBlock?: number;
  toBlock?: number;
  pageSize?: number;
  onPage?: (done: number, total: number) => void;
}

/** Every log of `address`, decoded with `iface`, in chain order. Unknown events are an error. */
export async function fetchDecodedLogs(
  provider: Provider,
  address: string,
  iface: Interface,
  opts: FetchOptions = {},
): Promise<DecodedLog[]> {
  const latest = opts.toBlock ?? (await provider.getBlockNumber());
  const from = opts.fromBlock ?? (await deploymentBlock(provider, address, latest));
  const page = opts.pageSize ?? 2000;
  const out: DecodedLog[] = [];
  const pages = Math.max(1, Math.ceil((latest - from + 1) / page));
  for (let start = from, i = 0; start <= latest; start += page, i++) {
    const logs = await provider.getLogs({ address, fromBlock: start, toBlock: Math.min(latest, start + page - 1) });
    for (const log of logs) {
      const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
      if (!parsed)
        throw new LogReadError(`log ${log.transactionHash}#${log.index} is not an event of this contract's ABI`);
      out.push({
        blockNumber: log.blockNumber,
        txHash: log.transactionHash,
        logIndex: log.index,
        name: parsed.name,
        args: parsed.args,
      });
    }
    opts.onPage?.(i + 1, pages);
  }
  out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  return out;
}

/** Logs grouped by transaction, in order. */
export function byTransaction(logs: DecodedLog[]): DecodedLog[][] {
  const groups: DecodedLog[][] = [];
  for (const log of logs) {
    const last = groups[groups.length - 1];
    if (last && last[0].txHash === log.txHash) last.push(log);
    else groups.push([log]);
  }
  return groups;
}
