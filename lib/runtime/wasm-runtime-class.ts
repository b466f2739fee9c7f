import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Subdomain, checkLabels, checkOneOf, checkQualifiedName, oneLine } from '../core/names';
import { checkQuantity } from '../core/quantity';
import { IWasmRuntime, PodOverhead, SUPPORTED_WASM_HANDLERS } from './wasm-runtime';
import * as plain from '../synth/plain-bindings';

/** The taint effects Kubernetes knows. */
export const TAINT_EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** A toleration for the taint that keeps other workloads off Wasm nodes. */
export interface WasmNodeToleration {
  /** Taint key. */
  readonly key: string;
  /**
   * Taint value; the toleration uses `operator: Equal` when set, `Exists` when not.
   * @default - any value (operator Exists)
   */
  readonly value?: string;
  /**
   * Taint effect to tolerate.
   * @default - every effect
   */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Props for {@link WasmRuntimeClass}. */
export interface WasmRuntimeClassProps {
  /**
   * RuntimeClass name. Must not be `wasmedge`: K3s ships that object and would fight a copy.
   * @default "wasmedge-pinned"
   */
  readonly name?: string;
  /**
   * containerd handler.
   * @default "wasmedge"
   */
  readonly handler?: string;
  /**
   * Node labels that mark nodes with the shim installed; the scheduler merges them into
   * every pod that selects this class, so Wasm pods never land on a node without the shim.
   */
  readonly nodeSelector: Record<string, string>;
  /**
   * Tolerations added to every pod of this class, for taints that reserve Wasm nodes.
   * @default - none
   */
  readonly tolerations?: WasmNodeToleration[];
  /**
   * Fixed per-pod overhead the scheduler adds to each pod's requests (the shim's own memory);
   * the cluster capacity check adds it to every function pod of this class.
   * @default - none
   */
  readonly podOverhead?: PodOverhead;
}

/**
 * A RuntimeClass of its own name for the WasmEdge handler that pins Wasm pods to the
 * nodes that have the shim (`scheduling.nodeSelector`), with optional tolerations and
 * pod overhead. Use it instead of K3s's `wasmedge` class when not every node has the shim.
 */
export class WasmRuntimeClass extends Construct implements IWasmRuntime {
  public readonly runtimeClassName: string;
  public readonly handler: string;
  public readonly clusterProvided = false;
  public readonly podOverhead?: PodOverhead;

  constructor(scope: Construct, id: string, props: WasmRuntimeClassProps) {
    super(scope, id);
    this.runtimeClassName = props.name ?? 'wasmedge-pinned';
    this.handler = props.handler ?? 'wasmedge';
    const tolerations = props.tolerations ?? [];
    this.podOverhead = props.podOverhead;

    this.node.addValidation({ validate: () => this.check(props) });
    this.node.addValidation({
      // RuntimeClass is cluster-scoped; a chart namespace would be stamped on it and rejected.
      validate: () => Chart.of(this).namespace
        ? [`is in chart "${Chart.of(this).node.id}" whose namespace is "${oneLine(Chart.of(this).namespace ?? '')}": put cluster-scoped objects in a chart without a namespace`]
        : [],
    });

    new plain.KubeRuntimeClass(this, 'Resource', {
      metadata: {
        name: this.runtimeClassName,
        labels: { [LABELS.component]: 'wasm-runtime', [LABELS.managedBy]: MANAGED_BY },
      },
      handler: this.handler,
      scheduling: {
        nodeSelector: props.nodeSelector,
        tolerations: tolerations.length === 0 ? undefined : tolerations.map((t) => ({
          key: t.key,
          operator: t.value === undefined ? 'Exists' : 'Equal',
          value: t.value,
          effect: t.effect,
        })),
      },
      overhead: props.podOverhead ? {
        podFixed: {
          cpu: k8s.Quantity.fromString(props.podOverhead.cpu),
          memory: k8s.Quantity.fromString(props.podOverhead.memory),
        },
      } : undefined,
    });
  }

  private check(props: WasmRuntimeClassProps): string[] {
    const errors: string[] = [];
    const nameError = checkDns1123Subdomain('name', this.runtimeClassName);
    if (nameError) errors.push(nameError);
    if (this.runtimeClassName === 'wasmedge') {
      errors.push('name "wasmedge" is the RuntimeClass K3s ships in its bundled manifests; emitting it would fight K3s. Use WasmRuntime.K3S_WASMEDGE to select it, or give this class another name (for example "wasmedge-pinned")');
    }
    if (!(SUPPORTED_WASM_HANDLERS as readonly string[]).includes(this.handler)) {
      errors.push(`handler "${oneLine(String(this.handler))}" is not a supported Wasm runtime: use one of ${SUPPORTED_WASM_HANDLERS.join(', ')}`);
    }
    errors.push(...checkLabels('nodeSelector', props.nodeSelector));
    (props.tolerations ?? []).forEach((t, i) => {
      const keyError = checkQualifiedName(`tolerations[${i}]`, t.key);
      if (keyError) errors.push(keyError);
      if (t.value !== undefined) errors.push(...checkLabels(`tolerations[${i}]`, { [t.key]: t.value }).filter((p) => !p.includes(' key "')));
      const effectError = t.effect !== undefined ? checkOneOf(`tolerations[${i}].effect`, t.effect, TAINT_EFFECTS) : undefined;
      if (effectError) errors.push(`${effectError} (leave it out to tolerate every effect)`);
    });
    if (Object.keys(props.nodeSelector ?? {}).length === 0) {
      errors.push('nodeSelector is empty: give the node labels that mark nodes with the shim (for example {"platform.example.com/wasmedge": "true"}); without it use WasmRuntime.K3S_WASMEDGE');
    }
    if (props.podOverhead) {
      for (const [field, value, example] of [['podOverhead.cpu', props.podOverhead.cpu, '5m'], ['podOverhead.memory', props.podOverhead.memory, '8Mi']] as const) {
        const error = checkQuantity(field, value, example);
        if (error) errors.push(error);
      }
    }
    return errors;
  }
}
