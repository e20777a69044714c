/**
 * A refused call in one line: the custom error a contract reverted with, decoded against the interfaces the
 * caller knows, with its arguments. Needs only ethers (the parties' libraries and the commands share it).
 */
import type { Interface } from "ethers";

/** The custom error a call reverted with and its arguments, when one of `interfaces` has it. */
export function decodeRevert(
  e: unknown,
  interfaces: readonly Interface[],
): { name: string; args: readonly unknown[] } | undefined {
  const err = e as {
    revert?: { name: string; args: unknown[] };
    data?: unknown;
    error?: { data?: unknown };
  };
  let revert = err.revert;
  // A node that cannot decode an error (a token's, say) leaves its data in the message.
  const inMessage = /return data: (0x[0-9a-fA-F]+)/.exec(e instanceof Error ? e.message : String(e))?.[1];
  // A Hardhat node's JSON-RPC error (`--network localhost`) carries it as `data.data`, beside its own wording;
  // sent by ethers' JsonRpcSigner (a node's unlocked account, as the web app does), as `error.data.data`.
  const rpcData = (err.data as { data?: unknown } | undefined)?.data;
  const signerData = (err.error?.data as { data?: unknown } | undefined)?.data;
  for (const data of [err.data, err.error?.data, rpcData, signerData, inMessage]) {
    if (revert || typeof data !== "string" || data.length < 10) continue;
    for (const iface of interfaces) {
      const parsed = iface.parseError(data);
      if (parsed) {
        revert = { name: parsed.name, args: [...parsed.args] };
        break;
      }
    }
  }
  return revert;
}

/** The first line of a revert, naming the custom error and its arguments when one of `interfaces` has it. */
export function describeRevert(e: unknown, interfaces: readonly Interface[]): string {
  const revert = decodeRevert(e, interfaces);
  if (revert) return `${revert.name}(${revert.args.map(String).join(", ")})`;
  // Mined and reverted without data (sent while another transaction changed the state first): say where.
  const mined = e as { shortMessage?: string; receipt?: { blockNumber: number; hash: string } };
  if (mined.receipt)
    return `${mined.shortMessage ?? "reverted"} in block ${mined.receipt.blockNumber} (${mined.receipt.hash})`;
  const m = (mined.shortMessage ?? (e instanceof Error ? e.message : String(e))).split("\n")[0];
  const custom = /custom error '([^']+)'/.exec(m);
  return custom ? custom[1] : m;
}
