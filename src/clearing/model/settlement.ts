/**
 * Twin of `contracts/clearing/Settlement.sol`: what an agent receives and pays for a round.
 * Allocations round down (they never sum above `m`), charges round up.
 */
import { UNIT, mulDiv, mulDivUp } from "../../common/fixed";

/** `Settlement.allocation`: pro rata, rounded down. */
export function allocation(demand: bigint, totalDemand: bigint, capacity: bigint): bigint {
  return totalDemand <= capacity ? demand : mulDiv(demand, capacity, totalDemand);
}

/** `Settlement.charge`: fee = ceil(tau q) + g, revenue = ceil(mu q); nothing for a zero demand. */
export function charge(demand: bigint, quantity: bigint, tau: bigint, mu: bigint, fixedFee: bigint) {
  if (demand === 0n) return { fee: 0n, revenue: 0n };
  return { fee: mulDivUp(tau, quantity, UNIT) + fixedFee, revenue: mulDivUp(mu, quantity, UNIT) };
}

/**
 * What `submitDemand` reserves for `quantity` at the posted price (`tau + mu`) and fixed fee: the
 * charge of a full allocation, the most a round can charge. An agent that consents to exactly this
 * passes it as `maxReserve`.
 */
export function reserveFor(quantity: bigint, tau: bigint, mu: bigint, fixedFee: bigint): bigint {
  const { fee, revenue } = charge(quantity, quantity, tau, mu, fixedFee);
  return fee + revenue;
}
