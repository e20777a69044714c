/**
 * What the app's server tells the page at start (`/config.json`, written by tasks/appServer.ts): the network,
 * where JSON-RPC is answered on the page's own origin, the contracts, and whether the node's accounts may be
 * picked (a development node).
 */
export interface AppConfig {
  network: string;
  chainId: number;
  /** The JSON-RPC endpoint, on the app's origin. */
  rpcPath: string;
  market?: string;
  escrow?: string;
  /** A development node (Hardhat's or Anvil's chain id 31337): the page offers a picker of the node's accounts. */
  devAccounts: boolean;
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch("/config.json", { cache: "no-store" });
  if (!res.ok) throw new Error(`the app server did not give its configuration (HTTP ${res.status})`);
  return (await res.json()) as AppConfig;
}
