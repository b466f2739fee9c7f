import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label } from '../core/names';

/** Label that marks a namespace as holding Wasm functions; admission policies select on it. */
export const FUNCTION_NAMESPACE_LABEL = 'platform.wasm.dev/functions';

/** Props for {@link FunctionNamespace}. */
export interface FunctionNamespaceProps {
  /** Namespace name (a DNS-1123 label). */
  readonly name: string;
  /**
   * Extra labels, for example team ownership.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A namespace for Wasm functions: enforces the "restricted" Pod Security Standard (the
 * functions' security context meets it) and carries the label policies select on.
 */
export class FunctionNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: FunctionNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    this.node.addValidation({
      validate: () => {
        const error = checkDns1123Label('name', this.name);
        return error ? [error] : [];
      },
    });
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: {
          ...props.labels,
          [FUNCTION_NAMESPACE_LABEL]: 'true',
          [LABELS.managedBy]: MANAGED_BY,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.30',
        },
      },
    });
  }
}
