/**
 * The web app's page (bundled by `hardhat app` into out/app/main.js): the header's account picker and chain
 * line, the navigation, and the router that draws one page at a time from the address's hash:
 * `#/market`, `#/escrow`, `#/deal/<id>`, `#/offer/<signed offer code>`.
 */
import { ChainClock } from "./chainClock";
import { loadConfig } from "./config";
import type { AppContext, Page } from "./context";
import { dealPage } from "./dealPage";
import { fill, h } from "./dom";
import { escrowPage } from "./escrowPage";
import { marketPage } from "./marketPage";
import { Wallet } from "./wallet";

function pageFor(hash: string): { page: Page; nav: string } {
  const deal = /^#\/deal\/(0x[0-9a-fA-F]{64})$/.exec(hash);
  if (deal) return { page: dealPage({ id: deal[1] }), nav: "escrow" };
  const offer = /^#\/offer\/([A-Za-z0-9_-]+)$/.exec(hash);
  if (offer) return { page: dealPage({ offerCode: offer[1] }), nav: "escrow" };
  if (hash === "#/escrow") return { page: escrowPage, nav: "escrow" };
  return { page: marketPage, nav: "market" };
}

async function main(): Promise<void> {
  const main = document.getElementById("main")!;
  try {
    const config = await loadConfig();
    const wallet = new Wallet(config);
    const clock = new ChainClock(wallet.rpc);
    await wallet.mount(document.getElementById("wallet")!);
    await clock.start();
    const ctx: AppContext = { config, wallet, clock };
    if (!location.hash) location.hash = config.market ? "#/market" : "#/escrow";
    let stop = () => {};
    const route = () => {
      stop();
      const { page, nav } = pageFor(location.hash);
      for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
        if (a.dataset.nav === nav) a.setAttribute("aria-current", "page");
        else a.removeAttribute("aria-current");
      }
      stop = page(main, ctx);
      main.focus();
    };
    window.addEventListener("hashchange", route);
    route();
  } catch (e) {
    fill(main, h("p", { class: "tx failed", role: "alert" }, `The app cannot start: ${(e as Error).message}`));
  }
}

void main();
