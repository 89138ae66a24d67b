package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// trufflehog keeps no examples beside its detectors' patterns: they live in
// each detector's pattern test (pkg/detectors/<provider>/<provider>_test.go,
// functions named Test…_Pattern…), as table cases with an `input` and the
// secrets the detector must `want` from it — none for a negative case.
// loadTrufflehogDir reads those files with go/parser, never running them,
// and evaluates what the tests write as constants: string literals, `+`
// concatenations, the file's constants and variables, the test's own `:=`
// strings and fmt.Sprintf over them. A case whose input is built any other
// way (a generator call, a loop) is left out. Integration tests, which need
// live credentials, are skipped.
//
// The wanted secrets stand in for the peer's pattern: an example counts as
// found when a rampart finding overlaps one of them (any finding, when the
// detector wants a combination that does not occur literally, such as an ID
// and a secret joined).
func loadTrufflehogDir(dir, label string) ([]peerRule, []error) {
	return walkRules(dir, label, func(path string) bool {
		return strings.HasSuffix(path, "_test.go") && !strings.HasSuffix(path, "_integration_test.go")
	}, parseTrufflehogTests)
}

// parseTrufflehogTests returns one peerRule per pattern test file that has
// at least one case it can evaluate; the provider is the detector's
// directory.
func parseTrufflehogTests(path, label string, data []byte) ([]peerRule, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, data, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	src := label
	if src == "" {
		src = "trufflehog"
	}
	// File-level constants and variables, twice so that one may use another
	// declared below it.
	env := map[string]string{}
	for pass := 0; pass < 2; pass++ {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				if vs, ok := spec.(*ast.ValueSpec); ok {
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := evalString(vs.Values[i], env); ok {
								env[name.Name] = s
							}
						}
					}
				}
			}
		}
	}
	var tests []string
	var examples, negatives, wanted []string
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") || !strings.Contains(fn.Name.Name, "Pattern") {
			continue
		}
		local := make(map[string]string, len(env))
		for k, v := range env {
			local[k] = v
		}
		lists := map[string][]string{} // local []string variables (want := []string{…})
		n := len(examples) + len(negatives)
		add := func(input string, want []string) {
			if strings.TrimSpace(input) == "" {
				return
			}
			if len(want) == 0 {
				negatives = append(negatives, input)
				return
			}
			examples = append(examples, input)
			wanted = append(wanted, want...)
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					id, ok := lhs.(*ast.Ident)
					if !ok || i >= len(n.Rhs) {
						continue
					}
					if s, ok := evalString(n.Rhs[i], local); ok {
						local[id.Name] = s
					} else if l, ok := evalList(n.Rhs[i], local, lists); ok {
						lists[id.Name] = l
					}
				}
			case *ast.CompositeLit:
				var input, want ast.Expr
				for _, e := range n.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if key, ok := kv.Key.(*ast.Ident); ok {
						switch key.Name {
						case "input", "data":
							input = kv.Value
						case "want":
							want = kv.Value
						}
					}
				}
				if input == nil || want == nil {
					return true
				}
				in, ok := evalString(input, local)
				if !ok {
					return true
				}
				if w, ok := evalList(want, local, lists); ok {
					add(in, w)
				}
			}
			return true
		})
		// The other shape: `input := …` and `want := []string{…}` as the
		// test's own variables, one case per function.
		if len(examples)+len(negatives) == n {
			if in, ok := local["input"]; ok {
				if w, ok := lists["want"]; ok {
					add(in, w)
				}
			}
		}
		if len(examples)+len(negatives) > n {
			tests = append(tests, fn.Name.Name)
		}
	}
	if len(examples)+len(negatives) == 0 {
		return nil, nil
	}
	provider := filepath.Base(filepath.Dir(path))
	if versionDirRE.MatchString(provider) {
		// cloudflareapitoken/v2/…: the detector's second version.
		provider = filepath.Base(filepath.Dir(filepath.Dir(path))) + "_" + provider
	}
	return []peerRule{{
		Source:    src,
		Provider:  provider,
		File:      path,
		Name:      strings.Join(tests, ", "),
		ID:        src + "." + provider,
		Pattern:   literalAlternation(wanted, examples),
		Examples:  nonEmpty(examples),
		Negatives: nonEmpty(negatives),
	}}, nil
}

// versionDirRE matches a detector version's directory (v1, v2).
var versionDirRE = regexp.MustCompile(`^v[0-9]+$`)

// literalAlternation is a pattern matching each wanted secret that occurs
// literally in some example, or "" (any finding counts) when none does.
func literalAlternation(wanted, examples []string) string {
	seen := map[string]bool{}
	var alts []string
	for _, w := range wanted {
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		for _, ex := range examples {
			if strings.Contains(ex, w) {
				alts = append(alts, regexp.QuoteMeta(w))
				break
			}
		}
	}
	return strings.Join(alts, "|")
}

// evalString evaluates a string expression the way the compiler would, when
// it only uses literals, known names, + and fmt.Sprintf.
func evalString(e ast.Expr, env map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := env[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return evalString(e.X, env)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, ok := evalString(e.X, env)
		if !ok {
			return "", false
		}
		r, ok := evalString(e.Y, env)
		return l + r, ok
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Sprintf" || len(e.Args) == 0 || e.Ellipsis.IsValid() {
			return "", false
		}
		if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "fmt" {
			return "", false
		}
		format, ok := evalString(e.Args[0], env)
		if !ok {
			return "", false
		}
		args := make([]any, 0, len(e.Args)-1)
		for _, a := range e.Args[1:] {
			if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.INT {
				n, err := strconv.Atoi(lit.Value)
				if err != nil {
					return "", false
				}
				args = append(args, n)
				continue
			}
			s, ok := evalString(a, env)
			if !ok {
				return "", false
			}
			args = append(args, s)
		}
		out := fmt.Sprintf(format, args...)
		if strings.Contains(out, "%!") {
			return "", false // a verb the arguments do not fit: not what the test builds
		}
		return out, true
	}
	return "", false
}

// evalList evaluates a want: a []string literal of evaluable strings, nil,
// or a local list variable.
func evalList(e ast.Expr, env map[string]string, lists map[string][]string) ([]string, bool) {
	switch e := e.(type) {
	case *ast.Ident:
		if e.Name == "nil" {
			return nil, true
		}
		l, ok := lists[e.Name]
		return l, ok
	case *ast.CompositeLit:
		at, ok := e.Type.(*ast.ArrayType)
		if !ok {
			return nil, false
		}
		if elt, ok := at.Elt.(*ast.Ident); !ok || elt.Name != "string" {
			return nil, false
		}
		out := []string{}
		for _, x := range e.Elts {
			s, ok := evalString(x, env)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
