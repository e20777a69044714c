// solidity-coverage: test-only mocks are not measured; the end-to-end test (a separate node
// process running uninstrumented contracts) adds nothing to coverage and is skipped.
module.exports = {
  skipFiles: ["test/"],
  mocha: { grep: "End to end over JSON-RPC", invert: true },
};
