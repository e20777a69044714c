/**
 * The market scenarios every experiment runs: the paper's Table 3 defaults (where capacity
 * rarely binds) and a binding one (spec §4).
 */
import { type AgentType, lipschitz } from "../agents/reference";
import type { MarketSettings } from "../model/settings";
import { TABLE3_DEFAULTS } from "./paper";

export interface Scenario {
  key: string;
  label: string;
  n: number;
  capacity: number;
  tau: number;
  fixedFee: number;
}

export const PAPER_DEFAULTS: Scenario = {
  key: "defaults",
  label: "paper defaults (n = 20, m = 100)",
  ...TABLE3_DEFAULTS,
};
/** The defaults with half the capacity. */
export const BINDING: Scenario = { ...PAPER_DEFAULTS, key: "binding", label: "binding (n = 20, m = 50)", capacity: 50 };
export const SCENARIOS = [PAPER_DEFAULTS, BINDING];
/** The scenarios in the order their charts are shown: the binding one first, where the price has work to do. */
export const CHART_ORDER = [BINDING, PAPER_DEFAULTS];

/** The scenario named `key` (a unit's `scenario` parameter). */
export function scenarioOf(key: string | number): Scenario {
  const sc = SCENARIOS.find((s) => s.key === key);
  if (!sc) throw new Error(`unknown scenario ${key}`);
  return sc;
}

/** Capacity per agent of a scenario, so that comparisons over `n` keep the same tightness. */
export const capacityFor = (sc: Scenario, n: number): number =>
  sc.key === "defaults" ? sc.capacity : (sc.capacity * n) / sc.n;

/**
 * Market settings for experiments: step `etaTimesL / L` (L the Lipschitz bound of `agents`' demand),
 * tolerances relative to `m`. The defaults (adaptive rule, 1/L) are the proposed mechanism.
 */
export function settingsFor(
  agents: AgentType[],
  capacity: number,
  tau: number,
  fixedFee: number,
  rule: MarketSettings["rule"] = "adaptive",
  etaTimesL = 1,
): MarketSettings {
  const l = lipschitz(agents, tau, fixedFee);
  return {
    capacity,
    tau,
    fixedFee,
    rule,
    eta: l > 0 ? etaTimesL / l : 1,
    tolPrimal: 1e-6 * capacity,
    tolDual: 1e-9,
    roundDuration: 3600,
  };
}
