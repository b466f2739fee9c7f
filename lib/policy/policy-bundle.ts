import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConstraintTemplate } from '../../imports/gatekeeper-constrainttemplates-templates.gatekeeper.sh';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label, checkDns1123Subdomain, oneLine } from '../core/names';
import { FUNCTION_NAMESPACE_LABEL } from '../function/function-namespace';
import { WasmFunction } from '../function/wasm-function';
import {
  AdmissionRule, AdmissionScope, checkEnforcementAction, EnforcementAction, gatekeeperParams, literalParams,
} from './admission-rule';
import { GatekeeperConstraint } from './gatekeeper-constraint';
import { isFunctionCheck } from './pod-rules';
import { constructsOf } from '../synth/synth-session';
import * as plain from '../synth/plain-bindings';

/** Namespaces no platform rule applies to: Kubernetes' own and the policy engine's. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system'];

/** The Gatekeeper admission target every template uses. */
export const GATEKEEPER_TARGET = 'admission.k8s.gatekeeper.sh';

/** The label the API server puts on every namespace with its own name; namespace lists become selectors on it. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Which admission engine enforces the bundle. */
export class AdmissionEngine {
  /**
   * Gatekeeper: a ConstraintTemplate per rule carrying the rule in Rego (enforced by
   * Gatekeeper 3.15 and later) and in CEL in its `code` list (enforced by the
   * K8sNativeValidation engine: beta and on by default from 3.17, stable from 3.18), plus a
   * constraint. Also gives audit of existing objects.
   */
  public static readonly GATEKEEPER = new AdmissionEngine('gatekeeper');
  /**
   * The API server itself: a ValidatingAdmissionPolicy (`admissionregistration.k8s.io/v1`,
   * GA and on by default in Kubernetes 1.30) plus a binding per rule, with the same CEL.
   * Needs no Gatekeeper; `dryrun` becomes the `Audit` action (audit log annotations).
   */
  public static readonly VALIDATING_ADMISSION_POLICY = new AdmissionEngine('validating-admission-policy');

  private constructor(public readonly name: string) {}
}

/** Props for {@link PolicyBundle}. */
export interface PolicyBundleProps {
  /** The rules. See {@link AdmissionRules} for the factories and the platform's reference set. */
  readonly rules: AdmissionRule[];
  /**
   * The engine that enforces the rules.
   * @default AdmissionEngine.GATEKEEPER (the seed's Gatekeeper 3.15)
   */
  readonly engine?: AdmissionEngine;
  /**
   * What happens on a violation, for rules that do not set their own.
   * @default EnforcementAction.DENY
   */
  readonly enforcementAction?: EnforcementAction;
  /**
   * Namespaces no rule applies to.
   * @default SYSTEM_NAMESPACES (kube-system, kube-public, kube-node-lease, gatekeeper-system)
   */
  readonly excludedNamespaces?: string[];
  /**
   * Where the constraints (or bindings) go. Constraint kinds exist only once Gatekeeper has
   * processed the templates, so a GitOps tool must apply them after the templates: give a
   * separate chart here to let it order the two.
   * @default - the bundle itself, beside the templates
   */
  readonly constraintScope?: Construct;
  /**
   * Emit Gatekeeper's `Config` (namespace `gatekeeperNamespace`, name `config`): it excludes
   * `excludedNamespaces` from every Gatekeeper process and replicates Namespaces, which
   * audit needs to evaluate `namespaceSelector`. Gatekeeper reads only one Config; turn this
   * off if the cluster manages its own.
   * @default true with the Gatekeeper engine
   */
  readonly gatekeeperConfig?: boolean;
  /**
   * Namespace Gatekeeper runs in.
   * @default "gatekeeper-system"
   */
  readonly gatekeeperNamespace?: string;
  /**
   * Prefix of the ValidatingAdmissionPolicy and binding names (the rules' names follow it).
   * @default "wasm-platform"
   */
  readonly policyNamePrefix?: string;
}

/**
 * The platform's admission policies, enforced by Gatekeeper or natively by the API server.
 * Every object is cluster-scoped: put the bundle in a chart without a namespace.
 */
export class PolicyBundle extends Construct {
  /** Every PolicyBundle under `scope`. */
  public static all(scope: Construct): PolicyBundle[] {
    return constructsOf(scope).filter((c): c is PolicyBundle => c instanceof PolicyBundle);
  }

  public readonly rules: readonly AdmissionRule[];
  public readonly engine: AdmissionEngine;
  public readonly enforcementAction: EnforcementAction;
  public readonly excludedNamespaces: readonly string[];
  /** The ConstraintTemplates (Gatekeeper engine), by template name. */
  public readonly templates: Readonly<Record<string, ConstraintTemplate>> = {};
  /** The constraints (Gatekeeper engine), by rule name. */
  public readonly constraints: Readonly<Record<string, GatekeeperConstraint>> = {};
  private readonly policyNamePrefix: string;
  private readonly gatekeeperNamespace: string;

  constructor(scope: Construct, id: string, props: PolicyBundleProps) {
    super(scope, id);
    this.rules = [...props.rules];
    this.engine = props.engine ?? AdmissionEngine.GATEKEEPER;
    this.enforcementAction = props.enforcementAction ?? EnforcementAction.DENY;
    this.excludedNamespaces = props.excludedNamespaces ?? [...SYSTEM_NAMESPACES];
    this.policyNamePrefix = props.policyNamePrefix ?? 'wasm-platform';
    this.gatekeeperNamespace = props.gatekeeperNamespace ?? 'gatekeeper-system';
    const constraintScope = props.constraintScope ?? this;
    const gatekeeperConfig = props.gatekeeperConfig ?? this.engine === AdmissionEngine.GATEKEEPER;

    this.node.addValidation({ validate: () => this.check(constraintScope) });

    if (this.engine === AdmissionEngine.GATEKEEPER) {
      this.emitGatekeeper(constraintScope);
      if (gatekeeperConfig) this.emitGatekeeperConfig();
    } else {
      this.emitValidatingAdmissionPolicies(constraintScope);
    }
  }

  /** The enforcement action a rule ends up with. */
  public actionOf(rule: AdmissionRule): EnforcementAction {
    return rule.enforcementAction ?? this.enforcementAction;
  }

  /** Name of the ValidatingAdmissionPolicy (and binding) of `rule`. */
  public policyNameOf(rule: AdmissionRule): string {
    return `${this.policyNamePrefix}-${rule.name}`;
  }

  private labels(component: string): Record<string, string> {
    return { [LABELS.component]: component, [LABELS.partOf]: 'wasm-platform-policy', [LABELS.managedBy]: MANAGED_BY };
  }

  private emitGatekeeper(constraintScope: Construct): void {
    const templates = this.templates as Record<string, ConstraintTemplate>;
    const constraints = this.constraints as Record<string, GatekeeperConstraint>;
    for (const rule of this.rules) {
      // A duplicate name is reported by validation; emitting it twice would only crash construction.
      if (constraints[rule.name]) continue;
      if (!templates[rule.templateName]) {
        const cel = rule.cel(gatekeeperParams());
        templates[rule.templateName] = new plain.ConstraintTemplate(this, `${rule.kind}Template`, {
          metadata: {
            name: rule.templateName,
            labels: this.labels('admission-template'),
            annotations: { description: rule.description },
          },
          spec: {
            crd: { spec: { names: { kind: rule.kind }, validation: { openApiv3Schema: rule.parametersSchema() } } },
            targets: [{
              target: GATEKEEPER_TARGET,
              // Rego in `rego` is what Gatekeeper 3.15 enforces; the CEL in `code` is the same
              // rule for the K8sNativeValidation engine (3.17+ by default).
              rego: rule.rego(),
              code: [{ engine: 'K8sNativeValidation', source: { variables: cel.variables, validations: cel.validations } }],
            }],
          },
        });
      }
      const parameters = rule.parameters();
      constraints[rule.name] = new GatekeeperConstraint(constraintScope, `${pascal(rule.name)}Constraint`, {
        kind: rule.kind,
        metadata: {
          name: rule.name,
          labels: this.labels('admission-constraint'),
          // The constraint's CRD appears only after Gatekeeper processed the template; without
          // this, Argo CD's dry run fails before anything is applied.
          annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
        },
        spec: {
          enforcementAction: this.actionOf(rule).value,
          match: {
            kinds: groupKinds(rule),
            scope: 'Namespaced',
            namespaces: rule.scope.namespaces,
            excludedNamespaces: [...this.excludedNamespaces, ...(rule.scope.excludedNamespaces ?? [])],
            namespaceSelector: rule.scope.namespaceSelector,
            labelSelector: rule.scope.labelSelector,
          },
          parameters: Object.keys(parameters).length > 0 ? parameters : undefined,
        },
      });
    }
  }

  private emitGatekeeperConfig(): void {
    new plain.Config(this, 'GatekeeperConfig', {
      metadata: { name: 'config', namespace: this.gatekeeperNamespace, labels: this.labels('admission-config') },
      spec: {
        match: [{ excludedNamespaces: [...this.excludedNamespaces], processes: ['*'] }],
        sync: { syncOnly: [{ group: '', version: 'v1', kind: 'Namespace' }] },
      },
    });
  }

  private emitValidatingAdmissionPolicies(constraintScope: Construct): void {
    const emitted = new Set<string>();
    for (const rule of this.rules) {
      if (emitted.has(rule.name)) continue;
      emitted.add(rule.name);
      const name = this.policyNameOf(rule);
      const cel = rule.cel(literalParams(rule.parameters()));
      const spec: k8s.ValidatingAdmissionPolicySpecV1Beta1 = {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: resourceRules(rule),
          namespaceSelector: namespaceSelector(rule.scope, this.excludedNamespaces),
          objectSelector: rule.scope.labelSelector,
        },
        variables: cel.variables.length > 0 ? cel.variables : undefined,
        validations: cel.validations.map((v) => ({ ...v, reason: 'Invalid' })),
      };
      // cdk8s-plus-28 binds admissionregistration.k8s.io only up to v1beta1 (off by default
      // on 1.30); v1 has the same spec, so the v1beta1 types check it and v1 is emitted.
      new ApiObject(this, `${pascal(rule.name)}Policy`, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name, labels: this.labels('admission-policy'), annotations: { description: rule.description } },
        spec: k8s.toJson_ValidatingAdmissionPolicySpecV1Beta1(spec),
      });
      const binding: k8s.ValidatingAdmissionPolicyBindingSpecV1Beta1 = {
        policyName: name,
        validationActions: [...this.actionOf(rule).validationActions],
      };
      new ApiObject(constraintScope, `${pascal(rule.name)}Binding`, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name, labels: this.labels('admission-policy-binding') },
        spec: k8s.toJson_ValidatingAdmissionPolicyBindingSpecV1Beta1(binding),
      });
    }
  }

  private check(constraintScope: Construct): string[] {
    const errors: string[] = [];
    for (const c of new Set<Construct>([this, constraintScope])) {
      const chart = Chart.of(c);
      if (chart.namespace) {
        errors.push(`${c === this ? 'the bundle' : 'constraintScope'} is in chart "${chart.node.id}" whose namespace is "${oneLine(chart.namespace)}": admission policies are cluster-scoped; put them in a chart without a namespace`);
      }
    }
    if (this.rules.length === 0) {
      errors.push('rules is empty: give at least one rule (AdmissionRules.platformDefaults(...) is the reference set)');
    }
    const actionError = checkEnforcementAction('enforcementAction', this.enforcementAction);
    if (actionError) errors.push(actionError);
    const gatekeeperNamespaceError = checkDns1123Label('gatekeeperNamespace', this.gatekeeperNamespace);
    if (gatekeeperNamespaceError) errors.push(gatekeeperNamespaceError);
    if (checkDns1123Subdomain('policyNamePrefix', `${this.policyNamePrefix}-x`) !== undefined) {
      errors.push(`policyNamePrefix "${oneLine(this.policyNamePrefix)}" cannot start an object name: use lowercase letters, digits, '-' and '.', starting with a letter or digit (for example "wasm-platform")`);
    }
    const names = new Map<string, AdmissionRule[]>();
    const templates = new Map<string, string>();
    for (const rule of this.rules) {
      const where = `rule "${oneLine(rule.name)}" (${rule.kind})`;
      names.set(rule.name, [...(names.get(rule.name) ?? []), rule]);
      const nameError = checkDns1123Subdomain('name', rule.name);
      if (nameError) errors.push(`${where}: ${nameError}`);
      const ruleActionError = rule.enforcementAction !== undefined ? checkEnforcementAction('enforcementAction', rule.enforcementAction) : undefined;
      if (ruleActionError) errors.push(`${where}: ${ruleActionError}`);
      if (rule.scope.namespaces?.length === 0) {
        // Gatekeeper reads an empty match.namespaces as every namespace, and the API server
        // refuses the `In` selector without values a ValidatingAdmissionPolicy would get.
        errors.push(`${where}: scope.namespaces is empty, which Gatekeeper reads as every namespace: list at least one namespace, or leave namespaces out to mean every namespace`);
      }
      for (const ns of [...(rule.scope.namespaces ?? []), ...(rule.scope.excludedNamespaces ?? [])]) {
        const error = checkDns1123Label('scope namespace', ns);
        if (error) errors.push(`${where}: ${error}`);
      }
      errors.push(...rule.validate().map((e) => `${where}: ${e}`));
      // Two rules may share a template (two constraints of one kind) only if it is the same.
      const rendered = JSON.stringify([rule.kind, rule.rego(), rule.cel(gatekeeperParams()), rule.parametersSchema()]);
      const previous = templates.get(rule.templateName);
      if (previous !== undefined && previous !== rendered) {
        errors.push(`${where}: template "${rule.templateName}" is already defined differently by another rule`);
      }
      templates.set(rule.templateName, rendered);
    }
    for (const [name, same] of names) {
      if (same.length > 1) errors.push(`rule name "${oneLine(name)}" is used by ${same.length} rules: give each rule a distinct name`);
    }
    errors.push(...this.checkFunctions());
    return errors;
  }

  /** Functions of the same app that a rule would deny: found at synth, not at the first sync. */
  private checkFunctions(): string[] {
    const errors: string[] = [];
    const functions = WasmFunction.all(this.node.root);
    for (const rule of this.rules) {
      if (!isFunctionCheck(rule)) continue;
      for (const fn of functions) {
        if (!appliesToFunction(rule.scope, this.excludedNamespaces, fn)) continue;
        const problem = rule.checkFunction(fn);
        if (problem) errors.push(`rule "${oneLine(rule.name)}" (${rule.kind}): ${problem}`);
      }
    }
    return errors;
  }
}

/** Whether a rule scope reaches a function's namespace, as far as synth can tell. */
function appliesToFunction(scope: AdmissionScope, excluded: readonly string[], fn: WasmFunction): boolean {
  if (excluded.includes(fn.namespace) || scope.excludedNamespaces?.includes(fn.namespace)) return false;
  if (scope.namespaces && !scope.namespaces.includes(fn.namespace)) return false;
  // A label selector other than the function-namespace label cannot be resolved here; assume it matches.
  const selectorLabels = scope.namespaceSelector?.matchLabels ?? {};
  return Object.entries(selectorLabels).every(([k, v]) => k !== FUNCTION_NAMESPACE_LABEL || v === 'true');
}

function groupKinds(rule: AdmissionRule): { apiGroups: string[]; kinds: string[] }[] {
  const byGroup = new Map<string, string[]>();
  for (const k of rule.kinds) byGroup.set(k.apiGroup, [...(byGroup.get(k.apiGroup) ?? []), k.kind]);
  return [...byGroup].map(([group, kinds]) => ({ apiGroups: [group], kinds }));
}

function resourceRules(rule: AdmissionRule): k8s.NamedRuleWithOperationsV1Beta1[] {
  const byGroup = new Map<string, string[]>();
  for (const k of rule.kinds) byGroup.set(k.apiGroup, [...(byGroup.get(k.apiGroup) ?? []), k.resource]);
  return [...byGroup].map(([group, resources]) => ({
    apiGroups: [group],
    apiVersions: ['*'],
    // `kubectl debug` adds ephemeral containers by an UPDATE of the pods/ephemeralcontainers
    // subresource, which a rule on `pods` alone does not match (the real API server admitted
    // such an update past every policy); Gatekeeper's webhook reviews it as the Pod.
    resources: group === '' && resources.includes('pods') ? [...resources, 'pods/ephemeralcontainers'] : resources,
    operations: ['CREATE', 'UPDATE'],
    scope: 'Namespaced',
  }));
}

/** Gatekeeper's namespaces/excludedNamespaces, as the selector a ValidatingAdmissionPolicy needs. */
function namespaceSelector(scope: AdmissionScope, excluded: readonly string[]): k8s.LabelSelector {
  const expressions: k8s.LabelSelectorRequirement[] = [...(scope.namespaceSelector?.matchExpressions ?? [])];
  if (scope.namespaces) expressions.push({ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...scope.namespaces] });
  const notIn = [...excluded, ...(scope.excludedNamespaces ?? [])];
  if (notIn.length > 0) expressions.push({ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: notIn });
  return {
    matchLabels: scope.namespaceSelector?.matchLabels,
    matchExpressions: expressions.length > 0 ? expressions : undefined,
  };
}

function pascal(name: string): string {
  return name.split(/[-.]/).filter((p) => p).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
