/**
 * MovieLens-100K case (paper §5.8, Table 8). The data set may not be redistributed: users give
 * the path of their own `u.data` (tab-separated user id, item id, rating 1-5, unix timestamp);
 * the project ships only a small synthetic file in the same format for its tests.
 *
 * Mapping from ratings to agents (ours; the paper only says "normalized"): for user u with
 * c_u ratings of mean r_u,
 *   alpha_u = 5 + 15 a_u,   a_u = min-max normalized ln(1 + c_u)   (heavier users value more),
 *   beta_u  = 0.5 + 4.5 (1 - (r_u - 1) / 4)                          (happier users face lower cost),
 * which keeps both inside the paper's synthetic ranges U(5, 20) and U(0.5, 5).
 */
import fs from "node:fs";
import type { AgentType } from "../agents/reference";
import { rng } from "../../common/random";
import { barChart } from "../../report/charts";
import { coincidenceNote, coincident, dotPlot } from "../../report/meanCharts";
import type { ExperimentResult } from "../../report/types";
import { MECHANISMS, type Mechanism, flatSurcharge, playMechanisms } from "./baselines";
import { table8Comparison } from "./paperTable8";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { BINDING, CHART_ORDER, PAPER_DEFAULTS, SCENARIOS, type Scenario, scenarioOf } from "./scenarios";
import { type Summary, band, groupBy, mean, replications, seedOf, summarize } from "./shared";
import { pairedComparisons, verdictOf } from "./verdict";

export class DataError extends Error {}

export interface Rating {
  user: number;
  item: number;
  rating: number;
  timestamp: number;
}

const FIELDS = ["user", "item", "rating", "timestamp"] as const;

/** Parses u.data text; any malformed line is an error naming `source` and the line number. */
export function parseUData(text: string, source = "u.data"): Rating[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const out: Rating[] = [];
  lines.forEach((line, k) => {
    const where = `${source} line ${k + 1}`;
    const cells = line.split("\t");
    if (cells.length !== 4)
      throw new DataError(
        `${where}: expected 4 tab-separated fields (user, item, rating, timestamp), found ${cells.length}`,
      );
    const v = cells.map((c, i) => {
      if (!/^\d+$/.test(c.trim())) throw new DataError(`${where}: ${FIELDS[i]} "${c}" is not a non-negative integer`);
      return Number(c);
    });
    if (v[2] < 1 || v[2] > 5) throw new DataError(`${where}: rating ${v[2]} is outside 1..5`);
    out.push({ user: v[0], item: v[1], rating: v[2], timestamp: v[3] });
  });
  if (out.length === 0) throw new DataError(`${source}: no ratings`);
  return out;
}

export function loadUData(file: string): Rating[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new DataError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  return parseUData(text, file);
}

export interface UserAgent extends AgentType {
  user: number;
  ratings: number;
  meanRating: number;
}

/** One agent per user, by the mapping documented above, in increasing user id. */
export function agentsFromRatings(ratings: Rating[]): UserAgent[] {
  const byUser = new Map<number, { n: number; sum: number }>();
  for (const r of ratings) {
    const u = byUser.get(r.user) ?? { n: 0, sum: 0 };
    u.n += 1;
    u.sum += r.rating;
    byUser.set(r.user, u);
  }
  const users = [...byUser.entries()].sort((a, b) => a[0] - b[0]);
  const logs = users.map(([, u]) => Math.log1p(u.n));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  return users.map(([user, u], i) => {
    const activity = hi > lo ? (logs[i] - lo) / (hi - lo) : 0.5;
    const mean = u.sum / u.n;
    return { user, ratings: u.n, meanRating: mean, alpha: 5 + 15 * activity, beta: 0.5 + 4.5 * (1 - (mean - 1) / 4) };
  });
}

/** `k` distinct users drawn with a seeded Fisher–Yates prefix. */
export function sampleUsers<T>(users: T[], k: number, seed: number): T[] {
  const a = [...users];
  const r = rng(seed);
  const take = Math.min(k, a.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(r() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, take);
}

export interface MovieLensReplicationRow {
  scenario: string;
  n: number;
  capacity: number;
  rep: number;
  seed: number;
  mechanism: Mechanism;
  efficiencyPerAgent: number;
  /** Eff / Eff of no enforcement on the same users. */
  relEff: number;
  avgCost: number;
  gini: number;
  participation: number;
}

/** Mean and sd over the replications of one (scenario, mechanism) cell. */
export type MovieLensRow = { scenario: string; n: number; capacity: number; mechanism: Mechanism } & Summary<
  "efficiencyPerAgent" | "relEff" | "avgCost" | "gini"
> & { participation: number };

/** A scenario as played on `users` users: at most its n agents, its capacity scaled with them. */
function played(sc: Scenario, users: number): { n: number; capacity: number; label: string } {
  const n = Math.min(sc.n, users);
  const capacity = (sc.capacity * n) / sc.n;
  const m = Number.isInteger(capacity) ? String(capacity) : capacity.toFixed(2);
  return { n, capacity, label: `${sc.label.replace(/ \(.*\)$/, "")} (n = ${n}, m = ${m})` };
}

/** The agents of the MovieLens file at `file`, read once per process (each worker reads its own). */
export const usersOf = (() => {
  const known = new Map<string, UserAgent[]>();
  return (file: string): UserAgent[] => {
    if (!known.has(file)) known.set(file, agentsFromRatings(loadUData(file)));
    return known.get(file)!;
  };
})();

/** One unit: replication `rep` of all four mechanisms on distinct users sampled from the file. */
function replicate(req: StudyRequest, unit: UnitParams): MovieLensReplicationRow[] {
  const users = usersOf(req.movieLens);
  const sc = scenarioOf(unit.scenario);
  const rep = Number(unit.rep);
  const { n, capacity } = played(sc, users.length);
  const seed = seedOf(req, 9, sc.capacity, rep);
  const market = { agents: sampleUsers(users, n, seed), capacity, tau: sc.tau, fixedFee: sc.fixedFee };
  const outcomes = playMechanisms(market, flatSurcharge(users, capacity / n, sc.tau, sc.fixedFee));
  const base = outcomes[MECHANISMS.indexOf("no enforcement")].efficiency;
  return outcomes.map((o) => ({
    scenario: sc.key,
    n,
    capacity,
    rep,
    seed,
    mechanism: o.mechanism,
    efficiencyPerAgent: o.efficiency / n,
    relEff: o.efficiency / base,
    avgCost: o.avgCost,
    gini: o.gini,
    participation: o.participation,
  }));
}

export const movieLensPlan: ExperimentPlan<MovieLensReplicationRow> = {
  key: "movielens",
  label: "MovieLens",
  units: (req) => SCENARIOS.flatMap((sc) => replications(req.replications).map((rep) => ({ scenario: sc.key, rep }))),
  run: replicate,
  report: (req, raw) => movieLensReport(req, raw, usersOf(req.movieLens), req.movieLens),
};

export function movieLensReport(
  req: StudyRequest,
  raw: MovieLensReplicationRow[],
  users: UserAgent[],
  source: string,
): ExperimentResult {
  const table: MovieLensRow[] = [...groupBy(raw, (r) => `${r.scenario}|${r.mechanism}`).values()].map((list) => ({
    scenario: list[0].scenario,
    n: list[0].n,
    capacity: list[0].capacity,
    mechanism: list[0].mechanism,
    ...summarize(list, {
      efficiencyPerAgent: (o) => o.efficiencyPerAgent,
      relEff: (o) => o.relEff,
      avgCost: (o) => o.avgCost,
      gini: (o) => o.gini,
    }),
    participation: mean(list.map((o) => o.participation)),
  }));
  const paired = pairedComparisons(req, "MovieLens", raw, () => 8);
  const charts = CHART_ORDER.flatMap((sc) => {
    const { label } = played(sc, users.length);
    const mine = table.filter((r) => r.scenario === sc.key);
    return [
      {
        name: `fig8-${sc.key}-releff`,
        caption:
          `Relative efficiency (Eff / Eff of no enforcement, same users; mean ± 1 sd) by mechanism, ` +
          `${label}, MovieLens users.`,
        spec: barChart({
          title: `RelEff — ${label}`,
          rows: mine.map((r) => ({ ...r, ...band(r.relEff, r.relEffStd) })),
          group: "mechanism",
          y: "relEff",
          yTitle: "RelEff",
          errors: true,
        }),
      },
      {
        name: `fig8-${sc.key}-cost-gini`,
        caption:
          `Average cost and Gini by mechanism (mean ± 1 sd over ${req.replications} replications), ${label}, ` +
          `MovieLens users; one row per mechanism.` +
          coincidenceNote(
            coincident(mine, "mechanism", ["avgCost", "avgCostStd", "gini", "giniStd"]),
            "they share these numbers though each has its own row",
          ),
        spec: dotPlot({
          title: `avg cost and Gini — ${label}`,
          rows: mine,
          group: "mechanism",
          panels: [
            { mean: "avgCost", std: "avgCostStd", title: "avg cost" },
            { mean: "gini", std: "giniStd", title: "Gini" },
          ],
        }),
      },
    ];
  });
  return {
    key: "movielens",
    title: "MovieLens-100K case (paper Table 8)",
    warnings: SCENARIOS.filter((sc) => users.length < sc.n).map(
      (sc) =>
        `${source} has ${users.length} users, fewer than the ${sc.n} agents asked for ${sc.label}: ` +
        `it is played as ${played(sc, users.length).label}, every replication with all of them ` +
        "(the same market each time: the verdict's intervals then have no spread to measure).",
    ),
    description:
      `Source: ${source} (${users.length} users). ` +
      `Each replication samples distinct users (seeded) as agents of ` +
      SCENARIOS.map((sc) => played(sc, users.length).label).join(" and of ") +
      `; ${req.replications} replications. ` +
      `Mapping: alpha = 5 + 15 x (min-max normalized ln(1 + number of ratings)), ` +
      `beta = 0.5 + 4.5 x (1 - (mean rating - 1)/4). ` +
      `RelEff = Eff / Eff(no enforcement) on the same users.`,
    tables: [
      { name: "movielens", rows: table },
      { name: "movielens-paired", rows: paired },
      { name: "movielens-replications", rows: raw },
      { name: "movielens-agents", rows: users.map((u) => ({ ...u })) },
    ],
    verdict: verdictOf(
      "verdict-movielens",
      paired,
      [BINDING, PAPER_DEFAULTS].map((sc) => ({
        label: `MovieLens users, ${played(sc, users.length).label}`,
        rows: paired.filter((r) => r.scenario === sc.key),
      })),
      (r) => played(scenarioOf(r.scenario), users.length).label,
    ),
    charts,
    comparisons: [table8Comparison(table, paired, source.includes("fixture"))],
  };
}
