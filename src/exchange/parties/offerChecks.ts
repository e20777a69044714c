/**
 * What a party checks before it commits to an offer, where the contract cannot: that the table its
 * terms name by number is registered for good (a number is given to whoever registers first, and a
 * registration not yet final could be replaced by another table under the same number), and that
 * the burn setting they name is not one the owner has yet to make (the owner could then fill it in
 * with a recipient nobody saw). Needs only ethers.
 */
import { ZeroHash } from "ethers";
import type { ExchangeEscrow } from "../../../typechain-types";
import type { Terms } from "../model/terms";
import { EscrowCallError } from "./errors";

/** Refuses (one line) terms whose table is not registered in a final block, or whose burn setting is not made yet. */
export async function checkOfferTerms(escrow: ExchangeEscrow, t: Terms): Promise<void> {
  const refuse = (why: string) => {
    throw new EscrowCallError(`escrow client: table ${t.table}, burn setting ${t.burnSetting}: ${why}`);
  };
  if ((await escrow.tableIdOf(t.table)) === ZeroHash) refuse(`no table ${t.table} is registered`);
  const [registered] = await escrow.queryFilter(escrow.filters.TableRegistered(t.table));
  const provider = escrow.runner?.provider;
  const final = provider ? await provider.getBlock("finalized").catch(() => null) : null;
  if (registered && final && registered.blockNumber > final.number) {
    refuse(`table ${t.table} was registered in block ${registered.blockNumber}, not final yet (${final.number})`);
  }
  const [inForce] = await escrow.burnSetting();
  if (t.burnSetting > inForce) refuse(`the burn setting in force is ${inForce}: a later one is not made yet`);
}
