package report

import (
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

type htmlPR struct {
	N   string
	URL string
}

type htmlFinding struct {
	Severity, Rule, Description string
	SevRank                     int
	Repo, RepoURL               string
	Path                        string
	Line                        int
	Commit, CommitURL, FileURL  string
	Date, DateSort              string
	Secret                      string
	PR                          string
	PRs                         []htmlPR
	Carried                     bool
	Verification, Identity      string
}

type htmlScanData struct {
	Title, Subtitle, Version string
	CSS                      template.CSS
	JS                       template.JS
	Findings                 bool
	Rows, Live               []htmlFinding
	Repos                    []RepositorySection
	WithFindings, Failed     int
	New, Critical            int
	Scanned                  string
	ProviderChart, RepoChart template.HTML
	Notes                    []string
	Shown                    bool
}

// verification returns a finding's verification status and what the
// provider said about whose it is ("" when the scan did not verify); a
// canary token says so instead. Live credentials ("valid") are listed
// first.
func verification(f *scanner.Finding) (status, identity string) {
	if note := canaryNote(f); note != "" {
		return "canary", note
	}
	if v := f.Verification; v != nil {
		identity = v.Identity
		if identity == "" {
			identity = v.Detail
		}
		return string(v.Status), identity
	}
	return "", ""
}

// provider names the family of a rule for charts: its ID's first word
// ("aws-access-key-id" → "aws").
func provider(ruleID string) string {
	p, _, _ := strings.Cut(ruleID, "-")
	return p
}

// githubLinks builds links to the commit and the file's line on GitHub
// from the repository's web URL; none without it.
func githubLinks(repoURL string, f *scanner.Finding) (commitURL, fileURL string) {
	if repoURL == "" || f.Commit == nil {
		return "", ""
	}
	u, err := url.Parse(repoURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", ""
	}
	base := strings.TrimSuffix(u.String(), "/")
	commitURL = base + "/commit/" + url.PathEscape(f.Commit.Hash)
	if f.Kind != scanner.KindCommitMessage && f.Path != "" {
		var segs []string
		for _, s := range strings.Split(f.Path, "/") {
			segs = append(segs, url.PathEscape(s))
		}
		fileURL = base + "/blob/" + url.PathEscape(f.Commit.Hash) + "/" + path.Join(segs...)
		if f.Line > 0 {
			fileURL += fmt.Sprintf("#L%d", f.Line)
		}
	}
	return commitURL, fileURL
}

func writeScanHTML(w io.Writer, r *ScanReport, o ScanOptions) error {
	css, js := htmlAssets()
	d := htmlScanData{Version: r.Version, CSS: css, JS: js, Repos: r.Repositories, Findings: len(r.Findings) > 0, Shown: o.ShowSecrets}
	d.Title = "rampart: secrets report"
	orgs := map[string]bool{}
	for _, s := range r.Repositories {
		if owner, _, ok := strings.Cut(s.Repository, "/"); ok {
			orgs[owner] = true
		}
		if s.Status == "failed" {
			d.Failed++
		}
		if s.Findings > 0 {
			d.WithFindings++
		}
		d.New += s.New
	}
	if len(orgs) == 1 {
		for o := range orgs {
			d.Title = "rampart: secrets in " + o
		}
	}
	d.Subtitle = fmt.Sprintf("%s, %s", plural(len(r.Findings), "finding"), scannedSummary(r.Stats, r.Repositories))
	if len(r.Repositories) > 0 {
		d.Subtitle = fmt.Sprintf("%d %s, %s", len(r.Repositories), pluralWord(len(r.Repositories), "repository", "repositories"), d.Subtitle)
	}
	d.Subtitle += " · " + time.Now().UTC().Format("2006-01-02 15:04 UTC")
	d.Scanned = HumanBytes(r.Stats.Bytes)
	byProvider := map[string]float64{}
	byRepo := map[string]float64{}
	for i := range r.Findings {
		f := &r.Findings[i]
		h := htmlFinding{Severity: f.Severity.String(), SevRank: int(f.Severity), Rule: f.RuleID, Description: f.Description,
			Repo: f.Attributes["repository"], RepoURL: f.Attributes["repository_url"], Path: f.Path, Line: f.Line,
			Secret: f.Display(o.ShowSecrets), Carried: f.Attributes["carried_forward"] == "true"}
		if f.Commit != nil {
			h.Commit = f.Commit.Hash
			if len(h.Commit) > 12 {
				h.Commit = h.Commit[:12]
			}
			if !f.Commit.Date.IsZero() {
				h.Date, h.DateSort = f.Commit.Date.UTC().Format("2006-01-02"), f.Commit.Date.UTC().Format(time.RFC3339)
			}
		}
		h.CommitURL, h.FileURL = githubLinks(h.RepoURL, f)
		if pr := f.Attributes["pull_request"]; pr != "" {
			h.PR = pr
			for _, n := range strings.Split(pr, ",") {
				p := htmlPR{N: n}
				if h.RepoURL != "" {
					p.URL = strings.TrimSuffix(h.RepoURL, "/") + "/pull/" + url.PathEscape(n)
				}
				h.PRs = append(h.PRs, p)
			}
		}
		h.Verification, h.Identity = verification(f)
		if f.Severity == patterns.SeverityCritical {
			d.Critical++
		}
		byProvider[provider(f.RuleID)]++
		if h.Repo != "" {
			byRepo[h.Repo]++
		}
		d.Rows = append(d.Rows, h)
	}
	// Live credentials first, then by severity; the page's table can be
	// re-sorted by any column.
	sort.SliceStable(d.Rows, func(i, j int) bool {
		li, lj := d.Rows[i].Verification == "valid", d.Rows[j].Verification == "valid"
		if li != lj {
			return li
		}
		return d.Rows[i].SevRank > d.Rows[j].SevRank
	})
	for _, h := range d.Rows {
		if h.Verification == "valid" {
			d.Live = append(d.Live, h)
		}
	}
	var pb, rb []bar
	for k, v := range byProvider {
		pb = append(pb, bar{Label: k, Value: v})
	}
	for k, v := range byRepo {
		rb = append(rb, bar{Label: k, Value: v, Color: "#c2410c"})
	}
	sortBars(pb)
	sortBars(rb)
	d.ProviderChart = barChart(pb, 15, 0)
	d.RepoChart = barChart(rb, 15, 0)
	for _, n := range r.Stats.Notes {
		d.Notes = append(d.Notes, n)
	}
	return executeHTML(w, "scan.tmpl", d)
}
