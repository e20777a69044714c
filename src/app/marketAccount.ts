/**
 * The connected account's side of the market page: its balances and pending demand, and the forms to join,
 * deposit, submit, withdraw and leave (and to close a closable round). Each button is enabled only when the
 * market would take the call now (`MarketClient.status().mayNow`). A demand is sent with the consent guard: the
 * round it is for and the most it may reserve, both shown and editable before it is sent.
 */
import { MarketClient, type AgentStatus, type OpenRound } from "../clearing/parties/marketClient";
import type { AppContext } from "./context";
import { button, field, fill, h, input, section } from "./dom";
import { type Asset, InputError, assetOf, fixed, money, parseAmount } from "./format";
import { notingApprovals, runTx } from "./tx";

export function mountAccount(
  box: HTMLElement,
  { wallet, clock }: AppContext,
  reader: MarketClient,
  showOpen: (open: OpenRound) => Promise<void>,
): () => void {
  const summary = h("p", { id: "market-account", role: "status" });
  const status = h("p", { id: "market-tx", class: "tx", role: "status", "aria-live": "polite" });
  const consent = h("p", { id: "consent" });
  const joinAmount = field("Join with a deposit of", input({ id: "join-amount", value: "10" }));
  const depositAmount = field("Deposit", input({ id: "deposit-amount", value: "1" }));
  const quantity = field("Quantity (units)", input({ id: "submit-quantity", value: "1" }));
  const round = field("For round", input({ id: "submit-round", inputmode: "numeric" }));
  const maxReserve = field("Reserve at most", input({ id: "submit-max-reserve" }), "the consent guard");
  const withdrawAmount = field("Withdraw", input({ id: "withdraw-amount", value: "all" }), "an amount, or all");
  // A field the person edited keeps its value; an untouched one follows the open round.
  for (const f of [round, maxReserve]) f.control.addEventListener("input", () => (f.control.dataset.touched = "1"));

  let asset: Asset | undefined;
  let s: AgentStatus | undefined;
  /** The account's client; a token approval it sends first is noted on the transaction's line. */
  const client = (note: (text: string) => void) =>
    notingApprovals(new MarketClient(wallet.signer!, reader.address), asset, note);
  const amountOf = (f: { control: HTMLInputElement }, what: string) =>
    parseAmount(what, f.control.value, asset?.decimals);

  const act = (label: string, call: (c: MarketClient) => Promise<{ blockNumber: number; hash: string }>) => {
    const send = (note: (text: string) => void) => call(client(note));
    const b = button(label, () => void runTx(status, label.toLowerCase(), send, b, refresh, asset), {
      "data-action": label,
    });
    return b;
  };
  const buttons: Record<string, HTMLButtonElement> = {
    join: act("Join", (c) => c.join(amountOf(joinAmount, "join deposit"))),
    deposit: act("Deposit", (c) => c.deposit(amountOf(depositAmount, "deposit"))),
    submit: act("Submit demand", async (c) => {
      const r = round.control.value.trim();
      if (!/^\d+$/.test(r)) throw new InputError("for round: expected a round number");
      const q = parseAmount("quantity", quantity.control.value, 18);
      try {
        const sent = await c.submit(q, {
          round: BigInt(r),
          maxReserve: amountOf(maxReserve, "reserve at most"),
        });
        return sent.receipt;
      } finally {
        // Once sent (or refused), the guard's fields follow the open round and its price again.
        for (const f of [round, maxReserve]) delete f.control.dataset.touched;
      }
    }),
    withdraw: act("Withdraw", async (c) => {
      if (withdrawAmount.control.value.trim() !== "all") return c.withdraw(amountOf(withdrawAmount, "withdraw"));
      // All of it: what settling would leave free, so settle first (as `market:withdraw --amount all`).
      if (s?.settleable) await c.settle(wallet.account!);
      return c.withdraw((await c.status(wallet.account!)).free);
    }),
    leave: act("Leave", (c) => c.leave()),
    close: act("Close round", (c) => c.closeRound()),
  };

  const row = (...children: Node[]) => h("div", { class: "row" }, ...children);
  fill(
    box,
    section(
      "Your account in the market",
      summary,
      row(joinAmount.row, buttons.join),
      row(depositAmount.row, buttons.deposit),
      h(
        "fieldset",
        {},
        h("legend", {}, "Submit a demand"),
        row(quantity.row, round.row, maxReserve.row),
        consent,
        buttons.submit,
      ),
      row(withdrawAmount.row, buttons.withdraw),
      row(buttons.leave, buttons.close),
      status,
    ),
  );

  /** The guard's default: what the demand reserves at the price posted now (the charge of a full allocation). */
  const updateConsent = async (open: OpenRound) => {
    if (!round.control.dataset.touched) round.control.value = String(open.round);
    let q: bigint | undefined;
    try {
      q = parseAmount("quantity", quantity.control.value, 18);
    } catch {
      q = undefined;
    }
    if (q !== undefined && !maxReserve.control.dataset.touched && asset) {
      maxReserve.control.value = money(await reader.reserveFor(q, open), asset, asset.decimals).split(" ")[0];
    }
    fill(
      consent,
      `Submitting consents to round ${round.control.value || "?"} only, and to reserve at most ` +
        `${maxReserve.control.value || "?"} ${asset?.symbol ?? ""}: if the round closes first or the price moves ` +
        "above it, the market refuses the demand and charges nothing.",
    );
  };
  quantity.control.addEventListener("input", () => s && void updateConsent(s.open));
  for (const f of [round, maxReserve]) f.control.addEventListener("input", () => s && void updateConsent(s.open));

  let busy = false;
  async function refresh(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      asset ??= await assetOf(wallet.rpc, await reader.asset());
      for (const [f, what] of [
        [joinAmount, "Join with a deposit of"],
        [depositAmount, "Deposit"],
        [maxReserve, "Reserve at most"],
        [withdrawAmount, "Withdraw"],
      ] as const) {
        f.row.querySelector("label")!.textContent = `${what} (${asset.symbol})`;
      }
      const account = wallet.account;
      s = account ? await reader.status(account) : undefined;
      const open = s?.open ?? (await reader.openRound());
      await showOpen(open);
      await updateConsent(open);
      const may = new Set(wallet.signer && s ? s.mayNow : []);
      for (const [name, b] of Object.entries(buttons)) if (!b.dataset.busy) b.disabled = !may.has(name);
      if (!s) {
        fill(summary, wallet.problem ?? "Pick an account (top of the page) to join and submit.");
        return;
      }
      fill(
        summary,
        `${s.active ? "Member" : s.allowed ? "Not a member" : "Not allowed to join"}: free ${money(s.free, asset)}, ` +
          `reserved ${money(s.reserved, asset)}` +
          (s.round !== 0n ? `; demand ${fixed(s.demand)} in round ${s.round}` : "") +
          (s.settleable ? " (closed: settles on the next call)" : "") +
          `. May now: ${s.mayNow.join(", ") || "nothing"}.`,
      );
      summary.dataset.free = money(s.free, asset);
      summary.dataset.active = String(s.active);
    } catch (e) {
      fill(summary, `Cannot read the account: ${(e as Error).message.split("\n")[0]}`);
    } finally {
      busy = false;
    }
  }
  void refresh();
  const offTick = clock.onTick(() => void refresh());
  const offWallet = wallet.onChange(() => void refresh());
  return () => {
    offTick();
    offWallet();
  };
}
