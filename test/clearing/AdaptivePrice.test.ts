import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { adaptiveUpdate, emptyBracket, type Bracket } from "../../src/clearing/model";
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

  async function both(b: Bracket, mu: bigint, excess: bigint, previous = none) {
    const h = await harness();
    const [nextMu, collapsed, after] = await h.update(b, mu, excess, previous, ctx);
    const model = { ...b };
    const m = adaptiveUpdate(model, mu, excess, previous, ctx);
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
    return m;
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
