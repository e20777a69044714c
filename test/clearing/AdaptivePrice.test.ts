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
  async function harness() {
    return (await ethers.getContractFactory("AdaptivePriceHarness")).deploy();
  }
  const ctx = {
    capacity: units(10),
    participants: 3n,
    eta: units("0.1"),
    tolPrimal: units("0.000001"),
    tolDual: 1000n,
  };
  const bracket = (b: Partial<Bracket> = {}): Bracket => ({ ...emptyBracket(), ...b });
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
    ]).to.deep.equal([
      model.lo,
      model.hi,
      model.hasLo,
      model.hasHi,
      model.excessLo,
      model.shortfallHi,
      model.lastMoved,
      model.gapConfirmed,
    ]);
    return { ...m, bracket: model };
  }

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

  it("ignores a secant through the same price or the same excess", async () => {
    const samePrice = await both(bracket(), units(1), units(2), { valid: true, mu: units(1), excess: units(3) });
    const sameExcess = await both(bracket(), units(1), units(2), { valid: true, mu: units("0.5"), excess: units(2) });
    // Both fall back to the ascent step eta * E * (S + K) / (m + K) = 0.1 * 2 * 15 / 13.
    expect(samePrice.nextMu).to.equal(units(1) + (units("0.2") * units(15)) / units(13));
    expect(sameExcess.nextMu).to.equal(samePrice.nextMu);
  });

  it("ignores a secant through a fall of price at unchanged demand, or without a previous round", async () => {
    // Equal excess at two prices says nothing about the slope; dividing by it would be a Panic.
    const fell = await both(bracket(), units(1), -units(2), { valid: true, mu: units(2), excess: -units(2) });
    // A previous observation that is not valid (first round under these parameters) is no secant.
    const stale = await both(bracket(), units(1), -units(2), { valid: false, mu: units(3), excess: units(5) });
    // Both move down by the plain ascent step eta * |E| = 0.1 * 2 (downward steps are not shortened).
    expect(fell.nextMu).to.equal(units("0.8"));
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

  it("corrects a secant step of 1 wei like any other", async () => {
    // eta = 0 leaves the secant alone: |E| dMu / |dE| = 10 * 2 wei / 20 = 1 wei, and the
    // hyperbolic factor (S_prev + K) / (m + K) = 43 / 13 makes it 3 wei (within 4 x 2 wei).
    const previous = { valid: true, mu: units(1), excess: units(30) };
    const m = await both(bracket(), units(1) + 2n, units(10), previous, noAscent);
    expect(m.nextMu).to.equal(units(1) + 2n + 3n);
  });

  it("takes no secant step when demand rose with the price", async () => {
    // Such a pair (a demand shift between rounds) says nothing about the slope. With eta = 0 no
    // ascent step hides the secant's absence: the price stays where it is.
    const previous = { valid: true, mu: units(1), excess: units(2) };
    const m = await both(bracket(), units(2), units(3), previous, noAscent);
    expect(m.nextMu).to.equal(units(2));
  });

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

    it("asks for a new probe when the shortfall at hi moves by more than tolPrimal between two rounds", async () => {
      const b = await certified();
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: hi, collapsed: true });
      expect(await observe(b, hi, gapShortfall - ctx.tolPrimal - 1n)).to.deep.equal({ nextMu: lo, collapsed: false });
      expect(b.gapConfirmed).to.equal(false);
    });

    it("asks for a new probe at a new upper end", async () => {
      const b = await certified();
      expect(await observe(b, hi, gapShortfall)).to.deep.equal({ nextMu: hi, collapsed: true });
      // The same shortfall, but observed at a new price inside the bracket: a new end, a new probe.
      expect(await observe(b, hi - 1n, gapShortfall)).to.deep.equal({ nextMu: lo, collapsed: false });
      expect([b.hi, b.gapConfirmed]).to.deep.equal([hi - 1n, false]);
    });
  });

  it("agrees with the model on random brackets and observations", async () => {
    const h = await harness();
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
        }),
        fc.oneof(price, fc.constant(-1n)),
        excess,
        fc.record({ valid: fc.boolean(), mu: price, excess }),
        async (r, muOrLo, e, previous) => {
          const b = bracket({ ...r, hi: r.lo + r.width });
          const mu = muOrLo < 0n ? b.lo : muOrLo; // sometimes exactly at lo (a probe)
          const [nextMu, collapsed] = await h.update(b, mu, e, previous, ctx);
          const m = adaptiveUpdate({ ...b }, mu, e, previous, ctx);
          expect([nextMu, collapsed]).to.deep.equal([m.nextMu, m.collapsed]);
        },
      ),
      fuzzSettings(200),
    );
  });
});
