import { Chart } from 'cdk8s';
import {
  EdgeMetrics, FUNCTION_SDK_METRICS, IRequestAuthorizer, ObservabilityStack, RequestMetrics, SEED_OBJECTIVES, ServiceLevelObjective,
} from '../lib';
import { PlatformCore } from './core';
import { NAMESPACES } from './namespaces';

/** What the observability section needs from the sections before it. */
export interface ObservabilityInputs {
  /** The gateway's request metrics, when the gateway measures requests. */
  readonly gatewayMetrics?: RequestMetrics;
  /** The gateway's per-route upstream response counters, when its provider exposes them (Envoy Gateway). */
  readonly edgeMetrics?: EdgeMetrics;
  /** The OPA request authorizer, whose availability is alerted on. */
  readonly authorizer: IRequestAuthorizer;
}

/** What the observability section of the reference platform created. */
export interface ObservabilitySection {
  /** The chart of every monitoring object (namespace `monitoring`). */
  readonly chart: Chart;
  /** The stack: per-function monitoring, platform alerts, dashboards, log collection. */
  readonly stack: ObservabilityStack;
}

/**
 * Checkout is where revenue is lost: a tighter latency tail and five-nines availability.
 * Its buckets (10, 20, 50 ms) are the seed's, so the thresholds stay measurable.
 */
export const CHECKOUT_OBJECTIVES: readonly ServiceLevelObjective[] = [
  ServiceLevelObjective.latency({ percentile: 50, thresholdMilliseconds: 10 }),
  ServiceLevelObjective.latency({ percentile: 99, thresholdMilliseconds: 20 }),
  ServiceLevelObjective.latency({ percentile: 99.9, thresholdMilliseconds: 20 }),
  ServiceLevelObjective.availability(99.999),
];

/**
 * Adds the observability section: every function gets scraping, SLO rules and alerts
 * (the seed's objectives, stricter for checkout) and a dashboard; the overview covers the
 * platform; Alloy ships function and gateway logs to Loki; the gateway's proxies are scraped
 * for the routed functions' edge availability objectives.
 */
export function addObservability(core: PlatformCore, inputs: ObservabilityInputs): ObservabilitySection {
  const chart = new Chart(core.app, 'Observability', { namespace: NAMESPACES.monitoring });
  const stack = new ObservabilityStack(chart, 'Stack', {
    // What users see is measured at the gateway, when it measures; otherwise by the
    // functions themselves (their SDK histogram has the 10/20/50 ms buckets).
    sloSource: inputs.gatewayMetrics ?? FUNCTION_SDK_METRICS,
    // Envoy Gateway cannot be the SLO source (no 20 ms bucket), but it does count what the
    // functions never see: 503s of a terminating pod, timeouts, no endpoint. Scrape its
    // proxies and give every routed function an edge availability objective with the target
    // of its own availability objective.
    edgeMetrics: inputs.edgeMetrics,
    // 15 s, not the stack's 30 s: the KEDA request-rate triggers read these series, and a
    // 60 s rate() window needs four scrapes. At 30 s the windows grow to 2 minutes and every
    // reaction time to about 107 s, against the 62 s the burst figures were planned with;
    // 15 s costs about twice the ingest of the function pods (some 18,000 samples/s at
    // 5,300 pods), well within one Prometheus.
    scrapeIntervalSeconds: 15,
    defaultObjectives: [...SEED_OBJECTIVES],
    prometheusSelectorLabels: { release: 'kube-prometheus-stack' },
    // The Prometheus Operator's labels on the pods of kube-prometheus-stack's Prometheus:
    // only these may scrape the functions and OPA, not Grafana or anything else in monitoring.
    prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus', 'prometheus': 'kube-prometheus-stack-prometheus' },
    runbookBaseUrl: 'https://runbooks.shop.example.com/wasm-functions',
    grafanaUrl: 'https://grafana.shop.example.com',
    // The authorizer itself: the stack admits Prometheus to its metrics port.
    authorizer: inputs.authorizer,
    logs: { extraNamespaces: [NAMESPACES.gateway] },
  });
  for (const fn of [...Object.values(core.functions), ...Object.values(core.canaries)]) {
    stack.addFunction(fn, fn.name === 'checkout' ? { objectives: [...CHECKOUT_OBJECTIVES] } : {});
  }
  return { chart, stack };
}
