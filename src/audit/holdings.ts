/**
 * The money half of the reconciliation that follows a replay (reconcile.ts compares the state; docs/auditing.md
 * says why both): the replay says what the contract owes, the node what it holds.
 *
 * - At every block with events, the contract's balance of each asset must move by exactly what its events say it
 *   took in or paid out, and after it the contract must hold at least what it owes; no money may leave between
 *   those blocks (money arriving without a call, a force-sent donation, is a note). Where the node has pruned
 *   the history, at the last block only, and the report says so.
 * - In each transaction with events, the asset's ERC-20 `Transfer` logs into and out of the contract must net
 *   to what its events say.
 */
import { Contract, type Provider, ZeroAddress, id as topicOf } from "ethers";
import { ERC20_ABI } from "../chain/erc20";
import type { Discrepancy } from "./findings";
import type { ReplayTrail } from "./trail";

const TRANSFER = topicOf("Transfer(address,address,uint256)");

export interface Holdings {
  /** Per asset at the last block: what the contract holds and what the replay says it owes. */
  balances: { asset: string; held: bigint; owed: bigint }[];
  /** "every block with events", or "the last block only" where the node keeps no history. */
  checked: "every block with events" | "the last block only";
  /** Money that arrived without a call (force-sent), per asset: not a finding, but reported. */
  notes: string[];
  findings: Discrepancy[];
}

async function balanceAt(provider: Provider, asset: string, holder: string, block: number): Promise<bigint> {
  if (asset === ZeroAddress.toLowerCase()) return provider.getBalance(holder, block);
  try {
    return (await new Contract(asset, ERC20_ABI, provider).balanceOf(holder, { blockTag: block })) as bigint;
  } catch (e) {
    // Before the token existed, nobody held any of it.
    if ((await provider.getCode(asset, block)) === "0x") return 0n;
    throw e;
  }
}

/** A finding about a block's transactions: the first names it, the subjects are those its transactions touched. */
function blockFinding(trail: ReplayTrail, block: number, message: string): Discrepancy {
  const txs = trail.txsOfBlock.get(block) ?? [];
  const subjects = [...new Set(txs.flatMap((t) => [...(trail.subjectsOfTx.get(t) ?? [])]))];
  return {
    subject: subjects.length ? subjects.join(", ") : "contract",
    txHash: txs[0] ?? "(none)",
    logIndex: -1,
    blockNumber: block,
    event: "balance",
    message: txs.length > 1 ? `${message} (transactions ${txs.join(", ")})` : message,
  };
}

/**
 * Money checks for `assets` (lower case; the zero address is ETH): across each block with events the balance
 * moves by what the events account for, after it the contract holds at least what it owes, and between such
 * blocks nothing leaves (what arrives is a note: anyone can force-send ETH or send a token).
 */
export async function checkHoldings(
  provider: Provider,
  contract: string,
  trail: ReplayTrail,
  assets: string[],
  latest: number,
): Promise<Holdings> {
  const out: Holdings = { balances: [], checked: "every block with events", notes: [], findings: [] };
  const blocks = [...trail.owedAfterBlock.keys()].sort((a, b) => a - b);
  const owedAt = (block: number, asset: string) => trail.owedAfterBlock.get(block)?.get(asset);
  const finalOwed = (asset: string) => {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const o = owedAt(blocks[i], asset);
      if (o !== undefined) return o;
    }
    return 0n;
  };
  try {
    // Whether the node serves state as of old blocks (an archive, or a development node), or has pruned it.
    if (blocks.length) await provider.getBalance(contract, blocks[0] - 1);
  } catch {
    out.checked = "the last block only";
  }
  for (const asset of assets) {
    const held = await balanceAt(provider, asset, contract, latest);
    const owed = finalOwed(asset);
    out.balances.push({ asset, held, owed });
    if (out.checked === "the last block only") {
      const last = blocks[blocks.length - 1] ?? latest;
      if (held < owed)
        out.findings.push(blockFinding(trail, last, `the contract holds ${held} of ${asset} but owes ${owed}`));
      if (held > owed) {
        out.findings.push(
          blockFinding(
            trail,
            last,
            `the contract holds ${held} of ${asset}, ${held - owed} more than it owes: money sent without a call, ` +
              "or payouts smaller than its events say (the node keeps no history to tell which)",
          ),
        );
      }
      continue;
    }
    let prevHeld = blocks.length ? await balanceAt(provider, asset, contract, blocks[0] - 1) : 0n;
    let prevOwed = 0n;
    let prevBlock = blocks.length ? blocks[0] - 1 : latest;
    const between = (before: bigint, from: number, to: number) => {
      if (before > prevHeld)
        out.notes.push(`${before - prevHeld} of ${asset} arrived without a call in blocks ${from + 1}-${to}`);
      if (before < prevHeld) {
        out.findings.push({
          subject: "contract",
          txHash: "(none)",
          logIndex: -1,
          blockNumber: to,
          event: "balance",
          message: `${prevHeld - before} of ${asset} left the contract in blocks ${from + 1}-${to} with no event`,
        });
      }
    };
    for (const block of blocks) {
      const before = block - 1 > prevBlock ? await balanceAt(provider, asset, contract, block - 1) : prevHeld;
      between(before, prevBlock, block - 1);
      const after = await balanceAt(provider, asset, contract, block);
      const owedAfter = owedAt(block, asset) ?? prevOwed;
      const moved = after - before;
      const accounted = owedAfter - prevOwed;
      if (moved !== accounted) {
        const what =
          moved < accounted
            ? `${accounted - moved} more left it (or less came in) than its events say`
            : `${moved - accounted} less left it (or more came in) than its events say`;
        out.findings.push(
          blockFinding(
            trail,
            block,
            `the contract's balance of ${asset} moved by ${moved}, its events account for ${accounted}: ${what}`,
          ),
        );
      }
      if (after < owedAfter) {
        out.findings.push(
          blockFinding(trail, block, `after this block the contract holds ${after} of ${asset} but owes ${owedAfter}`),
        );
      }
      [prevHeld, prevOwed, prevBlock] = [after, owedAfter, block];
    }
    if (latest > prevBlock) between(held, prevBlock, latest);
  }
  return out;
}

/** In every transaction with events, the token's `Transfer` logs into and out of the contract, against the events. */
export async function checkTransfers(
  provider: Provider,
  contract: string,
  trail: ReplayTrail,
  tokens: string[],
): Promise<Discrepancy[]> {
  const findings: Discrepancy[] = [];
  if (tokens.length === 0) return findings;
  const me = contract.toLowerCase();
  const word = (address: string) => "0x" + address.slice(2).padStart(64, "0");
  for (const [txHash, change] of trail.owedChangeOfTx) {
    const receipt = await provider.getTransactionReceipt(txHash);
    if (!receipt) continue;
    for (const token of tokens) {
      let net = 0n;
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== token || log.topics[0] !== TRANSFER || log.topics.length !== 3) continue;
        const value = BigInt(log.data);
        if (log.topics[2].toLowerCase() === word(me)) net += value;
        if (log.topics[1].toLowerCase() === word(me)) net -= value;
      }
      const expected = change.get(token) ?? 0n;
      if (net !== expected) {
        const subjects = [...(trail.subjectsOfTx.get(txHash) ?? [])];
        findings.push({
          subject: subjects.length ? subjects.join(", ") : "contract",
          txHash,
          logIndex: -1,
          blockNumber: receipt.blockNumber,
          event: "Transfer",
          message:
            `the token's Transfer logs move ${net} of ${token} into the contract (net), ` +
            `its events account for ${expected}`,
        });
      }
    }
  }
  return findings;
}
