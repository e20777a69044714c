/**
 * The market owner's and recipients' commands: market:deploy, market:schedule, market:recipients, market:allow,
 * market:prepay, market:collect. tasks/market.ts lists every market command.
 */
import { types } from "hardhat/config";
import { z } from "zod";
import { addressArg, compileFirst, fail, orFail, parseArgs, report } from "./utils";

import { common, marketTask, clientFor, units } from "./marketCommon";

// ---------------------------------------------------------------- the owner

/** Settings flags shared by `market:deploy` and `market:schedule`: each optional, filled from a base. */
function withSettingsFlags(t: ReturnType<typeof marketTask>) {
  return t
    .addOptionalParam("capacity", "Capacity m per round (units)", undefined, types.float)
    .addOptionalParam("tau", "Per-unit fee tau", undefined, types.float)
    .addOptionalParam("fixedFee", "Fixed execution fee g per participating agent and round", undefined, types.float)
    .addOptionalParam("rule", "Price rule: constant | diminishing | adaptive")
    .addOptionalParam("eta", "Step size (eta_0 for diminishing; the search step for adaptive)", undefined, types.float)
    .addOptionalParam("tolPrimal", "Convergence tolerance on |S - m| (units)", undefined, types.float)
    .addOptionalParam("tolDual", "Convergence tolerance on |mu' - mu|", undefined, types.float)
    .addOptionalParam("roundDuration", "Round duration in seconds", undefined, types.int)
    .addOptionalParam("rationing", "Rationing rule: pro-rata | uniform");
}

const settingsFlags = {
  capacity: z.number().positive().optional(),
  tau: z.number().nonnegative().optional(),
  fixedFee: z.number().nonnegative().optional(),
  rule: z.enum(["constant", "diminishing", "adaptive"]).optional(),
  eta: z.number().nonnegative().optional(),
  tolPrimal: z.number().nonnegative().optional(),
  tolDual: z.number().positive().optional(),
  roundDuration: z.number().int().positive().optional(),
  rationing: z.enum(["pro-rata", "uniform"]).optional(),
};

/** The settings flags given, over `base`. */
function settingsOver<T extends object>(base: T, o: Record<string, unknown>): T {
  const given = Object.fromEntries(Object.keys(settingsFlags).flatMap((k) => (o[k] === undefined ? [] : [[k, o[k]]])));
  return { ...base, ...given };
}

withSettingsFlags(marketTask("market:deploy", "Deploys a ClearingMarket (Ignition); unset flags take the defaults"))
  .addOptionalParam("asset", "ERC-20 asset address (default: native ETH)")
  .addOptionalParam("feeRecipient", "Fee recipient (default: the deployer)")
  .addOptionalParam("revenueRecipient", "Revenue recipient (default: the deployer)")
  .addFlag("allowListOnly", "Only allow-listed accounts may join")
  .addOptionalParam("deploymentId", "Ignition deployment id (default: a fresh market-<time>)")
  .setAction(async (args, hre) => {
    const o = parseArgs(
      "market:deploy",
      z.object({
        ...common,
        ...settingsFlags,
        asset: addressArg.optional(),
        feeRecipient: addressArg.optional(),
        revenueRecipient: addressArg.optional(),
        allowListOnly: z.boolean(),
        deploymentId: z
          .string()
          .regex(/^[a-zA-Z0-9_-]+$/, "letters, digits, - and _ only")
          .optional(),
      }),
      args,
    );
    if (o.from !== undefined) fail("market:deploy: --from: the deployment is sent by the network's first account");
    await compileFirst(hre);
    const { DEFAULT_MARKET_SETTINGS } = await import("../src/clearing/model/settings");
    const { deployClearingMarket } = await import("../src/hardhat/adapter");
    const settings = settingsOver({ ...DEFAULT_MARKET_SETTINGS }, o);
    const market = await orFail("market:deploy", () =>
      deployClearingMarket(hre, settings, {
        asset: o.asset,
        feeRecipient: o.feeRecipient,
        revenueRecipient: o.revenueRecipient,
        allowListOnly: o.allowListOnly || undefined,
        deploymentId: hre.network.name === "hardhat" ? undefined : (o.deploymentId ?? `market-${Date.now()}`),
      }),
    );
    const address = await market.getAddress();
    await report(
      o.json,
      `ClearingMarket deployed at ${address} on network "${hre.network.name}": m ${settings.capacity}, tau ` +
        `${settings.tau}, g ${settings.fixedFee}, ${settings.rule} rule, ${settings.rationing} rationing, ` +
        `${settings.roundDuration} s rounds`,
      { address, network: hre.network.name, settings },
    );
  });

withSettingsFlags(
  marketTask("market:schedule", "Schedules parameters for the next round (owner); unset flags keep the current ones"),
).setAction(async (args, hre) => {
  const o = parseArgs("market:schedule", z.object({ ...common, ...settingsFlags }), args);
  const { client } = await clientFor(hre, "market:schedule", o);
  const { fromFixed } = await import("../src/common/fixed");
  const p = (await client.openRound()).params;
  const current = {
    capacity: fromFixed(p.capacity),
    tau: fromFixed(p.tau),
    fixedFee: fromFixed(p.fixedFee),
    rule: p.rule,
    eta: fromFixed(p.eta),
    tolPrimal: fromFixed(p.tolPrimal),
    tolDual: fromFixed(p.tolDual),
    roundDuration: Number(p.roundDuration),
    rationing: p.rationing,
  };
  const settings = settingsOver(current, o);
  const receipt = await orFail("market:schedule", () => client.scheduleParams(settings));
  const open = await client.openRound();
  await report(
    o.json,
    `parameters version ${open.pendingVersion} scheduled from round ${open.round + 1n}: ` +
      Object.entries(settings)
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
    { version: open.pendingVersion, fromRound: open.round + 1n, settings, tx: receipt.hash },
  );
});

marketTask("market:recipients", "Sets the fee and revenue recipients (owner)")
  .addParam("fees", "Fee recipient")
  .addParam("revenue", "Revenue recipient")
  .setAction(async (args, hre) => {
    const o = parseArgs("market:recipients", z.object({ ...common, fees: addressArg, revenue: addressArg }), args);
    const { client } = await clientFor(hre, "market:recipients", o);
    const receipt = await orFail("market:recipients", () => client.setRecipients(o.fees, o.revenue));
    await report(o.json, `fees go to ${o.fees}, revenue to ${o.revenue}`, { ...o, tx: receipt.hash });
  });

marketTask("market:allow", "Adds an account to the allow-list, or removes it with --revoke (owner)")
  .addParam("account", "The account")
  .addFlag("revoke", "Remove it instead")
  .setAction(async (args, hre) => {
    const o = parseArgs("market:allow", z.object({ ...common, account: addressArg, revoke: z.boolean() }), args);
    const { client } = await clientFor(hre, "market:allow", o);
    const receipt = await orFail("market:allow", () => client.setAllowed(o.account, !o.revoke));
    await report(o.json, `${o.account} ${o.revoke ? "removed from" : "added to"} the allow-list`, {
      account: o.account,
      allowed: !o.revoke,
      tx: receipt.hash,
    });
  });

/** Rounds and tree words paid ahead per transaction: about 5.5 and 2.2 million gas. */
const ROUNDS_PER_TX = 200;
const TREE_WORDS_PER_TX = 100;

/** Sends `send(from, to)` over `start .. end - 1` in slices of `size`; returns the gas they used. */
async function inSlices(
  start: number,
  end: number,
  size: number,
  send: (from: number, to: number) => Promise<{ gasUsed: bigint }>,
): Promise<bigint> {
  let gas = 0n;
  for (let from = start; from < end; from += size) gas += (await send(from, Math.min(from + size, end))).gasUsed;
  return gas;
}

marketTask("market:prepay", "Pays ahead for the storage of the next rounds' closes and, with --tree, the uniform tree")
  .addParam("rounds", "How many rounds after the open one (about 28,300 gas each)", undefined, types.int)
  .addFlag("tree", "Also the uniform rule's demand tree, once in a deployment's life (548 words, about 12.3 M gas)")
  .setAction(async (args, hre) => {
    const o = parseArgs(
      "market:prepay",
      z.object({ ...common, rounds: z.number().int().nonnegative().max(100_000), tree: z.boolean() }),
      args,
    );
    const { client } = await clientFor(hre, "market:prepay", o);
    const { TREE_WORDS } = await import("../src/clearing/model/uniformRationing");
    const from = (await client.openRound()).round + 1n;
    const to = from + BigInt(o.rounds);
    // Round numbers stay below 2^40: exact as numbers.
    let gas = await inSlices(Number(from), Number(to), ROUNDS_PER_TX, (a, b) =>
      orFail("market:prepay", () => client.prefillRounds(BigInt(a), BigInt(b))),
    );
    if (o.tree) {
      gas += await inSlices(0, TREE_WORDS, TREE_WORDS_PER_TX, (a, b) =>
        orFail("market:prepay", () => client.prefillRationingTree(a, b)),
      );
    }
    await report(
      o.json,
      `paid ahead for rounds ${from} to ${to - 1n}${o.tree ? " and the uniform tree" : ""}: ${gas} gas`,
      { fromRound: from, toRound: to, tree: o.tree, gasUsed: gas },
    );
  });

marketTask("market:collect", "Withdraws the accrued fees and/or revenue of the acting recipient").setAction(
  async (args, hre) => {
    const o = parseArgs("market:collect", z.object(common), args);
    const { client, me } = await clientFor(hre, "market:collect", o);
    const [feeTo, revenueTo, fees, revenue] = await Promise.all([
      client.contract.feeRecipient(),
      client.contract.revenueRecipient(),
      client.contract.feesAccrued(),
      client.contract.revenueAccrued(),
    ]);
    const isFees = feeTo.toLowerCase() === me.toLowerCase();
    const isRevenue = revenueTo.toLowerCase() === me.toLowerCase();
    if (!isFees && !isRevenue) fail(`market:collect: ${me} is neither the fee nor the revenue recipient`);
    if (isFees) await orFail("market:collect", () => client.withdrawFees());
    if (isRevenue) await orFail("market:collect", () => client.withdrawRevenue());
    const got = { fees: isFees ? fees : 0n, revenue: isRevenue ? revenue : 0n };
    await report(o.json, `${me} collected fees ${units(got.fees)} and revenue ${units(got.revenue)}`, {
      account: me,
      ...got,
    });
  },
);
