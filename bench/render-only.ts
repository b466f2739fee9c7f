// What this architecture costs before any validation: every object of a generated fleet
// rendered once (its JSON, with the Lazy values its output needs: rule groups, dashboards,
// the Applications' waves and the AppProject's inventory) and its YAML emitted, in one
// synthesis session, without running a single `node.addValidation`. bench.ts compares it with
// the peer's time per object: a synth that validates cannot be faster than this.
// Prints a JSON line. Usage: node -r @swc-node/register bench/render-only.ts [functions]
import * as os from 'os';
import { ApiObject, App } from 'cdk8s';
import { withSynthSession, YamlEmitter } from '../lib';
import { renderedJson } from '../lib/synth/synth-session';
import { buildFleet } from './fleet';

const count = Number(process.argv[2] ?? 1000);
const app = new App({ outdir: os.tmpdir() });
buildFleet(app, count);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const result = withSynthSession(app, () => {
  const objects = app.node.findAll().filter((o): o is ApiObject => o instanceof ApiObject);
  let t = process.hrtime.bigint();
  const json = objects.map((o) => renderedJson(o));
  const renderMs = ms(t);
  t = process.hrtime.bigint();
  const emitter = new YamlEmitter();
  let bytes = 0;
  for (let i = 0; i < json.length; i++) {
    bytes += emitter.dump(json[i]).length;
    json[i] = undefined;
  }
  return { objects: objects.length, renderMs, yamlMs: ms(t), bytes };
});
process.stdout.write(JSON.stringify({ functions: count, ...result, synthMs: result.renderMs + result.yamlMs }) + '\n');
