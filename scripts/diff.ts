// `npm run diff`: what a fresh synth would change in the committed dist/, as Markdown for a
// pull-request comment, naming the fleet clusters a change touches. Reads only: it never writes to dist/.
//
//   npm run diff                      committed dist/ at HEAD → fresh synth
//   npm run diff -- --ref origin/main dist/ on another commit (the PR's base) → fresh synth
//   npm run diff -- --worktree        dist/ as it is on disk → fresh synth
//   npm run diff -- --exit-code       exit 1 when anything differs (for CI)
import { execFileSync } from 'child_process';
import * as path from 'path';
import { App } from 'cdk8s';
import { diffManifests, formatManifestDiff, isEmptyDiff, ManifestFile, OUTPUT_MANIFEST, readManifestFolder, renderApp } from '../lib';
import { buildReferenceFleet } from '../platform';

const ROOT = path.resolve(__dirname, '..');
const DIST = 'dist';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** The files of dist/ as committed at `ref` (none when dist/ is not in that commit). */
function committedFiles(ref: string): ManifestFile[] {
  const listing = git('ls-tree', '-r', '-z', '--name-only', ref, '--', `${DIST}/`);
  // The synthesizer's list of what it wrote is not output: a fresh render has none.
  return listing.split('\0').filter((p) => p !== '' && p !== `${DIST}/${OUTPUT_MANIFEST}`).map((p) => ({
    path: p.slice(DIST.length + 1),
    content: git('show', `${ref}:${p}`),
  }));
}

/** The files of dist/ on disk. */
function worktreeFiles(): ManifestFile[] {
  return readManifestFolder(path.join(ROOT, DIST)).filter((f) => f.path !== OUTPUT_MANIFEST);
}

function main(): void {
  const worktree = process.argv.includes('--worktree');
  const ref = option('--ref') ?? 'HEAD';
  const before = worktree ? worktreeFiles() : committedFiles(ref);
  const app = new App();
  buildReferenceFleet(app);
  const after = renderApp(app);
  const diff = diffManifests(before, after);
  process.stdout.write(formatManifestDiff(diff, {
    beforeLabel: worktree ? 'dist/ in the working tree' : `dist/ at ${ref}`,
    afterLabel: 'a fresh synth',
  }));
  if (process.argv.includes('--exit-code') && !isEmptyDiff(diff)) process.exitCode = 1;
}

try {
  main();
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
