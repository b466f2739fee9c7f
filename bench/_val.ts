import * as os from 'os';
import { App, ApiObject } from 'cdk8s';
import { withSynthSession } from '../lib';
import { renderedJson } from '../lib/synth/synth-session';
import { buildFleet } from './fleet';
const app = new App({ outdir: os.tmpdir() });
buildFleet(app, 1000);
withSynthSession(app, () => {
  const all = app.node.findAll();
  let t = process.hrtime.bigint();
  for (const c of all) if (c instanceof ApiObject) renderedJson(c);
  console.log('render all', Number(process.hrtime.bigint() - t) / 1e6);
  const by = new Map<string, number>();
  for (const c of all) {
    const t0 = process.hrtime.bigint();
    c.node.validate();
    const k = c.constructor.name;
    by.set(k, (by.get(k) ?? 0) + Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log([...by].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('\n'));
});
