import { generateKeyPairSync, JsonWebKey, KeyObject, sign } from 'crypto';

/** RSA keys made for one conformance run: nothing secret is committed, nothing is reused. */
export interface TestKeys {
  /** The key the issuer signs with; its public half is in {@link jwks}. */
  readonly signing: KeyObject;
  readonly signingJwk: JsonWebKey;
  /** A key the JWKS does not hold, with the same kid: a forger's. */
  readonly forger: KeyObject;
  readonly forgerJwk: JsonWebKey;
  /** The issuer's JWKS document (JSON). */
  readonly jwks: string;
  readonly kid: string;
}

export function generateTestKeys(): TestKeys {
  const kid = 'conformance-signing';
  const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signing = pair();
  const forger = pair();
  const privateJwk = (k: KeyObject): JsonWebKey => ({ ...k.export({ format: 'jwk' }), kid, alg: 'RS256' });
  return {
    signing: signing.privateKey,
    signingJwk: privateJwk(signing.privateKey),
    forger: forger.privateKey,
    forgerJwk: privateJwk(forger.privateKey),
    jwks: JSON.stringify({ keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }),
    kid,
  };
}

/** The data document `opa test` reads the keys from (`data.test_keys`, see RequestAuthorizationPolicy.regoTests). */
export function opaTestData(keys: TestKeys): string {
  return JSON.stringify({ test_keys: { signing: keys.signingJwk, forger: keys.forgerJwk, jwks: keys.jwks } });
}

const base64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** An RS256 JWT over `claims`, signed by `key`. */
export function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = base64url(JSON.stringify(claims));
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${base64url(signature)}`;
}
