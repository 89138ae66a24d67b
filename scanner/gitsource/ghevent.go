package gitsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// ErrShallowHistory is returned (wrapped, with what is missing and the
// checkout setting that fixes it) when a GitHub event needs history the
// clone does not have and fetching it did not help.
var ErrShallowHistory = errors.New("gitsource: the clone lacks the history this event needs")

// Event is what rampart needs from a GitHub Actions event: the event's name
// ($GITHUB_EVENT_NAME) and the fields of its payload ($GITHUB_EVENT_PATH)
// that say which commits it introduced.
type Event struct {
	// Name is the event name: push, pull_request, pull_request_target,
	// merge_group, schedule, workflow_dispatch.
	Name string

	// Ref is the pushed ref (refs/heads/… or refs/tags/…).
	Ref string
	// Before and After are the ref's old and new commits; Before is all
	// zeros for a new ref, After all zeros for a deleted one.
	Before, After string
	// Created, Deleted and Forced say what kind of push it was.
	Created, Deleted, Forced bool
	// Commits are the pushed commits listed in the payload, oldest first
	// (GitHub lists at most 2048).
	Commits []string
	// DefaultBranch is the repository's default branch (repository.default_branch).
	DefaultBranch string

	// BaseSHA and HeadSHA delimit a pull request (pull_request.base.sha and
	// pull_request.head.sha) or a merge queue entry (merge_group.base_sha and
	// merge_group.head_sha).
	BaseSHA, HeadSHA string
	// Number is the pull request's number, for messages.
	Number int

	// beforeGone is set once fetching Before failed: a forced push's old
	// commit may be gone from the remote too.
	beforeGone bool
}

// eventPayload is the subset of GitHub's documented webhook payloads rampart reads.
type eventPayload struct {
	Ref     string `json:"ref"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Created bool   `json:"created"`
	Deleted bool   `json:"deleted"`
	Forced  bool   `json:"forced"`
	Commits []struct {
		ID string `json:"id"`
	} `json:"commits"`
	Repository struct {
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
	PullRequest *struct {
		Number int `json:"number"`
		Base   struct {
			SHA string `json:"sha"`
		} `json:"base"`
		Head struct {
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
	MergeGroup *struct {
		BaseSHA string `json:"base_sha"`
		HeadSHA string `json:"head_sha"`
	} `json:"merge_group"`
}

// isSHA reports whether s is a full lower-case SHA-1 or SHA-256 commit ID.
func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ParseEvent reads an event payload. Every commit ID and ref name is
// checked before it can reach a git command line: a payload is input, and
// a value such as "--upload-pack=…" must never become an option.
func ParseEvent(name string, payload []byte) (*Event, error) {
	var p eventPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("gitsource: parse %s event payload: %w", name, err)
	}
	ev := &Event{
		Name: name, Ref: p.Ref, Before: strings.ToLower(p.Before), After: strings.ToLower(p.After),
		Created: p.Created, Deleted: p.Deleted, Forced: p.Forced, DefaultBranch: p.Repository.DefaultBranch,
	}
	for _, c := range p.Commits {
		ev.Commits = append(ev.Commits, strings.ToLower(c.ID))
	}
	if pr := p.PullRequest; pr != nil {
		ev.BaseSHA, ev.HeadSHA, ev.Number = strings.ToLower(pr.Base.SHA), strings.ToLower(pr.Head.SHA), pr.Number
	}
	if mg := p.MergeGroup; mg != nil && ev.BaseSHA == "" {
		ev.BaseSHA, ev.HeadSHA = strings.ToLower(mg.BaseSHA), strings.ToLower(mg.HeadSHA)
	}
	if err := ev.validate(); err != nil {
		return nil, err
	}
	return ev, nil
}

func (ev *Event) validate() error {
	check := func(field, v string) error {
		if v != "" && !isSHA(v) {
			return fmt.Errorf("gitsource: %s event: %s %q is not a commit ID", ev.Name, field, v)
		}
		return nil
	}
	for _, f := range []struct{ name, v string }{{"before", ev.Before}, {"after", ev.After}, {"base sha", ev.BaseSHA}, {"head sha", ev.HeadSHA}} {
		if err := check(f.name, f.v); err != nil {
			return err
		}
	}
	for _, c := range ev.Commits {
		if err := check("commits[].id", c); err != nil {
			return err
		}
	}
	if ev.Ref != "" && !validRefName(ev.Ref) {
		return fmt.Errorf("gitsource: %s event: ref %q is not a valid ref name", ev.Name, ev.Ref)
	}
	if ev.DefaultBranch != "" && !validRefName(ev.DefaultBranch) {
		return fmt.Errorf("gitsource: %s event: default branch %q is not a valid branch name", ev.Name, ev.DefaultBranch)
	}
	return nil
}

// validRefName is a conservative subset of git check-ref-format: no option
// look-alikes, no revision syntax, no control characters.
func validRefName(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") ||
		strings.HasSuffix(s, ".lock") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") || strings.Contains(s, "//") || strings.Contains(s, "@{") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("~^:?*[\\", r) {
			return false
		}
	}
	return true
}

// IsZeroSHA reports whether s is GitHub's "no commit": all zeros.
func IsZeroSHA(s string) bool {
	return s != "" && strings.Trim(s, "0") == ""
}

// branch is the pushed branch's short name, or "" for a tag.
func (ev *Event) branch() string {
	if b, ok := strings.CutPrefix(ev.Ref, "refs/heads/"); ok {
		return b
	}
	return ""
}

// RepoFacts is what Decide needs to know about the local clone. The real
// implementation asks git; tests answer from a table.
type RepoFacts interface {
	// Shallow reports whether the clone is shallow.
	Shallow() bool
	// Has reports whether the commit is present.
	Has(sha string) bool
	// Connected reports whether the history between a and b is in the clone:
	// git finds a common ancestor (false in a shallow clone cut in between).
	Connected(a, b string) bool
	// RemoteRefs lists the remote-tracking branches (refs/remotes/…),
	// without symbolic refs such as refs/remotes/origin/HEAD.
	RemoteRefs() []string
}

// PlanKind says what a Plan scans.
type PlanKind int

// Plan kinds.
const (
	// PlanNothing scans nothing (a deleted branch).
	PlanNothing PlanKind = iota
	// PlanCommits scans the commits Revs selects, as Commits does.
	PlanCommits
	// PlanHistory scans the full history, as History does.
	PlanHistory
)

// Plan is what an event introduced and how to scan it.
type Plan struct {
	Kind PlanKind
	// Revs are `git rev-list` arguments for PlanCommits.
	Revs []string
	// Why says in a sentence what is scanned and why.
	Why string
	// Fetch, when set, means the plan needs history the clone lacks: fetch
	// these from origin (deepening a shallow clone) and decide again. They
	// are commit IDs and refspecs.
	Fetch []string
	// Missing says what history is missing, for the error if fetching fails.
	Missing string
	// Optional says the plan can do without Fetch if fetching fails (a
	// forced push's old commit, which the remote may have dropped).
	Optional bool
}

// Decide turns an event into a plan. It never runs git: everything it knows
// about the clone comes from f, so every case is a row in a table test.
//
//   - push: before..after. A deleted branch scans nothing. A new branch (or
//     tag) scans the commits not on the default branch (origin/<default>, else
//     any other remote-tracking branch); with nothing to exclude, the pushed
//     commits the payload lists. A forced push scans what the remote did not
//     have: commits reachable from after and not from before (when it is still
//     here) or the other remote-tracking branches.
//   - pull_request, pull_request_target, merge_group: base..head.
//   - schedule, workflow_dispatch: the full history (which a shallow clone does not have).
func Decide(ev *Event, f RepoFacts) (Plan, error) {
	switch ev.Name {
	case "push":
		return decidePush(ev, f), nil
	case "pull_request", "pull_request_target", "merge_group":
		return decideRange(ev, f)
	case "schedule", "workflow_dispatch":
		if f.Shallow() {
			return Plan{}, fmt.Errorf("%w: %s scans the full history, but this is a shallow clone: set `fetch-depth: 0` on actions/checkout", ErrShallowHistory, ev.Name)
		}
		return Plan{Kind: PlanHistory, Why: ev.Name + ": scanning the full history"}, nil
	case "":
		return Plan{}, errors.New("gitsource: no event name (GITHUB_EVENT_NAME is empty)")
	}
	return Plan{}, fmt.Errorf("gitsource: event %q is not supported (supported: push, pull_request, pull_request_target, merge_group, schedule, workflow_dispatch); use --range or --history", ev.Name)
}

func decidePush(ev *Event, f RepoFacts) Plan {
	after, before := ev.After, ev.Before
	what := "push to " + ev.Ref
	switch {
	case ev.Deleted || after == "" || IsZeroSHA(after):
		return Plan{Kind: PlanNothing, Why: what + " deleted it: nothing to scan"}
	case !f.Has(after):
		return Plan{Fetch: []string{after}, Missing: "the pushed commit " + after}
	case ev.Created || before == "" || IsZeroSHA(before):
		return decideNew(ev, f, what+" (new)", nil)
	case ev.Forced:
		var excl []string
		switch {
		case f.Has(before):
			excl = append(excl, before)
		case !ev.beforeGone:
			return Plan{Fetch: []string{before}, Optional: true, Missing: "the commit the branch pointed to before the forced push (" + before + ")"}
		}
		return decideNew(ev, f, what+" (forced)", excl)
	case !f.Has(before):
		return Plan{Fetch: []string{before, after}, Missing: "the commit the branch pointed to before the push (" + before + ")"}
	case f.Shallow() && !f.Connected(before, after):
		return Plan{Fetch: []string{before, after}, Missing: "the history between " + before + " and " + after}
	}
	return Plan{Kind: PlanCommits, Revs: []string{before + ".." + after}, Why: fmt.Sprintf("%s: scanning %s..%s", what, short(before), short(after))}
}

// decideNew scans what a new or rewritten ref brought: commits reachable from
// after and from none of excl, the default branch, or the other
// remote-tracking branches; failing those, the commits the payload lists.
func decideNew(ev *Event, f RepoFacts, what string, excl []string) Plan {
	after := ev.After
	remote := exclusions(ev, f)
	excl = append(excl, remote...)
	if len(excl) > 0 {
		if f.Shallow() && !anyConnected(f, after, excl) {
			fetch := []string{after}
			for _, r := range remote {
				if b, ok := strings.CutPrefix(r, "refs/remotes/origin/"); ok {
					fetch = append(fetch, "+refs/heads/"+b+":"+r)
				}
			}
			return Plan{Fetch: fetch, Missing: "the history shared by " + after + " and " + strings.Join(excl, ", ")}
		}
		revs := append([]string{after, "--not"}, excl...)
		return Plan{Kind: PlanCommits, Revs: revs, Why: fmt.Sprintf("%s: scanning the commits of %s not in %s", what, short(after), shortAll(excl))}
	}
	if n := len(ev.Commits); n > 0 {
		oldest := ev.Commits[0]
		if !f.Has(oldest) || f.Shallow() && !f.Connected(oldest, after) {
			return Plan{Fetch: []string{after}, Missing: "the pushed commits back to " + oldest}
		}
		return Plan{Kind: PlanCommits, Revs: []string{after, "--not", oldest + "^@"},
			Why: fmt.Sprintf("%s: no default branch to compare with; scanning the %d pushed commits the event lists", what, n)}
	}
	return Plan{Kind: PlanCommits, Revs: []string{after + "^!"},
		Why: fmt.Sprintf("%s: no default branch to compare with and no pushed commits listed; scanning %s alone", what, short(after))}
}

// exclusions are the remote-tracking refs whose commits the remote already
// had: origin/<default branch> when present, else every remote-tracking
// branch. The pushed branch's own ref is never one (a checkout points it at
// the pushed commit).
func exclusions(ev *Event, f RepoFacts) []string {
	own := ev.branch()
	refs := f.RemoteRefs()
	if d := ev.DefaultBranch; d != "" && d != own {
		want := "refs/remotes/origin/" + d
		for _, r := range refs {
			if r == want {
				return []string{want}
			}
		}
	}
	var out []string
	for _, r := range refs {
		rest, ok := strings.CutPrefix(r, "refs/remotes/")
		if !ok {
			continue
		}
		_, b, ok := strings.Cut(rest, "/")
		if !ok || b == "HEAD" || b == own {
			continue
		}
		out = append(out, r)
	}
	return out
}

func anyConnected(f RepoFacts, a string, bs []string) bool {
	for _, b := range bs {
		if f.Connected(a, b) {
			return true
		}
	}
	return false
}

func decideRange(ev *Event, f RepoFacts) (Plan, error) {
	base, head := ev.BaseSHA, ev.HeadSHA
	if base == "" || head == "" {
		return Plan{}, fmt.Errorf("gitsource: %s event without base and head commits", ev.Name)
	}
	what := ev.Name
	if ev.Number > 0 {
		what += fmt.Sprintf(" #%d", ev.Number)
	}
	if !f.Has(base) || !f.Has(head) || f.Shallow() && !f.Connected(base, head) {
		return Plan{Fetch: []string{base, head}, Missing: fmt.Sprintf("the history between the base %s and the head %s", base, head)}, nil
	}
	return Plan{Kind: PlanCommits, Revs: []string{base + ".." + head}, Why: fmt.Sprintf("%s: scanning %s..%s", what, short(base), short(head))}, nil
}

func short(sha string) string {
	if len(sha) > 12 && isSHA(sha) {
		return sha[:12]
	}
	return strings.TrimPrefix(sha, "refs/remotes/")
}

func shortAll(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = short(x)
	}
	return strings.Join(out, ", ")
}

// TrustedBase returns the commit whose configuration (.rampart.toml, the
// baseline) must govern a scan of ev, or "" when the checkout's own does.
//
// A pull request, pull_request_target or merge queue entry brings changes
// nobody has merged yet: were the checkout's configuration obeyed, a change
// could add a secret and allow-list it (or accept it in the baseline, or
// turn its rule off) in the same breath, and pass. Its base commit holds
// what the target branch holds, as reviewed and merged; the change's own
// edits take effect once it is merged. A push has already landed on its
// branch, so its checkout is what that branch holds.
func (ev *Event) TrustedBase() string {
	switch ev.Name {
	case "pull_request", "pull_request_target", "merge_group":
		return ev.BaseSHA
	}
	return ""
}

// ResolveEvent decides what ev introduced and makes sure the clone holds
// it. When the clone lacks the history the plan needs, it fetches the
// commits from origin (a shallow clone is deepened with `git fetch
// --depth=N`, N growing) and decides again; if that fails the error says
// which actions/checkout fetch-depth to set. A pull request's plan is
// returned only once its base and head commits are both in the clone.
// logf, when set, hears about each fetch.
func ResolveEvent(ctx context.Context, repo *Repo, ev *Event, logf func(format string, args ...any)) (Plan, error) {
	// A shallow clone is deepened to these depths in turn before rampart
	// gives up and asks for fetch-depth: 0.
	fetchDepths := []int{50, 1000}
	e := *ev
	facts := &gitFacts{ctx: ctx, repo: repo}
	for deepened := 0; ; {
		plan, err := Decide(&e, facts)
		if err != nil {
			return Plan{}, err
		}
		if len(plan.Fetch) == 0 {
			return plan, nil
		}
		shallow := facts.Shallow()
		if !plan.Optional && (deepened >= len(fetchDepths) || !shallow && deepened > 0) {
			return Plan{}, fmt.Errorf("%w: %s: %s is not in this clone, even after fetching from origin; set `fetch-depth: 0` on actions/checkout", ErrShallowHistory, e.Name, plan.Missing)
		}
		args := []string{"fetch", "--no-tags", "--quiet"}
		if shallow {
			args = append(args, fmt.Sprintf("--depth=%d", fetchDepths[min(deepened, len(fetchDepths)-1)]))
		}
		args = append(append(args, "origin"), plan.Fetch...)
		if logf != nil {
			logf("%s: %s is not in this clone; running git %s", e.Name, plan.Missing, strings.Join(args, " "))
		}
		_, err = repo.Git(ctx, args...)
		facts = &gitFacts{ctx: ctx, repo: repo}
		if plan.Optional {
			// Tried once: decide without it if it did not come.
			e.beforeGone = true
			if err != nil && logf != nil {
				logf("%s: could not fetch it (%v); going on without it", e.Name, err)
			}
			continue
		}
		if err != nil {
			return Plan{}, fmt.Errorf("%w: %s: %s is not in this clone and fetching it failed (%v); set `fetch-depth: 0` on actions/checkout", ErrShallowHistory, e.Name, plan.Missing, err)
		}
		deepened++
	}
}

// NewHistory builds a full-history source (package history's History):
// gitsource cannot import that package, which builds on this one.
type NewHistory func(*Repo, Options) scanner.StatsSource

// Source returns the source that scans the plan, or nil for PlanNothing.
// The plan's Why is added to the scan's notes. newHistory builds the source
// of a PlanHistory.
func (p Plan) Source(repo *Repo, opts Options, newHistory NewHistory) scanner.Source {
	switch p.Kind {
	case PlanCommits:
		// Decide plans a range only once its history is in the clone, so a
		// shallow clone's "commits beyond the boundary were not scanned"
		// note would be false here.
		complete := *repo
		complete.Shallow = false
		return &noted{StatsSource: &Commits{Repo: &complete, Revs: p.Revs, Opts: opts}, note: p.Why}
	case PlanHistory:
		return &noted{StatsSource: newHistory(repo, opts), note: p.Why}
	}
	return nil
}

// noted is a source that adds a note to the scan's statistics.
type noted struct {
	scanner.StatsSource
	note string
}

var (
	_ scanner.StatsSource = (*noted)(nil)
	_ scanner.Resolver    = (*noted)(nil)
	_ scanner.Mover       = (*noted)(nil)
	_ scanner.HitSource   = (*noted)(nil)
)

// Unwrap returns the wrapped source, so that Scan can read it in parallel
// when it can.
func (n *noted) Unwrap() scanner.Source { return n.StatsSource }

// UseAutomaton implements scanner.HitSource for a wrapped source that does.
func (n *noted) UseAutomaton(a *patterns.Automaton) {
	if hs, ok := n.StatsSource.(scanner.HitSource); ok {
		hs.UseAutomaton(a)
	}
}

// Resolve implements scanner.Resolver for a wrapped source that needs it
// (History joins provenance at the end); others' findings pass unchanged.
func (n *noted) Resolve(fs []scanner.Finding) []scanner.Finding {
	if r, ok := n.StatsSource.(scanner.Resolver); ok {
		return r.Resolve(fs)
	}
	return fs
}

// Moved implements scanner.Mover for a wrapped source that can tell.
func (n *noted) Moved(earlier, later *scanner.Finding) bool {
	m, ok := n.StatsSource.(scanner.Mover)
	return ok && m.Moved(earlier, later)
}

// AddStats implements scanner.StatsSource.
func (n *noted) AddStats(st *scanner.Stats) {
	n.StatsSource.AddStats(st)
	if n.note != "" {
		st.Note(n.note)
	}
}

// gitFacts answers RepoFacts by running git, remembering what it learnt.
type gitFacts struct {
	ctx     context.Context
	repo    *Repo
	shallow *bool
	refs    []string
	refsOK  bool
}

var _ RepoFacts = (*gitFacts)(nil)

func (g *gitFacts) Shallow() bool {
	if g.shallow == nil {
		out, err := g.repo.Git(g.ctx, "rev-parse", "--is-shallow-repository")
		v := err == nil && strings.TrimSpace(string(out)) == "true"
		if err != nil {
			v = g.repo.Shallow
		}
		g.shallow = &v
	}
	return *g.shallow
}

func (g *gitFacts) Has(sha string) bool { return g.repo.HasCommit(g.ctx, sha) }

func (g *gitFacts) Connected(a, b string) bool {
	_, err := g.repo.Git(g.ctx, "merge-base", a, b)
	return err == nil
}

func (g *gitFacts) RemoteRefs() []string {
	if !g.refsOK {
		g.refsOK = true
		out, err := g.repo.Git(g.ctx, "for-each-ref", "--format=%(refname)%00%(symref)", "refs/remotes/")
		if err == nil {
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				name, sym, _ := strings.Cut(l, "\x00")
				if name != "" && sym == "" {
					g.refs = append(g.refs, name)
				}
			}
		}
	}
	return g.refs
}
