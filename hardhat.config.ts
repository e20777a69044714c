import path from "node:path";
import { subtask, vars, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

/**
 * The compiler is the npm package `solc`, pinned in package.json. Hardhat would otherwise
 * download a compiler build, which these machines (and CI) cannot reach. The pragma of every
 * contract and this version must stay equal.
 */
export const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  const longVersion = solc.version().replace(/\.Emscripten\.clang$/, "");
  if (!longVersion.startsWith(`${SOLC_VERSION}+`)) {
    throw new Error(`npm solc is ${longVersion}, expected ${SOLC_VERSION}: run npm ci`);
  }
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion,
  };
});

/**
 * `npm test` (and coverage) run every test but the end-to-end ones, which start two nodes and some forty
 * processes (about two and a half minutes): `npm run test:e2e` runs those, and so does CI. Files named on the
 * command line always run.
 */
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  if (args.testFiles.length > 0) return files;
  return files.filter((f) => !f.startsWith(path.join(__dirname, "test", "e2e") + path.sep));
});

// The project's tasks; each loads its library code lazily, so no task needs a compiled project to load.
import "./tasks";

const testnetUrl = vars.get("TESTNET_RPC_URL", "");
const testnetKey = vars.get("TESTNET_PRIVATE_KEY", "");

/**
 * Mutation testing (`npm run mutation`) compiles every mutant: there the optimizer is off (twice
 * as fast with the wasm compiler) and the in-process network lifts the code-size limit that the
 * unoptimized build exceeds, and compiling does not regenerate the TypeChain bindings. Nothing
 * else reads this switch; deployments are always optimized.
 */
const mutationBuild = process.env.CLEARHOUSE_MUTATION === "1";

/**
 * Coverage (`hardhat coverage`) instruments every contract the IR way as soon as one compiles
 * through IR (the unoptimized market so instrumented no longer fits a block), and with the escrow in
 * a compilation job of its own it loses most of the escrow's hits: coverage measures the same
 * sources compiled in one job without IR, as before.
 */
const coverageBuild = process.argv.includes("coverage");

/**
 * The escrow is compiled through the IR pipeline: its honest trade costs about 4,400 gas less
 * (docs/benchmarks.md), and a full compile takes about 15 s longer. Mutants are compiled without it
 * (and without the optimizer), like everything else in a mutation build; so is coverage's build.
 */
const irEscrow = !mutationBuild && !coverageBuild;
/**
 * Optimizer runs: 10,000 for the escrow (small, so tuned for its callers); 500 for the rest, so that the
 * market with the uniform rationing tree and its `rationingLevel` view stays under the 24,576-byte code limit
 * (about 23,750 bytes; 25,080 at 1,000 runs, 27,200 at 10,000; each call costs a few dozen gas more).
 */
const compilerSettings = (viaIR: boolean, runs = 500) => ({
  optimizer: { enabled: !mutationBuild, runs },
  evmVersion: "cancun",
  ...(viaIR ? { viaIR: true } : {}),
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: compilerSettings(false) }],
    overrides: irEscrow
      ? { "contracts/exchange/ExchangeEscrow.sol": { version: SOLC_VERSION, settings: compilerSettings(true, 10_000) } }
      : {},
  },
  networks: {
    hardhat: {
      allowUnlimitedContractSize: mutationBuild,
      // Enough funded accounts for one per agent in the largest benchmark (n = 200), each rich
      // enough for repeated 100-round runs in one process (1e9 ETH).
      accounts: { count: 210, accountsBalance: (10n ** 27n).toString() },
    },
    localhost: { url: "http://127.0.0.1:8545" },
    // A `npx hardhat node` (or Anvil) started by an end-to-end test on its own loopback port. It signs with the
    // node's own accounts, or, with E2E_ACCOUNTS (private keys, comma-separated), with just those, locally, as a
    // testnet user does (test/e2e/oneKey.test.ts gives it one key).
    e2e: {
      url: process.env.E2E_RPC_URL ?? "http://127.0.0.1:8547",
      ...(process.env.E2E_ACCOUNTS ? { accounts: process.env.E2E_ACCOUNTS.split(",") } : {}),
    },
    ...(testnetUrl ? { testnet: { url: testnetUrl, accounts: testnetKey ? [testnetKey] : [] } } : {}),
  },
  // A mutant keeps the ABI, so the generated bindings from the sandbox's first build stand.
  typechain: { dontOverrideCompile: mutationBuild },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    currency: "USD",
  },
  mocha: {
    timeout: 300_000,
  },
};

export default config;
