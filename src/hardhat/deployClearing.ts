/**
 * Deploys a ClearingMarket through its Ignition module, on whatever network the Hardhat
 * runtime is connected to (in-process by default, `--network localhost`, a testnet).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import ClearingMarketModule from "../../ignition/modules/ClearingMarket";
import type { ClearingMarket } from "../../typechain-types";
import { type MarketSettings, toParamsInput } from "../clearing/model/settings";

export interface DeployClearingOptions {
  asset?: string;
  owner?: string;
  feeRecipient?: string;
  revenueRecipient?: string;
  allowListOnly?: boolean;
  /** Ignition deployment id (a fresh one per run on a persistent network). */
  deploymentId?: string;
}

export async function deployClearingMarket(
  hre: HardhatRuntimeEnvironment,
  settings: MarketSettings,
  opts: DeployClearingOptions = {},
): Promise<ClearingMarket> {
  const p = toParamsInput(settings);
  const parameters: Record<string, string | bigint | number | boolean> = {
    capacity: p.capacity,
    tau: p.tau,
    fixedFee: p.fixedFee,
    rule: p.rule,
    eta: p.eta,
    tolPrimal: p.tolPrimal,
    tolDual: p.tolDual,
    roundDuration: p.roundDuration,
  };
  const { deploymentId, ...addresses } = opts;
  for (const [key, value] of Object.entries(addresses)) if (value !== undefined) parameters[key] = value;
  const { market } = await hre.ignition.deploy(ClearingMarketModule, {
    parameters: { ClearingMarket: parameters },
    deploymentId,
  });
  return hre.ethers.getContractAt("ClearingMarket", await market.getAddress()) as unknown as Promise<ClearingMarket>;
}
