/**
 * What a party passes to the escrow library, checked with zod before anything is signed or sent:
 * a deal's terms, an address, an amount, a signature. A bad input is one line,
 * `escrow client: <field>: <why>`, never a stack of schema issues or an opaque revert.
 */
import { getAddress, isAddress, isHexString } from "ethers";
import { z } from "zod";
import type { Terms } from "../model/terms";

/** A refused input to the escrow library; its message is one line. */
export class EscrowInputError extends Error {}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

const address = z
  .string({ invalid_type_error: "expected an address (0x and 40 hex digits)" })
  .refine((s) => isAddress(s), { message: "not an address (0x and 40 hex digits)" })
  .transform((s) => getAddress(s));

/** A non-negative integer as a bigint, a safe integer number or a decimal string. */
const uint = z
  .union([
    z.bigint(),
    z.number().int("expected an integer").safe("beyond a safe integer: pass a bigint or a string"),
    z.string().regex(/^\d+$/, "expected a decimal integer"),
  ])
  .transform((x) => BigInt(x))
  .refine((x) => x >= 0n, "must not be negative");

const below = (bitsWide: bigint) => uint.refine((x) => x < 1n << bitsWide, `does not fit ${bitsWide} bits`);
const window = below(32n).refine((x) => x > 0n, "a window must be at least 1 second");

const termsFields = z
  .object({
    seller: address,
    buyer: address,
    asset: address,
    price: below(128n).refine((x) => x > 0n, "the price must be positive"),
    table: below(32n).refine((x) => x > 0n, "tables are numbered from 1"),
    expiry: below(40n),
    redeemWindow: window,
    complaintWindow: window,
    faultWindow: window,
    sellerOffers: z.boolean({ invalid_type_error: "expected true or false" }),
    salt: below(96n),
    burnSetting: below(32n),
    fromWallet: z.boolean({ invalid_type_error: "expected true or false" }).default(false),
  })
  .strict();

const distinctParties = { message: "seller and buyer must differ", path: ["buyer"] };

export const termsSchema = termsFields.refine((t) => t.seller !== t.buyer, distinctParties);

/** An offer's terms before it is made: `burnSetting` may be left out, to agree to the one in force. */
const offerTermsSchema = termsFields
  .extend({ burnSetting: below(32n).optional() })
  .refine((t) => t.seller !== t.buyer, distinctParties);

/** The terms as a party may write them: integers as bigint, number or decimal string. */
export type TermsInput = z.input<typeof termsSchema>;
/** An offer's terms as its offerer may write them, `burnSetting` optional. */
export type OfferTermsInput = z.input<typeof offerTermsSchema>;
export type OfferTerms = z.output<typeof offerTermsSchema>;

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/** A deal's id: 32 bytes in hex (lower case). */
export const dealIdSchema = z
  .string({ invalid_type_error: "expected a deal id (0x and 64 hex digits)" })
  .regex(HEX32, "expected a deal id (0x and 64 hex digits)")
  .transform((s) => s.toLowerCase());

const signatureSchema = z
  .string()
  .refine((s) => isHexString(s) && (s.length === 132 || s.length === 130), "expected a 65- or 64-byte hex signature");

/** The `kind` that marks a signed offer file. */
export const SIGNED_OFFER_KIND = "ExchangeEscrow signed offer";

const bytes32 = z.string().regex(HEX32, "expected 32 bytes in hex");

/** What `offerFile.ts` writes: a signed offer with the escrow and chain it is for, and maybe its permit. */
const signedOfferFileSchema = z
  .object({
    kind: z.literal(SIGNED_OFFER_KIND, {
      errorMap: () => ({ message: `expected "${SIGNED_OFFER_KIND}": not a signed offer file` }),
    }),
    escrow: address,
    chainId: uint,
    id: dealIdSchema,
    terms: termsSchema,
    signature: signatureSchema,
    permit: z
      .object({ deadline: uint, v: z.number().int().min(27).max(28), r: bytes32, s: bytes32 })
      .strict()
      .optional(),
  })
  .strict();

export type SignedOfferFields = z.output<typeof signedOfferFileSchema>;

function check<T extends z.ZodTypeAny>(what: string, schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = [what, ...issue.path.map(String)].join(".");
    throw new EscrowInputError(`escrow client: ${at}: ${oneLine(issue.message)}`);
  }
  return parsed.data;
}

export const parseTerms = (raw: unknown): Terms => check("terms", termsSchema, raw);
export const parseOfferTerms = (raw: unknown): OfferTerms => check("terms", offerTermsSchema, raw);
export const parseAddress = (what: string, raw: unknown): string => check(what, address, raw);
export const parseAmount = (what: string, raw: unknown): bigint => check(what, uint, raw);
export const parseSignature = (raw: unknown): string => check("signature", signatureSchema, raw);
export const parseDealId = (raw: unknown): string => check("id", dealIdSchema, raw);
export const parseSignedOfferFile = (raw: unknown): SignedOfferFields =>
  check("signed offer", signedOfferFileSchema, raw);
