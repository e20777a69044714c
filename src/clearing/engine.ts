/**
 * Off-chain engine: the exact model of the contract (same fixed-point arithmetic) driven by
 * reference agents, for sweeps and benchmarks that would take too long on a chain. A test
 * proves it equal to the contract round for round.
 */
import { fromFixed, toFixed } from "../fixed";
import { type AgentType, bestResponse } from "./agents";
import { type MarketSettings, toParamsInput } from "./config";
import { ClearingModel, type RoundClosedEvent } from "./model";

export interface SimulationOptions {
  maxRounds: number;
  gamma?: number;
  untilConverged?: boolean;
}

export interface SimulatedRound extends RoundClosedEvent {
  demands: bigint[];
}

const FUNDS = 10n ** 36n;

export function simulate(agents: AgentType[], settings: MarketSettings, opts: SimulationOptions): SimulatedRound[] {
  let now = 1_000_000n;
  const model = new ClearingModel(
    { feeRecipient: "fees", revenueRecipient: "revenue", allowListOnly: false, params: toParamsInput(settings) },
    now,
  );
  const ids = agents.map((_, i) => `agent-${i}`);
  for (const id of ids) model.join(id, FUNDS);
  const previous = agents.map(() => 0);
  const gamma = opts.gamma ?? 0;
  const out: SimulatedRound[] = [];
  for (let t = 0; t < opts.maxRounds; t++) {
    const price = fromFixed(model.currentParams().tau + model.mu());
    const demands = agents.map((a, i) => toFixed(bestResponse(a, price, settings.fixedFee, gamma, previous[i])));
    demands.forEach((d, i) => {
      now += 1n;
      model.submitDemand(ids[i], d, now);
      previous[i] = fromFixed(d);
    });
    now += 1n;
    const closed = model.closeRound(now);
    out.push({ ...closed, demands });
    if (closed.converged && opts.untilConverged) break;
  }
  return out;
}

/** Rounds until the first `Converged` event, or undefined if none within the run. */
export function roundsToConverge(run: SimulatedRound[]): number | undefined {
  const i = run.findIndex((r) => r.converged);
  return i < 0 ? undefined : i + 1;
}
