import { Chart } from 'cdk8s';
import {
  CapacityPlan, ClusterCapacity, ClusterDescription, FlashSaleWindow, FunctionAutoscaler, HorizontalFunctionAutoscaler, HttpScalingMetric,
  KedaFunctionAutoscaler, KedaTrigger, ResourceMetric, SaleSchedule, ScaleToZeroFunctionAutoscaler, Weekday,
} from '../lib';
import { CatalogEntry } from './catalog';
import { PlatformCore } from './core';
import { NAMESPACES } from './namespaces';

/**
 * The production cluster: 28 K3s workers of 8 vCPU / 32 GiB. Wasm pods are so small that
 * pod slots, not CPU or memory, bind first: the kubelets run with `--max-pods=250` (the
 * /24 node CIDRs K3s hands out hold 254 pod IPs); at the default 110 the same platform
 * would need 53 nodes (51 plus the 2 spares).
 */
export const PRODUCTION_CLUSTER: ClusterDescription = {
  name: 'k3s-prod-eu-central',
  nodes: 28,
  // 8 vCPU / 32 GiB, less kube-reserved, system-reserved, eviction threshold and DaemonSet requests.
  allocatableCpuPerNode: '7500m',
  allocatableMemoryPerNode: '28Gi',
  maxPodsPerNode: 250,
  nodeCidrMaskSize: 24,
  // node-exporter and the Loki log shipper, with room for four more (K3s runs flannel and
  // kube-proxy inside the agent process, not as pods).
  daemonSetPodsPerNode: 6,
  // N+2: a node failure during a rolling node upgrade must not strand a flash sale.
  spareNodes: 2,
  // Prometheus, Grafana, Loki, KEDA and the HTTP add-on's operator and scaler, Gatekeeper,
  // Argo CD: the 180 pods, 60 cores and 240Gi first estimated for the whole rest of the
  // platform, less the OPA authorizer (4 pods), the KEDA interceptor (50 at the chart's max)
  // and the one Envoy pod the estimate had (Envoy Gateway's default), which the capacity
  // check now counts from their constructs (the Envoy proxies at their EnvoyProxy's replicas
  // and requests). The estimate's CPU and memory stay: the proxies' own come on top.
  otherWorkloads: { pods: 125, cpuRequest: '47', memoryRequest: '238Gi' },
  // One rollout at a time during a sale: sales are a change freeze except for a hotfix of one
  // function. Changes that roll every function (an upgrade of the library) ship outside sales:
  // all ten rolling at maxReplicas would add 1,280 surge pods and need 30 nodes.
  concurrentRollouts: 1,
  // K3s runs the controller manager and the scheduler with the Kubernetes defaults: 20 pods/s
  // after a burst of 30. A sale from every floor to every max then queues 5,052 pod creations
  // for at least 251 s, which is why the flash-sale windows pre-scale.
  podCreation: { controllerManagerQps: 20, controllerManagerBurst: 30 },
};

/** What the autoscaling section of the reference platform created. */
export interface AutoscalingSection {
  /** One chart per functions namespace (`dist/catalog-autoscaling/`, `dist/orders-autoscaling/`). */
  readonly charts: Readonly<Record<CatalogEntry['domain'], Chart>>;
  /** The autoscaler of every function, by function name. */
  readonly autoscalers: Readonly<Record<string, FunctionAutoscaler>>;
  /** The platform-wide capacity check; its report goes to `dist/reports/capacity.md`. */
  readonly capacity: ClusterCapacity;
}

/** Europe/Berlin: the shop's main market, where sales are announced. */
const SHOP_TIMEZONE = 'Europe/Berlin';

/** The weekly Friday-evening sale, and Black Friday. */
const FRIDAY_SALE = SaleSchedule.weekly({ days: [Weekday.FRIDAY], start: '20:00', end: '22:00' });
const BLACK_FRIDAY = SaleSchedule.onDate({ start: '2026-11-27T00:00', end: '2026-11-28T02:00' });

/**
 * Adds the autoscaling section: an autoscaler suited to each function, in a chart per
 * functions namespace (so Argo CD applies scaling separately from the functions), and the
 * cluster-wide capacity check. Scaling is on request rate unless a function says why not.
 */
/**
 * How one cluster's autoscalers are sized from the platform's numbers below, which are one
 * production cluster taking the whole peak.
 */
export interface ClusterSizing {
  /** The cluster whose nodes the capacity check uses. */
  readonly cluster: ClusterDescription;
  /** Its part of the platform's peak (and burst) request rates: 0.5 for one of two regions. */
  readonly trafficFactor: number;
  /**
   * Its part of the replica bounds and flash-sale replicas. A production region keeps 1: its
   * maxReplicas must carry the whole peak when the other region fails.
   */
  readonly replicaFactor: number;
}

/** The single production cluster: every number as written. */
export const SINGLE_CLUSTER_SIZING: ClusterSizing = { cluster: PRODUCTION_CLUSTER, trafficFactor: 1, replicaFactor: 1 };

export function addAutoscaling(core: PlatformCore, sizing: ClusterSizing = SINGLE_CLUSTER_SIZING): AutoscalingSection {
  const sized = sizer(sizing);
  const charts = {
    catalog: new Chart(core.app, 'CatalogAutoscaling', { namespace: NAMESPACES.catalog }),
    orders: new Chart(core.app, 'OrdersAutoscaling', { namespace: NAMESPACES.orders }),
  };
  const fn = core.functions;

  const autoscalers: Record<string, FunctionAutoscaler> = {
    'product-detail': new KedaFunctionAutoscaler(charts.catalog, 'ProductDetail', sized({
      target: fn['product-detail'],
      minReplicas: 10,
      maxReplicas: 600,
      capacity: { peakRequestsPerSecond: 30000, requestsPerPodPerSecond: 250, burstRequestsPerSecond: 2000 },
    })),
    price: new KedaFunctionAutoscaler(charts.catalog, 'Price', sized({
      target: fn.price,
      minReplicas: 10,
      maxReplicas: 600,
      triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 210 })],
      capacity: { peakRequestsPerSecond: 30000, requestsPerPodPerSecond: 300, burstRequestsPerSecond: 2500 },
    })),
    // CPU HPA for inventory only: its stock-consistency checks are CPU-bound, so CPU tracks load.
    // CPU-only scaling is a risk on older runwasi shims: a cgroup-driver mismatch (fixed in 2025)
    // left Wasm pods reporting no CPU usage to the kubelet, so the HPA saw 0 % and never scaled
    // out. The platform's nodes run a fixed shim; check `kubectl top pod -n functions-catalog`
    // shows non-zero CPU for inventory pods before a shim upgrade or downgrade.
    inventory: new HorizontalFunctionAutoscaler(charts.catalog, 'Inventory', sized({
      target: fn.inventory,
      minReplicas: 6,
      maxReplicas: 300,
      metrics: [ResourceMetric.cpu(70)],
      capacity: { peakRequestsPerSecond: 12000, requestsPerPodPerSecond: 200, burstRequestsPerSecond: 1000 },
    })),
    // Query cost varies tenfold between queries: concurrency tracks load better than rate.
    search: new KedaFunctionAutoscaler(charts.catalog, 'Search', sized({
      target: fn.search,
      minReplicas: 6,
      maxReplicas: 400,
      triggers: [KedaTrigger.inFlight({ requestsPerPod: 8 })],
      capacity: { peakRequestsPerSecond: 15000, requestsPerPodPerSecond: 120, targetUtilizationPercent: 70, burstRequestsPerSecond: 600 },
    })),
    recommend: new KedaFunctionAutoscaler(charts.catalog, 'Recommend', sized({
      target: fn.recommend,
      minReplicas: 4,
      maxReplicas: 200,
      capacity: { peakRequestsPerSecond: 8000, requestsPerPodPerSecond: 150, burstRequestsPerSecond: 500 },
    })),
    // A few requests a minute outside sales: no pods while idle, the interceptor holds the first request.
    reviews: new ScaleToZeroFunctionAutoscaler(charts.catalog, 'Reviews', sized({
      target: fn.reviews,
      hosts: ['reviews.functions-catalog.svc.cluster.local'],
      maxReplicas: 40,
      scalingMetric: HttpScalingMetric.concurrency(50),
      scaledownPeriodSeconds: 600,
      capacity: { peakRequestsPerSecond: 1500, requestsPerPodPerSecond: 250 },
    })),
    cart: new KedaFunctionAutoscaler(charts.orders, 'Cart', sized({
      target: fn.cart,
      minReplicas: 10,
      maxReplicas: 600,
      capacity: { peakRequestsPerSecond: 25000, requestsPerPodPerSecond: 250, burstRequestsPerSecond: 2000 },
    })),
    checkout: new KedaFunctionAutoscaler(charts.orders, 'Checkout', sized({
      target: fn.checkout,
      minReplicas: 10,
      maxReplicas: 800,
      triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 84 })],
      flashSales: [
        { name: 'friday-evening', schedule: FRIDAY_SALE, timezone: SHOP_TIMEZONE, replicas: 250 },
        { name: 'black-friday', schedule: BLACK_FRIDAY, timezone: SHOP_TIMEZONE, replicas: 400, prescaleMinutes: 30 },
      ],
      capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120, burstRequestsPerSecond: 1000 },
    })),
    // Admission for the sale itself: request rate, plus in-flight because queued buyers wait inside it.
    'flash-sale': new KedaFunctionAutoscaler(charts.orders, 'FlashSale', sized({
      target: fn['flash-sale'],
      minReplicas: 10,
      maxReplicas: 1500,
      triggers: [
        KedaTrigger.requestRate({ requestsPerPodPerSecond: 105 }),
        KedaTrigger.inFlight({ requestsPerPod: 40 }),
      ],
      flashSales: [
        { name: 'friday-evening', schedule: FRIDAY_SALE, timezone: SHOP_TIMEZONE, replicas: 600 },
        { name: 'black-friday', schedule: BLACK_FRIDAY, timezone: SHOP_TIMEZONE, replicas: 1000, prescaleMinutes: 30 },
      ],
      capacity: { peakRequestsPerSecond: 100000, requestsPerPodPerSecond: 150, burstRequestsPerSecond: 1200 },
    })),
    // The price canary takes 10 % of price's traffic (3,000 requests/s at peak): it scales
    // on its own request rate like the stable, from a smaller floor.
    'price-canary': new KedaFunctionAutoscaler(charts.catalog, 'PriceCanary', sized({
      target: core.canaries.price,
      minReplicas: 2,
      maxReplicas: 80,
      triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 210 })],
      capacity: { peakRequestsPerSecond: 3000, requestsPerPodPerSecond: 300, burstRequestsPerSecond: 250 },
    })),
  };

  const capacity = new ClusterCapacity(core.app, 'ClusterCapacity', { cluster: sizing.cluster });
  return { charts, autoscalers, capacity };
}

/** The fields of an autoscaler's props that scale with a cluster's share. */
interface Scalable {
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  readonly capacity?: CapacityPlan;
  readonly flashSales?: readonly FlashSaleWindow[];
}

/**
 * Scales an autoscaler's props to a cluster: request rates by the traffic factor, replica
 * bounds by the replica factor (a floor of at least 2 pods, for the disruption budget and one
 * pod per zone), flash-sale replicas inside the new bounds. Factor 1 leaves them as written.
 */
function sizer(sizing: ClusterSizing): <T extends Scalable>(props: T) => T {
  const r = sizing.replicaFactor;
  const t = sizing.trafficFactor;
  if (r === 1 && t === 1) return (props) => props;
  return (props) => {
    const min = props.minReplicas === undefined ? undefined : Math.max(Math.min(2, props.minReplicas), Math.ceil(props.minReplicas * r));
    const max = Math.max(min ?? 1, Math.ceil(props.maxReplicas * r));
    return {
      ...props,
      ...(min === undefined ? {} : { minReplicas: min }),
      maxReplicas: max,
      ...(props.capacity ? {
        capacity: {
          ...props.capacity,
          peakRequestsPerSecond: Math.ceil(props.capacity.peakRequestsPerSecond * t),
          ...(props.capacity.burstRequestsPerSecond === undefined ? {} : { burstRequestsPerSecond: Math.ceil(props.capacity.burstRequestsPerSecond * t) }),
        },
      } : {}),
      ...(props.flashSales ? {
        flashSales: props.flashSales.map((w) => ({ ...w, replicas: Math.min(max, Math.max(min ?? 1, Math.ceil(w.replicas * r))) })),
      } : {}),
    };
  };
}
