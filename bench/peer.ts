// The peer of the benchmark: the same fleet written by hand with cdk8s-plus-28, as a
// cdk8s-plus user would write it (Deployment, Service, HorizontalPodAutoscaler,
// ServiceAccount, ConfigMap, NetworkPolicy and PodDisruptionBudget per function), and
// synthesized with `app.synthYaml()`. One size per process, like run-size.ts; prints a JSON
// line.
import * as os from 'os';
import { ApiObject, App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { FLEET_NAMESPACES } from './fleet';

const REGISTRY = 'registry.example.com/fleet/';

/** `count` hand-written functions of 7 objects each, spread over the fleet's namespaces. */
export function buildPeerFleet(app: App, count: number): void {
  const charts: Chart[] = [];
  for (let n = 0; n < FLEET_NAMESPACES; n++) charts.push(new Chart(app, `Fleet${n}`, { namespace: `fleet-${n}` }));
  for (let i = 0; i < count; i++) {
    const chart = charts[i % FLEET_NAMESPACES];
    const name = `fn-${i}`;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'fleet' };
    const serviceAccount = new kplus.ServiceAccount(chart, `${name}-sa`, {
      metadata: { name, labels },
      automountToken: false,
    });
    const config = new kplus.ConfigMap(chart, `${name}-config`, {
      metadata: { name: `${name}-config`, labels },
      data: { FUNCTION_INDEX: String(i) },
    });
    const deployment = new kplus.Deployment(chart, `${name}-deployment`, {
      metadata: { name, labels },
      serviceAccount,
      podMetadata: { labels },
      containers: [{
        name: 'function',
        image: `${REGISTRY}${name}@sha256:${i.toString(16).padStart(64, '0')}`,
        portNumber: 8080,
        envFrom: [kplus.Env.fromConfigMap(config)],
        resources: {
          cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
        },
      }],
    });
    deployment.exposeViaService({ name, ports: [{ port: 80, targetPort: 8080 }] });
    new kplus.HorizontalPodAutoscaler(chart, `${name}-hpa`, {
      metadata: { name, labels },
      target: deployment,
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70))],
    });
    new kplus.NetworkPolicy(chart, `${name}-netpol`, {
      metadata: { name, labels },
      selector: deployment,
      ingress: {
        rules: [{
          peer: kplus.Pods.select(chart, `${name}-gateway-pods`, { labels: { 'app.kubernetes.io/name': 'envoy' }, namespaces: kplus.Namespaces.select(chart, `${name}-gateway-ns`, { names: ['gateway'] }) }),
          ports: [kplus.NetworkPolicyPort.tcp(8080)],
        }],
      },
    });
    new kplus.k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, {
      metadata: { name, labels },
      spec: { minAvailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: deployment.matchLabels } },
    });
  }
}

if (require.main === module) {
  const count = Number(process.argv[2]);
  const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
  let t = process.hrtime.bigint();
  const app = new App({ outdir: os.tmpdir() });
  buildPeerFleet(app, count);
  const constructMs = ms(t);
  t = process.hrtime.bigint();
  const yaml = app.synthYaml();
  const synthMs = ms(t);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const objects = app.node.findAll().filter((c) => c instanceof ApiObject).length;
  process.stdout.write(JSON.stringify({ functions: count, objects, bytes: Buffer.byteLength(yaml), constructMs, synthMs, peakRssMb }) + '\n');
}
