/**
 * The state half of the reconciliation (holdings.ts has the money half): the contract's views at the last block
 * (agents, rounds, price state, parameters, recipients, accrued fees and revenue, liabilities; deals, balances,
 * settings) against the replay's end state, each difference naming its subject and the last transaction that
 * set it.
 */
import { Contract, type Interface, type Provider } from "ethers";
import type { ClearingModel } from "../clearing/model/clearingMarket";
import type { Discrepancy } from "./findings";
import type { EscrowBooks } from "./escrowBooks";
import { Stage } from "./escrowBooks";
import type { ReplayTrail } from "./trail";

/** One comparison of a view with the replay; its finding names the subject and the last transaction that set it. */
class StateComparison {
  readonly findings: Discrepancy[] = [];
  constructor(
    private readonly trail: ReplayTrail,
    private readonly block: number,
  ) {}

  same(subject: string, fields: Record<string, [unknown, unknown]>): void {
    for (const [field, [onChain, replayed]] of Object.entries(fields)) {
      if (String(onChain) === String(replayed)) continue;
      const last =
        this.trail.lastTx.get(subject.toLowerCase()) ??
        (subject.startsWith("contract") ? this.trail.lastTx.get("contract") : undefined);
      this.findings.push({
        subject,
        txHash: last?.txHash ?? "(none)",
        logIndex: -1,
        blockNumber: last?.blockNumber ?? this.block,
        event: "state",
        message:
          `${field}: the contract stores ${onChain}, the replay says ${replayed} (read at block ${this.block}` +
          (last ? `; last set by this transaction, and no event since explains the difference)` : ")"),
      });
    }
  }
}

/** The named fields of a view's result and of the replay's record, side by side. */
function fields(keys: readonly string[], onChain: object, replayed: object): Record<string, [unknown, unknown]> {
  const [a, b] = [onChain as Record<string, unknown>, replayed as Record<string, unknown>];
  return Object.fromEntries(keys.map((k) => [k, [a[k], b[k]]]));
}

/** The market's views at block `block` against the replay's model. */
export async function reconcileMarketState(
  provider: Provider,
  address: string,
  abi: Interface,
  model: ClearingModel,
  trail: ReplayTrail,
  block: number,
): Promise<Discrepancy[]> {
  const c = new Contract(address, abi, provider);
  const at = { blockTag: block };
  const cmp = new StateComparison(trail, block);
  const s = await c.state(at);
  const counters = ["round", "submitted", "positive", "active", "version", "pendingVersion"] as const;
  cmp.same("contract", {
    ...fields(counters, s, model),
    levelHint: [s.levelHint, model.rationing.levelHint],
    feesAccrued: [await c.feesAccrued(at), model.feesAccrued],
    revenueAccrued: [await c.revenueAccrued(at), model.revenueAccrued],
    totalLiabilities: [await c.totalLiabilities(at), model.totalLiabilities],
    feeRecipient: [String(await c.feeRecipient(at)).toLowerCase(), model.feeRecipient.toLowerCase()],
    revenueRecipient: [String(await c.revenueRecipient(at)).toLowerCase(), model.revenueRecipient.toLowerCase()],
  });
  const bracket = ["lo", "hi", "hasLo", "hasHi", "excessLo", "shortfallHi", "lastMoved", "gapConfirmed", "stepsLeft"];
  cmp.same("contract (price state)", fields([...bracket, "loChecked"], await c.bracket(at), model.bracket));
  const params = ["capacity", "tau", "fixedFee", "eta", "startRound", "rule", "rationing", "tolPrimal", "tolDual"];
  for (const [version, p] of model.params) {
    cmp.same(`parameters version ${version}`, fields([...params, "roundDuration"], await c.params(version, at), p));
  }
  for (const [round, r] of model.rounds) {
    cmp.same(`round ${round}`, fields(["totalDemand", "mu"], await c.rounds(round, at), r));
  }
  const books = ["free", "reserved", "demand", "round", "version", "active", "lastSeen"] as const;
  for (const [agent, b] of model.agents) cmp.same(`agent ${agent}`, fields(books, await c.agents(agent, at), b));
  for (const account of model.allowed) {
    cmp.same(`account ${account}`, { allowed: [await c.allowed(account, at), true] });
  }
  return cmp.findings;
}

/** The escrow's views at block `block` against the replay's books. */
export async function reconcileEscrowState(
  provider: Provider,
  address: string,
  abi: Interface,
  books: EscrowBooks,
  trail: ReplayTrail,
  block: number,
): Promise<Discrepancy[]> {
  const c = new Contract(address, abi, provider);
  const at = { blockTag: block };
  const cmp = new StateComparison(trail, block);
  const [setting] = await c.burnSetting(at);
  cmp.same("contract", {
    tableCount: [await c.tableCount(at), books.tables],
    burnSetting: [setting, books.burnSettings - 1],
  });
  for (const [id, d] of books.deals) {
    const slot = await c.deals(id, at);
    const open = d.stage >= Stage.Offered && d.stage <= Stage.Fault;
    cmp.same(`deal ${id}`, {
      stage: [Stage[Number(slot.stage)], Stage[d.stage]],
      flags: [slot.flags, d.flags],
      createdAt: [slot.createdAt, d.createdAt],
      // A closed deal's deadline is no longer read by the contract.
      ...(open ? { deadline: [slot.deadline, d.deadline] } : {}),
    });
  }
  for (const [key, amount] of books.balances) {
    const [account, asset] = key.split(":");
    cmp.same(`balance ${account}:${asset}`, { balance: [await c.balances(account, asset, at), amount] });
  }
  return cmp.findings;
}
