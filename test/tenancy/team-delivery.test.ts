import { Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { projectScopeViolations, renderApp, Team, TeamProject } from '../../lib';
import { fixtureCharts, REPO, withDelivery } from '../gitops/fixture-app';
import { problemsOf } from '../support/synth';

/** The fixture platform with a catalog team owning functions-catalog, delivered with `projectOf`. */
function delivered(projectOf: (f: ReturnType<typeof fixtureCharts>) => (chart: Chart) => string | undefined, withProject = true) {
  const charts = fixtureCharts();
  const team = new Team(charts.base, 'CatalogTeam', {
    name: 'catalog', namespaces: ['functions-catalog'], group: 'catalog-developers', registries: ['registry.shop.example.com/functions/'],
  });
  const f = withDelivery(charts, { projectName: 'platform', projectOf: projectOf(charts) });
  if (withProject) new TeamProject(f.chart, 'CatalogProject', { team, repoUrl: REPO });
  return f;
}

describe('GitOpsDelivery projectOf with a TeamProject', () => {
  test('the team\'s charts are Applications of its project, which admits them; the rest stay in the platform\'s', () => {
    // GIVEN the functions and autoscaling charts mapped to the catalog team's project
    const f = delivered((c) => (chart) => ([c.functions, c.autoscaling].includes(chart) ? 'catalog' : undefined));

    // WHEN
    const files = renderApp(f.app);

    // THEN
    const gitops = yaml.loadAll(files.find((x) => x.path === 'gitops/gitops.k8s.yaml')!.content) as Record<string, any>[];
    expect(gitops.filter((d) => d.kind === 'Application').map((d) => [d.metadata.name, d.spec.project])).toEqual([
      ['platform-base', 'platform'], ['policy', 'platform'], ['catalog-functions', 'catalog'], ['autoscaling', 'catalog'],
      ['gateway', 'platform'], ['observability', 'platform'],
    ]);
    expect(f.delivery.applications.find((a) => a.name === 'autoscaling')!.project).toBe('catalog');
  });

  test('a chart whose objects the team\'s project does not admit is a synth error per object, nothing written', () => {
    // The gateway chart (namespace gateway, Gateway and HTTPRoute kinds) put in the team's project.
    const f = delivered((c) => (chart) => (chart === c.gateway ? 'catalog' : undefined));
    const problems = problemsOf(f.app).filter((p) => p.includes('AppProject "catalog"'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^\[Gitops\/Delivery\] Application "gateway" is in AppProject "catalog", which does not admit Gateway\.gateway\.networking\.k8s\.io gateway\/\S+: namespace "gateway" is not among its destinations \("functions-catalog"\)/);
    expect(problems).toContainEqual(expect.stringMatching(/which does not admit Gateway\.gateway\.networking\.k8s\.io gateway\/\S+: kind Gateway\.gateway\.networking\.k8s\.io is not in its namespaceResourceWhitelist/));
    expect(() => renderApp(f.app)).toThrow(/AppProject "catalog", which does not admit/);
  });

  test('a project the app does not create, and one Application across two projects', () => {
    const missing = delivered((c) => (chart) => (chart === c.functions ? 'catalog' : undefined), false);
    expect(problemsOf(missing.app)).toEqual([
      '[Gitops/Delivery] application "catalog-functions" is in AppProject "catalog", which the app does not create in argocd: create it (a TeamProject), or leave the chart in the platform\'s project',
    ]);
    const charts = fixtureCharts();
    const team = new Team(charts.base, 'CatalogTeam', { name: 'catalog', namespaces: ['functions-catalog'], group: 'g', registries: ['registry.shop.example.com/'] });
    const f = withDelivery(charts, {
      applicationOf: (chart) => ([charts.functions, charts.autoscaling].includes(chart) ? 'catalog' : chart.node.id.toLowerCase()),
      projectOf: (chart) => (chart === charts.functions ? 'catalog' : undefined),
    });
    new TeamProject(f.chart, 'CatalogProject', { team, repoUrl: REPO });
    expect(problemsOf(f.app)).toContain(
      '[Gitops/Delivery] application "catalog" delivers charts of 2 AppProjects ("catalog", "platform") through projectOf: an Application is in one project; deliver the charts as separate Applications',
    );
  });
});

describe('projectScopeViolations', () => {
  const scope = {
    destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'functions-*' }],
    namespaceResourceWhitelist: [{ group: 'apps', kind: 'Deployment' }, { group: 'keda.sh', kind: '*' }],
  };
  const m = (apiVersion: string, kind: string, namespace?: string) => ({ apiVersion, kind, metadata: { name: 'x', namespace } });

  test('globs in destinations and kinds admit, as Argo CD matches them', () => {
    expect(projectScopeViolations('a', 'p', scope, [m('apps/v1', 'Deployment', 'functions-catalog'), m('keda.sh/v1alpha1', 'ScaledObject', 'functions-orders')])).toEqual([]);
  });

  test('a cluster-scoped object without a clusterResourceWhitelist, another namespace, another kind', () => {
    expect(projectScopeViolations('a', 'p', scope, [m('v1', 'Namespace'), m('apps/v1', 'Deployment', 'keda'), m('v1', 'Secret', 'functions-catalog')])).toEqual([
      'Application "a" is in AppProject "p", which does not admit Namespace x: the cluster-scoped kind Namespace is not in its clusterResourceWhitelist; deliver the object through a project that admits it',
      'Application "a" is in AppProject "p", which does not admit Deployment.apps keda/x: namespace "keda" is not among its destinations ("functions-*"); deliver the object through the project of its namespace',
      'Application "a" is in AppProject "p", which does not admit Secret functions-catalog/x: kind Secret is not in its namespaceResourceWhitelist; add it to the project\'s kinds, or deliver the object through another project',
    ]);
  });

  test('no namespaceResourceWhitelist admits every namespaced kind', () => {
    expect(projectScopeViolations('a', 'p', { destinations: scope.destinations }, [m('v1', 'Secret', 'functions-catalog')])).toEqual([]);
  });
});
