// Test-only contracts are not part of the protocol's coverage figure.
module.exports = {
  skipFiles: ["mocks/"],
  // Instrumentation adds locals; the Yul optimizer's stack allocation keeps the larger functions compiling.
  configureYulOptimizer: true,
  solcOptimizerDetails: { yul: true, yulDetails: { stackAllocation: true } },
};
