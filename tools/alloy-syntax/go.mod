// Wrapper module of alloy-syntax (main.go): Grafana Alloy's own syntax module parses
// config.alloy. The Alloy module itself (ALLOY) is not a dependency: conformance/engines/alloy.ts
// fetches its source with `go mod download` and main.go reads the component registry from it.
module wasm-functions/tools/alloy-syntax

go 1.22.7

require github.com/grafana/alloy/syntax v0.1.0

require (
	github.com/fatih/color v1.15.0 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.17 // indirect
	golang.org/x/sys v0.6.0 // indirect
)
