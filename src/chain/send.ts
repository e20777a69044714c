/**
 * Sends a contract call only once a simulation in the pending block passed: a call the contract would refuse is
 * never mined (a node that sends with a fixed gas limit, as Hardhat's do, would otherwise mine it and charge its
 * gas). Waits for the receipt. The error of a refusal is the node's, for `describeRevert` to name.
 */
import type { BaseContract, ContractTransactionResponse, Overrides, TransactionReceipt } from "ethers";

export async function simulateAndSend(
  contract: BaseContract,
  method: string,
  args: readonly unknown[],
  overrides: Overrides = {},
): Promise<TransactionReceipt> {
  const fn = contract.getFunction(method);
  await fn.staticCall(...args, { ...overrides, blockTag: "pending" });
  const receipt = await ((await fn.send(...args, overrides)) as ContractTransactionResponse).wait();
  if (!receipt) throw new Error(`${method}: no receipt`);
  return receipt;
}
