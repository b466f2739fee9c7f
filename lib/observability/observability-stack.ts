import { createHash } from 'crypto';
import { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as yaml from 'js-yaml';
import { PodMonitor } from '../../imports/prometheus-podmonitors-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheus-prometheusrules-monitoring.coreos.com';
import { ServiceMonitor } from '../../imports/prometheus-servicemonitors-monitoring.coreos.com';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkPodGroup, PodGroup, podGroup } from '../core/reach';
import { DEFAULT_SCRAPE_INTERVAL_SECONDS, EdgeMetrics, FUNCTION_SDK_METRICS, RequestMetrics } from '../core/metrics';
import {
  checkDns1123Label, checkDns1123Subdomain, checkGeneratedConfigMap, checkIntegerInRange, checkLabels, checkOneOf, checkRe2, checkUrl, oneLine,
} from '../core/names';
import { reportsOwnDuplicates } from '../synth/duplicate-objects';
import { constructsOf, inSynthSession, oncePerSynth, renderedJson } from '../synth/synth-session';
import * as plain from '../synth/plain-bindings';
import { WasmFunction } from '../function/wasm-function';
import { AlloyBlock, OPA_DECISION_LOG_JOB, podLogPipeline, renderAlloy } from './alloy-config';
import { FunctionDashboardTemplates, RenderedDashboard, renderFunctionDashboard } from './dashboard-template';
import { dashboardExpressions, FunctionDashboardContext, overviewDashboard } from './dashboards';
import {
  AlertUrgency, BurnRateWindow, checkObjectives, checkWindows, isBurnRateObjective, ObjectiveKind, ServiceLevelObjective, SEED_OBJECTIVES,
  SRE_WORKBOOK_WINDOWS,
} from './objectives';
import { promQlSyntaxError, substituteGrafanaVariables } from './promql';
import {
  ALERT_NAMES, bucketsInMilliseconds, escapeRegex, FunctionRuleContext, functionRuleGroups, platformRuleGroups, PromRuleGroup, recordedWindows,
  sharedSloRuleGroups,
} from './rules';
import { FunctionRuleTemplates } from './rule-templates';

/** The Deployment of the OPA request authorizer, for the "authorizer unavailable" alert. */
export interface AuthorizerDeploymentRef {
  /** Namespace of the Deployment. */
  readonly namespace: string;
  /** Name of the Deployment. */
  readonly deploymentName: string;
  /**
   * Admits Prometheus's pods to the authorizer's metrics port (an `OpaAuthorizer` does).
   * @default - the authorizer's NetworkPolicy is not the stack's to open
   */
  allowScrapers?(pods: PodGroup): void;
}

/** Where function and gateway logs go, and when a burst of error lines alerts. */
export interface LogCollectionOptions {
  /**
   * Loki's push endpoint.
   * @default "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push" (the Loki Helm chart's gateway in `monitoring`)
   */
  readonly lokiPushUrl?: string;
  /**
   * Loki tenant (X-Scope-OrgID) to push as, when Loki runs with auth enabled.
   * @default - none (single-tenant Loki, tenant "fake")
   */
  readonly tenant?: string;
  /**
   * Namespaces collected besides the functions' own, typically the gateway's.
   * @default ["gateway"]
   */
  readonly extraNamespaces?: string[];
  /**
   * Collect the pods of the request authorizer (the stack's `authorizer`) too, and label
   * OPA's decision lines `job="opa-decisions"`: the authorization audit trail in Loki. OPA
   * writes them to its console (`DecisionLogs.console()`, OpaAuthorizer's default), so
   * shipping them needs no network path from OPA; at peak they are one line per request.
   * @default true
   */
  readonly authorizerDecisionLogs?: boolean;
  /**
   * RE2 pattern (LogQL `|~`) of a log line that reports an error.
   * @default "(?i)\\b(error|panic|fatal)\\b"
   */
  readonly errorLinePattern?: string;
  /**
   * Error lines per second, per app, sustained over 5 minutes, that make a burst.
   * @default 5
   */
  readonly errorLinesPerSecond?: number;
  /**
   * Labels on the Loki rules ConfigMap that the Loki chart's rules sidecar selects.
   * @default { loki_rule: "1" } (the chart's sidecar selects label `loki_rule` with any value)
   */
  readonly rulesConfigMapLabels?: Record<string, string>;
  /**
   * Directory the rules sidecar writes the file to: the Loki ruler's local rules directory
   * plus the tenant.
   * @default "/rules/fake"
   */
  readonly rulesDirectory?: string;
}

/** Props for {@link ObservabilityStack}. */
export interface ObservabilityStackProps {
  /**
   * Namespace of every monitoring object (ServiceMonitors select the functions' Services
   * across namespaces with a namespaceSelector).
   * @default - the enclosing chart's namespace, or "monitoring"
   */
  readonly namespace?: string;
  /**
   * Request metrics the SLOs, alerts and dashboards are computed from: the functions'
   * own (FUNCTION_SDK_METRICS), or the gateway's. Latency thresholds must be among its buckets.
   * @default FUNCTION_SDK_METRICS
   */
  readonly sloSource?: RequestMetrics;
  /**
   * The gateway's per-route upstream response counters (`FunctionGateway.edgeMetrics`, Envoy
   * Gateway only). When given, a PodMonitor scrapes the gateway's proxies, and every watched
   * function that a route of the gateway serves gets an edge availability objective beside
   * its own availability objective, with the same target (see FunctionMonitoringOptions.edgeAvailability).
   * @default - the proxies are not scraped and no function has an edge objective
   */
  readonly edgeMetrics?: EdgeMetrics;
  /**
   * Objectives of a function added without its own.
   * @default SEED_OBJECTIVES (P50 < 10 ms, P99 < 20 ms, P99.9 < 50 ms, availability 99.99 %)
   */
  readonly defaultObjectives?: ServiceLevelObjective[];
  /**
   * Multi-window, multi-burn-rate alert table.
   * @default SRE_WORKBOOK_WINDOWS (1h/5m 14.4x and 6h/30m 6x page; 1d/2h 3x and 3d/6h 1x ticket)
   */
  readonly burnRateWindows?: BurnRateWindow[];
  /**
   * SLO period in days: the budget is spent over this window.
   * @default 30
   */
  readonly sloPeriodDays?: number;
  /**
   * How often Prometheus scrapes each function pod.
   * @default 30 (kube-prometheus-stack's default; 5000 pods at 15 s double the ingest for no SLO gain)
   */
  readonly scrapeIntervalSeconds?: number;
  /**
   * How often Prometheus evaluates the rules.
   * @default 30 (kube-prometheus-stack's default)
   */
  readonly ruleEvaluationIntervalSeconds?: number;
  /**
   * Labels on ServiceMonitors and PrometheusRules that the Prometheus of kube-prometheus-stack selects.
   * @default { release: "kube-prometheus-stack" } (the chart's selector for a release of that name)
   */
  readonly prometheusSelectorLabels?: Record<string, string>;
  /**
   * Labels of the Prometheus pods (in the stack's namespace), which the functions' and the
   * authorizer's NetworkPolicies admit to their metrics ports: not the namespace, so Grafana,
   * an exporter or a debugging pod in it cannot call a function. The Prometheus Operator puts
   * `app.kubernetes.io/name: prometheus` and `prometheus: <Prometheus name>` on them.
   * @default {"app.kubernetes.io/name": "prometheus"}
   */
  readonly prometheusPodLabels?: Record<string, string>;
  /**
   * `severity` label of page alerts.
   * @default "critical"
   */
  readonly pageSeverity?: string;
  /**
   * `severity` label of ticket alerts.
   * @default "warning"
   */
  readonly ticketSeverity?: string;
  /**
   * Base URL of the runbooks; each alert links `<base>/<AlertName>`.
   * @default - no runbook_url annotation
   */
  readonly runbookBaseUrl?: string;
  /**
   * Grafana's external URL, for the dashboard links in alert annotations.
   * @default - links relative to Grafana ("/d/<uid>")
   */
  readonly grafanaUrl?: string;
  /**
   * Labels that make Grafana's dashboard sidecar load a ConfigMap.
   * @default { grafana_dashboard: "1" } (kube-prometheus-stack's sidecar default)
   */
  readonly dashboardLabels?: Record<string, string>;
  /**
   * Grafana folder of the dashboards (the `grafana_folder` annotation, read when the
   * sidecar's folderAnnotation is set).
   * @default "Wasm functions"
   */
  readonly dashboardFolder?: string;
  /**
   * The OPA request authorizer's Deployment; an alert fires when it has no available replica.
   * @default { namespace: "opa", deploymentName: "opa" } (what OpaAuthorizer creates by default)
   */
  readonly authorizer?: AuthorizerDeploymentRef;
  /**
   * Alert when the authorizer is unavailable.
   * @default true
   */
  readonly alertOnAuthorizer?: boolean;
  /**
   * Alert when Gatekeeper's audit violations rise.
   * @default true
   */
  readonly alertOnGatekeeper?: boolean;
  /**
   * Log collection with Grafana Alloy into Loki, and the error-burst alert; `false` emits none.
   * @default - collected with the defaults of LogCollectionOptions
   */
  readonly logs?: LogCollectionOptions | false;
}

/** Options for {@link ObservabilityStack.addFunction}. */
export interface FunctionMonitoringOptions {
  /**
   * The function's objectives.
   * @default - the stack's defaultObjectives
   */
  readonly objectives?: ServiceLevelObjective[];
  /**
   * Add an edge availability objective (`ServiceLevelObjective.edgeAvailability`, target of the
   * function's availability objective) when the stack has `edgeMetrics` and a route of the
   * gateway serves the function, unless `objectives` already holds one. Read at synth.
   * @default true
   */
  readonly edgeAvailability?: boolean;
}

/** The monitoring objects of one function; see {@link ObservabilityStack.addFunction}. */
export class FunctionMonitoring extends Construct {
  /** The function watched. */
  public readonly fn: WasmFunction;
  /** The objectives given, or the stack's defaults; {@link objectives} adds the edge one. */
  public readonly declaredObjectives: readonly ServiceLevelObjective[];
  /** UID of its Grafana dashboard. */
  public readonly dashboardUid: string;
  /** The ServiceMonitor. */
  public readonly serviceMonitor: ServiceMonitor;
  /** The PrometheusRule with its SLI rates, objectives and at-max-replicas alert (the windows and burn-rate alerts are the stack's, shared). */
  public readonly rules: PrometheusRule;
  /** The dashboard ConfigMap. */
  public readonly dashboard: k8s.KubeConfigMap;

  private readonly stack: ObservabilityStack;
  private readonly edgeAvailability: boolean;
  /** Keys of the rule groups and dashboard in a synthesis: validation and rendering both read them. */
  private readonly ruleGroupsKey = {};
  private readonly ruleContextKey = {};
  private readonly dashboardKey = {};

  constructor(stack: ObservabilityStack, id: string, fn: WasmFunction, options: FunctionMonitoringOptions) {
    super(stack, id);
    this.stack = stack;
    this.fn = fn;
    this.declaredObjectives = [...(options.objectives ?? stack.defaultObjectives)];
    this.edgeAvailability = options.edgeAvailability ?? true;
    this.dashboardUid = dashboardUid(fn.namespace, fn.name);
    const base = `${fn.namespace}.${fn.name}`;
    const labels = stack.objectLabels(fn.name);

    this.serviceMonitor = new plain.ServiceMonitor(this, 'Monitor', {
      metadata: { name: base, namespace: stack.namespace, labels: { ...labels, ...stack.prometheusSelectorLabels } },
      spec: {
        namespaceSelector: { matchNames: [fn.namespace] },
        // Never app.kubernetes.io/instance: Argo CD before 3.0 tracks resources by that label
        // and rewrites it on every object it applies (not in pod templates) with the
        // Application's name, so a selector on it would match no Service and nothing would
        // be scraped. Function names are unique per namespace.
        selector: { matchLabels: { [LABELS.name]: fn.name, [LABELS.component]: 'function' } },
        endpoints: [{
          // The Service port named http forwards to the container port where the function
          // SDK also serves /metrics; Prometheus scrapes every endpoint (pod) behind it.
          port: 'http',
          path: '/metrics',
          interval: `${stack.scrapeIntervalSeconds}s`,
          // The SLO queries select by namespace and function; set function from the
          // Service's name label so it never depends on what the module itself exports.
          relabelings: [{
            sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_name'],
            targetLabel: 'function',
          }],
        }],
      },
    });

    this.rules = new plain.PrometheusRule(this, 'Rules', {
      metadata: { name: `${base}.slo`, namespace: stack.namespace, labels: { ...labels, ...stack.prometheusSelectorLabels } },
      spec: { groups: Lazy.any({ produce: () => toRuleGroups(this.ruleGroups()) }) },
    });

    this.dashboard = new plain.KubeConfigMap(this, 'Dashboard', {
      metadata: {
        name: `${base}.dashboard`,
        namespace: stack.namespace,
        labels: { ...labels, ...stack.dashboardLabels },
        annotations: { grafana_folder: stack.dashboardFolder },
      },
      data: Lazy.any({ produce: () => ({ [`${this.dashboardUid}.json`]: this.dashboardJson() }) }),
    });

    // The autoscalers that query these metrics count with this interval (window, reaction time).
    fn.attachScrape({ owner: this.serviceMonitor, intervalSeconds: stack.scrapeIntervalSeconds });
    fn.allowIngressFrom(stack.prometheusPods);

    this.node.addValidation({ validate: () => this.validate() });
  }

  /**
   * Its objectives: the declared ones, plus an edge availability objective with the target of
   * its availability objective when the stack counts the gateway's per-route responses, a
   * route serves the function and none is declared. Read at synth, so later routes count.
   */
  public get objectives(): readonly ServiceLevelObjective[] {
    const declared = this.declaredObjectives;
    const availability = declared.find((o) => o.kind === ObjectiveKind.AVAILABILITY);
    if (!this.edgeAvailability || this.edgeMatchers === undefined || availability === undefined
      || declared.some((o) => o.kind === ObjectiveKind.EDGE_AVAILABILITY)) return declared;
    return [...declared, ServiceLevelObjective.edgeAvailability(availability.targetPercent)];
  }

  /** Matchers of the gateway's counters for this function's routes, when the stack has edge metrics and a route serves it. */
  public get edgeMatchers(): string | undefined {
    return this.stack.edgeMetrics?.routeMatchers({ name: this.fn.name, namespace: this.fn.namespace });
  }

  /** The rule groups, computed when synthesized so that autoscalers attached later count. */
  public ruleGroups(): PromRuleGroup[] {
    return oncePerSynth(this.node.root, this.ruleGroupsKey, () => this.computeRuleGroups());
  }

  private computeRuleGroups(): PromRuleGroup[] {
    return functionRuleGroups(this.ruleContext());
  }

  /** What the rules are computed from, once per synthesis: the rules and the check of their expressions read it. */
  private ruleContext(): FunctionRuleContext {
    return oncePerSynth(this.node.root, this.ruleContextKey, () => this.computeRuleContext());
  }

  private computeRuleContext(): FunctionRuleContext {
    const a = this.fn.autoscalerAttachments[0];
    return {
      name: this.fn.name,
      namespace: this.fn.namespace,
      objectives: this.objectives,
      source: this.stack.sloSource,
      windows: this.stack.burnRateWindows,
      baseWindow: this.stack.baseWindow(),
      severities: this.stack.severities,
      dashboardUid: this.dashboardUid,
      annotate: (alert, summary, description) => this.stack.annotations(alert, summary, description, this.dashboardUid),
      hpa: a !== undefined ? { name: a.hpaName, maxReplicas: a.maxReplicas } : undefined,
      serviceMonitor: `${this.stack.namespace}/${this.serviceMonitor.name}`,
      edge: this.stack.edgeMetrics !== undefined && this.edgeMatchers !== undefined
        ? { metrics: this.stack.edgeMetrics, matchers: this.edgeMatchers } : undefined,
    };
  }

  /** Whether the rule expressions are known to parse from their shape's template (only in a synthesis, where the templates are shared). */
  private ruleExpressionsParse(): boolean {
    return inSynthSession(this.node.root) && this.stack.ruleTemplates().expressionsParse(this.ruleContext());
  }

  /** The dashboard JSON. */
  public dashboardJson(): string {
    return this.builtDashboard().json;
  }

  /** The dashboard's JSON and expressions, built once per synthesis: rendering and validation both read them. */
  private builtDashboard(): RenderedDashboard {
    const root = this.node.root;
    // Templates pay off across the functions of one synthesis; alone, a dashboard is built directly.
    if (!inSynthSession(root)) return renderFunctionDashboard(this.dashboardContext());
    return oncePerSynth(root, this.dashboardKey, () => this.stack.dashboardTemplates().render(this.dashboardContext()));
  }

  private dashboardContext(): FunctionDashboardContext {
    const a = this.fn.autoscalerAttachments[0];
    return {
      uid: this.dashboardUid,
      name: this.fn.name,
      namespace: this.fn.namespace,
      objectives: this.objectives,
      source: this.stack.sloSource,
      autoscaler: a !== undefined ? { kind: a.kind, hpaName: a.hpaName, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas } : undefined,
      fixedReplicas: this.fn.replicas,
      overviewUid: this.stack.overviewUid,
    };
  }

  /** An edge objective needs the gateway's counters and a route of it that serves the function: otherwise it records nothing, silently. */
  private checkEdgeObjectives(): string[] {
    if (!this.declaredObjectives.some((o) => o.kind === ObjectiveKind.EDGE_AVAILABILITY)) return [];
    const edge = this.declaredObjectives.map((o, i) => ({ o, i })).filter(({ o }) => o.kind === ObjectiveKind.EDGE_AVAILABILITY);
    const fn = `${oneLine(this.fn.namespace)}/${oneLine(this.fn.name)}`;
    return edge.flatMap(({ o, i }) => {
      if (this.stack.edgeMetrics === undefined) {
        return [`objectives[${i}] (${oneLine(o.name)}) is an edge availability objective, but the stack has no edgeMetrics: pass the gateway's edgeMetrics (FunctionGateway.edgeMetrics, Envoy Gateway) to the ObservabilityStack, or drop the objective`];
      }
      if (this.edgeMatchers === undefined) {
        return [`objectives[${i}] (${oneLine(o.name)}) is an edge availability objective, but no route of the ${oneLine(this.stack.edgeMetrics.source)} gateway serves function ${fn} (a canary's traffic is counted under its route's primary function): route the function, or drop the objective`];
      }
      return [];
    });
  }

  private validate(): string[] {
    const errors = [
      ...checkObjectives('objectives', this.objectives, this.stack.sloBucketsMs(), `"${this.stack.sloSource.source}"`),
      ...this.checkEdgeObjectives(),
    ];
    // Queries of a function with an invalid name or namespace fail because of it: the function reports it.
    if (errors.length > 0 || !this.fn.hasValidIdentity) return errors;
    const dashboard = this.builtDashboard();
    return [
      ...(this.ruleExpressionsParse() ? [] : checkExpressions(this.ruleGroups().flatMap((g) => g.rules.map((r) => r.expr)), `the ${this.stack.sloSource.source} RequestMetrics (matchers, errorMatcher, metric names)`)),
      ...(dashboard.expressionsParse === true ? [] : checkExpressions(dashboard.expressions.map(substituteGrafanaVariables), 'the dashboard')),
      ...checkConfigMapSize('dashboard', dashboard.json),
    ];
  }
}

/** The stacks created in each app, by the app's root (which a construct never leaves). */
const stacksByRoot = new WeakMap<IConstruct, ObservabilityStack[]>();

/**
 * Watches Wasm functions: a ServiceMonitor, SLI and objective recording rules and a Grafana
 * dashboard per function; SLO error ratios over every window and multi-window
 * multi-burn-rate alerts shared by all of them; an overview dashboard
 * and platform alerts (autoscalers at their maximum, unschedulable pods, OPA authorizer
 * down, Gatekeeper violations rising); Alloy configuration that ships function, gateway
 * and authorizer logs to Loki (OPA's decision lines labelled `job="opa-decisions"`, the
 * authorization audit trail), and a Loki rule for bursts of error lines. Every object lives in
 * one namespace (`monitoring` by default), for kube-prometheus-stack, Grafana's
 * dashboard sidecar, Alloy and Loki installed there.
 */
export class ObservabilityStack extends Construct {
  /** Namespace of the monitoring objects. */
  public readonly namespace: string;
  /** Where request metrics come from. */
  public readonly sloSource: RequestMetrics;
  /** The gateway's per-route upstream response counters, when the stack scrapes the proxies. */
  public readonly edgeMetrics?: EdgeMetrics;
  /** The PodMonitor that scrapes the gateway's proxies, with `edgeMetrics`. */
  public readonly proxyMonitor?: PodMonitor;
  /** Objectives of functions added without their own. */
  public readonly defaultObjectives: readonly ServiceLevelObjective[];
  /** The burn-rate alert table. */
  public readonly burnRateWindows: readonly BurnRateWindow[];
  /** SLO period in days. */
  public readonly sloPeriodDays: number;
  /** Scrape interval. */
  public readonly scrapeIntervalSeconds: number;
  /** Rule evaluation interval. */
  public readonly ruleEvaluationIntervalSeconds: number;
  /** Labels Prometheus selects monitors and rules by. */
  public readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  /** The Prometheus pods, which scrape the functions and the authorizer. */
  public readonly prometheusPods: PodGroup;
  /** Labels Grafana's sidecar selects dashboards by. */
  public readonly dashboardLabels: Readonly<Record<string, string>>;
  /** Grafana folder of the dashboards. */
  public readonly dashboardFolder: string;
  /** `severity` label per urgency. */
  public readonly severities: Readonly<Record<AlertUrgency, string>>;
  /** UID of the overview dashboard. */
  public readonly overviewUid = 'wasm-functions-overview';

  private readonly monitored: FunctionMonitoring[] = [];
  /** Key of the overview dashboard in a synthesis. */
  private readonly overviewKey = {};
  /** Key of the function dashboards' templates in a synthesis. */
  private readonly dashboardTemplatesKey = {};
  /** Key of the function rules' templates in a synthesis. */
  private readonly ruleTemplatesKey = {};
  /** Key of the watched functions' namespaces in a synthesis. */
  private readonly namespacesKey = {};
  /** Keys of the SLO source's buckets and of the base window in a synthesis. */
  private readonly bucketsKey = {};
  private readonly baseWindowKey = {};
  private readonly runbookBaseUrl?: string;
  private readonly grafanaUrl: string;
  private readonly authorizer?: { namespace: string; deployment: string };
  /** Namespace of the authorizer whose decision logs are collected, whether or not its availability is alerted on. */
  private readonly authorizerNamespace: string;
  private readonly gatekeeper: boolean;
  /** The log collection's ConfigMaps, held to the API server's size limit at synth. */
  private readonly logConfigMaps: { readonly configMap: k8s.KubeConfigMap; readonly fix: string }[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'monitoring';
    this.sloSource = props.sloSource ?? FUNCTION_SDK_METRICS;
    this.edgeMetrics = props.edgeMetrics;
    this.defaultObjectives = [...(props.defaultObjectives ?? SEED_OBJECTIVES)];
    this.burnRateWindows = [...(props.burnRateWindows ?? SRE_WORKBOOK_WINDOWS)];
    this.sloPeriodDays = props.sloPeriodDays ?? 30;
    this.scrapeIntervalSeconds = props.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS;
    this.ruleEvaluationIntervalSeconds = props.ruleEvaluationIntervalSeconds ?? 30;
    this.prometheusSelectorLabels = { ...(props.prometheusSelectorLabels ?? { release: 'kube-prometheus-stack' }) };
    this.prometheusPods = podGroup(this.namespace, 'prometheus', props.prometheusPodLabels ?? { 'app.kubernetes.io/name': 'prometheus' }, 'installed');
    props.authorizer?.allowScrapers?.(this.prometheusPods);
    this.dashboardLabels = { ...(props.dashboardLabels ?? { grafana_dashboard: '1' }) };
    this.dashboardFolder = props.dashboardFolder ?? 'Wasm functions';
    this.severities = { [AlertUrgency.PAGE]: props.pageSeverity ?? 'critical', [AlertUrgency.TICKET]: props.ticketSeverity ?? 'warning' };
    this.runbookBaseUrl = props.runbookBaseUrl?.replace(/\/+$/, '');
    this.grafanaUrl = (props.grafanaUrl ?? '').replace(/\/+$/, '');
    const authorizer = props.authorizer ?? { namespace: 'opa', deploymentName: 'opa' };
    this.authorizer = (props.alertOnAuthorizer ?? true) ? { namespace: authorizer.namespace, deployment: authorizer.deploymentName } : undefined;
    this.authorizerNamespace = authorizer.namespace;
    this.gatekeeper = props.alertOnGatekeeper ?? true;
    const logs = props.logs === false ? undefined : (props.logs ?? {});

    const labels = this.objectLabels('platform');
    new plain.PrometheusRule(this, 'PlatformRules', {
      metadata: { name: 'wasm-platform.alerts', namespace: this.namespace, labels: { ...labels, ...this.prometheusSelectorLabels } },
      spec: { groups: Lazy.any({ produce: () => toRuleGroups(this.platformGroups()) }) },
    });
    new plain.PrometheusRule(this, 'SloRules', {
      metadata: { name: 'wasm-functions.slo', namespace: this.namespace, labels: { ...this.objectLabels('slo'), ...this.prometheusSelectorLabels } },
      spec: { groups: Lazy.any({ produce: () => toRuleGroups(this.sloGroups()) }) },
    });
    new plain.KubeConfigMap(this, 'OverviewDashboard', {
      metadata: {
        name: 'wasm-functions-overview.dashboard',
        namespace: this.namespace,
        labels: { ...labels, ...this.dashboardLabels },
        annotations: { grafana_folder: this.dashboardFolder },
      },
      data: Lazy.any({ produce: () => ({ [`${this.overviewUid}.json`]: this.overviewJson() }) }),
    });
    if (logs !== undefined) {
      this.addLogCollection(logs);
    }
    if (this.edgeMetrics !== undefined) {
      this.proxyMonitor = this.addProxyMonitor(this.edgeMetrics);
    }

    reportsOwnDuplicates(this);
    const stacks = stacksByRoot.get(this.node.root) ?? [];
    stacks.push(this);
    stacksByRoot.set(this.node.root, stacks);
    this.node.addValidation({ validate: () => [...this.checkDuplicate(), ...this.validate(props, logs)] });
  }

  /** A second stack in one namespace would emit every object of the first again: one problem, at the second. */
  private checkDuplicate(): string[] {
    // Most apps have one stack: then there is no tree to walk.
    if ((stacksByRoot.get(this.node.root) ?? []).filter((s) => s.namespace === this.namespace).length < 2) return [];
    const same = constructsOf(this.node.root).filter((c): c is ObservabilityStack => c instanceof ObservabilityStack && c.namespace === this.namespace);
    const at = same.indexOf(this);
    if (at < 1) return [];
    return [`namespace "${oneLine(this.namespace)}" already holds ObservabilityStack ${same[0].node.path}: one stack watches every function; add the functions to that stack, or give this one another namespace`];
  }

  /** Every function watched, in the order added. */
  public get functions(): readonly FunctionMonitoring[] {
    return this.monitored;
  }

  /** Watches `fn`: scraping, SLO rules and alerts, and a dashboard. */
  public addFunction(fn: WasmFunction, options: FunctionMonitoringOptions = {}): FunctionMonitoring {
    if (this.monitored.some((m) => m.fn === fn)) {
      // Construction cannot go on: the second set of objects would clash with the first.
      throw new Error(`function ${fn.namespace}/${fn.name} is already watched by ${this.node.path}: add each function once, with all its objectives`);
    }
    const id = `${pascal(fn.namespace)}${pascal(fn.name)}`;
    const m = new FunctionMonitoring(this, id, fn, options);
    this.monitored.push(m);
    return m;
  }

  /** Namespaces of the watched functions, sorted. */
  public get functionNamespaces(): string[] {
    // Read by the shared rules, the overview and the log collection: collected once per synthesis, a copy each time.
    return [...oncePerSynth(this.node.root, this.namespacesKey, () => [...new Set(this.monitored.map((m) => m.fn.namespace))].sort())];
  }

  /** The platform-wide alert groups. */
  public platformGroups(): PromRuleGroup[] {
    return platformRuleGroups({
      functionNamespaces: this.functionNamespaces,
      severities: this.severities,
      annotate: (alert, summary, description) => this.annotations(alert, summary, description, this.overviewUid),
      authorizer: this.authorizer,
      gatekeeper: this.gatekeeper,
    });
  }

  /**
   * The SLO rules the watched functions share: error ratios over every window, budgets,
   * burn rates and the burn-rate alerts, read from what each function's own rules record.
   */
  public sloGroups(): PromRuleGroup[] {
    return sharedSloRuleGroups({
      functionNamespaces: this.functionNamespaces,
      windows: this.burnRateWindows,
      periodDays: this.sloPeriodDays,
      severities: this.severities,
      directObjectives: this.monitored.some((m) => m.objectives.some((o) => !isBurnRateObjective(o, this.burnRateWindows))),
      // The function is known only when the alert fires: its objective series carry the
      // UID of its dashboard.
      annotate: (alert, summary, description) => this.annotations(alert, summary, description, '{{ $labels.dashboard_uid }}'),
    });
  }

  /**
   * @internal The function dashboards' templates of the current synthesis (a fresh set outside
   * one), shared by the stack's functions.
   */
  public dashboardTemplates(): FunctionDashboardTemplates {
    return oncePerSynth(this.node.root, this.dashboardTemplatesKey, () => new FunctionDashboardTemplates());
  }

  /** @internal The function rules' templates of the current synthesis (a fresh set outside one), shared by the stack's functions. */
  public ruleTemplates(): FunctionRuleTemplates {
    return oncePerSynth(this.node.root, this.ruleTemplatesKey, () => new FunctionRuleTemplates());
  }

  /** @internal The SLO source's bucket boundaries in milliseconds (see sloBucketsMs), once per synthesis: every function's objectives are checked against them. */
  public sloBucketsMs(): number[] | undefined {
    return oncePerSynth(this.node.root, this.bucketsKey, () => sloBucketsMs(this.sloSource));
  }

  /** @internal The shortest recorded window, which every function's SLI rates use, once per synthesis. */
  public baseWindow(): string {
    return oncePerSynth(this.node.root, this.baseWindowKey, () => recordedWindows(this.burnRateWindows)[0]);
  }

  /** The overview dashboard JSON. */
  public overviewJson(): string {
    return this.builtOverview().json;
  }

  /** The overview dashboard and its JSON, built once per synthesis: rendering and validation both read them. */
  private builtOverview(): { model: Dashboard; json: string } {
    return oncePerSynth(this.node.root, this.overviewKey, () => {
      const model = overviewDashboard({
        uid: this.overviewUid,
        functionNamespaces: this.functionNamespaces,
        authorizer: this.authorizer,
        gatekeeper: this.gatekeeper,
        alertNames: Object.values(ALERT_NAMES),
      });
      return { model, json: JSON.stringify(model, undefined, 2) };
    });
  }

  /** @internal Labels on every object of the stack. */
  public objectLabels(instance: string): Record<string, string> {
    return {
      [LABELS.name]: 'wasm-observability',
      [LABELS.instance]: instance,
      [LABELS.component]: 'observability',
      [LABELS.managedBy]: MANAGED_BY,
    };
  }

  /** @internal Annotations of an alert: summary, description, runbook and dashboard links. */
  public annotations(alert: string, summary: string, description: string, dashboardUidValue: string): Record<string, string> {
    return {
      summary,
      description,
      ...(this.runbookBaseUrl !== undefined ? { runbook_url: `${this.runbookBaseUrl}/${alert}` } : {}),
      dashboard_url: `${this.grafanaUrl}/d/${dashboardUidValue}`,
    };
  }

  /**
   * Scrapes the gateway's proxy pods for the edge SLIs. Their namespace is the gateway's,
   * which this library does not put under a NetworkPolicy, so nothing needs opening; a
   * policy of the install's own there must admit Prometheus to the metrics port.
   */
  private addProxyMonitor(edge: EdgeMetrics): PodMonitor {
    return new PodMonitor(this, 'ProxyMonitor', {
      metadata: {
        name: `${edge.proxies.namespace}.${edge.source}-proxies`,
        namespace: this.namespace,
        labels: { ...this.objectLabels('edge'), ...this.prometheusSelectorLabels },
      },
      spec: {
        namespaceSelector: { matchNames: [edge.proxies.namespace] },
        selector: { matchLabels: { ...edge.proxies.podLabels } },
        podMetricsEndpoints: [{ port: edge.scrapePort, path: edge.scrapePath, interval: `${this.scrapeIntervalSeconds}s` }],
      },
    });
  }

  private addLogCollection(o: LogCollectionOptions): void {
    const extra = o.extraNamespaces ?? ['gateway'];
    const pattern = o.errorLinePattern ?? '(?i)\\b(error|panic|fatal)\\b';
    const perSecond = o.errorLinesPerSecond ?? 5;
    const labels = this.objectLabels('logs');
    const decisionLogNamespaces = (o.authorizerDecisionLogs ?? true) ? [this.authorizerNamespace] : [];
    const namespaces = (): string[] => [...new Set([...this.functionNamespaces, ...extra, ...decisionLogNamespaces])].sort();

    const alloyConfig = new plain.KubeConfigMap(this, 'AlloyConfig', {
      metadata: { name: 'alloy-wasm-functions', namespace: this.namespace, labels },
      data: Lazy.any({
        produce: () => ({
          'config.alloy': renderAlloy(podLogPipeline({
            namespaces: namespaces(),
            decisionLogNamespaces,
            lokiPushUrl: o.lokiPushUrl ?? 'http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push',
            tenant: o.tenant,
          }) as AlloyBlock[], 'Generated by the ObservabilityStack construct: function, gateway and authorizer pod logs into Loki.\nMounted by the Alloy Helm chart (alloy.configMap.create=false, name=alloy-wasm-functions, key=config.alloy).'),
        }),
      }),
    });

    const lokiRules = new plain.KubeConfigMap(this, 'LokiRules', {
      metadata: {
        name: 'wasm-functions.loki-rules',
        namespace: this.namespace,
        labels: { ...labels, ...(o.rulesConfigMapLabels ?? { loki_rule: '1' }) },
        annotations: { 'k8s-sidecar-target-directory': o.rulesDirectory ?? '/rules/fake' },
      },
      data: Lazy.any({
        produce: () => ({
          'wasm-functions.yaml': yaml.dump({
            groups: [{
              name: 'wasm-functions.logs',
              rules: [{
                alert: ALERT_NAMES.errorLogBurst,
                expr: logErrorBurstExpr(namespaces(), pattern, perSecond),
                for: '5m',
                labels: { severity: this.severities[AlertUrgency.TICKET], urgency: AlertUrgency.TICKET },
                annotations: this.annotations(ALERT_NAMES.errorLogBurst,
                  '{{ $labels.namespace }}/{{ $labels.app }} logs more than ' + perSecond + ' error lines per second',
                  'A burst of error lines, sustained for 5 minutes; look at the logs in Grafana Explore (Loki) for {{ $labels.namespace }}/{{ $labels.app }}.',
                  this.overviewUid),
              }],
            }],
          }, { lineWidth: -1, noRefs: true }),
        }),
      }),
    });
    this.logConfigMaps.push(
      { configMap: alloyConfig, fix: 'it grows with the watched namespaces and logs.lokiPushUrl; watch fewer namespaces (logs.extraNamespaces) or shorten the URL' },
      { configMap: lokiRules, fix: 'it grows with the watched namespaces and logs.errorLinePattern; watch fewer namespaces (logs.extraNamespaces) or shorten the pattern' },
    );
  }

  private validate(props: ObservabilityStackProps, logs: LogCollectionOptions | undefined): string[] {
    const overview = this.builtOverview();
    const errors: (string | undefined)[] = [
      checkDns1123Label('namespace', this.namespace),
      checkIntegerInRange('scrapeIntervalSeconds', this.scrapeIntervalSeconds, 1, 3600),
      checkIntegerInRange('ruleEvaluationIntervalSeconds', this.ruleEvaluationIntervalSeconds, 1, 3600),
      checkIntegerInRange('sloPeriodDays', this.sloPeriodDays, 1, 365),
      ...checkWindows(this.burnRateWindows, this.scrapeIntervalSeconds, this.ruleEvaluationIntervalSeconds, this.sloPeriodDays),
      // Anything but "seconds" would be read as milliseconds: every threshold off by 1000.
      checkOneOf('sloSource.durationUnit', this.sloSource.durationUnit, DURATION_UNITS),
      ...checkObjectives('defaultObjectives', this.defaultObjectives, this.sloBucketsMs(), `"${this.sloSource.source}"`),
      ...checkLabels('prometheusSelectorLabels', this.prometheusSelectorLabels),
      ...(this.edgeMetrics !== undefined ? checkLabels('edgeMetrics.proxies.podLabels', { ...this.edgeMetrics.proxies.podLabels }) : []),
      this.edgeMetrics !== undefined ? checkDns1123Label('edgeMetrics.proxies.namespace', this.edgeMetrics.proxies.namespace) : undefined,
      ...checkPodGroup('prometheusPodLabels', this.prometheusPods),
      ...checkLabels('dashboardLabels', this.dashboardLabels),
      props.runbookBaseUrl !== undefined ? checkUrl('runbookBaseUrl', props.runbookBaseUrl) : undefined,
      props.grafanaUrl !== undefined ? checkUrl('grafanaUrl', props.grafanaUrl) : undefined,
      ...checkExpressions(this.platformGroups().flatMap((g) => g.rules.map((r) => r.expr)), 'the platform alerts'),
      ...checkExpressions(this.sloGroups().flatMap((g) => g.rules.map((r) => r.expr)), 'the shared SLO rules'),
      ...checkExpressions(dashboardExpressions(overview.model).map(substituteGrafanaVariables), 'the overview dashboard'),
      ...checkConfigMapSize('overview dashboard', overview.json),
    ];
    if (props.authorizer !== undefined) {
      errors.push(checkDns1123Label('authorizer.namespace', props.authorizer.namespace));
      errors.push(checkDns1123Subdomain('authorizer.deploymentName', props.authorizer.deploymentName));
    }
    if (logs?.errorLinesPerSecond !== undefined && !(logs.errorLinesPerSecond > 0)) {
      errors.push(`logs.errorLinesPerSecond (${logs.errorLinesPerSecond}) must be a positive number of lines per second (for example 5)`);
    }
    if (logs?.errorLinePattern !== undefined && logs.errorLinePattern.includes('`')) {
      errors.push(`logs.errorLinePattern "${oneLine(logs.errorLinePattern)}" must not contain a backtick (it is written as a LogQL raw string)`);
    } else if (logs?.errorLinePattern !== undefined) {
      errors.push(checkRe2('logs.errorLinePattern', logs.errorLinePattern));
    }
    if (logs !== undefined) {
      if (logs.lokiPushUrl !== undefined) errors.push(checkUrl('logs.lokiPushUrl', logs.lokiPushUrl));
      errors.push(...checkLabels('logs.rulesConfigMapLabels', logs.rulesConfigMapLabels));
      errors.push(...(logs.extraNamespaces ?? []).map((ns) => checkDns1123Label('logs.extraNamespaces entry', ns)));
    }
    for (const { configMap, fix } of this.logConfigMaps) {
      // Rendered once per synthesis: the GitOps inventory and the chart output read the same JSON.
      const data = (renderedJson(configMap) as { data?: Record<string, string> }).data;
      errors.push(checkGeneratedConfigMap(`generated ConfigMap ${this.namespace}/${configMap.name}`, data, fix));
    }
    return errors.filter((e): e is string => e !== undefined);
  }
}

/**
 * The LogQL of the error-burst alert. OPA's decision lines are left out: they carry each
 * request's input, where "error" is data (a path, a header), not a failure.
 */
export function logErrorBurstExpr(namespaces: readonly string[], pattern: string, perSecond: number): string {
  const ns = namespaces.map(escapeRegex).join('|');
  return `sum by (namespace, app) (rate({namespace=~${JSON.stringify(ns)}, job!="${OPA_DECISION_LOG_JOB}"} |~ \`${pattern}\` [5m])) > ${perSecond}`;
}

/** A Grafana dashboard UID (at most 40 characters) for a function. */
export function dashboardUid(namespace: string, name: string): string {
  const plain = `wasmfn-${namespace}-${name}`;
  if (plain.length <= 40) return plain;
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 8);
  return `${plain.slice(0, 31)}-${hash}`;
}

function toRuleGroups(groups: readonly PromRuleGroup[]): PrometheusRuleSpecGroups[] {
  return groups.map((g) => ({
    name: g.name,
    interval: g.interval,
    rules: g.rules.map((r) => ({
      record: r.record,
      alert: r.alert,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
      for: r.for,
      labels: r.labels,
      annotations: r.annotations,
    })),
  }));
}

const DURATION_UNITS: readonly RequestMetrics['durationUnit'][] = ['seconds', 'milliseconds'];

/** The source's bucket boundaries in milliseconds, or undefined when its unit is not one it can be converted from. */
function sloBucketsMs(source: RequestMetrics): number[] | undefined {
  return DURATION_UNITS.includes(source.durationUnit) ? bucketsInMilliseconds(source) : undefined;
}

/** Every expression must parse with the official PromQL grammar. */
function checkExpressions(exprs: readonly string[], origin: string): string[] {
  const errors: string[] = [];
  for (const expr of exprs) {
    const e = promQlSyntaxError(expr);
    if (e) errors.push(`generated PromQL does not parse (near "${oneLine(e.near)}"): ${oneLine(expr)} — check ${origin}`);
  }
  return errors;
}

/** A ConfigMap holds at most 1 MiB; stay well under it (and under Argo CD's annotation limit, with server-side apply). */
function checkConfigMapSize(what: string, json: string): string[] {
  const limit = 512 * 1024;
  // A UTF-16 code unit takes at most 3 bytes in UTF-8: a short text needs no count.
  if (json.length * 3 <= limit) return [];
  const size = Buffer.byteLength(json, 'utf8');
  return size > limit ? [`${what} JSON is ${size} bytes, more than ${limit}: a ConfigMap holds at most 1 MiB; split the dashboard`] : [];
}

function pascal(s: string): string {
  return s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
