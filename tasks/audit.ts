/**
 * npx hardhat audit --market <address> | --escrow <address> [--from-block N] [--page-size N] [--json file]
 * Replays a deployed contract's event log with the exact model and prints a summary and every
 * discrepancy; exits non-zero when there is one.
 */
import fs from "node:fs";
import path from "node:path";
import { Interface } from "ethers";
import { task, types } from "hardhat/config";
import { z } from "zod";
import { toJson } from "../src/common/json";
import { compileFirst, fail, parseArgs } from "./utils";

task("audit", "Replays a ClearingMarket's or ExchangeEscrow's events and reports every discrepancy")
  .addOptionalParam("market", "ClearingMarket address")
  .addOptionalParam("escrow", "ExchangeEscrow address")
  .addOptionalParam("fromBlock", "First block to read (default: the deployment block)", undefined, types.int)
  .addOptionalParam("pageSize", "Blocks per eth_getLogs request", 2000, types.int)
  .addOptionalParam("json", "Write the full replay as JSON to this file")
  .setAction(async (args, hre) => {
    const { audit, formatReport } = await import("../src/audit/run");
    const { LogReadError } = await import("../src/chain/logs");
    const opts = parseArgs(
      "audit",
      z
        .object({
          market: z.string().optional(),
          escrow: z.string().optional(),
          fromBlock: z.number().int().nonnegative().optional(),
          pageSize: z.number().int().min(1).max(100_000),
          json: z.string().optional(),
        })
        .refine(
          (a) => (a.market === undefined) !== (a.escrow === undefined),
          "give exactly one of --market and --escrow",
        ),
      args,
    );
    // The ABI comes from the build (the contract's own artifact).
    await compileFirst(hre);
    const kind = opts.market ? "market" : "escrow";
    const contract = kind === "market" ? "ClearingMarket" : "ExchangeEscrow";
    const abi = new Interface((await hre.artifacts.readArtifact(contract)).abi);
    const provider = hre.ethers.provider;
    try {
      await provider.getBlockNumber();
    } catch (e) {
      const url = "url" in hre.network.config ? ` at ${hre.network.config.url}` : "";
      fail(`cannot reach the node of network "${hre.network.name}"${url}: ${(e as Error).message.split("\n")[0]}`);
    }
    let report;
    try {
      report = await audit(provider, kind, (opts.market ?? opts.escrow)!, abi, {
        fromBlock: opts.fromBlock,
        pageSize: opts.pageSize,
      });
    } catch (e) {
      if (e instanceof LogReadError) fail(`audit: ${e.message} on network "${hre.network.name}"`);
      throw e;
    }
    console.log(formatReport(report!));
    if (opts.json) {
      fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
      fs.writeFileSync(opts.json, toJson(report, 2) + "\n");
      console.log(`Wrote ${opts.json}`);
    }
    if (report!.discrepancies.length > 0) fail(`${report!.discrepancies.length} discrepancies found`);
  });
