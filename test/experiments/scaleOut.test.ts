import { expect } from "chai";
import hre from "hardhat";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runTask } from "../taskOutput";
import { readShard } from "../../src/clearing/experiments/shards";
import { shardUnits, studyUnits } from "../../src/clearing/experiments/study";

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `clearhouse-${name}-`));
/** Every experiment but the robustness chapter (its own tests check its rows in any order and through JSON). */
const STUDY = {
  replications: 2,
  seed: 77,
  only: "convergence,fee-sweep,mechanisms,sensitivity,shocks,fairness,movielens",
};

/** Every file under `dir`, relative, with its bytes. */
const filesOf = (dir: string): Map<string, Buffer> =>
  new Map(
    fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f))]),
  );

/** The report page without its table of facts (run time, workers, shards differ by design). */
const pageOf = (dir: string) =>
  fs.readFileSync(path.join(dir, "report.html"), "utf8").replace(/<table class="meta">.*?<\/table>/s, "");

function expectSameReport(a: string, b: string) {
  const [fa, fb] = [filesOf(path.join(a, "tables")), filesOf(path.join(b, "tables"))];
  expect([...fb.keys()]).to.deep.equal([...fa.keys()]);
  expect(fa.size).to.be.greaterThan(20);
  for (const [name, bytes] of fa) expect(fb.get(name)!.equals(bytes), name).to.equal(true);
  expect(pageOf(b)).to.equal(pageOf(a));
  const figs = filesOf(path.join(a, "figures"));
  for (const [name, bytes] of filesOf(path.join(b, "figures")))
    expect(bytes.equals(figs.get(name)!), name).to.equal(true);
}

describe("Study scale-out: worker threads, shards and merge", function () {
  this.timeout(300_000);
  const single = tmp("single");

  before(async () => {
    await runTask("experiments", { ...STUDY, out: single, workers: 1 });
  });

  it("shards are disjoint and together every unit, each unit exactly once", () => {
    const units = studyUnits({ ...STUDY, movieLens: "unused", only: ["convergence", "fee-sweep", "fairness"] });
    const parts = [1, 2, 3].map((k) => shardUnits(units, k, 3));
    expect(parts.map((p) => p.length).reduce((a, b) => a + b)).to.equal(units.length);
    const keys = parts.flat().map((u) => `${u.experiment}/${u.index}`);
    expect(new Set(keys).size).to.equal(units.length);
  });

  it("two worker threads write the same tables, figures and page as one thread", async () => {
    const pooled = tmp("pooled");
    const said = await runTask("experiments", { ...STUDY, out: pooled, workers: 2 });
    expect(said).to.match(/^Wrote .*report\.html/m);
    expectSameReport(single, pooled);
  });

  it("four shards merged write the same tables, figures and page as a single run", async () => {
    const shardDir = tmp("shards");
    for (const k of [1, 2, 3, 4])
      await runTask("experiments", { ...STUDY, out: shardDir, workers: 1, shard: `${k}/4` });
    const files = [4, 2, 3, 1].map((k) => path.join(shardDir, `shard-${k}-of-4.json`));
    const first = readShard(files[3]);
    expect(first.shard).to.deep.equal({ k: 1, count: 4 });
    expect(first.units.every((u) => u.rows.every((r) => "seed" in r))).to.equal(true);
    const merged = tmp("merged");
    expect(await runTask("experiments", { action: "merge", files, out: merged })).to.contain("4 shards merged");
    expectSameReport(single, merged);
  });

  it("merge refuses a missing shard, a shard given twice and a shard of another run, writing nothing", async () => {
    const dir = tmp("bad-shards");
    for (const k of [1, 2])
      await runTask("experiments", { ...STUDY, out: dir, workers: 1, shard: `${k}/2`, only: "fairness" });
    await runTask("experiments", {
      ...STUDY,
      seed: 78,
      out: path.join(dir, "other"),
      workers: 1,
      shard: "2/2",
      only: "fairness",
    });
    const [one, two, other] = [
      path.join(dir, "shard-1-of-2.json"),
      path.join(dir, "shard-2-of-2.json"),
      path.join(dir, "other", "shard-2-of-2.json"),
    ];
    const out = path.join(dir, "report");
    const merge = (files: string[]) => hre.run("experiments", { action: "merge", files, out });
    await expect(merge([one])).to.be.rejectedWith("experiments: merge: shard 2/2 is missing");
    await expect(merge([one, one, two])).to.be.rejectedWith("experiments: merge: shard 1/2 is given twice");
    await expect(merge([one, other])).to.be.rejectedWith(`experiments: merge: ${other} is a shard of another run`);
    await expect(merge([path.join(dir, "nope.json")])).to.be.rejectedWith("experiments: ");
    await expect(hre.run("experiments", { ...STUDY, shard: "3/2", out })).to.be.rejectedWith(
      "experiments: --shard 3/2: expected k/N with 1 <= k <= N",
    );
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("merge refuses an edited shard and MovieLens data other than the shards read, in one line", async () => {
    const dir = tmp("edited-shards");
    const data = path.join(dir, "u.data");
    fs.copyFileSync(path.join(__dirname, "..", "fixtures", "movielens", "u.data"), data);
    const study = { ...STUDY, only: "fairness,movielens", movielens: data, workers: 1 };
    for (const k of [1, 2]) await runTask("experiments", { ...study, out: dir, shard: `${k}/2` });
    const [one, two] = [1, 2].map((k) => path.join(dir, `shard-${k}-of-2.json`));
    const out = path.join(dir, "report");
    const merge = (files: string[], movielens?: string) =>
      hre.run("experiments", { action: "merge", files, out, movielens });
    // Shard 1 relabelled as shard 2: every unit of shard 1 twice, none of shard 2.
    const relabelled = path.join(dir, "relabelled.json");
    fs.writeFileSync(
      relabelled,
      fs.readFileSync(one, "utf8").replace('"shard":{"k":1,"count":2}', '"shard":{"k":2,"count":2}'),
    );
    await expect(merge([one, relabelled])).to.be.rejectedWith(/^experiments: merge: fairness: unit 1 is given twice$/);
    fs.appendFileSync(data, "999\t1\t5\t100\n");
    await expect(merge([one, two])).to.be.rejectedWith(
      `experiments: merge: ${data} is not the MovieLens data the shards read (sha256 differs)`,
    );
    const original = path.join(dir, "original.data");
    fs.copyFileSync(path.join(__dirname, "..", "fixtures", "movielens", "u.data"), original);
    expect(fs.existsSync(out)).to.equal(false);
    await merge([one, two], original);
    expect(fs.readFileSync(path.join(out, "tables", "movielens.csv"), "utf8")).to.contain("proposed");
  });
});
