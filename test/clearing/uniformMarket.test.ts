import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BASE_PARAMS, deployMarket, units } from "./fixture";
import { Rationing, StepRule } from "../../src/clearing/model/types";
import { RationingTree, allocation, edges, bucketOf, exactWaterFill } from "../../src/clearing/model/uniformRationing";
import { charge } from "../../src/clearing/model/settlement";
import { instrumentedBuild, submit } from "../harness";
import { profileTransaction } from "../../src/bench/gasProfile";

/** m = 10, tau = 0.5, g = 0.1, constant eta 0.1, the uniform rule; four agents with 50 each. */
async function uniformMarket() {
  const f = await deployMarket({ params: { rationing: Rationing.Uniform } });
  const [a, b, c, d] = f.agents;
  for (const s of [a, b, c, d]) await f.market.connect(s).join(units(50), { value: units(50) });
  return { ...f, a, b, c, d };
}

/** Closes the open round at its deadline (not every agent submits in these tests). */
async function close(market: {
  currentRound(): Promise<[bigint, bigint, bigint, bigint]>;
  closeRound(): Promise<unknown>;
}) {
  const [, deadline] = await market.currentRound();
  if (BigInt(await time.latest()) < deadline) await time.increaseTo(deadline);
  return market.closeRound() as ReturnType<Awaited<ReturnType<typeof uniformMarket>>["market"]["closeRound"]>;
}

/** The twin's result of a round 1 with these demands (what `rationingResult(1)` must be). */
function twinResult(demands: bigint[], capacity = units(10)): bigint {
  const tree = new RationingTree();
  for (const x of demands) tree.move(1n, 0n, x);
  return tree.close(1n, capacity);
}

/** The Settled event's allocation for `who` once its round is settled. */
async function settledAllocation(market: Awaited<ReturnType<typeof uniformMarket>>["market"], who: string) {
  const receipt = await (await market.settle(who)).wait();
  const log = receipt!.logs.map((l) => market.interface.parseLog(l)).find((l) => l?.name === "Settled");
  return log!.args.allocation as bigint;
}

describe("ClearingMarket: the uniform rationing rule", () => {
  it("shares a rationed round by water-filling: min(x, lambda), as the tree twin computes it bit for bit", async () => {
    const { market, a, b, c, d } = await loadFixture(uniformMarket);
    const demands = [units(1), units(3), units(8), units(20)]; // m = 10: lambda = 3 in exact water-filling
    for (const [i, s] of [a, b, c, d].entries()) await submit(market, s, demands[i]);
    await close(market);
    const result = twinResult(demands);
    expect(await market.rationingResult(1)).to.equal(result);
    const exact = exactWaterFill(demands, units(10));
    const got: bigint[] = [];
    for (const [i, s] of [a, b, c, d].entries()) {
      const q = await settledAllocation(market, s.address);
      expect(q, `agent ${i}`).to.equal(allocation(demands[i], result));
      // Within one bucket width of exact water-filling, never above the demand.
      expect(q <= demands[i]).to.equal(true);
      const width = 1n << edges(bucketOf(exact.allocations[i] || 1n)).shift;
      const gap = q > exact.allocations[i] ? q - exact.allocations[i] : exact.allocations[i] - q;
      expect(gap <= width, `agent ${i} gap ${gap} width ${width}`).to.equal(true);
      got.push(q);
    }
    expect(got[0]).to.equal(units(1)); // below the water level: its whole demand
    expect(got.reduce((x, y) => x + y, 0n) <= units(10)).to.equal(true);
    // The two largest get the same, however much more the largest asked for.
    expect(got[2]).to.equal(got[3]);
  });

  it("paying ahead from the open round covers its result word: the close creates no slot", async () => {
    // Round 3's result shares word 0 with rounds 0 to 2, which stored none: its close would start the word.
    const closeOfRound3 = async (prepay: boolean) => {
      const f = await loadFixture(uniformMarket);
      await close(f.market);
      await close(f.market);
      if (prepay) await (await f.market.prefillRounds(0, 8)).wait();
      await submit(f.market, f.a, units(8));
      await submit(f.market, f.b, units(8));
      const receipt = await (await close(f.market)).wait();
      return { gas: receipt!.gasUsed, result: await f.market.rationingResult(3) };
    };
    const [cold, paid] = [await closeOfRound3(false), await closeOfRound3(true)];
    expect(paid.result).to.equal(cold.result);
    expect(paid.result).to.not.equal(0n);
    // Round 4's record and the result word: 17,100 gas each.
    expect(cold.gas - paid.gas).to.equal(2n * 17_100n);
  });

  it("the keeper's hint is where the level is now; any hint closes the same round, the last edge is kept", async () => {
    const demands = [units(1), units(3), units(8), units(20)];
    const result = twinResult(demands);
    const level = BigInt((result >> 52n) & 1023n);
    const play = async (hint?: bigint) => {
      const f = await loadFixture(uniformMarket);
      // Within capacity the level is the last edge (none yet: bucket 0).
      await submit(f.market, f.a, demands[0]);
      expect(await f.market.rationingLevel()).to.equal(0n);
      for (const [i, s] of [f.b, f.c, f.d].entries()) await submit(f.market, s, demands[i + 1]);
      expect(await f.market.rationingLevel()).to.equal(level);
      const [, deadline] = await f.market.currentRound();
      await time.increaseTo(deadline);
      const receipt = await // Anyone may close with a hint (an agent here, not the owner), as anyone may close.
      (await (hint === undefined ? f.market.closeRound() : f.market.connect(f.d).closeRoundWithHint(hint))).wait();
      const closed = receipt!.logs.map((l) => f.market.interface.parseLog(l)).find((l) => l?.name === "RoundClosed");
      // The next round within capacity: the level stays the last edge, not the bucket a fitting round would end at.
      await submit(f.market, f.a, demands[0]);
      expect(await f.market.rationingLevel()).to.equal(level);
      // Exactly at capacity is within it too: no descent, the last edge.
      await submit(f.market, f.b, units(10) - demands[0]);
      expect(await f.market.rationingLevel()).to.equal(level);
      return {
        result: await f.market.rationingResult(1),
        state: await f.market.state(),
        nextMu: closed!.args.nextMu as bigint,
        gas: receipt!.gasUsed,
      };
    };
    const stored = await play();
    expect(stored.result).to.equal(result);
    expect(stored.state.levelHint).to.equal(level);
    for (const hint of [0n, level, 1023n, 2n ** 256n - 1n]) {
      const hinted = await play(hint);
      expect([hinted.result, hinted.state, hinted.nextMu]).to.deep.equal([stored.result, stored.state, stored.nextMu]);
    }
    // From the level, the descent reads fewer words than from the far end.
    expect((await play(level)).gas).to.be.lessThan((await play(1023n)).gas);
  });

  it("a level far from the last edge costs closeRound() up to 13 tree words; the keeper's hint, at most 3", async () => {
    // Every demand in the last bucket of octave 7 (about 18.4 units), the level too: from bucket 0 (a first round,
    // or the round after agents moved the level) the descent reads 1 + 4 + 8 tree words; from the level, 1 + 1 + 1.
    const play = async (hinted: boolean) => {
      const params = { rationing: Rationing.Uniform, rule: StepRule.Adaptive, capacity: units("73.2") };
      const f = await deployMarket({ params });
      await f.market.prefillRounds(2, 4);
      const agents = f.agents.slice(0, 4);
      for (const [i, s] of agents.entries()) {
        await f.market.connect(s).join(units(50), { value: units(50) });
        await submit(f.market, s, units("18.4") + BigInt(i));
      }
      const level = await f.market.rationingLevel();
      expect(level).to.equal(127n);
      const tx = hinted ? f.market.closeRoundWithHint(level) : f.market.closeRound();
      return { gas: (await (await tx).wait())!.gasUsed, result: await f.market.rationingResult(1) };
    };
    const [far, hinted] = [await play(false), await play(true)];
    expect(far.result).to.equal(hinted.result);
    console.log(
      `      first close, level in bucket 127: closeRound() ${far.gas}, with the keeper's hint ${hinted.gas}`,
    );
    // Ten more cold words (2,100 each) and the scan's loop: within 30,000 (as optimized, uninstrumented).
    expect(far.gas - hinted.gas).to.be.greaterThan(21_000n);
    if (instrumentedBuild) return;
    expect(far.gas - hinted.gas).to.be.lessThan(30_000n);
    expect(hinted.gas).to.be.lessThan(100_000n);
  });

  it("a close reads each tree word of its scan once, from the hint's side of the octave and of the bucket", async () => {
    // Every demand in bucket 55 (bucket 7 of octave 3, [0.8286, 0.8646) units), the level too (4 x 0.8425 = m).
    // The descent reads top word 0, then octaves from the left (0 to 3: 2 words) when the hint's octave is
    // below 4, else from the right (7 down to 3: 3 words); then buckets from the left (0 to 7: 4 words) when
    // the hint is below bucket 56, else from the right (15 down to 7: 5 words). Words hold two nodes, so a
    // scan reads a word at every other node: each word once, all cold.
    // The same round scaled by 2^8 (eight octaves up: bucket 183, top node 1) reads exactly as many words: the
    // top scan reads node 1 from the word it read node 0 from.
    const setUp = async (scale: bigint) => {
      const params = { rationing: Rationing.Uniform, rule: StepRule.Adaptive, capacity: units("3.37") * scale };
      const f = await deployMarket({ params });
      for (const [i, s] of f.agents.slice(0, 4).entries()) {
        await f.market.connect(s).join(units(500), { value: units(500) });
        await submit(f.market, s, (units("0.845") + BigInt(i) * units("0.001")) * scale);
      }
      const [, deadline] = await f.market.currentRound();
      await time.increaseTo(deadline);
      return f;
    };
    // Named: loadFixture refuses anonymous functions.
    const rationed = async function rationed() {
      return setUp(1n);
    };
    const scaled = async function scaled() {
      return setUp(256n);
    };
    const reads = async (hint: bigint, fixture = rationed, level = 55n) => {
      const f = await loadFixture(fixture);
      expect(await f.market.rationingLevel()).to.equal(level);
      const receipt = (await (await f.market.closeRoundWithHint(hint)).wait())!;
      const profile = (await profileTransaction(ethers.provider, receipt.hash))!;
      return { cold: profile.coldReads, all: profile.coldReads + profile.warmReadGas / 100 };
    };
    // [hint, octave words, bucket words]: each side of both thresholds (octave 4, bucket 56), and hint 0.
    const cases: [bigint, number, number][] = [
      [55n, 2, 4],
      [56n, 2, 5],
      [63n, 2, 5],
      [64n, 3, 5],
      [0n, 2, 4],
    ];
    const base = await reads(cases[0][0]);
    for (const [hint, octaves, buckets] of cases.slice(1)) {
      const r = await reads(hint);
      const more = octaves + buckets - (cases[0][1] + cases[0][2]);
      expect([r.cold - base.cold, r.all - base.all], `hint ${hint}`).to.deep.equal([more, more]);
    }
    expect(await reads(183n, scaled, 183n), "a level in top node 1").to.deep.equal(base);
  });

  it("a demand inflated 100-fold gets nothing more than the water level; under pro-rata it takes most of m", async () => {
    const run = async (rationing: Rationing, inflated: bigint) => {
      const f = await deployMarket({ params: { rationing } });
      const signers = f.agents.slice(0, 5);
      for (const s of signers) await f.market.connect(s).join(units(2000), { value: units(2000) });
      for (const s of signers.slice(1)) await submit(f.market, s, units(4));
      await submit(f.market, signers[0], inflated);
      await close(f.market);
      return settledAllocation(f.market as never, signers[0].address);
    };
    const truthful = await run(Rationing.Uniform, units(4)); // 5 x 4 = 20 on m = 10: everyone gets 2
    const inflated = await run(Rationing.Uniform, units(400));
    expect(inflated).to.equal(truthful);
    expect(truthful).to.be.closeTo(units(2), units("0.01"));
    const proRata = await run(Rationing.ProRata, units(400));
    expect(proRata).to.equal((units(400) * units(10)) / units(416)); // 9.6 of the 10 units
  });

  it("a round within capacity is not rationed: no result is stored and everyone gets its demand", async () => {
    const { market, a, b } = await loadFixture(uniformMarket);
    await submit(market, a, units(4));
    await submit(market, b, units(6)); // S = m exactly
    await close(market);
    expect(await market.rationingResult(1)).to.equal(0n);
    expect(await settledAllocation(market, a.address)).to.equal(units(4));
    expect(await settledAllocation(market, b.address)).to.equal(units(6));
  });

  it("one wei over capacity is rationed: a result is stored and the allocations stay within m", async () => {
    const { market, a, b } = await loadFixture(uniformMarket);
    await submit(market, a, units(4));
    await submit(market, b, units(6) + 1n); // S = m + 1 wei
    await close(market);
    const result = await market.rationingResult(1);
    expect(result).to.equal(twinResult([units(4), units(6) + 1n]));
    expect(result).to.not.equal(0n);
    const [qa, qb] = [await settledAllocation(market, a.address), await settledAllocation(market, b.address)];
    expect(qa).to.equal(units(4));
    expect(qb).to.be.lessThan(units(6) + 1n);
    expect(qa + qb <= units(10)).to.equal(true);
  });

  it("revisions and departures move the tree: the close sees only the demands standing at the end", async () => {
    const { market, a, b, c } = await loadFixture(uniformMarket);
    await submit(market, a, units(30));
    await submit(market, b, units(5));
    await submit(market, c, units(7));
    await submit(market, a, units(2)); // revised down
    await market.connect(c).leave(); // withdrawn
    await submit(market, b, units(9)); // revised up: S = 11 > 10
    await close(market);
    const result = twinResult([units(2), units(9)]);
    expect(await market.rationingResult(1)).to.equal(result);
    expect(await settledAllocation(market, a.address)).to.equal(units(2));
    expect(await settledAllocation(market, b.address)).to.equal(allocation(units(9), result));
  });

  it("a round keeps the rule it was played under when the owner switches rules", async () => {
    const { market, owner, a, b } = await loadFixture(uniformMarket);
    await submit(market, a, units(2));
    await submit(market, b, units(18));
    await market.connect(owner).scheduleParams({ ...BASE_PARAMS, rationing: Rationing.ProRata });
    await close(market); // round 1 was uniform; round 2 is pro rata
    const [, , fixedFee, , , , rationing] = await market.params(2);
    expect([fixedFee, rationing]).to.deep.equal([BASE_PARAMS.fixedFee, BigInt(Rationing.ProRata)]);
    await submit(market, a, units(2)); // settles round 1 under the uniform rule
    await submit(market, b, units(18));
    await close(market);
    const r1 = twinResult([units(2), units(18)]);
    expect(await market.rationingResult(1)).to.equal(r1);
    expect(await market.rationingResult(2)).to.equal(0n); // pro rata: nothing stored
    const [, , , mu1] = await market.currentRound();
    expect(mu1).to.be.gt(0n);
    const receipt = await (await market.settle(b.address)).wait();
    const settled = receipt!.logs.map((l) => market.interface.parseLog(l)).find((l) => l?.name === "Settled")!;
    const q = (units(18) * units(10)) / units(20);
    const [, mu2] = await market.rounds(2);
    const { fee, revenue } = charge(units(18), q, BASE_PARAMS.tau, mu2, BASE_PARAMS.fixedFee);
    expect([settled.args.round, settled.args.allocation, settled.args.fee, settled.args.revenue]).to.deep.equal([
      2n,
      q,
      fee,
      revenue,
    ]);
  });

  it("refuses an unknown rationing rule, and prefill ranges outside the tree, by name", async () => {
    const { market, owner } = await loadFixture(uniformMarket);
    await expect(market.connect(owner).scheduleParams({ ...BASE_PARAMS, rationing: 2 }))
      .to.be.revertedWithCustomError(market, "InvalidRationing")
      .withArgs(2);
    await expect(market.prefillRationingTree(0, 549))
      .to.be.revertedWithCustomError(market, "InvalidRange")
      .withArgs(0, 549);
    await expect(market.prefillRounds(5, 4))
      .to.be.revertedWithCustomError(market, "InvalidRoundRange")
      .withArgs(5, 4, 1);
    await expect(market.prefillRounds(2, 2n ** 40n))
      .to.be.revertedWithCustomError(market, "InvalidRoundRange")
      .withArgs(2, 2n ** 40n, 1);
    // An empty range is no error and writes nothing: no slot is paid for (a new one alone costs 22,100 gas),
    // not even the result word of the round before it.
    for (const empty of [
      market.prefillRationingTree(548, 548),
      market.prefillRounds(5, 5),
      market.prefillRounds(0, 0),
    ]) {
      const receipt = (await (await empty).wait())!;
      expect(receipt.status).to.equal(1);
      expect(receipt.gasUsed).to.be.lessThan(30_000n);
    }
    // The last round a range may reach is 2^40 - 1 (the records' round field).
    await (await market.prefillRounds(2n ** 40n - 2n, 2n ** 40n - 1n)).wait();
    expect((await market.rounds(2n ** 40n - 2n))[0], "its record is paid for").to.equal(2n ** 128n - 1n);
    // Anyone may pay ahead (a stranger here, not the owner).
    const stranger = market.connect((await ethers.getSigners())[9]);
    for (const paid of [stranger.prefillRationingTree(0, 2), stranger.prefillRounds(2, 5)]) {
      expect((await (await paid).wait())!.status).to.equal(1);
    }
    // A range that starts at or before the open round (1) pays for the rest: the live records stay as they are.
    await (await market.prefillRounds(0, 7)).wait();
    expect(await market.rounds(1)).to.deep.equal([0n, 0n]);
    expect(await market.rounds(6)).to.deep.equal([2n ** 128n - 1n, 0n]);
    expect(await market.rounds(7)).to.deep.equal([0n, 0n]);
    await (await market.prefillRounds(0, 1)).wait();
    expect(await market.rounds(0)).to.deep.equal([0n, 0n]);
  });

  it("paying ahead from open round 4 starts at its result word (rounds 4 to 7), not the word before", async () => {
    const { market } = await loadFixture(uniformMarket);
    for (let i = 0; i < 3; i++) await close(market); // three rounds within capacity: no result stored
    expect((await market.currentRound())[0]).to.equal(4n);
    // Round 5's record and result word 1 (rounds 4 to 7): two new slots, not word 0 (rounds 0 to 3) as well.
    const paid = (await (await market.prefillRounds(0, 6)).wait())!;
    expect(paid.gasUsed).to.be.within(21_000n + 2n * 22_100n, 21_000n + 3n * 22_100n);
    expect(await market.rounds(5)).to.deep.equal([2n ** 128n - 1n, 0n]);
    // Paying for the same range again only reads: a marked record and a word in use are not written again.
    const again = (await (await market.prefillRounds(0, 6)).wait())!;
    const profile = (await profileTransaction(ethers.provider, again.hash))!;
    expect([profile.newSlots, profile.usedSlotWriteGas]).to.deep.equal([0, 0]);
  });

  it("paying ahead for first use makes a first submission and a rationed close cheaper, and changes no outcome", async () => {
    const play = async (prefill: boolean) => {
      const f = await loadFixture(uniformMarket);
      if (prefill) {
        await f.market.prefillRationingTree(0, 548);
        await f.market.prefillRounds(2, 9);
      }
      const first = await (await submit(f.market, f.a, units(12))).wait();
      await submit(f.market, f.b, units(3));
      const closed = await (await close(f.market)).wait();
      // Round 2's record is written whole by the close, pre-paid or not; round 3's still holds the marker.
      expect(await f.market.rounds(3)).to.deep.equal(prefill ? [2n ** 128n - 1n, 0n] : [0n, 0n]);
      return {
        record: await f.market.rounds(2),
        submitGas: first!.gasUsed,
        closeGas: closed!.gasUsed,
        result: await f.market.rationingResult(1),
        q: await settledAllocation(f.market, f.a.address),
      };
    };
    const cold = await play(false);
    const warm = await play(true);
    expect([warm.result, warm.q, warm.record]).to.deep.equal([cold.result, cold.q, cold.record]);
    expect(warm.record[0]).to.equal(0n);
    // Three tree words written for the first time, then round 2's record and the result word: 17,100 gas each.
    expect(cold.submitGas - warm.submitGas).to.be.gte(3n * 17_000n);
    expect(cold.closeGas - warm.closeGas).to.be.gte(2n * 17_000n);
    expect(ethers.toBigInt(cold.result)).to.not.equal(0n);
  });
});
