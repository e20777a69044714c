/**
 * End-to-end driver for a node reached over JSON-RPC (used by test/e2e/rpc.test.ts):
 * deploys both mechanisms with Ignition, lets 10 reference agents play 6 rounds of a binding
 * market and plays two deals (one signed, one offered on chain), then writes the addresses to the
 * file named by E2E_OUT.
 *   E2E_OUT=out/e2e.json npx hardhat run scripts/e2e-play.ts --network e2e
 */
import fs from "node:fs";
import hre from "hardhat";
import { lipschitz } from "../src/clearing/agents/reference";
import { deployClearingMarket, deployExchangeEscrow } from "../src/hardhat/adapter";
import { runOnChain } from "../src/clearing/chain/driver";
import { Population } from "../src/clearing/agents/population";
import type { MarketSettings } from "../src/clearing/model/settings";
import { drawAgents } from "../src/clearing/agents/draw";
import { playDeal } from "../src/exchange/chain/playDeal";

async function main() {
  const out = process.env.E2E_OUT;
  if (!out) throw new Error("e2e-play: set E2E_OUT to the file that receives the deployed addresses");
  const { ethers } = hre;
  const signers = await ethers.getSigners();
  const types = drawAgents(10, 5);
  const id = `e2e-${Date.now()}`;
  const settings: MarketSettings = {
    capacity: 15,
    tau: 0.5,
    fixedFee: 0.5,
    rule: "adaptive",
    eta: 1 / lipschitz(types, 0.5, 0.5),
    tolPrimal: 1e-6,
    tolDual: 1e-9,
    roundDuration: 3600,
  };
  const market = await deployClearingMarket(hre, settings, { deploymentId: `${id}-market` });
  const { rounds } = await runOnChain(ethers.provider, market, signers.slice(1), new Population(types, 0), settings, {
    rounds: 6,
    deposit: ethers.parseEther("500"),
    owner: signers[0],
  });
  await (await market.connect(signers[1]).withdraw(ethers.parseEther("1"))).wait();
  const { escrow, table } = await deployExchangeEscrow(hre, { deploymentId: `${id}-escrow` });
  const address = await escrow.getAddress();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const terms = (salt: bigint) => ({
    asset: ethers.ZeroAddress,
    price: ethers.parseEther("1"),
    table,
    expiry: now + 3600n,
    redeemWindow: 3600n,
    complaintWindow: 3600n,
    faultWindow: 3600n,
    salt,
  });
  // One deal offered by the seller's signature (its balance funded first), one offered on chain.
  const [seller, buyer] = [signers[11], signers[12]];
  await playDeal(address, terms(1n), seller, buyer, { redeem: true, complain: false, fault: false });
  await playDeal(
    address,
    terms(2n),
    seller,
    buyer,
    { redeem: false, complain: true, fault: true },
    { opening: "onChain" },
  );
  const result = { market: await market.getAddress(), escrow: await escrow.getAddress(), rounds: rounds.length };
  fs.writeFileSync(out, JSON.stringify(result) + "\n");
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
