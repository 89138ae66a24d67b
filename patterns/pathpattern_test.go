package patterns

import (
	"regexp"
	"testing"
)

// pathPatternSeeds are patterns whose reverse is easy to get wrong, with
// paths that tell a wrong one apart.
var pathPatternSeeds = []struct{ expr, path string }{
	{`(?i)(?:^|/)(?:\.my\.cnf|\.vscode/sftp\.json|[._]netrc)$`, "home/.vscode/SFTP.json"},
	{`(?i)(?:^|/)(?:\.my\.cnf|\.vscode/sftp\.json|[._]netrc)$`, "x.vscode/sftp.json"},
	{`(?i)(?:\.(?:ya?ml|json)|(?:^|/)[^./]+)$`, "deploy/Makefile"},
	{`(?i)(?:\.(?:ya?ml|json)|(?:^|/)[^./]+)$`, "a.b/c.go"},
	{`ab{2,3}c$`, "xabbbc"},
	{`ab{2,3}c$`, "abbbbc"},
	{`(?:ab){2}$`, "abab"},
	{`(?m)^x$`, "a\nx"},
	{`(?m:^)x$`, "a\nx"},
	{`x(?m:$)\ny$`, "x\ny"},
	{`(?m)x$`, "x\na"},
	{`\bkey$`, "a.key"},
	{`\bkey$`, "akey"},
	{`\Bkey$`, "akey"},
	{`(?i)straße$`, "STRASSE"},
	{`(?i)straße$`, "/STRAẞE"},
	{`é.$`, "café\xff"},
	{`\x{FFFD}\x{FFFD}$`, "a\xe2\x82"},
	{`€$`, "\xe2\x82\xac\xac"},
	{`^a$`, "a"},
	{`a$|b`, "bc"},
	{`(?s).$`, "\n"},
	{`(a)(?P<n>b)\z`, "ab"},
	{`x*$`, ""},
}

// TestPathPatternMatchesAsRegexp: a path pattern answers as Go's regexp
// does, whether it is matched forwards or backwards.
func TestPathPatternMatchesAsRegexp(t *testing.T) {
	for _, tc := range pathPatternSeeds {
		p := MustCompilePathPattern(tc.expr)
		if got, want := p.MatchString(tc.path), regexp.MustCompile(tc.expr).MatchString(tc.path); got != want {
			t.Errorf("%s on %q: %v, want %v (reversed: %v)", tc.expr, tc.path, got, want, p.rev)
		}
		if p.String() != tc.expr {
			t.Errorf("String() = %q, want %q", p.String(), tc.expr)
		}
	}
}

// TestPathPatternReversesEndAnchored: patterns anchored at the end only
// are matched backwards, others forwards; the catalogue's are all
// matched backwards (what makes them cheap, PathPattern).
func TestPathPatternReversesEndAnchored(t *testing.T) {
	for expr, reversed := range map[string]bool{
		`\.env$`:             true,
		`(?:^|/)\.npmrc$`:    true,
		`(?:a$|b\z)`:         true,
		`(a|b)$`:             true,
		`^secrets/.*\.json$`: false,
		`\.env`:              false,
		`a$|b`:               false,
		`(?m)\.env$`:         false,
	} {
		p := MustCompilePathPattern(expr)
		p.MatchString("x")
		if (p.rev != nil) != reversed {
			t.Errorf("%s: reversed %v, want %v", expr, p.rev != nil, reversed)
		}
	}
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rules {
		if r.Path == nil {
			continue
		}
		n++
		if r.Path.MatchString("x"); r.Path.rev == nil {
			t.Errorf("%s: path pattern %s is matched forwards", r.ID, r.Path)
		}
	}
	if n == 0 {
		t.Error("no built-in rule has a path pattern: the test checks nothing")
	}
}

// FuzzPathPattern: for any pattern and path, PathPattern answers as Go's
// regexp does.
func FuzzPathPattern(f *testing.F) {
	for _, tc := range pathPatternSeeds {
		f.Add(tc.expr, tc.path)
	}
	f.Fuzz(func(t *testing.T, expr, path string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		p, err := CompilePathPattern(expr)
		if err != nil {
			t.Fatalf("%q: regexp compiles it, CompilePathPattern fails: %v", expr, err)
		}
		if got, want := p.MatchString(path), re.MatchString(path); got != want {
			t.Fatalf("%q on %q: %v, want %v (reversed: %v)", expr, path, got, want, p.rev)
		}
	})
}

// BenchmarkPathPattern matches the catalogue's two path patterns against
// paths shaped like a repository's (PathPattern's comment has the figures
// on Kingfisher's paths), backwards and, as Go's regexp, forwards.
func BenchmarkPathPattern(b *testing.B) {
	paths := []string{
		"src/scanner/detector.go", "data/rules/aws.yml", "README.md", "Makefile",
		"vendor/github.com/foo/bar/baz_test.go", "docs/usage/configuration.json",
		"tests/fixtures/.env", "crates/noseyparker/src/lib.rs", ".github/workflows/ci.yml",
	}
	rules, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	seen := map[string]bool{}
	var pats []*PathPattern
	for _, r := range rules {
		if r.Path != nil && !seen[r.Path.String()] {
			seen[r.Path.String()] = true
			pats = append(pats, r.Path)
		}
	}
	b.Run("backwards", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pats {
				for _, s := range paths {
					p.MatchString(s)
				}
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pats {
				for _, s := range paths {
					p.re.MatchString(s)
				}
			}
		}
	})
}
