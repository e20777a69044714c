/**
 * A small linear-program layer over HiGHS (the `highs` package, HiGHS compiled to
 * WebAssembly): named variables and named constraints, solved through the CPLEX LP format,
 * and an irreducible infeasible subset (deletion filter) to name the constraints at fault.
 */
import loadHighs from "highs";

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

const num = (x: number): string => {
  if (!Number.isFinite(x)) throw new RangeError(`LP coefficient ${x} is not finite`);
  return x.toPrecision(17).replace(/\.?0+(e|$)/, "$1");
};

function expr(terms: Record<string, number>, col: (v: string) => string): string {
  const parts = Object.entries(terms)
    .filter(([, c]) => c !== 0)
    .map(([v, c]) => `${c < 0 ? "-" : "+"} ${num(Math.abs(c))} ${col(v)}`);
  return parts.length ? parts.join(" ") : "";
}

/** Value of a row's left-hand side at `values`. */
export function rowValue(row: Row, values: Record<string, number>): number {
  return Object.entries(row.terms).reduce((s, [v, c]) => s + c * (values[v] ?? 0), 0);
}

export function rowHolds(row: Row, lhs: number, tol = 1e-9): boolean {
  if (row.op === "<=") return lhs <= row.rhs + tol;
  if (row.op === ">=") return lhs >= row.rhs - tol;
  return Math.abs(lhs - row.rhs) <= tol;
}

function toLpFormat(lp: LinearProgram, rows: Row[]): string {
  const index = new Map(lp.variables.map((v, i) => [v, i]));
  const col = (v: string) => {
    const i = index.get(v);
    if (i === undefined) throw new Error(`LP uses unknown variable "${v}"`);
    return `x${i}`;
  };
  const lines = [lp.objective.sense === "min" ? "Minimize" : "Maximize"];
  const obj = expr(lp.objective.terms, col);
  lines.push(` obj: ${obj || `0 ${col(lp.variables[0])}`}`);
  lines.push("Subject To");
  rows.forEach((r, i) => {
    const lhs = expr(r.terms, col);
    if (lhs) lines.push(` c${i}: ${lhs} ${r.op} ${num(r.rhs)}`);
  });
  lines.push("Bounds");
  for (const v of lp.variables) {
    const b = lp.bounds[v] ?? { lo: 0, hi: Infinity };
    const lo = Number.isFinite(b.lo) ? num(b.lo) : "-inf";
    const hi = Number.isFinite(b.hi) ? num(b.hi) : "+inf";
    lines.push(b.lo === b.hi ? ` ${col(v)} = ${lo}` : ` ${lo} <= ${col(v)} <= ${hi}`);
  }
  lines.push("End");
  return lines.join("\n");
}

/** Solves `lp` restricted to `rows` (all of them by default). */
export async function solveLp(lp: LinearProgram, rows: Row[] = lp.rows): Promise<LpResult> {
  // A row without variables is a constant claim: it holds or the program is infeasible.
  if (rows.some((r) => Object.values(r.terms).every((c) => c === 0) && !rowHolds(r, 0))) {
    return { status: "infeasible" };
  }
  const h = await solver();
  const text = toLpFormat(lp, rows);
  let result = h.solve(text, { output_flag: false });
  // Presolve may not tell infeasible from unbounded: solve again without it.
  if (result.Status === "Primal infeasible or unbounded") {
    result = h.solve(text, { output_flag: false, presolve: "off" });
  }
  if (result.Status === "Infeasible") return { status: "infeasible" };
  if (result.Status === "Unbounded" || result.Status === "Primal infeasible or unbounded") {
    return { status: "unbounded" };
  }
  if (result.Status !== "Optimal") throw new Error(`HiGHS ended with status "${result.Status}"`);
  const values: Record<string, number> = {};
  lp.variables.forEach((v, i) => {
    const c = (result.Columns as Record<string, { Primal: number }>)[`x${i}`];
    values[v] = c ? c.Primal : 0;
  });
  return { status: "optimal", objective: result.ObjectiveValue, values };
}

/**
 * An irreducible infeasible subset of the rows of an infeasible program (variable bounds are
 * kept throughout): dropping any one of the returned rows makes the rest feasible.
 */
export async function infeasibleSubset(lp: LinearProgram): Promise<Row[]> {
  const feasibility: LinearProgram = { ...lp, objective: { sense: "min", terms: {} } };
  let kept = [...lp.rows];
  for (const row of lp.rows) {
    const without = kept.filter((r) => r !== row);
    if ((await solveLp(feasibility, without)).status === "infeasible") kept = without;
  }
  return kept;
}
