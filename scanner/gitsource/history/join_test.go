package history

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// The asker started during the scan answers as a git started for the
// questions would, however many there are: more questions and answers than
// a pipe holds must not stall it (it writes while it reads).
func TestAskerAnswersAsGitDoes(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("a.go", "package a\n")
	c1 := r.commit("one")
	r.git("mv", "a.go", "b.go")
	c2 := r.commit("two")
	repo := r.open()
	h := &History{Repo: repo}
	var in strings.Builder
	for i := 0; i < 1500; i++ { // about 120 KB of questions and of answers: more than a pipe holds
		for _, q := range []string{c1 + ":a.go", c2 + ":a.go", c2 + "^:b.go", c2 + ":b.go", fmt.Sprintf("%s:missing-%d", c1, i)} {
			in.WriteString(q + "\n")
		}
	}
	want, err := repo.Input(context.Background(), strings.NewReader(in.String()), "cat-file", "--batch-check=%(objecttype)")
	if err != nil {
		t.Fatal(err)
	}
	a := h.startAsker()
	if a == nil {
		t.Fatal("asker not started")
	}
	got, err := a.ask(repo, strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("asker's answers differ from git's (%d vs %d bytes)", len(got), len(want))
	}
	if !bytes.HasPrefix(got, []byte("blob\n")) || !bytes.Contains(got, []byte(" missing\n")) {
		t.Fatalf("answers %.60q: want blob and missing answers", got)
	}
	// Without an asker, git is started for the questions.
	var none *asker
	if got, err := none.ask(repo, strings.NewReader(in.String())); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("nil asker: %d bytes, %v", len(got), err)
	}
}
