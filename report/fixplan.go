package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/fatih/color"

	"github.com/rampart-sec/rampart/hardening"
)

// Writers for `rampart audit fix`: the plan (what would change, as exact
// API calls, and what stays manual, as exact steps) and the outcome of
// applying it (every write with GitHub's answer). The JSON plan is
// hardening.WritePlan's, which apply reads back unchanged.

// FixOptions say how to write a plan or its outcome.
type FixOptions struct {
	Color bool
	// Applying says the plan is about to be applied (the closing line
	// asks for confirmation instead of telling how to apply).
	Applying bool
}

type fixPalette struct {
	add, change, fail, ok, skip, bold, dim *color.Color
}

func newFixPalette(on bool) fixPalette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return fixPalette{add: mk(color.FgGreen), change: mk(color.FgYellow), fail: mk(color.FgRed, color.Bold), ok: mk(color.FgGreen),
		skip: mk(color.FgYellow), bold: mk(color.Bold), dim: mk(color.Faint)}
}

func fixSymbol(p fixPalette, method string) string {
	if method == "POST" {
		return p.add.Sprint("+")
	}
	return p.change.Sprint("~")
}

// groupChanges groups a plan's changes by target, organisation first,
// keeping the plan's order within each.
func groupChanges(pl *hardening.Plan) (order []string, scope map[string]string, by map[string][]hardening.Change) {
	scope, by = map[string]string{}, map[string][]hardening.Change{}
	for _, c := range pl.Changes {
		if _, ok := by[c.Target]; !ok {
			order = append(order, c.Target)
			scope[c.Target] = c.Scope
		}
		by[c.Target] = append(by[c.Target], c)
	}
	return order, scope, by
}

func requestCount(pl *hardening.Plan) int {
	n := 0
	for _, c := range pl.Changes {
		n += len(c.Requests)
	}
	return n
}

// WriteFixPlanText writes a plan for people: each change with its calls,
// the checks it fixes and the state it expects, then the manual items.
func WriteFixPlanText(w io.Writer, pl *hardening.Plan, o FixOptions) error {
	ew := &errWriter{w: w}
	p := newFixPalette(o.Color)
	where := pl.APIURL
	if where == "" {
		where = "GitHub"
	}
	ew.printf("%s\n", p.bold.Sprintf("rampart audit fix: plan made %s against %s", pl.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Safe(where)))
	if len(pl.Checks) > 0 {
		ew.printf("limited to checks: %s\n", strings.Join(pl.Checks, ", "))
	}
	order, scope, by := groupChanges(pl)
	for _, t := range order {
		ew.printf("\n%s (%s)\n", p.bold.Sprint(Safe(t)), scope[t])
		for _, c := range by[t] {
			ew.printf("  %s\n", Safe(c.Summary))
			for _, rq := range c.Requests {
				ew.printf("    %s %s %s\n", fixSymbol(p, rq.Method), rq.Method, Safe(rq.Path))
				if len(rq.Body) > 0 {
					ew.printf("        %s\n", p.dim.Sprint(Safe(string(hardening.Canonical(rq.Body)))))
				}
			}
			if len(c.Checks) > 0 {
				ew.printf("    fixes: %s\n", strings.Join(c.Checks, ", "))
			}
			if len(c.Partly) > 0 {
				ew.printf("    works towards: %s (see the manual items)\n", strings.Join(c.Partly, ", "))
			}
			ew.printf("    %s\n", p.dim.Sprintf("applies only if GitHub still says %s; needs %s", Safe(string(hardening.Canonical(c.Expect))), c.Permission))
		}
	}
	writeManual(ew, p, pl.Manual)
	for _, n := range pl.Notes {
		ew.printf("\nNote: %s.\n", Safe(n))
	}
	targets := len(order)
	ew.printf("\nPlan: %d %s (%d API %s) to %d %s; %d manual %s.\n",
		len(pl.Changes), auditPlural(len(pl.Changes), "change", "changes"), requestCount(pl), auditPlural(requestCount(pl), "call", "calls"),
		targets, auditPlural(targets, "target", "targets"), len(pl.Manual), auditPlural(len(pl.Manual), "item", "items"))
	switch {
	case len(pl.Changes) == 0:
		ew.printf("Nothing to change.\n")
	case !o.Applying:
		ew.printf("Nothing was changed. Run again with --apply to make these changes (or save the plan with --format json -o plan.json and apply it with --from-plan plan.json --apply).\n")
	}
	return ew.err
}

func writeManual(ew *errWriter, p fixPalette, items []hardening.ManualItem) {
	if len(items) == 0 {
		return
	}
	ew.printf("\n%s\n", p.bold.Sprintf("Manual: %d %s rampart never changes", len(items), auditPlural(len(items), "item", "items")))
	sorted := append([]hardening.ManualItem(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if (sorted[i].Scope == "organization") != (sorted[j].Scope == "organization") {
			return sorted[i].Scope == "organization"
		}
		return strings.ToLower(sorted[i].Target) < strings.ToLower(sorted[j].Target)
	})
	for _, m := range sorted {
		ew.printf("  %s  %s  %s: %s\n", Safe(m.Target), m.Severity, m.Check, Safe(m.Title))
		ew.printf("      seen:  %s\n", Safe(m.Evidence))
		ew.printf("      steps: %s\n", Safe(m.Steps))
		ew.printf("      why manual: %s\n", Safe(m.Why))
	}
}

// FixSummary counts what applying a plan did.
type FixSummary struct {
	Applied int `json:"applied"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
	NotRun  int `json:"not_run,omitempty"`
	Writes  int `json:"writes"`
	Manual  int `json:"manual"`
}

// SummariseApply counts results.
func SummariseApply(results []hardening.ApplyResult, manual int) FixSummary {
	s := FixSummary{Manual: manual}
	for _, r := range results {
		s.Writes += len(r.Writes)
		switch r.Status {
		case hardening.Applied:
			s.Applied++
		case hardening.Drifted:
			s.Skipped++
		case hardening.Failed:
			s.Failed++
		default:
			s.NotRun++
		}
	}
	return s
}

// FixApplyJSON is the JSON document of `audit fix --apply --format json`:
// the plan that was applied and what became of each change, with every
// write and GitHub's answer.
type FixApplyJSON struct {
	Tool    JSONTool                `json:"tool"`
	Plan    *hardening.Plan         `json:"plan"`
	Results []hardening.ApplyResult `json:"results"`
	Summary FixSummary              `json:"summary"`
}

// WriteFixApplyJSON writes the outcome of an apply as JSON.
func WriteFixApplyJSON(w io.Writer, version string, pl *hardening.Plan, results []hardening.ApplyResult) error {
	doc := FixApplyJSON{Tool: JSONTool{Name: "rampart", Version: version}, Plan: pl, Results: results,
		Summary: SummariseApply(results, len(pl.Manual))}
	if doc.Results == nil {
		doc.Results = []hardening.ApplyResult{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// maxShown bounds a request or an answer in the text log; the JSON output
// keeps them whole.
const maxShown = 300

func fixClip(s string) string {
	if len(s) <= maxShown {
		return s
	}
	return s[:maxShown] + fmt.Sprintf("… (%d bytes; --format json keeps it whole)", len(s))
}

// WriteFixApplyText writes what applying a plan did: per change its
// status, each write with GitHub's answer, then the manual items left.
func WriteFixApplyText(w io.Writer, pl *hardening.Plan, results []hardening.ApplyResult, o FixOptions) error {
	ew := &errWriter{w: w}
	p := newFixPalette(o.Color)
	target := ""
	for _, r := range results {
		if r.Target != target {
			target = r.Target
			ew.printf("\n%s\n", p.bold.Sprint(Safe(target)))
		}
		var label string
		switch r.Status {
		case hardening.Applied:
			label = p.ok.Sprint("applied")
		case hardening.Drifted:
			label = p.skip.Sprint("skipped")
		case hardening.Failed:
			label = p.fail.Sprint("FAILED ")
		default:
			label = p.dim.Sprint("not run")
		}
		ew.printf("  %s  %s\n", label, Safe(r.Summary))
		for _, wl := range r.Writes {
			ew.printf("           %s %s → HTTP %d\n", wl.Method, Safe(wl.Path), wl.Status)
			if len(wl.Request) > 0 {
				ew.printf("             sent:   %s\n", p.dim.Sprint(Safe(fixClip(string(wl.Request)))))
			}
			if len(wl.Response) > 0 {
				ew.printf("             answer: %s\n", p.dim.Sprint(Safe(fixClip(string(wl.Response)))))
			}
		}
		if r.Detail != "" && r.Status != hardening.Applied {
			ew.printf("           %s\n", Safe(r.Detail))
		}
	}
	writeManual(ew, p, pl.Manual)
	s := SummariseApply(results, len(pl.Manual))
	ew.printf("\nApplied %d of %d %s (%d %s); %d skipped because the target changed since the plan; %d failed",
		s.Applied, len(results), auditPlural(len(results), "change", "changes"), s.Writes, auditPlural(s.Writes, "write", "writes"), s.Skipped, s.Failed)
	if s.NotRun > 0 {
		ew.printf("; %d not run", s.NotRun)
	}
	ew.printf(". %d manual %s left.\n", s.Manual, auditPlural(s.Manual, "item", "items"))
	if s.Skipped > 0 || s.Failed > 0 {
		ew.printf("Plan again to see what is left to do.\n")
	}
	return ew.err
}
