package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/hardening"
)

type htmlHeatCell struct{ Class, Mark, Title string }

type htmlHeatRow struct {
	Check string
	Cells []htmlHeatCell
}

type htmlAuditTarget struct {
	Name, Error, Score, ScoreSort string
	Pass, Fail, Warn, Unknown     int
}

type htmlAuditFailure struct {
	Severity                             string
	SevRank                              int
	Target, Check, Evidence, Remediation string
}

type htmlAuditData struct {
	Title, Subtitle, Version string
	CSS                      template.CSS
	JS                       template.JS
	Repositories             int
	Average                  string
	Summary                  hardening.Summary
	ScoreChart               template.HTML
	Heat                     struct {
		Cols []string
		Rows []htmlHeatRow
	}
	Failures []htmlAuditFailure
	Targets  []htmlAuditTarget
	Notes    []string
}

// heatMax bounds the heat map's columns: past it the map would be
// unreadable, and the table of targets has every repository anyway.
const heatMax = 60

var heatMarks = map[hardening.Status]string{hardening.StatusPass: "✓", hardening.StatusFail: "✗", hardening.StatusWarn: "!", hardening.StatusUnknown: "?"}

func writeAuditHTML(w io.Writer, r *AuditReport) error {
	css, js := htmlAssets()
	rep := r.Report
	d := htmlAuditData{Version: r.Version, CSS: css, JS: js, Summary: rep.Summary, Average: "—", Repositories: rep.Summary.Repositories, Notes: r.Notes}
	d.Title = "rampart: GitHub hardening audit"
	if rep.Summary.Organization != "" {
		d.Title += " of " + rep.Summary.Organization
	}
	d.Subtitle = fmt.Sprintf("%d pass, %d fail, %d warn, %d unknown · %s", rep.Summary.Pass, rep.Summary.Fail, rep.Summary.Warn, rep.Summary.Unknown,
		time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	if a := rep.Summary.AverageScore; a != nil {
		d.Average = fmt.Sprintf("%.1f", *a)
	}
	var bars []bar
	checks := map[string]bool{}
	status := map[string]map[string]hardening.Result{} // check → target → result
	for _, t := range rep.Targets {
		ht := htmlAuditTarget{Name: t.Name, Error: t.Error, Score: "—", ScoreSort: "-1"}
		if t.Score != nil {
			ht.Score, ht.ScoreSort = fmt.Sprintf("%.1f", *t.Score), fmt.Sprintf("%.1f", *t.Score)
			color := "#2b8a3e"
			switch {
			case *t.Score < 5:
				color = "#a1121b"
			case *t.Score < 8:
				color = "#c98a00"
			}
			bars = append(bars, bar{Label: t.Name, Value: *t.Score, Text: ht.Score, Color: color})
		}
		if t.Kind != hardening.ScopeOrg.String() && len(d.Heat.Cols) < heatMax {
			d.Heat.Cols = append(d.Heat.Cols, t.Name)
		}
		for _, res := range t.Results {
			switch res.Status {
			case hardening.StatusPass:
				ht.Pass++
			case hardening.StatusFail:
				ht.Fail++
			case hardening.StatusWarn:
				ht.Warn++
			case hardening.StatusUnknown:
				ht.Unknown++
			}
			if res.Failing() {
				d.Failures = append(d.Failures, htmlAuditFailure{Severity: res.Severity.String(), SevRank: int(res.Severity),
					Target: t.Name, Check: res.Check, Evidence: res.Evidence, Remediation: res.Remediation})
			}
			if t.Kind == hardening.ScopeOrg.String() {
				continue
			}
			checks[res.Check] = true
			if status[res.Check] == nil {
				status[res.Check] = map[string]hardening.Result{}
			}
			status[res.Check][t.Name] = res
		}
		d.Targets = append(d.Targets, ht)
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].Value < bars[j].Value })
	if len(bars) > 0 {
		d.ScoreChart = barChart(bars, 30, 10)
	}
	var ids []string
	for c := range checks {
		ids = append(ids, c)
	}
	sort.Strings(ids)
	for _, c := range ids {
		row := htmlHeatRow{Check: c}
		for _, col := range d.Heat.Cols {
			res, ok := status[c][col]
			if !ok {
				row.Cells = append(row.Cells, htmlHeatCell{Class: "none", Title: col + ": not run"})
				continue
			}
			title := col + ": " + string(res.Status)
			if res.Evidence != "" {
				title += " — " + res.Evidence
			}
			row.Cells = append(row.Cells, htmlHeatCell{Class: string(res.Status), Mark: heatMarks[res.Status], Title: strings.TrimSpace(title)})
		}
		d.Heat.Rows = append(d.Heat.Rows, row)
	}
	sort.SliceStable(d.Failures, func(i, j int) bool { return d.Failures[i].SevRank > d.Failures[j].SevRank })
	return executeHTML(w, "audit.tmpl", d)
}
