/**
 * The deal page (`#/deal/<id>`, or `#/offer/<code>` for a signed offer): the deal's terms and stage, its
 * deadlines counting down, and only the moves the connected party may make now, each with what that party would
 * receive in each final state it leaves reachable; the party's balance in the escrow and its withdrawal; for the
 * offerer of a signed offer, its link and file and whether its balance covers its part.
 */
import { ZeroAddress } from "ethers";
import { toJson } from "../common/json";
import { sleep } from "../common/sleep";
import type { Terms } from "../exchange/model/terms";
import { EscrowClient, type SignedOffer } from "../exchange/parties/escrowClient";
import { readSignedOffer } from "../exchange/parties/offerFile";
import { dealOutlook, type Move } from "../exchange/parties/outlook";
import { dealStatus, termsOf } from "../exchange/parties/status";
import type { AppContext, Page } from "./context";
import { MOVE_LABELS, reachableAfter, sendMove } from "./dealMoves";
import { outcomesTable, stageLine, termsList } from "./dealView";
import { button, field, fill, h, input, section } from "./dom";
import { type Asset, assetOf, money } from "./format";
import { offerFromText, offerJson, offerRoute } from "./offerLink";
import { notingApprovals, runTx } from "./tx";

export const dealPage =
  (route: { id?: string; offerCode?: string }): Page =>
  (root, ctx) => {
    const { config } = ctx;
    if (!config.escrow) {
      fill(root, section("Deal", h("p", {}, "No escrow is deployed on this network (start the app with --escrow).")));
      return () => {};
    }
    const reader = new EscrowClient(ctx.wallet.rpc, config.escrow);
    const view = h("div", {}, h("p", { role: "status" }, "Reading the deal…"));
    fill(root, view);
    let stop = () => {};
    const load = async (): Promise<{ terms: Terms; offer?: SignedOffer }> => {
      if (route.offerCode === undefined) {
        // A deal offered a moment ago: the node's latest block may not include it yet for this reader.
        for (let tries = 1; ; tries++) {
          try {
            return { terms: await termsOf(reader, route.id!) };
          } catch (e) {
            if (tries >= 5) throw e;
            await sleep(1000);
          }
        }
      }
      const offer = readSignedOffer(offerFromText(route.offerCode), await reader.domain());
      return { terms: offer.terms, offer };
    };
    load().then(
      ({ terms, offer }) => (stop = showDeal(view, ctx, reader, terms, offer)),
      (e: Error) => fill(view, h("p", { class: "tx failed", role: "alert" }, e.message.split("\n")[0])),
    );
    return () => stop();
  };

function showDeal(
  view: HTMLElement,
  ctx: AppContext,
  reader: EscrowClient,
  terms: Terms,
  offer: SignedOffer | undefined,
): () => void {
  const { wallet, clock } = ctx;
  const idLine = h("p", { id: "deal-id", class: "muted" });
  const termsBox = h("div");
  const stage = h("p", { id: "deal-stage", role: "status" });
  const role = h("p", { id: "deal-role" });
  const actions = h("div", { id: "deal-actions" });
  const outcomes = h("div", { class: "scroll" });
  const balance = h("div", { id: "deal-balance" });
  const share = h("div", { id: "offer-share" });
  const status = h("p", { id: "deal-tx", class: "tx", role: "status", "aria-live": "polite" });
  const events = h("ol", { id: "deal-events" });
  const confirmBox = h("input", { type: "checkbox", id: "redeem-confirm" });
  fill(
    view,
    section("Deal", idLine, termsBox, stage, role),
    section("Your moves", actions, status),
    section("Outcomes", outcomes),
    section("Your balance in the escrow", balance, share),
    h("details", {}, h("summary", {}, "Events"), events),
  );

  let asset: Asset | undefined;
  let busy = false;
  let shown = "";
  async function refresh(): Promise<void> {
    // One read at a time, and none while a transaction of this page is pending (its button stays as it is).
    if (busy || actions.querySelector("[data-busy='1']")) return;
    busy = true;
    try {
      asset ??= await assetOf(wallet.rpc, terms.asset);
      const [s, amounts] = await Promise.all([dealStatus(reader, terms), reader.amounts(terms)]);
      const o = await dealOutlook(reader, terms, s);
      const me = wallet.account;
      const mine = !me
        ? undefined
        : me.toLowerCase() === terms.seller.toLowerCase()
          ? "seller"
          : me.toLowerCase() === terms.buyer.toLowerCase()
            ? "buyer"
            : undefined;
      const held = me ? await reader.balanceOf(me, terms.asset) : 0n;
      // A signed offer is opened from the offerer's escrow balance: until its part is there, accepting fails.
      const offerer = terms.sellerOffers ? terms.seller : terms.buyer;
      const offererHeld = offer && s.stage === "None" ? await reader.balanceOf(offerer, terms.asset) : 0n;
      // Redrawn only when something shown changed (the countdowns tick on their own).
      const key = toJson([
        s.stage,
        s.due,
        s.messages,
        o,
        me,
        Boolean(wallet.signer),
        held,
        offererHeld,
        confirmBox.checked,
      ]);
      if (key === shown) return;
      shown = key;
      idLine.dataset.id = s.id;
      fill(idLine, `Deal ${s.id} on escrow ${reader.address}`);
      fill(termsBox, termsList(terms, amounts, asset, me));
      stageLine(stage, terms, s, o, asset, clock);
      role.dataset.role = mine ?? "none";
      fill(role, mine ? `You are the ${mine}.` : me ? "You are not a party to this deal." : "Pick an account.");
      fill(outcomes, outcomesTable(o.reachable, asset, mine));
      fill(events, ...s.events.map((e) => h("li", {}, `${e.name} in block ${e.blockNumber}`)));

      const moves: Move[] = [
        ...(mine ? o.next[mine] : []),
        ...o.next.anyone.filter((m) => !mine || !o.next[mine].includes(m)),
      ];
      const offererPart = terms.sellerOffers ? amounts.sellerDeposit : amounts.buyerDeposit + terms.price;
      const offererShort = offer && s.stage === "None" && offererHeld < offererPart;
      const pays = mine && moves.includes("accept") ? money(amounts.counterparty, asset) : "";
      fill(
        actions,
        ...moves.map((move) => {
          const after = reachableAfter(move, o.reachable, { confirm: confirmBox.checked });
          const receive = mine
            ? after.map((r) => `${r.state}: ${money(r[mine], asset!)}`).join("; ")
            : after
                .map((r) => `${r.state}: seller ${money(r.seller, asset!)}, buyer ${money(r.buyer, asset!)}`)
                .join("; ");
          const label = move === "accept" ? `${MOVE_LABELS.accept} ${pays}` : MOVE_LABELS[move];
          const b = button(
            label,
            () =>
              void runTx(
                status,
                label,
                (note) => sendMove(client(note), move, terms, s, offer, { confirm: confirmBox.checked }),
                b,
                refresh,
                asset,
              ),
            { "data-move": move, disabled: !wallet.signer || (move === "accept" && offererShort) },
          );
          const note =
            move === "cancel"
              ? `You get back ${money(offererPart, asset!)} (your part), if you paid it in.`
              : move === "accept" && offererShort
                ? `Not yet: the ${terms.sellerOffers ? "seller" : "buyer"} has ${money(offererHeld, asset!)} of ` +
                  `its ${money(offererPart, asset!)} in the escrow; the offer opens once it is there.`
                : `You would receive: ${receive || "—"}`;
          return h(
            "div",
            { class: "action" },
            b,
            move === "redeem" && field("and confirm the quality (no complaint)", confirmBox).row,
            h("small", { class: "block", "data-receive": move }, note),
          );
        }),
        moves.length === 0 && h("p", {}, mine ? "Nothing for you to do now." : "Nothing you may do on this deal."),
      );

      const withdrawButton = button(
        "Withdraw my balance",
        () =>
          void runTx(
            status,
            "withdraw",
            (note) => client(note).withdraw(held, terms.asset),
            withdrawButton,
            refresh,
            asset,
          ),
        {
          "data-move": "withdraw",
          disabled: !wallet.signer || held === 0n,
        },
      );
      fill(
        balance,
        h("p", { "data-balance": String(held) }, `Your balance: ${money(held, asset)}.`),
        held > 0n && withdrawButton,
      );
      fill(
        share,
        offer && s.stage === "None" && s.acceptable && mine ? offerShare(offer, mine, offererPart, held, asset) : null,
      );
    } catch (e) {
      fill(status, `Cannot read the deal: ${(e as Error).message.split("\n")[0]}`);
    } finally {
      busy = false;
    }
  }

  /** The party's client; a token approval it sends first is noted on the transaction's line. */
  const client = (note: (text: string) => void) =>
    notingApprovals(new EscrowClient(wallet.signer!, reader.address), asset, note);

  /** For the offerer: the link and file to hand over, and the deposit its balance still needs. */
  function offerShare(o: SignedOffer, mine: "seller" | "buyer", part: bigint, held: bigint, a: Asset): HTMLElement {
    const offerer = terms.sellerOffers ? "seller" : "buyer";
    if (mine !== offerer) return h("div");
    const json = offerJson(o, {
      name: "ExchangeEscrow",
      version: "2",
      chainId: BigInt(ctx.config.chainId),
      verifyingContract: reader.address,
    });
    const link = new URL(offerRoute(json), location.href).href;
    const short = part > held ? part - held : 0n;
    const deposit = button(
      `Deposit ${money(short, a)}`,
      () =>
        void runTx(
          status,
          "deposit to the escrow",
          (note) => client(note).deposit(short, terms.asset),
          deposit,
          refresh,
          a,
        ),
      { id: "offer-deposit" },
    );
    return h(
      "div",
      {},
      field("Link for the counterparty", input({ id: "offer-link", readonly: true, value: link })).row,
      h(
        "a",
        { href: `data:application/json,${encodeURIComponent(json)}`, download: `offer-${o.id.slice(0, 10)}.json` },
        "Download the offer file",
      ),
      h(
        "p",
        { id: "offer-funding" },
        `Opening this offer takes your part, ${money(part, a)}, from your balance in the escrow` +
          (terms.asset === ZeroAddress ? "" : " (a token deposit asks for its approval first)") +
          (short > 0n ? `: deposit ${money(short, a)} more before it is opened.` : ": your balance covers it."),
      ),
      short > 0n && deposit,
    );
  }

  void refresh();
  confirmBox.addEventListener("change", () => void refresh());
  const offTick = clock.onTick(() => void refresh());
  const offWallet = wallet.onChange(() => void refresh());
  return () => {
    offTick();
    offWallet();
  };
}
