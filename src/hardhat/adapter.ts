/**
 * The one adapter between Hardhat and the libraries: deployments through the Ignition modules,
 * on whatever network the Hardhat runtime is connected to (in-process by default,
 * `--network localhost`, a testnet), and the provider and signers the Hardhat-free libraries
 * take. Only tasks, scripts and tests import this file.
 */
import { type Signer, ZeroAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import ClearingMarketModule from "../../ignition/modules/ClearingMarket";
import ExchangeEscrowModule from "../../ignition/modules/ExchangeEscrow";
import type { ClearingMarket, ExchangeEscrow } from "../../typechain-types";
import type { RpcProvider } from "../chain/batch";
import { type MarketSettings, toParamsInput } from "../clearing/model/settings";
import { DEFAULT_PAYOUT_TABLE } from "../exchange/model/defaultTable";

/** A signer that knows its address without a request (Hardhat's, ethers' wallets and JSON-RPC signers). */
export type AccountSigner = Signer & { readonly address: string };

/** What a run on a chain needs from its environment; `chainEnv` builds it from Hardhat's. */
export interface ChainEnv {
  networkName: string;
  provider: RpcProvider;
  signers: AccountSigner[];
  deployMarket: (settings: MarketSettings, opts?: DeployClearingOptions) => Promise<ClearingMarket>;
  deployGas: (settings: MarketSettings, opts?: DeployClearingOptions) => Promise<bigint>;
  deployEscrow: (opts?: DeployEscrowOptions) => Promise<{ escrow: ExchangeEscrow; table: bigint; tableId: string }>;
}

export async function chainEnv(hre: HardhatRuntimeEnvironment): Promise<ChainEnv> {
  return {
    networkName: hre.network.name,
    provider: hre.ethers.provider,
    signers: await hre.ethers.getSigners(),
    deployMarket: (settings, opts) => deployClearingMarket(hre, settings, opts),
    deployGas: (settings, opts) => clearingMarketDeployGas(hre, settings, opts),
    deployEscrow: (opts) => deployExchangeEscrow(hre, opts),
  };
}

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
    rationing: p.rationing,
  };
  const { deploymentId, ...addresses } = opts;
  for (const [key, value] of Object.entries(addresses)) if (value !== undefined) parameters[key] = value;
  const { market } = await hre.ignition.deploy(ClearingMarketModule, {
    parameters: { ClearingMarket: parameters },
    deploymentId,
  });
  return hre.ethers.getContractAt("ClearingMarket", await market.getAddress()) as unknown as Promise<ClearingMarket>;
}

/**
 * The gas the node estimates for deploying a ClearingMarket with `settings` from the network's first account, as
 * Ignition's module would (same constructor arguments and defaults): a budget checks it before anything is sent.
 */
export async function clearingMarketDeployGas(
  hre: HardhatRuntimeEnvironment,
  settings: MarketSettings,
  opts: DeployClearingOptions = {},
): Promise<bigint> {
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) throw new Error(`network "${hre.network.name}" has no account to deploy from`);
  const factory = await hre.ethers.getContractFactory("ClearingMarket", deployer);
  const tx = await factory.getDeployTransaction({
    asset: opts.asset ?? ZeroAddress,
    owner: opts.owner ?? deployer.address,
    feeRecipient: opts.feeRecipient ?? deployer.address,
    revenueRecipient: opts.revenueRecipient ?? deployer.address,
    allowListOnly: opts.allowListOnly ?? false,
    params: toParamsInput(settings),
  });
  return hre.ethers.provider.estimateGas({ ...tx, from: deployer.address });
}

export interface DeployEscrowOptions {
  owner?: string;
  burnRecipient?: string;
  /** Ignition deployment id (a fresh one per run on a persistent network). */
  deploymentId?: string;
  /**
   * The account that sends the deployment (default: the network's first). The module's `owner` and
   * `burnRecipient` still default to the network's first account: pass them to make the sender both.
   */
  defaultSender?: string;
}

/** Deploys an ExchangeEscrow through its Ignition module, which also registers the default table. */
export async function deployExchangeEscrow(
  hre: HardhatRuntimeEnvironment,
  opts: DeployEscrowOptions = {},
): Promise<{ escrow: ExchangeEscrow; table: bigint; tableId: string }> {
  const parameters: Record<string, string> = {};
  if (opts.owner) parameters.owner = opts.owner;
  if (opts.burnRecipient) parameters.burnRecipient = opts.burnRecipient;
  const { escrow } = await hre.ignition.deploy(ExchangeEscrowModule, {
    parameters: { ExchangeEscrow: parameters },
    deploymentId: opts.deploymentId,
    defaultSender: opts.defaultSender,
  });
  const contract = (await hre.ethers.getContractAt(
    "ExchangeEscrow",
    await escrow.getAddress(),
  )) as unknown as ExchangeEscrow;
  const t = DEFAULT_PAYOUT_TABLE;
  // Registered by the module: the call returns its number (and registers nothing twice).
  const table = await contract.registerTable.staticCall({
    sellerDeposit: t.sellerDeposit,
    buyerDeposit: t.buyerDeposit,
    seller: t.seller,
    buyer: t.buyer,
    minPrice: t.minPrice,
  });
  return { escrow: contract, table, tableId: await contract.tableIdOf(table) };
}
