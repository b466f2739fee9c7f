import { checkHttpPath, checkNoEmptyEntries, checkUrl, oneLine } from '../core/names';
import { regoLiteral, regoRef } from './rego-literal';

/** HTTP methods a rule may allow. */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const HEADER_NAME = /^[a-z0-9][a-z0-9-]*$/;
const REGO_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** One allow rule: a request is allowed when its method, path and role all match one rule. */
export interface AuthorizationRule {
  /** HTTP methods, upper case (for example ["POST"]). */
  readonly methods: string[];
  /** Paths, matched without the query string. An entry ending in `/*` matches every path under it. */
  readonly paths: string[];
  /** Roles (from the identity source) allowed to make the request. */
  readonly roles: string[];
}

/** Props for {@link RequestIdentity.jwt}. */
export interface JwtIdentityProps {
  /** Issuer the token's `iss` must equal. */
  readonly issuer: string;
  /**
   * Audience the token's `aud` must contain.
   * @default - no audience check
   */
  readonly audience?: string;
  /**
   * Claim holding the user's role.
   * @default "role"
   */
  readonly roleClaim?: string;
  /**
   * HTTPS URL of the issuer's JWKS, fetched by OPA and cached for `jwksCacheSeconds`.
   * Needs egress to the issuer (the authorizer's NetworkPolicy opens port 443). Set this
   * or `jwks`.
   * @default - use `jwks`
   */
  readonly jwksUrl?: string;
  /**
   * The JWKS document itself (JSON), shipped with the policy: no egress, keys rotate by commit.
   * @default - use `jwksUrl`
   */
  readonly jwks?: string;
  /**
   * How long OPA caches the fetched JWKS.
   * @default 300
   */
  readonly jwksCacheSeconds?: number;
}

/**
 * Where the caller's role comes from. The seed reads `input.user.role`, which no gateway
 * sends; these are the sources that exist on the ext_authz path.
 */
export class RequestIdentity {
  /**
   * OPA verifies the bearer token itself (`io.jwt.decode_verify`: signature against the
   * JWKS, `iss`, `aud`, `exp`/`nbf`) and reads the role claim. Independent of the gateway's
   * filter order, and a client cannot forge it.
   */
  public static jwt(props: JwtIdentityProps): RequestIdentity {
    return new RequestIdentity('jwt', props);
  }

  /**
   * A request header the gateway sets from a JWT it has verified (Envoy Gateway
   * `SecurityPolicy.jwt.providers[].claimToHeaders`). Only sound if the gateway runs its JWT
   * filter before ext_authz and overwrites any client-sent copy of the header; Envoy
   * Gateway's default filter order runs ext_authz first, so prefer {@link RequestIdentity.jwt}.
   */
  public static trustedHeader(header: string): RequestIdentity {
    return new RequestIdentity('header', undefined, header);
  }

  private constructor(
    /** "jwt" or "header". */
    public readonly source: 'jwt' | 'header',
    /** The JWT settings, for the jwt source. */
    public readonly jwtProps?: JwtIdentityProps,
    /** The header name, for the header source. */
    public readonly header?: string,
  ) {}
}

/**
 * The seed's `rate_limit.remaining > 0` clause. Envoy's rate limit filters run after
 * ext_authz and report the remaining quota only in response headers, so no gateway puts
 * it into OPA's input on its own.
 */
export class RequestQuota {
  /**
   * The clause is dropped: the gateway's own rate limit (Envoy Gateway
   * BackendTrafficPolicy `rateLimit`) rejects over-quota requests with 429 by itself.
   */
  public static enforcedByGateway(): RequestQuota {
    return new RequestQuota();
  }

  /**
   * Allow only when this request header (set by a trusted component in front of the
   * gateway, which must strip client copies) holds a number above 0.
   */
  public static remainingHeader(header: string): RequestQuota {
    return new RequestQuota(header);
  }

  private constructor(
    /** The header name, or undefined when the gateway enforces the quota. */
    public readonly header?: string,
  ) {}
}

/** Props for {@link RequestAuthorizationPolicy}. */
export interface RequestAuthorizationPolicyProps {
  /**
   * Rego package of the decision; OPA's Envoy plugin queries `<package>/allow`.
   * @default "serverless" (the seed's)
   */
  readonly packageName?: string;
  /** Allow rules; anything no rule allows is denied (`default allow := false`). */
  readonly rules: AuthorizationRule[];
  /** Where the caller's role comes from. */
  readonly identity: RequestIdentity;
  /**
   * The remaining-quota clause.
   * @default RequestQuota.enforcedByGateway()
   */
  readonly quota?: RequestQuota;
}

/**
 * A typed request-authorization policy from which the Rego for OPA's Envoy ext_authz plugin
 * is generated. The input is the Envoy CheckRequest: `input.attributes.request.http.method`,
 * `.path` (with its query string) and `.headers` (lower-case names).
 */
export class RequestAuthorizationPolicy {
  /**
   * The seed's policy: only `POST /api/function` by role `user`, everything else denied.
   * The quota clause is enforced by the gateway unless `quota` says otherwise.
   */
  public static seed(identity: RequestIdentity, quota?: RequestQuota): RequestAuthorizationPolicy {
    return new RequestAuthorizationPolicy({
      packageName: 'serverless',
      rules: [{ methods: ['POST'], paths: ['/api/function'], roles: ['user'] }],
      identity,
      quota,
    });
  }

  public readonly packageName: string;
  public readonly rules: readonly AuthorizationRule[];
  public readonly identity: RequestIdentity;
  public readonly quota: RequestQuota;

  constructor(props: RequestAuthorizationPolicyProps) {
    this.packageName = props.packageName ?? 'serverless';
    this.rules = props.rules;
    this.identity = props.identity;
    this.quota = props.quota ?? RequestQuota.enforcedByGateway();
  }

  /** The decision path OPA's Envoy plugin queries. */
  public get decisionPath(): string {
    return `${this.packageName.split('.').join('/')}/allow`;
  }

  /** Problems with the props, each naming the field, the value and what is allowed. */
  public validate(): string[] {
    const errors: string[] = [];
    if (!this.packageName.split('.').every((p) => REGO_IDENTIFIER.test(p))) {
      errors.push(`packageName "${oneLine(this.packageName)}" is not a Rego package path: use lower-case identifiers joined by "." (for example "serverless")`);
    }
    if (this.rules.length === 0) {
      errors.push('rules is empty: every request would be denied; give at least one rule (the seed allows POST /api/function for role "user")');
    }
    this.rules.forEach((rule, i) => {
      const at = `rules[${i}]`;
      if (rule.methods.length === 0) errors.push(`${at}.methods is empty: list at least one of ${HTTP_METHODS.join(', ')}`);
      for (const m of rule.methods) {
        if (!(HTTP_METHODS as readonly string[]).includes(m)) errors.push(`${at}.methods entry "${oneLine(m)}" is not an HTTP method: use one of ${HTTP_METHODS.join(', ')} (upper case)`);
      }
      if (rule.paths.length === 0) errors.push(`${at}.paths is empty: list at least one path (for example "/api/function")`);
      for (const p of rule.paths) {
        const error = checkHttpPath(`${at}.paths entry`, p) ?? (p.includes('?') ? `${at}.paths entry "${oneLine(p)}" contains "?": paths are matched without the query string` : undefined);
        if (error) errors.push(error);
      }
      if (rule.roles.length === 0) errors.push(`${at}.roles is empty: list the roles allowed (for example ["user"])`);
      const emptyRole = checkNoEmptyEntries(`${at}.roles`, rule.roles);
      if (emptyRole) errors.push(emptyRole);
    });
    if (this.identity.source === 'jwt') {
      const jwt = this.identity.jwtProps!;
      if ((jwt.jwksUrl === undefined) === (jwt.jwks === undefined)) {
        errors.push('identity.jwt needs exactly one of jwksUrl and jwks: the keys the token signature is checked against');
      }
      const jwksUrlError = jwt.jwksUrl !== undefined ? checkUrl('identity.jwt.jwksUrl', jwt.jwksUrl, ['https']) : undefined;
      if (jwksUrlError) errors.push(jwksUrlError);
      if (jwt.jwks !== undefined) {
        try {
          const parsed = JSON.parse(jwt.jwks) as { keys?: unknown };
          if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) errors.push('identity.jwt.jwks must be a JWKS document with a non-empty "keys" array');
        } catch {
          errors.push('identity.jwt.jwks is not valid JSON: give the JWKS document ({"keys": [...]})');
        }
      }
      if (jwt.issuer.trim() === '') {
        errors.push('identity.jwt.issuer is empty: give the issuer the token\'s "iss" must equal');
      } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(jwt.issuer) || /\s/.test(jwt.issuer)) {
        // An issuer that is a URL (as every OpenID Connect issuer is) must be one exactly: "iss" is compared as written.
        const issuerError = checkUrl('identity.jwt.issuer', jwt.issuer, ['https', 'http']);
        if (issuerError) errors.push(issuerError);
      }
      if (jwt.jwksCacheSeconds !== undefined && (!Number.isInteger(jwt.jwksCacheSeconds) || jwt.jwksCacheSeconds < 1)) {
        errors.push(`identity.jwt.jwksCacheSeconds (${jwt.jwksCacheSeconds}) must be a positive integer`);
      }
    } else if (!HEADER_NAME.test(this.identity.header ?? '')) {
      errors.push(`identity header "${oneLine(String(this.identity.header))}" must be a lower-case HTTP header name (Envoy lower-cases header names in the ext_authz input)`);
    }
    if (this.quota.header !== undefined && !HEADER_NAME.test(this.quota.header)) {
      errors.push(`quota header "${oneLine(this.quota.header)}" must be a lower-case HTTP header name (Envoy lower-cases header names in the ext_authz input)`);
    }
    return errors;
  }

  /** The Rego module (OPA 0.60 syntax with future keywords). */
  public rego(): string {
    const rules = this.rules.map((r) => ({
      methods: [...r.methods],
      paths: r.paths.filter((p) => !p.endsWith('/*')),
      pathPrefixes: r.paths.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1)),
      roles: [...r.roles],
    }));
    return [
      '# Generated from a RequestAuthorizationPolicy: edit the TypeScript, not this file.',
      '# Input: the Envoy ext_authz CheckRequest sent by the gateway to OPA\'s Envoy plugin.',
      `package ${this.packageName}`,
      '',
      'import future.keywords.if',
      'import future.keywords.in',
      '',
      'default allow := false',
      '',
      `rules := ${regoLiteral(rules)}`,
      '',
      'http_request := input.attributes.request.http',
      '',
      '# Envoy passes the path with its query string.',
      'request_path := split(http_request.path, "?")[0]',
      '',
      'allow if {',
      '\tsome rule in rules',
      '\thttp_request.method in rule.methods',
      '\tpath_allowed(rule)',
      '\trole in rule.roles',
      '\tquota_ok',
      '}',
      '',
      'path_allowed(rule) if request_path in rule.paths',
      '',
      'path_allowed(rule) if {',
      '\tsome prefix in rule.pathPrefixes',
      '\tstartswith(request_path, prefix)',
      '}',
      '',
      ...this.identityRego(),
      '',
      ...this.quotaRego(),
      '',
    ].join('\n');
  }

  private identityRego(): string[] {
    if (this.identity.source === 'header') {
      return [
        `# The role header is set by the gateway from a JWT it verified; it must overwrite client copies.`,
        `role := ${regoRef('http_request.headers', this.identity.header!)}`,
      ];
    }
    const jwt = this.identity.jwtProps!;
    const constraints: Record<string, string> = { cert: '__JWKS__', iss: jwt.issuer };
    if (jwt.audience !== undefined) constraints.aud = jwt.audience;
    const constraintText = regoLiteral(constraints).replace('"__JWKS__"', 'jwks');
    const jwks = jwt.jwksUrl !== undefined
      ? [
        '# Fetched once per cache period, not per request.',
        'jwks := response.raw_body if {',
        `\tresponse := http.send({"method": "GET", "url": ${JSON.stringify(jwt.jwksUrl)}, "force_cache": true, "force_cache_duration_seconds": ${jwt.jwksCacheSeconds ?? 300}, "raise_error": false})`,
        '\tresponse.status_code == 200',
        '}',
      ]
      : [`jwks := ${JSON.stringify(jwt.jwks)}`];
    return [
      'bearer_token := token if {',
      '\tauthorization := http_request.headers.authorization',
      '\tstartswith(authorization, "Bearer ")',
      '\ttoken := substring(authorization, count("Bearer "), -1)',
      '}',
      '',
      ...jwks,
      '',
      '# Signature, iss, aud, exp and nbf are checked; an invalid token yields no claims.',
      'claims := payload if {',
      `\t[valid, _, payload] := io.jwt.decode_verify(bearer_token, ${constraintText})`,
      '\tvalid',
      '}',
      '',
      `role := ${regoRef('claims', jwt.roleClaim ?? 'role')}`,
    ];
  }

  private quotaRego(): string[] {
    if (this.quota.header === undefined) {
      return [
        '# The seed\'s rate_limit.remaining > 0: enforced by the gateway\'s own rate limit (429), not here.',
        'quota_ok := true',
      ];
    }
    return [
      'quota_ok if {',
      `\tto_number(${regoRef('http_request.headers', this.quota.header)}) > 0`,
      '}',
    ];
  }

  /**
   * `opa test` unit tests for {@link rego}: for each rule, an allowed request and one
   * denial per clause (method, path, role, identity, quota). With a JWT identity the tokens
   * are real: signed in the test by `io.jwt.encode_sign` with the private keys of
   * `data.test_keys` (`signing`, whose public half is the JWKS `data.test_keys.jwks`, and
   * `forger`, which the JWKS does not hold), and checked by the policy's own
   * `io.jwt.decode_verify`. Only the network is replaced: `http.send` returns that JWKS.
   * The keys are not in the module; `npm run conformance` generates a fresh pair each run
   * and passes them as a data file.
   */
  public regoTests(): string {
    const pkg = `data.${this.packageName}`;
    const jwtProps = this.identity.source === 'jwt' ? this.identity.jwtProps! : undefined;
    const roleClaim = jwtProps?.roleClaim ?? 'role';
    // With a JWT identity, each header set names the token by its claims, minted in the test.
    type Headers = Record<string, string>;
    const headerText = (headers: Headers, token?: string): string => {
      const entries = Object.entries(headers).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      if (token !== undefined) entries.unshift(`"authorization": ${token}`);
      return `{${entries.join(', ')}}`;
    };
    const baseHeaders = (role: string): Headers => ({
      ...(jwtProps ? {} : { [this.identity.header!]: role }),
      ...(this.quota.header ? { [this.quota.header]: '10' } : {}),
    });
    const bearer = (claims: Record<string, unknown>, key = 'signing'): string =>
      key === 'signing' ? `bearer(${regoLiteral(claims)})` : `bearer_signed_by(${regoLiteral(claims)}, data.test_keys.${key})`;
    const network = (jwtProps?.jwksUrl ? '\n\t\twith http.send as jwks_response' : '')
      + (jwtProps?.jwks !== undefined ? `\n\t\twith ${pkg}.jwks as data.test_keys.jwks` : '');
    const tests: string[] = [];
    const add = (name: string, expectAllow: boolean, method: string, path: string, headers: Headers, token?: string, mocks = network): void => {
      tests.push([
        `test_${name} if {`,
        `	${expectAllow ? '' : 'not '}${pkg}.allow with input as request(${JSON.stringify(method)}, ${JSON.stringify(path)}, ${headerText(headers, token)})${jwtProps ? mocks : ''}`,
        '}',
      ].join('\n'));
    };
    this.rules.forEach((rule, i) => {
      const method = rule.methods[0];
      const path = rule.paths[0].endsWith('/*') ? `${rule.paths[0].slice(0, -1)}item` : rule.paths[0];
      const role = rule.roles[0];
      const otherMethod = HTTP_METHODS.find((m) => !rule.methods.includes(m)) ?? 'TRACE';
      const token = (claims: Record<string, unknown> = {}): string | undefined => (jwtProps ? bearer({ [roleClaim]: role, ...claims }) : undefined);
      // Every method the rule names, so a write method is not only allowed by accident of order.
      for (const m of rule.methods) add(`rule_${i}_allows_${m.toLowerCase()}`, true, m, path, baseHeaders(role), token());
      const prefix = rule.paths.find((p) => p.endsWith('/*'));
      if (prefix !== undefined) {
        const under = prefix.slice(0, -2);
        add(`rule_${i}_allows_a_path_under_its_prefix`, true, method, `${under}/item/1`, baseHeaders(role), token());
        // Prefixes match whole segments: "/api/cart/*" does not allow "/api/carts".
        add(`rule_${i}_denies_a_path_that_only_starts_like_its_prefix`, false, method, `${under}s`, baseHeaders(role), token());
      }
      add(`rule_${i}_ignores_the_query_string`, true, method, `${path}?trace=1`, baseHeaders(role), token());
      add(`rule_${i}_denies_another_method`, false, otherMethod, path, baseHeaders(role), token());
      add(`rule_${i}_denies_another_path`, false, method, '/api/not-allowed-by-any-rule', baseHeaders(role), token());
      add(`rule_${i}_denies_another_role`, false, method, path, baseHeaders('not-a-role'), jwtProps ? bearer({ [roleClaim]: 'not-a-role' }) : undefined);
      if (jwtProps) {
        add(`rule_${i}_denies_a_forged_token`, false, method, path, baseHeaders(role), bearer({ [roleClaim]: role }, 'forger'));
        add(`rule_${i}_denies_an_expired_token`, false, method, path, baseHeaders(role), bearer({ [roleClaim]: role, exp: '__NOW_MINUS_60__', nbf: '__NOW_MINUS_600__' }));
        add(`rule_${i}_denies_a_token_not_yet_valid`, false, method, path, baseHeaders(role), bearer({ [roleClaim]: role, nbf: '__NOW_PLUS_600__' }));
        add(`rule_${i}_denies_another_issuer`, false, method, path, baseHeaders(role), bearer({ [roleClaim]: role, iss: 'https://issuer.invalid/' }));
        if (jwtProps.audience !== undefined) {
          add(`rule_${i}_denies_another_audience`, false, method, path, baseHeaders(role), bearer({ [roleClaim]: role, aud: 'another-audience' }));
        }
        add(`rule_${i}_denies_a_request_without_a_token`, false, method, path, baseHeaders(role));
        add(`rule_${i}_denies_a_token_without_the_bearer_scheme`, false, method, path, baseHeaders(role), `token_without_scheme(${regoLiteral({ [roleClaim]: role })})`);
        if (jwtProps.jwksUrl) {
          add(`rule_${i}_denies_when_the_jwks_cannot_be_fetched`, false, method, path, baseHeaders(role), token(), '\n\t\twith http.send as {"status_code": 503, "raw_body": ""}');
        }
      }
      if (this.quota.header) {
        add(`rule_${i}_denies_without_remaining_quota`, false, method, path, { ...baseHeaders(role), [this.quota.header]: '0' }, token());
      }
    });
    add('denies_an_empty_request', false, 'GET', '/', {});
    const helpers = [
      'request(method, path, headers) := {"attributes": {"request": {"http": {"method": method, "path": path, "headers": headers}}}}',
    ];
    if (jwtProps) {
      const claims: Record<string, unknown> = { iss: jwtProps.issuer, ...(jwtProps.audience !== undefined ? { aud: jwtProps.audience } : {}) };
      helpers.push(
        '',
        '# Seconds since the epoch, for the tokens\' exp and nbf.',
        'now := floor(time.now_ns() / 1000000000)',
        '',
        '# A token with the policy\'s issuer and audience, valid for ten minutes, plus `claims`.',
        'signed(claims, key) := io.jwt.encode_sign(',
        '\t{"alg": "RS256", "typ": "JWT", "kid": data.test_keys.signing.kid},',
        `\tobject.union(${regoLiteral(claims).replace(/}$/, ', "iat": now, "nbf": now - 60, "exp": now + 600}')}, claims),`,
        '\tkey,',
        ')',
        '',
        'bearer(claims) := bearer_signed_by(claims, data.test_keys.signing)',
        '',
        'bearer_signed_by(claims, key) := concat(" ", ["Bearer", signed(claims, key)])',
        '',
        'token_without_scheme(claims) := signed(claims, data.test_keys.signing)',
      );
      if (jwtProps.jwksUrl) {
        helpers.push('', '# The only thing replaced: the network. The issuer\'s JWKS is the test keys\' public half.', 'jwks_response := {"status_code": 200, "raw_body": data.test_keys.jwks}');
      }
    }
    const text = [
      jwtProps
        ? '# Generated from a RequestAuthorizationPolicy: run with `opa test . test-keys.json` (OPA 0.60),\n# where test-keys.json holds {"test_keys": {"signing": <private JWK with a kid>, "forger": <another>,\n# "jwks": <JSON string of the JWKS with signing\'s public half>}} (npm run conformance writes one).'
        : '# Generated from a RequestAuthorizationPolicy: run with `opa test .` (OPA 0.60).',
      `package ${this.packageName}_test`,
      '',
      'import future.keywords.if',
      '',
      ...helpers,
      '',
      tests.join('\n\n'),
      '',
    ].join('\n');
    return text
      .replace(/"__NOW_MINUS_60__"/g, 'now - 60')
      .replace(/"__NOW_MINUS_600__"/g, 'now - 600')
      .replace(/"__NOW_PLUS_600__"/g, 'now + 600');
  }
}
