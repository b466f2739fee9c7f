import { ApiObject, Chart, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { HorizontalFunctionAutoscaler, ObservabilityStack, renderApp, SynthValidationError, WasmFunction, WasmFunctionProps, WasmRuntime } from '../../lib';
import { FunctionGateway, GatewayProvider } from '../../lib/gateway';
import { kubeValidator, formatViolations } from '../support/kube-schema';
import { at, findOne, KubeObject, objectsOf, problemsOf, testApp } from '../support/synth';

const DIGEST = 'sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';
const IMAGE = `registry.shop.example.com/functions/price@${DIGEST}`;

function functionChart(props: Partial<WasmFunctionProps> = {}, id = 'Price') {
  const app = testApp();
  const chart = new Chart(app, 'Functions', { namespace: 'functions-catalog' });
  const fn = new WasmFunction(chart, id, { name: 'price', image: IMAGE, ...props });
  return { app, chart, fn };
}

function podSpec(objects: KubeObject[], path: string): unknown {
  return at(findOne(objects, 'Deployment'), `spec.template.spec${path ? '.' + path : ''}`);
}

describe('WasmFunction', () => {
  test('synthesizes the function and everything around it', () => {
    // GIVEN a function with config and env
    const { chart } = functionChart({ config: { CURRENCY: 'EUR' }, env: { LOG_LEVEL: 'info' }, version: '2.1.0' });
    // WHEN synthesized
    const objects = objectsOf(chart);
    // THEN the output is what the snapshot holds, and every object is schema-valid
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceAccount', 'ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy',
    ]);
    for (const o of objects) {
      expect(formatViolations(o, kubeValidator().validate(o))).toBe('');
    }
  });

  test('runs on the K3s wasmedge RuntimeClass with the seed sizing by default', () => {
    const { chart } = functionChart();
    const objects = objectsOf(chart);
    expect(podSpec(objects, 'runtimeClassName')).toBe('wasmedge');
    expect(podSpec(objects, 'containers.0.resources')).toEqual({
      requests: { cpu: '10m', memory: '32Mi' },
      limits: { cpu: '100m', memory: '64Mi' },
    });
    expect(podSpec(objects, 'containers.0.ports')).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('resources can be overridden one field at a time', () => {
    const { chart } = functionChart({ resources: { memoryLimit: '128Mi' } });
    expect(podSpec(objectsOf(chart), 'containers.0.resources')).toEqual({
      requests: { cpu: '10m', memory: '32Mi' },
      limits: { cpu: '100m', memory: '128Mi' },
    });
  });

  test('pulls IfNotPresent, probes over HTTP and has no startup probe', () => {
    const { chart } = functionChart({ healthPath: '/ready' });
    const container = podSpec(objectsOf(chart), 'containers.0');
    expect(at(container, 'imagePullPolicy')).toBe('IfNotPresent');
    expect(at(container, 'readinessProbe.httpGet')).toEqual({ path: '/ready', port: 'http' });
    expect(at(container, 'livenessProbe.httpGet')).toEqual({ path: '/ready', port: 'http' });
    expect(container).not.toHaveProperty('startupProbe');
  });

  test('hardens the pod to the restricted Pod Security Standard and mounts no token', () => {
    const { chart } = functionChart();
    const objects = objectsOf(chart);
    expect(podSpec(objects, 'securityContext')).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(podSpec(objects, 'containers.0.securityContext')).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(podSpec(objects, 'automountServiceAccountToken')).toBe(false);
    expect(findOne(objects, 'ServiceAccount')).toMatchObject({ automountServiceAccountToken: false });
  });

  test('Service forwards port 80 to the container port', () => {
    const { chart } = functionChart({ port: 9000 });
    expect(at(findOne(objectsOf(chart), 'Service'), 'spec.ports')).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(podSpec(objectsOf(chart), 'containers.0.ports.0.containerPort')).toBe(9000);
  });

  test('selector and labels do not depend on the construct id', () => {
    // GIVEN the same function under two construct ids
    const a = objectsOf(functionChart({}, 'Price').chart);
    const b = objectsOf(functionChart({}, 'PriceRenamed').chart);
    // THEN selectors and names are identical
    const selector = (objs: KubeObject[]) => at(findOne(objs, 'Deployment'), 'spec.selector');
    expect(selector(a)).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'price', 'app.kubernetes.io/instance': 'price' } });
    expect(selector(b)).toEqual(selector(a));
    expect(JSON.stringify(b)).not.toContain('PriceRenamed');
    expect(at(findOne(a, 'Deployment'), 'metadata.labels')).toEqual({
      'app.kubernetes.io/name': 'price',
      'app.kubernetes.io/instance': 'price',
      'app.kubernetes.io/component': 'function',
      'app.kubernetes.io/part-of': 'wasm-functions',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
  });

  test('a config change rolls the pods through a checksum annotation', () => {
    const annotations = (config: Record<string, string>) =>
      at(findOne(objectsOf(functionChart({ config }).chart), 'Deployment'), 'spec.template.metadata.annotations') as Record<string, string>;
    expect(annotations({ A: '1' })['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(annotations({ A: '1' })).toEqual(annotations({ A: '1' }));
    expect(annotations({ A: '2' })).not.toEqual(annotations({ A: '1' }));
  });

  test('NetworkPolicy admits nobody until a gateway, monitoring or a caller admits its pods; egress is DNS only', () => {
    const policy = findOne(objectsOf(functionChart().chart), 'NetworkPolicy');
    expect(at(policy, 'spec.policyTypes')).toEqual(['Ingress', 'Egress']);
    expect(at(policy, 'spec.ingress')).toBeUndefined();
    expect(at(policy, 'spec.egress')).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('has a fixed replica count until an autoscaler owns it, then none', () => {
    const { chart, fn } = functionChart();
    expect(at(findOne(objectsOf(chart), 'Deployment'), 'spec.replicas')).toBe(2);
    fn.attachAutoscaler({ owner: chart, kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 100, hpaName: 'price' });
    expect(at(findOne(objectsOf(chart), 'Deployment'), 'spec')).not.toHaveProperty('replicas');
    expect(fn.isAutoscaled).toBe(true);
  });

  test('refuses an explicit replica count beside an autoscaler, and two autoscalers', () => {
    const { app, chart, fn } = functionChart({ replicas: 100 });
    fn.attachAutoscaler({ owner: chart, kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 100, hpaName: 'price' });
    fn.attachAutoscaler({ owner: chart, kind: 'ScaledObject', minReplicas: 10, maxReplicas: 100, hpaName: 'keda-hpa-price' });
    const problems = problemsOf(app).join('\n');
    expect(problems).toMatch(/\[Functions\/Price\] replicas \(100\) is set but HorizontalPodAutoscaler Functions owns the replica count: remove replicas/);
    expect(problems).toMatch(/is scaled by 2 autoscalers \(HorizontalPodAutoscaler Functions, ScaledObject Functions\): keep exactly one/);
  });
});

describe('WasmFunction and hand-written scalers', () => {
  const INSTEAD = 'use one FunctionAutoscaler (HorizontalFunctionAutoscaler, KedaFunctionAutoscaler or ScaleToZeroFunctionAutoscaler) instead, which removes replicas from the Deployment';

  function hpa(scope: Construct, id: string, name: string, target: { name: string; kind?: string }, namespace?: string) {
    return new k8s.KubeHorizontalPodAutoscalerV2(scope, id, {
      metadata: { name, namespace },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: target.kind ?? 'Deployment', name: target.name }, maxReplicas: 10 },
    });
  }

  function scaledObject(scope: Construct, id: string, name: string, target: string) {
    return new ApiObject(scope, id, {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name },
      spec: { scaleTargetRef: { name: target }, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }] },
    });
  }

  function httpScaledObject(scope: Construct, id: string, name: string, target: string) {
    return new ApiObject(scope, id, {
      apiVersion: 'http.keda.sh/v1alpha1', kind: 'HTTPScaledObject', metadata: { name },
      spec: { hosts: ['price.example.com'], scaleTargetRef: { name: target, kind: 'Deployment', apiVersion: 'apps/v1', service: target, port: 80 } },
    });
  }

  test('the seed\'s mistake: a hand-written HPA beside a plain function and its replicas: 2', () => {
    // GIVEN a function no FunctionAutoscaler owns, and an HPA in another chart of its namespace
    const { app } = functionChart();
    hpa(new Chart(app, 'Autoscaling', { namespace: 'functions-catalog' }), 'PriceScaler', 'price', { name: 'price' });
    // WHEN validated
    const problems = problemsOf(app);
    // THEN the function reports it, naming the object and what to use instead
    expect(problems).toEqual([
      `[Functions/Price] HorizontalPodAutoscaler "price" (Autoscaling/PriceScaler) scales Deployment functions-catalog/price, but no FunctionAutoscaler owns the function, so the Deployment keeps replicas (2) and Argo CD and the HorizontalPodAutoscaler fight over the replica count: ${INSTEAD}`,
    ]);
    expect(() => renderApp(app)).toThrow(SynthValidationError);
  });

  test('a KEDA ScaledObject or HTTPScaledObject is found too, with an explicit replica count', () => {
    const keda = functionChart({ replicas: 5 });
    scaledObject(keda.chart, 'Scaler', 'price-cpu', 'price');
    expect(problemsOf(keda.app)).toEqual([
      `[Functions/Price] ScaledObject "price-cpu" (Functions/Scaler) scales Deployment functions-catalog/price, but no FunctionAutoscaler owns the function, so the Deployment keeps replicas (5) and Argo CD and the ScaledObject fight over the replica count: ${INSTEAD}`,
    ]);
    const http = functionChart();
    httpScaledObject(http.chart, 'Http', 'price', 'price');
    expect(problemsOf(http.app)).toEqual([
      `[Functions/Price] HTTPScaledObject "price" (Functions/Http) scales Deployment functions-catalog/price, but no FunctionAutoscaler owns the function, so the Deployment keeps replicas (2) and Argo CD and the HTTPScaledObject fight over the replica count: ${INSTEAD}`,
    ]);
  });

  test('two hand-written scalers on one function are reported together', () => {
    const { app, chart } = functionChart();
    hpa(chart, 'Cpu', 'price-cpu', { name: 'price' });
    scaledObject(chart, 'Requests', 'price', 'price');
    expect(problemsOf(app)).toEqual([
      `[Functions/Price] is scaled by 2 hand-written scaling objects (HorizontalPodAutoscaler "price-cpu" (Functions/Cpu), ScaledObject "price" (Functions/Requests)) while its Deployment keeps replicas (2): they and Argo CD fight over the replica count: ${INSTEAD}`,
    ]);
  });

  test('scalers of another namespace, another name or another kind are not the function\'s', () => {
    const { app, chart } = functionChart();
    hpa(new Chart(app, 'Other', { namespace: 'functions-orders' }), 'OtherNamespace', 'price', { name: 'price' });
    hpa(chart, 'OtherName', 'checkout', { name: 'checkout' });
    hpa(chart, 'OtherKind', 'price-set', { name: 'price', kind: 'StatefulSet' });
    // An object of another API group that happens to share the kind scales nothing.
    new ApiObject(chart, 'Lookalike', { apiVersion: 'example.com/v1', kind: 'ScaledObject', metadata: { name: 'x' }, spec: { scaleTargetRef: { name: 'price' } } });
    expect(problemsOf(app)).toEqual([]);
  });

  test('namespaces are compared as resolved: a chart without a namespace is not the function\'s namespace', () => {
    // GIVEN an HPA in a chart without a namespace (none in its metadata either)
    const { app } = functionChart();
    const plain = new Chart(app, 'Plain');
    hpa(plain, 'NoNamespace', 'price', { name: 'price' });
    expect(problemsOf(app)).toEqual([]);
    // WHEN an HPA there names the function's namespace itself, and a function without a chart namespace names its own
    hpa(plain, 'Explicit', 'price-explicit', { name: 'price' }, 'functions-catalog');
    new WasmFunction(plain, 'Search', { name: 'search', namespace: 'functions-search', image: IMAGE });
    hpa(new Chart(app, 'Search', { namespace: 'functions-search' }), 'SearchScaler', 'search', { name: 'search' });
    // THEN both are found
    expect(problemsOf(app).map((p) => p.slice(0, p.indexOf(' scales ')))).toEqual([
      '[Functions/Price] HorizontalPodAutoscaler "price-explicit" (Plain/Explicit)',
      '[Plain/Search] HorizontalPodAutoscaler "search" (Search/SearchScaler)',
    ]);
  });

  test('objects under an attached autoscaler\'s owner are its own; others beside it are reported', () => {
    // GIVEN an owner that attached itself and holds its HPA
    const { app, chart, fn } = functionChart();
    const owner = new Construct(chart, 'Owner');
    hpa(owner, 'Resource', 'price', { name: 'price' });
    fn.attachAutoscaler({ owner, kind: 'HorizontalPodAutoscaler', minReplicas: 2, maxReplicas: 10, hpaName: 'price' });
    expect(problemsOf(app)).toEqual([]);
    // WHEN another scaler aims at the same Deployment
    scaledObject(chart, 'Extra', 'price-extra', 'price');
    // THEN it is reported against the owner
    expect(problemsOf(app)).toEqual([
      '[Functions/Price] ScaledObject "price-extra" (Functions/Extra) also scales Deployment functions-catalog/price, whose replica count HorizontalPodAutoscaler Functions/Owner owns: two autoscalers on one Deployment fight over its replica count: remove one',
    ]);
  });

  test('the scalers are indexed once per synthesis, not once per function', () => {
    // GIVEN apps of 1 and of 60 functions, each with a hand-written HPA, the first one watched
    const readsOfWatchedKind = (count: number) => {
      const app = testApp();
      const chart = new Chart(app, 'Functions', { namespace: 'functions-catalog' });
      let reads = 0;
      for (let i = 0; i < count; i++) {
        new WasmFunction(chart, `F${i}`, { name: `f${i}`, image: IMAGE });
        const scaler = hpa(chart, `S${i}`, `f${i}`, { name: `f${i}` });
        if (i === 0) {
          const kind = scaler.kind;
          Object.defineProperty(scaler, 'kind', { get: () => { reads++; return kind; } });
        }
      }
      // WHEN validated
      expect(problemsOf(app)).toHaveLength(count);
      return reads;
    };
    // THEN the watched object is looked at as often with 60 functions as with 1: a scan per
    // function would read it once per function
    expect(readsOfWatchedKind(60)).toBe(readsOfWatchedKind(1));
  });
});

describe('WasmFunction input validation', () => {
  function problems(props: Partial<WasmFunctionProps>): string {
    return problemsOf(functionChart(props).app).join('\n');
  }

  test.each<[string, Partial<WasmFunctionProps>, RegExp]>([
    ['name not a DNS label', { name: 'Price_Service' },
      /\[Functions\/Price\] name "Price_Service" is not a DNS-1123 label usable as a Service name: use 1-63 lowercase letters/],
    ['name starting with a digit', { name: '1price' }, /name "1price" is not a DNS-1123 label usable as a Service name/],
    ['name too long', { name: 'a'.repeat(64) }, /name "a{64}" is not a DNS-1123 label/],
    ['empty image', { image: '' }, /image is empty: give an OCI image reference/],
    ['malformed image', { image: 'Registry.Example.com/Price::1' }, /image "Registry.Example.com\/Price::1" is not a valid OCI image reference: expected \[registry\/\]repository\[:tag\]\[@sha256:<64 hex digits>\]/],
    ['bad digest', { image: 'registry.example.com/price@sha256:1234' }, /is not a valid OCI image reference/],
    ['mutable latest tag', { image: 'registry.example.com/price:latest' },
      /image "registry.example.com\/price:latest" uses the mutable tag latest: pin it by digest \("registry.example.com\/price@sha256:<64 hex digits>"\) or set allowMutableTag: true/],
    ['implied latest', { image: 'registry.example.com/price' }, /uses the mutable tag latest \(implied\)/],
    ['port 0', { port: 0 }, /port \(0\) must be an integer port number from 1 to 65535/],
    ['port 70000', { port: 70000 }, /port \(70000\) must be an integer port number from 1 to 65535/],
    ['service port', { servicePort: -1 }, /servicePort \(-1\) must be an integer port number from 1 to 65535/],
    ['cpu request above limit', { resources: { cpuRequest: '200m' } },
      /resources.cpuRequest \(200m\) must not exceed resources.cpuLimit \(100m\): raise the limit or lower the request/],
    ['memory request above limit', { resources: { memoryRequest: '1Gi', memoryLimit: '64Mi' } },
      /resources.memoryRequest \(1Gi\) must not exceed resources.memoryLimit \(64Mi\)/],
    ['unparseable quantity', { resources: { memoryLimit: '64MB' } },
      /resources.memoryLimit "64MB" is not a Kubernetes quantity: use a non-negative number with an optional suffix \(m, k, M, G, Ki, Mi, Gi, ...\), for example "64Mi"/],
    ['unknown runtime', { runtime: WasmRuntime.clusterProvided('wasmedg') },
      /runtime handler "wasmedg" is not a supported Wasm runtime: use one of wasmedge, wasmtime, wasmer/],
    ['bad health path', { healthPath: 'healthz' }, /healthPath "healthz" must be an absolute HTTP path starting with '\/'/],
    ['bad env name', { env: { '1BAD': 'x' } }, /env key "1BAD" is not a valid environment variable name/],
    ['replicas out of range', { replicas: 9000 }, /replicas \(9000\) must be an integer from 0 to 5000/],
    ['bad maxUnavailable', { maxUnavailable: '0%' }, /maxUnavailable "0%" must be a pod count or a percentage from 1% to 100%/],
    ['maxUnavailable with a quote and a newline, printed on one line', { maxUnavailable: '1"\n0%' }, /maxUnavailable "1\\"\\n0%" must be a pod count/],
    ['drain as long as the grace period', { drain: Duration.seconds(10) },
      /drain \(10s\) must be shorter than the pods' terminationGracePeriodSeconds \(10\), or they are killed before the drain ends: use Duration.seconds\(0-9\)/],
    ['drain in milliseconds', { drain: Duration.millis(1500) }, /drain \(1500 ms\) must be whole seconds: preStop sleep takes seconds; use Duration.seconds\(0-9\)/],
  ])('%s', (_case, props, message) => {
    expect(problems(props)).toMatch(message);
  });

  test('pods drain for 5 s before SIGTERM, inside the grace period', () => {
    // GIVEN a function with the default drain
    const objects = objectsOf(functionChart().chart);
    // THEN the container pauses in preStop (a sleep: a FROM-scratch image has no shell) and
    // the grace period leaves the module time to stop after it
    expect(podSpec(objects, 'containers.0.lifecycle')).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(podSpec(objects, 'terminationGracePeriodSeconds')).toBe(10);
    const deployment = findOne(objects, 'Deployment');
    expect(formatViolations(deployment, kubeValidator().validate(deployment))).toBe('');
  });

  test('pods spread over nodes only, unless zones are asked for', () => {
    // GIVEN the default (K3s nodes carry no zone label) and a function on a zoned cluster
    const keys = (props: Partial<WasmFunctionProps>) => (podSpec(objectsOf(functionChart(props).chart), 'topologySpreadConstraints') as { topologyKey: string }[])
      .map((c) => c.topologyKey);
    // THEN a zone constraint appears only when asked for: on nodes without the key the
    // scheduler would ignore the hostname spread too
    expect(keys({})).toEqual(['kubernetes.io/hostname']);
    expect(keys({ spreadOverZones: true })).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
  });

  test('a drain of 0 s leaves no preStop hook', () => {
    const objects = objectsOf(functionChart({ drain: Duration.seconds(0) }).chart);
    expect(podSpec(objects, 'containers.0.lifecycle')).toBeUndefined();
  });

  test('a mutable tag is accepted when explicitly allowed', () => {
    expect(problems({ image: 'registry.example.com/price:1.2.3', allowMutableTag: true })).toBe('');
  });

  test('a function outside any namespace is refused', () => {
    const app = testApp();
    new WasmFunction(new Chart(app, 'NoNamespace'), 'Price', { name: 'price', image: IMAGE });
    expect(problemsOf(app).join('\n')).toMatch(/\[NoNamespace\/Price\] namespace is not set: pass namespace, or create the function in a chart that has a namespace/);
  });

  test('duplicate names in one namespace are one problem, at the second, naming the first', () => {
    const { app } = functionChart();
    const other = new Chart(app, 'More', { namespace: 'functions-catalog' });
    new WasmFunction(other, 'PriceAgain', { name: 'price', image: IMAGE });
    new WasmFunction(new Chart(app, 'Elsewhere', { namespace: 'other' }), 'Price', { name: 'price', image: IMAGE });
    const problems = problemsOf(app);
    expect(problems).toEqual(['[More/PriceAgain] name "price" is already used in namespace "functions-catalog" by Functions/Price: function names must be unique per namespace']);
  });

  test('every problem is reported at once, and synth writes nothing', () => {
    const { app } = functionChart({ name: 'Bad_Name', image: 'x:latest', port: 0, resources: { cpuRequest: 'lots' } });
    let error: unknown;
    try {
      renderApp(app);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthValidationError);
    const problems = (error as SynthValidationError).problems;
    expect(problems).toHaveLength(4);
    expect((error as Error).message).toMatch(/^Synthesis failed with 4 problems; nothing was written:/);
  });

  test('partOf and version become label values and are held to the label rules', () => {
    const { app } = functionChart({ partOf: 'ecommerce platform', version: 'v'.repeat(64) });
    expect(problemsOf(app)).toEqual([
      '[Functions/Price] partOf "ecommerce platform" is not a valid label value (it becomes the label app.kubernetes.io/part-of): use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      `[Functions/Price] version "${'v'.repeat(64)}" is not a valid label value (it becomes the label app.kubernetes.io/version): use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    ]);
    expect(problemsOf(functionChart({ partOf: 'ecommerce-platform', version: '2.1.0' }).app)).toEqual([]);
  });

  test('config over the 1 MiB a ConfigMap holds is refused', () => {
    const { app } = functionChart({ config: { CATALOG: 'x'.repeat(600 * 1024), PRICES: 'y'.repeat(500 * 1024) } });
    expect(problemsOf(app)).toEqual([
      '[Functions/Price] config holds 1126413 bytes of keys and values: a ConfigMap holds at most 1048576 bytes (1 MiB); move the large values elsewhere (an image, a volume)',
    ]);
    expect(problemsOf(functionChart({ config: { CATALOG: 'x'.repeat(1000 * 1024) } }).app)).toEqual([]);
  });

  test('a bad function name is reported once, by the function, not again by each route, autoscaler and dashboard derived from it', () => {
    // GIVEN a function with an invalid name, routed, autoscaled and watched
    const { app, chart, fn } = functionChart({ name: 'Price_1' });
    const gateway = new FunctionGateway(new Chart(app, 'Gateway', { namespace: 'gateway' }), 'Gateway', {
      provider: GatewayProvider.envoyGateway(), routeNamespaces: ['functions-catalog'],
    });
    gateway.addRoute(chart, 'Route', { public: true, function: fn });
    new HorizontalFunctionAutoscaler(chart, 'Scaler', { target: fn, minReplicas: 2, maxReplicas: 10 });
    new ObservabilityStack(new Chart(app, 'Monitoring', { namespace: 'monitoring' }), 'Stack').addFunction(fn);
    // THEN one problem: before, the route, the HPA and every generated query reported it again
    expect(problemsOf(app)).toEqual([
      '[Functions/Price] name "Price_1" is not a DNS-1123 label usable as a Service name: use 1-63 lowercase letters, digits or \'-\', starting with a letter and ending with a letter or digit (for example "product-detail")',
    ]);
  });
});
