import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABELS, MANAGED_BY } from './labels';
import * as plain from '../synth/plain-bindings';

/** Name of the NetworkPolicy that denies everything in a namespace the library creates. */
export const DEFAULT_DENY_POLICY_NAME = 'default-deny';

/**
 * A NetworkPolicy `default-deny` in `namespace` that selects every pod and allows nothing,
 * in or out. NetworkPolicies add up: each workload's own policy gives back exactly the paths
 * it needs, and a pod nobody described (a debugging pod, a forgotten job) gets none, so it
 * can neither be reached nor reach the Kubernetes API, a cloud metadata address or the internet.
 */
export function renderDefaultDeny(scope: Construct, namespace: string): k8s.KubeNetworkPolicy {
  return new plain.KubeNetworkPolicy(scope, 'DefaultDeny', {
    metadata: { name: DEFAULT_DENY_POLICY_NAME, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
}
