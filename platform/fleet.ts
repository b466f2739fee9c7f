import { App, Chart } from 'cdk8s';
import { ClusterDescription, Fleet, FleetCluster, FleetClusterSpec, GitOpsDelivery } from '../lib';
import { ClusterSizing, PRODUCTION_CLUSTER } from './autoscaling';
import { GITOPS_REPOSITORY } from './gitops';
import { buildReferencePlatform, PlatformTarget } from './index';

/**
 * Staging: a small copy of production on 10 workers of the same size, at 5 % of the
 * production peak (load tests and the sale rehearsal), with everything else production runs.
 * The gateway's Envoy proxies are production's (30 cores of requests): they bind its size.
 */
export const STAGING_CLUSTER: ClusterDescription = {
  ...PRODUCTION_CLUSTER,
  name: 'k3s-staging-eu-central',
  nodes: 10,
  // One spare: a staging node failure must not stop a rehearsal, but two is production's bar.
  spareNodes: 1,
  // Prometheus, Grafana, Loki, KEDA, Gatekeeper and Argo CD's agents at staging size.
  otherWorkloads: { pods: 60, cpuRequest: '12', memoryRequest: '48Gi' },
};

/** The second production region: the same hardware as the first. */
export const PRODUCTION_CLUSTER_WEST: ClusterDescription = { ...PRODUCTION_CLUSTER, name: 'k3s-prod-eu-west' };

/**
 * The clusters of the reference fleet, in rollout order within each environment: staging
 * first (its own environment), then eu-central, then eu-west. Production traffic is split
 * evenly by the global load balancer.
 */
export const FLEET_CLUSTERS: readonly FleetClusterSpec[] = [
  {
    name: 'staging',
    environment: 'staging',
    region: 'eu-central',
    server: 'https://k3s-staging-eu-central.internal.shop.example.com:6443',
    description: STAGING_CLUSTER,
    trafficPercent: 100,
    // Rehearsals and load tests never touch the shop's own hostname.
    hostnames: ['staging.shop.example.com'],
  },
  {
    name: 'prod-eu-central',
    environment: 'production',
    region: 'eu-central',
    zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
    server: 'https://k3s-prod-eu-central.internal.shop.example.com:6443',
    description: PRODUCTION_CLUSTER,
    trafficPercent: 50,
  },
  {
    name: 'prod-eu-west',
    environment: 'production',
    region: 'eu-west',
    zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    server: 'https://k3s-prod-eu-west.internal.shop.example.com:6443',
    description: PRODUCTION_CLUSTER_WEST,
    trafficPercent: 50,
  },
];

/** Staging's part of the production peak and replica bounds. */
const STAGING_FACTOR = 0.05;

/**
 * How each environment's clusters are sized from the platform's numbers (one cluster taking
 * the whole production peak). A production region takes its share of the traffic but keeps
 * the full replica bounds: when the other region fails it must carry the whole peak (the
 * fleet report's region-loss figure shows it does).
 */
export function sizingOf(cluster: FleetClusterSpec): ClusterSizing {
  const share = cluster.trafficPercent / 100;
  return cluster.environment === 'staging'
    ? { cluster: cluster.description, trafficFactor: STAGING_FACTOR * share, replicaFactor: STAGING_FACTOR }
    : { cluster: cluster.description, trafficFactor: share, replicaFactor: 1 };
}

/** What {@link buildReferenceFleet} created. */
export interface ReferenceFleet {
  readonly fleet: Fleet;
  /** The chart of the fleet's AppProject and ApplicationSet (`dist/fleet/`). */
  readonly chart: Chart;
  /** Delivers the fleet chart from the root Application in `dist/bootstrap/`. */
  readonly delivery: GitOpsDelivery;
}

/**
 * The reference platform as a fleet: each cluster of {@link FLEET_CLUSTERS} gets the whole
 * platform, sized for it, under `dist/clusters/<cluster>/`; one ApplicationSet delivers them
 * all, staging before production and eu-central before eu-west.
 */
export function buildReferenceFleet(app: App): ReferenceFleet {
  const chart = new Chart(app, 'Fleet', { namespace: 'argocd' });
  const fleet = new Fleet(chart, 'Fleet', {
    clusters: FLEET_CLUSTERS,
    repoUrl: GITOPS_REPOSITORY.url,
    targetRevision: GITOPS_REPOSITORY.revision,
    pathPrefix: GITOPS_REPOSITORY.pathPrefix,
    name: 'ecommerce-fleet',
    build: (clusterApp, cluster) => {
      buildReferencePlatform(clusterApp, { cluster, sizing: sizingOf(cluster) });
    },
  });
  const gitops = new Chart(app, 'Gitops', { namespace: 'argocd' });
  const delivery = new GitOpsDelivery(gitops, 'Delivery', {
    repoUrl: GITOPS_REPOSITORY.url,
    targetRevision: GITOPS_REPOSITORY.revision,
    pathPrefix: GITOPS_REPOSITORY.pathPrefix,
    projectName: 'ecommerce-fleet-root',
    rootApplicationName: 'ecommerce-fleet-root',
  });
  return { fleet, chart, delivery };
}

/**
 * What {@link buildReferencePlatform} is given for the fleet cluster named `name`, as the
 * fleet builds it; undefined for a name not in {@link FLEET_CLUSTERS}. For tools that rebuild
 * one cluster's platform in-process (the promtool engine's rule tests).
 */
export function platformTargetOf(name: string): PlatformTarget | undefined {
  const spec = FLEET_CLUSTERS.find((c) => c.name === name);
  return spec ? { cluster: new FleetCluster(spec, GITOPS_REPOSITORY.pathPrefix), sizing: sizingOf(spec) } : undefined;
}
