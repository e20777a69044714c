/**
 * What the market commands share (tasks/market.ts, marketLive.ts, marketOwner.ts): the flags every one takes,
 * the client for the acting account, and how amounts print.
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { z } from "zod";
import { fromFixed } from "../src/common/fixed";
import { contractAddress, signerFrom } from "./utils";

/** The flags every market command has. */
export const common = { market: z.string().optional(), from: z.string().optional(), json: z.boolean() };

export function marketTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("market", "ClearingMarket address (default: the latest Ignition deployment on this network)")
    .addOptionalParam("from", "The account to act as: an index into the network's accounts or an address")
    .addFlag("json", "Print the result as JSON");
}

/** The market client for the acting account. */
export async function clientFor(hre: HardhatRuntimeEnvironment, name: string, o: { market?: string; from?: string }) {
  const { MarketClient } = await import("../src/clearing/parties/marketClient");
  const address = await contractAddress(hre, name, "market", o.market);
  const signer = await signerFrom(hre, name, o.from);
  return { client: new MarketClient(signer, address), me: signer.address };
}

/** A fixed-point amount or quantity as a decimal with `digits` places. */
export const units = (x: bigint, digits = 6) => fromFixed(x).toFixed(digits);
