import { ApiObjectMetadata, Chart, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  GatewayClass, GatewayClassSpecParametersRef,
} from '../../imports/gateway-api-gatewayclasses-gateway.networking.k8s.io';
import {
  Gateway, GatewaySpecListeners, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode,
} from '../../imports/gateway-api-gateways-gateway.networking.k8s.io';
import {
  HttpRoute, HttpRouteSpecRulesFilters, HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode, HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatchesMethod,
  HttpRouteSpecRulesMatchesPathType,
} from '../../imports/gateway-api-httproutes-gateway.networking.k8s.io';
import type { FunctionGateway } from './function-gateway';
import type { GatewayRoute } from './gateway-route';
import * as plain from '../synth/plain-bindings';

/** A string computed at synth (cdk8s resolves it when the object is rendered). */
export function lazyString(produce: () => string): string {
  return Lazy.any({ produce }) as string;
}

/** Metadata of one of a route's objects: name and namespace follow the route's backend, read at synth. */
export function routeMetadata(route: GatewayRoute, suffix = '', annotations?: Record<string, string>): ApiObjectMetadata {
  return {
    name: lazyString(() => `${route.resourceName}${suffix}`),
    namespace: lazyString(() => route.namespace),
    labels: route.labels,
    annotations,
  };
}

/** Metadata of one of the gateway's own objects. */
export function gatewayMetadata(gateway: FunctionGateway, name = gateway.name): ApiObjectMetadata {
  return { name, namespace: gateway.namespace || undefined, labels: { ...gateway.labels } };
}

/**
 * A cluster-scoped GatewayClass, even inside a namespaced chart, with the controller's
 * parameters object when it has one (Envoy Gateway: its EnvoyProxy).
 */
export function renderGatewayClass(
  scope: Construct, name: string, controllerName: string, description: string, annotations?: Record<string, string>,
  parametersRef?: GatewayClassSpecParametersRef,
): GatewayClass {
  const gc = new plain.GatewayClass(scope, 'GatewayClass', {
    metadata: { name, annotations },
    spec: { controllerName, description, parametersRef },
  });
  if (Chart.of(scope).namespace !== undefined) {
    // GatewayClass is cluster-scoped: the chart's namespace does not apply to it.
    gc.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return gc;
}

/** Name of the Gateway's plain-HTTP listener. */
export const HTTP_LISTENER = 'http';
/** Name of the Gateway's TLS listener (with `tls` only). */
export const HTTPS_LISTENER = 'https';

/**
 * The Gateway API Gateway: an HTTP listener (and an HTTPS one with TLS) that admits
 * HTTPRoutes from the route namespaces only.
 *
 * With TLS, function routes attach to the HTTPS listener alone (see {@link renderHttpRoute})
 * and the HTTP listener admits routes from the gateway's own namespace only, where the one
 * HTTP-to-HTTPS redirect route lives: no function, and no bearer token, is ever served
 * over plain HTTP, even by a route that leaves out `sectionName`.
 */
export function renderGateway(gateway: FunctionGateway, gatewayClassName: string, annotations?: Record<string, string>): Gateway {
  const kinds = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }];
  const allowedRoutes = {
    kinds,
    namespaces: {
      from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
      selector: {
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...gateway.routeNamespaces] }],
      },
    },
  };
  const listeners: GatewaySpecListeners[] = [{
    name: HTTP_LISTENER,
    protocol: 'HTTP',
    port: gateway.httpPort,
    allowedRoutes: gateway.tls ? { kinds, namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } } : allowedRoutes,
  }];
  if (gateway.tls) {
    listeners.push({
      name: HTTPS_LISTENER,
      protocol: 'HTTPS',
      port: gateway.httpsPort!,
      tls: {
        mode: GatewaySpecListenersTlsMode.TERMINATE,
        certificateRefs: [{ group: '', kind: 'Secret', name: gateway.tls.secretName, namespace: gateway.tls.secretNamespace }],
      },
      allowedRoutes,
    });
  }
  const resource = new plain.Gateway(gateway, 'Gateway', {
    metadata: { ...gatewayMetadata(gateway), annotations },
    spec: { gatewayClassName, listeners },
  });
  if (gateway.tls) renderHttpsRedirect(gateway);
  return resource;
}

/**
 * With TLS: one HTTPRoute in the gateway's namespace on the HTTP listener that answers
 * every request, for every host and path, with a 301 to the same URL over HTTPS.
 */
function renderHttpsRedirect(gateway: FunctionGateway): HttpRoute {
  const httpsPort = gateway.httpsPort!;
  return new plain.HttpRoute(gateway, 'HttpsRedirect', {
    metadata: gatewayMetadata(gateway, `${gateway.name}-https-redirect`),
    spec: {
      parentRefs: [{
        group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: HTTP_LISTENER,
      }],
      rules: [{
        matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
        filters: [{
          type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
          requestRedirect: {
            scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
            // Without a port the redirect goes to https's well-known 443.
            port: httpsPort === 443 ? undefined : httpsPort,
            statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
          },
        }],
      }],
    },
  });
}

/**
 * The route as a Gateway API HTTPRoute in its backend's namespace, attached to the
 * Gateway in the gateway's namespace (attachment across namespaces needs no grant; the
 * listener's allowedRoutes admits it), to the HTTPS listener only when the gateway has TLS.
 * Backends, weights and the Host rewrite are read at synth.
 */
export function renderHttpRoute(route: GatewayRoute, annotations?: Record<string, string>): HttpRoute {
  const gateway = route.gateway;
  return new plain.HttpRoute(route, 'Resource', {
    metadata: routeMetadata(route, '', annotations),
    spec: {
      parentRefs: [{
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: gateway.name,
        namespace: gateway.namespace,
        sectionName: gateway.tls ? HTTPS_LISTENER : undefined,
      }],
      hostnames: route.host !== undefined ? [route.host] : undefined,
      rules: [{
        // One match per method: the matches of a rule are ORed.
        matches: (route.methods ?? [undefined]).map((method) => ({
          path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: route.pathPrefix },
          method: method as HttpRouteSpecRulesMatchesMethod | undefined,
        })),
        filters: Lazy.any({
          produce: (): HttpRouteSpecRulesFilters[] | undefined => route.hostRewrite === undefined ? undefined : [{
            type: HttpRouteSpecRulesFiltersType.URL_REWRITE,
            urlRewrite: { hostname: route.hostRewrite },
          }],
        }),
        backendRefs: Lazy.any({
          produce: () => route.backends.map((b) => ({
            group: '',
            kind: 'Service',
            name: b.backend.serviceName,
            port: b.backend.port,
            weight: route.canary ? b.weight : undefined,
          })),
        }),
      }],
    },
  });
}

/** Options of {@link renderEdgeService}. */
export interface EdgeServiceOptions {
  /** Labels of the proxy pods. */
  readonly selector: Record<string, string>;
  /** Container port of the plain-HTTP entry point. */
  readonly httpTargetPort: number;
  /** Container port of the TLS entry point. */
  readonly httpsTargetPort: number;
}

/**
 * The seed's LoadBalancer Service in front of the proxy pods: port 80 to the proxy's HTTP
 * port (and 443 to its TLS port).
 */
export function renderEdgeService(gateway: FunctionGateway, options: EdgeServiceOptions): k8s.KubeService {
  const ports: k8s.ServicePort[] = [
    { name: 'http', port: gateway.httpPort, targetPort: k8s.IntOrString.fromNumber(options.httpTargetPort), protocol: 'TCP' },
  ];
  if (gateway.httpsPort !== undefined) {
    ports.push({ name: 'https', port: gateway.httpsPort, targetPort: k8s.IntOrString.fromNumber(options.httpsTargetPort), protocol: 'TCP' });
  }
  return new plain.KubeService(gateway, 'EdgeService', {
    metadata: gatewayMetadata(gateway),
    spec: {
      type: 'LoadBalancer',
      // Local keeps the client's source IP, which per-client rate limits and logs key on;
      // Cluster would SNAT every request to a node address.
      externalTrafficPolicy: 'Local',
      selector: { ...options.selector },
      ports,
    },
  });
}
