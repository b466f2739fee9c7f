import { checkIntegerInRange } from '../core/names';
import {
  AdmissionRule, AdmissionRuleOptions, AdmissionScopes, CelSource, JsonObject, ParamRef, REPLICA_KINDS, regoModule,
  RuleKind, SERVICE_KINDS,
} from './admission-rule';

/** The Service types only the gateway may use, with gatekeeper-library's template for each. */
const EXPOSED = {
  NodePort: { templateName: 'k8sblocknodeport', kind: 'K8sBlockNodePort', name: 'gateway-only-node-port' },
  LoadBalancer: { templateName: 'k8sblockloadbalancer', kind: 'K8sBlockLoadBalancer', name: 'gateway-only-load-balancer' },
} as const;

/** A Service type that exposes pods outside the cluster network. */
export type ExposedServiceType = keyof typeof EXPOSED;

/**
 * Denies Services of one exposing type (gatekeeper-library `k8sblocknodeport` /
 * `k8sblockloadbalancer`). Scope it to every namespace but the gateway's, so only the
 * gateway can expose the platform.
 */
export class BlockServiceTypeRule extends AdmissionRule {
  public readonly templateName: string;
  public readonly kind: string;
  public readonly description: string;
  public readonly kinds: readonly RuleKind[] = SERVICE_KINDS;
  public readonly fromLibrary = true;

  constructor(public readonly serviceType: ExposedServiceType, props: AdmissionRuleOptions = {}) {
    super(EXPOSED[serviceType].name, AdmissionScopes.allNamespaces(), props);
    this.templateName = EXPOSED[serviceType].templateName;
    this.kind = EXPOSED[serviceType].kind;
    this.description = `No Service of type ${serviceType} outside the namespaces the rule excludes (the gateway's).`;
  }

  private get message(): string {
    return `Service spec.type <${this.serviceType}> is not allowed here: only the gateway may expose a Service of type NodePort or LoadBalancer; use ClusterIP and a gateway route`;
  }

  public rego(): string {
    return regoModule(this.templateName, `
violation[{"msg": msg}] {
  input.review.object.kind == "Service"
  input.review.object.spec.type == "${this.serviceType}"
  msg := ${JSON.stringify(this.message)}
}`);
  }

  public cel(_p: ParamRef): CelSource {
    return {
      variables: [],
      validations: [{
        expression: `!has(object.spec.type) || object.spec.type != "${this.serviceType}"`,
        messageExpression: JSON.stringify(this.message),
      }],
    };
  }
}

// ---------------------------------------------------------------------------

/** KEDA's default `maxReplicaCount` when a ScaledObject leaves it out. */
export const KEDA_DEFAULT_MAX_REPLICA_COUNT = 100;

/** Props for {@link MaxReplicasRule}. */
export interface MaxReplicasRuleProps extends AdmissionRuleOptions {
  /**
   * Highest replica count a workload may fix or an autoscaler may reach.
   * @default 5000 (the seed's maxReplicas)
   */
  readonly maxReplicas?: number;
}

/**
 * A replica ceiling for what really sets the count: HPA `spec.maxReplicas`, KEDA
 * ScaledObject `spec.maxReplicaCount` (100 when left out, KEDA's default) and a workload's
 * `spec.replicas` when it fixes one. gatekeeper-library's `k8sreplicalimits` rejects a
 * Deployment without `replicas`, which every autoscaled function is, so this is a rule
 * of its own.
 */
export class MaxReplicasRule extends AdmissionRule {
  public readonly templateName = 'k8smaxreplicas';
  public readonly kind = 'K8sMaxReplicas';
  public readonly description = 'Workload replicas and autoscaler maxima (HPA, ScaledObject, HTTPScaledObject) stay under the replica ceiling.';
  public readonly kinds: readonly RuleKind[] = REPLICA_KINDS;
  public readonly fromLibrary = false;
  public readonly maxReplicas: number;

  constructor(props: MaxReplicasRuleProps = {}) {
    super('functions-max-replicas', AdmissionScopes.functionNamespaces(), props);
    this.maxReplicas = props.maxReplicas ?? 5000;
  }

  public parametersSchema(): JsonObject {
    return { type: 'object', properties: { maxReplicas: { type: 'integer', description: 'Highest replica count.' } } };
  }

  public parameters(): JsonObject {
    return { maxReplicas: this.maxReplicas };
  }

  public rego(): string {
    return regoModule(this.templateName, `
violation[{"msg": msg}] {
  [field, replicas] := replica_count
  replicas > input.parameters.maxReplicas
  msg := sprintf("%v %v <%v> is above the replica ceiling <%v>", [input.review.object.kind, field, replicas, input.parameters.maxReplicas])
}

replica_count = ["spec.maxReplicas", n] {
  input.review.object.kind == "HorizontalPodAutoscaler"
  n := input.review.object.spec.maxReplicas
}

replica_count = ["spec.maxReplicaCount", n] {
  input.review.object.kind == "ScaledObject"
  n := object.get(input.review.object.spec, "maxReplicaCount", ${KEDA_DEFAULT_MAX_REPLICA_COUNT})
}

# The HTTP add-on passes replicas.max to the ScaledObject it creates; absent, KEDA's default.
replica_count = ["spec.replicas.max", n] {
  input.review.object.kind == "HTTPScaledObject"
  n := object.get(object.get(input.review.object.spec, "replicas", {}), "max", ${KEDA_DEFAULT_MAX_REPLICA_COUNT})
}

# A workload without replicas is owned by an autoscaler, which the rules above check.
replica_count = ["spec.replicas", n] {
  workload_kinds[input.review.object.kind]
  n := input.review.object.spec.replicas
}

workload_kinds := {"Deployment", "StatefulSet"}`);
  }

  public cel(p: ParamRef): CelSource {
    return {
      variables: [
        {
          name: 'replicaField',
          expression: "object.kind == 'HorizontalPodAutoscaler' ? 'spec.maxReplicas' : (object.kind == 'ScaledObject' ? 'spec.maxReplicaCount' : (object.kind == 'HTTPScaledObject' ? 'spec.replicas.max' : 'spec.replicas'))",
        },
        {
          name: 'replicas',
          expression: `object.kind == 'HorizontalPodAutoscaler' ? object.spec.maxReplicas : (object.kind == 'ScaledObject' ? (has(object.spec.maxReplicaCount) ? object.spec.maxReplicaCount : ${KEDA_DEFAULT_MAX_REPLICA_COUNT}) : (object.kind == 'HTTPScaledObject' ? (has(object.spec.replicas) && has(object.spec.replicas.max) ? object.spec.replicas.max : ${KEDA_DEFAULT_MAX_REPLICA_COUNT}) : (has(object.spec.replicas) ? object.spec.replicas : 0)))`,
        },
      ],
      validations: [{
        expression: `variables.replicas <= ${p('maxReplicas')}`,
        messageExpression: `object.kind + " " + variables.replicaField + " <" + string(variables.replicas) + "> is above the replica ceiling <" + string(${p('maxReplicas')}) + ">"`,
      }],
    };
  }

  public validate(): string[] {
    const error = checkIntegerInRange('maxReplicas', this.maxReplicas, 1, 1_000_000);
    return error ? [error] : [];
  }
}
