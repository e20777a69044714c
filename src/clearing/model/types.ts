/**
 * Twin of `contracts/clearing/IClearingMarket.sol`: the market's parameters, records, events and
 * custom errors, and the bounds the contract enforces.
 */

export enum StepRule {
  Constant = 0,
  Diminishing = 1,
  Adaptive = 2,
}

/** How a rationed round's capacity is shared (`IClearingMarket.Rationing`). */
export enum Rationing {
  ProRata = 0,
  Uniform = 1,
}

export interface ParamsInput {
  capacity: bigint;
  tau: bigint;
  fixedFee: bigint;
  rule: number;
  eta: bigint;
  tolPrimal: bigint;
  tolDual: bigint;
  roundDuration: bigint;
  rationing: number;
}

export interface Params extends Omit<ParamsInput, "rule" | "rationing"> {
  rule: StepRule;
  rationing: Rationing;
  startRound: bigint;
}

export const MAX_PRICE = (1n << 120n) - 1n;
export const MAX_QUANTITY = (1n << 120n) - 1n;
/** Rounds of silence after which an agent stops counting toward early closes (`DORMANT_AFTER`). */
export const DORMANT_AFTER = 3n;
export const MAX_ROUND_DURATION = 365n * 24n * 3600n;

/** A rejected call, named as the contract's custom error. */
export class MarketError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: bigint[] = [],
  ) {
    super(`${errorName}(${args.join(", ")})`);
  }
}

export interface AgentBooks {
  free: bigint;
  reserved: bigint;
  demand: bigint;
  round: bigint;
  version: bigint;
  active: boolean;
  /** The last round it submitted in, or joined in (it counts toward early closes until DORMANT_AFTER rounds later). */
  lastSeen: bigint;
}

/** The books of an account that never joined. */
export const emptyAgentBooks = (): AgentBooks => ({
  free: 0n,
  reserved: 0n,
  demand: 0n,
  round: 0n,
  version: 0n,
  active: false,
  lastSeen: 0n,
});

export interface RoundRecord {
  totalDemand: bigint;
  mu: bigint;
  /** Parameters version in force (the contract keeps it in each agent's books instead). */
  version: bigint;
}

export interface SettledEvent {
  round: bigint;
  agent: string;
  allocation: bigint;
  fee: bigint;
  revenue: bigint;
  refund: bigint;
}

export interface RoundClosedEvent {
  round: bigint;
  totalDemand: bigint;
  capacity: bigint;
  mu: bigint;
  nextMu: bigint;
  primalResidual: bigint;
  dualResidual: bigint;
  version: bigint;
  converged: boolean;
}

export interface MarketConfig {
  feeRecipient: string;
  revenueRecipient: string;
  allowListOnly: boolean;
  params: ParamsInput;
}
