import { Construct } from 'constructs';
import type { EnvoyProxy } from '../../imports/envoy-gateway-envoyproxies-gateway.envoyproxy.io';
import { checkQuantity } from '../core/quantity';

/** The compiled binding; see {@link loadEnvoyProxyBinding}. */
type EnvoyProxyBinding = typeof import('../../imports/envoy-gateway-envoyproxies-gateway.envoyproxy.io');

let binding: EnvoyProxyBinding | undefined;

/**
 * The EnvoyProxy binding is generated from a 1 MB CRD (1.4 MB of TypeScript); loading it
 * costs tens of milliseconds compiled and more under a TypeScript loader, so it is required
 * only when an EnvoyProxy is emitted, not by every user of the library.
 */
function loadEnvoyProxyBinding(): EnvoyProxyBinding {
  binding ??= require('../../imports/envoy-gateway-envoyproxies-gateway.envoyproxy.io') as EnvoyProxyBinding;
  return binding;
}

/** Resources of each Envoy container Envoy Gateway runs for a gateway. */
export interface EnvoyProxyResources {
  /**
   * CPU request of each Envoy container, as a quantity. No CPU limit is set: a throttled
   * proxy adds its throttling pause to every request it holds, far beyond the 20 ms P99.
   * @default "1"
   */
  readonly cpuRequest?: string;
  /**
   * Memory request of each Envoy container, as a quantity.
   * @default "512Mi"
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit of each Envoy container, as a quantity: connection buffers grow with load,
   * and an unbounded Envoy would be the one the kernel kills on a full node.
   * @default "1Gi"
   */
  readonly memoryLimit?: string;
}

/** The defaults of {@link EnvoyProxyResources}, resolved. */
export const DEFAULT_ENVOY_PROXY_RESOURCES: Required<EnvoyProxyResources> = {
  cpuRequest: '1',
  memoryRequest: '512Mi',
  memoryLimit: '1Gi',
};

/** What {@link renderEnvoyProxy} emits. */
export interface EnvoyProxyOptions {
  /** Name of the EnvoyProxy. */
  readonly name: string;
  /** Its namespace: Envoy Gateway reads an EnvoyProxy only in its controller's namespace. */
  readonly namespace: string;
  /** Labels of the object. */
  readonly labels: Record<string, string>;
  /** Envoy pods Envoy Gateway runs for each Gateway of the class. */
  readonly replicas: number;
  /** Resources of each Envoy container, resolved. */
  readonly resources: Required<EnvoyProxyResources>;
}

/** Problems with the resources, each naming its field (the replica count is the gateway's to check). */
export function checkEnvoyProxyResources(resources: Required<EnvoyProxyResources>): string[] {
  return [
    checkQuantity('proxyResources.cpuRequest', resources.cpuRequest, '1'),
    checkQuantity('proxyResources.memoryRequest', resources.memoryRequest, '512Mi'),
    checkQuantity('proxyResources.memoryLimit', resources.memoryLimit, '1Gi'),
  ].filter((e): e is string => e !== undefined);
}

/**
 * The `EnvoyProxy` (gateway.envoyproxy.io/v1alpha1) a GatewayClass names in its
 * `parametersRef`: the replica count and resources of the Envoy Deployment Envoy Gateway
 * creates for each Gateway of the class. Without it Envoy Gateway runs one Envoy replica.
 */
export function renderEnvoyProxy(scope: Construct, id: string, options: EnvoyProxyOptions): EnvoyProxy {
  const eg = loadEnvoyProxyBinding();
  const { resources } = options;
  return new eg.EnvoyProxy(scope, id, {
    metadata: { name: options.name, namespace: options.namespace, labels: { ...options.labels } },
    spec: {
      provider: {
        type: eg.EnvoyProxySpecProviderType.KUBERNETES,
        kubernetes: {
          envoyDeployment: {
            replicas: options.replicas,
            container: {
              resources: {
                requests: {
                  cpu: eg.EnvoyProxySpecProviderKubernetesEnvoyDeploymentContainerResourcesRequests.fromString(resources.cpuRequest),
                  memory: eg.EnvoyProxySpecProviderKubernetesEnvoyDeploymentContainerResourcesRequests.fromString(resources.memoryRequest),
                },
                limits: {
                  memory: eg.EnvoyProxySpecProviderKubernetesEnvoyDeploymentContainerResourcesLimits.fromString(resources.memoryLimit),
                },
              },
            },
          },
        },
      },
    },
  });
}
