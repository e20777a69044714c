/**
 * The market page: the live rounds of the deployed market (the chart, the open round, a table of the closed
 * rounds), and the connected account's panel (marketAccount.ts).
 */
import { MarketClient, type OpenRound } from "../clearing/parties/marketClient";
import { deadlineText } from "./chainClock";
import { drawRounds } from "./chart";
import type { Page } from "./context";
import { fill, h, section } from "./dom";
import { assetOf, fixed, money } from "./format";
import { mountAccount } from "./marketAccount";
import { MarketRounds } from "./marketRounds";

/** The closed rounds shown in the table (latest first); the chart shows them all. */
const TABLE_ROWS = 12;

export const marketPage: Page = (root, ctx) => {
  const { config, wallet, clock } = ctx;
  if (!config.market) {
    fill(root, section("Market", h("p", {}, "No market is deployed on this network (start the app with --market).")));
    return () => {};
  }
  const reader = new MarketClient(wallet.rpc, config.market);
  const openLine = h("p", { id: "open-round", role: "status" }, "Reading the open round…");
  const chart = h("div", { id: "chart", role: "img", "aria-label": "Chart of the closed rounds" });
  const body = h("tbody", { id: "rounds-body" });
  const table = h(
    "table",
    { id: "rounds-table" },
    h("caption", {}, `Closed rounds (latest ${TABLE_ROWS}, newest first)`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Round", "Posted price", "Demand", "Capacity", "Converged"].map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    body,
  );
  const accountBox = h("div");
  fill(
    root,
    section(
      "Market rounds",
      h("p", { class: "muted" }, `ClearingMarket ${config.market}`),
      openLine,
      chart,
      h("div", { class: "scroll" }, table),
    ),
    accountBox,
  );

  const stop = new AbortController();
  const rounds = new MarketRounds(reader, () => void redraw());
  let drawing = Promise.resolve();
  const redraw = () =>
    (drawing = drawing.then(async () => {
      const [rows, changes] = await Promise.all([rounds.rows(), rounds.changes()]);
      chart.setAttribute(
        "aria-label",
        `Chart of ${rows.length} closed rounds: posted price, and demand against capacity; ` +
          `${rows.filter((r) => r.converged).length} converged`,
      );
      fill(
        body,
        ...rows
          .slice(-TABLE_ROWS)
          .reverse()
          .map((r) =>
            h(
              "tr",
              { "data-round": String(r.round), "data-converged": String(r.converged) },
              h("td", {}, String(r.round)),
              h("td", {}, r.price.toFixed(4)),
              h("td", {}, r.demand.toFixed(4)),
              h("td", {}, r.capacity.toFixed(4)),
              h("td", {}, r.converged ? "yes" : "no"),
            ),
          ),
      );
      await drawRounds(chart, rows, changes);
    }));
  void rounds.start(stop.signal).catch((e: Error) => fill(openLine, `Cannot follow the market: ${e.message}`));

  const showOpen = async (open: OpenRound) => {
    const asset = await assetOf(wallet.rpc, await reader.asset());
    const p = open.params;
    fill(
      openLine,
      `Round ${open.round} open: posted price ${fixed(open.price)} (tau ${fixed(p.tau)} + mu ${fixed(open.mu)}), ` +
        `demand ${fixed(open.totalDemand)} of capacity ${fixed(p.capacity)}, ` +
        `${open.submitted} of ${open.expected} submitted, fixed fee ${money(p.fixedFee, asset)}; deadline `,
      deadlineText(open.deadline, clock),
      open.closable ? " (closable now)" : "",
    );
    openLine.dataset.round = String(open.round);
  };
  const account = mountAccount(accountBox, ctx, reader, showOpen);
  return () => {
    stop.abort();
    account();
  };
};
