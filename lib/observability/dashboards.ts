import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  Dashboard, DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType, DatasourceVariableBuilder,
  RowBuilder, ThresholdsConfigBuilder, ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { RequestMetrics } from '../core/metrics';
import { ObjectiveKind, ServiceLevelObjective } from './objectives';
import { escapeRegex, SLO_RECORDS, sloSelector } from './rules';
import { quote } from './promql';

/**
 * The kube-state-metrics series the dashboards and alerts read. kube-prometheus-stack
 * installs kube-state-metrics; these names are stable in its v2 releases.
 */
export const KUBE_STATE_METRICS: readonly string[] = [
  'kube_deployment_spec_replicas',
  'kube_deployment_status_replicas',
  'kube_deployment_status_replicas_available',
  'kube_horizontalpodautoscaler_spec_max_replicas',
  'kube_horizontalpodautoscaler_spec_min_replicas',
  'kube_horizontalpodautoscaler_spec_target_metric',
  'kube_horizontalpodautoscaler_status_current_replicas',
  'kube_horizontalpodautoscaler_status_desired_replicas',
  'kube_horizontalpodautoscaler_status_target_metric',
  'kube_pod_status_unschedulable',
];

/** Series that exist in every Prometheus or come from the components the platform alerts on. */
export const OTHER_KNOWN_METRICS: readonly string[] = [
  // Prometheus' own series of pending and firing alerts.
  'ALERTS',
  // Prometheus' own health of each scrape target (1 up, 0 down), with the target's labels.
  'up',
  // Gatekeeper's audit: current violations per enforcement action.
  'gatekeeper_violations',
];

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** Tag every generated dashboard carries, for the overview's links. */
export const DASHBOARD_TAG = 'wasm-functions';

/**
 * What a function's dashboard shows.
 * @internal the dashboards are built by ObservabilityStack; their model type comes from a
 * subpath of the Grafana SDK that `moduleResolution: node` (cdk8s's app template) cannot
 * resolve, so it stays out of the published `.d.ts` (`stripInternal`).
 */
export interface FunctionDashboardContext {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly objectives: readonly ServiceLevelObjective[];
  readonly source: RequestMetrics;
  /** The autoscaler, when one owns the replica count. */
  readonly autoscaler?: { readonly kind: string; readonly hpaName: string; readonly minReplicas: number; readonly maxReplicas: number };
  /** The fixed replica count, when no autoscaler does. */
  readonly fixedReplicas?: number;
  readonly overviewUid: string;
}

function query(refId: string, expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).datasource(DATASOURCE).expr(expr).legendFormat(legend).range();
}

function queries(...items: [string, string][]): DataqueryBuilder[] {
  return items.map(([expr, legend], i) => query(String.fromCharCode(65 + i), expr, legend));
}

function timeseries(title: string, description: string, unit: string, targets: DataqueryBuilder[]): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(12)
    .height(8)
    .targets(targets)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
}

function thresholds(steps: { value: number; color: string }[]): ThresholdsConfigBuilder {
  // Grafana's first step has no lower bound (JSON null); the SDK types it as a number.
  const base = { value: null as unknown as number, color: 'green' };
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([base, ...steps]);
}

function dashboardBase(title: string, uid: string, tags: string[], description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG, ...tags])
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
}

/** Latency quantiles to plot: the objectives' percentiles, or P50/P99/P99.9 when there are none. */
function quantiles(objectives: readonly ServiceLevelObjective[]): number[] {
  const fromObjectives = objectives.filter((o) => o.kind === ObjectiveKind.LATENCY).map((o) => o.targetPercent);
  const all = fromObjectives.length > 0 ? fromObjectives : [50, 99, 99.9];
  return [...new Set(all)].sort((a, b) => a - b);
}

/** One function's dashboard: traffic, latency against objectives, errors, budget, replicas. @internal */
export function functionDashboard(ctx: FunctionDashboardContext): Dashboard {
  const s = ctx.source;
  const m = s.matchers(ctx);
  const sel = sloSelector(ctx);
  const latencyUnit = s.durationUnit === 'seconds' ? 's' : 'ms';
  const toUnit = s.durationUnit === 'seconds' ? 1 / 1000 : 1;
  const latencyObjectives = ctx.objectives.filter((o) => o.kind === ObjectiveKind.LATENCY);
  const objectiveText = ctx.objectives.map((o) => o.describe()).join(', ') || 'none';
  const colors = ['yellow', 'orange', 'red', 'purple'];

  const b = dashboardBase(`Wasm function ${ctx.namespace}/${ctx.name}`, ctx.uid, [ctx.namespace, ctx.name],
    `Requests, latency against objectives (${objectiveText}), error budget and replicas of ${ctx.namespace}/${ctx.name}. Generated; edit the construct, not the dashboard.`)
    .link(new DashboardLinkBuilder('Overview').type(DashboardLinkType.Link).url(`/d/${ctx.overviewUid}`).icon('dashboard').keepTime(true));

  b.withRow(new RowBuilder('Service level objectives'));
  b.withPanel(new StatPanelBuilder()
    .title('Error budget remaining (SLO period)')
    .description('1 - error ratio over the SLO period / error budget, per objective. Below 0 the objective is missed for the period.')
    .datasource(DATASOURCE).unit('percentunit').decimals(1).span(12).height(6)
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
      { value: null as unknown as number, color: 'red' }, { value: 0, color: 'orange' }, { value: 0.25, color: 'green' },
    ]))
    .targets([query('A', `${SLO_RECORDS.budgetRemaining}${sel}`, '{{slo}}')]));
  b.withPanel(timeseries('Burn rate (shortest window)',
    'How fast each objective spends its budget: 1 spends it exactly over the SLO period; the page alerts fire at 14.4 and 6.',
    'none', [query('A', `${SLO_RECORDS.currentBurnRate}${sel}`, '{{slo}}')])
    .thresholds(thresholds([{ value: 1, color: 'yellow' }, { value: 6, color: 'orange' }, { value: 14.4, color: 'red' }]))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)));

  b.withRow(new RowBuilder('Requests'));
  b.withPanel(timeseries('Request rate', `Completed requests per second by status code (${s.source} metrics).`, 'reqps',
    queries([`sum by (code) (rate(${s.requestsTotal}{${m}}[$__rate_interval]))`, '{{code}}'])));
  b.withPanel(timeseries('Latency against objectives', `Quantiles from the ${s.durationHistogram} histogram; dashed lines are the latency objectives (${latencyObjectives.map((o) => o.describe()).join(', ') || 'none'}).`,
    latencyUnit,
    queries(...quantiles(ctx.objectives).map((q): [string, string] => [
      `histogram_quantile(${q / 100}, sum by (le) (rate(${s.durationHistogram}_bucket{${m}}[$__rate_interval])))`, `P${q}`,
    ])))
    .thresholds(thresholds(latencyObjectives.map((o, i) => ({ value: (o.thresholdMilliseconds ?? 0) * toUnit, color: colors[i % colors.length] }))))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)));
  b.withPanel(timeseries('Error ratio per objective', 'Share of bad requests (server errors, or slower than the threshold) over the shortest alert window.',
    'percentunit', [query('A', `${SLO_RECORDS.errorRatio('5m')}${sel}`, '{{slo}}')]));
  if (s.inFlight !== undefined) {
    b.withPanel(timeseries('In-flight requests', 'Requests being served right now, summed over the pods.', 'short',
      queries([`sum(${s.inFlight}{${m}})`, 'in flight'])));
  }

  b.withRow(new RowBuilder('Replicas'));
  const deploy = `{namespace=${quote(ctx.namespace)},deployment=${quote(ctx.name)}}`;
  if (ctx.autoscaler !== undefined) {
    const hpa = `{namespace=${quote(ctx.namespace)},horizontalpodautoscaler=${quote(ctx.autoscaler.hpaName)}}`;
    b.withPanel(timeseries('Replicas against min / max',
      `Replicas of the Deployment and the bounds of ${ctx.autoscaler.kind} (HPA ${ctx.autoscaler.hpaName}: ${ctx.autoscaler.minReplicas}-${ctx.autoscaler.maxReplicas}).`,
      'short', queries(
        [`sum(kube_deployment_status_replicas${deploy})`, 'replicas'],
        [`max(kube_horizontalpodautoscaler_status_desired_replicas${hpa})`, 'desired'],
        [`max(kube_horizontalpodautoscaler_spec_min_replicas${hpa})`, 'min'],
        [`max(kube_horizontalpodautoscaler_spec_max_replicas${hpa})`, 'max'],
      )));
    b.withPanel(timeseries('Autoscaler metric against target', 'The metric the autoscaler scales on, per pod, and its target.', 'short', queries(
      [`max by (metric_name, metric_target_type) (kube_horizontalpodautoscaler_status_target_metric${hpa})`, 'current {{metric_name}} ({{metric_target_type}})'],
      [`max by (metric_name, metric_target_type) (kube_horizontalpodautoscaler_spec_target_metric${hpa})`, 'target {{metric_name}} ({{metric_target_type}})'],
    )));
  } else {
    b.withPanel(timeseries('Replicas', `No autoscaler owns this function: the Deployment keeps ${ctx.fixedReplicas ?? 'its'} replicas.`, 'short', queries(
      [`sum(kube_deployment_status_replicas_available${deploy})`, 'available'],
      [`sum(kube_deployment_spec_replicas${deploy})`, 'wanted'],
    )));
  }
  return b.build();
}

/** What the overview dashboard shows. @internal */
export interface OverviewDashboardContext {
  readonly uid: string;
  readonly functionNamespaces: readonly string[];
  readonly authorizer?: { readonly namespace: string; readonly deployment: string };
  readonly gatekeeper: boolean;
  readonly alertNames: readonly string[];
}

/** The platform overview: every function's traffic and budget, capacity, and the platform's dependencies. @internal */
export function overviewDashboard(ctx: OverviewDashboardContext): Dashboard {
  const ns = `namespace=~${quote(ctx.functionNamespaces.map(escapeRegex).join('|') || '.+')}`;
  const b = dashboardBase('Wasm functions overview', ctx.uid, ['overview'],
    'Every Wasm function of the platform: traffic, error budgets, burn rates, replicas and scheduling capacity, and the policy components on the request path. Generated; edit the construct, not the dashboard.')
    .link(new DashboardLinkBuilder('Functions').type(DashboardLinkType.Dashboards).tags([DASHBOARD_TAG]).asDropdown(true).keepTime(true));

  b.withRow(new RowBuilder('Functions'));
  b.withPanel(timeseries('Request rate by function', 'Requests per second, from the recorded per-function rate.', 'reqps',
    queries([`sum by (namespace, function) (${SLO_RECORDS.requestRate}{${ns}})`, '{{namespace}}/{{function}}'])));
  b.withPanel(timeseries('Burn rate, top 10', 'The ten objectives spending their error budget fastest right now.', 'none',
    queries([`topk(10, ${SLO_RECORDS.currentBurnRate}{${ns}})`, '{{function}} {{slo}}']))
    .thresholds(thresholds([{ value: 1, color: 'yellow' }, { value: 6, color: 'orange' }, { value: 14.4, color: 'red' }]))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)));
  b.withPanel(new StatPanelBuilder()
    .title('Error budget remaining')
    .description('Per function and objective, over the SLO period.')
    .datasource(DATASOURCE).unit('percentunit').decimals(1).span(24).height(8)
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
      { value: null as unknown as number, color: 'red' }, { value: 0, color: 'orange' }, { value: 0.25, color: 'green' },
    ]))
    .targets([query('A', `${SLO_RECORDS.budgetRemaining}{${ns}}`, '{{function}} {{slo}}')]));

  b.withRow(new RowBuilder('Capacity'));
  b.withPanel(timeseries('Replicas by function', 'Replicas of every function Deployment.', 'short',
    queries([`sum by (namespace, deployment) (kube_deployment_status_replicas{${ns}})`, '{{namespace}}/{{deployment}}'])));
  b.withPanel(timeseries('Unschedulable function pods', 'Pods the scheduler cannot place: the cluster lacks CPU, memory or pod slots.', 'short',
    queries([`sum by (namespace) (kube_pod_status_unschedulable{${ns}})`, '{{namespace}}'])));

  b.withRow(new RowBuilder('Platform'));
  const platformQueries: [string, string][] = [];
  if (ctx.authorizer !== undefined) {
    platformQueries.push([
      `sum(kube_deployment_status_replicas_available{namespace=${quote(ctx.authorizer.namespace)},deployment=${quote(ctx.authorizer.deployment)}})`,
      `OPA ${ctx.authorizer.deployment} available replicas`,
    ]);
  }
  if (ctx.gatekeeper) {
    platformQueries.push(['sum by (enforcement_action) (gatekeeper_violations)', 'Gatekeeper violations ({{enforcement_action}})']);
  }
  if (platformQueries.length > 0) {
    b.withPanel(timeseries('Policy components', 'The OPA request authorizer the gateway calls, and Gatekeeper audit violations.', 'short', queries(...platformQueries)));
  }
  b.withPanel(timeseries('Firing platform alerts', 'Alerts this library defines that are firing now.', 'short', queries([
    `sum by (alertname, severity) (ALERTS{alertstate="firing",alertname=~${quote(ctx.alertNames.map(escapeRegex).join('|'))}})`,
    '{{alertname}} ({{severity}})',
  ])));
  return b.build();
}

/** Every PromQL expression in a dashboard's panels. @internal */
export function dashboardExpressions(dashboard: Dashboard): string[] {
  const out: string[] = [];
  for (const panel of dashboard.panels ?? []) {
    const targets = (panel as { targets?: { expr?: string }[] }).targets ?? [];
    for (const t of targets) {
      if (typeof t.expr === 'string') out.push(t.expr);
    }
  }
  return out;
}
