/**
 * The gas profile (src/bench/gasProfile.ts) on the bench's own markets: its parts add up to the receipt's gas, and
 * it counts the storage the uniform rule's close reads beyond pro-rata's: the 16 tree words of the descent's
 * dearest path and the result word.
 */
import { expect } from "chai";
import hre from "hardhat";
import { measureClearingGas } from "../../src/bench/clearingGas";
import { type GasProfile, profileTransaction } from "../../src/bench/gasProfile";
import type { RpcProvider } from "../../src/chain/batch";
import { chainEnv } from "../../src/hardhat/adapter";

const parts = (p: GasProfile) =>
  p.intrinsic + p.coldReadGas + p.warmReadGas + p.newSlotGas + p.usedSlotWriteGas + p.eventGas + p.otherGas;

describe("gas profile", function () {
  this.timeout(120_000);
  // solidity-coverage instruments the contracts and mutation builds turn the optimizer off: their storage accesses
  // differ, so the counts below hold for the optimized, uninstrumented build only.
  const instrumented = process.argv.includes("coverage") || process.env.CLEARHOUSE_MUTATION === "1";

  it("splits a close by what it pays for; the uniform close reads 17 cold words more than pro-rata", async () => {
    const env = await chainEnv(hre);
    const profiles: Record<string, GasProfile> = {};
    for (const rationing of ["pro-rata", "uniform"] as const) {
      const { gas, transactions } = await measureClearingGas(env, 3, "adaptive", rationing);
      const profile = (await profileTransaction(env.provider, transactions.closeRound))!;
      expect(profile.total).to.equal(gas.closeRound);
      expect(parts(profile)).to.equal(profile.total);
      // closeRound() is a 4-byte selector, every byte non-zero.
      expect(profile.intrinsic).to.equal(21_000 + 4 * 16);
      expect(profile.coldReadGas).to.equal(2_100 * profile.coldReads);
      profiles[rationing] = profile;
      if (instrumented) continue;
      // Every close creates the next round's record: one new slot.
      expect([profile.newSlots, profile.newSlotGas]).to.deep.equal([1, 22_100]);
    }
    if (!instrumented) expect(profiles.uniform.coldReads - profiles["pro-rata"].coldReads).to.equal(17);
  });

  it("is undefined on a node that does not trace", async () => {
    const env = await chainEnv(hre);
    const silent = {
      ...env.provider,
      send: async () => {
        throw new Error("the method debug_traceTransaction does not exist");
      },
    } as unknown as RpcProvider;
    expect(await profileTransaction(silent, "0x" + "11".repeat(32))).to.equal(undefined);
  });
});
