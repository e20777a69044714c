import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { ethers, network } from "hardhat";
import type { UniformRationingHarness } from "../../typechain-types";
import {
  MAX_QUANTITY,
  RationingError,
  RationingTree,
  TREE_WORDS,
  allocation,
  bucketOf,
  decode,
  edges,
  grainOf,
  roundedUp,
  exactWaterFill,
  widthOf,
} from "../../src/clearing/model/uniformRationing";
import { fuzzSettings } from "../fuzz";
import { instrumentedBuild } from "../harness";
import { profileTransaction } from "../../src/bench/gasProfile";
import { units } from "./fixture";

/**
 * The uniform rationing library in isolation: the harness and the model agree bit for bit (storage words,
 * results, allocations) on crafted and random rounds; the allocations never sum above the capacity, stay within
 * one bucket width of exact water-filling, and an inflated report gains at most a quarter of a bucket width.
 */
describe("UniformRationing library against the model", () => {
  const WORST_SHARE = { gainOverWidth: 0, gainOverLambda: 0, randomGainOverWidth: 0, errorOverWidth: 0 };
  let h: UniformRationingHarness;
  /** The model of `h`'s storage, across all the tests that share `h`. */
  const model = new RationingTree();
  let round = 0n;

  async function deploy() {
    return (await (await ethers.getContractFactory("UniformRationingHarness")).deploy()) as UniformRationingHarness;
  }

  before(async () => {
    h = await deploy();
  });

  /** Applies the same moves to the harness (a few transactions) and the model; compares every word. */
  async function moveBoth(tree: RationingTree, r: bigint, moves: [bigint, bigint][], on = h) {
    for (let i = 0; i < moves.length; i += 150) {
      const chunk = moves.slice(i, i + 150);
      await (
        await on.moveMany(
          r,
          chunk.map((m) => m[0]),
          chunk.map((m) => m[1]),
        )
      ).wait();
    }
    for (const [from, to] of moves) tree.move(r, from, to);
    expect([...(await on.words(0, TREE_WORDS))]).to.deep.equal(tree.words);
  }

  /**
   * Closes on both; the harness stores its result. The descent from any hint (far ends, either side of the level,
   * across an octave or a top node) finds the model's result: the hint changes which words are read, never what.
   */
  async function closeBoth(tree: RationingTree, r: bigint, capacity: bigint, on = h) {
    const expected = tree.close(r, capacity);
    const level = decode(expected).rationed ? BigInt(decode(expected).bucket) : 0n;
    for (const hint of [0n, 1023n, level - 9n, level - 8n, level - 1n, level, level + 1n, level + 8n, level + 129n]) {
      if (hint >= 0n) expect(await on.peekClose(r, capacity, hint), `hint ${hint}`).to.equal(expected);
    }
    const [result, gasUsed] = await on.close.staticCall(r, capacity);
    await (await on.close(r, capacity)).wait();
    expect(result).to.equal(tree.close(r, capacity));
    expect(await on.resultOf(r)).to.equal(result);
    return { result, gasUsed };
  }

  /** Allocations on both; the rule's guarantees against exact water-filling. */
  async function checkAllocations(demands: bigint[], result: bigint, capacity: bigint) {
    const q = [...(await h.allocations(demands, result))];
    const model = demands.map((x) => allocation(x, result));
    expect(q).to.deep.equal(model);
    return checkRule(demands, model, result, capacity);
  }

  function checkRule(demands: bigint[], q: bigint[], result: bigint, capacity: bigint) {
    const sum = q.reduce((a, b) => a + b, 0n);
    expect(sum <= capacity || !decode(result).rationed, "sum of allocations above m").to.equal(true);
    const exact = exactWaterFill(demands, capacity);
    if (!decode(result).rationed) {
      expect(q).to.deep.equal(demands);
      expect(exact.rationed).to.equal(false);
      return;
    }
    const b = decode(result).bucket;
    const n = BigInt(demands.length);
    // One bucket width, plus n grains should the rounded-up sums put lambda just above the bucket.
    const bound = widthOf(b) + n * grainOf(b) + 1n;
    demands.forEach((x, i) => {
      expect(q[i] <= x).to.equal(true);
      const err = q[i] > exact.allocations[i] ? q[i] - exact.allocations[i] : exact.allocations[i] - q[i];
      expect(err <= bound, `allocation ${q[i]} vs exact ${exact.allocations[i]} (bucket ${b})`).to.equal(true);
      WORST_SHARE.errorOverWidth = Math.max(WORST_SHARE.errorOverWidth, Number(err) / Number(widthOf(b)));
    });
    // What the rounding leaves unallocated: a few grains and wei per agent.
    const slack = exact.rationed ? capacity - sum : 0n;
    expect(slack <= n * (2n * grainOf(b) + (widthOf(b) >> 51n) + 2n), `unallocated ${slack}`).to.equal(true);
  }

  describe("bucket map", () => {
    it("covers 0 .. MAX_QUANTITY with 1,024 contiguous log-linear buckets", async () => {
      expect(edges(0).lower).to.equal(0n);
      for (let b = 0; b < 1023; b++) expect(edges(b).lower + widthOf(b)).to.equal(edges(b + 1).lower);
      expect(edges(1023).lower + widthOf(1023)).to.equal(1n << 120n);
      for (let b = 32; b < 1024; b++) {
        // Width 1/16 .. 1/31 of the lower edge above 2^57; 2^53 below.
        expect(edges(b).lower / widthOf(b)).to.be.within(16n, 31n);
      }
      const specials = [0n, 1n, (1n << 53n) - 1n, 1n << 53n, (1n << 57n) - 1n, 1n << 57n, units(1), MAX_QUANTITY];
      for (const x of specials) {
        expect(await h.bucketOf(x)).to.equal(BigInt(bucketOf(x)));
      }
      expect(bucketOf(MAX_QUANTITY)).to.equal(1023);
      expect(bucketOf((1n << 57n) - 1n)).to.equal(15);
      expect(bucketOf(1n << 57n)).to.equal(16);
      await expect(h.bucketOf(MAX_QUANTITY + 1n))
        .to.be.revertedWithCustomError(h, "DemandTooLarge")
        .withArgs(MAX_QUANTITY + 1n, MAX_QUANTITY);
    });

    it("puts every quantity in its bucket, on chain as in the model", async () => {
      await fc.assert(
        fc.asyncProperty(fc.bigInt(1n, MAX_QUANTITY), async (x) => {
          const b = bucketOf(x);
          const { lower, shift } = edges(b);
          expect(lower <= x && x < lower + (1n << shift)).to.equal(true);
          expect(await h.bucketOf(x)).to.equal(BigInt(b));
          const [l, s] = await h.edges(b);
          expect([l, s]).to.deep.equal([lower, shift]);
          expect(roundedUp(x) - x < grainOf(b)).to.equal(true);
        }),
        fuzzSettings(20),
      );
    });
  });

  describe("rounds", () => {
    it("an empty round and a round that fits are not rationed", async () => {
      const tree = model;
      const empty = await closeBoth(tree, ++round, 0n);
      expect(decode(empty.result).rationed).to.equal(false);
      // ... and reads no tree word: the count of demands (none) answers before any descent (13 or more words).
      const again = (await (await h.close(round, 0n)).wait())!;
      const { coldReads } = (await profileTransaction(ethers.provider, again.hash))!;
      expect(coldReads, "the close's own slots only").to.be.at.most(4);
      const demands = [units(1), units(2), 1n, MAX_QUANTITY / 4n];
      await moveBoth(
        tree,
        ++round,
        demands.map((x) => [0n, x]),
      );
      const exactFit = demands.reduce((a, b) => a + b, 0n);
      // The tree sums rounded-up demands: a total of exactly m is rationed by a few grains at most.
      await (await h.setLevelHint(77n)).wait();
      const fits = await closeBoth(tree, round, exactFit + 4n * grainOf(1023));
      expect(decode(fits.result).rationed).to.equal(false);
      expect(await h.levelHint(), "a round that fits keeps the last edge as the hint").to.equal(77n);
      await checkAllocations(demands, fits.result, exactFit);
      // A capacity of exactly the rounded-up total fits too: the leftover at the last bucket equals its excess.
      const roundedFit = await closeBoth(
        tree,
        round,
        demands.reduce((a, x) => a + roundedUp(x), 0n),
      );
      expect(decode(roundedFit.result).rationed).to.equal(false);
      const tight = await closeBoth(tree, round, exactFit);
      await checkAllocations(demands, tight.result, exactFit);
    });

    it("1 wei, MAX_QUANTITY, all equal, one huge, capacity 0", async () => {
      const cases: [bigint[], bigint][] = [
        [[1n, 1n, 1n], 2n],
        [[MAX_QUANTITY, MAX_QUANTITY, 1n], MAX_QUANTITY],
        [[MAX_QUANTITY], MAX_QUANTITY - 1n],
        [Array<bigint>(20).fill(units(3)), units(50)],
        [[...Array<bigint>(19).fill(units(2)), units(10_000)], units(50)],
        [[units(5), units(1), 1n, 0n], 0n],
        [[0n, units(2), units(3)], units(4)],
        [[units(1), units(1) + 1n, units(1) + 2n], units(3)],
        // The water level a top node, an octave or a bucket above an agent below it (each level's count of the
        // agents above is what the descent subtracts).
        [[units(1), 1n << 66n, 1n << 66n], units(1) + 3n * (1n << 64n)],
        [[units(1), 1n << 66n, 1n << 80n, 1n << 80n], units(1) + (1n << 66n) + 3n * (1n << 71n)], // top node 1's top
        [[units(1), 1n << 62n, 1n << 62n], units(1) + 3n * (1n << 60n)],
        [
          [edges(16 * 4 + 2).lower, edges(16 * 4 + 9).lower, edges(16 * 4 + 9).lower],
          edges(16 * 4 + 2).lower + 2n * edges(16 * 4 + 6).lower,
        ],
      ];
      for (const [demands, capacity] of cases) {
        const tree = model;
        await moveBoth(
          tree,
          ++round,
          demands.map((x) => [0n, x]),
        );
        const { result } = await closeBoth(tree, round, capacity);
        await checkAllocations(demands, result, capacity);
      }
    });

    it("a water level exactly on an edge (of a top node, an octave, a bucket): everyone above gets the edge", async () => {
      const edgesTried = [1n << 64n, 1n << 59n, edges(16 * 2 + 5).lower];
      for (const edge of edgesTried) {
        const demands = [2n * edge, 2n * edge, 3n * edge];
        const capacity = 3n * edge; // F(edge) = 3 edge = m: lambda is the edge itself
        await moveBoth(
          model,
          ++round,
          demands.map((x) => [0n, x]),
        );
        const { result } = await closeBoth(model, round, capacity);
        expect(
          await checkAllocations(demands, result, capacity).then(() => h.allocations(demands, result)),
        ).to.deep.equal([edge, edge, edge]);
      }
    });

    it("random rounds with moves and removals: bit for bit, sum <= m, within one bucket width", async () => {
      const demand = fc.oneof(
        { weight: 6, arbitrary: fc.bigInt(10n ** 15n, 10n ** 21n) },
        { weight: 2, arbitrary: fc.bigInt(1n, 1n << 58n) },
        { weight: 1, arbitrary: fc.bigInt(1n, MAX_QUANTITY) },
        { weight: 1, arbitrary: fc.constantFrom(1n, MAX_QUANTITY, 1n << 57n, units(1), units(4)) },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(demand, { minLength: 1, maxLength: 40 }),
          fc.array(fc.tuple(fc.nat(), fc.option(demand, { freq: 4 })), { maxLength: 30 }),
          fc.oneof(fc.bigInt(0n, 1000n), fc.constantFrom(-1n, 1001n)),
          fc.boolean(),
          async (initial, changes, permille, skipRound) => {
            // Skipping a round leaves older stamps behind: they must read as empty.
            round += skipRound ? 2n : 1n;
            const tree = model;
            const moves: [bigint, bigint][] = initial.map((x) => [0n, x]);
            const current = [...initial];
            for (const [who, to] of changes) {
              const i = who % current.length;
              moves.push([current[i], to ?? 0n]);
              current[i] = to ?? 0n;
            }
            await moveBoth(tree, round, moves);
            const total = current.reduce((a, b) => a + b, 0n);
            const capacity = permille < 0n ? total - 1n : (total * permille) / 1000n;
            const { result } = await closeBoth(tree, round, capacity < 0n ? 0n : capacity);
            const present = current.filter((x) => x > 0n);
            await checkAllocations(present, result, capacity < 0n ? 0n : capacity);
          },
        ),
        fuzzSettings(25),
      );
    });

    it("each round starts empty; the results of older rounds stay for lazy settlement", async () => {
      const tree = model;
      const first = ++round;
      const demands = [units(1), units(6), units(9)];
      await moveBoth(
        tree,
        first,
        demands.map((x) => [0n, x]),
      );
      const { result } = await closeBoth(tree, first, units(10));
      // The next round sees none of it: removing an old demand fails, a close without submissions fits.
      const second = ++round;
      await expect(h.move(second, units(6), 0n))
        .to.be.revertedWithCustomError(h, "DemandNotFound")
        .withArgs(units(6));
      expect(() => tree.move(second, units(6), 0n)).to.throw(RationingError, "DemandNotFound");
      await moveBoth(tree, second, [[0n, units(100)]]);
      await closeBoth(tree, second, units(1));
      // A closed round cannot be closed again once a later round wrote the same words.
      await expect(h.peekClose(first, units(10), 0n)).to.be.revertedWithCustomError(h, "StaleRound");
      await expect(h.move(first, 0n, units(1))).to.be.revertedWithCustomError(h, "StaleRound");
      for (const x of demands) {
        const [q] = await h.settle(first, x);
        expect(q).to.equal(allocation(x, result));
      }
      expect(allocation(units(9), result)).to.be.lessThan(units(9));
    });
  });

  it("pre-filling results writes exactly the words of its rounds, and skips a word in use", async () => {
    const g = await deploy();
    // The harness's `_results` mapping sits right after the tree's 548 words.
    const slotOf = (word: number) =>
      ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [word, TREE_WORDS]));
    const resultWords = async () =>
      Promise.all(Array.from({ length: 16 }, (_, w) => ethers.provider.getStorage(g, slotOf(w)).then(BigInt)));
    // Rounds 41 .. 44: words 10 (rounds 40-43) and 11 (44-47), four results to a word.
    await (await g.prefillResults(41n, 45n)).wait();
    expect(await resultWords()).to.deep.equal(Array.from({ length: 16 }, (_, w) => (w === 10 || w === 11 ? 1n : 0n)));
    // Round 44 closes (empty: not rationed) into word 11's first lane; pre-filling again leaves it as it is.
    await (await g.close(44n, units(1))).wait();
    const written = (await resultWords())[11];
    expect(written).to.equal(1n << 63n);
    await (await g.prefillResults(40n, 48n)).wait();
    expect((await resultWords())[11]).to.equal(written);
    expect(await g.resultOf(44n)).to.equal(1n << 63n);
    // An empty range, at round 0 as anywhere, writes nothing (and does not underflow).
    const before = await resultWords();
    await (await g.prefillResults(0n, 0n)).wait();
    await (await g.prefillResults(9n, 9n)).wait();
    expect(await resultWords()).to.deep.equal(before);
  });

  describe("inputs", () => {
    it("reverts with named errors, never a panic", async () => {
      await expect(h.move(0n, 0n, 1n))
        .to.be.revertedWithCustomError(h, "InvalidRound")
        .withArgs(0n);
      await expect(h.move(1n << 40n, 0n, 1n))
        .to.be.revertedWithCustomError(h, "InvalidRound")
        .withArgs(1n << 40n);
      await expect(h.peekClose(0n, 1n, 0n)).to.be.revertedWithCustomError(h, "InvalidRound");
      const r = ++round;
      await expect(h.move(r, 0n, MAX_QUANTITY + 1n)).to.be.revertedWithCustomError(h, "DemandTooLarge");
      await (await h.move(r, 0n, units(2))).wait();
      model.move(r, 0n, units(2));
      // Same bucket, more grains than were added.
      await expect(h.move(r, units(2) + (1n << 40n), 0n)).to.be.revertedWithCustomError(h, "DemandNotFound");
      await expect(h.move(r, units(3), units(1))).to.be.revertedWithCustomError(h, "DemandNotFound");
      await expect(h.allocations([units(1)], 0n)).to.be.revertedWithCustomError(h, "NoResult");
      await expect(h.settle(r + 1000n, units(1))).to.be.revertedWithCustomError(h, "NoResult");
      const [result] = await h.close.staticCall(r, units(1));
      await expect(h.allocations([MAX_QUANTITY + 1n], result)).to.be.revertedWithCustomError(h, "DemandTooLarge");
      await expect(h.prefillTree(5n, 4n)).to.be.revertedWithCustomError(h, "InvalidRange").withArgs(5n, 4n);
      await expect(h.prefillTree(0n, 549n)).to.be.revertedWithCustomError(h, "InvalidRange");
      await expect(h.prefillResults(5n, 4n)).to.be.revertedWithCustomError(h, "InvalidRange");
      // A pre-filled result word holds no result until its round closes.
      await (await h.prefillResults(4000n, 4001n)).wait();
      expect(await h.resultOf(4000n)).to.equal(0n);
      await expect(h.settle(4000n, units(1))).to.be.revertedWithCustomError(h, "NoResult");
      expect(() => new RationingTree().move(1n, 0n, MAX_QUANTITY + 1n)).to.throw(RationingError);
      expect(() => new RationingTree().prefill(0, 549)).to.throw(RationingError, "InvalidRange");
    });

    it("refuses a node's 2^32-th agent", async () => {
      const fresh = await deploy();
      const r = 7n;
      // Top word 0, lane 0 (octaves 0-7, every demand below 2^65) already counting 2^32 - 1 agents.
      const full = (r << 216n) | (((1n << 32n) - 1n) << 76n);
      await network.provider.send("hardhat_setStorageAt", [await fresh.getAddress(), "0x0", ethers.toBeHex(full, 32)]);
      await expect(fresh.move(r, 0n, units(1))).to.be.revertedWithCustomError(fresh, "TooManyDemands");
      const tree = new RationingTree();
      tree.words[0] = full;
      expect(() => tree.move(r, 0n, units(1))).to.throw(RationingError, "TooManyDemands");
      expect(tree.words[0]).to.equal(full);
    });
  });

  describe("misreport", () => {
    /** The most an agent of true demand x gains (towards x) by reporting each of `reports` instead. */
    function gainOf(demands: bigint[], i: number, reports: bigint[], capacity: bigint) {
      const run = (report: bigint) => {
        const tree = new RationingTree();
        demands.forEach((x, j) => tree.move(1n, 0n, j === i ? report : x));
        return tree.close(1n, capacity);
      };
      const truthful = run(demands[i]);
      const q = allocation(demands[i], truthful);
      let gain = 0n;
      for (const report of reports) {
        const got = allocation(report, run(report));
        const toward = got < demands[i] ? got : demands[i];
        if (toward - q > gain) gain = toward - q;
      }
      return { gain, truthful };
    }

    it("an inflated report gains at most a quarter of a bucket width (epsilon = w / 4 <= lambda / 64)", () => {
      fc.assert(
        fc.property(
          fc.array(fc.bigInt(units("0.2"), units(40)), { minLength: 2, maxLength: 25 }),
          fc.nat(),
          fc.bigInt(50n, 950n),
          (demands, who, permille) => {
            const total = demands.reduce((a, b) => a + b, 0n);
            const capacity = (total * permille) / 1000n;
            const i = who % demands.length;
            const x = demands[i];
            const { lower, shift } = edges(bucketOf(x));
            const upper = lower + (1n << shift);
            const reports = [x + (upper - x) / 2n, upper - 1n, upper, 2n * x, units(10_000), MAX_QUANTITY];
            const { gain, truthful } = gainOf(demands, i, reports, capacity);
            checkRule(
              demands,
              demands.map((d) => allocation(d, truthful)),
              truthful,
              capacity,
            );
            const r = decode(truthful);
            if (!r.rationed) {
              expect(gain).to.equal(0n);
              return;
            }
            const w = widthOf(r.bucket);
            expect(gain <= w / 4n + BigInt(demands.length) * grainOf(r.bucket) + 2n, `gain ${gain}`).to.equal(true);
            const exact = exactWaterFill(demands, capacity);
            WORST_SHARE.randomGainOverWidth = Math.max(WORST_SHARE.randomGainOverWidth, Number(gain) / Number(w));
            WORST_SHARE.gainOverLambda = Math.max(
              WORST_SHARE.gainOverLambda,
              (Number(gain) * Number(exact.den)) / Number(exact.num),
            );
          },
        ),
        fuzzSettings(300),
      );
    });

    it("the quarter width is reached: an agent mid-bucket against many agents far above", () => {
      // Agent 0 at L + w/2 in bucket b; 50 agents at 100 units; m = 51 x, so exact water-filling gives x.
      const b = bucketOf(units(4));
      const { lower, shift } = edges(b);
      const w = 1n << shift;
      const x = lower + w / 2n;
      const demands = [x, ...Array<bigint>(50).fill(units(100))];
      const { gain, truthful } = gainOf(demands, 0, [lower + w], 51n * x);
      expect(decode(truthful).bucket).to.equal(b);
      expect(Number(gain) / Number(w)).to.be.within(0.24, 0.25);
      WORST_SHARE.gainOverWidth = Math.max(WORST_SHARE.gainOverWidth, Number(gain) / Number(w));
      WORST_SHARE.gainOverLambda = Math.max(WORST_SHARE.gainOverLambda, Number(gain) / Number(x));
    });

    after(() => {
      console.log(
        `      measured: misreport gain <= ${WORST_SHARE.gainOverWidth.toFixed(4)} w crafted, ` +
          `${WORST_SHARE.randomGainOverWidth.toFixed(4)} w on random sets ` +
          `(${(100 * WORST_SHARE.gainOverLambda).toFixed(2)} % of lambda); ` +
          `distance to exact water-filling <= ${WORST_SHARE.errorOverWidth.toFixed(4)} w`,
      );
    });
  });

  describe("gas", () => {
    const rows: [string, bigint][] = [];
    const below = (gas: bigint, ceiling: bigint) => instrumentedBuild || expect(gas).to.be.lessThan(ceiling);

    /** A round of n agents with distinct demands from 0.5 to 8 units, and a harness that ran it. */
    async function population(n: number) {
      const g = await deploy();
      const tree = new RationingTree();
      const demands = Array.from({ length: n }, (_, i) => units("0.5") + (units("7.5") * BigInt(i)) / BigInt(n));
      await moveBoth(
        tree,
        1n,
        demands.map((x) => [0n, x]),
        g,
      );
      return { g, tree, demands };
    }

    it("submission: insertion, removal and a move across the whole order", async () => {
      const g = await deploy();
      const first = await g.move.staticCall(1n, 0n, units(1));
      rows.push(["move: insert, first use of its 3 words", first]);
      await (await g.move(1n, 0n, units(1))).wait();
      await (await g.move(1n, 0n, MAX_QUANTITY)).wait();
      await (await g.move(1n, 0n, 1n)).wait();
      rows.push(["move: insert, words used this round", await g.move.staticCall(1n, 0n, units(1) + 5n)]);
      rows.push(["move: insert, words of an older round", await g.move.staticCall(2n, 0n, units(1))]);
      rows.push(["move: removal", await g.move.staticCall(1n, units(1), 0n)]);
      rows.push(["move: within one bucket", await g.move.staticCall(1n, units(1), units(1) + 1n)]);
      const worst = await g.move.staticCall(1n, 1n, MAX_QUANTITY - 1n);
      const back = await g.move.staticCall(1n, MAX_QUANTITY, 1n + 1n);
      rows.push(["move: bucket 0 -> 1023 (worst, 6 used words)", worst]);
      rows.push(["move: bucket 1023 -> 0", back]);
      below(worst, 34_000n);
      below(first, 69_000n);
    });

    it("close: slack, typical and worst descents; first use of the result word or pre-filled", async () => {
      const { g, tree } = await population(20);
      rows.push(["close: n = 20, m = 50, result word new", (await closeBoth(tree, 1n, units(50), g)).gasUsed]);
      for (const n of [10, 100, 1000]) {
        const p = await population(n);
        await p.g.prefillResults(0n, 8n);
        const capacity = (p.demands.reduce((a, b) => a + b, 0n) * 6n) / 10n;
        rows.push([
          `close: n = ${n}, m = 0.6 S, result word pre-filled`,
          (await closeBoth(p.tree, 1n, capacity, p.g)).gasUsed,
        ]);
      }
      // The deepest descent: the water level in bucket 1022 reads 4 + 4 + 8 words.
      const deep = await deploy();
      const t = new RationingTree();
      const spread = [
        1n,
        units(1),
        1n << 70n,
        1n << 80n,
        1n << 90n,
        1n << 100n,
        1n << 110n,
        MAX_QUANTITY,
        MAX_QUANTITY,
      ];
      await moveBoth(
        t,
        1n,
        spread.map((x) => [0n, x]),
        deep,
      );
      const capacity = spread.slice(0, 7).reduce((a, b) => a + b, 0n) + ((2n * 95n) << 120n) / 100n;
      // A hint at the far end (bucket 0): every level scanned from the left.
      const worst = await closeBoth(t, 1n, capacity, deep);
      expect(decode(worst.result).bucket).to.equal(1022);
      rows.push(["close: deepest descent (16 reads, hint at bucket 0), result word new", worst.gasUsed]);
      await deep.prefillResults(2n, 4n);
      for (const [round, hint, label] of [
        [2n, 0n, "hint at bucket 0"],
        [3n, 1022n, "hint at the level (6 reads)"],
      ] as const) {
        await deep.setLevelHint(hint);
        await moveBoth(
          t,
          round,
          spread.map((x) => [0n, x]),
          deep,
        );
        const prefilled = await closeBoth(t, round, capacity, deep);
        expect(decode(prefilled.result).bucket).to.equal(1022);
        rows.push([`close: deepest descent, ${label}, result word pre-filled`, prefilled.gasUsed]);
        below(prefilled.gasUsed, hint === 0n ? 57_000n : 29_000n);
      }
      rows.push([
        "close: slack (hint at the end: 6 reads)",
        (await closeBoth(t, 3n, MAX_QUANTITY * 10n, deep)).gasUsed,
      ]);
      const [, settleGas] = await deep.settle(3n, MAX_QUANTITY);
      rows.push(["settlement: load result + allocation", settleGas]);
      below(worst.gasUsed, 74_000n);
      below(settleGas, 3_000n);
    });

    it("pre-filling the whole tree once", async () => {
      const g = await deploy();
      const gasUsed = await g.prefillTree.staticCall(0n, BigInt(TREE_WORDS));
      rows.push(["prefillTree(0, 548): one-time", gasUsed]);
      await (await g.prefillTree(0n, BigInt(TREE_WORDS))).wait();
      rows.push(["move: insert after pre-fill", await g.move.staticCall(1n, 0n, units(1))]);
      const tree = new RationingTree();
      tree.prefill(0, TREE_WORDS);
      expect([...(await g.words(0, TREE_WORDS))]).to.deep.equal(tree.words);
      await moveBoth(tree, 1n, [[0n, units(1)]], g);
    });

    after(() => {
      const bench = JSON.parse(readFileSync(path.join(__dirname, "../../bench/results.json"), "utf8")) as {
        gas: Record<string, number>;
      };
      const market = bench.gas["ClearingMarket.submitDemand.repeated.uniform.n1000"];
      console.log("      library gas, measured inside the call (no transaction overhead):");
      for (const [name, gas] of rows) console.log(`        ${name.padEnd(52)} ${gas.toString().padStart(9)}`);
      if (market)
        console.log(`        the market's repeated submitDemand across the order, n = 1,000 (bench): ${market}`);
    });
  });
});
