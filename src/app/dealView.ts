/**
 * The read-only parts of the deal page: its terms, its stage with the deadlines counting down in chain time,
 * how it ended, and the payouts of every final state still reachable under the deal's table.
 */
import type { Terms } from "../exchange/model/terms";
import type { DealAmounts } from "../exchange/parties/escrowClient";
import type { DealOutlook, ReachableState } from "../exchange/parties/outlook";
import type { DealStatus } from "../exchange/parties/status";
import { type ChainClock, deadlineText } from "./chainClock";
import { fill, h } from "./dom";
import { type Asset, chainDate, money } from "./format";
import { span } from "../common/span";

/** What each stage waits for. */
const WAITING: Record<string, string> = {
  None: "a signed offer: the counterparty may open it",
  Offered: "offered on chain: the counterparty may accept it",
  Redeem: "the buyer redeems (the item arrived) or asks for a refund",
  Complaint: "the buyer may complain about the quality, or confirm it",
  Fault: "the seller may admit fault, or finalize",
  Final: "over: paid out",
  Withdrawn: "withdrawn: it can no longer be accepted",
};

export function termsList(t: Terms, amounts: DealAmounts, asset: Asset, me: string | undefined): HTMLElement {
  const who = (a: string) => `${a}${me && a.toLowerCase() === me.toLowerCase() ? " (you)" : ""}`;
  const rows: [string, string][] = [
    ["Seller", who(t.seller)],
    ["Buyer", who(t.buyer)],
    ["Price", money(t.price, asset)],
    ["Seller's deposit", money(amounts.sellerDeposit, asset)],
    ["Buyer's deposit", money(amounts.buyerDeposit, asset)],
    ["Offered by", t.sellerOffers ? "the seller" : "the buyer"],
    ["Windows", `redeem ${span(t.redeemWindow)}, complaint ${span(t.complaintWindow)}, fault ${span(t.faultWindow)}`],
    ["Table", `number ${t.table}`],
  ];
  return h("dl", { id: "deal-terms" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** The stage the next call will see, what it waits for, and its deadline counting down. */
export function stageLine(el: HTMLElement, t: Terms, s: DealStatus, o: DealOutlook, asset: Asset, clock: ChainClock) {
  const stage = s.due.stage;
  el.dataset.stage = stage;
  if (s.stage === "Final" && s.payouts) {
    const p = s.payouts;
    el.dataset.state = s.state;
    fill(
      el,
      h("strong", {}, `Final: ${s.state}`),
      `. The seller received ${money(p.seller, asset)}, the buyer ${money(p.buyer, asset)}, ` +
        `the burn recipient ${money(p.burn, asset)}.`,
    );
    return;
  }
  const deadline = stage === "None" || stage === "Offered" ? t.expiry : s.due.deadline;
  const closes = stage === "Final" || stage === "Withdrawn" ? null : deadline;
  fill(
    el,
    h("strong", {}, `Stage: ${stage === "Final" ? "Final (to be paid out)" : stage}`),
    ` — ${stage === "Final" ? "every window has passed: anyone may finalize" : WAITING[stage]}`,
    closes !== null && h("span", {}, `; ${stage === "None" || stage === "Offered" ? "expires" : "closes"} `),
    closes !== null && deadlineText(closes, clock),
    closes !== null && h("small", {}, ` (${chainDate(closes)}, chain time)`),
    o.lastDeadline !== undefined &&
      h(
        "span",
        { class: "block" },
        "If nobody sends another message, anyone may finalize ",
        deadlineText(o.lastDeadline, clock),
      ),
  );
}

/** The reachable final states with each side's payout; `mine` highlights the connected party's column. */
export function outcomesTable(reachable: ReachableState[], asset: Asset, mine?: "seller" | "buyer") {
  const col = (who: string) => h("th", { scope: "col", class: who === mine ? "mine" : "" }, who);
  return h(
    "table",
    { id: "deal-outcomes" },
    h("caption", {}, "Final states still reachable, and what each receives under the deal's table"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "State"), col("seller"), col("buyer"), col("burn"))),
    h(
      "tbody",
      {},
      ...reachable.map((r) =>
        h(
          "tr",
          { "data-state": r.state },
          h("th", { scope: "row" }, r.state),
          h("td", { class: mine === "seller" ? "mine" : "" }, money(r.seller, asset)),
          h("td", { class: mine === "buyer" ? "mine" : "" }, money(r.buyer, asset)),
          h("td", {}, money(r.burn, asset)),
        ),
      ),
    ),
  );
}
