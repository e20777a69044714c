/**
 * npm run demo: the main job. Deploys the clearing market through Ignition on the selected
 * network (in-process by default), has 20 reference agents play a binding market (m = 50) to
 * convergence, raises tau from 0.5 to 1.5 through governance (a shock) and plays to
 * convergence again. Then deploys the core-exchange escrow (with the designed default table)
 * and plays deals along the honest path and dishonest ones. Prints each round's price and total
 * demand and each deal's outcome, and writes CSV tables and a JSON summary into out/demo/.
 *   npx hardhat run scripts/demo.ts [--network localhost]
 */
import path from "node:path";
import hre from "hardhat";
import { lipschitz } from "../src/clearing/agents";
import { type MarketSettings, toParamsInput } from "../src/clearing/config";
import { deployClearingMarket } from "../src/clearing/deploy";
import { joinAll, playRounds, type Player, type RoundOutcome } from "../src/clearing/driver";
import { solveClearing } from "../src/clearing/equilibrium";
import { drawAgents } from "../src/clearing/scenario";
import { fromFixed } from "../src/fixed";
import { deployExchangeEscrow } from "../src/exchange/deploy";
import { playDeal, type DealPath } from "../src/exchange/driver";
import { writeCsv, writeJson } from "../src/output";

const N = 20;
const CAPACITY = 50;
const SEED = 7;
const OUT = path.join(__dirname, "..", "out", "demo");

function printRound(r: RoundOutcome): void {
  const price = fromFixed(r.price).toFixed(6).padStart(10);
  const demand = fromFixed(r.totalDemand).toFixed(6).padStart(12);
  const flag = r.converged ? "  converged" : "";
  console.log(`  round ${String(r.round).padStart(3)}  price ${price}  S ${demand}  (m ${fromFixed(r.capacity)})${flag}`);
}

async function main() {
  const { ethers } = hre;
  const signers = await ethers.getSigners();
  if (signers.length < N + 1) throw new Error(`demo: the network has ${signers.length} accounts, needs ${N + 1}`);
  const types = drawAgents(N, SEED);
  const players: Player[] = types.map((type, i) => ({ signer: signers[i + 1], type }));
  const settings: MarketSettings = {
    capacity: CAPACITY,
    tau: 0.5,
    fixedFee: 1,
    rule: "adaptive",
    eta: 1 / lipschitz(types, 0.5, 1),
    tolPrimal: 1e-6 * CAPACITY,
    tolDual: 1e-9,
    roundDuration: 3600,
  };
  console.log(`Clearhouse demo on network "${hre.network.name}": ${N} agents, capacity ${CAPACITY}, seed ${SEED}`);
  // On a persistent network, a fresh Ignition deployment per run, so the demo can run again
  // against the same node (the in-process network keeps no journal).
  const run = hre.network.name === "hardhat" ? undefined : `demo-${Date.now()}`;
  const market = await deployClearingMarket(hre, settings, { deploymentId: run && `${run}-market` });
  console.log(`ClearingMarket deployed at ${await market.getAddress()}`);
  await joinAll(market, players, ethers.parseEther("1000"));

  const rows: Record<string, unknown>[] = [];
  const phase = async (label: string, tau: number, fromVersion: bigint) => {
    const exact = solveClearing(types, CAPACITY, tau, settings.fixedFee);
    console.log(`\n${label}: tau = ${tau}, exact clearing price mu* = ${exact.mu.toFixed(9)}`);
    const rounds = await playRounds(market, players, {
      fixedFee: settings.fixedFee,
      maxRounds: 60,
      untilConverged: true,
      fromVersion,
      onRound: printRound,
    });
    for (const r of rounds) {
      rows.push({
        phase: label,
        round: r.round,
        version: r.version,
        price: fromFixed(r.price),
        mu: fromFixed(r.mu),
        nextMu: fromFixed(r.nextMu),
        totalDemand: fromFixed(r.totalDemand),
        capacity: fromFixed(r.capacity),
        primalResidual: fromFixed(r.primalResidual),
        dualResidual: fromFixed(r.dualResidual),
        converged: r.converged,
      });
    }
    const last = rounds[rounds.length - 1];
    const mu = fromFixed(last.nextMu);
    console.log(`  -> ${rounds.length} rounds, mu_T = ${mu.toFixed(9)}, |mu_T - mu*| = ${Math.abs(mu - exact.mu).toExponential(2)}`);
    return { label, tau, rounds: rounds.length, converged: last.converged, muT: mu, muExact: exact.mu, gap: exact.gap };
  };

  const before = await phase("before the shock", 0.5, 1n);
  // Governance: the new tau applies from the next round on (version 2).
  await (await market.scheduleParams(toParamsInput({ ...settings, tau: 1.5 }))).wait();
  const after = await phase("after tau 0.5 -> 1.5", 1.5, 2n);

  // The core exchange: one escrow, several deals along different paths of the game tree.
  const { escrow, tableId } = await deployExchangeEscrow(hre, { deploymentId: run && `${run}-escrow` });
  console.log(`\nExchangeEscrow deployed at ${await escrow.getAddress()} (default table ${tableId.slice(0, 10)}...)`);
  const [seller, buyer] = [signers[1], signers[2]];
  const deals: [string, DealPath][] = [
    ["honest: high quality, redeemed, no complaint, no fault", { redeem: true, complain: false, fault: false }],
    ["low quality: refund requested, complaint, fault admitted", { redeem: false, complain: true, fault: true }],
    ["low quality redeemed anyway, complaint, fault admitted", { redeem: true, complain: true, fault: true }],
    ["buyer lies: redeemed high quality, then complains", { redeem: true, complain: true, fault: false }],
  ];
  const dealRows: Record<string, unknown>[] = [];
  const price = ethers.parseEther("1");
  for (const [label, p] of deals) {
    const terms = {
      asset: ethers.ZeroAddress,
      price,
      tableId,
      acceptWindow: 3600n,
      redeemWindow: 86400n,
      complaintWindow: 86400n,
      faultWindow: 86400n,
      sellerOffers: true,
    };
    const o = await playDeal(escrow, terms, seller, buyer, p);
    const eth = (x: bigint) => ethers.formatEther(x);
    console.log(`  ${o.state.padEnd(10)} seller ${eth(o.sellerPayout).padStart(6)}  buyer ${eth(o.buyerPayout).padStart(6)}  burnt ${eth(o.burn).padStart(6)}  gas ${o.gas}  (${label})`);
    dealRows.push({ label, state: o.state, price: eth(price), sellerPayout: eth(o.sellerPayout), buyerPayout: eth(o.buyerPayout), burn: eth(o.burn), gas: o.gas });
  }

  writeCsv(path.join(OUT, "clearing-rounds.csv"), rows);
  writeCsv(path.join(OUT, "exchange-deals.csv"), dealRows);
  writeJson(path.join(OUT, "summary.json"), {
    network: hre.network.name,
    market: await market.getAddress(),
    escrow: await escrow.getAddress(),
    settings,
    phases: [before, after],
    deals: dealRows,
  });
  console.log(`\nWrote ${path.relative(process.cwd(), OUT)}/clearing-rounds.csv, exchange-deals.csv and summary.json`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
