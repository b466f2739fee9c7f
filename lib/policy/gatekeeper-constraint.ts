import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlainApiObject } from '../synth/plain-api-object';
import { JsonObject } from './admission-rule';

/** API version Gatekeeper 3.15 serves constraints at. */
export const CONSTRAINT_API_VERSION = 'constraints.gatekeeper.sh/v1beta1';

/** One entry of a constraint's `match.kinds`. */
export interface ConstraintMatchKind {
  /** API groups ("" for the core group). */
  readonly apiGroups: string[];
  /** Kinds. */
  readonly kinds: string[];
}

/** A constraint's `spec.match`: Gatekeeper's common match schema. */
export interface ConstraintMatch {
  /** Kinds the constraint reviews. */
  readonly kinds: ConstraintMatchKind[];
  /**
   * Namespaced objects only, cluster-scoped only, or both.
   * @default - both ("*")
   */
  readonly scope?: 'Namespaced' | 'Cluster' | '*';
  /**
   * Only objects in these namespaces.
   * @default - every namespace
   */
  readonly namespaces?: string[];
  /**
   * Not objects in these namespaces.
   * @default - none
   */
  readonly excludedNamespaces?: string[];
  /**
   * Only objects whose namespace's labels match.
   * @default - any
   */
  readonly namespaceSelector?: k8s.LabelSelector;
  /**
   * Only objects whose labels match.
   * @default - any
   */
  readonly labelSelector?: k8s.LabelSelector;
}

/** A constraint's `spec`. */
export interface ConstraintSpec {
  /** What the constraint reviews. */
  readonly match: ConstraintMatch;
  /**
   * Parameters, checked by the template's `openAPIV3Schema`.
   * @default - none
   */
  readonly parameters?: JsonObject;
  /** deny, dryrun or warn. */
  readonly enforcementAction: string;
}

/** Props for {@link GatekeeperConstraint}. */
export interface GatekeeperConstraintProps {
  /** The kind the ConstraintTemplate defines (`spec.crd.spec.names.kind`). */
  readonly kind: string;
  /** Metadata; constraints are cluster-scoped, so no namespace. */
  readonly metadata: ApiObjectMetadata;
  /** The constraint's spec. */
  readonly spec: ConstraintSpec;
}

/**
 * A Gatekeeper constraint (`constraints.gatekeeper.sh/v1beta1`). Its kind only exists once
 * Gatekeeper has processed the template, so there is no CRD to import: this is the typed
 * shape of Gatekeeper's common constraint schema.
 */
export class GatekeeperConstraint extends PlainApiObject {
  constructor(scope: Construct, id: string, props: GatekeeperConstraintProps) {
    super(scope, id, {
      apiVersion: CONSTRAINT_API_VERSION,
      kind: props.kind,
      metadata: props.metadata,
      spec: {
        enforcementAction: props.spec.enforcementAction,
        match: {
          ...props.spec.match,
          namespaceSelector: k8s.toJson_LabelSelector(props.spec.match.namespaceSelector),
          labelSelector: k8s.toJson_LabelSelector(props.spec.match.labelSelector),
        },
        parameters: props.spec.parameters,
      },
    });
  }
}
