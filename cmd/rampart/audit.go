package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	ghclient "github.com/rampart-sec/rampart/github"
	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/hardening/ghcollect"
	"github.com/rampart-sec/rampart/report"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// auditOptions are the flags of `rampart audit` and `rampart audit doctor`.
type auditOptions struct {
	repo            string
	org             string
	apiURL          string
	policy          string
	configFrom      string
	failOn          string
	format          string
	output          string
	snapshotOut     string
	fromSnapshot    string
	workers         int
	includeArchived bool
	shard           string
	cacheDir        string
	noCache         bool
	noColor         bool
	quiet           bool
	// releaseBranches are the policy's release-branch globs, whose
	// protection the collector reads; readIssues reads rampart's issue in
	// each repository (audit fix --open-issues).
	releaseBranches []string
	readIssues      bool
}

func (o *auditOptions) bindTarget(f interface {
	StringVar(p *string, name, value, usage string)
}) {
	f.StringVar(&o.repo, "repo", "", "audit one repository `OWNER/NAME`")
	f.StringVar(&o.org, "org", "", "audit an organisation `ORG` and its repositories")
	f.StringVar(&o.apiURL, "api-url", "", "REST API root for GitHub Enterprise Server, e.g. https://github.example.com/api/v3 (default https://api.github.com)")
}

func (o *auditOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	o.bindTarget(f)
	f.StringVar(&o.policy, "policy", "", "policy `FILE` (default: the [audit] table of .rampart.toml, else built-in)")
	f.StringVar(&o.configFrom, "config-from", "", "read the policy (.rampart.toml at the repository root, or a --policy inside the repository) from commit `REV` (a pull request's base) instead of the work tree")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when a check fails at or above `SEVERITY` (info, low, medium, high, critical; default: the policy's fail_on, low)")
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(report.AuditFormats, ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	f.StringVar(&o.snapshotOut, "snapshot-out", "", "save what was collected to `FILE` (JSON) for --from-snapshot")
	f.StringVar(&o.fromSnapshot, "from-snapshot", "", "audit a saved snapshot `FILE` offline instead of calling GitHub")
	f.IntVar(&o.workers, "workers", 8, "repositories collected at once")
	f.BoolVar(&o.includeArchived, "include-archived", false, "audit archived repositories too")
	f.StringVar(&o.shard, "shard", "", "audit only shard `I/N` (0 <= I < N) of the organisation's repositories, by a stable hash of owner/name")
	f.StringVar(&o.cacheDir, "cache-dir", "", "ETag cache `DIR` for conditional requests (default: rampart/github-etags under the user cache directory)")
	f.BoolVar(&o.noCache, "no-cache", false, "do not use the ETag cache")
	f.BoolVar(&o.noColor, "no-color", false, "never use colour")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "leave passed checks out of the report and show no progress")
}

func newAuditCmd(s *streams) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit (--repo OWNER/NAME | --org ORG | --from-snapshot FILE)",
		Short: "Audit GitHub repositories and organisations for hardening settings",
		Long: `Audit GitHub repositories and organisations for the settings that keep an attacker away from the code:
branch protection and rulesets, access, webhooks, security features, Actions settings and workflow files.

Each check is pass, fail, warn or unknown; unknown means the token could not see what the check needs,
and names the permission that would. The token comes from GITHUB_TOKEN or GH_TOKEN and is never printed.
Exit status: 0 no check failed at or above --fail-on, 1 one did, 2 usage or runtime error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAudit(cmd.Context(), o, s, auditToken())
		},
	}
	o.bind(cmd)
	cmd.AddCommand(newAuditDoctorCmd(s))
	cmd.AddCommand(newAuditFixCmd(s))
	return cmd
}

// auditToken reads the token from the environment. It is passed to the
// collector and goes nowhere else.
func auditToken() string { return ghclient.TokenFromEnv(os.Getenv) }

func auditIsTerminal(w io.Writer) bool {
	f, ok := underlying(w).(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// splitRepo parses OWNER/NAME.
func splitRepo(s string) (string, string, error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", usageErr("--repo: want OWNER/NAME, got %q", s)
	}
	return owner, name, nil
}

func validAuditFormat(f string) bool {
	for _, x := range report.AuditFormats {
		if x == f {
			return true
		}
	}
	return false
}

// loadAuditPolicy reads --policy, else the [audit] table of .rampart.toml
// in the current directory or the nearest parent that holds one (stopping
// at the repository root), else the built-in policy. The notes say where
// the policy came from when that is not where the user would look
// (--config-from), for the report.
func loadAuditPolicy(ctx context.Context, o *auditOptions, s *streams) (*hardening.Policy, []string, error) {
	if o.configFrom != "" {
		return loadAuditPolicyAt(ctx, o, s)
	}
	if o.policy != "" {
		data, err := os.ReadFile(o.policy)
		if err != nil {
			return nil, nil, fmt.Errorf("read policy: %w", err)
		}
		pol, err := hardening.ParsePolicyFile(o.policy, data)
		return pol, nil, err
	}
	if name := nearestPolicy(); name != "" {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, nil, fmt.Errorf("read policy: %w", err)
		}
		pol, err := hardening.ParsePolicy(name, data)
		return pol, nil, err
	}
	return hardening.DefaultPolicy(), nil, nil
}

// nearestPolicy returns the .rampart.toml an audit obeys when no --policy
// is given: the nearest one from the current directory up to the top of
// the work tree holding it (a folder with .git), or "" when there is none.
// A monorepo's team keeps its policy in its own folder.
func nearestPolicy() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		name := filepath.Join(dir, scanner.ConfigFileName)
		if st, err := os.Stat(name); err == nil && st.Mode().IsRegular() {
			return name
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// nearestPolicyAt is nearestPolicy in t's commit: the nearest
// .rampart.toml from the current directory's path in the repository up to
// its root, as the commit holds them, named by its path in the work tree.
// When the commit has none, it names the work tree's nearest (so that the
// note says which file was not used), else the root's.
func nearestPolicyAt(ctx context.Context, t *trustedRev) string {
	root := filepath.Join(t.repo.Dir, scanner.ConfigFileName)
	wd, err := os.Getwd()
	if err != nil {
		return root
	}
	rel := repoRel(t.repo, filepath.Join(wd, scanner.ConfigFileName))
	if rel == "" {
		return root
	}
	for dir := path.Dir(rel); ; dir = path.Dir(dir) {
		cand := path.Join(dir, scanner.ConfigFileName)
		// Anything but absence (a file, a link, a failure) is the one:
		// readGoverned reads it or says why it cannot.
		if _, err := t.repo.FileAt(ctx, t.rev, cand); !errors.Is(err, gitsource.ErrNotInCommit) {
			return filepath.Join(t.repo.Dir, filepath.FromSlash(cand))
		}
		if dir == "." {
			break
		}
	}
	if name := nearestPolicy(); name != "" && repoRel(t.repo, name) != "" {
		return name
	}
	return root
}

func (o *auditOptions) validate() error {
	targets := 0
	for _, on := range []bool{o.repo != "", o.org != "", o.fromSnapshot != ""} {
		if on {
			targets++
		}
	}
	if targets != 1 {
		return usageErr("audit: give exactly one of --repo OWNER/NAME, --org ORG or --from-snapshot FILE")
	}
	if o.repo != "" {
		if _, _, err := splitRepo(o.repo); err != nil {
			return err
		}
	}
	if !validAuditFormat(o.format) {
		return usageErr("unknown format %q (want %s)", o.format, strings.Join(report.AuditFormats, ", "))
	}
	if o.failOn != "" {
		if _, err := hardening.ParseSeverity(o.failOn); err != nil {
			return usageErr("--fail-on: %v", err)
		}
	}
	if o.workers < 1 || o.workers > 64 {
		return usageErr("--workers must be between 1 and 64 (GitHub allows 100 concurrent requests)")
	}
	if o.shard != "" {
		if o.org == "" {
			return usageErr("--shard applies to --org")
		}
		if _, err := hardening.ParseShard(o.shard); err != nil {
			return usageErr("--shard: %v", err)
		}
	}
	if err := checkOutput("report", o.output); err != nil {
		return err
	}
	return checkOutput("snapshot", o.snapshotOut)
}

// newAuditCollector builds the collector from the options: cache, waiting
// with a message (and a countdown on a terminal), progress.
func newAuditCollector(o *auditOptions, s *streams, token string, progress func(done, total int, name string), maxRepos int) (*ghcollect.Collector, error) {
	opt := ghcollect.Options{
		Token: token, APIURL: o.apiURL, Workers: o.workers, IncludeArchived: o.includeArchived, MaxRepos: maxRepos,
		Sleep: auditSleeper(s.err, o.quiet), OnRepo: progress, UserAgent: "rampart/" + toolVersion(),
		ReleaseBranches: o.releaseBranches, ReadAuditIssues: o.readIssues,
	}
	if o.shard != "" {
		opt.Shard, _ = hardening.ParseShard(o.shard)
	}
	if !o.noCache {
		dir := o.cacheDir
		if dir == "" {
			d, err := ghclient.DefaultCacheDir()
			if err != nil {
				fmt.Fprintf(s.err, "rampart: no ETag cache: %v\n", err)
			}
			dir = d
		}
		if dir != "" {
			c, err := ghclient.NewDiskCache(dir)
			if err != nil {
				fmt.Fprintf(s.err, "rampart: no ETag cache: %v\n", err)
			} else {
				opt.Cache = c
			}
		}
	}
	c, err := ghcollect.New(opt)
	if err != nil {
		return nil, usageErr("--api-url: %v", err)
	}
	return c, nil
}

// auditSleeper waits out rate limits, telling the user why and for how
// long; on a terminal it draws a countdown bar.
func auditSleeper(w io.Writer, quiet bool) ghclient.Sleeper {
	var mu sync.Mutex
	return func(ctx context.Context, d time.Duration, why ghclient.WaitReason) error {
		mu.Lock() // one message and bar at a time; other workers wait anyway
		defer mu.Unlock()
		if !quiet || why == ghclient.WaitPrimary {
			fmt.Fprintf(w, "rampart: %s reached; waiting %s (until %s)\n", why, d.Round(time.Second), time.Now().Add(d).Format("15:04:05"))
		}
		if quiet || !auditIsTerminal(w) || d < 3*time.Second {
			return ghclient.RealSleep(ctx, d, why)
		}
		secs := int64(d / time.Second)
		bar := progressbar.NewOptions64(secs, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("waiting for "+string(why)),
			progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish(), progressbar.OptionShowCount())
		defer bar.Clear()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		deadline := time.NewTimer(d)
		defer deadline.Stop()
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-deadline.C:
				bar.Finish()
				return nil
			case <-t.C:
				bar.Add(1)
			}
		}
	}
}

func runAudit(ctx context.Context, o *auditOptions, s *streams, token string) error {
	if err := o.validate(); err != nil {
		return err
	}
	pol, notes, err := loadAuditPolicy(ctx, o, s)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	o.releaseBranches = pol.ReleaseBranches
	failOn := pol.FailOn
	if o.failOn != "" {
		failOn, _ = hardening.ParseSeverity(o.failOn)
	}

	var snap *hardening.Snapshot
	var requests int64
	if o.fromSnapshot != "" {
		f, err := os.Open(o.fromSnapshot)
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("read snapshot: %w", err)}
		}
		snap, err = hardening.ReadSnapshot(f)
		f.Close()
		if err != nil {
			return &exitErr{code: exitError, err: snapshotError(o.fromSnapshot, err)}
		}
	} else {
		if token == "" {
			fmt.Fprintln(s.err, "rampart: no GITHUB_TOKEN or GH_TOKEN: auditing anonymously (public data only, 60 requests an hour)")
		}
		var bar *progressbar.ProgressBar
		var progress func(done, total int, name string)
		if o.org != "" && !o.quiet && auditIsTerminal(s.err) {
			var once sync.Once
			var mu sync.Mutex
			progress = func(done, total int, _ string) {
				mu.Lock()
				defer mu.Unlock()
				once.Do(func() {
					bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(s.err), progressbar.OptionSetDescription("auditing"),
						progressbar.OptionShowCount(), progressbar.OptionSetItsString("repos"), progressbar.OptionClearOnFinish(),
						progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond))
				})
				bar.Set(done)
			}
		}
		c, err := newAuditCollector(o, s, token, progress, 0)
		if err != nil {
			return err
		}
		if o.org != "" {
			snap, err = c.Org(ctx, o.org)
		} else {
			owner, name, _ := splitRepo(o.repo)
			snap, err = c.Repo(ctx, owner, name)
		}
		if bar != nil {
			bar.Finish()
			bar.Clear()
		}
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		requests = c.Stats().Counted()
	}
	if o.snapshotOut != "" {
		var buf bytes.Buffer
		if err := hardening.WriteSnapshot(&buf, snap); err != nil {
			return &exitErr{code: exitError, err: err}
		}
		if err := os.WriteFile(o.snapshotOut, buf.Bytes(), 0o600); err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("write snapshot: %w", err)}
		}
	}

	rep := hardening.Evaluate(snap, pol, time.Now())
	ar := &report.AuditReport{Version: toolVersion(), Report: rep, FailOn: failOn, Requests: requests, Notes: notes}
	if err := writeAuditReport(o, s, ar); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if rep.Failing(failOn) > 0 {
		return findingsExit()
	}
	return nil
}

func writeAuditReport(o *auditOptions, s *streams, ar *report.AuditReport) error {
	color := !o.noColor && os.Getenv("NO_COLOR") == "" && auditIsTerminal(s.out)
	ropts := report.AuditOptions{Color: color, Quiet: o.quiet}
	if o.output == "" || o.output == "-" {
		return report.WriteAudit(s.out, o.format, ar, ropts)
	}
	var buf bytes.Buffer
	ropts.Color = false
	if err := report.WriteAudit(&buf, o.format, ar, ropts); err != nil {
		return err
	}
	if err := os.WriteFile(o.output, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func newAuditDoctorCmd(s *streams) *cobra.Command {
	o := &auditOptions{workers: 1}
	cmd := &cobra.Command{
		Use:   "doctor [--repo OWNER/NAME | --org ORG]",
		Short: "Show what the token can and cannot see, and which checks it can run",
		Long: `Show what the token is, its scopes and rate limit and, with --repo or --org, which checks it can run
there: doctor collects the organisation's settings and one repository (or the given repository) and
lists, per check, whether the token could see what it needs, or the permission that would let it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuditDoctor(cmd.Context(), o, s, auditToken())
		},
	}
	f := cmd.Flags()
	o.bindTarget(f)
	f.StringVar(&o.cacheDir, "cache-dir", "", "ETag cache `DIR`")
	f.BoolVar(&o.noCache, "no-cache", false, "do not use the ETag cache")
	return cmd
}

// classicScopesNeeded are the classic token scopes that let every check
// see what it needs, with the scopes that imply each.
var classicScopesNeeded = []struct {
	scope   string
	implied []string
	why     string
}{
	{"repo", nil, "branch protection, rulesets' bypass actors, collaborators, deploy keys, security settings, private contents"},
	{"read:org", []string{"write:org", "admin:org"}, "organisation settings, owners, members without 2FA, Actions policy"},
	{"admin:org_hook", nil, "organisation webhooks"},
	{"admin:org", nil, "organisation Actions secrets and runner groups"},
	{"write:org", []string{"admin:org"}, "code security configurations"},
	{"read:audit_log", nil, "the audit log, for dormant owners and admins (GitHub Enterprise Cloud)"},
	{"security_events", nil, "code scanning analyses"},
}

func runAuditDoctor(ctx context.Context, o *auditOptions, s *streams, token string) error {
	if o.repo != "" && o.org != "" {
		return usageErr("doctor: give at most one of --repo and --org")
	}
	if o.repo != "" {
		if _, _, err := splitRepo(o.repo); err != nil {
			return err
		}
	}
	// Doctor probes the organisation with one repository.
	c, err := newAuditCollector(o, s, token, nil, 1)
	if err != nil {
		return err
	}
	out := &strings.Builder{}
	ti := c.Token(ctx)
	fmt.Fprintf(out, "API:        %s\n", c.APIURL())
	fmt.Fprintf(out, "token:      %s", ti.Kind)
	if ti.Login != "" {
		fmt.Fprintf(out, ", acting as %s", report.Safe(ti.Login))
	}
	fmt.Fprintln(out)
	if ti.ScopesKnown {
		scopes := "(none)"
		if len(ti.Scopes) > 0 {
			scopes = strings.Join(ti.Scopes, ", ")
		}
		fmt.Fprintf(out, "scopes:     %s\n", report.Safe(scopes))
		have := map[string]bool{}
		for _, sc := range ti.Scopes {
			have[sc] = true
		}
		for _, need := range classicScopesNeeded {
			ok := have[need.scope]
			for _, alt := range need.implied {
				ok = ok || have[alt]
			}
			if !ok {
				fmt.Fprintf(out, "missing:    %s (for %s)\n", need.scope, need.why)
			}
		}
	} else if token != "" {
		fmt.Fprintf(out, "scopes:     not reported (fine-grained and installation tokens have permissions instead; see the table)\n")
	}
	if ti.RateLimit > 0 {
		fmt.Fprintf(out, "rate limit: %d of %d left, resets %s\n", ti.RateRemaining, ti.RateLimit, ti.RateReset.UTC().Format("15:04 MST"))
	}
	for _, p := range ti.Problems {
		fmt.Fprintf(out, "note:       %s\n", report.Safe(p))
	}
	if _, err := io.WriteString(s.out, out.String()); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if !ti.Reachable {
		why := "no answer"
		if len(ti.Problems) > 0 {
			why = ti.Problems[len(ti.Problems)-1]
		}
		return &exitErr{code: exitError, err: fmt.Errorf("cannot reach GitHub at %s (%s); check --api-url, the network and any proxy (HTTPS_PROXY)", c.APIURL(), report.Safe(why))}
	}
	if o.repo == "" && o.org == "" {
		fmt.Fprintln(s.out, "\nGive --org ORG or --repo OWNER/NAME to see which checks this token can run there.")
		return nil
	}

	var snap *hardening.Snapshot
	target := o.org
	if o.org != "" {
		snap, err = c.Org(ctx, o.org)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
	} else {
		target = o.repo
		owner, name, _ := splitRepo(o.repo)
		snap, err = c.Repo(ctx, owner, name)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
	}
	probe := ""
	if len(snap.Repos) > 0 {
		probe = snap.Repos[0].FullName
		if p := snap.Repos[0].ViewerPermission; p != "" {
			probe += " (token permission: " + p + ")"
		}
	}
	fmt.Fprintf(s.out, "\ntarget:     %s", report.Safe(target))
	switch {
	case o.org != "" && probe != "":
		fmt.Fprintf(s.out, ", repository checks probed on %s", report.Safe(probe))
	case o.org != "":
		fmt.Fprintf(s.out, " (no repository to probe)")
	case len(snap.Repos) > 0 && snap.Repos[0].ViewerPermission != "":
		fmt.Fprintf(s.out, " (token permission: %s)", snap.Repos[0].ViewerPermission)
	}
	fmt.Fprintln(s.out)

	rep := hardening.Evaluate(snap, hardening.DefaultPolicy(), time.Now())
	can := map[string]string{}
	for _, t := range rep.Targets {
		if t.Error != "" {
			fmt.Fprintf(s.out, "error:      %s: %s\n", report.Safe(t.Name), report.Safe(t.Error))
		}
		for _, r := range t.Results {
			if r.Status == hardening.StatusUnknown {
				can[r.Check] = r.Permission
			} else if _, seen := can[r.Check]; !seen {
				can[r.Check] = ""
			}
		}
	}
	ids := make([]string, 0, len(can))
	for _, c := range hardening.Checks() {
		if _, ok := can[c.ID]; ok {
			ids = append(ids, c.ID)
		}
	}
	able := 0
	w := 0
	for _, id := range ids {
		w = max(w, len(id))
	}
	fmt.Fprintf(s.out, "\n%-*s  %-7s  %s\n", w, "CHECK", "CAN RUN", "NEEDS")
	for _, id := range ids {
		if can[id] == "" {
			able++
			fmt.Fprintf(s.out, "%-*s  %s\n", w, id, "yes")
		} else {
			fmt.Fprintf(s.out, "%-*s  %-7s  %s\n", w, id, "no", can[id])
		}
	}
	fmt.Fprintf(s.out, "\n%d of %d checks can run with this token.\n", able, len(ids))
	return nil
}

// loadAuditPolicyAt is loadAuditPolicy with --config-from: --policy when it
// lies inside the repository, else the nearest .rampart.toml from the
// current directory up (nearestPolicyAt), as the commit holds it (readGovernedConfig, as scan reads its configuration). In a pull
// request's workflow the work tree is the pull request's, which could waive
// the checks that fail: a .rampart.toml the commit lacks means the built-in
// policy, with a note, whatever the work tree holds, and a --policy it
// lacks is an error.
func loadAuditPolicyAt(ctx context.Context, o *auditOptions, s *streams) (*hardening.Policy, []string, error) {
	repo, err := gitsource.Open(ctx, ".")
	if err != nil {
		repo = nil
	}
	t, err := resolveConfigFrom(ctx, repo, o.configFrom, s, o.quiet)
	if err != nil {
		return nil, nil, err
	}
	g, notes, err := readGovernedConfig(ctx, t, "--policy", o.policy, nearestPolicyAt(ctx, t), "policy")
	switch {
	case err != nil:
		return nil, nil, err
	case g.rel == "":
		// A --policy outside the repository: the workflow's own file.
		data, err := os.ReadFile(o.policy)
		if err != nil {
			return nil, nil, fmt.Errorf("read policy: %w", err)
		}
		pol, err := hardening.ParsePolicyFile(o.policy, data)
		return pol, nil, err
	case g.absent:
		return hardening.DefaultPolicy(), notes, nil
	case o.policy != "":
		pol, err := hardening.ParsePolicyFile(g.name, g.data)
		return pol, nil, err
	}
	pol, err := hardening.ParsePolicy(g.name, g.data)
	return pol, nil, err
}
