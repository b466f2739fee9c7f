// Envoy Gateway's own translator (egctl experimental translate, v1.2.8) on the Gateway API
// objects of dist/: every GatewayClass, Gateway, HTTPRoute, BackendTrafficPolicy and
// SecurityPolicy must come back Accepted, and the xDS it produces must carry, per route,
// the timeout, retries and rate limit the route asked for, and ext_authz only where the
// SecurityPolicy puts it. No Envoy runs here; the xDS is what Envoy Gateway would send it.
import { writeFileSync } from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { Engine } from '../support/context';
import { Manifest, objectRef, readManifests } from '../support/manifests';
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
  };
}

/** The Accepted problems of one translated object, or [] when it is accepted everywhere it applies. */
export function acceptanceProblems(o: Translated): string[] {
  const sets: { where: string; conditions: readonly Condition[] }[] = [];
  if (o.status?.conditions !== undefined) sets.push({ where: '', conditions: o.status.conditions });
  for (const p of o.status?.parents ?? []) sets.push({ where: ` (parent ${p.parentRef.name})`, conditions: p.conditions ?? [] });
  for (const a of o.status?.ancestors ?? []) sets.push({ where: ` (ancestor ${a.ancestorRef.name})`, conditions: a.conditions ?? [] });
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
    const input = [...gatewayApi, ...objects.filter((o) => REFERENCED.has(o.kind))];
    const file = path.join(ctx.work, 'envoy-gateway.in.yaml');
    writeFileSync(file, input.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n'));
    ctx.log(`${gatewayApi.length} Gateway API objects, ${input.length - gatewayApi.length} referenced objects`);

    const status = await runCommand(egctl, ['experimental', 'translate', '--from', 'gateway-api', '--to', 'gateway-api', '-f', file, '-o', 'yaml'], { timeoutMs: 300_000 });
    if (status.code !== 0) throw new Error(`egctl translate --to gateway-api exited ${status.code}: ${status.stderr.trim()}`);
    const translated = yaml.loadAll(status.stdout).filter((d): d is Translated => typeof d === 'object' && d !== null && 'kind' in d);
    writeFileSync(path.join(ctx.work, 'envoy-gateway.status.yaml'), status.stdout);
    let checked = 0;
    for (const want of gatewayApi) {
      const got = translated.find((t) => t.kind === want.kind && t.metadata.name === want.metadata.name && (t.metadata.namespace ?? '') === (want.metadata.namespace ?? ''));
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
