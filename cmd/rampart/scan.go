package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rampart-sec/rampart/githook"
	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/report"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/history"

	"github.com/rampart-sec/rampart/cmd/rampart/prestart"
)

// scanOptions are the flags of `rampart scan` (and `rampart baseline`).
type scanOptions struct {
	path        string
	stdin       bool
	staged      bool
	prePush     bool
	remote      string
	commitMsg   string
	rangeSpec   string
	history     bool
	githubEvent bool

	config      string
	configFrom  string
	baseline    string
	format      string
	output      string
	showSecrets bool
	maxFileSize string
	workers     int
	noColor     bool
	quiet       bool
	explain     bool
	failOn      string
	// failOnIncomplete makes a partial scan (Stats.Incomplete) exit 2
	// rather than 0 when nothing reaches the exit-1 threshold.
	failOnIncomplete bool
	since            string
	branch           string
	exclude          []string
	reports          []string
	verify           verifyOptions

	orgScan orgScanOptions // --org, --repos-from (orgscan.go)
}

func (o *scanOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.stdin, "stdin", false, "scan standard input")
	f.BoolVar(&o.staged, "staged", false, "scan the lines added by the staged change (pre-commit)")
	f.BoolVar(&o.prePush, "pre-push", false, "read git's pre-push protocol on stdin and scan the commits the remote lacks")
	f.StringVar(&o.remote, "remote", "", "with --pre-push: the remote's name (the hook's first argument)")
	f.StringVar(&o.commitMsg, "commit-msg", "", "scan a commit message `FILE` (commit-msg hook)")
	f.StringVar(&o.rangeSpec, "range", "", "scan every commit in `A..B` (added lines and messages)")
	f.BoolVar(&o.history, "history", false, "scan every blob reachable from every ref, and every commit message")
	f.BoolVar(&o.githubEvent, "github-event", false, "scan the commits a GitHub Actions event introduced ($GITHUB_EVENT_PATH); a pull request is scanned under its base commit's configuration and baseline")
	f.StringVar(&o.config, "config", "", "configuration `FILE` (default: .rampart.toml at the repository root)")
	f.StringVar(&o.baseline, "baseline", "", "suppress the findings listed in baseline `FILE` (the hook modes read the repository's .rampart-baseline.json without it)")
	f.StringVar(&o.configFrom, "config-from", "", "read the configuration, and a --baseline inside the repository, from commit `REV` (a pull request's base) instead of the work tree")
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(report.ScanFormats, ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	f.BoolVar(&o.showSecrets, "show-secrets", false, "print secrets in plaintext (default: redacted)")
	f.StringVar(&o.maxFileSize, "max-file-size", "", "read at most `SIZE` at once (default 10MB): larger text files in windows, larger blobs skipped with a note")
	f.IntVar(&o.workers, "workers", 0, "detector goroutines (default: number of CPUs)")
	f.BoolVar(&o.noColor, "no-color", false, "never use colour")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print findings only: no summary, notes or progress")
	f.BoolVar(&o.explain, "explain", false, "print to stderr each candidate that was dropped, and which validator or allow list dropped it")
	f.Var(sinceValue{&o.since}, "since", "with --history: only commits more recent than `DATE` (2024-01-31, \"2 weeks ago\", yesterday, RFC 2822, …; see README)")
	f.StringVar(&o.branch, "branch", "", "with --history: only history reachable from `REF` (default: every ref)")
	f.StringArrayVar(&o.reports, "report", nil, "also write the same findings as `FORMAT=FILE` (repeatable), e.g. --report sarif=results.sarif")
	f.StringSliceVar(&o.exclude, "exclude", nil, "skip paths matching `GLOB` before reading them (repeatable)")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 only for findings at or above `SEVERITY` (info, low, medium, high, critical)")
	f.BoolVar(&o.failOnIncomplete, "fail-on-incomplete", false, "exit 2 when the scan did not read all it was asked to (a file it could not read, a blob over --max-file-size, a shallow clone's missing history), unless findings exit 1")
	o.verify.bind(f)
	o.orgScan.bind(f)
}

func newScanCmd(s *streams) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [PATH]",
		Short: "Find credentials in files, staged changes, commits or history",
		Long: `Find credentials in files, staged changes, commits or history.

Without a mode flag, scans every file under PATH (default: the current directory), skipping .git.
Exit status: 0 nothing found, 1 findings, 2 usage or runtime error.`,
		Args: onePath("scan"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.path = args[0]
			}
			if cmd.Flags().Changed("workers") && o.workers < 1 {
				return usageErr("--workers must be at least 1 (without it: one per CPU)")
			}
			if err := checkFlagModes(cmd, o); err != nil {
				return err
			}
			if o.orgScan.active() {
				if o.failOnIncomplete {
					return usageErr("--fail-on-incomplete applies to a scan of one folder or repository: an organisation scan already exits 2 when a repository could not be scanned")
				}
				return runOrgScan(cmd.Context(), o, s)
			}
			res, rep, err := runScan(cmd.Context(), o, s)
			if err != nil {
				return err
			}
			if err := writeReport(o, s, rep); err != nil {
				return &exitErr{code: exitError, err: err}
			}
			if failing(res.Findings, o.failOn) {
				return findingsExit()
			}
			if n := len(rep.Stats.Incomplete); n > 0 && o.failOnIncomplete {
				// The reasons were printed with the report (and to stderr
				// when it went elsewhere); say why the status is 2. Said
				// even with -q: it is the exit status being explained.
				return &exitErr{code: exitError, err: fmt.Errorf("the scan was incomplete (%d %s above) and --fail-on-incomplete is set: exit status 2; fix what it names, or drop the flag to accept a partial scan",
					n, pluralize(n, "reason", "reasons"))}
			}
			if n := len(res.Findings); n > 0 && !o.quiet {
				// The report says to rotate; say why the exit status is 0.
				fmt.Fprintf(s.err, "rampart: %d %s, none at or above --fail-on %s: exit status 0\n", n, pluralize(n, "finding", "findings"), o.failOn)
			}
			return nil
		},
	}
	o.bind(cmd)
	// In an organisation scan --workers counts repositories (orgscan.go).
	cmd.Flags().Lookup("workers").Usage = "detector goroutines (default: number of CPUs); with --org/--repos-from: repositories at once (default 4)"
	return cmd
}

func newBaselineCmd(s *streams) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "baseline [PATH]",
		Short: "Write the current findings as a baseline (fingerprints and locations, never secrets)",
		Long: `Run a scan (same flags as rampart scan) and write its findings to .rampart-baseline.json
(or --output FILE). Later scans with --baseline FILE suppress what it lists and report entries
that no longer match anything as stale. The file holds SHA-256 fingerprints, never plaintext.`,
		Args: onePath("baseline"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("workers") && o.workers < 1 {
				return usageErr("--workers must be at least 1 (without it: one per CPU)")
			}
			if err := checkFlagModes(cmd, o); err != nil {
				return err
			}
			for _, name := range baselineRefuses {
				if cmd.Flags().Changed(name) {
					return usageErr("baseline: --%s does not apply: a baseline is always one JSON file of fingerprints and locations, never secrets (rampart scan takes --%s)", name, name)
				}
			}
			if len(args) == 1 {
				o.path = args[0]
			}
			out := o.output
			if err := checkOutput("baseline", out); err != nil {
				return err
			}
			o.output, o.baseline = "", ""
			res, _, err := runScan(cmd.Context(), o, s)
			if err != nil {
				return err
			}
			if out == "" {
				out = scanner.BaselineFileName
			}
			var buf bytes.Buffer
			if err := scanner.NewBaseline(res.Findings, time.Now()).Write(&buf); err != nil {
				return &exitErr{code: exitError, err: err}
			}
			if out == "-" {
				_, err = s.out.Write(buf.Bytes())
			} else {
				err = os.WriteFile(out, buf.Bytes(), 0o644)
			}
			if err != nil {
				return &exitErr{code: exitError, err: fmt.Errorf("write baseline: %w", err)}
			}
			where := out
			if out == "-" {
				where = "standard output"
			}
			fmt.Fprintf(s.err, "rampart: wrote %d %s to %s\n", len(res.Findings), pluralize(len(res.Findings), "entry", "entries"), where)
			return nil
		},
	}
	o.bind(cmd)
	// The flags scan's help describes as report flags do something else
	// here: a baseline goes to a file unless told otherwise, and it prints
	// no findings.
	cmd.Flags().Lookup("output").Usage = "write the baseline to `FILE` (default " + scanner.BaselineFileName + "; - for standard output)"
	cmd.Flags().Lookup("quiet").Usage = "no notes or progress on standard error"
	// scan's report flags mean nothing to a baseline: hidden, and refused
	// in words rather than ignored.
	for _, name := range baselineRefuses {
		_ = cmd.Flags().MarkHidden(name)
	}
	// A baseline is of one tree or repository: the organisation flags are
	// refused too (runScan, checkFlagModes), so its help leaves them out.
	for _, name := range []string{"org", "repos-from", "include-archived", "include-forks", "mirror-dir", "shard", "api-url", "max-repo-size", "repo-timeout"} {
		_ = cmd.Flags().MarkHidden(name)
	}
	return cmd
}

// flagModes are the scan flags that mean something only together with
// another: given without it they would be ignored in silence, and
// `rampart scan --shard 1/2` would scan everything while the user believed
// half was left to another machine.
var flagModes = []struct {
	flag, needs string
	given       func(*scanOptions) bool
}{
	{"remote", "--pre-push", func(o *scanOptions) bool { return o.prePush }},
	{"verify-workers", "--verify", func(o *scanOptions) bool { return o.verify.on }},
	{"verify-cache-ttl", "--verify-cache", func(o *scanOptions) bool { return o.verify.cache != "" }},
	{"include-archived", "--org", func(o *scanOptions) bool { return o.orgScan.org != "" }},
	{"include-forks", "--org", func(o *scanOptions) bool { return o.orgScan.org != "" }},
	{"mirror-dir", "--org or --repos-from", func(o *scanOptions) bool { return o.orgScan.active() }},
	{"shard", "--org or --repos-from", func(o *scanOptions) bool { return o.orgScan.active() }},
	{"api-url", "--org or --repos-from", func(o *scanOptions) bool { return o.orgScan.active() }},
	{"max-repo-size", "--org or --repos-from", func(o *scanOptions) bool { return o.orgScan.active() }},
	{"repo-timeout", "--org or --repos-from", func(o *scanOptions) bool { return o.orgScan.active() }},
}

// checkFlagModes refuses a flag of flagModes given without the flag that
// gives it a meaning, and a mode flag given an empty value: that is an
// unset variable in a script (`--commit-msg "$1"`, `--range "$RANGE"`),
// and without the mode rampart would scan the current folder instead.
func checkFlagModes(cmd *cobra.Command, o *scanOptions) error {
	for _, m := range flagModes {
		if cmd.Flags().Changed(m.flag) && !m.given(o) {
			return usageErr("--%s applies to %s", m.flag, m.needs)
		}
	}
	for _, name := range []string{"range", "commit-msg", "org", "repos-from"} {
		if f := cmd.Flags().Lookup(name); cmd.Flags().Changed(name) && f.Value.String() == "" {
			return usageErr("--%s was given an empty value (an unset variable?)", name)
		}
	}
	return nil
}

// baselineRefuses are the scan flags `rampart baseline` refuses.
var baselineRefuses = []string{"format", "report", "show-secrets", "fail-on", "fail-on-incomplete", "baseline"}

// onePath accepts at most one PATH, and says in words what to do with more.
func onePath(command string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageErr("%s takes one PATH, got %d (%s): scan a folder that holds them all, or run rampart %s once per path "+
				"(with --format json, rampart report merge joins the reports)", command, len(args), report.Safe(strings.Join(args, ", ")), command)
		}
		return nil
	}
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// runScan resolves the mode, loads configuration, builds the source and runs the scan.
func runScan(ctx context.Context, o *scanOptions, s *streams) (*scanner.Result, *report.ScanReport, error) {
	if o.orgScan.active() {
		return nil, nil, usageErr("--org and --repos-from apply to rampart scan")
	}
	modes := 0
	for _, on := range []bool{o.stdin, o.staged, o.prePush, o.commitMsg != "", o.rangeSpec != "", o.history, o.githubEvent} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return nil, nil, usageErr("choose one of --stdin, --staged, --pre-push, --commit-msg, --range, --history, --github-event")
	}
	if o.path != "" && (o.stdin || o.commitMsg != "") {
		return nil, nil, usageErr("PATH cannot be combined with --stdin or --commit-msg")
	}
	if !validFormat(o.format) {
		return nil, nil, usageErr("unknown format %q (want %s)", o.format, strings.Join(report.ScanFormats, ", "))
	}
	if err := checkOutput("report", o.output); err != nil {
		return nil, nil, err
	}
	for _, r := range o.reports {
		format, file, ok := strings.Cut(r, "=")
		if !ok || file == "" || !validFormat(format) {
			return nil, nil, usageErr("--report %q: want FORMAT=FILE with FORMAT one of %s", r, strings.Join(report.ScanFormats, ", "))
		}
		if err := checkOutput(format+" report", file); err != nil {
			return nil, nil, err
		}
	}
	// Two reports written to one file: the second would replace the first
	// in silence, and the report asked for first would be lost.
	outs := []string{o.output}
	names := []string{"-o " + o.output}
	for _, r := range o.reports {
		_, file, _ := strings.Cut(r, "=")
		for i, prev := range outs {
			if sameOutput(prev, file) {
				return nil, nil, usageErr("--report %s writes to the same file as %s: give each report a file of its own", r, names[i])
			}
		}
		outs, names = append(outs, file), append(names, "--report "+r)
	}
	if o.failOn != "" {
		if _, err := patterns.ParseSeverity(o.failOn); err != nil {
			return nil, nil, usageErr("--fail-on: %v", err)
		}
	}
	if strings.HasPrefix(o.rangeSpec, "-") {
		return nil, nil, usageErr("--range: %q is not a revision range", o.rangeSpec)
	}
	if from, _, ok := strings.Cut(o.rangeSpec, ".."); ok && from == "" {
		// git reads "..B" as HEAD..B, which in CI (HEAD is B) is empty: a
		// script's unset base ("$BASE..$HEAD") would scan nothing and pass.
		return nil, nil, usageErr("--range %q has no start (an unset variable?): write HEAD%s if that is what you mean", o.rangeSpec, o.rangeSpec)
	}
	if (o.since != "" || o.branch != "") && !o.history {
		return nil, nil, usageErr("--since and --branch apply to --history")
	}
	if strings.HasPrefix(o.branch, "-") {
		return nil, nil, usageErr("--branch: %q is not a ref", o.branch)
	}
	if err := checkVerifyFlags(o); err != nil {
		return nil, nil, err
	}
	dir := o.path
	if dir == "" {
		dir = "."
	}
	var located func() (*location, error)
	if !o.staged && !o.prePush && o.commitMsg == "" && !o.stdin {
		// Where the repository is (gitsource.Open: in process for the
		// plain layouts, else git rev-parse, a child process) is asked
		// beside the rest of the set-up, rather than before it.
		located = locateAsync(ctx, o, dir)
		// Scans of trees and histories fault in tens of MB of fresh heap;
		// a hook's few MB gain less than the collection this costs
		// (2–5 ms of CPU on a VM). Usually prestart's init began it.
		prestart.HugeHeap()
	}
	if (o.staged || o.commitMsg != "") && os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// A hook run lives for milliseconds and allocates a few MB building
		// its detector: collecting would cost more than the memory (about
		// 1.7 ms of a 15 ms pre-commit run). Collect only past 256 MB, which
		// only a huge staged change reaches.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(256 << 20)
	}
	// A history scan's collector policy (see the history case below) is
	// set before the catalogue is built: at Go's default the catalogue's
	// few MB start a collection in the first milliseconds.
	historyGC := o.history && os.Getenv("GOGC") == ""
	if historyGC {
		collectAbove(50, smallHeap)
	}
	// The catalogue and its detector are built while git says where the
	// repository is (locate), rather than after.
	scanner.PrepareDefault()
	gitMode := o.staged || o.prePush || o.rangeSpec != "" || o.history || o.githubEvent
	var staged *gitsource.Staged
	if o.staged {
		// git reads the index while rampart opens the repository, loads
		// the configuration and builds the detector: a pre-commit hook's
		// time is mostly these.
		staged = &gitsource.Staged{}
		// prestart began the diff before main when the command line is a
		// staged scan of "." (prestart.Wanted); dir is "." then.
		if st := prestart.TakeStaged(); st != nil && dir == "." {
			staged.AdoptPending(ctx, st)
		} else {
			if st != nil {
				st.Stop()
			}
			staged.StartIn(ctx, dir)
		}
		defer staged.Close()
	}
	if located == nil {
		located = func() (*location, error) { return locate(ctx, o, dir) }
	}
	loc, err := located()
	if err != nil {
		return nil, nil, err
	}
	// A commit-msg hook asks git how it will clean the message up (a git
	// process) while the configuration loads and the detector is built,
	// rather than after: 44 → 38 ms a run.
	var cleanup chan githook.Cleanup
	if o.commitMsg != "" {
		var g githook.Git
		if loc.repo != nil {
			g = loc.repo
		}
		cleanup = make(chan githook.Cleanup, 1)
		go func() { cleanup <- githook.ReadCleanup(ctx, g, os.Getenv) }()
	}
	if !gitMode && !o.stdin && o.commitMsg == "" && loc.repo != nil && loc.repo.Bare {
		// A bare repository or mirror has no files to read: its content is
		// its history, which is what scanning it means.
		if abs, aerr := filepath.Abs(dir); aerr == nil && sameDir(abs, loc.repo.GitDir) {
			o.history, gitMode = true, true
			if !o.quiet {
				fmt.Fprintf(s.err, "rampart: %s is a bare repository: scanning its history (--history)\n", report.Safe(dir))
			}
		}
	}
	var repo *gitsource.Repo
	if gitMode {
		if loc.file {
			return nil, nil, usageErr("%s scans a whole repository and takes no file: PATH, if given, is the repository's directory (got the file %s)", gitModeFlag(o), report.Safe(dir))
		}
		if loc.repoErr != nil {
			return nil, nil, &exitErr{code: exitError, err: repoError(loc.repoErr, dir, gitModeFlag(o))}
		}
		repo = loc.repo
	}
	// A history scan's packs are opened, its commit walk started and its
	// reading planned from here, while the configuration loads and the
	// detector is built (h.Start): they need only the repository and the
	// command line, and waiting for the configuration, which waits for the
	// catalogue, put them after the detector on a small history's critical
	// path. A scan that fails before it reads gives them up.
	var hist *history.History
	if o.history {
		hist = &history.History{Repo: repo, Since: o.since,
			// Benchmarks compare the in-process pack reader with git's.
			UseGit: os.Getenv("RAMPART_HISTORY_READER") == "git"}
		if o.branch != "" {
			hist.Revs = []string{o.branch}
		}
		hist.Start(ctx)
		defer func() {
			if hist != nil {
				hist.Abandon()
			}
		}()
	}
	// A pull request's configuration and baseline are its base commit's
	// (gitsource.Event.TrustedBase): the event is resolved first, so that a
	// shallow clone holds that commit before they are read.
	var event *githubEvent
	var trusted *trustedRev
	if o.githubEvent {
		if event, err = resolveGitHubEvent(ctx, o, s, repo); err != nil {
			return nil, nil, err
		}
		trusted = event.trusted(repo)
	}
	if o.configFrom != "" {
		from, err := resolveConfigFrom(ctx, loc.repo, o.configFrom, s, o.quiet)
		if err != nil {
			return nil, nil, err
		}
		if trusted != nil && trusted.rev != from.rev {
			// Said even with --quiet: a workflow that passes both has moved
			// the line a pull request cannot cross.
			fmt.Fprintf(s.err, "rampart: warning: %s\n", report.Safe(fmt.Sprintf(
				"--config-from %s (commit %s) replaces %s's base commit %s: the configuration and baseline are read from %s, not from the base (drop --config-from to use it)",
				o.configFrom, shortRev(from.rev), trusted.why, shortRev(trusted.rev), shortRev(from.rev))))
		}
		if trusted == nil || trusted.rev != from.rev {
			trusted = from
		}
	}
	cfg, cfgAt, notes, err := loadGovernedConfig(ctx, o, loc, trusted)
	if err != nil {
		return nil, nil, &exitErr{code: exitError, err: err}
	}
	if o.maxFileSize != "" {
		n, err := scanner.ParseSize(o.maxFileSize)
		if err != nil {
			return nil, nil, usageErr("--max-file-size: %v", err)
		}
		cfg.MaxFileSize = n
	}
	if len(o.exclude) > 0 {
		allow, err := cfg.Allow.WithPaths(o.exclude)
		if err != nil {
			return nil, nil, usageErr("--exclude: %v", err)
		}
		cfg.Allow = allow
	}
	// Loaded before the source is built, so that a change's edit of it is
	// noted (emitDiff), and from the same place as the configuration.
	var baseline *scanner.Baseline
	var baselineAt governedPath
	if o.baseline == "" {
		o.baseline = hookBaseline(o, loc.repo)
	}
	if o.baseline != "" {
		var bnotes []string
		baseline, baselineAt, bnotes, err = loadGovernedBaseline(ctx, loc.repo, trusted, o.baseline)
		if err != nil {
			return nil, nil, &exitErr{code: exitError, err: err}
		}
		notes = append(notes, bnotes...)
	}
	gopts := gitsource.Options{MaxFileSize: cfg.MaxFileSize, Allow: cfg.Allow}
	for _, g := range []governedPath{cfgAt, baselineAt} {
		if g.rel != "" {
			gopts.Governing = append(gopts.Governing, g.rel)
		}
		if g.absent {
			gopts.GoverningAbsent = append(gopts.GoverningAbsent, g.rel)
		}
	}
	if trusted != nil {
		gopts.GoverningFrom = trusted.where()
	}

	var src scanner.Source
	switch {
	case o.stdin:
		src = &scanner.ReaderSource{R: s.in, Path: "stdin", MaxSize: cfg.MaxFileSize}
	case o.commitMsg != "":
		data, err := os.ReadFile(o.commitMsg)
		if err != nil {
			return nil, nil, &exitErr{code: exitError, err: fmt.Errorf("read commit message: %w", err)}
		}
		// Scan what git will record, not the file the hook is given: with
		// `git commit -v` it also holds the staged diff, and comments.
		src = gitsource.CommitMessage((<-cleanup).Apply(data))
	case o.staged:
		staged.Repo, staged.Opts = repo, gopts
		src = staged
	case o.rangeSpec != "":
		src = &gitsource.Commits{Repo: repo, Revs: []string{o.rangeSpec}, Opts: gopts}
	case o.history:
		h := hist
		h.Opts, h.NeedPaths = gopts, len(o.exclude) > 0 || !scanner.PathsLater(cfg.Rules)
		// A history scan's live heap is mostly the commit walk's placement
		// table and the pack index (about 130 MB on 100,000 commits), with
		// gigabytes of short-lived blob buffers passing through: collecting
		// at 1.5x rather than 2x the live heap keeps peak memory under
		// 300 MB for a handful more collections of mostly pointer-free data.
		// Below 48 MB of heap the collector does not run: a small
		// history's collections cost more than the memory.
		if os.Getenv("GOGC") == "" && !historyGC {
			collectAbove(50, smallHeap) // a bare repository: --history implied
		}
		src = h
	case o.prePush:
		src, err = prePushSource(ctx, o, s, repo, gopts)
	case o.githubEvent:
		src = event.source(repo, gopts)
	default:
		// loc.scanned has symbolic links resolved: a link named as PATH is
		// followed, to a folder as to a file; links inside never are.
		src = &scanner.DirSource{Root: loc.scanned, MaxFileSize: cfg.MaxFileSize, Allow: cfg.Allow, Prefix: loc.prefix}
		if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" && cfg.MaxFileSize > 0 && cfg.MaxFileSize <= 16<<20 {
			// A folder's files pass through the heap once each, and the
			// live heap is the detector and a few files: collecting at 5×
			// rather than 2× of it cut a scan of the Go sources from 0.28
			// to 0.23 s (40 → 73 MB). Past 512 MB the collector runs as
			// often as it must, whatever the percentage. With larger files
			// allowed (--max-file-size) the live heap could near that
			// limit, and the default collector is kept.
			debug.SetGCPercent(400)
			debug.SetMemoryLimit(512 << 20)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	root, scanned := loc.root, loc.scanned
	if repo != nil {
		// A git mode reads the whole repository, wherever it was started.
		root, scanned = repo.Dir, ""
	}
	if scanned == root {
		scanned = ""
	}
	if src == nil {
		// Nothing to scan (a pre-push that only deletes branches).
		res := &scanner.Result{}
		return res, &report.ScanReport{Version: toolVersion(), Root: root, Rules: cfg.Rules}, nil
	}

	opts := scanner.Options{Workers: o.workers}
	if baseline != nil {
		opts.Baseline = baseline
		// Only a scan that read an entry's whole location can call it
		// stale: a folder or file scan where it read, the full history
		// everywhere it was not told to skip. A staged change, a range of
		// commits or part of the history cannot tell that a secret is gone.
		// (A folder or file scan, a scanner.Coverer, decides for itself.)
		if _, ok := src.(*history.History); ok && o.since == "" && o.branch == "" {
			allow := cfg.Allow
			opts.Covers = func(e scanner.BaselineEntry) bool { return !allow.AllowsPath(e.Path) }
		}
	}
	if o.explain {
		opts.Explain = func(d scanner.Drop) { fmt.Fprintln(s.err, explainLine(d)) }
	}
	// Progress only on a terminal, never in the hook modes (nor under the
	// pre-commit framework, which sets PRE_COMMIT), and only once a scan has
	// taken a second.
	if !o.quiet && isTerminal(s.err) && !o.stdin && !hookMode(o) && os.Getenv("PRE_COMMIT") == "" {
		plan, _ := src.(planner)
		bar := newProgress(s.err, plan, time.Now)
		opts.Progress = bar.update
		defer bar.finish()
	}
	det := scanner.NewDetector(cfg.Rules, cfg.Allow)
	det.SetFileRules(cfg.FileRules)
	// The scan owns what the history began, whatever its outcome.
	hist = nil
	res, err := scanner.Scan(ctx, src, det, opts)
	if err != nil {
		return nil, nil, &exitErr{code: exitError, err: err}
	}
	if o.rangeSpec != "" && res.Stats.Commits == 0 {
		// "No credentials found" alone would read as a clean range.
		res.Stats.Note(fmt.Sprintf("the range %s selects no commits: nothing was scanned", o.rangeSpec))
	}
	for _, n := range notes {
		res.Stats.Note(n)
	}
	if err := checkFindings(ctx, o, s, cfg, res); err != nil {
		return nil, nil, err
	}
	rep := &report.ScanReport{
		Version:    toolVersion(),
		Root:       root,
		Scanned:    scanned,
		Findings:   res.Findings,
		Stats:      res.Stats,
		Rules:      cfg.Rules,
		Stale:      res.Stale,
		Suppressed: res.Suppressed,
	}
	return res, rep, nil
}

// explainLine is --explain's line for a dropped candidate: where it was, as
// a finding there names it (path, line, and the commit in the git modes),
// and why it was dropped.
func explainLine(d scanner.Drop) string {
	at := fmt.Sprintf("%s:%d", report.Safe(d.Path), d.Line)
	if d.Commit != nil {
		h := d.Commit.Hash
		if len(h) > 12 {
			h = h[:12]
		}
		at += " in commit " + h
	}
	return fmt.Sprintf("dropped %s at %s (%s): %s", d.RuleID, at, d.Secret, d.Reason)
}

// hookMode reports whether o is one of the modes git hooks run.
func hookMode(o *scanOptions) bool { return o.staged || o.commitMsg != "" || o.prePush }

// hookSubject names what a hook mode scanned, for its one-line result.
func hookSubject(o *scanOptions) string {
	switch {
	case o.staged:
		return "the staged change"
	case o.commitMsg != "":
		return "the commit message"
	case o.prePush:
		return "the pushed commits"
	}
	return ""
}

// sameOutput reports whether two report destinations are one file: the
// same path, or two names (a link, another spelling) of one existing file.
// Standard output ("" or "-") is never a file.
func sameOutput(a, b string) bool {
	if a == "" || a == "-" || b == "" || b == "-" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == ab {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

func validFormat(f string) bool {
	for _, x := range report.ScanFormats {
		if x == f {
			return true
		}
	}
	return false
}

// loadScanConfig uses --config, else .rampart.toml in loc's configuration
// directory, else the built-in defaults.
func loadScanConfig(o *scanOptions, loc *location) (*scanner.Config, error) {
	if o.config != "" {
		return scanner.LoadConfig(o.config)
	}
	name := shortPath(filepath.Join(loc.configDir, scanner.ConfigFileName))
	// Only a file that is not there means the defaults. One that is there
	// and cannot be read (no permission, a link to nothing) is an error:
	// falling back would drop its rules and allow lists in silence. (A
	// folder that cannot be looked into is not scanned either: its own
	// error says so.)
	st, err := os.Lstat(name)
	if err != nil {
		return scanner.DefaultConfig()
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		if _, serr := os.Stat(name); serr != nil {
			target, _ := os.Readlink(name)
			var pe *fs.PathError
			if errors.As(serr, &pe) {
				serr = pe.Err
			}
			return nil, fmt.Errorf("%s is a symbolic link to %s, which cannot be read (%v): fix the link, or remove it to scan with the built-in configuration", name, report.Safe(target), serr)
		}
	}
	return scanner.LoadConfig(name)
}

// shortPath returns p relative to the working directory when that is
// shorter (".rampart.toml", "../.rampart.toml" rather than the absolute
// path of the repository root): it is how rule sources and configuration
// errors name the file.
func shortPath(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && len(rel) < len(p) {
		return rel
	}
	return p
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// failing reports whether any finding is at or above the --fail-on threshold
// (any finding at all when no threshold is set).
func failing(fs []scanner.Finding, failOn string) bool {
	if failOn == "" {
		return len(fs) > 0
	}
	min, _ := patterns.ParseSeverity(failOn)
	for _, f := range fs {
		if f.Severity >= min {
			return true
		}
	}
	return false
}

func writeReport(o *scanOptions, s *streams, rep *report.ScanReport) error {
	var w io.Writer = s.out
	color := !o.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(s.out)
	if o.output != "" && o.output != "-" {
		f, err := createReport(o.output, o.showSecrets)
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		defer f.Close()
		w, color = f, false
	}
	if err := report.WriteScan(w, o.format, rep, report.ScanOptions{ShowSecrets: o.showSecrets, Color: color, Quiet: o.quiet, Hook: hookSubject(o)}); err != nil {
		return err
	}
	if w != s.out || o.format != "text" {
		// A partial scan says so where a person reads, not only inside a
		// report a machine reads (the text report on standard output says
		// it itself, quiet or not): a skipped blob is coverage lost.
		for _, n := range rep.Stats.Incomplete {
			fmt.Fprintf(s.err, "rampart: warning: %s\n", report.Safe(n))
		}
	}
	// Extra reports of the same scan: CI wants annotations, a summary and
	// SARIF from one history scan, not three.
	for _, r := range o.reports {
		format, file, _ := strings.Cut(r, "=")
		f, err := createReport(file, o.showSecrets)
		if err != nil {
			return fmt.Errorf("write %s report: %w", format, err)
		}
		err = report.WriteScan(f, format, rep, report.ScanOptions{ShowSecrets: o.showSecrets, Quiet: true})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s report %s: %w", format, file, err)
		}
	}
	return nil
}

// createReport creates (or truncates) a report file. One that holds
// plaintext secrets (--show-secrets) is readable by its owner only, as the
// audit snapshot and the verify cache are: on a shared machine or CI runner
// a 0644 file hands every secret to every local user.
func createReport(name string, secrets bool) (*os.File, error) {
	if !secrets {
		return os.Create(name)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	// An existing file keeps its mode through O_CREATE: narrow it too.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := underlying(w).(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// hookBaseline is the baseline a git hook reads when none is named: the
// repository's committed .rampart-baseline.json, if its work tree has one.
// A team that accepted its existing findings with `rampart baseline`
// expects its hooks to accept them too, as detect-secrets' and ggshield's
// do: otherwise the first push of a baselined history to a new remote, or
// moving an accepted key, is blocked. Under the pre-commit framework
// (PRE_COMMIT set) its push hook runs --range, so any scan there counts as
// a hook. Other scans read a baseline only when told (--baseline).
func hookBaseline(o *scanOptions, repo *gitsource.Repo) string {
	if (!hookMode(o) && os.Getenv("PRE_COMMIT") == "") || repo == nil || repo.Bare || o.stdin {
		return ""
	}
	p := filepath.Join(repo.Dir, scanner.BaselineFileName)
	if _, err := os.Lstat(p); err != nil {
		return ""
	}
	return p
}
