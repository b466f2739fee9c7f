import { App, Chart } from 'cdk8s';
import { AdmissionEngine, PolicyBundle } from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { referenceRules } from '../../platform/policy';
import { allObjects, KubeObject, testApp } from '../support/synth';
import { CORPUS, CorpusCase } from './fixtures/corpus';
import { reviewWithGatekeeper, reviewWithValidatingAdmissionPolicies, Violation } from './support/admission';

const clean = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

/** The reference platform, and the policy objects of its bundle. */
function referencePlatform(): { objects: KubeObject[]; policy: KubeObject[] } {
  const app = testApp();
  const platform = buildReferencePlatform(app);
  const objects = allObjects(app).map(clean);
  const policyCharts = new Set([platform.policy.templatesChart, platform.policy.constraintsChart]);
  const policy = app.charts.filter((c) => policyCharts.has(c)).flatMap((c) => c.toJson() as KubeObject[]);
  return { objects, policy };
}

/** The reference bundle's rules, emitted as ValidatingAdmissionPolicies instead. */
function referenceAsValidatingAdmissionPolicies(): KubeObject[] {
  const app = new App();
  const chart = new Chart(app, 'Policies');
  new PolicyBundle(chart, 'Bundle', {
    engine: AdmissionEngine.VALIDATING_ADMISSION_POLICY,
    rules: referenceRules(),
  });
  return chart.toJson() as KubeObject[];
}

const reference = referencePlatform();
const vapPolicy = referenceAsValidatingAdmissionPolicies();
const namespaces = reference.objects.filter((o) => o.kind === 'Namespace');

const engines: [string, (objects: KubeObject[]) => Violation[]][] = [
  ['Gatekeeper (K8sNativeValidation CEL)', (objects) => reviewWithGatekeeper(reference.policy, objects)],
  ['ValidatingAdmissionPolicy', (objects) => reviewWithValidatingAdmissionPolicies(vapPolicy, objects)],
];

describe.each(engines)('%s', (_engine, review) => {
  test('self-conformance: every object of the reference platform passes every rule', () => {
    // GIVEN every object the reference platform synthesizes
    const { objects } = reference;
    expect(objects.length).toBeGreaterThan(50);

    // WHEN the reference bundle reviews them
    const found = review(objects);

    // THEN nothing is denied
    expect(found).toEqual([]);
  });

  test('the function Deployments are really reviewed (a broken copy of each is denied)', () => {
    // GIVEN every function Deployment of the platform, without its RuntimeClass
    const deployments = reference.objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'function');
    expect(deployments.length).toBeGreaterThanOrEqual(8);
    const broken = deployments.map((d) => {
      const copy = clean(d) as KubeObject & { spec: { template: { spec: { runtimeClassName?: string } } } };
      delete copy.spec.template.spec.runtimeClassName;
      return copy;
    });

    // WHEN
    const found = review([...namespaces, ...broken]);

    // THEN each one is denied by the runtime rule
    expect(found.map((v) => v.object).sort()).toEqual(broken.map((d) => `Deployment/${d.metadata.namespace}/${d.metadata.name}`).sort());
  });

  test.each(CORPUS.map((c) => [c.name, c] as [string, CorpusCase]))('corpus: %s', (_name, corpusCase) => {
    // GIVEN one manifest, in a cluster with the platform's namespaces
    const object = clean(corpusCase.object);

    // WHEN
    const found = review([...namespaces, object]);

    // THEN exactly the expected rules deny it, with the expected messages
    const expectedRule = (rule: string): string => (review === engines[1][1] ? `wasm-platform-${rule}` : rule);
    expect(found.map((v) => ({ rule: v.rule, message: v.message })).sort((a, b) => a.rule.localeCompare(b.rule)))
      .toEqual(corpusCase.denials.map((d) => ({ rule: expectedRule(d.rule), message: d.message })).sort((a, b) => a.rule.localeCompare(b.rule)));
  });
});

test('the corpus denies with every rule of the reference bundle at least once', () => {
  const constraints = reference.policy.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1').map((o) => o.metadata.name);
  const denied = new Set(CORPUS.flatMap((c) => c.denials.map((d) => d.rule)));
  expect(constraints.filter((name) => !denied.has(name!))).toEqual([]);
});
