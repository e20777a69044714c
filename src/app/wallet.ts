/**
 * The connected account: a browser wallet (an injected EIP-1193 provider) where there is one, or, on a local
 * development node, one of the node's own unlocked accounts picked from a list, so that the app works with no
 * extension. Reads always go to the app's node (`/rpc`); a browser wallet on another chain is named, and the
 * page sends nothing through it until it is switched.
 */
import { BrowserProvider, type Eip1193Provider, JsonRpcProvider, type Signer } from "ethers";
import type { AppConfig } from "./config";
import { button, field, fill, h, select } from "./dom";
import { shortAddress } from "./format";

declare global {
  interface Window {
    ethereum?: Eip1193Provider & { on?: (event: string, fn: () => void) => void };
  }
}

const INJECTED = "injected";
const REMEMBERED = "clearhouse.account";

export class Wallet {
  /** The app's node, for every read (and, on a development node, for the picked account's transactions). */
  readonly rpc: JsonRpcProvider;
  account: string | undefined;
  signer: Signer | undefined;
  /** Why nothing can be sent now (a wrong chain), shown in the header. */
  problem: string | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly picker: HTMLSelectElement;
  private readonly chainLine = h("span", { id: "chain-status", role: "status" });

  constructor(readonly config: AppConfig) {
    const url = new URL(config.rpcPath, location.href).href;
    this.rpc = new JsonRpcProvider(url, config.chainId, { staticNetwork: true, pollingInterval: 1000 });
    this.picker = select([["", "None (read only)"]], { id: "account" });
    this.picker.addEventListener("change", () => void this.choose(this.picker.value));
  }

  /** Fills the header: the account picker and the chain line; connects the remembered account. */
  async mount(header: HTMLElement): Promise<void> {
    const options: [string, string][] = [];
    if (window.ethereum) options.push([INJECTED, "Browser wallet"]);
    if (this.config.devAccounts) {
      const accounts = (await this.rpc.send("eth_accounts", [])) as string[];
      accounts.slice(0, 20).forEach((a, i) => options.push([a, `Node account ${i}: ${shortAddress(a)}`]));
    }
    for (const [value, label] of options) this.picker.append(h("option", { value }, label));
    fill(header, field("Account", this.picker).row, this.chainLine);
    window.ethereum?.on?.("accountsChanged", () => this.picker.value === INJECTED && void this.choose(INJECTED));
    window.ethereum?.on?.("chainChanged", () => this.picker.value === INJECTED && void this.choose(INJECTED));
    const remembered = localStorage.getItem(REMEMBERED) ?? "";
    const known = [...this.picker.options].some((o) => o.value === remembered);
    await this.choose(known ? remembered : "");
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Connects `choice`: an address of the node's, the browser wallet, or nothing. */
  async choose(choice: string): Promise<void> {
    this.picker.value = choice;
    localStorage.setItem(REMEMBERED, choice);
    this.problem = undefined;
    [this.account, this.signer] = [undefined, undefined];
    try {
      if (choice === INJECTED) await this.connectInjected();
      else if (choice) [this.account, this.signer] = [choice, await this.rpc.getSigner(choice)];
    } catch (e) {
      this.problem = `the wallet did not connect: ${(e as Error).message.split("\n")[0]}`;
    }
    this.showChain();
    for (const fn of this.listeners) fn();
  }

  private async connectInjected(): Promise<void> {
    const eth = window.ethereum!;
    const accounts = (await eth.request({ method: "eth_requestAccounts" })) as string[];
    const chainId = Number(await eth.request({ method: "eth_chainId" }));
    this.account = accounts[0];
    if (chainId !== this.config.chainId) {
      this.problem = `wrong network: the wallet is on chain ${chainId}, the app on chain ${this.config.chainId}`;
      return;
    }
    this.signer = await new BrowserProvider(eth).getSigner(this.account);
  }

  private showChain(): void {
    const { network, chainId } = this.config;
    if (!this.problem) {
      fill(this.chainLine, `Network ${network} (chain ${chainId})`);
      this.chainLine.className = "ok";
      return;
    }
    const switchButton =
      this.problem.startsWith("wrong network") &&
      button("Switch the wallet's network", () => {
        const hex = `0x${chainId.toString(16)}`;
        void window.ethereum!.request({ method: "wallet_switchEthereumChain", params: [{ chainId: hex }] });
      });
    fill(this.chainLine, this.problem, " ", switchButton);
    this.chainLine.className = "bad";
  }
}
