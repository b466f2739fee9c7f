import { Lazy } from 'cdk8s';
import * as yaml from 'js-yaml';
import {
  IngressRoute, IngressRouteSpecRoutesKind, IngressRouteSpecRoutesMiddlewares, IngressRouteSpecRoutesServicesPort,
} from '../../imports/traefik-ingressroutes-traefik.io';
import {
  Middleware, MiddlewareSpecRateLimitPeriod, MiddlewareSpecRateLimitSourceCriterion, MiddlewareSpecRetryInitialInterval,
} from '../../imports/traefik-middlewares-traefik.io';
import type { RequestMetrics } from '../core/metrics';
import { oneLine } from '../core/names';
import type { FunctionGateway } from './function-gateway';
import type { IGatewayProvider } from './gateway-provider';
import type { GatewayRoute } from './gateway-route';
import { gatewayMetadata, lazyString, renderEdgeService, routeMetadata } from './render-helpers';
import { formatDuration } from './route-policy';
import * as plain from '../synth/plain-bindings';

/** Latency buckets, in seconds, with boundaries at the platform's objectives (10, 20, 50 ms). */
export const TRAEFIK_LATENCY_BUCKETS_SECONDS: readonly number[] = [0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The latency objectives every gateway histogram must have a boundary at, in seconds. */
const SLO_BOUNDARIES_SECONDS = [0.01, 0.02, 0.05];

/** Props for {@link TraefikProvider}. */
export interface TraefikProviderProps {
  /**
   * Labels of the Traefik pods, for the edge Service and the NetworkPolicies that admit the proxies (to the
   * functions' port and the authorizer's).
   * @default {"app.kubernetes.io/name": "traefik"}
   */
  readonly proxySelector?: Record<string, string>;
  /**
   * Container port of Traefik's `web` entry point.
   * @default 8080
   */
  readonly webPort?: number;
  /**
   * Container port of Traefik's `websecure` entry point (with TLS).
   * @default 8443
   */
  readonly websecurePort?: number;
  /**
   * Container port of the `metrics` entry point Prometheus scrapes.
   * @default 9100
   */
  readonly metricsPort?: number;
  /**
   * Latency histogram buckets, in seconds; they must include 0.01, 0.02 and 0.05.
   * @default TRAEFIK_LATENCY_BUCKETS_SECONDS
   */
  readonly latencyBucketsSeconds?: number[];
  /**
   * Traefik replicas the install runs (this library does not deploy Traefik). Each replica
   * counts rate limits on its own, so a route admits its limit times this in all.
   * @default 1
   */
  readonly proxyReplicas?: number;
}

/**
 * Traefik v3 (kubernetesCRD provider): an IngressRoute per route with weighted services
 * for canaries, and RateLimit, Retry and Headers Middlewares.
 *
 * Enforces: routing, canary weights, rate limits (average, burst; per client IP, header or
 * route — each Traefik replica counts on its own), retries. Cannot enforce OPA
 * authorization (ForwardAuth allows on any 2xx and OPA's data API answers 200 on deny) or
 * per-route timeouts (they need a ServersTransport, which has no binding here): both are
 * synth errors.
 *
 * Requirements: Traefik runs in the gateway's namespace with the static configuration this
 * provider emits as ConfigMap `<gateway>-traefik-static` (entry points, the latency
 * buckets, the namespaces to watch), e.g. `--configFile=/etc/traefik/traefik.yaml`. With
 * TLS, Traefik reads the certificate Secret from each route's namespace, every route is on
 * `websecure` only, and the static configuration redirects all of `web` to HTTPS
 * (permanent: 301 for GET, 308 for other methods): without that configuration, plain HTTP
 * serves nothing rather than the functions.
 */
export class TraefikProvider implements IGatewayProvider {
  public readonly name = 'traefik';
  public readonly requestMetrics: RequestMetrics;
  public readonly proxySelector: Record<string, string>;
  public readonly webPort: number;
  public readonly websecurePort: number;
  public readonly metricsPort: number;
  public readonly latencyBucketsSeconds: readonly number[];
  public readonly proxyReplicas: number;

  constructor(props: TraefikProviderProps = {}) {
    this.proxyReplicas = props.proxyReplicas ?? 1;
    this.proxySelector = props.proxySelector ?? { 'app.kubernetes.io/name': 'traefik' };
    this.webPort = props.webPort ?? 8080;
    this.websecurePort = props.websecurePort ?? 8443;
    this.metricsPort = props.metricsPort ?? 9100;
    this.latencyBucketsSeconds = [...(props.latencyBucketsSeconds ?? TRAEFIK_LATENCY_BUCKETS_SECONDS)];
    this.requestMetrics = {
      source: 'traefik',
      requestsTotal: 'traefik_service_requests_total',
      durationHistogram: 'traefik_service_request_duration_seconds',
      durationUnit: 'seconds',
      durationBuckets: this.latencyBucketsSeconds,
      // Traefik names an IngressRoute's Kubernetes service `<namespace>-<service>-<port>@kubernetescrd`.
      matchers: (t) => `service=~"${t.namespace}-${t.name}-[0-9]+@kubernetescrd"`,
      errorMatcher: 'code=~"5.."',
    };
  }

  public proxyPodLabels(_gateway: FunctionGateway): Record<string, string> {
    return { ...this.proxySelector };
  }

  public renderGateway(gateway: FunctionGateway): void {
    renderEdgeService(gateway, { selector: this.proxySelector, httpTargetPort: this.webPort, httpsTargetPort: this.websecurePort });
    new plain.KubeConfigMap(gateway, 'StaticConfig', {
      metadata: gatewayMetadata(gateway, `${gateway.name}-traefik-static`),
      data: { 'traefik.yaml': lazyString(() => this.staticConfig(gateway)) },
    });
  }

  /** Traefik's static configuration for this gateway, as YAML. */
  public staticConfig(gateway: FunctionGateway): string {
    const entryPoints: Record<string, { address: string; http?: unknown }> = { web: { address: `:${this.webPort}` } };
    if (gateway.tls) {
      // With TLS, routes live on websecure only and web answers every request with a
      // permanent redirect to HTTPS. The target is the edge port, not websecure's container
      // port behind the edge Service.
      entryPoints.web.http = { redirections: { entryPoint: { to: `:${gateway.httpsPort}`, scheme: 'https', permanent: true } } };
      entryPoints.websecure = { address: `:${this.websecurePort}` };
    }
    entryPoints.metrics = { address: `:${this.metricsPort}` };
    return yaml.dump({
      entryPoints,
      providers: { kubernetesCRD: { namespaces: [...gateway.routeNamespaces], allowCrossNamespace: false } },
      metrics: {
        prometheus: {
          entryPoint: 'metrics',
          // Traefik's default buckets (0.1, 0.3, 1.2, 5 s) cannot tell 10, 20 and 50 ms apart.
          buckets: [...this.latencyBucketsSeconds],
          addEntryPointsLabels: true,
          addServicesLabels: true,
          addRoutersLabels: false,
        },
      },
    }, { lineWidth: -1 });
  }

  public renderRoute(route: GatewayRoute): void {
    const middlewares: IngressRouteSpecRoutesMiddlewares[] = [];
    const middlewareName = (suffix: string): string => lazyString(() => `${route.resourceName}-${suffix}`);

    // Traefik sets Host only through a Headers middleware, an object that cannot appear
    // later: a routeVia after this route is an error reported by checkRoute.
    if (route.hostRewrite !== undefined) {
      new Middleware(route, 'HostHeader', {
        metadata: routeMetadata(route, '-host'),
        spec: { headers: { customRequestHeaders: { Host: lazyString(() => route.hostRewrite ?? '') } } },
      });
      middlewares.push({ name: middlewareName('host') });
    }
    if (route.rateLimit) {
      const limit = route.rateLimit;
      const sourceCriterion: MiddlewareSpecRateLimitSourceCriterion | undefined =
        limit.key.kind === 'header' ? { requestHeaderName: limit.key.headerName }
          // One bucket for every client of this route's middleware.
          : limit.key.kind === 'route' ? { requestHost: true }
          // Traefik's default: the request's remote address.
            : undefined;
      new Middleware(route, 'RateLimit', {
        metadata: routeMetadata(route, '-ratelimit'),
        spec: {
          rateLimit: {
            average: limit.averagePerSecond,
            period: MiddlewareSpecRateLimitPeriod.fromString('1s'),
            burst: limit.burst,
            sourceCriterion,
          },
        },
      });
      middlewares.push({ name: middlewareName('ratelimit') });
    }
    if (route.retry) {
      new Middleware(route, 'Retry', {
        metadata: routeMetadata(route, '-retry'),
        spec: {
          retry: {
            attempts: route.retry.attempts,
            initialInterval: route.retry.backoff
              ? MiddlewareSpecRetryInitialInterval.fromString(formatDuration(route.retry.backoff)) : undefined,
          },
        },
      });
      middlewares.push({ name: middlewareName('retry') });
    }

    const prefix = route.pathPrefix;
    // PathPrefix is a string prefix in Traefik; this keeps the segment semantics of the API.
    const pathRule = prefix === '/' ? 'PathPrefix(`/`)' : `(Path(\`${prefix}\`) || PathPrefix(\`${prefix}/\`))`;
    const methods = route.methods;
    const methodRule = methods === undefined ? undefined
      : methods.length === 1 ? `Method(\`${methods[0]}\`)` : `(${methods.map((m) => `Method(\`${m}\`)`).join(' || ')})`;
    const match = [route.host !== undefined ? `Host(\`${route.host}\`)` : undefined, pathRule, methodRule]
      .filter((r): r is string => r !== undefined).join(' && ');
    const services = Lazy.any({
      produce: () => route.backends.map((b) => ({
        name: b.backend.serviceName,
        port: IngressRouteSpecRoutesServicesPort.fromNumber(b.backend.port),
        weight: route.canary ? b.weight : undefined,
      })),
    });
    const routes = [{ kind: IngressRouteSpecRoutesKind.RULE, match, middlewares: middlewares.length ? middlewares : undefined, services }];

    // With TLS the route is served on websecure only: web redirects to HTTPS (static configuration).
    const tls = route.gateway.tls;
    new IngressRoute(route, 'Resource', {
      metadata: routeMetadata(route),
      spec: tls
        ? { entryPoints: ['websecure'], routes, tls: { secretName: tls.secretName } }
        : { entryPoints: ['web'], routes },
    });
  }

  public checkGateway(gateway: FunctionGateway): string[] {
    const errors: string[] = [];
    const missing = SLO_BOUNDARIES_SECONDS.filter((b) => !this.latencyBucketsSeconds.includes(b));
    if (missing.length > 0) {
      errors.push(`latencyBucketsSeconds [${this.latencyBucketsSeconds.join(', ')}] lacks ${missing.join(', ')}: the latency objectives (10, 20 and 50 ms) need a bucket boundary each`);
    }
    if (gateway.tls?.secretNamespace !== undefined) {
      errors.push(`tls.secretNamespace ("${oneLine(gateway.tls.secretNamespace)}") cannot be expressed by Traefik: an IngressRoute reads its certificate Secret from its own namespace; leave secretNamespace out and keep a copy of the Secret in each route namespace (${oneLine(gateway.routeNamespaces.join(', '))})`);
    }
    return errors;
  }

  public checkRoute(route: GatewayRoute): string[] {
    const errors: string[] = [];
    if (route.perUserRateLimit) {
      errors.push('perUserRateLimit cannot be enforced by Traefik v3.2: it does not verify a JWT to copy its subject into a header (a header from an unverified token is forgeable), and its RateLimit middleware counts in each replica\'s memory; use GatewayProvider.envoyGateway({ globalRateLimit: true }), which verifies the JWT and counts per subject in its rate-limit service');
    }
    if (route.authorize) {
      errors.push('authorize cannot be enforced by Traefik: its ForwardAuth allows any 2xx answer and OPA\'s data API answers 200 with {"result": false} on deny, so every request would pass; use GatewayProvider.envoyGateway(), whose ext_authz speaks to OPA\'s Envoy plugin');
    }
    if (route.requestTimeout) {
      errors.push(`requestTimeout (${formatDuration(route.requestTimeout)}) cannot be expressed by Traefik per route: it needs a ServersTransport (forwardingTimeouts), which this library has no binding for; set the timeout in Traefik's static serversTransport configuration, or use GatewayProvider.envoyGateway()`);
    }
    if (route.retry?.perTryTimeout) {
      errors.push('retry.perTryTimeout cannot be expressed by Traefik: its Retry middleware only has attempts and initialInterval');
    }
    if (route.rateLimit?.key.kind === 'route-wide') {
      errors.push(`rateLimit keyed by ${route.rateLimit.key} cannot be enforced by Traefik v3.2: its RateLimit middleware counts in each replica's memory, with no bucket shared between replicas; use RateLimit.perProxyReplica() (the route then admits the limit times proxyReplicas), or GatewayProvider.envoyGateway() with its global rate limit service`);
    }
    if (route.hostRewrite !== undefined && route.node.tryFindChild('HostHeader') === undefined) {
      errors.push(`function "${oneLine(route.function.name)}" was routed via ${oneLine(route.function.ingressBackend.namespace)}/${oneLine(route.function.ingressBackend.serviceName)} after its Traefik route was created: Traefik sets the Host header "${oneLine(route.hostRewrite)}" with a Middleware that must exist when the route is built; call routeVia before creating the route`);
    }
    return errors;
  }
}
