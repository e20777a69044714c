/**
 * `hardhat app` (`npm run app -- --network localhost`): the web app for buyers, sellers and market watchers,
 * served on 127.0.0.1 for the selected network. The market and the escrow are the flags' addresses, else the
 * latest Ignition deployment of each on the network; the page shows only what is deployed. It needs a node
 * (`--network localhost`, or any network with a URL). Runs until Ctrl-C.
 */
import path from "node:path";
import { task, types } from "hardhat/config";
import { z } from "zod";
import { contractAddress, deployedAddress, fail, parseArgs } from "./utils";

/** Chain id of Hardhat's and Anvil's development nodes, whose accounts the node unlocks. */
const DEV_CHAIN_ID = 31337;

task("app", "Serves the web app (market, escrow, wallet) on 127.0.0.1 for the selected network")
  .addOptionalParam("port", "Port on 127.0.0.1 (0: any free port)", 8080, types.int)
  .addOptionalParam("market", "ClearingMarket address (default: the latest Ignition deployment on this network)")
  .addOptionalParam("escrow", "ExchangeEscrow address (default: the latest Ignition deployment on this network)")
  .setAction(async (args, hre) => {
    const T = "app";
    const o = parseArgs(
      T,
      z.object({
        port: z.number().int().min(0).max(65535),
        market: z.string().optional(),
        escrow: z.string().optional(),
      }),
      args,
    );
    // The page reaches the chain through the app's server, which forwards to the network's node.
    if (!("url" in hre.network.config)) {
      fail(`${T}: network "${hre.network.name}" runs in this process: start a node and pass --network localhost`);
    }
    let chainId = 0;
    try {
      chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
    } catch (e) {
      fail(`${T}: cannot reach the node of network "${hre.network.name}": ${(e as Error).message.split("\n")[0]}`);
    }
    // A flag's address is checked (code, and which contract it is). A deployment is taken when there is one with
    // code on this node: every development node is chain 31337, so a file may come from a node that is gone.
    const pick = async (flag: "market" | "escrow", given: string | undefined) => {
      const futureId = flag === "market" ? "ClearingMarket#ClearingMarket" : "ExchangeEscrow#ExchangeEscrow";
      if (given === undefined) {
        const deployed = await deployedAddress(hre, futureId);
        if (deployed === undefined) return undefined;
        if ((await hre.ethers.provider.getCode(deployed)) === "0x") {
          console.warn(`${T}: ignoring the ${flag} of an earlier node's deployment (${deployed} has no code here)`);
          return undefined;
        }
      }
      return contractAddress(hre, T, flag, given);
    };
    const market = await pick("market", o.market);
    const escrow = await pick("escrow", o.escrow);
    if (!market && !escrow) {
      fail(`${T}: no market and no escrow on network "${hre.network.name}": deploy one or pass --market / --escrow`);
    }
    const { buildPage, serveApp, portOf } = await import("./appServer");
    const outDir = path.join(hre.config.paths.root, "out", "app");
    try {
      await buildPage(hre.config.paths.root, outDir);
    } catch (e) {
      fail(`${T}: cannot bundle the page: ${(e as Error).message.split("\n")[0]}`);
    }
    const config = { network: hre.network.name, chainId, rpcPath: "/rpc", market, escrow };
    const server = await serveApp(hre, { ...config, devAccounts: chainId === DEV_CHAIN_ID }, o.port, outDir).catch(
      (e: Error) => fail(`${T}: --port: cannot listen on 127.0.0.1:${o.port}: ${e.message.split("\n")[0]}`),
    );
    console.log(
      `Clearhouse app for network "${hre.network.name}" (chain ${chainId}) at http://127.0.0.1:${portOf(server)}/` +
        ` (market ${market ?? "none"}, escrow ${escrow ?? "none"}); Ctrl-C stops it`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  });
