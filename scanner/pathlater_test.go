package scanner

import (
	"encoding/base64"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// TestPathLaterMatchesDetectionAtPath requires detection with the path
// left for later (history blobs read before the commit walk has placed
// them), once its findings are given a path and judged (judgePaths), to
// give exactly what detection at that path gives: for texts where the path
// decides which rule reports a value (a skip_test_files rule claims bytes
// another rule reports in tests), drops test vectors, runs rules
// restricted to data files, in plain and in decoded text, and for random
// mixtures of them, at paths of every kind.
func TestPathLaterMatchesDetectionAtPath(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig("custom.toml", []byte(`
[[rules]]
id = "acme-properties-key"
description = "Acme key in a properties file"
keywords = ["acme.key="]
regex = '''acme\.key=(?P<secret>[A-Za-z0-9]{24})'''
path = '''\.properties$'''
`))
	if err != nil {
		t.Fatal(err)
	}
	if !PathsLater(cfg.Rules) {
		t.Fatal("the catalogue cannot leave paths for later")
	}
	d := NewDetector(cfg.Rules, cfg.Allow)

	envDefault := "    'api_key' => env('SHOP_API_KEY', 'Qm7vT2xLr9KpW4zNc8Hd3Jf6Ys1Bg5Ea'),"
	var vectors []string
	for i := 0; i < 9; i++ {
		x := uint64(i+1) * 0x9E3779B97F4A7C15
		vectors = append(vectors, fmt.Sprintf("shared_secret = \"%016x%016x\"", x, x*0xBF58476D1CE4E5B9))
	}
	nameValue := "        - name: DB_PASSWORD\n          value: Tq8vZ3mL9xRk2Wpq"
	acme := "acme.key=Zt5vQ9mW2xLr8KpN4bHj7cYf"
	aws := "aws_access_key_id = AKIAUJZDEGXDNCF32EPF\naws_secret_access_key = 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"
	// A Kubernetes Secret's data is decoded, and the decoded text read.
	encoded := "apiVersion: v1\nkind: Secret\ndata:\n  app.php: " + base64.StdEncoding.EncodeToString([]byte("<?php\nreturn [\n"+envDefault+"\n];\n"))
	// Passwords the credential-file rules (one path pattern, skip_test_files)
	// find: weak ones only they report, strong ones a rule that runs
	// everywhere holds too.
	stored := "export DB_PASSWORD='Tq8v-Lz3Wk2xR7tq'\nexport MLAB_PASS='password123'\n    \"password\": \"hunter22\",\nmachine api.corp.net login me password pass123"
	texts := map[string]string{
		"credential files":       stored + "\n",
		"env default":            "<?php\nreturn [\n" + envDefault + "\n];\n",
		"test vectors":           strings.Join(vectors, "\n") + "\n",
		"vectors, one marked":    strings.Join(vectors[:8], "\n") + " // rampart:allow\n",
		"name/value in data":     nameValue + "\n",
		"custom path rule":       acme + "\n",
		"aws pair":               aws + "\n",
		"env default, encoded":   encoded + "\n",
		"everything":             strings.Join([]string{envDefault, nameValue, acme, aws, encoded, strings.Join(vectors, "\n")}, "\n") + "\n",
		"vectors and env in yml": strings.Join(append([]string{envDefault, nameValue}, vectors...), "\n") + "\n",
	}
	parts := []string{envDefault, nameValue, acme, aws, encoded, vectors[0], vectors[1], "x = 1", "token = 'placeholder'", stored}
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 20; i++ {
		var lines []string
		for k := rng.Intn(12); k >= 0; k-- {
			lines = append(lines, parts[rng.Intn(len(parts))])
		}
		texts[fmt.Sprint("random ", i)] = strings.Join(lines, "\n") + "\n"
	}
	paths := []string{
		"src/app.php", "config/app.yaml", "Dockerfile", "conf/app.properties",
		"docs/setup.md", "docs/app.properties", "README.md", "doc/config.yaml",
		"tests/fixtures/app.php", "testdata/vectors.txt", "test/app.properties", "src/app_test.yaml",
		".bashrc", "deploy/sftp-config.json", "home/.netrc", "tests/home/.bashrc",
	}
	changed := 0
	for name, text := range texts {
		// Paths unknown at detection, or known already (LaterPaths),
		// with the keyword hits found by the source (as history's reader
		// does: only the path patterns of rules they name are matched).
		later := d.Detect(Chunk{Data: []byte(text), Kind: KindBlob, PathLater: true})
		known := d.Detect(Chunk{Data: []byte(text), Kind: KindBlob, PathLater: true, LaterPaths: paths})
		hits := hitsOf(d, []byte(text))
		knownHits := d.Detect(Chunk{Data: []byte(text), Kind: KindBlob, PathLater: true, LaterPaths: paths, Hits: hits, HitsKnown: true})
		for _, f := range slices.Concat(later, known, knownHits) {
			if !f.later {
				t.Fatalf("%s: a finding of a PathLater chunk is not marked", name)
			}
		}
		var first []Finding
		for _, p := range paths {
			want := d.Detect(Chunk{Data: []byte(text), Kind: KindBlob, Path: p})
			for _, fs := range [][]Finding{later, known, knownHits} {
				at := make([]Finding, len(fs))
				copy(at, fs)
				for i := range at {
					at[i].Path = p
				}
				got := d.judgePaths(at)
				if w, g := pathLaterFields(want), pathLaterFields(got); !reflect.DeepEqual(w, g) {
					t.Errorf("%s at %s (paths known: %v, hits known: %v):\n detected at the path: %v\n path decided later: %v", name, p, len(fs) > 0 && &fs[0] != &later[0], len(fs) > 0 && &fs[0] == &knownHits[0], w, g)
				}
			}
			if first == nil {
				first = want
			} else if !reflect.DeepEqual(pathLaterFields(first), pathLaterFields(want)) {
				changed++
			}
		}
	}
	// The texts must exercise paths that change the findings.
	if changed < len(texts)/2 {
		t.Errorf("only %d texts give different findings at different paths", changed)
	}
}

// hitsOf returns every keyword hit of d's automaton in data, as a source
// that supplies Chunk.Hits finds them.
func hitsOf(d *Detector, data []byte) []patterns.Hit {
	var hits []patterns.Hit
	d.Automaton().Scan(data, func(kw, end int) {
		hits = append(hits, patterns.Hit{Keyword: int32(kw), End: int32(end)})
	})
	return hits
}

// pathLaterFields is what a report shows of each finding.
func pathLaterFields(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s:%d:%d %s %s %v", f.RuleID, f.Path, f.Line, f.Column, f.Severity, f.Fingerprint, f.Attributes))
	}
	return out
}

// TestPathLaterPastViewBits: with more distinct path patterns than a view
// records, rules cannot leave paths for later (PathsLater says so, and
// history then reads blobs once placed), and a chunk whose paths are known
// is detected at each path, its findings kept there alone.
func TestPathLaterPastViewBits(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; i <= maxPathGroups; i++ {
		fmt.Fprintf(&b, "[[rules]]\nid = \"acme-%d\"\ndescription = \"Acme key %d\"\nkeywords = [\"acme%d.key=\"]\nregex = '''acme%d\\.key=(?P<secret>[A-Za-z0-9]{24})'''\npath = '''\\.p%d$'''\n\n", i, i, i, i, i)
	}
	cfg, err := ParseConfig("many.toml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if PathsLater(cfg.Rules) {
		t.Fatalf("%d path patterns fit a view", maxPathGroups+1)
	}
	d := NewDetector(cfg.Rules, cfg.Allow)
	last := maxPathGroups
	text := fmt.Sprintf("acme0.key=Zt5vQ9mW2xLr8KpN4bHj7cYf\nacme%d.key=Hq8vLz3Wk2xR7tqM4nB6cY1d\n", last)
	paths := []string{"a.p0", fmt.Sprintf("b.p%d", last), "c.txt"}
	known := d.Detect(Chunk{Data: []byte(text), Kind: KindBlob, PathLater: true, LaterPaths: paths})
	for _, p := range paths {
		want := d.Detect(Chunk{Data: []byte(text), Kind: KindBlob, Path: p})
		at := make([]Finding, len(known))
		copy(at, known)
		for i := range at {
			at[i].Path = p
		}
		if w, g := pathLaterFields(want), pathLaterFields(d.judgePaths(at)); !reflect.DeepEqual(w, g) {
			t.Errorf("at %s:\n detected at the path: %v\n paths known: %v", p, w, g)
		}
		acme := 0
		for _, f := range want {
			if strings.HasPrefix(f.RuleID, "acme-") {
				acme++
			}
		}
		if p != "c.txt" && acme != 1 {
			t.Errorf("at %s: %d findings of the path-restricted rules, want the one for that path", p, acme)
		}
	}
}

// TestPathLaterSkipsAllowedPaths: a chunk whose paths are known is not
// detected at the allow-listed ones (the join would drop what it found
// there; a folder's scan never reads such a file): at those paths alone
// it gives no finding, and beside another path exactly what that path
// alone gives.
func TestPathLaterSkipsAllowedPaths(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig("allow.toml", []byte("[allowlist]\npaths = [\"generated/\", \"*.lock\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetector(cfg.Rules, cfg.Allow)
	text := []byte("aws_access_key_id = AKIAUJZDEGXDNCF32EPF\naws_secret_access_key = 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\n")
	at := func(paths ...string) []string {
		return pathLaterFields(d.Detect(Chunk{Data: text, Kind: KindBlob, PathLater: true, LaterPaths: paths}))
	}
	if got := at("generated/catalogue.go", "deps/yarn.lock"); len(got) != 0 {
		t.Errorf("detected at allow-listed paths only: %v", got)
	}
	want := at("src/app.go")
	if len(want) == 0 {
		t.Fatal("nothing detected at src/app.go")
	}
	if got := at("generated/catalogue.go", "src/app.go", "deps/yarn.lock"); !reflect.DeepEqual(got, want) {
		t.Errorf("beside allow-listed paths: %v\nat src/app.go alone: %v", got, want)
	}
}
