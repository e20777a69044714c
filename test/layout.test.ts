/**
 * The layout's rules, kept in force: imports flow one way (common <- chain <- each mechanism),
 * the two mechanisms never import each other, the libraries a web page or a worker thread loads
 * import no Hardhat and no Node built-ins, and no source file grows past about 300 lines.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.join(__dirname, "..");
/** "About 300 lines": a file may run a little over while it is being split, not far. */
const MAX_LINES = 320;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(rel);
    return /\.(ts|js)$/.test(e.name) ? [rel] : [];
  });
}

/** Every module a file imports (static, dynamic, require); relative ones resolved to a path from the root. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|^import\s+)["']([^"']+)["']/gm)].map(
    (m) => m[1],
  );
  return specs.map((s) => (s.startsWith(".") ? path.join(path.dirname(file), s) : s));
}

const SRC = filesUnder("src");
const under = (folder: string) => SRC.filter((f) => f.startsWith(folder + path.sep));
const violations = (files: string[], bad: (spec: string) => boolean) =>
  files.flatMap((f) =>
    importsOf(f)
      .filter(bad)
      .map((spec) => `${f} imports ${spec}`),
  );

describe("Layout", () => {
  it(`no file of src/, tasks/ or scripts/ is longer than ${MAX_LINES} lines`, () => {
    const long = [...SRC, ...filesUnder("tasks"), ...filesUnder("scripts")]
      .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length] as const)
      .filter(([, n]) => n > MAX_LINES)
      .map(([f, n]) => `${f}: ${n} lines`);
    expect(long).to.deep.equal([]);
  });

  it("the two mechanisms never import each other", () => {
    const clearing = path.join("src", "clearing");
    const exchange = path.join("src", "exchange");
    expect(violations(under(clearing), (s) => s.startsWith(exchange))).to.deep.equal([]);
    expect(violations(under(exchange), (s) => s.startsWith(clearing))).to.deep.equal([]);
  });

  it("imports flow one way: common imports no other folder, chain only common, report no mechanism", () => {
    const inSrc = (s: string) => s.startsWith("src" + path.sep);
    const common = path.join("src", "common");
    const chain = path.join("src", "chain");
    expect(violations(under(common), (s) => inSrc(s) && !s.startsWith(common))).to.deep.equal([]);
    expect(violations(under(chain), (s) => inSrc(s) && !s.startsWith(chain) && !s.startsWith(common))).to.deep.equal(
      [],
    );
    expect(
      violations(under(path.join("src", "report")), (s) => /^src[/\\](clearing|exchange|audit|bench)/.test(s)),
    ).to.deep.equal([]);
  });

  it("models, chain readers and the parties' libraries import no Hardhat and no Node built-ins", () => {
    const portable = [
      path.join("src", "chain"),
      ...["model", "agents", "sim", "chain"].map((f) => path.join("src", "clearing", f)),
      ...["model", "chain"].map((f) => path.join("src", "exchange", f)),
    ].flatMap(under);
    expect(portable.length).to.be.greaterThan(20);
    const nodeOrHardhat = (s: string) => /^(hardhat|@nomicfoundation\/|node:|fs$|path$|os$|child_process$)/.test(s);
    expect(violations(portable, nodeOrHardhat)).to.deep.equal([]);
  });

  it("Hardhat is imported only by the one adapter (in src/) and by tasks, scripts and tests", () => {
    const adapter = path.join("src", "hardhat", "adapter.ts");
    const hardhat = (s: string) => /^(hardhat|@nomicfoundation\/hardhat)/.test(s);
    // Type-only imports of Hardhat's types are allowed where a library takes the runtime as an argument.
    const runtime = SRC.filter((f) => f !== adapter).flatMap((f) =>
      [
        ...fs
          .readFileSync(path.join(ROOT, f), "utf8")
          .matchAll(/^import\s+(?!type\s)[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']/gm),
      ]
        .map((m) => m[1] ?? m[2])
        .filter(hardhat)
        .map((s) => `${f} imports ${s}`),
    );
    expect(runtime).to.deep.equal([]);
  });
});
