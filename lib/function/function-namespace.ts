import { Construct } from 'constructs';
import { LABELS, MANAGED_BY } from '../core/labels';
import { renderDefaultDeny } from '../core/default-deny';
import { checkDns1123Label, checkLabels, oneLine } from '../core/names';
import { reportsOwnDuplicates } from '../synth/duplicate-objects';
import { constructsOf } from '../synth/synth-session';
import * as plain from '../synth/plain-bindings';

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
 * functions' security context meets it), carries the label policies select on, and denies
 * all ingress and egress to every pod in it unless a pod's own NetworkPolicy gives a path
 * back (each WasmFunction's does: DNS, its declared callers and callees, nothing else).
 */
export class FunctionNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: FunctionNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    reportsOwnDuplicates(this);
    this.node.addValidation({
      validate: () => {
        const error = checkDns1123Label('name', this.name);
        return [...(error ? [error] : []), ...checkLabels('labels', props.labels), ...this.checkDuplicate()];
      },
    });
    new plain.KubeNamespace(this, 'Resource', {
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
    renderDefaultDeny(this, this.name);
  }

  /** One problem per repeated name, at the namespace that repeats it. */
  private checkDuplicate(): string[] {
    const all = constructsOf(this.node.root).filter((c): c is FunctionNamespace => c instanceof FunctionNamespace && c.name === this.name);
    const at = all.indexOf(this);
    if (at < 1) return [];
    return [`name "${oneLine(this.name)}" is already used by FunctionNamespace ${all[0].node.path}: declare each namespace once (give the second another name, or remove it)`];
  }
}
