import { ApiObject, App, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { ApplicationSet } from '../../imports/argocd-applicationsets-argoproj.io';
import { AppProject } from '../../imports/argocd-appprojects-argoproj.io';
import { ClusterCapacity } from '../autoscaling/cluster-capacity';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label, checkDns1123Subdomain, checkGitRevision, checkUrl, oneLine } from '../core/names';
import { GitOpsDelivery, RESOURCES_FINALIZER } from '../gitops/gitops-delivery';
import { SYNC_WAVE_ANNOTATION, SyncWave } from '../gitops/sync-wave';
import { NestedApp } from '../synth/nested-app';
import { OutputArtifact } from '../synth/output-artifact';
import { constructsOf, oncePerSynth, renderedJson } from '../synth/synth-session';
import { FleetCluster, FleetClusterSpec } from './fleet-cluster';
import { computeRegionLoss, FleetCapacity, RegionLoss, renderFleetReport } from './region-loss';
import * as plain from '../synth/plain-bindings';

/** The compiled binding; see {@link loadApplicationSetBinding}. */
type ApplicationSetBinding = typeof import('../../imports/argocd-applicationsets-argoproj.io');

let binding: ApplicationSetBinding | undefined;

/**
 * The ApplicationSet binding is generated from a 2 MB CRD (2.3 MB of TypeScript); loading it
 * costs about 90 ms and 8 MB under a TypeScript loader, so it is required only when a Fleet is
 * built, not by every user of the library.
 */
function loadApplicationSetBinding(): ApplicationSetBinding {
  binding ??= require('../../imports/argocd-applicationsets-argoproj.io') as ApplicationSetBinding;
  return binding;
}

/** Labels of every Application the fleet's ApplicationSet generates. */
export const FLEET_LABELS = {
  cluster: 'platform.wasm.dev/cluster',
  environment: 'platform.wasm.dev/environment',
  region: 'platform.wasm.dev/region',
  /** The progressive sync step the Application belongs to ("01", "02", ...). */
  rolloutStep: 'platform.wasm.dev/rollout-step',
} as const;

/** Props for {@link Fleet}. */
export interface FleetProps {
  /** The clusters, in rollout order within each environment (the first region goes first). */
  readonly clusters: readonly FleetClusterSpec[];
  /**
   * Builds one cluster's platform into `app`, an app of its own: the same charts as a
   * single-cluster platform, sized for the cluster, with one ClusterCapacity for
   * `cluster.description` and one GitOpsDelivery given `cluster.deliveryProps(...)`.
   */
  readonly build: (app: App, cluster: FleetCluster) => void;
  /** The Git repository Argo CD reads the manifests from. */
  readonly repoUrl: string;
  /**
   * The revision Argo CD tracks.
   * @default "main"
   */
  readonly targetRevision?: string;
  /**
   * The folder of the synthesized output inside the repository.
   * @default "dist"
   */
  readonly pathPrefix?: string;
  /**
   * The order environments roll out in: every cluster of one is synced and healthy before
   * the next environment starts.
   * @default ["staging", "production"], then any other environment in the order its first cluster is listed
   */
  readonly environments?: readonly string[];
  /**
   * Name of the ApplicationSet and of the AppProject its per-cluster Argo CD objects go through.
   * @default "fleet"
   */
  readonly name?: string;
  /**
   * Namespace Argo CD runs in, on the cluster that runs it (the hub).
   * @default "argocd"
   */
  readonly argoCdNamespace?: string;
  /**
   * The API server of the cluster Argo CD runs in, as Argo CD names it.
   * @default "https://kubernetes.default.svc"
   */
  readonly hubServer?: string;
  /**
   * Where the fleet report (capacity per cluster and the region-loss figure) is written.
   * @default "reports/fleet.md"
   */
  readonly reportPath?: string;
}

/** One Application the ApplicationSet generates: the list generator's element. */
export interface FleetElement {
  /** The Application's name (`<cluster>-<folder>`). */
  readonly name: string;
  /** The cluster it delivers to. */
  readonly cluster: string;
  /** The cluster's environment. */
  readonly environment: string;
  /** The cluster's region. */
  readonly region: string;
  /** Progressive sync step, zero-padded ("01"). */
  readonly step: string;
  /** Its AppProject. */
  readonly project: string;
  /** The folder it syncs, inside the repository. */
  readonly path: string;
  /** The API server it delivers to (the hub's for a cluster's own AppProjects). */
  readonly server: string;
  /** Its destination namespace ("" for cluster-scoped objects only). */
  readonly namespace: string;
  /** The Application's sync wave, as in a single-cluster delivery. */
  readonly wave: string;
  /** Retry and sync options, as in a single-cluster delivery, without `automated` (RollingSync syncs). */
  readonly syncPolicy: Record<string, unknown>;
  /** Fields Argo CD leaves to others (the autoscaled replicas). */
  readonly ignoreDifferences?: readonly unknown[];
}

const DEFAULT_ENVIRONMENTS = ['staging', 'production'];

/**
 * A platform delivered to several clusters. Each cluster is built by `build` into an app of
 * its own and published under `clusters/<name>/` (rendered manifests: a reviewer sees what
 * each cluster gets). One Argo CD `ApplicationSet` delivers them all: its list generator
 * holds one element per cluster and chart, carrying the path, project, sync wave, sync
 * options and ignored differences the cluster's GitOpsDelivery planned, and its
 * `RollingSync` strategy orders them: environment by environment, cluster by cluster in the
 * order given, and inside a cluster wave by wave, each step healthy before the next. Also
 * checks the fleet (unique names and servers, shares summing to 100 % per environment) and
 * writes a report of every cluster's capacity and of what losing each region costs.
 */
export class Fleet extends Construct {
  /** The clusters, as their platforms were built. */
  public readonly clusters: readonly FleetCluster[];
  /** Each cluster's app, by cluster name (the first of a name given twice). */
  public readonly apps: ReadonlyMap<string, App>;
  /** The ApplicationSet. */
  public readonly applicationSet: ApplicationSet;
  /** The AppProject of the clusters' own Argo CD objects (their AppProjects). */
  public readonly project: AppProject;
  /** The fleet report. */
  public readonly report: OutputArtifact;

  private readonly props: FleetProps;
  private readonly name: string;
  private readonly argoCdNamespace: string;
  private readonly hubServer: string;
  private readonly pathPrefix: string;
  private readonly targetRevision: string;
  private readonly nested: readonly { cluster: FleetCluster; app: App }[];

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    this.props = props;
    this.name = props.name ?? 'fleet';
    this.argoCdNamespace = props.argoCdNamespace ?? 'argocd';
    this.hubServer = props.hubServer ?? 'https://kubernetes.default.svc';
    this.pathPrefix = props.pathPrefix ?? 'dist';
    this.targetRevision = props.targetRevision ?? 'main';
    this.clusters = props.clusters.map((spec) => new FleetCluster(spec, this.pathPrefix));

    const nested: { cluster: FleetCluster; app: App }[] = [];
    const apps = new Map<string, App>();
    this.clusters.forEach((cluster, i) => {
      const app = new App();
      props.build(app, cluster);
      // Construct ids must be unique; a name given twice is reported by the validation.
      const nodeId = this.node.tryFindChild(cluster.name) === undefined && /^[A-Za-z0-9-]+$/.test(cluster.name) ? cluster.name : `Cluster${i}`;
      new NestedApp(this, nodeId, { app, folder: cluster.folder });
      nested.push({ cluster, app });
      if (!apps.has(cluster.name)) apps.set(cluster.name, app);
    });
    this.nested = nested;
    this.apps = apps;

    const labels = { [LABELS.partOf]: 'fleet', [LABELS.managedBy]: MANAGED_BY };
    this.project = new plain.AppProject(this, 'Project', {
      metadata: { name: this.name, namespace: this.argoCdNamespace, labels },
      spec: {
        description: `Each cluster's own Argo CD objects (its AppProjects), delivered from ${props.repoUrl}`,
        sourceRepos: [props.repoUrl],
        destinations: [{ server: this.hubServer, namespace: this.argoCdNamespace }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'AppProject' }],
      },
    });

    this.applicationSet = new (loadApplicationSetBinding().ApplicationSet)(this, 'ApplicationSet', {
      metadata: { name: this.name, namespace: this.argoCdNamespace, labels },
      spec: {
        goTemplate: true,
        // A key an element lacks is an error, not an empty string in a path or a server.
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: Lazy.any({ produce: () => this.elements() }) as unknown as unknown[] } }],
        strategy: {
          type: 'RollingSync',
          rollingSync: { steps: Lazy.any({ produce: () => this.steps() }) as unknown as [] },
        },
        // Deleting the ApplicationSet (or Argo CD's view of it) must never delete every cluster's platform.
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: {
          metadata: {
            name: '{{.name}}',
            labels: {
              ...labels,
              [FLEET_LABELS.cluster]: '{{.cluster}}',
              [FLEET_LABELS.environment]: '{{.environment}}',
              [FLEET_LABELS.region]: '{{.region}}',
              [FLEET_LABELS.rolloutStep]: '{{.step}}',
            },
            annotations: { [SYNC_WAVE_ANNOTATION]: '{{.wave}}' },
            // Removing a cluster or a chart removes its objects, as in a single-cluster delivery.
            finalizers: [RESOURCES_FINALIZER],
          },
          spec: {
            project: '{{.project}}',
            source: { repoUrl: props.repoUrl, targetRevision: this.targetRevision, path: '{{.path}}' },
            destination: { server: '{{.server}}', namespace: '{{.namespace}}' },
          },
        },
        // The per-Application parts a template cannot hold as plain values.
        templatePatch: [
          'spec:',
          '  syncPolicy: {{ toJson .syncPolicy }}',
          '{{- if .ignoreDifferences }}',
          '  ignoreDifferences: {{ toJson .ignoreDifferences }}',
          '{{- end }}',
          '',
        ].join('\n'),
      },
    });

    this.report = new OutputArtifact(this, 'Report', {
      path: props.reportPath ?? 'reports/fleet.md',
      render: () => renderFleetReport(this.capacities(), this.regionLoss()),
    });

    this.node.addValidation({ validate: () => this.validate() });
  }

  /** The environments in rollout order. */
  public get environments(): readonly string[] {
    const order = [...(this.props.environments ?? DEFAULT_ENVIRONMENTS)];
    if (this.props.environments === undefined) {
      for (const c of this.clusters) if (!order.includes(c.environment)) order.push(c.environment);
    }
    return order;
  }

  /** The clusters in rollout order: by environment, then as listed. */
  public get rolloutOrder(): readonly FleetCluster[] {
    const envs = this.environments;
    return this.clusters
      .map((c, i) => ({ c, i }))
      .sort((a, b) => envs.indexOf(a.c.environment) - envs.indexOf(b.c.environment) || a.i - b.i)
      .map((x) => x.c);
  }

  /** The generator's elements: one per cluster and Application, in rollout order. */
  public elements(): FleetElement[] {
    // Read by the generator, the RollingSync steps and the validation: computed once per synthesis.
    return oncePerSynth(this.node.root, this, () => this.computeElements());
  }

  private computeElements(): FleetElement[] {
    const raw: Omit<FleetElement, 'step'>[] = [];
    for (const cluster of this.rolloutOrder) {
      const app = this.appOf(cluster);
      const delivery = app ? GitOpsDelivery.all(app)[0] : undefined;
      if (!delivery) continue;
      const base = { cluster: cluster.name, environment: cluster.environment, region: cluster.region };
      const own = Chart.of(delivery);
      if (constructsOf(own).some((c) => c instanceof ApiObject && Chart.of(c) === own)) {
        raw.push({
          ...base,
          name: `${cluster.name}-${delivery.rootFolder}`,
          project: this.name,
          path: `${cluster.repoFolder}/${delivery.rootFolder}`,
          server: this.hubServer,
          namespace: this.argoCdNamespace,
          // Before every Application that names one of its projects.
          wave: String(SyncWave.FOUNDATION.value - 1),
          // What the cluster's own root Application would sync its folder with.
          syncPolicy: withoutAutomated((delivery.rootApplication.spec as { syncPolicy?: Record<string, unknown> }).syncPolicy),
        });
      }
      for (const delivered of delivery.applications) {
        const json = renderedJson(delivered.resource) as RenderedApplication;
        raw.push({
          ...base,
          name: json.metadata.name,
          project: json.spec.project,
          path: json.spec.source?.path ?? (json.spec.sources ?? [])[0]?.path ?? '',
          server: json.spec.destination.server ?? cluster.server,
          namespace: json.spec.destination.namespace ?? '',
          wave: json.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? String(SyncWave.FOUNDATION.value),
          syncPolicy: withoutAutomated(json.spec.syncPolicy),
          ...(json.spec.ignoreDifferences ? { ignoreDifferences: json.spec.ignoreDifferences } : {}),
        });
      }
    }
    const stepOf = this.stepKeys(raw);
    return raw
      .map((e) => ({ ...e, step: stepOf.get(`${e.cluster}\u0000${e.wave}`)! }))
      .sort((a, b) => a.step.localeCompare(b.step) || a.name.localeCompare(b.name))
      .map((e) => ({
        name: e.name, cluster: e.cluster, environment: e.environment, region: e.region, step: e.step,
        project: e.project, path: e.path, server: e.server, namespace: e.namespace, wave: e.wave,
        syncPolicy: e.syncPolicy, ...(e.ignoreDifferences ? { ignoreDifferences: e.ignoreDifferences } : {}),
      }));
  }

  /** RollingSync steps: one per cluster and wave, in rollout order. */
  private steps(): unknown[] {
    const steps = [...new Set(this.elements().map((e) => e.step))].sort();
    return steps.map((step) => ({ matchExpressions: [{ key: FLEET_LABELS.rolloutStep, operator: 'In', values: [step] }] }));
  }

  /** `cluster\0wave` → its step: clusters in rollout order, each cluster's waves ascending. */
  private stepKeys(raw: readonly Omit<FleetElement, 'step'>[]): Map<string, string> {
    const keys: string[] = [];
    for (const cluster of this.rolloutOrder) {
      const waves = [...new Set(raw.filter((e) => e.cluster === cluster.name).map((e) => Number(e.wave)))].sort((a, b) => a - b);
      for (const w of waves) keys.push(`${cluster.name}\u0000${w}`);
    }
    const width = Math.max(2, String(keys.length).length);
    return new Map(keys.map((k, i) => [k, String(i + 1).padStart(width, '0')]));
  }

  /** What losing each region of each environment does to the other clusters (the fleet report's figure). */
  public regionLoss(): RegionLoss[] {
    return computeRegionLoss(this.capacities());
  }

  /** The app built for `cluster`. */
  private appOf(cluster: FleetCluster): App | undefined {
    return this.nested.find((n) => n.cluster === cluster)?.app;
  }

  /** Every cluster's capacity check, computed. */
  private capacities(): FleetCapacity[] {
    return this.rolloutOrder.flatMap((cluster) => {
      const app = this.appOf(cluster);
      const capacity = app ? constructsOf(app).find((c): c is ClusterCapacity => c instanceof ClusterCapacity) : undefined;
      return capacity ? [{ cluster, result: capacity.compute() }] : [];
    });
  }

  private validate(): string[] {
    const problems: string[] = [];
    const p = this.props;
    if (this.clusters.length === 0) problems.push('clusters is empty: declare at least one cluster');
    for (const error of [
      checkDns1123Label('name', this.name),
      checkDns1123Label('argoCdNamespace', this.argoCdNamespace),
      checkUrl('repoUrl', p.repoUrl, ['https', 'ssh']),
      checkUrl('hubServer', this.hubServer, ['https', 'http']),
      checkGitRevision('targetRevision', this.targetRevision),
    ]) if (error) problems.push(error);

    const byName = new Map<string, number[]>();
    const byServer = new Map<string, string[]>();
    this.clusters.forEach((c, i) => {
      const field = `clusters[${i}]`;
      for (const error of [
        checkDns1123Label(`${field}.name`, c.name),
        checkDns1123Label(`${field}.environment`, c.environment),
        checkDns1123Subdomain(`${field}.region`, c.region),
        checkUrl(`${field}.server`, c.server, ['https', 'http']),
      ]) if (error) problems.push(error);
      byName.set(c.name, [...(byName.get(c.name) ?? []), i]);
      byServer.set(c.server, [...(byServer.get(c.server) ?? []), c.name]);
      if (typeof c.trafficPercent !== 'number' || !Number.isFinite(c.trafficPercent) || c.trafficPercent <= 0 || c.trafficPercent > 100) {
        problems.push(`${field}.trafficPercent (${oneLine(String(c.trafficPercent))}) must be more than 0 and at most 100: the cluster's share of its environment's peak`);
      }
      if (p.environments !== undefined && !p.environments.includes(c.environment)) {
        problems.push(`${field}.environment "${oneLine(c.environment)}" is not in environments (${p.environments.map((e) => `"${oneLine(e)}"`).join(', ')}): add it where it rolls out, or use one of those`);
      }
    });
    for (const [name, indexes] of byName) {
      if (indexes.length > 1) problems.push(`cluster name "${oneLine(name)}" is declared ${indexes.length} times (clusters[${indexes.join('], clusters[')}]): each cluster needs its own name (it names its folder and Applications)`);
    }
    for (const [server, names] of byServer) {
      if (names.length > 1) problems.push(`clusters ${names.map((n) => `"${oneLine(n)}"`).join(' and ')} have one server "${oneLine(server)}": two declarations of one cluster would apply two platforms to it; give each cluster its own API server`);
    }
    for (const env of new Set(this.clusters.map((c) => c.environment))) {
      const members = this.clusters.filter((c) => c.environment === env);
      const sum = members.reduce((s, c) => s + (Number.isFinite(c.trafficPercent) ? c.trafficPercent : 0), 0);
      if (Math.abs(sum - 100) > 1e-6) {
        problems.push(`the traffic shares of environment "${oneLine(env)}" sum to ${+sum.toFixed(6)} % (${members.map((c) => `${c.name} ${c.trafficPercent} %`).join(', ')}), not 100 %: the shares are the load balancer's weights over the environment's peak`);
      }
    }

    for (const { cluster, app } of this.nested) {
      const where = `cluster "${oneLine(cluster.name)}"`;
      const deliveries = GitOpsDelivery.all(app);
      if (deliveries.length !== 1) {
        problems.push(`${where} has ${deliveries.length} GitOpsDelivery constructs: build exactly one, given cluster.deliveryProps(...), so the ApplicationSet knows its Applications`);
      } else {
        const d = deliveries[0];
        const fix = `spread cluster.deliveryProps(...) into its GitOpsDelivery props`;
        if (d.pathPrefix !== cluster.repoFolder) problems.push(`${where}: its GitOpsDelivery's pathPrefix is "${oneLine(d.pathPrefix)}", not "${cluster.repoFolder}" where the fleet writes it: ${fix}`);
        if (d.destinationServer !== cluster.server) problems.push(`${where}: its GitOpsDelivery's destinationServer is "${oneLine(d.destinationServer)}", not the cluster's server "${oneLine(cluster.server)}": ${fix}`);
        if (d.applications.some((a) => a.resource.node.root === app)) problems.push(`${where}: its GitOpsDelivery emits its Applications, which the fleet's ApplicationSet generates: ${fix} (emitApplications: false)`);
        if (OutputArtifact.all(d).length > 0) problems.push(`${where}: its GitOpsDelivery writes bootstrap files, but the fleet delivers the cluster: ${fix} (bootstrap: false)`);
        for (const a of d.applications) {
          if (a.folders.length !== 1) problems.push(`${where}: Application "${oneLine(a.name)}" delivers ${a.folders.length} folders; an ApplicationSet element has one path: deliver each chart as its own Application`);
        }
      }
      const capacities = constructsOf(app).filter((c): c is ClusterCapacity => c instanceof ClusterCapacity);
      if (capacities.length === 0) {
        problems.push(`${where} has no ClusterCapacity: add one with cluster.description, so its pods are checked against its own nodes`);
      } else if (capacities[0].cluster !== cluster.description) {
        problems.push(`${where}: its ClusterCapacity describes "${oneLine(capacities[0].cluster.name)}", not the cluster's description "${oneLine(cluster.description.name)}": pass cluster.description`);
      }
    }
    const names = new Map<string, string[]>();
    if (problems.length === 0) {
      for (const e of this.elements()) names.set(e.name, [...(names.get(e.name) ?? []), e.cluster]);
      for (const [name, clusters] of names) {
        if (clusters.length > 1) problems.push(`Application name "${oneLine(name)}" is generated ${clusters.length} times (clusters ${clusters.join(', ')}): Argo CD's Applications share one namespace; name them per cluster (cluster.deliveryProps does)`);
      }
    }
    return problems;
  }
}

/**
 * A planned sync policy as an element carries it. Progressive syncs sync each step
 * themselves: Argo CD turns automated sync off on the Applications of a RollingSync
 * ApplicationSet (and warns when it is asked for).
 */
function withoutAutomated(syncPolicy: Record<string, unknown> | undefined): Record<string, unknown> {
  const { automated: _automated, ...rest } = syncPolicy ?? {};
  return rest;
}

/** The parts of a rendered Application the fleet reads. */
interface RenderedApplication {
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly spec: {
    readonly project: string;
    readonly source?: { readonly path?: string };
    readonly sources?: readonly { readonly path?: string }[];
    readonly destination: { readonly server?: string; readonly namespace?: string };
    readonly syncPolicy?: Record<string, unknown>;
    readonly ignoreDifferences?: readonly unknown[];
  };
}
