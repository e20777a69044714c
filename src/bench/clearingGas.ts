/**
 * Gas of every ClearingMarket call on the in-process network (or a Hardhat node), at n agents, under a price rule
 * and a rationing rule.
 */
import { type ContractTransactionResponse, Wallet, id, parseEther, toBeHex } from "ethers";
import type { MarketSettings, RationingName } from "../clearing/model/settings";
import { reserveFor } from "../clearing/model/settlement";
import type { AccountSigner, ChainEnv } from "../hardhat/adapter";

async function gasOf(tx: Promise<ContractTransactionResponse>, hashes?: string[]): Promise<number> {
  const receipt = await (await tx).wait();
  hashes?.push(receipt!.hash);
  return Number(receipt!.gasUsed);
}

/**
 * `count` funded accounts: the environment's signers, then deterministic wallets funded with `hardhat_setBalance`
 * (so that n = 1,000 needs no 1,000 configured accounts; only Hardhat's networks have it).
 */
async function fundedAccounts(env: ChainEnv, count: number): Promise<AccountSigner[]> {
  const accounts = env.signers.slice(0, count);
  for (let i = accounts.length; i < count; i++) {
    const wallet = new Wallet(id(`clearhouse gas bench account ${i}`), env.provider);
    try {
      await env.provider.send("hardhat_setBalance", [wallet.address, toBeHex(10n ** 27n)]);
    } catch {
      throw new Error(`gas bench: ${count} accounts need a Hardhat network to fund them (${env.networkName} has not)`);
    }
    accounts.push(wallet);
  }
  return accounts;
}

/** Every agent's demand: distinct, all in the last bucket of the last octave of a top node of the uniform tree. */
const demandOf = (i: number): bigint => parseEther("18.3") + BigInt(i) * 10n ** 9n;
/** Far across the order from `demandOf`: another top node, octave and bucket (the uniform rule's dearest move). */
const FAR_DEMAND = parseEther("100000");

/**
 * Runs three binding rounds with `n` agents, each demanding about 18.3 units (distinct) against m = 18.1 n, so
 * that the uniform rule's water level lies in the last bucket of the last octave of its top node: its close reads
 * the most tree words it ever reads (16). Returns the gas of each call: `closeRound.first` is round 1's close (its
 * storage words new); `closeRound` round 3's, a typical round with a previous observation to use;
 * `submitDemand.repeated` is agent 0 moving its demand across the order (six tree words under the uniform rule),
 * in round 3 after the same move in rounds 1 and 2 used those words. `transactions` gives the hash of round 3's
 * close and of that move, for a profile of where their gas goes (./gasProfile.ts).
 */
export async function measureClearingGas(
  env: ChainEnv,
  n: number,
  rule: MarketSettings["rule"],
  rationing: RationingName = "pro-rata",
): Promise<{ gas: Record<string, number>; transactions: { closeRound: string; "submitDemand.repeated": string } }> {
  const [owner, ...agents] = await fundedAccounts(env, n + 1);
  const market = await env.deployMarket(
    {
      capacity: 18.1 * n,
      tau: 0.5,
      fixedFee: 1,
      rule,
      eta: 0.01,
      tolPrimal: 1e-6,
      tolDual: 1e-9,
      roundDuration: 3600,
      rationing,
    },
    { feeRecipient: owner.address, revenueRecipient: owner.address },
  );
  const deposit = parseEther("10000");
  const gas: Record<string, number> = {};
  // Agent 0 can afford the far demand.
  const rich = parseEther("2000000");
  gas.join = await gasOf(market.connect(agents[0]).join(rich, { value: rich }));
  for (const a of agents.slice(1)) await (await market.connect(a).join(deposit, { value: deposit })).wait();
  gas.deposit = await gasOf(market.connect(agents[0]).deposit(deposit, { value: deposit }));

  /** A demand for the open round, consenting to exactly its reserve at the posted price. */
  const submit = async (agent: (typeof agents)[number], quantity: bigint) => {
    const [round, , price, mu] = await market.currentRound();
    const { fixedFee } = await market.params((await market.state()).version);
    return market.connect(agent).submitDemand(round, quantity, reserveFor(quantity, price - mu, mu, fixedFee));
  };
  /** Every agent submits its demand; agent 0 moves across the order and back (measured in round 3). */
  const moves: string[] = [];
  const playRound = async (first?: (agent: (typeof agents)[number]) => Promise<void>) => {
    if (first) await first(agents[0]);
    else await (await submit(agents[0], demandOf(0))).wait();
    gas["submitDemand.repeated"] = await gasOf(submit(agents[0], FAR_DEMAND), moves);
    await (await submit(agents[0], demandOf(0))).wait();
    for (const [i, a] of agents.slice(1).entries()) await (await submit(a, demandOf(i + 1))).wait();
  };
  await playRound(async (a) => {
    gas["submitDemand.first"] = await gasOf(submit(a, demandOf(0)));
  });
  gas["closeRound.first"] = await gasOf(market.closeRound());
  // Round 2: each agent's first submission also settles its round-1 charge and refund.
  await playRound(async (a) => {
    gas["submitDemand.settling"] = await gasOf(submit(a, demandOf(0)));
  });
  await (await market.closeRound()).wait();
  await playRound();
  const closes: string[] = [];
  gas.closeRound = await gasOf(market.closeRound(), closes);
  gas.settle = await gasOf(market.connect(owner).settle(agents[1].address));
  gas.withdraw = await gasOf(market.connect(agents[0]).withdraw(parseEther("1")));
  gas.leave = await gasOf(market.connect(agents[2]).leave());
  gas.withdrawFees = await gasOf(market.connect(owner).withdrawFees());
  gas.withdrawRevenue = await gasOf(market.connect(owner).withdrawRevenue());
  return { gas, transactions: { closeRound: closes[0], "submitDemand.repeated": moves[moves.length - 1] } };
}
