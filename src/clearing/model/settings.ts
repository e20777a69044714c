/**
 * Human-unit description of a clearing market and its conversion to the contract's fixed point.
 */
import { z } from "zod";
import { toFixed } from "../../common/fixed";
import { type ParamsInput, Rationing, StepRule } from "./types";

export const stepRuleNames = ["constant", "diminishing", "adaptive"] as const;
export type StepRuleName = (typeof stepRuleNames)[number];
export const rationingNames = ["pro-rata", "uniform"] as const;
export type RationingName = (typeof rationingNames)[number];

export const marketSettingsSchema = z.object({
  /** Capacity `m` per round, in units of the resource. */
  capacity: z.number().positive(),
  /** Per-unit fee `tau`, in asset units per unit of resource. */
  tau: z.number().nonnegative(),
  /** Fixed execution fee `g`, in asset units per participating agent and round. */
  fixedFee: z.number().nonnegative(),
  rule: z.enum(stepRuleNames),
  /** Step size (eta; eta_0 for diminishing; the search step for adaptive). */
  eta: z.number().nonnegative(),
  /** Convergence tolerance on |S - m| (units) and on |mu' - mu| (price). */
  tolPrimal: z.number().nonnegative(),
  tolDual: z.number().positive(),
  /** Round duration in seconds. */
  roundDuration: z.number().int().positive(),
  /** How a round's capacity is shared when demand exceeds it (pro-rata, the paper's rule, unless said). */
  rationing: z.enum(rationingNames).default("pro-rata"),
});
/** Settings as written (the rationing may be left out); {@link toParamsInput} fills the default. */
export type MarketSettings = z.input<typeof marketSettingsSchema>;

/**
 * A new deployment's settings (Ignition's defaults and `market:deploy`'s): the paper's Table 3 market (m = 100,
 * tau = 0.5, g = 1), the adaptive rule with search step 0.005 (about 1/L for 100 agents drawn as in Table 3),
 * tolerances 1e-4 units and 1e-6 per unit, 5-minute rounds, and the uniform rationing rule (docs/clearing.md).
 */
export const DEFAULT_MARKET_SETTINGS = {
  capacity: 100,
  tau: 0.5,
  fixedFee: 1,
  rule: "adaptive",
  eta: 0.005,
  tolPrimal: 1e-4,
  tolDual: 1e-6,
  roundDuration: 300,
  rationing: "uniform",
} as const satisfies MarketSettings;

export function rationing(name: RationingName): Rationing {
  return name === "uniform" ? Rationing.Uniform : Rationing.ProRata;
}

export function stepRule(name: StepRuleName): StepRule {
  return { constant: StepRule.Constant, diminishing: StepRule.Diminishing, adaptive: StepRule.Adaptive }[name];
}

/** The contract's `ParamsInput` for settings in human units (18-decimal asset assumed). */
export function toParamsInput(settings: MarketSettings): ParamsInput {
  const s = marketSettingsSchema.parse(settings);
  return {
    capacity: toFixed(s.capacity),
    tau: toFixed(s.tau),
    fixedFee: toFixed(s.fixedFee),
    rule: stepRule(s.rule),
    eta: toFixed(s.eta),
    tolPrimal: toFixed(s.tolPrimal),
    tolDual: toFixed(s.tolDual),
    roundDuration: BigInt(s.roundDuration),
    rationing: rationing(s.rationing),
  };
}
