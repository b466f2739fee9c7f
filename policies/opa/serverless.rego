# Generated from a RequestAuthorizationPolicy: edit the TypeScript, not this file.
# Input: the Envoy ext_authz CheckRequest sent by the gateway to OPA's Envoy plugin.
package serverless

import future.keywords.if
import future.keywords.in

default allow := false

rules := [{"methods": ["POST"], "paths": ["/api/function"], "pathPrefixes": [], "roles": ["user"]}, {"methods": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], "paths": ["/api/cart"], "pathPrefixes": ["/api/cart/"], "roles": ["user"]}, {"methods": ["GET", "POST"], "paths": ["/api/flash-sale"], "pathPrefixes": ["/api/flash-sale/"], "roles": ["user"]}]

http_request := input.attributes.request.http

# Envoy passes the path with its query string.
request_path := split(http_request.path, "?")[0]

allow if {
	some rule in rules
	http_request.method in rule.methods
	path_allowed(rule)
	role in rule.roles
	quota_ok
}

path_allowed(rule) if request_path in rule.paths

path_allowed(rule) if {
	some prefix in rule.pathPrefixes
	startswith(request_path, prefix)
}

bearer_token := token if {
	authorization := http_request.headers.authorization
	startswith(authorization, "Bearer ")
	token := substring(authorization, count("Bearer "), -1)
}

# Fetched once per cache period, not per request.
jwks := response.raw_body if {
	response := http.send({"method": "GET", "url": "https://auth.shop.example.com/.well-known/jwks.json", "force_cache": true, "force_cache_duration_seconds": 300, "raise_error": false})
	response.status_code == 200
}

# Signature, iss, aud, exp and nbf are checked; an invalid token yields no claims.
claims := payload if {
	[valid, _, payload] := io.jwt.decode_verify(bearer_token, {"cert": jwks, "iss": "https://auth.shop.example.com/", "aud": "api.shop.example.com"})
	valid
}

role := claims.role

# The seed's rate_limit.remaining > 0: enforced by the gateway's own rate limit (429), not here.
quota_ok := true
