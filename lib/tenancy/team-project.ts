import { Construct } from 'constructs';
import { AppProject } from '../../imports/argocd-appprojects-argoproj.io';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label, checkUrl, oneLine } from '../core/names';
import { SYNC_WAVE_ANNOTATION, SyncWave } from '../gitops/sync-wave';
import { Team, TEAM_LABEL } from './team';
import { TEAM_MANAGED_RESOURCES } from './team-resources';
import * as plain from '../synth/plain-bindings';

/** A kind an AppProject admits. */
export interface ProjectKind {
  /** API group ('' for the core group). */
  readonly group: string;
  readonly kind: string;
}

/**
 * What a team's Applications may deliver by default: what its group may manage
 * (TEAM_MANAGED_RESOURCES), plus the NetworkPolicies every WasmFunction renders for its
 * own pods; they arrive reviewed from Git, not by hand.
 */
export const TEAM_PROJECT_KINDS: readonly ProjectKind[] = [
  ...TEAM_MANAGED_RESOURCES.map((r) => ({ group: r.apiGroup, kind: r.kind })),
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
];

/** Props for {@link TeamProject}. */
export interface TeamProjectProps {
  /** The team whose Applications the project holds. */
  readonly team: Team;
  /** The Git repository the team's Applications may read (`https://...` or `ssh://...`). */
  readonly repoUrl: string;
  /**
   * Namespace Argo CD runs in.
   * @default "argocd"
   */
  readonly argoCdNamespace?: string;
  /**
   * API server of the cluster the team's namespaces are on.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
  /**
   * Namespaced kinds the team's Applications may deliver; no cluster-scoped kind is ever
   * admitted.
   * @default TEAM_PROJECT_KINDS
   */
  readonly kinds?: readonly ProjectKind[];
  /**
   * The AppProject's name. Argo CD's projects share one namespace: a team delivered to
   * several clusters by one Argo CD gets a project per cluster (for example "catalog-staging").
   * @default - the team's name
   */
  readonly projectName?: string;
}

/**
 * An Argo CD AppProject for one team: its Applications may read only `repoUrl`, deliver
 * only to the team's namespaces, and only the kinds its functions are made of (never a
 * cluster-scoped one, a quota or an RBAC object); the team's group gets an Argo CD role that
 * syncs and reads the project's Applications and nothing else. Create it in the chart Argo
 * CD's own objects are in (the one holding the GitOpsDelivery).
 */
export class TeamProject extends Construct {
  /** The AppProject. */
  public readonly resource: AppProject;
  /** Project name: `projectName`, or the team's name. */
  public readonly projectName: string;

  constructor(scope: Construct, id: string, props: TeamProjectProps) {
    super(scope, id);
    const team = props.team;
    const server = props.destinationServer ?? 'https://kubernetes.default.svc';
    const argoCdNamespace = props.argoCdNamespace ?? 'argocd';
    const kinds = props.kinds ?? TEAM_PROJECT_KINDS;
    this.projectName = props.projectName ?? team.name;

    this.node.addValidation({
      validate: () => [
        checkUrl('repoUrl', props.repoUrl, ['https', 'ssh']),
        checkUrl('destinationServer', server, ['https', 'http']),
        checkDns1123Label('argoCdNamespace', argoCdNamespace),
        checkDns1123Label('projectName', this.projectName),
        ...kinds.filter((k) => typeof k.kind !== 'string' || k.kind.trim() === '')
          .map((k) => `kinds has an entry with an empty kind (group "${oneLine(String(k.group))}"): name the kind`),
      ].filter((e): e is string => e !== undefined),
    });

    this.resource = new plain.AppProject(this, 'Resource', {
      metadata: {
        name: this.projectName,
        namespace: argoCdNamespace,
        labels: { [TEAM_LABEL]: team.name, [LABELS.managedBy]: MANAGED_BY, [LABELS.partOf]: 'tenancy' },
        // Before any Application that names it, as the platform's own project.
        annotations: { [SYNC_WAVE_ANNOTATION]: String(SyncWave.FOUNDATION.value - 1) },
      },
      spec: {
        description: `Functions of team ${team.name}, delivered from ${props.repoUrl}`,
        sourceRepos: [props.repoUrl],
        destinations: [...new Set(team.namespaces)].sort().map((namespace) => ({ server, namespace })),
        // No clusterResourceWhitelist: an AppProject without one admits no cluster-scoped kind.
        namespaceResourceWhitelist: [...kinds].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`))
          .map((k) => ({ group: k.group, kind: k.kind })),
        orphanedResources: { warn: true },
        roles: [{
          name: 'team',
          description: `Members of ${team.group}: sync and read the project's Applications`,
          groups: [team.group],
          policies: [
            `p, proj:${this.projectName}:team, applications, get, ${this.projectName}/*, allow`,
            `p, proj:${this.projectName}:team, applications, sync, ${this.projectName}/*, allow`,
          ],
        }],
      },
    });
  }
}
