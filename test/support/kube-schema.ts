/**
 * Strict, offline schema validation of Kubernetes objects for the tests.
 *
 * Every synthesized object is checked as an API server with strict field
 * validation (`kubectl apply --validate=strict`) would check it: unknown
 * fields, missing required fields, wrong types and values outside an enum are
 * all violations. Core kinds come from the Kubernetes 1.30 swagger
 * definitions in `schemas/`, custom resources from the CRDs in `crds/`.
 *
 * The checks themselves are plain JSON Schema, run by ajv. This module only
 * loads the schemas and rewrites them once so that JSON Schema means what
 * Kubernetes means (see `strictify`).
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import * as yaml from 'js-yaml';

export interface SchemaViolation {
  /** Field path in the object, e.g. `spec.template.spec.containers[0].image`; '' for the object itself. */
  readonly path: string;
  /** What is wrong and, where it helps, what is allowed. */
  readonly message: string;
}

export interface KubeValidator {
  /** Returns every violation of the object against its kind's schema; [] when valid. Unknown apiVersion/kind is a violation. */
  validate(obj: unknown): SchemaViolation[];
  /** True when the validator knows this apiVersion + kind. */
  knows(apiVersion: string, kind: string): boolean;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCHEMAS_DIR = path.join(REPO_ROOT, 'schemas');
const CRDS_DIR = path.join(REPO_ROOT, 'crds');

/** `$id` under which the core swagger definitions are registered with ajv. */
const CORE_ID = 'kubernetes-definitions';
const DEF_PREFIX = 'io.k8s.';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

const coreRef = (definition: string): string => `${CORE_ID}#/definitions/${definition}`;

/**
 * The Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource),
 * as kube-openapi publishes it for `x-kubernetes-int-or-string` quantities.
 */
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Go's time.ParseDuration: "300ms", "-1.5h", "2h45m". */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$/;
/** The longer spellings kube-openapi's strfmt also accepts: "3 days", "1 week". */
const WORDY_DURATION = /^(\s*\d+\s*(ns|nano|us|µs|micro|ms|milli|s|sec|m|min|h|hr|hour|d|day|w|wk|week)s?\s*)+$/;

type FormatDefinition =
  | { readonly type: 'number'; readonly validate: (value: number) => boolean }
  | { readonly type: 'string'; readonly validate: (value: string) => boolean };

/**
 * The formats the schemas use. Kubernetes ignores formats it does not know,
 * so `strictify` drops any format that is not listed here.
 */
const FORMATS: Record<string, FormatDefinition> = {
  'int32': { type: 'number', validate: (n) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX },
  'int64': { type: 'number', validate: (n) => Number.isInteger(n) },
  'double': { type: 'number', validate: (n) => Number.isFinite(n) },
  'float': { type: 'number', validate: (n) => Number.isFinite(n) },
  'byte': { type: 'string', validate: (s) => BASE64.test(s) },
  'date-time': { type: 'string', validate: (s) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) },
  'date': { type: 'string', validate: (s) => FULL_DATE.test(s) && !Number.isNaN(Date.parse(s)) },
  'duration': { type: 'string', validate: (s) => GO_DURATION.test(s) || WORDY_DURATION.test(s) },
  'ipv4': { type: 'string', validate: (s) => net.isIPv4(s) },
  'ipv6': { type: 'string', validate: (s) => net.isIPv6(s) },
  'password': { type: 'string', validate: () => true },
};

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

/** A Go (RE2) inline flag group at the start of a pattern, e.g. `^(?i)(abort|warn)?$`. */
const GO_LEADING_FLAGS = /^(\^?)\(\?([ims]+)\)/;

/**
 * CRD patterns are Go regular expressions. They are JavaScript ones too,
 * except for inline flags, which JavaScript only takes after the slash:
 * a leading `(?i)` becomes the `i` flag.
 */
const goRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => {
    const match = GO_LEADING_FLAGS.exec(pattern);
    if (!match) {
      return new RegExp(pattern, flags);
    }
    return new RegExp(match[1] + pattern.slice(match[0].length), flags + match[2]);
  },
  { code: 'goRegExp' },
);

// ---------------------------------------------------------------------------
// Schema rewriting
// ---------------------------------------------------------------------------

type Schema = { [keyword: string]: unknown };

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface StrictifyContext {
  /** CRD schemas are structural: a bare `type: object` holds no fields at all. */
  readonly crd: boolean;
  /**
   * Inside allOf/anyOf/oneOf/not. Structural schemas repeat properties there
   * only to constrain them, so those must not close the object.
   */
  readonly inJunctor: boolean;
}

const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties'] as const;
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf'] as const;

/**
 * Returns a copy of an OpenAPI v3 (Kubernetes flavour) schema that ajv
 * validates the way the API server does:
 *
 * - objects that declare `properties` but no `additionalProperties` get
 *   `additionalProperties: false` (strict field validation reports what
 *   pruning or the strict decoder would drop), unless they carry
 *   `x-kubernetes-preserve-unknown-fields: true`; in a CRD, a bare
 *   `type: object` is closed too, since the server prunes every field of it;
 * - `x-kubernetes-embedded-resource` objects accept apiVersion, kind and
 *   ObjectMeta metadata, and require apiVersion and kind;
 * - `x-kubernetes-int-or-string` becomes `type: [integer, string]`;
 * - `x-kubernetes-list-type: set` (CRDs) becomes `uniqueItems: true`;
 * - OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become the
 *   numeric JSON Schema form; unknown formats are dropped.
 *
 * Only schema positions are walked, never the keys of `properties`, so a
 * field named `default`, `type` or `properties` stays a field.
 */
function strictify(input: unknown, ctx: StrictifyContext): unknown {
  if (!isRecord(input)) {
    return input;
  }
  const schema: Schema = { ...input };

  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const children = schema[keyword];
    if (isRecord(children)) {
      schema[keyword] = Object.fromEntries(
        Object.entries(children).map(([name, child]) => [name, strictify(child, { ...ctx, inJunctor: false })]),
      );
    }
  }
  if (isRecord(schema.additionalProperties)) {
    schema.additionalProperties = strictify(schema.additionalProperties, { ...ctx, inJunctor: false });
  }
  if (Array.isArray(schema.items)) {
    schema.items = schema.items.map((item) => strictify(item, { ...ctx, inJunctor: false }));
  } else if (isRecord(schema.items)) {
    schema.items = strictify(schema.items, { ...ctx, inJunctor: false });
  }
  for (const keyword of SCHEMA_LIST_KEYWORDS) {
    const list = schema[keyword];
    if (Array.isArray(list)) {
      schema[keyword] = list.map((child) => strictify(child, { ...ctx, inJunctor: true }));
    }
  }
  if (isRecord(schema.not)) {
    schema.not = strictify(schema.not, { ...ctx, inJunctor: true });
  }

  if (schema['x-kubernetes-int-or-string'] === true) {
    schema.type = ['integer', 'string'];
    // The conventional `anyOf: [{type: integer}, {type: string}]` only restates the type.
    if (Array.isArray(schema.anyOf) && schema.anyOf.every((s) => isRecord(s) && Object.keys(s).join() === 'type')) {
      delete schema.anyOf;
    }
  }

  if (typeof schema.format === 'string' && !(schema.format in FORMATS)) {
    delete schema.format;
  }

  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[exclusive] === 'boolean') {
      if (schema[exclusive] === true && typeof schema[bound] === 'number') {
        schema[exclusive] = schema[bound];
        delete schema[bound];
      } else {
        delete schema[exclusive];
      }
    }
  }

  if (ctx.crd && schema['x-kubernetes-list-type'] === 'set') {
    schema.uniqueItems = true;
  }

  if (schema['x-kubernetes-embedded-resource'] === true) {
    schema.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: coreRef(OBJECT_META) },
      ...(isRecord(schema.properties) ? schema.properties : {}),
    };
    const required = Array.isArray(schema.required) ? schema.required : [];
    schema.required = [...new Set([...required, 'apiVersion', 'kind'])];
  }

  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!ctx.inJunctor && !open && !('additionalProperties' in schema)) {
    const declaresFields = isRecord(schema.properties);
    const bareCrdObject = ctx.crd && schema.type === 'object' && !('patternProperties' in schema);
    if (declaresFields || bareCrdObject) {
      schema.additionalProperties = false;
    }
  }

  return schema;
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

type KindSchema =
  | { readonly source: 'core'; readonly ref: string }
  | { readonly source: 'crd'; readonly schema: Schema; readonly file: string };

const kindKey = (apiVersion: string, kind: string): string => `${apiVersion} ${kind}`;

function loadCoreDefinitions(): { definitions: Record<string, unknown>; kinds: Map<string, KindSchema> } {
  const file = fs.readdirSync(SCHEMAS_DIR).find((f) => /^kubernetes-.*-definitions\.json$/.test(f));
  if (!file) {
    throw new Error(`no kubernetes-<version>-definitions.json in ${SCHEMAS_DIR}`);
  }
  const raw: unknown = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf-8'));
  // The file is either a swagger document's `definitions` or the whole object holding it.
  const source = isRecord(raw) && isRecord(raw.definitions) ? raw.definitions : raw;
  if (!isRecord(source)) {
    throw new Error(`${file}: expected an object of definitions`);
  }

  const definitions: Record<string, unknown> = {};
  const kinds = new Map<string, KindSchema>();
  for (const [name, definition] of Object.entries(source)) {
    definitions[name] = strictify(definition, { crd: false, inJunctor: false });
    const gvks = isRecord(definition) ? definition['x-kubernetes-group-version-kind'] : undefined;
    if (!name.startsWith(DEF_PREFIX) || !Array.isArray(gvks)) {
      continue;
    }
    for (const gvk of gvks) {
      if (isRecord(gvk) && typeof gvk.kind === 'string' && typeof gvk.version === 'string') {
        const group = typeof gvk.group === 'string' ? gvk.group : '';
        const apiVersion = group === '' ? gvk.version : `${group}/${gvk.version}`;
        kinds.set(kindKey(apiVersion, gvk.kind), { source: 'core', ref: coreRef(name) });
      }
    }
  }
  // The swagger says oneOf string/number for both; Kubernetes is more precise.
  definitions[INT_OR_STRING] = { type: ['integer', 'string'] };
  definitions[QUANTITY] = { type: ['string', 'number'], pattern: QUANTITY_PATTERN };
  return { definitions, kinds };
}

function loadCrdKinds(): Map<string, KindSchema> {
  const kinds = new Map<string, KindSchema>();
  if (!fs.existsSync(CRDS_DIR)) {
    return kinds;
  }
  const files = fs.readdirSync(CRDS_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const file of files) {
    for (const doc of yaml.loadAll(fs.readFileSync(path.join(CRDS_DIR, file), 'utf-8'))) {
      if (!isRecord(doc) || doc.kind !== 'CustomResourceDefinition' || doc.apiVersion !== 'apiextensions.k8s.io/v1') {
        continue;
      }
      const spec = isRecord(doc.spec) ? doc.spec : {};
      const names = isRecord(spec.names) ? spec.names : {};
      if (typeof spec.group !== 'string' || typeof names.kind !== 'string' || !Array.isArray(spec.versions)) {
        throw new Error(`crds/${file}: CustomResourceDefinition without spec.group, spec.names.kind or spec.versions`);
      }
      for (const version of spec.versions) {
        if (!isRecord(version) || version.served !== true || typeof version.name !== 'string') {
          continue;
        }
        const apiVersion = `${spec.group}/${version.name}`;
        const openApi = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
        kinds.set(kindKey(apiVersion, names.kind), {
          source: 'crd',
          file,
          schema: crdRootSchema(openApi, apiVersion, names.kind),
        });
      }
    }
  }
  return kinds;
}

/**
 * A CRD version's schema, strictified, with the parts the API server owns
 * filled in: apiVersion and kind must name this served version, and metadata
 * is a full ObjectMeta (CRDs only say `type: object`).
 */
function crdRootSchema(openApi: unknown, apiVersion: string, kind: string): Schema {
  // A CRD without a schema accepts anything (apiextensions.k8s.io/v1 requires one, but be safe).
  const base = isRecord(openApi) ? openApi : { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const schema = strictify(base, { crd: true, inJunctor: false }) as Schema;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return {
    ...schema,
    type: 'object',
    properties: {
      ...properties,
      apiVersion: { type: 'string', const: apiVersion },
      kind: { type: 'string', const: kind },
      metadata: { $ref: coreRef(OBJECT_META) },
    },
    required: [...new Set([...required, 'apiVersion', 'kind'])],
  };
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function decodePointer(pointer: string): string[] {
  if (pointer === '') {
    return [];
  }
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `spec.containers[0].env[1].name`, with map keys like `app.kubernetes.io/name` quoted. */
function fieldPath(obj: unknown, segments: readonly string[]): string {
  let out = '';
  let current: unknown = obj;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      out += `[${segment}]`;
      current = current[Number(segment)];
    } else {
      out += IDENTIFIER.test(segment) ? `${out === '' ? '' : '.'}${segment}` : `[${JSON.stringify(segment)}]`;
      current = isRecord(current) ? current[segment] : undefined;
    }
  }
  return out;
}

function valueAt(obj: unknown, segments: readonly string[]): unknown {
  let current: unknown = obj;
  for (const segment of segments) {
    current = Array.isArray(current) ? current[Number(segment)] : isRecord(current) ? current[segment] : undefined;
  }
  return current;
}

function jsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
  }
  return typeof value === 'string' ? `string ${JSON.stringify(value)}` : typeof value;
}

function toViolation(obj: unknown, error: ErrorObject): SchemaViolation {
  const segments = decodePointer(error.instancePath);
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        path: fieldPath(obj, [...segments, String(params.additionalProperty)]),
        message: `unknown field "${String(params.additionalProperty)}"`,
      };
    case 'required':
      return {
        path: fieldPath(obj, [...segments, String(params.missingProperty)]),
        message: `required field "${String(params.missingProperty)}" is missing`,
      };
    case 'enum':
      return {
        path: fieldPath(obj, segments),
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path: fieldPath(obj, segments), message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return {
        path: fieldPath(obj, segments),
        message: `must be ${String(params.type).split(',').join(' or ')}, got ${jsonType(valueAt(obj, segments))}`,
      };
    case 'pattern':
      if (params.pattern === QUANTITY_PATTERN) {
        return {
          path: fieldPath(obj, segments),
          message: `must be a Kubernetes quantity such as 250m, 1.5, 512Mi or 2Gi, got ${JSON.stringify(valueAt(obj, segments))}`,
        };
      }
      return { path: fieldPath(obj, segments), message: error.message ?? error.keyword };
    default:
      return { path: fieldPath(obj, segments), message: error.message ?? error.keyword };
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

// ---------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------

class SchemaValidator implements KubeValidator {
  private readonly ajv: Ajv;
  private readonly kinds: Map<string, KindSchema>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    const core = loadCoreDefinitions();
    this.kinds = new Map([...core.kinds, ...loadCrdKinds()]);
    this.ajv = new Ajv({
      allErrors: true,
      strict: false,
      // The schemas are Kubernetes' own; meta-validating ~600 definitions only costs time.
      validateSchema: false,
      formats: FORMATS,
      code: { regExp: goRegExp },
    });
    this.ajv.addSchema({ $id: CORE_ID, definitions: core.definitions });
  }

  public knows(apiVersion: string, kind: string): boolean {
    return this.kinds.has(kindKey(apiVersion, kind));
  }

  public validate(obj: unknown): SchemaViolation[] {
    if (!isRecord(obj)) {
      return [{ path: '', message: `a Kubernetes object must be a JSON object, got ${Array.isArray(obj) ? 'an array' : describe(obj)}` }];
    }
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      return [{ path: '', message: `apiVersion and kind must be strings, got ${describe(apiVersion)} and ${describe(kind)}` }];
    }
    const validateFn = this.validatorFor(apiVersion, kind);
    if (!validateFn) {
      return [{ path: '', message: this.unknownKindMessage(apiVersion, kind) }];
    }
    if (validateFn(obj)) {
      return [];
    }
    const seen = new Set<string>();
    const violations: SchemaViolation[] = [];
    for (const error of validateFn.errors ?? []) {
      const violation = toViolation(obj, error);
      const key = `${violation.path}\u0000${violation.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        violations.push(violation);
      }
    }
    return violations;
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = kindKey(apiVersion, kind);
    const cached = this.compiled.get(key);
    if (cached) {
      return cached;
    }
    const entry = this.kinds.get(key);
    if (!entry) {
      return undefined;
    }
    // Core kinds are compiled through the shared definitions document, so a
    // PodSpec compiled for a Deployment is reused by a StatefulSet.
    const validateFn = entry.source === 'core' ? this.ajv.getSchema(entry.ref) : this.ajv.compile(entry.schema);
    if (!validateFn) {
      throw new Error(`cannot resolve ${entry.source === 'core' ? entry.ref : entry.file} for ${kind} ${apiVersion}`);
    }
    this.compiled.set(key, validateFn);
    return validateFn;
  }

  private unknownKindMessage(apiVersion: string, kind: string): string {
    const versions = [...this.kinds.keys()]
      .map((k) => k.split(' '))
      .filter(([, k]) => k === kind)
      .map(([v]) => v);
    const hint = versions.length > 0 ? `; known apiVersions for ${kind}: ${versions.join(', ')}` : '; add its CRD to crds/';
    return `unknown apiVersion/kind: no schema for kind "${kind}" in "${apiVersion}"${hint}`;
  }
}

let shared: KubeValidator | undefined;

/** Builds (once, cached module-wide) a validator from the repo's schemas/ and crds/ folders. */
export function kubeValidator(): KubeValidator {
  shared ??= new SchemaValidator();
  return shared;
}

/**
 * Formats violations for a test failure: "<kind>/<namespace>/<name> <path>: <message>" lines.
 * A missing kind, namespace or name shows as `-`; the object itself as `(root)`.
 */
export function formatViolations(obj: unknown, violations: SchemaViolation[]): string {
  const record = isRecord(obj) ? obj : {};
  const metadata = isRecord(record.metadata) ? record.metadata : {};
  const part = (value: unknown): string => (typeof value === 'string' && value !== '' ? value : '-');
  const id = `${part(record.kind)}/${part(metadata.namespace)}/${part(metadata.name)}`;
  return violations.map((v) => `${id} ${v.path === '' ? '(root)' : v.path}: ${v.message}`).join('\n');
}
