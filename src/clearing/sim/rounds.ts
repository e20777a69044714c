/**
 * One experiment run of the clearing market, in the form both the off-chain engine and the
 * on-chain driver produce: each closed round with the parameters in force and every agent's
 * demand. On a chain it is rebuilt from the contract's events alone (`../chain/events.ts`).
 */
import { z } from "zod";
import { type MarketSettings, marketSettingsSchema } from "../model/settings";
import type { RoundClosedEvent } from "../model/types";

/** A governance change that takes effect at round `round` (scheduled during round `round - 1`). */
export const paramShockSchema = z.object({
  round: z.number().int().min(2),
  set: marketSettingsSchema.partial(),
});
export type ParamShock = z.infer<typeof paramShockSchema>;

export interface PlayedRound extends RoundClosedEvent {
  /** Per-unit and fixed fee in force (fixed point). */
  tau: bigint;
  fixedFee: bigint;
  /** Each population member's demand in the round (fixed point), `null` when it did not take part. */
  demands: (bigint | null)[];
}

export interface RunOptions {
  rounds: number;
  shocks?: ParamShock[];
  /** Stop at the first converged round at or after the last shock. */
  untilConverged?: boolean;
  onRound?: (round: PlayedRound, done: number, total: number) => void;
}

/** Settings in force from each round on, after the shocks so far. */
export function settingsAfter(settings: MarketSettings, shocks: ParamShock[], round: number): MarketSettings {
  return shocks
    .filter((s) => s.round <= round)
    .sort((a, b) => a.round - b.round)
    .reduce((cur, s) => ({ ...cur, ...s.set }), settings);
}

export const lastShockRound = (shocks: ParamShock[] = []): number => Math.max(1, ...shocks.map((s) => s.round));
