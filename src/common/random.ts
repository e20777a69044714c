/**
 * Seeded pseudo-random numbers (mulberry32): every experiment is reproducible from its seed.
 */
export type Rng = () => number;

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform on [lo, hi). */
export const uniform = (r: Rng, lo: number, hi: number): number => lo + (hi - lo) * r();

/** Standard normal from two uniforms (Box–Muller). */
export function normal(r: Rng): number {
  const u = Math.max(r(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}
