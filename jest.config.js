/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Snapshots live in the top-level __snapshots__/ (the design card's layout), mirroring test/.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
