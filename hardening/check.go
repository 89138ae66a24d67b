package hardening

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Scope says what a check judges.
type Scope int

// The scopes.
const (
	ScopeOrg Scope = iota
	ScopeRepo
)

// String returns "organization" or "repository".
func (s Scope) String() string {
	if s == ScopeOrg {
		return "organization"
	}
	return "repository"
}

// Input is what a check reads: the snapshot, and the organisation or the
// repository being judged.
type Input struct {
	Snapshot *Snapshot
	Org      *OrgSnapshot
	Repo     *RepoSnapshot
	Now      time.Time
}

// Outcome is a check's verdict before the policy's severity, waivers and
// the check's remediation are attached.
type Outcome struct {
	Status    Status
	Evidence  string
	Locations []Location
}

// A Check judges a snapshot; it never does I/O. ID is stable: results,
// SARIF rule IDs, policy entries and waivers use it.
type Check struct {
	ID, Title string
	Scope     Scope
	// Severity is the default severity of a failure.
	Severity Severity
	// Permission is what the token needs for the check to see its input.
	Permission Permission
	// Remediation says how to fix a failure; {org}, {repo} (owner/name)
	// and {branch} are replaced with the target's values.
	Remediation string
	Run         func(in Input, p *Policy) Outcome
}

func pass(format string, args ...any) Outcome {
	return Outcome{Status: StatusPass, Evidence: fmt.Sprintf(format, args...)}
}

func fail(format string, args ...any) Outcome {
	return Outcome{Status: StatusFail, Evidence: fmt.Sprintf(format, args...)}
}

func warn(format string, args ...any) Outcome {
	return Outcome{Status: StatusWarn, Evidence: fmt.Sprintf(format, args...)}
}

// unknown is the outcome when what must be seen is not known: what names
// it, r says why.
func unknown(what string, r Read) Outcome {
	return Outcome{Status: StatusUnknown, Evidence: what + " " + r.Why()}
}

// The checks by group, in report order. Each theme keeps its checks in its
// own file; these lists put them together. Every list is built at its
// first use, not at start-up: this package's initialisation came right
// before the secret scanner's in Go's order and held up every scan by
// 1-4 ms (GODEBUG=inittrace=1), for checks only an audit runs.
var (
	allOrgChecks = sync.OnceValue(func() []*Check {
		return concatChecks(orgChecks(), governanceOrgChecks(), secretOrgChecks())
	})
	allBranchChecks = sync.OnceValue(func() []*Check { return concatChecks(branchChecks(), releaseBranchChecks()) })
	allRepoChecks   = sync.OnceValue(func() []*Check {
		return concatChecks(repoChecks(), governanceRepoChecks(), secretRepoChecks(), intakeRepoChecks(), releaseRepoChecks())
	})
	allWorkflowChecks = sync.OnceValue(func() []*Check { return concatChecks(workflowChecks(), moreWorkflowChecks()) })
)

func concatChecks(lists ...[]*Check) []*Check {
	var out []*Check
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Checks returns every check, organisation checks first, in a stable order.
func Checks() []*Check {
	return concatChecks(allOrgChecks(), allBranchChecks(), allRepoChecks(), allWorkflowChecks())
}

// CheckByID returns the check with id, or nil.
func CheckByID(id string) *Check {
	for _, c := range Checks() {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Report is the outcome of an audit: results per target and a summary.
type Report struct {
	Targets []TargetResult `json:"targets"`
	Summary Summary        `json:"summary"`
}

// TargetResult is every result for one organisation or repository.
type TargetResult struct {
	// Kind is "organization" or "repository".
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Score is the repository's score from 0 to 10 (see ScoreWeights);
	// nil for organisations and for repositories that could not be read.
	Score   *float64 `json:"score,omitempty"`
	Error   string   `json:"error,omitempty"`
	Results []Result `json:"results"`
}

// Summary counts results across targets, per status and per check.
type Summary struct {
	Organization string   `json:"organization,omitempty"`
	Repositories int      `json:"repositories"`
	Errors       int      `json:"errors,omitempty"`
	Pass         int      `json:"pass"`
	Fail         int      `json:"fail"`
	Warn         int      `json:"warn"`
	Unknown      int      `json:"unknown"`
	Waived       int      `json:"waived,omitempty"`
	AverageScore *float64 `json:"average_score,omitempty"`
	// Checks has one row per check that produced a result.
	Checks []CheckSummary `json:"checks"`
}

// CheckSummary counts one check's results across targets.
type CheckSummary struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Pass     int      `json:"pass"`
	Fail     int      `json:"fail"`
	Warn     int      `json:"warn"`
	Unknown  int      `json:"unknown"`
	Waived   int      `json:"waived,omitempty"`
}

// ScoreWeights are the points a result of each severity carries in a
// repository's score. The score is 10 × (points of passed checks + half the
// points of warned checks) ÷ (points of every result), rounded to one
// decimal. Unknown results score nothing (unknown is never a pass); failures
// covered by a live waiver are left out of both sides.
var ScoreWeights = map[Severity]float64{
	SeverityCritical: 10,
	SeverityHigh:     6,
	SeverityMedium:   3,
	SeverityLow:      1,
	SeverityInfo:     0,
}

// Score computes a repository's score from its results; ok is false when
// no result carries weight.
func Score(results []Result) (score float64, ok bool) {
	var got, total float64
	for i := range results {
		r := &results[i]
		if r.Waived() && r.Status == StatusFail {
			continue
		}
		w := ScoreWeights[r.Severity]
		total += w
		switch r.Status {
		case StatusPass:
			got += w
		case StatusWarn:
			got += w / 2
		}
	}
	if total == 0 {
		return 0, false
	}
	return math.Round(100*got/total) / 10, true
}

// Evaluate runs every enabled check over the snapshot under policy p, at
// time now (for waiver expiry and key age).
func Evaluate(s *Snapshot, p *Policy, now time.Time) *Report {
	if p == nil {
		p = DefaultPolicy()
	}
	rep := &Report{}
	in := Input{Snapshot: s, Now: now}
	if s.Org != nil {
		in.Org = s.Org
		t := TargetResult{Kind: ScopeOrg.String(), Name: s.Org.Login}
		for _, c := range allOrgChecks() {
			if p.Enabled(c.ID) {
				t.Results = append(t.Results, runCheck(c, in, p, s.Org.Login, ""))
			}
		}
		rep.Targets = append(rep.Targets, t)
	}
	repos := append([]*RepoSnapshot(nil), s.Repos...)
	sort.Slice(repos, func(i, j int) bool { return strings.ToLower(repos[i].FullName) < strings.ToLower(repos[j].FullName) })
	for _, r := range repos {
		t := TargetResult{Kind: ScopeRepo.String(), Name: r.FullName, Results: []Result{}}
		if r.Error != "" {
			t.Error = r.Error
			rep.Targets = append(rep.Targets, t)
			continue
		}
		rin := in
		rin.Repo = r
		for _, group := range [][]*Check{allBranchChecks(), allRepoChecks(), allWorkflowChecks()} {
			for _, c := range group {
				if p.Enabled(c.ID) {
					t.Results = append(t.Results, runCheck(c, rin, p, r.FullName, r.DefaultBranch))
				}
			}
		}
		if sc, ok := Score(t.Results); ok {
			t.Score = &sc
		}
		rep.Targets = append(rep.Targets, t)
	}
	rep.summarise()
	return rep
}

// Merge joins reports of disjoint targets (the shards of one organisation's
// audit) into one, with the summary recomputed over every target. An
// organisation target that several shards carry is kept once.
func Merge(reports ...*Report) *Report {
	out := &Report{}
	seenOrg := map[string]bool{}
	for _, r := range reports {
		for _, t := range r.Targets {
			if t.Kind == ScopeOrg.String() {
				if seenOrg[t.Name] {
					continue
				}
				seenOrg[t.Name] = true
			}
			out.Targets = append(out.Targets, t)
		}
	}
	sort.SliceStable(out.Targets, func(i, j int) bool {
		a, b := out.Targets[i], out.Targets[j]
		if (a.Kind == ScopeOrg.String()) != (b.Kind == ScopeOrg.String()) {
			return a.Kind == ScopeOrg.String()
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
	out.summarise()
	return out
}

func runCheck(c *Check, in Input, p *Policy, target, branch string) Result {
	o := c.Run(in, p)
	r := Result{
		Check:       c.ID,
		Title:       c.Title,
		Status:      o.Status,
		Severity:    p.SeverityOf(c),
		Evidence:    o.Evidence,
		Remediation: expand(c.Remediation, in, target, branch),
		Locations:   o.Locations,
	}
	if r.Status == StatusUnknown {
		r.Permission = c.Permission.String()
	}
	if r.Status == StatusFail || r.Status == StatusWarn {
		if w := p.waiverFor(c.ID, target); w != nil {
			note := &WaiverNote{Reason: w.Reason, Expires: w.Expires.Format("2006-01-02")}
			if w.Expired(in.Now) {
				note.Expired = true
				r.Evidence += fmt.Sprintf(" (waiver expired on %s and no longer applies: %s)", note.Expires, w.Reason)
			}
			r.Waiver = note
		}
	}
	return r
}

func expand(s string, in Input, target, branch string) string {
	org := target
	if in.Repo != nil {
		org = in.Repo.Owner
	}
	if branch == "" {
		branch = "main"
	}
	return strings.NewReplacer("{org}", org, "{repo}", target, "{branch}", branch).Replace(s)
}

// summarise computes the summary from the targets.
func (rep *Report) summarise() {
	rep.Summary = Summary{}
	var scores []float64
	for _, t := range rep.Targets {
		if t.Kind == ScopeOrg.String() {
			rep.Summary.Organization = t.Name
			continue
		}
		rep.Summary.Repositories++
		if t.Error != "" {
			rep.Summary.Errors++
		}
		if t.Score != nil {
			scores = append(scores, *t.Score)
		}
	}
	if len(scores) > 0 {
		var sum float64
		for _, s := range scores {
			sum += s
		}
		avg := math.Round(10*sum/float64(len(scores))) / 10
		rep.Summary.AverageScore = &avg
	}
	rows := map[string]*CheckSummary{}
	var order []string
	for _, t := range rep.Targets {
		for i := range t.Results {
			r := &t.Results[i]
			row := rows[r.Check]
			if row == nil {
				row = &CheckSummary{Check: r.Check, Severity: r.Severity}
				rows[r.Check] = row
				order = append(order, r.Check)
			}
			switch {
			case r.Waived():
				row.Waived++
				rep.Summary.Waived++
			case r.Status == StatusPass:
				row.Pass++
				rep.Summary.Pass++
			case r.Status == StatusFail:
				row.Fail++
				rep.Summary.Fail++
			case r.Status == StatusWarn:
				row.Warn++
				rep.Summary.Warn++
			default:
				row.Unknown++
				rep.Summary.Unknown++
			}
		}
	}
	pos := map[string]int{}
	for i, c := range Checks() {
		pos[c.ID] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return pos[order[i]] < pos[order[j]] })
	rep.Summary.Checks = make([]CheckSummary, 0, len(order))
	for _, id := range order {
		rep.Summary.Checks = append(rep.Summary.Checks, *rows[id])
	}
}

// Failing returns the results, across targets, that failed at or above
// severity min and are not covered by a live waiver.
func (rep *Report) Failing(min Severity) int {
	n := 0
	for _, t := range rep.Targets {
		for i := range t.Results {
			if r := &t.Results[i]; r.Failing() && r.Severity >= min {
				n++
			}
		}
	}
	return n
}
