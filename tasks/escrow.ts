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
import { hexlify, randomBytes, ZeroAddress } from "ethers";
import { task } from "hardhat/config";
import { z } from "zod";
import { addressArg, compileFirst, fail, orFail, parseArgs, report, signerFrom } from "./utils";

import {
  FROM,
  escrowTask,
  shared,
  parties,
  duration,
  assetArg,
  positive,
  oneDeal,
  exactlyOne,
  units,
  money,
  when,
  offererOf,
  counterpartyOf,
  stageLines,
  escrowAs,
  dealNamed,
  standing,
} from "./escrowCommon";

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
