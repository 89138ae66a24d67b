package patterns

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestWarmValidatorsCoversState: every package-level sync.OnceValue of the
// package's validators is built by WarmValidators. One added without being
// listed would be built by a reader again, where another reader can wait
// for it.
func TestWarmValidatorsCoversState(t *testing.T) {
	src, err := os.ReadFile("warm.go")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_gen.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					call, ok := v.(*ast.CallExpr)
					if !ok {
						continue
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok {
						if ix, isIndex := call.Fun.(*ast.IndexExpr); isIndex {
							sel, ok = ix.X.(*ast.SelectorExpr)
						}
					}
					if !ok || sel.Sel.Name != "OnceValue" {
						continue
					}
					id := vs.Names[i].Name
					// Not a validator's: the provider template's syntax and
					// a user rule's line form are built when a configuration
					// uses them.
					if id == "shapeSyntax" || id == "lineStart" {
						continue
					}
					n++
					if !strings.Contains(string(src), "func() { "+id+"() }") {
						t.Errorf("%s (%s) is not built by WarmValidators", id, name)
					}
				}
			}
		}
	}
	if n < 40 {
		t.Errorf("found only %d sync.OnceValue variables", n)
	}
	var stop atomic.Bool
	WarmValidators(&stop)
}
