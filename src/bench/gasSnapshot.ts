/**
 * bench/gas-snapshot.json: the committed gas of every measured call (a flat object sorted by key),
 * and the pure comparison that CI runs against it (`npx hardhat bench --only gas --check`).
 *
 * The rule: a call fails when it costs more than its snapshot by more than `tolerancePct` (1 %
 * by default; exactly 1 % passes) or when it is on one side only. A call cheaper by more than the
 * same tolerance passes but is reported, so the snapshot is lowered on purpose (`--update`) and
 * the saving cannot be spent silently later; changes within the tolerance either way are quiet.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { sortedByKey } from "./results";

export const SNAPSHOT_PATH = path.join(__dirname, "..", "..", "bench", "gas-snapshot.json");

/** Allowed increase, in percent of the snapshot, before a call fails. */
export const DEFAULT_TOLERANCE_PCT = 1;

export type GasTable = Record<string, number>;

export type GasFinding =
  /** Costs more than `limit` = floor(snapshot * (1 + tolerance)): fails. */
  | { kind: "regression"; call: string; snapshot: number; measured: number; changePct: number; limit: number }
  /** Costs less than snapshot * (1 - tolerance): passes, the snapshot should be refreshed. */
  | { kind: "improvement"; call: string; snapshot: number; measured: number; changePct: number }
  /** Measured but not in the snapshot (a new call): fails until the snapshot is updated. */
  | { kind: "missing-in-snapshot"; call: string; measured: number }
  /** In the snapshot but no longer measured (a removed or renamed call): fails. */
  | { kind: "missing-in-measurement"; call: string; snapshot: number };

export interface GasComparison {
  /** Every finding, sorted by call. */
  findings: GasFinding[];
  /** True when no finding fails (improvements alone pass). */
  ok: boolean;
}

export const isFailure = (f: GasFinding): boolean => f.kind !== "improvement";

/**
 * Compares measured gas with the snapshot. Integer arithmetic decides the threshold, so a change
 * of exactly `tolerancePct` percent is within it.
 */
export function compareGas(
  snapshot: GasTable,
  measured: GasTable,
  tolerancePct: number = DEFAULT_TOLERANCE_PCT,
): GasComparison {
  const findings: GasFinding[] = [];
  const calls = [...new Set([...Object.keys(snapshot), ...Object.keys(measured)])].sort();
  for (const call of calls) {
    const before = snapshot[call];
    const now = measured[call];
    if (before === undefined) findings.push({ kind: "missing-in-snapshot", call, measured: now });
    else if (now === undefined) findings.push({ kind: "missing-in-measurement", call, snapshot: before });
    else {
      const delta = now - before;
      const changePct = (100 * delta) / before;
      if (100 * delta > tolerancePct * before)
        findings.push({
          kind: "regression",
          call,
          snapshot: before,
          measured: now,
          changePct,
          limit: Math.floor((before * (100 + tolerancePct)) / 100),
        });
      else if (-100 * delta > tolerancePct * before)
        findings.push({ kind: "improvement", call, snapshot: before, measured: now, changePct });
    }
  }
  return { findings, ok: !findings.some(isFailure) };
}

const gas = (n: number) => n.toLocaleString("en-US");
const pct = (p: number) => `${p >= 0 ? "+" : ""}${p.toFixed(2)} %`;

/** One line per finding: the call, the snapshot, the measured gas and the change. */
export function formatFinding(f: GasFinding): string {
  switch (f.kind) {
    case "regression":
      return (
        `${f.call}: snapshot ${gas(f.snapshot)}, measured ${gas(f.measured)} ` +
        `(${pct(f.changePct)}): over the limit of ${gas(f.limit)}`
      );
    case "improvement":
      return `${f.call}: snapshot ${gas(f.snapshot)}, measured ${gas(f.measured)} (${pct(f.changePct)}): cheaper`;
    case "missing-in-snapshot":
      return `${f.call}: not in the snapshot, measured ${gas(f.measured)}`;
    case "missing-in-measurement":
      return `${f.call}: snapshot ${gas(f.snapshot)}, no longer measured`;
  }
}

/** A snapshot file that is not a flat object of non-negative integers is an error naming it. */
const SnapshotFile = z.record(z.string(), z.number().int().nonnegative());

export class SnapshotError extends Error {}

export function readSnapshot(file: string = SNAPSHOT_PATH): GasTable {
  if (!fs.existsSync(file))
    throw new SnapshotError(`${path.relative(process.cwd(), file)} does not exist (create it with --update)`);
  let parsed;
  try {
    parsed = SnapshotFile.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch (e) {
    throw new SnapshotError(`${path.relative(process.cwd(), file)}: ${(e as Error).message}`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SnapshotError(
      `${path.relative(process.cwd(), file)}: ${issue.path.join(".") || "top level"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

export function writeSnapshot(measured: GasTable, file: string = SNAPSHOT_PATH): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(sortedByKey(measured), null, 2) + "\n");
}
