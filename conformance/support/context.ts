import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { Manifest } from './manifests';

/** What one engine found: the summary line `conformance <engine> <version>: <checked> checked, <failed> failed`. */
export interface EngineResult {
  /** The engine's name in the summary line (`kube-apiserver`, `vap`, `opa`, ...). */
  readonly engine: string;
  /** The version that really ran, as built from tools/versions.env. */
  readonly version: string;
  /** How many objects, files or cases the engine checked. */
  readonly checked: number;
  /** One line per failed check, naming the file, the object or case and the engine's message. */
  readonly failures: readonly string[];
}

/** The shared state of one conformance run. */
export interface ConformanceContext {
  /** The repository root. */
  readonly root: string;
  /** The synthesized output that is checked: the committed `dist/`, or one fleet cluster's folder of it. */
  readonly dist: string;
  /** The folder of `dist` inside the repository, as Application paths name it ("dist", "dist/clusters/staging"). */
  readonly repoFolder: string;
  /** The fleet cluster `dist` is, if it is one. */
  readonly cluster?: string;
  /**
   * The Applications that deliver `dist` when it holds none itself: those the fleet's
   * ApplicationSet generates for the cluster.
   */
  readonly applications?: readonly Manifest[];
  /** A fresh scratch folder for this run, removed afterwards. */
  readonly work: string;
  /** The pins of tools/versions.env. */
  readonly versions: Readonly<Record<string, string>>;
  /** The path of a built engine in .tools/bin/; throws with the fix when it was not built. */
  tool(name: string): string;
  /** Progress output (stderr, so the summary lines stay easy to grep). */
  log(message: string): void;
}

/** One engine of the conformance run. */
export interface Engine {
  /** What `npm run conformance -- <name>` selects. */
  readonly name: string;
  /** Runs the engine; the run stops every process it started before it returns or throws. */
  run(ctx: ConformanceContext): Promise<EngineResult[]>;
}

/** Reads KEY=VALUE pins from tools/versions.env (comments and blank lines ignored). */
export function readVersions(root: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of readFileSync(path.join(root, 'tools', 'versions.env'), 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(\S+)/.exec(line);
    if (match) {
      versions[match[1]] = match[2];
    }
  }
  return versions;
}

/** The path of `.tools/bin/<name>`, or an error that says how to build it. */
export function toolPath(root: string, name: string): string {
  const file = path.join(root, '.tools', 'bin', name);
  if (!existsSync(file)) {
    throw new Error(`${name} is not built (.tools/bin/${name} is missing): run 'npm run tools' first`);
  }
  return file;
}

/** The summary line of one engine result. */
export function summaryLine(result: EngineResult): string {
  return `conformance ${result.engine} ${result.version}: ${result.checked} checked, ${result.failures.length} failed`;
}
