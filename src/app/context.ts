/** What every page gets: the server's configuration, the connected account and the chain's clock. */
import type { ChainClock } from "./chainClock";
import type { AppConfig } from "./config";
import type { Wallet } from "./wallet";

export interface AppContext {
  config: AppConfig;
  wallet: Wallet;
  clock: ChainClock;
}

/** A page draws itself into `root` and returns what stops it (its watchers and subscriptions). */
export type Page = (root: HTMLElement, ctx: AppContext) => () => void;
