import { ethers } from "hardhat";
import type { ClearingMarket } from "../../typechain-types";
import { type ParamsInput, Rationing, StepRule } from "../../src/clearing/model/types";
import { type MarketSettings, toParamsInput } from "../../src/clearing/model/settings";

import { UNIT } from "../../src/common/fixed";

export { UNIT };
export const units = (x: number | string): bigint => ethers.parseUnits(String(x), 18);

/** Small market used by unit tests: m = 10, tau = 0.5, g = 0.1, constant eta = 0.1. */
export const BASE_PARAMS: ParamsInput = {
  capacity: units(10),
  tau: units("0.5"),
  fixedFee: units("0.1"),
  rule: StepRule.Constant,
  eta: units("0.1"),
  tolPrimal: units("0.000001"),
  tolDual: units("0.000000001"),
  roundDuration: 100n,
  rationing: Rationing.ProRata,
};

export interface DeployOptions {
  asset?: string;
  allowListOnly?: boolean;
  params?: Partial<ParamsInput>;
}

export async function deployMarket(opts: DeployOptions = {}) {
  const [owner, feeRecipient, revenueRecipient, ...agents] = await ethers.getSigners();
  const params = { ...BASE_PARAMS, ...opts.params };
  const factory = await ethers.getContractFactory("ClearingMarket");
  const market = (await factory.deploy({
    asset: opts.asset ?? ethers.ZeroAddress,
    owner: owner.address,
    feeRecipient: feeRecipient.address,
    revenueRecipient: revenueRecipient.address,
    allowListOnly: opts.allowListOnly ?? false,
    params,
  })) as unknown as ClearingMarket;
  await market.waitForDeployment();
  return { market, owner, feeRecipient, revenueRecipient, agents, params };
}

/** A native-ETH market (or a test-only variant) with human-unit settings, owned by signer 0. */
export async function deployWithSettings(
  settings: MarketSettings,
  contract = "ClearingMarket",
): Promise<ClearingMarket> {
  const [owner] = await ethers.getSigners();
  const factory = await ethers.getContractFactory(contract);
  const market = await factory.deploy({
    asset: ethers.ZeroAddress,
    owner: owner.address,
    feeRecipient: owner.address,
    revenueRecipient: owner.address,
    allowListOnly: false,
    params: toParamsInput(settings),
  });
  return market as unknown as ClearingMarket;
}
