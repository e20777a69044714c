/**
 * A length of time as people read it ("1d 1h"): the escrow's commands print deadlines with it, and the web app
 * counts them down with it, so both say the same thing.
 */

/** 90061 s as "1d 1h": the two largest units that are not zero. */
export function span(s: bigint): string {
  const parts = [
    [s / 86400n, "d"],
    [(s % 86400n) / 3600n, "h"],
    [(s % 3600n) / 60n, "m"],
    [s % 60n, "s"],
  ] as const;
  const shown = parts.filter(([n]) => n > 0n).slice(0, 2);
  return shown.length ? shown.map(([n, u]) => `${n}${u}`).join(" ") : "0s";
}
