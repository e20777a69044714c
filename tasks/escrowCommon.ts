/**
 * What the escrow commands share (tasks/escrow.ts, tasks/escrowDeal.ts): the flags every one takes, flag
 * parsing (durations, assets, one deal by id or file), the formatting of amounts, times and stages, and the
 * steps that find the escrow, the acting party and a deal.
 */
import fs from "node:fs";
import { formatUnits, getAddress, ZeroAddress } from "ethers";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { z } from "zod";
import type { Terms } from "../src/exchange/model/terms";
import type { DealOutlook, NextMoves } from "../src/exchange/parties/outlook";
import type { DealStatus } from "../src/exchange/parties/status";
import type { EscrowClient, SignedOffer } from "../src/exchange/parties/escrowClient";
import { span } from "../src/common/span";
import { contractAddress, decimal18, fail, orFail, signerFrom } from "./utils";

export { span };

export const FROM = "The acting account: an index into the network's accounts or one of their addresses (default: 0)";

/** A command on a deployed escrow, with the flags every one of them takes. */
export const escrowTask = (name: string, description: string) =>
  task(name, description)
    .addOptionalParam("escrow", "ExchangeEscrow address (default: the latest Ignition deployment on this network)")
    .addOptionalParam("from", FROM)
    .addFlag("json", "Print the result as JSON (amounts in base units)");

/** The shared flags, validated (--escrow and --from are checked against the chain where they are used). */
export const shared = { escrow: z.string().optional(), from: z.string().optional(), json: z.boolean() };

/** The parties library, loaded when a command runs rather than when Hardhat loads its configuration. */
export async function parties() {
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
export type Parties = Awaited<ReturnType<typeof parties>>;

export const SECONDS = { s: 1n, m: 60n, h: 3600n, d: 86400n } as const;

/** A duration: seconds, or a number with a unit (s, m, h, d); at least one second. */
export const duration = z
  .string()
  .regex(/^\d+[smhd]?$/, "expected a duration: seconds, or a number with a unit s, m, h or d (e.g. 90, 15m, 3d)")
  .transform((s) => {
    const [, n, unit] = /^(\d+)([smhd]?)$/.exec(s)!;
    return BigInt(n) * SECONDS[(unit || "s") as keyof typeof SECONDS];
  })
  .refine((x) => x > 0n, "must be at least 1 second");

/** `ETH` (any case) for native ETH, or a token's address (checksummed). */
export const assetArg = z
  .string()
  .regex(/^(eth|0x[0-9a-f]{40})$/i, "expected ETH or a token's address (0x and 40 hex digits)")
  .transform((s) => (s.toLowerCase() === "eth" ? ZeroAddress : getAddress(s.toLowerCase())));

export const positive = (what: string) => decimal18.refine((x) => x > 0n, `${what} must be positive`);

/** `--id` or `--file`, exactly one. */
export const oneDeal = (lib: Parties) => ({
  id: lib.dealIdSchema.optional(),
  file: z.string().min(1).optional(),
});
export const exactlyOne = (what: string) =>
  [
    (a: { id?: string; file?: string }) => (a.id === undefined) !== (a.file === undefined),
    `give exactly one of --id (${what}) and --file (a signed offer file)`,
  ] as const;

// ------------------------------------------------------------ formatting

export const units = (x: bigint) => formatUnits(x, 18).replace(/\.0$/, "");
export const assetName = (asset: string) => (asset === ZeroAddress ? "ETH" : `token ${asset}`);
export const money = (x: bigint, asset: string) => `${units(x)} ${assetName(asset)}`;

/** A chain time, with how far it is from the latest block's time. */
export const when = (t: bigint, now: bigint) =>
  `${new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z")} ` +
  `(${t > now ? `in ${span(t - now)}` : t === now ? "now" : `${span(now - t)} ago`})`;

export const movesLine = (next: NextMoves) => {
  const parts = (["seller", "buyer", "anyone"] as const)
    .filter((who) => next[who].length > 0)
    .map((who) => `${who} may ${next[who].join(", ")}`);
  return parts.length ? parts.join("; ") : "nothing (the deal is over)";
};

export const offererOf = (t: Terms) => (t.sellerOffers ? "seller" : "buyer");
export const counterpartyOf = (t: Terms) => (t.sellerOffers ? "buyer" : "seller");

/** Where a deal stands, in a line or a few: its stage and who may move, or how it ended. */
export function stageLines(t: Terms, { status: s, next }: { status: DealStatus } & DealOutlook): string[] {
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
export async function escrowAs(
  hre: HardhatRuntimeEnvironment,
  taskName: string,
  o: { escrow?: string; from?: string },
) {
  const lib = await parties();
  const address = await contractAddress(hre, taskName, "escrow", o.escrow);
  const signer = await signerFrom(hre, taskName, o.from);
  return { lib, client: new lib.EscrowClient(signer, address), me: signer.address };
}

/** A file's JSON; a failure names the flag. */
export function readJson(taskName: string, flag: string, file: string): unknown {
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
export async function dealNamed(
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
export async function standing(lib: Parties, client: EscrowClient, terms: Terms) {
  const status = await lib.dealStatus(client, terms);
  return { status, ...(await lib.dealOutlook(client, terms, status)) };
}
