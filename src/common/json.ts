/**
 * JSON with bigints: every on-chain amount is a bigint, which `JSON.stringify` refuses. They are
 * written as decimal strings (exact; a reader converts them back with `BigInt`).
 */
export const bigintReplacer = (_key: string, value: unknown): unknown =>
  typeof value === "bigint" ? value.toString() : value;

/** `JSON.stringify` with bigints as decimal strings; `indent` as in `JSON.stringify`. */
export const toJson = (value: unknown, indent?: number): string => JSON.stringify(value, bigintReplacer, indent);
