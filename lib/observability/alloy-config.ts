/**
 * A small typed writer for Grafana Alloy's configuration syntax, so the generated config
 * is built from values (quoted and escaped once, here) instead of string templates.
 */

/** An Alloy expression written as is (a reference such as `loki.write.default.receiver`). */
export class AlloyExpr {
  /** A reference or function call, written verbatim. */
  public static raw(text: string): AlloyExpr {
    return new AlloyExpr(text);
  }
  private constructor(public readonly text: string) {}
}

/** A value of an Alloy attribute. */
export type AlloyValue = string | number | boolean | AlloyExpr | readonly AlloyValue[] | { readonly [key: string]: AlloyValue };

/** A block: `name "label" { attributes and nested blocks }`. */
export interface AlloyBlock {
  readonly name: string;
  readonly label?: string;
  /** Attributes, in order. */
  readonly attributes?: readonly [string, AlloyValue][];
  /** Nested blocks, after the attributes. */
  readonly blocks?: readonly AlloyBlock[];
}

function renderValue(v: AlloyValue, indent: string): string {
  if (v instanceof AlloyExpr) return v.text;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    return `[${(v as readonly AlloyValue[]).map((x) => renderValue(x, indent)).join(', ')}]`;
  }
  const entries = Object.entries(v as Record<string, AlloyValue>);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)} = ${renderValue(x, inner)},`).join('\n')}\n${indent}}`;
}

function renderBlock(b: AlloyBlock, indent: string): string {
  const head = `${indent}${b.name}${b.label !== undefined ? ` ${JSON.stringify(b.label)}` : ''} {`;
  const inner = `${indent}  `;
  const attrs = b.attributes ?? [];
  const width = Math.max(0, ...attrs.map(([k]) => k.length));
  const lines = [
    ...attrs.map(([k, v]) => `${inner}${k.padEnd(width)} = ${renderValue(v, inner)}`),
    ...(b.blocks ?? []).map((c) => renderBlock(c, inner)),
  ];
  return lines.length === 0 ? `${head}}` : `${head}\n${lines.join('\n')}\n${indent}}`;
}

/** The configuration text of a list of top-level blocks. */
export function renderAlloy(blocks: readonly AlloyBlock[], header?: string): string {
  const comment = header ? `${header.split('\n').map((l) => `// ${l}`.trimEnd()).join('\n')}\n\n` : '';
  return `${comment}${blocks.map((b) => renderBlock(b, '')).join('\n\n')}\n`;
}

/**
 * The `job` label of OPA's decision log lines in Loki: `{job="opa-decisions"}` is the
 * authorization audit trail, one JSON line per decision.
 */
export const OPA_DECISION_LOG_JOB = 'opa-decisions';

/**
 * What OPA's console decision logger writes in every decision line (its `type` field) and in
 * no other line it logs itself.
 */
export const OPA_DECISION_LOG_TYPE = 'openpolicyagent.org/decision_logs';

/** What the pod log pipeline collects and where it sends it. */
export interface PodLogPipelineOptions {
  /** Namespaces whose pods' logs are collected. */
  readonly namespaces: readonly string[];
  /**
   * Namespaces of OPA authorizers (among `namespaces`) whose decision lines get
   * `job="opa-decisions"`.
   */
  readonly decisionLogNamespaces?: readonly string[];
  /** Loki's push endpoint. */
  readonly lokiPushUrl: string;
  /** Tenant sent as X-Scope-OrgID, when Loki runs multi-tenant. */
  readonly tenant?: string;
}

/**
 * The pod log pipeline for an Alloy DaemonSet: each Alloy pod discovers the pods of its
 * own node in the chosen namespaces and tails their files under /var/log/pods (no API
 * server streaming, which would not scale to thousands of pods), parses the CRI format,
 * and pushes to Loki with `namespace`, `function` (pods of a function), `app`,
 * `container` and `stream` labels. The pod name is high-cardinality and churns with every
 * scale-out, so it travels as structured metadata, not as a label. OPA's decision lines in
 * `decisionLogNamespaces` also get `job="opa-decisions"`, so the audit trail is one stream
 * selector away and apart from OPA's own server logs.
 */
export function podLogPipeline(o: PodLogPipelineOptions): AlloyBlock[] {
  const rule = (attributes: [string, AlloyValue][]): AlloyBlock => ({ name: 'rule', attributes });
  return [
    {
      name: 'discovery.kubernetes',
      label: 'pods',
      attributes: [['role', 'pod']],
      blocks: [
        {
          name: 'selectors',
          attributes: [
            ['role', 'pod'],
            ['field', AlloyExpr.raw('"spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)')],
          ],
        },
        { name: 'namespaces', attributes: [['names', [...o.namespaces]]] },
      ],
    },
    {
      name: 'discovery.relabel',
      label: 'pods',
      attributes: [['targets', AlloyExpr.raw('discovery.kubernetes.pods.targets')]],
      blocks: [
        rule([['source_labels', ['__meta_kubernetes_namespace']], ['target_label', 'namespace']]),
        rule([['source_labels', ['__meta_kubernetes_pod_label_app_kubernetes_io_name']], ['target_label', 'app']]),
        // Only pods of a WasmFunction get a `function` label; gateway pods keep `app`.
        rule([
          ['source_labels', ['__meta_kubernetes_pod_label_app_kubernetes_io_component', '__meta_kubernetes_pod_label_app_kubernetes_io_name']],
          ['separator', ';'],
          ['regex', 'function;(.+)'],
          ['target_label', 'function'],
          ['replacement', '$1'],
        ]),
        rule([['source_labels', ['__meta_kubernetes_pod_name']], ['target_label', 'pod']]),
        rule([['source_labels', ['__meta_kubernetes_pod_container_name']], ['target_label', 'container']]),
        rule([
          ['source_labels', ['__meta_kubernetes_pod_uid', '__meta_kubernetes_pod_container_name']],
          ['separator', '/'],
          ['target_label', '__path__'],
          ['replacement', '/var/log/pods/*$1/*.log'],
        ]),
      ],
    },
    {
      name: 'local.file_match',
      label: 'pods',
      attributes: [['path_targets', AlloyExpr.raw('discovery.relabel.pods.output')]],
    },
    {
      name: 'loki.source.file',
      label: 'pods',
      attributes: [
        ['targets', AlloyExpr.raw('local.file_match.pods.targets')],
        ['forward_to', [AlloyExpr.raw('loki.process.pods.receiver')]],
      ],
    },
    {
      name: 'loki.process',
      label: 'pods',
      attributes: [['forward_to', [AlloyExpr.raw('loki.write.default.receiver')]]],
      blocks: [
        { name: 'stage.cri' },
        // After stage.cri, so the line filter reads OPA's JSON, not the CRI envelope.
        ...(o.decisionLogNamespaces ?? []).map((ns): AlloyBlock => ({
          name: 'stage.match',
          attributes: [['selector', `{namespace=${JSON.stringify(ns)}} |= ${JSON.stringify(OPA_DECISION_LOG_TYPE)}`]],
          blocks: [{ name: 'stage.static_labels', attributes: [['values', { job: OPA_DECISION_LOG_JOB }]] }],
        })),
        // Moves the discovered `pod` label to structured metadata (Loki 3, schema v13).
        { name: 'stage.structured_metadata', attributes: [['values', { pod: '' }]] },
        // loki.source.file adds the file path as a label: one stream per pod again.
        { name: 'stage.label_drop', attributes: [['values', ['filename']]] },
      ],
    },
    {
      name: 'loki.write',
      label: 'default',
      blocks: [{
        name: 'endpoint',
        attributes: [
          ['url', o.lokiPushUrl],
          ...(o.tenant !== undefined ? [['tenant_id', o.tenant] as [string, AlloyValue]] : []),
        ],
      }],
    },
  ];
}
