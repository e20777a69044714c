/**
 * Twin of `contracts/clearing/UniformRationing.sol`, bit for bit: the same bucket map, the same storage words
 * (two 108-bit nodes under a 40-bit round stamp), the same descent, result and allocation, the same rounding.
 * Also `exactWaterFill`, the exact uniform rule (`q_i = min(x_i, lambda)`, `sum q_i = m`) that the tree approximates.
 */

export const MAX_QUANTITY = (1n << 120n) - 1n;
export const TREE_WORDS = 548;
export const SHARE_BITS = 52n;
const GRAIN_BITS = 32n;
const NODE_BITS = 108n;
const ONE_AGENT = 1n << 76n;
const SUM_MASK = ONE_AGENT - 1n;
const NODE_MASK = (1n << NODE_BITS) - 1n;
const STAMP_SHIFT = 216n;
const MAX_COUNT = (1n << 32n) - 1n;
const WRITTEN = 1n << 63n;
const RATIONED = 1n << 62n;
const SHARE_MASK = (1n << SHARE_BITS) - 1n;
/** First word of each level in the harness's `words` order: top, octaves, buckets. */
const TOP = 0;
const OCTAVES = 4;
const BUCKETS = 36;

/** The library's custom errors, by name. */
export class RationingError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: bigint[] = [],
  ) {
    super(`${errorName}(${args.join(", ")})`);
  }
}

const log2 = (x: bigint): bigint => BigInt(x.toString(2).length - 1);

/** `UniformRationing.bucketOf`: a float with a 4-bit mantissa; below 2^57 linear, 2^53 wide. */
export function bucketOf(x: bigint): number {
  if (x > MAX_QUANTITY) throw new RationingError("DemandTooLarge", [x, MAX_QUANTITY]);
  if (x < 1n << 57n) return Number(x >> 53n);
  const e = log2(x);
  return Number(((e - 56n) << 4n) | ((x >> (e - 4n)) & 15n));
}

/** `UniformRationing.edges`: a bucket's lower edge and the log2 of its width. */
export function edges(bucket: number): { lower: bigint; shift: bigint } {
  const k = bucket >> 4;
  if (k === 0) return { lower: BigInt(bucket) << 53n, shift: 53n };
  const shift = BigInt(k) + 52n;
  return { lower: BigInt(16 + (bucket & 15)) << shift, shift };
}

/** A bucket's width. */
export const widthOf = (bucket: number): bigint => 1n << edges(bucket).shift;
/** A bucket's grain: the tree rounds each demand up to a multiple of it above the bucket's lower edge. */
export const grainOf = (bucket: number): bigint => 1n << (edges(bucket).shift - GRAIN_BITS);
/** The demand as the tree counts it: rounded up to its bucket's grain. */
export function roundedUp(x: bigint): bigint {
  if (x === 0n) return 0n;
  const { lower } = edges(bucketOf(x));
  const g = grainOf(bucketOf(x));
  return lower + ((x - lower + g - 1n) / g) * g;
}

const octaveShift = (k: number): bigint => (k === 0 ? 53n : BigInt(k) + 52n) - GRAIN_BITS;
const lowerOf = (bucket: number): bigint => edges(bucket).lower;

function checkRound(round: bigint): void {
  if (round === 0n || round > (1n << 40n) - 1n) throw new RationingError("InvalidRound", [round]);
}

function fresh(word: bigint, round: bigint): bigint {
  const stamp = word >> STAMP_SHIFT;
  if (stamp === round) return word;
  if (stamp > round) throw new RationingError("StaleRound", [round, stamp]);
  return round << STAMP_SHIFT;
}

function unpack(word: bigint, lane: number): { count: bigint; sum: bigint } {
  const node = (word >> (BigInt(lane) * NODE_BITS)) & NODE_MASK;
  return { count: node >> 76n, sum: node & SUM_MASK };
}

/** The words a demand in `bucket` lives in: its leaf's, its top node's and its octave node's. */
const pathOf = (bucket: number): number[] => [BUCKETS + (bucket >> 1), TOP + (bucket >> 8), OCTAVES + (bucket >> 5)];

/** `UniformRationing.Tree`: the 548 storage words (top, octaves, buckets), zero until first written. */
export class RationingTree {
  readonly words: bigint[] = new Array<bigint>(TREE_WORDS).fill(0n);

  /** `UniformRationing.move`: one agent's demand from `from` to `to` in round `round` (0: absent). */
  move(round: bigint, from: bigint, to: bigint): void {
    checkRound(round);
    if (to > MAX_QUANTITY) throw new RationingError("DemandTooLarge", [to, MAX_QUANTITY]);
    if (from === to) return;
    // A reverted transaction leaves nothing behind: the words of both paths are restored on an error.
    const touched = [from, to].filter((x) => x !== 0n).flatMap((x) => pathOf(bucketOf(x)));
    const saved = touched.map((i) => this.words[i]);
    try {
      if (from !== 0n) this.apply(round, from, false);
      if (to !== 0n) this.apply(round, to, true);
    } catch (e) {
      touched.forEach((i, j) => (this.words[i] = saved[j]));
      throw e;
    }
  }

  /** `UniformRationing.prefillTree`: stamps never-used words `from .. to - 1` with round 0. */
  prefill(from: number, to: number): void {
    if (from > to || to > TREE_WORDS) throw new RationingError("InvalidRange", [BigInt(from), BigInt(to)]);
    for (let i = from; i < to; i++) if (this.words[i] === 0n) this.words[i] = 1n;
  }

  private apply(round: bigint, x: bigint, add: boolean): void {
    const bucket = bucketOf(x);
    const { lower, shift } = edges(bucket);
    const grainShift = shift - GRAIN_BITS;
    const grains = (x - lower + (1n << grainShift) - 1n) >> grainShift;
    const octave = bucket >> 4;
    const inOctave = ((lower >> shift) << GRAIN_BITS) + grains;
    const inTop = inOctave << (grainShift - octaveShift(octave & ~7));

    let lane = BigInt(bucket & 1) * NODE_BITS;
    let i = BUCKETS + (bucket >> 1);
    let word = fresh(this.words[i], round);
    if (!add) {
      const node = (word >> lane) & NODE_MASK;
      if (node < ONE_AGENT || (node & SUM_MASK) < grains) throw new RationingError("DemandNotFound", [x]);
    }
    this.words[i] = step(word, lane, ONE_AGENT + grains, add);

    i = TOP + (octave >> 4);
    word = fresh(this.words[i], round);
    lane = BigInt((octave >> 3) & 1) * NODE_BITS;
    if (add && ((word >> lane) & NODE_MASK) >= MAX_COUNT << 76n) throw new RationingError("TooManyDemands");
    this.words[i] = step(word, lane, ONE_AGENT + inTop, add);

    i = OCTAVES + (octave >> 1);
    lane = BigInt(octave & 1) * NODE_BITS;
    this.words[i] = step(fresh(this.words[i], round), lane, ONE_AGENT + inOctave, add);
  }

  /** `UniformRationing.close`: the round's 64-bit result for capacity `capacity`. */
  close(round: bigint, capacity: bigint): bigint {
    checkRound(round);
    const counts: bigint[] = [];
    const sums: bigint[] = [];
    let total = 0n;
    let above = 0n;
    for (let t = 0; t < 8; t++) {
      const { count, sum } = unpack(fresh(this.words[TOP + (t >> 1)], round), t & 1);
      counts.push(count);
      sums.push(sum << octaveShift(t << 3));
      total += sums[t];
      above += count;
    }
    if (total <= capacity) return WRITTEN;
    let below = 0n;
    let top = 0;
    while (top < 7) {
      if (below + sums[top] + lowerOf((top + 1) << 7) * (above - counts[top]) > capacity) break;
      below += sums[top];
      above -= counts[top];
      top++;
    }
    let k = top << 3;
    for (; k < (top << 3) + 7; k++) {
      const node = unpack(fresh(this.words[OCTAVES + (k >> 1)], round), k & 1);
      const sum = node.sum << octaveShift(k);
      if (below + sum + lowerOf((k + 1) << 4) * (above - node.count) > capacity) break;
      below += sum;
      above -= node.count;
    }
    let bucket = k << 4;
    for (; ; bucket++) {
      const { count, sum } = unpack(fresh(this.words[BUCKETS + (bucket >> 1)], round), bucket & 1);
      const { lower, shift } = edges(bucket);
      const inBucket = count * lower + (sum << (shift - GRAIN_BITS));
      const last = bucket === (k << 4) + 15;
      if (last || below + inBucket + lowerOf(bucket + 1) * (above - count) > capacity) {
        const excess = (sum << (shift - GRAIN_BITS)) + ((above - count) << shift);
        const share = ((capacity - below - lower * above) << SHARE_BITS) / excess;
        return WRITTEN | RATIONED | (BigInt(bucket) << SHARE_BITS) | share;
      }
      below += inBucket;
      above -= count;
    }
  }
}

function step(word: bigint, lane: bigint, delta: bigint, add: boolean): bigint {
  return add ? word + (delta << lane) : word - (delta << lane);
}

/** A decoded result: not rationed (everyone gets its demand), or the edge bucket and the share. */
export interface Decoded {
  rationed: boolean;
  bucket: number;
  share: bigint;
}

export function decode(result: bigint): Decoded {
  if ((result & WRITTEN) === 0n) throw new RationingError("NoResult");
  return {
    rationed: (result & RATIONED) !== 0n,
    bucket: Number((result >> SHARE_BITS) & 1023n),
    share: result & SHARE_MASK,
  };
}

/** `UniformRationing.allocation`: what an agent with demand `demand` receives under result `result`. */
export function allocation(demand: bigint, result: bigint): bigint {
  const r = decode(result);
  if (demand === 0n) return 0n;
  const bucket = bucketOf(demand);
  if (!r.rationed || bucket < r.bucket) return demand;
  const { lower, shift } = edges(r.bucket);
  const excess = bucket === r.bucket ? demand - lower : 1n << shift;
  return lower + ((r.share * excess) >> SHARE_BITS);
}

/**
 * The exact uniform rule in integers (the experiments' float `waterFill` in src/common/metrics.ts rounds, which
 * the twin's tests cannot use): `lambda` (a fraction `num / den`) with `sum_i min(x_i, lambda) = m` when the total
 * demand exceeds `m` (otherwise no rationing, `lambda` = the largest demand), and the allocations
 * `floor(min(x_i, lambda))`.
 */
export function exactWaterFill(
  demands: readonly bigint[],
  m: bigint,
): { rationed: boolean; num: bigint; den: bigint; allocations: bigint[] } {
  const total = demands.reduce((a, b) => a + b, 0n);
  if (total <= m) {
    const top = demands.reduce((a, b) => (b > a ? b : a), 0n);
    return { rationed: false, num: top, den: 1n, allocations: [...demands] };
  }
  const sorted = [...demands].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let below = 0n;
  let num = 0n;
  let den = 1n;
  for (let i = 0; i < sorted.length; i++) {
    const rest = BigInt(sorted.length - i);
    // Everyone from i on capped at lambda: below + rest * lambda = m, with lambda <= sorted[i].
    if (below + rest * sorted[i] >= m) {
      num = m - below;
      den = rest;
      break;
    }
    below += sorted[i];
  }
  return {
    rationed: true,
    num,
    den,
    allocations: demands.map((x) => (x * den <= num ? x : num / den)),
  };
}
