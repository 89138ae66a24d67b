package gitsource

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fakeFacts answers RepoFacts from a table: every commit is present unless
// listed in missing, and connected to every other unless the pair is listed.
type fakeFacts struct {
	shallow     bool
	missing     []string
	unconnected [][2]string
	refs        []string
}

var _ RepoFacts = (*fakeFacts)(nil)

func (f *fakeFacts) Shallow() bool { return f.shallow }
func (f *fakeFacts) Has(sha string) bool {
	for _, m := range f.missing {
		if m == sha {
			return false
		}
	}
	return true
}
func (f *fakeFacts) Connected(a, b string) bool {
	for _, p := range f.unconnected {
		if p == [2]string{a, b} || p == [2]string{b, a} {
			return false
		}
	}
	return f.Has(a) && f.Has(b)
}
func (f *fakeFacts) RemoteRefs() []string { return f.refs }

const (
	shaA       = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" // after / head
	shaB       = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" // before / base
	shaC       = "cccccccccccccccccccccccccccccccccccccccc" // oldest pushed commit
	shaD       = "dddddddddddddddddddddddddddddddddddddddd"
	zero       = "0000000000000000000000000000000000000000"
	originMain = "refs/remotes/origin/main"
)

func push(mod func(*Event)) *Event {
	ev := &Event{Name: "push", Ref: "refs/heads/feature", Before: shaB, After: shaA, DefaultBranch: "main", Commits: []string{shaC, shaD, shaA}}
	if mod != nil {
		mod(ev)
	}
	return ev
}

func TestDecide(t *testing.T) {
	pr := &Event{Name: "pull_request", BaseSHA: shaB, HeadSHA: shaA, Number: 7}
	cases := []struct {
		name  string
		ev    *Event
		facts fakeFacts
		kind  PlanKind
		revs  []string
		fetch []string
		err   error
	}{
		{name: "push scans before..after", ev: push(nil), kind: PlanCommits, revs: []string{shaB + ".." + shaA}},
		{name: "push, before missing: fetch it", ev: push(nil), facts: fakeFacts{missing: []string{shaB}}, fetch: []string{shaB, shaA}},
		{name: "push, shallow clone cut between before and after: deepen", ev: push(nil),
			facts: fakeFacts{shallow: true, unconnected: [][2]string{{shaB, shaA}}}, fetch: []string{shaB, shaA}},
		{name: "push, after missing: fetch it", ev: push(nil), facts: fakeFacts{missing: []string{shaA}}, fetch: []string{shaA}},
		{name: "deleted branch scans nothing", ev: push(func(e *Event) { e.After, e.Deleted, e.Commits = zero, true, nil }), kind: PlanNothing},
		{name: "new branch excludes origin/<default>", ev: push(func(e *Event) { e.Before, e.Created = zero, true }),
			facts: fakeFacts{refs: []string{"refs/remotes/origin/dev", originMain, "refs/remotes/origin/feature"}},
			kind:  PlanCommits, revs: []string{shaA, "--not", originMain}},
		{name: "new branch without origin/<default> excludes the other remote branches", ev: push(func(e *Event) { e.Before = zero }),
			facts: fakeFacts{refs: []string{"refs/remotes/origin/dev", "refs/remotes/origin/feature", "refs/remotes/upstream/release"}},
			kind:  PlanCommits, revs: []string{shaA, "--not", "refs/remotes/origin/dev", "refs/remotes/upstream/release"}},
		{name: "new branch with nothing to exclude scans the listed commits", ev: push(func(e *Event) { e.Before = zero }),
			facts: fakeFacts{refs: []string{"refs/remotes/origin/feature"}},
			kind:  PlanCommits, revs: []string{shaA, "--not", shaC + "^@"}},
		{name: "new branch, listed commits beyond a shallow boundary: deepen", ev: push(func(e *Event) { e.Before = zero }),
			facts: fakeFacts{shallow: true, missing: []string{shaC}}, fetch: []string{shaA}},
		{name: "new branch with no listed commits scans its head alone", ev: push(func(e *Event) { e.Before, e.Commits = zero, nil }),
			kind: PlanCommits, revs: []string{shaA + "^!"}},
		{name: "new branch in a shallow clone unconnected to the default branch: deepen both", ev: push(func(e *Event) { e.Before = zero }),
			facts: fakeFacts{shallow: true, refs: []string{originMain}, unconnected: [][2]string{{shaA, originMain}}},
			fetch: []string{shaA, "+refs/heads/main:" + originMain}},
		{name: "first push of the default branch compares with nothing", ev: push(func(e *Event) { e.Before, e.Ref = zero, "refs/heads/main" }),
			facts: fakeFacts{refs: []string{originMain}}, kind: PlanCommits, revs: []string{shaA, "--not", shaC + "^@"}},
		{name: "new tag excludes the default branch", ev: push(func(e *Event) { e.Before, e.Ref, e.Commits = zero, "refs/tags/v1.0.0", nil }),
			facts: fakeFacts{refs: []string{originMain}}, kind: PlanCommits, revs: []string{shaA, "--not", originMain}},
		{name: "forced push excludes before and the default branch", ev: push(func(e *Event) { e.Forced = true }),
			facts: fakeFacts{refs: []string{originMain, "refs/remotes/origin/feature"}}, kind: PlanCommits, revs: []string{shaA, "--not", shaB, originMain}},
		{name: "forced push with before missing tries to fetch it", ev: push(func(e *Event) { e.Forced = true }),
			facts: fakeFacts{missing: []string{shaB}, refs: []string{originMain}}, fetch: []string{shaB}},
		{name: "forced push with before gone excludes the default branch", ev: push(func(e *Event) { e.Forced, e.beforeGone = true, true }),
			facts: fakeFacts{missing: []string{shaB}, refs: []string{originMain}}, kind: PlanCommits, revs: []string{shaA, "--not", originMain}},
		{name: "forced push with before gone and nothing to exclude scans the listed commits", ev: push(func(e *Event) { e.Forced, e.beforeGone = true, true }),
			facts: fakeFacts{missing: []string{shaB}}, kind: PlanCommits, revs: []string{shaA, "--not", shaC + "^@"}},
		{name: "pull request scans base..head", ev: pr, kind: PlanCommits, revs: []string{shaB + ".." + shaA}},
		{name: "pull_request_target too", ev: &Event{Name: "pull_request_target", BaseSHA: shaB, HeadSHA: shaA}, kind: PlanCommits, revs: []string{shaB + ".." + shaA}},
		{name: "pull request, base missing: fetch base and head", ev: pr, facts: fakeFacts{shallow: true, missing: []string{shaB}}, fetch: []string{shaB, shaA}},
		{name: "pull request in a shallow clone cut in between: deepen", ev: pr,
			facts: fakeFacts{shallow: true, unconnected: [][2]string{{shaB, shaA}}}, fetch: []string{shaB, shaA}},
		{name: "merge queue scans base..head", ev: &Event{Name: "merge_group", BaseSHA: shaB, HeadSHA: shaA}, kind: PlanCommits, revs: []string{shaB + ".." + shaA}},
		{name: "schedule scans the full history", ev: &Event{Name: "schedule"}, kind: PlanHistory},
		{name: "workflow_dispatch scans the full history", ev: &Event{Name: "workflow_dispatch"}, kind: PlanHistory},
		{name: "a full-history scan refuses a shallow clone", ev: &Event{Name: "schedule"}, facts: fakeFacts{shallow: true}, err: ErrShallowHistory},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Decide(c.ev, &c.facts)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				if !strings.Contains(err.Error(), "fetch-depth: 0") {
					t.Errorf("error does not say which fetch-depth to set: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.fetch != nil {
				if !reflect.DeepEqual(p.Fetch, c.fetch) || p.Missing == "" {
					t.Fatalf("fetch = %q (missing %q), want %q", p.Fetch, p.Missing, c.fetch)
				}
				return
			}
			if len(p.Fetch) > 0 {
				t.Fatalf("unexpected fetch %q: %s", p.Fetch, p.Missing)
			}
			if p.Kind != c.kind || !reflect.DeepEqual(p.Revs, c.revs) {
				t.Errorf("plan = %v %q, want %v %q", p.Kind, p.Revs, c.kind, c.revs)
			}
			if p.Why == "" {
				t.Error("plan has no Why")
			}
		})
	}
}

func TestDecideRejects(t *testing.T) {
	for _, ev := range []*Event{{Name: "issues"}, {Name: ""}, {Name: "pull_request"}} {
		if _, err := Decide(ev, &fakeFacts{}); err == nil {
			t.Errorf("%q: no error", ev.Name)
		}
	}
}

func TestParseEvent(t *testing.T) {
	payload := `{"ref":"refs/heads/feature","before":"` + strings.ToUpper(shaB) + `","after":"` + shaA + `","created":false,"deleted":false,"forced":true,
	  "commits":[{"id":"` + shaC + `","distinct":true},{"id":"` + shaA + `"}],"head_commit":{"id":"` + shaA + `"},
	  "repository":{"full_name":"o/r","default_branch":"trunk"},"pusher":{"name":"x"}}`
	ev, err := ParseEvent("push", []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	want := &Event{Name: "push", Ref: "refs/heads/feature", Before: shaB, After: shaA, Forced: true, Commits: []string{shaC, shaA}, DefaultBranch: "trunk"}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("got %+v\nwant %+v", ev, want)
	}
	pr := `{"action":"synchronize","number":12,"pull_request":{"number":12,"base":{"ref":"main","sha":"` + shaB + `"},"head":{"ref":"f","sha":"` + shaA + `"}},"repository":{"default_branch":"main"}}`
	ev, err = ParseEvent("pull_request", []byte(pr))
	if err != nil {
		t.Fatal(err)
	}
	if ev.BaseSHA != shaB || ev.HeadSHA != shaA || ev.Number != 12 {
		t.Errorf("pull request: %+v", ev)
	}

	bad := map[string]string{
		"option as before":   `{"before":"--upload-pack=touch /tmp/pwned","after":"` + shaA + `"}`,
		"short sha":          `{"before":"abc123","after":"` + shaA + `"}`,
		"option as head":     `{"pull_request":{"base":{"sha":"` + shaB + `"},"head":{"sha":"-c"}}}`,
		"revision as commit": `{"after":"` + shaA + `","commits":[{"id":"HEAD~1"}]}`,
		"option as branch":   `{"after":"` + shaA + `","repository":{"default_branch":"--all"}}`,
		"range as branch":    `{"after":"` + shaA + `","repository":{"default_branch":"a..b"}}`,
		"not JSON":           `{`,
	}
	for name, p := range bad {
		if _, err := ParseEvent("push", []byte(p)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzParseEvent: no payload panics the parser, and whatever it accepts is
// safe to put on a git command line.
func FuzzParseEvent(f *testing.F) {
	f.Add("push", `{"ref":"refs/heads/x","before":"`+shaB+`","after":"`+shaA+`","commits":[{"id":"`+shaC+`"}],"repository":{"default_branch":"main"}}`)
	f.Add("pull_request", `{"pull_request":{"base":{"sha":"`+shaB+`"},"head":{"sha":"`+shaA+`"}}}`)
	f.Add("push", `{"before":"-x","repository":{"default_branch":"-y"}}`)
	f.Fuzz(func(t *testing.T, name, payload string) {
		ev, err := ParseEvent(name, []byte(payload))
		if err != nil {
			return
		}
		for _, v := range append([]string{ev.Before, ev.After, ev.BaseSHA, ev.HeadSHA}, ev.Commits...) {
			if v != "" && !isSHA(v) {
				t.Fatalf("accepted %q as a commit ID", v)
			}
		}
		for _, r := range []string{ev.Ref, ev.DefaultBranch} {
			if strings.HasPrefix(r, "-") || strings.Contains(r, "..") || strings.ContainsAny(r, " \n\x00") {
				t.Fatalf("accepted ref %q", r)
			}
		}
		// Deciding never panics either.
		_, _ = Decide(ev, &fakeFacts{refs: []string{originMain}})
	})
}

// TestTrustedBase: the events that bring unmerged changes are governed by
// their base commit's configuration; a push and a scheduled scan by the
// checkout's.
func TestTrustedBase(t *testing.T) {
	for name, want := range map[string]string{"pull_request": shaB, "pull_request_target": shaB, "merge_group": shaB, "push": "", "schedule": "", "workflow_dispatch": ""} {
		ev := &Event{Name: name, BaseSHA: shaB, HeadSHA: shaA, Before: shaB, After: shaA}
		if got := ev.TrustedBase(); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
