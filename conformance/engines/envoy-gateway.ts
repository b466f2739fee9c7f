// Envoy Gateway's own translator (egctl experimental translate, v1.2.8) on the Gateway API
// objects of dist/: every GatewayClass, Gateway, HTTPRoute, BackendTrafficPolicy and
// SecurityPolicy must come back Accepted, and the xDS it produces must carry, per route,
// the timeout, retries and rate limit the route asked for, and ext_authz only where the
// SecurityPolicy puts it. No Envoy runs here; the xDS is what Envoy Gateway would send it.
import { writeFileSync } from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { Engine } from '../support/context';
import { Manifest, namespacesFor, objectRef, readManifests } from '../support/manifests';
import { runCommand } from '../support/process';

const TRANSLATED = new Set(['GatewayClass', 'Gateway', 'HTTPRoute', 'BackendTrafficPolicy', 'SecurityPolicy', 'ClientTrafficPolicy', 'EnvoyProxy', 'ReferenceGrant']);
/** Objects the translator reads to resolve references: backends, certificates, namespaces. */
const REFERENCED = new Set(['Service', 'Secret', 'Namespace', 'ConfigMap']);

interface Condition { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }
interface Translated extends Manifest {
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly parents?: readonly { readonly parentRef: { readonly name: string }; readonly conditions?: readonly Condition[] }[];
    readonly ancestors?: readonly { readonly ancestorRef: { readonly name: string }; readonly conditions?: readonly Condition[] }[];
    readonly listeners?: readonly { readonly name: string; readonly conditions?: readonly Condition[] }[];
  };
}

/** The Accepted problems of one translated object, or [] when it is accepted everywhere it applies. */
export function acceptanceProblems(o: Translated): string[] {
  const sets: { where: string; conditions: readonly Condition[] }[] = [];
  if (o.status?.conditions !== undefined) sets.push({ where: '', conditions: o.status.conditions });
  for (const p of o.status?.parents ?? []) sets.push({ where: ` (parent ${p.parentRef.name})`, conditions: p.conditions ?? [] });
  for (const a of o.status?.ancestors ?? []) sets.push({ where: ` (ancestor ${a.ancestorRef.name})`, conditions: a.conditions ?? [] });
  for (const l of o.status?.listeners ?? []) {
    sets.push({ where: ` (listener ${l.name})`, conditions: l.conditions ?? [] });
    const programmed = (l.conditions ?? []).find((c) => c.type === 'Programmed');
    if (programmed !== undefined && programmed.status !== 'True') sets.push({ where: ` (listener ${l.name} Programmed)`, conditions: [{ ...programmed, type: 'Accepted' }] });
  }
  if (sets.length === 0) return [`${objectRef(o)}: no status: Envoy Gateway did not process it (no matching parent or target)`];
  const problems: string[] = [];
  for (const { where, conditions } of sets) {
    const accepted = conditions.find((c) => c.type === 'Accepted');
    if (accepted?.status !== 'True') problems.push(`${objectRef(o)}${where}: not Accepted: ${accepted?.reason ?? 'no Accepted condition'}: ${accepted?.message ?? ''}`);
    for (const c of conditions.filter((x) => x.type === 'ResolvedRefs' && x.status !== 'True')) {
      problems.push(`${objectRef(o)}${where}: ResolvedRefs ${c.status}: ${c.reason}: ${c.message}`);
    }
  }
  return problems;
}

export const envoyGatewayEngine: Engine = {
  name: 'envoy-gateway',
  async run(ctx) {
    const egctl = ctx.tool('egctl');
    const failures: string[] = [];
    const objects = readManifests(ctx.dist).map((e) => e.object);
    const gatewayApi = objects.filter((o) => TRANSLATED.has(o.kind) && (o.kind !== 'GatewayClass' || isEnvoyGatewayClass(o)));
    failures.push(...selectorProblems(gatewayApi, namespacesFor(objects)));
    const services = [
      ...objects.filter((o) => REFERENCED.has(o.kind) && o.kind !== 'Namespace'),
      ...installedServices(gatewayApi, objects, ctx.log),
    ];
    const grants = resolveReferenceGrants(gatewayApi, services);
    failures.push(...grants.problems);
    const input = [
      ...grants.translated.map(forFileLoader),
      ...withClusterIps([...services, ...grants.copies]),
      ...namespacesFor(objects),
    ];
    const file = path.join(ctx.work, 'envoy-gateway.in.yaml');
    writeFileSync(file, input.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n'));
    ctx.log(`${gatewayApi.length} Gateway API objects, ${input.length - gatewayApi.length} referenced objects`);

    const status = await runCommand(egctl, ['experimental', 'translate', '--from', 'gateway-api', '--to', 'gateway-api', '-f', file, '-o', 'yaml'], { timeoutMs: 300_000 });
    if (status.code !== 0) throw new Error(`egctl translate --to gateway-api exited ${status.code}: ${status.stderr.trim()}`);
    const translated = translatedObjects(yaml.loadAll(status.stdout));
    writeFileSync(path.join(ctx.work, 'envoy-gateway.status.yaml'), status.stdout);
    let checked = grants.checked;
    // An EnvoyProxy carries no status of its own: Envoy Gateway validates it while it
    // processes the GatewayClass that names it, whose Accepted condition says so. ReferenceGrants
    // are checked by resolveReferenceGrants above.
    for (const want of gatewayApi.filter((o) => o.kind !== 'EnvoyProxy' && o.kind !== 'ReferenceGrant')) {
      // egctl gives cluster-scoped objects (the GatewayClass) its own namespace: match those by name.
      const got = translated.find((t) => t.kind === want.kind && t.metadata.name === want.metadata.name
        && (want.metadata.namespace === undefined || t.metadata.namespace === want.metadata.namespace));
      checked++;
      if (got === undefined) {
        failures.push(`${objectRef(want)}: missing from egctl's output`);
        continue;
      }
      failures.push(...acceptanceProblems(got));
    }

    const xds = await runCommand(egctl, ['experimental', 'translate', '--from', 'gateway-api', '--to', 'xds', '-t', 'all', '-f', file, '-o', 'json'], { timeoutMs: 300_000 });
    if (xds.code !== 0) throw new Error(`egctl translate --to xds exited ${xds.code}: ${xds.stderr.trim()}`);
    writeFileSync(path.join(ctx.work, 'envoy-gateway.xds.json'), xds.stdout);
    const routeProblems = checkRoutes(gatewayApi, JSON.parse(xds.stdout) as unknown);
    checked += routeProblems.checked;
    failures.push(...routeProblems.failures);
    return [{ engine: 'envoy-gateway', version: ctx.versions.ENVOY_GATEWAY, checked, failures }];
  },
};

/**
 * egctl prints one document per input kind group (`gateways: [...]`, `gatewayClass: {...}`):
 * every object with a kind, wherever it sits.
 */
function translatedObjects(docs: readonly unknown[]): Translated[] {
  const out: Translated[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      if ('kind' in node && 'metadata' in node) out.push(node as Translated);
      else Object.values(node).forEach(visit);
    }
  };
  docs.forEach(visit);
  return out;
}

/**
 * A Gateway as egctl v1.2.8's file loader can read it (internal/gatewayapi/resource/load.go):
 * - it reads Secrets without their `type`, so every TLS listener would come back "Secret ...
 *   must be of type kubernetes.io/tls", whatever the Secret (and the certificate is issued in
 *   the cluster, not committed): HTTPS listeners are translated as HTTP;
 * - it reads Namespaces without their labels, so a `from: Selector` listener would admit no
 *   route: such listeners are translated as `from: All`, after selectorProblems has applied
 *   each selector to the Namespaces (a model; no engine here evaluates it).
 * The routes, policies and attachment behind each listener are what the translator checks;
 * the TLS block is checked by the API server engine (schema and CEL), not by Envoy Gateway.
 */
function forFileLoader(o: Manifest): Manifest {
  if (o.kind !== 'Gateway') return o;
  const spec = o.spec as { listeners?: readonly GatewayListener[] };
  return {
    ...o,
    spec: {
      ...spec,
      listeners: (spec.listeners ?? []).map(({ tls: _tls, ...l }) => ({
        ...l,
        protocol: l.protocol === 'HTTPS' ? 'HTTP' : l.protocol,
        ...(l.allowedRoutes?.namespaces?.from === 'Selector' ? { allowedRoutes: { ...l.allowedRoutes, namespaces: { from: 'All' } } } : {}),
      })),
    },
  };
}

/** Every HTTPRoute must be admitted by the listener it names (or some listener): its namespace selected by that listener's selector. */
function selectorProblems(gatewayApi: readonly Manifest[], namespaces: readonly Manifest[]): string[] {
  const labels = new Map(namespaces.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  const problems: string[] = [];
  for (const route of gatewayApi.filter((o) => o.kind === 'HTTPRoute')) {
    const routeNs = route.metadata.namespace ?? 'default';
    for (const parent of (route.spec as { parentRefs?: readonly { kind?: string; name: string; namespace?: string; sectionName?: string }[] }).parentRefs ?? []) {
      if ((parent.kind ?? 'Gateway') !== 'Gateway') continue;
      const gw = gatewayApi.find((o) => o.kind === 'Gateway' && o.metadata.name === parent.name && (o.metadata.namespace ?? 'default') === (parent.namespace ?? routeNs));
      if (gw === undefined) continue; // the translator reports a missing parent itself
      const listeners = ((gw.spec as { listeners?: readonly GatewayListener[] }).listeners ?? [])
        .filter((l) => parent.sectionName === undefined || l.name === parent.sectionName);
      const admitted = listeners.some((l) => {
        const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
        if (from === 'All') return true;
        if (from === 'Same') return routeNs === (gw.metadata.namespace ?? 'default');
        return selects(l.allowedRoutes?.namespaces?.selector ?? {}, labels.get(routeNs) ?? {});
      });
      if (!admitted) problems.push(`${objectRef(route)}: no listener of Gateway ${parent.name}${parent.sectionName ? ` (section ${parent.sectionName})` : ''} admits routes from namespace ${routeNs}`);
    }
  }
  return problems;
}

interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** metav1.LabelSelector semantics: every matchLabels pair and every expression must hold. */
export function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return pairs && (selector.matchExpressions ?? []).every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

interface BackendRef { readonly group?: string; readonly kind?: string; readonly name: string; readonly namespace?: string; readonly port?: number }
interface ReferenceGrantSpec {
  readonly from: readonly { readonly group: string; readonly kind: string; readonly namespace: string }[];
  readonly to: readonly { readonly group: string; readonly kind: string; readonly name?: string }[];
}

/**
 * egctl v1.2.8's file loader reads no ReferenceGrant (internal/gatewayapi/resource/load.go:
 * "TODO: add support for kind ReferenceGrant"), so there a SecurityPolicy's extAuth backend in
 * another namespace is never permitted, its route answers 500, and nothing behind the policy
 * can be checked. The engine applies the Gateway API rule itself (a model; Envoy Gateway's
 * controller reads the grants from the cluster): each such reference must be permitted by a
 * ReferenceGrant in the backend's namespace whose `from` names the policy's group, kind and
 * namespace and whose `to` names the Service (or every Service). A permitted reference goes
 * to egctl as a copy of the Service in the policy's namespace; a reference no grant permits
 * is a failure. `checked` counts the references resolved.
 */
export function resolveReferenceGrants(gatewayApi: readonly Manifest[], services: readonly Manifest[]): {
  translated: Manifest[]; copies: Manifest[]; problems: string[]; checked: number;
} {
  const grants = gatewayApi.filter((o) => o.kind === 'ReferenceGrant');
  const copies = new Map<string, Manifest>();
  const problems: string[] = [];
  let checked = 0;
  const permitted = (fromNs: string, ref: BackendRef, toNs: string): boolean => grants.some((g) => {
    const spec = g.spec as ReferenceGrantSpec;
    return (g.metadata.namespace ?? 'default') === toNs
      && spec.from.some((f) => f.group === 'gateway.envoyproxy.io' && f.kind === 'SecurityPolicy' && f.namespace === fromNs)
      && spec.to.some((t) => t.group === '' && t.kind === 'Service' && (t.name === undefined || t.name === ref.name));
  });
  const translated = gatewayApi.filter((o) => o.kind !== 'ReferenceGrant').map((o) => {
    if (o.kind !== 'SecurityPolicy') return o;
    const ns = o.metadata.namespace ?? 'default';
    const local = (ref: BackendRef): BackendRef => {
      const toNs = ref.namespace ?? ns;
      if (toNs === ns || (ref.kind ?? 'Service') !== 'Service') return ref;
      checked++;
      if (!permitted(ns, ref, toNs)) {
        problems.push(`${objectRef(o)}: extAuth backend Service ${toNs}/${ref.name} is in another namespace and no ReferenceGrant in ${toNs} permits SecurityPolicies of ${ns} to reach it`);
        return ref;
      }
      const service = services.find((x) => x.kind === 'Service' && x.metadata.name === ref.name && (x.metadata.namespace ?? 'default') === toNs);
      if (service === undefined) {
        problems.push(`${objectRef(o)}: extAuth backend Service ${toNs}/${ref.name} is in neither dist/ nor the installed stand-ins`);
        return ref;
      }
      if (services.some((x) => x.kind === 'Service' && x.metadata.name === ref.name && (x.metadata.namespace ?? 'default') === ns)) {
        problems.push(`${objectRef(o)}: cannot hand egctl a copy of Service ${toNs}/${ref.name} in ${ns}: a Service of that name is already there`);
        return ref;
      }
      copies.set(`${ns}/${ref.name}`, { ...service, metadata: { ...service.metadata, namespace: ns } });
      const { namespace: _ns, ...rest } = ref;
      return rest;
    };
    const spec = o.spec as { extAuth?: Record<string, { backendRef?: BackendRef; backendRefs?: readonly BackendRef[] } | unknown> };
    if (spec.extAuth === undefined) return o;
    const extAuth: Record<string, unknown> = { ...spec.extAuth };
    for (const key of ['grpc', 'http']) {
      const target = extAuth[key] as { backendRef?: BackendRef; backendRefs?: readonly BackendRef[] } | undefined;
      if (target === undefined) continue;
      extAuth[key] = {
        ...target,
        ...(target.backendRef ? { backendRef: local(target.backendRef) } : {}),
        ...(target.backendRefs ? { backendRefs: target.backendRefs.map(local) } : {}),
      };
    }
    return { ...o, spec: { ...spec, extAuth } } as Manifest;
  });
  return { translated, copies: [...copies.values()], problems, checked };
}

/**
 * The Services as the API server holds them: each ClusterIP Service gets a cluster IP (the API
 * server allocates one from the service CIDR; these come from K3s's default 10.43.0.0/16, in
 * input order, so the run is deterministic). egctl translates with endpoint routing disabled,
 * so a route's backend is its Service's cluster IP; without one, every xDS cluster it builds
 * has an endpoint with an empty address, which Envoy's own validation refuses. Headless
 * Services (`clusterIP: None`) and Services that name an IP keep theirs.
 */
export function withClusterIps(objects: readonly Manifest[]): Manifest[] {
  let next = 10;
  return objects.map((o) => {
    if (o.kind !== 'Service') return o;
    const spec = (o.spec ?? {}) as { type?: string; clusterIP?: string };
    if (spec.clusterIP !== undefined || spec.type === 'ExternalName') return o;
    const n = next++;
    return { ...o, spec: { ...spec, clusterIP: `10.43.${Math.floor(n / 256)}.${n % 256}` } } as Manifest;
  });
}

/**
 * Stand-ins for the Services a route sends to that the platform expects installed by a chart
 * (the KEDA HTTP add-on's interceptor in `keda`): only in namespaces dist/ does not create. A
 * missing Service in a namespace the platform creates is a real fault and stays missing.
 */
function installedServices(gatewayApi: readonly Manifest[], objects: readonly Manifest[], log: (m: string) => void): Manifest[] {
  const created = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const have = new Set(objects.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  const ports = new Map<string, Set<number>>();
  for (const route of gatewayApi.filter((o) => o.kind === 'HTTPRoute')) {
    const rules = (route.spec as { rules?: readonly { backendRefs?: readonly { kind?: string; name: string; namespace?: string; port?: number }[] }[] }).rules ?? [];
    for (const ref of rules.flatMap((r) => r.backendRefs ?? [])) {
      const ns = ref.namespace ?? route.metadata.namespace ?? 'default';
      const key = `${ns}/${ref.name}`;
      if ((ref.kind ?? 'Service') !== 'Service' || have.has(key) || created.has(ns) || ref.port === undefined) continue;
      ports.set(key, (ports.get(key) ?? new Set()).add(ref.port));
    }
  }
  return [...ports].sort().map(([key, p]) => {
    const [namespace, name] = key.split('/');
    log(`Service ${key} is installed by a chart, not dist/: a stand-in with port ${[...p].join(', ')}`);
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { ports: [...p].sort((x, y) => x - y).map((port) => ({ name: `port-${port}`, port, protocol: 'TCP' })) },
    } as Manifest;
  });
}

interface GatewayListener {
  readonly name: string;
  readonly protocol: string;
  readonly hostname?: string;
  readonly allowedRoutes?: { readonly namespaces?: { readonly from?: string; readonly selector?: LabelSelector } };
  readonly tls?: { readonly certificateRefs?: readonly { readonly kind?: string; readonly name: string; readonly namespace?: string }[] };
}

function isEnvoyGatewayClass(o: Manifest): boolean {
  return (o.spec as { controllerName?: string } | undefined)?.controllerName === 'gateway.envoyproxy.io/gatewayclass-controller';
}

type Json = { readonly [key: string]: unknown };

/** Every object in a JSON tree that has `key`. */
function collect(node: unknown, key: string, out: Json[] = []): Json[] {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, key, out);
  } else if (typeof node === 'object' && node !== null) {
    if (key in node) out.push(node as Json);
    for (const v of Object.values(node)) collect(v, key, out);
  }
  return out;
}

/** Envoy's duration text of a Gateway API duration: "1s" -> "1s", "300ms" -> "0.300s", "2m" -> "120s". */
export function envoyDuration(d: string): string {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) return d;
  const ms = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[m[2]];
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`;
}

interface BtpSpec {
  readonly targetRefs?: readonly { readonly kind: string; readonly name: string }[];
  readonly timeout?: { readonly http?: { readonly requestTimeout?: string } };
  readonly retry?: { readonly numRetries?: number; readonly perRetry?: { readonly timeout?: string }; readonly retryOn?: { readonly triggers?: readonly string[]; readonly httpStatusCodes?: readonly number[] } };
  readonly rateLimit?: { readonly local?: { readonly rules?: readonly { readonly limit: { readonly requests: number; readonly unit: string } }[] } };
}

/**
 * Per HTTPRoute, the xDS routes Envoy Gateway made of it must carry its policies: the request
 * timeout, the retries (count, per-try timeout), the local rate limit, and ext_authz exactly
 * on the routes a SecurityPolicy with extAuth targets.
 */
function checkRoutes(objects: readonly Manifest[], xds: unknown): { checked: number; failures: string[] } {
  const failures: string[] = [];
  const routes = collect(xds, 'virtualHosts').flatMap((rc) => (rc.virtualHosts as Json[]).flatMap((vh) => (vh.routes as Json[] | undefined) ?? []));
  const filters = collect(xds, 'httpFilters').flatMap((hcm) => hcm.httpFilters as Json[]);
  let checked = 0;
  for (const route of objects.filter((o) => o.kind === 'HTTPRoute')) {
    const ns = route.metadata.namespace ?? 'default';
    const mine = routes.filter((r) => String(r.name).startsWith(`httproute/${ns}/${route.metadata.name}/`));
    checked++;
    if (mine.length === 0) {
      failures.push(`${objectRef(route)}: no xDS route made of it`);
      continue;
    }
    const targets = (kind: string) => objects.filter((o) => o.kind === kind && (o.metadata.namespace ?? 'default') === ns
      && ((o.spec as BtpSpec).targetRefs ?? []).some((t) => t.kind === 'HTTPRoute' && t.name === route.metadata.name));
    const btp = targets('BackendTrafficPolicy')[0]?.spec as BtpSpec | undefined;
    const authz = targets('SecurityPolicy').some((sp) => (sp.spec as { extAuth?: unknown }).extAuth !== undefined);
    for (const r of mine) {
      const action = (r.route ?? {}) as Json;
      const perFilter = (r.typedPerFilterConfig ?? {}) as Json;
      const where = `${objectRef(route)} xDS route ${String(r.name)}`;
      const timeout = btp?.timeout?.http?.requestTimeout;
      if (timeout !== undefined && action.timeout !== envoyDuration(timeout)) failures.push(`${where}: timeout ${String(action.timeout)}, the policy asks for ${timeout}`);
      const retry = btp?.retry;
      const policy = action.retryPolicy as Json | undefined;
      if (retry !== undefined) {
        if (policy === undefined) failures.push(`${where}: no retry policy, the policy asks for ${retry.numRetries} retries`);
        else {
          if (policy.numRetries !== retry.numRetries) failures.push(`${where}: ${String(policy.numRetries)} retries, the policy asks for ${retry.numRetries}`);
          if (retry.perRetry?.timeout !== undefined && policy.perTryTimeout !== envoyDuration(retry.perRetry.timeout)) failures.push(`${where}: per-try timeout ${String(policy.perTryTimeout)}, the policy asks for ${retry.perRetry.timeout}`);
        }
      } else if (policy !== undefined && Number(policy.numRetries ?? 0) > 0) {
        failures.push(`${where}: retries (${String(policy.numRetries)}) that no policy asked for`);
      }
      const limit = btp?.rateLimit?.local?.rules?.[0]?.limit;
      const local = Object.entries(perFilter).find(([k]) => k.startsWith('envoy.filters.http.local_ratelimit'))?.[1] as Json | undefined;
      if (limit !== undefined) {
        const bucket = (local?.tokenBucket ?? {}) as Json;
        const unitSeconds = ({ Second: 1, Minute: 60, Hour: 3600, Day: 86400 } as Record<string, number>)[limit.unit];
        if (local === undefined) failures.push(`${where}: no local rate limit, the policy asks for ${limit.requests}/${limit.unit}`);
        else if (Number(bucket.maxTokens) !== limit.requests || bucket.fillInterval !== `${unitSeconds}s`) {
          failures.push(`${where}: token bucket ${JSON.stringify(bucket)}, the policy asks for ${limit.requests}/${limit.unit}`);
        }
      }
      const authzOn = Object.keys(perFilter).some((k) => k.startsWith('envoy.filters.http.ext_authz'));
      if (authzOn !== authz) failures.push(`${where}: ext_authz ${authzOn ? 'enabled' : 'not enabled'}, its SecurityPolicy says ${authz ? 'on' : 'off'}`);
    }
  }
  // ext_authz must be a disabled-by-default filter that only the routes above switch on, calling OPA.
  for (const f of filters.filter((x) => String(x.name).startsWith('envoy.filters.http.ext_authz'))) {
    checked++;
    if (f.disabled !== true) failures.push(`HTTP filter ${String(f.name)} is enabled for every route, not only its SecurityPolicy's`);
    const cluster = JSON.stringify(f.typedConfig ?? {});
    if (!/opa/.test(cluster)) failures.push(`HTTP filter ${String(f.name)} does not call the OPA service: ${cluster.slice(0, 300)}`);
  }
  return { checked, failures };
}
