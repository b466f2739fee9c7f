import { Construct } from 'constructs';
import { oneLine } from '../core/names';
import { constructsOf } from './synth-session';

/** Props for {@link OutputArtifact}. */
export interface OutputArtifactProps {
  /**
   * Path of the file relative to the output folder, with `/` separators. Keep it out of
   * every folder an Argo CD Application syncs (for example `reports/capacity.md`).
   */
  readonly path: string;
  /** Produces the file's content at synth, after every construct has validated. */
  readonly render: () => string;
}

/**
 * A file written beside the manifests that is not a Kubernetes object: a report for
 * people, for example. It is written in the same atomic step as the manifests.
 */
export class OutputArtifact extends Construct {
  /** Every artifact under `scope`, in construction order. */
  public static all(scope: Construct): OutputArtifact[] {
    return constructsOf(scope).filter((c): c is OutputArtifact => c instanceof OutputArtifact);
  }

  public readonly path: string;
  private readonly producer: () => string;

  constructor(scope: Construct, id: string, props: OutputArtifactProps) {
    super(scope, id);
    this.path = props.path;
    this.producer = props.render;
    this.node.addValidation({
      validate: () => /^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]+$/.test(this.path)
        ? [] : [`path "${oneLine(String(this.path))}" must be a relative path of letters, digits, '.', '_', '-' and '/' inside the output folder`],
    });
  }

  /** The file's content. */
  public render(): string {
    return this.producer();
  }
}
