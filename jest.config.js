/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The examples import the package by its published name, as a user's repository would.
  moduleNameMapper: { '^@ecommerce-platform/wasm-functions$': '<rootDir>/lib/index.ts' },
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Snapshots live in the top-level __snapshots__/ (the design card's layout), mirroring test/.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
