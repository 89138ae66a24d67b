package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/hardening/ghcollect"
	"github.com/rampart-sec/rampart/report"
)

// auditFixOptions are the flags of `rampart audit fix`.
type auditFixOptions struct {
	auditOptions
	apply         bool
	yes           bool
	checks        string
	fromPlan      string
	openIssues    bool
	issuesOnly    bool
	publicIssues  bool
	writeInterval time.Duration
}

func newAuditFixCmd(s *streams) *cobra.Command {
	o := &auditFixOptions{}
	cmd := &cobra.Command{
		Use:   "fix (--org ORG | --repo OWNER/NAME | --from-plan FILE) [--apply [--yes]]",
		Short: "Plan the API calls that fix failing checks, then apply them",
		Long: `Plan, then apply, Terraform-style. Without --apply, audit fix reads the target, prints the exact API
calls that would fix what fails (and, for what rampart never changes, the exact steps) and changes nothing.
With --apply it asks for confirmation on a terminal (--yes in CI), re-reads each target before writing,
skips anything that changed since the plan, and logs every write with GitHub's answer.

rampart fixes branch protection (through a ruleset it names ` + hardening.FixRulesetName + `), release tags
(` + hardening.FixTagRulesetName + `), secret scanning and push protection, Dependabot alerts and security updates,
private vulnerability reporting, the default workflow token, webhook TLS verification and the organisation's
default code security configuration. It never deletes, never rewrites a ruleset or configuration it did not
create, and never changes people, 2FA, SSO or deploy keys.
Exit status: 0 nothing left to do, 1 changes or manual items remain (or some were skipped or failed), 2 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuditFix(cmd.Context(), o, s, auditToken())
		},
	}
	f := cmd.Flags()
	o.bindTarget(f)
	f.StringVar(&o.policy, "policy", "", "policy `FILE` (default: the [audit] table of .rampart.toml, else built-in)")
	f.StringVar(&o.configFrom, "config-from", "", "read the policy (the nearest .rampart.toml, or a --policy inside the repository) from commit `REV` instead of the work tree, as audit does")
	f.BoolVar(&o.apply, "apply", false, "make the planned changes (asks for confirmation on a terminal)")
	f.BoolVar(&o.yes, "yes", false, "with --apply: do not ask (for CI)")
	f.StringVar(&o.checks, "checks", "", "plan only for these comma-separated check `IDS`")
	f.StringVar(&o.fromPlan, "from-plan", "", "use the reviewed plan in `FILE` (--format json output) instead of planning again")
	f.BoolVar(&o.openIssues, "open-issues", false, "also keep one issue per repository listing what stays to fix (opened, updated, closed)")
	f.BoolVar(&o.issuesOnly, "issues-only", false, "keep the issues, listing every failure, and change no setting")
	f.BoolVar(&o.publicIssues, "public-issues", false, "with --open-issues or --issues-only: open issues in public repositories too (they publish what is weak; off by default)")
	f.StringVar(&o.format, "format", "text", "output format: text or json (json is the plan, or the plan and the apply log)")
	f.StringVarP(&o.output, "output", "o", "", "write the plan (or the apply log) to `FILE` instead of standard output")
	f.DurationVar(&o.writeInterval, "write-interval", time.Second, "pause between two writes (GitHub asks for at least a second)")
	f.IntVar(&o.workers, "workers", 8, "repositories read at once")
	f.BoolVar(&o.includeArchived, "include-archived", false, "plan for archived repositories too")
	f.StringVar(&o.cacheDir, "cache-dir", "", "ETag cache `DIR` for conditional requests")
	f.BoolVar(&o.noCache, "no-cache", false, "do not use the ETag cache")
	f.BoolVar(&o.noColor, "no-color", false, "never use colour")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "show no progress")
	return cmd
}

func (o *auditFixOptions) validate() error {
	targets := 0
	for _, on := range []bool{o.repo != "", o.org != "", o.fromPlan != ""} {
		if on {
			targets++
		}
	}
	if targets != 1 {
		return usageErr("audit fix: give exactly one of --repo OWNER/NAME, --org ORG or --from-plan FILE")
	}
	if o.repo != "" {
		if _, _, err := splitRepo(o.repo); err != nil {
			return err
		}
	}
	if o.yes && !o.apply {
		return usageErr("--yes only makes sense with --apply")
	}
	if o.openIssues && o.issuesOnly {
		return usageErr("give --open-issues (beside the fixes) or --issues-only (instead of them), not both")
	}
	if o.publicIssues && !o.openIssues && !o.issuesOnly {
		return usageErr("--public-issues goes with --open-issues or --issues-only")
	}
	if o.fromPlan != "" && (o.checks != "" || o.openIssues || o.issuesOnly || o.publicIssues || o.policy != "" || o.configFrom != "") {
		return usageErr("--from-plan applies the plan exactly as reviewed: --checks, --policy, --config-from, --open-issues and --issues-only belong to the run that made it")
	}
	if o.format != "text" && o.format != "json" {
		return usageErr("audit fix: unknown format %q (want text or json)", o.format)
	}
	if o.workers < 1 || o.workers > 64 {
		return usageErr("--workers must be between 1 and 64 (GitHub allows 100 concurrent requests)")
	}
	if o.writeInterval < 0 {
		return usageErr("--write-interval must not be negative")
	}
	var unknown []string
	for _, id := range o.checkIDs() {
		if hardening.CheckByID(id) == nil {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return usageErr("--checks: unknown %s %s (see the check table in the README)", auditPlural(len(unknown), "check", "checks"), strings.Join(unknown, ", "))
	}
	return nil
}

func (o *auditFixOptions) checkIDs() []string {
	var out []string
	for _, id := range strings.Split(o.checks, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func auditPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// readPlanFile reads a reviewed plan.
func readPlanFile(path string) (*hardening.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	return hardening.ReadPlan(f)
}

func runAuditFix(ctx context.Context, o *auditFixOptions, s *streams, token string) error {
	if err := o.validate(); err != nil {
		return err
	}
	var pl *hardening.Plan
	if o.fromPlan != "" {
		p, err := readPlanFile(o.fromPlan)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		pl = p
		// The API root is never taken from the file: a plan that named
		// another host would receive the token with the first request.
		// A plan made against GitHub Enterprise Server is applied with
		// --api-url naming the same server.
		if o.apply && pl.APIURL != "" && strings.TrimSuffix(pl.APIURL, "/") != strings.TrimSuffix(effectiveAPIURL(o.apiURL), "/") {
			return usageErr("the plan was made against %s; rampart never takes the API root from a file: pass --api-url %s to apply it there (nothing was changed)", pl.APIURL, pl.APIURL)
		}
		if !o.apply {
			return fixPlanOutcome(writeFixPlan(o, s, pl), pl)
		}
	}
	if token == "" {
		fmt.Fprintln(s.err, "rampart: no GITHUB_TOKEN or GH_TOKEN: reading anonymously; a plan needs an administrator's token to see what to fix")
	}
	var pol *hardening.Policy
	var policyNotes []string
	if pl == nil {
		// With --config-from, as audit reads it: a pull request's
		// workflow plans what its base's policy asks for.
		p, notes, err := loadAuditPolicy(ctx, &o.auditOptions, s)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		pol, policyNotes = p, notes
		o.releaseBranches = pol.ReleaseBranches
		o.readIssues = o.openIssues || o.issuesOnly
	}
	c, err := newAuditCollector(&o.auditOptions, s, token, nil, 0)
	if err != nil {
		return err
	}
	if pl == nil {
		var snap *hardening.Snapshot
		if !o.quiet && auditIsTerminal(s.err) {
			fmt.Fprintln(s.err, "rampart: reading the current settings…")
		}
		if o.org != "" {
			snap, err = c.Org(ctx, o.org)
		} else {
			owner, name, _ := splitRepo(o.repo)
			snap, err = c.Repo(ctx, owner, name)
		}
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		mode := hardening.IssuesNone
		switch {
		case o.openIssues:
			mode = hardening.IssuesBeside
		case o.issuesOnly:
			mode = hardening.IssuesOnly
		}
		pl = hardening.PlanFixes(snap, pol, hardening.PlanOptions{Checks: o.checkIDs(), Issues: mode, Now: time.Now(), PublicIssues: o.publicIssues})
		pl.Tool = "rampart " + toolVersion()
		pl.Notes = append(policyNotes, pl.Notes...)
		if !o.apply {
			return fixPlanOutcome(writeFixPlan(o, s, pl), pl)
		}
	}

	// Apply: show the plan, confirm, write, report.
	planOut := s.out
	if o.format == "json" || o.output != "" {
		planOut = s.err
	}
	color := !o.noColor && os.Getenv("NO_COLOR") == "" && auditIsTerminal(planOut)
	if err := report.WriteFixPlanText(planOut, pl, report.FixOptions{Color: color, Applying: true}); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if len(pl.Changes) == 0 {
		return fixPlanOutcome(nil, pl)
	}
	if !o.yes {
		if !auditStdinIsTerminal(s.in) {
			return usageErr("--apply needs --yes when standard input is not a terminal (as in CI); nothing was changed")
		}
		prompt := fmt.Sprintf("\nApply %d %s (%d API calls) on %s? Only 'yes' proceeds: ", len(pl.Changes),
			auditPlural(len(pl.Changes), "change", "changes"), fixRequests(pl), c.APIURL())
		ok, err := confirmApply(s.in, s.err, prompt)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		if !ok {
			fmt.Fprintln(s.err, "Apply cancelled; nothing was changed.")
			return findingsExit()
		}
	}
	ao := ghcollect.ApplyOptions{WriteInterval: o.writeInterval}
	if o.writeInterval == 0 {
		ao.WriteInterval = -1
	}
	if !o.quiet && auditIsTerminal(s.err) {
		n := 0
		ao.OnResult = func(r hardening.ApplyResult) {
			n++
			fmt.Fprintf(s.err, "rampart: %d/%d %s: %s\n", n, len(pl.Changes), r.Status, report.Safe(r.Summary))
		}
	}
	results, err := c.Apply(ctx, pl, ao)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if err := writeFixApply(o, s, pl, results); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	sum := report.SummariseApply(results, len(pl.Manual))
	if sum.Applied != len(results) || sum.Manual > 0 {
		return findingsExit()
	}
	return nil
}

// fixPlanOutcome maps a shown plan to the exit status: 1 while anything is
// left to do.
func fixPlanOutcome(err error, pl *hardening.Plan) error {
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if len(pl.Changes) > 0 || len(pl.Manual) > 0 {
		return findingsExit()
	}
	return nil
}

func fixRequests(pl *hardening.Plan) int {
	n := 0
	for _, c := range pl.Changes {
		n += len(c.Requests)
	}
	return n
}

// writeOut writes through render to --output (mode 0644) or standard
// output, colouring only a terminal.
func (o *auditFixOptions) writeOut(s *streams, render func(w io.Writer, color bool) error) error {
	if o.output == "" || o.output == "-" {
		return render(s.out, !o.noColor && os.Getenv("NO_COLOR") == "" && auditIsTerminal(s.out))
	}
	var buf bytes.Buffer
	if err := render(&buf, false); err != nil {
		return err
	}
	if err := os.WriteFile(o.output, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", o.output, err)
	}
	return nil
}

func writeFixPlan(o *auditFixOptions, s *streams, pl *hardening.Plan) error {
	return o.writeOut(s, func(w io.Writer, color bool) error {
		if o.format == "json" {
			return hardening.WritePlan(w, pl)
		}
		return report.WriteFixPlanText(w, pl, report.FixOptions{Color: color})
	})
}

func writeFixApply(o *auditFixOptions, s *streams, pl *hardening.Plan, results []hardening.ApplyResult) error {
	return o.writeOut(s, func(w io.Writer, color bool) error {
		if o.format == "json" {
			return report.WriteFixApplyJSON(w, toolVersion(), pl, results)
		}
		return report.WriteFixApplyText(w, pl, results, report.FixOptions{Color: color})
	})
}

func auditStdinIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirmApply asks on out and reads one line from in: only "yes" agrees,
// as Terraform asks.
func confirmApply(in io.Reader, out io.Writer, prompt string) (bool, error) {
	if _, err := io.WriteString(out, prompt); err != nil {
		return false, err
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("read confirmation: %w", err)
	}
	return strings.TrimSpace(line) == "yes", nil
}

// effectiveAPIURL is the API root a run talks to: --api-url, else GitHub.com's.
func effectiveAPIURL(flag string) string {
	if flag == "" {
		return "https://api.github.com/"
	}
	return flag
}
