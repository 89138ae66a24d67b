// Package orgscan scans every repository of a GitHub organisation (or of a
// list) for secrets, incrementally. It lists repositories through package
// github, keeps a bare mirror of each (git clone --mirror the first time,
// git fetch --prune after; GitHub's refs/pull/N/head come with it), scans
// each mirror's history with scanner/gitsource, and records per repository
// the ref tips it covered and the findings it reported, so a second run
// walks and reads only the commits it has not seen and still reports the
// complete set. One repository's failure is recorded and never stops the
// run; state is written after each repository, so an interrupted run
// resumes where it stopped.
//
// The token reaches git only in the child's environment, as an HTTP
// header (see gitRunner). Besides scanner/gitsource, this package runs the
// git binary for what mirrors need (clone, fetch, ref listing): a
// departure from "gitsource is the only place that runs git", kept here
// because it is about transport and credentials, not about reading
// history.
package orgscan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/history"
)

// Options configure a run.
type Options struct {
	// MirrorDir holds the mirrors and their state (required).
	MirrorDir string
	// Token authenticates git over HTTPS (sent as a header, see gitRunner);
	// empty for public repositories.
	Token string
	// Workers is how many repositories are fetched and scanned at once
	// (default 4).
	Workers int
	// ScanWorkers is the detector goroutines per repository (default: the
	// CPUs shared among Workers, at least 1).
	ScanWorkers int
	// Config is the rule set, allow list and size limit (required).
	Config *scanner.Config
	// Baseline, when set, suppresses the findings it lists.
	Baseline *scanner.Baseline
	// MaxRepoSize, if positive, leaves out (as failed, before cloning) a
	// repository GitHub says is larger.
	MaxRepoSize int64
	// RepoTimeout bounds one repository's fetch and scan (0: no bound); a
	// repository over it is recorded as failed and the run goes on.
	RepoTimeout time.Duration
	// Engine names the rampart build (version and commit). It joins the
	// rules digest: a release changes validators and allow lists as well as
	// rules, so a new engine rescans every repository in full rather than
	// carry forward verdicts it would not reach any more.
	Engine string
	// Progress, when set, is called as bytes are scanned and after each
	// repository, one call at a time.
	Progress func(Progress)
	// Env is the environment git runs with (default os.Environ()).
	Env []string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Progress is the state of a run, for a progress bar.
type Progress struct {
	Done, Total int
	// Bytes is what was scanned so far; Findings how many were reported.
	Bytes    int64
	Findings int
	// Repository is the one just finished.
	Repository string
}

// Repository statuses.
const (
	// StatusScanned: fetched and scanned (in full the first time, the new
	// commits after).
	StatusScanned = "scanned"
	// StatusUnchanged: no ref moved since the last run; findings carried.
	StatusUnchanged = "unchanged"
	// StatusFailed: the repository could not be fetched or scanned; the
	// error says why. Its last findings, if any, are not reported.
	StatusFailed = "failed"
)

// RepoResult is the outcome for one repository: a section of the report.
type RepoResult struct {
	Repository string `json:"repository"`
	CloneURL   string `json:"clone_url,omitempty"`
	HTMLURL    string `json:"html_url,omitempty"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	// FullScan is true when the whole history was scanned (first run, a
	// changed rule set, or a lost state), false for an incremental scan.
	FullScan bool `json:"full_scan"`
	// Findings counts the repository's findings in this report; New were
	// found by this run, Carried by an earlier one, Dropped were reported
	// before and left history (a force-push or a deleted branch).
	Findings int `json:"findings"`
	New      int `json:"new"`
	Carried  int `json:"carried_forward"`
	Dropped  int `json:"dropped"`
	// Refs is how many refs the mirror has; PullRequests how many of them
	// are GitHub pull-request heads.
	Refs         int `json:"refs"`
	PullRequests int `json:"pull_requests"`
	// FetchedBytes is how much the object store grew by fetching.
	FetchedBytes int64 `json:"fetched_bytes"`
	// Commits, Blobs and Bytes are what the scan read this run.
	Commits    int   `json:"commits"`
	Blobs      int   `json:"blobs"`
	Bytes      int64 `json:"bytes"`
	DurationMS int64 `json:"duration_ms"`
	// Notes are the scan's remarks (skipped objects, submodules, …).
	Notes []string `json:"notes,omitempty"`
}

// Result is a whole run.
type Result struct {
	Repos    []RepoResult
	Findings []scanner.Finding
	// Stats sums what the scans read.
	Stats scanner.Stats
	// Suppressed counts findings hidden by the baseline.
	Suppressed int
	Stale      []scanner.BaselineEntry
}

// Attribute keys orgscan sets on findings.
const (
	// AttrRepository is the repository's full name.
	AttrRepository = "repository"
	// AttrRepositoryURL is its web page, when known (links to commits and
	// files are built from it).
	AttrRepositoryURL = "repository_url"
	// AttrPullRequest lists the pull requests (numbers, comma-separated)
	// whose head holds the finding's commit when no branch or tag does: a
	// secret pushed to a pull request that was never merged.
	AttrPullRequest = "pull_request"
	// AttrCarried is "true" on a finding an earlier run found.
	AttrCarried = "carried_forward"
	// AttrFirstSeen is when a run first reported the finding (RFC 3339).
	AttrFirstSeen = "first_seen"
)

// Run scans targets. It returns an error only for what stops the whole
// run (bad options, cancellation before anything was scanned is still a
// result); each repository's failure is in its RepoResult.
func Run(ctx context.Context, targets []Target, opt Options) (*Result, error) {
	if opt.MirrorDir == "" || opt.Config == nil {
		return nil, errors.New("orgscan: MirrorDir and Config are required")
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.ScanWorkers <= 0 {
		opt.ScanWorkers = max(1, runtime.GOMAXPROCS(0)/opt.Workers)
	}
	if opt.Env == nil {
		opt.Env = os.Environ()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if err := os.MkdirAll(opt.MirrorDir, 0o700); err != nil {
		return nil, fmt.Errorf("orgscan: mirror directory: %w", err)
	}
	det := scanner.NewDetector(opt.Config.Rules, opt.Config.Allow)
	det.SetFileRules(opt.Config.FileRules)
	s := &run{opt: opt, git: &gitRunner{token: opt.Token, env: opt.Env}, det: det, digest: rulesDigest(opt.Config, opt.Engine)}

	results := make([]RepoResult, len(targets))
	found := make([][]scanner.Finding, len(targets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	s.prog.Total = len(targets)
	for range min(opt.Workers, max(len(targets), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i], found[i] = s.repo(ctx, targets[i])
				s.advance(func(p *Progress) {
					p.Done++
					p.Findings += len(found[i])
					p.Repository = targets[i].FullName
				})
			}
		}()
	}
	for i := range targets {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	res := &Result{}
	for i := range targets {
		r := &results[i]
		if r.Repository == "" { // never started: the run was cancelled
			*r = RepoResult{Repository: targets[i].FullName, CloneURL: targets[i].CloneURL, HTMLURL: targets[i].HTMLURL,
				Status: StatusFailed, Error: "not scanned: " + context.Cause(ctx).Error()}
		}
		res.Findings = append(res.Findings, found[i]...)
		res.Stats.Commits += r.Commits
		res.Stats.Blobs += r.Blobs
		res.Stats.Bytes += r.Bytes
		for _, n := range r.Notes {
			res.Stats.Note(r.Repository + ": " + n)
		}
		if r.Status == StatusFailed {
			res.Stats.Skip("failed-repository")
		}
	}
	res.Repos = results
	if opt.Baseline != nil {
		// No entry is called stale: a baseline does not record which
		// repository an entry came from, so a shard (or a repository that
		// failed this run) cannot tell that a secret is gone.
		res.Findings, res.Suppressed, res.Stale = opt.Baseline.Filter(res.Findings, nil)
	}
	return res, nil
}

// run is one Run's shared context.
type run struct {
	opt    Options
	git    *gitRunner
	det    *scanner.Detector
	digest string

	mu   sync.Mutex
	prog Progress
}

// advance updates the run's progress and reports it.
func (s *run) advance(f func(*Progress)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.prog)
	if s.opt.Progress != nil {
		s.opt.Progress(s.prog)
	}
}

// repo fetches and scans one repository. Its error is recorded in the
// result, never returned.
func (s *run) repo(ctx context.Context, t Target) (RepoResult, []scanner.Finding) {
	start := time.Now()
	r := RepoResult{Repository: t.FullName, CloneURL: t.CloneURL, HTMLURL: t.HTMLURL}
	if d := s.opt.RepoTimeout; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, fmt.Errorf("timed out after %s", d))
		defer cancel()
	}
	fs, err := s.scan(ctx, t, &r)
	r.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		r.Status, r.Error = StatusFailed, err.Error()
		r.Findings, r.New, r.Carried = 0, 0, 0
		return r, nil
	}
	r.Findings = len(fs)
	return r, fs
}

func (s *run) scan(ctx context.Context, t Target, r *RepoResult) ([]scanner.Finding, error) {
	if t.CloneURL == "" {
		return nil, errors.New("no clone URL")
	}
	if max := s.opt.MaxRepoSize; max > 0 && t.Size > max {
		return nil, fmt.Errorf("too big: GitHub reports %d MB, over the limit of %d MB (--max-repo-size)", t.Size>>20, max>>20)
	}
	path, err := mirrorPath(s.opt.MirrorDir, t)
	if err != nil {
		return nil, err
	}
	before := objectBytes(path)
	created, err := s.git.sync(ctx, path, t)
	if err != nil {
		return nil, err
	}
	r.FetchedBytes = max(0, objectBytes(path)-before)
	state := loadState(path)
	if created || (state != nil && state.Rules != s.digest) {
		state = nil
	}
	tips, err := s.git.refTips(ctx, path)
	if err != nil {
		return nil, err
	}
	r.Refs = len(tips)
	for ref := range tips {
		if strings.HasPrefix(ref, "refs/pull/") && strings.HasSuffix(ref, "/head") {
			r.PullRequests++
		}
	}
	now := s.opt.Now().UTC()
	// The history reader's view of the mirror, opened only when something
	// is read: an unchanged repository without findings costs no more git.
	var repo *gitsource.Repo
	openRepo := func() (*gitsource.Repo, error) {
		if repo != nil {
			return repo, nil
		}
		r, err := gitsource.Open(ctx, path)
		repo = r
		return r, err
	}

	// What was reported before, minus what left history.
	var carried []scanner.Finding
	if state != nil {
		gone := map[string]bool{}
		if !sameTips(state.Tips, tips) {
			// Only a moved or deleted ref can take commits out of history.
			if gone, err = s.git.unreachable(ctx, path, s.git.present(ctx, path, tipIDs(state.Tips))); err != nil {
				return nil, err
			}
		}
		for _, sf := range state.Findings {
			if sf.Commit != "" && gone[sf.Commit] {
				r.Dropped++
				continue
			}
			f := sf.finding()
			f.Attributes[AttrCarried] = "true"
			carried = append(carried, f)
		}
		if len(carried) > 0 {
			gr, err := openRepo()
			if err != nil {
				return nil, err
			}
			carried = s.rehydrate(ctx, gr, carried)
		}
	}

	var fresh []scanner.Finding
	if state == nil || !sameTips(state.Tips, tips) {
		r.FullScan = state == nil
		gr, err := openRepo()
		if err != nil {
			return nil, err
		}
		h := &history.History{Repo: gr, Opts: gitsource.Options{MaxFileSize: s.opt.Config.MaxFileSize, Allow: s.opt.Config.Allow},
			NeedPaths: !scanner.PathsLater(s.opt.Config.Rules)}
		if state != nil {
			// Only the commits no old tip reaches: the walk diffs those, and
			// only the blobs they introduce are read.
			h.Revs = []string{"--all", "--not"}
			for _, id := range s.git.present(ctx, path, tipIDs(state.Tips)) {
				h.Revs = append(h.Revs, id)
			}
		}
		var seen int64
		live := func(_ int, bytes int64) {
			delta := bytes - seen
			seen = bytes
			s.advance(func(p *Progress) { p.Bytes += delta })
		}
		res, err := scanner.Scan(ctx, h, s.det, scanner.Options{Workers: s.opt.ScanWorkers, Progress: live})
		if err != nil {
			return nil, err
		}
		r.Commits, r.Blobs, r.Bytes = res.Stats.Commits, res.Stats.Blobs, res.Stats.Bytes
		for _, n := range res.Stats.Notes {
			// No new commit is expected when refs were only deleted.
			if state == nil || !strings.HasPrefix(n, "no commits") {
				r.Notes = append(r.Notes, n)
			}
		}
		fresh = res.Findings
		r.Status = StatusScanned
	} else {
		r.Status = StatusUnchanged
	}

	// A blob a new commit brought back (a revert) was already reported:
	// keep the earlier finding.
	known := map[string]bool{}
	for _, f := range carried {
		known[findingKey(f)] = true
	}
	kept := fresh[:0]
	for _, f := range fresh {
		if known[findingKey(f)] {
			continue
		}
		if f.Attributes == nil {
			f.Attributes = map[string]string{}
		}
		f.Attributes[AttrFirstSeen] = now.Format(time.RFC3339)
		kept = append(kept, f)
	}
	r.New, r.Carried = len(kept), len(carried)
	all := append(carried, kept...)
	prCache := map[string]string{}
	for i := range all {
		f := &all[i]
		f.Attributes[AttrRepository] = t.FullName
		if t.HTMLURL != "" {
			f.Attributes[AttrRepositoryURL] = t.HTMLURL
		}
		delete(f.Attributes, AttrPullRequest)
		if f.Commit == nil || r.PullRequests == 0 {
			continue
		}
		pr, ok := prCache[f.Commit.Hash]
		if !ok {
			prs, onBranch, err := s.git.pullRequests(ctx, path, f.Commit.Hash)
			if err == nil && !onBranch && len(prs) > 0 {
				sort.Slice(prs, func(a, b int) bool { return numLess(prs[a], prs[b]) })
				pr = strings.Join(prs, ",")
			}
			prCache[f.Commit.Hash] = pr
		}
		if pr != "" {
			f.Attributes[AttrPullRequest] = pr
		}
	}
	sortFindings(all)

	st := &repoState{Version: stateVersion, Repository: t.FullName, ScannedAt: now, Tips: tips, Rules: s.digest}
	for _, f := range all {
		sf := toState(f)
		delete(sf.Attributes, AttrCarried)
		st.Findings = append(st.Findings, sf)
	}
	if err := st.save(path); err != nil {
		return nil, err
	}
	return all, nil
}

// rehydrate reads carried findings' secrets back from the mirror (the
// state never stores them): the blob (or commit message) is read again and
// the detector run over it, and each finding takes the secret of the
// detection with its fingerprint. A finding whose secret cannot be read
// back is kept with its secret empty: writers then show nothing of it.
func (s *run) rehydrate(ctx context.Context, repo *gitsource.Repo, fs []scanner.Finding) []scanner.Finding {
	secrets := map[string]map[string]string{} // object → fingerprint → secret
	for i := range fs {
		f := &fs[i]
		obj, kind := f.BlobID, scanner.KindBlob
		if f.Kind == scanner.KindCommitMessage && f.Commit != nil {
			obj, kind = f.Commit.Hash, scanner.KindCommitMessage
		}
		if obj == "" {
			continue
		}
		m, ok := secrets[obj]
		if !ok {
			m = map[string]string{}
			var data []byte
			var err error
			if kind == scanner.KindBlob {
				data, err = repo.Git(ctx, "cat-file", "blob", obj)
			} else {
				data, err = repo.Git(ctx, "log", "-1", "--format=%B", obj, "--")
			}
			if err == nil {
				for _, d := range s.det.Detect(scanner.Chunk{Data: data, Kind: kind, Path: f.Path, BlobID: f.BlobID}) {
					m[d.Fingerprint] = d.Secret
				}
			}
			secrets[obj] = m
		}
		f.Secret = m[f.Fingerprint]
	}
	return fs
}

func findingKey(f scanner.Finding) string {
	return f.Fingerprint + "\x00" + f.BlobID + "\x00" + f.Path + "\x00" + fmt.Sprint(f.Line, ":", f.Column)
}

// sortFindings orders a repository's findings by severity, then commit
// date (oldest first), path and line: stable across runs.
func sortFindings(fs []scanner.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		var ad, bd time.Time
		if a.Commit != nil {
			ad = a.Commit.Date
		}
		if b.Commit != nil {
			bd = b.Commit.Date
		}
		if !ad.Equal(bd) {
			return ad.Before(bd)
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Fingerprint < b.Fingerprint
	})
}

func numLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func sameTips(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func tipIDs(tips map[string]string) []string {
	ids := make([]string, 0, len(tips))
	for _, id := range tips {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// rulesDigest names the engine, rule set and configuration findings came
// from.
func rulesDigest(c *scanner.Config, engine string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", engine)
	for _, r := range c.Rules {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00%g\x00%s\x00%d\x00%v\x00", r.ID, r.Severity, r.Source, r.Keywords, r.Entropy, r.Requires, r.ContextLines, r.Path)
		for _, v := range r.Validators {
			fmt.Fprintf(h, "%s\x00", v.Name)
		}
	}
	if c.File != "" {
		if b, err := os.ReadFile(c.File); err == nil {
			h.Write(b)
		}
	}
	fmt.Fprintf(h, "%d", c.MaxFileSize)
	return hex.EncodeToString(h.Sum(nil)[:12])
}
