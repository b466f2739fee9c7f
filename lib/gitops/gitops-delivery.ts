import { ApiObject, App, Chart, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Application, ApplicationSpecIgnoreDifferences } from '../../imports/argocd-applications-argoproj.io';
import { AppProject } from '../../imports/argocd-appprojects-argoproj.io';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label, checkDns1123Subdomain, checkGitRevision, checkUrl, oneLine } from '../core/names';
import { reportsOwnDuplicates } from '../synth/duplicate-objects';
import { OutputArtifact } from '../synth/output-artifact';
import { constructsOf, inSynthSession, oncePerSynth, renderedJson } from '../synth/synth-session';
import { defaultChartPath, toYamlDocuments } from '../synth/synthesizer';
import { applicationHealthPatch } from './argocd-config';
import { AppProjectScope, projectScopeViolations } from './project-scope';
import { describeObject, field, KubeManifest, stringField, waveOfManifest } from './manifest';
import { FactDependency, ObjectFacts, ObjectIndex, waveOrderProblems } from './object-index';
import {
  GATEKEEPER_CONSTRAINTS_GROUP, groupKindName, groupOf, GroupKind, isBuiltInGroup, KindWave,
  SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, SyncWave, WaveTable,
} from './sync-wave';
import * as plain from '../synth/plain-bindings';

/** Retry of a failed sync, with exponential backoff. */
export interface SyncRetry {
  /**
   * How many times a failed sync is retried.
   * @default 10
   */
  readonly limit?: number;
  /**
   * Wait before the first retry.
   * @default Duration.seconds(5)
   */
  readonly backoff?: Duration;
  /**
   * Factor the wait grows by after each retry.
   * @default 2
   */
  readonly factor?: number;
  /**
   * Longest wait between two retries.
   * @default Duration.minutes(3)
   */
  readonly maxBackoff?: Duration;
}

/** An Application for a folder this synth writes through something other than a chart (an OutputArtifact). */
export interface AdditionalApplication {
  /** Application name. */
  readonly name: string;
  /** Folder relative to the output folder (without the path prefix), for example `vendor/keda`. */
  readonly folder: string;
  /** Sync wave of the Application within the root application. */
  readonly wave: SyncWave;
  /**
   * Namespace for the folder's namespaced objects that carry none.
   * @default - none: every object names its namespace or is cluster-scoped
   */
  readonly namespace?: string;
}

/** Props for {@link GitOpsDelivery}. */
export interface GitOpsDeliveryProps {
  /** The Git repository Argo CD reads the synthesized output from (`https://...`, `ssh://...` or `git@host:org/repo.git`). */
  readonly repoUrl: string;
  /**
   * Branch, tag or commit every Application tracks.
   * @default "main"
   */
  readonly targetRevision?: string;
  /**
   * Folder of the repository the output folder is committed as.
   * @default "dist"
   */
  readonly pathPrefix?: string;
  /**
   * Name of the AppProject every Application belongs to.
   * @default "platform"
   */
  readonly projectName?: string;
  /**
   * Name of the root Application (the app of apps), applied once by hand from `bootstrap/`.
   * @default - `<projectName>-root`
   */
  readonly rootApplicationName?: string;
  /**
   * Namespace Argo CD runs in; the AppProject and every Application go there.
   * @default "argocd"
   */
  readonly argoCdNamespace?: string;
  /**
   * API server of the cluster the platform is delivered to.
   * @default "https://kubernetes.default.svc" (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
  /**
   * Which Application delivers a chart. Charts mapped to the same name become one
   * Application with one source per folder.
   * @default - one Application per chart, named after the chart's folder
   */
  readonly applicationOf?: (chart: Chart) => string;
  /**
   * The AppProject of a chart's Application, when not the platform's own: a team's
   * (`TeamProject`) for the charts of the team's namespaces. The project must be an AppProject
   * of the app, and admit every object of the Application (its destinations and kinds): a
   * synth error otherwise, where Argo CD would refuse the sync.
   * @default - every Application is in the platform's AppProject (`projectName`)
   */
  readonly projectOf?: (chart: Chart) => string | undefined;
  /**
   * Where each chart is written; must be what the synthesizer uses.
   * @default defaultChartPath (`<chart>/<chart>.k8s.yaml`)
   */
  readonly chartPath?: (chart: Chart) => string;
  /**
   * Rows added to (or replacing rows of) the kind → wave table.
   * @default - DEFAULT_KIND_WAVES only
   */
  readonly waves?: KindWave[];
  /**
   * Whether every object must carry a sync wave. Argo CD ignores file order, so without
   * waves nothing orders a constraint after its template or an autoscaler after its target.
   * @default true
   */
  readonly requireWaves?: boolean;
  /**
   * Delete objects from the cluster that are no longer in the output. Namespaces and CRDs
   * are never pruned (`Prune=false`): deleting one deletes everything in or of it.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Revert changes made in the cluster by hand.
   * @default true
   */
  readonly selfHeal?: boolean;
  /**
   * Apply server-side. Client-side apply keeps a copy of the object in the
   * `last-applied-configuration` annotation, which caps objects at 262,144 bytes (a
   * large Grafana dashboard ConfigMap exceeds it).
   * @default true
   */
  readonly serverSideApply?: boolean;
  /**
   * Retry of failed syncs. A Gatekeeper constraint fails until Gatekeeper has created its
   * CRD from the template; retries with backoff ride that out.
   * @default - 10 retries, 5s doubling up to 3m
   */
  readonly retry?: SyncRetry;
  /**
   * Applications for folders written by OutputArtifacts (vendored upstream manifests, for example).
   * @default - none
   */
  readonly additionalApplications?: AdditionalApplication[];
  /**
   * Whether to write the bootstrap files (the root Application and the argocd-cm patch) to
   * `bootstrap/`. A cluster of a {@link Fleet} has none: the fleet's ApplicationSet delivers it.
   * @default true
   */
  readonly bootstrap?: boolean;
  /**
   * Whether the child Applications are objects of this construct's chart. When false they
   * are planned as usual (names, paths, projects, waves, sync options, ignored differences;
   * see `applications`) but not emitted: something else creates them from the plan, as a
   * {@link Fleet}'s ApplicationSet does. The AppProject is emitted either way.
   * @default true
   */
  readonly emitApplications?: boolean;
}

/** One Application of the app of apps, as planned. */
export interface DeliveredApplication {
  /** Application name. */
  readonly name: string;
  /** Folders (relative to the output folder) the Application syncs. */
  readonly folders: readonly string[];
  /** The charts it delivers ([] for an additional application). */
  readonly charts: readonly Chart[];
  /** The AppProject it is in. */
  readonly project: string;
  /** The Application object. */
  readonly resource: Application;
}

const CLIENT_SIDE_APPLY_LIMIT_BYTES = 262_144;
const REPO_URL = /^(?:(?:https?|ssh|git):\/\/[^\s/@]+(?:@[^\s/]+)?(?::\d+)?\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+)$/;
// Argo CD's foreground cascade-delete finalizer under its domain-qualified name (the same
// behaviour as the bare `resources-finalizer.argocd.argoproj.io`, which kube-apiserver 1.30
// warns about on every write: "prefer a domain-qualified finalizer name").
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io/foreground';
const PART_OF = 'gitops';
const SCALER_KINDS = new Set(['HorizontalPodAutoscaler', 'ScaledObject', 'HTTPScaledObject']);

/** An object of the inventory, with what the checks read of it read once (its identity and wave). */
interface Delivered extends ObjectFacts {
  readonly obj: ApiObject;
  readonly app: DeliveredApplication;
  /** `waveOfManifest(manifest)`. */
  readonly wave: number | undefined;
  /** Its index in the inventory. */
  readonly position: number;
}

/**
 * Delivers every chart of the app through Argo CD: an AppProject scoped to the namespaces,
 * destinations and kinds the platform emits, one Application per chart (or per group of
 * charts), ordered by sync waves, and the bootstrap files (root Application, argocd-cm
 * health check) in `bootstrap/`, a folder no Application syncs.
 *
 * Create it last, in a chart of its own: it assigns the sync wave of every object that
 * exists when it is created, from a kind → wave table, and reports as errors every object
 * without a wave, every Application path the synth does not write, every object two
 * Applications would own and every dependency the waves do not respect.
 */
export class GitOpsDelivery extends Construct {
  /** The AppProject. */
  public readonly project: AppProject;
  /** The child Applications, in wave order. */
  public readonly applications: readonly DeliveredApplication[];
  /** The root Application's manifest (written to `bootstrap/`, not to a chart). */
  public readonly rootApplication: Record<string, unknown>;
  /** The folder of this construct's chart: the path the root Application syncs. */
  public readonly rootFolder: string;
  /** Name of the root Application. */
  public readonly rootApplicationName: string;
  /** The kind → wave table in use. */
  public readonly waveTable: WaveTable;

  private readonly chart: Chart;
  private readonly projectName: string;
  private readonly repoUrl: string;
  private readonly targetRevision: string;
  /** The folder of the output inside the repository (`pathPrefix`). */
  public readonly pathPrefix: string;
  /** The namespace of Argo CD's Applications and AppProjects. */
  public readonly argoCdNamespace: string;
  /** The API server the child Applications deliver to. */
  public readonly destinationServer: string;
  private readonly requireWaves: boolean;
  private readonly serverSideApply: boolean;
  private readonly chartPath: (chart: Chart) => string;
  private readonly additional: readonly AdditionalApplication[];
  /** Applications whose charts name different projects: reported at synth. */
  private readonly projectConflicts: string[] = [];
  private inventoryCache?: { readonly size: number; readonly delivered: Delivered[]; readonly derived: Map<string, unknown> };
  /** Key of the inventory in a synthesis (see currentInventory). */
  private readonly inventoryKey = {};
  /** Objects that existed when the construct was created: the ones it placed. */
  private readonly placed = new WeakSet<ApiObject>();
  /** Where the child Applications are created: this construct, or a detached chart when they are only planned. */
  private readonly applicationScope: Construct;

  constructor(scope: Construct, id: string, props: GitOpsDeliveryProps) {
    super(scope, id);
    this.chart = Chart.of(this);
    this.repoUrl = props.repoUrl;
    this.targetRevision = props.targetRevision ?? 'main';
    this.pathPrefix = props.pathPrefix ?? 'dist';
    const projectName = props.projectName ?? 'platform';
    this.projectName = projectName;
    this.rootApplicationName = props.rootApplicationName ?? `${projectName}-root`;
    this.argoCdNamespace = props.argoCdNamespace ?? 'argocd';
    this.destinationServer = props.destinationServer ?? 'https://kubernetes.default.svc';
    this.chartPath = props.chartPath ?? defaultChartPath;
    const applicationOf = props.applicationOf ?? ((chart: Chart) => folderOf(this.chartPath(chart)));
    this.waveTable = new WaveTable(WaveTable.defaults().rows, props.waves ?? []);
    this.requireWaves = props.requireWaves ?? true;
    const prune = props.prune ?? true;
    const selfHeal = props.selfHeal ?? true;
    this.serverSideApply = props.serverSideApply ?? true;
    const retry = props.retry ?? {};
    this.additional = props.additionalApplications ?? [];
    this.rootFolder = folderOf(this.chartPath(this.chart));
    // Planned-only Applications are built in a chart of an app of their own: they resolve
    // (waves, sync options) exactly like emitted ones, but no chart of this app renders them.
    this.applicationScope = (props.emitApplications ?? true) ? this : new Chart(new App(), 'PlannedApplications');

    this.placeObjects();

    const syncPolicyBase = {
      automated: { prune, selfHeal },
      retry: {
        limit: retry.limit ?? 10,
        backoff: {
          duration: argoDuration(retry.backoff ?? Duration.seconds(5)),
          factor: retry.factor ?? 2,
          maxDuration: argoDuration(retry.maxBackoff ?? Duration.minutes(3)),
        },
      },
    };
    const labels = { [LABELS.partOf]: PART_OF, [LABELS.managedBy]: MANAGED_BY };

    this.project = new plain.AppProject(this, 'Project', {
      metadata: {
        name: projectName,
        namespace: this.argoCdNamespace,
        labels,
        // Before the Applications that name it.
        annotations: { [SYNC_WAVE_ANNOTATION]: String(SyncWave.FOUNDATION.value - 1) },
      },
      spec: Lazy.any({ produce: () => this.projectSpec(projectName) }),
    });

    // Charts with objects, in construction order, grouped by Application name.
    const groups = new Map<string, Chart[]>();
    for (const chart of chartsOf(this.node.root)) {
      if (chart === this.chart || objectsOfChart(chart).length === 0) continue;
      const name = applicationOf(chart);
      groups.set(name, [...(groups.get(name) ?? []), chart]);
    }

    const applications: DeliveredApplication[] = [];
    for (const [name, charts] of groups) {
      const folders = [...new Set(charts.map((c) => folderOf(this.chartPath(c))))];
      const namespaces = [...new Set(charts.map((c) => c.namespace).filter((n): n is string => !!n))];
      const namespace = namespaces.length === 1 ? namespaces[0] : undefined;
      const projects = [...new Set(charts.map((c) => props.projectOf?.(c) ?? projectName))];
      if (projects.length > 1) {
        this.projectConflicts.push(`application "${oneLine(name)}" delivers charts of ${projects.length} AppProjects (${projects.map((p) => `"${oneLine(p)}"`).join(', ')}) through projectOf: an Application is in one project; deliver the charts as separate Applications`);
      }
      const project = projects[0];
      const planned: { app?: DeliveredApplication } = {};
      const resource = this.newApplication(`${pascal(name)}Application`, {
        name, folders, namespace, projectName: project, labels, finalizers: [RESOURCES_FINALIZER],
        wave: () => String(this.applicationWaves().waves.get(planned.app!) ?? SyncWave.FOUNDATION.value),
        syncPolicy: () => ({ ...syncPolicyBase, syncOptions: this.syncOptionsOf(planned.app!, namespace) }),
        ignoreDifferences: () => this.ignoreDifferencesOf(planned.app!),
      });
      planned.app = { name, folders, charts, project, resource };
      applications.push(planned.app);
    }
    for (const extra of this.additional) {
      const resource = this.newApplication(`${pascal(extra.name)}Application`, {
        name: extra.name, folders: [extra.folder], namespace: extra.namespace, projectName, labels,
        finalizers: [RESOURCES_FINALIZER],
        wave: () => String(extra.wave.value),
        syncPolicy: () => ({ ...syncPolicyBase, syncOptions: this.baseSyncOptions(extra.namespace, false) }),
        ignoreDifferences: () => [],
      });
      applications.push({ name: extra.name, folders: [extra.folder], charts: [], project: projectName, resource });
    }
    this.applications = applications;

    this.rootApplication = sortKeys(Application.manifest({
      metadata: { name: this.rootApplicationName, namespace: this.argoCdNamespace, labels },
      spec: {
        project: projectName,
        source: { repoUrl: this.repoUrl, targetRevision: this.targetRevision, path: this.repoPath(this.rootFolder) },
        destination: { server: this.destinationServer, namespace: this.argoCdNamespace },
        syncPolicy: { ...syncPolicyBase, syncOptions: this.baseSyncOptions(undefined, false) },
      },
    })) as Record<string, unknown>;

    if (props.bootstrap ?? true) this.addBootstrap();

    reportsOwnDuplicates(this);
    this.node.addValidation({ validate: () => this.validate() });
  }

  private addBootstrap(): void {
    new OutputArtifact(this, 'Bootstrap', {
      path: 'bootstrap/root-application.yaml',
      render: () => bootstrapYaml(
        `Apply once, by hand, after the argocd-cm patch: kubectl apply -f ${this.repoPath('bootstrap/root-application.yaml')}\n` +
        '# The AppProject is repeated here because the root Application needs it to exist; from\n' +
        `# then on the root Application manages it from ${this.repoPath(this.rootFolder)}/.`,
        // The project as its chart renders it: its spec reads the whole inventory.
        [renderedJson(this.project), this.rootApplication],
      ),
    });
    new OutputArtifact(this, 'ApplicationHealth', {
      path: 'bootstrap/argocd-cm-application-health.yaml',
      render: () => bootstrapYaml(
        `Apply once per Argo CD installation, before the root Application:\n` +
        `#   kubectl -n ${this.argoCdNamespace} patch configmap argocd-cm --type merge --patch-file ${this.repoPath('bootstrap/argocd-cm-application-health.yaml')}\n` +
        '# Without it a child Application is healthy as soon as it exists, and the sync waves of the\n' +
        '# Applications do not hold; and Argo CD (before 3.0) tracks objects by rewriting their\n' +
        '# app.kubernetes.io/instance label instead of by annotation.',
        [applicationHealthPatch(this.argoCdNamespace)],
      ),
    });
  }

  /** Every GitOpsDelivery of the app, in tree order. */
  public static all(root: IConstruct): GitOpsDelivery[] {
    return constructsOf(root).filter((c): c is GitOpsDelivery => c instanceof GitOpsDelivery);
  }

  /** The path of a folder inside the repository. */
  private repoPath(folder: string): string {
    return this.pathPrefix === '' ? folder : `${this.pathPrefix}/${folder}`;
  }

  private newApplication(id: string, p: {
    name: string; folders: readonly string[]; namespace?: string; projectName: string;
    labels: Record<string, string>; finalizers: string[];
    wave: () => string; syncPolicy: () => unknown; ignoreDifferences: () => ApplicationSpecIgnoreDifferences[];
  }): Application {
    const sources = p.folders.map((f) => ({ repoUrl: this.repoUrl, targetRevision: this.targetRevision, path: this.repoPath(f) }));
    // Two names that read alike as ids ("a-b" and "a.b", or one name given twice) are reported
    // by the duplicate-name check at synth; a second construct with the same id would throw here first.
    let unique = id;
    for (let n = 2; this.applicationScope.node.tryFindChild(unique) !== undefined; n++) unique = `${id}${n}`;
    return new plain.Application(this.applicationScope, unique, {
      metadata: {
        name: p.name,
        namespace: this.argoCdNamespace,
        labels: p.labels,
        annotations: { [SYNC_WAVE_ANNOTATION]: Lazy.any({ produce: p.wave }) },
        // Removing a chart removes its objects: without the finalizer they would keep running, unmanaged.
        finalizers: p.finalizers,
      },
      spec: {
        project: p.projectName,
        ...(sources.length === 1 ? { source: sources[0] } : { sources }),
        destination: { server: this.destinationServer, namespace: p.namespace },
        syncPolicy: Lazy.any({ produce: p.syncPolicy }),
        ignoreDifferences: Lazy.any({ produce: () => emptyToUndefined(p.ignoreDifferences()) }),
      },
    });
  }

  /** Assigns the wave (and per-object sync options) of every object that exists now. */
  private placeObjects(): void {
    for (const obj of this.deliverableObjects()) {
      this.placed.add(obj);
      const existing = obj.metadata.toJson().annotations ?? {};
      const wave = this.waveTable.waveOf(groupOfObject(obj), obj.kind);
      if (wave !== undefined && existing[SYNC_WAVE_ANNOTATION] === undefined) {
        obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, wave.toString());
      }
      const options = new Set<string>(String(existing[SYNC_OPTIONS_ANNOTATION] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''));
      const before = options.size;
      if (groupOfObject(obj) === GATEKEEPER_CONSTRAINTS_GROUP) {
        // The constraint kind is a CRD Gatekeeper creates from the template at runtime: a dry
        // run before it exists fails the whole sync.
        options.add('SkipDryRunOnMissingResource=true');
      }
      if ((obj.kind === 'Namespace' && groupOfObject(obj) === '') || obj.kind === 'CustomResourceDefinition') {
        // Deleting a namespace deletes everything in it; deleting a CRD deletes every instance.
        options.add('Prune=false');
        options.add('Delete=false');
      }
      if (options.size !== before) {
        obj.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, [...options].join(','));
      }
    }
  }

  /** Every ApiObject of every other chart. */
  private deliverableObjects(): ApiObject[] {
    return constructsOf(this.node.root)
      .filter((c): c is ApiObject => c instanceof ApiObject)
      .filter((o) => Chart.of(o) !== this.chart);
  }

  /**
   * The objects of every chart-derived Application, rendered. Rendered once per state of the
   * tree: the Applications, the project and the validation all read it, and rendering every
   * object of the platform for each of them costs seconds.
   */
  private inventory(): Delivered[] {
    return this.currentInventory().delivered;
  }

  private currentInventory(): { readonly delivered: Delivered[]; readonly derived: Map<string, unknown> } {
    // In a synthesis the inventory lives as long as the synthesis: it references the JSON of
    // every object of the platform, which the synthesizer lets go once the YAML is written.
    const root = this.node.root;
    if (inSynthSession(root)) return oncePerSynth(root, this.inventoryKey, () => ({ delivered: this.renderInventory(), derived: new Map<string, unknown>() }));
    const size = constructsOf(root).length;
    if (this.inventoryCache?.size !== size) this.inventoryCache = { size, delivered: this.renderInventory(), derived: new Map() };
    return this.inventoryCache;
  }

  /**
   * A value computed from the inventory once per state of the tree: every Application's
   * wave, sync options and ignored differences read the whole inventory, and computing it
   * again for each of them grows with Applications × objects.
   */
  private fromInventory<T>(key: string, compute: (inventory: Delivered[]) => T): T {
    const current = this.currentInventory();
    if (!current.derived.has(key)) current.derived.set(key, compute(current.delivered));
    return current.derived.get(key) as T;
  }

  /** The inventory by Application. */
  private inventoryByApp(): Map<DeliveredApplication, Delivered[]> {
    return this.fromInventory('byApp', (inventory) => {
      const byApp = new Map<DeliveredApplication, Delivered[]>();
      for (const d of inventory) {
        const list = byApp.get(d.app);
        if (list) list.push(d);
        else byApp.set(d.app, [d]);
      }
      return byApp;
    });
  }

  private renderInventory(): Delivered[] {
    const out: Delivered[] = [];
    for (const app of this.applications) {
      for (const chart of app.charts) {
        for (const obj of objectsOfChart(chart)) {
          // Read while the object is fresh from rendering: every check reads these, and a
          // second read of thousands of rendered objects is a cache miss per object.
          const manifest = renderedJson(obj) as KubeManifest;
          const metadata = manifest.metadata;
          out.push({
            obj, manifest, app, group: groupOf(manifest.apiVersion), kind: manifest.kind,
            namespace: metadata?.namespace, name: metadata?.name, wave: waveOfManifest(manifest), position: out.length,
          });
        }
      }
    }
    return out;
  }

  /**
   * The dependencies between the inventory's objects: the Application waves are ordered by
   * them and the validation checks the object waves against them, and finding them walks
   * every object of the platform.
   */
  private inventoryDependencies(): FactDependency<Delivered>[] {
    return this.fromInventory('dependencies', () => this.inventoryIndex().dependencies());
  }

  /** The inventory by kind, namespace and name: the dependencies and the ownership check read it. */
  private inventoryIndex(): ObjectIndex<Delivered> {
    return this.fromInventory('index', (inventory) => new ObjectIndex(inventory));
  }

  /**
   * The wave of every chart Application: that of its latest object, raised above every
   * Application it depends on (a route on a function's Service, an autoscaler on its
   * Deployment), since Argo CD starts a wave only once the one before is healthy. The
   * latest, not the earliest: an Application holding a Namespace (wave 0) and a workload
   * (wave 3) must not sync its workload before another Application's constraints (wave 2);
   * inside the Application its own objects still go in their own wave order.
   * `cycles` lists Applications that depend on each other, which no wave order satisfies.
   */
  private applicationWaves(): { waves: Map<DeliveredApplication, number>; cycles: string[] } {
    return this.fromInventory('waves', (inventory) => this.computeApplicationWaves(inventory));
  }

  private computeApplicationWaves(inventory: Delivered[]): { waves: Map<DeliveredApplication, number>; cycles: string[] } {
    const initial = new Map<DeliveredApplication, number>();
    for (const d of inventory) {
      const w = d.wave;
      if (w !== undefined) initial.set(d.app, Math.max(initial.get(d.app) ?? w, w));
    }
    for (const app of this.applications) if (app.charts.length > 0 && !initial.has(app)) initial.set(app, SyncWave.FOUNDATION.value);
    const dependencies = this.inventoryDependencies();
    // Each edge between two Applications once: thousands of object dependencies make a few
    // dozen edges. Without a cycle the relaxation ends in the same waves whatever the edges'
    // order or repetitions (the least waves above every edge).
    const edges: { from: DeliveredApplication; to: DeliveredApplication }[] = [];
    const seen = new Map<DeliveredApplication, Set<DeliveredApplication>>();
    let lastFrom: DeliveredApplication | undefined;
    let lastTo: DeliveredApplication | undefined;
    for (const dep of dependencies) {
      const from = dep.from.app;
      const to = dep.to.app;
      // Consecutive dependencies mostly join the same two Applications.
      if (from === to || (from === lastFrom && to === lastTo)) continue;
      lastFrom = from;
      lastTo = to;
      let targets = seen.get(from);
      if (targets === undefined) seen.set(from, targets = new Set());
      if (targets.has(to)) continue;
      targets.add(to);
      edges.push({ from, to });
    }
    const waves = new Map(initial);
    if (relaxWaves(waves, edges)) return { waves, cycles: [] };
    // A cycle: the waves where the relaxation stops depend on every repeated edge, so they are
    // computed over all of them, as they always were.
    const allEdges = dependencies.map((dep) => ({ from: dep.from.app, to: dep.to.app })).filter((e) => e.from !== e.to);
    const cycleWaves = new Map(initial);
    relaxWaves(cycleWaves, allEdges);
    const pairs = new Set<string>();
    for (const e of edges) {
      if (seen.get(e.to)?.has(e.from)) pairs.add([e.from.name, e.to.name].sort().map((n) => `"${n}"`).join(' and '));
    }
    return { waves: cycleWaves, cycles: pairs.size > 0 ? [...pairs] : [...new Set(edges.map((e) => `"${e.from.name}"`))] };
  }

  private baseSyncOptions(namespace: string | undefined, createNamespace: boolean): string[] {
    return [
      ...(namespace && createNamespace ? ['CreateNamespace=true'] : []),
      ...(this.serverSideApply ? ['ServerSideApply=true'] : []),
      // Renamed objects: the new one is running before the old one is deleted.
      'PruneLast=true',
    ];
  }

  private syncOptionsOf(app: DeliveredApplication, namespace: string | undefined): string[] {
    const mine = this.inventoryByApp().get(app) ?? [];
    // A namespace the platform declares (with its Pod Security labels) comes from its
    // declaration; CreateNamespace would only create a bare one and hide an ordering bug.
    const declaredNamespaces = this.fromInventory('declaredNamespaces', (inventory) => new Set(
      inventory.filter((d) => d.kind === 'Namespace').map((d) => d.name)));
    const declared = declaredNamespaces.has(namespace);
    const options = this.baseSyncOptions(namespace, !declared);
    const crdsHere = new Set(mine.filter((d) => d.kind === 'CustomResourceDefinition')
      .map((d) => `${stringField(d.manifest, 'spec', 'group')}/${stringField(d.manifest, 'spec', 'names', 'kind')}`));
    const needsSkipDryRun = mine.some((d) => !isBuiltInGroup(d.group) && !crdsHere.has(`${d.group}/${d.kind}`));
    if (needsSkipDryRun) options.push('SkipDryRunOnMissingResource=true');
    if (this.ignoreDifferencesOf(app).length > 0) {
      // Without it a sync writes the manifest as it is: the replicas it carries, or, once an
      // autoscaler is attached and the manifest carries none, no replicas at all, which
      // server-side apply resets to 1. With it Argo CD copies the live value into what it applies.
      options.push('RespectIgnoreDifferences=true');
    }
    return options;
  }

  /**
   * `spec.replicas` of every workload an autoscaler targets, whether its manifest carries
   * replicas or not. One that carries them must not have them written back over the
   * autoscaler's. One that carries none (every autoscaled WasmFunction) may have carried
   * them before: a function that gets an autoscaler after running with fixed replicas drops
   * `replicas` from a manifest Argo CD applied with it, and server-side apply resets a field
   * its only owner stops applying to the default, 1, unless the autoscaler has written it
   * since (it writes only to change the count). With `RespectIgnoreDifferences` Argo CD
   * copies the live count into what it applies, so the field never leaves its configuration.
   */
  private ignoreDifferencesOf(app: DeliveredApplication): ApplicationSpecIgnoreDifferences[] {
    const scaled = this.fromInventory('scaledByApp', (inventory) => this.scaledWorkloadsByApp(inventory));
    return (scaled.get(app) ?? []).map((d) => ({
      group: d.group, kind: d.kind, name: d.name, namespace: d.namespace,
      jsonPointers: ['/spec/replicas'],
    }));
  }

  /** The workloads an autoscaler of the inventory targets, by Application, in inventory order. */
  private scaledWorkloadsByApp(inventory: Delivered[]): Map<DeliveredApplication, Delivered[]> {
    // `kind/namespace/name` of every target.
    const scaled = new Set<string>();
    for (const d of inventory) {
      if (SCALER_KINDS.has(d.kind)) {
        const target = field(d.manifest, 'spec', 'scaleTargetRef');
        scaled.add(`${stringField(target, 'kind') ?? 'Deployment'}/${d.namespace ?? ''}/${stringField(target, 'name')}`);
      }
    }
    // Every prefix of a key up to a '/': an object's key can equal a target's only if its
    // kind is one of them, so the objects of other kinds need no key built.
    const kinds = new Set<string>();
    for (const key of scaled) {
      for (let slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', slash + 1)) kinds.add(key.slice(0, slash));
    }
    const byApp = new Map<DeliveredApplication, Delivered[]>();
    for (const d of inventory) {
      if (!kinds.has(d.kind) || !scaled.has(`${d.kind}/${d.namespace ?? ''}/${d.name}`)) continue;
      const list = byApp.get(d.app);
      if (list) list.push(d);
      else byApp.set(d.app, [d]);
    }
    return byApp;
  }

  private projectSpec(projectName: string): unknown {
    // The inventory's namespaces and kinds, in the order first seen (once per synthesis).
    const fromInventory = this.fromInventory('projectScope', (inventory) => {
      const scope = { namespaces: new Set<string>(), clusterKinds: new KindSet(), namespacedKinds: new KindSet() };
      for (const d of inventory) {
        if (d.namespace) scope.namespaces.add(d.namespace);
        (d.namespace ? scope.namespacedKinds : scope.clusterKinds).add(d.group, d.kind);
      }
      return scope;
    });
    // The project itself is in the root Application too; it cannot render itself here.
    const own = objectsOfChart(this.chart).filter((o) => o !== this.project).map((o) => renderedJson(o) as KubeManifest);
    const self: KubeManifest = { apiVersion: AppProject.GVK.apiVersion, kind: AppProject.GVK.kind, metadata: { name: projectName, namespace: this.argoCdNamespace } };
    const rest = [...own, self];
    const namespaces = new Set<string>([this.argoCdNamespace, ...fromInventory.namespaces]);
    for (const m of rest) if (m.metadata?.namespace) namespaces.add(m.metadata.namespace);
    let clusterScopedDestination = false;
    let createsNamespaces = false;
    for (const app of this.applications) {
      const spec = (renderedJson(app.resource) as { spec: unknown }).spec as { destination: { namespace?: string }; syncPolicy?: { syncOptions?: string[] } };
      if (spec.destination.namespace) namespaces.add(spec.destination.namespace);
      else clusterScopedDestination = true;
      if (spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true')) createsNamespaces = true;
    }
    const clusterKinds = fromInventory.clusterKinds.with(rest.filter((m) => !m.metadata?.namespace));
    if (createsNamespaces && !clusterKinds.some((k) => k.group === '' && k.kind === 'Namespace')) {
      clusterKinds.push({ group: '', kind: 'Namespace' });
    }
    return {
      description: `Everything the ${projectName} synthesizes, delivered from ${this.repoUrl}`,
      sourceRepos: [this.repoUrl],
      destinations: [
        ...[...namespaces].sort().map((namespace) => ({ server: this.destinationServer, namespace })),
        // Applications of cluster-scoped objects only have no destination namespace; this
        // entry matches only them (an empty pattern matches only the empty namespace).
        ...(clusterScopedDestination ? [{ server: this.destinationServer }] : []),
      ],
      clusterResourceWhitelist: sortKinds(clusterKinds),
      namespaceResourceWhitelist: sortKinds(fromInventory.namespacedKinds.with(rest.filter((m) => !!m.metadata?.namespace))),
      // Objects created by hand in the platform's namespaces show up as warnings.
      orphanedResources: { warn: true },
    };
  }

  private validate(): string[] {
    const deliveries = GitOpsDelivery.all(this.node.root);
    if (deliveries.indexOf(this) > 0) {
      // Everything else this one would report follows from its being a second one.
      return [`is a second GitOpsDelivery in the app: ${deliveries[0].node.path} already delivers every chart (two would emit the same AppProject and Applications and claim each other's objects); keep one`];
    }
    const problems: string[] = [];
    if (typeof this.repoUrl !== 'string' || !REPO_URL.test(this.repoUrl)) {
      problems.push(`repoUrl "${oneLine(String(this.repoUrl))}" is not a Git repository URL: use https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git`);
    }
    const revisionError = checkGitRevision('targetRevision', this.targetRevision);
    if (revisionError) problems.push(revisionError);
    if (/^\/|\/$|\.\.|\s/.test(this.pathPrefix)) {
      problems.push(`pathPrefix "${oneLine(this.pathPrefix)}" must be a relative folder without leading or trailing '/' or whitespace (for example "dist")`);
    }
    const destinationError = checkUrl('destinationServer', this.destinationServer, ['https', 'http']);
    if (destinationError) problems.push(destinationError);
    for (const error of [
      checkDns1123Subdomain('projectName', this.projectName),
      checkDns1123Subdomain('rootApplicationName', this.rootApplicationName),
      checkDns1123Label('argoCdNamespace', this.argoCdNamespace),
      ...this.additional.map((a, i) => a.namespace !== undefined ? checkDns1123Label(`additionalApplications[${i}].namespace`, a.namespace) : undefined),
    ]) {
      if (error) problems.push(error);
    }

    // What the synth writes: the folder of every chart with objects, and every artifact.
    const written = new Map<string, string[]>();
    const note = (file: string) => {
      const folder = folderOf(file);
      written.set(folder, [...(written.get(folder) ?? []), file]);
    };
    for (const chart of chartsOf(this.node.root)) {
      if (objectsOfChart(chart).length > 0) note(this.chartPath(chart));
    }
    const artifacts = OutputArtifact.all(this.node.root as Construct);
    for (const a of artifacts) note(a.path);

    const byName = new Map<string, DeliveredApplication[]>();
    for (const app of this.applications) {
      byName.set(app.name, [...(byName.get(app.name) ?? []), app]);
      const nameError = checkDns1123Subdomain(`application name`, app.name);
      if (nameError) problems.push(nameError);
      for (const folder of app.folders) {
        if (!written.has(folder)) {
          problems.push(
            `application "${oneLine(app.name)}" path "${oneLine(this.repoPath(folder))}" does not exist in the output: ` +
            `the synth writes ${[...written.keys()].sort().map((f) => `"${oneLine(this.repoPath(f))}"`).join(', ')}`,
          );
        }
      }
    }
    for (const [name, apps] of byName) {
      if (apps.length > 1) problems.push(`application name "${oneLine(name)}" is used by ${apps.length} Applications: give each a distinct name`);
    }
    if (byName.has(this.rootApplicationName)) {
      problems.push(`application name "${oneLine(this.rootApplicationName)}" is both the root Application and a child: set rootApplicationName to another name`);
    }

    // Nothing Argo CD would apply by mistake: no artifact inside a chart's folder.
    const chartFolders = new Map<string, string>();
    for (const app of this.applications) for (const c of app.charts) chartFolders.set(folderOf(this.chartPath(c)), app.name);
    chartFolders.set(this.rootFolder, this.rootApplicationName);
    for (const a of artifacts) {
      const owner = chartFolders.get(folderOf(a.path));
      if (owner !== undefined) {
        problems.push(
          `[${a.node.path}] artifact path "${oneLine(a.path)}" is inside the folder of Application "${oneLine(owner)}", which Argo CD would try to apply: ` +
          'write it outside every application folder (for example under reports/)',
        );
      }
    }

    // Every chart with objects is delivered by exactly one Application.
    const delivered = new Set(this.applications.flatMap((a) => a.charts));
    for (const chart of chartsOf(this.node.root)) {
      // A chart holding a second delivery is reported by that delivery.
      if (chart !== this.chart && !delivered.has(chart) && objectsOfChart(chart).length > 0 && !deliveries.some((d) => Chart.of(d) === chart)) {
        problems.push(
          `chart "${chart.node.path}" has objects but no Application delivers it (it was created after ${this.node.path}): ` +
          'create the GitOpsDelivery after every other chart',
        );
      }
    }

    const inventory = this.inventory();
    // Two Applications owning one object would overwrite each other's tracking on every sync.
    // Objects of one identity (objectKey) share a key of the index, which leaves out only the
    // group (it has no '/'): only the index's keys of two objects or more need a look.
    const owners: Delivered[][] = [];
    for (const same of this.inventoryIndex().groups()) {
      if (same.length < 2) continue;
      const byGroup = new Map<string, Delivered[]>();
      for (const d of same) {
        const list = byGroup.get(d.group);
        if (list) list.push(d);
        else byGroup.set(d.group, [d]);
      }
      for (const ds of byGroup.values()) if (ds.length > 1) owners.push(ds);
    }
    // In the order of each identity's first object, as one pass over the inventory finds them.
    owners.sort((a, b) => a[0].position - b[0].position);
    // Objects the app emits twice as constructs are reported once by the synth's duplicate
    // check (or by the construct that repeats a name); here only those made one by rendering.
    const constructKey = (o: ApiObject) => `${groupOfObject(o)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.name}`;
    for (const ds of owners) {
      const apps = [...new Set(ds.map((d) => d.app.name))];
      if (apps.length > 1 && new Set(ds.map((d) => constructKey(d.obj))).size > 1) {
        problems.push(
          `${describeObject(ds[0].manifest)} is owned by ${apps.length} applications (${apps.map((a) => `"${oneLine(a)}"`).join(', ')}): ` +
          'an object must be emitted by exactly one Application, or Argo CD flips its tracking between them on every sync',
        );
      }
    }

    const allowed = this.waveTable.rows.map((r) => r.wave).filter((w, i, a) => a.findIndex((x) => x.name === w.name) === i)
      .map((w) => `${w.name} (${w.value})`).join(', ');
    for (const d of inventory) {
      if (this.requireWaves && d.wave === undefined) {
        const gk = { group: d.group, kind: d.kind };
        const raw = d.manifest.metadata?.annotations?.[SYNC_WAVE_ANNOTATION];
        const why = raw !== undefined
          ? `its ${SYNC_WAVE_ANNOTATION} "${oneLine(String(raw))}" is not an integer`
          : !this.placed.has(d.obj)
            ? `it was created after ${this.node.path}: create the GitOpsDelivery last`
            : `kind ${groupKindName(gk)} is not in the wave table: add { group: '${gk.group}', kind: '${gk.kind}', wave: SyncWave.<one of the waves> } to waves`;
        problems.push(`[${d.obj.node.path}] ${describeObject(d.manifest)} has no ${SYNC_WAVE_ANNOTATION}: ${why} (waves: ${allowed})`);
      }
      if (!this.serverSideApply) {
        const bytes = Buffer.byteLength(JSON.stringify(d.manifest));
        if (bytes > CLIENT_SIDE_APPLY_LIMIT_BYTES) {
          problems.push(
            `${describeObject(d.manifest)} is ${bytes} bytes, over the ${CLIENT_SIDE_APPLY_LIMIT_BYTES}-byte last-applied annotation limit of client-side apply: ` +
            'set serverSideApply to true',
          );
        }
      }
    }

    problems.push(...this.projectConflicts, ...this.checkProjects());

    const { waves, cycles } = this.applicationWaves();
    for (const cycle of cycles) {
      problems.push(
        `Applications ${cycle} depend on each other (objects of each name objects of the other), so no sync wave order satisfies both: ` +
        'move the objects into one chart, or deliver both charts as one Application with applicationOf',
      );
    }
    const appOf = new Map<DeliveredApplication, { name: string; wave: number }>();
    for (const app of this.applications) appOf.set(app, { name: app.name, wave: waves.get(app) ?? 0 });
    problems.push(...waveOrderProblems(this.inventoryDependencies(), {
      describe: (d) => describeObject(d.manifest),
      waveOf: (d) => d.wave,
      groupKindOf: (d) => d,
      applicationOf: cycles.length > 0 ? undefined : (d) => appOf.get(d.app),
    }));
    return problems;
  }

  /** Every Application outside the platform's project is in an AppProject of the app that admits its objects. */
  private checkProjects(): string[] {
    const problems: string[] = [];
    const elsewhere = this.applications.filter((a) => a.project !== this.projectName);
    // Without them, no walk of the whole tree for the projects.
    if (elsewhere.length === 0) return problems;
    const projects = constructsOf(this.node.root).filter((c): c is ApiObject => c instanceof ApiObject
      && c.apiVersion === AppProject.GVK.apiVersion && c.kind === AppProject.GVK.kind && c.metadata.namespace === this.argoCdNamespace);
    for (const app of elsewhere) {
      const project = projects.find((p) => p.name === app.project);
      if (!project) {
        problems.push(`application "${oneLine(app.name)}" is in AppProject "${oneLine(app.project)}", which the app does not create in ${this.argoCdNamespace}: create it (a TeamProject), or leave the chart in the platform's project`);
        continue;
      }
      const scope = ((renderedJson(project) as { spec?: AppProjectScope }).spec) ?? {};
      const manifests = (this.inventoryByApp().get(app) ?? []).map((d) => d.manifest);
      problems.push(...projectScopeViolations(app.name, app.project, scope, manifests));
    }
    return problems;
  }
}

function groupOfObject(obj: ApiObject): string {
  return groupOf(obj.apiVersion);
}

/** The ApiObjects a chart renders (those of nested charts render with the nested chart). */
function objectsOfChart(chart: Chart): ApiObject[] {
  const root = chart.node.root;
  if (!inSynthSession(root)) return chart.node.findAll().filter((c: IConstruct): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
  // In a synthesis every chart asks: group the objects of the whole tree once (same order).
  return oncePerSynth(root, OBJECTS_BY_CHART, () => {
    const byChart = new Map<Chart, ApiObject[]>();
    // Siblings share their chart: asked once per parent, not once per object.
    const chartOfScope = new Map<IConstruct, Chart>();
    for (const c of constructsOf(root)) {
      if (!(c instanceof ApiObject)) continue;
      const scope = c.node.scope;
      let owner = Chart.isChart(c) || scope === undefined ? Chart.of(c) : chartOfScope.get(scope);
      if (owner === undefined) {
        owner = Chart.of(scope!);
        chartOfScope.set(scope!, owner);
      }
      const list = byChart.get(owner);
      if (list) list.push(c);
      else byChart.set(owner, [c]);
    }
    return byChart;
  }).get(chart) ?? [];
}

/** Key of {@link objectsOfChart}'s grouping in a synthesis. */
const OBJECTS_BY_CHART = {};

/** Every chart of the tree under `root`, in tree order; once per synthesis (validation walks them twice). */
function chartsOf(root: IConstruct): Chart[] {
  return oncePerSynth(root, CHARTS, () => constructsOf(root).filter((c): c is Chart => c instanceof Chart));
}

/** Key of {@link chartsOf}'s list in a synthesis. */
const CHARTS = {};

function folderOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter((p) => p !== '').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

/** `5s`, `3m`: the Go duration Argo CD reads. */
function argoDuration(d: Duration): string {
  const seconds = d.toSeconds({ integral: false });
  return seconds % 60 === 0 && seconds > 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** Keys sorted at every level, as cdk8s renders objects, so the bootstrap files read like the charts. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const first = ['apiVersion', 'kind', 'metadata'].filter((k) => k in v);
    const rest = Object.keys(v).filter((k) => !first.includes(k)).sort();
    return Object.fromEntries([...first, ...rest].map((k) => [k, sortKeys(v[k])]));
  }
  return value;
}

function emptyToUndefined<T>(list: T[]): T[] | undefined {
  return list.length === 0 ? undefined : list;
}

/** Group kinds, each once, in the order first added. */
class KindSet {
  /** The kinds of each group: no key string built per object. */
  private readonly byGroup = new Map<string, Set<string>>();
  private readonly kinds: GroupKind[] = [];

  /** Adds a group kind (a second time changes nothing). */
  public add(group: string, kind: string): void {
    let kinds = this.byGroup.get(group);
    if (kinds === undefined) this.byGroup.set(group, kinds = new Set());
    if (kinds.has(kind)) return;
    kinds.add(kind);
    this.kinds.push({ group, kind });
  }

  /** Fresh copies of these kinds, then those of `more` not among them, in the order first seen. */
  public with(more: readonly KubeManifest[]): GroupKind[] {
    const all = new KindSet();
    for (const k of this.kinds) all.add(k.group, k.kind);
    for (const m of more) all.add(groupOf(m.apiVersion), m.kind);
    return all.kinds;
  }
}

/**
 * Raises the wave of each edge's `from` above its `to` until every edge holds, one round per
 * Application at most. False when it still changes then: the edges have a cycle.
 */
function relaxWaves<T>(waves: Map<T, number>, edges: readonly { readonly from: T; readonly to: T }[]): boolean {
  for (let round = 0; round <= waves.size; round++) {
    let changed = false;
    for (const e of edges) {
      if (waves.get(e.from)! <= waves.get(e.to)!) {
        waves.set(e.from, waves.get(e.to)! + 1);
        changed = true;
      }
    }
    if (!changed) return true;
  }
  return false;
}

function sortKinds(kinds: readonly GroupKind[]): GroupKind[] {
  return [...kinds].sort((a, b) => a.group.localeCompare(b.group) || a.kind.localeCompare(b.kind));
}

function bootstrapYaml(comment: string, docs: readonly unknown[]): string {
  return `# ${comment}\n${toYamlDocuments(docs)}`;
}
