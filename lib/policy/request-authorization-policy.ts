import { checkHttpPath } from '../core/names';

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
      errors.push(`packageName "${this.packageName}" is not a Rego package path: use lower-case identifiers joined by "." (for example "serverless")`);
    }
    if (this.rules.length === 0) {
      errors.push('rules is empty: every request would be denied; give at least one rule (the seed allows POST /api/function for role "user")');
    }
    this.rules.forEach((rule, i) => {
      const at = `rules[${i}]`;
      if (rule.methods.length === 0) errors.push(`${at}.methods is empty: list at least one of ${HTTP_METHODS.join(', ')}`);
      for (const m of rule.methods) {
        if (!(HTTP_METHODS as readonly string[]).includes(m)) errors.push(`${at}.methods entry "${m}" is not an HTTP method: use one of ${HTTP_METHODS.join(', ')} (upper case)`);
      }
      if (rule.paths.length === 0) errors.push(`${at}.paths is empty: list at least one path (for example "/api/function")`);
      for (const p of rule.paths) {
        const error = checkHttpPath(`${at}.paths entry`, p) ?? (p.includes('?') ? `${at}.paths entry "${p}" contains "?": paths are matched without the query string` : undefined);
        if (error) errors.push(error);
      }
      if (rule.roles.length === 0) errors.push(`${at}.roles is empty: list the roles allowed (for example ["user"])`);
    });
    if (this.identity.source === 'jwt') {
      const jwt = this.identity.jwtProps!;
      if ((jwt.jwksUrl === undefined) === (jwt.jwks === undefined)) {
        errors.push('identity.jwt needs exactly one of jwksUrl and jwks: the keys the token signature is checked against');
      }
      if (jwt.jwksUrl !== undefined && !/^https:\/\/[^\s/]+\/\S*$/.test(jwt.jwksUrl)) {
        errors.push(`identity.jwt.jwksUrl "${jwt.jwksUrl}" must be an https:// URL (for example "https://auth.example.com/.well-known/jwks.json")`);
      }
      if (jwt.jwks !== undefined) {
        try {
          const parsed = JSON.parse(jwt.jwks) as { keys?: unknown };
          if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) errors.push('identity.jwt.jwks must be a JWKS document with a non-empty "keys" array');
        } catch {
          errors.push('identity.jwt.jwks is not valid JSON: give the JWKS document ({"keys": [...]})');
        }
      }
      if (jwt.issuer.trim() === '') errors.push('identity.jwt.issuer is empty: give the issuer the token\'s "iss" must equal');
      if (jwt.jwksCacheSeconds !== undefined && (!Number.isInteger(jwt.jwksCacheSeconds) || jwt.jwksCacheSeconds < 1)) {
        errors.push(`identity.jwt.jwksCacheSeconds (${jwt.jwksCacheSeconds}) must be a positive integer`);
      }
    } else if (!HEADER_NAME.test(this.identity.header ?? '')) {
      errors.push(`identity header "${this.identity.header}" must be a lower-case HTTP header name (Envoy lower-cases header names in the ext_authz input)`);
    }
    if (this.quota.header !== undefined && !HEADER_NAME.test(this.quota.header)) {
      errors.push(`quota header "${this.quota.header}" must be a lower-case HTTP header name (Envoy lower-cases header names in the ext_authz input)`);
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
      `rules := ${JSON.stringify(rules)}`,
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
        `role := http_request.headers[${JSON.stringify(this.identity.header)}]`,
      ];
    }
    const jwt = this.identity.jwtProps!;
    const constraints: Record<string, string> = { cert: '__JWKS__', iss: jwt.issuer };
    if (jwt.audience !== undefined) constraints.aud = jwt.audience;
    const constraintText = JSON.stringify(constraints).replace('"__JWKS__"', 'jwks');
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
      `role := claims[${JSON.stringify(jwt.roleClaim ?? 'role')}]`,
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
      `\tto_number(http_request.headers[${JSON.stringify(this.quota.header)}]) > 0`,
      '}',
    ];
  }

  /**
   * `opa test` unit tests for {@link rego}: for each rule, an allowed request and one
   * denial per clause (method, path, role, identity, quota). `io.jwt.decode_verify` and
   * `http.send` are replaced with `with`, so the tests run offline.
   */
  public regoTests(): string {
    const pkg = `data.${this.packageName}`;
    const jwt = this.identity.source === 'jwt';
    const headersFor = (role: string): Record<string, string> => ({
      ...(jwt ? { authorization: 'Bearer test-token' } : { [this.identity.header!]: role }),
      ...(this.quota.header ? { [this.quota.header]: '10' } : {}),
    });
    const mocks = (role: string, valid = true): string => jwt
      ? `\n\t\twith io.jwt.decode_verify as [${valid}, {}, {${JSON.stringify(this.identity.jwtProps!.roleClaim ?? 'role')}: ${JSON.stringify(role)}}]`
        + (this.identity.jwtProps!.jwksUrl ? '\n\t\twith http.send as {"status_code": 200, "raw_body": "{\\"keys\\": []}"}' : '')
      : '';
    const request = (method: string, path: string, headers: Record<string, string>): string =>
      `{"attributes": {"request": {"http": {"method": ${JSON.stringify(method)}, "path": ${JSON.stringify(path)}, "headers": ${JSON.stringify(headers)}}}}}`;
    const tests: string[] = [];
    const add = (name: string, expectAllow: boolean, method: string, path: string, headers: Record<string, string>, mock: string): void => {
      tests.push([
        `test_${name} if {`,
        `\t${expectAllow ? '' : 'not '}${pkg}.allow with input as ${request(method, path, headers)}${mock}`,
        '}',
      ].join('\n'));
    };
    this.rules.forEach((rule, i) => {
      const method = rule.methods[0];
      const path = rule.paths[0].endsWith('/*') ? `${rule.paths[0].slice(0, -1)}item` : rule.paths[0];
      const role = rule.roles[0];
      const otherMethod = HTTP_METHODS.find((m) => !rule.methods.includes(m)) ?? 'TRACE';
      add(`rule_${i}_allows_${method.toLowerCase()}`, true, method, path, headersFor(role), mocks(role));
      add(`rule_${i}_ignores_the_query_string`, true, method, `${path}?trace=1`, headersFor(role), mocks(role));
      add(`rule_${i}_denies_another_method`, false, otherMethod, path, headersFor(role), mocks(role));
      add(`rule_${i}_denies_another_path`, false, method, '/api/not-allowed-by-any-rule', headersFor(role), mocks(role));
      add(`rule_${i}_denies_another_role`, false, method, path, headersFor('not-a-role'), mocks('not-a-role'));
      if (jwt) {
        add(`rule_${i}_denies_an_invalid_token`, false, method, path, headersFor(role), mocks(role, false));
        const { authorization: _omitted, ...noToken } = headersFor(role);
        add(`rule_${i}_denies_a_request_without_a_token`, false, method, path, noToken, mocks(role));
      }
      if (this.quota.header) {
        add(`rule_${i}_denies_without_remaining_quota`, false, method, path, { ...headersFor(role), [this.quota.header]: '0' }, mocks(role));
      }
    });
    add('denies_an_empty_request', false, 'GET', '/', {}, jwt ? mocks('none', false) : '');
    return [
      '# Generated from a RequestAuthorizationPolicy: run with `opa test .` (OPA 0.60).',
      `package ${this.packageName}_test`,
      '',
      'import future.keywords.if',
      '',
      tests.join('\n\n'),
      '',
    ].join('\n');
  }
}
