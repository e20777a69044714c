/**
 * Deploys an ExchangeEscrow with the default table through its Ignition module.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import ExchangeEscrowModule from "../../ignition/modules/ExchangeEscrow";
import defaultTable from "../../tables/core-exchange-min-deposits.json";
import type { ExchangeEscrow } from "../../typechain-types";
import { payoutTableFromJson } from "../exchange/model/payoutTable";

export const DEFAULT_PAYOUT_TABLE = payoutTableFromJson(defaultTable.chain);

export async function deployExchangeEscrow(
  hre: HardhatRuntimeEnvironment,
  opts: { owner?: string; burnRecipient?: string; deploymentId?: string } = {},
): Promise<{ escrow: ExchangeEscrow; tableId: string }> {
  const parameters: Record<string, string> = {};
  if (opts.owner) parameters.owner = opts.owner;
  if (opts.burnRecipient) parameters.burnRecipient = opts.burnRecipient;
  const { escrow } = await hre.ignition.deploy(ExchangeEscrowModule, {
    parameters: { ExchangeEscrow: parameters },
    deploymentId: opts.deploymentId,
  });
  const contract = (await hre.ethers.getContractAt(
    "ExchangeEscrow",
    await escrow.getAddress(),
  )) as unknown as ExchangeEscrow;
  const t = DEFAULT_PAYOUT_TABLE;
  const tableId = await contract.registerTable.staticCall({
    sellerDeposit: t.sellerDeposit,
    buyerDeposit: t.buyerDeposit,
    seller: t.seller,
    buyer: t.buyer,
  });
  return { escrow: contract, tableId };
}
