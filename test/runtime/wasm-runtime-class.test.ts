import { Chart } from 'cdk8s';
import { WasmFunction, WasmRuntimeClass } from '../../lib';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { findOne, objectsOf, problemsOf, testApp } from '../support/synth';

const IMAGE = 'registry.shop.example.com/functions/price@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';

describe('WasmRuntimeClass', () => {
  test('pins Wasm pods to shim nodes, with tolerations and overhead', () => {
    // GIVEN a pinned runtime class and a function that uses it
    const app = testApp();
    const base = new Chart(app, 'Base');
    const runtime = new WasmRuntimeClass(base, 'Runtime', {
      nodeSelector: { 'platform.example.com/wasmedge': 'true' },
      tolerations: [{ key: 'platform.example.com/wasm-only', effect: 'NoSchedule' }],
      podOverhead: { cpu: '5m', memory: '8Mi' },
    });
    const functions = new Chart(app, 'Functions', { namespace: 'functions' });
    new WasmFunction(functions, 'Price', { name: 'price', image: IMAGE, runtime });
    // WHEN synthesized
    const objects = objectsOf(base);
    const runtimeClass = findOne(objects, 'RuntimeClass');
    // THEN
    expect(problemsOf(app)).toEqual([]);
    expect(runtimeClass).toMatchSnapshot();
    expect(runtimeClass).toMatchObject({
      apiVersion: 'node.k8s.io/v1',
      handler: 'wasmedge',
      metadata: { name: 'wasmedge-pinned' },
      scheduling: {
        nodeSelector: { 'platform.example.com/wasmedge': 'true' },
        tolerations: [{ key: 'platform.example.com/wasm-only', operator: 'Exists', effect: 'NoSchedule' }],
      },
      overhead: { podFixed: { cpu: '5m', memory: '8Mi' } },
    });
    expect(runtimeClass.metadata.namespace).toBeUndefined();
    expect(formatViolations(runtimeClass, kubeValidator().validate(runtimeClass))).toBe('');
    const deployment = findOne(objectsOf(functions), 'Deployment') as unknown as { spec: { template: { spec: { runtimeClassName: string } } } };
    expect(deployment.spec.template.spec.runtimeClassName).toBe('wasmedge-pinned');
  });

  test('refuses the name wasmedge, an unknown handler, an empty selector and a bad overhead', () => {
    const app = testApp();
    new WasmRuntimeClass(new Chart(app, 'Base'), 'Runtime', {
      name: 'wasmedge', handler: 'wasmedgee', nodeSelector: {}, podOverhead: { cpu: 'x', memory: '8Mi' },
    });
    const problems = problemsOf(app).join('\n');
    expect(problems).toMatch(/\[Base\/Runtime\] name "wasmedge" is the RuntimeClass K3s ships in its bundled manifests; emitting it would fight K3s/);
    expect(problems).toMatch(/handler "wasmedgee" is not a supported Wasm runtime: use one of wasmedge, wasmtime, wasmer/);
    expect(problems).toMatch(/nodeSelector is empty/);
    expect(problems).toMatch(/podOverhead.cpu "x" is not a Kubernetes quantity/);
  });

  test('refuses a chart with a namespace, since RuntimeClass is cluster-scoped', () => {
    const app = testApp();
    new WasmRuntimeClass(new Chart(app, 'Namespaced', { namespace: 'x' }), 'Runtime', { nodeSelector: { a: 'b' } });
    expect(problemsOf(app).join('\n')).toMatch(/is in chart "Namespaced" whose namespace is "x": put cluster-scoped objects in a chart without a namespace/);
  });

  test('a toleration effect from JavaScript names the allowed effects; node labels follow the label rules', () => {
    const app = testApp();
    new WasmRuntimeClass(new Chart(app, 'Base'), 'Runtime', {
      nodeSelector: { 'platform.example.com/wasmedge': 'yes please' },
      tolerations: [
        { key: 'platform.example.com/wasm-only', effect: 'noschedule' as 'NoSchedule' },
        { key: 'wasm only', value: 'true', effect: 'NoExecute' },
      ],
    });
    expect(problemsOf(app)).toEqual([
      '[Base/Runtime] nodeSelector "platform.example.com/wasmedge" has the value "yes please", which is not a valid label value: use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, or ""',
      '[Base/Runtime] tolerations[0].effect "noschedule" is not one of "NoSchedule", "PreferNoSchedule", "NoExecute" (leave it out to tolerate every effect)',
      '[Base/Runtime] tolerations[1] key "wasm only" is not a valid label or annotation key: use an optional DNS-1123 subdomain prefix and \'/\', then 1-63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (for example "example.com/team")',
    ]);
  });
});
