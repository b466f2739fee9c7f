# Generated from a RequestAuthorizationPolicy: run with `opa test .` (OPA 0.60).
package serverless_test

import future.keywords.if

test_rule_0_allows_post if {
	data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "POST", "path": "/api/function", "headers": {"authorization":"Bearer test-token"}}}}}
		with io.jwt.decode_verify as [true, {}, {"role": "user"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}

test_rule_0_ignores_the_query_string if {
	data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "POST", "path": "/api/function?trace=1", "headers": {"authorization":"Bearer test-token"}}}}}
		with io.jwt.decode_verify as [true, {}, {"role": "user"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}

test_rule_0_denies_another_method if {
	not data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "GET", "path": "/api/function", "headers": {"authorization":"Bearer test-token"}}}}}
		with io.jwt.decode_verify as [true, {}, {"role": "user"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}

test_rule_0_denies_another_path if {
	not data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "POST", "path": "/api/not-allowed-by-any-rule", "headers": {"authorization":"Bearer test-token"}}}}}
		with io.jwt.decode_verify as [true, {}, {"role": "user"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}

test_rule_0_denies_another_role if {
	not data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "POST", "path": "/api/function", "headers": {"authorization":"Bearer test-token"}}}}}
		with io.jwt.decode_verify as [true, {}, {"role": "not-a-role"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}

test_rule_0_denies_an_invalid_token if {
	not data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "POST", "path": "/api/function", "headers": {"authorization":"Bearer test-token"}}}}}
		with io.jwt.decode_verify as [false, {}, {"role": "user"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}

test_rule_0_denies_a_request_without_a_token if {
	not data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "POST", "path": "/api/function", "headers": {}}}}}
		with io.jwt.decode_verify as [true, {}, {"role": "user"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}

test_denies_an_empty_request if {
	not data.serverless.allow with input as {"attributes": {"request": {"http": {"method": "GET", "path": "/", "headers": {}}}}}
		with io.jwt.decode_verify as [false, {}, {"role": "none"}]
		with http.send as {"status_code": 200, "raw_body": "{\"keys\": []}"}
}
