/**
 * The Moore–Repullo / Aghion et al. (2018) mechanism of spec core-exchange §4, for any values:
 * the seller values the item at 0; the buyer values high quality `h` and low quality `l`. The
 * buyer announces "high" or "low"; unchallenged it pays `h / 2` or `l / 2`. If the seller
 * challenges, the buyer pays a fine `F` to a third party and gets a counter-offer at
 * `h + premium` ("high") or `l + premium` ("low"); accepting, the seller receives `F` plus the
 * counter-offer price; rejecting, the seller also pays `F` to the third party.
 * The seed's instance: h = 70, l = 20, F = 25, premium = 5 (counter-offers 75 and 25).
 *
 * When truthful announcement is the subgame-perfect equilibrium: backward induction on the tree
 * `mooreRepulloGame` builds, for h > l >= 0, F >= 0, P = premium >= 0 (node ids as in the tree: `<truth>.<announced>`
 * is the seller's node, `.challenge` the buyer's counter-offer node; each step: one move's payoff minus the other's
 * for the chooser, 0 a tie; the buyer's payoffs count its value of the item):
 *  1. t.t.challenge (buyer told the truth): accept - reject = (v_t - (v_t + P) - F) - (-F) = -P: reject; tie iff P = 0.
 *  2. low.high.challenge: accept - reject = l - (h + P) < 0: reject.
 *  3. high.low.challenge: accept - reject = A := h - l - P: accept iff A > 0; tie iff A = 0.
 *  4. high.high, low.high (seller; the buyer would reject): no - challenge = h/2 - (-F) = h/2 + F > 0: no.
 *  5. low.low (the buyer would reject): no - challenge = l/2 + F: no; tie iff l = F = 0.
 *  6. high.low, A >= 0 (the buyer accepts): challenge - no = (l + P + F) - l/2 = l/2 + P + F: challenge.
 *  7. high.low, A < 0 (the buyer rejects): no - challenge = l/2 + F: no; tie iff l = F = 0.
 *  8. low (buyer): "low" - "high" = (l - l/2) - (l - h/2) = (h - l)/2 > 0: truthful.
 *  9. high, A >= 0: "high" - "low" = h/2 - (h - l - P - F) = D := l + P + F - h/2; tie iff D = 0.
 * 10. high, A < 0, l + F > 0: "high" - "low" = h/2 - (h - l/2) = (l - h)/2 < 0: the buyer lies.
 * 11. high, A < 0, l = F = 0: the seller is indifferent (7); challenging, "high" - "low" = h/2 - 0 > 0.
 * Ties go to the honest move: reject after the truth, challenge and accept after a false "low" (the selection under
 * which truth survives); any tie means another SPE. D < 0 implies A > h/2 + F > 0, hence:
 *   unique iff h/2 < l + P + F, h - l > P, P > 0 and l + F > 0;
 *   not    iff h/2 > l + P + F, or h - l < P and l + F > 0;
 *   tie    otherwise: truthful, with a tie at high (D = 0), high.low.challenge (A = 0), both t.t.challenge (P = 0)
 *          or low.low (l = F = 0).
 * The seed's instance: D = 15, A = 45: unique. (The former condition `h/2 <= l + P + F` missed h - l > P.)
 */
import type { GameSpec, MoveSpec, NodeSpec } from "./game";
import { describeTie } from "./format";
import { TIE_TOLERANCE, type InductionResult } from "./induction";

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
    const after = (msg: "high" | "low", surplus = value - counter[msg]): MoveSpec => ({
      label: msg,
      observe: msg,
      next: {
        id: `${truth}.${msg}`,
        player: "S",
        // The truthful SPE: challenge a false "low" (the buyer takes the counter-offer, step 3 of the derivation);
        // leave the truth and a false "high" alone (a challenge would be rejected and cost the seller F, step 4).
        honest: truth === "high" && msg === "low" ? "challenge" : "no",
        moves: [
          { label: "no", observe: "no", utility: { B: value } },
          {
            label: "challenge",
            observe: "challenge",
            next: {
              id: `${truth}.${msg}.challenge`,
              player: "B",
              // Take the counter-offer when the item is worth its price; at equality reject after the truth
              // and accept after a lie (the tie-break under which truth survives).
              honest: surplus > TIE_TOLERANCE || (msg !== truth && surplus >= -TIE_TOLERANCE) ? "accept" : "reject",
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

export type TruthfulVerdict = "unique" | "tie" | "not";

export interface TruthfulCondition {
  verdict: TruthfulVerdict;
  reason: string;
  /** Nodes where the chooser is indifferent, in the tree's order (parent first). */
  ties: string[];
}

/** The closed-form verdict of the derivation above (ties within `tol`, as backward induction counts them). */
export function truthfulCondition(v: MooreRepulloValues, tol = TIE_TOLERANCE): TruthfulCondition {
  const { h, l, fine: F, premium: P } = v;
  if (!(h > l && l >= 0 && F >= 0 && P >= 0)) throw new RangeError("needs h > l >= 0, fine >= 0 and premium >= 0");
  const A = h - l - P;
  const D = l + P + F - h / 2;
  const accepts = A >= -tol; // step 3
  const sellerGap = accepts ? l / 2 + P + F : l / 2 + F; // steps 6 and 7
  const challenged = accepts || sellerGap <= tol;
  const lie = !challenged ? h - l / 2 : accepts ? h - l - P - F : -F; // a high-quality buyer announcing "low"
  const high = h / 2 - lie; // steps 9-11
  const gaps: [string, number][] = [
    ["high", Math.abs(high)],
    ["high.high", h / 2 + F],
    ["high.high.challenge", P],
    ["high.low", sellerGap],
    ["high.low.challenge", Math.abs(A)],
    ["low", (h - l) / 2],
    ["low.high", h / 2 + F],
    ["low.high.challenge", h - l + P],
    ["low.low", l / 2 + F],
    ["low.low.challenge", P],
  ];
  const ties = gaps.filter(([, gap]) => gap <= tol).map(([node]) => node);
  if (high < -tol) {
    const reason = accepts
      ? `h/2 > l + premium + F (${h / 2} > ${l + P + F}): a high-quality buyer announces "low", ` +
        "is challenged and takes the counter-offer"
      : `h - l < premium (${h - l} < ${P}) and l + F > 0: the buyer would reject the counter-offer, ` +
        'so the seller never challenges "low" and a high-quality buyer announces it';
    return { verdict: "not", reason, ties };
  }
  if (ties.length === 0) {
    return { verdict: "unique", reason: "h/2 < l + premium + F, h - l > premium, premium > 0 and l + F > 0", ties };
  }
  const equalities = [
    Math.abs(D) <= tol && accepts ? "h/2 = l + premium + F" : "",
    Math.abs(A) <= tol ? "h - l = premium" : "",
    P <= tol ? "premium = 0" : "",
    l / 2 + F <= tol ? "l = F = 0" : "",
  ].filter(Boolean);
  return {
    verdict: "tie",
    reason: `truthful, but ${equalities.join(" and ")}: indifference at ${ties.join(", ")}`,
    ties,
  };
}

/** The verdict backward induction reaches (ties broken toward the honest move, and reported). */
export function inductionVerdict(r: InductionResult): TruthfulVerdict {
  const truthful = ["high", "low"].every((t) => r.nodes.find((n) => n.node === t)?.choice === t);
  return !truthful ? "not" : r.ties.length ? "tie" : "unique";
}

/** The task's verdict line. */
export function verdictLine(r: InductionResult): string {
  const verdict = inductionVerdict(r);
  if (verdict === "unique") return "Truthful announcement is the unique subgame-perfect equilibrium.";
  if (verdict === "tie") {
    return (
      "Truthful announcement is a subgame-perfect equilibrium, but not unique: " +
      `${r.ties.map(describeTie).join("; ")}.`
    );
  }
  return "Truthful announcement is NOT a subgame-perfect equilibrium.";
}
