package main

import (
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

func TestExamplePath(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		``:                            "example.txt",
		`\.env$`:                      "example.env",
		`(^|/)\.npmrc$`:               "example/.npmrc",
		`^config/.*\.ya?ml$`:          "config/.yml",
		`(?i)\.(pem|key)$`:            "example.pem",
		`^\.github/workflows/`:        ".github/workflows/",
		`[^/]+\.tfvars$`:              "examplee.tfvars",
		`^secrets/[A-Z]{2}\d+\.json$`: "secrets/AA0.json",
	}
	for expr, want := range tests {
		var re *patterns.PathPattern
		if expr != "" {
			re = patterns.MustCompilePathPattern(expr)
		}
		got, ok := examplePath(re)
		if !ok || got != want {
			t.Errorf("examplePath(%q) = %q, %v; want %q", expr, got, ok, want)
		}
	}
	if p, ok := examplePath(patterns.MustCompilePathPattern(`^$`)); ok {
		t.Errorf("a filter that accepts only the empty path gave %q", p)
	}
}

// FuzzExamplePath: whatever the filter, examplePath never panics and the
// path it offers is one the filter accepts.
func FuzzExamplePath(f *testing.F) {
	for _, s := range []string{`\.env$`, `(^|/)x$`, `a{3,5}b+`, `[^a-z]`, `\bq\B`, `(?i)K[\d]*\z`, `x|y|`, `.^`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		re, err := patterns.CompilePathPattern(expr)
		if err != nil {
			return
		}
		if p, ok := examplePath(re); ok && !re.MatchString(p) {
			t.Fatalf("examplePath(%q) = %q, which it does not match", expr, p)
		}
	})
}
