/**
 * What every experiment of the study shares: seeds, grouping and summaries of replications and
 * the formatting of numbers in the comparisons.
 */
import { meanStd } from "../../common/metrics";

/** murmur3's 32-bit finalizer: nearby inputs give unrelated outputs. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The seed of one draw: the study's seed mixed with the parts naming the draw. Each part goes
 * through a full 32-bit mix, so no two draws of an experiment share a seed by construction (a
 * polynomial hash made replication 310 at n = 10 the replication 0 at n = 20).
 */
export const seedOf = (req: { seed: number }, ...parts: number[]): number =>
  parts.reduce((s, p) => mix32((s ^ mix32(p + 0x9e3779b9)) >>> 0), mix32(req.seed >>> 0));

/** The replication indices 0 .. replications - 1. */
export const replications = (n: number): number[] => Array.from({ length: n }, (_, rep) => rep);

/** `items` grouped by `key`: groups in order of first appearance, each group's items in order. */
export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export const mean = (values: number[]): number => meanStd(values).mean;

/** Each measure `name` as its mean `name` and its sample standard deviation `nameStd`. */
export type Summary<K extends string> = { [P in K]: number } & { [P in K as `${P}Std`]: number };

/** For each named measure of `items`: `name` (mean) and `nameStd` (sample standard deviation). */
export function summarize<T, K extends string>(items: T[], measures: Record<K, (item: T) => number>): Summary<K> {
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries<(item: T) => number>(measures)) {
    const s = meanStd(items.map(f));
    out[name] = s.mean;
    out[`${name}Std`] = s.std;
  }
  return out as Summary<K>;
}

/** The ±1 sd band around a mean, for band and error-bar charts. */
export const band = (mean: number, std: number): { lo: number; hi: number } => ({ lo: mean - std, hi: mean + std });

export const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
export const pm = (mean: number, std: number, digits = 2): string => `${fmt(mean, digits)} ± ${fmt(std, digits)}`;
