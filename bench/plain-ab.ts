// In-process A/B of the plain rendering (lib/synth/plain-api-object.ts): every plainly
// rendered object of a fleet is rendered both ways, alternately, under the same load, and the
// two outputs compared. Usage: node -r @swc-node/register bench/plain-ab.ts [functions]
import * as os from 'os';
import { ApiObject, App } from 'cdk8s';
import { withSynthSession } from '../lib';
import { buildFleet } from './fleet';

const count = Number(process.argv[2] ?? 1000);
const app = new App({ outdir: os.tmpdir() });
buildFleet(app, count);
const ns = () => process.hrtime.bigint();
withSynthSession(app, () => {
  const pairs: { obj: ApiObject; plain: () => unknown; cdk8s: () => unknown }[] = [];
  for (const obj of app.node.findAll()) {
    if (!(obj instanceof ApiObject)) continue;
    let proto = Object.getPrototypeOf(obj);
    while (proto && proto.constructor.name !== 'PlainlyRendered' && proto.constructor.name !== 'PlainApiObject') proto = Object.getPrototypeOf(proto);
    if (!proto) continue;
    const generated = Object.getPrototypeOf(proto) as { toJson(): unknown };
    // Both renderings of the binding itself: a subclass's own toJson on top (FunctionDeployment's)
    // would run the same on both.
    const plainToJson = proto as { toJson(): unknown };
    pairs.push({ obj, plain: () => plainToJson.toJson.call(obj), cdk8s: () => generated.toJson.call(obj) });
  }
  let plainNs = 0n;
  let cdk8sNs = 0n;
  for (let round = 0; round < 3; round++) {
    plainNs = 0n;
    cdk8sNs = 0n;
    pairs.forEach(({ obj, plain, cdk8s }, i) => {
      let a: unknown;
      let b: unknown;
      if (i % 2 === 0) {
        let t = ns(); a = plain(); plainNs += ns() - t;
        t = ns(); b = cdk8s(); cdk8sNs += ns() - t;
      } else {
        let t = ns(); b = cdk8s(); cdk8sNs += ns() - t;
        t = ns(); a = plain(); plainNs += ns() - t;
      }
      if (round === 0 && JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${obj.node.path} renders differently`);
    });
  }
  process.stdout.write(`${pairs.length} objects rendered both ways, identical; last round: plain ${Number(plainNs) / 1e6} ms, cdk8s ${Number(cdk8sNs) / 1e6} ms\n`);
});
