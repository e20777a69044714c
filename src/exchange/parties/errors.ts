/**
 * How the parties library reports a refusal: one line, naming the escrow's (or a standard token's)
 * custom error and its arguments. Needs only ethers.
 */
import { describeRevert as describeWith } from "../../chain/revert";
import { TOKEN_ERRORS } from "../../chain/erc20";
import { ESCROW_INTERFACE } from "./abi";

/** A call the escrow (or a token) refused, or a party that cannot make it; the message is one line. */
export class EscrowCallError extends Error {}

/** The first line of a revert, with the escrow's custom error and its arguments when it names one. */
export const describeRevert = (e: unknown): string => describeWith(e, [ESCROW_INTERFACE, TOKEN_ERRORS]);
