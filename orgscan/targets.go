package orgscan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/rampart-sec/rampart/github"
)

// Target is one repository to scan.
type Target struct {
	// FullName is "owner/name".
	FullName string `json:"repository"`
	// CloneURL is what git clones: the clone_url GitHub gives, or a URL
	// from --repos-from. It never carries credentials.
	CloneURL string `json:"clone_url"`
	// HTMLURL is the repository's web page, for links to commits and
	// files; empty when unknown.
	HTMLURL string `json:"html_url,omitempty"`
	// DefaultBranch is the repository's default branch, when known.
	DefaultBranch string `json:"default_branch,omitempty"`
	Archived      bool   `json:"archived,omitempty"`
	Fork          bool   `json:"fork,omitempty"`
	// Size is the repository's size in bytes as GitHub reports it (its
	// "size", in KB); 0 when unknown.
	Size int64 `json:"size,omitempty"`
}

// A Shard selects a stable subset of repositories by full name
// (hardening.Shard is one: FNV-1a of the lower-cased name, the audit's
// hash, so the same --shard splits audits and scans alike).
type Shard interface {
	Contains(fullName string) bool
	String() string
}

// ErrCredentialsInURL refuses a clone URL that carries a user name or
// password: the token goes to git only in a header.
var ErrCredentialsInURL = errors.New("orgscan: clone URL carries credentials; give the token in GITHUB_TOKEN or GH_TOKEN instead")

func targetOf(r *gh.Repository) Target {
	return Target{
		FullName: r.GetFullName(), CloneURL: r.GetCloneURL(), HTMLURL: r.GetHTMLURL(),
		DefaultBranch: r.GetDefaultBranch(), Archived: r.GetArchived(), Fork: r.GetFork(), Size: int64(r.GetSize()) * 1024,
	}
}

// OrgTargets lists an organisation's repositories through the shared GitHub
// client, leaving out archived repositories and forks unless asked and
// those outside the shard. It also returns how many were left out, by
// reason.
func OrgTargets(ctx context.Context, c *github.Client, org string, includeArchived, includeForks bool, shard Shard) ([]Target, map[string]int, error) {
	repos, err := c.ListOrgRepos(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	skipped := map[string]int{}
	var out []Target
	for _, r := range repos {
		switch {
		case r.GetArchived() && !includeArchived:
			skipped["archived"]++
		case r.GetFork() && !includeForks:
			skipped["fork"]++
		case shard != nil && !shard.Contains(r.GetFullName()):
			skipped["other-shard"]++
		default:
			out = append(out, targetOf(r))
		}
	}
	return out, skipped, nil
}

// ParseRepoList reads a --repos-from file: one OWNER/NAME or clone URL a
// line; blank lines and lines starting with # are ignored. Errors name the
// line. OWNER/NAME entries have no clone URL yet (ResolveTargets asks
// GitHub); URL entries are complete.
func ParseRepoList(r io.Reader) ([]Target, error) {
	var out []Target
	var problems []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		t, err := parseRepoLine(line)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("orgscan: read repository list: %w", err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("orgscan: repository list: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

func parseRepoLine(line string) (Target, error) {
	if !strings.Contains(line, "://") {
		owner, name, ok := strings.Cut(line, "/")
		if !ok || !validSegment(owner) || !validSegment(strings.TrimSuffix(name, ".git")) {
			return Target{}, fmt.Errorf("%q: want OWNER/NAME or a clone URL", line)
		}
		return Target{FullName: owner + "/" + strings.TrimSuffix(name, ".git")}, nil
	}
	u, err := url.Parse(line)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Target{}, fmt.Errorf("%q: want an http(s) clone URL", redactURL(line))
	}
	if u.User != nil {
		return Target{}, fmt.Errorf("%s: %w", redactURL(line), ErrCredentialsInURL)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return Target{}, fmt.Errorf("%q: want https://HOST/OWNER/NAME(.git)", line)
	}
	owner, name := parts[len(parts)-2], strings.TrimSuffix(parts[len(parts)-1], ".git")
	if !validSegment(owner) || !validSegment(name) {
		return Target{}, fmt.Errorf("%q: unusable owner or name", line)
	}
	web := *u
	web.Path = strings.TrimSuffix(u.Path, ".git")
	web.RawQuery, web.Fragment = "", ""
	return Target{FullName: owner + "/" + name, CloneURL: u.String(), HTMLURL: web.String()}, nil
}

// redactURL drops userinfo from a URL for error messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	if i := strings.Index(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "…@" + s[i+1:]
		}
	}
	return s
}

// validSegment accepts GitHub owner and repository names (letters, digits,
// '.', '-', '_'), never "." or "..": segments become directory names.
func validSegment(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ResolveTargets completes OWNER/NAME entries from GitHub (clone URL, web
// URL, default branch), keeps the shard's, and drops duplicates. An entry
// GitHub cannot find is returned as a failure, not an error: the run goes
// on without it.
func ResolveTargets(ctx context.Context, c *github.Client, list []Target, shard Shard) (targets []Target, failed []RepoResult, err error) {
	seen := map[string]bool{}
	for _, t := range list {
		key := strings.ToLower(t.FullName)
		if seen[key] || (shard != nil && !shard.Contains(t.FullName)) {
			continue
		}
		seen[key] = true
		if t.CloneURL == "" {
			if c == nil {
				return nil, nil, errors.New("orgscan: OWNER/NAME entries need the GitHub API")
			}
			owner, name, _ := strings.Cut(t.FullName, "/")
			r, err := c.Repo(ctx, owner, name)
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				failed = append(failed, RepoResult{Repository: t.FullName, Status: StatusFailed, Error: err.Error()})
				continue
			}
			t = targetOf(r)
		}
		targets = append(targets, t)
	}
	sortTargets(targets)
	return targets, failed, nil
}

func sortTargets(ts []Target) {
	sort.SliceStable(ts, func(i, j int) bool { return strings.ToLower(ts[i].FullName) < strings.ToLower(ts[j].FullName) })
}
