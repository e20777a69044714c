/**
 * Gas of every ClearingMarket call on the in-process network (or a Hardhat node), at n agents, under a price rule
 * and a rationing rule.
 */
import { type ContractTransactionResponse, Wallet, id, parseEther, toBeHex } from "ethers";
import type { MarketSettings, RationingName } from "../clearing/model/settings";
import { reserveFor } from "../clearing/model/settlement";
import type { AccountSigner, ChainEnv } from "../hardhat/adapter";

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

/**
 * Every agent's demand: distinct, all in bucket 8 of octave 4 (1.729 to 1.801 units) of the uniform tree, just past
 * the middle of both its levels: the dearest place for a descent that starts on the level's side (1 + 2 + 4 words),
 * and 1 + 3 + 5 words for one that starts from bucket 0.
 */
const demandOf = (i: number): bigint => parseEther("1.78") + BigInt(i) * 10n ** 9n;
/** Far across the order from `demandOf`: another top node, octave and bucket (the uniform rule's dearest move). */
const FAR_DEMAND = parseEther("100000");

/**
 * Runs three binding rounds with `n` agents, each demanding about 1.78 units (distinct) against m = 1.75 n, so
 * that the uniform rule's water level lies in bucket 8 of octave 4. Options, both on by default as a deployment
 * and its keepers should run: `prepaid`, rounds 2 to 9 paid ahead with `prefillRounds`, so that no close creates a
 * storage word; `hinted`, every close sent as the parties' client sends it, `closeRoundWithHint(rationingLevel())`
 * (else `closeRound()`, whose descent starts from the last round's edge: bucket 0 in the first round). Returns the
 * gas of each call: `closeRound.first` is round 1's close (not paid ahead, it creates round 2's record and the
 * result word of rounds 0 to 3); `closeRound` round 3's, a typical round with a previous observation to use (not
 * paid ahead, it creates round 4's record); `submitDemand.repeated` is agent 0 moving its demand across the order
 * (six tree words under the uniform rule), in round 3 after the same move in rounds 1 and 2 used those words.
 * `transactions` gives the hash of round 3's close and of that move, for a profile of where their gas goes
 * (./gasProfile.ts).
 */
export async function measureClearingGas(
  env: ChainEnv,
  n: number,
  rule: MarketSettings["rule"],
  rationing: RationingName = "pro-rata",
  { prepaid = true, hinted = true }: { prepaid?: boolean; hinted?: boolean } = {},
): Promise<{ gas: Record<string, number>; transactions: { closeRound: string; "submitDemand.repeated": string } }> {
  const [owner, ...agents] = await fundedAccounts(env, n + 1);
  const market = await env.deployMarket(
    {
      capacity: 1.75 * n,
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
  if (prepaid) await (await market.prefillRounds(2, 10)).wait();
  const deposit = parseEther("10000");
  const gas: Record<string, number> = {};
  const transactions = { closeRound: "", "submitDemand.repeated": "" };
  /** Records a call's gas under `key` (the last call wins) and, for a profiled key, its transaction. */
  const measure = async (key: string, tx: Promise<ContractTransactionResponse>) => {
    const receipt = (await (await tx).wait())!;
    gas[key] = Number(receipt.gasUsed);
    if (key in transactions) transactions[key as keyof typeof transactions] = receipt.hash;
  };
  // Agent 0 can afford the far demand.
  const rich = parseEther("2000000");
  await measure("join", market.connect(agents[0]).join(rich, { value: rich }));
  for (const a of agents.slice(1)) await (await market.connect(a).join(deposit, { value: deposit })).wait();
  await measure("deposit", market.connect(agents[0]).deposit(deposit, { value: deposit }));

  /** A demand for the open round, consenting to exactly its reserve at the posted price. */
  const submit = async (agent: (typeof agents)[number], quantity: bigint) => {
    const [round, , price, mu] = await market.currentRound();
    const { fixedFee } = await market.params((await market.state()).version);
    return market.connect(agent).submitDemand(round, quantity, reserveFor(quantity, price - mu, mu, fixedFee));
  };
  /** Every agent submits its demand; agent 0 moves across the order and back (measured in round 3). */
  const playRound = async (first?: (agent: (typeof agents)[number]) => Promise<void>) => {
    if (first) await first(agents[0]);
    else await (await submit(agents[0], demandOf(0))).wait();
    await measure("submitDemand.repeated", submit(agents[0], FAR_DEMAND));
    await (await submit(agents[0], demandOf(0))).wait();
    for (const [i, a] of agents.slice(1).entries()) await (await submit(a, demandOf(i + 1))).wait();
  };
  await playRound(async (a) => {
    await measure("submitDemand.first", submit(a, demandOf(0)));
  });
  const close = async () => (hinted ? market.closeRoundWithHint(await market.rationingLevel()) : market.closeRound());
  await measure("closeRound.first", close());
  // Round 2: each agent's first submission also settles its round-1 charge and refund.
  await playRound(async (a) => {
    await measure("submitDemand.settling", submit(a, demandOf(0)));
  });
  await (await close()).wait();
  await playRound();
  await measure("closeRound", close());
  await measure("settle", market.connect(owner).settle(agents[1].address));
  await measure("withdraw", market.connect(agents[0]).withdraw(parseEther("1")));
  await measure("leave", market.connect(agents[2]).leave());
  await measure("withdrawFees", market.connect(owner).withdrawFees());
  await measure("withdrawRevenue", market.connect(owner).withdrawRevenue());
  return { gas, transactions };
}
