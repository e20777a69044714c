/**
 * Exact off-chain model of `ClearingMarket`: the same state, the same integer arithmetic and the
 * same custom errors. Tests drive it beside the contract and compare; sweeps run it instead of
 * the chain; the auditor replays events through its pure functions.
 */
import { type Bracket, type Observation, adaptiveUpdate, emptyBracket } from "./adaptivePrice";
import { scheduledStep } from "./priceUpdate";
import { residuals, validateParams } from "./params";
import { LastSeenCounts } from "./lastSeen";
import { charge, reserveFor } from "./settlement";
import { RoundRationing } from "./roundRationing";
import {
  type AgentBooks,
  emptyAgentBooks,
  type MarketConfig,
  MarketError,
  MAX_QUANTITY,
  type Params,
  type ParamsInput,
  type RoundClosedEvent,
  type RoundRecord,
  type SettledEvent,
  StepRule,
} from "./types";

const U128 = (1n << 128n) - 1n;

/** The whole market, step for step as the contract. Time is passed in by the caller. */
export class ClearingModel {
  round = 1n;
  deadline: bigint;
  submitted = 0n;
  positive = 0n;
  active = 0n;
  version = 1n;
  pendingVersion = 1n;
  feesAccrued = 0n;
  revenueAccrued = 0n;
  totalLiabilities = 0n;
  feeRecipient: string;
  revenueRecipient: string;
  readonly allowListOnly: boolean;
  readonly rounds = new Map<bigint, RoundRecord>();
  readonly params = new Map<bigint, Params>();
  readonly agents = new Map<string, AgentBooks>();
  readonly allowed = new Set<string>();
  readonly lastSeen = new LastSeenCounts();
  bracket: Bracket = emptyBracket();
  readonly rationing = new RoundRationing();
  /** Settlements since the last `drainSettled()`, for callers that compare events. */
  settled: SettledEvent[] = [];

  constructor(cfg: MarketConfig, now: bigint) {
    this.feeRecipient = cfg.feeRecipient.toLowerCase();
    this.revenueRecipient = cfg.revenueRecipient.toLowerCase();
    this.allowListOnly = cfg.allowListOnly;
    const p = validateParams(cfg.params, 1n);
    this.params.set(1n, p);
    this.rounds.set(1n, { totalDemand: 0n, mu: 0n, version: 1n });
    this.deadline = now + p.roundDuration;
  }

  agent(addr: string): AgentBooks {
    const key = addr.toLowerCase();
    if (!this.agents.has(key)) this.agents.set(key, emptyAgentBooks());
    return this.agents.get(key)!;
  }

  currentParams = (): Params => this.params.get(this.version)!;
  mu = (): bigint => this.rounds.get(this.round)!.mu;

  join(addr: string, received: bigint): void {
    if (this.allowListOnly && !this.allowed.has(addr.toLowerCase())) throw new MarketError("NotAllowed");
    const a = this.agent(addr);
    if (a.active) throw new MarketError("AlreadyActive");
    if (a.free + a.reserved + received > U128) throw new MarketError("SafeCastOverflowedUintDowncast"); // first
    a.active = true;
    this.active += 1n;
    a.lastSeen = this.round;
    this.lastSeen.count(this.round, 1n);
    this.deposit(addr, received);
  }

  deposit(addr: string, received: bigint): void {
    const a = this.agent(addr);
    // Free and reserved together within 128 bits (a reservation returns to the free balance).
    if (a.free + a.reserved + received > U128) throw new MarketError("SafeCastOverflowedUintDowncast");
    a.free += received;
    this.totalLiabilities += received;
  }

  /** What a demand of `quantity` reserves in the open round (what its agent consents to). */
  reserveNow(quantity: bigint): bigint {
    return reserveFor(quantity, this.currentParams().tau, this.mu(), this.currentParams().fixedFee);
  }

  submitDemand(addr: string, round: bigint, quantity: bigint, maxReserve: bigint, now: bigint): void {
    const a = this.agent(addr);
    if (!a.active) throw new MarketError("NotActive");
    if (round !== this.round) throw new MarketError("WrongRound", [round, this.round]);
    if (now >= this.deadline) throw new MarketError("RoundExpired", [this.round, this.deadline]);
    // The contract reverts the whole call, settlement included: work on copies.
    const snapshot = this.snapshotAgent(addr);
    try {
      this.settle(addr);
      const r = this.rounds.get(this.round)!;
      let available = a.free;
      let total = r.totalDemand;
      const replacing = a.round === this.round;
      if (replacing) {
        available += a.reserved;
        total -= a.demand;
      }
      if (quantity > MAX_QUANTITY - total) throw new MarketError("DemandTooLarge", [quantity, MAX_QUANTITY - total]);
      total += quantity;
      const p = this.currentParams();
      const reserve = reserveFor(quantity, p.tau, r.mu, p.fixedFee);
      if (reserve > maxReserve) throw new MarketError("ReserveAboveMax", [reserve, maxReserve]);
      if (reserve > available) throw new MarketError("InsufficientBalance", [reserve, available]);
      this.rationing.move(p.rationing, this.round, replacing ? a.demand : 0n, quantity);
      if (!replacing) {
        this.submitted += 1n;
        if (a.lastSeen !== this.round) {
          this.lastSeen.count(a.lastSeen, -1n);
          this.lastSeen.count(this.round, 1n);
          a.lastSeen = this.round;
        }
      }
      const previous = replacing ? a.demand : 0n;
      if ((previous === 0n) !== (quantity === 0n)) this.positive += quantity === 0n ? -1n : 1n;
      a.free = available - reserve;
      a.reserved = reserve;
      a.demand = quantity;
      a.round = this.round;
      a.version = this.version;
      r.totalDemand = total;
    } catch (e) {
      snapshot();
      throw e;
    }
  }

  private snapshotAgent(addr: string): () => void {
    const a = this.agent(addr);
    const copy = { ...a };
    const fees = this.feesAccrued;
    const revenue = this.revenueAccrued;
    const settled = this.settled.length;
    return () => {
      Object.assign(a, copy);
      this.feesAccrued = fees;
      this.revenueAccrued = revenue;
      this.settled.length = settled;
    };
  }

  settle(addr: string): void {
    const a = this.agent(addr);
    const due = this.pendingSettlement(a);
    if (!due) return;
    a.free += due.refund;
    a.reserved = 0n;
    a.demand = 0n;
    a.round = 0n;
    this.feesAccrued += due.fee;
    this.revenueAccrued += due.revenue;
    this.settled.push({
      round: due.round,
      agent: addr.toLowerCase(),
      allocation: due.quantity,
      fee: due.fee,
      revenue: due.revenue,
      refund: due.refund,
    });
  }

  withdraw(addr: string, amount: bigint): void {
    const a = this.agent(addr);
    const undo = this.snapshotAgent(addr);
    this.settle(addr);
    if (amount > a.free) {
      const free = a.free;
      undo();
      throw new MarketError("InsufficientBalance", [amount, free]);
    }
    a.free -= amount;
    this.totalLiabilities -= amount;
  }

  leave(addr: string): void {
    const a = this.agent(addr);
    if (!a.active) throw new MarketError("NotActive");
    this.settle(addr);
    if (a.round === this.round) {
      const r = this.rounds.get(this.round)!;
      r.totalDemand -= a.demand;
      this.rationing.move(this.currentParams().rationing, this.round, a.demand, 0n);
      this.submitted -= 1n;
      if (a.demand !== 0n) this.positive -= 1n;
      a.free += a.reserved;
      a.reserved = 0n;
      a.demand = 0n;
      a.round = 0n;
    }
    a.active = false;
    this.active -= 1n;
    this.lastSeen.count(a.lastSeen, -1n);
  }

  /**
   * What the agent could take out now: its free balance once settled, plus a reservation still
   * pending in the open round (leaving refunds it). Nothing is changed.
   */
  entitlement(addr: string): bigint {
    const a = this.agent(addr);
    return this.freeAfterSettle(addr) + (a.round === this.round ? a.reserved : 0n);
  }

  /** The agent's free balance once its pending round is settled (nothing is changed). */
  freeAfterSettle(addr: string): bigint {
    const a = this.agent(addr);
    return a.free + (this.pendingSettlement(a)?.refund ?? 0n);
  }

  /** What settling the agent's pending round would do, or null when nothing is due. */
  private pendingSettlement(a: AgentBooks) {
    if (a.round === 0n || a.round === this.round) return null;
    const r = this.rounds.get(a.round)!;
    const p = this.params.get(a.version)!;
    const quantity = this.rationing.allocation(p.rationing, a.round, a.demand, r.totalDemand, p.capacity);
    const { fee, revenue } = charge(a.demand, quantity, p.tau, r.mu, p.fixedFee);
    return { round: a.round, quantity, fee, revenue, refund: a.reserved - fee - revenue };
  }

  /** Capacity in force in round `round`. */
  capacityOf(round: bigint): bigint {
    return this.params.get(this.rounds.get(round)!.version)!.capacity;
  }

  canClose(now: bigint): boolean {
    // Early only once every expected agent submitted, and not in the second the round opened.
    const early = now + this.currentParams().roundDuration > this.deadline && this.submitted !== 0n;
    return now >= this.deadline || (early && this.submitted === this.lastSeen.expected(this.round));
  }

  closeRound(now: bigint): RoundClosedEvent {
    if (!this.canClose(now)) throw new MarketError("RoundStillOpen", [this.round, this.deadline]);
    const t = this.round;
    const r = this.rounds.get(t)!;
    const p = this.currentParams();
    const excess = r.totalDemand - p.capacity;
    this.rationing.close(p.rationing, t, r.totalDemand, p.capacity);
    const { nextMu, collapsed } = this.nextPrice(p, t, r.mu, excess, this.positive);
    const { primal, dual, converged } = residuals(r.mu, nextMu, excess, collapsed, p);
    const event: RoundClosedEvent = {
      round: t,
      totalDemand: r.totalDemand,
      capacity: p.capacity,
      mu: r.mu,
      nextMu,
      primalResidual: primal,
      dualResidual: dual,
      version: this.version,
      converged,
    };
    const next = t + 1n;
    if (this.pendingVersion !== this.version) {
      this.params.get(this.pendingVersion)!.startRound = next;
      this.bracket = emptyBracket();
      this.version = this.pendingVersion;
    }
    this.rounds.set(next, { totalDemand: 0n, mu: nextMu, version: this.version });
    this.round = next;
    this.deadline = now + this.currentParams().roundDuration;
    this.submitted = 0n;
    this.positive = 0n;
    return event;
  }

  private nextPrice(p: Params, round: bigint, mu: bigint, excess: bigint, participants: bigint) {
    if (p.rule !== StepRule.Adaptive) {
      const nextMu = scheduledStep(p.rule, p.eta, round - p.startRound + 1n, mu, excess, p.capacity);
      return { nextMu, collapsed: false };
    }
    let previous: Observation = { valid: false, mu: 0n, excess: 0n };
    if (round > p.startRound) {
      const before = this.rounds.get(round - 1n)!;
      previous = { valid: true, mu: before.mu, excess: before.totalDemand - p.capacity };
    }
    const ctx = { capacity: p.capacity, participants, eta: p.eta, tolPrimal: p.tolPrimal, tolDual: p.tolDual };
    return adaptiveUpdate(this.bracket, mu, excess, previous, ctx);
  }

  scheduleParams(input: ParamsInput): bigint {
    const version = this.version + 1n;
    const p = validateParams(input, this.round + 1n);
    this.params.set(version, p);
    this.pendingVersion = version;
    return version;
  }

  withdrawFees = (caller: string): bigint => this.withdrawAccrued(caller, this.feeRecipient, "feesAccrued");
  withdrawRevenue = (caller: string): bigint => this.withdrawAccrued(caller, this.revenueRecipient, "revenueAccrued");

  private withdrawAccrued(caller: string, recipient: string, account: "feesAccrued" | "revenueAccrued"): bigint {
    if (caller.toLowerCase() !== recipient) throw new MarketError("NotRecipient");
    const amount = this[account];
    this[account] = 0n;
    this.totalLiabilities -= amount;
    return amount;
  }

  /** Sum of every agent's free and reserved balance plus fees and revenue. */
  sumOwed(): bigint {
    let sum = this.feesAccrued + this.revenueAccrued;
    for (const a of this.agents.values()) sum += a.free + a.reserved;
    return sum;
  }
}
