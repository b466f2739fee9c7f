// Keeps snapshots in the top-level __snapshots__/ folder, mirroring test/.
const path = require('path');

const root = path.resolve(__dirname, '..');
const testDir = path.join(root, 'test');
const snapDir = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, ext) =>
    path.join(snapDir, path.relative(testDir, testPath)) + ext,
  resolveTestPath: (snapshotPath, ext) =>
    path.join(testDir, path.relative(snapDir, snapshotPath).slice(0, -ext.length)),
  testPathForConsistencyCheck: path.join(testDir, 'function', 'example.test.ts'),
};
