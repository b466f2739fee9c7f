import { App, Chart } from 'cdk8s';
import {
  FunctionNamespace, KedaFunctionAutoscaler, KedaTrigger, synthesizeMain, WasmFunction,
} from '@ecommerce-platform/wasm-functions';

export function buildShop(app: App): void {
  // Cluster-scoped objects and namespaces go in a chart without a namespace.
  const base = new Chart(app, 'Base');
  new FunctionNamespace(base, 'Namespace', { name: 'shop' });

  const functions = new Chart(app, 'Functions', { namespace: 'shop' });
  const price = new WasmFunction(functions, 'Price', {
    name: 'price',
    image: 'registry.example.com/functions/price@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc',
    config: { CURRENCY_DEFAULT: 'EUR' },
    // Everything else has a production default: K3s's wasmedge RuntimeClass, port 8080
    // behind a Service on 80, 10m/100m CPU and 32Mi/64Mi memory, probes, PDB, NetworkPolicy.
  });

  // KEDA scales on the function's own request rate; the Deployment then carries no
  // `replicas`, so Argo CD and the autoscaler never fight over it.
  new KedaFunctionAutoscaler(functions, 'PriceScaling', {
    target: price,
    minReplicas: 10,
    maxReplicas: 500,
    triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 200 })],
  });
}

if (require.main === module) {
  const app = new App();
  buildShop(app);
  // Validates everything first, then replaces dist/ atomically: a failed synth changes nothing.
  synthesizeMain(app, { outdir: 'dist' });
}
