import { Chart } from 'cdk8s';
import { ClusterDescription } from '../autoscaling/cluster-capacity';
import { GitOpsDeliveryProps } from '../gitops/gitops-delivery';
import { kebabCase } from '../synth/synthesizer';

/** One cluster of a {@link Fleet}: where it is, what it is, and what it takes. */
export interface FleetClusterSpec {
  /**
   * Cluster name (a DNS-1123 label): its output folder is `clusters/<name>/`, and it prefixes
   * its Applications and AppProjects, which share Argo CD's namespace with every other cluster's.
   */
  readonly name: string;
  /**
   * The environment it belongs to (for example "staging" or "production"). Clusters roll
   * out environment by environment, in {@link FleetProps.environments} order.
   */
  readonly environment: string;
  /** Its region (for example "eu-central"): the unit the region-loss figure removes. */
  readonly region: string;
  /**
   * Its zones, for people and reports.
   * @default - not stated
   */
  readonly zones?: readonly string[];
  /**
   * The cluster's API server as Argo CD knows it (a cluster Secret's `server`): the
   * destination of its Applications. Unique in the fleet.
   */
  readonly server: string;
  /** Nodes and limits of the cluster: its capacity check and report use it. */
  readonly description: ClusterDescription;
  /**
   * The share of its environment's peak traffic the cluster takes, in percent (the global
   * load balancer's weight). The shares of one environment sum to 100.
   */
  readonly trafficPercent: number;
  /**
   * The public hostnames its gateway serves, when they differ by cluster.
   * @default - the platform's own
   */
  readonly hostnames?: readonly string[];
}

/** The GitOpsDelivery settings a cluster of a fleet needs; see {@link FleetCluster.deliveryProps}. */
export type FleetDeliveryProps = Required<Pick<GitOpsDeliveryProps,
'pathPrefix' | 'destinationServer' | 'projectName' | 'applicationOf' | 'bootstrap' | 'emitApplications'>>;

/**
 * A cluster of a fleet as its platform is built: the declaration, and the names and
 * delivery settings that keep its objects apart from the other clusters' in Argo CD.
 */
export class FleetCluster implements FleetClusterSpec {
  /** Cluster name: its folder, and the suffix of its Applications and AppProjects. */
  public readonly name: string;
  /** Its environment. */
  public readonly environment: string;
  /** Its region. */
  public readonly region: string;
  /** Its zones, if stated. */
  public readonly zones?: readonly string[];
  /** Its API server, as Argo CD names it. */
  public readonly server: string;
  /** Its nodes and limits. */
  public readonly description: ClusterDescription;
  /** Its share of its environment's peak traffic, in percent. */
  public readonly trafficPercent: number;
  /** Its gateway's public hostnames, if they differ by cluster. */
  public readonly hostnames?: readonly string[];
  /** Its output folder, relative to the fleet's output: `clusters/<name>`. */
  public readonly folder: string;
  /** Its folder inside the Git repository (`<pathPrefix>/clusters/<name>`). */
  public readonly repoFolder: string;

  /**
   * A {@link Fleet} makes one per declared cluster; a tool that rebuilds one cluster's
   * platform outside the fleet makes the same from the declaration and the fleet's `pathPrefix`.
   */
  constructor(spec: FleetClusterSpec, repoPathPrefix: string) {
    this.name = spec.name;
    this.environment = spec.environment;
    this.region = spec.region;
    this.zones = spec.zones;
    this.server = spec.server;
    this.description = spec.description;
    this.trafficPercent = spec.trafficPercent;
    this.hostnames = spec.hostnames;
    this.folder = `clusters/${spec.name}`;
    this.repoFolder = repoPathPrefix === '' ? this.folder : `${repoPathPrefix}/${this.folder}`;
  }

  /** `value` times the cluster's traffic share: its part of a peak given for the whole environment. */
  public share(value: number): number {
    return (value * this.trafficPercent) / 100;
  }

  /** A name made unique in the fleet: `<base>-<cluster>` (AppProjects, for example). */
  public scopedName(base: string): string {
    return `${base}-${this.name}`;
  }

  /**
   * What the cluster's GitOpsDelivery must be given, spread into its props: its folder in
   * the repository, its API server, cluster-scoped project and Application names, and no
   * bootstrap files or Application objects of its own (the fleet's ApplicationSet creates
   * the Applications from the delivery's plan).
   */
  public deliveryProps(projectName: string): FleetDeliveryProps {
    return {
      pathPrefix: this.repoFolder,
      destinationServer: this.server,
      projectName: this.scopedName(projectName),
      // The chart's folder (its default path), after the cluster: `prod-eu-west-catalog-functions`.
      applicationOf: (chart: Chart) => `${this.name}-${kebabCase(chart.node.id)}`,
      bootstrap: false,
      emitApplications: false,
    };
  }
}

