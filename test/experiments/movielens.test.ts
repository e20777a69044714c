import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  DataError,
  agentsFromRatings,
  loadUData,
  parseUData,
  sampleUsers,
} from "../../src/clearing/experiments/movielens";
import { runStudy } from "../../src/clearing/experiments/study";

const FIXTURE = path.join(__dirname, "..", "fixtures", "movielens", "u.data");

describe("MovieLens loader", () => {
  it("reads the synthetic fixture and maps users into the paper's ranges", () => {
    const ratings = loadUData(FIXTURE);
    expect(ratings.length).to.equal(fs.readFileSync(FIXTURE, "utf8").trim().split("\n").length);
    const users = agentsFromRatings(ratings);
    expect(users).to.have.length(80);
    for (const u of users) {
      expect(u.alpha).to.be.within(5, 20);
      expect(u.beta).to.be.within(0.5, 5);
    }
    // The heaviest user has alpha 20, the lightest 5.
    const byCount = [...users].sort((a, b) => a.ratings - b.ratings);
    expect(byCount[0].alpha).to.equal(5);
    expect(byCount[byCount.length - 1].alpha).to.equal(20);
  });

  it("maps a hand-made file exactly", () => {
    const text = "1\t10\t5\t100\n1\t11\t3\t101\n2\t10\t1\t102\n";
    const [u1, u2] = agentsFromRatings(parseUData(text));
    // u1: 2 ratings (mean 4) -> activity 1, beta = 0.5 + 4.5 (1 - 3/4); u2: 1 rating of 1 -> activity 0, beta 5.
    expect(u1).to.deep.include({ user: 1, ratings: 2, meanRating: 4, alpha: 20, beta: 0.5 + 4.5 * 0.25 });
    expect(u2).to.deep.include({ user: 2, ratings: 1, meanRating: 1, alpha: 5, beta: 5 });
  });

  it("rejects malformed files with the line number", () => {
    expect(() => parseUData("1\t2\t3\t4\n1\t2\t3\n", "x.data")).to.throw(
      DataError,
      "x.data line 2: expected 4 tab-separated fields (user, item, rating, timestamp), found 3",
    );
    expect(() => parseUData("1\t2\t3\t4\n5\t6\t9\t7\n")).to.throw(DataError, "u.data line 2: rating 9 is outside 1..5");
    expect(() => parseUData("1\tabc\t3\t4\n")).to.throw(
      DataError,
      'u.data line 1: item "abc" is not a non-negative integer',
    );
    expect(() => parseUData("1 2 3 4\n")).to.throw(DataError, "line 1: expected 4 tab-separated fields");
    expect(() => parseUData("")).to.throw(DataError, "u.data: no ratings");
    expect(() => loadUData(path.join(os.tmpdir(), "no-such-dir", "u.data"))).to.throw(
      DataError,
      /cannot read .*: ENOENT/,
    );
  });

  it("samples distinct users reproducibly", () => {
    const users = Array.from({ length: 30 }, (_, i) => i);
    const a = sampleUsers(users, 10, 5);
    expect(new Set(a).size).to.equal(10);
    expect(sampleUsers(users, 10, 5)).to.deep.equal(a);
    expect(sampleUsers(users, 10, 6)).to.not.deep.equal(a);
  });
});

describe("MovieLens experiment on a file with fewer users than agents", () => {
  it("warns, and says the n and m it played in its description, chart titles and captions", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clearhouse-ml-")), "three.data");
    fs.writeFileSync(file, "1\t10\t5\t100\n2\t11\t3\t101\n3\t10\t1\t102\n");
    const [r] = runStudy({ replications: 2, seed: 1, movieLens: file, only: ["movielens"] });
    expect(r.warnings).to.deep.equal([
      `${file} has 3 users, fewer than the 20 agents asked for paper defaults (n = 20, m = 100): ` +
        "it is played as paper defaults (n = 3, m = 15), every replication with all of them " +
        "(the same market each time: the verdict's intervals then have no spread to measure).",
      `${file} has 3 users, fewer than the 20 agents asked for binding (n = 20, m = 50): ` +
        "it is played as binding (n = 3, m = 7.50), every replication with all of them " +
        "(the same market each time: the verdict's intervals then have no spread to measure).",
    ]);
    expect(r.description).to.contain("as agents of paper defaults (n = 3, m = 15) and of binding (n = 3, m = 7.50);");
    const titles = r.charts.map((c) => (c.spec as { title?: unknown }).title);
    expect(titles).to.deep.equal([
      "RelEff — binding (n = 3, m = 7.50)",
      "avg cost and Gini — binding (n = 3, m = 7.50)",
      "RelEff — paper defaults (n = 3, m = 15)",
      "avg cost and Gini — paper defaults (n = 3, m = 15)",
    ]);
    expect(r.charts.every((c) => !c.caption.includes("n = 20"))).to.equal(true);
  });
});
