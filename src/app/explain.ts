/**
 * A refusal in words: the clients' one-line errors name the contract's custom error and its arguments
 * (`market client: submitDemand reverted: WrongRound(1, 2)`); a person also reads what it means.
 */
import { formatUnits } from "ethers";
import { STAGES } from "../exchange/parties/abi";
import type { Asset } from "./format";

type Words = (a: string[]) => string;

const stage = (x: string) => STAGES[Number(x)] ?? x;
/** What each named error means, its amounts written by `units`. */
const wordsWith = (units: (x: string) => string): Record<string, Words> => ({
  WrongRound: (a) => `round ${a[0]} is not the open round (round ${a[1]} is): nothing was sent or charged`,
  RoundExpired: (a) => `round ${a[0]} is past its deadline: it must be closed first`,
  RoundStillOpen: (a) => `round ${a[0]} is still open: it cannot be closed before its deadline`,
  ReserveAboveMax: (a) => `the demand would reserve ${units(a[0])}, more than the ${units(a[1])} you consented to`,
  NotActive: () => "this account is not a member of the market: join first",
  AlreadyActive: () => "this account is already a member",
  NotAllowed: () => "this market only admits allow-listed accounts",
  InsufficientBalance: (a) =>
    a.length === 2
      ? `the free balance is ${units(a[1])}, ${units(a[0])} is needed`
      : `the escrow balance of ${a[0]} is ${units(a[3])}, ${units(a[2])} is needed`,
  WrongStage: (a) => `the deal is in stage ${stage(a[1])}, this needs stage ${stage(a[0])}`,
  OfferExpired: () => "the offer has expired",
  NotParty: () => "this account is not the party that may do this",
  DealExists: () => "this deal was already opened",
  UnknownDeal: () => "there is no such deal on this escrow",
  InvalidSignature: () => "the offer's signature is not the offerer's",
  PriceBelowMinimum: (a) => `the price ${units(a[0])} is below the table's minimum ${units(a[1])}`,
  WrongNativeValue: (a) => `${units(a[0])} ETH must be sent, not ${units(a[1])}`,
  ERC20InsufficientAllowance: () => "the token was not approved for enough",
  ERC20InsufficientBalance: () => "the wallet holds too little of the token",
});

/** The error's message, and what it means where the named error is known; amounts in `asset`'s units. */
export function inWords(e: unknown, asset?: Asset): string {
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  const named = /(\w+)\(([^)]*)\)\s*$/.exec(message);
  // Amounts in the asset's units; 18 decimals when the asset is not known.
  const units = (x: string) =>
    asset ? `${formatUnits(BigInt(x), asset.decimals)} ${asset.symbol}` : formatUnits(BigInt(x), 18);
  const words = named && wordsWith(units)[named[1]];
  if (!words) return message;
  const args = named[2] ? named[2].split(",").map((s) => s.trim()) : [];
  return `${message}: ${words(args)}`;
}
