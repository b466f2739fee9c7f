import * as yaml from 'js-yaml';
import { KubeManifest, renderApp } from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { testApp } from '../support/synth';

const files = renderApp((() => { const app = testApp(); buildReferencePlatform(app); return app; })());
const load = (path: string) => yaml.loadAll(files.find((f) => f.path === path)!.content) as (KubeManifest & Record<string, any>)[];
const base = load('platform-base/platform-base.k8s.yaml');
const gitops = load('gitops/gitops.k8s.yaml');

describe('reference platform teams', () => {
  test('catalog and orders quotas: every function at maxReplicas with its 25 % surge, plus 20 % (hand-computed)', () => {
    // catalog, default sizing 10m/100m/32Mi/64Mi unless said:
    //   product-detail 600+150, price 600+150, inventory 300+75, reviews 40+10, price-canary 80+20 = 2025 pods
    //   search 400+100 (20m/200m/64Mi/128Mi), recommend 200+50 (20m/150m/48Mi/96Mi)
    //   pods 2775 × 1.2 = 3330; requests.cpu 20.25 + 10 + 5 = 35.25 × 1.2 = 42.3 cores
    //   limits.cpu 202.5 + 100 + 37.5 = 340 × 1.2 = 408; requests.memory 64800 + 32000 + 12000 = 108800Mi × 1.2 = 130560Mi
    //   limits.memory 129600 + 64000 + 24000 = 217600Mi × 1.2 = 261120Mi = 255Gi
    // orders: cart 600+150, flash-sale 1500+375 (default sizing), checkout 800+200 (25m/200m/48Mi/96Mi)
    //   pods 3625 × 1.2 = 4350; requests.cpu 26.25 + 25 = 51.25 × 1.2 = 61.5; limits.cpu 262.5 + 200 = 462.5 × 1.2 = 555
    //   requests.memory 84000 + 48000 = 132000Mi × 1.2 = 158400Mi; limits.memory 264000Mi × 1.2 = 316800Mi
    const hard = (ns: string) => base.find((o) => o.kind === 'ResourceQuota' && o.metadata?.namespace === ns)!.spec.hard;
    expect(hard('functions-catalog')).toEqual({ 'pods': '3330', 'requests.cpu': '42300m', 'limits.cpu': '408', 'requests.memory': '130560Mi', 'limits.memory': '255Gi' });
    expect(hard('functions-orders')).toEqual({ 'pods': '4350', 'requests.cpu': '61500m', 'limits.cpu': '555', 'requests.memory': '158400Mi', 'limits.memory': '316800Mi' });
  });

  test('quotas and LimitRanges arrive with the namespaces, in the wave-0 Application, before any function pod', () => {
    for (const kind of ['ResourceQuota', 'LimitRange', 'Role', 'RoleBinding']) {
      expect(base.filter((o) => o.kind === kind).map((o) => [o.metadata?.namespace, o.metadata?.annotations?.['argocd.argoproj.io/sync-wave']]))
        .toEqual([['functions-catalog', '0'], ['functions-orders', '0']]);
    }
    const wave = (name: string) => Number(gitops.find((o) => o.kind === 'Application' && o.metadata?.name === name)!.metadata!.annotations!['argocd.argoproj.io/sync-wave']);
    expect(wave('platform-base')).toBe(0);
    expect(wave('catalog-functions')).toBeGreaterThan(wave('platform-base'));
    expect(wave('orders-functions')).toBeGreaterThan(wave('platform-base'));
  });

  test('an AppProject per team, limited to its namespace; the LimitRange admits the largest reviewed sizing', () => {
    const projects = gitops.filter((o) => o.kind === 'AppProject').map((o) => [o.metadata?.name, o.spec.destinations.map((d: { namespace: string }) => d.namespace)]);
    expect(projects).toEqual([['catalog', ['functions-catalog']], ['orders', ['functions-orders']], ['ecommerce-platform', expect.any(Array)]]);
    expect(base.filter((o) => o.kind === 'LimitRange').map((o) => o.spec.limits[0].max)).toEqual([{ cpu: '200m', memory: '128Mi' }, { cpu: '200m', memory: '128Mi' }]);
    expect(base.filter((o) => o.kind === 'RoleBinding').map((o) => o.subjects[0].name)).toEqual(['catalog-developers', 'orders-developers']);
  });
});
