/**
 * A clearing market's participants on the command line, over `src/clearing/parties` (each task parses its flags,
 * calls the library, prints a short summary or `--json`; a refusal is one line and exit code 1):
 *   agent:  market:join, market:deposit, market:submit, market:settle, market:withdraw, market:leave,
 *           market:close, market:status, and the long-running market:agent
 *   owner:  market:deploy, market:schedule, market:recipients, market:allow, market:watch
 *   recipients: market:collect
 * Every command takes `--market` (default: the latest Ignition deployment on the network) and `--from` (the
 * account: an index or an address). Amounts and quantities are decimals in units (18 decimals).
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { z } from "zod";
import { fromFixed } from "../src/common/fixed";
import {
  addressArg,
  compileFirst,
  contractAddress,
  decimal18,
  fail,
  orFail,
  parseArgs,
  report,
  signerFrom,
} from "./utils";

/** The flags every market command has. */
const common = { market: z.string().optional(), from: z.string().optional(), json: z.boolean() };

function marketTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("market", "ClearingMarket address (default: the latest Ignition deployment on this network)")
    .addOptionalParam("from", "The account to act as: an index into the network's accounts or an address")
    .addFlag("json", "Print the result as JSON");
}

/** The market client for the acting account. */
async function clientFor(hre: HardhatRuntimeEnvironment, name: string, o: { market?: string; from?: string }) {
  const { MarketClient } = await import("../src/clearing/parties/marketClient");
  const address = await contractAddress(hre, name, "market", o.market);
  const signer = await signerFrom(hre, name, o.from);
  const client = new MarketClient(signer, address);
  await orFail(name, () => client.check());
  return { client, me: signer.address };
}

/** A fixed-point amount or quantity as a decimal with `digits` places. */
const units = (x: bigint, digits = 6) => fromFixed(x).toFixed(digits);

/** The one-paragraph status of an account, as `market:status` prints it. */
async function statusLines(
  hre: HardhatRuntimeEnvironment,
  name: string,
  o: { market?: string; from?: string },
  who?: string,
) {
  const { client, me } = await clientFor(hre, name, o);
  const s = await orFail(name, () => client.status(who ?? me));
  const open = s.open;
  const left = open.deadline > open.now ? `${open.deadline - open.now} s left` : "deadline passed";
  const p = open.params;
  const lines = [
    `Market ${client.address}, round ${open.round} (${left}; ${open.submitted}/${open.expected} submitted, ` +
      `demand ${units(open.totalDemand, 4)} of capacity ${units(p.capacity, 4)})`,
    `  price ${units(open.price)} (tau ${units(p.tau)} + mu ${units(open.mu)}), fixed fee ` +
      `${units(p.fixedFee)}; ${p.rule} rule, ${p.rationing} rationing, parameters version ${p.version}` +
      (open.pendingVersion !== undefined ? ` (version ${open.pendingVersion} from the next round)` : ""),
    `Account ${s.account}: ${s.active ? "member" : s.allowed ? "not a member" : "not allowed to join"}, free ` +
      `${units(s.free)}, reserved ${units(s.reserved)}` +
      (s.round !== 0n
        ? `, demand ${units(s.demand, 4)} in round ${s.round}${s.settleable ? " (closed: to settle)" : ""}`
        : ""),
    `  may now: ${s.mayNow.length ? s.mayNow.join(", ") : "nothing"}`,
  ];
  return { s, lines };
}

marketTask("market:status", "An account's balances, the open round (price, deadline) and what it may do now")
  .addOptionalParam("account", "The account to describe (default: --from)")
  .setAction(async (args, hre) => {
    const o = parseArgs("market:status", z.object({ ...common, account: addressArg.optional() }), args);
    const { s, lines } = await statusLines(hre, "market:status", o, o.account);
    await report(o.json, lines, s);
  });

marketTask("market:join", "Joins the market with a first deposit")
  .addParam("amount", "Deposit, in units of the asset")
  .setAction(async (args, hre) => {
    const o = parseArgs("market:join", z.object({ ...common, amount: decimal18 }), args);
    const { client, me } = await clientFor(hre, "market:join", o);
    const receipt = await orFail("market:join", () => client.join(o.amount));
    const s = await client.status(me);
    await report(o.json, `${me} joined with ${units(o.amount)}: free ${units(s.free)}`, {
      account: me,
      amount: o.amount,
      free: s.free,
      tx: receipt.hash,
    });
  });

marketTask("market:deposit", "Adds to the account's free balance")
  .addParam("amount", "Deposit, in units of the asset")
  .setAction(async (args, hre) => {
    const o = parseArgs("market:deposit", z.object({ ...common, amount: decimal18 }), args);
    const { client, me } = await clientFor(hre, "market:deposit", o);
    const receipt = await orFail("market:deposit", () => client.deposit(o.amount));
    const s = await client.status(me);
    await report(o.json, `${me} deposited ${units(o.amount)}: free ${units(s.free)}`, {
      account: me,
      amount: o.amount,
      free: s.free,
      tx: receipt.hash,
    });
  });

marketTask("market:submit", "Submits (or revises) a demand for the open round, consenting to its charge")
  .addParam("quantity", "Demand, in units of the resource (0 withdraws a demand)")
  .addOptionalParam(
    "round",
    "The round the demand is for (default: the open one); another round is refused",
    undefined,
    types.int,
  )
  .addOptionalParam("maxReserve", "The most it may reserve (default: what the demand reserves at the price posted now)")
  .setAction(async (args, hre) => {
    const o = parseArgs(
      "market:submit",
      z.object({
        ...common,
        quantity: decimal18,
        round: z.number().int().min(1).optional(),
        maxReserve: decimal18.optional(),
      }),
      args,
    );
    const { client, me } = await clientFor(hre, "market:submit", o);
    const sent = await orFail("market:submit", () =>
      client.submit(o.quantity, {
        round: o.round === undefined ? undefined : BigInt(o.round),
        maxReserve: o.maxReserve,
      }),
    );
    const s = await client.status(me);
    await report(
      o.json,
      `${me} demands ${units(o.quantity, 4)} in round ${sent.round}: reserved ${units(s.reserved)} ` +
        `(consented to at most ${units(sent.maxReserve)}), free ${units(s.free)}`,
      {
        account: me,
        round: sent.round,
        quantity: o.quantity,
        maxReserve: sent.maxReserve,
        reserved: s.reserved,
        free: s.free,
        tx: sent.receipt.hash,
      },
    );
  });

marketTask("market:settle", "Books an agent's charge and refund for its closed round (anyone may)")
  .addOptionalParam("agent", "The agent to settle (default: --from)")
  .setAction(async (args, hre) => {
    const o = parseArgs("market:settle", z.object({ ...common, agent: addressArg.optional() }), args);
    const { client, me } = await clientFor(hre, "market:settle", o);
    const agent = o.agent ?? me;
    const before = await client.status(agent);
    if (!before.settleable) fail(`market:settle: ${agent} has nothing to settle (no demand in a closed round)`);
    const receipt = await orFail("market:settle", () => client.settle(agent));
    const { MARKET_INTERFACE } = await import("../src/clearing/parties/abi");
    const settled = receipt.logs.map((l) => MARKET_INTERFACE.parseLog(l)).find((e) => e?.name === "Settled")!.args;
    await report(
      o.json,
      `${agent} settled round ${settled.round}: allocated ${units(settled.allocation, 4)}, fee ` +
        `${units(settled.fee)}, revenue ${units(settled.revenue)}, refund ${units(settled.refund)}`,
      {
        agent,
        round: settled.round,
        allocation: settled.allocation,
        fee: settled.fee,
        revenue: settled.revenue,
        refund: settled.refund,
        tx: receipt.hash,
      },
    );
  });

marketTask("market:withdraw", "Withdraws from the account's free balance (settling first)")
  .addParam("amount", 'Amount in units of the asset, or "all"')
  .setAction(async (args, hre) => {
    const o = parseArgs(
      "market:withdraw",
      z.object({ ...common, amount: z.union([z.literal("all"), decimal18]) }),
      args,
    );
    const { client, me } = await clientFor(hre, "market:withdraw", o);
    let amount = o.amount;
    if (amount === "all") {
      // What settling would leave free: settle first, then read it.
      const s = await client.status(me);
      if (s.settleable) await orFail("market:withdraw", () => client.settle(me));
      amount = (await client.status(me)).free;
    }
    const receipt = await orFail("market:withdraw", () => client.withdraw(amount as bigint));
    const s = await client.status(me);
    await report(o.json, `${me} withdrew ${units(amount)}: free ${units(s.free)}`, {
      account: me,
      amount,
      free: s.free,
      tx: receipt.hash,
    });
  });

marketTask(
  "market:leave",
  "Leaves the market (a demand in the open round is withdrawn; the balance stays to withdraw)",
).setAction(async (args, hre) => {
  const o = parseArgs("market:leave", z.object(common), args);
  const { client, me } = await clientFor(hre, "market:leave", o);
  const receipt = await orFail("market:leave", () => client.leave());
  const s = await client.status(me);
  await report(o.json, `${me} left the market: free ${units(s.free)} to withdraw`, {
    account: me,
    free: s.free,
    tx: receipt.hash,
  });
});

marketTask("market:close", "Closes the open round once it is closable (anyone may)").setAction(async (args, hre) => {
  const o = parseArgs("market:close", z.object(common), args);
  const { client } = await clientFor(hre, "market:close", o);
  const receipt = await orFail("market:close", () => client.closeRound());
  const { MARKET_INTERFACE } = await import("../src/clearing/parties/abi");
  const events = receipt.logs.map((l) => MARKET_INTERFACE.parseLog(l));
  const closed = events.find((e) => e?.name === "RoundClosed")!.args;
  const converged = events.some((e) => e?.name === "Converged");
  await report(
    o.json,
    `round ${closed.round} closed: demand ${units(closed.totalDemand, 4)} of ${units(closed.capacity, 4)}, ` +
      `mu ${units(closed.mu)} -> ${units(closed.nextMu)}${converged ? ", converged" : ""}`,
    {
      round: closed.round,
      totalDemand: closed.totalDemand,
      mu: closed.mu,
      nextMu: closed.nextMu,
      converged,
      tx: receipt.hash,
    },
  );
});

// ---------------------------------------------------------------- the long-running agent and the watcher

marketTask("market:agent", "Runs an agent: each round it submits its proximal best response, until stopped")
  .addParam("alpha", "Value scale alpha of V(x) = alpha ln(1 + x)", undefined, types.float)
  .addParam("beta", "Unit cost beta", undefined, types.float)
  .addOptionalParam("gamma", "Proximal weight (0: the plain best response)", 0, types.float)
  .addOptionalParam(
    "rounds",
    "Stop once it submitted in this many rounds and the last closed (default: until Ctrl-C)",
    undefined,
    types.int,
  )
  .addOptionalParam("join", "Join with this deposit first if not a member yet (units of the asset)")
  .addOptionalParam("poll", "Milliseconds between looks at the chain", 1000, types.int)
  .addFlag("noClose", "Do not close rounds (leave it to others)")
  .setAction(async (args, hre) => {
    const o = parseArgs(
      "market:agent",
      z.object({
        ...common,
        alpha: z.number().positive(),
        beta: z.number().nonnegative(),
        gamma: z.number().nonnegative(),
        rounds: z.number().int().min(1).optional(),
        join: decimal18.optional(),
        poll: z.number().int().min(10).max(600_000),
        noClose: z.boolean(),
      }),
      args,
    );
    const { runMarketAgent } = await import("../src/clearing/parties/marketAgent");
    const { client, me } = await clientFor(hre, "market:agent", o);
    if (o.join !== undefined && !(await client.status(me)).active) {
      await orFail("market:agent", () => client.join(o.join!));
      console.log(`${me} joined with ${units(o.join)}`);
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const run = await orFail("market:agent", () =>
        runMarketAgent(client, me, {
          type: { alpha: o.alpha, beta: o.beta },
          gamma: o.gamma,
          rounds: o.rounds,
          close: !o.noClose,
          pollMs: o.poll,
          signal: stop.signal,
          log: o.json ? undefined : (line) => console.log(line),
        }),
      );
      const s = await client.status(me);
      await report(
        o.json,
        `${me} stopped (${run.stoppedBy === "rounds" ? `${o.rounds} rounds played` : "interrupted"}): submitted in ` +
          `${run.submissions.length} rounds, closed ${run.closed.length}; ` +
          `free ${units(s.free)}, reserved ${units(s.reserved)}`,
        { account: me, ...run, free: s.free, reserved: s.reserved },
      );
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });

marketTask("market:watch", "Follows the market's rounds live: price, demand against capacity, convergence")
  .addOptionalParam("rounds", "Stop after this many closed rounds (default: until Ctrl-C)", undefined, types.int)
  .addOptionalParam("fromBlock", "First block to read (default: the latest, so only new rounds)", undefined, types.int)
  .addOptionalParam("poll", "Milliseconds between looks at the chain", 1000, types.int)
  .setAction(async (args, hre) => {
    const o = parseArgs(
      "market:watch",
      z.object({
        ...common,
        rounds: z.number().int().min(1).optional(),
        fromBlock: z.number().int().nonnegative().optional(),
        poll: z.number().int().min(10).max(600_000),
      }),
      args,
    );
    const { watchRounds } = await import("../src/clearing/parties/marketWatch");
    const { client } = await clientFor(hre, "market:watch", o);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    try {
      const seen = await orFail("market:watch", () =>
        watchRounds(client, {
          rounds: o.rounds,
          fromBlock: o.fromBlock,
          pollMs: o.poll,
          signal: stop.signal,
          log: o.json ? undefined : (line) => console.log(line),
        }),
      );
      if (o.json) await report(true, "", seen);
    } finally {
      process.off("SIGINT", onSignal);
    }
  });

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
