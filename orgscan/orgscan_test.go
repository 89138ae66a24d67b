package orgscan

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/github"
	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/orgscan/orgfake"
	"github.com/rampart-sec/rampart/scanner"
)

const testToken = "ghs_orgscanTESTtoken0123456789abcdefABCD"

// awsKey returns a fake AWS access key ID the detector reports, distinct
// per seed.
func awsKey(seed uint64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	r := rand.New(rand.NewPCG(seed, 7))
	b := []byte("AKIA")
	for range 16 {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return string(b)
}

type fakeOrg struct {
	fake   *orgfake.Server
	client *github.Client
	mirror string
}

// newFakeOrg starts a fake organisation "acme" of n private repositories,
// each with two commits; every third holds an AWS key.
func newFakeOrg(t testing.TB, n int) *fakeOrg {
	t.Helper()
	fake, err := orgfake.New(t.TempDir(), testToken)
	if err != nil {
		t.Skipf("no git smart-HTTP server: %v", err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.URL = srv.URL
	for i := range n {
		r := &orgfake.Repo{Owner: "acme", Name: fmt.Sprintf("repo-%03d", i), Private: true}
		if err := fake.AddRepo(r); err != nil {
			t.Fatal(err)
		}
		second := map[string]string{"docs/notes.txt": fmt.Sprintf("notes for %s\n", r.Name)}
		if i%3 == 0 {
			second["config/aws.env"] = "aws_access_key_id = " + awsKey(uint64(i)) + "\n"
		}
		first := map[string]string{"README.md": "# " + r.Name + "\n", "main.go": "package main\n\nfunc main() {}\n"}
		if _, err := fake.Commits(r.FullName(), "", []map[string]string{first, second}, "work"); err != nil {
			t.Fatal(err)
		}
	}
	c, err := github.New(github.Options{Token: testToken, APIURL: srv.URL + "/api/v3/"})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeOrg{fake: fake, client: c, mirror: t.TempDir()}
}

func testConfig(t testing.TB) *scanner.Config {
	t.Helper()
	cfg, err := scanner.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (o *fakeOrg) run(t testing.TB, ctx context.Context, shard Shard, mod func(*Options)) *Result {
	t.Helper()
	targets, _, err := OrgTargets(ctx, o.client, "acme", false, false, shard)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{MirrorDir: o.mirror, Token: testToken, Workers: 4, Config: testConfig(t)}
	if mod != nil {
		mod(&opt)
	}
	res, err := Run(ctx, targets, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// keys renders findings as comparable lines.
func keys(fs []scanner.Finding) []string {
	var out []string
	for _, f := range fs {
		c := ""
		if f.Commit != nil {
			c = f.Commit.Hash[:12]
		}
		out = append(out, fmt.Sprintf("%s %s %s:%d %s %s pr=%s", f.Attributes[AttrRepository], f.RuleID, f.Path, f.Line, c, f.Fingerprint[:12], f.Attributes[AttrPullRequest]))
	}
	sort.Strings(out)
	return out
}

func byStatus(res *Result) map[string]int {
	m := map[string]int{}
	for _, r := range res.Repos {
		m[r.Status]++
	}
	return m
}

// TestTokenOnlyInAHeader runs a scan of private repositories while
// watching every process's command line, then reads every file the run
// left behind: the token must appear in neither, and the fake must have
// received it (private repositories refuse anonymous clones).
func TestTokenOnlyInAHeader(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 6)
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + testToken))
	secrets := [][]byte{[]byte(testToken), []byte(basic)}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var leaks []string
	gitSeen := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, p := range procs {
				b, err := os.ReadFile(p)
				if err != nil || len(b) == 0 {
					continue
				}
				mu.Lock()
				if bytes.HasPrefix(b, []byte("git\x00")) || bytes.Contains(b, []byte("/git\x00")) {
					gitSeen++
				}
				for _, s := range secrets {
					if bytes.Contains(b, s) {
						leaks = append(leaks, strings.ReplaceAll(string(b), "\x00", " "))
					}
				}
				mu.Unlock()
			}
			time.Sleep(time.Millisecond)
		}
	}()
	res := o.run(t, context.Background(), nil, nil)
	close(stop)
	wg.Wait()
	if len(leaks) > 0 {
		t.Errorf("the token is on a command line: %q", leaks[0])
	}
	if gitSeen == 0 {
		t.Error("the watcher saw no git process: it proves nothing")
	}
	if got := byStatus(res); got[StatusScanned] != 6 {
		t.Fatalf("statuses = %v; repos = %+v", got, res.Repos)
	}
	for _, r := range res.Repos {
		if c := o.fake.Counts(r.Repository); c.Requests == 0 || c.Bytes == 0 {
			t.Errorf("%s: the fake served nothing (%+v)", r.Repository, c)
		}
	}
	filepath.WalkDir(o.mirror, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("the token is in %s", p)
			}
		}
		return nil
	})
	// Without the token the same private repositories are refused, and the
	// failure is recorded, not fatal.
	anon := o.run(t, context.Background(), nil, func(opt *Options) { opt.Token = ""; opt.MirrorDir = t.TempDir() })
	if got := byStatus(anon); got[StatusFailed] != 6 {
		t.Errorf("anonymous statuses = %v", got)
	}
	if o.fake.Counts("acme/repo-000").Unauthorized == 0 {
		t.Error("the fake never refused an anonymous request")
	}
}

// TestPullRequestRefs: a secret pushed only to a pull request's head is
// found and names the pull request; one that was merged does not.
func TestPullRequestRefs(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 2)
	full := "acme/repo-001"
	leak := awsKey(1001)
	pr, err := o.fake.Commit(full, "refs/heads/feature", map[string]string{"deploy.sh": "export AWS_ACCESS_KEY_ID=" + leak + "\n"}, "wip")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.fake.SetRef(full, "refs/pull/7/head", pr); err != nil {
		t.Fatal(err)
	}
	if err := o.fake.SetRef(full, "refs/heads/feature", ""); err != nil { // the branch is gone; the pull request stays
		t.Fatal(err)
	}
	res := o.run(t, context.Background(), nil, nil)
	var got []string
	for _, f := range res.Findings {
		if f.Attributes[AttrRepository] == full {
			got = append(got, f.Path+" pr="+f.Attributes[AttrPullRequest])
			if f.Secret != leak {
				t.Errorf("secret = %q", f.Secret)
			}
		}
	}
	if !slices.Equal(got, []string{"deploy.sh pr=7"}) {
		t.Errorf("findings in %s = %v, want the pull request's", full, got)
	}
	for _, r := range res.Repos {
		if r.Repository == full && r.PullRequests != 1 {
			t.Errorf("pull requests = %d", r.PullRequests)
		}
	}
}

// TestIncrementalOneNewCommit: 20 repositories; after one new commit in
// one of them, the second run fetches a pack only from that repository,
// reads only the new commit's blobs, and reports the same findings plus
// the new one (the old ones carried forward).
func TestIncrementalOneNewCommit(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 20)
	ctx := context.Background()
	first := o.run(t, ctx, nil, nil)
	if got := byStatus(first); got[StatusScanned] != 20 {
		t.Fatalf("first run statuses = %v", got)
	}
	if len(first.Findings) != 7 {
		t.Fatalf("first run: %d findings, want 7", len(first.Findings))
	}
	before := map[string]orgfake.Counts{}
	for _, r := range first.Repos {
		before[r.Repository] = o.fake.Counts(r.Repository)
	}
	changed := "acme/repo-010"
	leak := awsKey(4242)
	if _, err := o.fake.Commit(changed, "", map[string]string{"ops/new.env": "AWS_ACCESS_KEY_ID=" + leak + "\n", "README.md": "# changed\n"}, "add ops"); err != nil {
		t.Fatal(err)
	}
	second := o.run(t, ctx, nil, nil)
	for _, r := range second.Repos {
		delta := o.fake.Counts(r.Repository).Bytes - before[r.Repository].Bytes
		if r.Repository == changed {
			if r.Status != StatusScanned || r.FullScan || r.Commits != 1 || r.Blobs != 2 || r.New != 1 || r.FetchedBytes == 0 {
				t.Errorf("%s: %+v, want an incremental scan of 1 commit and 2 blobs with 1 new finding", changed, r)
			}
			continue
		}
		if r.Status != StatusUnchanged || r.Commits != 0 || r.Blobs != 0 || r.FetchedBytes != 0 {
			t.Errorf("%s: %+v, want unchanged and nothing read", r.Repository, r)
		}
		// A fetch with nothing new costs the ref advertisement only.
		if delta > 2048 {
			t.Errorf("%s: %d bytes served on the second run", r.Repository, delta)
		}
	}
	if second.Stats.Blobs != 2 || second.Stats.Commits != 1 {
		t.Errorf("second run read %d blobs in %d commits, want 2 in 1", second.Stats.Blobs, second.Stats.Commits)
	}
	want := append(keys(first.Findings), "")
	got := keys(second.Findings)
	var extra []string
	for _, k := range got {
		if i := slices.Index(want, k); i >= 0 {
			want = slices.Delete(want, i, i+1)
		} else {
			extra = append(extra, k)
		}
	}
	if len(want) != 1 || len(extra) != 1 || !strings.HasPrefix(extra[0], changed+" aws-access-key-id ops/new.env:1") {
		t.Errorf("second run lost %v and added %v", want[:len(want)-1], extra)
	}
	carried := 0
	for _, f := range second.Findings {
		if f.Attributes[AttrCarried] == "true" {
			carried++
			if !strings.HasPrefix(f.Secret, "AKIA") {
				t.Errorf("carried finding lost its secret: %q", f.Secret)
			}
		}
	}
	if carried != 7 {
		t.Errorf("%d findings carried forward, want 7", carried)
	}
}

// TestRewriteDropsCarriedFindings: a force-push that removes the commit
// holding a secret from every ref drops its finding on the next run.
func TestRewriteDropsCarriedFindings(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 1)
	ctx := context.Background()
	first := o.run(t, ctx, nil, nil)
	if len(first.Findings) != 1 {
		t.Fatalf("first run: %v", keys(first.Findings))
	}
	root, err := o.fake.Rev("acme/repo-000", "main~1")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.fake.SetRef("acme/repo-000", "refs/heads/main", root); err != nil { // force-push to the first commit
		t.Fatal(err)
	}
	second := o.run(t, ctx, nil, nil)
	if len(second.Findings) != 0 || second.Repos[0].Dropped != 1 {
		t.Errorf("after the rewrite: %v, repo %+v", keys(second.Findings), second.Repos[0])
	}
}

// TestShardsUnionEqualsOneRun: three shards of a fake organisation report
// exactly what one unsharded run does.
func TestShardsUnionEqualsOneRun(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 12)
	ctx := context.Background()
	whole := o.run(t, ctx, nil, func(opt *Options) { opt.MirrorDir = t.TempDir() })
	var union []scanner.Finding
	repos := 0
	for i := range 3 {
		part := o.run(t, ctx, hardening.Shard{Index: i, Count: 3}, func(opt *Options) { opt.MirrorDir = t.TempDir() })
		if len(part.Repos) == 0 || len(part.Repos) == 12 {
			t.Errorf("shard %d has %d repositories", i, len(part.Repos))
		}
		repos += len(part.Repos)
		union = append(union, part.Findings...)
	}
	if repos != 12 {
		t.Errorf("shards hold %d repositories, want 12", repos)
	}
	if w, u := keys(whole.Findings), keys(union); !slices.Equal(w, u) || len(w) != 4 {
		t.Errorf("one run %v\nshards %v", w, u)
	}
}

// TestOneFailingRepositoryDoesNotStopTheRun: a repository answering 500 to
// git is recorded as failed; the others are scanned.
func TestOneFailingRepositoryDoesNotStopTheRun(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 6)
	o.fake.Repo("acme/repo-003").FailGit = true
	o.fake.Repo("acme/repo-004").SizeKB = 3 << 20 // 3 GB: over the limit below
	var last Progress
	calls := 0
	res := o.run(t, context.Background(), nil, func(opt *Options) {
		opt.Progress = func(p Progress) { last, calls = p, calls+1 }
		opt.MaxRepoSize = 1 << 30
	})
	if last.Done != 6 || last.Total != 6 || last.Bytes != res.Stats.Bytes || last.Bytes == 0 || last.Findings != 1 || calls <= 6 {
		t.Errorf("last progress %+v after %d calls; the run read %d bytes", last, calls, res.Stats.Bytes)
	}
	if got := byStatus(res); got[StatusScanned] != 4 || got[StatusFailed] != 2 {
		t.Fatalf("statuses = %v", got)
	}
	for _, r := range res.Repos {
		if r.Repository == "acme/repo-003" && (r.Status != StatusFailed || !strings.Contains(r.Error, "500")) {
			t.Errorf("failed repository: %+v", r)
		}
		if r.Repository == "acme/repo-004" && (r.Status != StatusFailed || !strings.Contains(r.Error, "too big: GitHub reports 3072 MB")) {
			t.Errorf("too big a repository: %+v", r)
		}
	}
	if n := len(res.Findings); n != 1 { // repo-000; repo-003's key is not reported
		t.Errorf("%d findings: %v", n, keys(res.Findings))
	}
}

// TestStuckRepositoryTimesOut: a repository whose server never answers is
// given up after RepoTimeout and recorded; the others are scanned.
func TestStuckRepositoryTimesOut(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 3)
	o.fake.Repo("acme/repo-001").Hang = time.Minute
	start := time.Now()
	// The limit is every repository's: the healthy two must finish under
	// it even on a loaded CI machine under -race (2 s failed there).
	res := o.run(t, context.Background(), nil, func(opt *Options) { opt.RepoTimeout = 10 * time.Second })
	if got := byStatus(res); got[StatusScanned] != 2 || got[StatusFailed] != 1 {
		t.Fatalf("statuses = %v", got)
	}
	if res.Repos[1].Repository != "acme/repo-001" || !strings.Contains(res.Repos[1].Error, "timed out after 10s") {
		t.Errorf("stuck repository: %+v", res.Repos[1])
	}
	if d := time.Since(start); d > 45*time.Second {
		t.Errorf("the run took %s: the timeout did not stop the clone", d)
	}
}

// TestResumeAfterInterruption: a run cancelled after some repositories
// leaves their state; the next run scans only the rest and reports the
// same findings as an uninterrupted run.
func TestResumeAfterInterruption(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 8)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := 0
	o.run(t, ctx, nil, func(opt *Options) {
		opt.Workers = 1
		opt.Progress = func(p Progress) {
			if done = p.Done; p.Done == 3 {
				cancel()
			}
		}
	})
	if done < 3 || done == 8 {
		t.Fatalf("the interrupted run finished %d repositories", done)
	}
	second := o.run(t, context.Background(), nil, nil)
	st := byStatus(second)
	if st[StatusUnchanged] < 3 || st[StatusScanned]+st[StatusUnchanged] != 8 || st[StatusScanned] == 0 {
		t.Errorf("resumed run statuses = %v", st)
	}
	whole := o.run(t, context.Background(), nil, func(opt *Options) { opt.MirrorDir = t.TempDir() })
	if w, g := keys(whole.Findings), keys(second.Findings); !slices.Equal(w, g) {
		t.Errorf("resumed %v\nwhole %v", g, w)
	}
}

func TestParseRepoList(t *testing.T) {
	t.Parallel()
	in := "# our repositories\nacme/api\n\nhttps://github.example.com/acme/web.git\nacme/api\n"
	ts, err := ParseRepoList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || ts[0].FullName != "acme/api" || ts[1].CloneURL != "https://github.example.com/acme/web.git" ||
		ts[1].FullName != "acme/web" || ts[1].HTMLURL != "https://github.example.com/acme/web" {
		t.Errorf("targets = %+v", ts)
	}
	for _, bad := range []string{"acme", "../etc/passwd", "ftp://x/a/b", "https://user:ghp_secret@github.com/a/b.git", "a/b c"} {
		_, err := ParseRepoList(strings.NewReader(bad + "\n"))
		if err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "ghp_secret") {
			t.Errorf("error repeats the credentials: %v", err)
		}
	}
}

func FuzzParseRepoList(f *testing.F) {
	f.Add("acme/api\nhttps://github.com/acme/web.git\n# c\n")
	f.Add("https://u:p@h/a/b")
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseRepoList(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, tg := range ts {
			if _, err := mirrorPath("/m", tg); err != nil {
				t.Errorf("accepted %q but cannot place it: %v", tg.FullName, err)
			}
			if strings.Contains(tg.CloneURL, "@") && strings.Contains(tg.CloneURL[:strings.Index(tg.CloneURL, "@")], ":") && !strings.Contains(tg.CloneURL, "/") {
				t.Errorf("credentials kept: %q", tg.CloneURL)
			}
		}
	})
}

// TestEmptyRepository: a repository without a commit is scanned (nothing
// to read) and unchanged on the next run.
func TestEmptyRepository(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 1)
	if err := o.fake.AddRepo(&orgfake.Repo{Owner: "acme", Name: "empty", Private: true}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{StatusScanned, StatusUnchanged} {
		res := o.run(t, context.Background(), nil, nil)
		if got := byStatus(res); got[want] != 2 {
			t.Fatalf("run %d: statuses %v, repos %+v", i, got, res.Repos)
		}
	}
}

// TestNewEngineRescansInFull: state written by one rampart build is not
// trusted by another (validators and allow lists change between releases):
// the next run rescans every repository in full, finds the same secrets,
// and carries nothing forward. The same build rescans nothing.
func TestNewEngineRescansInFull(t *testing.T) {
	t.Parallel()
	o := newFakeOrg(t, 4)
	ctx := context.Background()
	engine := func(e string) func(*Options) { return func(opt *Options) { opt.Engine = e } }
	first := o.run(t, ctx, nil, engine("v1.0.0 aaaa"))
	same := o.run(t, ctx, nil, engine("v1.0.0 aaaa"))
	for _, r := range same.Repos {
		if r.Status != StatusUnchanged {
			t.Errorf("same engine: %s %s, want unchanged", r.Repository, r.Status)
		}
	}
	next := o.run(t, ctx, nil, engine("v1.1.0 bbbb"))
	for _, r := range next.Repos {
		if r.Status != StatusScanned || !r.FullScan || r.Carried != 0 {
			t.Errorf("new engine: %s %+v, want a full rescan with nothing carried", r.Repository, r)
		}
	}
	if !slices.Equal(keys(first.Findings), keys(next.Findings)) {
		t.Errorf("findings changed: %v vs %v", keys(first.Findings), keys(next.Findings))
	}
}
