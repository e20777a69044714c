/**
 * The gas check's comparison (src/bench/gasSnapshot.ts), a pure function: no network, no file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { compareGas, formatFinding, readSnapshot, SnapshotError, writeSnapshot } from "../../src/bench/gasSnapshot";

describe("gas snapshot comparison", () => {
  it("passes when nothing changed", () => {
    const gas = { "A.x": 50_000, "B.y": 240_018 };
    expect(compareGas(gas, { ...gas })).to.deep.equal({ findings: [], ok: true });
  });

  it("passes exactly 1 % more, fails one gas over it", () => {
    expect(compareGas({ "A.x": 100_000 }, { "A.x": 101_000 })).to.deep.equal({ findings: [], ok: true });
    expect(compareGas({ "A.x": 100_000 }, { "A.x": 101_001 })).to.deep.equal({
      findings: [
        { kind: "regression", call: "A.x", snapshot: 100_000, measured: 101_001, changePct: 1.001, limit: 101_000 },
      ],
      ok: false,
    });
  });

  it("fails a 2 % increase and names call, snapshot, measured and change on one line", () => {
    const { findings, ok } = compareGas(
      { "ExchangeEscrow.honestTrade": 235_218 },
      { "ExchangeEscrow.honestTrade": 240_018 },
    );
    expect(ok).to.equal(false);
    expect(findings.map((f) => f.kind)).to.deep.equal(["regression"]);
    expect(formatFinding(findings[0])).to.equal(
      "ExchangeEscrow.honestTrade: snapshot 235,218, measured 240,018 (+2.04 %): over the limit of 237,570",
    );
  });

  it("reports a call cheaper by more than 1 % and still passes; 1 % cheaper or less is quiet", () => {
    expect(compareGas({ "A.x": 100_000 }, { "A.x": 99_000 })).to.deep.equal({ findings: [], ok: true });
    const { findings, ok } = compareGas({ "A.x": 100_000, "B.y": 10 }, { "A.x": 98_000, "B.y": 10 });
    expect(ok).to.equal(true);
    expect(findings).to.deep.equal([
      { kind: "improvement", call: "A.x", snapshot: 100_000, measured: 98_000, changePct: -2 },
    ]);
    expect(formatFinding(findings[0])).to.equal("A.x: snapshot 100,000, measured 98,000 (-2.00 %): cheaper");
  });

  it("fails a call missing from either side, whatever else passes", () => {
    const { findings, ok } = compareGas({ "A.x": 1_000, "A.gone": 2_000 }, { "A.x": 1_000, "A.new": 3_000 });
    expect(ok).to.equal(false);
    expect(findings).to.deep.equal([
      { kind: "missing-in-measurement", call: "A.gone", snapshot: 2_000 },
      { kind: "missing-in-snapshot", call: "A.new", measured: 3_000 },
    ]);
    expect(findings.map(formatFinding)).to.deep.equal([
      "A.gone: snapshot 2,000, no longer measured",
      "A.new: not in the snapshot, measured 3,000",
    ]);
  });

  it("lists every finding sorted by call, failures and improvements together", () => {
    const { findings, ok } = compareGas(
      { "C.dear": 1_000, "A.cheap": 1_000, "B.same": 1_000 },
      { "C.dear": 1_020, "A.cheap": 980, "B.same": 1_005 },
    );
    expect(ok).to.equal(false);
    expect(findings.map((f) => [f.call, f.kind])).to.deep.equal([
      ["A.cheap", "improvement"],
      ["C.dear", "regression"],
    ]);
  });

  it("writes the snapshot sorted and reads it back; a malformed one is an error naming the key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gas-snapshot-"));
    const file = path.join(dir, "gas-snapshot.json");
    writeSnapshot({ "B.y": 2, "A.x": 1 }, file);
    expect(fs.readFileSync(file, "utf8")).to.equal('{\n  "A.x": 1,\n  "B.y": 2\n}\n');
    expect(readSnapshot(file)).to.deep.equal({ "A.x": 1, "B.y": 2 });
    fs.writeFileSync(file, '{ "A.x": 1.5 }');
    expect(() => readSnapshot(file)).to.throw(SnapshotError, /A\.x: Expected integer/);
    fs.rmSync(dir, { recursive: true });
    expect(() => readSnapshot(file)).to.throw(SnapshotError, /does not exist/);
  });
});
