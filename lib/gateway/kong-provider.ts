import { KongPlugin } from '../../imports/kong-kongplugins-configuration.konghq.com';
import type { RequestMetrics } from '../core/metrics';
import type { FunctionGateway } from './function-gateway';
import type { IGatewayProvider } from './gateway-provider';
import type { GatewayRoute } from './gateway-route';
import { lazyString, renderEdgeService, renderGateway, renderGatewayClass, renderHttpRoute, routeMetadata } from './render-helpers';
import { formatDuration } from './route-policy';

/** Kong's prometheus plugin latency buckets, in milliseconds (its DEFAULT_BUCKETS). */
export const KONG_LATENCY_BUCKETS_MS: readonly number[] = [
  1, 2, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 30000, 60000,
];

/** Props for {@link KongProvider}. */
export interface KongProviderProps {
  /**
   * Name of the GatewayClass the Gateway uses.
   * @default "kong"
   */
  readonly gatewayClassName?: string;
  /**
   * Emit the GatewayClass (cluster-scoped, unmanaged mode of the Kong Ingress Controller).
   * @default true
   */
  readonly createGatewayClass?: boolean;
  /**
   * Labels of the Kong proxy pods, for the edge Service and the NetworkPolicies that admit the proxies (to the
   * functions' port and the authorizer's).
   * @default {"app.kubernetes.io/name": "kong"}
   */
  readonly proxySelector?: Record<string, string>;
  /**
   * Container port of Kong's HTTP proxy listener.
   * @default 8000
   */
  readonly proxyPort?: number;
  /**
   * Container port of Kong's TLS proxy listener.
   * @default 8443
   */
  readonly proxyTlsPort?: number;
  /**
   * Kong Gateway Enterprise is licensed: its `opa` plugin then asks OPA's data API
   * (`/v1/data/<package>/allow`) and enforces the boolean it returns.
   * @default false - Kong OSS, where OPA authorization is an error
   */
  readonly enterprise?: boolean;
  /**
   * Kong proxy replicas the install runs (this library does not deploy Kong). The
   * rate-limiting plugin counts in each node's memory (`policy: local`), so a route admits
   * its limit times this in all.
   * @default 1
   */
  readonly proxyReplicas?: number;
}

/**
 * Kong Ingress Controller 3.x with Gateway API: Gateway + HTTPRoute (weighted backendRefs
 * for canaries) and KongPlugins attached with `konghq.com/plugins`: `rate-limiting`,
 * `prometheus` (latency metrics on, histogram in milliseconds with 10/20/50 ms boundaries),
 * and `opa` on Kong Enterprise.
 *
 * Cannot express per-route timeouts or retries through routes (Kong reads them from
 * `konghq.com/*-timeout` and `konghq.com/retries` annotations on the backend Service, which
 * the function owns), rate limits whose burst differs from the per-second average (its
 * counters are fixed windows), or OPA on Kong OSS: all are synth errors.
 *
 * Requirements: the Kong proxy pods run in the gateway's namespace; KIC started with
 * `--publish-service=<namespace>/<gateway name>` (the edge Service emitted here). With TLS,
 * routes attach to the `https` listener only and a redirect HTTPRoute holds the `http`
 * listener, as for Envoy Gateway; the KIC version must honour both: KIC long served every
 * HTTPRoute on all of Kong's HTTP listens whatever its `sectionName`
 * (Kong/kubernetes-ingress-controller#7901 derives the Kong route's protocols from the
 * listener), and translates `RequestRedirect` to Kong's `redirect` plugin, which keeps the
 * request's path, only on Kong 3.9 or later (Kong/kubernetes-ingress-controller#6557).
 */
export class KongProvider implements IGatewayProvider {
  public readonly name = 'kong';
  public readonly requestMetrics: RequestMetrics;
  public readonly gatewayClassName: string;
  public readonly createGatewayClass: boolean;
  public readonly proxySelector: Record<string, string>;
  public readonly proxyPort: number;
  public readonly proxyTlsPort: number;
  public readonly enterprise: boolean;
  public readonly proxyReplicas: number;

  constructor(props: KongProviderProps = {}) {
    this.proxyReplicas = props.proxyReplicas ?? 1;
    this.gatewayClassName = props.gatewayClassName ?? 'kong';
    this.createGatewayClass = props.createGatewayClass ?? true;
    this.proxySelector = props.proxySelector ?? { 'app.kubernetes.io/name': 'kong' };
    this.proxyPort = props.proxyPort ?? 8000;
    this.proxyTlsPort = props.proxyTlsPort ?? 8443;
    this.enterprise = props.enterprise ?? false;
    this.requestMetrics = {
      source: 'kong',
      requestsTotal: 'kong_http_requests_total',
      durationHistogram: 'kong_request_latency_ms',
      durationUnit: 'milliseconds',
      durationBuckets: KONG_LATENCY_BUCKETS_MS,
      // KIC names the Kong routes of an HTTPRoute `httproute.<namespace>.<name>.<rule>.<match>`;
      // routes are named after their function unless given another name.
      matchers: (t) => `route=~"httproute[.]${t.namespace}[.]${t.name}[.].*"`,
      errorMatcher: 'code=~"5.."',
    };
  }

  public proxyPodLabels(_gateway: FunctionGateway): Record<string, string> {
    return { ...this.proxySelector };
  }

  public renderGateway(gateway: FunctionGateway): void {
    if (this.createGatewayClass) {
      renderGatewayClass(gateway, this.gatewayClassName, 'konghq.com/kic-gateway-controller',
        'Kong in front of the Wasm functions', { 'konghq.com/gatewayclass-unmanaged': 'true' });
    }
    renderGateway(gateway, this.gatewayClassName);
    renderEdgeService(gateway, { selector: this.proxySelector, httpTargetPort: this.proxyPort, httpsTargetPort: this.proxyTlsPort });
  }

  public renderRoute(route: GatewayRoute): void {
    const suffixes: string[] = [];
    const plugin = (id: string, suffix: string, name: string, config: Record<string, unknown>): void => {
      new KongPlugin(route, id, { metadata: routeMetadata(route, suffix), plugin: name, config });
      suffixes.push(suffix);
    };

    plugin('Prometheus', '-prometheus', 'prometheus', {
      // Off by default in Kong 3: without it there is no latency histogram at all.
      latency_metrics: true,
      status_code_metrics: true,
      bandwidth_metrics: false,
      upstream_health_metrics: false,
      per_consumer: false,
    });
    if (route.rateLimit) {
      const limit = route.rateLimit;
      plugin('RateLimit', '-ratelimit', 'rate-limiting', {
        second: limit.averagePerSecond,
        limit_by: limit.key.kind === 'client-ip' ? 'ip' : limit.key.kind === 'header' ? 'header' : 'service',
        header_name: limit.key.kind === 'header' ? limit.key.headerName : undefined,
        // Counters in each Kong node's memory: no database round trip on the request path.
        policy: 'local',
        fault_tolerant: true,
      });
    }
    if (route.authorize && route.gateway.authorizer && this.enterprise) {
      const authorizer = route.gateway.authorizer;
      plugin('Opa', '-opa', 'opa', {
        opa_protocol: 'http',
        opa_host: `${authorizer.serviceName}.${authorizer.namespace}.svc`,
        opa_port: authorizer.httpPort,
        opa_path: `/v1/data/${authorizer.decisionPackage.split('.').join('/')}/allow`,
      });
    }
    // Plugin names follow the route's namespace-dependent name, so the list is read at synth too.
    renderHttpRoute(route, { 'konghq.com/plugins': lazyString(() => suffixes.map((s) => `${route.resourceName}${s}`).join(',')) });
  }

  public checkGateway(_gateway: FunctionGateway): string[] {
    return [];
  }

  public checkRoute(route: GatewayRoute): string[] {
    const errors: string[] = [];
    if (route.perUserRateLimit) {
      errors.push('perUserRateLimit cannot be enforced here by Kong: the emitted configuration verifies no JWT to key the limit by its subject (a header from an unverified token is forgeable) and counts with policy local, per Kong node; use GatewayProvider.envoyGateway({ globalRateLimit: true }), which verifies the JWT and counts per subject in its rate-limit service');
    }
    if (route.authorize && !this.enterprise) {
      errors.push('authorize cannot be enforced by Kong OSS: its `opa` plugin is Kong Enterprise only; set enterprise on GatewayProvider.kong() with a licence, or use GatewayProvider.envoyGateway()');
    }
    if (route.requestTimeout) {
      errors.push(`requestTimeout (${formatDuration(route.requestTimeout)}) cannot be expressed by Kong per route: Kong reads timeouts from konghq.com/*-timeout annotations on the backend Service; set them on the function's Service, or use GatewayProvider.envoyGateway()`);
    }
    if (route.retry) {
      errors.push(`retry (${route.retry.attempts} attempts) cannot be expressed by Kong per route: Kong reads retries from the konghq.com/retries annotation on the backend Service; set it there, or use GatewayProvider.envoyGateway()`);
    }
    if (route.rateLimit?.key.kind === 'route-wide') {
      errors.push(`rateLimit keyed by ${route.rateLimit.key} cannot be enforced here by Kong: the rate-limiting plugin is emitted with policy local, one counter per Kong node; use RateLimit.perProxyReplica() (the route then admits the limit times proxyReplicas), or GatewayProvider.envoyGateway() with its global rate limit service`);
    }
    if (route.rateLimit && route.rateLimit.burst !== route.rateLimit.averagePerSecond) {
      errors.push(`rateLimit.burst (${route.rateLimit.burst}) cannot be expressed by Kong: its rate-limiting plugin counts fixed one-second windows, so burst must equal averagePerSecond (${route.rateLimit.averagePerSecond})`);
    }
    return errors;
  }
}
