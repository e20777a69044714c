/**
 * The gas profile (src/bench/gasProfile.ts) on the bench's own markets: its parts add up to the receipt's gas, and
 * it counts the storage the uniform rule's close reads beyond pro-rata's (the tree words of a descent that starts
 * from the last round's edge, and the result word) and the record a close creates unless it was paid ahead.
 */
import { expect } from "chai";
import { getBytes } from "ethers";
import hre from "hardhat";
import { measureClearingGas } from "../../src/bench/clearingGas";
import { type GasProfile, profileTransaction } from "../../src/bench/gasProfile";
import type { RpcProvider } from "../../src/chain/batch";
import { chainEnv } from "../../src/hardhat/adapter";
import { instrumentedBuild } from "../harness";

const parts = (p: GasProfile) =>
  p.intrinsic + p.coldReadGas + p.warmReadGas + p.newSlotGas + p.usedSlotWriteGas + p.eventGas + p.otherGas;

describe("gas profile", function () {
  this.timeout(120_000);

  it("splits a close by what it pays for; the uniform close reads 8 cold words more than pro-rata", async () => {
    const env = await chainEnv(hre);
    const profiles: Record<string, GasProfile> = {};
    for (const [rationing, prepaid] of [
      ["pro-rata", true],
      ["uniform", true],
      ["pro-rata", false],
    ] as const) {
      const { gas, transactions } = await measureClearingGas(env, 3, "adaptive", rationing, { prepaid });
      const profile = (await profileTransaction(env.provider, transactions.closeRound))!;
      expect(profile.total).to.equal(gas.closeRound);
      expect(parts(profile)).to.equal(profile.total);
      // Calldata costs 16 gas a non-zero byte and 4 a zero byte (the keeper's hint is a 32-byte word).
      const data = getBytes((await env.provider.getTransaction(transactions.closeRound))!.data);
      expect(data.length).to.equal(4 + 32);
      expect(profile.intrinsic).to.equal(21_000 + data.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0));
      expect(profile.coldReadGas).to.equal(2_100 * profile.coldReads);
      profiles[`${rationing}${prepaid ? "" : ".unpaid"}`] = profile;
      if (instrumentedBuild) continue;
      // A close creates the next round's record, unless it was paid ahead.
      expect([profile.newSlots, profile.newSlotGas]).to.deep.equal(prepaid ? [0, 0] : [1, 22_100]);
    }
    // From the keeper's hint (bucket 8 of octave 4): 1 top, 2 octave and 4 bucket words, then the result word.
    if (!instrumentedBuild) expect(profiles.uniform.coldReads - profiles["pro-rata"].coldReads).to.equal(8);
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
