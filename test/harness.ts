import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ClearingMarket } from "../typechain-types";
import type { Interface, Overrides, Signer } from "ethers";
import type { ClearingModel } from "../src/clearing/model/clearingMarket";

/**
 * Whether the contracts run as built for coverage (instrumented) or for mutation testing (optimizer off): their gas
 * differs there, so gas ceilings and exact storage counts hold for the optimized, uninstrumented build only.
 */
export const instrumentedBuild = process.argv.includes("coverage") || process.env.CLEARHOUSE_MUTATION === "1";

/** Outcome of a transaction sent with a fixed gas limit at a chosen timestamp. */
export type TxOutcome = { ok: true; logs: readonly unknown[] } | { ok: false; error: string };

/**
 * Sends `send()` mined at exactly `timestamp` (a reverting call is mined too, so the clock
 * stays in step with the model) and returns the custom error name on revert.
 */
export async function txAt(
  contract: { interface: Interface },
  timestamp: bigint,
  send: (overrides: { gasLimit: number }) => Promise<{ wait(): Promise<unknown> }>,
): Promise<TxOutcome> {
  await network.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
  try {
    const tx = await send({ gasLimit: 3_000_000 });
    const receipt = (await tx.wait()) as { logs: readonly unknown[] };
    return { ok: true, logs: receipt.logs };
  } catch (e) {
    const data = (e as { data?: string }).data;
    if (!data) throw e;
    const parsed = contract.interface.parseError(data);
    return { ok: false, error: parsed?.name ?? `unknown revert ${data}` };
  }
}

/** Applies `apply` to a model; returns the custom-error name the model raises, if any. */
export function modelStep(apply: () => void): string | undefined {
  try {
    apply();
    return undefined;
  } catch (e) {
    const name = (e as { errorName?: unknown }).errorName;
    if (typeof name === "string") return name;
    throw e;
  }
}

/** Asserts that the contract's whole state equals the model's and that the books balance. */
export async function expectSameState(
  market: ClearingMarket,
  model: ClearingModel,
  accounts: HardhatEthersSigner[],
  assetBalance: () => Promise<bigint>,
): Promise<void> {
  const s = await market.state();
  expect(s.round, "round").to.equal(model.round);
  expect(s.deadline, "deadline").to.equal(model.deadline);
  expect(s.submitted, "submitted").to.equal(model.submitted);
  expect(s.positive, "positive").to.equal(model.positive);
  expect(s.active, "active").to.equal(model.active);
  expect(s.version, "version").to.equal(model.version);
  expect(s.pendingVersion, "pendingVersion").to.equal(model.pendingVersion);
  const r = await market.rounds(model.round);
  const mr = model.rounds.get(model.round)!;
  expect(r.totalDemand, "totalDemand").to.equal(mr.totalDemand);
  expect(r.mu, "mu").to.equal(mr.mu);
  const b = await market.bracket();
  expect(
    [
      b.lo,
      b.hi,
      b.hasLo,
      b.hasHi,
      b.excessLo,
      b.shortfallHi,
      Number(b.lastMoved),
      b.gapConfirmed,
      Number(b.stepsLeft),
      b.loChecked,
    ],
    "bracket",
  ).to.deep.equal([
    model.bracket.lo,
    model.bracket.hi,
    model.bracket.hasLo,
    model.bracket.hasHi,
    model.bracket.excessLo,
    model.bracket.shortfallHi,
    model.bracket.lastMoved,
    model.bracket.gapConfirmed,
    model.bracket.stepsLeft,
    model.bracket.loChecked,
  ]);
  expect(await market.feesAccrued(), "fees").to.equal(model.feesAccrued);
  expect(await market.revenueAccrued(), "revenue").to.equal(model.revenueAccrued);
  const liabilities = await market.totalLiabilities();
  expect(liabilities, "liabilities").to.equal(model.totalLiabilities);
  for (const acct of accounts) {
    const a = await market.agents(acct.address);
    const m = model.agent(acct.address);
    expect([a.free, a.reserved, a.demand, a.round, a.version, a.active], `agent ${acct.address}`).to.deep.equal([
      m.free,
      m.reserved,
      m.demand,
      m.round,
      m.version,
      m.active,
    ]);
  }
  // The accounting invariant: the asset held equals everything owed, to the wei.
  expect(await assetBalance(), "asset balance == liabilities").to.equal(liabilities);
  expect(model.sumOwed(), "sum owed == liabilities").to.equal(liabilities);
}

export const latestTimestamp = async (): Promise<bigint> =>
  BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

/**
 * `agent` submits `quantity` for the open round, with no cap on its reserve: the consent to the
 * charge (`WrongRound`, `ReserveAboveMax`) has tests of its own; elsewhere a test means "now".
 */
export async function submit(market: ClearingMarket, agent: Signer, quantity: bigint, overrides: Overrides = {}) {
  const [round] = await market.currentRound();
  return market.connect(agent).submitDemand(round, quantity, ethers.MaxUint256, overrides);
}
