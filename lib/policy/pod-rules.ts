import { parseImageReference } from '../core/image';
import { checkDns1123Subdomain, checkQualifiedName, checkRe2, oneLine } from '../core/names';
import { checkQuantity, parseQuantity } from '../core/quantity';
import { DEFAULT_FUNCTION_RESOURCES } from '../function/function-resources';
import { WasmFunction } from '../function/wasm-function';
import { regoLiteral } from './rego-literal';
import {
  AdmissionRule, AdmissionRuleOptions, AdmissionScopes, CEL_ALL_CONTAINERS, CEL_POD_VARIABLES, CelSource, JsonObject, ParamRef,
  POD_KINDS, REGO_ALL_CONTAINERS, REGO_POD_HELPERS, regoFirstProblem, regoModule, RuleKind,
} from './admission-rule';

/** A rule that can tell at synth whether one of the app's functions would be denied. */
export interface FunctionCheck {
  /** Why `fn` would be denied by this rule, or undefined. */
  checkFunction(fn: WasmFunction): string | undefined;
}

/** True when `rule` implements {@link FunctionCheck}. */
export function isFunctionCheck(rule: AdmissionRule): rule is AdmissionRule & FunctionCheck {
  return typeof (rule as Partial<FunctionCheck>).checkFunction === 'function';
}

const stringList = (description: string): JsonObject => ({ type: 'array', description, items: { type: 'string' } });

// ---------------------------------------------------------------------------

/** Props for {@link WasmRuntimeClassRule}. */
export interface WasmRuntimeClassRuleProps extends AdmissionRuleOptions {
  /**
   * RuntimeClasses a function pod may select.
   * @default ["wasmedge"]
   */
  readonly runtimeClassNames?: string[];
}

/** Pods of function namespaces run under a Wasm RuntimeClass. No gatekeeper-library equivalent. */
export class WasmRuntimeClassRule extends AdmissionRule implements FunctionCheck {
  public readonly templateName = 'k8swasmruntimeclass';
  public readonly kind = 'K8sWasmRuntimeClass';
  public readonly description = 'Pods run under one of the allowed Wasm RuntimeClasses.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = false;
  public readonly runtimeClassNames: string[];

  constructor(props: WasmRuntimeClassRuleProps = {}) {
    super('functions-wasm-runtime-class', AdmissionScopes.functionNamespaces(), props);
    this.runtimeClassNames = props.runtimeClassNames ?? ['wasmedge'];
  }

  public parametersSchema(): JsonObject {
    return { type: 'object', properties: { runtimeClassNames: stringList('RuntimeClasses a pod may select.') } };
  }

  public parameters(): JsonObject {
    return { runtimeClassNames: [...this.runtimeClassNames] };
  }

  public rego(): string {
    return regoModule(this.templateName, `
violation[{"msg": msg}] {
  name := object.get(pod_spec, "runtimeClassName", "none")
  not allowed(name)
  msg := sprintf("runtimeClassName <%v> is not a Wasm runtime: use one of %v", [name, concat(", ", input.parameters.runtimeClassNames)])
}

allowed(name) {
  name == input.parameters.runtimeClassNames[_]
}`, [REGO_POD_HELPERS]);
  }

  public cel(p: ParamRef): CelSource {
    return {
      variables: [...CEL_POD_VARIABLES],
      validations: [{
        expression: `has(variables.podSpec.runtimeClassName) && variables.podSpec.runtimeClassName in ${p('runtimeClassNames')}`,
        messageExpression: `"runtimeClassName <" + (has(variables.podSpec.runtimeClassName) ? variables.podSpec.runtimeClassName : "none") + "> is not a Wasm runtime: use one of " + ${p('runtimeClassNames')}.join(", ")`,
      }],
    };
  }

  public validate(): string[] {
    if (this.runtimeClassNames.length === 0) {
      return ['runtimeClassNames is empty: every function pod would be denied; give at least one RuntimeClass (for example ["wasmedge"])'];
    }
    return this.runtimeClassNames.map((n) => checkDns1123Subdomain('runtimeClassNames entry', n)).filter((e): e is string => !!e);
  }

  public checkFunction(fn: WasmFunction): string | undefined {
    const name = fn.runtime.runtimeClassName;
    return this.runtimeClassNames.includes(name)
      ? undefined
      : `runtimeClassNames (${oneLine(this.runtimeClassNames.join(', '))}) does not admit runtimeClassName "${oneLine(name)}" of function ${oneLine(fn.namespace)}/${oneLine(fn.name)}: add it or change the function's runtime`;
  }
}

// ---------------------------------------------------------------------------

/** A resource a container must declare. */
export type ResourceName = 'cpu' | 'memory';
const RESOURCE_NAMES: readonly ResourceName[] = ['cpu', 'memory'];

/** Props for {@link RequiredResourcesRule}. */
export interface RequiredResourcesRuleProps extends AdmissionRuleOptions {
  /**
   * Requests every container must declare.
   * @default ["cpu", "memory"]
   */
  readonly requests?: ResourceName[];
  /**
   * Limits every container must declare.
   * @default ["cpu", "memory"]
   */
  readonly limits?: ResourceName[];
}

/** Every container declares the given requests and limits (gatekeeper-library `k8srequiredresources`). */
export class RequiredResourcesRule extends AdmissionRule {
  public readonly templateName = 'k8srequiredresources';
  public readonly kind = 'K8sRequiredResources';
  public readonly description = 'Every container declares CPU and memory requests and limits.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = true;
  public readonly requests: ResourceName[];
  public readonly limits: ResourceName[];

  constructor(props: RequiredResourcesRuleProps = {}) {
    super('functions-required-resources', AdmissionScopes.functionNamespaces(), props);
    this.requests = props.requests ?? ['cpu', 'memory'];
    this.limits = props.limits ?? ['cpu', 'memory'];
  }

  public parametersSchema(): JsonObject {
    const list = (what: string): JsonObject => ({ type: 'array', description: `${what} every container must declare.`, items: { type: 'string', enum: ['cpu', 'memory'] } });
    return { type: 'object', properties: { requests: list('Requests'), limits: list('Limits') } };
  }

  public parameters(): JsonObject {
    return { requests: [...this.requests], limits: [...this.limits] };
  }

  public rego(): string {
    const body = regoFirstProblem('missing', `
c := containers[_]
section := ["requests", "limits"][_]
field := input.parameters[section][_]
not c.resources[section][field]
msg := sprintf("container <%v> does not declare resources.%v.%v; required: %v", [c.name, section, field, required])`);
    return regoModule(this.templateName, `${body}

required = sprintf("requests %v; limits %v", [concat(", ", input.parameters.requests), concat(", ", input.parameters.limits)])`, [REGO_POD_HELPERS]);
  }

  public cel(p: ParamRef): CelSource {
    const missing = (section: string): string =>
      `${p(section)}.filter(r, !has(c.resources) || !has(c.resources.${section}) || !(r in c.resources.${section})).map(r, "container <" + c.name + "> does not declare resources.${section}." + r)`;
    return {
      variables: [
        ...CEL_POD_VARIABLES,
        { name: 'missing', expression: `variables.containers.map(c, ${missing('requests')} + ${missing('limits')})` },
      ],
      validations: [{
        expression: 'variables.missing.all(m, size(m) == 0)',
        messageExpression: `variables.missing.filter(m, size(m) > 0)[0][0] + "; required: requests " + ${p('requests')}.join(", ") + "; limits " + ${p('limits')}.join(", ")`,
      }],
    };
  }

  public validate(): string[] {
    const errors: string[] = [];
    for (const [field, list] of [['requests', this.requests], ['limits', this.limits]] as const) {
      for (const r of list) {
        if (!RESOURCE_NAMES.includes(r)) errors.push(`${field} entry "${oneLine(String(r))}" is not a resource this rule checks: use cpu or memory`);
      }
    }
    if (this.requests.length === 0 && this.limits.length === 0) {
      errors.push('requests and limits are both empty: the rule would check nothing; list cpu and/or memory');
    }
    return errors;
  }
}

// ---------------------------------------------------------------------------

/** Props for {@link ContainerLimitsRule}. */
export interface ContainerLimitsRuleProps extends AdmissionRuleOptions {
  /**
   * Highest CPU limit a container may declare.
   * @default "100m" (the seed's per-pod limit)
   */
  readonly cpu?: string;
  /**
   * Highest memory limit a container may declare.
   * @default "64Mi" (the seed's per-pod limit)
   */
  readonly memory?: string;
}

/**
 * Every container declares CPU and memory limits no higher than the ceilings
 * (gatekeeper-library `k8scontainerlimits`, without its ratio and exemption options).
 */
export class ContainerLimitsRule extends AdmissionRule implements FunctionCheck {
  public readonly templateName = 'k8scontainerlimits';
  public readonly kind = 'K8sContainerLimits';
  public readonly description = 'Every container declares CPU and memory limits no higher than the ceilings.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = true;
  public readonly cpu: string;
  public readonly memory: string;

  constructor(props: ContainerLimitsRuleProps = {}) {
    super('functions-container-limits', AdmissionScopes.functionNamespaces(), props);
    this.cpu = props.cpu ?? DEFAULT_FUNCTION_RESOURCES.cpuLimit;
    this.memory = props.memory ?? DEFAULT_FUNCTION_RESOURCES.memoryLimit;
  }

  public parametersSchema(): JsonObject {
    return {
      type: 'object',
      properties: {
        cpu: { type: 'string', description: 'Highest CPU limit, as a Kubernetes quantity.' },
        memory: { type: 'string', description: 'Highest memory limit, as a Kubernetes quantity.' },
      },
    };
  }

  public parameters(): JsonObject {
    return { cpu: this.cpu, memory: this.memory };
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('problems', `
c := containers[_]
resource := resources[_]
msg := limit_problem(c, resource)`)}

limit_problem(c, resource) = msg {
  not c.resources.limits[resource]
  msg := sprintf("container <%v> does not declare resources.limits.%v; ceiling: %v", [c.name, resource, input.parameters[resource]])
}

limit_problem(c, resource) = msg {
  value := c.resources.limits[resource]
  quantity(value) > quantity(input.parameters[resource])
  msg := sprintf("container <%v> has resources.limits.%v <%v> above the ceiling <%v>", [c.name, resource, value, input.parameters[resource]])
}

resources := ["cpu", "memory"]

# units.parse reads Kubernetes suffixes (m, Ki, Mi, k, M, ...); a bare number is already a quantity.
quantity(value) = n {
  is_number(value)
  n := value
}

quantity(value) = n {
  is_string(value)
  n := units.parse(value)
}`, [REGO_POD_HELPERS]);
  }

  public cel(p: ParamRef): CelSource {
    const perResource = (r: ResourceName): string =>
      `(!has(c.resources) || !has(c.resources.limits) || !("${r}" in c.resources.limits)) ? ["container <" + c.name + "> does not declare resources.limits.${r}; ceiling: " + ${p(r)}]`
      + ` : (quantity(string(c.resources.limits["${r}"])).compareTo(quantity(${p(r)})) > 0 ? ["container <" + c.name + "> has resources.limits.${r} <" + string(c.resources.limits["${r}"]) + "> above the ceiling <" + ${p(r)} + ">"] : [])`;
    return {
      variables: [
        ...CEL_POD_VARIABLES,
        { name: 'violations', expression: `variables.containers.map(c, (${perResource('cpu')}) + (${perResource('memory')}))` },
      ],
      validations: [{
        expression: 'variables.violations.all(v, size(v) == 0)',
        messageExpression: 'variables.violations.filter(v, size(v) > 0)[0][0]',
      }],
    };
  }

  public validate(): string[] {
    return [checkQuantity('cpu', this.cpu, '100m'), checkQuantity('memory', this.memory, '64Mi')].filter((e): e is string => !!e);
  }

  public checkFunction(fn: WasmFunction): string | undefined {
    const problems: string[] = [];
    const cpu = parseQuantity(this.cpu);
    const memory = parseQuantity(this.memory);
    const r = fn.resources;
    if (cpu !== undefined && r.cpuLimitCores > cpu) {
      problems.push(`cpu ceiling (${this.cpu}) is below the CPU limit (${r.cpuLimit}, request ${r.cpuRequest}) of function ${fn.namespace}/${fn.name}, which would be denied at admission: raise cpu to at least ${r.cpuLimit} or lower the function's limit`);
    }
    if (memory !== undefined && r.memoryLimitBytes > memory) {
      problems.push(`memory ceiling (${this.memory}) is below the memory limit (${r.memoryLimit}, request ${r.memoryRequest}) of function ${fn.namespace}/${fn.name}, which would be denied at admission: raise memory to at least ${r.memoryLimit} or lower the function's limit`);
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  }
}

// ---------------------------------------------------------------------------

/** Props for {@link AllowedReposRule}. */
export interface AllowedReposRuleProps extends AdmissionRuleOptions {
  /**
   * Image prefixes a container image must start with. Each ends with `/` so that
   * `registry.example.com` does not also admit `registry.example.com.attacker.io`.
   */
  readonly repos: string[];
}

/** Container images come from allowed registries (gatekeeper-library `k8sallowedrepos`). */
export class AllowedReposRule extends AdmissionRule implements FunctionCheck {
  public readonly templateName = 'k8sallowedrepos';
  public readonly kind = 'K8sAllowedRepos';
  public readonly description = 'Container images come from an allowed registry path.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = true;
  public readonly repos: string[];

  constructor(props: AllowedReposRuleProps) {
    super('functions-allowed-repos', AdmissionScopes.functionNamespaces(), props);
    this.repos = props.repos;
  }

  public parametersSchema(): JsonObject {
    return { type: 'object', properties: { repos: stringList('The prefixes a container image may start with.') } };
  }

  public parameters(): JsonObject {
    return { repos: [...this.repos] };
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('problems', `
c := all_containers[_]
not allowed(c.image)
msg := sprintf("container <%v> has image <%v>, which is not from an allowed registry: use one of %v", [c.name, c.image, concat(", ", input.parameters.repos)])`)}

allowed(image) {
  startswith(image, input.parameters.repos[_])
}`, [REGO_POD_HELPERS, REGO_ALL_CONTAINERS]);
  }

  public cel(p: ParamRef): CelSource {
    const ok = `${p('repos')}.exists(r, c.image.startsWith(r))`;
    return {
      variables: [...CEL_POD_VARIABLES, CEL_ALL_CONTAINERS],
      validations: [{
        expression: `variables.allContainers.all(c, ${ok})`,
        messageExpression: `variables.allContainers.filter(c, !(${ok})).map(c, "container <" + c.name + "> has image <" + c.image + ">, which is not from an allowed registry: use one of " + ${p('repos')}.join(", "))[0]`,
      }],
    };
  }

  public validate(): string[] {
    if (this.repos.length === 0) {
      return ['repos is empty: every image would be denied; give the registry paths functions are published to (for example ["registry.shop.example.com/functions/"])'];
    }
    return this.repos
      .filter((r) => !r.endsWith('/'))
      .map((r) => `repos entry "${oneLine(r)}" must end with "/": as a bare prefix it would also admit "${oneLine(r)}.attacker.example/..." and "${oneLine(r)}-other/..." (use "${oneLine(r)}/")`);
  }

  public checkFunction(fn: WasmFunction): string | undefined {
    return this.repos.some((r) => fn.image.startsWith(r))
      ? undefined
      : `repos (${oneLine(this.repos.join(', '))}) does not admit image "${oneLine(fn.image)}" of function ${oneLine(fn.namespace)}/${oneLine(fn.name)}, which would be denied at admission`;
  }
}

// ---------------------------------------------------------------------------

/** Container images are pinned by sha256 digest (gatekeeper-library `k8simagedigests`, sha256 only). */
export class ImageDigestsRule extends AdmissionRule implements FunctionCheck {
  public readonly templateName = 'k8simagedigests';
  public readonly kind = 'K8sImageDigests';
  public readonly description = 'Container images are pinned by sha256 digest, never by a mutable tag.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = true;

  constructor(props: AdmissionRuleOptions = {}) {
    super('functions-image-digests', AdmissionScopes.functionNamespaces(), props);
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('problems', `
c := all_containers[_]
not regex.match("@sha256:[a-f0-9]{64}$", c.image)
msg := sprintf("container <%v> has image <%v>, which is not pinned by digest: use <repository>@sha256:<64 hex digits>", [c.name, c.image])`)}`, [REGO_POD_HELPERS, REGO_ALL_CONTAINERS]);
  }

  public cel(_p: ParamRef): CelSource {
    const ok = "c.image.matches('@sha256:[a-f0-9]{64}$')";
    return {
      variables: [...CEL_POD_VARIABLES, CEL_ALL_CONTAINERS],
      validations: [{
        expression: `variables.allContainers.all(c, ${ok})`,
        messageExpression: `variables.allContainers.filter(c, !(${ok})).map(c, "container <" + c.name + "> has image <" + c.image + ">, which is not pinned by digest: use <repository>@sha256:<64 hex digits>")[0]`,
      }],
    };
  }

  public checkFunction(fn: WasmFunction): string | undefined {
    return parseImageReference(fn.image)?.digest
      ? undefined
      : `image "${oneLine(fn.image)}" of function ${oneLine(fn.namespace)}/${oneLine(fn.name)} is not pinned by digest and would be denied at admission: pin it or remove this rule`;
  }
}

// ---------------------------------------------------------------------------

/** No privileged containers (gatekeeper-library `k8spspprivilegedcontainer`). */
export class PrivilegedContainerRule extends AdmissionRule {
  public readonly templateName = 'k8spspprivilegedcontainer';
  public readonly kind = 'K8sPSPPrivilegedContainer';
  public readonly description = 'No container runs privileged.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = true;

  constructor(props: AdmissionRuleOptions = {}) {
    super('no-privileged-containers', AdmissionScopes.allNamespaces(), props);
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('problems', `
c := all_containers[_]
c.securityContext.privileged
msg := sprintf("container <%v> sets securityContext.privileged to true: privileged containers are not allowed", [c.name])`)}`, [REGO_POD_HELPERS, REGO_ALL_CONTAINERS]);
  }

  public cel(_p: ParamRef): CelSource {
    const privileged = 'has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged';
    return {
      variables: [...CEL_POD_VARIABLES, CEL_ALL_CONTAINERS],
      validations: [{
        expression: `!variables.allContainers.exists(c, ${privileged})`,
        messageExpression: `variables.allContainers.filter(c, ${privileged}).map(c, "container <" + c.name + "> sets securityContext.privileged to true: privileged containers are not allowed")[0]`,
      }],
    };
  }
}

// ---------------------------------------------------------------------------

/**
 * Every container sets `allowPrivilegeEscalation: false` explicitly, as the "restricted"
 * Pod Security Standard does (gatekeeper-library `k8spspallowprivilegeescalationcontainer`).
 */
export class PrivilegeEscalationRule extends AdmissionRule {
  public readonly templateName = 'k8spspallowprivilegeescalationcontainer';
  public readonly kind = 'K8sPSPAllowPrivilegeEscalationContainer';
  public readonly description = 'Every container sets securityContext.allowPrivilegeEscalation to false.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = true;

  constructor(props: AdmissionRuleOptions = {}) {
    super('no-privilege-escalation', AdmissionScopes.allNamespaces(), props);
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('problems', `
c := all_containers[_]
not c.securityContext.allowPrivilegeEscalation == false
msg := sprintf("container <%v> does not set securityContext.allowPrivilegeEscalation to false: privilege escalation is not allowed", [c.name])`)}`, [REGO_POD_HELPERS, REGO_ALL_CONTAINERS]);
  }

  public cel(_p: ParamRef): CelSource {
    const ok = 'has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false';
    return {
      variables: [...CEL_POD_VARIABLES, CEL_ALL_CONTAINERS],
      validations: [{
        expression: `variables.allContainers.all(c, ${ok})`,
        messageExpression: `variables.allContainers.filter(c, !(${ok})).map(c, "container <" + c.name + "> does not set securityContext.allowPrivilegeEscalation to false: privilege escalation is not allowed")[0]`,
      }],
    };
  }
}

// ---------------------------------------------------------------------------

const HOST_NAMESPACE_FIELDS = ['hostPID', 'hostIPC', 'hostNetwork'] as const;

/**
 * No pod shares the host's PID, IPC or network namespace. gatekeeper-library splits this
 * over `k8spsphostnamespace` (PID, IPC) and `k8spsphostnetworkingports`; one rule here.
 */
export class HostNamespacesRule extends AdmissionRule {
  public readonly templateName = 'k8sblockhostnamespaces';
  public readonly kind = 'K8sBlockHostNamespaces';
  public readonly description = "No pod shares the host's PID, IPC or network namespace.";
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = false;

  constructor(props: AdmissionRuleOptions = {}) {
    super('no-host-namespaces', AdmissionScopes.allNamespaces(), props);
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('problems', `
field := ${regoLiteral(HOST_NAMESPACE_FIELDS)}[_]
pod_spec[field] == true
msg := sprintf("%v is true: sharing the host's PID, IPC or network namespace is not allowed", [field])`)}`, [REGO_POD_HELPERS]);
  }

  public cel(_p: ParamRef): CelSource {
    const sharing = HOST_NAMESPACE_FIELDS.map((f) => `(has(variables.podSpec.${f}) && variables.podSpec.${f} ? ["${f}"] : [])`).join(' + ');
    return {
      variables: [...CEL_POD_VARIABLES, { name: 'sharedHostNamespaces', expression: sharing }],
      validations: [{
        expression: 'size(variables.sharedHostNamespaces) == 0',
        messageExpression: `variables.sharedHostNamespaces[0] + " is true: sharing the host's PID, IPC or network namespace is not allowed"`,
      }],
    };
  }
}

// ---------------------------------------------------------------------------

/** Props for {@link HostPathVolumesRule}. */
export interface HostPathVolumesRuleProps extends AdmissionRuleOptions {
  /**
   * Host path prefixes a hostPath volume may mount (for a log agent, for example).
   * @default - none: no hostPath volume is allowed
   */
  readonly allowedPathPrefixes?: string[];
}

/**
 * No hostPath volumes, except under allowed prefixes. gatekeeper-library's
 * `k8spsphostfilesystem` also handles read-only mounts; this rule only allows or denies.
 */
export class HostPathVolumesRule extends AdmissionRule {
  public readonly templateName = 'k8sblockhostpath';
  public readonly kind = 'K8sBlockHostPath';
  public readonly description = 'No hostPath volumes, except under allowed path prefixes.';
  public readonly kinds: readonly RuleKind[] = POD_KINDS;
  public readonly fromLibrary = false;
  public readonly allowedPathPrefixes: string[];

  constructor(props: HostPathVolumesRuleProps = {}) {
    super('no-host-path-volumes', AdmissionScopes.allNamespaces(), props);
    this.allowedPathPrefixes = props.allowedPathPrefixes ?? [];
  }

  public parametersSchema(): JsonObject {
    return { type: 'object', properties: { allowedPathPrefixes: stringList('Host path prefixes a hostPath volume may mount.') } };
  }

  public parameters(): JsonObject {
    return { allowedPathPrefixes: [...this.allowedPathPrefixes] };
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('problems', `
volume := pod_spec.volumes[_]
path := volume.hostPath.path
not allowed(path)
msg := sprintf("volume <%v> mounts host path <%v>: hostPath volumes are not allowed; allowed path prefixes: %v", [volume.name, path, allowed_text])`)}

allowed(path) {
  startswith(path, input.parameters.allowedPathPrefixes[_])
}

allowed_text = "none" {
  count(input.parameters.allowedPathPrefixes) == 0
}

allowed_text = concat(", ", input.parameters.allowedPathPrefixes) {
  count(input.parameters.allowedPathPrefixes) > 0
}`, [REGO_POD_HELPERS]);
  }

  public cel(p: ParamRef): CelSource {
    const bad = `has(v.hostPath) && !${p('allowedPathPrefixes')}.exists(prefix, v.hostPath.path.startsWith(prefix))`;
    return {
      variables: [
        ...CEL_POD_VARIABLES,
        { name: 'volumes', expression: 'has(variables.podSpec.volumes) ? variables.podSpec.volumes : []' },
      ],
      validations: [{
        expression: `!variables.volumes.exists(v, ${bad})`,
        messageExpression: `variables.volumes.filter(v, ${bad}).map(v, "volume <" + v.name + "> mounts host path <" + v.hostPath.path + ">: hostPath volumes are not allowed; allowed path prefixes: " + (size(${p('allowedPathPrefixes')}) == 0 ? "none" : ${p('allowedPathPrefixes')}.join(", ")))[0]`,
      }],
    };
  }

  public validate(): string[] {
    return this.allowedPathPrefixes
      .filter((pfx) => !pfx.startsWith('/') || pfx === '/')
      .map((pfx) => `allowedPathPrefixes entry "${oneLine(pfx)}" must be an absolute path other than "/" (for example "/var/log/")`);
  }
}

// ---------------------------------------------------------------------------

/** One label an object must carry. */
export interface RequiredLabel {
  /** Label key. */
  readonly key: string;
  /**
   * Regular expression (RE2) the value must match.
   * @default - any value
   */
  readonly allowedRegex?: string;
}

/** Props for {@link RequiredLabelsRule}. */
export interface RequiredLabelsRuleProps extends AdmissionRuleOptions {
  /** Labels every matched object must carry. */
  readonly labels: RequiredLabel[];
}

/** Workloads carry the ownership labels (gatekeeper-library `k8srequiredlabels`, without its `message` override). */
export class RequiredLabelsRule extends AdmissionRule {
  public readonly templateName = 'k8srequiredlabels';
  public readonly kind = 'K8sRequiredLabels';
  public readonly description = 'Workloads and Services carry the ownership labels.';
  public readonly kinds: readonly RuleKind[] = [...POD_KINDS, { apiGroup: '', kind: 'Service', resource: 'services' }];
  public readonly fromLibrary = true;
  public readonly labels: RequiredLabel[];

  constructor(props: RequiredLabelsRuleProps) {
    super('functions-ownership-labels', AdmissionScopes.functionNamespaces(), props);
    this.labels = props.labels;
  }

  public parametersSchema(): JsonObject {
    return {
      type: 'object',
      properties: {
        labels: {
          type: 'array',
          description: 'Labels every object must carry.',
          items: {
            type: 'object',
            properties: {
              key: { type: 'string', description: 'The required label.' },
              allowedRegex: { type: 'string', description: 'A regular expression the value must match.' },
            },
          },
        },
      },
    };
  }

  public parameters(): JsonObject {
    return {
      labels: this.labels.map((l): JsonObject => (l.allowedRegex === undefined ? { key: l.key } : { key: l.key, allowedRegex: l.allowedRegex })),
    };
  }

  public rego(): string {
    return regoModule(this.templateName, `
${regoFirstProblem('missing', `
entry := input.parameters.labels[_]
not input.review.object.metadata.labels[entry.key]
msg := sprintf("missing required label <%v>; required: %v", [entry.key, required])`)}

${regoFirstProblem('mismatched', `
entry := input.parameters.labels[_]
value := input.review.object.metadata.labels[entry.key]
pattern := object.get(entry, "allowedRegex", "")
pattern != ""
not regex.match(pattern, value)
msg := sprintf("label <%v> has value <%v>, which does not match <%v>", [entry.key, value, pattern])`)}

required = concat(", ", [k | k := input.parameters.labels[_].key])`);
  }

  public cel(p: ParamRef): CelSource {
    const has = 'has(object.metadata.labels) && e.key in object.metadata.labels';
    const badValue = `${has} && has(e.allowedRegex) && !object.metadata.labels[e.key].matches(e.allowedRegex)`;
    return {
      variables: [],
      validations: [
        {
          expression: `${p('labels')}.all(e, ${has})`,
          messageExpression: `"missing required label <" + ${p('labels')}.filter(e, !(${has}))[0].key + ">; required: " + ${p('labels')}.map(e, e.key).join(", ")`,
        },
        {
          expression: `!${p('labels')}.exists(e, ${badValue})`,
          messageExpression: `${p('labels')}.filter(e, ${badValue}).map(e, "label <" + e.key + "> has value <" + object.metadata.labels[e.key] + ">, which does not match <" + e.allowedRegex + ">")[0]`,
        },
      ],
    };
  }

  public validate(): string[] {
    const errors: string[] = [];
    if (this.labels.length === 0) {
      errors.push('labels is empty: the rule would check nothing; list the ownership labels (for example app.kubernetes.io/part-of)');
    }
    this.labels.forEach((l, i) => {
      const keyError = checkQualifiedName(`labels[${i}]`, l.key);
      if (keyError) errors.push(`${keyError}: no object could carry it`);
      // Gatekeeper's Rego (regex.match) and CEL (matches) both compile RE2.
      const regexError = l.allowedRegex !== undefined ? checkRe2(`labels entry "${oneLine(l.key)}" allowedRegex`, l.allowedRegex) : undefined;
      if (regexError) errors.push(regexError);
    });
    return errors;
  }
}
