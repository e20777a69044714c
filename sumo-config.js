// SuMo mutation testing. Run it with `npm run mutation [-- market|escrow]` (scripts/mutation.sh):
// SuMo rewrites contracts in place, so the script runs it in a sandbox copy of the repository.
//
// Each target mutates one mechanism's contracts and runs the tests that exercise them, fastest
// and most specific first (the run stops at the first failing test). The shared files in
// contracts/common/ (the asset-transfer library, the 1e18 `UNIT`) belong to the escrow target,
// whose tests move every kind of token. Whole folders are named, so a new contract file (say, a
// library split out of another) is mutated without a change here.
const TARGETS = {
  market: {
    skipContracts: ["test", "exchange", "common"],
    tests: [
      "test/clearing/uniformMarket.test.ts",
      "test/clearing/ClearingMarket.test.ts",
      "test/clearing/UniformRationing.test.ts",
      "test/contractAccounts.test.ts",
      "test/clearing/AdaptivePrice.test.ts",
      "test/clearing/convergence.test.ts",
      "test/clearing/ClearingMarket.property.test.ts",
      "test/attacks.test.ts",
      "test/reentrancy.test.ts",
      "test/weirdTokens.test.ts",
      "test/audit/audit.test.ts",
    ],
  },
  escrow: {
    skipContracts: ["test", "clearing"],
    tests: [
      "test/exchange/ExchangeEscrow.test.ts",
      "test/exchange/ExchangeEscrow.signed.test.ts",
      "test/exchange/ExchangeEscrow.permit.test.ts",
      "test/exchange/ExchangeEscrow.messages.test.ts",
      "test/exchange/ExchangeEscrow.deadlines.test.ts",
      "test/exchange/paths.test.ts",
      "test/contractAccounts.test.ts",
      "test/weirdTokens.test.ts",
      "test/attacks.test.ts",
      "test/reentrancy.test.ts",
      "test/exchange/ExchangeEscrow.property.test.ts",
      "test/audit/audit.test.ts",
    ],
  },
};

const target = TARGETS[process.env.MUTATION_TARGET ?? "market"];
if (!target) throw new Error(`MUTATION_TARGET must be one of ${Object.keys(TARGETS).join(", ")}`);

module.exports = {
  buildDir: "artifacts",
  contractsDir: "contracts",
  testDir: "test",
  skipContracts: target.skipContracts,
  skipTests: [],
  // A mutant that makes the suite run this long (an endless loop, say) counts as timed out.
  testingTimeOutInSec: 600,
  network: "none",
  // "custom": SuMo runs the sandbox's own `compile` and `test` scripts (scripts/mutation.sh
  // writes them), so the test files and their order are ours.
  testingFramework: "custom",
  minimal: true,
  tce: false,
  targets: TARGETS,
};
