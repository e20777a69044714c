/**
 * Reference agents of the clearing game (spec §1): value `alpha ln(1 + x)`, cost `beta x`.
 * Their (proximal) best response is a closed form; no numeric solver runs in an agent.
 */
export interface AgentType {
  /** Value scale `alpha_i` of `V_i(x) = alpha_i ln(1 + x)`. */
  alpha: number;
  /** Unit cost `beta_i` of `C_i(x) = beta_i x`. */
  beta: number;
}

/** Payoff `V(x) - C(x) - price x - g 1{x > 0}` at posted price `price = tau + mu`. */
export function payoff(agent: AgentType, x: number, price: number, fixedFee: number): number {
  if (x <= 0) return 0;
  return agent.alpha * Math.log1p(x) - (agent.beta + price) * x - fixedFee;
}

/**
 * Proximal best response `argmax_x U(x) - gamma/2 (x - previous)^2` over `x >= 0`, with the
 * fixed fee's participation rule: the agent stays out when its payoff at that `x` is negative.
 * `gamma = 0` is the plain best response `max(0, alpha / (beta + price) - 1)`.
 */
export function bestResponse(agent: AgentType, price: number, fixedFee: number, gamma = 0, previous = 0): number {
  const c = agent.beta + price;
  let x: number;
  if (gamma === 0) {
    x = agent.alpha / c - 1;
  } else {
    // First-order condition times (1 + x), with y = 1 + x: gamma y^2 + b y - alpha = 0.
    const b = c - gamma * (1 + previous);
    const root = Math.sqrt(b * b + 4 * gamma * agent.alpha);
    const y = b >= 0 ? (2 * agent.alpha) / (b + root) : (root - b) / (2 * gamma);
    x = y - 1;
  }
  if (!(x > 0)) return 0;
  return payoff(agent, x, price, fixedFee) < 0 ? 0 : x;
}

/** Total best-response demand `S(mu)` at per-unit fee `tau`. */
export function aggregateDemand(agents: AgentType[], tau: number, mu: number, fixedFee: number): number {
  let s = 0;
  for (const a of agents) s += bestResponse(a, tau + mu, fixedFee);
  return s;
}

/**
 * Lipschitz constant of `S` used for the safe constant step: `sum alpha / (beta + tau)^2` over agents
 * active at `mu = 0`.
 */
export function lipschitz(agents: AgentType[], tau: number, fixedFee: number): number {
  let l = 0;
  for (const a of agents) {
    if (bestResponse(a, tau, fixedFee) > 0) l += a.alpha / (a.beta + tau) ** 2;
  }
  return l;
}
