/**
 * The generated benchmark tables, from bench/results.json only (figures are never copied by hand):
 * every table (docs/benchmarks.md, between `<!-- bench:start -->` and `<!-- bench:end -->`) and a
 * summary of at most 15 rows (README.md, between `<!-- bench-summary:start -->` and
 * `<!-- bench-summary:end -->`). Each block is replaced only in the files that have its markers.
 */
import path from "node:path";
import { markdownTable, replaceMarked } from "../common/output";
import { type BenchResults, GAS_CONTRACTS } from "./results";
import type { DesignerMeasure } from "./designer";
import type { GasProfile } from "./gasProfile";
import type { Throughput } from "./throughput";
import { renderRobustnessTables, robustnessSummaryRows } from "./renderRobustness";

const ROOT = path.join(__dirname, "..", "..");
/** The files that may hold generated blocks. */
export const RENDER_TARGETS = [path.join(ROOT, "README.md"), path.join(ROOT, "docs", "benchmarks.md")];

interface ConvergenceDetail {
  bestStep: Record<string, number>;
  bindingShare: number;
  gapShare: number;
  seeds: number;
}

const detailOf = (results: BenchResults) => (results.convergenceDetail ?? {}) as Record<string, ConvergenceDetail>;

/** Every table: gas per call of each contract, rounds to converge, robustness, attacks, on-chain throughput. */
export function renderFull(results: BenchResults): string {
  const sections: string[] = [];
  for (const contract of GAS_CONTRACTS) {
    const rows = Object.entries(results.gas)
      .filter(([k]) => k.startsWith(`${contract}.`) && !BY_AGENTS.test(k))
      .map(([k, v]) => [k.slice(contract.length + 1), v.toLocaleString("en-US")]);
    const build = contract === "ExchangeEscrow" ? "optimizer 10,000 runs, through IR" : "optimizer 500 runs";
    if (contract === "ClearingMarket") sections.push(...renderMarketByAgents(results.gas), ...renderProfiles(results));
    sections.push(`\nGas per ${contract} call (in-process Hardhat network, ${build}):\n`);
    sections.push(markdownTable(["call", "gas"], rows));
  }
  const rules = Object.keys(Object.values(results.convergence)[0] ?? {});
  const detail = detailOf(results);
  const convRows = Object.entries(results.convergence).map(([sc, byRule]) => [
    sc,
    `${Math.round(100 * (detail[sc]?.bindingShare ?? 0))}% / ${Math.round(100 * (detail[sc]?.gapShare ?? 0))}%`,
    ...rules.map((r) => {
      const v = byRule[r];
      const step = detail[sc]?.bestStep?.[r];
      return v === null || v === undefined ? "no conv." : `${v}${step !== undefined ? ` (${step}/L)` : ""}`;
    }),
  ]);
  sections.push(
    `\nRounds to converge, median over ${Object.values(detail)[0]?.seeds ?? "?"} seeded populations ` +
      "(|S - m| <= 1e-6 m and |mu' - mu| <= 1e-6 (tau + mu*); at most 600 rounds):\n",
  );
  sections.push(markdownTable(["scenario", "binds / S jumps", ...rules], convRows));
  sections.push(...renderRobustnessTables(results));
  const designer = results.designer as Record<string, DesignerMeasure> | undefined;
  if (designer) {
    sections.push(
      "\nThe payout designer at scale (each case in a process of its own; peak resident memory; " +
        "goal: under a minute and 2 GB per design, 10 s per explanation):\n",
    );
    const rows = Object.entries(designer).map(([c, m]) => [c, m.seconds, m.peakMB, m.detail]);
    sections.push(markdownTable(["case", "seconds", "peak MB", "what"], rows));
  }
  const tp = results.throughput as Throughput | undefined;
  if (tp) {
    sections.push(
      `\nOn-chain throughput (in-process Hardhat network, batched driver: one block per round's submissions; ` +
        `${tp.agents} agents x ${tp.rounds} rounds, median of ${tp.runs.length} runs):\n`,
    );
    sections.push(
      markdownTable(
        ["transactions per run", "median tx/s", "median wall time", "runs (tx/s)"],
        [
          [
            tp.transactions,
            tp.medianTxPerSecond.toFixed(0),
            `${tp.medianSeconds.toFixed(1)} s`,
            tp.runs.map((r) => r.txPerSecond.toFixed(0)).join(", "),
          ],
        ],
      ),
    );
  }
  return sections.join("\n");
}

/** A gas figure with thousands separators, "-" when not measured. */
const fmt = (v: number | undefined) => (v === undefined ? "-" : v.toLocaleString("en-US"));

/** Where the profiled calls' gas goes (./gasProfile.ts), one column per call. */
function renderProfiles(results: BenchResults): string[] {
  const profiles = (results.gasProfile ?? {}) as Record<string, GasProfile>;
  const keys = Object.keys(profiles);
  if (keys.length === 0) return [];
  const row = (label: string, of: (p: GasProfile) => string) => [label, ...keys.map((k) => of(profiles[k]))];
  const withCount = (gas: number, count: number) => `${fmt(gas)} (${count})`;
  return [
    "\nWhere the gas goes, from the node's opcode trace (`debug_traceTransaction`), in the adaptive n = 10 runs " +
      "above: the typical close and the repeated submission under each rationing rule. Cold reads cost 2,100 " +
      "each, a write to a new slot 22,100 (counts in brackets); the rest is arithmetic, jumps, memory and " +
      "account access, net of refunds:\n",
    markdownTable(
      ["", ...keys.map((k) => k.replace(/^ClearingMarket\./, ""))],
      [
        row("intrinsic (21,000 + calldata)", (p) => fmt(p.intrinsic)),
        row("cold storage reads", (p) => withCount(p.coldReadGas, p.coldReads)),
        row("warm storage reads", (p) => fmt(p.warmReadGas)),
        row("writes to new slots", (p) => withCount(p.newSlotGas, p.newSlots)),
        row("writes to used slots", (p) => fmt(p.usedSlotWriteGas)),
        row("events", (p) => fmt(p.eventGas)),
        row("the rest", (p) => fmt(p.otherGas)),
        row("total", (p) => fmt(p.total)),
      ],
    ),
  ];
}

/** Market gas keys measured at several agent counts: `...<rule>.<rationing>.n<N>[.first][.unpaid|.unhinted]`. */
const BY_AGENTS = /^ClearingMarket\.(closeRound|submitDemand\.repeated)\..*\.n\d+(\.first)?(\.unpaid|\.unhinted)?$/;

/** closeRound per price rule and rationing rule, and repeated submitDemand per rationing rule, by agent count. */
function renderMarketByAgents(gas: Record<string, number>): string[] {
  const counts = [...new Set(Object.keys(gas).flatMap((k) => (BY_AGENTS.test(k) ? [k.match(/\.n(\d+)/)![1]] : [])))]
    .map(Number)
    .sort((a, b) => a - b);
  const closes = [
    ...new Set(Object.keys(gas).flatMap((k) => k.match(/^ClearingMarket\.closeRound\.([^.]+\.[^.]+)\.n/)?.[1] ?? [])),
  ];
  const closeRows = closes.map((key) => [
    key.replace(".", " / "),
    ...counts.flatMap((n) => [
      fmt(gas[`ClearingMarket.closeRound.${key}.n${n}`]),
      fmt(gas[`ClearingMarket.closeRound.${key}.n${n}.first`]),
    ]),
  ]);
  // The closes that pay for the storage they create, and those sent without the keeper's hint (smallest n only).
  const variantsAt = counts.find((n) => closes.some((key) => gas[`ClearingMarket.closeRound.${key}.n${n}.unpaid`]));
  const variantRows = closes.map((key) => [
    key.replace(".", " / "),
    ...["unpaid", "first.unpaid", "unhinted", "first.unhinted"].map((v) =>
      fmt(gas[`ClearingMarket.closeRound.${key}.n${variantsAt}.${v}`]),
    ),
  ]);
  const rationings = [
    ...new Set(
      Object.keys(gas).flatMap((k) => k.match(/^ClearingMarket\.submitDemand\.repeated\.([^.]+)\.n/)?.[1] ?? []),
    ),
  ];
  const submitRows = rationings.map((r) => [
    r,
    ...counts.map((n) => fmt(gas[`ClearingMarket.submitDemand.repeated.${r}.n${n}`])),
  ]);
  return [
    "\nGas of `closeRound` by price rule / rationing rule and agent count n: a typical (third) round, and the first " +
      "round of a new market, both with rounds paid ahead (`prefillRounds`) and sent with the keeper's hint " +
      "(`closeRoundWithHint(rationingLevel())`). Each of n agents demands about 1.78 units (distinct) against " +
      "m = 1.75 n, so that the uniform rule's water level lies just past the middle of both lower levels of its tree " +
      "(bucket 8 of octave 4): the most words a hinted descent reads there (1 + 2 + 4):\n",
    markdownTable(["rule / rationing", ...counts.flatMap((n) => [`n = ${n}`, `n = ${n}, first round`])], closeRows),
    ...(variantsAt === undefined
      ? []
      : [
          `\nThe same closes at n = ${variantsAt}, in two more runs: one not paid ahead but hinted (each close ` +
            "creates the next round's record; the first also the uniform rule's result word of rounds 0 to 3, as one " +
            "close in four does after it), one paid ahead but sent as `closeRound()`, whose descent starts from the " +
            "last round's edge (bucket 0 in the first round: 1 + 3 + 5 words):\n",
          markdownTable(
            ["rule / rationing", "not paid ahead", "first, not paid ahead", "`closeRound()`", "first, `closeRound()`"],
            variantRows,
          ),
        ]),
    "\nGas of a repeated `submitDemand` (an agent moving its demand across the order: 1.78 to 100,000 units) by " +
      "rationing rule and agent count:\n",
    markdownTable(["rationing", ...counts.map((n) => `n = ${n}`)], submitRows),
  ];
}

/** The gas rows of the summary: the calls a newcomer pays for most often, or once but dearly. */
const SUMMARY_GAS: { label: string; keys: string[] }[] = [
  { label: "ClearingMarket `join`", keys: ["ClearingMarket.join"] },
  { label: "ClearingMarket `submitDemand`, first of a round", keys: ["ClearingMarket.submitDemand.first"] },
  {
    label: "ClearingMarket `submitDemand`, repeated across the order (pro-rata / uniform, n = 1,000)",
    keys: ["ClearingMarket.submitDemand.repeated.pro-rata.n1000", "ClearingMarket.submitDemand.repeated.uniform.n1000"],
  },
  {
    label: "ClearingMarket `closeRound`, adaptive rule, pro-rata, paid ahead, keeper's hint (n = 10 / 1,000; first)",
    keys: [
      "ClearingMarket.closeRound.adaptive.pro-rata.n10",
      "ClearingMarket.closeRound.adaptive.pro-rata.n1000",
      "ClearingMarket.closeRound.adaptive.pro-rata.n1000.first",
    ],
  },
  {
    label: "ClearingMarket `closeRound`, adaptive rule, uniform, paid ahead, keeper's hint (n = 10 / 1,000; first)",
    keys: [
      "ClearingMarket.closeRound.adaptive.uniform.n10",
      "ClearingMarket.closeRound.adaptive.uniform.n1000",
      "ClearingMarket.closeRound.adaptive.uniform.n1000.first",
    ],
  },
  {
    label: "ClearingMarket `closeRound`, adaptive rule, uniform, n = 10: not paid ahead / `closeRound()` (each; first)",
    keys: [
      "ClearingMarket.closeRound.adaptive.uniform.n10.unpaid",
      "ClearingMarket.closeRound.adaptive.uniform.n10.first.unpaid",
      "ClearingMarket.closeRound.adaptive.uniform.n10.unhinted",
      "ClearingMarket.closeRound.adaptive.uniform.n10.first.unhinted",
    ],
  },
  { label: "ExchangeEscrow `acceptSigned` (opens a signed offer)", keys: ["ExchangeEscrow.acceptSigned"] },
  {
    label:
      "ExchangeEscrow honest trade: signed offer (acceptSigned, redeem, finalize) / " +
      "on-chain offer (offer, accept, redeem, finalize)",
    keys: ["ExchangeEscrow.honestTrade.signed", "ExchangeEscrow.honestTrade.onChain"],
  },
];

/**
 * At most 15 rows: key gas figures of both contracts, adaptive against `eta = 1/L` on every
 * binding convergence scenario, the adaptive rule's slowest recovery, one attack's harm and the
 * noise-drift regret, throughput.
 * A figure absent from the results leaves its row out.
 */
export function renderSummary(results: BenchResults): string {
  const rows: string[][] = [];
  for (const { label, keys } of SUMMARY_GAS) {
    const values = keys.map((k) => results.gas[k]);
    if (values.some((v) => v === undefined)) continue;
    const shown = new Set(values).size === 1 ? [values[0]] : values;
    rows.push([label, `${shown.map((v) => v.toLocaleString("en-US")).join(" / ")} gas`]);
  }
  const detail = detailOf(results);
  for (const [sc, byRule] of Object.entries(results.convergence)) {
    if (!sc.startsWith("binding")) continue;
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? "no conv." : String(v));
    const seeds = detail[sc]?.seeds;
    rows.push([
      `Rounds to converge, ${sc}: adaptive vs constant eta = 1/L${seeds ? ` (median of ${seeds} seeds)` : ""}`,
      `${fmt(byRule["adaptive eta=1/L"])} vs ${fmt(byRule["constant eta=1/L"])}`,
    ]);
  }
  rows.push(...robustnessSummaryRows(results));
  const tp = results.throughput as Throughput | undefined;
  if (tp)
    rows.push([
      `On-chain throughput, ${tp.agents} agents x ${tp.rounds} rounds (in-process, median of ${tp.runs.length} runs)`,
      `${tp.medianTxPerSecond.toFixed(0)} tx/s`,
    ]);
  return [
    "",
    markdownTable(["measure", "figure"], rows.slice(0, 15)),
    "",
    "Every table, and how it is measured: [docs/benchmarks.md](docs/benchmarks.md).",
  ].join("\n");
}

/** Writes each block into every target file that has its markers; returns `file: block` per write. */
export function renderTables(results: BenchResults, targets: string[] = RENDER_TARGETS): string[] {
  const blocks: [string, string][] = [
    ["bench", renderFull(results)],
    ["bench-summary", renderSummary(results)],
  ];
  const written: string[] = [];
  for (const file of targets)
    for (const [name, body] of blocks)
      if (replaceMarked(file, name, body)) written.push(`${path.relative(ROOT, file)} (${name})`);
  return written;
}
