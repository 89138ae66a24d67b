//go:build gogit

// go-git is a large dependency used only here, so these tests and the
// reader benchmark build only with -tags gogit: the README's go test ./...
// stays fast, and CI runs them (.ci/run).

package history

import (
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TestGoGitBuiltRepository scans a repository written by go-git rather than
// the git binary: the object store is read by git either way.
func TestGoGitBuiltRepository(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	r := &testRepo{t: t, dir: dir}
	sig := &object.Signature{Name: "Go Git", Email: "gogit@example.com", When: time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)}
	r.write("deploy/creds.env", "AWS_ACCESS_KEY_ID="+keyID+"\nAWS_SECRET_ACCESS_KEY="+secretKey+"\n")
	if _, err := wt.Add("deploy/creds.env"); err != nil {
		t.Fatal(err)
	}
	first, err := wt.Commit("add creds", &git.CommitOptions{Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Remove("deploy/creds.env"); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Commit("remove creds", &git.CommitOptions{Author: sig}); err != nil {
		t.Fatal(err)
	}
	res := scan(t, &History{Repo: r.open()})
	if len(res.Findings) != 2 {
		t.Fatalf("findings: %v", summary(res.Findings, nil))
	}
	for _, f := range res.Findings {
		if f.Commit.Hash != first.String() || f.Commit.Author != "Go Git" || f.Path != "deploy/creds.env" {
			t.Errorf("%s attributed to %s by %s at %s", f.RuleID, f.Commit.Hash, f.Commit.Author, f.Path)
		}
	}
}
