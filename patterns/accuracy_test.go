package patterns_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"html"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// The accuracy benchmark plants fresh, format-valid credentials of every
// family (generated here with a seeded RNG, checksums computed) and decoys
// into realistic files of many formats, scans them with the full catalogue,
// and reports recall per family and every decoy reported.
//
// Inputs under testdata/accuracy/:
//   credentials.tsv  family, rule, name, formats, template — one line per rule
//   decoys.tsv       name, formats, template — things that must not be reported
//   formats/         one realistic file per format with an @@ENTRIES@@ line
//
// Templates: §class:N§ is N random characters of a class, §special[:arg]§ a
// generated structure (GitHub/npm/Grafana tokens with checksums, UUIDs, JWTs,
// base64 blobs), ⟦…⟧ marks the secret when it is only part of the value, ⏎
// is a newline. A name starting with @ plants the template as a whole file.

const (
	accuracySeed  = 20260423
	recallFloor   = 0.99
	accuracyDir   = "testdata/accuracy"
	plantsPerRule = 2 // fresh credentials per rule and format
)

// A format renders one name/value entry in a kind of file.
type format struct {
	key, template, path string
	render              func(name, value string) string
}

func formats() []format {
	jsonStr := func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.TrimSuffix(b.String(), "\n")
	}
	return []format{
		{"yaml", "config.yaml", "deploy/config.yaml", func(n, v string) string { return "  " + snake(n) + ": " + yamlValue(v) }},
		{"json", "settings.json", "config/settings.json", func(n, v string) string { return "    " + jsonStr(camel(n)) + ": " + jsonStr(v) + "," }},
		{"env", ".env", "app/.env", func(n, v string) string { return upper(n) + "=" + v }},
		{"python", "settings.py", "orders/settings.py", func(n, v string) string { return upper(n) + " = " + strconv.Quote(v) }},
		{"js", "config.js", "web/config.js", func(n, v string) string { return "  " + camel(n) + ": '" + v + "'," }},
		{"go", "config.go.txt", "internal/config/config.go", func(n, v string) string { return "\t" + camel(n) + " = " + strconv.Quote(v) }},
		{"terraform", "main.tf", "infra/main.tf", func(n, v string) string { return "  " + snake(n) + " = " + strconv.Quote(v) }},
		{"dockerfile", "Dockerfile", "Dockerfile", func(n, v string) string { return "ENV " + upper(n) + "=" + v }},
		{"shell", "deploy.sh", "scripts/deploy.sh", func(n, v string) string { return "export " + upper(n) + "='" + v + "'" }},
		{"xml", "web.config.xml", "web.config", func(n, v string) string {
			c := camel(n)
			return "    <" + c + ">" + xmlEscape(v) + "</" + c + ">"
		}},
		{"ini", "app.ini", "conf/app.ini", func(n, v string) string { return snake(n) + " = " + v }},
		{"ipynb", "analysis.ipynb", "notebooks/analysis.ipynb", func(n, v string) string {
			return "    " + jsonStr(upper(n)+" = "+strconv.Quote(v)+"\n") + ","
		}},
	}
}

type plant struct {
	family, rule, path, secret string
}

func TestAccuracy(t *testing.T) {
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	famOf := ruleFamilies(t)
	det := scanner.NewDetector(rules, nil)
	rng := rand.New(rand.NewPCG(accuracySeed, 1))
	fmts := formats()

	// Credentials: per family and format one file holding every entry.
	type entry struct{ name, value, secret, rule string }
	files := map[string][]entry{} // family \x00 format → entries
	var plants []plant
	var rawFiles []struct{ path, data string }
	for _, row := range readTSV(t, "credentials.tsv", 5) {
		fam, rule, name, allowed, tpl := row[0], row[1], row[2], row[3], row[4]
		if strings.HasPrefix(name, "@") {
			for i := 0; i < plantsPerRule*3; i++ {
				text, secret := expand(t, rng, tpl)
				p := fmt.Sprintf("raw/%s/%s-%d/%s", fam, rule, i, strings.TrimPrefix(name, "@"))
				rawFiles = append(rawFiles, struct{ path, data string }{p, text})
				plants = append(plants, plant{fam, rule, p, secret})
			}
			continue
		}
		for _, f := range fmts {
			if allowed != "*" && !contains(strings.Split(allowed, ","), f.key) {
				continue
			}
			for i := 0; i < plantsPerRule; i++ {
				v, secret := expand(t, rng, tpl)
				k := fam + "\x00" + f.key
				files[k] = append(files[k], entry{name, v, secret, rule})
			}
		}
	}
	byFormat := map[string]format{}
	for _, f := range fmts {
		byFormat[f.key] = f
	}
	found := map[string][]scanner.Finding{}
	contents := map[string]string{}
	scan := func(path, data string) {
		contents[path] = data
		found[path] = det.Detect(scanner.Chunk{Data: []byte(data), Path: path, Kind: scanner.KindFile})
	}
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fam, fk, _ := strings.Cut(k, "\x00")
		f := byFormat[fk]
		var lines []string
		path := "planted/" + fam + "/" + f.path
		for _, e := range files[k] {
			lines = append(lines, f.render(e.name, e.value))
			plants = append(plants, plant{fam, e.rule, path, e.secret})
		}
		scan(path, fill(t, f.template, lines))
	}
	for _, r := range rawFiles {
		scan(r.path, r.data)
	}

	// Recall per family: a plant is found when a finding of a rule from its
	// family overlaps its secret.
	type tally struct{ planted, found int }
	recall := map[string]*tally{}
	var missed []string
	for _, p := range plants {
		tl := recall[p.family]
		if tl == nil {
			tl = &tally{}
			recall[p.family] = tl
		}
		tl.planted++
		ok := false
		line := -1
		if i := strings.Index(contents[p.path], p.secret); i >= 0 {
			line = 1 + strings.Count(contents[p.path][:i], "\n")
		}
		unescaped, err := url.QueryUnescape(p.secret)
		if err != nil {
			unescaped = p.secret
		}
		for _, f := range found[p.path] {
			// A value planted in XML is escaped there (&amp;); a rule that
			// reads the escaped form reports it as written.
			xmlFound := html.UnescapeString(f.Secret)
			if famOf[f.RuleID] == p.family && (overlaps(f.Secret, p.secret) || overlaps(f.Secret, unescaped) || overlaps(xmlFound, p.secret)) {
				ok = true
				break
			}
			// A credential the engine found by decoding its value (base64,
			// percent-encoding, JSON escapes) is reported at the encoded
			// location under the rule that matched the decoded text.
			if f.Attributes["decoding"] != "" && f.Line == line {
				ok = true
				break
			}
		}
		if ok {
			tl.found++
		} else {
			why := []string{}
			det.DetectExplain(scanner.Chunk{Data: []byte(contents[p.path]), Path: p.path, Kind: scanner.KindFile}, func(d scanner.Drop) {
				if d.Secret != "" && strings.HasPrefix(p.secret, strings.TrimSuffix(d.Secret, "…")) {
					why = append(why, d.RuleID+": "+d.Reason)
				}
			})
			var other []string
			for _, f := range found[p.path] {
				if strings.Contains(f.Secret, p.secret) || strings.Contains(p.secret, f.Secret) {
					other = append(other, f.RuleID)
				}
			}
			missed = append(missed, fmt.Sprintf("%s (%s) in %s: %s dropped=%v reported-as=%v", p.rule, p.family, p.path, scanner.Redact(p.secret), why, other))
		}
	}
	fams := make([]string, 0, len(recall))
	for f := range recall {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	total, totalFound := 0, 0
	for _, f := range fams {
		tl := recall[f]
		r := float64(tl.found) / float64(tl.planted)
		total += tl.planted
		totalFound += tl.found
		t.Logf("recall %-14s %4d/%-4d = %.4f", f, tl.found, tl.planted, r)
		if r < recallFloor {
			t.Errorf("family %s: recall %.4f below %.2f", f, r, recallFloor)
		}
	}
	t.Logf("recall %-14s %4d/%-4d = %.4f", "all", totalFound, total, float64(totalFound)/float64(total))
	for i, m := range missed {
		if i == 40 {
			t.Logf("… and %d more", len(missed)-i)
			break
		}
		t.Logf("missed: %s", m)
	}
	for _, fam := range distinct(famOf) {
		if recall[fam] == nil {
			t.Errorf("family %s has no planted credentials in credentials.tsv", fam)
		}
	}

	// Decoys: nothing in these files may be reported.
	decoyFiles := map[string][]string{}
	decoys, reported := 0, 0
	for _, row := range readTSV(t, "decoys.tsv", 3) {
		name, allowed, tpl := row[0], row[1], row[2]
		if strings.HasPrefix(name, "@") {
			for i := 0; i < plantsPerRule; i++ {
				text, _ := expand(t, rng, tpl)
				p := fmt.Sprintf("decoys/raw-%d/%s", i, strings.TrimPrefix(name, "@"))
				decoys++
				reported += reportDecoys(t, det, p, text)
			}
			continue
		}
		for _, f := range fmts {
			if allowed != "*" && !contains(strings.Split(allowed, ","), f.key) {
				continue
			}
			v, _ := expand(t, rng, tpl)
			decoyFiles[f.key] = append(decoyFiles[f.key], f.render(name, v))
			decoys++
		}
	}
	for _, f := range fmts {
		reported += reportDecoys(t, det, "decoys/"+f.path, fill(t, f.template, decoyFiles[f.key]))
	}
	t.Logf("decoys planted %d, reported %d", decoys, reported)
}

// overlaps reports whether a finding's secret and a planted one are the same
// credential: one holds the other, and the finding is not a small fragment.
func overlaps(found, planted string) bool {
	return strings.Contains(found, planted) || strings.Contains(planted, found) && 2*len(found) >= len(planted)
}

func reportDecoys(t *testing.T, det *scanner.Detector, path, data string) int {
	t.Helper()
	fs := det.Detect(scanner.Chunk{Data: []byte(data), Path: path, Kind: scanner.KindFile})
	for _, f := range fs {
		t.Errorf("decoy reported: %s at %s:%d: %q", f.RuleID, path, f.Line, f.Secret)
	}
	return len(fs)
}

// ruleFamilies maps every rule ID to its family, the name of its TOML file.
func ruleFamilies(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob("rules/*.toml")
	if err != nil || len(names) == 0 {
		t.Fatalf("list rules: %v", err)
	}
	m := map[string]string{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		f, errs := patterns.ParseFile(filepath.Base(n), data)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		rules, errs := f.Expanded(filepath.Base(n))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, r := range rules {
			m[r.ID] = strings.TrimSuffix(filepath.Base(n), ".toml")
		}
	}
	return m
}

func distinct(m map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range m {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func readTSV(t *testing.T, name string, cols int) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(accuracyDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", cols)
		if len(f) != cols {
			t.Fatalf("%s:%d: want %d tab-separated fields, got %d", name, n, cols, len(f))
		}
		f[cols-1] = strings.ReplaceAll(f[cols-1], "⏎", "\n")
		rows = append(rows, f)
	}
	return rows
}

func fill(t *testing.T, template string, lines []string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(accuracyDir, "formats", template))
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(data), "@@ENTRIES@@", strings.Join(lines, "\n"), 1)
	if out == string(data) {
		t.Fatalf("%s has no @@ENTRIES@@ line", template)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func words(n string) []string { return strings.Split(n, "_") }

func snake(n string) string { return strings.ToLower(n) }

func upper(n string) string { return strings.ToUpper(n) }

func camel(n string) string {
	w := words(strings.ToLower(n))
	for i := 1; i < len(w); i++ {
		if w[i] != "" {
			w[i] = strings.ToUpper(w[i][:1]) + w[i][1:]
		}
	}
	return strings.Join(w, "")
}

func yamlValue(v string) string {
	if strings.ContainsAny(v[:1], "!&*@%{}[]>|'\"#`,?:-") || strings.Contains(v, ": ") || strings.Contains(v, " #") {
		return strconv.Quote(v)
	}
	return v
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// ---- template expansion (the same language as the generator that wrote the catalogue's examples)

var (
	tokenRE = regexp.MustCompile(`§([A-Za-z0-9]+)(?::([^§]*))?§`)
	markRE  = regexp.MustCompile(`(?s)⟦(.*?)⟧`)
)

const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var classes = map[string]string{
	"an":   b62,
	"hex":  "0123456789abcdef",
	"HEX":  "0123456789ABCDEF",
	"lo":   "abcdefghijklmnopqrstuvwxyz0123456789",
	"up":   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
	"d":    "0123456789",
	"al":   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	"la":   "abcdefghijklmnopqrstuvwxyz",
	"b64":  b62 + "+/",
	"b64u": b62 + "-_",
	"b32":  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
	"lb32": "abcdefghijklmnopqrstuvwxyz234567",
	"pw":   b62 + "!*+-.=?@^_~",
	"upw":  b62 + "!*-._~",
}

// avoid are substrings the allow lists treat as placeholders or stopwords: a
// generated value containing one would be dropped for a reason that has
// nothing to do with its format.
var avoid = []string{"example", "sample", "placeholder", "changeme", "change_me", "your", "yourkey", "dummy",
	"redacted", "insert", "xxx", "000000", "abcdef", "123456", "fake", "replace", "notreal", "todo",
	"password", "passwd", "secret", "test", "mock", "fixture", "lorem", "foobar", "default", "qwerty",
	"letmein", "hunter2", "p@ss", "passw0rd", "changeit"}

func usable(s string) bool {
	if patterns.Placeholder([]byte(s)) != "" || strings.Contains(s, "EXAMPLE") {
		return false
	}
	low := strings.ToLower(s)
	for _, w := range avoid {
		if strings.Contains(low, w) {
			return false
		}
	}
	return true
}

func randClass(rng *rand.Rand, cls string, n int) string {
	chars := classes[cls]
	b := make([]byte, n)
	for {
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		s := string(b)
		if !usable(s) {
			continue
		}
		if n >= 12 {
			up, lo, dg, al := strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz"), strings.ContainsAny(s, "0123456789"), false
			al = up || lo
			switch cls {
			case "an", "b64", "b64u", "pw", "upw":
				if !(up && lo && dg) {
					continue
				}
			case "lo", "up", "hex", "HEX":
				if !(dg && al) {
					continue
				}
			}
		}
		return s
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

func b62crc(body string) string {
	n := crc32.ChecksumIEEE([]byte(body))
	out := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		out[i] = b62[n%62]
		n /= 62
	}
	return string(out)
}

func special(t *testing.T, rng *rand.Rand, name, arg string) string {
	switch name {
	case "gh":
		body := randClass(rng, "an", 30)
		return arg + "_" + body + b62crc(body)
	case "npm":
		body := randClass(rng, "an", 30)
		return "npm_" + body + b62crc(body)
	case "glsa":
		k := "glsa_" + randClass(rng, "an", 32)
		n := crc32.ChecksumIEEE([]byte(k))
		return k + "_" + hex.EncodeToString([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
	case "uuid", "UUID":
		h := randClass(rng, "hex", 32)
		u := h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[rng.IntN(4)]) + h[17:20] + "-" + h[20:32]
		if name == "UUID" {
			u = strings.ToUpper(u)
		}
		return u
	case "jwt":
		algs := []string{"HS256", "RS256", "ES256"}
		hdr, _ := json.Marshal(map[string]string{"alg": algs[rng.IntN(3)], "typ": "JWT"})
		pl := map[string]any{"sub": randClass(rng, "an", 12), "iat": 1600000000 + rng.IntN(200000000)}
		if arg != "" {
			if err := json.Unmarshal([]byte(arg), &pl); err != nil {
				t.Fatalf("jwt claims %q: %v", arg, err)
			}
		}
		pb, _ := json.Marshal(pl)
		return base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(pb) + "." + randClass(rng, "b64u", 43)
	case "bytes":
		n, _ := strconv.Atoi(arg)
		for {
			if s := base64.StdEncoding.EncodeToString(randBytes(rng, n)); usable(s) {
				return s
			}
		}
	case "crc32hex":
		// 40 alphanumerics, then their CRC32 in hex (Cloudflare's tokens).
		body := randClass(rng, "an", 40)
		n := crc32.ChecksumIEEE([]byte(body))
		return body + hex.EncodeToString([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	case "atlassiandc":
		// A Data Center token: its numeric ID, a colon, 20 random bytes.
		return base64.StdEncoding.EncodeToString(append([]byte(randClass(rng, "d", 12)+":"), randBytes(rng, 20)...))
	case "basic":
		return base64.StdEncoding.EncodeToString([]byte(randClass(rng, "la", 6) + ":" + randClass(rng, "pw", 16)))
	case "b64json":
		var obj any
		switch arg {
		case "sentry":
			obj = map[string]any{"iat": float64(1600000000+rng.IntN(200000000)) + 0.5, "url": "https://sentry.io", "region_url": "https://us.sentry.io", "org": randClass(rng, "la", 8)}
		case "grafana-cloud":
			obj = map[string]any{"o": strconv.Itoa(100000 + rng.IntN(900000)), "n": "stack-" + randClass(rng, "lo", 6) + "-token", "k": randClass(rng, "an", 24), "m": map[string]string{"r": "prod-us-east-0"}}
		case "grafana-key":
			obj = struct {
				K  string `json:"k"`
				N  string `json:"n"`
				ID int    `json:"id"`
			}{randClass(rng, "an", 32), randClass(rng, "la", 8), 1 + rng.IntN(98)}
		default:
			t.Fatalf("unknown b64json kind %q", arg)
		}
		b, _ := json.Marshal(obj)
		s := base64.StdEncoding.EncodeToString(b)
		if arg == "sentry" {
			s = strings.TrimRight(s, "=")
		}
		return s
	case "pem":
		return base64.StdEncoding.EncodeToString([]byte("-----BEGIN RSA PRIVATE KEY-----\n" + randClass(rng, "b64", 64) + "\n"))
	}
	t.Fatalf("unknown template token %q", name)
	return ""
}

// expand fills a template and returns the text and the secret it holds (the
// ⟦marked⟧ part, or all of it).
func expand(t *testing.T, rng *rand.Rand, tpl string) (text, secret string) {
	t.Helper()
	out := tokenRE.ReplaceAllStringFunc(tpl, func(m string) string {
		g := tokenRE.FindStringSubmatch(m)
		if chars, ok := classes[g[1]]; ok && chars != "" {
			n, err := strconv.Atoi(g[2])
			if err != nil {
				t.Fatalf("bad length in %q", m)
			}
			return randClass(rng, g[1], n)
		}
		return special(t, rng, g[1], g[2])
	})
	secret = out
	if m := markRE.FindStringSubmatch(out); m != nil {
		secret = m[1]
	}
	text = strings.NewReplacer("⟦", "", "⟧", "").Replace(out)
	if !markRE.MatchString(out) {
		secret = text
	}
	return text, secret
}
