import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { fmt } from '../autoscaling/capacity-plan';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label, checkIntegerInRange, checkNoEmptyEntries, oneLine } from '../core/names';
import { checkQuantity, parseQuantity } from '../core/quantity';
import { DEFAULT_FUNCTION_RESOURCES } from '../function/function-resources';
import { WasmFunction } from '../function/wasm-function';
import { AllowedReposRule } from '../policy/pod-rules';
import { PolicyBundle } from '../policy/policy-bundle';
import { constructsOf } from '../synth/synth-session';
import {
  cpuQuantity, FunctionDemand, memoryQuantity, namespaceDemand, NamespaceDemand, QuotaAmounts, withHeadroom,
} from './namespace-demand';
import { TEAM_MANAGED_RESOURCES } from './team-resources';
import * as plain from '../synth/plain-bindings';

/** Label naming the team that owns an object (and a function namespace). */
export const TEAM_LABEL = 'platform.wasm.dev/team';

/** A namespace's ResourceQuota, given by hand instead of computed from the functions. */
export interface NamespaceQuota {
  /** Most pods in the namespace. */
  readonly pods: number;
  /** Sum of the pods' CPU requests, as a quantity (for example "40"). */
  readonly cpuRequest: string;
  /** Sum of the pods' CPU limits, as a quantity. */
  readonly cpuLimit: string;
  /** Sum of the pods' memory requests, as a quantity (for example "120Gi"). */
  readonly memoryRequest: string;
  /** Sum of the pods' memory limits, as a quantity. */
  readonly memoryLimit: string;
}

/** Props for {@link Team}. */
export interface TeamProps {
  /** Team name (a DNS-1123 label): it names the team's Roles, bindings and AppProject. */
  readonly name: string;
  /** The function namespaces the team owns; no other team may claim one of them. */
  readonly namespaces: readonly string[];
  /**
   * The team's group as the identity provider puts it in the user's token (the `groups`
   * claim the API server maps to RBAC groups, `--oidc-groups-claim`).
   */
  readonly group: string;
  /**
   * Image registries (prefixes, for example "registry.example.com/catalog/") the team's
   * functions come from: a function in one of its namespaces with an image from anywhere
   * else is a synth error. The cluster refuses such pods too once the app's PolicyBundle
   * carries `AdmissionRules.teamAllowedRepos(team)`; where the app has a bundle without it,
   * the team is a synth error.
   */
  readonly registries: readonly string[];
  /**
   * Room above what the functions need at their peak, in percent, in each computed quota:
   * an autoscaler's maxReplicas raised in a hotfix, or a debugging pod, then fits without a
   * quota change first. It does not reserve capacity: a quota is a ceiling.
   * @default 20
   */
  readonly headroomPercent?: number;
  /**
   * Quotas given by hand, by namespace: emitted as given, and a synth error where the
   * functions need more at their peak (headroom not counted).
   * @default - every namespace's quota is computed from its functions, plus headroomPercent
   */
  readonly quotas?: Readonly<Record<string, NamespaceQuota>>;
  /**
   * The largest CPU limit one container of the team's namespaces may set (the LimitRange's
   * `max.cpu`). A function above it is a synth error: the API server would refuse its pods.
   * @default "100m" (the seed's limit)
   */
  readonly maxContainerCpu?: string;
  /**
   * The largest memory limit one container may set (the LimitRange's `max.memory`).
   * @default "64Mi" (the seed's limit)
   */
  readonly maxContainerMemory?: string;
}

/** One owned namespace's quota: what was emitted, and what the functions need. */
export interface TeamNamespaceQuota {
  readonly namespace: string;
  /** What the functions need at their peak, before headroom. */
  readonly demand: NamespaceDemand;
  /** The ResourceQuota's `spec.hard`, in whole units. */
  readonly hard: QuotaAmounts;
  /** Whether `hard` was given by hand (`quotas`) rather than computed. */
  readonly explicit: boolean;
}

/** The quota fields: their ResourceQuota key, their NamespaceQuota field, and how they read. */
const QUOTA_FIELDS = [
  { key: 'pods', field: 'pods', amount: 'pods', show: (v: number) => `${v} pods` },
  { key: 'requests.cpu', field: 'cpuRequest', amount: 'cpuRequestMillis', show: cpuQuantity },
  { key: 'requests.memory', field: 'memoryRequest', amount: 'memoryRequestBytes', show: memoryShown },
  { key: 'limits.cpu', field: 'cpuLimit', amount: 'cpuLimitMillis', show: cpuQuantity },
  { key: 'limits.memory', field: 'memoryLimit', amount: 'memoryLimitBytes', show: memoryShown },
] as const;

/**
 * A team that owns function namespaces. For each namespace it emits a `ResourceQuota`
 * (pods, CPU and memory requests and limits: its functions at their peak, rollout surge and
 * RuntimeClass overhead included, plus `headroomPercent`), a `LimitRange` (the seed's sizing
 * as every container's defaults, and maxima), and a `Role` and `RoleBinding` that let the
 * team's group manage its functions there; and one `ClusterRoleBinding` to the built-in
 * `view` ClusterRole, so the group reads everywhere else. The namespaced objects name their
 * namespace: create the team in the chart that declares the namespaces, so the quota is in
 * place before any pod. Give it an AppProject with {@link TeamProject}.
 */
export class Team extends Construct {
  /** Every team under `scope`, in construction order. */
  public static all(scope: IConstruct): Team[] {
    return constructsOf(scope).filter((c): c is Team => c instanceof Team);
  }

  /** Team name. */
  public readonly name: string;
  /** The namespaces it owns. */
  public readonly namespaces: readonly string[];
  /** Its identity-provider group. */
  public readonly group: string;
  /** Its image registries. */
  public readonly registries: readonly string[];
  /** Percent above the peak in computed quotas. */
  public readonly headroomPercent: number;
  /** Name of every object the team emits per namespace (`team-<name>`). */
  public readonly objectName: string;

  private readonly quotas: Readonly<Record<string, NamespaceQuota>>;
  private readonly maxCpu: string;
  private readonly maxMemory: string;

  constructor(scope: Construct, id: string, props: TeamProps) {
    super(scope, id);
    this.name = props.name;
    this.namespaces = [...props.namespaces];
    this.group = props.group;
    this.registries = [...props.registries];
    this.headroomPercent = props.headroomPercent ?? 20;
    this.quotas = props.quotas ?? {};
    this.maxCpu = props.maxContainerCpu ?? DEFAULT_FUNCTION_RESOURCES.cpuLimit;
    this.maxMemory = props.maxContainerMemory ?? DEFAULT_FUNCTION_RESOURCES.memoryLimit;
    this.objectName = `team-${this.name}`;
    const labels = { [TEAM_LABEL]: this.name, [LABELS.managedBy]: MANAGED_BY, [LABELS.partOf]: 'tenancy' };

    this.node.addValidation({ validate: () => this.validate() });

    for (const namespace of new Set(this.namespaces)) {
      const metadata = { name: this.objectName, namespace, labels };
      // A plain ApiObject: the L1 binding's serializer walks `spec.hard` as a map and would
      // drop the lazy value, which is read at synth because the autoscalers of the team's
      // functions may be created after the team.
      new ApiObject(this, `Quota-${namespace}`, {
        ...k8s.KubeResourceQuota.GVK,
        metadata,
        spec: Lazy.any({ produce: () => ({ hard: this.hardOf(namespace) }) }),
      });
      new plain.KubeLimitRange(this, `Limits-${namespace}`, {
        metadata,
        spec: {
          limits: [{
            type: 'Container',
            // What a container without its own requests and limits gets: the seed's sizing.
            defaultRequest: {
              cpu: k8s.Quantity.fromString(DEFAULT_FUNCTION_RESOURCES.cpuRequest),
              memory: k8s.Quantity.fromString(DEFAULT_FUNCTION_RESOURCES.memoryRequest),
            },
            default: {
              cpu: k8s.Quantity.fromString(DEFAULT_FUNCTION_RESOURCES.cpuLimit),
              memory: k8s.Quantity.fromString(DEFAULT_FUNCTION_RESOURCES.memoryLimit),
            },
            max: { cpu: k8s.Quantity.fromString(this.maxCpu), memory: k8s.Quantity.fromString(this.maxMemory) },
          }],
        },
      });
      new plain.KubeRole(this, `Role-${namespace}`, {
        metadata,
        rules: [
          // One rule per API group: a rule grants every listed resource in every listed group.
          ...[...new Set(TEAM_MANAGED_RESOURCES.map((r) => r.apiGroup))].map((group) => ({
            apiGroups: [group],
            resources: TEAM_MANAGED_RESOURCES.filter((r) => r.apiGroup === group).map((r) => r.resource),
            verbs: MANAGE_VERBS,
          })),
          // Operate what the Deployments run: read, restart by deleting, read logs. Pods are
          // not created by hand: they would escape review and the functions' NetworkPolicies.
          { apiGroups: [''], resources: ['pods'], verbs: [...READ_VERBS, 'delete'] },
          { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        ],
      });
      new plain.KubeRoleBinding(this, `RoleBinding-${namespace}`, {
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.objectName },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: this.group }],
      });
    }
    // The built-in `view` role: reads most namespaced objects, not Secrets, and grants no
    // escalation; the team sees the platform it runs on without changing it.
    new plain.KubeClusterRoleBinding(this, 'ViewBinding', {
      metadata: { name: `${this.objectName}-view`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: this.group }],
    });
  }

  /** Every owned namespace's quota as the synth writes it (computed over the app as it stands). */
  public namespaceQuotas(): TeamNamespaceQuota[] {
    return [...new Set(this.namespaces)].map((namespace) => {
      const demand = namespaceDemand(this.node.root, namespace);
      const given = this.quotas[namespace];
      return given
        ? { namespace, demand, hard: explicitAmounts(given), explicit: true }
        : { namespace, demand, hard: withHeadroom(demand.total, this.headroomPercent), explicit: false };
    });
  }

  /** The ResourceQuota's `spec.hard`: a quota given by hand as given, a computed one in whole units. */
  private hardOf(namespace: string): Record<string, string> {
    const given = this.quotas[namespace];
    if (given) {
      return {
        'pods': String(given.pods), 'requests.cpu': given.cpuRequest, 'requests.memory': given.memoryRequest,
        'limits.cpu': given.cpuLimit, 'limits.memory': given.memoryLimit,
      };
    }
    const hard = withHeadroom(namespaceDemand(this.node.root, namespace).total, this.headroomPercent);
    return {
      'pods': String(hard.pods),
      'requests.cpu': cpuQuantity(hard.cpuRequestMillis),
      'requests.memory': memoryQuantity(hard.memoryRequestBytes),
      'limits.cpu': cpuQuantity(hard.cpuLimitMillis),
      'limits.memory': memoryQuantity(hard.memoryLimitBytes),
    };
  }

  private validate(): string[] {
    const problems: string[] = [];
    const push = (e: string | undefined) => { if (e) problems.push(e); };
    push(checkDns1123Label('name', this.name));
    if (this.objectName.length > 63) push(`name "${oneLine(this.name)}" makes the object name "${oneLine(this.objectName)}" longer than 63 characters: use a shorter name`);
    if (typeof this.group !== 'string' || this.group.trim() === '') push('group is empty: give the identity-provider group whose members are the team');
    if (this.namespaces.length === 0) push('namespaces is empty: give at least one function namespace the team owns');
    this.namespaces.forEach((n, i) => push(checkDns1123Label(`namespaces[${i}]`, n)));
    if (this.registries.length === 0) push('registries is empty: give at least one image registry prefix (for example "registry.example.com/team/")');
    push(checkNoEmptyEntries('registries', this.registries));
    push(checkIntegerInRange('headroomPercent', this.headroomPercent, 0, 1000));
    push(checkQuantity('maxContainerCpu', this.maxCpu, '200m'));
    push(checkQuantity('maxContainerMemory', this.maxMemory, '128Mi'));
    problems.push(...this.checkOwnership(), ...this.checkMaxima());
    if (problems.length > 0) return problems;
    return [...this.checkFunctions(), ...this.checkQuotas(), ...this.checkAdmission()];
  }

  /**
   * Where the app has admission policies, one of them must hold the team's namespaces to its
   * registries: an allowed-repos rule matching every namespace it owns, admitting nothing
   * beyond its registries. Without it anyone who may create pods there could run an image from
   * another team's registry, which only synth would have refused.
   */
  private checkAdmission(): string[] {
    const bundles = PolicyBundle.all(this.node.root);
    if (bundles.length === 0) return [];
    const enforced = bundles.some((b) => b.rules.some((r) => r instanceof AllowedReposRule
      && r.scope.namespaces !== undefined && r.scope.namespaces.length > 0
      && this.namespaces.every((n) => r.scope.namespaces!.includes(n) && !b.excludedNamespaces.includes(n) && !r.scope.excludedNamespaces?.includes(n))
      && r.repos.every((repo) => this.registries.some((reg) => repo.startsWith(reg)))));
    if (enforced) return [];
    const where = bundles.map((b) => b.node.path).join(', ');
    return [`registries (${this.registries.map((r) => `"${oneLine(r)}"`).join(', ')}) are checked at synth only: no PolicyBundle of the app (${where}) has an allowed-repos rule matching the team's namespaces (${this.namespaces.map((n) => `"${oneLine(n)}"`).join(', ')}) that admits only those registries; add AdmissionRules.teamAllowedRepos(team) to a bundle's rules`];
  }

  /** A namespace claimed by an earlier team, or a name an earlier team has: one problem at the later team. */
  private checkOwnership(): string[] {
    const problems: string[] = [];
    const all = Team.all(this.node.root);
    const earlier = all.slice(0, all.indexOf(this));
    const sameName = earlier.find((t) => t.name === this.name);
    if (sameName) problems.push(`name "${oneLine(this.name)}" is already used by Team ${sameName.node.path}: give each team its own name`);
    const seen = new Set<string>();
    for (const namespace of this.namespaces) {
      if (seen.has(namespace)) problems.push(`namespaces lists "${oneLine(namespace)}" twice: list each namespace once`);
      seen.add(namespace);
      const owner = earlier.find((t) => t.namespaces.includes(namespace));
      if (owner) {
        problems.push(`namespace "${oneLine(namespace)}" is already owned by team "${oneLine(owner.name)}" (${owner.node.path}): a namespace has one owner, whose quota and RBAC it carries; remove it from one of the teams`);
      }
    }
    for (const key of Object.keys(this.quotas)) {
      if (!this.namespaces.includes(key)) {
        problems.push(`quotas names "${oneLine(key)}", which is not among namespaces (${this.namespaces.map((n) => `"${oneLine(n)}"`).join(', ')}): give quotas only for namespaces the team owns`);
      }
    }
    for (const [namespace, q] of Object.entries(this.quotas)) {
      const field = `quotas["${oneLine(namespace)}"]`;
      problems.push(...[
        checkIntegerInRange(`${field}.pods`, q.pods, 0, 1_000_000),
        checkQuantity(`${field}.cpuRequest`, q.cpuRequest, '40'),
        checkQuantity(`${field}.cpuLimit`, q.cpuLimit, '400'),
        checkQuantity(`${field}.memoryRequest`, q.memoryRequest, '120Gi'),
        checkQuantity(`${field}.memoryLimit`, q.memoryLimit, '240Gi'),
      ].filter((e): e is string => e !== undefined));
    }
    return problems;
  }

  /** The LimitRange's defaults must fit under its maxima, or the API server refuses it. */
  private checkMaxima(): string[] {
    const problems: string[] = [];
    const pairs = [
      ['maxContainerCpu', this.maxCpu, DEFAULT_FUNCTION_RESOURCES.cpuLimit],
      ['maxContainerMemory', this.maxMemory, DEFAULT_FUNCTION_RESOURCES.memoryLimit],
    ] as const;
    for (const [field, max, defaultLimit] of pairs) {
      const m = parseQuantity(max);
      if (m !== undefined && m < parseQuantity(defaultLimit)!) {
        problems.push(`${field} ("${oneLine(max)}") is below the LimitRange's default limit ("${defaultLimit}", the seed's sizing), which the API server refuses: set it to at least "${defaultLimit}"`);
      }
    }
    return problems;
  }

  /** Functions in the team's namespaces: images from its registries, limits under its maxima. */
  private checkFunctions(): string[] {
    const problems: string[] = [];
    const maxCpu = parseQuantity(this.maxCpu)!;
    const maxMemory = parseQuantity(this.maxMemory)!;
    for (const fn of WasmFunction.all(this.node.root).filter((f) => this.namespaces.includes(f.namespace))) {
      const name = `function ${oneLine(fn.namespace)}/${oneLine(fn.name)} (${fn.node.path})`;
      if (!this.registries.some((r) => fn.image.startsWith(r))) {
        problems.push(`${name} has the image "${oneLine(fn.image)}", which is not from the team's registries (${this.registries.map((r) => `"${oneLine(r)}"`).join(', ')}): publish it there, or add its registry to registries`);
      }
      if (fn.resources.cpuLimitCores > maxCpu + 1e-12) {
        problems.push(`${name} has cpuLimit "${oneLine(fn.resources.cpuLimit)}", above maxContainerCpu ("${oneLine(this.maxCpu)}"): the LimitRange would refuse its pods; raise maxContainerCpu to at least "${oneLine(fn.resources.cpuLimit)}", or lower the function's cpuLimit`);
      }
      if (fn.resources.memoryLimitBytes > maxMemory) {
        problems.push(`${name} has memoryLimit "${oneLine(fn.resources.memoryLimit)}", above maxContainerMemory ("${oneLine(this.maxMemory)}"): the LimitRange would refuse its pods; raise maxContainerMemory to at least "${oneLine(fn.resources.memoryLimit)}", or lower the function's memoryLimit`);
      }
    }
    return problems;
  }

  /**
   * A quota given by hand must hold the functions at their peak. Where one function alone
   * needs more, the message names it; otherwise it names the sum and each function's share.
   */
  private checkQuotas(): string[] {
    const problems: string[] = [];
    for (const q of this.namespaceQuotas().filter((n) => n.explicit)) {
      for (const f of QUOTA_FIELDS) {
        const quota = q.hard[f.amount];
        const need = q.demand.total[f.amount];
        if (need <= quota) continue;
        const field = `quotas["${oneLine(q.namespace)}"].${f.field} (${f.show(quota)})`;
        const alone = q.demand.functions.filter((d) => d[f.amount] > quota);
        if (alone.length > 0) {
          for (const d of alone) {
            problems.push(`function ${oneLine(d.function)} (${d.path}) needs ${f.show(d[f.amount])} of ${f.key} at its peak (${peakText(d)}), more than ${field}: raise the quota to at least ${f.show(need)} (every function of the namespace), or lower the function's maxReplicas`);
          }
        } else {
          const shares = q.demand.functions.map((d) => `${oneLine(d.function)} ${f.show(d[f.amount])}`).join(', ');
          problems.push(`the functions of ${oneLine(q.namespace)} need ${f.show(need)} of ${f.key} at their peak (${shares}), more than ${field}: raise the quota to at least ${f.show(need)}, or lower their maxReplicas`);
        }
      }
    }
    return problems;
  }
}

const READ_VERBS = ['get', 'list', 'watch'];
const MANAGE_VERBS = [...READ_VERBS, 'create', 'update', 'patch', 'delete'];

function explicitAmounts(q: NamespaceQuota): QuotaAmounts {
  const v = (s: string) => parseQuantity(s) ?? 0;
  return {
    pods: q.pods,
    cpuRequestMillis: Math.round(v(q.cpuRequest) * 1000),
    cpuLimitMillis: Math.round(v(q.cpuLimit) * 1000),
    memoryRequestBytes: v(q.memoryRequest),
    memoryLimitBytes: v(q.memoryLimit),
  };
}

function peakText(d: FunctionDemand): string {
  return d.surgePods > 0 ? `${d.replicas} replicas + ${d.surgePods} surge pods` : `${d.replicas} replicas`;
}

function memoryShown(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? memoryQuantity(bytes) : `${fmt(bytes / 2 ** 20)}Mi`;
}
