/**
 * A transaction from a page, shown as it goes: pending (simulated, then signed and sent, waiting for its
 * block), confirmed (with its block), or failed (the contract's named error in words); a token approval sent
 * first is noted in both. The button that sent it is disabled meanwhile; every transaction is also listed in the
 * page's transaction log.
 */
import { EscrowInputError } from "../exchange/parties/inputs";
import { h } from "./dom";
import { inWords } from "./explain";
import { type Asset, InputError, money } from "./format";

interface Mined {
  blockNumber: number;
  hash: string;
}

/** The log of this page's transactions (newest first), in the `<ol id="tx-log">` of the page. */
function logLine(text: string, state: "pending" | "confirmed" | "failed"): HTMLLIElement {
  const line = h("li", { class: state, "data-state": state }, text);
  document.getElementById("tx-log")?.prepend(line);
  return line;
}

/**
 * Runs `send` for `what`, showing its state in `status` and the log; `done` runs after a confirmation;
 * a refusal's amounts are written in `asset`'s units. Resolves true when confirmed.
 */
export async function runTx(
  status: HTMLElement,
  what: string,
  send: (note: (text: string) => void) => Promise<Mined | { receipt: Mined }>,
  trigger?: HTMLButtonElement,
  done?: () => void | Promise<void>,
  asset?: Asset,
): Promise<boolean> {
  const show = (text: string, state: "pending" | "confirmed" | "failed") => {
    status.textContent = text;
    status.dataset.state = state;
    status.className = `tx ${state}`;
  };
  const pending = `Pending: ${what}…`;
  show(pending, "pending");
  const line = logLine(pending, "pending");
  // What the call did on the way (a token approval sent first), shown while pending and once done.
  const notes: string[] = [];
  const noted = () => (notes.length ? ` (${notes.join("; ")})` : "");
  const note = (text: string) => {
    notes.push(text);
    show(`Pending: ${what}${noted()}…`, "pending");
    line.textContent = status.textContent;
  };
  if (trigger) [trigger.disabled, trigger.dataset.busy] = [true, "1"];
  try {
    const sent = await send(note);
    const r = "receipt" in sent ? sent.receipt : sent;
    // A signature sends nothing (a signed offer): it has no block.
    const text =
      r.blockNumber > 0
        ? `Confirmed: ${what}${noted()} (block ${r.blockNumber}, tx ${r.hash.slice(0, 10)}…)`
        : `Signed: ${what}`;
    show(text, "confirmed");
    [line.textContent, line.className, line.dataset.state] = [text, "confirmed", "confirmed"];
    if (trigger) [trigger.disabled, trigger.dataset.busy] = [false, ""];
    await done?.();
    return true;
  } catch (e) {
    if (trigger) [trigger.disabled, trigger.dataset.busy] = [false, ""];
    // A typed value refused before anything was sent is not a failed transaction.
    if (e instanceof InputError || e instanceof EscrowInputError) {
      line.remove();
      show(`Not sent: ${(e as Error).message.split("\n")[0]}`, "failed");
      return false;
    }
    const text = `Failed: ${what}${noted()}: ${inWords(e, asset)}`;
    show(text, "failed");
    [line.textContent, line.className, line.dataset.state] = [text, "failed", "failed"];
    return false;
  }
}

/** Has `client` note, through `note`, each token approval it sends before its own call. */
export function notingApprovals<C extends { onApprove?: (token: string, amount: bigint) => void }>(
  client: C,
  asset: Asset | undefined,
  note: (text: string) => void,
): C {
  client.onApprove = (token, amount) =>
    note(`approval of ${asset ? money(amount, asset) : `${amount} base units of ${token}`} sent first`);
  return client;
}
