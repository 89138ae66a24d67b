package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// srcFile is one text file of the content pool.
type srcFile struct {
	path string
	data []byte
}

// textExt are the file kinds drawn into the pool: what source trees hold.
var textExt = map[string]bool{
	".go": true, ".s": true, ".c": true, ".h": true, ".md": true, ".txt": true, ".html": true,
	".js": true, ".css": true, ".json": true, ".py": true, ".sh": true, ".bash": true, ".pl": true,
	".yaml": true, ".yml": true, ".tmpl": true, ".xml": true, ".rc": true, ".bat": true,
}

// poison marks pool files that already look like credentials: the only
// secrets in the generated repository must be the planted ones.
var poison = [][]byte{[]byte("PRIVATE KEY"), []byte("AKIA"), []byte("ASIA"), []byte("A3T"), []byte("SECRET_ACCESS")}

// loadPool reads the usable text files under dir in lexical order.
func loadPool(dir string, maxSize int) ([]srcFile, error) {
	var pool []srcFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !textExt[filepath.Ext(p)] {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() < 200 || info.Size() > int64(maxSize) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) || data[len(data)-1] != '\n' {
			return nil
		}
		for _, bad := range poison {
			if bytes.Contains(data, bad) {
				return nil
			}
		}
		rel, _ := filepath.Rel(dir, p)
		pool = append(pool, srcFile{path: filepath.ToSlash(rel), data: data})
		return nil
	})
	return pool, err
}

// branch is a topic branch: the files it changed relative to main (which it
// owns: main leaves them alone until the merge, so merges never conflict).
type branch struct {
	ref     string
	tip     int // mark of the last commit, 0 before the first
	fork    int // mark of the main commit it forks from
	overlay map[string][]byte
	left    int
	leak    *planted
	step    int
}

// planted is one fake credential and where it went in.
type planted struct {
	Kind         string            `json:"kind"`
	Branch       string            `json:"branch"`
	Path         string            `json:"path"`
	Commit       string            `json:"commit"`
	KeyID        string            `json:"key_id"`
	Secret       string            `json:"secret"`
	KeyLine      int               `json:"key_line"`
	SecretLine   int               `json:"secret_line"`
	Fingerprints map[string]string `json:"fingerprints"`
	mark         int
	live         string // path the secret lives under on the branch now
}

// expectedFile is OUT.expected.json.
type expectedFile struct {
	Repo    string    `json:"repo"`
	Seed    uint64    `json:"seed"`
	Commits int       `json:"commits"`
	Merges  int       `json:"merges"`
	Tags    int       `json:"tags"`
	Note    string    `json:"note"`
	Planted []planted `json:"planted"`
}

type op struct {
	kind       byte // 'M', 'D', 'R'
	path, dest string
	data       []byte
}

type generator struct {
	o     options
	r     *rand.Rand
	w     *bufio.Writer
	pool  []srcFile
	spare []srcFile // pool files not yet in the tree, for additions

	files map[string][]byte // main's tree
	paths []string          // keys of files, for random choice
	index map[string]int    // position of each path in paths
	owner map[string]*branch

	active  []*branch
	leaks   []*planted
	leakAt  []int
	deleted []string

	mark, mainTip                             int
	commits, merges, blobs, tags, mainCommits int
	blobBytes                                 int64
	ts                                        int64
	topics                                    int
}

func newGenerator(o options, pool []srcFile, w *bufio.Writer) *generator {
	g := &generator{
		o: o, w: w, r: rand.New(rand.NewPCG(o.seed, 0x5eed)),
		files: map[string][]byte{}, index: map[string]int{}, owner: map[string]*branch{},
		ts: 1199145600, // 2008-01-01
	}
	g.pool = slices.Clone(pool)
	g.r.Shuffle(len(g.pool), func(i, j int) { g.pool[i], g.pool[j] = g.pool[j], g.pool[i] })
	g.spare = g.pool[o.files:]
	for k := 0; k < o.leaks; k++ {
		g.leakAt = append(g.leakAt, o.commits*(k+1)/(o.leaks+2))
	}
	return g
}

func (g *generator) run() error {
	// The root commit: the initial import of the tree.
	var ops []op
	for _, f := range g.pool[:g.o.files] {
		g.put(f.path, f.data)
		ops = append(ops, op{kind: 'M', path: f.path, data: f.data})
	}
	g.mainTip = g.commit("refs/heads/main", 0, 0, "Initial import\n", ops)
	g.mainCommits++
	for g.commits < g.o.commits || g.leakPending() {
		if len(g.leakAt) > 0 && g.commits >= g.leakAt[0] {
			g.leakAt = g.leakAt[1:]
			g.startLeak()
		}
		if len(g.active) < 3 && g.r.Float64() < 0.03 {
			g.startTopic()
		}
		if len(g.active) > 0 && (g.r.Float64() < 0.35 || g.commits >= g.o.commits) {
			b := g.active[g.r.IntN(len(g.active))]
			if g.commits >= g.o.commits {
				b = g.firstLeak()
			}
			g.branchStep(b)
		} else {
			g.mainStep()
		}
		if err := g.w.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) leakPending() bool { return g.firstLeak() != nil || len(g.leakAt) > 0 }

func (g *generator) firstLeak() *branch {
	for _, b := range g.active {
		if b.leak != nil {
			return b
		}
	}
	return nil
}

// put and drop keep main's tree and its path index in step.
func (g *generator) put(p string, data []byte) {
	if _, ok := g.files[p]; !ok {
		g.index[p] = len(g.paths)
		g.paths = append(g.paths, p)
	}
	g.files[p] = data
}

func (g *generator) drop(p string) {
	i, ok := g.index[p]
	if !ok {
		return
	}
	last := g.paths[len(g.paths)-1]
	g.paths[i] = last
	g.index[last] = i
	g.paths = g.paths[:len(g.paths)-1]
	delete(g.index, p)
	delete(g.files, p)
}

// freePath picks a file of main's tree that no topic branch owns.
func (g *generator) freePath() string {
	for {
		p := g.paths[g.r.IntN(len(g.paths))]
		if g.owner[p] == nil {
			return p
		}
	}
}

// fileCount draws how many files a commit touches: mostly one or two.
func (g *generator) fileCount() int {
	switch x := g.r.IntN(100); {
	case x < 42:
		return 1
	case x < 67:
		return 2
	case x < 82:
		return 3
	case x < 92:
		return 4
	default:
		return 5
	}
}

// edit returns data with one to three hunks of small deletions and
// insertions; inserted lines come from elsewhere in the pool.
func (g *generator) edit(data []byte) []byte {
	hunks := 1
	if g.r.IntN(3) == 0 {
		hunks += 1 + g.r.IntN(2)
	}
	for range hunks {
		at := lineStart(data, g.r.IntN(len(data)+1))
		del := g.r.IntN(4)
		ins := g.r.IntN(7)
		if del == 0 && ins == 0 {
			ins = 1
		}
		end := at
		for range del {
			if end >= len(data) {
				break
			}
			if i := bytes.IndexByte(data[end:], '\n'); i >= 0 {
				end += i + 1
			} else {
				end = len(data)
			}
		}
		add := g.lines(ins)
		out := make([]byte, 0, len(data)-(end-at)+len(add))
		out = append(out, data[:at]...)
		out = append(out, add...)
		out = append(out, data[end:]...)
		data = out
	}
	if len(data) == 0 {
		data = g.lines(3)
	}
	return data
}

// lines returns n consecutive lines from a random pool file.
func (g *generator) lines(n int) []byte {
	src := g.pool[g.r.IntN(len(g.pool))].data
	at := lineStart(src, g.r.IntN(len(src)))
	end := at
	for range n {
		i := bytes.IndexByte(src[end:], '\n')
		if i < 0 {
			break
		}
		end += i + 1
	}
	return src[at:end]
}

// lineStart returns the start of the line holding offset i.
func lineStart(data []byte, i int) int {
	if i >= len(data) {
		return len(data)
	}
	return bytes.LastIndexByte(data[:i], '\n') + 1
}

var (
	verbs   = []string{"fix", "add", "remove", "simplify", "document", "refactor", "speed up", "handle", "test", "clean up", "rename", "update"}
	objects = []string{"error path", "nil check", "race in close", "off-by-one in loop", "comment", "edge case", "unused field", "allocation in hot path", "timeout handling", "build on windows", "integer overflow", "godoc"}
	first   = []string{"Ada", "Ben", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hiro", "Ines", "Jonas", "Kai", "Lena", "Mateo", "Nadia", "Omar", "Priya"}
	last    = []string{"Novak", "Okafor", "Silva", "Tanaka", "Weber", "Kowalski", "Haddad", "Larsen", "Moreau", "Ivanova", "Rossi", "Nguyen"}
	envs    = []string{"staging", "prod", "dev", "ci", "qa", "eu-west", "us-east"}
)

func (g *generator) message(p string) string {
	pkg := path.Dir(p)
	msg := fmt.Sprintf("%s: %s %s\n", pkg, verbs[g.r.IntN(len(verbs))], objects[g.r.IntN(len(objects))])
	if g.r.IntN(3) > 0 {
		msg += fmt.Sprintf("\nThe %s in %s was wrong when the input is empty;\nthis change makes it explicit and adds a test.\n", objects[g.r.IntN(len(objects))], path.Base(p))
	}
	return msg
}

// commit writes one commit to the fast-import stream and returns its mark.
// from is the parent when the ref does not point at it already.
func (g *generator) commit(ref string, from, merge int, msg string, ops []op) int {
	g.mark++
	g.commits++
	g.ts += 60 + g.r.Int64N(10800)
	who := fmt.Sprintf("%s %s <%s.%s@example.org> %d +0000",
		first[g.r.IntN(len(first))], last[g.r.IntN(len(last))], strings.ToLower(first[g.r.IntN(len(first))]), "dev", g.ts)
	w := g.w
	fmt.Fprintf(w, "commit %s\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n", ref, g.mark, who, who, len(msg), msg)
	if from > 0 {
		fmt.Fprintf(w, "from :%d\n", from)
	}
	if merge > 0 {
		fmt.Fprintf(w, "merge :%d\n", merge)
		g.merges++
	}
	for _, o := range ops {
		switch o.kind {
		case 'M':
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n", o.path, len(o.data))
			w.Write(o.data)
			w.WriteByte('\n')
			g.blobs++
			g.blobBytes += int64(len(o.data))
		case 'D':
			fmt.Fprintf(w, "D %s\n", o.path)
		case 'R':
			fmt.Fprintf(w, "R %s %s\n", o.path, o.dest)
		}
	}
	w.WriteByte('\n')
	return g.mark
}

func (g *generator) mainStep() {
	var ops []op
	var subject string
	switch x := g.r.Float64(); {
	case x < 0.010 && len(g.spare) > 0: // a new file
		f := g.spare[0]
		g.spare = g.spare[1:]
		g.put(f.path, f.data)
		ops = append(ops, op{kind: 'M', path: f.path, data: f.data})
		subject = fmt.Sprintf("%s: add %s\n", path.Dir(f.path), path.Base(f.path))
	case x < 0.013 && len(g.paths) > g.o.files/2: // a deletion
		p := g.freePath()
		g.drop(p)
		ops = append(ops, op{kind: 'D', path: p})
		subject = fmt.Sprintf("%s: remove %s\n", path.Dir(p), path.Base(p))
	case x < 0.016: // a rename, usually with a small edit
		p := g.freePath()
		dest := path.Join(path.Dir(g.freePath()), path.Base(p))
		if _, taken := g.files[dest]; taken {
			ext := path.Ext(p)
			dest = strings.TrimSuffix(dest, ext) + fmt.Sprintf("_%d", g.mark) + ext
		}
		data := g.files[p]
		g.drop(p)
		ops = append(ops, op{kind: 'R', path: p, dest: dest})
		if g.r.IntN(2) == 0 {
			data = g.edit(data)
			ops = append(ops, op{kind: 'M', path: dest, data: data})
		}
		g.put(dest, data)
		subject = fmt.Sprintf("%s: move %s to %s\n", path.Dir(p), path.Base(p), path.Dir(dest))
	default:
		n := g.fileCount()
		seen := map[string]bool{}
		for range n {
			p := g.freePath()
			if seen[p] {
				continue
			}
			seen[p] = true
			data := g.edit(g.files[p])
			g.put(p, data)
			ops = append(ops, op{kind: 'M', path: p, data: data})
			if subject == "" {
				subject = g.message(p)
			}
		}
	}
	g.mainTip = g.commit("refs/heads/main", 0, 0, subject, ops)
	g.mainCommits++
	if g.mainCommits%1500 == 0 {
		g.tags++
		msg := fmt.Sprintf("Release v1.%d.0\n", g.tags)
		fmt.Fprintf(g.w, "tag v1.%d.0\nfrom :%d\ntagger Release Bot <release@example.org> %d +0000\ndata %d\n%s\n",
			g.tags, g.mainTip, g.ts, len(msg), msg)
	}
}

func (g *generator) startTopic() *branch {
	g.topics++
	b := &branch{
		ref:     fmt.Sprintf("refs/heads/topic/%s-%d", strings.ToLower(first[g.r.IntN(len(first))]), g.topics),
		fork:    g.mainTip,
		overlay: map[string][]byte{},
		left:    2 + g.r.IntN(20),
	}
	g.active = append(g.active, b)
	return b
}

// content is what b sees at p.
func (g *generator) content(b *branch, p string) []byte {
	if d, ok := b.overlay[p]; ok {
		return d
	}
	return g.files[p]
}

// claim gives b a file to edit: one it owns already, or a free one.
func (g *generator) claim(b *branch, ext string) string {
	if len(b.overlay) > 0 && g.r.IntN(10) < 7 && ext == "" {
		owned := make([]string, 0, len(b.overlay))
		for p := range b.overlay {
			if _, onMain := g.files[p]; (onMain || b.leak == nil) && (b.leak == nil || p != b.leak.live) {
				owned = append(owned, p)
			}
		}
		slices.Sort(owned)
		if len(owned) > 0 {
			return owned[g.r.IntN(len(owned))]
		}
	}
	for {
		p := g.freePath()
		if ext == "" || path.Ext(p) == ext {
			g.owner[p] = b
			return p
		}
	}
}

func (g *generator) branchCommit(b *branch, msg string, ops []op) {
	from := 0
	if b.tip == 0 {
		from = b.fork
	}
	b.tip = g.commit(b.ref, from, 0, msg, ops)
}

// branchEdits makes an ordinary commit of small edits on b.
func (g *generator) branchEdits(b *branch) {
	var ops []op
	msg := ""
	seen := map[string]bool{}
	for range 1 + g.r.IntN(3) {
		p := g.claim(b, "")
		if seen[p] {
			continue
		}
		seen[p] = true
		data := g.edit(g.content(b, p))
		b.overlay[p] = data
		ops = append(ops, op{kind: 'M', path: p, data: data})
		if msg == "" {
			msg = g.message(p)
		}
	}
	g.branchCommit(b, msg, ops)
}

func (g *generator) branchStep(b *branch) {
	if b.leak != nil {
		g.leakStep(b)
		return
	}
	if b.left == 0 {
		g.merge(b)
		return
	}
	b.left--
	g.branchEdits(b)
}

// merge joins b into main and deletes it.
func (g *generator) merge(b *branch) {
	if b.tip == 0 {
		g.active = slices.DeleteFunc(g.active, func(x *branch) bool { return x == b })
		return
	}
	keys := make([]string, 0, len(b.overlay))
	for p := range b.overlay {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	var ops []op
	for _, p := range keys {
		if b.overlay[p] == nil {
			ops = append(ops, op{kind: 'D', path: p})
			g.drop(p)
		} else {
			ops = append(ops, op{kind: 'M', path: p, data: b.overlay[p]})
			g.put(p, b.overlay[p])
		}
		delete(g.owner, p)
	}
	msg := fmt.Sprintf("Merge branch '%s'\n", strings.TrimPrefix(b.ref, "refs/heads/"))
	g.mainTip = g.commit("refs/heads/main", 0, b.tip, msg, ops)
	g.mainCommits++
	g.deleted = append(g.deleted, b.ref)
	g.active = slices.DeleteFunc(g.active, func(x *branch) bool { return x == b })
}

// startLeak opens a topic branch that will commit a credential, remove it
// again, and be merged and deleted.
func (g *generator) startLeak() {
	b := g.startTopic()
	k := len(g.leaks)
	kinds := []string{"ini-file-deleted", "go-const-reverted", "dotenv-renamed-deleted", "json-rewritten"}
	l := &planted{Kind: kinds[k%len(kinds)], Branch: strings.TrimPrefix(b.ref, "refs/heads/")}
	prefix := "AKIA"
	if k%2 == 1 {
		prefix = "ASIA"
	}
	l.KeyID = g.keyID(prefix)
	l.Secret = g.secret()
	l.Fingerprints = map[string]string{
		"aws-access-key-id":            scanner.Fingerprint("aws-access-key-id", l.KeyID),
		"aws-secret-access-key":        scanner.Fingerprint("aws-secret-access-key", l.Secret),
		"aws-secret-access-key-paired": scanner.Fingerprint("aws-secret-access-key-paired", l.Secret),
	}
	b.leak = l
	g.leaks = append(g.leaks, l)
}

// leakStep runs a leak branch: commit the secret, change the file again
// (or rename it) with the secret still in, remove it, merge.
func (g *generator) leakStep(b *branch) {
	l := b.leak
	env := envs[g.r.IntN(len(envs))]
	n := len(g.leaks)
	switch b.step {
	case 0:
		var data []byte
		switch l.Kind {
		case "ini-file-deleted":
			l.Path = fmt.Sprintf("deploy/%s/credentials-%d.ini", env, n)
			data = fmt.Appendf(nil, "# %s deploy user\n[default]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = eu-west-1\n", env, l.KeyID, l.Secret)
			l.KeyLine, l.SecretLine = 3, 4
		case "go-const-reverted":
			l.Path = g.claim(b, ".go")
			old := g.content(b, l.Path)
			// After the first line that closes a block: a plausible place.
			at := bytes.Index(old, []byte("\n}\n"))
			if at < 0 {
				at = len(old)
			} else {
				at += 3
			}
			ins := fmt.Appendf(nil, "\n// Credentials for the %s bucket.\nconst (\n\tawsAccessKeyID     = %q\n\tawsSecretAccessKey = %q\n)\n", env, l.KeyID, l.Secret)
			l.KeyLine = bytes.Count(old[:at], []byte("\n")) + 4
			l.SecretLine = l.KeyLine + 1
			data = slices.Concat(old[:at], ins, old[at:])
		case "dotenv-renamed-deleted":
			l.Path = fmt.Sprintf("services/%s-%d/.env", env, n)
			data = fmt.Appendf(nil, "APP_ENV=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_REGION=us-east-1\n", env, l.KeyID, l.Secret)
			l.KeyLine, l.SecretLine = 2, 3
		default: // json-rewritten
			l.Path = fmt.Sprintf("config/ci-%s-%d.json", env, n)
			data = fmt.Appendf(nil, "{\n  \"Version\": 1,\n  \"AccessKeyId\": %q,\n  \"SecretAccessKey\": %q,\n  \"Region\": \"ap-south-1\"\n}\n", l.KeyID, l.Secret)
			l.KeyLine, l.SecretLine = 3, 4
		}
		g.owner[l.Path] = b
		b.overlay[l.Path] = data
		l.live = l.Path
		g.branchCommit(b, fmt.Sprintf("%s: wire up %s deployment\n", path.Dir(l.Path), env), []op{{kind: 'M', path: l.Path, data: data}})
		l.mark = b.tip
	case 1:
		if l.Kind == "dotenv-renamed-deleted" {
			dest := l.live + ".local"
			b.overlay[dest] = b.overlay[l.live]
			delete(b.overlay, l.live)
			g.owner[dest] = b
			g.branchCommit(b, "services: keep .env out of the image\n", []op{{kind: 'R', path: l.live, dest: dest}})
			l.live = dest
		} else {
			// A second version of the file that still holds the secret:
			// the finding must stay with the commit that introduced it.
			data := slices.Concat(g.lines(1+g.r.IntN(3)), g.content(b, l.live))
			b.overlay[l.live] = data
			g.branchCommit(b, g.message(l.live), []op{{kind: 'M', path: l.live, data: data}})
		}
	case 2:
		var o op
		switch l.Kind {
		case "ini-file-deleted", "dotenv-renamed-deleted":
			o = op{kind: 'D', path: l.live}
			delete(b.overlay, l.live)
			delete(g.owner, l.live)
		default:
			data := g.content(b, l.live)
			data = bytes.Replace(data, []byte(l.KeyID), []byte("${AWS_ACCESS_KEY_ID}"), 1)
			data = bytes.Replace(data, []byte(l.Secret), []byte("${AWS_SECRET_ACCESS_KEY}"), 1)
			if l.Kind == "go-const-reverted" {
				data = bytes.Replace(data, []byte("${AWS_ACCESS_KEY_ID}"), []byte(""), 1)
				data = bytes.Replace(data, []byte("${AWS_SECRET_ACCESS_KEY}"), []byte(""), 1)
			}
			b.overlay[l.live] = data
			o = op{kind: 'M', path: l.live, data: data}
		}
		g.branchCommit(b, "Remove credentials committed by mistake\n", []op{o})
	default:
		g.merge(b)
	}
	b.step++
}

const (
	base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// keyID draws a format-valid fake access key ID: prefix and 16 base32
// characters, never a placeholder and never AWS's documented EXAMPLE keys.
func (g *generator) keyID(prefix string) string {
	for {
		b := []byte(prefix)
		for range 16 {
			b = append(b, base32Alphabet[g.r.IntN(32)])
		}
		if patterns.Placeholder(b) == "" && patterns.Entropy(b) >= 3.5 {
			return string(b)
		}
	}
}

// secret draws a fake 40-character secret access key.
func (g *generator) secret() string {
	for {
		b := make([]byte, 40)
		for i := range b {
			b[i] = secretAlphabet[g.r.IntN(len(secretAlphabet))]
		}
		upper, lower, digit := bytes.ContainsFunc(b, func(r rune) bool { return r >= 'A' && r <= 'Z' }),
			bytes.ContainsFunc(b, func(r rune) bool { return r >= 'a' && r <= 'z' }),
			bytes.ContainsFunc(b, func(r rune) bool { return r >= '0' && r <= '9' })
		if upper && lower && digit && patterns.Placeholder(b) == "" && patterns.Entropy(b) >= 4.5 {
			return string(b)
		}
	}
}

// expected lists the planted credentials with their commits resolved.
func (g *generator) expected(shas map[int]string) expectedFile {
	e := expectedFile{
		Seed: g.o.seed, Commits: g.commits, Merges: g.merges, Tags: g.tags,
		Note: "fake, format-valid AWS credentials planted by bench/mkrepo; each must be reported once, attributed to commit and path",
	}
	for _, l := range g.leaks {
		p := *l
		p.Commit = shas[l.mark]
		e.Planted = append(e.Planted, p)
	}
	return e
}
