import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { FunctionNamespace, renderApp, WasmFunction } from '../../lib';
import { problemsOf, testApp } from '../support/synth';

const IMAGE = 'registry.shop.example.com/functions/price@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';

describe('objects a cluster would hold as one', () => {
  test('the same kind, namespace and name emitted twice is one problem, naming both constructs', () => {
    // GIVEN a hand-written ConfigMap that a second chart repeats
    const app = testApp();
    new k8s.KubeConfigMap(new Chart(app, 'One', { namespace: 'shop' }), 'Settings', { metadata: { name: 'settings' }, data: {} });
    new k8s.KubeConfigMap(new Chart(app, 'Two', { namespace: 'shop' }), 'Settings', { metadata: { name: 'settings' }, data: {} });
    new k8s.KubeConfigMap(new Chart(app, 'Three', { namespace: 'other' }), 'Settings', { metadata: { name: 'settings' }, data: {} });
    // THEN one problem, at the second
    expect(problemsOf(app)).toEqual([
      '[Two/Settings] ConfigMap shop/settings is also emitted by One/Settings: a cluster holds one object per kind, namespace and name, so one would overwrite the other; rename one or remove it',
    ]);
    expect(() => renderApp(app)).toThrow(/Synthesis failed with 1 problem;/);
  });

  test('names that are Lazy until rendered are compared as rendered, and printed so', () => {
    // GIVEN ConfigMaps whose names are produced at synth: two differ, two are the same
    const app = testApp();
    const named = (chart: string, name: string) => new k8s.KubeConfigMap(new Chart(app, chart, { namespace: 'shop' }), 'Settings', {
      metadata: { name: Lazy.any({ produce: () => name }) as unknown as string }, data: {},
    });
    named('One', 'settings-a');
    named('Two', 'settings-b');
    named('Three', 'settings-b');
    // THEN only the real collision, under its rendered name (not one "[object Object]" group of all three)
    expect(problemsOf(app)).toEqual([
      '[Three/Settings] ConfigMap shop/settings-b is also emitted by Two/Settings: a cluster holds one object per kind, namespace and name, so one would overwrite the other; rename one or remove it',
    ]);
  });

  test('a construct that reports its own repeated name is not reported again per object', () => {
    // GIVEN two functions with one name: Deployment, Service, ServiceAccount, PDB and NetworkPolicy would all collide
    const app = testApp();
    new WasmFunction(new Chart(app, 'A', { namespace: 'shop' }), 'Price', { name: 'price', image: IMAGE });
    new WasmFunction(new Chart(app, 'B', { namespace: 'shop' }), 'Price', { name: 'price', image: IMAGE });
    // THEN one problem, in the user's terms
    expect(problemsOf(app)).toEqual([
      '[B/Price] name "price" is already used in namespace "shop" by A/Price: function names must be unique per namespace',
    ]);
  });

  test('a FunctionNamespace and a hand-written Namespace of one name are reported by the app-wide check', () => {
    const app = testApp();
    const base = new Chart(app, 'Base');
    new FunctionNamespace(base, 'Shop', { name: 'shop' });
    new k8s.KubeNamespace(base, 'Manual', { metadata: { name: 'shop' } });
    expect(problemsOf(app)).toEqual([
      '[Base/Manual] Namespace shop is also emitted by Base/Shop/Resource: a cluster holds one object per kind, namespace and name, so one would overwrite the other; rename one or remove it',
    ]);
  });

  test('a crafted value prints on one line: it cannot fake a problem line in a CI log', () => {
    // GIVEN a function whose name carries a newline and what looks like a second, passing problem
    const app = testApp();
    new WasmFunction(new Chart(app, 'Functions', { namespace: 'shop' }), 'Price', { name: 'price\n  - [Functions/Other] nothing wrong', image: IMAGE });
    // THEN the message is one line, the value escaped
    let message = '';
    try {
      renderApp(app);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Synthesis failed with 1 problem; nothing was written:',
      '  - [Functions/Price] name "price\\n  - [Functions/Other] nothing wrong" is not a DNS-1123 label usable as a Service name: use 1-63 lowercase letters, digits or \'-\', starting with a letter and ending with a letter or digit (for example "product-detail")',
    ]);
  });
});
