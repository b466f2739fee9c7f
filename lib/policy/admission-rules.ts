import { AdmissionRule, AdmissionRuleOptions, AdmissionScope } from './admission-rule';
import {
  AllowedReposRule, AllowedReposRuleProps, ContainerLimitsRule, ContainerLimitsRuleProps, HostNamespacesRule,
  HostPathVolumesRule, HostPathVolumesRuleProps, ImageDigestsRule, PrivilegedContainerRule, PrivilegeEscalationRule,
  RequiredLabel, RequiredLabelsRule, RequiredLabelsRuleProps, RequiredResourcesRule, RequiredResourcesRuleProps,
  WasmRuntimeClassRule, WasmRuntimeClassRuleProps,
} from './pod-rules';
import { BlockServiceTypeRule, MaxReplicasRule, MaxReplicasRuleProps } from './service-rules';

/**
 * What a team-scoped rule reads of a team: a tenancy `Team` and its props both have it. The
 * policy capability names no team construct, so a bundle can hold a team's rules before (or
 * without) the team itself.
 */
export interface TeamAdmissionScope {
  /** Team name: it names the rule (`team-<name>-allowed-repos`). */
  readonly name: string;
  /** The namespaces the team owns: the rule applies there and nowhere else. */
  readonly namespaces: readonly string[];
  /** Image prefixes the team's pods may come from, each ending with "/". */
  readonly registries: readonly string[];
}

/** Props for {@link AdmissionRules.platformDefaults}. */
export interface PlatformRulesProps {
  /** Registry paths function images may come from, each ending with "/". */
  readonly allowedRepos: string[];
  /**
   * Namespaces allowed to expose NodePort and LoadBalancer Services (the gateway's).
   * @default ["gateway"]
   */
  readonly gatewayNamespaces?: string[];
  /**
   * Highest CPU limit of a function container.
   * @default "100m" (the seed's)
   */
  readonly cpuLimitCeiling?: string;
  /**
   * Highest memory limit of a function container.
   * @default "64Mi" (the seed's)
   */
  readonly memoryLimitCeiling?: string;
  /**
   * Highest replica count of a function workload or autoscaler.
   * @default 5000 (the seed's maxReplicas)
   */
  readonly maxReplicas?: number;
  /**
   * RuntimeClasses function pods may select.
   * @default ["wasmedge"]
   */
  readonly runtimeClassNames?: string[];
  /**
   * Labels every function workload and Service carries.
   * @default app.kubernetes.io/name and app.kubernetes.io/part-of
   */
  readonly ownershipLabels?: RequiredLabel[];
  /**
   * Host path prefixes hostPath volumes may mount anywhere in the cluster (a log agent's, for example).
   * @default - none
   */
  readonly allowedHostPathPrefixes?: string[];
  /**
   * Namespaces of node agents — a log collector such as Grafana Alloy mounting
   * /var/log, a node exporter on the host network — exempt from the host namespace,
   * hostPath and privilege-escalation rules. Everything else stays in force there.
   * @default - none: every namespace but the system ones is held to the host rules
   */
  readonly nodeAgentNamespaces?: string[];
}

/** Factories for the admission rules, and the platform's reference set. */
export class AdmissionRules {
  /** Pods of function namespaces run under a Wasm RuntimeClass. */
  public static wasmRuntimeClass(props: WasmRuntimeClassRuleProps = {}): AdmissionRule {
    return new WasmRuntimeClassRule(props);
  }

  /** Every container declares requests and limits. */
  public static requiredResources(props: RequiredResourcesRuleProps = {}): AdmissionRule {
    return new RequiredResourcesRule(props);
  }

  /** Container limits stay under ceilings. */
  public static containerLimits(props: ContainerLimitsRuleProps = {}): AdmissionRule {
    return new ContainerLimitsRule(props);
  }

  /** Images come from allowed registry paths. */
  public static allowedRepos(props: AllowedReposRuleProps): AdmissionRule {
    return new AllowedReposRule(props);
  }

  /**
   * A team's images come from its own registries: the allowed-repos rule (the same template
   * as the platform-wide one, another constraint) with the team's `registries`, matching only
   * the namespaces it owns, by name. By name rather than by the `platform.wasm.dev/team`
   * namespace label: the team's list is what ownership is, and a namespace missing the label
   * would otherwise escape its team's rule. Beside the platform-wide rule, which still holds
   * every function namespace (those no team owns too) to the platform's registry.
   */
  public static teamAllowedRepos(team: TeamAdmissionScope, options: Omit<AdmissionRuleOptions, 'scope'> = {}): AdmissionRule {
    return new AllowedReposRule({
      name: options.name ?? `team-${team.name}-allowed-repos`,
      enforcementAction: options.enforcementAction,
      repos: [...team.registries],
      scope: { namespaces: [...team.namespaces] },
    });
  }

  /** Images are pinned by sha256 digest. */
  public static imageDigests(props: AdmissionRuleOptions = {}): AdmissionRule {
    return new ImageDigestsRule(props);
  }

  /** No privileged containers. */
  public static noPrivilegedContainers(props: AdmissionRuleOptions = {}): AdmissionRule {
    return new PrivilegedContainerRule(props);
  }

  /** Containers set allowPrivilegeEscalation: false. */
  public static noPrivilegeEscalation(props: AdmissionRuleOptions = {}): AdmissionRule {
    return new PrivilegeEscalationRule(props);
  }

  /** No host PID, IPC or network namespace. */
  public static noHostNamespaces(props: AdmissionRuleOptions = {}): AdmissionRule {
    return new HostNamespacesRule(props);
  }

  /** No hostPath volumes outside allowed prefixes. */
  public static noHostPathVolumes(props: HostPathVolumesRuleProps = {}): AdmissionRule {
    return new HostPathVolumesRule(props);
  }

  /** Objects carry the given labels. */
  public static requiredLabels(props: RequiredLabelsRuleProps): AdmissionRule {
    return new RequiredLabelsRule(props);
  }

  /** Replica ceiling for workloads, HPAs and KEDA ScaledObjects. */
  public static maxReplicas(props: MaxReplicasRuleProps = {}): AdmissionRule {
    return new MaxReplicasRule(props);
  }

  /** No NodePort Services in scope (exclude the gateway's namespaces). */
  public static blockNodePort(props: AdmissionRuleOptions = {}): AdmissionRule {
    return new BlockServiceTypeRule('NodePort', props);
  }

  /** No LoadBalancer Services in scope (exclude the gateway's namespaces). */
  public static blockLoadBalancer(props: AdmissionRuleOptions = {}): AdmissionRule {
    return new BlockServiceTypeRule('LoadBalancer', props);
  }

  /**
   * The platform's reference set. Function rules (runtime, resources, images, labels,
   * replicas) apply to function namespaces; the pod hardening rules and the Service type
   * rules to every namespace but the system ones (and, for Service types, the gateway's).
   */
  public static platformDefaults(props: PlatformRulesProps): AdmissionRule[] {
    const gatewayOnly: AdmissionScope = { excludedNamespaces: props.gatewayNamespaces ?? ['gateway'] };
    const nodeAgents = props.nodeAgentNamespaces ?? [];
    const hostRulesScope: AdmissionScope | undefined = nodeAgents.length > 0 ? { excludedNamespaces: nodeAgents } : undefined;
    return [
      AdmissionRules.wasmRuntimeClass({ runtimeClassNames: props.runtimeClassNames }),
      AdmissionRules.requiredResources(),
      AdmissionRules.containerLimits({ cpu: props.cpuLimitCeiling, memory: props.memoryLimitCeiling }),
      AdmissionRules.allowedRepos({ repos: props.allowedRepos }),
      AdmissionRules.imageDigests(),
      AdmissionRules.noPrivilegedContainers(),
      AdmissionRules.noPrivilegeEscalation({ scope: hostRulesScope }),
      AdmissionRules.noHostNamespaces({ scope: hostRulesScope }),
      AdmissionRules.noHostPathVolumes({ allowedPathPrefixes: props.allowedHostPathPrefixes, scope: hostRulesScope }),
      AdmissionRules.requiredLabels({
        labels: props.ownershipLabels ?? [{ key: 'app.kubernetes.io/name' }, { key: 'app.kubernetes.io/part-of' }],
      }),
      AdmissionRules.maxReplicas({ maxReplicas: props.maxReplicas }),
      AdmissionRules.blockNodePort({ scope: gatewayOnly }),
      AdmissionRules.blockLoadBalancer({ scope: gatewayOnly }),
    ];
  }

  private constructor() {}
}
