import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, LazyResolver, ResolutionContext, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlainApiObject, plainlyRendered } from '../../lib/synth/plain-api-object';
import * as plain from '../../lib/synth/plain-bindings';

type DeploymentClass = typeof k8s.KubeDeployment;

/**
 * Builds the same app twice, once with the generated KubeDeployment and once with its plainly
 * rendered subclass, and returns both renderings of the object `setup` returns, as JSON text
 * (so key order counts), with how often cdk8s's LazyResolver ran for each.
 */
function renderBothWays(setup: (app: App, Deployment: DeploymentClass) => ApiObject, appProps?: { resolvers?: IResolver[] }) {
  const render = (Deployment: DeploymentClass) => {
    const spy = jest.spyOn(LazyResolver.prototype, 'resolve');
    try {
      const app = Testing.app(appProps);
      const obj = setup(app, Deployment);
      const json = JSON.stringify(obj.toJson());
      return { json, resolverCalls: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  };
  return { cdk8s: render(k8s.KubeDeployment), plain: render(plain.KubeDeployment) };
}

function deployment(scope: Construct, Deployment: DeploymentClass, spec: Partial<k8s.DeploymentSpec> = {}): ApiObject {
  return new Deployment(scope, 'Deployment', {
    metadata: { name: 'price', labels: { app: 'price' } },
    spec: {
      selector: { matchLabels: { app: 'price' } },
      template: {
        metadata: { labels: { app: 'price' } },
        spec: { containers: [{ name: 'main', image: 'registry.example.com/price:1', ports: [{ containerPort: 8080 }] }] },
      },
      ...spec,
    },
  });
}

describe('plainly rendered bindings', () => {
  test('render what cdk8s renders, without its per-value resolution', () => {
    // GIVEN a Deployment
    // WHEN it is rendered both ways
    const { cdk8s, plain: fast } = renderBothWays((app, D) => deployment(new Chart(app, 'Shop', { namespace: 'shop' }), D));
    // THEN the same JSON, key for key, and cdk8s's resolvers ran only for the metadata
    // (cdk8s's own metadata.toJson()), not for every value of the spec
    expect(fast.json).toEqual(cdk8s.json);
    expect(cdk8s.resolverCalls).toBeGreaterThan(20);
    expect(fast.resolverCalls).toBeLessThan(cdk8s.resolverCalls / 2);
  });

  test('apply JSON patches added with addJsonPatch, after rendering and before the converter', () => {
    const { cdk8s, plain: fast } = renderBothWays((app, D) => {
      const obj = deployment(new Chart(app, 'Shop'), D);
      obj.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'registry.example.com/price:2'));
      obj.addJsonPatch(JsonPatch.add('/spec/replicas', 3), JsonPatch.remove('/metadata/labels/app'));
      // A field the binding does not know: the generated converter drops it on both paths.
      obj.addJsonPatch(JsonPatch.add('/spec/unknownField', true));
      return obj;
    });
    expect(fast.json).toEqual(cdk8s.json);
    expect(JSON.parse(fast.json).spec.replicas).toBe(3);
    expect(JSON.parse(fast.json).spec.template.spec.containers[0].image).toBe('registry.example.com/price:2');
    expect(fast.resolverCalls).toBeLessThan(cdk8s.resolverCalls / 2);
  });

  test('carry labels, annotations, finalizers and metadata fields added after construction', () => {
    const { cdk8s, plain: fast } = renderBothWays((app, D) => {
      const obj = deployment(new Chart(app, 'Shop'), D);
      obj.metadata.addLabel('team', 'pricing');
      obj.metadata.addAnnotation('example.com/owner', 'pricing');
      obj.metadata.addFinalizers('example.com/keep');
      obj.metadata.add('generateName', 'price-');
      return obj;
    });
    expect(fast.json).toEqual(cdk8s.json);
    expect(JSON.parse(fast.json).metadata).toMatchObject({ labels: { team: 'pricing' }, annotations: { 'example.com/owner': 'pricing' } });
  });

  test('resolve Lazy values, nested Lazy values, implicit tokens and number-or-string unions when rendered', () => {
    let replicas = 1;
    const { cdk8s, plain: fast } = renderBothWays((app, D) => {
      const obj = deployment(new Chart(app, 'Shop'), D, {
        replicas: Lazy.any({ produce: () => replicas }),
        minReadySeconds: Lazy.any({ produce: () => undefined }),
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: Lazy.any({ produce: () => ({ maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: Lazy.any({ produce: () => k8s.IntOrString.fromNumber(0) }) }) }),
        },
        revisionHistoryLimit: { resolve: () => 4 } as unknown as number,
      });
      // Changed after construction: a Lazy reads it when rendered.
      replicas = 5;
      return obj;
    });
    expect(fast.json).toEqual(cdk8s.json);
    const spec = JSON.parse(fast.json).spec;
    expect(spec).toMatchObject({ replicas: 5, revisionHistoryLimit: 4, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } } });
    expect(spec.minReadySeconds).toBeUndefined();
  });

  test('are found by ApiObject.of(...), and what is set through it is rendered', () => {
    const { cdk8s, plain: fast } = renderBothWays((app, D) => {
      const wrapper = new Construct(new Chart(app, 'Shop'), 'Price');
      deployment(wrapper, D);
      wrapper.node.defaultChild = wrapper.node.findChild('Deployment');
      const obj = ApiObject.of(wrapper);
      obj.addJsonPatch(JsonPatch.add('/spec/paused', true));
      obj.metadata.addLabel('via', 'of');
      return obj;
    });
    expect(fast.json).toEqual(cdk8s.json);
    expect(JSON.parse(fast.json)).toMatchObject({ spec: { paused: true }, metadata: { labels: { via: 'of' } } });
    expect(fast.resolverCalls).toBeLessThan(cdk8s.resolverCalls / 2);
  });

  test('carry the chart\'s labels and namespace', () => {
    const { cdk8s, plain: fast } = renderBothWays((app, D) => deployment(new Chart(app, 'Shop', { namespace: 'shop', labels: { tier: 'backend', app: 'chart' } }), D));
    expect(fast.json).toEqual(cdk8s.json);
    expect(JSON.parse(fast.json).metadata).toMatchObject({ namespace: 'shop', labels: { tier: 'backend', app: 'price' } });
  });

  test('leave an app with resolvers of its own to cdk8s, which runs them', () => {
    // GIVEN an app resolver that replaces every "registry.example.com" image
    class MirrorImages implements IResolver {
      public resolve(context: ResolutionContext): void {
        if (typeof context.value === 'string' && context.value.startsWith('registry.example.com/')) {
          context.replaceValue(context.value.replace('registry.example.com/', 'mirror.example.com/'));
        }
      }
    }
    const { cdk8s, plain: fast } = renderBothWays((app, D) => deployment(new Chart(app, 'Shop'), D), { resolvers: [new MirrorImages()] });
    // THEN the resolver's output, on both paths
    expect(fast.json).toEqual(cdk8s.json);
    expect(JSON.parse(fast.json).spec.template.spec.containers[0].image).toBe('mirror.example.com/price:1');
  });

  test('fail as cdk8s fails on a value that is not plain data, and wrap a failing Lazy the same way', () => {
    const failures = (D: DeploymentClass) => {
      const app = Testing.app();
      const chart = new Chart(app, 'Shop');
      const notPlain = new D(chart, 'NotPlain', { spec: { selector: {}, template: {}, paused: new Map() as unknown as boolean } });
      const failing = new D(chart, 'Failing', { spec: { selector: {}, template: {}, replicas: Lazy.any({ produce: () => { throw new Error('no replicas yet'); } }) } });
      const message = (obj: ApiObject) => { try { obj.toJson(); return 'rendered'; } catch (e) { return (e as Error).message; } };
      return [message(notPlain), message(failing)];
    };
    const ours = failures(plain.KubeDeployment);
    expect(ours).toEqual(failures(k8s.KubeDeployment));
    expect(ours[0]).toMatch(/can't render non-simple object of type 'Map'/);
    expect(ours[1]).toMatch(/^Failed serializing construct at path 'Shop\/Failing' .*no replicas yet/);
  });

  test('a plainly rendered binding is still the generated binding', () => {
    const app = Testing.app();
    const obj = new plain.KubeConfigMap(new Chart(app, 'Shop'), 'Settings', { data: { a: '1' } });
    expect(obj).toBeInstanceOf(k8s.KubeConfigMap);
    expect(obj.kind).toBe('ConfigMap');
    // The generated binding's GVK comes first, as the generated toJson() puts it.
    expect(Object.keys(obj.toJson()).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
    const Again = plainlyRendered(k8s.KubeConfigMap, k8s.toJson_KubeConfigMapProps);
    expect(JSON.stringify(new Again(new Chart(app, 'Other'), 'Settings', { data: { a: '1' } }).toJson().data)).toEqual('{"a":"1"}');
  });
});

describe('PlainApiObject', () => {
  /** The same hand-written object built as a PlainApiObject and as a plain ApiObject, rendered as JSON text. */
  function both(setup: (scope: Construct, Kind: typeof ApiObject) => ApiObject, appProps?: { resolvers?: IResolver[] }): { cdk8s: string; plain: string } {
    const render = (Kind: typeof ApiObject) => {
      const app = Testing.app(appProps);
      return JSON.stringify(setup(new Chart(app, 'Policies', { labels: { team: 'platform' } }), Kind).toJson());
    };
    return { cdk8s: render(ApiObject), plain: render(PlainApiObject) };
  }

  const constraint = (scope: Construct, Kind: typeof ApiObject) => new Kind(scope, 'Repos', {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: 'K8sAllowedRepos',
    metadata: { name: 'allowed-repos', annotations: { note: 'b' } },
    spec: {
      enforcementAction: 'deny',
      match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], excludedNamespaces: [] },
      parameters: { repos: Lazy.any({ produce: () => ['registry.example.com/'] }), zeta: undefined, alpha: null },
    },
  });

  test('renders what ApiObject renders: sorted keys, Lazy values, chart labels, no null or undefined', () => {
    const { cdk8s, plain: fast } = both(constraint);
    expect(fast).toEqual(cdk8s);
    expect(JSON.parse(fast).spec.parameters).toEqual({ repos: ['registry.example.com/'] });
  });

  test('keeps JSON patches, labels and annotations added later, and ApiObject.of', () => {
    const { cdk8s, plain: fast } = both((scope, Kind) => {
      const obj = constraint(scope, Kind);
      obj.addJsonPatch(JsonPatch.add('/spec/parameters/extra', ['x']), JsonPatch.replace('/spec/enforcementAction', 'warn'));
      obj.metadata.addLabel('late', 'yes');
      ApiObject.of(obj).metadata.addAnnotation('also', 'late');
      return obj;
    });
    expect(fast).toEqual(cdk8s);
    expect(JSON.parse(fast)).toMatchObject({
      metadata: { labels: { late: 'yes', team: 'platform' }, annotations: { also: 'late', note: 'b' } },
      spec: { enforcementAction: 'warn', parameters: { extra: ['x'] } },
    });
  });

  test('leaves an app with resolvers of its own to cdk8s', () => {
    class Upper implements IResolver {
      public resolve(context: ResolutionContext): void {
        if (context.value === 'deny') context.replaceValue('DENY');
      }
    }
    const { cdk8s, plain: fast } = both(constraint, { resolvers: [new Upper()] });
    expect(fast).toEqual(cdk8s);
    expect(JSON.parse(fast).spec.enforcementAction).toBe('DENY');
  });
});
