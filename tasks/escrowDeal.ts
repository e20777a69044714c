/**
 * The escrow parties' messages, balances and reading commands: escrow:redeem, escrow:refund, escrow:complain,
 * escrow:confirm, escrow:fault, escrow:finalize, escrow:deposit, escrow:withdraw, escrow:status, escrow:deals
 * (tasks/escrow.ts lists every escrow command and its flags).
 */
import { z } from "zod";
import type { Terms } from "../src/exchange/model/terms";
import type { EscrowClient } from "../src/exchange/parties/escrowClient";
import { addressArg, contractAddress, orFail, parseArgs, report, signerFrom } from "./utils";

import {
  escrowTask,
  shared,
  parties,
  assetArg,
  positive,
  oneDeal,
  exactlyOne,
  units,
  money,
  span,
  when,
  offererOf,
  stageLines,
  escrowAs,
  dealNamed,
  standing,
} from "./escrowCommon";

// ------------------------------------------------------------ the parties' messages

/** A message on a deal named by --id: the call, and how its summary starts. */
function messageTask(
  name: string,
  description: string,
  done: (o: { confirm?: boolean }) => string,
  call: (client: EscrowClient, terms: Terms, o: { confirm?: boolean }) => Promise<{ hash: string }>,
) {
  return escrowTask(name, description)
    .addParam("id", "The deal id")
    .setAction(async (args, hre) => {
      const lib = await parties();
      const o = parseArgs(name, z.object({ ...shared, id: lib.dealIdSchema, confirm: z.boolean().optional() }), args);
      const { client } = await escrowAs(hre, name, o);
      const { terms } = await dealNamed(name, lib, client, o);
      const receipt = await orFail(name, () => call(client, terms, o));
      const after = await standing(lib, client, terms);
      await report(o.json, [`${done(o)} deal ${o.id}`, ...stageLines(terms, after)], {
        id: o.id,
        tx: receipt.hash,
        ...after,
      });
    });
}

messageTask(
  "escrow:redeem",
  "Buyer: the item arrived (--confirm: and its quality is fine, no complaint)",
  (o) => (o.confirm ? "Redeemed and confirmed the quality of" : "Redeemed"),
  (c, t, o) => c.redeem(t, o.confirm),
).addFlag("confirm", "Also confirm the quality (waives the complaint window)");
messageTask(
  "escrow:refund",
  "Buyer: nothing arrived, ask for a refund",
  () => "Asked for a refund on",
  (c, t) => c.requestRefund(t),
);
messageTask(
  "escrow:complain",
  "Buyer: the quality was low",
  () => "Complained about",
  (c, t) => c.complain(t),
);
messageTask(
  "escrow:confirm",
  "Buyer: no complaint (ends the complaint window)",
  () => "Confirmed the quality of",
  (c, t) => c.confirmQuality(t),
);
messageTask(
  "escrow:fault",
  "Seller: admit fault or cancel (cancelOrFault); the deal pays out",
  () => "Admitted fault on",
  (c, t) => c.admitFault(t),
);
messageTask(
  "escrow:finalize",
  "Ends the deal and pays out: the seller in its fault window, anyone after the last deadline",
  () => "Finalized",
  (c, t) => c.finalize(t),
);

// ------------------------------------------------------------ balance

for (const [name, verb] of [
  ["escrow:deposit", "Deposited"],
  ["escrow:withdraw", "Withdrew"],
] as const) {
  escrowTask(
    name,
    name === "escrow:deposit"
      ? "Pays into your balance in the escrow (what your signed offers are funded from)"
      : "Takes out of your balance in the escrow",
  )
    .addParam("amount", "Amount in units of the asset (e.g. 1.5)")
    .addOptionalParam("asset", "ETH or an ERC-20 token's address", "ETH")
    .setAction(async (args, hre) => {
      const o = parseArgs(name, z.object({ ...shared, amount: positive("the amount"), asset: assetArg }), args);
      const { client, me } = await escrowAs(hre, name, o);
      const receipt = await orFail(name, () =>
        name === "escrow:deposit" ? client.deposit(o.amount, o.asset) : client.withdraw(o.amount, o.asset),
      );
      const balance = await client.balanceOf(me, o.asset);
      await report(
        o.json,
        `${verb} ${money(o.amount, o.asset)}: your balance in the escrow is now ${money(balance, o.asset)}`,
        { account: me, asset: o.asset, amount: o.amount, balance, tx: receipt.hash },
      );
    });
}

// ------------------------------------------------------------ reading

escrowTask("escrow:status", "A deal's terms, stage, deadlines, next moves and payouts in every state still reachable")
  .addOptionalParam("id", "The deal id")
  .addOptionalParam("file", "A signed offer file (its deal may not exist on chain yet)")
  .setAction(async (args, hre) => {
    const T = "escrow:status";
    const lib = await parties();
    const o = parseArgs(T, z.object({ ...shared, ...oneDeal(lib) }).refine(...exactlyOne("a deal")), args);
    const address = await contractAddress(hre, T, "escrow", o.escrow);
    // Reading needs no account: --from only marks which side is the caller's.
    const me = o.from === undefined ? undefined : (await signerFrom(hre, T, o.from)).address;
    const client = new lib.EscrowClient(hre.ethers.provider, address);
    const { terms: t } = await dealNamed(T, lib, client, o);
    const you = (a: string) => (a === me ? " (you)" : "");
    const [amounts, { status: s, ...outlook }] = await Promise.all([client.amounts(t), standing(lib, client, t)]);
    const offerer = offererOf(t);
    const how =
      s.signed === true
        ? `opened from a signed offer of the ${offerer}`
        : s.signed === false
          ? `offered on chain by the ${offerer}, accepted`
          : s.stage === "Offered"
            ? `offered on chain by the ${offerer}, not accepted`
            : s.events.some((e) => e.name === "OfferWithdrawn")
              ? `offered on chain by the ${offerer}, withdrawn`
              : s.stage === "Withdrawn"
                ? `a signed offer of the ${offerer}, cancelled`
                : `a signed offer of the ${offerer}, not opened`;
    const m = s.messages;
    const received = [
      ...(m.redeem ? ["redeem"] : []),
      ...(m.refundRequested ? ["refund requested"] : []),
      ...(m.complaint ? ["complaint"] : []),
      ...(m.qualityConfirmed ? ["quality confirmed"] : []),
      ...(m.fault ? ["fault admitted"] : []),
    ];
    const lines = [
      `Deal ${s.id}: ${how}`,
      `  seller ${t.seller}${you(t.seller)}, buyer ${t.buyer}${you(t.buyer)}`,
      `  price ${money(t.price, t.asset)}; table ${t.table}: seller deposit ${units(amounts.sellerDeposit)}, ` +
        `buyer deposit ${units(amounts.buyerDeposit)}`,
      `  windows: redeem ${span(t.redeemWindow)}, complaint ${span(t.complaintWindow)}, ` +
        `fault ${span(t.faultWindow)}; ` +
        `offer expiry ${when(t.expiry, s.now)}; burn setting ${t.burnSetting}; salt ${t.salt}`,
      ...stageLines(t, { status: s, ...outlook }),
      ...(outlook.lastDeadline === undefined
        ? []
        : [`  if nobody moves, anyone may finalize from ${when(outlook.lastDeadline, s.now)}`]),
      `  messages: ${received.length ? received.join(", ") : "none"}`,
      outlook.reachable.length
        ? `  ${s.due.stage === "Final" ? "final state" : "final states still reachable"} (seller / buyer / burn):`
        : "  no final state is reachable",
      ...outlook.reachable.map(
        (r) => `    ${r.state.padEnd(9)}  ${units(r.seller)} / ${units(r.buyer)} / ${units(r.burn)}`,
      ),
      ...(s.events.length
        ? [`  events: ${s.events.map((e) => `${e.name} (block ${e.blockNumber})`).join(", ")}`]
        : ["  events: none"]),
    ];
    await report(o.json, lines, { escrow: address, terms: t, amounts, status: s, ...outlook });
  });

escrowTask("escrow:deals", "Lists an account's deals as seller or buyer: id, role, how it appeared, stage")
  .addOptionalParam("account", "The account (default: the --from account)")
  .setAction(async (args, hre) => {
    const T = "escrow:deals";
    const o = parseArgs(T, z.object({ ...shared, account: addressArg.optional() }), args);
    const lib = await parties();
    const address = await contractAddress(hre, T, "escrow", o.escrow);
    const account = o.account ?? (await signerFrom(hre, T, o.from)).address;
    const client = new lib.EscrowClient(hre.ethers.provider, address);
    const deals = await orFail(T, () => lib.dealsOf(client, account));
    await report(
      o.json,
      [
        deals.length ? `${deals.length} deal(s) of ${account}:` : `No deals of ${account} on escrow ${address}`,
        ...deals.map(
          (d) =>
            `  ${d.id}  ${d.role.padEnd(6)}  ${d.via.padEnd(6)}  ${d.stage.padEnd(9)}  ` +
            money(d.terms.price, d.terms.asset),
        ),
      ],
      { escrow: address, account, deals },
    );
  });
