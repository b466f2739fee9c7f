import { k8s } from 'cdk8s-plus-28';
import { checkDns1123Label, checkPort, checkServiceName } from '../core/names';
import { checkCidr, checkPodGroup, PodGroup, podGroup, podGroupPeer } from '../core/reach';

/** Props for {@link FunctionEgress.toService}. */
export interface ServiceEgressProps {
  /** Namespace of the Service. */
  readonly namespace: string;
  /** Name of the Service, for the reach report and messages. */
  readonly name: string;
  /** Labels of the Service's pods (its selector): the NetworkPolicy selects the pods, not the Service. */
  readonly podLabels: Record<string, string>;
  /** Port the pods listen on (the Service's targetPort, not its port). */
  readonly port: number;
  /**
   * Protocol of the port.
   * @default "TCP"
   */
  readonly protocol?: 'TCP' | 'UDP';
}

/** Props for {@link FunctionEgress.toCidr}. */
export interface CidrEgressProps {
  /** The address range, for example "203.0.113.0/24" (a payment provider's published range). */
  readonly cidr: string;
  /** Port the function connects to. */
  readonly port: number;
  /**
   * Protocol of the port.
   * @default "TCP"
   */
  readonly protocol?: 'TCP' | 'UDP';
}

/**
 * One destination a function may open connections to, beyond DNS; see
 * {@link WasmFunction.allowEgressTo}. Everything else is denied by the namespace's default deny.
 */
export class FunctionEgress {
  /** The pods behind an in-cluster Service that is not a WasmFunction (use `allowCallsTo` for those). */
  public static toService(props: ServiceEgressProps): FunctionEgress {
    return new FunctionEgress(props.protocol ?? 'TCP', props.port, podGroup(props.namespace, props.name, props.podLabels, 'installed'), undefined, props.name);
  }

  /** An address range outside the cluster's pods (a payment provider, a database's managed endpoint). */
  public static toCidr(props: CidrEgressProps): FunctionEgress {
    return new FunctionEgress(props.protocol ?? 'TCP', props.port, undefined, props.cidr, undefined);
  }

  private constructor(
    /** Protocol of the port. */
    public readonly protocol: 'TCP' | 'UDP',
    /** Destination port. */
    public readonly port: number,
    /** The pods, for a Service destination. */
    public readonly pods: PodGroup | undefined,
    /** The range, for a CIDR destination. */
    public readonly cidr: string | undefined,
    private readonly serviceName: string | undefined,
  ) {}

  /** The destination as the reach report names it: a pod group or `cidr:<CIDR>`. */
  public get target(): string {
    return this.pods ? this.pods.name : `cidr:${this.cidr}`;
  }

  /** The egress rule that allows exactly this destination. */
  public rule(): k8s.NetworkPolicyEgressRule {
    return {
      to: [this.pods ? podGroupPeer(this.pods) : { ipBlock: { cidr: this.cidr! } }],
      ports: [{ protocol: this.protocol, port: k8s.IntOrString.fromNumber(this.port) }],
    };
  }

  /** Problems with the destination, each naming `field`. */
  public check(field: string): string[] {
    const problems: (string | undefined)[] = [checkPort(`${field} port`, this.port)];
    if (this.pods) {
      problems.push(checkDns1123Label(`${field} namespace`, this.pods.namespace), checkServiceName(`${field} name`, this.serviceName!));
      problems.push(...checkPodGroup(`${field} podLabels`, this.pods));
    } else {
      problems.push(checkCidr(`${field} cidr`, this.cidr!));
    }
    return problems.filter((p): p is string => p !== undefined);
  }
}
