import { expect } from "chai";
import { inWords } from "../../src/app/explain";

describe("The web app's refusals in words", () => {
  const tusd = { address: "0x0000000000000000000000000000000000000001", symbol: "TUSD", decimals: 6 };

  it("writes a refusal's amounts in the asset's units and symbol", () => {
    const e = new Error("market client: submitDemand reverted: InsufficientBalance(51000000, 5000000)");
    expect(inWords(e, tusd)).to.equal(`${e.message}: the free balance is 5.0 TUSD, 51.0 TUSD is needed`);
    const reserve = new Error("market client: submitDemand reverted: ReserveAboveMax(1500000, 500000)");
    expect(inWords(reserve, tusd)).to.match(/would reserve 1\.5 TUSD, more than the 0\.5 TUSD you consented to$/);
  });

  it("names whose escrow balance falls short, and keeps 18 decimals when the asset is unknown", () => {
    const who = "0x2361000000000000000000000000000000000000";
    const e = new Error(
      `escrow client: openSigned reverted: InsufficientBalance(${who}, 0x0000000000000000000000000000000000000000, 150000000000000000, 0)`,
    );
    expect(inWords(e)).to.equal(`${e.message}: the escrow balance of ${who} is 0.0, 0.15 is needed`);
    expect(inWords(new Error("something else"))).to.equal("something else");
  });
});
