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
      const last = this.trail.lastTx.get(subject.toLowerCase());
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
  cmp.same("contract", {
    round: [s.round, model.round],
    submitted: [s.submitted, model.submitted],
    positive: [s.positive, model.positive],
    active: [s.active, model.active],
    version: [s.version, model.version],
    pendingVersion: [s.pendingVersion, model.pendingVersion],
    feesAccrued: [await c.feesAccrued(at), model.feesAccrued],
    revenueAccrued: [await c.revenueAccrued(at), model.revenueAccrued],
    totalLiabilities: [await c.totalLiabilities(at), model.totalLiabilities],
    feeRecipient: [String(await c.feeRecipient(at)).toLowerCase(), model.feeRecipient.toLowerCase()],
    revenueRecipient: [String(await c.revenueRecipient(at)).toLowerCase(), model.revenueRecipient.toLowerCase()],
  });
  const b = await c.bracket(at);
  const mb = model.bracket;
  cmp.same("contract", {
    "price state lo": [b.lo, mb.lo],
    "price state hi": [b.hi, mb.hi],
    "price state hasLo": [b.hasLo, mb.hasLo],
    "price state hasHi": [b.hasHi, mb.hasHi],
    "price state excessLo": [b.excessLo, mb.excessLo],
    "price state shortfallHi": [b.shortfallHi, mb.shortfallHi],
    "price state lastMoved": [b.lastMoved, mb.lastMoved],
    "price state gapConfirmed": [b.gapConfirmed, mb.gapConfirmed],
    "price state stepsLeft": [b.stepsLeft, mb.stepsLeft],
    "price state loChecked": [b.loChecked, mb.loChecked],
  });
  for (const [version, p] of model.params) {
    const onChain = await c.params(version, at);
    cmp.same(`parameters version ${version}`, {
      capacity: [onChain.capacity, p.capacity],
      tau: [onChain.tau, p.tau],
      fixedFee: [onChain.fixedFee, p.fixedFee],
      eta: [onChain.eta, p.eta],
      startRound: [onChain.startRound, p.startRound],
      rule: [onChain.rule, p.rule],
      rationing: [onChain.rationing, p.rationing],
      tolPrimal: [onChain.tolPrimal, p.tolPrimal],
      tolDual: [onChain.tolDual, p.tolDual],
      roundDuration: [onChain.roundDuration, p.roundDuration],
    });
  }
  for (const [round, r] of model.rounds) {
    const onChain = await c.rounds(round, at);
    cmp.same(`round ${round}`, { totalDemand: [onChain.totalDemand, r.totalDemand], mu: [onChain.mu, r.mu] });
  }
  for (const [agent, books] of model.agents) {
    const onChain = await c.agents(agent, at);
    cmp.same(`agent ${agent}`, {
      free: [onChain.free, books.free],
      reserved: [onChain.reserved, books.reserved],
      demand: [onChain.demand, books.demand],
      round: [onChain.round, books.round],
      version: [onChain.version, books.version],
      active: [onChain.active, books.active],
      lastSeen: [onChain.lastSeen, books.lastSeen],
    });
  }
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
