/**
 * The Moore–Repullo / Aghion et al. (2018) mechanism of spec core-exchange §4, for any values:
 * the seller values the item at 0; the buyer values high quality `h` and low quality `l`. The
 * buyer announces "high" or "low"; unchallenged it pays `h / 2` or `l / 2`. If the seller
 * challenges, the buyer pays a fine `F` to a third party and gets a counter-offer at
 * `h + premium` ("high") or `l + premium` ("low"); accepting, the seller receives `F` plus the
 * counter-offer price; rejecting, the seller also pays `F` to the third party.
 * The seed's instance: h = 70, l = 20, F = 25, premium = 5 (counter-offers 75 and 25).
 *
 * Truthful announcement is the SPE exactly when `h / 2 <= l + premium + F`: a high-quality
 * buyer who announces "low" is challenged and accepts the counter-offer, keeping
 * `h - l - premium - F` against `h / 2`; a low-quality buyer never gains by announcing "high"
 * (unchallenged, it pays `h / 2 > l / 2`).
 */
import type { GameSpec, MoveSpec, NodeSpec } from "./game";

export interface MooreRepulloValues {
  h: number;
  l: number;
  fine: number;
  premium: number;
}

export const SEED_VALUES: MooreRepulloValues = { h: 70, l: 20, fine: 25, premium: 5 };

export function mooreRepulloGame(v: MooreRepulloValues): GameSpec {
  const price = { high: v.h / 2, low: v.l / 2 };
  const counter = { high: v.h + v.premium, low: v.l + v.premium };
  const announce = (truth: "high" | "low"): NodeSpec => {
    const value = truth === "high" ? v.h : v.l;
    const after = (msg: "high" | "low"): MoveSpec => ({
      label: msg,
      observe: msg,
      next: {
        id: `${truth}.${msg}`,
        player: "S",
        // Intended: challenge a lie, accept the truth.
        honest: msg === truth ? "no" : "challenge",
        moves: [
          { label: "no", observe: "no", utility: { B: value } },
          {
            label: "challenge",
            observe: "challenge",
            next: {
              id: `${truth}.${msg}.challenge`,
              player: "B",
              // Intended: take the counter-offer only when the item is worth its price.
              honest: value > counter[msg] ? "accept" : "reject",
              moves: [
                { label: "accept", observe: "accept", utility: { B: value } },
                { label: "reject", observe: "reject" },
              ],
            },
          },
        ],
      },
    });
    return { id: truth, player: "B", honest: truth, moves: [after("high"), after("low")] };
  };
  const table: Record<string, Record<string, number>> = {};
  for (const msg of ["high", "low"] as const) {
    table[`${msg}-no`] = { B: -price[msg], S: price[msg] };
    table[`${msg}-challenge-accept`] = { B: -counter[msg] - v.fine, S: counter[msg] + v.fine };
    table[`${msg}-challenge-reject`] = { B: -v.fine, S: -v.fine };
  }
  return {
    name: "moore-repullo",
    description:
      `Moore–Repullo mechanism (Aghion et al. 2018) with h = ${v.h}, l = ${v.l}, fine ${v.fine}, ` +
      `counter-offers at value + ${v.premium}. Chance picks the true quality; the buyer should announce it truthfully.`,
    players: [
      { id: "S", name: "seller", pays: 0, deposit: 0, trade: 0 },
      { id: "B", name: "buyer", pays: 0, deposit: 0, trade: 0 },
    ],
    root: {
      id: "quality",
      player: "chance",
      moves: [
        { label: "high", probability: 0.5, next: announce("high") },
        { label: "low", probability: 0.5, next: announce("low") },
      ],
    },
    table,
    constraints: [],
  };
}
