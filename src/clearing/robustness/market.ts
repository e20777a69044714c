/**
 * The benchmark's markets (src/bench), shared with the study's robustness chapter: the settings a rule plays
 * with (step k/L, the convergence tolerances) and the binding market of the robustness and attack measurements.
 */
import { type AgentType, lipschitz } from "../agents/reference";
import type { MarketSettings } from "../model/settings";
import { solveClearing } from "../sim/equilibrium";

export interface Market {
  capacity: number;
  tau: number;
  fixedFee: number;
}
export const BINDING_MARKET: Market = { capacity: 50, tau: 0.5, fixedFee: 1 };

/**
 * The benchmark's market for `agents`: step `etaTimesL / L`, L = sum alpha / (beta + tau)^2 over the
 * agents active at mu = 0; tolerances |S - m| <= rel m and |mu' - mu| <= rel (tau + mu*) (at least 1e-15).
 */
export function benchSettings(
  agents: AgentType[],
  market: { capacity: number; tau: number; fixedFee: number },
  rule: MarketSettings["rule"],
  etaTimesL: number,
  relTolerance = 1e-6,
): MarketSettings {
  const L = lipschitz(agents, market.tau, market.fixedFee);
  const exact = solveClearing(agents, market.capacity, market.tau, market.fixedFee);
  return {
    capacity: market.capacity,
    tau: market.tau,
    fixedFee: market.fixedFee,
    rule,
    eta: L > 0 ? etaTimesL / L : 1,
    tolPrimal: relTolerance * market.capacity,
    tolDual: Math.max(relTolerance * (market.tau + exact.mu), 1e-15),
    roundDuration: 3600,
  };
}
