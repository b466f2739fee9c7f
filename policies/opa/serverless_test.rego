# Generated from a RequestAuthorizationPolicy: run with `opa test . test-keys.json` (OPA 0.60),
# where test-keys.json holds {"test_keys": {"signing": <private JWK with a kid>, "forger": <another>,
# "jwks": <JSON string of the JWKS with signing's public half>}} (npm run conformance writes one).
package serverless_test

import future.keywords.if

request(method, path, headers) := {"attributes": {"request": {"http": {"method": method, "path": path, "headers": headers}}}}

# Seconds since the epoch, for the tokens' exp and nbf.
now := floor(time.now_ns() / 1000000000)

# A token with the policy's issuer and audience, valid for ten minutes, plus `claims`.
signed(claims, key) := io.jwt.encode_sign(
	{"alg": "RS256", "typ": "JWT", "kid": data.test_keys.signing.kid},
	object.union({"iss": "https://auth.shop.example.com/", "aud": "api.shop.example.com", "iat": now, "nbf": now - 60, "exp": now + 600}, claims),
	key,
)

bearer(claims) := bearer_signed_by(claims, data.test_keys.signing)

bearer_signed_by(claims, key) := concat(" ", ["Bearer", signed(claims, key)])

token_without_scheme(claims) := signed(claims, data.test_keys.signing)

# The only thing replaced: the network. The issuer's JWKS is the test keys' public half.
jwks_response := {"status_code": 200, "raw_body": data.test_keys.jwks}

test_rule_0_allows_post if {
	data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_0_ignores_the_query_string if {
	data.serverless.allow with input as request("POST", "/api/function?trace=1", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_0_denies_another_method if {
	not data.serverless.allow with input as request("GET", "/api/function", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_0_denies_another_path if {
	not data.serverless.allow with input as request("POST", "/api/not-allowed-by-any-rule", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_0_denies_another_role if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer({"role": "not-a-role"})})
		with http.send as jwks_response
}

test_rule_0_denies_a_forged_token if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer_signed_by({"role": "user"}, data.test_keys.forger)})
		with http.send as jwks_response
}

test_rule_0_denies_an_expired_token if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer({"role": "user", "exp": now - 60, "nbf": now - 600})})
		with http.send as jwks_response
}

test_rule_0_denies_a_token_not_yet_valid if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer({"role": "user", "nbf": now + 600})})
		with http.send as jwks_response
}

test_rule_0_denies_another_issuer if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer({"role": "user", "iss": "https://issuer.invalid/"})})
		with http.send as jwks_response
}

test_rule_0_denies_another_audience if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer({"role": "user", "aud": "another-audience"})})
		with http.send as jwks_response
}

test_rule_0_denies_a_request_without_a_token if {
	not data.serverless.allow with input as request("POST", "/api/function", {})
		with http.send as jwks_response
}

test_rule_0_denies_a_token_without_the_bearer_scheme if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": token_without_scheme({"role": "user"})})
		with http.send as jwks_response
}

test_rule_0_denies_when_the_jwks_cannot_be_fetched if {
	not data.serverless.allow with input as request("POST", "/api/function", {"authorization": bearer({"role": "user"})})
		with http.send as {"status_code": 503, "raw_body": ""}
}

test_rule_1_allows_get if {
	data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_allows_head if {
	data.serverless.allow with input as request("HEAD", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_allows_post if {
	data.serverless.allow with input as request("POST", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_allows_put if {
	data.serverless.allow with input as request("PUT", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_allows_patch if {
	data.serverless.allow with input as request("PATCH", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_allows_delete if {
	data.serverless.allow with input as request("DELETE", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_allows_a_path_under_its_prefix if {
	data.serverless.allow with input as request("GET", "/api/cart/item/1", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_denies_a_path_that_only_starts_like_its_prefix if {
	not data.serverless.allow with input as request("GET", "/api/carts", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_ignores_the_query_string if {
	data.serverless.allow with input as request("GET", "/api/cart?trace=1", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_denies_another_method if {
	not data.serverless.allow with input as request("OPTIONS", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_denies_another_path if {
	not data.serverless.allow with input as request("GET", "/api/not-allowed-by-any-rule", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_denies_another_role if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer({"role": "not-a-role"})})
		with http.send as jwks_response
}

test_rule_1_denies_a_forged_token if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer_signed_by({"role": "user"}, data.test_keys.forger)})
		with http.send as jwks_response
}

test_rule_1_denies_an_expired_token if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer({"role": "user", "exp": now - 60, "nbf": now - 600})})
		with http.send as jwks_response
}

test_rule_1_denies_a_token_not_yet_valid if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer({"role": "user", "nbf": now + 600})})
		with http.send as jwks_response
}

test_rule_1_denies_another_issuer if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer({"role": "user", "iss": "https://issuer.invalid/"})})
		with http.send as jwks_response
}

test_rule_1_denies_another_audience if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer({"role": "user", "aud": "another-audience"})})
		with http.send as jwks_response
}

test_rule_1_denies_a_request_without_a_token if {
	not data.serverless.allow with input as request("GET", "/api/cart", {})
		with http.send as jwks_response
}

test_rule_1_denies_a_token_without_the_bearer_scheme if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": token_without_scheme({"role": "user"})})
		with http.send as jwks_response
}

test_rule_1_denies_when_the_jwks_cannot_be_fetched if {
	not data.serverless.allow with input as request("GET", "/api/cart", {"authorization": bearer({"role": "user"})})
		with http.send as {"status_code": 503, "raw_body": ""}
}

test_rule_2_allows_get if {
	data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_allows_post if {
	data.serverless.allow with input as request("POST", "/api/flash-sale", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_allows_a_path_under_its_prefix if {
	data.serverless.allow with input as request("GET", "/api/flash-sale/item/1", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_denies_a_path_that_only_starts_like_its_prefix if {
	not data.serverless.allow with input as request("GET", "/api/flash-sales", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_ignores_the_query_string if {
	data.serverless.allow with input as request("GET", "/api/flash-sale?trace=1", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_denies_another_method if {
	not data.serverless.allow with input as request("HEAD", "/api/flash-sale", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_denies_another_path if {
	not data.serverless.allow with input as request("GET", "/api/not-allowed-by-any-rule", {"authorization": bearer({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_denies_another_role if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer({"role": "not-a-role"})})
		with http.send as jwks_response
}

test_rule_2_denies_a_forged_token if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer_signed_by({"role": "user"}, data.test_keys.forger)})
		with http.send as jwks_response
}

test_rule_2_denies_an_expired_token if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer({"role": "user", "exp": now - 60, "nbf": now - 600})})
		with http.send as jwks_response
}

test_rule_2_denies_a_token_not_yet_valid if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer({"role": "user", "nbf": now + 600})})
		with http.send as jwks_response
}

test_rule_2_denies_another_issuer if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer({"role": "user", "iss": "https://issuer.invalid/"})})
		with http.send as jwks_response
}

test_rule_2_denies_another_audience if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer({"role": "user", "aud": "another-audience"})})
		with http.send as jwks_response
}

test_rule_2_denies_a_request_without_a_token if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {})
		with http.send as jwks_response
}

test_rule_2_denies_a_token_without_the_bearer_scheme if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": token_without_scheme({"role": "user"})})
		with http.send as jwks_response
}

test_rule_2_denies_when_the_jwks_cannot_be_fetched if {
	not data.serverless.allow with input as request("GET", "/api/flash-sale", {"authorization": bearer({"role": "user"})})
		with http.send as {"status_code": 503, "raw_body": ""}
}

test_denies_an_empty_request if {
	not data.serverless.allow with input as request("GET", "/", {})
		with http.send as jwks_response
}
