/**
 * How the parties library reports a refusal: one line, naming the escrow's (or a standard token's)
 * custom error and its arguments. Needs only ethers.
 */
import { ESCROW_INTERFACE, TOKEN_ERRORS } from "./abi";

/** A call the escrow (or a token) refused, or a party that cannot make it; the message is one line. */
export class EscrowCallError extends Error {}

/** The first line of a revert, with the escrow's custom error and its arguments when it names one. */
export function describeRevert(e: unknown): string {
  const err = e as { revert?: { name: string; args: unknown[] }; data?: unknown; error?: { data?: unknown } };
  let revert = err.revert;
  // A node that cannot decode an error (a token's, say) leaves its data in the message.
  const inMessage = /return data: (0x[0-9a-fA-F]+)/.exec(e instanceof Error ? e.message : String(e))?.[1];
  for (const data of [err.data, err.error?.data, inMessage]) {
    if (revert || typeof data !== "string" || data.length < 10) continue;
    const parsed = ESCROW_INTERFACE.parseError(data) ?? TOKEN_ERRORS.parseError(data);
    if (parsed) revert = { name: parsed.name, args: [...parsed.args] };
  }
  if (revert) return `${revert.name}(${revert.args.map(String).join(", ")})`;
  const m = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  const custom = /custom error '([^']+)'/.exec(m);
  return custom ? custom[1] : m;
}
