import { EnvoyGatewayProvider, EnvoyGatewayProviderProps } from './envoy-gateway-provider';
import { KongProvider, KongProviderProps } from './kong-provider';
import { TraefikProvider, TraefikProviderProps } from './traefik-provider';

/** The proxies a {@link FunctionGateway} can be rendered for. */
export class GatewayProvider {
  /** Envoy Gateway (Gateway API + SecurityPolicy/BackendTrafficPolicy): enforces OPA authorization. */
  public static envoyGateway(props: EnvoyGatewayProviderProps = {}): EnvoyGatewayProvider {
    return new EnvoyGatewayProvider(props);
  }

  /** Traefik v3 (IngressRoute + Middleware): latency buckets at 10/20/50 ms; no OPA, no per-route timeouts. */
  public static traefik(props: TraefikProviderProps = {}): TraefikProvider {
    return new TraefikProvider(props);
  }

  /** Kong Ingress Controller (HTTPRoute + KongPlugin): OPA only on Kong Enterprise; no per-route timeouts or retries. */
  public static kong(props: KongProviderProps = {}): KongProvider {
    return new KongProvider(props);
  }

  private constructor() {}
}
