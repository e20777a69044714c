/**
 * Mechanism comparison over n (paper Table 6, Fig. 4-5): the four baselines of `baselines.ts`
 * on the same population per replication, for a grid of population sizes.
 */
import { drawAgents } from "../agents/draw";
import { boxPlot, lineChart } from "../../report/charts";
import type { Chart, ExperimentResult } from "../../report/types";
import { MECHANISMS, type Mechanism, flatSurcharge, playMechanisms, referencePopulation } from "./baselines";
import { compare, table6Claim } from "./paper";
import { BINDING, PAPER_DEFAULTS, SCENARIOS, type Scenario, capacityFor } from "./scenarios";
import { type StudyOptions, type Summary, mean, pm, progressOf, seedOf, summarize } from "./shared";

export const N_GRID = [10, 20, 50, 100];

export interface MechanismReplicationRow {
  scenario: string;
  n: number;
  capacity: number;
  rep: number;
  mechanism: Mechanism;
  efficiency: number;
  efficiencyPerAgent: number;
  avgCost: number;
  gini: number;
  participation: number;
  utilization: number;
}

/** Mean and sd over the replications of one (scenario, n, mechanism) cell; `muFlat` for flat only. */
export type MechanismRow = {
  scenario: string;
  n: number;
  capacity: number;
  mechanism: Mechanism;
  muFlat: number | null;
} & Summary<"efficiency" | "efficiencyPerAgent" | "avgCost" | "gini"> & { participation: number; utilization: number };

export function mechanismExperiment(opts: StudyOptions, nGrid = N_GRID): ExperimentResult {
  const raw: MechanismReplicationRow[] = [];
  const table: MechanismRow[] = [];
  const reference = referencePopulation();
  const tick = progressOf(opts, "mechanisms", SCENARIOS.length * nGrid.length * opts.replications);
  for (const sc of SCENARIOS) {
    for (const n of nGrid) {
      const capacity = capacityFor(sc, n);
      const muFlat = flatSurcharge(reference, capacity / n, sc.tau, sc.fixedFee);
      const market = (rep: number) => ({
        agents: drawAgents(n, seedOf(opts, 4, sc.capacity, n, rep)),
        capacity,
        tau: sc.tau,
        fixedFee: sc.fixedFee,
      });
      const cells = playMechanisms(opts.replications, market, muFlat, (rep, outcomes) => {
        for (const o of outcomes) {
          raw.push({
            scenario: sc.key,
            n,
            capacity,
            rep,
            mechanism: o.mechanism,
            efficiency: o.efficiency,
            efficiencyPerAgent: o.efficiency / n,
            avgCost: o.avgCost,
            gini: o.gini,
            participation: o.participation,
            utilization: o.utilization,
          });
        }
        tick();
      });
      for (const [mech, list] of cells) {
        table.push({
          scenario: sc.key,
          n,
          capacity,
          mechanism: mech,
          muFlat: mech === "flat" ? muFlat : null,
          ...summarize(list, {
            efficiency: (o) => o.efficiency,
            efficiencyPerAgent: (o) => o.efficiency / n,
            avgCost: (o) => o.avgCost,
            gini: (o) => o.gini,
          }),
          participation: mean(list.map((o) => o.participation)),
          utilization: mean(list.map((o) => o.utilization)),
        });
      }
    }
  }
  const at20 = (sc: Scenario) => raw.filter((r) => r.scenario === sc.key && r.n === 20);
  const charts: Chart[] = [];
  for (const sc of SCENARIOS) {
    charts.push(
      {
        name: `fig4-${sc.key}-efficiency`,
        caption: `Efficiency per agent by mechanism at n = 20, ${sc.label} (${opts.replications} replications).`,
        spec: boxPlot({
          title: `Eff / n — ${sc.label}`,
          rows: at20(sc),
          group: "mechanism",
          y: "efficiencyPerAgent",
          yTitle: "Eff / n",
        }),
      },
      {
        name: `fig4-${sc.key}-cost`,
        caption: `Average cost per agent by mechanism at n = 20, ${sc.label}.`,
        spec: boxPlot({
          title: `avg cost — ${sc.label}`,
          rows: at20(sc),
          group: "mechanism",
          y: "avgCost",
          yTitle: "avg cost",
        }),
      },
      {
        name: `fig4-${sc.key}-gini`,
        caption: `Gini of allocations by mechanism at n = 20, ${sc.label}.`,
        spec: boxPlot({ title: `Gini — ${sc.label}`, rows: at20(sc), group: "mechanism", y: "gini", yTitle: "Gini" }),
      },
      {
        name: `fig5-${sc.key}-scaling`,
        caption: `Mean efficiency per agent over n by mechanism, ${sc.label}.`,
        spec: lineChart({
          title: `Eff / n over n — ${sc.label}`,
          rows: table.filter((r) => r.scenario === sc.key),
          x: "n",
          y: "efficiencyPerAgent",
          series: "mechanism",
          yTitle: "Eff / n",
        }),
      },
    );
  }
  const line = (sc: Scenario, mech: Mechanism) => {
    const r = table.find((x) => x.scenario === sc.key && x.n === 20 && x.mechanism === mech)!;
    return (
      `${pm(r.efficiencyPerAgent, r.efficiencyPerAgentStd)} | ${pm(r.avgCost, r.avgCostStd)} | ` +
      `${pm(r.gini, r.giniStd)}`
    );
  };
  return {
    key: "mechanisms",
    title: "Mechanism comparison over n (paper Table 6, Fig. 4–5)",
    description:
      `n in ${nGrid.join(", ")}, ${opts.replications} replications each ` +
      `(fresh population per replication, the same population for all four mechanisms). ` +
      `Capacity: m = 100 at the defaults for every n; ` +
      `m = 2.5 n in the binding scenario (the tightness of n = 20, m = 50). ` +
      `Mechanisms as defined at the top of this report; ` +
      `flat's mu_flat is the clearing price of a 2000-agent reference population at the same capacity per agent.`,
    tables: [
      { name: "mechanisms", rows: table },
      { name: "mechanisms-replications", rows: raw },
    ],
    charts,
    comparisons: MECHANISMS.map((mech) =>
      compare(table6Claim(mech), `defaults: ${line(PAPER_DEFAULTS, mech)}; binding: ${line(BINDING, mech)}`),
    ),
  };
}
