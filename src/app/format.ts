/**
 * Amounts in the asset's units (never wei), quantities and prices (18-decimal fixed point), addresses and
 * countdowns as the pages show them; and the parsing of what a person types, refused in one line.
 */
import { Contract, type Provider, ZeroAddress, formatUnits, parseUnits } from "ethers";
import { ERC20_ABI } from "../chain/erc20";
import { span } from "../common/span";

/** A payment asset: native ETH or an ERC-20 token, with the decimals its amounts are written in. */
export interface Asset {
  address: string;
  symbol: string;
  decimals: number;
}

const cache = new Map<string, Promise<Asset>>();

/** The asset's symbol and decimals (ETH: 18); a token that does not tell them is shown by address, 18 decimals. */
export function assetOf(provider: Provider, address: string): Promise<Asset> {
  const key = address.toLowerCase();
  if (!cache.has(key)) {
    const read = async (): Promise<Asset> => {
      if (address === ZeroAddress) return { address, symbol: "ETH", decimals: 18 };
      const token = new Contract(address, [...ERC20_ABI, "function symbol() view returns (string)"], provider);
      const [symbol, decimals] = await Promise.all([
        token.symbol().catch(() => `token ${address.slice(0, 8)}…`),
        token.decimals().catch(() => 18n),
      ]);
      return { address, symbol: String(symbol), decimals: Number(decimals) };
    };
    cache.set(key, read());
  }
  return cache.get(key)!;
}

/** `x` base units of `asset` as a decimal with its symbol: "10.5 ETH" (at most `digits` decimals). */
export function money(x: bigint, asset: Asset, digits = 6): string {
  return `${decimal(formatUnits(x, asset.decimals), digits)} ${asset.symbol}`;
}

/** A fixed-point quantity or price (18 decimals) as a decimal. */
export const fixed = (x: bigint, digits = 4): string => decimal(formatUnits(x, 18), digits);

function decimal(s: string, digits: number): string {
  const [whole, frac = ""] = s.split(".");
  const cut = frac.slice(0, digits).replace(/0+$/, "");
  return cut ? `${whole}.${cut}` : whole;
}

/** A value a person typed that cannot be used; its message names the field, on one line. */
export class InputError extends Error {}

/** A typed amount in units of `decimals` (e.g. "12.5"); `what` names the field in the one-line refusal. */
export function parseAmount(what: string, text: string, decimals = 18): bigint {
  const s = text.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) throw new InputError(`${what}: expected a non-negative decimal number (e.g. 12.5)`);
  const frac = s.split(".")[1] ?? "";
  if (frac.length > decimals) throw new InputError(`${what}: at most ${decimals} decimals`);
  return parseUnits(s, decimals);
}

const SECONDS: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86400n };

/** A typed duration: seconds, or a number with a unit s, m, h or d ("3d"); at least one second. */
export function parseDuration(what: string, text: string): bigint {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m || BigInt(m[1]) === 0n) throw new InputError(`${what}: expected a duration such as 90, 15m, 2h or 3d`);
  return BigInt(m[1]) * SECONDS[m[2] || "s"];
}

export const shortAddress = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

/** How far `deadline` is from `now` (chain seconds): "in 2d 3h", "passed 5m ago". */
export function countdown(deadline: bigint, now: bigint): string {
  return deadline > now ? `in ${span(deadline - now)}` : `passed ${span(now - deadline)} ago`;
}

/** A chain time as a UTC date and time. */
export const chainDate = (t: bigint) => new Date(Number(t) * 1000).toISOString().replace(/\.000Z$/, "Z");
