/**
 * A clearing market's participants on the command line, over `src/clearing/parties` (each task parses its flags,
 * calls the library, prints a short summary or `--json`; a refusal is one line and exit code 1):
 *   agent:  market:join, market:deposit, market:submit, market:settle, market:withdraw, market:leave,
 *           market:close, market:status, and the long-running market:agent
 *   owner:  market:deploy, market:schedule, market:recipients, market:allow, market:prepay, market:watch
 *   recipients: market:collect
 * Every command takes `--market` (default: the latest Ignition deployment on the network) and `--from` (the
 * account: an index or an address). Amounts and quantities are decimals in units (18 decimals).
 */
import { types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { z } from "zod";
import { addressArg, decimal18, fail, orFail, parseArgs, report } from "./utils";

import { common, marketTask, clientFor, units } from "./marketCommon";

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
