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

/** The source file a resolved relative import names, if it is one of ours. */
const sourceOf = (spec: string): string | undefined =>
  [spec + ".ts", path.join(spec, "index.ts")].find((f) => fs.existsSync(path.join(ROOT, f)));

/** Every package or built-in a file needs, through our own files it imports (type-only imports included). */
function externalClosure(file: string, seen = new Set<string>()): Map<string, string> {
  const found = new Map<string, string>(); // package -> the file of ours that imports it
  const walk = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const spec of importsOf(f)) {
      const own = spec.startsWith("src") || spec.startsWith("typechain-types") ? sourceOf(spec) : undefined;
      if (own) walk(own);
      else if (!/^(src|typechain-types|tables)[/\\]/.test(spec)) found.set(spec, f);
    }
  };
  walk(file);
  return found;
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

  it("the mechanisms import neither the auditor, the benchmark nor the Hardhat adapter", () => {
    const mechanisms = [path.join("src", "clearing"), path.join("src", "exchange")].flatMap(under);
    expect(violations(mechanisms, (s) => /^src[/\\](audit|bench|hardhat)/.test(s))).to.deep.equal([]);
  });

  it("models, chain readers and the parties' libraries need only ethers and zod, through every import", () => {
    const portable = [
      path.join("src", "chain"),
      ...["model", "agents", "sim", "chain", "parties"].map((f) => path.join("src", "clearing", f)),
      ...["model", "chain", "parties"].map((f) => path.join("src", "exchange", f)),
    ].flatMap(under);
    expect(portable.length).to.be.greaterThan(20);
    const needs = portable.flatMap((f) =>
      [...externalClosure(f)]
        .filter(([pkg]) => !["ethers", "zod"].includes(pkg))
        .map(([pkg, by]) => `${f}: ${pkg} (by ${by})`),
    );
    expect(needs).to.deep.equal([]);
  });

  it("the web app's page (src/app) needs only ethers, zod and the report's chart libraries, through every import", () => {
    const page = under(path.join("src", "app"));
    expect(page.length).to.be.greaterThan(5);
    const needs = page.flatMap((f) =>
      [...externalClosure(f)]
        .filter(([pkg]) => !["ethers", "zod", "vega", "vega-lite"].includes(pkg))
        .map(([pkg, by]) => `${f}: ${pkg} (by ${by})`),
    );
    expect(needs).to.deep.equal([]);
  });

  it("in src/, only the one adapter imports Hardhat (tasks, scripts and tests may)", () => {
    const adapter = path.join("src", "hardhat", "adapter.ts");
    const hardhat = (s: string) => /^(hardhat|@nomicfoundation\/)/.test(s);
    const others = SRC.filter((f) => f !== adapter);
    expect(violations(others, hardhat)).to.deep.equal([]);
  });
});
