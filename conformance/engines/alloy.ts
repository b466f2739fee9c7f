// Grafana Alloy's own syntax module parses every config.alloy of dist/, and every component
// it instantiates must be one the pinned Alloy version registers (read from that version's
// source by tools/alloy-syntax/main.go). A deliberately wrong file must fail, so a checker
// that accepts everything cannot pass.
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { Engine } from '../support/context';
import { objectRef, readManifests } from '../support/manifests';
import { runCommand } from '../support/process';

/** The directory of the pinned github.com/grafana/alloy module source, from the Go module proxy (a cache hit after the first run). */
async function alloySource(version: string, work: string): Promise<string> {
  const r = await runCommand('/usr/local/go/bin/go', ['mod', 'download', '-json', `github.com/grafana/alloy@${version}`], {
    cwd: work, env: { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' }, timeoutMs: 600_000,
  });
  const info = JSON.parse(r.stdout || '{}') as { Dir?: string; Error?: string };
  if (r.code !== 0 || info.Dir === undefined) {
    throw new Error(`go mod download github.com/grafana/alloy@${version} failed: ${info.Error ?? r.stderr.trim()}`);
  }
  return info.Dir;
}

export const alloyEngine: Engine = {
  name: 'alloy',
  async run(ctx) {
    const checker = ctx.tool('alloy-syntax');
    const version = ctx.versions.ALLOY;
    const dir = path.join(ctx.work, 'alloy');
    mkdirSync(dir, { recursive: true });
    const src = await alloySource(version, dir);
    const failures: string[] = [];
    const files: string[] = [];
    for (const { file, object } of readManifests(ctx.dist)) {
      const data = object.kind === 'ConfigMap' ? (object.data as Record<string, string> | undefined) : undefined;
      for (const [key, text] of Object.entries(data ?? {})) {
        if (!key.endsWith('.alloy')) continue;
        const out = path.join(dir, `${object.metadata.namespace ?? 'cluster'}.${object.metadata.name}.${key}`);
        writeFileSync(out, text);
        files.push(out);
        ctx.log(`${file} ${objectRef(object)} ${key}`);
      }
    }
    if (files.length === 0) failures.push('no config.alloy in any ConfigMap of dist/');
    const r = await runCommand(checker, ['-alloy-src', src, ...files], { timeoutMs: 300_000 });
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('error ')) failures.push(line.slice(6));
      if (line.startsWith('ok ') || line.startsWith('registry ')) ctx.log(line);
    }
    if (r.code !== 0 && !failures.length) failures.push(`alloy-syntax exited ${r.code}: ${r.stderr.trim()}`);
    // The negative control: a syntax error and an unknown component are both rejected.
    const bad = path.join(dir, 'negative-control.alloy');
    writeFileSync(bad, 'loki.source.kubernetes "pods" {\n  targets = []\n}\nprometheus.no_such_component "x" { }\n');
    const control = await runCommand(checker, ['-alloy-src', src, bad], { timeoutMs: 300_000 });
    if (control.code === 0 || !control.stdout.includes('prometheus.no_such_component')) {
      failures.push(`the negative control (an unknown component) was not rejected: ${control.stdout.trim()}`);
    }
    return [{ engine: 'alloy', version, checked: files.length, failures }];
  },
};
