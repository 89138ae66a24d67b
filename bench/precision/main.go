// Command precision scans real source trees with a rampart binary, prints
// the findings per rule, and writes a listing per tree that a reviewer
// classifies (tp, fp) and diffs against the last reviewed run.
//
//	go run ./bench/precision -rampart /tmp/rampart -reviewed bench/precision -out /tmp/precision \
//	    go=/usr/local/go/src git=/tmp/trees/git
//
// A listing line is `verdict rule path line redacted fingerprint12 note`, tab-separated and
// sorted. Nothing in it is a secret: the secret is redacted to its first four characters
// and the fingerprint (SHA-256 of rule and secret) is cut to 12 hex digits. Verdicts are
// carried over from the reviewed listing (bench/precision/NAME.tsv) by rule, path and
// fingerprint, so moved lines keep their verdict; a finding nobody has judged yet is `?`.
// The summary counts findings, false positives and unreviewed findings per tree, and the
// reviewed findings that are gone (a lost true positive is lost recall).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

type finding struct {
	Rule        string `json:"rule"`
	Path        string `json:"path"`
	Line        int    `json:"line"`
	Secret      string `json:"secret"`
	Fingerprint string `json:"fingerprint"`
	Attributes  map[string]string
}

type entry struct {
	verdict, rule, path string
	line                int
	redacted, fp, note  string
}

func (e entry) key() string { return e.rule + "\x00" + e.path + "\x00" + e.fp }

func main() {
	bin := flag.String("rampart", "rampart", "rampart binary to run")
	reviewed := flag.String("reviewed", "bench/precision", "directory of reviewed listings (NAME.tsv)")
	out := flag.String("out", "", "directory to write this run's listings to (default: print only)")
	show := flag.Int("show", 20, "print up to N unreviewed findings per tree")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: precision [flags] NAME=PATH ...")
		os.Exit(2)
	}
	fail := false
	var tot struct{ findings, fps, unreviewed int }
	for _, arg := range flag.Args() {
		name, path, ok := strings.Cut(arg, "=")
		if !ok {
			path, name = arg, filepath.Base(arg)
		}
		fs, err := scan(*bin, path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			fail = true
			continue
		}
		old, err := readListing(filepath.Join(*reviewed, name+".tsv"))
		if err != nil && !os.IsNotExist(err) {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			fail = true
			continue
		}
		byKey := map[string]entry{}
		for _, e := range old {
			byKey[e.key()] = e
		}
		var cur []entry
		perRule := map[string][3]int{} // findings, fp, unreviewed
		seen := map[string]bool{}
		for _, f := range fs {
			e := entry{verdict: "?", rule: f.Rule, path: f.Path, line: f.Line, redacted: f.Secret, fp: short(f.Fingerprint)}
			if f.Attributes["decoding"] != "" {
				e.note = "decoded:" + f.Attributes["decoding"]
			}
			if o, ok := byKey[e.key()]; ok {
				e.verdict = o.verdict
				if o.note != "" {
					e.note = o.note
				}
			}
			seen[e.key()] = true
			cur = append(cur, e)
			c := perRule[e.rule]
			c[0]++
			switch e.verdict {
			case "fp":
				c[1]++
			case "?":
				c[2]++
			}
			perRule[e.rule] = c
		}
		sortEntries(cur)
		var gone []entry
		for _, e := range old {
			if !seen[e.key()] {
				gone = append(gone, e)
			}
		}
		n, nfp, nq := 0, 0, 0
		rules := make([]string, 0, len(perRule))
		for r, c := range perRule {
			rules = append(rules, r)
			n += c[0]
			nfp += c[1]
			nq += c[2]
		}
		sort.Strings(rules)
		fmt.Printf("== %s (%s): %d findings, %d false positives (%.2f%%), %d unreviewed, %d reviewed findings gone\n",
			name, path, n, nfp, pct(nfp, n), nq, len(gone))
		for _, r := range rules {
			c := perRule[r]
			fmt.Printf("  %-45s %5d  fp %3d  new %3d\n", r, c[0], c[1], c[2])
		}
		shown := 0
		for _, e := range cur {
			if e.verdict == "?" && shown < *show {
				fmt.Printf("  NEW  %s %s:%d %s\n", e.rule, e.path, e.line, e.redacted)
				shown++
			}
		}
		for _, e := range gone {
			fmt.Printf("  GONE %s %s %s:%d %s %s\n", e.verdict, e.rule, e.path, e.line, e.redacted, e.note)
		}
		tot.findings += n
		tot.fps += nfp
		tot.unreviewed += nq
		if *out != "" {
			if err := os.MkdirAll(*out, 0o755); err == nil {
				err = writeListing(filepath.Join(*out, name+".tsv"), cur)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				fail = true
			}
		}
	}
	fmt.Printf("== all: %d findings, %d false positives (%.2f%%), %d unreviewed\n", tot.findings, tot.fps, pct(tot.fps, tot.findings), tot.unreviewed)
	if fail {
		os.Exit(2)
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func short(fp string) string {
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}

// scan runs rampart over path and returns its findings (redacted: the
// listing never holds a secret).
func scan(bin, path string) ([]finding, error) {
	cmd := exec.Command(bin, "scan", path, "--format", "json", "--no-color", "-q")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	var rep struct {
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	return rep.Findings, nil
}

func sortEntries(es []entry) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.path != b.path {
			return a.path < b.path
		}
		if a.line != b.line {
			return a.line < b.line
		}
		return a.rule < b.rule
	})
}

func readListing(name string) ([]entry, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) < 6 {
			return nil, fmt.Errorf("%s:%d: want at least 6 tab-separated fields", name, n)
		}
		e := entry{verdict: p[0], rule: p[1], path: p[2], redacted: p[4], fp: p[5]}
		fmt.Sscan(p[3], &e.line)
		if len(p) > 6 {
			e.note = p[6]
		}
		switch e.verdict {
		case "tp", "fp", "?":
		default:
			return nil, fmt.Errorf("%s:%d: verdict %q (want tp, fp or ?)", name, n, e.verdict)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

func writeListing(name string, es []entry) error {
	var b strings.Builder
	b.WriteString("# verdict\trule\tpath\tline\tredacted\tfingerprint12\tnote\n")
	for _, e := range es {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.verdict, e.rule, e.path, e.line, e.redacted, e.fp, e.note)
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}
