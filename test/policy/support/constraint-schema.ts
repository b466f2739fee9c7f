/**
 * Constraint kinds have no CRD file: Gatekeeper generates each one from its template. This
 * builds that schema the way Gatekeeper 3.15 does (its common match schema, the template's
 * openAPIV3Schema as `parameters`, `enforcementAction`), closed like a structural schema, so
 * constraints get the same strict validation as every other object.
 */
import Ajv from 'ajv';
import { KubeObject } from '../../support/synth';

type Schema = { [key: string]: unknown };

const LABEL_SELECTOR: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: { key: { type: 'string' }, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};

const MATCH: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kinds: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false,
        properties: { apiGroups: { type: 'array', items: { type: 'string' } }, kinds: { type: 'array', items: { type: 'string' } } },
      },
    },
    scope: { enum: ['*', 'Cluster', 'Namespaced'] },
    namespaces: { type: 'array', items: { type: 'string' } },
    excludedNamespaces: { type: 'array', items: { type: 'string' } },
    labelSelector: LABEL_SELECTOR,
    namespaceSelector: LABEL_SELECTOR,
    name: { type: 'string' },
    source: { enum: ['All', 'Generated', 'Original'] },
  },
};

/** An OpenAPI schema closed at every object that lists its properties (unknown fields are errors). */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'description' ? v : closed(v);
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** The schema Gatekeeper generates for the kind of `template`. */
export function constraintSchema(template: KubeObject): Schema {
  const spec = template.spec as { crd: { spec: { validation?: { openAPIV3Schema?: unknown } } } };
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { const: 'constraints.gatekeeper.sh/v1beta1' },
      kind: { type: 'string' },
      metadata: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', maxLength: 63 },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      spec: {
        type: 'object',
        additionalProperties: false,
        properties: {
          match: MATCH,
          parameters: closed(spec.crd.spec.validation?.openAPIV3Schema ?? { type: 'object' }),
          enforcementAction: { type: 'string' },
        },
      },
    },
  };
}

/** Validates every constraint in `objects` against the schema of its template in `objects`. */
export function validateConstraints(objects: readonly KubeObject[]): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const templates = new Map(objects.filter((o) => o.kind === 'ConstraintTemplate')
    .map((t) => [(t.spec as { crd: { spec: { names: { kind: string } } } }).crd.spec.names.kind, t]));
  const problems: string[] = [];
  for (const c of objects.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1')) {
    const template = templates.get(c.kind);
    if (!template) {
      problems.push(`${c.kind}/${c.metadata.name}: no ConstraintTemplate defines kind ${c.kind}`);
      continue;
    }
    const validate = ajv.compile(constraintSchema(template));
    const id = `${c.kind}/${c.metadata.name}`;
    if (!validate(c as unknown)) {
      problems.push(...(validate.errors ?? []).map((e) => `${id} ${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`));
    }
  }
  return problems;
}
