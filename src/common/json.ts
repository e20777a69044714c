/**
 * JSON with bigints and infinities: every on-chain amount is a bigint, which `JSON.stringify`
 * refuses; bigints are written as decimal strings (exact; a reader converts them back with
 * `BigInt`), and an infinite number (a griefing factor of a costless deviation) as "Infinity" or
 * "-Infinity" rather than `JSON.stringify`'s null (a reader converts them back with `Number`).
 */
export const jsonReplacer = (_key: string, value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && (value === Infinity || value === -Infinity)) return String(value);
  return value;
};

/** `JSON.stringify` with bigints as decimal strings and infinities as strings; `indent` as in `JSON.stringify`. */
export const toJson = (value: unknown, indent?: number): string => JSON.stringify(value, jsonReplacer, indent);
