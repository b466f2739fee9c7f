import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { oneLine } from '../core/names';
import { constructsOf } from './synth-session';

/** Props for {@link NestedApp}. */
export interface NestedAppProps {
  /** The app whose output is published inside this one's. */
  readonly app: App;
  /**
   * The folder of the output the nested app's files go to, relative and `/`-separated (for
   * example "clusters/prod-eu-central"). Its problems are reported under this folder too.
   */
  readonly folder: string;
}

/**
 * A whole cdk8s app synthesized as part of another: validated with it (every problem of
 * either stops the synth, nothing is written) and published in the same atomic write, under
 * `folder`. A fleet is one app per cluster: the same charts and object names in every
 * cluster, so each cluster is an app of its own, with its own duplicate checks and reports.
 */
export class NestedApp extends Construct {
  /** Every nested app under `scope`, in construction order. */
  public static all(scope: IConstruct): NestedApp[] {
    return constructsOf(scope).filter((c): c is NestedApp => c instanceof NestedApp);
  }

  /** The nested app. */
  public readonly app: App;
  /** Its output folder. */
  public readonly folder: string;

  constructor(scope: Construct, id: string, props: NestedAppProps) {
    super(scope, id);
    this.app = props.app;
    this.folder = props.folder;
    this.node.addValidation({
      validate: () => /^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(this.folder)
        ? [] : [`folder "${oneLine(String(this.folder))}" must be a relative folder of letters, digits, '.', '_', '-' and '/' inside the output folder, without a trailing '/'`],
    });
  }
}
