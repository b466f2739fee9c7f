import { createHash } from 'crypto';
import { Chart, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { ReferenceGrantV1Beta1 } from '../../imports/gateway-api-referencegrants-gateway.networking.k8s.io';
import { IRequestAuthorizer, RouteRequestRule, ServiceReferenceRequest, VerifiedJwt } from '../core/authorizer';
import { checkImage } from '../core/image';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label, checkGeneratedConfigMap, checkIntegerInRange, checkPort, checkServiceName, oneLine } from '../core/names';
import { IPlatformPodsSource, PlatformPods } from '../core/platform-pods';
import { renderDefaultDeny } from '../core/default-deny';
import {
  checkCidr, checkPodGroup, dnsConnections, KUBE_DNS, dnsEgressRule, IReachSource, PodGroup, podGroup, podGroupPeer, ReachConnection, ReachDeclaration,
} from '../core/reach';
import { checkQuantity, parseQuantity } from '../core/quantity';
import { RequestAuthorizationPolicy } from './request-authorization-policy';
import { regoLiteral } from './rego-literal';
import * as plain from '../synth/plain-bindings';

/** OPA with the Envoy ext_authz plugin, the version the seed names. */
export const OPA_ENVOY_IMAGE = 'openpolicyagent/opa:0.60.0-envoy';

/** What OPA does with its decision logs. */
export class DecisionLogs {
  /**
   * Every decision as a JSON line on stdout (collected by the log pipeline), with the
   * `authorization` header masked. At peak this is one line per request: size the log
   * pipeline for it, or turn it off.
   */
  public static console(): DecisionLogs {
    return new DecisionLogs(true);
  }

  /** No decision logs; decisions are still counted in OPA's /metrics. */
  public static disabled(): DecisionLogs {
    return new DecisionLogs(false);
  }

  private constructor(public readonly console: boolean) {}
}

/** CPU and memory of each OPA container. */
export interface OpaResources {
  /** @default "100m" */
  readonly cpuRequest?: string;
  /** @default "1" */
  readonly cpuLimit?: string;
  /** @default "128Mi" */
  readonly memoryRequest?: string;
  /** @default "256Mi" */
  readonly memoryLimit?: string;
}

/** Props for {@link OpaAuthorizer}. */
export interface OpaAuthorizerProps {
  /**
   * The policy OPA decides with; the rules of authorized routes (`authorize: { methods, roles }`)
   * are added to it, so one policy holds every route's rule.
   */
  readonly policy: RequestAuthorizationPolicy;
  /**
   * Name of the Deployment, Service and ConfigMaps' prefix.
   * @default "opa"
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace, or "opa"
   */
  readonly namespace?: string;
  /**
   * Emit the Namespace too (with the "restricted" Pod Security Standard). The authorizer
   * then owns the namespace and emits the Gateway API ReferenceGrant that lets a gateway's
   * SecurityPolicies in other namespaces reach its Service (see
   * {@link OpaAuthorizer.allowServiceReferences}); without it, the namespace's owner must.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * OPA image with the Envoy plugin. Held to the rule function images follow: pin it by
   * digest (`openpolicyagent/opa@sha256:...`); a reference without a digest (the default
   * names the seed's tag) is refused unless `allowMutableTag` is set.
   * @default "openpolicyagent/opa:0.60.0-envoy"
   */
  readonly image?: string;
  /**
   * Accept an image reference without a digest (a mutable tag, as the default image is).
   * @default false
   */
  readonly allowMutableTag?: boolean;
  /**
   * Replicas. Three spread over nodes keep two serving through a drain.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * Port of the Envoy ext_authz gRPC server.
   * @default 9191
   */
  readonly grpcPort?: number;
  /**
   * Port of OPA's REST API (decisions only: the policy API is locked down).
   * @default 8181
   */
  readonly httpPort?: number;
  /**
   * Port of OPA's diagnostic server: /health and Prometheus /metrics.
   * @default 8282
   */
  readonly diagnosticPort?: number;
  /**
   * Pod groups, besides the proxies of every gateway that authorizes a route through this
   * authorizer (they admit themselves), that may call the decision ports (gRPC and HTTP).
   * @default - none
   */
  readonly clients?: PodGroup[];
  /**
   * Pod groups, besides the Prometheus of an ObservabilityStack given this authorizer (it
   * admits itself), that may read the diagnostic port (/health, /metrics).
   * @default - none
   */
  readonly scrapers?: PodGroup[];
  /**
   * Where OPA may fetch the JWKS from (egress on TCP 443), as CIDRs: the identity provider's
   * published addresses. Only with a JWT identity that names a `jwksUrl`. A NetworkPolicy
   * cannot name a host, so the default lets OPA reach any address on 443 (the Kubernetes API
   * Service among them, though OPA mounts no token): give the issuer's range in production.
   * @default ["0.0.0.0/0"]
   */
  readonly jwksCidrs?: string[];
  /**
   * Decision logs.
   * @default DecisionLogs.console()
   */
  readonly decisionLogs?: DecisionLogs;
  /**
   * Resources per pod.
   * @default - 100m/1 CPU, 128Mi/256Mi memory
   */
  readonly resources?: OpaResources;
}

/**
 * OPA 0.60 with the Envoy plugin, deciding requests for the gateway over ext_authz gRPC:
 * highly available, locked down (the REST API answers decisions and health only; the
 * policy comes from a ConfigMap and cannot be changed through the API), with probes,
 * decision logs, a PodDisruptionBudget and a NetworkPolicy that admits only the gateway
 * and monitoring.
 */
export class OpaAuthorizer extends Construct implements IRequestAuthorizer, IPlatformPodsSource, IReachSource {
  public readonly serviceName: string;
  public readonly deploymentName: string;
  public readonly namespace: string;
  public readonly grpcPort: number;
  public readonly httpPort: number;
  public readonly diagnosticPort: number;
  public readonly decisionPackage: string;
  /** The path OPA's Envoy plugin queries, for example "serverless/allow". */
  public readonly decisionPath: string;
  /** The policy given in the props, before the routes' rules are added. */
  public readonly basePolicy: RequestAuthorizationPolicy;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** True when the authorizer emits its Namespace (and so may grant references into it). */
  public readonly createsNamespace: boolean;
  /** The ReferenceGrant for its Service, once a gateway asked for one. */
  public referenceGrant?: ReferenceGrantV1Beta1;

  /** The authorizer's pods as NetworkPolicies name them. */
  public readonly pods: PodGroup;

  private readonly referenceRequests: ServiceReferenceRequest[] = [];
  private readonly routeRules: { readonly rule: RouteRequestRule; readonly from: string }[] = [];
  private readonly clientPods: PodGroup[] = [];
  private readonly scraperPods: PodGroup[] = [];
  private readonly jwksCidrs: string[];
  private readonly capacityPods: PlatformPods;
  private readonly objectLabels: Record<string, string>;

  /**
   * The one policy OPA decides with: the given policy's rules, then each authorized route's
   * rule in the order the routes were added (a rule equal to one already there, such as the
   * seed's `POST /api/function` for role `user`, is not repeated). Read at synth.
   */
  public get policy(): RequestAuthorizationPolicy {
    const base = this.basePolicy;
    const rules = [...base.rules];
    const seen = new Set(rules.map((r) => ruleKey(r)));
    for (const { rule } of this.routeRules) {
      const copy = { methods: [...rule.methods], paths: [...rule.paths], roles: [...rule.roles] };
      if (seen.has(ruleKey(copy))) continue;
      seen.add(ruleKey(copy));
      rules.push(copy);
    }
    return new RequestAuthorizationPolicy({ packageName: base.packageName, rules, identity: base.identity, quota: base.quota });
  }

  /** Adds an authorized route's allow rule to {@link policy}; `from` is the route's path, for messages. */
  public addRouteRule(rule: RouteRequestRule, from: string): void {
    this.routeRules.push({ rule, from });
  }

  /** The JWT the policy verifies with a JWKS URL, which a gateway can verify too. */
  public get verifiedJwt(): VerifiedJwt | undefined {
    const identity = this.basePolicy.identity;
    const jwt = identity.source === 'jwt' ? identity.jwtProps : undefined;
    if (jwt?.jwksUrl === undefined) return undefined;
    return { issuer: jwt.issuer, audience: jwt.audience, jwksUrl: jwt.jwksUrl };
  }

  /**
   * Lets `request`'s objects refer to this Service from their namespaces: one Gateway API
   * ReferenceGrant (v1beta1) `<name>-service-references` in the authorizer's namespace, its
   * `from` list read at synth from every request. Only when the authorizer emits its
   * Namespace: a namespace it does not own is not its to open, and it returns false.
   */
  public allowServiceReferences(request: ServiceReferenceRequest): boolean {
    if (!this.createsNamespace) return false;
    this.referenceRequests.push(request);
    if (this.referenceGrant === undefined) {
      this.referenceGrant = new plain.ReferenceGrantV1Beta1(this, 'ServiceReferences', {
        metadata: { name: `${this.serviceName}-service-references`, namespace: this.namespace, labels: { ...this.objectLabels } },
        spec: {
          from: Lazy.any({ produce: () => this.referenceSources() }),
          // Only the authorizer's own Service, never the whole namespace.
          to: [{ group: '', kind: 'Service', name: this.serviceName }],
        },
      });
      this.node.addValidation({ validate: () => this.checkReferenceGrant() });
    }
    return true;
  }

  /** Its pods, for the cluster capacity check: the replicas plus the one pod its rollout surges. */
  public platformPods(): PlatformPods[] {
    return [this.capacityPods];
  }

  public allowClients(pods: PodGroup): void {
    if (!this.clientPods.some((p) => p.name === pods.name)) this.clientPods.push(pods);
  }

  public allowScrapers(pods: PodGroup): void {
    if (!this.scraperPods.some((p) => p.name === pods.name)) this.scraperPods.push(pods);
  }

  /** The policy's rules whose paths fall under `pathPrefix`, as roles and methods. */
  public describeAccess(pathPrefix: string): string {
    const prefix = pathPrefix.endsWith('/') ? pathPrefix : `${pathPrefix}/`;
    const rules = this.policy.rules.filter((r) => r.paths.some((p) => p === pathPrefix || p.startsWith(prefix)));
    if (rules.length === 0) return 'no rule of the policy matches: every request is denied';
    return rules.map((r) => `role ${r.roles.join(' or ')}: ${r.methods.length > 0 ? r.methods.join(', ') : 'any method'} ${r.paths.join(', ')}`).join('; ');
  }

  public reachDeclaration(): ReachDeclaration {
    const tcp = (from: string, to: string, port: number): ReachConnection => ({ from, to, protocol: 'TCP', port });
    const self = this.pods.name;
    return {
      workloads: [this.pods, ...this.clientPods, ...this.scraperPods, KUBE_DNS],
      connections: [
        ...this.clientPods.flatMap((p) => [tcp(p.name, self, this.grpcPort), tcp(p.name, self, this.httpPort)]),
        ...this.scraperPods.map((p) => tcp(p.name, self, this.diagnosticPort)),
        ...dnsConnections(self),
        ...(this.fetchesJwks ? this.jwksCidrs.map((c) => tcp(self, `cidr:${c}`, 443)) : []),
      ],
    };
  }

  /** True when OPA fetches the issuer's JWKS over the network. */
  private get fetchesJwks(): boolean {
    return this.policy.identity.source === 'jwt' && this.policy.identity.jwtProps?.jwksUrl !== undefined;
  }

  /** The `from` entries of the ReferenceGrant: every requested kind and namespace, once, sorted. */
  private referenceSources(): { group: string; kind: string; namespace: string }[] {
    const seen = new Map<string, { group: string; kind: string; namespace: string }>();
    for (const r of this.referenceRequests) {
      for (const ns of r.fromNamespaces()) {
        if (ns === this.namespace) continue;
        seen.set(`${r.fromGroup}/${r.fromKind}/${ns}`, { group: r.fromGroup, kind: r.fromKind, namespace: ns });
      }
    }
    return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  }

  private checkReferenceGrant(): string[] {
    const n = this.referenceSources().length;
    if (n === 0) {
      return [`ReferenceGrant ${oneLine(this.namespace)}/${oneLine(this.serviceName)}-service-references has no namespace to allow: every object that refers to the authorizer lives in "${oneLine(this.namespace)}" itself, and the Gateway API requires at least one "from" entry; route those functions from another namespace`];
    }
    if (n > 16) {
      return [`ReferenceGrant ${oneLine(this.namespace)}/${oneLine(this.serviceName)}-service-references would allow ${n} (kind, namespace) pairs, more than the 16 the Gateway API accepts in "from": authorize routes from fewer namespaces`];
    }
    return [];
  }

  constructor(scope: Construct, id: string, props: OpaAuthorizerProps) {
    super(scope, id);
    const name = props.name ?? 'opa';
    this.serviceName = name;
    this.deploymentName = name;
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'opa';
    this.grpcPort = props.grpcPort ?? 9191;
    this.httpPort = props.httpPort ?? 8181;
    this.diagnosticPort = props.diagnosticPort ?? 8282;
    this.basePolicy = props.policy;
    this.decisionPackage = props.policy.packageName;
    this.decisionPath = props.policy.decisionPath;
    const createNamespace = props.createNamespace ?? true;
    this.createsNamespace = createNamespace;
    const image = props.image ?? OPA_ENVOY_IMAGE;
    const replicas = props.replicas ?? 3;
    for (const p of props.clients ?? []) this.allowClients(p);
    for (const p of props.scrapers ?? []) this.allowScrapers(p);
    this.jwksCidrs = [...(props.jwksCidrs ?? ['0.0.0.0/0'])];
    const decisionLogs = props.decisionLogs ?? DecisionLogs.console();
    const resources = {
      cpuRequest: '100m', cpuLimit: '1', memoryRequest: '128Mi', memoryLimit: '256Mi',
      ...Object.fromEntries(Object.entries(props.resources ?? {}).filter(([, v]) => v !== undefined)),
    } as Required<OpaResources>;

    this.node.addValidation({
      validate: () => [
        ...this.policy.validate().map((e) => `policy: ${e}`),
        checkServiceName('name', name),
        checkDns1123Label('namespace', this.namespace),
        checkImage('image', image, props.allowMutableTag ?? false),
        checkPort('grpcPort', this.grpcPort),
        checkPort('httpPort', this.httpPort),
        checkPort('diagnosticPort', this.diagnosticPort),
        new Set([this.grpcPort, this.httpPort, this.diagnosticPort]).size < 3
          ? `grpcPort (${this.grpcPort}), httpPort (${this.httpPort}) and diagnosticPort (${this.diagnosticPort}) must be three different ports` : undefined,
        checkIntegerInRange('replicas', replicas, 2, 100),
        ...this.clientPods.flatMap((p) => checkPodGroup('clients podLabels', p)),
        ...this.scraperPods.flatMap((p) => checkPodGroup('scrapers podLabels', p)),
        ...this.jwksCidrs.map((c) => checkCidr('jwksCidrs entry', c)),
        this.fetchesJwks && this.jwksCidrs.length === 0
          ? 'jwksCidrs is empty but the policy fetches its JWKS from identity.jwksUrl: OPA could verify no token; give the issuer\'s addresses (for example ["203.0.113.0/24"])' : undefined,
        checkQuantity('resources.cpuRequest', resources.cpuRequest, '100m'),
        checkQuantity('resources.cpuLimit', resources.cpuLimit, '1'),
        checkQuantity('resources.memoryRequest', resources.memoryRequest, '128Mi'),
        checkQuantity('resources.memoryLimit', resources.memoryLimit, '256Mi'),
      ].filter((e): e is string => e !== undefined),
    });

    // Its own rollout surges one pod (maxSurge 1), which the capacity check counts with it.
    this.capacityPods = {
      component: 'OPA authorizer',
      key: `${this.namespace}/${this.deploymentName}`,
      pods: replicas + 1,
      cpuRequestCores: parseQuantity(resources.cpuRequest) ?? 0,
      memoryRequestBytes: parseQuantity(resources.memoryRequest) ?? 0,
      source: `replicas ${replicas} + 1 surge`,
    };

    const selectorLabels = { [LABELS.name]: name, [LABELS.instance]: name };
    const labels = {
      ...selectorLabels,
      [LABELS.component]: 'request-authorizer',
      [LABELS.partOf]: 'wasm-platform-policy',
      [LABELS.managedBy]: MANAGED_BY,
      [LABELS.version]: versionOf(image),
    };
    this.objectLabels = labels;
    this.pods = podGroup(this.namespace, name, selectorLabels, 'dist');
    const metadata = (suffix = ''): k8s.ObjectMeta => ({ name: `${name}${suffix}`, namespace: this.namespace, labels: { ...labels } });

    if (createNamespace) {
      const namespaceObject = new plain.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          labels: {
            [LABELS.managedBy]: MANAGED_BY,
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'v1.30',
          },
        },
      });
      // A Namespace is cluster-scoped: cdk8s stamps the chart's namespace on every object,
      // and a cluster-scoped object carrying one confuses tools that key objects by namespace.
      if (Chart.of(this).namespace !== undefined) {
        namespaceObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
      renderDefaultDeny(this, this.namespace);
    }

    const serviceAccount = new plain.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(),
      // OPA decides from its input and files; it never calls the Kubernetes API.
      automountServiceAccountToken: false,
    });

    // Read at synth: authorized routes add their rules after the authorizer is created.
    const policyFiles = (): Record<string, string> => ({
      'policy.rego': this.policy.rego(),
      'system-authz.rego': systemAuthzRego(this.decisionPath),
      'system-log.rego': SYSTEM_LOG_REGO,
    });
    const config = yaml.dump(opaConfig(this.grpcPort, this.decisionPath, decisionLogs), { lineWidth: -1 });
    const policyConfigMap = new plain.KubeConfigMap(this, 'Policy', { metadata: metadata('-policy'), data: Lazy.any({ produce: policyFiles }) });
    new plain.KubeConfigMap(this, 'Config', { metadata: metadata('-config'), data: { 'config.yaml': config } });
    // The policy grows with the user's rules; the config above is a few fixed lines.
    this.node.addValidation({
      validate: () => {
        const error = checkGeneratedConfigMap(`generated ConfigMap ${oneLine(this.namespace)}/${policyConfigMap.name}`, policyFiles(),
          'the policy grows with its rules (methods, paths, roles) and an inline identity.jwks; merge rules, or give identity.jwksUrl instead of jwks');
        return error ? [error] : [];
      },
    });
    // OPA does not reload files it was started with: a policy change must roll the pods.
    const checksum = Lazy.any({ produce: () => createHash('sha256').update(JSON.stringify([policyFiles(), config])).digest('hex') });

    const port = (portName: string): k8s.IntOrString => k8s.IntOrString.fromString(portName);
    this.deployment = new plain.KubeDeployment(this, 'Deployment', {
      metadata: metadata(),
      spec: {
        replicas,
        selector: { matchLabels: { ...selectorLabels } },
        // Surge only: the gateway fails closed when no authorizer answers.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: { ...labels }, annotations: { 'checksum/policy': checksum } },
          spec: {
            serviceAccountName: serviceAccount.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [{
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { ...selectorLabels } },
              matchLabelKeys: ['pod-template-hash'],
            }],
            containers: [{
              name: 'opa',
              image,
              // A pinned version tag, pulled once per node; Always would add a registry
              // round trip to every restart of the component every request depends on.
              imagePullPolicy: 'IfNotPresent',
              args: [
                'run',
                '--server',
                `--addr=0.0.0.0:${this.httpPort}`,
                `--diagnostic-addr=0.0.0.0:${this.diagnosticPort}`,
                '--config-file=/config/config.yaml',
                // Every REST call goes through data.system.authz: decisions and health only.
                '--authentication=token',
                '--authorization=basic',
                // ConfigMap volumes hold ..data symlink folders; load each file once.
                '--ignore=.*',
                '/policy',
              ],
              ports: [
                { name: 'grpc', containerPort: this.grpcPort, protocol: 'TCP' },
                { name: 'http', containerPort: this.httpPort, protocol: 'TCP' },
                { name: 'diagnostics', containerPort: this.diagnosticPort, protocol: 'TCP' },
              ],
              readinessProbe: {
                // Ready only when the Envoy plugin (and every other plugin) is up.
                httpGet: { path: '/health?plugins', port: port('diagnostics') },
                periodSeconds: 5,
                timeoutSeconds: 1,
                failureThreshold: 2,
              },
              livenessProbe: {
                httpGet: { path: '/health', port: port('diagnostics') },
                initialDelaySeconds: 5,
                periodSeconds: 10,
                timeoutSeconds: 1,
                failureThreshold: 3,
              },
              resources: {
                requests: { cpu: k8s.Quantity.fromString(resources.cpuRequest), memory: k8s.Quantity.fromString(resources.memoryRequest) },
                limits: { cpu: k8s.Quantity.fromString(resources.cpuLimit), memory: k8s.Quantity.fromString(resources.memoryLimit) },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'policy', mountPath: '/policy', readOnly: true },
                { name: 'config', mountPath: '/config', readOnly: true },
              ],
            }],
            volumes: [
              { name: 'policy', configMap: { name: `${name}-policy` } },
              { name: 'config', configMap: { name: `${name}-config` } },
            ],
          },
        },
      },
    });

    new plain.KubeService(this, 'Service', {
      metadata: metadata(),
      spec: {
        type: 'ClusterIP',
        selector: { ...selectorLabels },
        ports: [
          { name: 'grpc', port: this.grpcPort, targetPort: port('grpc'), protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
          { name: 'http', port: this.httpPort, targetPort: port('http'), protocol: 'TCP' },
          { name: 'diagnostics', port: this.diagnosticPort, targetPort: port('diagnostics'), protocol: 'TCP' },
        ],
      },
    });

    new plain.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: metadata(),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...selectorLabels } } },
    });

    const tcp = (p: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) });
    const byName = (groups: PodGroup[]): k8s.NetworkPolicyPeer[] => [...groups].sort((a, b) => (a.name < b.name ? -1 : 1)).map(podGroupPeer);
    // Read at synth: gateways and the monitoring stack admit their pods after construction.
    new plain.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: metadata(),
      spec: {
        podSelector: { matchLabels: { ...selectorLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({
          produce: () => {
            const rules: k8s.NetworkPolicyIngressRule[] = [];
            if (this.clientPods.length > 0) rules.push({ from: byName(this.clientPods), ports: [tcp(this.grpcPort), tcp(this.httpPort)] });
            if (this.scraperPods.length > 0) rules.push({ from: byName(this.scraperPods), ports: [tcp(this.diagnosticPort)] });
            return rules.length > 0 ? rules : undefined;
          },
        }),
        egress: [
          dnsEgressRule(),
          // The issuer's JWKS is outside the cluster; OPA needs nothing else.
          ...(this.fetchesJwks ? [{ to: this.jwksCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(443)] }] : []),
        ],
      },
    });
  }
}

/** Two rules are the same when their methods, paths and roles are, in order. */
function ruleKey(rule: RouteRequestRule): string {
  return JSON.stringify([rule.methods, rule.paths, rule.roles]);
}

function versionOf(image: string): string {
  const tag = /:([\w][\w.-]*)(?:@|$)/.exec(image.replace(/^[^/]*:\d+\//, ''))?.[1];
  return tag ?? 'unknown';
}

/** OPA's configuration: the Envoy plugin on `grpcPort`, and decision logs. */
function opaConfig(grpcPort: number, decisionPath: string, decisionLogs: DecisionLogs): Record<string, unknown> {
  return {
    plugins: {
      envoy_ext_authz_grpc: {
        addr: `:${grpcPort}`,
        path: decisionPath,
        // gRPC reflection would let any caller enumerate the server; the gateway needs none.
        'enable-reflection': false,
      },
    },
    decision_logs: { console: decisionLogs.console },
  };
}

/**
 * `data.system.authz`, enforced on OPA's REST API by `--authorization=basic`: reading the
 * decision and health only. The policy and data APIs (PUT/PATCH/DELETE) are refused, so
 * the running policy is exactly what the ConfigMap holds.
 */
function systemAuthzRego(decisionPath: string): string {
  const segments = ['v1', 'data', ...decisionPath.split('/')];
  return [
    'package system.authz',
    '',
    'import future.keywords.if',
    '',
    'default allow := false',
    '',
    'allow if {',
    '\tinput.method == "POST"',
    `\tinput.path == ${regoLiteral(segments)}`,
    '}',
    '',
    'allow if {',
    '\tinput.method == "GET"',
    '\tinput.path[0] == "health"',
    '}',
    '',
  ].join('\n');
}

/** `data.system.log.mask`: bearer tokens never reach the decision log. */
const SYSTEM_LOG_REGO = [
  'package system.log',
  '',
  'import future.keywords.contains',
  'import future.keywords.if',
  '',
  'mask contains "/input/attributes/request/http/headers/authorization"',
  '',
].join('\n');
