import { createHash } from 'crypto';
import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ServiceBackend } from '../core/backend';
import { checkImage } from '../core/image';
import { DEFAULT_PART_OF, LABELS, MANAGED_BY } from '../core/labels';
import {
  checkDns1123Label, checkEnvVarName, checkHttpPath, checkConfigMapData, checkIntegerInRange, checkLabelValue, checkPort, checkServiceName, oneLine,
} from '../core/names';
import { checkQuantity } from '../core/quantity';
import {
  checkPodGroup, dnsConnections, KUBE_DNS, dnsEgressRule, IReachSource, PodGroup, podGroup, podGroupPeer, ReachConnection, ReachDeclaration,
} from '../core/reach';
import { checkRuntime, IWasmRuntime, WasmRuntime } from '../runtime/wasm-runtime';
import { FunctionEgress } from './function-egress';
import { FunctionResources, ResolvedResources, resolveResources } from './function-resources';
import { reportsOwnDuplicates } from '../synth/duplicate-objects';
import * as plain from '../synth/plain-bindings';
import { constructsOf, oncePerSynth, renderedJson } from '../synth/synth-session';

/** Props for {@link WasmFunction}. */
export interface WasmFunctionProps {
  /**
   * Name of the Deployment, Service and ServiceAccount, and the value of the
   * `app.kubernetes.io/name` label the selector uses. Explicit, so that renaming the
   * construct never changes a live Deployment's immutable selector.
   */
  readonly name: string;
  /**
   * OCI image of the function: FROM scratch with one .wasm as ENTRYPOINT. Pin it by
   * digest (`repo@sha256:...`); a reference without a digest is refused unless
   * `allowMutableTag` is set.
   */
  readonly image: string;
  /**
   * Accept an image reference without a digest (a mutable tag such as `latest`).
   * @default false
   */
  readonly allowMutableTag?: boolean;
  /**
   * Namespace of every object of the function.
   * @default - the namespace of the enclosing chart
   */
  readonly namespace?: string;
  /**
   * The RuntimeClass the pods run under.
   * @default WasmRuntime.K3S_WASMEDGE (K3s's bundled `wasmedge` class)
   */
  readonly runtime?: IWasmRuntime;
  /**
   * Port the function listens on inside the pod.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Port of the function's ClusterIP Service, forwarded to `port`.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * CPU and memory requests and limits; fields left out keep the seed's sizing.
   * @default - CPU 10m request / 100m limit, memory 32Mi request / 64Mi limit
   */
  readonly resources?: FunctionResources;
  /**
   * Fixed replica count, for a function that no autoscaler owns. Setting it on a function
   * that an autoscaler targets is an error: Argo CD and the autoscaler would fight over it.
   * @default 2 when no autoscaler targets the function; omitted from the Deployment when one does
   */
  readonly replicas?: number;
  /**
   * Plain environment variables.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Configuration published as a ConfigMap `<name>-config` and exposed as environment
   * variables; a change to it rolls the pods (the pod template carries its hash).
   * @default - no ConfigMap
   */
  readonly config?: Record<string, string>;
  /**
   * HTTP path of the readiness and liveness probes.
   * @default "/healthz"
   */
  readonly healthPath?: string;
  /**
   * Value of `app.kubernetes.io/part-of`.
   * @default "wasm-functions"
   */
  readonly partOf?: string;
  /**
   * Value of `app.kubernetes.io/version`, for people and dashboards (not part of the selector).
   * @default - no version label
   */
  readonly version?: string;
  /**
   * Pod groups, besides those the platform admits itself (a gateway's proxies for a routed
   * function, Prometheus for a monitored one, the KEDA interceptor, callers declared with
   * {@link WasmFunction.allowCallsTo}), that may reach the function's port. Each names its
   * pods by namespace and labels: no rule admits a whole namespace.
   * @default - none
   */
  readonly ingressFrom?: PodGroup[];
  /**
   * Destinations besides DNS and other functions (see {@link WasmFunction.allowCallsTo}) the
   * function may open connections to; {@link WasmFunction.allowEgressTo} adds more.
   * @default - none: DNS only
   */
  readonly egress?: FunctionEgress[];
  /**
   * How many pods a voluntary disruption (node drain) may take down at once, as a count
   * or a percentage of the replicas.
   * @default "10%"
   */
  readonly maxUnavailable?: number | string;
  /**
   * How many pods a rollout adds above the replica count at once, as a count or a percentage
   * of the replicas (Kubernetes rounds it up). Rollouts never take a serving pod away first
   * (`maxUnavailable: 0`), so the surge is the only room they have: a rollout at maxReplicas
   * during a sale needs that many pods more, and the cluster capacity check counts them.
   * @default "25%" (the Kubernetes default)
   */
  readonly maxSurge?: number | string;
  /**
   * How long a terminating pod keeps serving before it is sent SIGTERM: a
   * `lifecycle.preStop.sleep` that covers the time the gateway's proxies need to drop the
   * pod from their endpoints (a FROM-scratch image has no shell for an `exec` pause). Without
   * it every scale-in and rollout races the endpoint update and the proxies send requests to
   * a pod that is already gone. Whole seconds, shorter than the pod's 10 s grace period;
   * `Duration.seconds(0)` turns it off. Needs the `PodLifecycleSleepAction` feature (beta and
   * on by default from Kubernetes 1.30).
   * @default Duration.seconds(5)
   */
  readonly drain?: Duration;
  /**
   * Also spread the pods over zones (`topology.kubernetes.io/zone`), not only over nodes.
   * Only for clusters whose nodes carry that label: K3s sets none, and the scheduler then
   * treats every node as outside the zone constraint and ignores the hostname spread too,
   * so pods may pack onto a few nodes. A `ClusterCapacity` whose cluster does not say
   * `zonesLabelled` refuses it.
   * @default false
   */
  readonly spreadOverZones?: boolean;
}

/** Pods admitted to the function's port; see {@link WasmFunction.allowIngressFrom}. */
interface IngressGrant {
  readonly pods: PodGroup;
  /** Read at synth: false while the grant does not apply (a route sent through an interceptor). */
  readonly active: () => boolean;
}

/** The pods' `terminationGracePeriodSeconds`: the drain and the module's own shutdown fit inside it. */
const TERMINATION_GRACE_SECONDS = 10;

/** An autoscaler's claim on a function; see {@link WasmFunction.attachAutoscaler}. */
export interface FunctionAutoscalerAttachment {
  /** The construct that owns the replica count. */
  readonly owner: IConstruct;
  /** Kind of object that scales the Deployment, for messages (for example "HorizontalPodAutoscaler"). */
  readonly kind: string;
  /** Lowest replica count the autoscaler keeps (0 for scale to zero). */
  readonly minReplicas: number;
  /** Highest replica count the autoscaler may set. */
  readonly maxReplicas: number;
  /**
   * Name of the HorizontalPodAutoscaler object that exists in the cluster for this
   * function (KEDA creates `keda-hpa-<ScaledObject name>`), for monitoring queries.
   */
  readonly hpaName: string;
  /**
   * The owner reports scaling objects that target the function's Deployment from outside
   * every attached owner itself (it knows its own objects, for example the HPA KEDA creates),
   * so the function does not report them a second time.
   * @default false
   */
  readonly reportsForeignScalers?: boolean;
  /**
   * The highest request rate the owner's capacity plan expects, in requests per second, so
   * what sits in front of the function (a gateway's rate limit) can be held against it.
   * @default - no capacity plan
   */
  readonly plannedPeakRequestsPerSecond?: number;
}

/** How a monitoring stack scrapes a function's own `/metrics`; see {@link WasmFunction.attachScrape}. */
export interface FunctionScrapeAttachment {
  /** The construct whose ServiceMonitor scrapes the pods (for messages). */
  readonly owner: IConstruct;
  /** Seconds between two scrapes of each pod (the ServiceMonitor's `interval`). */
  readonly intervalSeconds: number;
}

/**
 * A HorizontalPodAutoscaler, KEDA ScaledObject or KEDA HTTP add-on HTTPScaledObject in the
 * app whose `scaleTargetRef` names a Deployment.
 */
export interface DeploymentScaler {
  /** The scaling object. */
  readonly object: ApiObject;
  /** Its `metadata.name` as rendered. */
  readonly name: string;
}

const DEFAULT_REPLICAS = 2;

/** The API group of each kind that scales a Deployment. */
const SCALER_GROUPS: ReadonlyMap<string, string> = new Map([
  ['HorizontalPodAutoscaler', 'autoscaling'],
  ['ScaledObject', 'keda.sh'],
  ['HTTPScaledObject', 'http.keda.sh'],
]);

interface ScalerJson {
  readonly metadata?: { readonly namespace?: string; readonly name?: string };
  readonly spec?: { readonly scaleTargetRef?: { readonly kind?: string; readonly name?: string; readonly deployment?: string } };
}

/** Key of {@link scalersByDeployment} in a synthesis. */
const SCALERS_BY_DEPLOYMENT = {};

/**
 * Every scaling object of the app by the `namespace/name` of the Deployment it targets.
 * Every function looks itself up here: built once per synthesis, not once per function.
 * A namespace left undefined (a chart without one) resolves to '', as a function's does.
 */
function scalersByDeployment(root: IConstruct): ReadonlyMap<string, DeploymentScaler[]> {
  return oncePerSynth(root, SCALERS_BY_DEPLOYMENT, () => {
    const index = new Map<string, DeploymentScaler[]>();
    for (const c of constructsOf(root)) {
      if (!(c instanceof ApiObject) || SCALER_GROUPS.get(c.kind) !== c.apiGroup) continue;
      let json: ScalerJson;
      try {
        json = renderedJson(c) as ScalerJson;
      } catch {
        // An object that cannot render is reported by its own validation.
        continue;
      }
      const ref = json.spec?.scaleTargetRef;
      // KEDA defaults the kind to Deployment; the HTTP add-on before v0.8 named it `deployment`.
      const target = ref?.name ?? ref?.deployment;
      if (target === undefined || (ref?.kind ?? 'Deployment') !== 'Deployment') continue;
      const key = `${json.metadata?.namespace ?? ''}/${target}`;
      index.set(key, [...(index.get(key) ?? []), { object: c, name: json.metadata?.name ?? c.name }]);
    }
    return index;
  });
}

/**
 * A serverless WebAssembly function: a Deployment on the Wasm RuntimeClass and what a
 * production function needs around it — Service, ServiceAccount without a token,
 * PodDisruptionBudget, NetworkPolicy, optional ConfigMap — with stable labels and selector.
 */
export class WasmFunction extends Construct implements IReachSource {
  /** Every function in an app, by namespace/name, for the duplicate check. */
  private static readonly registry = new WeakMap<IConstruct, Map<string, WasmFunction[]>>();

  /** Returns every WasmFunction under `scope`, in construction order. */
  public static all(scope: IConstruct): WasmFunction[] {
    return constructsOf(scope).filter((c): c is WasmFunction => c instanceof WasmFunction);
  }

  /** Function name (Deployment, Service and ServiceAccount name). */
  public readonly name: string;
  /** Namespace of the function's objects. */
  public readonly namespace: string;
  /** Image reference. */
  public readonly image: string;
  /** RuntimeClass the pods select. */
  public readonly runtime: IWasmRuntime;
  /** Container port. */
  public readonly port: number;
  /** Service port. */
  public readonly servicePort: number;
  /** Name of the ClusterIP Service in front of the pods. */
  public readonly serviceName: string;
  /** Resources with defaults applied. */
  public readonly resources: ResolvedResources;
  /** Labels the Deployment, Service, PDB and NetworkPolicy select pods by. Never change them on a live function. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Labels on every object of the function. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service. */
  public readonly service: k8s.KubeService;

  private readonly fixedReplicas?: number;
  /** The Deployment's rolling-update `maxSurge`, a count or a percentage. */
  public readonly maxSurge: number | string;
  /** Whether the pods are also spread over zones (see {@link WasmFunctionProps.spreadOverZones}). */
  public readonly spreadsOverZones: boolean;
  private backendOverride?: ServiceBackend;
  private readonly autoscalers: FunctionAutoscalerAttachment[] = [];
  private readonly scrapes: FunctionScrapeAttachment[] = [];
  private readonly ingressGrants: IngressGrant[] = [];
  private readonly callees: WasmFunction[] = [];
  private readonly egressTargets: FunctionEgress[] = [];

  constructor(scope: Construct, id: string, props: WasmFunctionProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? '';
    this.image = props.image;
    this.runtime = props.runtime ?? WasmRuntime.K3S_WASMEDGE;
    this.port = props.port ?? 8080;
    this.servicePort = props.servicePort ?? 80;
    this.serviceName = this.name;
    this.resources = resolveResources(props.resources);
    this.fixedReplicas = props.replicas;
    const allowMutableTag = props.allowMutableTag ?? false;
    const env = props.env ?? {};
    const healthPath = props.healthPath ?? '/healthz';
    const partOf = props.partOf ?? DEFAULT_PART_OF;
    for (const pods of props.ingressFrom ?? []) this.allowIngressFrom(pods);
    this.egressTargets.push(...(props.egress ?? []));
    const maxUnavailable = props.maxUnavailable ?? '10%';
    this.maxSurge = props.maxSurge ?? '25%';
    const drain = props.drain ?? Duration.seconds(5);
    this.spreadsOverZones = props.spreadOverZones ?? false;

    this.selectorLabels = { [LABELS.name]: this.name, [LABELS.instance]: this.name };
    this.labels = {
      ...this.selectorLabels,
      [LABELS.component]: 'function',
      [LABELS.partOf]: partOf,
      [LABELS.managedBy]: MANAGED_BY,
      ...(props.version !== undefined ? { [LABELS.version]: props.version } : {}),
    };
    const metadata = { name: this.name, namespace: this.namespace || undefined, labels: { ...this.labels } };

    this.register();
    reportsOwnDuplicates(this);
    this.node.addValidation({
      validate: () => [
        ...this.checkProps(props, allowMutableTag, env, healthPath),
        ...this.checkReach(),
        ...checkDrain(drain),
        ...this.checkReplicas(),
        ...this.checkDuplicates(),
        ...this.checkForeignScalers(),
      ],
    });

    const serviceAccount = new plain.KubeServiceAccount(this, 'ServiceAccount', {
      metadata,
      // Functions never call the Kubernetes API; a mounted token would only be a credential to steal.
      automountServiceAccountToken: false,
    });

    let configChecksum: string | undefined;
    let configMapName: string | undefined;
    if (props.config !== undefined) {
      configMapName = `${this.name}-config`;
      new plain.KubeConfigMap(this, 'Config', {
        metadata: { ...metadata, name: configMapName },
        data: { ...props.config },
      });
      const sorted = Object.keys(props.config).sort().map((k) => [k, props.config![k]]);
      configChecksum = createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
    }

    const probe = (periodSeconds: number): k8s.Probe => ({
      httpGet: { path: healthPath, port: k8s.IntOrString.fromString('http') },
      periodSeconds,
      timeoutSeconds: 1,
      failureThreshold: 3,
    });

    const drainMs = drain.toMilliseconds();
    this.deployment = new FunctionDeployment(this, 'Deployment', drainMs > 0 && drainMs % 1000 === 0 ? drainMs / 1000 : undefined, {
      metadata,
      spec: {
        // Lazy: an autoscaler attached after construction removes the field.
        replicas: Lazy.any({ produce: () => this.isAutoscaled ? undefined : this.fixedReplicas ?? DEFAULT_REPLICAS }),
        selector: { matchLabels: { ...this.selectorLabels } },
        // Surge only: at 99.99 % availability a rollout must never take serving pods away first.
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: typeof this.maxSurge === 'number' ? k8s.IntOrString.fromNumber(this.maxSurge) : k8s.IntOrString.fromString(this.maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: {
            labels: { ...this.labels },
            annotations: configChecksum ? { 'checksum/config': configChecksum } : undefined,
          },
          spec: {
            runtimeClassName: this.runtime.runtimeClassName,
            serviceAccountName: serviceAccount.name,
            automountServiceAccountToken: false,
            // Thousands of Services would otherwise become thousands of env vars in every pod.
            enableServiceLinks: false,
            // A Wasm module holds no connections worth draining for long: the grace period
            // covers the preStop drain (see drain) and a short shutdown.
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            // The shim runs the module inside the pod sandbox, so the usual Linux hardening
            // still applies and costs nothing: a FROM-scratch image has no user entry, so
            // runAsNonRoot needs an explicit numeric UID, and the module needs no writable
            // root filesystem, capabilities or privilege escalation. This meets the
            // "restricted" Pod Security Standard the function namespaces enforce.
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraints: [
              {
                // Spread, but never refuse to schedule: during a flash sale an unschedulable
                // pod is worse than an uneven spread.
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: { ...this.selectorLabels } },
                matchLabelKeys: ['pod-template-hash'],
              },
              // Only where nodes carry a zone: a constraint on a missing key makes the
              // scheduler skip the node for every constraint, so both would do nothing.
              ...(this.spreadsOverZones ? [{
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: { ...this.selectorLabels } },
                matchLabelKeys: ['pod-template-hash'],
              }] : []),
            ],
            containers: [{
              name: 'function',
              image: this.image,
              // The image is pinned by digest, so the cached copy is always the right one;
              // Always would add a registry round trip to every cold start.
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: this.port, protocol: 'TCP' }],
              env: Object.keys(env).length === 0 ? undefined
                : Object.keys(env).sort().map((name) => ({ name, value: env[name] })),
              envFrom: configMapName ? [{ configMapRef: { name: configMapName } }] : undefined,
              resources: {
                requests: {
                  cpu: k8s.Quantity.fromString(this.resources.cpuRequest),
                  memory: k8s.Quantity.fromString(this.resources.memoryRequest),
                },
                limits: {
                  cpu: k8s.Quantity.fromString(this.resources.cpuLimit),
                  memory: k8s.Quantity.fromString(this.resources.memoryLimit),
                },
              },
              // Wasm instantiates in well under a millisecond: no startup probe is needed.
              readinessProbe: probe(5),
              livenessProbe: probe(10),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            }],
          },
        },
      },
    });
    this.node.defaultChild = this.deployment;

    this.service = new plain.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selectorLabels },
        ports: [{
          name: 'http',
          port: this.servicePort,
          targetPort: k8s.IntOrString.fromString('http'),
          protocol: 'TCP',
        }],
      },
    });

    new plain.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata,
      spec: {
        maxUnavailable: typeof maxUnavailable === 'number'
          ? k8s.IntOrString.fromNumber(maxUnavailable) : k8s.IntOrString.fromString(maxUnavailable),
        selector: { matchLabels: { ...this.selectorLabels } },
        // A crash-looping pod must not block a node drain.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    // Both directions, read at synth: gateways, monitoring and callers admit themselves
    // after construction. The namespace's default deny covers whatever is not listed here.
    new plain.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...this.selectorLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({ produce: () => this.ingressRules() }),
        egress: Lazy.any({ produce: () => this.egressRules() }),
      },
    });
  }

  /** The function's pods as a NetworkPolicy names them. */
  public get pods(): PodGroup {
    return podGroup(this.namespace, this.name, { ...this.selectorLabels }, 'dist');
  }

  /**
   * Admits `pods` to the function's port. `active`, read at synth, lets a grant lapse (the
   * gateway's proxies stop calling a function that is routed through an interceptor).
   */
  public allowIngressFrom(pods: PodGroup, active: () => boolean = () => true): void {
    this.ingressGrants.push({ pods, active });
  }

  /**
   * Declares that this function calls `other` (over its Service): this function's egress and
   * `other`'s ingress both open for exactly that path. An undeclared call is denied.
   */
  public allowCallsTo(other: WasmFunction): void {
    if (this.callees.includes(other)) return;
    this.callees.push(other);
    other.allowIngressFrom(this.pods);
  }

  /** Lets the function open connections to `target` (an in-cluster Service's pods, or a CIDR). */
  public allowEgressTo(target: FunctionEgress): void {
    this.egressTargets.push(target);
  }

  /** The functions this one declared it calls. */
  public get calls(): readonly WasmFunction[] {
    return this.callees;
  }

  /** The pod groups admitted to the port at synth, by name, once each. */
  public admittedPods(): PodGroup[] {
    const byName = new Map<string, PodGroup>();
    for (const g of this.ingressGrants) if (g.active()) byName.set(g.pods.name, g.pods);
    return [...byName.keys()].sort().map((k) => byName.get(k)!);
  }

  public reachDeclaration(): ReachDeclaration {
    const self = this.pods;
    const tcp = (from: string, to: string, port: number): ReachConnection => ({ from, to, protocol: 'TCP', port });
    const admitted = this.admittedPods();
    return {
      workloads: [self, ...admitted, KUBE_DNS, ...this.egressTargets.flatMap((e) => (e.pods ? [e.pods] : []))],
      connections: [
        ...admitted.map((p) => tcp(p.name, self.name, this.port)),
        ...dnsConnections(self.name),
        ...this.callees.map((c) => tcp(self.name, c.pods.name, c.port)),
        ...this.egressTargets.map((e) => ({ from: self.name, to: e.target, protocol: e.protocol, port: e.port })),
      ],
    };
  }

  private ingressRules(): k8s.NetworkPolicyIngressRule[] | undefined {
    const admitted = this.admittedPods();
    if (admitted.length === 0) return undefined;
    return [{ from: admitted.map(podGroupPeer), ports: [{ port: k8s.IntOrString.fromNumber(this.port), protocol: 'TCP' }] }];
  }

  private egressRules(): k8s.NetworkPolicyEgressRule[] {
    return [
      dnsEgressRule(),
      ...this.callees.map((c) => ({ to: [podGroupPeer(c.pods)], ports: [{ port: k8s.IntOrString.fromNumber(c.port), protocol: 'TCP' }] })),
      ...this.egressTargets.map((e) => e.rule()),
    ];
  }

  private checkReach(): string[] {
    const problems: string[] = [];
    for (const g of this.ingressGrants) problems.push(...checkPodGroup('ingressFrom podLabels', g.pods));
    this.egressTargets.forEach((e, i) => problems.push(...e.check(`egress[${i}]`)));
    for (const c of this.callees) {
      if (c.node.root !== this.node.root) {
        problems.push(`allowCallsTo names function "${oneLine(c.namespace)}/${oneLine(c.name)}" (${c.node.path}), which is not in this app: nothing would be deployed to answer; create it in this app or declare an egress to its address with allowEgressTo`);
      } else if (c === this) {
        problems.push(`allowCallsTo names the function itself ("${oneLine(this.name)}"): a function's own pods need no NetworkPolicy path to call it; remove the call`);
      }
    }
    return problems;
  }

  /**
   * True when the function's name and namespace are valid. Constructs that derive names,
   * paths or queries from them (routes, autoscalers, monitoring) check those only then: a bad
   * name is reported once, by the function, not again in every object derived from it.
   */
  public get hasValidIdentity(): boolean {
    return checkServiceName('name', this.name) === undefined && this.namespace !== '' && checkDns1123Label('namespace', this.namespace) === undefined;
  }

  /** True once an autoscaler owns the replica count. */
  public get isAutoscaled(): boolean {
    return this.autoscalers.length > 0;
  }

  /** The autoscalers that claimed this function (more than one is a validation error). */
  public get autoscalerAttachments(): readonly FunctionAutoscalerAttachment[] {
    return this.autoscalers;
  }

  /**
   * Who scrapes the function's own metrics, and how often: what a consumer of those metrics
   * (a request-rate trigger, its window, the reaction time) must count with. Read at synth.
   */
  public get scrapeAttachments(): readonly FunctionScrapeAttachment[] {
    return this.scrapes;
  }

  /** Called by a monitoring stack that scrapes this function's pods. */
  public attachScrape(attachment: FunctionScrapeAttachment): void {
    this.scrapes.push(attachment);
  }

  /**
   * Pods a rollout adds above `replicas` at once: `maxSurge` as a count, or its percentage of
   * the replicas rounded up, as the Deployment controller computes it.
   */
  public surgePods(replicas: number): number {
    if (typeof this.maxSurge === 'number') return this.maxSurge;
    const percent = Number(this.maxSurge.replace(/%$/, ''));
    return Number.isFinite(percent) ? Math.ceil(replicas * percent / 100) : 0;
  }

  /** The fixed replica count when not autoscaled. */
  public get replicas(): number | undefined {
    return this.isAutoscaled ? undefined : this.fixedReplicas ?? DEFAULT_REPLICAS;
  }

  /**
   * Hands the replica count to an autoscaler: the Deployment then carries no `replicas`,
   * so Argo CD and the autoscaler never fight over it.
   */
  public attachAutoscaler(attachment: FunctionAutoscalerAttachment): void {
    this.autoscalers.push(attachment);
  }

  /**
   * Where a gateway route must send this function's traffic: the function's own Service,
   * unless something in front of it (the KEDA HTTP add-on's interceptor, for scale to
   * zero) has claimed it with {@link routeVia}.
   */
  public get ingressBackend(): ServiceBackend {
    return this.backendOverride ?? { serviceName: this.serviceName, namespace: this.namespace, port: this.servicePort };
  }

  /** Sends gateway traffic for this function to `backend` instead of the function's Service. */
  public routeVia(backend: ServiceBackend): void {
    this.backendOverride = backend;
  }

  /**
   * Scaling objects (HorizontalPodAutoscaler, ScaledObject, HTTPScaledObject) in the app that
   * target this function's Deployment and are not under the owner of an attached autoscaler:
   * written by hand, they fight any autoscaler, and the Deployment's own `replicas`, over the
   * replica count.
   */
  public foreignScalers(): DeploymentScaler[] {
    const owners = this.autoscalers.map((a) => a.owner);
    return (scalersByDeployment(this.node.root).get(`${this.namespace}/${this.name}`) ?? [])
      .filter((s) => !s.object.node.scopes.some((scope) => owners.includes(scope)));
  }

  /** The Deployment as an ApiObject, for escape-hatch patches. */
  public get deploymentObject(): ApiObject {
    return this.deployment;
  }

  private register(): void {
    const root = this.node.root;
    let byKey = WasmFunction.registry.get(root);
    if (!byKey) {
      byKey = new Map();
      WasmFunction.registry.set(root, byKey);
    }
    const key = `${this.namespace}/${this.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), this]);
  }

  private checkDuplicates(): string[] {
    const same = WasmFunction.registry.get(this.node.root)?.get(`${this.namespace}/${this.name}`) ?? [];
    // One problem per duplicate, at the function that repeats the name (the first keeps it).
    const at = same.indexOf(this);
    if (at < 1) {
      return [];
    }
    const others = same.slice(0, at).map((f) => f.node.path).join(', ');
    return [`name "${oneLine(this.name)}" is already used in namespace "${oneLine(this.namespace)}" by ${others}: function names must be unique per namespace`];
  }

  private checkForeignScalers(): string[] {
    if (this.autoscalers.some((a) => a.reportsForeignScalers)) return [];
    const foreign = this.foreignScalers();
    if (foreign.length === 0) return [];
    const describe = (s: DeploymentScaler) => `${s.object.kind} "${s.name}" (${s.object.node.path})`;
    const deployment = `Deployment ${this.namespace}/${this.name}`;
    if (this.isAutoscaled) {
      const owner = this.autoscalers[0];
      return foreign.map((s) => `${describe(s)} also scales ${deployment}, whose replica count ${owner.kind} ${owner.owner.node.path} owns: two autoscalers on one Deployment fight over its replica count: remove one`);
    }
    const instead = 'use one FunctionAutoscaler (HorizontalFunctionAutoscaler, KedaFunctionAutoscaler or ScaleToZeroFunctionAutoscaler) instead, which removes replicas from the Deployment';
    if (foreign.length === 1) {
      const s = foreign[0];
      return [`${describe(s)} scales ${deployment}, but no FunctionAutoscaler owns the function, so the Deployment keeps replicas (${this.replicas}) and Argo CD and the ${s.object.kind} fight over the replica count: ${instead}`];
    }
    return [`is scaled by ${foreign.length} hand-written scaling objects (${foreign.map(describe).join(', ')}) while its Deployment keeps replicas (${this.replicas}): they and Argo CD fight over the replica count: ${instead}`];
  }

  private checkReplicas(): string[] {
    const errors: string[] = [];
    if (this.autoscalers.length > 1) {
      errors.push(`is scaled by ${this.autoscalers.length} autoscalers (${this.autoscalers.map((a) => `${a.kind} ${a.owner.node.path}`).join(', ')}): keep exactly one, they would fight over the replica count`);
    }
    if (this.isAutoscaled && this.fixedReplicas !== undefined) {
      errors.push(`replicas (${this.fixedReplicas}) is set but ${this.autoscalers[0].kind} ${this.autoscalers[0].owner.node.path} owns the replica count: remove replicas (under GitOps, Argo CD and the autoscaler would fight over it)`);
    }
    if (this.fixedReplicas !== undefined) {
      const error = checkIntegerInRange('replicas', this.fixedReplicas, 0, 5000);
      if (error) errors.push(error);
    }
    return errors;
  }

  private checkProps(
    props: WasmFunctionProps, allowMutableTag: boolean, env: Record<string, string>,
    healthPath: string,
  ): string[] {
    const r = this.resources;
    const candidates: (string | undefined)[] = [
      checkServiceName('name', this.name),
      this.namespace === ''
        ? 'namespace is not set: pass namespace, or create the function in a chart that has a namespace'
        : checkDns1123Label('namespace', this.namespace),
      checkImage('image', this.image, allowMutableTag),
      checkRuntime('runtime', this.runtime),
      checkPort('port', this.port),
      checkPort('servicePort', this.servicePort),
      checkQuantity('resources.cpuRequest', r.cpuRequest, '10m'),
      checkQuantity('resources.cpuLimit', r.cpuLimit, '100m'),
      checkQuantity('resources.memoryRequest', r.memoryRequest, '32Mi'),
      checkQuantity('resources.memoryLimit', r.memoryLimit, '64Mi'),
      r.cpuRequestCores > r.cpuLimitCores
        ? `resources.cpuRequest (${r.cpuRequest}) must not exceed resources.cpuLimit (${r.cpuLimit}): raise the limit or lower the request`
        : undefined,
      r.memoryRequestBytes > r.memoryLimitBytes
        ? `resources.memoryRequest (${r.memoryRequest}) must not exceed resources.memoryLimit (${r.memoryLimit}): raise the limit or lower the request`
        : undefined,
      checkHttpPath('healthPath', healthPath),
      ...Object.keys(env).map((k) => checkEnvVarName(`env key`, k)),
      ...Object.keys(props.config ?? {}).map((k) => checkEnvVarName(`config key`, k)),
      ...(props.config !== undefined ? checkConfigMapData('config', props.config).filter((p) => !p.startsWith('config key')) : []),
      checkLabelValue('partOf', props.partOf ?? DEFAULT_PART_OF, LABELS.partOf),
      props.version !== undefined ? checkLabelValue('version', props.version, LABELS.version) : undefined,
      checkPodsOrPercent('maxUnavailable', props.maxUnavailable, '10%'),
      checkPodsOrPercent('maxSurge', props.maxSurge, '25%'),
    ];
    return candidates.filter((e): e is string => e !== undefined);
  }
}

function checkPodsOrPercent(field: string, value: number | string | undefined, example: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return checkIntegerInRange(field, value, 1, 100000);
  if (!/^(100|[1-9]?[0-9])%$/.test(value) || value === '0%') {
    return `${field} "${oneLine(value)}" must be a pod count or a percentage from 1% to 100% (for example "${example}")`;
  }
  return undefined;
}

/**
 * The function's Deployment, with the preStop sleep the 1.28 bindings cannot express (the
 * `sleep` handler came in 1.29): `KubeDeployment.toJson()` maps its output through the 1.28
 * types, which drops unknown fields even when added by a JSON patch, so it is added after.
 */
class FunctionDeployment extends plain.KubeDeployment {
  constructor(scope: Construct, id: string, private readonly preStopSleepSeconds: number | undefined, props: k8s.KubeDeploymentProps) {
    super(scope, id, props);
  }

  public toJson(): Record<string, unknown> {
    const json = super.toJson() as { spec?: { template?: { spec?: { containers?: Record<string, unknown>[] } } } } & Record<string, unknown>;
    const container = json.spec?.template?.spec?.containers?.[0];
    if (this.preStopSleepSeconds !== undefined && container && container.lifecycle === undefined) {
      const keys = Object.keys(container);
      // The position cdk8s's sorted rendering gives it, so the output reads like the rest.
      const at = keys.findIndex((k) => k > 'lifecycle');
      const entries = Object.entries(container);
      entries.splice(at < 0 ? entries.length : at, 0, ['lifecycle', { preStop: { sleep: { seconds: this.preStopSleepSeconds } } }]);
      json.spec!.template!.spec!.containers![0] = Object.fromEntries(entries);
    }
    return json;
  }
}

/** The drain must be whole seconds and leave the module time to stop inside the grace period. */
function checkDrain(drain: Duration): string[] {
  const ms = drain.toMilliseconds();
  if (ms % 1000 !== 0 || ms < 0) {
    return [`drain (${ms} ms) must be whole seconds: preStop sleep takes seconds; use Duration.seconds(0-${TERMINATION_GRACE_SECONDS - 1})`];
  }
  if (ms >= TERMINATION_GRACE_SECONDS * 1000) {
    return [`drain (${ms / 1000}s) must be shorter than the pods' terminationGracePeriodSeconds (${TERMINATION_GRACE_SECONDS}), or they are killed before the drain ends: use Duration.seconds(0-${TERMINATION_GRACE_SECONDS - 1})`];
  }
  return [];
}
