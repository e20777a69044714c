/**
 * Observable metrics shared by reports and the auditor.
 */

/** Gini coefficient of non-negative values (0: equal, -> 1: concentrated). Paper eq. (9). */
export function gini(values: number[]): number {
  const n = values.length;
  const total = values.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  let weighted = 0;
  sorted.forEach((v, i) => (weighted += (i + 1) * v));
  return (2 * weighted) / (n * total) - (n + 1) / n;
}
