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
  const tableId = await escrow.tableIdOf(t.table);
  if (tableId === ZeroHash) refuse(`no table ${t.table} is registered`);
  // One read at the finalized block, not a scan of the log; a node without that tag is taken at its word.
  const final = await escrow.tableIdOf(t.table, { blockTag: "finalized" }).catch(() => tableId);
  if (final !== tableId) refuse(`table ${t.table}'s registration is not final yet`);
  const [inForce] = await escrow.burnSetting();
  if (t.burnSetting > inForce) refuse(`the burn setting in force is ${inForce}: a later one is not made yet`);
}
