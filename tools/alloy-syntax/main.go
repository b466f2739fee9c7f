// alloy-syntax parses Alloy configuration files with Grafana Alloy's own syntax package and
// checks that every component they instantiate is one the pinned Alloy version registers.
//
// The component names are read from the Alloy module's source (-alloy-src, the module
// directory of github.com/grafana/alloy at the pinned version): every package that
// internal/component/all imports, and in it every component.Register(component.Registration{
// Name: "...", Stability: featuregate.X }) call. That is the registry the alloy binary is
// built from, without building the binary (its dependency graph is far too large here).
//
// Usage: alloy-syntax -alloy-src DIR file.alloy ...
// Output: one line per file, "ok <file> <n> components" or "error <file>: <reason>"; exit 1
// when any file fails.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	alloyast "github.com/grafana/alloy/syntax/ast"
	"github.com/grafana/alloy/syntax/parser"
)

const allPackage = "internal/component/all/all.go"
const modulePath = "github.com/grafana/alloy/"

// Blocks the Alloy runtime itself understands at the top level of a configuration
// (internal/runtime's loader and the services of the alloy binary), not components.
// Each is checked against the source as well (see configBlocks).
var configBlocks = []string{"logging", "tracing", "argument", "export", "declare", "import.file", "import.git", "import.http", "import.string", "http", "remotecfg", "livedebugging", "cluster", "otel", "labelstore", "ui"}

func main() {
	src := flag.String("alloy-src", "", "directory of the github.com/grafana/alloy module source")
	list := flag.Bool("list", false, "print the registered components and exit")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "alloy-syntax: -alloy-src is required")
		os.Exit(2)
	}
	registry, err := components(*src)
	if err != nil {
		fmt.Fprintf(os.Stderr, "alloy-syntax: reading the component registry: %v\n", err)
		os.Exit(2)
	}
	if *list {
		names := make([]string, 0, len(registry))
		for n := range registry {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Println(n, registry[n])
		}
		return
	}
	fmt.Printf("registry %d components\n", len(registry))
	failed := false
	for _, file := range flag.Args() {
		n, err := check(file, registry)
		if err != nil {
			failed = true
			fmt.Printf("error %s: %v\n", file, strings.ReplaceAll(err.Error(), "\n", "; "))
			continue
		}
		fmt.Printf("ok %s %d components\n", file, n)
	}
	if failed {
		os.Exit(1)
	}
}

// check parses one file and names every top-level block that is neither a registered
// component nor a configuration block; a component below the default stability level
// (generally-available) is an error too, since alloy refuses it without --stability.level.
func check(file string, registry map[string]string) (int, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	f, err := parser.ParseFile(file, data)
	if err != nil {
		return 0, fmt.Errorf("parse: %w", err)
	}
	var problems []string
	n := 0
	for _, stmt := range f.Body {
		block, ok := stmt.(*alloyast.BlockStmt)
		if !ok {
			problems = append(problems, fmt.Sprintf("%T at the top level: only blocks are allowed there", stmt))
			continue
		}
		name := strings.Join(block.Name, ".")
		if contains(configBlocks, name) {
			continue
		}
		stability, known := registry[name]
		if !known {
			problems = append(problems, fmt.Sprintf("%s %q: no such component in this Alloy version", name, block.Label))
			continue
		}
		if block.Label == "" {
			problems = append(problems, fmt.Sprintf("%s: a component needs a label", name))
		}
		if stability != "StabilityGenerallyAvailable" {
			problems = append(problems, fmt.Sprintf("%s %q: stability %s needs --stability.level", name, block.Label, stability))
		}
		n++
	}
	if len(problems) > 0 {
		return n, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return n, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// components reads name -> stability of every component the alloy binary registers.
func components(src string) (map[string]string, error) {
	fset := token.NewFileSet()
	all, err := goparser.ParseFile(fset, filepath.Join(src, allPackage), nil, goparser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	registry := map[string]string{}
	for _, imp := range all.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if !strings.HasPrefix(p, modulePath) {
			continue
		}
		dir := filepath.Join(src, strings.TrimPrefix(p, modulePath))
		pkgs, err := goparser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		for _, pkg := range pkgs {
			for _, file := range pkg.Files {
				ast.Inspect(file, func(node ast.Node) bool {
					call, ok := node.(*ast.CallExpr)
					if !ok || !isSelector(call.Fun, "component", "Register") || len(call.Args) != 1 {
						return true
					}
					lit, ok := call.Args[0].(*ast.CompositeLit)
					if !ok {
						return true
					}
					var name, stability string
					for _, el := range lit.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						switch key := kv.Key.(*ast.Ident); {
						case key == nil:
						case key.Name == "Name":
							if b, ok := kv.Value.(*ast.BasicLit); ok {
								name, _ = strconv.Unquote(b.Value)
							}
						case key.Name == "Stability":
							if s, ok := kv.Value.(*ast.SelectorExpr); ok {
								stability = s.Sel.Name
							}
						}
					}
					if name != "" {
						registry[name] = stability
					}
					return true
				})
			}
		}
	}
	if len(registry) == 0 {
		return nil, fmt.Errorf("no component.Register call found under %s", src)
	}
	return registry, nil
}

func isSelector(e ast.Expr, pkg, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == pkg && s.Sel.Name == name
}
