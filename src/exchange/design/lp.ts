/**
 * A small linear-program layer over HiGHS (the `highs` package, HiGHS compiled to
 * WebAssembly): named variables and named constraints, passed to HiGHS as sparse arrays,
 * and an irreducible infeasible subset (deletion filter) to name the constraints at fault.
 */
import { GameError } from "./game";
import loadHighs, { type ModelData } from "highs";

export type Op = "<=" | ">=" | "=";

export interface Row {
  name: string;
  terms: Record<string, number>;
  op: Op;
  rhs: number;
}

export interface LinearProgram {
  variables: string[];
  /** Bounds per variable; default [0, +inf). A fixed variable has lo = hi. */
  bounds: Record<string, { lo: number; hi: number }>;
  rows: Row[];
  objective: { sense: "min" | "max"; terms: Record<string, number> };
}

export type LpResult =
  | { status: "optimal"; objective: number; values: Record<string, number> }
  | { status: "infeasible" }
  | { status: "unbounded" };

type Highs = Awaited<ReturnType<typeof loadHighs>>;
let highs: Promise<Highs> | undefined;
const solver = (): Promise<Highs> => (highs ??= loadHighs());

/** Value of a row's left-hand side at `values`. */
export function rowValue(row: Row, values: Record<string, number>): number {
  return Object.entries(row.terms).reduce((s, [v, c]) => s + c * (values[v] ?? 0), 0);
}

export function rowHolds(row: Row, lhs: number, tol = 1e-9): boolean {
  if (row.op === "<=") return lhs <= row.rhs + tol;
  if (row.op === ">=") return lhs >= row.rhs - tol;
  return Math.abs(lhs - row.rhs) <= tol;
}

/** The largest magnitude a coefficient, right-hand side or finite bound may have (HiGHS treats 1e15 as infinite). */
export const MAX_MAGNITUDE = 1e12;

/** `x` if the solver can take it; else a one-line `GameError` naming where it comes from. */
function solverNumber(x: number, where: string): number {
  if (!(Math.abs(x) <= MAX_MAGNITUDE)) {
    throw new GameError(`${where}: ${x} is beyond what the solver takes (a magnitude of at most ${MAX_MAGNITUDE})`);
  }
  return x;
}

/**
 * `lp` restricted to `rows` (those with a nonzero coefficient) as HiGHS's arrays: one column per
 * variable in order, the rows packed row by row. No text is built or parsed.
 */
function toModel(h: Highs, lp: LinearProgram, rows: Row[]): ModelData {
  const index = new Map(lp.variables.map((v, i) => [v, i]));
  const col = (v: string) => {
    const i = index.get(v);
    if (i === undefined) throw new Error(`LP uses unknown variable "${v}"`);
    return i;
  };
  const n = lp.variables.length;
  const inf = h.infinity;
  const bound = (x: number, where: string) => (x === Infinity ? inf : x === -Infinity ? -inf : solverNumber(x, where));
  const colCost = new Float64Array(n);
  for (const [v, c] of Object.entries(lp.objective.terms)) colCost[col(v)] = solverNumber(c, `objective term ${v}`);
  const colLower = new Float64Array(n);
  const colUpper = new Float64Array(n);
  lp.variables.forEach((v, i) => {
    const b = lp.bounds[v] ?? { lo: 0, hi: Infinity };
    colLower[i] = bound(b.lo, `bound of ${v}`);
    colUpper[i] = bound(b.hi, `bound of ${v}`);
  });
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower = new Float64Array(rows.length);
  const rowUpper = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    for (const [v, c] of Object.entries(r.terms)) {
      if (c === 0) continue;
      indices.push(col(v));
      values.push(solverNumber(c, `${r.name}: coefficient of ${v}`));
    }
    starts.push(indices.length);
    const rhs = solverNumber(r.rhs, `${r.name}: right-hand side`);
    rowLower[i] = r.op === "<=" ? -inf : rhs;
    rowUpper[i] = r.op === ">=" ? inf : rhs;
  });
  const sense =
    lp.objective.sense === "min" ? h.constants.objectiveSense.minimize : h.constants.objectiveSense.maximize;
  return {
    numCols: n,
    numRows: rows.length,
    sense,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: {
      format: "csr",
      numRows: rows.length,
      numCols: n,
      starts: Int32Array.from(starts),
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
  };
}

/** The rows with a nonzero coefficient (a row without any is a constant claim, checked apart). */
const written = (rows: Row[]): Row[] => rows.filter((r) => Object.values(r.terms).some((c) => c !== 0));

/** Solves `lp` restricted to `rows` (all of them by default). */
export async function solveLp(lp: LinearProgram, rows: Row[] = lp.rows): Promise<LpResult> {
  // A row without variables is a constant claim: it holds or the program is infeasible.
  if (rows.some((r) => Object.values(r.terms).every((c) => c === 0) && !rowHolds(r, 0))) {
    return { status: "infeasible" };
  }
  const h = await solver();
  // A model of its own, passed as arrays; only the column values are copied out (the LP text and the
  // legacy `solve`, a JavaScript record per row and per column, took gigabytes on 400,000 rows).
  const model = h.createModel(toModel(h, lp, written(rows)));
  try {
    const codes = h.constants.modelStatus;
    model.options.set({ output_flag: false });
    model.run();
    // Presolve may not tell infeasible from unbounded: solve again without it.
    if (model.getModelStatus() === codes.unboundedOrInfeasible) {
      model.clearSolver();
      model.options.set({ presolve: "off" });
      model.run();
    }
    const status = model.getModelStatus();
    if (status === codes.infeasible) return { status: "infeasible" };
    if (status === codes.unbounded || status === codes.unboundedOrInfeasible) return { status: "unbounded" };
    if (status !== codes.optimal) {
      const name = Object.entries(codes).find(([, c]) => c === status)?.[0] ?? String(status);
      throw new Error(`HiGHS ended with status "${name}"`);
    }
    const x = model.getSolution().colValue;
    const values: Record<string, number> = {};
    lp.variables.forEach((v, i) => (values[v] = x[i]));
    return { status: "optimal", objective: model.getObjectiveValue(), values };
  } finally {
    model.dispose();
  }
}

/**
 * An irreducible infeasible subset of the rows of an infeasible program (variable bounds are
 * kept throughout): dropping any one of the returned rows makes the rest feasible. HiGHS's own
 * IIS search names a small infeasible candidate; a deletion filter over the candidate alone then
 * proves it irreducible (over every row when HiGHS names none: slow on large programs).
 */
export async function infeasibleSubset(lp: LinearProgram): Promise<Row[]> {
  const feasibility: LinearProgram = { ...lp, objective: { sense: "min", terms: {} } };
  const constant = lp.rows.find((r) => Object.values(r.terms).every((c) => c === 0) && !rowHolds(r, 0));
  if (constant) return [constant];
  let candidate = await highsIis(feasibility);
  if (candidate.length === 0 || (await solveLp(feasibility, candidate)).status !== "infeasible") candidate = lp.rows;
  let kept = [...candidate];
  for (const row of candidate) {
    const without = kept.filter((r) => r !== row);
    if ((await solveLp(feasibility, without)).status === "infeasible") kept = without;
  }
  return kept;
}

/** The rows of HiGHS's infeasible subsystem of `lp` (rows first, then bounds), in program order; [] if none. */
async function highsIis(lp: LinearProgram): Promise<Row[]> {
  const h = await solver();
  const kept = written(lp.rows);
  const model = h.createModel(toModel(h, lp, kept));
  try {
    model.options.set({ output_flag: false, iis_strategy: h.constants.iis.strategyRowPriority });
    model.run();
    const rows = [...model.getIis().rowIndex].sort((a, b) => a - b);
    return rows.map((k) => kept[k]);
  } catch {
    return [];
  } finally {
    model.dispose();
  }
}
