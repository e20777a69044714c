/**
 * Exact 18-decimal fixed-point arithmetic in BigInt, mirroring what the contracts compute
 * (OpenZeppelin `Math.mulDiv`, PRBMath `UD60x18`). Every rounding direction is explicit.
 */
export const UNIT = 10n ** 18n;

/** floor(a * b / d), as `Math.mulDiv(a, b, d)`. */
export function mulDiv(a: bigint, b: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError("mulDiv: division by zero");
  return (a * b) / d;
}

/** ceil(a * b / d), as `Math.mulDiv(a, b, d, Rounding.Ceil)`. */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError("mulDivUp: division by zero");
  const p = a * b;
  return p / d + (p % d === 0n ? 0n : 1n);
}

/** floor(sqrt(x)) for x >= 0. */
export function isqrt(x: bigint): bigint {
  if (x < 0n) throw new RangeError("isqrt of a negative number");
  if (x < 2n) return x;
  let r = BigInt(Math.floor(Math.sqrt(Number(x))));
  // Newton corrections from the float estimate, to the exact floor.
  for (;;) {
    const next = (r + x / r) >> 1n;
    if (next >= r) break;
    r = next;
  }
  while (r * r > x) r -= 1n;
  while ((r + 1n) * (r + 1n) <= x) r += 1n;
  return r;
}

/** PRBMath `ud(x).sqrt()`: floor(sqrt(x * 1e18)). */
export function udSqrt(x: bigint): bigint {
  return isqrt(x * UNIT);
}

/** PRBMath `ud(x).div(ud(y))`: floor(x * 1e18 / y). */
export function udDiv(x: bigint, y: bigint): bigint {
  return mulDiv(x, UNIT, y);
}

export const abs = (a: bigint): bigint => (a < 0n ? -a : a);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** A float (units) to 18-decimal fixed point, rounded to nearest. */
export function toFixed(x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`toFixed: ${x} is not finite`);
  return BigInt(Math.round(x * 1e18));
}

/** 18-decimal fixed point to a float (units). */
export function fromFixed(x: bigint): number {
  const whole = x / UNIT;
  const frac = x % UNIT;
  return Number(whole) + Number(frac) / 1e18;
}
