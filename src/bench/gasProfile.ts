/**
 * Where a transaction's gas goes, from the node's opcode trace (`debug_traceTransaction`, which Hardhat's networks
 * answer): the intrinsic cost, storage reads (cold, 2,100 each, and warm), storage writes (to new slots, 20,000 or
 * more each, and to used ones), events, and the rest (computation, memory, account access, net of refunds). The
 * intrinsic cost counted is a call's (no contract creation, access list or calldata floor), and a refund comes out
 * of the rest, which goes negative for a call that clears much storage: the calls profiled clear none. The benchmark
 * profiles the market's typical close under each rationing rule, so that the uniform rule's extra cost is split
 * by what it is spent on, measured rather than estimated.
 */
import type { RpcProvider } from "../chain/batch";

export interface GasProfile {
  total: number;
  /** 21,000 plus the calldata (16 per non-zero byte, 4 per zero byte). */
  intrinsic: number;
  coldReads: number;
  coldReadGas: number;
  warmReadGas: number;
  newSlots: number;
  newSlotGas: number;
  usedSlotWriteGas: number;
  eventGas: number;
  /** Everything else: arithmetic, jumps, memory, hashing, net of refunds. */
  otherGas: number;
}

interface StructLog {
  op: string;
  gasCost: number;
}

/** EIP-2929: an SLOAD of a slot the transaction has not touched yet. */
const COLD_SLOAD = 2100;
/** EIP-2200: an SSTORE that makes a zero slot non-zero costs 20,000 (plus 2,100 when cold). */
const NEW_SLOT = 20000;

/** The profile of the mined transaction `hash`, or undefined when the node does not trace. */
export async function profileTransaction(provider: RpcProvider, hash: string): Promise<GasProfile | undefined> {
  let trace: { gas: number; structLogs: StructLog[] };
  try {
    trace = await provider.send("debug_traceTransaction", [
      hash,
      { disableMemory: true, disableStack: true, disableStorage: true },
    ]);
  } catch {
    return undefined;
  }
  const tx = await provider.getTransaction(hash);
  const receipt = await provider.getTransactionReceipt(hash);
  if (!tx || !receipt) return undefined;
  const data = tx.data.slice(2).match(/../g) ?? [];
  const intrinsic = 21000 + data.reduce((sum, byte) => sum + (byte === "00" ? 4 : 16), 0);
  const p: GasProfile = {
    total: Number(receipt.gasUsed),
    intrinsic,
    coldReads: 0,
    coldReadGas: 0,
    warmReadGas: 0,
    newSlots: 0,
    newSlotGas: 0,
    usedSlotWriteGas: 0,
    eventGas: 0,
    otherGas: 0,
  };
  for (const { op, gasCost } of trace.structLogs) {
    if (op === "SLOAD") {
      if (gasCost >= COLD_SLOAD) [p.coldReads, p.coldReadGas] = [p.coldReads + 1, p.coldReadGas + gasCost];
      else p.warmReadGas += gasCost;
    } else if (op === "SSTORE") {
      if (gasCost >= NEW_SLOT) [p.newSlots, p.newSlotGas] = [p.newSlots + 1, p.newSlotGas + gasCost];
      else p.usedSlotWriteGas += gasCost;
    } else if (op.startsWith("LOG")) p.eventGas += gasCost;
  }
  p.otherGas = p.total - p.intrinsic - p.coldReadGas - p.warmReadGas - p.newSlotGas - p.usedSlotWriteGas - p.eventGas;
  return p;
}
