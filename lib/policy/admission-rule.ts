import { k8s } from 'cdk8s-plus-28';
import { oneLine } from '../core/names';
import { FUNCTION_NAMESPACE_LABEL } from '../function/function-namespace';

/** A JSON value as it appears in a manifest. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object as it appears in a manifest. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * What happens when an object breaks a rule. Gatekeeper's names; each maps to the
 * ValidatingAdmissionPolicyBinding `validationActions` that behave the same.
 */
export class EnforcementAction {
  /** Reject the request. */
  public static readonly DENY = new EnforcementAction('deny', ['Deny']);
  /** Admit the request and record the violation in the audit results only. */
  public static readonly DRYRUN = new EnforcementAction('dryrun', ['Audit']);
  /** Admit the request and return a warning to the client (kubectl and Argo CD show it). */
  public static readonly WARN = new EnforcementAction('warn', ['Warn']);

  /** Every action Gatekeeper 3.15 accepts. */
  public static readonly ALL: readonly EnforcementAction[] = [EnforcementAction.DENY, EnforcementAction.DRYRUN, EnforcementAction.WARN];

  /**
   * The action named `value` (for configuration read from a file). An unknown name is
   * reported at synth by the bundle that uses it, with the allowed names.
   */
  public static of(value: string): EnforcementAction {
    return EnforcementAction.ALL.find((a) => a.value === value) ?? new EnforcementAction(value, []);
  }

  private constructor(
    /** Value of a constraint's `spec.enforcementAction`. */
    public readonly value: string,
    /** The ValidatingAdmissionPolicyBinding `validationActions` with the same effect. */
    public readonly validationActions: readonly string[],
  ) {}

  /** True for the actions Gatekeeper knows. */
  public get isKnown(): boolean {
    return this.validationActions.length > 0;
  }
}

/**
 * Why `value` is not an enforcement action Gatekeeper knows, or undefined. JavaScript callers
 * may pass a plain string ("deny") where an {@link EnforcementAction} is expected: that is
 * named as such, with the allowed values, rather than read as an action without a name.
 */
export function checkEnforcementAction(field: string, value: unknown): string | undefined {
  const allowed = EnforcementAction.ALL.map((a) => a.value).join(', ');
  if (value instanceof EnforcementAction) {
    return value.isKnown ? undefined : `${field} "${oneLine(value.value)}" is not a Gatekeeper enforcement action: use one of ${allowed}`;
  }
  const shown = typeof value === 'string' ? `"${oneLine(value)}"` : oneLine(String(value));
  return `${field} ${shown} is not an EnforcementAction: use EnforcementAction.DENY, EnforcementAction.DRYRUN or EnforcementAction.WARN (EnforcementAction.of() reads one of ${allowed})`;
}

/** A kind an admission rule inspects, with what both engines need to select it. */
export interface RuleKind {
  /** API group ("" for the core group). */
  readonly apiGroup: string;
  /** Kind, as Gatekeeper's `match.kinds` names it. */
  readonly kind: string;
  /** Resource (plural), as a ValidatingAdmissionPolicy's `resourceRules` names it. */
  readonly resource: string;
}

/** Pods and every built-in workload that carries a pod template. */
export const POD_KINDS: readonly RuleKind[] = [
  { apiGroup: '', kind: 'Pod', resource: 'pods' },
  { apiGroup: '', kind: 'ReplicationController', resource: 'replicationcontrollers' },
  { apiGroup: 'apps', kind: 'Deployment', resource: 'deployments' },
  { apiGroup: 'apps', kind: 'ReplicaSet', resource: 'replicasets' },
  { apiGroup: 'apps', kind: 'StatefulSet', resource: 'statefulsets' },
  { apiGroup: 'apps', kind: 'DaemonSet', resource: 'daemonsets' },
  { apiGroup: 'batch', kind: 'Job', resource: 'jobs' },
  { apiGroup: 'batch', kind: 'CronJob', resource: 'cronjobs' },
];

/** Services. */
export const SERVICE_KINDS: readonly RuleKind[] = [{ apiGroup: '', kind: 'Service', resource: 'services' }];

/** Objects that own a replica count: workloads and the autoscalers that set it. */
export const REPLICA_KINDS: readonly RuleKind[] = [
  { apiGroup: 'apps', kind: 'Deployment', resource: 'deployments' },
  { apiGroup: 'apps', kind: 'StatefulSet', resource: 'statefulsets' },
  { apiGroup: 'autoscaling', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers' },
  { apiGroup: 'keda.sh', kind: 'ScaledObject', resource: 'scaledobjects' },
  { apiGroup: 'http.keda.sh', kind: 'HTTPScaledObject', resource: 'httpscaledobjects' },
];

/** Where a rule applies. Every field narrows; the bundle's excluded namespaces are always added. */
export interface AdmissionScope {
  /**
   * Only these namespaces.
   * @default - every namespace
   */
  readonly namespaces?: string[];
  /**
   * Not these namespaces (in addition to the bundle's `excludedNamespaces`).
   * @default - none
   */
  readonly excludedNamespaces?: string[];
  /**
   * Only namespaces whose labels match.
   * @default - any namespace labels
   */
  readonly namespaceSelector?: k8s.LabelSelector;
  /**
   * Only objects whose labels match.
   * @default - any object labels
   */
  readonly labelSelector?: k8s.LabelSelector;
}

/** Common scopes. */
export class AdmissionScopes {
  /** Namespaces labelled `platform.wasm.dev/functions: "true"` (every FunctionNamespace). */
  public static functionNamespaces(): AdmissionScope {
    return { namespaceSelector: { matchLabels: { [FUNCTION_NAMESPACE_LABEL]: 'true' } } };
  }

  /** Every namespace but the bundle's excluded ones. */
  public static allNamespaces(): AdmissionScope {
    return {};
  }

  private constructor() {}
}

/** Options every rule accepts. */
export interface AdmissionRuleOptions {
  /**
   * Name of the constraint (and of the ValidatingAdmissionPolicyBinding).
   * @default - the rule's own default, for example "functions-allowed-repos"
   */
  readonly name?: string;
  /**
   * What happens on a violation.
   * @default - the bundle's enforcementAction
   */
  readonly enforcementAction?: EnforcementAction;
  /**
   * Where the rule applies.
   * @default - the rule's own default scope (function namespaces for function rules, every namespace for the others)
   */
  readonly scope?: AdmissionScope;
}

/** One CEL variable, as Gatekeeper's K8sNativeValidation source and a ValidatingAdmissionPolicy both spell it. */
export interface CelVariable {
  readonly name: string;
  readonly expression: string;
}

/** One CEL validation: the object is admitted when `expression` is true. */
export interface CelValidation {
  readonly expression: string;
  /** A CEL string expression naming the field, the value and what is allowed. */
  readonly messageExpression: string;
}

/** The CEL form of a rule. */
export interface CelSource {
  readonly variables: CelVariable[];
  readonly validations: CelValidation[];
}

/**
 * How a rule's CEL reads its parameters. Gatekeeper passes the constraint's parameters as
 * `variables.params`; a ValidatingAdmissionPolicy without a param resource gets them as
 * CEL literals written into the expression, so the same rule text serves both engines.
 */
export type ParamRef = (name: string) => string;

/** `variables.params.<name>`: Gatekeeper's K8sNativeValidation engine. */
export function gatekeeperParams(): ParamRef {
  return (name) => `variables.params.${name}`;
}

/** The parameter's value as a CEL literal: a ValidatingAdmissionPolicy. */
export function literalParams(parameters: JsonObject): ParamRef {
  return (name) => {
    if (!(name in parameters)) {
      throw new Error(`rule reads parameter "${name}" that it does not set`);
    }
    return celLiteral(parameters[name]);
  };
}

/** A JSON value as a CEL literal. Numbers that are integers become CEL ints. */
export function celLiteral(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(celLiteral).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${celLiteral(v)}`).join(', ')}}`;
}

/**
 * A typed admission rule: one Gatekeeper ConstraintTemplate (Rego and CEL) plus its
 * constraint, or one ValidatingAdmissionPolicy plus its binding. Create rules with the
 * factories in {@link AdmissionRules}.
 */
export abstract class AdmissionRule {
  /** ConstraintTemplate name (lowercase kind), gatekeeper-library's where the rule is the same. */
  public abstract readonly templateName: string;
  /** Constraint kind the template defines. */
  public abstract readonly kind: string;
  /** One sentence for people: what the rule requires. */
  public abstract readonly description: string;
  /** Kinds the rule inspects. */
  public abstract readonly kinds: readonly RuleKind[];
  /** True when gatekeeper-library has a template of the same name and meaning. */
  public abstract readonly fromLibrary: boolean;

  /** Constraint and binding name. */
  public readonly name: string;
  /** Where the rule applies. */
  public readonly scope: AdmissionScope;
  /** What happens on a violation, when the rule overrides the bundle's action. */
  public readonly enforcementAction?: EnforcementAction;

  protected constructor(defaultName: string, defaultScope: AdmissionScope, options: AdmissionRuleOptions) {
    this.name = options.name ?? defaultName;
    this.scope = options.scope ?? defaultScope;
    this.enforcementAction = options.enforcementAction;
  }

  /** OpenAPI v3 schema of `spec.parameters`; a rule without parameters keeps this empty one. */
  public parametersSchema(): JsonObject {
    return { type: 'object', properties: {} };
  }
  /** The constraint's `spec.parameters`; none unless a rule overrides it. */
  public parameters(): JsonObject {
    return {};
  }
  /** The Rego module (package = template name) with `violation[{"msg": msg}]` rules. */
  public abstract rego(): string;
  /** The CEL form, reading parameters through `param`. */
  public abstract cel(param: ParamRef): CelSource;
  /** Problems with the rule's own props, each naming the field, the value and what is allowed. */
  public validate(): string[] {
    return [];
  }
}

// ---------------------------------------------------------------------------
// Shared snippets. Every pod rule reads the pod spec wherever the object keeps it, so a
// Deployment is denied when it is applied (Argo CD shows the failed sync), not only when
// its ReplicaSet later fails to create pods.
// ---------------------------------------------------------------------------

/** CEL variables `podSpec` and `containers` (containers and init containers). */
export const CEL_POD_VARIABLES: readonly CelVariable[] = [
  {
    name: 'podSpec',
    expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
  },
  {
    name: 'containers',
    expression: '(has(variables.podSpec.containers) ? variables.podSpec.containers : []) + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])',
  },
];

/**
 * Every container a pod runs, ephemeral ones too (`kubectl debug` adds them through the
 * pods/ephemeralcontainers subresource, which Gatekeeper reviews as a Pod): for the image and
 * privilege rules, as gatekeeper-library's tests expect. Not for the resource rules, since
 * the API forbids resources on ephemeral containers.
 */
export const CEL_ALL_CONTAINERS: CelVariable = {
  name: 'allContainers',
  expression: 'variables.containers + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])',
};

/** The Rego of {@link CEL_ALL_CONTAINERS}, in the same order. */
export const REGO_ALL_CONTAINERS = 'all_containers := array.concat(containers, object.get(pod_spec, "ephemeralContainers", []))';

/** Rego helpers `pod_spec` and `containers`, the same selection as {@link CEL_POD_VARIABLES}. */
export const REGO_POD_HELPERS = `pod_spec = spec {
  input.review.object.kind == "Pod"
  spec := input.review.object.spec
}

pod_spec = spec {
  input.review.object.kind == "CronJob"
  spec := input.review.object.spec.jobTemplate.spec.template.spec
}

pod_spec = spec {
  not input.review.object.kind == "Pod"
  not input.review.object.kind == "CronJob"
  spec := input.review.object.spec.template.spec
}

# In CEL's order (containers, then initContainers): the first problem is the one reported.
containers := array.concat(object.get(pod_spec, "containers", []), object.get(pod_spec, "initContainers", []))`;

/**
 * Rego that reports what one CEL validation reports: the first problem only. `name` collects
 * the messages `body` binds to `msg`, in the order the CEL walks the same lists (Rego array
 * comprehensions keep it), and one violation carries the first. Written the plain Rego way,
 * one violation per problem, Gatekeeper would answer with more violations under Rego than
 * under CEL for the same manifest (gator found it on a Service missing two labels).
 */
export function regoFirstProblem(name: string, body: string): string {
  const lines = body.trim().split('\n').map((l) => `  ${l.trim()}`);
  return [
    'violation[{"msg": msg}] {',
    `  msg := ${name}[0]`,
    '}',
    '',
    `${name} := [msg |`,
    ...lines,
    ']',
  ].join('\n');
}

/** A Rego module: package line, the rule body, then helpers. */
export function regoModule(pkg: string, body: string, helpers: string[] = []): string {
  return [`package ${pkg}`, body.trim(), ...helpers.map((h) => h.trim())].join('\n\n') + '\n';
}

/** CEL expression for the first element of `list` that fails `ok`, as used in messages. */
export function celFirstFailing(list: string, variable: string, ok: string): string {
  return `${list}.filter(${variable}, !(${ok}))[0]`;
}
