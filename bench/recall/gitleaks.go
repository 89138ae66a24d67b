package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// gitleaks keeps its rules as Go code (cmd/generate/config/rules/*.go): each
// function builds a config.Rule and checks it against two string lists, true
// positives (tps) and false positives (fps). loadGoDir reads those files
// with go/parser, never running them, and takes every example written as a
// string literal (or a concatenation of literals) in a tps or fps list.
// Examples produced by calling gitleaks' generators are left out: they are
// not written down anywhere, and rebuilding them would mean copying code.
// The rule's regex is built by helper calls too, so it is left empty: any
// rampart finding on an example credits it. Betterleaks, a gitleaks
// descendant, keeps its rules the same way.
func loadGoDir(dir, label string) ([]peerRule, []error) {
	return walkRules(dir, label, func(path string) bool {
		return filepath.Ext(path) == ".go" && !strings.HasSuffix(path, "_test.go")
	}, parseGoRules)
}

// parseGoRules returns one peerRule per function that builds a config.Rule
// with a literal RuleID and has at least one literal example.
func parseGoRules(path, label string, data []byte) ([]peerRule, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, data, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	src := label
	if src == "" {
		src = "gitleaks"
	}
	var out []peerRule
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		var id, desc string
		var skipReport bool
		var tps, fps []string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if isConfigRule(n.Type) {
					for _, e := range n.Elts {
						kv, ok := e.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						key, _ := kv.Key.(*ast.Ident)
						if key == nil {
							continue
						}
						if v, ok := kv.Value.(*ast.Ident); ok && key.Name == "SkipReport" {
							skipReport = v.Name == "true"
						}
						if s, ok := stringLit(kv.Value); ok {
							switch key.Name {
							case "RuleID":
								id = s
							case "Description":
								desc = s
							}
						}
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if i < len(n.Rhs) {
						collectExamples(lhs, n.Rhs[i], &tps, &fps)
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) {
						collectExamples(name, n.Values[i], &tps, &fps)
					}
				}
			}
			return true
		})
		if id == "" || len(tps)+len(fps) == 0 {
			continue
		}
		out = append(out, peerRule{
			Source:    src,
			Provider:  id,
			File:      path,
			Name:      desc,
			ID:        src + "." + id,
			Examples:  nonEmpty(tps),
			Negatives: nonEmpty(fps),
			// Betterleaks marks a composite rule's parts (a client ID, a
			// host, a token's name) SkipReport: never reported alone, like
			// Nosey Parker's `visible: false` helpers.
			Hidden: skipReport,
			// gitleaks names rules by provider and kind; an id that names
			// an identifier (…-client-id) captures no secret.
			Identifier: identifierName(strings.ReplaceAll(id, "-", " ")),
		})
	}
	return out, nil
}

// isConfigRule reports whether a composite literal's type is config.Rule.
func isConfigRule(t ast.Expr) bool {
	sel, ok := t.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Rule" {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "config"
}

// collectExamples adds the literal strings of rhs to tps or fps when lhs is
// a variable whose name says which list it is (tps, fps, truePositives…).
func collectExamples(lhs, rhs ast.Expr, tps, fps *[]string) {
	id, ok := lhs.(*ast.Ident)
	if !ok {
		return
	}
	name := strings.ToLower(id.Name)
	var dst *[]string
	switch {
	case strings.HasPrefix(name, "tp") || strings.HasPrefix(name, "truepositive"):
		dst = tps
	case strings.HasPrefix(name, "fp") || strings.HasPrefix(name, "falsepositive"):
		dst = fps
	default:
		return
	}
	var elems []ast.Expr
	switch r := rhs.(type) {
	case *ast.CompositeLit:
		elems = r.Elts
	case *ast.CallExpr:
		// tps = append(tps, "…", "…"): the literal arguments after the
		// slice.
		if fn, ok := r.Fun.(*ast.Ident); ok && fn.Name == "append" && len(r.Args) > 1 {
			elems = r.Args[1:]
		}
	}
	for _, e := range elems {
		if s, ok := stringLit(e); ok {
			*dst = append(*dst, s)
		}
	}
}

// stringLit evaluates a string literal or a + concatenation of them (and
// fmt.Sprintf over them): evalString with no names known.
func stringLit(e ast.Expr) (string, bool) { return evalString(e, nil) }
