package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	ghclient "github.com/rampart-sec/rampart/github"
	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/orgscan"
	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/report"
	"github.com/rampart-sec/rampart/scanner"
)

// orgScanOptions are the flags of `rampart scan --org/--repos-from`.
type orgScanOptions struct {
	org             string
	reposFrom       string
	includeArchived bool
	includeForks    bool
	mirrorDir       string
	shard           string
	apiURL          string
	repoTimeout     time.Duration
	maxRepoSize     string
}

func (o *orgScanOptions) bind(f *pflag.FlagSet) {
	f.StringVar(&o.org, "org", "", "scan every repository of GitHub organisation `ORG` (from bare mirrors, incrementally)")
	f.StringVar(&o.reposFrom, "repos-from", "", "scan the repositories listed in `FILE` (OWNER/NAME or clone URLs, one a line; - for stdin)")
	f.BoolVar(&o.includeArchived, "include-archived", false, "with --org: scan archived repositories too")
	f.BoolVar(&o.includeForks, "include-forks", false, "with --org: scan forks too")
	f.StringVar(&o.mirrorDir, "mirror-dir", "", "with --org/--repos-from: where mirrors and their state are kept (default rampart/mirrors under the user cache directory)")
	f.StringVar(&o.shard, "shard", "", "with --org/--repos-from: scan only shard `I/N` (0-based; the audit's stable hash of owner/name)")
	f.StringVar(&o.apiURL, "api-url", "", "with --org/--repos-from: REST API root for GitHub Enterprise Server (`URL`)")
	f.StringVar(&o.maxRepoSize, "max-repo-size", "", "with --org/--repos-from: leave out (as failed) repositories GitHub reports larger than `SIZE` (e.g. 5GB)")
	f.DurationVar(&o.repoTimeout, "repo-timeout", time.Hour, "with --org/--repos-from: give up on a repository whose fetch and scan take longer (recorded as failed)")
}

func (o *orgScanOptions) active() bool { return o.org != "" || o.reposFrom != "" }

// runOrgScan is `rampart scan --org ORG | --repos-from FILE`.
func runOrgScan(ctx context.Context, so *scanOptions, s *streams) error {
	o := &so.orgScan
	switch {
	case o.org != "" && o.reposFrom != "":
		return usageErr("choose one of --org and --repos-from")
	case so.path != "" || so.stdin || so.staged || so.prePush || so.commitMsg != "" || so.rangeSpec != "" || so.history || so.githubEvent:
		return usageErr("--org and --repos-from scan mirrors: they cannot be combined with PATH or another mode")
	case so.since != "" || so.branch != "":
		return usageErr("--since and --branch apply to --history")
	case so.configFrom != "":
		return usageErr("--config-from applies to a scan of one repository: an organisation scan's configuration is --config or .rampart.toml in the current directory, never a scanned repository's")
	case !validFormat(so.format):
		return usageErr("unknown format %q (want %s)", so.format, strings.Join(report.ScanFormats, ", "))
	case so.workers < 0:
		return usageErr("--workers must be positive")
	}
	if err := checkVerifyFlags(so); err != nil {
		return err
	}
	if (o.includeArchived || o.includeForks) && o.org == "" {
		return usageErr("--include-archived and --include-forks apply to --org")
	}
	for _, r := range so.reports {
		format, file, ok := strings.Cut(r, "=")
		if !ok || file == "" || !validFormat(format) {
			return usageErr("--report %q: want FORMAT=FILE with FORMAT one of %s", r, strings.Join(report.ScanFormats, ", "))
		}
	}
	var shard hardening.Shard
	if o.shard != "" {
		sh, err := hardening.ParseShard(o.shard)
		if err != nil {
			return usageErr("--shard: %v", err)
		}
		shard = sh
	}
	cfg, err := loadScanConfig(so, &location{configDir: "."})
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if so.maxFileSize != "" {
		n, err := scanner.ParseSize(so.maxFileSize)
		if err != nil {
			return usageErr("--max-file-size: %v", err)
		}
		cfg.MaxFileSize = n
	}
	if len(so.exclude) > 0 {
		allow, err := cfg.Allow.WithPaths(so.exclude)
		if err != nil {
			return usageErr("--exclude: %v", err)
		}
		cfg.Allow = allow
	}
	mirrors := o.mirrorDir
	if mirrors == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return usageErr("no user cache directory for mirrors (%v): give --mirror-dir", err)
		}
		mirrors = filepath.Join(base, "rampart", "mirrors")
	}
	token := ghclient.TokenFromEnv(os.Getenv)
	// The ETag cache lives beside the mirrors, so caching the mirror
	// directory between CI runs keeps listing cheap too.
	copt := ghclient.Options{Token: token, APIURL: o.apiURL, UserAgent: "rampart/" + version, Sleep: auditSleeper(s.err, so.quiet)}
	if c, err := ghclient.NewDiskCache(filepath.Join(mirrors, ".github-etags")); err == nil {
		copt.Cache = c
	}
	client, err := ghclient.New(copt)
	if err != nil {
		return usageErr("--api-url: %v", err)
	}
	if token == "" && !so.quiet {
		fmt.Fprintln(s.err, "rampart: no GITHUB_TOKEN or GH_TOKEN: listing and cloning anonymously (public repositories only)")
	}

	var targets []orgscan.Target
	var failed []orgscan.RepoResult
	var sh orgscan.Shard
	if o.shard != "" {
		sh = shard
	}
	if o.org != "" {
		ts, skipped, err := orgscan.OrgTargets(ctx, client, o.org, o.includeArchived, o.includeForks, sh)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		targets = ts
		if !so.quiet && (skipped["archived"] > 0 || skipped["fork"] > 0) {
			fmt.Fprintf(s.err, "rampart: left out %d archived and %d forked (--include-archived, --include-forks)\n", skipped["archived"], skipped["fork"])
		}
	} else {
		var in io.Reader = s.in
		if o.reposFrom != "-" {
			f, err := os.Open(o.reposFrom)
			if err != nil {
				return &exitErr{code: exitError, err: fmt.Errorf("--repos-from: %w", err)}
			}
			defer f.Close()
			in = f
		}
		list, err := orgscan.ParseRepoList(in)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		if targets, failed, err = orgscan.ResolveTargets(ctx, client, list, sh); err != nil {
			return &exitErr{code: exitError, err: err}
		}
	}

	if o.repoTimeout <= 0 {
		return usageErr("--repo-timeout must be positive")
	}
	bi := readBuildInfo(debug.ReadBuildInfo())
	opt := orgscan.Options{MirrorDir: mirrors, Token: token, Workers: so.workers, Config: cfg, RepoTimeout: o.repoTimeout,
		Engine: bi.version + " " + bi.commit}
	if o.maxRepoSize != "" {
		n, err := scanner.ParseSize(o.maxRepoSize)
		if err != nil || n <= 0 {
			return usageErr("--max-repo-size: want a size such as 5GB")
		}
		opt.MaxRepoSize = n
	}
	if so.baseline != "" {
		b, err := scanner.LoadBaseline(so.baseline)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		opt.Baseline = b
	}
	if !so.quiet && isTerminal(s.err) {
		bar := newOrgProgress(s.err, len(targets))
		opt.Progress = bar.update
		defer bar.finish()
	}
	start := time.Now()
	res, err := orgscan.Run(ctx, targets, opt)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	res.Stats.DurationMS = time.Since(start).Milliseconds()
	interrupted := ctx.Err() != nil
	if interrupted {
		res.Stats.Partial(fmt.Sprintf("interrupted (%v): repositories marked \"not scanned\" were not read; run again to resume", context.Cause(ctx)))
	}
	// Canary marking always, live verification with --verify: once over
	// the whole organisation's findings (new and carried forward), so each
	// distinct secret is checked once however many repositories hold it.
	checked := &scanner.Result{Findings: res.Findings, Stats: res.Stats}
	if err := checkFindings(ctx, so, s, cfg, checked); err != nil {
		return err
	}
	res.Findings, res.Stats = checked.Findings, checked.Stats
	reported := map[string]int{}
	for i := range res.Findings {
		reported[res.Findings[i].Attributes[orgscan.AttrRepository]]++
	}
	rep := &report.ScanReport{Version: version, Findings: res.Findings, Stats: res.Stats, Rules: cfg.Rules,
		Stale: res.Stale, Suppressed: res.Suppressed}
	failures := 0
	for _, r := range append(failed, res.Repos...) {
		if r.Status == orgscan.StatusFailed {
			failures++
		}
		rep.Repositories = append(rep.Repositories, report.RepositorySection{
			Repository: r.Repository, CloneURL: r.CloneURL, HTMLURL: r.HTMLURL, Status: r.Status, Error: r.Error,
			FullScan: r.FullScan, Findings: reported[r.Repository], New: r.New, Carried: r.Carried, Dropped: r.Dropped,
			Refs: r.Refs, PullRequests: r.PullRequests, FetchedBytes: r.FetchedBytes, Commits: r.Commits,
			Blobs: r.Blobs, Bytes: r.Bytes, DurationMS: r.DurationMS, Shard: shardLabel(o.shard), Notes: r.Notes,
		})
	}
	if err := writeReport(so, s, rep); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if !so.quiet {
		st := client.Stats()
		fmt.Fprintf(s.err, "rampart: %d API requests counted against the rate limit (%d answered from the ETag cache)\n", st.Counted(), st.NotModified)
	}
	switch {
	case interrupted:
		return &exitErr{code: exitError, err: fmt.Errorf("interrupted: the report holds the %d %s scanned before the signal; run again to resume", len(res.Repos)-failures, pluralize(len(res.Repos)-failures, "repository", "repositories"))}
	case failing(res.Findings, so.failOn):
		return findingsExit()
	case failures > 0:
		return &exitErr{code: exitError, err: fmt.Errorf("%d %s could not be scanned (see the report)", failures, pluralize(failures, "repository", "repositories"))}
	}
	return nil
}

func shardLabel(s string) string {
	if s == "" {
		return ""
	}
	sh, err := hardening.ParseShard(s)
	if err != nil || sh.Count <= 1 {
		return ""
	}
	return sh.String()
}

// orgProgress draws "repositories done of total, MB scanned, findings" on a
// terminal; nothing is drawn without one.
type orgProgress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func newOrgProgress(w io.Writer, total int) *orgProgress {
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("repositories"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(150*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	return &orgProgress{bar: bar}
}

func (p *orgProgress) update(pr orgscan.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Describe(fmt.Sprintf("repositories, %s scanned, %d findings", report.HumanBytes(pr.Bytes), pr.Findings))
	p.bar.Set(pr.Done)
}

func (p *orgProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Finish()
	p.bar.Clear()
}

// writeMergedScan writes joined scan reports (the shards of an
// organisation-wide scan) in any scan format. The findings' secrets are as
// the shards wrote them (redacted unless they ran with --show-secrets), so
// they are rendered as they are, never redacted a second time.
func writeMergedScan(w io.Writer, format string, merged *report.JSONScan) error {
	if !validFormat(format) {
		return usageErr("unknown format %q (want %s)", format, strings.Join(report.ScanFormats, ", "))
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(merged)
	}
	rules, err := patterns.Builtin()
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if err := report.WriteScan(w, format, report.ScanFromJSON(merged, rules), report.ScanOptions{ShowSecrets: true}); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	return nil
}
