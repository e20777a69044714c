/**
 * The markets and shocks of the robustness measurements (./shocks.ts, whose doc comment states the choices
 * behind them): each scenario as a function of the population's seed.
 */
import { drawAgents, drawHeavyTail } from "../agents/draw";
import { type AgentType, aggregateDemand, bestResponse } from "../agents/reference";
import type { MarketSettings } from "../model/settings";
import { BINDING_MARKET, type Market } from "./market";
import { bisect } from "./metrics";

/** One scenario on one seed: the members, the market at the start and the shock. */
export interface Setup {
  /** Every member, the ones absent at the start (the last `reserve`) included. */
  agents: AgentType[];
  reserve?: number;
  market: Market;
  cold?: boolean;
  leave?: number;
  join?: number;
  params?: Partial<MarketSettings>;
}

/** The heavy-tailed population with its highest-alpha member first (the first to leave). */
function heavyLargestFirst(seed: number): AgentType[] {
  const a = drawHeavyTail(20, seed);
  const top = a.reduce((best, x, i) => (x.alpha > a[best].alpha ? i : best), 0);
  [a[0], a[top]] = [a[top], a[0]];
  return a;
}

/** The highest `mu` at which `agent` still demands (bisection; 0 when it never does). */
function dropOutPrice(agent: AgentType, tau: number, fixedFee: number): number {
  if (bestResponse(agent, tau, fixedFee) <= 0) return 0;
  return bisect((mu) => bestResponse(agent, tau + mu, fixedFee) <= 0, 0, agent.alpha)[0];
}

/** A capacity in the middle of the jump of S where the member with the median drop-out price leaves. */
export function jumpCapacity(agents: AgentType[], tau: number, fixedFee: number): number {
  const drops = agents.map((a) => dropOutPrice(a, tau, fixedFee)).filter((p) => p > 0);
  const mu = drops.sort((a, b) => a - b)[Math.floor(drops.length / 2)];
  const below = aggregateDemand(agents, tau, mu, fixedFee);
  const above = aggregateDemand(agents, tau, mu * (1 + 1e-9), fixedFee);
  return (below + above) / 2;
}

/** The paper's population of the binding scenario: 20 agents of Table 3. */
export const paper = (seed: number) => drawAgents(20, seed);
export const SHOCK_SCENARIOS: Record<string, (seed: number) => Setup> = {
  "exit-largest": (seed) => ({ agents: heavyLargestFirst(seed), market: BINDING_MARKET, leave: 1 }),
  "exit-quarter": (seed) => ({ agents: paper(seed), market: BINDING_MARKET, leave: 5 }),
  "entry-double": (seed) => ({ agents: drawAgents(40, seed), reserve: 20, market: BINDING_MARKET, join: 20 }),
  "tau-x3": (seed) => ({ agents: paper(seed), market: BINDING_MARKET, params: { tau: 1.5 } }),
  "capacity-half": (seed) => ({
    agents: paper(seed),
    market: BINDING_MARKET,
    params: { capacity: 25, tolPrimal: 1e-6 * 25 },
  }),
  jump: (seed) => {
    const agents = paper(seed);
    return { agents, market: { ...BINDING_MARKET, capacity: jumpCapacity(agents, 0.5, 1) }, cold: true };
  },
  "heavy-tail": (seed) => ({ agents: drawHeavyTail(20, seed), market: BINDING_MARKET, cold: true }),
};
