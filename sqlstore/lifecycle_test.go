package sqlstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// lifecycleTables are the tables whose state column a domain lifecycle
// rules.
var lifecycleTables = map[string]bool{"targets": true, "tickets": true, "change_requests": true, "requests": true,
	"engagements": true, "support_changes": true, "contributions": true}

var (
	updateState = regexp.MustCompile(`(?is)UPDATE\s+(\w+)\s+SET\s+(.*?)(?:\bWHERE\b|$)`)
	setsState   = regexp.MustCompile(`(?i)(^|[\s,])state\s*=`)
	insertInto  = regexp.MustCompile(`(?is)INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)`)
	hasState    = regexp.MustCompile(`(?i)(^|[\s,])state\s*(,|$)`)
)

// TestStatesMoveThroughLifecycles reads the store's code: every UPDATE
// that sets the state of a lifecycle's table is the statement of a call
// to move (or moveAll, its many-rows form), and every INSERT of a state sits in a function that checks the
// creation against the lifecycle. A state write that bypasses the tables
// fails here, not in production.
func TestStatesMoveThroughLifecycles(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			moved := map[*ast.BasicLit]bool{}
			checks := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch fun := call.Fun.(type) {
				case *ast.Ident:
					if (fun.Name == "move" || fun.Name == "moveAll") && len(call.Args) >= 7 {
						if lit, ok := call.Args[6].(*ast.BasicLit); ok {
							moved[lit] = true
						}
					}
				case *ast.SelectorExpr:
					if fun.Sel.Name == "Check" {
						checks = true
					}
				}
				return true
			})
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				where := fset.Position(lit.Pos())
				for _, m := range updateState.FindAllStringSubmatch(s, -1) {
					if lifecycleTables[m[1]] && setsState.MatchString(m[2]) {
						checked++
						if !moved[lit] {
							t.Errorf("%s: %s sets %s.state without move", where, fn.Name.Name, m[1])
						}
					}
				}
				for _, m := range insertInto.FindAllStringSubmatch(s, -1) {
					if lifecycleTables[m[1]] && hasState.MatchString(m[2]) {
						checked++
						if !checks {
							t.Errorf("%s: %s inserts into %s without checking the lifecycle", where, fn.Name.Name, m[1])
						}
					}
				}
				return true
			})
		}
	}
	if checked == 0 {
		t.Fatal("found no state writes: the patterns are wrong")
	}
}
