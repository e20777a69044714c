/**
 * Gas of every ClearingMarket call on the in-process network, at n agents.
 */
import { type ContractTransactionResponse, parseEther } from "ethers";
import type { MarketSettings } from "../clearing/model/settings";
import { reserveFor } from "../clearing/model/settlement";
import type { ChainEnv } from "../hardhat/adapter";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

/**
 * Runs three binding rounds with `n` agents (each demands 1 unit against m = n / 2) under
 * `rule` and returns the gas of each call; `closeRound` is measured on round 3, a typical
 * round with a previous observation to use.
 */
export async function measureClearingGas(
  env: ChainEnv,
  n: number,
  rule: MarketSettings["rule"],
): Promise<Record<string, number>> {
  const signers = env.signers;
  if (signers.length < n + 1) throw new Error(`need ${n + 1} accounts, have ${signers.length}`);
  const [owner, ...agents] = signers.slice(0, n + 1);
  const market = await env.deployMarket(
    {
      capacity: n / 2,
      tau: 0.5,
      fixedFee: 1,
      rule,
      eta: 0.01,
      tolPrimal: 1e-6,
      tolDual: 1e-9,
      roundDuration: 3600,
    },
    { feeRecipient: owner.address, revenueRecipient: owner.address },
  );
  const deposit = parseEther("100");
  const gas: Record<string, number> = {};
  gas.join = await gasOf(market.connect(agents[0]).join(deposit, { value: deposit }));
  for (const a of agents.slice(1)) await (await market.connect(a).join(deposit, { value: deposit })).wait();
  gas.deposit = await gasOf(market.connect(agents[0]).deposit(deposit, { value: deposit }));

  const one = parseEther("1");
  /** A demand for the open round, consenting to exactly its reserve at the posted price. */
  const submit = async (agent: (typeof agents)[number], quantity: bigint) => {
    const [round, , price, mu] = await market.currentRound();
    const { fixedFee } = await market.params((await market.state()).version);
    return market.connect(agent).submitDemand(round, quantity, reserveFor(quantity, price - mu, mu, fixedFee));
  };
  gas["submitDemand.first"] = await gasOf(submit(agents[0], one));
  gas["submitDemand.repeated"] = await gasOf(submit(agents[0], one + 1n));
  for (const a of agents.slice(1)) await (await submit(a, one)).wait();
  await (await market.closeRound()).wait();
  // Round 2: each agent's first submission also settles its round-1 charge and refund.
  gas["submitDemand.settling"] = await gasOf(submit(agents[0], one));
  for (const a of agents.slice(1)) await (await submit(a, one)).wait();
  await (await market.closeRound()).wait();
  for (const a of agents) await (await submit(a, one)).wait();
  gas.closeRound = await gasOf(market.closeRound());
  gas.settle = await gasOf(market.connect(owner).settle(agents[1].address));
  gas.withdraw = await gasOf(market.connect(agents[0]).withdraw(one));
  gas.leave = await gasOf(market.connect(agents[2]).leave());
  gas.withdrawFees = await gasOf(market.connect(owner).withdrawFees());
  gas.withdrawRevenue = await gasOf(market.connect(owner).withdrawRevenue());
  return gas;
}
