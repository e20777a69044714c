import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeCsv } from "../../src/common/output";

describe("writeCsv", () => {
  it("heads the table with every row's keys, leaves absent cells empty and quotes what needs it", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "csv-")), "t.csv");
    writeCsv(file, [
      { scenario: "exit-quarter", rounds: 6 },
      { scenario: "jump", rounds: 28, climbFloor: 7, note: 'a "b", c' },
      { scenario: "noise-drift", rounds: null, big: 10n ** 20n },
    ]);
    expect(fs.readFileSync(file, "utf8").split("\n")).to.deep.equal([
      "scenario,rounds,climbFloor,note,big",
      "exit-quarter,6,,,",
      'jump,28,7,"a ""b"", c",',
      "noise-drift,,,,100000000000000000000",
      "",
    ]);
  });
});
