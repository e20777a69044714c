/**
 * The market's long-running commands: market:agent (an agent that submits its proximal best response every
 * round until stopped) and market:watch (the rounds as they close). tasks/market.ts lists every market command.
 */
import { types } from "hardhat/config";
import { z } from "zod";
import { decimal18, orFail, parseArgs, report } from "./utils";

import { common, marketTask, clientFor, units } from "./marketCommon";

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
