import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { adaptiveUpdate, emptyBracket, type Bracket } from "../../src/clearing/model/adaptivePrice";
import { fuzzSettings } from "../fuzz";
import { units } from "./fixture";

/**
 * The adaptive rule in isolation: the library and the model agree on crafted corner cases and
 * on random brackets and observations.
 */
describe("AdaptivePrice library against the model", () => {
  // The harness is stateless (it runs the library's pure functions): one deployment serves every case.
  let deployed: ReturnType<typeof deploy> | undefined;
  const deploy = async () => (await ethers.getContractFactory("AdaptivePriceHarness")).deploy();
  const harness = () => (deployed ??= deploy());
  const ctx = {
    capacity: units(10),
    participants: 3n,
    eta: units("0.1"),
    tolPrimal: units("0.000001"),
    tolDual: 1000n,
  };
  // The library's cases start from all-zero fields and set what they need; the market starts from
  // `empty()`, whose placeholders the case "the empty bracket's placeholders ..." checks.
  const bracket = (b: Partial<Bracket> = {}): Bracket => ({ ...emptyBracket(), hi: 0n, stepsLeft: 0, ...b });
  const none = { valid: false, mu: 0n, excess: 0n };

  // No ascent step: what a secant does (or does not do) shows in the price alone.
  const noAscent = { ...ctx, eta: 0n };

  async function both(b: Bracket, mu: bigint, excess: bigint, previous = none, context = ctx) {
    const h = await harness();
    const [nextMu, collapsed, after] = await h.update(b, mu, excess, previous, context);
    const model = { ...b };
    const m = adaptiveUpdate(model, mu, excess, previous, context);
    expect([nextMu, collapsed]).to.deep.equal([m.nextMu, m.collapsed]);
    expect([
      after.lo,
      after.hi,
      after.hasLo,
      after.hasHi,
      after.excessLo,
      after.shortfallHi,
      Number(after.lastMoved),
      after.gapConfirmed,
      Number(after.stepsLeft),
      after.loChecked,
    ]).to.deep.equal([
      model.lo,
      model.hi,
      model.hasLo,
      model.hasHi,
      model.excessLo,
      model.shortfallHi,
      model.lastMoved,
      model.gapConfirmed,
      model.stepsLeft,
      model.loChecked,
    ]);
    return { ...m, bracket: model };
  }

  it("the empty bracket's placeholders (hi at the price cap, stepsLeft 1) change nothing but its storage cost", async () => {
    const h = await harness();
    const e = await h.empty();
    const onChain = [e.lo, e.hi, e.hasLo, e.hasHi, e.excessLo, e.shortfallHi, e.lastMoved, e.gapConfirmed, e.stepsLeft];
    const m = emptyBracket();
    const model = [m.lo, m.hi, m.hasLo, m.hasHi, m.excessLo, m.shortfallHi, m.lastMoved, m.gapConfirmed, m.stepsLeft];
    expect(onChain.map((x) => (typeof x === "boolean" ? x : BigInt(x)))).to.deep.equal(
      model.map((x) => (typeof x === "boolean" ? x : BigInt(x))),
    );
    expect([e.hi, e.stepsLeft, e.loChecked]).to.deep.equal([(1n << 120n) - 1n, 1n, false]);
    const observations: [bigint, bigint][] = [
      [units(1), units(3)],
      [units(2), -units(4)],
      [0n, units(10)],
      [units(5), 0n],
    ];
    for (const [mu, excess] of observations) {
      const placeholder = await both(emptyBracket(), mu, excess);
      const zero = await both(bracket(), mu, excess);
      expect(placeholder.nextMu, `mu ${mu}, excess ${excess}`).to.equal(zero.nextMu);
      const seen = (b: Bracket) => [b.hasLo, b.hasHi, b.hasLo && b.lo, b.hasHi && b.hi, b.lastMoved];
      expect(seen(placeholder.bracket)).to.deep.equal(seen(zero.bracket));
    }
  });

  it("bisects when regula falsi rounds onto the lower end", async () => {
    // Excess at lo of 1 wei against a huge shortfall at hi: the weighted point rounds to lo.
    const b = bracket({
      lo: units(1),
      hi: units(2),
      hasLo: true,
      hasHi: true,
      excessLo: 5n,
      shortfallHi: units(1000),
      lastMoved: 2,
    });
    const m = await both(b, units(1), 1n);
    expect(m.nextMu).to.equal(units(1) + units(1) / 2n);
  });

  it("takes no secant through the same price; an unchanged excess doubles the last move instead", async () => {
    const samePrice = await both(bracket(), units(1), units(2), { valid: true, mu: units(1), excess: units(3) });
    // The ascent step eta * E * (S + K) / (m + K) = 0.1 * 2 * 15 / 13.
    expect(samePrice.nextMu).to.equal(units(1) + (units("0.2") * units(15)) / units(13));
    // Equal excess at two prices says nothing about the slope (dividing by it would be a Panic): demand
    // did not answer a move of 0.5, so the step grows to twice it.
    const sameExcess = await both(bracket(), units(1), units(2), { valid: true, mu: units("0.5"), excess: units(2) });
    expect(sameExcess.nextMu).to.equal(units(2));
    // Downwards alike: 1 -> 1 - 2 * 0.25.
    const fell = await both(bracket(), units(1), -units(2), { valid: true, mu: units("1.25"), excess: -units(2) });
    expect(fell.nextMu).to.equal(units("0.5"));
  });

  it("takes no secant without a previous round", async () => {
    // A previous observation that is not valid (first round under these parameters) is no secant.
    const stale = await both(bracket(), units(1), -units(2), { valid: false, mu: units(3), excess: units(5) });
    // It moves down by the plain ascent step eta * |E| = 0.1 * 2 (downward steps are not shortened).
    expect(stale.nextMu).to.equal(units("0.8"));
  });

  it("raises the price on an excess of 1 wei", async () => {
    // The secant through (1, 3 wei) and (2, 1 wei) asks for +0.5; a 1-wei excess is still excess.
    const m = await both(bracket(), units(2), 1n, { valid: true, mu: units(1), excess: 3n });
    expect(m.nextMu).to.be.greaterThan(units(2));
    expect(m.nextMu).to.equal(units(2) + (units("0.5") * (units(10) + 3n + units(3))) / (units(10) + units(3)));
  });

  it("caps a secant step at MAX_GROWTH = 4 times the last price move, up and down", async () => {
    // Nearly inelastic demand: a 0.1 price move changed the excess by 0.01, a secant of ~20.
    const up = await both(bracket(), units("1.1"), units("1.99"), { valid: true, mu: units(1), excess: units(2) });
    expect(up.nextMu).to.equal(units("1.5"));
    const down = await both(bracket(), units("1.9"), -units("0.99"), { valid: true, mu: units(2), excess: -units(1) });
    expect(down.nextMu).to.equal(units("1.5"));
  });

  it("corrects a secant step of a few wei, or of one, like any other", async () => {
    // eta = 0 leaves the secant alone: |E| dMu / |dE| = 4 * 5 wei / 6 = 3 wei (rounded down), and the
    // hyperbolic factor (S_prev + K) / (m + K) = 23 / 13 makes it 5 wei (within 4 x 5 wei).
    const previous = { valid: true, mu: units(1), excess: units(10) };
    const m = await both(bracket(), units(1) + 5n, units(4), previous, noAscent);
    expect(m.nextMu).to.equal(units(1) + 10n);
    // And one of exactly 1 wei: 2 units * 10 wei / 18 units = 1 wei, times 33 / 13 = 2 wei.
    const one = await both(bracket(), units(1) + 10n, units(2), { ...previous, excess: units(20) }, noAscent);
    expect(one.nextMu).to.equal(units(1) + 12n);
  });

  it("takes no secant step when demand rose with the price", async () => {
    // Such a pair (a demand shift between rounds) says nothing about the slope. With eta = 0 no
    // ascent step hides the secant's absence: the price stays where it is.
    const previous = { valid: true, mu: units(1), excess: units(2) };
    const m = await both(bracket(), units(2), units(3), previous, noAscent);
    expect(m.nextMu).to.equal(units(2));
  });

  describe("bounded influence of one round", () => {
    // ctx: m = 10, eta = 0.1, so the floor eta * m is 1.
    it("counts an excess up to m: a report of 1e30 units moves the price as one of m", async () => {
      const huge = await both(bracket(), units(5), 10n ** 48n);
      const full = await both(bracket(), units(5), units(10));
      expect(huge.nextMu).to.equal(full.nextMu);
      // eta * m * (2m + K) / (m + K) = 1 * 23 / 13
      expect(huge.nextMu).to.equal(units(5) + units(23) / 13n);
      expect(huge.bracket.excessLo).to.equal(units(10));
    });

    it("at most doubles the price, or raises it by eta * m when that is more", async () => {
      // Nearly inelastic: the secant (x 4 the last move of 2, so +8) would carry 3 to 11; the cap is 6.
      const up = await both(bracket(), units(3), units("4.9"), { valid: true, mu: units(1), excess: units(5) });
      expect(up.nextMu).to.equal(units(6));
      // Below the floor: 0.5 -> at most 0.5 + 1 (the ascent step would be 1 * 23 / 13).
      const low = await both(bracket(), units("0.5"), units(10));
      expect(low.nextMu).to.equal(units("1.5"));
    });

    it("at most halves the price, or lowers it by eta * m when that is more", async () => {
      // No demand at 12 nor at 8: the step doubles to 8 and would reach 0; the cap keeps 4.
      const down = await both(bracket(), units(8), -units(10), { valid: true, mu: units(12), excess: -units(10) });
      expect(down.nextMu).to.equal(units(4));
      // At 1.5, halving would allow 0.75 but the floor allows a move of 1: 0.5.
      const low = await both(bracket(), units("1.5"), -units(10), { valid: true, mu: units(3), excess: -units(10) });
      expect(low.nextMu).to.equal(units("0.5"));
    });

    it("saturates a weight at 2^112 - 1 (only the ratio of the two weights matters)", async () => {
      const wide = { ...ctx, capacity: 1n << 118n };
      const m = await both(bracket(), units(5), 1n << 117n, none, wide);
      expect(m.bracket.excessLo).to.equal((1n << 112n) - 1n);
    });
  });

  describe("two observations on one side of the root", () => {
    // An inflated report left lo = 2 with the full weight m; two honest rounds above show shortfalls.
    const suspect = () =>
      bracket({ lo: units(2), hi: units(4), hasLo: true, hasHi: true, excessLo: units(10), lastMoved: 2 });
    const atFour = { valid: true, mu: units(4), excess: -units(6) };

    it("posts lo once to check it when their secant puts the root at or below lo", async () => {
      // Shortfalls 6 at 4 and 5 at 3: the secant's root is at -2, below lo.
      const m = await both(suspect(), units(3), -units(5), atFour);
      expect(m.nextMu).to.equal(units(2));
      // lo still shows excess demand there: it is checked, and the next such secant does not probe it.
      const checked = await both(m.bracket, units(2), units(2), { valid: true, mu: units(3), excess: -units(5) });
      expect(checked.bracket.loChecked).to.equal(true);
      const again = await both({ ...checked.bracket }, units("2.5"), -units(4), {
        valid: true,
        mu: units(3),
        excess: -units(5),
      });
      expect(again.nextMu).to.be.above(units(2));
      // lo shows none: it is dropped (the contradiction), and the search goes on below.
      const stale = await both(m.bracket, units(2), -units(3), { valid: true, mu: units(3), excess: -units(5) });
      expect([stale.bracket.hasLo, stale.bracket.hi]).to.deep.equal([false, units(2)]);
      expect(stale.nextMu).to.be.below(units(2));
    });

    it("takes their secant's root when it falls inside the bracket", async () => {
      // Shortfalls 6 at 4 and 2 at 3: the secant's root is 2.5, inside [2, 3].
      const m = await both(suspect(), units(3), -units(2), atFour);
      expect(m.nextMu).to.equal(units("2.5"));
      // Excess on the lower side alike: 3 at 1.5 after 4 at 1, root at 3, inside [1.5, 4].
      const low = bracket({
        lo: units(1),
        hi: units(4),
        hasLo: true,
        hasHi: true,
        excessLo: units(4),
        shortfallHi: units(1),
        lastMoved: 1,
        stepsLeft: 80,
      });
      const up = await both(low, units("1.5"), units(3), { valid: true, mu: units(1), excess: units(4) });
      expect(up.nextMu).to.equal(units(3));
      // An excess of a single wei is excess all the same: 1 wei at 1.5 after 2 wei at 1 puts the root at 2.
      const tiny = await both(low, units("1.5"), 1n, { valid: true, mu: units(1), excess: 2n });
      expect(tiny.nextMu).to.equal(units(2));
    });
  });

  it("stays at an upper end that clears within tolPrimal, however low the projection's budget", async () => {
    // A far, stale lo and a budget run down: projecting would pull the price off a clearing hi.
    const b = bracket({
      lo: 0n,
      hi: units(3),
      hasLo: true,
      hasHi: true,
      excessLo: units(10),
      lastMoved: 2,
      stepsLeft: 1,
    });
    for (const shortfall of [0n, ctx.tolPrimal]) {
      const m = await both({ ...b }, units(3), -shortfall);
      expect([m.nextMu, m.bracket.stepsLeft]).to.deep.equal([units(3), 1]);
    }
    // A shortfall beyond it is searched on (here, the projection to the midpoint's neighbourhood).
    const beyond = await both({ ...b }, units(3), -ctx.tolPrimal - 1n);
    expect(beyond.nextMu).to.be.below(units(3));
  });

  it("projects a point far from the midpoint to the edge of its budget's interval, from below and from above", async () => {
    // Width 1,000,000 wei; 11 steps left, one spent now: a budget of 1,000 << 9 = 512,000, so the next point may
    // lie within 12,000 of the midpoint (killed mutant mccb126b4 projected from below to the far side).
    const b = bracket({ lo: 0n, hi: 1_000_000n, hasLo: true, hasHi: true, lastMoved: 2, stepsLeft: 11 });
    // Observed again at hi with a shortfall far above lo's excess: regula falsi hugs lo, projected up to 488,000.
    const low = await both({ ...b, excessLo: 10n ** 13n, shortfallHi: 10n ** 15n }, 1_000_000n, -(10n ** 15n));
    expect(low.nextMu).to.equal(500_000n - 12_000n);
    // Observed again at lo with an excess far above hi's shortfall: it hugs hi, projected down to 512,000.
    const high = await both({ ...b, excessLo: 10n ** 15n, shortfallHi: 10n ** 13n, lastMoved: 1 }, 0n, 10n ** 15n);
    expect(high.nextMu).to.equal(500_000n + 12_000n);
  });

  it("takes no same-side secant whose root lands exactly on a bracket end it may not use", async () => {
    const E = 10n ** 15n;
    // Above: excesses 2E then E as the price rose 1e6 -> 2e6: the root is at 3e6, exactly hi, which is no point
    // inside the bracket (regula falsi instead).
    const up = bracket({
      lo: 0n,
      hi: 3_000_000n,
      hasLo: true,
      hasHi: true,
      excessLo: E,
      shortfallHi: E,
      stepsLeft: 40,
    });
    const above = await both(up, 2_000_000n, E, { valid: true, mu: 1_000_000n, excess: 2n * E });
    expect(above.bracket.lo).to.equal(2_000_000n);
    expect(above.nextMu).to.be.within(2_000_001n, 2_999_999n);
    // Below: shortfalls 2E then E as the price fell 3e6 -> 2e6: the root is at 1e6, exactly lo, already checked
    // there: no probe (regula falsi instead).
    const down = bracket({
      lo: 1_000_000n,
      hi: 3_000_000n,
      hasLo: true,
      hasHi: true,
      excessLo: E,
      shortfallHi: E,
      loChecked: true,
      stepsLeft: 40,
    });
    const below = await both(down, 2_000_000n, -E, { valid: true, mu: 3_000_000n, excess: -2n * E });
    expect(below.bracket.hi).to.equal(2_000_000n);
    expect(below.nextMu).to.be.within(1_000_001n, 1_999_999n);
  });

  it("an end observed again at the same price halves no weight; a new position of the same end does", async () => {
    const b = bracket({
      lo: units(4),
      hi: units(5),
      hasLo: true,
      hasHi: true,
      excessLo: units(2),
      shortfallHi: units(1),
      lastMoved: 2,
      stepsLeft: 20,
    });
    const again = await both(b, units(5), -units(1));
    expect(again.bracket.excessLo).to.equal(units(2));
    const moved = await both(again.bracket, units("4.5"), -units("0.5"));
    expect(moved.bracket.excessLo).to.equal(units(1));
  });

  for (const jumpNearLo of [true, false]) {
    it(`collapses a bracket around a jump of S near ${jumpNearLo ? "lo" : "hi"} within bisection's count + 3 rounds`, async () => {
      // Near lo, S jumps from m + m (an excess of m at every price below) to just beyond tolPrimal below m: regula falsi
      // alone hugs hi. Near hi, from m + 1 wei to 0: it hugs lo. The projection towards the midpoint
      // forces the bracket down either way.
      const lo = units(4);
      const width = 1000n * 1024n; // 1024 tolDual wide: bisection takes 10 rounds
      const jump = jumpNearLo ? lo + 7n : lo + width - 7n;
      const [above, below] = jumpNearLo ? [units(10), -ctx.tolPrimal - 1n] : [1n, -units(10)];
      let b = bracket({ lo, hasLo: true, excessLo: above, lastMoved: 1 });
      let mu = lo + width;
      let rounds = 0;
      let collapsed = false;
      while (!collapsed && rounds < 40) {
        const r = await both(b, mu, mu < jump ? above : below);
        if (rounds === 0) expect(r.bracket.stepsLeft).to.equal(10 + 3);
        ({ nextMu: mu, collapsed } = r);
        b = r.bracket;
        rounds++;
      }
      expect(b.hi - b.lo).to.be.at.most(ctx.tolDual);
      expect(b.lo).to.be.below(jump);
      expect(b.hi).to.be.at.least(jump);
      expect(rounds).to.be.at.most(10 + 3 + 2); // + the probe of lo and the round that certifies the collapse
    });
  }

  it("collapses at a bracket width of exactly tolDual", async () => {
    const b = bracket({ lo: units(4), hasLo: true, excessLo: units(1), lastMoved: 1 });
    // hi = lo + tolDual, observed with no shortfall: the bracket has collapsed onto hi.
    const m = await both(b, units(4) + ctx.tolDual, 0n);
    expect([m.nextMu, m.collapsed]).to.deep.equal([units(4) + ctx.tolDual, true]);
  });

  it("certifies a shortfall of exactly tolPrimal at a collapsed bracket without a probe", async () => {
    const b = bracket({ lo: units(4), hasLo: true, excessLo: units(1), lastMoved: 1 });
    const m = await both(b, units(4) + 1n, -ctx.tolPrimal);
    expect([m.nextMu, m.collapsed]).to.deep.equal([units(4) + 1n, true]);
    // One wei more is a shortfall the market must explain: it probes lo.
    const over = await both(b, units(4) + 1n, -ctx.tolPrimal - 1n);
    expect([over.nextMu, over.collapsed]).to.deep.equal([units(4), false]);
  });

  describe("a certified gap", () => {
    // The reference gap: demand jumps from above capacity at lo to a shortfall of 1 unit at hi.
    const lo = units(4);
    const hi = lo + 500n; // within tolDual = 1000: the bracket has collapsed
    const gapShortfall = -units(1);

    /** Observes `excess` at `mu` on chain and in the model (which must agree) and moves `b` on. */
    async function observe(b: Bracket, mu: bigint, excess: bigint) {
      const { nextMu, collapsed, bracket: after } = await both(b, mu, excess);
      Object.assign(b, after);
      return { nextMu, collapsed };
    }

    /** The bracket right after the probe at lo confirmed the gap. */
    async function certified() {
      const b = bracket();
      expect(await observe(b, lo, units(2))).to.include({ collapsed: false });
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: lo, collapsed: false }); // the probe
      expect(await observe(b, lo, units(2))).to.deep.equal({ nextMu: hi, collapsed: true });
      expect(b.gapConfirmed).to.equal(true);
      return b;
    }

    it("stays certified while the shortfall at hi does not move", async () => {
      const b = await certified();
      for (let round = 0; round < 3; round++) {
        expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: hi, collapsed: true });
      }
    });

    it("stays certified when the shortfall at hi moves by exactly tolPrimal", async () => {
      const b = await certified();
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: hi, collapsed: true });
      expect(await observe(b, hi, gapShortfall - ctx.tolPrimal)).to.deep.equal({ nextMu: hi, collapsed: true });
    });

    it("asks for a new probe when the shortfall at hi moves by more than tolPrimal, by at most lo's excess", async () => {
      for (const moved of [ctx.tolPrimal + 1n, -ctx.tolPrimal - 1n, -units(2)]) {
        const b = await certified();
        expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: hi, collapsed: true });
        // Shrunk, or grown by no more than the excess seen at lo (2 units): lo may still hold, so it is probed.
        expect(await observe(b, hi, gapShortfall + moved)).to.deep.equal({ nextMu: lo, collapsed: false });
        expect([b.gapConfirmed, b.hasLo]).to.deep.equal([false, true]);
      }
    });

    it("drops lo when the shortfall at hi grows by more than the excess seen at lo: that excess is gone", async () => {
      const b = await certified();
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: hi, collapsed: true });
      const grown = gapShortfall - units(2) - 1n;
      const { nextMu, collapsed } = await observe(b, hi, grown);
      expect([b.gapConfirmed, b.hasLo, b.hasHi, b.hi, collapsed]).to.deep.equal([false, false, true, hi, false]);
      // No probe of the stale lo: the constant step from hi (eta * shortfall, never shortened downwards).
      expect(nextMu).to.equal(hi - (ctx.eta * -grown) / units(1));
    });

    it("compares a shortfall beyond the largest weight (2^112 - 1) as that weight: a steady gap stays certified", async () => {
      const wide = { ...ctx, capacity: (1n << 120n) - 1n };
      const huge = 1n << 113n;
      let b = bracket();
      b = (await both(b, lo, huge, none, wide)).bracket;
      b = (await both(b, hi, -huge, none, wide)).bracket; // the probe
      let r = await both(b, lo, huge, none, wide);
      expect([r.nextMu, r.bracket.gapConfirmed]).to.deep.equal([hi, true]);
      for (const shortfall of [huge, huge + ctx.tolPrimal + 1n, 2n * huge]) {
        r = await both(r.bracket, hi, -shortfall, none, wide);
        expect([r.nextMu, r.collapsed, r.bracket.gapConfirmed, r.bracket.hasLo]).to.deep.equal([hi, true, true, true]);
      }
    });

    it("probes lo again after 32 rounds at hi; an answered probe certifies the gap for 32 more", async () => {
      const b = await certified();
      expect(b.stepsLeft).to.equal(32);
      for (let round = 1; round <= 31; round++) {
        expect(await observe(b, hi, gapShortfall), `round ${round} at hi`).to.deep.equal({
          nextMu: hi,
          collapsed: true,
        });
      }
      expect(b.stepsLeft).to.equal(1);
      // The 32nd round at hi: the gap is re-probed (a faked gap outlives its last answer by at most 32 rounds).
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: lo, collapsed: false });
      expect(await observe(b, lo, units(2))).to.deep.equal({ nextMu: hi, collapsed: true });
      expect([b.gapConfirmed, b.stepsLeft]).to.deep.equal([true, 32]);
    });

    it("an unanswered re-probe drops lo, and the price searches downwards from it", async () => {
      const b = await certified();
      for (let round = 1; round <= 31; round++) await observe(b, hi, gapShortfall);
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: lo, collapsed: false });
      // No excess at lo any more: the gap was not there (or demand fell). lo is dropped.
      const { nextMu, collapsed } = await observe(b, lo, -units(1));
      expect([b.hasLo, b.hasHi, b.hi, collapsed]).to.deep.equal([false, true, lo, false]);
      expect(nextMu < lo).to.equal(true);
    });

    it("asks for a new probe at a new upper end", async () => {
      const b = await certified();
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: hi, collapsed: true });
      // The same shortfall, but observed at a new price inside the bracket: a new end, a new probe.
      expect(await observe(b, hi - 1n, gapShortfall)).to.deep.equal({ nextMu: lo, collapsed: false });
      expect([b.hi, b.gapConfirmed]).to.deep.equal([hi - 1n, false]);
    });
  });

  it("agrees with the model on random brackets and observations, field by field", async () => {
    const price = fc.bigInt({ min: 0n, max: units(50) });
    const excess = fc.bigInt({ min: -units(10), max: units(40) });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          lo: price,
          width: fc.oneof(fc.bigInt({ min: 0n, max: 2000n }), fc.bigInt({ min: 0n, max: units(10) })),
          hasLo: fc.boolean(),
          hasHi: fc.boolean(),
          excessLo: fc.bigInt({ min: 1n, max: units(40) }),
          shortfallHi: fc.bigInt({ min: 0n, max: units(10) }),
          lastMoved: fc.integer({ min: 0, max: 2 }),
          gapConfirmed: fc.boolean(),
          stepsLeft: fc.integer({ min: 0, max: 80 }),
          loChecked: fc.boolean(),
        }),
        fc.oneof(price, fc.constant(-1n), fc.constant(-2n)),
        excess,
        fc.record({ valid: fc.boolean(), mu: price, excess }),
        async (r, muOrEnd, e, previous) => {
          const b = bracket({ ...r, hi: r.lo + r.width });
          // Sometimes exactly at lo (a probe) or at hi (the market staying at its feasible end).
          const mu = muOrEnd === -1n ? b.lo : muOrEnd === -2n ? b.hi : muOrEnd;
          await both(b, mu, e, previous); // compares the price, the flag and every field of the bracket
        },
      ),
      fuzzSettings(200),
    );
  });
});
