import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import {
  APPLICATION_HEALTH_KEY, RESOURCE_TRACKING_KEY, describeObject, findDependencies, isOrderRespected, KubeManifest, OutputArtifact,
  GitOpsDelivery, renderApp, SynthValidationError, SyncWave, waveOfManifest,
} from '../../lib';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { problemsOf } from '../support/synth';
import { fixtureCharts, REPO, withDelivery } from './fixture-app';

type Json = Record<string, any>;

function render(f: ReturnType<typeof withDelivery>) {
  const files = renderApp(f.app);
  const docs = (p: string) => yaml.loadAll(files.find((x) => x.path === p)!.content) as Json[];
  const manifests = files.filter((x) => x.path.endsWith('.k8s.yaml')).flatMap((x) => (yaml.loadAll(x.content) as KubeManifest[]).map((m) => ({ file: x.path, m })));
  const gitops = docs('gitops/gitops.k8s.yaml');
  const app = (name: string) => gitops.find((d) => d.kind === 'Application' && d.metadata.name === name)!;
  return { files, docs, manifests, gitops, app, project: gitops.find((d) => d.kind === 'AppProject')! };
}

describe('GitOpsDelivery', () => {
  test('emits the AppProject, one Application per chart and the bootstrap files', () => {
    // GIVEN six charts WHEN delivered
    const f = withDelivery(fixtureCharts(), { targetRevision: 'main', projectName: 'platform' });
    const out = render(f);
    // THEN the Argo CD objects and bootstrap files are what the snapshots hold
    expect(out.gitops).toMatchSnapshot('gitops chart');
    expect(out.files.filter((x) => x.path.startsWith('bootstrap/')).map((x) => [x.path, x.content])).toMatchSnapshot('bootstrap');
    expect(out.gitops.filter((d) => d.kind === 'Application').map((d) => d.metadata.name)).toEqual([
      'platform-base', 'policy', 'catalog-functions', 'autoscaling', 'gateway', 'observability',
    ]);
    expect(out.app('catalog-functions').spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/catalog-functions' });
    // Nothing but manifests in an application folder; bootstrap files outside every one.
    expect(out.files.map((x) => x.path).sort()).toEqual([
      'autoscaling/autoscaling.k8s.yaml', 'bootstrap/argocd-cm-application-health.yaml', 'bootstrap/root-application.yaml',
      'catalog-functions/catalog-functions.k8s.yaml', 'gateway/gateway.k8s.yaml', 'gitops/gitops.k8s.yaml',
      'observability/observability.k8s.yaml', 'platform-base/platform-base.k8s.yaml', 'policy/policy.k8s.yaml',
    ]);
  });

  test('every Argo CD object is valid against the CRD schemas, strictly', () => {
    const out = render(withDelivery(fixtureCharts()));
    const argo = [...out.gitops, ...out.docs('bootstrap/root-application.yaml'), ...out.docs('bootstrap/argocd-cm-application-health.yaml')];
    expect(argo.map((d) => d.kind).sort()).toEqual(['AppProject', 'AppProject', 'Application', 'Application', 'Application', 'Application', 'Application', 'Application', 'Application', 'ConfigMap']);
    const validator = kubeValidator();
    expect(argo.map((d) => formatViolations(d, validator.validate(d))).filter((t) => t !== '')).toEqual([]);
  });

  test('every object gets a wave from the table, and every dependency is in an earlier wave', () => {
    const out = render(withDelivery(fixtureCharts()));
    const objects = out.manifests.map((x) => x.m);
    // THEN no object lacks a wave
    expect(objects.filter((m) => waveOfManifest(m) === undefined).map(describeObject)).toEqual([]);
    const waveOf = (kind: string) => waveOfManifest(objects.find((m) => m.kind === kind)!);
    expect({
      Namespace: waveOf('Namespace'), ConstraintTemplate: waveOf('ConstraintTemplate'), K8sRequiredLabels: waveOf('K8sRequiredLabels'),
      ValidatingAdmissionPolicy: waveOf('ValidatingAdmissionPolicy'), ValidatingAdmissionPolicyBinding: waveOf('ValidatingAdmissionPolicyBinding'),
      Deployment: waveOf('Deployment'), HorizontalPodAutoscaler: waveOf('HorizontalPodAutoscaler'), Gateway: waveOf('Gateway'),
      HTTPRoute: waveOf('HTTPRoute'), ServiceMonitor: waveOf('ServiceMonitor'), SecurityPolicy: waveOf('SecurityPolicy'),
    }).toEqual({
      Namespace: 0, ConstraintTemplate: 1, K8sRequiredLabels: 2, ValidatingAdmissionPolicy: 1, ValidatingAdmissionPolicyBinding: 2,
      Deployment: 3, HorizontalPodAutoscaler: 4, Gateway: 3, HTTPRoute: 4, ServiceMonitor: 4, SecurityPolicy: 5,
    });
    // AND every dependency the objects express by name is respected, within an Application by
    // object waves, across Applications by Application waves
    const appOf = new Map(out.manifests.map((x) => [x.m, x.file.split('/')[0]]));
    const appWave = (m: KubeManifest) => Number(out.app(appOf.get(m)!).metadata.annotations['argocd.argoproj.io/sync-wave']);
    const deps = findDependencies(objects);
    const broken = deps.filter((d) => (appOf.get(d.from) === appOf.get(d.to)
      ? !isOrderRespected(d, waveOfManifest(d.from)!, waveOfManifest(d.to)!)
      : !(appWave(d.from) > appWave(d.to))));
    expect(broken.map((d) => `${describeObject(d.from)} -> ${describeObject(d.to)}`)).toEqual([]);
    // The check is not vacuous: the edges that matter are there.
    const edges = deps.map((d) => `${d.from.kind} -> ${d.to.kind}`);
    expect(edges).toEqual(expect.arrayContaining([
      'K8sRequiredLabels -> ConstraintTemplate', 'ValidatingAdmissionPolicyBinding -> ValidatingAdmissionPolicy',
      'HorizontalPodAutoscaler -> Deployment', 'HTTPRoute -> Gateway', 'HTTPRoute -> Service', 'SecurityPolicy -> HTTPRoute',
      'Deployment -> ServiceAccount', 'Deployment -> Namespace',
    ]));
  });

  test('Applications are ordered by waves: base, policy, functions, then what depends on the functions', () => {
    const out = render(withDelivery(fixtureCharts()));
    const waves = Object.fromEntries(out.gitops.map((d) => [`${d.kind}/${d.metadata.name}`, d.metadata.annotations['argocd.argoproj.io/sync-wave']]));
    expect(waves).toEqual({
      // An Application takes the wave of its latest object: policy holds templates (1) and
      // constraints (2); the gateway's route policies are wave 5.
      'AppProject/platform': '-1', 'Application/platform-base': '0', 'Application/policy': '2', 'Application/catalog-functions': '3',
      'Application/autoscaling': '4', 'Application/gateway': '5', 'Application/observability': '4',
    });
  });

  test('sync policy: automated prune and self-heal, server-side apply, retry with backoff; skip dry run only where CRs are', () => {
    const out = render(withDelivery(fixtureCharts()));
    for (const d of out.gitops.filter((x) => x.kind === 'Application')) {
      expect(d.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(d.spec.syncPolicy.retry).toEqual({ limit: 10, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } });
      expect(d.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
      expect(d.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/foreground']);
    }
    const options = (name: string) => out.app(name).spec.syncPolicy.syncOptions;
    expect(options('policy')).toContain('SkipDryRunOnMissingResource=true');
    expect(options('gateway')).toContain('SkipDryRunOnMissingResource=true');
    expect(options('catalog-functions')).not.toContain('SkipDryRunOnMissingResource=true');
    // A declared namespace comes from its declaration; an undeclared one is created.
    expect(options('catalog-functions')).not.toContain('CreateNamespace=true');
    expect(options('gateway')).toContain('CreateNamespace=true');
    // Every Gatekeeper constraint skips the dry run itself, whatever its Application does.
    const constraint = out.manifests.find((x) => x.m.kind === 'K8sRequiredLabels')!.m;
    expect(constraint.metadata?.annotations?.['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    // Namespaces are never pruned nor deleted with their Application.
    const ns = out.manifests.find((x) => x.m.kind === 'Namespace')!.m;
    expect(ns.metadata?.annotations?.['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });

  test('replicas an autoscaler owns are ignored, and a sync respects that', () => {
    // GIVEN a Deployment that still carries replicas under an HPA (nothing attached it)
    const out = render(withDelivery(fixtureCharts(undefined, { hpaKeepsReplicas: true })));
    const app = out.app('catalog-functions');
    expect(app.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'price', namespace: 'functions-catalog', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  test('a Deployment an autoscaler owns keeps its live replicas when a sync drops them from the manifest', () => {
    // GIVEN a function whose autoscaler owns the count, so its Deployment carries no replicas
    // (as after running with fixed replicas): server-side apply would reset the field to 1
    const out = render(withDelivery(fixtureCharts()));
    const deployment = out.manifests.find((x) => x.m.kind === 'Deployment' && x.m.metadata?.name === 'price')!.m;
    expect((deployment as Json).spec.replicas).toBeUndefined();
    // THEN its Application ignores replicas and respects that in the sync: Argo CD applies the live count
    const app = out.app('catalog-functions');
    expect(app.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'price', namespace: 'functions-catalog', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    // AND an Application without autoscaled workloads ignores nothing
    expect(out.app('gateway').spec.ignoreDifferences).toBeUndefined();
    expect(out.app('gateway').spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
  });

  test('the AppProject allows exactly the platform namespaces and the kinds emitted', () => {
    const { project } = render(withDelivery(fixtureCharts()));
    expect(project.spec.sourceRepos).toEqual([REPO]);
    expect(project.spec.destinations).toEqual([
      { namespace: 'argocd', server: 'https://kubernetes.default.svc' },
      { namespace: 'functions-catalog', server: 'https://kubernetes.default.svc' },
      { namespace: 'gateway', server: 'https://kubernetes.default.svc' },
      { namespace: 'monitoring', server: 'https://kubernetes.default.svc' },
      { server: 'https://kubernetes.default.svc' },
    ]);
    expect(project.spec.clusterResourceWhitelist.map((k: Json) => `${k.group}/${k.kind}`)).toEqual([
      '/Namespace', 'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
      'constraints.gatekeeper.sh/K8sRequiredLabels', 'templates.gatekeeper.sh/ConstraintTemplate',
    ]);
    expect(project.spec.namespaceResourceWhitelist.map((k: Json) => `${k.group}/${k.kind}`)).toEqual([
      '/ConfigMap', '/Service', '/ServiceAccount', 'apps/Deployment', 'argoproj.io/Application', 'argoproj.io/AppProject',
      'autoscaling/HorizontalPodAutoscaler', 'gateway.envoyproxy.io/SecurityPolicy', 'gateway.networking.k8s.io/Gateway',
      'gateway.networking.k8s.io/HTTPRoute', 'monitoring.coreos.com/ServiceMonitor', 'networking.k8s.io/NetworkPolicy',
      'policy/PodDisruptionBudget',
    ]);
  });

  test('the argocd-cm patch restores the Application health check and tracks by annotation', () => {
    const [patch] = render(withDelivery(fixtureCharts())).docs('bootstrap/argocd-cm-application-health.yaml');
    expect(patch.metadata).toEqual({ name: 'argocd-cm', namespace: 'argocd' });
    expect(Object.keys(patch.data).sort()).toEqual([RESOURCE_TRACKING_KEY, APPLICATION_HEALTH_KEY].sort());
    // Argo CD's label tracking (its default before 3.0) rewrites app.kubernetes.io/instance.
    expect(patch.data[RESOURCE_TRACKING_KEY]).toBe('annotation');
    expect(patch.data[APPLICATION_HEALTH_KEY]).toMatch(/hs.status = obj.status.health.status/);
  });

  test('charts mapped to one concern become one Application with a source per folder', () => {
    const f = withDelivery(fixtureCharts(), {
      applicationOf: (chart: Chart) => (['Autoscaling', 'Gateway', 'Observability'].includes(chart.node.id) ? 'edge' : chart.node.id.toLowerCase()),
    });
    const out = render(f);
    const edge = out.app('edge');
    expect(edge.spec.sources.map((s: Json) => s.path)).toEqual(['dist/autoscaling', 'dist/gateway', 'dist/observability']);
    expect(edge.spec.source).toBeUndefined();
    expect(edge.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('5');
  });
});

describe('GitOpsDelivery rules', () => {
  test('an application path that does not exist in the output', () => {
    const f = withDelivery(fixtureCharts(), { additionalApplications: [{ name: 'keda', folder: 'vendor/keda', wave: SyncWave.FOUNDATION }] });
    expect(problemsOf(f.app)).toEqual([
      expect.stringMatching(/^\[Gitops\/Delivery\] application "keda" path "dist\/vendor\/keda" does not exist in the output: the synth writes "dist\/autoscaling", .*"dist\/policy"$/),
    ]);
    expect(() => renderApp(f.app)).toThrow(/application "keda" path "dist\/vendor\/keda" does not exist in the output/);
  });

  test('a folder written by an artifact is a valid application path', () => {
    const charts = fixtureCharts();
    new OutputArtifact(charts.app, 'Keda', { path: 'vendor/keda/keda.yaml', render: () => 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: keda\n' });
    const f = withDelivery(charts, { additionalApplications: [{ name: 'keda', folder: 'vendor/keda', wave: SyncWave.FOUNDATION, namespace: 'keda' }] });
    expect(problemsOf(f.app)).toEqual([]);
    expect(render(f).app('keda').spec.source.path).toBe('dist/vendor/keda');
  });

  test('two applications owning the same object: one problem (the app-wide duplicate), not a second one from the delivery', () => {
    const charts = fixtureCharts();
    new k8s.KubeConfigMap(charts.functions, 'Dashboard', { metadata: { name: 'functions-dashboard', namespace: 'monitoring' }, data: {} });
    const f = withDelivery(charts);
    expect(problemsOf(f.app)).toEqual([
      '[Observability/Dashboard] ConfigMap monitoring/functions-dashboard is also emitted by CatalogFunctions/Dashboard: ' +
      'a cluster holds one object per kind, namespace and name, so one would overwrite the other; rename one or remove it',
    ]);
  });

  test('a repository URL that is not a URL', () => {
    const f = withDelivery(fixtureCharts(), { repoUrl: 'wasm-functions' });
    expect(problemsOf(f.app)).toEqual([
      '[Gitops/Delivery] repoUrl "wasm-functions" is not a Git repository URL: use https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git',
    ]);
    for (const ok of [REPO, 'ssh://git@git.shop.example.com/platform/wasm-functions.git', 'git@git.shop.example.com:platform/wasm-functions.git']) {
      expect(problemsOf(withDelivery(fixtureCharts(), { repoUrl: ok }).app)).toEqual([]);
    }
  });

  test('an object whose kind is in no wave, when waves are required', () => {
    const charts = fixtureCharts();
    new ApiObject(charts.functions, 'Widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    const f = withDelivery(charts);
    expect(problemsOf(f.app)).toEqual([
      "[Gitops/Delivery] [CatalogFunctions/Widget] Widget.example.com functions-catalog/w has no argocd.argoproj.io/sync-wave: kind Widget.example.com is not in the wave table: " +
      "add { group: 'example.com', kind: 'Widget', wave: SyncWave.<one of the waves> } to waves " +
      '(waves: foundation (0), policy-templates (1), policy-constraints (2), workloads (3), autoscalers-routes-monitors (4), route-policies (5))',
    ]);
    // WHEN the kind is added to the table, or waves are not required, it passes
    expect(problemsOf(withDelivery(fixtureCharts(), {}).app)).toEqual([]);
    const again = fixtureCharts();
    new ApiObject(again.functions, 'Widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    expect(problemsOf(withDelivery(again, { waves: [{ group: 'example.com', kind: 'Widget', wave: SyncWave.WORKLOADS }] }).app)).toEqual([]);
  });

  test('an object created after the GitOps construct has no wave', () => {
    const f = withDelivery(fixtureCharts());
    new k8s.KubeConfigMap(f.functions, 'Late', { metadata: { name: 'late' }, data: {} });
    expect(problemsOf(f.app)).toEqual([
      expect.stringMatching(/^\[Gitops\/Delivery\] \[CatalogFunctions\/Late\] ConfigMap functions-catalog\/late has no argocd.argoproj.io\/sync-wave: it was created after Gitops\/Delivery: create the GitOpsDelivery last/),
    ]);
    expect(problemsOf(withDelivery(fixtureCharts(), { requireWaves: false }).app)).toEqual([]);
  });

  test('a chart created after the GitOps construct is delivered by no Application', () => {
    const f = withDelivery(fixtureCharts());
    const late = new Chart(f.app, 'Late', { namespace: 'functions-catalog' });
    new k8s.KubeConfigMap(late, 'Config', { metadata: { name: 'late' }, data: {} });
    expect(problemsOf(f.app)).toContain(
      '[Gitops/Delivery] chart "Late" has objects but no Application delivers it (it was created after Gitops/Delivery): create the GitOpsDelivery after every other chart',
    );
  });

  test('a wave that puts an object before what it depends on', () => {
    // GIVEN constraints moved into the templates' wave
    const f = withDelivery(fixtureCharts(), { waves: [{ group: 'constraints.gatekeeper.sh', kind: '*', wave: SyncWave.POLICY_TEMPLATES }] });
    expect(problemsOf(f.app)).toEqual([
      '[Gitops/Delivery] K8sRequiredLabels.constraints.gatekeeper.sh functions-have-part-of is in sync wave 1 but depends on ' +
      'ConstraintTemplate.templates.gatekeeper.sh k8srequiredlabels (wave 1) through kind (its ConstraintTemplate): its wave must be greater than 1',
    ]);
  });

  test('an Application wave rises above every Application it depends on', () => {
    // GIVEN HPAs moved to the first wave
    const f = withDelivery(fixtureCharts(), { waves: [{ group: 'autoscaling', kind: 'HorizontalPodAutoscaler', wave: SyncWave.FOUNDATION }] });
    // THEN the autoscaling Application still comes after the functions it scales
    expect(problemsOf(f.app)).toEqual([]);
    expect(render(f).app('autoscaling').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('4');
  });

  test('two Applications that depend on each other', () => {
    // GIVEN a function chart whose ScaledObject uses a TriggerAuthentication of the autoscaling
    // chart, whose HPA scales the function chart's Deployment
    const charts = fixtureCharts();
    new ApiObject(charts.functions, 'Scaler', {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'price-queue' },
      spec: { scaleTargetRef: { name: 'price-queue-worker' }, triggers: [{ type: 'prometheus', authenticationRef: { name: 'prometheus' }, metadata: {} }] },
    });
    new ApiObject(charts.autoscaling, 'Auth', { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'prometheus' }, spec: {} });
    const f = withDelivery(charts);
    expect(problemsOf(f.app)).toEqual([
      '[Gitops/Delivery] Applications "autoscaling" and "catalog-functions" depend on each other (objects of each name objects of the other), ' +
      'so no sync wave order satisfies both: move the objects into one chart, or deliver both charts as one Application with applicationOf',
    ]);
  });

  test('an artifact inside an application folder', () => {
    const charts = fixtureCharts();
    new OutputArtifact(charts.app, 'Report', { path: 'policy/report.yaml', render: () => 'x: 1\n' });
    const f = withDelivery(charts);
    expect(problemsOf(f.app)).toEqual([
      '[Gitops/Delivery] [Report] artifact path "policy/report.yaml" is inside the folder of Application "policy", which Argo CD would try to apply: ' +
      'write it outside every application folder (for example under reports/)',
    ]);
  });

  test('an object over the client-side apply limit needs server-side apply', () => {
    const big = () => fixtureCharts(undefined, { dashboardBytes: 300_000 });
    expect(problemsOf(withDelivery(big(), { serverSideApply: false }).app)).toEqual([
      expect.stringMatching(/^\[Gitops\/Delivery\] ConfigMap monitoring\/functions-dashboard is 3\d{5} bytes, over the 262144-byte last-applied annotation limit of client-side apply: set serverSideApply to true$/),
    ]);
    expect(problemsOf(withDelivery(big()).app)).toEqual([]);
  });

  test('names, namespace, destination server and revision a cluster or Argo CD would refuse', () => {
    const f = withDelivery(fixtureCharts(), {
      projectName: 'Platform',
      rootApplicationName: 'platform_root',
      argoCdNamespace: 'argo cd',
      destinationServer: 'kubernetes.default.svc',
      targetRevision: 'main ',
      additionalApplications: [{ name: 'keda', folder: 'vendor/keda', wave: SyncWave.FOUNDATION, namespace: 'KEDA' }],
    });
    new OutputArtifact(f.app, 'Keda', { path: 'vendor/keda/keda.yaml', render: () => 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: keda\n' });
    const problems = problemsOf(f.app).filter((p) => p.startsWith('[Gitops/Delivery] ') && !p.includes('sync-wave'));
    expect(problems).toEqual([
      '[Gitops/Delivery] targetRevision "main " is not a Git revision: name a branch, tag or commit without whitespace or any of ~ ^ : ? * [ \\ .. @{ (for example "main" or "v1.2.0")',
      '[Gitops/Delivery] destinationServer "kubernetes.default.svc" is not an absolute https or http URL with a host (for example "https://example.com/path")',
      '[Gitops/Delivery] projectName "Platform" is not a DNS-1123 subdomain: use lowercase letters, digits, \'-\' and \'.\', at most 253 characters',
      '[Gitops/Delivery] rootApplicationName "platform_root" is not a DNS-1123 subdomain: use lowercase letters, digits, \'-\' and \'.\', at most 253 characters',
      '[Gitops/Delivery] argoCdNamespace "argo cd" is not a DNS-1123 label: use 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (for example "product-detail")',
      '[Gitops/Delivery] additionalApplications[0].namespace "KEDA" is not a DNS-1123 label: use 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (for example "product-detail")',
    ]);
  });

  test('application names with quotes or a newline are printed on one line', () => {
    const name = 'a"\nb';
    const f = withDelivery(fixtureCharts(), {
      rootApplicationName: name,
      additionalApplications: [
        { name, folder: 'vendor/a', wave: SyncWave.FOUNDATION },
        { name, folder: 'vendor/a', wave: SyncWave.FOUNDATION },
      ],
    });
    const problems = problemsOf(f.app);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\[Gitops\/Delivery\] application "a\\"\\nb" path "dist\/vendor\/a" does not exist in the output: /),
      '[Gitops/Delivery] application name "a\\"\\nb" is used by 2 Applications: give each a distinct name',
      '[Gitops/Delivery] application name "a\\"\\nb" is both the root Application and a child: set rootApplicationName to another name',
    ]));
  });

  test('a repoUrl with quotes or a newline is printed on one line', () => {
    const f = withDelivery(fixtureCharts(), { repoUrl: 'https://git.example.com/"a"\nb' });
    expect(problemsOf(f.app)).toEqual([
      '[Gitops/Delivery] repoUrl "https://git.example.com/\\"a\\"\\nb" is not a Git repository URL: use https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git',
    ]);
  });

  test('two deliveries in one app are one problem, not a stack overflow', () => {
    const f = withDelivery(fixtureCharts());
    new GitOpsDelivery(new Chart(f.app, 'MoreGitops', { namespace: 'argocd' }), 'Delivery', { repoUrl: REPO });
    const problem = '[MoreGitops/Delivery] is a second GitOpsDelivery in the app: Gitops/Delivery already delivers every chart (two would emit the same AppProject and Applications and claim each other\'s objects); keep one';
    expect(problemsOf(f.app)).toEqual([problem]);
    expect(() => renderApp(f.app)).toThrow(new SynthValidationError([problem]));
    const same = withDelivery(fixtureCharts());
    new GitOpsDelivery(same.chart, 'Again', { repoUrl: REPO });
    expect(problemsOf(same.app)).toEqual(['[Gitops/Again] is a second GitOpsDelivery in the app: Gitops/Delivery already delivers every chart (two would emit the same AppProject and Applications and claim each other\'s objects); keep one']);
  });
});

describe('GitOpsDelivery for a fleet cluster', () => {
  test('emitApplications false plans every Application as usual but emits only the AppProject; bootstrap false writes no bootstrap files', () => {
    // GIVEN the same charts, delivered once as usual and once planned only
    const usual = render(withDelivery(fixtureCharts(), { projectName: 'platform' }));
    const planned = withDelivery(fixtureCharts(), { projectName: 'platform', emitApplications: false, bootstrap: false });

    // WHEN
    const out = renderApp(planned.app);

    // THEN the gitops chart holds the AppProject alone, and no bootstrap file is written
    const gitops = yaml.loadAll(out.find((x) => x.path === 'gitops/gitops.k8s.yaml')!.content) as Json[];
    expect(gitops.map((d) => d.kind)).toEqual(['AppProject']);
    expect(out.filter((x) => x.path.startsWith('bootstrap/'))).toEqual([]);
    // AND the plan is what the emitted Applications would have been, wave and sync options included
    const plans = planned.delivery.applications.map((a) => a.resource.toJson());
    expect(plans).toEqual(usual.gitops.filter((d) => d.kind === 'Application'));
  });
});

