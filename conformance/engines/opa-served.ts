/**
 * The request-authorization policy served for real: OPA's Envoy plugin build, started with
 * the Deployment's own arguments, configuration and policy files from dist/ (addresses moved
 * to loopback), answers Envoy ext_authz `Check` calls over gRPC. The only stand-in is the
 * network: the issuer's JWKS URL is pointed at a loopback server holding this run's test key.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { mkdirSync, writeFileSync } from 'fs';
import * as http from 'http';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { referenceAuthorizationPolicy } from '../../platform/policy';
import { ConformanceContext } from '../support/context';
import { Manifest, ManifestEntry } from '../support/manifests';
import { Daemon, freePort, waitFor } from '../support/process';
import { generateTestKeys, signJwt, TestKeys } from './test-keys';

/** The outcome of the served checks: how many ran and what failed. */
export interface ServedResult {
  readonly checked: number;
  readonly failures: string[];
}

interface CheckResponse {
  status?: { code: number; message: string };
}

type CheckClient = grpc.Client & {
  Check(request: unknown, options: grpc.CallOptions, callback: (e: grpc.ServiceError | null, r?: CheckResponse) => void): void;
};

const find = (manifests: readonly ManifestEntry[], kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.object.kind === kind && m.object.metadata.name === name && m.object.metadata.namespace === 'opa');
  if (!found) throw new Error(`dist/ has no ${kind} opa/${name} (the OpaAuthorizer's)`);
  return found.object;
};

/** Starts a loopback HTTP server serving `body` at every path; returns its port and a stop function. */
async function jwksServer(body: string): Promise<{ port: number; requests: () => number; stop: () => Promise<void> }> {
  let count = 0;
  const server = http.createServer((_req, res) => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('JWKS server has no port');
  return { port: address.port, requests: () => count, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

const httpRequest = (port: number, method: string, urlPath: string, body?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, timeout: 10_000, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(body);
  });

export async function servedChecks(ctx: ConformanceContext, manifests: readonly ManifestEntry[]): Promise<ServedResult> {
  const failures: string[] = [];
  let checked = 0;
  const expect = (what: string, ok: boolean, detail: string): void => {
    checked += 1;
    if (!ok) failures.push(`served policy: ${what}: ${detail}`);
  };

  const policyMap = find(manifests, 'ConfigMap', 'opa-policy');
  const configMap = find(manifests, 'ConfigMap', 'opa-config');
  const deployment = find(manifests, 'Deployment', 'opa');
  const container = (deployment.spec as { template: { spec: { containers: { name: string; args: string[] }[] } } }).template.spec.containers.find((c) => c.name === 'opa');
  if (!container) throw new Error('Deployment opa/opa has no container "opa"');

  const policy = referenceAuthorizationPolicy();
  const jwt = policy.identity.jwtProps;
  if (!jwt?.jwksUrl) throw new Error('the reference policy no longer verifies a JWT against a JWKS URL; update the served checks');
  const keys: TestKeys = generateTestKeys();
  const jwks = await jwksServer(keys.jwks);
  const dir = path.join(ctx.work, 'opa-served');
  const policyDir = path.join(dir, 'policy');
  mkdirSync(policyDir, { recursive: true });
  let daemon: Daemon | undefined;
  let client: CheckClient | undefined;
  try {
    // The policy files as the ConfigMap mounts them; the JWKS URL moved to loopback (the only edit).
    for (const [key, value] of Object.entries(policyMap.data as Record<string, string>)) {
      let text = value;
      if (text.includes(jwt.jwksUrl)) {
        if (text.split(jwt.jwksUrl).length !== 2) throw new Error(`${key} names the JWKS URL more than once`);
        text = text.replace(jwt.jwksUrl, `http://127.0.0.1:${jwks.port}/.well-known/jwks.json`);
      }
      writeFileSync(path.join(policyDir, key), text);
    }
    const grpcPort = await freePort();
    const httpPort = await freePort();
    const diagnosticPort = await freePort();
    const config = yaml.load((configMap.data as Record<string, string>)['config.yaml']) as { plugins: { envoy_ext_authz_grpc: { addr: string } } };
    config.plugins.envoy_ext_authz_grpc.addr = `127.0.0.1:${grpcPort}`;
    const configFile = path.join(dir, 'config.yaml');
    writeFileSync(configFile, yaml.dump(config));
    // The Deployment's arguments, with every address on loopback and the mounts replaced by the folders above.
    const args = container.args.map((arg) => {
      if (arg.startsWith('--addr=')) return `--addr=127.0.0.1:${httpPort}`;
      if (arg.startsWith('--diagnostic-addr=')) return `--diagnostic-addr=127.0.0.1:${diagnosticPort}`;
      if (arg.startsWith('--config-file=')) return `--config-file=${configFile}`;
      if (arg === '/policy') return policyDir;
      return arg;
    });
    for (const required of ['--authentication=token', '--authorization=basic']) {
      expect(`the Deployment runs OPA with ${required}`, args.includes(required), `args are ${container.args.join(' ')}`);
    }
    ctx.log(`opa-envoy ${args.join(' ')}`);
    daemon = new Daemon('opa-envoy', ctx.tool('opa-envoy'), args, path.join(dir, 'opa-envoy.log'));
    await waitFor('OPA and its Envoy plugin to report healthy', async () => (await httpRequest(diagnosticPort, 'GET', '/health?plugins')).status === 200, 30_000, daemon);

    const definition = protoLoader.loadSync(path.join(ctx.root, 'conformance', 'proto', 'external_auth.proto'), { keepCase: false, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { envoy: { service: { auth: { v3: { Authorization: new (address: string, credentials: grpc.ChannelCredentials) => CheckClient } } } } };
    client = new loaded.envoy.service.auth.v3.Authorization(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const check = (method: string, urlPath: string, headers: Record<string, string>): Promise<CheckResponse> =>
      new Promise((resolve, reject) => {
        client!.Check(
          { attributes: { request: { http: { id: 'conformance', method, path: urlPath, host: 'api.shop.example.com', scheme: 'https', protocol: 'HTTP/1.1', headers } } } },
          { deadline: Date.now() + 10_000 },
          (e, r) => (e ? reject(new Error(`Check failed: ${e.message}`)) : resolve(r ?? {})),
        );
      });

    const now = Math.floor(Date.now() / 1000);
    const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      iss: jwt.issuer, aud: jwt.audience, iat: now, nbf: now - 60, exp: now + 600, sub: 'conformance-user', [jwt.roleClaim ?? 'role']: 'user', ...extra,
    });
    const bearer = (c: Record<string, unknown>, key = keys.signing): string => `Bearer ${signJwt(c, key, keys.kid)}`;
    // gRPC code 0 is OK (allowed); the plugin denies with 7, PERMISSION_DENIED.
    const cases: [string, boolean, string, string, Record<string, string>][] = [
      ['the seed\'s request (POST /api/function, role user)', true, 'POST', '/api/function', { authorization: bearer(claims()) }],
      ['the seed\'s request with a query string', true, 'POST', '/api/function?trace=1', { authorization: bearer(claims()) }],
      ['another method (GET)', false, 'GET', '/api/function', { authorization: bearer(claims()) }],
      ['another path', false, 'POST', '/api/orders', { authorization: bearer(claims()) }],
      ['a path that only starts like the allowed one', false, 'POST', '/api/functions', { authorization: bearer(claims()) }],
      ['another role (admin)', false, 'POST', '/api/function', { authorization: bearer(claims({ role: 'admin' })) }],
      ['a token without the role claim', false, 'POST', '/api/function', { authorization: bearer(claims({ role: undefined })) }],
      ['no token', false, 'POST', '/api/function', {}],
      ['a forged token (signed by a key the JWKS does not hold)', false, 'POST', '/api/function', { authorization: bearer(claims(), keys.forger) }],
      ['an expired token', false, 'POST', '/api/function', { authorization: bearer(claims({ exp: now - 60, nbf: now - 600 })) }],
      ['a token of another issuer', false, 'POST', '/api/function', { authorization: bearer(claims({ iss: 'https://issuer.invalid/' })) }],
      ['a token for another audience', false, 'POST', '/api/function', { authorization: bearer(claims({ aud: 'another-api' })) }],
      ['a token with the role claim but sent without "Bearer "', false, 'POST', '/api/function', { authorization: signJwt(claims(), keys.signing, keys.kid) }],
      ['a role header sent by the client (the seed\'s input.user.role is not trusted)', false, 'POST', '/api/function', { 'x-user-role': 'user', authorization: bearer(claims({ role: 'guest' })) }],
    ];
    for (const [what, allowed, method, urlPath, headers] of cases) {
      const response = await check(method, urlPath, headers);
      const code = response.status?.code ?? 0;
      expect(`${what} is ${allowed ? 'allowed' : 'denied'}`, allowed ? code === 0 : code === 7, `Check returned status code ${code} (${response.status?.message ?? ''})`);
    }
    expect('the JWKS was fetched from the issuer URL (and cached)', jwks.requests() >= 1 && jwks.requests() <= 3, `${jwks.requests()} JWKS requests`);

    // OPA's own API under the shipped --authorization=basic policy (system.authz).
    const writes: [string, string, string][] = [
      ['a policy write', 'PUT', '/v1/policies/injected'],
      ['a data write', 'PUT', '/v1/data/serverless'],
      ['a data patch', 'PATCH', '/v1/data'],
      ['a policy deletion', 'DELETE', '/v1/policies/policy.rego'],
      ['a read of all data', 'GET', '/v1/data'],
      ['a policy listing', 'GET', '/v1/policies'],
    ];
    for (const [what, method, urlPath] of writes) {
      const body = method === 'PUT' && urlPath.startsWith('/v1/policies') ? 'package injected\nallow := true\n' : method === 'GET' || method === 'DELETE' ? undefined : '{"allow": true}';
      const response = await httpRequest(httpPort, method, urlPath, body);
      expect(`OPA's HTTP API refuses ${what} (${method} ${urlPath})`, response.status === 401, `status ${response.status}: ${response.body.slice(0, 200)}`);
    }
    // The one query the authz policy allows still answers, and the policy was not changed.
    const decision = await httpRequest(httpPort, 'POST', '/v1/data/serverless/allow', JSON.stringify({ input: {} }));
    expect('OPA\'s HTTP API answers the decision query it allows', decision.status === 200 && JSON.parse(decision.body).result === false, `status ${decision.status}: ${decision.body.slice(0, 200)}`);
    const after = await check('POST', '/api/function', { authorization: bearer(claims()) });
    expect('the policy still allows the seed\'s request after the refused writes', (after.status?.code ?? 0) === 0, `status code ${after.status?.code}`);
    return { checked, failures };
  } finally {
    client?.close();
    await daemon?.stop();
    await jwks.stop();
  }
}
