import * as fs from 'fs';
import * as path from 'path';
import { renderApp } from '../lib';
import { buildShop } from '../examples/quickstart';
import { buildTour, fleetExample } from '../examples/tour';
import { testApp } from './support/synth';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('shows the quickstart example exactly as it is compiled and tested', () => {
    const example = fs.readFileSync(path.join(ROOT, 'examples', 'quickstart.ts'), 'utf8');
    expect(README).toContain('```ts\n' + example + '```');
  });

  test('the quickstart example synthesizes a valid platform', () => {
    const app = testApp();
    buildShop(app);
    const files = renderApp(app);
    expect(files.map((f) => f.path)).toEqual(['base/base.k8s.yaml', 'functions/functions.k8s.yaml']);
    expect(files[1].content).toContain('runtimeClassName: wasmedge');
    expect(files[1].content).toContain('kind: ScaledObject');
    expect(files[1].content).not.toMatch(/^  replicas:/m);
  });

  test('every other TypeScript block is in examples/tour.ts exactly as shown (at most indented into its function)', () => {
    const tour = fs.readFileSync(path.join(ROOT, 'examples', 'tour.ts'), 'utf8');
    const example = fs.readFileSync(path.join(ROOT, 'examples', 'quickstart.ts'), 'utf8');
    const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b !== example);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const missing = blocks.filter((b) => !['', '  '].some((indent) => tour.includes(b.split('\n').map((l) => (l ? indent + l : l)).join('\n'))));
    expect(missing).toEqual([]);
  });

  test('the README examples combine into one app that synthesizes without a problem', () => {
    const app = testApp();
    buildTour(app);
    const files = renderApp(app);
    const all = files.map((f) => f.content).join('\n');
    expect(all).toContain('kind: HTTPScaledObject');
    expect(all).toContain('keda-add-ons-http-interceptor-proxy');
    expect(all).toContain('kind: Application');
  });

  test('the fleet example synthesizes each cluster under clusters/<name>/ and one ApplicationSet', () => {
    const app = testApp();
    const fleet = fleetExample(app);
    const files = renderApp(app);
    const paths = files.map((f) => f.path);
    for (const c of ['staging', 'prod-eu-central', 'prod-eu-west']) expect(paths).toContain(`clusters/${c}/orders-functions/orders-functions.k8s.yaml`);
    expect(files.find((f) => f.path === 'fleet/fleet.k8s.yaml')!.content).toContain('kind: ApplicationSet');
    expect(fleet.regionLoss().every((l) => l.absorbed)).toBe(true);
  });

  test('names the two set-up commands', () => {
    expect(README).toContain('npm ci && npm run synth');
    expect(README).toContain('npm test');
  });
});
