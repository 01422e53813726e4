// Test-only contracts are not part of the protocol's coverage figure.
module.exports = {
  skipFiles: ["mocks/"],
};
