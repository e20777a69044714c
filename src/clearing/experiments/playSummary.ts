/**
 * What `clearing:play` tells a person about its run, read from the market's events: when the price converged,
 * each shock (the price before and after, when it converged again), the resilience around the first shock, the
 * fees and revenue settled, and the mean Gini of the allocations.
 */
import { fetchDecodedLogs } from "../../chain/logs";
import { fromFixed } from "../../common/fixed";
import { resilience } from "../../common/metrics";
import { MARKET_INTERFACE } from "../parties/abi";
import type { ParamShock } from "../sim/rounds";
import type { RpcProvider } from "../../chain/batch";
import type { ChainPlay } from "./chainPlay";

export interface PlaySummary {
  rounds: number;
  /** The first round the contract marked Converged, or null. */
  convergedAt: number | null;
  shocks: {
    round: number;
    set: ParamShock["set"];
    /** mu of the last round before the shock and of the last round played. */
    muBefore: number;
    muAfter: number;
    /** The first Converged round from the shock on, or null. */
    reconvergedAt: number | null;
  }[];
  /** Eff over the five rounds from the first shock, over the five before it (paper Def. 3.9); null without one. */
  resilience: number | null;
  /** Settled so far (an agent's last round settles when it next acts). */
  feesSettled: number;
  revenueSettled: number;
  meanGini: number;
}

interface ChainRow {
  round: number;
  mu: number;
  converged: boolean;
  efficiency: number;
  gini: number;
}

export async function summarizePlay(
  provider: RpcProvider,
  play: ChainPlay,
  shocks: readonly ParamShock[],
): Promise<PlaySummary> {
  const rows = play.result.tables.find((t) => t.name === "chain-rounds")!.rows as unknown as ChainRow[];
  const convergedFrom = (round: number) => rows.find((r) => r.round >= round && r.converged)?.round ?? null;
  const settled = (await fetchDecodedLogs(provider, play.market, MARKET_INTERFACE)).filter((l) => l.name === "Settled");
  const first = shocks[0]?.round;
  const window = (from: number, to: number) =>
    rows.filter((r) => r.round >= from && r.round < to).map((r) => r.efficiency);
  const [pre, post] = first ? [window(first - 5, first), window(first, first + 5)] : [[], []];
  return {
    rounds: rows.length,
    convergedAt: convergedFrom(1),
    shocks: shocks.map((s) => ({
      round: s.round,
      set: s.set,
      muBefore: rows.find((r) => r.round === s.round - 1)?.mu ?? NaN,
      muAfter: rows.at(-1)?.mu ?? NaN,
      reconvergedAt: convergedFrom(s.round),
    })),
    resilience: pre.length && post.length ? resilience(pre, post) : null,
    feesSettled: settled.reduce((sum, l) => sum + fromFixed(l.args.fee), 0),
    revenueSettled: settled.reduce((sum, l) => sum + fromFixed(l.args.revenue), 0),
    meanGini: rows.length ? rows.reduce((sum, r) => sum + r.gini, 0) / rows.length : 0,
  };
}

/** The summary in a few lines. */
export function describePlay(s: PlaySummary): string[] {
  const f = (x: number, d = 4) => x.toFixed(d);
  const rounds = (n: number) => `${n} round${n === 1 ? "" : "s"}`;
  return [
    s.convergedAt === null
      ? `the price did not converge within ${s.rounds} rounds`
      : `the price converged at round ${s.convergedAt}`,
    ...s.shocks.map(
      (k) =>
        `shock at round ${k.round} (${Object.entries(k.set)
          .map(([key, v]) => `${key} ${v}`)
          .join(", ")}): mu ${f(k.muBefore)} before, ${f(k.muAfter)} at the end; ` +
        (k.reconvergedAt === null
          ? "not converged again within the run"
          : `converged again at round ${k.reconvergedAt} (${rounds(k.reconvergedAt - k.round + 1)})`),
    ),
    ...(s.resilience === null
      ? []
      : [`resilience R = Eff(5 rounds from the shock) / Eff(5 before) = ${f(s.resilience, 3)}`]),
    `fees settled ${f(s.feesSettled)}, revenue ${f(s.revenueSettled)} (each agent's last round settles when it next ` +
      `acts); mean Gini of the allocations ${f(s.meanGini)}`,
  ];
}
