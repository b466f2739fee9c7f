import { ManifestEntry, objectRef } from '../support/manifests';

/** One Rego module the library generated, as it ships in dist/. */
export interface RegoModule {
  /** A file name for it (unique per run). */
  readonly file: string;
  /** Where it comes from: `dist/<file>: <object> <field>`. */
  readonly origin: string;
  readonly source: string;
  /**
   * Inside a ConstraintTemplate, which the YAML keeps readable as a literal block by indenting
   * with two spaces where `opa fmt` writes a tab (a tab forces YAML's double-quoted style).
   */
  readonly indentedWithSpaces: boolean;
}

interface TemplateShape {
  spec: { targets: { rego?: string; libs?: string[] }[] };
}

/** Every Rego module in the manifests: each template's rego and libs, each `.rego` key of a ConfigMap. */
export function regoModules(manifests: readonly ManifestEntry[]): RegoModule[] {
  const modules: RegoModule[] = [];
  for (const { file, object } of manifests) {
    if (object.kind === 'ConstraintTemplate') {
      (object as unknown as TemplateShape).spec.targets.forEach((target, t) => {
        if (target.rego !== undefined) {
          modules.push({ file: `template-${object.metadata.name}-${t}.rego`, origin: `dist/${file}: ${objectRef(object)} spec.targets[${t}].rego`, source: target.rego, indentedWithSpaces: true });
        }
        (target.libs ?? []).forEach((lib, l) => {
          modules.push({ file: `template-${object.metadata.name}-${t}-lib${l}.rego`, origin: `dist/${file}: ${objectRef(object)} spec.targets[${t}].libs[${l}]`, source: lib, indentedWithSpaces: true });
        });
      });
    } else if (object.kind === 'ConfigMap') {
      for (const [key, value] of Object.entries((object.data as Record<string, string> | undefined) ?? {})) {
        if (key.endsWith('.rego')) {
          modules.push({ file: `configmap-${object.metadata.namespace}-${object.metadata.name}-${key}`, origin: `dist/${file}: ${objectRef(object)} data.${key}`, source: value, indentedWithSpaces: false });
        }
      }
    }
  }
  return modules;
}

/** The module with each leading two-space unit read as the tab `opa fmt` writes. */
export function tabIndented(source: string): string {
  return source.replace(/^((?: {2})+)/gm, (spaces) => '\t'.repeat(spaces.length / 2));
}
