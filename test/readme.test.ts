import * as fs from 'fs';
import * as path from 'path';
import { renderApp } from '../lib';
import { buildShop } from '../examples/quickstart';
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

  test('names the two set-up commands', () => {
    expect(README).toContain('npm ci && npm run synth');
    expect(README).toContain('npm test');
  });
});
