/**
 * Off-chain engine: the exact model of the contract (same fixed-point arithmetic) driven by a
 * population of agents, for sweeps and benchmarks that would take too long on a chain. A test
 * proves it equal to the contract round for round (test/clearing/convergence.test.ts and
 * test/experiments/chain.test.ts).
 */
import { fromFixed } from "../../common/fixed";
import type { AgentType } from "../agents/reference";
import { type MarketSettings, toParamsInput } from "../model/settings";
import { ClearingModel } from "../model/clearingMarket";
import { type Participants, Population } from "../agents/population";
import { type PlayedRound, type RunOptions, lastShockRound, settingsAfter } from "./rounds";

const FUNDS = 10n ** 36n;

export interface EngineOptions extends RunOptions {
  /** Stop after the first round for which this returns true (checked after `onRound`). */
  until?: (round: PlayedRound, t: number) => boolean;
}

/**
 * Plays `population` (reference agents, or any scripted participants: attackers, phased shocks) in a
 * fresh market with `settings`; shocks change parameters through governance.
 */
export function runEngine(population: Participants, settings: MarketSettings, opts: EngineOptions): PlayedRound[] {
  let now = 1_000_000n;
  const shocks = opts.shocks ?? [];
  const model = new ClearingModel(
    { feeRecipient: "fees", revenueRecipient: "revenue", allowListOnly: false, params: toParamsInput(settings) },
    now,
  );
  const ids = population.present.map((_, i) => `agent-${i}`);
  ids.forEach((id, i) => population.present[i] && model.join(id, FUNDS));
  const stopAfter = lastShockRound(shocks);
  const out: PlayedRound[] = [];
  for (let t = 1; t <= opts.rounds; t++) {
    const change = population.startRound(t);
    for (const i of change.leave) model.leave(ids[i]);
    for (const i of change.join) model.join(ids[i], FUNDS);
    const p = model.currentParams();
    const demands = population.demands(fromFixed(p.tau + model.mu()), fromFixed(p.fixedFee));
    demands.forEach((d, i) => {
      if (d === null) return;
      now += 1n;
      model.submitDemand(ids[i], model.round, d, model.reserveNow(d), now);
    });
    if (shocks.some((s) => s.round === t + 1))
      model.scheduleParams(toParamsInput(settingsAfter(settings, shocks, t + 1)));
    now += 1n;
    const closed = model.closeRound(now);
    const played: PlayedRound = { ...closed, tau: p.tau, fixedFee: p.fixedFee, demands };
    out.push(played);
    opts.onRound?.(played, t, opts.rounds);
    if (opts.untilConverged && closed.converged && t >= stopAfter) break;
    if (opts.until?.(played, t)) break;
  }
  return out;
}

export interface SimulationOptions {
  maxRounds: number;
  gamma?: number;
  untilConverged?: boolean;
}

/** Reference agents with no noise, drift or shocks (the convergence benchmark's case). */
export function simulate(agents: AgentType[], settings: MarketSettings, opts: SimulationOptions): PlayedRound[] {
  return runEngine(new Population(agents, 0, { gamma: opts.gamma ?? 0 }), settings, {
    rounds: opts.maxRounds,
    untilConverged: opts.untilConverged,
  });
}

/** Rounds until the first `Converged` event, or undefined if none within the run. */
export function roundsToConverge(run: PlayedRound[]): number | undefined {
  const i = run.findIndex((r) => r.converged);
  return i < 0 ? undefined : i + 1;
}
