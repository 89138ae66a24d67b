package history

import (
	"fmt"
	"math/rand"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// envDefault is a line that two rules read differently by path: in a test
// file, where generic-env-default (skip_test_files) does not run,
// generic-key reports the value; elsewhere generic-env-default claims it.
const envDefault = "    'api_key' => env('SHOP_API_KEY', 'Qm7vT2xLr9KpW4zNc8Hd3Jf6Ys1Bg5Ea'),\n"

// variant is one way of running the same history scan: the reader (packs
// in process or git), detection goroutines, the diff-tree walk's split, and
// which of walk and reader goes first.
type variant struct {
	useGit             bool
	workers            int
	walkers, walkBlock int
	order              readOrder
	// started: Start runs before the detector is built, as the CLI does.
	started bool
}

func (v variant) String() string {
	reader := "pack"
	if v.useGit {
		reader = "git"
	}
	order := [...]string{"race", "walk-first", "read-first"}[v.order]
	if v.started {
		order += "/started"
	}
	return fmt.Sprintf("%s/workers=%d/walkers=%d/block=%d/%s", reader, v.workers, v.walkers, v.walkBlock, order)
}

// variants are the scans a history's findings must not depend on; the
// first is the serial one (one reading goroutine, one walker, every blob
// read with its path known).
func variants() []variant {
	vs := []variant{{workers: 1, walkers: 1, walkBlock: 1 << 20, order: orderWalkFirst}}
	for _, useGit := range []bool{false, true} {
		for _, order := range []readOrder{orderRace, orderWalkFirst, orderReadFirst} {
			vs = append(vs, variant{useGit: useGit, workers: 4, walkers: 2, walkBlock: 1, order: order})
		}
	}
	vs = append(vs, variant{workers: 2, walkers: 3, walkBlock: 2}, variant{useGit: true, workers: 1, walkers: 1, walkBlock: 1 << 20, order: orderReadFirst})
	vs = append(vs, variant{workers: 2, walkers: 2, walkBlock: 1, started: true}, variant{useGit: true, workers: 2, walkers: 2, walkBlock: 1, started: true})
	// Racing again: each run meets another mix of blobs read before and
	// after the walk placed them.
	for range 3 {
		vs = append(vs, variant{workers: 3, walkers: 2, walkBlock: 1})
	}
	return vs
}

// scanVariant scans repo's whole history as v says.
func scanVariant(t *testing.T, repo *gitsource.Repo, opts gitsource.Options, v variant) *scanner.Result {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	h := &History{Repo: repo, UseGit: v.useGit, walkers: v.walkers, walkBlock: v.walkBlock, order: v.order}
	if v.started {
		h.Start(t.Context())
	}
	// Set after Start, as cmd/rampart sets them (after the configuration
	// has loaded): under -race, a read of them by what Start began fails.
	h.Opts = opts
	res, err := scanner.Scan(t.Context(), h, scanner.NewDetector(rules, opts.Allow), scanner.Options{Workers: v.workers})
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return res
}

// TestFindingsIndependentOfReadOrder is the case behind a finding that once
// in about twenty scans of a real mirror was attributed to a later commit
// than the one that introduced it. A history scan reads blobs while the
// commit walk places them, and used to detect with whatever path the walk
// had given a blob by then: none, or only the first of several. Detection
// depends on the path (skip_test_files rules do not run in test files,
// test vectors are dropped there, allow-listed paths are not read), so one
// blob at a plain path and a test path, or at an allow-listed path and
// another, gave different findings depending on which of the walk and the
// reader came first; the file's next version then reported the secret.
func TestFindingsIndependentOfReadOrder(t *testing.T) {
	t.Parallel()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	// The fixture needs the two rules to read the line differently.
	det := scanner.NewDetector(rules, nil)
	atPath := func(p string) string {
		fs := det.Detect(scanner.Chunk{Data: []byte("<?php\nreturn [\n" + envDefault), Path: p, Kind: scanner.KindBlob})
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.RuleID)
		}
		return strings.Join(ids, ",")
	}
	if plain, test := atPath("config/app.php"), atPath("tests/fixtures/app.php"); plain != "generic-env-default" || test != "generic-key" {
		t.Fatalf("the fixture's line gives %q at a plain path and %q in a test file, want generic-env-default and generic-key: choose another line", plain, test)
	}

	r := newRepo(t)
	php := "<?php\nreturn [\n" + envDefault + "];\n"
	// One blob at two paths of one commit: config/ is its first path (the
	// walk's order), tests/ another; likewise a/ (allow-listed) and b/.
	r.write("config/app.php", php)
	r.write("tests/fixtures/app.php", php)
	creds := "aws_access_key_id = " + keyID + "\n"
	r.write("a/k.env", creds)
	r.write("b/k.env", creds)
	c1 := r.commit("add")
	// The next versions of the second paths hold the same secrets.
	r.write("tests/fixtures/app.php", php+"// more\n")
	r.write("b/k.env", creds+"region = eu-west-1\n")
	c2 := r.commit("edit")
	// Packed, so the in-process reader has the blobs.
	r.git("repack", "-adq")
	repo := r.open()
	allow, err := (*scanner.Allowlist)(nil).WithPaths([]string{"a/**"})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{c1: "c1", c2: "c2"}
	want := []string{
		"aws-access-key-id b/k.env:1 c1",
		"generic-env-default config/app.php:3 c1",
		"generic-key tests/fixtures/app.php:3 c1",
	}
	for _, v := range variants() {
		res := scanVariant(t, repo, gitsource.Options{Allow: allow}, v)
		var blobs []scanner.Finding
		for _, f := range res.Findings {
			if f.Kind == scanner.KindBlob {
				blobs = append(blobs, f)
			}
		}
		if got := summary(blobs, names); !equal(got, want) {
			t.Errorf("%v:\n got  %q\n want %q", v, got, want)
		}
	}
}

// TestParallelReaderMatchesSerial scans random histories and a fixture
// shaped like a real repository every way variants lists, and requires
// exactly the serial scan's findings, commits, paths, attributes and all,
// and the same counts of what was read and skipped.
func TestParallelReaderMatchesSerial(t *testing.T) {
	t.Parallel()
	repos := map[string]func(t *testing.T) (*testRepo, gitsource.Options){
		"real-shape": realShapeHistory,
	}
	for seed := int64(1); seed <= 3; seed++ {
		repos[fmt.Sprint("random", seed)] = func(t *testing.T) (*testRepo, gitsource.Options) {
			return randomHistory(t, seed), gitsource.Options{}
		}
	}
	for name, build := range repos {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, opts := build(t)
			repo := r.open()
			vs := variants()
			serial := scanVariant(t, repo, opts, vs[0])
			if len(serial.Findings) < 5 {
				t.Fatalf("only %d findings: the generator planted too little", len(serial.Findings))
			}
			if name == "real-shape" {
				checkRealShape(t, serial.Findings)
			}
			want := comparable(serial.Findings)
			for _, v := range vs[1:] {
				res := scanVariant(t, repo, opts, v)
				if got := comparable(res.Findings); !reflect.DeepEqual(got, want) {
					t.Errorf("%v: findings differ from the serial scan's\n%s", v, diffFindings(want, got))
				}
				if res.Stats.Blobs != serial.Stats.Blobs || res.Stats.Bytes != serial.Stats.Bytes || res.Stats.Commits != serial.Stats.Commits ||
					!reflect.DeepEqual(res.Stats.Skipped, serial.Stats.Skipped) {
					t.Errorf("%v: read %d blobs (%d bytes) of %d commits, skipped %v; serially %d (%d) of %d, skipped %v", v,
						res.Stats.Blobs, res.Stats.Bytes, res.Stats.Commits, res.Stats.Skipped,
						serial.Stats.Blobs, serial.Stats.Bytes, serial.Stats.Commits, serial.Stats.Skipped)
				}
			}
		})
	}
}

// checkRealShape requires the real-shape fixture's findings to show what
// it is built to show: a blob's findings differ by path (test vectors kept
// outside tests, a line reported by one rule in source and another in
// tests and documentation, an allow-listed copy left out).
func checkRealShape(t *testing.T, fs []scanner.Finding) {
	t.Helper()
	at := map[string]map[string]bool{} // path → rules
	for _, f := range fs {
		if at[f.Path] == nil {
			at[f.Path] = map[string]bool{}
		}
		at[f.Path][f.RuleID] = true
	}
	for _, c := range []struct {
		path, rule string
		want       bool
	}{
		{"src/server.php", "generic-env-default", true},
		{"tests/fixtures/server.php", "generic-key", true},
		{"tests/fixtures/server.php", "generic-env-default", false},
		{"docs/config.md", "generic-key", true},
		{"app/keys.env", "aws-access-key-id", true},
		{"Godeps/acme/keys.env", "aws-access-key-id", false},
	} {
		if at[c.path][c.rule] != c.want {
			t.Errorf("real-shape: %s at %s: %v, want %v", c.rule, c.path, at[c.path][c.rule], c.want)
		}
	}
	if len(at["examples/hashes.txt"]) == 0 || len(at["testdata/kat.txt"]) != 0 {
		t.Errorf("real-shape: test vectors reported at examples/ by %v and at testdata/ by %v, want only at examples/", at["examples/hashes.txt"], at["testdata/kat.txt"])
	}
}

// diffFindings lists the findings only one side has, in order.
func diffFindings(want, got []findingFields) string {
	key := func(f findingFields) string {
		return fmt.Sprintf("%s %s:%d:%d %.7s %.8s %v", f.Rule, f.Path, f.Line, f.Column, f.Commit, f.Fingerprint, f.Attributes)
	}
	count := map[string]int{}
	for _, f := range want {
		count[key(f)]++
	}
	for _, f := range got {
		count[key(f)]--
	}
	var b strings.Builder
	for _, f := range want {
		if k := key(f); count[k] > 0 {
			fmt.Fprintf(&b, "  serial only: %s\n", k)
			count[k]--
		}
	}
	for _, f := range got {
		if k := key(f); count[k] < 0 {
			fmt.Fprintf(&b, "  this only:   %s\n", k)
			count[k]++
		}
	}
	if b.Len() == 0 {
		b.WriteString("  (the same findings, in another order)\n")
	}
	return b.String()
}

// importer writes a history as one `git fast-import` stream: each commit
// gives the whole tree of its branch, with the date the caller chooses
// (equal dates on two branches are ties the walk must settle the same way
// every time).
type importer struct {
	t      *testing.T
	r      *testRepo
	stream strings.Builder
	mark   int
	trees  map[string]map[string]string // branch → path → content
	tips   map[string]int               // branch → mark of its last commit
}

func newImporter(t *testing.T) *importer {
	return &importer{t: t, r: newRepo(t), trees: map[string]map[string]string{}, tips: map[string]int{}}
}

// branch starts branch at from's tip (an empty tree when from is "").
func (im *importer) branch(name, from string) {
	tree := map[string]string{}
	for p, c := range im.trees[from] {
		tree[p] = c
	}
	im.trees[name] = tree
	if from != "" {
		im.tips[name] = im.tips[from]
	}
}

// commit records ref's tree as a commit at hour (from 2024-01-01), on top
// of ref's tip and, for a merge, the tips of merged (whose files it takes:
// git merge -X theirs).
func (im *importer) commit(ref string, hour int, msg string, merged ...string) int {
	tree := im.trees[ref]
	for _, m := range merged {
		for p, c := range im.trees[m] {
			tree[p] = c
		}
	}
	im.mark++
	date := 1704067200 + int64(hour)*3600
	fmt.Fprintf(&im.stream, "commit %s\nmark :%d\n", ref, im.mark)
	fmt.Fprintf(&im.stream, "author Alice <alice@example.com> %d +0000\ncommitter Alice <alice@example.com> %d +0000\n", date, date)
	fmt.Fprintf(&im.stream, "data %d\n%s\n", len(msg), msg)
	if tip, ok := im.tips[ref]; ok {
		fmt.Fprintf(&im.stream, "from :%d\n", tip)
	}
	for _, m := range merged {
		fmt.Fprintf(&im.stream, "merge :%d\n", im.tips[m])
	}
	im.stream.WriteString("deleteall\n")
	for _, p := range sortedKeys(tree) {
		fmt.Fprintf(&im.stream, "M 100644 inline %s\ndata %d\n%s\n", p, len(tree[p]), tree[p])
	}
	im.tips[ref] = im.mark
	return im.mark
}

// finish runs the import and repacks everything into one pack of deltas.
func (im *importer) finish() *testRepo {
	im.t.Helper()
	imp := exec.Command("git", "fast-import", "--quiet")
	imp.Dir = im.r.dir
	imp.Stdin = strings.NewReader(im.stream.String())
	if out, err := imp.CombinedOutput(); err != nil {
		im.t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	im.r.git("repack", "-adfq", "--depth=50", "--window=10")
	return im.r
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// secretLine returns a line holding a credential of one of the shapes
// whose findings depend on the path (a default of an environment lookup,
// a generic hex value, which a test file holding many drops as test
// vectors) or not (an AWS key ID, a password).
func secretLine(rng *rand.Rand) string {
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, n)
		for i := range b {
			b[i] = digits[rng.Intn(16)]
		}
		return string(b)
	}
	switch rng.Intn(4) {
	case 0:
		return fmt.Sprintf("    'api_key' => env('SHOP_API_KEY', 'Qm7vT2x%sKpW4zNc8'),", hex(10))
	case 1:
		return fmt.Sprintf("api_secret = \"%s\"", hex(32))
	case 2:
		return "aws_access_key_id = " + base32Key(rng, "AKIA")
	}
	return fmt.Sprintf("password = \"Zq%08dVt!x\"", rng.Intn(1e8))
}

// randomHistory builds a random history over paths of every kind detection
// tells apart (plain, test, documentation), with copies of one blob at
// several paths in a commit, renames, deletions, branches merged and not,
// pull-request refs, and the same content committed on two branches at the
// same time.
func randomHistory(t *testing.T, seed int64) *testRepo {
	rng := rand.New(rand.NewSource(seed))
	im := newImporter(t)
	paths := []string{"src/app.php", "config/app.env", "tests/fixtures/app.php", "testdata/vectors.txt", "docs/setup.md", "README.md", "lib/copy.env"}
	im.branch("refs/heads/main", "")
	for _, p := range paths[:3] {
		im.trees["refs/heads/main"][p] = strings.Join(keywordText(rng, 5), "\n") + "\n"
	}
	im.commit("refs/heads/main", 0, "init")
	branches := []string{"refs/heads/main"}
	hour := 1
	for i := 0; i < 45; i++ {
		ref := branches[rng.Intn(len(branches))]
		tree := im.trees[ref]
		switch op := rng.Intn(12); {
		case op == 0 && len(branches) < 4:
			b := fmt.Sprintf("refs/heads/topic%d", i)
			if rng.Intn(2) == 0 {
				b = fmt.Sprintf("refs/pull/%d/head", i)
			}
			im.branch(b, ref)
			branches = append(branches, b)
			continue
		case op == 1 && len(branches) > 1 && ref != "refs/heads/main":
			im.commit("refs/heads/main", hour, "merge "+ref, ref)
		case op == 2 && len(branches) > 1:
			// The same new file on two branches at the same time.
			other := branches[rng.Intn(len(branches))]
			content := secretLine(rng) + "\n"
			p := paths[rng.Intn(len(paths))]
			im.trees[ref][p] = content
			im.commit(ref, hour, "same on two")
			if other != ref {
				im.trees[other][p] = content
				im.commit(other, hour, "same on two")
			}
		case op == 3:
			// One blob at several paths of one commit.
			content := strings.Join(append(keywordText(rng, 2), secretLine(rng)), "\n") + "\n"
			for k := rng.Intn(3) + 2; k > 0; k-- {
				tree[paths[rng.Intn(len(paths))]] = content
			}
			im.commit(ref, hour, "copies")
		case op == 4:
			delete(tree, paths[rng.Intn(len(paths))])
			im.commit(ref, hour, "delete")
		case op == 5:
			from, to := paths[rng.Intn(len(paths))], paths[rng.Intn(len(paths))]
			if c, ok := tree[from]; ok {
				delete(tree, from)
				tree[to] = c
			}
			im.commit(ref, hour, "rename")
		default:
			p := paths[rng.Intn(len(paths))]
			lines := strings.Split(strings.TrimSuffix(tree[p], "\n"), "\n")
			at := rng.Intn(len(lines) + 1)
			ins := keywordText(rng, rng.Intn(3))
			for k := rng.Intn(3); k >= 0; k-- {
				ins = append(ins, secretLine(rng))
			}
			if p == "testdata/vectors.txt" {
				// A file of test vectors: many generic hex values.
				for k := 0; k < 8; k++ {
					ins = append(ins, fmt.Sprintf("shared_secret = \"%016x%016x\"", rng.Uint64(), rng.Uint64()))
				}
			}
			lines = append(lines[:at:at], append(ins, lines[at:]...)...)
			tree[p] = strings.Join(lines, "\n") + "\n"
			im.commit(ref, hour, fmt.Sprintf("edit %d", i))
		}
		// Two or three commits share each hour.
		if rng.Intn(3) == 0 {
			hour++
		}
	}
	return im.finish()
}

// realShapeHistory builds a history shaped like a real repository's: a
// large configuration file edited a few lines at a time (long delta
// chains), source next to its test fixtures and documentation, a test
// vector file also copied outside the tests, a vendored directory
// allow-listed by configuration whose file is copied into the source,
// pull-request head and merge refs (merged and not), the same file added
// on a pull request and on main in the same hour, a tag, a second pack and
// loose objects on top.
func realShapeHistory(t *testing.T) (*testRepo, gitsource.Options) {
	rng := rand.New(rand.NewSource(42))
	im := newImporter(t)
	const main = "refs/heads/main"
	im.branch(main, "")
	tree := im.trees[main]
	big := keywordText(rng, 400)
	edit := func() {
		for k := rng.Intn(3) + 1; k > 0; k-- {
			at := rng.Intn(len(big))
			big[at] = keywordText(rng, 1)[0]
			if rng.Intn(4) == 0 {
				big[at] = secretLine(rng)
			}
		}
		tree["config/big.yaml"] = strings.Join(big, "\n") + "\n"
	}
	server := "<?php\nreturn [\n" + envDefault + "];\n"
	kat := ""
	for k := 0; k < 10; k++ {
		kat += fmt.Sprintf("shared_secret = \"%016x%016x\"\n", rng.Uint64(), rng.Uint64())
	}
	vendored := "aws_access_key_id = " + base32Key(rng, "AKIA") + "\n"
	hour := 0
	var tagged int
	for i := 0; i < 30; i++ {
		edit()
		switch i {
		case 2:
			tree["src/server.php"] = server
		case 4:
			// Fixtures copied from the source, in one commit.
			tree["tests/fixtures/server.php"] = server
			tree["docs/config.md"] = "Configure it:\n\n```php\n" + envDefault + "```\n"
		case 6:
			tree["testdata/kat.txt"] = kat
			tree["examples/hashes.txt"] = kat
		case 8:
			tree["Godeps/acme/keys.env"] = vendored
			tree["app/keys.env"] = vendored
		case 9:
			im.branch("refs/pull/1/head", main)
			im.trees["refs/pull/1/head"]["src/feature.py"] = "token = \"" + secretLine(rng) + "\"\n" + secretLine(rng) + "\n"
			im.commit("refs/pull/1/head", hour, "feature")
			im.branch("refs/pull/1/merge", main)
			im.commit("refs/pull/1/merge", hour, "Merge pull request #1", "refs/pull/1/head")
		case 12:
			tree["tests/fixtures/server.php"] = server + "// a fixture of its own now\n"
			tree["app/keys.env"] = vendored + "region = eu-west-1\n"
			tree["examples/hashes.txt"] = kat + "# shortened\n"
		case 14:
			// The same new file on a pull request and on main, in the
			// same hour.
			creds := secretLine(rng) + "\n" + secretLine(rng) + "\n"
			im.branch("refs/pull/2/head", main)
			im.trees["refs/pull/2/head"]["deploy/creds.env"] = creds
			im.commit("refs/pull/2/head", hour, "deploy creds")
			tree["deploy/creds.env"] = creds
		case 18:
			im.trees["refs/pull/2/head"]["deploy/creds.env"] += secretLine(rng) + "\n"
			im.commit("refs/pull/2/head", hour, "more creds")
			im.commit(main, hour, "Merge pull request #2", "refs/pull/2/head")
			continue
		}
		m := im.commit(main, hour, fmt.Sprintf("change %d", i))
		if i == 10 {
			tagged = m
		}
		if i%3 == 0 {
			hour++
		}
	}
	fmt.Fprintf(&im.stream, "reset refs/tags/v1.0\nfrom :%d\n\n", tagged)
	r := im.finish()
	// A second pack, then loose objects.
	r.n = 1000
	r.git("reset", "-q", "--hard", "main")
	r.write("src/late.env", secretLine(rng)+"\n")
	r.commit("late")
	r.git("repack", "-dq")
	r.write("tests/fixtures/late.php", "<?php\n"+envDefault)
	r.commit("loose")
	allow, err := (*scanner.Allowlist)(nil).WithPaths([]string{"Godeps/**"})
	if err != nil {
		t.Fatal(err)
	}
	return r, gitsource.Options{Allow: allow}
}

// TestPathsOfOneBlobKeepTheirOwnAttributes: a blob at two paths is two
// findings, and what deduplication later adds to one's attributes (a path
// it moved to, a companion value a later version of that file writes next
// to the secret) stays with it.
func TestPathsOfOneBlobKeepTheirOwnAttributes(t *testing.T) {
	t.Parallel()
	id := [20]byte{1, 2, 3}
	c := &scanner.Commit{Hash: "c1"}
	h := &History{
		Repo:    newRepo(t).open(),
		placed:  map[[20]byte]blobRef{id: {path: "a/sms.env", also: []string{"b/sms.env"}, commit: c, pos: 1}},
		commits: map[[20]byte]commitInfo{},
	}
	fs := h.Resolve([]scanner.Finding{{Kind: scanner.KindBlob, RuleID: "r", BlobID: "0102030000000000000000000000000000000000", Attributes: map[string]string{"decoding": "base64"}}})
	if len(fs) != 2 {
		t.Fatalf("%d findings, want one per path", len(fs))
	}
	fs[0].Attributes["twilio_account_sid"] = "AC…"
	if _, ok := fs[1].Attributes["twilio_account_sid"]; ok || fs[1].Attributes["decoding"] != "base64" {
		t.Fatalf("the second path's attributes are %v", fs[1].Attributes)
	}
}
