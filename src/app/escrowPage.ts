/**
 * The escrow page: create an offer (on chain, paying the offerer's part now, or signed, to hand over as a link
 * or file), open a signed offer from its link or file, and the connected account's deals. Each leads to the
 * deal page.
 */
import { hexlify, randomBytes, ZeroAddress, getAddress, isAddress } from "ethers";
import { EscrowClient } from "../exchange/parties/escrowClient";
import { dealsOf } from "../exchange/parties/status";
import type { Page } from "./context";
import { button, field, fill, h, input, section, select } from "./dom";
import { InputError, assetOf, money, parseAmount, parseDuration, shortAddress } from "./format";
import { offerFromText, offerJson, offerRoute } from "./offerLink";
import { notingApprovals, runTx } from "./tx";

export const escrowPage: Page = (root, { config, wallet, clock }) => {
  if (!config.escrow) {
    fill(root, section("Escrow", h("p", {}, "No escrow is deployed on this network (start the app with --escrow).")));
    return () => {};
  }
  const reader = new EscrowClient(wallet.rpc, config.escrow);
  const status = h("p", { id: "offer-tx", class: "tx", role: "status", "aria-live": "polite" });
  const side = field(
    "Your side",
    select(
      [
        ["seller", "Seller"],
        ["buyer", "Buyer"],
      ],
      { id: "offer-side" },
    ),
  );
  const counterparty = field(
    "Counterparty's address",
    input({ id: "offer-counterparty", placeholder: "0x…", list: "known-accounts" }),
  );
  const asset = field("Asset", input({ id: "offer-asset", value: "ETH" }), "ETH, or an ERC-20 token's address");
  const price = field("Price", input({ id: "offer-price", value: "10" }), "in units of the asset");
  const redeem = field("Redeem window", input({ id: "offer-redeem", value: "3d" }), "e.g. 90, 15m, 2h, 3d");
  const complaint = field("Complaint window", input({ id: "offer-complaint", value: "2d" }));
  const fault = field("Fault window", input({ id: "offer-fault", value: "2d" }));
  const expiry = field("Offer open for", input({ id: "offer-expiry", value: "1d" }));
  const how = field(
    "How",
    select(
      [
        ["chain", "On chain: pay my part now"],
        ["signed", "Signed: a link for the counterparty"],
      ],
      { id: "offer-how" },
    ),
  );
  const known = h("datalist", { id: "known-accounts" });
  const paste = field("Signed offer link or file content", h("textarea", { id: "open-text", rows: "3" }));
  const file = field(
    "Or an offer file",
    h("input", { type: "file", id: "open-file", accept: ".json,application/json" }),
  );
  const openStatus = h("p", { id: "open-status", class: "tx", role: "status" });
  const deals = h("ul", { id: "my-deals" });

  const makeOffer = async (note: (text: string) => void) => {
    const signer = wallet.signer;
    const me = wallet.account;
    if (!signer || !me) throw new InputError("pick an account first");
    const other = counterparty.control.value.trim();
    if (!isAddress(other)) throw new InputError("counterparty: not an address (0x and 40 hex digits)");
    const assetText = asset.control.value.trim();
    const assetAddress = /^eth$/i.test(assetText) ? ZeroAddress : assetText;
    if (!isAddress(assetAddress)) throw new InputError("asset: ETH or a token's address");
    const paid = await assetOf(wallet.rpc, getAddress(assetAddress));
    const { decimals } = paid;
    const client = notingApprovals(new EscrowClient(signer, reader.address), paid, note);
    const table = await client.defaultTable();
    if (table === undefined) throw new InputError("the escrow has no default table registered");
    const sellerSide = side.control.value === "seller";
    const terms = await client.offerTerms({
      seller: sellerSide ? me : other,
      buyer: sellerSide ? other : me,
      asset: getAddress(assetAddress),
      price: parseAmount("price", price.control.value, decimals),
      table,
      expiry: clock.now() + parseDuration("offer open for", expiry.control.value),
      redeemWindow: parseDuration("redeem window", redeem.control.value),
      complaintWindow: parseDuration("complaint window", complaint.control.value),
      faultWindow: parseDuration("fault window", fault.control.value),
      sellerOffers: sellerSide,
      salt: BigInt(hexlify(randomBytes(12))),
      fromWallet: false,
    });
    if (how.control.value === "chain") {
      const receipt = await client.offer(terms);
      location.hash = `#/deal/${await client.dealId(terms)}`;
      return receipt;
    }
    const offer = await client.signOffer(terms);
    location.hash = offerRoute(offerJson(offer, await client.domain()));
    // Signing sends nothing: there is no block to show.
    return { blockNumber: 0, hash: "(signed, not sent)" };
  };
  /** What each side pays in at the typed price under the default table, before anything is sent. */
  const preview = h("p", { id: "offer-preview", role: "status" });
  // Each edit starts a new preview; an older one that answers later is dropped, not shown.
  let previewSeq = 0;
  const updatePreview = async () => {
    const seq = ++previewSeq;
    const current = () => seq === previewSeq;
    fill(preview, "");
    try {
      const assetText = asset.control.value.trim();
      const a = await assetOf(wallet.rpc, /^eth$/i.test(assetText) ? ZeroAddress : getAddress(assetText));
      const p = parseAmount("price", price.control.value, a.decimals);
      const table = await reader.defaultTable();
      if (!current() || table === undefined || p === 0n) return;
      const [sellerDeposit, buyerDeposit] = await reader.contract.depositsFor(table, p);
      if (!current()) return;
      const sellerSide = side.control.value === "seller";
      const mine = sellerSide ? sellerDeposit : p + buyerDeposit;
      const theirs = sellerSide ? p + buyerDeposit : sellerDeposit;
      const when = how.control.value === "chain" ? "now" : "from your balance in the escrow when it is opened";
      fill(
        preview,
        `You pay ${money(mine, a)} ${when} (${sellerSide ? "your deposit" : "the price and your deposit"}); ` +
          `the ${sellerSide ? "buyer" : "seller"} pays ${money(theirs, a)} to accept.`,
      );
    } catch {
      if (current()) fill(preview, "");
    }
  };
  for (const f of [side, asset, price, how]) f.control.addEventListener("input", () => void updatePreview());
  const offerButton = button("Make the offer", () => void runTx(status, "offer", makeOffer, offerButton), {
    id: "offer-make",
  });

  const openOffer = () => {
    try {
      offerFromText(paste.control.value);
      const code = /#\/offer\/([A-Za-z0-9_-]+)/.exec(paste.control.value)?.[1];
      location.hash = code ? `#/offer/${code}` : offerRoute(paste.control.value);
    } catch (e) {
      fill(openStatus, (e as Error).message);
    }
  };
  file.control.addEventListener("change", async () => {
    const f = (file.control as HTMLInputElement).files?.[0];
    if (!f) return;
    paste.control.value = await f.text();
    openOffer();
  });

  fill(
    root,
    section(
      "Create an offer",
      known,
      h(
        "div",
        { class: "grid" },
        side.row,
        counterparty.row,
        asset.row,
        price.row,
        redeem.row,
        complaint.row,
        fault.row,
        expiry.row,
        how.row,
      ),
      preview,
      offerButton,
      status,
    ),
    section(
      "Open a signed offer",
      paste.row,
      file.row,
      button("Open the offer", openOffer, { id: "open-offer" }),
      openStatus,
    ),
    section("Your deals", deals),
  );

  const refresh = async () => {
    const options = [...document.querySelectorAll<HTMLOptionElement>("#account option")].filter((o) =>
      o.value.startsWith("0x"),
    );
    fill(
      known,
      ...options
        .filter((o) => o.value !== wallet.account)
        .map((o) => h("option", { value: o.value }, o.textContent ?? "")),
    );
    offerButton.disabled = !wallet.signer;
    if (!wallet.account) return fill(deals, h("li", {}, "Pick an account to see its deals."));
    const mine = await dealsOf(reader, wallet.account);
    fill(
      deals,
      ...mine
        .reverse()
        .map((d) => h("li", {}, h("a", { href: `#/deal/${d.id}` }, `${shortAddress(d.id)}: ${d.role}, ${d.stage}`))),
      mine.length === 0 && h("li", {}, "No deals yet."),
    );
  };
  void refresh();
  void updatePreview();
  return wallet.onChange(() => void refresh());
};
