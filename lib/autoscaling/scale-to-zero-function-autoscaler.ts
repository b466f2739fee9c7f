import { Construct } from 'constructs';
import { HttpScaledObject } from '../../imports/keda-httpscaledobjects-http.keda.sh';
import { checkDns1123Label, checkDns1123Subdomain, checkHttpPath, checkIntegerInRange, checkPort, checkServiceName, oneLine } from '../core/names';
import { IPlatformPodsSource, PlatformPods } from '../core/platform-pods';
import { checkPodGroup, PodGroup, podGroup } from '../core/reach';
import { checkQuantity, parseQuantity } from '../core/quantity';
import { DEFAULT_POD_START_SECONDS, fmt } from './capacity-plan';
import { FunctionAutoscaler, FunctionAutoscalerProps } from './function-autoscaler';
import { ScalingBehavior } from './scaling-behavior';

/** What the KEDA HTTP add-on scales on, measured by its interceptor. */
export class HttpScalingMetric {
  /** Concurrent requests per pod (the add-on's default, 100). Reacts within a sync: the interceptor counts live. */
  public static concurrency(requestsPerPod: number): HttpScalingMetric {
    return new HttpScalingMetric('concurrency', requestsPerPod, undefined);
  }

  /** Requests per second per pod, averaged over `windowSeconds` (the add-on's default window is 60 s). */
  public static requestRate(requestsPerPodPerSecond: number, windowSeconds: number = 60): HttpScalingMetric {
    return new HttpScalingMetric('requestRate', requestsPerPodPerSecond, windowSeconds);
  }

  private constructor(
    /** Which metric. */
    public readonly kind: 'concurrency' | 'requestRate',
    /** Target per pod. */
    public readonly targetValue: number,
    /** Averaging window of the request rate. */
    public readonly windowSeconds: number | undefined,
  ) {}
}

/**
 * From a request held at the interceptor to a pod being created: the add-on's scaler
 * reports the pending request to KEDA, which scales the Deployment from 0 to 1, and the
 * scheduler binds the pod (pod start itself is the capacity plan's podStartSeconds).
 */
const ACTIVATION_SECONDS = 3;

/** Where the KEDA HTTP add-on's interceptor runs. */
export interface HttpInterceptor {
  /**
   * Namespace KEDA and the add-on are installed in.
   * @default "keda"
   */
  readonly namespace?: string;
  /**
   * The interceptor's proxy Service.
   * @default "keda-add-ons-http-interceptor-proxy"
   */
  readonly serviceName?: string;
  /**
   * The proxy Service's port.
   * @default 8080
   */
  readonly port?: number;
  /**
   * How long the interceptor holds a request for a function with no ready pod before it
   * gives up (`KEDA_CONDITION_WAIT_TIMEOUT`, the chart's `interceptor.replicas.waitTimeout`).
   * @default 20
   */
  readonly waitTimeoutSeconds?: number;
  /**
   * The most interceptor pods the add-on runs (the chart's `interceptor.replicas.max`): the
   * add-on scales its interceptor with the traffic through it, so a sale can take them all,
   * and the cluster capacity check counts them.
   * @default 50 (the chart's default)
   */
  readonly maxReplicas?: number;
  /**
   * CPU request of an interceptor pod (the chart's `interceptor.resources.requests.cpu`).
   * @default "250m" (the chart's default)
   */
  readonly cpuRequest?: string;
  /**
   * Memory request of an interceptor pod (the chart's `interceptor.resources.requests.memory`).
   * @default "20Mi" (the chart's default)
   */
  readonly memoryRequest?: string;
  /**
   * Labels of the interceptor's pods, which the function's NetworkPolicy admits (never the
   * whole namespace: KEDA's operator and scaler run there too).
   * @default {"app.kubernetes.io/component": "interceptor", "app.kubernetes.io/part-of": "keda-add-ons-http"} (the add-on chart's)
   */
  readonly podLabels?: Record<string, string>;
}

/** The KEDA HTTP add-on chart's interceptor defaults (kedacore/charts, http-add-on values.yaml). */
const INTERCEPTOR_CHART_DEFAULTS = { maxReplicas: 50, cpuRequest: '250m', memoryRequest: '20Mi' } as const;

/** Props for {@link ScaleToZeroFunctionAutoscaler}. */
export interface ScaleToZeroFunctionAutoscalerProps extends FunctionAutoscalerProps {
  /**
   * Hosts the HTTPScaledObject matches. The interceptor routes by Host header: the gateway
   * sends the first host as the Host of every request for this function.
   */
  readonly hosts: string[];
  /**
   * Path prefixes the HTTPScaledObject matches, beside the hosts.
   * @default - every path
   */
  readonly pathPrefixes?: string[];
  /**
   * Lowest replica count.
   * @default 0
   */
  readonly minReplicas?: number;
  /**
   * What to scale on.
   * @default HttpScalingMetric.concurrency(100)
   */
  readonly scalingMetric?: HttpScalingMetric;
  /**
   * Seconds without requests before the function goes back to zero.
   * @default 300
   */
  readonly scaledownPeriodSeconds?: number;
  /**
   * The add-on's interceptor.
   * @default - the add-on's Helm chart defaults in namespace "keda"
   */
  readonly interceptor?: HttpInterceptor;
  /**
   * Seconds from the first request after idling to a ready pod, while the interceptor holds
   * that request: the add-on sees it and KEDA scales the Deployment from 0 to 1, the
   * scheduler places the pod, the Wasm shim starts it and its readiness probe passes. The
   * gateway route's per-try and request timeouts must be at least this long (a synth error
   * otherwise), and it must stay below the interceptor's `waitTimeoutSeconds`.
   * @default - capacity.podStartSeconds (2 by default) + 3 s for the add-on and KEDA to activate the Deployment and the scheduler to place the pod
   */
  readonly wakeUpSeconds?: number;
  /**
   * Name of the HTTPScaledObject (the add-on creates a ScaledObject of the same name, and
   * KEDA an HPA `keda-hpa-<name>`).
   * @default - the function's name
   */
  readonly name?: string;
}

/**
 * Scale to zero for a rarely used function, with the KEDA HTTP add-on: an HTTPScaledObject
 * and the route sent through the add-on's interceptor, which holds requests while the
 * function wakes and counts them for scaling. The interceptor routes by Host header, so the
 * gateway must send the host this autoscaler matches ({@link WasmFunction.ingressBackend}
 * carries it). The function's NetworkPolicy admits the interceptor's pods (not the proxies').
 */
export class ScaleToZeroFunctionAutoscaler extends FunctionAutoscaler implements IPlatformPodsSource {
  /** The HTTPScaledObject. */
  public readonly resource: HttpScaledObject;
  /** The hosts it matches (the first is the Host header the gateway sends). */
  public readonly hosts: readonly string[];
  /** The metric it scales on. */
  public readonly scalingMetric: HttpScalingMetric;
  /**
   * Seconds the first request after idling waits for a pod; undefined when minReplicas is
   * above 0 (there is always a pod).
   */
  public readonly wakeUpSeconds?: number;
  private readonly props: ScaleToZeroFunctionAutoscalerProps;
  private readonly interceptor: Required<HttpInterceptor>;
  /** The interceptor's pods, admitted to the function's port. */
  public readonly interceptorPods: PodGroup;
  private readonly scaledownPeriodSeconds: number;

  constructor(scope: Construct, id: string, props: ScaleToZeroFunctionAutoscalerProps) {
    const name = props.name ?? props.target.name;
    super(scope, id, props, {
      kind: 'HTTPScaledObject',
      objectName: name,
      hpaName: `keda-hpa-${name}`,
      minReplicas: props.minReplicas ?? 0,
      minReplicasFloor: 0,
    });
    this.props = props;
    this.hosts = props.hosts;
    this.scalingMetric = props.scalingMetric ?? HttpScalingMetric.concurrency(100);
    this.scaledownPeriodSeconds = props.scaledownPeriodSeconds ?? 300;
    this.interceptor = {
      namespace: props.interceptor?.namespace ?? 'keda',
      serviceName: props.interceptor?.serviceName ?? 'keda-add-ons-http-interceptor-proxy',
      port: props.interceptor?.port ?? 8080,
      waitTimeoutSeconds: props.interceptor?.waitTimeoutSeconds ?? 20,
      maxReplicas: props.interceptor?.maxReplicas ?? INTERCEPTOR_CHART_DEFAULTS.maxReplicas,
      cpuRequest: props.interceptor?.cpuRequest ?? INTERCEPTOR_CHART_DEFAULTS.cpuRequest,
      memoryRequest: props.interceptor?.memoryRequest ?? INTERCEPTOR_CHART_DEFAULTS.memoryRequest,
      podLabels: props.interceptor?.podLabels ?? { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/part-of': 'keda-add-ons-http' },
    };
    this.interceptorPods = podGroup(this.interceptor.namespace, 'keda-http-interceptor', this.interceptor.podLabels, 'installed');
    this.node.addValidation({ validate: () => checkPodGroup('interceptor.podLabels', this.interceptorPods) });
    this.wakeUpSeconds = this.minReplicas === 0
      ? props.wakeUpSeconds ?? (props.capacity?.podStartSeconds ?? DEFAULT_POD_START_SECONDS) + ACTIVATION_SECONDS
      : undefined;

    const m = this.scalingMetric;
    this.resource = new HttpScaledObject(this, 'Resource', {
      metadata: { name, namespace: this.namespace || undefined, labels: this.objectLabels() },
      spec: {
        hosts: [...this.hosts],
        pathPrefixes: props.pathPrefixes ? [...props.pathPrefixes] : undefined,
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: this.target.name,
          service: this.target.serviceName,
          port: this.target.servicePort,
        },
        replicas: { min: this.minReplicas, max: this.maxReplicas },
        scaledownPeriod: this.scaledownPeriodSeconds,
        scalingMetric: m.kind === 'concurrency'
          ? { concurrency: { targetValue: m.targetValue } }
          : { requestRate: { targetValue: m.targetValue, window: `${m.windowSeconds}s`, granularity: '1s' } },
      },
    });
    this.node.defaultChild = this.resource;

    // The gateway's proxies now call the interceptor, which calls the pods: the function's
    // NetworkPolicy admits the interceptor's pods in place of the proxies.
    this.target.allowIngressFrom(this.interceptorPods);

    this.target.routeVia({
      serviceName: this.interceptor.serviceName,
      namespace: this.interceptor.namespace,
      port: this.interceptor.port,
      hostHeader: this.hosts[0],
      wakeUpSeconds: this.wakeUpSeconds,
    });
  }

  /**
   * The add-on's interceptor at its most replicas: the library does not create it, but every
   * request to this function passes through it. Keyed by its Service, so it counts once however
   * many functions scale to zero behind it.
   */
  public platformPods(): PlatformPods[] {
    const i = this.interceptor;
    return [{
      component: 'KEDA HTTP interceptor',
      key: `${i.namespace}/${i.serviceName}`,
      pods: i.maxReplicas,
      cpuRequestCores: parseQuantity(i.cpuRequest) ?? 0,
      memoryRequestBytes: parseQuantity(i.memoryRequest) ?? 0,
      source: this.props.interceptor?.maxReplicas === undefined ? 'interceptor.replicas.max, the chart\'s default' : 'interceptor.maxReplicas',
    }];
  }

  /** HTTPScaledObject has no behavior field: the add-on's HPA scales with the Kubernetes default. */
  public get behavior(): ScalingBehavior {
    return ScalingBehavior.kubernetesDefault();
  }

  public describeScaling(): string {
    const m = this.scalingMetric;
    return m.kind === 'concurrency'
      ? `HTTP add-on: ${m.targetValue} concurrent requests per pod${this.describeZero()}`
      : `HTTP add-on: ${m.targetValue} requests/s per pod${this.describeZero()}`;
  }

  private describeZero(): string {
    return this.wakeUpSeconds === undefined ? `, from ${this.minReplicas}` : `, scale to zero (wake-up ${fmt(this.wakeUpSeconds)} s)`;
  }

  public metricsLagSeconds(): number {
    const m = this.scalingMetric;
    // The interceptor counts live; a rate is averaged over its window.
    return m.kind === 'concurrency' ? 1 : (m.windowSeconds ?? 60) / 2;
  }

  protected triggerRequestsPerPod(): number | undefined {
    return this.scalingMetric.kind === 'requestRate' ? this.scalingMetric.targetValue : undefined;
  }

  protected checkMode(): string[] {
    const errors: string[] = [];
    if (this.hosts.length === 0) {
      errors.push('hosts is empty: give the host the interceptor matches (it routes by Host header), for example "reviews.functions-catalog.svc.cluster.local"');
    }
    this.hosts.forEach((h, i) => {
      const e = checkDns1123Subdomain(`hosts[${i}]`, h);
      if (e) errors.push(e);
    });
    (this.props.pathPrefixes ?? []).forEach((p, i) => {
      const e = checkHttpPath(`pathPrefixes[${i}]`, p);
      if (e) errors.push(e);
    });
    const m = this.scalingMetric;
    if (!Number.isInteger(m.targetValue) || m.targetValue < 1) {
      errors.push(`scalingMetric ${m.kind} target (${m.targetValue}) must be a positive integer`);
    }
    if (m.windowSeconds !== undefined) {
      const e = checkIntegerInRange('scalingMetric window seconds', m.windowSeconds, 1, 3600);
      if (e) errors.push(e);
    }
    const candidates = [
      checkIntegerInRange('scaledownPeriodSeconds', this.scaledownPeriodSeconds, 0, 86400),
      checkDns1123Label('interceptor.namespace', this.interceptor.namespace),
      checkServiceName('interceptor.serviceName', this.interceptor.serviceName),
      checkPort('interceptor.port', this.interceptor.port),
      checkIntegerInRange('interceptor.waitTimeoutSeconds', this.interceptor.waitTimeoutSeconds, 1, 3600),
      checkIntegerInRange('interceptor.maxReplicas', this.interceptor.maxReplicas, 1, 10000),
      checkQuantity('interceptor.cpuRequest', this.interceptor.cpuRequest, INTERCEPTOR_CHART_DEFAULTS.cpuRequest),
      checkQuantity('interceptor.memoryRequest', this.interceptor.memoryRequest, INTERCEPTOR_CHART_DEFAULTS.memoryRequest),
    ];
    errors.push(...candidates.filter((e): e is string => e !== undefined));
    errors.push(...this.checkWakeUp());
    errors.push(...this.checkHostClashes());
    return errors;
  }

  private checkWakeUp(): string[] {
    const w = this.wakeUpSeconds;
    if (this.props.wakeUpSeconds !== undefined && w === undefined) {
      return [`wakeUpSeconds (${this.props.wakeUpSeconds}) is set but minReplicas is ${this.minReplicas}: the function never sleeps, so there is no wake-up; remove wakeUpSeconds or set minReplicas 0`];
    }
    if (w === undefined) return [];
    if (!Number.isFinite(w) || w <= 0) {
      return [`wakeUpSeconds (${w}) must be a positive number of seconds`];
    }
    if (w >= this.interceptor.waitTimeoutSeconds) {
      return [`wakeUpSeconds (${fmt(w)}) must be below interceptor.waitTimeoutSeconds (${this.interceptor.waitTimeoutSeconds}): the interceptor stops holding the first request after that and answers with an error; raise the add-on's interceptor.replicas.waitTimeout and say so in interceptor.waitTimeoutSeconds, or make the function start faster`];
    }
    return [];
  }

  /** The interceptor is shared by the cluster: two HTTPScaledObjects matching the same host and path steal each other's traffic. */
  private checkHostClashes(): string[] {
    const mine = routingKeys(this.hosts, this.props.pathPrefixes);
    const errors: string[] = [];
    for (const other of FunctionAutoscaler.all(this.node.root)) {
      if (other === this || !(other instanceof ScaleToZeroFunctionAutoscaler)) continue;
      const clash = routingKeys(other.hosts, other.props.pathPrefixes).find((k) => mine.includes(k));
      if (clash) {
        errors.push(`hosts match "${oneLine(clash)}" as does ${other.node.path}: the interceptor routes by host and path, give each function its own host`);
      }
    }
    return errors;
  }
}

function routingKeys(hosts: readonly string[], prefixes: readonly string[] | undefined): string[] {
  return hosts.flatMap((h) => (prefixes ?? ['/']).map((p) => `${h}${p}`));
}
