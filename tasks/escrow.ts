/**
 * The escrow participants' commands (ExchangeEscrow, the core exchange), on the parties library
 * (src/exchange/parties):
 *   escrow:deploy    [--owner a] [--burn-recipient a] [--deployment-id id]        (Ignition; prints the address)
 *   escrow:offer     --side seller|buyer --counterparty a --price 10 [--asset ETH|token] [--table n]
 *                    [--redeem-window 3d] [--complaint-window 2d] [--fault-window 2d] [--expiry 1d] [--salt n]
 *                    [--signed offer.json [--permit]]
 *   escrow:accept    --id 0x.. | --file offer.json
 *   escrow:redeem    --id 0x.. [--confirm]        escrow:refund, escrow:complain, escrow:confirm --id 0x..
 *   escrow:fault     --id 0x..                    escrow:finalize --id 0x..
 *   escrow:cancel    --id 0x.. | --file offer.json
 *   escrow:deposit   --amount 1.5 [--asset]       escrow:withdraw --amount 1.5 [--asset]
 *   escrow:status    --id 0x.. | --file offer.json
 *   escrow:deals     [--account a]
 * Every command takes --escrow (default: the latest Ignition deployment on the network), --from (the acting
 * account: an index into the network's accounts or one of their addresses) and --json (the result as JSON,
 * amounts in base units). Amounts are written in units of the asset with up to 18 decimals; durations in
 * seconds or with a unit (90s, 15m, 2h, 3d). A refused command prints one line and exits 1.
 */
import fs from "node:fs";
import path from "node:path";
import { formatUnits, getAddress, hexlify, randomBytes, ZeroAddress } from "ethers";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { z } from "zod";
import type { Terms } from "../src/exchange/model/terms";
import type { DealOutlook, NextMoves } from "../src/exchange/parties/outlook";
import type { DealStatus } from "../src/exchange/parties/status";
import type { EscrowClient, SignedOffer } from "../src/exchange/parties/escrowClient";
import {
  addressArg,
  compileFirst,
  contractAddress,
  decimal18,
  fail,
  orFail,
  parseArgs,
  report,
  signerFrom,
} from "./utils";

const FROM = "The acting account: an index into the network's accounts or one of their addresses (default: 0)";

/** A command on a deployed escrow, with the flags every one of them takes. */
const escrowTask = (name: string, description: string) =>
  task(name, description)
    .addOptionalParam("escrow", "ExchangeEscrow address (default: the latest Ignition deployment on this network)")
    .addOptionalParam("from", FROM)
    .addFlag("json", "Print the result as JSON (amounts in base units)");

/** The shared flags, validated (--escrow and --from are checked against the chain where they are used). */
const shared = { escrow: z.string().optional(), from: z.string().optional(), json: z.boolean() };

/** The parties library, loaded when a command runs rather than when Hardhat loads its configuration. */
async function parties() {
  const [abi, client, status, outlook, offerFile, inputs] = await Promise.all([
    import("../src/exchange/parties/abi"),
    import("../src/exchange/parties/escrowClient"),
    import("../src/exchange/parties/status"),
    import("../src/exchange/parties/outlook"),
    import("../src/exchange/parties/offerFile"),
    import("../src/exchange/parties/inputs"),
  ]);
  return { ...abi, ...client, ...status, ...outlook, ...offerFile, ...inputs };
}
type Parties = Awaited<ReturnType<typeof parties>>;

const SECONDS = { s: 1n, m: 60n, h: 3600n, d: 86400n } as const;

/** A duration: seconds, or a number with a unit (s, m, h, d); at least one second. */
const duration = z
  .string()
  .regex(/^\d+[smhd]?$/, "expected a duration: seconds, or a number with a unit s, m, h or d (e.g. 90, 15m, 3d)")
  .transform((s) => {
    const [, n, unit] = /^(\d+)([smhd]?)$/.exec(s)!;
    return BigInt(n) * SECONDS[(unit || "s") as keyof typeof SECONDS];
  })
  .refine((x) => x > 0n, "must be at least 1 second");

/** `ETH` (any case) for native ETH, or a token's address (checksummed). */
const assetArg = z
  .string()
  .regex(/^(eth|0x[0-9a-f]{40})$/i, "expected ETH or a token's address (0x and 40 hex digits)")
  .transform((s) => (s.toLowerCase() === "eth" ? ZeroAddress : getAddress(s.toLowerCase())));

const positive = (what: string) => decimal18.refine((x) => x > 0n, `${what} must be positive`);

/** `--id` or `--file`, exactly one. */
const oneDeal = (lib: Parties) => ({
  id: lib.dealIdSchema.optional(),
  file: z.string().min(1).optional(),
});
const exactlyOne = (what: string) =>
  [
    (a: { id?: string; file?: string }) => (a.id === undefined) !== (a.file === undefined),
    `give exactly one of --id (${what}) and --file (a signed offer file)`,
  ] as const;

// ------------------------------------------------------------ formatting

const units = (x: bigint) => formatUnits(x, 18).replace(/\.0$/, "");
const assetName = (asset: string) => (asset === ZeroAddress ? "ETH" : `token ${asset}`);
const money = (x: bigint, asset: string) => `${units(x)} ${assetName(asset)}`;

/** 90061 s as "1d 1h": the two largest units that are not zero. */
function span(s: bigint): string {
  const parts = [
    [s / 86400n, "d"],
    [(s % 86400n) / 3600n, "h"],
    [(s % 3600n) / 60n, "m"],
    [s % 60n, "s"],
  ] as const;
  const shown = parts.filter(([n]) => n > 0n).slice(0, 2);
  return shown.length ? shown.map(([n, u]) => `${n}${u}`).join(" ") : "0s";
}

/** A chain time, with how far it is from the latest block's time. */
const when = (t: bigint, now: bigint) =>
  `${new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z")} ` +
  `(${t > now ? `in ${span(t - now)}` : t === now ? "now" : `${span(now - t)} ago`})`;

const movesLine = (next: NextMoves) => {
  const parts = (["seller", "buyer", "anyone"] as const)
    .filter((who) => next[who].length > 0)
    .map((who) => `${who} may ${next[who].join(", ")}`);
  return parts.length ? parts.join("; ") : "nothing (the deal is over)";
};

const offererOf = (t: Terms) => (t.sellerOffers ? "seller" : "buyer");
const counterpartyOf = (t: Terms) => (t.sellerOffers ? "buyer" : "seller");

/** Where a deal stands, in a line or a few: its stage and who may move, or how it ended. */
function stageLines(t: Terms, { status: s, next }: { status: DealStatus } & DealOutlook): string[] {
  // Amounts credited to balances in the escrow instead of sent: the burn remainder, refused pushes.
  const credits = s.credits.map((c) => `  credited to ${c.account} in the escrow: ${money(c.amount, c.asset)}`);
  if (s.stage === "Final") {
    const p = s.payouts!;
    return [
      `  final state ${s.state}: seller received ${money(p.seller, t.asset)}, buyer ${money(p.buyer, t.asset)}, ` +
        `burn ${money(p.burn, t.asset)}`,
      ...credits,
    ];
  }
  if (s.stage === "Withdrawn") return ["  withdrawn: it can no longer be accepted or opened", ...credits];
  const stored = s.due.stage !== s.stage ? ` (stored: ${s.stage}; the next call closes the windows passed)` : "";
  // A signed offer nobody opened has no slot: it stands until its expiry.
  const [stage, deadline] =
    s.due.stage === "None" ? ["None (signed, not opened)", t.expiry] : [s.due.stage, s.due.deadline];
  const until = s.due.stage === "Final" ? "" : ` until ${when(deadline, s.now)}`;
  return [`  stage ${stage}${until}${stored}`, `  next: ${movesLine(next)}`];
}

// ------------------------------------------------------------ shared steps

/** The escrow (from --escrow or the latest deployment) as the --from account. */
async function escrowAs(hre: HardhatRuntimeEnvironment, taskName: string, o: { escrow?: string; from?: string }) {
  const lib = await parties();
  const address = await contractAddress(hre, taskName, "escrow", o.escrow);
  const signer = await signerFrom(hre, taskName, o.from);
  return { lib, client: new lib.EscrowClient(signer, address), me: signer.address };
}

/** A file's JSON; a failure names the flag. */
function readJson(taskName: string, flag: string, file: string): unknown {
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    fail(`${taskName}: --${flag}: cannot read ${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(`${taskName}: --${flag}: ${file} is not JSON: ${(e as Error).message.split("\n")[0]}`);
  }
}

/**
 * The deal a command names: with --id, its terms from the event that created it; with --file, the signed
 * offer in the file, checked to be for this escrow and chain.
 */
async function dealNamed(
  taskName: string,
  lib: Parties,
  client: EscrowClient,
  o: { id?: string; file?: string },
): Promise<{ terms: Terms; offer?: SignedOffer }> {
  if (o.id !== undefined) return { terms: await orFail(taskName, () => lib.termsOf(client, o.id!)) };
  const raw = readJson(taskName, "file", o.file!);
  const offer = await orFail(taskName, async () => lib.readSignedOffer(raw, await client.domain()));
  return { terms: offer.terms, offer };
}

/** The deal's status and outlook (after a command), for its summary and its JSON. */
async function standing(lib: Parties, client: EscrowClient, terms: Terms) {
  const status = await lib.dealStatus(client, terms);
  return { status, ...(await lib.dealOutlook(client, terms, status)) };
}

// ------------------------------------------------------------ deploying

task("escrow:deploy", "Deploys an ExchangeEscrow (Ignition) with the default payout table registered")
  .addOptionalParam("owner", "Owner (default: the deploying account)")
  .addOptionalParam("burnRecipient", "Where new deals' remainders go (default: the deploying account)")
  .addOptionalParam("deploymentId", "Ignition deployment id (default: a fresh escrow-<time> on a persistent network)")
  .addOptionalParam("from", FROM)
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args, hre) => {
    const T = "escrow:deploy";
    const o = parseArgs(
      T,
      z.object({
        owner: addressArg.optional(),
        burnRecipient: addressArg.optional(),
        deploymentId: z
          .string()
          .regex(/^[A-Za-z0-9][\w-]*$/, "letters, digits, - and _ only")
          .optional(),
        from: shared.from,
        json: shared.json,
      }),
      args,
    );
    const sender = await signerFrom(hre, T, o.from);
    await compileFirst(hre);
    const { deployExchangeEscrow } = await import("../src/hardhat/adapter");
    // The module's own defaults are the network's first account: the deployer is named explicitly instead.
    const owner = o.owner ?? sender.address;
    const burnRecipient = o.burnRecipient ?? sender.address;
    // Ignition keeps one deployment per id on a persistent network: a fresh id per run unless one is given.
    const deploymentId = o.deploymentId ?? (hre.network.name === "hardhat" ? undefined : `escrow-${Date.now()}`);
    const { escrow, table, tableId } = await orFail(T, () =>
      deployExchangeEscrow(hre, { owner, burnRecipient, deploymentId, defaultSender: sender.address }),
    );
    const address = await escrow.getAddress();
    await report(
      o.json,
      [
        `ExchangeEscrow deployed at ${address}`,
        `  owner ${owner}, burn recipient ${burnRecipient}; default payout table: number ${table}` +
          (deploymentId ? `; Ignition deployment ${deploymentId}` : ""),
      ],
      { escrow: address, owner, burnRecipient, defaultTable: table, tableId, deploymentId: deploymentId ?? null },
    );
  });

// ------------------------------------------------------------ offering, accepting, cancelling

escrowTask("escrow:offer", "Offers a deal as its seller or buyer: on chain, or signed into a file for the other side")
  .addParam("side", "The acting account's side: seller or buyer")
  .addParam("counterparty", "The other side's address")
  .addParam("price", "Price in units of the asset (e.g. 10 or 0.25)")
  .addOptionalParam("asset", "ETH or an ERC-20 token's address", "ETH")
  .addOptionalParam("table", "Payout table number (default: the escrow's default table)")
  .addOptionalParam("redeemWindow", "The buyer's time to redeem or ask for a refund once the deal opens", "3d")
  .addOptionalParam("complaintWindow", "The buyer's time to complain after that", "2d")
  .addOptionalParam("faultWindow", "The seller's time to admit fault after that", "2d")
  .addOptionalParam("expiry", "How long the offer stays acceptable, from the latest block's time", "1d")
  .addOptionalParam("salt", "Tells apart offers with equal terms (default: random)")
  .addOptionalParam("signed", "Sign the offer into this file instead of offering on chain")
  .addFlag("permit", "With --signed and a token: pay the offerer's part from its wallet by an EIP-2612 permit")
  .setAction(async (args, hre) => {
    const T = "escrow:offer";
    const o = parseArgs(
      T,
      z
        .object({
          ...shared,
          side: z.enum(["seller", "buyer"], { errorMap: () => ({ message: "expected seller or buyer" }) }),
          counterparty: addressArg,
          price: positive("the price"),
          asset: assetArg,
          table: z
            .string()
            .regex(/^[1-9]\d*$/, "expected a table number (from 1)")
            .transform(BigInt)
            .optional(),
          redeemWindow: duration,
          complaintWindow: duration,
          faultWindow: duration,
          expiry: duration,
          salt: z.string().regex(/^\d+$/, "expected a non-negative integer").transform(BigInt).optional(),
          signed: z.string().min(1).optional(),
          permit: z.boolean(),
        })
        .refine((a) => !a.permit || (a.signed !== undefined && a.asset !== ZeroAddress), {
          path: ["permit"],
          message: "needs --signed and a token --asset (a permit pays a token from the wallet)",
        }),
      args,
    );
    const { lib, client, me } = await escrowAs(hre, T, o);
    if (o.counterparty === me) fail(`${T}: --counterparty: is the acting account (--from) itself`);
    const table =
      o.table ??
      (await client.defaultTable()) ??
      fail(`${T}: --table: the default table is not registered on escrow ${client.address}: pass a table number`);
    const latest = await hre.ethers.provider.getBlock("latest");
    const now = BigInt(latest!.timestamp);
    const terms = await orFail(T, () =>
      client.offerTerms({
        seller: o.side === "seller" ? me : o.counterparty,
        buyer: o.side === "buyer" ? me : o.counterparty,
        asset: o.asset,
        price: o.price,
        table,
        expiry: now + o.expiry,
        redeemWindow: o.redeemWindow,
        complaintWindow: o.complaintWindow,
        faultWindow: o.faultWindow,
        sellerOffers: o.side === "seller",
        salt: o.salt ?? BigInt(hexlify(randomBytes(12))),
        fromWallet: false,
      }),
    );
    const amounts = await client.amounts(terms);
    const { asset } = terms;
    const part = (side: "seller" | "buyer") =>
      side === "seller"
        ? `the seller deposit`
        : `price ${units(terms.price)} + buyer deposit ${units(amounts.buyerDeposit)}`;
    const theirs =
      `  the ${counterpartyOf(terms)} ${o.counterparty} pays ${money(amounts.counterparty, asset)} ` +
      `(${part(counterpartyOf(terms))}) to take it, until ${when(terms.expiry, now)}`;
    const data = {
      escrow: client.address,
      terms,
      sellerDeposit: amounts.sellerDeposit,
      buyerDeposit: amounts.buyerDeposit,
    };

    if (o.signed === undefined) {
      const receipt = await orFail(T, () => client.offer(terms));
      const id = await client.dealId(terms);
      await report(
        o.json,
        [
          `Offered deal ${id} on chain: you (${o.side}) paid ${money(amounts.offerer, asset)} (${part(o.side)})`,
          theirs,
        ],
        { ...data, id, via: "offer", paid: amounts.offerer, counterpartyPays: amounts.counterparty, tx: receipt.hash },
      );
      return;
    }
    const offer = await orFail(T, () => client.signOffer(terms, { permit: o.permit }));
    const file = lib.signedOfferFile(offer, await client.domain());
    try {
      fs.mkdirSync(path.dirname(path.resolve(o.signed)), { recursive: true });
      const { toJson } = await import("../src/common/json");
      fs.writeFileSync(o.signed, toJson(file, 2) + "\n");
    } catch (e) {
      fail(`${T}: --signed: cannot write ${o.signed}: ${(e as Error).message.split("\n")[0]}`);
    }
    const balance = await client.balanceOf(me, asset);
    const short = amounts.offerer - balance;
    const topUp = short > 0n ? `: deposit at least ${money(short, asset)} more with escrow:deposit` : "";
    const source = o.permit
      ? "from your wallet, by the permit in the file,"
      : `from your balance in the escrow (${money(balance, asset)} now${topUp})`;
    await report(
      o.json,
      [
        `Signed offer ${offer.id} written to ${o.signed}: you (${o.side}) paid nothing yet`,
        `  your part, ${money(amounts.offerer, asset)} (${part(o.side)}), is taken ${source} when it is opened`,
        theirs,
      ],
      {
        ...data,
        terms: offer.terms,
        id: offer.id,
        via: "signed",
        file: o.signed,
        paid: 0n,
        part: amounts.offerer,
        balance,
        counterpartyPays: amounts.counterparty,
      },
    );
  });

escrowTask("escrow:accept", "Accepts an on-chain offer (--id) or opens a signed one (--file), paying your part")
  .addOptionalParam("id", "The deal id of an on-chain offer")
  .addOptionalParam("file", "A signed offer file (escrow:offer --signed)")
  .setAction(async (args, hre) => {
    const T = "escrow:accept";
    const lib = await parties();
    const o = parseArgs(T, z.object({ ...shared, ...oneDeal(lib) }).refine(...exactlyOne("an on-chain offer")), args);
    const { client, me } = await escrowAs(hre, T, o);
    const { terms, offer } = await dealNamed(T, lib, client, o);
    const amounts = await client.amounts(terms);
    const receipt = await orFail(T, () => (offer ? client.openSigned(offer) : client.accept(terms)));
    const id = await client.dealId(terms);
    const side = terms.seller === me ? "seller" : "buyer";
    const theirs = offer
      ? `; the ${offererOf(terms)}'s ${money(amounts.offerer, terms.asset)} came from its ` +
        (offer.permit ? "wallet (permit)" : "balance in the escrow")
      : "";
    const after = await standing(lib, client, terms);
    await report(
      o.json,
      [
        `${offer ? "Opened" : "Accepted"} deal ${id}: ` +
          `you (${side}) paid ${money(amounts.counterparty, terms.asset)}${theirs}`,
        ...stageLines(terms, after),
      ],
      { id, via: offer ? "signed" : "offer", paid: amounts.counterparty, tx: receipt.hash, ...after },
    );
  });

escrowTask("escrow:cancel", "Withdraws your on-chain offer (--id) or cancels your signed one (--file)")
  .addOptionalParam("id", "The deal id of an on-chain offer nobody accepted")
  .addOptionalParam("file", "A signed offer file nobody opened")
  .setAction(async (args, hre) => {
    const T = "escrow:cancel";
    const lib = await parties();
    const o = parseArgs(T, z.object({ ...shared, ...oneDeal(lib) }).refine(...exactlyOne("an on-chain offer")), args);
    const { client } = await escrowAs(hre, T, o);
    const { terms, offer } = await dealNamed(T, lib, client, o);
    const id = await client.dealId(terms);
    if (offer) {
      const receipt = await orFail(T, () => client.cancelSigned(terms));
      await report(o.json, `Cancelled signed offer ${id}: it can no longer be opened`, {
        id,
        via: "signed",
        refund: 0n,
        tx: receipt.hash,
      });
      return;
    }
    const receipt = await orFail(T, () => client.withdrawOffer(terms));
    // The refund as the escrow reports it (pushed to the offerer, or credited to its balance if the push failed).
    const withdrawn = receipt.logs
      .map((l) => lib.ESCROW_INTERFACE.parseLog(l))
      .find((l) => l?.name === "OfferWithdrawn")!;
    const refund = BigInt(withdrawn.args.refund);
    await report(o.json, `Withdrew offer ${id}: ${money(refund, terms.asset)} refunded to you`, {
      id,
      via: "offer",
      refund,
      tx: receipt.hash,
    });
  });

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
